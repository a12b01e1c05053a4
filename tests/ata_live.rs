//! The live reader against the MongoDB-wire test servers (SecantusDB; see
//! scripts/README.md): the canonical fixture loaded into a fresh database yields the same
//! inventory as every offline reader; only read commands go out, entities come in batched
//! `$in` queries; wrong credentials, TLS without the CA and a missing database each fail
//! with their own message and exit code 3. The tests write the fixture into their own
//! database on the throwaway server; the product never writes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::commands::ata2atp;

use std::path::PathBuf;
use std::time::Duration;

use ata2atp::ata::live::LiveReader;
use ata2atp::ata::mapping::Mapping;
use ata2atp::ata::{AtaSources, MongoSource};
use ata2atp::model::SourceKind;
use mongodb::Client;
use mongodb::bson::{Bson, Document};
use mongodb::options::{AuthMechanism, ClientOptions, Credential, Tls, TlsOptions};
use support::ata::*;

async fn client(uri: &str, ca: Option<PathBuf>, admin: bool) -> Client {
    let m = &support::servers::servers().mongo;
    let mut o = ClientOptions::parse(uri).await.unwrap();
    o.server_selection_timeout = Some(Duration::from_secs(5));
    if let Some(ca) = ca {
        o.tls = Some(Tls::Enabled(TlsOptions::builder().ca_file_path(ca).build()));
    }
    if admin {
        o.credential = Some(
            Credential::builder()
                .username(m.auth_admin_user.clone())
                .password(m.auth_admin_password.clone())
                .source(m.auth_source.clone())
                .mechanism(AuthMechanism::ScramSha256)
                .build(),
        );
    }
    Client::with_options(o).unwrap()
}

/// Loads the canonical fixture into `db`, alerts under their old plural name.
async fn load(client: &Client, db: &str) {
    let db = client.database(db);
    for (name, docs) in canonical() {
        let physical = if name == "SuspiciousActivity" {
            "SuspiciousActivities"
        } else {
            name
        };
        db.collection::<Document>(physical)
            .insert_many(docs)
            .await
            .unwrap();
    }
}

fn source(uri: &str, db: &str) -> MongoSource {
    let mut s = MongoSource::new(uri.to_string());
    s.database = db.to_string();
    s
}

#[tokio::test]
async fn the_live_database_yields_the_reference_inventory_read_only() {
    let m = &support::servers::servers().mongo;
    let db = support::servers::unique_name("ata2atp_live");
    load(&client(&m.plain_uri, None, false).await, &db).await;

    let inv = collect(AtaSources {
        mongo: Some(source(&m.plain_uri, &db)),
        ..AtaSources::default()
    })
    .await
    .unwrap();
    assert_eq!(inv.sources[0].kind, SourceKind::AtaMongo);
    assert!(inv.sources[0].server_version.is_some());
    assert!(inv.ata.center.mongo_version.is_some());
    let alerts = inv
        .ata
        .collections
        .iter()
        .find(|c| c.name == "SuspiciousActivities")
        .unwrap();
    assert_eq!(alerts.count, Some(8));
    let want = reference_inventory().await;
    let got = normalized(inv);
    assert_eq!(
        ata2atp::yaml::to_string(&got, "live").unwrap(),
        ata2atp::yaml::to_string(&want, "ref").unwrap()
    );

    // The commands that went out: reads only, and few of them.
    let mapping = Mapping::builtin().unwrap();
    let mut reader = LiveReader::connect(&source(&m.plain_uri, &db), &mapping)
        .await
        .unwrap();
    let before = reader.round_trips();
    let scan = ata2atp::ata::snapshot::Scan {
        collection: ata2atp::ata::snapshot::Logical::UniqueEntity,
        filter: ata2atp::ata::snapshot::Filter::Or(vec![
            ata2atp::ata::snapshot::Filter::IdIn(
                "_id".into(),
                (0..2500)
                    .map(|i| (format!("id-{i}"), Bson::String(format!("id-{i}"))))
                    .chain([(
                        "aa000001-0000-4000-8000-000000000001".to_string(),
                        Bson::String("aa000001-0000-4000-8000-000000000001".into()),
                    )])
                    .collect(),
            ),
            ata2atp::ata::snapshot::Filter::IsTrue("IsHoneytoken".into()),
        ]),
        projection: Some(vec!["_id".into(), "Name".into()]),
        tally: None,
    };
    let mut seen = Vec::new();
    let mut visit = |d: Document, _: &ata2atp::ata::snapshot::DocOrigin| {
        seen.push(d.get_str("Name").unwrap_or_default().to_string());
        Ok(())
    };
    reader
        .scan(&scan, &ata2atp::progress::Silent, &mut visit)
        .await
        .unwrap();
    // One query for the flags, three $in batches of at most 1,000 ids; each one reply.
    assert_eq!(reader.round_trips() - before, 4, "{:?}", reader.commands());
    assert_eq!(seen.len(), 3, "{seen:?}"); // two flagged honeytokens + one by id, once each
    let allowed = [
        "buildInfo",
        "listCollections",
        "count",
        "find",
        "getMore",
        "aggregate",
        "killCursors",
        "endSessions",
    ];
    for (name, _) in reader.commands() {
        assert!(
            allowed.contains(&name.as_str()),
            "the live reader sent {name}"
        );
    }
    reader.close().await;
}

/// `auth_uri` with a user name in it.
fn with_user(uri: &str, user: &str) -> String {
    let m = &support::servers::servers().mongo;
    let (scheme, rest) = uri.split_once("://").unwrap();
    let mut out = format!("{scheme}://{user}@{rest}");
    for (key, value) in [
        ("authSource", &m.auth_source),
        ("authMechanism", &m.auth_mechanism),
    ] {
        if !out.contains(&format!("{key}=")) {
            out.push_str(if out.contains('?') { "&" } else { "/?" });
            out.push_str(&format!("{key}={value}"));
        }
    }
    out
}

#[test]
fn credentials_are_checked_and_never_printed() {
    let m = &support::servers::servers().mongo;
    let uri = with_user(&m.auth_uri, &m.auth_user);
    let tmp = tempfile::tempdir().unwrap();
    let pw = tmp.path().join("pw");

    // The right password reads the seeded ATA database (one Center profile).
    std::fs::write(&pw, format!("{}\n", m.auth_password)).unwrap();
    let out = ata2atp()
        .args([
            "-o",
            "yaml",
            "inventory",
            "--stdout",
            "--ata-mongo",
            &uri,
            "--ata-mongo-password-file",
        ])
        .arg(&pw)
        .args(["--ata-database", &m.auth_seeded_database])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("kind: ata_mongo") && stdout.contains(&format!("{}@", m.auth_user)),
        "{stdout}"
    );
    assert!(!stdout.contains(&m.auth_password) && !stderr.contains(&m.auth_password));

    // A wrong one: exit 3, named as a credentials problem.
    std::fs::write(&pw, "not-the-password\n").unwrap();
    let out = ata2atp()
        .args([
            "inventory",
            "--stdout",
            "--ata-mongo",
            &uri,
            "--ata-mongo-password-file",
        ])
        .arg(&pw)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("refused the credentials") && !stderr.contains("not-the-password"),
        "{stderr}"
    );

    // No credentials on a server that needs them.
    let out = ata2atp()
        .args(["inventory", "--stdout", "--ata-mongo", &m.auth_uri])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("refused the credentials"), "{stderr}");
}

#[tokio::test]
async fn tls_needs_the_ca_and_then_reads() {
    let m = &support::servers::servers().mongo;
    let db = support::servers::unique_name("ata2atp_tls");
    load(
        &client(&m.tls_uri, Some(m.tls_ca_pem.clone()), false).await,
        &db,
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();

    let out = ata2atp()
        .args([
            "inventory",
            "--stdout",
            "--ata-mongo",
            &m.tls_uri,
            "--ata-database",
            &db,
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("TLS") && stderr.contains("--ata-mongo-ca-file"),
        "{stderr}"
    );

    let inv = collect(AtaSources {
        mongo: Some(MongoSource {
            ca_file: Some(m.tls_ca_pem.clone()),
            ..source(&m.tls_uri, &db)
        }),
        ..AtaSources::default()
    })
    .await
    .unwrap();
    assert_eq!(normalized(inv), reference_inventory().await);
}

#[test]
fn a_database_without_ata_is_named() {
    let m = &support::servers::servers().mongo;
    let tmp = tempfile::tempdir().unwrap();
    let out = ata2atp()
        .args([
            "inventory",
            "--stdout",
            "--ata-mongo",
            &m.plain_uri,
            "--ata-database",
            "ata",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("no SystemProfile collection") && stderr.contains("capitals"),
        "{stderr}"
    );
}
