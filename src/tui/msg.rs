//! Everything that can happen to the TUI: keys, ticks, and what background work reports.
//! Background tasks only ever talk to the screen through these messages.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use serde_json::Value;

use crate::checklist::Definition;
use crate::engagement::EngagementError;
use crate::model::{ChecklistChange, ChecklistState, ChecksFile, Inventory};

/// How a background run (collection, checks) ended.
#[derive(Debug)]
pub enum RunEnd {
    /// It finished: the notice to show.
    Done(String),
    /// It stopped on an error, said in words.
    Failed(String),
    /// Esc stopped it.
    Cancelled,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    /// A click or a turn of the wheel (moves and drags are not sent).
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Time passes: spinners turn, waits of the checklist expire.
    Tick(DateTime<Utc>),
    /// The checks and the checklist (definition and state) were read.
    Loaded(Box<Loaded>),
    /// The inventory was read (or found missing, or unreadable).
    InventoryLoaded(Box<InventoryLoaded>),
    /// A background task reports progress (see [`super::progress::ChannelProgress`]).
    Progress(ProgressEvent),
    /// New check results were saved (a run, an accepted or withdrawn risk).
    ChecksSaved {
        checks: Box<ChecksFile>,
        message: String,
        /// Saved by a run (not counted as a pending edit).
        by_run: bool,
    },
    /// A run ended.
    RunFinished(RunEnd),
    /// A checklist change was saved, or refused with the reasons.
    /// The error is the library's own, worded for the screen by `strings::set_refused`.
    ChecklistSaved(Result<Box<(ChecklistState, ChecklistChange)>, crate::checklist::Error>),
    /// A write other than the checklist failed (accepting a risk, …).
    WriteFailed(String),
    ReportWritten(Result<Box<crate::report::Written>, crate::report::Error>),
}

/// What the first load read besides the inventory.
#[derive(Debug)]
pub struct Loaded {
    pub checks: Result<Option<ChecksFile>, EngagementError>,
    pub definition: Result<Arc<Definition>, crate::checklist::Error>,
    /// The saved state; `Ok(None)` when no step was touched yet (or it follows another
    /// guide, which the TUI shows fresh rather than overwrite).
    pub state: Result<Option<ChecklistState>, crate::checklist::Error>,
    pub guides: Vec<String>,
}

#[derive(Debug)]
pub struct InventoryLoaded {
    pub inventory: Result<Option<Arc<Inventory>>, EngagementError>,
    pub sha256: Option<String>,
    /// The checklist's view of inventory and configuration (see
    /// [`crate::checklist::document::of`]).
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressEvent {
    Start { task: String, total: Option<u64> },
    Advance { task: String, n: u64 },
    Finish { task: String, outcome: String },
}
