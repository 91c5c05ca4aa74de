//! `--secret` side by side with buildx 0.13.1, on dockerd and on the
//! standalone buildkitd: values from a file and from the environment reach
//! `RUN --mount=type=secret` and nothing else; bad specs fail the same way.

use crate::common;

use std::path::Path;

use common::*;

const VALUE: &str = "s3cr3t-rkbuild-7f3a9c";

/// Every file below `dir` (recursively), with its contents.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let md = std::fs::symlink_metadata(&p).unwrap();
            if md.is_dir() {
                stack.push(p);
            } else if md.is_file() {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn secrets_reach_the_run_step_and_nothing_else() {
    on_daemons(BOTH, secrets_on);
}

fn secrets_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let base = env.base_image_on(daemon);
    // The Dockerfile names the values' digests only, so that a value
    // found anywhere came from the session.
    let sum = |v: &str| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(v.as_bytes()))
    };
    let check = |id: &str, v: &str| {
        format!(
            "test \"$(sha256sum < /run/secrets/{id} | cut -d' ' -f1)\" = {}",
            sum(v)
        )
    };
    let dockerfile = format!(
        "FROM {base}\n\
         RUN --mount=type=secret,id=file_tok,required=true \\\n\
         \x20   --mount=type=secret,id=env_tok,required=true \\\n\
         \x20   --mount=type=secret,id=RK_SECRET_SHORT,required=true \\\n\
         \x20   {} && {} && {} && echo match > /result\n\
         RUN --mount=type=secret,id=not_given test ! -e /run/secrets/not_given && echo absent > /optional\n",
        check("file_tok", VALUE),
        check("env_tok", &format!("{VALUE}-env")),
        check("RK_SECRET_SHORT", &format!("{VALUE}-short")),
    );
    let ctx = context(&[("Dockerfile", &dockerfile)]);
    let work = tempfile::tempdir().unwrap();
    let secret_file = work.path().join("token");
    std::fs::write(&secret_file, VALUE).unwrap();
    let out = SideBySide::build(&cfg, env, daemon)
        .env("RK_SECRET_ENV", format!("{VALUE}-env"))
        .env("RK_SECRET_SHORT", format!("{VALUE}-short"))
        .args(["--no-cache", "--progress=plain", "--secret"])
        .arg(format!("id=file_tok,src={}", secret_file.display()))
        .args(["--secret", "id=env_tok,env=RK_SECRET_ENV"])
        .args(["--secret", "id=RK_SECRET_SHORT"])
        .metadata_file()
        .local_output()
        .arg(ctx.path())
        .expect_success();
    for tool in Tool::BOTH {
        let o = out.of(tool);
        assert_eq!(out.file(tool, "result"), "match\n");
        assert_eq!(out.file(tool, "optional"), "absent\n");
        assert!(
            !contains(&o.stderr, VALUE),
            "{tool}: the secret is in the progress"
        );
        assert!(
            !contains(&o.stdout, VALUE),
            "{tool}: the secret is on stdout"
        );
        assert!(
            !contains(&std::fs::read(out.metadata_path(tool)).unwrap(), VALUE),
            "{tool}: in the metadata"
        );
        for (path, data) in files(&out.local(tool)) {
            assert!(!contains(&data, VALUE), "{tool}: the secret is in {path}");
        }
    }
}

#[test]
fn bad_secrets_fail_like_buildx() {
    on_daemons(&[Daemon::Docker], bad_secrets_fail_like_buildx_on);
}

fn bad_secrets_fail_like_buildx_on(env: &TestEnv, daemon: Daemon) {
    let cfg = DockerConfig::new(env);
    let ctx = context(&[(
        "Dockerfile",
        &format!(
            "FROM {}\nRUN --mount=type=secret,id=nope,required=true cat /run/secrets/nope\n",
            env.base_image
        ),
    )]);
    let work = tempfile::tempdir().unwrap();
    let big = work.path().join("big");
    std::fs::write(&big, vec![b'x'; 500 * 1024 + 1]).unwrap();
    let big_spec = format!("id=big,src={}", big.display());
    for (spec, says) in [
        ("foo", "ERROR: invalid field 'foo' must be a key=value pair"),
        (
            "id=x,type=vault",
            "ERROR: unsupported secret type \"vault\"",
        ),
        (
            "id=x,mode=0400",
            "ERROR: unexpected key 'mode' in 'mode=0400'",
        ),
        ("id=\"x", "ERROR: failed to parse csv secret"),
        ("src=/etc/hostname", "ERROR: secret missing ID"),
        (
            "id=x,src=/no/such/secret",
            "ERROR: failed to stat /no/such/secret",
        ),
        (
            big_spec.as_str(),
            "ERROR: secret big too big. max size 500KiB",
        ),
        // Not given at all, and required by the Dockerfile: the daemon's
        // error, through the session's NotFound.
        ("id=other,env=RK_SECRET_UNSET_VAR", "secret nope: not found"),
    ] {
        let out = SideBySide::build(&cfg, env, daemon)
            .args(["--progress=plain", "--secret", spec])
            .arg(ctx.path())
            .expect_code(1);
        for tool in Tool::BOTH {
            let last = common::side::last_line(out.of(tool));
            assert!(last.contains(says), "{tool}: {last}");
        }
        // The solve's error names the session: the rest is compared up to it.
        if !spec.starts_with("id=other") {
            out.same_last_line();
        }
    }
}
