//! What the consultant must write down from ATA: the Center, its notification settings,
//! gateways, exclusions, honeytokens, sensitive entities, report schedules and alerts.
//!
//! Secrets never reach these types: every `*Encrypted` value, password and shared secret
//! is dropped by the reader and only `secret_present` is kept.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The ATA side of the inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtaInventory {
    #[serde(default)]
    pub center: Center,
    #[serde(default)]
    pub directory_services_accounts: Vec<DirectoryServicesAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syslog: Option<Syslog>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpn: Option<Vpn>,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    #[serde(default)]
    pub honeytokens: Vec<Entity>,
    #[serde(default)]
    pub sensitive: Vec<Entity>,
    #[serde(default)]
    pub report_schedules: Vec<ReportSchedule>,
    /// Whether ATA sends its scheduled reports at all
    /// (`ReporterConfiguration.SendPeriodicReportsConfiguration.IsEnabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodic_reports_enabled: Option<bool>,
    #[serde(default)]
    pub gateways: Vec<Gateway>,
    #[serde(default)]
    pub alerts: Alerts,
    #[serde(default)]
    pub detectors: Vec<Detector>,
    /// Health alerts by type name and whether each is enabled
    /// (`MonitoringClientConfiguration.MonitoringAlertTypeNameToIsEnabledMapping`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub health_alert_toggles: BTreeMap<String, bool>,
    /// Members of ATA's local role groups on the Center (from the center-facts script).
    #[serde(default)]
    pub role_groups: Vec<RoleGroup>,
    /// Collections seen in ATA's database, with counts, when the source lists them.
    #[serde(default)]
    pub collections: Vec<CollectionInfo>,
}

/// The ATA Center: console URL, certificates, and whether a change awaits activation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Center {
    /// `CenterWebClientConfiguration.ServiceEndpoints`: more than one while a URL change
    /// awaits activation.
    #[serde(default)]
    pub console_urls: Vec<String>,
    /// Every Center certificate thumbprint named in the configuration (deduplicated).
    #[serde(default)]
    pub certificate_thumbprints: Vec<String>,
    /// True when the console URL or certificate lists hold more than one entry: a change
    /// was made in the console but not activated, so gateways hold two candidates.
    #[serde(default)]
    pub pending_change: bool,
    /// `CenterWebApplicationConfiguration.ServiceListeningIpEndpoint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_endpoint: Option<String>,
    /// Each place a thumbprint was read from, to spot profiles that disagree.
    #[serde(default)]
    pub thumbprint_sources: Vec<ThumbprintSource>,
    /// Certificates found in the Center's machine store (center-facts script).
    #[serde(default)]
    pub certificates: Vec<Certificate>,
    /// MongoDB version running on the Center, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mongo_version: Option<String>,
    /// Software-update settings (`SoftwareUpdaterConfiguration`), for the delayed-update step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_update: Option<AutoUpdate>,
    /// `ServiceSystemProfileConfiguration.Id`: the id of the Center's service profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_profile_id: Option<String>,
    /// The Center's host name (center-facts script).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// IP addresses installed on the Center's network adapters (center-facts script): a
    /// custom console IP cannot be activated before it is one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_addresses: Vec<String>,
    /// How the Center itself resolves each console URL's host (center-facts script,
    /// `Resolve-DnsName`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub console_resolution: Vec<super::NameResolution>,
}

/// One thumbprint with the profile and field path it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThumbprintSource {
    /// The profile, e.g. `CenterSystemProfile` or `ServiceSystemProfile 5b2…`.
    pub profile: String,
    pub path: String,
    pub thumbprint: String,
}

/// A certificate from the Center's machine store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    pub thumbprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<DateTime<Utc>>,
    /// The DNS names the certificate is issued for (its subject alternative names, and the
    /// subject's common name), as Windows lists them (`DnsNameList`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
}

/// ATA's automatic update settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateways_update_automatically: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lightweight_gateways_restart_automatically: Option<bool>,
}

/// The account ATA uses to read the directory (Configuration → Directory Services).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryServicesAccount {
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// ATA holds an encrypted password for it. The password itself is never read.
    pub secret_present: bool,
    /// Field path the account was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_at: Option<String>,
}

impl DirectoryServicesAccount {
    /// The account as checks, steps and `check dsa` name it: `domain\user`, or the user
    /// as ATA wrote it when that already says the domain (`EMEA\x`, `x@emea.test`).
    pub fn label(&self) -> String {
        match &self.domain {
            Some(d) if !d.is_empty() && !self.user.contains(['\\', '@']) => {
                format!("{d}\\{}", self.user)
            }
            _ => self.user.clone(),
        }
    }
}

/// Outbound syslog notifications (`SyslogClientConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Syslog {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `Udp`, `Tcp` or `Tls` as ATA names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport: Option<String>,
    /// `Rfc5424` or `Rfc3164`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Suspicious activities are sent to syslog, when a mapping path says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_notifications: Option<bool>,
    /// Health issues are sent to syslog, when a mapping path says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_notifications: Option<bool>,
}

/// SMTP settings for e-mail notifications (`MailClientConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Email {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_user: Option<String>,
    /// An encrypted SMTP password is stored. Never read.
    pub secret_present: bool,
    /// Notification recipients, when a mapping path finds them (alert and health
    /// recipients together, without duplicates).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Recipients of suspicious-activity (alert) mail.
    #[serde(default)]
    pub alert_recipients: Vec<String>,
    /// Recipients of health-issue mail.
    #[serde(default)]
    pub health_recipients: Vec<String>,
    /// Suspicious activities are mailed, when a mapping path says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_notifications: Option<bool>,
    /// Health issues are mailed, when a mapping path says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_notifications: Option<bool>,
}

/// VPN integration: ATA gateways listening for RADIUS accounting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vpn {
    pub radius_enabled: bool,
    /// A RADIUS shared secret is stored (encrypted; it cannot be exported and must be
    /// entered again in the cloud).
    pub secret_present: bool,
}

/// What an exclusion applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    Account,
    Computer,
    Subnet,
}

/// One ATA exclusion: the detector it silences and the entity or subnet excluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// Detector configuration key, e.g. `DnsReconnaissanceDetectorConfiguration`.
    pub detector: String,
    pub kind: ExclusionKind,
    /// The raw value stored by ATA: an entity id or a subnet.
    pub value: String,
    /// The entity behind `value`, for accounts and computers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Entity>,
    /// The field the value was read from, e.g. `ExcludedSourceComputerIds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
}

/// Kind of directory object, as ATA's `_t` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    User,
    Computer,
    Group,
    Domain,
    #[serde(other)]
    Unknown,
}

/// What the cloud will do with an entity ATA tags: for sensitive entities this is
/// decided on evidence only (`Entity::tag_evidence` says which, see
/// `directory::sensitive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagSource {
    /// A person must tag it again in the cloud: ATA's tag was set by hand, or came from a
    /// group Defender for Identity no longer treats as sensitive (Remote Desktop Users).
    Manual,
    /// Defender for Identity tags it by itself: a well-known sensitive SID, a domain
    /// controller, or membership of a group it treats as sensitive.
    Automatic,
    /// Neither the directory nor ATA's data says why ATA marks it sensitive: confirm in
    /// the ATA console.
    Undecided,
}

impl TagSource {
    /// The word every front end shows.
    pub fn as_str(self) -> &'static str {
        match self {
            TagSource::Manual => "manual",
            TagSource::Automatic => "automatic",
            TagSource::Undecided => "undecided",
        }
    }
}

/// A directory object ATA knows, resolved through `UniqueEntity` and, when a directory
/// source was read, matched against Active Directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// ATA's `UniqueEntity._id`.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntityType>,
    /// For honeytokens and sensitive entities: tagged by hand, automatic or undecided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<TagSource>,
    /// What decided `source`, in words (the evidence, or why there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_evidence: Option<String>,
    /// The matching object in Active Directory, when the directory was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad: Option<AdMatch>,
}

impl Entity {
    /// An entity known only by its id (not resolved yet).
    pub fn unresolved(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            sid: None,
            kind: None,
            source: None,
            tag_evidence: None,
            ad: None,
        }
    }

    /// Name for display: the name, else the SID, else the raw id.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.sid.as_deref())
            .unwrap_or(&self.id)
    }
}

/// The outcome of looking an ATA entity up in Active Directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdMatch {
    pub found: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// One of ATA's scheduled reports (`ReporterConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSchedule {
    /// Report type as ATA names it, e.g. `Summary`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Any other settings stored for the report, flattened to text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
}

/// What kind of ATA gateway a `GatewaySystemProfile` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayKind {
    Gateway,
    LightweightGateway,
    Unknown,
}

/// An ATA Gateway or Lightweight Gateway registered with the Center.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gateway {
    pub id: String,
    pub name: String,
    pub kind: GatewayKind,
    /// What decided `kind`: a field of the profile, port-mirror capture adapters, the
    /// domain controllers it watches, or the directory's DC list. None when nothing did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind_evidence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The gateway's state as the Center last saw it, e.g. `Running` or `StartFailure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Its Windows service's state as the Center last saw it, e.g. `Started` or `Stopped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_status: Option<String>,
    /// When the gateway last reported to the Center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity: Option<DateTime<Utc>>,
    /// `null` when ATA's database does not say (its field is not documented).
    pub domain_synchronizer_candidate: Option<bool>,
    /// The gateway listens for syslog events from a SIEM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub syslog_listener: Option<bool>,
    /// Domain controllers the gateway monitors or runs on.
    #[serde(default)]
    pub domain_controllers: Vec<String>,
}

/// ATA alerts (suspicious activities): counts by status and the ones still to record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// Number of alerts per `Status` value as stored (Open, Closed, Suppressed, …).
    #[serde(default)]
    pub by_status: BTreeMap<String, u64>,
    /// Alerts with status `Open`.
    #[serde(default)]
    pub open: Vec<Alert>,
    /// Alerts with status `Suppressed`: they can reopen, so they are recorded too.
    #[serde(default)]
    pub suppressed: Vec<Alert>,
}

impl Alerts {
    pub fn total(&self) -> u64 {
        self.by_status.values().sum()
    }
}

/// One ATA alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    pub id: String,
    /// The `_t` discriminator, e.g. `DnsReconnaissanceSuspiciousActivity`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// Names of the entities involved, resolved where possible.
    #[serde(default)]
    pub entities: Vec<String>,
}

/// An ATA detector and whether it is enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detector {
    /// Configuration key, e.g. `SamrReconnaissanceDetectorConfiguration`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// A local group on the Center that grants access to ATA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleGroup {
    /// e.g. `Microsoft Advanced Threat Analytics Administrators`.
    pub name: String,
    #[serde(default)]
    pub members: Vec<String>,
}

/// A collection of ATA's database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionInfo {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
}
