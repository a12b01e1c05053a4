//! Shared set-up for the checklist's integration tests: engagements built with the
//! library (fast), driven through the binary (what a consultant runs). Synthetic data.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ata2atp::checklist::schema::example;
use ata2atp::engagement::{
    CHECKLIST_FILE, CHECKS_FILE, CONFIG_FILE, Engagement, INVENTORY_FILE, WriteLock,
};
use ata2atp::model::{CheckResult, ChecklistState, ChecksFile, SCHEMA_VERSION, Status};

pub use super::commands::ata2atp;

/// `ata2atp --engagement ROOT checklist ARGS…`
pub fn checklist(root: &Path, args: &[&str]) -> Command {
    let mut cmd = ata2atp();
    cmd.arg("--engagement")
        .arg(root)
        .arg("checklist")
        .args(args);
    cmd
}

/// A new engagement following `guide`, with the fully populated inventory.
///
/// The files are written directly rather than through the library's writer: the writer
/// holds an OS file lock, and a lock held by this (multi-threaded) test process is
/// briefly duplicated into every child another test spawns, which would make the
/// binary under test see the engagement as "in use" at random.
pub fn engagement(dir: &Path, guide: &str) -> PathBuf {
    let root = dir.join("eng");
    for sub in ["reports", "history", "evidence"] {
        fs::create_dir_all(root.join(sub)).unwrap();
    }
    let mut config = example::config();
    config.demo = false;
    config.guide = guide.to_string();
    fs::write(
        root.join(CONFIG_FILE),
        ata2atp::yaml::to_string(&config, "t").unwrap(),
    )
    .unwrap();
    let inventory = ata2atp::yaml::to_string(&example::inventory(), "t").unwrap();
    fs::write(root.join(INVENTORY_FILE), inventory).unwrap();
    root
}

/// The engagement's `checklist.yaml` as the binary last wrote it.
pub fn read_state(root: &Path) -> ChecklistState {
    ata2atp::yaml::from_str(&fs::read_to_string(root.join(CHECKLIST_FILE)).unwrap(), "t").unwrap()
}

/// The writer's lock, taken by the test itself. Retried for a moment: see
/// [`engagement`] on children briefly holding a copy of a lock just released.
pub fn lock_eventually(root: &Path) -> WriteLock {
    let eng = Engagement::open(root).unwrap();
    for _ in 0..100 {
        match eng.lock() {
            Ok(lock) => return lock,
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
    eng.lock().unwrap()
}

/// Check results for every catalog check, all with `status`.
pub fn all_checks(status: Status) -> ChecksFile {
    ChecksFile {
        schema_version: SCHEMA_VERSION,
        tool_version: "test".into(),
        ran_at: chrono::Utc::now(),
        inventory_sha256: None,
        results: ata2atp::checks::CATALOG
            .iter()
            .map(|c| CheckResult {
                id: c.id.into(),
                title: c.title.into(),
                guide: c.guide,
                subject: c.per_subject.then(|| "FAB-DC01".to_string()),
                status,
                reason: Some(format!("synthetic {status}")),
                evidence: BTreeMap::new(),
                remediation: None,
                action: None,
                accepted: None,
            })
            .collect(),
        acceptances: Vec::new(),
    }
}

pub fn write_checks(root: &Path, checks: &ChecksFile) {
    fs::write(
        root.join(CHECKS_FILE),
        ata2atp::yaml::to_string(checks, "t").unwrap(),
    )
    .unwrap();
}

/// Every file under `dir` with its bytes, except the writer's lock (a test's own run may
/// leave one).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = super::files::snapshot(dir);
    files.retain(|path, _| path.file_name().is_none_or(|n| n != ".ata2atp.lock"));
    files
}

pub fn json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.arg("-o").arg("json").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/checklist")
        .join(name)
}
