//! Phase timings on stderr, for profiling a run: set `AUTHSWEEP_TIMINGS=1`
//! and each phase (read, merge, detectors, evidence, report) prints its
//! wall time when it ends, with the resident memory then and the peak so
//! far (Linux). Off by default; costs one check per phase.

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
                "authsweep: timing: {:<10} {:>8.3} s{}",
                self.name,
                s.elapsed().as_secs_f64(),
                memory()
            );
        }
    }
}

/// `  rss N MiB  peak N MiB` from `/proc/self/status` (empty elsewhere).
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    match (kib("VmRSS:"), kib("VmHWM:")) {
        (Some(rss), Some(peak)) => {
            format!("  rss {:>4} MiB  peak {:>4} MiB", rss / 1024, peak / 1024)
        }
        _ => String::new(),
    }
}
