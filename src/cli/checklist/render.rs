//! The text output of `ata2atp checklist`: the list, one step, the next step and a set's
//! result, as the terminal shows them (`--output json|yaml` serialises the views instead).

use comfy_table::{Table, presets};

use super::{NextView, SetView};
use crate::checklist::bind::{Bound, BoundShow};
use crate::checklist::engine::Next;
use crate::checklist::view::{ListView, StepView};
use crate::checklist::{self, Definition};
use crate::cli::output::style;
use crate::model::StepStatus;

fn mark(status: StepStatus) -> String {
    match status {
        StepStatus::Done => style::paint(style::OK, "[x]"),
        StepStatus::Skipped => style::paint(style::DIM, "[-]"),
        StepStatus::InProgress => style::paint(style::WARN, "[~]"),
        StepStatus::Blocked => style::paint(style::FAIL, "[!]"),
        StepStatus::Todo => "[ ]".to_string(),
    }
}

pub(super) fn render_list(list: &ListView) -> String {
    let mut s = format!(
        "{} ({}): {} of {} steps done, {} skipped\n",
        style::paint(style::HEADER, &list.title),
        list.guide,
        list.done,
        list.total,
        list.skipped
    );
    match &list.next {
        Some(id) => s.push_str(&format!("Next: {id} (ata2atp checklist show {id})\n")),
        None if list.done + list.skipped == list.total => {
            s.push_str("Every step is done or skipped.\n")
        }
        None => s.push_str(
            "No step can be done now: `ata2atp checklist next` says what they wait for.\n",
        ),
    }
    for phase in &list.phases {
        s.push_str(&format!(
            "\n{}  {}/{}\n",
            style::paint(style::HEADER, &phase.title),
            phase.done + phase.skipped,
            phase.total
        ));
        for step in &phase.steps {
            s.push_str(&format!(
                "  {} {:<4} {:>4}  {}",
                mark(step.status),
                step.id,
                step.number.as_deref().unwrap_or(""),
                step.title
            ));
            match step.status {
                StepStatus::Done | StepStatus::InProgress => {
                    let who = step.by.as_deref().unwrap_or("?");
                    let when = step
                        .at
                        .map(|t| t.format(" %Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default();
                    s.push_str(&style::paint(
                        style::DIM,
                        format!("  ({} by {who}{when})", step.status),
                    ));
                }
                StepStatus::Skipped | StepStatus::Blocked => {
                    let reason = step.reason.as_deref().unwrap_or("no reason");
                    s.push_str(&style::paint(
                        style::DIM,
                        format!("  ({}: {reason})", step.status),
                    ));
                }
                StepStatus::Todo if step.ready => s.push_str(&style::paint(style::OK, "  ready")),
                StepStatus::Todo => {}
            }
            s.push('\n');
            if let Some(first) = step.waiting.first() {
                let more = match step.waiting.len() {
                    1 => String::new(),
                    n => format!(" (+{} more)", n - 1),
                };
                s.push_str(&format!(
                    "               {}\n",
                    style::paint(style::WARN, format!("{first}{more}"))
                ));
            }
        }
    }
    if !list.unknown_steps.is_empty() {
        heading(
            &mut s,
            style::WARN,
            "In checklist.yaml but not in this guide (kept):",
        );
        for u in &list.unknown_steps {
            s.push_str(&format!("  {} {}\n", mark(u.status), u.id));
        }
    }
    s
}

fn table(columns: &[String], rows: &[Vec<String>]) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec!["#".to_string()];
    header.extend(columns.iter().cloned());
    t.set_header(header);
    for (i, row) in rows.iter().enumerate() {
        let mut r = vec![(i + 1).to_string()];
        // Escaped here too (the writer does it anyway) so the columns keep their width.
        r.extend(row.iter().map(|c| crate::terminal::escape(c).into_owned()));
        t.add_row(r);
    }
    t.lines().map(|l| format!("    {l}\n")).collect()
}

pub(super) fn render_value(b: &BoundShow) -> String {
    let mut s = match &b.value {
        Bound::Value { value } => format!("  {}: {value}\n", b.label),
        Bound::Missing { text, .. } => {
            format!("  {}: {}\n", b.label, style::paint(style::DIM, text))
        }
        Bound::Unresolved { text } => {
            format!("  {}: {}\n", b.label, style::paint(style::FAIL, text))
        }
        Bound::List { items } => {
            let mut s = format!("  {}:\n", b.label);
            for i in items {
                s.push_str(&format!("    - {i}\n"));
            }
            s
        }
        Bound::Pairs { pairs } => {
            let mut s = format!("  {}:\n", b.label);
            for p in pairs {
                s.push_str(&format!("    {}: {}\n", p.key, p.value));
            }
            s
        }
        Bound::Table { columns, rows } => format!("  {}:\n{}", b.label, table(columns, rows)),
    };
    if let Some(note) = &b.note {
        s.push_str(&format!("    {}\n", style::paint(style::DIM, note)));
    }
    s
}

fn tick(ok: bool) -> String {
    if ok {
        style::paint(style::OK, "ok ")
    } else {
        style::paint(style::FAIL, "no ")
    }
}

pub(super) fn render_step(v: &StepView) -> String {
    let number = v
        .number
        .as_deref()
        .map(|n| format!(" (guide step {n})"))
        .unwrap_or_default();
    let mut s = format!(
        "{}{number}  {}\n{}\n",
        style::paint(style::HEADER, &v.id),
        style::paint(style::HEADER, &v.title),
        style::paint(style::DIM, &v.phase)
    );
    if let Some(link) = &v.link {
        s.push_str(&format!("{link}\n"));
    }
    s.push_str(&format!("Status: {}", v.state.status));
    if let Some(by) = &v.state.by {
        s.push_str(&format!(" by {by}"));
    }
    if let Some(at) = v.state.at {
        s.push_str(&format!(" at {}", at.format("%Y-%m-%d %H:%M UTC")));
    }
    if let Some(reason) = &v.state.reason {
        s.push_str(&format!(" ({reason})"));
    }
    s.push('\n');
    if let Some(note) = &v.state.note {
        s.push_str(&format!("Note: {note}\n"));
    }
    if let Some(detail) = &v.detail {
        s.push_str(&format!("\n{detail}\n"));
    }
    if !v.values.is_empty() {
        heading(&mut s, style::HEADER, "Values from the inventory");
        for b in &v.values {
            s.push_str(&render_value(b));
        }
        // The copy queue's ticks (the TUI's `w`), counted over the values shown now.
        let items = crate::checklist::bind::queue_items(&v.values);
        let entered = items
            .iter()
            .filter(|i| v.state.entered.contains(&i.id))
            .count();
        if !v.state.entered.is_empty() {
            s.push_str(&format!(
                "  entered {entered}/{} in the portal\n",
                items.len()
            ));
        }
    }
    if !v.gates.is_empty() {
        heading(
            &mut s,
            style::HEADER,
            "Gates (checks that must pass or be accepted)",
        );
        for g in &v.gates {
            s.push_str(&format!("  {} {}\n", tick(g.satisfied), g.gate));
            for r in &g.results {
                let accepted = if r.accepted { ", accepted" } else { "" };
                let reason = r
                    .reason
                    .as_deref()
                    .map(|x| format!(": {x}"))
                    .unwrap_or_default();
                s.push_str(&format!(
                    "      {} {}{accepted}{reason}\n",
                    r.check, r.status
                ));
            }
            if let Some(p) = g.problem.as_ref().filter(|_| g.results.is_empty()) {
                s.push_str(&format!("      {}\n", style::paint(style::DIM, p)));
            }
        }
    }
    if !v.recommendations.is_empty() {
        heading(
            &mut s,
            style::HEADER,
            "Recommended (checks worth passing; they do not block this step)",
        );
        for g in &v.recommendations {
            s.push_str(&format!("  {} {}\n", tick(g.satisfied), g.gate));
            for r in g
                .results
                .iter()
                .filter(|r| r.status != crate::model::Status::Pass)
            {
                let reason = r
                    .reason
                    .as_deref()
                    .map(|x| format!(": {x}"))
                    .unwrap_or_default();
                s.push_str(&format!("      {} {}{reason}\n", r.check, r.status));
            }
            if let Some(p) = g.problem.as_ref().filter(|_| g.results.is_empty()) {
                s.push_str(&format!("      {}\n", style::paint(style::DIM, p)));
            }
        }
    }
    if !v.after.is_empty() {
        heading(&mut s, style::HEADER, "After");
        for a in &v.after {
            s.push_str(&format!("  {} {}\n", tick(a.satisfied), a.detail));
        }
    }
    if !v.record.is_empty() {
        heading(&mut s, style::HEADER, "Record for sign-off");
        for f in &v.record {
            let kind = match f.kind {
                checklist::definition::FieldKind::Text => String::new(),
                checklist::definition::FieldKind::Choice => format!(" [{}]", f.choices.join("|")),
                k => format!(" [{}]", k.as_str()),
            };
            let optional = if f.required { "" } else { " (optional)" };
            let value = f
                .value
                .clone()
                .unwrap_or_else(|| style::paint(style::DIM, "—"));
            s.push_str(&format!(
                "  {}{kind}{optional}: {value}\n      {}\n",
                f.key,
                style::paint(style::DIM, &f.label)
            ));
        }
    }
    if v.evidence_required || !v.state.evidence.is_empty() {
        let required = if v.evidence_required {
            " (required)"
        } else {
            ""
        };
        s.push_str(&format!(
            "\n{}{required}\n",
            style::paint(style::HEADER, "Evidence")
        ));
        for e in &v.state.evidence {
            s.push_str(&format!("  {e}\n"));
        }
    }
    if v.state.status != StepStatus::Done {
        if v.done_problems.is_empty() {
            s.push_str(&format!(
                "\nReady: ata2atp checklist set {} --status done --by NAME\n",
                v.id
            ));
        } else {
            heading(&mut s, style::WARN, "Before it can be marked done:");
            for p in &v.done_problems {
                s.push_str(&format!("  - {p}\n"));
            }
        }
    }
    s
}

pub(super) fn render_next(out: &NextView) -> String {
    match (&out.show, &out.next) {
        (Some(step), _) => format!("Next step\n\n{}", render_step(step)),
        (None, n) if n.complete => "Every step is done or skipped.\n".to_string(),
        (None, n) => {
            let mut s = format!(
                "No step can be done now. The first open one, {}, waits for:\n",
                n.waiting.as_deref().unwrap_or("?")
            );
            for b in &n.blockers {
                s.push_str(&format!("  - {b}\n"));
            }
            s
        }
    }
}

pub(super) fn render_set(out: &SetView, def: &Definition) -> String {
    let c = &out.change;
    let title = def
        .steps
        .iter()
        .find(|s| s.id == c.step)
        .map_or("", |s| s.title.as_str());
    let mut s = format!(
        "{} {}: {} → {}",
        style::paint(style::OK, "Saved"),
        c.step,
        c.from,
        c.to
    );
    s.push_str(&format!("  ({title})\n"));
    if !c.fields.is_empty() {
        s.push_str(&format!("  fields: {}\n", c.fields.join(", ")));
    }
    if !c.evidence.is_empty() {
        s.push_str(&format!("  evidence: {}\n", c.evidence.join(", ")));
    }
    match &out.next {
        Next { step: Some(id), .. } => {
            s.push_str(&format!("Next: {id} (ata2atp checklist show {id})\n"))
        }
        Next { complete: true, .. } => s.push_str("Every step is done or skipped.\n"),
        Next {
            waiting: Some(id), ..
        } => s.push_str(&format!(
            "Nothing can be done now; {id} waits (ata2atp checklist next)\n"
        )),
        _ => {}
    }
    s
}

/// A blank line, then a section's title in its style.
fn heading(s: &mut String, paint: style::Paint, title: impl std::fmt::Display) {
    s.push_str(&format!("\n{}\n", style::paint(paint, title)));
}
