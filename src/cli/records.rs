//! Build cache records as buildx 0.13's `du` and `prune` print them (Go
//! `text/tabwriter` tables, go-units sizes and durations), and buildx's
//! `--filter` handling.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::client::CacheRecord;
use crate::go::tabwriter::TabWriter;
use crate::go::time::{parse_duration, utc_string, ZERO_UNIX_SECS};
use crate::go::units::{human_duration, human_size};
use crate::progress::event::Timestamp;

use super::error::{CliError, CliResult};

/// The table's header line.
pub(crate) const TABLE_HEADER: &str = "ID\tRECLAIMABLE\tSIZE\tLAST ACCESSED";

/// One record as a table row.
pub(crate) fn table_row(r: &CacheRecord, now: SystemTime) -> String {
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

/// Records in `--verbose` form.
pub(crate) fn verbose(records: &[CacheRecord], now: SystemTime) -> String {
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

/// The totals `du` prints after its table.
pub(crate) fn summary(records: &[CacheRecord]) -> String {
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
