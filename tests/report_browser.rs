//! The HTML report in a real headless Chromium (Debian's `chromium`, installed by
//! `scripts/test-env.sh`): it renders (a screenshot is taken), it makes no network
//! request, and it logs nothing to the console. A control page that does fetch and log
//! proves the harness can see both. PDF output goes through the same browser.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::path::PathBuf;

use support::report::*;

/// The demo's HTML report, as `ata2atp demo` writes it.
fn demo_report(dir: &std::path::Path) -> PathBuf {
    let root = dir.join("demo");
    let out = ata2atp(dir, &["demo"]).arg(&root).output().unwrap();
    support::commands::assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Report: "))
        .unwrap_or_else(|| panic!("demo printed no report path:\n{stdout}"));
    let path = PathBuf::from(line.trim_start_matches("Report: ").trim());
    assert!(
        path.is_file() && path.starts_with(root.join("reports")),
        "{}",
        path.display()
    );
    path
}

#[test]
fn the_demo_report_loads_offline_without_console_errors() {
    let dir = tempfile::tempdir().unwrap();
    let html = demo_report(dir.path());
    let text = std::fs::read_to_string(&html).unwrap();
    assert_eq!(
        external_references(&text),
        Vec::<String>::new(),
        "the report refers to outside resources"
    );
    assert!(
        text.contains("Content-Security-Policy"),
        "the report forbids outside loads itself"
    );
    // One inline script, allowed by its hash and by nothing broader.
    assert_eq!(text.matches("<script>").count(), 1);
    let csp = &text[text.find("Content-Security-Policy").unwrap()..];
    let csp = &csp[..csp.find('>').unwrap()];
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline';") || !csp.contains("script-src 'unsafe"),
        "{csp}"
    );

    let load = load_page(&html, dir.path());
    assert!(
        load.page_requests.is_empty(),
        "the page made requests: {:?}",
        load.page_requests
    );
    assert!(
        load.console.is_empty(),
        "console output: {:?}",
        load.console
    );
    let (w, h) = png_size(&load.screenshot);
    assert!(w >= 1000 && h >= 1000, "screenshot {w}x{h}");
    assert!(
        std::fs::metadata(&load.screenshot).unwrap().len() > 20_000,
        "the screenshot is nearly empty"
    );
}

#[test]
fn the_fixture_report_loads_offline_too() {
    let (_dir, root) = engagement();
    let files = report(&root, &[]);
    let html = &files[0];
    let out = tempfile::tempdir().unwrap();
    let load = load_page(html, out.path());
    assert!(load.page_requests.is_empty(), "{:?}", load.page_requests);
    assert!(load.console.is_empty(), "{:?}", load.console);
}

/// The harness is not blind: a page that loads an image and logs an error is caught.
#[test]
fn the_harness_sees_requests_and_console_messages() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("control.html");
    std::fs::write(
        &page,
        "<!doctype html><html><body><h1>control</h1>\
         <img src=\"http://127.0.0.1:9/probe.png\">\
         <script>console.error('control error')</script></body></html>",
    )
    .unwrap();
    let load = load_page(&page, dir.path());
    assert!(
        load.page_requests
            .iter()
            .any(|u| u.contains("127.0.0.1:9/probe.png")),
        "request not seen; all requests: {:?}",
        load.all_requests
    );
    assert!(
        load.console.iter().any(|l| l.contains("control error")),
        "{:?}",
        load.console
    );
    assert!(!external_references(&std::fs::read_to_string(&page).unwrap()).is_empty());
}

#[test]
fn pdf_is_printed_by_the_local_browser() {
    let (_dir, root) = engagement();
    let files = report(
        &root,
        &["--format", "pdf", "--browser", chromium().to_str().unwrap()],
    );
    let pdf = std::fs::read(&files[0]).unwrap();
    assert!(
        pdf.starts_with(b"%PDF"),
        "not a PDF: {}",
        files[0].display()
    );
    assert!(pdf.len() > 20_000);
    let verify = ata2atp(&root, &["report", "verify"])
        .arg(&files[0])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn pdf_without_a_browser_names_what_is_missing_and_exits_3() {
    let (_dir, root) = engagement();
    // A browser that is not there (on this machine one is installed, so it is named).
    let out = ata2atp(
        &root,
        &[
            "report",
            "--format",
            "pdf",
            "--browser",
            "/nonexistent/chrome",
        ],
    )
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    for needle in [
        "/nonexistent/chrome",
        "Chromium, Chrome or Edge",
        "--browser",
        "--format html",
    ] {
        assert!(stderr.contains(needle), "{needle} missing from: {stderr}");
    }
    // Nothing half-made is left in reports/.
    let left: Vec<_> = std::fs::read_dir(root.join("reports")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The inline script runs under the report's CSP: it adds a filter box above each
/// sortable table, and sorts on a header click (seen in the DOM Chromium dumps).
#[test]
fn the_inline_script_runs_under_the_csp() {
    let dir = tempfile::tempdir().unwrap();
    let html = demo_report(dir.path());
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("class=\"filter\"") && dom.contains("Filter these"),
        "no filter box: the script did not run"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("Content Security Policy"),
        "the CSP refused something: {stderr}"
    );
}

/// The DOM Chromium builds for `url` (scripts run under the report's CSP).
fn dump_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Issue 17.3: a collapsed long table is not built at load (its rows wait as the text of
/// a <noscript>, so a large report loads in about the time of a blank page); a link to it
/// builds it, and the script wires its filter and sorting then.
#[test]
fn collapsed_tables_are_built_when_a_link_points_into_them() {
    let dir = tempfile::tempdir().unwrap();
    let html = demo_report(dir.path());
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        text.contains("data-holds=\"checks\"><summary>")
            && text.contains("<noscript>\n<div class=\"scroll\"><table id=\"checks\""),
        "the demo's checks table is not collapsed and held back"
    );
    let built = regex::Regex::new(
        r#"<input type="search" class="filter" placeholder="Filter these \d+ rows"[^>]*><div class="scroll"><table id="checks""#,
    )
    .unwrap();
    let url = format!("file://{}", html.display());
    let at_load = dump_dom(&url);
    assert!(
        !built.is_match(&at_load),
        "the checks table was built at load"
    );
    let linked = dump_dom(&format!("{url}#checks"));
    assert!(
        built.is_match(&linked),
        "a link to #checks did not build and wire the table"
    );
}
