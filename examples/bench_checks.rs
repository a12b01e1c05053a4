//! Benchmark of a whole check run: 200 domain controllers in the facts, plus the
//! reachability matrix (every probe outcome, directly and through the proxy) against the
//! loopback test servers. Because the checks run concurrently, the run should take about
//! one probe timeout plus a small constant, however many DCs and probes there are.
//!
//! Not a test: `scripts/bench-checks.sh` runs it (release build) with the servers started
//! and writes the numbers to `target/bench/checks.json`.
//!
//!   cargo run --release --example bench_checks -- [--dcs N] [--timeout SECONDS] [--out FILE]

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ata2atp::checks::engine::{NetworkPlan, RunOptions};
use ata2atp::checks::network::{ProbeConfig, ProbeSpec, ProxySpec};
use ata2atp::model::{
    Alert, DcFacts, DirectoryInventory, DomainController, Forest, Gateway, GatewayKind, Inventory,
    Source, SourceKind, Status,
};
use ata2atp::progress::Silent;
use chrono::Utc;
use serde::Deserialize;

#[derive(Deserialize)]
struct Servers {
    proxy: ProxyServers,
}

#[derive(Deserialize)]
struct ProxyServers {
    url: String,
    user: String,
    password: String,
    down_url: String,
    ca_pem: PathBuf,
    targets: Targets,
}

#[derive(Deserialize)]
struct Targets {
    ok: String,
    status_503: String,
    status_500: String,
    untrusted: String,
    blackhole: String,
    denied_port: String,
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A forest with `n` DCs, every one with facts (a mix of ready and not), and some ATA state.
fn inventory(n: usize) -> Inventory {
    let mut inv = Inventory::new(Utc::now());
    inv.sources.push(Source::ok(SourceKind::DcFacts, "bench"));
    let mut dir = DirectoryInventory {
        forest: Forest {
            root_domain: "bench.test".into(),
            functional_level: Some(7),
            functional_level_name: None,
            schema_version: Some(88),
        },
        ..Default::default()
    };
    for i in 0..n {
        let name = format!("DC{i:03}");
        let dns = format!("dc{i:03}.bench.test");
        dir.domain_controllers.push(DomainController {
            name: name.clone(),
            dns_host_name: Some(dns.clone()),
            domain: "bench.test".into(),
            os: Some("Windows Server 2019 Standard".into()),
            os_version: Some("10.0 (17763)".into()),
            read_only: i % 10 == 9,
            global_catalog: Some(true),
            ..Default::default()
        });
        let mut f = DcFacts::new(dns);
        f.dotnet_release = Some(if i % 7 == 0 { 394_802 } else { 528_049 });
        f.os_caption = Some("Microsoft Windows Server 2019 Standard".into());
        f.os_build = Some(17763);
        f.logical_processors = Some(if i % 13 == 0 { 1 } else { 4 });
        f.memory_bytes = Some(if i % 11 == 0 { 4 << 30 } else { 16 << 30 });
        f.system_drive = Some("C:".into());
        f.system_drive_free_bytes = Some(((i % 20) as u64 + 2) << 30);
        f.power_scheme_guid = Some("8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c".into());
        f.ntdsai_version = Some(
            if i % 5 == 0 {
                "10.0.17763.1"
            } else {
                "10.0.17763.5830"
            }
            .into(),
        );
        f.ata_lightweight_gateway_installed = Some(true);
        f.atp_sensor_installed = Some(false);
        f.time_offset_seconds = Some((i % 400) as f64);
        inv.hosts.push(f);
        inv.ata.gateways.push(Gateway {
            id: format!("{i:024x}"),
            name,
            kind: GatewayKind::LightweightGateway,
            version: Some("1.9.7576".into()),
            status: Some("Running".into()),
            service_status: Some("Started".into()),
            last_activity: None,
            kind_evidence: None,
            domain_synchronizer_candidate: Some(i % 50 == 9),
            syslog_listener: None,
            domain_controllers: vec![],
        });
    }
    inv.directory = Some(dir);
    inv.ata.alerts.by_status = BTreeMap::from([("Open".into(), 3), ("Closed".into(), 40)]);
    inv.ata.alerts.open = (0..3)
        .map(|i| Alert {
            id: format!("{i:024x}"),
            kind: "DnsReconnaissanceSuspiciousActivity".into(),
            severity: Some("Medium".into()),
            status: "Open".into(),
            start_time: None,
            end_time: None,
            entities: vec![],
        })
        .collect();
    inv
}

/// Every probe outcome: directly and through the proxy.
fn matrix(s: &ProxyServers) -> Vec<ProbeSpec> {
    let bare = |url: &str| match url.split_once("://") {
        Some((scheme, rest)) => format!(
            "{scheme}://{}",
            rest.rsplit_once('@').map_or(rest, |(_, h)| h)
        ),
        None => url.to_string(),
    };
    let port = s
        .targets
        .ok
        .split(':')
        .nth(2)
        .unwrap_or("443")
        .split('/')
        .next()
        .unwrap_or("443");
    let invalid = format!("https://ata2atp-bench.invalid:{port}/tri/sensor/api/ping");
    let via = |user: Option<&str>, password: Option<&str>, url: &str| ProxySpec {
        url: url.to_string(),
        user: user.map(str::to_string),
        password: password.map(|p| p.to_string().into()),
    };
    let good = via(Some(&s.user), Some(&s.password), &s.url);
    let t = &s.targets;
    let mut out = Vec::new();
    let mut add = |label: &str, url: &str, proxy: Option<ProxySpec>| {
        out.push(ProbeSpec {
            check_id: if proxy.is_some() {
                "network.sensor_api_proxy"
            } else {
                "network.sensor_api"
            },
            subject: Some(label.to_string()),
            url: url.to_string(),
            proxy,
            proxy_configured: false,
        });
    };
    add("direct 200", &t.ok, None);
    add("direct 503", &t.status_503, None);
    add("direct 500", &t.status_500, None);
    add("direct untrusted", &t.untrusted, None);
    add("direct .invalid", &invalid, None);
    add("direct timeout", &t.blackhole, None);
    add("proxy 200", &t.ok, Some(good.clone()));
    add("proxy 503", &t.status_503, Some(good.clone()));
    add("proxy 500", &t.status_500, Some(good.clone()));
    add("proxy untrusted", &t.untrusted, Some(good.clone()));
    add("proxy .invalid", &invalid, Some(good.clone()));
    add("proxy timeout", &t.blackhole, Some(good.clone()));
    add("proxy no credentials", &t.ok, Some(via(None, None, &s.url)));
    add(
        "proxy wrong password",
        &t.ok,
        Some(via(Some(&s.user), Some("wrong"), &s.url)),
    );
    add("proxy denied port", &t.denied_port, Some(good.clone()));
    add(
        "proxy down",
        &t.ok,
        Some(via(Some(&s.user), Some(&s.password), &bare(&s.down_url))),
    );
    out
}

#[tokio::main]
async fn main() {
    let dcs: usize = arg("--dcs").and_then(|v| v.parse().ok()).unwrap_or(200);
    let timeout: f64 = arg("--timeout").and_then(|v| v.parse().ok()).unwrap_or(2.0);
    let out_path = PathBuf::from(arg("--out").unwrap_or_else(|| "target/bench/checks.json".into()));
    let servers_path = std::env::var("ATA2ATP_TEST_SERVERS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("target/test-env/servers.json"));
    let servers: Servers = match std::fs::read_to_string(&servers_path) {
        Ok(t) => serde_json::from_str(&t).expect("servers.json matches"),
        Err(e) => {
            eprintln!(
                "the test servers are not running ({}: {e}); start them with scripts/test-env.sh start",
                servers_path.display()
            );
            std::process::exit(3);
        }
    };
    let inv = Arc::new(inventory(dcs));
    let config = ProbeConfig {
        timeout: Duration::from_secs_f64(timeout),
        extra_roots: ata2atp::tls::load_certificates(&servers.proxy.ca_pem).expect("the lab CA"),
    };
    let probes = matrix(&servers.proxy);
    let plan = NetworkPlan {
        probes: probes.clone(),
        decided: Vec::new(),
        config: config.clone(),
        resolve_names: false,
    };

    // 1. Facts only (no network): the constant part.
    let t = Instant::now();
    let facts_only = ata2atp::checks::run(
        inv.clone(),
        RunOptions::new(Utc::now(), NetworkPlan::not_run("bench")),
        &Silent,
    )
    .await;
    let facts_only_s = t.elapsed().as_secs_f64();

    // 2. Everything at once: 200 DCs and the whole matrix.
    let t = Instant::now();
    let results = ata2atp::checks::run(
        inv.clone(),
        RunOptions::new(Utc::now(), plan.clone()),
        &Silent,
    )
    .await;
    let total_s = t.elapsed().as_secs_f64();

    // 3. The same, one job at a time, to show what concurrency buys.
    let mut sequential = RunOptions::new(Utc::now(), plan);
    sequential.concurrency = 1;
    let t = Instant::now();
    let _ = ata2atp::checks::run(inv.clone(), sequential, &Silent).await;
    let sequential_s = t.elapsed().as_secs_f64();

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &results {
        *counts.entry(r.status.to_string()).or_default() += 1;
    }
    let network: BTreeMap<String, String> = results
        .iter()
        .filter(|r| r.id.starts_with("network."))
        .map(|r| {
            (
                r.subject.clone().unwrap_or_default(),
                format!("{}: {}", r.status, r.reason.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let constant_s = 0.5;
    let report = serde_json::json!({
        "dcs": dcs,
        "probes": probes.len(),
        "results": results.len(),
        "facts_only_results": facts_only.len(),
        "timeout_s": timeout,
        "facts_only_s": facts_only_s,
        "total_s": total_s,
        "sequential_s": sequential_s,
        "budget_s": timeout + constant_s,
        "within_budget": total_s <= timeout + constant_s,
        "overhead_over_timeout_s": total_s - timeout,
        "statuses": counts,
        "network": network,
        "unknown_network": results.iter().filter(|r| r.id.starts_with("network.") && r.status == Status::Unknown).count(),
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "measured_at": Utc::now().to_rfc3339(),
    });
    if let Some(dir) = out_path.parent() {
        std::fs::create_dir_all(dir).expect("create the output folder");
    }
    std::fs::write(&out_path, serde_json::to_string_pretty(&report).unwrap())
        .expect("write the report");
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    eprintln!("written to {}", out_path.display());
    if total_s > timeout + constant_s {
        eprintln!("over budget: {total_s:.3} s for a {timeout} s timeout");
        std::process::exit(1);
    }
}
