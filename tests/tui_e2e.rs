//! The TUI end to end: the real binary in a tmux pane on a demo engagement. Navigate to
//! the checklist, fill a record field and mark the step done, quit, and find the change
//! in `checklist.yaml`; resize the window and see the screen drawn again at the new size.
//! A second TUI on the same engagement opens read-only.
//!
//! tmux runs on a private socket in the test's temporary folder, so a consultant's own
//! tmux is never touched. The TUI writes timings to a file (`ATA2ATP_TUI_TIMINGS`): the
//! test waits for "loaded" there instead of sleeping.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use ata2atp::model::{ChecklistState, StepStatus};

const BIN: &str = env!("CARGO_BIN_EXE_ata2atp");

struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    fn new(dir: &Path) -> Self {
        let ok = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            ok,
            "tmux is not installed: run scripts/test-env.sh install (it installs tmux)"
        );
        Self {
            socket: dir.join("tmux.sock"),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Starts `command` in a detached session `name` of `w`×`h`.
    fn start(&self, name: &str, w: u16, h: u16, command: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            command,
        ]);
        // Keep the pane after the program exits, to read what it left on screen.
        self.run(&["set-option", "-t", name, "remain-on-exit", "on"]);
    }

    /// Keys as tmux names them (`Enter`, `Down`), or literal text with `literal`.
    fn keys(&self, name: &str, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", name, k]);
            // One key at a time: an Esc followed at once by a key reads as Alt+key.
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn text(&self, name: &str, text: &str) {
        self.run(&["send-keys", "-t", name, "-l", text]);
    }

    /// Whether the program in the pane asked for mouse reports ("1") or not ("0").
    fn mouse_flag(&self, name: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", name, "#{mouse_any_flag}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn screen(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", name]).stdout).into_owned()
    }

    fn wait_screen(&self, name: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen(name);
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The exit code the pane's command wrote (see [`tui_command`]). tmux's own
    /// `pane_dead_status` is not reliable enough: it is sometimes left empty.
    fn wait_exit(&self, name: &str, exit_file: &Path) -> i32 {
        let start = Instant::now();
        loop {
            if let Some(code) = std::fs::read_to_string(exit_file)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                return code;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the TUI did not exit; the screen:\n{}",
                self.screen(name)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

fn wait_file(path: &Path, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if pred(&text) {
            return text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what} in {}:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The TUI on `engagement`, writing its timings to `<name>.jsonl` and, once it exited,
/// its exit code to `<name>.exit` in `dir`.
fn tui_command(dir: &Path, name: &str, engagement: &Path) -> String {
    format!(
        "sh -c \"ATA2ATP_TUI_TIMINGS='{}' '{BIN}' --engagement '{}' tui; echo \\$? > '{}'\"",
        dir.join(format!("{name}.jsonl")).display(),
        engagement.display(),
        dir.join(format!("{name}.exit")).display(),
    )
}

fn demo(dir: &Path) -> PathBuf {
    let root = dir.join("fabrikam");
    let out = Command::new(BIN)
        .args(["demo", root.to_str().unwrap()])
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    root
}

#[test]
fn a_step_is_marked_done_with_a_field_saved_and_the_screen_follows_a_resize() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    let tmux = Tmux::new(dir.path());
    let timings = dir.path().join("e2e.jsonl");
    tmux.start("e2e", 100, 30, &tui_command(dir.path(), "e2e", &root));
    wait_file(&timings, "the loaded engagement", |t| {
        t.contains("\"loaded\"")
    });
    tmux.wait_screen("e2e", "the overview", |s| s.contains("Fabrikam (demo)"));
    // The mouse is captured while the screen is up (and let go on exit, below).
    assert_eq!(tmux.mouse_flag("e2e"), "1");

    // To the checklist (it opens on the next step to do), then down the list to P07.
    tmux.keys("e2e", &["4"]);
    tmux.wait_screen("e2e", "the checklist", |s| s.contains("┌ Step "));
    for _ in 0..40 {
        if tmux.screen("e2e").contains("Step P07") {
            break;
        }
        tmux.keys("e2e", &["j"]);
    }
    tmux.wait_screen("e2e", "step P07", |s| s.contains("Step P07"));

    // Into the step, to its record field (the last line that can be selected), and fill it.
    tmux.keys("e2e", &["l", "G", "Enter"]);
    tmux.wait_screen("e2e", "the field prompt", |s| s.contains("Enter saves"));
    tmux.text("e2e", "honey.admin, svc-backup-old (kept)");
    tmux.keys("e2e", &["Enter"]);
    let checklist = root.join("checklist.yaml");
    wait_file(&checklist, "the recorded field", |t| {
        t.contains("honey.admin, svc-backup-old (kept)")
    });

    // Done: refused while the field was empty, accepted now.
    tmux.keys("e2e", &["d"]);
    wait_file(&checklist, "P07 done", |t| {
        ata2atp::yaml::from_str::<ChecklistState>(t, "checklist.yaml")
            .is_ok_and(|s| s.step("P07").status == StepStatus::Done)
    });
    tmux.wait_screen("e2e", "the saved notice", |s| s.contains("P07 saved (done"));

    // A larger window: the screen is drawn again to its new size.
    tmux.run(&["resize-window", "-t", "e2e", "-x", "160", "-y", "48"]);
    let screen = tmux.wait_screen("e2e", "the resized screen", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines.len() >= 48
            && lines[1].chars().count() == 160
            && lines[1].ends_with('┐')
            && lines[46].ends_with('┘')
    });
    assert!(screen.contains("Step P07"), "{screen}");
    // And smaller again.
    tmux.run(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"]);
    tmux.wait_screen("e2e", "the smaller screen", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines.len() >= 24 && lines[1].chars().count() == 80 && lines[1].ends_with('┐')
    });

    tmux.keys("e2e", &["q"]);
    assert_eq!(tmux.wait_exit("e2e", &dir.path().join("e2e.exit")), 0);
    assert_eq!(tmux.mouse_flag("e2e"), "0", "the mouse is let go on exit");

    let text = std::fs::read_to_string(&checklist).unwrap();
    let state: ChecklistState = ata2atp::yaml::from_str(&text, "checklist.yaml").unwrap();
    let p07 = state.step("P07");
    assert_eq!(p07.status, StepStatus::Done, "{text}");
    assert_eq!(
        p07.fields.get("honeytokens").map(String::as_str),
        Some("honey.admin, svc-backup-old (kept)")
    );
    assert_eq!(p07.by.as_deref(), Some("Demo Consultant"));
    let log = std::fs::read_to_string(root.join("history/checklist-changes.jsonl")).unwrap();
    assert!(
        log.lines()
            .filter(|l| l.contains("\"step\":\"P07\""))
            .count()
            >= 2,
        "{log}"
    );
}

#[test]
fn a_second_tui_on_the_same_engagement_is_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    let tmux = Tmux::new(dir.path());
    let d = dir.path();
    tmux.start("one", 100, 30, &tui_command(d, "one", &root));
    wait_file(&d.join("one.jsonl"), "the first TUI", |t| {
        t.contains("\"loaded\"")
    });
    tmux.start("two", 100, 30, &tui_command(d, "two", &root));
    wait_file(&d.join("two.jsonl"), "the second TUI", |t| {
        t.contains("\"loaded\"")
    });
    let screen = tmux.wait_screen("two", "the read-only notice", |s| s.contains("READ-ONLY"));
    assert!(screen.contains("another ata2atp holds"), "{screen}");

    let before = std::fs::read_to_string(root.join("checklist.yaml")).unwrap();
    tmux.keys("two", &["4", "d"]);
    tmux.wait_screen("two", "the refusal", |s| {
        s.contains("nothing can be changed")
    });
    tmux.keys("two", &["q"]);
    assert_eq!(tmux.wait_exit("two", &d.join("two.exit")), 0);
    tmux.keys("one", &["q"]);
    assert_eq!(tmux.wait_exit("one", &d.join("one.exit")), 0);
    assert_eq!(
        std::fs::read_to_string(root.join("checklist.yaml")).unwrap(),
        before
    );
}

#[test]
fn without_a_terminal_the_tui_says_so_and_ata2atp_alone_prints_the_usage() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo(dir.path());
    let out = Command::new(BIN)
        .args(["--engagement", root.to_str().unwrap(), "tui"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");

    // No subcommand and no terminal: the usage, exit 2, never a screen.
    let out = Command::new(BIN)
        .args(["--engagement", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Usage") && err.contains("tui"), "{err}");
}
