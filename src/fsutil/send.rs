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
use std::sync::{Arc, Condvar, Mutex};

use bytes::{Bytes, BytesMut};
use futures_util::future::{FutureExt, OptionFuture};
use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tonic::Status;

use crate::error::{Error, Result, TransferError};
use crate::fsutil::walk::{self, WalkOptions};
use crate::proto::fsutil::types::{packet::PacketType, Packet};

/// Largest `DATA` payload, as fsutil's sender reads files (32 KiB).
pub(crate) const DATA_CHUNK: usize = 32 * 1024;

/// Files read at the same time (fsutil uses 4 senders).
const READERS: usize = 4;

/// Requested files up to this size are read by the task that receives the
/// requests, without a hand-over to a reader thread: for a context of many
/// small files the cross-thread wake-ups cost far more than the reads (a few
/// microseconds each from the page cache). Larger files go to the readers.
const INLINE_MAX: u64 = DATA_CHUNK as u64;

/// Packets of small files held here at most while the receiver does not
/// read; further requests go to the readers.
const INLINE_PENDING: usize = 4 * BATCH_PACKETS;

/// Packets are handed to the gRPC stream in batches of at most this many
/// packets or bytes, so that one wake-up and one socket write carry many
/// small packets.
const BATCH_PACKETS: usize = 128;
const BATCH_BYTES: usize = 256 * 1024;

/// A batch of stat packets waits at most this long for more.
const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(5);

/// How far the walk may run ahead of the receiver on a local daemon, in
/// entries past the highest id it has asked for (see [`Pacing`]).
pub(crate) const LOCAL_STAT_LEAD: u32 = 512;

/// Pacing stops when the receiver has not asked for anything this long.
/// (Measured: 5 ms let the walk burst ahead at every hiccup of the daemon
/// and was slower than no pacing at all; 20 and 50 ms were alike.)
const PACE_IDLE: std::time::Duration = std::time::Duration::from_millis(20);

/// A paced walk that stopped resumes once the receiver has asked for files
/// this many entries further on, and then sends at least that many entries
/// at once: one wake-up and one hand-over per burst, not per entry.
/// (Polling every 100 µs instead cost a context switch each time, on a
/// machine whose two cores the daemon keeps busy during the transfer.)
const PACE_RESUME: u32 = 64;

/// How the walk is paced against the receiver's requests.
///
/// fsutil's receiver handles `STAT`s one at a time and asks for each new
/// file's data as it goes; the data it asked for is written by the same
/// loop that reads the `STAT`s. When the sender streams stats far ahead,
/// the answers to its requests queue behind thousands of stats (in our
/// buffers, the HTTP/2 windows and the daemon's receive buffer), so
/// thousands of its per-file writers wait at once. Measured on a 50,000-file
/// cold build against a local dockerd (2 cores), keeping the walk at most
/// 512 entries ahead of the requests cut the transfer from 3.4-3.6 s to
/// 3.0-3.3 s (means of 5-8 interleaved runs; leads of 256 to 1024 were
/// alike).
///
/// Pacing only applies while the receiver asks for at least half of the
/// files sent so far and keeps asking (it stops after 20 ms without a
/// request), so a transfer of a few changed files is never held back. Over
/// a network the requests come back a round trip late, so the lead would
/// cap the rate: use it for local daemons only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pacing {
    /// Entries the walk may be ahead of the highest id requested; `None`
    /// streams the walk as fast as the receiver reads it.
    pub stat_lead: Option<u32>,
}

impl Pacing {
    /// Pacing for a daemon on this machine.
    pub(crate) fn local() -> Self {
        Pacing {
            stat_lead: Some(LOCAL_STAT_LEAD),
        }
    }
}

/// What a finished transfer sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SendStats {
    /// `STAT` packets (entries of the walk).
    pub entries: u64,
    /// Files whose contents were requested and sent.
    pub files: u64,
    /// Bytes of file contents sent.
    pub bytes: u64,
}

/// Packets for the receiver, in order, or the status that ends the stream.
pub(crate) type Batch = std::result::Result<Vec<Packet>, Status>;

/// Where the packets for the receiver go.
pub(crate) type Outbound = mpsc::Sender<Batch>;

/// The packet stream for gRPC from the batches sent to an [`Outbound`].
pub(crate) fn packet_stream(
    rx: mpsc::Receiver<Batch>,
) -> impl Stream<Item = std::result::Result<Packet, Status>> + Send + 'static {
    use futures_util::future::Either;
    use futures_util::stream;
    tokio_stream::wrappers::ReceiverStream::new(rx).flat_map(|batch| match batch {
        Ok(packets) => Either::Left(stream::iter(packets.into_iter().map(Ok))),
        Err(status) => Either::Right(stream::once(std::future::ready(Err(status)))),
    })
}

/// Collects packets and hands them over in batches.
struct Batcher<'a> {
    out: &'a Outbound,
    packets: Vec<Packet>,
    bytes: usize,
    since: Option<std::time::Instant>,
}

impl<'a> Batcher<'a> {
    fn new(out: &'a Outbound) -> Self {
        Batcher {
            out,
            packets: Vec::new(),
            bytes: 0,
            since: None,
        }
    }

    /// Adds a packet; hands the batch over when it is full (or, with
    /// `timed`, has waited long enough).
    fn push(&mut self, p: Packet, timed: bool) -> Result<()> {
        self.bytes += p.data.len() + 16;
        self.packets.push(p);
        let since = *self.since.get_or_insert_with(std::time::Instant::now);
        if self.packets.len() >= BATCH_PACKETS
            || self.bytes >= BATCH_BYTES
            || (timed && since.elapsed() >= BATCH_DELAY)
        {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.packets.is_empty() {
            return Ok(());
        }
        let packets = std::mem::replace(&mut self.packets, Vec::with_capacity(32));
        self.bytes = 0;
        self.since = None;
        self.out
            .blocking_send(Ok(packets))
            .map_err(|_| Error::Canceled)
    }
}

/// A file that may be requested.
#[derive(Debug)]
struct FileRef {
    rel: String,
    size: u64,
    socket: bool,
}

#[derive(Debug)]
struct Shared {
    files: Mutex<HashMap<u32, FileRef>>,
    entries: AtomicU64,
    files_sent: AtomicU64,
    bytes: AtomicU64,
    /// Set when the transfer is over: background work stops.
    stop: AtomicBool,
    /// Requests received, and one more than the highest id requested.
    requests: AtomicU64,
    requested_high: AtomicU64,
    /// When the last request arrived, in ns since `start`.
    last_request: AtomicU64,
    start: std::time::Instant,
    /// A paced walk waiting for `requested_high` to reach this (0: none).
    wake_at: AtomicU64,
    pace_lock: Mutex<()>,
    pace_cv: Condvar,
}

impl Shared {
    fn new() -> Self {
        Shared {
            files: Mutex::default(),
            entries: AtomicU64::default(),
            files_sent: AtomicU64::default(),
            bytes: AtomicU64::default(),
            stop: AtomicBool::default(),
            requests: AtomicU64::default(),
            requested_high: AtomicU64::default(),
            last_request: AtomicU64::default(),
            start: std::time::Instant::now(),
            wake_at: AtomicU64::default(),
            pace_lock: Mutex::default(),
            pace_cv: Condvar::new(),
        }
    }

    fn now_ns(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn note_request(&self, id: u32) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.last_request.store(self.now_ns(), Ordering::Relaxed);
        let high = u64::from(id) + 1;
        self.requested_high.fetch_max(high, Ordering::SeqCst);
        let wake = self.wake_at.load(Ordering::SeqCst);
        if wake != 0 && high >= wake {
            self.wake_at.store(0, Ordering::SeqCst);
            // Taken so that the walker is inside its wait, not about to enter it.
            let _guard = self.pace_lock.lock();
            self.pace_cv.notify_one();
        }
    }

    /// Waits (as a paced walk that must wait at entry `id`) until the
    /// receiver has asked for [`PACE_RESUME`] more entries, or until it has
    /// been idle for [`PACE_IDLE`]; the caller checks [`Shared::must_wait`]
    /// again.
    fn wait_for_requests(&self, id: u32, lead: u32) {
        // A short lead resumes after half of it.
        let resume = PACE_RESUME.min(lead / 2);
        let target = (u64::from(id) + 1 + u64::from(resume)).saturating_sub(u64::from(lead));
        let Ok(guard) = self.pace_lock.lock() else {
            return;
        };
        self.wake_at.store(target.max(1), Ordering::SeqCst);
        if self.requested_high.load(Ordering::SeqCst) >= target {
            self.wake_at.store(0, Ordering::SeqCst);
            return;
        }
        let idle = self
            .now_ns()
            .saturating_sub(self.last_request.load(Ordering::Relaxed));
        let left = (PACE_IDLE.as_nanos() as u64)
            .saturating_sub(idle)
            .max(1_000_000);
        let _ = self
            .pace_cv
            .wait_timeout(guard, std::time::Duration::from_nanos(left));
        self.wake_at.store(0, Ordering::SeqCst);
    }

    /// Whether the entry `id` must wait for the receiver to catch up; `files`
    /// is how many requestable files have been sent.
    fn must_wait(&self, id: u32, lead: u32, files: u64) -> bool {
        let high = self.requested_high.load(Ordering::Relaxed);
        if u64::from(id) < high + u64::from(lead) {
            return false;
        }
        // Only while the receiver asks for most files, and keeps asking.
        if self.requests.load(Ordering::Relaxed) * 2 < files {
            return false;
        }
        let idle = self
            .now_ns()
            .saturating_sub(self.last_request.load(Ordering::Relaxed));
        idle < PACE_IDLE.as_nanos() as u64
    }

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

#[cfg(test)]
/// Sends the directory `root` (filtered by `opts`) to a DiffCopy receiver:
/// `inbound` is what the receiver sends, `outbound` where our packets go.
/// Returns when the receiver has acknowledged everything with `FIN` (after
/// answering it), or with the first error. On a local error an `ERR` packet
/// has already been sent; the caller should end the stream with an error
/// status.
pub(crate) async fn send<S>(
    root: &Path,
    opts: &WalkOptions,
    inbound: S,
    outbound: Outbound,
) -> Result<SendStats>
where
    S: Stream<Item = std::result::Result<Packet, Status>> + Unpin + Send,
{
    send_paced(root, opts, Pacing::default(), inbound, outbound).await
}

/// [`send`], with the walk paced against the receiver's requests.
///
/// Long because it is one state machine over the DiffCopy stream (the
/// walk's stats, the receiver's `REQ`s, data, `FIN`, errors from either
/// side) whose shared state is simplest to follow in one loop.
pub(crate) async fn send_paced<S>(
    root: &Path,
    opts: &WalkOptions,
    pacing: Pacing,
    mut inbound: S,
    outbound: Outbound,
) -> Result<SendStats>
where
    S: Stream<Item = std::result::Result<Packet, Status>> + Unpin + Send,
{
    let root = walk::resolve_root(root)?;
    let shared = Arc::new(Shared::new());

    // Walker: STAT packets in order, then the empty STAT.
    let walker = {
        let (root, opts, shared, out) =
            (root.clone(), opts.clone(), shared.clone(), outbound.clone());
        tokio::task::spawn_blocking(move || walk_and_send(&root, &opts, pacing, &shared, &out))
    };
    let mut walker = Some(walker);

    // Readers: serve requested files.
    // Unbounded (fsutil's holds 128): requests are small, and reading them
    // must never wait for file data, or a receiver that reads and requests
    // from one loop would deadlock with us.
    let (queue_tx, queue_rx) = mpsc::unbounded_channel::<(u32, FileRef)>();
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
    // Packets of the small files read here, not yet handed over.
    let mut inline: Vec<Packet> = Vec::new();

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
            // Small files' packets go out as soon as there is room; until
            // then requests are still read (never wait for the receiver to
            // read with requests unread: it may be waiting to send them).
            permit = outbound.reserve(), if !inline.is_empty() => {
                let Ok(permit) = permit else {
                    break Err(Error::Canceled);
                };
                permit.send(Ok(std::mem::take(&mut inline)));
            }
            msg = inbound.next() => {
                // Serve this message and every one already received, then
                // hand over the small files' packets at once.
                let mut next = Some(msg);
                let mut flow = Ok(Flow::Continue);
                while let Some(msg) = next.take() {
                    flow = handle(msg, &root, &shared, queue_tx.as_ref(), &mut inline);
                    if !matches!(flow, Ok(Flow::Continue)) {
                        break;
                    }
                    next = inbound.next().now_or_never();
                }
                if !inline.is_empty() {
                    match outbound.try_reserve() {
                        Ok(permit) => permit.send(Ok(std::mem::take(&mut inline))),
                        Err(mpsc::error::TrySendError::Full(())) => {}
                        Err(mpsc::error::TrySendError::Closed(())) => flow = Err(Error::Canceled),
                    }
                }
                if matches!(flow, Ok(Flow::Fin | Flow::Failed(_))) && !inline.is_empty() {
                    let packets = std::mem::take(&mut inline);
                    if outbound.send(Ok(packets)).await.is_err() {
                        flow = Err(Error::Canceled);
                    }
                }
                match flow {
                    Ok(Flow::Continue) => {}
                    Err(e) => {
                        // The receiver may have hung up because the walk
                        // failed and it got our ERR: report the walk's error.
                        if let Some(w) = walker.take() {
                            let waited = tokio::time::timeout(std::time::Duration::from_secs(1), w).await;
                            if let Ok(done) = waited {
                                if let Err(we) = flatten(done) {
                                    break Err(we);
                                }
                            }
                        }
                        break Err(e);
                    }
                    Ok(Flow::Failed(e)) => {
                        // A file could not be read: tell the receiver.
                        let _ = outbound.send(Ok(vec![err_packet(&e.to_string())])).await;
                        break Err(e);
                    }
                    Ok(Flow::Fin) => {
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
                            && outbound.send(Ok(vec![packet(PacketType::PacketFin)])).await.is_err()
                        {
                            r = Err(Error::Canceled);
                        }
                        break r;
                    }
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

/// What the serving loop does after a message from the receiver.
enum Flow {
    /// Go on serving.
    Continue,
    /// The receiver sent `FIN`.
    Fin,
    /// A file could not be read here: the receiver gets `ERR`.
    Failed(Error),
}

/// Handles one message from the receiver: a request for a small file is
/// served at once into `inline`, other requests go to the readers.
fn handle(
    msg: Option<std::result::Result<Packet, Status>>,
    root: &Path,
    shared: &Shared,
    queue: Option<&mpsc::UnboundedSender<(u32, FileRef)>>,
    inline: &mut Vec<Packet>,
) -> Result<Flow> {
    let p = match msg {
        Some(Ok(p)) => p,
        Some(Err(status)) => {
            return Err(TransferError::Receive(status.message().to_string()).into())
        }
        None => return Err(TransferError::Closed.into()),
    };
    match p.r#type() {
        PacketType::PacketErr => {
            Err(TransferError::Receiver(String::from_utf8_lossy(&p.data).into_owned()).into())
        }
        PacketType::PacketReq => {
            shared.note_request(p.id);
            let file = shared
                .files
                .lock()
                .map_err(|_| TransferError::Poisoned("file table"))?
                .remove(&p.id)
                .ok_or(TransferError::FileId(p.id))?;
            // Beyond a batch not yet handed over, the readers take them
            // (their hand-over waits for room; this loop must not).
            if file.size <= INLINE_MAX && inline.len() < INLINE_PENDING {
                return match send_file(root, p.id, &file, shared, &mut |p| {
                    inline.push(p);
                    Ok(())
                }) {
                    Ok(()) => Ok(Flow::Continue),
                    Err(Error::Canceled) => Err(Error::Canceled),
                    Err(e) => Ok(Flow::Failed(e)),
                };
            }
            let tx = queue.ok_or(Error::Canceled)?;
            tx.send((p.id, file)).map_err(|_| Error::Canceled)?;
            Ok(Flow::Continue)
        }
        PacketType::PacketFin => Ok(Flow::Fin),
        _ => Ok(Flow::Continue),
    }
}

fn flatten(r: std::result::Result<Result<()>, tokio::task::JoinError>) -> Result<()> {
    match r {
        Ok(r) => r,
        Err(e) if e.is_cancelled() => Err(Error::Canceled),
        Err(e) => Err(Error::TaskFailed {
            task: "file transfer",
            reason: e.to_string(),
        }),
    }
}

fn walk_and_send(
    root: &Path,
    opts: &WalkOptions,
    pacing: Pacing,
    shared: &Shared,
    out: &Outbound,
) -> Result<()> {
    let mut id: u32 = 0;
    let mut files: u64 = 0;
    let mut batch = Batcher::new(out);
    let r = walk::walk_with(root, opts, |entry| {
        shared.check()?;
        if let Some(lead) = pacing.stat_lead {
            let mut flushed = false;
            while shared.must_wait(id, lead, files) {
                // What the receiver has not seen yet must reach it first.
                if !flushed {
                    batch.flush()?;
                    flushed = true;
                }
                shared.check()?;
                shared.wait_for_requests(id, lead);
            }
        }
        if entry.can_request_data() {
            files += 1;
            // Registered before its STAT leaves, so a REQ always finds it.
            let file = FileRef {
                rel: entry.stat.path.clone(),
                size: entry.stat.size.max(0) as u64,
                socket: entry.socket,
            };
            shared
                .files
                .lock()
                .map_err(|_| TransferError::Poisoned("file table"))?
                .insert(id, file);
        }
        id = id.wrapping_add(1);
        let p = Packet {
            r#type: PacketType::PacketStat as i32,
            stat: Some(entry.stat),
            ..Default::default()
        };
        batch.push(p, true)?;
        shared.entries.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    match r {
        Ok(()) => {
            batch.push(packet(PacketType::PacketStat), false)?;
            batch.flush()
        }
        Err(Error::Canceled) => Err(Error::Canceled),
        Err(e) => {
            let _ = batch.flush();
            let _ = out.blocking_send(Ok(vec![err_packet(&e.to_string())]));
            Err(e)
        }
    }
}

type Queue = Arc<Mutex<mpsc::UnboundedReceiver<(u32, FileRef)>>>;

/// Serves requested files until the queue closes. Files that are already
/// queued are sent in the same batch; the batch is handed over as soon as
/// the queue is empty.
fn serve_files(root: &Path, shared: &Shared, queue: &Queue, out: &Outbound) -> Result<()> {
    let poisoned = || Error::from(TransferError::Poisoned("file queue"));
    let mut batch = Batcher::new(out);
    loop {
        // Never wait for the queue's lock with packets in hand: its holder
        // may be waiting for a request that depends on them.
        let next = match queue.try_lock() {
            Ok(mut rx) => match rx.try_recv() {
                Ok(job) => Some(job),
                Err(mpsc::error::TryRecvError::Empty) => None,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    drop(rx);
                    return batch.flush();
                }
            },
            Err(std::sync::TryLockError::WouldBlock) => None,
            Err(std::sync::TryLockError::Poisoned(_)) => return Err(poisoned()),
        };
        let (id, file) = match next {
            Some(job) => job,
            None => {
                batch.flush()?;
                let job = queue.lock().map_err(|_| poisoned())?.blocking_recv();
                match job {
                    Some(job) => job,
                    None => return Ok(()),
                }
            }
        };
        match send_file(root, id, &file, shared, &mut |p| batch.push(p, false)) {
            Ok(()) => {}
            Err(Error::Canceled) => return Err(Error::Canceled),
            Err(e) => {
                let _ = batch.flush();
                let _ = out.blocking_send(Ok(vec![err_packet(&e.to_string())]));
                return Err(e);
            }
        }
    }
}

/// Reads `file` into `DATA` packets for `emit`: chunks of at most 32 KiB
/// until end of file, then the empty `DATA` packet.
///
/// A file still as long as when it was walked takes one read: the buffer
/// has room for one byte more than its size, so a short read of exactly
/// that size is the end of file. A file that grew or shrank is read on
/// until a read returns nothing, like fsutil's `io.CopyBuffer`.
fn send_file(
    root: &Path,
    id: u32,
    file: &FileRef,
    shared: &Shared,
    emit: &mut dyn FnMut(Packet) -> Result<()>,
) -> Result<()> {
    let data = |data: Bytes| Packet {
        r#type: PacketType::PacketData as i32,
        id,
        data,
        ..Default::default()
    };
    if !file.socket {
        let path: PathBuf = root.join(&file.rel);
        let io_err = |op, source| Error::FileOp {
            op,
            path: path.clone(),
            source,
        };
        let mut f = std::fs::File::open(&path).map_err(|e| io_err("open", e))?;
        // Bytes still expected from the walked size.
        let mut expected = file.size as usize;
        loop {
            // One byte more than expected (so that a complete read is
            // recognised), at most one chunk; a full chunk once nothing
            // more is expected (the end-of-file check, or a file that grew).
            let cap = if expected > 0 {
                (expected + 1).min(DATA_CHUNK)
            } else {
                DATA_CHUNK
            };
            let mut buf = BytesMut::zeroed(cap);
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
            emit(data(buf.freeze()))?;
            if n == expected && n < cap {
                // A short read of exactly the rest of the walked size.
                break;
            }
            expected = expected.saturating_sub(n);
        }
    }
    emit(data(Bytes::new()))?;
    shared.files_sent.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;
    use tokio_stream::wrappers::ReceiverStream;

    /// A receiver driven by the test: requests every file, collects data.
    type PacketStream =
        std::pin::Pin<Box<dyn Stream<Item = std::result::Result<Packet, Status>> + Send>>;

    struct Receiver {
        to_sender: mpsc::Sender<std::result::Result<Packet, Status>>,
        from_sender: PacketStream,
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
                from_sender: Box::pin(packet_stream(from_sender)),
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
            while let Some(msg) = self.from_sender.next().await {
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_small_files() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..3000 {
            let d = dir.path().join(format!("d{}", i % 13));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(format!("f{i}")), i.to_string().repeat(i % 50)).unwrap();
        }
        let (rx, inbound, outbound) = pair();
        let receiver = tokio::spawn(rx.run(true));
        let sent = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            send(dir.path(), &WalkOptions::default(), inbound, outbound),
        )
        .await
        .expect("transfer hung")
        .unwrap();
        let got = receiver.await.unwrap();
        assert_eq!(got.stats.len(), 3013);
        assert_eq!(sent.files, 3000);
        for (id, st) in got.stats.iter().enumerate() {
            if st.mode & crate::fsutil::stat::MODE_DIR == 0 {
                let i: usize = st.path.rsplit('f').next().unwrap().parse().unwrap();
                assert_eq!(
                    got.data[&(id as u32)],
                    i.to_string().repeat(i % 50).as_bytes()
                );
            }
        }
    }

    /// A paced walk still sends everything, whether the receiver asks for
    /// every file or for none.
    #[tokio::test]
    async fn paced_walk_completes() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..2000 {
            std::fs::write(dir.path().join(format!("f{i:04}")), i.to_string()).unwrap();
        }
        let pacing = Pacing { stat_lead: Some(8) };
        for request in [true, false] {
            let (rx, inbound, outbound) = pair();
            let receiver = tokio::spawn(rx.run(request));
            let started = std::time::Instant::now();
            let sent = tokio::time::timeout(
                std::time::Duration::from_secs(60),
                send_paced(
                    dir.path(),
                    &WalkOptions::default(),
                    pacing,
                    inbound,
                    outbound,
                ),
            )
            .await
            .expect("transfer hung")
            .unwrap();
            let got = receiver.await.unwrap();
            assert_eq!(got.stats.len(), 2000);
            assert_eq!(sent.files, if request { 2000 } else { 0 });
            if request {
                for (id, st) in got.stats.iter().enumerate() {
                    let i: usize = st.path[1..].parse().unwrap();
                    assert_eq!(got.data[&(id as u32)], i.to_string().as_bytes());
                }
            }
            // Never held back for long: at most PACE_IDLE per stall.
            assert!(started.elapsed() < std::time::Duration::from_secs(20));
        }
    }

    #[test]
    fn pacing_waits_only_while_most_files_are_asked_for() {
        let s = Shared::new();
        // Nothing asked for yet: the first `lead` entries go, then no pacing.
        assert!(!s.must_wait(7, 8, 7));
        assert!(!s.must_wait(100, 8, 100));
        // The receiver asks for everything: stay within the lead.
        for id in 0..50 {
            s.note_request(id);
        }
        assert!(!s.must_wait(57, 8, 57));
        assert!(s.must_wait(58, 8, 58));
        // Fewer than half of the files asked for: go on.
        assert!(!s.must_wait(58, 8, 101));
        // The receiver went quiet: go on.
        s.last_request.store(0, Ordering::Relaxed);
        std::thread::sleep(PACE_IDLE + std::time::Duration::from_millis(1));
        assert!(!s.must_wait(58, 8, 58));
    }

    #[test]
    fn a_paced_walk_is_woken_by_the_request_it_waits_for() {
        let s = Arc::new(Shared::new());
        for id in 0..40 {
            s.note_request(id);
        }
        // At entry 100 with a lead of 8 (resume after 4): wait for id 96.
        let waiter = {
            let s = s.clone();
            std::thread::spawn(move || s.wait_for_requests(100, 8))
        };
        while s.wake_at.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        assert_eq!(s.wake_at.load(Ordering::SeqCst), 97);
        s.note_request(60);
        assert_eq!(s.wake_at.load(Ordering::SeqCst), 97, "not far enough yet");
        s.note_request(96);
        assert_eq!(
            s.wake_at.load(Ordering::SeqCst),
            0,
            "the request wakes the walk"
        );
        waiter.join().expect("waiter");
        // Already there: no wait at all.
        let started = std::time::Instant::now();
        s.wait_for_requests(100, 8);
        assert!(started.elapsed() < PACE_IDLE);
    }

    /// Files whose size changed since the walk are still sent whole.
    #[test]
    fn files_that_changed_size_are_read_to_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let shared = Shared::new();
        let chunks = |content: &[u8], walked: u64| {
            std::fs::write(dir.path().join("f"), content).unwrap();
            let file = FileRef {
                rel: "f".into(),
                size: walked,
                socket: false,
            };
            let mut got = Vec::new();
            send_file(dir.path(), 1, &file, &shared, &mut |p| {
                got.push(p.data.to_vec());
                Ok(())
            })
            .unwrap();
            assert_eq!(got.last().map(Vec::len), Some(0), "ends with empty DATA");
            assert_eq!(got.concat(), content);
            got.iter().map(Vec::len).collect::<Vec<_>>()
        };
        assert_eq!(chunks(b"hello", 5), [5, 0]);
        assert_eq!(chunks(b"", 0), [0]);
        assert_eq!(chunks(b"hello world", 5), [6, 5, 0]);
        assert_eq!(chunks(b"hi", 5), [2, 0]);
        let big = vec![7u8; 3 * DATA_CHUNK];
        assert_eq!(
            chunks(&big, big.len() as u64),
            [DATA_CHUNK; 3]
                .iter()
                .copied()
                .chain([0])
                .collect::<Vec<_>>()
        );
        assert_eq!(
            chunks(&big, 10),
            [11, DATA_CHUNK, DATA_CHUNK, DATA_CHUNK - 11, 0]
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
            let p = rx.from_sender.next().await.unwrap().unwrap();
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
        let p = rx.from_sender.next().await.unwrap().unwrap();
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
