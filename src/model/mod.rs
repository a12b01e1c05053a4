//! The domain model: plain serde types, no I/O, no client handles.
//!
//! Everything a reader collects ends up in an [`Inventory`]; checks turn it into
//! [`CheckResult`]s; the consultant's progress through the guide is a [`ChecklistState`].
//! These are the files a consultant finds in an engagement folder (`inventory.yaml`,
//! `checks.yaml`, `checklist.yaml`), so every type here serialises to YAML that a person
//! can read and diff. Field names are part of the file format: renaming one is a schema
//! change and needs a [`SCHEMA_VERSION`] bump.

mod ata;
mod checklist;
mod directory;
mod findings;
mod hosts;
mod provenance;

pub use ata::*;
pub use checklist::*;
pub use directory::*;
pub use findings::*;
pub use hosts::*;
pub use provenance::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Version of the file formats written by this build (inventory, checks, checklist state,
/// DC facts). Readers accept this version and older ones; a newer file is refused with a
/// message naming both versions, never half-read.
pub const SCHEMA_VERSION: u32 = 1;

/// Version of the tool, written into every file for provenance.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything collected about one ATA deployment and the forest it protects: the single
/// input of checks, checklist and report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub schema_version: u32,
    pub tool_version: String,
    pub collected_at: DateTime<Utc>,
    /// Who ran the collection and where, with which arguments (never a secret).
    #[serde(default)]
    pub provenance: Provenance,
    /// Every source that was read, with its outcome.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// What was read from ATA (its database, backups or the collector scripts).
    #[serde(default)]
    pub ata: AtaInventory,
    /// What was read from Active Directory (LDAP or LDIF); absent when no directory source
    /// was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryInventory>,
    /// Facts gathered on each domain controller (collector script or `reg query` output).
    #[serde(default)]
    pub hosts: Vec<DcFacts>,
    /// Facts gathered on the other servers a sensor protects (AD CS, AD FS, Entra
    /// Connect) and on the ATA Center.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<ServerFacts>,
    /// Items the guide asks for that no source provided, with the places that were tried.
    /// An item is either here or in its section: never silently missing.
    #[serde(default)]
    pub not_found: Vec<NotFound>,
}

impl Inventory {
    /// An empty inventory stamped with this build's schema and tool version.
    pub fn new(collected_at: DateTime<Utc>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            tool_version: TOOL_VERSION.to_string(),
            collected_at,
            provenance: Provenance::default(),
            sources: Vec::new(),
            ata: AtaInventory::default(),
            directory: None,
            hosts: Vec::new(),
            servers: Vec::new(),
            not_found: Vec::new(),
        }
    }

    /// Records that `item` could not be found, with the places tried.
    pub fn note_not_found(&mut self, item: impl Into<String>, tried: Vec<String>) {
        self.not_found.push(NotFound {
            item: item.into(),
            tried,
            reason: None,
        });
    }

    /// The DC facts for a host, matched case-insensitively on the short or DNS name.
    pub fn host(&self, name: &str) -> Option<&DcFacts> {
        self.hosts.iter().find(|h| h.matches_name(name))
    }
}

/// Compares host names the way Windows does: case-insensitively, and a short name matches
/// the first label of a DNS name.
pub fn same_host(a: &str, b: &str) -> bool {
    let short = |s: &str| s.split('.').next().unwrap_or(s).to_ascii_lowercase();
    a.eq_ignore_ascii_case(b) || short(a) == short(b)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 10, 30, 0).unwrap()
    }

    /// The fully populated example (every optional field set, so a round trip exercises
    /// all of them), with the values a real file also holds: fields written as `null`,
    /// empty strings and lists, text beyond ASCII.
    fn full_inventory() -> Inventory {
        let mut inv = crate::checklist::schema::example::inventory();
        inv.ata.gateways[0].domain_synchronizer_candidate = None;
        inv.ata.email.as_mut().unwrap().health_notifications = None;
        inv.ata.center.console_resolution[0].error = None;
        let dc = &mut inv.hosts[0];
        dc.wininet_proxy = None;
        dc.restrict_remote_sam = Some(String::new());
        dc.audit_policy.as_mut().unwrap()[0].name = "Überprüfung der Anmeldeinformationen".into();
        inv.servers[0].audit_policy = Some(Vec::new());
        inv.servers[0].errors.clear();
        inv
    }

    #[test]
    fn inventory_round_trips_through_yaml() {
        let inv = full_inventory();
        let text = crate::yaml::to_string(&inv, "test").unwrap();
        let back: Inventory = crate::yaml::from_str(&text, "test").unwrap();
        assert_eq!(back, inv);
        // Keys named by the issue are present as such.
        for key in [
            "schema_version:",
            "collected_at:",
            "not_found:",
            "domain_synchronizer_candidate: null",
            "secret_present: true",
        ] {
            assert!(text.contains(key), "{key} missing from\n{text}");
        }
    }

    #[test]
    fn inventory_round_trips_through_json() {
        let inv = full_inventory();
        let text = serde_json::to_string(&inv).unwrap();
        let back: Inventory = serde_json::from_str(&text).unwrap();
        assert_eq!(back, inv);
    }

    #[test]
    fn a_minimal_inventory_file_loads_with_defaults() {
        let text = "schema_version: 1\ntool_version: 0.1.0\ncollected_at: 2026-11-16T10:00:00Z\n";
        let inv: Inventory = crate::yaml::from_str(text, "min").unwrap();
        assert!(inv.ata.exclusions.is_empty() && inv.directory.is_none() && inv.hosts.is_empty());
    }

    #[test]
    fn checks_and_checklist_round_trip() {
        let checks = ChecksFile {
            schema_version: SCHEMA_VERSION,
            tool_version: TOOL_VERSION.into(),
            ran_at: at(16),
            inventory_sha256: Some("00".repeat(32)),
            results: Status::ALL
                .iter()
                .map(|s| CheckResult {
                    id: format!("demo.{s}"),
                    title: "A check".into(),
                    guide: GuideRef::Both,
                    subject: Some("FAB-DC01".into()),
                    status: *s,
                    reason: Some("because".into()),
                    evidence: BTreeMap::from([("release".into(), "394806".into())]),
                    remediation: Some("install .NET 4.8".into()),
                    action: None,
                    accepted: None,
                })
                .collect(),
            acceptances: vec![Acceptance {
                check: "demo.fail[FAB-DC01]".into(),
                by: "Jo".into(),
                reason: "DC retired next month".into(),
                at: at(17),
            }],
        };
        let back: ChecksFile =
            crate::yaml::from_str(&crate::yaml::to_string(&checks, "t").unwrap(), "t").unwrap();
        assert_eq!(back, checks);
        assert_eq!(checks.counts()[&Status::Fail], 1);

        let mut state = ChecklistState::new("azure-atp-2019");
        state.steps.insert(
            "C04".into(),
            StepState {
                status: StepStatus::Done,
                reason: None,
                by: Some("Jo".into()),
                at: Some(at(18)),
                note: Some("multi\nline: note, with \"quotes\"".into()),
                fields: BTreeMap::from([("syslog_sensor".into(), "FAB-DC01".into())]),
                evidence: vec!["evidence/syslog-test.png".into()],
                entered: ["FAB-DC01".to_string()].into(),
            },
        );
        let back: ChecklistState =
            crate::yaml::from_str(&crate::yaml::to_string(&state, "t").unwrap(), "t").unwrap();
        assert_eq!(back, state);
        assert_eq!(state.step("C05").status, StepStatus::Todo);
    }

    #[test]
    fn a_checklist_without_ticks_loads_and_is_written_back_byte_identical() {
        // As written before the copy queue existed: no `entered`.
        let old = "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  P06:\n    status: in_progress\n    by: Jo\n    at: \"2026-11-18T09:00:00Z\"\n    fields:\n      exclusions_reviewed: \"yes\"\n";
        let state: ChecklistState = crate::yaml::from_str(old, "checklist.yaml").unwrap();
        assert!(state.step("P06").entered.is_empty());
        assert_eq!(
            crate::yaml::to_string(&state, "checklist.yaml").unwrap(),
            old
        );
        let mut ticked = state.clone();
        ticked
            .steps
            .get_mut("P06")
            .unwrap()
            .entered
            .insert("FAB-SCAN01".into());
        let text = crate::yaml::to_string(&ticked, "checklist.yaml").unwrap();
        assert!(text.contains("entered:\n    - FAB-SCAN01"), "{text}");
    }

    #[test]
    fn host_names_match_like_windows() {
        assert!(same_host("FAB-DC01", "fab-dc01.fabrikam.test"));
        assert!(same_host(
            "FAB-DC01.fabrikam.test",
            "FAB-DC01.FABRIKAM.TEST"
        ));
        assert!(!same_host("FAB-DC01", "FAB-DC010"));
    }
}
