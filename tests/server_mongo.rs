//! The MongoDB driver the product uses (`mongodb` 3.0.1) against the real MongoDB-wire
//! servers of the test environment (SecantusDB; see scripts/README.md).
//! Every test works in its own database, so they run in parallel.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::time::Duration;

use futures::TryStreamExt;
use mongodb::Client;
use mongodb::bson::{Document, doc};
use mongodb::error::ErrorKind;
use mongodb::options::{AuthMechanism, ClientOptions, Credential, Tls, TlsOptions};

/// Fail fast when a server is unreachable or refuses us (the default is 30 s).
const SELECT: Duration = Duration::from_secs(5);

async fn options(uri: &str) -> ClientOptions {
    let mut o = ClientOptions::parse(uri)
        .await
        .expect("a valid URI in servers.json");
    o.server_selection_timeout = Some(SELECT);
    o.app_name = Some("ata2atp-tests".into());
    o
}

fn credential(user: &str, password: &str) -> Credential {
    let m = &support::servers::servers().mongo;
    Credential::builder()
        .username(user.to_string())
        .password(password.to_string())
        .source(m.auth_source.clone())
        .mechanism(AuthMechanism::ScramSha256)
        .build()
}

/// The server's error code when the error is a command error.
fn command_code(e: &mongodb::error::Error) -> Option<i32> {
    match e.kind.as_ref() {
        ErrorKind::Command(c) => Some(c.code),
        _ => None,
    }
}

#[tokio::test]
async fn plain_instance_stores_and_finds_ata_like_profiles() {
    let s = support::servers::servers();
    let client = Client::with_options(options(&s.mongo.plain_uri).await).unwrap();
    let db = client.database(&support::servers::unique_name("ata2atp_it"));
    let profiles = db.collection::<Document>("SystemProfile");

    // Shaped like ATA's SystemProfile collection: the Center's profile has a scalar _t,
    // gateways carry their class hierarchy as an array _t.
    profiles
        .insert_many(vec![
            doc! { "_t": "CenterSystemProfile", "Name": "ATA-CENTER-01",
                   "Configuration": { "CenterConfiguration": { "ServerName": "ata-center.example.test" } } },
            doc! { "_t": ["SystemProfile", "GatewaySystemProfile"], "Name": "ATA-GW-01" },
            doc! { "_t": ["SystemProfile", "GatewaySystemProfile", "LightweightGatewaySystemProfile"],
                   "Name": "DC01" },
        ])
        .await
        .unwrap();

    assert_eq!(profiles.count_documents(doc! {}).await.unwrap(), 3);
    assert_eq!(
        profiles
            .count_documents(doc! { "_t": "CenterSystemProfile" })
            .await
            .unwrap(),
        1
    );
    // A scalar filter matches an element of the array _t, as on mongod.
    assert_eq!(
        profiles
            .count_documents(doc! { "_t": "GatewaySystemProfile" })
            .await
            .unwrap(),
        2
    );

    let center: Vec<Document> = profiles
        .find(doc! { "_t": "CenterSystemProfile" })
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(center.len(), 1);
    assert_eq!(center[0].get_str("Name").unwrap(), "ATA-CENTER-01");
    assert_eq!(
        center[0]
            .get_document("Configuration")
            .and_then(|c| c.get_document("CenterConfiguration"))
            .and_then(|c| c.get_str("ServerName"))
            .unwrap(),
        "ata-center.example.test"
    );

    let lightweight: Vec<Document> = profiles
        .find(doc! { "_t": "LightweightGatewaySystemProfile" })
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lightweight.len(), 1);
    assert_eq!(lightweight[0].get_str("Name").unwrap(), "DC01");

    let info = client
        .database("admin")
        .run_command(doc! { "buildInfo": 1 })
        .await
        .unwrap();
    let version = info.get_str("version").unwrap();
    let major: u32 = version.split('.').next().unwrap().parse().unwrap();
    assert!(major >= 3, "buildInfo version {version:?}");

    db.drop().await.unwrap();
}

#[tokio::test]
async fn auth_instance_accepts_the_right_password() {
    let m = &support::servers::servers().mongo;
    let mut o = options(&m.auth_uri).await;
    o.credential = Some(credential(&m.auth_user, &m.auth_password));
    let client = Client::with_options(o).unwrap();
    // test-env.sh seeded one Center profile before enabling auth.
    let n = client
        .database(&m.auth_seeded_database)
        .collection::<Document>("SystemProfile")
        .count_documents(doc! { "_t": "CenterSystemProfile" })
        .await
        .unwrap();
    assert_eq!(n, 1);

    // The role is "read" on that database only, and the server enforces it.
    let err = client
        .database(&m.auth_seeded_database)
        .collection::<Document>("SystemProfile")
        .insert_one(doc! { "_t": "ShouldNotBeWritten" })
        .await
        .expect_err("a read-only user must not write");
    assert_eq!(
        command_code(&err),
        Some(13),
        "expected Unauthorized (13), got {err:?}"
    );
}

#[tokio::test]
async fn auth_instance_rejects_a_wrong_password() {
    let m = &support::servers::servers().mongo;
    let mut o = options(&m.auth_uri).await;
    o.credential = Some(credential(&m.auth_user, "not-the-password"));
    let client = Client::with_options(o).unwrap();
    let err = client
        .database(&m.auth_seeded_database)
        .collection::<Document>("SystemProfile")
        .count_documents(doc! {})
        .await
        .expect_err("a wrong password must fail");
    assert!(
        matches!(err.kind.as_ref(), ErrorKind::Authentication { .. }),
        "expected an authentication error, got {err:?}"
    );
}

#[tokio::test]
async fn auth_instance_refuses_commands_without_credentials() {
    let m = &support::servers::servers().mongo;
    let client = Client::with_options(options(&m.auth_uri).await).unwrap();
    let err = client
        .database(&m.auth_seeded_database)
        .collection::<Document>("SystemProfile")
        .count_documents(doc! {})
        .await
        .expect_err("no credentials must fail");
    assert_eq!(
        command_code(&err),
        Some(13),
        "expected Unauthorized (13), got {err:?}"
    );
}

#[tokio::test]
async fn tls_instance_works_with_the_lab_ca() {
    let m = &support::servers::servers().mongo;
    let mut o = options(&m.tls_uri).await;
    o.tls = Some(Tls::Enabled(
        TlsOptions::builder()
            .ca_file_path(m.tls_ca_pem.clone())
            .build(),
    ));
    let client = Client::with_options(o).unwrap();
    let pong = client
        .database("admin")
        .run_command(doc! { "ping": 1 })
        .await
        .unwrap();
    assert_eq!(
        pong.get_f64("ok")
            .ok()
            .or(pong.get_i32("ok").ok().map(f64::from)),
        Some(1.0)
    );

    let db = client.database(&support::servers::unique_name("ata2atp_tls"));
    let c = db.collection::<Document>("SystemProfile");
    c.insert_one(doc! { "_t": "CenterSystemProfile" })
        .await
        .unwrap();
    assert_eq!(
        c.count_documents(doc! { "_t": "CenterSystemProfile" })
            .await
            .unwrap(),
        1
    );
    db.drop().await.unwrap();
}

#[tokio::test]
async fn tls_instance_is_refused_without_the_ca() {
    let m = &support::servers::servers().mongo;
    // tls=true with only the system roots: the lab CA is not among them. The handshake
    // fails at once, but the driver keeps retrying until server selection gives up.
    let mut o = options(&m.tls_uri).await;
    o.server_selection_timeout = Some(Duration::from_secs(2));
    let client = Client::with_options(o).unwrap();
    let err = client
        .database("admin")
        .run_command(doc! { "ping": 1 })
        .await
        .expect_err("an unknown CA must fail");
    let text = err.to_string();
    assert!(
        matches!(err.kind.as_ref(), ErrorKind::ServerSelection { .. })
            && text.contains("UnknownIssuer"),
        "expected a certificate error, got {text}"
    );
}
