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

#[test]
fn git_and_tarball_contexts() {
    on_daemons(BOTH, remote_on);
}

fn remote_on(env: &TestEnv, daemon: Daemon) {
    let srv = serve_repos(env.base_image_on(daemon));
    let cfg = DockerConfig::new(env);
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
    let build = || SideBySide::build(&cfg, env, daemon).args(["--progress=plain", "--no-cache"]);
    for (case, args, file, want) in &cases {
        let out = build().args(args).local_output().expect_success();
        for tool in Tool::BOTH {
            assert_eq!(out.file(tool, file), *want, "{tool} {case} on {daemon:?}");
        }
    }
    // The private repository: without the token both fail; with it (a
    // --secret for buildx, the environment alone for rkbuild) both build,
    // and the token travels only in the Authorization header.
    let private = srv.url("private/repo.git");
    build().arg(&private).local_output().expect_code(1);
    let secret = ["--secret", "id=GIT_AUTH_TOKEN,env=GIT_AUTH_TOKEN"];
    let out = build()
        .env("GIT_AUTH_TOKEN", TOKEN)
        .per_tool(|t| if t == Tool::Buildx { &secret[..] } else { &[] })
        .arg(&private)
        .local_output()
        .expect_success();
    // And rkbuild given the secret as buildx is.
    let with_flag = build()
        .env("GIT_AUTH_TOKEN", TOKEN)
        .args(secret)
        .arg(&private)
        .local_output()
        .expect_success();
    for (out, tool, how) in [
        (&out, Tool::Buildx, "with --secret"),
        (&out, Tool::Rkbuild, "from the environment"),
        (&with_flag, Tool::Rkbuild, "with --secret"),
    ] {
        assert_eq!(
            out.file(tool, "top"),
            "hello from git\n",
            "{tool} {how} on {daemon:?}"
        );
        let err = out.stderr(tool);
        assert!(
            !err.contains(TOKEN),
            "{tool} {how}: the token is in the progress"
        );
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
