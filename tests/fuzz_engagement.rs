//! Fuzzing the engagement's YAML files (`ata2atp.yaml`, `signoff.yaml`, `checks.yaml`,
//! `checklist.yaml`, `inventory.yaml`) with proptest, through the functions every command
//! reads them with. Inputs: arbitrary bytes, and the demo's own files mutated (bytes
//! flipped, lines cut, duplicated or swapped, keys and control characters and nesting
//! inserted). Properties: reading never panics and answers within the file's own
//! error type; an error names the file; a file that is read is written back by the tool
//! and reads back equal (nothing in it is dropped).
//!
//! Cases per property: `ATA2ATP_FUZZ_CASES` (default 1,000, about 5 s in a debug build);
//! e.g. `ATA2ATP_FUZZ_CASES=20000 cargo test --release --test fuzz_engagement`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ata2atp::cli::exit;
use ata2atp::engagement::{
    CHECKLIST_FILE, CHECKS_FILE, CONFIG_FILE, Engagement, EngagementError, INVENTORY_FILE,
    read_yaml_file,
};
use ata2atp::report::signoff::{SIGNOFF_FILE, SignOff};
use proptest::prelude::*;

mod support;

const FILES: [&str; 5] = [
    CONFIG_FILE,
    SIGNOFF_FILE,
    CHECKS_FILE,
    CHECKLIST_FILE,
    INVENTORY_FILE,
];

/// The demo engagement's files, made once: the seeds of the mutations.
fn seeds() -> &'static [(String, Vec<u8>)] {
    static SEEDS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("demo");
        let out = support::commands::ata2atp_std()
            .arg("demo")
            .arg(&root)
            .output()
            .unwrap();
        assert!(out.status.success());
        std::fs::write(
            root.join(SIGNOFF_FILE),
            "approver:\n  name: Dana Approver\n  role: CISO\n  organisation: Fabrikam\nconsultant:\n  name: Jo\nnotes:\n- signed on paper\n",
        )
        .unwrap();
        FILES
            .iter()
            .map(|f| (f.to_string(), std::fs::read(root.join(f)).unwrap()))
            .collect()
    })
}

/// One change to a file's bytes.
#[derive(Debug, Clone)]
enum Edit {
    Flip { at: usize, byte: u8 },
    CutLine { line: usize },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
    Insert { at: usize, text: String },
    Truncate { at: usize },
}

fn insertion() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("unknown_key: 1\n".to_string()),
        Just("  extra: [a, b]\n".to_string()),
        Just("\x1b[31m\x07".to_string()),
        Just("\u{0}".to_string()),
        Just(": : :".to_string()),
        Just("&a [*a, *a]\n".to_string()),
        Just("!!binary aGVsbG8=\n".to_string()),
        Just("status: done\n".to_string()),
        Just("schema_version: 99\n".to_string()),
        Just("schema_version: -1\n".to_string()),
        Just("at: 2026-13-45T99:99:99Z\n".to_string()),
        Just("\t".to_string()),
        Just("'\n".to_string()),
        Just("\"\\u".to_string()),
        Just("[".repeat(5000)),
        Just("{a: ".repeat(3000)),
        (0..200usize).prop_map(|n| format!("{}k:\n", " ".repeat(n))),
        "\\PC{0,40}",
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    prop_oneof![
        (at, any::<u8>()).prop_map(|(at, byte)| Edit::Flip { at, byte }),
        at.prop_map(|line| Edit::CutLine { line }),
        at.prop_map(|line| Edit::DuplicateLine { line }),
        (at, at).prop_map(|(a, b)| Edit::SwapLines { a, b }),
        (at, insertion()).prop_map(|(at, text)| Edit::Insert { at, text }),
        at.prop_map(|at| Edit::Truncate { at }),
    ]
}

fn apply(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for e in edits {
        let lines =
            |b: &[u8]| -> Vec<Vec<u8>> { b.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect() };
        match e {
            Edit::Flip { at, byte } if !out.is_empty() => {
                let i = at % out.len();
                out[i] = *byte;
            }
            Edit::CutLine { line } => {
                let mut l = lines(&out);
                if !l.is_empty() {
                    let i = line % l.len();
                    l.remove(i);
                }
                out = l.join(&b'\n');
            }
            Edit::DuplicateLine { line } => {
                let mut l = lines(&out);
                if !l.is_empty() {
                    let i = line % l.len();
                    l.insert(i, l[i].clone());
                }
                out = l.join(&b'\n');
            }
            Edit::SwapLines { a, b } => {
                let mut l = lines(&out);
                if !l.is_empty() {
                    let n = l.len();
                    l.swap(a % n, b % n);
                }
                out = l.join(&b'\n');
            }
            Edit::Insert { at, text } => {
                let i = at % (out.len() + 1);
                out.splice(i..i, text.bytes());
            }
            Edit::Truncate { at } => {
                let i = at % (out.len() + 1);
                out.truncate(i);
            }
            _ => {}
        }
    }
    out
}

/// Reads `file` of the engagement at `root` as the commands do; on success writes it
/// back as the tool would and reads it again: it must be the same.
fn read_and_round_trip(root: &Path, file: &str) -> Result<(), EngagementError> {
    let eng = Engagement::open(root)?;
    let path = root.join(file);
    macro_rules! round_trip {
        ($value:expr, $read:expr) => {{
            let value = $value;
            let text = ata2atp::yaml::to_string(&value, file).map_err(EngagementError::Parse)?;
            std::fs::write(&path, text).unwrap();
            let again = $read;
            assert_eq!(
                again, value,
                "{file}: what was read is not what was written back"
            );
        }};
    }
    match file {
        CONFIG_FILE => round_trip!(eng.config()?, eng.config().unwrap()),
        SIGNOFF_FILE => {
            if let Some(v) = read_yaml_file::<SignOff>(&path)? {
                round_trip!(v, read_yaml_file::<SignOff>(&path).unwrap().unwrap());
            }
        }
        CHECKS_FILE => {
            if let Some(v) = eng.checks()? {
                round_trip!(v, eng.checks().unwrap().unwrap());
            }
        }
        CHECKLIST_FILE => {
            if let Some(v) = eng.checklist()? {
                round_trip!(v, eng.checklist().unwrap().unwrap());
            }
        }
        _ => {
            if let Some(v) = eng.inventory()? {
                round_trip!(v, eng.inventory().unwrap().unwrap());
            }
        }
    }
    Ok(())
}

/// A scratch engagement with the demo's files and `file` replaced by `bytes`.
fn engagement_with(file: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("e");
    std::fs::create_dir(&root).unwrap();
    for (name, seed) in seeds() {
        std::fs::write(root.join(name), seed).unwrap();
    }
    std::fs::write(root.join(file), bytes).unwrap();
    (dir, root)
}

fn check_one(file: &str, bytes: &[u8]) {
    let (_dir, root) = engagement_with(file, bytes);
    match read_and_round_trip(&root, file) {
        Ok(()) => {}
        Err(EngagementError::NotAnEngagement { .. }) if file == CONFIG_FILE => {}
        Err(e) => {
            let shown = e.to_string();
            assert!(
                shown.contains(file),
                "{file}: the error does not name it: {shown}"
            );
            assert_eq!(exit::for_kind(e.kind()), 2, "{file}: {shown}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: support::fuzz::cases(1000), ..ProptestConfig::default() })]

    #[test]
    fn mutated_engagement_files_never_crash_and_round_trip(
        which in 0usize..FILES.len(),
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let (file, seed) = &seeds()[which];
        check_one(file, &apply(seed, &edits));
    }

    #[test]
    fn arbitrary_bytes_never_crash(
        which in 0usize..FILES.len(),
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        check_one(FILES[which], &bytes);
    }
}

/// The seeds themselves read and round-trip (the properties start from valid files).
#[test]
fn the_demo_files_read_and_round_trip() {
    for (file, seed) in seeds() {
        let (_dir, root) = engagement_with(file, seed);
        read_and_round_trip(&root, file).unwrap();
    }
}
