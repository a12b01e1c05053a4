//! Benchmark of the directory inventory (not a test): run by `scripts/bench-directory.sh`,
//! which starts a dedicated slapd and passes its details in the environment.
//!
//! Measures, in the same run and against the same server:
//! - the directory inventory (live read + derivation) against `ldapsearch` sending the
//!   very same searches (replayed from the reader's own record, one process each);
//! - the same with 5,000 SIDs to resolve, and how many searches that took;
//! - this process's peak resident memory.
//!
//! Writes JSON to `BENCH_OUT`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use ata2atp::directory::ldap::SearchRecord;
use ata2atp::directory::resolve::Wanted;
use ata2atp::directory::sid::Sid;
use ata2atp::directory::{LdapSource, describe, live};
use ata2atp::model::Inventory;
use ata2atp::progress::Silent;
use ata2atp::secrets::SecretString;
use chrono::Utc;

fn env(k: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set (run scripts/bench-directory.sh)"))
}

/// Replays the searches with ldapsearch, one process per search, output discarded.
fn ldapsearch(queries: &[SearchRecord], url: &str, dn: &str, pwfile: &str, ca: &str) -> f64 {
    let t = Instant::now();
    for q in queries {
        let mut c = Command::new("ldapsearch");
        c.args([
            "-LLL",
            "-o",
            "ldif-wrap=no",
            "-H",
            url,
            "-x",
            "-D",
            dn,
            "-y",
            pwfile,
            "-b",
            &q.base,
            "-s",
            q.scope,
        ]);
        if q.paged {
            c.args(["-E", "pr=1000/noprompt"]);
        }
        if let Some(n) = q.size_limit {
            c.args(["-z", &n.to_string()]);
        }
        for oid in &q.controls {
            c.args(["-E", &format!("!{oid}")]);
        }
        c.arg(&q.filter).args(&q.attrs);
        let st = c
            .env("LDAPTLS_CACERT", ca)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("ldapsearch runs");
        // 32 (no such object) is an answer the reader also gets, e.g. for the KDS container.
        assert!(
            st.success() || st.code() == Some(32),
            "ldapsearch failed ({st}) for {q:?}"
        );
    }
    t.elapsed().as_secs_f64()
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let url = env("BENCH_URL");
    let dn = env("BENCH_BIND_DN");
    let pwfile = env("BENCH_PASSWORD_FILE");
    let ca = env("BENCH_CA");
    let domain_sid: Sid = env("BENCH_DOMAIN_SID").parse().unwrap();
    let out = PathBuf::from(env("BENCH_OUT"));
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let password = std::fs::read_to_string(&pwfile).unwrap();
    let src = LdapSource {
        url: url.clone(),
        bind_user: Some(dn.clone()),
        password: Some(SecretString::from(password)),
        ca_file: Some(ca.clone().into()),
        insecure: false,
        gc_url: None,
        dsa_passwords: Default::default(),
    };
    // The generator numbers staff users' RIDs from 1100.
    let wanted = Wanted {
        sids: (0..5000u32)
            .map(|i| domain_sid.with_rid(1100 + i))
            .collect(),
        ..Wanted::default()
    };
    let empty = Wanted::default();

    let inventory = |w: &Wanted| {
        let src = src.clone();
        let w = w.clone();
        async move {
            let t = Instant::now();
            let inv = Inventory::new(Utc::now());
            let read = live::read(&src, &inv, &w, &Silent)
                .await
                .expect("live read");
            let mut inv = inv;
            describe(&read.snapshot, src.bind_user.as_deref(), &mut inv);
            (t.elapsed().as_secs_f64(), read, inv)
        }
    };

    // Warm-up: server caches, TLS session set-up paths.
    let _ = inventory(&empty).await;
    let mut rows = Vec::new();
    let (mut inv_t, mut ls_t, mut sid_t, mut sid_ls_t) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut facts = serde_json::Value::Null;
    for run in 0..runs {
        // Alternate who goes first, so neither always meets a warmer server.
        let (a, b) = if run % 2 == 0 {
            let a = inventory(&empty).await;
            let b = ldapsearch(&a.1.queries, &url, &dn, &pwfile, &ca);
            (a, b)
        } else {
            let base = inventory(&empty).await;
            let b = ldapsearch(&base.1.queries, &url, &dn, &pwfile, &ca);
            let a = inventory(&empty).await;
            (a, b)
        };
        let (t_inv, read_base, inv) = a;
        let (t_sids, read_sids, inv_sids) = inventory(&wanted).await;
        let sid_queries: Vec<SearchRecord> = read_sids.queries.clone();
        let t_sid_ls = ldapsearch(&sid_queries, &url, &dn, &pwfile, &ca);
        let dir = inv.directory.as_ref().unwrap();
        let found = read_sids
            .snapshot
            .entries()
            .filter(|e| e.sid().is_some_and(|s| wanted.sids.contains(&s)))
            .count();
        facts = serde_json::json!({
            "domain_controllers": dir.domain_controllers.len(),
            "read_only_dcs": dir.domain_controllers.iter().filter(|d| d.read_only).count(),
            "privileged_groups": dir.privileged_groups.len(),
            "searches_without_ids": read_base.searches,
            "searches_with_5000_sids": read_sids.searches,
            "searches_for_5000_sids": read_sids.searches - read_base.searches,
            "sids_found": found,
            "entries_read_with_sids": read_sids.snapshot.len(),
            "queries_replayed": read_base.queries.len(),
            "queries_replayed_with_sids": sid_queries.len(),
            "partial": dir.partial || inv_sids.directory.as_ref().unwrap().partial,
        });
        rows.push(serde_json::json!({
            "run": run + 1,
            "inventory_s": t_inv,
            "ldapsearch_s": b,
            "ratio": t_inv / b,
            "inventory_with_5000_sids_s": t_sids,
            "ldapsearch_with_5000_sids_s": t_sid_ls,
            "ratio_with_5000_sids": t_sids / t_sid_ls,
        }));
        inv_t.push(t_inv);
        ls_t.push(b);
        sid_t.push(t_sids);
        sid_ls_t.push(t_sid_ls);
        eprintln!(
            "run {}: inventory {t_inv:.3} s, ldapsearch {b:.3} s; with 5,000 SIDs {t_sids:.3} s vs {t_sid_ls:.3} s",
            run + 1
        );
    }
    // Throughput on one big search, where process start and TLS handshakes do not
    // dominate: the offline export's accounts query (every account, paged), read by the
    // product's connection and by one ldapsearch.
    let base_dn = std::env::var("BENCH_BASE_DN").unwrap_or_else(|_| "DC=example,DC=test".into());
    let gattrs = ata2atp::directory::queries::group_attrs();
    let (mut bulk_t, mut bulk_ls_t, mut bulk_n) = (Vec::new(), Vec::new(), 0);
    for _ in 0..runs {
        let t = Instant::now();
        let server = ata2atp::directory::ldap::Server::parse(&url).unwrap();
        let tls = ata2atp::directory::ldap::TlsOptions {
            ca_file: Some(ca.clone().into()),
            insecure: false,
        };
        let mut conn = ata2atp::directory::ldap::Conn::open(&server, &tls)
            .await
            .unwrap();
        conn.bind(&dn, src.password.as_ref().unwrap())
            .await
            .unwrap();
        let s = ata2atp::directory::ldap::Search::new(
            &base_dn,
            ldap3::Scope::Subtree,
            ata2atp::directory::queries::ACCOUNTS_FILTER,
            &gattrs,
        );
        let o = conn.search(&s).await;
        assert!(o.failure.is_none());
        bulk_n = o.entries.len();
        let record = conn.log.clone();
        conn.close().await;
        bulk_t.push(t.elapsed().as_secs_f64());
        bulk_ls_t.push(ldapsearch(&record, &url, &dn, &pwfile, &ca));
    }
    let (mb, mbl) = (median(bulk_t), median(bulk_ls_t));
    eprintln!("one paged search of {bulk_n} accounts: {mb:.3} s vs ldapsearch {mbl:.3} s");
    let (mi, ml, ms, msl) = (median(inv_t), median(ls_t), median(sid_t), median(sid_ls_t));
    let report = serde_json::json!({
        "directory": {
            "users": std::env::var("BENCH_USERS").ok(),
            "computers": std::env::var("BENCH_COMPUTERS").ok(),
            "dc_objects": std::env::var("BENCH_DCS").ok(),
        },
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "runs": rows,
        "median": {
            "inventory_s": mi,
            "ldapsearch_s": ml,
            "ratio": mi / ml,
            "inventory_with_5000_sids_s": ms,
            "ldapsearch_with_5000_sids_s": msl,
            "ratio_with_5000_sids": ms / msl,
            "all_accounts_one_search_s": mb,
            "ldapsearch_all_accounts_one_search_s": mbl,
            "ratio_all_accounts": mb / mbl,
            "accounts_read": bulk_n,
        },
        "targets": {"ratio_max": 1.1, "searches_for_5000_sids_max": 30, "peak_rss_mb_max": 150},
        "facts": facts,
        "peak_rss_mb": peak_rss_mb(),
    });
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, serde_json::to_string_pretty(&report).unwrap() + "\n").unwrap();
    println!(
        "{}",
        serde_json::to_string_pretty(&report["median"]).unwrap()
    );
    println!(
        "peak RSS {:.1} MB; searches for 5,000 SIDs: {}",
        peak_rss_mb(),
        report["facts"]["searches_for_5000_sids"]
    );
}
