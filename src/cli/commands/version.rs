//! `docker rkbuild version`: client, daemon and BuildKit versions, workers.

use crate::client::transport::engine as dockerapi;

use crate::builder::Builder;
use crate::cli::args::{Format, VersionArgs};
use crate::cli::error::CliResult;
use crate::cli::output::{print, println};

/// Runs `version`.
pub async fn run(args: &VersionArgs, builder: &Builder) -> CliResult {
    let client = builder.connect().await?;
    let driver = builder.driver()?;
    let daemon = match driver.docker_api() {
        Some(ep) => dockerapi::version(ep).await.ok(),
        None => None,
    };
    let (bk, workers) = tokio::try_join!(client.buildkit_version(), client.workers())?;
    match args.format {
        Format::Json => {
            let v = serde_json::json!({
                "client": {"name": "rkbuild", "version": format!("v{}", env!("CARGO_PKG_VERSION"))},
                "builder": {"name": builder.name(), "endpoint": driver.address()},
                "docker": daemon.as_ref().map(|d| serde_json::json!({
                    "version": d.version, "apiVersion": d.api_version, "os": d.os, "arch": d.arch})),
                "buildkit": bk,
                "workers": workers,
            });
            println(&serde_json::to_string_pretty(&v).unwrap_or_default())?;
        }
        Format::Text => {
            let mut out = String::new();
            out.push_str(&format!(
                "Client:    rkbuild v{}\n",
                env!("CARGO_PKG_VERSION")
            ));
            out.push_str(&format!(
                "Builder:   {} ({})\n",
                builder.name(),
                driver.address()
            ));
            if let Some(d) = &daemon {
                out.push_str(&format!(
                    "Docker:    {} (API {})\n",
                    d.version, d.api_version
                ));
            }
            let pkg = if bk.package.is_empty() {
                String::new()
            } else {
                format!(" {}", bk.package)
            };
            out.push_str(&format!("BuildKit:  {}{}\n", bk.version, pkg));
            out.push_str(&format!("Workers:   {}\n", workers.len()));
            for w in &workers {
                out.push_str(&format!(
                    "  {}\n    Platforms: {}\n",
                    w.id,
                    w.platforms.join(", ")
                ));
            }
            print(&out)?;
        }
    }
    Ok(())
}
