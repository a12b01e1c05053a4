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
    /// The advanced audit policy in force, one entry per subcategory
    /// (`auditpol /get /category:* /r`, or a pasted capture of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_policy: Option<Vec<AuditSubcategory>>,
    /// `AuditReceivingNTLMTraffic` under `HKLM\SYSTEM\CurrentControlSet\Control\Lsa\MSV1_0`
    /// ("Audit Incoming NTLM Traffic"); 0 when the value is not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntlm_audit_incoming: Option<u32>,
    /// `RestrictSendingNTLMTraffic` under `…\Lsa\MSV1_0` ("Outgoing NTLM traffic to remote
    /// servers": 1 audit all, 2 deny all); 0 when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntlm_restrict_outgoing: Option<u32>,
    /// `AuditNTLMInDomain` under `HKLM\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters`
    /// ("Audit NTLM authentication in this domain": 7 enable all); 0 when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ntlm_audit_domain: Option<u32>,
    /// `RestrictRemoteSAM` under `HKLM\SYSTEM\CurrentControlSet\Control\Lsa` ("Network
    /// access: Restrict clients allowed to make remote calls to SAM"), an SDDL; empty when
    /// the policy is not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_remote_sam: Option<String>,
    /// Thumbprints of the certificates in the LocalMachine Root store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_certificates: Option<Vec<String>>,
    /// Packet capture drivers installed (`DisplayName DisplayVersion` of the Npcap and
    /// WinPcap entries under the Uninstall keys); empty when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet_capture: Option<Vec<String>>,
    /// State of the ATA Lightweight Gateway service (`ATAGateway`), e.g. `Running` or
    /// `Stopped`, when it is installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ata_gateway_service: Option<String>,
    /// State of the sensor service (`AATPSensor`), e.g. `Running` or `Stopped`, when it
    /// is installed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atp_sensor_service: Option<String>,
    /// How this host resolves the ATA console URL's host (`Resolve-DnsName`, for the
    /// URLs given with `-ConsoleUrl`): a Lightweight Gateway here reaches the Center by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console_resolution: Option<Vec<NameResolution>>,
    /// Onboarded to Defender for Endpoint (`OnboardingState` 1 under
    /// `HKLM\SOFTWARE\Microsoft\Windows Advanced Threat Protection\Status`): the sensor
    /// v3.x needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mde_onboarded: Option<bool>,
    /// Facts the script tried and could not read, with the error it got.
    #[serde(default)]
    pub errors: Vec<String>,
}

/// One name as a host's resolver answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameResolution {
    /// The name looked up (a console URL's host).
    pub name: String,
    /// The addresses it resolved to; empty when the lookup failed.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Why the lookup failed, as the resolver said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One subcategory of the advanced audit policy, as `auditpol` names it. The name and the
/// setting are in the DC's language; the GUID is not, and is what the checks compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSubcategory {
    /// `0CCE923F-69AE-11D9-BED3-505054503030`: upper case, no braces.
    pub guid: String,
    pub name: String,
    /// The inclusion setting as printed, e.g. `Success and Failure`, `Erfolg und Fehler`.
    pub setting: String,
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
            time_offset_seconds,
            audit_policy,
            ntlm_audit_incoming,
            ntlm_restrict_outgoing,
            ntlm_audit_domain,
            restrict_remote_sam,
            root_certificates,
            packet_capture,
            ata_gateway_service,
            atp_sensor_service,
            console_resolution,
            mde_onboarded
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
    /// The IP addresses of the Center's network adapters.
    #[serde(default)]
    pub ip_addresses: Vec<String>,
    /// How the Center resolves each console URL's host (`Resolve-DnsName`).
    #[serde(default)]
    pub console_resolution: Vec<NameResolution>,
    /// `mongod --version` of the Center's database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mongo_version: Option<String>,
    /// Name of the newest `SystemProfile_*.json` in the Center's backup folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_backup: Option<String>,
    /// The Center's Windows build: it is a member server, so its `RestrictRemoteSAM`
    /// default depends on it (restricted from 14393 on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_build: Option<u32>,
    /// `RestrictRemoteSAM` of the Center (see [`DcFacts::restrict_remote_sam`]): a member
    /// server, so a sample of what the policy says on the computers the sensors query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_remote_sam: Option<String>,
    #[serde(default)]
    pub errors: Vec<String>,
}

/// The JSON file written by `Get-ServerFacts.ps1` on the other servers a sensor protects
/// (AD CS, AD FS, Microsoft Entra Connect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerFactsFile {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_by: Option<String>,
    pub servers: Vec<ServerFacts>,
}

/// A role of a member server that Defender for Identity watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerRole {
    /// Active Directory Certificate Services (a certification authority).
    Adcs,
    /// Active Directory Federation Services.
    Adfs,
    /// Microsoft Entra Connect (Azure AD Connect).
    EntraConnect,
    /// The ATA Center (from its own collector): listed for its `RestrictRemoteSAM`.
    AtaCenter,
}

impl ServerRole {
    pub fn label(self) -> &'static str {
        match self {
            ServerRole::Adcs => "AD CS",
            ServerRole::Adfs => "AD FS",
            ServerRole::EntraConnect => "Microsoft Entra Connect",
            ServerRole::AtaCenter => "ATA Center",
        }
    }
}

/// What a member server reported about itself. Absent facts are Unknown to the checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerFacts {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<DateTime<Utc>>,
    /// The roles found on the server (its services: CertSvc, adfssrv, ADSync).
    #[serde(default)]
    pub roles: Vec<ServerRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_build: Option<u32>,
    /// The advanced audit policy in force (see [`DcFacts::audit_policy`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_policy: Option<Vec<AuditSubcategory>>,
    /// AD CS: the active CA's name (`Active` under `…\CertSvc\Configuration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_name: Option<String>,
    /// AD CS: the CA's `AuditFilter` (`certutil -getreg CA\AuditFilter`); 0 when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_audit_filter: Option<u32>,
    /// AD FS: `(Get-AdfsProperties).AuditLevel`, e.g. `Basic` or `Verbose`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adfs_audit_level: Option<String>,
    /// See [`DcFacts::restrict_remote_sam`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_remote_sam: Option<String>,
    #[serde(default)]
    pub errors: Vec<String>,
}

impl ServerFacts {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    pub fn has(&self, role: ServerRole) -> bool {
        self.roles.contains(&role)
    }
}
