//! The integration tests: one binary (one link, one harness) with a module
//! per area. Daemon tests run against the real dockerd and the standalone
//! buildkitd that `scripts/testenv up` starts (see `common`).

#[macro_use]
mod common;

mod build;
mod builders;
mod cache;
mod cli_integration;
mod cli_version;
mod connect;
mod endpoints;
mod examples;
mod filesync;
mod flags;
mod old_daemon;
mod packaging;
mod parity;
mod progress;
mod registry;
mod remote;
mod secrets;
mod ssh;
mod targets;
