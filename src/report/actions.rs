//! `report --format actions`: the report cut into what people paste into tickets.
//!
//! - one CSV and one Markdown file per owner (each DC, each server, each team) with its
//!   failing and undecided items and their whole remediation;
//! - every action in one CSV, and every check result in another;
//! - the signer's summary alone in Markdown, small enough for a ticket, and the full
//!   Markdown report beside it;
//! - an iCalendar file with the deadlines the engagement knows.
//!
//! Everything is made from the report's context (after `--redact`), so the lists say
//! what the report says.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::Error;
use super::context::ActionLine;
use super::context::{ReportContext, Table};
use super::csv_export::{checks_table, to_csv};
use super::render::{Document, Renderer};

/// Jira's description field holds 32,767 characters, GitHub's issue body 65,536: the
/// summary file stays under the smaller.
pub const TICKET_LIMIT: usize = 32_000;

/// The summary cut at a line to stay under [`TICKET_LIMIT`] (a large engagement's
/// hundreds of items), saying where the rest is.
pub fn fit_ticket(text: String) -> String {
    const NOTE: &str = "\n\n_Cut here to fit a ticket: every item is in the full Markdown \
                        (`.full.md`) and in each owner's list._\n";
    if text.len() <= TICKET_LIMIT {
        return text;
    }
    let room = TICKET_LIMIT - NOTE.len();
    // A char boundary at or before `room` (str::floor_char_boundary needs Rust 1.91).
    let mut end = room;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind('\n').unwrap_or(0);
    format!("{}{NOTE}", &text[..cut])
}

/// A file name part from an owner: lower case, letters, digits, `.` and `-`.
pub fn slug(owner: &str) -> String {
    let mut s = String::new();
    for c in owner.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches(['-', '.']).to_string();
    if s.is_empty() { "owner".into() } else { s }
}

/// The owners in the order their first item comes in the summary.
fn owners(actions: &[ActionLine]) -> Vec<&str> {
    let mut v: Vec<&str> = Vec::new();
    for a in actions {
        if !v.contains(&a.owner.as_str()) {
            v.push(&a.owner);
        }
    }
    v
}

fn action_table(id: &str, title: &str, lines: &[&ActionLine]) -> Table {
    let mut t = Table {
        id: id.into(),
        title: title.into(),
        columns: [
            "Owner",
            "Area",
            "Check",
            "Title",
            "Subject",
            "Result",
            "Reason",
            "Remediation",
        ]
        .iter()
        .map(|c| c.to_string())
        .collect(),
        ..Table::default()
    };
    for a in lines {
        t.rows.push(vec![
            a.owner.clone(),
            a.area.clone(),
            a.id.clone(),
            a.title.clone(),
            a.subject.clone().unwrap_or_default(),
            a.status.to_string(),
            a.reason.clone().unwrap_or_default(),
            a.remediation.clone().unwrap_or_default(),
        ]);
    }
    t.total = t.rows.len();
    t
}

/// One owner's list in Markdown: a ticket's body.
fn owner_markdown(ctx: &ReportContext, owner: &str, lines: &[&ActionLine]) -> String {
    let e = super::render::escape_markdown;
    let mut s = format!(
        "# To do for {}: {}\n\n{} · {} · from the report of {} ({} item{})\n",
        e(owner),
        e(&ctx.meta.title),
        e(&ctx.meta.customer),
        e(&ctx.meta.guide_title),
        e(&ctx.meta.generated_at),
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    );
    for a in lines {
        let _ = write!(
            s,
            "\n## {} — {}{}\n\n",
            e(&a.title),
            a.status,
            a.subject
                .as_deref()
                .map(|x| format!(" ({})", e(x)))
                .unwrap_or_default()
        );
        let _ = writeln!(s, "- **Check:** {}", e(&a.check));
        if let Some(r) = &a.reason {
            let _ = writeln!(s, "- **Found:** {}", e(r));
        }
        let _ = writeln!(
            s,
            "- **What to do:** {}",
            a.remediation
                .as_deref()
                .map_or_else(|| "see the report".to_string(), e)
        );
    }
    s
}

/// Text for an iCalendar property value (RFC 5545 §3.3.11).
fn ics_text(v: &str) -> String {
    let mut out = String::new();
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (RFC 5545 §3.1), never inside a character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// The deadlines as an iCalendar file.
pub fn calendar(ctx: &ReportContext, now: DateTime<Utc>) -> String {
    use sha2::Digest;
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ata2atp//report actions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    fold(
        &format!(
            "X-WR-CALNAME:{}",
            ics_text(&format!("{}: ATA to cloud deadlines", ctx.meta.customer))
        ),
        &mut out,
    );
    for d in &ctx.signer.deadlines {
        // Stable across runs: the same deadline keeps its UID when the report is made
        // again, so a calendar updates the event instead of adding a second one.
        let uid = hex::encode(&sha2::Sha256::digest(format!("{}|{}", d.title, d.at))[..12]);
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{uid}@ata2atp"), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        if d.all_day {
            fold(
                &format!("DTSTART;VALUE=DATE:{}", d.at.replace('-', "")),
                &mut out,
            );
        } else {
            let t = DateTime::parse_from_rfc3339(&d.at)
                .map(|t| t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string())
                .unwrap_or_else(|_| d.at.clone());
            fold(&format!("DTSTART:{t}"), &mut out);
        }
        fold(&format!("SUMMARY:{}", ics_text(&d.title)), &mut out);
        fold(&format!("DESCRIPTION:{}", ics_text(&d.detail)), &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// The files of `--format actions`: (suffix after the report's base name, bytes).
pub fn files(
    ctx: &ReportContext,
    value: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let md = Renderer::new(Document::Markdown, None)?;
    let mut out = vec![
        (
            ".summary.md".to_string(),
            fit_ticket(md.render_summary(value)?).into_bytes(),
        ),
        (".full.md".to_string(), md.render(value)?.into_bytes()),
        (".checks.csv".to_string(), to_csv(&checks_table(ctx))?),
    ];
    let all: Vec<&ActionLine> = ctx.signer.actions.iter().collect();
    out.push((
        ".actions.csv".to_string(),
        to_csv(&action_table("actions", "Actions", &all))?,
    ));
    let mut used: Vec<String> = Vec::new();
    for owner in owners(&ctx.signer.actions) {
        let lines: Vec<&ActionLine> = ctx
            .signer
            .actions
            .iter()
            .filter(|a| a.owner == owner)
            .collect();
        // Two owners whose names make the same slug keep apart.
        let mut name = slug(owner);
        let mut n = 1;
        while used.contains(&name) {
            n += 1;
            name = format!("{}-{n}", slug(owner));
        }
        used.push(name.clone());
        out.push((
            format!(".owner-{name}.csv"),
            to_csv(&action_table(&name, owner, &lines))?,
        ));
        out.push((
            format!(".owner-{name}.md"),
            owner_markdown(ctx, owner, &lines).into_bytes(),
        ));
    }
    out.push((
        ".deadlines.ics".to_string(),
        calendar(ctx, now).into_bytes(),
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_summary_is_cut_at_a_line_under_the_ticket_limit() {
        let long = "| fail | an item | what to do | owner |\n".repeat(2_000);
        let cut = fit_ticket(long.clone());
        assert!(cut.len() <= TICKET_LIMIT, "{}", cut.len());
        assert!(cut.contains("Cut here to fit a ticket"));
        let body = &cut[..cut.find("\n\n_Cut").unwrap()];
        assert!(
            body.lines()
                .all(|l| l == "| fail | an item | what to do | owner |")
        );
        assert_eq!(fit_ticket("short\n".into()), "short\n");
    }

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(
            slug("DC FAB-DC02.fabrikam.test"),
            "dc-fab-dc02.fabrikam.test"
        );
        assert_eq!(slug("Active Directory team"), "active-directory-team");
        assert_eq!(slug("../.."), "owner");
    }

    #[test]
    fn calendar_lines_are_escaped_and_folded() {
        let mut out = String::new();
        fold(
            &format!("SUMMARY:{}", ics_text(&"a,b;c\\d\ne ".repeat(10))),
            &mut out,
        );
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l}");
        }
        let joined = out.replace("\r\n ", "");
        assert!(
            joined.starts_with("SUMMARY:a\\,b\\;c\\\\d\\ne "),
            "{joined}"
        );
    }
}
