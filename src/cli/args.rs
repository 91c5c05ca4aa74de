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
    #[arg(long, global = true, default_value_t = 20, value_name = "seconds", hide = true)]
    pub connect_timeout: u64,

    /// Enable debug logging.
    #[arg(short = 'D', long, global = true)]
    pub debug: bool,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show client and builder versions.
    Version(VersionArgs),
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
