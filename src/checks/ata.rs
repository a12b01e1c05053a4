//! ATA's own state before the move: what must be recorded (alerts, role groups), what
//! must happen in order (gateways before the Center), and what can break during the move
//! (a pending console URL or certificate change, thumbprints that disagree, a Center
//! certificate about to expire, an RODC as domain synchronizer candidate).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::Outcome;
use super::thresholds::CERTIFICATE_WARNING_DAYS;
use crate::model::{Alert, Inventory, SourceKind, SourceStatus, same_host};

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
    o
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
}
