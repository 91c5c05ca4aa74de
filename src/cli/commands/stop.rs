//! `stop [NAME]`: stops a builder's daemons (a docker-container node's
//! container). Remote and docker nodes are not run by the builder, so
//! there is nothing to stop there (as in buildx).

use crate::cli::args::{GlobalOpts, StopArgs};
use crate::cli::builder::{docker_cli, find};
use crate::cli::error::CliResult;
use crate::cli::plugin::DockerGlobals;

/// Runs `stop`.
pub async fn run(args: &StopArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    let cli = docker_cli(docker)?;
    Ok(find(&cli, args.name.as_deref(), g)?.stop().await?)
}
