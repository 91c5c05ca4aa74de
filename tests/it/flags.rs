//! buildx's build flags, each with its effect inside the build, compared
//! with buildx 0.13.1 on the same daemon.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::*;

#[test]
fn run_environment_flags_match_buildx() {
    on_daemons(&[Daemon::Docker], run_environment_flags_match_buildx_on);
}

fn run_environment_flags_match_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    cfg.write_config(
        r#"{"proxies":{"default":{"httpProxy":"http://proxy.invalid:3128","noProxy":"localhost"}}}"#,
    );
    let df = format!(
        "FROM {}\n\
         ARG SOURCE_DATE_EPOCH\nARG HTTP_PROXY\nARG no_proxy\nARG CUSTOM\nARG FROM_ENV\n\
         RUN mkdir /out && grep myhost /etc/hosts > /out/hosts; \
             df -k /dev/shm | tail -n 1 | awk '{{print $2}}' > /out/shm; \
             ulimit -n > /out/nofile; grep -c : /proc/net/dev > /out/netdevs; \
             echo \"$SOURCE_DATE_EPOCH $HTTP_PROXY $no_proxy $CUSTOM $FROM_ENV\" > /out/args; \
             uname -m > /out/arch\n\
         FROM scratch\nCOPY --from=0 /out /\n",
        env.base_image
    );
    let ctx = context(&[("Dockerfile", &df)]);
    let both = SideBySide::build(&cfg, env, daemon)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args([
            "--no-cache",
            "--add-host",
            "myhost:10.1.2.3",
            "--shm-size",
            "64m",
            "--ulimit",
            "nofile=1024:2048",
            "--network",
            "none",
            "--build-arg",
            "CUSTOM=c",
            "--build-arg",
            "FROM_ENV",
            "--platform",
            "linux/amd64",
        ])
        .local_output()
        .arg(ctx.path())
        .expect_success();
    both.same_tree();
    let out = both.local(Tool::Rkbuild);
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    assert!(read("hosts").contains("10.1.2.3"), "{}", read("hosts"));
    assert_eq!(read("shm").trim(), "65536");
    assert_eq!(read("nofile").trim(), "1024");
    // --network none: only the loopback device (plus the header lines)
    assert_eq!(read("netdevs").trim(), "1");
    assert_eq!(
        read("args").trim(),
        "1700000000 http://proxy.invalid:3128 localhost c"
    );
    assert_eq!(read("arch").trim(), "x86_64");
}

#[test]
fn named_build_contexts_match_buildx() {
    on_daemons(&[Daemon::Docker], named_build_contexts_match_buildx_on);
}

fn named_build_contexts_match_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let extra = context(&[("f.txt", "from the extra context")]);
    let ctx = context(&[(
        "Dockerfile",
        "FROM base AS b\nRUN echo from-base > /marker\nFROM scratch\nCOPY --from=b /marker /marker\nCOPY --from=extra f.txt /f.txt\n",
    )]);
    let base = format!("base=docker-image://{}", env.base_image);
    let extra_arg = format!("extra={}", extra.path().display());
    let both = SideBySide::build(&cfg, env, daemon)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["--build-context", &base, "--build-context", &extra_arg])
        .local_output()
        .arg(ctx.path())
        .expect_success();
    both.same_tree();
    let out = both.local(Tool::Rkbuild);
    assert_eq!(
        std::fs::read_to_string(out.join("f.txt")).unwrap(),
        "from the extra context"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("marker")).unwrap(),
        "from-base\n"
    );
}

/// Local named contexts called `context` and `dockerfile` are served under
/// other names (`_context`, `_dockerfile`), so they do not replace the
/// build's own context and Dockerfile; names are image references
/// (`docker.io/library/src:latest` is `src`); the main context's own
/// directory can be a named context too.
#[test]
fn named_contexts_with_reserved_names_match_buildx() {
    on_daemons(
        &[Daemon::Docker],
        named_contexts_with_reserved_names_match_buildx_on,
    );
}

fn named_contexts_with_reserved_names_match_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM scratch\nCOPY f /main\nCOPY --from=context f /named\n\
             COPY --from=dockerfile f /other\nCOPY --from=src Dockerfile /src/\n",
        ),
        ("f", "from the main context"),
    ]);
    let named = context(&[("f", "from the context named context")]);
    let other = context(&[("f", "from the context named dockerfile")]);
    let a = format!("context={}", named.path().display());
    let b = format!("dockerfile={}", other.path().display());
    let c = format!("docker.io/library/src:latest={}", ctx.path().display());
    let both = SideBySide::build(&cfg, env, daemon)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args([
            "--build-context",
            &a,
            "--build-context",
            &b,
            "--build-context",
            &c,
        ])
        .local_output()
        .arg(ctx.path())
        .expect_success();
    both.same_tree();
    let out = both.local(Tool::Rkbuild);
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap();
    assert_eq!(read("main"), "from the main context");
    assert_eq!(read("named"), "from the context named context");
    assert_eq!(read("other"), "from the context named dockerfile");
    assert!(read("src/Dockerfile").starts_with("FROM scratch"));
}

/// What buildx refuses about a named context before it builds, rkbuild
/// refuses with the same message: paths that are not directories (given
/// relative to the working directory, and named as given), `target:`
/// names a single build does not have, names that are not references.
#[test]
fn named_context_errors_match_buildx() {
    on_daemons(&[Daemon::Docker], named_context_errors_match_buildx_on);
}

fn named_context_errors_match_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let work = context(&[
        ("ctx/Dockerfile", "FROM scratch\nCOPY --from=x f /f\n"),
        ("a-file", "x"),
    ]);
    let long = format!("{}=ctx", "a".repeat(248));
    for (arg, says) in [
        (
            "x=a-file",
            "ERROR: failed to get build context path {a-file <nil>}: not a directory",
        ),
        (
            "x=a-file/sub",
            "ERROR: failed to get build context x: stat a-file/sub: not a directory",
        ),
        (
            "x=missing",
            "ERROR: failed to get build context x: stat missing: no such file",
        ),
        (
            "x=",
            "ERROR: failed to get build context x: stat : no such file",
        ),
        (
            "x=target:build",
            "ERROR: failed to find target build for context x",
        ),
        (
            "Base=ctx",
            "ERROR: invalid context name Base: invalid reference format",
        ),
        (
            "=ctx",
            "ERROR: invalid context name : invalid reference format",
        ),
        (
            "x@sha256:abc=ctx",
            "ERROR: invalid context name x@sha256:abc: invalid reference format",
        ),
        (
            long.as_str(),
            "repository name must not be more than 255 characters",
        ),
    ] {
        SideBySide::build(&cfg, env, daemon)
            .current_dir(work.path())
            .args(["--build-context", arg, "-o", "type=cacheonly", "ctx"])
            .expect_failure_containing(says)
            .same_last_line();
    }
}

#[test]
fn no_cache_reruns_and_pull_fails_like_buildx() {
    on_daemons(
        &[Daemon::Docker],
        no_cache_reruns_and_pull_fails_like_buildx_on,
    );
}

fn no_cache_reruns_and_pull_fails_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[(
        "Dockerfile",
        &format!(
            "FROM {}\nRUN cat /proc/sys/kernel/random/uuid > /id\nFROM scratch\nCOPY --from=0 /id /id\n",
            env.base_image
        ),
    )]);
    let outs = tempfile::tempdir().unwrap();
    let build = |name: &str, extra: &[&str]| {
        let dest = outs
            .path()
            .join(format!("{name}-{}", rkbuild::session::new_id()));
        ok(docker_rkbuild(&cfg, env)
            .args(extra)
            .arg("-o")
            .arg(&dest)
            .arg(ctx.path()));
        std::fs::read_to_string(dest.join("id")).unwrap()
    };
    let first = build("a", &[]);
    assert_eq!(build("b", &[]), first, "second build must be cached");
    assert_ne!(build("c", &["--no-cache"]), first, "--no-cache must rerun");
    // --pull: the base image exists only locally, so both tools fail.
    SideBySide::build(&cfg, env, daemon)
        .args(["--pull", "-o", "type=cacheonly"])
        .arg(ctx.path())
        .expect_failure_containing(&format!(
            "failed to resolve source metadata for docker.io/{}",
            env.base_image
        ));
}

#[test]
fn bad_flag_values_fail_like_buildx() {
    on_daemons(&[Daemon::Docker], bad_flag_values_fail_like_buildx_on);
}

fn bad_flag_values_fail_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\n")]);
    for (args, says) in [
        (
            &["--platform", "linux/amd64,linux/arm64"][..],
            "ERROR: Multi-platform build is not supported for the docker driver.",
        ),
        (
            &["--network", "bridge0"],
            "ERROR: network mode \"bridge0\" not supported",
        ),
        (&["--push"], "ERROR: tag is needed when pushing to registry"),
        (
            &["--push", "--load"],
            "ERROR: tag is needed when pushing to registry",
        ),
    ] {
        SideBySide::build(&cfg, env, daemon)
            .args(args)
            .arg(ctx.path())
            .expect_failure_containing(says)
            .same_last_line();
    }
}

#[test]
fn unreadable_file_in_context_is_a_clear_error() {
    let env = daemon!();
    let proxy = bridge::OpenDockerProxy::start(&env.docker_sock);
    let ctx = context(&[
        ("Dockerfile", "FROM scratch\nCOPY . /\n"),
        ("ok.txt", "ok"),
        ("secret.txt", "s"),
    ]);
    let cfg = tempfile::tempdir().unwrap();
    for d in [ctx.path(), cfg.path()] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    for f in ["Dockerfile", "ok.txt"] {
        std::fs::set_permissions(ctx.path().join(f), std::fs::Permissions::from_mode(0o644))
            .unwrap();
    }
    std::fs::set_permissions(
        ctx.path().join("secret.txt"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(rkbuild_bin())
        .args(["--progress=plain", "-o", "type=cacheonly"])
        .arg(ctx.path())
        .env("DOCKER_HOST", format!("unix://{}", proxy.path.display()))
        .env("DOCKER_CONFIG", cfg.path())
        .env("HOME", cfg.path())
        .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND")
        .env_remove("BUILDKIT_HOST");
    let o = run(&mut cmd);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let last = err.trim_end().lines().last().unwrap_or("");
    assert!(last.starts_with("ERROR: "), "{err}");
    assert!(
        last.contains("secret.txt") && last.contains("permission denied"),
        "{last}"
    );
}

/// A flag that takes a value takes the next argument even when it starts
/// with `-`, as buildx's flag parser (pflag) does: the values reach the
/// build (a Dockerfile named `-d`, an output directory named `-out-...`,
/// build args and labels starting with `-`).
#[test]
fn hyphen_leading_values_build_like_buildx() {
    on_daemons(
        &[Daemon::Docker],
        hyphen_leading_values_build_like_buildx_on,
    );
}

fn hyphen_leading_values_build_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let df = format!(
        "FROM {}\nARG y\nRUN mkdir /out && echo \"$y\" > /out/y\nFROM scratch\nCOPY --from=0 /out /\n",
        env.base_image
    );
    let work = context(&[("-d", &df)]);
    SideBySide::build(&cfg, env, daemon)
        .current_dir(work.path())
        .args(["-f", "-d", "--build-arg", "-x=1", "--build-arg", "y=--z"])
        .args(["--label", "-l=v", "-o"])
        .per_tool(|t| [format!("-out-{t}")])
        .arg(".")
        .expect_success();
    let (a, b) = (
        work.path().join("-out-buildx"),
        work.path().join("-out-rkbuild"),
    );
    tree::assert_same(&a, &b);
    assert_eq!(std::fs::read_to_string(b.join("y")).unwrap(), "--z\n");
}

/// The outcome of hyphen-leading values, side by side with buildx: each
/// case with the exit code both tools give (0, or 1 with the same error
/// line). Flags without a value (`--load`) never take the next argument;
/// a repeated flag keeps its last value.
#[test]
fn hyphen_leading_values_match_buildx() {
    on_daemons(&[Daemon::Docker], hyphen_leading_values_match_buildx_on);
}

fn hyphen_leading_values_match_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let work = context(&[
        (
            "ctx/Dockerfile",
            "FROM scratch AS base\nARG -x\nFROM base\n",
        ),
        ("-x", "FROM scratch\n"),
    ]);
    let cases: &[(&[&str], i32)] = &[
        (&["--build-arg", "-x=1"], 0),
        (&["--build-arg", "--no-cache"], 0),
        (&["--label", "-l=v"], 0),
        (&["--no-cache-filter", "-x"], 0),
        (&["--cgroup-parent", "-x"], 0),
        (&["-f", "-x"], 0),
        (&["-f-x"], 0),
        (&["--file=-x"], 0),
        (&["--progress=plain", "--progress", "-x"], 1),
        (&["--build-context", "-x=ctx"], 1),
        (&["-t", "-foo"], 1),
        (&["-t-foo"], 1),
        (&["--tag=-foo"], 1),
        (&["--tag", "--"], 1),
        (&["--load", "-t", "-x"], 1),
        (&["--target", "-x"], 1),
        (&["--network", "-x"], 1),
        (&["--add-host", "-x"], 1),
        (&["-f", "-y"], 1),
    ];
    for (flags, want) in cases {
        let out = SideBySide::build(&cfg, env, daemon)
            .current_dir(work.path())
            .args(*flags)
            .args(["-o", "type=cacheonly", "ctx"])
            .expect_code(*want);
        if *want != 0 {
            out.same_last_line();
            assert!(out.last_line().starts_with("ERROR: "), "{}", out.what);
        }
    }
}

/// `-t` values are image references, checked before anything else is
/// looked at (here: a context that does not exist), with buildx's message.
#[test]
fn invalid_tags_fail_like_buildx() {
    on_daemons(&[Daemon::Docker], invalid_tags_fail_like_buildx_on);
}

fn invalid_tags_fail_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let work = context(&[("ctx/Dockerfile", "FROM scratch\n")]);
    let name_129 = "a".repeat(129);
    let tag_129 = format!("x:{}", "t".repeat(129));
    let name_256 = "a".repeat(256);
    let digest_short = format!("x@sha256:{}", "ab".repeat(20));
    let cases: &[(&[&str], i32)] = &[
        (&["-t", "ok", "-t", "localhost:5000/a/b:V_1.0"], 0),
        (&["-t", &name_129], 0),
        (&["-t", "UPPER"], 1),
        (&["-t", "a b"], 1),
        (&["-t", ":x"], 1),
        (&["-t", "x:"], 1),
        (&["-t", "x\ty"], 1),
        (&["-t", ""], 1),
        (&["-t", &tag_129], 1),
        (&["-t", &name_256], 1),
        (&["-t", "x@sha256:abc"], 1),
        (&["-t", &digest_short], 1),
        (&["-t", "ok", "-t", "Bad"], 1),
    ];
    for (flags, want) in cases {
        // A bad tag is refused before the context (here one that does not
        // exist) is looked at.
        let contexts: &[&str] = if *want == 0 {
            &["ctx"]
        } else {
            &["ctx", "no-such-dir"]
        };
        for ctx in contexts {
            let out = SideBySide::build(&cfg, env, daemon)
                .current_dir(work.path())
                .args(*flags)
                .args(["-o", "type=cacheonly", ctx])
                .expect_code(*want);
            if *want != 0 {
                out.same_last_line();
                assert!(out.last_line().starts_with("ERROR: "), "{}", out.what);
            }
        }
    }
}

/// Bad input, side by side with buildx: `--platform` values as containerd
/// parses them, boolean flags with a value, `--iidfile` with local and tar
/// outputs, output destinations, values pflag checks, missing values,
/// unknown flags and the number of arguments; each with the exit status
/// both tools give and, on failure, the same error, found in the same
/// order when there are several.
#[test]
fn bad_input_fails_like_buildx() {
    on_daemons(&[Daemon::Docker], bad_input_fails_like_buildx_on);
}

fn bad_input_fails_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let work = context(&[("ctx/Dockerfile", "FROM scratch\n")]);
    let c = ["-o", "type=cacheonly", "ctx"];
    let with =
        |flags: &[&'static str]| -> Vec<&'static str> { flags.iter().copied().chain(c).collect() };
    let cases: Vec<(Vec<&str>, i32)> = vec![
        // --platform: containerd's Parse, its known OS and architectures.
        (with(&["--platform", "x"]), 1),
        (with(&["--platform", "-x"]), 1),
        (with(&["--platform", "wasip1"]), 1),
        (with(&["--platform", "x(1)"]), 1),
        (with(&["--platform", ""]), 1),
        (with(&["--platform", "linux/amd64,"]), 1),
        (with(&["--platform", " linux/amd64"]), 1),
        (with(&["--platform", "linux/amd64 "]), 1),
        (with(&["--platform", "linux/a.b"]), 1),
        (with(&["--platform", "linux//amd64"]), 1),
        (with(&["--platform", "a/b/c/d"]), 1),
        (with(&["--platform", "a/b/c/d/e"]), 1),
        (with(&["--platform", "linux(a b)/amd64"]), 1),
        (with(&["--platform", "linux/*"]), 1),
        (with(&["--platform", "linux/x"]), 0),
        (with(&["--platform", "linux/amd64/v9"]), 0),
        (with(&["--platform", "foo/bar"]), 0),
        (with(&["--platform", "LINUX/AMD64"]), 0),
        (with(&["--platform", "linux/arm64/v8"]), 0),
        (with(&["--platform", "linux(1.0)/amd64"]), 0),
        (with(&["--platform", "darwin"]), 0),
        (with(&["--platform", "ARM64"]), 0),
        (with(&["--platform", "local"]), 0),
        // Boolean flags: a value after `=` only, strconv.ParseBool's.
        (with(&["--no-cache=false"]), 0),
        (with(&["--no-cache=1"]), 0),
        (with(&["--push=false"]), 0),
        (with(&["--push", "--push=F"]), 0),
        (with(&["--load=false"]), 0),
        (with(&["--pull=false"]), 0),
        (with(&["-q=false"]), 0),
        (with(&["--quiet=True"]), 0),
        (with(&["--no-cache=yes"]), 125),
        (with(&["--no-cache="]), 125),
        (with(&["-q=x"]), 125),
        (with(&["-q="]), 125),
        (with(&["--no-cache", "false"]), 1),
        // --iidfile and local or tar outputs, checked before the rest; a
        // stale image ID file is removed once the flags are read.
        (with(&["--iidfile", "iid", "-o", "type=local,dest=out"]), 1),
        (with(&["--iidfile", "iid", "-o", "-"]), 1),
        (with(&["--iidfile", "iid", "-o", "type=tar,dest=x.tar"]), 1),
        (
            vec![
                "--iidfile",
                "iid",
                "-o",
                "out",
                "--platform",
                "x",
                "-t",
                "Bad",
                "nosuch",
            ],
            1,
        ),
        (with(&["--iidfile", "iid", "--platform", "x"]), 1),
        // Output destinations, after the platforms and before the tags.
        (vec!["-o", "type=local", "ctx"], 1),
        (vec!["-o", "type=local,dest=", "ctx"], 1),
        (vec!["-o", "type=local", "-t", "Bad", "nosuch"], 1),
        (vec!["-o", "type=local", "--platform", "x", "ctx"], 1),
        (vec!["-o", "type=local", "--allow", "-x", "ctx"], 1),
        (vec!["-o", "type=local,dest=-", "ctx"], 1),
        (vec!["-o", "type=local,dest=ctx/Dockerfile", "ctx"], 1),
        (vec!["-o", "type=tar,dest=ctx", "ctx"], 1),
        (vec!["-o", "type=tar,dest=-", "-o", "-", "ctx"], 1),
        (vec!["-o", "type=docker,tar=false", "ctx"], 1),
        (vec!["-o", "type=tar", "ctx"], 0),
        // The docker driver has no oci exporter (buildx refuses up front).
        (vec!["-o", "type=oci", "ctx"], 1),
        (vec!["-o", "type=oci,dest=o.tar", "ctx"], 1),
        (vec!["-o", "type=docker,dest=d.tar", "ctx"], 1),
        (vec!["-o", "type=docker,dest=-", "ctx"], 1),
        (vec!["-o", "type=docker", "ctx"], 0),
        // Values pflag checks, entitlements, other flag errors.
        // String slices are CSV records (quotes keep commas; bad quotes fail).
        (with(&["--add-host", "a\"b:1.1.1.1"]), 125),
        (with(&["--add-host", "\"a:1.1.1.1"]), 125),
        (with(&["--add-host", "x:1.1.1.1,\"y\"z"]), 125),
        (with(&["--allow", "\"network.host"]), 125),
        (with(&["--add-host", "\"a:1.1.1.1\",\"b:2.2.2.2\""]), 0),
        (with(&["--add-host", "\"a:1.1.1.1,b:2.2.2.2\""]), 1),
        (with(&["--add-host", "a:300.1.1.1"]), 1),
        (with(&["--add-host", "a:[::1]"]), 0),
        (with(&["--allow", "\"network.host\""]), 0),
        (with(&["--ulimit", "-x"]), 125),
        (with(&["--ulimit", "nofile=2:1"]), 125),
        (with(&["--ulimit=nofile=1:a"]), 125),
        (with(&["--ulimit", "nofile=1024:2048"]), 0),
        (with(&["--shm-size", "-1"]), 125),
        (with(&["--shm-size", "1e3"]), 125),
        (with(&["--shm-size", "1.2.3m"]), 125),
        (with(&["--shm-size", "99999999999999999999"]), 0),
        (with(&["--allow", "-x"]), 1),
        (with(&["--allow", "network.host,"]), 1),
        (vec!["--allow", "-x", "-t", "Bad", "nosuch"], 1),
        (with(&["--allow="]), 0),
        (with(&["--add-host="]), 0),
        (with(&["--build-arg", "=x"]), 1),
        (
            with(&["--no-cache", "--no-cache-filter", "a", "--platform", "x"]),
            1,
        ),
        (vec!["ctx", "-t"], 125),
        (vec!["ctx", "--tag"], 125),
        (vec!["ctx", "-qt"], 125),
        (vec!["ctx", "-o"], 125),
        (with(&["--bogus"]), 125),
        (with(&["--bogus=1"]), 125),
        (with(&["-x"]), 125),
        (with(&["-qx"]), 125),
        (with(&["---x"]), 125),
        // The builder is picked after the flags and the stale image ID file.
        (vec!["--builder", "nosuch", "ctx"], 1),
        (
            vec!["--builder", "nosuch", "-q", "--progress", "plain", "ctx"],
            1,
        ),
        (vec!["--builder", "nosuch", "--iidfile", "iid", "ctx"], 1),
        (
            vec!["--builder", "nosuch", "--iidfile", "iid", "-o", "-", "ctx"],
            1,
        ),
        (vec!["--builder", "nosuch", "-t", "Bad", "ctx"], 1),
        (vec!["--builder", "nosuch", "--platform", "x", "ctx"], 1),
        (vec!["--builder", "nosuch", "--allow", "-x", "ctx"], 1),
        (vec!["--builder", "nosuch", "-o", "type=local", "ctx"], 1),
        (vec!["--builder", "nosuch", "--progress", "bogus", "ctx"], 1),
        // The number of arguments, after the flags.
        (vec!["-o", "type=cacheonly", "ctx", "ctx"], 1),
        (vec!["-o", "type=cacheonly"], 1),
        (vec!["ctx", "ctx", "--bogus"], 125),
    ];
    // A stale image ID file, removed once the flags are read: by both.
    let iid = work.path().join("iid");
    for (args, want) in &cases {
        let kept: [std::cell::Cell<bool>; 2] = Default::default();
        let out = SideBySide::build(&cfg, env, daemon)
            .current_dir(work.path())
            .args(args)
            .before_each(|_| std::fs::write(&iid, "stale").unwrap())
            .after_each(|t| kept[t.index()].set(iid.exists()))
            .expect_code(*want);
        assert_eq!(
            kept[0].get(),
            kept[1].get(),
            "{args:?}: stale image ID file kept?"
        );
        if *want != 0 {
            // Flag errors are the docker CLI's (`MESSAGE` then `See '...
            // --help'.`); others an `ERROR:` line, which rkbuild may end
            // with a hint.
            out.same_error();
        }
        if *want == 125 {
            let err = out.stderr(Tool::Rkbuild);
            assert!(
                err.trim_end().ends_with("See 'docker rkbuild --help'."),
                "{err}"
            );
        }
    }
}

/// The other commands' argument errors, side by side with buildx's (`du`,
/// `prune`, `ls` take no arguments; `--keep-storage` is a size).
#[test]
fn subcommand_argument_errors_match_buildx() {
    on_daemons(
        &[Daemon::Docker],
        subcommand_argument_errors_match_buildx_on,
    );
}

fn subcommand_argument_errors_match_buildx_on(env: &TestEnv, _daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    for (args, want) in [
        (&["prune", "-f", "--keep-storage", "x"][..], 125),
        (&["prune", "-f", "--keep-storage=-1"], 125),
        (&["prune", "--bogus"], 125),
        (&["du", "x"], 1),
        (&["prune", "-f", "x"], 1),
        (&["ls", "x"], 1),
    ] {
        let out = SideBySide::cli(&cfg, env).args(args).expect_code(want);
        if want == 125 {
            out.same_error();
        } else {
            // buildx's first line, with its command path rkbuild's.
            let first = |t: Tool| {
                let err = out.stderr(t).replace("docker buildx", "docker rkbuild");
                err.lines().next().unwrap_or("").to_string()
            };
            let (a, b) = (first(Tool::Buildx), first(Tool::Rkbuild));
            assert!(b.starts_with(&a), "{}\n{a}\n{b}", out.what);
        }
    }
}
