//! The command line, as clap types. One definition feeds parsing, help,
//! shell completions and the man page.
//!
//! Values are taken as buildx's flag parser (cobra's pflag) takes them:
//! `pflag.rs` reads the words first, over this definition, and hands clap
//! an equivalent command line (or refuses it with pflag's message). A
//! flag that takes a value takes the next argument whatever it is, even
//! when it starts with `-` (`--build-arg -x=1`, `-t --`), so every such
//! flag here has `allow_hyphen_values`; `--flag=value` and `-fvalue` are
//! clap's too, and flags without a value (`--load`, `-q`) never take the
//! next argument (they take one after `=`: `--load=false`). A flag given
//! again replaces its value (the last one wins), as in pflag; list flags
//! (`stringArray`) collect every value.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::client::driver::DriverKind;
use crate::progress::ProgressMode;

/// The pflag types of flag values. Each flag that takes a value declares
/// its type once, as its `value_name` (`value_name =
/// ValueType::Bytes.name()`): help shows it after the flag
/// (`--shm-size <bytes>`) and `pflag.rs` reads the value by it
/// ([`ValueType::of`]). Flags of rkbuild's own with other value names
/// (`<file>`, `<seconds>`) are plain strings to pflag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// `string`: the word as it is.
    String,
    /// `strings` (pflag's `StringSlice`): each value is a CSV record, one
    /// value per field.
    Strings,
    /// `stringArray`: each value as it is, every one kept.
    StringArray,
    /// `bytes` (docker's `MemBytes`): a size such as `2g`.
    Bytes,
    /// `ulimit` (docker's `UlimitOpt`): `name=soft[:hard]`.
    Ulimit,
    /// `int` (pflag's `Int` and `Int64`): Go's `strconv.ParseInt(s, 0, 64)`.
    Int,
}

impl ValueType {
    /// Every type.
    pub const ALL: [ValueType; 6] = [
        ValueType::String,
        ValueType::Strings,
        ValueType::StringArray,
        ValueType::Bytes,
        ValueType::Ulimit,
        ValueType::Int,
    ];

    /// pflag's name for it, as help shows it.
    pub const fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Strings => "strings",
            ValueType::StringArray => "stringArray",
            ValueType::Bytes => "bytes",
            ValueType::Ulimit => "ulimit",
            ValueType::Int => "int",
        }
    }

    /// The type flag `a` declares (its value name); `None` for a flag
    /// without a value or with a value name of its own.
    pub fn of(a: &clap::Arg) -> Option<ValueType> {
        let names = a.get_value_names()?;
        let [name] = names else { return None };
        Self::ALL.into_iter().find(|t| t.name() == name.as_str())
    }
}

/// What the values of a flag name, where shell completion looks them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Progress modes ([`ProgressMode::ALL`]).
    ProgressModes,
    /// Comma-separated platforms (the builder's, else a static list).
    Platforms,
    /// Builders and docker contexts.
    Builders,
    /// Stages of the Dockerfile the command line selects.
    Stages,
    /// The Dockerfile (its stages are completed for [`Values::Stages`]).
    Dockerfile,
}

/// The flags whose values completion looks up, by long name: the one
/// place that says what their values name.
const FLAG_VALUES: &[(&str, Values)] = &[
    ("progress", Values::ProgressModes),
    ("platform", Values::Platforms),
    ("builder", Values::Builders),
    ("target", Values::Stages),
    ("file", Values::Dockerfile),
];

impl Values {
    /// What the values of flag `a` name, when completion looks them up.
    pub fn of(a: &clap::Arg) -> Option<Values> {
        let long = a.get_long()?;
        FLAG_VALUES
            .iter()
            .find(|(l, _)| *l == long)
            .map(|(_, v)| *v)
    }
}

/// Build with BuildKit: a fast drop-in for `docker buildx build`.
#[derive(Debug, Parser)]
#[command(
    name = "docker rkbuild",
    bin_name = "docker rkbuild",
    version = concat!("v", env!("CARGO_PKG_VERSION")),
    disable_version_flag = true,
    propagate_version = true,
    args_override_self = true
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
    #[arg(long = "add-host", value_name = ValueType::Strings.name(), allow_hyphen_values = true)]
    pub add_host: Vec<String>,

    /// Allow extra privileged entitlement (e.g., "network.host", "security.insecure")
    #[arg(long, value_name = ValueType::Strings.name(), allow_hyphen_values = true)]
    pub allow: Vec<String>,

    /// Add annotation to the image
    #[arg(long, value_name = ValueType::StringArray.name(), allow_hyphen_values = true)]
    pub annotation: Vec<String>,

    /// Attestation parameters (format: "type=sbom,generator=image")
    #[arg(long, value_name = ValueType::StringArray.name(), allow_hyphen_values = true)]
    pub attest: Vec<String>,

    /// Set build-time variables
    #[arg(
        long = "build-arg",
        value_name = ValueType::StringArray.name(),
        allow_hyphen_values = true
    )]
    pub build_arg: Vec<String>,

    /// Additional build contexts (e.g., name=path)
    #[arg(
        long = "build-context",
        value_name = ValueType::StringArray.name(),
        allow_hyphen_values = true
    )]
    pub build_context: Vec<String>,

    /// External cache sources (e.g., "user/app:cache", "type=local,src=path/to/dir")
    #[arg(
        long = "cache-from",
        value_name = ValueType::StringArray.name(),
        allow_hyphen_values = true
    )]
    pub cache_from: Vec<String>,

    /// Cache export destinations (e.g., "user/app:cache", "type=local,dest=path/to/dir")
    #[arg(
        long = "cache-to",
        value_name = ValueType::StringArray.name(),
        allow_hyphen_values = true
    )]
    pub cache_to: Vec<String>,

    /// Set the parent cgroup for the "RUN" instructions during build
    #[arg(
        long = "cgroup-parent",
        value_name = ValueType::String.name(),
        allow_hyphen_values = true
    )]
    pub cgroup_parent: Option<String>,

    /// Name of the Dockerfile (default: "PATH/Dockerfile")
    #[arg(
        short = 'f',
        long = "file",
        value_name = ValueType::String.name(),
        allow_hyphen_values = true
    )]
    pub file: Option<String>,

    /// Write the image ID to the file
    #[arg(long, value_name = ValueType::String.name(), allow_hyphen_values = true)]
    pub iidfile: Option<std::path::PathBuf>,

    /// Set metadata for an image
    #[arg(long, value_name = ValueType::StringArray.name(), allow_hyphen_values = true)]
    pub label: Vec<String>,

    /// Shorthand for "--output=type=docker"
    #[arg(long)]
    pub load: bool,

    /// Write build result metadata to the file
    #[arg(
        long = "metadata-file",
        value_name = ValueType::String.name(),
        allow_hyphen_values = true
    )]
    pub metadata_file: Option<std::path::PathBuf>,

    /// Set the networking mode for the "RUN" instructions during build
    #[arg(
        long,
        value_name = ValueType::String.name(),
        default_value = "default",
        allow_hyphen_values = true
    )]
    pub network: String,

    /// Do not use cache when building the image
    #[arg(long = "no-cache")]
    pub no_cache: bool,

    /// Do not cache specified stages
    #[arg(
        long = "no-cache-filter",
        value_name = ValueType::StringArray.name(),
        allow_hyphen_values = true
    )]
    pub no_cache_filter: Vec<String>,

    /// Output destination (format: "type=local,dest=path")
    #[arg(
        short = 'o',
        long,
        value_name = ValueType::StringArray.name(),
        allow_hyphen_values = true
    )]
    pub output: Vec<String>,

    /// Set target platform for build
    #[arg(long, value_name = ValueType::StringArray.name(), allow_hyphen_values = true)]
    pub platform: Vec<String>,

    /// Set type of progress output (its values: [`ProgressMode::ALL`]).
    /// Use plain to show container output
    #[arg(
        long,
        help = format!(
            "Set type of progress output ({}). Use plain to show container output",
            ProgressMode::quoted_list()
        ),
        value_name = ValueType::String.name(),
        default_value = ProgressMode::Auto.as_str(),
        env = "BUILDKIT_PROGRESS",
        hide_env = true,
        allow_hyphen_values = true
    )]
    pub progress: String,

    /// Shorthand for "--attest=type=provenance"
    #[arg(long, value_name = ValueType::String.name(), allow_hyphen_values = true)]
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
    #[arg(long, value_name = ValueType::String.name(), allow_hyphen_values = true)]
    pub sbom: Option<String>,

    /// Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")
    #[arg(long, value_name = ValueType::StringArray.name(), allow_hyphen_values = true)]
    pub secret: Vec<String>,

    /// Shared memory size for build containers
    #[arg(long = "shm-size", value_name = ValueType::Bytes.name(), allow_hyphen_values = true)]
    pub shm_size: Option<String>,

    /// SSH agent socket or keys to expose to the build (format: "default|<id>[=<socket>|<key>[,<key>]]")
    #[arg(long, value_name = ValueType::StringArray.name(), allow_hyphen_values = true)]
    pub ssh: Vec<String>,

    /// Name and optionally a tag (format: "name:tag")
    #[arg(
        short = 't',
        long,
        value_name = ValueType::StringArray.name(),
        allow_hyphen_values = true
    )]
    pub tag: Vec<String>,

    /// Set the target build stage to build
    #[arg(long, value_name = ValueType::String.name(), allow_hyphen_values = true)]
    pub target: Option<String>,

    /// Ulimit options
    #[arg(long, value_name = ValueType::Ulimit.name(), allow_hyphen_values = true)]
    pub ulimit: Vec<String>,

    /// The legacy builder's flags buildx 0.13.1 accepts and ignores
    /// (hidden, as in buildx).
    #[command(flatten)]
    pub legacy: LegacyArgs,
}

/// `docker build`'s flags of the legacy builder, accepted and ignored as
/// buildx 0.13.1 does (its `commonBuildFlags`' hidden "ignore" flags):
/// same types, defaults and shorthands, hidden from help and completion;
/// `--isolation`, `--security-opt` and `--squash` warn when given.
#[derive(Debug, Args, Clone, Default)]
pub struct LegacyArgs {
    /// Compress the build context using gzip
    #[arg(long, hide = true)]
    pub compress: bool,

    /// Container isolation technology
    #[arg(long, value_name = ValueType::String.name(), hide = true, allow_hyphen_values = true)]
    pub isolation: Option<String>,

    /// Security options
    #[arg(
        long = "security-opt",
        value_name = ValueType::Strings.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub security_opt: Vec<String>,

    /// Squash newly built layers into a single new layer
    #[arg(long, hide = true)]
    pub squash: bool,

    /// Memory limit
    #[arg(
        short = 'm',
        long,
        value_name = ValueType::String.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub memory: Option<String>,

    /// Swap limit equal to memory plus swap: "-1" to enable unlimited swap
    #[arg(
        long = "memory-swap",
        value_name = ValueType::String.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub memory_swap: Option<String>,

    /// CPU shares (relative weight)
    #[arg(
        short = 'c',
        long = "cpu-shares",
        value_name = ValueType::Int.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub cpu_shares: Option<String>,

    /// Limit the CPU CFS (Completely Fair Scheduler) period
    #[arg(
        long = "cpu-period",
        value_name = ValueType::Int.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub cpu_period: Option<String>,

    /// Limit the CPU CFS (Completely Fair Scheduler) quota
    #[arg(
        long = "cpu-quota",
        value_name = ValueType::Int.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub cpu_quota: Option<String>,

    /// CPUs in which to allow execution ("0-3", "0,1")
    #[arg(
        long = "cpuset-cpus",
        value_name = ValueType::String.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub cpuset_cpus: Option<String>,

    /// MEMs in which to allow execution ("0-3", "0,1")
    #[arg(
        long = "cpuset-mems",
        value_name = ValueType::String.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub cpuset_mems: Option<String>,

    /// Remove intermediate containers after a successful build
    #[arg(long, hide = true)]
    pub rm: bool,

    /// Always remove intermediate containers
    #[arg(long = "force-rm", hide = true)]
    pub force_rm: bool,

    /// Long names of the flags given (see [`super::pflag::Read::given`]).
    #[arg(skip)]
    pub given: Vec<String>,
}

impl LegacyArgs {
    /// buildx's `checkWarnedFlags` (its `flag-warn` annotations), in
    /// pflag's order of flag names.
    pub fn warnings(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let given = |n: &str| self.given.iter().any(|g| g == n);
        if given("isolation") {
            out.push("isolation flag is deprecated with BuildKit.");
        }
        if given("security-opt") {
            out.push(r#"security-opt flag is deprecated. "RUN --security=insecure" should be used with BuildKit."#);
        }
        if given("squash") {
            out.push("experimental flag squash is removed with BuildKit. You should squash inside build using a multi-stage Dockerfile for efficiency.");
        }
        out
    }
}

/// Options shared by every command.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalOpts {
    /// Override the configured builder instance.
    #[arg(
        long,
        global = true,
        env = "BUILDX_BUILDER",
        value_name = ValueType::String.name(),
        allow_hyphen_values = true
    )]
    pub builder: Option<String>,

    /// BuildKit address (unix:///path, tcp://host:port, docker+unix:///path);
    /// default: the docker daemon's embedded BuildKit.
    #[arg(
        long,
        global = true,
        env = "BUILDKIT_HOST",
        value_name = "address",
        allow_hyphen_values = true
    )]
    pub addr: Option<String>,

    /// CA certificate for a tcp:// BuildKit address.
    #[arg(long, global = true, value_name = "file", allow_hyphen_values = true)]
    pub tlscacert: Option<std::path::PathBuf>,

    /// Client certificate for a tcp:// BuildKit address.
    #[arg(long, global = true, value_name = "file", allow_hyphen_values = true)]
    pub tlscert: Option<std::path::PathBuf>,

    /// Client key for a tcp:// BuildKit address.
    #[arg(long, global = true, value_name = "file", allow_hyphen_values = true)]
    pub tlskey: Option<std::path::PathBuf>,

    /// Server name to verify in the builder's certificate.
    #[arg(long, global = true, value_name = "name", allow_hyphen_values = true)]
    pub tlsservername: Option<String>,

    /// Seconds to wait for the connection to the builder (an unreachable
    /// builder fails within 10 s).
    #[arg(
        long,
        global = true,
        default_value_t = 8,
        value_name = "seconds",
        hide = true,
        allow_hyphen_values = true
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
    /// Create a new builder instance
    Create(CreateArgs),
    /// Remove one or more builder instances
    Rm(RmArgs),
    /// Set the current builder instance
    Use(UseArgs),
    /// Inspect current builder instance
    Inspect(InspectArgs),
    /// Stop builder instance
    Stop(StopArgs),
    /// Show what a build of PATH would send: ignore file, sizes, largest
    /// entries, why a path is in or out
    #[command(name = "inspect-context")]
    InspectContext(InspectContextArgs),
    /// Print the docker CLI plugin metadata.
    #[command(name = "docker-cli-plugin-metadata", hide = true)]
    Metadata,
}

/// `version` options.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, allow_hyphen_values = true)]
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

/// `inspect-context` options.
#[derive(Debug, Args)]
pub struct InspectContextArgs {
    /// The build context directory
    #[arg(value_name = "PATH", default_value = ".")]
    pub context: String,
    /// Name of the Dockerfile (default: "PATH/Dockerfile")
    #[arg(
        short = 'f',
        long = "file",
        value_name = ValueType::String.name(),
        allow_hyphen_values = true
    )]
    pub file: Option<String>,
    /// Say whether PATH (relative to the context) is sent, and which ignore-file line decides
    #[arg(long, value_name = "path", allow_hyphen_values = true)]
    pub why: Vec<String>,
    /// How many of the largest directories and files to show
    #[arg(
        long,
        value_name = ValueType::Int.name(),
        default_value_t = 10,
        allow_hyphen_values = true
    )]
    pub top: usize,
    /// List every path that would be sent
    #[arg(long)]
    pub list: bool,
    /// Output format ("text", "json")
    #[arg(
        long,
        value_name = ValueType::String.name(),
        default_value = "text",
        allow_hyphen_values = true
    )]
    pub format: String,
}

/// `du` options (buildx's).
#[derive(Debug, Args)]
pub struct DuArgs {
    /// Provide filter values
    #[arg(long, value_name = "filter", allow_hyphen_values = true)]
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
    #[arg(long, value_name = "filter", allow_hyphen_values = true)]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Amount of disk space to keep for cache
    #[arg(
        long = "keep-storage",
        value_name = ValueType::Bytes.name(),
        allow_hyphen_values = true
    )]
    pub keep_storage: Option<String>,
    /// Provide a more verbose output
    #[arg(long)]
    pub verbose: bool,
}

/// `ls` options (buildx's).
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Format the output
    #[arg(
        long,
        value_name = ValueType::String.name(),
        default_value = "table",
        allow_hyphen_values = true
    )]
    pub format: String,
}

/// `create` options (buildx's).
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Context or endpoint
    #[arg(value_name = "CONTEXT|ENDPOINT")]
    pub endpoint: Option<String>,
    /// Append a node to builder instead of changing it
    #[arg(long)]
    pub append: bool,
    /// Boot builder after creation
    #[arg(long)]
    pub bootstrap: bool,
    /// BuildKit daemon config file
    #[arg(
        long = "buildkitd-config",
        value_name = ValueType::String.name(),
        allow_hyphen_values = true
    )]
    pub buildkitd_config: Option<String>,
    /// BuildKit daemon config file
    #[arg(
        long = "config",
        value_name = ValueType::String.name(),
        hide = true,
        allow_hyphen_values = true
    )]
    pub config: Option<String>,
    /// BuildKit daemon flags
    #[arg(
        long = "buildkitd-flags",
        value_name = ValueType::String.name(),
        allow_hyphen_values = true
    )]
    pub buildkitd_flags: Option<String>,
    /// Driver to use (its values: the creatable [`DriverKind`]s)
    #[arg(
        long,
        value_name = ValueType::String.name(),
        help = format!("Driver to use (available: {})", DriverKind::quoted_creatable()),
        allow_hyphen_values = true
    )]
    pub driver: Option<String>,
    /// Options for the driver
    #[arg(
        long = "driver-opt",
        value_name = ValueType::StringArray.name(),
        allow_hyphen_values = true
    )]
    pub driver_opt: Vec<String>,
    /// Remove a node from builder instead of changing it
    #[arg(long)]
    pub leave: bool,
    /// Builder instance name
    #[arg(long, value_name = ValueType::String.name(), allow_hyphen_values = true)]
    pub name: Option<String>,
    /// Create/modify node with given name
    #[arg(long, value_name = ValueType::String.name(), allow_hyphen_values = true)]
    pub node: Option<String>,
    /// Fixed platforms for current node
    #[arg(long, value_name = ValueType::StringArray.name(), allow_hyphen_values = true)]
    pub platform: Vec<String>,
    /// Set the current builder instance
    #[arg(long = "use")]
    pub use_: bool,
}

/// `rm` options (buildx's).
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Builders to remove (default: the current one)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Remove all inactive builders
    #[arg(long = "all-inactive")]
    pub all_inactive: bool,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Keep the BuildKit daemon running
    #[arg(long = "keep-daemon")]
    pub keep_daemon: bool,
    /// Keep BuildKit state
    #[arg(long = "keep-state")]
    pub keep_state: bool,
}

/// `use` options (buildx's).
#[derive(Debug, Args)]
pub struct UseArgs {
    /// The builder to use
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Set builder as default for current context
    #[arg(long)]
    pub default: bool,
    /// Builder persists context changes
    #[arg(long)]
    pub global: bool,
}

/// `inspect` options (buildx's).
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The builder to inspect (default: the current one)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
    /// Ensure builder has booted before inspecting
    #[arg(long)]
    pub bootstrap: bool,
}

/// `stop` options (buildx's).
#[derive(Debug, Args)]
pub struct StopArgs {
    /// The builder to stop (default: the current one)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("docker-rkbuild").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every flag that takes a value takes one that starts with `-`, as in
    /// pflag; positionals do not (an unknown flag stays an error).
    #[test]
    fn every_value_flag_allows_hyphen_values() {
        fn check(cmd: &clap::Command, path: &str) {
            for a in cmd.get_arguments() {
                let takes = a.get_action().takes_values();
                if a.is_positional() {
                    assert!(!a.is_allow_hyphen_values_set(), "{path} {}", a.get_id());
                } else if takes {
                    assert!(
                        a.is_allow_hyphen_values_set(),
                        "{path} --{}: add allow_hyphen_values",
                        a.get_id()
                    );
                }
            }
            for s in cmd.get_subcommands() {
                check(s, &format!("{path} {}", s.get_name()));
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        check(&cmd, "docker rkbuild");
    }

    /// Every flag with a value has a pflag type, or one of the value names
    /// of rkbuild's own flags (read as strings) or a value enum's;
    /// completion's table names flags that exist.
    #[test]
    fn every_value_flag_declares_its_type() {
        const OWN: &[&str] = &["address", "file", "name", "seconds", "path", "filter"];
        fn check(cmd: &clap::Command, path: &str, longs: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                if let Some(l) = a.get_long() {
                    longs.push(l.to_string());
                }
                if a.is_positional() || !a.get_action().takes_values() {
                    continue;
                }
                let name = a.get_value_names().map(|n| n[0].to_string());
                assert!(
                    ValueType::of(a).is_some()
                        || OWN.contains(&name.as_deref().unwrap_or(""))
                        || !a.get_possible_values().is_empty(),
                    "{path} --{}: value name {name:?} is no ValueType",
                    a.get_id()
                );
            }
            for s in cmd.get_subcommands() {
                check(s, &format!("{path} {}", s.get_name()), longs);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut longs = Vec::new();
        check(&cmd, "docker rkbuild", &mut longs);
        for (l, _) in FLAG_VALUES {
            assert!(longs.iter().any(|x| x == l), "--{l}");
        }
    }

    #[test]
    fn values_may_start_with_a_hyphen_like_pflag() {
        let c = parse(&[
            "--build-arg",
            "-x=1",
            "--label",
            "-l=v",
            "--build-context",
            "-x=dir",
            "-t",
            "-foo",
            "-t-bar",
            "--tag=-baz",
            "--tag",
            "--",
            "--tag",
            "--help",
            "--target",
            "-s",
            "-o",
            "-",
            "-f",
            "-",
            "-",
        ])
        .unwrap();
        let b = &c.build;
        assert_eq!(b.build_arg, ["-x=1"]);
        assert_eq!(b.label, ["-l=v"]);
        assert_eq!(b.build_context, ["-x=dir"]);
        assert_eq!(b.tag, ["-foo", "-bar", "-baz", "--", "--help"]);
        assert_eq!(b.target.as_deref(), Some("-s"));
        assert_eq!(b.output, ["-"]);
        assert_eq!(b.file.as_deref(), Some("-"));
        assert_eq!(b.context.as_deref(), Some("-"));
        // `--flag=` and `-f=value` as pflag reads them.
        let c = parse(&["--build-arg=", "-f=-x", "."]).unwrap();
        assert_eq!(c.build.build_arg, [""]);
        assert_eq!(c.build.file.as_deref(), Some("-x"));
        // Global flags and subcommand flags too.
        let c = parse(&[
            "--builder",
            "-b",
            "prune",
            "--filter",
            "-f",
            "--keep-storage",
            "-1",
        ])
        .unwrap();
        assert_eq!(c.global.builder.as_deref(), Some("-b"));
        match c.command {
            Some(Command::Prune(p)) => {
                assert_eq!(p.filter, ["-f"]);
                assert_eq!(p.keep_storage.as_deref(), Some("-1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn flags_without_a_value_never_take_the_next_argument() {
        let c = parse(&["--load", "-t", "x", "-q", "--no-cache", "-D", "."]).unwrap();
        assert!(c.build.load && c.build.quiet && c.build.no_cache && c.global.debug);
        assert_eq!(c.build.tag, ["x"]);
        assert_eq!(c.build.context.as_deref(), Some("."));
        // Clustered: `-q` then `-t` with the rest of the word as its value.
        let c = parse(&["-qt-x", "."]).unwrap();
        assert!(c.build.quiet);
        assert_eq!(c.build.tag, ["-x"]);
        // A positional is not a flag value: an unknown flag is still refused.
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["-t"]).is_err());
    }

    #[test]
    fn a_repeated_flag_keeps_its_last_value_like_pflag() {
        let c = parse(&[
            "--progress=plain",
            "--progress",
            "quiet",
            "-f",
            "a",
            "-f",
            "b",
            "--load",
            "--load",
            "-t",
            "x",
            "-t",
            "y",
            "--addr",
            "unix:///a",
            "--addr=unix:///b",
            ".",
        ])
        .unwrap();
        assert_eq!(c.build.progress, "quiet");
        assert_eq!(c.build.file.as_deref(), Some("b"));
        assert!(c.build.load);
        assert_eq!(c.build.tag, ["x", "y"]);
        assert_eq!(c.global.addr.as_deref(), Some("unix:///b"));
        let c = parse(&[
            "prune",
            "-f",
            "-f",
            "--keep-storage",
            "1",
            "--keep-storage",
            "2",
        ])
        .unwrap();
        match c.command {
            Some(Command::Prune(p)) => {
                assert!(p.force);
                assert_eq!(p.keep_storage.as_deref(), Some("2"));
            }
            other => panic!("{other:?}"),
        }
    }
}
