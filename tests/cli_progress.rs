//! Progress on a terminal (issue 17.7): a finished task's line keeps its whole label and
//! says its outcome, not a count frozen at 0 cut at 40 characters. The binary runs under
//! `script` (util-linux), which gives it a pseudo-terminal for stderr.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::process::Command;

#[test]
fn finished_tasks_keep_their_whole_label_and_outcome_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir
        .path()
        .join("a-demo-engagement-with-a-rather-long-folder-name");
    let bin = env!("CARGO_BIN_EXE_ata2atp");
    let demo = Command::new(bin).arg("demo").arg(&root).output().unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );

    let run = format!("'{bin}' --engagement '{}' inventory", root.display());
    let out = Command::new("script")
        .args(["-qec", &run, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "200")
        .output()
        .expect("script (util-linux) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let csi = regex::Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").unwrap();
    let screen = csi
        .replace_all(&String::from_utf8_lossy(&out.stdout), "")
        .replace('\r', "\n");
    let ldif = format!(
        "LDIF {}: ",
        root.join("samples/directory/fabrikam.ldif").display()
    );
    let line = screen
        .lines()
        .find(|l| l.trim_start().starts_with(&ldif))
        .unwrap_or_else(|| panic!("no whole finished line `{ldif}…` in:\n{screen}"));
    let outcome = &line.trim_start()[ldif.len()..];
    assert!(
        regex::Regex::new(r"^\d+ entries")
            .unwrap()
            .is_match(outcome),
        "{line}"
    );
}
