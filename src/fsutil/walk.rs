//! The walk fsutil's sender does over a synced directory: which entries are
//! sent, in which order, with which [`Stat`].
//!
//! Semantics (tonistiigi/fsutil 91a3fc4 `fs.go`, `filter.go`,
//! `followlinks.go`, `hardlinks.go`, as used by buildx 0.13.1 through
//! BuildKit's `session/filesync`):
//! - depth-first pre-order, each directory's entries sorted by name
//!   bytewise (`filepath.WalkDir`); the root itself is not sent. This is the
//!   order of comparing whole paths with `/` below every other byte;
//! - symlinks are sent as links and never followed;
//! - with include patterns, an entry is sent when it (or a parent) matches;
//!   a directory that does not match is still walked when an include
//!   pattern could match below it, and is then sent just before the first
//!   entry under it that is sent. Exclude patterns work the same way the
//!   other way round, with `!` exceptions re-including entries;
//! - a directory is skipped without reading it only when that is provably
//!   safe: no pattern with wildcards could match below it (fsutil's
//!   `onlyPrefixIncludes` / `onlyPrefixExcludeExceptions` logic);
//! - follow paths are resolved through symlinks *inside* the root (absolute
//!   link targets count from the root, `..` cannot leave it) and the
//!   resolved paths become include patterns;
//! - uid and gid are sent as 0 (buildx's client resets them) unless
//!   [`WalkOptions::preserve_owner`] is set;
//! - hard links: see `Hardlinks`.
//!
//! Entries that vanish during the walk are skipped; an unreadable directory
//! fails the walk unless it is excluded (then it is ignored, as upstream).
//! Upstream silently sends nothing for an unreadable root; this walk fails.

use std::collections::HashSet;
use std::ffi::OsString;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, TransferError};
use crate::fsutil::patterns::{self, MatchInfo, PatternMatcher};
use crate::fsutil::stat::{self, Hardlinks, Stat, XattrBuf};
use crate::go::filepath::join;

/// What to send from a directory (the `include-patterns`,
/// `exclude-patterns` and `followpaths` a DiffCopy request carries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WalkOptions {
    /// Only entries matching (or under an entry matching) one of these are
    /// sent; empty means everything.
    pub include_patterns: Vec<String>,
    /// Entries matching these are not sent (`!` patterns are exceptions).
    pub exclude_patterns: Vec<String>,
    /// Paths whose symlinks are resolved; they and their targets are added
    /// to the include patterns.
    pub follow_paths: Vec<String>,
    /// Send the real uid/gid instead of 0 (buildx always sends 0).
    pub preserve_owner: bool,
}

/// One entry of a walk, in send order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// What is sent; `stat.path` is relative to the root, `/`-separated.
    pub stat: Stat,
    /// The entry is a socket: its mode looks like a regular file's (fsutil
    /// clears the socket bit) but it has no contents to read.
    pub socket: bool,
}

impl Entry {
    /// Whether the receiver may request this entry's contents.
    pub(crate) fn can_request_data(&self) -> bool {
        stat::can_request_data(self.stat.mode)
    }
}

/// Walks `root` and returns the entries to send, in order (the tests';
/// sending walks with [`walk_with`]).
#[cfg(test)]
pub(crate) fn walk(root: &Path, opts: &WalkOptions) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    walk_with(root, opts, |e| {
        out.push(e);
        Ok(())
    })?;
    Ok(out)
}

/// Walks `root`, calling `f` with every entry to send, in order. An error
/// from `f` stops the walk and is returned.
pub(crate) fn walk_with<F>(root: &Path, opts: &WalkOptions, f: F) -> Result<()>
where
    F: FnMut(Entry) -> Result<()>,
{
    let root = resolve_root(root)?;
    let filter = Filter::new(&root, opts)?;
    let mut w = Walker {
        abs: root.clone(),
        root,
        filter,
        parents: Vec::new(),
        hardlinks: Hardlinks::default(),
        scratch: XattrBuf::default(),
        preserve_owner: opts.preserve_owner,
        f,
    };
    w.walk_dir("")
}

/// `filepath.EvalSymlinks` + "must be a directory".
pub(crate) fn resolve_root(root: &Path) -> Result<PathBuf> {
    let resolved = std::fs::canonicalize(root).map_err(|source| Error::FileOp {
        op: "resolve",
        path: root.to_path_buf(),
        source,
    })?;
    let md = std::fs::metadata(&resolved).map_err(|source| Error::FileOp {
        op: "stat",
        path: resolved.clone(),
        source,
    })?;
    if !md.is_dir() {
        return Err(Error::FileOp {
            op: "stat",
            path: resolved,
            source: io::Error::from_raw_os_error(libc::ENOTDIR),
        });
    }
    Ok(resolved)
}

/// The include/exclude decision of fsutil's filter FS.
struct Filter {
    include: Option<PatternMatcher>,
    exclude: Option<PatternMatcher>,
    only_prefix_includes: bool,
    only_prefix_exclude_exceptions: bool,
}

const PATTERN_CHARS: &[char] = &['*', '[', ']', '?', '^', '\\'];

impl Filter {
    fn new(root: &Path, opts: &WalkOptions) -> Result<Filter> {
        let mut includes: Option<Vec<String>> =
            (!opts.include_patterns.is_empty()).then(|| opts.include_patterns.clone());
        if !opts.follow_paths.is_empty() {
            if let Some(targets) = follow_links(root, &opts.follow_paths)? {
                let mut all = includes.unwrap_or_default();
                all.extend(targets);
                includes = dedupe_paths(all);
            }
        }
        let mut filter = Filter {
            include: None,
            exclude: None,
            only_prefix_includes: true,
            only_prefix_exclude_exceptions: true,
        };
        if let Some(includes) = includes.filter(|i| !i.is_empty()) {
            let pm = PatternMatcher::new(&includes).map_err(|source| Error::Pattern {
                which: "includepatterns",
                patterns: opts.include_patterns.clone(),
                source,
            })?;
            filter.only_prefix_includes = !pm
                .patterns()
                .iter()
                .any(|p| !p.is_exclusion() && p.without_trailing_glob().contains(PATTERN_CHARS));
            filter.include = Some(pm);
        }
        if !opts.exclude_patterns.is_empty() {
            let pm =
                PatternMatcher::new(&opts.exclude_patterns).map_err(|source| Error::Pattern {
                    which: "excludepatterns",
                    patterns: opts.exclude_patterns.clone(),
                    source,
                })?;
            filter.only_prefix_exclude_exceptions = !pm
                .patterns()
                .iter()
                .any(|p| p.is_exclusion() && p.without_trailing_glob().contains(PATTERN_CHARS));
            filter.exclude = Some(pm);
        }
        Ok(filter)
    }
}

/// Could one of the (non-exception when `exceptions` is false, exception
/// otherwise) patterns match something below `dir`?
fn prefix_could_match(pm: &PatternMatcher, dir: &str, exceptions: bool) -> bool {
    pm.patterns()
        .iter()
        .filter(|p| p.is_exclusion() == exceptions)
        .any(|p| {
            let pat = p.without_trailing_glob();
            // (pat + "/").starts_with(dir + "/")
            pat.len() >= dir.len()
                && pat.starts_with(dir)
                && (pat.len() == dir.len() || pat.as_bytes()[dir.len()] == b'/')
        })
}

/// A directory on the way down from the root.
struct Parent {
    rel: String,
    include: MatchInfo,
    exclude: MatchInfo,
    /// Its stat has been sent.
    sent: bool,
    /// Some component of its path is not valid UTF-8.
    lossy: bool,
}

struct Walker<F> {
    root: PathBuf,
    /// The absolute path of the entry being visited.
    abs: PathBuf,
    filter: Filter,
    parents: Vec<Parent>,
    hardlinks: Hardlinks,
    scratch: XattrBuf,
    preserve_owner: bool,
    f: F,
}

fn is_not_exist(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOENT) | Some(libc::ENOTDIR))
}

impl<F> Walker<F>
where
    F: FnMut(Entry) -> Result<()>,
{
    fn io_err(&self, op: &'static str, source: io::Error) -> Error {
        Error::FileOp {
            op,
            path: self.abs.clone(),
            source,
        }
    }

    /// Reads and sorts the directory at `self.abs`.
    fn read_dir(&self) -> io::Result<Vec<(String, bool, bool)>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.abs)? {
            let entry = entry?;
            let is_dir = match entry.file_type() {
                Ok(t) => t.is_dir(),
                Err(e) if is_not_exist(&e) => continue,
                Err(e) => return Err(e),
            };
            let (name, lossy) = match entry.file_name().into_string() {
                Ok(s) => (s, false),
                Err(os) => (lossy_name(&os), true),
            };
            names.push((name, is_dir, lossy));
        }
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(names)
    }

    /// Walks the children of the directory `rel` (at `self.abs`).
    ///
    /// An unreadable directory fails the walk even when it is filtered out
    /// and only walked for the exceptions below it: fsutil's filter would
    /// ignore the error, but buildx wraps the directory in a second filter
    /// (resetting uid/gid) that reports it first.
    fn walk_dir(&mut self, rel: &str) -> Result<()> {
        let names = match self.read_dir() {
            Ok(n) => n,
            Err(e) if !rel.is_empty() && is_not_exist(&e) => return Ok(()),
            Err(e) => return Err(self.io_err("open", e)),
        };
        let parent_lossy = self.parents.last().is_some_and(|p| p.lossy);
        for (name, is_dir, lossy) in names {
            self.abs.push(&name);
            let child = if rel.is_empty() {
                name
            } else {
                let mut s = String::with_capacity(rel.len() + 1 + name.len());
                s.push_str(rel);
                s.push('/');
                s.push_str(&name);
                s
            };
            let r = self.visit(child, is_dir, lossy || parent_lossy);
            self.abs.pop();
            r?;
        }
        Ok(())
    }

    fn visit(&mut self, rel: String, is_dir: bool, lossy: bool) -> Result<()> {
        let mut skip = false;
        let mut include_info = MatchInfo::default();
        let mut exclude_info = MatchInfo::default();
        let parent = self.parents.last();
        if let Some(pm) = &self.filter.include {
            let parent_info = parent.map(|p| &p.include).cloned().unwrap_or_default();
            let (m, info) = pm
                .matches_using_parent_results(&rel, &parent_info)
                .map_err(|source| TransferError::Match {
                    which: "includepatterns",
                    source,
                })?;
            include_info = info;
            if !m {
                if is_dir
                    && self.filter.only_prefix_includes
                    && !prefix_could_match(pm, &rel, false)
                {
                    return Ok(());
                }
                skip = true;
            }
        }
        if let Some(pm) = &self.filter.exclude {
            let parent_info = parent.map(|p| &p.exclude).cloned().unwrap_or_default();
            let (m, info) = pm
                .matches_using_parent_results(&rel, &parent_info)
                .map_err(|source| TransferError::Match {
                    which: "excludepatterns",
                    source,
                })?;
            exclude_info = info;
            if m {
                if is_dir
                    && self.filter.only_prefix_exclude_exceptions
                    && (!pm.exclusions() || !prefix_could_match(pm, &rel, true))
                {
                    return Ok(());
                }
                skip = true;
            }
        }
        if !is_dir {
            if skip {
                return Ok(());
            }
            self.send_parents()?;
            return self.send_current(rel, lossy).map(|_| ());
        }
        let mut sent = false;
        if !skip {
            self.send_parents()?;
            match self.send_current(rel.clone(), lossy)? {
                true => sent = true,
                false => return Ok(()), // vanished
            }
        }
        self.parents.push(Parent {
            rel,
            include: include_info,
            exclude: exclude_info,
            sent,
            lossy,
        });
        let rel = self
            .parents
            .last()
            .map(|p| p.rel.clone())
            .unwrap_or_default();
        let r = self.walk_dir(&rel);
        self.parents.pop();
        r
    }

    /// Sends the directories above the current entry that were filtered
    /// out themselves but now have a child that is sent.
    fn send_parents(&mut self) -> Result<()> {
        let first = match self.parents.iter().position(|p| !p.sent) {
            Some(i) => i,
            None => return Ok(()),
        };
        for i in first..self.parents.len() {
            let (rel, lossy) = (self.parents[i].rel.clone(), self.parents[i].lossy);
            let abs = self.root.join(&rel);
            let md = std::fs::symlink_metadata(&abs).map_err(|source| Error::FileOp {
                op: "lstat",
                path: abs.clone(),
                source,
            })?;
            let entry = self.make_entry(&abs, rel, &md, lossy)?;
            (self.f)(entry)?;
            self.parents[i].sent = true;
        }
        Ok(())
    }

    /// Stats and sends the entry at `self.abs`; false if it vanished.
    fn send_current(&mut self, rel: String, lossy: bool) -> Result<bool> {
        let abs = std::mem::take(&mut self.abs);
        let md = match std::fs::symlink_metadata(&abs) {
            Ok(md) => md,
            Err(e) if is_not_exist(&e) => {
                self.abs = abs;
                return Ok(false);
            }
            Err(source) => {
                self.abs = abs;
                return Err(self.io_err("lstat", source));
            }
        };
        let entry = self.make_entry(&abs, rel, &md, lossy);
        self.abs = abs;
        (self.f)(entry?)?;
        Ok(true)
    }

    fn make_entry(
        &mut self,
        abs: &Path,
        rel: String,
        md: &std::fs::Metadata,
        lossy: bool,
    ) -> Result<Entry> {
        if lossy {
            return Err(TransferError::NonUtf8Name(abs.to_path_buf()).into());
        }
        let mut stat = stat::stat_with(abs, rel, md, &mut self.scratch)?;
        if !self.preserve_owner {
            stat.uid = 0;
            stat.gid = 0;
        }
        self.hardlinks.apply(md, &mut stat);
        let socket = md.mode() & 0o170000 == 0o140000;
        Ok(Entry { stat, socket })
    }
}

fn lossy_name(os: &OsString) -> String {
    os.to_string_lossy().into_owned()
}

/// fsutil's `dedupePaths`: drops paths under the previous kept one; `None`
/// when one of them is `.` (no filtering at all). Expects sorted input but,
/// like upstream, is also applied to unsorted lists.
fn dedupe_paths(input: Vec<String>) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(input.len());
    let mut last = String::new();
    for s in input {
        if s == "." {
            return None;
        }
        if s.len() > last.len() && s.starts_with(&last) && s.as_bytes()[last.len()] == b'/' {
            continue;
        }
        last.clone_from(&s);
        out.push(s);
    }
    Some(out)
}

/// `filepath.Dir` of a cleaned relative or absolute path.
fn dir_of(p: &str) -> String {
    match p.rfind('/') {
        Some(i) => patterns::clean(&p[..=i]),
        None => ".".to_string(),
    }
}

fn base_of(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// fsutil's `FollowLinks`: resolves `paths` (relative to `root`) through
/// the symlinks on them, returning every path and link visited, sorted and
/// deduplicated; `None` when the root itself is one of them.
pub(crate) fn follow_links(root: &Path, paths: &[String]) -> Result<Option<Vec<String>>> {
    let mut r = Resolver {
        root,
        resolved: HashSet::new(),
    };
    for p in paths {
        r.append(p)?;
    }
    let mut res: Vec<String> = r.resolved.into_iter().collect();
    res.sort_unstable();
    Ok(dedupe_paths(res))
}

struct Resolver<'a> {
    root: &'a Path,
    resolved: HashSet<String>,
}

impl Resolver<'_> {
    fn append(&mut self, p: &str) -> Result<()> {
        let mut p = join(".", p);
        let mut current = ".".to_string();
        loop {
            let (first, rest) = match p.split_once('/') {
                Some((a, b)) => (a.to_string(), Some(b.to_string())),
                None => (p.clone(), None),
            };
            current = join(&current, &first);
            let targets = self.read_symlink(&current, true)?;
            p = rest.unwrap_or_default();
            if (p.is_empty() || targets.is_some()) && self.resolved.contains(&current) {
                return Ok(());
            }
            if let Some(targets) = targets {
                self.resolved.insert(current);
                for target in targets {
                    self.append(&join(&target, &p))?;
                }
                return Ok(());
            }
            if p.is_empty() {
                self.resolved.insert(current);
                return Ok(());
            }
        }
    }

    /// The targets of the symlink at `p` (or of every symlink matching the
    /// wildcard in its last element), as absolute paths within the root.
    fn read_symlink(&self, p: &str, allow_wildcard: bool) -> Result<Option<Vec<String>>> {
        let base = base_of(p);
        if allow_wildcard && patterns::contains_wildcards(base) {
            let dir = dir_of(p);
            let names = match self.list_dir(&dir)? {
                Some(n) => n,
                None => return Ok(None),
            };
            let mut out: Option<Vec<String>> = None;
            for name in names {
                if patterns::glob_match(base, &name) == Ok(true) {
                    if let Some(res) = self.read_symlink(&join(&dir, &name), false)? {
                        out.get_or_insert_with(Vec::new).extend(res);
                    }
                }
            }
            return Ok(out);
        }
        let Some(link) = self.readlink(p)? else {
            return Ok(None);
        };
        let link = patterns::clean(&link);
        if link.starts_with('/') {
            return Ok(Some(vec![link]));
        }
        Ok(Some(vec![join("/", &join(&dir_of(p), &link))]))
    }

    fn outside(p: &str) -> bool {
        p == ".." || p.starts_with("../")
    }

    /// The symlink target at `p`, if it is a symlink. Never looks outside
    /// the root or through symlinked parents.
    fn readlink(&self, p: &str) -> Result<Option<String>> {
        let p = patterns::clean(p);
        if p == "." || p == "/" || Self::outside(&p) {
            return Ok(None);
        }
        let mut abs = self.root.to_path_buf();
        let parts: Vec<&str> = p.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            abs.push(part);
            let md = match std::fs::symlink_metadata(&abs) {
                Ok(md) => md,
                Err(e) if is_not_exist(&e) => return Ok(None),
                Err(source) => {
                    return Err(Error::FileOp {
                        op: "lstat",
                        path: abs,
                        source,
                    })
                }
            };
            let is_link = md.file_type().is_symlink();
            if i + 1 < parts.len() {
                if !md.is_dir() {
                    return Ok(None);
                }
                continue;
            }
            if !is_link {
                return Ok(None);
            }
            let target = std::fs::read_link(&abs).map_err(|source| Error::FileOp {
                op: "readlink",
                path: abs.clone(),
                source,
            })?;
            return match target.into_os_string().into_string() {
                Ok(t) => Ok(Some(t)),
                Err(_) => Ok(None),
            };
        }
        Ok(None)
    }

    /// The names in directory `dir` (relative to the root), sorted; `None`
    /// when it does not exist.
    fn list_dir(&self, dir: &str) -> Result<Option<Vec<String>>> {
        let dir = patterns::clean(dir);
        if Self::outside(&dir) {
            return Ok(None);
        }
        let mut abs = self.root.to_path_buf();
        if dir != "." {
            for part in dir.split('/') {
                abs.push(part);
                match std::fs::symlink_metadata(&abs) {
                    Ok(md) if md.is_dir() => {}
                    Ok(_) => return Err(TransferError::NotADirectory(dir).into()),
                    Err(e) if is_not_exist(&e) => return Ok(None),
                    Err(source) => {
                        return Err(Error::FileOp {
                            op: "lstat",
                            path: abs,
                            source,
                        })
                    }
                }
            }
        }
        let rd = match std::fs::read_dir(&abs) {
            Ok(rd) => rd,
            Err(e) if is_not_exist(&e) => return Ok(None),
            Err(source) => {
                return Err(Error::FileOp {
                    op: "open",
                    path: abs,
                    source,
                })
            }
        };
        let mut names = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|source| Error::FileOp {
                op: "readdirent",
                path: abs.clone(),
                source,
            })?;
            if let Ok(name) = entry.file_name().into_string() {
                names.push(name);
            }
        }
        names.sort_unstable();
        Ok(Some(names))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn paths(root: &Path, opts: &WalkOptions) -> Vec<String> {
        walk(root, opts)
            .unwrap()
            .into_iter()
            .map(|e| e.stat.path)
            .collect()
    }

    fn tree(root: &Path, files: &[&str]) {
        for f in files {
            let p = root.join(f);
            if let Some(dir) = f.strip_suffix('/') {
                std::fs::create_dir_all(root.join(dir)).unwrap();
            } else {
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, f.as_bytes()).unwrap();
            }
        }
    }

    fn excl(patterns: &[&str]) -> WalkOptions {
        WalkOptions {
            exclude_patterns: patterns.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn incl(patterns: &[&str]) -> WalkOptions {
        WalkOptions {
            include_patterns: patterns.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn order_puts_children_right_after_their_dir() {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path(), &["a/b", "a-b", "a.b", "a0", "a/c/d", "b/", "A"]);
        assert_eq!(
            paths(dir.path(), &WalkOptions::default()),
            ["A", "a", "a/b", "a/c", "a/c/d", "a-b", "a.b", "a0", "b"]
        );
    }

    #[test]
    fn excludes_with_exceptions() {
        let dir = tempfile::tempdir().unwrap();
        tree(
            dir.path(),
            &[
                "a/keep",
                "a/drop",
                "b/x.log",
                "b/y.txt",
                "c/d/e.log",
                "f.log",
            ],
        );
        assert_eq!(
            paths(dir.path(), &excl(&["a", "!a/keep", "**/*.log"])),
            ["a", "a/keep", "b", "b/y.txt", "c", "c/d"]
        );
        assert_eq!(
            paths(dir.path(), &excl(&["*", "!b"])),
            ["b", "b/x.log", "b/y.txt"]
        );
    }

    #[test]
    fn includes_send_parents_lazily() {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path(), &["a/b/c", "a/b/d", "a/x", "e/f", "Dockerfile"]);
        assert_eq!(paths(dir.path(), &incl(&["a/b/c"])), ["a", "a/b", "a/b/c"]);
        assert_eq!(
            paths(dir.path(), &incl(&["**/d", "Dockerfile"])),
            ["Dockerfile", "a", "a/b", "a/b/d"]
        );
        assert_eq!(
            paths(dir.path(), &incl(&["a/b"])),
            ["a", "a/b", "a/b/c", "a/b/d"]
        );
    }

    #[test]
    fn symlinks_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        tree(outside.path(), &["secret"]);
        tree(dir.path(), &["a/f"]);
        symlink(outside.path(), dir.path().join("out")).unwrap();
        symlink("a", dir.path().join("rel")).unwrap();
        symlink("/nonexistent", dir.path().join("dangling")).unwrap();
        let entries = walk(dir.path(), &WalkOptions::default()).unwrap();
        let got: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.stat.path.as_str(), e.stat.linkname.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", ""),
                ("a/f", ""),
                ("dangling", "/nonexistent"),
                ("out", outside.path().to_str().unwrap()),
                ("rel", "a"),
            ]
        );
    }

    #[test]
    fn follow_paths_resolve_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        tree(
            root,
            &[
                "docker/Dockerfile.prod",
                "other/x",
                "Dockerfile.dockerignore",
            ],
        );
        symlink("docker/Dockerfile.prod", root.join("Dockerfile")).unwrap();
        symlink("/docker", root.join("abs")).unwrap();
        let follow = |p: &[&str]| {
            follow_links(root, &p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
        };
        assert_eq!(
            follow(&["Dockerfile", "Dockerfile.dockerignore"]),
            Some(vec![
                "Dockerfile".to_string(),
                "Dockerfile.dockerignore".to_string(),
                "docker/Dockerfile.prod".to_string(),
            ])
        );
        assert_eq!(
            follow(&["abs/Dockerfile.prod"]),
            Some(vec![
                "abs".to_string(),
                "docker/Dockerfile.prod".to_string()
            ])
        );
        assert_eq!(follow(&["Docker*"]).unwrap()[0], "Docker*");
        assert_eq!(follow(&["."]), None);
        assert_eq!(follow(&["../x"]), Some(vec!["../x".to_string()]));
        let opts = WalkOptions {
            follow_paths: vec!["Dockerfile".into()],
            ..Default::default()
        };
        assert_eq!(
            paths(root, &opts),
            ["Dockerfile", "docker", "docker/Dockerfile.prod"]
        );
    }

    #[test]
    fn owner_is_reset_unless_preserved() {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path(), &["f"]);
        let e = &walk(dir.path(), &WalkOptions::default()).unwrap()[0];
        assert_eq!((e.stat.uid, e.stat.gid), (0, 0));
        let md = std::fs::metadata(dir.path().join("f")).unwrap();
        let opts = WalkOptions {
            preserve_owner: true,
            ..Default::default()
        };
        let e = &walk(dir.path(), &opts).unwrap()[0];
        assert_eq!((e.stat.uid, e.stat.gid), (md.uid(), md.gid()));
    }

    #[test]
    fn hardlinks_to_excluded_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        tree(root, &["a"]);
        std::fs::hard_link(root.join("a"), root.join("b")).unwrap();
        std::fs::hard_link(root.join("a"), root.join("c")).unwrap();
        let links = |opts: &WalkOptions| -> Vec<(String, String)> {
            walk(root, opts)
                .unwrap()
                .into_iter()
                .map(|e| (e.stat.path, e.stat.linkname))
                .collect()
        };
        assert_eq!(
            links(&WalkOptions::default()),
            [
                ("a".into(), "".into()),
                ("b".into(), "a".into()),
                ("c".into(), "a".into())
            ]
        );
        assert_eq!(
            links(&excl(&["a"])),
            [("b".into(), "".into()), ("c".into(), "b".into())]
        );
    }

    #[test]
    fn bad_patterns_fail() {
        let dir = tempfile::tempdir().unwrap();
        let err = walk(dir.path(), &excl(&["[a"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid excludepatterns: [[a]: syntax error in pattern"
        );
    }

    #[test]
    fn root_must_be_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path(), &["f"]);
        assert!(walk(&dir.path().join("f"), &WalkOptions::default()).is_err());
        assert!(walk(&dir.path().join("missing"), &WalkOptions::default()).is_err());
    }

    /// Builds the corpus described in tests/fixtures/filesync/walk.json
    /// (extended attributes left out) and compares every recorded walk of
    /// fsutil 91a3fc4 (as buildx 0.13.1 composes it) with ours.
    #[test]
    fn recorded_upstream_walks() {
        use std::os::unix::fs::PermissionsExt;
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/filesync/walk.json")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let corpus = fixture["corpus"].as_array().unwrap();
        let field = |e: &serde_json::Value, i: usize| e[i].as_str().unwrap().to_string();
        for e in corpus {
            if field(e, 1) == "dir" {
                std::fs::create_dir_all(root.join(field(e, 0))).unwrap();
            }
        }
        for e in corpus {
            let (p, kind, arg) = (root.join(field(e, 0)), field(e, 1), field(e, 2));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            match kind.as_str() {
                "file" => std::fs::write(&p, arg.as_bytes()).unwrap(),
                "symlink" => symlink(&arg, &p).unwrap(),
                "fifo" => {
                    let mode = rustix::fs::Mode::from_raw_mode(0o644);
                    rustix::fs::mkfifoat(rustix::fs::CWD, &p, mode).unwrap();
                }
                "socket" => drop(std::os::unix::net::UnixListener::bind(&p).unwrap()),
                _ => {}
            }
        }
        // Directories not listed themselves were made with mode 0755.
        for e in corpus {
            let mut p = root.join(field(e, 0));
            while p.pop() && p.starts_with(root) && p != root {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        for e in corpus {
            let (p, kind, arg) = (root.join(field(e, 0)), field(e, 1), field(e, 2));
            if kind == "hardlink" {
                std::fs::hard_link(root.join(arg), &p).unwrap();
            }
        }
        for e in corpus {
            let (p, kind) = (root.join(field(e, 0)), field(e, 1));
            let mode = e[3].as_u64().unwrap() as u32;
            if ["dir", "file", "fifo", "socket"].contains(&kind.as_str()) {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            }
        }

        let full: Vec<(String, u32, i64, String)> = fixture["full"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    field(e, 0),
                    e[1].as_u64().unwrap() as u32,
                    e[2].as_i64().unwrap(),
                    field(e, 3),
                )
            })
            .collect();
        let list = |c: &serde_json::Value, k: &str| -> Vec<String> {
            c.get(k)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        let mut failures = Vec::new();
        for case in fixture["cases"].as_array().unwrap() {
            let opts = WalkOptions {
                include_patterns: list(case, "include"),
                exclude_patterns: list(case, "exclude"),
                follow_paths: list(case, "follow"),
                preserve_owner: false,
            };
            let want: Vec<(String, u32, i64, String)> = case["expect"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| match x.as_array() {
                    Some(pair) => {
                        let mut e = full[pair[0].as_u64().unwrap() as usize].clone();
                        e.3 = pair[1].as_str().unwrap().to_string();
                        e
                    }
                    None => full[x.as_u64().unwrap() as usize].clone(),
                })
                .collect();
            let got: Vec<(String, u32, i64, String)> = match walk(root, &opts) {
                Ok(entries) => entries
                    .into_iter()
                    .map(|e| (e.stat.path, e.stat.mode, e.stat.size, e.stat.linkname))
                    .collect(),
                Err(e) => {
                    failures.push(format!("{opts:?}: {e}"));
                    continue;
                }
            };
            if got != want {
                failures.push(format!("{opts:?}:\n  got  {got:?}\n  want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Random trees with names made of bytes around '/': the walk order is
    /// the order of whole paths compared with '/' below every other byte,
    /// and every directory comes before its contents.
    #[test]
    fn walk_order_is_the_slash_lowest_path_order() {
        use rand::{Rng, SeedableRng};
        let alphabet = ['a', 'b', '-', '.', '0', ' ', '!', 'é', 'Z', '~', '+'];
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        for round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            let mut dirs = vec![PathBuf::new()];
            for _ in 0..150 {
                let parent = dirs[rng.random_range(0..dirs.len())].clone();
                let len = rng.random_range(1..4);
                let name: String = (0..len)
                    .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                    .collect();
                let rel = parent.join(&name);
                if root.join(&rel).exists() {
                    continue;
                }
                if rng.random_bool(0.3) {
                    std::fs::create_dir(root.join(&rel)).unwrap();
                    dirs.push(rel);
                } else {
                    std::fs::write(root.join(&rel), b"").unwrap();
                }
            }
            let got = paths(root, &WalkOptions::default());
            let mut want = got.clone();
            let key = |p: &String| -> Vec<u8> {
                p.bytes().map(|b| if b == b'/' { 0 } else { b }).collect()
            };
            want.sort_by_key(key);
            assert_eq!(got, want, "round {round}");
            let mut seen = HashSet::new();
            for p in &got {
                if let Some((parent, _)) = p.rsplit_once('/') {
                    assert!(seen.contains(parent), "{p} before its directory");
                }
                seen.insert(p.as_str());
            }
            assert_eq!(
                got.len(),
                dirs.len() - 1 + {
                    let mut files = 0;
                    for p in &got {
                        if root.join(p).is_file() {
                            files += 1;
                        }
                    }
                    files
                }
            );
        }
    }

    #[test]
    fn dedupe() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            dedupe_paths(v(&["a", "a/b", "ab", "b"])),
            Some(v(&["a", "ab", "b"]))
        );
        assert_eq!(dedupe_paths(v(&["a", "."])), None);
        assert_eq!(dedupe_paths(v(&["/a", "b"])), Some(v(&["b"])));
    }
}
