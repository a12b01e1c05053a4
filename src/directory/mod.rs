//! Reading Active Directory: LDAP live or an LDIF export, the same snapshot either way;
//! then the AD object behind every ATA entity.

use std::path::PathBuf;

use crate::model::Inventory;
use crate::progress::Progress;
use crate::secrets::SecretString;

/// A domain controller (or GC) to read over LDAP.
#[derive(Debug, Clone)]
pub struct LdapSource {
    /// `ldap://dc:389` (StartTLS is used) or `ldaps://dc:636`.
    pub url: String,
    /// UPN, `DOMAIN\user` or DN.
    pub bind_user: Option<String>,
    pub password: Option<SecretString>,
    /// The customer's enterprise CA (PEM).
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification (lab use only; loudly reported).
    pub insecure: bool,
    /// A global catalog for SIDs of other domains of the forest.
    pub gc_url: Option<String>,
    /// The directory services account's password, to test it (Deleted Objects access).
    pub dsa_password: Option<SecretString>,
}

/// Where to read the directory from.
#[derive(Debug, Clone, Default)]
pub struct DirectorySources {
    pub ldap: Option<LdapSource>,
    pub ldif: Vec<PathBuf>,
}

impl DirectorySources {
    pub fn is_empty(&self) -> bool {
        self.ldap.is_none() && self.ldif.is_empty()
    }
}

/// The directory could not be read.
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

/// Reads the directory into `inventory.directory` and matches ATA's entities against it.
pub async fn collect_into(sources: &DirectorySources, inventory: &mut Inventory, progress: &dyn Progress) -> Result<(), Error> {
    // Placeholder until the readers land: nothing is read.
    let _ = (sources, inventory, progress);
    Ok(())
}

/// The export command lines printed by `ata2atp collector ldif`.
pub fn collector_commands() -> String {
    "# being built (issue 4)\n".to_string()
}
