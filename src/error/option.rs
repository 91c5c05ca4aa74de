//! Errors in option values: what buildx refuses in `--output`,
//! `--cache-from`/`--cache-to`, `--attest`, `--annotation`, `--network`,
//! `--add-host`, `--progress`, the build context and the source policy.
//! The messages are buildx's (and BuildKit's), byte for byte.

use std::path::PathBuf;

use crate::go::strconv::quote as go_quote;
use crate::go::syscall::error_text;

/// Which CSV option a value was given to (see [`OptionError::Csv`] and
/// [`OptionError::NotKeyValue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsvOption {
    /// `--output`.
    Output,
    /// `--cache-from` or `--cache-to` (both are read alike).
    Cache,
    /// `--attest` (and the forms of `--provenance` and `--sbom`).
    Attest,
}

/// An option's value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OptionError {
    /// The value is not one CSV record; Go's `encoding/csv` text (`EOF`
    /// for an empty value).
    #[error("{reason}")]
    Csv {
        /// The option.
        option: CsvOption,
        /// Why the record could not be read.
        reason: String,
    },
    /// A field of a `key=value` list without `=`.
    #[error("invalid value {field}")]
    NotKeyValue {
        /// The option.
        option: CsvOption,
        /// The field.
        field: String,
    },
    /// An `--output` in CSV form without `type=`.
    #[error("type is required for output")]
    OutputType,
    /// A `--cache-from`/`--cache-to` in CSV form without `type=`.
    #[error("type required form> {}", go_quote(.0.as_bytes()))]
    CacheType(String),
    /// An `--attest` without `type=`.
    #[error("attestation type not specified")]
    AttestType,
    /// An `--attest` whose `disabled=` is not a boolean.
    #[error("invalid value {field}: strconv.ParseBool: parsing {}: invalid syntax", go_quote(.value.as_bytes()))]
    AttestDisabled {
        /// The field (`disabled=...`).
        field: String,
        /// Its value.
        value: String,
    },
    /// Two `--attest` of one type.
    #[error("duplicate attestation field {0}")]
    DuplicateAttest(String),
    /// An `--annotation` without `=`.
    #[error("invalid annotation {}, expected key=value", go_quote(.0.as_bytes()))]
    Annotation(String),
    /// An `--annotation` whose key is empty or holds white space.
    #[error("invalid annotation format, expected <type>:<key>=<value>, got {}", go_quote(.0.as_bytes()))]
    AnnotationFormat(String),
    /// An `--annotation` whose `[PLATFORM]` is not a platform.
    #[error("invalid platform {}: {source}", go_quote(.platform.as_bytes()))]
    AnnotationPlatform {
        /// The platform as given.
        platform: String,
        /// Why it is not one.
        #[source]
        source: crate::platform::PlatformError,
    },
    /// An `--annotation` of a type buildx does not know.
    #[error("unknown annotation type {}", go_quote(.0.as_bytes()))]
    AnnotationType(String),
    /// A `--network` other than `default`, `host` and `none`.
    #[error("network mode {0:?} not supported by buildkit - you can define a custom network for your builder using the network driver-opt in buildx create")]
    Network(String),
    /// An `--add-host` that is not `host:ip` or `host=ip`.
    #[error("invalid host {0}")]
    AddHost(String),
    /// A `--progress` mode buildx does not know.
    #[error("invalid progress mode {0}")]
    ProgressMode(String),
    /// `--quiet` with a `--progress` other than `auto` and `quiet`.
    #[error("progress={0} and quiet cannot be used together")]
    ProgressQuiet(String),
    /// `--progress tty` where the output is not a terminal.
    #[error("failed to get console: provided file is not a console")]
    NotAConsole,
    /// No build context.
    #[error("please specify build context (e.g. \".\" for the current directory)")]
    NoContext,
    /// A build context that is neither a directory nor a remote URL.
    #[error("unable to prepare context: path {0:?} not found")]
    ContextNotFound(String),
    /// A build without context (`-`) whose Dockerfile is not its
    /// contents.
    #[error("a build without context needs the Dockerfile on stdin")]
    NoDockerfile,
    /// The source policy file could not be read.
    #[error("failed to read policy file: open {}: {}", path.display(), error_text(.source))]
    PolicyFile {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The source policy is not a policy.
    #[error("failed to parse source policy: {0}")]
    Policy(String),
}
