//! Builders side by side with buildx 0.13.1 in one DOCKER_CONFIG: buildx's
//! store read and written both ways (`ls`, `inspect`, `use`, `create`,
//! `rm`), remote builders over unix and tcp+mTLS, multi-platform builds.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::buildkitd::{Buildkitd, Listen, Pki};
use common::*;

use common::{docker_buildx as bx, docker_rkbuild as rk};

#[test]
fn ls_inspect_and_use_match_buildx_on_the_same_store() {
    on_daemons(
        &[Daemon::Buildkit],
        ls_inspect_and_use_match_buildx_on_the_same_store_on,
    );
}

fn ls_inspect_and_use_match_buildx_on_the_same_store_on(env: &TestEnv, _daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    // A docker context of its own (same daemon), and a remote builder made
    // by buildx that does not answer, with a fixed platform.
    ok(cfg.docker(env).args([
        "context",
        "create",
        "ctxb",
        "--docker",
        &format!("host={}", env.docker_host),
    ]));
    ok(bx(&cfg, env).args([
        "create",
        "--name",
        "Gone",
        "--driver",
        "remote",
        "--platform",
        "linux/arm64",
        "--driver-opt",
        "cacert=/nonexistent/ca.pem",
        "unix:///nonexistent/buildkitd.sock",
    ]));
    let table = SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    for want in [
        "default*",
        "ctxb",
        "gone",
        "rkbuild-remote",
        "inactive",
        "linux/arm64*",
    ] {
        assert!(table.contains(want), "{want} missing:\n{table}");
    }
    SideBySide::cli(&cfg, env)
        .args(["ls", "--format", "json"])
        .expect_same_output();
    SideBySide::cli(&cfg, env)
        .args([
            "ls",
            "--format",
            "{{.Name}}: {{.DriverEndpoint}} {{.Status}}",
        ])
        .expect_same_output();
    SideBySide::cli(&cfg, env)
        .args([
            "ls",
            "--format",
            "table {{.Name}}\t{{.LastActivity}}\t{{.Error}}",
        ])
        .expect_same_output();
    for name in ["rkbuild-remote", "gone", "default"] {
        SideBySide::cli(&cfg, env)
            .args(["inspect", name])
            .expect_same_output();
    }
    SideBySide::cli(&cfg, env)
        .arg("inspect")
        .expect_same_output();
    // A context's builder is used from that context only.
    SideBySide::cli(&cfg, env)
        .args(["inspect", "ctxb"])
        .expect_same_output();
    // `use` by rkbuild is what buildx then lists and builds with, and back.
    ok(rk(&cfg, env).args(["use", "rkbuild-remote"]));
    let table = SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    assert!(table.contains("rkbuild-remote*"), "{table}");
    SideBySide::cli(&cfg, env)
        .arg("inspect")
        .expect_same_output();
    let cur = std::fs::read_to_string(cfg.path().join("buildx/current")).unwrap();
    assert_eq!(
        cur,
        format!(
            r#"{{"Key":"{}","Name":"rkbuild-remote","Global":false}}"#,
            env.docker_host
        )
    );
    ok(bx(&cfg, env).args(["use", "default"]));
    assert!(SideBySide::cli(&cfg, env)
        .arg("ls")
        .expect_same_output()
        .contains("default*"));
    ok(rk(&cfg, env).args(["use", "--default", "gone"]));
    let rk_files = store_files(cfg.path());
    ok(bx(&cfg, env).args(["use", "--default", "gone"]));
    assert_eq!(
        store_files(cfg.path()),
        rk_files,
        "use --default writes what buildx writes"
    );
    ok(rk(&cfg, env).args(["use", "default"]));
    // Refusals: the same words and status.
    for (args, says) in [
        (
            &["use", "nope"][..],
            "ERROR: failed to find instance \"nope\"",
        ),
        (
            &["use", "ctxb"],
            "ERROR: run `docker context use ctxb` to switch to context ctxb",
        ),
        (&["inspect", "nope"], "ERROR: no builder \"nope\" found"),
        (
            &["rm", "default"],
            "failed to remove default: context builder cannot be removed",
        ),
        (
            &["rm", "nope"],
            "failed to remove nope: no builder \"nope\" found",
        ),
    ] {
        let out = SideBySide::cli(&cfg, env)
            .args(args)
            .expect_failure_containing(says);
        if args == ["use", "nope"] {
            // buildx's wraps the open error (same path): the start is
            // compared, above.
        } else if args[0] == "rm" {
            out.same_by("the first line of stderr", |o| {
                stderr(o).lines().next().map(str::to_string)
            });
        } else {
            out.same_error();
        }
    }
}

/// The store's files (name → bytes), without activity times.
fn store_files(cfg: &Path) -> Vec<(String, Vec<u8>)> {
    let root = cfg.join("buildx");
    let mut out = Vec::new();
    for d in ["instances", "defaults"] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(d))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        for n in names {
            out.push((
                format!("{d}/{n}"),
                std::fs::read(root.join(d).join(&n)).unwrap(),
            ));
        }
    }
    out.push((
        "current".into(),
        std::fs::read(root.join("current")).unwrap(),
    ));
    out
}

#[test]
fn builders_made_by_either_are_used_by_both() {
    on_daemons(
        &[Daemon::Buildkit],
        builders_made_by_either_are_used_by_both_on,
    );
}

fn builders_made_by_either_are_used_by_both_on(env: &TestEnv, _daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\n"),
        ("a", "from a store builder\n"),
    ]);
    // rkbuild creates, buildx builds with it; and the file is buildx's.
    let o = run(rk(&cfg, env).args([
        "create",
        "--name",
        "rk-made",
        "--driver",
        "remote",
        "--platform",
        "linux/amd64",
        &env.buildkit_host,
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "rk-made\n");
    ok(bx(&cfg, env).args([
        "create",
        "--name",
        "bx-made",
        "--driver",
        "remote",
        "--platform",
        "linux/amd64",
        &env.buildkit_host,
    ]));
    let inst =
        |n: &str| std::fs::read_to_string(cfg.path().join("buildx/instances").join(n)).unwrap();
    assert_eq!(
        inst("rk-made").replace("rk-made", "X"),
        inst("bx-made").replace("bx-made", "X")
    );
    for (who, builder) in [
        (Tool::Buildx, "rk-made"),
        (Tool::Rkbuild, "bx-made"),
        (Tool::Rkbuild, "rk-made"),
    ] {
        let out = tempfile::tempdir().unwrap();
        let mut c = who.build_on(&cfg, env, Daemon::Docker);
        let o = run(c
            .args(["--builder", builder, "--progress=plain"])
            .arg("-o")
            .arg(format!("type=local,dest={}", out.path().display()))
            .arg(ctx.path()));
        assert!(o.status.success(), "{who} on {builder}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "building with \"{builder}\" instance using remote driver"
            )),
            "{}",
            stderr(&o)
        );
        assert_eq!(
            std::fs::read_to_string(out.path().join("a")).unwrap(),
            "from a store builder\n"
        );
        // A build records the builder's activity, as buildx does.
        assert!(cfg.path().join("buildx/activity").join(builder).exists());
    }
    // BUILDX_BUILDER picks it too; a metadata file names builder and node.
    let md = cfg.path().join("md.json");
    let o = run(rk(&cfg, env)
        .env("BUILDX_BUILDER", "rk-made")
        .args([
            "--progress=quiet",
            "-o",
            "type=cacheonly",
            "--metadata-file",
        ])
        .arg(&md)
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.contains("\"buildx.build.ref\": \"rk-made/rk-made0/"),
        "{md}"
    );
    // Appending a node and leaving it, as buildx does it.
    ok(rk(&cfg, env).args([
        "create",
        "--append",
        "--name",
        "rk-made",
        "--node",
        "extra",
        "unix:///nonexistent.sock",
    ]));
    ok(bx(&cfg, env).args([
        "create",
        "--append",
        "--name",
        "bx-made",
        "--node",
        "extra",
        "unix:///nonexistent.sock",
    ]));
    assert_eq!(
        inst("rk-made").replace("rk-made", "X"),
        inst("bx-made").replace("bx-made", "X")
    );
    SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    ok(rk(&cfg, env).args(["create", "--leave", "--name", "rk-made", "--node", "extra"]));
    ok(bx(&cfg, env).args(["create", "--leave", "--name", "bx-made", "--node", "extra"]));
    assert_eq!(
        inst("rk-made").replace("rk-made", "X"),
        inst("bx-made").replace("bx-made", "X")
    );
    // Refusals with buildx's words.
    let remote = |name: &'static str, extra: &'static [&'static str], ep: &'static str| {
        let mut v = vec!["create", "--name", name, "--driver", "remote"];
        v.extend(extra);
        v.push(ep);
        v
    };
    for (args, says) in [
        (
            remote("default", &[], "unix:///x"),
            "ERROR: default is a reserved name and cannot be used to identify builder instance",
        ),
        (
            vec!["create", "--append", "--driver", "remote", "unix:///x"],
            "ERROR: append requires a builder name",
        ),
        (
            remote("rk-made", &[], "unix:///y"),
            "ERROR: existing instance for \"rk-made\" but no append mode",
        ),
        (
            remote("n1", &[], "ftp://x"),
            "ERROR: unrecognized url scheme ftp",
        ),
        (
            vec!["create", "--name", "n1", "--driver", "nosuch", "unix:///x"],
            "ERROR: failed to find driver \"nosuch\"",
        ),
        (
            remote("n1", &["--driver-opt", "bad"], "unix:///x"),
            "ERROR: invalid value \"bad\", expecting k=v",
        ),
        (
            remote("n1", &["--driver-opt", "foo=bar"], "unix:///x"),
            "invalid driver option foo for remote driver",
        ),
        (
            remote("n1", &["--driver-opt", "cacert=rel.pem"], "unix:///x"),
            "non-absolute path 'rel.pem' provided for cacert",
        ),
        (
            remote("1bad", &[], "unix:///x"),
            "ERROR: invalid name 1bad, name needs to start with a letter",
        ),
    ] {
        SideBySide::cli(&cfg, env)
            .args(&args)
            .expect_failure_containing(says)
            .same_error();
    }
    assert!(
        !cfg.path().join("buildx/instances/n1").exists(),
        "a refused create leaves nothing"
    );
    // rm by rkbuild: buildx no longer lists it; and the reverse.
    let o = run(rk(&cfg, env).args(["rm", "bx-made"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "bx-made removed\n");
    let o = run(bx(&cfg, env).args(["rm", "rk-made"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let table = SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    assert!(
        !table.contains("rk-made") && !table.contains("bx-made"),
        "{table}"
    );
}

#[test]
fn remote_builder_over_tcp_with_mtls() {
    on_daemons(&[Daemon::Buildkit], remote_builder_over_tcp_with_mtls_on);
}

fn remote_builder_over_tcp_with_mtls_on(env: &TestEnv, _daemon: Daemon) {
    let pki = Pki::new();
    let bk = Buildkitd::start(env, Listen::Tls(&pki), &[]);
    let cfg = DockerConfig::new(env);
    let p = |f: &str| pki.path(f).display().to_string();
    let opt = |ca: &str| {
        format!(
            "cacert={},cert={},key={}",
            p(ca),
            p("client.pem"),
            p("client-key.pem")
        )
    };
    ok(rk(&cfg, env).args([
        "create",
        "--name",
        "tls",
        "--driver",
        "remote",
        "--driver-opt",
        &opt("ca.pem"),
        &bk.addr,
    ]));
    ok(rk(&cfg, env).args([
        "create",
        "--name",
        "wrongca",
        "--driver",
        "remote",
        "--driver-opt",
        &opt("otherca.pem"),
        &bk.addr,
    ]));
    ok(rk(&cfg, env).args([
        "create",
        "--name",
        "nocert",
        "--driver",
        "remote",
        "--driver-opt",
        &format!("cacert={}", p("ca.pem")),
        &bk.addr,
    ]));
    let table = SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(" \\_ tls0") && l.contains(&bk.addr) && l.contains("running")),
        "{table}"
    );
    SideBySide::cli(&cfg, env)
        .args(["inspect", "tls"])
        .expect_same_output();
    SideBySide::cli(&cfg, env)
        .args(["inspect", "wrongca"])
        .expect_same_output();
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\n"),
        ("a", "over mTLS\n"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let o = run(rk(&cfg, env)
        .args(["--builder", "tls", "--progress=plain", "-o"])
        .arg(format!("type=local,dest={}", out.path().display()))
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.path().join("a")).unwrap(),
        "over mTLS\n"
    );
    // A wrong CA, or no client certificate: refused, one line, quickly.
    for b in ["wrongca", "nocert"] {
        let t = std::time::Instant::now();
        let o = run(rk(&cfg, env)
            .args(["--builder", b, "--progress=plain"])
            .arg(ctx.path()));
        assert!(!o.status.success());
        assert!(t.elapsed().as_secs() < 10, "{b}: {:?}", t.elapsed());
        let e = stderr_last_line(&o);
        assert!(
            e.starts_with(&format!("ERROR: builder {b} node {b}0"))
                && e.contains("TLS with tcp://127.0.0.1:"),
            "{b}: {e}"
        );
    }
    drop(bk);
}

#[test]
fn multi_platform_build_on_a_remote_builder_matches_buildx() {
    on_daemons(
        &[Daemon::Buildkit],
        multi_platform_build_on_a_remote_builder_matches_buildx_on,
    );
}

fn multi_platform_build_on_a_remote_builder_matches_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM scratch\nARG TARGETPLATFORM\nCOPY a /a\n",
        ),
        ("a", "two platforms\n"),
    ]);
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--platform", "linux/amd64,linux/arm64"])
        .local_output()
        .arg(ctx.path())
        .expect_success();
    out.same_tree();
    for tool in Tool::BOTH {
        for p in ["linux_amd64/a", "linux_arm64/a"] {
            assert_eq!(out.file(tool, p), "two platforms\n", "{tool}: {p}");
        }
    }
    // On the docker driver (no containerd image store): buildx's refusal.
    SideBySide::build(&cfg, env, Daemon::Docker)
        .args(["--platform", "linux/amd64,linux/arm64"])
        .arg(ctx.path())
        .expect_failure_containing(
            "ERROR: Multi-platform build is not supported for the docker driver.",
        )
        .same_error();
}

#[test]
fn multi_node_builder_sends_each_platform_to_its_node_and_merges_the_push() {
    on_daemons(
        &[Daemon::Buildkit],
        multi_node_builder_sends_each_platform_to_its_node_and_merges_the_push_on,
    );
}

fn multi_node_builder_sends_each_platform_to_its_node_and_merges_the_push_on(
    env: &TestEnv,
    daemon: Daemon,
) {
    // Node 0: the test environment's buildkitd (amd64 and its levels, 386);
    // node 1: one that only advertises arm64.
    let arm = Buildkitd::start(env, Listen::Unix, &["linux/arm64"]);
    let cfg = DockerConfig::new(env);
    // Each tool makes its own builder of two nodes.
    let name = |t: Tool| if t == Tool::Buildx { "mn-bx" } else { "mn-rk" };
    for extra in [&[env.buildkit_host.as_str()][..], &["--append", &arm.addr]] {
        SideBySide::cli(&cfg, env)
            .args(["create", "--name"])
            .per_tool(|t| [name(t)])
            .args(["--driver", "remote"])
            .args(extra)
            .expect_success();
    }
    let table = SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    assert!(table.contains("linux/arm64"), "{table}");
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM scratch\nARG TARGETPLATFORM\nCOPY a /a\n",
        ),
        ("a", "one platform per node\n"),
    ]);
    let reg = &env.registry;
    let tag = |t: Tool| format!("{reg}/rk/multinode:{t}");
    let out = SideBySide::build(&cfg, env, daemon)
        .builders(name(Tool::Buildx), name(Tool::Rkbuild))
        .args(["--progress=plain", "--platform", "linux/amd64,linux/arm64"])
        .args(["--push", "-t"])
        .per_tool(|t| [tag(t)])
        .metadata_file()
        .arg(ctx.path())
        .expect_success();
    let indexes = Tool::BOTH.map(|who| {
        let err = out.stderr(who);
        assert!(
            err.contains(&format!("merging manifest list {}", tag(who))),
            "{who}: {err}"
        );
        if who == Tool::Rkbuild {
            assert!(err.contains("#0 node mn-rk0 builds linux/amd64"), "{err}");
            assert!(err.contains("#0 node mn-rk1 builds linux/arm64"), "{err}");
        }
        let md = out.metadata(who);
        let keys: Vec<&String> = md.as_object().unwrap().keys().collect();
        // buildx's metadata after a merge: the list's digest only.
        assert_eq!(keys, ["containerimage.digest"], "{who}: {md}");
        registry_get(reg, &format!("rk/multinode/manifests/{who}"))
    });
    // The same list: one manifest per platform (and their attestations),
    // in the same order, with the same media types.
    let shape = |i: &serde_json::Value| {
        let ms = i["manifests"].as_array().unwrap();
        let v: Vec<String> = ms
            .iter()
            .map(|m| {
                format!(
                    "{} {}/{}",
                    m["mediaType"].as_str().unwrap(),
                    m["platform"]["os"].as_str().unwrap_or(""),
                    m["platform"]["architecture"].as_str().unwrap_or("")
                )
            })
            .collect();
        (i["mediaType"].clone(), v)
    };
    assert_eq!(shape(&indexes[1]), shape(&indexes[0]));
    let (_, plats) = shape(&indexes[1]);
    assert!(
        plats.iter().any(|p| p.ends_with("linux/amd64")),
        "{plats:?}"
    );
    assert!(
        plats.iter().any(|p| p.ends_with("linux/arm64")),
        "{plats:?}"
    );
    // A local output: each node writes its platform's directory.
    let out = tempfile::tempdir().unwrap();
    let o = run(rk(&cfg, env)
        .args([
            "--builder",
            "mn-rk",
            "--progress=plain",
            "--platform",
            "linux/arm64,linux/amd64",
            "-o",
        ])
        .arg(format!("type=local,dest={}", out.path().display()))
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    for p in ["linux_amd64/a", "linux_arm64/a"] {
        assert_eq!(
            std::fs::read_to_string(out.path().join(p)).unwrap(),
            "one platform per node\n"
        );
    }
    // OCI tarballs are refused on several nodes, in buildx's words.
    let t = cfg.path().join("x.tar");
    SideBySide::build(&cfg, env, daemon)
        .builder("mn-bx")
        .args(["--platform", "linux/amd64,linux/arm64", "-o"])
        .arg(format!("type=oci,dest={}", t.display()))
        .arg(ctx.path())
        .expect_failure_containing("ERROR: oci for multi-node builds currently not supported")
        .same_error();
    drop(arm);
}

/// The `#1 [internal] booting buildkit` block of a plain progress log,
/// without timings.
fn boot_block(log: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.starts_with("#1 "))
        .map(|l| {
            let l = l.trim_end_matches(" done");
            let l = match l.rsplit_once(' ') {
                Some((a, t)) if t.ends_with('s') && t[..t.len() - 1].parse::<f64>().is_ok() => a,
                _ => l,
            };
            l.to_string()
        })
        .collect()
}

#[test]
fn docker_container_builders_boot_build_stop_restart_and_go() {
    on_daemons(
        &[Daemon::Buildkit],
        docker_container_builders_boot_build_stop_restart_and_go_on,
    );
}

fn docker_container_builders_boot_build_stop_restart_and_go_on(env: &TestEnv, daemon: Daemon) {
    assert!(
        !env.buildkit_image.is_empty(),
        "no buildkit image in the test environment (RKBUILD_TEST_BUILDKIT_IMAGE): run `scripts/testenv up`"
    );
    let cfg = DockerConfig::new(env);
    let image = format!("image={}", env.buildkit_image);
    let conf = cfg.path().join("bk.toml");
    std::fs::write(&conf, "# from rkbuild's test\n[worker.oci]\n  gc = false\n").unwrap();
    let container = |b: &str| format!("buildx_buildkit_{b}0");
    let docker = |args: &[&str]| run(cfg.docker(env).args(args));
    for name in ["dc-bx", "dc-rk"] {
        let _ = docker(&["rm", "-f", &container(name)]);
        let _ = docker(&["volume", "rm", "-f", &format!("{}_state", container(name))]);
    }
    // Each tool makes its own.
    SideBySide::cli(&cfg, env)
        .args(["create", "--name"])
        .per_tool(|t| [if t == Tool::Buildx { "dc-bx" } else { "dc-rk" }])
        .args(["--driver", "docker-container", "--driver-opt", &image])
        .arg("--buildkitd-config")
        .arg(&conf)
        .expect_success();
    // The same instance file, but for the config file's bytes: buildx
    // re-encodes the TOML (its go-toml writer), rkbuild keeps it as given.
    let inst = |n: &str| {
        let t = std::fs::read_to_string(cfg.path().join("buildx/instances").join(n)).unwrap();
        let i = t.find(r#""Files":"#).unwrap();
        let j = t[i..].find('}').unwrap();
        (
            t[..i].replace(n, "X"),
            t[i..i + j].to_string(),
            t[i + j..].to_string(),
        )
    };
    let (rk0, rkf, rk1) = inst("dc-rk");
    let (bx0, _, bx1) = inst("dc-bx");
    assert_eq!((rk0, rk1), (bx0, bx1));
    assert!(rkf.contains("IyBmcm9tIHJrYnVpbGQncyB0ZXN0"), "{rkf}");
    let table = SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    assert!(table.contains("inactive"), "{table}");
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\n"),
        ("a", "in a container\n"),
    ]);
    // buildx on `bx`'s builder, rkbuild on `rk`'s: (buildx's, rkbuild's
    // progress).
    let build = |bx: &str, rk: &str| {
        let out = SideBySide::build(&cfg, env, daemon)
            .builders(bx, rk)
            .args(["--progress=plain"])
            .local_output()
            .arg(ctx.path())
            .expect_success();
        for t in Tool::BOTH {
            assert_eq!(out.file(t, "a"), "in a container\n", "{t}");
        }
        (out.stderr(Tool::Buildx), out.stderr(Tool::Rkbuild))
    };
    // From nothing: the image, the container, then the build.
    let (b, r) = build("dc-bx", "dc-rk");
    let norm =
        |v: Vec<String>, n: &str| -> Vec<String> { v.iter().map(|l| l.replace(n, "X")).collect() };
    assert_eq!(
        norm(boot_block(&r), "dc-rk"),
        norm(boot_block(&b), "dc-bx"),
        "{r}"
    );
    assert!(
        r.contains("creating container buildx_buildkit_dc-rk0"),
        "{r}"
    );
    // The container is buildx's: its command, privileges, init, volume.
    let fmt = "{{json .Config.Cmd}} {{.HostConfig.Privileged}} {{json .HostConfig.Init}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.CgroupParent}} {{.HostConfig.NetworkMode}} {{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}";
    let i_bx = stdout(&docker(&["inspect", "--format", fmt, &container("dc-bx")]));
    let i_rk = stdout(&docker(&["inspect", "--format", fmt, &container("dc-rk")]));
    assert_eq!(i_rk.replace("dc-rk", "X"), i_bx.replace("dc-bx", "X"));
    assert!(i_rk.contains("--config"), "{i_rk}");
    let cp = docker(&[
        "cp",
        &format!("{}:/etc/buildkit/buildkitd.toml", container("dc-rk")),
        "-",
    ]);
    assert!(String::from_utf8_lossy(&cp.stdout).contains("# from rkbuild's test"));
    SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    // Stopped: listed as stopped; the next build starts it again.
    ok(rk(&cfg, env).args(["stop", "dc-rk"]));
    ok(bx(&cfg, env).args(["stop", "dc-bx"]));
    let table = SideBySide::cli(&cfg, env).arg("ls").expect_same_output();
    assert!(table.contains("stopped"), "{table}");
    SideBySide::cli(&cfg, env)
        .args(["inspect", "dc-rk"])
        .expect_same_output();
    let (b, r) = build("dc-bx", "dc-rk");
    assert_eq!(
        norm(boot_block(&r), "dc-rk"),
        norm(boot_block(&b), "dc-bx"),
        "{r}"
    );
    assert!(
        r.contains("starting container buildx_buildkit_dc-rk0"),
        "{r}"
    );
    // Each tool runs the other's builder.
    build("dc-rk", "dc-bx");
    // rm --keep-state keeps the volume; rm removes the rest.
    let o = run(rk(&cfg, env).args(["rm", "--keep-state", "dc-rk"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!docker(&["inspect", &container("dc-rk")]).status.success());
    assert!(docker(&[
        "volume",
        "inspect",
        &format!("{}_state", container("dc-rk"))
    ])
    .status
    .success());
    ok(rk(&cfg, env).args([
        "create",
        "--name",
        "dc-rk",
        "--driver",
        "docker-container",
        "--driver-opt",
        &image,
    ]));
    // inspect --bootstrap boots it (buildx's progress on stderr).
    let o = run(rk(&cfg, env).args(["inspect", "--bootstrap", "dc-rk"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("#1 [internal] booting buildkit"),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("Status:                running"),
        "{}",
        stdout(&o)
    );
    let out = tempfile::tempdir().unwrap();
    ok(rk(&cfg, env)
        .args(["--builder", "dc-rk", "--progress=plain", "-o"])
        .arg(format!("type=local,dest={}", out.path().display()))
        .arg(ctx.path()));
    assert_eq!(
        std::fs::read_to_string(out.path().join("a")).unwrap(),
        "in a container\n"
    );
    for name in ["dc-rk", "dc-bx"] {
        let o = run(rk(&cfg, env).args(["rm", name]));
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!docker(&["inspect", &container(name)]).status.success());
        assert!(
            !docker(&["volume", "inspect", &format!("{}_state", container(name))])
                .status
                .success()
        );
    }
    // rm --all-inactive: the builders that do not run go, the others stay.
    ok(rk(&cfg, env).args([
        "create",
        "--name",
        "idle",
        "--driver",
        "remote",
        "unix:///nonexistent/idle.sock",
    ]));
    let o = run(rk(&cfg, env).args(["rm", "--all-inactive", "-f"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "idle removed\n");
    assert!(cfg.path().join("buildx/instances/rkbuild-remote").exists());
    // Options buildx refuses, refused alike.
    for (opt, says) in [
        (
            "bogus=1",
            "invalid driver option bogus for docker-container driver",
        ),
        (
            "env.=x",
            "invalid env option \"env.\", expecting env.FOO=bar",
        ),
        (
            "cpu-shares=many",
            "strconv.ParseInt: parsing \"many\": invalid syntax",
        ),
    ] {
        SideBySide::cli(&cfg, env)
            .args(["create", "--name", "dcbad", "--driver", "docker-container"])
            .args(["--driver-opt", opt])
            .expect_failure_containing(says)
            .same_error();
    }
}

#[test]
fn du_and_prune_act_on_the_chosen_builder() {
    on_daemons(
        &[Daemon::Buildkit],
        du_and_prune_act_on_the_chosen_builder_on,
    );
}

fn du_and_prune_act_on_the_chosen_builder_on(env: &TestEnv, _daemon: Daemon) {
    // A builder of its own: pruning it touches no other test's cache.
    let bk = Buildkitd::start(env, Listen::Unix, &[]);
    let cfg = DockerConfig::new(env);
    ok(bx(&cfg, env).args(["create", "--name", "dup", "--driver", "remote", &bk.addr]));
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\n"),
        ("a", "cache me\n"),
    ]);
    let o = run(rk(&cfg, env)
        .args([
            "--builder",
            "dup",
            "--progress=plain",
            "-o",
            "type=cacheonly",
        ])
        .arg(ctx.path()));
    assert!(o.status.success(), "{}", stderr(&o));
    let du = || {
        SideBySide::cli(&cfg, env)
            .args(["du", "--builder", "dup"])
            .expect_success()
            .same_stdout()
            .stdout(Tool::Rkbuild)
    };
    let table = du();
    assert!(!table.contains("Total:\t\t0B"), "{table}");
    let o = run(rk(&cfg, env).args(["prune", "--builder", "dup", "-af"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Total:"), "{}", stdout(&o));
    let table = du();
    assert!(table.contains("Total:\t\t0B"), "{table}");
    drop(bk);
}

#[test]
fn unreachable_builders_fail_within_ten_seconds_naming_builder_node_and_endpoint() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    // An address nobody answers on (TEST-NET-1), a socket that is not
    // there, and a container whose image is nowhere.
    ok(rk(&cfg, env).args([
        "create",
        "--name",
        "blackhole",
        "--driver",
        "remote",
        "tcp://192.0.2.1:1234",
    ]));
    ok(rk(&cfg, env).args([
        "create",
        "--name",
        "nosock",
        "--driver",
        "remote",
        "unix:///nonexistent/bk.sock",
    ]));
    ok(rk(&cfg, env).args([
        "create",
        "--name",
        "noimage",
        "--driver",
        "docker-container",
        "--driver-opt",
        "image=local/rkbuild-no-such-image:never",
    ]));
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "x\n")]);
    for (b, ep, why) in [
        // Refused at once or timed out, depending on the network.
        ("blackhole", "tcp://192.0.2.1:1234", "tcp://192.0.2.1:1234"),
        ("nosock", "unix:///nonexistent/bk.sock", "no such socket"),
        ("noimage", "unix://", "no local image of that name"),
    ] {
        let t = Instant::now();
        let o = run(rk(&cfg, env)
            .args(["--builder", b, "--progress=plain"])
            .arg(ctx.path()));
        let took = t.elapsed();
        assert!(took < Duration::from_secs(10), "{b}: {took:?}");
        assert!(!o.status.success(), "{b}");
        let e = stderr_last_line(&o);
        assert!(
            e.starts_with(&format!("ERROR: builder {b} node {b}0 ({ep}")) && e.contains(why),
            "{b}: {e}"
        );
    }
    // ls does not wait for them either.
    let t = Instant::now();
    let o = run(rk(&cfg, env).arg("ls"));
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(o.status.success(), "{}", stderr(&o));
    for b in ["blackhole", "nosock", "noimage"] {
        ok(rk(&cfg, env).args(["rm", b]));
    }
}
