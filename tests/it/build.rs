//! `docker rkbuild` builds against the real daemon, side by side with
//! buildx 0.13.1.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::*;

fn unique() -> String {
    rkbuild::session::new_id()
}

fn image_id(env: &TestEnv, cfg: &DockerConfig, tag: &str) -> String {
    ok(cfg
        .docker(env)
        .args(["image", "inspect", "-f", "{{.Id}}", tag]))
    .trim()
    .to_string()
}

#[test]
fn builds_an_image_that_runs() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let u = unique();
    let ctx = context(&[
        (
            "Dockerfile",
            &format!(
                "FROM {}\nRUN echo built-{u} > /built\nCOPY greeting.txt /greeting.txt\nCMD [\"cat\", \"/greeting.txt\"]\n",
                env.base_image
            ),
        ),
        ("greeting.txt", "hello from rkbuild\n"),
    ]);
    let tag = format!("rkbuild-test/runs:{u}");
    ok(docker_rkbuild(&cfg, env).args(["-t", &tag]).arg(ctx.path()));
    let out = ok(cfg.docker(env).args(["run", "--rm", &tag]));
    assert_eq!(out, "hello from rkbuild\n");
    let out = ok(cfg.docker(env).args(["run", "--rm", &tag, "cat", "/built"]));
    assert_eq!(out.trim(), format!("built-{u}"));
    let _ = run(cfg.docker(env).args(["rmi", "-f", &tag]));
}

#[test]
fn build_subcommand_and_quiet_iidfile_metadata() {
    on_daemons(
        &[Daemon::Docker],
        build_subcommand_and_quiet_iidfile_metadata_on,
    );
}

fn build_subcommand_and_quiet_iidfile_metadata_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let u = unique();
    let ctx = context(&[(
        "Dockerfile",
        &format!("FROM {}\nRUN echo {u} > /u\n", env.base_image),
    )]);
    let out_dir = tempfile::tempdir().unwrap();
    let iid = out_dir.path().join("iid");
    let md = out_dir.path().join("md.json");
    let tag = format!("rkbuild-test/quiet:{u}");
    let o = run(docker_rkbuild(&cfg, env)
        .args(["build", "-q", "-t", &tag, "--iidfile"])
        .arg(&iid)
        .arg("--metadata-file")
        .arg(&md)
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    let id = image_id(env, &cfg, &tag);
    assert_eq!(stdout(&o).trim(), id);
    assert!(stderr(&o).is_empty(), "quiet build printed: {}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&iid).unwrap(), id);
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&md).unwrap()).unwrap();
    assert_eq!(m["containerimage.config.digest"], id.as_str());
    assert_eq!(m["image.name"], format!("docker.io/{tag}"));
    assert!(m["buildx.build.ref"]
        .as_str()
        .unwrap()
        .starts_with("default/default/"));

    // buildx writes the same keys for the same build (the reference run
    // of the `build` subcommand's result above).
    let md2 = out_dir.path().join("md2.json");
    ok(Tool::Buildx
        .build_on(&cfg, env, daemon)
        .args(["-q", "-t", &tag, "--metadata-file"])
        .arg(&md2)
        .arg(ctx.path()));
    let m2: serde_json::Value = serde_json::from_slice(&std::fs::read(&md2).unwrap()).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&m), keys(&m2));
    assert_eq!(
        m["containerimage.config.digest"],
        m2["containerimage.config.digest"]
    );
    let _ = run(cfg.docker(env).args(["rmi", "-f", &tag]));
}

#[test]
fn local_output_is_identical_to_buildx() {
    on_daemons(BOTH, local_output_on);
}

fn local_output_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let u = unique();
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM scratch\nCOPY . /src/\nCOPY --chmod=755 run.sh /bin/run.sh\n",
        ),
        ("a.txt", &u),
        ("dir/b.txt", "b\n"),
        ("dir/sub/c.txt", "c\n"),
        ("run.sh", "#!/bin/sh\necho run\n"),
    ]);
    std::os::unix::fs::symlink("a.txt", ctx.path().join("link")).unwrap();
    let out = SideBySide::build(&cfg, env, daemon)
        .local_output()
        .arg(ctx.path())
        .expect_success();
    out.same_tree();
    assert_eq!(out.file(Tool::Rkbuild, "src/a.txt"), u);
    // bare `-o DIR` means type=local
    let outs = tempfile::tempdir().unwrap();
    let dest = outs.path().join("bare");
    ok(Tool::Rkbuild
        .build_on(&cfg, env, daemon)
        .arg("-o")
        .arg(&dest)
        .arg(ctx.path()));
    assert_eq!(std::fs::read_to_string(dest.join("src/a.txt")).unwrap(), u);
}

#[test]
fn tar_output_is_identical_to_buildx() {
    on_daemons(BOTH, tar_output_on);
}

fn tar_output_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY . /\n"),
        ("x/y.txt", "y\n"),
    ]);
    let out = SideBySide::build(&cfg, env, daemon)
        .tar_output()
        .arg(ctx.path())
        .expect_success();
    out.same_tar();
    let listing = ok(Command::new("tar").arg("tf").arg(out.tar(Tool::Rkbuild)));
    assert!(listing.lines().any(|l| l == "x/y.txt"), "{listing}");
    // `-o -` writes the tar to stdout
    let o = run(Tool::Rkbuild
        .build_on(&cfg, env, daemon)
        .args(["--progress=quiet", "-o", "-"])
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, std::fs::read(out.tar(Tool::Buildx)).unwrap());
    // no temporary files left beside the destination
    let names: Vec<_> = std::fs::read_dir(out.dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn builds_over_control_session_on_a_plain_socket() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let bridge = bridge::UnixBridge::start(&env.docker_sock);
    let u = unique();
    let ctx = context(&[
        (
            "Dockerfile",
            &format!("FROM {}\nCOPY f /f\nRUN cat /f > /g\n", env.base_image),
        ),
        ("f", &u),
    ]);
    let outs = tempfile::tempdir().unwrap();
    let dest = outs.path().join("out");
    let o = run(cfg
        .rkbuild_standalone(env)
        .env("BUILDKIT_HOST", bridge.addr())
        .args(["--progress=plain", "-o"])
        .arg(format!("type=local,dest={}", dest.display()))
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("using remote driver"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(dest.join("g")).unwrap(), u);
}

/// A RUN with a non-deterministic result: equal image ids prove that the
/// second tool's build was served entirely from the first one's cache,
/// which needs identical file metadata and the same shared key.
fn cross_cached(env: &TestEnv, daemon: Daemon, first: Tool) {
    let cfg = DockerConfig::new(env);
    let u = unique();
    let ctx = context(&[
        (
            "Dockerfile",
            &format!(
                "FROM {}\nCOPY . /ctx/\nRUN cat /proc/sys/kernel/random/uuid > /nondeterministic\n",
                env.base_image
            ),
        ),
        ("a.txt", &u),
        ("d/b.txt", "b"),
    ]);
    std::fs::set_permissions(
        ctx.path().join("a.txt"),
        std::os::unix::fs::PermissionsExt::from_mode(0o751),
    )
    .unwrap();
    let t1 = format!("rkbuild-test/cross1:{u}");
    let t2 = format!("rkbuild-test/cross2:{u}");
    let tags = [t1.clone(), t2.clone()];
    SideBySide::build(&cfg, env, daemon)
        .first(first)
        .args(["-q", "-t"])
        .per_tool(move |t| [tags[usize::from(t != first)].clone()])
        .arg(ctx.path())
        .expect_success();
    assert_eq!(
        image_id(env, &cfg, &t1),
        image_id(env, &cfg, &t2),
        "second build was not fully cached"
    );
    let _ = run(cfg.docker(env).args(["rmi", "-f", &t1, &t2]));
}

#[test]
fn rkbuild_after_buildx_is_fully_cached() {
    on_daemons(&[Daemon::Docker], |env, daemon| {
        cross_cached(env, daemon, Tool::Buildx)
    });
}

#[test]
fn buildx_after_rkbuild_is_fully_cached() {
    on_daemons(&[Daemon::Docker], |env, daemon| {
        cross_cached(env, daemon, Tool::Rkbuild)
    });
}

#[test]
fn missing_context_dir_fails_like_buildx() {
    on_daemons(&[Daemon::Docker], missing_context_dir_fails_like_buildx_on);
}

fn missing_context_dir_fails_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "/nonexistent/context"])
        .expect_failure_containing("unable to prepare context");
    out.same_last_line();
    assert_eq!(
        out.last_line(),
        "ERROR: unable to prepare context: path \"/nonexistent/context\" not found"
    );
}

#[test]
fn failing_run_fails_like_buildx() {
    on_daemons(&[Daemon::Docker], failing_run_fails_like_buildx_on);
}

fn failing_run_fails_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let u = unique();
    let ctx = context(&[(
        "Dockerfile",
        &format!("FROM {}\nRUN echo {u} && exit 3\n", env.base_image),
    )]);
    let out = SideBySide::build(&cfg, env, daemon)
        .arg("--progress=plain")
        .arg(ctx.path())
        .expect_failure_containing("did not complete successfully: exit code: 3");
    out.same_last_line();
    assert!(
        out.last_line()
            .contains("did not complete successfully: exit code: 3"),
        "{}",
        out.what
    );
}

#[test]
fn dockerfile_syntax_error_and_missing_copy_source() {
    on_daemons(
        &[Daemon::Docker],
        dockerfile_syntax_error_and_missing_copy_source_on,
    );
}

fn dockerfile_syntax_error_and_missing_copy_source_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let bad = |dockerfile: &str, says: &str| {
        let ctx = context(&[("Dockerfile", dockerfile)]);
        let out = SideBySide::build(&cfg, env, daemon)
            .arg("--progress=plain")
            .arg(ctx.path())
            .expect_failure_containing(says);
        out.same_last_line();
        assert!(out.last_line().contains(says), "{}", out.what);
    };
    bad(
        "FROM scratch\nNOTANINSTRUCTION foo\n",
        "unknown instruction: NOTANINSTRUCTION",
    );
    bad("FROM scratch\nCOPY missing.txt /\n", "missing.txt");
}

#[test]
fn missing_dockerfile_fails_like_buildx() {
    on_daemons(&[Daemon::Docker], missing_dockerfile_fails_like_buildx_on);
}

fn missing_dockerfile_fails_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("a.txt", "a")]);
    SideBySide::build(&cfg, env, daemon)
        .arg("--progress=plain")
        .arg(ctx.path())
        .expect_failure_containing("failed to read dockerfile")
        .same_last_line();
}

#[test]
fn dockerfile_from_stdin_and_outside_context() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("f.txt", "from-context")]);
    let elsewhere = context(&[("Other.Dockerfile", "FROM scratch\nCOPY f.txt /copied\n")]);
    let outs = tempfile::tempdir().unwrap();
    let dest = outs.path().join("o1");
    ok(docker_rkbuild(&cfg, env)
        .arg("-f")
        .arg(elsewhere.path().join("Other.Dockerfile"))
        .arg("-o")
        .arg(&dest)
        .arg(ctx.path()));
    assert_eq!(
        std::fs::read_to_string(dest.join("copied")).unwrap(),
        "from-context"
    );
    // -f - reads the Dockerfile from stdin
    let dest = outs.path().join("o2");
    let o = run_with_stdin(
        docker_rkbuild(&cfg, env)
            .args(["-f", "-", "-o"])
            .arg(&dest)
            .arg(ctx.path()),
        b"FROM scratch\nCOPY f.txt /stdin-copied\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dest.join("stdin-copied").exists());
}

#[test]
fn build_args_target_and_labels() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[(
        "Dockerfile",
        &format!(
            "FROM {b} AS base\nARG A\nARG FROM_ENV\nRUN echo \"$A-$FROM_ENV\" > /args\nFROM base AS final\nRUN echo final > /final\n",
            b = env.base_image
        ),
    )]);
    let outs = tempfile::tempdir().unwrap();
    let dest = outs.path().join("o");
    ok(docker_rkbuild(&cfg, env)
        .env("FROM_ENV", "env-value")
        .args([
            "--build-arg",
            "A=1",
            "--build-arg",
            "FROM_ENV",
            "--target",
            "base",
            "-o",
        ])
        .arg(&dest)
        .arg(ctx.path()));
    assert_eq!(
        std::fs::read_to_string(dest.join("args")).unwrap(),
        "1-env-value\n"
    );
    assert!(
        !dest.join("final").exists(),
        "--target base must stop before final"
    );
    let u = unique();
    let tag = format!("rkbuild-test/label:{u}");
    ok(docker_rkbuild(&cfg, env)
        .args(["-q", "--label", "org.example.k=v", "-t", &tag])
        .arg(ctx.path()));
    let l = ok(cfg.docker(env).args([
        "image",
        "inspect",
        "-f",
        "{{index .Config.Labels \"org.example.k\"}}",
        &tag,
    ]));
    assert_eq!(l.trim(), "v");
    let _ = run(cfg.docker(env).args(["rmi", "-f", &tag]));
}

fn pgrep(pattern: &str) -> bool {
    Command::new("pgrep")
        .args(["-f", pattern])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn wait_for(mut f: impl FnMut() -> bool, secs: u64) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    false
}

#[test]
fn ctrl_c_cancels_the_build_on_the_daemon() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    // A unique sleep length identifies the build's process on this machine.
    let secs = 5000 + (std::process::id() % 1000);
    let pattern = format!("sleep {secs}");
    let ctx = context(&[(
        "Dockerfile",
        &format!("FROM {}\nRUN {pattern}\n", env.base_image),
    )]);
    let outs = tempfile::tempdir().unwrap();
    let dest = outs.path().join("out");
    let mut child = cfg
        .rkbuild_standalone(env)
        .args(["--progress=plain", "--no-cache", "-o"])
        .arg(&dest)
        .arg(ctx.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_for(|| pgrep(&pattern), 30),
        "the RUN step never started"
    );
    let start = std::time::Instant::now();
    ok(Command::new("kill").args(["-INT", &child.id().to_string()]));
    let status = child.wait().unwrap();
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(status.code(), Some(130));
    assert!(
        wait_for(|| !pgrep(&pattern), 20),
        "the daemon kept running the canceled build"
    );
    assert!(!dest.exists() || std::fs::read_dir(&dest).unwrap().count() == 0);
    let leftovers: Vec<_> = std::fs::read_dir(outs.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(leftovers.iter().all(|n| n == "out"), "{leftovers:?}");
}

#[test]
fn quiet_and_progress_flags_like_buildx() {
    on_daemons(&[Daemon::Docker], quiet_and_progress_flags_like_buildx_on);
}

fn quiet_and_progress_flags_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY Dockerfile /\n")]);
    let pair = |args: &[&str]| {
        SideBySide::build(&cfg, env, daemon)
            .args(args)
            .arg(ctx.path())
    };
    pair(&["-q", "--progress=plain"])
        .expect_failure_containing("ERROR: progress=plain and quiet cannot be used together")
        .same_stderr();
    pair(&["--progress=bogus"])
        .expect_failure_containing("ERROR: invalid progress mode bogus")
        .same_stderr();
    for args in [
        &["-q", "-o", "type=cacheonly"][..],
        &["--progress=quiet", "-o", "type=cacheonly"],
    ] {
        let out = pair(args).expect_success();
        out.same_stdout();
        assert_eq!(out.stderr(Tool::Rkbuild), "", "{args:?}");
    }
}

#[test]
fn tar_context_and_dockerfile_on_stdin() {
    on_daemons(&[Daemon::Docker], tar_context_and_dockerfile_on_stdin_on);
}

fn tar_context_and_dockerfile_on_stdin_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a.txt /from-tar\n"),
        ("a.txt", "tar!"),
    ]);
    let tar = Command::new("tar")
        .arg("-C")
        .arg(ctx.path())
        .args(["-c", "."])
        .output()
        .unwrap()
        .stdout;
    let outs = tempfile::tempdir().unwrap();
    let dest = outs.path().join("t");
    let o = run_with_stdin(
        docker_rkbuild(&cfg, env).arg("-o").arg(&dest).arg("-"),
        &tar,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dest.join("from-tar")).unwrap(),
        "tar!"
    );
    // A Dockerfile on stdin with no context.
    let out = SideBySide::build(&cfg, env, daemon)
        .arg("-o")
        .per_tool(|t| [outs.path().join(format!("d-{t}"))])
        .arg("-")
        .stdin(&b"FROM scratch\nCOPY --from=scratch / /\n"[..])
        .expect_success();
    for t in Tool::BOTH {
        assert!(outs.path().join(format!("d-{t}")).is_dir(), "{}", out.what);
    }
    // both on stdin is refused like buildx
    SideBySide::build(&cfg, env, daemon)
        .args(["-f", "-", "-"])
        .expect_failure_containing("can't use stdin for both build context and dockerfile")
        .same_last_line();
}

#[test]
fn plain_progress_matches_buildx_line_by_line() {
    on_daemons(BOTH, plain_progress_on);
}

fn plain_progress_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let base = env.base_image_on(daemon);
    let u = unique();
    let ctx = context(&[
        (
            "Dockerfile",
            &format!("FROM {base}\nCOPY a.txt /a.txt\nRUN echo {u} > /u\n"),
        ),
        ("a.txt", "a"),
        (".dockerignore", "ignored\n"),
        ("ignored", "x"),
    ]);
    let tag = format!("rkbuild-test/plain:{u}");
    // Warm the cache, then compare two fully cached builds.
    ok(Tool::Buildx
        .build_on(&cfg, env, daemon)
        .args(["-q", "-t", &tag])
        .arg(ctx.path()));
    // The printers batch events by arrival time (100 ms display interval,
    // 150 ms tick, as buildx): on a loaded machine a status can land in the
    // next batch for either tool and reprint a step header. The same events
    // always give the same text (tests/progress.rs); here up to three
    // attempts absorb that timing.
    for attempt in 1..=3 {
        let out = SideBySide::build(&cfg, env, daemon)
            .args(["--progress=plain", "-t", &tag])
            .arg(ctx.path())
            .expect_success();
        let (na, nb) = (
            out.plain_progress(Tool::Buildx),
            out.plain_progress(Tool::Rkbuild),
        );
        if na == nb {
            break;
        }
        assert!(
            attempt < 3,
            "plain progress differs:\n{na}\n---- vs ----\n{nb}"
        );
    }
    // A failing step: same text, same exit code.
    let ctx = context(&[(
        "Dockerfile",
        &format!("FROM {base}\nRUN echo {u}-log && exit 7\n"),
    )]);
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain"])
        .arg(ctx.path())
        .expect_failure_containing("did not complete successfully: exit code: 7");
    let (na, nb) = (
        out.plain_progress(Tool::Buildx),
        out.plain_progress(Tool::Rkbuild),
    );
    // The first run executes the RUN; compare from the failing step on.
    let tail = |s: &str| s[s.find("------").unwrap_or(0)..].to_string();
    assert_eq!(tail(&na), tail(&nb));
    if daemon == Daemon::Docker {
        let _ = run(cfg.docker(env).args(["rmi", "-f", &tag]));
    }
}

/// Lists a directory's entries, recursively (paths relative to it).
fn tree_listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `--build-context NAME=oci-layout://...`: rkbuild resolves the layout
/// locally as buildx does (same digest, same local errors); dockerd 26.1's
/// BuildKit has no oci-layout source, so the build then fails on the
/// daemon for both tools with the same error.
#[test]
fn oci_layout_context_fails_like_buildx() {
    on_daemons(&[Daemon::Docker], oci_layout_context_fails_like_buildx_on);
}

fn oci_layout_context_fails_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    // docker 26's `docker save` writes an OCI layout (index.json, oci-layout,
    // blobs/) with the tag in org.opencontainers.image.ref.name.
    let saved = run(cfg.docker(env).args(["save", &env.base_image]));
    assert!(saved.status.success(), "docker save: {}", stderr(&saved));
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("layout");
    std::fs::create_dir(&layout).unwrap();
    let untar = run_with_stdin(
        Command::new("tar").arg("-x").arg("-C").arg(&layout),
        &saved.stdout,
    );
    assert!(untar.status.success(), "tar: {}", stderr(&untar));
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let digest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "latest"
    );
    let before = tree_listing(&layout);

    let ctx = context(&[("Dockerfile", "FROM base\nRUN echo from-layout\n")]);
    let ctx_arg = ctx.path().to_str().unwrap();
    let layout_ref = format!("base=oci-layout://{}:latest", layout.display());
    let fails = |r: &str, says: &str| {
        SideBySide::build(&cfg, env, daemon)
            .args(["--progress=plain", "--build-context", r, ctx_arg])
            .expect_failure_containing(says)
    };
    let out = fails(&layout_ref, "unknown scheme oci-layout");
    out.same_last_line();
    assert_eq!(
        out.last_line(),
        format!(
            "ERROR: failed to solve: failed to resolve source metadata for \
             docker.io/library/base@{digest}: unknown scheme oci-layout: not found"
        ),
        "{}",
        out.what
    );
    // The default tag and an explicit digest name the same image.
    for suffix in [String::new(), format!("@{digest}")] {
        let r = format!("base=oci-layout://{}{suffix}", layout.display());
        let out = fails(&r, &digest);
        out.same_last_line();
        assert!(out.last_line().contains(&digest), "{}", out.what);
    }
    // Reading the index leaves the layout as it was (the lock file goes).
    assert_eq!(tree_listing(&layout), before);

    // Local errors: no layout at all, an unknown tag when the index holds
    // several images, a malformed digest. Nothing reaches the daemon.
    let second = work.path().join("two");
    std::fs::create_dir(&second).unwrap();
    let mut two = index.clone();
    let mut other = two["manifests"][0].clone();
    other["annotations"]["org.opencontainers.image.ref.name"] = "other".into();
    two["manifests"].as_array_mut().unwrap().push(other);
    std::fs::write(second.join("index.json"), two.to_string()).unwrap();
    let missing = work.path().join("missing");
    let cases = [
        (
            format!("base=oci-layout://{}", missing.display()),
            format!(
                "ERROR: could not lock {0}/index.json.lock: open {0}/index.json.lock: \
                 no such file or directory",
                missing.display()
            ),
        ),
        (
            format!("base=oci-layout://{}:nope", second.display()),
            format!(
                "ERROR: oci-layout reference \"oci-layout://{}:nope\" could not be resolved",
                second.display()
            ),
        ),
        (
            format!("base=oci-layout://{}@sha256:abc", layout.display()),
            "ERROR: invalid oci-layout digest sha256:abc: invalid checksum digest length"
                .to_string(),
        ),
    ];
    for (arg, want) in cases {
        let out = fails(&arg, &want);
        out.same_last_line();
        assert_eq!(out.last_line(), want, "{arg}");
        // buildx fails before it starts a build: so does rkbuild.
        let err = out.stderr(Tool::Rkbuild);
        assert!(!err.contains("#1 "), "{err}");
    }
}

#[test]
fn docker_desktop_build_details_line_as_buildx() {
    on_daemons(BOTH, docker_desktop_build_details_line_on);
}

/// buildx's `TestBuildDetailsLink`: with Docker Desktop's
/// `$HOME/.docker/desktop-build/.lastaccess`, a build ends with a link to
/// its record (after a success and below a failed solve); without, nothing.
fn docker_desktop_build_details_line_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let home = tempfile::tempdir().unwrap();
    let details = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("View build details: "))
            .map(|l| {
                l.rsplit_once('/')
                    .map(|(a, _)| a.to_string())
                    .unwrap_or_default()
            })
            .collect()
    };
    let ok_ctx = context(&[("Dockerfile", "FROM scratch\nCOPY . /\n")]);
    let out = SideBySide::build(&cfg, env, daemon)
        .env("HOME", home.path())
        .args(["--output=type=cacheonly"])
        .arg(ok_ctx.path())
        .expect_success();
    for t in Tool::BOTH {
        assert_eq!(
            details(&out.stderr(t)),
            Vec::<String>::new(),
            "{}",
            t.name()
        );
    }
    let dir = home.path().join(".docker/desktop-build");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".lastaccess"), "").unwrap();
    let out = SideBySide::build(&cfg, env, daemon)
        .env("HOME", home.path())
        .args(["--output=type=cacheonly"])
        .arg(ok_ctx.path())
        .expect_success();
    let want = details(&out.stderr(Tool::Buildx));
    assert_eq!(want.len(), 1, "{}", out.stderr(Tool::Buildx));
    assert!(
        want[0].starts_with("View build details: docker-desktop://dashboard/build/"),
        "{want:?}"
    );
    assert_eq!(details(&out.stderr(Tool::Rkbuild)), want);
    for t in Tool::BOTH {
        assert!(out.stderr(t).ends_with('\n'), "{}", t.name());
        let last = out.stderr(t).lines().last().unwrap_or_default().to_string();
        assert!(
            last.starts_with("View build details: "),
            "{}: {last}",
            t.name()
        );
    }
    let bad = context(&[(
        "Dockerfile",
        &format!("FROM {}\nRUN exit 1\n", env.base_image_on(daemon)),
    )]);
    let out = SideBySide::build(&cfg, env, daemon)
        .env("HOME", home.path())
        .args(["--output=type=cacheonly"])
        .arg(bad.path())
        .expect_failure_containing("did not complete successfully: exit code: 1");
    assert_eq!(details(&out.stderr(Tool::Rkbuild)), want);
    assert_eq!(details(&out.stderr(Tool::Buildx)), want);
}
