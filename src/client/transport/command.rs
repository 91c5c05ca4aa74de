//! A stream through a helper program's stdin and stdout, as the docker CLI
//! and BuildKit's connection helpers do it (`commandconn`): `ssh ... docker
//! system dial-stdio` for `ssh://` docker hosts, `kubectl exec ...
//! buildctl dial-stdio` for `kube-pod://` builders.
//!
//! The program is killed when the stream is dropped. When it ends before
//! the caller closes the stream, reads fail with its exit status and the
//! end of what it wrote to stderr (what `ssh` says about a refused key).

use std::io;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use std::collections::HashMap;
use std::sync::OnceLock;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::process::{ChildStdin, ChildStdout};

use crate::error::{Error, Result};

/// How the last helper of each address ended, when it failed: what a
/// broken HTTP/2 exchange over it is explained with.
fn exits() -> &'static Mutex<HashMap<String, Option<String>>> {
    static EXITS: OnceLock<Mutex<HashMap<String, Option<String>>>> = OnceLock::new();
    EXITS.get_or_init(Mutex::default)
}

/// Why the last helper started for `address` failed, if it has ended
/// with a failure.
pub(crate) fn last_failure(address: &str) -> Option<String> {
    exits()
        .lock()
        .ok()
        .and_then(|m| m.get(address).cloned())
        .flatten()
}

/// Starts `program args...` and returns its stdin/stdout as one stream;
/// `address` names it in [`last_failure`].
pub(crate) fn spawn(program: &str, args: &[String], address: &str) -> Result<CommandIo> {
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Error::NotListening {
            addr: display(program, args),
            detail: if e.kind() == io::ErrorKind::NotFound {
                format!("{program} is not installed (not found in PATH)")
            } else {
                format!("cannot start {program}: {e}")
            },
        })?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr_buf: Arc<Mutex<Vec<u8>>> = Arc::default();
    if let Some(mut err) = child.stderr.take() {
        let buf = stderr_buf.clone();
        tokio::spawn(async move {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = err.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                if let Ok(mut b) = buf.lock() {
                    b.extend_from_slice(&chunk[..n]);
                    let len = b.len();
                    if len > 8192 {
                        b.drain(..len - 8192);
                    }
                }
            }
        });
    }
    let cmd = display(program, args);
    let status: Arc<Mutex<Exit>> = Arc::default();
    // The watcher owns the program: it records how it ended, and kills it
    // when the stream is dropped.
    let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
    {
        let status = status.clone();
        let stderr = stderr_buf.clone();
        let cmd = cmd.clone();
        let address = address.to_string();
        if let Ok(mut m) = exits().lock() {
            m.insert(address.clone(), None);
        }
        tokio::spawn(async move {
            tokio::select! {
                r = child.wait() => {
                    let st = r.ok();
                    if st.is_some_and(|s| !s.success()) {
                        // Let the stderr reader catch up.
                        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                        let text = report(&cmd, st, &stderr);
                        if let Ok(mut m) = exits().lock() {
                            m.insert(address, Some(text));
                        }
                    }
                    if let Ok(mut s) = status.lock() {
                        s.done = true;
                        s.status = st;
                        if let Some(w) = s.waker.take() {
                            w.wake();
                        }
                    }
                }
                _ = kill_rx => {
                    let _ = child.kill().await;
                }
            }
        });
    }
    Ok(CommandIo {
        _kill: kill_tx,
        status,
        stdin,
        stdout,
        stderr: stderr_buf,
        cmd,
    })
}

fn report(cmd: &str, status: Option<ExitStatus>, stderr: &Mutex<Vec<u8>>) -> String {
    let err = stderr
        .lock()
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let last = err
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let how = match status {
        Some(s) => format!("has exited with {s}"),
        None => "closed its output".to_string(),
    };
    format!(
        "command [{cmd}] {how}{}",
        if last.is_empty() {
            String::new()
        } else {
            format!(": {last}")
        }
    )
}

fn display(program: &str, args: &[String]) -> String {
    std::iter::once(program.to_string())
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The helper's stdin (writes) and stdout (reads).
/// How the program ended, once it has; a reader waiting for that.
#[derive(Default)]
struct Exit {
    done: bool,
    status: Option<ExitStatus>,
    waker: Option<std::task::Waker>,
}

pub(crate) struct CommandIo {
    _kill: tokio::sync::oneshot::Sender<()>,
    status: Arc<Mutex<Exit>>,
    stdin: Option<ChildStdin>,
    stdout: Option<ChildStdout>,
    stderr: Arc<Mutex<Vec<u8>>>,
    cmd: String,
}

impl CommandIo {
    /// The program's exit status once the watcher has reaped it; until
    /// then `Pending`, woken when it is.
    fn reaped(&self, cx: &mut Context<'_>) -> Poll<Option<ExitStatus>> {
        match self.status.lock() {
            Ok(mut s) if !s.done => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            Ok(s) => Poll::Ready(s.status),
            Err(_) => Poll::Ready(None),
        }
    }

    fn exited(&self, status: Option<ExitStatus>) -> io::Error {
        io::Error::other(report(&self.cmd, status, &self.stderr))
    }
}

impl AsyncRead for CommandIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let Some(out) = self.stdout.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        match Pin::new(out).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() == before => {
                // EOF: the program ended (or closed stdout). Once it has
                // been reaped: a clean exit is the end of the stream,
                // anything else an error saying why.
                let Poll::Ready(status) = self.reaped(cx) else {
                    return Poll::Pending;
                };
                match status {
                    Some(s) if s.success() => Poll::Ready(Ok(())),
                    s => Poll::Ready(Err(self.exited(s))),
                }
            }
            other => other,
        }
    }
}

impl AsyncWrite for CommandIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = match self.stdin.as_mut() {
            Some(i) => Pin::new(i).poll_write(cx, buf),
            None => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
        };
        match r {
            // The program is gone: once it is reaped, say what it said
            // (not "broken pipe").
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
                let Poll::Ready(status) = self.reaped(cx) else {
                    return Poll::Pending;
                };
                Poll::Ready(Err(self.exited(status)))
            }
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stdin.as_mut() {
            Some(i) => Pin::new(i).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stdin.as_mut() {
            Some(i) => Pin::new(i).poll_shutdown(cx),
            None => Poll::Ready(Ok(())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn carries_bytes_both_ways() {
        let mut io = spawn("cat", &[], "test://cat").unwrap();
        io.write_all(b"ping").await.unwrap();
        let mut b = [0u8; 4];
        io.read_exact(&mut b).await.unwrap();
        assert_eq!(&b, b"ping");
    }

    #[tokio::test]
    async fn a_failing_helper_says_why() {
        let mut io = spawn(
            "sh",
            &[
                "-c".into(),
                "echo 'Permission denied (publickey).' >&2; exit 255".into(),
            ],
            "test://sh",
        )
        .unwrap();
        let mut b = Vec::new();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let e = io.read_to_end(&mut b).await.unwrap_err().to_string();
        assert!(e.contains("exit status: 255"), "{e}");
        assert!(e.ends_with("Permission denied (publickey)."), "{e}");
        let r = last_failure("test://sh").unwrap();
        assert!(r.ends_with("Permission denied (publickey)."), "{r}");
        let e = spawn("no-such-helper-rk", &[], "test://x")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("not installed"), "{e}");
    }
}
