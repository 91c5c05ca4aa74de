//! What buildx prints after the progress: the failure report built from the
//! gRPC error of `Control.Solve`, and the warnings summary of a successful
//! build.
//!
//! BuildKit (v0.13 line) attaches typed details to its gRPC errors in the
//! `grpc-status-details-bin` trailer: a `google.rpc.Status` whose `Any`
//! details carry Go-JSON encoded values with type URLs such as
//! `github.com/moby/buildkit/errdefs.Source+json` (the source file and line
//! ranges of the failing instruction) and `...errdefs.Vertex+json` (the
//! failing step).

use prost::Message;
use serde::Deserialize;

use super::event::{Range, SourceInfo, VertexWarning};
use crate::proto::google::rpc;

/// Type URL of the source location detail.
pub const SOURCE_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Source+json";
/// Type URL of the failing vertex detail.
pub const VERTEX_TYPE_URL: &str = "github.com/moby/buildkit/errdefs.Vertex+json";
/// Type URL of the exit code detail.
pub const EXIT_TYPE_URL: &str = "github.com/moby/buildkit/gatewayapi.ExitMessage+json";
/// Type URL of a daemon stack trace.
pub const STACK_TYPE_URL: &str = "github.com/moby/buildkit/stack.Stack+json";

/// A source location attached to an error (BuildKit's `errdefs.Source`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ErrorSource {
    /// The file.
    #[serde(default)]
    pub info: Option<SourceInfo>,
    /// The ranges within it.
    #[serde(default)]
    pub ranges: Vec<Range>,
}

#[derive(Deserialize)]
struct VertexDetail {
    #[serde(default)]
    digest: String,
}

#[derive(Deserialize)]
struct ExitDetail {
    #[serde(rename = "Code", default)]
    code: i64,
}

/// The typed details of a solve error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SolveErrorDetails {
    /// The gRPC code.
    pub code: i32,
    /// The message.
    pub message: String,
    /// Source locations, in the order buildx prints them.
    pub sources: Vec<ErrorSource>,
    /// Digest of the failing step.
    pub vertex: Option<String>,
    /// Exit code of the failing process.
    pub exit_code: Option<i64>,
    /// Details not understood: (type URL, value).
    pub other: Vec<(String, Vec<u8>)>,
}

impl SolveErrorDetails {
    /// Decodes the details of a `Control.Solve` error.
    pub fn from_status(status: &tonic::Status) -> Self {
        let mut out = SolveErrorDetails {
            code: status.code() as i32,
            message: status.message().to_string(),
            ..Default::default()
        };
        let Ok(st) = rpc::Status::decode(status.details()) else {
            return out;
        };
        for d in st.details {
            match d.type_url.as_str() {
                SOURCE_TYPE_URL => {
                    if let Ok(s) = serde_json::from_slice::<ErrorSource>(&d.value) {
                        out.sources.push(s);
                    }
                }
                VERTEX_TYPE_URL => {
                    if let Ok(v) = serde_json::from_slice::<VertexDetail>(&d.value) {
                        out.vertex = Some(v.digest);
                    }
                }
                EXIT_TYPE_URL => {
                    if let Ok(e) = serde_json::from_slice::<ExitDetail>(&d.value) {
                        out.exit_code = Some(e.code);
                    }
                }
                STACK_TYPE_URL => {}
                _ => out.other.push((d.type_url, d.value.to_vec())),
            }
        }
        out
    }

    /// The error text as buildx shows it after `ERROR: `: BuildKit's client
    /// prefixes `failed to solve: `, and codes other than Unknown are named.
    pub fn error_message(&self) -> String {
        let code = tonic::Code::from_i32(self.code);
        let inner = if matches!(code, tonic::Code::Ok | tonic::Code::Unknown) {
            self.message.clone()
        } else {
            format!("{}: {}", go_code_name(code), self.message)
        };
        format!("failed to solve: {inner}")
    }
}

/// Go's `codes.Code.String()`.
fn go_code_name(code: tonic::Code) -> &'static str {
    use tonic::Code::*;
    match code {
        Ok => "OK",
        Cancelled => "Canceled",
        Unknown => "Unknown",
        InvalidArgument => "InvalidArgument",
        DeadlineExceeded => "DeadlineExceeded",
        NotFound => "NotFound",
        AlreadyExists => "AlreadyExists",
        PermissionDenied => "PermissionDenied",
        ResourceExhausted => "ResourceExhausted",
        FailedPrecondition => "FailedPrecondition",
        Aborted => "Aborted",
        OutOfRange => "OutOfRange",
        Unimplemented => "Unimplemented",
        Internal => "Internal",
        Unavailable => "Unavailable",
        DataLoss => "DataLoss",
        Unauthenticated => "Unauthenticated",
    }
}

/// Prints a source excerpt like BuildKit's `errdefs.Source.Print`:
///
/// ```text
/// Dockerfile:3
/// --------------------
///    1 |     FROM local/busybox:latest
///    2 |     RUN echo hello
///    3 | >>> RUN false
///    4 |
/// --------------------
/// ```
pub fn format_source(info: &SourceInfo, ranges: &[Range]) -> String {
    let text = String::from_utf8_lossy(&info.data);
    let lines: Vec<&str> = text.split('\n').collect();
    let Some((mut start, mut end)) = start_end_line(ranges) else {
        return String::new();
    };
    if start > lines.len() as i64 || start < 1 {
        return String::new();
    }
    if end > lines.len() as i64 {
        end = lines.len() as i64;
    }
    let pad = if end == start { 4 } else { 2 };
    let mut p = 0;
    let prepad_start = start;
    while p < pad {
        if start > 1 {
            start -= 1;
            p += 1;
        }
        if end != lines.len() as i64 {
            end += 1;
            p += 1;
        }
        p += 1;
    }
    let mut out = format!("{}:{}\n--------------------\n", info.filename, prepad_start);
    for i in start..=end {
        let pfx = if contains_line(ranges, i) {
            ">>>"
        } else {
            "   "
        };
        let line = lines.get((i - 1) as usize).copied().unwrap_or("");
        out.push_str(&format!(" {i:>3} | {pfx} {line}\n"));
    }
    out.push_str("--------------------\n");
    out
}

fn contains_line(ranges: &[Range], l: i64) -> bool {
    ranges.iter().any(|r| {
        let e = r.end.line.max(r.start.line);
        i64::from(r.start.line) <= l && i64::from(e) >= l
    })
}

fn start_end_line(ranges: &[Range]) -> Option<(i64, i64)> {
    let mut out: Option<(i64, i64)> = None;
    for r in ranges {
        let e = i64::from(r.end.line.max(r.start.line));
        let s = i64::from(r.start.line);
        out = Some(match out {
            None => (s, e.max(0)),
            Some((os, oe)) => (os.min(s), oe.max(e)),
        });
    }
    out
}

/// The text buildx prints on stderr after the progress when the solve
/// failed: the source excerpts, then `ERROR: failed to solve: ...`.
/// (The `------ > [2/2] RUN false: ... ------` block of the failed step's
/// last log lines comes before it, from the progress printer's end; see
/// [`super::Summary::error_logs`].)
pub fn error_report(status: &tonic::Status) -> String {
    let details = SolveErrorDetails::from_status(status);
    let mut out = String::new();
    for s in &details.sources {
        if let Some(info) = &s.info {
            out.push_str(&format_source(info, &s.ranges));
        }
    }
    out.push_str("ERROR: ");
    out.push_str(&details.error_message());
    out.push('\n');
    out
}

/// Warnings as buildx prints them after a successful build (nothing in
/// quiet and rawjson modes). `debug` (`docker --debug`) expands each one
/// with its details, link and source excerpt.
pub fn warnings_report(warnings: &[VertexWarning], debug: bool) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    let mut head = if warnings.len() == 1 {
        "1 warning found".to_string()
    } else {
        format!("{} warnings found", warnings.len())
    };
    if !debug {
        head.push_str(" (use --debug to expand)");
    }
    head.push_str(":\n");
    let mut out = format!("\n \x1b[33m{head}\x1b[0m");
    for w in warnings {
        out.push_str(" - ");
        out.push_str(&String::from_utf8_lossy(&w.short));
        out.push('\n');
        if !debug {
            continue;
        }
        for d in &w.detail {
            out.push_str(&String::from_utf8_lossy(d));
            out.push('\n');
        }
        if !w.url.is_empty() {
            out.push_str(&format!("More info: {}\n", w.url));
        }
        if let Some(info) = &w.source_info {
            if !w.ranges.is_empty() {
                out.push_str(&format_source(info, &w.ranges));
            }
        }
        out.push('\n');
    }
    out
}

/// Drops repeated warnings (same content on another step), keeping the
/// first of each, like buildx.
pub fn dedup_warnings(warnings: &[VertexWarning]) -> Vec<VertexWarning> {
    let mut out: Vec<VertexWarning> = Vec::new();
    for w in warnings {
        let key = |x: &VertexWarning| {
            let mut x = x.clone();
            x.vertex.clear();
            if let Some(si) = x.source_info.as_mut() {
                si.definition = None;
            }
            x
        };
        let k = key(w);
        if !out.iter().any(|o| key(o) == k) {
            out.push(w.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::event::Position;
    use super::*;
    use bytes::Bytes;

    fn status_with(details: Vec<(&str, &str)>, msg: &str) -> tonic::Status {
        let st = rpc::Status {
            code: 2,
            message: msg.into(),
            details: details
                .into_iter()
                .map(|(u, v)| prost_types::Any {
                    type_url: u.into(),
                    value: v.as_bytes().to_vec(),
                })
                .collect(),
        };
        tonic::Status::with_details(tonic::Code::Unknown, msg, Bytes::from(st.encode_to_vec()))
    }

    #[test]
    fn report_like_buildx() {
        let msg = "process \"/bin/sh -c false\" did not complete successfully: exit code: 1";
        let data = crate::go::json::b64_encode(
            b"FROM local/busybox:latest\nRUN echo hello && echo world >&2\nRUN false\n",
        );
        let src = format!(
            r#"{{"info":{{"filename":"Dockerfile","data":"{data}","language":"Dockerfile"}},"ranges":[{{"start":{{"line":3}},"end":{{"line":3}}}}]}}"#
        );
        let st = status_with(
            vec![
                (STACK_TYPE_URL, "{}"),
                (SOURCE_TYPE_URL, &src),
                (VERTEX_TYPE_URL, r#"{"digest":"sha256:abc"}"#),
                (EXIT_TYPE_URL, r#"{"Code":1}"#),
            ],
            msg,
        );
        let d = SolveErrorDetails::from_status(&st);
        assert_eq!(d.vertex.as_deref(), Some("sha256:abc"));
        assert_eq!(d.exit_code, Some(1));
        assert_eq!(
            error_report(&st),
            "Dockerfile:3\n--------------------\n   1 |     FROM local/busybox:latest\n   2 |     RUN echo hello && echo world >&2\n   3 | >>> RUN false\n   4 |     \n--------------------\nERROR: failed to solve: process \"/bin/sh -c false\" did not complete successfully: exit code: 1\n"
        );
    }

    #[test]
    fn plain_status_without_details() {
        let st = tonic::Status::new(tonic::Code::NotFound, "no such thing");
        assert_eq!(
            error_report(&st),
            "ERROR: failed to solve: NotFound: no such thing\n"
        );
    }

    #[test]
    fn multi_line_range_pads_two() {
        let info = SourceInfo {
            filename: "Dockerfile".into(),
            data: Bytes::from_static(b"a\nb\nc\nd\ne\nf\ng"),
            ..Default::default()
        };
        let r = Range {
            start: Position {
                line: 3,
                character: 0,
            },
            end: Position {
                line: 5,
                character: 0,
            },
        };
        assert_eq!(
            format_source(&info, &[r]),
            "Dockerfile:3\n--------------------\n   2 |     b\n   3 | >>> c\n   4 | >>> d\n   5 | >>> e\n   6 |     f\n--------------------\n"
        );
    }

    #[test]
    fn warnings_summary() {
        let w = VertexWarning {
            vertex: "sha256:a".into(),
            level: 1,
            short: Bytes::from_static(b"Empty continuation line found in: RUN echo a   && echo b"),
            detail: vec![Bytes::from_static(
                b"Empty continuation lines will become errors in a future release",
            )],
            url: "https://github.com/moby/moby/pull/33719".into(),
            source_info: Some(SourceInfo {
                filename: "Dockerfile".into(),
                data: Bytes::from_static(b"FROM x\nRUN echo hello\nRUN echo a \\\n\n  && echo b\n"),
                ..Default::default()
            }),
            ranges: vec![Range {
                start: Position {
                    line: 5,
                    character: 0,
                },
                end: Position {
                    line: 5,
                    character: 0,
                },
            }],
        };
        assert_eq!(
            warnings_report(std::slice::from_ref(&w), false),
            "\n \x1b[33m1 warning found (use --debug to expand):\n\x1b[0m - Empty continuation line found in: RUN echo a   && echo b\n"
        );
        assert_eq!(
            warnings_report(std::slice::from_ref(&w), true),
            "\n \x1b[33m1 warning found:\n\x1b[0m - Empty continuation line found in: RUN echo a   && echo b\nEmpty continuation lines will become errors in a future release\nMore info: https://github.com/moby/moby/pull/33719\nDockerfile:5\n--------------------\n   3 |     RUN echo a \\\n   4 |     \n   5 | >>>   && echo b\n   6 |     \n--------------------\n\n"
        );
        let mut w2 = w.clone();
        w2.vertex = "sha256:b".into();
        assert_eq!(dedup_warnings(&[w, w2]).len(), 1);
    }
}
