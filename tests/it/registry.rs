//! Pushes and pulls against the test environment's loopback registries
//! (plain, basic auth, token auth with the harness's token server), side by
//! side with buildx 0.13.1: credentials from `auths`, a `credsStore` helper
//! and a `credHelpers` entry; wrong passwords and failing helpers; tokens
//! fetched by the client so the daemon never sees the password; digests in
//! `--metadata-file` against the registry's own.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::token::TokenServer;
use common::*;

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A config.json with one `auths` entry for `reg`.
fn auths(reg: &str, user: &str, pass: &str) -> String {
    format!(
        r#"{{"auths":{{"{reg}":{{"auth":"{}"}}}}}}"#,
        b64(&format!("{user}:{pass}"))
    )
}

/// A directory with credential helper scripts speaking the real protocol
/// (`get`, the server on stdin, JSON or "credentials not found" on stdout);
/// each run appends the server it was asked for to `calls`.
struct Helpers {
    dir: tempfile::TempDir,
}

impl Helpers {
    fn new(env: &TestEnv) -> Helpers {
        let dir = tempfile::tempdir().unwrap();
        let calls = dir.path().join("calls");
        let script = |name: &str, body: &str| {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.path().join(format!("docker-credential-{name}"));
            std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        let known = format!(
            "read -r host || true\n\
             echo \"$1 $host\" >> {calls}\n\
             [ \"$1\" = get ] || exit 0\n\
             if [ \"$host\" = \"{reg}\" ]; then\n\
             \x20 printf '{{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}}' \"$host\" '{user}' '{pass}'\n\
             else\n\
             \x20 echo 'credentials not found in native keychain'; exit 1\n\
             fi",
            calls = calls.display(),
            reg = env.auth_registry,
            user = env.auth_user,
            pass = env.auth_pass,
        );
        script("rkstore", &known);
        script("rkone", &known);
        script(
            "rkfail",
            "read -r host || true\n\
             echo 'keyring locked: token=ghp_0123456789abcdefghijklmn for rkuser' >&2\n\
             exit 3",
        );
        Helpers { dir }
    }

    fn path_env(&self) -> String {
        format!(
            "{}:{}",
            self.dir.path().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// Calls since the last `reset`, one line each (`get HOST`).
    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn reset(&self) {
        let _ = std::fs::remove_file(self.dir.path().join("calls"));
    }
}

const ACCEPT: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// `curl` of `/v2/REPO/manifests/TAG` with `auth` (`-u user:pass` or a
/// bearer token); returns (digest header, body).
fn manifest(registry: &str, repo: &str, tag: &str, auth: &[String]) -> (String, String) {
    let mut c = Command::new("curl");
    c.args(["-s", "-D", "-", "--max-time", "20"]);
    for a in ACCEPT {
        c.args(["-H", &format!("Accept: {a}")]);
    }
    c.args(auth);
    c.arg(format!("http://{registry}/v2/{repo}/manifests/{tag}"));
    let out = String::from_utf8_lossy(&run(&mut c).stdout).into_owned();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let digest = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("docker-content-digest:")
                .then(|| l.split_once(':').unwrap().1.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no digest for {registry}/{repo}:{tag}: {head}"));
    (digest, body.to_string())
}

/// A bearer token for `repo` from the harness's token server (as curl).
fn bearer(env: &TestEnv, repo: &str) -> Vec<String> {
    let port = &env.vars["RKBUILD_TEST_TOKEN_SERVER_PORT"];
    let service = &env.vars["RKBUILD_TEST_TOKEN_SERVICE"];
    let out = run(Command::new("curl").args([
        "-s",
        "--max-time",
        "20",
        "-u",
        &format!("{}:{}", env.auth_user, env.auth_pass),
        &format!("http://127.0.0.1:{port}/token?service={service}&scope=repository:{repo}:pull"),
    ]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("token JSON");
    vec![
        "-H".into(),
        format!("Authorization: Bearer {}", v["token"].as_str().unwrap()),
    ]
}

fn metadata(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("metadata file")).expect("metadata JSON")
}

/// A context whose image differs per `salt` (so pushes are new blobs).
fn image_context(env: &TestEnv, daemon: Daemon, salt: &str) -> tempfile::TempDir {
    let df = format!(
        "FROM {}\nRUN echo {salt} > /salt\n",
        env.base_image_on(daemon)
    );
    context(&[("Dockerfile", &df)])
}

#[test]
fn push_with_credentials_from_auths_and_helpers() {
    on_daemons(BOTH, push_on);
}

fn push_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let helpers = Helpers::new(env);
    let reg = &env.auth_registry;
    let configs = [
        ("auths", auths(reg, &env.auth_user, &env.auth_pass)),
        ("credsstore", r#"{"credsStore":"rkstore"}"#.to_string()),
        (
            "credhelpers",
            format!(r#"{{"credHelpers":{{"{reg}":"rkone"}},"credsStore":"rkfail"}}"#),
        ),
    ];
    for (source, json) in &configs {
        cfg.write_config(json);
        let ctxs =
            Tool::BOTH.map(|t| image_context(env, daemon, &format!("{source}-{t}-{daemon:?}")));
        let repo = |t: Tool| format!("rk/push-{source}-{t}");
        let out = SideBySide::build(&cfg, env, daemon)
            .before_each(|_| helpers.reset())
            .env("PATH", helpers.path_env())
            .args(["--progress=plain", "--push"])
            .per_tool(|t| {
                let r = repo(t);
                [
                    "-t".into(),
                    format!("{reg}/{r}:a"),
                    "-t".into(),
                    format!("{reg}/{r}:b"),
                ]
            })
            .metadata_file()
            .per_tool(|t| [ctxs[t.index()].path()])
            .expect_success();
        out.same_metadata_keys();
        for tool in Tool::BOTH {
            let repo = repo(tool);
            let m = out.metadata(tool);
            let auth = vec![
                "-u".to_string(),
                format!("{}:{}", env.auth_user, env.auth_pass),
            ];
            for tag in ["a", "b"] {
                let (digest, _) = manifest(reg, &repo, tag, &auth);
                assert_eq!(
                    m["containerimage.digest"].as_str(),
                    Some(digest.as_str()),
                    "{tool} {source} {daemon:?}: metadata digest vs the registry's ({tag})"
                );
            }
            assert_eq!(
                m["image.name"].as_str(),
                Some(format!("{reg}/{repo}:a,{reg}/{repo}:b").as_str())
            );
            // The helpers' calls since rkbuild's run began.
            if tool == Tool::Rkbuild && *source != "auths" {
                let gets: Vec<_> = helpers
                    .calls()
                    .into_iter()
                    .filter(|c| c == &format!("get {reg}"))
                    .collect();
                assert_eq!(
                    gets.len(),
                    1,
                    "{source} on {daemon:?}: one helper run per registry per build: {:?}",
                    helpers.calls()
                );
            }
        }
    }
}

#[test]
fn wrong_password_and_failing_helper_fail_clearly() {
    on_daemons(BOTH, failures_on);
}

fn failures_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let helpers = Helpers::new(env);
    let reg = &env.auth_registry;
    let ctx = image_context(env, daemon, &format!("fail-{daemon:?}"));
    // A wrong password: both fail with exit 1 and the registry's refusal.
    cfg.write_config(&auths(reg, &env.auth_user, "wrong-password"));
    let out = SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--push", "-t"])
        .arg(format!("{reg}/rk/fail:1"))
        .arg(ctx.path())
        .expect_code(1);
    for tool in Tool::BOTH {
        let err = out.stderr(tool).to_ascii_lowercase();
        assert!(
            err.contains("401") || err.contains("unauthorized"),
            "{tool} on {daemon:?}: {err}"
        );
        assert!(
            !err.contains("wrong-password"),
            "{tool} printed the password"
        );
    }
    // A failing helper: rkbuild names it, its status and what it said,
    // with the token-like word hidden.
    cfg.write_config(r#"{"credsStore":"rkfail"}"#);
    let out = SideBySide::build(&cfg, env, daemon)
        .env("PATH", helpers.path_env())
        .args(["--progress=plain", "--push", "-t"])
        .arg(format!("{reg}/rk/fail:2"))
        .arg(ctx.path())
        .expect_code(1);
    let err = out.stderr(Tool::Rkbuild);
    assert!(
        err.contains(&format!(
            "credential helper docker-credential-rkfail failed for {reg}: exit status 3: keyring locked: token=[redacted] for rkuser"
        )),
        "{daemon:?}: {err}"
    );
    assert!(
        !err.contains("ghp_0123456789"),
        "the helper's token leaked: {err}"
    );
}

#[test]
fn token_registry_tokens_are_fetched_by_the_client() {
    let env = daemon!();
    let server = TokenServer::get(env);
    let reg = &env.token_registry;
    assert!(!reg.is_empty(), "no token registry in the test environment");
    let cfg = DockerConfig::new(env);
    cfg.write_config(&auths(reg, &env.auth_user, &env.auth_pass));
    let work = tempfile::tempdir().unwrap();
    let daemons = env.daemons();
    // Push from the standalone BuildKit: its resolver asks the session for
    // each token (FetchToken), rkbuild fetches it with the password.
    if daemons.contains(&Daemon::Buildkit) {
        server.clear();
        let ctx = image_context(env, Daemon::Buildkit, "token-push");
        let md = work.path().join("md.json");
        let o = run(Tool::Rkbuild
            .build_on(&cfg, env, Daemon::Buildkit)
            .args(["--progress=plain", "--push", "-t"])
            .arg(format!("{reg}/rk/tok:1"))
            .arg("--metadata-file")
            .arg(&md)
            .arg(ctx.path()));
        assert!(
            o.status.success(),
            "push to the token registry: {}",
            stderr(&o)
        );
        let reqs = server.requests();
        assert!(
            reqs.iter().any(|r| r.authorized
                && r.user_agent.starts_with("rkbuild/")
                && r.scopes
                    .iter()
                    .any(|s| s.starts_with("repository:rk/tok:") && s.contains("push"))),
            "rkbuild fetched no push token: {reqs:?}"
        );
        for r in &reqs {
            assert!(
                !r.had_secret || r.user_agent.starts_with("rkbuild/"),
                "the daemon sent the password to the token server: {r:?}"
            );
        }
        let (digest, _) = manifest(reg, "rk/tok", "1", &bearer(env, "rk/tok"));
        assert_eq!(
            metadata(&md)["containerimage.digest"].as_str(),
            Some(digest.as_str())
        );
    } else {
        // Without buildkitd, seed the image through dockerd (which fetches
        // push tokens itself).
        let ctx = image_context(env, Daemon::Docker, "token-push");
        let o = run(Tool::Rkbuild
            .build_on(&cfg, env, Daemon::Docker)
            .args(["--progress=plain", "--push", "-t"])
            .arg(format!("{reg}/rk/tok:1"))
            .arg(ctx.path()));
        assert!(
            o.status.success(),
            "push to the token registry: {}",
            stderr(&o)
        );
    }
    // FROM the protected image, on each daemon, side by side with buildx:
    // the pull token comes from the client. Each run has its own docker
    // configuration, so its own token seed: the daemon cannot reuse a token
    // another client's authority vouched for.
    for daemon in daemons {
        let ctx = context(&[(
            "Dockerfile",
            &format!("FROM {reg}/rk/tok:1\nRUN cat /salt > /copied\n"),
        )]);
        let cfgs = Tool::BOTH.map(|_| {
            let cfg = DockerConfig::new(env);
            cfg.write_config(&auths(reg, &env.auth_user, &env.auth_pass));
            cfg
        });
        // The token server's requests during rkbuild's run (which is first).
        let rk_reqs = std::cell::RefCell::new(Vec::new());
        let out = SideBySide::build(&cfgs[0], env, daemon)
            .configs(&cfgs[0], &cfgs[1])
            .first(Tool::Rkbuild)
            .before_each(|_| server.clear())
            .after_each(|t| {
                if t == Tool::Rkbuild {
                    *rk_reqs.borrow_mut() = server.requests();
                }
            })
            .args(["--progress=plain", "--pull", "--no-cache"])
            .arg(ctx.path())
            .expect_success();
        for tool in [Tool::Rkbuild, Tool::Buildx] {
            // BuildKit's client names the fetch in the progress.
            let step = format!("[auth] rk/tok:pull token for {reg}");
            let err = out.stderr(tool);
            assert!(
                err.contains(&step),
                "{tool} on {daemon:?}: no {step:?}:\n{err}"
            );
            if tool == Tool::Rkbuild {
                let reqs = rk_reqs.borrow();
                assert!(
                    reqs.iter().any(|r| r.authorized
                        && r.user_agent.starts_with("rkbuild/")
                        && r.scopes.iter().any(|s| s == "repository:rk/tok:pull")),
                    "rkbuild fetched no pull token on {daemon:?}: {reqs:?}"
                );
                for r in reqs.iter() {
                    assert!(
                        !r.had_secret || r.user_agent.starts_with("rkbuild/"),
                        "on {daemon:?} the daemon sent the password to the token server: {r:?}"
                    );
                }
                assert!(
                    !err.contains(&env.auth_pass),
                    "the password is in the progress"
                );
            }
        }
    }
}

/// The image manifests of an index with its attestation manifests'
/// shape: (media type, platform or attestation reference type).
fn index_shape(body: &str) -> (String, Vec<(String, String)>) {
    let v: serde_json::Value = serde_json::from_str(body).expect("index JSON");
    let list = v["manifests"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| {
                    let kind = m["annotations"]["vnd.docker.reference.type"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| {
                            format!("{}/{}", m["platform"]["os"], m["platform"]["architecture"])
                        });
                    (m["mediaType"].as_str().unwrap_or("").to_string(), kind)
                })
                .collect()
        })
        .unwrap_or_default();
    (v["mediaType"].as_str().unwrap_or("").to_string(), list)
}

#[test]
fn two_platform_push_has_buildx_default_provenance() {
    on_daemons(
        &[Daemon::Buildkit],
        two_platform_push_has_buildx_default_provenance_on,
    );
}

fn two_platform_push_has_buildx_default_provenance_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let reg = &env.registry;
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "a\n")]);
    for (case, extra, envs) in [
        ("default", vec![], vec![]),
        (
            "no-default",
            vec![],
            vec![("BUILDX_NO_DEFAULT_ATTESTATIONS", "1")],
        ),
        ("off", vec!["--provenance=false"], vec![]),
        ("max", vec!["--provenance=mode=max"], vec![]),
    ] {
        let mut pair = SideBySide::build(&cfg, env, daemon);
        for (k, v) in &envs {
            pair = pair.env(k, v);
        }
        pair.args(["--progress=plain", "--platform", "linux/amd64,linux/arm64"])
            .args(["--push", "-t"])
            .per_tool(|t| [format!("{reg}/rk/mp:{case}-{t}")])
            .args(&extra)
            .arg(ctx.path())
            .expect_success();
        let shapes = Tool::BOTH.map(|t| {
            let (_, body) = manifest(reg, "rk/mp", &format!("{case}-{t}"), &[]);
            index_shape(&body)
        });
        assert_eq!(
            shapes[0], shapes[1],
            "pushed index, buildx vs rkbuild ({case})"
        );
        let attestations = shapes[1]
            .1
            .iter()
            .filter(|(_, k)| k == "attestation-manifest")
            .count();
        let want = if matches!(case, "default" | "max") {
            2
        } else {
            0
        };
        assert_eq!(attestations, want, "{case}: {:?}", shapes[1]);
    }
}

#[test]
fn attestation_flags_on_the_docker_driver_as_buildx() {
    on_daemons(
        &[Daemon::Docker],
        attestation_flags_on_the_docker_driver_as_buildx_on,
    );
}

fn attestation_flags_on_the_docker_driver_as_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "a\n")]);
    let unsupported = "ERROR: Attestation is not supported for the docker driver.";
    for (flags, expect) in [
        (&["--provenance=false", "--sbom=false"][..], Expect::Success),
        (&["--provenance=true"], Expect::Failure(unsupported)),
        (&["--sbom=generator=x"], Expect::Failure(unsupported)),
        (
            &["--attest", "type=provenance,mode=max"],
            Expect::Failure(unsupported),
        ),
        (
            &["--attest", "type=provenance", "--provenance=false"],
            Expect::Failure("ERROR: duplicate attestation field provenance"),
        ),
        (
            &["--attest", "mode=max"],
            Expect::Failure("ERROR: attestation type not specified"),
        ),
        (
            &["--attest", "type=sbom,disabled=maybe"],
            Expect::Failure("ERROR: invalid value disabled=maybe"),
        ),
        (
            &["--annotation", "foo:k=v"],
            Expect::Failure("ERROR: unknown annotation type \"foo\""),
        ),
        (
            &["--annotation", "k"],
            Expect::Failure("ERROR: invalid annotation \"k\", expected key=value"),
        ),
        (
            &["--annotation", "manifest:k=v", "-o", "type=cacheonly"],
            Expect::Success,
        ),
    ] {
        SideBySide::build(&cfg, env, daemon)
            .args(["--progress=quiet"])
            .args(flags)
            .arg(ctx.path())
            .expect(expect)
            .same_last_line();
    }
}

#[test]
fn push_outputs_and_annotations_as_buildx() {
    on_daemons(BOTH, outputs_on);
}

fn outputs_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let reg = &env.registry;
    for (case, flags) in [
        ("registry", vec!["-o", "type=registry"]),
        ("image-push", vec!["-o", "type=image,push=true"]),
    ] {
        let ctxs =
            Tool::BOTH.map(|t| image_context(env, daemon, &format!("{case}-{t}-{daemon:?}")));
        let repo = |t: Tool| format!("rk/out-{case}-{t}");
        let out = SideBySide::build(&cfg, env, daemon)
            .args(["--progress=plain", "-t"])
            .per_tool(|t| [format!("{reg}/{}:1", repo(t))])
            .args(&flags)
            .metadata_file()
            .per_tool(|t| [ctxs[t.index()].path()])
            .expect_success();
        for tool in Tool::BOTH {
            let (digest, _) = manifest(reg, &repo(tool), "1", &[]);
            assert_eq!(
                out.metadata(tool)["containerimage.digest"].as_str(),
                Some(digest.as_str()),
                "{tool} {case} on {daemon:?}"
            );
        }
    }
    // Annotations reach the pushed manifest where the exporter takes them
    // (the standalone BuildKit's image exporter).
    if daemon != Daemon::Buildkit {
        return;
    }
    let ctx = context(&[("Dockerfile", "FROM scratch\nCOPY a /a\n"), ("a", "a\n")]);
    SideBySide::build(&cfg, env, daemon)
        .args(["--progress=plain", "--provenance=false", "--push", "-t"])
        .per_tool(|t| [format!("{reg}/rk/annotated:{t}")])
        .args([
            "--annotation",
            "org.opencontainers.image.source=https://git.example/app",
        ])
        .args(["--annotation", "manifest:rk.test=yes"])
        .arg(ctx.path())
        .expect_success();
    let found = Tool::BOTH.map(|t| {
        let (_, body) = manifest(reg, "rk/annotated", t.name(), &[]);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["annotations"].clone()
    });
    assert_eq!(
        found[0], found[1],
        "manifest annotations, buildx vs rkbuild"
    );
    assert_eq!(found[1]["rk.test"], "yes", "{}", found[1]);
    assert_eq!(
        found[1]["org.opencontainers.image.source"],
        "https://git.example/app"
    );
}
