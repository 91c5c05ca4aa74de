//! Reaching daemons the way the docker CLI and buildx do: docker contexts
//! (`--context`, `DOCKER_CONTEXT`, `currentContext`, `-H`), `ssh://` docker
//! hosts through a real sshd on loopback, `kube-pod://` builders through a
//! `kubectl` stand-in that runs the real `buildctl dial-stdio`, and
//! `docker-container://` builders, side by side with buildx.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use common::*;

use common::{docker_buildx as bx, docker_rkbuild as rk};

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn docker_contexts_pick_the_daemon_and_builder_as_buildx() {
    on_daemons(
        &[Daemon::Docker],
        docker_contexts_pick_the_daemon_and_builder_as_buildx_on,
    );
}

fn docker_contexts_pick_the_daemon_and_builder_as_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    for name in ["ctx-a", "ctx-b"] {
        ok(cfg.docker(env).args([
            "context",
            "create",
            name,
            "--docker",
            &format!("host={}", env.docker_host),
        ]));
    }
    for (what, cur) in [
        ("DOCKER_HOST", "default"),
        ("--context", "ctx-a"),
        ("DOCKER_CONTEXT", "ctx-b"),
    ] {
        for args in [&["ls"][..], &["inspect"]] {
            let pair = SideBySide::cli(&cfg, env);
            let pair = match what {
                "--context" => pair
                    .env_remove("DOCKER_HOST")
                    .docker_args(["--context", "ctx-a"]),
                "DOCKER_CONTEXT" => pair
                    .env_remove("DOCKER_HOST")
                    .env("DOCKER_CONTEXT", "ctx-b"),
                _ => pair,
            };
            let out = pair.args(args).expect_success();
            out.same_output();
            // ls marks the current builder; inspect names it first.
            let listed = out.stdout(Tool::Rkbuild);
            let named = if args[0] == "ls" {
                listed.contains(&format!("{cur}*"))
            } else {
                let first = listed.lines().next().unwrap_or("");
                first.split_whitespace().eq(["Name:", cur])
            };
            assert!(named, "{what}: {listed}");
        }
    }
    // currentContext in config.json.
    cfg.write_config(r#"{"currentContext":"ctx-b"}"#);
    let out = SideBySide::cli(&cfg, env)
        .env_remove("DOCKER_HOST")
        .arg("ls")
        .expect_success();
    out.same_output();
    let listed = out.stdout(Tool::Rkbuild);
    assert!(listed.contains("ctx-b*"), "{listed}");
    // A build on a context's builder from that context; from elsewhere,
    // buildx's refusal.
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "ctx\n")]);
    let o = run(rk(&cfg, env)
        .env_remove("DOCKER_HOST")
        .args(["--progress=plain", "-o", "type=cacheonly"])
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("building with \"ctx-b\" instance using docker driver"));
    SideBySide::build(&cfg, env, daemon)
        .env_remove("DOCKER_HOST")
        .builder("ctx-a")
        .arg(ctx.path())
        .expect_failure_containing(
            "ERROR: use `docker --context=ctx-a buildx` to switch to context \"ctx-a\"",
        )
        .same_last_line();
}

struct Sshd {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) {
    let o = run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path));
    assert!(o.status.success(), "ssh-keygen: {}", stderr(&o));
}

/// Debian's sshd on loopback: key auth only, a throw-away configuration
/// and keys; its sessions reach the test daemon's docker CLI.
fn sshd(env: &TestEnv) -> Sshd {
    assert!(
        Path::new("/usr/sbin/sshd").exists(),
        "no sshd (package openssh-server): run `scripts/testenv up`"
    );
    let dir = tempfile::Builder::new()
        .prefix("rk-sshd-")
        .tempdir_in("/tmp")
        .unwrap();
    let d = dir.path();
    keygen(&d.join("hostkey"));
    keygen(&d.join("id"));
    std::fs::copy(d.join("id.pub"), d.join("authorized_keys")).unwrap();
    keygen(&d.join("otherid"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let docker_dir = env.docker_bin.parent().unwrap().display().to_string();
    std::fs::write(
        d.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {0}/hostkey\nAuthorizedKeysFile {0}/authorized_keys\n\
             PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             UsePAM no\nStrictModes no\nPidFile {0}/sshd.pid\n\
             SetEnv PATH={docker_dir}:/usr/local/bin:/usr/bin:/bin\n",
            d.display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all("/run/sshd").unwrap();
    let log = std::fs::File::create(d.join("sshd.log")).unwrap();
    let child = Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f"])
        .arg(d.join("sshd_config"))
        .stderr(log)
        .spawn()
        .expect("start sshd");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "sshd did not listen: {}",
            std::fs::read_to_string(d.join("sshd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Sshd { child, dir, port }
}

#[test]
fn ssh_docker_host_through_a_real_sshd() {
    on_daemons(&[Daemon::Docker], ssh_docker_host_through_a_real_sshd_on);
}

fn ssh_docker_host_through_a_real_sshd_on(env: &TestEnv, _daemon: Daemon) {
    let s = sshd(env);
    let d = s.dir.path();
    // The real ssh, with the test's key and no known_hosts (ssh reads the
    // user's ~/.ssh, not $HOME's): a wrapper on PATH records the argv.
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for (name, key) in [("ok", "id"), ("bad", "otherid")] {
        std::fs::write(
            d.join(format!("ssh_config_{name}")),
            format!(
                "Host *\n  IdentityFile {}/{key}\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n",
                d.display()
            ),
        )
        .unwrap();
    }
    script(
        &bin,
        "ssh",
        &format!(
            "echo \"$@\" >> {0}/argv.log\nexec /usr/bin/ssh -F {0}/ssh_config_${{RK_SSH_CONFIG:-ok}} \"$@\"",
            d.display()
        ),
    );
    let cfg = DockerConfig::new(env);
    let host = format!(
        "ssh://root@127.0.0.1:{}{}",
        s.port,
        env.docker_sock.display()
    );
    let with = |mut c: Command| {
        c.env("DOCKER_HOST", &host).env("PATH", path_with(&bin));
        c
    };
    let out = SideBySide::cli(&cfg, env)
        .env("DOCKER_HOST", &host)
        .env("PATH", path_with(&bin))
        .arg("ls")
        .expect_success();
    out.same_output();
    let listed = out.stdout(Tool::Rkbuild);
    assert!(listed.contains("running"), "{listed}");
    let argv = std::fs::read_to_string(d.join("argv.log")).unwrap();
    let lines: Vec<&str> = argv.lines().collect();
    assert!(lines.len() >= 2, "{argv}");
    let want = format!(
        "-o ConnectTimeout=30 -l root -p {} -- 127.0.0.1 docker --host unix://{} system dial-stdio",
        s.port,
        env.docker_sock.display()
    );
    assert!(lines.iter().all(|l| *l == want), "{argv}\nwant: {want}");
    // A build over ssh (the docker driver: /grpc and /session through
    // `docker system dial-stdio`).
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\n"),
        ("a", "over ssh\n"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let o = run(with(rk(&cfg, env))
        .args(["--progress=plain", "-o"])
        .arg(format!("type=local,dest={}", out.path().display()))
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.path().join("a")).unwrap(),
        "over ssh\n"
    );
    // A key the server does not take: one line naming the host, quickly.
    let t = Instant::now();
    let o = run(with(rk(&cfg, env)).env("RK_SSH_CONFIG", "bad").arg("ls"));
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    let e = stderr(&o);
    assert!(e.contains("Permission denied (publickey)"), "{e}");
    let o = run(with(rk(&cfg, env))
        .env("RK_SSH_CONFIG", "bad")
        .arg(ctx.path()));
    assert!(!o.status.success());
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    let e = stderr_last_line(&o);
    assert!(
        e.starts_with("ERROR: ") && e.contains("Permission denied (publickey)"),
        "{e}"
    );
}

#[test]
fn kube_pod_builders_through_kubectl() {
    on_daemons(&[Daemon::Buildkit], kube_pod_builders_through_kubectl_on);
}

fn kube_pod_builders_through_kubectl_on(env: &TestEnv, _daemon: Daemon) {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("kubectl.log");
    // A kubectl stand-in: records its argv; pod `bk-0` is the test
    // environment's buildkitd (the real `buildctl dial-stdio`), any other
    // pod is not found, as the real kubectl says it.
    script(
        &bin,
        "kubectl",
        &format!(
            "echo \"$@\" >> {log}\ncase \"$*\" in\n  *\" -i bk-0 -- \"*) exec {ctl} --addr {addr} dial-stdio;;\nesac\n\
             echo 'Error from server (NotFound): pods \"nope\" not found' >&2\nexit 1",
            log = log.display(),
            ctl = env.vars["RKBUILD_TEST_BUILDCTL"],
            addr = env.buildkit_host
        ),
    );
    let cfg = DockerConfig::new(env);
    let with = |mut c: Command| {
        c.env("PATH", path_with(&bin));
        c
    };
    for (name, ep) in [
        (
            "kube",
            "kube-pod://bk-0?namespace=build&container=buildkitd",
        ),
        ("kube-gone", "kube-pod://nope"),
    ] {
        ok(with(bx(&cfg, env)).args(["create", "--name", name, "--driver", "remote", ep]));
    }
    let cli = || SideBySide::cli(&cfg, env).env("PATH", path_with(&bin));
    let out = cli().arg("ls").expect_success();
    out.same_output();
    let listed = out.stdout(Tool::Rkbuild);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with(" \\_ kube0") && l.contains("running")),
        "{listed}"
    );
    let argv = std::fs::read_to_string(&log).unwrap();
    let want =
        "--context= --namespace=build exec --container=buildkitd -i bk-0 -- buildctl dial-stdio";
    assert!(argv.lines().filter(|l| *l == want).count() >= 2, "{argv}");
    let out = cli().args(["inspect", "kube"]).expect_success();
    out.same_output();
    let listed = out.stdout(Tool::Rkbuild);
    assert!(listed.contains("running"), "{listed}");
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\n"),
        ("a", "in a pod\n"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let o = run(with(rk(&cfg, env))
        .args(["--builder", "kube", "--progress=plain", "-o"])
        .arg(format!("type=local,dest={}", out.path().display()))
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.path().join("a")).unwrap(),
        "in a pod\n"
    );
    // A pod that is not there: one line, naming it, quickly.
    let t = Instant::now();
    let o = run(with(rk(&cfg, env))
        .args(["--builder", "kube-gone"])
        .arg(ctx.path()));
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(!o.status.success());
    let e = stderr_last_line(&o);
    assert!(
        e.contains("kube-pod://nope") && e.contains("pods \"nope\" not found"),
        "{e}"
    );
}

#[test]
fn docker_daemons_over_tls_as_the_docker_cli_reaches_them() {
    on_daemons(
        &[Daemon::Docker],
        docker_daemons_over_tls_as_the_docker_cli_reaches_them_on,
    );
}

fn docker_daemons_over_tls_as_the_docker_cli_reaches_them_on(env: &TestEnv, _daemon: Daemon) {
    let host = env
        .vars
        .get("RKBUILD_TEST_OLD_TLS_HOST")
        .cloned()
        .unwrap_or_default();
    let certs = env
        .vars
        .get("RKBUILD_TEST_OLD_TLS_CERTS")
        .cloned()
        .unwrap_or_default();
    assert!(
        !host.is_empty() && !certs.is_empty(),
        "the test environment's old dockerd has no TLS listener (RKBUILD_TEST_OLD_TLS_HOST): run `scripts/testenv up`"
    );
    let cfg = DockerConfig::new(env);
    let c = |f: &str| format!("{certs}/{f}");
    ok(cfg.docker(env).args([
        "context",
        "create",
        "tlsctx",
        "--docker",
        &format!(
            "host={host},ca={},cert={},key={}",
            c("ca.pem"),
            c("cert.pem"),
            c("key.pem")
        ),
    ]));
    type Way<'a> = (&'a str, Vec<String>, Vec<(&'a str, String)>);
    let ways: Vec<Way> = vec![
        (
            "DOCKER_TLS_VERIFY",
            vec![],
            vec![
                ("DOCKER_HOST", host.clone()),
                ("DOCKER_TLS_VERIFY", "1".into()),
                ("DOCKER_CERT_PATH", certs.clone()),
            ],
        ),
        (
            "flags",
            [
                "-H",
                &host,
                "--tlsverify",
                "--tlscacert",
                &c("ca.pem"),
                "--tlscert",
                &c("cert.pem"),
                "--tlskey",
                &c("key.pem"),
            ]
            .map(String::from)
            .to_vec(),
            vec![],
        ),
        ("context", vec!["--context".into(), "tlsctx".into()], vec![]),
    ];
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\n"),
        ("a", "over TLS\n"),
    ]);
    for (what, globals, envs) in &ways {
        let cli = || {
            let mut pair = SideBySide::cli(&cfg, env)
                .env_remove("DOCKER_HOST")
                .docker_args(globals);
            for (k, v) in envs {
                pair = pair.env(k, v);
            }
            pair
        };
        for args in [&["ls"][..], &["inspect"]] {
            let out = cli().args(args).expect_success();
            out.same_output();
            let listed = out.stdout(Tool::Rkbuild);
            assert!(listed.contains("running"), "{what}: {listed}");
        }
        let out = tempfile::tempdir().unwrap();
        let o = run(cli()
            .command(Tool::Rkbuild)
            .args(["--progress=plain", "-o"])
            .arg(format!("type=local,dest={}", out.path().display()))
            .arg(ctx.path()));
        assert!(o.status.success(), "{what}: {}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(out.path().join("a")).unwrap(),
            "over TLS\n"
        );
    }
    // Plain HTTP to the TLS port, and a CA that did not sign the server:
    // refused, in one line, quickly.
    let out = SideBySide::cli(&cfg, env)
        .env("DOCKER_HOST", &host)
        .arg("ls")
        .expect_success();
    out.same_output();
    let said = format!("{}{}", out.stdout(Tool::Rkbuild), out.stderr(Tool::Rkbuild));
    assert!(
        said.contains("Cannot load builder default: Error response from daemon: Client sent an HTTP request to an HTTPS server."),
        "{said}"
    );
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(c("cert.pem"), other.path().join("cert.pem")).unwrap();
    std::fs::copy(c("key.pem"), other.path().join("key.pem")).unwrap();
    std::fs::copy(c("cert.pem"), other.path().join("ca.pem")).unwrap();
    let t = Instant::now();
    let o = run(rk(&cfg, env)
        .env("DOCKER_HOST", &host)
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", other.path())
        .arg(ctx.path()));
    assert!(t.elapsed() < Duration::from_secs(10));
    assert!(!o.status.success());
    let e = stderr_last_line(&o);
    assert!(
        e.contains("TLS with tcp://127.0.0.1:") && e.contains("certificate"),
        "{e}"
    );
}
