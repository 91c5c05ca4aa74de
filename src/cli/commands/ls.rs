//! `ls`: the builder in use, as buildx 0.13's table shows it.

use rkbuild::internal::go::tabwriter::TabWriter;

use crate::cli::args::LsArgs;
use crate::cli::builder::Builder;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::print;

/// Runs `ls`: the docker context's builder, buildx's table.
pub async fn run(args: &LsArgs, builder: &Builder) -> CliResult {
    if args.format != "table" {
        return Err(
            CliError::new(format!("unsupported --format {:?}", args.format))
                .hint("only \"table\" is supported"),
        );
    }
    let (status, version, platforms, err) = match builder.connect().await {
        Ok(c) => match tokio::try_join!(c.info(), c.workers()) {
            Ok((v, w)) => {
                let mut p: Vec<String> = Vec::new();
                for x in w.into_iter().flat_map(|w| w.platforms) {
                    if !p.contains(&x) {
                        p.push(x);
                    }
                }
                ("running", v.version, p.join(", "), None)
            }
            Err(e) => ("error", String::new(), String::new(), Some(e.to_string())),
        },
        Err(e) => ("error", String::new(), String::new(), Some(e.to_string())),
    };
    let driver = builder.driver.name();
    // buildx names the docker driver's node by its docker context.
    let node = match builder.driver.docker_api() {
        Some(_) => builder.name.clone(),
        None => builder.driver.address(),
    };
    let mut t = TabWriter::docker_table();
    t.line("NAME/NODE\tDRIVER/ENDPOINT\tSTATUS\tBUILDKIT\tPLATFORMS");
    t.line(&format!("{}*\t{driver}\t\t\t", builder.name));
    t.line(&format!(
        " \\_ {}\t \\_ {node}\t{status}\t{version}\t{platforms}",
        builder.name
    ));
    let mut out = t.render();
    if let Some(e) = err {
        out.push_str(&format!("\nCannot load builder {}: {e}\n", builder.name));
    }
    print(&out)
}
