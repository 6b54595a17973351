//! Heap memory given back to the operating system.
//!
//! The `authsweep` binary allocates with mimalloc (set in `main.rs`, with
//! its arenas committed on demand, not eagerly, so that the resident size
//! is what is used). Against the system allocator it cut the scan's
//! processor time by a tenth (growing vectors, small boxes, and their
//! frees from other threads), for a peak 10-16 MiB higher on the bench
//! log (`benches/RESULTS.md`).
//!
//! When one large structure is drained into another (two states merged),
//! the memory the drained one frees would stay with the allocator while
//! the other grows: [`give_back`] returns the free pages to the system, so
//! the resident size follows what is live.

/// Return the heap's free pages to the operating system (mimalloc's
/// `mi_collect`; a heap that mimalloc does not serve, as in the library's
/// unit tests, has nothing to return).
pub fn give_back() {
    // SAFETY: mi_collect only releases memory the allocator holds free;
    // it takes no pointer.
    unsafe { libmimalloc_sys::mi_collect(true) };
}
