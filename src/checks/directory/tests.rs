//! Unit tests of the forest and directory services account checks.

use super::*;
use crate::model::{DirectoryServicesAccount, DirectoryServicesAccountFacts, Forest};

fn inv_with(level: Option<u32>) -> Inventory {
    let mut inv = Inventory::new(Utc::now());
    inv.directory = Some(DirectoryInventory {
        forest: Forest {
            root_domain: "example.test".into(),
            functional_level: level,
            functional_level_name: None,
            schema_version: None,
        },
        ..Default::default()
    });
    inv
}

fn account(kind: AccountKind) -> DirectoryServicesAccountFacts {
    DirectoryServicesAccountFacts {
        named_as: Some("example.test\\svc-atp".into()),
        domain: Some("example.test".into()),
        dn: Some("CN=svc-atp,CN=Users,DC=example,DC=test".into()),
        found: true,
        enabled: Some(true),
        locked_out: Some(false),
        password_never_expires: Some(true),
        password_expires: Some("never".into()),
        deleted_objects_note: Some("not bound as the account".into()),
        ..DirectoryServicesAccountFacts::named("svc-atp", kind)
    }
}

fn ata_account(user: &str, domain: &str) -> DirectoryServicesAccount {
    DirectoryServicesAccount {
        user: user.into(),
        domain: Some(domain.into()),
        secret_present: true,
        found_at: None,
    }
}

fn one(v: Vec<(Option<String>, Outcome)>) -> Outcome {
    assert_eq!(v.len(), 1, "{v:?}");
    v.into_iter().next().unwrap().1
}

#[test]
fn recycle_bin_enabled_passes_not_enabled_fails_unread_is_unknown() {
    let mut inv = inv_with(Some(3));
    assert_eq!(recycle_bin(&inv).status, Status::Unknown);
    let set = |inv: &mut Inventory, enabled| {
        inv.directory.as_mut().unwrap().recycle_bin = Some(crate::model::RecycleBin {
            enabled,
            evidence: "said so".into(),
        });
    };
    set(&mut inv, Some(true));
    assert_eq!(recycle_bin(&inv).status, Status::Pass);
    set(&mut inv, Some(false));
    let o = recycle_bin(&inv);
    assert_eq!(o.status, Status::Fail);
    assert!(
        o.remediation
            .unwrap()
            .starts_with("raise the forest functional level"),
        "below 2008 R2 the level comes first"
    );
    assert_eq!(o.evidence["evidence"], "said so");
    set(&mut inv, None);
    assert_eq!(recycle_bin(&inv).status, Status::Unknown);
    assert_eq!(
        recycle_bin(&Inventory::new(Utc::now())).status,
        Status::Unknown
    );
}

#[test]
fn forest_level_2_passes_1_fails() {
    assert_eq!(forest_level(&inv_with(Some(2))).status, Status::Pass);
    let o = forest_level(&inv_with(Some(1)));
    assert_eq!(o.status, Status::Fail);
    assert!(o.reason.contains("2003 interim"), "{}", o.reason);
    assert_eq!(forest_level(&inv_with(None)).status, Status::Unknown);
    assert_eq!(
        forest_level(&Inventory::new(Utc::now())).status,
        Status::Unknown
    );
}

#[test]
fn dsa_checks_from_the_inventory() {
    let now = Utc::now();
    let none = BTreeMap::new();
    let mut inv = inv_with(Some(7));
    // No account known: one Unknown result with a reason.
    assert_eq!(one(privileges(&inv)).status, Status::Unknown);
    assert_eq!(
        one(credentials(&inv, &none, "pass --dsa-password-env", now)).status,
        Status::Unknown
    );

    let mut a = account(AccountKind::Gmsa);
    a.sensitive_groups = vec!["Domain Admins".into()];
    inv.directory.as_mut().unwrap().directory_services_account = Some(a);
    inv.directory.as_mut().unwrap().kds_root_key_present = Some(false);
    assert_eq!(one(privileges(&inv)).status, Status::Warn);
    assert_eq!(one(gmsa_kds(&inv)).status, Status::Fail);
    assert_eq!(one(deleted_objects(&inv)).status, Status::Unknown);
    inv.directory.as_mut().unwrap().kds_root_key_present = Some(true);
    assert_eq!(one(gmsa_kds(&inv)).status, Status::Pass);
    // The bind account (ATA named none) is the subject.
    assert_eq!(
        privileges(&inv)[0].0.as_deref(),
        Some("example.test\\svc-atp")
    );

    let label = "example.test\\svc-atp".to_string();
    let o = one(credentials(
        &inv,
        &none,
        "pass --dsa-password-env VAR to test the account",
        now,
    ));
    assert_eq!(o.status, Status::Unknown);
    assert!(o.reason.contains("--dsa-password-env"));
    let tested = |t: DsaTestOutcome| BTreeMap::from([(label.clone(), t)]);
    let ok = tested(DsaTestOutcome::Valid {
        server: "dc1".into(),
    });
    assert_eq!(one(credentials(&inv, &ok, "", now)).status, Status::Pass);
    let bad = tested(DsaTestOutcome::Rejected {
        server: "dc1".into(),
        detail: "data 52e".into(),
    });
    assert_eq!(one(credentials(&inv, &bad, "", now)).status, Status::Fail);
    let why = tested(DsaTestOutcome::NotAttempted {
        reason: "not tested: no LDAP source".into(),
    });
    let o = one(credentials(&inv, &why, "", now));
    assert_eq!(
        (o.status, o.reason.as_str()),
        (Status::Unknown, "not tested: no LDAP source")
    );
    let facts = |inv: &mut Inventory| {
        inv.directory
            .as_mut()
            .unwrap()
            .directory_services_account
            .as_mut()
            .unwrap()
            .clone()
    };
    let set = |inv: &mut Inventory, f: DirectoryServicesAccountFacts| {
        inv.directory.as_mut().unwrap().directory_services_account = Some(f);
    };
    // A password expiring within 30 days: Warn even untested.
    let mut f = facts(&mut inv);
    f.kind = AccountKind::User;
    f.password_expires_at = Some(now + chrono::Duration::days(3));
    set(&mut inv, f.clone());
    let o = one(credentials(&inv, &none, "untested", now));
    assert_eq!(o.status, Status::Warn);
    assert!(
        o.reason.contains("(in 2 days)") || o.reason.contains("(in 3 days)"),
        "{}",
        o.reason
    );
    assert!(o.reason.contains("untested"), "{}", o.reason);
    // Seed 002's rule is said of every user account.
    assert!(o.evidence["on_password_change"].contains("The supplied credential is invalid."));
    f.password_expires_at = Some(now + chrono::Duration::days(31));
    set(&mut inv, f.clone());
    assert_eq!(
        one(credentials(&inv, &none, "untested", now)).status,
        Status::Unknown
    );
    // An expired password fails without a test.
    f.password_expires_at = Some(now - chrono::Duration::days(1));
    set(&mut inv, f.clone());
    let o = one(credentials(&inv, &none, "untested", now));
    assert_eq!(o.status, Status::Fail);
    assert!(o.reason.contains("its password expired on"), "{}", o.reason);
    f.password_expires_at = None;
    f.enabled = Some(false);
    set(&mut inv, f);
    assert_eq!(one(credentials(&inv, &none, "", now)).status, Status::Fail);

    // Two accounts in ATA: one result each, the second not looked up.
    inv.ata.directory_services_accounts = vec![
        ata_account("SVC-ATP", "example.test"),
        ata_account("svc-other", "child.example.test"),
    ];
    let mut f = facts(&mut inv);
    f.named_as = Some("example.test\\SVC-ATP".into());
    set(&mut inv, f);
    let m = matches_ata(&inv);
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].0.as_deref(), Some("example.test\\SVC-ATP"));
    assert_eq!(m[0].1.status, Status::Pass);
    assert_eq!(m[1].0.as_deref(), Some("child.example.test\\svc-other"));
    assert_eq!(m[1].1.status, Status::Unknown);
    assert!(
        m[1].1.reason.contains("was not looked up"),
        "{}",
        m[1].1.reason
    );
    assert_eq!(credentials(&inv, &none, "", now).len(), 2);
    // The second, described too: each gets its own verdict.
    let mut other = account(AccountKind::User);
    other.name = "svc-other".into();
    other.named_as = Some("child.example.test\\svc-other".into());
    other.password_never_expires = Some(false);
    other.password_expires_at = Some(now - chrono::Duration::days(2));
    other.sensitive_groups = vec!["Domain Admins".into()];
    inv.directory
        .as_mut()
        .unwrap()
        .additional_directory_services_accounts
        .push(other);
    let p = privileges(&inv);
    assert_eq!((p[0].1.status, p[1].1.status), (Status::Warn, Status::Warn));
    let c = credentials(&inv, &none, "", now);
    assert_eq!((c[0].1.status, c[1].1.status), (Status::Fail, Status::Fail));
    assert!(
        c[1].1.reason.contains("password expired"),
        "{}",
        c[1].1.reason
    );
    let mut f = facts(&mut inv);
    f.found = false;
    set(&mut inv, f);
    assert_eq!(matches_ata(&inv)[0].1.status, Status::Fail);
}
