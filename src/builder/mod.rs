//! Builders as buildx has them (buildx 0.13's `builder` package): a
//! builder of its store, a docker context's own, or a BuildKit address,
//! with its nodes and the driver that reaches each.
//!
//! - this file: [`Builder`] and where it comes from ([`Builder::resolve`]
//!   for builds, [`Builder::find`] for the commands that manage builders);
//! - `boot.rs`: starting the nodes whose daemon the driver runs
//!   ([`Builder::boot`]) and the check after a bootstrap;
//! - `build.rs`: builds of one or more targets on the builder's nodes
//!   ([`Builder::prepare`], [`BuildPlan`]);
//! - [`create`]: `docker buildx create` as a library call.
//!
//! ```no_run
//! # async fn f() -> rkbuild::Result<()> {
//! use rkbuild::builder::Builder;
//! use rkbuild::docker::builders::DockerCli;
//!
//! let cli = DockerCli::from_env()?;
//! let builder = Builder::find(&cli, Some("mybuilder"), std::time::Duration::from_secs(8))?;
//! for (node, info) in builder.load().await.nodes {
//!     println!("{} {:?} {}", node.node.name, info.status, info.version);
//! }
//! # Ok(()) }
//! ```

mod boot;
mod build;
pub mod create;

use std::sync::Arc;
use std::time::Duration;

pub use build::{BuildPlan, NodeShare, TargetNodes, TargetResult};

use crate::client::{driver, Client, ConnectOptions, Driver, Endpoint};
use crate::docker::builders::{self, BuilderNode, DockerCli, Loaded};
use crate::docker::store::{Node, NodeGroup, Txn};
use crate::error::{BuilderError, Error, NodeError, NodeStage, Result};

/// Where a builder comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// A BuildKit address (`--addr`, `BUILDKIT_HOST`): one node.
    Address,
    /// A docker context's own builder (its daemon's BuildKit).
    Context,
    /// A builder of buildx's store (`create`).
    Store,
}

/// A resolved builder: its name, its nodes with their drivers, and the
/// docker daemon `--load` loads into.
#[derive(Debug, Clone)]
pub struct Builder {
    group: NodeGroup,
    nodes: Vec<BuilderNode>,
    origin: Origin,
    docker_api: Option<Endpoint>,
    cli: Option<DockerCli>,
}

impl Builder {
    /// The builder at BuildKit address `addr` (`--addr`): one node named
    /// after the address. `cli`, when given, names the docker daemon
    /// `--load` loads into (the current context's).
    pub fn for_address(
        addr: &str,
        opts: ConnectOptions,
        cli: Option<DockerCli>,
    ) -> Result<Builder> {
        let docker_api = cli
            .as_ref()
            .and_then(|c| c.current().ok())
            .and_then(|h| h.endpoint().ok());
        let driver = driver::for_address(addr)?;
        let node = Node {
            name: addr.to_string(),
            endpoint: addr.to_string(),
            ..Default::default()
        };
        Ok(Builder {
            group: NodeGroup {
                name: addr.to_string(),
                driver: driver.name().to_string(),
                nodes: vec![node.clone()],
                dynamic: false,
                docker_context: false,
                last_activity: None,
            },
            nodes: vec![BuilderNode {
                node,
                driver: Ok(driver),
                opts,
            }],
            origin: Origin::Address,
            docker_api,
            cli,
        })
    }

    /// The builder a build uses, as buildx picks it: builder `name`
    /// (`--builder`, `BUILDX_BUILDER`), else the one `use` selected for
    /// the current docker endpoint, else the current docker context's
    /// (without making buildx's directory when there is none yet). A
    /// context's builder is only used from that context; the first node
    /// must have a driver. `timeout` bounds each connection.
    pub fn resolve(cli: &DockerCli, name: Option<&str>, timeout: Duration) -> Result<Builder> {
        let current = cli.current()?;
        let docker_api = current.endpoint().ok();
        let name = name.filter(|b| !b.is_empty());
        let ng = if name.is_none() && !cli.buildx_dir().join("instances").is_dir() {
            builders::context_builder(&current.context)
        } else {
            let store = cli.store()?;
            let txn = store.txn()?;
            group(cli, &txn, name)?
        };
        builders::validate(cli, &ng)?;
        let b = Builder::with_daemon(cli, ng, timeout, docker_api);
        b.driver()?;
        Ok(b)
    }

    /// Builder `name`, else the current one, from buildx's store or the
    /// docker contexts (buildx's `GetBuilder`, for `inspect`, `stop`, ...).
    pub fn find(cli: &DockerCli, name: Option<&str>, timeout: Duration) -> Result<Builder> {
        let store = cli.store()?;
        let txn = store.txn()?;
        Builder::find_in(cli, &txn, name, timeout)
    }

    /// [`Builder::find`] in an open store transaction.
    pub fn find_in(
        cli: &DockerCli,
        txn: &Txn<'_>,
        name: Option<&str>,
        timeout: Duration,
    ) -> Result<Builder> {
        let ng = group(cli, txn, name.filter(|n| !n.is_empty()))?;
        Ok(Builder::from_group(cli, ng, timeout))
    }

    /// Every builder: the stored ones by name, then each docker context's
    /// unless a stored one has its name (buildx's `GetBuilders`).
    pub fn all_in(cli: &DockerCli, txn: &Txn<'_>, timeout: Duration) -> Result<Vec<Builder>> {
        let docker_api = current_daemon(cli);
        Ok(builders::all_groups(cli, txn)?
            .into_iter()
            .map(|ng| Builder::with_daemon(cli, ng, timeout, docker_api.clone()))
            .collect())
    }

    /// The builder of node group `ng`, each node with its driver.
    pub fn from_group(cli: &DockerCli, ng: NodeGroup, timeout: Duration) -> Builder {
        Builder::with_daemon(cli, ng, timeout, current_daemon(cli))
    }

    fn with_daemon(
        cli: &DockerCli,
        ng: NodeGroup,
        timeout: Duration,
        docker_api: Option<Endpoint>,
    ) -> Builder {
        let nodes = builders::nodes(cli, &ng, timeout);
        Builder {
            origin: if ng.docker_context {
                Origin::Context
            } else {
                Origin::Store
            },
            group: ng,
            nodes,
            docker_api,
            cli: Some(cli.clone()),
        }
    }

    /// The builder's name (the address for [`Origin::Address`]).
    pub fn name(&self) -> &str {
        &self.group.name
    }

    /// Where the builder comes from.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The builder as stored (as made up for a context or an address).
    pub fn group(&self) -> &NodeGroup {
        &self.group
    }

    /// The nodes, in the builder's order, with their drivers.
    pub fn nodes(&self) -> &[BuilderNode] {
        &self.nodes
    }

    /// The first node's driver (what `version`, `du` and the build's
    /// options go by).
    pub fn driver(&self) -> Result<&Arc<dyn Driver>> {
        let n = self
            .nodes
            .first()
            .ok_or_else(|| BuilderError::NoNodes(self.group.name.clone()))?;
        n.driver
            .as_ref()
            .map_err(|e| self.node_error(0, NodeStage::Connect, Error::Config(e.clone())))
    }

    /// The docker daemon of the current docker context, when one is
    /// configured: where `--load` loads on a builder that does not share
    /// its image store.
    pub fn docker_api(&self) -> Option<&Endpoint> {
        self.docker_api.as_ref()
    }

    /// Connects to the first node.
    pub async fn connect(&self) -> Result<Client> {
        let n = self
            .nodes
            .first()
            .ok_or_else(|| BuilderError::NoNodes(self.group.name.clone()))?;
        n.connect().await
    }

    /// Connects to node `idx`; a stored builder's node names itself in
    /// the error.
    async fn connect_node(&self, idx: usize) -> Result<Client> {
        let n = self
            .nodes
            .get(idx)
            .ok_or_else(|| BuilderError::NoNodes(self.group.name.clone()))?;
        n.connect().await.map_err(|e| match self.origin {
            Origin::Store => self.node_error(idx, NodeStage::Connect, e),
            _ => e,
        })
    }

    /// Asks every node for its state, workers and version (buildx's
    /// `LoadNodes` with data), each within buildx's 20 s.
    pub async fn load(&self) -> Loaded {
        builders::load_nodes(self.cli.as_ref(), &self.group, self.nodes.clone()).await
    }

    /// Records that the builder was used (buildx's `updateLastActivity`;
    /// nothing for a builder that is not stored).
    pub(crate) fn touch(&self) {
        if self.origin != Origin::Store {
            return;
        }
        if let Some(cli) = &self.cli {
            if let Ok(store) = cli.store() {
                if let Ok(txn) = store.txn() {
                    let _ = txn.touch(&self.group.name);
                }
            }
        }
    }

    /// Stops the daemons the nodes' drivers run (a docker-container
    /// node's container); a node without a driver is an error.
    pub async fn stop(&self) -> Result<()> {
        for n in &self.nodes {
            match &n.driver {
                Ok(d) => d.stop().await?,
                Err(e) => return Err(Error::Config(e.clone())),
            }
        }
        Ok(())
    }

    /// Stops and removes what each node's driver runs (buildx's `rm`:
    /// `keep_daemon` leaves it running, `keep_state` keeps its volume).
    pub async fn remove_daemons(&self, keep_state: bool, keep_daemon: bool) -> Result<()> {
        for n in &self.nodes {
            let Ok(d) = &n.driver else { continue };
            if !keep_daemon {
                d.stop().await?;
            }
            d.remove(keep_state, keep_daemon).await?;
        }
        Ok(())
    }

    /// buildx's node identity (the session's shared key is made of it).
    fn node_id(&self) -> String {
        let dir = match &self.cli {
            Some(c) => c.buildx_dir(),
            None => crate::docker::buildx::dir_from_env(&crate::docker::config_dir()),
        };
        crate::docker::node_identifier(&dir)
    }

    /// `source` naming node `idx` of this builder.
    fn node_error(&self, idx: usize, stage: NodeStage, source: Error) -> Error {
        let (node, endpoint) = match self.nodes.get(idx) {
            Some(n) => (n.node.name.clone(), n.node.endpoint.clone()),
            None => (String::new(), String::new()),
        };
        NodeError {
            builder: self.group.name.clone(),
            node,
            endpoint,
            stage,
            source,
        }
        .into()
    }
}

/// The current docker context's daemon, when it has one.
fn current_daemon(cli: &DockerCli) -> Option<Endpoint> {
    cli.current().ok().and_then(|h| h.endpoint().ok())
}

/// Stored builder or docker context `name`, else the current builder.
fn group(cli: &DockerCli, txn: &Txn<'_>, name: Option<&str>) -> Result<NodeGroup> {
    match name {
        Some(n) => builders::node_group(cli, txn, n),
        None => builders::current_group(cli, txn),
    }
}
