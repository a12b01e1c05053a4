//! ATA's own state before the move: what must be recorded (alerts, role groups), what
//! must happen in order (gateways before the Center), and what can break during the move
//! (a pending console URL or certificate change, thumbprints that disagree, a Center
//! certificate about to expire, an RODC as domain synchronizer candidate, a gateway that
//! stopped). The Center's URL and certificate follow the rules of "Modifying the ATA
//! Center configuration": the console URL's host is named by the certificate, resolves
//! to the address the Center listens on (from the consultant's machine, each gateway and
//! the Center), and a custom IP is installed on the Center before it is activated.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::Outcome;
use super::logs::Scanned;
use super::thresholds::CERTIFICATE_WARNING_DAYS;
use crate::model::{
    Alert, Certificate, Gateway, Inventory, NameResolution, SourceKind, SourceStatus, Status,
    same_host,
};

const NO_ATA: &str = "no ATA source in the inventory";
const ADD_ATA: &str = "collect ATA: `ata2atp inventory --ata-mongo …`, `--ata-dump DIR` or `--ata-json SystemProfile_….json`";

/// True when some ATA source was read (even in part).
pub(super) fn ata_read(inv: &Inventory) -> bool {
    inv.sources.iter().any(|s| {
        matches!(
            s.kind,
            SourceKind::AtaMongo
                | SourceKind::AtaDump
                | SourceKind::AtaJson
                | SourceKind::AtaCollector
                | SourceKind::Demo
        ) && s.status != SourceStatus::Failed
    }) || !inv.ata.gateways.is_empty()
        || !inv.ata.center.thumbprint_sources.is_empty()
}

fn alert_line(a: &Alert) -> String {
    let mut s = format!("{} {} ({})", a.id, a.kind, a.status);
    if let Some(sev) = &a.severity {
        s.push_str(&format!(" {sev}"));
    }
    if let Some(t) = a.start_time {
        s.push_str(&format!(" since {}", t.format("%Y-%m-%d")));
    }
    if !a.entities.is_empty() {
        s.push_str(&format!(" [{}]", a.entities.join(", ")));
    }
    s
}

/// Open and suppressed alerts are a Warn, not a Fail: the move may go ahead, but the
/// alerts are not imported, so each must be recorded (or closed) before the Center goes.
pub fn open_alerts(inv: &Inventory) -> Outcome {
    if !ata_read(inv) {
        return Outcome::unknown(format!("{NO_ATA}: ATA's alerts are not known")).remedy(ADD_ATA);
    }
    let alerts = &inv.ata.alerts;
    let read = !alerts.by_status.is_empty()
        || inv
            .ata
            .collections
            .iter()
            .any(|c| c.name.starts_with("SuspiciousActivit"));
    if !read {
        return Outcome::unknown(
            "ATA's alerts were not read (a SystemProfile backup holds no alerts)",
        )
        .remedy("read ATA's database, a mongodump, or a mongoexport of SuspiciousActivity");
    }
    let open = alerts
        .by_status
        .get("Open")
        .copied()
        .unwrap_or(alerts.open.len() as u64);
    let suppressed = alerts
        .by_status
        .get("Suppressed")
        .copied()
        .unwrap_or(alerts.suppressed.len() as u64);
    let by_status = alerts
        .by_status
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut o = if open + suppressed == 0 {
        Outcome::pass("no open or suppressed ATA alert")
    } else {
        Outcome::warn(format!(
            "{open} open and {suppressed} suppressed ATA alert(s): alerts are not imported into the cloud, record them"
        ))
        .remedy(
            "export or record every open and suppressed alert (id, type, entities) and close or remediate it; \
             keep the Center's data until they are all closed",
        )
    };
    o = o.ev(
        "by_status",
        if by_status.is_empty() {
            "none".into()
        } else {
            by_status
        },
    );
    for (i, a) in alerts
        .open
        .iter()
        .chain(alerts.suppressed.iter())
        .enumerate()
    {
        o = o.ev(&format!("alert_{:03}", i + 1), alert_line(a));
    }
    o
}

/// Gateways still registered: a Warn, because the move itself uninstalls them; the
/// danger is the order (uninstalling the Center first leaves gateways running unmanaged,
/// and the customer unprotected).
pub fn gateways_registered(inv: &Inventory) -> Outcome {
    if !ata_read(inv) {
        return Outcome::unknown(format!("{NO_ATA}: the registered gateways are not known"))
            .remedy(ADD_ATA);
    }
    let gws = &inv.ata.gateways;
    if gws.is_empty() {
        return Outcome::pass("no ATA gateway is registered with the Center");
    }
    let mut o = Outcome::warn(format!(
        "{} ATA gateway(s) still registered: uninstall every one before the ATA Center",
        gws.len()
    ))
    .remedy(
        "uninstall each Lightweight Gateway (right before that DC's sensor) and each ATA Gateway; \
         only then uninstall the Center",
    );
    for g in gws {
        let mut line = format!("{:?}", g.kind).to_lowercase();
        if let Some(v) = &g.version {
            line.push_str(&format!(" {v}"));
        }
        if let Some(s) = &g.status {
            line.push_str(&format!(" ({s})"));
        }
        o = o.ev(&format!("gateway {}", g.name), line);
    }
    o
}

/// The host of a URL (without brackets for IPv6).
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// An IP literal works, but every alert link carries it and a new Center address would
/// break them and the gateways' registration; the docs recommend an FQDN.
pub fn console_url(inv: &Inventory) -> Outcome {
    let urls = &inv.ata.center.console_urls;
    if urls.is_empty() {
        return if ata_read(inv) {
            Outcome::unknown(
                "ATA's console URL was not found (CenterWebClientConfiguration.ServiceEndpoints)",
            )
        } else {
            Outcome::unknown(format!("{NO_ATA}: the console URL is not known")).remedy(ADD_ATA)
        };
    }
    let literal: Vec<&String> = urls
        .iter()
        .filter(|u| url_host(u).parse::<std::net::IpAddr>().is_ok())
        .collect();
    let o = if literal.is_empty() {
        Outcome::pass(format!("console URL {}", urls.join(", ")))
    } else {
        Outcome::warn(format!(
            "the console URL {} is an IP address, not a host name",
            literal.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ))
        .remedy(
            "note it for the move; alert links and gateway registrations carry the address, so an FQDN is \
             preferred while ATA lives on",
        )
    };
    o.ev("console_urls", urls.join(", "))
}

/// More than one console URL or certificate: a change was made in the console and not
/// activated. A Warn: activate (or revert) before the move, or a gateway may end up on
/// the wrong one.
pub fn pending_change(inv: &Inventory) -> Outcome {
    if !ata_read(inv) {
        return Outcome::unknown(format!("{NO_ATA}: pending changes are not known"))
            .remedy(ADD_ATA);
    }
    let c = &inv.ata.center;
    let service_thumbprints: BTreeSet<String> = c
        .thumbprint_sources
        .iter()
        .filter(|s| s.path.contains("ServiceCertificateThumbprints"))
        .map(|s| normalise(&s.thumbprint))
        .collect();
    let urls = c.console_urls.len();
    let pending = c.pending_change || urls > 1 || service_thumbprints.len() > 1;
    let mut o = if pending {
        let mut what = Vec::new();
        if urls > 1 {
            what.push(format!("{urls} console URLs"));
        }
        if service_thumbprints.len() > 1 {
            what.push(format!("{} certificates", service_thumbprints.len()));
        }
        if what.is_empty() {
            what.push("a change".into());
        }
        Outcome::warn(format!(
            "{} await activation in the ATA console: gateways hold two candidates until it is activated",
            what.join(" and ")
        ))
        .remedy(
            "after every gateway has synced, activate the change in ATA (Configuration → Center), or revert it, \
             before the move; an offline gateway needs its JSON configuration updated by hand",
        )
    } else {
        Outcome::pass("no console URL or certificate change awaits activation")
    };
    o = o.ev("console_urls", c.console_urls.join(", "));
    if !service_thumbprints.is_empty() {
        o = o.ev(
            "service_certificate_thumbprints",
            service_thumbprints
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if pending {
        // The procedure names every gateway: each must sync before the activation, and one
        // that is offline then needs its configuration JSON updated by hand.
        let offline: Vec<&str> = inv
            .ata
            .gateways
            .iter()
            .filter(|g| gateway_running(g) != Some(true))
            .map(|g| g.name.as_str())
            .collect();
        for g in &inv.ata.gateways {
            o = o.ev(&format!("gateway {}", g.name), sync_line(g));
        }
        if !offline.is_empty() {
            o.reason.push_str(&format!(
                "; {} would miss the activation (not running)",
                offline.join(", ")
            ));
        }
    }
    o
}

/// Whether a gateway runs, as the Center last saw it: `Some(false)` when its state or its
/// service's says otherwise, `None` when the profile holds neither.
fn gateway_running(g: &Gateway) -> Option<bool> {
    let ok = |s: &str| {
        ["running", "started"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
    };
    match (g.status.as_deref(), g.service_status.as_deref()) {
        (None, None) => None,
        (s, svc) => Some(s.is_none_or(ok) && svc.is_none_or(ok)),
    }
}

/// A gateway's state in words: `StartFailure (service Stopped), last seen 2026-11-12 07:53 UTC`.
fn gateway_state(g: &Gateway) -> String {
    let mut line = g
        .status
        .clone()
        .unwrap_or_else(|| "state not recorded".into());
    if let Some(svc) = &g.service_status {
        line.push_str(&format!(" (service {svc})"));
    }
    if let Some(t) = g.last_activity {
        line.push_str(&format!(", last seen {}", t.format("%Y-%m-%d %H:%M UTC")));
    }
    line
}

/// What a pending change needs from one gateway.
fn sync_line(g: &Gateway) -> String {
    let what = match gateway_running(g) {
        Some(true) => "wait until it has synced the change, then activate",
        Some(false) => {
            "offline: it will not get the change; after the activation update its configuration JSON by hand"
        }
        None => "its state is not known: confirm in the ATA console that it has synced",
    };
    format!("{}: {what}", gateway_state(g))
}

fn normalise(thumbprint: &str) -> String {
    thumbprint
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The thumbprint the Center is bound to: `SecretManagerConfiguration`'s.
fn active_thumbprint(inv: &Inventory) -> Option<String> {
    let c = &inv.ata.center;
    c.thumbprint_sources
        .iter()
        .find(|s| s.path.contains("SecretManagerConfiguration"))
        .map(|s| normalise(&s.thumbprint))
        .or_else(|| {
            // Without the secret manager's, a single thumbprint is unambiguous.
            (c.certificate_thumbprints.len() == 1).then(|| normalise(&c.certificate_thumbprints[0]))
        })
}

/// Profiles naming different certificates broke gateway updates in ATA 1.7 (fixed by
/// copying the Center's thumbprint into the ServiceSystemProfile documents): a Warn,
/// since it bites at the next update or restart, not now.
pub fn certificate_thumbprints(inv: &Inventory) -> Outcome {
    if !ata_read(inv) {
        return Outcome::unknown(format!(
            "{NO_ATA}: the certificate thumbprints are not known"
        ))
        .remedy(ADD_ATA);
    }
    // The candidate list (ServiceCertificateThumbprints) legitimately holds two during a
    // change; pending_change reports that. Compare the single-valued fields.
    let sources: Vec<_> = inv
        .ata
        .center
        .thumbprint_sources
        .iter()
        .filter(|s| !s.path.contains("ServiceCertificateThumbprints"))
        .collect();
    if sources.is_empty() {
        return Outcome::unknown("no certificate thumbprint was found in ATA's profiles");
    }
    let reference = active_thumbprint(inv).unwrap_or_else(|| normalise(&sources[0].thumbprint));
    let mut o = Outcome::pass("");
    let mut disagree = Vec::new();
    for s in &sources {
        let t = normalise(&s.thumbprint);
        o = o.ev(&format!("{} {}", s.profile, s.path), t.clone());
        if t != reference {
            disagree.push(s.profile.clone());
        }
    }
    if disagree.is_empty() {
        o.reason = format!(
            "{} profile field(s) name the same certificate {reference}",
            sources.len()
        );
        o
    } else {
        o.status = crate::model::Status::Warn;
        o.reason = format!(
            "{} name(s) a certificate other than the Center's {reference}",
            disagree.join(", ")
        );
        o.remedy(
            "make every ServiceSystemProfile's ManagementClientConfiguration.ServerCertificateThumbprint the \
             Center's thumbprint (the ATA 1.7 known issue), or complete the certificate change, before the move",
        )
    }
}

/// Expired: Fail (gateways cannot reach the Center during the move). Expiring within 90
/// days: Warn, because renewal is not supported: a new certificate must be created,
/// selected, synced to every gateway and then activated, which takes time.
pub fn center_certificate(inv: &Inventory, now: DateTime<Utc>) -> Outcome {
    let c = &inv.ata.center;
    if c.certificates.is_empty() {
        return Outcome::unknown(
            "the Center certificate's expiry is only in the Center's certificate store, and no Center facts were read",
        )
        .remedy(
            "run `ata2atp collector center-facts > Get-CenterFacts.ps1` on the ATA Center, then \
             `ata2atp inventory --center-facts center-facts.json`",
        );
    }
    let active = active_thumbprint(inv);
    let cert = match &active {
        Some(t) => c
            .certificates
            .iter()
            .find(|x| normalise(&x.thumbprint) == *t),
        None if c.certificates.len() == 1 => c.certificates.first(),
        None => None,
    };
    let Some(cert) = cert else {
        let mut o = Outcome::unknown(match &active {
            Some(t) => format!("the Center's certificate {t} is not among the certificates the Center facts list"),
            None => "which certificate the Center is bound to is not known (no SecretManagerConfiguration \
                     thumbprint was read from ATA)"
                .into(),
        })
        .remedy("collect ATA's configuration too, so the active thumbprint is known");
        for x in &c.certificates {
            let until = x.not_after.map_or("expiry not recorded".to_string(), |t| {
                t.format("%Y-%m-%d").to_string()
            });
            o = o.ev(
                &format!("certificate {}", x.thumbprint),
                format!("valid until {until}"),
            );
        }
        return o;
    };
    let Some(not_after) = cert.not_after else {
        return Outcome::unknown(format!(
            "the expiry of certificate {} was not recorded",
            cert.thumbprint
        ));
    };
    let days = (not_after - now).num_days();
    let newer = c.certificates.iter().find(|x| {
        normalise(&x.thumbprint) != normalise(&cert.thumbprint)
            && x.not_after.is_some_and(|n| n > not_after)
    });
    let mut o = if not_after <= now {
        Outcome::fail(format!(
            "the ATA Center certificate {} expired on {}",
            cert.thumbprint,
            not_after.format("%Y-%m-%d")
        ))
    } else if days < CERTIFICATE_WARNING_DAYS {
        Outcome::warn(format!(
            "the ATA Center certificate {} expires on {} ({days} days)",
            cert.thumbprint,
            not_after.format("%Y-%m-%d")
        ))
    } else {
        Outcome::pass(format!(
            "the ATA Center certificate is valid until {} ({days} days)",
            not_after.format("%Y-%m-%d")
        ))
    };
    if o.status != crate::model::Status::Pass {
        o = o.remedy(match newer {
            Some(n) => format!(
                "a newer certificate {} is already installed: select it in ATA (Configuration → Center), wait until \
                 every gateway has synced, then activate it (renewing the old one is not supported)",
                n.thumbprint
            ),
            None => "renewal is not supported: create a new certificate on the Center, select it in ATA, wait until \
                     every gateway has synced, then activate it; or finish the move before the expiry"
                .to_string(),
        });
    }
    o = o
        .ev("thumbprint", cert.thumbprint.clone())
        .ev("not_after", not_after.to_rfc3339())
        .ev("days_left", days.to_string());
    if let Some(s) = &cert.subject {
        o = o.ev("subject", s.clone());
    }
    if let Some(i) = &cert.issuer {
        o = o.ev("issuer", i.clone());
    }
    o
}

/// An RODC as synchronizer candidate is a Fail: the 2019 guide and ATA both forbid it
/// (an RODC cannot be trusted with the synchronizer's replication reads).
pub fn synchronizer_rodc(inv: &Inventory) -> Outcome {
    if !ata_read(inv) {
        return Outcome::unknown(format!(
            "{NO_ATA}: the synchronizer candidates are not known"
        ))
        .remedy(ADD_ATA);
    }
    let gws = &inv.ata.gateways;
    if gws.is_empty() {
        return Outcome::pass("no ATA gateway registered, so no synchronizer candidate");
    }
    let candidates: Vec<_> = gws
        .iter()
        .filter(|g| g.domain_synchronizer_candidate == Some(true))
        .collect();
    let undetermined = gws
        .iter()
        .filter(|g| g.domain_synchronizer_candidate.is_none())
        .count();
    let Some(dir) = &inv.directory else {
        return Outcome::unknown(
            "no directory source in the inventory: which gateways run on RODCs is not known",
        )
        .ev(
            "candidates",
            candidates
                .iter()
                .map(|g| g.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
        );
    };
    let on_rodc: Vec<_> = candidates
        .iter()
        .filter(|g| {
            dir.domain_controller(&g.name)
                .is_some_and(|dc| dc.read_only)
                || g.domain_controllers.iter().any(|n| {
                    dir.domain_controller(n).is_some_and(|dc| dc.read_only) && same_host(n, &g.name)
                })
        })
        .map(|g| g.name.clone())
        .collect();
    let mut o = if !on_rodc.is_empty() {
        super::Outcome::fail(format!(
            "{} is a domain synchronizer candidate on a read-only DC",
            on_rodc.join(", ")
        ))
        .remedy(
            "clear the synchronizer candidate flag on RODC gateways in ATA now; in the cloud, do not choose an RODC \
             sensor as synchronizer candidate",
        )
    } else if undetermined == gws.len() {
        Outcome::unknown(
            "ATA's database does not say which gateways are synchronizer candidates (the field is not documented)",
        )
        .remedy("check each gateway's \"Domain synchronizer candidate\" setting in the ATA console")
    } else if undetermined > 0 {
        Outcome::unknown(format!(
            "no candidate among the gateways known runs on an RODC, but {undetermined} gateway(s) do not say"
        ))
        .remedy("check each gateway's \"Domain synchronizer candidate\" setting in the ATA console")
    } else {
        Outcome::pass("no read-only DC is a domain synchronizer candidate")
    };
    o = o.ev(
        "candidates",
        if candidates.is_empty() {
            "none".into()
        } else {
            candidates
                .iter()
                .map(|g| g.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    o
}

/// `ata.gateway_service`, one result per gateway: a stopped gateway is a Fail, because the
/// domain controllers it watches are unprotected until their sensor runs, and it misses
/// any Center change activated meanwhile. When its log says "The supplied credential is
/// invalid." the cause is the directory services account's password (seed 002), which
/// the sensors would be given too.
pub fn gateway_service(inv: &Inventory, logs: &Scanned) -> Vec<(Option<String>, Outcome)> {
    if !ata_read(inv) {
        return vec![(
            None,
            Outcome::unknown(format!("{NO_ATA}: the gateways are not known")).remedy(ADD_ATA),
        )];
    }
    if inv.ata.gateways.is_empty() {
        return vec![(
            None,
            Outcome::pass("no ATA gateway is registered with the Center"),
        )];
    }
    inv.ata
        .gateways
        .iter()
        .map(|g| (Some(g.name.clone()), one_gateway_service(inv, g, logs)))
        .collect()
}

fn one_gateway_service(inv: &Inventory, g: &Gateway, logs: &Scanned) -> Outcome {
    let profile = gateway_running(g);
    // The DC facts collector saw the Lightweight Gateway's service itself, later than or
    // independently of the Center's last sight.
    let facts = inv.host(&g.name);
    let host_state = facts.and_then(|f| f.ata_gateway_service.as_deref());
    let host_running = host_state.map(|s| s.eq_ignore_ascii_case("running"));
    let credential = logs
        .as_ref()
        .ok()
        .and_then(|scan| scan.gateway(&g.name))
        .and_then(|t| t.hits.get("credential_invalid").cloned());
    let running = match (profile, host_running) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), _) | (_, Some(true)) => Some(true),
        (None, None) => None,
    };
    let watched = if g.domain_controllers.is_empty() {
        String::new()
    } else {
        format!(
            "; the DCs it watches ({}) are unprotected until it runs",
            g.domain_controllers.join(", ")
        )
    };
    let mut o = match running {
        Some(true) => Outcome::pass(format!("{} runs: {}", g.name, gateway_state(g))),
        None => Outcome::unknown(format!(
            "the Center's profile of {} holds no state (Status, ServiceStatus) and no DC facts name its service",
            g.name
        ))
        .remedy(format!(
            "check in the ATA console (Gateways) that {} is Running, or run the DC facts collector on it",
            g.name
        )),
        Some(false) => {
            let mut reason = format!("{} is not running: {}", g.name, gateway_state(g));
            if let (Some(state), Some(f)) = (host_state, facts) {
                reason.push_str(&format!(
                    "; on {} the ATAGateway service is {state}",
                    f.name
                ));
            }
            match &credential {
                Some((count, last)) => {
                    reason.push_str(&format!(
                        "; its log has {count} × \"The supplied credential is invalid.\" (last {}): the directory \
                         services account's password in ATA is wrong",
                        last.as_deref().unwrap_or("time not recorded")
                    ));
                    Outcome::fail(reason + &watched).remedy(format!(
                        "in the ATA console: Configuration → Directory services → enter the correct password, Test \
                         connection, Save; then check that the gateway service runs on {} (start it if it stays \
                         stopped), and give the sensors the same correct credentials",
                        g.name
                    ))
                }
                None => Outcome::fail(reason + &watched).remedy(format!(
                    "start the ATA Gateway service on {} and read its Microsoft.Tri.Gateway-Errors.log for why it \
                     stopped (with the log under --gateway-logs this check names a wrong password)",
                    g.name
                )),
            }
        }
    };
    if let Some(s) = &g.status {
        o = o.ev("status", s.clone());
    }
    if let Some(s) = &g.service_status {
        o = o.ev("service_status", s.clone());
    }
    if let Some(t) = g.last_activity {
        o = o.ev("last_activity", t.to_rfc3339());
    }
    if let (Some(state), Some(f)) = (host_state, facts) {
        o = o.ev("dc_facts_service", format!("{state} ({})", f.name));
    }
    if let Some((count, last)) = credential {
        o = o.ev(
            "log_credential_invalid",
            format!(
                "{count} line(s), last seen {}",
                last.as_deref().unwrap_or("time not recorded")
            ),
        );
    }
    o
}

/// The host part of every console URL, deduplicated, in order.
fn console_hosts(inv: &Inventory) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in &inv.ata.center.console_urls {
        let h = url_host(u).to_string();
        if !h.is_empty() && !out.iter().any(|x| x.eq_ignore_ascii_case(&h)) {
            out.push(h);
        }
    }
    out
}

/// The host names to look up on the consultant's machine (IP literals need no lookup).
pub fn console_names(inv: &Inventory) -> Vec<String> {
    console_hosts(inv)
        .into_iter()
        .filter(|h| h.parse::<IpAddr>().is_err())
        .collect()
}

/// What `ServiceListeningIpEndpoint` says the Center listens on.
#[derive(Debug, Clone, PartialEq)]
enum Listen {
    /// One address.
    On(IpAddr),
    /// Every address of the Center (`0.0.0.0`, `::`, `*`, `+`).
    Any,
}

fn listen(inv: &Inventory) -> Option<Listen> {
    let e = inv.ata.center.listen_endpoint.as_deref()?.trim();
    if let Ok(sa) = e.parse::<std::net::SocketAddr>() {
        return Some(ip_listen(sa.ip()));
    }
    if let Ok(ip) = e.parse::<IpAddr>() {
        return Some(ip_listen(ip));
    }
    let host = e.rsplit_once(':').map_or(e, |(h, _)| h);
    match host.trim_matches(['[', ']']) {
        "*" | "+" => Some(Listen::Any),
        h => h.parse::<IpAddr>().ok().map(ip_listen),
    }
}

fn ip_listen(ip: IpAddr) -> Listen {
    if ip.is_unspecified() {
        Listen::Any
    } else {
        Listen::On(ip)
    }
}

/// An address as a resolver or `ipconfig` writes it (an IPv6 zone index dropped).
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    s.split('%').next().unwrap_or(s).parse().ok()
}

/// The addresses a console host must resolve to, with how they were found; `Err(why)`
/// when nothing says.
fn expected_addresses(inv: &Inventory) -> Result<(BTreeSet<IpAddr>, String), String> {
    let c = &inv.ata.center;
    let installed: BTreeSet<IpAddr> = c
        .host_addresses
        .iter()
        .filter_map(|a| parse_ip(a))
        .collect();
    match listen(inv) {
        Some(Listen::On(ip)) => Ok((
            BTreeSet::from([ip]),
            format!(
                "the Center listens on {}",
                c.listen_endpoint.as_deref().unwrap_or_default()
            ),
        )),
        Some(Listen::Any) if !installed.is_empty() => Ok((
            installed,
            "the Center listens on every address it has (center-facts)".into(),
        )),
        Some(Listen::Any) => Err(
            "the Center listens on every address it has, and its addresses were not collected (center-facts)".into(),
        ),
        None if !installed.is_empty() => Ok((
            installed,
            "the Center's addresses (center-facts; its listening endpoint was not read)".into(),
        )),
        None => Err(
            "neither the Center's listening endpoint (CenterWebApplicationConfiguration.ServiceListeningIpEndpoint) \
             nor its addresses (center-facts) are known"
                .into(),
        ),
    }
}

fn join_ips<'a>(ips: impl IntoIterator<Item = &'a IpAddr>) -> String {
    ips.into_iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How bad a status is, to keep the worst of several.
fn severity(s: Status) -> u8 {
    match s {
        Status::Pass => 0,
        Status::Manual => 1,
        Status::Unknown => 2,
        Status::Warn => 3,
        Status::Fail => 4,
    }
}

/// The console URL lookups made on the consultant's machine when the check ran.
#[derive(Debug, Clone, PartialEq)]
pub enum LocalLookup {
    /// Not attempted, and why (the demo, `--no-network`).
    NotRun(String),
    Done(Vec<NameResolution>),
}

/// How one place resolved the console hosts, judged against the expected addresses.
/// `strict`: a failed or wrong answer is a Fail (a gateway, the Center); else a Warn or
/// Unknown (the consultant's machine may see another DNS view).
fn judge_resolution(
    place: &str,
    hosts: &[String],
    answers: &[NameResolution],
    expected: &BTreeSet<IpAddr>,
    why_expected: &str,
    strict: bool,
) -> Outcome {
    let mut worst = Status::Pass;
    let mut lines = Vec::new();
    let mut evidence = BTreeMap::new();
    let raise = |s: Status, worst: &mut Status| {
        if severity(s) > severity(*worst) {
            *worst = s;
        }
    };
    let want = join_ips(expected);
    for h in hosts {
        // An IP literal "resolves" to itself everywhere.
        let resolved: Result<Vec<IpAddr>, String> = match h.parse::<IpAddr>() {
            Ok(ip) => Ok(vec![ip]),
            Err(_) => match answers.iter().find(|a| a.name.eq_ignore_ascii_case(h)) {
                None => Err("not looked up".into()),
                Some(a) if a.addresses.is_empty() => Err(a
                    .error
                    .clone()
                    .unwrap_or_else(|| "no address in the answer".into())),
                Some(a) => Ok(a.addresses.iter().filter_map(|x| parse_ip(x)).collect()),
            },
        };
        match resolved {
            Err(e) => {
                evidence.insert(h.clone(), format!("not resolved: {e}"));
                let unresolved = if e == "not looked up" {
                    Status::Unknown
                } else if strict {
                    Status::Fail
                } else {
                    Status::Unknown
                };
                raise(unresolved, &mut worst);
                lines.push(format!("{h} did not resolve ({e})"));
            }
            Ok(ips) => {
                let good: Vec<&IpAddr> = ips.iter().filter(|i| expected.contains(i)).collect();
                let other: Vec<&IpAddr> = ips.iter().filter(|i| !expected.contains(i)).collect();
                evidence.insert(h.clone(), join_ips(&ips));
                if good.is_empty() {
                    raise(if strict { Status::Fail } else { Status::Warn }, &mut worst);
                    lines.push(format!(
                        "{h} resolves to {}, not to {want}",
                        join_ips(other)
                    ));
                } else if !other.is_empty() {
                    raise(Status::Warn, &mut worst);
                    lines.push(format!(
                        "{h} resolves to {} and also to {}, where the Center does not listen",
                        join_ips(good),
                        join_ips(other)
                    ));
                } else {
                    lines.push(format!("{h} resolves to {}", join_ips(good)));
                }
            }
        }
    }
    let mut o = Outcome::new(worst, format!("from {place}: {}", lines.join("; ")));
    o.evidence = evidence;
    o = o.ev("expected", format!("{want} ({why_expected})"));
    if worst != Status::Pass {
        o = o.remedy(format!(
            "make the console host resolve to {want} in the DNS {place} uses (the gateways register and reach the \
             Center by that name), or correct the URL in ATA (Configuration → Center) and activate it after every \
             gateway has synced"
        ));
    }
    o
}

/// `ata.console_url_resolves`: the console URL's host must resolve to the address the
/// Center listens on, from the consultant's machine, from each gateway (DC facts) and
/// from the Center itself (center-facts). One result per place.
pub fn console_url_resolves(
    inv: &Inventory,
    local: &LocalLookup,
) -> Vec<(Option<String>, Outcome)> {
    let hosts = console_hosts(inv);
    if hosts.is_empty() {
        let o = if ata_read(inv) {
            Outcome::unknown(
                "ATA's console URL was not found (CenterWebClientConfiguration.ServiceEndpoints)",
            )
        } else {
            Outcome::unknown(format!("{NO_ATA}: the console URL is not known")).remedy(ADD_ATA)
        };
        return vec![(None, o)];
    }
    let expected = expected_addresses(inv);
    let urls = inv.ata.center.console_urls.join(", ");
    let judge = |place: &str, answers: &[NameResolution], strict: bool| -> Outcome {
        match &expected {
            Ok((ips, why)) => judge_resolution(place, &hosts, answers, ips, why, strict),
            Err(why) => {
                let mut o = Outcome::unknown(format!("{why}: what the console URL must resolve to is not known"))
                    .remedy("collect the Center facts (`ata2atp collector center-facts`) and ATA's configuration");
                for a in answers {
                    o = o.ev(
                        &a.name,
                        if a.addresses.is_empty() {
                            format!(
                                "not resolved: {}",
                                a.error.as_deref().unwrap_or("no address")
                            )
                        } else {
                            a.addresses.join(", ")
                        },
                    );
                }
                o
            }
        }
    };
    let mut out = Vec::new();
    out.push((
        Some("consultant".to_string()),
        match local {
            LocalLookup::NotRun(why) => Outcome::unknown(format!(
                "the console URL was not looked up from this machine: {why}"
            ))
            .remedy(format!(
                "run `ata2atp check` on the customer's network (it resolves {urls})"
            )),
            LocalLookup::Done(answers) => judge("this machine", answers, false),
        },
    ));
    let collect = format!(
        "run `ata2atp collector dc-facts > Get-DcFacts.ps1`, then `.\\Get-DcFacts.ps1 -ConsoleUrl {}` \
         (add -ComputerName for a gateway that is not a DC)",
        inv.ata.center.console_urls.join(",")
    );
    for g in &inv.ata.gateways {
        let o = match inv.host(&g.name) {
            None => Outcome::unknown(format!(
                "no facts were collected from {}: how it resolves the console URL is not known",
                g.name
            ))
            .remedy(collect.clone()),
            Some(f) => match &f.console_resolution {
                None => Outcome::unknown(format!(
                    "the facts of {} hold no console lookup (the collector ran without -ConsoleUrl, or is older)",
                    f.name
                ))
                .remedy(collect.clone()),
                Some(answers) => judge(&g.name, answers, true),
            },
        };
        out.push((Some(g.name.clone()), o));
    }
    let center = inv
        .ata
        .center
        .host
        .clone()
        .unwrap_or_else(|| "ATA Center".into());
    let o = if inv.ata.center.console_resolution.is_empty() {
        Outcome::unknown(
            "no Center facts hold the Center's own lookup of the console URL (console_resolution)",
        )
        .remedy(
            "run `ata2atp collector center-facts > Get-CenterFacts.ps1` on the ATA Center, then \
             `ata2atp inventory --center-facts center-facts.json`",
        )
    } else {
        judge("the Center", &inv.ata.center.console_resolution, true)
    };
    out.push((Some(center), o));
    out
}

/// `ata.center_addresses`: the address the Center listens on, and any console URL that is
/// an IP address, are installed on the Center. ATA refuses to activate a custom IP it does
/// not have (seed 000), and a listener on a missing address serves nobody: a Fail.
pub fn center_addresses(inv: &Inventory) -> Outcome {
    let c = &inv.ata.center;
    if c.host_addresses.is_empty() {
        return Outcome::unknown(
            "the Center's IP addresses are only in the Center facts (ip_addresses), and none were read",
        )
        .remedy(
            "run this version's `ata2atp collector center-facts > Get-CenterFacts.ps1` on the ATA Center, then \
             `ata2atp inventory --center-facts center-facts.json`",
        );
    }
    let installed: BTreeSet<IpAddr> = c
        .host_addresses
        .iter()
        .filter_map(|a| parse_ip(a))
        .collect();
    let mut wanted: Vec<(IpAddr, String)> = Vec::new();
    match listen(inv) {
        Some(Listen::On(ip)) => wanted.push((
            ip,
            format!(
                "the listening endpoint {}",
                c.listen_endpoint.as_deref().unwrap_or_default()
            ),
        )),
        Some(Listen::Any) | None => {}
    }
    for u in &c.console_urls {
        if let Ok(ip) = url_host(u).parse::<IpAddr>() {
            wanted.push((ip, format!("the console URL {u}")));
        }
    }
    let host = c.host.as_deref().unwrap_or("the Center");
    let mut o = if wanted.is_empty() {
        match listen(inv) {
            Some(Listen::Any) => Outcome::pass(format!(
                "the Center listens on every address and the console URLs are host names; {host} has {}",
                join_ips(&installed)
            )),
            _ => Outcome::unknown(
                "the Center's listening endpoint was not read (CenterWebApplicationConfiguration.ServiceListeningIpEndpoint)",
            ),
        }
    } else {
        let missing: Vec<&(IpAddr, String)> = wanted
            .iter()
            .filter(|(ip, _)| !installed.contains(ip))
            .collect();
        if missing.is_empty() {
            Outcome::pass(format!(
                "{} installed on {host}",
                wanted
                    .iter()
                    .map(|(ip, what)| format!("{ip} ({what}) is"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else {
            Outcome::fail(format!(
                "{} not installed on {host}: ATA cannot activate a custom IP the Center does not have",
                missing
                    .iter()
                    .map(|(ip, what)| format!("{ip} ({what}) is"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .remedy(format!(
                "install the address on {host}'s network adapter before activating it in ATA (Configuration → \
                 Center), or keep the current URL; prefer an FQDN, which only needs DNS updated when the address changes"
            ))
        }
    };
    o = o.ev("center_addresses", join_ips(&installed));
    if let Some(e) = &c.listen_endpoint {
        o = o.ev("listen_endpoint", e.clone());
    }
    o
}

/// The names a certificate is issued for: its DNS names, and its subject's CN.
fn certificate_names(cert: &Certificate) -> Vec<String> {
    let mut names: Vec<String> = cert.dns_names.clone();
    if let Some(cn) = cert.subject.as_deref().and_then(|s| {
        s.split(',').map(str::trim).find_map(|part| {
            part.strip_prefix("CN=")
                .or_else(|| part.strip_prefix("cn="))
        })
    }) && !names.iter().any(|n| n.eq_ignore_ascii_case(cn))
    {
        names.push(cn.to_string());
    }
    names
}

/// A host matches a certificate name exactly (ignoring case) or through a wildcard that
/// stands for exactly one leftmost label.
fn name_matches(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    let h = h.trim_end_matches('.');
    match p.strip_prefix("*.") {
        Some(rest) => h
            .split_once('.')
            .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
        None => p.trim_end_matches('.') == h,
    }
}

/// `ata.console_certificate_name`: the certificate the Center is bound to (and one awaiting
/// activation) names the console URL's host, as its subject or an alternative name. The
/// console uses the Center's certificate, so a mismatch shows browser warnings, and every
/// alert link carries the URL: a Warn (the gateways authenticate by thumbprint).
pub fn console_certificate_name(inv: &Inventory) -> Outcome {
    let c = &inv.ata.center;
    if c.certificates.is_empty() {
        return Outcome::unknown(
            "the Center certificate's names are only in the Center's certificate store, and no Center facts were read",
        )
        .remedy(
            "run `ata2atp collector center-facts > Get-CenterFacts.ps1` on the ATA Center, then \
             `ata2atp inventory --center-facts center-facts.json`",
        );
    }
    let hosts = console_hosts(inv);
    if hosts.is_empty() {
        return Outcome::unknown(
            "ATA's console URL was not found (CenterWebClientConfiguration.ServiceEndpoints)",
        );
    }
    let Some(active) = active_thumbprint(inv) else {
        return Outcome::unknown(
            "which certificate the Center is bound to is not known (no SecretManagerConfiguration thumbprint was read)",
        );
    };
    let find = |t: &str| {
        c.certificates
            .iter()
            .find(|x| normalise(&x.thumbprint) == t)
    };
    let Some(cert) = find(&active) else {
        return Outcome::unknown(format!(
            "the Center's certificate {active} is not among the certificates the Center facts list"
        ));
    };
    // A certificate selected but not activated yet will be the console's next one.
    let pending: Vec<&Certificate> = c
        .thumbprint_sources
        .iter()
        .filter(|s| s.path.contains("ServiceCertificateThumbprints"))
        .map(|s| normalise(&s.thumbprint))
        .filter(|t| *t != active)
        .collect::<BTreeSet<_>>()
        .iter()
        .filter_map(|t| find(t))
        .collect();
    let names_of = |x: &Certificate| -> Vec<String> { certificate_names(x) };
    let literal: Vec<&String> = hosts
        .iter()
        .filter(|h| h.parse::<IpAddr>().is_ok())
        .collect();
    let named: Vec<&String> = hosts
        .iter()
        .filter(|h| h.parse::<IpAddr>().is_err())
        .collect();
    let mut o = Outcome::pass("");
    o = o.ev(
        &format!("certificate {}", cert.thumbprint),
        names_of(cert).join(", "),
    );
    for p in &pending {
        o = o.ev(
            &format!("certificate {} (awaiting activation)", p.thumbprint),
            names_of(p).join(", "),
        );
    }
    if named.is_empty() {
        o.status = Status::Unknown;
        o.reason = format!(
            "the console URL is an IP address ({}): the certificate's IP addresses are not collected",
            literal
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return o;
    }
    if names_of(cert).is_empty() {
        o.status = Status::Unknown;
        o.reason = format!(
            "the names of the certificate {} were not collected",
            cert.thumbprint
        );
        return o.remedy(
            "run this version's Center facts collector (it records each certificate's DNS names)",
        );
    }
    let mut problems = Vec::new();
    for (label, x) in std::iter::once(("the Center's certificate", cert)).chain(
        pending
            .iter()
            .map(|p| ("the certificate awaiting activation", *p)),
    ) {
        let names = names_of(x);
        for h in &named {
            if !names.iter().any(|n| name_matches(n, h)) {
                problems.push(format!(
                    "{label} {} does not name {h} (it names {})",
                    x.thumbprint,
                    if names.is_empty() {
                        "nothing".to_string()
                    } else {
                        names.join(", ")
                    }
                ));
            }
        }
    }
    if problems.is_empty() {
        o.reason = format!(
            "the certificate{} name{} {}",
            if pending.is_empty() { "" } else { "s" },
            if pending.is_empty() { "s" } else { "" },
            named
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        o
    } else {
        o.status = Status::Warn;
        o.reason = format!(
            "{}: browsers warn on the console and on every alert link",
            problems.join("; ")
        );
        o.remedy(
            "issue the Center's certificate (from the internal CA) with the console URL's host as subject or \
             alternative name; install it on the Center, select it in ATA, wait until every gateway has synced, then \
             activate it",
        )
    }
}

/// Role groups are Manual: mapping people to the cloud's roles is a decision.
pub fn role_groups(inv: &Inventory, workspace: Option<&str>) -> Outcome {
    let groups = &inv.ata.role_groups;
    if groups.is_empty() {
        return Outcome::unknown(
            "ATA's role groups are local groups on the Center and no Center facts were read",
        )
        .remedy("run Get-CenterFacts.ps1 on the ATA Center (`ata2atp collector center-facts`) and add it to the inventory");
    }
    let ws = workspace.unwrap_or("<workspace>");
    let mut o = Outcome::manual(format!(
        "map the members of {} ATA group(s) to the cloud's roles: \"Azure ATP {ws} Administrators/Users/Viewers\" \
         or Defender XDR roles; local Administrators of the Center were ATA administrators too",
        groups.len()
    ))
    .remedy("record who gets which role in the checklist step \"Configure role-based permissions\"");
    for g in groups {
        o = o.ev(
            &g.name,
            if g.members.is_empty() {
                "(no members)".into()
            } else {
                g.members.join(", ")
            },
        );
    }
    o
}

/// Always Manual: only the customer can confirm who administers the Entra ID tenant.
pub fn tenant_admin() -> Outcome {
    Outcome::manual(
        "confirm that the customer's Azure AD (Entra ID) tenant has a Global or Security Administrator available \
         to create the workspace",
    )
    .remedy("record the administrator's name in the checklist")
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::model::{Certificate, Gateway, GatewayKind, Source, Status, ThumbprintSource};

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
        i.ata.center.console_resolution =
            vec![resolution("ATA.example.test", &["10.0.0.15"], None)];
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
            gw1.remediation
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
        i.hosts[0].console_resolution =
            Some(vec![resolution("ata.example.test", &["fe80::15"], None)]);
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
}
