/// The allocator: the run allocates many small, short-lived values per file on several
/// threads, where mimalloc is faster than the system allocator and returns memory instead
/// of keeping it per thread. Its version 2 (the `v2` feature) returns freed pages to the
/// system after 10 ms where version 3 waits a second, so that a large run's peak held the
/// garbage of its last second (100k documents: 255 against 280–290 MB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    // against 585–589 MiB).
    // SAFETY: `mi_collect` has no precondition: it frees what the calling thread's heap no
    // longer uses, and mimalloc is this program's allocator.
    #[allow(unsafe_code)]
    plimsoll::engine::par::on_release(|| unsafe { libmimalloc_sys::mi_collect(true) });
    plimsoll::cli::main()
}
