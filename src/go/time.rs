//! Go's `time` (Go 1.21, as buildx 0.13.1 is built with): `ParseDuration`
//! for `--filter until=24h`, and the two ways a UTC `time.Time` prints:
//! `Time.String()` (buildx's `du --verbose`) and `time.RFC3339Nano`
//! (BuildKit's progress JSON, `--progress=rawjson`).

use std::time::Duration;

/// Go's zero `time.Time` (0001-01-01 00:00:00 UTC) in seconds since the
/// Unix epoch.
pub(crate) const ZERO_UNIX_SECS: i64 = -62_135_596_800;

/// Go's `time.ParseDuration` for non-negative durations ("24h", "1h30m",
/// "1.5h", "300ms"). Unlike Go, a leading `-` is refused and the parts
/// are summed as `f64` seconds (Go sums integer nanoseconds, and refuses
/// what overflows them).
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the CLI's
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if s == "0" {
        return Some(Duration::ZERO);
    }
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if n == 0 {
            return None;
        }
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[u..];
        total += num * mult;
    }
    Some(Duration::from_secs_f64(total))
}

/// `YYYY-MM-DD?HH:MM:SS` and the fraction of a second without trailing
/// zeros (none at all for a whole second), as Go's `.999999999` prints it.
fn date_time(secs: i64, nanos: u32, sep: char) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}{sep}{:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out
}

/// Go's `time.Duration.String()` of `nanos` nanoseconds
/// (`48h0m0s`, `1.5s`, `2ms`, `0s`).
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the CLI's
pub(crate) fn duration_string(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let neg = nanos < 0;
    let u = nanos.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    let frac = |v: u64, digits: u32| -> String {
        // v in units of 10^-digits, printed with trailing zeros dropped.
        let p = 10u64.pow(digits);
        let (i, f) = (v / p, v % p);
        if f == 0 {
            return i.to_string();
        }
        let fs = format!("{f:0width$}", width = digits as usize);
        format!("{i}.{}", fs.trim_end_matches('0'))
    };
    if u < 1_000_000_000 {
        let (v, d, unit) = if u < 1_000 {
            (u, 0, "ns")
        } else if u < 1_000_000 {
            (u, 3, "µs")
        } else {
            (u, 6, "ms")
        };
        return format!("{sign}{}{unit}", frac(v, d));
    }
    let secs_total = u / 1_000_000_000;
    let nanos_rem = u % 1_000_000_000;
    let h = secs_total / 3600;
    let m = (secs_total % 3600) / 60;
    let s = frac((secs_total % 60) * 1_000_000_000 + nanos_rem, 9);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

/// Go's `time.Time.String()` of a UTC time, `secs` and `nanos` since the
/// Unix epoch: `2006-01-02 15:04:05.999999999 +0000 UTC`.
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the CLI's
pub(crate) fn utc_string(secs: i64, nanos: u32) -> String {
    let mut out = date_time(secs, nanos, ' ');
    out.push_str(" +0000 UTC");
    out
}

/// Go's `t.UTC().Format(time.RFC3339Nano)`, `secs` and `nanos` since the
/// Unix epoch: `2006-01-02T15:04:05.999999999Z`.
pub(crate) fn rfc3339_nano(secs: i64, nanos: u32) -> String {
    let mut out = date_time(secs, nanos, 'T');
    out.push('Z');
    out
}

/// Unix seconds of an RFC 3339 time (`2006-01-02T15:04:05[.frac](Z|±07:00)`),
/// as Go's `time.Time` reads it from JSON; `None` if it is not one.
pub(crate) fn parse_rfc3339_unix(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &r[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 && matches!(&o[..1], "+" | "-") && &o[3..4] == ":" => {
            let oh = num(s.len() - 5..s.len() - 3)?;
            let om = num(s.len() - 2..s.len())?;
            let v = oh * 3600 + om * 60;
            if o.starts_with('-') {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day number since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_as_go_prints_them() {
        for (n, want) in [
            (0i64, "0s"),
            (172_800_000_000_000, "48h0m0s"),
            (5_184_000_000_000_000, "1440h0m0s"),
            (1_500_000_000, "1.5s"),
            (61_000_000_000, "1m1s"),
            (2_000_000, "2ms"),
            (1_500, "1.5µs"),
            (7, "7ns"),
        ] {
            assert_eq!(duration_string(n), want, "{n}");
        }
    }

    use super::*;

    #[test]
    fn durations_like_go() {
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86400)));
        assert_eq!(parse_duration("+0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("300ms"), Some(Duration::from_millis(300)));
        for s in ["", "soon", "1", "1d", "h", "-1h"] {
            assert_eq!(parse_duration(s), None, "{s}");
        }
    }

    #[test]
    fn times_print_like_go() {
        assert_eq!(
            utc_string(1_795_517_441, 859_655_916),
            "2026-11-24 10:50:41.859655916 +0000 UTC"
        );
        assert_eq!(
            utc_string(ZERO_UNIX_SECS, 0),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert_eq!(
            rfc3339_nano(1_795_517_444, 463_091_880),
            "2026-11-24T10:50:44.46309188Z"
        );
        assert_eq!(rfc3339_nano(ZERO_UNIX_SECS, 0), "0001-01-01T00:00:00Z");
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1, 1, 1) * 86_400, ZERO_UNIX_SECS);
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
    }
}
