//! Symbolic links planted in an engagement never make ata2atp write outside it: at every
//! path the tool writes (the lock, the configuration, the inventory and its history, the
//! checks, the checklist with its log and last good copy, reports, the redaction key,
//! the demo's samples, the folders), the command is refused with exit code 2 and a
//! message naming the link, and the link's target is left exactly as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message
#![cfg(unix)]

mod support;
use support::commands::ata2atp;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// Everything under `dir`, file by file (links as their target's path).
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let t = e.file_type().unwrap();
            if t.is_symlink() {
                out.push((
                    p.clone(),
                    fs::read_link(&p)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                ));
            } else if t.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

struct Case {
    /// The path inside the engagement where a link is planted.
    link: &'static str,
    /// What it points to, under `outside/`: a copy of the engagement's own file there
    /// (so that reading through the link succeeds and only the write can be refused),
    /// a folder, or a name that does not exist yet.
    target: Target,
    args: &'static [&'static str],
}

enum Target {
    CopyOf(&'static str),
    Folder,
    Missing,
}

#[test]
fn a_link_at_any_path_the_tool_writes_is_refused_and_its_target_untouched() {
    let cases = [
        Case {
            link: ".ata2atp.lock",
            target: Target::Missing,
            args: &["check", "--no-network"],
        },
        Case {
            link: ".ata2atp.lock",
            target: Target::CopyOf("checks.yaml"),
            args: &["check", "--no-network"],
        },
        Case {
            link: "inventory.yaml",
            target: Target::CopyOf("inventory.yaml"),
            args: &["inventory"],
        },
        Case {
            link: "history",
            target: Target::Folder,
            args: &["inventory"],
        },
        Case {
            link: "checks.yaml",
            target: Target::CopyOf("checks.yaml"),
            args: &["check", "--no-network"],
        },
        Case {
            link: "checklist.yaml",
            target: Target::CopyOf("checklist.yaml"),
            args: &["checklist", "set", "R02", "--note", "planted", "--by", "Jo"],
        },
        Case {
            link: "history/checklist-changes.jsonl",
            target: Target::CopyOf("history/checklist-changes.jsonl"),
            args: &["checklist", "set", "R02", "--note", "planted", "--by", "Jo"],
        },
        Case {
            link: "history/checklist.last-good.yaml",
            target: Target::CopyOf("history/checklist.last-good.yaml"),
            args: &["checklist", "set", "R02", "--note", "planted", "--by", "Jo"],
        },
        Case {
            link: "reports",
            target: Target::Folder,
            args: &["report", "--format", "md"],
        },
        Case {
            link: "history/redaction.key",
            target: Target::Missing,
            args: &["report", "--format", "md", "--redact"],
        },
        Case {
            link: "samples",
            target: Target::Folder,
            args: &["demo", "."],
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in cases.iter().enumerate() {
        let eng = dir.path().join(format!("eng{i}"));
        ata2atp().arg("demo").arg(&eng).assert().success();
        let outside = dir.path().join(format!("outside{i}"));
        fs::create_dir_all(&outside).unwrap();
        let target = match case.target {
            Target::CopyOf(file) => {
                let t = outside.join("target");
                fs::copy(eng.join(file), &t).unwrap();
                t
            }
            Target::Folder => {
                let t = outside.join("folder");
                fs::create_dir(&t).unwrap();
                fs::write(t.join("keep.txt"), "keep").unwrap();
                t
            }
            Target::Missing => outside.join("new"),
        };
        let at = eng.join(case.link);
        if at.is_dir() {
            fs::remove_dir_all(&at).unwrap();
        } else if fs::symlink_metadata(&at).is_ok() {
            fs::remove_file(&at).unwrap();
        }
        symlink(&target, &at).unwrap();
        let before = tree(&outside);
        let mut cmd = ata2atp();
        if case.args[0] == "demo" {
            cmd.current_dir(&eng);
        } else {
            cmd.arg("--engagement").arg(&eng);
        }
        let out = cmd.args(case.args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{} ({:?}): {stderr}",
            case.link,
            case.args
        );
        assert!(
            stderr.contains("is a symbolic link") && stderr.contains(case.link),
            "{}: {stderr}",
            case.link
        );
        assert_eq!(
            tree(&outside),
            before,
            "{}: the link's target changed",
            case.link
        );
    }
}

#[test]
fn init_refuses_links_for_its_configuration_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    for link in [
        "ata2atp.yaml",
        "evidence",
        "reports",
        "history",
        ".ata2atp.lock",
    ] {
        let eng = dir
            .path()
            .join(format!("new-{}", link.trim_start_matches('.')));
        fs::create_dir(&eng).unwrap();
        let target = outside.join(link.trim_start_matches('.'));
        symlink(&target, eng.join(link)).unwrap();
        let out = ata2atp()
            .arg("init")
            .arg(&eng)
            .args(["--customer", "Links Test"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{link}: {stderr}");
        assert!(stderr.contains("is a symbolic link"), "{link}: {stderr}");
        assert!(!target.exists(), "{link}: created outside the engagement");
        assert!(
            !eng.join("ata2atp.yaml").is_file(),
            "{link}: half an engagement"
        );
    }
}
