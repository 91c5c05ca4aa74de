//! What a build is asked to do: [`BuildOptions`] (what `docker buildx
//! build` takes, and the session's settings), where its context and
//! Dockerfile come from. [`BuildOptions::to_solve`] (in the Dockerfile
//! frontend's module) turns them into a solve.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::attest::Attests;
use super::cache::CacheEntry;
use super::export::OutputSpec;

/// Where the Dockerfile comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DockerfileSource {
    /// `PATH/Dockerfile` (or `dockerfile` if only that exists).
    #[default]
    Default,
    /// `-f FILE`: a path, inside or outside the context.
    Path(PathBuf),
    /// `-f -` or a Dockerfile on stdin: its contents.
    Contents(Vec<u8>),
}

/// The build context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildContext {
    /// A local directory.
    Dir(PathBuf),
    /// No files: the Dockerfile came on stdin (`docker build - < Dockerfile`).
    Empty,
    /// A remote context (git URL or tarball URL) fetched by the daemon.
    Remote(String),
    /// A tar archive (possibly compressed), e.g. read from stdin; served to
    /// the daemon through the session's Upload service.
    Tar(bytes::Bytes),
}

/// What `docker buildx build` takes, in library form.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The build context; `None` is an error (buildx: "please specify build context").
    pub context: Option<BuildContext>,
    /// `-f`.
    pub dockerfile: DockerfileSource,
    /// `--build-arg` (values already resolved from the environment).
    pub build_args: BTreeMap<String, String>,
    /// `--target`.
    pub target: Option<String>,
    /// `--platform` (each `os/arch[/variant]`).
    pub platforms: Vec<String>,
    /// `--label`.
    pub labels: BTreeMap<String, String>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--no-cache-filter`.
    pub no_cache_filter: Vec<String>,
    /// `--pull`.
    pub pull: bool,
    /// `--network` (`default`, `host`, `none`).
    pub network: Option<String>,
    /// `--add-host` (`host:ip` or `host=ip`).
    pub add_hosts: Vec<String>,
    /// `--shm-size` in bytes.
    pub shm_size: Option<u64>,
    /// `--ulimit` (`name=soft[:hard]`).
    pub ulimits: Vec<String>,
    /// `--allow` entitlements.
    pub allow: Vec<String>,
    /// `--build-context name=value`.
    pub build_contexts: BTreeMap<String, String>,
    /// `-t`.
    pub tags: Vec<String>,
    /// `-o`, `--push`, `--load` (parsed).
    pub outputs: Vec<OutputSpec>,
    /// `--cgroup-parent`.
    pub cgroup_parent: Option<String>,
    /// Build args from the docker CLI's proxy configuration; explicit
    /// `--build-arg`s win.
    pub proxy_args: BTreeMap<String, String>,
    /// `--cache-from` (see [`parse_cache_entries`](super::cache::parse_cache_entries)).
    pub cache_from: Vec<CacheEntry>,
    /// `--cache-to`.
    pub cache_to: Vec<CacheEntry>,
    /// `--attest`, `--provenance`, `--sbom` (see
    /// [`parse_attests`](super::attest::parse_attests)).
    pub attests: Attests,
    /// Leave out buildx's default `mode=min` provenance on drivers that
    /// can attach attestations (`BUILDX_NO_DEFAULT_ATTESTATIONS`).
    pub no_default_attestations: bool,
    /// `--annotation`, as exporter attributes (see
    /// [`parse_annotations`](super::attest::parse_annotations)).
    pub annotations: BTreeMap<String, String>,
    /// What `host-gateway` in `--add-host` stands for: the builder's
    /// `org.mobyproject.buildkit.worker.moby.host-gateway-ip` worker label
    /// (see [`Client::host_gateway_ip`](crate::Client::host_gateway_ip)).
    /// Only dockerd's BuildKit has one, as buildx's docker driver.
    pub host_gateway_ip: Option<String>,
    /// Which git information about a local context the build carries
    /// (see [`GitOptions`](super::git::GitOptions); buildx's default:
    /// `vcs:*` attributes, no labels).
    pub git: super::git::GitOptions,
    /// The session's name; empty: the working directory's base name, as
    /// buildx names it (`rkbuild` when it has none).
    pub session_name: String,
    /// Registry credentials served to the daemon and used for pushes
    /// through the docker daemon (e.g.
    /// [`CredentialStore::from_dir`](crate::docker::CredentialStore::from_dir)
    /// of the docker config directory); `None`: anonymous pulls and pushes.
    pub credentials: Option<crate::docker::CredentialStore>,
    /// The docker daemon `--load` loads into on a builder that does not
    /// share its image store (buildx: the current docker context's).
    pub docker_api: Option<crate::client::Endpoint>,
    /// The build reference; empty: a random one.
    pub reference: String,
    /// A source policy sent with the build
    /// (`EXPERIMENTAL_BUILDKIT_SOURCE_POLICY`, see
    /// [`read_policy`](super::policy::read_policy)).
    pub source_policy: Option<crate::proto::moby::buildkit::v1::sourcepolicy::Policy>,
    /// Where an output to standard output (`-o -`, `type=tar` without a
    /// destination) is written.
    pub stdout: Option<super::OutputWriter>,
    /// Services on the build's session besides files, outputs and
    /// credentials (secrets, SSH agents, your own); each session gets its
    /// own instance (a build on several nodes has one session per node).
    pub session: Vec<crate::session::SharedService>,
    /// How the session connects (see
    /// [`Transport`](crate::session::Transport)).
    pub session_transport: crate::session::Transport,
}

/// buildx's session name: the working directory's base name (`rkbuild`
/// when it has none).
pub(crate) fn default_session_name() -> String {
    std::env::current_dir()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "rkbuild".into())
}

/// Temporary files a solve needs (a Dockerfile from stdin, an empty
/// context); removed on drop.
#[derive(Debug, Default)]
pub struct TempDirs(pub(super) Vec<tempfile::TempDir>);
