//! `ata2atp.yaml`: who, which cloud and workspace, where the sources are (no secrets).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::EngagementError;

/// The cloud the Defender for Identity workspace lives in; it decides the sensor API host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    #[default]
    Commercial,
    Gcc,
    GccHigh,
}

impl Cloud {
    /// Host the sensors talk to, e.g. `contososensorapi.atp.azure.com`.
    pub fn sensor_api_host(self, workspace: &str) -> String {
        let suffix = match self {
            Cloud::Commercial => "atp.azure.com",
            Cloud::Gcc => "gcc.atp.azure.com",
            Cloud::GccHigh => "atp.azure.us",
        };
        format!("{workspace}sensorapi.{suffix}")
    }

    /// The URL the connectivity test calls, as the sensor does.
    pub fn ping_url(self, workspace: &str) -> String {
        format!(
            "https://{}/tri/sensor/api/ping",
            self.sensor_api_host(workspace)
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Commercial => "commercial",
            Cloud::Gcc => "gcc",
            Cloud::GccHigh => "gcc-high",
        }
    }
}

/// The customer's proxy, as the sensors will use it. The password is never stored: it is
/// asked for, or read from a file or environment variable, when a probe needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyConfig {
    /// `http://host:port`, without credentials.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// Where the LDAP source is and who binds. No password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapSourceConfig {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

/// Where the engagement's inputs live, so later runs need no flags. No credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceLocations {
    /// MongoDB URI of ATA's database, without user or password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ata_mongo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ata_dump: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ata_json: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap: Option<LdapSourceConfig>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ldif: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dc_facts: Vec<PathBuf>,
    /// `auditpol /get /category:* /r` captures pasted per domain controller.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auditpol: Vec<PathBuf>,
    /// JSON of `ata2atp collector server-facts` (AD CS, AD FS, Entra Connect servers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub server_facts: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_facts: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_logs: Option<PathBuf>,
}

/// The content of `ata2atp.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngagementConfig {
    pub schema_version: u32,
    pub customer: String,
    pub consultant: String,
    pub cloud: Cloud,
    /// Defender for Identity workspace (instance) name, e.g. `contoso`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyConfig>,
    /// The guide the checklist follows: `azure-atp-2019` or `mdi-current`.
    pub guide: String,
    #[serde(default)]
    pub sources: SourceLocations,
    /// Made by `ata2atp demo` from the built-in sample: may be rebuilt at will.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    pub created_at: DateTime<Utc>,
}

impl EngagementConfig {
    /// Refuses values that would put a secret on disk or break later stages.
    pub fn validate(&self, path: &Path) -> Result<(), EngagementError> {
        let invalid = |field, message: &str| EngagementError::Invalid {
            path: path.to_path_buf(),
            field,
            message: message.to_string(),
        };
        if self.customer.trim().is_empty() {
            return Err(invalid("customer", "must not be empty"));
        }
        if let Some(proxy) = &self.proxy
            && url_has_password(&proxy.url)
        {
            return Err(invalid(
                "proxy.url",
                "contains a password; give the URL without credentials and pass the \
                     password with --proxy-password-env or --proxy-password-file when probing",
            ));
        }
        if let Some(uri) = &self.sources.ata_mongo
            && url_has_password(uri)
        {
            return Err(invalid(
                "sources.ata_mongo",
                "contains a password; give the URI without credentials",
            ));
        }
        if let Some(ws) = &self.workspace {
            let ok = !ws.is_empty() && ws.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                return Err(invalid(
                    "workspace",
                    "must be the workspace name only (letters, digits and '-'), e.g. contoso",
                ));
            }
        }
        Ok(())
    }
}

/// True when a URL carries `user:password@`.
pub fn url_has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}
