//! The heap burn allocates its tensors from: embedded-alloc's linked-list first-fit allocator
//! over a static array, wrapped to record how much of it the run ever needed.
//!
//! Two high-water marks are kept: the most bytes live at once ([`Usage::peak_live`]), and the
//! highest heap offset any allocation reached ([`Usage::peak_extent`]). The second includes
//! fragmentation: it is the smallest heap this first-fit allocator could have run in.

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::ptr::addr_of_mut;
use core::sync::atomic::{AtomicUsize, Ordering};

use embedded_alloc::LlffHeap;

/// Bytes of RAM given to the heap. The weights alone take 2.3 MiB of it once copied out of
/// flash into burn's tensors; the 4 MiB of mps2-an386 leave the rest for .data, .bss and at
/// least 64 KiB of stack (`memory.x` checks that at link time).
pub const HEAP_BYTES: usize = 3 * 1024 * 1024 + 640 * 1024;

/// The global allocator.
pub struct TrackingHeap {
    inner: LlffHeap,
    start: AtomicUsize,
    peak_live: AtomicUsize,
    peak_extent: AtomicUsize,
}

/// A snapshot of the heap's use, in bytes.
#[derive(Clone, Copy)]
pub struct Usage {
    /// Bytes the heap was given.
    pub size: usize,
    /// Bytes live now.
    pub live: usize,
    /// The most bytes live at once since boot.
    pub peak_live: usize,
    /// The highest offset from the heap's start that any allocation reached since boot.
    pub peak_extent: usize,
}

#[global_allocator]
static HEAP: TrackingHeap = TrackingHeap {
    inner: LlffHeap::empty(),
    start: AtomicUsize::new(0),
    peak_live: AtomicUsize::new(0),
    peak_extent: AtomicUsize::new(0),
};

/// Hands the static heap memory to the allocator. Call once, first thing in `main`.
pub fn init() {
    static mut MEMORY: [MaybeUninit<u8>; HEAP_BYTES] = [MaybeUninit::uninit(); HEAP_BYTES];

    let start = addr_of_mut!(MEMORY) as usize;
    HEAP.start.store(start, Ordering::Relaxed);
    // SAFETY: the range is `MEMORY`'s, valid for the whole program; nothing else names
    // `MEMORY`, and `init` panics if called twice, so the allocator alone ever hands it out.
    unsafe { HEAP.inner.init(start, HEAP_BYTES) }
}

/// How much of the heap is in use now and at most since boot.
pub fn usage() -> Usage {
    Usage {
        size: HEAP_BYTES,
        live: HEAP.inner.used(),
        peak_live: HEAP.peak_live.load(Ordering::Relaxed),
        peak_extent: HEAP.peak_extent.load(Ordering::Relaxed),
    }
}

// SAFETY: every call goes straight to `LlffHeap`, a sound allocator; the wrapper only reads its
// counters and the returned address afterwards.
unsafe impl GlobalAlloc for TrackingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let pointer = unsafe { self.inner.alloc(layout) };
        if !pointer.is_null() {
            let extent = pointer as usize + layout.size() - self.start.load(Ordering::Relaxed);
            self.peak_extent.fetch_max(extent, Ordering::Relaxed);
            self.peak_live
                .fetch_max(self.inner.used(), Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.inner.dealloc(pointer, layout) }
    }
}
