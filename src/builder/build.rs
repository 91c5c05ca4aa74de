//! Builds on a builder (buildx's `build.Build`): one or more named
//! targets, each sent to the nodes that build its platforms (buildx's node
//! selection), one session per node, the pushes of several nodes merged
//! into one manifest list; the progress of all of them on one channel and
//! a result for each target.
//!
//! Two steps, so that a caller can report what was worked out before the
//! progress starts: [`Builder::prepare`] turns each target's options into
//! its solve (buildx's checks, in its order; the warnings found),
//! [`BuildPlan::run`] picks the nodes, boots those that need it, connects
//! and builds every target at once.

use tokio::sync::mpsc;

use super::{Builder, Origin};
use crate::build::Build;
use crate::client::Client;
use crate::error::{BuilderError, Error, NodeStage, Result};
use crate::progress::event::SolveStatus;
use crate::session::SharedService;
use crate::solve::multi::{solve_on_nodes, NodeBuild};
use crate::solve::options::{BuildOptions, TempDirs};
use crate::solve::{ExportOutput, SolveOptions, SolveResponse};

/// The targets of a build on one builder, their solves worked out
/// ([`Builder::prepare`]); [`run`](Self::run) or [`start`](Self::start)
/// builds them.
#[derive(Debug)]
pub struct BuildPlan {
    builder: Builder,
    targets: Vec<Planned>,
    /// The first node's connection, when preparing needed one.
    early: Option<Client>,
}

#[derive(Debug)]
struct Planned {
    name: String,
    platforms: Vec<String>,
    solve: SolveOptions,
    /// Each node's session services (a build on several nodes).
    services: Vec<SharedService>,
    temps: TempDirs,
    warnings: Vec<String>,
}

/// Which nodes build what of one target (buildx's node selection), as
/// [`BuildPlan::run`] tells the progress before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetNodes {
    /// The target.
    pub target: String,
    /// Its nodes, in order of first use.
    pub nodes: Vec<NodeShare>,
}

/// One node's share of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeShare {
    /// The node's name.
    pub node: String,
    /// The platforms it builds (none: the node's default).
    pub platforms: Vec<String>,
}

/// How one target's build ended.
#[derive(Debug)]
pub struct TargetResult {
    /// The target.
    pub target: String,
    /// The node whose build the response's reference names (the first
    /// one used: buildx's `builder/node/ref` of the metadata file).
    pub node: String,
    /// The solve's reference on that node, whether it built or not (empty
    /// for a build on several nodes, where each node has its own).
    pub reference: String,
    /// The response, or why the build failed.
    pub result: Result<SolveResponse>,
}

impl TargetResult {
    /// buildx's name of the build record: `BUILDER/NODE/REF`, as in the
    /// metadata file's `buildx.build.ref` and Docker Desktop's links.
    pub fn build_ref(&self, builder: &str) -> String {
        format!("{builder}/{}/{}", self.node, self.reference)
    }
}

impl Builder {
    /// Works out the solve of each target (name and options) for this
    /// builder's first node: buildx's checks of the options in its order,
    /// the `host-gateway` address of `--add-host` from a docker driver's
    /// workers when the options do not give it. Nothing is built yet.
    ///
    /// ```no_run
    /// # async fn f(builder: rkbuild::builder::Builder) -> rkbuild::Result<()> {
    /// use rkbuild::BuildOptions;
    ///
    /// let plan = builder
    ///     .prepare([
    ///         ("app", BuildOptions::dir("app")),
    ///         ("tests", BuildOptions::dir("tests")),
    ///     ])
    ///     .await?;
    /// let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    /// tokio::spawn(async move { while let Some(_status) = rx.recv().await {} });
    /// for t in plan.run(|_| Ok(tx)).await? {
    ///     println!("{}: {:?}", t.target, t.result.map(|r| r.reference));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn prepare<I, N>(&self, targets: I) -> Result<BuildPlan>
    where
        I: IntoIterator<Item = (N, BuildOptions)>,
        N: Into<String>,
    {
        let driver = self.driver()?.clone();
        let node_id = self.node_id();
        let mut early: Option<Client> = None;
        let mut planned = Vec::new();
        for (name, mut opts) in targets {
            if opts.host_gateway_ip.is_none()
                && driver.features().shares_image_store()
                && wants_host_gateway(&opts.add_hosts)
            {
                let c = match early.take() {
                    Some(c) => c,
                    None => self.connect().await?,
                };
                opts.host_gateway_ip = c
                    .host_gateway_ip()
                    .await
                    .map_err(|e| BuilderError::HostGateway(Box::new(e)))?;
                early = Some(c);
            }
            let (mut solve, temps) = opts.to_solve(driver.as_ref(), &node_id)?;
            planned.push(Planned {
                name: name.into(),
                warnings: std::mem::take(&mut solve.warnings),
                platforms: opts.platforms,
                services: opts.session,
                solve,
                temps,
            });
        }
        Ok(BuildPlan {
            builder: self.clone(),
            targets: planned,
            early,
        })
    }
}

/// Whether an `--add-host` names `host-gateway` (buildx asks the docker
/// driver's workers for its address).
fn wants_host_gateway(add_hosts: &[String]) -> bool {
    add_hosts.iter().any(|h| {
        h.split_once('=')
            .or_else(|| h.split_once(':'))
            .is_some_and(|(_, ip)| ip == "host-gateway")
    })
}

impl BuildPlan {
    /// What preparing found to warn about (a local cache that cannot be
    /// imported, git information that could not be read), by target.
    pub fn warnings(&self) -> impl Iterator<Item = (&str, &str)> {
        self.targets.iter().flat_map(|t| {
            t.warnings
                .iter()
                .map(move |w| (t.name.as_str(), w.as_str()))
        })
    }

    /// Whether a target writes an output to standard output.
    pub fn writes_stdout(&self) -> bool {
        self.targets.iter().any(|t| {
            t.solve
                .exports
                .iter()
                .any(|e| e.output == ExportOutput::Stdout)
        })
    }

    /// Builds every target at once: picks each target's nodes (buildx's
    /// node selection; a `docker` output of several platforms on one node
    /// is refused), boots the nodes that need it, connects to each node
    /// once, then builds. `open` gives the channel for the progress of
    /// all of it, when it starts: before the first boot, else once every
    /// node is connected; with several targets, step names start with the
    /// target's (`[app 1/2] FROM ...`, as buildx's bake shows them). The
    /// progress ends when this returns.
    ///
    /// Errors before the builds start end the whole run; then each target
    /// has its own result. A stored builder's last activity is recorded
    /// once the builds ran.
    pub async fn run<F>(self, open: F) -> Result<Vec<TargetResult>>
    where
        F: FnOnce(&[TargetNodes]) -> Result<mpsc::Sender<SolveStatus>>,
    {
        let BuildPlan {
            builder: b,
            targets,
            early,
        } = self;
        // The platforms are copied out first: a borrow of `targets` held
        // across the awaits below would make this future not `Send` (the
        // session services are not `Sync`).
        let wanted: Vec<Vec<String>> = targets.iter().map(|t| t.platforms.clone()).collect();
        let mut splits = Vec::new();
        for (i, platforms) in wanted.iter().enumerate() {
            let split =
                crate::docker::builders::split_platforms(b.name(), &b.nodes, platforms).await?;
            check_exports(&targets[i].solve, &split)?;
            splits.push(split);
        }
        let mut used: Vec<usize> = Vec::new();
        for (idx, _) in splits.iter().flatten() {
            if !used.contains(idx) {
                used.push(*idx);
            }
        }
        let shares = shares(&b, &targets, &splits);
        let to_boot = b.needing_boot(used.iter().copied()).await;
        let (tx, clients) = if to_boot.is_empty() {
            let clients = connect_all(&b, &used, early).await?;
            (open(&shares)?, clients)
        } else {
            let tx = open(&shares)?;
            b.boot_nodes(&to_boot, &tx).await?;
            (tx, connect_all(&b, &used, early).await?)
        };
        let prefix = targets.len() > 1;
        let builds = targets
            .into_iter()
            .zip(splits)
            .map(|(t, split)| build_target(&b, &clients, t, split, tx.clone(), prefix));
        let results = futures_util::future::join_all(builds).await;
        drop(tx);
        b.touch();
        Ok(results)
    }

    /// [`run`](Self::run) as a task: a stream of the progress that
    /// resolves to each target's result. Dropping it cancels the builds.
    pub fn start(self) -> Build<Vec<TargetResult>> {
        Build::spawn(|tx| self.run(move |_| Ok(tx)))
    }
}

/// Which node builds what of each target, by name.
fn shares(
    b: &Builder,
    targets: &[Planned],
    splits: &[Vec<(usize, Vec<String>)>],
) -> Vec<TargetNodes> {
    targets
        .iter()
        .zip(splits)
        .map(|(t, split)| TargetNodes {
            target: t.name.clone(),
            nodes: split
                .iter()
                .map(|(idx, platforms)| NodeShare {
                    node: b.nodes[*idx].node.name.clone(),
                    platforms: platforms.clone(),
                })
                .collect(),
        })
        .collect()
}

/// Connects to nodes `used` in their order (node 0 through `early` when
/// preparing connected already).
async fn connect_all(
    b: &Builder,
    used: &[usize],
    mut early: Option<Client>,
) -> Result<Vec<Option<Client>>> {
    let mut clients: Vec<Option<Client>> = vec![None; b.nodes.len()];
    for &idx in used {
        let c = match (idx, early.take()) {
            (0, Some(c)) => c,
            _ => b.connect_node(idx).await?,
        };
        clients[idx] = Some(c);
    }
    Ok(clients)
}

/// buildx: the docker exporter writes one platform per node.
fn check_exports(solve: &SolveOptions, split: &[(usize, Vec<String>)]) -> Result<()> {
    if !split.iter().any(|(_, p)| p.len() > 1) {
        return Ok(());
    }
    match solve.exports.iter().find(|e| e.kind == "docker") {
        Some(e) if e.output == ExportOutput::Load => Err(BuilderError::LoadManifestList.into()),
        Some(_) => Err(BuilderError::DockerManifestList.into()),
        None => Ok(()),
    }
}

/// Builds one target on its nodes (connected in `clients`), its progress
/// into `tx` (its step names prefixed with its name when `prefix`).
async fn build_target(
    b: &Builder,
    clients: &[Option<Client>],
    t: Planned,
    split: Vec<(usize, Vec<String>)>,
    tx: mpsc::Sender<SolveStatus>,
    prefix: bool,
) -> TargetResult {
    let Planned {
        name,
        mut solve,
        services,
        temps,
        ..
    } = t;
    // One node: the build's reference is known before it starts, so that a
    // failed build can be named too. Several: each node's solve gets its
    // own (as buildx's), and the target has none of its own.
    let reference = match split.len() {
        0 | 1 => {
            if solve.reference.is_empty() {
                solve.reference = crate::session::new_id();
            }
            solve.reference.clone()
        }
        _ => String::new(),
    };
    let first = split.first().map(|(idx, _)| *idx).unwrap_or(0);
    let node = b
        .nodes
        .get(first)
        .map(|n| n.node.name.clone())
        .unwrap_or_else(|| b.name().to_string());
    let (tx, forward) = match prefix {
        true => {
            let (ptx, f) = prefixed(tx, &name);
            (ptx, Some(f))
        }
        false => (tx, None),
    };
    let client =
        |idx: usize| {
            clients.get(idx).cloned().flatten().ok_or_else(|| {
                Error::Config(format!("node {idx} of {} is not connected", b.name()))
            })
        };
    let build = async {
        if split.len() <= 1 {
            let c = client(first)?;
            return crate::solve::solve(&c, solve, Some(tx))
                .await
                .map_err(|e| broken(b, first, e));
        }
        let mut nodes = Vec::new();
        for (idx, platforms) in &split {
            nodes.push(NodeBuild {
                name: b.nodes[*idx].node.name.clone(),
                client: client(*idx)?,
                platforms: platforms.clone(),
                session: services.iter().filter_map(|s| s.attachable()).collect(),
            });
        }
        solve_on_nodes(nodes, solve, Some(tx)).await
    };
    let (result, ()) = tokio::join!(build, async {
        if let Some(f) = forward {
            f.await
        }
    });
    drop(temps);
    TargetResult {
        target: name,
        node,
        reference,
        result,
    }
}

/// A connection to node `idx` that broke while it built: a stored
/// builder's node names itself.
fn broken(b: &Builder, idx: usize, e: Error) -> Error {
    match e {
        Error::Tls { .. }
        | Error::NotListening { .. }
        | Error::NotBuildkit { .. }
        | Error::Timeout { .. }
            if b.origin == Origin::Store =>
        {
            b.node_error(idx, NodeStage::Build, e)
        }
        e => e,
    }
}

/// A channel whose events go on to `tx` with their step names prefixed by
/// `target` (buildx's `progress.WithPrefix`), and the future forwarding
/// them.
fn prefixed(
    tx: mpsc::Sender<SolveStatus>,
    target: &str,
) -> (
    mpsc::Sender<SolveStatus>,
    impl std::future::Future<Output = ()>,
) {
    let (ptx, mut rx) = mpsc::channel::<SolveStatus>(64);
    let target = target.to_string();
    let forward = async move {
        while let Some(mut s) = rx.recv().await {
            for v in &mut s.vertexes {
                v.name = add_prefix(&target, &v.name);
            }
            if tx.send(s).await.is_err() {
                break;
            }
        }
    };
    (ptx, forward)
}

/// `[target] NAME`, or `[target 1/2] ...` for a name in brackets.
fn add_prefix(target: &str, name: &str) -> String {
    match name.strip_prefix('[') {
        Some(rest) => format!("[{target} {rest}"),
        None => format!("[{target}] {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_carry_the_target_as_bake_shows_them() {
        assert_eq!(add_prefix("app", "[2/3] RUN make"), "[app 2/3] RUN make");
        assert_eq!(
            add_prefix("app", "[internal] load build definition from Dockerfile"),
            "[app internal] load build definition from Dockerfile"
        );
        assert_eq!(
            add_prefix("app", "exporting to image"),
            "[app] exporting to image"
        );
    }

    #[test]
    fn host_gateway_in_either_spelling() {
        assert!(wants_host_gateway(&["h=host-gateway".into()]));
        assert!(wants_host_gateway(&["h:host-gateway".into()]));
        assert!(!wants_host_gateway(&["h=10.0.0.1".into()]));
    }
}
