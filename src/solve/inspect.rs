//! What a build would send of a local context, found with the walker and
//! pattern matcher the build itself uses (so the two cannot disagree):
//! the ignore file that applies, counts and sizes, the largest
//! directories and files, why a path is in or out, and warnings about
//! what users are usually surprised by.
//!
//! The ignore file is found as BuildKit's Dockerfile frontend (v0.13,
//! `dockerui`) finds it: `<Dockerfile name>.dockerignore` beside the
//! Dockerfile, else `.dockerignore` at the context's root; it is read as
//! moby's `ignorefile.ReadAll` reads it (comments, trimming, `!`
//! exceptions, cleaned relative paths). The frontend then asks for the
//! context with those exclude patterns; [`inspect_context`] walks it the
//! same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil::patterns::PatternMatcher;
use crate::fsutil::stat::{MODE_DIR, MODE_SYMLINK, MODE_TYPE};
use crate::fsutil::walk::{walk_with, WalkOptions};

/// A file larger than this is worth a warning.
pub const LARGE_FILE: u64 = 100 << 20;

/// One line of an ignore file that is a pattern.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IgnorePattern {
    /// 1-based line number.
    pub line: usize,
    /// The pattern as the matcher takes it (cleaned, `!` kept).
    pub pattern: String,
}

/// The ignore file that applies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IgnoreFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its patterns, in order.
    pub patterns: Vec<IgnorePattern>,
}

/// What kind of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Link,
    /// A device, pipe or socket.
    Other,
}

/// One entry that would be sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SentEntry {
    /// Relative, `/`-separated.
    pub path: String,
    /// Its kind.
    pub kind: Kind,
    /// Bytes of contents (regular files).
    pub size: u64,
}

/// What [`inspect_context`] found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContextReport {
    /// The context directory.
    pub root: PathBuf,
    /// The Dockerfile the build would read.
    pub dockerfile: PathBuf,
    /// The ignore file that applies, if any.
    pub ignore_file: Option<IgnoreFile>,
    /// Regular files sent.
    pub files: u64,
    /// Directories sent.
    pub dirs: u64,
    /// Symbolic links sent.
    pub links: u64,
    /// Devices, pipes and sockets sent.
    pub other: u64,
    /// Bytes of file contents sent.
    pub bytes: u64,
    /// Everything sent, in send order.
    pub entries: Vec<SentEntry>,
    /// Things worth knowing (see the module docs).
    pub warnings: Vec<String>,
}

/// Why a path is sent or not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Why {
    /// Left out by this pattern (the last one that matches).
    Excluded {
        /// The pattern.
        pattern: IgnorePattern,
    },
    /// Sent: re-included by an exception, or matched by no pattern.
    Included {
        /// The `!` exception that re-included it, if any.
        pattern: Option<IgnorePattern>,
    },
}

/// Reads an ignore file as moby's `ignorefile.ReadAll` (patternmatcher
/// 0.6) does, keeping line numbers.
pub fn read_ignore_file(text: &[u8]) -> Vec<IgnorePattern> {
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let text = String::from_utf8_lossy(text);
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.starts_with('#') {
            continue;
        }
        let mut p = raw.trim();
        if p.is_empty() {
            continue;
        }
        let invert = p.starts_with('!');
        if invert {
            p = p[1..].trim();
        }
        let mut pattern = String::new();
        if !p.is_empty() {
            let cleaned = crate::go::filepath::clean(p);
            pattern = match cleaned.strip_prefix('/') {
                Some(rest) if !rest.is_empty() => rest.to_string(),
                _ => cleaned,
            };
        }
        if invert {
            pattern.insert(0, '!');
        }
        out.push(IgnorePattern {
            line: i + 1,
            pattern,
        });
    }
    out
}

/// The Dockerfile a build of `dir` reads: `dockerfile` if given, else
/// `dir/Dockerfile` (or `dir/dockerfile` when only that exists).
fn find_dockerfile(dir: &Path, dockerfile: Option<&Path>) -> PathBuf {
    if let Some(f) = dockerfile {
        return f.to_path_buf();
    }
    let upper = dir.join("Dockerfile");
    let lower = dir.join("dockerfile");
    if !upper.exists() && lower.exists() {
        lower
    } else {
        upper
    }
}

/// What a build of `dir` (with `-f dockerfile`) would send.
pub fn inspect_context(dir: &Path, dockerfile: Option<&Path>) -> Result<ContextReport> {
    let root = crate::fsutil::walk::resolve_root(dir)?;
    let dockerfile = find_dockerfile(dir, dockerfile);
    let dockerfile = std::path::absolute(&dockerfile).unwrap_or(dockerfile);
    let dir = &std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut warnings = Vec::new();
    // dockerui: `<Dockerfile>.dockerignore` beside the Dockerfile first.
    let df_name = dockerfile
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".into());
    let df_dir = dockerfile
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let specific = df_dir.join(format!("{df_name}.dockerignore"));
    let general = dir.join(".dockerignore");
    let read = |p: &Path| -> Result<Option<IgnoreFile>> {
        match std::fs::read(p) {
            Ok(t) => Ok(Some(IgnoreFile {
                path: p.to_path_buf(),
                patterns: read_ignore_file(&t),
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::Io {
                path: p.to_path_buf(),
                source: e,
            }),
        }
    };
    let ignore_file = match read(&specific)? {
        Some(f) => {
            if general.exists() {
                warnings.push(format!(
                    "{} is not used: {} takes its place for this Dockerfile",
                    general.display(),
                    specific.display()
                ));
            }
            Some(f)
        }
        None => read(&general)?,
    };
    // A .dockerignore beside a Dockerfile outside the context applies to
    // nothing.
    let beside = df_dir.join(".dockerignore");
    if ignore_file.is_none()
        && beside.exists()
        && std::fs::canonicalize(df_dir).ok().as_deref() != Some(root.as_path())
    {
        warnings.push(format!(
            "{} is not used: only {} or {} apply",
            beside.display(),
            specific.display(),
            general.display()
        ));
    }
    let exclude_patterns: Vec<String> = ignore_file
        .iter()
        .flat_map(|f| f.patterns.iter().map(|p| p.pattern.clone()))
        .collect();
    let opts = WalkOptions {
        exclude_patterns,
        ..Default::default()
    };
    let mut rep = ContextReport {
        root: root.clone(),
        dockerfile,
        ignore_file,
        files: 0,
        dirs: 0,
        links: 0,
        other: 0,
        bytes: 0,
        entries: Vec::new(),
        warnings,
    };
    walk_with(&root, &opts, |e| {
        let st = e.stat;
        let kind = match st.mode & MODE_TYPE {
            0 if !e.socket => Kind::File,
            m if m & MODE_DIR != 0 => Kind::Dir,
            m if m & MODE_SYMLINK != 0 => Kind::Link,
            _ => Kind::Other,
        };
        let size = if kind == Kind::File {
            st.size.max(0) as u64
        } else {
            0
        };
        match kind {
            Kind::File => {
                rep.files += 1;
                rep.bytes += size;
            }
            Kind::Dir => rep.dirs += 1,
            Kind::Link => rep.links += 1,
            Kind::Other => rep.other += 1,
        }
        rep.entries.push(SentEntry {
            path: st.path,
            kind,
            size,
        });
        Ok(())
    })?;
    rep.add_warnings();
    Ok(rep)
}

/// Whether the caller may read `p` (`access(R_OK)`: one system call, no
/// open file).
fn readable(p: &Path) -> bool {
    rustix::fs::access(p, rustix::fs::Access::READ_OK).is_ok()
}

impl ContextReport {
    fn add_warnings(&mut self) {
        let mut unreadable = Vec::new();
        for e in &self.entries {
            let name = e.path.rsplit('/').next().unwrap_or(&e.path);
            if e.kind == Kind::Dir && (name == ".git" || name == "node_modules") {
                let (files, bytes) = self.under(&e.path);
                let unit = if files == 1 { "file" } else { "files" };
                self.warnings.push(format!(
                    "{}/ is sent: {files} {unit}, {}; add it to the ignore file if the build does not need it",
                    e.path,
                    crate::go::units::human_size(bytes as f64)
                ));
            }
            if e.kind == Kind::File && name == ".dockerignore" && e.path.contains('/') {
                self.warnings.push(format!(
                    "{} applies to nothing: only the context's top-level .dockerignore (or <Dockerfile>.dockerignore) is read",
                    e.path
                ));
            }
            if e.kind == Kind::File && e.size >= LARGE_FILE {
                self.warnings.push(format!(
                    "{} is large ({})",
                    e.path,
                    crate::go::units::human_size(e.size as f64)
                ));
            }
            if e.kind == Kind::File && !readable(&self.root.join(&e.path)) {
                unreadable.push(e.path.clone());
            }
        }
        for p in unreadable {
            self.warnings
                .push(format!("{p} cannot be read: a build that sends it fails"));
        }
    }

    /// Files and bytes at or below `dir`.
    fn under(&self, dir: &str) -> (u64, u64) {
        let prefix = format!("{dir}/");
        self.entries
            .iter()
            .filter(|e| e.kind == Kind::File && e.path.starts_with(&prefix))
            .fold((0, 0), |(n, b), e| (n + 1, b + e.size))
    }

    /// The `n` directories holding the most bytes (with everything below
    /// them), largest first: (path, files, bytes).
    pub fn largest_dirs(&self, n: usize) -> Vec<(String, u64, u64)> {
        let mut sizes: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for e in &self.entries {
            if e.kind == Kind::Dir {
                sizes.entry(&e.path).or_default();
            }
            if e.kind != Kind::File {
                continue;
            }
            let mut p = e.path.as_str();
            while let Some((parent, _)) = p.rsplit_once('/') {
                let s = sizes.entry(parent).or_default();
                s.0 += 1;
                s.1 += e.size;
                p = parent;
            }
        }
        let mut v: Vec<(String, u64, u64)> = sizes
            .into_iter()
            .map(|(p, (f, b))| (p.to_string(), f, b))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }

    /// The `n` largest files, largest first: (path, bytes).
    pub fn largest_files(&self, n: usize) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self
            .entries
            .iter()
            .filter(|e| e.kind == Kind::File)
            .map(|e| (e.path.clone(), e.size))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }

    /// Why `path` (relative to the context) is sent or not: the last
    /// pattern of the ignore file that matches it or one of its parents
    /// decides, as in moby's patternmatcher.
    pub fn why(&self, path: &str) -> Result<Why> {
        let path = crate::go::filepath::clean(path.trim_start_matches('/'));
        let Some(f) = &self.ignore_file else {
            return Ok(Why::Included { pattern: None });
        };
        let mut verdict: Option<&IgnorePattern> = None;
        for ip in &f.patterns {
            let pm =
                PatternMatcher::new(&[ip.pattern.as_str()]).map_err(|source| Error::Pattern {
                    which: "the ignore file",
                    patterns: vec![ip.pattern.clone()],
                    source,
                })?;
            let Some(p) = pm.patterns().first() else {
                continue;
            };
            let mut matched = p.matches(&path).map_err(|source| Error::Pattern {
                which: "the ignore file",
                patterns: vec![ip.pattern.clone()],
                source,
            })?;
            let mut parent = path.as_str();
            while !matched {
                let Some((up, _)) = parent.rsplit_once('/') else {
                    break;
                };
                parent = up;
                matched = p.matches(parent).unwrap_or(false);
            }
            if matched {
                verdict = Some(ip);
            }
        }
        Ok(match verdict {
            Some(ip) if !ip.pattern.starts_with('!') => Why::Excluded {
                pattern: ip.clone(),
            },
            Some(ip) => Why::Included {
                pattern: Some(ip.clone()),
            },
            None => Why::Included { pattern: None },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_files_read_as_moby() {
        let p = read_ignore_file(
            b"\xEF\xBB\xBF# c\n\n  *.log \n!keep.log\n/abs/./x\n! spaced \r\n#x\n",
        );
        let got: Vec<(usize, &str)> = p.iter().map(|p| (p.line, p.pattern.as_str())).collect();
        assert_eq!(
            got,
            [(3, "*.log"), (4, "!keep.log"), (5, "abs/x"), (6, "!spaced")]
        );
    }

    #[test]
    fn report_and_why() {
        let d = tempfile::tempdir().unwrap();
        let w = |p: &str, n: usize| {
            let f = d.path().join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, vec![b'x'; n]).unwrap();
        };
        w("Dockerfile", 10);
        w("a.log", 5);
        w("keep.log", 6);
        w("src/main.rs", 100);
        w("src/sub/.dockerignore", 1);
        w("node_modules/m/index.js", 50);
        w("build/out.bin", 1000);
        std::fs::write(d.path().join(".dockerignore"), "*.log\n!keep.log\nbuild\n").unwrap();
        let r = inspect_context(d.path(), None).unwrap();
        let paths: Vec<&str> = r.entries.iter().map(|e| e.path.as_str()).collect();
        assert!(
            paths.contains(&"keep.log") && !paths.contains(&"a.log"),
            "{paths:?}"
        );
        assert!(!paths.iter().any(|p| p.starts_with("build")), "{paths:?}");
        assert_eq!(r.ignore_file.as_ref().unwrap().patterns.len(), 3);
        assert_eq!(r.files, 6); // Dockerfile, .dockerignore, keep.log, main.rs, sub/.dockerignore, index.js
        assert_eq!(r.largest_files(1)[0], ("src/main.rs".to_string(), 100));
        assert_eq!(r.largest_dirs(1)[0].0, "src");
        assert!(
            r.warnings
                .iter()
                .any(|w| w.starts_with("node_modules/ is sent")),
            "{:?}",
            r.warnings
        );
        assert!(r
            .warnings
            .iter()
            .any(|w| w.starts_with("src/sub/.dockerignore applies to nothing")));
        match r.why("a.log").unwrap() {
            Why::Excluded { pattern } => {
                assert_eq!((pattern.line, pattern.pattern.as_str()), (1, "*.log"))
            }
            other => panic!("{other:?}"),
        }
        match r.why("keep.log").unwrap() {
            Why::Included { pattern: Some(p) } => assert_eq!(p.line, 2),
            other => panic!("{other:?}"),
        }
        match r.why("build/deep/x").unwrap() {
            Why::Excluded { pattern } => assert_eq!(pattern.pattern, "build"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            r.why("src/main.rs").unwrap(),
            Why::Included { pattern: None }
        );
        // A Dockerfile-specific ignore file wins, and the other is named.
        std::fs::write(d.path().join("Dockerfile.dockerignore"), "src\n").unwrap();
        let r = inspect_context(d.path(), None).unwrap();
        assert!(r
            .ignore_file
            .as_ref()
            .unwrap()
            .path
            .ends_with("Dockerfile.dockerignore"));
        assert!(r.entries.iter().all(|e| !e.path.starts_with("src")));
        assert!(
            r.warnings.iter().any(|w| w.contains("is not used")),
            "{:?}",
            r.warnings
        );
    }
}
