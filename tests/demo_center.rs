//! Seed 000's console URL and certificate rules on the demo and on variants of it: the
//! sample files of a demo engagement are changed the way a real Center or DC would
//! differ, then read again (`inventory`) and checked (`check --no-network`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

mod support;

/// The binary, working in the engagement `eng`.
fn ata2atp(eng: &Path) -> Command {
    let mut cmd = support::commands::ata2atp();
    cmd.arg("--engagement").arg(eng);
    cmd
}

fn demo(dir: &Path) -> PathBuf {
    let eng = dir.join("eng");
    let mut cmd = support::commands::ata2atp();
    cmd.arg("demo").arg(&eng).assert().success();
    eng
}

/// Replaces `from` by `to` in a sample file (it must be there).
fn edit(eng: &Path, file: &str, from: &str, to: &str) {
    let path = eng.join("samples").join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "`{from}` is not in {file}");
    fs::write(&path, text.replace(from, to)).unwrap();
}

/// The inventory read again from the samples, and the results of `ids`: `id[subject]`
/// or `id` → (status, reason).
fn check(eng: &Path, ids: &[&str]) -> Vec<(String, String, String)> {
    ata2atp(eng).arg("inventory").assert().success();
    let mut cmd = ata2atp(eng);
    cmd.args(["-o", "json", "check", "--no-network", "--no-save"]);
    for id in ids {
        cmd.args(["--only", id]);
    }
    let out = cmd.output().unwrap();
    let checks: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    checks["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let key = match r["subject"].as_str() {
                Some(s) => format!("{}[{s}]", r["id"].as_str().unwrap()),
                None => r["id"].as_str().unwrap().to_string(),
            };
            (
                key,
                r["status"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn result<'r>(results: &'r [(String, String, String)], key: &str) -> (&'r str, &'r str) {
    results
        .iter()
        .find(|(k, _, _)| k == key)
        .map(|(_, s, r)| (s.as_str(), r.as_str()))
        .unwrap_or_else(|| panic!("no result {key} in {results:#?}"))
}

const RULES: [&str; 4] = [
    "ata.console_url",
    "ata.console_certificate_name",
    "ata.console_url_resolves",
    "ata.center_addresses",
];

#[test]
fn the_demo_resolves_the_console_everywhere_but_on_emea_dc01() {
    let dir = tempfile::tempdir().unwrap();
    let eng = demo(dir.path());
    let r = check(&eng, &RULES);
    assert_eq!(result(&r, "ata.console_url").0, "pass");
    assert_eq!(result(&r, "ata.console_certificate_name").0, "pass");
    assert_eq!(result(&r, "ata.center_addresses").0, "pass");
    for dc in [
        "FAB-DC01",
        "FAB-DC02",
        "FAB-DC03",
        "FAB-ATA01.fabrikam.test",
    ] {
        assert_eq!(
            result(&r, &format!("ata.console_url_resolves[{dc}]")).0,
            "pass",
            "{r:#?}"
        );
    }
    let (status, reason) = result(&r, "ata.console_url_resolves[EMEA-DC01]");
    assert_eq!(status, "fail");
    assert!(
        reason.contains("ata.fabrikam.test resolves to 10.20.0.25, not to 10.20.0.15"),
        "{reason}"
    );
    // No facts from the full gateway, an older collector on the RODC: named, not guessed.
    assert_eq!(
        result(&r, "ata.console_url_resolves[FAB-ATAGW01]").0,
        "unknown"
    );
    assert_eq!(
        result(&r, "ata.console_url_resolves[EMEA-RODC01]").0,
        "unknown"
    );
}

#[test]
fn a_certificate_that_does_not_name_the_console_host_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let eng = demo(dir.path());
    // The certificate awaiting activation was issued for another name.
    edit(
        &eng,
        "hosts/center-facts.json",
        "\"ata.fabrikam.test\",\n        \"fab-ata01.fabrikam.test\"",
        "\"ata-new.fabrikam.test\"",
    );
    edit(
        &eng,
        "hosts/center-facts.json",
        "\"subject\": \"CN=ata.fabrikam.test\",\n      \"issuer\": \"CN=Fabrikam Issuing CA 01\",\n      \"not_before\": \"2026-11-05",
        "\"subject\": \"CN=ata-new.fabrikam.test\",\n      \"issuer\": \"CN=Fabrikam Issuing CA 01\",\n      \"not_before\": \"2026-11-05",
    );
    let r = check(&eng, &["ata.console_certificate_name"]);
    let (status, reason) = result(&r, "ata.console_certificate_name");
    // Not in use yet: a warning naming it, before anyone activates it.
    assert_eq!(status, "warn", "{r:#?}");
    assert!(
        reason.contains("awaiting activation 9B47C2E1D08F3A65B2C4E7190D3F8A6C5E21B074 does not name ata.fabrikam.test"),
        "{reason}"
    );
    // The certificate in use naming another host: a warning too (the seed's reason is the
    // browser warning), now naming both.
    edit(
        &eng,
        "hosts/center-facts.json",
        "\"subject\": \"CN=ata.fabrikam.test\"",
        "\"subject\": \"CN=fab-ata01.fabrikam.test\"",
    );
    edit(
        &eng,
        "hosts/center-facts.json",
        "\"dns_names\": [\n        \"ata.fabrikam.test\"\n      ]",
        "\"dns_names\": [\n        \"fab-ata01.fabrikam.test\"\n      ]",
    );
    let r = check(&eng, &["ata.console_certificate_name"]);
    let (status, reason) = result(&r, "ata.console_certificate_name");
    assert_eq!(status, "warn", "{r:#?}");
    assert!(
        reason.contains(
            "certificate C4A1E07B3D9F52864E0B1A7C2D5F9E3816B40A72 does not name \
             ata.fabrikam.test (it names fab-ata01.fabrikam.test)"
        ),
        "{reason}"
    );
}

#[test]
fn a_listening_address_not_installed_on_the_center_fails() {
    let dir = tempfile::tempdir().unwrap();
    let eng = demo(dir.path());
    edit(
        &eng,
        "hosts/center-facts.json",
        "\"ip_addresses\": [\n    \"10.20.0.15\"\n  ]",
        "\"ip_addresses\": [\n    \"10.20.0.99\"\n  ]",
    );
    let r = check(&eng, &["ata.center_addresses"]);
    let (status, reason) = result(&r, "ata.center_addresses");
    assert_eq!(status, "fail", "{r:#?}");
    assert!(reason.contains("10.20.0.15"), "{reason}");
}

#[test]
fn a_custom_console_ip_awaiting_activation_must_be_installed_first() {
    let dir = tempfile::tempdir().unwrap();
    let eng = demo(dir.path());
    // A new URL with a custom IP was entered in the console, not activated.
    edit(
        &eng,
        "ata/SystemProfile_20261115040000.json",
        "\"ServiceEndpoints\":[\"https://ata.fabrikam.test\"]",
        "\"ServiceEndpoints\":[\"https://ata.fabrikam.test\",\"https://10.20.0.20\"]",
    );
    let r = check(
        &eng,
        &[
            "ata.center_addresses",
            "ata.console_url",
            "ata.pending_change",
        ],
    );
    let (status, reason) = result(&r, "ata.center_addresses");
    assert_eq!(status, "fail", "{r:#?}");
    assert!(reason.contains("10.20.0.20"), "{reason}");
    assert_eq!(result(&r, "ata.console_url").0, "warn");
    assert_eq!(result(&r, "ata.pending_change").0, "warn");
}
