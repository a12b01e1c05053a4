use super::install::proxy;
use super::os::build_from_version;
use super::*;
use crate::model::{DcFacts, DomainController, Inventory};

fn dc(f: DcFacts) -> Vec<(&'static str, Outcome)> {
    let d = Dc {
        facts: Some(&f),
        directory: None,
        gateway: None,
    };
    check_dc(&d, &DcContext::default())
}

fn status(results: &[(&str, Outcome)], id: &str) -> Status {
    results.iter().find(|(i, _)| *i == id).unwrap().1.status
}

#[test]
fn versions_parse_like_windows_prints_them() {
    assert_eq!(
        parse_version("10.0.17763.316"),
        Some(vec![10, 0, 17763, 316])
    );
    assert_eq!(
        parse_version("10.0.17763.1 (WinBuild.160101.0800)"),
        Some(vec![10, 0, 17763, 1])
    );
    assert_eq!(parse_version("x"), None);
    assert_eq!(build_from_version("10.0 (17763)"), Some(17763));
    assert_eq!(build_from_version("6.3.9600"), Some(9600));
}

#[test]
fn os_profiles_side_by_side() {
    let os = |build, caption: &str| OsInfo {
        caption: Some(caption.into()),
        build: Some(build),
        server_core: Some(false),
        source: "facts",
    };
    let r2 = os(9600, "Microsoft Windows Server 2012 R2 Standard");
    assert_eq!(os_today(Some(&r2)).status, Status::Fail);
    assert_eq!(os_2019(Some(&r2)).status, Status::Pass);
    let s22 = os(20348, "Microsoft Windows Server 2022 Datacenter");
    assert_eq!(os_today(Some(&s22)).status, Status::Pass);
    assert_eq!(os_2019(Some(&s22)).status, Status::Pass);
    let s25 = os(26100, "Microsoft Windows Server 2025 Datacenter");
    assert_eq!(os_today(Some(&s25)).status, Status::Manual);
    let mut r2core = os(7601, "Microsoft Windows Server 2008 R2 Enterprise");
    r2core.server_core = Some(true);
    assert_eq!(os_2019(Some(&r2core)).status, Status::Warn);
    assert_eq!(os_today(Some(&r2core)).status, Status::Fail);
    let samba = OsInfo {
        caption: Some("Samba".into()),
        build: None,
        server_core: None,
        source: "directory",
    };
    assert_eq!(os_today(Some(&samba)).status, Status::Fail);
    assert_eq!(os_today(None).status, Status::Unknown);
}

#[test]
fn memory_edge_is_6_gb_less_1_mb() {
    let mut f = DcFacts::new("DC1");
    f.memory_bytes = Some(6 * 1024 * 1024 * 1024 - 1024 * 1024);
    assert_eq!(status(&dc(f.clone()), "dc.memory"), Status::Pass);
    f.memory_bytes = Some(6 * 1024 * 1024 * 1024 - 1024 * 1024 - 1);
    assert_eq!(status(&dc(f), "dc.memory"), Status::Fail);
}

#[test]
fn disk_edges_6_and_10_gb() {
    const G: u64 = 1024 * 1024 * 1024;
    let mut f = DcFacts::new("DC1");
    for (free, want) in [
        (6 * G - 1, Status::Fail),
        (6 * G, Status::Warn),
        (10 * G - 1, Status::Warn),
        (10 * G, Status::Pass),
    ] {
        f.system_drive_free_bytes = Some(free);
        assert_eq!(status(&dc(f.clone()), "dc.disk"), want, "{free}");
    }
}

#[test]
fn cpu_power_time_edges() {
    let mut f = DcFacts::new("DC1");
    f.logical_processors = Some(1);
    f.power_scheme_guid = Some("381b4222-f694-41f0-9685-ff5bb260df2e".into());
    f.time_offset_seconds = Some(300.0);
    let r = dc(f.clone());
    assert_eq!(status(&r, "dc.cpu"), Status::Fail);
    assert_eq!(status(&r, "dc.power_plan"), Status::Warn);
    assert_eq!(status(&r, "dc.time_sync"), Status::Pass);
    f.logical_processors = Some(2);
    f.power_scheme_guid = Some("{8C5E7FDA-E8BF-4A96-9A85-A6E23A8C635C}".into());
    f.time_offset_seconds = Some(-301.0);
    let r = dc(f.clone());
    assert_eq!(status(&r, "dc.cpu"), Status::Pass);
    assert_eq!(status(&r, "dc.power_plan"), Status::Pass);
    assert_eq!(status(&r, "dc.time_sync"), Status::Fail);
    f.time_offset_seconds = Some(301.0);
    assert_eq!(status(&dc(f), "dc.time_sync"), Status::Fail);
}

#[test]
fn ntdsai_315_fails_316_passes_on_2019_only() {
    let mut f = DcFacts::new("DC1");
    f.os_caption = Some("Microsoft Windows Server 2019 Standard".into());
    f.os_build = Some(17763);
    f.ntdsai_version = Some("10.0.17763.315".into());
    assert_eq!(status(&dc(f.clone()), "dc.kb4487044"), Status::Fail);
    f.ntdsai_version = Some("10.0.17763.316".into());
    assert_eq!(status(&dc(f.clone()), "dc.kb4487044"), Status::Pass);
    f.ntdsai_version = None;
    assert_eq!(status(&dc(f.clone()), "dc.kb4487044"), Status::Unknown);
    f.os_build = Some(14393);
    f.os_caption = Some("Microsoft Windows Server 2016 Standard".into());
    assert_eq!(status(&dc(f), "dc.kb4487044"), Status::Pass);
}

#[test]
fn lightweight_gateway_states() {
    let mut f = DcFacts::new("DC1");
    f.ata_lightweight_gateway_installed = Some(true);
    f.atp_sensor_installed = Some(false);
    assert_eq!(
        status(&dc(f.clone()), "dc.lightweight_gateway"),
        Status::Warn
    );
    f.atp_sensor_installed = Some(true);
    assert_eq!(
        status(&dc(f.clone()), "dc.lightweight_gateway"),
        Status::Fail
    );
    f.ata_lightweight_gateway_installed = Some(false);
    assert_eq!(status(&dc(f), "dc.lightweight_gateway"), Status::Pass);
}

#[test]
fn a_dc_without_facts_is_unknown_everywhere_but_what_the_directory_says() {
    let d = DomainController {
        name: "DC4".into(),
        dns_host_name: Some("dc4.example.test".into()),
        domain: "example.test".into(),
        os: Some("Windows Server 2016 Standard".into()),
        os_version: Some("10.0 (14393)".into()),
        read_only: true,
        ..Default::default()
    };
    let r = check_dc(
        &Dc {
            facts: None,
            directory: Some(&d),
            gateway: None,
        },
        &DcContext {
            directory_read: true,
            sensor_proxy: None,
            ..DcContext::default()
        },
    );
    assert_eq!(status(&r, "dc.facts"), Status::Unknown);
    assert_eq!(status(&r, "dc.os"), Status::Pass);
    assert_eq!(status(&r, "dc.rodc"), Status::Pass);
    for id in [
        "dc.dotnet",
        "dc.cpu",
        "dc.memory",
        "dc.disk",
        "dc.power_plan",
        "dc.time_sync",
    ] {
        let o = &r.iter().find(|(i, _)| *i == id).unwrap().1;
        assert_eq!(o.status, Status::Unknown, "{id}");
        assert!(o.reason.contains("dc4.example.test"), "{id}: {}", o.reason);
    }
}

#[test]
fn facts_match_the_right_dc_when_short_names_collide() {
    use crate::model::DirectoryInventory;
    let mut inv = Inventory::new(chrono::Utc::now());
    let dc = |name: &str, dns: &str| DomainController {
        name: name.into(),
        dns_host_name: Some(dns.into()),
        domain: dns.split_once('.').unwrap().1.into(),
        ..Default::default()
    };
    inv.directory = Some(DirectoryInventory {
        domain_controllers: vec![
            dc("DC01", "dc01.a.test"),
            dc("DC01", "dc01.b.test"),
            dc("DC02", "dc02.a.test"),
        ],
        ..Default::default()
    });
    let mut b = DcFacts::new("DC01.B.TEST");
    b.logical_processors = Some(8);
    let mut a = DcFacts::new("dc01.a.test");
    a.logical_processors = Some(4);
    inv.hosts = vec![b, a, DcFacts::new("DC02"), DcFacts::new("stray.c.test")];
    let refs = domain_controller_refs(&inv);
    assert_eq!(refs.len(), 4);
    let dcs: Vec<_> = refs.iter().map(|r| r.resolve(&inv)).collect();
    assert_eq!(dcs[0].facts.unwrap().logical_processors, Some(4));
    assert_eq!(dcs[1].facts.unwrap().logical_processors, Some(8));
    assert_eq!(dcs[2].facts.unwrap().name, "DC02");
    assert_eq!(dcs[2].label(), "dc02.a.test");
    assert!(dcs[3].directory.is_none());
    assert_eq!(dcs[3].label(), "stray.c.test");
}

#[test]
fn proxy_settings_against_the_customer_s_proxy() {
    let mut f = DcFacts::new("DC1");
    assert_eq!(proxy(&f, None).status, Status::Unknown);
    f.winhttp_proxy = Some("direct".into());
    assert_eq!(proxy(&f, None).status, Status::Pass);
    let customer = Some("http://Proxy.Fabrikam.test:8080");
    let o = proxy(&f, customer);
    assert_eq!(o.status, Status::Warn);
    assert!(
        o.remediation
            .unwrap()
            .contains("ProxyUrl=http://proxy.fabrikam.test:8080")
    );
    f.winhttp_proxy = Some("proxy.fabrikam.test:8080 (bypass: <local>)".into());
    assert_eq!(proxy(&f, customer).status, Status::Pass);
    assert_eq!(proxy(&f, None).status, Status::Warn);
    f.winhttp_proxy = Some("direct".into());
    f.wininet_proxy = Some("LocalService: other.proxy:3128".into());
    assert_eq!(proxy(&f, customer).status, Status::Warn);
}

#[test]
fn the_sensor_service_is_judged_after_the_install_only() {
    let mut f = DcFacts::new("DC1");
    f.atp_sensor_installed = Some(false);
    assert_eq!(status(&dc(f.clone()), "dc.sensor_service"), Status::Unknown);
    f.atp_sensor_installed = Some(true);
    assert_eq!(status(&dc(f.clone()), "dc.sensor_service"), Status::Unknown);
    f.atp_sensor_service = Some("Running".into());
    assert_eq!(status(&dc(f.clone()), "dc.sensor_service"), Status::Pass);
    f.atp_sensor_service = Some("Stopped".into());
    assert_eq!(status(&dc(f), "dc.sensor_service"), Status::Fail);
}
