//! The sending half of fsutil's DiffCopy protocol (BuildKit's
//! `FileSync.DiffCopy`, served by the client, pulled by the daemon).
//!
//! The protocol, as fsutil's `Send` (91a3fc4) speaks it:
//! 1. the sender streams one `STAT` packet per entry of the walk, in walk
//!    order, then an empty `STAT` (no stat) to end the list. Entry *n* (from
//!    0) has id *n*; regular files (no type bits in the mode) can be asked for;
//! 2. meanwhile the receiver sends `REQ` packets with the id of each file it
//!    wants (only new or changed ones); the sender answers with `DATA`
//!    packets carrying the file's bytes in chunks of at most 32 KiB, then an
//!    empty `DATA` packet for that id. Files are served concurrently, so
//!    `DATA` packets of different files interleave;
//! 3. the receiver sends `FIN` when it has everything; the sender answers
//!    `FIN` and closes its side. `ERR` (either way) aborts with a message.
//!
//! The chunk size is not only a performance knob: the daemon reports
//! "transferring context: N" from the protobuf size of every packet it
//! receives, so sending the same chunks as fsutil keeps that number the same
//! as buildx's.
//!
//! Departure from upstream: when a requested file cannot be opened (e.g. no
//! read permission), fsutil silently sends it empty (docker/buildx#1802);
//! here the transfer fails with `ERR` naming the file. Sockets, which fsutil
//! sends as empty regular files, are still sent empty.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use futures_util::future::OptionFuture;
use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tonic::Status;

use crate::error::{Error, Result};
use crate::fsutil::walk::{self, WalkOptions};
use crate::proto::fsutil::types::{packet::PacketType, Packet};

/// Largest `DATA` payload, as fsutil's sender reads files (32 KiB).
pub const DATA_CHUNK: usize = 32 * 1024;

/// Files read at the same time (fsutil uses 4 senders).
const READERS: usize = 4;

/// Requested files queued for the readers (fsutil's pipeline holds 128).
const QUEUE: usize = 128;

/// What a finished transfer sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendStats {
    /// `STAT` packets (entries of the walk).
    pub entries: u64,
    /// Files whose contents were requested and sent.
    pub files: u64,
    /// Bytes of file contents sent.
    pub bytes: u64,
}

/// Where the packets for the receiver go.
pub type Outbound = mpsc::Sender<std::result::Result<Packet, Status>>;

/// A file that may be requested.
#[derive(Debug)]
struct FileRef {
    rel: String,
    socket: bool,
}

#[derive(Debug, Default)]
struct Shared {
    files: Mutex<HashMap<u32, FileRef>>,
    entries: AtomicU64,
    files_sent: AtomicU64,
    bytes: AtomicU64,
    /// Set when the transfer is over: background work stops.
    stop: AtomicBool,
}

impl Shared {
    fn check(&self) -> Result<()> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(Error::Canceled);
        }
        Ok(())
    }
}

fn packet(ty: PacketType) -> Packet {
    Packet {
        r#type: ty as i32,
        ..Default::default()
    }
}

fn err_packet(msg: &str) -> Packet {
    Packet {
        r#type: PacketType::PacketErr as i32,
        data: Bytes::copy_from_slice(msg.as_bytes()),
        ..Default::default()
    }
}

/// Sends the directory `root` (filtered by `opts`) to a DiffCopy receiver:
/// `inbound` is what the receiver sends, `outbound` where our packets go.
/// Returns when the receiver has acknowledged everything with `FIN` (after
/// answering it), or with the first error. On a local error an `ERR` packet
/// has already been sent; the caller should end the stream with an error
/// status.
pub async fn send<S>(
    root: &Path,
    opts: &WalkOptions,
    mut inbound: S,
    outbound: Outbound,
) -> Result<SendStats>
where
    S: Stream<Item = std::result::Result<Packet, Status>> + Unpin + Send,
{
    let root = walk::resolve_root(root)?;
    let shared = Arc::new(Shared::default());

    // Walker: STAT packets in order, then the empty STAT.
    let walker = {
        let (root, opts, shared, out) =
            (root.clone(), opts.clone(), shared.clone(), outbound.clone());
        tokio::task::spawn_blocking(move || walk_and_send(&root, &opts, &shared, &out))
    };
    let mut walker = Some(walker);

    // Readers: serve requested files.
    let (queue_tx, queue_rx) = mpsc::channel::<(u32, FileRef)>(QUEUE);
    let queue_rx = Arc::new(Mutex::new(queue_rx));
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..READERS {
        let (root, shared, rx, out) = (
            root.clone(),
            shared.clone(),
            queue_rx.clone(),
            outbound.clone(),
        );
        readers.spawn_blocking(move || serve_files(&root, &shared, &rx, &out));
    }
    let mut queue_tx = Some(queue_tx);

    let result: Result<()> = loop {
        tokio::select! {
            // A failing reader or walker ends the transfer at once.
            Some(done) = readers.join_next() => {
                if let Err(e) = flatten(done) {
                    break Err(e);
                }
            }
            Some(done) = OptionFuture::from(walker.as_mut()) => {
                walker = None;
                if let Err(e) = flatten(done) {
                    break Err(e);
                }
            }
            msg = inbound.next() => {
                let p = match msg {
                    Some(Ok(p)) => p,
                    Some(Err(status)) => break Err(Error::Other(format!(
                        "receiving from the daemon: {}", status.message()
                    ))),
                    None => break Err(Error::Other(
                        "the daemon closed the file transfer before it finished".into(),
                    )),
                };
                match p.r#type() {
                    PacketType::PacketErr => {
                        break Err(Error::Other(format!(
                            "error from receiver: {}",
                            String::from_utf8_lossy(&p.data)
                        )))
                    }
                    PacketType::PacketReq => {
                        let file = shared
                            .files
                            .lock()
                            .map_err(|_| Error::Other("file table poisoned".into()))
                            .and_then(|mut f| {
                                f.remove(&p.id)
                                    .ok_or_else(|| Error::Other(format!("invalid file id {}", p.id)))
                            });
                        let file = match file {
                            Ok(f) => f,
                            Err(e) => break Err(e),
                        };
                        let Some(tx) = queue_tx.as_ref() else {
                            break Err(Error::Canceled);
                        };
                        if tx.send((p.id, file)).await.is_err() {
                            break Err(Error::Canceled);
                        }
                    }
                    PacketType::PacketFin => {
                        // Everything asked for has been received.
                        queue_tx = None;
                        let mut r = Ok(());
                        while let Some(done) = readers.join_next().await {
                            if let Err(e) = flatten(done) {
                                r = Err(e);
                                break;
                            }
                        }
                        if r.is_ok()
                            && outbound.send(Ok(packet(PacketType::PacketFin))).await.is_err()
                        {
                            r = Err(Error::Canceled);
                        }
                        break r;
                    }
                    _ => {}
                }
            }
        }
    };
    shared.stop.store(true, Ordering::Relaxed);
    drop(queue_tx);
    result?;
    Ok(SendStats {
        entries: shared.entries.load(Ordering::Relaxed),
        files: shared.files_sent.load(Ordering::Relaxed),
        bytes: shared.bytes.load(Ordering::Relaxed),
    })
}

fn flatten(r: std::result::Result<Result<()>, tokio::task::JoinError>) -> Result<()> {
    match r {
        Ok(r) => r,
        Err(e) if e.is_cancelled() => Err(Error::Canceled),
        Err(e) => Err(Error::Other(format!("file transfer task failed: {e}"))),
    }
}

fn walk_and_send(root: &Path, opts: &WalkOptions, shared: &Shared, out: &Outbound) -> Result<()> {
    let mut id: u32 = 0;
    let r = walk::walk_with(root, opts, |entry| {
        shared.check()?;
        if entry.can_request_data() {
            let file = FileRef {
                rel: entry.stat.path.clone(),
                socket: entry.socket,
            };
            shared
                .files
                .lock()
                .map_err(|_| Error::Other("file table poisoned".into()))?
                .insert(id, file);
        }
        id = id.wrapping_add(1);
        let p = Packet {
            r#type: PacketType::PacketStat as i32,
            stat: Some(entry.stat),
            ..Default::default()
        };
        out.blocking_send(Ok(p)).map_err(|_| Error::Canceled)?;
        shared.entries.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    match r {
        Ok(()) => out
            .blocking_send(Ok(packet(PacketType::PacketStat)))
            .map_err(|_| Error::Canceled),
        Err(Error::Canceled) => Err(Error::Canceled),
        Err(e) => {
            let _ = out.blocking_send(Ok(err_packet(&e.to_string())));
            Err(e)
        }
    }
}

type Queue = Arc<Mutex<mpsc::Receiver<(u32, FileRef)>>>;

fn serve_files(root: &Path, shared: &Shared, queue: &Queue, out: &Outbound) -> Result<()> {
    loop {
        let job = {
            let mut rx = queue
                .lock()
                .map_err(|_| Error::Other("file queue poisoned".into()))?;
            rx.blocking_recv()
        };
        let Some((id, file)) = job else {
            return Ok(());
        };
        match send_file(root, id, &file, shared, out) {
            Ok(()) => {}
            Err(Error::Canceled) => return Err(Error::Canceled),
            Err(e) => {
                let _ = out.blocking_send(Ok(err_packet(&e.to_string())));
                return Err(e);
            }
        }
    }
}

fn send_file(root: &Path, id: u32, file: &FileRef, shared: &Shared, out: &Outbound) -> Result<()> {
    let send = |data: Bytes| {
        out.blocking_send(Ok(Packet {
            r#type: PacketType::PacketData as i32,
            id,
            data,
            ..Default::default()
        }))
        .map_err(|_| Error::Canceled)
    };
    if !file.socket {
        let path: PathBuf = root.join(&file.rel);
        let io_err = |op, source| Error::FileOp {
            op,
            path: path.clone(),
            source,
        };
        let mut f = std::fs::File::open(&path).map_err(|e| io_err("open", e))?;
        // Size the first buffer from the file's size, then read 32 KiB
        // chunks until EOF like io.CopyBuffer does.
        let mut expected = f.metadata().map(|m| m.len()).unwrap_or(0) as usize;
        loop {
            let cap = if expected > 0 {
                expected.min(DATA_CHUNK)
            } else {
                DATA_CHUNK
            };
            let mut buf = BytesMut::with_capacity(cap);
            buf.resize(cap, 0);
            let n = loop {
                match f.read(&mut buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(io_err("read", e)),
                }
            };
            if n == 0 {
                break;
            }
            shared.check()?;
            buf.truncate(n);
            shared.bytes.fetch_add(n as u64, Ordering::Relaxed);
            expected = expected.saturating_sub(n);
            send(buf.freeze())?;
        }
    }
    send(Bytes::new())?;
    shared.files_sent.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use tokio_stream::wrappers::ReceiverStream;

    /// A receiver driven by the test: requests every file, collects data.
    struct Receiver {
        to_sender: mpsc::Sender<std::result::Result<Packet, Status>>,
        from_sender: mpsc::Receiver<std::result::Result<Packet, Status>>,
    }

    fn pair() -> (
        Receiver,
        ReceiverStream<std::result::Result<Packet, Status>>,
        Outbound,
    ) {
        let (to_sender, inbound) = mpsc::channel(16);
        let (outbound, from_sender) = mpsc::channel(16);
        (
            Receiver {
                to_sender,
                from_sender,
            },
            ReceiverStream::new(inbound),
            outbound,
        )
    }

    #[derive(Debug, Default)]
    struct Received {
        stats: Vec<crate::fsutil::stat::Stat>,
        data: HashMap<u32, Vec<u8>>,
        chunks: HashMap<u32, Vec<usize>>,
        packet_bytes: usize,
        error: Option<String>,
    }

    impl Receiver {
        /// Plays fsutil's receiver: request every regular file after the
        /// stat list, wait for all data, then FIN.
        async fn run(mut self, request: bool) -> Received {
            let mut r = Received::default();
            let mut pending = 0usize;
            let mut stats_done = false;
            while let Some(msg) = self.from_sender.recv().await {
                let p = msg.unwrap();
                r.packet_bytes += p.encoded_len();
                match p.r#type() {
                    PacketType::PacketStat => match p.stat {
                        Some(st) => {
                            let id = r.stats.len() as u32;
                            if request && crate::fsutil::stat::can_request_data(st.mode) {
                                pending += 1;
                                let req = Packet {
                                    r#type: PacketType::PacketReq as i32,
                                    id,
                                    ..Default::default()
                                };
                                self.to_sender.send(Ok(req)).await.unwrap();
                            }
                            r.stats.push(st);
                        }
                        None => stats_done = true,
                    },
                    PacketType::PacketData => {
                        if p.data.is_empty() {
                            pending -= 1;
                        } else {
                            r.chunks.entry(p.id).or_default().push(p.data.len());
                        }
                        r.data.entry(p.id).or_default().extend_from_slice(&p.data);
                    }
                    PacketType::PacketErr => {
                        r.error = Some(String::from_utf8_lossy(&p.data).into_owned());
                        return r;
                    }
                    PacketType::PacketFin => return r,
                    _ => {}
                }
                if stats_done && pending == 0 {
                    let fin = Packet {
                        r#type: PacketType::PacketFin as i32,
                        ..Default::default()
                    };
                    self.to_sender.send(Ok(fin)).await.unwrap();
                    stats_done = false;
                }
            }
            r
        }
    }

    #[tokio::test]
    async fn sends_stats_and_requested_data() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("d")).unwrap();
        std::fs::write(root.join("d/empty"), b"").unwrap();
        let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(root.join("big"), &big).unwrap();
        std::fs::write(root.join("small"), b"hello").unwrap();
        std::os::unix::fs::symlink("small", root.join("link")).unwrap();

        let (rx, inbound, outbound) = pair();
        let receiver = tokio::spawn(rx.run(true));
        let stats = send(root, &WalkOptions::default(), inbound, outbound)
            .await
            .unwrap();
        let got = receiver.await.unwrap();
        assert_eq!(got.error, None);
        let paths: Vec<&str> = got.stats.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["big", "d", "d/empty", "link", "small"]);
        assert_eq!(got.data[&0], big);
        assert_eq!(got.chunks[&0], [32768, 32768, 32768, 1696]);
        assert_eq!(got.data[&2], b"");
        assert_eq!(got.data[&4], b"hello");
        assert!(!got.data.contains_key(&3));
        assert_eq!(
            stats,
            SendStats {
                entries: 5,
                files: 3,
                bytes: 100_005
            }
        );
    }

    #[tokio::test]
    async fn nothing_requested() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"x").unwrap();
        let (rx, inbound, outbound) = pair();
        let receiver = tokio::spawn(rx.run(false));
        let stats = send(dir.path(), &WalkOptions::default(), inbound, outbound)
            .await
            .unwrap();
        let got = receiver.await.unwrap();
        assert_eq!(got.stats.len(), 1);
        assert!(got.data.is_empty());
        assert_eq!(stats.files, 0);
    }

    #[tokio::test]
    async fn unopenable_file_fails_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::write(root.join("f"), b"x").unwrap();
        let (mut rx, inbound, outbound) = pair();
        let sender = tokio::spawn({
            let root = root.clone();
            async move { send(&root, &WalkOptions::default(), inbound, outbound).await }
        });
        // Wait for the end of the stat list, then make the file vanish
        // before asking for it.
        loop {
            let p = rx.from_sender.recv().await.unwrap().unwrap();
            if p.r#type() == PacketType::PacketStat && p.stat.is_none() {
                break;
            }
        }
        std::fs::remove_file(root.join("f")).unwrap();
        let req = Packet {
            r#type: PacketType::PacketReq as i32,
            id: 0,
            ..Default::default()
        };
        rx.to_sender.send(Ok(req)).await.unwrap();
        let p = rx.from_sender.recv().await.unwrap().unwrap();
        assert_eq!(p.r#type(), PacketType::PacketErr);
        let canonical = std::fs::canonicalize(&root).unwrap();
        let want = format!("open {}/f: no such file or directory", canonical.display());
        assert_eq!(String::from_utf8_lossy(&p.data), want);
        let err = sender.await.unwrap().unwrap_err();
        assert_eq!(err.to_string(), want);
    }

    #[tokio::test]
    async fn sockets_are_sent_empty() {
        let dir = tempfile::tempdir().unwrap();
        let _l = std::os::unix::net::UnixListener::bind(dir.path().join("s")).unwrap();
        let (rx, inbound, outbound) = pair();
        let receiver = tokio::spawn(rx.run(true));
        let stats = send(dir.path(), &WalkOptions::default(), inbound, outbound)
            .await
            .unwrap();
        let got = receiver.await.unwrap();
        assert_eq!(got.data[&0], b"");
        assert_eq!(stats.files, 1);
    }

    #[tokio::test]
    async fn receiver_error_and_bad_ids() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"x").unwrap();
        let (rx, inbound, outbound) = pair();
        let req = Packet {
            r#type: PacketType::PacketReq as i32,
            id: 7,
            ..Default::default()
        };
        rx.to_sender.send(Ok(req)).await.unwrap();
        let err = send(dir.path(), &WalkOptions::default(), inbound, outbound)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "invalid file id 7");

        let (rx, inbound, outbound) = pair();
        let e = Packet {
            r#type: PacketType::PacketErr as i32,
            data: Bytes::from_static(b"disk full"),
            ..Default::default()
        };
        rx.to_sender.send(Ok(e)).await.unwrap();
        let err = send(dir.path(), &WalkOptions::default(), inbound, outbound)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "error from receiver: disk full");
    }

    #[tokio::test]
    async fn walk_errors_are_sent_as_err() {
        let dir = tempfile::tempdir().unwrap();
        let (rx, inbound, outbound) = pair();
        let receiver = tokio::spawn(rx.run(true));
        let opts = WalkOptions {
            exclude_patterns: vec!["[".into()],
            ..Default::default()
        };
        let err = send(dir.path(), &opts, inbound, outbound)
            .await
            .unwrap_err();
        let got = receiver.await.unwrap();
        assert_eq!(got.error.as_deref(), Some(err.to_string().as_str()));
    }
}
