//! The selected step laid out as lines for the step pane: what to enter, what gates it,
//! what to record, what is missing. Pure: a `StepView` and a width in, lines out.

use crate::checklist::bind::Bound;
use crate::checklist::engine::GateStatus;
use crate::checklist::view::StepView;
use crate::model::StepStatus;
use crate::tui::app::{DetailLine, LineKind, Target};
use crate::tui::strings as s;
use crate::tui::widgets::text::{pad, width, wrap};

pub(super) fn line(kind: LineKind, text: impl Into<String>) -> DetailLine {
    DetailLine {
        kind,
        text: text.into(),
        target: None,
    }
}

pub(super) fn wrapped(
    out: &mut Vec<DetailLine>,
    kind: LineKind,
    indent: &str,
    text: &str,
    width: usize,
) {
    let avail = width.saturating_sub(width_of(indent)).max(10);
    for (n, l) in wrap(text, avail).into_iter().enumerate() {
        // Continuation lines line up under the text, past any marker.
        let prefix = if n == 0 {
            indent.to_string()
        } else {
            " ".repeat(width_of(indent))
        };
        out.push(line(kind, format!("{prefix}{l}")));
    }
}

fn width_of(s: &str) -> usize {
    width(s)
}

/// The step as lines: what to enter, what gates it, what to record, what is missing.
pub(super) fn step_lines(v: &StepView, width: usize, inventory_loading: bool) -> Vec<DetailLine> {
    let mut out = Vec::new();
    out.push(line(LineKind::Title, format!("{}  {}", v.id, v.title)));
    let mut meta = v.phase.clone();
    if let Some(n) = &v.number {
        meta.push_str(&format!(" · guide step {n}"));
    }
    out.push(line(LineKind::Meta, meta));
    let mut status = format!("{} {}", s::step_marker(v.state.status), v.state.status);
    if let Some(by) = &v.state.by {
        status.push_str(&format!(" · {by}"));
    }
    if let Some(at) = v.state.at {
        status.push_str(&format!(" · {}", at.format("%Y-%m-%d %H:%M UTC")));
    }
    out.push(line(LineKind::Meta, status));
    if let Some(link) = &v.link {
        // One line, cut to the pane; y copies it whole.
        out.push(DetailLine {
            kind: LineKind::Meta,
            text: link.clone(),
            target: Some(Target::Copy(link.clone())),
        });
    }
    if let Some(d) = &v.detail {
        out.push(line(LineKind::Blank, ""));
        wrapped(&mut out, LineKind::Text, "", d.trim(), width);
    }
    if let Some(r) = &v.state.reason {
        out.push(line(LineKind::Blank, ""));
        wrapped(
            &mut out,
            LineKind::Text,
            &format!("{}: ", s::CL_REASON),
            r,
            width,
        );
    }
    if let Some(n) = &v.state.note {
        out.push(line(LineKind::Blank, ""));
        wrapped(
            &mut out,
            LineKind::Text,
            &format!("{}: ", s::CL_NOTE),
            n,
            width,
        );
    }

    if !v.values.is_empty() {
        out.push(line(LineKind::Blank, ""));
        let hint = if crate::checklist::bind::queue_items(&v.values).is_empty() {
            s::CL_VALUES_HINT.to_string()
        } else {
            format!("{}; {}", s::CL_VALUES_HINT, s::CL_QUEUE_HINT)
        };
        out.push(line(
            LineKind::Heading,
            format!("{}  ({hint})", s::CL_VALUES),
        ));
        if inventory_loading {
            out.push(line(
                LineKind::Missing,
                format!("  {}", s::LOADING_INVENTORY),
            ));
        }
        for show in &v.values {
            if inventory_loading {
                break;
            }
            out.push(line(LineKind::Text, format!("  {}", show.label)));
            values(&mut out, &show.value, width);
            if let Some(note) = &show.note {
                wrapped(&mut out, LineKind::Meta, "    ", note, width);
            }
        }
    }

    gates(
        &mut out,
        s::CL_GATES,
        &v.gates,
        (LineKind::GateBad, "  ✗ "),
        width,
    );
    gates(
        &mut out,
        s::CL_RECOMMENDED,
        &v.recommendations,
        (LineKind::Problem, "  ! "),
        width,
    );
    if !v.after.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, s::CL_AFTER));
        for a in &v.after {
            let (kind, mark) = if a.satisfied {
                (LineKind::GateOk, "  ✓ ")
            } else {
                (LineKind::GateBad, "  ✗ ")
            };
            wrapped(&mut out, kind, mark, &s::problem(&a.detail), width);
        }
    }

    if !v.record.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(
            LineKind::Heading,
            format!("{}  ({})", s::CL_RECORD, s::CL_RECORD_HINT),
        ));
        for f in &v.record {
            let value = f.value.as_deref().unwrap_or(s::CL_EMPTY);
            let need = if f.required {
                s::CL_REQUIRED
            } else {
                s::CL_OPTIONAL
            };
            out.push(DetailLine {
                kind: LineKind::Field,
                text: format!("  {} = {value}   ({need})", f.key),
                target: Some(Target::Field {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    kind: f.kind,
                    choices: f.choices.clone(),
                    value: f.value.clone(),
                }),
            });
            wrapped(&mut out, LineKind::Meta, "      ", &f.label, width);
            if let Some(h) = &f.help {
                wrapped(&mut out, LineKind::Meta, "      ", h, width);
            }
        }
    }
    if v.evidence_required || !v.state.evidence.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, s::CL_EVIDENCE));
        for e in &v.state.evidence {
            out.push(line(LineKind::Text, format!("  {e}")));
        }
        if v.evidence_required && v.state.evidence.is_empty() {
            wrapped(
                &mut out,
                LineKind::Meta,
                "  ",
                s::CL_EVIDENCE_REQUIRED,
                width,
            );
        }
    }
    if v.state.status != StepStatus::Done {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, s::CL_PROBLEMS));
        if v.done_problems.is_empty() {
            out.push(line(LineKind::Good, format!("  {}", s::CL_READY_TO_CLOSE)));
        }
        for p in &v.done_problems {
            wrapped(&mut out, LineKind::Problem, "  - ", &s::blocker(p), width);
        }
    }
    out
}

/// A block of gates under `heading`: each satisfied one ticked, the others marked with
/// `unmet` (a gate that blocks, or only a recommendation) and their problem.
fn gates(
    out: &mut Vec<DetailLine>,
    heading: &str,
    gates: &[GateStatus],
    unmet: (LineKind, &str),
    width: usize,
) {
    if gates.is_empty() {
        return;
    }
    out.push(line(LineKind::Blank, ""));
    out.push(line(LineKind::Heading, heading));
    for g in gates {
        if g.satisfied {
            out.push(line(LineKind::GateOk, format!("  ✓ {}", g.gate)));
        } else {
            let text = format!(
                "{}: {}",
                g.gate,
                g.problem
                    .as_ref()
                    .map_or_else(|| "not satisfied".into(), s::gate_problem)
            );
            wrapped(out, unmet.0, unmet.1, &text, width);
        }
    }
}

/// The lines of one bound value: each a value that can be copied.
pub(super) fn values(out: &mut Vec<DetailLine>, bound: &Bound, width: usize) {
    let copy = |text: String, copy: String| DetailLine {
        kind: LineKind::Value,
        text,
        target: Some(Target::Copy(copy)),
    };
    match bound {
        Bound::Value { value } => out.push(copy(format!("    {value}"), value.clone())),
        Bound::List { items } => {
            for item in items {
                out.push(copy(format!("    {item}"), item.clone()));
            }
        }
        Bound::Pairs { pairs } => {
            let key_width = pairs
                .iter()
                .map(|p| width_of(&p.key))
                .max()
                .unwrap_or(0)
                .min(30);
            for p in pairs {
                out.push(copy(
                    format!("    {}  {}", pad(&p.key, key_width), p.value),
                    p.value.clone(),
                ));
            }
        }
        Bound::Table { columns, rows } => {
            // Column widths from the widest cell (at most 48 cells, a SID's length): computed once per
            // selection, so a 5,000-row table costs nothing per frame.
            let number_width = rows.len().to_string().len().max(1);
            let mut widths: Vec<usize> = columns.iter().map(|c| width_of(c)).collect();
            for row in rows {
                for (i, cell) in row.iter().enumerate() {
                    if let Some(w) = widths.get_mut(i) {
                        *w = (*w).max(width_of(cell)).min(48);
                    }
                }
            }
            let render = |cells: &[String]| -> String {
                cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| pad(c, widths.get(i).copied().unwrap_or(10)))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            out.push(line(
                LineKind::TableHeader,
                format!("    {}  {}", pad("#", number_width), render(columns)),
            ));
            for (n, row) in rows.iter().enumerate() {
                out.push(copy(
                    format!(
                        "    {}  {}",
                        pad(&(n + 1).to_string(), number_width),
                        render(row)
                    ),
                    // Tab-separated: pastes into a spreadsheet as columns.
                    row.join("\t"),
                ));
            }
        }
        Bound::Missing { text, not_found } => {
            wrapped(out, LineKind::Missing, "    ", text, width);
            if let Some(nf) = not_found {
                for t in &nf.tried {
                    wrapped(out, LineKind::Meta, "      tried: ", t, width);
                }
            }
        }
        Bound::Unresolved { text } => wrapped(out, LineKind::Missing, "    ", text, width),
    }
}
