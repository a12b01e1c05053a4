//! The TUI's renderer of library progress: every call becomes a message on the screen's
//! channel (the command line's renderer draws indicatif bars instead).

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::msg::{Msg, ProgressEvent};
use crate::progress::Progress;

pub struct ChannelProgress {
    tx: UnboundedSender<Msg>,
    /// The run's token (Esc): the library's loops stop at their next checkpoint.
    cancel: CancellationToken,
}

impl ChannelProgress {
    pub fn new(tx: UnboundedSender<Msg>, cancel: CancellationToken) -> Self {
        Self { tx, cancel }
    }

    fn send(&self, event: ProgressEvent) {
        // The screen may already be closing; progress is then of no interest.
        let _ = self.tx.send(Msg::Progress(event));
    }
}

impl Progress for ChannelProgress {
    fn start(&self, task: &str, total: Option<u64>) {
        self.send(ProgressEvent::Start {
            task: task.to_string(),
            total,
        });
    }

    fn advance(&self, task: &str, n: u64) {
        self.send(ProgressEvent::Advance {
            task: task.to_string(),
            n,
        });
    }

    fn cancellation(&self) -> Option<&CancellationToken> {
        Some(&self.cancel)
    }

    fn finish(&self, task: &str, outcome: &str) {
        self.send(ProgressEvent::Finish {
            task: task.to_string(),
            outcome: outcome.to_string(),
        });
    }
}
