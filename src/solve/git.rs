//! Git information about a local build context, as buildx 0.13 adds it
//! (its `build/git.go`): frontend attributes `vcs:revision`, `vcs:source`
//! (the remote URL without credentials) and `vcs:localdir:NAME` (each
//! local directory relative to the work tree's root) by default
//! (`BUILDX_GIT_INFO`), and with `BUILDX_GIT_LABELS` the labels
//! `org.opencontainers.image.revision`, `org.opencontainers.image.source`
//! and `com.docker.image.source.entrypoint` (the Dockerfile's path in the
//! work tree). `BUILDX_GIT_CHECK_DIRTY` appends `-dirty` to the revision of
//! a work tree with changes.
//!
//! The information comes from the `git` command, run as buildx runs it
//! (`-c log.showSignature=false`, `LC_ALL=C`). A context with no `.git`
//! in any parent directory is not asked about: `git` would only say it is
//! not in a work tree, and builds outside git pay nothing for this.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which git information a build carries (buildx's environment variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GitOptions {
    /// `vcs:*` attributes (`BUILDX_GIT_INFO`, default on).
    pub info: bool,
    /// OCI labels (`BUILDX_GIT_LABELS`, default off; `full` is on).
    pub labels: bool,
    /// `-dirty` suffix (`BUILDX_GIT_CHECK_DIRTY`, default off).
    pub check_dirty: bool,
}

impl Default for GitOptions {
    fn default() -> Self {
        GitOptions {
            info: true,
            labels: false,
            check_dirty: false,
        }
    }
}

impl GitOptions {
    /// From `BUILDX_GIT_INFO`, `BUILDX_GIT_LABELS` and
    /// `BUILDX_GIT_CHECK_DIRTY`; values that are not Go bools leave the
    /// default, as in buildx.
    pub fn from_env() -> GitOptions {
        let b = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| crate::go::strconv::parse_bool(v.as_bytes()))
        };
        let labels = match std::env::var("BUILDX_GIT_LABELS").ok().as_deref() {
            Some("full") => Some(true),
            _ => b("BUILDX_GIT_LABELS"),
        };
        GitOptions {
            info: b("BUILDX_GIT_INFO").unwrap_or(true),
            labels: labels.unwrap_or(false),
            check_dirty: b("BUILDX_GIT_CHECK_DIRTY").unwrap_or(false),
        }
    }
}

/// What buildx's `getGitAttributes` found: attributes, and the work tree's
/// root for `vcs:localdir:*`.
#[derive(Debug, Default)]
pub(crate) struct GitAttributes {
    pub(crate) attrs: BTreeMap<String, String>,
    pub(crate) root: Option<PathBuf>,
}

fn git(wd: &Path, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("git")
        .args(["-c", "log.showSignature=false"])
        .args(args)
        .current_dir(wd)
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim_end().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// buildx's `clean`: the first line, without `'`.
fn first(out: &str) -> String {
    out.split('\n').next().unwrap_or("").replace('\'', "")
}

/// `url.Parse(s)` then `User = nil`: credentials out of a remote URL.
fn strip_credentials(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return s.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{path}"),
        None => s.to_string(),
    }
}

fn in_git_tree(dir: &Path) -> bool {
    dir.ancestors().any(|d| d.join(".git").exists())
}

/// buildx's `getGitAttributes` for the context directory `context` and
/// the Dockerfile `dockerfile` (when given). An error is what buildx warns
/// with ("current commit information was not captured by the build").
pub(crate) fn attributes(
    context: &Path,
    dockerfile: Option<&Path>,
    opts: GitOptions,
) -> Result<GitAttributes, String> {
    let mut res = GitAttributes::default();
    if !opts.info && !opts.labels {
        return Ok(res);
    }
    let wd = std::path::absolute(context).unwrap_or_else(|_| context.to_path_buf());
    if !in_git_tree(&wd) {
        return Ok(res);
    }
    let has_git_dir = wd.join(".git").is_dir();
    match git(&wd, &["rev-parse", "--is-inside-work-tree"]) {
        Ok(o) if first(&o) == "true" => {}
        Err(e) if e.contains("No such file") && has_git_dir => {
            return Err(format!("git was not found in the system: {e}"))
        }
        _ if has_git_dir => return Err(
            "failed to read current commit information with git rev-parse --is-inside-work-tree"
                .into(),
        ),
        _ => return Ok(res),
    }
    let root = git(&wd, &["rev-parse", "--show-toplevel"])
        .map(|o| first(&o))
        .map_err(|e| format!("failed to get git root dir: {e}"))?;
    match git(&wd, &["show", "--format=%H", "HEAD", "--quiet", "--"]) {
        Ok(o) => {
            let mut sha = first(&o);
            if !sha.is_empty() {
                if opts.check_dirty {
                    let dirty = git(&wd, &["status", "--porcelain", "--ignored"])
                        .map(|o| !o.trim().is_empty())
                        .unwrap_or(true);
                    if dirty {
                        sha.push_str("-dirty");
                    }
                }
                if opts.labels {
                    res.attrs.insert(
                        "label:org.opencontainers.image.revision".into(),
                        sha.clone(),
                    );
                }
                if opts.info {
                    res.attrs.insert("vcs:revision".into(), sha);
                }
            }
        }
        Err(e) => {
            let l = e.to_lowercase();
            let unknown = l.contains("unknown revision or path not in the working tree")
                || l.contains("bad revision");
            if !unknown {
                return Err(format!("failed to get git commit: {e}"));
            }
        }
    }
    if let Some(url) = remote_url(&wd) {
        if opts.labels {
            res.attrs
                .insert("label:org.opencontainers.image.source".into(), url.clone());
        }
        if opts.info {
            res.attrs.insert("vcs:source".into(), url);
        }
    }
    let root = PathBuf::from(root);
    if opts.labels && !root.as_os_str().is_empty() {
        let df = match dockerfile {
            Some(d) => std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf()),
            None => wd.join("Dockerfile"),
        };
        if let Ok(rel) = df.strip_prefix(&root) {
            res.attrs.insert(
                "label:com.docker.image.source.entrypoint".into(),
                rel.display().to_string(),
            );
        }
    }
    if opts.info && !root.as_os_str().is_empty() {
        res.root = Some(root);
    }
    Ok(res)
}

/// buildx's `RemoteURL`: the current branch's remote, else `origin`, else
/// `upstream`, credentials removed.
fn remote_url(wd: &Path) -> Option<String> {
    let get = |remote: &str| {
        git(wd, &["remote", "get-url", remote])
            .ok()
            .map(|o| first(&o))
            .filter(|u| !u.is_empty())
    };
    let current = git(wd, &["symbolic-ref", "-q", "HEAD"])
        .ok()
        .map(|o| first(&o))
        .filter(|s| !s.is_empty())
        .and_then(|symref| {
            git(
                wd,
                &["for-each-ref", "--format=%(upstream:remotename)", &symref],
            )
            .ok()
            .map(|o| first(&o))
        })
        .filter(|r| !r.is_empty());
    current
        .and_then(|r| get(&r))
        .or_else(|| get("origin"))
        .or_else(|| get("upstream"))
        .map(|u| strip_credentials(&u))
}

/// `vcs:localdir:NAME` for each local directory inside the work tree.
pub(crate) fn local_dirs(
    root: &Path,
    dirs: &BTreeMap<String, PathBuf>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, d) in dirs {
        let Ok(real) = std::fs::canonicalize(d) else {
            continue;
        };
        if let Ok(rel) = real.strip_prefix(root) {
            let rel = rel.display().to_string();
            out.insert(
                format!("vcs:localdir:{k}"),
                if rel.is_empty() { ".".into() } else { rel },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_stripped() {
        assert_eq!(
            strip_credentials("https://user:tok@git.example/a/b.git"),
            "https://git.example/a/b.git"
        );
        assert_eq!(
            strip_credentials("git@git.example:a/b.git"),
            "git@git.example:a/b.git"
        );
        assert_eq!(
            strip_credentials("https://git.example/a"),
            "https://git.example/a"
        );
    }

    #[test]
    fn attributes_of_a_work_tree() {
        let d = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            let ok = std::process::Command::new("git")
                .args(args)
                .current_dir(d.path())
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            assert!(ok, "git {args:?}");
        };
        if std::process::Command::new("git")
            .arg("--version")
            .output()
            .is_err()
        {
            return;
        }
        run(&["init", "-q", "-b", "main"]);
        std::fs::create_dir(d.path().join("app")).unwrap();
        std::fs::write(d.path().join("app/Dockerfile"), "FROM scratch\n").unwrap();
        run(&["add", "."]);
        run(&["commit", "-q", "-m", "x"]);
        run(&[
            "remote",
            "add",
            "origin",
            "https://u:secret@git.example/org/app.git",
        ]);
        let opts = GitOptions {
            labels: true,
            ..Default::default()
        };
        let a = attributes(&d.path().join("app"), None, opts).unwrap();
        assert_eq!(a.attrs["vcs:source"], "https://git.example/org/app.git");
        assert_eq!(a.attrs["vcs:revision"].len(), 40);
        assert_eq!(
            a.attrs["label:com.docker.image.source.entrypoint"],
            "app/Dockerfile"
        );
        let dirs = BTreeMap::from([("context".to_string(), d.path().join("app"))]);
        let root = a.root.unwrap();
        assert_eq!(local_dirs(&root, &dirs)["vcs:localdir:context"], "app");
        // Outside any work tree: nothing, and no git run.
        let other = tempfile::tempdir().unwrap();
        if !in_git_tree(other.path()) {
            assert!(attributes(other.path(), None, opts)
                .unwrap()
                .attrs
                .is_empty());
        }
    }
}
