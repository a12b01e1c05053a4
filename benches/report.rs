//! Benchmark of the report on a large engagement (not a test).
//! `scripts/bench-report.sh` runs it in release mode and it writes
//! `target/bench/report.json`: rendering times, sizes, and how long headless Chromium
//! takes to load the HTML.
//!
//! The engagement is the large one of `benches/common` (5,000 exclusions, 2,000
//! entities, 100,000 alerts of which 5,000 open and 1,000 suppressed, 200 DCs, about
//! 2,600 check results), with C09's per-exclusion record filled for the first 1,000
//! exclusions.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

// The headless-browser harness the report tests use.
#[path = "../tests/support/mod.rs"]
mod support;

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use ata2atp::engagement::Engagement;
use ata2atp::model::*;
use ata2atp::report::{self, Format, Request};
use chrono::Utc;

/// The large engagement, with C09's per-exclusion record filled for the first 1,000
/// exclusions.
fn large_engagement(root: &std::path::Path) -> Engagement {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (engagement, lock) = rt.block_on(common::create(root));
    let t0 = common::t0();
    let mut state = ChecklistState::new("azure-atp-2019");
    let mut fields = BTreeMap::new();
    for n in 1..=1_000 {
        fields.insert(format!("target[{n}]"), "global exclusion".to_string());
        fields.insert(format!("created[{n}]"), "yes".to_string());
    }
    state.steps.insert(
        "C09".into(),
        StepState {
            status: StepStatus::InProgress,
            by: Some("Bench Consultant".into()),
            at: Some(t0),
            fields,
            ..StepState::default()
        },
    );
    lock.save_checklist(&state).unwrap();
    drop(lock);
    engagement
}

fn main() {
    if !common::under_cargo_bench("report") {
        return;
    }
    // Phase timings (read, context, render) on stderr.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("ata2atp=debug")
        .with_writer(std::io::stderr)
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let engagement = large_engagement(&dir.path().join("bench"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut numbers = serde_json::Map::new();
    let mut run = |name: &str, format: Format, redact: bool| {
        let lock = engagement.lock().unwrap();
        let mut request = Request::new(format, Utc::now());
        request.redact = redact;
        let t = Instant::now();
        let written = rt
            .block_on(report::write(&engagement, &lock, &request))
            .unwrap();
        let seconds = t.elapsed().as_secs_f64();
        let bytes: u64 = written
            .files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .sum();
        eprintln!("{name}: {seconds:.3} s, {bytes} bytes");
        numbers.insert(
            format!("{name}_seconds"),
            serde_json::json!((seconds * 1000.0).round() / 1000.0),
        );
        numbers.insert(format!("{name}_bytes"), serde_json::json!(bytes));
        written.files[0].clone()
    };
    let html = run("html", Format::Html, false);
    run("markdown", Format::Md, false);
    run("csv", Format::Csv, false);
    run("html_redacted", Format::Html, true);

    let size = std::fs::metadata(&html).unwrap().len();
    assert!(size < 10 * 1024 * 1024, "HTML is {size} bytes, over 10 MB");

    let out = tempfile::tempdir().unwrap();
    // A trivial page first: what starting Chromium alone costs on this machine.
    let blank = out.path().join("blank.html");
    std::fs::write(&blank, "<!doctype html><title>x</title><p>x</p>").unwrap();
    let baseline = support::report::load_page(&blank, out.path());
    let load = support::report::load_page(&html, out.path());
    assert!(load.page_requests.is_empty(), "{:?}", load.page_requests);
    assert!(load.console.is_empty(), "{:?}", load.console);
    eprintln!(
        "chromium: {:.2} s for the report, {:.2} s for a blank page",
        load.seconds, baseline.seconds
    );
    numbers.insert(
        "chromium_load_seconds".into(),
        serde_json::json!((load.seconds * 100.0).round() / 100.0),
    );
    numbers.insert(
        "chromium_blank_page_seconds".into(),
        serde_json::json!((baseline.seconds * 100.0).round() / 100.0),
    );
    numbers.insert(
        "engagement".into(),
        serde_json::json!({"exclusions": 5000, "sensitive_entities": 1900, "honeytokens": 100, "alerts": 100000, "open_alerts": 5000, "suppressed_alerts": 1000, "domain_controllers": 200}),
    );
    numbers.insert(
        "profile".into(),
        serde_json::json!(if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }),
    );

    let target = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&target).unwrap();
    // The HTML measured, kept to look at (and to time again in a browser).
    std::fs::copy(&html, target.join("report.html")).unwrap();
    let path = target.join("report.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&numbers).unwrap() + "\n",
    )
    .unwrap();
    eprintln!("wrote {}", path.display());
}
