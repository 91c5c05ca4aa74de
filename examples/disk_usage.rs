//! The build cache of the builder `docker rkbuild` would use: its largest
//! records and the total, through the typed `Client::disk_usage`.
//!
//! ```sh
//! cargo run --example disk_usage
//! ```

use rkbuild::{Client, Result};

#[tokio::main]
async fn main() -> Result<()> {
    let client = Client::from_docker_env().await?;
    let records = client.disk_usage(&[]).await?;
    for r in records.iter().take(5) {
        let kind = if r.record_type.is_empty() {
            "?"
        } else {
            &r.record_type
        };
        println!("{:>12}  {kind:<16} {}", r.size, r.description);
    }
    let total: i64 = records.iter().map(|r| r.size.max(0)).sum();
    println!("{} records, {total} bytes", records.len());
    Ok(())
}
