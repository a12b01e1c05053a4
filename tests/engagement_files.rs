//! The engagement's YAML files refuse what they should not hold, through the binary:
//! a key the file does not know (a typo in a hand edit, in a file a person edits or in
//! one the tool writes, which would otherwise be dropped on the next save) is refused
//! with the file, the line and the keys allowed; a checklist step marked done with no
//! who or when is refused; nothing is changed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn ata2atp(eng: &Path) -> Command {
    let mut cmd = support::commands::ata2atp();
    cmd.env("NO_COLOR", "1").arg("--engagement").arg(eng);
    cmd
}

/// Appends `line` to `file` (its line number is returned) and checks that `args` is
/// refused with exit 2 naming the file, the line and every one of `expect`.
fn refused(
    eng: &Path,
    file: &str,
    edit: impl Fn(&str) -> (String, usize),
    args: &[&str],
    expect: &[&str],
) {
    let path = eng.join(file);
    let before = fs::read_to_string(&path).unwrap_or_default();
    let (text, line) = edit(&before);
    fs::write(&path, &text).unwrap();
    let out = ata2atp(eng).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{file} {args:?}: {stderr}");
    assert!(
        stderr.contains(&format!("{file}:{line}")),
        "{file}: no line {line} in: {stderr}"
    );
    for e in expect {
        assert!(stderr.contains(e), "{file}: {e:?} not in: {stderr}");
    }
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        text,
        "{file} was rewritten"
    );
    fs::write(&path, before).unwrap();
}

fn append(extra: &'static str) -> impl Fn(&str) -> (String, usize) {
    move |text: &str| (format!("{text}{extra}\n"), text.lines().count() + 1)
}

#[test]
fn unknown_keys_and_unsigned_steps_are_refused_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let eng = support::commands::demo_engagement(dir.path());

    // Files a person edits: the valid keys are listed.
    refused(
        &eng,
        "ata2atp.yaml",
        append("consultnat: Jo"),
        &["checklist", "list"],
        &["unknown field `consultnat`", "consultant", "customer"],
    );
    fs::write(eng.join("signoff.yaml"), "approver:\n  name: Dana\n").unwrap();
    refused(
        &eng,
        "signoff.yaml",
        append("aproover:\n  name: Typo"),
        &["report", "--format", "md"],
        &["unknown field `aproover`", "approver"],
    );
    // Files the tool writes: refused rather than dropped on the next save.
    refused(
        &eng,
        "checklist.yaml",
        append("comment: kept?"),
        &["checklist", "set", "R02", "--note", "x", "--by", "Jo"],
        &["unknown field `comment`"],
    );
    refused(
        &eng,
        "checks.yaml",
        append("comment: kept?"),
        &["check", "--no-network"],
        &["unknown field `comment`"],
    );
    refused(
        &eng,
        "inventory.yaml",
        append("comment: kept?"),
        &["check", "--no-network"],
        &["unknown field `comment`"],
    );
    // A step marked done by hand, without who and when.
    refused(
        &eng,
        "checklist.yaml",
        |_| {
            (
                "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  R02:\n    status: done\n"
                    .into(),
                4,
            )
        },
        &["checklist", "list"],
        &["R02", "by whom and when"],
    );
}

#[test]
fn a_checklist_written_before_the_copy_queue_loads_and_gains_no_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let eng = support::commands::demo_engagement(dir.path());
    // The shape of a step before `entered` existed.
    fs::write(
        eng.join("checklist.yaml"),
        "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  P06:\n    status: in_progress\n    by: Jo\n    at: \"2026-11-18T09:00:00Z\"\n",
    )
    .unwrap();
    ata2atp(&eng)
        .args(["checklist", "show", "P06"])
        .assert()
        .success();
    ata2atp(&eng)
        .args(["checklist", "set", "P06", "--note", "x", "--by", "Jo"])
        .assert()
        .success();
    let text = fs::read_to_string(eng.join("checklist.yaml")).unwrap();
    assert!(text.contains("note: x"), "{text}");
    assert!(!text.contains("entered"), "{text}");
}
