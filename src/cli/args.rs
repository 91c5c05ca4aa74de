//! The command line, as clap types. One definition feeds parsing, help,
//! shell completions and the man page.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Build with BuildKit: a fast drop-in for `docker buildx build`.
#[derive(Debug, Parser)]
#[command(
    name = "docker rkbuild",
    bin_name = "docker rkbuild",
    version = concat!("v", env!("CARGO_PKG_VERSION")),
    disable_version_flag = true,
    propagate_version = true
)]
pub struct Cli {
    /// Options that select the builder.
    #[command(flatten)]
    pub global: GlobalOpts,

    /// Print the client version and exit.
    #[arg(long = "version", global = false)]
    pub print_version: bool,

    /// Command to run.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Build options, for `docker rkbuild [OPTIONS] PATH`.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// `docker buildx build`'s options, with its names, types and help.
#[derive(Debug, Args, Clone, Default)]
pub struct BuildArgs {
    /// Build context: a directory, a URL, or "-" to read a tar or a
    /// Dockerfile from stdin.
    #[arg(value_name = "PATH | URL | -")]
    pub context: Option<String>,

    /// Add a custom host-to-IP mapping (format: "host:ip")
    #[arg(long = "add-host", value_name = "strings", value_delimiter = ',')]
    pub add_host: Vec<String>,

    /// Allow extra privileged entitlement (e.g., "network.host", "security.insecure")
    #[arg(long, value_name = "strings", value_delimiter = ',')]
    pub allow: Vec<String>,

    /// Add annotation to the image
    #[arg(long, value_name = "stringArray")]
    pub annotation: Vec<String>,

    /// Attestation parameters (format: "type=sbom,generator=image")
    #[arg(long, value_name = "stringArray")]
    pub attest: Vec<String>,

    /// Set build-time variables
    #[arg(long = "build-arg", value_name = "stringArray")]
    pub build_arg: Vec<String>,

    /// Additional build contexts (e.g., name=path)
    #[arg(long = "build-context", value_name = "stringArray")]
    pub build_context: Vec<String>,

    /// External cache sources (e.g., "user/app:cache", "type=local,src=path/to/dir")
    #[arg(long = "cache-from", value_name = "stringArray")]
    pub cache_from: Vec<String>,

    /// Cache export destinations (e.g., "user/app:cache", "type=local,dest=path/to/dir")
    #[arg(long = "cache-to", value_name = "stringArray")]
    pub cache_to: Vec<String>,

    /// Set the parent cgroup for the "RUN" instructions during build
    #[arg(long = "cgroup-parent", value_name = "string")]
    pub cgroup_parent: Option<String>,

    /// Name of the Dockerfile (default: "PATH/Dockerfile")
    #[arg(short = 'f', long = "file", value_name = "string")]
    pub file: Option<String>,

    /// Write the image ID to the file
    #[arg(long, value_name = "string")]
    pub iidfile: Option<std::path::PathBuf>,

    /// Set metadata for an image
    #[arg(long, value_name = "stringArray")]
    pub label: Vec<String>,

    /// Shorthand for "--output=type=docker"
    #[arg(long)]
    pub load: bool,

    /// Write build result metadata to the file
    #[arg(long = "metadata-file", value_name = "string")]
    pub metadata_file: Option<std::path::PathBuf>,

    /// Set the networking mode for the "RUN" instructions during build
    #[arg(long, value_name = "string", default_value = "default")]
    pub network: String,

    /// Do not use cache when building the image
    #[arg(long = "no-cache")]
    pub no_cache: bool,

    /// Do not cache specified stages
    #[arg(long = "no-cache-filter", value_name = "stringArray")]
    pub no_cache_filter: Vec<String>,

    /// Output destination (format: "type=local,dest=path")
    #[arg(short = 'o', long, value_name = "stringArray")]
    pub output: Vec<String>,

    /// Set target platform for build
    #[arg(long, value_name = "stringArray")]
    pub platform: Vec<String>,

    /// Set type of progress output ("auto", "plain", "tty", "rawjson", "quiet").
    /// Use plain to show container output
    #[arg(
        long,
        value_name = "string",
        default_value = "auto",
        env = "BUILDKIT_PROGRESS",
        hide_env = true
    )]
    pub progress: String,

    /// Shorthand for "--attest=type=provenance"
    #[arg(long, value_name = "string")]
    pub provenance: Option<String>,

    /// Always attempt to pull all referenced images
    #[arg(long)]
    pub pull: bool,

    /// Shorthand for "--output=type=registry"
    #[arg(long)]
    pub push: bool,

    /// Suppress the build output and print image ID on success
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Shorthand for "--attest=type=sbom"
    #[arg(long, value_name = "string")]
    pub sbom: Option<String>,

    /// Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")
    #[arg(long, value_name = "stringArray")]
    pub secret: Vec<String>,

    /// Shared memory size for build containers
    #[arg(long = "shm-size", value_name = "bytes")]
    pub shm_size: Option<String>,

    /// SSH agent socket or keys to expose to the build (format: "default|<id>[=<socket>|<key>[,<key>]]")
    #[arg(long, value_name = "stringArray")]
    pub ssh: Vec<String>,

    /// Name and optionally a tag (format: "name:tag")
    #[arg(short = 't', long, value_name = "stringArray")]
    pub tag: Vec<String>,

    /// Set the target build stage to build
    #[arg(long, value_name = "string")]
    pub target: Option<String>,

    /// Ulimit options
    #[arg(long, value_name = "ulimit")]
    pub ulimit: Vec<String>,
}

/// Options shared by every command.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalOpts {
    /// Override the configured builder instance.
    #[arg(long, global = true, env = "BUILDX_BUILDER", value_name = "string")]
    pub builder: Option<String>,

    /// BuildKit address (unix:///path, tcp://host:port, docker+unix:///path);
    /// default: the docker daemon's embedded BuildKit.
    #[arg(long, global = true, env = "BUILDKIT_HOST", value_name = "address")]
    pub addr: Option<String>,

    /// CA certificate for a tcp:// BuildKit address.
    #[arg(long, global = true, value_name = "file")]
    pub tlscacert: Option<std::path::PathBuf>,

    /// Client certificate for a tcp:// BuildKit address.
    #[arg(long, global = true, value_name = "file")]
    pub tlscert: Option<std::path::PathBuf>,

    /// Client key for a tcp:// BuildKit address.
    #[arg(long, global = true, value_name = "file")]
    pub tlskey: Option<std::path::PathBuf>,

    /// Server name to verify in the builder's certificate.
    #[arg(long, global = true, value_name = "name")]
    pub tlsservername: Option<String>,

    /// Seconds to wait for the connection to the builder.
    #[arg(
        long,
        global = true,
        default_value_t = 20,
        value_name = "seconds",
        hide = true
    )]
    pub connect_timeout: u64,

    /// Enable debug logging.
    #[arg(short = 'D', long, global = true)]
    pub debug: bool,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a build
    #[command(visible_alias = "b")]
    Build(Box<BuildArgs>),
    /// Show client and builder versions.
    Version(VersionArgs),
    /// Disk usage
    Du(DuArgs),
    /// Remove build cache
    Prune(PruneArgs),
    /// List builder instances
    Ls(LsArgs),
    /// Print the docker CLI plugin metadata.
    #[command(name = "docker-cli-plugin-metadata", hide = true)]
    Metadata,
}

/// `version` options.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output formats of informational commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
}

/// `du` options (buildx's).
#[derive(Debug, Args)]
pub struct DuArgs {
    /// Provide filter values
    #[arg(long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Provide a more verbose output
    #[arg(long)]
    pub verbose: bool,
}

/// `prune` options (buildx's).
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Include internal/frontend images
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Provide filter values (e.g., "until=24h")
    #[arg(long, value_name = "filter")]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Amount of disk space to keep for cache
    #[arg(long = "keep-storage", value_name = "bytes")]
    pub keep_storage: Option<String>,
    /// Provide a more verbose output
    #[arg(long)]
    pub verbose: bool,
}

/// `ls` options (buildx's).
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Format the output
    #[arg(long, value_name = "string", default_value = "table")]
    pub format: String,
}
