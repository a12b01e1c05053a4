//! The binary under test. Every test starts it from a neutral environment: the caller's
//! colour switches and ata2atp's own variables would otherwise change what it prints or
//! which engagement it opens. A test that wants one sets it after.

/// Variables removed before each run.
pub const NEUTRAL: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR_FORCE",
    "CLICOLOR",
    "ATA2ATP_ENGAGEMENT",
    "ATA2ATP_OUTPUT",
    "ATA2ATP_COLOR",
    "ATA2ATP_BY",
];

/// `ata2atp` as an assert_cmd command.
pub fn ata2atp() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("ata2atp").unwrap();
    for var in NEUTRAL {
        cmd.env_remove(var);
    }
    cmd
}

/// `ata2atp` as a std command, for tests that spawn it and signal or wait on it.
pub fn ata2atp_std() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ata2atp"));
    for var in NEUTRAL {
        cmd.env_remove(var);
    }
    cmd
}

/// Panics with the command's stderr unless it exited 0: the failure message a test needs
/// when a command it only sets the scene with fails.
pub fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh demo engagement in `<dir>/demo` (`ata2atp demo`), for tests that start from
/// the sample deployment and then edit or read its files.
pub fn demo_engagement(dir: &std::path::Path) -> std::path::PathBuf {
    let eng = dir.join("demo");
    assert_success(&ata2atp_std().arg("demo").arg(&eng).output().unwrap());
    eng
}

/// A new engagement at `dir` (`ata2atp init`) for `customer`, consultant Jo.
pub fn init_engagement(dir: &std::path::Path, customer: &str) {
    ata2atp()
        .args(["init", dir.to_str().unwrap(), "--customer", customer])
        .args(["--consultant", "Jo"])
        .assert()
        .success();
}

/// `ata2atp check --no-network -o json` on the engagement at `eng`, with `extra` flags:
/// the exit code and the results it printed.
pub fn check_json(eng: &std::path::Path, extra: &[&str]) -> (i32, ata2atp::model::ChecksFile) {
    let out = ata2atp()
        .args(["--engagement", eng.to_str().unwrap()])
        .args(["check", "--no-network", "-o", "json"])
        .args(extra)
        .output()
        .unwrap();
    let file = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), file)
}
