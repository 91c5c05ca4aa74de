//! bookworm's own dockerd 20.10.24 (embedded BuildKit 0.8, no
//! `Control.Info`), started by the test environment beside the main daemon:
//! builds, exports, `du`, `ls`, `inspect` and `version` work and match
//! buildx 0.13.1 (an old BuildKit is not an error).

use crate::common;

use common::*;

fn old(env: &TestEnv) -> String {
    let h = env
        .vars
        .get("RKBUILD_TEST_OLD_DOCKER_HOST")
        .cloned()
        .unwrap_or_default();
    assert!(
        !h.is_empty(),
        "the test environment has no old dockerd (RKBUILD_TEST_OLD_DOCKER_HOST is empty): run `scripts/testenv up`"
    );
    h
}

#[test]
fn dockerd_20_10_builds_and_lists_as_with_buildx() {
    on_daemons(
        &[Daemon::Docker],
        dockerd_20_10_builds_and_lists_as_with_buildx_on,
    );
}

fn dockerd_20_10_builds_and_lists_as_with_buildx_on(env: &TestEnv, daemon: Daemon) {
    let host = old(env);
    let cfg = DockerConfig::new(env);
    // The docker driver, on the old daemon.
    let cli = || SideBySide::cli(&cfg, env).env("DOCKER_HOST", &host);
    let on = |tool: Tool| {
        let mut c = tool.cli(&cfg, env);
        c.env("DOCKER_HOST", &host);
        c
    };
    for args in [&["ls"][..], &["inspect"], &["inspect", "default"]] {
        let out = cli().args(args).expect_success();
        out.same_output();
        let listed = out.stdout(Tool::Rkbuild);
        assert!(
            listed.contains("running") && listed.contains("v0.8+unknown"),
            "{listed}"
        );
    }
    let v = run(on(Tool::Rkbuild).arg("version"));
    assert!(v.status.success(), "{}", stderr(&v));
    assert!(
        stdout(&v).contains("BuildKit:  v0.8+unknown"),
        "{}",
        stdout(&v)
    );
    // A build with a local export, by both.
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\nCOPY sub /sub\n"),
        ("a", "old daemon\n"),
        ("sub/b", "b\n"),
    ]);
    let out = SideBySide::build(&cfg, env, daemon)
        .env("DOCKER_HOST", &host)
        .args(["--progress=plain"])
        .local_output()
        .arg(ctx.path())
        .expect_success();
    for (p, want) in [("a", "old daemon\n"), ("sub/b", "b\n")] {
        assert_eq!(out.file(Tool::Buildx, p), want, "{p}");
        assert_eq!(out.file(Tool::Rkbuild, p), want, "{p}");
    }
    // du: the same table (the same records, one daemon). The two runs may
    // fall in different seconds: "LAST ACCESSED" (relative to now, the
    // last cell of a record's row) is compared without its seconds count.
    let out = cli().arg("du").expect_success();
    let seconds = |out: &str| -> String {
        out.lines()
            .map(|l| match l.strip_suffix(" seconds ago") {
                Some(rest) => format!(
                    "{} N seconds ago",
                    rest.trim_end_matches(|c: char| c.is_ascii_digit())
                ),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    out.same_by("du's table", |o| seconds(&stdout(o)));
    let table = out.stdout(Tool::Rkbuild);
    assert!(table.contains("Total:"), "{table}");
}
