//! The one shared test harness: it finds the real daemon, registries,
//! buildx and the docker CLI that `scripts/testenv up` started, and makes
//! throw-away DOCKER_CONFIG directories with the plugins installed.
//!
//! Daemon tests never pass by skipping: without the environment they fail,
//! unless `RKBUILD_SKIP_DAEMON_TESTS=1` is set, and then they say so loudly.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// What `scripts/testenv up` wrote to `target/testenv/env`.
#[derive(Debug, Clone)]
pub struct TestEnv {
    pub vars: HashMap<String, String>,
    /// `unix:///...` of the daemon.
    pub docker_host: String,
    /// The daemon socket path.
    pub docker_sock: PathBuf,
    /// buildx 0.13.1 binary.
    pub buildx: PathBuf,
    /// docker CLI binary.
    pub docker_bin: PathBuf,
    /// `local/busybox:latest`.
    pub base_image: String,
    /// Plain registry `127.0.0.1:PORT`.
    pub registry: String,
    /// Basic-auth registry `127.0.0.1:PORT`.
    pub auth_registry: String,
    pub auth_user: String,
    pub auth_pass: String,
    /// Token-auth registry `127.0.0.1:PORT` (its token server:
    /// [`token::TokenServer`]).
    pub token_registry: String,
    /// `unix:///...` of the standalone buildkitd (empty when the testenv
    /// was brought up without it).
    pub buildkit_host: String,
    /// The buildx remote builder that reaches it (`rkbuild-remote`).
    pub buildx_remote: String,
    /// The busybox base image in the plain registry, for buildkitd.
    pub registry_base_image: String,
    /// An image with buildkitd, buildctl and runc, for docker-container
    /// builders (`--driver-opt image=`).
    pub buildkit_image: String,
}

/// Which BuildKit a side-by-side test runs on ([`on_daemons`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Daemon {
    /// dockerd 26.1.5's embedded BuildKit (buildx's docker driver).
    Docker,
    /// The standalone buildkitd v0.13.2 (buildx's remote driver).
    Buildkit,
}

impl TestEnv {
    /// The busybox base image as `daemon` can use it.
    pub fn base_image_on(&self, daemon: Daemon) -> &str {
        match daemon {
            Daemon::Docker => &self.base_image,
            Daemon::Buildkit => &self.registry_base_image,
        }
    }

    /// The daemons of the environment: both. The standalone BuildKit is
    /// required; `RKBUILD_SKIP_BUILDKIT_TESTS=1` opts out of it, loudly.
    /// A side-by-side test names its own with [`on_daemons`].
    pub fn daemons(&self) -> Vec<Daemon> {
        if !self.buildkit_host.is_empty() {
            return vec![Daemon::Docker, Daemon::Buildkit];
        }
        if std::env::var("RKBUILD_SKIP_BUILDKIT_TESTS").as_deref() == Ok("1") {
            eprintln!(
                "\n!!!!! RKBUILD_SKIP_BUILDKIT_TESTS=1: this test did NOT run on the standalone BuildKit !!!!!\n"
            );
            return vec![Daemon::Docker];
        }
        panic!(
            "the test environment has no standalone buildkitd (RKBUILD_TEST_BUILDKIT_HOST is empty): \
             run `scripts/testenv up` without RKBUILD_TESTENV_BUILDKIT=0, or set \
             RKBUILD_SKIP_BUILDKIT_TESTS=1 to opt out"
        );
    }
}

fn load() -> Result<TestEnv, String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/testenv/env");
    if let Ok(text) = std::fs::read_to_string(&file) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((k, v)) = line.split_once('=') {
                vars.insert(k.to_string(), v.trim_matches('"').to_string());
            }
        }
    }
    // Explicit environment variables win over the file.
    for (k, v) in std::env::vars() {
        if k.starts_with("RKBUILD_TEST") {
            vars.insert(k, v);
        }
    }
    if vars.get("RKBUILD_TESTENV").map(String::as_str) != Some("1") {
        return Err(format!(
            "no test environment: {} is missing. Run `scripts/testenv up` (or `make test`), \
             or set RKBUILD_SKIP_DAEMON_TESTS=1 to opt out of the daemon tests",
            file.display()
        ));
    }
    let get = |k: &str| vars.get(k).cloned().unwrap_or_default();
    let sock = get("RKBUILD_TEST_DOCKER_SOCK");
    if sock.is_empty() || !Path::new(&sock).exists() {
        return Err(format!(
            "the test daemon socket {sock:?} does not exist: run `scripts/testenv up`"
        ));
    }
    Ok(TestEnv {
        docker_host: format!("unix://{sock}"),
        docker_sock: PathBuf::from(&sock),
        buildx: PathBuf::from(get("RKBUILD_TEST_BUILDX")),
        docker_bin: PathBuf::from(get("RKBUILD_TEST_DOCKER_BIN")),
        base_image: get("RKBUILD_TEST_BASE_IMAGE"),
        registry: get("RKBUILD_TEST_REGISTRY"),
        auth_registry: get("RKBUILD_TEST_AUTH_REGISTRY"),
        auth_user: get("RKBUILD_TEST_AUTH_USER"),
        auth_pass: get("RKBUILD_TEST_AUTH_PASS"),
        token_registry: get("RKBUILD_TEST_TOKEN_REGISTRY"),
        buildkit_host: get("RKBUILD_TEST_BUILDKIT_HOST"),
        buildx_remote: get("RKBUILD_TEST_BUILDX_REMOTE_BUILDER"),
        registry_base_image: get("RKBUILD_TEST_REGISTRY_BUSYBOX"),
        buildkit_image: get("RKBUILD_TEST_BUILDKIT_IMAGE"),
        vars,
    })
}

/// The test environment, or `None` when the user opted out (loudly).
/// Panics when the environment is missing and the user did not opt out.
pub fn env() -> Option<&'static TestEnv> {
    static ENV: OnceLock<Result<TestEnv, String>> = OnceLock::new();
    match ENV.get_or_init(load) {
        Ok(e) => Some(e),
        Err(msg) => {
            if std::env::var("RKBUILD_SKIP_DAEMON_TESTS").as_deref() == Ok("1") {
                eprintln!(
                    "\n!!!!! RKBUILD_SKIP_DAEMON_TESTS=1: this daemon test did NOT run ({msg}) !!!!!\n"
                );
                None
            } else {
                panic!("{msg}");
            }
        }
    }
}

/// `let env = daemon!();` at the top of a daemon test.
#[macro_export]
macro_rules! daemon {
    () => {
        match $crate::common::env() {
            Some(e) => e,
            None => return,
        }
    };
}

/// The plugin binary under test.
pub fn rkbuild_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_docker-rkbuild"))
}

/// A throw-away DOCKER_CONFIG with docker-rkbuild and docker-buildx installed
/// as CLI plugins and an empty config.json.
pub struct DockerConfig {
    pub dir: tempfile::TempDir,
}

impl DockerConfig {
    pub fn new(env: &TestEnv) -> DockerConfig {
        let dir = tempfile::Builder::new()
            .prefix("rkbuild-dockercfg-")
            .tempdir()
            .expect("temp dir");
        let plugins = dir.path().join("cli-plugins");
        std::fs::create_dir_all(&plugins).expect("cli-plugins dir");
        std::os::unix::fs::symlink(rkbuild_bin(), plugins.join("docker-rkbuild"))
            .expect("link rkbuild");
        if env.buildx.exists() {
            std::os::unix::fs::symlink(&env.buildx, plugins.join("docker-buildx"))
                .expect("link buildx");
        }
        std::fs::write(dir.path().join("config.json"), "{}\n").expect("config.json");
        // buildx's remote builder for the standalone buildkitd, from the
        // testenv's own DOCKER_CONFIG.
        if !env.buildx_remote.is_empty() {
            let from = Path::new(&env.vars["DOCKER_CONFIG"])
                .join("buildx/instances")
                .join(&env.buildx_remote);
            let to = dir.path().join("buildx/instances");
            std::fs::create_dir_all(&to).expect("buildx instances dir");
            std::fs::copy(&from, to.join(&env.buildx_remote)).expect("copy the remote builder");
        }
        DockerConfig { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write_config(&self, json: &str) {
        std::fs::write(self.path().join("config.json"), json).expect("config.json");
    }

    /// `docker ARGS` through the real docker CLI.
    pub fn docker(&self, env: &TestEnv) -> Command {
        let mut c = Command::new(&env.docker_bin);
        self.set_docker_env(&mut c, env);
        c
    }

    /// The environment of [`DockerConfig::docker`]: the test daemon, this
    /// DOCKER_CONFIG, no builder or context chosen by the caller's.
    pub fn set_docker_env(&self, c: &mut Command, env: &TestEnv) {
        c.env("DOCKER_HOST", &env.docker_host)
            .env("DOCKER_CONFIG", self.path())
            .env_remove("BUILDKIT_HOST")
            .env_remove("BUILDX_BUILDER")
            .env_remove("DOCKER_CONTEXT");
    }

    /// The `docker-rkbuild` binary run standalone, as its own program (not
    /// through the docker CLI: no plugin handshake, no docker global
    /// flags); [`docker_rkbuild`] is the plugin through the docker CLI.
    pub fn rkbuild_standalone(&self, env: &TestEnv) -> Command {
        let mut c = Command::new(rkbuild_bin());
        c.env("DOCKER_HOST", &env.docker_host)
            .env("DOCKER_CONFIG", self.path())
            .env_remove("BUILDKIT_HOST")
            .env_remove("BUILDX_BUILDER")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND");
        c
    }
}

/// A build context directory with the given files.
pub fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::Builder::new().prefix("rkctx-").tempdir().unwrap();
    for (p, content) in files {
        let full = d.path().join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }
    d
}

/// `docker buildx build` through the real docker CLI (dockerd's builder
/// unless told otherwise; [`Tool::build_on`] picks a daemon).
pub fn docker_buildx_build(cfg: &DockerConfig, env: &TestEnv) -> Command {
    Tool::Buildx.build_on(cfg, env, Daemon::Docker)
}

/// `docker buildx` (any command) through the real docker CLI.
pub fn docker_buildx(cfg: &DockerConfig, env: &TestEnv) -> Command {
    Tool::Buildx.cli(cfg, env)
}

/// `docker rkbuild` (a build, or any command) through the real docker CLI,
/// as a CLI plugin; [`DockerConfig::rkbuild_standalone`] runs the binary
/// on its own.
pub fn docker_rkbuild(cfg: &DockerConfig, env: &TestEnv) -> Command {
    Tool::Rkbuild.cli(cfg, env)
}

/// Runs a command, returning its output; panics if it cannot start.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The last line of stderr, where both tools put their error.
pub fn stderr_last_line(o: &Output) -> String {
    stderr(o)
        .trim_end()
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

/// Runs a command with `input` on its stdin, returning its output.
pub fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        // A command may exit before reading everything; that is its answer.
        let _ = stdin.write_all(input);
    }
    child.wait_with_output().expect("wait")
}

/// Asserts success and returns stdout.
pub fn ok(cmd: &mut Command) -> String {
    let o = run(cmd);
    assert!(
        o.status.success(),
        "{cmd:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// `GET` of a registry path with the manifest media types accepted.
pub fn registry_get(registry: &str, path: &str) -> serde_json::Value {
    let o = run(Command::new("curl").args([
        "-sf",
        "--max-time",
        "20",
        "-H",
        "Accept: application/vnd.oci.image.index.v1+json",
        "-H",
        "Accept: application/vnd.oci.image.manifest.v1+json",
        &format!("http://{registry}/v2/{path}"),
    ]));
    assert!(o.status.success(), "GET {path}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub mod bridge;
pub mod buildkitd;
pub mod http;
pub mod side;
pub mod token;
pub mod tree;

pub use side::{on_daemons, Expect, SideBySide, Tool, BOTH};
