//! `ls`: every builder (buildx's store, then each docker context's) and
//! its nodes, as buildx 0.13's table, JSON or template shows them.

use std::collections::BTreeMap;

use crate::builder::Builder;
use crate::docker::builders::{self, BuilderNode, DockerCli, Loaded, NodeInfo};
use crate::go::tabwriter::TabWriter;
use serde::Serialize;

use crate::cli::args::{GlobalOpts, LsArgs};
use crate::cli::builder::{connect_timeout, docker_cli};
use crate::cli::error::{CliError, CliResult};
use crate::cli::output::print;
use crate::cli::plugin::DockerGlobals;

/// buildx's default table.
const DEFAULT_TABLE: &str =
    "table {{.Name}}\t{{.DriverEndpoint}}\t{{.Status}}\t{{.Buildkit}}\t{{.Platforms}}";

/// Loads every builder, each within buildx's 20 s.
pub async fn load_all(cli: &DockerCli, g: &GlobalOpts) -> CliResult<(Vec<Loaded>, String)> {
    let store = cli.store()?;
    let (all, current) = {
        let txn = store.txn()?;
        let current = builders::current_group(cli, &txn)?.name;
        (Builder::all_in(cli, &txn, connect_timeout(g))?, current)
    };
    let loaded = futures_util::future::join_all(all.iter().map(Builder::load)).await;
    Ok((loaded, current))
}

/// Runs `ls`.
pub async fn run(args: &LsArgs, g: &GlobalOpts, docker: &DockerGlobals) -> CliResult {
    let tmpl = Template::parse(&args.format)?;
    let cli = docker_cli(docker)?;
    let (mut loaded, current) = load_all(&cli, g).await?;
    // Builders that failed to load go last.
    loaded.sort_by_key(|b| b.err.is_some());
    let mut rows: Vec<Row> = Vec::new();
    for b in &loaded {
        rows.push(Row {
            b,
            node: None,
            current: b.group.name == current,
        });
        if b.err.is_some() {
            continue;
        }
        for n in &b.nodes {
            rows.push(Row {
                b,
                node: Some(n),
                current: b.group.name == current,
            });
        }
    }
    let out = tmpl.render(&rows)?;
    print(&out)?;
    if tmpl.table {
        let mut errs = String::new();
        for b in &loaded {
            if let Some(e) = &b.err {
                errs.push_str(&format!(
                    "Cannot load builder {}: {}\n",
                    b.group.name,
                    e.trim()
                ));
                continue;
            }
            for (n, i) in &b.nodes {
                if let Some(e) = &i.err {
                    errs.push_str(&format!(
                        "Failed to get status for {} ({}): {}\n",
                        b.group.name,
                        n.node.name,
                        e.trim()
                    ));
                }
            }
        }
        if !errs.is_empty() {
            eprint!("\n{errs}");
        }
    }
    Ok(())
}

struct Row<'a> {
    b: &'a Loaded,
    node: Option<&'a (BuilderNode, NodeInfo)>,
    current: bool,
}

impl Row<'_> {
    fn field(&self, name: &str, table: bool) -> Option<String> {
        let indent = |s: &str| {
            if table {
                format!(" \\_ {s}")
            } else {
                s.to_string()
            }
        };
        Some(match (name, self.node) {
            ("Name", None) => {
                let mut n = self.b.group.name.clone();
                if self.current && table {
                    n.push('*');
                }
                n
            }
            ("Name", Some((n, _))) => indent(&n.node.name),
            ("DriverEndpoint", None) => self.b.driver().to_string(),
            ("DriverEndpoint", Some((n, _))) => indent(&n.node.endpoint),
            ("LastActivity", None) => self
                .b
                .group
                .last_activity
                .map(|s| crate::go::time::rfc3339_nano(s, 0))
                .unwrap_or_default(),
            ("LastActivity", Some(_)) => String::new(),
            ("Status", None) => {
                if self.b.err.is_some() {
                    "error".into()
                } else {
                    String::new()
                }
            }
            ("Status", Some((_, i))) => status_word(i),
            ("Buildkit", None) => String::new(),
            ("Buildkit", Some((_, i))) => i.version.clone(),
            ("Platforms", None) => String::new(),
            ("Platforms", Some((n, i))) => {
                builders::format_platforms(&n.configured_platforms(), &i.platforms).join(", ")
            }
            ("Error", Some((_, i))) if i.err.is_some() => i.err.clone().unwrap_or_default(),
            ("Error", _) => self.b.err.clone().unwrap_or_default(),
            _ => return None,
        })
    }
}

fn status_word(i: &NodeInfo) -> String {
    if i.err.is_some() {
        return "error".into();
    }
    i.status.map(|s| s.as_str().to_string()).unwrap_or_default()
}

/// A docker CLI format: `table`, `json`, or a Go template of the fields
/// above (`{{.Name}}`, ...), `table ` before it for a header.
struct Template {
    table: bool,
    parts: Vec<Part>,
}

enum Part {
    Text(String),
    Field(String),
    Json,
}

const HEADERS: &[(&str, &str)] = &[
    ("Name", "NAME/NODE"),
    ("DriverEndpoint", "DRIVER/ENDPOINT"),
    ("LastActivity", "LAST ACTIVITY"),
    ("Status", "STATUS"),
    ("Buildkit", "BUILDKIT"),
    ("Platforms", "PLATFORMS"),
    // buildx's header map has no Error: Go's template prints this.
    ("Error", "<no value>"),
];

impl Template {
    fn parse(format: &str) -> CliResult<Template> {
        let format = match format {
            "table" | "" => DEFAULT_TABLE,
            "json" => "{{json .}}",
            f => f,
        };
        let (table, body) = match format.strip_prefix("table") {
            Some(rest) => (true, rest.trim_matches(' ')),
            None => (false, format),
        };
        let body = body.replace("\\t", "\t").replace("\\n", "\n");
        let mut parts = Vec::new();
        let mut rest = body.as_str();
        while let Some(i) = rest.find("{{") {
            if i > 0 {
                parts.push(Part::Text(rest[..i].to_string()));
            }
            let Some(j) = rest[i..].find("}}") else {
                return Err(bad_template(format, "unclosed action"));
            };
            let action = rest[i + 2..i + j].trim();
            if action == "json ." {
                parts.push(Part::Json);
            } else if let Some(f) = action.strip_prefix('.') {
                if !HEADERS.iter().any(|(k, _)| *k == f) {
                    return Err(bad_template(
                        format,
                        &format!("can't evaluate field {f} in type *commands.lsContext"),
                    ));
                }
                parts.push(Part::Field(f.to_string()));
            } else {
                return Err(bad_template(
                    format,
                    &format!("function or action {action:?} not supported"),
                ));
            }
            rest = &rest[i + j + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template { table, parts })
    }

    fn line(&self, row: Option<&Row>) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match (p, row) {
                (Part::Text(t), _) => s.push_str(t),
                (Part::Field(f), None) => {
                    let h = HEADERS.iter().find(|(k, _)| k == f).map(|(_, h)| *h);
                    s.push_str(h.unwrap_or(""));
                }
                (Part::Field(f), Some(r)) => {
                    s.push_str(&r.field(f, self.table).unwrap_or_default())
                }
                (Part::Json, None) => {}
                (Part::Json, Some(r)) => s.push_str(&builder_json(r.b)),
            }
        }
        s
    }

    fn render(&self, rows: &[Row]) -> CliResult<String> {
        if self.table {
            let mut t = TabWriter::docker_table();
            t.line(&self.line(None));
            for r in rows {
                for l in self.line(Some(r)).split('\n') {
                    t.line(l);
                }
            }
            return Ok(t.render());
        }
        let mut out = String::new();
        for r in rows {
            out.push_str(&self.line(Some(r)));
            out.push('\n');
        }
        Ok(out)
    }
}

fn bad_template(format: &str, why: &str) -> CliError {
    CliError::new(format!("template parsing error: {why} in {format:?}"))
        .hint("use table, json or a template of .Name, .DriverEndpoint, .Status, .Buildkit, .Platforms, .LastActivity, .Error")
}

/// buildx's `Builder.MarshalJSON` (Go field order, Go's compact JSON).
fn builder_json(b: &Loaded) -> String {
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct B<'a> {
        name: &'a str,
        driver: &'a str,
        last_activity: String,
        dynamic: bool,
        nodes: Vec<N<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        err: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct Gc<'a> {
        filter: Option<&'a [String]>,
        all: bool,
        #[serde(rename = "keepDuration")]
        keep_duration: i64,
        #[serde(rename = "keepBytes")]
        keep_bytes: i64,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct N<'a> {
        name: &'a str,
        endpoint: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        flags: Option<&'a [String]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        driver_opts: Option<&'a BTreeMap<String, String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        files: Option<BTreeMap<&'a str, String>>,
        #[serde(skip_serializing_if = "String::is_empty")]
        status: String,
        #[serde(skip_serializing_if = "str::is_empty")]
        version: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        err: Option<&'a str>,
        #[serde(rename = "IDs", skip_serializing_if = "<[_]>::is_empty")]
        ids: &'a [String],
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        platforms: &'a [String],
        #[serde(rename = "GCPolicy", skip_serializing_if = "Vec::is_empty")]
        gc_policy: Vec<Gc<'a>>,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        labels: &'a BTreeMap<String, String>,
    }
    let nodes = b
        .nodes
        .iter()
        .map(|(n, i)| N {
            name: &n.node.name,
            endpoint: &n.node.endpoint,
            flags: n.node.flags.as_deref().filter(|f| !f.is_empty()),
            driver_opts: n.node.driver_opts.as_ref().filter(|m| !m.is_empty()),
            files: n.node.files.as_ref().filter(|m| !m.is_empty()).map(|m| {
                m.iter()
                    .map(|(k, v)| (k.as_str(), crate::go::json::b64_encode(v)))
                    .collect()
            }),
            status: status_word(i),
            version: &i.version,
            err: i.err.as_deref().map(str::trim),
            ids: &i.ids,
            platforms: &i.platforms,
            gc_policy: i
                .gc_policy
                .iter()
                .map(|g| Gc {
                    filter: (!g.filters.is_empty()).then_some(g.filters.as_slice()),
                    all: g.all,
                    keep_duration: g.keep_duration,
                    keep_bytes: g.keep_bytes,
                })
                .collect(),
            labels: &i.labels,
        })
        .collect();
    let last = b
        .group
        .last_activity
        .map(|s| crate::go::time::rfc3339_nano(s, 0))
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".into());
    crate::go::json::marshal(&B {
        name: &b.group.name,
        driver: b.driver(),
        last_activity: last,
        dynamic: b.group.dynamic,
        nodes,
        err: b.err.as_deref().map(str::trim),
    })
}
