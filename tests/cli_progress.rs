//! Progress on a terminal (issue 17.7): a finished task's line keeps its whole label and
//! says its outcome, not a count frozen at 0 cut at 40 characters. The binary runs under
//! `script` (util-linux), which gives it a pseudo-terminal for stderr.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::process::Command;

#[test]
fn finished_tasks_keep_their_whole_label_and_outcome_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir
        .path()
        .join("a-demo-engagement-with-a-rather-long-folder-name");
    let bin = env!("CARGO_BIN_EXE_ata2atp");
    let demo = Command::new(bin).arg("demo").arg(&root).output().unwrap();
    support::commands::assert_success(&demo);

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
    assert_spinners_show_time_not_zero(&screen);
}

/// The frames of running spinners (a braille spinner glyph, the label, then what it
/// shows): a task that has counted nothing shows the time it has run ("3s"), never a "0"
/// that reads as stuck.
fn assert_spinners_show_time_not_zero(screen: &str) {
    let frame = regex::Regex::new(r"[\x{2800}-\x{28FF}] (\S.*?)\s+(\S+)\s*$").unwrap();
    let mut frames = 0;
    for line in screen.lines() {
        // A finished line and the next running one can share a screen line: the frame is
        // the part from the spinner glyph on.
        let Some(start) = line.find(|c: char| ('\u{2800}'..='\u{28FF}').contains(&c)) else {
            continue;
        };
        let Some(m) = frame.captures(&line[start..]) else {
            continue;
        };
        frames += 1;
        let shown = &m[2];
        assert!(
            shown != "0" && !shown.ends_with("/0"),
            "a running task shows a count of 0: {line:?}"
        );
    }
    assert!(frames > 0, "no running spinner frame in:\n{screen}");
}

/// The text a pseudo-terminal received, control sequences removed and every redraw
/// (carriage return) on a line of its own.
fn run_on_a_terminal(command: &str) -> (std::process::ExitStatus, String) {
    let out = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "200")
        .output()
        .expect("script (util-linux) runs");
    let csi = regex::Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").unwrap();
    let screen = csi
        .replace_all(&String::from_utf8_lossy(&out.stdout), "")
        .replace('\r', "\n");
    (out.status, screen)
}

/// Writing a PDF takes seconds: each stage (rendering the HTML, starting the browser,
/// printing, writing the file) is a line of its own that ends whole with its outcome, and
/// while the browser prints its spinner shows the time spent (issue 17.7). Needs the
/// Chromium that `scripts/test-env.sh` installs, like tests/report_browser.rs.
#[test]
fn pdf_writing_shows_its_stages_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    let bin = env!("CARGO_BIN_EXE_ata2atp");
    let demo = Command::new(bin).arg("demo").arg(&root).output().unwrap();
    support::commands::assert_success(&demo);
    let (status, screen) = run_on_a_terminal(&format!(
        "'{bin}' --engagement '{}' report --format pdf",
        root.display()
    ));
    assert!(status.success(), "{screen}");
    for stage in [
        r"PDF: rendering the HTML: \d+ KB",
        r"PDF: starting \S+: started",
        r"PDF: printing \(the browser lays out every page\): done",
        r"Writing reports/report-\S+\.pdf: \d+ KB",
    ] {
        assert!(
            regex::Regex::new(&format!(r"(?m)^\s*{stage}\s*"))
                .unwrap()
                .is_match(&screen),
            "no finished line /{stage}/ in:\n{screen}"
        );
    }
    assert!(
        regex::Regex::new(r"PDF: printing \(the browser lays out every page\)\s+\d+s\s*$")
            .unwrap()
            .is_match(
                screen
                    .lines()
                    .find(|l| l.contains("PDF: printing") && !l.contains(": done"))
                    .unwrap_or_else(|| panic!("no running frame of the printing stage:\n{screen}"))
            ),
        "{screen}"
    );
    assert_spinners_show_time_not_zero(&screen);
}
