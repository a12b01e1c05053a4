//! The LDAP client the product uses (`ldap3` with rustls) against OpenLDAP slapd serving
//! a large, AD-shaped synthetic directory (scripts/gen-ad-ldif.py): paged searches over
//! every user, binary SIDs, the bitwise DC filter, LDAPS, and a bind user whose server
//! page-size limit is lower than the product's page size.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::collections::HashSet;
use std::time::Duration;

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry};

/// AD's sAMAccountType for a normal user account.
const USER_FILTER: &str = "(sAMAccountType=805306368)";

async fn connect(url: &str, tls: bool) -> Ldap {
    let s = &support::servers::servers().slapd;
    let mut settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(10));
    if tls {
        settings = settings.set_config(support::servers::rustls_config(&s.ca_pem));
    }
    let (conn, ldap) = LdapConnAsync::with_settings(settings, url)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    ldap3::drive!(conn);
    ldap
}

async fn bound(url: &str, tls: bool, dn: &str, password: &str) -> Ldap {
    let mut ldap = connect(url, tls).await;
    ldap.simple_bind(dn, password)
        .await
        .unwrap()
        .success()
        .unwrap_or_else(|e| panic!("bind as {dn}: {e}"));
    ldap
}

/// A paged search of every user; returns the SIDs seen, or the error that stopped it.
async fn paged_user_sids(ldap: &mut Ldap, page: i32) -> Result<Vec<String>, LdapError> {
    let s = &support::servers::servers().slapd;
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(page)),
    ];
    let mut stream = ldap
        .streaming_search_with(
            adapters,
            &s.base_dn,
            Scope::Subtree,
            USER_FILTER,
            vec!["sAMAccountName", "objectSid"],
        )
        .await?;
    let mut sids = Vec::new();
    while let Some(entry) = stream.next().await? {
        let entry = SearchEntry::construct(entry);
        let sid = support::servers::first_bytes(&entry, "objectSid")
            .unwrap_or_else(|| panic!("no objectSid on {}", entry.dn));
        sids.push(support::servers::sid_to_string(&sid));
    }
    stream.finish().await.success()?;
    Ok(sids)
}

async fn count(ldap: &mut Ldap, filter: &str) -> u64 {
    let base = &support::servers::servers().slapd.base_dn;
    let (entries, _) = ldap
        .search(base, Scope::Subtree, filter, vec!["sAMAccountName"])
        .await
        .unwrap()
        .success()
        .unwrap_or_else(|e| panic!("{filter}: {e}"));
    entries.len() as u64
}

#[tokio::test]
async fn paged_search_returns_every_user_with_a_unique_sid() {
    let s = &support::servers::servers().slapd;
    let mut ldap = bound(&s.ldap_url, false, &s.bind_dn, &s.bind_password).await;
    let sids = paged_user_sids(&mut ldap, 1000).await.unwrap();

    assert!(sids.len() >= 20_000, "only {} users", sids.len());
    assert_eq!(sids.len() as u64, s.user_objects);
    let prefix = format!("{}-", s.domain_sid);
    assert!(
        sids.iter().all(|sid| sid.starts_with(&prefix)),
        "a SID outside {}",
        s.domain_sid
    );
    let unique: HashSet<&String> = sids.iter().collect();
    assert_eq!(unique.len(), sids.len(), "duplicate SIDs");
    ldap.unbind().await.unwrap();
}

#[tokio::test]
async fn ldaps_with_the_lab_ca_serves_rootdse_and_dc_objects() {
    let s = &support::servers::servers().slapd;
    let mut ldap = bound(&s.ldaps_url, true, &s.bind_dn, &s.bind_password).await;

    let (root, _) = ldap
        .search(
            "",
            Scope::Base,
            "(objectClass=*)",
            vec![
                "forestFunctionality",
                "domainFunctionality",
                "defaultNamingContext",
            ],
        )
        .await
        .unwrap()
        .success()
        .unwrap();
    let root = SearchEntry::construct(root.into_iter().next().unwrap());
    assert_eq!(
        support::servers::first_str(&root, "forestFunctionality"),
        s.functional_level.to_string()
    );
    assert_eq!(
        support::servers::first_str(&root, "domainFunctionality"),
        s.functional_level.to_string()
    );
    assert_eq!(
        support::servers::first_str(&root, "defaultNamingContext"),
        s.base_dn
    );

    // The same bitwise filters the product sends to AD.
    assert_eq!(
        count(
            &mut ldap,
            "(userAccountControl:1.2.840.113556.1.4.803:=8192)"
        )
        .await,
        s.writable_dcs
    );
    assert_eq!(
        count(
            &mut ldap,
            "(userAccountControl:1.2.840.113556.1.4.803:=67108864)"
        )
        .await,
        s.rodcs
    );
    assert_eq!(
        count(&mut ldap, "(primaryGroupID=516)").await,
        s.writable_dcs
    );
    ldap.unbind().await.unwrap();
}

#[tokio::test]
async fn ldaps_without_the_lab_ca_is_refused() {
    let s = &support::servers::servers().slapd;
    let settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(10));
    let Err(err) = LdapConnAsync::with_settings(settings, &s.ldaps_url).await else {
        panic!("connected although the lab CA is not a system root");
    };
    assert!(format!("{err:?}").contains("UnknownIssuer"), "{err:?}");
}

/// The fixture for "the server's page-size limit is lower than ours": slapd refuses a
/// larger page outright (adminLimitExceeded, 11) where AD would shrink it silently;
/// pages within the limit still reach every entry.
#[tokio::test]
async fn limited_bind_user_refuses_pages_above_the_server_limit() {
    let s = &support::servers::servers().slapd;
    let mut ldap = bound(
        &s.ldap_url,
        false,
        &s.limited_bind_dn,
        &s.limited_bind_password,
    )
    .await;

    let err = paged_user_sids(&mut ldap, 1000)
        .await
        .expect_err("page 1000 is above the limit");
    match err {
        LdapError::LdapResult { result } => assert_eq!(result.rc, 11, "{result}"),
        other => panic!("expected an LDAP result, got {other:?}"),
    }

    let all = paged_user_sids(&mut ldap, s.limited_page_size)
        .await
        .unwrap();
    assert_eq!(all.len() as u64, s.user_objects);

    // Without paging the same user gets the first page only: sizeLimitExceeded (4).
    let unpaged = ldap
        .search(
            &s.base_dn,
            Scope::Subtree,
            USER_FILTER,
            vec!["sAMAccountName"],
        )
        .await
        .unwrap();
    assert_eq!(unpaged.1.rc, 4, "{}", unpaged.1);
    assert_eq!(unpaged.0.len(), s.limited_page_size as usize);
    ldap.unbind().await.unwrap();
}
