//! `create [ENDPOINT]`: makes or changes a builder in buildx's store
//! ([`crate::builder::create`], buildx 0.13's `builder.Create`), so that
//! `docker buildx` sees it.

use crate::builder::create::{self, CreateOptions};

use crate::cli::args::{CreateArgs, GlobalOpts};
use crate::cli::builder::{bootstrap, connect_timeout, docker_cli};
use crate::cli::error::CliResult;
use crate::cli::output::println;
use crate::cli::plugin::DockerGlobals;

/// Runs `create`.
pub async fn run(args: &CreateArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    let cli = docker_cli(docker)?;
    let store = cli.store()?;
    let txn = store.txn()?;
    let name = args.name.clone().unwrap_or_default();
    let node = args.node.clone().unwrap_or_default();
    if args.leave {
        return Ok(create::leave(&txn, &name, &node)?);
    }
    let opts = CreateOptions {
        name,
        driver: args.driver.clone().unwrap_or_default(),
        node,
        endpoint: args.endpoint.clone(),
        platforms: args.platform.clone(),
        driver_opts: args.driver_opt.clone(),
        buildkitd_flags: args.buildkitd_flags.clone().unwrap_or_default(),
        buildkitd_config: (args.buildkitd_config.clone())
            .or_else(|| args.config.clone())
            .map(Into::into),
        append: args.append,
        use_builder: args.use_,
        buildkit_host: std::env::var("BUILDKIT_HOST").unwrap_or_default(),
        timeout: connect_timeout(g),
    };
    let plan = create::plan(&cli, &txn, &opts)?;
    if plan.restart_needed() {
        eprintln!("WARNING: new settings may not be used until builder is restarted");
    }
    let builder = plan.save(&cli, &txn)?;
    drop(txn);
    if args.bootstrap {
        bootstrap(&builder).await?;
    }
    println(builder.name())
}
