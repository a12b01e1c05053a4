//! The inventory in the report: ATA's settings and lists, the directory, the domain
//! controllers with their readiness. Settings rows and words come from [`crate::present`].

use super::*;

/// One directory services account as Active Directory sees it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DsaAccount {
    /// The account as ATA names it.
    pub account: String,
    pub pairs: Vec<Pair>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InventorySection {
    pub present: bool,
    pub collected_at: Option<String>,
    pub center: Vec<Pair>,
    pub certificates: Table,
    pub directory_services_accounts: Table,
    /// Every directory services account ATA names (one per domain), as Active Directory
    /// sees it.
    pub dsa_accounts: Vec<DsaAccount>,
    /// The first of `dsa_accounts` alone, for templates written before there could be
    /// several.
    pub dsa_directory: Vec<Pair>,
    pub notifications: Vec<Pair>,
    pub exclusions: Table,
    pub honeytokens: Table,
    pub sensitive: Table,
    pub gateways: Table,
    pub domain_controllers: Table,
    pub report_schedules: Table,
    pub role_groups: Table,
    pub detectors: Table,
    pub directory: Vec<Pair>,
    pub domains: Table,
    pub privileged_groups: Table,
    pub alerts_by_status: Vec<Pair>,
    pub open_alerts: Table,
    pub suppressed_alerts: Table,
    /// Closed and other alerts are counted, not listed: they need no action.
    pub other_alerts_note: Option<String>,
    pub collections: Table,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotFoundLine {
    pub item: String,
    pub tried: String,
    /// Why, when not plain absence (a value of an unexpected type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every DC the inventory names (directory, host facts, gateways), once each.
pub(super) fn domain_controller_names(inv: &Inventory) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        if !n.trim().is_empty() && !names.iter().any(|k| same_host(k, n)) {
            names.push(n.to_string());
        }
    };
    if let Some(dir) = &inv.directory {
        for dc in &dir.domain_controllers {
            add(dc.dns_host_name.as_deref().unwrap_or(&dc.name));
        }
    }
    for h in &inv.hosts {
        add(&h.name);
    }
    for g in &inv.ata.gateways {
        for dc in &g.domain_controllers {
            add(dc);
        }
    }
    names
}

fn entity_row(e: &Entity) -> Vec<String> {
    let ad = e.ad.as_ref();
    vec![
        e.label().to_string(),
        opt(e.kind),
        opt(e.sid.as_ref().or(ad.and_then(|a| a.sid.as_ref()))),
        match (e.source, &e.tag_evidence) {
            (Some(s), Some(why)) => format!("{}: {why}", s.as_str()),
            (Some(s), None) => s.as_str().to_string(),
            (None, _) => NO_VALUE.into(),
        },
        match ad {
            Some(a) if a.found => "yes".into(),
            Some(_) => "NOT FOUND".into(),
            None => "not looked up".into(),
        },
        yes_no(ad.and_then(|a| a.enabled)),
        opt(ad.and_then(|a| a.dn.as_ref())),
        e.id.clone(),
    ]
}

const ENTITY_COLUMNS: &[&str] = &[
    "Name",
    "Type",
    "SID",
    "Tagged",
    "In AD",
    "Enabled",
    "Distinguished name",
    "ATA id",
];

/// Order of gravity for a DC's readiness: the worst result names the DC's state.
fn gravity(s: Status) -> u8 {
    match s {
        Status::Pass => 0,
        Status::Manual => 1,
        Status::Warn => 2,
        Status::Unknown => 3,
        Status::Fail => 4,
    }
}

pub(super) fn inventory_section(
    inv: Option<&Inventory>,
    checks: Option<&ChecksFile>,
) -> InventorySection {
    let mut s = InventorySection {
        certificates: Table::new(
            "inv-certificates",
            "Center certificates",
            &[
                "Thumbprint",
                "Subject",
                "Issuer",
                "Valid from",
                "Valid until",
            ],
            "no certificate read from the Center",
        ),
        directory_services_accounts: Table::new(
            "inv-dsa",
            "Directory services accounts in ATA",
            &["Account", "Domain", "Password stored in ATA", "Read from"],
            "none recorded in ATA",
        ),
        exclusions: Table::new(
            "inv-exclusions",
            "ATA exclusions",
            &[
                "Detector",
                "Kind",
                "Excluded",
                "SID",
                "In AD",
                "Distinguished name",
                "Value stored by ATA",
                "List",
            ],
            "no exclusion in ATA",
        ),
        honeytokens: Table::new(
            "inv-honeytokens",
            "Honeytoken accounts",
            ENTITY_COLUMNS,
            "no honeytoken account in ATA",
        ),
        sensitive: Table::new(
            "inv-sensitive",
            "Sensitive entities",
            ENTITY_COLUMNS,
            "no entity tagged sensitive in ATA",
        ),
        gateways: Table::new(
            "inv-gateways",
            "ATA Gateways and Lightweight Gateways",
            &[
                "Name",
                "Kind",
                "Version",
                "Status",
                "Domain synchronizer candidate",
                "Syslog listener",
                "Domain controllers",
            ],
            "no gateway registered with the Center",
        ),
        domain_controllers: Table::new(
            "inv-dcs",
            "Domain controllers and their readiness",
            &[
                "Domain controller",
                "Domain",
                "Site",
                "Operating system",
                "Read-only",
                "Global catalog",
                ".NET release",
                "Lightweight Gateway",
                "Sensor",
                "Readiness",
                "Open points",
            ],
            "no domain controller known",
        ),
        report_schedules: Table::new(
            "inv-report-schedules",
            "Scheduled reports",
            &["Report", "Enabled", "Schedule", "Recipients", "Settings"],
            "no scheduled report in ATA",
        ),
        role_groups: Table::new(
            "inv-role-groups",
            "ATA role groups on the Center",
            &["Group", "Members"],
            "not collected (run the center-facts collector)",
        ),
        detectors: Table::new(
            "inv-detectors",
            "ATA detectors turned off",
            &["Detector"],
            "every detector known is on",
        ),
        domains: Table::new(
            "inv-domains",
            "Domains",
            &["Domain", "NetBIOS", "SID", "Functional level"],
            "no directory source read",
        ),
        privileged_groups: Table::new(
            "inv-privileged-groups",
            "Sensitive groups and their members",
            &["Group", "Domain", "SID", "Members"],
            "no directory source read",
        ),
        open_alerts: Table::new(
            "inv-open-alerts",
            "Open ATA alerts",
            &["Id", "Type", "Severity", "Started", "Ended", "Entities"],
            "no open alert in ATA",
        ),
        suppressed_alerts: Table::new(
            "inv-suppressed-alerts",
            "Suppressed ATA alerts",
            &["Id", "Type", "Severity", "Started", "Ended", "Entities"],
            "no suppressed alert in ATA",
        ),
        collections: Table::new(
            "inv-collections",
            "ATA database collections",
            &["Collection", "Documents", "Size (bytes)"],
            "not listed by the source",
        ),
        ..InventorySection::default()
    };
    s.domain_controllers.status_column = Some(9);
    let Some(inv) = inv else {
        return s;
    };
    s.present = true;
    s.collected_at = Some(when(inv.collected_at));
    let ata = &inv.ata;
    let c = &ata.center;
    s.center = pairs(crate::present::center(c));
    for cert in &c.certificates {
        s.certificates.push(vec![
            cert.thumbprint.clone(),
            opt(cert.subject.as_ref()),
            opt(cert.issuer.as_ref()),
            opt(cert.not_before.map(when)),
            opt(cert.not_after.map(when)),
        ]);
    }
    for d in &ata.directory_services_accounts {
        s.directory_services_accounts.push(vec![
            d.user.clone(),
            opt(d.domain.as_ref()),
            if d.secret_present {
                "yes (encrypted; not read)"
            } else {
                "no"
            }
            .into(),
            opt(d.found_at.as_ref()),
        ]);
    }
    // One list under "Notifications and VPN", each row named by its section.
    use crate::present::{EMAIL, SYSLOG, VPN, email, syslog, vpn};
    s.notifications = [
        (SYSLOG, syslog(ata.syslog.as_ref())),
        (EMAIL, email(ata.email.as_ref())),
        (VPN, vpn(ata.vpn.as_ref())),
    ]
    .into_iter()
    .flat_map(|(section, rows)| {
        rows.into_iter().map(move |r| {
            if r.label == section {
                pair(r.label, r.value)
            } else {
                pair(format!("{section}: {}", r.label), r.value)
            }
        })
    })
    .collect();
    for x in &ata.exclusions {
        let e = x.entity.as_ref();
        let ad = e.and_then(|e| e.ad.as_ref());
        s.exclusions.push(vec![
            x.detector.clone(),
            x.kind.to_string(),
            e.map_or_else(|| x.value.clone(), |e| e.label().to_string()),
            opt(e.and_then(|e| e.sid.as_ref())),
            match (x.kind, ad) {
                (ExclusionKind::Subnet, _) => NO_VALUE.into(),
                (_, Some(a)) if a.found => "yes".into(),
                (_, Some(_)) => "NOT FOUND".into(),
                (_, None) => "not looked up".into(),
            },
            opt(ad.and_then(|a| a.dn.as_ref())),
            x.value.clone(),
            opt(x.list.as_ref()),
        ]);
    }
    for e in &ata.honeytokens {
        s.honeytokens.push(entity_row(e));
    }
    for e in &ata.sensitive {
        s.sensitive.push(entity_row(e));
    }
    for g in &ata.gateways {
        s.gateways.push(vec![
            g.name.clone(),
            g.kind.to_string(),
            opt(g.version.as_ref()),
            opt(g.status.as_ref()),
            match g.domain_synchronizer_candidate {
                Some(b) => yes_no(Some(b)),
                None => "not recorded by ATA".into(),
            },
            yes_no(g.syslog_listener),
            if g.domain_controllers.is_empty() {
                NO_VALUE.into()
            } else {
                g.domain_controllers.join(", ")
            },
        ]);
    }

    // Domain controllers with their readiness from the checks that name them.
    for name in domain_controller_names(inv) {
        let dir_dc = inv
            .directory
            .as_ref()
            .and_then(|d| d.domain_controller(&name));
        let facts = inv.host(&name);
        let mut worst: Option<Status> = None;
        let mut points = Vec::new();
        if let Some(c) = checks {
            for r in c
                .results
                .iter()
                .filter(|r| r.subject.as_deref().is_some_and(|s| same_host(s, &name)))
            {
                let accepted = acceptance_of(c, r);
                let effective = if accepted.is_some() {
                    Status::Pass
                } else {
                    r.status
                };
                if worst.is_none_or(|w| gravity(effective) > gravity(w)) {
                    worst = Some(effective);
                }
                if r.status != Status::Pass {
                    let mut p = format!("{}: {}", r.title, r.status);
                    if let Some(reason) = &r.reason {
                        p.push_str(&format!(" ({reason})"));
                    }
                    if let Some(a) = accepted {
                        p.push_str(&format!(", accepted by {}", a.by));
                    }
                    points.push(p);
                }
            }
        }
        s.domain_controllers.push(vec![
            name.clone(),
            opt(dir_dc.map(|d| &d.domain)),
            opt(dir_dc.and_then(|d| d.site.as_ref())),
            opt(dir_dc
                .and_then(|d| d.os.as_ref())
                .or(facts.and_then(|f| f.os_caption.as_ref()))),
            yes_no(dir_dc.map(|d| d.read_only)),
            yes_no(dir_dc.and_then(|d| d.global_catalog)),
            opt(facts.and_then(|f| f.dotnet_release)),
            yes_no(facts.and_then(|f| f.ata_lightweight_gateway_installed)),
            yes_no(facts.and_then(|f| f.atp_sensor_installed)),
            match (checks, worst) {
                (None, _) => "not checked".into(),
                (Some(_), None) => "no check names it".into(),
                (Some(_), Some(w)) => w.as_str().into(),
            },
            if points.is_empty() {
                NO_VALUE.into()
            } else {
                points.join("; ")
            },
        ]);
    }
    for r in &ata.report_schedules {
        s.report_schedules.push(vec![
            r.name.clone(),
            yes_no(r.enabled),
            opt(r.schedule.as_ref()),
            if r.recipients.is_empty() {
                NO_VALUE.into()
            } else {
                r.recipients.join(", ")
            },
            if r.settings.is_empty() {
                NO_VALUE.into()
            } else {
                r.settings
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ]);
    }
    for g in &ata.role_groups {
        s.role_groups.push(vec![
            g.name.clone(),
            if g.members.is_empty() {
                "no member".into()
            } else {
                g.members.join(", ")
            },
        ]);
    }
    for d in ata.detectors.iter().filter(|d| d.enabled == Some(false)) {
        s.detectors.push(vec![d.name.clone()]);
    }
    if let Some(dir) = &inv.directory {
        s.directory = vec![
            pair("Forest", dir.forest.root_domain.clone()),
            pair(
                "Forest functional level",
                dir.forest
                    .functional_level_name
                    .clone()
                    .or_else(|| dir.forest.functional_level.map(|n| n.to_string()))
                    .unwrap_or_else(|| NO_VALUE.into()),
            ),
            pair("Schema version", opt(dir.forest.schema_version)),
            pair(
                "Sites",
                if dir.sites.is_empty() {
                    NO_VALUE.into()
                } else {
                    dir.sites.join(", ")
                },
            ),
            pair(
                "KDS root key (needed for a gMSA)",
                yes_no(dir.kds_root_key_present),
            ),
        ];
        for d in &dir.domains {
            s.domains.push(vec![
                d.dns_name.clone(),
                opt(d.netbios_name.as_ref()),
                opt(d.sid.as_ref()),
                opt(d.functional_level_name.as_ref()),
            ]);
        }
        for g in &dir.privileged_groups {
            s.privileged_groups.push(vec![
                g.name.clone(),
                opt(g.domain.as_ref()),
                g.sid.clone(),
                if g.members.is_empty() {
                    "no member".into()
                } else {
                    g.members
                        .iter()
                        .map(|m| m.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ]);
        }
        for d in dir.directory_services_accounts() {
            let pairs = pairs(crate::present::dsa_in_directory(d));
            s.dsa_accounts.push(DsaAccount {
                account: d.named_as.clone().unwrap_or_else(|| d.name.clone()),
                pairs,
            });
        }
        s.dsa_directory = s
            .dsa_accounts
            .first()
            .map(|a| a.pairs.clone())
            .unwrap_or_default();
    }
    let alert_row = |a: &crate::model::Alert| {
        vec![
            a.id.clone(),
            a.kind.clone(),
            opt(a.severity.as_ref()),
            opt(a.start_time.map(when)),
            opt(a.end_time.map(when)),
            if a.entities.is_empty() {
                NO_VALUE.into()
            } else {
                a.entities.join(", ")
            },
        ]
    };
    s.alerts_by_status = ata
        .alerts
        .by_status
        .iter()
        .map(|(k, v)| pair(k, v.to_string()))
        .collect();
    for a in &ata.alerts.open {
        s.open_alerts.push(alert_row(a));
    }
    for a in &ata.alerts.suppressed {
        s.suppressed_alerts.push(alert_row(a));
    }
    let others: u64 = ata
        .alerts
        .by_status
        .iter()
        .filter(|(k, _)| k.as_str() != "Open" && k.as_str() != "Suppressed")
        .map(|(_, v)| v)
        .sum();
    if others > 0 {
        s.other_alerts_note = Some(format!(
            "{others} other alerts (closed, dismissed, …) are counted above, not listed: they need no action before the move."
        ));
    }
    for col in &ata.collections {
        s.collections
            .push(vec![col.name.clone(), opt(col.count), opt(col.size_bytes)]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::sections::Section;

    /// The report and the TUI write a setting through the same presentation: the syslog
    /// server, the gateways' kind and a directory services account read alike.
    #[test]
    fn the_report_and_the_tui_show_the_same_words() {
        let inv = crate::checklist::schema::example::inventory();
        let report = inventory_section(Some(&inv), None);
        let tui: Vec<(String, String)> = (0..Section::Syslog.len(&inv))
            .map(|i| {
                let r = Section::Syslog.row(&inv, i);
                (r[0].clone(), r[1].clone())
            })
            .collect();
        assert!(tui.iter().any(|(k, _)| k == "Server"));
        for (label, value) in &tui {
            let key = format!("{}: {label}", crate::present::SYSLOG);
            let in_report = report.notifications.iter().find(|p| p.key == key);
            assert_eq!(in_report.map(|p| &p.value), Some(value), "{key}");
        }
        let kinds: Vec<&String> = report.gateways.rows.iter().map(|r| &r[1]).collect();
        assert_eq!(kinds.len(), Section::Gateways.len(&inv));
        for (i, kind) in kinds.iter().enumerate() {
            assert_eq!(&&Section::Gateways.row(&inv, i)[1], kind);
        }
        assert!(kinds.iter().any(|k| k.as_str() == "Lightweight Gateway"));
    }
}
