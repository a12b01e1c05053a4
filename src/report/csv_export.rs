//! CSV exports: the lists a consultant pastes into a spreadsheet, one file each.
//!
//! The files are UTF-8 with a byte-order mark (Excel reads UTF-8 only with one; names
//! with accents would otherwise come out garbled), comma-separated, quoted where a field
//! holds a comma, quote or line break. A field starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return is prefixed with `'`, so a spreadsheet never runs a name from the
//! customer's directory as a formula. Missing values are empty fields.

use super::Error;
use super::context::{ReportContext, Table};
use crate::present::NO_VALUE;

/// The exported lists: file suffix and the table.
pub fn tables(ctx: &ReportContext) -> Vec<(&'static str, std::borrow::Cow<'_, Table>)> {
    use std::borrow::Cow::{Borrowed, Owned};
    let inv = &ctx.inventory;
    vec![
        ("exclusions", Borrowed(&inv.exclusions)),
        ("honeytokens", Borrowed(&inv.honeytokens)),
        ("sensitive-entities", Borrowed(&inv.sensitive)),
        ("open-alerts", Borrowed(&inv.open_alerts)),
        ("suppressed-alerts", Borrowed(&inv.suppressed_alerts)),
        ("dc-readiness", Borrowed(&inv.domain_controllers)),
        ("checks", Owned(checks_table(ctx))),
    ]
}

/// Every check result: the checks CSV.
pub fn checks_table(ctx: &ReportContext) -> Table {
    let mut t = Table {
        id: "checks".into(),
        title: "Prerequisite checks".into(),
        columns: [
            "Check",
            "Title",
            "Subject",
            "Result",
            "Reason",
            "Evidence",
            "Remediation",
            "Owner",
            "Accepted by",
            "Accepted at",
            "Accepted because",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect(),
        ..Table::default()
    };
    for r in &ctx.prerequisites.results {
        let owner = ctx
            .signer
            .actions
            .iter()
            .find(|a| a.check == r.check)
            .map(|a| a.owner.clone())
            .unwrap_or_default();
        let accepted = r.accepted.as_ref();
        t.rows.push(vec![
            r.id.clone(),
            r.title.clone(),
            r.subject.clone().unwrap_or_default(),
            r.status.to_string(),
            r.reason.clone().unwrap_or_default(),
            r.evidence
                .iter()
                .map(|p| format!("{}: {}", p.key, p.value))
                .collect::<Vec<_>>()
                .join("; "),
            r.remediation.clone().unwrap_or_default(),
            owner,
            accepted.map(|a| a.by.clone()).unwrap_or_default(),
            accepted.map(|a| a.at.clone()).unwrap_or_default(),
            accepted.map(|a| a.reason.clone()).unwrap_or_default(),
        ]);
    }
    t.total = t.rows.len();
    t
}

/// A moment as the report shows it (`2026-11-16 10:30 UTC`) in ISO 8601
/// (`2026-11-16T10:30:00Z`): a spreadsheet sorts and converts that form.
fn iso_8601(value: &str) -> Option<String> {
    chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M UTC")
        .ok()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn field(value: &str) -> String {
    if value == NO_VALUE {
        return String::new();
    }
    if let Some(iso) = iso_8601(value) {
        return iso;
    }
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

/// One table as CSV bytes.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let fail =
            |e: csv::Error| Error::Input(format!("could not write the {} CSV: {e}", table.id));
        w.write_record(table.columns.iter().map(|c| field(c)))
            .map_err(fail)?;
        for row in &table.rows {
            w.write_record(row.iter().map(|c| field(c))).map_err(fail)?;
        }
        w.flush()
            .map_err(|e| Error::Input(format!("could not write the {} CSV: {e}", table.id)))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_dashes_emptied() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(field(NO_VALUE), "");
        assert_eq!(field("FAB-DC01"), "FAB-DC01");
    }

    #[test]
    fn dates_are_iso_8601() {
        assert_eq!(field("2026-11-16 10:30 UTC"), "2026-11-16T10:30:00Z");
        assert_eq!(
            field("2026-11-16 10:30 UTC and more"),
            "2026-11-16 10:30 UTC and more"
        );
    }
}
