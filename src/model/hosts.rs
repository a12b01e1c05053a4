//! Facts gathered on domain controllers and the ATA Center by the collector scripts.
//!
//! [`DcFactsFile`] is also the file format the `dc-facts` collector script writes, so a
//! change here is a change to what the script must produce.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The JSON file written by `Get-DcFacts.ps1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcFactsFile {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_by: Option<String>,
    pub domain_controllers: Vec<DcFacts>,
}

/// What one domain controller reported about itself. Every field is optional: a fact the
/// script could not read is absent, and the checks report it as Unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcFacts {
    /// DNS host name (or short name when that is all that is known).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<DateTime<Utc>>,
    /// `Release` under `HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dotnet_release: Option<u32>,
    /// e.g. `Microsoft Windows Server 2016 Datacenter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_caption: Option<String>,
    /// e.g. `10.0.14393`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_build: Option<u32>,
    /// Server Core installation (no desktop experience).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_core: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logical_processors: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_drive: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_drive_free_bytes: Option<u64>,
    /// GUID of the active power scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_scheme_guid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_scheme_name: Option<String>,
    /// File version of `%SystemRoot%\System32\ntdsai.dll`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntdsai_version: Option<String>,
    /// The ATA Lightweight Gateway service (`ATAGateway`) is installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ata_lightweight_gateway_installed: Option<bool>,
    /// The Azure ATP / Defender for Identity sensor service (`AATPSensor`) is installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atp_sensor_installed: Option<bool>,
    /// `netsh winhttp show proxy` result, e.g. `proxy.corp:8080` or `direct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winhttp_proxy: Option<String>,
    /// WinINet proxy of the machine (LocalSystem), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wininet_proxy: Option<String>,
    /// Clock offset to the domain's time source, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_offset_seconds: Option<f64>,
    /// Facts the script tried and could not read, with the error it got.
    #[serde(default)]
    pub errors: Vec<String>,
}

impl DcFacts {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// True when `name` is this host's DNS name or its first label.
    pub fn matches_name(&self, name: &str) -> bool {
        super::same_host(&self.name, name)
    }

    /// Merges facts from another source about the same host: values already known win.
    pub fn merge(&mut self, other: DcFacts) {
        macro_rules! fill {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = other.$f; } )* };
        }
        fill!(
            collected_at,
            dotnet_release,
            os_caption,
            os_version,
            os_build,
            server_core,
            logical_processors,
            memory_bytes,
            system_drive,
            system_drive_free_bytes,
            power_scheme_guid,
            power_scheme_name,
            ntdsai_version,
            ata_lightweight_gateway_installed,
            atp_sensor_installed,
            winhttp_proxy,
            wininet_proxy,
            time_offset_seconds
        );
        self.errors.extend(other.errors);
    }
}

/// The JSON file written by `Get-CenterFacts.ps1` on the ATA Center: what is not in
/// MongoDB (role groups are local groups; certificate expiry is in the machine store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CenterFactsFile {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_by: Option<String>,
    /// The Center's host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Members of the three ATA groups and of the local Administrators group.
    #[serde(default)]
    pub role_groups: Vec<super::RoleGroup>,
    /// Machine-store certificates whose thumbprint the Center's configuration names.
    #[serde(default)]
    pub certificates: Vec<super::Certificate>,
    /// `mongod --version` of the Center's database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mongo_version: Option<String>,
    /// Name of the newest `SystemProfile_*.json` in the Center's backup folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_backup: Option<String>,
    #[serde(default)]
    pub errors: Vec<String>,
}
