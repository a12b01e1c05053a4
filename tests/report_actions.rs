//! `report --format actions` (issue 17.4, 17.5): one CSV and one Markdown per owner with
//! the failing items and their remediation, every action and every check as CSV, the
//! summary alone in Markdown (ticket-sized) beside the full Markdown, and the deadlines as
//! an iCalendar file; CSV dates in ISO 8601.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::path::{Path, PathBuf};

use support::report::*;

fn demo(dir: &Path) -> PathBuf {
    let root = dir.join("demo");
    let out = ata2atp(dir, &["demo"]).arg(&root).output().unwrap();
    support::commands::assert_success(&out);
    root
}

fn find<'a>(files: &'a [PathBuf], suffix: &str) -> &'a PathBuf {
    files
        .iter()
        .find(|f| f.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no file *{suffix} in {files:?}"))
}

#[test]
fn the_demo_actions_are_split_per_owner_with_their_remediation() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    let files = report(&root, &["--format", "actions"]);
    for f in &files {
        assert!(f.starts_with(root.join("reports")), "{}", f.display());
    }

    // One DC's list: only its items, each with the whole remediation.
    let dc02 = csv_rows(find(&files, ".owner-dc-fab-dc02.fabrikam.test.csv"));
    assert_eq!(dc02[0][0], "Owner");
    assert!(dc02.len() > 5, "{dc02:?}");
    for row in &dc02[1..] {
        assert_eq!(row[0], "DC FAB-DC02.fabrikam.test", "{row:?}");
        assert_eq!(row[4], "FAB-DC02.fabrikam.test", "{row:?}");
        assert!(!row[7].contains('…'), "remediation cut: {row:?}");
    }
    assert!(
        dc02.iter()
            .any(|r| r[2] == "dc.dotnet" && r[7].starts_with("install .NET Framework 4.8")),
        "{dc02:?}"
    );
    let md = std::fs::read_to_string(find(&files, ".owner-dc-fab-dc02.fabrikam.test.md")).unwrap();
    assert!(
        md.starts_with("# To do for DC FAB-DC02.fabrikam.test"),
        "{md}"
    );
    assert!(md.contains("install .NET Framework 4.8"), "{md}");
    // A team's list.
    let ad = csv_rows(find(&files, ".owner-active-directory-team.csv"));
    assert!(ad.iter().any(|r| r[2] == "forest.recycle_bin"), "{ad:?}");
    find(&files, ".owner-ata-administrator.md");

    // Every action once across the owners' files, the same as in actions.csv.
    let all = csv_rows(find(&files, ".actions.csv"));
    let per_owner: usize = files
        .iter()
        .filter(|f| {
            let n = f.to_string_lossy();
            n.contains(".owner-") && n.ends_with(".csv")
        })
        .map(|f| csv_rows(f).len() - 1)
        .sum();
    assert_eq!(all.len() - 1, 81);
    assert_eq!(per_owner, 81);

    // The checks CSV: every result, passes included.
    let checks = csv_rows(find(&files, ".checks.csv"));
    assert_eq!(checks[0][..4], ["Check", "Title", "Subject", "Result"]);
    assert_eq!(checks.len() - 1, 172);
    assert_eq!(checks.iter().filter(|r| r[3] == "pass").count(), 91);

    // The summary alone fits a ticket; the full Markdown is beside it.
    let summary = std::fs::read_to_string(find(&files, ".summary.md")).unwrap();
    assert!(
        summary.len() < ata2atp::report::actions::TICKET_LIMIT,
        "{} bytes",
        summary.len()
    );
    assert!(summary.contains("## To do before the move (81 results)"));
    assert!(summary.contains("## Sign-off"));
    assert!(
        !summary.contains("Appendix"),
        "the summary holds the appendix"
    );
    let full = std::fs::read_to_string(find(&files, ".full.md")).unwrap();
    assert!(full.contains("# Appendix: the evidence") && full.len() > summary.len());

    // The run has its integrity record, and verifies.
    let verify = ata2atp(&root, &["report", "verify"])
        .arg(find(&files, ".summary.md"))
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn the_calendar_holds_the_deadlines_the_engagement_knows() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    // The last sensor installed: the initial sync ends two hours later.
    let out = ata2atp(
        &root,
        &[
            "checklist",
            "set",
            "M03",
            "--by",
            "Test Consultant",
            "--field",
            "sensors_installed_at=2026-11-20T08:00:00Z",
        ],
    )
    .output()
    .unwrap();
    support::commands::assert_success(&out);
    let files = report(&root, &["--format", "actions"]);
    let ics = std::fs::read_to_string(find(&files, ".deadlines.ics")).unwrap();
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
        "{ics}"
    );
    assert!(ics.trim_end().ends_with("END:VCALENDAR"), "{ics}");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line}");
        assert!(!line.contains('\n'), "bare line feed: {line:?}");
    }
    let unfolded = ics.replace("\r\n ", "");
    for needle in [
        // The Center certificate's expiry (center-facts: valid until 2027-01-31).
        "SUMMARY:ATA Center certificate C4A1E07B3D9F52864E0B1A7C2D5F9E3816B40A72 expires",
        "DTSTART:20270131T",
        // The directory services account's password expiry.
        "SUMMARY:Password of directory services account emea.fabrikam.test\\\\svc-ata-emea expires",
        // The initial sync, two hours after the recorded install.
        "DTSTART:20261120T100000Z",
        "SUMMARY:End of initial sync (2 h after M03 sensors_installed_at)",
    ] {
        assert!(unfolded.contains(needle), "`{needle}` missing:\n{unfolded}");
    }
    assert_eq!(
        unfolded.matches("BEGIN:VEVENT").count(),
        unfolded.matches("END:VEVENT").count()
    );
}

#[test]
fn csv_dates_are_iso_8601() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    let files = report(&root, &["--format", "csv"]);
    let alerts = csv_rows(find(&files, ".open-alerts.csv"));
    let started = alerts[0].iter().position(|c| c == "Started").unwrap();
    let iso = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").unwrap();
    assert!(alerts.len() > 1);
    for row in &alerts[1..] {
        assert!(iso.is_match(&row[started]), "{row:?}");
    }
    // The checks are exported with the lists.
    let checks = csv_rows(find(&files, ".checks.csv"));
    assert_eq!(checks.len() - 1, 172);
    // No cell anywhere keeps the report's "… UTC" form.
    let report_form = regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$").unwrap();
    for f in files
        .iter()
        .filter(|f| f.to_string_lossy().ends_with(".csv"))
    {
        for row in csv_rows(f) {
            for cell in row {
                assert!(!report_form.is_match(&cell), "{}: {cell}", f.display());
            }
        }
    }
}

#[test]
fn redacted_action_lists_name_no_host() {
    let (_dir, root) = engagement();
    let files = report(&root, &["--format", "actions", "--redact"]);
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_lowercase();
        assert!(!name.contains("nw-dc"), "a host in a file name: {name}");
        if name.ends_with(".integrity.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for host in ["NW-DC02", "nw-dc02", "NW-RODC01"] {
            assert!(!text.contains(host), "{host} in {}", f.display());
        }
    }
}
