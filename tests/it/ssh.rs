//! `--ssh` side by side with buildx 0.13.1 on both daemons: a real
//! `ssh-agent` holding a key, and key files, reached from `RUN
//! --mount=type=ssh` by a static probe that speaks the agent protocol
//! (lists, signs, and tries to add a key, which must be refused).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::OnceLock;

use common::*;

/// The probe (tests/fixtures/ssh_probe.rs), built static once.
fn probe() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ssh_probe");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ssh_probe.rs");
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let o = run(Command::new(rustc)
            .args([
                "--edition",
                "2021",
                "-O",
                "-C",
                "target-feature=+crt-static",
                "-o",
            ])
            .arg(&out)
            .arg(&src));
        assert!(o.status.success(), "building the SSH probe: {}", stderr(&o));
        out
    })
}

struct Agent {
    child: Child,
    sock: PathBuf,
    _dir: tempfile::TempDir,
    key: PathBuf,
    locked_key: PathBuf,
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real ssh-agent with one ed25519 key (`rkbuild-test-key`), plus a
/// passphrase-protected key file.
fn agent() -> Agent {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("agent.sock");
    let key = dir.path().join("id_ed25519");
    let locked_key = dir.path().join("id_locked");
    for (path, pass) in [(&key, ""), (&locked_key, "secret-pass")] {
        let o = run(Command::new("ssh-keygen")
            .args([
                "-q",
                "-t",
                "ed25519",
                "-C",
                "rkbuild-test-key",
                "-N",
                pass,
                "-f",
            ])
            .arg(path));
        assert!(o.status.success(), "ssh-keygen: {}", stderr(&o));
    }
    let child = Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&sock)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("ssh-agent (package openssh-client)");
    for _ in 0..100 {
        if sock.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = run(Command::new("ssh-add")
        .env("SSH_AUTH_SOCK", &sock)
        .arg(&key));
    assert!(o.status.success(), "ssh-add: {}", stderr(&o));
    Agent {
        child,
        sock,
        _dir: dir,
        key,
        locked_key,
    }
}

fn probe_context(base: &str) -> tempfile::TempDir {
    let ctx = context(&[(
        "Dockerfile",
        &format!(
            "FROM {base}\nCOPY ssh_probe /probe\n\
             RUN --mount=type=ssh /probe > /agent.txt\n\
             FROM scratch\nCOPY --from=0 /agent.txt /\n"
        ),
    )]);
    std::fs::copy(probe(), ctx.path().join("ssh_probe")).unwrap();
    ctx
}

#[test]
fn ssh_agent_and_key_files_reach_the_run_step() {
    on_daemons(BOTH, ssh_on);
}

fn ssh_on(env: &TestEnv, daemon: Daemon) {
    let agent = agent();
    let cfg = DockerConfig::new(env);
    let ctx = probe_context(env.base_image_on(daemon));
    for (case, ssh) in [
        ("agent", "default".to_string()),
        ("keyfile", format!("default={}", agent.key.display())),
    ] {
        let out = SideBySide::build(&cfg, env, daemon)
            .env("SSH_AUTH_SOCK", &agent.sock)
            .args(["--progress=plain", "--no-cache", "--ssh", &ssh])
            .local_output()
            .arg(ctx.path())
            .expect_success();
        let found = Tool::BOTH.map(|t| out.file(t, "agent.txt"));
        assert_eq!(
            found[0], found[1],
            "{case} on {daemon:?}: buildx vs rkbuild"
        );
        assert_eq!(
            found[1],
            if case == "agent" {
                "keys=1\ncomment=rkbuild-test-key\nsign=ok\nadd=refused\n"
            } else {
                // Key files carry no comment in BuildKit's keyring.
                "keys=1\ncomment=\nsign=ok\nadd=refused\n"
            },
            "{case} on {daemon:?}"
        );
    }
}

#[test]
fn bad_ssh_values_fail_as_buildx() {
    on_daemons(&[Daemon::Docker], bad_ssh_values_fail_as_buildx_on);
}

fn bad_ssh_values_fail_as_buildx_on(env: &TestEnv, daemon: Daemon) {
    let agent = agent();
    let cfg = DockerConfig::new(env);
    let ctx = probe_context(&env.base_image);
    let locked = format!("default={}", agent.locked_key.display());
    let cases: Vec<(Vec<&str>, bool)> = vec![
        (vec!["--ssh", "default"], false),
        (vec!["--ssh", &locked], true),
        (vec!["--ssh", "k=/nonexistent/rkbuild-key"], true),
        (vec!["--ssh", "default", "--ssh", "default"], true),
    ];
    for (flags, with_sock) in cases {
        let mut pair = SideBySide::build(&cfg, env, daemon).env_remove("SSH_AUTH_SOCK");
        if with_sock {
            pair = pair.env("SSH_AUTH_SOCK", &agent.sock);
        }
        pair.args(["--progress=plain"])
            .args(&flags)
            .arg(ctx.path())
            .expect_code(1)
            .same_last_line();
    }
    // A required mount of an id that was not forwarded fails the step, for
    // both (an optional one is skipped).
    let ctx = context(&[(
        "Dockerfile",
        &format!(
            "FROM {}\nRUN --mount=type=ssh,id=nope,required=true true\n",
            env.base_image
        ),
    )]);
    SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain"])
        .arg(ctx.path())
        .expect_code(1)
        .expect_failure_containing("nope");
}
