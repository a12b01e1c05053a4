//! Unit tests of the ATA checks.

use chrono::Duration;

use super::*;
use super::{center::*, gateways::*, resolution::*};
use crate::checks::logs::Scanned;
use crate::model::*;
use crate::model::{Certificate, Gateway, GatewayKind, Source, Status, ThumbprintSource};
use chrono::{DateTime, Utc};

fn inv() -> Inventory {
    let mut inv = Inventory::new(Utc::now());
    inv.sources
        .push(Source::ok(SourceKind::AtaJson, "SystemProfile.json"));
    inv
}

fn cert(tp: &str, not_after: DateTime<Utc>) -> Certificate {
    Certificate {
        thumbprint: tp.into(),
        subject: Some("CN=ata.example.test".into()),
        issuer: Some("CN=Example CA".into()),
        not_before: None,
        not_after: Some(not_after),
        dns_names: vec!["ata.example.test".into()],
    }
}

fn with_center(tp: &str) -> Inventory {
    let mut i = inv();
    i.ata.center.thumbprint_sources.push(ThumbprintSource {
        profile: "CenterSystemProfile".into(),
        path: "Configuration.SecretManagerConfiguration.CertificateThumbprint".into(),
        thumbprint: tp.into(),
    });
    i
}

#[test]
fn certificate_expiry_edges_89_and_90_days() {
    let now = Utc::now();
    let mut i = with_center("AA");
    for (delta, want) in [
        (Duration::days(90), Status::Pass),
        (Duration::days(90) - Duration::seconds(1), Status::Warn),
        (Duration::days(89), Status::Warn),
        (Duration::seconds(1), Status::Warn),
        (Duration::zero(), Status::Fail),
        (-Duration::days(3), Status::Fail),
    ] {
        i.ata.center.certificates = vec![cert("aa", now + delta)];
        assert_eq!(center_certificate(&i, now).status, want, "{delta}");
    }
    i.ata.center.certificates.clear();
    assert_eq!(center_certificate(&i, now).status, Status::Unknown);
}

#[test]
fn thumbprints_that_disagree_warn() {
    let mut i = with_center("AB CD");
    i.ata.center.thumbprint_sources.push(ThumbprintSource {
        profile: "ServiceSystemProfile 5a8".into(),
        path: "Configuration.ManagementClientConfiguration.ServerCertificateThumbprint".into(),
        thumbprint: "abcd".into(),
    });
    assert_eq!(certificate_thumbprints(&i).status, Status::Pass);
    i.ata.center.thumbprint_sources[1].thumbprint = "EF01".into();
    let o = certificate_thumbprints(&i);
    assert_eq!(o.status, Status::Warn);
    assert!(
        o.reason.contains("ServiceSystemProfile 5a8"),
        "{}",
        o.reason
    );
}

#[test]
fn console_url_literals_and_pending_changes() {
    let mut i = inv();
    i.ata.center.console_urls = vec!["https://10.0.0.5".into()];
    assert_eq!(console_url(&i).status, Status::Warn);
    i.ata.center.console_urls = vec!["https://[fe80::1]:443/".into()];
    assert_eq!(console_url(&i).status, Status::Warn);
    i.ata.center.console_urls = vec!["https://ata.example.test".into()];
    assert_eq!(console_url(&i).status, Status::Pass);
    assert_eq!(pending_change(&i).status, Status::Pass);
    i.ata
        .center
        .console_urls
        .push("https://ata2.example.test".into());
    assert_eq!(pending_change(&i).status, Status::Warn);
    assert_eq!(
        console_url(&Inventory::new(Utc::now())).status,
        Status::Unknown
    );
}

#[test]
fn an_rodc_synchronizer_candidate_fails() {
    use crate::model::{DirectoryInventory, DomainController};
    let mut i = inv();
    i.ata.gateways = vec![Gateway {
        id: "1".into(),
        name: "RODC1".into(),
        kind: GatewayKind::LightweightGateway,
        version: None,
        status: None,
        service_status: None,
        last_activity: None,
        kind_evidence: None,
        domain_synchronizer_candidate: Some(true),
        syslog_listener: None,
        domain_controllers: vec![],
    }];
    assert_eq!(synchronizer_rodc(&i).status, Status::Unknown);
    i.directory = Some(DirectoryInventory {
        domain_controllers: vec![DomainController {
            name: "RODC1".into(),
            domain: "example.test".into(),
            read_only: true,
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_eq!(synchronizer_rodc(&i).status, Status::Fail);
    i.ata.gateways[0].domain_synchronizer_candidate = Some(false);
    assert_eq!(synchronizer_rodc(&i).status, Status::Pass);
    i.ata.gateways[0].domain_synchronizer_candidate = None;
    assert_eq!(synchronizer_rodc(&i).status, Status::Unknown);
    assert_eq!(gateways_registered(&i).status, Status::Warn);
}

fn gw(name: &str, status: Option<&str>, service: Option<&str>) -> Gateway {
    Gateway {
        id: name.into(),
        name: name.into(),
        kind: GatewayKind::Gateway,
        version: None,
        status: status.map(str::to_string),
        service_status: service.map(str::to_string),
        last_activity: None,
        kind_evidence: None,
        domain_synchronizer_candidate: None,
        syslog_listener: None,
        domain_controllers: vec!["DC4.example.test".into()],
    }
}

fn logs_with_credential_error(gateway: &str) -> Scanned {
    let mut tally = super::super::logs::Tally::default();
    tally.hits.insert(
        "credential_invalid",
        (4, Some("2026-11-12 07:53:02.1180".into())),
    );
    let mut scan = super::super::logs::Scan::default();
    scan.gateways.insert(gateway.into(), tally);
    Ok(scan)
}

#[test]
fn a_stopped_gateway_fails_and_names_the_wrong_password_from_its_log() {
    let mut i = inv();
    i.ata.gateways = vec![
        gw("GW1", Some("StartFailure"), Some("Stopped")),
        gw("LW1", Some("Running"), Some("Started")),
        gw("LW2", None, None),
    ];
    let none: Scanned = Err(Outcome::unknown("no logs"));
    let r = gateway_service(&i, &none);
    let status = |r: &[(Option<String>, Outcome)], n: &str| {
        r.iter()
            .find(|(s, _)| s.as_deref() == Some(n))
            .map(|(_, o)| o.clone())
            .unwrap()
    };
    let gw1 = status(&r, "GW1");
    assert_eq!(gw1.status, Status::Fail);
    assert!(
        gw1.reason.contains("StartFailure (service Stopped)"),
        "{}",
        gw1.reason
    );
    assert!(gw1.reason.contains("DC4.example.test"), "{}", gw1.reason);
    assert!(!gw1.reason.contains("credential"), "{}", gw1.reason);
    assert_eq!(status(&r, "LW1").status, Status::Pass);
    assert_eq!(status(&r, "LW2").status, Status::Unknown);

    // With its log: the cause, and seed 002's procedure (password, test, save, service).
    let r = gateway_service(&i, &logs_with_credential_error("gw1"));
    let gw1 = status(&r, "GW1");
    assert_eq!(gw1.status, Status::Fail);
    assert!(
        gw1.reason
            .contains("4 × \"The supplied credential is invalid.\""),
        "{}",
        gw1.reason
    );
    let remedy = gw1.remediation.unwrap();
    for step in ["Directory services", "Test", "Save", "service runs on GW1"] {
        assert!(remedy.contains(step), "{step}: {remedy}");
    }
    assert_eq!(
        gw1.evidence["log_credential_invalid"],
        "4 line(s), last seen 2026-11-12 07:53:02.1180"
    );

    // The DC facts saw the service stopped although the Center's profile says Running.
    let mut f = crate::model::DcFacts::new("LW1.example.test");
    f.ata_gateway_service = Some("Stopped".into());
    i.hosts.push(f);
    let r = gateway_service(&i, &none);
    let lw1 = status(&r, "LW1");
    assert_eq!(lw1.status, Status::Fail);
    assert!(
        lw1.reason.contains("ATAGateway service is Stopped"),
        "{}",
        lw1.reason
    );

    i.ata.gateways.clear();
    assert_eq!(gateway_service(&i, &none)[0].1.status, Status::Pass);
    assert_eq!(
        gateway_service(&Inventory::new(Utc::now()), &none)[0]
            .1
            .status,
        Status::Unknown
    );
}

#[test]
fn a_pending_change_names_each_gateway_and_what_it_needs() {
    let mut i = inv();
    i.ata.center.console_urls = vec![
        "https://ata.example.test".into(),
        "https://ata2.example.test".into(),
    ];
    i.ata.gateways = vec![
        gw("GW1", Some("StartFailure"), Some("Stopped")),
        gw("LW1", Some("Running"), None),
    ];
    let o = pending_change(&i);
    assert_eq!(o.status, Status::Warn);
    assert!(
        o.reason.contains("GW1 would miss the activation"),
        "{}",
        o.reason
    );
    assert!(o.evidence["gateway GW1"].contains("configuration JSON by hand"));
    assert!(o.evidence["gateway LW1"].starts_with("Running: wait until it has synced"));
    i.ata.center.console_urls.pop();
    let o = pending_change(&i);
    assert_eq!(o.status, Status::Pass);
    assert!(!o.evidence.contains_key("gateway GW1"));
}

fn resolution(name: &str, addresses: &[&str], error: Option<&str>) -> NameResolution {
    NameResolution {
        name: name.into(),
        addresses: addresses.iter().map(|a| a.to_string()).collect(),
        error: error.map(str::to_string),
    }
}

fn console_inventory() -> Inventory {
    let mut i = inv();
    i.ata.center.console_urls = vec!["https://ata.example.test".into()];
    i.ata.center.listen_endpoint = Some("10.0.0.15:443".into());
    i.ata.center.host = Some("ATA01.example.test".into());
    i.ata.center.host_addresses = vec!["10.0.0.15".into(), "fe80::15%4".into()];
    i.ata.gateways = vec![
        gw("LW1", Some("Running"), None),
        gw("GW1", Some("Running"), None),
    ];
    let mut f = crate::model::DcFacts::new("LW1.example.test");
    f.console_resolution = Some(vec![resolution("ata.example.test", &["10.0.0.15"], None)]);
    i.hosts.push(f);
    i.ata.center.console_resolution = vec![resolution("ATA.example.test", &["10.0.0.15"], None)];
    i
}

fn by_subject(r: &[(Option<String>, Outcome)], n: &str) -> Outcome {
    r.iter()
        .find(|(s, _)| s.as_deref() == Some(n))
        .map(|(_, o)| o.clone())
        .unwrap_or_else(|| panic!("no result for {n}: {r:?}"))
}

#[test]
fn the_console_url_must_resolve_to_the_listening_address_everywhere() {
    let mut i = console_inventory();
    let local = LocalLookup::Done(vec![resolution("ata.example.test", &["10.0.0.15"], None)]);
    let r = console_url_resolves(&i, &local);
    assert_eq!(r.len(), 4, "consultant, two gateways, the Center: {r:?}");
    assert_eq!(by_subject(&r, "consultant").status, Status::Pass);
    assert_eq!(by_subject(&r, "LW1").status, Status::Pass);
    assert_eq!(by_subject(&r, "ATA01.example.test").status, Status::Pass);
    // GW1 has no facts: not known, with the collector command to run.
    let gw1 = by_subject(&r, "GW1");
    assert_eq!(gw1.status, Status::Unknown);
    assert!(
        gw1.cli_remediation()
            .unwrap()
            .contains("-ConsoleUrl https://ata.example.test")
    );

    // Another answer from a gateway or the Center fails; from the consultant it warns.
    i.hosts[0].console_resolution =
        Some(vec![resolution("ata.example.test", &["10.0.0.99"], None)]);
    let local = LocalLookup::Done(vec![resolution("ata.example.test", &["192.168.1.5"], None)]);
    let r = console_url_resolves(&i, &local);
    let lw1 = by_subject(&r, "LW1");
    assert_eq!(lw1.status, Status::Fail);
    assert!(
        lw1.reason
            .contains("resolves to 10.0.0.99, not to 10.0.0.15"),
        "{}",
        lw1.reason
    );
    assert_eq!(by_subject(&r, "consultant").status, Status::Warn);
    // Also resolving elsewhere: a Warn.
    i.hosts[0].console_resolution = Some(vec![resolution(
        "ata.example.test",
        &["10.0.0.15", "10.9.9.9"],
        None,
    )]);
    assert_eq!(
        by_subject(&console_url_resolves(&i, &local), "LW1").status,
        Status::Warn
    );
    // A failed lookup: Fail from a gateway, Unknown from the consultant's machine.
    i.hosts[0].console_resolution = Some(vec![resolution(
        "ata.example.test",
        &[],
        Some("DNS name does not exist"),
    )]);
    let local = LocalLookup::Done(vec![resolution(
        "ata.example.test",
        &[],
        Some("failed to lookup address"),
    )]);
    let r = console_url_resolves(&i, &local);
    assert_eq!(by_subject(&r, "LW1").status, Status::Fail);
    assert_eq!(by_subject(&r, "consultant").status, Status::Unknown);
    // Facts collected without -ConsoleUrl: not known.
    i.hosts[0].console_resolution = None;
    let r = console_url_resolves(&i, &LocalLookup::NotRun("demo".into()));
    assert_eq!(by_subject(&r, "LW1").status, Status::Unknown);
    assert!(by_subject(&r, "consultant").reason.contains("demo"));

    // Listening on every address: the Center's addresses are the expected ones.
    let mut i = console_inventory();
    i.ata.center.listen_endpoint = Some("0.0.0.0:443".into());
    i.hosts[0].console_resolution = Some(vec![resolution("ata.example.test", &["fe80::15"], None)]);
    assert_eq!(
        by_subject(
            &console_url_resolves(&i, &LocalLookup::NotRun("x".into())),
            "LW1"
        )
        .status,
        Status::Pass
    );
    i.ata.center.host_addresses.clear();
    assert_eq!(
        by_subject(
            &console_url_resolves(&i, &LocalLookup::NotRun("x".into())),
            "LW1"
        )
        .status,
        Status::Unknown
    );

    // A pending second URL must resolve too (seed 000, step 1 of a URL change).
    let mut i = console_inventory();
    i.ata
        .center
        .console_urls
        .push("https://ata-new.example.test".into());
    let lw1 = by_subject(
        &console_url_resolves(&i, &LocalLookup::NotRun("x".into())),
        "LW1",
    );
    assert_eq!(
        lw1.status,
        Status::Unknown,
        "ata-new was not looked up: {}",
        lw1.reason
    );
    // An IP literal URL is its own answer.
    let mut i = console_inventory();
    i.ata.center.console_urls = vec!["https://10.0.0.15".into()];
    assert_eq!(
        by_subject(
            &console_url_resolves(&i, &LocalLookup::Done(vec![])),
            "consultant"
        )
        .status,
        Status::Pass
    );
    assert!(console_names(&i).is_empty());
}

#[test]
fn a_custom_ip_must_be_installed_on_the_center_before_it_is_activated() {
    let mut i = console_inventory();
    let o = center_addresses(&i);
    assert_eq!(o.status, Status::Pass, "{}", o.reason);
    i.ata.center.console_urls.push("https://10.0.0.99".into());
    let o = center_addresses(&i);
    assert_eq!(o.status, Status::Fail);
    assert!(
        o.reason
            .contains("10.0.0.99 (the console URL https://10.0.0.99) is not installed"),
        "{}",
        o.reason
    );
    i.ata.center.console_urls.pop();
    i.ata.center.listen_endpoint = Some("10.0.0.16:443".into());
    assert_eq!(center_addresses(&i).status, Status::Fail);
    i.ata.center.listen_endpoint = Some("[::]:443".into());
    assert_eq!(center_addresses(&i).status, Status::Pass);
    i.ata.center.host_addresses.clear();
    assert_eq!(center_addresses(&i).status, Status::Unknown);
}

#[test]
fn the_certificate_must_name_the_console_host() {
    let now = Utc::now();
    let mut i = with_center("AA");
    i.ata.center.console_urls = vec!["https://ata.example.test/".into()];
    i.ata.center.certificates = vec![cert("aa", now + Duration::days(400))];
    assert_eq!(console_certificate_name(&i).status, Status::Pass);
    // Only the subject's CN (an older collector): still decided.
    i.ata.center.certificates[0].dns_names.clear();
    assert_eq!(console_certificate_name(&i).status, Status::Pass);
    i.ata.center.certificates[0].subject = Some("CN=other.example.test, O=Example".into());
    let o = console_certificate_name(&i);
    assert_eq!(o.status, Status::Warn);
    assert!(
        o.reason.contains("does not name ata.example.test"),
        "{}",
        o.reason
    );
    i.ata.center.certificates[0].dns_names = vec!["*.example.test".into()];
    assert_eq!(console_certificate_name(&i).status, Status::Pass);
    // A certificate awaiting activation that does not name the host.
    i.ata.center.thumbprint_sources.push(ThumbprintSource {
        profile: "CenterSystemProfile".into(),
        path: "Configuration.CenterWebClientConfiguration.ServiceCertificateThumbprints".into(),
        thumbprint: "BB".into(),
    });
    let mut new = cert("BB", now + Duration::days(800));
    new.subject = Some("CN=wrong.example.test".into());
    new.dns_names = vec!["wrong.example.test".into()];
    i.ata.center.certificates.push(new);
    let o = console_certificate_name(&i);
    assert_eq!(o.status, Status::Warn);
    assert!(o.reason.contains("awaiting activation BB"), "{}", o.reason);
    i.ata.center.certificates.clear();
    assert_eq!(console_certificate_name(&i).status, Status::Unknown);

    assert!(name_matches("*.example.test", "ATA.example.test"));
    assert!(!name_matches("*.example.test", "a.b.example.test"));
    assert!(!name_matches("*.example.test", "example.test"));
    assert!(name_matches("ata.example.test.", "ata.example.test"));
}
