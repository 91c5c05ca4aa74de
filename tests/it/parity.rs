//! Drop-in parity for old scripts, side by side with buildx 0.13.1: the
//! legacy builder's flags buildx accepts and ignores (directly and through
//! `docker build` with the builder alias), `--add-host NAME:host-gateway`,
//! and who owns the files of a local export.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use common::*;

/// The `WARNING:` lines, the last line and the exit status of a run.
fn outcome(o: &std::process::Output) -> (Option<i32>, Vec<String>, String) {
    let err = stderr(o);
    let warnings = err
        .lines()
        .filter(|l| l.starts_with("WARNING:"))
        .map(str::to_string)
        .collect();
    // A flag error ends with `See 'docker buildx build --help'.`: the
    // command path differs, the message before it must not.
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = match lines.as_slice() {
        [.., msg, see] if see.starts_with("See '") => format!("{msg} / See"),
        [.., last] => last.to_string(),
        [] => String::new(),
    };
    (o.status.code(), warnings, last)
}

/// A git work tree with `app/Dockerfile` (`FROM scratch`, `COPY a /a`)
/// committed, and an `origin` remote whose URL carries credentials.
fn git_work_tree() -> tempfile::TempDir {
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let o = run(Command::new("git")
            .current_dir(repo.path())
            .env("GIT_AUTHOR_NAME", "rk")
            .env("GIT_AUTHOR_EMAIL", "rk@example.invalid")
            .env("GIT_COMMITTER_NAME", "rk")
            .env("GIT_COMMITTER_EMAIL", "rk@example.invalid")
            .args(args));
        assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    };
    std::fs::create_dir(repo.path().join("app")).unwrap();
    std::fs::write(
        repo.path().join("app/Dockerfile"),
        "FROM scratch\nCOPY a /a\n",
    )
    .unwrap();
    std::fs::write(repo.path().join("app/a"), "a\n").unwrap();
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "test"]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://rk:s3cret@git.example/org/app.git",
    ]);
    repo
}

/// Builds `ctx` with buildx and rkbuild on `daemon` with `flags`, exporting
/// locally: (exit status, the exported `file`, the last stderr line) each.
fn export_both(
    env: &TestEnv,
    daemon: Daemon,
    ctx: &Path,
    flags: &[&str],
    file: &str,
) -> Vec<(Option<i32>, String, String)> {
    let cfg = DockerConfig::new(env);
    let work = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for (tool, mut cmd) in [
        ("buildx", buildx_on(&cfg, env, daemon)),
        ("rkbuild", rkbuild_on(&cfg, env, daemon)),
    ] {
        let out = work.path().join(tool);
        let o = run(cmd
            .args(["--progress=plain", "--no-cache"])
            .args(flags)
            .arg("-o")
            .arg(format!("type=local,dest={}", out.display()))
            .arg(ctx));
        let content = std::fs::read_to_string(out.join(file)).unwrap_or_default();
        results.push((o.status.code(), content, stderr_last_line(&o)));
    }
    results
}

const LEGACY: &[&[&str]] = &[
    &["--rm"],
    &["--rm=false"],
    &["--force-rm"],
    &["-m", "2g"],
    &["--memory", "512m", "--memory-swap", "-1"],
    &["-c", "512"],
    &["--cpu-shares=0x10"],
    &["--cpu-period", "100000", "--cpu-quota", "50000"],
    &["--cpuset-cpus", "0-1", "--cpuset-mems", "0"],
    &["--squash"],
    &["--squash=false"],
    &["--compress"],
    &["--isolation", "default"],
    &[
        "--security-opt",
        "seccomp=unconfined",
        "--security-opt",
        "label=disable",
    ],
    &["--isolation=x", "--security-opt=", "--squash"],
    &["-c", "x"],
    &["--cpu-quota", "99999999999999999999"],
    &["--cpu-period=1_000"],
    &["--cpu-period=0x1_000"],
];

#[test]
fn legacy_flags_are_accepted_and_ignored_as_buildx() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "a\n")]);
    for flags in LEGACY {
        let mut results = Vec::new();
        for mut cmd in [buildx(&cfg, env), rkbuild(&cfg, env)] {
            let o = run(cmd.args(["--progress=quiet"]).args(*flags).arg(ctx.path()));
            results.push(outcome(&o));
        }
        assert_eq!(results[0], results[1], "{flags:?}: buildx vs rkbuild");
    }
    // `docker build` with the builder alias, as old scripts call it.
    for alias in ["buildx", "rkbuild"] {
        cfg.write_config(&format!(r#"{{"aliases":{{"builder":"{alias}"}}}}"#));
        let o = run(cfg
            .docker(env)
            .args(["build", "--rm", "--force-rm", "-m", "1g", "--squash", "-q"])
            .arg(ctx.path()));
        assert!(
            o.status.success(),
            "docker build --rm ... with the {alias} alias: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains("WARNING: experimental flag squash is removed with BuildKit."),
            "{alias}: {}",
            stderr(&o)
        );
    }
    cfg.write_config("{}");
    // Hidden: not in the help.
    let o = run(rkbuild(&cfg, env).arg("--help"));
    let help = stdout(&o);
    for f in [
        "--rm",
        "--force-rm",
        "--memory",
        "--squash",
        "--cpu-shares",
        "--isolation",
    ] {
        assert!(
            !help
                .lines()
                .any(|l| l.trim_start().split([' ', ',']).any(|w| w == f)),
            "{f} is in the help"
        );
    }
}

#[test]
fn host_gateway_as_buildx_per_driver() {
    on_each_daemon(|env, daemon| {
        let df = format!(
            "FROM {}\nRUN grep gw.test /etc/hosts > /hosts\nFROM scratch\nCOPY --from=0 /hosts /\n",
            env.base_image_on(daemon)
        );
        let ctx = context(&[("Dockerfile", &df)]);
        let results = export_both(
            env,
            daemon,
            ctx.path(),
            &["--add-host", "gw.test:host-gateway"],
            "hosts",
        );
        assert_eq!(
            results[0], results[1],
            "host-gateway on {daemon:?}: buildx vs rkbuild"
        );
        match daemon {
            Daemon::Docker => assert!(
                results[1].1.contains("gw.test"),
                "no gw.test line: {:?}",
                results[1]
            ),
            Daemon::Buildkit => assert_eq!(
                results[1].2,
                "ERROR: unable to derive the IP value for host-gateway: host-gateway is not supported by the remote driver"
            ),
        }
    });
}

/// (uid, gid, mode) of everything below `root`, by relative path.
fn owners(root: &Path) -> BTreeMap<String, (u32, u32, u32)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let md = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            out.insert(rel, (md.uid(), md.gid(), md.mode() & 0o7777));
            if md.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

fn chown_tree(cfg_dir: &Path, uid: u32) {
    let o = run(Command::new("chown")
        .arg("-R")
        .arg(format!("{uid}:{uid}"))
        .arg(cfg_dir));
    assert!(o.status.success(), "chown: {}", stderr(&o));
}

#[test]
fn local_export_files_belong_to_the_calling_user() {
    let env = daemon!();
    let df = format!(
        "FROM {}\nRUN mkdir -p /t/d /t/g && echo x > /t/d/f && ln -s f /t/d/l && chmod 4755 /t/d/f \
         && touch /t/d/empty && chmod 4755 /t/d/empty && echo y > /t/g/f && chmod 2755 /t/g/f \
         && echo z > /t/g/nx && chmod 2740 /t/g/nx && chmod 2755 /t/g\n\
         FROM scratch\nCOPY --from=0 --chown=1000:1000 /t /t\n\
         COPY --chown=1234:5678 --chmod=0750 a /a\n",
        env.base_image
    );
    let ctx = context(&[("Dockerfile", &df), ("a", "a\n")]);
    std::fs::set_permissions(
        ctx.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    // As root.
    let cfg = DockerConfig::new(env);
    let work = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for (tool, mut cmd) in [
        ("buildx", buildx(&cfg, env)),
        ("rkbuild", rkbuild(&cfg, env)),
    ] {
        let out = work.path().join(tool);
        ok(cmd
            .args(["--progress=quiet", "-o"])
            .arg(format!("type=local,dest={}", out.display()))
            .arg(ctx.path()));
        trees.push(owners(&out));
    }
    assert_eq!(
        trees[0], trees[1],
        "owners and modes as root: buildx vs rkbuild"
    );
    assert!(
        trees[1].values().all(|(u, g, _)| *u == 0 && *g == 0),
        "{:?}",
        trees[1]
    );
    assert_eq!(trees[1]["a"].2, 0o750);

    // As an unprivileged user (nobody), through a socket bridge it may use.
    let nobody = 65534;
    let proxy = bridge::OpenDockerProxy::start(&env.docker_sock);
    let cfg = DockerConfig::new(env);
    let work = tempfile::Builder::new()
        .prefix("rkbuild-nobody-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(
        work.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    chown_tree(cfg.path(), nobody);
    let mut trees = Vec::new();
    for tool in ["buildx", "rkbuild"] {
        let out = work.path().join(tool);
        let sub = if tool == "buildx" {
            vec!["buildx", "build"]
        } else {
            vec!["rkbuild"]
        };
        let o = run(Command::new("setpriv")
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(&env.docker_bin)
            .args(&sub)
            .args(["--progress=quiet", "-o"])
            .arg(format!("type=local,dest={}", out.display()))
            .arg(ctx.path())
            .env("DOCKER_HOST", format!("unix://{}", proxy.path.display()))
            .env("DOCKER_CONFIG", cfg.path())
            .env("HOME", work.path())
            .env_remove("BUILDKIT_HOST")
            .env_remove("BUILDX_BUILDER"));
        assert!(o.status.success(), "{tool} as nobody: {}", stderr(&o));
        trees.push(owners(&out));
    }
    assert_eq!(
        trees[0], trees[1],
        "owners and modes as nobody: buildx vs rkbuild"
    );
    assert!(
        trees[1]
            .values()
            .all(|(u, g, _)| *u == nobody && *g == nobody),
        "{:?}",
        trees[1]
    );
}

#[test]
fn docker_default_platform_is_the_platform_default() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "a\n")]);
    for (value, flags) in [
        ("linux/amd64,linux/arm64", vec![]),
        ("bogus", vec![]),
        ("bogus", vec!["--platform", "linux/amd64"]),
        ("linux/amd64", vec![]),
    ] {
        let mut results = Vec::new();
        for mut cmd in [buildx(&cfg, env), rkbuild(&cfg, env)] {
            let o = run(cmd
                .env("DOCKER_DEFAULT_PLATFORM", value)
                .args(["--progress=quiet"])
                .args(&flags)
                .arg(ctx.path()));
            results.push(outcome(&o));
        }
        assert_eq!(
            results[0], results[1],
            "DOCKER_DEFAULT_PLATFORM={value} {flags:?}"
        );
    }
}

#[test]
fn git_labels_of_a_work_tree_as_buildx() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let repo = git_work_tree();
    for (envs, case) in [
        (vec![("BUILDX_GIT_LABELS", "1")], "labels"),
        (
            vec![
                ("BUILDX_GIT_LABELS", "full"),
                ("BUILDX_GIT_CHECK_DIRTY", "1"),
            ],
            "full-dirty",
        ),
        (vec![], "default"),
    ] {
        // A change, so that the dirty check has something to see.
        std::fs::write(repo.path().join("app/untracked"), case).unwrap();
        let mut labels = Vec::new();
        for tool in ["buildx", "rkbuild"] {
            let tag = format!("rk/gitlabels-{tool}:{case}");
            let mut cmd = if tool == "buildx" {
                buildx(&cfg, env)
            } else {
                rkbuild(&cfg, env)
            };
            for (k, v) in &envs {
                cmd.env(k, v);
            }
            let o = run(cmd
                .args(["--progress=quiet", "-t", &tag])
                .arg(repo.path().join("app")));
            assert!(o.status.success(), "{tool} {case}: {}", stderr(&o));
            let out = run(cfg.docker(env).args([
                "image",
                "inspect",
                "--format",
                "{{json .Config.Labels}}",
                &tag,
            ]));
            labels.push(stdout(&out));
            let _ = run(cfg.docker(env).args(["rmi", "-f", &tag]));
        }
        assert_eq!(labels[0], labels[1], "{case}: labels, buildx vs rkbuild");
        if case != "default" {
            assert!(
                labels[1].contains("https://git.example/org/app.git"),
                "{}",
                labels[1]
            );
            assert!(!labels[1].contains("s3cret"), "credentials in a label");
            assert!(labels[1].contains("app/Dockerfile"), "{}", labels[1]);
        }
        if case == "full-dirty" {
            assert!(labels[1].contains("-dirty"), "{}", labels[1]);
        }
    }
}

#[test]
fn git_information_reaches_the_provenance_as_with_buildx() {
    let env = daemon!();
    if !env.daemons().contains(&Daemon::Buildkit) {
        return;
    }
    let cfg = DockerConfig::new(env);
    let repo = git_work_tree();
    let reg = &env.registry;
    let mut found = Vec::new();
    for tool in ["buildx", "rkbuild"] {
        let tag = format!("{reg}/rk/vcs:{tool}");
        let mut cmd = if tool == "buildx" {
            buildx_on(&cfg, env, Daemon::Buildkit)
        } else {
            rkbuild_on(&cfg, env, Daemon::Buildkit)
        };
        let o = run(cmd
            .args([
                "--progress=quiet",
                "--provenance=mode=max",
                "--push",
                "-t",
                &tag,
            ])
            .arg(repo.path().join("app")));
        assert!(o.status.success(), "{tool}: {}", stderr(&o));
        let index = registry_get(reg, &format!("rk/vcs/manifests/{tool}"));
        let att = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["vnd.docker.reference.type"] == "attestation-manifest")
            .unwrap_or_else(|| panic!("{tool}: no attestation manifest: {index}"))
            .clone();
        let manifest = registry_get(
            reg,
            &format!("rk/vcs/manifests/{}", att["digest"].as_str().unwrap()),
        );
        let layer = manifest["layers"][0]["digest"]
            .as_str()
            .unwrap()
            .to_string();
        let statement = registry_get(reg, &format!("rk/vcs/blobs/{layer}"));
        let vcs = statement["predicate"]["metadata"]
            ["https://mobyproject.org/buildkit@v1#metadata"]["vcs"]
            .clone();
        found.push(vcs);
    }
    assert_eq!(found[0], found[1], "vcs information, buildx vs rkbuild");
    assert_eq!(
        found[1]["source"], "https://git.example/org/app.git",
        "{}",
        found[1]
    );
    assert_eq!(found[1]["localdir:context"], "app", "{}", found[1]);
    assert_eq!(
        found[1]["revision"].as_str().map(str::len),
        Some(40),
        "{}",
        found[1]
    );
}

#[test]
fn source_policy_file_as_buildx() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let work = tempfile::tempdir().unwrap();
    let deny = work.path().join("deny.json");
    std::fs::write(
        &deny,
        r#"{"rules":[{"action":1,"selector":{"identifier":"docker-image://docker.io/local/busybox:*"}}]}"#,
    )
    .unwrap();
    let broken = work.path().join("broken.json");
    std::fs::write(&broken, r#"{"rules":[{"action":"DENY"}]}"#).unwrap();
    let df = format!("FROM {}\nRUN true\n", env.base_image);
    let ctx = context(&[("Dockerfile", &df)]);
    for (case, path) in [
        ("deny", deny.display().to_string()),
        (
            "missing",
            work.path().join("nope.json").display().to_string(),
        ),
        ("broken", broken.display().to_string()),
    ] {
        let mut results = Vec::new();
        for mut cmd in [buildx(&cfg, env), rkbuild(&cfg, env)] {
            let o = run(cmd
                .env("EXPERIMENTAL_BUILDKIT_SOURCE_POLICY", &path)
                .args(["--progress=plain", "--no-cache"])
                .arg(ctx.path()));
            let err = stderr(&o);
            results.push((o.status.code(), err.contains("denied")));
            if case == "deny" {
                assert!(err.contains("denied"), "{err}");
            }
        }
        assert_eq!(results[0], results[1], "{case}: buildx vs rkbuild");
        assert_eq!(results[1].0, Some(1), "{case}");
    }
}

#[test]
fn cgroup_parent_as_buildx() {
    on_each_daemon(|env, daemon| {
        let df = format!(
            "FROM {}\nRUN cat /proc/self/cgroup > /cg\nFROM scratch\nCOPY --from=0 /cg /\n",
            env.base_image_on(daemon)
        );
        let ctx = context(&[("Dockerfile", &df)]);
        let results: Vec<_> = export_both(
            env,
            daemon,
            ctx.path(),
            &["--cgroup-parent", "rkbuild-test-cg"],
            "cg",
        )
        .into_iter()
        .map(|(code, cg, last)| (code, cg.contains("rkbuild-test-cg"), last))
        .collect();
        assert_eq!(
            results[0], results[1],
            "--cgroup-parent on {daemon:?}: buildx vs rkbuild"
        );
    });
}
