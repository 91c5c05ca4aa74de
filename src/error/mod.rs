//! Typed errors of the library.
//!
//! Every variant carries enough context for a one-line message; the CLI adds a
//! hint on top (see `cli::error`).

mod builder;
mod input;
mod option;
mod output;
mod transport;

pub use builder::{BuilderError, CreateError, NodeError, NodeStage};
pub use input::{LockFailure, NamedContextError, OciLayoutError, PatternError, SecretError};
pub use option::{CsvOption, OptionError};
pub use output::{CacheError, ExportError};
pub use transport::{DockerError, SessionError, TransferError};

use std::path::PathBuf;

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors returned by the rkbuild library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address string could not be understood.
    #[error("invalid address {addr:?}: {reason}")]
    InvalidAddress {
        /// The address as given.
        addr: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Nothing listens at the address (no socket file, connection refused).
    #[error("cannot connect to {addr}: {detail}")]
    NotListening {
        /// The address dialed.
        addr: String,
        /// What the system said.
        detail: String,
    },
    /// The socket exists but this user may not open it.
    #[error("cannot connect to {addr}: permission denied")]
    PermissionDenied {
        /// The address dialed.
        addr: String,
    },
    /// Connecting (or the first exchange) took longer than allowed.
    #[error("timed out after {secs:.1}s connecting to {addr}")]
    Timeout {
        /// The address dialed.
        addr: String,
        /// The limit that was hit.
        secs: f64,
    },
    /// Something answered, but it does not speak BuildKit's gRPC API.
    #[error("{addr} is not a BuildKit endpoint: {detail}")]
    NotBuildkit {
        /// The address dialed.
        addr: String,
        /// What went wrong.
        detail: String,
    },
    /// Something answered, but it is not a docker daemon.
    #[error("{addr} is not a docker daemon: {detail}")]
    NotDocker {
        /// The address dialed.
        addr: String,
        /// What went wrong.
        detail: String,
    },
    /// The TLS configuration or handshake failed.
    #[error("TLS with {addr} failed: {detail}")]
    Tls {
        /// The address dialed.
        addr: String,
        /// What went wrong.
        detail: String,
    },
    /// Reading or writing a local file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A connection-level I/O error.
    #[error("{context}: {source}")]
    Transport {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A BuildKit call returned an error status.
    #[error("{call}: {}", status_message(.status))]
    Rpc {
        /// The call, e.g. `Control.Info`.
        call: &'static str,
        /// The gRPC status.
        status: Box<tonic::Status>,
    },
    /// The build failed (Control.Solve returned an error). The status keeps
    /// the daemon's error details (failing step, source location).
    #[error("failed to solve: {}", status_message(.0))]
    Solve(Box<tonic::Status>),
    /// The docker daemon's HTTP API answered with an error.
    #[error("Error response from daemon: {message}")]
    DockerApi {
        /// Request path.
        path: String,
        /// HTTP status code.
        status: u16,
        /// Message from the daemon.
        message: String,
    },
    /// Invalid configuration (config.json, contexts, ...).
    #[error("{0}")]
    Config(String),
    /// No stored builder and no docker context has this name.
    #[error("no builder {name:?} found")]
    NoBuilder {
        /// The name asked for.
        name: String,
    },
    /// A builder or node name that buildx would refuse.
    #[error("{0}")]
    InvalidName(String),
    /// The operation was canceled.
    #[error("canceled")]
    Canceled,
    /// A file operation of a file transfer failed. Shown the way Go reports
    /// it (`open /path: permission denied`), as the daemon relays it.
    #[error("{op} {}: {}", path.display(), crate::go::syscall::error_text(source))]
    FileOp {
        /// The operation (`open`, `lstat`, `read`, ...).
        op: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An include or exclude pattern of a file transfer is invalid.
    #[error("invalid {which}: [{}]: {source}", patterns.join(" "))]
    Pattern {
        /// `includepatterns` or `excludepatterns`.
        which: &'static str,
        /// The patterns as given.
        patterns: Vec<String>,
        /// What is wrong with them.
        #[source]
        source: PatternError,
    },
    /// An `oci-layout://` named context could not be resolved.
    #[error(transparent)]
    OciLayout(#[from] OciLayoutError),
    /// A `--build-context` could not be used.
    #[error(transparent)]
    NamedContext(#[from] NamedContextError),
    /// A tag (`BuildOptions::tags`, `-t`) is not an image reference;
    /// buildx's message.
    #[error("invalid tag {}: {source}", crate::go::strconv::quote(.tag.as_bytes()))]
    InvalidTag {
        /// The tag as given.
        tag: String,
        /// Why it is not a reference.
        #[source]
        source: crate::reference::ReferenceError,
    },
    /// A `--platform` value is not a platform specifier.
    #[error(transparent)]
    Platform(#[from] crate::platform::PlatformError),
    /// A `--secret` value or its source is not valid.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// A size or ulimit value is not valid.
    #[error(transparent)]
    Units(#[from] crate::go::units::UnitsError),
    /// A node of a builder failed (`builder B node N (ENDPOINT): ...`).
    #[error(transparent)]
    Node(Box<NodeError>),
    /// A builder cannot be used as asked.
    #[error(transparent)]
    Builder(#[from] BuilderError),
    /// `create` refused its options.
    #[error(transparent)]
    Create(#[from] CreateError),
    /// A call to a registry failed (the manifest list merged on the
    /// client after a multi-node push).
    #[error(transparent)]
    Registry(Box<crate::registry::RegistryError>),
    /// An option's value cannot be used (`--output`, `--cache-to`,
    /// `--attest`, `--annotation`, `--network`, `--add-host`,
    /// `--progress`, the build context, the source policy).
    #[error(transparent)]
    Option(#[from] OptionError),
    /// An output cannot be written as asked.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A cache export or import cannot be used.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A file transfer with the daemon failed.
    #[error(transparent)]
    Transfer(#[from] TransferError),
    /// The build session failed.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The docker daemon's API did not give what a driver needs.
    #[error(transparent)]
    Docker(#[from] DockerError),
    /// Credentials for a registry could not be found.
    #[error(transparent)]
    Credentials(#[from] crate::docker::CredentialError),
    /// The build of one node of a multi-node build failed.
    #[error("node {node}: {source}")]
    OnNode {
        /// The node.
        node: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// A task of the library (the build, a file transfer's) ended without
    /// its result: it panicked.
    #[error("{task} task failed: {reason}")]
    TaskFailed {
        /// The task (`the build`, `file transfer`).
        task: &'static str,
        /// What the runtime said.
        reason: String,
    },
    /// [`Build::finish`](crate::Build::finish) after the
    /// result was taken.
    #[error("the build was already finished")]
    AlreadyFinished,
    /// Anything else, already described in one line. Use it only where no
    /// variant above fits: what a caller could want to tell apart gets a
    /// variant of its own.
    #[error("{0}")]
    Other(String),
}

impl From<crate::registry::RegistryError> for Error {
    fn from(e: crate::registry::RegistryError) -> Self {
        Error::Registry(Box::new(e))
    }
}

impl Error {
    /// Wraps a gRPC status from `call`.
    pub fn rpc(call: &'static str, status: tonic::Status) -> Self {
        Error::Rpc {
            call,
            status: Box::new(status),
        }
    }

    /// Replaces the address named by a connection error (e.g. to say
    /// `docker+unix://...` where the transport only saw `unix://...`).
    pub fn with_addr(self, new: String) -> Self {
        match self {
            Error::NotListening { detail, .. } => Error::NotListening { addr: new, detail },
            Error::PermissionDenied { .. } => Error::PermissionDenied { addr: new },
            Error::Timeout { secs, .. } => Error::Timeout { addr: new, secs },
            other => other,
        }
    }

    /// The gRPC status code, when this is an RPC error.
    pub fn grpc_code(&self) -> Option<tonic::Code> {
        match self {
            Error::Rpc { status, .. } => Some(status.code()),
            _ => None,
        }
    }
}

fn status_message(status: &tonic::Status) -> String {
    let msg = status.message();
    if msg.is_empty() {
        format!("{:?}", status.code())
    } else {
        msg.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed errors keep the texts they had as `Other` strings (the
    /// CLI's output is compared with buildx's).
    #[test]
    fn messages_are_unchanged() {
        let io = || std::io::Error::from_raw_os_error(13);
        let cases: Vec<(Error, &str)> = vec![
            (
                BuilderError::Unsupported {
                    feature: "OCI exporter".into(),
                    driver: "docker".into(),
                    docs: "https://docs.docker.com/go/build-exporters/".into(),
                }
                .into(),
                "OCI exporter is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.\nLearn more at https://docs.docker.com/go/build-exporters/",
            ),
            (
                OptionError::ContextNotFound("/no/such".into()).into(),
                "unable to prepare context: path \"/no/such\" not found",
            ),
            (
                OptionError::CacheType("ref=x".into()).into(),
                "type required form> \"ref=x\"",
            ),
            (
                OptionError::AttestDisabled {
                    field: "disabled=maybe".into(),
                    value: "maybe".into(),
                }
                .into(),
                "invalid value disabled=maybe: strconv.ParseBool: parsing \"maybe\": invalid syntax",
            ),
            (
                OptionError::Network("bridge".into()).into(),
                "network mode \"bridge\" not supported by buildkit - you can define a custom network for your builder using the network driver-opt in buildx create",
            ),
            (
                OptionError::PolicyFile {
                    path: "/p.json".into(),
                    source: io(),
                }
                .into(),
                "failed to read policy file: open /p.json: permission denied",
            ),
            (
                ExportError::Stat {
                    what: "directory",
                    dest: "/d".into(),
                    source: io(),
                }
                .into(),
                "invalid destination directory: /d: stat /d: permission denied",
            ),
            (
                ExportError::StdoutIsTerminal("tar".into()).into(),
                "dest file is required for tar exporter. refusing to write to console",
            ),
            (
                TransferError::NonUtf8Target {
                    path: "/l".into(),
                    target: "t".into(),
                }
                .into(),
                "cannot send /l: the symlink target \"t\" is not valid UTF-8",
            ),
            (TransferError::Poisoned("file table").into(), "file table poisoned"),
            (
                Error::TaskFailed {
                    task: "file transfer",
                    reason: "panicked".into(),
                },
                "file transfer task failed: panicked",
            ),
            (
                Error::OnNode {
                    node: "n1".into(),
                    source: Box::new(ExportError::TagRequired.into()),
                },
                "node n1: tag is needed when pushing to registry",
            ),
            (
                DockerError::Exit {
                    code: 1,
                    stderr: "no".into(),
                }
                .into(),
                "exit code 1: no",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want, "{e:?}");
        }
    }
}
