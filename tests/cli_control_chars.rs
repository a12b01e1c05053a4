//! Control characters from data never reach the terminal raw. ESC, BEL, CSI and OSC
//! sequences planted in names (the directory services account, a domain controller,
//! gateways, exclusions, a source's file name, a checklist note, the customer) and in
//! input files that errors quote (LDIF, `reg query`, mongo shell notation, an engagement
//! YAML file) are shown escaped (`\x1b[7m`) by `inventory`, `check`, `checklist
//! list/next/show`, `diff` and the errors on stderr, with colour on and off; the only
//! escape sequences written are the tool's own colours.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::commands::ata2atp;

use std::fs;
use std::path::{Path, PathBuf};

/// A reverse-video CSI, then an OSC that would retitle the window, ended by BEL.
const EVIL: &str = "\x1b[7m\x1b]0;owned\x07";
/// How it is shown.
const SHOWN: &str = "\\x1b[7m\\x1b]0;owned\\x07";
/// The colour codes the tool itself writes (see `ata2atp::terminal`).
const OWN_SGR: [&str; 8] = [
    "\x1b[1m",
    "\x1b[32m",
    "\x1b[33m",
    "\x1b[1;31m",
    "\x1b[2m",
    "\x1b[35m",
    "\x1b[36m",
    "\x1b[0m",
];

/// What a run printed, stdout then stderr.
fn run(eng: &Path, color: &str, args: &[&str]) -> String {
    let out = ata2atp()
        .arg("--engagement")
        .arg(eng)
        .args(["--color", color])
        .args(args)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

/// No BEL, no C1 control, and no ESC except the tool's own colours (none when off).
fn assert_terminal_safe(text: &str, color: bool, what: &str) {
    let mut rest = text;
    while let Some(i) = rest.find('\x1b') {
        let at = &rest[i..];
        let own = OWN_SGR.iter().find(|s| at.starts_with(**s));
        assert!(
            color && own.is_some(),
            "{what}: a raw ESC reached the terminal: {:?}",
            &at[..at.len().min(20)]
        );
        rest = &at[own.unwrap().len()..];
    }
    for c in text.chars() {
        let raw = (c.is_control() && !matches!(c, '\n' | '\t' | '\x1b'))
            || ('\u{80}'..='\u{9f}').contains(&c);
        assert!(!raw, "{what}: raw {c:?} reached the terminal");
    }
}

fn both_colours(eng: &Path, args: &[&str], expect: &[&str]) {
    for color in ["never", "always"] {
        let text = run(eng, color, args);
        let what = format!("{args:?} --color {color}");
        assert_terminal_safe(&text, color == "always", &what);
        for tag in expect {
            // Markdown output escapes the brackets too: the ESC's escape is what counts.
            assert!(
                text.contains(&format!("{tag}{SHOWN}")) || text.contains(&format!("{tag}\\x1b")),
                "{what}: {tag} not shown escaped in:\n{text}"
            );
        }
    }
}

/// The demo's sample files with `name` followed by the planted sequence wherever it
/// stands (JSON files with JSON escapes, the LDIF raw: RFC 2849 allows both bytes).
fn poison_samples(eng: &Path, name: &str) {
    let json_evil = EVIL.replace('\x1b', "\\u001b").replace('\x07', "\\u0007");
    for file in [
        "samples/ata/SystemProfile_20261115040000.json",
        "samples/directory/fabrikam.ldif",
    ] {
        let path = eng.join(file);
        let text = fs::read_to_string(&path).unwrap();
        let planted = if file.ends_with(".json") {
            json_evil.as_str()
        } else {
            EVIL
        };
        let text = text.replace(name, &format!("{name}{planted}"));
        fs::write(&path, text).unwrap();
    }
}

/// True when some string in `value` is exactly `s`.
fn holds(value: &serde_json::Value, s: &str) -> bool {
    match value {
        serde_json::Value::String(v) => v == s,
        serde_json::Value::Array(a) => a.iter().any(|v| holds(v, s)),
        serde_json::Value::Object(o) => o.values().any(|v| holds(v, s)),
        _ => false,
    }
}

fn demo(dir: &Path) -> PathBuf {
    let eng = dir.join("eng");
    ata2atp().arg("demo").arg(&eng).assert().success();
    eng
}

#[test]
fn names_with_control_characters_are_shown_escaped_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let eng = demo(dir.path());
    // The directory services account and a domain controller, in ATA and the directory.
    poison_samples(&eng, "svc-ata");
    poison_samples(&eng, "FAB-DC02");
    // A source whose file name holds the sequence.
    let ldif = eng.join(format!("samples/directory/fab{EVIL}.ldif"));
    fs::copy(eng.join("samples/directory/fabrikam.ldif"), &ldif).unwrap();

    both_colours(
        &eng,
        &["inventory", "--ldif", ldif.to_str().unwrap()],
        &["svc-ata", "fab"],
    );
    // The log lines (-v) name the files read.
    both_colours(
        &eng,
        &["-v", "inventory", "--ldif", ldif.to_str().unwrap()],
        &["fab"],
    );
    both_colours(&eng, &["check", "--no-network"], &["FAB-DC02"]);
    let note = format!("note{EVIL}");
    let out = ata2atp()
        .arg("--engagement")
        .arg(&eng)
        .args(["checklist", "set", "R02", "--by", "Jo", "--note", &note])
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    assert_terminal_safe(
        &String::from_utf8_lossy(&out.stdout),
        false,
        "checklist set",
    );
    both_colours(&eng, &["checklist", "show", "R02"], &["note"]);
    both_colours(&eng, &["checklist", "show", "P01"], &["svc-ata"]);
    both_colours(&eng, &["checklist", "next"], &["note"]);
    both_colours(&eng, &["checklist", "list"], &[]);
    // The demo's inventory against the last one read from the planted samples.
    let mut history: Vec<PathBuf> = fs::read_dir(eng.join("history"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("inventory-"))
        .collect();
    history.sort();
    let (old, new) = (
        history[0].to_str().unwrap(),
        history[history.len() - 1].to_str().unwrap(),
    );
    both_colours(&eng, &["diff", old, new], &["svc-ata"]);
    both_colours(&eng, &["diff", old, new, "--format", "md"], &["svc-ata"]);
    // Machine output stays exact data, and is terminal-safe too.
    for format in ["json", "yaml"] {
        let out = ata2atp()
            .arg("--engagement")
            .arg(&eng)
            .args(["-o", format, "checklist", "show", "R02"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_terminal_safe(&text, false, format);
        let value: serde_json::Value = if format == "json" {
            serde_json::from_str(&text).unwrap()
        } else {
            ata2atp::yaml::from_str(&text, "stdout").unwrap()
        };
        assert!(
            holds(&value, &note),
            "{format}: the note is not the same data: {text}"
        );
    }
}

#[test]
fn errors_quoting_hostile_input_files_show_it_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let eng = demo(dir.path());
    let ldif = dir.path().join("bad.ldif");
    fs::write(
        &ldif,
        format!("dn: CN=x,DC=y\nobjectClass: user\nline{EVIL} without a colon\n"),
    )
    .unwrap();
    both_colours(
        &eng,
        &["inventory", "--ldif", ldif.to_str().unwrap()],
        &["line"],
    );
    let reg = dir.path().join("FAB-DC01.txt");
    fs::write(
        &reg,
        format!(
            "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\n    \
             Release    REG_DWORD    0x{EVIL}\n"
        ),
    )
    .unwrap();
    both_colours(
        &eng,
        &["inventory", "--reg-query", reg.to_str().unwrap()],
        &["0x"],
    );
    let shell = dir.path().join("SystemProfile.json");
    fs::write(
        &shell,
        format!("{{ \"_id\" : ObjectId(\"id{EVIL}\"), \"x\": 1 }}\n"),
    )
    .unwrap();
    both_colours(
        &eng,
        &["inventory", "--ata-json", shell.to_str().unwrap()],
        &["id"],
    );
    // An engagement file a person edited, quoted by the YAML error.
    fs::write(
        eng.join("checklist.yaml"),
        format!(
            "schema_version: 1\nguide: azure-atp-2019\nsteps: {{}}\nkey{}: 1\n",
            "\x1b"
        ),
    )
    .unwrap();
    for color in ["never", "always"] {
        let text = run(&eng, color, &["checklist", "list"]);
        assert_terminal_safe(&text, color == "always", "checklist.yaml error");
        assert!(text.contains("\\x1b") || text.contains("\\u{1b}"), "{text}");
    }
}
