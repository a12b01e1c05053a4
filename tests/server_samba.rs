//! The LDAP client the product uses (`ldap3` with rustls) against a real Samba AD DC:
//! AD bind semantics and error sub-codes, rootDSE, DC/RODC detection, privileged groups,
//! Deleted Objects. Read-only: no test writes to the directory, so they run in parallel.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::time::Duration;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry};

/// How a connection is secured.
#[derive(Clone, Copy, Debug)]
enum Transport {
    /// ldap:// upgraded with StartTLS, verified against the lab CA.
    StartTls,
    /// ldaps://, verified against the lab CA.
    Ldaps,
    /// ldaps:// trusting only the system roots (ldap3's default).
    LdapsSystemRoots,
}

async fn connect(transport: Transport) -> Result<Ldap, LdapError> {
    let s = &support::servers::servers().samba;
    let mut settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(10));
    let url = match transport {
        Transport::StartTls => {
            settings = settings
                .set_starttls(true)
                .set_config(support::servers::rustls_config(&s.ca_pem));
            &s.ldap_url
        }
        Transport::Ldaps => {
            settings = settings.set_config(support::servers::rustls_config(&s.ca_pem));
            &s.ldaps_url
        }
        Transport::LdapsSystemRoots => &s.ldaps_url,
    };
    let (conn, ldap) = LdapConnAsync::with_settings(settings, url).await?;
    ldap3::drive!(conn);
    Ok(ldap)
}

/// Connected over StartTLS and bound as `sam` (by UPN, as consultants type it).
async fn bound_as(sam: &str) -> Ldap {
    let a = support::servers::servers().samba.account(sam);
    let mut ldap = connect(Transport::StartTls)
        .await
        .expect("StartTLS with the lab CA");
    ldap.simple_bind(&a.upn, &a.password)
        .await
        .unwrap()
        .success()
        .unwrap_or_else(|e| panic!("bind as {} failed: {e}", a.upn));
    ldap
}

async fn search(
    ldap: &mut Ldap,
    base: &str,
    scope: Scope,
    filter: &str,
    attrs: &[&str],
) -> Vec<SearchEntry> {
    let (entries, _res) = ldap
        .search(base, scope, filter, attrs.to_vec())
        .await
        .unwrap()
        .success()
        .unwrap_or_else(|e| panic!("search {filter} under {base:?} failed: {e}"));
    entries.into_iter().map(SearchEntry::construct).collect()
}

fn sam_names(entries: &[SearchEntry]) -> Vec<String> {
    let mut v: Vec<String> = entries
        .iter()
        .map(|e| support::servers::first_str(e, "sAMAccountName").to_string())
        .collect();
    v.sort();
    v
}

/// rc and the AD sub-code ("data 52e" -> "52e") of a failed bind.
fn bind_failure(e: &LdapError) -> (u32, String) {
    match e {
        LdapError::LdapResult { result } => {
            let code = result
                .text
                .split("data ")
                .nth(1)
                .and_then(|t| t.split(',').next())
                .unwrap_or("")
                .to_string();
            (result.rc, code)
        }
        other => panic!("expected an LDAP result error, got {other:?}"),
    }
}

async fn try_bind(upn: &str, password: &str) -> Result<(), LdapError> {
    let mut ldap = connect(Transport::StartTls).await.unwrap();
    ldap.simple_bind(upn, password).await?.success()?;
    Ok(())
}

#[tokio::test]
async fn starttls_bind_reads_rootdse_and_finds_domain_controllers() {
    let s = &support::servers::servers().samba;
    let mut ldap = bound_as(&s.dsa).await;

    let root = search(
        &mut ldap,
        "",
        Scope::Base,
        "(objectClass=*)",
        &[
            "forestFunctionality",
            "domainFunctionality",
            "domainControllerFunctionality",
            "defaultNamingContext",
            "configurationNamingContext",
            "dnsHostName",
        ],
    )
    .await;
    let root = &root[0];
    let level = s.functional_level.to_string();
    assert_eq!(
        support::servers::first_str(root, "forestFunctionality"),
        level
    );
    assert_eq!(
        support::servers::first_str(root, "domainFunctionality"),
        level
    );
    assert_eq!(
        support::servers::first_str(root, "defaultNamingContext"),
        s.base_dn
    );
    assert_eq!(
        support::servers::first_str(root, "configurationNamingContext"),
        format!("CN=Configuration,{}", s.base_dn)
    );
    assert!(
        support::servers::first_str(root, "dnsHostName").eq_ignore_ascii_case(&s.dc_dns_hostname)
    );

    // Domain controllers: SERVER_TRUST_ACCOUNT (8192) in userAccountControl, bitwise.
    let dcs = search(
        &mut ldap,
        &s.base_dn,
        Scope::Subtree,
        "(userAccountControl:1.2.840.113556.1.4.803:=8192)",
        &[
            "sAMAccountName",
            "dNSHostName",
            "operatingSystem",
            "operatingSystemVersion",
        ],
    )
    .await;
    let dc1 = format!(
        "{}$",
        s.dc_dns_hostname.split('.').next().unwrap().to_uppercase()
    );
    assert_eq!(
        sam_names(&dcs),
        vec![dc1, format!("{}$", s.fake_dcs.writable)]
    );
    let dc2 = dcs
        .iter()
        .find(|e| {
            support::servers::first_str(e, "sAMAccountName") == format!("{}$", s.fake_dcs.writable)
        })
        .unwrap();
    assert_eq!(
        support::servers::first_str(dc2, "operatingSystem"),
        "Windows Server 2012 R2 Datacenter"
    );
    assert_eq!(
        support::servers::first_str(dc2, "operatingSystemVersion"),
        "6.3 (9600)"
    );
    assert_eq!(
        support::servers::first_str(dc2, "dNSHostName"),
        format!("dc2.{}", s.dns_domain)
    );

    // RODCs: PARTIAL_SECRETS_ACCOUNT (67108864).
    let rodcs = search(
        &mut ldap,
        &s.base_dn,
        Scope::Subtree,
        "(userAccountControl:1.2.840.113556.1.4.803:=67108864)",
        &["sAMAccountName"],
    )
    .await;
    assert_eq!(sam_names(&rodcs), vec![format!("{}$", s.fake_dcs.rodc)]);

    // The domain root's binary objectSid is the domain SID test-env.sh recorded.
    let domain = search(
        &mut ldap,
        &s.base_dn,
        Scope::Base,
        "(objectClass=*)",
        &["objectSid"],
    )
    .await;
    let sid = support::servers::first_bytes(&domain[0], "objectSid")
        .expect("objectSid on the domain root");
    assert_eq!(support::servers::sid_to_string(&sid), s.domain_sid);
    ldap.unbind().await.unwrap();
}

#[tokio::test]
async fn wrong_password_is_rc_49_with_data_52e() {
    let a = support::servers::servers()
        .samba
        .account(&support::servers::servers().samba.dsa);
    let err = try_bind(&a.upn, "not-the-password")
        .await
        .expect_err("a wrong password must fail");
    assert_eq!(bind_failure(&err), (49, "52e".to_string()), "{err}");
}

/// What Samba (like AD) answers for the directory-services-account failure modes, each
/// with the account's correct password. Recorded in scripts/README.md.
#[tokio::test]
async fn bind_failures_carry_ad_sub_codes() {
    let s = &support::servers::servers().samba;
    let cases = [
        (&s.bind_failures.disabled, "533"),
        (&s.bind_failures.must_change_password, "773"),
        (&s.bind_failures.expired, "701"),
        (&s.bind_failures.locked_out, "775"),
    ];
    for (sam, code) in cases {
        let a = s.account(sam);
        let err = try_bind(&a.upn, &a.password).await.expect_err(sam);
        assert_eq!(bind_failure(&err), (49, code.to_string()), "{sam}: {err}");
    }
}

#[tokio::test]
async fn ldaps_with_the_lab_ca_binds_and_searches() {
    let s = &support::servers::servers().samba;
    let a = s.account(&s.dsa);
    let mut ldap = connect(Transport::Ldaps)
        .await
        .expect("LDAPS with the lab CA");
    ldap.simple_bind(&a.upn, &a.password)
        .await
        .unwrap()
        .success()
        .unwrap();
    let me = search(
        &mut ldap,
        &s.base_dn,
        Scope::Subtree,
        &format!("(sAMAccountName={})", s.dsa),
        &["userPrincipalName"],
    )
    .await;
    assert_eq!(me.len(), 1);
    assert_eq!(me[0].dn, a.dn);
    assert_eq!(
        support::servers::first_str(&me[0], "userPrincipalName"),
        a.upn
    );
    ldap.unbind().await.unwrap();
}

#[tokio::test]
async fn ldaps_without_the_lab_ca_is_refused() {
    let Err(err) = connect(Transport::LdapsSystemRoots).await else {
        panic!("connected although the lab CA is not a system root");
    };
    let text = format!("{err:?}");
    assert!(
        text.contains("UnknownIssuer"),
        "expected a certificate error, got {text}"
    );
}

#[tokio::test]
async fn privileged_groups_resolve_transitively() {
    let s = &support::servers::servers().samba;
    let mut ldap = bound_as(&s.dsa).await;
    // LDAP_MATCHING_RULE_IN_CHAIN: members through nested groups too.
    let admins = format!("CN=Administrators,CN=Builtin,{}", s.base_dn);
    let filter = format!(
        "(&(objectClass=user)(memberOf:1.2.840.113556.1.4.1941:={}))",
        ldap3::ldap_escape(&admins)
    );
    let names = sam_names(
        &search(
            &mut ldap,
            &s.base_dn,
            Scope::Subtree,
            &filter,
            &["sAMAccountName"],
        )
        .await,
    );
    for expected in [
        "Administrator",
        "alice",
        "bob",
        "honey.admin",
        "svc-ata-priv",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n == &s.dsa),
        "the plain DSA must not be privileged: {names:?}"
    );

    let honey = search(
        &mut ldap,
        &s.base_dn,
        Scope::Subtree,
        &format!("(sAMAccountName={})", s.honeytoken),
        &["memberOf"],
    )
    .await;
    let member_of = honey[0].attrs.get("memberOf").cloned().unwrap_or_default();
    assert_eq!(
        member_of,
        vec![format!("CN=Domain Admins,CN=Users,{}", s.base_dn)]
    );
    ldap.unbind().await.unwrap();
}

#[tokio::test]
async fn deleted_objects_are_visible_only_to_the_granted_account() {
    use ldap3::controls::RawControl;
    let s = &support::servers::servers().samba;
    let show_deleted = RawControl {
        ctype: "1.2.840.113556.1.4.417".into(),
        crit: true,
        val: None,
    };
    let mut seen = Vec::new();
    for sam in [&s.dsa, &s.dsa_without_deleted_objects] {
        let mut ldap = bound_as(sam).await;
        let (entries, _) = ldap
            .with_controls(vec![show_deleted.clone()])
            .search(
                &s.deleted_objects_dn,
                Scope::Subtree,
                "(isDeleted=TRUE)",
                vec!["sAMAccountName"],
            )
            .await
            .unwrap()
            .success()
            .unwrap();
        let names: Vec<String> = entries
            .into_iter()
            .map(SearchEntry::construct)
            .map(|e| support::servers::first_str(&e, "sAMAccountName").to_string())
            .filter(|n| !n.is_empty())
            .collect();
        seen.push(names);
        ldap.unbind().await.unwrap();
    }
    assert_eq!(
        seen[0],
        vec![s.deleted_user.clone()],
        "{} (granted LCRP)",
        s.dsa
    );
    assert!(
        seen[1].is_empty(),
        "{} (default ACL) saw {:?}",
        s.dsa_without_deleted_objects,
        seen[1]
    );
}
