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
            not_found: Vec::new(),
        }
    }

    /// Records that `item` could not be found, with the places tried.
    pub fn note_not_found(&mut self, item: impl Into<String>, tried: Vec<String>) {
        self.not_found.push(NotFound {
            item: item.into(),
            tried,
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
