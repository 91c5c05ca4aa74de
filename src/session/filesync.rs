//! FileSync service: sends local directories to the daemon.
//!
//! BOOTSTRAP VERSION: a plain sender without pattern filtering, used until
//! the exact fsutil sender lands. It walks the whole directory.

use std::path::PathBuf;
use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::fsutil::types::{packet::PacketType, Packet, Stat};
use crate::proto::moby::filesync::v1::file_sync_server::{FileSync, FileSyncServer};

/// A directory offered to the daemon.
#[derive(Debug, Clone)]
pub struct SyncedDir {
    /// Root of the directory.
    pub root: PathBuf,
}

impl SyncedDir {
    /// A directory rooted at `root`.
    pub fn new(root: PathBuf) -> Self {
        SyncedDir { root }
    }
}

/// Serves FileSync.DiffCopy for named directories.
#[derive(Debug, Clone)]
pub struct FileSyncService {
    dirs: std::sync::Arc<std::collections::HashMap<String, SyncedDir>>,
}

impl FileSyncService {
    /// Offers `dirs` by name (`context`, `dockerfile`, ...).
    pub fn new(dirs: impl IntoIterator<Item = (String, SyncedDir)>) -> Self {
        FileSyncService {
            dirs: std::sync::Arc::new(dirs.into_iter().collect()),
        }
    }

    /// The service, ready to attach to a session.
    pub fn attachable(self) -> super::Service<FileSyncServer<FileSyncService>> {
        super::Service::new(
            FileSyncServer::new(self)
                .max_decoding_message_size(crate::client::MAX_MESSAGE_SIZE)
                .max_encoding_message_size(crate::client::MAX_MESSAGE_SIZE),
            &["DiffCopy", "TarStream"],
        )
    }
}

fn walk(root: &std::path::Path, rel: &str, out: &mut Vec<(String, std::fs::Metadata)>) {
    let dir = if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut names: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for n in names {
        let p = if rel.is_empty() {
            n
        } else {
            format!("{rel}/{n}")
        };
        let Ok(md) = std::fs::symlink_metadata(root.join(&p)) else {
            continue;
        };
        let is_dir = md.is_dir();
        out.push((p.clone(), md));
        if is_dir {
            walk(root, &p, out);
        }
    }
}

fn go_mode(md: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let m = md.permissions().mode();
    let mut g = m & 0o777;
    if md.is_dir() {
        g |= 1 << 31;
    } else if md.file_type().is_symlink() {
        g |= 1 << 27;
    }
    g
}

type PacketStream = Pin<Box<dyn Stream<Item = Result<Packet, Status>> + Send>>;

#[tonic::async_trait]
impl FileSync for FileSyncService {
    type DiffCopyStream = PacketStream;

    async fn diff_copy(
        &self,
        req: Request<Streaming<Packet>>,
    ) -> Result<Response<Self::DiffCopyStream>, Status> {
        use std::os::unix::fs::MetadataExt;
        let name = req
            .metadata()
            .get("dir-name")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let dir = self
            .dirs
            .get(&name)
            .cloned()
            .ok_or_else(|| Status::not_found(format!("no access allowed to dir {name:?}")))?;
        let mut inbound = req.into_inner();
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(async move {
            let mut entries = vec![];
            walk(&dir.root, "", &mut entries);
            for (p, md) in &entries {
                let linkname = if md.file_type().is_symlink() {
                    std::fs::read_link(dir.root.join(p))
                        .map(|l| l.to_string_lossy().into_owned())
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                let st = Stat {
                    path: p.clone(),
                    mode: go_mode(md),
                    uid: md.uid(),
                    gid: md.gid(),
                    size: if md.is_file() { md.size() as i64 } else { 0 },
                    mod_time: md.mtime() * 1_000_000_000 + md.mtime_nsec(),
                    linkname,
                    ..Default::default()
                };
                let pkt = Packet {
                    r#type: PacketType::PacketStat as i32,
                    stat: Some(st),
                    ..Default::default()
                };
                if tx.send(Ok(pkt)).await.is_err() {
                    return;
                }
            }
            let _ = tx
                .send(Ok(Packet {
                    r#type: PacketType::PacketStat as i32,
                    ..Default::default()
                }))
                .await;
            while let Some(Ok(p)) = inbound.next().await {
                match PacketType::try_from(p.r#type) {
                    Ok(PacketType::PacketReq) => {
                        let Some((path, _)) = entries.get(p.id as usize) else {
                            return;
                        };
                        let data = std::fs::read(dir.root.join(path)).unwrap_or_default();
                        for chunk in data.chunks(1 << 20) {
                            let pkt = Packet {
                                r#type: PacketType::PacketData as i32,
                                id: p.id,
                                data: bytes::Bytes::copy_from_slice(chunk),
                                ..Default::default()
                            };
                            if tx.send(Ok(pkt)).await.is_err() {
                                return;
                            }
                        }
                        let _ = tx
                            .send(Ok(Packet {
                                r#type: PacketType::PacketData as i32,
                                id: p.id,
                                ..Default::default()
                            }))
                            .await;
                    }
                    Ok(PacketType::PacketFin) => {
                        let _ = tx
                            .send(Ok(Packet {
                                r#type: PacketType::PacketFin as i32,
                                ..Default::default()
                            }))
                            .await;
                        return;
                    }
                    _ => {}
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    type TarStreamStream = PacketStream;

    async fn tar_stream(
        &self,
        _req: Request<Streaming<Packet>>,
    ) -> Result<Response<Self::TarStreamStream>, Status> {
        Err(Status::unimplemented("TarStream is not supported"))
    }
}
