/// The allocator: the run allocates many small, short-lived values per file on several
/// threads, where mimalloc is faster than the system allocator and returns memory instead
/// of keeping it per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    plimsoll::cli::main()
}
