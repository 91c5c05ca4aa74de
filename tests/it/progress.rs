//! Progress rendering against recorded BuildKit event streams and against
//! buildx 0.13.1 itself on the real daemon.
//!
//! Fixtures in `tests/snapshots/progress/` (recorded by `record.sh` there):
//! `NAME.rawjson` is what `docker buildx build --progress=rawjson` wrote on
//! stderr (the JSON stream, then buildx's own trailer such as the error
//! report); `NAME.buildx-plain.txt` is a separate `--progress=plain` run of
//! the same build; `NAME.plain.txt` is our rendering of the rawjson events
//! (a snapshot: `UPDATE_SNAPSHOTS=1` rewrites it).

use crate::common;

use std::path::{Path, PathBuf};

use rkbuild::progress::event::SolveStatus;
use rkbuild::progress::{plain, rawjson};

const DESC: &str = "building with \"default\" instance using docker driver";
const FIXTURES: &[&str] = &[
    "multistage-nocache",
    "multistage-cached",
    "fail",
    "copy",
    "warning",
    "cancel",
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/progress")
}

/// Splits buildx's rawjson stderr into the events and the text after them.
fn split_rawjson(text: &str) -> (Vec<SolveStatus>, &str, &str) {
    let mut it = serde_json::Deserializer::from_str(text).into_iter::<SolveStatus>();
    let mut events = Vec::new();
    let mut end = 0;
    while let Some(Ok(e)) = it.next() {
        events.push(e);
        end = it.byte_offset();
    }
    // The JSON part ends with the encoder's newline.
    let json_end = (end + 1).min(text.len());
    (events, &text[..json_end], &text[json_end..])
}

/// Replaces what differs between two runs of the same build: durations,
/// log time prefixes and digests.
fn normalize(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
        // `#N 0.123 text` log prefix.
        if words.len() >= 2 && words[0].starts_with('#') && is_decimal(&words[1]) {
            words[1] = "T".into();
        }
        for w in &mut words {
            if let Some(num) = w.strip_suffix('s') {
                if is_decimal(num) {
                    *w = "X.Xs".into();
                }
            }
            if let Some(pos) = w.find("sha256:") {
                let hex_end = w[pos + 7..]
                    .find(|c: char| !c.is_ascii_hexdigit())
                    .map_or(w.len(), |i| pos + 7 + i);
                w.replace_range(pos..hex_end, "sha256:X");
            }
        }
        // Time prefixes of the error logs block.
        if words.len() >= 2 && is_decimal(&words[0]) && !line.starts_with(' ') {
            words[0] = "T".into();
        }
        // A status' duration shows only when it took more than 10ms.
        let line = words.join(" ").replace(" X.Xs done", " done");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn is_decimal(s: &str) -> bool {
    let mut parts = s.splitn(2, '.');
    let a = parts.next().unwrap_or("");
    let b = parts.next().unwrap_or("");
    !a.is_empty()
        && !b.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.bytes().all(|c| c.is_ascii_digit())
}

fn check_snapshot(path: &Path, actual: &str) {
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SNAPSHOTS=1 writes it)", path.display()));
    assert_eq!(actual, expected, "snapshot {} differs", path.display());
}

#[test]
fn fixtures_round_trip_rawjson_byte_for_byte() {
    for name in FIXTURES {
        let text = std::fs::read_to_string(dir().join(format!("{name}.rawjson"))).unwrap();
        let (events, json, _) = split_rawjson(&text);
        assert!(!events.is_empty(), "{name}: no events");
        let mut again = Vec::new();
        for e in &events {
            again.extend(rawjson::encode(e));
        }
        assert_eq!(
            String::from_utf8(again).unwrap(),
            json,
            "{name}: rawjson differs"
        );
    }
}

#[test]
fn fixtures_render_to_snapshots() {
    for name in FIXTURES {
        let text = std::fs::read_to_string(dir().join(format!("{name}.rawjson"))).unwrap();
        let (events, _, _) = split_rawjson(&text);
        let ours = String::from_utf8(plain::render(&events, DESC)).unwrap();
        check_snapshot(&dir().join(format!("{name}.plain.txt")), &ours);
    }
}

// ---------------------------------------------------------------------
// Against buildx on the real daemon.

use rkbuild::progress::errors;

/// Builds of this file run one at a time: steps shared by concurrent builds
/// (the same base image) report progress to every build using them, which
/// would change the event streams being compared.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A build context in a temp dir.
fn context(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::Builder::new()
        .prefix("rkbuild-progress-")
        .tempdir()
        .unwrap();
    for (name, body) in files {
        std::fs::write(d.path().join(name), body).unwrap();
    }
    d
}

/// `docker buildx build --progress=MODE DIR`: (success, stderr).
fn buildx(
    env: &common::TestEnv,
    cfg: &common::DockerConfig,
    mode: &str,
    dir: &Path,
) -> (bool, String) {
    let o = common::run(
        cfg.docker(env)
            .args(["buildx", "build", "--progress", mode])
            .arg(dir)
            .env_remove("BUILDKIT_PROGRESS")
            .env_remove("PROGRESS_NO_TRUNC"),
    );
    (o.status.success(), common::stderr(&o))
}

/// Builds once to fill the cache, then once with plain and once with
/// rawjson; returns (buildx plain stderr, our rendering of the rawjson
/// events followed by the text buildx printed after them).
///
/// The two builds are separate runs: under load (other tests build at the
/// same time) a step can finish before or after another in one run and not
/// the other. The same events always render the same text
/// (`fixtures_render_to_snapshots`), so up to three attempts absorb that
/// timing; the caller compares the last one.
fn plain_vs_ours(
    env: &common::TestEnv,
    dir: &Path,
    expect_ok: bool,
) -> (String, String, Vec<SolveStatus>) {
    let _serial = serial();
    let cfg = common::DockerConfig::new(env);
    buildx(env, &cfg, "plain", dir);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let got = plain_and_ours(env, &cfg, dir, expect_ok);
        if attempt == 3 || normalize(&got.1) == normalize(&got.0) {
            return got;
        }
    }
}

/// One attempt of [`plain_vs_ours`].
fn plain_and_ours(
    env: &common::TestEnv,
    cfg: &common::DockerConfig,
    dir: &Path,
    expect_ok: bool,
) -> (String, String, Vec<SolveStatus>) {
    let (ok_plain, plain_text) = buildx(env, cfg, "plain", dir);
    let (ok_json, json_text) = buildx(env, cfg, "rawjson", dir);
    assert_eq!(ok_plain, expect_ok, "{plain_text}");
    assert_eq!(ok_json, expect_ok, "{json_text}");
    let (events, _, trailer) = split_rawjson(&json_text);
    let mut ours = String::from_utf8(plain::render(&events, DESC)).unwrap();
    let warnings: Vec<_> = events.iter().flat_map(|e| e.warnings.clone()).collect();
    if expect_ok {
        // buildx prints no warnings in rawjson mode; in plain mode it does.
        ours.push_str(&errors::warnings_report(
            &errors::dedup_warnings(&warnings),
            false,
        ));
        assert_eq!(trailer, "", "unexpected text after rawjson");
    } else {
        ours.push_str(trailer);
    }
    (plain_text, ours, events)
}

#[test]
fn cached_build_matches_buildx_plain() {
    let env = daemon!();
    let ctx = context(&[
        (
            "Dockerfile",
            "FROM local/busybox:latest\nCOPY a.txt /a.txt\nRUN cat /a.txt && echo done >&2\n",
        ),
        ("a.txt", "progress fixture\n"),
    ]);
    let (plain_text, ours, _) = plain_vs_ours(env, ctx.path(), true);
    assert_eq!(
        normalize(&ours),
        normalize(&plain_text),
        "ours:\n{ours}\nbuildx:\n{plain_text}"
    );
    assert!(plain_text.contains("#7 CACHED"), "{plain_text}");
}

#[test]
fn warning_build_matches_buildx_plain() {
    let env = daemon!();
    let ctx = context(&[(
        "Dockerfile",
        "FROM local/busybox:latest\nRUN echo hello\nRUN echo a \\\n\n  && echo warned\n",
    )]);
    let (plain_text, ours, _) = plain_vs_ours(env, ctx.path(), true);
    assert_eq!(
        normalize(&ours),
        normalize(&plain_text),
        "ours:\n{ours}\nbuildx:\n{plain_text}"
    );
    assert!(plain_text.contains("1 warning found"), "{plain_text}");
}

#[test]
fn failing_run_matches_buildx_plain() {
    let env = daemon!();
    let ctx = context(&[(
        "Dockerfile",
        "FROM local/busybox:latest\nRUN echo hello\nRUN echo before; for i in 1 2 3 4 5 6 7 8 9 10 11; do echo \"l $i\"; done; exit 4\n",
    )]);
    let (plain_text, ours, _) = plain_vs_ours(env, ctx.path(), false);
    assert_eq!(
        normalize(&ours),
        normalize(&plain_text),
        "ours:\n{ours}\nbuildx:\n{plain_text}"
    );
    assert!(
        plain_text.contains("------\n > [3/3] RUN echo before;"),
        "{plain_text}"
    );
}

/// A failing solve through the Control API: our error report built from
/// the real gRPC status equals what buildx prints for the same Dockerfile,
/// and our printer fed with the real status stream ends with the failed
/// step's log block.
#[tokio::test]
#[allow(clippy::await_holding_lock)] // one daemon build at a time
async fn solve_error_report_matches_buildx() {
    use prost::Message;
    use rkbuild::progress::{Printer, PrinterOptions, ProgressMode};
    use rkbuild::proto::{moby::buildkit::v1 as control, pb};
    use sha2::Digest;

    let env = daemon!();
    let dockerfile =
        "FROM local/busybox:latest\nRUN echo hello && echo world >&2\nRUN echo out; false\n";
    let ctx = context(&[("Dockerfile", dockerfile)]);
    let cfg = common::DockerConfig::new(env);
    let _serial = serial();
    let (ok, buildx_text) = buildx(env, &cfg, "plain", ctx.path());
    assert!(!ok);
    let buildx_trailer = &buildx_text[buildx_text.find("Dockerfile:3").expect("source excerpt")..];

    fn digest(b: &[u8]) -> String {
        format!("sha256:{}", hex::encode(sha2::Sha256::digest(b)))
    }
    let platform = Some(pb::Platform {
        architecture: "amd64".into(),
        os: "linux".into(),
        ..Default::default()
    });
    let src = pb::Op {
        op: Some(pb::op::Op::Source(pb::SourceOp {
            identifier: "docker-image://docker.io/local/busybox:latest".into(),
            ..Default::default()
        })),
        platform: platform.clone(),
        ..Default::default()
    }
    .encode_to_vec();
    let exec = pb::Op {
        inputs: vec![pb::Input {
            digest: digest(&src),
            index: 0,
        }],
        op: Some(pb::op::Op::Exec(pb::ExecOp {
            meta: Some(pb::Meta {
                args: vec!["/bin/sh".into(), "-c".into(), "echo out; false".into()],
                env: vec![
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
                ],
                cwd: "/".into(),
                ..Default::default()
            }),
            mounts: vec![pb::Mount {
                input: 0,
                dest: "/".into(),
                output: 0,
                ..Default::default()
            }],
            ..Default::default()
        })),
        platform,
        ..Default::default()
    }
    .encode_to_vec();
    let fin = pb::Op {
        inputs: vec![pb::Input {
            digest: digest(&exec),
            index: 0,
        }],
        ..Default::default()
    }
    .encode_to_vec();
    let name = "[3/3] RUN echo out; false";
    let metadata = [(
        digest(&exec),
        pb::OpMetadata {
            description: [("llb.customname".to_string(), name.to_string())].into(),
            ignore_cache: true,
            ..Default::default()
        },
    )]
    .into();
    let line3 = pb::Range {
        start: Some(pb::Position {
            line: 3,
            character: 0,
        }),
        end: Some(pb::Position {
            line: 3,
            character: 0,
        }),
    };
    let source = pb::Source {
        locations: [(
            digest(&exec),
            pb::Locations {
                locations: vec![pb::Location {
                    source_index: 0,
                    ranges: vec![line3],
                }],
            },
        )]
        .into(),
        infos: vec![pb::SourceInfo {
            filename: "Dockerfile".into(),
            data: bytes::Bytes::from(dockerfile),
            language: "Dockerfile".into(),
            definition: None,
        }],
    };
    let def = pb::Definition {
        def: vec![src.into(), exec.into(), fin.into()],
        metadata,
        source: Some(source),
    };

    let client = rkbuild::Client::connect(&format!("docker+{}", env.docker_host))
        .await
        .unwrap();
    let id = format!("rkbuild-progress-{}", rand::random::<u64>());
    let mut status_client = client.control();
    let status_id = id.clone();
    let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let printer = Printer::new(
        ProgressMode::Plain,
        PrinterOptions::for_builder("default", "docker"),
        Box::new(Sink(buf.clone())),
        false,
    )
    .unwrap();
    let (tx, task) = printer.spawn();
    let feeder = tokio::spawn(async move {
        let mut stream = status_client
            .status(control::StatusRequest { r#ref: status_id })
            .await
            .unwrap()
            .into_inner();
        while let Ok(Some(m)) = stream.message().await {
            if tx.send(SolveStatus::from(m)).await.is_err() {
                break;
            }
        }
    });
    let err = client
        .control()
        .solve(control::SolveRequest {
            r#ref: id,
            definition: Some(def),
            ..Default::default()
        })
        .await
        .expect_err("the solve fails");
    feeder.await.unwrap();
    let summary = task.await.unwrap();

    assert_eq!(errors::error_report(&err), buildx_trailer);
    let details = errors::SolveErrorDetails::from_status(&err);
    assert_eq!(details.exit_code, Some(1));
    assert_eq!(summary.failed.len(), 1);
    assert_eq!(
        details.vertex.as_deref(),
        Some(summary.failed[0].digest.as_str())
    );
    let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
    let block = format!(" > {name}:\n");
    assert!(text.contains(&format!("#2 {name}\n#2 ")), "{text}");
    let tail = &text[text.find("------\n").unwrap()..];
    assert_eq!(normalize(tail), format!("------\n{block}T out\n------\n"));
}
