//! The remediation scripts of the demo: every failing event-collection or readiness item
//! has its block in its domain's script, with a change or a manual step, and nothing
//! changes anything unless the script runs with -Apply.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::commands::ata2atp;

use ata2atp::checks::remediation::SCRIPTED_CHECKS;
use ata2atp::model::{ChecksFile, Status};

/// Commands that change a system: each must sit inside an `Invoke-Fix` block.
const CHANGES: &[&str] = &[
    "auditpol.exe /set",
    "reg.exe add",
    "Set-Acl",
    "AddAuditRule",
    "certutil.exe -setreg",
    "Set-AdfsProperties",
    "Restart-Service",
];

fn assert_read_only_by_default(name: &str, script: &str) {
    // The one place a change runs: Invoke-Fix, under `if ($Apply)`.
    let def = script
        .find("function Invoke-Fix")
        .unwrap_or_else(|| panic!("{name}: no Invoke-Fix"));
    let body = &script[def..script[def..]
        .find("\r\n}\r\n")
        .map_or(script.len(), |e| def + e)];
    let apply = body.find("if ($Apply)").expect("Invoke-Fix tests -Apply");
    assert!(
        body.find("& $Change").is_some_and(|c| c > apply),
        "{name}: the change runs outside if ($Apply)"
    );
    assert!(script.contains("param([switch] $Apply)"), "{name}");
    let mut depth: i64 = 0;
    let mut in_fix = false;
    for (n, line) in script.lines().enumerate() {
        if line.starts_with("Invoke-Fix ") {
            in_fix = true;
            depth = 0;
        }
        if in_fix {
            depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
        }
        let code = line.split_once('#').map_or(line, |(c, _)| c);
        if !line.trim_start().starts_with('#') && CHANGES.iter().any(|c| code.contains(c)) {
            assert!(
                in_fix,
                "{name}:{}: a change outside Invoke-Fix: {line}",
                n + 1
            );
        }
        if in_fix && depth <= 0 && !line.starts_with("Invoke-Fix ") {
            in_fix = false;
        }
    }
}

#[test]
fn every_failing_item_of_the_demo_is_in_its_domain_s_script() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    ata2atp().arg("demo").arg(&root).assert().success();
    let out = ata2atp()
        .args(["--engagement", root.to_str().unwrap(), "remediation"])
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    let checks: ChecksFile = ata2atp::engagement::read_yaml_file(&root.join("checks.yaml"))
        .unwrap()
        .unwrap();
    let script_of = |domain: &str| {
        let p = root.join(format!("reports/remediation-{domain}.ps1"));
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let scripts = [
        ("fabrikam.test", script_of("fabrikam.test")),
        ("emea.fabrikam.test", script_of("emea.fabrikam.test")),
    ];
    for (d, s) in &scripts {
        support::servers::assert_parses_as_powershell(&format!("remediation-{d}.ps1"), s);
        assert_read_only_by_default(d, s);
        assert!(s.contains(&format!("found in {d}.")), "{d}");
    }
    let failing: Vec<_> = checks
        .results
        .iter()
        .filter(|r| SCRIPTED_CHECKS.contains(&r.id.as_str()))
        .filter(|r| r.accepted.is_none() && matches!(r.status, Status::Fail | Status::Warn))
        .collect();
    assert!(
        failing.len() >= 10,
        "the demo plants failures of these checks: {}",
        failing.len()
    );
    for r in &failing {
        let subject = r.subject.as_deref().unwrap_or("forest");
        let domain = match r.id.as_str() {
            "domain.object_auditing" | "domain.adfs_auditing" => subject.to_string(),
            "forest.configuration_auditing" => "fabrikam.test".to_string(),
            _ => subject.split_once('.').unwrap().1.to_string(),
        };
        let (_, script) = scripts
            .iter()
            .find(|(d, _)| *d == domain)
            .unwrap_or_else(|| panic!("no script for {domain} ({})", r.key()));
        let header = format!("# ---- {} [{subject}]", r.id);
        let at = script
            .find(&header)
            .unwrap_or_else(|| panic!("{header} missing from {domain}'s script"));
        let block = &script[at + header.len()..];
        let block = &block[..block.find("\r\n# ---- ").unwrap_or(block.len())];
        assert!(
            block.contains("Invoke-Fix ") || block.contains("Write-Manual "),
            "{header}: neither a change nor a manual step:\n{block}"
        );
    }
    // The items the demo plants, with the exact commands the checks named.
    let fab = &scripts[0].1;
    for needle in [
        "auditpol.exe /set '/subcategory:{0CCE923B-69AE-11D9-BED3-505054503030}' /success:enable /failure:enable",
        "reg.exe add 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters' /v AuditNTLMInDomain /t REG_DWORD /d 7 /f",
        "[guid]'7b8b558a-93a5-4af7-adca-c017e67f1057'",
        "$acl = Get-Acl -Path 'AD:CN=Configuration,DC=fabrikam,DC=test' -Audit",
        "certutil.exe -setreg CA\\AuditFilter 127",
        "Set-AdfsProperties -AuditLevel Verbose",
        "(A;;RC;;;S-1-5-21-3871926410-1642209175-2209835614-1106)",
    ] {
        assert!(
            fab.contains(needle),
            "`{needle}` missing from fabrikam.test's script"
        );
    }
    assert!(
        scripts[1]
            .1
            .contains("auditpol.exe /set '/subcategory:{0CCE9211-69AE-11D9-BED3-505054503030}'")
    );
    // The report the demo wrote shows the same failures, and C13's recommendations.
    let report = std::fs::read_dir(root.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "html"))
        .expect("the demo writes an HTML report");
    let html = std::fs::read_to_string(report).unwrap();
    for needle in [
        "dc.audit_policy[FAB-DC02.fabrikam.test]: fail",
        "domain.object_auditing[fabrikam.test]: fail",
        "Recommended (does not block the step)",
    ] {
        assert!(
            html.contains(needle),
            "`{needle}` missing from the demo's report"
        );
    }
}
