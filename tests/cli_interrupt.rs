//! Ctrl-C through the binary: SIGINT at random points of a long inventory (a large
//! mongodump and a large LDIF export) ends every run with exit code 130 within a second,
//! and the engagement is left exactly as it was (the previous inventory intact, no
//! temporary file, nothing new in history/). Through the library: every reader stops at
//! its next checkpoint once the run's token is cancelled, and says "interrupted".

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ata2atp::cli::exit;
use mongodb::bson::{Bson, oid::ObjectId};
use support::ata::{canonical, snapshot, write_dump};

use support::commands::ata2atp_std as bin;

/// The canonical fixture with its alerts copied `copies` times (fresh ids): a dump large
/// enough that reading it takes seconds.
fn large_dump(dir: &Path, copies: usize) -> PathBuf {
    let mut docs = canonical();
    let alerts = docs.get_mut("SuspiciousActivity").unwrap();
    let template = alerts.clone();
    for i in 0..copies {
        let mut d = template[i % template.len()].clone();
        d.insert("_id", Bson::ObjectId(ObjectId::new()));
        alerts.push(d);
    }
    write_dump(&dir.join("dump"), &docs)
}

/// An LDIF export of one domain with `users` user accounts.
fn large_ldif(path: &Path, users: usize) {
    let mut text = String::from(
        "version: 1\n\ndn: DC=interrupt,DC=test\nobjectClass: top\nobjectClass: domain\n\
         objectClass: domainDNS\nname: interrupt\n\n",
    );
    for i in 0..users {
        let _ = write!(
            text,
            "dn: CN=user{i},CN=Users,DC=interrupt,DC=test\nobjectClass: top\n\
             objectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n\
             cn: user{i}\nsAMAccountName: user{i}\nuserPrincipalName: user{i}@interrupt.test\n\
             description: a synthetic account for the interrupt test\n\n"
        );
    }
    fs::write(path, text).unwrap();
}

/// The engagement's files except the lock file (checked on its own).
fn contents(eng: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut s = snapshot(eng);
    s.remove(Path::new(".ata2atp.lock"));
    s
}

fn inventory(eng: &Path, dump: &Path, ldif: &Path) -> Child {
    bin()
        .arg("--engagement")
        .arg(eng)
        .args(["--quiet", "inventory", "--ata-dump"])
        .arg(dump)
        .arg("--ldif")
        .arg(ldif)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// A small deterministic generator: the same points on every run of the test.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A pre-cancelled run: each reader stops at its first checkpoint with exit code 130,
/// whatever the source.
#[tokio::test]
async fn every_reader_stops_at_its_checkpoint_once_cancelled() {
    use ata2atp::ata::AtaSources;
    use ata2atp::directory::DirectorySources;
    use ata2atp::progress::Stoppable;
    let dir = tempfile::tempdir().unwrap();
    let dump = large_dump(dir.path(), 20_000);
    let json = support::ata::write_json(
        &dir.path().join("json"),
        &{
            let mut docs = canonical();
            let alerts = docs.get_mut("SuspiciousActivity").unwrap();
            let one = alerts[0].clone();
            alerts.extend((0..20_000).map(|_| {
                let mut d = one.clone();
                d.insert("_id", Bson::ObjectId(ObjectId::new()));
                d
            }));
            docs
        },
        support::ata::Dialect::Relaxed,
    );
    let ldif = dir.path().join("x.ldif");
    large_ldif(&ldif, 20_000);

    let stopped = || {
        let token = tokio_util::sync::CancellationToken::new();
        token.cancel();
        Stoppable(token)
    };
    let mut inv = ata2atp::model::Inventory::new(chrono::Utc::now());
    let mut errors: Vec<(&str, ata2atp::Error, Duration)> = Vec::new();
    for (what, sources) in [
        (
            "dump",
            AtaSources {
                dump: Some(dump),
                ..Default::default()
            },
        ),
        (
            "json",
            AtaSources {
                json,
                ..Default::default()
            },
        ),
    ] {
        let started = Instant::now();
        let err = ata2atp::ata::collect_into(&sources, &mut inv, &stopped())
            .await
            .expect_err(what);
        errors.push((what, err.into(), started.elapsed()));
    }
    let started = Instant::now();
    let sources = DirectorySources {
        ldif: vec![ldif],
        ..Default::default()
    };
    let err = ata2atp::directory::collect_into(&sources, &mut inv, &stopped())
        .await
        .expect_err("ldif");
    errors.push(("ldif", err.into(), started.elapsed()));
    for (what, err, took) in errors {
        assert_eq!(exit::for_kind(err.kind()), 130, "{what}: {err}");
        // From the reader's own loop.
        assert!(
            matches!(
                err,
                ata2atp::Error::Ata(ata2atp::ata::Error::Interrupted(_))
                    | ata2atp::Error::Directory(ata2atp::directory::Error::Interrupted(_))
            ),
            "{what}: {err:?}"
        );
        assert!(err.to_string().contains("interrupted"), "{what}: {err}");
        assert!(
            took < Duration::from_secs(2),
            "{what}: stopped after {took:?}"
        );
    }
}

/// A check run cancelled part way returns early, and the command line saves nothing.
#[tokio::test]
async fn a_cancelled_check_run_stops_between_jobs() {
    use ata2atp::checks::engine::{RunOptions, run};
    let token = tokio_util::sync::CancellationToken::new();
    token.cancel();
    let inv = ata2atp::model::Inventory::new(chrono::Utc::now());
    let all = run(
        std::sync::Arc::new(inv.clone()),
        RunOptions::new(chrono::Utc::now(), Default::default()),
        &ata2atp::progress::Silent,
    )
    .await;
    let stopped = run(
        std::sync::Arc::new(inv),
        RunOptions::new(chrono::Utc::now(), Default::default()),
        &ata2atp::progress::Stoppable(token),
    )
    .await;
    assert!(
        stopped.len() < all.len(),
        "{} of {} results",
        stopped.len(),
        all.len()
    );
}

#[cfg(unix)]
#[test]
fn sigint_at_random_points_of_a_long_inventory_exits_130_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let eng = dir.path().join("engagement");
    let status = bin()
        .args(["init"])
        .arg(&eng)
        .args(["--customer", "Interrupt Test", "--consultant", "Jo"])
        .status()
        .unwrap();
    assert!(status.success());
    let dump = large_dump(dir.path(), 150_000);
    let ldif = dir.path().join("interrupt.ldif");
    large_ldif(&ldif, 60_000);

    // One complete run: the previous inventory the interrupted ones must leave intact,
    // and how long a run takes.
    let started = Instant::now();
    let mut first = inventory(&eng, &dump, &ldif);
    let done = wait_with_timeout(&mut first, Duration::from_secs(300)).expect("finishes");
    let full = started.elapsed();
    assert!(done.success(), "the complete run failed: {done:?}");
    assert!(
        !eng.join(".ata2atp.lock").exists(),
        "a clean exit removes the lock file"
    );
    let mut before = contents(&eng);
    assert!(before.contains_key(Path::new("inventory.yaml")));

    let mut rng = Lcg(0x5eed);
    let mut slowest = Duration::ZERO;
    for run in 0..20 {
        // Anywhere from the start (reading the dump) to well into the LDIF.
        let at = full.mul_f64(0.02 + 0.8 * rng.next());
        let mut child = inventory(&eng, &dump, &ldif);
        std::thread::sleep(at);
        let sent = Instant::now();
        let kill = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = wait_with_timeout(&mut child, Duration::from_secs(5));
        let took = sent.elapsed();
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut stderr);
        }
        let Some(status) = status else {
            let _ = child.kill();
            panic!("run {run}: still running 5 s after SIGINT at {at:?}");
        };
        // The run can end sooner than the first one did (the machine is shared): a run
        // that had finished when the signal came exits 0 with its inventory saved whole.
        if status.code() == Some(0) {
            let now = contents(&eng);
            assert!(
                now != before && now.contains_key(Path::new("inventory.yaml")),
                "run {run}: exit 0 after SIGINT at {at:?} without a new inventory"
            );
            before = now;
            continue;
        }
        assert_eq!(
            status.code(),
            Some(130),
            "run {run}: SIGINT at {at:?} of {full:?}: {status:?}\n{stderr}"
        );
        assert!(
            took < Duration::from_secs(1),
            "run {run}: exit {took:?} after SIGINT"
        );
        assert!(stderr.contains("interrupted"), "run {run}: {stderr}");
        assert_eq!(
            stderr.matches("interrupted").count(),
            1,
            "said once: {stderr}"
        );
        // A run can end sooner than the first one did (the machine is shared): a SIGINT
        // that lands after it saved must say the files are kept, and they must be whole.
        let now = contents(&eng);
        if now != before {
            assert!(
                stderr.contains("after this run had saved its files"),
                "run {run}: SIGINT at {at:?} changed the engagement and did not say so: {stderr}"
            );
            assert!(now.contains_key(Path::new("inventory.yaml")));
            before = now;
        }
        assert!(
            !eng.join(".ata2atp.lock").exists(),
            "run {run}: the lock file was left behind"
        );
        eprintln!("run {run}: SIGINT at {at:?}, exit after {took:?}");
        slowest = slowest.max(took);
    }
    eprintln!("complete run {full:?}; slowest exit after SIGINT {slowest:?}");
}
