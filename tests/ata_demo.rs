//! `ata2atp demo` reads the built-in sample's ATA files (a SystemProfile backup in legacy
//! strict Extended JSON, a relaxed v2 UniqueEntity export, a canonical v2 SuspiciousActivity
//! array) into a full ATA section, and none of the sample's planted secrets leaves it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::fs;
use std::path::Path;

use ata2atp::model::{GatewayKind, Inventory, TagSource};

fn every_file(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            every_file(&p, out);
        } else {
            out.push((p.display().to_string(), fs::read(&p).unwrap()));
        }
    }
}

#[test]
fn the_demo_has_a_full_ata_section_and_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = support::commands::ata2atp()
        .arg("demo")
        .arg(&dir)
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    let text = fs::read_to_string(dir.join("inventory.yaml")).unwrap();
    let inv: Inventory = ata2atp::yaml::from_str(&text, "inventory.yaml").unwrap();
    let a = &inv.ata;

    assert!(
        inv.sources
            .iter()
            .filter(|s| s.kind == ata2atp::model::SourceKind::AtaJson)
            .count()
            >= 3,
        "{:?}",
        inv.sources
    );
    assert!(!a.center.console_urls.is_empty() && !a.center.certificate_thumbprints.is_empty());
    assert!(!a.directory_services_accounts.is_empty());
    assert!(
        a.directory_services_accounts
            .iter()
            .all(|d| d.secret_present)
    );
    assert!(a.syslog.as_ref().is_some_and(|s| s.server.is_some()));
    assert!(
        a.email
            .as_ref()
            .is_some_and(|e| e.server.is_some() && !e.recipients.is_empty())
    );
    assert!(a.vpn.as_ref().is_some_and(|v| v.secret_present));
    assert!(
        !a.exclusions.is_empty()
            && a.exclusions
                .iter()
                .any(|e| e.entity.as_ref().is_some_and(|x| x.name.is_some()))
    );
    assert!(!a.honeytokens.is_empty() && a.honeytokens.iter().all(|h| h.name.is_some()));
    assert!(
        a.sensitive
            .iter()
            .any(|s| s.source == Some(TagSource::Manual))
    );
    assert!(!a.report_schedules.is_empty());
    assert!(!a.gateways.is_empty());
    assert!(
        a.gateways
            .iter()
            .any(|g| g.domain_synchronizer_candidate == Some(true))
    );
    // Gateways carry no lightweight flag in ATA's database: the evidence decides.
    assert!(
        a.gateways
            .iter()
            .all(|g| g.kind != GatewayKind::LightweightGateway || inv.directory.is_some())
    );
    // Issue 15.1: FAB-ATAGW01 port-mirrors FAB-DC04 (capture adapters): a full ATA
    // Gateway; the other five run on DCs the LDIF lists: Lightweight Gateways. Each says
    // what decided it.
    let kinds: Vec<(&str, GatewayKind)> = a
        .gateways
        .iter()
        .map(|g| (g.name.as_str(), g.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("EMEA-DC01", GatewayKind::LightweightGateway),
            ("EMEA-RODC01", GatewayKind::LightweightGateway),
            ("FAB-ATAGW01", GatewayKind::Gateway),
            ("FAB-DC01", GatewayKind::LightweightGateway),
            ("FAB-DC02", GatewayKind::LightweightGateway),
            ("FAB-DC03", GatewayKind::LightweightGateway),
        ]
    );
    assert!(a.gateways.iter().all(|g| g.kind_evidence.is_some()));
    // Checklist step R06 names it instead of "none (Lightweight Gateways only)".
    let r06 = support::commands::ata2atp()
        .args([
            "--engagement",
            dir.to_str().unwrap(),
            "checklist",
            "show",
            "R06",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let r06 = String::from_utf8_lossy(&r06.stdout);
    assert!(
        r06.contains("FAB-ATAGW01") && r06.contains("FAB-DC04.fabrikam.test"),
        "{r06}"
    );
    assert!(!r06.contains("none (Lightweight Gateways only)"), "{r06}");
    assert!(!a.alerts.open.is_empty() && a.alerts.total() > a.alerts.open.len() as u64);
    assert!(!a.detectors.is_empty());

    // The sample plants DEMO-SECRET-… markers in its encrypted values.
    let mut files = Vec::new();
    every_file(&dir, &mut files);
    for (path, bytes) in files {
        if path.contains("samples") {
            continue; // the sample itself, as shipped
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("DEMO-SECRET") && !text.contains("REVNTy1TRUNSRVQ"),
            "{path} holds a planted secret"
        );
    }
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("DEMO-SECRET") && !all.contains("REVNTy1TRUNSRVQ"));
}
