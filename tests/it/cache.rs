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

fn assert_run_cached(tool: Tool, case: &str, o: &std::process::Output) {
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

fn salt(tool: Tool, case: &str) -> String {
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
    on_daemons(
        &[Daemon::Buildkit],
        local_and_registry_cache_round_trips_on_buildkitd_on,
    );
}

fn local_and_registry_cache_round_trips_on_buildkitd_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let work = tempfile::tempdir().unwrap();
    let base = env.base_image_on(daemon);
    // Each tool its own RUN step, its own cache.
    let contexts = |case: &str| {
        Tool::BOTH.map(|t| context(&[("Dockerfile", &dockerfile(base, &salt(t, case)))]))
    };

    // Local: a directory written through the session's content store.
    let ctxs = contexts("local");
    let dir = |t: Tool| work.path().join(format!("cache-{t}"));
    SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--cache-to"])
        .per_tool(|t| [format!("type=local,dest={},mode=max", dir(t).display())])
        .per_tool(|t| [ctxs[t.index()].path()])
        .expect_success();
    for tool in Tool::BOTH {
        let dir = dir(tool);
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
    }
    prune_buildkitd(env);
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--cache-from"])
        .per_tool(|t| [format!("type=local,src={}", dir(t).display())])
        .per_tool(|t| [ctxs[t.index()].path()])
        .expect_success();
    for tool in Tool::BOTH {
        assert_run_cached(tool, "local", out.of(tool));
    }

    // Registry: the shorthand form on import.
    let ctxs = contexts("registry");
    let reference = |t: Tool| format!("{}/rk/cache-{t}:c", env.registry);
    SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--cache-to"])
        .per_tool(|t| [format!("type=registry,ref={},mode=max", reference(t))])
        .per_tool(|t| [ctxs[t.index()].path()])
        .expect_success();
    prune_buildkitd(env);
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--cache-from"])
        .per_tool(|t| [reference(t)])
        .per_tool(|t| [ctxs[t.index()].path()])
        .expect_success();
    for tool in Tool::BOTH {
        assert_run_cached(tool, "registry", out.of(tool));
    }
    // The two index.json files have the same form (BuildKit's ociindex).
    let shape = |tool: Tool| {
        let t =
            std::fs::read_to_string(work.path().join(format!("cache-{tool}/index.json"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        let d = v["manifests"][0]["digest"].as_str().unwrap().to_string();
        let size = format!("\"size\":{}", v["manifests"][0]["size"]);
        t.replace(&d, "DIGEST").replace(&size, "\"size\":SIZE")
    };
    assert_eq!(
        shape(Tool::Buildx),
        shape(Tool::Rkbuild),
        "index.json, buildx vs rkbuild"
    );
}

#[test]
fn inline_cache_on_the_docker_driver() {
    on_daemons(&[Daemon::Docker], inline_cache_on_the_docker_driver_on);
}

fn inline_cache_on_the_docker_driver_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctxs = Tool::BOTH.map(|t| {
        context(&[(
            "Dockerfile",
            &dockerfile(&env.base_image, &salt(t, "inline")),
        )])
    });
    let reference = |t: Tool| format!("{}/rk/inline-{t}:1", env.registry);
    SideBySide::build(&cfg, env, daemon)
        .args([
            "--progress=plain",
            "--cache-to",
            "type=inline",
            "--push",
            "-t",
        ])
        .per_tool(|t| [reference(t)])
        .per_tool(|t| [ctxs[t.index()].path()])
        .expect_success();
    prune_docker(&cfg, env);
    for t in Tool::BOTH {
        let _ = run(cfg.docker(env).args(["rmi", "-f", &reference(t)]));
    }
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--cache-from"])
        .per_tool(|t| [reference(t)])
        .per_tool(|t| [ctxs[t.index()].path()])
        .expect_success();
    for tool in Tool::BOTH {
        assert_run_cached(tool, "inline", out.of(tool));
    }
}

#[test]
fn docker_driver_refuses_cache_exports_as_buildx() {
    on_daemons(
        &[Daemon::Docker],
        docker_driver_refuses_cache_exports_as_buildx_on,
    );
}

fn docker_driver_refuses_cache_exports_as_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\n")]);
    let unsupported = "ERROR: Cache export is not supported for the docker driver.";
    for (flags, expect) in [
        (
            &["--cache-to", "type=local,dest=/tmp/rkbuild-never"][..],
            Expect::Failure(unsupported),
        ),
        (
            &["--cache-to", "type=registry,ref=x/y:z"],
            Expect::Failure(unsupported),
        ),
        (
            &["--cache-to", "user/app:cache"],
            Expect::Failure(unsupported),
        ),
        (
            &["--cache-to", "mode=max"],
            Expect::Failure("ERROR: type required form> \"mode=max\""),
        ),
        (
            &["--cache-from", "type=local"],
            Expect::Failure("ERROR: local cache importer requires src"),
        ),
        (
            &["--cache-to", "type=local,x"],
            Expect::Failure("ERROR: invalid value x"),
        ),
        // Inline cache is the image's own: the docker driver has it.
        (&["--build-arg", "BUILDKIT_INLINE_CACHE=1"], Expect::Success),
    ] {
        SideBySide::build(&cfg, env, daemon)
            .args(["--progress=quiet"])
            .args(flags)
            .arg(ctx.path())
            .expect(expect)
            .same_last_line();
    }
    assert!(!std::path::Path::new("/tmp/rkbuild-never").exists());
}

#[test]
fn load_from_buildkitd_into_dockerd() {
    on_daemons(&[Daemon::Buildkit], load_from_buildkitd_into_dockerd_on);
}

fn load_from_buildkitd_into_dockerd_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let base = env.base_image_on(daemon);
    let salts = Tool::BOTH.map(|t| salt(t, "load"));
    let ctxs = Tool::BOTH.map(|t| {
        context(&[(
            "Dockerfile",
            &format!("FROM {base}\nRUN echo {} > /loaded\n", salts[t.index()]),
        )])
    });
    let tag = |t: Tool| format!("rk/load-{t}:1");
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--load", "-t"])
        .per_tool(|t| [tag(t)])
        .per_tool(|t| [ctxs[t.index()].path()])
        .expect_success();
    for tool in Tool::BOTH {
        let (s, tag) = (&salts[tool.index()], tag(tool));
        let err = out.stderr(tool);
        let exporting = err.find("exporting to docker image format");
        let importing = err.find(" importing to docker\n");
        // buildx starts its "importing to docker" step as the tarball
        // begins to stream, so on a tiny image it may come first there;
        // rkbuild names the load after the export.
        assert!(
            exporting.is_some() && importing.is_some(),
            "{tool}: the progress names the export and the load:\n{err}"
        );
        if tool == Tool::Rkbuild {
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
        if tool == Tool::Rkbuild {
            // The same image again: the daemon has it, nothing is sent.
            let o = run(tool
                .build_on(&cfg, env, daemon)
                .args([
                    "--progress=plain",
                    "--load",
                    "-t",
                    &tag,
                    "-t",
                    "rk/load-rkbuild:2",
                ])
                .arg(ctxs[tool.index()].path()));
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
