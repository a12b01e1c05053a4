//! NTLM auditing on a DC (`dc.ntlm_auditing`): the three registry values event 8004 needs,
//! what is missing ([`missing_ntlm`], shared with the remediation script) and the verdict.

use crate::checks::thresholds::{NTLM_AUDIT_DOMAIN, NTLM_AUDIT_INCOMING, NTLM_RESTRICT_OUTGOING};
use crate::checks::{Outcome, fact_missing};
use crate::model::DcFacts;

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
