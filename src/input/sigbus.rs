//! A guard that turns SIGBUS on a memory-mapped log into a reported
//! "file changed during the read" instead of a crash (DESIGN-NOTES.md §7).
//!
//! `logrotate copytruncate` can truncate a file that was old enough to be
//! mapped. Touching a mapped page past the new end raises SIGBUS. While a
//! map is registered here, a SIGBUS handler asks each registered file for
//! its current size (`lseek`, async-signal-safe) and maps anonymous zero
//! pages over the part of the map that now lies past the end; the access
//! that faulted is retried and reads zeros, and the reader, which checks
//! the size before each block, stops and reports the file. A SIGBUS that
//! no registered map explains restores the default action, so it still
//! kills the process as before.
//!
//! Only on Linux (the system calls through the `libc` crate); on other
//! targets [`register`] returns `None` and files are read, not mapped.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Maps watched at once (files read in parallel); a file that finds no
/// free slot is read instead of mapped.
const SLOTS: usize = 64;

struct Slot {
    /// File descriptor + 1; 0 when free.
    fd: AtomicUsize,
    addr: AtomicUsize,
    len: AtomicUsize,
    hit: AtomicBool,
}

#[allow(clippy::declare_interior_mutable_const)]
const FREE: Slot = Slot {
    fd: AtomicUsize::new(0),
    addr: AtomicUsize::new(0),
    len: AtomicUsize::new(0),
    hit: AtomicBool::new(false),
};

static TABLE: [Slot; SLOTS] = [FREE; SLOTS];
static PAGE: AtomicUsize = AtomicUsize::new(0);

/// A registered map; unregisters on drop (drop it before the map).
pub struct Guard {
    slot: usize,
}

impl Guard {
    /// Whether the handler had to replace pages of this map (the file
    /// shrank while mapped).
    pub fn hit(&self) -> bool {
        TABLE[self.slot].hit.load(Ordering::Acquire)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        TABLE[self.slot].fd.store(0, Ordering::Release);
    }
}

#[cfg(target_os = "linux")]
mod sys {
    use super::{Ordering, PAGE, TABLE};
    use libc::{
        c_int, c_void, lseek, mmap, sighandler_t, signal, sysconf, _SC_PAGESIZE, MAP_ANONYMOUS,
        MAP_FAILED, MAP_FIXED, MAP_PRIVATE, PROT_READ, SEEK_END, SIGBUS, SIG_DFL, SIG_ERR,
    };

    extern "C" fn on_sigbus(_sig: c_int) {
        let page = PAGE.load(Ordering::Relaxed).max(1);
        let mut fixed = false;
        for s in TABLE.iter() {
            let fd = s.fd.load(Ordering::Acquire);
            if fd == 0 {
                continue;
            }
            let (addr, len) = (
                s.addr.load(Ordering::Acquire),
                s.len.load(Ordering::Acquire),
            );
            // SAFETY: lseek on a descriptor the registering reader keeps
            // open; async-signal-safe.
            let size = unsafe { lseek((fd - 1) as c_int, 0, SEEK_END) };
            if size < 0 {
                continue;
            }
            let keep = (size as usize).min(len).div_ceil(page) * page;
            if keep < len {
                // SAFETY: replaces pages inside a live read-only private map
                // this process owns; async-signal-safe system call.
                let r = unsafe {
                    mmap(
                        (addr + keep) as *mut c_void,
                        len - keep,
                        PROT_READ,
                        MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS,
                        -1,
                        0,
                    )
                };
                if r != MAP_FAILED {
                    fixed = true;
                    s.hit.store(true, Ordering::Release);
                }
            }
        }
        if !fixed {
            // Not ours: the default action (the access faults again).
            // SAFETY: signal() is async-signal-safe.
            unsafe {
                signal(SIGBUS, SIG_DFL);
            }
        }
    }

    pub fn install() -> bool {
        // SAFETY: sysconf and signal with a handler that only calls
        // async-signal-safe functions and touches atomics.
        unsafe {
            let p = sysconf(_SC_PAGESIZE);
            if p <= 0 {
                return false;
            }
            PAGE.store(p as usize, Ordering::Relaxed);
            signal(SIGBUS, on_sigbus as *const () as sighandler_t) != SIG_ERR
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    pub fn install() -> bool {
        false
    }
}

fn installed() -> bool {
    static ONCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ONCE.get_or_init(sys::install)
}

/// Watch the map `addr..addr+len` of the open file `fd`; `None` when the
/// guard cannot be had (then do not map).
pub fn register(fd: std::os::fd::RawFd, addr: *const u8, len: usize) -> Option<Guard> {
    if !installed() || fd < 0 {
        return None;
    }
    for (i, s) in TABLE.iter().enumerate() {
        // Claim with a placeholder, fill, then publish the descriptor.
        if s.fd
            .compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            s.addr.store(addr as usize, Ordering::Release);
            s.len.store(len, Ordering::Release);
            s.hit.store(false, Ordering::Release);
            s.fd.store(fd as usize + 1, Ordering::Release);
            return Some(Guard { slot: i });
        }
    }
    None
}
