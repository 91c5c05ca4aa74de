//! The plain printer (`--progress=plain`), byte for byte like buildx 0.13's
//! (BuildKit's `progressui` text mode):
//!
//! ```text
//! #0 building with "default" instance using docker driver
//!
//! #1 [internal] load build definition from Dockerfile
//! #1 transferring dockerfile: 106B done
//! #1 DONE 0.0s
//!
//! #5 [2/3] RUN echo hello
//! #5 0.193 hello
//! #5 DONE 0.3s
//! ```
//!
//! Steps are numbered in the order they are first printed. Output of the
//! step being shown goes straight out; when another step needs the screen,
//! the current one is left with `#N ...` and resumed later under a new
//! header. Which step is shown depends on the order and timing of the
//! events: updates are batched (at most one print per 100ms, and a refresh
//! 150ms after the last event), and this module reproduces that batching
//! from a clock given by the caller, so the same events at the same times
//! always give the same text. [`render`] replays a recorded stream using the
//! events' own timestamps as the clock.

use std::collections::HashMap;

use super::event::{SolveStatus, Timestamp};
use super::trace::{format_bytes, is_canceled, Trace};
use super::Pacer;

/// Below this change of progress (fraction of total)...
const MIN_PROGRESS_DELTA: f64 = 0.05;
/// ...and this time (seconds), a status update is not printed.
const MIN_TIME_DELTA: f64 = 5.0;
/// Seconds a step may stay hidden while others print.
const MAX_DELAY: f64 = 10.0;
/// Seconds weighted by the share of updates before switching steps.
const ANTI_FLICKER: f64 = 5.0;

/// The plain renderer's state. Feed it with [`PlainRenderer::update`] and
/// [`PlainRenderer::refresh`] (or let [`PlainDisplay`] pace it), and take
/// the text with [`PlainRenderer::take_output`].
#[derive(Debug)]
pub struct PlainRenderer {
    trace: Trace,
    current: Option<usize>,
    last: HashMap<String, (i64, Timestamp)>,
    not_first: bool,
    next_index: usize,
    desc: String,
    truncate_names: bool,
    out: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
struct VtxStat {
    block_time: f64,
    speed: f64,
    share: f64,
    over_limit: bool,
}

impl PlainRenderer {
    /// A renderer whose first line is `#0 DESC` (none when `desc` is
    /// empty). Names are not cut (see [`with_name_truncation`](Self::with_name_truncation)).
    pub fn new(desc: &str) -> Self {
        PlainRenderer {
            trace: Trace::new(false),
            current: None,
            last: HashMap::new(),
            not_first: false,
            next_index: 0,
            desc: desc.to_string(),
            truncate_names: false,
            out: Vec::new(),
        }
    }

    /// Cuts step names to 72 bytes, like `PROGRESS_NO_TRUNC=0`.
    pub fn with_name_truncation(mut self, on: bool) -> Self {
        self.truncate_names = on;
        self
    }

    /// Records a status message received at `now` (prints nothing).
    pub fn update(&mut self, status: &SolveStatus, now: Timestamp) {
        self.trace.update(status, 80, now);
    }

    /// Prints what changed, as of `now`.
    pub fn refresh(&mut self, now: Timestamp) {
        self.print(now);
    }

    /// Final print and the error logs of failed steps.
    pub fn done(&mut self, now: Timestamp) {
        self.print(now);
        let logs = self.trace.error_logs();
        self.out.extend_from_slice(&logs);
    }

    /// The text produced so far and not yet taken.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// The `#N` number given to a step (by digest), once printed.
    pub fn index_of(&self, digest: &str) -> Option<usize> {
        self.trace
            .lookup(digest)
            .map(|i| self.trace.states[i].index)
            .filter(|i| *i > 0)
    }

    pub(crate) fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Prints what changed of one step. Long because it follows BuildKit's
    /// progressui `textMux.printVtx` branch by branch (header, statuses,
    /// warnings, logs, the closing line), which keeps the two comparable
    /// side by side; splitting it would hide the order of its writes.
    fn print_vtx(&mut self, idx: usize, now: Timestamp) {
        if self.trace.states[idx].index == 0 {
            self.next_index += 1;
            self.trace.states[idx].index = self.next_index;
        }
        let index = self.trace.states[idx].index;
        if self.current != Some(idx) {
            if let Some(cur) = self.current {
                let old = &mut self.trace.states[cur];
                if old.logs_partial {
                    self.out.push(b'\n');
                }
                old.logs_offset = 0;
                old.count = 0;
                let old_index = old.index;
                self.out
                    .extend_from_slice(format!("#{old_index} ...\n").as_bytes());
            }
            if self.not_first {
                self.out.push(b'\n');
            } else {
                if !self.desc.is_empty() {
                    self.out
                        .extend_from_slice(format!("#0 {}\n\n", self.desc).as_bytes());
                }
                self.not_first = true;
            }
            let name = self.trace.states[idx].vtx.name.as_bytes();
            self.out.extend_from_slice(format!("#{index} ").as_bytes());
            if self.truncate_names && name.len() > 72 {
                self.out.extend_from_slice(&name[..72]);
                self.out.extend_from_slice(b"...");
            } else {
                self.out.extend_from_slice(name);
            }
            self.out.push(b'\n');
        }

        let mut is_open_status = false;
        let v = &mut self.trace.states[idx];
        for id in &v.statuses {
            if !v.status_updates.contains(id) {
                continue;
            }
            let Some(s) = v.by_id.get(id) else {
                continue;
            };
            if let Some((last_current, last_ts)) = self.last.get(id) {
                if s.completed.is_none() {
                    let progress_delta = if s.total > 0 {
                        (s.current - last_current) as f64 / s.total as f64
                    } else {
                        0.0
                    };
                    let time_delta = s.timestamp.seconds_since(*last_ts);
                    if progress_delta < MIN_PROGRESS_DELTA && time_delta < MIN_TIME_DELTA {
                        continue;
                    }
                }
            }
            self.last.insert(id.clone(), (s.current, s.timestamp));
            let bytes = if s.total != 0 {
                format!(" {} / {}", format_bytes(s.current), format_bytes(s.total))
            } else if s.current != 0 {
                format!(" {}", format_bytes(s.current))
            } else {
                String::new()
            };
            let mut tm = String::new();
            let end = s.completed.unwrap_or(s.timestamp);
            if let Some(started) = s.started {
                let diff = end.seconds_since(started);
                if diff > 0.01 {
                    tm = format!(" {diff:.1}s");
                }
            }
            if s.completed.is_some() {
                tm.push_str(" done");
            } else {
                is_open_status = true;
            }
            self.out
                .extend_from_slice(format!("#{index} {id}{bytes}{tm}\n").as_bytes());
        }
        v.status_updates.clear();

        for w in &v.warnings[v.warning_idx.min(v.warnings.len())..] {
            self.out
                .extend_from_slice(format!("#{index} WARN: ").as_bytes());
            self.out.extend_from_slice(&w.short);
            self.out.push(b'\n');
        }
        v.warning_idx = v.warnings.len();

        let logs = std::mem::take(&mut v.logs);
        let (partial, offset) = (v.logs_partial, v.logs_offset);
        let n = logs.len();
        let mut remembered = Vec::with_capacity(n);
        for (i, l) in logs.iter().enumerate() {
            let shown: &[u8] = if i == 0 && offset != 0 {
                let rest = l.get(offset..).unwrap_or_default();
                self.out.extend_from_slice(rest);
                rest
            } else {
                self.out.extend_from_slice(format!("#{index} ").as_bytes());
                self.out.extend_from_slice(l);
                l
            };
            if i != n - 1 || !partial {
                self.out.push(b'\n');
            }
            remembered.push(shown.to_vec());
        }
        for line in remembered {
            self.trace.remember_log(idx, line, !partial);
        }
        let v = &mut self.trace.states[idx];
        if let Some(last) = logs.last() {
            if partial {
                v.logs_offset = last.len();
                v.logs = vec![last.clone()];
            } else {
                v.logs_offset = 0;
            }
        }

        self.current = Some(idx);
        if v.is_completed() && !is_open_status {
            self.current = None;
            v.count = 0;
            if v.logs_partial {
                self.out.push(b'\n');
            }
            if !v.vtx.error.is_empty() {
                if is_canceled(&v.vtx.error) {
                    self.out
                        .extend_from_slice(format!("#{index} CANCELED\n").as_bytes());
                } else {
                    self.out
                        .extend_from_slice(format!("#{index} ERROR: {}\n", v.vtx.error).as_bytes());
                }
            } else if v.vtx.cached {
                self.out
                    .extend_from_slice(format!("#{index} CACHED\n").as_bytes());
            } else {
                let ivals =
                    super::trace::merge_intervals(v.intervals.iter().map(|(_, i)| *i).collect());
                let tm = if ivals.is_empty() {
                    String::new()
                } else {
                    let dt: f64 = ivals.iter().map(|i| i.duration(now)).sum();
                    format!(" {dt:.1}s")
                };
                self.out
                    .extend_from_slice(format!("#{index} DONE{tm}\n").as_bytes());
            }
        }
        self.trace.remove_update(idx);
    }

    /// Prints what changed since the last call. Long because it follows
    /// progressui's `textMux.print` (which step's block is continued,
    /// interrupted or closed, and the `#N ...` separators) branch by branch.
    fn print(&mut self, now: Timestamp) {
        let mut completed: Vec<usize> = Vec::new();
        let mut rest: Vec<usize> = Vec::new();
        for &idx in &self.trace.updates {
            let v = &self.trace.states[idx];
            if v.vtx.progress_group.is_some() || v.hidden {
                continue;
            }
            if v.is_completed() {
                completed.push(idx);
            } else {
                rest.push(idx);
            }
        }
        let current = self.current;

        // Steps that completed are printed first, the current one before
        // the others, then by completion time.
        if let Some(cur) = current.filter(|c| completed.contains(c)) {
            self.print_vtx(cur, now);
        }
        let mut sorted = completed.clone();
        sorted.sort_by_key(|i| {
            self.trace.states[*i]
                .most_recent_interval()
                .and_then(|iv| iv.stop)
        });
        for idx in sorted {
            if Some(idx) != current {
                self.print_vtx(idx, now);
            }
        }

        if rest.is_empty() {
            if let Some(cur) = current {
                let v = &self.trace.states[cur];
                if v.is_started() && !v.is_completed() {
                    return;
                }
            }
            // Make any open step the active one.
            let open = self.trace.by_digest.iter().map(|(_, i)| *i).find(|i| {
                let v = &self.trace.states[*i];
                v.is_started() && !v.is_completed() && v.vtx.progress_group.is_none() && !v.hidden
            });
            if let Some(idx) = open {
                self.print_vtx(idx, now);
            }
            return;
        }

        if let Some(cur) = current.filter(|c| rest.contains(c)) {
            self.print_vtx(cur, now);
        }

        let mut stats: Vec<(usize, VtxStat)> = Vec::new();
        let mut sum = 0.0;
        let mut max: Option<usize> = None;
        if let Some(cur) = current {
            if !rest.contains(&cur) {
                rest.push(cur);
            }
        }
        for &idx in &rest {
            let v = &self.trace.states[idx];
            let Some(lbt) = v.last_block_time else {
                continue;
            };
            let tm = now.seconds_since(lbt);
            let speed = v.count as f64 / tm;
            let over_limit = tm > MAX_DELAY && Some(idx) != current;
            let st = VtxStat {
                block_time: tm,
                speed,
                share: 0.0,
                over_limit,
            };
            let max_speed =
                max.and_then(|m| stats.iter().find(|(i, _)| *i == m).map(|(_, s)| s.speed));
            stats.push((idx, st));
            sum += speed;
            if over_limit || max.is_none() || max_speed.is_some_and(|ms| ms < speed) {
                max = Some(idx);
            }
        }
        for (_, st) in &mut stats {
            st.share = st.speed / sum;
        }

        if current.is_none() || current.is_some_and(|c| completed.contains(&c)) {
            if let Some(m) = max {
                self.print_vtx(m, now);
            }
            return;
        }

        // Show steps that were hidden too long.
        for &idx in &rest {
            if stats.iter().any(|(i, s)| *i == idx && s.over_limit) {
                self.print_vtx(idx, now);
                return;
            }
        }

        // Fair split between steps.
        if let Some(cur) = current {
            if let Some((_, st)) = stats.iter().find(|(i, _)| *i == cur) {
                if 1.0 / (1.0 - st.share) * ANTI_FLICKER < st.block_time {
                    if let Some(m) = max {
                        self.print_vtx(m, now);
                    }
                }
            }
        }
    }
}

/// A [`PlainRenderer`] paced like buildx's display loop: at most one print
/// per display interval (100ms), a refresh one tick (150ms) after the last
/// event, and a final print when done. Times come from the caller.
#[derive(Debug)]
pub struct PlainDisplay {
    renderer: PlainRenderer,
    pacer: Pacer,
}

impl PlainDisplay {
    /// A paced display with the `#0 DESC` line (see [`PlainRenderer::new`]),
    /// buildx's default pacing.
    pub fn new(desc: &str) -> Self {
        PlainDisplay::with_env(desc, &super::DisplayEnv::default())
    }

    /// A paced display with the settings of `env` (pacing, name
    /// truncation).
    pub fn with_env(desc: &str, env: &super::DisplayEnv) -> Self {
        PlainDisplay {
            renderer: PlainRenderer::new(desc).with_name_truncation(env.truncate_names),
            pacer: Pacer::for_env(env),
        }
    }

    /// Uses fixed pacing (display interval, tick) in milliseconds instead
    /// of the default or `TTY_DISPLAY_RATE`.
    pub fn with_rates(mut self, display_ms: u64, tick_ms: u64) -> Self {
        self.pacer = Pacer::new(display_ms, tick_ms);
        self
    }

    /// The renderer.
    pub fn renderer_mut(&mut self) -> &mut PlainRenderer {
        &mut self.renderer
    }

    /// Runs the refreshes whose tick came before `now`.
    pub fn tick(&mut self, now: Timestamp) {
        for at in self.pacer.due_ticks(now) {
            self.renderer.refresh(at);
        }
    }

    /// When the next refresh tick is due.
    pub fn next_tick(&self) -> Option<Timestamp> {
        self.pacer.next_tick()
    }

    /// An event received at `now`.
    pub fn update(&mut self, status: &SolveStatus, now: Timestamp) {
        self.tick(now);
        self.renderer.update(status, now);
        if self.pacer.on_message(now) {
            self.renderer.refresh(now);
        }
    }

    /// The end of the stream at `now`.
    pub fn done(&mut self, now: Timestamp) {
        self.renderer.done(now);
    }

    /// Text produced and not yet taken.
    pub fn take_output(&mut self) -> Vec<u8> {
        self.renderer.take_output()
    }
}

/// The arrival time to assume for each recorded event: the latest time it
/// mentions, never earlier than the previous event's; events without any
/// time take their neighbour's.
pub fn replay_times(events: &[SolveStatus]) -> Vec<Timestamp> {
    let first = events
        .iter()
        .find_map(SolveStatus::latest_time)
        .unwrap_or(Timestamp::GO_ZERO);
    let mut prev = first;
    events
        .iter()
        .map(|e| {
            if let Some(t) = e.latest_time() {
                prev = prev.max(t);
            }
            prev
        })
        .collect()
}

/// Renders a recorded event stream as buildx's plain printer would have
/// shown it live, using [`replay_times`] as the clock; `desc` is the `#0`
/// line (e.g. `building with "default" instance using docker driver`).
pub fn render(events: &[SolveStatus], desc: &str) -> Vec<u8> {
    let mut d = PlainDisplay::new(desc).with_rates(100, 150);
    let times = replay_times(events);
    for (e, t) in events.iter().zip(&times) {
        d.update(e, *t);
    }
    let end = times.last().copied().unwrap_or(Timestamp::GO_ZERO);
    d.done(end);
    d.take_output()
}

#[cfg(test)]
mod tests {
    use super::super::event::{Vertex, VertexLog, VertexStatus};
    use super::*;
    use bytes::Bytes;

    fn ts(ms: i64) -> Timestamp {
        Timestamp::from_unix(1_700_000_000 + ms / 1000, ((ms % 1000) * 1_000_000) as u32)
    }

    fn vtx(d: &str, name: &str, started: Option<i64>, completed: Option<i64>) -> Vertex {
        Vertex {
            digest: d.into(),
            name: name.into(),
            started: started.map(ts),
            completed: completed.map(ts),
            ..Default::default()
        }
    }

    fn ev_v(v: Vertex) -> SolveStatus {
        SolveStatus {
            vertexes: vec![v],
            ..Default::default()
        }
    }

    fn ev_log(d: &str, ms: i64, data: &str) -> SolveStatus {
        SolveStatus {
            logs: vec![VertexLog {
                vertex: d.into(),
                stream: 1,
                data: Bytes::from(data.to_string()),
                timestamp: ts(ms),
            }],
            ..Default::default()
        }
    }

    fn render_str(events: &[SolveStatus]) -> String {
        String::from_utf8(render(
            events,
            "building with \"default\" instance using docker driver",
        ))
        .unwrap()
    }

    #[test]
    fn sequential_steps_with_logs_status_and_error() {
        let mut cached = vtx("b", "[1/3] FROM busybox", Some(1000), Some(1001));
        cached.cached = true;
        let mut failed = vtx("c", "[3/3] RUN false", Some(2000), Some(2300));
        failed.error =
            "process \"/bin/sh -c false\" did not complete successfully: exit code: 1".into();
        let events = vec![
            ev_v(vtx(
                "a",
                "[internal] load build definition from Dockerfile",
                None,
                None,
            )),
            ev_v(vtx(
                "a",
                "[internal] load build definition from Dockerfile",
                Some(0),
                None,
            )),
            SolveStatus {
                statuses: vec![VertexStatus {
                    id: "transferring dockerfile:".into(),
                    vertex: "a".into(),
                    current: 106,
                    timestamp: ts(20),
                    started: Some(ts(10)),
                    completed: Some(ts(20)),
                    ..Default::default()
                }],
                ..Default::default()
            },
            ev_v(vtx(
                "a",
                "[internal] load build definition from Dockerfile",
                Some(0),
                Some(30),
            )),
            ev_v(cached),
            ev_v(vtx("d", "[2/3] RUN echo hi", Some(1100), None)),
            ev_log("d", 1300, "hi\npart"),
            ev_log("d", 1500, "ial\n"),
            ev_v(vtx("d", "[2/3] RUN echo hi", Some(1100), Some(1600))),
            ev_v(vtx("c", "[3/3] RUN false", Some(2000), None)),
            ev_log("c", 2100, "oops\n"),
            ev_v(failed),
        ];
        let out = render_str(&events);
        assert_eq!(
            out,
            "#0 building with \"default\" instance using docker driver\n\
             \n\
             #1 [internal] load build definition from Dockerfile\n\
             #1 transferring dockerfile: 106B done\n\
             #1 DONE 0.0s\n\
             \n\
             #2 [1/3] FROM busybox\n\
             #2 CACHED\n\
             \n\
             #3 [2/3] RUN echo hi\n\
             #3 0.200 hi\n\
             #3 0.200 partial\n\
             #3 DONE 0.5s\n\
             \n\
             #4 [3/3] RUN false\n\
             #4 0.100 oops\n\
             #4 ERROR: process \"/bin/sh -c false\" did not complete successfully: exit code: 1\n\
             ------\n > [3/3] RUN false:\n0.100 oops\n------\n"
        );
    }

    #[test]
    fn interleaved_steps_resume_with_dots() {
        let events = vec![
            ev_v(vtx("a", "A", Some(0), None)),
            ev_log("a", 200, "a1\n"),
            ev_v(vtx("b", "B", Some(300), None)),
            ev_v(vtx("b", "B", Some(300), Some(500))),
            ev_log("a", 700, "a2\n"),
            ev_v(vtx("a", "A", Some(0), Some(900))),
        ];
        let out = String::from_utf8(render(&events, "")).unwrap();
        assert_eq!(
            out,
            "#1 A\n#1 0.200 a1\n#1 ...\n\n#2 B\n#2 DONE 0.2s\n\n#1 A\n#1 0.700 a2\n#1 DONE 0.9s\n"
        );
    }
}
