//! The field-path mapping: where ATA keeps each setting, as data.
//!
//! Much of ATA's database layout is undocumented (see `mappings/ata-default.yaml` for the
//! confidence of each path), so extraction reads no path from code: every one comes from
//! this mapping. The default is built into the binary; `--mapping FILE` replaces whole
//! sections of it, and its errors point at file:line:column.

use std::path::Path;

use regex::Regex;
use serde::Deserialize;

use super::Error;
use super::snapshot::Logical;
use crate::model::ExclusionKind;

/// The built-in mapping's text.
pub const DEFAULT_MAPPING: &str = include_str!("../../mappings/ata-default.yaml");
const DEFAULT_ORIGIN: &str = "built-in mappings/ata-default.yaml";

/// One or several candidate paths, tried in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "OneOrMany")]
pub struct Paths(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrMany> for Paths {
    fn from(v: OneOrMany) -> Self {
        match v {
            OneOrMany::One(s) => Paths(vec![s]),
            OneOrMany::Many(v) => Paths(v),
        }
    }
}

impl Paths {
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.0.iter()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collections {
    #[serde(rename = "SystemProfile")]
    pub system_profile: Paths,
    #[serde(rename = "UniqueEntity")]
    pub unique_entity: Paths,
    #[serde(rename = "SuspiciousActivity")]
    pub suspicious_activity: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profiles {
    pub center: Paths,
    pub gateway_pattern: String,
    pub center_wide: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoUpdatePaths {
    pub enabled: Paths,
    pub gateways: Paths,
    pub lightweight_restart: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CenterPaths {
    pub console_urls: Paths,
    pub certificate_thumbprints: Paths,
    pub pending_change_lists: Paths,
    pub listen_endpoint: Paths,
    pub auto_update: AutoUpdatePaths,
    pub service_profile_id: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringPaths {
    /// A map of health-alert type name to enabled.
    pub alert_toggles: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DsaPaths {
    pub lists: Paths,
    pub user: Paths,
    pub domain: Paths,
    pub secret: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogPaths {
    pub section: Paths,
    pub enabled: Paths,
    pub endpoint: Paths,
    pub transport: Paths,
    pub format: Paths,
    pub alert_toggle: Paths,
    pub health_toggle: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailPaths {
    pub section: Paths,
    pub enabled: Paths,
    pub endpoint: Paths,
    pub ssl: Paths,
    pub from: Paths,
    pub auth_enabled: Paths,
    pub auth_user: Paths,
    pub secret: Paths,
    pub alert_recipients: Paths,
    pub health_recipients: Paths,
    pub alert_toggle: Paths,
    pub health_toggle: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VpnPaths {
    pub radius_enabled: Paths,
    pub secret: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoneytokenPaths {
    pub id_lists: Paths,
    pub entity_flags: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivePaths {
    pub manual_id_lists: Paths,
    /// Flags ATA sets on an entity it treats as sensitive (not, by themselves, evidence
    /// that the cloud will: see `directory::sensitive`).
    pub automatic_flags: Paths,
    /// Flags that an entity is a domain controller: evidence the cloud tags it too.
    #[serde(default)]
    pub role_flags: Paths,
    /// The ids of the groups an entity belongs to, on the entity.
    #[serde(default)]
    pub parent_group_ids: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub contains: String,
    pub kind: ExclusionKind,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorPaths {
    pub section: String,
    pub key_pattern: String,
    pub enabled: String,
    pub exclusion_prefix: String,
    pub exclusion_kinds: Vec<KindRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportPaths {
    pub maps: Paths,
    /// Whether scheduled reports are sent at all.
    pub periodic_enabled: Paths,
    pub enabled: Paths,
    pub schedule: Paths,
    pub recipients: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayPaths {
    pub name: Paths,
    pub version: Paths,
    pub status: Paths,
    /// The gateway's Windows service state (absent in older custom mappings: not read).
    #[serde(default)]
    pub service_status: Paths,
    /// When the gateway last reported to the Center.
    #[serde(default)]
    pub last_activity: Paths,
    pub lightweight: Paths,
    pub domain_synchronizer_candidate: Paths,
    pub syslog_listener: Paths,
    pub domain_controllers: Paths,
    /// Port-mirror capture adapters: only a full ATA Gateway has them.
    pub capture_adapters: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityPaths {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: Paths,
    /// Lists of names an entity is searched by; the first is its name when no `name` path
    /// exists.
    pub search_names: Paths,
    pub sid: Paths,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertPaths {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub open: Paths,
    pub suppressed: Paths,
    pub severity: Paths,
    pub start_time: Paths,
    pub end_time: Paths,
    pub entity_refs: Paths,
}

/// A mapping file as written: every section optional, so an override file may hold only
/// the sections it changes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    version: u32,
    collections: Option<Collections>,
    profiles: Option<Profiles>,
    center: Option<CenterPaths>,
    directory_services_accounts: Option<DsaPaths>,
    syslog: Option<SyslogPaths>,
    email: Option<EmailPaths>,
    monitoring: Option<MonitoringPaths>,
    vpn: Option<VpnPaths>,
    honeytokens: Option<HoneytokenPaths>,
    sensitive: Option<SensitivePaths>,
    detectors: Option<DetectorPaths>,
    reports: Option<ReportPaths>,
    gateways: Option<GatewayPaths>,
    entities: Option<EntityPaths>,
    alerts: Option<AlertPaths>,
}

/// The effective mapping.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// Where it came from, for messages and provenance.
    pub origin: String,
    pub collections: Collections,
    pub profiles: Profiles,
    pub center: CenterPaths,
    pub directory_services_accounts: DsaPaths,
    pub syslog: SyslogPaths,
    pub email: EmailPaths,
    pub monitoring: MonitoringPaths,
    pub vpn: VpnPaths,
    pub honeytokens: HoneytokenPaths,
    pub sensitive: SensitivePaths,
    pub detectors: DetectorPaths,
    pub reports: ReportPaths,
    pub gateways: GatewayPaths,
    pub entities: EntityPaths,
    pub alerts: AlertPaths,
    pub gateway_regex: Regex,
    pub detector_regex: Regex,
}

/// The mapping version this build reads.
pub const MAPPING_VERSION: u32 = 1;

impl Mapping {
    /// The built-in mapping.
    pub fn builtin() -> Result<Self, Error> {
        Self::build(
            parse(DEFAULT_MAPPING, DEFAULT_ORIGIN)?,
            None,
            DEFAULT_ORIGIN,
        )
    }

    /// The built-in mapping with the sections of `path` replacing its own.
    pub fn load(path: Option<&Path>) -> Result<Self, Error> {
        let Some(path) = path else {
            return Self::builtin();
        };
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let user = parse(&text, &origin)?;
        Self::build(parse(DEFAULT_MAPPING, DEFAULT_ORIGIN)?, Some(user), &origin)
    }

    fn build(base: MappingFile, user: Option<MappingFile>, origin: &str) -> Result<Self, Error> {
        let user = user.map(|u| (u, origin));
        macro_rules! pick {
            ($field:ident) => {
                match user.as_ref().and_then(|(u, _)| u.$field.clone()) {
                    Some(v) => v,
                    None => base.$field.clone().ok_or_else(|| Error::Mapping {
                        origin: DEFAULT_ORIGIN.to_string(),
                        message: format!("section `{}` is missing", stringify!($field)),
                    })?,
                }
            };
        }
        let profiles: Profiles = pick!(profiles);
        let detectors: DetectorPaths = pick!(detectors);
        let regex = |pattern: &str, what: &str| {
            Regex::new(pattern).map_err(|e| Error::Mapping {
                origin: origin.to_string(),
                message: format!("{what} `{pattern}` is not a valid regular expression: {e}"),
            })
        };
        Ok(Self {
            origin: origin.to_string(),
            collections: pick!(collections),
            gateway_regex: regex(&profiles.gateway_pattern, "profiles.gateway_pattern")?,
            detector_regex: regex(&detectors.key_pattern, "detectors.key_pattern")?,
            profiles,
            center: pick!(center),
            directory_services_accounts: pick!(directory_services_accounts),
            syslog: pick!(syslog),
            email: pick!(email),
            monitoring: pick!(monitoring),
            vpn: pick!(vpn),
            honeytokens: pick!(honeytokens),
            sensitive: pick!(sensitive),
            detectors,
            reports: pick!(reports),
            gateways: pick!(gateways),
            entities: pick!(entities),
            alerts: pick!(alerts),
        })
    }

    /// The logical collection a physical collection name belongs to.
    pub fn logical_for(&self, physical: &str) -> Option<Logical> {
        let c = &self.collections;
        for (logical, names) in [
            (Logical::SystemProfile, &c.system_profile),
            (Logical::UniqueEntity, &c.unique_entity),
            (Logical::SuspiciousActivity, &c.suspicious_activity),
        ] {
            if names.iter().any(|n| n.eq_ignore_ascii_case(physical)) {
                return Some(logical);
            }
        }
        None
    }

    /// Every physical collection name the mapping knows.
    pub fn all_names(&self) -> Vec<String> {
        Logical::ALL
            .iter()
            .flat_map(|l| self.names_of(*l).iter().cloned())
            .collect()
    }

    /// The physical names a logical collection may have.
    pub fn names_of(&self, logical: Logical) -> &[String] {
        match logical {
            Logical::SystemProfile => &self.collections.system_profile.0,
            Logical::UniqueEntity => &self.collections.unique_entity.0,
            Logical::SuspiciousActivity => &self.collections.suspicious_activity.0,
        }
    }

    /// The kind of entry an exclusion list holds, by its name.
    pub fn exclusion_kind(&self, list: &str) -> Option<ExclusionKind> {
        self.detectors
            .exclusion_kinds
            .iter()
            .find(|r| {
                list.to_ascii_lowercase()
                    .contains(&r.contains.to_ascii_lowercase())
            })
            .map(|r| r.kind)
    }
}

fn parse(text: &str, origin: &str) -> Result<MappingFile, Error> {
    let file: MappingFile = crate::yaml::from_str(text, origin).map_err(Error::MappingYaml)?;
    if file.version != MAPPING_VERSION {
        return Err(Error::Mapping {
            origin: origin.to_string(),
            message: format!(
                "version {} is not one this ata2atp reads (it reads version {MAPPING_VERSION}); \
                 start again from the built-in mapping (mappings/ata-default.yaml)",
                file.version
            ),
        });
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_mapping_is_complete() {
        let m = Mapping::builtin().unwrap();
        assert_eq!(
            m.logical_for("suspiciousactivities"),
            Some(Logical::SuspiciousActivity)
        );
        assert_eq!(m.logical_for("KerberosAs_20261115"), None);
        assert_eq!(
            m.exclusion_kind("ExcludedSourceComputerIds"),
            Some(ExclusionKind::Computer)
        );
        assert_eq!(
            m.exclusion_kind("ExcludedSubnets"),
            Some(ExclusionKind::Subnet)
        );
        assert!(
            m.detector_regex
                .is_match("DnsReconnaissanceDetectorConfiguration")
        );
        assert!(m.gateway_regex.is_match("LightweightGatewaySystemProfile"));
    }

    #[test]
    fn an_override_replaces_only_its_sections() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.yaml");
        std::fs::write(
            &f,
            "version: 1\nsyslog:\n  section: X.Y\n  enabled: IsOn\n  endpoint: [A]\n  transport: [B]\n  format: [C]\n  \
             alert_toggle: [D]\n  health_toggle: [E]\n",
        )
        .unwrap();
        let m = Mapping::load(Some(&f)).unwrap();
        assert_eq!(m.syslog.section.0, vec!["X.Y".to_string()]);
        assert_eq!(
            m.email.section.0,
            vec!["Configuration.MailClientConfiguration".to_string()]
        );
    }

    #[test]
    fn mapping_errors_point_at_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("m.yaml");
        std::fs::write(&f, "version: 1\nsyslog:\n  section: X\n  enabeld: [A]\n").unwrap();
        let e = Mapping::load(Some(&f)).unwrap_err().to_string();
        assert!(e.contains("m.yaml:") && e.contains("enabeld"), "{e}");
    }
}
