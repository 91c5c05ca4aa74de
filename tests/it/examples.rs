//! The library's examples, run against the real daemons: a build with
//! progress, a session service of one's own (a secret store), and the
//! build cache's disk usage.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::*;

/// `target/<profile>/examples/NAME`, built by `cargo build --examples`
/// (`cargo test` builds examples only as test harnesses).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target profile dir");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: build the examples first (cargo build --examples; make test does)",
        path.display()
    );
    path
}

/// Runs an example on `daemon` with the test environment's configuration.
fn run_example(env: &TestEnv, daemon: Daemon, name: &str, args: &[&str]) -> String {
    let cfg = DockerConfig::new(env);
    let mut c = Command::new(example(name));
    c.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DOCKER_HOST", &env.docker_host)
        .env("DOCKER_CONFIG", cfg.path())
        .env_remove("DOCKER_CONTEXT")
        .env_remove("BUILDKIT_HOST");
    if daemon == Daemon::Buildkit {
        c.env("BUILDKIT_HOST", &env.buildkit_host);
    }
    let o = run(&mut c);
    assert!(
        o.status.success(),
        "example {name} on {daemon:?} failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

#[test]
fn build_example_prints_progress_and_finishes() {
    let env = daemon!();
    for d in env.daemons() {
        let ctx = context(&[
            (
                "Dockerfile",
                &format!("FROM {}\nCOPY f /f\nRUN cat /f\n", env.base_image_on(d)),
            ),
            ("f", &rkbuild::session::new_id()),
        ]);
        let out = run_example(env, d, "build", &[ctx.path().to_str().unwrap()]);
        assert!(out.contains("[internal] load build definition"), "{out}");
        assert!(out.contains(" finished"), "{out}");
    }
}

#[test]
fn secrets_example_serves_its_own_secret_store() {
    let env = daemon!();
    for d in env.daemons() {
        let out = run_example(env, d, "secrets", &[env.base_image_on(d)]);
        assert!(out.contains("secret ok"), "{out}");
        assert!(!out.contains("hello from rkbuild\n"), "{out}");
        assert!(
            out.contains("the build read the secret from Greeter"),
            "{out}"
        );
    }
}

#[test]
fn disk_usage_example_lists_the_cache() {
    let env = daemon!();
    for d in env.daemons() {
        let out = run_example(env, d, "disk_usage", &[]);
        let last = out.lines().last().unwrap_or_default();
        assert!(last.ends_with(" bytes"), "{out}");
    }
}
