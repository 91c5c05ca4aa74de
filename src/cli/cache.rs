//! `du`, `prune` and `ls`: buildx's builder-maintenance commands, so that
//! `docker builder du|prune|ls` work when rkbuild is the docker CLI's
//! builder alias. Output follows buildx 0.13 (Go `text/tabwriter` tables,
//! go-units sizes and durations).

use std::io::{BufRead, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rkbuild::client::{CacheRecord, PruneOptions};
use rkbuild::go::tabwriter::TabWriter;
use rkbuild::go::time::{parse_duration, utc_string, ZERO_UNIX_SECS};
use rkbuild::go::units::{human_duration, human_size};
use rkbuild::progress::event::Timestamp;

use super::args::{DuArgs, LsArgs, PruneArgs};
use super::builder::Builder;
use super::error::{CliError, CliResult};

/// buildx's prune confirmation texts.
const NORMAL_WARNING: &str =
    "WARNING! This will remove all dangling build cache. Are you sure you want to continue?";
const ALL_WARNING: &str =
    "WARNING! This will remove all build cache. Are you sure you want to continue?";

/// Runs `du`.
pub async fn du(args: &DuArgs, builder: &Builder) -> CliResult {
    let (filter, _) = prune_filters(&args.filter)?;
    let client = builder.connect().await?;
    let records = client.disk_usage(&filter).await?;
    let now = SystemTime::now();
    let mut out = String::new();
    if args.verbose {
        out.push_str(&verbose(&records, now));
    } else {
        let mut t = TabWriter::go_du();
        t.line(TABLE_HEADER);
        for r in &records {
            t.line(&table_row(r, now));
        }
        out.push_str(&t.render());
    }
    if args.filter.is_empty() {
        out.push_str(&summary(&records));
    }
    print(&out);
    Ok(())
}

/// Runs `prune`.
pub async fn prune(args: &PruneArgs, builder: &Builder) -> CliResult {
    let (filter, keep_duration) = prune_filters(&args.filter)?;
    let keep_bytes = match args.keep_storage.as_deref() {
        Some(s) => rkbuild::solve::dockerfile::parse_ram_bytes(s).map_err(|_| {
            CliError::new(format!(
                "invalid argument {s:?} for \"--keep-storage\" flag"
            ))
            .hint("a size such as 10GB or 512mb")
        })?,
        None => 0,
    };
    if !args.force {
        let warning = if args.all {
            ALL_WARNING
        } else {
            NORMAL_WARNING
        };
        if !confirm(warning) {
            return Ok(());
        }
    }
    let client = builder.connect().await?;
    let mut pruned = client
        .prune(&PruneOptions {
            filter,
            all: args.all,
            keep_duration,
            keep_bytes: keep_bytes as i64,
        })
        .await?;
    let now = SystemTime::now();
    let mut total: i64 = 0;
    let mut first = true;
    let mut t = TabWriter::go_du();
    while let Some(r) = pruned.next().await? {
        total += r.size;
        if args.verbose {
            print(&verbose(std::slice::from_ref(&r), now));
        } else {
            if first {
                t.line(TABLE_HEADER);
                first = false;
            }
            t.line(&table_row(&r, now));
        }
    }
    let mut out = t.render();
    let mut s = TabWriter::go_du();
    s.line(&format!("Total:\t{}", human_size(total as f64)));
    out.push_str(&s.render());
    print(&out);
    Ok(())
}

/// Runs `ls`: the docker context's builder, buildx's table.
pub async fn ls(args: &LsArgs, builder: &Builder) -> CliResult {
    if args.format != "table" {
        return Err(
            CliError::new(format!("unsupported --format {:?}", args.format))
                .hint("only \"table\" is supported"),
        );
    }
    let (status, version, platforms, err) = match builder.connect().await {
        Ok(c) => match tokio::try_join!(c.info(), c.list_workers()) {
            Ok((v, w)) => {
                let mut p: Vec<String> = Vec::new();
                for x in w.into_iter().flat_map(|w| w.platforms) {
                    if !p.contains(&x) {
                        p.push(x);
                    }
                }
                ("running", v.version, p.join(", "), None)
            }
            Err(e) => ("error", String::new(), String::new(), Some(e.to_string())),
        },
        Err(e) => ("error", String::new(), String::new(), Some(e.to_string())),
    };
    let driver = builder.driver.name();
    // buildx names the docker driver's node by its docker context.
    let node = match builder.driver.docker_api() {
        Some(_) => builder.name.clone(),
        None => builder.driver.address(),
    };
    let mut t = TabWriter::docker_table();
    t.line("NAME/NODE\tDRIVER/ENDPOINT\tSTATUS\tBUILDKIT\tPLATFORMS");
    t.line(&format!("{}*\t{driver}\t\t\t", builder.name));
    t.line(&format!(
        " \\_ {}\t \\_ {node}\t{status}\t{version}\t{platforms}",
        builder.name
    ));
    let mut out = t.render();
    if let Some(e) = err {
        out.push_str(&format!("\nCannot load builder {}: {e}\n", builder.name));
    }
    print(&out);
    Ok(())
}

fn print(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

/// docker's `PromptForConfirmation`: `MESSAGE [y/N] `, yes only on y/Y.
fn confirm(message: &str) -> bool {
    print(&format!("{message} [y/N] "));
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim(), "y" | "Y")
}

const TABLE_HEADER: &str = "ID\tRECLAIMABLE\tSIZE\tLAST ACCESSED";

fn table_row(r: &CacheRecord, now: SystemTime) -> String {
    let mut id = r.id.clone();
    if r.mutable {
        id.push('*');
    }
    let mut size = human_size(r.size as f64);
    if r.shared {
        size.push('*');
    }
    let last = r
        .last_used_at
        .as_ref()
        .map(|t| format!("{} ago", human_duration(since(t, now))))
        .unwrap_or_default();
    format!("{id:<40}\t{:<5}\t{size:<10}\t{last}", !r.in_use)
}

fn verbose(records: &[CacheRecord], now: SystemTime) -> String {
    let mut t = TabWriter::go_du();
    for r in records {
        t.line(&format!("ID:\t{}", r.id));
        if !r.parents.is_empty() {
            t.line(&format!("Parent:\t{}", r.parents.join(",")));
        }
        let created = r.created_at.as_ref().map(go_time).unwrap_or_else(zero_time);
        t.line(&format!("Created at:\t{created}"));
        t.line(&format!("Mutable:\t{}", r.mutable));
        t.line(&format!("Reclaimable:\t{}", !r.in_use));
        t.line(&format!("Shared:\t{}", r.shared));
        t.line(&format!("Size:\t{}", human_size(r.size as f64)));
        if !r.description.is_empty() {
            t.line(&format!("Description:\t{}", r.description));
        }
        t.line(&format!("Usage count:\t{}", r.usage_count));
        if let Some(l) = &r.last_used_at {
            t.line(&format!(
                "Last used:\t{} ago",
                human_duration(since(l, now))
            ));
        }
        if !r.record_type.is_empty() {
            t.line(&format!("Type:\t{}", r.record_type));
        }
        t.line("");
    }
    t.render()
}

fn summary(records: &[CacheRecord]) -> String {
    let (mut total, mut reclaimable, mut shared) = (0i64, 0i64, 0i64);
    for r in records {
        if r.size > 0 {
            total += r.size;
            if !r.in_use {
                reclaimable += r.size;
            }
        }
        if r.shared {
            shared += r.size;
        }
    }
    let mut t = TabWriter::go_du();
    if shared > 0 {
        t.line(&format!("Shared:\t{}", human_size(shared as f64)));
        t.line(&format!(
            "Private:\t{}",
            human_size((total - shared) as f64)
        ));
    }
    t.line(&format!("Reclaimable:\t{}", human_size(reclaimable as f64)));
    t.line(&format!("Total:\t{}", human_size(total as f64)));
    t.render()
}

/// buildx's `--filter` handling: `until` becomes the keep duration, `id`
/// a `~=` match, other keys `==` (or `KEY!=`/`KEY~=` as given); all joined
/// into one filter string.
pub fn prune_filters(list: &[String]) -> CliResult<(Vec<String>, Duration)> {
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for f in list {
        if f.is_empty() {
            continue;
        }
        let Some((k, v)) = f.split_once('=') else {
            return Err(CliError::new(format!(
                "invalid argument {f:?} for \"--filter\" flag: bad format of filter (expected name=value)"
            )));
        };
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim().to_string();
        match keys.iter_mut().find(|(x, _)| *x == k) {
            Some((_, vals)) => {
                if !vals.contains(&v) {
                    vals.push(v)
                }
            }
            None => keys.push((k, vec![v])),
        }
    }
    let has = |k: &str| keys.iter().any(|(x, _)| x == k);
    if has("until") && has("unused-for") {
        return Err(CliError::new(
            "conflicting filters \"until\" and \"unused-for\"",
        ));
    }
    let until_key = if has("unused-for") {
        "unused-for"
    } else {
        "until"
    };
    let mut keep = Duration::ZERO;
    let mut parts = Vec::new();
    for (k, vals) in &keys {
        if vals.len() > 1 {
            return Err(CliError::new(format!(
                "{k:?} filter expects only one value"
            )));
        }
        let v = &vals[0];
        if k == until_key {
            keep = parse_duration(v).ok_or_else(|| {
                CliError::new(format!(
                    "{k:?} filter expects a duration (e.g., '24h'): invalid duration {v:?}"
                ))
            })?;
        } else if k == "id" {
            parts.push(format!("{k}~={v}"));
        } else if k.ends_with('!') || k.ends_with('~') {
            parts.push(format!("{k}={v}"));
        } else {
            parts.push(format!("{k}=={v}"));
        }
    }
    Ok((vec![parts.join(",")], keep))
}

fn since(t: &Timestamp, now: SystemTime) -> Duration {
    let then = UNIX_EPOCH + Duration::new(t.unix_secs().max(0) as u64, t.subsec_nanos());
    now.duration_since(then).unwrap_or_default()
}

/// Go's `time.Time.String()` of a BuildKit time (always UTC).
fn go_time(t: &Timestamp) -> String {
    utc_string(t.unix_secs(), t.subsec_nanos())
}

/// Go's zero `time.Time`, as `String()` prints it.
fn zero_time() -> String {
    utc_string(ZERO_UNIX_SECS, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_like_buildx() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (f, keep) = prune_filters(&v(&["until=24h", "id=abc", "type=regular"])).unwrap();
        assert_eq!(keep, Duration::from_secs(86400));
        assert_eq!(f, ["id~=abc,type==regular"]);
        let (f, keep) = prune_filters(&[]).unwrap();
        assert_eq!((f, keep), (vec![String::new()], Duration::ZERO));
        let (f, _) = prune_filters(&v(&["description~=local source"])).unwrap();
        assert_eq!(f, ["description~=local source"]);
        assert!(prune_filters(&v(&["until=1h", "unused-for=2h"])).is_err());
        assert!(prune_filters(&v(&["until=soon"])).is_err());
        assert!(prune_filters(&v(&["nofilter"])).is_err());
    }

    #[test]
    fn go_time_format() {
        let t = Timestamp::from_unix(1_795_517_441, 859_655_916);
        assert_eq!(go_time(&t), "2026-11-24 10:50:41.859655916 +0000 UTC");
    }
}
