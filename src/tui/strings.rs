//! Every word the TUI shows, in one place (gitui's `strings.rs`): titles, labels, hints,
//! notices and the help text. Messages that come from the library (check reasons, refusal
//! reasons, file errors) are shown as the library words them and are not repeated here;
//! what the library names as a fix (the checklist's `Fix`, a check's `Action`) is worded
//! here, in the TUI's screens and keys.

use std::path::Path;

use crate::checklist::{self, engine, engine::Fix};
use crate::checks::action::{self, Action};
use crate::model::{Status, StepStatus};

pub const APP: &str = "ata2atp";

// Screens, in tab order.
pub const SCREEN_OVERVIEW: &str = "Overview";
pub const SCREEN_INVENTORY: &str = "Inventory";
pub const SCREEN_PREREQUISITES: &str = "Prerequisites";
pub const SCREEN_CHECKLIST: &str = "Checklist";
pub const SCREEN_REPORT: &str = "Report";
pub const SCREEN_COLLECT: &str = "Collect";

// Status bar.
pub const READ_ONLY_BADGE: &str = " READ-ONLY ";
pub const HINT_GLOBAL: &str = "Tab screens · ? help · q quit";
pub const RUNNING: &str = "running";
pub const SAVING: &str = "saving…";

// Loading and empty states.
pub const LOADING: &str = "Loading the engagement…";
pub const LOADING_INVENTORY: &str = "Loading the inventory…";
pub const NO_INVENTORY: &str =
    "No inventory yet: collect one on the Collect screen (press 6, then c).";
pub const NO_CHECKS: &str =
    "The prerequisite checks have not run yet: press R here, or c on the Collect screen.";
pub const NO_ROWS: &str = "Nothing recorded.";
pub const NO_MATCH: &str = "No row matches the filter.";
pub const TOO_SMALL: &str = "The terminal is too small for ata2atp: make it at least 60×16.";
pub const NOT_FOUND_TITLE: &str = "Not found by the collection";

// Overview.
pub const OV_CUSTOMER: &str = "Customer";
pub const OV_CONSULTANT: &str = "Consultant";
pub const OV_WORKSPACE: &str = "Workspace";
pub const OV_GUIDE: &str = "Guide";
pub const OV_ENGAGEMENT: &str = "Engagement";
pub const OV_INVENTORY: &str = "Inventory";
pub const OV_CHECKS: &str = "Checks ran";
pub const OV_READINESS: &str = "Readiness";
pub const OV_CHECK_COUNTS: &str = "Results";
pub const OV_PROGRESS: &str = "Checklist progress";
pub const OV_BLOCKERS: &str = "Blockers";
pub const OV_NEXT: &str = "Next step";
pub const OV_NO_BLOCKERS: &str = "No failing check stands in the way.";
pub const OV_STEP_BLOCKED: &str = "step marked blocked";
pub const OV_COMPLETE: &str = "Every step is done or skipped.";
pub const OV_NEXT_HINT: &str = "Enter opens it";
pub const OV_NOT_COLLECTED: &str = "not collected";
pub const OV_NOT_RUN: &str = "not run";
pub const OV_NO_WORKSPACE: &str = "not named yet";
pub const OV_STALE: &str = "ran on an earlier inventory: run them again";

// Inventory.
pub const INV_SECTIONS: &str = "Sections";
pub const INV_FILTER: &str = "Filter";
pub const INV_PROVENANCE: &str = "Where it came from";
pub const INV_DETAILS: &str = "Details";

// Prerequisites.
pub const PRE_TITLE: &str = "Prerequisite checks";
pub const PRE_COL_STATUS: &str = "Status";
pub const PRE_COL_CHECK: &str = "Check";
pub const PRE_COL_SUBJECT: &str = "Subject";
pub const PRE_COL_RESULT: &str = "Result";
pub const PRE_DETAILS: &str = "Result details";
pub const PRE_EVIDENCE: &str = "Evidence";
pub const PRE_REMEDIATION: &str = "What to do";
pub const PRE_ACCEPTED: &str = "Accepted as a risk";
pub const PRE_GUIDE: &str = "Guide";
pub const PRE_COL_ACCEPTED: &str = "Acc.";

// Checklist.
pub const CL_STEPS: &str = "Steps";
pub const CL_STEP: &str = "Step";
pub const CL_VALUES: &str = "Values to enter again";
pub const CL_VALUES_HINT: &str = "y copies the selected value";
pub const CL_GATES: &str = "Gates";
pub const CL_RECOMMENDED: &str = "Recommended (does not block the step)";
pub const CL_AFTER: &str = "Comes after";
pub const CL_RECORD: &str = "Record for sign-off";
pub const CL_RECORD_HINT: &str = "Enter edits the selected field";
pub const CL_PROBLEMS: &str = "Before it can be marked done";
pub const CL_READY_TO_CLOSE: &str = "Nothing stands in the way: d marks it done.";
pub const CL_NOTE: &str = "Note";
pub const CL_REASON: &str = "Reason";
pub const CL_EVIDENCE: &str = "Evidence";
pub const CL_EVIDENCE_REQUIRED: &str =
    "This step needs a file of the engagement as evidence: press a to attach one.";
pub const CL_NO_STEP: &str = "No step selected.";
pub const CL_NO_DEFINITION: &str = "The checklist could not be loaded";
pub const CL_UNKNOWN_STEPS: &str =
    "Steps in checklist.yaml this guide does not define (kept as they are)";
pub const CL_EMPTY: &str = "—";
pub const CL_REQUIRED: &str = "required";
pub const CL_OPTIONAL: &str = "optional";
pub const CL_QUEUE_HINT: &str = "w walks them one by one";

// The copy queue.
pub const Q_TITLE: &str = "Copy queue";
pub const Q_FOOTER: &str = "c copy ▸ · ←→ cell · Space entered · n/p · Esc";
pub const Q_ENTERED: &str = "✓ entered";
pub const Q_NOT_ENTERED: &str = "not entered yet";
pub const Q_NOTHING: &str =
    "This step has no list or table of values to enter: the queue walks those one by one.";
pub fn queue_count(entered: usize, total: usize) -> String {
    format!("{entered}/{total} entered")
}
pub fn queue_position(index: usize, total: usize) -> String {
    format!("value {} of {total}", index + 1)
}

// Report.
pub const REP_TITLE: &str = "Report for sign-off";
pub const REP_GUIDE: &str = "Guide";
pub const REP_FORMAT: &str = "Format";
pub const REP_REDACTION: &str = "Redaction";
pub const REP_REDACT_ON: &str = "on: names, SIDs and addresses become stable pseudonyms";
pub const REP_REDACT_OFF: &str = "off";
pub const REP_EXPORT_HINT: &str =
    "Enter writes the report into reports/, with its integrity record";
pub const REP_WRITTEN: &str = "Written in this session";
pub const REP_NONE_YET: &str = "Nothing exported yet in this session.";
pub const REP_INTEGRITY: &str = "integrity";
pub const REP_SHA: &str = "sha256";
pub const REP_WRITING: &str = "Writing the report…";

// Collect.
pub const COL_SOURCES: &str = "Sources (from ata2atp.yaml)";
pub const COL_NO_SOURCES: &str = "The engagement names no source: record them under sources: in ata2atp.yaml, then press c again.";
pub const COL_PROGRESS: &str = "Progress";
pub const COL_IDLE: &str =
    "Nothing running. c collects the inventory and runs the checks; R runs the checks only.";
pub const COL_CANCEL_HINT: &str = "Esc cancels";
pub const COL_PASSWORDS: &str =
    "Passwords are asked when a run starts and held in memory only, for this session.";
pub const COL_LAST: &str = "Last run";

// Help overlay.
pub const HELP_TITLE: &str = "Keys";
pub const HELP_FOOTER: &str = "Esc or ? closes";
pub const HELP_GLOBAL: &str = "Everywhere";
pub const HELP_PROMPT: &str = "In a prompt";
pub const HELP_MOUSE: &str = "Mouse";
pub const HELP_MENU: &str = "In a menu";
pub const HELP_QUEUE: &str = "In the copy queue (w on the Checklist)";

// Prompts.
pub const PROMPT_FOOTER: &str = "Enter saves · Esc cancels";
pub const PROMPT_MASKED_FOOTER: &str = "Enter uses it · Esc cancels · held in memory only";
pub const MENU_FOOTER: &str = "Enter chooses · Esc cancels";
pub const FILTER_PROMPT: &str = "Filter rows (case does not matter)";
pub const NOTE_PROMPT: &str = "Note on the step (empty removes it)";
pub const REASON_PROMPT: &str = "Why";
pub const ACCEPT_REASON_PROMPT: &str = "Why the risk is acceptable (it goes in the report)";
pub const ACCEPT_BY_PROMPT: &str = "Accepted by";
pub const STATUS_MENU: &str = "Set the step's status";
pub const CONFIRM_YES: &str = "y confirms · any other key cancels";

pub fn field_prompt(label: &str, kind: &str, choices: &[String]) -> String {
    match kind {
        "yes_no" => format!("{label} (yes or no)"),
        "date" => format!("{label} (YYYY-MM-DD)"),
        "datetime" => format!("{label} (now, YYYY-MM-DD HH:MM local, or RFC 3339)"),
        "choice" if !choices.is_empty() => format!("{label} (one of: {})", choices.join(", ")),
        _ => label.to_string(),
    }
}

pub fn reason_prompt(status: StepStatus) -> String {
    format!("{REASON_PROMPT} the step is {status}")
}

pub fn confirm_revoke(key: &str) -> String {
    format!("Withdraw the accepted risk {key}?")
}

pub fn password_prompt(what: &str, user: Option<&str>) -> String {
    match user {
        Some(u) => format!("Password of {u} for {what}"),
        None => format!("Password for {what}"),
    }
}

pub const PW_MONGO: &str = "ATA's MongoDB";
pub const PW_LDAP: &str = "the LDAP bind";
pub const PW_PROXY: &str = "the proxy (empty: probe without it)";

// Notices (status bar and the notice panel).
pub const READ_ONLY_NOTICE: &str = "Opened read-only: another ata2atp holds this engagement";
pub const READ_ONLY_REFUSED: &str = "Read-only: another ata2atp holds this engagement, so nothing can be changed here. Close the other session and open this one again.";
pub const QUIT_WHILE_RUNNING: &str =
    "A run is in progress: Esc cancels it, or press q again to stop it and quit.";
pub const RUN_BUSY: &str = "A run is already in progress: wait for it, or Esc to cancel it.";
pub const NOT_LOADED: &str = "Still loading: try again in a moment.";
pub const NO_CHECK_SELECTED: &str = "No check result selected.";
pub const NOT_ACCEPTED: &str = "This result is not accepted as a risk: nothing to withdraw.";
pub const PASS_NOT_ACCEPTED: &str = "A passing result needs no acceptance.";
pub const NOTHING_TO_COPY: &str =
    "Select a value first (→ or l moves into the step, j/k picks a value).";
pub const NOT_A_FIELD: &str =
    "Select a record field first (→ or l moves into the step, j/k picks a field).";
pub const NO_STEP_SELECTED: &str = "No step selected.";
pub const NO_SOURCES: &str = "Nothing to collect: the engagement names no source in ata2atp.yaml.";
pub const NO_INVENTORY_FOR_CHECKS: &str =
    "There is no inventory to check: collect one first (c on this screen).";
pub const NO_CHECKLIST: &str = "The checklist could not be loaded; see the Checklist screen.";
pub const CANCELLED: &str = "Cancelled; nothing half-written was left behind.";
pub const CANCELLING: &str = "Cancelling…";
pub const NOTHING_TO_CANCEL: &str = "Nothing is running.";

pub fn copied(value: &str) -> String {
    let shown: String = value.chars().take(60).collect();
    let more = if value.chars().count() > 60 {
        "…"
    } else {
        ""
    };
    format!("Copied “{shown}{more}” to the clipboard (OSC 52; your terminal must allow it)")
}

pub const EVIDENCE_PROMPT: &str =
    "Evidence file: a path inside the engagement folder, e.g. evidence/syslog-test.png";

/// The TUI's words for the fixes and check actions the library names (the CLI words
/// them with its commands and flags): the keys of the Checklist, Prerequisites and
/// Collect screens, and the sources of ata2atp.yaml.
pub struct Words;

impl engine::Words for Words {
    fn fix(&self, fix: &Fix) -> String {
        match fix {
            Fix::Field { key } => {
                format!(": select `{key}` under “{CL_RECORD}” (→, then j/k) and press Enter")
            }
            Fix::Evidence => ": press a to attach a file of the engagement".into(),
            Fix::RunChecks => format!(": {RUN_CHECKS}"),
            Fix::RecordOn { step, key } => format!(
                ": select step {step} in “{CL_STEPS}” and record `{key}` under “{CL_RECORD}”"
            ),
            Fix::Action(a) => format!("; {}", action::Words::action(self, a)),
        }
    }

    fn checks_not_run(&self) -> String {
        format!("the checks have not run: {RUN_CHECKS}")
    }

    fn rerun(&self) -> String {
        format!(
            "; fix it and run the checks again (R on the {SCREEN_PREREQUISITES} screen, 3), \
             or accept the risk there (a)"
        )
    }
}

const RUN_CHECKS: &str = "press R on the Prerequisites screen (3) to run the checks";

/// The tail of every action that gives the tool a new source: collect again.
const COLLECT_AGAIN: &str = "then press c on the Collect screen (6) to collect again";

impl action::Words for Words {
    fn run_checks(&self, run: crate::checks::action::RunChecks) -> String {
        use crate::checks::action::RunChecks;
        match run {
            RunChecks::NotRun => "Press R on the Prerequisites screen (3) to run the checks".into(),
            RunChecks::Stale => format!("the checks ran on an earlier inventory: {RUN_CHECKS}"),
        }
    }

    fn action(&self, action: &Action) -> String {
        match action {
            Action::CollectAta => format!(
                "name ATA's MongoDB, a mongodump folder or JSON exports under sources: in ata2atp.yaml \
                 (ata_mongo, ata_dump, ata_json), {COLLECT_AGAIN}"
            ),
            Action::CollectDirectory { as_admin } => format!(
                "name a DC under sources: ldap in ata2atp.yaml{}, or an LDIF export under sources: ldif, \
                 {COLLECT_AGAIN}",
                if *as_admin {
                    " with a bind_user in Domain Admins"
                } else {
                    ""
                }
            ),
            Action::ExportLdif { what, as_admin } => format!(
                "name a DC under sources: ldap in ata2atp.yaml{}, or export {what} to LDIF (the LDIF collector \
                 script) and name the file under sources: ldif, {COLLECT_AGAIN}",
                if *as_admin {
                    " with a bind_user in Domain Admins"
                } else {
                    ""
                }
            ),
            Action::AccountDomain => format!(
                "name a DC (or a global catalog) of the account's domain under sources: ldap in ata2atp.yaml, or an \
                 LDIF export of that domain under sources: ldif, beside ATA's source, {COLLECT_AGAIN}"
            ),
            Action::DcFacts { console_urls: None } => format!(
                "run the DC facts collector script (Get-DcFacts.ps1) on the DC (or elsewhere with -ComputerName and \
                 its name), name its JSON under sources: dc_facts in ata2atp.yaml, {COLLECT_AGAIN}"
            ),
            Action::DcFacts {
                console_urls: Some(urls),
            } => format!(
                "run the DC facts collector script (Get-DcFacts.ps1) with -ConsoleUrl {urls} on the gateway (add \
                 -ComputerName for a gateway that is not a DC), name its JSON under sources: dc_facts in \
                 ata2atp.yaml, {COLLECT_AGAIN}"
            ),
            Action::RegQuery => format!(
                "run the DC facts collector script (Get-DcFacts.ps1) on this DC again, name its JSON under \
                 sources: dc_facts in ata2atp.yaml, {COLLECT_AGAIN}"
            ),
            Action::Auditpol => format!(
                "run the DC facts collector script again, or save `auditpol /get /category:* /r` from the DC to a \
                 file named under sources: auditpol in ata2atp.yaml, {COLLECT_AGAIN}"
            ),
            Action::ServerFacts { role } => format!(
                "run the server facts collector script (Get-ServerFacts.ps1) on each {role} server, name its JSON \
                 under sources: server_facts in ata2atp.yaml, {COLLECT_AGAIN}"
            ),
            Action::CenterFacts => format!(
                "run the Center facts collector script (Get-CenterFacts.ps1) on the ATA Center, name its JSON as \
                 sources: center_facts in ata2atp.yaml, {COLLECT_AGAIN}"
            ),
            Action::LookUpOnSite { urls } => format!(
                "run the checks from a machine on the customer's network, where {urls} resolves (R on the \
                 {SCREEN_PREREQUISITES} screen, 3)"
            ),
            Action::DsaTest => "the TUI does not test directory services account passwords: test it from \
                                the command line (its dsa check)"
                .into(),
            Action::DsaInventory => "the TUI binds as sources: ldap's bind_user only: collect the inventory from \
                                     the command line with the account's own password, so the account itself lists \
                                     the container"
                .into(),
            Action::ProxyPassword => format!(
                "give the proxy's password when the run asks for it (R on the {SCREEN_PREREQUISITES} screen, 3)"
            ),
            Action::ProbeSettings => format!(
                "fix the workspace, or proxy.url, in ata2atp.yaml, then run the checks again (R on the \
                 {SCREEN_PREREQUISITES} screen, 3)"
            ),
            Action::GatewayLogs => format!(
                "name the folder of logs (one sub-folder per host) under sources: gateway_logs in ata2atp.yaml, then run the checks again (R on the \
                 {SCREEN_PREREQUISITES} screen, 3)"
            ),
            Action::GatewayLogsPath => format!(
                "check the path under sources: gateway_logs in ata2atp.yaml, then run the checks again (R on the \
                 {SCREEN_PREREQUISITES} screen, 3)"
            ),
        }
    }
}

/// What stands in the way of a step, in the TUI's words.
pub fn blocker(b: &engine::Blocker) -> String {
    b.worded(&Words)
}

/// An ordering condition or a record problem, in the TUI's words.
pub fn problem(p: &engine::Problem) -> String {
    p.worded(&Words)
}

/// Why a gate does not hold, in the TUI's words.
pub fn gate_problem(p: &engine::GateProblem) -> String {
    p.worded(&Words)
}

/// A `set` the library refused, in the TUI's words where the library names a fix (the
/// reasons a step cannot be done, a missing reason); every other error as it says it.
pub fn set_refused(e: checklist::Error) -> String {
    match e {
        checklist::Error::Refused {
            step,
            title,
            reasons,
        } => {
            let lines: Vec<String> = reasons
                .iter()
                .map(|r| format!("  - {}", blocker(r)))
                .collect();
            format!(
                "step {step} ({title}) cannot be marked done; nothing was changed:\n{}",
                lines.join("\n")
            )
        }
        checklist::Error::NeedsReason { step, status } => format!(
            "step {step}: a {status} step needs a reason: press s, choose {status} again and say why"
        ),
        e => e.to_string(),
    }
}

/// The notice after a checklist change: the step, its status, the fields it changed and
/// the evidence it attached.
pub fn step_saved(change: &crate::model::ChecklistChange) -> String {
    let (step, status) = (&change.step, change.to);
    let mut changed = change.fields.clone();
    changed.extend(change.evidence.iter().map(|e| format!("evidence {e}")));
    changed.extend(change.entered.iter().map(|e| format!("entered {e}")));
    changed.extend(change.unentered.iter().map(|e| format!("not entered {e}")));
    if changed.is_empty() {
        format!("{step} saved ({status})")
    } else {
        format!("{step} saved ({status}; {})", changed.join(", "))
    }
}

pub fn accepted(key: &str, matched: usize) -> String {
    format!("Accepted {key} as a risk; it applies to {matched} result(s). Saved to checks.yaml")
}

pub fn revoked(key: &str) -> String {
    format!("Withdrew the accepted risk {key}. Saved to checks.yaml")
}

pub fn checks_done(total: usize, fail: usize) -> String {
    format!("Checks done: {total} results, {fail} failing. Saved to checks.yaml")
}

pub fn collected(sources: usize, not_found: usize) -> String {
    format!(
        "Inventory collected from {sources} source(s), {not_found} item(s) not found. Saved to inventory.yaml"
    )
}

pub fn report_written(path: &str) -> String {
    format!("Report written: {path}")
}

pub fn lock_holder(message: &str) -> String {
    format!("{READ_ONLY_NOTICE}. {message}")
}

/// A path inside the engagement is shown relative to it; anything else in full.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}

// Words for statuses, with the markers the command line uses.
pub fn status_word(status: Status) -> &'static str {
    status.as_str()
}

pub fn step_marker(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Todo => "[ ]",
        StepStatus::InProgress => "[~]",
        StepStatus::Done => "[x]",
        StepStatus::Skipped => "[-]",
        StepStatus::Blocked => "[!]",
    }
}

pub fn step_status_label(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Todo => "To do",
        StepStatus::InProgress => "In progress",
        StepStatus::Done => "Done",
        StepStatus::Skipped => "Skipped (needs a reason)",
        StepStatus::Blocked => "Blocked (needs a reason)",
    }
}

pub const YES: &str = "yes";
pub const NO: &str = "no";
pub const UNKNOWN: &str = "unknown";
pub const NONE: &str = "—";

pub fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => YES,
        Some(false) => NO,
        None => NONE,
    }
}

/// Counts like "3 of 10".
pub fn of(done: usize, total: usize) -> String {
    format!("{done}/{total}")
}

pub fn more(n: usize) -> String {
    format!("… and {n} more")
}

pub fn rows_counter(shown: usize, total: usize) -> String {
    if shown == total {
        format!("{total}")
    } else {
        format!("{shown} of {total}")
    }
}

/// The Prerequisites title's note of the passing results below the window.
pub fn passes_below(n: usize) -> String {
    format!("{n} passing below")
}

/// What each key does, as the help overlay lists it (the keymap is in `keys.rs`).
pub mod help {
    pub const QUIT: &str = "Quit (waits for saves to finish)";
    pub const HELP: &str = "Show or hide this help";
    pub const NEXT_SCREEN: &str = "Next screen";
    pub const PREV_SCREEN: &str = "Previous screen";
    pub const GO_TO: &str = "Go to screen 1–6 (Overview … Collect)";
    pub const UP: &str = "Move up";
    pub const DOWN: &str = "Move down";
    pub const PAGE_UP: &str = "Page up";
    pub const PAGE_DOWN: &str = "Page down";
    pub const TOP: &str = "First row";
    pub const BOTTOM: &str = "Last row";
    pub const LEFT: &str = "Focus the left pane";
    pub const RIGHT: &str = "Focus the right pane";
    pub const BACK: &str = "Close, clear the filter, or cancel a run";

    pub const OV_OPEN: &str =
        "Open the next step on the Checklist screen, or the blocker selected with j/k";

    pub const INV_OPEN: &str = "Open the selected row's details";
    pub const INV_FILTER: &str = "Filter the rows of this section";

    pub const PRE_OPEN: &str = "Move into the details (scroll with j/k)";
    pub const PRE_FILTER: &str = "Filter the results (id, subject, status, text)";
    pub const PRE_RERUN_ONE: &str = "Run the selected check again";
    pub const PRE_RERUN_ALL: &str = "Run all checks again";
    pub const PRE_ACCEPT: &str = "Accept the selected result as a risk (reason, then name)";
    pub const PRE_REVOKE: &str = "Withdraw the selected result's accepted risk";

    pub const CL_EDIT: &str = "Edit the selected record field (saved at once)";
    pub const CL_COPY: &str = "Copy the selected value to the clipboard (OSC 52)";
    pub const CL_DONE: &str = "Mark the step done (refused with the reasons if it cannot be)";
    pub const CL_STATUS: &str = "Set the step's status (todo, in progress, done, skipped, blocked)";
    pub const CL_NOTE: &str = "Write a note on the step";
    pub const CL_EVIDENCE: &str =
        "Attach a file of the engagement to the step as evidence (saved at once)";
    pub const CL_QUEUE: &str =
        "Walk the step's lists and tables one value at a time: copy each, tick it as entered";

    pub const Q_COPY: &str = "Copy the marked cell of the value to the clipboard (OSC 52)";
    pub const Q_CELL_LEFT: &str = "Mark the cell before for copying (kept for the next values)";
    pub const Q_CELL_RIGHT: &str = "Mark the next cell for copying";
    pub const Q_TICK: &str = "Tick the value as entered (saved at once) and go on; again unticks";
    pub const Q_NEXT: &str = "Next value";
    pub const Q_PREV: &str = "Previous value";
    pub const Q_CLOSE: &str = "Close the queue (the ticks are kept)";

    pub const REP_PREV_OPTION: &str = "Previous option";
    pub const REP_NEXT_OPTION: &str = "Next option";
    pub const REP_CHANGE_BACK: &str = "Change the option (back)";
    pub const REP_CHANGE: &str = "Change the option";
    pub const REP_EXPORT: &str = "Write the report";

    pub const COL_COLLECT: &str =
        "Collect the inventory from the configured sources, then run the checks";
    pub const COL_CHECKS: &str = "Run the checks on the current inventory";
    pub const COL_CANCEL: &str = "Cancel the run";

    pub const PROMPT_KEYS: &[(&str, &str)] = &[
        ("Enter", "Save or use what was typed"),
        ("Esc", "Cancel"),
        ("← → Home End", "Move in the text"),
        ("Backspace Del", "Delete"),
        ("Ctrl-U", "Clear the text"),
    ];
    pub const MOUSE_KEYS: &[(&str, &str)] = &[
        ("Wheel", "Scroll the list that has the keys (or this help)"),
        (
            "Click",
            "Switch to a tab, or select a row and focus its pane",
        ),
    ];
    pub const MENU_KEYS: &[(&str, &str)] = &[
        ("j k ↑ ↓", "Choose"),
        ("Enter", "Confirm"),
        ("Esc", "Cancel"),
    ];
}

/// The keys worth knowing on each screen, for the status bar.
pub mod hint {
    pub const OVERVIEW: &str = "Enter next step · j/k blockers · Tab screens · ? help · q quit";
    pub const INVENTORY: &str = "← → panes · / filter · Enter details · ? help";
    pub const PREREQUISITES: &str = "r re-run · R all · a accept · x withdraw · / filter · ? help";
    pub const CHECKLIST: &str =
        "→ step · Enter edit · y copy · d done · s status · n note · a attach · ? help";
    pub const REPORT: &str = "↑ ↓ option · ← → change · Enter write · ? help";
    pub const COLLECT: &str = "c collect · R checks · Esc cancel · ? help";
}
