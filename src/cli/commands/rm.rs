//! `rm [NAME...]`: removes builders from buildx's store (buildx's
//! messages: `NAME removed`, `failed to remove NAME: ...` on stderr).

use std::io::Write;

use crate::docker::builders;

use crate::cli::args::{GlobalOpts, RmArgs};
use crate::cli::builder::{connect_timeout, docker_cli};
use crate::cli::error::{CliError, CliResult};
use crate::cli::plugin::DockerGlobals;

const INACTIVE_WARNING: &str =
    "WARNING! This will remove all builders that are not in running state. Are you sure you want to continue?";

/// Runs `rm`.
pub async fn run(args: &RmArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    if args.all_inactive && !args.names.is_empty() {
        return Err(CliError::new(
            "cannot specify builder name when --all-inactive is set",
        ));
    }
    if args.all_inactive && !args.force && !confirm(INACTIVE_WARNING)? {
        return Ok(());
    }
    let cli = docker_cli(docker)?;
    let store = cli.store()?;
    let txn = store.txn()?;
    if args.all_inactive {
        let groups = builders::all_groups(&cli, &txn)?;
        for ng in groups.iter().filter(|ng| !ng.docker_context) {
            let b = builders::load_group(&cli, ng, connect_timeout(g)).await;
            if b.group.dynamic || !b.inactive() {
                continue;
            }
            remove_daemons(b.nodes.iter().map(|(n, _)| n), args).await?;
            txn.remove(&ng.name)?;
            eprintln!("{} removed", ng.name);
        }
        return Ok(());
    }
    let names = if args.names.is_empty() {
        vec![g.builder.clone().unwrap_or_default()]
    } else {
        args.names.clone()
    };
    let mut failed = false;
    for name in names {
        let res = async {
            let ng = if name.is_empty() {
                builders::current_group(&cli, &txn)?
            } else {
                builders::node_group(&cli, &txn, &name)?
            };
            if ng.docker_context {
                return Err(CliError::new(format!(
                    "context builder cannot be removed, run `docker context rm {0}` to remove this context",
                    ng.name
                )));
            }
            let nodes = builders::nodes(&cli, &ng, connect_timeout(g));
            let r = remove_daemons(&nodes, args).await;
            txn.remove(&ng.name)?;
            r
        }
        .await;
        match res {
            Ok(()) => eprintln!("{name} removed"),
            Err(e) => {
                eprintln!("failed to remove {name}: {}", e.message);
                failed = true;
            }
        }
    }
    if failed {
        return Err(CliError::new("failed to remove one or more builders"));
    }
    Ok(())
}

/// Stops and removes what each node's driver runs (buildx's `rm`:
/// `--keep-daemon` leaves it running, `--keep-state` keeps its volume).
async fn remove_daemons<'a>(
    nodes: impl IntoIterator<Item = &'a builders::BuilderNode>,
    args: &RmArgs,
) -> CliResult {
    for n in nodes {
        let Ok(d) = &n.driver else { continue };
        if !args.keep_daemon {
            d.stop().await?;
        }
        d.remove(args.keep_state, args.keep_daemon).await?;
    }
    Ok(())
}

/// buildx's prompt: `MESSAGE [y/N] `, yes only for `y`/`Y`.
fn confirm(msg: &str) -> CliResult<bool> {
    print!("{msg} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::new(format!("reading the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y"))
}
