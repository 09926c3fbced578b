//! The `dlq` binary: everything happens in the library (`dlq::main`).

fn main() -> std::process::ExitCode {
    dlq::main()
}
