//! `inspect [NAME]`: one builder and its nodes, as buildx 0.13 prints
//! them.

use crate::docker::builders;
use crate::go::{tabwriter::TabWriter, time, units};

use crate::cli::args::{GlobalOpts, InspectArgs};
use crate::cli::builder::{boot, docker_cli, find};
use crate::cli::error::CliResult;
use crate::cli::output::print;
use crate::cli::plugin::DockerGlobals;

/// Runs `inspect`.
pub async fn run(args: &InspectArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    let cli = docker_cli(docker)?;
    let builder = find(&cli, args.name.as_deref(), g)?;
    if args.bootstrap {
        boot(&builder).await?;
    }
    let b = builder.load().await;
    if args.bootstrap {
        b.check_bootstrapped()?;
    }
    let mut w = TabWriter::new(0, 0, 1, ' ');
    w.line(&format!("Name:\t{}", b.group.name));
    w.line(&format!("Driver:\t{}", b.driver()));
    if let Some(la) = b.group.last_activity {
        w.line(&format!("Last Activity:\t{}", time::utc_string(la, 0)));
    }
    if let Some(e) = &b.err {
        w.line(&format!("Error:\t{e}"));
    } else {
        w.line("");
        w.line("Nodes:");
        for (idx, (n, i)) in b.nodes.iter().enumerate() {
            if idx != 0 {
                w.line("");
            }
            w.line(&format!("Name:\t{}", n.node.name));
            w.line(&format!("Endpoint:\t{}", n.node.endpoint));
            if let Some(o) = n.node.driver_opts.as_ref().filter(|o| !o.is_empty()) {
                let opts: Vec<String> = o
                    .iter()
                    .map(|(k, v)| format!("{k}={}", crate::go::strconv::quote(v.as_bytes())))
                    .collect();
                w.line(&format!("Driver Options:\t{}", opts.join(" ")));
            }
            if let Some(e) = &i.err {
                w.line(&format!("Error:\t{e}"));
                continue;
            }
            w.line(&format!(
                "Status:\t{}",
                i.status.map(|s| s.as_str()).unwrap_or("")
            ));
            if let Some(f) = n.node.flags.as_ref().filter(|f| !f.is_empty()) {
                w.line(&format!("BuildKit daemon flags:\t{}", f.join(" ")));
            }
            if !i.version.is_empty() {
                w.line(&format!("BuildKit version:\t{}", i.version));
            }
            let p = builders::format_platforms(&n.configured_platforms(), &i.platforms);
            if !p.is_empty() {
                w.line(&format!("Platforms:\t{}", p.join(", ")));
            }
            if !i.labels.is_empty() {
                w.line("Labels:");
                for (k, v) in &i.labels {
                    w.line(&format!("\t{k}:\t{v}"));
                }
            }
            for (ri, r) in i.gc_policy.iter().enumerate() {
                w.line(&format!("GC Policy rule#{ri}:"));
                w.line(&format!("\tAll:\t{}", r.all));
                if !r.filters.is_empty() {
                    w.line(&format!("\tFilters:\t{}", r.filters.join(" ")));
                }
                if r.keep_duration > 0 {
                    w.line(&format!(
                        "\tKeep Duration:\t{}",
                        time::duration_string(r.keep_duration)
                    ));
                }
                if r.keep_bytes > 0 {
                    w.line(&format!(
                        "\tKeep Bytes:\t{}",
                        units::bytes_size(r.keep_bytes as f64)
                    ));
                }
            }
        }
    }
    let mut out = w.render();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    print(&out)
}
