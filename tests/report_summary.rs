//! The signer's summary comes first (issue 17.1): the verdict, every failing or undecided
//! item grouped by what it is about with its remediation and owner, the accepted risks
//! with who and why, the open steps and the sign-off block; the evidence follows as an
//! appendix with the passes listed, not tabled. In HTML, Markdown and the PDF (its text
//! read with pdftotext, installed by `scripts/test-env.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::report::*;

/// The report's text: `<wbr>` (where a long value may break) is no text.
fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap().replace("<wbr>", "")
}

/// The demo engagement, made by `ata2atp demo` (its HTML report is in `reports/`).
fn demo(dir: &Path) -> PathBuf {
    let root = dir.join("demo");
    let out = ata2atp(dir, &["demo"]).arg(&root).output().unwrap();
    support::commands::assert_success(&out);
    root
}

/// Where each needle first appears; panics naming a missing one.
fn positions(text: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| {
            text.find(n)
                .unwrap_or_else(|| panic!("`{n}` missing from the report"))
        })
        .collect()
}

fn assert_in_order(text: &str, needles: &[&str]) {
    let p = positions(text, needles);
    for (i, w) in p.windows(2).enumerate() {
        assert!(
            w[0] < w[1],
            "`{}` should come before `{}`",
            needles[i],
            needles[i + 1]
        );
    }
}

/// `pdftotext -layout` of pages `first..=last` (0 = to the end).
pub fn pdf_text(pdf: &Path, first: u32, last: u32) -> String {
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-layout").args(["-f", &first.to_string()]);
    if last > 0 {
        cmd.args(["-l", &last.to_string()]);
    }
    let out = cmd
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is not installed: run `scripts/test-env.sh install`");
    support::commands::assert_success(&out);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_demo_html_leads_with_what_the_signer_must_act_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    let html = read(&report(&root, &[])[0]);
    assert_in_order(
        &html,
        &[
            "Not ready: prerequisites fail",
            "To do before the move (81 results)",
            "<th colspan=\"4\">Domain controllers</th>",
            "<th colspan=\"4\">Directory services accounts</th>",
            "<th colspan=\"4\">ATA Center and gateways</th>",
            "<th colspan=\"4\">Forest and domains</th>",
            "<th colspan=\"4\">Network and cloud</th>",
            "id=\"accepted-risks\"",
            "Open checklist steps (33 of 39)",
            "id=\"signoff\"",
            "Customer approver",
            "Appendix: the evidence",
            "id=\"prerequisites\"",
            "id=\"inventory\"",
            "id=\"provenance\"",
        ],
    );
    let summary = &html[html.find("<body>").unwrap()..html.find("Appendix: the evidence").unwrap()];
    // A failure with its remediation and owner, on the DC it names.
    for needle in [
        "install .NET Framework 4.8 in a maintenance window",
        "FAB-DC02.fabrikam.test",
        "DC owner",
        "Active Directory team",
        "ATA administrator",
        // The twelve-odd checks of the DC never collected are one item.
        "16 checks: dc.facts, dc.dotnet",
        // The Lightweight Gateway still on five DCs is one item naming them.
        "EMEA-DC01.emea.fabrikam.test, EMEA-RODC01.emea.fabrikam.test, FAB-DC01.fabrikam.test",
        "<b>C09</b> Create Security alert exclusions",
    ] {
        assert!(
            summary.contains(needle),
            "`{needle}` missing from the summary"
        );
    }
    // Passes are counted first, listed in the appendix, never a row each.
    assert!(summary.contains("91</b> pass"), "pass count");
    assert!(!summary.contains("st-pass"), "a pass in the summary");
    assert!(html.contains("Passed (91)"));
    let checks = &html[html.find("id=\"checks\"").unwrap()..html.find("id=\"passed\"").unwrap()];
    assert!(
        !checks.contains("st st-pass"),
        "a pass row in the evidence table"
    );
    assert!(checks.contains("st st-fail"));
}

#[test]
fn accepted_risks_name_who_and_why_in_the_summary() {
    let (_dir, root) = engagement();
    let html = read(&report(&root, &[])[0]);
    let summary = &html[..html.find("Appendix: the evidence").unwrap()];
    let risks = &summary[summary.find("id=\"accepted-risks\"").unwrap()..];
    for needle in ["RODC stays; no synchronizer role", "st-warn"] {
        assert!(risks.contains(needle), "`{needle}` missing: {risks}");
    }
    let md = read(&report(&root, &["--format", "md"])[0]);
    assert_in_order(
        &md,
        &[
            "## Not ready: prerequisites fail",
            "## To do before the move",
            "## Accepted risks",
            "RODC stays; no synchronizer role",
            "## Open checklist steps",
            "## Sign-off",
            "| Signature | | |",
            "# Appendix: the evidence",
            "## Prerequisites: evidence and accepted risks",
            "### Passed (",
        ],
    );
}

#[test]
fn the_demo_markdown_has_the_same_summary_first() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    let md = read(&report(&root, &["--format", "md"])[0]);
    assert_in_order(
        &md,
        &[
            "## Not ready: prerequisites fail",
            "## To do before the move (81 results)",
            "### Domain controllers",
            "| fail | .NET Framework 4.7 or later (FAB-DC02.fabrikam.test) | install .NET Framework 4.8",
            "### Directory services accounts",
            "## Accepted risks",
            "_No risk was accepted._",
            "## Open checklist steps (33 of 39)",
            "## Sign-off",
            "# Appendix: the evidence",
            "### Passed (91)",
        ],
    );
    let evidence =
        &md[md.find("## Prerequisites: evidence").unwrap()..md.find("### Passed").unwrap()];
    assert!(
        !evidence.contains("| pass |"),
        "a pass row in the evidence table"
    );
}

#[test]
fn the_demo_pdf_has_the_summary_and_sign_off_on_its_first_two_pages() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    let files = report(
        &root,
        &["--format", "pdf", "--browser", chromium().to_str().unwrap()],
    );
    let first_two = pdf_text(&files[0], 1, 2);
    for needle in [
        "Not ready: prerequisites fail",
        "To do before the move (81 results)",
        "Domain controllers",
        "Accepted risks",
        "Open checklist steps (33 of 39)",
        "Sign-off",
        "Customer approver",
        "Signature",
        "Page 1 of",
        "Page 2 of",
    ] {
        assert!(
            first_two.contains(needle),
            "`{needle}` not on pages 1-2:\n{first_two}"
        );
    }
    assert!(!first_two.contains("Appendix: the evidence"), "{first_two}");
    let third = pdf_text(&files[0], 3, 3);
    assert!(third.contains("Appendix: the evidence"), "{third}");
}
