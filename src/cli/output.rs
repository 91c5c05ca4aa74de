//! Writing command output to stdout: one helper, and a closed stdout
//! (`docker rkbuild du | head -1`, EPIPE) is a normal end, not an error.

use std::io::Write;

use super::error::{CliError, CliResult};

/// Writes `text` to stdout and flushes it.
pub fn print(text: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(format!("writing to stdout: {e}"))),
    }
}

/// Writes `text` and a newline to stdout (see [`print`]).
pub fn println(text: &str) -> CliResult {
    print(&format!("{text}\n"))
}
