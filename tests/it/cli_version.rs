//! `docker rkbuild version` and the plugin protocol's first steps, through
//! the real docker CLI and standalone.

use crate::common;

use std::time::{Duration, Instant};

use common::*;

#[test]
fn metadata_is_printed_without_daemon() {
    let start = Instant::now();
    let out = run(std::process::Command::new(rkbuild_bin())
        .arg("docker-cli-plugin-metadata")
        .env("DOCKER_HOST", "unix:///nonexistent.sock"));
    assert!(out.status.success());
    assert!(start.elapsed() < Duration::from_secs(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["SchemaVersion"], "0.1.0");
    assert_eq!(v["Vendor"], "rkbuild");
    assert_eq!(v["Version"], format!("v{}", env!("CARGO_PKG_VERSION")));
    let file = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("plugin-metadata/metadata.json"),
    )
    .unwrap();
    assert_eq!(stdout(&out).trim(), file.trim());
}

#[test]
fn version_through_docker_cli() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let out = ok(cfg.docker(env).args(["rkbuild", "version"]));
    assert!(
        out.contains(&format!("rkbuild v{}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.contains("BuildKit:  v0.0.0+unknown"), "{out}");
    assert!(out.contains("Docker:    26.1.5"), "{out}");
    assert!(out.contains("Platforms: linux/amd64"), "{out}");
    // docker's global flags go before the plugin name.
    let out = ok(cfg.docker(env).env_remove("DOCKER_HOST").args([
        "-H",
        &env.docker_host,
        "rkbuild",
        "version",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["buildkit"]["version"], "v0.0.0+unknown");
    assert!(!v["workers"][0]["platforms"].as_array().unwrap().is_empty());
}

#[test]
fn version_standalone_and_with_addr() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let out = ok(cfg.rkbuild_standalone(env).arg("version"));
    assert!(out.contains("BuildKit:  v0.0.0+unknown"), "{out}");
    let out = ok(cfg.rkbuild_standalone(env).env_remove("DOCKER_HOST").args([
        "--addr",
        &format!("docker+{}", env.docker_host),
        "version",
    ]));
    assert!(out.contains("Workers:   1"), "{out}");
    // BUILDKIT_HOST selects a plain BuildKit socket.
    let bridge = bridge::UnixBridge::start(&env.docker_sock);
    let out = ok(cfg
        .rkbuild_standalone(env)
        .env_remove("DOCKER_HOST")
        .env("BUILDKIT_HOST", bridge.addr())
        .arg("version"));
    assert!(
        out.contains(&format!("Builder:   {}", bridge.addr())),
        "{out}"
    );
}

#[test]
fn plugin_is_listed_in_docker_help() {
    let env = daemon!();
    let cfg = DockerConfig::new(env);
    let out = ok(cfg.docker(env).arg("--help"));
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("rkbuild*"))
        .unwrap_or_else(|| panic!("rkbuild not listed:\n{out}"));
    assert!(line.contains("Build with BuildKit"), "{line}");
    let help = ok(cfg.docker(env).args(["rkbuild", "--help"]));
    assert!(help.contains("Usage: docker rkbuild"), "{help}");
    let help2 = ok(cfg.docker(env).args(["help", "rkbuild"]));
    assert_eq!(help, help2);
}

#[test]
fn unreachable_daemon_fails_fast_with_one_line() {
    let start = Instant::now();
    let out = run(std::process::Command::new(rkbuild_bin())
        .args(["--addr", "unix:///nonexistent.sock", "version"])
        .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "ERROR: cannot connect to unix:///nonexistent.sock: no such socket (hint: "
        ),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn unreachable_docker_host_names_the_daemon() {
    let out = run(std::process::Command::new(rkbuild_bin())
        .arg("version")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env("DOCKER_CONFIG", "/nonexistent-config")
        .env_remove("BUILDKIT_HOST")
        .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("docker+unix:///nonexistent/docker.sock"),
        "{err}"
    );
    assert!(err.contains("is the docker daemon running?"), "{err}");
}

#[test]
fn broken_config_json_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), "{\"auths\": {").unwrap();
    let out = run(std::process::Command::new(rkbuild_bin())
        .arg("version")
        .env("DOCKER_CONFIG", dir.path())
        .env_remove("BUILDKIT_HOST")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("config.json is not valid JSON"), "{err}");
}

#[test]
fn bad_flag_exits_non_zero() {
    let out = run(std::process::Command::new(rkbuild_bin()).args(["version", "--no-such-flag"]));
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("--no-such-flag"));
}
