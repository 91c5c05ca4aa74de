//! `stop [NAME]`: stops a builder's daemons (a docker-container node's
//! container). Remote and docker nodes are not run by the builder, so
//! there is nothing to stop there (as in buildx).

use rkbuild::docker::builders;

use crate::cli::args::{GlobalOpts, StopArgs};
use crate::cli::builder::{connect_timeout, docker_cli};
use crate::cli::error::{CliError, CliResult};
use crate::cli::plugin::DockerGlobals;

/// Runs `stop`.
pub async fn run(args: &StopArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    let cli = docker_cli(docker)?;
    let store = cli.store()?;
    let ng = {
        let txn = store.txn()?;
        match args
            .name
            .as_deref()
            .or(g.builder.as_deref())
            .filter(|n| !n.is_empty())
        {
            Some(n) => builders::node_group(&cli, &txn, n)?,
            None => builders::current_group(&cli, &txn)?,
        }
    };
    for n in builders::nodes(&cli, &ng, connect_timeout(g)) {
        match &n.driver {
            Ok(d) => d.stop().await?,
            Err(e) => return Err(CliError::new(e.clone())),
        }
    }
    Ok(())
}
