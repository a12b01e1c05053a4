//! Whether the console URL's host resolves to the address the Center listens on, from
//! the consultant's machine, each gateway and the Center.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::{ADD_ATA, NO_ATA, RUN_CENTER_FACTS, ata_read};
use crate::checks::Outcome;
use crate::model::{Action, Inventory, NameResolution, Status};

/// The host of a URL (without brackets for IPv6).
pub(super) fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    authority.split(':').next().unwrap_or(authority)
}

/// The host part of every console URL, deduplicated, in order.
pub(super) fn console_hosts(inv: &Inventory) -> Vec<String> {
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
pub(super) enum Listen {
    /// One address.
    On(IpAddr),
    /// Every address of the Center (`0.0.0.0`, `::`, `*`, `+`).
    Any,
}

pub(super) fn listen(inv: &Inventory) -> Option<Listen> {
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

pub(super) fn ip_listen(ip: IpAddr) -> Listen {
    if ip.is_unspecified() {
        Listen::Any
    } else {
        Listen::On(ip)
    }
}

/// An address as a resolver or `ipconfig` writes it (an IPv6 zone index dropped).
pub(super) fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    s.split('%').next().unwrap_or(s).parse().ok()
}

/// The addresses a console host must resolve to, with how they were found; `Err(why)`
/// when nothing says.
pub(super) fn expected_addresses(inv: &Inventory) -> Result<(BTreeSet<IpAddr>, String), String> {
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

pub(super) fn join_ips<'a>(ips: impl IntoIterator<Item = &'a IpAddr>) -> String {
    ips.into_iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How bad a status is, to keep the worst of several.
pub(super) fn severity(s: Status) -> u8 {
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
pub(super) fn judge_resolution(
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
            Outcome::unknown(format!("{NO_ATA}: the console URL is not known")).act(ADD_ATA)
        };
        return vec![(None, o)];
    }
    let expected = expected_addresses(inv);
    let urls = inv.ata.center.console_urls.join(", ");
    let judge = |place: &str, answers: &[NameResolution], strict: bool| -> Outcome {
        match &expected {
            Ok((ips, why)) => judge_resolution(place, &hosts, answers, ips, why, strict),
            Err(why) => {
                let mut o = Outcome::unknown(format!(
                    "{why}: what the console URL must resolve to is not known"
                ))
                .act(RUN_CENTER_FACTS);
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
            .act(Action::LookUpOnSite { urls: urls.clone() }),
            LocalLookup::Done(answers) => judge("this machine", answers, false),
        },
    ));
    let collect = Action::DcFacts {
        console_urls: Some(inv.ata.center.console_urls.join(",")),
    };
    for g in &inv.ata.gateways {
        let o = match inv.host(&g.name) {
            None => Outcome::unknown(format!(
                "no facts were collected from {}: how it resolves the console URL is not known",
                g.name
            ))
            .act(collect.clone()),
            Some(f) => match &f.console_resolution {
                None => Outcome::unknown(format!(
                    "the facts of {} hold no console lookup (the collector ran without -ConsoleUrl, or is older)",
                    f.name
                ))
                .act(collect.clone()),
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
        .act(RUN_CENTER_FACTS)
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
        .remedy("the Center facts of an earlier ata2atp hold no addresses: collect them with this version")
        .act(RUN_CENTER_FACTS);
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
