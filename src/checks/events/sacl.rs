//! The directory's auditing entries (SACLs) for event 4662: whether an entry for Everyone
//! covers the rights required, on the domain heads' descendant objects
//! (`domain.object_auditing`), the Configuration container where Exchange is
//! (`forest.configuration_auditing`) and the AD FS container (`domain.adfs_auditing`); and
//! the PowerShell that adds a missing entry.

use crate::checks::Outcome;
use crate::checks::thresholds::{
    ADFS_CONTAINER_AUDIT_RIGHTS, CONFIGURATION_AUDIT_RIGHTS, OBJECT_AUDIT_CLASSES,
};
use crate::directory::security_descriptor::{Ace, flags, parse_ace, rights, rights_sddl};
use crate::model::{Action, AuditedObject, Inventory, ObjectAuditing, ServerRole, Status};

/// Directory rights a mask grants once the generic rights are mapped (MS-ADTS 5.1.3.3).
fn effective(mask: u32) -> u32 {
    let mut m = mask & 0x00FF_FFFF;
    if mask & rights::GENERIC_ALL != 0 {
        m |= 0xF_01FF;
    }
    if mask & rights::GENERIC_READ != 0 {
        m |= rights::READ_CONTROL
            | rights::LIST_CHILDREN
            | rights::READ_PROPERTY
            | rights::LIST_OBJECT;
    }
    if mask & rights::GENERIC_WRITE != 0 {
        m |= rights::READ_CONTROL | rights::WRITE_PROPERTY | rights::SELF_WRITE;
    }
    if mask & rights::GENERIC_EXECUTE != 0 {
        m |= rights::READ_CONTROL | rights::LIST_CHILDREN;
    }
    m
}

const EVERYONE: &str = "S-1-1-0";

/// An audit entry for Everyone that audits `wanted` rights on the objects `class` names
/// (`None`: the object itself and all its descendants).
fn covers(ace: &Ace, class: Option<&str>, wanted: u32, success: bool, failure: bool) -> bool {
    let inherit_ok =
        ace.has_flag(flags::CONTAINER_INHERIT) && !ace.has_flag(flags::NO_PROPAGATE_INHERIT);
    let applies = match class {
        // Descendant objects of one class: that class, or every class.
        Some(c) => ace
            .inherited_object_type
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case(c)),
        // This object and all descendants: not inherit-only, every class.
        None => ace.inherited_object_type.is_none() && !ace.has_flag(flags::INHERIT_ONLY),
    };
    ace.kind.is_audit()
        && ace.trustee == EVERYONE
        && ace.object_type.is_none()
        && inherit_ok
        && applies
        && effective(ace.mask) & wanted == wanted
        && (!success || ace.has_flag(flags::SUCCESSFUL_ACCESS))
        && (!failure || ace.has_flag(flags::FAILED_ACCESS))
}

fn parse_sacl(entries: &[String]) -> (Vec<Ace>, Vec<String>) {
    let mut aces = Vec::new();
    let mut bad = Vec::new();
    for e in entries {
        match parse_ace(e) {
            Ok(a) => aces.push(a),
            Err(err) => bad.push(err.to_string()),
        }
    }
    (aces, bad)
}

/// The descendant classes the domain head's SACL does not audit as required: (class,
/// schemaIDGUID, rights). `schema_version` leaves out classes the schema does not have.
pub fn missing_object_audit(
    sacl: &[String],
    schema_version: Option<u32>,
) -> Vec<(&'static str, &'static str, u32)> {
    let (aces, _) = parse_sacl(sacl);
    OBJECT_AUDIT_CLASSES
        .iter()
        .filter(|(_, _, _, min_schema)| {
            *min_schema == 0 || schema_version.is_some_and(|v| v >= *min_schema)
        })
        .filter(|(_, guid, wanted, _)| {
            !aces
                .iter()
                .any(|a| covers(a, Some(guid), *wanted, true, false))
        })
        .map(|(c, g, r, _)| (*c, *g, *r))
        .collect()
}

/// The PowerShell that adds one audit entry for Everyone on `dn` (ActiveDirectory
/// module's `AD:` drive). `class`: descendant objects of that schemaIDGUID, else this
/// object and all descendants.
pub fn audit_rule_command(dn: &str, rights: u32, audit_flags: &str, class: Option<&str>) -> String {
    let rule = match class {
        Some(g) => format!(
            "New-Object System.DirectoryServices.ActiveDirectoryAuditRule((New-Object System.Security.Principal.SecurityIdentifier('S-1-1-0')), [System.DirectoryServices.ActiveDirectoryRights]{rights}, '{audit_flags}', 'Descendents', [guid]'{g}')"
        ),
        None => format!(
            "New-Object System.DirectoryServices.ActiveDirectoryAuditRule((New-Object System.Security.Principal.SecurityIdentifier('S-1-1-0')), [System.DirectoryServices.ActiveDirectoryRights]{rights}, '{audit_flags}', 'All')"
        ),
    };
    format!(
        "$acl = Get-Acl -Path 'AD:{dn}' -Audit; $acl.AddAuditRule(({rule})); Set-Acl -Path 'AD:{dn}' -AclObject $acl",
        dn = dn.replace('\'', "''")
    )
}

fn unreadable_sacl(o: &ObjectAuditing, what: &str) -> Outcome {
    Outcome::unknown(format!(
        "the auditing entries of {what} could not be read: {}",
        o.note.as_deref().unwrap_or("no reason recorded")
    ))
    .ev("dn", o.dn.clone())
    .remedy(format!(
        "check by hand on a DC: (Get-Acl -Path 'AD:{}' -Audit).Audit, or read them again as a member of Domain Admins",
        o.dn
    ))
    .act(Action::CollectDirectory { as_admin: true })
}

fn sacl_evidence(o: Outcome, sacl: &[String], bad: &[String]) -> Outcome {
    let mut o = o.ev(
        "sacl",
        if sacl.is_empty() {
            "(no entries)".to_string()
        } else {
            sacl.join(" ")
        },
    );
    if !bad.is_empty() {
        o = o.ev("entries_not_understood", bad.join("; "));
    }
    o
}

/// `domain.object_auditing`, one result per domain.
pub fn object_auditing(inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    let Some(dir) = &inv.directory else {
        return vec![(
            None,
            Outcome::unknown("no directory source in the inventory: the domain heads' auditing entries were not read")
                .act(Action::CollectDirectory { as_admin: true }),
        )];
    };
    let schema = dir.forest.schema_version;
    let mut out = Vec::new();
    for o in dir
        .object_auditing
        .iter()
        .filter(|o| o.object == AuditedObject::Domain)
    {
        let subject = o.domain.clone().or_else(|| Some(o.dn.clone()));
        let Some(sacl) = &o.sacl else {
            out.push((
                subject,
                unreadable_sacl(o, &format!("the domain head {}", o.dn)),
            ));
            continue;
        };
        let (_, bad) = parse_sacl(sacl);
        let missing = missing_object_audit(sacl, schema);
        let required = OBJECT_AUDIT_CLASSES
            .iter()
            .map(|(c, _, r, min)| {
                if *min > 0 {
                    format!("{c} ({}, schema {min}+)", rights_sddl(*r))
                } else {
                    format!("{c} ({})", rights_sddl(*r))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let verdict = if missing.is_empty() {
            Outcome::pass(format!(
                "{} audits changes to users, groups, computers and managed service accounts for Everyone (event 4662)",
                o.dn
            ))
        } else {
            Outcome::fail(format!(
                "{} has no audit entry for Everyone, Success, on descendant {} objects: event 4662 is not written for them",
                o.dn,
                missing.iter().map(|(c, _, _)| *c).collect::<Vec<_>>().join(", ")
            ))
            .remedy(format!(
                "in Active Directory Users and Computers (Advanced Features) > {} > Properties > Security > Advanced > \
                 Auditing > Add: Everyone, Success, Applies to: Descendant <class> objects, Full Control less List contents, \
                 Read all properties and Read permissions, for each class missing. In PowerShell (ActiveDirectory module), \
                 as a domain admin: {}",
                o.domain.as_deref().unwrap_or(&o.dn),
                missing
                    .iter()
                    .map(|(_, g, r)| audit_rule_command(&o.dn, *r, "Success", Some(g)))
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        };
        let verdict = verdict.ev(
            "required",
            format!("Everyone, Success, descendant objects: {required}"),
        );
        out.push((
            subject,
            sacl_evidence(verdict, sacl, &bad).ev("dn", o.dn.clone()),
        ));
    }
    if out.is_empty() {
        out.push((
            None,
            Outcome::unknown("no domain head was described by the directory source").act(
                Action::ExportLdif {
                    what: "the domain heads' nTSecurityDescriptor of each domain".into(),
                    as_admin: true,
                },
            ),
        ));
    }
    out
}

/// Judges a container that must audit `wanted` for Everyone, Success and Failure, on
/// itself and every descendant.
fn judge_container(o: &ObjectAuditing, wanted: u32, label: &str, ui: &str) -> Outcome {
    let Some(sacl) = &o.sacl else {
        return unreadable_sacl(o, label);
    };
    let (aces, bad) = parse_sacl(sacl);
    let ok = aces.iter().any(|a| covers(a, None, wanted, true, true));
    let verdict = if ok {
        Outcome::pass(format!(
            "{label} audits {} for Everyone, Success and Failure, on itself and all descendants",
            rights_sddl(wanted)
        ))
    } else {
        Outcome::fail(format!(
            "{label} has no audit entry for Everyone, Success and Failure, {} on this object and all descendant objects",
            rights_sddl(wanted)
        ))
        .remedy(format!(
            "{ui} > Properties > Security > Advanced > Auditing > Add: Everyone, Type All, Applies to: This object and all \
             descendant objects, {}. In PowerShell (ActiveDirectory module), as a domain admin: {}",
            if wanted == CONFIGURATION_AUDIT_RIGHTS {
                "Write all properties"
            } else {
                "Read all properties and Write all properties"
            },
            audit_rule_command(&o.dn, wanted, "Success, Failure", None)
        ))
    };
    sacl_evidence(verdict, sacl, &bad).ev("dn", o.dn.clone())
}

/// `forest.configuration_auditing`: needed where the forest has (or had) Exchange.
pub fn configuration_auditing(inv: &Inventory) -> Outcome {
    let Some(dir) = &inv.directory else {
        return Outcome::unknown("no directory source in the inventory")
            .act(Action::CollectDirectory { as_admin: true });
    };
    let container = dir
        .object_auditing
        .iter()
        .find(|o| o.object == AuditedObject::Configuration);
    match (dir.exchange_present, container) {
        (Some(false), _) => Outcome::pass(
            "not applicable: the forest has no Exchange configuration container (CN=Microsoft Exchange,CN=Services)",
        ),
        (_, None) => Outcome::unknown(
            "the Configuration container's auditing entries were not read (and whether the forest has Exchange)",
        )
        .act(Action::ExportLdif {
            what: "the Configuration container's nTSecurityDescriptor".into(),
            as_admin: true,
        }),
        (exchange, Some(o)) => {
            let mut verdict = judge_container(
                o,
                CONFIGURATION_AUDIT_RIGHTS,
                &format!("the Configuration container {}", o.dn),
                "ADSI Edit > Configuration > CN=Configuration,…",
            );
            if exchange.is_none() && verdict.status == Status::Fail {
                // Needed only with Exchange, and that is not known.
                verdict.status = Status::Unknown;
                verdict.reason = format!(
                    "{}; it is needed only if the forest has (or had) Exchange, which was not read",
                    verdict.reason
                );
            }
            verdict.ev("exchange_present", match exchange {
                Some(true) => "yes",
                Some(false) => "no",
                None => "not read",
            })
        }
    }
}

/// `domain.adfs_auditing`, one result per AD FS container read.
pub fn adfs_container_auditing(inv: &Inventory) -> Vec<(Option<String>, Outcome)> {
    let servers: Vec<&str> = inv
        .servers
        .iter()
        .filter(|s| s.has(ServerRole::Adfs))
        .map(|s| s.name.as_str())
        .collect();
    let containers: Vec<&ObjectAuditing> = inv
        .directory
        .iter()
        .flat_map(|d| &d.object_auditing)
        .filter(|o| o.object == AuditedObject::Adfs)
        .collect();
    if containers.is_empty() {
        let o = match (&inv.directory, servers.is_empty()) {
            (None, _) => Outcome::unknown("no directory source in the inventory"),
            (Some(_), true) => Outcome::pass(
                "not applicable: no AD FS container (CN=ADFS,CN=Microsoft,CN=Program Data) was found in the directory read \
                 and no AD FS server is in the server facts",
            ),
            (Some(_), false) => Outcome::unknown(format!(
                "the server facts name AD FS on {}, but no AD FS container was read from the directory",
                servers.join(", ")
            ))
            .remedy("read the domain over LDAP as a domain admin"),
        };
        return vec![(None, o)];
    }
    containers
        .into_iter()
        .map(|o| {
            (
                o.domain.clone(),
                judge_container(
                    o,
                    ADFS_CONTAINER_AUDIT_RIGHTS,
                    &format!("the AD FS container {}", o.dn),
                    "Active Directory Users and Computers > Program Data > Microsoft > ADFS",
                ),
            )
        })
        .collect()
}
