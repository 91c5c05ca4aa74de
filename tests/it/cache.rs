//! Cache import and export side by side with buildx 0.13.1 — inline on the
//! docker driver; local and registry on the standalone BuildKit — and
//! `--load` from the standalone BuildKit into dockerd: after pruning the
//! builder, a second build is fully CACHED from the imported cache.

use crate::common;

use std::process::Command;

use common::*;

/// Empties the standalone buildkitd's build cache.
fn prune_buildkitd(env: &TestEnv) {
    let o = run(Command::new(&env.vars["RKBUILD_TEST_BUILDCTL"]).args([
        "--addr",
        &env.buildkit_host,
        "prune",
        "--all",
    ]));
    assert!(o.status.success(), "buildctl prune: {}", stderr(&o));
}

/// Empties dockerd's build cache.
fn prune_docker(cfg: &DockerConfig, env: &TestEnv) {
    let o = run(cfg.docker(env).args(["builder", "prune", "-af"]));
    assert!(o.status.success(), "docker builder prune: {}", stderr(&o));
}

/// A Dockerfile whose RUN step is new for each `salt` (so the first build
/// really runs it) and expensive enough to notice.
fn dockerfile(base: &str, salt: &str) -> String {
    format!("FROM {base}\nRUN echo {salt} > /salt && echo built > /b\n")
}

fn assert_run_cached(tool: &str, case: &str, o: &std::process::Output) {
    let err = stderr(o);
    assert!(o.status.success(), "{tool} {case}: {err}");
    let run_step = err
        .lines()
        .position(|l| l.contains("RUN echo"))
        .unwrap_or_else(|| panic!("{tool} {case}: no RUN step: {err}"));
    let id = err
        .lines()
        .nth(run_step)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    assert!(
        err.lines().any(|l| l == format!("{id} CACHED")),
        "{tool} {case}: the RUN step was not CACHED after the import:\n{err}"
    );
}

fn salt(tool: &str, case: &str) -> String {
    format!(
        "{tool}-{case}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[test]
fn local_and_registry_cache_round_trips_on_buildkitd() {
    let env = daemon!();
    if !env.daemons().contains(&Daemon::Buildkit) {
        return;
    }
    let cfg = DockerConfig::new(env);
    let work = tempfile::tempdir().unwrap();
    let base = env.base_image_on(Daemon::Buildkit);
    for tool in ["buildx", "rkbuild"] {
        let cmd = |cfg: &DockerConfig| {
            if tool == "buildx" {
                buildx_on(cfg, env, Daemon::Buildkit)
            } else {
                rkbuild_on(cfg, env, Daemon::Buildkit)
            }
        };
        // Local: a directory written through the session's content store.
        let ctx = context(&[("Dockerfile", &dockerfile(base, &salt(tool, "local")))]);
        let dir = work.path().join(format!("cache-{tool}"));
        let o = run(cmd(&cfg)
            .args(["--progress=plain", "--cache-to"])
            .arg(format!("type=local,dest={},mode=max", dir.display()))
            .arg(ctx.path()));
        assert!(o.status.success(), "{tool} local export: {}", stderr(&o));
        for f in ["index.json", "oci-layout", "blobs/sha256", "ingest"] {
            assert!(
                dir.join(f).exists(),
                "{tool}: no {f} in the cache directory"
            );
        }
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
        assert_eq!(
            index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "latest",
            "{tool}: {index}"
        );
        prune_buildkitd(env);
        let o = run(cmd(&cfg)
            .args(["--progress=plain", "--cache-from"])
            .arg(format!("type=local,src={}", dir.display()))
            .arg(ctx.path()));
        assert_run_cached(tool, "local", &o);

        // Registry: the shorthand form on import.
        let ctx = context(&[("Dockerfile", &dockerfile(base, &salt(tool, "registry")))]);
        let reference = format!("{}/rk/cache-{tool}:c", env.registry);
        let o = run(cmd(&cfg)
            .args(["--progress=plain", "--cache-to"])
            .arg(format!("type=registry,ref={reference},mode=max"))
            .arg(ctx.path()));
        assert!(o.status.success(), "{tool} registry export: {}", stderr(&o));
        prune_buildkitd(env);
        let o = run(cmd(&cfg)
            .args(["--progress=plain", "--cache-from", &reference])
            .arg(ctx.path()));
        assert_run_cached(tool, "registry", &o);
    }
    // The two index.json files have the same form (BuildKit's ociindex).
    let shape = |tool: &str| {
        let t =
            std::fs::read_to_string(work.path().join(format!("cache-{tool}/index.json"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        let d = v["manifests"][0]["digest"].as_str().unwrap().to_string();
        let size = format!("\"size\":{}", v["manifests"][0]["size"]);
        t.replace(&d, "DIGEST").replace(&size, "\"size\":SIZE")
    };
    assert_eq!(
        shape("buildx"),
        shape("rkbuild"),
        "index.json, buildx vs rkbuild"
    );
}

#[test]
fn inline_cache_on_the_docker_driver() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    for tool in ["buildx", "rkbuild"] {
        let cmd = |cfg: &DockerConfig| {
            if tool == "buildx" {
                buildx(cfg, env)
            } else {
                rkbuild(cfg, env)
            }
        };
        let ctx = context(&[(
            "Dockerfile",
            &dockerfile(&env.base_image, &salt(tool, "inline")),
        )]);
        let reference = format!("{}/rk/inline-{tool}:1", env.registry);
        let o = run(cmd(&cfg)
            .args([
                "--progress=plain",
                "--cache-to",
                "type=inline",
                "--push",
                "-t",
                &reference,
            ])
            .arg(ctx.path()));
        assert!(o.status.success(), "{tool} inline export: {}", stderr(&o));
        prune_docker(&cfg, env);
        let _ = run(cfg.docker(env).args(["rmi", "-f", &reference]));
        let o = run(cmd(&cfg)
            .args(["--progress=plain", "--cache-from", &reference])
            .arg(ctx.path()));
        assert_run_cached(tool, "inline", &o);
    }
}

#[test]
fn docker_driver_refuses_cache_exports_as_buildx() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\n")]);
    for flags in [
        vec!["--cache-to", "type=local,dest=/tmp/rkbuild-never"],
        vec!["--cache-to", "type=registry,ref=x/y:z"],
        vec!["--cache-to", "user/app:cache"],
        vec!["--cache-to", "mode=max"],
        vec!["--cache-from", "type=local"],
        vec!["--cache-to", "type=local,x"],
        vec!["--build-arg", "BUILDKIT_INLINE_CACHE=1"],
    ] {
        let mut results = Vec::new();
        for mut cmd in [buildx(&cfg, env), rkbuild(&cfg, env)] {
            let o = run(cmd.args(["--progress=quiet"]).args(&flags).arg(ctx.path()));
            results.push((o.status.code(), stderr_last_line(&o)));
        }
        assert_eq!(results[0], results[1], "{flags:?}: buildx vs rkbuild");
    }
    assert!(!std::path::Path::new("/tmp/rkbuild-never").exists());
}

#[test]
fn load_from_buildkitd_into_dockerd() {
    let env = daemon!();
    if !env.daemons().contains(&Daemon::Buildkit) {
        return;
    }
    let cfg = DockerConfig::new(env);
    let base = env.base_image_on(Daemon::Buildkit);
    for tool in ["buildx", "rkbuild"] {
        let s = salt(tool, "load");
        let ctx = context(&[(
            "Dockerfile",
            &format!("FROM {base}\nRUN echo {s} > /loaded\n"),
        )]);
        let tag = format!("rk/load-{tool}:1");
        let mut cmd = if tool == "buildx" {
            buildx_on(&cfg, env, Daemon::Buildkit)
        } else {
            rkbuild_on(&cfg, env, Daemon::Buildkit)
        };
        let o = run(cmd
            .args(["--progress=plain", "--load", "-t", &tag])
            .arg(ctx.path()));
        assert!(o.status.success(), "{tool} --load: {}", stderr(&o));
        let err = stderr(&o);
        let exporting = err.find("exporting to docker image format");
        let importing = err.find(" importing to docker\n");
        // buildx starts its "importing to docker" step as the tarball
        // begins to stream, so on a tiny image it may come first there;
        // rkbuild names the load after the export.
        assert!(
            exporting.is_some() && importing.is_some(),
            "{tool}: the progress names the export and the load:\n{err}"
        );
        if tool == "rkbuild" {
            assert!(
                importing > exporting,
                "{tool}: the progress names the load after the export:\n{err}"
            );
        }
        let out = run(cfg
            .docker(env)
            .args(["run", "--rm", &tag, "cat", "/loaded"]));
        assert_eq!(
            stdout(&out).trim(),
            s,
            "{tool}: docker run of the loaded image"
        );
        if tool == "rkbuild" {
            // The same image again: the daemon has it, nothing is sent.
            let o = run(rkbuild_on(&cfg, env, Daemon::Buildkit)
                .args([
                    "--progress=plain",
                    "--load",
                    "-t",
                    &tag,
                    "-t",
                    "rk/load-rkbuild:2",
                ])
                .arg(ctx.path()));
            let err = stderr(&o);
            assert!(o.status.success(), "second --load: {err}");
            assert!(
                err.contains("already loaded"),
                "the transfer was not skipped:\n{err}"
            );
            let out =
                run(cfg
                    .docker(env)
                    .args(["run", "--rm", "rk/load-rkbuild:2", "cat", "/loaded"]));
            assert_eq!(stdout(&out).trim(), s, "the new tag names the image");
        }
        let _ = run(cfg
            .docker(env)
            .args(["rmi", "-f", &tag, "rk/load-rkbuild:2"]));
    }
}
