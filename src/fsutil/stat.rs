//! File metadata as fsutil puts it on the wire ([`Stat`]): Go `os.FileMode`
//! bits, owner, size, modification time in nanoseconds, link target, device
//! numbers and extended attributes, all taken from one `lstat`.
//!
//! Facts followed (tonistiigi/fsutil at 91a3fc4, the version Debian's
//! buildx 0.13.1 is built with, `stat.go` / `stat_unix.go`):
//! - `mode` is Go's `os.FileMode` of the lstat result, with the socket bit
//!   cleared (so a socket looks like a regular file);
//! - `size` is 0 for directories and the lstat size otherwise (symlinks:
//!   the target's length; the second name of a hard link keeps its size);
//! - `linkname` is the `readlink` target for symlinks, and for the second and
//!   later names of a hard-linked non-directory the path of the first one;
//! - `devmajor`/`devminor` use the old 12/20-bit split of `st_rdev`;
//! - every extended attribute is sent (`llistxattr` + `lgetxattr`); values
//!   that cannot be read are skipped, `ENOTSUP` means none.

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::fs::Metadata;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use bytes::Bytes;
use rustix::io::Errno;

use crate::error::{Error, Result, TransferError};
pub(crate) use crate::proto::fsutil::types::Stat;

/// Go `os.ModeDir` (`d`).
pub(crate) const MODE_DIR: u32 = 1 << 31;
#[cfg(test)]
/// Go `os.ModeAppend` (`a`).
pub(crate) const MODE_APPEND: u32 = 1 << 30;
#[cfg(test)]
/// Go `os.ModeExclusive` (`l`).
pub(crate) const MODE_EXCLUSIVE: u32 = 1 << 29;
#[cfg(test)]
/// Go `os.ModeTemporary` (`T`).
pub(crate) const MODE_TEMPORARY: u32 = 1 << 28;
/// Go `os.ModeSymlink` (`L`).
pub(crate) const MODE_SYMLINK: u32 = 1 << 27;
/// Go `os.ModeDevice` (`D`).
pub(crate) const MODE_DEVICE: u32 = 1 << 26;
/// Go `os.ModeNamedPipe` (`p`).
pub(crate) const MODE_NAMED_PIPE: u32 = 1 << 25;
/// Go `os.ModeSocket` (`S`).
pub(crate) const MODE_SOCKET: u32 = 1 << 24;
/// Go `os.ModeSetuid` (`u`).
pub(crate) const MODE_SETUID: u32 = 1 << 23;
/// Go `os.ModeSetgid` (`g`).
pub(crate) const MODE_SETGID: u32 = 1 << 22;
/// Go `os.ModeCharDevice` (`c`), set together with [`MODE_DEVICE`].
pub(crate) const MODE_CHAR_DEVICE: u32 = 1 << 21;
/// Go `os.ModeSticky` (`t`).
pub(crate) const MODE_STICKY: u32 = 1 << 20;
/// Go `os.ModeIrregular` (`?`).
pub(crate) const MODE_IRREGULAR: u32 = 1 << 19;
/// Go `os.ModeType`: the bits that make a mode not a regular file.
pub(crate) const MODE_TYPE: u32 = MODE_DIR
    | MODE_SYMLINK
    | MODE_NAMED_PIPE
    | MODE_SOCKET
    | MODE_DEVICE
    | MODE_CHAR_DEVICE
    | MODE_IRREGULAR;

const S_IFMT: u32 = 0o170000;
const S_IFSOCK: u32 = 0o140000;
const S_IFLNK: u32 = 0o120000;
const S_IFREG: u32 = 0o100000;
const S_IFBLK: u32 = 0o060000;
const S_IFDIR: u32 = 0o040000;
const S_IFCHR: u32 = 0o020000;
const S_IFIFO: u32 = 0o010000;
const S_ISUID: u32 = 0o4000;
const S_ISGID: u32 = 0o2000;
const S_ISVTX: u32 = 0o1000;

/// Go's `os.FileMode` for a Unix `st_mode` (os/stat_linux.go).
pub(crate) fn go_mode(st_mode: u32) -> u32 {
    let mut mode = st_mode & 0o777;
    match st_mode & S_IFMT {
        S_IFBLK => mode |= MODE_DEVICE,
        S_IFCHR => mode |= MODE_DEVICE | MODE_CHAR_DEVICE,
        S_IFDIR => mode |= MODE_DIR,
        S_IFIFO => mode |= MODE_NAMED_PIPE,
        S_IFLNK => mode |= MODE_SYMLINK,
        S_IFSOCK => mode |= MODE_SOCKET,
        _ => {}
    }
    if st_mode & S_ISGID != 0 {
        mode |= MODE_SETGID;
    }
    if st_mode & S_ISUID != 0 {
        mode |= MODE_SETUID;
    }
    if st_mode & S_ISVTX != 0 {
        mode |= MODE_STICKY;
    }
    mode
}

/// The Unix `st_mode` for a Go `os.FileMode` (the inverse of [`go_mode`]; a
/// mode without type bits is a regular file).
pub(crate) fn unix_mode(go_mode: u32) -> u32 {
    let mut mode = go_mode & 0o777;
    mode |= if go_mode & MODE_DIR != 0 {
        S_IFDIR
    } else if go_mode & MODE_SYMLINK != 0 {
        S_IFLNK
    } else if go_mode & MODE_NAMED_PIPE != 0 {
        S_IFIFO
    } else if go_mode & MODE_SOCKET != 0 {
        S_IFSOCK
    } else if go_mode & MODE_DEVICE != 0 {
        if go_mode & MODE_CHAR_DEVICE != 0 {
            S_IFCHR
        } else {
            S_IFBLK
        }
    } else {
        S_IFREG
    };
    if go_mode & MODE_SETUID != 0 {
        mode |= S_ISUID;
    }
    if go_mode & MODE_SETGID != 0 {
        mode |= S_ISGID;
    }
    if go_mode & MODE_STICKY != 0 {
        mode |= S_ISVTX;
    }
    mode
}

/// Whether the receiver may ask for this entry's contents (fsutil's
/// `fileCanRequestData`: no type bits).
pub(crate) fn can_request_data(mode: u32) -> bool {
    mode & MODE_TYPE == 0
}

/// fsutil's `major(st_rdev)`.
pub(crate) fn dev_major(rdev: u64) -> i64 {
    ((rdev >> 8) & 0xfff) as i64
}

/// fsutil's `minor(st_rdev)`.
pub(crate) fn dev_minor(rdev: u64) -> i64 {
    ((rdev & 0xff) | ((rdev >> 12) & 0xfff00)) as i64
}

/// `time.Time.UnixNano()` of the modification time (wrapping like Go).
pub(crate) fn mod_time_nanos(md: &Metadata) -> i64 {
    md.mtime()
        .wrapping_mul(1_000_000_000)
        .wrapping_add(md.mtime_nsec())
}

#[cfg(test)]
/// Builds a [`Stat`] from `lstat` results. `abs` is where the entry is now
/// (for `readlink` and the extended attributes), `rel` the path to record
/// (relative to the synced root, `/`-separated). Hard links are not looked
/// at here, see [`Hardlinks`].
pub(crate) fn stat_from_metadata(abs: &Path, rel: String, md: &Metadata) -> Result<Stat> {
    let mut scratch = XattrBuf::default();
    stat_with(abs, rel, md, &mut scratch)
}

#[cfg(test)]
/// `lstat` + [`stat_from_metadata`].
pub(crate) fn lstat(abs: &Path, rel: String) -> Result<Stat> {
    let md = std::fs::symlink_metadata(abs).map_err(|source| Error::FileOp {
        op: "lstat",
        path: abs.to_path_buf(),
        source,
    })?;
    stat_from_metadata(abs, rel, &md)
}

/// Reusable buffers for reading extended attributes.
#[derive(Debug, Default)]
pub(crate) struct XattrBuf {
    names: Vec<u8>,
    value: Vec<u8>,
}

pub(crate) fn stat_with(
    abs: &Path,
    rel: String,
    md: &Metadata,
    scratch: &mut XattrBuf,
) -> Result<Stat> {
    let st_mode = md.mode();
    let is_dir = st_mode & S_IFMT == S_IFDIR;
    let mut stat = Stat {
        path: rel,
        mode: go_mode(st_mode),
        uid: md.uid(),
        gid: md.gid(),
        mod_time: mod_time_nanos(md),
        ..Default::default()
    };
    if !is_dir {
        // fsutil tests the type with `&` (not `==`), which also catches
        // symlinks and sockets; their st_rdev is 0 anyway.
        if st_mode & S_IFBLK != 0 || st_mode & S_IFCHR != 0 {
            stat.devmajor = dev_major(md.rdev());
            stat.devminor = dev_minor(md.rdev());
        }
        stat.size = md.size() as i64;
        if st_mode & S_IFMT == S_IFLNK {
            let target = std::fs::read_link(abs).map_err(|source| Error::FileOp {
                op: "readlink",
                path: abs.to_path_buf(),
                source,
            })?;
            stat.linkname = target.into_os_string().into_string().map_err(|target| {
                TransferError::NonUtf8Target {
                    path: abs.to_path_buf(),
                    target,
                }
            })?;
        }
    }
    read_xattrs(abs, scratch, &mut stat.xattrs).map_err(|source| Error::FileOp {
        op: "failed to xattr",
        path: abs.to_path_buf(),
        source,
    })?;
    stat.mode &= !MODE_SOCKET;
    Ok(stat)
}

/// Reads all extended attributes of `path` (not following symlinks) into
/// `out`. `ENOTSUP` counts as none; values that cannot be read are skipped;
/// names that are not UTF-8 cannot be sent and are skipped too.
fn read_xattrs(
    path: &Path,
    scratch: &mut XattrBuf,
    out: &mut HashMap<String, Bytes>,
) -> io::Result<()> {
    // Converted once, not for every call below.
    let cpath = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))?;
    if scratch.names.len() < 256 {
        scratch.names.resize(256, 0);
    }
    let len = loop {
        match rustix::fs::llistxattr(cpath.as_c_str(), &mut scratch.names[..]) {
            Ok(n) => break n,
            Err(Errno::NOTSUP) => return Ok(()),
            Err(Errno::RANGE) => {
                let need = rustix::fs::llistxattr_query(cpath.as_c_str())?;
                scratch.names.resize(need + 1, 0);
            }
            Err(e) => return Err(e.into()),
        }
    };
    if len == 0 {
        return Ok(());
    }
    let names = std::mem::take(&mut scratch.names);
    for name in names[..len].split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let Ok(key) = std::str::from_utf8(name) else {
            continue;
        };
        let Ok(cname) = CString::new(name) else {
            continue;
        };
        if let Some(value) = get_xattr(&cpath, &cname, &mut scratch.value) {
            out.insert(key.to_owned(), value);
        }
    }
    scratch.names = names;
    Ok(())
}

fn get_xattr(path: &CStr, name: &CStr, buf: &mut Vec<u8>) -> Option<Bytes> {
    if buf.len() < 256 {
        buf.resize(256, 0);
    }
    loop {
        match rustix::fs::lgetxattr(path, name, &mut buf[..]) {
            Ok(n) => return Some(Bytes::copy_from_slice(&buf[..n])),
            Err(Errno::RANGE) => {
                let need = rustix::fs::lgetxattr_query(path, name).ok()?;
                buf.resize(need + 1, 0);
            }
            Err(_) => return None,
        }
    }
}

/// Hard link detection over the entries actually sent: the first name of an
/// inode is sent normally, later ones get `linkname` = that first path.
///
/// This is what fsutil's walk (`setUnixOpt`) combined with its
/// `WithHardlinkReset` filter produces. Inodes are keyed by device and inode
/// number (upstream uses the inode number alone, which can confuse files on
/// different filesystems).
#[derive(Debug, Default)]
pub(crate) struct Hardlinks {
    seen: HashMap<(u64, u64), String>,
}

impl Hardlinks {
    /// Records `stat` (built from `md`) and, if it is a later name of an
    /// already seen inode, sets its `linkname` to the first name.
    pub(crate) fn apply(&mut self, md: &Metadata, stat: &mut Stat) {
        let fmt = md.mode() & S_IFMT;
        if fmt == S_IFDIR || fmt == S_IFLNK || md.nlink() <= 1 {
            return;
        }
        match self.seen.get(&(md.dev(), md.ino())) {
            Some(first) => stat.linkname.clone_from(first),
            None => {
                self.seen.insert((md.dev(), md.ino()), stat.path.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::XattrFlags;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn go_file_mode_constants() {
        // io/fs: ModeDir = 1 << (32 - 1 - iota), in declaration order.
        let expected = [
            MODE_DIR,
            MODE_APPEND,
            MODE_EXCLUSIVE,
            MODE_TEMPORARY,
            MODE_SYMLINK,
            MODE_DEVICE,
            MODE_NAMED_PIPE,
            MODE_SOCKET,
            MODE_SETUID,
            MODE_SETGID,
            MODE_CHAR_DEVICE,
            MODE_STICKY,
            MODE_IRREGULAR,
        ];
        for (i, m) in expected.iter().enumerate() {
            assert_eq!(*m, 1u32 << (31 - i), "bit {i}");
        }
        assert_eq!(MODE_TYPE, 0x8f28_0000);
    }

    #[test]
    fn mode_conversion() {
        // Values checked with Go's os.Lstat on the same kinds of files.
        assert_eq!(go_mode(0o100644), 0o644);
        assert_eq!(go_mode(0o040755), 2147484141);
        assert_eq!(go_mode(0o120777), 134218239);
        assert_eq!(go_mode(0o010644), 33554852);
        assert_eq!(go_mode(0o104755), 8389101);
        assert_eq!(go_mode(0o102755), MODE_SETGID | 0o755);
        assert_eq!(go_mode(0o041777), MODE_DIR | MODE_STICKY | 0o777);
        assert_eq!(go_mode(0o020620), MODE_DEVICE | MODE_CHAR_DEVICE | 0o620);
        assert_eq!(go_mode(0o060660), MODE_DEVICE | 0o660);
        assert_eq!(go_mode(0o140755), MODE_SOCKET | 0o755);
        for m in [
            0o100644, 0o040755, 0o120777, 0o010644, 0o104755, 0o102755, 0o041777, 0o020620,
            0o060660, 0o140755, 0o107777,
        ] {
            assert_eq!(unix_mode(go_mode(m)), m, "{m:o}");
        }
        assert!(can_request_data(0o644 | MODE_SETUID));
        assert!(!can_request_data(MODE_DIR | 0o755));
        assert!(!can_request_data(MODE_SYMLINK | 0o777));
    }

    #[test]
    fn device_numbers() {
        // /dev/null: major 1, minor 3 -> rdev 0x103.
        assert_eq!((dev_major(0x103), dev_minor(0x103)), (1, 3));
        // makedev(259, 65536) in glibc's encoding.
        let rdev: u64 = ((259 & 0xfff) << 8) | ((65536u64 & 0xffffff00) << 12);
        assert_eq!(dev_major(rdev), 259);
        assert_eq!(dev_minor(rdev), 65536);
    }

    #[test]
    fn stat_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("f"), b"hello").unwrap();
        std::fs::set_permissions(root.join("f"), std::fs::Permissions::from_mode(0o4750)).unwrap();
        std::fs::create_dir(root.join("d")).unwrap();
        std::os::unix::fs::symlink("f", root.join("l")).unwrap();

        let f = lstat(&root.join("f"), "f".into()).unwrap();
        assert_eq!(f.path, "f");
        assert_eq!(f.mode, MODE_SETUID | 0o750);
        assert_eq!(f.size, 5);
        assert!(f.linkname.is_empty());
        let md = std::fs::symlink_metadata(root.join("f")).unwrap();
        assert_eq!(f.mod_time, md.mtime() * 1_000_000_000 + md.mtime_nsec());
        assert_eq!((f.uid, f.gid), (md.uid(), md.gid()));

        let d = lstat(&root.join("d"), "d".into()).unwrap();
        assert_eq!(d.mode & MODE_DIR, MODE_DIR);
        assert_eq!(d.size, 0);

        let l = lstat(&root.join("l"), "l".into()).unwrap();
        assert_eq!(l.mode, MODE_SYMLINK | 0o777);
        assert_eq!(l.linkname, "f");
        assert_eq!(l.size, 1);
    }

    #[test]
    fn socket_bit_is_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let s = lstat(&path, "s".into()).unwrap();
        assert_eq!(s.mode & MODE_TYPE, 0);
        assert!(can_request_data(s.mode));
    }

    #[test]
    fn user_xattrs_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, b"").unwrap();
        let set = rustix::fs::lsetxattr(&path, "user.rkbuild", b"abc", XattrFlags::empty());
        if let Err(err) = set {
            // The filesystem under the temp dir has no user xattrs (tmpfs on
            // old kernels): nothing to check.
            assert_eq!(err, Errno::NOTSUP, "{err}");
            return;
        }
        let s = lstat(&path, "x".into()).unwrap();
        assert_eq!(
            s.xattrs.get("user.rkbuild"),
            Some(&Bytes::from_static(b"abc"))
        );
    }

    #[test]
    fn hardlinks_point_at_first_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a"), b"data").unwrap();
        std::fs::hard_link(root.join("a"), root.join("b")).unwrap();
        std::fs::hard_link(root.join("a"), root.join("c")).unwrap();
        let mut links = Hardlinks::default();
        let mut out = Vec::new();
        for name in ["a", "b", "c"] {
            let md = std::fs::symlink_metadata(root.join(name)).unwrap();
            let mut st = stat_from_metadata(&root.join(name), name.into(), &md).unwrap();
            links.apply(&md, &mut st);
            out.push((st.path, st.linkname, st.size));
        }
        assert_eq!(
            out,
            [
                ("a".into(), "".into(), 4),
                ("b".into(), "a".into(), 4),
                ("c".into(), "a".into(), 4),
            ]
        );
    }
}
