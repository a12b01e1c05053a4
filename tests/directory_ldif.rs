//! The offline twin: the demo's ldifde export read into the `directory` section, ATA's
//! entities matched against it (hand-built ATA inventories, as the ATA reader would fill
//! them), malformed and incomplete exports, and the export command lines. No server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::ata::gateway;

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
        tag_evidence: None,
        ad: None,
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
    // The Recycle Bin feature object exists and names no scope: not enabled.
    let rb = dir.recycle_bin.as_ref().unwrap();
    assert_eq!(rb.enabled, Some(false), "{}", rb.evidence);

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
async fn every_dsa_is_described_and_the_emea_one_has_expired() {
    let mut ata = demo_ata("svc-ata", "fabrikam.test");
    ata.directory_services_accounts
        .push(DirectoryServicesAccount {
            user: "EMEA\\svc-ata-emea".into(),
            domain: None,
            secret_present: true,
            found_at: None,
        });
    let inv = read(ata, vec![demo_ldif()]).await;
    let dir = inv.directory.clone().unwrap();
    assert_eq!(
        dir.directory_services_account.as_ref().unwrap().name,
        "svc-ata"
    );
    assert_eq!(dir.additional_directory_services_accounts.len(), 1);
    let f = &dir.additional_directory_services_accounts[0];
    assert_eq!(f.domain.as_deref(), Some("emea.fabrikam.test"));
    assert_eq!(f.named_as.as_deref(), Some("EMEA\\svc-ata-emea"));
    assert_eq!(f.password_never_expires, Some(false));
    // pwdLastSet 2026-09-30T06:30Z + EMEA's maxPwdAge of 42 days.
    assert_eq!(
        f.password_expires_at.unwrap().to_rfc3339(),
        "2026-11-11T06:30:00+00:00"
    );
    assert_eq!(f.password_expires.as_deref(), Some("2026-11-11T06:30:00Z"));
    assert_eq!(f.password_expired, Some(true), "collected 2026-11-22");
    assert!(f.sensitive_groups.is_empty());
    // Deleted Objects is not known for either (an LDIF cannot say), in the same words.
    assert_eq!(
        f.deleted_objects_note,
        dir.directory_services_account
            .as_ref()
            .unwrap()
            .deleted_objects_note
    );

    // Every check judges each account: the expired password fails, whatever the day.
    let results = ata2atp::checks::run(
        std::sync::Arc::new(inv),
        ata2atp::checks::RunOptions::new(
            Utc::now(),
            ata2atp::checks::engine::NetworkPlan::not_run("test"),
        ),
        &Silent,
    )
    .await;
    let dsa: Vec<(&str, &str, Status)> = results
        .iter()
        .filter(|r| r.id.starts_with("dsa."))
        .map(|r| (r.id.as_str(), r.subject.as_deref().unwrap_or("-"), r.status))
        .collect();
    for id in [
        "dsa.credentials",
        "dsa.deleted_objects",
        "dsa.privileges",
        "dsa.gmsa_kds",
        "dsa.matches_ata",
    ] {
        let subjects: Vec<&str> = dsa.iter().filter(|r| r.0 == id).map(|r| r.1).collect();
        assert_eq!(
            subjects,
            vec!["fabrikam.test\\svc-ata", "EMEA\\svc-ata-emea"],
            "{id}"
        );
    }
    let emea = |id: &str| {
        results
            .iter()
            .find(|r| r.id == id && r.subject.as_deref() == Some("EMEA\\svc-ata-emea"))
            .unwrap()
    };
    let c = emea("dsa.credentials");
    assert_eq!(c.status, Status::Fail, "{c:?}");
    assert!(
        c.reason
            .as_deref()
            .unwrap()
            .contains("password expired on 2026-11-11"),
        "{c:?}"
    );
    assert!(
        c.evidence["on_password_change"].contains("change it in ATA"),
        "{c:?}"
    );
    assert_eq!(emea("dsa.matches_ata").status, Status::Pass);
    assert_eq!(emea("dsa.privileges").status, Status::Pass);
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
    let mut c = support::commands::ata2atp();
    c.env("NO_COLOR", "1");
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
fn an_ldif_file_without_active_directory_in_it_is_partial_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    // An OpenLDAP export (posixAccount, no SID, no domain head): read whole, nothing to use.
    let openldap = dir.path().join("people.ldif");
    std::fs::write(
        &openldap,
        "dn: dc=lab,dc=invalid\nobjectClass: dcObject\nobjectClass: organization\no: Lab\n\n\
dn: uid=quinn,ou=People,dc=lab,dc=invalid\nobjectClass: posixAccount\nuid: quinn\nuidNumber: 1001\n",
    )
    .unwrap();
    let empty = dir.path().join("empty.ldf");
    std::fs::write(&empty, "# nothing was exported\n").unwrap();
    for (file, why) in [
        (&openldap, "none of its 2 entries is Active Directory's"),
        (&empty, "the file holds no entry"),
    ] {
        let out = ata2atp()
            .args(["inventory", "--stdout", "-o", "json", "--ldif"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "partial sources end with 3");
        let inv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let source = &inv["sources"][0];
        assert_eq!(source["status"], "partial");
        let error = source["error"].as_str().unwrap();
        assert!(
            error.starts_with(why) && error.contains("collector ldif"),
            "{error}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "warning: LDIF {} was read only in part: {why}",
                file.display()
            )),
            "{stderr}"
        );
    }
    // Beside the demo's export (Active Directory's), an empty file of the set is an answer
    // (no KDS root key, say): both ok.
    let out = ata2atp()
        .args(["inventory", "--stdout", "-o", "json", "--ldif"])
        .arg(&empty)
        .arg("--ldif")
        .arg(demo_ldif())
        .output()
        .unwrap();
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for source in inv["sources"].as_array().unwrap() {
        assert_eq!(source["status"], "ok", "{}", inv["sources"]);
    }
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

/// Issue 13.8: one entry with very many values (a `member` list of a huge group) is read
/// whole, every value once, in the order written. The time it takes is measured by the
/// directory benchmark, not asserted here.
#[test]
fn one_entry_with_200k_values_is_read_whole() {
    const N: usize = 200_000;
    let mut text = String::with_capacity(N * 48);
    text.push_str("dn: CN=Everyone-Big,CN=Users,DC=example,DC=test\nobjectClass: group\n");
    for i in 0..N {
        text.push_str(&format!(
            "member: CN=user{i:06},CN=Users,DC=example,DC=test\n"
        ));
    }
    // The same group a second time (another export file): merged, nothing doubled.
    text.push_str("\ndn: CN=Everyone-Big,CN=Users,DC=example,DC=test\nmember: CN=user000000,CN=Users,DC=example,DC=test\nmember: CN=late,CN=Users,DC=example,DC=test\n");
    let started = std::time::Instant::now();
    let file =
        ata2atp::directory::ldif::parse(text.as_bytes(), std::path::Path::new("big.ldif")).unwrap();
    assert_eq!(file.entries.len(), 2);
    let mut snap = ata2atp::directory::DirectorySnapshot::default();
    for e in file.entries {
        snap.insert(e);
    }
    eprintln!("200k values: parsed and merged in {:?}", started.elapsed());
    let g = snap
        .get("CN=Everyone-Big,CN=Users,DC=example,DC=test")
        .unwrap();
    let members = g.texts("member");
    assert_eq!(members.len(), N + 1);
    assert_eq!(members[0], "CN=user000000,CN=Users,DC=example,DC=test");
    assert_eq!(
        members[N - 1],
        format!("CN=user{:06},CN=Users,DC=example,DC=test", N - 1)
    );
    assert_eq!(members[N], "CN=late,CN=Users,DC=example,DC=test");
}

/// The demo's ATA files through `inventory`, with or without its LDIF.
fn demo_inventory(with_ldif: bool) -> serde_json::Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo");
    let mut cmd = ata2atp();
    cmd.args(["inventory", "--stdout", "-o", "json"]);
    for f in [
        "ata/SystemProfile_20261115040000.json",
        "ata/UniqueEntity.json",
        "ata/SuspiciousActivity.json",
    ] {
        cmd.arg("--ata-json").arg(dir.join(f));
    }
    if with_ldif {
        cmd.arg("--ldif").arg(demo_ldif());
    }
    let out = cmd.output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn tags(inv: &serde_json::Value) -> std::collections::BTreeMap<String, (String, String)> {
    inv["ata"]["sensitive"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                format!(
                    "{} {}",
                    e["name"].as_str().unwrap(),
                    e["sid"].as_str().unwrap_or("")
                ),
                (
                    e["source"].as_str().unwrap().to_string(),
                    e["tag_evidence"].as_str().unwrap_or("").to_string(),
                ),
            )
        })
        .collect()
}

fn tag<'a>(
    t: &'a std::collections::BTreeMap<String, (String, String)>,
    name: &str,
) -> &'a (String, String) {
    let hits: Vec<_> = t
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("{name} ")))
        .collect();
    assert_eq!(hits.len(), 1, "{name}: {hits:?}");
    hits[0].1
}

/// Issue 12.5: "automatic" only on evidence, and which evidence; "undecided" where
/// neither the directory nor ATA's data can decide. Remote Desktop Users is not
/// automatic (15.8).
#[test]
fn sensitive_entities_are_automatic_only_on_evidence() {
    // ATA alone: its data has no group membership, so a user tagged sensitive through a
    // group cannot be told from one tagged by hand.
    let t = tags(&demo_inventory(false));
    assert_eq!(tag(&t, "Bob Helpdesk").0, "undecided");
    assert!(
        tag(&t, "Bob Helpdesk")
            .1
            .starts_with("undecided: confirm in the ATA console")
    );
    assert_eq!(tag(&t, "Alice Admin").0, "undecided");
    let dc = tag(&t, "FAB-DC01");
    assert_eq!(
        (dc.0.as_str(), dc.1.as_str()),
        ("automatic", "a domain controller (in ATA)")
    );
    assert_eq!(tag(&t, "Administrators").0, "automatic");
    assert!(tag(&t, "Administrators").1.contains("its SID"));
    let rdu = tag(&t, "Remote Desktop Users");
    assert_eq!(rdu.0, "manual", "{rdu:?}");
    assert!(rdu.1.contains("no longer tags"), "{rdu:?}");
    let listed = tag(&t, "CFO Assistant");
    assert_eq!(listed.0, "manual");
    assert!(listed.1.starts_with("tagged by hand in ATA"), "{listed:?}");

    // With the directory: membership decides, and says which group.
    let t = tags(&demo_inventory(true));
    let alice = tag(&t, "Alice Admin");
    assert_eq!(alice.0, "automatic");
    assert!(
        alice.1.contains("Domain Admins") && alice.1.contains("(the directory)"),
        "{alice:?}"
    );
    for rdu_member in ["Bob Helpdesk", "Heidi IT"] {
        let b = tag(&t, rdu_member);
        assert_eq!(b.0, "manual", "{rdu_member}: {b:?}");
        assert!(b.1.contains("Remote Desktop Users"), "{b:?}");
    }
    assert_eq!(tag(&t, "svc-idm").0, "automatic");
    assert!(tag(&t, "svc-idm").1.contains("Account Operators"));
    // On ATA's manual list and nested in Administrators: manual, with a word that MDI
    // would tag it anyway.
    let tier0 = tag(&t, "Tier0-Operators");
    assert_eq!(tier0.0, "manual");
    assert!(tier0.1.contains("would tag it anyway"), "{tier0:?}");
    assert!(t.values().all(|(s, _)| s != "undecided"), "{t:?}");
}

/// 15.8: the checklist's P08 lists no member of Remote Desktop Users as automatic, and
/// C02 says "never" for a password that never expires.
#[test]
fn the_demo_checklist_says_never_and_keeps_rdu_members_out_of_automatic() {
    let dir = tempfile::tempdir().unwrap();
    let eng = dir.path().join("demo");
    let out = ata2atp().arg("demo").arg(&eng).output().unwrap();
    support::commands::assert_success(&out);
    let show = |step: &str| -> serde_json::Value {
        let out = ata2atp()
            .args(["--engagement"])
            .arg(&eng)
            .args(["-o", "json", "checklist", "show", step])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let p08 = show("P08");
    let text = p08.to_string();
    let automatic = p08["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"] == "Sensitive automatically (no action)")
        .unwrap_or_else(|| panic!("{text}"));
    let names: Vec<&str> = automatic["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Alice Admin"), "{names:?}");
    for rdu in ["Bob Helpdesk", "Heidi IT", "Remote Desktop Users"] {
        assert!(!names.contains(&rdu), "{rdu} in {names:?}");
    }
    let c02 = show("C02").to_string();
    assert!(
        c02.contains(r#""key":"Password expires","value":"never""#),
        "{c02}"
    );
    assert!(!c02.contains("none found"), "{c02}");
}
