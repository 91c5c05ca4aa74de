//! Remote contexts side by side with buildx 0.13.1 on both daemons: git
//! repositories over HTTP on loopback (public, and token-protected with the
//! token from `GIT_AUTH_TOKEN` passed as a build secret), `#ref:subdir`
//! fragments, git named contexts, and a tarball context.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::http::StaticServer;
use common::*;

const TOKEN: &str = "rkbuild-git-token-4b1d9e";

fn git(dir: &Path, args: &[&str]) {
    let o = run(Command::new("git")
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "rk")
        .env("GIT_AUTHOR_EMAIL", "rk@example.invalid")
        .env("GIT_COMMITTER_NAME", "rk")
        .env("GIT_COMMITTER_EMAIL", "rk@example.invalid")
        .args(args));
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

/// A repository with a Dockerfile at the top and one in `sub/`, served as
/// `public/repo.git` and `private/repo.git`; and `ctx.tar.gz`.
fn serve_repos(base: &str) -> StaticServer {
    let srv = StaticServer::start(TOKEN);
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    std::fs::create_dir_all(repo.join("sub")).unwrap();
    std::fs::write(
        repo.join("Dockerfile"),
        format!("FROM {base}\nCOPY hello /hello\nRUN cat /hello > /top\nFROM scratch\nCOPY --from=0 /top /top\n"),
    )
    .unwrap();
    std::fs::write(repo.join("hello"), "hello from git\n").unwrap();
    std::fs::write(
        repo.join("sub/Dockerfile"),
        "FROM scratch\nCOPY note /sub-note\n",
    )
    .unwrap();
    std::fs::write(repo.join("sub/note"), "from the subdir\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "test"]);
    for kind in ["public", "private"] {
        let bare = srv.path(&format!("{kind}/repo.git"));
        std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
        let o = run(Command::new("git")
            .args(["clone", "-q", "--bare"])
            .arg(&repo)
            .arg(&bare));
        assert!(o.status.success(), "git clone --bare: {}", stderr(&o));
        git(&bare, &["update-server-info"]);
    }
    let o = run(Command::new("tar")
        .arg("-C")
        .arg(repo.join("sub"))
        .arg("-czf")
        .arg(srv.path("ctx.tar.gz"))
        .arg("."));
    assert!(o.status.success(), "tar: {}", stderr(&o));
    srv
}

fn build_out(mut cmd: Command, args: &[&str], out: &Path) -> std::process::Output {
    run(cmd
        .args(["--progress=plain", "--no-cache"])
        .args(args)
        .arg("-o")
        .arg(format!("type=local,dest={}", out.display())))
}

#[test]
fn git_and_tarball_contexts() {
    on_each_daemon(remote_on);
}

fn remote_on(env: &TestEnv, daemon: Daemon) {
    let srv = serve_repos(env.base_image_on(daemon));
    let cfg = DockerConfig::new(env);
    let work = tempfile::tempdir().unwrap();
    let public = srv.url("public/repo.git");
    let named_ctx = context(&[(
        "Dockerfile",
        "FROM scratch\nCOPY --from=src /hello /named-hello\n",
    )]);
    let named_arg = format!("src={public}#main");
    let cases: Vec<(&str, Vec<String>, &str, &str)> = vec![
        ("git", vec![public.clone()], "top", "hello from git\n"),
        (
            "git-subdir",
            vec![format!("{public}#main:sub")],
            "sub-note",
            "from the subdir\n",
        ),
        (
            "tarball",
            vec![srv.url("ctx.tar.gz")],
            "sub-note",
            "from the subdir\n",
        ),
        (
            "named",
            vec![
                "--build-context".into(),
                named_arg,
                named_ctx.path().display().to_string(),
            ],
            "named-hello",
            "hello from git\n",
        ),
    ];
    for (case, args, file, want) in &cases {
        for (tool, cmd) in [
            ("buildx", buildx_on(&cfg, env, daemon)),
            ("rkbuild", rkbuild_on(&cfg, env, daemon)),
        ] {
            let out = work.path().join(format!("{case}-{tool}"));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = build_out(cmd, &args, &out);
            assert!(
                o.status.success(),
                "{tool} {case} on {daemon:?}: {}",
                stderr(&o)
            );
            assert_eq!(
                std::fs::read_to_string(out.join(file)).unwrap_or_default(),
                *want,
                "{tool} {case} on {daemon:?}"
            );
        }
    }
    // The private repository: without the token both fail; with it (a
    // --secret for buildx, the environment alone for rkbuild) both build,
    // and the token travels only in the Authorization header.
    let private = srv.url("private/repo.git");
    for (tool, cmd) in [
        ("buildx", buildx_on(&cfg, env, daemon)),
        ("rkbuild", rkbuild_on(&cfg, env, daemon)),
    ] {
        let o = build_out(
            cmd,
            &[&private],
            &work.path().join(format!("denied-{tool}")),
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "{tool} without a token on {daemon:?}"
        );
    }
    for (tool, mut cmd, extra) in [
        (
            "buildx",
            buildx_on(&cfg, env, daemon),
            vec!["--secret", "id=GIT_AUTH_TOKEN,env=GIT_AUTH_TOKEN"],
        ),
        ("rkbuild", rkbuild_on(&cfg, env, daemon), vec![]),
        (
            "rkbuild-flag",
            rkbuild_on(&cfg, env, daemon),
            vec!["--secret", "id=GIT_AUTH_TOKEN,env=GIT_AUTH_TOKEN"],
        ),
    ] {
        cmd.env("GIT_AUTH_TOKEN", TOKEN);
        let out = work.path().join(format!("private-{tool}"));
        let mut args = extra.clone();
        args.push(&private);
        let o = build_out(cmd, &args, &out);
        let err = stderr(&o);
        assert!(
            o.status.success(),
            "{tool} private git on {daemon:?}: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("top")).unwrap_or_default(),
            "hello from git\n"
        );
        assert!(!err.contains(TOKEN), "{tool}: the token is in the progress");
    }
    for r in srv.requests() {
        assert!(!r.path.contains(TOKEN), "the token was in a URL: {r:?}");
    }
    assert!(
        srv.requests()
            .iter()
            .any(|r| r.path.starts_with("/private/") && r.status == 200),
        "the private repository was never read"
    );
}
