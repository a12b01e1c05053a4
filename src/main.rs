//! The `ata2atp` binary: everything lives in the library; see `ata2atp::cli`.

/// See Cargo.toml: the dump reader's many small documents, made on one thread and freed
/// on another.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ata2atp::cli::main()
}
