//! The report's content and files: escaping in HTML and Markdown, CSV that parses back,
//! the sign-off block, provenance, integrity records and `report verify`, redaction, the
//! planted-secret scan, and templates a consultant edits.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::path::{Path, PathBuf};

use support::report::*;

const EVIL: &str = "<script>alert(\"x\")</script> & Co";

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn html_escapes_names_with_script_quotes_and_ampersands() {
    let (_dir, root) = engagement();
    // `<wbr>` (a place a long value may break) is no text.
    let html = read(&report(&root, &[])[0]).replace("<wbr>", "");
    assert!(!html.contains("<script>alert"), "raw <script> in the HTML");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; &amp; Co"));
    assert!(
        html.contains("Northwind &amp; Sons &lt;Test&gt;"),
        "customer name escaped"
    );
    assert!(html.contains("O&#x27;Brien, &quot;Bob&quot;"));
    assert!(
        html.contains("Identity team, &lt;b&gt;R&amp;D&lt;&#x2F;b&gt;"),
        "recorded field escaped"
    );
    // The print header carries the customer as a CSS string that cannot close <style>.
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    assert!(
        !style.contains("<Test>") && style.contains("Northwind \\26  Sons \\3C Test\\3E "),
        "{style}"
    );
}

#[test]
fn markdown_escapes_them_too() {
    let (_dir, root) = engagement();
    let md = read(&report(&root, &["--format", "md"])[0]);
    assert!(
        !md.replace("\\<", "").contains("<script"),
        "raw <script> in the Markdown"
    );
    // Backslash escapes, never HTML entities: the file reads as typed in a plain editor.
    assert!(md.contains("\\<script\\>alert(\"x\")\\</script\\> \\& Co"));
    assert!(md.contains("Northwind \\& Sons \\<Test\\>"));
    for entity in ["&quot;", "&amp;", "&lt;", "&gt;", "&#"] {
        assert!(!md.contains(entity), "HTML entity {entity} in the Markdown");
    }
    // A line break inside a value stays inside its table cell.
    assert!(md.contains("trap, with comma<br>and a second line"));
    for line in md.lines().filter(|l| l.starts_with("| ")) {
        assert!(line.trim_end().ends_with('|'), "broken table row: {line}");
    }
}

#[test]
fn csv_fields_with_commas_quotes_and_newlines_parse_back() {
    let (_dir, root) = engagement();
    let files = report(&root, &["--format", "csv"]);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for kind in [
        "exclusions",
        "honeytokens",
        "sensitive-entities",
        "open-alerts",
        "suppressed-alerts",
        "dc-readiness",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(&format!(".{kind}.csv"))),
            "{kind} missing from {names:?}"
        );
    }
    let parse = |suffix: &str| -> Vec<Vec<String>> {
        let f = files
            .iter()
            .find(|f| f.to_string_lossy().ends_with(suffix))
            .unwrap();
        csv_rows(f)
    };
    let exclusions = parse(".exclusions.csv");
    assert_eq!(exclusions[0][0], "Detector");
    let excluded: Vec<&str> = exclusions.iter().map(|r| r[2].as_str()).collect();
    assert!(excluded.contains(&EVIL), "{excluded:?}");
    assert!(excluded.contains(&"O'Brien, \"Bob\""), "{excluded:?}");
    let honeytokens = parse(".honeytokens.csv");
    assert!(
        honeytokens
            .iter()
            .any(|r| r[0] == "trap, with comma\nand a second line"),
        "{honeytokens:?}"
    );
    let dcs = parse(".dc-readiness.csv");
    let dc02 = dcs
        .iter()
        .find(|r| r[0] == "NW-DC02.northwind.test")
        .unwrap();
    assert_eq!(dc02[9], "fail", "{dc02:?}");
    let rodc = dcs
        .iter()
        .find(|r| r[0] == "NW-RODC01.northwind.test")
        .unwrap();
    assert_eq!(rodc[9], "unknown", "accepted warn, unknown facts: {rodc:?}");
}

#[test]
fn the_report_has_every_section_the_approver_needs() {
    let (_dir, root) = engagement();
    let html = read(
        &report(
            &root,
            &[
                "--approver-role",
                "CISO",
                "--note",
                "Signed at the steering meeting",
            ],
        )[0],
    );
    for needle in [
        "Not ready: prerequisites fail",      // verdict
        "accepted as risks",                  // counts
        "id=\"phase-configure\"",             // phases
        "Recorded: Rule or global exclusion", // per-item fields as columns
        "dropped: subnet no longer used",     // the recorded value
        "todo → in_progress",                 // history from the change log
        "evidence&#x2F;syslog-test.txt",      // evidence named
        "RODC stays; no synchronizer role",   // accepted risk and why
        "Pat O&#x27;Approver",                // approver from signoff.yaml
        "CISO",                               // role from the flag
        "Signed at the steering meeting",     // note from the flag
        "Security consultant",
        "ata.report_schedules.recipients", // not found, stated
        "Configuration.ReporterConfiguration.Recipients",
        "NW-LAPTOP07",                                  // provenance: collected on
        "ldaps:&#x2F;&#x2F;nw-dc01.northwind.test:636", // source with its status
        "Signature",
        "2 open", // open alerts counted in the sign-off points
    ] {
        assert!(html.contains(needle), "{needle} missing from the report");
    }
    // The integrity inputs are listed with their hashes.
    let inventory_hash = sha256(&root.join("inventory.yaml"));
    assert!(html.contains(&inventory_hash));
}

fn sha256(p: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()))
}

fn verify(root: &Path, file: &Path) -> (Option<i32>, String) {
    let out = ata2atp(root, &["report", "verify"])
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn flip_one_byte(p: &Path) {
    let mut bytes = std::fs::read(p).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn verify_detects_one_byte_changed_in_the_report_and_in_each_input() {
    let (_dir, root) = engagement();
    let report_file = report(&root, &[])[0].clone();
    let (code, out) = verify(&root, &report_file);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("Unchanged"), "{out}");

    flip_one_byte(&report_file);
    let (code, out) = verify(&root, &report_file);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("report report-") && out.contains("changed"),
        "{out}"
    );

    let inputs = [
        "ata2atp.yaml",
        "inventory.yaml",
        "checks.yaml",
        "checklist.yaml",
        "history/checklist-changes.jsonl",
        "signoff.yaml",
        "evidence/syslog-test.txt",
    ];
    for input in inputs {
        let (_d, root) = engagement();
        let files = report(&root, &["--format", "md"]);
        let record = files
            .iter()
            .find(|f| f.to_string_lossy().ends_with(".integrity.yaml"))
            .unwrap()
            .clone();
        let path = root.join(input);
        let before = std::fs::read(&path).unwrap();
        flip_one_byte(&path);
        let (code, out) = verify(&root, &files[0]);
        assert_eq!(code, Some(1), "{input}: {out}");
        assert!(
            out.contains(&format!("input {input}: changed")),
            "{input}: {out}"
        );
        // The record itself can be given too.
        std::fs::write(&path, before).unwrap();
        assert_eq!(verify(&root, &record).0, Some(0), "{input} restored");
    }

    // An input that did not exist and appears is a change too.
    let (_d, root) = engagement();
    let files = report(&root, &[]);
    std::fs::remove_file(root.join("signoff.yaml")).unwrap();
    let (code, out) = verify(&root, &files[0]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("input signoff.yaml: missing"), "{out}");
}

#[test]
fn verify_without_a_record_exits_2() {
    let (_dir, root) = engagement();
    let stray = root.join("reports/stray.html");
    std::fs::write(&stray, "x").unwrap();
    let (code, out) = verify(&root, &stray);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("no integrity record"), "{out}");
}

#[test]
fn a_copy_with_out_has_its_own_record() {
    let (dir, root) = engagement();
    let copy = dir.path().join("share/northwind-signoff.html");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    let files = report(&root, &["--out", copy.to_str().unwrap()]);
    assert!(files.contains(&copy));
    assert!(
        dir.path()
            .join("share/northwind-signoff.integrity.yaml")
            .is_file()
    );
    let out = ata2atp(&root, &["report", "verify"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Everything any identifier of the inventory could leak through.
fn identifiers() -> Vec<&'static str> {
    vec![
        // hosts
        "NW-DC01",
        "NW-DC02",
        "NW-RODC01",
        "NW-ATAGW01",
        "NW-SCAN01",
        "NW-WKS042",
        "NW-WKS017",
        "NW-LAPTOP07",
        "siem01",
        "smtp.northwind",
        "ata.northwind",
        "proxy.northwind",
        // accounts
        "svc-ata",
        "svc-proxy",
        "honey.admin",
        "alice.admin",
        "bob.builder",
        "Tier0-Operators",
        "O'Brien",
        "soc@",
        "ciso@",
        // domains
        "northwind.test",
        "NORTHWIND",
        // SIDs
        "S-1-5-21-1004336348",
        // IP addresses
        "10.20.0.15",
        "10.20.0.77",
        "10.20.0.31",
        "192.168.50.0",
        // people and the customer
        "Pat O'Approver",
        "Jo \"JJ\" Consultant",
        "Northwind & Sons",
    ]
}

#[test]
fn redacted_reports_keep_no_host_account_sid_or_ip_of_the_inventory() {
    let (_dir, root) = engagement();
    let mut files = report(&root, &["--redact"]);
    files.extend(report(&root, &["--redact", "--format", "md"]));
    files.extend(report(&root, &["--redact", "--format", "csv"]));
    let mut pseudonyms_seen = 0;
    for f in files
        .iter()
        .filter(|f| !f.to_string_lossy().ends_with(".integrity.yaml"))
    {
        let raw = read(f);
        // Compare on the unescaped text: `O&#x27;Brien` is still O'Brien.
        let text = raw
            .replace("<wbr>", "")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&#x2F;", "/")
            .replace("\\_", "_")
            .replace("\\&", "&")
            .replace("\\<", "<")
            .replace("\\>", ">")
            .to_lowercase();
        for id in identifiers() {
            assert!(
                !text.contains(&id.to_lowercase()),
                "{id} left in {}",
                f.display()
            );
        }
        pseudonyms_seen += text.matches("host-").count();
        assert!(
            text.contains("account-")
                || f.to_string_lossy().contains("alerts")
                || f.to_string_lossy().contains("dc-readiness")
                || f.to_string_lossy().contains("checks"),
            "{}",
            f.display()
        );
    }
    assert!(pseudonyms_seen > 10);
    // The same host has the same pseudonym everywhere, across reports (the key is kept).
    let html = read(&files[0]).replace("<wbr>", "");
    let md = read(
        files
            .iter()
            .find(|f| f.extension().is_some_and(|e| e == "md"))
            .unwrap(),
    );
    let first_host = html.split("host-").nth(1).unwrap()[..6].to_string();
    assert!(md.contains(&format!("host-{first_host}")));
    assert!(root.join("history/redaction.key").is_file());
}

#[test]
fn no_planted_secret_reaches_any_file_a_report_run_writes() {
    const SECRETS: [(&str, &str); 4] = [
        ("ATA2ATP_LDAP_PASSWORD", "Pl4nted-LDAP-7f3a91"),
        ("ATA2ATP_PROXY_PASSWORD", "Pl4nted-Proxy-2b8c44"),
        ("ATA2ATP_DSA_PASSWORD", "Pl4nted-DSA-9d1e07"),
        ("ATA2ATP_MONGO_PASSWORD", "Pl4nted-Mongo-5a6b3c"),
    ];
    const IN_FILE: &str = "Pl4nted-File-0c4d2e";
    let (dir, root) = engagement();
    // A password file in the engagement, and one inside an evidence file: the report
    // hashes evidence, it never copies it.
    std::fs::write(root.join("dsa-password.txt"), IN_FILE).unwrap();
    std::fs::write(
        root.join("evidence/syslog-test.txt"),
        format!("test ok; smtp password {IN_FILE}\n"),
    )
    .unwrap();
    // A template that tries to read an environment variable is refused.
    let sneaky = dir.path().join("sneaky.html");
    std::fs::write(&sneaky, "{{ get_env(name=\"ATA2ATP_LDAP_PASSWORD\") }}").unwrap();
    let out = ata2atp(&root, &["report", "--template"])
        .arg(&sneaky)
        .envs(SECRETS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Pl4nted"));

    let copy = dir.path().join("copy.md");
    let runs: Vec<Vec<String>> = vec![
        vec![],
        vec![
            "--format".into(),
            "md".into(),
            "--out".into(),
            copy.display().to_string(),
        ],
        vec!["--format".into(), "csv".into()],
        vec!["--redact".into()],
        vec![
            "--format".into(),
            "pdf".into(),
            "--browser".into(),
            chromium().display().to_string(),
        ],
    ];
    for args in runs {
        let mut all = vec!["report".to_string()];
        all.extend(args);
        let out = ata2atp(&root, &[])
            .args(&all)
            .envs(SECRETS)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{all:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!printed.contains("Pl4nted"), "{all:?} printed a secret");
    }
    // Every file the runs wrote: reports/, the copy and its record, history/.
    let mut written: Vec<PathBuf> = std::fs::read_dir(root.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    written.push(copy.clone());
    written.push(dir.path().join("copy.integrity.yaml"));
    written.push(root.join("history/redaction.key"));
    assert!(written.len() >= 15, "{written:?}");
    for f in &written {
        let bytes = std::fs::read(f).unwrap();
        for secret in SECRETS.iter().map(|(_, s)| *s).chain([IN_FILE]) {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret} found in {}", f.display());
        }
    }
}

#[test]
fn an_edited_template_is_used_and_its_errors_name_the_line() {
    let (dir, root) = engagement();
    let good = dir.path().join("short.md");
    std::fs::write(
        &good,
        "# {{ meta.customer }}\n\nVerdict: {{ summary.verdict.headline }}\n",
    )
    .unwrap();
    let files = report(
        &root,
        &["--format", "md", "--template", good.to_str().unwrap()],
    );
    let md = read(&files[0]);
    assert_eq!(
        md,
        "# Northwind \\& Sons \\<Test\\>\n\nVerdict: Not ready: prerequisites fail\n"
    );
    let record = read(&files[1]);
    assert!(
        record.contains("short.md") && record.contains("external: true"),
        "{record}"
    );

    let bad = dir.path().join("bad.html");
    std::fs::write(&bad, "<p>ok</p>\n<p>{{ meta.customer </p>\n").unwrap();
    let out = ata2atp(&root, &["report", "--template"])
        .arg(&bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.html") && stderr.contains("2:"),
        "{stderr}"
    );

    let unknown = dir.path().join("unknown.html");
    std::fs::write(&unknown, "{{ meta.no_such_field }}").unwrap();
    let out = ata2atp(&root, &["report", "--template"])
        .arg(&unknown)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no_such_field") && stderr.contains("--template"),
        "{stderr}"
    );
}

#[test]
fn a_broken_engagement_file_is_named_with_its_line() {
    let (_dir, root) = engagement();
    std::fs::write(root.join("signoff.yaml"), "approver:\n  nmae: typo\n").unwrap();
    let out = ata2atp(&root, &["report"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("signoff.yaml:2"), "{stderr}");
    let log = root.join("history/checklist-changes.jsonl");
    std::fs::write(&log, format!("{}not json\n", read(&log))).unwrap();
    std::fs::remove_file(root.join("signoff.yaml")).unwrap();
    let out = ata2atp(&root, &["report"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("checklist-changes.jsonl:7"), "{stderr}");
}

#[test]
fn a_nearly_empty_engagement_still_reports_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("empty");
    let out = ata2atp(dir.path(), &["init"])
        .arg(&root)
        .args(["--customer", "Empty Test"])
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    let html = read(&report(&root, &[])[0]);
    assert!(html.contains("Undecided: the prerequisite checks have not been run"));
    assert!(html.contains("No inventory has been collected"));
}
