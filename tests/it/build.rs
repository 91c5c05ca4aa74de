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
    ok(rkbuild(&cfg, env).args(["-t", &tag]).arg(ctx.path()));
    let out = ok(cfg.docker(env).args(["run", "--rm", &tag]));
    assert_eq!(out, "hello from rkbuild\n");
    let out = ok(cfg.docker(env).args(["run", "--rm", &tag, "cat", "/built"]));
    assert_eq!(out.trim(), format!("built-{u}"));
    let _ = run(cfg.docker(env).args(["rmi", "-f", &tag]));
}

#[test]
fn build_subcommand_and_quiet_iidfile_metadata() {
    let env = daemon!();
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
    let o = run(rkbuild(&cfg, env)
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

    // buildx writes the same keys for the same build.
    let md2 = out_dir.path().join("md2.json");
    ok(buildx(&cfg, env)
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

/// Builds with buildx and rkbuild into local directories and compares.
fn compare_local_outputs(
    env: &TestEnv,
    cfg: &DockerConfig,
    daemon: Daemon,
    ctx: &Path,
    extra: &[&str],
) {
    let outs = tempfile::tempdir().unwrap();
    let a = outs.path().join("buildx");
    let b = outs.path().join("rkbuild");
    ok(buildx_on(cfg, env, daemon)
        .args(extra)
        .arg("-o")
        .arg(format!("type=local,dest={}", a.display()))
        .arg(ctx));
    ok(rkbuild_on(cfg, env, daemon)
        .args(extra)
        .arg("-o")
        .arg(format!("type=local,dest={}", b.display()))
        .arg(ctx));
    tree::assert_same(&a, &b);
}

#[test]
fn local_output_is_identical_to_buildx() {
    on_each_daemon(local_output_on);
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
    compare_local_outputs(env, &cfg, daemon, ctx.path(), &[]);
    // bare `-o DIR` means type=local
    let outs = tempfile::tempdir().unwrap();
    let dest = outs.path().join("bare");
    ok(rkbuild_on(&cfg, env, daemon)
        .arg("-o")
        .arg(&dest)
        .arg(ctx.path()));
    assert_eq!(std::fs::read_to_string(dest.join("src/a.txt")).unwrap(), u);
}

#[test]
fn tar_output_is_identical_to_buildx() {
    on_each_daemon(tar_output_on);
}

fn tar_output_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY . /\n"),
        ("x/y.txt", "y\n"),
    ]);
    let outs = tempfile::tempdir().unwrap();
    let a = outs.path().join("a.tar");
    let b = outs.path().join("b.tar");
    ok(buildx_on(&cfg, env, daemon)
        .arg("-o")
        .arg(format!("type=tar,dest={}", a.display()))
        .arg(ctx.path()));
    ok(rkbuild_on(&cfg, env, daemon)
        .arg("-o")
        .arg(format!("type=tar,dest={}", b.display()))
        .arg(ctx.path()));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // `-o -` writes the tar to stdout
    let o = run(rkbuild_on(&cfg, env, daemon)
        .args(["--progress=quiet", "-o", "-"])
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, std::fs::read(&a).unwrap());
    // no temporary files left beside the destination
    let names: Vec<_> = std::fs::read_dir(outs.path())
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
        .rkbuild(env)
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
fn cross_cached(first: &str) {
    let env = daemon!();
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
    let (a, b) = if first == "buildx" {
        (buildx(&cfg, env), rkbuild(&cfg, env))
    } else {
        (rkbuild(&cfg, env), buildx(&cfg, env))
    };
    let (mut a, mut b) = (a, b);
    ok(a.args(["-q", "-t", &t1]).arg(ctx.path()));
    ok(b.args(["-q", "-t", &t2]).arg(ctx.path()));
    assert_eq!(
        image_id(env, &cfg, &t1),
        image_id(env, &cfg, &t2),
        "second build was not fully cached"
    );
    let _ = run(cfg.docker(env).args(["rmi", "-f", &t1, &t2]));
}

#[test]
fn rkbuild_after_buildx_is_fully_cached() {
    cross_cached("buildx");
}

#[test]
fn buildx_after_rkbuild_is_fully_cached() {
    cross_cached("rkbuild");
}

/// Runs both tools on the same bad input; returns (buildx, rkbuild) outputs.
fn both_fail(
    env: &TestEnv,
    cfg: &DockerConfig,
    args: &[&str],
) -> (std::process::Output, std::process::Output) {
    let a = run(buildx(cfg, env).args(["--progress=plain"]).args(args));
    let b = run(rkbuild(cfg, env).args(["--progress=plain"]).args(args));
    assert_eq!(
        a.status.code(),
        b.status.code(),
        "exit codes differ:\nbuildx: {}\nrkbuild: {}",
        stderr(&a),
        stderr(&b)
    );
    assert_ne!(b.status.code(), Some(0));
    (a, b)
}

/// The last stderr line, with session-specific ids (`::<25 chars>`) masked.
fn last_line(o: &std::process::Output) -> String {
    let l = stderr_last_line(o);
    let mut out = String::new();
    let mut rest = l.as_str();
    while let Some(i) = rest.find("::") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let n = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if n == 25 {
            out.push_str("<id>");
            rest = &rest[n..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn missing_context_dir_fails_like_buildx() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let (a, b) = both_fail(env, &cfg, &["/nonexistent/context"]);
    assert_eq!(last_line(&a), last_line(&b));
    assert_eq!(
        last_line(&b),
        "ERROR: unable to prepare context: path \"/nonexistent/context\" not found"
    );
}

#[test]
fn failing_run_fails_like_buildx() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let u = unique();
    let ctx = context(&[(
        "Dockerfile",
        &format!("FROM {}\nRUN echo {u} && exit 3\n", env.base_image),
    )]);
    let (a, b) = both_fail(env, &cfg, &[ctx.path().to_str().unwrap()]);
    assert_eq!(last_line(&b), last_line(&a));
    assert!(
        last_line(&b).contains("did not complete successfully: exit code: 3"),
        "{}",
        stderr(&b)
    );
}

#[test]
fn dockerfile_syntax_error_and_missing_copy_source() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\nNOTANINSTRUCTION foo\n")]);
    let (a, b) = both_fail(env, &cfg, &[ctx.path().to_str().unwrap()]);
    assert_eq!(last_line(&a), last_line(&b));
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY missing.txt /\n")]);
    let (a, b) = both_fail(env, &cfg, &[ctx.path().to_str().unwrap()]);
    assert_eq!(last_line(&a), last_line(&b));
    assert!(last_line(&b).contains("missing.txt"), "{}", stderr(&b));
}

#[test]
fn missing_dockerfile_fails_like_buildx() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("a.txt", "a")]);
    let (a, b) = both_fail(env, &cfg, &[ctx.path().to_str().unwrap()]);
    assert_eq!(last_line(&a), last_line(&b));
}

#[test]
fn dockerfile_from_stdin_and_outside_context() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("f.txt", "from-context")]);
    let elsewhere = context(&[("Other.Dockerfile", "FROM scratch\nCOPY f.txt /copied\n")]);
    let outs = tempfile::tempdir().unwrap();
    let dest = outs.path().join("o1");
    ok(rkbuild(&cfg, env)
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
        rkbuild(&cfg, env)
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
    ok(rkbuild(&cfg, env)
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
    ok(rkbuild(&cfg, env)
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
        .rkbuild(env)
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
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY Dockerfile /\n")]);
    for args in [vec!["-q", "--progress=plain"], vec!["--progress=bogus"]] {
        let a = run(buildx(&cfg, env).args(&args).arg(ctx.path()));
        let b = run(rkbuild(&cfg, env).args(&args).arg(ctx.path()));
        assert_eq!(a.status.code(), b.status.code(), "{args:?}");
        assert_eq!(stderr(&a).trim_end(), stderr(&b).trim_end(), "{args:?}");
    }
    for args in [
        vec!["-q", "-o", "type=cacheonly"],
        vec!["--progress=quiet", "-o", "type=cacheonly"],
    ] {
        let a = run(buildx(&cfg, env).args(&args).arg(ctx.path()));
        let b = run(rkbuild(&cfg, env).args(&args).arg(ctx.path()));
        assert_eq!(a.status.code(), Some(0));
        assert_eq!(stdout(&a), stdout(&b), "{args:?}");
        assert_eq!(stderr(&b), "", "{args:?}");
    }
}

#[test]
fn tar_context_and_dockerfile_on_stdin() {
    let env = daemon!();
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
    let o = run_with_stdin(rkbuild(&cfg, env).arg("-o").arg(&dest).arg("-"), &tar);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dest.join("from-tar")).unwrap(),
        "tar!"
    );
    // A Dockerfile on stdin with no context.
    let dest = outs.path().join("d");
    let o = run_with_stdin(
        rkbuild(&cfg, env).arg("-o").arg(&dest).arg("-"),
        b"FROM scratch\nCOPY --from=scratch / /\n",
    );
    let b = run_with_stdin(
        buildx(&cfg, env)
            .arg("-o")
            .arg(outs.path().join("dx"))
            .arg("-"),
        b"FROM scratch\nCOPY --from=scratch / /\n",
    );
    assert_eq!(
        o.status.code(),
        b.status.code(),
        "{}\n{}",
        stderr(&o),
        stderr(&b)
    );
    // both on stdin is refused like buildx
    let a = run(buildx(&cfg, env)
        .args(["-f", "-", "-"])
        .stdin(std::process::Stdio::null()));
    let b = run(rkbuild(&cfg, env)
        .args(["-f", "-", "-"])
        .stdin(std::process::Stdio::null()));
    assert_eq!(a.status.code(), b.status.code());
    assert_eq!(last_line(&a), last_line(&b));
}

/// Masks what legitimately differs between two runs of the same build:
/// durations, log timestamps and session-specific ids.
/// A line of Go's standard `log` package: `YYYY/MM/DD HH:MM:SS ...`.
fn is_go_log_line(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 20
        && b[..19].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'/',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
        && b[19] == b' '
}

fn normalize_plain(s: &str) -> String {
    let mut out = Vec::new();
    for line in s.lines() {
        // A status printed before its first byte count (`#1 transferring
        // dockerfile:`) appears only when a progress tick falls in between:
        // timing, not content.
        if line.starts_with('#') && line.ends_with(':') {
            continue;
        }
        // buildx's own Go `log` lines (`2026/12/01 23:51:23 http2: server
        // connection error ...`, its session server when buildkitd closes
        // the connection): not progress.
        if is_go_log_line(line) {
            continue;
        }
        let mut words: Vec<String> = Vec::new();
        for (i, w) in line.split(' ').enumerate() {
            let is_dur = w.ends_with('s')
                && w[..w.len() - 1].split('.').count() == 2
                && w[..w.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.');
            // `#N 0.123 log` in the log, `0.123 log` in the error summary
            let log_pos = if line.starts_with('#') { 1 } else { 0 };
            let is_log_time = i == log_pos
                && w.split('.').count() == 2
                && w.chars().all(|c| c.is_ascii_digit() || c == '.');
            words.push(if is_dur {
                "X.Xs".into()
            } else if is_log_time {
                "T".into()
            } else {
                w.to_string()
            });
        }
        // A finished status shows its duration only past 10 ms (`121B 0.0s
        // done`), for buildx as for rkbuild: timing, not content.
        if words.len() > 2 && words[words.len() - 1] == "done" && words[words.len() - 2] == "X.Xs" {
            words.remove(words.len() - 2);
        }
        let line = words.join(" ");
        // A status shown while it runs (`#8 naming to NAME`) and again when
        // done (`#8 naming to NAME done`) only when a progress tick fell in
        // between: timing, not content. Keep the done line alone.
        if out
            .last()
            .is_some_and(|prev: &String| line == format!("{prev} done"))
        {
            out.pop();
        }
        out.push(line);
    }
    out.join("\n")
}

#[test]
fn plain_progress_matches_buildx_line_by_line() {
    on_each_daemon(plain_progress_on);
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
    ok(buildx_on(&cfg, env, daemon)
        .args(["-q", "-t", &tag])
        .arg(ctx.path()));
    // The printers batch events by arrival time (100 ms display interval,
    // 150 ms tick, as buildx): on a loaded machine a status can land in the
    // next batch for either tool and reprint a step header. The same events
    // always give the same text (tests/progress.rs); here up to three
    // attempts absorb that timing.
    for attempt in 1..=3 {
        let a = run(buildx_on(&cfg, env, daemon)
            .args(["--progress=plain", "-t", &tag])
            .arg(ctx.path()));
        let b = run(rkbuild_on(&cfg, env, daemon)
            .args(["--progress=plain", "-t", &tag])
            .arg(ctx.path()));
        assert!(a.status.success() && b.status.success());
        let (na, nb) = (
            normalize_plain_on(&stderr(&a), env, daemon),
            normalize_plain_on(&stderr(&b), env, daemon),
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
    let a = run(buildx_on(&cfg, env, daemon)
        .args(["--progress=plain"])
        .arg(ctx.path()));
    let b = run(rkbuild_on(&cfg, env, daemon)
        .args(["--progress=plain"])
        .arg(ctx.path()));
    assert_eq!(a.status.code(), b.status.code());
    let (na, nb) = (
        normalize_plain_on(&stderr(&a), env, daemon),
        normalize_plain_on(&stderr(&b), env, daemon),
    );
    // The first run executes the RUN; compare from the failing step on.
    let tail = |s: &str| s[s.find("------").unwrap_or(0)..].to_string();
    assert_eq!(tail(&na), tail(&nb));
    if daemon == Daemon::Docker {
        let _ = run(cfg.docker(env).args(["rmi", "-f", &tag]));
    }
}

/// [`normalize_plain`], and on the standalone BuildKit the builder's name
/// in the first line: buildx names its remote builder, rkbuild (which does
/// not read buildx's builder store yet) the address.
fn normalize_plain_on(s: &str, env: &TestEnv, daemon: Daemon) -> String {
    let s = normalize_plain(s);
    match daemon {
        Daemon::Docker => s,
        Daemon::Buildkit => s
            .replace(
                &format!("building with \"{}\" instance", env.buildx_remote),
                "building with \"B\" instance",
            )
            .replace(
                &format!("building with \"{}\" instance", env.buildkit_host),
                "building with \"B\" instance",
            ),
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
    let env = daemon!();
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
    let (a, b) = both_fail(env, &cfg, &["--build-context", &layout_ref, ctx_arg]);
    assert_eq!(last_line(&a), last_line(&b));
    assert_eq!(
        last_line(&b),
        format!(
            "ERROR: failed to solve: failed to resolve source metadata for \
             docker.io/library/base@{digest}: unknown scheme oci-layout: not found"
        ),
        "{}",
        stderr(&b)
    );
    // The default tag and an explicit digest name the same image.
    for suffix in [String::new(), format!("@{digest}")] {
        let r = format!("base=oci-layout://{}{suffix}", layout.display());
        let (a, b) = both_fail(env, &cfg, &["--build-context", &r, ctx_arg]);
        assert_eq!(last_line(&a), last_line(&b), "{suffix}");
        assert!(last_line(&b).contains(&digest), "{}", stderr(&b));
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
        let (a, b) = both_fail(env, &cfg, &["--build-context", &arg, ctx_arg]);
        assert_eq!(last_line(&a), last_line(&b), "{arg}");
        assert_eq!(last_line(&b), want, "{arg}");
        // buildx fails before it starts a build: so does rkbuild.
        assert!(!stderr(&b).contains("#1 "), "{}", stderr(&b));
    }
}

#[test]
fn plain_normalizer_drops_what_timing_decides() {
    let a = "#8 naming to docker.io/x:y\n#8 naming to docker.io/x:y done\n#8 DONE 0.1s";
    let b = "#8 naming to docker.io/x:y 0.0s done\n#8 DONE 0.0s";
    assert_eq!(normalize_plain(a), normalize_plain(b));
    // A status that changes is kept.
    assert_ne!(
        normalize_plain("#5 transferring context: 2B\n#5 transferring context: 26B done"),
        normalize_plain("#5 transferring context: 26B done")
    );
}

#[test]
fn go_log_lines_are_recognised() {
    assert!(is_go_log_line(
        "2026/12/01 23:51:23 http2: server connection error from localhost: connection error: PROTOCOL_ERROR"
    ));
    assert!(!is_go_log_line(
        "#1 [internal] load build definition from Dockerfile"
    ));
    assert!(!is_go_log_line("2026/12/01 23:51"));
}
