//! The offline twin: the demo's ldifde export read into the `directory` section, ATA's
//! entities matched against it (hand-built ATA inventories, as the ATA reader would fill
//! them), malformed and incomplete exports, and the export command lines. No server.

use std::path::PathBuf;

use assert_cmd::Command;
use ata2atp::model::*;
use ata2atp::progress::Silent;
use chrono::{TimeZone, Utc};

fn demo_ldif() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo/directory/fabrikam.ldif")
}

const FABRIKAM: &str = "S-1-5-21-3871926410-1642209175-2209835614";
const EMEA: &str = "S-1-5-21-2544907167-3183370268-1427640531";

fn entity(id: &str, name: Option<&str>, sid: Option<String>, kind: EntityType) -> Entity {
    Entity {
        id: id.into(),
        name: name.map(str::to_string),
        sid,
        kind: Some(kind),
        source: None,
        ad: None,
    }
}

fn gateway(name: &str) -> Gateway {
    Gateway {
        id: format!("gw-{name}"),
        name: name.into(),
        kind: GatewayKind::Unknown,
        version: None,
        status: None,
        service_status: None,
        last_activity: None,
        kind_evidence: None,
        domain_synchronizer_candidate: None,
        syslog_listener: None,
        domain_controllers: Vec::new(),
    }
}

/// The demo inventory's ATA part, as far as the directory pass uses it.
fn demo_ata(dsa_user: &str, dsa_domain: &str) -> AtaInventory {
    AtaInventory {
        directory_services_accounts: vec![DirectoryServicesAccount {
            user: dsa_user.into(),
            domain: Some(dsa_domain.into()),
            secret_present: true,
            found_at: Some("DirectoryServicesSystemProfile".into()),
        }],
        honeytokens: vec![entity(
            "5719cd94-5625-4924-b637-ebf7b7ccfca2",
            Some("honey.admin"),
            Some(format!("{FABRIKAM}-1108")),
            EntityType::User,
        )],
        sensitive: vec![
            // Builtin SID: present in both domains; FABRIKAM's is the one ATA tagged.
            entity(
                "55ce5eb3-05c0-48cc-bd66-901c9d9cfa14",
                Some("Administrators"),
                Some("S-1-5-32-544".into()),
                EntityType::Group,
            ),
            // By GUID only.
            entity(
                "8ff50342-3046-4607-b6a5-506c257a77db",
                None,
                None,
                EntityType::Group,
            ),
        ],
        exclusions: vec![
            Exclusion {
                detector: "DirectoryServicesReplicationDetectorConfiguration".into(),
                kind: ExclusionKind::Computer,
                value: "d0ec4b79-1e6c-465b-9a5c-056f62ecf7ba".into(),
                entity: Some(entity(
                    "d0ec4b79-1e6c-465b-9a5c-056f62ecf7ba",
                    Some("FAB-OLDSRV01"),
                    Some(format!("{FABRIKAM}-1136")),
                    EntityType::Computer,
                )),
                list: Some("ExcludedSourceComputerIds".into()),
            },
            Exclusion {
                detector: "DnsReconnaissanceDetectorConfiguration".into(),
                kind: ExclusionKind::Computer,
                value: "5c2a3cbb-021a-4b08-ac92-b7a09c587b4b".into(),
                entity: None,
                list: Some("ExcludedSourceComputerIds".into()),
            },
            Exclusion {
                detector: "PassTheTicketDetectorConfiguration".into(),
                kind: ExclusionKind::Subnet,
                value: "10.20.99.0/24".into(),
                entity: None,
                list: Some("ExcludedSubnets".into()),
            },
        ],
        gateways: vec![
            gateway("FAB-DC01"),
            gateway("EMEA-RODC01"),
            gateway("FAB-ATAGW01"),
        ],
        ..AtaInventory::default()
    }
}

async fn read(ata: AtaInventory, files: Vec<PathBuf>) -> Inventory {
    let mut inv = Inventory::new(Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
    inv.ata = ata;
    let sources = ata2atp::directory::DirectorySources {
        ldap: None,
        ldif: files,
    };
    ata2atp::directory::collect_into(&sources, &mut inv, &Silent)
        .await
        .unwrap();
    inv
}

#[tokio::test]
async fn the_demo_forest_from_ldifde() {
    let inv = read(demo_ata("svc-ata", "fabrikam.test"), vec![demo_ldif()]).await;
    assert_eq!(inv.sources[0].kind, SourceKind::Ldif);
    assert_eq!(inv.sources[0].status, SourceStatus::Ok);
    let dir = inv.directory.as_ref().unwrap();
    assert!(dir.root_dse.is_none(), "ldifde exports no rootDSE");
    assert_eq!(dir.forest.root_domain, "fabrikam.test");
    assert_eq!(dir.forest.functional_level, Some(5));
    assert_eq!(dir.forest.schema_version, Some(88));
    let doms: Vec<(&str, Option<&str>, Option<u32>)> = dir
        .domains
        .iter()
        .map(|d| (d.dns_name.as_str(), d.sid.as_deref(), d.functional_level))
        .collect();
    assert_eq!(
        doms,
        vec![
            ("fabrikam.test", Some(FABRIKAM), Some(6)),
            ("emea.fabrikam.test", Some(EMEA), Some(5))
        ]
    );
    assert_eq!(dir.sites, vec!["Frankfurt", "London-HQ"]);
    assert_eq!(dir.domain_controllers.len(), 6);
    let dc = |n: &str| dir.domain_controller(n).unwrap();
    assert!(dc("EMEA-RODC01").read_only);
    assert_eq!(dc("FAB-DC04").global_catalog, Some(false));
    assert_eq!(dc("FAB-DC02").functional_level, Some(6));
    assert_eq!(dc("EMEA-DC01").domain, "emea.fabrikam.test");
    assert_eq!(dc("EMEA-DC01").site.as_deref(), Some("Frankfurt"));
    assert_eq!(
        dir.kds_root_key_present,
        Some(false),
        "the container exists and is empty"
    );

    // Builtin groups per domain, members nested and in the right domain only.
    let group = |name: &str, domain: &str| {
        dir.privileged_groups
            .iter()
            .find(|g| g.name == name && g.domain.as_deref() == Some(domain))
            .unwrap_or_else(|| panic!("{name} in {domain}"))
    };
    let admins: Vec<&str> = group("Administrators", "fabrikam.test")
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert!(
        admins.contains(&"svc-ata") && admins.contains(&"Tier0-Operators"),
        "{admins:?}"
    );
    assert!(
        !admins.contains(&"judy.schmidt"),
        "EMEA's member leaked into FABRIKAM: {admins:?}"
    );
    let dcs: Vec<&str> = group("Domain Controllers", "fabrikam.test")
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        dcs,
        vec!["FAB-DC01$", "FAB-DC02$", "FAB-DC03$", "FAB-DC04$"]
    );
    let rodcs: Vec<&str> = group("Read-only Domain Controllers", "emea.fabrikam.test")
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(rodcs, vec!["EMEA-RODC01$"]);
    assert_eq!(
        group("Remote Desktop Users", "fabrikam.test").members.len(),
        2
    );

    // The DSA: over-privileged through Tier0-Operators, password never expires.
    let f = dir.directory_services_account.as_ref().unwrap();
    assert!(f.found);
    assert_eq!(f.kind, AccountKind::User);
    assert_eq!(f.sensitive_groups, vec!["Administrators"]);
    assert_eq!(f.password_never_expires, Some(true));
    assert_eq!(f.password_expires_at, None);
    assert_eq!(
        f.pwd_last_set.unwrap().to_rfc3339(),
        "2026-11-12T07:41:09+00:00"
    );
    assert_eq!(f.deleted_objects_readable, None);
    assert!(
        f.deleted_objects_note
            .as_deref()
            .unwrap()
            .starts_with("not tested")
    );

    // Entities.
    let h = inv.ata.honeytokens[0].ad.as_ref().unwrap();
    assert_eq!(
        (h.found, h.name.as_deref(), h.enabled),
        (true, Some("honey.admin"), Some(true))
    );
    let a = inv.ata.sensitive[0].ad.as_ref().unwrap();
    assert_eq!(
        a.dn.as_deref(),
        Some("CN=Administrators,CN=Builtin,DC=fabrikam,DC=test")
    );
    assert_eq!(
        inv.ata.sensitive[1].ad.as_ref().unwrap().name.as_deref(),
        Some("Tier0-Operators")
    );
    let old = inv.ata.exclusions[0]
        .entity
        .as_ref()
        .unwrap()
        .ad
        .as_ref()
        .unwrap();
    assert!(!old.found, "FAB-OLDSRV01 was deleted from AD");
    let scan = inv.ata.exclusions[1]
        .entity
        .as_ref()
        .expect("an exclusion id gets an entity");
    assert_eq!(
        scan.ad.as_ref().unwrap().name.as_deref(),
        Some("FAB-SCAN01$")
    );
    assert!(
        inv.ata.exclusions[2].entity.is_none(),
        "subnets are not looked up"
    );
    assert_eq!(inv.not_found.len(), 1, "{:?}", inv.not_found);
    assert!(
        inv.not_found[0].item.contains("FAB-OLDSRV01")
            && inv.not_found[0].item.contains("not in Active Directory")
    );
    assert!(
        inv.not_found[0]
            .tried
            .iter()
            .any(|t| t.contains(&format!("{FABRIKAM}-1136")))
    );

    let kinds: Vec<GatewayKind> = inv.ata.gateways.iter().map(|g| g.kind).collect();
    assert_eq!(
        kinds,
        vec![
            GatewayKind::LightweightGateway,
            GatewayKind::LightweightGateway,
            // Its host is not a DC of the directory: a full ATA Gateway (issue 15.1).
            GatewayKind::Gateway
        ]
    );
}

#[tokio::test]
async fn every_dsa_is_described_and_the_emea_one_is_about_to_expire() {
    let mut ata = demo_ata("svc-ata", "fabrikam.test");
    ata.directory_services_accounts
        .push(DirectoryServicesAccount {
            user: "EMEA\\svc-ata-emea".into(),
            domain: None,
            secret_present: true,
            found_at: None,
        });
    let inv = read(ata, vec![demo_ldif()]).await;
    let dir = inv.directory.unwrap();
    assert_eq!(dir.directory_services_account.unwrap().name, "svc-ata");
    assert_eq!(dir.additional_directory_services_accounts.len(), 1);
    let f = &dir.additional_directory_services_accounts[0];
    assert_eq!(f.domain.as_deref(), Some("emea.fabrikam.test"));
    assert_eq!(f.password_never_expires, Some(false));
    // pwdLastSet 2026-10-14T06:30Z + EMEA's maxPwdAge of 42 days.
    assert_eq!(
        f.password_expires_at.unwrap().to_rfc3339(),
        "2026-11-25T06:30:00+00:00"
    );
    assert_eq!(f.password_expired, Some(false));
    assert!(f.sensitive_groups.is_empty());
}

#[tokio::test]
async fn the_same_export_split_over_files_gives_the_same_section() {
    // ldifde writes one file per run; the reader merges them.
    let text = std::fs::read_to_string(demo_ldif()).unwrap();
    let records: Vec<&str> = text.split("\n\n").collect();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = records.split_at(records.len() / 2);
    let fa = dir.path().join("a.ldf");
    let fb = dir.path().join("b.ldf");
    std::fs::write(&fa, a.join("\n\n") + "\n").unwrap();
    std::fs::write(&fb, b.join("\n\n") + "\n").unwrap();
    let one = read(demo_ata("svc-ata", "fabrikam.test"), vec![demo_ldif()]).await;
    let two = read(demo_ata("svc-ata", "fabrikam.test"), vec![fb, fa]).await;
    assert_eq!(one.directory, two.directory);
    assert_eq!(one.ata, two.ata);
}

fn ata2atp() -> Command {
    let mut c = Command::cargo_bin("ata2atp").unwrap();
    c.env_remove("ATA2ATP_ENGAGEMENT")
        .env_remove("ATA2ATP_OUTPUT")
        .env("NO_COLOR", "1");
    c
}

#[test]
fn a_malformed_ldif_is_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("export.ldf");
    std::fs::write(
        &bad,
        "dn: CN=a,DC=x\nobjectClass: user\nthis line has no colon\n",
    )
    .unwrap();
    let out = ata2atp()
        .args(["inventory", "--stdout", "-o", "yaml", "--ldif"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3:", bad.display())), "{err}");
    assert!(err.contains("collector ldif"), "{err}");
    assert!(out.stdout.is_empty());
    let missing = dir.path().join("nope.ldf");
    let out = ata2atp()
        .args(["inventory", "--stdout", "--ldif"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.ldf"));
}

#[test]
fn an_export_cut_short_by_a_size_limit_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("accounts.ldif");
    std::fs::write(
        &f,
        "# extended LDIF\n#\n# base <DC=example,DC=test> with scope subtree\n\n\
dn: DC=example,DC=test\nobjectClass: domainDNS\nobjectSid:: AQQAAAAAAAUVAAAAAQAAAAIAAAADAAAA\n\n\
# search result\nsearch: 2\nresult: 4 Size limit exceeded\n\n# numResponses: 2\n",
    )
    .unwrap();
    let out = ata2atp()
        .args(["inventory", "--stdout", "-o", "json", "--ldif"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "partial sources end with 3");
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inv["sources"][0]["status"], "partial");
    assert_eq!(inv["directory"]["partial"], true);
    assert!(
        inv["directory"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("Size limit exceeded")
    );
    assert_eq!(inv["directory"]["domains"][0]["sid"], "S-1-5-21-1-2-3");
}

#[test]
fn the_collector_prints_ldifde_and_ldapsearch_lines() {
    let out = ata2atp().args(["collector", "ldif"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "ldifde -f ata2atp-1-partitions.ldf -d \"CN=Partitions,$config\"",
        "ldifde -f ata2atp-6-accounts.ldf -d \"$domain\" -p subtree",
        "ldapsearch -H \"$H\" -x -D \"$U\" -y pw",
        "-E pr=1000/noprompt",
        "objectSid",
        "member",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    assert!(!text.to_lowercase().contains("rootkeydata") && !text.contains("unicodePwd"));
}
