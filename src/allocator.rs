//! Tuning of mimalloc, the global allocator of the `keyform` binary (and of the benchmarks,
//! so they measure what the binary does).

/// mimalloc v3's `mi_option_purge_delay` (its `mi_option_e` enum).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A command frees and reallocates large amounts as it moves from loading to planning to
/// saving. mimalloc returns freed memory to the OS after 10 ms by default, and the kernel then
/// zeroes it again on reuse: on a 100,000-resource plan that refaulting took a third of the
/// time (`cargo bench -- noop`, the no-op plan row). Freed memory is kept instead; a command's footprint is its
/// peak either way, and `serve`'s working set is small.
#[allow(unsafe_code)]
pub fn tune_mimalloc() {
    // SAFETY: plain calls into mimalloc's option table, which is valid from process start.
    unsafe {
        // Its default: 10 ms, or 1000 in mimalloc's debug builds. Anything else means the
        // numbering moved (the pinned libmimalloc-sys version guards that too).
        debug_assert!(
            matches!(
                libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY),
                10 | 1000
            ),
            "mimalloc's option numbering changed: fix MI_OPTION_PURGE_DELAY"
        );
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
    }
}
