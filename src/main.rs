//! The `ata2atp` binary: everything lives in the library; see `ata2atp::cli`.

fn main() -> std::process::ExitCode {
    ata2atp::cli::main()
}
