/// The allocator: the run allocates many small, short-lived values per file on several
/// threads, where mimalloc is faster than the system allocator and returns memory instead
/// of keeping it per thread. Its version 2 (the `v2` feature) returns freed pages to the
/// system after 10 ms where version 3 waits a second, so that a large run's peak held the
/// garbage of its last second (100k documents: 255 against 280–290 MB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its header's `mi_option_t`, which `libmimalloc-sys`
/// does not name): how many milliseconds freed memory waits before it is returned.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Has mimalloc return freed memory at once (`true`), or after the delay the program
/// started with (`false`).
#[allow(unsafe_code)]
fn purge_eagerly(on: bool) {
    static DELAY: std::sync::OnceLock<std::ffi::c_long> = std::sync::OnceLock::new();
    // SAFETY: `mi_option_get` and `mi_option_set` read and set one of mimalloc's options
    // (for every thread); they have no precondition.
    let delay = *DELAY.get_or_init(|| unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) });
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, if on { 0 } else { delay }) };
}

fn main() -> std::process::ExitCode {
    // Transparent huge pages off for the process (and the renderers it runs): mimalloc maps
    // large aligned regions, which the kernel backs with 2 MiB pages where THP is on
    // ("always", or "madvise" as mimalloc asks for them), so that a run held about a tenth
    // more memory than it used (100k documents: 285 against 259 MB), for no measurable speed.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // Where a phase of the run has freed much (the index, once the cross-object rules are
    // done) and the next allocates much, each thread returns what it freed at once, not
    // when it next allocates after the 10 ms: otherwise the freed pages and the new ones
    // add up in the run's peak (100k documents: 198–206 against 221–237 MiB; 300k: 500–504
    // against 585–589 MiB). Where a phase holds the run's largest data, what it frees is
    // returned at once (no delay), and the delay the run started with is then restored.
    // SAFETY: `mi_collect` has no precondition: it frees what the calling thread's heap no
    // longer uses, and mimalloc is this program's allocator.
    #[allow(unsafe_code)]
    plimsoll::engine::par::on_release(plimsoll::engine::par::Release {
        now: || unsafe { libmimalloc_sys::mi_collect(true) },
        eagerly: purge_eagerly,
    });
    plimsoll::cli::main()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option is the purge delay (10 ms unless the environment sets it; the options
    /// around it default to 1 and 0), and it is restored after a phase that returns memory
    /// at once.
    #[test]
    #[allow(unsafe_code)]
    fn the_purge_delay_is_set_and_restored() {
        // SAFETY: as in `purge_eagerly`.
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(), 10);
        }
        let before = get();
        purge_eagerly(true);
        assert_eq!(get(), 0);
        purge_eagerly(false);
        assert_eq!(get(), before);
    }
}
