//! `stop [NAME]`: stops a builder's daemons (a docker-container node's
//! container). Remote and docker nodes are not run by the builder, so
//! there is nothing to stop there (as in buildx).

use crate::docker::builders;

use crate::cli::args::{GlobalOpts, StopArgs};
use crate::cli::builder::{connect_timeout, docker_cli};
use crate::cli::error::{CliError, CliResult};
use crate::cli::plugin::DockerGlobals;

/// Runs `stop`.
pub async fn run(args: &StopArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    let cli = docker_cli(docker)?;
    let ng = crate::cli::builder::group(&cli, args.name.as_deref(), g)?;
    for n in builders::nodes(&cli, &ng, connect_timeout(g)) {
        match &n.driver {
            Ok(d) => d.stop().await?,
            Err(e) => return Err(CliError::new(e.clone())),
        }
    }
    Ok(())
}
