//! The forest and the directory services account: functional levels, and whether the
//! account the sensors will use works, can see Deleted Objects, is not over-privileged,
//! and is the one ATA used.
//!
//! Everything here reads the inventory except the credentials test, whose outcome comes
//! in from outside ([`DsaTestOutcome`]): it needs the account's password and a live bind,
//! which the directory module performs. Without it, `dsa.credentials` is Unknown.
//!
//! The `dsa.*` checks run once per directory services account ATA names (ATA keeps one
//! per domain), with the account as the subject: each gets the same treatment.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Outcome;
use super::thresholds::{MIN_FOREST_LEVEL, PASSWORD_WARNING_DAYS};
use crate::model::{
    AccountKind, Action, DirectoryInventory, DirectoryServicesAccountFacts, Inventory, Status,
};

/// What a live bind as the directory services account found. The directory module runs
/// the bind (`--dsa-password-env/-file` with an LDAP source); the checks only judge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DsaTestOutcome {
    /// The bind succeeded.
    Valid { server: String },
    /// The directory refused the credentials (e.g. AD sub-code `52e`, `533` disabled,
    /// `532` password expired, `775` locked out); `detail` holds the server's text.
    Rejected { server: String, detail: String },
    /// The test could not be run to the end (DC unreachable, TLS failure…).
    NotRun { reason: String },
    /// No test was attempted (no password, no LDAP source, a set-up error); `reason`
    /// is the whole sentence shown, testing it is the result's action.
    NotAttempted { reason: String },
}

impl From<&crate::directory::dsa::CredentialTest> for DsaTestOutcome {
    /// `ok` is valid; the directory's refusals are rejections; an unreachable server or a
    /// TLS failure taught nothing about the credentials.
    fn from(t: &crate::directory::dsa::CredentialTest) -> Self {
        use crate::directory::dsa::CredentialOutcome;
        match t.outcome {
            CredentialOutcome::Ok => Self::Valid {
                server: t.server.clone(),
            },
            o if o.taught_nothing() => Self::NotRun {
                reason: t.message.clone(),
            },
            _ => Self::Rejected {
                server: t.server.clone(),
                detail: t.message.clone(),
            },
        }
    }
}

const NO_DIRECTORY: &str = "no directory source in the inventory";
const ADD_DIRECTORY: Action = Action::CollectDirectory { as_admin: false };

pub fn forest_level(inv: &Inventory) -> Outcome {
    let Some(dir) = &inv.directory else {
        return Outcome::unknown(format!(
            "{NO_DIRECTORY}: the forest functional level is not known"
        ))
        .act(ADD_DIRECTORY);
    };
    let Some(level) = dir.forest.functional_level else {
        return Outcome::unknown(format!(
            "the forest functional level of {} was not read (msDS-Behavior-Version on CN=Partitions)",
            dir.forest.root_domain
        ))
        .remedy("read it with `Get-ADForest | Select ForestMode`");
    };
    let name = dir
        .forest
        .functional_level_name
        .clone()
        .unwrap_or_else(|| crate::directory::levels::functional_level_name(level));
    let o = if level >= MIN_FOREST_LEVEL {
        Outcome::pass(format!("forest {} at {name}", dir.forest.root_domain))
    } else {
        // Level 1 (2003 interim) is not 2003 either: both ATA and the sensor ask for 2.
        Outcome::fail(format!(
            "forest {} at {name}: Windows Server 2003 or higher is required",
            dir.forest.root_domain
        ))
        .remedy("raise the forest functional level to at least Windows Server 2003 (after every DC runs 2003 or later)")
    };
    o.ev("forest", dir.forest.root_domain.clone())
        .ev("functional_level", level.to_string())
        .ev("functional_level_name", name)
}

/// `forest.recycle_bin`: the forest's AD Recycle Bin (the readiness list of the
/// DefenderForIdentity module checks it). Not enabled fails: deleted objects then lose
/// their attributes at once, so a mistake in the move (a deleted group, a deleted
/// account) cannot be restored with its memberships.
pub fn recycle_bin(inv: &Inventory) -> Outcome {
    let Some(dir) = &inv.directory else {
        return Outcome::unknown(format!(
            "{NO_DIRECTORY}: whether the AD Recycle Bin is enabled is not known"
        ))
        .act(ADD_DIRECTORY);
    };
    let forest = &dir.forest.root_domain;
    let Some(rb) = &dir.recycle_bin else {
        return Outcome::unknown(format!(
            "the configuration partition of {forest} was not read: whether the AD Recycle Bin is enabled is not known"
        ))
        .act(Action::ExportLdif {
            what: "CN=Optional Features and CN=Partitions".into(),
            as_admin: false,
        });
    };
    let o = match rb.enabled {
        Some(true) => Outcome::pass(format!("the AD Recycle Bin is enabled in {forest}")),
        Some(false) => {
            let level = dir.forest.functional_level;
            let first = if level.is_some_and(|l| l < 4) {
                "raise the forest functional level to Windows Server 2008 R2 or higher first, then "
            } else {
                ""
            };
            Outcome::fail(format!("the AD Recycle Bin is not enabled in {forest}"))
                .remedy(format!(
                    "{first}enable it (it cannot be turned off again): `Enable-ADOptionalFeature -Identity                      'Recycle Bin Feature' -Scope ForestOrConfigurationSet -Target {forest}`, or accept the risk                      with the customer"
                ))
        }
        None => Outcome::unknown(format!(
            "whether the AD Recycle Bin is enabled in {forest} is not known: {}",
            rb.evidence
        ))
        .act(Action::ExportLdif {
            what: "CN=Optional Features and CN=Partitions".into(),
            as_admin: false,
        }),
    };
    o.ev("forest", forest.clone())
        .ev("evidence", rb.evidence.clone())
}

/// One result per domain: the level is reported; the sensor sets no domain-level minimum,
/// but a domain below 2003 means a forest below 2003 too, so that is flagged.
pub fn domain_levels(inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    let Some(dir) = &inv.directory else {
        return vec![(
            None,
            Outcome::unknown(format!(
                "{NO_DIRECTORY}: domain functional levels are not known"
            ))
            .act(ADD_DIRECTORY),
        )];
    };
    if dir.domains.is_empty() {
        return vec![(
            None,
            Outcome::unknown("the directory source listed no domains"),
        )];
    }
    dir.domains
        .iter()
        .map(|d| {
            let o = match d.functional_level {
                None => Outcome::unknown(format!(
                    "the functional level of {} was not read",
                    d.dns_name
                )),
                Some(level) => {
                    let name = d
                        .functional_level_name
                        .clone()
                        .unwrap_or_else(|| crate::directory::levels::functional_level_name(level));
                    let o = if level >= 2 {
                        Outcome::pass(name.to_string())
                    } else {
                        Outcome::warn(format!(
                            "{name}: below Windows Server 2003, so the forest is too"
                        ))
                        .remedy("raise the domain functional level to at least Windows Server 2003")
                    };
                    o.ev("functional_level", level.to_string())
                        .ev("functional_level_name", name)
                }
            };
            (Some(d.dns_name.clone()), o)
        })
        .collect()
}

/// One directory services account to check: how ATA (or the bind) names it, which is
/// the results' subject, and what the directory says of it.
pub struct DsaSubject<'a> {
    pub label: String,
    pub facts: Option<&'a DirectoryServicesAccountFacts>,
}

/// The accounts the DSA checks judge, one result each: every account ATA's configuration
/// names (ATA keeps one per domain), else the account the directory read described (the
/// LDAP bind account). `Err` is the one result when there is none to judge.
pub fn dsa_subjects(inv: &Inventory) -> Result<Vec<DsaSubject<'_>>, Outcome> {
    let dir = inv.directory.as_ref();
    if !inv.ata.directory_services_accounts.is_empty() {
        return Ok(inv
            .ata
            .directory_services_accounts
            .iter()
            .map(|a| {
                let label = a.label();
                DsaSubject {
                    facts: dir.and_then(|d| d.directory_services_account_named(&label)),
                    label,
                }
            })
            .collect());
    }
    let Some(dir) = dir else {
        return Err(Outcome::unknown(format!(
            "{NO_DIRECTORY} and no ATA configuration: no directory services account is known"
        ))
        .act(ADD_DIRECTORY));
    };
    let described: Vec<DsaSubject> = dir
        .directory_services_accounts()
        .map(|f| DsaSubject {
            label: f.named_as.clone().unwrap_or_else(|| match &f.domain {
                Some(d) => format!("{d}\\{}", f.name),
                None => f.name.clone(),
            }),
            facts: Some(f),
        })
        .collect();
    if described.is_empty() {
        return Err(Outcome::unknown(
            "no directory services account is known: ATA's configuration names none and the directory read had no bind account",
        )
        .remedy("collect ATA and the directory in the same inventory run so the account ATA uses is looked up"));
    }
    Ok(described)
}

/// One result per account: `judge` for an account the directory described; Unknown with
/// the reason for one it did not.
fn per_account(
    inv: &Inventory,
    what: &str,
    judge: impl Fn(&str, &DirectoryInventory, &DirectoryServicesAccountFacts) -> Outcome,
) -> Vec<(Option<String>, Outcome)> {
    each_account(inv, |s| {
        match (&inv.directory, s.facts) {
        (None, _) => Outcome::unknown(format!("{NO_DIRECTORY}: {what} cannot be determined"))
            .act(ADD_DIRECTORY),
        (Some(_), None) => Outcome::unknown(format!(
            "{} was not looked up in the directory (see the directory notes: its domain was not read, or the read broke off), so {what} cannot be determined",
            s.label
        ))
        .act(Action::AccountDomain),
        (Some(dir), Some(f)) => judge(&s.label, dir, f),
    }
    })
}

/// One result per account of [`dsa_subjects`], subject and evidence naming the account;
/// the one reason instead when no account is known.
fn each_account<'a>(
    inv: &'a Inventory,
    judge: impl Fn(&DsaSubject<'a>) -> Outcome,
) -> Vec<(Option<String>, Outcome)> {
    let subjects = match dsa_subjects(inv) {
        Ok(s) => s,
        Err(o) => return vec![(None, o)],
    };
    subjects
        .into_iter()
        .map(|s| {
            let o = judge(&s);
            (Some(s.label.clone()), o.ev("account", s.label))
        })
        .collect()
}

/// Seed 002: a wrong domain connectivity password stops the ATA Gateway service. Said of
/// every account whose password a person types (not a gMSA's, which AD changes itself).
pub const PASSWORD_CHANGE_RULE: &str = "whenever this account's password changes in Active Directory, change it in ATA \
     at once (Configuration → Directory services: the new password, Test connection, Save), or the ATA Gateway \
     service stops (Microsoft.Tri.Gateway-Errors.log: `The supplied credential is invalid.`); then check that the \
     gateway service is running on every ATA Gateway";

/// `dsa.credentials`, per account: from its live test; facts that make a bind fail for
/// sure (disabled, locked out, password expired) fail it even without the test.
/// `tests` holds, by account label, the test's outcome or why it did not run; an
/// account missing from it gets `absent_reason`.
pub fn credentials(
    inv: &Inventory,
    tests: &BTreeMap<String, DsaTestOutcome>,
    absent_reason: &str,
    now: DateTime<Utc>,
) -> Vec<(Option<String>, Outcome)> {
    each_account(inv, |s| {
        credentials_of(&s.label, s.facts, tests.get(&s.label), absent_reason, now)
    })
}

fn credentials_of(
    label: &str,
    facts: Option<&DirectoryServicesAccountFacts>,
    test: Option<&DsaTestOutcome>,
    absent_reason: &str,
    now: DateTime<Utc>,
) -> Outcome {
    let mut blocking = Vec::new();
    if let Some(f) = facts {
        if !f.found {
            blocking.push("the account was not found in the directory".to_string());
        }
        if f.enabled == Some(false) {
            blocking.push("the account is disabled".to_string());
        }
        if f.locked_out == Some(true) {
            blocking.push("the account is locked out".to_string());
        }
        if let Some(exp) = f.password_expires_at
            && exp <= now
        {
            blocking.push(format!(
                "its password expired on {}",
                exp.format("%Y-%m-%d")
            ));
        }
    }
    let mut o = match test {
        Some(DsaTestOutcome::Valid { server }) if blocking.is_empty() => {
            Outcome::pass(format!("{label} bound successfully to {server}")).ev("tested_against", server.clone())
        }
        Some(DsaTestOutcome::Valid { server }) => Outcome::warn(format!(
            "{label} bound to {server}, but the directory says: {}",
            blocking.join("; ")
        ))
        .ev("tested_against", server.clone()),
        Some(DsaTestOutcome::Rejected { server, detail }) => {
            Outcome::fail(format!("{server} refused the credentials of {label}: {detail}"))
                .ev("tested_against", server.clone())
                .remedy(
                    "fix the password (or unlock/enable the account) and enter the same credentials in ATA and in the \
                     Defender for Identity portal; a wrong password stops the ATA Gateway service",
                )
        }
        _ if !blocking.is_empty() => Outcome::fail(format!("{label}: {}", blocking.join("; ")))
            .remedy("enable or unlock the account, or reset its password (then enter it in ATA at once, or the ATA \
                     Gateway service stops)")
            .act(Action::DsaTest),
        Some(DsaTestOutcome::NotRun { reason }) => Outcome::unknown(format!("the credentials test did not run: {reason}")),
        Some(DsaTestOutcome::NotAttempted { reason }) => Outcome::unknown(reason.clone()).act(Action::DsaTest),
        None => Outcome::unknown(absent_reason.to_string()).act(Action::DsaTest),
    };
    if let Some(exp) = facts.and_then(|f| f.password_expires_at) {
        o = o.ev("password_expires_at", exp.to_rfc3339());
        // A password that expires during the move stops every sensor (and ATA gateway)
        // using it: a Warn whether or not the credentials could be tested.
        let days = (exp - now).num_days();
        if exp > now
            && days < PASSWORD_WARNING_DAYS
            && matches!(o.status, Status::Pass | Status::Unknown)
        {
            o.status = Status::Warn;
            o.reason = format!(
                "the password of {label} expires on {} (in {days} days); {}",
                exp.format("%Y-%m-%d %H:%M UTC"),
                o.reason
            );
            o = o.remedy(
                "reset the password (or set it not to expire) before the move, and update it in ATA and in the \
                 Defender for Identity portal at the same time",
            );
        }
    }
    if facts.is_none_or(|f| f.kind == AccountKind::User) {
        o = o.ev("on_password_change", PASSWORD_CHANGE_RULE);
    }
    o
}

pub fn deleted_objects(inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    per_account(inv, "whether it can read Deleted Objects", |label, _, f| {
        match f.deleted_objects_readable {
            Some(true) => Outcome::pass(format!("{label} can list CN=Deleted Objects")),
            Some(false) => Outcome::fail(format!("{label} cannot list CN=Deleted Objects"))
                .remedy(
                    "grant List Contents and Read Property on the container: take ownership, then \
                     `dsacls \"CN=Deleted Objects,DC=…\" /G DOMAIN\\account:LCRP` (for a gMSA, a group holding it)",
                ),
            None => Outcome::unknown(match &f.deleted_objects_note {
                Some(n) => format!("whether {label} can read Deleted Objects is not known: {n}"),
                None => format!("whether {label} can read Deleted Objects is not known"),
            })
            .act(Action::DsaInventory),
        }
    })
}

/// An over-privileged account works; it is a Warn because the sensor needs read access
/// only, and a directory services account in Domain Admins is a credential stored on every
/// sensor that an attacker would want (Test-MDIDSA flags the same).
pub fn privileges(inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    per_account(inv, "its group memberships", |label, _, f| {
        if !f.found {
            return Outcome::unknown(format!(
                "{label} was not found in the directory, so its groups are not known"
            ));
        }
        if f.sensitive_groups.is_empty() {
            Outcome::pass(format!("{label} is in no sensitive group"))
        } else {
            Outcome::warn(format!(
                "{label} is a member of {}",
                f.sensitive_groups.join(", ")
            ))
            .ev("sensitive_groups", f.sensitive_groups.join(", "))
            .remedy(
                "remove it from privileged groups: it needs read access only (plus Deleted Objects)",
            )
        }
    })
}

pub fn gmsa_kds(inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    per_account(inv, "its account type", |label, dir, f| {
        match f.kind {
        AccountKind::User => {
            let kds = match dir.kds_root_key_present {
                Some(false) => "; the forest has no KDS root key: create one (Add-KdsRootKey) before moving to a gMSA",
                _ => "",
            };
            Outcome::pass(format!(
                "not applicable: {label} is a user account (a gMSA is recommended for the sensors){kds}"
            ))
            .ev("kind", "user")
        }
        AccountKind::Gmsa => match dir.kds_root_key_present {
            Some(true) => Outcome::pass(format!("{label} is a gMSA and the forest has a KDS root key")),
            Some(false) => Outcome::fail(format!("{label} is a gMSA but the forest has no KDS root key"))
                .remedy("create one with `Add-KdsRootKey -EffectiveImmediately` (usable after replication, up to 10 h)"),
            None => Outcome::unknown(format!(
                "{label} is a gMSA; whether the forest has a KDS root key was not read \
                 (CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services)"
            )),
        }
        .ev("kind", "gmsa"),
    }
    })
}

/// `dsa.matches_ata`, one result per account ATA uses.
pub fn matches_ata(inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    let ata = &inv.ata.directory_services_accounts;
    if ata.is_empty() && !super::ata::ata_read(inv) {
        return vec![(
            None,
            Outcome::unknown("no ATA source in the inventory: the account ATA uses is not known")
                .act(Action::CollectAta),
        )];
    }
    if ata.is_empty() {
        return vec![(
            None,
            Outcome::unknown("no directory services account was found in ATA's configuration")
                .remedy("read it from the ATA console (Configuration → Directory services) and record it"),
        )];
    }
    per_account(inv, "whether it exists", |label, _, f| {
        if f.found {
            Outcome::pass(format!("{label} exists in the directory"))
                .ev("dn", f.dn.clone().unwrap_or_default())
        } else {
            Outcome::fail(format!(
                "the account ATA uses, {label}, was not found in the directory"
            ))
            .remedy("find the account the gateways really use (renamed? another domain?) and give it to the sensors")
        }
    })
}

#[cfg(test)]
mod tests;
