//! The command line's foundation: help, colour, completions, and `init`/`demo` refusing to
//! damage an engagement (existing, read-only or locked), leaving every file byte-identical.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::commands::ata2atp;
use support::files::snapshot;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use ata2atp::engagement::Engagement;
use predicates::prelude::*;

fn init(dir: &Path) -> Command {
    let mut cmd = ata2atp();
    cmd.args([
        "init",
        dir.to_str().unwrap(),
        "--customer",
        "Northwind Test",
        "--consultant",
        "Jo",
    ]);
    cmd
}

#[test]
fn help_texts_document_commands_and_exit_codes() {
    ata2atp()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains(
            "3    a source could not be reached",
        ))
        .stdout(predicate::str::contains("4    the engagement is busy"))
        .stdout(predicate::str::contains("init"))
        .stdout(predicate::str::contains("demo"));
    ata2atp()
        .args(["init", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--customer"))
        .stdout(predicate::str::contains("--workspace"))
        .stdout(predicate::str::contains("[env: ATA2ATP_CUSTOMER=]"));
    ata2atp()
        .args(["demo", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("built-in sample"));
}

#[test]
fn no_color_wins_over_forced_colour() {
    // With colour forced, help is coloured: the assertion below can fail for real.
    let forced = ata2atp()
        .arg("--help")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(
        forced.stdout.contains(&0x1b),
        "expected escape codes when colour is forced"
    );
    for args in [vec!["--help"], vec!["init", "--help"]] {
        let out = ata2atp()
            .args(&args)
            .env("CLICOLOR_FORCE", "1")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            !out.stdout.contains(&0x1b),
            "escape codes in {args:?} with NO_COLOR=1"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = ata2atp()
        .args(["demo", dir.path().join("d").to_str().unwrap()])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b));
}

#[test]
fn completions_are_printed_for_bash() {
    ata2atp()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_ata2atp()"))
        .stdout(predicate::str::contains("--engagement"));
}

#[test]
fn man_pages_are_written() {
    let dir = tempfile::tempdir().unwrap();
    ata2atp()
        .args(["man", "--out", dir.path().to_str().unwrap()])
        .assert()
        .success();
    let page = fs::read_to_string(dir.path().join("ata2atp.1")).unwrap();
    assert!(page.contains(".TH ATA2ATP"), "{page}");
    assert!(dir.path().join("ata2atp-init.1").is_file());
}

/// Every visible command and subcommand, as the words typed after `ata2atp`.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &[String], all: &mut Vec<Vec<String>>) {
        all.push(path.to_vec());
        for sub in cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            let mut next = path.to_vec();
            next.push(sub.get_name().to_string());
            walk(sub, &next, all);
        }
    }
    let mut all = Vec::new();
    walk(&ata2atp::cli::command(), &[], &mut all);
    all
}

/// Issue 17.9: every command's `--help` has examples and `-h` shows exactly one; the
/// global flags stand under their own heading.
#[test]
fn every_command_has_examples_and_short_help_keeps_one() {
    let paths = command_paths();
    assert!(paths.len() >= 24, "only {} commands found", paths.len());
    let mut missing = Vec::new();
    for path in &paths {
        let help = |flag: &str| {
            let out = ata2atp().args(path).arg(flag).output().unwrap();
            assert!(out.status.success(), "{path:?} {flag}");
            String::from_utf8(out.stdout).unwrap()
        };
        let long = help("--help");
        let short = help("-h");
        let example_lines = |text: &str, heading: &str| {
            text.lines()
                .skip_while(|l| *l != heading)
                .skip(1)
                .take_while(|l| l.starts_with("  "))
                .filter(|l| l.starts_with("  ata2atp") || !l.starts_with("    "))
                .count()
        };
        if example_lines(&long, "Examples:") == 0 {
            missing.push(format!("{path:?}: --help has no Examples section"));
        }
        if example_lines(&short, "Example:") != 1 || short.contains("Examples:") {
            missing.push(format!(
                "{path:?}: -h does not end with exactly one example:\n{short}"
            ));
        }
        if !path.is_empty() && !short.contains("Global options:\n      --engagement <DIR>") {
            missing.push(format!(
                "{path:?}: global flags not under their own heading"
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Issue 17.9: a man page for every command, each with EXIT STATUS listing every code
/// `cli::exit` defines.
#[test]
fn every_command_has_a_man_page_with_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    ata2atp()
        .args(["man", "--out", dir.path().to_str().unwrap()])
        .assert()
        .success();
    for path in command_paths() {
        let name = std::iter::once("ata2atp".to_string())
            .chain(path.iter().cloned())
            .collect::<Vec<_>>()
            .join("-");
        let file = dir.path().join(format!("{name}.1"));
        let page = fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("no man page {}: {e}", file.display()));
        let status = page
            .split(".SH \"EXIT STATUS\"")
            .nth(1)
            .unwrap_or_else(|| panic!("{name}.1 has no EXIT STATUS section:\n{page}"));
        // roff writes a hyphen as `\-`.
        let status = status.split("\n.SH").next().unwrap().replace("\\-", "-");
        for (code, meaning) in ata2atp::cli::exit::CODES {
            assert!(
                status.contains(&format!("\\fB{code}\\fR")),
                "{name}.1: code {code} missing:\n{status}"
            );
            let words = meaning.split_whitespace().take(3).collect::<Vec<_>>();
            assert!(
                status.contains(&words.join(" ")),
                "{name}.1: meaning of {code} missing:\n{status}"
            );
        }
    }
}

/// What bash offers for the words of a command line ending in `current`, from the
/// script `completions bash` prints.
fn bash_completes(words: &[&str], current: &str) -> Vec<String> {
    let script = ata2atp().args(["completions", "bash"]).output().unwrap();
    assert!(script.status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ata2atp.bash");
    fs::write(&file, &script.stdout).unwrap();
    let mut line: Vec<&str> = vec!["ata2atp"];
    line.extend(words);
    line.push(current);
    let quoted: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; \
         _ata2atp ata2atp '{current}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display(),
        quoted.join(" "),
        line.len() - 1,
        line.join(" "),
        line[line.len() - 2],
    );
    let out = StdCommand::new("bash")
        .args(["-c", &program])
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Issue 17.9: the bash completion offers step ids where a step is named and check ids
/// where a check is.
#[test]
fn bash_completion_offers_step_and_check_ids() {
    let steps = bash_completes(&["checklist", "set"], "C0");
    assert!(steps.iter().any(|s| s == "C04"), "{steps:?}");
    assert!(steps.iter().all(|s| s.starts_with("C0")), "{steps:?}");
    let checks = bash_completes(&["check", "accept"], "dc.do");
    assert_eq!(checks, ["dc.dotnet"]);
    let only = bash_completes(&["check", "--only"], "tenant");
    assert_eq!(only, ["tenant.admin"]);
}

#[test]
fn init_creates_an_engagement_and_json_output_is_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("northwind");
    let out = init(&root)
        .args(["--workspace", "northwind", "--cloud", "gcc", "-o", "json"])
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["customer"], "Northwind Test");
    assert_eq!(json["cloud"], "gcc");
    let config = Engagement::open(&root).unwrap().config().unwrap();
    assert_eq!(config.workspace.as_deref(), Some("northwind"));
    for d in ["reports", "history", "evidence"] {
        assert!(root.join(d).is_dir());
    }
}

#[test]
fn init_into_an_existing_engagement_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("eng");
    init(&root).assert().success();
    fs::write(root.join("inventory.yaml"), "schema_version: 1\n").unwrap();
    let before = snapshot(&root);
    init(&root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already an ata2atp engagement"))
        .stderr(predicate::str::contains("nothing was changed"));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn a_password_in_the_proxy_url_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("eng");
    init(&root)
        .args(["--proxy", "http://svc:Secr3t@proxy:8080"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("proxy.url"))
        .stderr(predicate::str::contains("Secr3t").not());
    assert!(!root.exists());
}

/// Makes `dir` unwritable even for root (the test environment runs as root, which ignores
/// permission bits): the immutable attribute for root, mode 0555 otherwise.
struct ReadOnly(PathBuf, bool);

impl ReadOnly {
    fn new(dir: &Path) -> Self {
        let root = is_root();
        if root {
            let ok = StdCommand::new("chattr")
                .arg("+i")
                .arg(dir)
                .status()
                .unwrap()
                .success();
            assert!(
                ok,
                "chattr +i failed: the read-only test needs CAP_LINUX_IMMUTABLE"
            );
        } else {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).unwrap();
        }
        ReadOnly(dir.to_path_buf(), root)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.1 {
            let _ = StdCommand::new("chattr").arg("-i").arg(&self.0).status();
        } else {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
        }
    }
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

#[test]
fn init_into_a_read_only_folder_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ro");
    fs::create_dir(&root).unwrap();
    fs::write(root.join("notes.txt"), "customer notes\n").unwrap();
    let before = snapshot(&root);
    {
        let _guard = ReadOnly::new(&root);
        init(&root)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(root.display().to_string()))
            .stderr(predicate::str::contains("choose a folder you can write to"));
    }
    assert_eq!(snapshot(&root), before);
}

#[test]
fn a_locked_engagement_refuses_a_second_writer_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    ata2atp()
        .args(["demo", root.to_str().unwrap()])
        .assert()
        .success();
    let before = snapshot(&root);
    let engagement = Engagement::open(&root).unwrap();
    let lock = engagement.lock().unwrap();
    let before_locked = snapshot(&root);
    ata2atp()
        .args(["demo", root.to_str().unwrap()])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("in use by another ata2atp"))
        .stderr(predicate::str::contains(format!(
            "pid {}",
            std::process::id()
        )));
    // The refused writer changed nothing, the holder's description in the lock file
    // included.
    assert_eq!(snapshot(&root), before_locked);
    drop(lock);
    assert!(
        !root.join(".ata2atp.lock").exists(),
        "the lock file is gone once its holder is done"
    );
    // Only the lock file's holder description differs from before the lock was taken.
    let mut after = snapshot(&root);
    let mut expected = before;
    after.remove(Path::new(".ata2atp.lock"));
    expected.remove(Path::new(".ata2atp.lock"));
    assert_eq!(after, expected);

    // An empty folder being initialised by someone else is refused too.
    let other = dir.path().join("empty");
    fs::create_dir(&other).unwrap();
    let guard = fs::File::create(other.join(".ata2atp.lock")).unwrap();
    guard.try_lock().unwrap();
    init(&other)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("in use"));
    assert!(!other.join("ata2atp.yaml").exists());
}

#[test]
fn demo_refuses_a_real_engagement() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("real");
    init(&root).assert().success();
    let before = snapshot(&root);
    ata2atp()
        .args(["demo", root.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("real engagement"));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn usage_errors_exit_2_and_say_what_is_wrong() {
    ata2atp()
        .args(["init", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--customer"));
    ata2atp()
        .args(["--color", "sometimes", "demo"])
        .assert()
        .code(2);
}

/// On a terminal, `init` without `--customer` asks for the name (issue 17.8); the answer
/// is what the engagement records. `script` (util-linux) gives the binary a pseudo-terminal
/// and passes the piped name to it as typed.
#[test]
fn init_on_a_terminal_asks_for_the_customer() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("asked");
    let bin = assert_cmd::cargo::cargo_bin("ata2atp");
    let run = format!("'{}' init '{}'", bin.display(), root.display());
    let mut child = std::process::Command::new("script")
        .args(["-qec", &run, "/dev/null"])
        .env_remove("ATA2ATP_CUSTOMER")
        .env_remove("ATA2ATP_ENGAGEMENT")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Contoso Pharma Ltd\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(screen.contains("Customer name"), "no prompt in:\n{screen}");
    let config = fs::read_to_string(root.join("ata2atp.yaml")).unwrap();
    assert!(config.contains("customer: Contoso Pharma Ltd"), "{config}");
}

/// Without a terminal there is no one to ask: the error says the flag to pass.
#[test]
fn init_without_a_terminal_names_the_customer_flag() {
    let dir = tempfile::tempdir().unwrap();
    ata2atp()
        .args(["init", dir.path().join("x").to_str().unwrap()])
        .env_remove("ATA2ATP_CUSTOMER")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--customer \"CUSTOMER NAME\""));
    assert!(!dir.path().join("x").exists());
}
