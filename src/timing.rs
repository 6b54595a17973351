//! Phase timings on stderr, for profiling a run: set `AUTHSWEEP_TIMINGS=1`
//! and each phase (read, renumber, merge, detectors, evidence, model,
//! write) prints its wall time when it ends, the processor time of the
//! whole process during it (user and system, every thread: on a busy
//! machine the wall time says little), the resident memory then and the
//! peak so far (Linux). Off by default; costs one check per phase.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("AUTHSWEEP_TIMINGS").is_some_and(|v| v != "0"))
}

/// A running phase; prints its name and duration when dropped.
pub struct Phase {
    name: &'static str,
    start: Option<(Instant, f64)>,
}

/// Start timing the phase `name`.
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        start: enabled().then(|| (Instant::now(), cpu_seconds())),
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some((wall, cpu)) = self.start {
            eprintln!(
                "authsweep: timing: {:<10} {:>8.3} s  cpu {:>6.3} s{}",
                self.name,
                wall.elapsed().as_secs_f64(),
                cpu_seconds() - cpu,
                memory()
            );
        }
    }
}

/// Print `what` (a count of a phase) on the same terms: only when timings
/// are on.
pub fn note(what: std::fmt::Arguments<'_>) {
    if enabled() {
        eprintln!("authsweep: timing: {what}");
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

/// User and system time of the process so far, every thread (0 where
/// unknown).
fn cpu_seconds() -> f64 {
    #[cfg(unix)]
    {
        // SAFETY: an all-zero `rusage` is a valid value; getrusage writes
        // one in place.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `u` is a live, writable `rusage`.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } == 0 {
            let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
            return tv(u.ru_utime) + tv(u.ru_stime);
        }
    }
    0.0
}
