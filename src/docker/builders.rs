//! Builders as buildx finds them: the instances of its store
//! ([`super::store`]) and the implicit builder of each docker context,
//! each node with the [`Driver`] that reaches it (buildx 0.13's `builder`
//! and `store/storeutil` packages).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::config::ConfigFile;
use super::context::{self, DockerHost};
use super::store::{NodeGroup, Store, StorePlatform, Txn};
use crate::client::driver::docker_container::{ContainerOptions, DockerContainerDriver};
use crate::client::driver::{
    buildkit_scheme, docker::DockerDriver, remote::RemoteDriver, Driver, DriverKind,
};
use crate::client::{Client, ConnectOptions, Target, TlsOptions, WorkerInfo};
use crate::error::{Error, Result};

/// What the docker CLI was told: its config directory and file, `-H` and
/// `--context`. Builders are resolved against it.
#[derive(Debug, Clone)]
pub struct DockerCli {
    /// The docker config directory (`DOCKER_CONFIG` or `~/.docker`).
    pub config_dir: PathBuf,
    /// Its `config.json`.
    pub config: ConfigFile,
    /// docker's `-H/--host`.
    pub host_flag: Option<String>,
    /// docker's `--context`.
    pub context_flag: Option<String>,
    /// docker's `--tls`, `--tlsverify`, `--tlscacert`, `--tlscert`,
    /// `--tlskey`.
    pub tls: super::context::TlsFlags,
}

impl DockerCli {
    /// What the docker CLI sees without flags: the config directory of
    /// `DOCKER_CONFIG` (else `~/.docker`) and its `config.json`.
    pub fn from_env() -> Result<DockerCli> {
        let dir = super::config_dir();
        Ok(DockerCli {
            config: ConfigFile::load_from(&dir)?,
            config_dir: dir,
            host_flag: None,
            context_flag: None,
            tls: Default::default(),
        })
    }

    /// The current docker context and its daemon.
    pub fn current(&self) -> Result<DockerHost> {
        context::resolve_docker_host_tls(
            self.host_flag.as_deref(),
            self.context_flag.as_deref(),
            &self.tls,
            &self.config_dir,
            &self.config,
        )
    }

    /// buildx's `GetCurrentEndpoint`: the key under which the store
    /// remembers the selected builder (the context's name, or the docker
    /// host for the default context).
    pub fn current_endpoint(&self) -> Result<String> {
        let cur = self.current()?;
        Ok(if cur.context == "default" {
            cur.host
        } else {
            cur.context
        })
    }

    /// The docker contexts: `default` and the stored ones, by name.
    pub fn contexts(&self) -> Vec<String> {
        let mut names = context::list_contexts(&self.config_dir);
        if !names.iter().any(|n| n == "default") {
            names.push("default".into());
        }
        names.sort();
        names
    }

    /// The daemon a node endpoint names when it is a docker context (the
    /// default context: with docker's flags and environment) or the
    /// current context's own host (with its TLS); `None` for any other
    /// docker host (buildx's `NewClientAPI`).
    fn named_daemon(&self, endpoint: &str) -> Result<Option<DockerHost>> {
        if self.contexts().iter().any(|c| c == endpoint) {
            return Ok(Some(if endpoint == "default" {
                context::resolve_docker_host_tls(
                    self.host_flag.as_deref(),
                    Some("default"),
                    &self.tls,
                    &self.config_dir,
                    &self.config,
                )?
            } else {
                context::context_endpoint(&self.config_dir, endpoint)?
            }));
        }
        let cur = self.current()?;
        Ok((cur.host == endpoint).then_some(cur))
    }

    /// The docker host a node endpoint names: a context's daemon, or the
    /// endpoint itself.
    pub fn docker_host_of(&self, endpoint: &str) -> Result<String> {
        Ok(self
            .named_daemon(endpoint)?
            .map(|h| h.host)
            .unwrap_or_else(|| endpoint.to_string()))
    }

    /// The docker daemon a node endpoint names, with its TLS: a context's,
    /// or the endpoint itself as a docker host.
    pub fn docker_endpoint_of(&self, endpoint: &str) -> Result<crate::client::Endpoint> {
        match self.named_daemon(endpoint)? {
            Some(h) => h.endpoint(),
            None => Ok(Target::docker_host(endpoint)?.endpoint().clone()),
        }
    }

    /// buildx's directory (`$BUILDX_CONFIG` or `<config dir>/buildx`).
    pub fn buildx_dir(&self) -> PathBuf {
        super::buildx::dir_from_env(&self.config_dir)
    }

    /// The builder store, opened.
    pub fn store(&self) -> Result<Store> {
        Store::open(&self.buildx_dir())
    }
}

/// buildx's `GetNodeGroup`: stored builder `name`, else the docker context
/// of that name; else `no builder "NAME" found`.
pub fn node_group(cli: &DockerCli, txn: &Txn<'_>, name: &str) -> Result<NodeGroup> {
    match txn.by_name(name) {
        Ok(Some(ng)) => return Ok(ng),
        Ok(None) | Err(Error::InvalidName(_)) => {}
        Err(e) => return Err(e),
    }
    if cli.contexts().iter().any(|c| c == name) {
        return Ok(context_group(txn, name));
    }
    Err(Error::NoBuilder {
        name: name.to_string(),
    })
}

/// The implicit builder of docker context `name`, without the store
/// (so without its last activity).
pub fn context_builder(name: &str) -> NodeGroup {
    NodeGroup {
        name: name.to_string(),
        driver: String::new(),
        nodes: vec![super::store::Node {
            name: name.to_string(),
            endpoint: name.to_string(),
            ..Default::default()
        }],
        dynamic: false,
        docker_context: true,
        last_activity: None,
    }
}

fn context_group(txn: &Txn<'_>, name: &str) -> NodeGroup {
    NodeGroup {
        last_activity: txn.context_activity(name),
        ..context_builder(name)
    }
}

/// buildx's `GetCurrentInstance`: the builder selected for the current
/// docker endpoint, else the current context's own.
pub fn current_group(cli: &DockerCli, txn: &Txn<'_>) -> Result<NodeGroup> {
    let key = cli.current_endpoint()?;
    if let Some(ng) = txn.current(&key)? {
        return Ok(ng);
    }
    node_group(cli, txn, &cli.current()?.context)
}

/// buildx's `GetBuilders`: the stored builders by name, then each docker
/// context's builder (by name) unless a stored one has its name.
pub fn all_groups(cli: &DockerCli, txn: &Txn<'_>) -> Result<Vec<NodeGroup>> {
    let mut out = txn.list()?;
    for c in cli.contexts() {
        if out.iter().any(|ng| ng.name == c) {
            continue;
        }
        out.push(context_group(txn, &c));
    }
    Ok(out)
}

/// buildx's check that a docker context's builder is only used from that
/// context.
pub fn validate(cli: &DockerCli, ng: &NodeGroup) -> Result<()> {
    if ng.docker_context && ng.name != cli.current()?.context {
        return Err(Error::Config(format!(
            "use `docker --context={0} buildx` to switch to context {0:?}",
            ng.name
        )));
    }
    Ok(())
}

/// The driver name of a builder: its own, or `docker` for a context's.
pub fn driver_name(ng: &NodeGroup) -> &str {
    if ng.driver.is_empty() {
        DriverKind::Docker.name()
    } else {
        &ng.driver
    }
}

/// The kind of a builder's driver ([`driver_name`]); `None` for a name
/// buildx does not know.
pub fn driver_kind(ng: &NodeGroup) -> Option<DriverKind> {
    DriverKind::from_name(driver_name(ng))
}

/// One node of a builder with what reaches it.
#[derive(Debug, Clone)]
pub struct BuilderNode {
    /// The node as stored.
    pub node: super::store::Node,
    /// The driver, or why this node cannot be reached by rkbuild.
    pub driver: std::result::Result<Arc<dyn Driver>, String>,
    /// How to connect (TLS from the `cacert`/`cert`/`key`/`servername`
    /// driver options).
    pub opts: ConnectOptions,
}

impl BuilderNode {
    /// The platforms set for the node (`create --platform`), formatted.
    pub fn configured_platforms(&self) -> Vec<String> {
        self.node
            .platforms
            .iter()
            .flatten()
            .map(StorePlatform::format)
            .collect()
    }

    /// Connects to the node.
    pub async fn connect(&self) -> Result<Client> {
        match &self.driver {
            Ok(d) => Client::connect_driver(d.clone(), self.opts.clone()).await,
            Err(e) => Err(Error::Config(e.clone())),
        }
    }
}

/// The nodes of builder `ng` with their drivers; `timeout` bounds each
/// connection.
pub fn nodes(cli: &DockerCli, ng: &NodeGroup, timeout: Duration) -> Vec<BuilderNode> {
    ng.nodes
        .iter()
        .map(|n| {
            let opts_map = n.driver_opts.clone().unwrap_or_default();
            let mut opts = ConnectOptions {
                timeout,
                tls: None,
            };
            let driver = match driver_kind(ng) {
                Some(DriverKind::Docker) => cli
                    .docker_endpoint_of(&n.endpoint)
                    .map(|ep| Arc::new(DockerDriver::new(ep)) as Arc<dyn Driver>)
                    .map_err(|e| e.to_string()),
                Some(DriverKind::DockerContainer) => docker_container(cli, n, &opts_map),
                Some(DriverKind::Remote) => remote_options(n, &opts_map).and_then(|tls| {
                    opts.tls = tls;
                    remote_driver(&n.endpoint)
                }),
                Some(DriverKind::Kubernetes) | None => Err(format!(
                    "the {} driver is not supported by rkbuild yet; use a remote or docker builder, or `docker buildx` for this one",
                    driver_name(ng)
                )),
            };
            BuilderNode {
                node: n.clone(),
                driver,
                opts,
            }
        })
        .collect()
}

fn docker_container(
    cli: &DockerCli,
    n: &super::store::Node,
    o: &BTreeMap<String, String>,
) -> std::result::Result<Arc<dyn Driver>, String> {
    let opts = ContainerOptions::from_driver_opts(o)?;
    let api = cli
        .docker_endpoint_of(&n.endpoint)
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(DockerContainerDriver::new(
        api,
        &n.name,
        opts,
        n.flags.clone().unwrap_or_default(),
        n.files.clone().unwrap_or_default(),
    )))
}

fn remote_driver(endpoint: &str) -> std::result::Result<Arc<dyn Driver>, String> {
    match buildkit_scheme(endpoint) {
        Some((_, true)) => Target::parse(endpoint)
            .map(|t| Arc::new(RemoteDriver::new(t.endpoint().clone())) as Arc<dyn Driver>)
            .map_err(|e| e.to_string()),
        Some((scheme, false)) => Err(format!(
            "remote endpoints of the form {scheme}:// are not supported by rkbuild yet ({endpoint})"
        )),
        None => Err(format!("invalid endpoint address: {endpoint}")),
    }
}

/// buildx's remote driver factory: no config files, no daemon flags,
/// only the TLS options (absolute paths), all of them present when TLS is
/// asked for.
fn remote_options(
    n: &super::store::Node,
    o: &BTreeMap<String, String>,
) -> std::result::Result<Option<TlsOptions>, String> {
    if n.files.as_ref().is_some_and(|f| !f.is_empty()) {
        return Err("setting config file is not supported for remote driver".into());
    }
    if n.flags.as_ref().is_some_and(|f| !f.is_empty()) {
        return Err("setting buildkit flags is not supported for remote driver".into());
    }
    for (k, v) in o {
        match k.as_str() {
            "servername" => {}
            "cacert" | "cert" | "key" => {
                if !Path::new(v).is_absolute() {
                    return Err(format!("non-absolute path '{v}' provided for {k}"));
                }
            }
            _ => return Err(format!("invalid driver option {k} for remote driver")),
        }
    }
    let tls = remote_tls(o);
    if let Some(t) = &tls {
        let mut missing = Vec::new();
        if t.ca_cert.is_none() {
            missing.push("cacert");
        }
        if t.cert.is_some() && t.key.is_none() {
            missing.push("key");
        }
        if t.key.is_some() && t.cert.is_none() {
            missing.push("cert");
        }
        if !missing.is_empty() {
            return Err(format!(
                "tls enabled, but missing keys {}",
                missing.join(", ")
            ));
        }
    }
    Ok(tls)
}

/// TLS of a remote node from its driver options (buildx's remote driver:
/// `cacert`, `cert`, `key` paths and `servername`).
fn remote_tls(o: &BTreeMap<String, String>) -> Option<TlsOptions> {
    let path = |k: &str| o.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let tls = TlsOptions {
        ca_cert: path("cacert"),
        cert: path("cert"),
        key: path("key"),
        server_name: o.get("servername").filter(|v| !v.is_empty()).cloned(),
    };
    (tls.ca_cert.is_some() || tls.cert.is_some() || tls.key.is_some() || tls.server_name.is_some())
        .then_some(tls)
}

pub use crate::client::driver::Status;

/// What [`load`] learnt of a node (buildx's `Node` after `LoadNodes` with
/// data).
#[derive(Debug, Clone, Default)]
pub struct NodeInfo {
    /// The node's state; `None` when it could not be asked.
    pub status: Option<Status>,
    /// BuildKit's version.
    pub version: String,
    /// The configured platforms, then the workers' (deduplicated).
    pub platforms: Vec<String>,
    /// Worker ids, sorted.
    pub ids: Vec<String>,
    /// The first worker's labels.
    pub labels: BTreeMap<String, String>,
    /// The first worker's garbage collection rules.
    pub gc_policy: Vec<crate::client::GcPolicy>,
    /// Why the node could not be loaded.
    pub err: Option<String>,
}

/// Asks node `n` for its state, workers and version, as buildx's
/// `LoadNodes(WithData)`: a remote node that does not answer is
/// `inactive`; a docker daemon that does not answer is an error.
pub async fn load(n: &BuilderNode, docker_driver: bool) -> NodeInfo {
    let mut info = NodeInfo {
        platforms: n.configured_platforms(),
        ..NodeInfo::default()
    };
    let driver = match &n.driver {
        Ok(d) => d.clone(),
        Err(e) => {
            info.err = Some(e.clone());
            return info;
        }
    };
    // A driver that knows its state without connecting (a container).
    match driver.status().await {
        Ok(Some(Status::Running)) | Ok(None) => {}
        Ok(Some(st)) => {
            info.status = Some(st);
            return info;
        }
        Err(e) => {
            info.err = Some(e.to_string());
            return info;
        }
    }
    let client = match n.connect().await {
        Ok(c) => c,
        Err(e) if docker_driver => {
            info.err = Some(e.to_string());
            return info;
        }
        Err(_) => {
            info.status = Some(Status::Inactive);
            return info;
        }
    };
    let workers: Vec<WorkerInfo> = match client.workers().await {
        Ok(w) => w,
        Err(e) if docker_driver => {
            info.err = Some(format!("listing workers: {e}"));
            return info;
        }
        Err(_) => {
            info.status = Some(Status::Inactive);
            return info;
        }
    };
    info.status = Some(Status::Running);
    for (i, w) in workers.iter().enumerate() {
        info.ids.push(w.id.clone());
        for p in &w.platforms {
            if !info.platforms.contains(p) {
                info.platforms.push(p.clone());
            }
        }
        if i == 0 {
            info.labels = w.labels.clone();
            info.gc_policy = w.gc_policy.clone();
        }
    }
    info.ids.sort();
    // BuildKit before 0.11 has no Control.Info: an old BuildKit, not an
    // error (the driver's version instead, as buildx asks it).
    match client.buildkit_version().await {
        Ok(v) => info.version = v.version,
        Err(e) => info.err = Some(e.to_string()),
    }
    info
}

/// A builder with what its nodes said (buildx's `Builder` after
/// `LoadNodes(WithData)`).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The builder.
    pub group: NodeGroup,
    /// Each node and what it said, in the builder's order.
    pub nodes: Vec<(BuilderNode, NodeInfo)>,
    /// Why the builder as a whole could not be loaded (a docker context
    /// whose daemon does not answer).
    pub err: Option<String>,
}

impl Loaded {
    /// The driver's name (`docker` for a docker context's builder whose
    /// daemon answered; empty when it did not, as buildx leaves it).
    pub fn driver(&self) -> &str {
        if self.group.driver.is_empty() && self.err.is_some() {
            return "";
        }
        driver_name(&self.group)
    }

    /// Whether no node is running (buildx's `Inactive`).
    pub fn inactive(&self) -> bool {
        !self
            .nodes
            .iter()
            .any(|(_, i)| i.status == Some(Status::Running))
    }
}

/// How long buildx's `ls`, `inspect`, `create` and `rm --all-inactive`
/// give a builder's nodes to answer.
pub const LOAD_LIMIT: Duration = Duration::from_secs(20);

/// Loads builder `ng`: its nodes asked in parallel (each connection
/// within `timeout`), the whole within [`LOAD_LIMIT`] (a node that has not
/// answered by then is an error).
pub async fn load_group(cli: &DockerCli, ng: &NodeGroup, timeout: Duration) -> Loaded {
    load_nodes(Some(cli), ng, nodes(cli, ng, timeout)).await
}

/// [`load_group`] of builder `ng` with its nodes `ns` (as [`nodes`] gives
/// them); `cli` names the daemon of a docker context that does not answer.
pub(crate) async fn load_nodes(
    cli: Option<&DockerCli>,
    ng: &NodeGroup,
    ns: Vec<BuilderNode>,
) -> Loaded {
    let limit = LOAD_LIMIT;
    let docker = driver_kind(ng) == Some(DriverKind::Docker);
    let futs = ns.iter().map(|n| async move {
        match tokio::time::timeout(limit, load(n, docker)).await {
            Ok(i) => i,
            Err(_) => NodeInfo {
                platforms: n.configured_platforms(),
                err: Some(format!(
                    "no answer from {} within {:.0}s",
                    n.node.endpoint,
                    limit.as_secs_f64()
                )),
                ..NodeInfo::default()
            },
        }
    });
    let infos = futures_util::future::join_all(futs).await;
    let mut loaded = Loaded {
        group: ng.clone(),
        nodes: ns.into_iter().zip(infos).collect(),
        err: None,
    };
    if ng.docker_context {
        if let Some(e) = loaded.nodes.first().and_then(|(_, i)| i.err.clone()) {
            // The docker client's words for a daemon it cannot reach.
            let host = cli.map(|c| c.docker_host_of(&ng.nodes[0].endpoint));
            let e = match host.unwrap_or_else(|| Ok(ng.nodes[0].endpoint.clone())) {
                Ok(h) if e.contains("no such socket") || e.contains("connection refused") => {
                    format!(
                        "Cannot connect to the Docker daemon at {h}. Is the docker daemon running?"
                    )
                }
                _ => e,
            };
            loaded.err = Some(e);
            loaded.nodes.clear();
        }
    }
    loaded
}

/// Whether a node platform `have` can build `want` (containerd's
/// `platforms.Only`: the same platform, 386 on amd64, older arm variants
/// on arm64 and newer arm, lower amd64 levels on higher ones).
fn can_build(have: &str, want: &str) -> bool {
    if have == want {
        return true;
    }
    let split = |s: &str| {
        let mut it = s.splitn(3, '/');
        (
            it.next().unwrap_or("").to_string(),
            it.next().unwrap_or("").to_string(),
            it.next().unwrap_or("").to_string(),
        )
    };
    let (hos, harch, hvar) = split(have);
    let (wos, warch, wvar) = split(want);
    if hos != wos {
        return false;
    }
    let level = |v: &str| v.trim_start_matches('v').parse::<u32>().unwrap_or(1);
    match (harch.as_str(), warch.as_str()) {
        ("amd64", "386") => true,
        ("amd64", "amd64") => level(&wvar) <= level(&hvar),
        ("arm64", "arm") => level(&wvar) <= 8 && !wvar.is_empty(),
        ("arm", "arm") => !hvar.is_empty() && level(&wvar) <= level(&hvar),
        _ => false,
    }
}

/// buildx's node selection (`build/driver.go`): each requested platform
/// goes to the first node that names it in `create --platform`; when one
/// is not named anywhere, every node is asked for its workers and the
/// platform goes to the first node that builds it exactly, else to the
/// first that can build it, else to the first node. Returns node indexes
/// with their platforms, in order of first use; no platforms: the first
/// node.
pub async fn split_platforms(
    builder: &str,
    nodes: &[BuilderNode],
    requested: &[String],
) -> Result<Vec<(usize, Vec<String>)>> {
    if nodes.len() <= 1 || requested.is_empty() {
        return Ok(vec![(0, requested.to_vec())]);
    }
    let configured: Vec<Vec<String>> = nodes.iter().map(|n| n.configured_platforms()).collect();
    let strict: Vec<Option<usize>> = requested
        .iter()
        .map(|p| configured.iter().position(|c| c.contains(p)))
        .collect();
    let picks: Vec<usize> = if strict.iter().all(Option::is_some) {
        strict.into_iter().flatten().collect()
    } else {
        let asks = nodes.iter().map(|n| async move {
            let c = n.connect().await?;
            c.workers().await
        });
        let answers = futures_util::future::join_all(asks).await;
        let mut all: Vec<Vec<String>> = Vec::new();
        for (i, a) in answers.into_iter().enumerate() {
            let mut ps = configured[i].clone();
            match a {
                Ok(ws) => ps.extend(ws.into_iter().flat_map(|w| w.platforms)),
                Err(e) => {
                    return Err(crate::error::NodeError {
                        builder: builder.to_string(),
                        node: nodes[i].node.name.clone(),
                        endpoint: nodes[i].node.endpoint.clone(),
                        stage: crate::error::NodeStage::Connect,
                        source: e,
                    }
                    .into())
                }
            }
            all.push(ps);
        }
        requested
            .iter()
            .map(|p| {
                all.iter()
                    .position(|ps| ps.contains(p))
                    .or_else(|| all.iter().position(|ps| ps.iter().any(|h| can_build(h, p))))
                    .unwrap_or(0)
            })
            .collect()
    };
    let mut out: Vec<(usize, Vec<String>)> = Vec::new();
    for (p, idx) in requested.iter().zip(picks) {
        match out.iter_mut().find(|(i, _)| *i == idx) {
            Some((_, ps)) => ps.push(p.clone()),
            None => out.push((idx, vec![p.clone()])),
        }
    }
    Ok(out)
}

/// buildx's `FormatInGroups`: the configured platforms marked `*`, then
/// the others, each once.
pub fn format_platforms(configured: &[String], all: &[String]) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (i, group) in [configured, all].into_iter().enumerate() {
        for p in group {
            if seen.contains(&p.as_str()) {
                continue;
            }
            seen.push(p);
            out.push(if i == 0 { format!("{p}*") } else { p.clone() });
        }
    }
    out
}

/// The store directory of a docker config directory, for callers that
/// only have the path.
pub fn store_at(config_dir: &Path) -> Result<Store> {
    Store::open(&super::buildx::dir_from_env(config_dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_node_can_build_what() {
        assert!(can_build("linux/amd64", "linux/386"));
        assert!(can_build("linux/arm64", "linux/arm/v7"));
        assert!(can_build("linux/amd64/v3", "linux/amd64/v2"));
        assert!(!can_build("linux/amd64", "linux/arm64"));
        assert!(!can_build("linux/arm/v6", "linux/arm/v7"));
        assert!(!can_build("windows/amd64", "linux/amd64"));
    }

    #[tokio::test]
    async fn configured_platforms_pick_nodes_without_asking_them() {
        let node = |name: &str, p: &[&str]| BuilderNode {
            node: super::super::store::Node {
                name: name.into(),
                endpoint: format!("unix:///nonexistent/{name}"),
                platforms: Some(p.iter().map(|s| StorePlatform::parse(s).unwrap()).collect()),
                ..Default::default()
            },
            driver: remote_driver(&format!("unix:///nonexistent/{name}")),
            opts: ConnectOptions::default(),
        };
        let nodes = [
            node("a", &["linux/amd64"]),
            node("b", &["linux/arm64", "linux/arm/v7"]),
        ];
        let req = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let plan = split_platforms(
            "mb",
            &nodes,
            &req(&["linux/arm64", "linux/amd64", "linux/arm/v7"]),
        )
        .await
        .unwrap();
        assert_eq!(
            plan,
            vec![
                (1, req(&["linux/arm64", "linux/arm/v7"])),
                (0, req(&["linux/amd64"]))
            ]
        );
        // A platform no node names: the nodes are asked, and one that does
        // not answer is an error naming it.
        let e = split_platforms("mb", &nodes, &req(&["linux/s390x"]))
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("builder mb node a (unix:///nonexistent/a): "),
            "{e}"
        );
    }

    #[test]
    fn platforms_in_groups_as_buildx() {
        let c = vec!["linux/arm64".to_string()];
        let all = vec![
            "linux/arm64".to_string(),
            "linux/amd64".to_string(),
            "linux/amd64/v2".to_string(),
        ];
        assert_eq!(
            format_platforms(&c, &all),
            ["linux/arm64*", "linux/amd64", "linux/amd64/v2"]
        );
    }

    #[test]
    fn remote_nodes_take_tls_from_driver_opts() {
        let mut o = BTreeMap::new();
        o.insert("cacert".to_string(), "/c/ca.pem".to_string());
        o.insert("servername".to_string(), "bk".to_string());
        let t = remote_tls(&o).unwrap();
        assert_eq!(t.ca_cert.as_deref(), Some(Path::new("/c/ca.pem")));
        assert_eq!(t.server_name.as_deref(), Some("bk"));
        assert!(remote_tls(&BTreeMap::new()).is_none());
        assert!(remote_driver("ssh://p")
            .unwrap_err()
            .contains("not supported"));
        assert!(remote_driver("kube-pod://p").is_ok());
        assert!(remote_driver("tcp://h:1").is_ok());
    }
}
