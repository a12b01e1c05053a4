//! One progress abstraction, two renderers: indicatif on stderr for the command line,
//! messages on a channel for the TUI. The library reports; it never knows who listens.

/// Receives progress from long-running library work (reading sources, running checks).
/// `task` names what is being done, e.g. `ATA dump SuspiciousActivity.bson`.
pub trait Progress: Send + Sync {
    /// A task starts; `total` is the amount of work when known.
    fn start(&self, task: &str, total: Option<u64>);
    /// `n` more units of the task are done.
    fn advance(&self, task: &str, n: u64);
    /// A task ended; `outcome` is a short summary (`ok`, `12,000 documents`, an error).
    fn finish(&self, task: &str, outcome: &str);
}

/// Progress that goes nowhere (tests, `--quiet`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: &str, _: u64) {}
    fn finish(&self, _: &str, _: &str) {}
}
