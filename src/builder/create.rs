//! `docker buildx create` as a library call (buildx 0.13's
//! `builder.Create` and `builder.Leave`): a builder made or changed in
//! buildx's store, so that `docker buildx` sees it. rkbuild drives the
//! `remote` and `docker-container` drivers; other drivers are refused.
//!
//! Creating is two steps in one store transaction: [`plan`] checks the
//! options in buildx's order and works out the stored builder, which
//! tells whether running nodes need a restart ([`CreatePlan::restart_needed`],
//! buildx warns before it saves); [`CreatePlan::save`] stores it, checks
//! that every node has a driver (rolling the store back otherwise) and
//! selects it with [`CreateOptions::use_builder`].
//!
//! ```no_run
//! # fn f() -> rkbuild::Result<()> {
//! use rkbuild::builder::create::{self, CreateOptions};
//! use rkbuild::docker::builders::DockerCli;
//!
//! let cli = DockerCli::from_env()?;
//! let store = cli.store()?;
//! let txn = store.txn()?;
//! let opts = CreateOptions {
//!     name: "bk".into(),
//!     driver: "remote".into(),
//!     endpoint: Some("tcp://10.0.0.5:1234".into()),
//!     ..Default::default()
//! };
//! let builder = create::plan(&cli, &txn, &opts)?.save(&cli, &txn)?;
//! println!("{}", builder.name());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::Builder;
use crate::client::driver::{buildkit_scheme, DriverKind, EndpointForm};
use crate::client::ConnectOptions;
use crate::docker::builders::DockerCli;
use crate::docker::store::{NodeGroup, NodeUpdate, Txn};
use crate::error::{BuilderError, CreateError, Result};

/// What `create` is asked (buildx's `CreateOpts`).
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// `--name`; empty: a free name is made up.
    pub name: String,
    /// `--driver`; empty: the stored builder's, else `remote` when no
    /// endpoint is given and [`buildkit_host`](Self::buildkit_host) is,
    /// else `docker-container`.
    pub driver: String,
    /// `--node`: the node to make or change; empty: a new one.
    pub node: String,
    /// The endpoint argument: a BuildKit address for `remote`, a docker
    /// context or host for `docker-container` (`None`: the current one).
    pub endpoint: Option<String>,
    /// `--platform` values.
    pub platforms: Vec<String>,
    /// `--driver-opt` values, each a CSV record of `k=v`.
    pub driver_opts: Vec<String>,
    /// `--buildkitd-flags`, as given (split into words as a shell would).
    pub buildkitd_flags: String,
    /// `--buildkitd-config` (or `--config`); `None` or empty: buildx's
    /// `buildkitd.default.toml` when there is one.
    pub buildkitd_config: Option<PathBuf>,
    /// `--append`: add a node to the stored builder.
    pub append: bool,
    /// `--use`: select the builder for the current docker endpoint.
    pub use_builder: bool,
    /// `BUILDKIT_HOST`: a remote builder's endpoint when none is given.
    pub buildkit_host: String,
    /// The limit for connecting to each node of the builder returned.
    pub timeout: Duration,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            name: String::new(),
            driver: String::new(),
            node: String::new(),
            endpoint: None,
            platforms: Vec::new(),
            driver_opts: Vec::new(),
            buildkitd_flags: String::new(),
            buildkitd_config: None,
            append: false,
            use_builder: false,
            buildkit_host: String::new(),
            timeout: ConnectOptions::default().timeout,
        }
    }
}

/// A builder made or changed in memory, checked, not stored yet
/// ([`plan`]).
#[derive(Debug)]
pub struct CreatePlan {
    group: NodeGroup,
    original: Option<NodeGroup>,
    restart: bool,
    use_builder: bool,
    timeout: Duration,
}

/// buildx's `builder.Leave`: node `node` leaves stored builder `name`.
pub fn leave(txn: &Txn<'_>, name: &str, node: &str) -> Result<()> {
    if name.is_empty() {
        return Err(CreateError::LeaveNeedsName.into());
    }
    if node.is_empty() {
        return Err(CreateError::LeaveNeedsNode.into());
    }
    let Some(mut ng) = txn.by_name(name)? else {
        return Err(CreateError::NoInstanceToLeave(name.to_string()).into());
    };
    ng.leave(node)?;
    txn.save(&ng)
}

/// Checks `opts` in buildx's order and works out the builder to store.
pub fn plan(cli: &DockerCli, txn: &Txn<'_>, opts: &CreateOptions) -> Result<CreatePlan> {
    if opts.name == "default" {
        return Err(CreateError::ReservedName.into());
    }
    if opts.append && opts.name.is_empty() {
        return Err(CreateError::AppendNeedsName.into());
    }
    let name = if opts.name.is_empty() {
        generate_name(txn)?
    } else {
        opts.name.clone()
    };
    if !opts.append && cli.contexts().contains(&name) {
        return Err(CreateError::ContextName(name).into());
    }
    let existing = txn.by_name(&name)?;
    if existing.is_none() && opts.append {
        return Err(CreateError::NoInstanceToAppend(opts.name.clone()).into());
    }
    let (driver, kind) = driver(opts, &name, existing.as_ref())?;
    let driver_opts = csv_to_map(&opts.driver_opts)?;
    let flags = buildkitd_flags(&opts.buildkitd_flags, kind, driver_opts.as_ref())?;
    let (endpoint, set_endpoint) = endpoint(cli, opts, kind)?;
    let files = config_files(cli, opts.buildkitd_config.as_ref())?;
    let original = existing.clone();
    let mut group = existing.unwrap_or_else(|| NodeGroup {
        name: name.clone(),
        driver: driver.clone(),
        nodes: Vec::new(),
        dynamic: false,
        docker_context: false,
        last_activity: None,
    });
    let restart = group.update(
        &opts.node,
        NodeUpdate {
            endpoint: set_endpoint.then(|| endpoint.clone()),
            default_endpoint: endpoint,
            platforms: opts.platforms.clone(),
            append: opts.append,
            flags,
            driver_opts,
            files,
        },
    )?;
    Ok(CreatePlan {
        group,
        original,
        restart,
        use_builder: opts.use_builder,
        timeout: opts.timeout,
    })
}

impl CreatePlan {
    /// Whether a changed node's new settings may not be used until its
    /// daemon restarts (buildx warns).
    pub fn restart_needed(&self) -> bool {
        self.restart
    }

    /// Stores the builder; every node must have a driver (buildx rolls
    /// the store back otherwise); selects it for the current docker
    /// endpoint when asked.
    pub fn save(self, cli: &DockerCli, txn: &Txn<'_>) -> Result<Builder> {
        txn.save(&self.group)?;
        let b = Builder::from_group(cli, self.group, self.timeout);
        for n in &b.nodes {
            if let Err(e) = &n.driver {
                match &self.original {
                    None => txn.remove(b.name())?,
                    Some(o) => txn.save(o)?,
                }
                return Err(BuilderError::Initialize {
                    builder: b.name().to_string(),
                    node: n.node.name.clone(),
                    reason: e.clone(),
                }
                .into());
            }
        }
        if self.use_builder {
            txn.set_current(&cli.current_endpoint()?, b.name(), false, false)?;
        }
        Ok(b)
    }
}

/// The builder's driver: `--driver`, else the stored builder's, else
/// `remote` for `BUILDKIT_HOST` without an endpoint, else
/// `docker-container`; a stored builder is only changed with `--append`
/// or `--node`, and keeps its driver.
fn driver(
    opts: &CreateOptions,
    name: &str,
    existing: Option<&NodeGroup>,
) -> Result<(String, DriverKind)> {
    let driver = match (existing, opts.driver.as_str()) {
        (_, d) if !d.is_empty() => d.to_string(),
        (Some(ng), _) => ng.driver.clone(),
        _ if opts.endpoint.is_none() && !opts.buildkit_host.is_empty() => {
            DriverKind::Remote.name().into()
        }
        _ => DriverKind::DockerContainer.name().into(),
    };
    if let Some(ng) = existing {
        if opts.node.is_empty() && !opts.append {
            return Err(CreateError::Exists(name.to_string()).into());
        }
        if driver != ng.driver {
            return Err(CreateError::DriverMismatch {
                name: name.to_string(),
                driver: ng.driver.clone(),
            }
            .into());
        }
    }
    match DriverKind::from_name(&driver).filter(DriverKind::creatable) {
        Some(k) if k.supported() => Ok((driver, k)),
        Some(_) => Err(CreateError::UnsupportedDriver(driver).into()),
        None => Err(CreateError::UnknownDriver(driver).into()),
    }
}

/// Where the node is: a BuildKit address for remote; a docker context or
/// host for docker-container (the current one when none is given, and
/// then not stored). Returns it and whether it is stored.
fn endpoint(cli: &DockerCli, opts: &CreateOptions, driver: DriverKind) -> Result<(String, bool)> {
    let given = opts.endpoint.as_deref().filter(|e| !e.is_empty());
    if driver.endpoint_form() == EndpointForm::Buildkit {
        let e = match given {
            Some(e) => e.to_string(),
            None if !opts.buildkit_host.is_empty() => opts.buildkit_host.clone(),
            None => return Err(CreateError::NoRemoteEndpoint.into()),
        };
        validate_buildkit_endpoint(&e)?;
        return Ok((e, true));
    }
    Ok(match given {
        Some(e) => (validate_docker_endpoint(cli, e)?, true),
        None => (cli.current_endpoint()?, false),
    })
}

/// The `buildkitd.toml` of the node: `--buildkitd-config`, else buildx's
/// `buildkitd.default.toml`, when there is one.
fn config_files(
    cli: &DockerCli,
    given: Option<&PathBuf>,
) -> Result<Option<BTreeMap<String, Vec<u8>>>> {
    let file = given
        .filter(|p| !p.as_os_str().is_empty())
        .cloned()
        .or_else(|| {
            let d = cli.buildx_dir().join("buildkitd.default.toml");
            d.is_file().then_some(d)
        });
    let Some(path) = file else { return Ok(None) };
    let data = std::fs::read(&path).map_err(|source| CreateError::ConfigFile { path, source })?;
    Ok(Some(BTreeMap::from([("buildkitd.toml".to_string(), data)])))
}

/// buildx's `csvToMap`: each `--driver-opt` is a CSV record of `k=v`.
fn csv_to_map(values: &[String]) -> Result<Option<BTreeMap<String, String>>> {
    if values.is_empty() {
        return Ok(None);
    }
    let mut m = BTreeMap::new();
    for v in values {
        let fields = crate::go::csv::read_record_str(v)
            .map_err(|e| CreateError::DriverOpt(e.to_string()))?;
        for f in fields {
            let Some((k, val)) = f.split_once('=') else {
                return Err(
                    CreateError::DriverOpt(format!("invalid value {f:?}, expecting k=v")).into(),
                );
            };
            m.insert(k.to_string(), val.to_string());
        }
    }
    Ok(Some(m))
}

/// buildx's `parseBuildkitdFlags`: the flags split as a shell would;
/// container drivers get `--allow-insecure-entitlement=network.host`
/// unless entitlements are given (always with `network=host`).
fn buildkitd_flags(
    flags: &str,
    driver: DriverKind,
    opts: Option<&BTreeMap<String, String>>,
) -> Result<Option<Vec<String>>> {
    let mut res: Vec<String> = match flags {
        "" => Vec::new(),
        f => shlex::split(f).ok_or(CreateError::BuildkitdFlags)?,
    };
    let mut ents = Vec::new();
    let mut it = res.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--allow-insecure-entitlement=") {
            ents.push(v.to_string());
        } else if a == "--allow-insecure-entitlement" {
            if let Some(v) = it.next() {
                ents.push(v.clone());
            }
        }
    }
    let host_net = opts
        .and_then(|o| o.get("network"))
        .is_some_and(|n| n == "host");
    let has_host = ents.iter().any(|e| e == "network.host");
    let host_net_entitlement = host_net && !has_host && driver == DriverKind::DockerContainer;
    if host_net_entitlement || (ents.is_empty() && driver.is_container_driver()) {
        res.push("--allow-insecure-entitlement=network.host".into());
    }
    Ok((!res.is_empty() || !flags.is_empty()).then_some(res))
}

/// buildx's `validateEndpoint`: a docker context's name (the default
/// context: its host), else a docker host address.
fn validate_docker_endpoint(cli: &DockerCli, ep: &str) -> Result<String> {
    if cli.contexts().iter().any(|c| c == ep) {
        if ep == "default" {
            return cli.docker_host_of("default");
        }
        return Ok(ep.to_string());
    }
    match crate::client::Target::docker_host(ep) {
        Ok(_) => Ok(ep.to_string()),
        Err(e) => Err(CreateError::Endpoint {
            endpoint: ep.to_string(),
            reason: e.to_string(),
        }
        .into()),
    }
}

/// buildx's `IsValidEndpoint` for remote builders: a URL with one of the
/// schemes BuildKit's client dials.
fn validate_buildkit_endpoint(ep: &str) -> Result<()> {
    match buildkit_scheme(ep) {
        Some(_) => Ok(()),
        None => {
            let scheme = ep.split_once("://").map(|(s, _)| s).unwrap_or("");
            Err(CreateError::UrlScheme(scheme.to_string()).into())
        }
    }
}

/// A free name (buildx draws adjective_surname names; rkbuild draws from
/// a short list of its own words and adds a number when needed).
fn generate_name(txn: &Txn<'_>) -> Result<String> {
    const A: &[&str] = &[
        "brave", "calm", "eager", "fond", "keen", "lucid", "merry", "nimble", "quiet", "swift",
    ];
    const B: &[&str] = &[
        "anvil", "beacon", "cedar", "delta", "ember", "forge", "harbor", "lantern", "meadow",
        "quarry",
    ];
    let mut r = [0u8; 2];
    crate::id::random_bytes(&mut r);
    for i in 0..6 {
        let mut n = format!(
            "{}_{}",
            A[r[0] as usize % A.len()],
            B[(r[1] as usize + i) % B.len()]
        );
        if i > 0 {
            n.push_str(&i.to_string());
        }
        if txn.by_name(&n)?.is_none() {
            return Ok(n);
        }
    }
    Err(CreateError::NameGeneration.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A docker CLI of its own directory, on a daemon that is not there.
    fn cli(dir: &std::path::Path) -> DockerCli {
        DockerCli {
            config: crate::docker::ConfigFile::load_from(dir).unwrap(),
            config_dir: dir.to_path_buf(),
            host_flag: Some("unix:///nonexistent/docker.sock".into()),
            context_flag: None,
            tls: Default::default(),
        }
    }

    #[test]
    fn create_checks_in_buildx_order_then_stores_and_rolls_back() {
        if std::env::var_os("BUILDX_CONFIG").is_some() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let cli = cli(dir.path());
        let store = cli.store().unwrap();
        let txn = store.txn().unwrap();
        let err = |o: CreateOptions| plan(&cli, &txn, &o).unwrap_err().to_string();
        let remote = |name: &str, ep: &str| CreateOptions {
            name: name.into(),
            driver: "remote".into(),
            endpoint: Some(ep.into()),
            ..Default::default()
        };
        // The reserved name comes before a driver that does not exist.
        assert_eq!(
            err(CreateOptions {
                name: "default".into(),
                driver: "nope".into(),
                ..Default::default()
            }),
            "default is a reserved name and cannot be used to identify builder instance"
        );
        assert_eq!(
            err(CreateOptions {
                append: true,
                ..Default::default()
            }),
            "append requires a builder name"
        );
        assert_eq!(
            err(CreateOptions {
                append: true,
                ..remote("bk", "tcp://h:1")
            }),
            r#"failed to find instance "bk" for append"#
        );
        assert_eq!(
            err(CreateOptions {
                driver_opts: vec!["a".into()],
                buildkitd_flags: "'".into(),
                ..remote("bk", "tcp://h:1")
            }),
            r#"invalid value "a", expecting k=v"#
        );
        assert_eq!(
            err(remote("bk", "http://h:1")),
            "unrecognized url scheme http"
        );
        assert_eq!(
            err(CreateOptions {
                endpoint: None,
                ..remote("bk", "")
            }),
            "no remote endpoint provided"
        );
        // Stored; a node whose driver cannot be made rolls the store back.
        let b = plan(&cli, &txn, &remote("bk", "tcp://h:1"))
            .unwrap()
            .save(&cli, &txn)
            .unwrap();
        assert_eq!((b.name(), b.nodes()[0].node.name.as_str()), ("bk", "bk0"));
        assert_eq!(
            err(remote("bk", "tcp://h:2")),
            r#"existing instance for "bk" but no append mode, specify the node name to make changes for existing instances"#
        );
        let e = plan(&cli, &txn, &remote("bad", "ssh://h"))
            .unwrap()
            .save(&cli, &txn)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("failed to initialize builder bad (bad0): "),
            "{e}"
        );
        assert!(txn.by_name("bad").unwrap().is_none());
        let b = plan(
            &cli,
            &txn,
            &CreateOptions {
                append: true,
                ..remote("bk", "tcp://h:2")
            },
        )
        .unwrap()
        .save(&cli, &txn)
        .unwrap();
        assert_eq!(b.nodes().len(), 2);
        leave(&txn, "bk", "bk1").unwrap();
        assert_eq!(
            leave(&txn, "bk", "bk0").unwrap_err().to_string(),
            "can not leave last node, do you want to rm instance instead?"
        );
        assert_eq!(
            leave(&txn, "nope", "n").unwrap_err().to_string(),
            r#"failed to find instance "nope" for leave"#
        );
    }

    #[test]
    fn buildkitd_flags_as_buildx_parses_them() {
        let f = |flags: &str, driver: &str, net: Option<&str>| {
            let o = net.map(|n| BTreeMap::from([("network".to_string(), n.to_string())]));
            let kind = DriverKind::from_name(driver).unwrap();
            buildkitd_flags(flags, kind, o.as_ref()).map_err(|e| e.to_string())
        };
        assert_eq!(
            f("", "docker-container", None).unwrap(),
            Some(vec!["--allow-insecure-entitlement=network.host".to_string()])
        );
        assert_eq!(f("", "remote", None).unwrap(), None);
        assert_eq!(
            f(
                "--debug --allow-insecure-entitlement security.insecure",
                "docker-container",
                Some("host")
            )
            .unwrap()
            .unwrap()
            .last()
            .map(String::as_str),
            Some("--allow-insecure-entitlement=network.host")
        );
        assert_eq!(
            f("--oci-worker-gc 'x", "remote", None).unwrap_err(),
            "failed to parse buildkit flags: unbalanced quotes"
        );
        assert_eq!(
            csv_to_map(&["a=1,b".into()]).unwrap_err().to_string(),
            r#"invalid value "b", expecting k=v"#
        );
        assert_eq!(
            validate_buildkit_endpoint("http://x")
                .unwrap_err()
                .to_string(),
            "unrecognized url scheme http"
        );
    }
}
