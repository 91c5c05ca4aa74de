//! Builds a directory's Dockerfile through the library and prints the
//! progress as typed events.
//!
//! ```sh
//! cargo run --example build -- [CONTEXT_DIR]
//! # e.g. cargo run --example build -- examples/hello
//! ```
//! The builder is the one `docker rkbuild` would pick (`BUILDKIT_HOST`,
//! else the docker daemon of `DOCKER_HOST` or the current context); the
//! result stays in the build cache (`type=cacheonly`).

use std::collections::HashMap;

use rkbuild::solve::export::parse_output;
use rkbuild::{BuildOptions, Client, Result};

#[tokio::main]
async fn main() -> Result<()> {
    let context = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/hello".into());
    let client = Client::from_docker_env().await?;
    let mut build = client.build(BuildOptions {
        outputs: vec![parse_output("type=cacheonly")?],
        ..BuildOptions::dir(context)
    })?;
    let mut names = HashMap::new();
    while let Some(status) = build.next().await {
        for v in status.vertexes {
            if v.completed.is_some() {
                let how = if v.cached { "cached" } else { "done" };
                println!("{how:>6}  {}", v.name);
            }
            names.insert(v.digest, v.name);
        }
        for log in status.logs {
            let step = names.get(&log.vertex).map(String::as_str).unwrap_or("?");
            print!("   log  {step}: {}", String::from_utf8_lossy(&log.data));
        }
    }
    let result = build.await?;
    println!("build {} finished", result.reference);
    Ok(())
}
