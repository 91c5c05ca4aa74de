//! Which builder a command talks to: `--addr`/`BUILDKIT_HOST`, else
//! buildx's builder (`--builder`, `BUILDX_BUILDER`, the one `use`
//! selected, the docker context's own) from buildx's store.

use std::sync::Arc;
use std::time::Duration;

use crate::client::driver;
use crate::docker::builders::{self, BuilderNode, DockerCli};
use crate::docker::store::NodeGroup;
use crate::docker::ConfigFile;
use crate::{Client, ConnectOptions, Driver, TlsOptions};

use super::args::GlobalOpts;
use super::error::{CliError, CliResult};
use super::plugin::DockerGlobals;

/// A resolved builder.
#[derive(Debug, Clone)]
pub struct Builder {
    /// Builder name as buildx would show it.
    pub name: String,
    /// How its first node is reached.
    pub driver: Arc<dyn Driver>,
    /// How to connect to the first node.
    pub opts: ConnectOptions,
    /// Every node (one for `--addr`), with its driver.
    pub nodes: Vec<BuilderNode>,
    /// The stored builder, when it came from buildx's store (its activity
    /// is recorded after a build).
    pub group: Option<NodeGroup>,
    /// docker's `--debug` or the plugin's `-D`.
    pub debug: bool,
    /// The docker daemon of the current docker context (where `--load`
    /// loads images), when one is configured.
    pub docker_api: Option<crate::client::Endpoint>,
    /// What the docker CLI was told (for the store).
    pub docker: Option<DockerCli>,
}

/// The docker CLI's view from the plugin's globals.
pub fn docker_cli(docker: &DockerGlobals) -> CliResult<DockerCli> {
    let dir = crate::docker::config_dir();
    Ok(DockerCli {
        config: ConfigFile::load_from(&dir)?,
        config_dir: dir,
        host_flag: docker.host.clone(),
        context_flag: docker.context.clone(),
        tls: docker.tls.clone(),
    })
}

/// Builder `name` (`--builder` when `None`), else the current one, from
/// buildx's store or the docker contexts (`inspect`, `stop`).
pub fn group(
    cli: &DockerCli,
    name: Option<&str>,
    g: &GlobalOpts,
) -> CliResult<crate::docker::store::NodeGroup> {
    let store = cli.store()?;
    let txn = store.txn()?;
    Ok(
        match name.or(g.builder.as_deref()).filter(|n| !n.is_empty()) {
            Some(n) => builders::node_group(cli, &txn, n)?,
            None => builders::current_group(cli, &txn)?,
        },
    )
}

/// The connect limit of `--connect-timeout`.
pub fn connect_timeout(g: &GlobalOpts) -> Duration {
    Duration::from_secs(g.connect_timeout.max(1))
}

impl Builder {
    /// Resolves the builder from flags, environment and docker config.
    pub fn resolve(g: &GlobalOpts, docker: &DockerGlobals) -> CliResult<Builder> {
        let tls = if g.tlscacert.is_some() || g.tlscert.is_some() || g.tlskey.is_some() {
            Some(TlsOptions {
                ca_cert: g.tlscacert.clone(),
                cert: g.tlscert.clone(),
                key: g.tlskey.clone(),
                server_name: g.tlsservername.clone(),
            })
        } else {
            None
        };
        let timeout = connect_timeout(g);
        let opts = ConnectOptions { timeout, tls };
        let debug = g.debug || docker.debug;
        if let Some(addr) = g.addr.as_deref().filter(|a| !a.is_empty()) {
            let cli = docker_cli(docker).ok();
            let docker_api = cli
                .as_ref()
                .and_then(|c| c.current().ok())
                .and_then(|h| h.endpoint().ok());
            let driver = driver::for_address(addr)?;
            let node = BuilderNode {
                node: crate::docker::store::Node {
                    name: addr.to_string(),
                    endpoint: addr.to_string(),
                    ..Default::default()
                },
                driver: Ok(driver.clone()),
                opts: opts.clone(),
            };
            return Ok(Builder {
                name: addr.to_string(),
                driver,
                opts,
                nodes: vec![node],
                group: None,
                debug,
                docker_api,
                docker: cli,
            });
        }
        let cli = docker_cli(docker)?;
        let current = cli.current()?;
        let docker_api = current.endpoint().ok();
        let named = g.builder.as_deref().filter(|b| !b.is_empty());
        // No store yet and no builder named: the docker context's own
        // builder, without making buildx's directory.
        let ng = if named.is_none() && !cli.buildx_dir().join("instances").is_dir() {
            builders::context_builder(&current.context)
        } else {
            let store = cli.store()?;
            let txn = store.txn()?;
            match named {
                Some(b) => builders::node_group(&cli, &txn, b)?,
                None => builders::current_group(&cli, &txn)?,
            }
        };
        builders::validate(&cli, &ng)?;
        let nodes = builders::nodes(&cli, &ng, timeout);
        let first = nodes.first().ok_or_else(|| {
            CliError::new(format!("builder {} has no nodes", ng.name)).hint(format!(
                "add one with `docker rkbuild create --append --name {} ENDPOINT`",
                ng.name
            ))
        })?;
        let driver = first.driver.clone().map_err(|e| {
            CliError::new(format!(
                "builder {} node {} ({}): {e}",
                ng.name, first.node.name, first.node.endpoint
            ))
        })?;
        Ok(Builder {
            name: ng.name.clone(),
            opts: first.opts.clone(),
            driver,
            nodes,
            group: (!ng.docker_context).then_some(ng),
            debug,
            docker_api,
            docker: Some(cli),
        })
    }

    /// Connects to the first node.
    pub async fn connect(&self) -> CliResult<Client> {
        Ok(Client::connect_driver(self.driver.clone(), self.opts.clone()).await?)
    }

    /// Records that the builder was used (buildx's `updateLastActivity`;
    /// nothing for a docker context's builder).
    pub fn touch(&self) {
        if let (Some(ng), Some(cli)) = (&self.group, &self.docker) {
            if let Ok(store) = cli.store() {
                if let Ok(txn) = store.txn() {
                    let _ = txn.touch(&ng.name);
                }
            }
        }
    }
}

/// The nodes whose driver runs the daemon (docker-container) and finds
/// it stopped or missing.
pub async fn needing_boot<'a>(
    nodes: impl IntoIterator<Item = &'a BuilderNode>,
) -> Vec<&'a BuilderNode> {
    use crate::client::driver::Status;
    let mut out = Vec::new();
    for n in nodes {
        if let Ok(d) = &n.driver {
            if matches!(d.status().await, Ok(Some(s)) if s != Status::Running) {
                out.push(n);
            }
        }
    }
    out
}

/// Boots `nodes` of builder `builder` one after the other, reporting on
/// `tx` (`[internal] booting buildkit`); the first failure names builder,
/// node and endpoint.
pub async fn boot(
    builder: &str,
    nodes: &[&BuilderNode],
    tx: &tokio::sync::mpsc::Sender<crate::progress::event::SolveStatus>,
) -> CliResult {
    for n in nodes {
        if let Ok(d) = &n.driver {
            d.boot(Some(tx.clone())).await.map_err(|e| {
                CliError::new(format!(
                    "builder {builder} node {} ({}): failed to boot: {e}",
                    n.node.name, n.node.endpoint
                ))
            })?;
        }
    }
    Ok(())
}

/// After a bootstrap, every node of `b` must run: a node that could not
/// be asked, or does not answer, is buildx's `failed to bootstrap`.
pub fn check_bootstrapped(b: &builders::Loaded) -> CliResult {
    for (n, i) in &b.nodes {
        if let Some(e) = &i.err {
            return Err(CliError::new(format!(
                "failed to bootstrap {} ({}): {e}",
                b.group.name, n.node.name
            )));
        }
        if i.status != Some(builders::Status::Running) {
            return Err(CliError::new(format!(
                "failed to bootstrap {} ({}): {} does not answer",
                b.group.name, n.node.name, n.node.endpoint
            ))
            .hint("start the BuildKit daemon there, or fix the endpoint with `docker rkbuild create --node`"));
        }
    }
    Ok(())
}

/// Boots the nodes of a builder that are not running (buildx's
/// `Builder.Boot`, its progress on stderr in auto mode). Returns whether
/// any node was booted.
pub async fn boot_nodes(builder: &str, nodes: &[BuilderNode]) -> CliResult<bool> {
    use crate::progress::{DisplayEnv, Printer, PrinterOptions, ProgressMode};
    let to_boot = needing_boot(nodes).await;
    if to_boot.is_empty() {
        return Ok(false);
    }
    let mode = ProgressMode::resolve("auto", false, None)?;
    let popts = PrinterOptions {
        env: DisplayEnv::from_env(),
        ..PrinterOptions::default()
    };
    let (tx, p) = Printer::stderr(mode, popts)?.spawn();
    let r = boot(builder, &to_boot, &tx).await;
    drop(tx);
    let _ = p.await;
    r.map(|()| true)
}
