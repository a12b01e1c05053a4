//! Collecting an inventory: every source the request names, in the order the data
//! depends on, into one [`Inventory`].
//!
//! 1. ATA (database, dump or JSON exports) — the settings to carry over, and the names
//!    of the directory services accounts the directory pass must look up.
//! 2. Active Directory (LDAP or LDIF) — the forest, and the AD object behind every ATA
//!    entity (honeytokens, sensitive entities, exclusions).
//! 3. Host facts (DC facts, `reg query` output, Center facts).
//!
//! The front ends build a [`CollectRequest`] (from flags, or from the engagement's
//! `sources` with [`CollectRequest::from_config`]) and fill in the secrets; this module
//! never prompts.

use std::path::Path;

use chrono::Utc;

use crate::ata::AtaSources;
use crate::directory::DirectorySources;
use crate::engagement::EngagementConfig;
use crate::error::Result;
use crate::hosts::HostSources;
use crate::model::{Inventory, Provenance};
use crate::progress::Progress;

/// Everything one inventory run reads.
#[derive(Debug, Default)]
pub struct CollectRequest {
    pub ata: AtaSources,
    pub directory: DirectorySources,
    pub hosts: HostSources,
    pub provenance: Provenance,
}

impl CollectRequest {
    /// The sources recorded in an engagement's configuration. Relative paths are taken
    /// from the engagement folder. Secrets are left empty for the front end to fill.
    pub fn from_config(config: &EngagementConfig, root: &Path) -> Self {
        let abs = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                root.join(p)
            }
        };
        let s = &config.sources;
        CollectRequest {
            ata: AtaSources {
                mongo: s
                    .ata_mongo
                    .as_ref()
                    .map(|uri| crate::ata::MongoSource::new(uri.clone())),
                dump: s.ata_dump.as_deref().map(abs),
                json: s.ata_json.iter().map(|p| abs(p)).collect(),
                mapping: None,
            },
            directory: DirectorySources {
                ldap: s.ldap.as_ref().map(|l| crate::directory::LdapSource {
                    url: l.url.clone(),
                    bind_user: l.bind_user.clone(),
                    password: None,
                    ca_file: l.ca_file.as_deref().map(abs),
                    insecure: false,
                    gc_url: None,
                    dsa_passwords: Default::default(),
                }),
                ldif: s.ldif.iter().map(|p| abs(p)).collect(),
            },
            hosts: HostSources {
                dc_facts: s.dc_facts.iter().map(|p| abs(p)).collect(),
                reg_query: Vec::new(),
                center_facts: s.center_facts.as_deref().map(abs),
                auditpol: s.auditpol.iter().map(|p| abs(p)).collect(),
                server_facts: s.server_facts.iter().map(|p| abs(p)).collect(),
            },
            provenance: Provenance {
                collected_by: Some(config.consultant.clone()),
                ..Provenance::default()
            },
        }
    }

    /// True when no source at all is named.
    pub fn is_empty(&self) -> bool {
        self.ata.is_empty() && self.directory.is_empty() && self.hosts.is_empty()
    }
}

/// Reads every source of `request` into a new inventory.
pub async fn collect(request: CollectRequest, progress: &dyn Progress) -> Result<Inventory> {
    let mut inventory = Inventory::new(Utc::now());
    inventory.provenance = request.provenance;
    if inventory.provenance.host.is_none() {
        inventory.provenance.host = Some(gethostname::gethostname().to_string_lossy().into_owned());
    }
    if !request.ata.is_empty() {
        crate::ata::collect_into(&request.ata, &mut inventory, progress).await?;
    }
    progress.checkpoint()?;
    if !request.directory.is_empty() {
        crate::directory::collect_into(&request.directory, &mut inventory, progress).await?;
    }
    progress.checkpoint()?;
    if !request.hosts.is_empty() {
        crate::hosts::collect_into(&request.hosts, &mut inventory, progress)?;
    }
    progress.checkpoint()?;
    Ok(inventory)
}
