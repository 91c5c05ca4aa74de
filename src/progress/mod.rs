//! Build progress: a typed event model and its renderers.
//!
//! BuildKit streams progress through `Control.Status`; every message becomes
//! an [`event::SolveStatus`]. A [`Printer`] shows them while the build runs,
//! in one of buildx's modes ([`ProgressMode`]): the plain text log
//! ([`plain`]), the live terminal view ([`tty`]), raw JSON ([`rawjson`]) or
//! nothing (quiet). When the stream ends it returns a [`Summary`] (warnings,
//! failed steps); [`errors`] turns a failed solve's gRPC status into the
//! report buildx prints after the progress.
//!
//! ```no_run
//! # async fn f(rx: tokio::sync::mpsc::Receiver<rkbuild::progress::event::SolveStatus>) -> rkbuild::Result<()> {
//! use rkbuild::progress::{Printer, PrinterOptions, ProgressMode};
//! let mode = ProgressMode::resolve("auto", false, std::env::var("BUILDKIT_PROGRESS").ok().as_deref())?;
//! let printer = Printer::stderr(mode, PrinterOptions::for_builder("default", "docker"))?;
//! let summary = printer.run(rx).await;
//! eprint!("{}", rkbuild::progress::errors::warnings_report(&summary.warnings, false));
//! # Ok(()) }
//! ```

pub mod errors;
pub mod event;
pub(crate) mod local;
pub mod plain;
pub mod rawjson;
mod trace;
pub mod tty;
mod vt100;

use std::time::Duration;

use event::Timestamp;

/// The pacing of buildx's display loop: a print is allowed at most once per
/// display interval, and a refresh runs one tick after the last event (and
/// every tick after that).
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    display: Duration,
    tick: Duration,
    last_allowed: Option<Timestamp>,
    next_tick: Option<Timestamp>,
}

impl Pacer {
    pub(crate) fn new(display_ms: u64, tick_ms: u64) -> Self {
        Pacer {
            display: Duration::from_millis(display_ms),
            tick: Duration::from_millis(tick_ms.max(1)),
            last_allowed: None,
            next_tick: None,
        }
    }

    /// 100ms/150ms, or both `display_rate_ms` ([`DisplayEnv`]) when set.
    pub(crate) fn for_env(env: &DisplayEnv) -> Self {
        match env.display_rate_ms {
            Some(r) if r > 0 => Pacer::new(r, r),
            _ => Pacer::new(100, 150),
        }
    }

    /// An event arrived at `now`: whether the display may print, and the
    /// ticker restarts.
    pub(crate) fn on_message(&mut self, now: Timestamp) -> bool {
        self.next_tick = Some(now.add(self.tick));
        let allowed = match self.last_allowed {
            None => true,
            Some(last) => now.seconds_since(last) >= self.display.as_secs_f64(),
        };
        if allowed {
            self.last_allowed = Some(now);
        }
        allowed
    }

    /// Ticks due up to `now` (each one refreshes), advancing the ticker.
    pub(crate) fn due_ticks(&mut self, now: Timestamp) -> Vec<Timestamp> {
        let mut out = Vec::new();
        while let Some(t) = self.next_tick {
            if t > now {
                break;
            }
            out.push(t);
            self.next_tick = Some(t.add(self.tick));
            // A long silence needs no more than one refresh per state.
            if out.len() >= 2 {
                let skip = (now.seconds_since(t) / self.tick.as_secs_f64()).floor();
                if skip >= 1.0 {
                    self.next_tick = Some(t.add(self.tick.mul_f64(skip + 1.0)));
                }
            }
        }
        out
    }

    pub(crate) fn next_tick(&self) -> Option<Timestamp> {
        self.next_tick
    }
}

use std::io::{IsTerminal, Write};

use tokio::sync::mpsc;

use crate::error::{Error, Result};
use event::{SolveStatus, VertexWarning};
use plain::PlainDisplay;
use tty::TtyRenderer;

/// How progress is shown (buildx's `--progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// Tty when stderr is a terminal, plain otherwise.
    #[default]
    Auto,
    /// The plain text log.
    Plain,
    /// The live terminal view (an error when stderr is not a terminal).
    Tty,
    /// Nothing.
    Quiet,
    /// Every status as JSON.
    RawJson,
}

impl ProgressMode {
    /// Every mode, in the order help and completion list them (buildx's
    /// modes, then `quiet`).
    pub const ALL: [ProgressMode; 5] = [
        ProgressMode::Auto,
        ProgressMode::Plain,
        ProgressMode::Tty,
        ProgressMode::RawJson,
        ProgressMode::Quiet,
    ];

    /// The `--progress` value.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProgressMode::Auto => "auto",
            ProgressMode::Plain => "plain",
            ProgressMode::Tty => "tty",
            ProgressMode::Quiet => "quiet",
            ProgressMode::RawJson => "rawjson",
        }
    }

    /// What the mode shows, in a few words (shell completion's
    /// description).
    pub fn about(&self) -> &'static str {
        match self {
            ProgressMode::Auto => "tty if the output is a terminal, plain otherwise",
            ProgressMode::Plain => "plain text, one line per event",
            ProgressMode::Tty => "interactive progress display",
            ProgressMode::Quiet => "no progress output",
            ProgressMode::RawJson => "BuildKit's status stream as JSON lines",
        }
    }

    /// The `--progress` values quoted and separated by commas, in the
    /// order of [`ALL`](Self::ALL) (`"auto", "plain", ...`), as help lists
    /// them.
    pub fn quoted_list() -> String {
        let quoted: Vec<String> = Self::ALL
            .iter()
            .map(|m| format!("\"{}\"", m.as_str()))
            .collect();
        quoted.join(", ")
    }

    /// Parses a `--progress` value (`""` means auto, like buildx).
    pub fn parse(s: &str) -> Result<ProgressMode> {
        if s.is_empty() {
            return Ok(ProgressMode::Auto);
        }
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| crate::error::OptionError::ProgressMode(s.to_string()).into())
    }

    /// The mode buildx ends up with for `--progress FLAG`, `-q` and the
    /// `BUILDKIT_PROGRESS` variable: `-q` only goes with `auto` or
    /// `quiet`; the variable only replaces `auto` (exactly `auto`, not an
    /// empty flag).
    pub fn resolve(flag: &str, quiet: bool, env: Option<&str>) -> Result<ProgressMode> {
        let auto = ProgressMode::Auto.as_str();
        let quiet_mode = ProgressMode::Quiet.as_str();
        if quiet && flag != auto && flag != quiet_mode {
            return Err(crate::error::OptionError::ProgressQuiet(flag.to_string()).into());
        }
        let mut mode = if quiet { quiet_mode } else { flag };
        if let Some(v) = env.filter(|v| !v.is_empty()) {
            if mode == auto {
                mode = v;
            }
        }
        ProgressMode::parse(mode)
    }
}

impl std::str::FromStr for ProgressMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ProgressMode::parse(s)
    }
}

impl std::fmt::Display for ProgressMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the printer shows besides the events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrinterOptions {
    /// First line of the plain log, after `#0 `.
    pub text_desc: String,
    /// Right side of the tty header.
    pub console_desc: String,
    /// Title of the tty header (`Building` when empty).
    pub phase: String,
    /// The display settings buildx takes from its environment (defaults
    /// unless [`DisplayEnv::from_env`] is asked).
    pub env: DisplayEnv,
}

/// The display settings buildx (BuildKit's `progressui`) reads from the
/// environment. The default is what an empty environment gives; only
/// [`DisplayEnv::from_env`] reads the process's variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisplayEnv {
    /// `TTY_DISPLAY_RATE`: milliseconds between refreshes (100 ms, and a
    /// 150 ms tick, when unset).
    pub display_rate_ms: Option<u64>,
    /// `PROGRESS_NO_TRUNC=0`: cut step names to 72 bytes in plain mode.
    pub truncate_names: bool,
    /// `NO_COLOR` (not empty): no colors in tty mode.
    pub no_color: bool,
    /// `BUILDKIT_COLORS`: `run=green:error=magenta`, names or `r,g,b`.
    pub colors: Option<String>,
    /// `BUILDKIT_TTY_LOG_LINES`: log lines shown per step in tty mode.
    pub tty_log_lines: Option<usize>,
}

impl DisplayEnv {
    /// The settings of the process's environment.
    pub fn from_env() -> DisplayEnv {
        let var = |k: &str| std::env::var(k).ok();
        DisplayEnv {
            display_rate_ms: var("TTY_DISPLAY_RATE")
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|r| *r > 0)
                .map(|r| r as u64),
            truncate_names: var("PROGRESS_NO_TRUNC").as_deref() == Some("0"),
            no_color: var("NO_COLOR").is_some_and(|v| !v.is_empty()),
            colors: var("BUILDKIT_COLORS"),
            tty_log_lines: var("BUILDKIT_TTY_LOG_LINES")
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|v| *v > 0),
        }
    }
}

impl PrinterOptions {
    /// The descriptions buildx uses for builder `name` with `driver`:
    /// `building with "default" instance using docker driver` and
    /// `docker:default`.
    pub fn for_builder(name: &str, driver: &str) -> Self {
        PrinterOptions {
            text_desc: format!("building with {name:?} instance using {driver} driver"),
            console_desc: format!("{driver}:{name}"),
            phase: String::new(),
            env: DisplayEnv::default(),
        }
    }
}

/// A step that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedStep {
    /// Digest of the step.
    pub digest: String,
    /// Its name, e.g. `[2/2] RUN false`.
    pub name: String,
    /// The error, e.g. `process "/bin/sh -c false" did not complete ...`.
    pub error: String,
    /// Its `#N` in the plain log, when it was printed there.
    pub index: Option<usize>,
}

/// What the printer learned, for the command to report after the build.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Warnings, without repeats (print with [`errors::warnings_report`]).
    pub warnings: Vec<VertexWarning>,
    /// Steps that failed (cancellations excluded), in start order.
    pub failed: Vec<FailedStep>,
    /// The `------\n > STEP:\nLOGS\n------` block of failed steps; the
    /// printer already wrote it at the end (plain and tty modes).
    pub error_logs: Vec<u8>,
}

enum Display {
    Plain(Box<PlainDisplay>),
    Tty {
        renderer: Box<TtyRenderer>,
        pacer: Pacer,
    },
    RawJson,
    Quiet,
}

/// Shows progress events while a build runs and summarizes them at the end.
///
/// Feed it with [`Printer::write`] (and [`Printer::tick`] when idle) or hand
/// it the receiving end of a channel with [`Printer::run`].
pub struct Printer {
    display: Display,
    out: Box<dyn Write + Send>,
    warnings: Vec<VertexWarning>,
    size: Box<dyn Fn() -> (usize, usize) + Send>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer").finish_non_exhaustive()
    }
}

/// Width and height of the terminal on stderr (80x10 when unknown).
fn stderr_size() -> (usize, usize) {
    match terminal_size::terminal_size_of(std::io::stderr()) {
        Some((w, h)) if w.0 > 0 && h.0 > 0 => (usize::from(w.0), usize::from(h.0)),
        _ => (80, 10),
    }
}

impl Printer {
    /// A printer writing to stderr; `Auto` picks tty when stderr is a
    /// terminal.
    pub fn stderr(mode: ProgressMode, opts: PrinterOptions) -> Result<Printer> {
        let is_tty = std::io::stderr().is_terminal();
        Printer::new(mode, opts, Box::new(std::io::stderr()), is_tty)
            .map(|p| p.with_size(stderr_size))
    }

    /// A printer writing to `out`, which is a terminal when `is_terminal`
    /// (80x10 unless [`Printer::with_size`] says otherwise).
    pub fn new(
        mode: ProgressMode,
        opts: PrinterOptions,
        out: Box<dyn Write + Send>,
        is_terminal: bool,
    ) -> Result<Printer> {
        let display = match mode {
            ProgressMode::Tty if !is_terminal => {
                return Err(crate::error::OptionError::NotAConsole.into())
            }
            ProgressMode::Auto | ProgressMode::Tty if is_terminal => Display::Tty {
                renderer: Box::new(TtyRenderer::with_env(
                    &opts.phase,
                    &opts.console_desc,
                    &opts.env,
                )),
                pacer: Pacer::for_env(&opts.env),
            },
            ProgressMode::Auto | ProgressMode::Plain | ProgressMode::Tty => {
                Display::Plain(Box::new(PlainDisplay::with_env(&opts.text_desc, &opts.env)))
            }
            ProgressMode::RawJson => Display::RawJson,
            ProgressMode::Quiet => Display::Quiet,
        };
        Ok(Printer {
            display,
            out,
            warnings: Vec::new(),
            size: Box::new(|| (80, 10)),
        })
    }

    /// Uses `size` for the terminal's (width, height).
    pub fn with_size(mut self, size: impl Fn() -> (usize, usize) + Send + 'static) -> Self {
        self.size = Box::new(size);
        self
    }

    /// Whether this printer draws the live terminal view.
    pub fn is_tty(&self) -> bool {
        matches!(self.display, Display::Tty { .. })
    }

    fn emit(&mut self, bytes: &[u8]) {
        if !bytes.is_empty() {
            // Like buildx, progress output errors are not fatal.
            let _ = self.out.write_all(bytes);
            let _ = self.out.flush();
        }
    }

    /// Shows one event, received now.
    pub fn write(&mut self, status: &SolveStatus) {
        self.write_at(status, Timestamp::now());
    }

    /// Shows one event received at `now` (a recorded stream can be replayed
    /// with its own times).
    pub fn write_at(&mut self, status: &SolveStatus, now: Timestamp) {
        self.warnings.extend(status.warnings.iter().cloned());
        let (w, h) = (self.size)();
        let bytes = match &mut self.display {
            Display::Plain(d) => {
                d.update(status, now);
                d.take_output()
            }
            Display::Tty { renderer, pacer } => {
                let mut out = Vec::new();
                for at in pacer.due_ticks(now) {
                    out.extend(renderer.render(w, h, false, at));
                }
                renderer.update(status, w, now);
                if pacer.on_message(now) {
                    out.extend(renderer.render(w, h, false, now));
                }
                out
            }
            Display::RawJson => rawjson::encode(status),
            Display::Quiet => Vec::new(),
        };
        self.emit(&bytes);
    }

    /// Runs the refreshes that are due (call when no event came for a
    /// while; [`Printer::run`] does it by itself).
    pub fn tick(&mut self) {
        self.tick_at(Timestamp::now());
    }

    /// [`Printer::tick`] at a given time.
    pub fn tick_at(&mut self, now: Timestamp) {
        let (w, h) = (self.size)();
        let bytes = match &mut self.display {
            Display::Plain(d) => {
                d.tick(now);
                d.take_output()
            }
            Display::Tty { renderer, pacer } => {
                let mut out = Vec::new();
                for at in pacer.due_ticks(now) {
                    out.extend(renderer.render(w, h, false, at));
                }
                out
            }
            _ => Vec::new(),
        };
        self.emit(&bytes);
    }

    /// When the next refresh is due, if any.
    pub fn next_tick(&self) -> Option<Timestamp> {
        match &self.display {
            Display::Plain(d) => d.next_tick(),
            Display::Tty { pacer, .. } => pacer.next_tick(),
            _ => None,
        }
    }

    /// Ends the display (final print, logs of failed steps) and returns
    /// the summary.
    pub fn finish(self) -> Summary {
        self.finish_at(Timestamp::now())
    }

    /// [`Printer::finish`] at a given time.
    pub fn finish_at(mut self, now: Timestamp) -> Summary {
        let (w, h) = (self.size)();
        let mut failed = Vec::new();
        let mut error_logs = Vec::new();
        let bytes = match &mut self.display {
            Display::Plain(d) => {
                d.done(now);
                let r = d.renderer_mut();
                failed = failed_steps(r.trace());
                error_logs = r.trace().error_logs();
                r.take_output()
            }
            Display::Tty { renderer, .. } => {
                let out = renderer.done(w, h, now);
                failed = failed_steps(renderer.trace());
                error_logs = renderer.trace().error_logs();
                out
            }
            _ => Vec::new(),
        };
        self.emit(&bytes);
        Summary {
            warnings: errors::dedup_warnings(&self.warnings),
            failed,
            error_logs,
        }
    }

    /// Consumes events from `rx` until every sender is gone, refreshing
    /// the display in between, then finishes.
    pub async fn run(mut self, mut rx: mpsc::Receiver<SolveStatus>) -> Summary {
        loop {
            let wait = self.next_tick().map(|t| {
                let secs = t.seconds_since(Timestamp::now()).max(0.0);
                Duration::from_secs_f64(secs)
            });
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(s) => self.write(&s),
                    None => break,
                },
                _ = async {
                    match wait {
                        Some(d) => tokio::time::sleep(d).await,
                        None => std::future::pending::<()>().await,
                    }
                } => self.tick(),
            }
        }
        self.finish()
    }

    /// Starts a task running [`Printer::run`]; send events into the
    /// returned sender and drop it (and its clones) to finish.
    pub fn spawn(self) -> (mpsc::Sender<SolveStatus>, tokio::task::JoinHandle<Summary>) {
        let (tx, rx) = mpsc::channel(128);
        (tx, tokio::spawn(self.run(rx)))
    }
}

fn failed_steps(t: &trace::Trace) -> Vec<FailedStep> {
    t.vertexes
        .iter()
        .map(|&i| &t.states[i])
        .filter(|v| v.has_error())
        .map(|v| FailedStep {
            digest: v.vtx.digest.clone(),
            name: v.vtx.name.clone(),
            error: v.vtx.error.clone(),
            index: (v.index > 0).then_some(v.index),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_is_listed_once_and_parses_back() {
        for m in ProgressMode::ALL {
            // A mode missing from ALL would not parse: a new variant must
            // be added there (the matches above make it name itself).
            assert_eq!(ProgressMode::parse(m.as_str()).unwrap(), m);
            assert_eq!(ProgressMode::ALL.iter().filter(|x| **x == m).count(), 1);
        }
        assert_eq!(
            ProgressMode::quoted_list(),
            r#""auto", "plain", "tty", "rawjson", "quiet""#
        );
    }

    #[test]
    fn modes_like_buildx() {
        assert_eq!(
            ProgressMode::resolve("auto", false, None).unwrap(),
            ProgressMode::Auto
        );
        assert_eq!(
            ProgressMode::resolve("auto", false, Some("plain")).unwrap(),
            ProgressMode::Plain
        );
        assert_eq!(
            ProgressMode::resolve("tty", false, Some("plain")).unwrap(),
            ProgressMode::Tty
        );
        assert_eq!(
            ProgressMode::resolve("", false, Some("plain")).unwrap(),
            ProgressMode::Auto
        );
        assert_eq!(
            ProgressMode::resolve("auto", true, Some("plain")).unwrap(),
            ProgressMode::Quiet
        );
        assert_eq!(
            ProgressMode::resolve("quiet", false, None).unwrap(),
            ProgressMode::Quiet
        );
        assert_eq!(
            ProgressMode::resolve("rawjson", false, None).unwrap(),
            ProgressMode::RawJson
        );
        assert_eq!(
            ProgressMode::resolve("bogus", false, None)
                .unwrap_err()
                .to_string(),
            "invalid progress mode bogus"
        );
        assert_eq!(
            ProgressMode::resolve("auto", false, Some("bogus"))
                .unwrap_err()
                .to_string(),
            "invalid progress mode bogus"
        );
        assert_eq!(
            ProgressMode::resolve("plain", true, None)
                .unwrap_err()
                .to_string(),
            "progress=plain and quiet cannot be used together"
        );
        assert_eq!(
            Printer::new(
                ProgressMode::Tty,
                PrinterOptions::default(),
                Box::new(Vec::new()),
                false
            )
            .unwrap_err()
            .to_string(),
            "failed to get console: provided file is not a console"
        );
        assert_eq!(
            PrinterOptions::for_builder("default", "docker").text_desc,
            "building with \"default\" instance using docker driver"
        );
    }

    #[tokio::test]
    async fn channel_driven_printer_summarizes() {
        use event::Vertex;
        let buf = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Sink {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0
                    .lock()
                    .map_err(|_| std::io::Error::other("poisoned"))?
                    .extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let p = Printer::new(
            ProgressMode::Plain,
            PrinterOptions::for_builder("default", "docker"),
            Box::new(Sink(buf.clone())),
            false,
        )
        .unwrap();
        let (tx, task) = p.spawn();
        let t0 = Timestamp::now();
        tx.send(SolveStatus {
            vertexes: vec![Vertex {
                digest: "sha256:a".into(),
                name: "[1/1] RUN false".into(),
                started: Some(t0),
                completed: Some(t0.add(Duration::from_millis(20))),
                error: "exit code: 1".into(),
                ..Default::default()
            }],
            ..Default::default()
        })
        .await
        .unwrap();
        drop(tx);
        let summary = task.await.unwrap();
        assert_eq!(summary.failed.len(), 1);
        assert_eq!(summary.failed[0].index, Some(1));
        let text = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            "#0 building with \"default\" instance using docker driver\n\n#1 [1/1] RUN false\n#1 ERROR: exit code: 1\n------\n > [1/1] RUN false:\n------\n"
        );
        assert_eq!(summary.error_logs, b"------\n > [1/1] RUN false:\n------\n");
    }
}
