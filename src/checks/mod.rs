//! The prerequisite checks: a catalog of stable ids, and (per family) the code that
//! decides each one from the inventory or a live probe.
//!
//! The ids below are a contract: checklists name them in `gates`, accepted risks name
//! them in `checks.yaml`, reports and scripts grep for them. Add new ids freely; never
//! rename one.
//!
//! | module | owns |
//! |---|---|
//! | [`engine`] | running the checks concurrently with progress, accepted risks, `checks.yaml`, the exit-code rule |
//! | [`thresholds`] | every number a check compares against, with its source |
//! | [`directory`] | forest and domain functional levels, the AD Recycle Bin; the directory services accounts |
//! | [`dotnet`] | the .NET Framework release table and `dc.dotnet` |
//! | [`sensor`] | per-DC requirements: OS (two profiles), CPU, RAM, disk, power plan, KB4487044, time, Lightweight Gateway, RODC; after the install, the sensor service |
//! | [`network`] | the reachability probe to the sensor API, direct and through the proxy |
//! | [`ata`] | ATA's state: alerts, gateways and their service, console URL (name, resolution, addresses), certificates, synchronizer candidates, role groups |
//! | [`logs`] | known errors in ATA gateway logs and in the sensors' logs |
//! | [`events`] | Windows event collection: audit policy, NTLM auditing, object auditing (SACLs), AD CS/AD FS/Entra Connect auditing |
//! | [`readiness`] | the rest of Microsoft's readiness list: packet capture driver, sensor v3.x, root certificates, remote SAM |
//! | [`verdict`] | what the results mean: the readiness verdict (report, `check`, TUI), the pass/fail outcome for the exit code, which acceptance covers a result |
//! | [`action`] | what the tool itself can do to decide or fix a result (collect a source, test a password), named by the checks and worded by each front end (`action::Words`; the CLI's words here) |
//! | [`remediation`] | the read-only-by-default PowerShell script per domain that fixes what those checks found |
//!
//! Every check returns an [`Outcome`]; the engine attaches the catalog's id, title and
//! guide. Unknown always carries the reason it could not be decided, Manual what a person
//! must confirm: neither is ever shown as Pass or Fail.

pub mod action;
pub mod ata;
pub mod directory;
pub mod dotnet;
pub mod engine;
pub mod events;
pub mod logs;
pub mod network;
pub mod readiness;
pub mod remediation;
pub mod sensor;
pub mod thresholds;
pub mod verdict;

use std::collections::BTreeMap;

use crate::model::{Action, CheckResult, DcFacts, GuideRef, Status};

pub use engine::{FailOn, RunOptions, run};

/// What the catalog knows about a check before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub guide: GuideRef,
    /// The check runs once per subject (a DC, a domain, a log file…).
    pub per_subject: bool,
}

const fn check(
    id: &'static str,
    title: &'static str,
    guide: GuideRef,
    per_subject: bool,
) -> CheckInfo {
    CheckInfo {
        id,
        title,
        guide,
        per_subject,
    }
}

use GuideRef::{AzureAtp2019 as G2019, Both, MdiCurrent as Now};

/// Every check ata2atp knows, in the order reports list them.
#[rustfmt::skip]
pub const CATALOG: &[CheckInfo] = &[
    check("tenant.admin", "Azure AD tenant with a global or security administrator", Both, false),
    check("forest.functional_level", "Forest functional level Windows Server 2003 or higher", Both, false),
    check("forest.recycle_bin", "AD Recycle Bin enabled in the forest", Now, false),
    check("domain.functional_level", "Domain functional level", Both, true),
    check("dc.facts", "Facts collected from the domain controller", Both, true),
    check("dc.os", "Operating system supported by the sensor (today's requirements)", Now, true),
    check("dc.os_2019", "Operating system supported by the sensor (requirements of the 2019 guide)", G2019, true),
    check("dc.rodc", "Read-only domain controller noted", Both, true),
    check("dc.dotnet", ".NET Framework 4.7 or later", Both, true),
    check("dc.cpu", "At least 2 cores", Both, true),
    check("dc.memory", "At least 6 GB of RAM", Both, true),
    check("dc.disk", "At least 6 GB free on the system drive (10 GB recommended)", Both, true),
    check("dc.power_plan", "Power plan set to High performance", Both, true),
    check("dc.kb4487044", "Windows Server 2019 has KB4487044 (ntdsai.dll 10.0.17763.316 or later)", Both, true),
    check("dc.time_sync", "Clock within 5 minutes of the domain", Both, true),
    check("dc.lightweight_gateway", "ATA Lightweight Gateway uninstalled before the sensor", Both, true),
    check("dc.proxy", "The DC's proxy settings agree with the customer's proxy", Both, true),
    check("dc.audit_policy", "Advanced audit policy: every subcategory the sensor reads, Success and Failure", Both, true),
    check("dc.ntlm_auditing", "NTLM auditing enabled (event 8004)", Both, true),
    check("dc.packet_capture", "Npcap, not WinPcap, for the sensor v2.x", Now, true),
    check("dc.sensor_v3", "Ready for the sensor v3.x (Defender for Endpoint onboarding, Windows Server 2019 or later)", Now, true),
    check("dc.root_certificates", "The root certificates of the sensor's cloud endpoints are trusted", Now, true),
    check("dc.sensor_service", "The sensor service (AATPSensor) runs", Both, true),
    check("dc.sensor_logs", "The sensor error logs are free of known errors", Both, true),
    check("domain.object_auditing", "Domain object auditing (SACL) on users, groups, computers and service accounts (event 4662)", Now, true),
    check("forest.configuration_auditing", "Configuration container auditing (forests with Exchange)", Now, false),
    check("domain.adfs_auditing", "AD FS container auditing", Now, true),
    check("server.adcs_auditing", "AD CS servers audit certification services", Now, true),
    check("server.adfs_auditing", "AD FS servers audit at level Verbose", Now, true),
    check("server.entra_connect_auditing", "Microsoft Entra Connect servers audit logons", Now, true),
    check("dsa.credentials", "Directory services account credentials are valid", Both, true),
    check("dsa.deleted_objects", "Directory services account can read Deleted Objects", Both, true),
    check("dsa.privileges", "Directory services account is not a member of sensitive groups", Both, true),
    check("dsa.gmsa_kds", "gMSA directory services account has a KDS root key", Now, true),
    check("dsa.matches_ata", "The account ATA uses exists in Active Directory", Both, true),
    check("dsa.remote_sam", "Directory services accounts may make remote calls to SAM (lateral movement paths)", Both, true),
    check("network.sensor_api", "Cloud service reachable directly", Both, false),
    check("network.sensor_api_proxy", "Cloud service reachable through the customer's proxy", Both, false),
    check("ata.open_alerts", "Open and suppressed ATA alerts recorded (alerts are not imported)", Both, false),
    check("ata.gateways_registered", "ATA gateways still registered with the Center", Both, false),
    check("ata.gateway_service", "Each ATA gateway runs (a stopped one leaves its DCs unwatched)", Both, true),
    check("ata.console_url", "ATA console URL is a host name, not an IP literal", Both, false),
    check("ata.console_certificate_name", "The Center's certificate names the console URL's host", Both, false),
    check("ata.console_url_resolves", "The console URL resolves to the address the Center listens on", Both, true),
    check("ata.center_addresses", "The Center's listening address and any custom console IP are installed on it", Both, false),
    check("ata.pending_change", "No console URL or certificate change awaiting activation", Both, false),
    check("ata.certificate_thumbprints", "Certificate thumbprints agree across ATA profiles", Both, false),
    check("ata.center_certificate", "ATA Center certificate valid for the duration of the move", Both, false),
    check("ata.synchronizer_rodc", "No read-only DC is a domain synchronizer candidate", G2019, false),
    check("ata.role_groups", "ATA role group members mapped to the cloud's role groups", Both, false),
    check("ata.gateway_logs", "ATA gateway logs free of known errors", Both, true),
];

/// What one check decided about one subject, before the catalog's id, title and guide
/// are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// A one-line summary; for Unknown why it could not be decided, for Manual what to
    /// confirm.
    pub reason: String,
    pub evidence: BTreeMap<String, String>,
    /// What a person does that is not a command of the tool.
    pub remediation: Option<String>,
    /// What the tool itself can do about it, worded by each front end.
    pub action: Option<Action>,
}

impl Outcome {
    pub fn new(status: Status, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
            evidence: BTreeMap::new(),
            remediation: None,
            action: None,
        }
    }

    pub fn pass(reason: impl Into<String>) -> Self {
        Self::new(Status::Pass, reason)
    }

    pub fn warn(reason: impl Into<String>) -> Self {
        Self::new(Status::Warn, reason)
    }

    pub fn fail(reason: impl Into<String>) -> Self {
        Self::new(Status::Fail, reason)
    }

    /// Could not be decided; `reason` says why.
    pub fn unknown(reason: impl Into<String>) -> Self {
        Self::new(Status::Unknown, reason)
    }

    /// A person must confirm; `reason` says what.
    pub fn manual(reason: impl Into<String>) -> Self {
        Self::new(Status::Manual, reason)
    }

    /// Adds evidence entries.
    pub fn with(mut self, evidence: BTreeMap<String, String>) -> Self {
        self.evidence.extend(evidence);
        self
    }

    /// Adds one evidence entry.
    pub fn ev(mut self, key: &str, value: impl Into<String>) -> Self {
        self.evidence.insert(key.to_string(), value.into());
        self
    }

    /// What a person does about it, in words that name no command of the tool (those
    /// are an [`Action`], see [`Outcome::act`]).
    pub fn remedy(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }

    /// What the tool itself can do to decide or fix it.
    pub fn act(mut self, action: Action) -> Self {
        self.action = Some(action);
        self
    }

    /// The whole of what to do, in the command line's words (free text, then the action).
    pub fn cli_remediation(&self) -> Option<String> {
        action::worded(
            self.remediation.as_deref(),
            self.action.as_ref(),
            &action::Cli,
        )
    }

    /// The result as written to `checks.yaml`, with the catalog's title and guide.
    /// An id missing from the catalog is a programming error caught by the tests; it
    /// still produces a result (titled by its id) rather than a panic.
    pub fn into_result(self, id: &str, subject: Option<String>) -> CheckResult {
        let (title, guide) = info(id).map_or((id, GuideRef::Both), |c| (c.title, c.guide));
        CheckResult {
            id: id.to_string(),
            title: title.to_string(),
            guide,
            subject,
            status: self.status,
            reason: Some(self.reason),
            evidence: self.evidence,
            remediation: self.remediation,
            action: self.action,
            accepted: None,
        }
    }
}

/// Builds an evidence map from pairs.
pub fn evidence<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Why a DC fact is missing: the collector's own error for it when it recorded one
/// (errors are prefixed with the fact's key, e.g. `power_scheme: Access denied`), else
/// that the facts do not hold it.
pub fn fact_missing(facts: &DcFacts, field: &str, what: &str) -> String {
    let error = facts.errors.iter().find(|e| {
        e.split_once(':')
            .is_some_and(|(key, _)| !key.trim().is_empty() && field.starts_with(key.trim()))
    });
    match error {
        Some(e) => format!("{what} could not be read on {}: {}", facts.name, e),
        None => format!("{what} is not in the facts collected from {}", facts.name),
    }
}

/// The catalog entry for `id`.
pub fn info(id: &str) -> Option<&'static CheckInfo> {
    CATALOG.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in CATALOG {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(
                c.id.chars().all(|ch| ch.is_ascii_lowercase()
                    || ch.is_ascii_digit()
                    || ch == '.'
                    || ch == '_'),
                "{}",
                c.id
            );
        }
    }

    #[test]
    fn a_missing_fact_names_the_collector_s_error() {
        let mut f = DcFacts::new("DC1");
        f.errors
            .push("power_scheme: Access denied (0x80041003)".into());
        let r = fact_missing(&f, "power_scheme_guid", "The power scheme");
        assert!(
            r.contains("could not be read on DC1") && r.contains("Access denied"),
            "{r}"
        );
        let r = fact_missing(&f, "dotnet_release", "Release");
        assert!(r.contains("not in the facts"), "{r}");
    }
}
