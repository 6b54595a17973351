//! Phase timings on stderr, for profiling a run: set `AUTHSWEEP_TIMINGS=1`
//! and each phase (read, merge, detectors, evidence, report) prints its
//! wall time when it ends, the processor time of the whole process during
//! it (user and system, every thread: on a busy machine the wall time
//! says little), the resident memory then and the peak so far (Linux). Off
//! by default; costs one check per phase.

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
    #[cfg(target_os = "linux")]
    {
        /// `struct rusage` of Linux: two `timeval`s, then 14 longs.
        #[repr(C)]
        struct Rusage {
            utime: [std::ffi::c_long; 2],
            stime: [std::ffi::c_long; 2],
            rest: [std::ffi::c_long; 14],
        }
        extern "C" {
            fn getrusage(who: std::ffi::c_int, usage: *mut Rusage) -> std::ffi::c_int;
        }
        let mut u = Rusage {
            utime: [0; 2],
            stime: [0; 2],
            rest: [0; 14],
        };
        // SAFETY: `u` has the layout of `struct rusage`; RUSAGE_SELF is 0.
        if unsafe { getrusage(0, &mut u) } == 0 {
            let tv = |t: [std::ffi::c_long; 2]| t[0] as f64 + t[1] as f64 * 1e-6;
            return tv(u.utime) + tv(u.stime);
        }
    }
    0.0
}
