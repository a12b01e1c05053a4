//! What kind of failure stopped a command: what the binary's edge turns into an exit code
//! (see `cli::exit`; whether checks passed is `checks::verdict::RunVerdict`).
//!
//! This module imports nothing of the crate, so every reader can say what kind its errors
//! are without knowing about exit codes, and `error.rs` can wrap the readers' errors
//! without an import circle.

/// The kind of a failure, as a script running ata2atp needs to tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Usage or input error: a bad flag, file, field or engagement folder. Fix the input.
    Input,
    /// A source could not be reached or read (network, TLS, credentials, server too old,
    /// a tool such as the browser). Fix the environment and try again.
    Source,
    /// Another ata2atp holds the engagement's writer's lock; nothing was changed.
    Busy,
    /// Stopped by Ctrl-C (or Esc in the TUI).
    Interrupted,
}
