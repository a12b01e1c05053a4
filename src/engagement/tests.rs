//! Unit tests of the engagement folder.

use super::*;

/// The engagement configuration with every field set, shared with the checklist's schema.
fn config() -> EngagementConfig {
    crate::checklist::schema::example::config()
}

#[test]
fn init_then_open_round_trips_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("eng");
    let cfg = config();
    let (eng, lock) = Engagement::init(&root, &cfg).unwrap();
    drop(lock);
    assert_eq!(eng.config().unwrap(), cfg);
    for d in [REPORTS_DIR, HISTORY_DIR, EVIDENCE_DIR] {
        assert!(root.join(d).is_dir(), "{d} missing");
    }
    let again = Engagement::init(&root, &cfg).unwrap_err();
    assert!(
        matches!(again, EngagementError::AlreadyExists { .. }),
        "{again}"
    );
}

#[test]
fn a_second_writer_is_refused_and_told_who_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (eng, lock) = Engagement::init(dir.path(), &config()).unwrap();
    let err = eng.lock().unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, EngagementError::Locked { .. }));
    assert!(
        msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    drop(lock);
    eng.lock().expect("lock is free again once dropped");
}

#[test]
fn passwords_in_urls_are_refused() {
    assert!(url_has_password("http://user:pw@proxy:8080"));
    assert!(url_has_password("mongodb://ata:secret@center:27017/ATA"));
    assert!(!url_has_password("http://user@proxy:8080"));
    assert!(!url_has_password("http://proxy:8080/path?x=a:b@c"));
    let mut cfg = config();
    cfg.proxy = Some(ProxyConfig {
        url: "http://u:p@proxy:3128".into(),
        user: None,
    });
    let err = cfg
        .validate(Path::new("ata2atp.yaml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("proxy.url"), "{err}");
}

#[test]
fn sensor_api_hosts_per_cloud() {
    assert_eq!(
        Cloud::Commercial.ping_url("contoso"),
        "https://contososensorapi.atp.azure.com/tri/sensor/api/ping"
    );
    assert_eq!(
        Cloud::Gcc.sensor_api_host("c"),
        "csensorapi.gcc.atp.azure.com"
    );
    assert_eq!(
        Cloud::GccHigh.sensor_api_host("c"),
        "csensorapi.atp.azure.us"
    );
}

#[test]
fn a_newer_schema_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checks.yaml");
    fs::write(&path, "schema_version: 99\nsomething_new: [1, 2]\n").unwrap();
    let err = read_yaml_file::<ChecksFile>(&path).unwrap_err();
    assert!(
        matches!(err, EngagementError::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
}

#[test]
fn invalid_yaml_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checklist.yaml");
    fs::write(
        &path,
        "schema_version: 1\nguide: x\nsteps:\n  C01: [unclosed\n",
    )
    .unwrap();
    let err = read_yaml_file::<ChecklistState>(&path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("checklist.yaml:"), "{err}");
    assert!(err.contains(":4:") || err.contains(":5:"), "{err}");
}

/// Files a person edits refuse a key they do not know, naming the file, the line and
/// the keys allowed; files the tool writes refuse one too rather than drop it on the
/// next save.
#[test]
fn unknown_keys_are_refused_with_the_line_and_the_valid_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (eng, lock) = Engagement::init(dir.path().join("e"), &config()).unwrap();
    drop(lock);
    let cfg_path = eng.path(CONFIG_FILE);
    let text = fs::read_to_string(&cfg_path).unwrap();
    fs::write(&cfg_path, format!("{text}consultnat: Typo\n")).unwrap();
    let err = eng.config().unwrap_err().to_string();
    let line = text.lines().count() + 1;
    assert!(err.contains(&format!("ata2atp.yaml:{line}:")), "{err}");
    assert!(
        err.contains("consultnat") && err.contains("consultant"),
        "{err}"
    );
    fs::write(
        &cfg_path,
        text.replace("proxy:\n", "proxy:\n  passwrd: x\n"),
    )
    .unwrap();
    let err = eng.config().unwrap_err().to_string();
    assert!(
        err.contains("passwrd") && err.contains("url, user"),
        "{err}"
    );

    let cases: [(&str, &str, &str); 3] = [
        (
            CHECKLIST_FILE,
            "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  P01:\n    status: todo\n    notes: kept?\n",
            "notes",
        ),
        (
            CHECKS_FILE,
            "schema_version: 1\nran_at: 2026-11-16T10:00:00Z\nresults: []\nextra: 1\n",
            "extra",
        ),
        (
            INVENTORY_FILE,
            "schema_version: 1\ncollected_at: 2026-11-16T10:00:00Z\ntool_version: 0.1.0\nata:\n  gatewyas: []\n",
            "gatewyas",
        ),
    ];
    for (file, content, key) in cases {
        fs::write(eng.path(file), content).unwrap();
        let err = match file {
            CHECKLIST_FILE => eng.checklist().map(|_| ()),
            CHECKS_FILE => eng.checks().map(|_| ()),
            _ => eng.inventory().map(|_| ()),
        }
        .unwrap_err()
        .to_string();
        assert!(err.contains(&format!("{file}:")), "{file}: {err}");
        assert!(
            err.contains(key) && err.contains("expected"),
            "{file}: {err}"
        );
    }
}

#[test]
fn a_step_done_without_who_or_when_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (eng, lock) = Engagement::init(dir.path().join("e"), &config()).unwrap();
    drop(lock);
    let path = eng.path(CHECKLIST_FILE);
    for step in [
        "    status: done\n",
        "    status: done\n    by: Jo\n",
        "    status: done\n    at: 2026-11-16T10:00:00Z\n",
        "    status: done\n    by: ' '\n    at: 2026-11-16T10:00:00Z\n",
    ] {
        fs::write(
            &path,
            format!("schema_version: 1\nguide: azure-atp-2019\nsteps:\n  R01:\n    status: todo\n  P01:\n{step}"),
        )
        .unwrap();
        let err = eng.checklist().unwrap_err();
        assert!(matches!(err, EngagementError::Parse(_)), "{err}");
        let err = err.to_string();
        assert!(
            err.contains("checklist.yaml:6:") && err.contains("P01"),
            "{err}"
        );
    }
    fs::write(
        &path,
        "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  P01:\n    status: done\n    by: Jo\n    at: 2026-11-16T10:00:00Z\n",
    )
    .unwrap();
    assert!(eng.checklist().unwrap().is_some());
}
