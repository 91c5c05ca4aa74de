//! `use NAME`: selects the builder for the current docker endpoint, in
//! buildx's store (so `docker buildx` uses it too).

use crate::cli::args::{GlobalOpts, UseArgs};
use crate::cli::builder::docker_cli;
use crate::cli::error::{CliError, CliResult};
use crate::cli::plugin::DockerGlobals;

/// Runs `use`.
pub fn run(args: &UseArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    let cli = docker_cli(docker)?;
    let name = args
        .name
        .clone()
        .or_else(|| g.builder.clone())
        .unwrap_or_default();
    let store = cli.store()?;
    let txn = store.txn()?;
    let ep = cli.current_endpoint()?;
    match txn.by_name(&name) {
        Ok(Some(_)) => {
            txn.set_current(&ep, &name.to_ascii_lowercase(), args.global, args.default)?;
            return Ok(());
        }
        Ok(None) => {}
        Err(e) => {
            return Err(CliError::new(format!(
                "failed to find instance {name:?}: {e}"
            )))
        }
    }
    let current = cli.current()?.context;
    if name == "default" && current != "default" {
        return Err(CliError::new(
            "run `docker context use default` to switch to default context",
        ));
    }
    if name == "default" || name == current {
        txn.set_current(&ep, "", false, false)?;
        return Ok(());
    }
    if cli.contexts().contains(&name) {
        return Err(CliError::new(format!(
            "run `docker context use {name}` to switch to context {name}"
        )));
    }
    Err(CliError::new(format!(
        "failed to find instance {name:?}: open {}: no such file or directory",
        cli.buildx_dir().join("instances").join(&name).display()
    ))
    .hint("list builders with `docker rkbuild ls`"))
}
