//! Heap memory given back to the operating system.
//!
//! glibc keeps what is freed in the arena of the thread that allocated it,
//! and returns it to the system only from the top of a heap. When one
//! large structure is drained into another (the partial aggregates of two
//! threads merged after the scan), the freed memory of the drained one
//! stays resident while the other grows: [`give_back`] returns the free
//! pages of every arena, so the resident size follows what is live.

/// Return the heap's free pages to the operating system (glibc
/// `malloc_trim`; elsewhere nothing).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only releases free memory of the allocator;
        // it takes no pointer and is thread-safe (it locks each arena).
        unsafe {
            libc::malloc_trim(0);
        }
    }
}
