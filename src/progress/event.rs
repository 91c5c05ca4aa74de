//! The typed progress events of a solve.
//!
//! BuildKit streams `Control.Status` as [`StatusResponse`] messages; each one
//! converts into a [`SolveStatus`] ([`From`]). The types mirror BuildKit's Go
//! `client.SolveStatus` and (de)serialize in exactly the JSON shape that
//! `docker buildx build --progress=rawjson` prints: lower camel case names,
//! Go's `omitempty` rules, RFC 3339 timestamps with nanoseconds and base64
//! for byte strings.
//!
//! [`StatusResponse`]: crate::proto::moby::buildkit::v1::StatusResponse

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::go::json::{bytes_b64, bytes_b64_nullable, vec_bytes_b64};
use crate::go::time::{days_from_civil, rfc3339_nano, ZERO_UNIX_SECS};
use crate::proto::moby::buildkit::v1 as control;
use crate::proto::pb;

/// A point in time with nanosecond precision (UTC), as Go's `time.Time`.
///
/// Its JSON form is Go's `time.RFC3339Nano` (trailing zeros of the fraction
/// dropped, `Z` for UTC). The default value is Go's zero time,
/// `0001-01-01T00:00:00Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// Seconds from 0001-01-01 to 1970-01-01.
const GO_ZERO_SECS: i64 = ZERO_UNIX_SECS;

impl Default for Timestamp {
    fn default() -> Self {
        Timestamp::GO_ZERO
    }
}

impl Timestamp {
    /// Go's zero `time.Time` (0001-01-01T00:00:00Z).
    pub const GO_ZERO: Timestamp = Timestamp {
        secs: GO_ZERO_SECS,
        nanos: 0,
    };

    /// A time from seconds and nanoseconds since the Unix epoch; nanoseconds
    /// beyond a second carry into the seconds.
    pub fn from_unix(secs: i64, nanos: u32) -> Timestamp {
        Timestamp {
            secs: secs.saturating_add(i64::from(nanos / 1_000_000_000)),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// The current wall-clock time.
    pub fn now() -> Timestamp {
        Timestamp::from(SystemTime::now())
    }

    /// Whole seconds since the Unix epoch.
    pub fn unix_secs(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Nanoseconds since the Unix epoch (Go's `UnixNano`).
    pub fn unix_nanos(&self) -> i128 {
        i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos)
    }

    /// Whether this is Go's zero time.
    pub fn is_go_zero(&self) -> bool {
        *self == Timestamp::GO_ZERO
    }

    /// `self - earlier` in seconds (negative when `earlier` is later), as
    /// Go's `t.Sub(u).Seconds()`.
    pub fn seconds_since(&self, earlier: Timestamp) -> f64 {
        let nanos = self.unix_nanos() - earlier.unix_nanos();
        // Go saturates a Duration at about 292 years.
        let nanos = nanos.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
        let secs = nanos / 1_000_000_000;
        let rest = nanos % 1_000_000_000;
        secs as f64 + rest as f64 / 1e9
    }

    /// This time moved by `d`.
    pub fn add(&self, d: Duration) -> Timestamp {
        let total = self.unix_nanos() + d.as_nanos() as i128;
        Timestamp::from_nanos(total)
    }

    /// This time moved back by `d`.
    pub fn sub(&self, d: Duration) -> Timestamp {
        let total = self.unix_nanos() - d.as_nanos() as i128;
        Timestamp::from_nanos(total)
    }

    fn from_nanos(total: i128) -> Timestamp {
        let secs = total.div_euclid(1_000_000_000);
        let nanos = total.rem_euclid(1_000_000_000) as u32;
        Timestamp {
            secs: secs.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
            nanos,
        }
    }

    /// Parses an RFC 3339 time (any offset, optional fraction).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b't') {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let t = s.get(r)?;
            if !t.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            t.parse().ok()
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || min > 59
            || sec > 59
        {
            return None;
        }
        let mut i = 19;
        let mut nanos: u32 = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &s[start..i];
            if digits.is_empty() || digits.len() > 9 {
                return None;
            }
            let mut padded = digits.to_string();
            while padded.len() < 9 {
                padded.push('0');
            }
            nanos = padded.parse().ok()?;
        }
        let offset = match b.get(i) {
            Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
                let h = num(i + 1..i + 3)?;
                let m = num(i + 4..i + 6)?;
                let off = h * 3600 + m * 60;
                if *sign == b'-' {
                    -off
                } else {
                    off
                }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset;
        Some(Timestamp { secs, nanos })
    }

    /// Formats as Go's `time.RFC3339Nano` in UTC.
    pub fn to_rfc3339_nano(&self) -> String {
        rfc3339_nano(self.secs, self.nanos)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339_nano())
    }
}

impl From<SystemTime> for Timestamp {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp::from_nanos(d.as_nanos() as i128),
            Err(e) => Timestamp::from_nanos(-(e.duration().as_nanos() as i128)),
        }
    }
}

impl From<prost_types::Timestamp> for Timestamp {
    fn from(t: prost_types::Timestamp) -> Self {
        Timestamp::from_nanos(i128::from(t.seconds) * 1_000_000_000 + i128::from(t.nanos))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339_nano())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse_rfc3339(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid RFC 3339 time {s:?}")))
    }
}

fn ts_opt(t: Option<prost_types::Timestamp>) -> Option<Timestamp> {
    t.map(Timestamp::from)
}

fn ts_or_zero(t: Option<prost_types::Timestamp>) -> Timestamp {
    t.map(Timestamp::from).unwrap_or_default()
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}

/// One message of the progress stream (Go's `client.SolveStatus`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SolveStatus {
    /// Steps whose state changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vertexes: Vec<Vertex>,
    /// Progress of sub-tasks (transfers, layer pulls, exports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<VertexStatus>,
    /// Output of running steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<VertexLog>,
    /// Warnings attached to steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<VertexWarning>,
}

impl SolveStatus {
    /// Whether the message carries nothing.
    pub fn is_empty(&self) -> bool {
        self.vertexes.is_empty()
            && self.statuses.is_empty()
            && self.logs.is_empty()
            && self.warnings.is_empty()
    }

    /// The latest time mentioned anywhere in the message, if any.
    pub fn latest_time(&self) -> Option<Timestamp> {
        let mut out: Option<Timestamp> = None;
        let mut see = |t: Option<Timestamp>| {
            if let Some(t) = t.filter(|t| !t.is_go_zero()) {
                out = Some(out.map_or(t, |o| o.max(t)));
            }
        };
        for v in &self.vertexes {
            see(v.started);
            see(v.completed);
        }
        for s in &self.statuses {
            see(Some(s.timestamp));
            see(s.started);
            see(s.completed);
        }
        for l in &self.logs {
            see(Some(l.timestamp));
        }
        out
    }
}

/// A step of the build graph (Go's `client.Vertex`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vertex {
    /// The step's digest, its identity in every other event.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
    /// Digests of the steps it depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    /// Display name, e.g. `[2/3] RUN make`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// When it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<Timestamp>,
    /// Whether the result came from the cache.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cached: bool,
    /// Why it failed, when it did.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    /// Group whose members are shown as one step.
    #[serde(
        rename = "progressGroup",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub progress_group: Option<ProgressGroup>,
}

/// Steps shown together as one (BuildKit's `pb.ProgressGroup`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressGroup {
    /// Group identity.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// A weak member alone does not reveal the group.
    #[serde(default, skip_serializing_if = "is_false")]
    pub weak: bool,
}

/// Progress of a sub-task of a step (Go's `client.VertexStatus`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VertexStatus {
    /// Identity and display text, e.g. `transferring context:`.
    #[serde(default)]
    pub id: String,
    /// Digest of the step.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vertex: String,
    /// Short name, e.g. `transferring`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Total amount (bytes), 0 when unknown.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub total: i64,
    /// Amount done so far.
    #[serde(default)]
    pub current: i64,
    /// When this update was made.
    #[serde(default)]
    pub timestamp: Timestamp,
    /// When the sub-task started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// When the sub-task finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<Timestamp>,
}

/// Output of a step (Go's `client.VertexLog`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VertexLog {
    /// Digest of the step.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vertex: String,
    /// 1 for stdout, 2 for stderr.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub stream: i64,
    /// The bytes written.
    #[serde(default, with = "bytes_b64_nullable")]
    pub data: Bytes,
    /// When they were written.
    #[serde(default)]
    pub timestamp: Timestamp,
}

/// A warning attached to a step (Go's `client.VertexWarning`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VertexWarning {
    /// Digest of the step.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vertex: String,
    /// Severity.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub level: i64,
    /// One-line message.
    #[serde(default, skip_serializing_if = "Bytes::is_empty", with = "bytes_b64")]
    pub short: Bytes,
    /// Further lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "vec_bytes_b64")]
    pub detail: Vec<Bytes>,
    /// Link to documentation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// The source file the warning points into.
    #[serde(
        rename = "sourceInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source_info: Option<SourceInfo>,
    /// Line ranges within that file.
    #[serde(rename = "range", default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
}

/// A source file (e.g. the Dockerfile) referenced by warnings and errors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// File name, e.g. `Dockerfile`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub filename: String,
    /// The file's contents.
    #[serde(default, skip_serializing_if = "Bytes::is_empty", with = "bytes_b64")]
    pub data: Bytes,
    /// The LLB that loaded the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Definition>,
    /// Language of the file, e.g. `Dockerfile`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
}

/// A range of lines and columns (1-based lines).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// First position.
    #[serde(default)]
    pub start: Position,
    /// Last position.
    #[serde(default)]
    pub end: Position,
}

/// A position in a source file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Line, 1-based.
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub line: i32,
    /// Column.
    #[serde(default, skip_serializing_if = "is_zero_i32")]
    pub character: i32,
}

/// An LLB definition as it appears inside a [`SourceInfo`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// Marshalled ops.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "vec_bytes_b64")]
    pub def: Vec<Bytes>,
    /// Metadata by op digest.
    #[serde(default)]
    pub metadata: BTreeMap<String, OpMetadata>,
    /// Source mapping.
    #[serde(rename = "Source", default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceMap>,
}

/// Metadata of one op of a [`Definition`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpMetadata {
    /// Whether the cache is ignored for it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub ignore_cache: bool,
    /// Descriptions such as `llb.customname`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub description: BTreeMap<String, String>,
    /// Cache export setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_cache: Option<ExportCache>,
    /// Capabilities used.
    #[serde(default)]
    pub caps: BTreeMap<String, bool>,
    /// Progress group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_group: Option<ProgressGroup>,
}

/// Cache export setting of an op.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCache {
    /// Whether to export.
    #[serde(rename = "Value", default, skip_serializing_if = "is_false")]
    pub value: bool,
}

/// Source mapping of a definition (BuildKit's `pb.Source`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceMap {
    /// Locations by op digest.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub locations: BTreeMap<String, Locations>,
    /// The source files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub infos: Vec<SourceInfo>,
}

/// Locations of one op.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Locations {
    /// The locations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

/// Ranges within one source file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Index into [`SourceMap::infos`].
    #[serde(rename = "sourceIndex", default, skip_serializing_if = "is_zero_i32")]
    pub source_index: i32,
    /// The ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
}

impl From<control::StatusResponse> for SolveStatus {
    fn from(r: control::StatusResponse) -> Self {
        SolveStatus {
            vertexes: r.vertexes.into_iter().map(Vertex::from).collect(),
            statuses: r.statuses.into_iter().map(VertexStatus::from).collect(),
            logs: r.logs.into_iter().map(VertexLog::from).collect(),
            warnings: r.warnings.into_iter().map(VertexWarning::from).collect(),
        }
    }
}

impl From<control::Vertex> for Vertex {
    fn from(v: control::Vertex) -> Self {
        Vertex {
            digest: v.digest,
            inputs: v.inputs,
            name: v.name,
            started: ts_opt(v.started),
            completed: ts_opt(v.completed),
            cached: v.cached,
            error: v.error,
            progress_group: v.progress_group.map(ProgressGroup::from),
        }
    }
}

impl From<pb::ProgressGroup> for ProgressGroup {
    fn from(g: pb::ProgressGroup) -> Self {
        ProgressGroup {
            id: g.id,
            name: g.name,
            weak: g.weak,
        }
    }
}

impl From<control::VertexStatus> for VertexStatus {
    fn from(s: control::VertexStatus) -> Self {
        VertexStatus {
            id: s.id,
            vertex: s.vertex,
            name: s.name,
            total: s.total,
            current: s.current,
            timestamp: ts_or_zero(s.timestamp),
            started: ts_opt(s.started),
            completed: ts_opt(s.completed),
        }
    }
}

impl From<control::VertexLog> for VertexLog {
    fn from(l: control::VertexLog) -> Self {
        VertexLog {
            vertex: l.vertex,
            stream: l.stream,
            data: l.msg,
            timestamp: ts_or_zero(l.timestamp),
        }
    }
}

impl From<control::VertexWarning> for VertexWarning {
    fn from(w: control::VertexWarning) -> Self {
        VertexWarning {
            vertex: w.vertex,
            level: w.level,
            short: w.short,
            detail: w.detail,
            url: w.url,
            source_info: w.info.map(SourceInfo::from),
            ranges: w.ranges.into_iter().map(Range::from).collect(),
        }
    }
}

impl From<pb::SourceInfo> for SourceInfo {
    fn from(s: pb::SourceInfo) -> Self {
        SourceInfo {
            filename: s.filename,
            data: s.data,
            definition: s.definition.map(Definition::from),
            language: s.language,
        }
    }
}

impl From<pb::Range> for Range {
    fn from(r: pb::Range) -> Self {
        Range {
            start: r.start.map(Position::from).unwrap_or_default(),
            end: r.end.map(Position::from).unwrap_or_default(),
        }
    }
}

impl From<pb::Position> for Position {
    fn from(p: pb::Position) -> Self {
        Position {
            line: p.line,
            character: p.character,
        }
    }
}

impl From<pb::Definition> for Definition {
    fn from(d: pb::Definition) -> Self {
        Definition {
            def: d.def,
            metadata: d
                .metadata
                .into_iter()
                .map(|(k, v)| (k, OpMetadata::from(v)))
                .collect(),
            source: d.source.map(SourceMap::from),
        }
    }
}

impl From<pb::OpMetadata> for OpMetadata {
    fn from(m: pb::OpMetadata) -> Self {
        OpMetadata {
            ignore_cache: m.ignore_cache,
            description: m.description.into_iter().collect(),
            export_cache: m.export_cache.map(|e| ExportCache { value: e.value }),
            caps: m.caps.into_iter().collect(),
            progress_group: m.progress_group.map(ProgressGroup::from),
        }
    }
}

impl From<pb::Source> for SourceMap {
    fn from(s: pb::Source) -> Self {
        SourceMap {
            locations: s
                .locations
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        Locations {
                            locations: v.locations.into_iter().map(Location::from).collect(),
                        },
                    )
                })
                .collect(),
            infos: s.infos.into_iter().map(SourceInfo::from).collect(),
        }
    }
}

impl From<pb::Location> for Location {
    fn from(l: pb::Location) -> Self {
        Location {
            source_index: l.source_index,
            ranges: l.ranges.into_iter().map(Range::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_nano_like_go() {
        let t = Timestamp::from_unix(1_795_517_444, 442_658_072);
        assert_eq!(t.to_rfc3339_nano(), "2026-11-24T10:50:44.442658072Z");
        let t = Timestamp::from_unix(1_795_517_444, 463_091_880);
        assert_eq!(t.to_rfc3339_nano(), "2026-11-24T10:50:44.46309188Z");
        assert_eq!(
            Timestamp::from_unix(0, 0).to_rfc3339_nano(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(Timestamp::GO_ZERO.to_rfc3339_nano(), "0001-01-01T00:00:00Z");
        for s in [
            "2026-11-24T10:50:44.442658072Z",
            "2026-11-24T10:50:44.46309188Z",
            "0001-01-01T00:00:00Z",
            "2000-02-29T23:59:59.5Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(s).unwrap().to_rfc3339_nano(), s);
        }
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-24T11:50:44+01:00").unwrap(),
            Timestamp::parse_rfc3339("2026-11-24T10:50:44Z").unwrap()
        );
        assert!(Timestamp::parse_rfc3339("2026-11-24 10:50:44Z").is_none());
        assert!(Timestamp::parse_rfc3339("2026-13-24T10:50:44Z").is_none());
    }

    #[test]
    fn seconds_between() {
        let a = Timestamp::parse_rfc3339("2026-11-24T10:50:44.482876758Z").unwrap();
        let b = Timestamp::parse_rfc3339("2026-11-24T10:50:44.69625206Z").unwrap();
        assert!((b.seconds_since(a) - 0.213375302).abs() < 1e-12);
        assert!((a.seconds_since(b) + 0.213375302).abs() < 1e-12);
    }

    #[test]
    fn from_proto_status() {
        let resp = control::StatusResponse {
            vertexes: vec![control::Vertex {
                digest: "sha256:a".into(),
                name: "x".into(),
                started: Some(prost_types::Timestamp {
                    seconds: 1,
                    nanos: 5,
                }),
                ..Default::default()
            }],
            statuses: vec![control::VertexStatus {
                id: "s".into(),
                vertex: "sha256:a".into(),
                ..Default::default()
            }],
            logs: vec![control::VertexLog {
                vertex: "sha256:a".into(),
                stream: 1,
                msg: Bytes::from_static(b"hi\n"),
                timestamp: None,
            }],
            warnings: vec![],
        };
        let ss = SolveStatus::from(resp);
        assert_eq!(ss.vertexes[0].started, Some(Timestamp::from_unix(1, 5)));
        assert!(ss.statuses[0].timestamp.is_go_zero());
        let json = serde_json::to_string(&ss).unwrap();
        assert_eq!(
            json,
            r#"{"vertexes":[{"digest":"sha256:a","name":"x","started":"1970-01-01T00:00:01.000000005Z"}],"statuses":[{"id":"s","vertex":"sha256:a","current":0,"timestamp":"0001-01-01T00:00:00Z"}],"logs":[{"vertex":"sha256:a","stream":1,"data":"aGkK","timestamp":"0001-01-01T00:00:00Z"}]}"#
        );
        let back: SolveStatus = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ss);
    }
}
