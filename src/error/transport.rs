//! Errors of the exchanges below a build: file transfers with the daemon,
//! the build session's connection, the docker daemon's API as a driver
//! uses it.

use std::ffi::OsString;
use std::path::PathBuf;

/// A file transfer (the build context sent, an output received) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransferError {
    /// The daemon sent a file the output cannot take (a bad path, a data
    /// packet for an unknown file, ...).
    #[error("invalid file from the build result: {0}")]
    InvalidFile(String),
    /// The daemon closed the output stream while files were still sent.
    #[error("the daemon closed the output stream")]
    OutputClosed,
    /// The output stream ended before its end packet.
    #[error("the output stream ended early")]
    OutputEnded,
    /// The output stream failed; the gRPC status's message.
    #[error("output stream failed: {0}")]
    OutputFailed(String),
    /// The daemon's sender of the output reported an error.
    #[error("error from the build result sender: {0}")]
    Sender(String),
    /// Receiving the daemon's requests failed; the gRPC status's message.
    #[error("receiving from the daemon: {0}")]
    Receive(String),
    /// The daemon closed the transfer before it finished.
    #[error("the daemon closed the file transfer before it finished")]
    Closed,
    /// The daemon's receiver reported an error.
    #[error("error from receiver: {0}")]
    Receiver(String),
    /// The daemon asked for a file that was not offered.
    #[error("invalid file id {0}")]
    FileId(u32),
    /// A thread of the transfer panicked while holding this state.
    #[error("{0} poisoned")]
    Poisoned(&'static str),
    /// An include or exclude pattern could not be matched.
    #[error("failed to match {which}: {source}")]
    Match {
        /// `includepatterns` or `excludepatterns`.
        which: &'static str,
        /// What is wrong with the patterns.
        #[source]
        source: super::PatternError,
    },
    /// A file to send whose name is not UTF-8 (the protocol's paths are
    /// strings).
    #[error("cannot send {}: the file name is not valid UTF-8", .0.display())]
    NonUtf8Name(PathBuf),
    /// A symlink to send whose target is not UTF-8.
    #[error("cannot send {}: the symlink target {target:?} is not valid UTF-8", path.display())]
    NonUtf8Target {
        /// The symlink.
        path: PathBuf,
        /// Its target.
        target: OsString,
    },
    /// A directory to list, below the root, is not a directory.
    #[error("readdir: walk {0}: not a directory")]
    NotADirectory(String),
}

/// The build session (the daemon's calls back into the client) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The session's HTTP/2 connection failed.
    #[error("build session connection failed: {0}")]
    Connection(String),
    /// A session header's name is not a gRPC metadata key.
    #[error("bad session header {name}: {reason}")]
    HeaderName {
        /// The header.
        name: String,
        /// Why.
        reason: String,
    },
    /// A session header's value is not a gRPC metadata value.
    #[error("bad session header value for {name}: {reason}")]
    HeaderValue {
        /// The header.
        name: String,
        /// Why.
        reason: String,
    },
}

/// The docker daemon's API did not give what a driver needs (see
/// [`Error::DockerApi`](super::Error::DockerApi) for the daemon's own
/// errors).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DockerError {
    /// An answer that is not the JSON expected.
    #[error("{what}: {source}")]
    Decode {
        /// The request (`inspecting NAME`, `exec create`, `exec inspect`).
        what: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// An answer could not be read.
    #[error("reading docker API {what}: {reason}")]
    Read {
        /// `response` or `stream`.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// `exec create` answered without an ID.
    #[error("exec ID empty")]
    EmptyExecId,
    /// A command run in a container failed.
    #[error("exit code {code}: {stderr}")]
    Exit {
        /// Its exit code.
        code: i64,
        /// Its standard error, trimmed.
        stderr: String,
    },
    /// `buildkitd --version` printed something else than a version.
    #[error("unexpected version format: {0}")]
    VersionFormat(String),
    /// The buildkitd configuration could not be packed for the container.
    #[error("packing the buildkitd config: {0}")]
    Pack(#[source] std::io::Error),
}
