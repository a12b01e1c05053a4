//! The directory inventory against OpenLDAP with an AD-like schema and a large directory:
//! paging, a page-size limit lower than ours, IN_CHAIN missing (recursive expansion),
//! batched SID resolution, TLS both ways, and a connection cut in the middle of the read.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ata2atp::cli::exit;
use ata2atp::directory::dsa::test_credentials;
use ata2atp::directory::ldap::{Conn, Search, SearchFailure, Server, TlsOptions};
use ata2atp::directory::resolve::Wanted;
use ata2atp::directory::sid::Sid;
use ata2atp::directory::{DirectorySources, LdapSource, live};
use ata2atp::model::*;
use ata2atp::progress::Silent;
use ata2atp::secrets::SecretString;
use chrono::Utc;
use ldap3::Scope;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn slapd() -> &'static support::servers::Slapd {
    &support::servers::servers().slapd
}

/// A slapd count servers.json holds that `support::servers::Slapd` does not declare.
fn servers_json_u64(key: &str) -> u64 {
    let path = std::env::var_os(support::servers::SERVERS_ENV)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-env/servers.json")
        });
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["slapd"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("servers.json has no slapd.{key}"))
}

fn tls() -> TlsOptions {
    TlsOptions {
        ca_file: Some(slapd().ca_pem.clone()),
        insecure: false,
    }
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn source(url: &str, limited: bool) -> LdapSource {
    let s = slapd();
    let (dn, pw) = if limited {
        (&s.limited_bind_dn, &s.limited_bind_password)
    } else {
        (&s.bind_dn, &s.bind_password)
    };
    LdapSource {
        url: url.to_string(),
        bind_user: Some(dn.clone()),
        password: Some(secret(pw)),
        ca_file: Some(s.ca_pem.clone()),
        insecure: false,
        gc_url: None,
        dsa_passwords: Default::default(),
    }
}

/// SIDs of the first `n` staff users (the generator numbers RIDs from 1100).
fn user_sids(n: u32) -> Vec<String> {
    (0..n)
        .map(|i| format!("{}-{}", slapd().domain_sid, 1100 + i))
        .collect()
}

fn honeytokens(sids: &[String]) -> AtaInventory {
    AtaInventory {
        honeytokens: sids
            .iter()
            .enumerate()
            .map(|(i, sid)| Entity {
                id: format!("ht-{i}"),
                name: None,
                sid: Some(sid.clone()),
                kind: Some(EntityType::User),
                source: None,
                tag_evidence: None,
                ad: None,
            })
            .collect(),
        ..AtaInventory::default()
    }
}

async fn collect(src: LdapSource, ata: AtaInventory) -> Inventory {
    let mut inv = Inventory::new(Utc::now());
    inv.ata = ata;
    ata2atp::directory::collect_into(
        &DirectorySources {
            ldap: Some(src),
            ldif: Vec::new(),
        },
        &mut inv,
        &Silent,
    )
    .await
    .unwrap_or_else(|e| panic!("read failed: {e}"));
    inv
}

#[tokio::test]
async fn a_large_directory_is_read_and_groups_expanded_without_in_chain() {
    let s = slapd();
    let inv = collect(source(&s.ldaps_url, false), honeytokens(&user_sids(300))).await;
    assert_eq!(
        inv.sources[0].status,
        SourceStatus::Ok,
        "{:?}",
        inv.sources[0].error
    );
    let dir = inv.directory.as_ref().unwrap();
    assert!(!dir.partial);
    assert_eq!(dir.domain_controllers.len() as u64, s.dc_objects);
    assert_eq!(
        dir.domain_controllers
            .iter()
            .filter(|d| d.read_only)
            .count() as u64,
        s.rodcs
    );
    assert_eq!(dir.forest.functional_level, Some(s.functional_level));
    assert_eq!(dir.domains[0].sid.as_deref(), Some(s.domain_sid.as_str()));
    // slapd ignores the IN_CHAIN rule: members come from the recursive expansion.
    let da = dir
        .privileged_groups
        .iter()
        .find(|g| g.name == "Domain Admins")
        .unwrap();
    assert_eq!(da.members.len() as u64, servers_json_u64("domain_admins"));
    // Primary-group members: every writable DC is in Domain Controllers that way.
    let dcs = dir
        .privileged_groups
        .iter()
        .find(|g| g.name == "Domain Controllers")
        .unwrap();
    assert_eq!(dcs.members.len() as u64, s.writable_dcs);
    assert!(
        inv.ata
            .honeytokens
            .iter()
            .all(|h| h.ad.as_ref().is_some_and(|a| a.found))
    );
    assert!(inv.not_found.is_empty(), "{:?}", inv.not_found);
    // The bind account stands in for the DSA ATA did not name.
    let f = dir.directory_services_account.as_ref().unwrap();
    assert!(f.found && f.identified_by.as_deref().unwrap().contains("bind account"));
}

#[tokio::test]
async fn five_thousand_ids_resolve_in_batches_of_two_hundred() {
    let s = slapd();
    let server = Server::parse(&s.ldaps_url).unwrap();
    let _ = server;
    let inv = Inventory::new(Utc::now());
    let base = live::read(
        &source(&s.ldaps_url, false),
        &inv,
        &Wanted::default(),
        &Silent,
    )
    .await
    .unwrap();
    let sids = user_sids(5000);
    let wanted = Wanted {
        sids: sids.iter().map(|s| s.parse::<Sid>().unwrap()).collect(),
        ..Wanted::default()
    };
    let read = live::read(&source(&s.ldaps_url, false), &inv, &wanted, &Silent)
        .await
        .unwrap();
    let extra = read.searches - base.searches;
    assert!(extra <= 30, "{extra} searches for 5,000 SIDs");
    assert_eq!(extra, 25, "200 per search");
    let found = read
        .snapshot
        .entries()
        .filter(|e| e.sid().is_some_and(|x| sids.contains(&x.to_string())))
        .count();
    assert_eq!(found, 5000);
}

#[tokio::test]
async fn a_page_limit_lower_than_ours_is_met_with_smaller_pages() {
    let s = slapd();
    // The limited account refuses pages over 200: the reader steps down and reads all.
    let ata = honeytokens(&user_sids(450));
    let full = collect(source(&s.ldaps_url, false), ata.clone()).await;
    let limited = collect(source(&s.ldaps_url, true), ata).await;
    assert_eq!(
        limited.sources[0].status,
        SourceStatus::Ok,
        "{:?}",
        limited.sources[0].error
    );
    let (mut a, mut b) = (full.directory.unwrap(), limited.directory.unwrap());
    a.directory_services_account = None;
    b.directory_services_account = None;
    assert_eq!(a, b);
    assert_eq!(full.ata, limited.ata);

    let server = Server::parse(&s.ldaps_url).unwrap();
    let mut conn = Conn::open(&server, &tls()).await.unwrap();
    conn.bind(&s.limited_bind_dn, &secret(&s.limited_bind_password))
        .await
        .unwrap();
    let attrs = ["cn"];
    let paged = Search::new(
        &s.base_dn,
        Scope::Subtree,
        "(sAMAccountType=805306368)",
        &attrs,
    );
    let out = conn.search(&paged).await;
    assert!(out.failure.is_none(), "{:?}", out.failure);
    assert_eq!(out.entries.len() as u64, s.user_objects);
    // Unpaged, the server's size limit cuts the answer: the entries read are kept and the
    // failure says why; nothing pretends to be complete.
    let mut unpaged = paged.clone();
    unpaged.paged = false;
    let out = conn.search(&unpaged).await;
    assert_eq!(out.entries.len(), s.limited_page_size as usize);
    match out.failure {
        Some(f @ SearchFailure::Server { rc: 4, .. }) => {
            assert!(f.describe().contains("size limit"))
        }
        other => panic!("expected sizeLimitExceeded, got {other:?}"),
    }
}

#[tokio::test]
async fn starttls_dn_binds_and_what_openldap_refuses() {
    let s = slapd();
    for url in [&s.ldap_url, &s.ldaps_url] {
        let r = test_credentials(url, &tls(), &s.bind_dn, &secret(&s.bind_password))
            .await
            .unwrap();
        assert_eq!(r.outcome.as_str(), "ok", "{url}: {}", r.message);
    }
    // No AD sub-code on OpenLDAP: "rejected", and it says so.
    let r = test_credentials(&s.ldaps_url, &tls(), &s.bind_dn, &secret("wrong"))
        .await
        .unwrap();
    assert_eq!(r.outcome.as_str(), "rejected");
    assert!(r.message.contains("no AD sub-code"), "{}", r.message);
    assert_eq!(exit::for_credentials(r.outcome), 1);
    // OpenLDAP takes no UPN.
    let r = test_credentials(
        &s.ldaps_url,
        &tls(),
        "svc-ata@example.test",
        &secret(&s.bind_password),
    )
    .await
    .unwrap();
    assert_eq!(r.outcome.as_str(), "rejected");
    assert!(r.message.contains("full DN"), "{}", r.message);
}

/// A TCP relay that closes both sides once `cut_after` bytes went from the server to the
/// client (all connections together). Returns its address and the byte counter.
async fn cutting_relay(target: SocketAddr, cut_after: Option<u64>) -> (SocketAddr, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(target).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                });
                let mut buf = vec![0u8; 4096];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let total = counter.fetch_add(n as u64, Ordering::SeqCst) + n as u64;
                    if cut_after.is_some_and(|c| total >= c) {
                        // Forward part of the chunk, then cut mid-message.
                        let _ = cw.write_all(&buf[..n / 2]).await;
                        break;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                up.abort();
                let _ = cw.shutdown().await;
            });
        }
    });
    (addr, sent)
}

#[tokio::test]
async fn a_connection_cut_mid_read_keeps_what_was_read_and_says_partial() {
    let s = slapd();
    let server = Server::parse(&s.ldaps_url).unwrap();
    let target: SocketAddr = format!("{}:{}", server.host, server.port).parse().unwrap();
    let ata = honeytokens(&user_sids(2000));

    // First through a relay that cuts nothing, to learn how much the read sends.
    let (addr, sent) = cutting_relay(target, None).await;
    let whole = collect(source(&format!("ldaps://{addr}"), false), ata.clone()).await;
    assert_eq!(whole.sources[0].status, SourceStatus::Ok);
    let total = sent.load(Ordering::SeqCst);

    // Then cut at 60%: inside the batched SID lookups.
    let (addr, _) = cutting_relay(target, Some(total * 6 / 10)).await;
    let inv = collect(source(&format!("ldaps://{addr}"), false), ata).await;
    let src = &inv.sources[0];
    assert_eq!(src.status, SourceStatus::Partial);
    let err = src.error.as_deref().unwrap();
    assert!(
        err.contains("connection lost") && err.contains("ATA entities"),
        "{err}"
    );
    let dir = inv.directory.as_ref().unwrap();
    assert!(dir.partial);
    // What was read is kept…
    assert_eq!(dir.domain_controllers.len() as u64, s.dc_objects);
    let found = inv
        .ata
        .honeytokens
        .iter()
        .filter(|h| h.ad.as_ref().is_some_and(|a| a.found))
        .count();
    assert!(found > 0 && found < 2000, "{found}");
    // …and nothing is invented: the rest is "not looked up", never "not in AD".
    assert!(
        inv.ata
            .honeytokens
            .iter()
            .all(|h| h.ad.as_ref().is_none_or(|a| a.found))
    );
    let not_looked_up = inv
        .not_found
        .iter()
        .filter(|n| n.item.contains("was not looked up: the read broke off"))
        .count();
    assert_eq!(not_looked_up + found, 2001, "{:?}", inv.not_found.first());
    // The DSA lookup came after the cut: undecided, not "missing".
    assert!(dir.directory_services_account.is_none());
    assert!(
        dir.notes.iter().any(|n| n.contains("was not looked up")),
        "{:?}",
        dir.notes
    );
}
