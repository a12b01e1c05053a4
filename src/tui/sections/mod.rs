//! The Inventory screen's sections: which part of the [`Inventory`] each one shows, its
//! columns, one row by index, and one row's details. Rows are produced one at a time, so
//! a frame only formats the rows it draws, however large the section (the rows themselves
//! in `rows`). Every value is written by [`crate::present`], as the report and the
//! checklist write it.

mod rows;

use crate::model::{Inventory, NotFound};
use crate::present::{level, yes_no};

use super::strings as s;

/// Data as the screen draws it: control characters shown escaped ([`crate::terminal`]).
pub fn visible(text: String) -> String {
    match crate::terminal::escape(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Center,
    Gateways,
    Syslog,
    Email,
    Vpn,
    Exclusions,
    Honeytokens,
    Sensitive,
    Reports,
    Alerts,
    Forest,
    DomainControllers,
    Dsa,
    Sources,
    NotFound,
}

/// A column: header and the width it asks for; `fill` columns share what is left.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub width: u16,
    pub fill: bool,
}

const fn col(header: &'static str, width: u16) -> Column {
    Column {
        header,
        width,
        fill: false,
    }
}

const fn fill(header: &'static str, width: u16) -> Column {
    Column {
        header,
        width,
        fill: true,
    }
}

const PAIRS: &[Column] = &[col("Setting", 26), fill("Value", 20)];
const GATEWAYS: &[Column] = &[
    fill("Name", 12),
    col("Kind", 19),
    col("Version", 11),
    col("Status", 12),
    col("Sync cand.", 10),
    col("Syslog", 6),
    fill("Domain controllers", 14),
];
const EXCLUSIONS: &[Column] = &[
    fill("Detector", 20),
    col("Kind", 8),
    fill("Excluded", 14),
    fill("Value", 16),
    col("In AD", 5),
];
const ENTITIES: &[Column] = &[
    fill("Name", 14),
    fill("SID", 20),
    col("Type", 8),
    col("Tagged", 9),
    col("In AD", 5),
    col("Enabled", 7),
];
const REPORTS: &[Column] = &[
    fill("Report", 12),
    col("Enabled", 7),
    col("Schedule", 10),
    fill("Recipients", 16),
];
const ALERTS: &[Column] = &[
    fill("Type", 18),
    col("Severity", 8),
    col("Status", 10),
    col("Started", 16),
    fill("Entities", 16),
];
const DOMAINS: &[Column] = &[
    fill("Domain", 16),
    col("NetBIOS", 10),
    fill("Functional level", 14),
    fill("SID", 16),
];
const DCS: &[Column] = &[
    fill("Name", 16),
    col("Domain", 14),
    col("Site", 10),
    fill("OS", 16),
    col("RODC", 4),
    col("GC", 3),
    col("Facts", 5),
];
const SOURCES: &[Column] = &[
    col("Kind", 12),
    fill("Location", 20),
    col("Status", 7),
    col("Records", 7),
    fill("Error", 10),
];
const NOT_FOUND: &[Column] = &[fill("Item", 20), fill("Places tried", 30)];

impl Section {
    pub const ALL: [Section; 15] = [
        Section::Center,
        Section::Gateways,
        Section::Syslog,
        Section::Email,
        Section::Vpn,
        Section::Exclusions,
        Section::Honeytokens,
        Section::Sensitive,
        Section::Reports,
        Section::Alerts,
        Section::Forest,
        Section::DomainControllers,
        Section::Dsa,
        Section::Sources,
        Section::NotFound,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Center => "ATA Center",
            Section::Gateways => "Gateways",
            Section::Syslog => "Syslog",
            Section::Email => "Email",
            Section::Vpn => "VPN",
            Section::Exclusions => "Exclusions",
            Section::Honeytokens => "Honeytokens",
            Section::Sensitive => "Sensitive entities",
            Section::Reports => "Reports",
            Section::Alerts => "Alerts",
            Section::Forest => "Forest",
            Section::DomainControllers => "Domain controllers",
            Section::Dsa => "Directory services acct",
            Section::Sources => "Sources",
            Section::NotFound => "Not found",
        }
    }

    /// Inventory paths whose `not_found` entries belong to this section.
    pub fn not_found_prefixes(self) -> &'static [&'static str] {
        match self {
            Section::Center => &["ata.center", "ata.detectors", "ata.role_groups"],
            Section::Gateways => &["ata.gateways"],
            Section::Syslog => &["ata.syslog"],
            Section::Email => &["ata.email"],
            Section::Vpn => &["ata.vpn"],
            Section::Exclusions => &["ata.exclusions"],
            Section::Honeytokens => &["ata.honeytokens"],
            Section::Sensitive => &["ata.sensitive"],
            Section::Reports => &["ata.report_schedules"],
            Section::Alerts => &["ata.alerts"],
            Section::Forest => &["directory.forest", "directory.domains", "directory.sites"],
            Section::DomainControllers => &["directory.domain_controllers", "hosts"],
            Section::Dsa => &[
                "ata.directory_services_accounts",
                "directory.directory_services_account",
                "directory.additional_directory_services_accounts",
            ],
            Section::Sources | Section::NotFound => &[],
        }
    }

    /// The section's `not_found` entries.
    pub fn not_found(self, inv: &Inventory) -> Vec<&NotFound> {
        let prefixes = self.not_found_prefixes();
        inv.not_found
            .iter()
            .filter(|n| {
                prefixes.iter().any(|p| {
                    n.item == *p
                        || n.item
                            .strip_prefix(p)
                            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
                })
            })
            .collect()
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Section::Center | Section::Syslog | Section::Email | Section::Vpn | Section::Dsa => {
                PAIRS
            }
            Section::Gateways => GATEWAYS,
            Section::Exclusions => EXCLUSIONS,
            Section::Honeytokens | Section::Sensitive => ENTITIES,
            Section::Reports => REPORTS,
            Section::Alerts => ALERTS,
            Section::Forest => DOMAINS,
            Section::DomainControllers => DCS,
            Section::Sources => SOURCES,
            Section::NotFound => NOT_FOUND,
        }
    }

    /// A line above the table: totals, or where the data came from.
    pub fn summary(self, inv: &Inventory) -> Option<String> {
        self.summary_of(inv).map(visible)
    }

    fn summary_of(self, inv: &Inventory) -> Option<String> {
        match self {
            Section::Alerts => {
                let a = &inv.ata.alerts;
                let by = a
                    .by_status
                    .iter()
                    .map(|(k, v)| format!("{v} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Some(format!(
                    "{} alerts in ATA ({}); the open and suppressed ones are listed: record them, they are not imported",
                    a.total(),
                    if by.is_empty() { s::NONE.to_string() } else { by }
                ))
            }
            Section::Forest => Some(match &inv.directory {
                None => "No directory source was read.".into(),
                Some(d) => format!(
                    "{} · forest level {} · schema {} · KDS root key {} · sites: {}",
                    d.forest.root_domain,
                    level(d.forest.functional_level, d.forest.functional_level_name.as_deref()),
                    d.forest
                        .schema_version
                        .map_or_else(|| s::NONE.to_string(), |v| v.to_string()),
                    yes_no(d.kds_root_key_present),
                    if d.sites.is_empty() {
                        s::NONE.to_string()
                    } else {
                        d.sites.join(", ")
                    }
                ),
            }),
            Section::Sources => {
                let p = &inv.provenance;
                Some(format!(
                    "Collected {} by {} on {}",
                    inv.collected_at.format("%Y-%m-%d %H:%M UTC"),
                    p.collected_by.as_deref().unwrap_or(s::UNKNOWN),
                    p.host.as_deref().unwrap_or(s::UNKNOWN),
                ))
            }
            Section::DomainControllers if inv.directory.is_none() => Some(
                "No directory source was read: the domain controllers below come from their facts files.".into(),
            ),
            _ => None,
        }
    }

    /// Number of rows.
    pub fn len(self, inv: &Inventory) -> usize {
        match self {
            Section::Center | Section::Syslog | Section::Email | Section::Vpn | Section::Dsa => {
                self.pairs(inv).len()
            }
            Section::Gateways => inv.ata.gateways.len(),
            Section::Exclusions => inv.ata.exclusions.len(),
            Section::Honeytokens => inv.ata.honeytokens.len(),
            Section::Sensitive => inv.ata.sensitive.len(),
            Section::Reports => inv.ata.report_schedules.len(),
            Section::Alerts => inv.ata.alerts.open.len() + inv.ata.alerts.suppressed.len(),
            Section::Forest => inv.directory.as_ref().map_or(0, |d| d.domains.len()),
            Section::DomainControllers => match &inv.directory {
                Some(d) if !d.domain_controllers.is_empty() => d.domain_controllers.len(),
                _ => inv.hosts.len(),
            },
            Section::Sources => inv.sources.len(),
            Section::NotFound => inv.not_found.len(),
        }
    }

    /// The cells of row `i` (empty when out of range), as drawn.
    pub fn row(self, inv: &Inventory, i: usize) -> Vec<String> {
        self.row_of(inv, i).into_iter().map(visible).collect()
    }

    /// Every field of row `i`, for the details pop-up: a title and label/value pairs, as
    /// drawn.
    pub fn detail(self, inv: &Inventory, i: usize) -> Option<(String, Vec<(String, String)>)> {
        let (title, pairs) = self.detail_of(inv, i)?;
        Some((
            visible(title),
            pairs
                .into_iter()
                .map(|(k, v)| (visible(k), visible(v)))
                .collect(),
        ))
    }
}

/// True when any cell of row `i` contains `needle` (already lower-case).
pub fn row_matches(section: Section, inv: &Inventory, i: usize, needle: &str) -> bool {
    section
        .row(inv, i)
        .iter()
        .any(|c| c.to_lowercase().contains(needle))
}
