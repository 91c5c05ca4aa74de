//! Builds a directory's Dockerfile through the library and prints the
//! progress as typed events.
//!
//! ```sh
//! cargo run --example build -- [CONTEXT_DIR] [BUILDER_ADDRESS]
//! # e.g. cargo run --example build -- examples/hello docker+unix:///var/run/docker.sock
//! ```
//! The address defaults to `docker+$DOCKER_HOST` (or the default docker
//! socket); the result stays in the build cache (`type=cacheonly`).

use std::collections::HashMap;

use rkbuild::solve::dockerfile::{node_identifier, BuildContext, BuildOptions};
use rkbuild::solve::export::parse_output;
use rkbuild::{Client, Result};

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let context = args.next().unwrap_or_else(|| "examples/hello".into());
    let addr = args.next().unwrap_or_else(|| {
        let host =
            std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
        format!("docker+{host}")
    });

    let client = Client::connect(&addr).await?;
    let opts = BuildOptions {
        context: Some(BuildContext::Dir(context.into())),
        outputs: vec![parse_output("type=cacheonly")?],
        moby_driver: client.target().is_docker(),
        ..Default::default()
    };
    let (solve_opts, _temp_files) =
        opts.to_solve(&node_identifier(&rkbuild::docker::config_dir()))?;

    let (tx, mut events) = tokio::sync::mpsc::channel(64);
    let build = rkbuild::solve::solve(&client, solve_opts, Some(tx));
    let show = async {
        let mut names = HashMap::new();
        while let Some(status) = events.recv().await {
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
    };
    let (result, ()) = tokio::join!(build, show);
    let response = result?;
    println!("build {} finished", response.reference);
    Ok(())
}
