//! Shapes real Centers and hostile inputs hand the ATA readers (issues 12 and 13), each on
//! a synthetic fixture built here: a real detector whose name holds "Encrypted", numbers
//! with exponents, another database's dump, the names Microsoft's module uses, REST-style
//! `Id`/`Type`, deep nesting, malformed secrets, and a FIFO in place of a dump file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::path::Path;

use ata2atp::ata::AtaSources;
use ata2atp::cli::exit;
use ata2atp::model::{GatewayKind, SourceStatus};
use mongodb::bson::{Bson, Document, doc};
use support::ata::*;

fn profiles() -> Vec<Document> {
    canonical()["SystemProfile"].clone()
}

fn dump_with(dir: &Path, profiles: Vec<Document>) -> std::path::PathBuf {
    let mut docs = canonical();
    docs.insert("SystemProfile", profiles);
    write_dump(dir, &docs)
}

async fn read_dump(dir: &Path) -> Result<ata2atp::model::Inventory, ata2atp::ata::Error> {
    collect(AtaSources {
        dump: Some(dir.to_path_buf()),
        ..AtaSources::default()
    })
    .await
}

fn center_conf(docs: &mut [Document]) -> &mut Document {
    docs[0].get_document_mut("Configuration").unwrap()
}

/// 12.1: every ATA 1.8/1.9 Center has this detector; its name holds "Encrypted" but it is
/// no secret. Secrets are recognised by shape, and still never reach the inventory.
#[tokio::test]
async fn a_detector_named_encrypted_is_read_and_secrets_are_still_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = profiles();
    let conf = center_conf(&mut docs);
    conf.insert(
        "EncryptedTimestampEncryptionDowngradeDetectorConfiguration",
        doc! { "IsEnabled": true, "ExcludedSourceComputerIds": [] },
    );
    conf.insert(
        "NewFeatureConfiguration",
        doc! { "TokenEncrypted": { "CertificateThumbprint": "AB", "EncryptedBytes": mongodb::bson::Binary { subtype: mongodb::bson::spec::BinarySubtype::Generic, bytes: b"PLANTED-SHAPE-SECRET".to_vec() } } },
    );
    let dump = dump_with(tmp.path(), docs);
    let inv = read_dump(&dump).await.unwrap();
    assert_eq!(inv.sources[0].status, SourceStatus::Ok, "{:?}", inv.sources);
    let d = inv
        .ata
        .detectors
        .iter()
        .find(|d| d.name == "EncryptedTimestampEncryptionDowngradeDetectorConfiguration")
        .expect("the detector is listed");
    assert_eq!(d.enabled, Some(true));
    let yaml = ata2atp::yaml::to_string(&inv, "t").unwrap();
    for planted in planted_forms() {
        assert!(
            !yaml.contains(&planted),
            "a planted secret leaked: {planted}"
        );
    }
    assert!(
        !yaml.contains("PLANTED-SHAPE-SECRET") && !yaml.contains("UExBTlRFRC1TSEFQRS1TRUNSRVQ")
    );
}

/// 12.3: exponents in every dialect.
#[test]
fn numbers_with_exponents_read_in_every_dialect() {
    use ata2atp::ata::json::parse_document;
    for text in [
        r#"{"a": 1.5E-1, "b": 1e-10, "c": 1.2345678921232E+18}"#,
        r#"{ "a" : 1.5E-1, b: 1e-10, "c": 1.2345678921232E+18, "d": NumberLong(5) }"#,
        r#"{"a": {"$numberDouble": "1.5E-1"}, "b": {"$numberDouble": "1e-10"}, "c": {"$numberDouble": "1.2345678921232E+18"}}"#,
    ] {
        let d = parse_document(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(d.get_f64("a"), Ok(0.15), "{text}");
        assert_eq!(d.get_f64("b"), Ok(1e-10), "{text}");
        assert_eq!(d.get_f64("c"), Ok(1.2345678921232e18), "{text}");
    }
}

/// 12.4: a dump folder or JSON export of another database.
#[tokio::test]
async fn another_database_is_not_an_ata_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["orders", "customers"] {
        let mut bytes = Vec::new();
        doc! { "_id": 1, "total": 5 }.to_writer(&mut bytes).unwrap();
        std::fs::write(dir.join(format!("{name}.bson")), bytes).unwrap();
    }
    let e = read_dump(&dir).await.unwrap_err();
    assert_eq!(exit::for_kind(e.kind()), 3);
    let msg = e.to_string();
    assert!(
        msg.contains("not an ATA database: found customers, orders"),
        "{msg}"
    );

    let orders = tmp.path().join("orders.json");
    std::fs::write(&orders, "{\"_id\": 1, \"total\": 5}\n").unwrap();
    let e = collect(AtaSources {
        json: vec![orders],
        ..AtaSources::default()
    })
    .await
    .unwrap_err();
    assert_eq!(exit::for_kind(e.kind()), 3);
    assert!(
        e.to_string()
            .contains("not an ATA database: found collection `orders`"),
        "{e}"
    );
}

/// 12.6: the names Microsoft's ATA module uses, and REST-style `Id`/`Type`.
#[tokio::test]
async fn the_modules_names_and_rest_style_exports_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = profiles();
    let conf = center_conf(&mut docs);
    conf.insert(
        "MonitoringClientConfiguration",
        doc! { "MonitoringAlertTypeNameToIsEnabledMapping": { "GatewayDisconnectedMonitoringAlert": true, "CenterDatabaseDataDriveFreeSpaceMonitoringAlert": false } },
    );
    conf.insert(
        "ServiceSystemProfileConfiguration",
        doc! { "Id": "5a81996afab0a7c0de0000aa" },
    );
    // REST style: Id and Type instead of _id and _t.
    let json = tmp.path().join("SystemProfile.json");
    let mut text = String::new();
    for d in &docs {
        let mut d = d.clone();
        let id = d.remove("_id").unwrap();
        let t = d.remove("_t").unwrap();
        d.insert("Id", id);
        d.insert("Type", t);
        text.push_str(&Bson::Document(d).into_relaxed_extjson().to_string());
        text.push('\n');
    }
    std::fs::write(&json, text).unwrap();
    let entities = tmp.path().join("UniqueEntity.json");
    let mut ue = String::new();
    for mut d in canonical()["UniqueEntity"].clone() {
        // An entity known only by its search names.
        if d.get_str("Name") == Ok("honey.admin")
            || d.get_str("Name").is_ok_and(|n| n.contains("honey"))
        {
            let name = d.remove("Name").unwrap();
            d.insert("CompleteSearchNames", vec![name]);
        }
        ue.push_str(&Bson::Document(d).into_relaxed_extjson().to_string());
        ue.push('\n');
    }
    std::fs::write(&entities, ue).unwrap();
    let inv = collect(AtaSources {
        json: vec![json, entities],
        ..AtaSources::default()
    })
    .await
    .unwrap();
    let a = &inv.ata;
    assert_eq!(
        a.health_alert_toggles
            .get("CenterDatabaseDataDriveFreeSpaceMonitoringAlert"),
        Some(&false)
    );
    assert_eq!(
        a.center.service_profile_id.as_deref(),
        Some("5a81996afab0a7c0de0000aa")
    );
    assert_eq!(a.periodic_reports_enabled, Some(true));
    assert_eq!(
        a.center.console_urls,
        ["https://ata.northwind.test"],
        "REST Type/_t"
    );
    assert!(
        a.gateways.len() >= 3,
        "gateways by their Type: {:?}",
        a.gateways
    );
    assert!(
        a.honeytokens.iter().all(|h| h.name.is_some()),
        "CompleteSearchNames names the entity: {:?}",
        a.honeytokens
    );
}

/// 13.1: nesting 10k, 100k and 1M deep is refused with file, document and byte offset in
/// every reader, never a stack overflow.
#[tokio::test]
async fn deep_nesting_is_refused_in_every_reader() {
    let tmp = tempfile::tempdir().unwrap();
    for depth in [10_000usize, 100_000, 1_000_000] {
        // BSON: {"a": {"a": … {} …}} as bytes, after one good profile.
        let nested = nested_bson(depth);
        let dir = tmp.path().join(format!("dump{depth}"));
        let mut docs = canonical();
        docs.get_mut("SystemProfile").unwrap().truncate(1);
        write_dump(&dir, &docs);
        let file = dir.join("ATA/SystemProfile.bson");
        let mut bytes = std::fs::read(&file).unwrap();
        let offset = bytes.len();
        // Over 16 MiB at 1M levels: a length no dump writes, refused before reading it.
        bytes.extend_from_slice(&nested);
        std::fs::write(&file, bytes).unwrap();
        let inv = read_dump(&dir).await.unwrap();
        let e = inv.sources[0].error.clone().unwrap_or_default();
        assert!(
            e.contains("SystemProfile.bson, document 2") && e.contains(&format!("byte {offset}")),
            "{depth}: {e}"
        );
        assert!(
            e.contains("nested deeper than 100 levels") || e.contains("16 MiB"),
            "{depth}: {e}"
        );
        assert_eq!(inv.ata.center.console_urls, ["https://ata.northwind.test"]);

        // JSON and mongo shell notation.
        for (open, close) in [("{\"a\":", "}"), ("[", "]"), ("NumberLong(", ")")] {
            let text = format!(
                "{{\"_id\": 1, \"x\": {}1{}}}",
                open.repeat(depth),
                close.repeat(depth)
            );
            let e = ata2atp::ata::json::parse_all(&text, "deep.json")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("deep.json, document 1 (line 1, byte 0)")
                    && e.contains("nested deeper")
                    && e.contains("at byte"),
                "{depth} {open}: {e}"
            );
        }
    }
}

/// `{"a": {"a": … {} …}}` nested `depth` levels, written front to back: each level is
/// its length, type 3, key "a", then the level inside it, then its 0 terminator.
fn nested_bson(depth: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + 8 * depth);
    for level in 0..depth {
        let len = (5 + 8 * (depth - level)) as i32;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&[0x03, b'a', 0]);
    }
    out.extend_from_slice(&[5, 0, 0, 0, 0]);
    out.resize(out.len() + depth, 0);
    out
}

/// 13.5: an error inside a secret's value names the field and the offset, never the value.
#[test]
fn errors_inside_a_secret_never_quote_it() {
    use ata2atp::ata::json::parse_document;
    for text in [
        r#"{ "_id": 1, "AuthenticationAccountPasswordEncrypted": { "CertificateThumbprint": "AB", "EncryptedBytes": HexData(0, "S3CRETzz") } }"#,
        r#"{ "_id": 1, "RadiusEventListenerSharedSecretEncrypted": BinData(0, S3CRETbase64) }"#,
        r#"{ "_id": 1, "PasswordEncrypted": { "EncryptedBytes": { "$binary": { "base64": "S3CRET!!", "subType": "00" } } } }"#,
        r#"{ "_id": 1, "PasswordEncrypted": { "$binary": "S3CRET", "$type": "zz" } }"#,
    ] {
        let e = parse_document(text).unwrap_err().to_string();
        assert!(!e.contains("S3CRET"), "the secret is quoted: {e}");
        assert!(
            e.contains("Encrypted") || e.contains("EncryptedBytes"),
            "no field named: {e}"
        );
        assert!(e.contains("not shown"), "{e}");
        if !text.contains("$binary") {
            assert!(e.contains("byte "), "no offset: {e}");
        }
    }
}

/// 13.7: a FIFO in place of a dump or export file is refused by name, without blocking.
#[tokio::test]
async fn a_fifo_in_place_of_a_dump_file_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = dump_with(&tmp.path().join("dump"), profiles());
    let fifo = dir.join("ATA/SuspiciousActivity.bson");
    std::fs::remove_file(&fifo).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let e = tokio::time::timeout(std::time::Duration::from_secs(20), read_dump(&dir))
        .await
        .expect("the reader does not block on a FIFO")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("SuspiciousActivity.bson") && e.contains("not a regular file"),
        "{e}"
    );
    let e = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        collect(AtaSources {
            json: vec![fifo.clone()],
            ..AtaSources::default()
        }),
    )
    .await
    .expect("the JSON reader does not block on a FIFO")
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("SuspiciousActivity.bson") && e.contains("not a regular file"),
        "{e}"
    );
}

/// 15.1: a gateway with port-mirror capture adapters is a full ATA Gateway; one whose
/// host the directory lists as a DC is a Lightweight Gateway; each says why.
#[tokio::test]
async fn gateways_are_classified_from_their_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let mut docs = profiles();
    for d in docs.iter_mut() {
        if d.get_str("NetbiosName") == Ok("NW-ATAGW01") {
            let conf = d.get_document_mut("Configuration").unwrap();
            conf.remove("DirectoryServicesClientConfiguration");
            conf.insert(
                "NetworkListenerConfiguration",
                doc! { "CaptureNetworkAdapterNames": ["Mirror of NW-DC01"] },
            );
        }
    }
    let inv = read_dump(&dump_with(tmp.path(), docs)).await.unwrap();
    let gw = inv
        .ata
        .gateways
        .iter()
        .find(|g| g.name == "NW-ATAGW01")
        .unwrap();
    assert_eq!(gw.kind, GatewayKind::Gateway);
    assert!(
        gw.kind_evidence
            .as_deref()
            .unwrap()
            .contains("port-mirrored")
            && gw
                .kind_evidence
                .as_deref()
                .unwrap()
                .contains("Mirror of NW-DC01"),
        "{gw:?}"
    );

    // Nothing in the profile decides: the directory's DC list does.
    let mut inv = inv;
    for g in &mut inv.ata.gateways {
        g.kind = GatewayKind::Unknown;
        g.kind_evidence = None;
    }
    let dc = |name: &str| ata2atp::model::DomainController {
        name: name.into(),
        dns_host_name: Some(format!("{name}.northwind.test")),
        domain: "northwind.test".into(),
        ..serde_json::from_value(
            serde_json::json!({"name": name, "domain": "northwind.test", "read_only": false}),
        )
        .unwrap()
    };
    let mut dir: ata2atp::model::DirectoryInventory =
        serde_json::from_value(serde_json::json!({})).unwrap_or_default();
    dir.domain_controllers = vec![dc("NW-DC03"), dc("NW-DC04")];
    inv.directory = Some(dir);
    ata2atp::directory::resolve::classify_gateways(&mut inv);
    let kinds: Vec<(&str, GatewayKind)> = inv
        .ata
        .gateways
        .iter()
        .map(|g| (g.name.as_str(), g.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("NW-ATAGW01", GatewayKind::Gateway),
            ("NW-DC03", GatewayKind::LightweightGateway),
            ("NW-DC04", GatewayKind::LightweightGateway),
        ]
    );
    assert!(
        inv.ata.gateways[1]
            .kind_evidence
            .as_deref()
            .unwrap()
            .contains("is a domain controller of northwind.test")
    );
}
