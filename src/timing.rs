//! Phase timings on stderr, for profiling a run: set `AUTHSWEEP_TIMINGS=1`
//! and each phase (read, merge, detectors, evidence, report) prints its
//! wall time when it ends. Off by default; costs one check per phase.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("AUTHSWEEP_TIMINGS").is_some_and(|v| v != "0"))
}

/// A running phase; prints its name and duration when dropped.
pub struct Phase {
    name: &'static str,
    start: Option<Instant>,
}

/// Start timing the phase `name`.
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        start: enabled().then(Instant::now),
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(s) = self.start {
            eprintln!(
                "authsweep: timing: {:<10} {:>8.3} s",
                self.name,
                s.elapsed().as_secs_f64()
            );
        }
    }
}
