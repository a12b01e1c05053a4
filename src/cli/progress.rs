//! The command line's progress renderer: indicatif bars on stderr when it is a terminal,
//! one log line per finished task otherwise (CI logs), nothing with `--quiet`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio_util::sync::CancellationToken;

use super::Context;
use crate::progress::Progress;

/// A task without a total that has counted nothing yet: what it does and for how long.
const SPINNER: &str = "{spinner} {wide_msg} {elapsed}";
/// A task without a total once it counts: how many, and for how long.
const COUNTING_SPINNER: &str = "{spinner} {wide_msg} {human_pos} ({elapsed})";

fn spinner_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

pub struct CliProgress {
    bars: Option<MultiProgress>,
    active: Mutex<HashMap<String, ProgressBar>>,
    quiet: bool,
    /// Cancelled by Ctrl-C.
    cancel: CancellationToken,
}

impl CliProgress {
    pub fn new(ctx: &Context) -> Self {
        let bars = (!ctx.quiet && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Self {
            bars,
            active: Mutex::new(HashMap::new()),
            quiet: ctx.quiet,
            cancel: ctx.cancel.clone(),
        }
    }
}

impl Progress for CliProgress {
    fn start(&self, task: &str, total: Option<u64>) {
        let Some(bars) = &self.bars else { return };
        // Task names hold file and server names: shown escaped, like all printed text.
        let label = crate::terminal::escape(task).into_owned();
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(
                    "{spinner} {wide_msg} {bar:30} {human_pos}/{human_len}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            // Without a total, the time spent says it is working; a count appears only
            // once there is one (see `advance`), never a "0" beside work in progress.
            None => ProgressBar::new_spinner().with_style(spinner_style(SPINNER)),
        };
        let bar = bars.add(bar);
        bar.set_message(label);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        if let Ok(mut active) = self.active.lock() {
            active.insert(task.to_string(), bar);
        }
    }

    fn advance(&self, task: &str, n: u64) {
        if let Ok(active) = self.active.lock()
            && let Some(bar) = active.get(task)
        {
            if bar.length().is_none() && bar.position() == 0 && n > 0 {
                bar.set_style(spinner_style(COUNTING_SPINNER));
            }
            bar.inc(n);
        }
    }

    fn cancellation(&self) -> Option<&CancellationToken> {
        Some(&self.cancel)
    }

    fn finish(&self, task: &str, outcome: &str) {
        let bar = self.active.lock().ok().and_then(|mut a| a.remove(task));
        let line = crate::terminal::escape(&format!("{task}: {outcome}")).into_owned();
        match bar {
            Some(bar) => {
                // A finished line is the task and its outcome, whole: the running count
                // means nothing once the outcome says what was read.
                bar.set_style(
                    ProgressStyle::with_template("  {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.finish_with_message(line)
            }
            None if !self.quiet => tracing::info!("{line}"),
            None => {}
        }
    }
}
