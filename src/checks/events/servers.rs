//! The role servers' auditing (`server.adcs_auditing`, `server.adfs_auditing`,
//! `server.entra_connect_auditing`): each server's audit policy, and for AD CS the CA's
//! audit filter, for AD FS its audit level.

use super::policy::judge_audit;
use crate::checks::Outcome;
use crate::checks::thresholds::{
    ADCS_AUDIT_POLICY, ADFS_AUDIT_POLICY, AuditRequirement, CA_AUDIT_FILTER,
    ENTRA_CONNECT_AUDIT_POLICY,
};
use crate::model::{Action, Inventory, ServerFacts, ServerRole, Status};

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
    hi.action = hi.action.take().or(lo.action);
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
                .act(Action::ServerFacts {
                    role: role.label().to_string(),
                }),
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
