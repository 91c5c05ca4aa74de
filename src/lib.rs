//! rkbuild: a Rust client for moby BuildKit.
//!
//! Connect to a builder, ask what it is, and (in later modules) run builds
//! with a session that serves files, credentials and secrets.
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
pub mod docker;
pub mod error;
pub mod fsutil;
pub mod platform;
pub mod progress;
pub mod proto;
pub mod session;
pub mod solve;

pub use client::{BuildkitVersion, Client, ConnectOptions, Target, TlsOptions, WorkerInfo};
pub use error::{Error, Result};
