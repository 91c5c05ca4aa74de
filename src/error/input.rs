//! Errors in what the caller gave: named contexts, OCI layouts, ignore
//! patterns. They live here, below everything that reports them, so that
//! [`Error`](super::Error) depends only on the crate's leaf modules.

use std::fmt;

use crate::digest::DigestError;
use crate::go::strconv::quote as go_quote;
use crate::go::syscall::error_text;

/// Why an `oci-layout://` reference could not be resolved; the messages
/// are buildx's.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OciLayoutError {
    /// `index.json.lock` could not be opened or locked.
    #[error("could not lock {path}{}", lock_detail(.path, .failure))]
    Lock {
        /// The lock file, as Go's `path.Join` spells it.
        path: String,
        /// What failed: `None` when another process holds the lock.
        failure: Option<LockFailure>,
    },
    /// `index.json` could not be read.
    #[error("could not read {path}: {op} {path}: {}", error_text(.source))]
    Read {
        /// The index file.
        path: String,
        /// `open` or `read`.
        op: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `index.json` is not an OCI index.
    #[error("could not unmarshal {path} ({}): {reason}", go_quote(.content))]
    Unmarshal {
        /// The index file.
        path: String,
        /// Its contents.
        content: Vec<u8>,
        /// The decoding error.
        reason: String,
    },
    /// No manifest has the tag and the index does not have exactly one.
    #[error("oci-layout reference {} could not be resolved", go_quote(.reference.as_bytes()))]
    Unresolved {
        /// The reference as given (with the scheme).
        reference: String,
    },
    /// The digest (given or found in the index) is not valid.
    #[error("invalid oci-layout digest {digest}: {source}")]
    InvalidDigest {
        /// The digest.
        digest: String,
        /// What is wrong with it.
        #[source]
        source: DigestError,
    },
}

/// Why a `--build-context` could not be used; the messages are buildx
/// 0.13's.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NamedContextError {
    /// The name is not a valid image reference (buildx parses context names
    /// as references, so that `docker.io/library/alpine:latest` names the
    /// same context as `alpine`).
    #[error("invalid context name {name}: {source}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// Why the reference parser refused it.
        #[source]
        source: crate::reference::ReferenceError,
    },
    /// A local context path could not be examined (it does not exist, a
    /// parent is not a directory, ...).
    #[error("failed to get build context {name}: stat {path}: {}", error_text(.source))]
    Stat {
        /// The context's name.
        name: String,
        /// The path as given.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A local context path names something that is not a directory. The
    /// odd `{PATH <nil>}` is how buildx prints its named-context value.
    #[error("failed to get build context path {{{path} <nil>}}: not a directory")]
    NotADirectory {
        /// The path as given.
        path: String,
    },
    /// `target:NAME` names a target this build does not have (a single
    /// build has only buildx's `default`).
    #[error("failed to find target {target} for context {name}")]
    UnknownTarget {
        /// The target named after `target:`.
        target: String,
        /// The context's name.
        name: String,
    },
}

/// A pattern that Go's `filepath.Match` (or the regular expression it is
/// translated to) rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// `filepath.ErrBadPattern`: `syntax error in pattern`.
    BadPattern,
    /// A lone `!`.
    IllegalExclusion,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::BadPattern => f.write_str("syntax error in pattern"),
            PatternError::IllegalExclusion => f.write_str("illegal exclusion pattern: \"!\""),
        }
    }
}

impl std::error::Error for PatternError {}

/// How taking the index lock failed.
#[derive(Debug)]
pub enum LockFailure {
    /// Opening (creating) the lock file failed.
    Open(std::io::Error),
    /// `flock` failed for another reason than the lock being held.
    Flock(std::io::Error),
}

fn lock_detail(path: &str, failure: &Option<LockFailure>) -> String {
    match failure {
        None => String::new(),
        Some(LockFailure::Open(e)) => format!(": open {path}: {}", error_text(e)),
        Some(LockFailure::Flock(e)) => format!(": {}", error_text(e)),
    }
}

/// Why a `--secret` could not be used; the messages are buildx 0.13's
/// (`buildflags.ParseSecretSpecs`) and BuildKit's
/// (`secretsprovider.NewStore`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The value is not one CSV record.
    #[error("failed to parse csv secret: {0}")]
    Csv(String),
    /// A field without `=`.
    #[error("invalid field '{0}' must be a key=value pair")]
    NotKeyValue(String),
    /// `type=` other than `file` or `env`.
    #[error("unsupported secret type {}", go_quote(.0.as_bytes()))]
    UnsupportedType(String),
    /// A key buildx does not know.
    #[error("unexpected key '{key}' in '{field}'")]
    UnexpectedKey {
        /// The key, lower-cased.
        key: String,
        /// The whole field.
        field: String,
    },
    /// No `id=`.
    #[error("secret missing ID")]
    MissingId,
    /// The secret's file cannot be examined.
    #[error("failed to stat {path}: stat {path}: {}", error_text(.source))]
    Stat {
        /// The file as given.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The secret's file is larger than BuildKit takes.
    #[error("secret {0} too big. max size 500KiB")]
    TooBig(String),
}
