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

use std::collections::BTreeMap;

use super::thresholds::{
    ADCS_AUDIT_POLICY, ADFS_AUDIT_POLICY, ADFS_CONTAINER_AUDIT_RIGHTS, AuditRequirement,
    CA_AUDIT_FILTER, CONFIGURATION_AUDIT_RIGHTS, DC_AUDIT_POLICY, ENTRA_CONNECT_AUDIT_POLICY,
    NTLM_AUDIT_DOMAIN, NTLM_AUDIT_INCOMING, NTLM_RESTRICT_OUTGOING, OBJECT_AUDIT_CLASSES,
};
use super::{Outcome, fact_missing};
use crate::directory::security_descriptor::{Ace, flags, parse_ace, rights, rights_sddl};
use crate::hosts::auditpol;
use crate::model::{
    AuditSubcategory, AuditedObject, DcFacts, Inventory, ObjectAuditing, ServerFacts, ServerRole,
    Status,
};

/// What one required subcategory lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditGap {
    pub requirement: AuditRequirement,
    /// As printed by the DC, or `None` when the capture does not list the subcategory.
    pub setting: Option<String>,
    pub success: bool,
    pub failure: bool,
    /// The setting is in a language this build does not read.
    pub unreadable: bool,
}

impl AuditGap {
    /// Success, or Failure of a subcategory that logs failures, is missing.
    pub fn blocking(&self) -> bool {
        !self.unreadable && (!self.success || (self.requirement.failure_events && !self.failure))
    }

    /// The `auditpol /set` line that fixes it on one host.
    pub fn auditpol_command(&self) -> String {
        format!(
            "auditpol /set /subcategory:\"{{{}}}\" /success:enable /failure:enable",
            self.requirement.guid
        )
    }

    /// Where the setting lives in a GPO.
    pub fn gpo_path(&self) -> String {
        format!(
            "Computer Configuration > Policies > Windows Settings > Security Settings > Advanced Audit Policy \
             Configuration > Audit Policies > {} > Audit {}: Success and Failure",
            self.requirement.category, self.requirement.name
        )
    }
}

/// Every required subcategory that is not Success and Failure in `policy`, in the order
/// of `required`.
pub fn missing_audit(policy: &[AuditSubcategory], required: &[AuditRequirement]) -> Vec<AuditGap> {
    required
        .iter()
        .filter_map(|r| {
            let found = policy.iter().find(|s| s.guid.eq_ignore_ascii_case(r.guid));
            let (setting, decoded) = match found {
                None => (None, Some((false, false))),
                Some(s) => (Some(s.setting.clone()), auditpol::flags(&s.setting)),
            };
            let (success, failure) = decoded.unwrap_or((false, false));
            let gap = AuditGap {
                requirement: *r,
                setting,
                success,
                failure,
                unreadable: decoded.is_none(),
            };
            (gap.unreadable || !success || !failure).then_some(gap)
        })
        .collect()
}

/// Judges an audit policy against `required`; `host` names the machine, `gpo_target`
/// says which GPO should carry the fix.
fn judge_audit(
    policy: &[AuditSubcategory],
    required: &[AuditRequirement],
    host: &str,
    gpo_target: &str,
) -> Outcome {
    let gaps = missing_audit(policy, required);
    let mut evidence = BTreeMap::new();
    for r in required {
        let shown = policy
            .iter()
            .find(|s| s.guid.eq_ignore_ascii_case(r.guid))
            .map_or_else(
                || "not in the capture".to_string(),
                |s| {
                    if s.name.eq_ignore_ascii_case(r.name)
                        || s.name.eq_ignore_ascii_case(&format!("Audit {}", r.name))
                    {
                        s.setting.clone()
                    } else {
                        format!("{} ({})", s.setting, s.name)
                    }
                },
            );
        evidence.insert(format!("{} ({})", r.name, r.events), shown);
    }
    let describe = |g: &AuditGap| {
        let what = match (&g.setting, g.success, g.failure) {
            (None, _, _) => "not in the capture".to_string(),
            (Some(s), _, _) if g.unreadable => format!("'{s}' (not a setting this build reads)"),
            (Some(s), true, false) => format!("{s}: Failure missing"),
            (Some(s), false, true) => format!("{s}: Success missing"),
            (Some(s), _, _) => s.clone(),
        };
        format!("{} ({what})", g.requirement.name)
    };
    let blocking: Vec<&AuditGap> = gaps.iter().filter(|g| g.blocking()).collect();
    let unreadable: Vec<&AuditGap> = gaps.iter().filter(|g| g.unreadable).collect();
    let advisory: Vec<&AuditGap> = gaps
        .iter()
        .filter(|g| !g.blocking() && !g.unreadable)
        .collect();
    let fixes: Vec<&AuditGap> = gaps.iter().filter(|g| !g.unreadable).collect();
    let remedy = || {
        let mut s = format!(
            "in the GPO {gpo_target}, set {}; then `gpupdate /force`. To set it on {host} alone (a GPO wins at its next refresh): {}",
            fixes
                .iter()
                .map(|g| g.gpo_path())
                .collect::<Vec<_>>()
                .join("; "),
            fixes
                .iter()
                .map(|g| g.auditpol_command())
                .collect::<Vec<_>>()
                .join(" && ")
        );
        s.push_str(" (or Set-MDIConfiguration from the DefenderForIdentity module)");
        s
    };
    let o = if !blocking.is_empty() {
        Outcome::fail(format!(
            "{host} does not audit {}: the sensor misses those events",
            blocking
                .iter()
                .map(|g| describe(g))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .remedy(remedy())
    } else if !unreadable.is_empty() {
        Outcome::unknown(format!(
            "the setting of {} on {host} is in a language this build does not read",
            unreadable.iter().map(|g| describe(g)).collect::<Vec<_>>().join(", ")
        ))
        .remedy("paste the file `auditpol /backup /file:FILE` writes on the DC (its Setting Value column is a number)")
    } else if !advisory.is_empty() {
        // These subcategories log no failure events today; Microsoft still asks for
        // Failure, in case they do later.
        Outcome::warn(format!(
            "{host} audits every required subcategory for Success; Failure is missing on {} (Microsoft asks for it; \
             these subcategories log no failure events today)",
            advisory.iter().map(|g| g.requirement.name).collect::<Vec<_>>().join(", ")
        ))
        .remedy(remedy())
    } else {
        Outcome::pass(format!(
            "{host} audits every required subcategory for Success and Failure"
        ))
    };
    o.with(evidence)
}

/// `dc.audit_policy`.
pub fn audit_policy(f: &DcFacts) -> Outcome {
    match &f.audit_policy {
        None => Outcome::unknown(fact_missing(f, "audit_policy", "The advanced audit policy")).remedy(
            "run the dc-facts collector again, or paste `auditpol /get /category:* /r` from the DC and read it with \
             `ata2atp inventory --auditpol FILE`",
        ),
        Some(policy) => judge_audit(
            policy,
            DC_AUDIT_POLICY,
            &f.name,
            "linked to the Domain Controllers OU (e.g. Default Domain Controllers Policy)",
        ),
    }
}

/// One NTLM auditing value that is not as required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtlmGap {
    pub setting: &'static str,
    pub wanted: &'static str,
    pub key: &'static str,
    pub value: &'static str,
    pub data: u32,
    pub found: u32,
}

impl NtlmGap {
    pub fn reg_command(&self) -> String {
        format!(
            "reg add \"HKLM\\{}\" /v {} /t REG_DWORD /d {} /f",
            self.key, self.value, self.data
        )
    }
}

const MSV1_0: &str = r"SYSTEM\CurrentControlSet\Control\Lsa\MSV1_0";
const NETLOGON: &str = r"SYSTEM\CurrentControlSet\Services\Netlogon\Parameters";

/// The NTLM auditing values that are not as required; `None` when one was not read.
pub fn missing_ntlm(f: &DcFacts) -> Option<Vec<NtlmGap>> {
    let (incoming, outgoing, domain) = (
        f.ntlm_audit_incoming?,
        f.ntlm_restrict_outgoing?,
        f.ntlm_audit_domain?,
    );
    let mut gaps = Vec::new();
    if incoming != NTLM_AUDIT_INCOMING {
        gaps.push(NtlmGap {
            setting: "Network security: Restrict NTLM: Audit Incoming NTLM Traffic",
            wanted: "Enable auditing for all accounts",
            key: MSV1_0,
            value: "AuditReceivingNTLMTraffic",
            data: NTLM_AUDIT_INCOMING,
            found: incoming,
        });
    }
    if !NTLM_RESTRICT_OUTGOING.contains(&outgoing) {
        gaps.push(NtlmGap {
            setting: "Network security: Restrict NTLM: Outgoing NTLM traffic to remote servers",
            wanted: "Audit all",
            key: MSV1_0,
            value: "RestrictSendingNTLMTraffic",
            data: 1,
            found: outgoing,
        });
    }
    if domain != NTLM_AUDIT_DOMAIN {
        gaps.push(NtlmGap {
            setting: "Network security: Restrict NTLM: Audit NTLM authentication in this domain",
            wanted: "Enable all",
            key: NETLOGON,
            value: "AuditNTLMInDomain",
            data: NTLM_AUDIT_DOMAIN,
            found: domain,
        });
    }
    Some(gaps)
}

/// `dc.ntlm_auditing`: event 8004 needs all three.
pub fn ntlm_auditing(f: &DcFacts) -> Outcome {
    let Some(gaps) = missing_ntlm(f) else {
        return Outcome::unknown(fact_missing(
            f,
            "ntlm_audit",
            "The NTLM auditing configuration",
        ))
        .remedy("run the dc-facts collector again on this DC");
    };
    let o = if gaps.is_empty() {
        Outcome::pass(format!("{} audits NTLM (event 8004)", f.name))
    } else {
        Outcome::fail(format!(
            "{} does not log event 8004 (NTLM authentication): {}",
            f.name,
            gaps.iter()
                .map(|g| format!("{} is {} ({}={})", g.setting, if g.found == 0 { "not set".to_string() } else { g.found.to_string() }, g.value, g.found))
                .collect::<Vec<_>>()
                .join("; ")
        ))
        .remedy(format!(
            "in the GPO linked to the Domain Controllers OU only: Computer Configuration > Policies > Windows Settings > \
             Security Settings > Local Policies > Security Options: {}. On this DC alone: {}",
            gaps.iter().map(|g| format!("{} = {}", g.setting, g.wanted)).collect::<Vec<_>>().join("; "),
            gaps.iter().map(NtlmGap::reg_command).collect::<Vec<_>>().join(" && ")
        ))
    };
    o.ev(
        "AuditReceivingNTLMTraffic",
        f.ntlm_audit_incoming.unwrap_or_default().to_string(),
    )
    .ev(
        "RestrictSendingNTLMTraffic",
        f.ntlm_restrict_outgoing.unwrap_or_default().to_string(),
    )
    .ev(
        "AuditNTLMInDomain",
        f.ntlm_audit_domain.unwrap_or_default().to_string(),
    )
    .ev(
        "required",
        "AuditReceivingNTLMTraffic=2, RestrictSendingNTLMTraffic=1 (or 2), AuditNTLMInDomain=7",
    )
}

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
        "read the directory again over LDAP bound as a domain admin (`ata2atp inventory --ldap … --bind-user` a member of \
         Domain Admins), or check on a DC: (Get-Acl -Path 'AD:{}' -Audit).Audit",
        o.dn
    ))
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
                .remedy("add --ldap (bound as a domain admin) or --ldif to the inventory"),
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
            Outcome::unknown("no domain head was described by the directory source").remedy(
                "read a DC of each domain over LDAP as a domain admin, or export the domain heads' nTSecurityDescriptor \
                 (`ata2atp collector ldif`)",
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
            .remedy("add --ldap (bound as a domain admin) or --ldif to the inventory");
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
        .remedy("read the directory over LDAP as a domain admin, or export them (`ata2atp collector ldif`)"),
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

fn server_policy(s: &ServerFacts, required: &[AuditRequirement], gpo: &str) -> Outcome {
    match &s.audit_policy {
        None => Outcome::unknown(format!(
            "the advanced audit policy of {} is not in the server facts{}",
            s.name,
            s.errors
                .iter()
                .find(|e| e.starts_with("audit_policy"))
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        )),
        Some(p) => judge_audit(p, required, &s.name, gpo),
    }
}

/// Keeps the worse of two outcomes, joining reasons; evidence and remediations merge.
fn worst(a: Outcome, b: Outcome) -> Outcome {
    let rank = |s: Status| match s {
        Status::Fail => 4,
        Status::Unknown => 3,
        Status::Warn => 2,
        Status::Manual => 1,
        Status::Pass => 0,
    };
    let (mut hi, lo) = if rank(b.status) > rank(a.status) {
        (b, a)
    } else {
        (a, b)
    };
    if lo.status != Status::Pass {
        hi.reason = format!("{}; {}", hi.reason, lo.reason);
    }
    hi.remediation = match (hi.remediation.take(), lo.remediation) {
        (Some(x), Some(y)) => Some(format!("{x}; {y}")),
        (x, y) => x.or(y),
    };
    for (k, v) in lo.evidence {
        hi.evidence.entry(k).or_insert(v);
    }
    hi
}

/// `server.adcs_auditing`, `server.adfs_auditing`, `server.entra_connect_auditing`: one
/// result per server of the role, or one saying none is known.
pub fn server_auditing(inv: &Inventory) -> Vec<(&'static str, Option<String>, Outcome)> {
    let mut out = Vec::new();
    let roles = [
        (ServerRole::Adcs, "server.adcs_auditing"),
        (ServerRole::Adfs, "server.adfs_auditing"),
        (ServerRole::EntraConnect, "server.entra_connect_auditing"),
    ];
    for (role, id) in roles {
        let servers: Vec<&ServerFacts> = inv.servers.iter().filter(|s| s.has(role)).collect();
        if servers.is_empty() {
            out.push((
                id,
                None,
                Outcome::unknown(format!(
                    "no server facts name an {} server: if the customer has one, its auditing is not checked",
                    role.label()
                ))
                .remedy(format!(
                    "run `ata2atp collector server-facts > Get-ServerFacts.ps1` and the script on each {} server, then \
                     `ata2atp inventory --server-facts server-facts.json`",
                    role.label()
                )),
            ));
            continue;
        }
        for s in servers {
            let o = match role {
                ServerRole::Adcs => {
                    let policy =
                        server_policy(s, ADCS_AUDIT_POLICY, "applied to the AD CS servers");
                    let filter = match s.ca_audit_filter {
                        None => Outcome::unknown(format!("the CA's AuditFilter of {} is not in the server facts", s.name)),
                        Some(CA_AUDIT_FILTER) => Outcome::pass(format!("the CA audits every event category (AuditFilter {CA_AUDIT_FILTER})")),
                        Some(v) => Outcome::fail(format!(
                            "the CA {} on {} has AuditFilter {v}, not {CA_AUDIT_FILTER}: some AD CS events are not written",
                            s.ca_name.as_deref().unwrap_or("(name not read)"),
                            s.name
                        ))
                        .remedy(format!(
                            "on {}: certutil -setreg CA\\AuditFilter {CA_AUDIT_FILTER} && net stop certsvc && net start certsvc",
                            s.name
                        )),
                    };
                    worst(policy, filter).ev(
                        "AuditFilter",
                        s.ca_audit_filter
                            .map_or("not read".into(), |v| v.to_string()),
                    )
                }
                ServerRole::Adfs => {
                    let policy =
                        server_policy(s, ADFS_AUDIT_POLICY, "applied to the AD FS servers");
                    let level = match s.adfs_audit_level.as_deref() {
                        None => Outcome::unknown(format!("the AD FS audit level of {} is not in the server facts", s.name)),
                        Some(l) if l.eq_ignore_ascii_case("Verbose") => Outcome::pass("AD FS audit level Verbose"),
                        Some(l) => Outcome::fail(format!(
                            "AD FS on {} audits at level {l}: the sensor needs Verbose for events 1202 and 1203",
                            s.name
                        ))
                        .remedy(format!("on {}: Set-AdfsProperties -AuditLevel Verbose", s.name)),
                    };
                    worst(policy, level).ev(
                        "AuditLevel",
                        s.adfs_audit_level
                            .clone()
                            .unwrap_or_else(|| "not read".into()),
                    )
                }
                _ => server_policy(
                    s,
                    ENTRA_CONNECT_AUDIT_POLICY,
                    "applied to the Microsoft Entra Connect servers",
                ),
            };
            out.push((id, Some(s.name.clone()), o));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(guid: &str, setting: &str) -> AuditSubcategory {
        AuditSubcategory {
            guid: guid.into(),
            name: "x".into(),
            setting: setting.into(),
        }
    }

    fn all(setting: &str) -> Vec<AuditSubcategory> {
        DC_AUDIT_POLICY
            .iter()
            .map(|r| sub(r.guid, setting))
            .collect()
    }

    #[test]
    fn audit_policy_needs_success_and_the_failures_that_exist() {
        let mut f = DcFacts::new("DC1");
        assert_eq!(audit_policy(&f).status, Status::Unknown);
        f.audit_policy = Some(all("Success and Failure"));
        assert_eq!(audit_policy(&f).status, Status::Pass);
        f.audit_policy = Some(all("Erfolg und Fehler"));
        assert_eq!(audit_policy(&f).status, Status::Pass);
        // Success only: Credential Validation loses its failures (4776 failures).
        f.audit_policy = Some(all("Success"));
        let o = audit_policy(&f);
        assert_eq!(o.status, Status::Fail);
        assert!(o.reason.contains("Credential Validation"), "{}", o.reason);
        assert!(
            o.remediation
                .unwrap()
                .contains("auditpol /set /subcategory:\"{0CCE923F-69AE-11D9-BED3-505054503030}\"")
        );
        // Failure missing only where no failure events exist: a warning.
        let mut p = all("Success and Failure");
        p[1].setting = "Success".into(); // Computer Account Management
        f.audit_policy = Some(p.clone());
        assert_eq!(audit_policy(&f).status, Status::Warn);
        // A subcategory missing from the capture fails; an unreadable one is unknown.
        p.remove(0);
        f.audit_policy = Some(p);
        assert_eq!(audit_policy(&f).status, Status::Fail);
        let mut p = all("Success and Failure");
        p[0].setting = "Operazione riuscita".into();
        f.audit_policy = Some(p);
        assert_eq!(audit_policy(&f).status, Status::Unknown);
    }

    #[test]
    fn ntlm_auditing_wants_2_1_7() {
        let mut f = DcFacts::new("DC1");
        assert_eq!(ntlm_auditing(&f).status, Status::Unknown);
        f.ntlm_audit_incoming = Some(2);
        f.ntlm_restrict_outgoing = Some(2);
        f.ntlm_audit_domain = Some(7);
        assert_eq!(ntlm_auditing(&f).status, Status::Pass);
        f.ntlm_audit_domain = Some(0);
        let o = ntlm_auditing(&f);
        assert_eq!(o.status, Status::Fail);
        assert!(o.remediation.unwrap().contains(
            "reg add \"HKLM\\SYSTEM\\CurrentControlSet\\Services\\Netlogon\\Parameters\" /v AuditNTLMInDomain /t REG_DWORD /d 7 /f"
        ));
    }

    #[test]
    fn object_auditing_entries_cover_their_classes() {
        let user =
            "(OU;CIIOSA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)".to_string();
        let missing = missing_object_audit(std::slice::from_ref(&user), Some(88));
        assert_eq!(
            missing.iter().map(|m| m.0).collect::<Vec<_>>(),
            vec![
                "group",
                "computer",
                "msDS-ManagedServiceAccount",
                "msDS-GroupManagedServiceAccount"
            ]
        );
        // "All descendant objects" with Full Control covers every class, dMSA included.
        let all = "(AU;CIIOSA;GA;;;WD)".to_string();
        assert!(missing_object_audit(std::slice::from_ref(&all), Some(91)).is_empty());
        // Not for a property set, not for another trustee, not without inheritance.
        for bad in [
            "(OU;CIIOSA;SDWDWOWPCCDCSWDTCR;bf967950-0de6-11d0-a285-00aa003049e2;bf967aba-0de6-11d0-a285-00aa003049e2;WD)",
            "(OU;CIIOSA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;AU)",
            "(OU;SA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)",
            "(OU;CIIOFA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)",
            "(OU;CIIOSA;WP;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)",
        ] {
            let m = missing_object_audit(&[bad.to_string()], Some(88));
            assert!(m.iter().any(|c| c.0 == "user"), "{bad}");
        }
    }
}
