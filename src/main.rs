//! The `dlq` binary: everything happens in the library (`dlq::main`).

/// mimalloc rather than the system allocator: a scan allocates and frees a record, its headers
/// and its rendered line per entry, and glibc's malloc took a quarter of the CPU time of a
/// 1,000,000-entry `list -o jsonl` (docs/BENCHMARKS.md, "What the profiles showed").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dlq::main()
}
