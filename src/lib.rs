//! rkbuild: a Rust client for moby BuildKit.
//!
//! Connect to a builder ([`Client`]), run builds ([`Client::build`]) with a
//! session that serves the build context, outputs, credentials and any
//! service of your own, and follow the build as a stream of typed
//! [`SolveStatus`] events. [`BuildOptions`] takes `docker buildx build`'s
//! options with buildx's semantics; the `docker-rkbuild` plugin is a thin
//! layer over this crate.
//!
//! # Building a directory
//!
//! ```no_run
//! # async fn f() -> rkbuild::Result<()> {
//! use rkbuild::{BuildOptions, Client};
//!
//! // The builder `docker buildx build` would use: BUILDKIT_HOST, else the
//! // docker daemon of DOCKER_HOST or the current docker context.
//! let client = Client::from_docker_env().await?;
//! let mut build = client.build(BuildOptions {
//!     tags: vec!["example:latest".into()],
//!     ..BuildOptions::dir(".")
//! })?;
//! while let Some(status) = build.next().await {
//!     for v in status.vertexes.iter().filter(|v| v.completed.is_some()) {
//!         println!("{} {}", if v.cached { "CACHED" } else { "DONE" }, v.name);
//!     }
//! }
//! println!("{:?}", build.await?.digest());
//! # Ok(()) }
//! ```
//!
//! A [`Build`] is also a [`futures_util::Stream`] of events; awaiting it
//! without reading them just waits for the result, and dropping it cancels
//! the build on the daemon. [`progress::Printer`] renders the events as
//! buildx does (plain, tty, rawjson) into any writer.
//!
//! # Builders and drivers
//!
//! [`Client::connect`] takes an address: `docker+unix:///var/run/docker.sock`
//! (dockerd's embedded BuildKit, [`client::driver::docker`]),
//! `unix:///run/buildkit/buildkitd.sock` or `tcp://host:1234` with
//! [`TlsOptions`] (BuildKit's own socket, [`client::driver::remote`]). A
//! driver decides how the gRPC connection and the session connection are
//! opened and what the builder can do ([`Features`]: exporters, cache
//! export, multi-platform, where `--load` goes);
//! [`Client::connect_driver`] takes any [`Driver`].
//!
//! ```no_run
//! # async fn f() -> rkbuild::Result<()> {
//! let client = rkbuild::Client::connect("docker+unix:///var/run/docker.sock").await?;
//! let version = client.info().await?;
//! for worker in client.list_workers().await? {
//!     println!("{} {} {:?}", version.version, worker.id, worker.platforms);
//! }
//! # Ok(()) }
//! ```
//!
//! # Session services
//!
//! The daemon calls back into the client while it builds: to read local
//! directories, fetch registry credentials, read secrets, write outputs.
//! Each such service is an [`session::Attachable`]; a [`BuildSession`] takes
//! any number of them, so a secret store of your own is one type:
//!
//! ```no_run
//! # async fn f() -> rkbuild::Result<()> {
//! use rkbuild::session::secrets::{SecretMap, SecretsService};
//!
//! let mut secrets = SecretMap::new();
//! secrets.insert("npm-token", std::env::var("NPM_TOKEN").unwrap_or_default());
//! let session = rkbuild::BuildSession::from_env()
//!     .attach(SecretsService::new(secrets).attachable());
//! let client = rkbuild::Client::from_docker_env().await?;
//! client.build_with(rkbuild::BuildOptions::dir("."), session)?.await?;
//! # Ok(()) }
//! ```
//!
//! Implement [`session::secrets::SecretSource`] to answer from elsewhere,
//! or wrap any tonic service in [`session::Service`]. The examples
//! directory has a build with progress (`build`), a secret store of one's
//! own (`secrets`) and the build cache's disk usage (`disk_usage`).
#![deny(missing_docs)]

mod build;
pub mod client;
pub mod digest;
pub mod docker;
pub mod error;
pub mod fsutil;
pub mod platform;
pub mod progress;
pub mod proto;
pub mod reference;
pub mod session;
pub mod solve;
pub mod units;

/// Go's `strconv.ParseBool`: `None` for anything it refuses.
pub fn go_parse_bool(s: &[u8]) -> Option<bool> {
    match s {
        b"1" | b"t" | b"T" | b"TRUE" | b"true" | b"True" => Some(true),
        b"0" | b"f" | b"F" | b"FALSE" | b"false" | b"False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseBool` answering true (buildx and BuildKit parse
/// their boolean options with it).
pub fn go_parse_bool_true(s: &str) -> bool {
    go_parse_bool(s.as_bytes()) == Some(true)
}

/// Go's `strconv.Quote` (what `%q` prints): double quotes, backslash
/// escapes for quotes, control characters and bytes that are not UTF-8.
/// Non-ASCII characters are kept unless they are control, format or
/// space characters (Go's `IsPrint`, closely enough for messages).
/// Public so that the CLI quotes values in buildx's messages the same way.
pub fn go_quote(s: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                ' '..='~' => out.push(c),
                c if (c as u32) < 0x20 || c == '\x7f' => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if c.is_control()
                    || c.is_whitespace()
                    || matches!(
                        c,
                        '\u{ad}'
                            | '\u{200b}'..='\u{200f}'
                            | '\u{202a}'..='\u{202e}'
                            | '\u{2060}'..='\u{2064}'
                            | '\u{feff}'
                    ) =>
                {
                    if (c as u32) < 0x10000 {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    } else {
                        let _ = write!(out, "\\U{:08x}", c as u32);
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}

pub use build::{Build, BuildSession};
pub use client::{
    BuildkitVersion, Client, ConnectOptions, Driver, Features, Target, TlsOptions, WorkerInfo,
};
pub use error::{Error, Result};
pub use progress::event::SolveStatus;
pub use solve::dockerfile::{BuildContext, BuildOptions, DockerfileSource};
pub use solve::{solve, Export, ExportOutput, SolveOptions, SolveResponse};

#[cfg(test)]
mod tests {
    #[test]
    fn go_quote_like_strconv_quote() {
        let q = |b: &[u8]| super::go_quote(b);
        assert_eq!(q(b""), r#""""#);
        assert_eq!(q(b"garbage\n"), r#""garbage\n""#);
        assert_eq!(q(br#"{"a":"b\c"}"#), r#""{\"a\":\"b\\c\"}""#);
        assert_eq!(q(b"\x01\x7f\t\x07"), r#""\x01\x7f\t\a""#);
        assert_eq!(q("dé€😀".as_bytes()), "\"dé€😀\"");
        assert_eq!(q("a\u{a0}b\u{feff}".as_bytes()), r#""a\u00a0b\ufeff""#);
        assert_eq!(q(b"\xff\xfe"), r#""\xff\xfe""#);
    }
}
