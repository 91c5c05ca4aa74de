//! The live terminal view (`--progress=tty`), like buildx's: a
//! `[+] Building 1.2s (3/5)` header (with `docker:default` on the right),
//! one line per step with its elapsed time, sub-task lines (`=> => ...`),
//! finished steps in blue (red when failed), and for running steps with
//! output the last lines of it. The screen is redrawn in place (cursor up,
//! rewrite) at most every 100ms; lines are cut to the terminal width, and
//! when the steps do not fit the height the oldest finished ones scroll
//! away. At the end everything is drawn once more in full, followed by the
//! logs of failed steps.

use super::event::{SolveStatus, Timestamp};
use super::trace::{format_bytes, is_canceled, merge_intervals, Interval, Trace, TERM_PAD};

const ESC: &str = "\x1b[";
const RESET: &str = "\x1b[0m";
const FAINT: &str = "\x1b[2m";
const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";

/// Colors of finished, canceled (and warning) and failed steps.
#[derive(Debug, Clone)]
struct Colors {
    run: Option<String>,
    cancel: Option<String>,
    error: Option<String>,
}

impl Colors {
    /// Defaults (blue, yellow, red), `NO_COLOR` and `BUILDKIT_COLORS`
    /// (`run=green:error=magenta`, names or `r,g,b`) as `env` has them.
    fn for_env(env: &super::DisplayEnv) -> Self {
        if env.no_color {
            return Colors {
                run: None,
                cancel: None,
                error: None,
            };
        }
        let mut c = Colors {
            run: color_code("blue"),
            cancel: color_code("yellow"),
            error: color_code("red"),
        };
        if let Some(spec) = &env.colors {
            for part in spec.split(':') {
                let Some((k, v)) = part.split_once('=') else {
                    continue;
                };
                let Some(code) = color_code(v) else {
                    continue;
                };
                match k {
                    "run" => c.run = Some(code),
                    "cancel" => c.cancel = Some(code),
                    "error" => c.error = Some(code),
                    _ => {}
                }
            }
        }
        c
    }
}

fn color_code(name: &str) -> Option<String> {
    let n = match name {
        "default" => return Some(format!("{ESC}39m")),
        "black" => 30,
        "red" => 31,
        "green" => 32,
        "yellow" => 33,
        "blue" => 34,
        "magenta" => 35,
        "cyan" => 36,
        "white" => 37,
        "gray" | "grey" => 90,
        _ => {
            let rgb: Vec<u8> = name
                .split(',')
                .filter_map(|p| p.trim().parse().ok())
                .collect();
            if rgb.len() == 3 {
                return Some(format!("{ESC}38;2;{};{};{}m", rgb[0], rgb[1], rgb[2]));
            }
            return None;
        }
    };
    Some(format!("{ESC}{n}m"))
}

#[derive(Debug, Clone)]
struct Job {
    intervals: Vec<Interval>,
    is_completed: bool,
    name: String,
    status: String,
    has_error: bool,
    is_canceled: bool,
    vertex: Option<usize>,
    show_term: bool,
}

/// The tty renderer. Times are given by the caller, so a recorded stream
/// renders the same way every time.
#[derive(Debug)]
pub struct TtyRenderer {
    trace: Trace,
    phase: String,
    desc: String,
    line_count: usize,
    repeated: bool,
    term_height: usize,
    colors: Colors,
}

impl TtyRenderer {
    /// A renderer titled `[+] PHASE` with `desc` (e.g. `docker:default`)
    /// right-aligned in the header, with buildx's default colors and log
    /// lines.
    pub fn new(phase: &str, desc: &str) -> Self {
        TtyRenderer::with_env(phase, desc, &super::DisplayEnv::default())
    }

    /// As [`new`](Self::new), with the colors and log lines of `env`.
    pub fn with_env(phase: &str, desc: &str, env: &super::DisplayEnv) -> Self {
        let term_height = env.tty_log_lines.unwrap_or(super::trace::TERM_HEIGHT);
        TtyRenderer {
            trace: Trace::new(true),
            phase: if phase.is_empty() {
                "Building".into()
            } else {
                phase.into()
            },
            desc: desc.to_string(),
            line_count: 0,
            repeated: false,
            term_height,
            colors: Colors::for_env(env),
        }
    }

    /// Without colors (as with `NO_COLOR`).
    pub fn without_colors(mut self) -> Self {
        self.colors = Colors {
            run: None,
            cancel: None,
            error: None,
        };
        self
    }

    /// Records a status message received at `now` for a terminal `width`
    /// columns wide.
    pub fn update(&mut self, status: &SolveStatus, width: usize, now: Timestamp) {
        self.trace.update(status, width, now);
    }

    /// Draws the view; `all` (at the end) draws every step and FINISHED.
    ///
    /// Long because it follows progressui's `display.print` (header,
    /// per-step lines with their timers and colors, the log window, the
    /// cursor movement) in its order, which is what the output must match.
    pub fn render(&mut self, width: usize, height: usize, all: bool, now: Timestamp) -> Vec<u8> {
        let now_d = now.sub(std::time::Duration::from_secs_f64(
            self.trace.local_time_diff.max(0.0),
        ));
        let (jobs, total, completed) = self.display_info();
        let mut jobs = self.setup_terminals(jobs, height, all);
        let mut out = String::new();
        let ups = self.line_count + 1;
        out.push_str(&format!("{ESC}1A").repeat(ups));
        if !self.repeated {
            out.push_str(&format!("{ESC}1B"));
        }
        self.repeated = true;
        out.push_str(&format!("{ESC}0G"));
        out.push_str(HIDE_CURSOR);

        let status_str = if completed > 0 && completed == total && all {
            "FINISHED"
        } else {
            ""
        };
        let elapsed = match self.trace.start_time {
            Some(s) => now_d.seconds_since(s),
            None => 0.0,
        };
        let head = format!(
            "[+] {} {:.1}s ({}/{}) {}",
            self.phase, elapsed, completed, total, status_str
        );
        let head = if self.desc.is_empty() {
            align(&head, "", width as i64)
        } else {
            align(&head, &self.desc, width as i64 - 1)
        };
        // progressui prints the header whole, however wide the builder's
        // name makes it (only the step lines are cut to the width).
        out.push_str(&head);
        out.push('\n');

        let mut line_count = 0;
        for j in &mut jobs {
            if j.intervals.is_empty() {
                continue;
            }
            let mut dt: f64 = j.intervals.iter().map(|i| i.duration(now_d)).sum();
            if dt < 0.05 {
                dt = 0.0;
            }
            let pfx = " => ";
            let timer = format!(" {dt:3.1}s\n");
            let mut show_status = false;
            let mut left = width as i64 - pfx.len() as i64 - timer.len() as i64 - 1;
            if !j.status.is_empty() && left + j.status.len() as i64 > 20 {
                show_status = true;
                left -= j.status.len() as i64 + 1;
            }
            if left < 12 {
                continue;
            }
            let mut name = j.name.clone();
            truncate_bytes(&mut name, left as usize);
            let mut line = format!("{pfx}{name}");
            if show_status {
                line.push(' ');
                line.push_str(&j.status);
            }
            let mut line = align(&line, &timer, width as i64);
            if j.is_completed {
                let color = if j.is_canceled {
                    &self.colors.cancel
                } else if j.has_error {
                    &self.colors.error
                } else {
                    &self.colors.run
                };
                if let Some(c) = color {
                    line = format!("{c}{line}{RESET}");
                }
            }
            out.push_str(&line);
            line_count += 1;
            if j.show_term {
                if let Some(idx) = j.vertex {
                    let v = &mut self.trace.states[idx];
                    if let Some(term) = v.term.as_mut() {
                        term.resize(self.term_height, width.saturating_sub(TERM_PAD));
                        for row in term.content() {
                            if row.iter().any(|c| *c != ' ') {
                                let text: String = row.iter().collect();
                                out.push_str(&format!("{FAINT} => => # {text}\n{RESET}"));
                                line_count += 1;
                            }
                        }
                    }
                    v.term_count += 1;
                }
                j.show_term = false;
            }
        }
        if self.line_count > line_count {
            let diff = self.line_count - line_count;
            for _ in 0..diff {
                out.push_str(&" ".repeat(width));
                out.push('\n');
            }
            out.push_str(&format!("{ESC}{diff}A{ESC}0G"));
        }
        self.line_count = line_count;
        out.push_str(SHOW_CURSOR);
        out.into_bytes()
    }

    /// The final view and the logs of failed steps.
    pub fn done(&mut self, width: usize, height: usize, now: Timestamp) -> Vec<u8> {
        let mut out = self.render(width, height, true, now);
        out.extend_from_slice(&self.trace.error_logs());
        out
    }

    pub(crate) fn trace(&self) -> &Trace {
        &self.trace
    }

    fn display_info(&self) -> (Vec<Job>, usize, usize) {
        let t = &self.trace;
        let mut total = t.by_digest.len();
        let mut completed = 0;
        for (_, idx) in &t.by_digest {
            let v = &t.states[*idx];
            if v.vtx.progress_group.is_some() || v.hidden {
                total = total.saturating_sub(1);
                continue;
            }
            if v.is_completed() {
                completed += 1;
            }
        }
        let mut jobs = Vec::new();
        for &idx in &t.vertexes {
            let v = &t.states[idx];
            let mut j = Job {
                intervals: Vec::new(),
                is_completed: true,
                name: v.vtx.name.replace('\t', " "),
                status: String::new(),
                has_error: false,
                is_canceled: false,
                vertex: Some(idx),
                show_term: false,
            };
            for (_, ival) in &v.intervals {
                j.intervals.push(*ival);
                if ival.stop.is_none() {
                    j.is_completed = false;
                }
            }
            j.intervals = merge_intervals(j.intervals);
            if !v.vtx.error.is_empty() {
                if is_canceled(&v.vtx.error) {
                    j.is_canceled = true;
                    j.name = format!("CANCELED {}", j.name);
                } else {
                    j.has_error = true;
                    j.name = format!("ERROR {}", j.name);
                }
            }
            if v.vtx.cached {
                j.name = format!("CACHED {}", j.name);
            }
            jobs.push(j);
            for id in &v.statuses {
                let Some(s) = v.by_id.get(id) else {
                    continue;
                };
                let status = if s.total != 0 {
                    format!("{} / {}", format_bytes(s.current), format_bytes(s.total))
                } else if s.current != 0 {
                    format_bytes(s.current)
                } else {
                    String::new()
                };
                jobs.push(Job {
                    intervals: vec![Interval {
                        start: s.started,
                        stop: s.completed,
                    }],
                    is_completed: s.completed.is_some(),
                    name: format!("=> {}", s.id),
                    status,
                    has_error: false,
                    is_canceled: false,
                    vertex: None,
                    show_term: false,
                });
            }
            for w in &v.warnings {
                let ival = v.most_recent_interval().unwrap_or_default();
                jobs.push(Job {
                    intervals: vec![ival],
                    is_completed: false,
                    name: format!("WARN: {}", String::from_utf8_lossy(&w.short)),
                    status: String::new(),
                    has_error: false,
                    is_canceled: true,
                    vertex: None,
                    show_term: false,
                });
            }
        }
        (jobs, total, completed)
    }

    fn setup_terminals(&self, mut jobs: Vec<Job>, height: usize, all: bool) -> Vec<Job> {
        let mut candidates: Vec<usize> = Vec::new();
        let mut in_use = 0i64;
        for (i, j) in jobs.iter().enumerate() {
            if let Some(idx) = j.vertex {
                if self.trace.states[idx].term_bytes > 0 && !j.is_completed {
                    candidates.push(i);
                }
            }
            if !j.is_completed {
                in_use += 1;
            }
        }
        let weight = |i: &usize| {
            jobs[*i].vertex.map_or(0, |idx| {
                let v = &self.trace.states[idx];
                v.term_bytes + v.term_count * 50
            })
        };
        candidates.sort_by_key(|i| std::cmp::Reverse(weight(i)));
        let mut free = height as i64 - 2 - in_use;
        let mut to_hide = 0i64;
        let limit = self.term_height as i64 + 3;
        for &c in &candidates {
            if free <= limit {
                break;
            }
            jobs[c].show_term = true;
            if let Some(idx) = jobs[c].vertex {
                if let Some(term) = &self.trace.states[idx].term {
                    to_hide += term.used_height() as i64;
                }
            }
            free -= limit;
        }
        if !all {
            jobs = wrap_height(jobs, height as i64 - 2 - to_hide);
        }
        jobs
    }
}

/// Keeps the last `limit` jobs, moving unfinished ones that would scroll
/// away into the places of finished ones.
fn wrap_height(jobs: Vec<Job>, limit: i64) -> Vec<Job> {
    if limit < 0 {
        return Vec::new();
    }
    let limit = limit as usize;
    if jobs.len() <= limit {
        return jobs;
    }
    let cut = jobs.len() - limit;
    let invisible: Vec<Job> = jobs[..cut]
        .iter()
        .filter(|j| !j.is_completed)
        .cloned()
        .collect();
    let mut wrapped: Vec<Job> = jobs[cut..].to_vec();
    if !invisible.is_empty() {
        let mut l = invisible.len() as i64;
        let mut rewrapped = Vec::with_capacity(wrapped.len());
        for j in wrapped.iter() {
            if !j.is_completed || l <= 0 {
                rewrapped.push(j.clone());
            }
            l -= 1;
        }
        let freespace = wrapped.len() - rewrapped.len();
        let mut head: Vec<Job> = invisible[invisible.len().saturating_sub(freespace)..].to_vec();
        head.extend(rewrapped);
        wrapped = head;
    }
    wrapped
}

/// Go's `fmt.Sprintf("%-*s %s", w-len(r)-1, l, r)`.
fn align(l: &str, r: &str, w: i64) -> String {
    let pad = w - r.len() as i64 - 1;
    let pad = pad.unsigned_abs() as usize;
    let mut s = l.to_string();
    let n = s.chars().count();
    if n < pad {
        s.push_str(&" ".repeat(pad - n));
    }
    s.push(' ');
    s.push_str(r);
    s
}

/// Cuts `s` to at most `n` bytes (at a character boundary).
fn truncate_bytes(s: &mut String, n: usize) {
    if s.len() > n {
        let mut end = n;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::super::event::{Vertex, VertexLog};
    use super::*;
    use bytes::Bytes;

    fn ts(ms: i64) -> Timestamp {
        Timestamp::from_unix(1_700_000_000 + ms / 1000, ((ms % 1000) * 1_000_000) as u32)
    }

    /// Applies the renderer's output to a screen model and returns the
    /// visible lines (escape sequences interpreted: up, column, erase).
    fn screen(chunks: &[Vec<u8>]) -> Vec<String> {
        let mut lines: Vec<Vec<char>> = vec![Vec::new()];
        let (mut x, mut y) = (0usize, 0usize);
        for c in chunks {
            let s = String::from_utf8_lossy(c).to_string();
            let mut it = s.chars();
            while let Some(ch) = it.next() {
                match ch {
                    '\x1b' => {
                        let mut seq = String::new();
                        for c in it.by_ref() {
                            seq.push(c);
                            if c.is_ascii_alphabetic() {
                                break;
                            }
                        }
                        let num = |s: &str, suf: char| {
                            s.strip_prefix('[')
                                .and_then(|s| s.strip_suffix(suf))
                                .and_then(|n| n.parse::<usize>().ok())
                        };
                        if let Some(n) = num(&seq, 'A') {
                            y = y.saturating_sub(n);
                        } else if let Some(n) = num(&seq, 'B') {
                            y += n;
                        } else if num(&seq, 'G').is_some() {
                            x = 0;
                        }
                    }
                    '\n' => {
                        y += 1;
                        x = 0;
                    }
                    c => {
                        while lines.len() <= y {
                            lines.push(Vec::new());
                        }
                        let line = &mut lines[y];
                        while line.len() <= x {
                            line.push(' ');
                        }
                        line[x] = c;
                        x += 1;
                    }
                }
            }
        }
        lines
            .iter()
            .map(|l| l.iter().collect::<String>().trim_end().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn running_step_shows_log_tail_then_finishes() {
        let mut r = TtyRenderer::new("", "docker:default").without_colors();
        let v = |s: Option<i64>, c: Option<i64>| Vertex {
            digest: "a".into(),
            name: "[2/2] RUN make".into(),
            started: s.map(ts),
            completed: c.map(ts),
            ..Default::default()
        };
        let mut chunks = Vec::new();
        r.update(
            &SolveStatus {
                vertexes: vec![v(Some(0), None)],
                ..Default::default()
            },
            60,
            ts(0),
        );
        let logs: String = (1..=8).map(|i| format!("line {i}\n")).collect();
        r.update(
            &SolveStatus {
                logs: vec![VertexLog {
                    vertex: "a".into(),
                    stream: 1,
                    data: Bytes::from(logs),
                    timestamp: ts(500),
                }],
                ..Default::default()
            },
            60,
            ts(500),
        );
        chunks.push(r.render(60, 20, false, ts(1200)));
        let s = screen(&chunks);
        assert_eq!(
            s[0],
            "[+] Building 1.2s (0/1)                      docker:default"
        );
        assert_eq!(
            s[1],
            " => [2/2] RUN make                                     1.2s"
        );
        assert_eq!(s[2], " => => # line 3");
        assert_eq!(s[7], " => => # line 8");
        assert_eq!(s.len(), 8);
        r.update(
            &SolveStatus {
                vertexes: vec![v(Some(0), Some(2000))],
                ..Default::default()
            },
            60,
            ts(2000),
        );
        chunks.push(r.done(60, 20, ts(2100)));
        let s = screen(&chunks);
        assert_eq!(
            s,
            vec![
                "[+] Building 2.1s (1/1) FINISHED             docker:default",
                " => [2/2] RUN make                                     2.0s",
            ]
        );
        for l in &s {
            assert!(l.len() < 60);
        }
    }

    #[test]
    fn a_long_builder_name_is_printed_whole_in_the_header() {
        let desc = "docker-container:integration-container-r6z28kwcldl2hx7b3c07qyey9";
        let mut r = TtyRenderer::new("", desc).without_colors();
        // Go's %-*s with a negative width (40 - 1 - len(desc) - 1) pads the
        // left part to its absolute value, 27: three spaces more.
        let s = screen(&[r.render(40, 20, false, ts(0))]);
        assert_eq!(s[0], format!("[+] Building 0.0s (0/0)    {desc}"));
        let s = screen(&[r.render(80, 20, false, ts(0))]);
        assert_eq!(s[0], format!("[+] Building 0.0s (0/0)  {desc}"));
    }

    #[test]
    fn narrow_terminal_truncates() {
        let mut r = TtyRenderer::new("", "").without_colors();
        r.update(
            &SolveStatus {
                vertexes: vec![Vertex {
                    digest: "a".into(),
                    name: "[1/1] RUN a very long command line that does not fit".into(),
                    started: Some(ts(0)),
                    ..Default::default()
                }],
                ..Default::default()
            },
            30,
            ts(0),
        );
        let s = screen(&[r.render(30, 10, false, ts(300))]);
        // Like buildx, lines use width - 1 columns.
        assert_eq!(s[1], " => [1/1] RUN a very lo  0.3s");
        assert_eq!(s[1].len(), 29);
    }

    #[test]
    fn wrap_keeps_unfinished() {
        let job = |done: bool, n: &str| Job {
            intervals: vec![],
            is_completed: done,
            name: n.into(),
            status: String::new(),
            has_error: false,
            is_canceled: false,
            vertex: None,
            show_term: false,
        };
        let jobs = vec![
            job(false, "a"),
            job(true, "b"),
            job(true, "c"),
            job(true, "d"),
        ];
        let w = wrap_height(jobs, 2);
        let names: Vec<&str> = w.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, vec!["a", "d"]);
    }
}
