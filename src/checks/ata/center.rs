//! The Center's console URL and certificate: pending changes, thumbprints that disagree,
//! expiry, and the names the certificate holds.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::gateways::{gateway_running, sync_line};
use super::resolution::{console_hosts, url_host};
use super::{ADD_ATA, NO_ATA, RUN_CENTER_FACTS, ata_read};
use crate::checks::Outcome;
use crate::checks::thresholds::CERTIFICATE_WARNING_DAYS;
use crate::model::{Certificate, Inventory, Status};

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
            Outcome::unknown(format!("{NO_ATA}: the console URL is not known")).act(ADD_ATA)
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
        return Outcome::unknown(format!("{NO_ATA}: pending changes are not known")).act(ADD_ATA);
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

pub(super) fn normalise(thumbprint: &str) -> String {
    thumbprint
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The thumbprint the Center is bound to: `SecretManagerConfiguration`'s.
pub(super) fn active_thumbprint(inv: &Inventory) -> Option<String> {
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
        .act(ADD_ATA);
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
        .act(RUN_CENTER_FACTS);
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

/// The names a certificate is issued for: its DNS names, and its subject's CN.
pub(super) fn certificate_names(cert: &Certificate) -> Vec<String> {
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
pub(super) fn name_matches(pattern: &str, host: &str) -> bool {
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
        .act(RUN_CENTER_FACTS);
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
