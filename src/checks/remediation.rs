//! The remediation script: one PowerShell script per domain that a domain admin reviews
//! and runs to fix what the event-collection and readiness checks found. ata2atp applies
//! nothing; the script itself only shows what it would change unless run with `-Apply`.
//!
//! Every failing (or warning) result of the checks below that is not an accepted risk
//! becomes one block headed `# ---- <id> [<subject>]`, with the durable fix (the GPO
//! setting) as a comment and the immediate change inside `Invoke-Fix`, which runs it only
//! with `-Apply`. Items that cannot be scripted safely (a GPO for every member computer, a
//! certificate file to import, software to uninstall) are printed as manual steps.
//! The commands come from the same helpers the checks use ([`super::events`],
//! [`super::readiness`]), so the script changes exactly what was found.

use super::events::{audit_rule_command, missing_audit, missing_ntlm, missing_object_audit};
use super::readiness::{missing_roots, remote_sam_sddl};
use super::thresholds::{
    ADCS_AUDIT_POLICY, ADFS_AUDIT_POLICY, ADFS_CONTAINER_AUDIT_RIGHTS, AuditRequirement,
    CA_AUDIT_FILTER, CONFIGURATION_AUDIT_RIGHTS, DC_AUDIT_POLICY, ENTRA_CONNECT_AUDIT_POLICY,
};
use crate::engagement::Cloud;
use crate::model::{AuditedObject, CheckResult, Inventory, Status, same_host};

/// The checks the script fixes.
pub const SCRIPTED_CHECKS: &[&str] = &[
    "dc.audit_policy",
    "dc.ntlm_auditing",
    "dc.packet_capture",
    "dc.root_certificates",
    "domain.object_auditing",
    "forest.configuration_auditing",
    "domain.adfs_auditing",
    "server.adcs_auditing",
    "server.adfs_auditing",
    "server.entra_connect_auditing",
    "dsa.remote_sam",
];

/// A PowerShell single-quoted string.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The domain a host or object belongs to: the directory's DC entry, else the DNS suffix.
fn domain_of(inv: &Inventory, name: &str) -> Option<String> {
    if let Some(d) = inv
        .directory
        .as_ref()
        .and_then(|d| d.domain_controller(name))
    {
        return Some(d.domain.clone());
    }
    name.split_once('.').map(|(_, d)| d.to_ascii_lowercase())
}

/// The domains a script can be made for: the directory's, then the DNS suffixes of the
/// hosts the checks name.
pub fn domains(inv: &Inventory, results: &[CheckResult]) -> Vec<String> {
    let mut out: Vec<String> = inv
        .directory
        .iter()
        .flat_map(|d| &d.domains)
        .map(|d| d.dns_name.to_ascii_lowercase())
        .collect();
    for r in results
        .iter()
        .filter(|r| SCRIPTED_CHECKS.contains(&r.id.as_str()))
    {
        if let Some(d) = r.subject.as_deref().and_then(|s| subject_domain(inv, r, s)) {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out
}

fn subject_domain(inv: &Inventory, r: &CheckResult, subject: &str) -> Option<String> {
    match r.id.as_str() {
        "domain.object_auditing" | "domain.adfs_auditing" => Some(subject.to_ascii_lowercase()),
        _ => domain_of(inv, subject),
    }
}

fn needs_fix(r: &CheckResult) -> bool {
    r.accepted.is_none() && matches!(r.status, Status::Fail | Status::Warn)
}

struct Script {
    text: String,
    items: usize,
}

impl Script {
    fn header(&mut self, r: &CheckResult) {
        self.items += 1;
        self.text.push_str(&format!(
            "\r\n# ---- {} [{}]\r\n# {}\r\n",
            r.id,
            r.subject.as_deref().unwrap_or("forest"),
            r.reason
                .as_deref()
                .unwrap_or(&r.title)
                .replace(['\r', '\n'], " ")
        ));
    }

    fn comment(&mut self, text: &str) {
        self.text
            .push_str(&format!("# {}\r\n", text.replace(['\r', '\n'], " ")));
    }

    /// A change run on `host` through remoting (locally when it is this computer).
    fn remote(&mut self, check: &str, host: &str, what: &str, commands: &[String]) {
        self.text.push_str(&format!(
            "Invoke-Fix {} {} {} {{\r\n    Invoke-OnHost {} {{\r\n",
            q(check),
            q(host),
            q(what),
            q(host)
        ));
        for c in commands {
            self.text.push_str(&format!("        {c}\r\n"));
        }
        self.text.push_str("    }\r\n}\r\n");
    }

    /// A change run here, against the directory.
    fn local(&mut self, check: &str, target: &str, what: &str, commands: &[String]) {
        self.text.push_str(&format!(
            "Invoke-Fix {} {} {} {{\r\n    Import-Module ActiveDirectory\r\n",
            q(check),
            q(target),
            q(what)
        ));
        for c in commands {
            self.text.push_str(&format!("    {c}\r\n"));
        }
        self.text.push_str("}\r\n");
    }

    fn manual(&mut self, check: &str, target: &str, what: &str) {
        self.text.push_str(&format!(
            "Write-Manual {} {} {}\r\n",
            q(check),
            q(target),
            q(what)
        ));
    }
}

fn audit_fixes(
    s: &mut Script,
    check: &str,
    host: &str,
    gaps: &[super::events::AuditGap],
    gpo: &str,
) {
    let fixes: Vec<_> = gaps.iter().filter(|g| !g.unreadable).collect();
    for g in &fixes {
        s.comment(&format!("GPO {gpo}: {}", g.gpo_path()));
    }
    if !fixes.is_empty() {
        s.remote(
            check,
            host,
            &format!(
                "audit {} for Success and Failure",
                fixes
                    .iter()
                    .map(|g| g.requirement.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &fixes
                .iter()
                .map(|g| {
                    format!(
                        "auditpol.exe /set /subcategory:'{{{}}}' /success:enable /failure:enable",
                        g.requirement.guid
                    )
                })
                .collect::<Vec<_>>(),
        );
    }
}

fn server_audit(
    s: &mut Script,
    inv: &Inventory,
    r: &CheckResult,
    host: &str,
    required: &[AuditRequirement],
    gpo: &str,
) {
    if let Some(policy) = inv
        .servers
        .iter()
        .find(|x| same_host(&x.name, host))
        .and_then(|x| x.audit_policy.as_ref())
    {
        audit_fixes(s, &r.id, host, &missing_audit(policy, required), gpo);
    }
}

/// The script for `domain` from the inventory and the check results. `None` when nothing
/// in that domain needs fixing.
pub fn script(
    inv: &Inventory,
    results: &[CheckResult],
    domain: &str,
    cloud: Cloud,
) -> Option<String> {
    let mut s = Script {
        text: String::new(),
        items: 0,
    };
    let forest_root = inv
        .directory
        .as_ref()
        .map(|d| d.forest.root_domain.to_ascii_lowercase());
    let schema = inv.directory.as_ref().and_then(|d| d.forest.schema_version);
    for r in results
        .iter()
        .filter(|r| needs_fix(r) && SCRIPTED_CHECKS.contains(&r.id.as_str()))
    {
        let in_domain = match r.subject.as_deref() {
            Some(subject) => {
                subject_domain(inv, r, subject).is_some_and(|d| d.eq_ignore_ascii_case(domain))
            }
            None => forest_root
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case(domain)),
        };
        if !in_domain {
            continue;
        }
        let subject = r.subject.as_deref().unwrap_or("");
        let dc = inv.host(subject);
        match r.id.as_str() {
            "dc.audit_policy" => {
                let Some(policy) = dc.and_then(|f| f.audit_policy.as_ref()) else {
                    continue;
                };
                s.header(r);
                let gaps = missing_audit(policy, DC_AUDIT_POLICY);
                audit_fixes(
                    &mut s,
                    &r.id,
                    subject,
                    &gaps,
                    "linked to the Domain Controllers OU (Default Domain Controllers Policy)",
                );
            }
            "dc.ntlm_auditing" => {
                let Some(gaps) = dc.and_then(missing_ntlm) else {
                    continue;
                };
                if gaps.is_empty() {
                    continue;
                }
                s.header(r);
                for g in &gaps {
                    s.comment(&format!(
                        "GPO linked to the Domain Controllers OU only: Computer Configuration > Policies > Windows Settings > Security Settings > Local Policies > Security Options > {} = {}",
                        g.setting, g.wanted
                    ));
                }
                s.remote(
                    &r.id,
                    subject,
                    "enable NTLM auditing (event 8004)",
                    &gaps
                        .iter()
                        .map(|g| {
                            format!(
                                "reg.exe add 'HKLM\\{}' /v {} /t REG_DWORD /d {} /f",
                                g.key, g.value, g.data
                            )
                        })
                        .collect::<Vec<_>>(),
                );
            }
            "dc.packet_capture" => {
                s.header(r);
                s.manual(&r.id, subject, "uninstall WinPcap (or the old Npcap) before installing the sensor; its setup installs Npcap 1.0 OEM");
            }
            "dc.root_certificates" => {
                let Some(store) = dc.and_then(|f| f.root_certificates.as_ref()) else {
                    continue;
                };
                s.header(r);
                for (tp, name) in missing_roots(store, cloud) {
                    s.comment(&format!("GPO: Computer Configuration > Policies > Windows Settings > Security Settings > Public Key Policies > Trusted Root Certification Authorities: import {name}"));
                    s.manual(&r.id, subject, &format!("import {name} ({tp}) into LocalMachine\\Root: certutil -addstore Root <file>.crt"));
                }
            }
            "domain.object_auditing" => {
                let Some(o) = inv
                    .directory
                    .iter()
                    .flat_map(|d| &d.object_auditing)
                    .find(|o| {
                        o.object == AuditedObject::Domain
                            && o.domain
                                .as_deref()
                                .is_some_and(|d| d.eq_ignore_ascii_case(subject))
                    })
                else {
                    continue;
                };
                let Some(sacl) = &o.sacl else { continue };
                let missing = missing_object_audit(sacl, schema);
                if missing.is_empty() {
                    continue;
                }
                s.header(r);
                s.comment("Active Directory Users and Computers > the domain > Properties > Security > Advanced > Auditing: Everyone, Success, Descendant <class> objects, Full Control less List contents, Read all properties, Read permissions");
                s.local(
                    &r.id,
                    &o.dn,
                    &format!(
                        "audit Everyone on descendant {} objects",
                        missing.iter().map(|m| m.0).collect::<Vec<_>>().join(", ")
                    ),
                    &missing
                        .iter()
                        .map(|(_, g, rights)| {
                            audit_rule_command(&o.dn, *rights, "Success", Some(g))
                        })
                        .collect::<Vec<_>>(),
                );
            }
            "forest.configuration_auditing" | "domain.adfs_auditing" => {
                let (kind, rights) = if r.id == "forest.configuration_auditing" {
                    (AuditedObject::Configuration, CONFIGURATION_AUDIT_RIGHTS)
                } else {
                    (AuditedObject::Adfs, ADFS_CONTAINER_AUDIT_RIGHTS)
                };
                let Some(o) = inv
                    .directory
                    .iter()
                    .flat_map(|d| &d.object_auditing)
                    .find(|o| {
                        o.object == kind
                            && (kind == AuditedObject::Configuration
                                || o.domain
                                    .as_deref()
                                    .is_some_and(|d| d.eq_ignore_ascii_case(subject)))
                    })
                else {
                    continue;
                };
                if o.sacl.is_none() {
                    continue;
                }
                s.header(r);
                s.comment("Properties > Security > Advanced > Auditing: Everyone, Type All, This object and all descendant objects");
                s.local(
                    &r.id,
                    &o.dn,
                    "audit Everyone, Success and Failure, on this object and all descendants",
                    &[audit_rule_command(&o.dn, rights, "Success, Failure", None)],
                );
            }
            "server.adcs_auditing" => {
                s.header(r);
                server_audit(
                    &mut s,
                    inv,
                    r,
                    subject,
                    ADCS_AUDIT_POLICY,
                    "applied to the AD CS servers",
                );
                if inv
                    .servers
                    .iter()
                    .find(|x| same_host(&x.name, subject))
                    .and_then(|x| x.ca_audit_filter)
                    .is_some_and(|v| v != CA_AUDIT_FILTER)
                {
                    s.remote(
                        &r.id,
                        subject,
                        "audit every CA event category (AuditFilter 127), then restart the CA",
                        &[
                            format!("certutil.exe -setreg CA\\AuditFilter {CA_AUDIT_FILTER}"),
                            "Restart-Service -Name CertSvc".to_string(),
                        ],
                    );
                }
            }
            "server.adfs_auditing" => {
                s.header(r);
                server_audit(
                    &mut s,
                    inv,
                    r,
                    subject,
                    ADFS_AUDIT_POLICY,
                    "applied to the AD FS servers",
                );
                if inv
                    .servers
                    .iter()
                    .find(|x| same_host(&x.name, subject))
                    .and_then(|x| x.adfs_audit_level.as_deref())
                    .is_some_and(|l| !l.eq_ignore_ascii_case("Verbose"))
                {
                    s.remote(
                        &r.id,
                        subject,
                        "AD FS audit level Verbose",
                        &["Set-AdfsProperties -AuditLevel Verbose".to_string()],
                    );
                }
            }
            "server.entra_connect_auditing" => {
                s.header(r);
                server_audit(
                    &mut s,
                    inv,
                    r,
                    subject,
                    ENTRA_CONNECT_AUDIT_POLICY,
                    "applied to the Microsoft Entra Connect servers",
                );
            }
            "dsa.remote_sam" => {
                s.header(r);
                let sids: Vec<&str> = inv
                    .directory
                    .iter()
                    .flat_map(|d| {
                        d.directory_services_account
                            .iter()
                            .chain(&d.additional_directory_services_accounts)
                    })
                    .filter_map(|a| a.sid.as_deref())
                    .collect();
                s.comment("GPO applied to every computer except the domain controllers (audit mode first): Computer Configuration > Policies > Windows Settings > Security Settings > Local Policies > Security Options > Network access: Restrict clients allowed to make remote calls to SAM");
                s.manual(&r.id, subject, &format!("allow the directory services account(s) besides the accounts already allowed; SDDL {}", remote_sam_sddl(&sids)));
            }
            _ => {}
        }
    }
    if s.items == 0 {
        return None;
    }
    let mut out = format!(
        "<#\r\n.SYNOPSIS\r\n    Fixes what ata2atp's event-collection and readiness checks found in {domain}. Read-only unless run with -Apply.\r\n\r\n\
.DESCRIPTION\r\n    Generated by ata2atp {} from the engagement's checks ({} item(s)). Review every block\r\n    before running it. Without -Apply the script changes nothing: it lists each change and\r\n    where. With -Apply it makes them, as the account running it (a Domain Admin; remote\r\n    changes go through PowerShell remoting). The durable fix of most items is a GPO\r\n    setting, given as a comment above each block: a change made here is overwritten by a\r\n    GPO that says otherwise at its next refresh. Manual items are printed, never run.\r\n\
    Run `ata2atp check` again after the changes (and a new inventory) to confirm them.\r\n#>\r\n\
[CmdletBinding()]\r\nparam([switch] $Apply)\r\n\r\nSet-StrictMode -Version 2.0\r\n$ErrorActionPreference = 'Stop'\r\n\r\n\
# Runs a change only with -Apply; otherwise says what it would do.\r\n\
function Invoke-Fix([string] $Check, [string] $Target, [string] $What, [scriptblock] $Change) {{\r\n\
    if ($Apply) {{\r\n        Write-Host ('[apply] {{0}} {{1}}: {{2}}' -f $Check, $Target, $What)\r\n        & $Change\r\n\
    }} else {{\r\n        Write-Host ('[would] {{0}} {{1}}: {{2}}' -f $Check, $Target, $What)\r\n    }}\r\n}}\r\n\r\n\
# Runs a script block on a host: here when it is this computer, else through remoting.\r\n\
function Invoke-OnHost([string] $ComputerName, [scriptblock] $Block) {{\r\n\
    if ((($ComputerName -split '\\.')[0]) -eq $env:COMPUTERNAME) {{ & $Block }} else {{ Invoke-Command -ComputerName $ComputerName -ScriptBlock $Block }}\r\n}}\r\n\r\n\
# Prints a step a person must do; never runs anything.\r\n\
function Write-Manual([string] $Check, [string] $Target, [string] $What) {{\r\n\
    Write-Host ('[manual] {{0}} {{1}}: {{2}}' -f $Check, $Target, $What)\r\n}}\r\n",
        crate::model::TOOL_VERSION,
        s.items
    );
    out.push_str(&s.text);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuditSubcategory, DcFacts, GuideRef};

    #[test]
    fn a_failing_dc_gets_a_guarded_block() {
        let mut inv = Inventory::new(chrono::Utc::now());
        let mut f = DcFacts::new("DC1.lab.test");
        f.audit_policy = Some(vec![AuditSubcategory {
            guid: "0CCE923F-69AE-11D9-BED3-505054503030".into(),
            name: "Credential Validation".into(),
            setting: "Success".into(),
        }]);
        inv.hosts.push(f.clone());
        let o = super::super::events::audit_policy(&f);
        let r = o.into_result("dc.audit_policy", Some("DC1.lab.test".into()));
        assert_eq!(r.guide, GuideRef::Both);
        let text = script(
            &inv,
            std::slice::from_ref(&r),
            "lab.test",
            Cloud::Commercial,
        )
        .unwrap();
        assert!(
            text.contains("# ---- dc.audit_policy [DC1.lab.test]"),
            "{text}"
        );
        assert!(text.contains("auditpol.exe /set /subcategory:'{0CCE923F-69AE-11D9-BED3-505054503030}' /success:enable /failure:enable"));
        assert!(text.contains("param([switch] $Apply)"));
        assert!(script(&inv, &[r], "other.test", Cloud::Commercial).is_none());
    }
}
