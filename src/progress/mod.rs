//! Build progress: a typed event model and its renderers.

pub mod event;
mod gojson;
pub mod plain;
pub mod rawjson;
pub mod tty;
mod trace;
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

    /// 100ms/150ms, or both `TTY_DISPLAY_RATE` milliseconds when set.
    pub(crate) fn from_env() -> Self {
        match std::env::var("TTY_DISPLAY_RATE")
            .ok()
            .and_then(|v| v.parse::<i64>().ok())
        {
            Some(r) if r > 0 => Pacer::new(r as u64, r as u64),
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
