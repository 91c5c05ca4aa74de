//! moby.filesync.v1.FileSend: receives what the exporters send back to the
//! client — a file tree (local exporter, fsutil packets) or one byte stream
//! (tar, oci, docker exporters, `BytesMessage`s) — on the one DiffCopy
//! method. Where it goes is the [`Output`] the solve hands to the service
//! from the export the client asked for: a directory, a file, a writer, or
//! a [`StreamSink`] of the solve's own (the load into docker).
//!
//! Nothing is half-written: trees are staged beside DEST (see
//! [`crate::fsutil::receive`]); files are written to a temporary file beside
//! DEST and renamed into place by [`FileSendService::finish`] after the
//! solve succeeded.

use std::convert::Infallible;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::http;
use tonic::server::{Grpc, NamedService, StreamingService};
use tonic::{Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;

use crate::client::MAX_MESSAGE_SIZE;
use crate::error::{Error, Result};
use crate::progress::local::LocalVertex;
use crate::proto::fsutil::types::Packet;
use crate::proto::moby::filesync::v1::BytesMessage;

/// Where the output that comes back is written: what the solve hands to
/// the service when it builds the session, one per session.
pub(crate) enum Output {
    /// A directory that receives a file tree (staged beside it, then moved
    /// into place).
    Dir(PathBuf),
    /// A file that receives the byte stream (a temporary file beside it,
    /// renamed into place by [`FileSendService::finish`]).
    File(PathBuf),
    /// A writer that receives the byte stream (the caller's standard
    /// output).
    Writer(Box<dyn Write + Send>),
    /// A sink that takes the byte stream itself (the load into a docker
    /// daemon).
    Sink(Arc<dyn StreamSink>),
}

/// The byte stream of an output as it arrives: each message's bytes, or
/// the error text of a broken transfer.
pub(crate) type ByteStream =
    Pin<Box<dyn futures_util::Stream<Item = std::result::Result<bytes::Bytes, String>> + Send>>;

/// What an [`Output::Sink`] returns once it has read the stream.
pub(crate) type SinkFuture =
    Pin<Box<dyn Future<Output = std::result::Result<Option<LocalVertex>, String>> + Send>>;

/// Takes an output's byte stream whole, instead of a file.
pub(crate) trait StreamSink: Send + Sync {
    /// Reads `inbound` to its end and does what the sink does with it.
    /// `Ok` may hold a progress step still open, which
    /// [`FileSendService::finish`] ends; `Err` is the error text, sent back
    /// to the daemon and reported by `finish`.
    fn receive(&self, inbound: ByteStream) -> SinkFuture;
}

#[derive(Clone)]
enum Target {
    Dir(PathBuf),
    File(PathBuf),
    Stream(StreamSlot),
    Sink(Arc<dyn StreamSink>),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Dir(d) => f.debug_tuple("Dir").field(d).finish(),
            Target::File(p) => f.debug_tuple("File").field(p).finish(),
            Target::Stream(s) => f.debug_tuple("Stream").field(s).finish(),
            Target::Sink(_) => f.write_str("Sink"),
        }
    }
}

/// The caller's writer for an output to standard output, taken by the one
/// transfer that writes it.
#[derive(Clone, Default)]
struct StreamSlot(Arc<Mutex<Option<Box<dyn Write + Send>>>>);

impl std::fmt::Debug for StreamSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StreamSlot")
    }
}

#[derive(Debug, Default)]
struct State {
    /// Set when a transfer ended: `Ok` or the error text.
    result: Option<std::result::Result<(), String>>,
    /// Temporary file of a file target beside its destination: renamed
    /// into place on finish, removed when dropped before.
    temp: Option<tempfile::TempPath>,
    /// Whether a transfer started (its result may still be coming).
    started: bool,
    /// The sink's progress step, ended by `finish`.
    sink_step: Option<LocalVertex>,
}

/// The FileSend service of a session.
#[derive(Debug, Clone)]
pub(crate) struct FileSendService {
    target: Target,
    state: Arc<Mutex<State>>,
    ended: Arc<tokio::sync::Notify>,
}

impl NamedService for FileSendService {
    const NAME: &'static str = "moby.filesync.v1.FileSend";
}

impl FileSendService {
    /// The receiving service writing to `output`. BuildKit offers one
    /// FileSend target per session.
    pub(crate) fn new(output: Output) -> FileSendService {
        let target = match output {
            Output::Dir(d) => Target::Dir(d),
            Output::File(f) => Target::File(f),
            Output::Writer(w) => Target::Stream(StreamSlot(Arc::new(Mutex::new(Some(w))))),
            Output::Sink(s) => Target::Sink(s),
        };
        FileSendService {
            target,
            state: Arc::default(),
            ended: Arc::default(),
        }
    }

    /// The service, ready to attach to a session.
    pub(crate) fn attachable(self) -> super::Service<FileSendService> {
        super::Service::new(self, &["DiffCopy"])
    }

    /// Completes a successful build: waits for a transfer still finishing
    /// (a sink's, such as a load into docker), reports a failed one, and
    /// moves a file output into place.
    pub(crate) async fn finish(&self) -> Result<()> {
        loop {
            let ended = self.ended.notified();
            let waiting = self
                .state
                .lock()
                .map(|st| st.started && st.result.is_none())
                .unwrap_or(false);
            if !waiting {
                break;
            }
            ended.await;
        }
        let step = self
            .state
            .lock()
            .ok()
            .and_then(|mut st| st.sink_step.take());
        if let Some(step) = step {
            step.done(None).await;
        }
        let mut st = self
            .state
            .lock()
            .map_err(|_| crate::error::TransferError::Poisoned("output state"))?;
        match st.result.take() {
            Some(Err(e)) => return Err(crate::error::ExportError::Write(e).into()),
            Some(Ok(())) => {}
            None => return Err(crate::error::ExportError::NoOutput.into()),
        }
        if let (Target::File(dest), Some(tmp)) = (&self.target, st.temp.take()) {
            tmp.persist(dest).map_err(|e| Error::Io {
                path: dest.clone(),
                source: e.error,
            })?;
        }
        Ok(())
    }

    fn set_result(&self, r: std::result::Result<(), String>) {
        if let Ok(mut st) = self.state.lock() {
            st.result = Some(r);
        }
        self.ended.notify_waiters();
    }

    fn set_started(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.started = true;
        }
    }
}

type RespStream<T> = ReceiverStream<std::result::Result<T, Status>>;
type BoxFut<T> = Pin<Box<dyn Future<Output = std::result::Result<Response<T>, Status>> + Send>>;

/// Tree mode: fsutil packets in both directions.
struct DirCall(FileSendService, PathBuf);

impl StreamingService<Packet> for DirCall {
    type Response = Packet;
    type ResponseStream = RespStream<Packet>;
    type Future = BoxFut<Self::ResponseStream>;

    fn call(&mut self, req: Request<Streaming<Packet>>) -> Self::Future {
        let svc = self.0.clone();
        let dest = self.1.clone();
        Box::pin(async move {
            let inbound = req.into_inner();
            let (tx, rx) = mpsc::channel(64);
            tokio::spawn(async move {
                let r = crate::fsutil::receive::receive(inbound, tx.clone(), &dest).await;
                match r {
                    Ok(_) => svc.set_result(Ok(())),
                    Err(e) => {
                        svc.set_result(Err(e.to_string()));
                        let _ = tx.send(Err(Status::internal(e.to_string()))).await;
                    }
                }
            });
            Ok(Response::new(ReceiverStream::new(rx)))
        })
    }
}

/// File mode: a stream of `BytesMessage`s into one file (or stdout).
struct FileCall(FileSendService);

/// A temporary file beside `dest` (same filesystem, so that it can be
/// renamed into place), with the mode `File::create` would give `dest`.
fn temp_beside(dest: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    tempfile::Builder::new()
        .prefix(&format!(".{name}.rkbuild-"))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
}

impl StreamingService<BytesMessage> for FileCall {
    type Response = BytesMessage;
    type ResponseStream = RespStream<BytesMessage>;
    type Future = BoxFut<Self::ResponseStream>;

    fn call(&mut self, req: Request<Streaming<BytesMessage>>) -> Self::Future {
        let svc = self.0.clone();
        Box::pin(async move {
            let mut inbound = req.into_inner();
            svc.set_started();
            if let Target::Sink(sink) = &svc.target {
                let bytes: ByteStream = Box::pin(
                    inbound.map(|m| m.map(|m| m.data).map_err(|s| s.message().to_string())),
                );
                let received = sink.receive(bytes);
                let (tx, rx) = mpsc::channel(1);
                tokio::spawn(async move {
                    let result = match received.await {
                        Ok(step) => {
                            if let Ok(mut st) = svc.state.lock() {
                                st.sink_step = step;
                            }
                            Ok(())
                        }
                        Err(e) => {
                            let _ = tx.send(Err(Status::internal(e.clone()))).await;
                            Err(e)
                        }
                    };
                    svc.set_result(result);
                });
                return Ok(Response::new(ReceiverStream::new(rx)));
            }
            let mut out: Box<dyn Write + Send> = match &svc.target {
                Target::Stream(slot) => slot
                    .0
                    .lock()
                    .ok()
                    .and_then(|mut w| w.take())
                    .ok_or_else(|| Status::internal("the output stream was already written"))?,
                Target::File(dest) => {
                    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
                        std::fs::create_dir_all(parent)
                            .map_err(|e| Status::internal(format!("{}: {e}", parent.display())))?;
                    }
                    let (f, tmp) = temp_beside(dest)
                        .map_err(|e| Status::internal(format!("{}: {e}", dest.display())))?
                        .into_parts();
                    if let Ok(mut st) = svc.state.lock() {
                        st.temp = Some(tmp);
                    }
                    Box::new(std::io::BufWriter::with_capacity(1 << 20, f))
                }
                Target::Dir(_) | Target::Sink(_) => {
                    return Err(Status::internal("not a file target"))
                }
            };
            let (tx, rx) = mpsc::channel(1);
            tokio::spawn(async move {
                let mut result = Ok(());
                while let Some(msg) = inbound.next().await {
                    match msg {
                        Ok(m) => {
                            if let Err(e) = out.write_all(&m.data) {
                                result = Err(e.to_string());
                                break;
                            }
                        }
                        Err(s) => {
                            result = Err(s.message().to_string());
                            break;
                        }
                    }
                }
                if result.is_ok() {
                    if let Err(e) = out.flush() {
                        result = Err(e.to_string());
                    }
                }
                drop(out);
                if let Err(e) = &result {
                    let _ = tx.send(Err(Status::internal(e.clone()))).await;
                }
                svc.set_result(result);
            });
            Ok(Response::new(ReceiverStream::new(rx)))
        })
    }
}

impl tower::Service<http::Request<tonic::body::Body>> for FileSendService {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future =
        Pin<Box<dyn Future<Output = std::result::Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<std::result::Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<tonic::body::Body>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            if req.uri().path() != "/moby.filesync.v1.FileSend/DiffCopy" {
                return Ok(Status::unimplemented("unknown method").into_http());
            }
            let resp = match this.target.clone() {
                Target::Dir(dest) => {
                    let mut g = Grpc::new(ProstCodec::<Packet, Packet>::default())
                        .max_decoding_message_size(MAX_MESSAGE_SIZE)
                        .max_encoding_message_size(MAX_MESSAGE_SIZE);
                    g.streaming(DirCall(this, dest), req).await
                }
                _ => {
                    let mut g = Grpc::new(ProstCodec::<BytesMessage, BytesMessage>::default())
                        .max_decoding_message_size(MAX_MESSAGE_SIZE)
                        .max_encoding_message_size(MAX_MESSAGE_SIZE);
                    g.streaming(FileCall(this), req).await
                }
            };
            Ok(resp)
        })
    }
}
