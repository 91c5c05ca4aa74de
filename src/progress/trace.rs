//! The state both renderers keep about a solve: every step seen, its run
//! intervals, sub-task statuses, logs and warnings, and which steps changed
//! since they were last shown. Same rules as BuildKit's `progressui` trace
//! (v0.13 line), so that the plain and tty renderers see what buildx sees.
//!
//! Go iterates maps in random order where this state has several candidates
//! (the open step to show, ties in speed); here the order is always the order
//! of first appearance, which makes the output a function of the events.

use std::collections::{HashMap, HashSet};

use super::event::{SolveStatus, Timestamp, Vertex, VertexStatus, VertexWarning};
use super::vt100::Vt100;

/// Log lines kept per step for the error summary (plain mode).
pub(crate) const LOGS_BUFFER_SIZE: usize = 10;
/// Lines of a running step's output shown by the tty view.
pub(crate) const TERM_HEIGHT: usize = 6;
/// Columns the tty view reserves left of a step's output.
pub(crate) const TERM_PAD: usize = 10;

/// A run of a step: from start to stop (`None`: still running).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Interval {
    pub start: Option<Timestamp>,
    pub stop: Option<Timestamp>,
}

impl Interval {
    /// Length in seconds; an open interval lasts until `now`.
    pub(crate) fn duration(&self, now: Timestamp) -> f64 {
        match (self.start, self.stop) {
            (None, _) => 0.0,
            (Some(s), None) => now.seconds_since(s),
            (Some(s), Some(e)) => e.seconds_since(s),
        }
    }
}

/// Merges overlapping intervals, as BuildKit's `mergeIntervals`: unstarted
/// ones are dropped and an open one swallows everything after it.
pub(crate) fn merge_intervals(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.retain(|i| i.start.is_some());
    if intervals.is_empty() {
        return Vec::new();
    }
    intervals.sort_by_key(|i| i.start);
    let mut merged = Vec::new();
    let mut cur = intervals[0];
    for next in intervals.into_iter().skip(1) {
        let Some(cur_stop) = cur.stop else {
            merged.push(cur);
            return merged;
        };
        let next_start = next.start.unwrap_or(Timestamp::GO_ZERO);
        if cur_stop < next_start {
            merged.push(cur);
            cur = next;
            continue;
        }
        let Some(next_stop) = next.stop else {
            merged.push(Interval {
                start: cur.start,
                stop: None,
            });
            return merged;
        };
        if cur_stop >= next_stop {
            continue;
        }
        cur = Interval {
            start: cur.start,
            stop: Some(next_stop),
        };
    }
    merged.push(cur);
    merged
}

/// A ring of the last log lines of a step (Go's `container/ring`).
#[derive(Debug, Clone)]
pub(crate) struct LogRing {
    slots: Vec<Option<Vec<u8>>>,
    pos: usize,
}

impl LogRing {
    fn new() -> Self {
        LogRing {
            slots: vec![None; LOGS_BUFFER_SIZE],
            pos: 0,
        }
    }

    fn set(&mut self, line: Vec<u8>) {
        self.slots[self.pos] = Some(line);
    }

    fn advance(&mut self) {
        self.pos = (self.pos + 1) % self.slots.len();
    }

    /// The stored lines, oldest first.
    pub(crate) fn lines(&self) -> impl Iterator<Item = &[u8]> {
        let n = self.slots.len();
        (0..n).filter_map(move |i| self.slots[(self.pos + i) % n].as_deref())
    }
}

/// Everything known about one displayed step (or progress group).
#[derive(Debug, Clone)]
pub(crate) struct VertexState {
    /// The latest vertex event (for a group: the synthesized vertex).
    pub vtx: Vertex,
    /// Status ids in the order they started.
    pub statuses: Vec<String>,
    /// Latest value of each status.
    pub by_id: HashMap<String, VertexStatus>,
    /// `#N` of the plain output; 0 until first printed.
    pub index: usize,
    /// Log lines not printed yet (plain) or all lines (tty), each
    /// `SECONDS TEXT`.
    pub logs: Vec<Vec<u8>>,
    /// Whether the last log line is unfinished.
    pub logs_partial: bool,
    /// Bytes of the first log line already printed.
    pub logs_offset: usize,
    /// The last lines printed, for the error summary.
    pub logs_buffer: Option<LogRing>,
    /// The previous vertex event.
    pub prev: Option<Vertex>,
    /// When the current burst of updates began.
    pub last_block_time: Option<Timestamp>,
    /// Updates since the step was last shown.
    pub count: i64,
    /// Statuses updated since last shown.
    pub status_updates: HashSet<String>,
    /// Warnings received.
    pub warnings: Vec<VertexWarning>,
    /// Warnings already printed.
    pub warning_idx: usize,
    /// Terminal emulation of the output (tty mode).
    pub term: Option<Vt100>,
    /// Bytes of output written to the terminal.
    pub term_bytes: usize,
    /// Times the terminal was shown.
    pub term_count: usize,
    /// Run intervals by start time.
    pub intervals: Vec<(i128, Interval)>,
    /// The merged run intervals.
    pub merged_intervals: Vec<Interval>,
    /// Hidden group (no strong member started yet).
    pub hidden: bool,
    /// For a group: its members (digest, latest event), in arrival order.
    pub sub_vtxs: Option<Vec<(String, Vertex)>>,
}

impl VertexState {
    fn new(vtx: Vertex, term_width: Option<usize>) -> Self {
        VertexState {
            vtx,
            statuses: Vec::new(),
            by_id: HashMap::new(),
            index: 0,
            logs: Vec::new(),
            logs_partial: false,
            logs_offset: 0,
            logs_buffer: None,
            prev: None,
            last_block_time: None,
            count: 0,
            status_updates: HashSet::new(),
            warnings: Vec::new(),
            warning_idx: 0,
            term: term_width.map(|w| Vt100::new(TERM_HEIGHT, w.saturating_sub(TERM_PAD).max(1))),
            term_bytes: 0,
            term_count: 0,
            intervals: Vec::new(),
            merged_intervals: Vec::new(),
            hidden: false,
            sub_vtxs: None,
        }
    }

    /// Counts an update; the first of a burst records the time.
    pub(crate) fn update(&mut self, c: i64, now: Timestamp) {
        if self.count == 0 {
            self.last_block_time = Some(now);
        }
        self.count += c;
    }

    pub(crate) fn most_recent_interval(&self) -> Option<Interval> {
        self.merged_intervals.last().copied()
    }

    pub(crate) fn is_started(&self) -> bool {
        !self.merged_intervals.is_empty()
    }

    pub(crate) fn is_completed(&self) -> bool {
        self.most_recent_interval()
            .is_some_and(|i| i.stop.is_some())
    }

    fn set_interval(&mut self, key: i128, ival: Interval) {
        if let Some(slot) = self.intervals.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = ival;
        } else {
            self.intervals.push((key, ival));
        }
    }

    fn interval(&self, key: i128) -> Interval {
        self.intervals
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, i)| *i)
            .unwrap_or_default()
    }

    fn remerge(&mut self) {
        self.merged_intervals = merge_intervals(self.intervals.iter().map(|(_, i)| *i).collect());
    }

    /// Whether the step failed with something other than a cancellation.
    pub(crate) fn has_error(&self) -> bool {
        !self.vtx.error.is_empty() && !is_canceled(&self.vtx.error)
    }
}

/// Whether a vertex error is a cancellation (`... context canceled`).
pub(crate) fn is_canceled(err: &str) -> bool {
    err.ends_with("context canceled")
}

/// The state of a whole solve.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    /// Start of the first step.
    pub start_time: Option<Timestamp>,
    /// Local clock minus the daemon's, in seconds (set once).
    pub local_time_diff: f64,
    local_time_diff_set: bool,
    /// All states.
    pub states: Vec<VertexState>,
    /// States in the order they started (or, for groups, were revealed).
    pub vertexes: Vec<usize>,
    /// Digest (of a step, member or group) to state, in arrival order.
    pub by_digest: Vec<(String, usize)>,
    digest_index: HashMap<String, usize>,
    /// States changed since last shown, in order of change.
    pub updates: Vec<usize>,
    groups: HashMap<String, usize>,
    /// Terminal width for the tty view's log emulation (`None`: plain).
    pub console: bool,
}

impl Trace {
    pub(crate) fn new(console: bool) -> Self {
        Trace {
            console,
            ..Default::default()
        }
    }

    pub(crate) fn lookup(&self, digest: &str) -> Option<usize> {
        self.digest_index.get(digest).map(|i| self.by_digest[*i].1)
    }

    fn map_digest(&mut self, digest: &str, idx: usize) {
        match self.digest_index.get(digest) {
            Some(i) => self.by_digest[*i].1 = idx,
            None => {
                self.digest_index
                    .insert(digest.to_string(), self.by_digest.len());
                self.by_digest.push((digest.to_string(), idx));
            }
        }
    }

    pub(crate) fn mark_updated(&mut self, idx: usize) {
        if !self.updates.contains(&idx) {
            self.updates.push(idx);
        }
    }

    pub(crate) fn remove_update(&mut self, idx: usize) {
        self.updates.retain(|u| *u != idx);
    }

    fn set_local_time_diff(&mut self, now: Timestamp, started: Timestamp) {
        if !self.local_time_diff_set {
            self.local_time_diff = now.seconds_since(started);
            self.local_time_diff_set = self.local_time_diff != 0.0;
        }
    }

    fn trigger_vertex_event(&mut self, idx: usize, v: &Vertex, now: Timestamp) {
        let Some(started) = v.started else {
            return;
        };
        let state = &mut self.states[idx];
        let old = state.prev.clone().unwrap_or_default();
        let mut changed = v.digest != old.digest || v.name != old.name;
        match old.started {
            None => changed = true,
            Some(o) if o != started => changed = true,
            _ => {}
        }
        // Go compares the completion pointers, which differ for every event.
        if v.completed.is_some() {
            changed = true;
        }
        if v.cached != old.cached || v.error != old.error {
            changed = true;
        }
        if changed {
            state.update(1, now);
            self.mark_updated(idx);
        }
        self.states[idx].prev = Some(v.clone());
    }

    /// Applies one status message received at `now`. `term_width` is the
    /// terminal width (tty view) or ignored (plain).
    ///
    /// Long because it follows progressui's `trace.update` case by case
    /// (vertexes, statuses, warnings, logs, with their Go map semantics),
    /// so that it can be checked against it line by line.
    pub(crate) fn update(&mut self, s: &SolveStatus, term_width: usize, now: Timestamp) {
        let term = self.console.then_some(term_width);
        let mut groups: Vec<usize> = Vec::new();
        for v in &s.vertexes {
            if self.start_time.is_none() {
                self.start_time = v.started;
            }
            if let Some(pg) = &v.progress_group {
                let gidx = match self.groups.get(&pg.id) {
                    Some(g) => *g,
                    None => {
                        let mut st = VertexState::new(
                            Vertex {
                                digest: pg.id.clone(),
                                name: pg.name.clone(),
                                ..Default::default()
                            },
                            term,
                        );
                        st.hidden = true;
                        st.sub_vtxs = Some(Vec::new());
                        self.states.push(st);
                        let g = self.states.len() - 1;
                        self.groups.insert(pg.id.clone(), g);
                        self.map_digest(&pg.id, g);
                        g
                    }
                };
                if !groups.contains(&gidx) {
                    groups.push(gidx);
                }
                if let Some(subs) = self.states[gidx].sub_vtxs.as_mut() {
                    match subs.iter_mut().find(|(d, _)| *d == v.digest) {
                        Some(slot) => slot.1 = v.clone(),
                        None => subs.push((v.digest.clone(), v.clone())),
                    }
                }
                self.map_digest(&v.digest, gidx);
                continue;
            }
            let prev = self.lookup(&v.digest);
            let idx = match prev {
                Some(i) => i,
                None => {
                    self.states.push(VertexState::new(Vertex::default(), term));
                    let i = self.states.len() - 1;
                    self.map_digest(&v.digest, i);
                    i
                }
            };
            let prev_started = prev.is_some_and(|i| self.states[i].is_started());
            self.trigger_vertex_event(idx, v, now);
            if let Some(started) = v.started {
                if !prev_started {
                    self.set_local_time_diff(now, started);
                    self.vertexes.push(idx);
                }
            }
            // A repeated initial (unstarted) event does not reset the state.
            if !(prev_started && v.started.is_none()) {
                self.states[idx].vtx = v.clone();
            }
            if let Some(started) = v.started {
                let st = &mut self.states[idx];
                st.set_interval(
                    started.unix_nanos(),
                    Interval {
                        start: Some(started),
                        stop: v.completed,
                    },
                );
                st.remerge();
            }
        }
        for gidx in groups {
            let (changed, newly_started, newly_revealed) = self.refresh_group(gidx);
            if newly_started {
                if let Some(start) = self.states[gidx]
                    .merged_intervals
                    .first()
                    .and_then(|i| i.start)
                {
                    self.set_local_time_diff(now, start);
                }
            }
            if self.states[gidx].hidden {
                continue;
            }
            if newly_revealed {
                self.vertexes.push(gidx);
            }
            if changed {
                self.states[gidx].update(1, now);
                self.mark_updated(gidx);
            }
        }
        for s in &s.statuses {
            let Some(idx) = self.lookup(&s.vertex) else {
                continue;
            };
            let v = &mut self.states[idx];
            let prev_started = v.by_id.get(&s.id).map(|p| p.started.is_some());
            if s.started.is_some() && prev_started != Some(true) {
                v.statuses.push(s.id.clone());
            }
            v.by_id.insert(s.id.clone(), s.clone());
            v.status_updates.insert(s.id.clone());
            v.update(1, now);
            self.mark_updated(idx);
        }
        for w in &s.warnings {
            let Some(idx) = self.lookup(&w.vertex) else {
                continue;
            };
            let v = &mut self.states[idx];
            v.warnings.push(w.clone());
            v.update(1, now);
        }
        for l in &s.logs {
            let Some(idx) = self.lookup(&l.vertex) else {
                continue;
            };
            let v = &mut self.states[idx];
            if let Some(term) = v.term.as_mut() {
                let w = term_width.saturating_sub(TERM_PAD).max(1);
                if term.width() != w {
                    term.resize(TERM_HEIGHT, w);
                }
                v.term_bytes += l.data.len();
                term.write(&l.data);
            }
            let start = v.most_recent_interval().and_then(|i| i.start);
            let mut first = true;
            let complete = split_lines(&l.data, |line| {
                if v.logs_partial && first && !v.logs.is_empty() {
                    if let Some(last) = v.logs.last_mut() {
                        last.extend_from_slice(line);
                    }
                } else {
                    let sec = start.map_or(0.0, |s| l.timestamp.seconds_since(s));
                    let prec = if sec < 10.0 {
                        3
                    } else if sec < 100.0 {
                        2
                    } else {
                        1
                    };
                    let mut out = format!("{sec:.prec$} ").into_bytes();
                    out.extend_from_slice(line);
                    v.logs.push(out);
                }
                first = false;
            });
            v.logs_partial = !complete;
            v.update(1, now);
            self.mark_updated(idx);
        }
    }

    /// Recomputes a group from its members: (changed, newly started, newly
    /// revealed).
    fn refresh_group(&mut self, gidx: usize) -> (bool, bool, bool) {
        let g = &mut self.states[gidx];
        let mut new_vtx = g.vtx.clone();
        new_vtx.cached = true;
        let already_started = g.is_started();
        let was_hidden = g.hidden;
        let (mut changed, mut newly_started, mut newly_revealed) = (false, false, false);
        let subs = g.sub_vtxs.clone().unwrap_or_default();
        for (_, sub) in &subs {
            if let Some(started) = sub.started {
                let new_ival = Interval {
                    start: Some(started),
                    stop: sub.completed,
                };
                let key = started.unix_nanos();
                if g.interval(key) != new_ival {
                    changed = true;
                }
                if !already_started {
                    newly_started = true;
                }
                g.set_interval(key, new_ival);
                if !sub.progress_group.as_ref().is_some_and(|p| p.weak) {
                    g.hidden = false;
                }
            }
            new_vtx.cached = new_vtx.cached && sub.cached;
            if new_vtx.error.is_empty() {
                new_vtx.error = sub.error.clone();
            } else {
                g.hidden = false;
            }
        }
        if g.vtx.cached != new_vtx.cached || g.vtx.error != new_vtx.error {
            changed = true;
        }
        g.vtx = new_vtx;
        if !g.hidden && was_hidden {
            changed = true;
            newly_revealed = true;
        }
        g.remerge();
        (changed, newly_started, newly_revealed)
    }

    /// The error summary printed after the progress: for every failed step,
    /// its name and last log lines between `------` rules.
    pub(crate) fn error_logs(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for &idx in &self.vertexes {
            let v = &self.states[idx];
            if !v.has_error() {
                continue;
            }
            out.extend_from_slice(b"------\n");
            out.extend_from_slice(format!(" > {}:\n", v.vtx.name).as_bytes());
            for l in &v.logs {
                out.extend_from_slice(l);
                out.push(b'\n');
            }
            if let Some(ring) = &v.logs_buffer {
                for l in ring.lines() {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                }
            }
            out.extend_from_slice(b"------\n");
        }
        out
    }

    /// Stores a printed log line in the step's ring.
    pub(crate) fn remember_log(&mut self, idx: usize, line: Vec<u8>, advance: bool) {
        let ring = self.states[idx]
            .logs_buffer
            .get_or_insert_with(LogRing::new);
        ring.set(line);
        if advance {
            ring.advance();
        }
    }
}

/// Calls `f` for every `\n`-separated piece of `data`; true when the data
/// ended with a newline (false for empty data, like BuildKit).
fn split_lines(mut data: &[u8], mut f: impl FnMut(&[u8])) -> bool {
    if data.is_empty() {
        return false;
    }
    loop {
        if data.is_empty() {
            return true;
        }
        match data.iter().position(|b| *b == b'\n') {
            None => {
                f(data);
                return false;
            }
            Some(i) => {
                f(&data[..i]);
                data = &data[i + 1..];
            }
        }
    }
}

/// Formats a byte count like `tonistiigi/units` with `%.2f`: `999B`,
/// `1.23kB`, `4.50MB`.
pub(crate) fn format_bytes(b: i64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut i = 0;
    let mut base: i64 = if b < 0 { -1 } else { 1 };
    while let Some(next) = base.checked_mul(1000) {
        if (base > 0 && b >= next) || (base < 0 && b <= next) {
            i += 1;
            base = next;
        } else {
            break;
        }
    }
    if i == 0 {
        return format!("{b}B");
    }
    let fv = b as f64 / (base as f64).abs();
    format!("{fv:.2}{}", UNITS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> Option<Timestamp> {
        Some(Timestamp::from_unix(
            1000 + ms / 1000,
            (ms % 1000) as u32 * 1_000_000,
        ))
    }

    #[test]
    fn merging_intervals() {
        let iv = |a, b: Option<i64>| Interval {
            start: t(a),
            stop: b.and_then(t),
        };
        assert_eq!(merge_intervals(vec![]), vec![]);
        assert_eq!(
            merge_intervals(vec![iv(5, Some(8)), iv(0, Some(3)), iv(2, Some(4))]),
            vec![iv(0, Some(4)), iv(5, Some(8))]
        );
        assert_eq!(
            merge_intervals(vec![iv(0, Some(10)), iv(2, Some(4)), iv(20, None)]),
            vec![iv(0, Some(10)), iv(20, None)]
        );
        assert_eq!(
            merge_intervals(vec![iv(0, None), iv(2, Some(4))]),
            vec![iv(0, None)]
        );
        assert_eq!(
            merge_intervals(vec![iv(0, Some(3)), iv(2, None), iv(9, Some(10))]),
            vec![iv(0, None)]
        );
    }

    #[test]
    fn bytes_like_units() {
        assert_eq!(format_bytes(0), "0B");
        assert_eq!(format_bytes(2), "2B");
        assert_eq!(format_bytes(999), "999B");
        assert_eq!(format_bytes(1000), "1.00kB");
        assert_eq!(format_bytes(1234), "1.23kB");
        assert_eq!(format_bytes(3_456_789), "3.46MB");
        assert_eq!(format_bytes(-2500), "-2.50kB");
    }

    #[test]
    fn split_like_buildkit() {
        let mut got = Vec::new();
        assert!(split_lines(b"a\nb\n", |l| got.push(l.to_vec())));
        assert_eq!(got, vec![b"a".to_vec(), b"b".to_vec()]);
        got.clear();
        assert!(!split_lines(b"a\nb", |l| got.push(l.to_vec())));
        assert_eq!(got, vec![b"a".to_vec(), b"b".to_vec()]);
        assert!(!split_lines(b"", |_| panic!()));
    }
}
