//! CLI errors: one line, with a hint that says what to do, and an exit code.

use std::fmt;

/// Exit code for a canceled command (128 + SIGINT), as buildx.
pub const EXIT_CANCELED: i32 = 130;

/// An error as the CLI reports it.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// Process exit code.
    pub code: i32,
}

impl CliError {
    /// An error with exit code 1.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: 1,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Canceled by the user.
    pub fn canceled() -> Self {
        CliError {
            message: "canceled".into(),
            hint: None,
            code: EXIT_CANCELED,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let msg = self.message.trim_end();
        match &self.hint {
            Some(h) => write!(f, "{msg} (hint: {h})"),
            None => write!(f, "{msg}"),
        }
    }
}

impl From<crate::Error> for CliError {
    fn from(e: crate::Error) -> Self {
        let code = if matches!(e, crate::Error::Canceled) {
            EXIT_CANCELED
        } else {
            1
        };
        CliError {
            message: e.to_string(),
            hint: hint(&e),
            code,
        }
    }
}

/// What to do about a library error, when the CLI knows.
fn hint(e: &crate::Error) -> Option<String> {
    use crate::error::{BuilderError, CreateError, NodeStage};
    use crate::Error as E;
    let h = match e {
        E::InvalidAddress { .. } => {
            "use unix:///path/to/buildkitd.sock, tcp://host:port or docker+unix:///var/run/docker.sock"
        }
        E::NotListening { addr, .. } if addr.starts_with("docker+") => {
            "is the docker daemon running? check DOCKER_HOST, --context or --addr"
        }
        E::NotListening { .. } => "is buildkitd running there? check --addr / BUILDKIT_HOST",
        E::PermissionDenied { .. } => {
            "run as a user who may open the socket (e.g. a member of the docker group)"
        }
        E::Timeout { .. } => "check that the address is right and the daemon responsive",
        E::NotBuildkit { .. } => {
            "point --addr at buildkitd, or DOCKER_HOST at a docker daemon with BuildKit"
        }
        E::NotDocker { .. } => {
            "point DOCKER_HOST or --context at a docker daemon, or use --addr for buildkitd"
        }
        E::Tls { .. } => "check --tlscacert, --tlscert, --tlskey and --tlsservername",
        E::NoBuilder { .. } => {
            "list builders with `docker rkbuild ls`, or make one with `docker rkbuild create`"
        }
        // A connection that broke while building keeps its own hint; a
        // node that cannot be reached or booted is said in one line.
        E::Node(n) if n.stage == NodeStage::Build => return hint(&n.source),
        E::Builder(BuilderError::NoNodes(name)) => {
            return Some(format!(
                "add one with `docker rkbuild create --append --name {name} ENDPOINT`"
            ))
        }
        E::Builder(BuilderError::NotAnswering { .. }) => {
            "start the BuildKit daemon there, or fix the endpoint with `docker rkbuild create --node`"
        }
        E::Create(CreateError::UnsupportedDriver(driver)) => {
            return Some(format!(
                "create it with `docker buildx create --driver {driver}` (rkbuild lists it), or use --driver remote with kube-pod://POD"
            ))
        }
        E::Create(CreateError::UrlScheme(_)) => "use unix:///path/to/buildkitd.sock or tcp://host:port",
        E::Create(CreateError::NameGeneration) => "give one with --name",
        _ => return None,
    };
    Some(h.to_string())
}

/// The CLI's result type.
pub type CliResult<T = ()> = Result<T, CliError>;
