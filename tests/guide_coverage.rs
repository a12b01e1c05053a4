//! `docs/guide-coverage.md` lists every actionable statement of the three source guides
//! with what decides it. This test keeps the list true: every check id it names exists,
//! every step id exists in the guide of its column, a row said to be decided by a gate
//! names checks that gate (or are recommended by) one of its steps, and a row that names
//! nothing is a Manual item.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::collections::BTreeSet;

use ata2atp::checklist::{Definition, resolve};
use ata2atp::checks::CATALOG;

const DOC: &str = include_str!("../docs/guide-coverage.md");

/// The `backticked` words of a table cell.
fn ids(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

struct Row<'a> {
    number: u32,
    line: usize,
    seed: &'a str,
    checks: Vec<&'a str>,
    old_steps: Vec<&'a str>,
    new_steps: Vec<&'a str>,
    decided: &'a str,
}

fn rows() -> Vec<Row<'static>> {
    DOC.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | # | Seed | Statement | Checks | 2019 step | Today's step | Decided by |
            let number = cells.get(1)?.parse().ok()?;
            assert_eq!(cells.len(), 9, "line {}: seven columns: {line}", i + 1);
            Some(Row {
                number,
                line: i + 1,
                seed: cells[2],
                checks: ids(cells[4]),
                old_steps: ids(cells[5]),
                new_steps: ids(cells[6]),
                decided: cells[7],
            })
        })
        .collect()
}

fn step_ids(def: &Definition) -> BTreeSet<&str> {
    def.steps.iter().map(|s| s.id.as_str()).collect()
}

/// Every check a step gates on or recommends (alternatives included).
fn checks_of<'d>(def: &'d Definition, step: &str) -> BTreeSet<&'d str> {
    def.steps
        .iter()
        .filter(|s| s.id == step)
        .flat_map(|s| s.gates.iter().chain(&s.recommends))
        .flat_map(|g| g.any_of.iter())
        .map(|alt| alt.split('[').next().unwrap_or(alt))
        .collect()
}

#[test]
fn every_check_and_step_the_coverage_names_exists() {
    let old = resolve(None, "azure-atp-2019").unwrap();
    let new = resolve(None, "mdi-current").unwrap();
    let catalog: BTreeSet<&str> = CATALOG.iter().map(|c| c.id).collect();
    let (old_ids, new_ids) = (step_ids(&old), step_ids(&new));
    let rows = rows();
    assert!(
        rows.len() >= 63,
        "the three guides hold about 63 actionable statements; the document lists {}",
        rows.len()
    );

    let mut problems = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let at = format!("docs/guide-coverage.md:{} (row {})", row.line, row.number);
        if row.number as usize != i + 1 {
            problems.push(format!("{at}: rows are numbered 1, 2, … in order"));
        }
        if !["000", "001", "002"].contains(&row.seed) {
            problems.push(format!("{at}: seed `{}` is not 000, 001 or 002", row.seed));
        }
        for c in &row.checks {
            if !catalog.contains(c) {
                problems.push(format!("{at}: `{c}` is no check id"));
            }
        }
        for (steps, known, guide) in [
            (&row.old_steps, &old_ids, "azure-atp-2019"),
            (&row.new_steps, &new_ids, "mdi-current"),
        ] {
            for s in steps {
                if !known.contains(s) {
                    problems.push(format!("{at}: `{s}` is no step of {guide}"));
                }
            }
        }
        let kinds = ["Gate", "Dated gate", "Check", "Step value", "Manual"];
        if !kinds.iter().any(|k| row.decided.starts_with(k)) {
            problems.push(format!("{at}: `Decided by` starts with one of {kinds:?}"));
        }
        if row.checks.is_empty() && !row.decided.starts_with("Manual") {
            // A statement no check decides is a step value or a Manual item, never nothing.
            if row.old_steps.is_empty() && row.new_steps.is_empty() {
                problems.push(format!("{at}: names neither a check nor a step"));
            } else if !row.decided.starts_with("Step value") {
                problems.push(format!(
                    "{at}: without a check it is a step value or Manual"
                ));
            }
        }
        if row.decided.starts_with("Gate") || row.decided.starts_with("Dated gate") {
            let mut gated = BTreeSet::new();
            for s in &row.old_steps {
                gated.extend(checks_of(&old, s));
            }
            for s in &row.new_steps {
                gated.extend(checks_of(&new, s));
            }
            for c in &row.checks {
                if !gated.contains(c) {
                    problems.push(format!(
                        "{at}: `{c}` is neither a gate nor a recommendation of the row's steps"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
