//! Results of the prerequisite checks, as written to `checks.yaml`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The verdict of one check. Unknown and Manual are never shown as Pass or Fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// The check could not be decided; `reason` says why.
    Unknown,
    /// A person must confirm; `reason` says what.
    Manual,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Unknown,
        Status::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Manual => "manual",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which edition of the migration guide a check or requirement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GuideRef {
    /// The 2019 "ATA to Azure ATP move" guide and the requirements of its time.
    AzureAtp2019,
    /// Today's Defender for Identity migration guide and requirements.
    MdiCurrent,
    /// Both editions say the same.
    Both,
}

/// One check's outcome for one subject (the forest, a DC, the proxy, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    /// Stable id, e.g. `dc.dotnet`; with `subject` it identifies the result.
    pub id: String,
    pub title: String,
    pub guide: GuideRef,
    /// What was checked when the check runs per item, e.g. a DC's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub status: Status,
    /// For Unknown: why it could not be decided. For Manual: what to confirm. Otherwise a
    /// one-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The facts the verdict rests on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence: BTreeMap<String, String>,
    /// What to do that is not a command of the tool (e.g. "install .NET 4.8 on the DC");
    /// what the tool itself can do is `action`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// What ata2atp itself can do to decide or fix the result (collect a source, test a
    /// password, look a name up), worded by each front end (`checks::action::Words`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// Set when a consultant accepted this result as a known risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Acceptance>,
}

impl CheckResult {
    /// True when the result does not block: it passed, or a person accepted it.
    pub fn is_satisfied(&self) -> bool {
        self.status == Status::Pass || self.accepted.is_some()
    }

    /// `id` or `id[subject]`: the key used to accept a result and to name it in gates.
    pub fn key(&self) -> String {
        match &self.subject {
            Some(s) => format!("{}[{}]", self.id, s),
            None => self.id.clone(),
        }
    }
}

/// What ata2atp itself can do to decide or fix a check's result. The checks name it; the
/// command line words it with its commands and flags, the TUI with its screens and keys
/// (`checks::action::Words`), so no front end shows another's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Collect ATA's configuration (MongoDB, a dump or JSON exports).
    CollectAta,
    /// Read the directory, over LDAP or from LDIF; `as_admin`: bound as a domain admin
    /// (auditing entries are readable by admins only).
    CollectDirectory { as_admin: bool },
    /// Read the directory over LDAP, or export `what` to LDIF with the LDIF collector.
    ExportLdif { what: String, as_admin: bool },
    /// Read a DC (or a global catalog, or an LDIF export) of the account's own domain in
    /// the same run as ATA.
    AccountDomain,
    /// Run the DC facts collector on the DC and read its JSON; with `console_urls`, the
    /// collector also looks those URLs up (`-ConsoleUrl`).
    DcFacts {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        console_urls: Option<String>,
    },
    /// Run the DC facts collector again, or read the .NET `reg query` output.
    RegQuery,
    /// Run the DC facts collector again, or read a pasted `auditpol` capture.
    Auditpol,
    /// Run the server facts collector on each `role` server and read its JSON.
    ServerFacts { role: String },
    /// Run the Center facts collector on the ATA Center and read its JSON.
    CenterFacts,
    /// Run the checks from the customer's network, where `urls` resolve.
    LookUpOnSite { urls: String },
    /// Test a directory services account's password (the checks' bind test).
    DsaTest,
    /// Collect the inventory with the directory services account's own password.
    DsaInventory,
    /// Give the proxy's password to the probe.
    ProxyPassword,
    /// Fix what the probe was given to reach: the URL, the workspace or the proxy.
    ProbeSettings,
    /// Give the folder of ATA gateway and sensor logs.
    GatewayLogs,
    /// The logs folder given could not be read: check its path.
    GatewayLogsPath,
}

/// A consultant's decision to proceed despite a failing or undecided check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// Check id, or `id[subject]` for one subject only.
    pub check: String,
    pub by: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// The content of `checks.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksFile {
    pub schema_version: u32,
    pub tool_version: String,
    pub ran_at: DateTime<Utc>,
    /// SHA-256 of the inventory file the checks ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_sha256: Option<String>,
    #[serde(default)]
    pub results: Vec<CheckResult>,
    /// Accepted risks. Kept across re-runs and applied to matching results.
    #[serde(default)]
    pub acceptances: Vec<Acceptance>,
}

impl ChecksFile {
    /// Number of results per status, every status present (zero when none).
    pub fn counts(&self) -> BTreeMap<Status, usize> {
        let mut counts: BTreeMap<Status, usize> = Status::ALL.iter().map(|s| (*s, 0)).collect();
        for r in &self.results {
            *counts.entry(r.status).or_default() += 1;
        }
        counts
    }
}
