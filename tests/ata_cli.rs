//! `ata2atp inventory` with ATA sources, through the binary: the bad-input corpus (each
//! case a clear error naming the file and document, exit 2 or 3, and the engagement left
//! byte-identical) and the planted-secret scan over every output.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::commands::{ata2atp, init_engagement};

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use mongodb::bson::{Bson, Document, doc};
use support::ata::*;

fn engagement(root: &Path) -> PathBuf {
    let dir = root.join("engagement");
    init_engagement(&dir, "Northwind Test");
    dir
}

fn bson_file(path: &Path, docs: &[Document]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for d in docs {
        d.to_writer(&mut bytes).unwrap();
    }
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, &bytes).unwrap();
    bytes
}

/// The engagement's files, without the lock file: the engagement layer writes the lock
/// holder's pid into it on every run that takes the lock (bookkeeping, not content).
fn contents(eng: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut s = snapshot(eng);
    s.remove(Path::new(".ata2atp.lock"));
    s
}

/// Runs `inventory` with `args`; checks the exit code, that stderr names every `expect`
/// string, and that the engagement did not change.
fn refused(eng: &Path, args: &[&str], code: i32, expect: &[&str]) -> String {
    let before = contents(eng);
    let out = ata2atp()
        .arg("--engagement")
        .arg(eng)
        .arg("inventory")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "args {args:?}\nstderr: {stderr}"
    );
    for e in expect {
        assert!(stderr.contains(e), "stderr lacks {e:?}:\n{stderr}");
    }
    assert_eq!(
        contents(eng),
        before,
        "the engagement changed after a refused run ({args:?})"
    );
    stderr
}

/// Runs `inventory` with `args` on input that is read only in part: exit 3, the
/// inventory saved with the source marked partial, and every `expect` string in it (the
/// source's error or a `not_found` entry).
fn partial(eng: &Path, args: &[&str], expect: &[&str]) -> String {
    let out = ata2atp()
        .arg("--engagement")
        .arg(eng)
        .arg("inventory")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(3),
        "args {args:?}\nstderr: {stderr}"
    );
    let inv = fs::read_to_string(eng.join("inventory.yaml")).unwrap();
    assert!(
        inv.contains("status: partial"),
        "{args:?}: no partial source:\n{inv}"
    );
    for e in expect {
        assert!(inv.contains(e), "inventory lacks {e:?} ({args:?}):\n{inv}");
    }
    inv
}

fn profiles() -> Vec<Document> {
    canonical()["SystemProfile"].clone()
}

/// A damaged dump costs what it damages: a document that cannot be parsed is skipped and
/// named (file, document, byte), a lost file structure keeps what was read before it; the
/// source is partial and the run exits 3.
#[test]
fn damaged_mongodump_files_are_read_in_part_naming_file_document_and_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let eng = engagement(tmp.path());
    let dump = tmp.path().join("dump");
    let file = dump.join("SystemProfile.bson");
    let arg = dump.to_str().unwrap();

    // Truncated in the middle of the fourth document.
    let bytes = bson_file(&file, &profiles());
    let cut = bytes.len() - 40;
    fs::write(&file, &bytes[..cut]).unwrap();
    let inv = partial(
        &eng,
        &["--ata-dump", arg],
        &[
            "SystemProfile.bson, document 5 (byte ",
            "truncated",
            "the rest of this file is not read",
        ],
    );
    // What came before the cut was read: the Center's settings are there.
    assert!(inv.contains("ata.northwind.test"), "{inv}");

    // A document whose length prefix lies.
    let mut lie = bson_file(&file, &profiles());
    let first = i32::from_le_bytes(lie[0..4].try_into().unwrap()) as usize;
    let second = first;
    lie[second] = lie[second].wrapping_add(9);
    fs::write(&file, &lie).unwrap();
    partial(
        &eng,
        &["--ata-dump", arg],
        &["SystemProfile.bson, document 2 (byte ", "damaged at byte"],
    );

    // Invalid UTF-8 inside a string.
    let mut bad = bson_file(&file, &profiles());
    let at = bad.windows(10).position(|w| w == b"NW-ATAGW01").unwrap();
    bad[at] = 0xFF;
    fs::write(&file, &bad).unwrap();
    let inv = partial(
        &eng,
        &["--ata-dump", arg],
        &[
            "not read: ",
            "SystemProfile.bson, document 3 (byte ",
            "not valid UTF-8",
        ],
    );
    // Only that gateway is missing: the documents after it were read.
    assert!(
        inv.contains("NW-DC02") || inv.contains("NW-ATAGW02") || inv.matches("kind:").count() > 1,
        "{inv}"
    );

    // A length prefix above MongoDB's 16 MiB limit.
    let mut big = profiles();
    big.insert(
        1,
        doc! { "_id": 1, "_t": "Padding", "Blob": "x".repeat(16 * 1024 * 1024 + 10) },
    );
    bson_file(&file, &big);
    partial(
        &eng,
        &["--ata-dump", arg],
        &["SystemProfile.bson, document 2 (byte ", "16 MiB"],
    );

    // A folder with no dump in it, and a file given as the folder.
    fs::remove_file(&file).unwrap();
    refused(&eng, &["--ata-dump", arg], 2, &["no <collection>.bson"]);
    fs::write(&file, b"").unwrap();
    refused(
        &eng,
        &["--ata-dump", file.to_str().unwrap()],
        2,
        &["not a mongodump folder"],
    );
}

/// A dump whose SystemProfile collection is empty is not a Center with nothing set: ATA
/// keeps every setting there. The source says so (partial, exit 3) beside the `not_found`
/// items; a dump with the profiles in it is ok.
#[test]
fn an_empty_systemprofile_collection_makes_the_source_partial() {
    let tmp = tempfile::tempdir().unwrap();
    let eng = engagement(tmp.path());
    let dump = tmp.path().join("dump");
    fs::create_dir_all(&dump).unwrap();
    fs::write(dump.join("SystemProfile.bson"), b"").unwrap();
    let inv = partial(
        &eng,
        &["--ata-dump", dump.to_str().unwrap()],
        &[
            "SystemProfile holds no document",
            "take it again",
            "item: ata.center.console_urls",
        ],
    );
    assert_eq!(inv.matches("status: partial").count(), 1, "{inv}");

    bson_file(&dump.join("SystemProfile.bson"), &profiles());
    ata2atp()
        .arg("--engagement")
        .arg(&eng)
        .args(["inventory", "--ata-dump", dump.to_str().unwrap()])
        .output()
        .unwrap();
    let inv = fs::read_to_string(eng.join("inventory.yaml")).unwrap();
    assert!(!inv.contains("SystemProfile holds no document"), "{inv}");
    assert!(inv.contains("ata.northwind.test"), "{inv}");
}

#[test]
fn a_document_just_under_16_mib_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dump = tmp.path().join("dump");
    let mut docs = profiles();
    docs.push(doc! { "_id": 99, "_t": "Padding", "Blob": "x".repeat(16 * 1024 * 1024 - 100) });
    bson_file(&dump.join("SystemProfile.bson"), &docs);
    ata2atp()
        .args([
            "inventory",
            "--stdout",
            "-o",
            "json",
            "-q",
            "--ata-dump",
            dump.to_str().unwrap(),
        ])
        .current_dir(tmp.path())
        .assert()
        .code(0);
}

/// A value of an unexpected type costs only its item: it goes to not_found with the path,
/// what was expected and what was found; the source is partial (exit 3); the rest is read.
#[test]
fn wrong_types_cost_only_their_item_naming_document_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let eng = engagement(tmp.path());
    let dump = tmp.path().join("dump");
    let file = dump.join("SystemProfile.bson");
    let arg = dump.to_str().unwrap();

    let mut docs = profiles();
    docs[2].insert("NetbiosName", 42);
    bson_file(&file, &docs);
    partial(
        &eng,
        &["--ata-dump", arg],
        &[
            "SystemProfile.bson, document 3 (byte ",
            "ATA field NetbiosName",
            "expected a string, found Int32 42",
        ],
    );

    let mut docs = profiles();
    docs[1].insert("_t", Bson::Int32(5));
    bson_file(&file, &docs);
    partial(
        &eng,
        &["--ata-dump", arg],
        &[
            "SystemProfile.bson, document 2 (byte ",
            "ATA field _t",
            "array of strings",
        ],
    );

    let mut docs = profiles();
    let conf = docs[0].get_document_mut("Configuration").unwrap();
    conf.get_document_mut("SyslogClientConfiguration")
        .unwrap()
        .insert("IsEnabled", "yes");
    bson_file(&file, &docs);
    let inv = partial(
        &eng,
        &["--ata-dump", arg],
        &[
            "document 1 (byte 0)",
            "ATA field Configuration.SyslogClientConfiguration.IsEnabled",
            "expected true or false, found the string \"yes\"",
        ],
    );
    // The rest of the same section is still read.
    assert!(inv.contains("2001:db8::5"), "{inv}");

    // The case: MailClientConfiguration stored as a string costs the e-mail
    // settings only; syslog, exclusions and honeytokens are still read.
    let mut docs = profiles();
    docs[0]
        .get_document_mut("Configuration")
        .unwrap()
        .insert("MailClientConfiguration", "smtp.northwind.test");
    bson_file(&file, &docs);
    let inv = partial(
        &eng,
        &["--ata-dump", arg],
        &[
            "ATA field Configuration.MailClientConfiguration",
            "expected a document, found the string",
        ],
    );
    for still in ["2001:db8::5", "honeytokens:", "exclusions:"] {
        assert!(inv.contains(still), "{still} is lost:\n{inv}");
    }
}

#[test]
fn bad_json_files_are_refused_with_file_and_document() {
    let tmp = tempfile::tempdir().unwrap();
    let eng = engagement(tmp.path());
    let f = tmp.path().join("SystemProfile_20261115040000.json");
    let arg = f.to_str().unwrap();
    let lines: Vec<String> = fs::read_to_string(fixture_dir().join("SystemProfile.json"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();

    fs::write(&f, "").unwrap();
    refused(
        &eng,
        &["--ata-json", arg],
        2,
        &["SystemProfile_20261115040000.json", "empty"],
    );

    fs::write(&f, "{\"name\": \"my-app\", \"version\": \"1.0.0\"}\n").unwrap();
    refused(
        &eng,
        &["--ata-json", arg],
        2,
        &["document 1", "no _id", "not a MongoDB export"],
    );

    fs::write(&f, "[1, 2, 3]").unwrap();
    refused(
        &eng,
        &["--ata-json", arg],
        2,
        &["SystemProfile_20261115040000.json", "not a MongoDB export"],
    );

    fs::write(&f, "sources:\n  - a\n").unwrap();
    refused(&eng, &["--ata-json", arg], 2, &["not a MongoDB export"]);

    // Truncated: the third document cut in half.
    let text = format!(
        "{}\n{}\n{}",
        lines[0],
        lines[1],
        &lines[2][..lines[2].len() / 2]
    );
    fs::write(&f, text).unwrap();
    partial(
        &eng,
        &["--ata-json", arg],
        &[
            "document 3 (line 3, byte ",
            "cut off",
            "the rest of this file is not read",
        ],
    );

    // Invalid UTF-8 in the second document.
    let mut bytes = format!("{}\n{}\n", lines[0], lines[1]).into_bytes();
    let at = bytes
        .windows(22)
        .position(|w| w == b"\"ServiceSystemProfile\"")
        .unwrap();
    bytes[at + 1] = 0xC0;
    fs::write(&f, bytes).unwrap();
    partial(
        &eng,
        &["--ata-json", arg],
        &["document 2 (line 2, byte ", "UTF-8"],
    );

    // Broken shell notation.
    fs::write(
        &f,
        "{ \"_id\" : ObjectId(\"64b0\"), \"_t\" : \"CenterSystemProfile\" }\n",
    )
    .unwrap();
    partial(
        &eng,
        &["--ata-json", arg],
        &["document 1 (line 1, byte 0)", "$oid is malformed"],
    );

    // Wrong type in a UniqueEntity export: a name that is a number.
    let ue = tmp.path().join("UniqueEntity.json");
    fs::write(&f, lines.join("\n")).unwrap();
    fs::write(
        &ue,
        "{\"_id\":\"aa000001-0000-4000-8000-000000000001\",\"_t\":\"User\",\"Name\":7}\n",
    )
    .unwrap();
    partial(
        &eng,
        &["--ata-json", arg, "--ata-json", ue.to_str().unwrap()],
        &[
            "UniqueEntity.json, document 1 (line 1, byte 0)",
            "ATA field Name",
        ],
    );

    // A file named after no collection ATA reads, whose documents do not say either.
    let other = tmp.path().join("export.json");
    fs::write(&other, "{\"_id\": 1, \"Name\": \"x\"}\n").unwrap();
    refused(
        &eng,
        &["--ata-json", other.to_str().unwrap()],
        3,
        &[
            "export.json",
            "not an ATA database",
            "cannot tell which collection",
        ],
    );

    // A missing file.
    refused(
        &eng,
        &["--ata-json", "/nonexistent/SystemProfile.json"],
        2,
        &["/nonexistent/SystemProfile.json"],
    );
}

#[test]
fn a_broken_mapping_is_refused_with_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let eng = engagement(tmp.path());
    let mapping = tmp.path().join("mapping.yaml");
    fs::write(
        &mapping,
        "version: 1\nsyslog:\n  section: [A]\n  enabeld: [B]\n",
    )
    .unwrap();
    let sp = fixture_dir().join("SystemProfile.json");
    refused(
        &eng,
        &[
            "--ata-json",
            sp.to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
        ],
        2,
        &["mapping.yaml:4:", "enabeld"],
    );
}

#[test]
fn unreachable_servers_exit_3_with_their_own_message() {
    let tmp = tempfile::tempdir().unwrap();
    let eng = engagement(tmp.path());
    // Refused: a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let uri =
        format!("mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=2000");
    refused(
        &eng,
        &["--ata-mongo", &uri],
        3,
        &[
            &format!("no MongoDB answered at 127.0.0.1:{port} (Connection refused"),
            "is the Center's MongoDB reachable from here?",
        ],
    );

    // Timeout: a listener that accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let keep = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().take(8) {
            held.push(s);
        }
    });
    let uri = format!(
        "mongodb://127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=1500&connectTimeoutMS=1000"
    );
    refused(
        &eng,
        &["--ata-mongo", &uri],
        3,
        &["no MongoDB answered", "within"],
    );
    drop(keep);

    // A malformed URI is a usage error.
    refused(&eng, &["--ata-mongo", "mongo://nope"], 2, &["--ata-mongo"]);
}

fn assert_no_secret(label: &str, text: &str) {
    for s in planted_forms() {
        assert!(
            !text.contains(&s),
            "{label} contains the planted secret {s:?}"
        );
    }
}

#[test]
fn planted_secrets_never_reach_any_output() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = canonical();
    let dump = write_dump(&tmp.path().join("dump"), &docs);
    let mut runs: Vec<Vec<String>> = vec![vec!["--ata-dump".into(), dump.display().to_string()]];
    for dialect in DIALECTS {
        let files = write_json(&tmp.path().join(format!("{dialect:?}")), &docs, dialect);
        runs.push(
            files
                .iter()
                .flat_map(|f| ["--ata-json".to_string(), f.display().to_string()])
                .collect(),
        );
    }
    if let Some(out) = run_collector_with_node(
        &ata2atp::ata::collector_script(),
        &fixture_dir(),
        tmp.path(),
    ) {
        let export = tmp.path().join("ata-export.json");
        fs::write(&export, out).unwrap();
        runs.push(vec!["--ata-json".into(), export.display().to_string()]);
    }
    let eng = engagement(tmp.path());
    for args in &runs {
        for output in ["yaml", "json", "text"] {
            let out = ata2atp()
                .arg("--engagement")
                .arg(&eng)
                .args(["-o", output, "inventory"])
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_no_secret(
                &format!("stdout of {args:?}"),
                &String::from_utf8_lossy(&out.stdout),
            );
            assert_no_secret(
                &format!("stderr of {args:?}"),
                &String::from_utf8_lossy(&out.stderr),
            );
            let out = ata2atp()
                .args(["-o", output, "inventory", "--stdout"])
                .args(args)
                .current_dir(tmp.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_no_secret(
                &format!("--stdout of {args:?}"),
                &String::from_utf8_lossy(&out.stdout),
            );
        }
    }
    for (path, bytes) in snapshot(&eng) {
        assert_no_secret(
            &format!("engagement file {}", path.display()),
            &String::from_utf8_lossy(&bytes),
        );
    }
    // The inventory was written and says a secret is stored.
    let inv = fs::read_to_string(eng.join("inventory.yaml")).unwrap();
    assert!(inv.contains("secret_present: true"), "{inv}");
    assert!(eng.join("history").read_dir().unwrap().count() >= 1);
}

#[test]
fn the_collector_command_prints_the_script() {
    let out = ata2atp().args(["collector", "ata-mongo"]).output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("READ-ONLY")
            && s.contains("tojsononeline")
            && s.contains("ata2atp_collector_end")
    );
}
