//! Builders side by side with buildx 0.13.1 in one DOCKER_CONFIG: buildx's
//! store read and written both ways (`ls`, `inspect`, `use`, `create`,
//! `rm`), remote builders over unix and tcp+mTLS, multi-platform builds.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::buildkitd::{Buildkitd, Listen, Pki};
use common::*;

use common::{docker_buildx as bx, rkbuild as rk};

/// `inspect`'s driver options come in Go's random map order from buildx
/// (rkbuild sorts them): compare them sorted.
fn sorted_opts(out: &str) -> String {
    out.lines()
        .map(|l| match l.strip_prefix("Driver Options:") {
            Some(rest) => {
                let mut w: Vec<&str> = rest.split_whitespace().collect();
                w.sort();
                format!("Driver Options: {}", w.join(" "))
            }
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// stdout, stderr and exit status of both, for `args`.
fn same(cfg: &DockerConfig, env: &TestEnv, args: &[&str]) -> String {
    let b = run(bx(cfg, env).args(args));
    let r = run(rk(cfg, env).args(args));
    assert_eq!(
        sorted_opts(&stdout(&r)),
        sorted_opts(&stdout(&b)),
        "stdout of {args:?}"
    );
    assert_eq!(stderr(&r), stderr(&b), "stderr of {args:?}");
    assert_eq!(r.status.code(), b.status.code(), "exit status of {args:?}");
    stdout(&r)
}

/// The message of an `ERROR: ...` line, without rkbuild's hint.
fn error_of(o: &std::process::Output) -> String {
    let l = stderr_last_line(o);
    match l.find(" (hint: ") {
        Some(i) => l[..i].to_string(),
        None => l,
    }
}

fn need_buildkit(env: &TestEnv) -> bool {
    env.daemons().contains(&Daemon::Buildkit)
}

#[test]
fn ls_inspect_and_use_match_buildx_on_the_same_store() {
    let env = daemon!();
    if !need_buildkit(env) {
        return;
    }
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
    let table = same(&cfg, env, &["ls"]);
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
    same(&cfg, env, &["ls", "--format", "json"]);
    same(
        &cfg,
        env,
        &[
            "ls",
            "--format",
            "{{.Name}}: {{.DriverEndpoint}} {{.Status}}",
        ],
    );
    same(
        &cfg,
        env,
        &[
            "ls",
            "--format",
            "table {{.Name}}\t{{.LastActivity}}\t{{.Error}}",
        ],
    );
    for name in ["rkbuild-remote", "gone", "default"] {
        same(&cfg, env, &["inspect", name]);
    }
    same(&cfg, env, &["inspect"]);
    // A context's builder is used from that context only.
    same(&cfg, env, &["inspect", "ctxb"]);
    // `use` by rkbuild is what buildx then lists and builds with, and back.
    ok(rk(&cfg, env).args(["use", "rkbuild-remote"]));
    let table = same(&cfg, env, &["ls"]);
    assert!(table.contains("rkbuild-remote*"), "{table}");
    same(&cfg, env, &["inspect"]);
    let cur = std::fs::read_to_string(cfg.path().join("buildx/current")).unwrap();
    assert_eq!(
        cur,
        format!(
            r#"{{"Key":"{}","Name":"rkbuild-remote","Global":false}}"#,
            env.docker_host
        )
    );
    ok(bx(&cfg, env).args(["use", "default"]));
    assert!(same(&cfg, env, &["ls"]).contains("default*"));
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
    for args in [
        &["use", "nope"][..],
        &["use", "ctxb"],
        &["inspect", "nope"],
        &["rm", "default"],
        &["rm", "nope"],
    ] {
        let b = run(bx(&cfg, env).args(args));
        let r = run(rk(&cfg, env).args(args));
        assert_eq!(r.status.code(), b.status.code(), "{args:?}: {}", stderr(&r));
        let (be, re) = (error_of(&b), error_of(&r));
        if args[0] == "use" && args.len() == 2 && args[1] == "nope" {
            // buildx's wraps the open error (same path); compare the start.
            assert!(
                re.starts_with("ERROR: failed to find instance \"nope\""),
                "{re}"
            );
            assert!(
                be.starts_with("ERROR: failed to find instance \"nope\""),
                "{be}"
            );
        } else if args[0] == "rm" {
            assert_eq!(
                stderr(&r).lines().next(),
                stderr(&b).lines().next(),
                "{args:?}"
            );
        } else {
            assert_eq!(re, be, "{args:?}");
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
    let env = daemon!();
    if !need_buildkit(env) {
        return;
    }
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
        ("buildx", "rk-made"),
        ("rkbuild", "bx-made"),
        ("rkbuild", "rk-made"),
    ] {
        let out = tempfile::tempdir().unwrap();
        let mut c = build_by(&cfg, env, who);
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
    same(&cfg, env, &["ls"]);
    ok(rk(&cfg, env).args(["create", "--leave", "--name", "rk-made", "--node", "extra"]));
    ok(bx(&cfg, env).args(["create", "--leave", "--name", "bx-made", "--node", "extra"]));
    assert_eq!(
        inst("rk-made").replace("rk-made", "X"),
        inst("bx-made").replace("bx-made", "X")
    );
    // Refusals with buildx's words.
    for args in [
        &[
            "create",
            "--name",
            "default",
            "--driver",
            "remote",
            "unix:///x",
        ][..],
        &["create", "--append", "--driver", "remote", "unix:///x"],
        &[
            "create",
            "--name",
            "rk-made",
            "--driver",
            "remote",
            "unix:///y",
        ],
        &["create", "--name", "n1", "--driver", "remote", "ftp://x"],
        &["create", "--name", "n1", "--driver", "nosuch", "unix:///x"],
        &[
            "create",
            "--name",
            "n1",
            "--driver",
            "remote",
            "--driver-opt",
            "bad",
            "unix:///x",
        ],
        &[
            "create",
            "--name",
            "n1",
            "--driver",
            "remote",
            "--driver-opt",
            "foo=bar",
            "unix:///x",
        ],
        &[
            "create",
            "--name",
            "n1",
            "--driver",
            "remote",
            "--driver-opt",
            "cacert=rel.pem",
            "unix:///x",
        ],
        &[
            "create",
            "--name",
            "1bad",
            "--driver",
            "remote",
            "unix:///x",
        ],
    ] {
        let b = run(bx(&cfg, env).args(args));
        let r = run(rk(&cfg, env).args(args));
        assert_eq!(r.status.code(), b.status.code(), "{args:?}: {}", stderr(&r));
        assert_eq!(error_of(&r), error_of(&b), "{args:?}");
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
    let table = same(&cfg, env, &["ls"]);
    assert!(
        !table.contains("rk-made") && !table.contains("bx-made"),
        "{table}"
    );
}

#[test]
fn remote_builder_over_tcp_with_mtls() {
    let env = daemon!();
    if !need_buildkit(env) {
        return;
    }
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
    let table = same(&cfg, env, &["ls"]);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with(" \\_ tls0") && l.contains(&bk.addr) && l.contains("running")),
        "{table}"
    );
    same(&cfg, env, &["inspect", "tls"]);
    same(&cfg, env, &["inspect", "wrongca"]);
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
    let env = daemon!();
    if !need_buildkit(env) {
        return;
    }
    let cfg = DockerConfig::new(env);
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM scratch\nARG TARGETPLATFORM\nCOPY a /a\n",
        ),
        ("a", "two platforms\n"),
    ]);
    let mut dirs = Vec::new();
    for who in ["buildx", "rkbuild"] {
        let out = tempfile::tempdir().unwrap();
        let mut c = if who == "buildx" {
            buildx_on(&cfg, env, Daemon::Buildkit)
        } else {
            rkbuild_on(&cfg, env, Daemon::Buildkit)
        };
        let o = run(c
            .args([
                "--progress=plain",
                "--platform",
                "linux/amd64,linux/arm64",
                "-o",
            ])
            .arg(format!("type=local,dest={}", out.path().display()))
            .arg(ctx.path()));
        assert!(o.status.success(), "{who}: {}", stderr(&o));
        dirs.push(out);
    }
    for d in &dirs {
        for p in ["linux_amd64/a", "linux_arm64/a"] {
            assert_eq!(
                std::fs::read_to_string(d.path().join(p)).unwrap(),
                "two platforms\n",
                "{p}"
            );
        }
    }
    // On the docker driver (no containerd image store): buildx's refusal.
    let b = run(buildx(&cfg, env)
        .args(["--platform", "linux/amd64,linux/arm64"])
        .arg(ctx.path()));
    let r = run(rkbuild(&cfg, env)
        .args(["--platform", "linux/amd64,linux/arm64"])
        .arg(ctx.path()));
    assert_eq!(r.status.code(), b.status.code());
    assert_eq!(error_of(&r), error_of(&b));
}

#[test]
fn multi_node_builder_sends_each_platform_to_its_node_and_merges_the_push() {
    let env = daemon!();
    if !need_buildkit(env) {
        return;
    }
    // Node 0: the test environment's buildkitd (amd64 and its levels, 386);
    // node 1: one that only advertises arm64.
    let arm = Buildkitd::start(env, Listen::Unix, &["linux/arm64"]);
    let cfg = DockerConfig::new(env);
    for (who, name) in [("buildx", "mn-bx"), ("rkbuild", "mn-rk")] {
        let mk = |extra: &[&str]| {
            let mut c = if who == "buildx" {
                bx(&cfg, env)
            } else {
                rk(&cfg, env)
            };
            c.args(["create", "--name", name, "--driver", "remote"])
                .args(extra);
            c
        };
        ok(&mut mk(&[&env.buildkit_host]));
        ok(&mut mk(&["--append", &arm.addr]));
    }
    let table = same(&cfg, env, &["ls"]);
    assert!(table.contains("linux/arm64"), "{table}");
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM scratch\nARG TARGETPLATFORM\nCOPY a /a\n",
        ),
        ("a", "one platform per node\n"),
    ]);
    let reg = &env.registry;
    let mut indexes = Vec::new();
    for (who, name) in [("buildx", "mn-bx"), ("rkbuild", "mn-rk")] {
        let tag = format!("{reg}/rk/multinode:{who}");
        let md = cfg.path().join(format!("md-{who}.json"));
        let mut c = build_by(&cfg, env, who);
        let o = run(c
            .args([
                "--builder",
                name,
                "--progress=plain",
                "--platform",
                "linux/amd64,linux/arm64",
            ])
            .args(["--push", "-t", &tag, "--metadata-file"])
            .arg(&md)
            .arg(ctx.path()));
        let err = stderr(&o);
        assert!(o.status.success(), "{who}: {err}");
        assert!(
            err.contains(&format!("merging manifest list {tag}")),
            "{who}: {err}"
        );
        if who == "rkbuild" {
            assert!(err.contains("#0 node mn-rk0 builds linux/amd64"), "{err}");
            assert!(err.contains("#0 node mn-rk1 builds linux/arm64"), "{err}");
        }
        let index = registry_get(reg, &format!("rk/multinode/manifests/{who}"));
        let md: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&md).unwrap()).unwrap();
        let keys: Vec<&String> = md.as_object().unwrap().keys().collect();
        // buildx's metadata after a merge: the list's digest only.
        assert_eq!(keys, ["containerimage.digest"], "{who}: {md}");
        indexes.push(index);
    }
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
    let args = |c: &mut Command| {
        c.args([
            "--builder",
            "mn-bx",
            "--platform",
            "linux/amd64,linux/arm64",
            "-o",
        ])
        .arg(format!("type=oci,dest={}", t.display()))
        .arg(ctx.path());
    };
    let mut b = bx(&cfg, env);
    b.arg("build");
    args(&mut b);
    let b = run(&mut b);
    let mut r = rk(&cfg, env);
    args(&mut r);
    let r = run(&mut r);
    assert_eq!(r.status.code(), b.status.code());
    assert_eq!(error_of(&r), error_of(&b));
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
    let env = daemon!();
    if !need_buildkit(env) {
        return;
    }
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
    for (who, name) in [("buildx", "dc-bx"), ("rkbuild", "dc-rk")] {
        let _ = docker(&["rm", "-f", &container(name)]);
        let _ = docker(&["volume", "rm", "-f", &format!("{}_state", container(name))]);
        let mut c = if who == "buildx" {
            bx(&cfg, env)
        } else {
            rk(&cfg, env)
        };
        ok(c.args([
            "create",
            "--name",
            name,
            "--driver",
            "docker-container",
            "--driver-opt",
            &image,
        ])
        .arg("--buildkitd-config")
        .arg(&conf));
    }
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
    let table = same(&cfg, env, &["ls"]);
    assert!(table.contains("inactive"), "{table}");
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY a /a\n"),
        ("a", "in a container\n"),
    ]);
    let build = |who: &str, name: &str| {
        let out = tempfile::tempdir().unwrap();
        let mut c = build_by(&cfg, env, who);
        let o = run(c
            .args(["--builder", name, "--progress=plain", "-o"])
            .arg(format!("type=local,dest={}", out.path().display()))
            .arg(ctx.path()));
        assert!(o.status.success(), "{who}: {}", stderr(&o));
        assert_eq!(
            std::fs::read_to_string(out.path().join("a")).unwrap(),
            "in a container\n"
        );
        stderr(&o)
    };
    // From nothing: the image, the container, then the build.
    let b = build("buildx", "dc-bx");
    let r = build("rkbuild", "dc-rk");
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
    same(&cfg, env, &["ls"]);
    // Stopped: listed as stopped; the next build starts it again.
    ok(rk(&cfg, env).args(["stop", "dc-rk"]));
    ok(bx(&cfg, env).args(["stop", "dc-bx"]));
    let table = same(&cfg, env, &["ls"]);
    assert!(table.contains("stopped"), "{table}");
    same(&cfg, env, &["inspect", "dc-rk"]);
    let b = build("buildx", "dc-bx");
    let r = build("rkbuild", "dc-rk");
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
    build("rkbuild", "dc-bx");
    build("buildx", "dc-rk");
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
    build("rkbuild", "dc-rk");
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
    for opt in ["bogus=1", "env.=x", "cpu-shares=many"] {
        let args = [
            "create",
            "--name",
            "dcbad",
            "--driver",
            "docker-container",
            "--driver-opt",
            opt,
        ];
        let b = run(bx(&cfg, env).args(args));
        let r = run(rk(&cfg, env).args(args));
        assert_eq!(r.status.code(), b.status.code(), "{opt}");
        assert_eq!(error_of(&r), error_of(&b), "{opt}");
    }
}

#[test]
fn du_and_prune_act_on_the_chosen_builder() {
    let env = daemon!();
    if !need_buildkit(env) {
        return;
    }
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
    let b = run(bx(&cfg, env).args(["du", "--builder", "dup"]));
    let r = run(rk(&cfg, env).args(["du", "--builder", "dup"]));
    assert_eq!(stdout(&r), stdout(&b));
    assert!(!stdout(&r).contains("Total:\t\t0B"), "{}", stdout(&r));
    let o = run(rk(&cfg, env).args(["prune", "--builder", "dup", "-af"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Total:"), "{}", stdout(&o));
    let b = run(bx(&cfg, env).args(["du", "--builder", "dup"]));
    let r = run(rk(&cfg, env).args(["du", "--builder", "dup"]));
    assert_eq!(stdout(&r), stdout(&b));
    assert!(stdout(&r).contains("Total:\t\t0B"), "{}", stdout(&r));
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
