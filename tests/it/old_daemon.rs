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
    let env = daemon!();
    let host = old(env);
    let cfg = DockerConfig::new(env);
    let on = |tool: &str| {
        let mut c = cfg.docker(env);
        c.env("DOCKER_HOST", &host).arg(tool);
        c
    };
    for args in [&["ls"][..], &["inspect"], &["inspect", "default"]] {
        let b = run(on("buildx").args(args));
        let r = run(on("rkbuild").args(args));
        assert_eq!(stdout(&r), stdout(&b), "{args:?}");
        assert_eq!(stderr(&r), stderr(&b), "{args:?}");
        assert_eq!(r.status.code(), b.status.code(), "{args:?}");
    }
    let ls = stdout(&run(on("rkbuild").arg("ls")));
    assert!(
        ls.contains("running") && ls.contains("v0.8+unknown"),
        "{ls}"
    );
    let v = run(on("rkbuild").arg("version"));
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
    let mut outs = Vec::new();
    for tool in ["buildx", "rkbuild"] {
        let out = tempfile::tempdir().unwrap();
        let mut c = on(tool);
        if tool == "buildx" {
            c.arg("build");
        }
        let o = run(c
            .args(["--progress=plain", "-o"])
            .arg(format!("type=local,dest={}", out.path().display()))
            .arg(ctx.path()));
        assert!(o.status.success(), "{tool}: {}", stderr(&o));
        outs.push(out);
    }
    for p in ["a", "sub/b"] {
        assert_eq!(
            std::fs::read(outs[1].path().join(p)).unwrap(),
            std::fs::read(outs[0].path().join(p)).unwrap(),
            "{p}"
        );
    }
    // du: the same table (the same records, one daemon). The two runs may
    // fall in different seconds: "LAST ACCESSED" (relative to now, the
    // last cell of a record's row) is compared without its seconds count.
    let b = run(on("buildx").arg("du"));
    let r = run(on("rkbuild").arg("du"));
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
    assert_eq!(seconds(&stdout(&r)), seconds(&stdout(&b)));
    assert!(stdout(&r).contains("Total:"), "{}", stdout(&r));
}
