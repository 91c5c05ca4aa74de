//! Errors of builders (see [`crate::builder`]): a node that failed, a
//! builder that cannot be used, `create`'s refusals. The messages are
//! buildx's where buildx has one.

use std::fmt;
use std::path::PathBuf;

use super::Error;

/// A node of a builder failed: the builder, the node and its endpoint are
/// named, then what went wrong.
#[derive(Debug)]
pub struct NodeError {
    /// The builder's name.
    pub builder: String,
    /// The node's name.
    pub node: String,
    /// The node's endpoint, as stored.
    pub endpoint: String,
    /// What the node was doing.
    pub stage: NodeStage,
    /// What went wrong.
    pub source: Error,
}

/// What a node was doing when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeStage {
    /// Reaching it: its driver, the connection, asking for its workers.
    Connect,
    /// Starting its daemon (a docker-container node's container).
    Boot,
    /// Building: the connection broke during the build.
    Build,
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (b, n, ep, e) = (&self.builder, &self.node, &self.endpoint, &self.source);
        match self.stage {
            NodeStage::Connect => write!(f, "builder {b} node {n} ({ep}): {e}"),
            NodeStage::Boot => write!(f, "builder {b} node {n} ({ep}): failed to boot: {e}"),
            NodeStage::Build => write!(f, "builder {b} node {n}: {e}"),
        }
    }
}

impl From<NodeError> for Error {
    fn from(e: NodeError) -> Error {
        Error::Node(Box::new(e))
    }
}

impl std::error::Error for NodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A builder that cannot be used as asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuilderError {
    /// The stored builder has no node (all of them left).
    #[error("builder {0} has no nodes")]
    NoNodes(String),
    /// After a bootstrap, a node could not be asked for its state.
    #[error("failed to bootstrap {builder} ({node}): {reason}")]
    Bootstrap {
        /// The builder.
        builder: String,
        /// The node.
        node: String,
        /// Why it could not be asked.
        reason: String,
    },
    /// After a bootstrap, a node does not answer.
    #[error("failed to bootstrap {builder} ({node}): {endpoint} does not answer")]
    NotAnswering {
        /// The builder.
        builder: String,
        /// The node.
        node: String,
        /// Its endpoint.
        endpoint: String,
    },
    /// `host-gateway` in `--add-host`: the builder's workers could not be
    /// listed for their host-gateway label.
    #[error("unable to derive the IP value for host-gateway: listing workers: {0}")]
    HostGateway(Box<Error>),
    /// `--load` of several platforms on one node.
    #[error("docker exporter does not currently support exporting manifest lists")]
    LoadManifestList,
    /// A `type=docker` output of several platforms on one node.
    #[error(
        "docker exporter does not support exporting manifest lists, use the oci exporter instead"
    )]
    DockerManifestList,
    /// `--add-host` with `host-gateway` on a driver that has none (only
    /// the docker driver's daemon knows its gateway).
    #[error("unable to derive the IP value for host-gateway: host-gateway is not supported by the {0} driver")]
    HostGatewayUnsupported(String),
    /// `--add-host` with `host-gateway`, and the builder's workers do not
    /// say it.
    #[error("unable to derive the IP value for host-gateway: host-gateway IP not found")]
    HostGatewayNotFound,
    /// A feature the builder's driver lacks (buildx's `notSupported`).
    #[error("{feature} is not supported for the {driver} driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.\nLearn more at {docs}")]
    Unsupported {
        /// The feature (`OCI exporter`, `Multi-platform build`, ...).
        feature: String,
        /// The driver's name.
        driver: String,
        /// Where the docs say more.
        docs: String,
    },
    /// A node of a new or changed builder has no usable driver; the store
    /// was rolled back.
    #[error("failed to initialize builder {builder} ({node}): {reason}")]
    Initialize {
        /// The builder.
        builder: String,
        /// The node.
        node: String,
        /// What its driver said.
        reason: String,
    },
}

/// What `create` refuses (buildx's `builder.Create` and its command).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CreateError {
    /// `--leave` without `--name`.
    #[error("leave requires instance name")]
    LeaveNeedsName,
    /// `--leave` without `--node`.
    #[error("leave requires node name")]
    LeaveNeedsNode,
    /// `--leave` of a builder that is not stored.
    #[error("failed to find instance {0:?} for leave")]
    NoInstanceToLeave(String),
    /// `--name default`.
    #[error("default is a reserved name and cannot be used to identify builder instance")]
    ReservedName,
    /// `--append` without `--name`.
    #[error("append requires a builder name")]
    AppendNeedsName,
    /// The name is a docker context's.
    #[error("instance name {0:?} already exists as context builder")]
    ContextName(String),
    /// `--append` to a builder that is not stored.
    #[error("failed to find instance {0:?} for append")]
    NoInstanceToAppend(String),
    /// A stored builder of that name, and neither `--append` nor `--node`.
    #[error("existing instance for {0:?} but no append mode, specify the node name to make changes for existing instances")]
    Exists(String),
    /// `--driver` differs from the stored builder's.
    #[error("existing instance for {name:?} but has mismatched driver {driver:?}")]
    DriverMismatch {
        /// The builder.
        name: String,
        /// Its driver.
        driver: String,
    },
    /// A buildx driver rkbuild does not drive (`kubernetes`).
    #[error("the {0} driver is not supported by rkbuild yet")]
    UnsupportedDriver(String),
    /// No such driver.
    #[error("failed to find driver {0:?}")]
    UnknownDriver(String),
    /// A `--driver-opt` that is not CSV of `k=v`.
    #[error("{0}")]
    DriverOpt(String),
    /// `--buildkitd-flags` that do not split into words.
    #[error("failed to parse buildkit flags: unbalanced quotes")]
    BuildkitdFlags,
    /// A remote builder without an endpoint (nor `BUILDKIT_HOST`).
    #[error("no remote endpoint provided")]
    NoRemoteEndpoint,
    /// A remote endpoint with a scheme BuildKit does not dial.
    #[error("unrecognized url scheme {0}")]
    UrlScheme(String),
    /// A docker endpoint that is neither a context nor a docker host.
    #[error("failed to parse endpoint {endpoint}: {reason}")]
    Endpoint {
        /// The endpoint as given.
        endpoint: String,
        /// Why it is not a docker host.
        reason: String,
    },
    /// `--buildkitd-config` could not be read.
    #[error("open {}: {source}", path.display())]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// No free name was found.
    #[error("failed to generate random name")]
    NameGeneration,
}
