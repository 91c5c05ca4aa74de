//! The receiving half of fsutil's DiffCopy: what the local exporter sends
//! back to the client (`-o type=local,dest=DIR`).
//!
//! Protocol (receiver's view): the sender streams STAT packets (ids are
//! assigned in order, one per stat), then an empty STAT; the receiver sends
//! REQ(id) for each regular file it wants, the sender answers with DATA(id)
//! chunks and an empty DATA(id) at the end of the file; when everything is
//! written the receiver sends FIN and the sender answers FIN.
//!
//! Safety: everything is written into a fresh private staging directory
//! beside DEST and moved into DEST only when the transfer completed. Paths
//! must be relative, clean and free of `..`; a parent must be a directory
//! this transfer created, so nothing is ever written through a symlink; a
//! hard link must point at a regular file of this transfer. On any error or
//! cancellation the staging directory is removed: DEST is untouched.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use futures_util::{Stream, StreamExt};
use rustix::fs::{AtFlags, Mode, Timespec, Timestamps};
use rustix::process::{geteuid, getgid, getuid};
use tokio::sync::mpsc;

use crate::error::{Error, Result, TransferError};
use crate::proto::fsutil::types::{packet::PacketType, Packet, Stat};

use super::stat::{unix_mode, MODE_DIR, MODE_NAMED_PIPE, MODE_SYMLINK, MODE_TYPE};

/// Permission bits (with setuid, setgid, sticky) of a Go mode.
fn perm(go_mode: u32) -> fs::Permissions {
    fs::Permissions::from_mode(unix_mode(go_mode) & 0o7777)
}

/// What a transfer wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReceiveStats {
    /// Entries created (files, dirs, links).
    pub entries: u64,
    /// File bytes written.
    pub bytes: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    Other,
}

struct Receiver {
    stage: PathBuf,
    kinds: HashMap<String, Kind>,
    /// Files requested, by id: path and stat.
    wanted: HashMap<u32, (String, Stat)>,
    open: HashMap<u32, fs::File>,
    dirs: Vec<(String, Stat)>,
    /// Who owns what is written: the calling user, as BuildKit's client
    /// writes a local export (its receive filter sets every stat's uid and
    /// gid to `os.Getuid()`/`os.Getgid()`), whatever the build made.
    owner: (u32, u32),
    /// Whether writes keep setuid/setgid (root, as CAP_FSETID).
    fsetid: bool,
    stats: ReceiveStats,
    /// The file just created by `stat`, waiting for its id.
    pending_file: Option<(fs::File, Stat)>,
}

fn bad(msg: impl Into<String>) -> Error {
    TransferError::InvalidFile(msg.into()).into()
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Checks that a path from the stream is relative, clean and stays inside.
fn check_path(p: &str) -> Result<()> {
    if p.is_empty() || p.starts_with('/') || p.contains('\0') || p.contains('\\') {
        return Err(bad(format!("{p:?} is not a relative path")));
    }
    for c in p.split('/') {
        if c.is_empty() || c == "." || c == ".." {
            return Err(bad(format!("{p:?} is not a clean path inside the output")));
        }
    }
    Ok(())
}

impl Receiver {
    fn parent_ok(&self, p: &str) -> Result<()> {
        if let Some((parent, _)) = p.rsplit_once('/') {
            if self.kinds.get(parent) != Some(&Kind::Dir) {
                return Err(bad(format!(
                    "{p:?} comes before its directory, or its parent is not a directory"
                )));
            }
        }
        Ok(())
    }

    fn owner(&self, path: &Path, _st: &Stat) {
        let _ = std::os::unix::fs::lchown(path, Some(self.owner.0), Some(self.owner.1));
    }

    /// Handles one STAT; returns true if the file's data must be requested.
    fn stat(&mut self, st: Stat) -> Result<bool> {
        check_path(&st.path)?;
        self.parent_ok(&st.path)?;
        if self.kinds.contains_key(&st.path) {
            return Err(bad(format!("{:?} sent twice", st.path)));
        }
        let full = self.stage.join(&st.path);
        let t = st.mode & MODE_TYPE;
        let kind;
        if t & MODE_DIR != 0 {
            fs::DirBuilder::new()
                .mode(0o700)
                .create(&full)
                .map_err(|e| io_err(&full, e))?;
            self.owner(&full, &st);
            self.kinds.insert(st.path.clone(), Kind::Dir);
            self.stats.entries += 1;
            self.dirs.push((st.path.clone(), st));
            return Ok(false);
        } else if t & MODE_SYMLINK != 0 {
            std::os::unix::fs::symlink(&st.linkname, &full).map_err(|e| io_err(&full, e))?;
            self.owner(&full, &st);
            set_link_mtime(&full, st.mod_time);
            kind = Kind::Other;
        } else if t == 0 && !st.linkname.is_empty() {
            // A hard link to an earlier regular file of this transfer.
            check_path(&st.linkname)?;
            if self.kinds.get(&st.linkname) != Some(&Kind::File) {
                return Err(bad(format!(
                    "hard link {:?} points at {:?}, which is not a file of this output",
                    st.path, st.linkname
                )));
            }
            fs::hard_link(self.stage.join(&st.linkname), &full).map_err(|e| io_err(&full, e))?;
            kind = Kind::File;
        } else if t == 0 {
            let f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&full)
                .map_err(|e| io_err(&full, e))?;
            self.kinds.insert(st.path.clone(), Kind::File);
            self.stats.entries += 1;
            if st.size == 0 {
                self.close_file(f, &st)?;
                return Ok(false);
            }
            self.pending_file = Some((f, st));
            return Ok(true);
        } else if t & MODE_NAMED_PIPE != 0 {
            rustix::fs::mkfifoat(rustix::fs::CWD, &full, Mode::from_raw_mode(0o600))
                .map_err(|e| io_err(&full, e.into()))?;
            fs::set_permissions(&full, perm(st.mode)).map_err(|e| io_err(&full, e))?;
            self.owner(&full, &st);
            kind = Kind::Other;
        } else {
            // Devices and sockets are not recreated on the client.
            kind = Kind::Other;
        }
        self.kinds.insert(st.path.clone(), kind);
        self.stats.entries += 1;
        Ok(false)
    }

    fn close_file(&mut self, f: fs::File, st: &Stat) -> Result<()> {
        let full = self.stage.join(&st.path);
        // chown first: it clears setuid/setgid, which chmod then sets.
        self.owner(&full, st);
        let mut mode = unix_mode(st.mode) & 0o7777;
        if !self.fsetid && st.size > 0 {
            // BuildKit's client sets the mode before it writes the data,
            // and the kernel clears setuid (and setgid with group execute)
            // when a process without CAP_FSETID writes: an unprivileged
            // caller ends up without them. So does this receiver.
            mode &= !0o4000;
            if mode & 0o010 != 0 {
                mode &= !0o2000;
            }
        }
        f.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| io_err(&full, e))?;
        let _ = f.set_modified(mtime(st.mod_time));
        Ok(())
    }

    fn finish_dirs(&mut self) -> Result<()> {
        // Children first, so a read-only directory is closed last.
        for (p, st) in self.dirs.iter().rev() {
            let full = self.stage.join(p);
            fs::set_permissions(&full, perm(st.mode)).map_err(|e| io_err(&full, e))?;
            if let Ok(d) = fs::File::open(&full) {
                let _ = d.set_modified(mtime(st.mod_time));
            }
        }
        Ok(())
    }
}

/// Sets a symlink's own modification time (not its target's).
fn set_link_mtime(path: &Path, ns: i64) {
    let t = Timespec {
        tv_sec: ns.div_euclid(1_000_000_000),
        tv_nsec: ns.rem_euclid(1_000_000_000),
    };
    let times = Timestamps {
        last_access: t,
        last_modification: t,
    };
    let _ = rustix::fs::utimensat(rustix::fs::CWD, path, &times, AtFlags::SYMLINK_NOFOLLOW);
}

fn mtime(ns: i64) -> std::time::SystemTime {
    if ns >= 0 {
        std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns as u64)
    } else {
        std::time::UNIX_EPOCH - std::time::Duration::from_nanos(ns.unsigned_abs())
    }
}

/// A private staging directory beside `dest`, removed on drop: emptied by
/// a completed transfer, holding the partial result after a failure.
struct Stage {
    path: PathBuf,
}

impl Drop for Stage {
    fn drop(&mut self) {
        make_writable(&self.path);
        let _ = fs::remove_dir_all(&self.path);
    }
}

fn make_writable(p: &Path) {
    if let Ok(md) = fs::symlink_metadata(p) {
        if md.is_dir() {
            let _ = fs::set_permissions(p, fs::Permissions::from_mode(0o700));
            if let Ok(rd) = fs::read_dir(p) {
                for e in rd.flatten() {
                    make_writable(&e.path());
                }
            }
        }
    }
}

/// Receives a file tree into `dest` (created if missing; existing entries
/// with the same names are replaced, others are kept, as buildx's local
/// exporter does).
///
/// Long because it is one state machine over the DiffCopy stream (stats,
/// requests for file data, data, `FIN`), as fsutil's receiver is.
pub(crate) async fn receive<S>(
    mut inbound: S,
    outbound: mpsc::Sender<std::result::Result<Packet, tonic::Status>>,
    dest: &Path,
) -> Result<ReceiveStats>
where
    S: Stream<Item = std::result::Result<Packet, tonic::Status>> + Unpin,
{
    // buildx creates a missing DEST (and parents) with mode 0700.
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dest)
        .map_err(|e| io_err(dest, e))?;
    let dest = fs::canonicalize(dest).map_err(|e| io_err(dest, e))?;
    let parent = dest.parent().unwrap_or(&dest).to_path_buf();
    let stage_path = parent.join(format!(".rkbuild-output-{}", crate::id::new_id()));
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&stage_path)
        .map_err(|e| io_err(&stage_path, e))?;
    let _stage = Stage {
        path: stage_path.clone(),
    };
    let mut r = Receiver {
        stage: stage_path,
        kinds: HashMap::new(),
        wanted: HashMap::new(),
        open: HashMap::new(),
        dirs: Vec::new(),
        owner: (getuid().as_raw(), getgid().as_raw()),
        fsetid: geteuid().is_root(),
        stats: ReceiveStats::default(),
        pending_file: None,
    };
    let send = |p: Packet| {
        let outbound = outbound.clone();
        async move {
            outbound
                .send(Ok(p))
                .await
                .map_err(|_| Error::from(TransferError::OutputClosed))
        }
    };
    let mut next_id: u32 = 0;
    let mut stats_done = false;
    let mut fin_sent = false;
    loop {
        if stats_done && r.wanted.is_empty() && !fin_sent {
            send(Packet {
                r#type: PacketType::PacketFin as i32,
                ..Default::default()
            })
            .await?;
            fin_sent = true;
        }
        let Some(msg) = inbound.next().await else {
            if fin_sent {
                break;
            }
            return Err(TransferError::OutputEnded.into());
        };
        let p = msg.map_err(|s| TransferError::OutputFailed(s.message().to_string()))?;
        match PacketType::try_from(p.r#type) {
            Ok(PacketType::PacketStat) => match p.stat {
                None => stats_done = true,
                Some(st) => {
                    let id = next_id;
                    next_id += 1;
                    if r.stat(st)? {
                        if let Some((f, st)) = r.pending_file.take() {
                            r.open.insert(id, f);
                            r.wanted.insert(id, (st.path.clone(), st));
                        }
                        send(Packet {
                            r#type: PacketType::PacketReq as i32,
                            id,
                            ..Default::default()
                        })
                        .await?;
                    }
                }
            },
            Ok(PacketType::PacketData) => {
                let id = p.id;
                if p.data.is_empty() {
                    let f = r
                        .open
                        .remove(&id)
                        .ok_or_else(|| bad(format!("data for unknown id {id}")))?;
                    let (_, st) = r
                        .wanted
                        .remove(&id)
                        .ok_or_else(|| bad(format!("data for unknown id {id}")))?;
                    r.close_file(f, &st)?;
                } else {
                    let f = r
                        .open
                        .get_mut(&id)
                        .ok_or_else(|| bad(format!("data for unknown id {id}")))?;
                    f.write_all(&p.data).map_err(|e| Error::Transport {
                        context: "writing output file".into(),
                        source: e,
                    })?;
                    r.stats.bytes += p.data.len() as u64;
                }
            }
            Ok(PacketType::PacketFin) => {
                if !fin_sent {
                    return Err(TransferError::OutputEnded.into());
                }
                break;
            }
            Ok(PacketType::PacketErr) => {
                return Err(
                    TransferError::Sender(String::from_utf8_lossy(&p.data).into_owned()).into(),
                );
            }
            _ => {}
        }
    }
    r.finish_dirs()?;
    merge_into(&r.stage, &dest)?;
    Ok(r.stats)
}

/// Moves every entry of `from` into `to`, replacing same-named entries
/// (directories are merged). Never follows a symlink in `to`.
fn merge_into(from: &Path, to: &Path) -> Result<()> {
    let rd = fs::read_dir(from).map_err(|e| io_err(from, e))?;
    for e in rd {
        let e = e.map_err(|e| io_err(from, e))?;
        let src = e.path();
        let dst = to.join(e.file_name());
        let src_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        match fs::symlink_metadata(&dst) {
            Err(_) => fs::rename(&src, &dst).map_err(|e| io_err(&dst, e))?,
            Ok(md) if md.is_dir() && src_dir => {
                merge_into(&src, &dst)?;
                // Take the directory's own metadata from the result.
                if let Ok(smd) = fs::metadata(&src) {
                    let _ = fs::set_permissions(&dst, smd.permissions());
                }
            }
            Ok(md) => {
                if md.is_dir() {
                    make_writable(&dst);
                    fs::remove_dir_all(&dst).map_err(|e| io_err(&dst, e))?;
                } else {
                    fs::remove_file(&dst).map_err(|e| io_err(&dst, e))?;
                }
                fs::rename(&src, &dst).map_err(|e| io_err(&dst, e))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unsafe_paths() {
        for p in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a/.",
            "a\\b",
        ] {
            assert!(check_path(p).is_err(), "{p:?}");
        }
        for p in ["a", "a/b", "é/ü", "a..b", "..a"] {
            assert!(check_path(p).is_ok(), "{p:?}");
        }
    }

    fn stat(path: &str, mode: u32) -> Stat {
        Stat {
            path: path.into(),
            mode,
            ..Default::default()
        }
    }

    fn pkt(t: PacketType, stat: Option<Stat>, id: u32, data: &[u8]) -> Packet {
        Packet {
            r#type: t as i32,
            stat,
            id,
            data: bytes::Bytes::copy_from_slice(data),
        }
    }

    async fn run(packets: Vec<Packet>, dest: &Path) -> (Result<ReceiveStats>, Vec<Packet>) {
        let (tx, mut rx) = mpsc::channel(64);
        let inbound = futures_util::stream::iter(packets.into_iter().map(Ok));
        let r = receive(inbound, tx, dest).await;
        let mut sent = vec![];
        while let Ok(Ok(p)) = rx.try_recv() {
            sent.push(p);
        }
        (r, sent)
    }

    #[tokio::test]
    async fn writes_a_tree() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        let packets = vec![
            pkt(
                PacketType::PacketStat,
                Some(stat("a", MODE_DIR | 0o755)),
                0,
                b"",
            ),
            pkt(
                PacketType::PacketStat,
                Some(Stat {
                    size: 5,
                    ..stat("a/f", 0o644)
                }),
                0,
                b"",
            ),
            pkt(
                PacketType::PacketStat,
                Some(Stat {
                    linkname: "f".into(),
                    ..stat("a/l", MODE_SYMLINK | 0o777)
                }),
                0,
                b"",
            ),
            pkt(
                PacketType::PacketStat,
                Some(Stat {
                    linkname: "a/f".into(),
                    ..stat("h", 0o644)
                }),
                0,
                b"",
            ),
            pkt(PacketType::PacketStat, None, 0, b""),
            pkt(PacketType::PacketData, None, 1, b"hello"),
            pkt(PacketType::PacketData, None, 1, b""),
            pkt(PacketType::PacketFin, None, 0, b""),
        ];
        let (r, sent) = run(packets, &dest).await;
        r.unwrap();
        assert_eq!(sent[0].r#type, PacketType::PacketReq as i32);
        assert_eq!(sent[0].id, 1);
        assert_eq!(sent.last().unwrap().r#type, PacketType::PacketFin as i32);
        assert_eq!(fs::read_to_string(dest.join("a/f")).unwrap(), "hello");
        assert_eq!(fs::read_link(dest.join("a/l")).unwrap(), Path::new("f"));
        assert_eq!(fs::read_to_string(dest.join("h")).unwrap(), "hello");
        // no staging directory is left behind
        let names: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[tokio::test]
    async fn refuses_writing_through_a_symlink() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        let outside = d.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let packets = vec![
            pkt(
                PacketType::PacketStat,
                Some(Stat {
                    linkname: outside.display().to_string(),
                    ..stat("evil", MODE_SYMLINK | 0o777)
                }),
                0,
                b"",
            ),
            pkt(PacketType::PacketStat, Some(stat("evil/x", 0o644)), 0, b""),
            pkt(PacketType::PacketStat, None, 0, b""),
        ];
        let (r, _) = run(packets, &dest).await;
        assert!(r.is_err());
        assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
        // DEST was created but nothing was put in it
        assert_eq!(fs::read_dir(&dest).unwrap().count(), 0);
        let leftovers = fs::read_dir(d.path()).unwrap().count();
        assert_eq!(leftovers, 2, "staging dir must be removed");
    }

    #[tokio::test]
    async fn refuses_dotdot_and_foreign_hardlinks() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        let (r, _) = run(
            vec![pkt(
                PacketType::PacketStat,
                Some(stat("../x", 0o644)),
                0,
                b"",
            )],
            &dest,
        )
        .await;
        assert!(r.is_err());
        let (r, _) = run(
            vec![pkt(
                PacketType::PacketStat,
                Some(Stat {
                    linkname: "/etc/passwd".into(),
                    ..stat("h", 0o644)
                }),
                0,
                b"",
            )],
            &dest,
        )
        .await;
        assert!(r.is_err());
        assert!(!d.path().join("x").exists());
    }

    #[tokio::test]
    async fn truncated_stream_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        let packets = vec![
            pkt(
                PacketType::PacketStat,
                Some(Stat {
                    size: 100,
                    ..stat("f", 0o644)
                }),
                0,
                b"",
            ),
            pkt(PacketType::PacketStat, None, 0, b""),
            pkt(PacketType::PacketData, None, 0, b"partial"),
        ];
        let (r, _) = run(packets, &dest).await;
        assert!(r.is_err());
        assert!(!dest.join("f").exists());
    }
}
