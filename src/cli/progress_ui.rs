//! Glue between the solve's progress stream and the renderers.
//! TEMPORARY minimal renderer until the progress module lands.

use std::collections::HashMap;

use rkbuild::proto::moby::buildkit::v1::StatusResponse;
use tokio::sync::mpsc;

use super::error::{CliError, CliResult};

/// `--progress` modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// tty if stderr is a terminal, else plain.
    Auto,
    /// Plain text.
    Plain,
    /// Live view.
    Tty,
    /// Nothing.
    Quiet,
    /// One JSON per line.
    RawJson,
}

impl Mode {
    /// Parses a `--progress` value.
    pub fn parse(s: &str) -> CliResult<Mode> {
        Ok(match s {
            "auto" | "" => Mode::Auto,
            "plain" => Mode::Plain,
            "tty" => Mode::Tty,
            "quiet" => Mode::Quiet,
            "rawjson" => Mode::RawJson,
            other => return Err(CliError::new(format!("invalid progress mode {other}"))),
        })
    }
}

/// What the renderer learned that the failure summary needs.
#[derive(Debug, Default, Clone)]
pub struct Summary {}

/// Renders progress in the background until the stream ends.
pub fn spawn(
    mode: Mode,
    builder: &str,
    driver: &str,
    mut rx: mpsc::Receiver<StatusResponse>,
) -> tokio::task::JoinHandle<Summary> {
    if mode != Mode::Quiet {
        eprintln!("#0 building with {builder:?} instance using {driver} driver\n");
    }
    tokio::spawn(async move {
        let mut nums: HashMap<String, usize> = HashMap::new();
        while let Some(msg) = rx.recv().await {
            if mode == Mode::Quiet {
                continue;
            }
            for v in msg.vertexes {
                let n = nums.len() + 1;
                let n = *nums.entry(v.digest.clone()).or_insert(n);
                if v.completed.is_some() {
                    eprintln!("#{n} {} DONE", v.name);
                }
            }
            for l in msg.logs {
                let n = nums.get(&l.vertex).copied().unwrap_or(0);
                eprint!("#{n} {}", String::from_utf8_lossy(&l.msg));
            }
        }
        Summary {}
    })
}

/// Prints a failed build's error as buildx does.
pub fn print_failure(_summary: &Summary, status: &tonic::Status) {
    eprintln!("ERROR: failed to solve: {}", status.message());
}
