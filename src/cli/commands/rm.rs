//! `rm [NAME...]`: removes builders from buildx's store (buildx's
//! messages: `NAME removed`, `failed to remove NAME: ...` on stderr).

use std::io::Write;

use crate::builder::{Builder, Origin};

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
        let all = Builder::all_in(&cli, &txn, connect_timeout(g))?;
        for b in all.iter().filter(|b| b.origin() != Origin::Context) {
            if b.group().dynamic || !b.load().await.inactive() {
                continue;
            }
            b.remove_daemons(args.keep_state, args.keep_daemon).await?;
            txn.remove(b.name())?;
            eprintln!("{} removed", b.name());
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
            let b = Builder::find_in(&cli, &txn, Some(&name), connect_timeout(g))?;
            if b.origin() == Origin::Context {
                return Err(CliError::new(format!(
                    "context builder cannot be removed, run `docker context rm {0}` to remove this context",
                    b.name()
                )));
            }
            let r = b.remove_daemons(args.keep_state, args.keep_daemon).await;
            txn.remove(b.name())?;
            Ok(r?)
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
