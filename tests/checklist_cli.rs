//! `ata2atp checklist` through the binary: progress that survives a restart, refusals
//! with their reasons and exit code 2, the writer's lock, a state file broken by hand,
//! steps the guide does not know, evidence, custom checklists and `validate`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::fs;

use ata2atp::engagement::{CHECKLIST_FILE, CHECKLIST_LAST_GOOD, CHECKLIST_LOG};
use ata2atp::model::{Acceptance, Status};
use predicates::prelude::*;
use support::checklist::*;

#[test]
fn progress_is_saved_and_a_new_process_resumes_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");

    let list = json(&mut checklist(&root, &["list"]));
    assert_eq!(list["guide"], "azure-atp-2019");
    assert_eq!(list["done"], 0);
    assert_eq!(
        list["next"], "R06",
        "prerequisites wait for checks; R06 has no gate"
    );

    checklist(
        &root,
        &[
            "set",
            "P01",
            "--status",
            "done",
            "--by",
            "Jo Consultant",
            "--field",
            "dsa_account=FABRIKAM\\svc-ata",
            "--field",
            "password_holder=Identity team",
            "--note",
            "confirmed with: \"Sam\"\nsecond line",
        ],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains("Saved P01: todo → done"));

    // A new process reads what the last one saved.
    let list = json(&mut checklist(&root, &["list"]));
    assert_eq!(list["done"], 1);
    let plan = list["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "plan")
        .unwrap();
    assert_eq!(plan["steps"][0]["status"], "done");
    assert_eq!(plan["steps"][0]["by"], "Jo Consultant");

    let show = json(&mut checklist(&root, &["show", "p01"]));
    assert_eq!(show["state"]["fields"]["dsa_account"], "FABRIKAM\\svc-ata");
    assert_eq!(
        show["state"]["note"],
        "confirmed with: \"Sam\"\nsecond line"
    );
    assert_eq!(show["values"][0]["kind"], "table");
    assert_eq!(show["values"][0]["rows"][0][0], "svc-ata");

    let text = checklist(&root, &["list"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("[x] P01"), "{text}");
    assert!(text.contains("1 of 39 steps done"), "{text}");

    // The audit log has the change, without the values.
    let log = fs::read_to_string(root.join(CHECKLIST_LOG)).unwrap();
    let line: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(
        (
            line["step"].as_str(),
            line["from"].as_str(),
            line["to"].as_str()
        ),
        (Some("P01"), Some("todo"), Some("done"))
    );
    assert_eq!(
        line["fields"],
        serde_json::json!(["dsa_account", "password_holder"])
    );
    assert!(
        !log.contains("Identity team"),
        "values stay in checklist.yaml: {log}"
    );
}

#[test]
fn show_lists_values_gates_and_fields_to_record() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    let out = checklist(&root, &["show", "C09"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "C09 (guide step 9)  Create Security alert exclusions",
        "DnsReconnaissanceDetectorConfiguration",
        "Network-mapping reconnaissance (DNS) (external ID 2007)",
        "192.168.50.0/24",
        "target[1]",
        "created[2] [yes_no]",
        "Before it can be marked done:",
    ] {
        assert!(text.contains(expected), "`{expected}` missing from\n{text}");
    }
    // The duplicated number of the 2019 guide is shown as the guide shows it.
    let c13 = json(&mut checklist(&root, &["show", "C13"]));
    assert_eq!(c13["number"], "12");
    let c12 = json(&mut checklist(&root, &["show", "C12"]));
    assert_eq!(c12["number"], "12");
    assert_eq!(c12["gates"][0]["gate"], "ata.role_groups");
    assert_eq!(c12["gates"][0]["satisfied"], false);
}

#[test]
fn a_refused_done_exits_2_with_the_reasons_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    let before = snapshot(&root);
    checklist(&root, &["set", "C04", "--status", "done", "--by", "Jo", "--field", "transport=udp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("step C04 (Configure Syslog notifications) cannot be marked done; nothing was changed"))
        .stderr(predicate::str::contains("M04 (Configure the sensor) is todo; it comes first"))
        .stderr(predicate::str::contains("record field `syslog_sensor` (Sensor chosen to send syslog) is empty: pass --field syslog_sensor=…"));
    assert_eq!(snapshot(&root), before);

    // Bad values and unknown steps or fields are input errors (2) too.
    checklist(
        &root,
        &[
            "set",
            "C04",
            "--by",
            "Jo",
            "--field",
            "transport=carrier-pigeon",
        ],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "`carrier-pigeon` is not one of: udp, tcp, tls",
    ));
    checklist(&root, &["set", "C99", "--status", "done", "--by", "Jo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown step `C99` in guide azure-atp-2019",
        ));
    checklist(&root, &["set", "C04", "--by", "Jo", "--field", "sensor=x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown field `sensor`; this step records: syslog_sensor, endpoint",
        ));
    checklist(&root, &["set", "C04", "--by", "Jo", "--field", "novalue"])
        .assert()
        .code(2);
    checklist(&root, &["set", "C06", "--status", "skipped", "--by", "Jo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a skipped step needs --reason"));
    assert_eq!(snapshot(&root), before);
    ata2atp()
        .args(["checklist", "set", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Exit codes: 0 done; 2 the change was refused",
        ));
}

#[test]
fn gates_read_checks_yaml_and_count_acceptances() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    let set_r03 = || checklist(&root, &["set", "R03", "--status", "done", "--by", "Jo"]);
    set_r03().assert().code(2).stderr(predicate::str::contains(
        "gate dc.dotnet: the checks have not run: run `ata2atp check`",
    ));

    let mut checks = all_checks(Status::Pass);
    let dotnet = checks
        .results
        .iter_mut()
        .find(|r| r.id == "dc.dotnet")
        .unwrap();
    dotnet.status = Status::Fail;
    write_checks(&root, &checks);
    set_r03().assert().code(2).stderr(predicate::str::contains(
        "dc.dotnet[FAB-DC01] is fail: synthetic pass",
    ));

    checks.acceptances.push(Acceptance {
        check: "dc.dotnet[FAB-DC01]".into(),
        by: "Jo".into(),
        reason: "DC retired next month".into(),
        at: chrono::Utc::now(),
    });
    write_checks(&root, &checks);
    set_r03().assert().success();
    let show = json(&mut checklist(&root, &["show", "R03"]));
    assert_eq!(show["gates"][0]["results"][0]["accepted"], true);
}

#[test]
fn a_second_writer_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    let held = lock_eventually(&root);
    let before = snapshot(&root);
    checklist(
        &root,
        &["set", "P02", "--status", "in_progress", "--by", "Sam"],
    )
    .assert()
    .code(4)
    .stderr(predicate::str::contains("is in use by another ata2atp"))
    .stderr(predicate::str::contains(format!(
        "pid {}",
        std::process::id()
    )));
    assert_eq!(snapshot(&root), before);
    // Readers are not blocked by a writer.
    checklist(&root, &["list"]).assert().success();
    drop(held);
    checklist(
        &root,
        &["set", "P02", "--status", "in_progress", "--by", "Sam"],
    )
    .assert()
    .success();
}

#[test]
fn a_state_file_broken_by_hand_is_reported_and_the_last_good_state_kept() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    checklist(
        &root,
        &[
            "set",
            "P04",
            "--status",
            "done",
            "--by",
            "Jo",
            "--field",
            "members_confirmed=yes",
        ],
    )
    .assert()
    .success();
    let good = fs::read_to_string(root.join(CHECKLIST_LAST_GOOD)).unwrap();
    assert_eq!(good, fs::read_to_string(root.join(CHECKLIST_FILE)).unwrap());

    let broken =
        "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  P04: {status: done, by: [Jo\n";
    fs::write(root.join(CHECKLIST_FILE), broken).unwrap();
    for args in [
        vec!["list"],
        vec!["show", "P04"],
        vec!["next"],
        vec!["set", "P05", "--status", "in_progress", "--by", "Jo"],
    ] {
        checklist(&root, &args)
            .assert()
            .code(2)
            .stderr(predicate::str::is_match(r"checklist\.yaml:[45]:\d+: ").unwrap())
            .stderr(predicate::str::contains("the last good state is kept in"))
            .stderr(predicate::str::contains("checklist.last-good.yaml"));
    }
    assert_eq!(
        fs::read_to_string(root.join(CHECKLIST_FILE)).unwrap(),
        broken,
        "never overwritten"
    );
    assert_eq!(
        fs::read_to_string(root.join(CHECKLIST_LAST_GOOD)).unwrap(),
        good,
        "last good kept"
    );

    // Copying the last good state back is the way out.
    fs::copy(root.join(CHECKLIST_LAST_GOOD), root.join(CHECKLIST_FILE)).unwrap();
    checklist(
        &root,
        &["set", "P05", "--status", "in_progress", "--by", "Jo"],
    )
    .assert()
    .success();
}

#[test]
fn unknown_steps_in_the_state_are_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    fs::write(
        root.join(CHECKLIST_FILE),
        "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  Z99:\n    status: done\n    by: Someone\n    at: 2026-11-16T10:00:00Z\n    note: from an older checklist\n",
    )
    .unwrap();
    let out = checklist(&root, &["list", "-o", "json"]).output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("steps the guide azure-atp-2019 does not define: Z99 (kept as they are)"),
        "{stderr}"
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["unknown_steps"][0]["id"], "Z99");
    checklist(&root, &["list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "In checklist.yaml but not in this guide (kept):",
        ));

    checklist(
        &root,
        &["set", "P09", "--status", "in_progress", "--by", "Jo"],
    )
    .assert()
    .success();
    let state = read_state(&root);
    assert_eq!(
        state.steps["Z99"].note.as_deref(),
        Some("from an older checklist")
    );
    assert_eq!(state.steps["P09"].status.as_str(), "in_progress");
}

#[test]
fn evidence_is_a_file_inside_the_engagement() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    fs::write(dir.path().join("outside.png"), b"png").unwrap();
    fs::write(root.join("evidence/syslog-test.png"), b"png").unwrap();
    let outside = dir.path().join("outside.png");
    checklist(
        &root,
        &[
            "set",
            "C04",
            "--by",
            "Jo",
            "--evidence",
            outside.to_str().unwrap(),
        ],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("is outside the engagement"));
    checklist(
        &root,
        &[
            "set",
            "C04",
            "--by",
            "Jo",
            "--evidence",
            "evidence/nothing.png",
        ],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("does not exist"));
    checklist(
        &root,
        &[
            "set",
            "C04",
            "--by",
            "Jo",
            "--evidence",
            "evidence/syslog-test.png",
        ],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains(
        "evidence: evidence/syslog-test.png",
    ));
    let show = json(&mut checklist(&root, &["show", "C04"]));
    assert_eq!(show["state"]["evidence"][0], "evidence/syslog-test.png");
}

#[test]
fn the_initial_sync_holds_back_entity_tagging_for_two_hours() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    write_checks(&root, &all_checks(Status::Pass));
    let by = ["--by", "Jo"];
    let steps: &[&[&str]] = &[
        &[
            "set",
            "R01",
            "--status",
            "done",
            "--field",
            "tenant=fabrikam.test",
            "--field",
            "admin=Sam",
        ],
        &[
            "set",
            "M01",
            "--status",
            "done",
            "--field",
            "workspace=fabrikam",
            "--field",
            "created_by=Sam",
        ],
        &[
            "set",
            "M02",
            "--status",
            "done",
            "--field",
            "uninstalled_on=all",
            "--field",
            "uninstalled_at=now",
        ],
        &[
            "set",
            "M03",
            "--status",
            "done",
            "--field",
            "sensors_installed=all",
            "--field",
            "sensors_installed_at=now",
            "--field",
            "access_key_by=Sam",
        ],
        &[
            "set",
            "M04",
            "--status",
            "done",
            "--field",
            "sensors_running=yes",
        ],
    ];
    for args in steps {
        checklist(&root, args).args(by).assert().success();
    }
    checklist(&root, &["set", "C08", "--status", "done", "--field", "entities_tagged=Tier0-Operators", "--field", "remote_desktop_users=not tagged"])
        .args(by)
        .assert()
        .code(2)
        .stderr(predicate::str::is_match(r"wait until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(2 h after M03's sensors_installed_at\) \(initial sync\)").unwrap());
    // Recording an earlier install time (the sensors went in three hours ago) opens it.
    let earlier = (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339();
    checklist(
        &root,
        &[
            "set",
            "M03",
            "--field",
            &format!("sensors_installed_at={earlier}"),
        ],
    )
    .args(by)
    .assert()
    .success();
    checklist(
        &root,
        &[
            "set",
            "C08",
            "--status",
            "done",
            "--field",
            "entities_tagged=Tier0-Operators",
            "--field",
            "remote_desktop_users=not tagged",
        ],
    )
    .args(by)
    .assert()
    .success();
    let next = json(&mut checklist(&root, &["next"]));
    assert_eq!(
        next["step"], "R02",
        "the earliest open step that can be done"
    );
}

#[test]
fn decommissioning_waits_for_the_gateways_and_the_recorded_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    let mut checks = all_checks(Status::Pass);
    checks
        .results
        .iter_mut()
        .find(|r| r.id == "ata.gateways_registered")
        .unwrap()
        .status = Status::Fail;
    write_checks(&root, &checks);
    let out = checklist(
        &root,
        &[
            "set",
            "A02",
            "--status",
            "done",
            "--by",
            "Jo",
            "--field",
            "retention=2027-06-30",
            "--field",
            "gateways_removed=yes",
            "--field",
            "decommissioned_on=2026-12-01",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "gate ata.gateways_registered",
        "M02 (Uninstall the ATA Lightweight Gateway",
        "A01 (Record or remediate all ATA alerts) is todo",
        "A03 (Back up MongoDB",
    ] {
        assert!(
            stderr.contains(expected),
            "`{expected}` missing from\n{stderr}"
        );
    }
    // A01 needs the alert export attached as evidence.
    checklist(
        &root,
        &[
            "set",
            "A01",
            "--status",
            "done",
            "--by",
            "Jo",
            "--field",
            "alerts_recorded=evidence/alerts.csv",
        ],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("this step needs evidence"));
}

#[test]
fn a_state_of_another_guide_is_not_written_to() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    checklist(
        &root,
        &["set", "P01", "--status", "in_progress", "--by", "Jo"],
    )
    .assert()
    .success();
    let before = snapshot(&root);
    checklist(
        &root,
        &[
            "--guide",
            "mdi-current",
            "set",
            "P01",
            "--status",
            "in_progress",
            "--by",
            "Jo",
        ],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "checklist.yaml follows the guide azure-atp-2019, not mdi-current",
    ));
    assert_eq!(snapshot(&root), before);
    let list = json(&mut checklist(&root, &["list", "--guide", "mdi-current"]));
    assert_eq!(list["guide"], "mdi-current");
    assert_eq!(list["total"], 40);
    checklist(&root, &["--guide", "nope", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown guide `nope`; available: azure-atp-2019, mdi-current",
        ));
}

#[test]
fn the_current_guide_has_no_synchronizer_and_folds_honeytokens_into_entity_tags() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "mdi-current");
    let list = json(&mut checklist(&root, &["list"]));
    let ids: Vec<&str> = list["phases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap())
        })
        .collect();
    assert!(
        !ids.contains(&"C03") && !ids.contains(&"C07") && !ids.contains(&"P10"),
        "{ids:?}"
    );
    let c08 = json(&mut checklist(&root, &["show", "C08"]));
    let labels: Vec<&str> = c08["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"ATA honeytokens")
            && labels.contains(&"To tag sensitive by hand in Defender for Identity"),
        "{labels:?}"
    );
    let c10 = json(&mut checklist(&root, &["show", "C10"]));
    assert!(
        c10["detail"]
            .as_str()
            .unwrap()
            .contains("Defender XDR email notification rules")
    );
}

#[test]
fn an_engagement_can_bring_its_own_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "short-guide");
    fs::create_dir_all(root.join("checklists")).unwrap();
    fs::copy(
        fixture("short-guide.yaml"),
        root.join("checklists/short-guide.yaml"),
    )
    .unwrap();
    checklist(&root, &["list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Fabrikam short guide (short-guide): 0 of 2 steps done",
        ))
        .stderr(predicate::str::contains("note: checklist from"));
    checklist(
        &root,
        &[
            "set",
            "S1",
            "--status",
            "done",
            "--by",
            "Jo",
            "--field",
            "server=siem01",
        ],
    )
    .assert()
    .success();
    checklist(&root, &["show", "S1"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Syslog server: siem01.fabrikam.test",
        ));

    // --checklist FILE uses a file for one command; a copy named after a built-in replaces it.
    let other = engagement(&dir.path().join("2"), "azure-atp-2019");
    checklist(
        &other,
        &[
            "--checklist",
            fixture("short-guide.yaml").to_str().unwrap(),
            "list",
        ],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains("0 of 2 steps done"));
    fs::create_dir_all(other.join("checklists")).unwrap();
    let text = fs::read_to_string(fixture("short-guide.yaml"))
        .unwrap()
        .replace("guide: short-guide", "guide: azure-atp-2019");
    fs::write(other.join("checklists/azure-atp-2019.yaml"), text).unwrap();
    checklist(&other, &["list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Fabrikam short guide (azure-atp-2019)",
        ));
    // A file not named after its guide is pointed out.
    fs::copy(
        fixture("short-guide.yaml"),
        other.join("checklists/misnamed.yaml"),
    )
    .unwrap();
    checklist(&other, &["validate"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "misnamed.yaml defines the guide `short-guide`",
        ));
    // `definition` prints the YAML in use: a starting point for a copy.
    checklist(&root, &["--guide", "mdi-current", "definition"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "# Today's Defender for Identity edition",
        ));
}

#[test]
fn validate_reports_every_error_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let invalid = fixture("invalid.yaml");
    let out = ata2atp()
        .current_dir(dir.path())
        .args([
            "checklist",
            "validate",
            invalid.to_str().unwrap(),
            fixture("short-guide.yaml").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let p = invalid.display().to_string();
    for expected in [
        "ok checklists/azure-atp-2019.yaml (built in): guide azure-atp-2019, 39 steps".to_string(),
        "ok checklists/mdi-current.yaml (built in): guide mdi-current, 40 steps".to_string(),
        "guide short-guide, 2 steps".to_string(),
        format!("invalid {p}"),
        format!("{p}:12:24: step S1: gate `dc.nonsense` names no known check"),
        format!("{p}:15:15: step S1: unresolved reference: `ata.syslog.hostname` does not exist"),
        format!("{p}:16:20: step S1: `after: S9` names no step of this checklist"),
        format!("{p}:18:12: step S2: unknown phase `gone`"),
        format!("{p}:25:9: step S1: duplicate step id `S1` (first declared at line 9)"),
        format!("{p}:24:20: step S3: `after` makes a cycle: S2 waits for S3 waits for S2"),
    ] {
        assert!(
            stdout.contains(&expected),
            "`{expected}` missing from\n{stdout}"
        );
    }
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 checklist definition(s) have errors"));

    let json = json(
        ata2atp()
            .current_dir(dir.path())
            .args(["checklist", "validate"]),
    );
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert!(json.as_array().unwrap().iter().all(|r| r["ok"] == true));

    // A file that is not YAML at all still names its line.
    let bad = dir.path().join("bad.yaml");
    fs::write(&bad, "steps: [\n  - id: x\n").unwrap();
    ata2atp()
        .args(["checklist", "validate", bad.to_str().unwrap()])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(format!("{}:", bad.display())));
    ata2atp()
        .args([
            "checklist",
            "validate",
            dir.path().join("missing.yaml").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("could not read"));
}

#[test]
fn demo_walks_the_first_steps_without_breaking_its_own_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    ata2atp()
        .args(["demo", root.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Checklist: R06 done, R07 in_progress, P01 done",
        ));
    let list = json(&mut checklist(&root, &["list"]));
    assert_eq!(list["done"], 6);
    assert_eq!(list["next"], "R02");
    // Rebuilding the demo starts the checklist over rather than piling up changes.
    ata2atp()
        .args(["demo", root.to_str().unwrap()])
        .assert()
        .success();
    let log = fs::read_to_string(root.join(CHECKLIST_LOG)).unwrap();
    assert_eq!(log.lines().count(), 8, "{log}");
}

/// Seed 000 as a step of both guides: the demo's Center has a certificate awaiting
/// activation and one in use that ends before the planned decommission, so the step is
/// gated twice; each gateway is named with its status and what a change needs from it.
#[test]
fn the_center_must_stay_stable_until_its_decommission() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    ata2atp()
        .args(["demo", root.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("R07 in_progress"));
    let r07 = json(&mut checklist(&root, &["show", "R07"]));
    assert_eq!(r07["state"]["fields"]["decommission_planned"], "2027-03-31");
    let problems: Vec<&str> = r07["done_problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    for expected in [
        "gate ata.pending_change: ata.pending_change is warn: 2 certificates await activation",
        "gate ata.center_certificate (not_after later than decommission_planned): \
         ata.center_certificate: not_after is 2027-01-31 09:59 UTC, not later than \
         decommission_planned (2027-03-31)",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "`{expected}` missing from {problems:#?}"
        );
    }
    let gateways = r07["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["path"] == "ata.gateways")
        .unwrap();
    let rows = gateways["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "every gateway, one by one: {rows:#?}");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r[0] == name)
            .unwrap_or_else(|| panic!("{name} missing from {rows:#?}"))
    };
    assert_eq!(row("FAB-ATAGW01")[2], "StartFailure");
    assert!(
        row("FAB-ATAGW01")[5]
            .as_str()
            .unwrap()
            .contains("update its configuration JSON by hand"),
        "{rows:#?}"
    );
    assert!(
        row("FAB-DC01")[5]
            .as_str()
            .unwrap()
            .contains("wait until it has synced")
    );
    for seed in [
        "Renewing a certificate is not supported",
        "before the current certificate expires",
        "a custom IP address cannot be activated until it is installed on the Center",
        "update its configuration JSON by hand",
        "gateway setup package downloaded again",
    ] {
        assert!(
            r07["detail"].as_str().unwrap().contains(seed),
            "`{seed}` missing from the detail"
        );
    }

    // A decommission before the certificate ends holds the dated gate (its Warn included);
    // the pending change still blocks.
    let set = |day: &str| {
        checklist(
            &root,
            &[
                "set",
                "R07",
                "--status",
                "done",
                "--by",
                "Jo",
                "--field",
                &format!("decommission_planned={day}"),
                "--field",
                "center_change=none needed",
            ],
        )
        .output()
        .unwrap()
    };
    let out = set("2027-01-15");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("gate ata.pending_change"), "{stderr}");
    assert!(!stderr.contains("gate ata.center_certificate"), "{stderr}");

    // Today's guide has the same step under its own id, with the same gates.
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "mdi-current");
    let mut checks = all_checks(Status::Pass);
    let cert = checks
        .results
        .iter_mut()
        .find(|r| r.id == "ata.center_certificate")
        .unwrap();
    cert.status = Status::Warn;
    cert.evidence
        .insert("not_after".into(), "2027-01-31T09:59:59+00:00".into());
    write_checks(&root, &checks);
    let r10 = json(&mut checklist(&root, &["show", "R10"]));
    assert_eq!(r10["gates"][0]["gate"], "ata.pending_change");
    let done = |day: &str| {
        checklist(
            &root,
            &[
                "set",
                "R10",
                "--status",
                "done",
                "--by",
                "Jo",
                "--field",
                &format!("decommission_planned={day}"),
                "--field",
                "center_change=none needed",
            ],
        )
        .assert()
    };
    done("2027-02-28").code(2).stderr(predicate::str::contains(
        "not_after is 2027-01-31 09:59 UTC, not later than decommission_planned (2027-02-28)",
    ));
    done("2027-01-30").success();
}

/// 15.6: what the inventory holds about notifications is shown where it is entered again:
/// the types (alerts, health) per channel, the e-mail toggles with the recipients split
/// by type, ATA's health alert toggles and whether scheduled reports are sent at all.
#[test]
fn notifications_show_their_types_toggles_and_the_recipient_split() {
    // The value a step shows under `label`, as text.
    fn value(step: &serde_json::Value, label: &str) -> String {
        let v = step["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["label"] == label)
            .unwrap_or_else(|| panic!("`{label}` missing from {:#}", step["values"]));
        match v["kind"].as_str().unwrap() {
            "value" => v["value"].as_str().unwrap().to_string(),
            "list" => v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(", "),
            "pairs" => v["pairs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    format!(
                        "{}={}",
                        p["key"].as_str().unwrap(),
                        p["value"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            _ => v["text"].as_str().unwrap_or_default().to_string(),
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    ata2atp()
        .args(["demo", demo.to_str().unwrap()])
        .assert()
        .success();
    for id in ["P02", "C04"] {
        let step = json(&mut checklist(&demo, &["show", id]));
        assert_eq!(
            value(&step, "Suspicious activities sent to syslog (ATA)"),
            "yes"
        );
        assert_eq!(value(&step, "Health issues sent to syslog (ATA)"), "no");
    }
    for id in ["P03", "C10"] {
        let step = json(&mut checklist(&demo, &["show", id]));
        assert_eq!(value(&step, "Suspicious activities mailed (ATA)"), "yes");
        assert_eq!(
            value(&step, "Recipients of alert e-mail (ATA)"),
            "soc@fabrikam.test"
        );
        assert_eq!(value(&step, "Health issues mailed (ATA)"), "yes");
        assert_eq!(
            value(&step, "Recipients of health e-mail (ATA)"),
            "ata-admins@fabrikam.test"
        );
    }
    let c10 = json(&mut checklist(&demo, &["show", "C10"]));
    assert_eq!(value(&c10, "E-mail notifications enabled in ATA"), "yes");
    // The demo's Center lists no per-type health alert setting: said, not left blank.
    assert_eq!(
        value(&c10, "Health alert types switched on or off in ATA"),
        "none listed in ATA's configuration"
    );
    for id in ["P09", "C11"] {
        let step = json(&mut checklist(&demo, &["show", id]));
        assert_eq!(
            value(&step, "ATA sends its scheduled reports at all"),
            "yes"
        );
    }
    let r07 = json(&mut checklist(&demo, &["show", "R07"]));
    assert_eq!(
        value(&r07, "The Center's service profile (ATA configuration id)"),
        "5a819973fab0a7c0de000002"
    );

    // Today's guide shows the same, and the toggles when ATA lists them.
    let root = engagement(dir.path(), "mdi-current");
    let c10 = json(&mut checklist(&root, &["show", "C10"]));
    assert_eq!(
        value(&c10, "Health alert types switched on or off in ATA"),
        "GatewayDisconnectedMonitoringAlert=yes"
    );
    for label in [
        "Suspicious activities mailed (ATA)",
        "Recipients of alert e-mail (ATA)",
        "Health issues mailed (ATA)",
        "Recipients of health e-mail (ATA)",
    ] {
        value(&c10, label);
    }
    let c04 = json(&mut checklist(&root, &["show", "C04"]));
    value(&c04, "Suspicious activities sent to syslog (ATA)");
    value(&c04, "Health issues sent to syslog (ATA)");
    let c11 = json(&mut checklist(&root, &["show", "C11"]));
    value(&c11, "ATA sends its scheduled reports at all");
}

/// 15.7 in the guides: validation rests on the sensor service state and the sensors' own
/// error logs (both undecided on the demo, whose sensors are not installed yet), and seed
/// 002's "check the service is running" is recommended where the account is planned.
#[test]
fn validation_is_gated_on_the_sensor_service_and_its_logs() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    ata2atp()
        .args(["demo", demo.to_str().unwrap()])
        .assert()
        .success();
    let v01 = json(&mut checklist(&demo, &["show", "V01"]));
    assert_eq!(v01["gates"][0]["gate"], "dc.sensor_service");
    assert_eq!(v01["gates"][0]["satisfied"], false);
    assert!(
        v01["gates"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("the sensor is not installed on FAB-DC01.fabrikam.test yet"),
        "{:#}",
        v01["gates"][0]
    );
    let v02 = json(&mut checklist(&demo, &["show", "V02"]));
    assert_eq!(v02["gates"][0]["gate"], "dc.sensor_logs");
    let p01 = json(&mut checklist(&demo, &["show", "P01"]));
    assert_eq!(p01["recommendations"][0]["gate"], "ata.gateway_service");
    assert!(
        p01["recommendations"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("FAB-ATAGW01 is not running: StartFailure"),
        "{:#}",
        p01["recommendations"][0]
    );
}

#[test]
fn set_without_by_records_the_engagements_consultant_as_check_accept_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    let consultant = ata2atp::engagement::Engagement::open(&root)
        .unwrap()
        .config()
        .unwrap()
        .consultant;
    assert!(!consultant.trim().is_empty());
    checklist(&root, &["set", "P01", "--note", "read the accounts"])
        .env_remove("ATA2ATP_BY")
        .assert()
        .success();
    let state = read_state(&root);
    let p01 = state.steps.get("P01").unwrap();
    assert_eq!(p01.by.as_deref(), Some(consultant.as_str()));
    // A name given still wins.
    checklist(
        &root,
        &["set", "P01", "--note", "again", "--by", "Someone Else"],
    )
    .assert()
    .success();
    let state = read_state(&root);
    assert_eq!(state.steps["P01"].by.as_deref(), Some("Someone Else"));
}

#[test]
fn check_dsa_and_inventory_take_the_bind_user_under_one_name() {
    for (cmd, flag) in [
        (vec!["check", "dsa"], "--bind-user"),
        (vec!["inventory"], "--user"),
    ] {
        let out = support::commands::ata2atp()
            .args(&cmd)
            .arg("--help")
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains(flag),
            "{cmd:?} --help lacks the alias {flag}:\n{help}"
        );
    }
}

/// The copy queue's ticks (recorded as the TUI records them, through `state::set`) show
/// in `checklist show` as "entered n/m", counted over the step's values.
#[test]
fn show_counts_the_values_ticked_as_entered() {
    use ata2atp::checklist::{self, SetRequest, bind::queue_items, state, view::step_view};
    let dir = tempfile::tempdir().unwrap();
    let root = engagement(dir.path(), "azure-atp-2019");
    let text = |root: &std::path::Path| {
        let out = checklist(root, &["show", "C09"]).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(!text(&root).contains("entered "), "{}", text(&root));

    let engagement = ata2atp::engagement::Engagement::open(&root).unwrap();
    let loaded = checklist::Loaded::open(&engagement).unwrap();
    let def = checklist::resolve(Some(&root), "azure-atp-2019").unwrap();
    let facts = loaded.facts(chrono::Utc::now());
    let st = state::for_guide(&engagement, &def, false).unwrap();
    let step = checklist::engine::find(&def, "C09").unwrap();
    let items = queue_items(&step_view(&def, step, &st, &facts).values);
    assert!(items.len() >= 2, "{items:?}");
    let lock = engagement.lock().unwrap();
    let request = SetRequest {
        step: "C09".into(),
        status: None,
        by: "Jo Consultant".into(),
        note: None,
        reason: None,
        fields: Vec::new(),
        evidence: Vec::new(),
        entered: vec![(items[0].id.clone(), true)],
    };
    state::set(&engagement, &lock, &def, &facts, &request).unwrap();
    drop(lock);

    let shown = text(&root);
    let expected = format!("entered 1/{} in the portal", items.len());
    assert!(
        shown.contains(&expected),
        "`{expected}` missing from\n{shown}"
    );
}
