//! Benchmark of the report on a large engagement (not a test).
//! `scripts/bench-report.sh` runs it in release mode and it writes
//! `target/bench/report.json`: rendering times, sizes, and how long headless Chromium
//! takes to load the HTML.
//!
//! The engagement: 5,000 exclusions, 2,000 sensitive entities and honeytokens, 100,000
//! alerts of which 5,000 open and 1,000 suppressed (the rest only counted, as the
//! inventory keeps them), 200 domain controllers with check results, and C09's
//! per-exclusion record filled for the first 1,000 exclusions.

// The headless-browser harness the report tests use.
#[path = "../tests/report_common/mod.rs"]
mod report_common;

use std::collections::BTreeMap;
use std::time::Instant;

use ata2atp::engagement::{Cloud, Engagement, EngagementConfig, SourceLocations};
use ata2atp::model::*;
use ata2atp::report::{self, Format, Request};
use chrono::{Duration, TimeZone, Utc};

fn entity(n: usize, kind: EntityType) -> Entity {
    Entity {
        id: format!("c0ffee00-0000-4000-8000-{n:012}"),
        name: Some(format!("bench-{n:05}")),
        sid: Some(format!("S-1-5-21-1-2-3-{}", 10_000 + n)),
        kind: Some(kind),
        source: Some(TagSource::Manual),
        ad: Some(AdMatch {
            found: n % 17 != 0,
            name: Some(format!("bench-{n:05}")),
            dn: Some(format!("CN=bench-{n:05},OU=Bench,DC=bench,DC=test")),
            sid: Some(format!("S-1-5-21-1-2-3-{}", 10_000 + n)),
            enabled: Some(true),
        }),
    }
}

fn large_engagement(root: &std::path::Path) -> Engagement {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 16, 10, 0, 0).unwrap();
    let config = EngagementConfig {
        schema_version: SCHEMA_VERSION,
        customer: "Bench Corp".into(),
        consultant: "Bench Consultant".into(),
        cloud: Cloud::Commercial,
        workspace: Some("bench".into()),
        proxy: None,
        guide: "azure-atp-2019".into(),
        sources: SourceLocations::default(),
        demo: false,
        created_at: t0,
    };
    let (engagement, lock) = Engagement::init(root, &config).unwrap();
    let mut inv = Inventory::new(t0);
    let detectors = [
        "DnsReconnaissanceDetectorConfiguration",
        "PassTheTicketDetectorConfiguration",
        "SamrReconnaissanceDetectorConfiguration",
        "LdapBruteForceDetectorConfiguration",
    ];
    inv.ata.exclusions = (0..5_000)
        .map(|n| Exclusion {
            detector: detectors[n % detectors.len()].into(),
            kind: if n % 2 == 0 {
                ExclusionKind::Computer
            } else {
                ExclusionKind::Account
            },
            value: format!("c0ffee00-0000-4000-8000-{n:012}"),
            entity: Some(entity(
                n,
                if n % 2 == 0 {
                    EntityType::Computer
                } else {
                    EntityType::User
                },
            )),
            list: Some("ExcludedSourceComputerIds".into()),
        })
        .collect();
    inv.ata.sensitive = (0..1_900)
        .map(|n| entity(100_000 + n, EntityType::User))
        .collect();
    inv.ata.honeytokens = (0..100)
        .map(|n| entity(200_000 + n, EntityType::User))
        .collect();
    let alert = |n: usize, status: &str| Alert {
        id: format!("{n:024x}"),
        kind: "DnsReconnaissanceSuspiciousActivity".into(),
        severity: Some(["Low", "Medium", "High"][n % 3].into()),
        status: status.into(),
        start_time: Some(t0 - Duration::hours(n as i64)),
        end_time: None,
        entities: vec![
            format!("bench-{:05}", n % 5_000),
            format!("BENCH-WKS{:04}", n % 9_000),
        ],
    };
    inv.ata.alerts = Alerts {
        by_status: BTreeMap::from([
            ("Open".into(), 5_000),
            ("Suppressed".into(), 1_000),
            ("Closed".into(), 94_000),
        ]),
        open: (0..5_000).map(|n| alert(n, "Open")).collect(),
        suppressed: (5_000..6_000).map(|n| alert(n, "Suppressed")).collect(),
    };
    inv.hosts = (0..200)
        .map(|n| DcFacts {
            dotnet_release: Some(if n % 10 == 0 { 394_802 } else { 528_049 }),
            os_caption: Some("Microsoft Windows Server 2016 Datacenter".into()),
            ..DcFacts::new(format!("BENCH-DC{n:03}.bench.test"))
        })
        .collect();
    lock.save_inventory(&inv).unwrap();
    let results = (0..200)
        .map(|n| CheckResult {
            id: "dc.dotnet".into(),
            title: ".NET Framework 4.7 or later".into(),
            guide: GuideRef::Both,
            subject: Some(format!("BENCH-DC{n:03}.bench.test")),
            status: if n % 10 == 0 {
                Status::Fail
            } else {
                Status::Pass
            },
            reason: None,
            evidence: BTreeMap::from([("release".into(), "528049".into())]),
            remediation: None,
            accepted: None,
        })
        .collect();
    lock.save_checks(&ChecksFile {
        schema_version: SCHEMA_VERSION,
        tool_version: TOOL_VERSION.into(),
        ran_at: t0,
        inventory_sha256: None,
        results,
        acceptances: Vec::new(),
    })
    .unwrap();
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
    // Phase timings (read, context, render) on stderr.
    let _ = tracing_subscriber::fmt().with_env_filter("ata2atp=debug").with_writer(std::io::stderr).try_init();
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
    let baseline = report_common::load_page(&blank, out.path());
    let load = report_common::load_page(&html, out.path());
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
    let path = target.join("report.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&numbers).unwrap() + "\n",
    )
    .unwrap();
    eprintln!("wrote {}", path.display());
}
