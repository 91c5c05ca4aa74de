//! containerd.services.content.v1.Content: serves blobs of local OCI image
//! layouts to the daemon, read-only, as BuildKit's `session/content`
//! attachable does for buildx's `oci-layout://` named contexts.
//!
//! Several layouts may be served at once; each is a store with an id, and a
//! call names its store in the gRPC metadata key
//! `buildkit-attachable-store-id` (the first value counts). BuildKit's
//! client registers the layouts of `SolveOpt.OCIStores` as `oci:<id>` (see
//! [`crate::solve::SolveOptions::oci_stores`]).
//!
//! A store is a directory holding `blobs/<algorithm>/<hex>`, as
//! containerd's local content store lays it out. Digests are validated
//! first (see [`crate::digest`]: `sha256`/`sha384`/`sha512` with lower-case
//! hex only), so a request can never name a path outside `blobs/`.
//!
//! Served: `Info` (digest, size, the file's modification and access times)
//! and `Read` (from `offset`, `size` bytes or to the end when `size` is zero
//! or reaches past it, in 1 MiB messages). Errors follow containerd's
//! content server over a local store: an invalid digest is
//! `InvalidArgument`, an unknown store or a missing blob `NotFound`, an
//! offset past the end `OutOfRange`.
//!
//! Stores added with [`ContentService::writable`] (a local cache export's
//! directory) also take `Write` streams, with containerd's content server
//! semantics over its local store: the data goes to a temporary file under
//! `ingest/`, hashed as it comes, and on `COMMIT` (size and digest checked)
//! is renamed into `blobs/`; a blob that already exists answers
//! `AlreadyExists`, which writers take as done. Everything else (deletes,
//! listing, label updates) answers `Unimplemented`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use futures_util::Stream;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status};

use crate::digest::Digest;
use crate::go::syscall::error_text;
use crate::proto::containerd::services::content::v1::{
    content_server::{Content, ContentServer},
    AbortRequest, Info, InfoRequest, InfoResponse, ReadContentRequest, ReadContentResponse,
    WriteAction, WriteContentRequest, WriteContentResponse,
};

/// The gRPC metadata key that names the store (BuildKit's
/// `session/content.GRPCHeaderID`).
pub(crate) const STORE_ID_KEY: &str = "buildkit-attachable-store-id";

/// The largest chunk of a `Read` answer (containerd's content server
/// copies through a 1 MiB buffer).
const CHUNK: usize = 1 << 20;

/// Serves blobs from OCI layout directories, by store id.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContentService {
    stores: Arc<HashMap<String, PathBuf>>,
    writable: Arc<std::collections::HashSet<String>>,
}

impl ContentService {
    /// A service for `stores`: (store id, layout directory) pairs.
    pub(crate) fn new(stores: impl IntoIterator<Item = (String, PathBuf)>) -> Self {
        ContentService {
            stores: Arc::new(stores.into_iter().collect()),
            writable: Arc::default(),
        }
    }

    /// Adds a store the daemon may write blobs into.
    pub(crate) fn writable(mut self, id: String, dir: PathBuf) -> Self {
        Arc::make_mut(&mut self.stores).insert(id.clone(), dir);
        Arc::make_mut(&mut self.writable).insert(id);
        self
    }

    /// Whether the service has any store.
    pub(crate) fn is_empty(&self) -> bool {
        self.stores.is_empty()
    }

    /// The service, ready to attach to a session.
    pub(crate) fn attachable(self) -> super::Service<ContentServer<ContentService>> {
        super::Service::new(
            ContentServer::new(self).max_encoding_message_size(crate::client::MAX_MESSAGE_SIZE),
            &["Info", "Read", "Write", "Abort"],
        )
    }

    /// The store the call names (BuildKit's `attachableContentStore.choose`).
    fn store(&self, md: &MetadataMap) -> Result<&Path, Status> {
        let Some(id) = md.get(STORE_ID_KEY) else {
            return Err(Status::invalid_argument(format!(
                "request lacks metadata {STORE_ID_KEY:?}: invalid argument"
            )));
        };
        let id = String::from_utf8_lossy(id.as_bytes());
        self.stores
            .get(id.as_ref())
            .map(PathBuf::as_path)
            .ok_or_else(|| Status::not_found(format!("unknown store {id}: not found")))
    }

    /// The blob's path and metadata (containerd's local store `Info`).
    async fn stat(
        &self,
        md: &MetadataMap,
        digest: Digest<'_>,
    ) -> Result<(PathBuf, std::fs::Metadata), Status> {
        let root = self.store(md)?;
        let path = root.join("blobs").join(digest.algorithm).join(digest.hex);
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_file() => Ok((path, m)),
            Ok(_) => Err(not_found(digest)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(not_found(digest)),
            Err(e) => Err(Status::unknown(format!(
                "stat {}: {}",
                path.display(),
                error_text(&e)
            ))),
        }
    }
}

fn not_found(digest: Digest<'_>) -> Status {
    Status::not_found(format!("content {digest}: not found"))
}

fn timestamp(t: std::io::Result<SystemTime>) -> Option<prost_types::Timestamp> {
    t.ok().map(prost_types::Timestamp::from)
}

type ReadStream = Pin<Box<dyn Stream<Item = Result<ReadContentResponse, Status>> + Send>>;
type WriteStream = Pin<Box<dyn Stream<Item = Result<WriteContentResponse, Status>> + Send>>;

/// One object being written (containerd's local store writer).
struct Ingest {
    root: PathBuf,
    file: tempfile::NamedTempFile,
    hash: sha2::Sha256,
    offset: i64,
    started: SystemTime,
    updated: SystemTime,
}

impl Ingest {
    fn digest(&self) -> String {
        use sha2::Digest as _;
        format!("sha256:{}", hex::encode(self.hash.clone().finalize()))
    }

    fn exists(&self, digest: &str) -> bool {
        Digest::parse(digest).is_ok_and(|d| {
            self.root
                .join("blobs")
                .join(d.algorithm)
                .join(d.hex)
                .is_file()
        })
    }

    fn write(&mut self, data: &[u8]) -> Result<(), Status> {
        use sha2::Digest as _;
        use std::io::Write;
        self.file
            .write_all(data)
            .map_err(|e| Status::unknown(format!("write: {}", error_text(&e))))?;
        self.hash.update(data);
        self.offset += data.len() as i64;
        self.updated = SystemTime::now();
        Ok(())
    }

    fn truncate(&mut self) -> Result<(), Status> {
        use std::io::Seek;
        self.file
            .as_file_mut()
            .set_len(0)
            .and_then(|_| self.file.seek(std::io::SeekFrom::Start(0)).map(|_| ()))
            .map_err(|e| Status::unknown(format!("truncate: {}", error_text(&e))))?;
        self.hash = Default::default();
        self.offset = 0;
        Ok(())
    }

    /// containerd's local writer `Commit`: size, digest, then the rename.
    fn commit(self, total: i64, expected: &str) -> Result<String, Status> {
        if total > 0 && total != self.offset {
            return Err(Status::failed_precondition(format!(
                "unexpected commit size {}, expected {total}: failed precondition",
                self.offset
            )));
        }
        let dg = self.digest();
        if !expected.is_empty() && expected != dg {
            return Err(Status::failed_precondition(format!(
                "unexpected commit digest {dg}, expected {expected}: failed precondition"
            )));
        }
        let hex = &dg["sha256:".len()..];
        let dir = self.root.join("blobs").join("sha256");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Status::unknown(format!("mkdir {}: {}", dir.display(), error_text(&e))))?;
        let target = dir.join(hex);
        if target.is_file() {
            return Err(Status::already_exists(format!(
                "content {dg}: already exists"
            )));
        }
        let file = self.file;
        file.as_file()
            .sync_all()
            .map_err(|e| Status::unknown(format!("sync: {}", error_text(&e))))?;
        use std::os::unix::fs::PermissionsExt;
        let _ = file
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o444));
        file.persist(&target).map_err(|e| {
            Status::unknown(format!(
                "rename {}: {}",
                target.display(),
                error_text(&e.error)
            ))
        })?;
        Ok(dg)
    }
}

/// containerd's content server `Write` over a local store.
async fn serve_write(
    root: PathBuf,
    mut input: tonic::Streaming<WriteContentRequest>,
    out: tokio::sync::mpsc::Sender<Result<WriteContentResponse, Status>>,
) -> Result<(), Status> {
    let Some(mut req) = input.message().await? else {
        return Ok(());
    };
    if req.r#ref.is_empty() {
        return Err(Status::invalid_argument(
            "first message must have a reference",
        ));
    }
    let mut total = req.total;
    let mut expected = req.expected.clone();
    let ingest_dir = root.join("ingest");
    std::fs::create_dir_all(&ingest_dir).map_err(|e| {
        Status::unknown(format!(
            "mkdir {}: {}",
            ingest_dir.display(),
            error_text(&e)
        ))
    })?;
    let file = tempfile::Builder::new()
        .prefix("rkbuild-")
        .tempfile_in(&ingest_dir)
        .map_err(|e| Status::unknown(format!("ingest: {}", error_text(&e))))?;
    let now = SystemTime::now();
    let mut w = Some(Ingest {
        root,
        file,
        hash: Default::default(),
        offset: 0,
        started: now,
        updated: now,
    });
    if !expected.is_empty() && w.as_ref().is_some_and(|w| w.exists(&expected)) {
        return Err(Status::already_exists(format!(
            "content {expected}: already exists"
        )));
    }
    loop {
        let ing = w
            .as_mut()
            .ok_or_else(|| Status::internal("writer closed"))?;
        let mut msg = WriteContentResponse {
            action: req.action,
            offset: ing.offset,
            ..Default::default()
        };
        if !req.expected.is_empty() {
            expected = req.expected.clone();
            if ing.exists(&expected) {
                return Err(Status::already_exists(format!(
                    "blob with expected digest {expected} exists"
                )));
            }
        }
        if req.total > 0 {
            total = req.total;
        }
        let action = WriteAction::try_from(req.action).unwrap_or(WriteAction::Stat);
        match action {
            WriteAction::Stat => {
                msg.digest = ing.digest();
                msg.started_at = Some(ing.started.into());
                msg.updated_at = Some(ing.updated.into());
                msg.total = total;
            }
            WriteAction::Write | WriteAction::Commit => {
                if req.offset > 0 && req.offset != ing.offset {
                    return Err(Status::out_of_range(format!(
                        "write @{} must occur at current offset {}",
                        req.offset, ing.offset
                    )));
                }
                if req.offset == 0 && ing.offset > 0 {
                    ing.truncate()?;
                    msg.offset = 0;
                }
                if !req.data.is_empty() {
                    ing.write(&req.data)?;
                    msg.offset += req.data.len() as i64;
                }
                if action == WriteAction::Commit {
                    let done = w.take().ok_or_else(|| Status::internal("writer closed"))?;
                    msg.digest = done.commit(total, &expected)?;
                } else {
                    msg.digest = ing.digest();
                }
            }
        }
        if out.send(Ok(msg)).await.is_err() {
            return Ok(());
        }
        if action == WriteAction::Commit {
            return Ok(());
        }
        match input.message().await? {
            Some(r) => req = r,
            None => return Ok(()),
        }
    }
}

#[tonic::async_trait]
impl Content for ContentService {
    async fn info(&self, req: Request<InfoRequest>) -> Result<Response<InfoResponse>, Status> {
        let raw = &req.get_ref().digest;
        let digest = Digest::parse(raw).map_err(|_| {
            Status::invalid_argument(format!(
                "{} failed validation",
                crate::go::strconv::quote(raw.as_bytes())
            ))
        })?;
        let (_, meta) = self.stat(req.metadata(), digest).await?;
        Ok(Response::new(InfoResponse {
            info: Some(Info {
                digest: digest.to_string(),
                size: meta.len() as i64,
                created_at: timestamp(meta.modified()),
                updated_at: timestamp(meta.accessed()),
                labels: HashMap::new(),
            }),
        }))
    }

    type ReadStream = ReadStream;
    type WriteStream = WriteStream;

    async fn write(
        &self,
        req: Request<tonic::Streaming<WriteContentRequest>>,
    ) -> Result<Response<Self::WriteStream>, Status> {
        let id = req
            .metadata()
            .get(STORE_ID_KEY)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        let root = self.store(req.metadata())?.to_path_buf();
        if !self.writable.contains(&id) {
            return Err(Status::permission_denied(format!(
                "store {id} is read-only"
            )));
        }
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let input = req.into_inner();
        tokio::spawn(async move {
            if let Err(e) = serve_write(root, input, tx.clone()).await {
                let _ = tx.send(Err(e)).await;
            }
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        )))
    }

    async fn abort(&self, _req: Request<AbortRequest>) -> Result<Response<()>, Status> {
        // Writes are not kept across streams: an ended stream has already
        // dropped its ingest file.
        Ok(Response::new(()))
    }

    async fn read(
        &self,
        req: Request<ReadContentRequest>,
    ) -> Result<Response<Self::ReadStream>, Status> {
        let raw = &req.get_ref().digest;
        let digest =
            Digest::parse(raw).map_err(|e| Status::invalid_argument(format!("{raw}: {e}")))?;
        let (path, meta) = self.stat(req.metadata(), digest).await?;
        let total = meta.len() as i64;
        let offset = req.get_ref().offset.max(0);
        if offset > total {
            return Err(Status::out_of_range(format!(
                "read past object length {total} bytes"
            )));
        }
        let mut size = req.get_ref().size;
        if size <= 0 || offset.saturating_add(size) > total {
            size = total - offset;
        }
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Status::not_found(format!(
                    "blob {digest} expected at {}: not found",
                    path.display()
                )))
            }
            Err(e) => {
                return Err(Status::unknown(format!(
                    "open {}: {}",
                    path.display(),
                    error_text(&e)
                )))
            }
        };
        if offset > 0 {
            file.seek(std::io::SeekFrom::Start(offset as u64))
                .await
                .map_err(|e| Status::unknown(format!("seek {}: {}", path.display(), e)))?;
        }
        // Each message's offset counts from the start of this read, not of
        // the blob: containerd's content server does the same (its response
        // writer starts at 0), and its clients ignore the field.
        let state = (file, path, size as u64, 0i64);
        let stream = futures_util::stream::unfold(Some(state), |state| async move {
            let (mut file, path, remaining, sent) = state?;
            if remaining == 0 {
                return None;
            }
            let want = remaining.min(CHUNK as u64) as usize;
            let mut buf = vec![0u8; want];
            let mut filled = 0;
            while filled < want {
                match file.read(&mut buf[filled..]).await {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) => {
                        let status =
                            Status::unknown(format!("read {}: {}", path.display(), error_text(&e)));
                        return Some((Err(status), None));
                    }
                }
            }
            if filled == 0 {
                // The file shrank under us: end, as an io.SectionReader
                // reaching EOF does.
                return None;
            }
            buf.truncate(filled);
            let msg = ReadContentResponse {
                offset: sent,
                data: buf.into(),
            };
            let next = (file, path, remaining - filled as u64, sent + filled as i64);
            Some((Ok(msg), Some(next)))
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::containerd::services::content::v1::content_client::ContentClient;
    use crate::session::Session;
    use sha2::Digest as _;
    use tonic::metadata::MetadataValue;

    /// A layout with one blob; returns (dir, digest, data).
    fn layout(data: &[u8]) -> (tempfile::TempDir, String) {
        let d = tempfile::tempdir().unwrap();
        let hex = hex::encode(sha2::Sha256::digest(data));
        let blobs = d.path().join("blobs/sha256");
        std::fs::create_dir_all(&blobs).unwrap();
        std::fs::write(blobs.join(&hex), data).unwrap();
        (d, format!("sha256:{hex}"))
    }

    /// Serves a real session (health + this service, routed like the
    /// daemon sees it) on a loopback HTTP/2 connection; returns a client.
    async fn serve(svc: ContentService) -> ContentClient<tonic::transport::Channel> {
        let mut sess = Session::new("test", "test:key");
        sess.allow(svc.attachable());
        assert!(sess
            .methods()
            .contains(&"/containerd.services.content.v1.Content/Read".to_string()));
        let channel = crate::session::serve_on_loopback(sess).await;
        ContentClient::new(channel)
    }

    fn with_store<T>(store: &'static str, msg: T) -> Request<T> {
        let mut req = Request::new(msg);
        req.metadata_mut()
            .insert(STORE_ID_KEY, MetadataValue::from_static(store));
        req
    }

    async fn read_all(
        client: &mut ContentClient<tonic::transport::Channel>,
        digest: &str,
        offset: i64,
        size: i64,
    ) -> Result<Vec<(i64, Vec<u8>)>, Status> {
        let mut s = client
            .read(with_store(
                "oci:a",
                ReadContentRequest {
                    digest: digest.to_string(),
                    offset,
                    size,
                },
            ))
            .await?
            .into_inner();
        let mut out = Vec::new();
        while let Some(m) = s.message().await? {
            out.push((m.offset, m.data.to_vec()));
        }
        Ok(out)
    }

    #[tokio::test]
    async fn info_and_read_over_http2() {
        // Larger than one chunk, so the answer comes in several messages.
        let data: Vec<u8> = (0..(CHUNK + 1000)).map(|i| (i % 251) as u8).collect();
        let (dir, digest) = layout(&data);
        let (other, other_digest) = layout(b"other store");
        let svc = ContentService::new([
            ("oci:a".to_string(), dir.path().to_path_buf()),
            ("oci:b".to_string(), other.path().to_path_buf()),
        ]);
        let mut client = serve(svc).await;

        let info = client
            .info(with_store(
                "oci:a",
                InfoRequest {
                    digest: digest.clone(),
                },
            ))
            .await
            .unwrap()
            .into_inner()
            .info
            .unwrap();
        assert_eq!(info.digest, digest);
        assert_eq!(info.size, data.len() as i64);
        assert!(info.created_at.is_some());

        // Whole blob: two messages, offsets counted from the read's start.
        let parts = read_all(&mut client, &digest, 0, 0).await.unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, 0);
        assert_eq!(parts[1].0, CHUNK as i64);
        let joined: Vec<u8> = parts.iter().flat_map(|p| p.1.clone()).collect();
        assert_eq!(joined, data);

        // Offset and size.
        let parts = read_all(&mut client, &digest, 10, 5).await.unwrap();
        assert_eq!(parts, vec![(0, data[10..15].to_vec())]);
        // A size past the end reads to the end; a negative offset is 0.
        let end = data.len() as i64;
        let parts = read_all(&mut client, &digest, end - 3, 100).await.unwrap();
        assert_eq!(parts, vec![(0, data[data.len() - 3..].to_vec())]);
        let parts = read_all(&mut client, &digest, -5, 2).await.unwrap();
        assert_eq!(parts, vec![(0, data[..2].to_vec())]);
        // Offset == size: nothing; past it: OutOfRange.
        assert!(read_all(&mut client, &digest, end, 0)
            .await
            .unwrap()
            .is_empty());
        let e = read_all(&mut client, &digest, end + 1, 0)
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::OutOfRange);
        assert_eq!(e.message(), format!("read past object length {end} bytes"));

        // The other store's blob is not in this one, but is in its own.
        let e = read_all(&mut client, &other_digest, 0, 0)
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::NotFound);
        assert_eq!(e.message(), format!("content {other_digest}: not found"));
        let mut s = client
            .read(with_store(
                "oci:b",
                ReadContentRequest {
                    digest: other_digest.clone(),
                    offset: 6,
                    size: 0,
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(&s.message().await.unwrap().unwrap().data[..], b"store");
    }

    #[tokio::test]
    async fn refusals() {
        let (dir, digest) = layout(b"blob");
        let mut client = serve(ContentService::new([(
            "oci:a".to_string(),
            dir.path().into(),
        )]))
        .await;
        let info = |store: &'static str, d: &str| {
            with_store(
                store,
                InfoRequest {
                    digest: d.to_string(),
                },
            )
        };

        // Unknown store.
        let e = client.info(info("oci:zz", &digest)).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::NotFound);
        assert_eq!(e.message(), "unknown store oci:zz: not found");
        // No store named at all.
        let e = client
            .info(Request::new(InfoRequest {
                digest: digest.clone(),
            }))
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
        assert_eq!(
            e.message(),
            "request lacks metadata \"buildkit-attachable-store-id\": invalid argument"
        );
        // Missing blob.
        let missing = format!("sha256:{}", "0".repeat(64));
        let e = client.info(info("oci:a", &missing)).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::NotFound);
        assert_eq!(e.message(), format!("content {missing}: not found"));

        // Digests that would name other files are refused before any path
        // is built, even where such files exist.
        std::fs::write(dir.path().join("index.json"), "{}").unwrap();
        for bad in [
            "sha256:../../index.json",
            "../index.json",
            "sha256:",
            "sha256/../x:abc",
            "md5:d41d8cd98f00b204e9800998ecf8427e",
        ] {
            let e = client.info(info("oci:a", bad)).await.unwrap_err();
            assert_eq!(e.code(), tonic::Code::InvalidArgument, "{bad}");
            assert_eq!(e.message(), format!("{bad:?} failed validation"));
            let e = read_all(&mut client, bad, 0, 0).await.unwrap_err();
            assert_eq!(e.code(), tonic::Code::InvalidArgument, "{bad}");
            assert!(
                e.message().starts_with(&format!("{bad}: ")),
                "{}",
                e.message()
            );
        }
        let e = read_all(&mut client, "sha256:abc", 0, 0).await.unwrap_err();
        assert_eq!(e.message(), "sha256:abc: invalid checksum digest length");

        // A directory where the blob should be is not a blob.
        let dir_digest = format!("sha256:{}", "1".repeat(64));
        std::fs::create_dir(dir.path().join("blobs/sha256").join("1".repeat(64))).unwrap();
        let e = client.info(info("oci:a", &dir_digest)).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::NotFound);
    }
}
