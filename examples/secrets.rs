//! A session service of your own: a secret store that the build reads
//! with `RUN --mount=type=secret`. Here the store answers from a closure
//! (it could ask a vault or a keyring); the build fails unless the secret
//! arrives intact, and the secret is in neither the image nor the
//! progress.
//!
//! ```sh
//! cargo run --example secrets -- [BASE_IMAGE]
//! # BASE_IMAGE defaults to local/busybox:latest (any image with a shell)
//! ```

use rkbuild::session::secrets::{SecretSource, SecretsService};
use rkbuild::solve::export::parse_output;
use rkbuild::{BuildOptions, BuildSession, Client, DockerfileSource, Result};

/// A secret source that computes its answers.
struct Greeter;

impl SecretSource for Greeter {
    fn get(&self, id: &str) -> std::io::Result<Option<Vec<u8>>> {
        Ok((id == "greeting").then(|| b"hello from rkbuild".to_vec()))
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "local/busybox:latest".into());
    let dockerfile = format!(
        "FROM {base}\n\
         RUN --mount=type=secret,id=greeting,required=true \\\n\
         \x20   test \"$(cat /run/secrets/greeting)\" = \"hello from rkbuild\" && echo secret ok\n"
    );
    let context = tempfile::tempdir().map_err(|e| rkbuild::Error::Other(e.to_string()))?;
    let client = Client::from_docker_env().await?;
    let session = BuildSession::from_env().attach(SecretsService::new(Greeter).attachable());
    let opts = BuildOptions {
        dockerfile: DockerfileSource::Contents(dockerfile.into_bytes()),
        outputs: vec![parse_output("type=cacheonly")?],
        no_cache: true,
        ..BuildOptions::dir(context.path())
    };
    let mut build = client.build_with(opts, session)?;
    while let Some(status) = build.next().await {
        for log in status.logs {
            print!("{}", String::from_utf8_lossy(&log.data));
        }
    }
    build.await?;
    println!("the build read the secret from Greeter");
    Ok(())
}
