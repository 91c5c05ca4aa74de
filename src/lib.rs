//! rkbuild: a Rust client for moby BuildKit.
//!
//! Connect to a builder ([`Client`]), run builds ([`Client::build`]) with a
//! session that serves the build context, outputs, credentials and any
//! service of your own, and follow the build as a stream of typed
//! [`SolveStatus`] events. [`BuildOptions`] takes `docker buildx build`'s
//! options with buildx's semantics; the `docker-rkbuild` plugin is a thin
//! layer over this crate.
//!
//! # Depending on the crate
//!
//! The plugin is this crate's default feature `cli` (`cli::main`, with
//! its command line parser, shell completions and man pages). A program
//! that uses the library turns it off, and so compiles none of the CLI's
//! dependencies (clap and the generators around it):
//!
//! ```toml
//! [dependencies]
//! rkbuild = { version = "0.1", default-features = false }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
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
//! [`Client::connect_driver`] takes any [`Driver`]. Also:
//! [`client::driver::docker_container`] (buildx's BuildKit container on a
//! docker daemon, booted when missing or stopped), and `kube-pod://`,
//! `docker-container://` and `ssh://` docker hosts through helper programs.
//!
//! The builders `docker buildx create` made are in buildx's store
//! ([`docker::store`]); a [`builder::Builder`] is one of them, or a docker
//! context's own, found as buildx finds it (by name, the one `use`
//! selected, the current context's), each node with its driver. It boots
//! the nodes whose daemon its driver runs, and builds one or more named
//! targets on its nodes: each platform on the node buildx sends it to, one
//! session per node, a push from several nodes merged into one manifest
//! list, the progress of everything in one stream and a result per target
//! ([`builder::create`] makes builders):
//!
//! ```no_run
//! # async fn f() -> rkbuild::Result<()> {
//! use rkbuild::builder::Builder;
//! use rkbuild::docker::{builders::DockerCli, CredentialStore};
//! use rkbuild::solve::export::parse_output;
//! use rkbuild::BuildOptions;
//!
//! let cli = DockerCli::from_env()?;
//! let builder = Builder::resolve(&cli, Some("multi"), std::time::Duration::from_secs(8))?;
//! let opts = BuildOptions {
//!     platforms: vec!["linux/amd64".into(), "linux/arm64".into()],
//!     tags: vec!["registry.example/app:1".into()],
//!     outputs: vec![parse_output("type=registry")?],
//!     credentials: Some(CredentialStore::from_dir(&cli.config_dir)?),
//!     ..BuildOptions::dir(".")
//! };
//! let mut build = builder.prepare([("app", opts)]).await?.start();
//! while let Some(status) = build.next().await {
//!     for v in status.vertexes.iter().filter(|v| v.completed.is_some()) {
//!         println!("{}", v.name);
//!     }
//! }
//! for t in build.await? {
//!     println!("{} on {}: {:?}", t.target, t.node, t.result?.digest());
//! }
//! # Ok(()) }
//! ```
//!
//! Below it, [`docker::builders`] resolves node groups and their drivers,
//! and a [`Client`] reaches one node:
//!
//! ```no_run
//! # async fn f() -> rkbuild::Result<()> {
//! let client = rkbuild::Client::connect("docker+unix:///var/run/docker.sock").await?;
//! let version = client.info().await?;
//! for worker in client.workers().await? {
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
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod build;
pub mod builder;
// The `docker-rkbuild` plugin: only `cli::main` is public.
#[cfg(feature = "cli")]
#[allow(unreachable_pub)] // its `pub` items are the CLI's, not the library's
pub mod cli;
pub mod client;
mod digest;
pub mod docker;
pub mod error;
mod fsutil;
mod go;
mod id;
mod platform;
pub mod progress;
pub mod proto;
mod reference;
pub mod registry;
pub mod session;
pub mod solve;
mod tls;

pub use build::{Build, BuildSession};
pub use client::{
    BuildkitVersion, Client, ConnectOptions, Driver, Features, Target, TlsOptions, WorkerInfo,
};
pub use error::{Error, Result};
pub use progress::event::SolveStatus;
pub use solve::options::{BuildContext, BuildOptions, DockerfileSource};
pub use solve::{solve, Export, ExportOutput, SolveOptions, SolveResponse};
