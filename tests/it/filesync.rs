//! The build context as the daemon receives it from rkbuild's FileSync
//! sender, compared with what it receives from buildx 0.13.1: the exported
//! result of `COPY . /` over a corpus of awkward files, and the byte count
//! the daemon reports for the transfer.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use common::*;

fn write(root: &Path, rel: &str, content: &[u8], mode: u32) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mkdir(root: &Path, rel: &str, mode: u32) {
    let p = root.join(rel);
    std::fs::create_dir_all(&p).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Deterministic pseudo-random bytes.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A context with nested and empty directories, every kind of symlink,
/// hard links, unicode names, names that sort around '/', special mode
/// bits, a 20 MiB file and a .dockerignore with exceptions and `**`.
fn corpus(root: &Path, marker: &str) {
    write(root, "Dockerfile", b"FROM scratch\nCOPY . /\n", 0o644);
    write(
        root,
        ".dockerignore",
        b"**/*.log\n!keep/**/*.log\nnode_modules\nbuild/\n!build/keep.txt\n*.tmp\n",
        0o644,
    );
    write(root, "marker", marker.as_bytes(), 0o644);
    // Names around '/': a, a/b, a-b, a.b, a0, "a b", A.
    write(root, "a/b", b"a/b", 0o644);
    write(root, "a/c/d/e", b"deep", 0o600);
    write(root, "a-b", b"a-b", 0o644);
    write(root, "a.b", b"a.b", 0o644);
    write(root, "a0", b"a0", 0o644);
    write(root, "a b", b"space", 0o644);
    write(root, "A", b"upper", 0o644);
    mkdir(root, "empty", 0o755);
    mkdir(root, "empty2/inner", 0o700);
    // Unicode.
    write(root, "é", b"e-acute", 0o644);
    write(root, "ü/日本語.txt", "日本語".as_bytes(), 0o644);
    write(root, "emoji-🦀", b"crab", 0o644);
    // Modes.
    write(root, "bin/run.sh", b"#!/bin/sh\necho run\n", 0o755);
    write(root, "bin/setuid", b"suid", 0o4755);
    write(root, "bin/setgid", b"sgid", 0o2750);
    write(root, "readonly", b"ro", 0o444);
    mkdir(root, "sticky", 0o1777);
    write(root, "sticky/f", b"in sticky", 0o666);
    mkdir(root, "sgid-dir", 0o2775);
    write(root, "sgid-dir/f", b"in sgid", 0o644);
    // Symlinks: relative, to a directory, absolute, dangling, outside.
    symlink("a/b", root.join("link-rel")).unwrap();
    symlink("a/c", root.join("link-dir")).unwrap();
    symlink("/etc/passwd", root.join("link-abs")).unwrap();
    symlink("does/not/exist", root.join("link-dangling")).unwrap();
    symlink("../../../outside", root.join("a/c/link-up")).unwrap();
    // Hard links, including one whose first name is ignored.
    write(root, "hard/one", b"shared content", 0o640);
    std::fs::hard_link(root.join("hard/one"), root.join("hard/two")).unwrap();
    std::fs::hard_link(root.join("hard/one"), root.join("hard-three")).unwrap();
    write(root, "hard/ignored.tmp", b"ignored first name", 0o644);
    std::fs::hard_link(root.join("hard/ignored.tmp"), root.join("hard/z-kept")).unwrap();
    // .dockerignore targets.
    write(root, "logs/x.log", b"ignored", 0o644);
    write(root, "keep/sub/y.log", b"kept by exception", 0o644);
    write(root, "node_modules/m/index.js", b"ignored", 0o644);
    write(root, "build/out.bin", b"ignored", 0o644);
    write(root, "build/keep.txt", b"kept by exception", 0o644);
    write(root, "scratch.tmp", b"ignored", 0o644);
    // Large file.
    write(root, "big/random.bin", &noise(20 << 20, 7), 0o644);
    // Many small files.
    for i in 0..300 {
        write(
            root,
            &format!("many/{:02}/f{i}", i % 17),
            format!("{i}").as_bytes(),
            0o644,
        );
    }
}

/// Groups of paths sharing an inode (hard links) in an exported tree.
fn link_groups(root: &Path) -> Vec<Vec<String>> {
    let mut by_inode: BTreeMap<(u64, u64), Vec<String>> = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<(u64, u64), Vec<String>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let md = std::fs::symlink_metadata(e.path()).unwrap();
            if md.is_dir() {
                walk(root, &e.path(), out);
            } else if md.is_file() && md.nlink() > 1 {
                let rel = e.path().strip_prefix(root).unwrap().display().to_string();
                out.entry((md.dev(), md.ino())).or_default().push(rel);
            }
        }
    }
    walk(root, root, &mut by_inode);
    let mut groups: Vec<Vec<String>> = by_inode
        .into_values()
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();
    groups.sort();
    groups
}

/// Modification times of the regular files and symlinks of a tree (not
/// directories, which the export touches; the tar comparison covers them).
fn mtimes(root: &Path) -> BTreeMap<String, (i64, i64)> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (i64, i64)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let md = std::fs::symlink_metadata(e.path()).unwrap();
            if md.is_dir() {
                walk(root, &e.path(), out);
            } else if md.is_file() || md.file_type().is_symlink() {
                let rel = e.path().strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, (md.mtime(), md.mtime_nsec()));
            }
        }
    }
    walk(root, root, &mut out);
    out
}

/// The strongest check: the daemon's tar export of `COPY . /` is byte for
/// byte the same, so every path, mode, owner, time, link and hard link it
/// received was the same.
#[test]
fn copied_context_exports_the_same_tar_as_buildx() {
    on_daemons(BOTH, tar_export_on);
}

fn tar_export_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = tempfile::Builder::new().prefix("rkfs-").tempdir().unwrap();
    corpus(ctx.path(), &rkbuild::session::new_id());
    let marker = std::fs::read_to_string(ctx.path().join("marker")).unwrap();
    let out = SideBySide::build(&cfg, env, daemon)
        .tar_output()
        .arg(ctx.path())
        .expect_success();
    out.same_tar();
    let o = run(Command::new("tar")
        .arg("-xOf")
        .arg(out.tar(Tool::Rkbuild))
        .arg("marker"));
    assert_eq!(stdout(&o), marker, "the marker file in rkbuild's tar");
}

#[test]
fn copied_context_is_identical_to_buildx() {
    on_daemons(BOTH, local_export_on);
}

fn local_export_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = tempfile::Builder::new().prefix("rkfs-").tempdir().unwrap();
    corpus(ctx.path(), &rkbuild::session::new_id());
    let out = SideBySide::build(&cfg, env, daemon)
        .local_output()
        .arg(ctx.path())
        .expect_success();
    let (a, b) = (out.local(Tool::Buildx), out.local(Tool::Rkbuild));
    // setuid/setgid survive the local export (chown before chmod).
    let suid =
        |root: &Path, rel: &str| std::fs::symlink_metadata(root.join(rel)).unwrap().mode() & 0o7777;
    assert_eq!(suid(&a, "bin/setuid"), 0o4755);
    assert_eq!(suid(&a, "bin/setgid"), 0o2750);
    out.same_tree();
    let (ma, mb) = (mtimes(&a), mtimes(&b));
    let differ: Vec<_> = ma.iter().filter(|(k, v)| mb.get(*k) != Some(v)).collect();
    assert!(differ.is_empty(), "modification times differ: {differ:?}");
    assert_eq!(link_groups(&a), link_groups(&b), "hard links differ");

    // Sanity: the corpus came through as intended.
    let snap = tree::snapshot(&b);
    for ignored in ["logs/x.log", "node_modules", "build/out.bin", "scratch.tmp"] {
        assert!(!snap.contains_key(ignored), "{ignored} was not ignored");
    }
    for kept in [
        "keep/sub/y.log",
        "build/keep.txt",
        "hard/z-kept",
        "empty2/inner",
    ] {
        assert!(snap.contains_key(kept), "{kept} is missing");
    }
    assert_eq!(
        std::fs::read(b.join("big/random.bin")).unwrap(),
        noise(20 << 20, 7)
    );
    assert_eq!(
        std::fs::read_link(b.join("link-abs")).unwrap(),
        Path::new("/etc/passwd")
    );
}

/// The `transferring context: N` sizes of a plain-progress build.
fn transfer_sizes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            let i = l.find("transferring context: ")?;
            let rest = &l[i + "transferring context: ".len()..];
            rest.contains("done")
                .then(|| rest.split_whitespace().next().unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn transfer_size_reported_by_the_daemon_matches_buildx() {
    on_daemons(BOTH, transfer_size_on);
}

fn transfer_size_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    // Two copies with identical metadata, so that each tool does a first,
    // full transfer of the same content.
    let base = tempfile::Builder::new().prefix("rkfs-").tempdir().unwrap();
    let one = base.path().join("one");
    mkdir(base.path(), "one", 0o755);
    corpus(&one, &rkbuild::session::new_id());
    let two = base.path().join("two");
    ok(Command::new("cp").arg("-a").arg(&one).arg(&two));
    // Each tool builds its own copy.
    let build = || {
        SideBySide::build(&cfg, env, daemon)
            .args(["--progress=plain", "-o", "type=cacheonly"])
            .per_tool(|t| [if t == Tool::Buildx { &one } else { &two }])
            .expect_success()
    };
    let sizes = |o: &std::process::Output| transfer_sizes(&stderr(o));
    let out = build();
    let sa = sizes(&out.buildx);
    assert!(
        !sa.is_empty(),
        "no transfer line in:\n{}",
        stderr(&out.buildx)
    );
    out.same_by("the transfer sizes", sizes);
    // A second build sends only the stats again: the same for both.
    build().same_by("the transfer sizes", sizes);
}

#[test]
fn changed_files_are_sent_again() {
    on_daemons(BOTH, changed_files_on);
}

fn changed_files_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = tempfile::Builder::new().prefix("rkfs-").tempdir().unwrap();
    let root = ctx.path();
    write(root, "Dockerfile", b"FROM scratch\nCOPY . /\n", 0o644);
    write(root, "a", b"first", 0o644);
    write(root, "b", b"unchanged", 0o644);
    let out = tempfile::tempdir().unwrap();
    let build = |n: u32| {
        let dest = out.path().join(n.to_string());
        ok(Tool::Rkbuild
            .build_on(&cfg, env, daemon)
            .arg("-o")
            .arg(format!("type=local,dest={}", dest.display()))
            .arg(root));
        dest
    };
    let d1 = build(1);
    assert_eq!(std::fs::read(d1.join("a")).unwrap(), b"first");
    write(root, "a", b"second, longer", 0o644);
    std::fs::remove_file(root.join("b")).unwrap();
    write(root, "c", b"new", 0o755);
    let d2 = build(2);
    assert_eq!(std::fs::read(d2.join("a")).unwrap(), b"second, longer");
    assert!(!d2.join("b").exists());
    assert_eq!(std::fs::read(d2.join("c")).unwrap(), b"new");
    let mode = std::fs::metadata(d2.join("c"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
}

#[test]
fn dockerfile_symlink_and_named_context() {
    on_daemons(&[Daemon::Docker], dockerfile_symlink_and_named_context_on);
}

fn dockerfile_symlink_and_named_context_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = tempfile::Builder::new().prefix("rkfs-").tempdir().unwrap();
    let root = ctx.path();
    // The Dockerfile is a symlink into a subdirectory: the frontend asks
    // for it with followpaths.
    write(
        root,
        "docker/Dockerfile.real",
        b"FROM scratch\nCOPY --from=extra / /extra/\nCOPY f /\n",
        0o644,
    );
    symlink("docker/Dockerfile.real", root.join("Dockerfile")).unwrap();
    write(root, "f", b"context file", 0o644);
    let extra = tempfile::Builder::new()
        .prefix("rkfs-extra-")
        .tempdir()
        .unwrap();
    write(extra.path(), "x/y", b"from the named context", 0o600);
    let named = format!("extra={}", extra.path().display());
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--build-context", &named])
        .local_output()
        .arg(root)
        .expect_success();
    out.same_tree();
    assert_eq!(
        out.file(Tool::Rkbuild, "extra/x/y"),
        "from the named context"
    );
}

#[test]
fn inspect_context_reports_what_the_daemon_received() {
    on_daemons(BOTH, inspect_on);
}

fn inspect_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = tempfile::Builder::new().prefix("rkfs-").tempdir().unwrap();
    corpus(ctx.path(), &rkbuild::session::new_id());
    // What the inspector says would be sent (through the docker CLI).
    let o = run(cfg
        .docker(env)
        .args([
            "rkbuild",
            "inspect-context",
            "--list",
            "--format",
            "json",
            "--why",
        ])
        .args([
            "logs/x.log",
            "--why",
            "keep/sub/y.log",
            "--why",
            "build/keep.txt",
        ])
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let reported: std::collections::BTreeSet<String> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect();
    // What the daemon received: the exported COPY . / tree.
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("out");
    ok(Tool::Rkbuild
        .build_on(&cfg, env, daemon)
        .arg("-o")
        .arg(format!("type=local,dest={}", dest.display()))
        .arg(ctx.path()));
    let received: std::collections::BTreeSet<String> = tree::snapshot(&dest).into_keys().collect();
    assert_eq!(
        reported, received,
        "inspect-context vs what the daemon received on {daemon:?}"
    );
    let whys = v["why"].as_array().unwrap();
    assert_eq!(whys[0]["verdict"], "excluded");
    assert_eq!(whys[0]["pattern"]["pattern"], "**/*.log");
    assert_eq!(whys[1]["verdict"], "included");
    assert_eq!(whys[1]["pattern"]["pattern"], "!keep/**/*.log");
    assert_eq!(whys[2]["pattern"]["line"], 5);
    let size: u64 = v["bytes"].as_u64().unwrap();
    assert!(size > 20 << 20, "{size}");
}
