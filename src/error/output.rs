//! Errors of a build's outputs: exports (`--output`, `--push`, `--load`)
//! and cache exports and imports. The messages are buildx's and
//! BuildKit's client's where they have one.

use crate::go::syscall::error_text;

/// An output that cannot be written as asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// An output's destination cannot be examined.
    #[error("invalid destination {what}: {dest}: stat {dest}: {}", error_text(.source))]
    Stat {
        /// `directory` or `file`: what the exporter writes.
        what: &'static str,
        /// The destination as given.
        dest: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// An exporter that writes a directory without `dest=`.
    #[error("dest is required for {0} exporter")]
    DestRequired(String),
    /// An exporter that writes a directory with `dest=-`.
    #[error("dest cannot be stdout for {0} exporter")]
    DestStdout(String),
    /// An exporter that writes a directory, and its destination is a file.
    #[error("destination directory {0} is a file")]
    DirIsFile(String),
    /// Two outputs to standard output.
    #[error("multiple outputs configured to write to stdout")]
    MultipleStdout,
    /// An exporter that writes a file to standard output, which is a
    /// terminal.
    #[error("dest file is required for {0} exporter. refusing to write to console")]
    StdoutIsTerminal(String),
    /// An exporter that writes a file, and its destination is a directory.
    #[error("destination file {0} is a directory")]
    FileIsDir(String),
    /// An image to push without a name.
    #[error("tag is needed when pushing to registry")]
    TagRequired,
    /// `push-by-digest` on a builder that stores images in the docker
    /// daemon.
    #[error("push-by-digest is currently not implemented for docker driver, please create a new builder instance")]
    PushByDigest,
    /// A name to push that is not an image reference.
    #[error("invalid reference {name}: {source}")]
    Reference {
        /// The name.
        name: String,
        /// Why it is not a reference.
        #[source]
        source: crate::reference::ReferenceError,
    },
    /// The docker daemon's push failed; its message.
    #[error("{message}")]
    Push {
        /// The name pushed.
        name: String,
        /// What the daemon said.
        message: String,
    },
    /// An output to standard output, and no writer was given.
    #[error("an output to standard output needs a writer (SolveOptions::stdout)")]
    NoStdout,
    /// `--load` (or a `docker` output without `dest`) and no docker
    /// daemon.
    #[error("loading into docker needs a docker daemon: none was found (set DOCKER_HOST or a docker context)")]
    NoDocker,
    /// Several outputs that write to the client.
    #[error("only one output that writes to the client (local, tar, oci, docker with dest) is supported per build")]
    SeveralClientOutputs,
    /// Writing what the build sent failed.
    #[error("writing the output failed: {0}")]
    Write(String),
    /// The build ended without sending the output.
    #[error("the build sent no output")]
    NoOutput,
}

/// A cache export or import that cannot be used (BuildKit's client's
/// checks).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// A `type=local` cache export without `dest=`.
    #[error("local cache exporter requires dest")]
    LocalExportDest,
    /// A `type=registry` cache export without `ref=`.
    #[error("registry cache exporter requires ref")]
    RegistryExportRef,
    /// A `type=local` cache import without `src=`.
    #[error("local cache importer requires src")]
    LocalImportSrc,
    /// A `type=local` cache import whose digest is not given and not found
    /// in its `index.json`.
    #[error("local cache importer requires either explicit digest, \"latest\" tag or custom tag on index.json")]
    LocalImportDigest,
    /// A `type=registry` cache import without `ref=`.
    #[error("registry cache importer requires ref")]
    RegistryImportRef,
    /// The daemon's `cache.manifest` is not a JSON descriptor.
    #[error("invalid cache.manifest descriptor: {0}")]
    Manifest(#[source] serde_json::Error),
}
