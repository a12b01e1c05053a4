//! The domain model: plain serde types, no I/O, no client handles.
//!
//! Everything a reader collects ends up in an [`Inventory`]; checks turn it into
//! [`CheckResult`]s; the consultant's progress through the guide is a [`ChecklistState`].
//! These are the files a consultant finds in an engagement folder (`inventory.yaml`,
//! `checks.yaml`, `checklist.yaml`), so every type here serialises to YAML that a person
//! can read and diff. Field names are part of the file format: renaming one is a schema
//! change and needs a [`SCHEMA_VERSION`] bump.

mod ata;
mod checklist;
mod directory;
mod findings;
mod hosts;
mod provenance;

pub use ata::*;
pub use checklist::*;
pub use directory::*;
pub use findings::*;
pub use hosts::*;
pub use provenance::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Version of the file formats written by this build (inventory, checks, checklist state,
/// DC facts). Readers accept this version and older ones; a newer file is refused with a
/// message naming both versions, never half-read.
pub const SCHEMA_VERSION: u32 = 1;

/// Version of the tool, written into every file for provenance.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything collected about one ATA deployment and the forest it protects: the single
/// input of checks, checklist and report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub schema_version: u32,
    pub tool_version: String,
    pub collected_at: DateTime<Utc>,
    /// Who ran the collection and where, with which arguments (never a secret).
    #[serde(default)]
    pub provenance: Provenance,
    /// Every source that was read, with its outcome.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// What was read from ATA (its database, backups or the collector scripts).
    #[serde(default)]
    pub ata: AtaInventory,
    /// What was read from Active Directory (LDAP or LDIF); absent when no directory source
    /// was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryInventory>,
    /// Facts gathered on each domain controller (collector script or `reg query` output).
    #[serde(default)]
    pub hosts: Vec<DcFacts>,
    /// Facts gathered on the other servers a sensor protects (AD CS, AD FS, Entra
    /// Connect) and on the ATA Center.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<ServerFacts>,
    /// Items the guide asks for that no source provided, with the places that were tried.
    /// An item is either here or in its section: never silently missing.
    #[serde(default)]
    pub not_found: Vec<NotFound>,
}

impl Inventory {
    /// An empty inventory stamped with this build's schema and tool version.
    pub fn new(collected_at: DateTime<Utc>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            tool_version: TOOL_VERSION.to_string(),
            collected_at,
            provenance: Provenance::default(),
            sources: Vec::new(),
            ata: AtaInventory::default(),
            directory: None,
            hosts: Vec::new(),
            servers: Vec::new(),
            not_found: Vec::new(),
        }
    }

    /// Records that `item` could not be found, with the places tried.
    pub fn note_not_found(&mut self, item: impl Into<String>, tried: Vec<String>) {
        self.not_found.push(NotFound {
            item: item.into(),
            tried,
            reason: None,
        });
    }

    /// The DC facts for a host, matched case-insensitively on the short or DNS name.
    pub fn host(&self, name: &str) -> Option<&DcFacts> {
        self.hosts.iter().find(|h| h.matches_name(name))
    }
}

/// Compares host names the way Windows does: case-insensitively, and a short name matches
/// the first label of a DNS name.
pub fn same_host(a: &str, b: &str) -> bool {
    let short = |s: &str| s.split('.').next().unwrap_or(s).to_ascii_lowercase();
    a.eq_ignore_ascii_case(b) || short(a) == short(b)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 10, 30, 0).unwrap()
    }

    /// An inventory with every optional field set, so a round trip exercises all of them.
    fn full_inventory() -> Inventory {
        let entity = |id: &str, name: &str, kind| Entity {
            id: id.into(),
            name: Some(name.into()),
            sid: Some("S-1-5-21-1-2-3-1105".into()),
            kind: Some(kind),
            source: Some(TagSource::Manual),
            tag_evidence: None,
            ad: Some(AdMatch {
                found: true,
                name: Some(name.into()),
                dn: Some(format!("CN={name},CN=Users,DC=fabrikam,DC=test")),
                sid: Some("S-1-5-21-1-2-3-1105".into()),
                enabled: Some(true),
            }),
        };
        let alert = |status: &str| Alert {
            id: "5f1c0a2b3c4d5e6f70819203".into(),
            kind: "DnsReconnaissanceSuspiciousActivity".into(),
            severity: Some("Medium".into()),
            status: status.into(),
            start_time: Some(at(3)),
            end_time: Some(at(4)),
            entities: vec!["FAB-SCAN01".into()],
        };
        let mut inv = Inventory::new(at(16));
        inv.provenance = Provenance {
            collected_by: Some("Jo Consultant".into()),
            host: Some("laptop01".into()),
            arguments: vec!["inventory".into(), "--ata-dump".into(), "dump".into()],
        };
        inv.sources = vec![Source {
            kind: SourceKind::AtaMongo,
            location: "mongodb://fab-ata01:27017/ATA".into(),
            status: SourceStatus::Partial,
            error: Some("SuspiciousActivity: timed out".into()),
            server_version: Some("3.6.18".into()),
            read_at: Some(at(16)),
            records: Some(1234),
        }];
        inv.ata = AtaInventory {
            center: Center {
                console_urls: vec!["https://ata.fabrikam.test".into()],
                certificate_thumbprints: vec!["AB".repeat(20)],
                pending_change: true,
                listen_endpoint: Some("10.20.0.15:443".into()),
                thumbprint_sources: vec![ThumbprintSource {
                    profile: "CenterSystemProfile".into(),
                    path: "Configuration.SecretManagerConfiguration.CertificateThumbprint".into(),
                    thumbprint: "AB".repeat(20),
                }],
                certificates: vec![Certificate {
                    thumbprint: "AB".repeat(20),
                    subject: Some("CN=ata.fabrikam.test".into()),
                    issuer: Some("CN=Fabrikam Issuing CA 01".into()),
                    not_before: Some(at(1)),
                    not_after: Some(at(30)),
                    dns_names: vec!["ata.fabrikam.test".into()],
                }],
                mongo_version: Some("3.6.18".into()),
                auto_update: Some(AutoUpdate {
                    enabled: Some(true),
                    gateways_update_automatically: Some(true),
                    lightweight_gateways_restart_automatically: Some(false),
                }),
                service_profile_id: Some("5a81996afab0a7c0de000002".into()),
                host: Some("FAB-ATA01.fabrikam.test".into()),
                host_addresses: vec!["10.20.0.15".into()],
                console_resolution: vec![NameResolution {
                    name: "ata.fabrikam.test".into(),
                    addresses: vec!["10.20.0.15".into()],
                    error: None,
                }],
            },
            directory_services_accounts: vec![DirectoryServicesAccount {
                user: "svc-ata".into(),
                domain: Some("fabrikam.test".into()),
                secret_present: true,
                found_at: Some("Configuration.DirectoryServicesClientConfiguration".into()),
            }],
            syslog: Some(Syslog {
                enabled: true,
                server: Some("siem01.fabrikam.test".into()),
                port: Some(514),
                transport: Some("Udp".into()),
                format: Some("Rfc5424".into()),
                alert_notifications: Some(true),
                health_notifications: Some(false),
            }),
            email: Some(Email {
                enabled: true,
                server: Some("smtp.fabrikam.test".into()),
                port: Some(25),
                ssl: Some(false),
                from: Some("ata@fabrikam.test".into()),
                auth_user: Some("svc-ata-smtp".into()),
                secret_present: true,
                recipients: vec!["soc@fabrikam.test".into()],
                alert_recipients: vec!["soc@fabrikam.test".into()],
                health_recipients: Vec::new(),
                alert_notifications: Some(true),
                health_notifications: None,
            }),
            vpn: Some(Vpn {
                radius_enabled: true,
                secret_present: true,
            }),
            exclusions: vec![
                Exclusion {
                    detector: "DnsReconnaissanceDetectorConfiguration".into(),
                    kind: ExclusionKind::Computer,
                    value: "c0ffee00-0000-4000-8000-000000000001".into(),
                    entity: Some(entity(
                        "c0ffee00-0000-4000-8000-000000000001",
                        "FAB-SCAN01",
                        EntityType::Computer,
                    )),
                    list: Some("ExcludedSourceComputerIds".into()),
                },
                Exclusion {
                    detector: "PassTheTicketDetectorConfiguration".into(),
                    kind: ExclusionKind::Subnet,
                    value: "192.168.50.0/24".into(),
                    entity: None,
                    list: Some("ExcludedSubnets".into()),
                },
            ],
            honeytokens: vec![entity("id-1", "honey.admin", EntityType::User)],
            sensitive: vec![entity("id-2", "Tier0-Operators", EntityType::Group)],
            report_schedules: vec![ReportSchedule {
                name: "Summary".into(),
                enabled: Some(true),
                schedule: Some("Daily".into()),
                recipients: vec!["ciso@fabrikam.test".into()],
                settings: BTreeMap::from([("Language".into(), "en-us".into())]),
            }],
            gateways: vec![Gateway {
                id: "5f1c0a2b3c4d5e6f70819200".into(),
                name: "FAB-DC01".into(),
                kind: GatewayKind::LightweightGateway,
                version: Some("1.9.7576.0".into()),
                status: Some("Running".into()),
                service_status: Some("Started".into()),
                last_activity: Some(at(15)),
                kind_evidence: None,
                domain_synchronizer_candidate: None,
                syslog_listener: Some(false),
                domain_controllers: vec!["FAB-DC01.fabrikam.test".into()],
            }],
            alerts: Alerts {
                by_status: BTreeMap::from([
                    ("Open".into(), 1),
                    ("Suppressed".into(), 1),
                    ("Closed".into(), 7),
                ]),
                open: vec![alert("Open")],
                suppressed: vec![alert("Suppressed")],
            },
            periodic_reports_enabled: Some(true),
            health_alert_toggles: BTreeMap::from([(
                "GatewayDisconnectedMonitoringAlert".into(),
                true,
            )]),
            detectors: vec![Detector {
                name: "LdapBruteForceDetectorConfiguration".into(),
                enabled: Some(false),
            }],
            role_groups: vec![RoleGroup {
                name: "Microsoft Advanced Threat Analytics Administrators".into(),
                members: vec!["FABRIKAM\\alice.admin".into()],
            }],
            collections: vec![CollectionInfo {
                name: "UniqueEntity".into(),
                count: Some(42),
                size_bytes: Some(4096),
            }],
        };
        inv.directory = Some(DirectoryInventory {
            root_dse: Some(RootDse {
                dns_host_name: Some("FAB-DC01.fabrikam.test".into()),
                default_naming_context: Some("DC=fabrikam,DC=test".into()),
                naming_contexts: vec!["DC=fabrikam,DC=test".into()],
                forest_functionality: Some(Level {
                    level: 5,
                    name: "Windows Server 2012".into(),
                }),
                global_catalog_ready: Some(true),
                ..RootDse::default()
            }),
            forest: Forest {
                root_domain: "fabrikam.test".into(),
                functional_level: Some(5),
                functional_level_name: Some("Windows Server 2012".into()),
                schema_version: Some(88),
            },
            domains: vec![Domain {
                dns_name: "fabrikam.test".into(),
                netbios_name: Some("FABRIKAM".into()),
                dn: "DC=fabrikam,DC=test".into(),
                sid: Some("S-1-5-21-1-2-3".into()),
                functional_level: Some(6),
                functional_level_name: Some("Windows Server 2012 R2".into()),
            }],
            sites: vec!["London-HQ".into()],
            domain_controllers: vec![DomainController {
                name: "FAB-DC01".into(),
                dns_host_name: Some("FAB-DC01.fabrikam.test".into()),
                domain: "fabrikam.test".into(),
                site: Some("London-HQ".into()),
                os: Some("Windows Server 2016 Datacenter".into()),
                os_version: Some("10.0 (14393)".into()),
                read_only: false,
                global_catalog: Some(true),
                dn: Some("CN=FAB-DC01,OU=Domain Controllers,DC=fabrikam,DC=test".into()),
                functional_level: Some(7),
            }],
            privileged_groups: vec![PrivilegedGroup {
                name: "Domain Admins".into(),
                sid: "S-1-5-21-1-2-3-512".into(),
                domain: Some("fabrikam.test".into()),
                dn: Some("CN=Domain Admins,CN=Users,DC=fabrikam,DC=test".into()),
                members: vec![DirectoryObject {
                    name: "alice.admin".into(),
                    dn: "CN=alice.admin,CN=Users,DC=fabrikam,DC=test".into(),
                    sid: Some("S-1-5-21-1-2-3-1104".into()),
                    kind: Some("user".into()),
                    enabled: Some(true),
                }],
            }],
            directory_services_account: Some(DirectoryServicesAccountFacts {
                name: "svc-ata".into(),
                named_as: Some("fabrikam.test\\svc-ata".into()),
                identified_by: Some("ATA directory services account".into()),
                domain: Some("fabrikam.test".into()),
                dn: Some("CN=svc-ata,CN=Users,DC=fabrikam,DC=test".into()),
                sid: Some("S-1-5-21-1-2-3-1110".into()),
                kind: AccountKind::User,
                found: true,
                enabled: Some(true),
                locked_out: Some(false),
                pwd_last_set: Some(at(2)),
                password_never_expires: Some(false),
                password_expires_at: Some(at(28)),
                password_expires: Some("2026-11-28T10:30:00Z".into()),
                password_expired: Some(false),
                must_change_password: Some(false),
                account_expires_at: Some(at(30)),
                sensitive_groups: vec!["Administrators".into()],
                deleted_objects_readable: None,
                deleted_objects_note: Some("not bound as the account".into()),
            }),
            additional_directory_services_accounts: Vec::new(),
            kds_root_key_present: Some(false),
            object_auditing: vec![ObjectAuditing {
                object: AuditedObject::Configuration,
                dn: "CN=Configuration,DC=fabrikam,DC=test".into(),
                domain: Some("fabrikam.test".into()),
                sacl: Some(vec!["(AU;CISAFA;WP;;;WD)".into()]),
                note: Some("read over LDAP".into()),
            }],
            exchange_present: Some(true),
            recycle_bin: Some(RecycleBin {
                enabled: Some(false),
                evidence:
                    "CN=Recycle Bin Feature has no msDS-EnabledFeatureBL naming CN=Partitions"
                        .into(),
            }),
            partial: true,
            notes: vec!["privileged groups of emea.fabrikam.test were not read".into()],
        });
        inv.hosts = vec![DcFacts {
            name: "FAB-DC01.fabrikam.test".into(),
            collected_at: Some(at(16)),
            dotnet_release: Some(528049),
            os_caption: Some("Microsoft Windows Server 2016 Datacenter".into()),
            os_version: Some("10.0.14393".into()),
            os_build: Some(14393),
            server_core: Some(false),
            logical_processors: Some(4),
            memory_bytes: Some(17_179_869_184),
            system_drive: Some("C:".into()),
            system_drive_free_bytes: Some(51_539_607_552),
            power_scheme_guid: Some("8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c".into()),
            power_scheme_name: Some("High performance".into()),
            ntdsai_version: Some("10.0.14393.0".into()),
            ata_lightweight_gateway_installed: Some(true),
            atp_sensor_installed: Some(false),
            winhttp_proxy: Some("proxy.fabrikam.test:8080".into()),
            wininet_proxy: None,
            time_offset_seconds: Some(0.4),
            audit_policy: Some(vec![AuditSubcategory {
                guid: "0CCE923F-69AE-11D9-BED3-505054503030".into(),
                name: "Überprüfung der Anmeldeinformationen".into(),
                setting: "Erfolg und Fehler".into(),
            }]),
            ntlm_audit_incoming: Some(2),
            ntlm_restrict_outgoing: Some(1),
            ntlm_audit_domain: Some(0),
            restrict_remote_sam: Some(String::new()),
            root_certificates: Some(vec!["DF3C24F9BFD666761B268073FE06D1CC8D4F82A4".into()]),
            packet_capture: Some(vec!["WinPcap 4.1.3".into()]),
            ata_gateway_service: Some("Running".into()),
            atp_sensor_service: None,
            console_resolution: Some(vec![NameResolution {
                name: "ata.fabrikam.test".into(),
                addresses: Vec::new(),
                error: Some("DNS name does not exist".into()),
            }]),
            mde_onboarded: Some(true),
            errors: vec!["power scheme: access denied".into()],
        }];
        inv.servers = vec![ServerFacts {
            name: "FAB-ADFS01.fabrikam.test".into(),
            collected_at: Some(at(16)),
            roles: vec![ServerRole::Adfs, ServerRole::EntraConnect],
            os_build: Some(17763),
            audit_policy: Some(vec![]),
            ca_name: Some("x".into()),
            ca_audit_filter: Some(0),
            adfs_audit_level: Some("Basic".into()),
            restrict_remote_sam: Some("O:BAG:BAD:(A;;RC;;;BA)".into()),
            errors: vec![],
        }];
        inv.note_not_found(
            "ata.report_schedules",
            vec!["Configuration.ReporterConfiguration".into()],
        );
        inv
    }

    #[test]
    fn inventory_round_trips_through_yaml() {
        let inv = full_inventory();
        let text = crate::yaml::to_string(&inv, "test").unwrap();
        let back: Inventory = crate::yaml::from_str(&text, "test").unwrap();
        assert_eq!(back, inv);
        // Keys named by the issue are present as such.
        for key in [
            "schema_version:",
            "collected_at:",
            "not_found:",
            "domain_synchronizer_candidate: null",
            "secret_present: true",
        ] {
            assert!(text.contains(key), "{key} missing from\n{text}");
        }
    }

    #[test]
    fn inventory_round_trips_through_json() {
        let inv = full_inventory();
        let text = serde_json::to_string(&inv).unwrap();
        let back: Inventory = serde_json::from_str(&text).unwrap();
        assert_eq!(back, inv);
    }

    #[test]
    fn a_minimal_inventory_file_loads_with_defaults() {
        let text = "schema_version: 1\ntool_version: 0.1.0\ncollected_at: 2026-11-16T10:00:00Z\n";
        let inv: Inventory = crate::yaml::from_str(text, "min").unwrap();
        assert!(inv.ata.exclusions.is_empty() && inv.directory.is_none() && inv.hosts.is_empty());
    }

    #[test]
    fn checks_and_checklist_round_trip() {
        let checks = ChecksFile {
            schema_version: SCHEMA_VERSION,
            tool_version: TOOL_VERSION.into(),
            ran_at: at(16),
            inventory_sha256: Some("00".repeat(32)),
            results: Status::ALL
                .iter()
                .map(|s| CheckResult {
                    id: format!("demo.{s}"),
                    title: "A check".into(),
                    guide: GuideRef::Both,
                    subject: Some("FAB-DC01".into()),
                    status: *s,
                    reason: Some("because".into()),
                    evidence: BTreeMap::from([("release".into(), "394806".into())]),
                    remediation: Some("install .NET 4.8".into()),
                    accepted: None,
                })
                .collect(),
            acceptances: vec![Acceptance {
                check: "demo.fail[FAB-DC01]".into(),
                by: "Jo".into(),
                reason: "DC retired next month".into(),
                at: at(17),
            }],
        };
        let back: ChecksFile =
            crate::yaml::from_str(&crate::yaml::to_string(&checks, "t").unwrap(), "t").unwrap();
        assert_eq!(back, checks);
        assert_eq!(checks.counts()[&Status::Fail], 1);

        let mut state = ChecklistState::new("azure-atp-2019");
        state.steps.insert(
            "C04".into(),
            StepState {
                status: StepStatus::Done,
                reason: None,
                by: Some("Jo".into()),
                at: Some(at(18)),
                note: Some("multi\nline: note, with \"quotes\"".into()),
                fields: BTreeMap::from([("syslog_sensor".into(), "FAB-DC01".into())]),
                evidence: vec!["evidence/syslog-test.png".into()],
                entered: ["FAB-DC01".to_string()].into(),
            },
        );
        let back: ChecklistState =
            crate::yaml::from_str(&crate::yaml::to_string(&state, "t").unwrap(), "t").unwrap();
        assert_eq!(back, state);
        assert_eq!(state.step("C05").status, StepStatus::Todo);
    }

    #[test]
    fn a_checklist_without_ticks_loads_and_is_written_back_byte_identical() {
        // As written before the copy queue existed: no `entered`.
        let old = "schema_version: 1\nguide: azure-atp-2019\nsteps:\n  P06:\n    status: in_progress\n    by: Jo\n    at: \"2026-11-18T09:00:00Z\"\n    fields:\n      exclusions_reviewed: \"yes\"\n";
        let state: ChecklistState = crate::yaml::from_str(old, "checklist.yaml").unwrap();
        assert!(state.step("P06").entered.is_empty());
        assert_eq!(
            crate::yaml::to_string(&state, "checklist.yaml").unwrap(),
            old
        );
        let mut ticked = state.clone();
        ticked
            .steps
            .get_mut("P06")
            .unwrap()
            .entered
            .insert("FAB-SCAN01".into());
        let text = crate::yaml::to_string(&ticked, "checklist.yaml").unwrap();
        assert!(text.contains("entered:\n    - FAB-SCAN01"), "{text}");
    }

    #[test]
    fn host_names_match_like_windows() {
        assert!(same_host("FAB-DC01", "fab-dc01.fabrikam.test"));
        assert!(same_host(
            "FAB-DC01.fabrikam.test",
            "FAB-DC01.FABRIKAM.TEST"
        ));
        assert!(!same_host("FAB-DC01", "FAB-DC010"));
    }
}
