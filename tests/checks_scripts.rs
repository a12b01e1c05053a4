//! The collector scripts and their readers: PowerShell cannot run here, so the scripts'
//! JSON keys are proved equal to the Rust structs' field names from the script text, the
//! scripts are parsed with tree-sitter's PowerShell grammar, and the files Windows PowerShell 5.1 writes
//! (its ConvertTo-Json layout, UTF-16 from `>`, pasted `reg query` output) are read through
//! `ata2atp inventory` into an engagement.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::commands::{assert_success, ata2atp, check_json, init_engagement};
use support::files::{checks_fixture, read_inventory};
use support::servers::{assert_parses_as_powershell, powershell_syntax};

use std::collections::BTreeSet;

use ata2atp::model::{
    AuditSubcategory, CenterFactsFile, Certificate, DcFacts, DcFactsFile, NameResolution,
    RoleGroup, ServerFacts, ServerFactsFile, ServerRole, Status,
};
use chrono::Utc;
use predicates::prelude::*;

/// The keys a struct serialises to, with every optional field present.
fn keys_of<T: serde::Serialize>(value: &T) -> BTreeSet<String> {
    match serde_json::to_value(value).unwrap() {
        serde_json::Value::Object(m) => m.keys().cloned().collect(),
        other => panic!("not an object: {other}"),
    }
}

fn full_dc_facts() -> DcFacts {
    DcFacts {
        name: "x".into(),
        collected_at: Some(Utc::now()),
        dotnet_release: Some(1),
        os_caption: Some("x".into()),
        os_version: Some("x".into()),
        os_build: Some(1),
        server_core: Some(true),
        logical_processors: Some(1),
        memory_bytes: Some(1),
        system_drive: Some("C:".into()),
        system_drive_free_bytes: Some(1),
        power_scheme_guid: Some("x".into()),
        power_scheme_name: Some("x".into()),
        ntdsai_version: Some("x".into()),
        ata_lightweight_gateway_installed: Some(true),
        atp_sensor_installed: Some(true),
        winhttp_proxy: Some("x".into()),
        wininet_proxy: Some("x".into()),
        time_offset_seconds: Some(0.0),
        audit_policy: Some(vec![audit_subcategory()]),
        ntlm_audit_incoming: Some(2),
        ntlm_restrict_outgoing: Some(1),
        ntlm_audit_domain: Some(7),
        restrict_remote_sam: Some("x".into()),
        root_certificates: Some(vec!["x".into()]),
        packet_capture: Some(vec!["x".into()]),
        ata_gateway_service: Some("Running".into()),
        atp_sensor_service: Some("Running".into()),
        console_resolution: Some(vec![name_resolution()]),
        mde_onboarded: Some(true),
        errors: vec!["x".into()],
    }
}

fn name_resolution() -> NameResolution {
    NameResolution {
        name: "x".into(),
        addresses: vec!["x".into()],
        error: Some("x".into()),
    }
}

fn audit_subcategory() -> AuditSubcategory {
    AuditSubcategory {
        guid: "x".into(),
        name: "x".into(),
        setting: "x".into(),
    }
}

fn full_server_facts() -> ServerFacts {
    ServerFacts {
        name: "x".into(),
        collected_at: Some(Utc::now()),
        roles: vec![ServerRole::Adcs],
        os_build: Some(1),
        audit_policy: Some(vec![audit_subcategory()]),
        ca_name: Some("x".into()),
        ca_audit_filter: Some(1),
        adfs_audit_level: Some("x".into()),
        restrict_remote_sam: Some("x".into()),
        errors: vec!["x".into()],
    }
}

/// Keys of the `[ordered]@{ … }` literal that follows the comment `# JSON object: NAME`.
fn ordered_block_keys(script: &str, name: &str) -> BTreeSet<String> {
    let marker = format!("# JSON object: {name}");
    let start = script
        .find(&marker)
        .unwrap_or_else(|| panic!("no '{marker}' in the script"));
    let rest = &script[start..];
    let open = rest
        .find("[ordered]@{")
        .expect("an [ordered]@{ after the marker")
        + "[ordered]@{".len();
    let mut depth = 1;
    let mut end = open;
    for (i, c) in rest[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    end = open + i;
                    break;
                }
            }
            _ => {}
        }
    }
    let key = regex::Regex::new(r"(?m)^\s*([a-z_]+)\s*=").unwrap();
    key.captures_iter(&rest[open..end])
        .map(|c| c[1].to_string())
        .collect()
}

#[test]
fn dc_facts_script_writes_exactly_the_fields_of_dcfacts() {
    let script = ata2atp::hosts::dc_facts_script();
    let want = keys_of(&full_dc_facts());

    // The list the script copies into each DC's entry.
    let list_start = script.find("$FactKeys = @(").unwrap();
    let list_end = list_start + script[list_start..].find(')').unwrap();
    let quoted = regex::Regex::new(r"'([a-z_]+)'").unwrap();
    let listed: BTreeSet<String> = quoted
        .captures_iter(&script[list_start..list_end])
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(listed, want, "$FactKeys differs from DcFacts");

    // Every fact the collection block assigns, and nothing else.
    let assigned_re = regex::Regex::new(r"\$facts\['([a-z_]+)'\]\s*=").unwrap();
    let assigned: BTreeSet<String> = assigned_re
        .captures_iter(&script)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(
        assigned, want,
        "facts assigned by the script differ from DcFacts"
    );

    // Errors are prefixed with a fact's key, so the checks can say which fact failed.
    let error_re = regex::Regex::new(r"errors\.Add\(\('([a-z_]+): ").unwrap();
    for c in error_re.captures_iter(&script) {
        let key = &c[1];
        assert!(
            want.iter().any(|k| k.starts_with(key)),
            "error prefix '{key}' is not (the start of) a fact key"
        );
    }

    assert_eq!(
        ordered_block_keys(&script, "AuditSubcategory"),
        keys_of(&audit_subcategory())
    );
    assert_eq!(
        ordered_block_keys(&script, "NameResolution"),
        keys_of(&name_resolution())
    );
    for needle in [
        "auditpol.exe /get /category:* /r",
        "AuditReceivingNTLMTraffic",
        "RestrictSendingNTLMTraffic",
        "AuditNTLMInDomain",
        "RestrictRemoteSAM",
        "Cert:\\LocalMachine\\Root",
        "npcap|winpcap",
        "Windows Advanced Threat Protection\\Status",
        "Resolve-DnsName",
        "$ConsoleUrl",
    ] {
        assert!(
            script.contains(needle),
            "the DC script does not read {needle}"
        );
    }
    let top = ordered_block_keys(&script, "DcFactsFile");
    let file = DcFactsFile {
        schema_version: 1,
        collected_at: Some(Utc::now()),
        collected_by: Some("x".into()),
        domain_controllers: vec![],
    };
    assert_eq!(top, keys_of(&file));
    assert!(script.contains("schema_version = 1"));
}

#[test]
fn center_facts_script_writes_exactly_the_fields_of_centerfactsfile() {
    let script = ata2atp::hosts::center_facts_script();
    let cert = Certificate {
        thumbprint: "x".into(),
        subject: Some("x".into()),
        issuer: Some("x".into()),
        not_before: Some(Utc::now()),
        not_after: Some(Utc::now()),
        dns_names: vec!["x".into()],
    };
    let group = RoleGroup {
        name: "x".into(),
        members: vec!["x".into()],
    };
    let file = CenterFactsFile {
        schema_version: 1,
        collected_at: Some(Utc::now()),
        collected_by: Some("x".into()),
        host: Some("x".into()),
        role_groups: vec![group.clone()],
        certificates: vec![cert.clone()],
        ip_addresses: vec!["x".into()],
        console_resolution: vec![name_resolution()],
        mongo_version: Some("x".into()),
        latest_backup: Some("x".into()),
        os_build: Some(1),
        restrict_remote_sam: Some("x".into()),
        errors: vec!["x".into()],
    };
    assert_eq!(
        ordered_block_keys(&script, "CenterFactsFile"),
        keys_of(&file)
    );
    assert_eq!(ordered_block_keys(&script, "Certificate"), keys_of(&cert));
    assert_eq!(ordered_block_keys(&script, "RoleGroup"), keys_of(&group));
    assert_eq!(
        ordered_block_keys(&script, "NameResolution"),
        keys_of(&name_resolution())
    );
    for g in [
        "Microsoft Advanced Threat Analytics Administrators",
        "Microsoft Advanced Threat Analytics Users",
        "Microsoft Advanced Threat Analytics Viewers",
        "S-1-5-32-544",
        "Cert:\\LocalMachine\\My",
        "SystemProfile_*.json",
        "mongod.exe",
        "Resolve-DnsName",
        "DnsNameList",
        "Win32_NetworkAdapterConfiguration",
        "ServiceEndpoints",
    ] {
        assert!(script.contains(g), "the Center script does not mention {g}");
    }
}

#[test]
fn server_facts_script_writes_exactly_the_fields_of_serverfacts() {
    let script = ata2atp::hosts::server_facts_script();
    let want = keys_of(&full_server_facts());
    let list_start = script.find("$FactKeys = @(").unwrap();
    let list_end = list_start + script[list_start..].find(')').unwrap();
    let quoted = regex::Regex::new(r"'([a-z_]+)'").unwrap();
    let listed: BTreeSet<String> = quoted
        .captures_iter(&script[list_start..list_end])
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(listed, want, "$FactKeys differs from ServerFacts");
    let assigned_re = regex::Regex::new(r"\$facts\['([a-z_]+)'\]\s*=").unwrap();
    let assigned: BTreeSet<String> = assigned_re
        .captures_iter(&script)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(
        assigned, want,
        "facts assigned by the script differ from ServerFacts"
    );
    let error_re = regex::Regex::new(r"errors\.Add\(\('([a-z_]+): ").unwrap();
    for c in error_re.captures_iter(&script) {
        assert!(
            want.iter().any(|k| k.starts_with(&c[1])),
            "error prefix '{}' is not a fact key",
            &c[1]
        );
    }
    // The role names the script writes are ServerRole's.
    for role in [ServerRole::Adcs, ServerRole::Adfs, ServerRole::EntraConnect] {
        let name = serde_json::to_value(role).unwrap();
        assert!(
            script.contains(&format!("$roles += '{}'", name.as_str().unwrap())),
            "{name}"
        );
    }
    assert_eq!(
        ordered_block_keys(&script, "AuditSubcategory"),
        keys_of(&audit_subcategory())
    );
    let file = ServerFactsFile {
        schema_version: 1,
        collected_at: Some(Utc::now()),
        collected_by: Some("x".into()),
        servers: vec![],
    };
    assert_eq!(
        ordered_block_keys(&script, "ServerFactsFile"),
        keys_of(&file)
    );
    assert!(script.contains("CA\\AuditFilter") && script.contains("Get-AdfsProperties"));
}

/// The script parses as PowerShell (tree-sitter's grammar: there is no PowerShell here to
/// run it), and no line of code writes anything (the scripts are read-only).
fn assert_well_formed(name: &str, script: &str) {
    assert_parses_as_powershell(name, script);
    let code: String = script
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    for verb in [
        "Set-Item",
        "Set-ItemProperty",
        "New-ItemProperty",
        "Remove-",
        "Stop-Service",
        "Restart-",
        "powercfg.exe /setactive",
        "Add-LocalGroupMember",
        "New-Item",
    ] {
        assert!(
            !code.contains(verb),
            "{name} must be read-only but uses {verb}"
        );
    }
}

#[test]
fn the_scripts_are_well_formed_and_read_only() {
    assert_well_formed("Get-DcFacts.ps1", &ata2atp::hosts::dc_facts_script());
    assert_well_formed(
        "Get-CenterFacts.ps1",
        &ata2atp::hosts::center_facts_script(),
    );
    assert_well_formed(
        "Get-ServerFacts.ps1",
        &ata2atp::hosts::server_facts_script(),
    );
}

#[test]
fn the_parser_finds_a_brace_missing_in_a_spliced_block() {
    // The audit-policy block is spliced in from hosts/parts; cut its try's closing brace.
    let script = ata2atp::hosts::server_facts_script();
    let broken = script.replacen(
        "    } catch {\r\n        [void]$errors.Add(('audit_policy",
        "    catch {\r\n        [void]$errors.Add(('audit_policy",
        1,
    );
    assert_ne!(broken, script, "the block is where the test expects it");
    let errors = powershell_syntax("Get-ServerFacts.ps1", &broken).unwrap_err();
    assert!(errors.contains("Get-ServerFacts.ps1:"), "{errors}");
}

#[test]
fn collector_prints_the_scripts() {
    ata2atp()
        .args(["collector", "dc-facts"])
        .assert()
        .success()
        .stdout(predicate::str::contains("$FactKeys = @("))
        .stdout(predicate::str::contains("Invoke-Command -ComputerName"))
        .stdout(predicate::str::contains("\r\n"));
    ata2atp()
        .args(["collector", "center-facts"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Get-GroupMembers"));
}

#[test]
fn inventory_reads_what_powershell_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let eng = dir.path().join("eng");
    init_engagement(&eng, "Lab Test");
    ata2atp()
        .args(["--engagement", eng.to_str().unwrap(), "inventory"])
        .arg("--dc-facts")
        .arg(checks_fixture("dc-facts-ps51.json"))
        .arg("--reg-query")
        .arg(checks_fixture("reg-query/LAB-DC03.txt"))
        .arg("--reg-query")
        .arg(checks_fixture("reg-query/several.txt"))
        .arg("--center-facts")
        .arg(checks_fixture("center-facts-utf16.json"))
        .assert()
        .success();
    let inv = read_inventory(&eng);
    let host = |n: &str| inv.host(n).unwrap_or_else(|| panic!("{n} missing"));
    assert_eq!(
        inv.hosts.len(),
        5,
        "{:?}",
        inv.hosts.iter().map(|h| &h.name).collect::<Vec<_>>()
    );
    assert_eq!(host("LAB-DC01").memory_bytes, Some(8_589_398_016));
    assert_eq!(
        host("LAB-DC01").winhttp_proxy.as_deref(),
        Some("proxy.lab.test:3128 (bypass: <local>)")
    );
    assert_eq!(host("LAB-DC02").time_offset_seconds, Some(-2.5134));
    // The script's value wins over a later source for the same DC.
    assert_eq!(host("LAB-DC02").dotnet_release, Some(394_802));
    assert_eq!(host("LAB-DC03").dotnet_release, Some(0x7098c));
    assert_eq!(host("LAB-DC05").dotnet_release, Some(0));
    assert_eq!(host("LAB-DC04").errors.len(), 1);
    assert_eq!(inv.ata.role_groups.len(), 3);
    assert!(inv.ata.role_groups[1].members.is_empty());
    assert_eq!(
        inv.ata.center.certificates[0].issuer.as_deref(),
        Some("CN=Lab Issuing CA")
    );
    assert_eq!(inv.ata.center.mongo_version.as_deref(), Some("3.6.18"));

    // And the checks read them: LAB-DC02 has 6 GB - 1 MB (passes) and 7 GiB free (warns);
    // LAB-DC04 could not be reached, and says why.
    let (code, file) = check_json(&eng, &["--only", "dc.*"]);
    assert_eq!(code, 1, "a dc check fails");
    let get = |id: &str, subject: &str| {
        file.results
            .iter()
            .find(|r| r.id == id && r.subject.as_deref() == Some(subject))
            .unwrap_or_else(|| panic!("{id}[{subject}] missing"))
    };
    assert_eq!(get("dc.memory", "LAB-DC02.lab.test").status, Status::Pass);
    assert_eq!(get("dc.disk", "LAB-DC02.lab.test").status, Status::Warn);
    assert_eq!(get("dc.dotnet", "LAB-DC02.lab.test").status, Status::Fail);
    let dc4 = get("dc.dotnet", "LAB-DC04");
    assert_eq!(dc4.status, Status::Unknown);
    assert!(
        dc4.reason.as_deref().unwrap().contains("not in the facts"),
        "{:?}",
        dc4.reason
    );
    let power = get("dc.power_plan", "LAB-DC02.lab.test");
    assert_eq!(power.status, Status::Unknown);
    assert!(power.reason.as_deref().unwrap().contains("Access denied"));
}

/// `inventory --dc-facts` of `text` in a fresh engagement: the folder (kept alive), the
/// engagement and what the command did.
fn inventory_of_dc_facts(
    text: &str,
) -> (tempfile::TempDir, std::path::PathBuf, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let eng = dir.path().join("eng");
    init_engagement(&eng, "Lab Test");
    let file = dir.path().join("dc-facts.json");
    std::fs::write(&file, text).unwrap();
    let out = ata2atp()
        .args([
            "--engagement",
            eng.to_str().unwrap(),
            "inventory",
            "--dc-facts",
        ])
        .arg(&file)
        .output()
        .unwrap();
    (dir, eng, out)
}

/// A value PowerShell wrote in another type than the model's (a release read as text on
/// one DC) costs that value: the other DCs and the DC's other facts are read, the source is
/// partial (exit 3), the value is in `not_found` and the DC's errors, and its check says
/// unknown rather than guessing.
#[test]
fn a_value_of_another_type_costs_that_value_only() {
    let text = std::fs::read_to_string(checks_fixture("dc-facts-ps51.json")).unwrap();
    let odd = text.replacen(
        "\"dotnet_release\":  528049",
        "\"dotnet_release\":  \"528049 (4.8)\"",
        1,
    );
    assert_ne!(
        odd, text,
        "the fixture's first release is where the test expects it"
    );
    let (_dir, eng, out) = inventory_of_dc_facts(&odd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("1 value(s) of an unexpected type or name left out"),
        "{stderr}"
    );
    let inv = read_inventory(&eng);
    let dc1 = inv.host("LAB-DC01").unwrap();
    assert_eq!(dc1.dotnet_release, None);
    assert_eq!(dc1.memory_bytes, Some(8_589_398_016));
    assert!(
        dc1.errors
            .iter()
            .any(|e| e.starts_with("dotnet_release: invalid type: string \"528049 (4.8)\"")),
        "{:?}",
        dc1.errors
    );
    assert_eq!(inv.host("LAB-DC02").unwrap().dotnet_release, Some(394_802));
    let missing = inv
        .not_found
        .iter()
        .find(|n| n.item.starts_with("hosts: LAB-DC01") && n.item.ends_with(" dotnet_release"))
        .unwrap_or_else(|| panic!("{:?}", inv.not_found));
    assert!(missing.reason.as_deref().unwrap().contains("expected u32"));

    let (_, checks) = check_json(&eng, &["--only", "dc.dotnet"]);
    let dotnet = checks
        .results
        .iter()
        .find(|r| {
            r.subject
                .as_deref()
                .is_some_and(|s| s.starts_with("LAB-DC01"))
        })
        .unwrap();
    assert_eq!(dotnet.status, Status::Unknown, "{dotnet:?}");
}

#[test]
fn a_forest_of_one_dc_written_without_its_list_is_read_whole() {
    // Windows PowerShell writes a one-element list as its element when a script's `@()`
    // is lost: the host list becomes one object, and so does a one-item `errors`.
    let text = std::fs::read_to_string(checks_fixture("dc-facts-ps51.json")).unwrap();
    let mut file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut first = file["domain_controllers"][0].take();
    first["errors"] = "packet_capture: access denied".into();
    file["domain_controllers"] = first;
    let (_dir, eng, out) = inventory_of_dc_facts(&serde_json::to_string_pretty(&file).unwrap());
    assert_success(&out);
    let inv = read_inventory(&eng);
    let dc = inv.host("LAB-DC01").unwrap();
    assert_eq!(dc.dotnet_release, Some(528_049));
    assert_eq!(dc.errors, ["packet_capture: access denied"]);
    assert!(
        inv.not_found.iter().all(|n| !n.item.starts_with("hosts:")),
        "{:?}",
        inv.not_found
    );
    let (_, checks) = check_json(&eng, &["--only", "dc.dotnet"]);
    let dotnet = checks.results.iter().find(|r| {
        r.subject
            .as_deref()
            .is_some_and(|s| s.starts_with("LAB-DC01"))
    });
    assert_eq!(
        dotnet.map(|r| r.status),
        Some(Status::Pass),
        "{:?}",
        checks.results
    );
}

#[test]
fn a_pasted_line_that_is_not_reg_output_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let eng = dir.path().join("eng");
    init_engagement(&eng, "Lab Test");
    ata2atp()
        .args([
            "--engagement",
            eng.to_str().unwrap(),
            "inventory",
            "--reg-query",
        ])
        .arg(checks_fixture("reg-query/bad-line.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad-line.txt:3: not understood"))
        .stderr(predicate::str::contains("Release = 528040"));
    assert!(!eng.join("inventory.yaml").exists());
}

#[test]
fn a_broken_facts_file_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let eng = dir.path().join("eng");
    init_engagement(&eng, "Lab Test");
    let bad = dir.path().join("dc-facts.json");
    // Not JSON (a comma lost in an edit): the file is refused, at its line and column. (A
    // value of another type costs that value only: see the test above.)
    std::fs::write(&bad, "{\n  \"schema_version\": 1,\n  \"domain_controllers\": [ { \"name\": \"A\" \"memory_bytes\": 5 } ]\n}\n").unwrap();
    ata2atp()
        .args([
            "--engagement",
            eng.to_str().unwrap(),
            "inventory",
            "--dc-facts",
        ])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("dc-facts.json:3:"))
        .stderr(predicate::str::contains("Get-DcFacts.ps1"));
    std::fs::write(&bad, "{\"schema_version\": 7, \"domain_controllers\": []}").unwrap();
    ata2atp()
        .args([
            "--engagement",
            eng.to_str().unwrap(),
            "inventory",
            "--dc-facts",
        ])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("schema version 7"));
}
