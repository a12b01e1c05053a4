//! One progress abstraction, two renderers: indicatif on stderr for the command line,
//! messages on a channel for the TUI. The library reports; it never knows who listens.
//!
//! The same object carries the run's cancellation (Ctrl-C on the command line, Esc in the
//! TUI), so every long loop that reports progress can also be stopped: it calls
//! [`Progress::checkpoint`] every few documents, entries or lines and returns
//! [`Cancelled`] (through its own error type) when asked to stop. A check is a mutex-free
//! uncontended lock of the token's state and costs nanoseconds; loops check at least every
//! few milliseconds of work so a cancel is seen well within 200 ms.

use tokio_util::sync::CancellationToken;

/// The run was asked to stop. Readers turn it into their own error's `Interrupted`
/// variant, which the command line maps to exit code 130.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted")]
pub struct Cancelled;

/// Receives progress from long-running library work (reading sources, running checks).
/// `task` names what is being done, e.g. `ATA dump SuspiciousActivity.bson`.
pub trait Progress: Send + Sync {
    /// A task starts; `total` is the amount of work when known.
    fn start(&self, task: &str, total: Option<u64>);
    /// `n` more units of the task are done.
    fn advance(&self, task: &str, n: u64);
    /// A task ended; `outcome` is a short summary (`ok`, `12,000 documents`, an error).
    fn finish(&self, task: &str, outcome: &str);

    /// The token that stops this run, when it can be stopped.
    fn cancellation(&self) -> Option<&CancellationToken> {
        None
    }

    /// True once the run was asked to stop.
    fn is_cancelled(&self) -> bool {
        self.cancellation()
            .is_some_and(CancellationToken::is_cancelled)
    }

    /// `Err(Cancelled)` once the run was asked to stop: `progress.checkpoint()?` in a
    /// long loop.
    fn checkpoint(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Progress that goes nowhere (tests, `--quiet`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: &str, _: u64) {}
    fn finish(&self, _: &str, _: &str) {}
}

/// Progress that goes nowhere, for a run that `0` stops (tests, library callers).
#[derive(Debug, Default, Clone)]
pub struct Stoppable(pub CancellationToken);

impl Progress for Stoppable {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: &str, _: u64) {}
    fn finish(&self, _: &str, _: &str) {}
    fn cancellation(&self) -> Option<&CancellationToken> {
        Some(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_fails_once_the_token_is_cancelled() {
        let token = CancellationToken::new();
        let p = Stoppable(token.clone());
        assert_eq!(p.checkpoint(), Ok(()));
        token.cancel();
        assert_eq!(p.checkpoint(), Err(Cancelled));
        assert_eq!(Silent.checkpoint(), Ok(()));
    }
}
