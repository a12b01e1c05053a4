//! The TUI's state: everything the screen shows is read from an [`App`], and only
//! [`super::update::update`] changes it. Values derived from the engagement (the
//! checklist's list and the selected step laid out as lines, filtered row indices) are
//! computed there once per change, so drawing a frame never walks the whole inventory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::theme::Theme;
use super::widgets::input::TextInput;
pub use super::widgets::table::Cursor;
use crate::checklist::Definition;
use crate::checklist::definition::FieldKind;
use crate::checklist::view::{ListView, StepView};
use crate::engagement::EngagementConfig;
use crate::model::{ChecklistState, ChecksFile, Inventory, Status, StepStatus};
use crate::secrets::SecretString;

/// The screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Overview,
    Inventory,
    Prerequisites,
    Checklist,
    Report,
    Collect,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Screen::Overview,
        Screen::Inventory,
        Screen::Prerequisites,
        Screen::Checklist,
        Screen::Report,
        Screen::Collect,
    ];

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn title(self) -> &'static str {
        use super::strings as s;
        match self {
            Screen::Overview => s::SCREEN_OVERVIEW,
            Screen::Inventory => s::SCREEN_INVENTORY,
            Screen::Prerequisites => s::SCREEN_PREREQUISITES,
            Screen::Checklist => s::SCREEN_CHECKLIST,
            Screen::Report => s::SCREEN_REPORT,
            Screen::Collect => s::SCREEN_COLLECT,
        }
    }
}

/// Which of a screen's two panes has the keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Left,
    Right,
}

/// A file of the engagement as loaded: still loading, absent, read, or unreadable.
#[derive(Debug, Clone, Default)]
pub enum Loadable<T> {
    #[default]
    Loading,
    Missing,
    Ready(T),
    Failed(String),
}

impl<T> Loadable<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Loadable::Ready(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Loadable::Loading)
    }
}

/// What the engagement holds, as far as it has been read.
#[derive(Debug, Clone)]
pub struct Data {
    pub config: Arc<EngagementConfig>,
    pub inventory: Loadable<Arc<Inventory>>,
    /// SHA-256 of `inventory.yaml` as read, to tell whether the checks ran on it.
    pub inventory_sha256: Option<String>,
    /// The inventory and configuration as the checklist's path language sees them
    /// (built off the render path, with the inventory).
    pub document: Option<Value>,
    pub checks: Loadable<Arc<ChecksFile>>,
    pub definition: Loadable<Arc<Definition>>,
    /// The checklist state; a fresh one when none was saved or it belongs to another
    /// guide. `state_error` says when `checklist.yaml` could not be read.
    pub state: ChecklistState,
    pub state_error: Option<String>,
    /// Guides that can be reported on (the engagement's own, then the built-in ones).
    pub guides: Vec<String>,
}

impl Data {
    pub fn new(config: Arc<EngagementConfig>) -> Self {
        let state = ChecklistState::new(config.guide.clone());
        Self {
            config,
            inventory: Loadable::Loading,
            inventory_sha256: None,
            document: None,
            checks: Loadable::Loading,
            definition: Loadable::Loading,
            state,
            state_error: None,
            guides: Vec::new(),
        }
    }

    /// The checks ran on an earlier inventory than the one loaded.
    pub fn checks_stale(&self) -> bool {
        match (self.checks.ready(), &self.inventory_sha256) {
            (Some(c), Some(sha)) => c
                .inventory_sha256
                .as_deref()
                .is_some_and(|a| !a.eq_ignore_ascii_case(sha)),
            _ => false,
        }
    }
}

/// A line in the notice panel or the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Error,
}

impl Level {
    /// The colour of a notice of this level.
    pub fn style(self, theme: &Theme) -> ratatui::style::Style {
        match self {
            Level::Info => theme.info(),
            Level::Success => theme.ok(),
            Level::Error => theme.error(),
        }
    }
}

/// What the text typed into a prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    /// A record field of a step.
    Field {
        step: String,
        key: String,
    },
    Note {
        step: String,
    },
    /// A file to attach to a step as evidence.
    Evidence {
        step: String,
    },
    /// The reason a step is skipped or blocked.
    StepReason {
        step: String,
        status: StepStatus,
    },
    AcceptReason {
        key: String,
    },
    AcceptBy {
        key: String,
        reason: String,
    },
    Filter(Screen),
    Password(SecretKind),
}

/// A one-line text prompt over the screen.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub title: String,
    pub purpose: PromptPurpose,
    pub input: TextInput,
}

/// The statuses the status menu offers, in its order.
pub const STATUS_CHOICES: [StepStatus; 5] = [
    StepStatus::Todo,
    StepStatus::InProgress,
    StepStatus::Done,
    StepStatus::Skipped,
    StepStatus::Blocked,
];

/// A small list to choose from (a step's status) or a yes/no confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Menu {
    Status { step: String, selected: usize },
    ConfirmRevoke { key: String },
}

/// The passwords a run may need. Held only here, as [`SecretString`], for the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Mongo,
    Ldap,
    Proxy,
}

/// `Some(None)`: asked, and left empty (the proxy is then probed without a password; a
/// source that needs one says so when it is read).
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    pub mongo: Option<Option<SecretString>>,
    pub ldap: Option<Option<SecretString>>,
    pub proxy: Option<Option<SecretString>>,
}

/// A background run: the inventory (then the checks), or the checks alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Collect,
    Checks,
    /// One check again (the id is kept in [`RunState::only`]).
    CheckOne,
}

/// One task a run reported through the progress channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskLine {
    pub name: String,
    pub total: Option<u64>,
    pub done: u64,
    /// How it ended; `None` while it runs.
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RunState {
    /// The run in progress, if any.
    pub active: Option<RunKind>,
    /// A run was asked to start but waits for a password prompt.
    pub pending: Option<RunKind>,
    pub only: Vec<String>,
    pub cancelling: bool,
    pub tasks: Vec<TaskLine>,
    /// How the last run ended (shown on the Collect screen).
    pub last: Option<Notice>,
    /// Spinner frame, advanced by ticks while a run is active.
    pub spinner: usize,
}

/// One line of the selected step, laid out once per change.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailLine {
    pub kind: LineKind,
    pub text: String,
    /// What Enter or y acts on when this line is selected.
    pub target: Option<Target>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Title,
    Meta,
    Heading,
    Text,
    Value,
    TableHeader,
    Missing,
    Field,
    GateOk,
    GateBad,
    Problem,
    Good,
    Blank,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A value to copy to the clipboard.
    Copy(String),
    /// A record field to fill in.
    Field {
        key: String,
        label: String,
        kind: FieldKind,
        choices: Vec<String>,
        value: Option<String>,
    },
}

/// A line of the step list: a phase heading or a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListRow {
    Phase(usize),
    Step { phase: usize, step: usize },
}

#[derive(Debug, Clone, Default)]
pub struct ChecklistUi {
    pub focus: Pane,
    pub list: Option<ListView>,
    pub rows: Vec<ListRow>,
    pub cursor: Cursor,
    pub step: Option<StepView>,
    pub detail: Vec<DetailLine>,
    /// Index into `detail` of the selected line (a value or field), when the step pane
    /// has the focus.
    pub detail_selected: Option<usize>,
    pub detail_offset: usize,
    /// Width the detail was laid out for (re-laid out on resize).
    pub detail_width: u16,
    /// The minute the derived views were computed for (waits count in minutes).
    pub derived_minute: Option<i64>,
    /// The step to select once the list is known (e.g. from the Overview's Enter).
    pub want_step: Option<String>,
    /// The copy queue over the selected step's values, when open.
    pub queue: Option<QueueUi>,
}

/// The copy queue: a step's list and table values one at a time, to copy into the portal
/// and tick as entered. The ticks are the state's (`StepState::entered`), never kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueUi {
    pub step: String,
    pub items: Vec<crate::checklist::bind::QueueItem>,
    pub index: usize,
    /// The cell `c` copies (kept from value to value: walking the exclusions, copy
    /// each one's value column).
    pub cell: usize,
}

impl ChecklistUi {
    pub fn selected_step_id(&self) -> Option<&str> {
        match self.rows.get(self.cursor.selected)? {
            ListRow::Step { phase, step } => self
                .list
                .as_ref()?
                .phases
                .get(*phase)?
                .steps
                .get(*step)
                .map(|s| s.id.as_str()),
            ListRow::Phase(_) => None,
        }
    }

    pub fn selected_target(&self) -> Option<&Target> {
        self.detail.get(self.detail_selected?)?.target.as_ref()
    }
}

/// Per-section state of the Inventory screen.
#[derive(Debug, Clone, Default)]
pub struct SectionUi {
    pub cursor: Cursor,
    pub filter: String,
    /// Rows matching the filter (indices into the section); `None` when not filtered.
    pub matches: Option<Vec<usize>>,
}

/// A pop-up with the fields of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailPopup {
    pub title: String,
    pub pairs: Vec<(String, String)>,
    pub scroll: usize,
}

#[derive(Debug, Clone, Default)]
pub struct InventoryUi {
    pub focus: Pane,
    pub section: Cursor,
    pub sections: Vec<SectionUi>,
    pub popup: Option<DetailPopup>,
}

/// What stands in the way, as the Overview lists it: a failing check not accepted as a
/// risk, or a step marked blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// An index into `checks.results`.
    Check(usize),
    /// A step id.
    Step(String),
}

/// The Overview's blockers list: `Pane::Right` when it has the keys (j/k moved into it),
/// else Enter opens the next step.
#[derive(Debug, Clone, Default)]
pub struct OverviewUi {
    pub focus: Pane,
    pub cursor: Cursor,
}

#[derive(Debug, Clone, Default)]
pub struct PrereqUi {
    pub focus: Pane,
    pub cursor: Cursor,
    pub filter: String,
    /// The results shown, as indices into `checks.results`: those matching the filter,
    /// failing first, then warn/unknown/manual, then pass (the file's order within each).
    pub rows: Vec<usize>,
    pub detail_scroll: usize,
}

/// The Report screen's choices and what it wrote.
#[derive(Debug, Clone)]
pub struct ReportUi {
    /// 0 guide, 1 format, 2 redaction.
    pub option: usize,
    pub guide: usize,
    pub format: crate::report::Format,
    pub redact: bool,
    pub busy: bool,
    pub written: Vec<crate::report::Written>,
    pub error: Option<String>,
}

impl Default for ReportUi {
    fn default() -> Self {
        Self {
            option: 0,
            guide: 0,
            format: crate::report::Format::Html,
            redact: false,
            busy: false,
            written: Vec::new(),
            error: None,
        }
    }
}

/// The formats the Report screen offers, in its order (those of `report --format`).
pub const REPORT_FORMATS: [crate::report::Format; 5] = [
    crate::report::Format::Html,
    crate::report::Format::Md,
    crate::report::Format::Csv,
    crate::report::Format::Pdf,
    crate::report::Format::Actions,
];

/// Everything on screen.
#[derive(Debug)]
pub struct App {
    pub root: PathBuf,
    /// How the engagement folder is named on screen (tests put a fixed name here).
    pub root_label: String,
    /// Who signs checklist changes and accepted risks.
    pub by: String,
    /// Set when another ata2atp holds the engagement: edits are refused.
    pub read_only: Option<String>,
    pub theme: Theme,
    pub size: (u16, u16),
    pub now: DateTime<Utc>,
    pub screen: Screen,
    /// The help overlay, with its scroll offset.
    pub help: Option<usize>,
    pub quit: bool,
    /// q was pressed once while a run was active.
    pub quit_armed: bool,
    pub notice: Option<Notice>,
    pub prompt: Option<Prompt>,
    pub menu: Option<Menu>,
    pub data: Data,
    pub overview: OverviewUi,
    pub inventory: InventoryUi,
    pub prereq: PrereqUi,
    pub checklist: ChecklistUi,
    pub report: ReportUi,
    pub run: RunState,
    pub secrets: Secrets,
    /// Writes queued and not yet confirmed.
    pub saving: usize,
}

impl App {
    /// How many of `queue`'s values the state has ticked.
    pub fn entered_count(&self, queue: &QueueUi) -> usize {
        let entered = &self.data.state.step(&queue.step).entered;
        queue
            .items
            .iter()
            .filter(|i| entered.contains(&i.id))
            .count()
    }

    /// A fresh app on an engagement whose configuration is read; everything else loads
    /// in the background. `by` overrides the engagement's consultant as the name
    /// recorded with changes.
    pub fn new(
        root: &Path,
        config: Arc<EngagementConfig>,
        by: Option<String>,
        color: bool,
        size: (u16, u16),
        now: DateTime<Utc>,
    ) -> Self {
        let by = by
            .filter(|b| !b.trim().is_empty())
            .unwrap_or_else(|| config.consultant.clone());
        Self {
            root: root.to_path_buf(),
            root_label: root.display().to_string(),
            by,
            read_only: None,
            theme: Theme::new(color),
            size,
            now,
            screen: Screen::Overview,
            help: None,
            quit: false,
            quit_armed: false,
            notice: None,
            prompt: None,
            menu: None,
            data: Data::new(config),
            overview: OverviewUi::default(),
            inventory: InventoryUi {
                sections: vec![SectionUi::default(); super::sections::Section::ALL.len()],
                ..InventoryUi::default()
            },
            prereq: PrereqUi::default(),
            checklist: ChecklistUi::default(),
            report: ReportUi::default(),
            run: RunState::default(),
            secrets: Secrets::default(),
            saving: 0,
        }
    }

    pub fn is_loading(&self) -> bool {
        self.data.definition.is_loading() || self.data.inventory.is_loading()
    }

    /// The blockers, failing checks first (in the file's order), then blocked steps (in
    /// the guide's order). A few hundred results at most: cheap enough per frame.
    pub fn blockers(&self) -> Vec<Blocker> {
        let mut out: Vec<Blocker> = self
            .data
            .checks
            .ready()
            .map(|c| {
                c.results
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.status == Status::Fail && r.accepted.is_none())
                    .map(|(i, _)| Blocker::Check(i))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(list) = &self.checklist.list {
            out.extend(
                list.phases
                    .iter()
                    .flat_map(|p| &p.steps)
                    .filter(|s| s.status == StepStatus::Blocked)
                    .map(|s| Blocker::Step(s.id.clone())),
            );
        }
        out
    }

    /// The index into `checks.results` of the result selected on the Prerequisites screen.
    pub fn prereq_selected(&self) -> Option<usize> {
        let checks = self.data.checks.ready()?;
        let i = *self.prereq.rows.get(self.prereq.cursor.selected)?;
        (i < checks.results.len()).then_some(i)
    }
}
