//! Facts about the hosts: the DC facts and Center facts collector scripts' JSON, and
//! `reg query` output pasted per domain controller.

use std::path::PathBuf;

use crate::model::Inventory;
use crate::progress::Progress;

/// Where host facts come from.
#[derive(Debug, Clone, Default)]
pub struct HostSources {
    /// JSON written by `ata2atp collector dc-facts`.
    pub dc_facts: Vec<PathBuf>,
    /// `reg query` output for the .NET `Release` value, one file per DC (named after it).
    pub reg_query: Vec<PathBuf>,
    /// JSON written by `ata2atp collector center-facts`.
    pub center_facts: Option<PathBuf>,
}

impl HostSources {
    pub fn is_empty(&self) -> bool {
        self.dc_facts.is_empty() && self.reg_query.is_empty() && self.center_facts.is_none()
    }
}

/// A host facts file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotYet(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        crate::error::exit::INPUT
    }
}

/// Reads every host facts source into `inventory.hosts` and the Center's facts.
pub fn collect_into(sources: &HostSources, inventory: &mut Inventory, progress: &dyn Progress) -> Result<(), Error> {
    // Placeholder until the readers land: nothing is read.
    let _ = (sources, inventory, progress);
    Ok(())
}

/// The PowerShell script printed by `ata2atp collector dc-facts`.
pub fn dc_facts_script() -> String {
    "# being built (issue 5)\n".to_string()
}

/// The PowerShell script printed by `ata2atp collector center-facts`.
pub fn center_facts_script() -> String {
    "# being built (issue 5)\n".to_string()
}
