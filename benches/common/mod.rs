//! The large engagement of the ATA inventory issue, shared by the report and TUI
//! benchmarks: 5,000 exclusions, 2,000 entities (1,900 sensitive, 100 honeytokens),
//! 100,000 alerts of which 5,000 open and 1,000 suppressed (the rest only counted, as the
//! inventory keeps them), 200 gateways on 200 domain controllers with their facts, and
//! the checks the library runs on it (about 2,600 results). And the guard every
//! benchmark starts with.

// Each benchmark uses its own part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use ata2atp::checks::engine::{NetworkPlan, RunOptions, checks_file};
use ata2atp::digest::sha256_hex;
use ata2atp::engagement::{Cloud, Engagement, EngagementConfig, SourceLocations, WriteLock};
use ata2atp::model::*;
use ata2atp::progress::Silent;
use chrono::{DateTime, Duration, TimeZone, Utc};

/// Whether this run was started by `cargo bench`, which passes `--bench`. The test run
/// (`cargo nextest run --all-targets`) also starts bench binaries, to list their tests:
/// a benchmark has no place there, so it returns at once, listing nothing.
pub fn under_cargo_bench(name: &str) -> bool {
    let yes = std::env::args().any(|a| a == "--bench");
    if !yes {
        eprintln!("{name} benchmark: not run outside `cargo bench` (use scripts/bench-{name}.sh)");
    }
    yes
}

/// When the large engagement was collected.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 10, 0, 0).unwrap()
}

fn entity(n: usize, kind: EntityType) -> Entity {
    let sid = format!("S-1-5-21-1004336348-1177238915-682003330-{}", 10_000 + n);
    Entity {
        id: format!("c0ffee00-0000-4000-8000-{n:012}"),
        name: Some(format!("bench-{n:05}")),
        sid: Some(sid.clone()),
        kind: Some(kind),
        source: Some(TagSource::Manual),
        tag_evidence: None,
        ad: Some(AdMatch {
            found: !n.is_multiple_of(17),
            name: Some(format!("bench-{n:05}")),
            dn: Some(format!("CN=bench-{n:05},OU=Bench,DC=bench,DC=test")),
            sid: Some(sid),
            enabled: Some(!n.is_multiple_of(5)),
        }),
    }
}

fn dc_name(n: usize) -> String {
    format!("BENCH-DC{n:03}.bench.test")
}

/// The inventory, built in memory.
pub fn inventory() -> Inventory {
    let t0 = t0();
    let mut inv = Inventory::new(t0);
    let detectors = [
        "DnsReconnaissanceDetectorConfiguration",
        "PassTheTicketDetectorConfiguration",
        "SamrReconnaissanceDetectorConfiguration",
        "LdapBruteForceDetectorConfiguration",
        "RemoteExecutionDetectorConfiguration",
    ];
    inv.ata.exclusions = (0..5_000)
        .map(|n| {
            let (kind, entity_kind) = if n % 2 == 0 {
                (ExclusionKind::Computer, EntityType::Computer)
            } else {
                (ExclusionKind::Account, EntityType::User)
            };
            Exclusion {
                detector: detectors[n % detectors.len()].into(),
                kind,
                value: format!("c0ffee00-0000-4000-8000-{n:012}"),
                entity: Some(entity(n, entity_kind)),
                list: Some("ExcludedSourceComputerIds".into()),
            }
        })
        .collect();
    inv.ata.sensitive = (0..1_900)
        .map(|n| entity(100_000 + n, EntityType::User))
        .collect();
    inv.ata.honeytokens = (0..100)
        .map(|n| entity(200_000 + n, EntityType::User))
        .collect();
    let alert = |n: usize, status: &str| Alert {
        id: format!("{n:024x}"),
        kind: "DnsReconnaissanceSuspiciousActivity".into(),
        severity: Some(["Low", "Medium", "High"][n % 3].into()),
        status: status.into(),
        start_time: Some(t0 - Duration::hours(n as i64)),
        end_time: None,
        entities: vec![
            format!("bench-{:05}", n % 5_000),
            format!("BENCH-WKS{:04}", n % 9_000),
        ],
    };
    inv.ata.alerts = Alerts {
        by_status: BTreeMap::from([
            ("Open".into(), 5_000),
            ("Suppressed".into(), 1_000),
            ("Closed".into(), 94_000),
        ]),
        open: (0..5_000).map(|n| alert(n, "Open")).collect(),
        suppressed: (5_000..6_000).map(|n| alert(n, "Suppressed")).collect(),
    };
    inv.ata.gateways = (0..200)
        .map(|n| Gateway {
            id: format!("{:024x}", 0xa000 + n),
            name: format!("BENCH-DC{n:03}"),
            kind: GatewayKind::LightweightGateway,
            version: Some("1.9.7576.0".into()),
            status: Some("Running".into()),
            service_status: Some("Started".into()),
            last_activity: None,
            kind_evidence: None,
            domain_synchronizer_candidate: Some(n % 50 == 0),
            syslog_listener: Some(false),
            domain_controllers: vec![dc_name(n)],
        })
        .collect();
    inv.directory = Some(DirectoryInventory {
        forest: Forest {
            root_domain: "bench.test".into(),
            functional_level: Some(7),
            functional_level_name: Some("Windows Server 2016".into()),
            schema_version: Some(88),
        },
        domains: vec![Domain {
            dns_name: "bench.test".into(),
            netbios_name: Some("BENCH".into()),
            dn: "DC=bench,DC=test".into(),
            sid: Some("S-1-5-21-1004336348-1177238915-682003330".into()),
            functional_level: Some(7),
            functional_level_name: Some("Windows Server 2016".into()),
        }],
        sites: vec!["Bench-HQ".into()],
        domain_controllers: (0..200)
            .map(|n| DomainController {
                name: format!("BENCH-DC{n:03}"),
                dns_host_name: Some(dc_name(n)),
                domain: "bench.test".into(),
                site: Some("Bench-HQ".into()),
                os: Some("Windows Server 2016 Datacenter".into()),
                os_version: Some("10.0 (14393)".into()),
                read_only: n % 20 == 0,
                global_catalog: Some(true),
                dn: Some(format!(
                    "CN=BENCH-DC{n:03},OU=Domain Controllers,DC=bench,DC=test"
                )),
                functional_level: Some(7),
            })
            .collect(),
        ..DirectoryInventory::default()
    });
    inv.hosts = (0..200)
        .map(|n| DcFacts {
            collected_at: Some(t0),
            dotnet_release: Some(if n % 10 == 0 { 394_802 } else { 528_049 }),
            os_caption: Some("Microsoft Windows Server 2016 Datacenter".into()),
            os_version: Some("10.0.14393".into()),
            os_build: Some(14393),
            logical_processors: Some(if n % 25 == 0 { 1 } else { 4 }),
            memory_bytes: Some(16 << 30),
            system_drive_free_bytes: Some(40 << 30),
            power_scheme_name: Some("High performance".into()),
            power_scheme_guid: Some("8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c".into()),
            ntdsai_version: Some("10.0.14393.0".into()),
            ata_lightweight_gateway_installed: Some(true),
            atp_sensor_installed: Some(false),
            time_offset_seconds: Some(0.2),
            ..DcFacts::new(dc_name(n))
        })
        .collect();
    inv
}

/// Writes the large engagement into `root` (replacing what was there): the inventory and
/// the checks the library runs on it, with no network probe. The checklist is left to
/// the caller. Returns the engagement and its writer's lock.
pub async fn create(root: &Path) -> (Engagement, WriteLock) {
    let _ = std::fs::remove_dir_all(root);
    let t0 = t0();
    let config = EngagementConfig {
        schema_version: SCHEMA_VERSION,
        customer: "Bench Corp".into(),
        consultant: "Bench Consultant".into(),
        cloud: Cloud::Commercial,
        workspace: Some("bench".into()),
        proxy: None,
        guide: "azure-atp-2019".into(),
        sources: SourceLocations::default(),
        demo: false,
        created_at: t0,
    };
    let (engagement, lock) = Engagement::init(root, &config).unwrap();
    let inv = inventory();
    let path = lock.save_inventory(&inv).unwrap();
    let sha = sha256_hex(&std::fs::read(&path).unwrap());
    let mut options = RunOptions::new(t0, NetworkPlan::not_run("benchmark: no network"));
    options.workspace = config.workspace.clone();
    let results = ata2atp::checks::run(Arc::new(inv), options, &Silent).await;
    lock.save_checks(&checks_file(results, None, &[], Some(sha), t0))
        .unwrap();
    (engagement, lock)
}
