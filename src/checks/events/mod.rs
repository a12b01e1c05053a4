//! Windows event collection: whether the domain controllers (and the AD CS, AD FS and Entra
//! Connect servers) write the events the sensor reads. Microsoft's readiness tools check
//! the same (`Test-MdiReadiness.ps1`, `Test-MDIConfiguration`); the requirements are in
//! [`super::thresholds`].
//!
//! | id | judged from |
//! |---|---|
//! | `dc.audit_policy` | the DC's advanced audit policy (collector or pasted `auditpol /r`) |
//! | `dc.ntlm_auditing` | the three NTLM auditing registry values (event 8004) |
//! | `domain.object_auditing` | the domain head's SACL (event 4662) |
//! | `forest.configuration_auditing` | the Configuration container's SACL, where Exchange is |
//! | `domain.adfs_auditing` | the AD FS container's SACL |
//! | `server.adcs_auditing`, `server.adfs_auditing`, `server.entra_connect_auditing` | the server facts |
//!
//! The helpers that say what is missing ([`missing_audit`], [`missing_ntlm`],
//! [`missing_object_audit`]) are shared with the remediation script, so the script changes
//! exactly what the checks found.
//!
//! | module | owns |
//! |---|---|
//! | [`policy`] | the advanced audit policy of a host against a requirement list (`dc.audit_policy`) |
//! | [`ntlm`] | the NTLM auditing registry values (`dc.ntlm_auditing`) |
//! | [`sacl`] | the directory's auditing entries: domain heads, Configuration and AD FS containers |
//! | [`servers`] | the AD CS, AD FS and Entra Connect servers' auditing |

mod ntlm;
mod policy;
mod sacl;
mod servers;
#[cfg(test)]
mod tests;

pub use ntlm::{NtlmGap, missing_ntlm, ntlm_auditing};
pub use policy::{AuditGap, audit_policy, missing_audit};
pub use sacl::{
    adfs_container_auditing, audit_rule_command, configuration_auditing, missing_object_audit,
    object_auditing,
};
pub use servers::server_auditing;
