//! Drivers: how a builder is reached and what it can do.
//!
//! A [`Driver`] owns three things, as buildx's drivers do:
//! - how to open a byte stream that carries BuildKit's gRPC API
//!   ([`Driver::dial`]);
//! - how to open the build session's connection
//!   ([`Driver::open_session`]: dockerd's `/session` upgrade, or
//!   `Control.Session` by default);
//! - what the builder can do ([`Features`]), which decides exporters,
//!   defaults and refusals.
//!
//! The drivers here are [`docker`] (dockerd's embedded BuildKit),
//! [`docker_container`] (BuildKit in a container the driver makes, boots
//! and removes, reached through `buildctl dial-stdio`) and [`remote`]
//! (BuildKit's own socket: `unix://`, `tcp://` with optional mTLS,
//! `docker-container://` and `kube-pod://` through helper programs). The kinds of driver buildx knows are [`DriverKind`]: each one's
//! name, endpoint form and properties are defined there once, and
//! address parsing, the store's nodes and `create` ask it. A new driver is
//! one new file implementing [`Driver`] plus its [`DriverKind`] (the
//! compiler then names every place that must say how it is reached);
//! [`Client::connect_driver`](crate::Client::connect_driver) takes any
//! driver, also one written outside this crate.

pub mod docker;
pub mod docker_container;
pub mod remote;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::client::addr::{Endpoint, Target};
use crate::client::transport::BoxIo;
use crate::client::Client;
use crate::error::{Error, Result};

/// A boxed, sendable future (what [`Driver`]'s methods return).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a builder can do: buildx's driver features, and where `--load`
/// puts an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// The `oci` exporter (tarballs and OCI layout directories).
    pub oci_exporter: bool,
    /// The `docker` exporter writing a docker image tarball.
    pub docker_exporter: bool,
    /// Cache export other than `inline`.
    pub cache_export: bool,
    /// Several `--platform`s in one build.
    pub multi_platform: bool,
    /// Whether a build with no output loads its image into the docker
    /// daemon (buildx's `DefaultLoad`).
    pub default_load: bool,
    /// How an image reaches the docker daemon's image store.
    pub load: LoadPath,
}

/// How an image reaches the docker daemon's image store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadPath {
    /// The builder is dockerd's own BuildKit and shares its image store:
    /// images are exported with the `moby` exporter and base images are
    /// looked up there first (buildx's "moby driver").
    Moby,
    /// The builder writes a docker image tarball that the client streams
    /// into the docker daemon's image load API.
    Tarball,
}

impl Features {
    /// A BuildKit of its own (buildx 0.13's remote and docker-container
    /// drivers): every exporter, cache export, several platforms; `--load`
    /// streams a docker tarball into the docker daemon, and a build without
    /// an output loads nothing.
    pub const fn buildkit() -> Features {
        Features {
            oci_exporter: true,
            docker_exporter: true,
            cache_export: true,
            multi_platform: true,
            default_load: false,
            load: LoadPath::Tarball,
        }
    }

    /// True when the builder shares the docker daemon's image store
    /// ([`LoadPath::Moby`]).
    pub fn shares_image_store(&self) -> bool {
        self.load == LoadPath::Moby
    }
}

/// The kinds of builder driver buildx knows, each defined once: its name
/// as buildx spells it, the endpoint it takes, whether `create` makes it,
/// whether rkbuild drives it, and whether it runs BuildKit in a container
/// (entitlements). How a node of each kind is reached is
/// `docker::builders::nodes`' one `match` on this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DriverKind {
    /// dockerd's embedded BuildKit ([`docker`]).
    Docker,
    /// BuildKit in a container that the driver creates ([`docker_container`]).
    DockerContainer,
    /// BuildKit pods in a Kubernetes cluster (not driven by rkbuild).
    Kubernetes,
    /// A BuildKit daemon at its own address ([`remote`]).
    Remote,
}

/// What a builder's endpoint names, by driver kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointForm {
    /// A docker context's name or a docker host address.
    DockerDaemon,
    /// A BuildKit address ([`BUILDKIT_SCHEMES`]).
    Buildkit,
}

/// The address schemes of BuildKit's client (buildx's `IsValidEndpoint`
/// for remote builders), each with whether rkbuild dials it.
pub const BUILDKIT_SCHEMES: &[(&str, bool)] = &[
    ("tcp", true),
    ("unix", true),
    ("ssh", false),
    ("docker-container", true),
    ("kube-pod", true),
    ("npipe", false),
];

impl DriverKind {
    /// Every kind, in buildx's order of names.
    pub const ALL: [DriverKind; 4] = [
        DriverKind::Docker,
        DriverKind::DockerContainer,
        DriverKind::Kubernetes,
        DriverKind::Remote,
    ];

    /// buildx's name for it.
    pub fn name(&self) -> &'static str {
        match self {
            DriverKind::Docker => "docker",
            DriverKind::DockerContainer => "docker-container",
            DriverKind::Kubernetes => "kubernetes",
            DriverKind::Remote => "remote",
        }
    }

    /// The kind buildx calls `name`.
    pub fn from_name(name: &str) -> Option<DriverKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// What the builder's endpoint names.
    pub fn endpoint_form(&self) -> EndpointForm {
        match self {
            DriverKind::Remote => EndpointForm::Buildkit,
            DriverKind::Docker | DriverKind::DockerContainer | DriverKind::Kubernetes => {
                EndpointForm::DockerDaemon
            }
        }
    }

    /// Whether `docker buildx create --driver` takes it (the docker
    /// driver is each docker context's own builder).
    pub fn creatable(&self) -> bool {
        !matches!(self, DriverKind::Docker)
    }

    /// Whether rkbuild reaches builders of this kind.
    pub fn supported(&self) -> bool {
        !matches!(self, DriverKind::Kubernetes)
    }

    /// Whether BuildKit runs in a container the driver makes: its daemon
    /// is given `--allow-insecure-entitlement=network.host` unless other
    /// entitlements are set (buildx's `parseBuildkitdFlags`).
    pub fn is_container_driver(&self) -> bool {
        matches!(self, DriverKind::DockerContainer | DriverKind::Kubernetes)
    }

    /// The kinds `create --driver` offers, quoted and separated by commas
    /// (`"docker-container", "kubernetes", "remote"`), as its help lists
    /// them.
    pub fn quoted_creatable() -> String {
        let quoted: Vec<String> = Self::ALL
            .iter()
            .filter(|k| k.creatable())
            .map(|k| format!("\"{}\"", k.name()))
            .collect();
        quoted.join(", ")
    }
}

impl fmt::Display for DriverKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether `addr` names a BuildKit address scheme (buildx's
/// `IsValidEndpoint`), and whether rkbuild dials it: `None` for a scheme
/// BuildKit's client does not know.
pub fn buildkit_scheme(addr: &str) -> Option<(&'static str, bool)> {
    let scheme = addr.split_once("://").map(|(s, _)| s).unwrap_or("");
    BUILDKIT_SCHEMES.iter().copied().find(|(s, _)| *s == scheme)
}

/// A node's state (buildx's driver `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not reachable (remote) or not created.
    Inactive,
    /// Being started.
    Starting,
    /// Answering.
    Running,
    /// Being stopped.
    Stopping,
    /// Created but stopped.
    Stopped,
}

impl Status {
    /// buildx's word for it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Inactive => "inactive",
            Status::Starting => "starting",
            Status::Running => "running",
            Status::Stopping => "stopping",
            Status::Stopped => "stopped",
        }
    }
}

/// How to reach one builder. See the [module docs](self).
pub trait Driver: fmt::Debug + Send + Sync + 'static {
    /// buildx's name for this kind of driver (`docker`, `remote`, ...).
    fn name(&self) -> &'static str;

    /// The builder's address, as users write it and errors name it.
    fn address(&self) -> String;

    /// What the builder can do.
    fn features(&self) -> Features;

    /// Whether the builder runs on this machine (file transfers are then
    /// paced to the daemon's requests).
    fn is_local(&self) -> bool;

    /// Opens a byte stream on which BuildKit's gRPC API is served.
    fn dial(&self, timeout: Duration) -> BoxFuture<'_, Result<BoxIo>>;

    /// The URI the gRPC channel names (its `:authority`); `tls` says
    /// whether TLS options were given.
    fn grpc_uri(&self, tls: bool) -> String {
        let _ = tls;
        "http://buildkitd".to_string()
    }

    /// The host name a TLS handshake verifies, for drivers that speak TLS.
    fn tls_host(&self) -> Option<&str> {
        None
    }

    /// Opens the build session's connection; `headers` are the session's
    /// (id, name, shared key, methods). By default BuildKit's
    /// `Control.Session` stream.
    fn open_session<'a>(
        &'a self,
        client: &'a Client,
        headers: &'a [(String, String)],
    ) -> BoxFuture<'a, Result<BoxIo>> {
        Box::pin(crate::client::transport::tunnel::dial(client, headers))
    }

    /// The docker daemon's API behind this builder, when there is one
    /// (`version` asks it; proxy settings are looked up by its host).
    fn docker_api(&self) -> Option<&Endpoint> {
        None
    }

    /// The builder's state as its driver knows it without connecting
    /// (a container's state); `None`: ask by connecting (the default).
    fn status(&self) -> BoxFuture<'_, Result<Option<Status>>> {
        Box::pin(async { Ok(None) })
    }

    /// Starts the builder when it is not running (buildx's `Bootstrap`),
    /// reporting as `[internal] booting buildkit` on `progress`. The
    /// default has nothing to start.
    fn boot(
        &self,
        progress: Option<tokio::sync::mpsc::Sender<crate::progress::event::SolveStatus>>,
    ) -> BoxFuture<'_, Result<()>> {
        let _ = progress;
        Box::pin(async { Ok(()) })
    }

    /// Stops the builder's daemon, when the driver runs one.
    fn stop(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async { Ok(()) })
    }

    /// Removes what the driver made for the builder (`keep_state`: its
    /// state volume stays; `keep_daemon`: the daemon stays).
    fn remove(&self, keep_state: bool, keep_daemon: bool) -> BoxFuture<'_, Result<()>> {
        let _ = (keep_state, keep_daemon);
        Box::pin(async { Ok(()) })
    }
}

/// A driver for an address string: `docker+unix://`, `docker+tcp://`
/// ([`docker`]), `unix://`, `tcp://` ([`remote`]).
pub fn for_address(addr: &str) -> Result<Arc<dyn Driver>> {
    Ok(for_target(Target::parse(addr)?))
}

/// The driver for a parsed address: [`docker`] for [`Target::Docker`],
/// [`remote`] for [`Target::Buildkit`].
pub fn for_target(target: Target) -> Arc<dyn Driver> {
    match target {
        Target::Docker(ep) => Arc::new(docker::DockerDriver::new(ep)),
        Target::Buildkit(ep) => Arc::new(remote::RemoteDriver::new(ep)),
    }
}

/// Runs `fut` within `timeout`; past it, a timeout error naming `addr`.
pub(crate) async fn within<T>(
    addr: impl fmt::Display,
    timeout: Duration,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(r) => r,
        Err(_) => Err(Error::Timeout {
            addr: addr.to_string(),
            secs: timeout.as_secs_f64(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_pick_their_driver() {
        for (addr, name, shares) in [
            ("docker+unix:///var/run/docker.sock", "docker", true),
            ("docker+tcp://127.0.0.1:2375", "docker", true),
            ("unix:///run/buildkit/buildkitd.sock", "remote", false),
            ("tcp://10.0.0.1:1234", "remote", false),
        ] {
            let d = for_address(addr).unwrap();
            assert_eq!(d.name(), name, "{addr}");
            assert_eq!(d.address(), addr);
            assert_eq!(d.features().shares_image_store(), shares, "{addr}");
        }
        let e = for_address("ftp://x").unwrap_err().to_string();
        assert!(e.starts_with("invalid address"), "{e}");
    }

    #[test]
    fn driver_kinds_are_named_once() {
        for k in DriverKind::ALL {
            assert_eq!(DriverKind::from_name(k.name()), Some(k));
        }
        assert_eq!(DriverKind::from_name("podman"), None);
        assert_eq!(
            DriverKind::quoted_creatable(),
            r#""docker-container", "kubernetes", "remote""#
        );
        assert_eq!(buildkit_scheme("kube-pod://p"), Some(("kube-pod", true)));
        assert_eq!(buildkit_scheme("ssh://h"), Some(("ssh", false)));
        assert_eq!(buildkit_scheme("ftp://h"), None);
        assert_eq!(buildkit_scheme("plain"), None);
    }

    #[test]
    fn features_as_buildx_drivers_have_them() {
        let docker = for_address("docker+unix:///x").unwrap().features();
        assert!(!docker.oci_exporter && !docker.docker_exporter);
        assert!(!docker.cache_export && !docker.multi_platform);
        assert!(docker.default_load);
        let remote = for_address("unix:///x").unwrap().features();
        assert!(remote.oci_exporter && remote.docker_exporter);
        assert!(remote.cache_export && remote.multi_platform);
        assert!(!remote.default_load);
        assert_eq!(remote.load, LoadPath::Tarball);
    }
}
