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

/// Legacy flags and the exit status buildx gives (125: a value pflag
/// refuses).
const LEGACY: &[(&[&str], i32)] = &[
    (&["--rm"], 0),
    (&["--rm=false"], 0),
    (&["--force-rm"], 0),
    (&["-m", "2g"], 0),
    (&["--memory", "512m", "--memory-swap", "-1"], 0),
    (&["-c", "512"], 0),
    (&["--cpu-shares=0x10"], 0),
    (&["--cpu-period", "100000", "--cpu-quota", "50000"], 0),
    (&["--cpuset-cpus", "0-1", "--cpuset-mems", "0"], 0),
    (&["--squash"], 0),
    (&["--squash=false"], 0),
    (&["--compress"], 0),
    (&["--isolation", "default"], 0),
    (
        &[
            "--security-opt",
            "seccomp=unconfined",
            "--security-opt",
            "label=disable",
        ],
        0,
    ),
    (&["--isolation=x", "--security-opt=", "--squash"], 0),
    (&["-c", "x"], 125),
    (&["--cpu-quota", "99999999999999999999"], 125),
    (&["--cpu-period=1_000"], 0),
    (&["--cpu-period=0x1_000"], 0),
];

#[test]
fn legacy_flags_are_accepted_and_ignored_as_buildx() {
    on_daemons(
        &[Daemon::Docker],
        legacy_flags_are_accepted_and_ignored_as_buildx_on,
    );
}

fn legacy_flags_are_accepted_and_ignored_as_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "a\n")]);
    for (flags, code) in LEGACY {
        SideBySide::build(&cfg, env, daemon)
            .args(["--progress=quiet"])
            .args(*flags)
            .arg(ctx.path())
            .expect_code(*code)
            .same_by("the warnings and the last line", outcome);
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
    let o = run(docker_rkbuild(&cfg, env).arg("--help"));
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
    on_daemons(BOTH, |env, daemon| {
        let df = format!(
            "FROM {}\nRUN grep gw.test /etc/hosts > /hosts\nFROM scratch\nCOPY --from=0 /hosts /\n",
            env.base_image_on(daemon)
        );
        let ctx = context(&[("Dockerfile", &df)]);
        let cfg = DockerConfig::new(env);
        let pair = SideBySide::build(&cfg, env, daemon)
            .args(["--progress=plain", "--no-cache"])
            .args(["--add-host", "gw.test:host-gateway"])
            .local_output()
            .arg(ctx.path());
        match daemon {
            Daemon::Docker => {
                let out = pair.expect_success();
                out.same_last_line();
                let hosts = out.file(Tool::Rkbuild, "hosts");
                assert_eq!(out.file(Tool::Buildx, "hosts"), hosts);
                assert!(hosts.contains("gw.test"), "no gw.test line: {hosts:?}");
            }
            Daemon::Buildkit => {
                let out = pair.expect_failure_containing("host-gateway is not supported");
                out.same_last_line();
                assert_eq!(
                    out.last_line(),
                    "ERROR: unable to derive the IP value for host-gateway: host-gateway is not supported by the remote driver"
                );
            }
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
    on_daemons(
        &[Daemon::Docker],
        local_export_files_belong_to_the_calling_user_on,
    );
}

fn local_export_files_belong_to_the_calling_user_on(env: &TestEnv, daemon: Daemon) {
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
    let out = SideBySide::build(&cfg, env, daemon)
        .arg("--progress=quiet")
        .local_output()
        .arg(ctx.path())
        .expect_success();
    let trees = Tool::BOTH.map(|t| owners(&out.local(t)));
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
    let dest = |t: Tool| work.path().join(t.name());
    SideBySide::build(&cfg, env, daemon)
        .wrapped_in([
            "setpriv",
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
        ])
        .env("DOCKER_HOST", format!("unix://{}", proxy.path.display()))
        .env("HOME", work.path())
        .args(["--progress=quiet", "-o"])
        .per_tool(move |t| [format!("type=local,dest={}", dest(t).display())])
        .arg(ctx.path())
        .expect_success();
    let trees = Tool::BOTH.map(|t| owners(&dest(t)));
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
    on_daemons(
        &[Daemon::Docker],
        docker_default_platform_is_the_platform_default_on,
    );
}

fn docker_default_platform_is_the_platform_default_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "a\n")]);
    for (value, flags, code) in [
        ("linux/amd64,linux/arm64", &[][..], 1),
        ("bogus", &[], 1),
        ("bogus", &["--platform", "linux/amd64"], 0),
        ("linux/amd64", &[], 0),
    ] {
        SideBySide::build(&cfg, env, daemon)
            .env("DOCKER_DEFAULT_PLATFORM", value)
            .args(["--progress=quiet"])
            .args(flags)
            .arg(ctx.path())
            .expect_code(code)
            .same_by("the warnings and the last line", outcome);
    }
}

#[test]
fn git_labels_of_a_work_tree_as_buildx() {
    on_daemons(&[Daemon::Docker], git_labels_of_a_work_tree_as_buildx_on);
}

fn git_labels_of_a_work_tree_as_buildx_on(env: &TestEnv, daemon: Daemon) {
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
        let tag = |t: Tool| format!("rk/gitlabels-{t}:{case}");
        let mut pair = SideBySide::build(&cfg, env, daemon);
        for (k, v) in &envs {
            pair = pair.env(k, v);
        }
        pair.args(["--progress=quiet", "-t"])
            .per_tool(|t| [tag(t)])
            .arg(repo.path().join("app"))
            .expect_success();
        let labels = Tool::BOTH.map(|t| {
            let out = run(cfg.docker(env).args([
                "image",
                "inspect",
                "--format",
                "{{json .Config.Labels}}",
                &tag(t),
            ]));
            let _ = run(cfg.docker(env).args(["rmi", "-f", &tag(t)]));
            stdout(&out)
        });
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
    on_daemons(
        &[Daemon::Buildkit],
        git_information_reaches_the_provenance_as_with_buildx_on,
    );
}

fn git_information_reaches_the_provenance_as_with_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let repo = git_work_tree();
    let reg = &env.registry;
    SideBySide::build(&cfg, env, daemon)
        .args(["--progress=quiet", "--provenance=mode=max", "--push", "-t"])
        .per_tool(|t| [format!("{reg}/rk/vcs:{t}")])
        .arg(repo.path().join("app"))
        .expect_success();
    let found = Tool::BOTH.map(|tool| {
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
        statement["predicate"]["metadata"]["https://mobyproject.org/buildkit@v1#metadata"]["vcs"]
            .clone()
    });
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
    on_daemons(&[Daemon::Docker], source_policy_file_as_buildx_on);
}

fn source_policy_file_as_buildx_on(env: &TestEnv, daemon: Daemon) {
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
        let out = SideBySide::build(&cfg, env, daemon)
            .env("EXPERIMENTAL_BUILDKIT_SOURCE_POLICY", &path)
            .args(["--progress=plain", "--no-cache"])
            .arg(ctx.path())
            .expect_code(1);
        out.same_by("saying denied", |o| stderr(o).contains("denied"));
        if case == "deny" {
            let err = out.stderr(Tool::Rkbuild);
            assert!(err.contains("denied"), "{err}");
        }
    }
}

#[test]
fn cgroup_parent_as_buildx() {
    on_daemons(BOTH, |env, daemon| {
        let df = format!(
            "FROM {}\nRUN cat /proc/self/cgroup > /cg\nFROM scratch\nCOPY --from=0 /cg /\n",
            env.base_image_on(daemon)
        );
        let ctx = context(&[("Dockerfile", &df)]);
        let cfg = DockerConfig::new(env);
        let out = SideBySide::build(&cfg, env, daemon)
            .args(["--progress=plain", "--no-cache"])
            .args(["--cgroup-parent", "rkbuild-test-cg"])
            .local_output()
            .arg(ctx.path())
            .expect_success();
        out.same_last_line();
        for t in Tool::BOTH {
            let cg = out.file(t, "cg");
            assert!(cg.contains("rkbuild-test-cg"), "{t} on {daemon:?}: {cg}");
        }
    });
}
