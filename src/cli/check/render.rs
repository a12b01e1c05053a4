//! The text rendering of `ata2atp check`: the verdict, a table of what to act on, the
//! accepted risks, what to do, and the counts.

use std::io::IsTerminal;
use std::path::Path;

use comfy_table::{Cell, ContentArrangement, Table, presets};

use crate::checks::verdict::VerdictLevel;
use crate::cli::output::style;
use crate::model::{CheckResult, ChecksFile, Status};

fn status_cell(r: &CheckResult) -> Cell {
    let text = match &r.accepted {
        Some(_) => format!("{} (accepted)", r.status),
        None => r.status.to_string(),
    };
    let paint = match (r.status, &r.accepted) {
        (_, Some(_)) => style::DIM,
        (Status::Pass, _) => style::OK,
        (Status::Warn, _) => style::WARN,
        (Status::Fail, _) => style::FAIL,
        (Status::Unknown, _) => style::Paint::Unknown,
        (Status::Manual, _) => style::Paint::Manual,
    };
    Cell::new(style::paint(paint, text))
}

/// A table cell of data. The writer escapes control characters anyway; escaping them
/// here too keeps the columns the width the table measured.
fn data_cell(text: &str) -> Cell {
    Cell::new(crate::terminal::escape(text))
}

/// Which results the text rendering lists (the counts always cover every result).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// Passes are listed too.
    pub all: bool,
    /// Only these statuses are listed (empty: as `all` decides).
    pub statuses: Vec<Status>,
}

impl Listing {
    fn lists(&self, r: &CheckResult) -> bool {
        if !self.statuses.is_empty() {
            return self.statuses.contains(&r.status);
        }
        self.all || r.status != Status::Pass
    }
}

/// What a person must act on comes first: failures, then what could not be decided, then
/// warnings, what to confirm by hand, and passes last.
fn urgency(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Unknown => 1,
        Status::Warn => 2,
        Status::Manual => 3,
        Status::Pass => 4,
    }
}

/// The text rendering: the verdict, a table of what to act on (every result with `--all`),
/// the accepted risks, what to do, and a count of the rest.
/// Colour is painted always; the writer drops it when colour is off.
pub fn render(
    file: &ChecksFile,
    customer: Option<&str>,
    saved: Option<&Path>,
    listing: &Listing,
) -> String {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Dynamic);
    // The table draws no colour itself: the status cells carry paint markers.
    table.force_no_tty();
    // Outside a terminal (pipes, CI logs, tests) the width is fixed so output is stable.
    if !std::io::stdout().is_terminal() {
        table.set_width(120);
    }
    table.set_header(vec!["Status", "Check", "Subject", "Result"]);
    let shown: Vec<&CheckResult> = file.results.iter().collect();
    let mut listed: Vec<&CheckResult> =
        shown.iter().copied().filter(|r| listing.lists(r)).collect();
    // Accepted results are settled: they follow the open ones of their status.
    listed.sort_by_key(|r| (urgency(r.status), r.accepted.is_some()));
    for r in &listed {
        table.add_row(vec![
            status_cell(r),
            data_cell(&r.id),
            data_cell(r.subject.as_deref().unwrap_or("")),
            data_cell(r.reason.as_deref().unwrap_or("")),
        ]);
    }
    let paint = |p: style::Paint, t: &str| style::paint(p, t);
    let mut out = String::new();
    out.push_str(&paint(
        style::HEADER,
        &format!(
            "Prerequisite checks{}",
            customer.map(|c| format!(" for {c}")).unwrap_or_default()
        ),
    ));
    out.push('\n');
    let verdict =
        crate::checks::verdict::verdict(Some(file), false).worded(&crate::checks::action::Cli);
    let verdict_paint = match verdict.level {
        VerdictLevel::NotReady => style::FAIL,
        VerdictLevel::Ready | VerdictLevel::ReadyWithRisks => style::OK,
        VerdictLevel::OpenPoints | VerdictLevel::Undecided => style::WARN,
    };
    out.push_str(&paint(verdict_paint, &verdict.headline));
    if !verdict.details.is_empty() {
        out.push_str(&format!(": {}", verdict.details.join(", ")));
    }
    out.push('\n');
    if listed.is_empty() {
        out.push_str("Nothing to list");
        if !listing.statuses.is_empty() {
            let names: Vec<String> = listing.statuses.iter().map(|s| s.to_string()).collect();
            out.push_str(&format!(" with status {}", names.join(", ")));
        }
        out.push('\n');
    } else {
        out.push_str(&table.to_string());
        out.push('\n');
    }

    let accepted: Vec<&&CheckResult> = shown.iter().filter(|r| r.accepted.is_some()).collect();
    if !accepted.is_empty() {
        out.push_str(&format!("\n{}\n", paint(style::HEADER, "Accepted risks")));
        for r in accepted {
            if let Some(a) = &r.accepted {
                out.push_str(&format!(
                    "  {} ({}): accepted by {} on {}: {}\n",
                    r.key(),
                    r.status,
                    a.by,
                    a.at.format("%Y-%m-%d"),
                    a.reason
                ));
            }
        }
    }
    let todo: Vec<(&&CheckResult, String)> = shown
        .iter()
        .filter(|r| r.status != Status::Pass && r.accepted.is_none())
        .filter_map(|r| crate::checks::action::cli(r).map(|what| (r, what)))
        .collect();
    if !todo.is_empty() {
        out.push_str(&format!("\n{}\n", paint(style::HEADER, "What to do")));
        for (r, what) in todo {
            out.push_str(&format!(
                "  {} {}: {what}\n",
                paint(style::DIM, &format!("[{}]", r.status)),
                r.key(),
            ));
        }
    }
    let mut counts = std::collections::BTreeMap::new();
    for r in &shown {
        *counts.entry(r.status).or_insert(0usize) += 1;
    }
    let summary = Status::ALL
        .iter()
        .map(|s| format!("{} {s}", counts.get(s).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ");
    let n_accepted = shown.iter().filter(|r| r.accepted.is_some()).count();
    let unlisted = shown.len() - listed.len();
    if unlisted > 0 {
        let passes = shown
            .iter()
            .filter(|r| r.status == Status::Pass && !listing.lists(r))
            .count();
        let what = if passes == unlisted {
            format!("{passes} passed")
        } else {
            format!("{unlisted} more ({passes} passed)")
        };
        out.push_str(&format!(
            "\n{what}, not listed: `ata2atp check --all` lists every result\n"
        ));
    }
    out.push_str(&format!("\n{} results: {summary}", shown.len()));
    if n_accepted > 0 {
        out.push_str(&format!(" ({n_accepted} accepted)"));
    }
    out.push('\n');
    match saved {
        Some(p) => out.push_str(&format!("Saved to {}\n", p.display())),
        None => out.push_str("Not saved (--no-save, or no engagement)\n"),
    }
    out
}
