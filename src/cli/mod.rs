//! The `docker-rkbuild` command line (feature `cli`): the plugin binary
//! calls [`main`].

mod args;
mod builder;
mod commands;
mod complete;
mod desktop;
mod error;
mod generate;
mod output;
mod pflag;
mod plugin;
mod records;

use std::ffi::OsString;
use std::io::Write;

use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};
use error::{CliError, CliResult};

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let argv: Vec<OsString> = std::env::args_os().collect();
    // Fast path: the docker CLI asks every plugin for its metadata whenever
    // it lists commands; answer before anything else is set up.
    if argv
        .get(1)
        .is_some_and(|a| a == "docker-cli-plugin-metadata")
    {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(plugin::METADATA.trim_end().as_bytes());
        let _ = out.write_all(b"\n");
        return 0;
    }
    // Hidden requests: shell completion (cobra's protocol) and generators.
    match argv.get(1).and_then(|a| a.to_str()) {
        Some(complete::REQUEST | complete::REQUEST_NO_DESC) => return complete::main(&argv),
        Some(generate::REQUEST) => return generate::main(&argv),
        _ => {}
    }
    let under_docker = std::env::var_os("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND").is_some();
    let (globals, argv) = plugin::split_argv(argv, under_docker);
    if let Some(dir) = &globals.config {
        // docker's --config: every config read goes through DOCKER_CONFIG.
        std::env::set_var("DOCKER_CONFIG", dir);
    }
    // Read the words as buildx's flag parser does, then let clap map them.
    let mut cmd = Cli::command();
    cmd.build();
    let read = match pflag::read(&cmd, argv) {
        Ok(r) => r,
        Err(e) => return e.report(),
    };
    let parsed = cmd
        .try_get_matches_from_mut(read.argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    let mut cli = match parsed {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            // --help
            let _ = e.print();
            return 0;
        }
        Err(e) => {
            // What pflag let through and clap refuses (a value clap
            // checks, e.g. `version --format`): a flag error all the same.
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
            return pflag::ArgvError::Flag {
                message,
                command_path: read.command_path,
            }
            .report();
        }
    };
    cli.build.legacy.given = read.given.clone();
    if let Some(args::Command::Build(b)) = &mut cli.command {
        b.legacy.given = read.given.clone();
    }
    if cli.print_version {
        let _ = output::println(&format!("rkbuild v{}", env!("CARGO_PKG_VERSION")));
        return 0;
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ERROR: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let result = rt.block_on(run(cli, globals));
    // Drop every task now, so that cleanup (staging directories, temporary
    // output files) runs before exit even after a cancel; do not wait long
    // for blocking work (e.g. a credential helper).
    rt.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => 0,
        Err(e) => {
            if !e.message.is_empty() {
                eprintln!("ERROR: {e}");
            }
            e.code
        }
    }
}

async fn run(cli: Cli, globals: plugin::DockerGlobals) -> CliResult {
    let cmd = async {
        match &cli.command {
            Some(Command::Metadata) => output::println(plugin::METADATA.trim_end()),
            Some(Command::Version(a)) => {
                let b = builder::resolve(&cli.global, &globals)?;
                commands::version::run(a, &b).await
            }
            Some(Command::Du(a)) => {
                let b = builder::resolve(&cli.global, &globals)?;
                commands::du::run(a, &b).await
            }
            Some(Command::Prune(a)) => {
                let b = builder::resolve(&cli.global, &globals)?;
                commands::prune::run(a, &b).await
            }
            Some(Command::Ls(a)) => commands::ls::run(a, &cli.global, &globals).await,
            Some(Command::Create(a)) => commands::create::run(a, &cli.global, &globals).await,
            Some(Command::Rm(a)) => commands::rm::run(a, &cli.global, &globals).await,
            Some(Command::Use(a)) => commands::use_builder::run(a, &cli.global, &globals),
            Some(Command::Inspect(a)) => commands::inspect::run(a, &cli.global, &globals).await,
            Some(Command::Stop(a)) => commands::stop::run(a, &cli.global, &globals).await,
            Some(Command::InspectContext(a)) => commands::inspect_context::run(a),
            Some(Command::Build(a)) => {
                let debug = builder::debug(&cli.global, &globals);
                commands::build::run(a, debug, || builder::resolve(&cli.global, &globals)).await
            }
            None if cli.build.context.is_some() => {
                let debug = builder::debug(&cli.global, &globals);
                commands::build::run(&cli.build, debug, || {
                    builder::resolve(&cli.global, &globals)
                })
                .await
            }
            None => Err(pflag::exactly_one_argument("docker rkbuild").to_cli_error()),
        }
    };
    let plugin_eof = async {
        match plugin::watch_plugin_socket() {
            Some(f) => f.await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        r = cmd => r,
        _ = tokio::signal::ctrl_c() => Err(CliError::canceled()),
        _ = plugin_eof => Err(CliError::canceled()),
    }
}
