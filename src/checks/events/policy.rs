//! A host's advanced audit policy against the subcategories it must audit: what is
//! missing ([`missing_audit`], shared with the remediation script) and the verdict on it,
//! for the DCs (`dc.audit_policy`) and, through [`super::servers`], the role servers.

use std::collections::BTreeMap;

use crate::checks::thresholds::{AuditRequirement, DC_AUDIT_POLICY};
use crate::checks::{Outcome, fact_missing};
use crate::hosts::auditpol;
use crate::model::{Action, AuditSubcategory, DcFacts};

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
pub(super) fn judge_audit(
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
        None => Outcome::unknown(fact_missing(f, "audit_policy", "The advanced audit policy"))
            .act(Action::Auditpol),
        Some(policy) => judge_audit(
            policy,
            DC_AUDIT_POLICY,
            &f.name,
            "linked to the Domain Controllers OU (e.g. Default Domain Controllers Policy)",
        ),
    }
}
