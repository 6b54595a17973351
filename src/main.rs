//! The `authsweep` command: parse arguments, run, map errors to exit codes.

use authsweep::app::{self, exit};
use authsweep::config::UsageError;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = authsweep::cli::Args::parse();
    match app::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed pipe (`authsweep events | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::from(exit::OK);
            }
            eprintln!("authsweep: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(exit::USAGE)
            } else {
                ExitCode::from(exit::INPUT)
            }
        }
    }
}

/// The heap: mimalloc (see [`authsweep::memory`]).
#[global_allocator]
static HEAP: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` (`include/mimalloc.h` of its
/// v2 sources: the fifth option; the crate names no constant for it).
#[cfg(target_os = "linux")]
const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;

/// Arenas committed on demand: committed eagerly (mimalloc's default where
/// memory is overcommitted), the pages mimalloc frees are only marked
/// reusable and stay resident (up to 15 MiB more at the peak of the bench
/// scan), and
/// purging them cost more system time than it saved. Set before anything
/// is allocated (a constructor, run before `main`): the first arena is
/// reserved by the first allocation.
#[cfg(target_os = "linux")]
extern "C" fn heap_options() {
    // SAFETY: sets an option value; no pointer, no allocation.
    unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) };
}

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static HEAP_OPTIONS: extern "C" fn() = heap_options;
