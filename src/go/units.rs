//! docker's `go-units` (v0.5.0, as vendored by buildx 0.13.1): the size
//! and ulimit values buildx parses (`--shm-size`, `--keep-storage`,
//! `--ulimit`), with their error messages, and the sizes and durations its
//! `du` and `prune` print (`HumanSize`, `HumanDuration`).

use std::time::Duration;

/// Why a size or ulimit value was refused; the messages are go-units'.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnitsError {
    /// Not `NUMBER[ ][kmgtp][i][b]`.
    #[error("invalid size: '{0}'")]
    InvalidSize(String),
    /// The number of a size is not a float (`1.2.3`).
    #[error("strconv.ParseFloat: parsing {}: invalid syntax", crate::go::strconv::quote(.0.as_bytes()))]
    InvalidFloat(String),
    /// `ulimit` without `=`.
    #[error("invalid ulimit argument: {0}")]
    InvalidUlimitArgument(String),
    /// An unknown ulimit name.
    #[error("invalid ulimit type: {0}")]
    InvalidUlimitType(String),
    /// A limit that is not a 64-bit integer.
    #[error("strconv.ParseInt: parsing {}: {}", crate::go::strconv::quote(.value.as_bytes()), if *.out_of_range { "value out of range" } else { "invalid syntax" })]
    InvalidLimit {
        /// The value as given.
        value: String,
        /// Too large, rather than not a number.
        out_of_range: bool,
    },
    /// More than `soft:hard`.
    #[error("too many limit value arguments - {0}, can only have up to two, `soft[:hard]`")]
    TooManyLimits(String),
    /// Unlimited soft limit under a finite hard limit.
    #[error("ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: {0}")]
    UnlimitedSoft(i64),
    /// Soft limit above the hard limit.
    #[error("ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}")]
    SoftAboveHard {
        /// The soft limit.
        soft: i64,
        /// The hard limit.
        hard: i64,
    },
}

/// go-units' `RAMInBytes`: `NUMBER[ ][kmgtp][i][b]`, case-insensitive,
/// binary multiples, the number possibly fractional. Like Go, a result
/// beyond `i64` is `i64::MIN` (what converting the float gives on amd64),
/// which callers treat as "not set".
pub(crate) fn ram_in_bytes(s: &str) -> Result<i64, UnitsError> {
    let invalid = || UnitsError::InvalidSize(s.to_string());
    let b = s.as_bytes();
    // (\d+(\.\d+)*)
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return Err(invalid());
    }
    while i < b.len() && b[i] == b'.' {
        let mut j = i + 1;
        if !digits(&mut j) {
            break;
        }
        i = j;
    }
    let number = &s[..i];
    let mut rest = &b[i..];
    // " ?([kmgtp])?i?b?$"
    if rest.first() == Some(&b' ') {
        rest = &rest[1..];
    }
    let mut mult: i64 = 1;
    if let Some(c) = rest.first() {
        let m = match c.to_ascii_lowercase() {
            b'k' => Some(1i64 << 10),
            b'm' => Some(1 << 20),
            b'g' => Some(1 << 30),
            b't' => Some(1 << 40),
            b'p' => Some(1 << 50),
            _ => None,
        };
        if let Some(m) = m {
            mult = m;
            rest = &rest[1..];
        }
    }
    if rest.first().is_some_and(|c| c.eq_ignore_ascii_case(&b'i')) {
        rest = &rest[1..];
    }
    if rest.first().is_some_and(|c| c.eq_ignore_ascii_case(&b'b')) {
        rest = &rest[1..];
    }
    if !rest.is_empty() {
        return Err(invalid());
    }
    if number.bytes().filter(|&c| c == b'.').count() > 1 {
        return Err(UnitsError::InvalidFloat(number.to_string()));
    }
    let n: f64 = number
        .parse()
        .map_err(|_| UnitsError::InvalidFloat(number.to_string()))?;
    let v = n * mult as f64;
    // 2^63: the first value an i64 cannot hold.
    Ok(if v < 9_223_372_036_854_775_808.0 {
        v as i64
    } else {
        i64::MIN
    })
}

/// One `--ulimit` value, parsed as go-units' `ParseUlimit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ulimit<'a> {
    /// The limit's name (`nofile`, ...).
    pub name: &'a str,
    /// Soft limit (-1: unlimited).
    pub soft: i64,
    /// Hard limit (-1: unlimited).
    pub hard: i64,
}

const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// Go's `strconv.ParseInt(s, 10, 64)`.
fn parse_int(s: &str) -> Result<i64, UnitsError> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(UnitsError::InvalidLimit {
            value: s.to_string(),
            out_of_range: false,
        });
    }
    s.parse().map_err(|_| UnitsError::InvalidLimit {
        value: s.to_string(),
        out_of_range: true,
    })
}

/// go-units' `ParseUlimit` (as vendored by buildx 0.13): `name=soft[:hard]`.
pub(crate) fn parse_ulimit(val: &str) -> Result<Ulimit<'_>, UnitsError> {
    let Some((name, limits)) = val.split_once('=') else {
        return Err(UnitsError::InvalidUlimitArgument(val.to_string()));
    };
    if !ULIMIT_NAMES.contains(&name) {
        return Err(UnitsError::InvalidUlimitType(name.to_string()));
    }
    let values: Vec<&str> = limits.split(':').collect();
    let (soft, hard) = match values.as_slice() {
        [soft, hard] => {
            let hard = parse_int(hard)?;
            (parse_int(soft)?, hard)
        }
        [soft] => {
            let soft = parse_int(soft)?;
            (soft, soft)
        }
        _ => return Err(UnitsError::TooManyLimits(limits.to_string())),
    };
    if hard != -1 {
        if soft == -1 {
            return Err(UnitsError::UnlimitedSoft(hard));
        }
        if soft > hard {
            return Err(UnitsError::SoftAboveHard { soft, hard });
        }
    }
    Ok(Ulimit { name, soft, hard })
}

impl std::fmt::Display for Ulimit<'_> {
    /// go-units' `Ulimit.String`: `name=soft:hard`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}:{}", self.name, self.soft, self.hard)
    }
}

/// The `--ulimit` values as buildx sends them: one per name (a later value
/// replaces an earlier one, as docker's `UlimitOpt` map does), each as
/// `name=soft:hard`, in the order the names first appeared (buildx uses Go's
/// map order, which is random).
pub(crate) fn normalize_ulimits<S: AsRef<str>>(vals: &[S]) -> Result<Vec<String>, UnitsError> {
    let mut out: Vec<Ulimit<'_>> = Vec::new();
    for v in vals {
        let u = parse_ulimit(v.as_ref())?;
        match out.iter_mut().find(|o| o.name == u.name) {
            Some(o) => *o = u,
            None => out.push(u),
        }
    }
    Ok(out.iter().map(ToString::to_string).collect())
}

/// go-units `HumanSize`: decimal units, 4 significant digits.
pub(crate) fn human_size(size: f64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut s = size;
    let mut i = 0;
    while s >= 1000.0 && i < UNITS.len() - 1 {
        s /= 1000.0;
        i += 1;
    }
    format!("{}{}", super::fmt::g4(s), UNITS[i])
}

/// go-units `BytesSize`: binary units, 4 significant digits.
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the CLI's
pub(crate) fn bytes_size(size: f64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    let mut s = size;
    let mut i = 0;
    while s >= 1024.0 && i < UNITS.len() - 1 {
        s /= 1024.0;
        i += 1;
    }
    format!("{}{}", super::fmt::g4(s), UNITS[i])
}

/// go-units `HumanDuration`.
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the CLI's
pub(crate) fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 1 {
        return "Less than a second".into();
    }
    if secs == 1 {
        return "1 second".into();
    }
    if secs < 60 {
        return format!("{secs} seconds");
    }
    let minutes = secs / 60;
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    // d.Round(time.Hour).Hours()
    let hours = (d.as_secs_f64() / 3600.0 + 0.5).floor() as u64;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", secs / 3600 / 24 / 365)
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytes_size_as_go_units() {
        assert_eq!(bytes_size(512_000_000.0), "488.3MiB");
        assert_eq!(bytes_size(7_000_000_000.0), "6.519GiB");
        assert_eq!(bytes_size(100.0), "100B");
    }

    use super::*;

    #[test]
    fn sizes_like_go_units() {
        for (s, n) in [
            ("0", 0),
            ("512", 512),
            ("1k", 1024),
            ("1K", 1024),
            ("1kb", 1024),
            ("1KiB", 1024),
            ("1ib", 1),
            ("1b", 1),
            ("1 m", 1 << 20),
            ("64M", 64 << 20),
            ("1.5m", 3 << 19),
            ("2GB", 2 << 30),
            ("1p", 1 << 50),
        ] {
            assert_eq!(ram_in_bytes(s), Ok(n), "{s}");
        }
        assert_eq!(ram_in_bytes("99999999999999999999"), Ok(i64::MIN));
        for s in [
            "", "x", "-1", ".5m", "1.m", "1e3", "1e", "1  m", " 1m", "1m ", "٣", "1bi", "1kk",
        ] {
            assert_eq!(
                ram_in_bytes(s).unwrap_err().to_string(),
                format!("invalid size: '{s}'"),
                "{s:?}"
            );
        }
        assert_eq!(
            ram_in_bytes("1.2.3m").unwrap_err().to_string(),
            r#"strconv.ParseFloat: parsing "1.2.3": invalid syntax"#
        );
    }

    #[test]
    fn ulimits_are_sent_normalized() {
        assert_eq!(
            normalize_ulimits(&["nofile=1024", "nproc=5:10", "nofile=+7:-1"]).unwrap(),
            ["nofile=7:-1", "nproc=5:10"]
        );
        assert!(normalize_ulimits(&["nofile=x"]).is_err());
        assert!(normalize_ulimits::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn ulimits_like_go_units() {
        let u = parse_ulimit("nofile=1024:2048").unwrap();
        assert_eq!((u.name, u.soft, u.hard), ("nofile", 1024, 2048));
        let u = parse_ulimit("nproc=5").unwrap();
        assert_eq!((u.soft, u.hard), (5, 5));
        assert!(parse_ulimit("nofile=-1").is_ok());
        assert!(parse_ulimit("nofile=5:-1").is_ok());
        assert!(parse_ulimit("nofile=+5").is_ok());
        for (v, msg) in [
            ("-x", "invalid ulimit argument: -x"),
            ("", "invalid ulimit argument: "),
            ("x=1", "invalid ulimit type: x"),
            ("=1", "invalid ulimit type: "),
            ("as=1", "invalid ulimit type: as"),
            ("NOFILE=1", "invalid ulimit type: NOFILE"),
            ("nofile=a", r#"strconv.ParseInt: parsing "a": invalid syntax"#),
            ("nofile=", r#"strconv.ParseInt: parsing "": invalid syntax"#),
            ("nofile=1:", r#"strconv.ParseInt: parsing "": invalid syntax"#),
            ("nofile=b:a", r#"strconv.ParseInt: parsing "a": invalid syntax"#),
            (
                "nofile=infinity",
                r#"strconv.ParseInt: parsing "infinity": invalid syntax"#,
            ),
            (
                "nofile=99999999999999999999",
                r#"strconv.ParseInt: parsing "99999999999999999999": value out of range"#,
            ),
            (
                "nofile=1:2:3",
                "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`",
            ),
            (
                "nofile=2:1",
                "ulimit soft limit must be less than or equal to hard limit: 2 > 1",
            ),
            (
                "nofile=-1:5",
                "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 5",
            ),
        ] {
            assert_eq!(parse_ulimit(v).unwrap_err().to_string(), msg, "{v}");
        }
    }

    #[test]
    fn human_sizes_like_go_units() {
        let cases = [
            (0.0, "0B"),
            (6.0, "6B"),
            (999.0, "999B"),
            (1000.0, "1kB"),
            (1234.0, "1.234kB"),
            (12345.0, "12.35kB"),
            (4_500_000.0, "4.5MB"),
            (999_999.0, "1000kB"),
            (1_073_741_824.0, "1.074GB"),
        ];
        for (v, want) in cases {
            assert_eq!(human_size(v), want, "{v}");
        }
    }

    #[test]
    fn human_durations_like_go_units() {
        let s = Duration::from_secs;
        assert_eq!(
            human_duration(Duration::from_millis(300)),
            "Less than a second"
        );
        assert_eq!(human_duration(s(1)), "1 second");
        assert_eq!(human_duration(s(6)), "6 seconds");
        assert_eq!(human_duration(s(61)), "About a minute");
        assert_eq!(human_duration(s(150)), "2 minutes");
        assert_eq!(human_duration(s(3600 + 1700)), "About an hour");
        assert_eq!(human_duration(s(3 * 3600)), "3 hours");
        assert_eq!(human_duration(s(3 * 86400)), "3 days");
        assert_eq!(human_duration(s(20 * 86400)), "2 weeks");
        assert_eq!(human_duration(s(100 * 86400)), "3 months");
        assert_eq!(human_duration(s(800 * 86400)), "2 years");
    }
}
