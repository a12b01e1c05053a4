//! The directory inventory against a real Samba AD DC: binds and their AD sub-codes, the
//! rootDSE, DCs and the RODC, nested sensitive groups, SID/GUID/name resolution of ATA
//! entities (filter injection included), the directory services account with its
//! Deleted Objects test, `check dsa`, and the LDIF twin giving the same section.
//! Read-only towards the directory: the tests only bind and search.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::ata::gateway;
use support::commands::ata2atp;

use std::path::{Path, PathBuf};

use ata2atp::cli::exit;
use ata2atp::directory::dsa::test_credentials;
use ata2atp::directory::ldap::{Conn, Search, Server, TlsOptions};
use ata2atp::directory::{DirectorySources, LdapSource};
use ata2atp::model::*;
use ata2atp::progress::Silent;
use ata2atp::secrets::SecretString;
use chrono::Utc;
use ldap3::Scope;

fn samba() -> &'static support::servers::Samba {
    &support::servers::servers().samba
}

fn tls() -> TlsOptions {
    TlsOptions {
        ca_file: Some(samba().ca_pem.clone()),
        insecure: false,
    }
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

/// An LDAPS source bound as `bind_upn`.
fn source(bind_upn: &str, password: &str) -> LdapSource {
    LdapSource {
        url: samba().ldaps_url.clone(),
        bind_user: Some(bind_upn.to_string()),
        password: Some(secret(password)),
        ca_file: Some(samba().ca_pem.clone()),
        insecure: false,
        gc_url: None,
        dsa_passwords: Default::default(),
    }
}

fn admin_source() -> LdapSource {
    source(&samba().admin_upn, &samba().admin_password)
}

async fn collect(sources: &DirectorySources, ata: AtaInventory) -> Inventory {
    let mut inv = Inventory::new(Utc::now());
    inv.ata = ata;
    ata2atp::directory::collect_into(sources, &mut inv, &Silent)
        .await
        .unwrap_or_else(|e| panic!("directory read failed: {e}"));
    inv
}

/// objectSid and objectGUID of an account, read with the product's own connection.
async fn ids_of(sam: &str) -> (String, String) {
    let server = Server::parse(&samba().ldaps_url).unwrap();
    let mut conn = Conn::open(&server, &tls()).await.unwrap();
    conn.bind(&samba().admin_upn, &secret(&samba().admin_password))
        .await
        .unwrap();
    let filter = format!("(sAMAccountName={sam})");
    let out = conn
        .search(&Search::new(
            &samba().base_dn,
            Scope::Subtree,
            &filter,
            &["objectSid", "objectGUID"],
        ))
        .await;
    assert!(out.failure.is_none(), "{:?}", out.failure);
    let e = out
        .entries
        .first()
        .unwrap_or_else(|| panic!("{sam} not in Samba"));
    (e.sid().unwrap().to_string(), e.guid().unwrap())
}

fn dsa(user: &str) -> DirectoryServicesAccount {
    DirectoryServicesAccount {
        user: user.to_string(),
        domain: Some(samba().dns_domain.clone()),
        secret_present: true,
        found_at: None,
    }
}

fn entity(id: &str, name: Option<&str>, sid: Option<&str>, kind: EntityType) -> Entity {
    Entity {
        id: id.to_string(),
        name: name.map(str::to_string),
        sid: sid.map(str::to_string),
        kind: Some(kind),
        source: None,
        tag_evidence: None,
        ad: None,
    }
}

fn group<'a>(dir: &'a DirectoryInventory, name: &str) -> &'a PrivilegedGroup {
    dir.privileged_groups
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no privileged group {name}"))
}

fn member_names(g: &PrivilegedGroup) -> Vec<&str> {
    g.members.iter().map(|m| m.name.as_str()).collect()
}

#[tokio::test]
async fn forest_dcs_and_nested_sensitive_groups() {
    let s = samba();
    let inv = collect(
        &DirectorySources {
            ldap: Some(admin_source()),
            ldif: Vec::new(),
        },
        AtaInventory::default(),
    )
    .await;
    assert_eq!(inv.sources.len(), 1);
    assert_eq!(
        inv.sources[0].status,
        SourceStatus::Ok,
        "{:?}",
        inv.sources[0]
    );
    let dir = inv.directory.as_ref().unwrap();
    assert!(!dir.partial, "{:?}", dir.notes);

    let dse = dir.root_dse.as_ref().expect("rootDSE read");
    assert_eq!(
        dse.default_naming_context.as_deref(),
        Some(s.base_dn.as_str())
    );
    let level = dse.forest_functionality.as_ref().unwrap();
    assert_eq!(
        (level.level, level.name.as_str()),
        (s.functional_level, "Windows Server 2008 R2")
    );
    assert_eq!(
        dse.dns_host_name.as_deref(),
        Some(s.dc_dns_hostname.as_str())
    );

    assert_eq!(dir.forest.root_domain, s.dns_domain);
    assert_eq!(dir.forest.functional_level, Some(s.functional_level));
    assert_eq!(
        dir.forest.functional_level_name.as_deref(),
        Some("Windows Server 2008 R2")
    );
    assert!(dir.forest.schema_version.is_some());
    assert_eq!(dir.domains.len(), 1);
    let d = &dir.domains[0];
    assert_eq!(d.sid.as_deref(), Some(s.domain_sid.as_str()));
    assert_eq!(d.netbios_name.as_deref(), Some(s.netbios_domain.as_str()));
    assert_eq!(d.functional_level, Some(s.functional_level));
    assert_eq!(dir.sites, vec!["Default-First-Site-Name"]);

    // The real DC has an nTDSDSA object (GC); the fakes only computer objects.
    let dc = |n: &str| {
        dir.domain_controller(n)
            .unwrap_or_else(|| panic!("DC {n} missing: {:?}", dir.domain_controllers))
    };
    let dc1 = dc(&s.dc_dns_hostname);
    assert_eq!(dc1.global_catalog, Some(true));
    assert_eq!(dc1.site.as_deref(), Some("Default-First-Site-Name"));
    assert!(!dc1.read_only);
    let dc2 = dc(&s.fake_dcs.writable);
    assert!(!dc2.read_only);
    assert_eq!(dc2.os.as_deref(), Some("Windows Server 2012 R2 Datacenter"));
    assert_eq!(dc2.os_version.as_deref(), Some("6.3 (9600)"));
    assert_eq!(dc2.global_catalog, None, "no nTDSDSA: unknown, not false");
    // RODC1: read-only by its UAC bit / primary group 521, although msDS-isRODC is not
    // computed for it.
    assert!(dc(&s.fake_dcs.rodc).read_only);
    assert_eq!(dir.domain_controllers.len(), 3);

    // bob is in Administrators only through the nested group Tier0 Ops.
    let admins = group(dir, "Administrators");
    assert_eq!(admins.sid, "S-1-5-32-544");
    let names = member_names(admins);
    for n in ["bob", "Tier0 Ops", "alice", "Domain Admins"] {
        assert!(names.contains(&n), "{n} not in Administrators: {names:?}");
    }
    let da = member_names(group(dir, "Domain Admins"));
    for n in ["alice", s.honeytoken.as_str(), s.dsa_privileged.as_str()] {
        assert!(da.contains(&n), "{n} not in Domain Admins: {da:?}");
    }
    assert!(!da.contains(&"bob"));
    // Primary-group members: DCs are in Domain Controllers only through primaryGroupID.
    let dcs = member_names(group(dir, "Domain Controllers"));
    assert!(dcs.contains(&"DC2$"), "{dcs:?}");
    assert_eq!(
        member_names(group(dir, "Read-only Domain Controllers")),
        vec!["RODC1$"]
    );
    assert_eq!(
        dir.kds_root_key_present,
        Some(false),
        "Samba has no KDS container"
    );
}

#[tokio::test]
#[allow(clippy::field_reassign_with_default)] // the ATA lists are filled one kind at a time
async fn ata_entities_are_matched_and_injection_attempts_match_nothing() {
    let s = samba();
    let (honey_sid, _) = ids_of(&s.honeytoken).await;
    let (_, carol_guid) = ids_of("carol").await;
    let (_, ws01_guid) = ids_of("WS01$").await;
    let missing_sid = format!("{}-987654", s.domain_sid);
    let mut ata = AtaInventory::default();
    ata.honeytokens = vec![
        entity(
            "ht-1",
            Some("renamed-in-ata"),
            Some(&honey_sid),
            EntityType::User,
        ),
        entity("ht-2", None, Some(&missing_sid), EntityType::User),
        // A SID of a domain outside this forest: it cannot be looked up here.
        entity("ht-3", None, Some("S-1-5-21-1-2-3-1105"), EntityType::User),
    ];
    ata.sensitive = vec![
        entity(&carol_guid, None, None, EntityType::User),
        entity("s-2", Some("EXAMPLE\\bob"), None, EntityType::User),
        entity("s-3", Some("*"), None, EntityType::User),
        entity("s-4", Some("x)(|(objectClass=*)"), None, EntityType::User),
        entity("s-5", Some("Administrators"), None, EntityType::Group),
    ];
    ata.exclusions = vec![Exclusion {
        detector: "DnsReconnaissanceDetectorConfiguration".into(),
        kind: ExclusionKind::Computer,
        value: ws01_guid.clone(),
        entity: None,
        list: Some("ExcludedSourceComputerIds".into()),
    }];
    ata.gateways = vec![gateway("DC2"), gateway("ATAGW01")];
    let inv = collect(
        &DirectorySources {
            ldap: Some(admin_source()),
            ldif: Vec::new(),
        },
        ata,
    )
    .await;
    let ad = |e: &Entity| e.ad.clone();

    let h = ad(&inv.ata.honeytokens[0]).expect("looked up");
    assert!(h.found);
    assert_eq!(h.name.as_deref(), Some(s.honeytoken.as_str()));
    assert_eq!(h.sid.as_deref(), Some(honey_sid.as_str()));
    assert_eq!(h.dn.as_deref(), Some(s.account(&s.honeytoken).dn.as_str()));
    assert_eq!(h.enabled, Some(true));
    assert_eq!(ad(&inv.ata.honeytokens[1]).map(|a| a.found), Some(false));
    assert!(
        inv.ata.honeytokens[2].ad.is_none(),
        "a foreign SID is not declared missing"
    );

    let carol = ad(&inv.ata.sensitive[0]).unwrap();
    assert_eq!((carol.found, carol.name.as_deref()), (true, Some("carol")));
    let bob = ad(&inv.ata.sensitive[1]).unwrap();
    assert_eq!((bob.found, bob.name.as_deref()), (true, Some("bob")));
    // Escaped: "*" and a filter fragment are names, not wildcards.
    for e in &inv.ata.sensitive[2..4] {
        assert_eq!(e.ad.as_ref().map(|a| a.found), Some(false), "{:?}", e);
    }
    assert!(ad(&inv.ata.sensitive[4]).unwrap().found);

    let ws = inv.ata.exclusions[0].entity.as_ref().unwrap();
    assert_eq!(ws.id, ws01_guid);
    assert_eq!(ws.ad.as_ref().unwrap().name.as_deref(), Some("WS01$"));

    assert_eq!(inv.ata.gateways[0].kind, GatewayKind::LightweightGateway);
    // ATAGW01's host is not among the directory's DCs: a full ATA Gateway (issue 15.1).
    assert_eq!(inv.ata.gateways[1].kind, GatewayKind::Gateway);

    let nf: Vec<&str> = inv.not_found.iter().map(|n| n.item.as_str()).collect();
    assert!(
        nf.iter()
            .any(|i| i.contains("ht-2") && i.contains("is not in Active Directory")),
        "{nf:?}"
    );
    assert!(
        nf.iter()
            .any(|i| i.contains("ht-3") && i.contains("not a domain of this forest")),
        "{nf:?}"
    );
    assert!(
        nf.iter()
            .any(|i| i.contains("s-3") && i.contains("is not in Active Directory")),
        "{nf:?}"
    );
    assert!(nf.iter().any(|i| i.contains("s-4")), "{nf:?}");
    assert_eq!(nf.len(), 4, "{nf:?}");

    // The proof that escaping mattered: the same values unescaped match every account.
    let server = Server::parse(&s.ldaps_url).unwrap();
    let mut conn = Conn::open(&server, &tls()).await.unwrap();
    conn.bind(&s.admin_upn, &secret(&s.admin_password))
        .await
        .unwrap();
    let raw = conn
        .search(&Search::new(
            &s.base_dn,
            Scope::Subtree,
            "(sAMAccountName=*)",
            &["cn"],
        ))
        .await;
    assert!(
        raw.entries.len() > 10,
        "an unescaped `*` would have matched {} objects",
        raw.entries.len()
    );
}

#[tokio::test]
async fn the_directory_services_account_its_privileges_and_deleted_objects() {
    let s = samba();
    let cases = [
        (s.dsa.as_str(), Some(true)),
        // Default ACL: it lists nothing while the admin bind sees the deleted user.
        (s.dsa_without_deleted_objects.as_str(), Some(false)),
    ];
    for (name, readable) in cases {
        let mut src = admin_source();
        src.dsa_passwords
            .push(None, secret(&s.account(name).password));
        let inv = collect(
            &DirectorySources {
                ldap: Some(src),
                ldif: Vec::new(),
            },
            AtaInventory {
                directory_services_accounts: vec![dsa(name)],
                ..AtaInventory::default()
            },
        )
        .await;
        let f = inv.directory.unwrap().directory_services_account.unwrap();
        assert!(f.found, "{name}");
        assert_eq!(f.kind, AccountKind::User);
        assert_eq!(f.enabled, Some(true));
        assert_eq!(f.dn.as_deref(), Some(s.account(name).dn.as_str()));
        assert!(f.pwd_last_set.is_some());
        assert!(
            f.sensitive_groups.is_empty(),
            "{name}: {:?}",
            f.sensitive_groups
        );
        assert_eq!(
            f.deleted_objects_readable, readable,
            "{name}: {:?}",
            f.deleted_objects_note
        );
        assert!(
            f.identified_by
                .unwrap()
                .starts_with("ATA directory services account")
        );
    }

    // Over-privileged, and a wrong DSA password leaves Deleted Objects undecided.
    let mut src = admin_source();
    src.dsa_passwords.push(None, secret("not-the-password"));
    let inv = collect(
        &DirectorySources {
            ldap: Some(src),
            ldif: Vec::new(),
        },
        AtaInventory {
            directory_services_accounts: vec![dsa(&s.dsa_privileged)],
            ..AtaInventory::default()
        },
    )
    .await;
    let f = inv.directory.unwrap().directory_services_account.unwrap();
    for g in ["Domain Admins", "Administrators"] {
        assert!(
            f.sensitive_groups.iter().any(|x| x == g),
            "{:?}",
            f.sensitive_groups
        );
    }
    assert_eq!(f.deleted_objects_readable, None);
    let note = f.deleted_objects_note.unwrap();
    assert!(
        note.contains("52e") && note.contains("not tested"),
        "{note}"
    );

    // A gMSA named without its `$`, and an account that does not exist.
    let gmsa_sam = ata2atp::directory::entry::rdn_value(&s.gmsa_dn).to_string();
    for (name, kind, found) in [
        (gmsa_sam.as_str(), AccountKind::Gmsa, true),
        ("svc-nobody", AccountKind::User, false),
    ] {
        let inv = collect(
            &DirectorySources {
                ldap: Some(admin_source()),
                ldif: Vec::new(),
            },
            AtaInventory {
                directory_services_accounts: vec![dsa(name)],
                ..AtaInventory::default()
            },
        )
        .await;
        let f = inv.directory.unwrap().directory_services_account.unwrap();
        assert_eq!((f.kind, f.found), (kind, found), "{name}");
        assert!(f.deleted_objects_note.unwrap().starts_with("not tested"));
    }
}

/// Issue 15.2: every account ATA names is tested alike, each with its own password, and
/// each gets its own Deleted Objects verdict.
#[tokio::test]
async fn every_directory_services_account_gets_its_own_deleted_objects_test() {
    let s = samba();
    let mut src = admin_source();
    let nodel = s.account(&s.dsa_without_deleted_objects);
    src.dsa_passwords
        .push(None, secret(&s.account(&s.dsa).password));
    src.dsa_passwords.push(
        Some(format!(
            "{}\\{}",
            s.netbios_domain, s.dsa_without_deleted_objects
        )),
        secret(&nodel.password),
    );
    let inv = collect(
        &DirectorySources {
            ldap: Some(src),
            ldif: Vec::new(),
        },
        AtaInventory {
            directory_services_accounts: vec![
                dsa(&s.dsa),
                dsa(&s.dsa_without_deleted_objects),
                dsa(&s.dsa_privileged),
            ],
            ..AtaInventory::default()
        },
    )
    .await;
    let dir = inv.directory.unwrap();
    let all: Vec<(&str, Option<bool>)> = dir
        .directory_services_accounts()
        .map(|f| (f.name.as_str(), f.deleted_objects_readable))
        .collect();
    assert_eq!(
        all,
        vec![
            (s.dsa.as_str(), Some(true)),
            (s.dsa_without_deleted_objects.as_str(), Some(false)),
            (s.dsa_privileged.as_str(), None),
        ]
    );
    // No password for the third: not tested, and it says so.
    let third = &dir.additional_directory_services_accounts[1];
    assert!(
        third
            .deleted_objects_note
            .as_deref()
            .unwrap()
            .starts_with("not tested"),
        "{:?}",
        third.deleted_objects_note
    );
    assert!(!third.sensitive_groups.is_empty());
}

#[tokio::test]
async fn every_bind_form_works_and_every_refusal_is_named() {
    let s = samba();
    let a = s.account(&s.dsa);
    for user in [
        a.upn.clone(),
        a.dn.clone(),
        format!("{}\\{}", s.netbios_domain, s.dsa),
    ] {
        for url in [&s.ldaps_url, &s.ldap_url] {
            let r = test_credentials(url, &tls(), &user, &secret(&a.password))
                .await
                .unwrap();
            assert_eq!(r.outcome.as_str(), "ok", "{user} on {url}: {}", r.message);
            assert_eq!(exit::for_credentials(r.outcome), 0);
        }
    }
    // What Samba really answers, as scripts/README.md measured it.
    let f = &s.bind_failures;
    let cases = [
        (
            a.upn.clone(),
            "wrong-password".to_string(),
            "wrong_password",
            "data 52e",
        ),
        (
            s.account(&f.disabled).upn.clone(),
            s.account(&f.disabled).password.clone(),
            "disabled",
            "data 533",
        ),
        (
            s.account(&f.must_change_password).upn.clone(),
            s.account(&f.must_change_password).password.clone(),
            "must_change_password",
            "data 773",
        ),
        (
            s.account(&f.expired).upn.clone(),
            s.account(&f.expired).password.clone(),
            "account_expired",
            "data 701",
        ),
        (
            s.account(&f.locked_out).upn.clone(),
            s.account(&f.locked_out).password.clone(),
            "locked_out",
            "data 775",
        ),
        (
            format!("nobody@{}", s.dns_domain),
            "x".to_string(),
            "wrong_password",
            "data 52e",
        ),
    ];
    for (user, pw, outcome, said) in cases {
        let r = test_credentials(&s.ldaps_url, &tls(), &user, &secret(&pw))
            .await
            .unwrap();
        assert_eq!(r.outcome.as_str(), outcome, "{user}: {}", r.message);
        assert_eq!(exit::for_credentials(r.outcome), 1);
        assert!(
            r.server_said.as_deref().unwrap_or("").contains(said),
            "{user}: {:?}",
            r.server_said
        );
        assert!(
            !r.message.contains(&pw) || pw.len() < 3,
            "password in the message"
        );
    }
    // An empty password is refused before any bind.
    let e = test_credentials(&s.ldaps_url, &tls(), &a.upn, &secret(""))
        .await
        .unwrap_err();
    assert_eq!(exit::for_kind(e.kind()), 2, "{e}");
    assert!(e.to_string().contains("anonymous"), "{e}");
}

#[tokio::test]
async fn connection_and_tls_failures_get_their_own_words() {
    let s = samba();
    let a = s.account(&s.dsa);
    let pw = secret(&a.password);
    let untrusted = TlsOptions {
        ca_file: Some(support::servers::servers().tls.untrusted_ca_pem.clone()),
        insecure: false,
    };
    let system_roots = TlsOptions::default();
    let cases: Vec<(String, TlsOptions, &str, &str)> = vec![
        (
            s.ldaps_url.clone(),
            untrusted.clone(),
            "tls_failure",
            "certificate not trusted",
        ),
        (
            s.ldap_url.clone(),
            untrusted,
            "tls_failure",
            "certificate not trusted",
        ),
        (
            s.ldaps_url.clone(),
            system_roots,
            "tls_failure",
            "pass --ca-file",
        ),
        // The certificate names localhost and 127.0.0.1 only; `vm` resolves to 127.0.0.1.
        (
            s.ldaps_url.replace("127.0.0.1", "vm"),
            tls(),
            "tls_failure",
            "not valid for `vm`",
        ),
        (
            "ldaps://127.0.0.1:389".into(),
            tls(),
            "tls_failure",
            "LDAPS port",
        ),
        (
            "ldaps://127.0.0.1:1".into(),
            tls(),
            "unreachable",
            "connection refused",
        ),
    ];
    for (url, t, outcome, words) in cases {
        let r = test_credentials(&url, &t, &a.upn, &pw).await.unwrap();
        assert_eq!(r.outcome.as_str(), outcome, "{url}: {}", r.message);
        assert!(r.message.contains(words), "{url}: {}", r.message);
        assert_eq!(exit::for_credentials(r.outcome), 3);
    }
    // --insecure connects to anything, and says so in the inventory.
    let mut src = source(&a.upn, &a.password);
    src.insecure = true;
    src.ca_file = None;
    let inv = collect(
        &DirectorySources {
            ldap: Some(src),
            ldif: Vec::new(),
        },
        AtaInventory::default(),
    )
    .await;
    assert!(
        inv.sources[0].location.contains("--insecure"),
        "{}",
        inv.sources[0].location
    );
    assert!(
        inv.directory
            .unwrap()
            .notes
            .iter()
            .any(|n| n.contains("not verified"))
    );
}

#[test]
fn check_dsa_command_answers_in_one_line_with_exit_codes() {
    let s = samba();
    let a = s.account(&s.dsa);
    let run = |pw: &str, url: &str| {
        let out = ata2atp()
            .args([
                "check",
                "dsa",
                "--ldap",
                url,
                "--user",
                &a.upn,
                "--password-env",
                "DSA_PW",
                "--ca-file",
            ])
            .arg(&s.ca_pem)
            .env("DSA_PW", pw)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, _) = run(&a.password, &s.ldaps_url);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("ok: ") && out.lines().count() == 1, "{out}");
    let (code, out, _) = run("wrong", &s.ldaps_url);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with("wrong password: ") && out.lines().count() == 1,
        "{out}"
    );
    let (code, out, _) = run(&a.password, "ldaps://127.0.0.1:1");
    assert_eq!(code, Some(3), "{out}");
    assert!(out.starts_with("server unreachable: "), "{out}");
    // Empty password (from a file holding only a newline): refused, exit 2, no bind.
    let dir = tempfile::tempdir().unwrap();
    let pwfile = dir.path().join("pw");
    std::fs::write(&pwfile, "\n").unwrap();
    let out = ata2atp()
        .args([
            "check",
            "dsa",
            "--ldap",
            &s.ldaps_url,
            "--user",
            &a.upn,
            "--password-file",
        ])
        .arg(&pwfile)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
    // JSON for scripts.
    let out = ata2atp()
        .args([
            "-o",
            "json",
            "check",
            "dsa",
            "--ldap",
            &s.ldaps_url,
            "--user",
            &a.upn,
            "--password-env",
            "DSA_PW",
            "--ca-file",
        ])
        .arg(&s.ca_pem)
        .env("DSA_PW", "wrong")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "wrong_password");
}

/// The Linux half of `ata2atp collector ldif`, run for real against Samba.
fn export_with_ldapsearch(dir: &Path, user: &str, password: &str) -> Vec<PathBuf> {
    let s = samba();
    let commands = ata2atp::directory::collector_commands();
    let linux = commands
        .split("## Linux/macOS")
        .nth(1)
        .expect("the collector prints ldapsearch commands");
    let script: String = linux
        .lines()
        .skip(1) // the rest of the heading line
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            if l.starts_with("H=") {
                format!("H={}", s.ldaps_url)
            } else if l.starts_with("U=") {
                format!("U='{user}'")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("pw"), password).unwrap();
    std::fs::write(dir.join("export.sh"), format!("{script}\n")).unwrap();
    let out = std::process::Command::new("bash")
        .arg("export.sh")
        .current_dir(dir)
        .env("LDAPTLS_CACERT", &s.ca_pem)
        .output()
        .unwrap();
    // ldapsearch exits 32 for the missing KDS container; that is part of the export.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ldif"))
        .collect();
    files.sort();
    // 0-7 the directory (with the optional features), 8-11 the auditing entries (SACLs),
    // CN=Services and AD FS.
    assert_eq!(files.len(), 12, "{files:?}");
    files
}

#[tokio::test]
async fn an_ldif_export_gives_the_same_directory_section_as_the_live_read() {
    let s = samba();
    // Both reads include the domain head's SACL, which the auditing test changes.
    let _sacl = support::servers::samba_sacl_lock();
    let (honey_sid, _) = ids_of(&s.honeytoken).await;
    let (_, carol_guid) = ids_of("carol").await;
    let ata = AtaInventory {
        directory_services_accounts: vec![dsa(&s.dsa_privileged)],
        honeytokens: vec![entity("ht-1", None, Some(&honey_sid), EntityType::User)],
        sensitive: vec![
            entity(&carol_guid, None, None, EntityType::User),
            entity("s-2", Some("bob"), None, EntityType::User),
            entity("s-3", Some("ghost"), None, EntityType::User),
        ],
        gateways: vec![gateway("RODC1")],
        ..AtaInventory::default()
    };
    let live = collect(
        &DirectorySources {
            ldap: Some(admin_source()),
            ldif: Vec::new(),
        },
        ata.clone(),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let files = export_with_ldapsearch(dir.path(), &s.admin_upn, &s.admin_password);
    let offline = collect(
        &DirectorySources {
            ldap: None,
            ldif: files,
        },
        ata,
    )
    .await;
    let (mut a, mut b) = (
        live.directory.clone().unwrap(),
        offline.directory.clone().unwrap(),
    );
    // The live read names the bind account only when ATA names no DSA: here ATA does.
    assert_eq!(a.directory_services_account, b.directory_services_account);
    a.directory_services_account = None;
    b.directory_services_account = None;
    assert_eq!(a.domain_controllers, b.domain_controllers);
    assert_eq!(a.privileged_groups, b.privileged_groups);
    assert_eq!(a, b);
    assert_eq!(live.ata, offline.ata);
    assert_eq!(live.not_found, offline.not_found);
    assert!(
        offline
            .sources
            .iter()
            .all(|src| src.status == SourceStatus::Ok),
        "{:?}",
        offline.sources
    );
}

#[tokio::test]
async fn a_global_catalog_is_read_when_given() {
    let s = samba();
    let (alice_sid, _) = ids_of("alice").await;
    let mut src = admin_source();
    // Samba serves the global catalog on 3268/3269 (LDAPS with the same certificate).
    src.gc_url = Some(s.ldaps_url.replace(":636", ":3269"));
    let inv = collect(
        &DirectorySources {
            ldap: Some(src),
            ldif: Vec::new(),
        },
        AtaInventory {
            honeytokens: vec![
                entity("ht-1", None, Some(&alice_sid), EntityType::User),
                entity("ht-2", None, Some("S-1-5-21-1-2-3-1105"), EntityType::User),
            ],
            ..AtaInventory::default()
        },
    )
    .await;
    assert_eq!(
        inv.sources[0].status,
        SourceStatus::Ok,
        "{:?}",
        inv.sources[0].error
    );
    assert!(inv.ata.honeytokens[0].ad.as_ref().unwrap().found);
    // With every domain of the forest searched (through the GC), a SID of no domain of
    // the forest is named as such.
    assert!(inv.ata.honeytokens[1].ad.is_none());
    assert!(
        inv.not_found[0]
            .item
            .contains("not a domain of this forest"),
        "{:?}",
        inv.not_found
    );
    assert_eq!(inv.directory.unwrap().domain_controllers.len(), 3);
}

/// `ata2atp check` given the account's password binds to the engagement's recorded LDAP
/// source as the inventory's directory services account, and `dsa.credentials` judges it.
#[test]
fn check_with_the_dsa_password_judges_the_credentials() {
    let s = samba();
    let a = s.account(&s.dsa);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("engagement");
    let out = ata2atp()
        .arg("init")
        .arg(&root)
        .args([
            "--customer",
            "Samba Test Corp",
            "--consultant",
            "Test Consultant",
            "--ldap",
            &s.ldaps_url,
            "--ca-file",
        ])
        .arg(&s.ca_pem)
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    let engagement = ata2atp::engagement::Engagement::open(&root).unwrap();
    let mut inv = Inventory::new(Utc::now());
    inv.ata.directory_services_accounts = vec![dsa(&s.dsa)];
    engagement.lock().unwrap().save_inventory(&inv).unwrap();
    drop(engagement);

    let run = |pw: &str| {
        let out = ata2atp()
            .arg("--engagement")
            .arg(&root)
            .args([
                "-o",
                "json",
                "check",
                "--only",
                "dsa.credentials",
                "--no-network",
                "--dsa-password-env",
                "DSA_PW",
            ])
            .env("DSA_PW", pw)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let result = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "dsa.credentials")
            .cloned()
            .unwrap_or_else(|| panic!("no dsa.credentials in {v}"));
        (out.status.code(), result)
    };
    let (code, r) = run(&a.password);
    assert_eq!(r["status"], "pass", "{r}");
    assert_eq!(code, Some(0), "{r}");
    let (code, r) = run("not-the-password");
    assert_eq!(r["status"], "fail", "{r}");
    assert!(r.to_string().contains("wrong password"), "{r}");
    assert_eq!(code, Some(1), "{r}");
    // The password never reaches checks.yaml.
    let saved = std::fs::read_to_string(root.join("checks.yaml")).unwrap();
    assert!(!saved.contains(&a.password) && !saved.contains("not-the-password"));
}

/// Issue 15.2: `check dsa` without --user tests every account of the inventory, each
/// with its own password; `check` judges each account's `dsa.credentials`.
#[test]
fn check_dsa_tests_every_account_of_the_inventory() {
    let s = samba();
    let first = s.account(&s.dsa);
    let second = s.account(&s.dsa_without_deleted_objects);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("engagement");
    let out = ata2atp()
        .arg("init")
        .arg(&root)
        .args([
            "--customer",
            "Samba Test Corp",
            "--ldap",
            &s.ldaps_url,
            "--ca-file",
        ])
        .arg(&s.ca_pem)
        .output()
        .unwrap();
    support::commands::assert_success(&out);
    let engagement = ata2atp::engagement::Engagement::open(&root).unwrap();
    let mut inv = Inventory::new(Utc::now());
    inv.ata.directory_services_accounts = vec![dsa(&s.dsa), dsa(&s.dsa_without_deleted_objects)];
    engagement.lock().unwrap().save_inventory(&inv).unwrap();
    drop(engagement);
    let second_label = format!("{}\\{}", s.dns_domain, s.dsa_without_deleted_objects);
    let run = |args: &[&str], a: &str, b: &str| {
        let out = ata2atp()
            .arg("--engagement")
            .arg(&root)
            .args(args)
            .env("A_PW", a)
            .env("B_PW", b)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let named = format!("{second_label}=B_PW");
    let both = [
        "check",
        "dsa",
        "--password-env",
        "A_PW",
        "--password-env",
        named.as_str(),
    ];
    let (code, out, err) = run(&both, &first.password, &second.password);
    assert_eq!(code, Some(0), "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines.iter().all(|l| l.starts_with("ok: ")), "{out}");
    assert!(lines[1].contains(&s.dsa_without_deleted_objects), "{out}");
    let (code, out, _) = run(&both, &first.password, "wrong");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.lines().nth(1).unwrap().starts_with("wrong password: "),
        "{out}"
    );
    // No password for the second account: bad input, before any bind.
    let (code, out, err) = run(
        &["check", "dsa", "--password-env", "A_PW"],
        &first.password,
        "",
    );
    assert_eq!(code, Some(2), "{out}");
    assert!(err.contains(&second_label) && err.contains("=VAR"), "{err}");
    // A password for an account the inventory does not name is a typo: refused.
    let (code, _, err) = run(
        &[
            "check",
            "dsa",
            "--password-env",
            "A_PW",
            "--password-env",
            "svc-nobody=B_PW",
        ],
        &first.password,
        &second.password,
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("svc-nobody"), "{err}");
    // JSON: one object per account.
    let mut json = vec!["-o", "json"];
    json.extend(both);
    let (_, out, _) = run(&json, &first.password, "wrong");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let outcomes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["ok", "wrong_password"]);

    // `check` judges each account: subject = the account.
    let (code, out, err) = run(
        &[
            "-o",
            "json",
            "check",
            "--only",
            "dsa.credentials",
            "--no-network",
            "--dsa-password-env",
            "A_PW",
            "--dsa-password-env",
            named.as_str(),
        ],
        &first.password,
        "wrong",
    );
    assert_eq!(code, Some(1), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results: Vec<(String, String)> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == "dsa.credentials")
        .map(|r| {
            (
                r["subject"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        results,
        vec![
            (format!("{}\\{}", s.dns_domain, s.dsa), "pass".to_string()),
            (second_label, "fail".to_string())
        ]
    );
}

/// Issue 19.1: the AD Recycle Bin, both ways, on the real Samba. test-env.sh exported the
/// forest's state as provisioned (not enabled) with ldapsearch, then enabled it: the live
/// read says enabled, that export says not, and `forest.recycle_bin` judges each.
#[tokio::test]
async fn the_recycle_bin_is_read_enabled_live_and_disabled_from_before() {
    let s = samba();
    let judge = |inv: Inventory| {
        let o = ata2atp::checks::directory::recycle_bin(&inv);
        (inv.directory.unwrap().recycle_bin.unwrap(), o)
    };
    let live = collect(
        &DirectorySources {
            ldap: Some(admin_source()),
            ldif: Vec::new(),
        },
        AtaInventory::default(),
    )
    .await;
    let (rb, o) = judge(live);
    assert_eq!(rb.enabled, Some(true), "{}", rb.evidence);
    assert!(
        rb.evidence
            .starts_with("msDS-EnabledFeatureBL of CN=Recycle Bin Feature"),
        "{}",
        rb.evidence
    );
    assert_eq!(o.status, Status::Pass, "{}", o.reason);

    let before = collect(
        &DirectorySources {
            ldap: None,
            ldif: vec![s.recycle_bin_disabled_ldif.clone()],
        },
        AtaInventory::default(),
    )
    .await;
    let (rb, o) = judge(before);
    assert_eq!(rb.enabled, Some(false), "{}", rb.evidence);
    assert_eq!(o.status, Status::Fail, "{}", o.reason);
    assert!(
        o.remediation
            .as_deref()
            .unwrap()
            .contains("Enable-ADOptionalFeature"),
        "{o:?}"
    );
}
