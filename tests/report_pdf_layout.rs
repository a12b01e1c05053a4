//! The PDF reads like a document (issue 17.2): no word of a table is split across lines
//! (the 73-page PDF had "Su bje ct" headers), every table fits the page (a clipped column
//! leaves words cut at the edge), pages are numbered "Page x of y" under a repeated
//! header, and the contents do not overlap. Read with `pdftotext -layout` (poppler-utils,
//! installed by `scripts/test-env.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use support::report::*;

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is not installed: run `scripts/test-env.sh install`");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The visible text of the HTML (tags dropped, the few entities the report uses read).
fn html_text(html: &str) -> String {
    let body = &html[html.find("<body>").unwrap()..];
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
}

/// Words of the PDF that are no word of the report but a piece of one: a word split
/// across lines in a cell, or cut at a page edge.
fn fragments(pdf: &str, html: &str) -> Vec<String> {
    let report: HashSet<&str> = words(html).into_iter().collect();
    // The running header and footer come from the print stylesheet.
    let margin: HashSet<&str> = ["Page", "of"].into_iter().collect();
    let mut found: Vec<String> = Vec::new();
    for w in words(pdf) {
        if w.chars().count() < 2 || report.contains(w) || margin.contains(w) {
            continue;
        }
        // A piece of a real word (an identifier longer than that may break).
        if report
            .iter()
            .any(|r| r.len() <= 15 && r.len() > w.len() && r.contains(w))
            && !found.iter().any(|f| f == w)
        {
            found.push(w.to_string());
        }
    }
    found
}

#[test]
fn the_demo_pdf_splits_no_word_and_numbers_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    let out = ata2atp(dir.path(), &["demo"]).arg(&root).output().unwrap();
    support::commands::assert_success(&out);
    let html = std::fs::read_to_string(&report(&root, &[])[0]).unwrap();
    let pdf = report(
        &root,
        &["--format", "pdf", "--browser", chromium().to_str().unwrap()],
    );
    let text = pdf_text(&pdf[0]);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let n = pages.len();
    assert!(n > 10, "{n} pages");

    let split = fragments(&text, &html_text(&html));
    assert!(split.is_empty(), "pieces of words in the PDF: {split:?}");
    // Every column header word whole, as often as the tables print it (at least).
    for header in [
        "Subject",
        "Thumbprint",
        "Remediation",
        "Detector",
        "Distinguished",
    ] {
        assert!(text.contains(header), "`{header}` not whole in the PDF");
    }

    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} of {n}", i + 1)),
            "page {} has no \"Page x of {n}\"",
            i + 1
        );
        // The repeated header: the customer on every page after the first.
        if i > 0 {
            assert!(
                page.contains("Fabrikam (demo)"),
                "page {} has no header",
                i + 1
            );
        }
    }
    // The contents: one entry a line, none run into another.
    let toc = pages
        .iter()
        .find(|p| p.contains("Contents"))
        .expect("a contents page");
    let entry = regex::Regex::new(r"\b\d{1,2}\. [A-Z]").unwrap();
    let lines: Vec<&str> = toc.lines().filter(|l| entry.is_match(l)).collect();
    assert!(lines.len() >= 8, "{toc}");
    for line in lines {
        assert_eq!(
            entry.find_iter(line).count(),
            1,
            "contents entries overlap: {line}"
        );
    }
}
