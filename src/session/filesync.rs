//! The FileSync session service: the daemon pulls local directories (the
//! build context, the Dockerfile's directory, named contexts) through
//! `/moby.filesync.v1.FileSync/DiffCopy`, as BuildKit's
//! `session/filesync` provider serves them for buildx.
//!
//! A request names the directory and filters it in its gRPC metadata:
//! - `dir-name`: which directory (the first value; empty when absent);
//! - `include-patterns`, `exclude-patterns`, `followpaths`: one header
//!   value per pattern or path (repeated headers, never comma-joined);
//! - `<key>-encoded: 1` (any Go `ParseBool` true): the values of `<key>` are
//!   URL query-escaped, which senders do when a value is not ASCII.
//!
//! An unknown directory is refused with `NotFound` ("no access allowed to
//! dir ..."), like upstream. `TarStream` is not served (BuildKit only uses
//! DiffCopy).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status, Streaming};

use crate::client::MAX_MESSAGE_SIZE;
use crate::fsutil::send::{self, SendStats};
use crate::fsutil::walk::WalkOptions;
use crate::proto::fsutil::types::Packet;
use crate::proto::moby::filesync::v1::file_sync_server::{FileSync, FileSyncServer};

/// Metadata key: the directory's name.
pub(crate) const KEY_DIR_NAME: &str = "dir-name";
/// Metadata key: include patterns.
pub(crate) const KEY_INCLUDE_PATTERNS: &str = "include-patterns";
/// Metadata key: exclude patterns.
pub(crate) const KEY_EXCLUDE_PATTERNS: &str = "exclude-patterns";
/// Metadata key: paths whose symlinks are followed.
pub(crate) const KEY_FOLLOW_PATHS: &str = "followpaths";

/// Packets buffered between the sender and the gRPC stream.
const OUTBOUND_BUFFER: usize = 8;

/// A directory offered to the daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) struct SyncedDir {
    /// The directory (symlinks to it are resolved when it is sent).
    pub root: PathBuf,
    /// Send real owners instead of uid/gid 0 (buildx always sends 0).
    pub preserve_owner: bool,
}

impl SyncedDir {
    /// The directory at `root`, sent the way buildx sends it.
    pub(crate) fn new(root: impl Into<PathBuf>) -> Self {
        SyncedDir {
            root: root.into(),
            preserve_owner: false,
        }
    }
}

/// One DiffCopy served, for callers that report on transfers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transfer {
    /// The `dir-name` asked for.
    pub dir_name: String,
    /// What was sent, or why it failed.
    pub result: std::result::Result<SendStats, String>,
}

/// Serves `FileSync.DiffCopy` for named directories.
#[derive(Debug, Clone)]
pub(crate) struct FileSyncService {
    dirs: Arc<HashMap<String, SyncedDir>>,
    transfers: Arc<Mutex<Vec<Transfer>>>,
    pacing: send::Pacing,
}

impl FileSyncService {
    /// Offers `dirs` by name (`context`, `dockerfile`, named contexts...).
    pub(crate) fn new(dirs: impl IntoIterator<Item = (String, SyncedDir)>) -> Self {
        FileSyncService {
            dirs: Arc::new(dirs.into_iter().collect()),
            transfers: Arc::default(),
            pacing: send::Pacing::default(),
        }
    }

    /// Paces the walk against the daemon's requests (see
    /// [`send::Pacing`]); [`send::Pacing::local`] for a daemon on this
    /// machine.
    pub(crate) fn pacing(mut self, pacing: send::Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    /// The tonic server for this service, with BuildKit's 16 MiB message
    /// limits.
    pub(crate) fn into_server(self) -> FileSyncServer<Self> {
        FileSyncServer::new(self)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE)
    }

    /// The service, ready to attach to a session.
    pub(crate) fn attachable(self) -> super::Service<FileSyncServer<FileSyncService>> {
        super::Service::new(self.into_server(), &["DiffCopy", "TarStream"])
    }

    #[cfg(test)]
    /// The transfers finished so far, oldest first.
    pub(crate) fn transfers(&self) -> Vec<Transfer> {
        self.transfers.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

fn unhex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Go's `url.QueryUnescape`, with upstream's handling of errors (the value
/// becomes empty).
fn query_unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let (Some(h), Some(l)) = (
                    b.get(i + 1).copied().and_then(unhex),
                    b.get(i + 2).copied().and_then(unhex),
                ) else {
                    return String::new();
                };
                out.push(h << 4 | l);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The values of `key`, decoded like BuildKit's `decodeOpts`.
fn values(md: &MetadataMap, key: &str) -> Vec<String> {
    let encoded = md
        .get(format!("{key}-encoded").as_str())
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::go::strconv::parse_bool_true);
    md.get_all(key)
        .iter()
        .map(|v| {
            let raw = String::from_utf8_lossy(v.as_bytes());
            if encoded {
                query_unescape(&raw)
            } else {
                raw.into_owned()
            }
        })
        .collect()
}

/// The directory name and walk options a DiffCopy request asks for.
pub(crate) fn request_options(md: &MetadataMap) -> (String, WalkOptions) {
    let dir_name = values(md, KEY_DIR_NAME)
        .into_iter()
        .next()
        .unwrap_or_default();
    let opts = WalkOptions {
        include_patterns: values(md, KEY_INCLUDE_PATTERNS),
        exclude_patterns: values(md, KEY_EXCLUDE_PATTERNS),
        follow_paths: values(md, KEY_FOLLOW_PATHS),
        preserve_owner: false,
    };
    (dir_name, opts)
}

type PacketStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = std::result::Result<Packet, Status>> + Send>>;

#[tonic::async_trait]
impl FileSync for FileSyncService {
    type DiffCopyStream = PacketStream;

    async fn diff_copy(
        &self,
        request: Request<Streaming<Packet>>,
    ) -> std::result::Result<Response<Self::DiffCopyStream>, Status> {
        let (dir_name, mut opts) = request_options(request.metadata());
        let Some(dir) = self.dirs.get(&dir_name).cloned() else {
            return Err(Status::not_found(format!(
                "no access allowed to dir {dir_name:?}"
            )));
        };
        opts.preserve_owner = dir.preserve_owner;
        let inbound = request.into_inner();
        let (tx, rx) = mpsc::channel(OUTBOUND_BUFFER);
        let transfers = self.transfers.clone();
        let pacing = self.pacing;
        tokio::spawn(async move {
            let result = send::send_paced(&dir.root, &opts, pacing, inbound, tx.clone()).await;
            if let Err(e) = &result {
                let _ = tx.send(Err(Status::unknown(e.to_string()))).await;
            }
            if let Ok(mut t) = transfers.lock() {
                t.push(Transfer {
                    dir_name,
                    result: result.map_err(|e| e.to_string()),
                });
            }
        });
        Ok(Response::new(Box::pin(send::packet_stream(rx))))
    }

    type TarStreamStream = PacketStream;

    async fn tar_stream(
        &self,
        _request: Request<Streaming<Packet>>,
    ) -> std::result::Result<Response<Self::TarStreamStream>, Status> {
        Err(Status::unimplemented("TarStream is not supported"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::fsutil::types::packet::PacketType;
    use crate::proto::moby::filesync::v1::file_sync_client::FileSyncClient;
    use tokio_stream::wrappers::ReceiverStream;
    use tonic::metadata::MetadataValue;

    #[test]
    fn unescape_like_go() {
        assert_eq!(query_unescape("a%2Fb+c"), "a/b c");
        assert_eq!(query_unescape("%C3%A9*"), "é*");
        assert_eq!(query_unescape("bad%zz"), "");
        assert_eq!(query_unescape("plain"), "plain");
    }

    #[test]
    fn options_from_metadata() {
        let mut md = MetadataMap::new();
        md.insert("dir-name", MetadataValue::from_static("context"));
        md.append("exclude-patterns", MetadataValue::from_static("a,b"));
        md.append("exclude-patterns", MetadataValue::from_static("!c"));
        md.append("include-patterns", MetadataValue::from_static("%C3%A9"));
        md.append("include-patterns", MetadataValue::from_static("x+y"));
        md.insert("include-patterns-encoded", MetadataValue::from_static("1"));
        md.append("followpaths", MetadataValue::from_static("Dockerfile"));
        let (name, opts) = request_options(&md);
        assert_eq!(name, "context");
        assert_eq!(opts.exclude_patterns, ["a,b", "!c"]);
        assert_eq!(opts.include_patterns, ["é", "x y"]);
        assert_eq!(opts.follow_paths, ["Dockerfile"]);
        let (name, opts) = request_options(&MetadataMap::new());
        assert_eq!(name, "");
        assert_eq!(opts, WalkOptions::default());
    }

    /// Serves `svc` in a session on a loopback connection and connects to it.
    async fn serve(svc: FileSyncService) -> FileSyncClient<tonic::transport::Channel> {
        let mut sess = crate::session::Session::new("test", "test:key");
        sess.allow(svc.attachable());
        let channel = crate::session::serve_on_loopback(sess).await;
        FileSyncClient::new(channel)
    }

    #[tokio::test]
    async fn diff_copy_over_grpc() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep"), b"kept").unwrap();
        std::fs::write(dir.path().join("drop"), b"dropped").unwrap();
        let svc = FileSyncService::new([("context".to_string(), SyncedDir::new(dir.path()))]);
        let mut client = serve(svc.clone()).await;

        let (to_server, inbound) = mpsc::channel::<Packet>(8);
        let mut req = Request::new(ReceiverStream::new(inbound));
        req.metadata_mut()
            .insert("dir-name", MetadataValue::from_static("context"));
        req.metadata_mut()
            .append("exclude-patterns", MetadataValue::from_static("drop"));
        let mut from_server = client.diff_copy(req).await.unwrap().into_inner();

        let mut paths = Vec::new();
        loop {
            let p = from_server.message().await.unwrap().unwrap();
            match p.stat {
                Some(st) => paths.push(st.path),
                None => break,
            }
        }
        assert_eq!(paths, ["keep"]);
        let req = Packet {
            r#type: PacketType::PacketReq as i32,
            id: 0,
            ..Default::default()
        };
        to_server.send(req).await.unwrap();
        let d = from_server.message().await.unwrap().unwrap();
        assert_eq!(
            (d.r#type(), d.data.as_ref()),
            (PacketType::PacketData, &b"kept"[..])
        );
        let d = from_server.message().await.unwrap().unwrap();
        assert_eq!((d.r#type(), d.data.len()), (PacketType::PacketData, 0));
        let fin = Packet {
            r#type: PacketType::PacketFin as i32,
            ..Default::default()
        };
        to_server.send(fin).await.unwrap();
        let f = from_server.message().await.unwrap().unwrap();
        assert_eq!(f.r#type(), PacketType::PacketFin);
        drop(to_server);
        assert!(from_server.message().await.unwrap().is_none());
        let transfers = svc.transfers();
        assert_eq!(transfers.len(), 1);
        assert_eq!(
            transfers[0].result,
            Ok(SendStats {
                entries: 1,
                files: 1,
                bytes: 4
            })
        );
    }

    #[tokio::test]
    async fn unknown_dir_is_not_found() {
        let svc = FileSyncService::new([]);
        let mut client = serve(svc).await;
        let (_to_server, inbound) = mpsc::channel::<Packet>(1);
        let mut req = Request::new(ReceiverStream::new(inbound));
        req.metadata_mut()
            .insert("dir-name", MetadataValue::from_static("nope"));
        let status = client.diff_copy(req).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::NotFound);
        assert_eq!(status.message(), "no access allowed to dir \"nope\"");
    }

    #[tokio::test]
    async fn failures_end_the_stream_with_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let svc = FileSyncService::new([("context".to_string(), SyncedDir::new(dir.path()))]);
        let mut client = serve(svc).await;
        let (_to_server, inbound) = mpsc::channel::<Packet>(1);
        let mut req = Request::new(ReceiverStream::new(inbound));
        req.metadata_mut()
            .insert("dir-name", MetadataValue::from_static("context"));
        req.metadata_mut()
            .append("exclude-patterns", MetadataValue::from_static("["));
        let mut from_server = client.diff_copy(req).await.unwrap().into_inner();
        let p = from_server.message().await.unwrap().unwrap();
        assert_eq!(p.r#type(), PacketType::PacketErr);
        let status = from_server.message().await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unknown);
        assert_eq!(
            status.message(),
            "invalid excludepatterns: [[]: syntax error in pattern"
        );
    }
}
