//! A source read only in part reads "partial" in the report (HTML and Markdown) and is an
//! open point of the sign-off; a `not_found` entry's reason is shown (issue 12.2).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use support::report::*;

#[test]
fn a_partial_source_and_not_found_reasons_are_shown() {
    let (_dir, root) = engagement();
    let inv = root.join("inventory.yaml");
    let text = std::fs::read_to_string(&inv).unwrap();
    let text = text.replacen(
        "  - item: ata.report_schedules.recipients\n",
        "  - item: ATA field Configuration.MailClientConfiguration\n    reason: expected a document, found the string \"smtp.northwind.test\"\n    tried: [\"SystemProfile.bson, document 1 (byte 0)\"]\n  - item: ata.report_schedules.recipients\n",
        1,
    );
    std::fs::write(&inv, text).unwrap();
    let html = std::fs::read_to_string(&report(&root, &[])[0]).unwrap();
    assert!(
        html.contains(r#"<span class="st st-partial">partial</span>"#),
        "the LDAP source is not shown as partial"
    );
    assert!(
        html.contains("read only in part"),
        "no open point for the partial source"
    );
    assert!(
        html.contains("expected a document, found the string &quot;smtp.northwind.test&quot;"),
        "the reason is not shown"
    );
    let md = std::fs::read_to_string(&report(&root, &["--format", "md"])[0]).unwrap();
    assert!(md.contains("| partial |"), "Markdown: no partial source");
    assert!(md.contains("ATA field Configuration.MailClientConfiguration (expected a document"));
}
