//! One section's rows and details, and the label/value rows of the sections shown as
//! settings: what each part of the [`Inventory`] looks like on the Inventory screen,
//! every value written by [`crate::present`].

use crate::model::{AdMatch, Alert, DcFacts, DomainController, Entity, Inventory};
use crate::present::{self, Settings, level, list, yes_no};

use super::Section;
use crate::tui::strings as s;

impl Section {
    pub(super) fn row_of(self, inv: &Inventory, i: usize) -> Vec<String> {
        match self {
            Section::Center | Section::Syslog | Section::Email | Section::Vpn | Section::Dsa => {
                self.pairs(inv)
                    .into_iter()
                    .nth(i)
                    .map(|(k, v)| vec![k, v])
                    .unwrap_or_default()
            }
            Section::Gateways => inv
                .ata
                .gateways
                .get(i)
                .map(|g| {
                    vec![
                        g.name.clone(),
                        g.kind.to_string(),
                        opt(&g.version),
                        opt(&g.status),
                        yes_no(g.domain_synchronizer_candidate).into(),
                        yes_no(g.syslog_listener).into(),
                        g.domain_controllers.join(", "),
                    ]
                })
                .unwrap_or_default(),
            Section::Exclusions => inv
                .ata
                .exclusions
                .get(i)
                .map(|e| {
                    vec![
                        e.detector
                            .strip_suffix("DetectorConfiguration")
                            .unwrap_or(&e.detector)
                            .to_string(),
                        e.kind.to_string(),
                        e.entity
                            .as_ref()
                            .and_then(|en| en.name.clone())
                            .unwrap_or_else(|| s::NONE.into()),
                        e.value.clone(),
                        e.entity
                            .as_ref()
                            .map_or(s::NONE, |en| in_ad(en.ad.as_ref()))
                            .into(),
                    ]
                })
                .unwrap_or_default(),
            Section::Honeytokens => inv
                .ata
                .honeytokens
                .get(i)
                .map(entity_row)
                .unwrap_or_default(),
            Section::Sensitive => inv.ata.sensitive.get(i).map(entity_row).unwrap_or_default(),
            Section::Reports => inv
                .ata
                .report_schedules
                .get(i)
                .map(|r| {
                    vec![
                        r.name.clone(),
                        yes_no(r.enabled).into(),
                        opt(&r.schedule),
                        r.recipients.join(", "),
                    ]
                })
                .unwrap_or_default(),
            Section::Alerts => alert(inv, i)
                .map(|a| {
                    vec![
                        alert_kind(&a.kind),
                        opt(&a.severity),
                        a.status.clone(),
                        a.start_time.map_or_else(
                            || s::NONE.into(),
                            |t| t.format("%Y-%m-%d %H:%M").to_string(),
                        ),
                        a.entities.join(", "),
                    ]
                })
                .unwrap_or_default(),
            Section::Forest => inv
                .directory
                .as_ref()
                .and_then(|d| d.domains.get(i))
                .map(|d| {
                    vec![
                        d.dns_name.clone(),
                        opt(&d.netbios_name),
                        level(d.functional_level, d.functional_level_name.as_deref()),
                        opt(&d.sid),
                    ]
                })
                .unwrap_or_default(),
            Section::DomainControllers => match dc(inv, i) {
                Some(Dc::Directory(d)) => vec![
                    d.name.clone(),
                    d.domain.clone(),
                    opt(&d.site),
                    opt(&d.os),
                    if d.read_only { s::YES } else { s::NO }.into(),
                    yes_no(d.global_catalog).into(),
                    if inv
                        .host(d.dns_host_name.as_deref().unwrap_or(&d.name))
                        .is_some()
                    {
                        s::YES
                    } else {
                        s::NO
                    }
                    .into(),
                ],
                Some(Dc::Facts(h)) => vec![
                    h.name.clone(),
                    s::NONE.into(),
                    s::NONE.into(),
                    opt(&h.os_caption),
                    s::NONE.into(),
                    s::NONE.into(),
                    s::YES.into(),
                ],
                None => Vec::new(),
            },
            Section::Sources => inv
                .sources
                .get(i)
                .map(|src| {
                    vec![
                        src.kind.to_string(),
                        src.location.clone(),
                        src.status.to_string(),
                        src.records
                            .map_or_else(|| s::NONE.into(), |n| n.to_string()),
                        opt(&src.error),
                    ]
                })
                .unwrap_or_default(),
            Section::NotFound => inv
                .not_found
                .get(i)
                .map(|n| {
                    let item = match &n.reason {
                        Some(r) => format!("{} ({r})", n.item),
                        None => n.item.clone(),
                    };
                    vec![item, n.tried.join("; ")]
                })
                .unwrap_or_default(),
        }
    }

    pub(super) fn detail_of(
        self,
        inv: &Inventory,
        i: usize,
    ) -> Option<(String, Vec<(String, String)>)> {
        let pairs = |v: Vec<(&str, String)>| -> Vec<(String, String)> {
            v.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
        };
        match self {
            Section::Center | Section::Syslog | Section::Email | Section::Vpn | Section::Dsa => {
                let (k, v) = self.pairs(inv).into_iter().nth(i)?;
                Some((self.title().to_string(), vec![(k, v)]))
            }
            Section::Exclusions => {
                let e = inv.ata.exclusions.get(i)?;
                let mut p = pairs(vec![
                    ("Detector", e.detector.clone()),
                    ("Kind", e.kind.to_string()),
                    ("Value stored by ATA", e.value.clone()),
                    ("Read from", opt(&e.list)),
                ]);
                if let Some(en) = &e.entity {
                    p.extend(entity_pairs(en));
                }
                Some((format!("Exclusion {}", i + 1), p))
            }
            Section::Honeytokens | Section::Sensitive => {
                let list = if self == Section::Honeytokens {
                    &inv.ata.honeytokens
                } else {
                    &inv.ata.sensitive
                };
                let en = list.get(i)?;
                Some((en.label().to_string(), entity_pairs(en)))
            }
            Section::Alerts => {
                let a = alert(inv, i)?;
                Some((
                    alert_kind(&a.kind),
                    pairs(vec![
                        ("ATA id", a.id.clone()),
                        ("Type", a.kind.clone()),
                        ("Severity", opt(&a.severity)),
                        ("Status", a.status.clone()),
                        (
                            "Started",
                            a.start_time.map_or_else(|| s::NONE.into(), present::moment),
                        ),
                        (
                            "Ended",
                            a.end_time.map_or_else(|| s::NONE.into(), present::moment),
                        ),
                        ("Entities", a.entities.join(", ")),
                    ]),
                ))
            }
            Section::DomainControllers => match dc(inv, i)? {
                Dc::Directory(d) => {
                    let mut p = pairs(vec![
                        ("Name", d.name.clone()),
                        ("DNS name", opt(&d.dns_host_name)),
                        ("Domain", d.domain.clone()),
                        ("Site", opt(&d.site)),
                        ("OS", opt(&d.os)),
                        ("OS version", opt(&d.os_version)),
                        ("Read-only", if d.read_only { s::YES } else { s::NO }.into()),
                        ("Global catalog", yes_no(d.global_catalog).into()),
                        ("DN", opt(&d.dn)),
                    ]);
                    if let Some(h) = inv.host(d.dns_host_name.as_deref().unwrap_or(&d.name)) {
                        p.extend(facts_pairs(h));
                    }
                    Some((d.name.clone(), p))
                }
                Dc::Facts(h) => Some((h.name.clone(), facts_pairs(h))),
            },
            _ => {
                let cells = self.row_of(inv, i);
                if cells.is_empty() {
                    return None;
                }
                let p = self
                    .columns()
                    .iter()
                    .zip(cells)
                    .map(|(c, v)| (c.header.to_string(), v))
                    .collect();
                Some((format!("{} {}", self.title(), i + 1), p))
            }
        }
    }

    /// Label/value rows of the sections shown as settings.
    pub(super) fn pairs(self, inv: &Inventory) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: String| out.push((k.to_string(), v));
        let ata = &inv.ata;
        match self {
            Section::Center => {
                let c = &ata.center;
                for r in present::center(c) {
                    push(&r.label, r.value);
                }
                for cert in &c.certificates {
                    push(
                        "Certificate",
                        format!(
                            "{} {} (until {})",
                            cert.thumbprint,
                            cert.subject.as_deref().unwrap_or(""),
                            cert.not_after.map_or_else(
                                || s::NONE.into(),
                                |t| t.format("%Y-%m-%d").to_string()
                            )
                        ),
                    );
                }
                for t in &c.thumbprint_sources {
                    push(
                        "Thumbprint named by",
                        format!("{} {} = {}", t.profile, t.path, t.thumbprint),
                    );
                }
                for g in &ata.role_groups {
                    push(
                        &g.name.replace("Microsoft Advanced Threat Analytics", "ATA"),
                        list(&g.members),
                    );
                }
                let disabled: Vec<&str> = ata
                    .detectors
                    .iter()
                    .filter(|d| d.enabled == Some(false))
                    .map(|d| d.name.as_str())
                    .collect();
                if !ata.detectors.is_empty() {
                    push(
                        "Disabled detectors",
                        if disabled.is_empty() {
                            s::NONE.into()
                        } else {
                            disabled.join(", ")
                        },
                    );
                }
            }
            Section::Syslog | Section::Email | Section::Vpn => {
                let which = match self {
                    Section::Syslog => Settings::Syslog,
                    Section::Email => Settings::Email,
                    _ => Settings::Vpn,
                };
                for r in present::settings(inv, which) {
                    push(&r.label, r.value);
                }
            }
            Section::Dsa => {
                for (n, a) in ata.directory_services_accounts.iter().enumerate() {
                    push(
                        &format!("ATA account {}", n + 1),
                        format!(
                            "{}{} (password stored: {}; read from {})",
                            a.domain
                                .as_deref()
                                .map(|d| format!("{d}\\"))
                                .unwrap_or_default(),
                            a.user,
                            yes_no(Some(a.secret_present)),
                            a.found_at.as_deref().unwrap_or(s::NONE)
                        ),
                    );
                }
                let Some(dir) = inv.directory.as_ref() else {
                    push(
                        "In Active Directory",
                        "not looked up (no directory source)".into(),
                    );
                    return out;
                };
                // Every account ATA names, each described alike.
                for f in dir.directory_services_accounts() {
                    push(
                        "In Active Directory",
                        f.named_as.clone().unwrap_or_else(|| f.name.clone()),
                    );
                    for r in present::dsa_in_directory(f) {
                        push(&r.label, r.value);
                    }
                }
            }
            _ => {}
        }
        out
    }
}

enum Dc<'a> {
    Directory(&'a DomainController),
    Facts(&'a DcFacts),
}

fn dc(inv: &Inventory, i: usize) -> Option<Dc<'_>> {
    match &inv.directory {
        Some(d) if !d.domain_controllers.is_empty() => {
            d.domain_controllers.get(i).map(Dc::Directory)
        }
        _ => inv.hosts.get(i).map(Dc::Facts),
    }
}

fn alert(inv: &Inventory, i: usize) -> Option<&Alert> {
    let a = &inv.ata.alerts;
    a.open
        .get(i)
        .or_else(|| a.suppressed.get(i.checked_sub(a.open.len())?))
}

/// The value or the presentation's dash (a reference, as the model's fields are kept).
fn opt(v: &Option<impl std::fmt::Display>) -> String {
    present::opt(v.as_ref())
}

fn in_ad(ad: Option<&AdMatch>) -> &'static str {
    match ad {
        Some(m) if m.found => s::YES,
        Some(_) => s::NO,
        None => s::NONE,
    }
}

fn entity_row(en: &Entity) -> Vec<String> {
    vec![
        en.label().to_string(),
        opt(&en.sid),
        opt(&en.kind),
        opt(&en.source),
        in_ad(en.ad.as_ref()).into(),
        yes_no(en.ad.as_ref().and_then(|a| a.enabled)).into(),
    ]
}

fn entity_pairs(en: &Entity) -> Vec<(String, String)> {
    let mut p = vec![
        ("ATA entity id".to_string(), en.id.clone()),
        ("Name".to_string(), opt(&en.name)),
        ("SID".to_string(), opt(&en.sid)),
        ("Type".to_string(), opt(&en.kind)),
    ];
    if let Some(source) = en.source {
        p.push((
            "Tag".to_string(),
            match &en.tag_evidence {
                Some(why) => format!("{}: {why}", source.as_str()),
                None => source.as_str().to_string(),
            },
        ));
    }
    match &en.ad {
        None => p.push(("In Active Directory".into(), "not looked up".into())),
        Some(ad) => {
            p.push((
                "In Active Directory".into(),
                if ad.found { s::YES } else { "NOT FOUND" }.into(),
            ));
            p.push(("AD name".into(), opt(&ad.name)));
            p.push(("DN".into(), opt(&ad.dn)));
            p.push(("Enabled".into(), yes_no(ad.enabled).into()));
        }
    }
    p
}

fn facts_pairs(h: &DcFacts) -> Vec<(String, String)> {
    let num = |v: Option<u64>| v.map_or_else(|| s::NONE.to_string(), |n| n.to_string());
    let gib = |v: Option<u64>| {
        v.map_or_else(
            || s::NONE.to_string(),
            |b| format!("{:.2} GiB", b as f64 / 1_073_741_824.0),
        )
    };
    let mut p = vec![
        (
            "Facts collected".to_string(),
            h.collected_at
                .map_or_else(|| s::NONE.into(), present::moment),
        ),
        (".NET release".into(), num(h.dotnet_release.map(u64::from))),
        ("OS caption".into(), opt(&h.os_caption)),
        ("OS build".into(), num(h.os_build.map(u64::from))),
        ("Server Core".into(), yes_no(h.server_core).into()),
        (
            "Logical processors".into(),
            num(h.logical_processors.map(u64::from)),
        ),
        ("Memory".into(), gib(h.memory_bytes)),
        ("System drive free".into(), gib(h.system_drive_free_bytes)),
        ("Power plan".into(), opt(&h.power_scheme_name)),
        ("ntdsai.dll".into(), opt(&h.ntdsai_version)),
        (
            "ATA Lightweight Gateway".into(),
            yes_no(h.ata_lightweight_gateway_installed).into(),
        ),
        (
            "Sensor installed".into(),
            yes_no(h.atp_sensor_installed).into(),
        ),
        ("WinHTTP proxy".into(), opt(&h.winhttp_proxy)),
        ("WinINet proxy".into(), opt(&h.wininet_proxy)),
        (
            "Clock offset".into(),
            h.time_offset_seconds
                .map_or_else(|| s::NONE.into(), |t| format!("{t:.1} s")),
        ),
    ];
    for e in &h.errors {
        p.push(("Could not read".into(), e.clone()));
    }
    p
}

fn alert_kind(kind: &str) -> String {
    kind.strip_suffix("SuspiciousActivity")
        .unwrap_or(kind)
        .to_string()
}
