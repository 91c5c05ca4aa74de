//! `inspect-context [PATH] [-f Dockerfile]`: what a build of PATH would
//! send, from the same walker and matcher as the build (the library's
//! [`crate::solve::inspect`]). Named so that it cannot be taken for
//! `docker context` (which manages daemon endpoints): it inspects a *build*
//! context.

use std::path::Path;

use crate::go::units::human_size;
use crate::solve::inspect::{inspect_context, ContextReport, Why};

use crate::cli::args::InspectContextArgs;
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::print;

fn why_text(r: &ContextReport, path: &str, why: &Why) -> String {
    let file = r
        .ignore_file
        .as_ref()
        .map(|f| f.path.display().to_string())
        .unwrap_or_default();
    let exists = r
        .root
        .join(path.trim_start_matches('/'))
        .symlink_metadata()
        .is_ok();
    let note = if exists {
        ""
    } else {
        " (no such path in the context)"
    };
    match why {
        Why::Excluded { pattern } => format!(
            "{path}: excluded by line {} of {file}: {}{note}",
            pattern.line, pattern.pattern
        ),
        Why::Included { pattern: Some(p) } => format!(
            "{path}: sent, re-included by line {} of {file}: {}{note}",
            p.line, p.pattern
        ),
        Why::Included { pattern: None } => {
            let by = if r.ignore_file.is_some() {
                "no pattern of the ignore file matches it"
            } else {
                "there is no ignore file"
            };
            format!("{path}: sent, {by}{note}")
        }
    }
}

fn text(r: &ContextReport, a: &InspectContextArgs, whys: &[(String, Why)]) -> String {
    let mut out = String::new();
    let line = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(&mut out, format!("Context:     {}", r.root.display()));
    line(&mut out, format!("Dockerfile:  {}", r.dockerfile.display()));
    match &r.ignore_file {
        Some(f) => line(
            &mut out,
            format!(
                "Ignore file: {} ({} patterns)",
                f.path.display(),
                f.patterns.len()
            ),
        ),
        None => line(&mut out, "Ignore file: none".into()),
    }
    line(
        &mut out,
        format!(
            "Sent:        {} files, {} directories, {} links{}, {}",
            r.files,
            r.dirs,
            r.links,
            if r.other > 0 {
                format!(", {} other", r.other)
            } else {
                String::new()
            },
            human_size(r.bytes as f64)
        ),
    );
    let dirs = r.largest_dirs(a.top);
    if !dirs.is_empty() && a.top > 0 {
        line(&mut out, String::new());
        line(&mut out, "Largest directories:".into());
        for (p, files, bytes) in dirs {
            let unit = if files == 1 { "file " } else { "files" };
            line(
                &mut out,
                format!("  {:>9}  {files:>7} {unit}  {p}/", human_size(bytes as f64)),
            );
        }
    }
    let files = r.largest_files(a.top);
    if !files.is_empty() && a.top > 0 {
        line(&mut out, String::new());
        line(&mut out, "Largest files:".into());
        for (p, bytes) in files {
            line(&mut out, format!("  {:>9}  {p}", human_size(bytes as f64)));
        }
    }
    if !r.warnings.is_empty() {
        line(&mut out, String::new());
        line(&mut out, "Warnings:".into());
        for w in &r.warnings {
            line(&mut out, format!("  {w}"));
        }
    }
    if !whys.is_empty() {
        line(&mut out, String::new());
        for (p, w) in whys {
            line(&mut out, why_text(r, p, w));
        }
    }
    if a.list {
        line(&mut out, String::new());
        for e in &r.entries {
            line(&mut out, e.path.clone());
        }
    }
    out
}

fn json(r: &ContextReport, a: &InspectContextArgs, whys: &[(String, Why)]) -> CliResult<String> {
    let mut v = serde_json::json!({
        "context": r.root,
        "dockerfile": r.dockerfile,
        "ignore_file": r.ignore_file,
        "files": r.files,
        "dirs": r.dirs,
        "links": r.links,
        "other": r.other,
        "bytes": r.bytes,
        "largest_dirs": r.largest_dirs(a.top).into_iter()
            .map(|(p, f, b)| serde_json::json!({"path": p, "files": f, "bytes": b}))
            .collect::<Vec<_>>(),
        "largest_files": r.largest_files(a.top).into_iter()
            .map(|(p, b)| serde_json::json!({"path": p, "bytes": b}))
            .collect::<Vec<_>>(),
        "warnings": r.warnings,
    });
    if !whys.is_empty() {
        v["why"] = whys
            .iter()
            .map(|(p, w)| {
                let mut o = serde_json::to_value(w).unwrap_or_default();
                o["path"] = p.clone().into();
                o
            })
            .collect::<Vec<_>>()
            .into();
    }
    if a.list {
        v["entries"] = serde_json::to_value(&r.entries).unwrap_or_default();
    }
    let mut s = serde_json::to_string_pretty(&v).map_err(|e| CliError::new(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

/// Runs `inspect-context`.
pub fn run(a: &InspectContextArgs) -> CliResult {
    if a.format != "text" && a.format != "json" {
        return Err(CliError::new(format!("unknown format {:?}", a.format))
            .hint("use --format text or --format json"));
    }
    let dir = Path::new(&a.context);
    if !dir.is_dir() {
        return Err(CliError::new(format!(
            "unable to prepare context: path {:?} not found",
            a.context
        ))
        .hint("give the build context directory, as for a build"));
    }
    let r = inspect_context(dir, a.file.as_deref().map(Path::new))?;
    let whys = a
        .why
        .iter()
        .map(|p| Ok((p.clone(), r.why(p)?)))
        .collect::<crate::Result<Vec<_>>>()?;
    let out = match a.format.as_str() {
        "json" => json(&r, a, &whys)?,
        _ => text(&r, a, &whys),
    };
    print(&out)
}
