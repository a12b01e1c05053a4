//! Event collection and the readiness list from collector captures in the shapes Windows
//! writes them: Windows PowerShell 5.1's ConvertTo-Json layout saved as UTF-16LE with a
//! byte-order mark and CRLF, `auditpol /get /category:* /r` redirected by PowerShell
//! (UTF-16LE, BOM, CRLF) in English and in German, `auditpol /backup` (UTF-8, CRLF, French
//! names), and a pasted mistake. Read through `ata2atp inventory`, judged by `ata2atp
//! check`, fixed by `ata2atp remediation`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::commands::{ata2atp, check_json, init_engagement};
use support::files::{checks_fixture, read_inventory};

use std::path::{Path, PathBuf};

use ata2atp::model::{ChecksFile, Inventory, ServerRole, Status};
use predicates::prelude::*;

fn engagement(dir: &Path) -> PathBuf {
    let eng = dir.join("eng");
    init_engagement(&eng, "Lab Test");
    eng
}

fn collect(eng: &Path) -> Inventory {
    ata2atp()
        .args(["--engagement", eng.to_str().unwrap(), "inventory"])
        .arg("--dc-facts")
        .arg(checks_fixture("events/dc-facts-events-utf16.json"))
        .arg("--auditpol")
        .arg(checks_fixture("events/LAB-DC04-auditpol-en.csv"))
        .arg("--auditpol")
        .arg(checks_fixture("events/LAB-DC05-auditpol-de.csv"))
        .arg("--auditpol")
        .arg(checks_fixture("events/LAB-DC06-auditpol-backup-fr.csv"))
        .arg("--server-facts")
        .arg(checks_fixture("events/server-facts-ps51.json"))
        .arg("--center-facts")
        .arg(checks_fixture("center-facts-utf16.json"))
        .assert()
        .success();
    read_inventory(eng)
}

fn checks(eng: &Path) -> ChecksFile {
    let (code, file) = check_json(eng, &[]);
    assert_eq!(code, 1, "the captures hold failures");
    file
}

fn status(file: &ChecksFile, id: &str, subject: &str) -> (Status, String) {
    let r = file
        .results
        .iter()
        .find(|r| r.id == id && r.subject.as_deref() == Some(subject))
        .unwrap_or_else(|| panic!("{id}[{subject}] missing"));
    (r.status, r.reason.clone().unwrap_or_default())
}

#[test]
fn captures_in_windows_shapes_are_read_and_judged() {
    let dir = tempfile::tempdir().unwrap();
    let eng = engagement(dir.path());
    let inv = collect(&eng);

    // The collector's UTF-16 JSON: every new fact, or the reason it is missing.
    let dc1 = inv.host("LAB-DC01").unwrap();
    assert_eq!(dc1.audit_policy.as_ref().map(Vec::len), Some(8));
    assert_eq!(
        (
            dc1.ntlm_audit_incoming,
            dc1.ntlm_restrict_outgoing,
            dc1.ntlm_audit_domain
        ),
        (Some(2), Some(1), Some(7))
    );
    assert_eq!(dc1.mde_onboarded, Some(true));
    assert_eq!(inv.host("LAB-DC03").unwrap().errors.len(), 5);
    // The pasted captures: named by their Machine Name column, read by GUID in any language.
    let de = inv.host("LAB-DC05").unwrap().audit_policy.as_ref().unwrap();
    assert_eq!(de.len(), 9);
    assert!(
        de.iter()
            .any(|s| s.name == "Überprüfung der Anmeldeinformationen"
                && s.setting == "Erfolg und Fehler")
    );
    let fr = inv.host("LAB-DC06").unwrap().audit_policy.as_ref().unwrap();
    assert_eq!(
        fr.len(),
        8,
        "the option and global-SACL rows are not subcategories"
    );
    assert_eq!(
        fr.iter()
            .find(|s| s.guid == "0CCE923F-69AE-11D9-BED3-505054503030")
            .unwrap()
            .setting,
        "Success"
    );
    // Servers: the server facts and the Center (a member server with RestrictRemoteSAM).
    assert_eq!(
        inv.servers.len(),
        4,
        "{:?}",
        inv.servers.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    assert!(
        inv.servers
            .iter()
            .any(|s| s.has(ServerRole::AtaCenter) && s.restrict_remote_sam.as_deref() == Some(""))
    );

    let file = checks(&eng);
    for (id, subject, want) in [
        ("dc.audit_policy", "LAB-DC01.lab.test", Status::Pass),
        ("dc.audit_policy", "LAB-DC02.lab.test", Status::Fail),
        ("dc.audit_policy", "LAB-DC03.lab.test", Status::Unknown),
        ("dc.audit_policy", "LAB-DC04", Status::Fail),
        ("dc.audit_policy", "LAB-DC05", Status::Fail),
        ("dc.audit_policy", "LAB-DC06", Status::Fail),
        ("dc.ntlm_auditing", "LAB-DC01.lab.test", Status::Pass),
        ("dc.ntlm_auditing", "LAB-DC02.lab.test", Status::Fail),
        ("dc.ntlm_auditing", "LAB-DC03.lab.test", Status::Unknown),
        ("dc.packet_capture", "LAB-DC01.lab.test", Status::Pass),
        ("dc.packet_capture", "LAB-DC02.lab.test", Status::Fail),
        ("dc.root_certificates", "LAB-DC01.lab.test", Status::Pass),
        ("dc.root_certificates", "LAB-DC02.lab.test", Status::Fail),
        ("dc.root_certificates", "LAB-DC03.lab.test", Status::Unknown),
        ("dc.sensor_v3", "LAB-DC01.lab.test", Status::Pass),
        ("dc.sensor_v3", "LAB-DC02.lab.test", Status::Warn),
        ("server.adcs_auditing", "LAB-CA01.lab.test", Status::Pass),
        ("server.adfs_auditing", "LAB-ADFS01.lab.test", Status::Fail),
        (
            "server.entra_connect_auditing",
            "LAB-AADC01.lab.test",
            Status::Unknown,
        ),
    ] {
        let (got, reason) = status(&file, id, subject);
        assert_eq!(got, want, "{id}[{subject}]: {reason}");
    }
    // What each failure names: the subcategory (in the DC's own words when they differ),
    // the missing root, the driver.
    let (_, r) = status(&file, "dc.audit_policy", "LAB-DC05");
    assert!(
        r.contains("User Account Management") && r.contains("Failure missing"),
        "{r}"
    );
    let (_, r) = status(&file, "dc.audit_policy", "LAB-DC04");
    assert!(
        r.contains("Distribution Group Management (No Auditing)"),
        "{r}"
    );
    let (_, r) = status(&file, "dc.root_certificates", "LAB-DC02.lab.test");
    assert!(
        r.contains("DigiCert Global Root G2 (DF3C24F9BFD666761B268073FE06D1CC8D4F82A4)"),
        "{r}"
    );
    let (_, r) = status(&file, "dc.audit_policy", "LAB-DC03.lab.test");
    assert!(
        r.contains("Access is denied"),
        "the collector's error is the reason: {r}"
    );
    // Remote SAM: no directory source, so the accounts' SIDs are unknown.
    let sam: Vec<_> = file
        .results
        .iter()
        .filter(|r| r.id == "dsa.remote_sam")
        .collect();
    assert_eq!(sam.len(), 1);
    assert_eq!(sam[0].status, Status::Unknown);

    // The remediation script for lab.test: one guarded block per failing item.
    let out = ata2atp()
        .args([
            "--engagement",
            eng.to_str().unwrap(),
            "remediation",
            "--domain",
            "lab.test",
            "--stdout",
        ])
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    let script = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "# ---- dc.audit_policy [LAB-DC02.lab.test]",
        "auditpol.exe /set '/subcategory:{0CCE9237-69AE-11D9-BED3-505054503030}' /success:enable /failure:enable",
        "# ---- dc.ntlm_auditing [LAB-DC02.lab.test]",
        "reg.exe add 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\MSV1_0' /v AuditReceivingNTLMTraffic /t REG_DWORD /d 2 /f",
        "# ---- dc.packet_capture [LAB-DC02.lab.test]",
        "# ---- dc.root_certificates [LAB-DC02.lab.test]",
        "# ---- server.adfs_auditing [LAB-ADFS01.lab.test]",
        "auditpol.exe /set '/subcategory:{0CCE9222-69AE-11D9-BED3-505054503030}'",
    ] {
        assert!(script.contains(needle), "`{needle}` missing from\n{script}");
    }
    assert!(
        !script.contains("[LAB-DC01.lab.test]"),
        "a passing DC gets no block"
    );
    // LAB-DC04..06 are named without a domain suffix: not in lab.test's script.
    ata2atp()
        .args([
            "--engagement",
            eng.to_str().unwrap(),
            "remediation",
            "--domain",
            "nowhere.test",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no domain nowhere.test"));
}

#[test]
fn a_pasted_file_that_is_not_auditpol_output_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let eng = engagement(dir.path());
    ata2atp()
        .args([
            "--engagement",
            eng.to_str().unwrap(),
            "inventory",
            "--auditpol",
        ])
        .arg(checks_fixture("events/not-auditpol.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "not-auditpol.csv:2: expected a subcategory line",
        ))
        .stderr(predicate::str::contains("auditpol /get /category:* /r"));
    assert!(!eng.join("inventory.yaml").exists());
}
