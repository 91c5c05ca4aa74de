//! rkbuild: a Rust client for moby BuildKit.
//!
//! Connect to a builder ([`Client`]), run builds ([`solve()`]) with a session
//! that serves the build context, outputs and credentials, and follow the
//! build as a stream of typed [`SolveStatus`] events. [`BuildOptions`] takes
//! `docker buildx build`'s options with buildx's semantics.
//!
//! ```no_run
//! # async fn f() -> rkbuild::Result<()> {
//! use rkbuild::{BuildContext, BuildOptions, Client};
//!
//! let client = Client::connect("docker+unix:///var/run/docker.sock").await?;
//! let opts = BuildOptions {
//!     context: Some(BuildContext::Dir(".".into())),
//!     tags: vec!["example:latest".into()],
//!     moby_driver: client.target().is_docker(),
//!     ..Default::default()
//! };
//! let node = rkbuild::solve::dockerfile::node_identifier(&rkbuild::docker::config_dir());
//! let (solve_opts, _temp_files) = opts.to_solve(&node)?;
//! let (tx, mut events) = tokio::sync::mpsc::channel(64);
//! let build = tokio::spawn({
//!     let client = client.clone();
//!     async move { rkbuild::solve(&client, solve_opts, Some(tx)).await }
//! });
//! while let Some(status) = events.recv().await {
//!     for vertex in status.vertexes {
//!         println!("{} cached={}", vertex.name, vertex.cached);
//!     }
//! }
//! let response = build.await.expect("build task")?;
//! println!("{:?}", response.exporter_response.get("containerimage.digest"));
//! # Ok(()) }
//! ```
//!
//! Connecting and asking what the builder is:
//!
//! ```no_run
//! # async fn f() -> rkbuild::Result<()> {
//! // dockerd's embedded BuildKit, through the /grpc upgrade:
//! let client = rkbuild::Client::connect("docker+unix:///var/run/docker.sock").await?;
//! let version = client.info().await?;
//! for worker in client.list_workers().await? {
//!     println!("{} {} {:?}", version.version, worker.id, worker.platforms);
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod client;
pub mod digest;
pub mod docker;
pub mod error;
pub mod fsutil;
#[doc(hidden)]
pub mod go;
pub mod platform;
pub mod progress;
pub mod proto;
pub mod reference;
pub mod session;
pub mod solve;

pub use client::{BuildkitVersion, Client, ConnectOptions, Target, TlsOptions, WorkerInfo};
pub use error::{Error, Result};
pub use progress::event::SolveStatus;
pub use solve::dockerfile::{BuildContext, BuildOptions, DockerfileSource};
pub use solve::{solve, Export, ExportOutput, SolveOptions, SolveResponse};

// The Go helpers' names from before `go` collected them, for library users.
pub use go::strconv::{
    parse_bool as go_parse_bool, parse_bool_true as go_parse_bool_true, quote as go_quote,
};
pub use go::units;
