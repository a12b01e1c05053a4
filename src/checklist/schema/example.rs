//! The example: an inventory and an engagement configuration with every field filled
//! in. Its shape is the checklist's schema (see [`super`] for why an example and not the
//! types), and the same values serve as the fully populated fixture of the tests.
//!
//! Every struct is written out field by field (no `..Default::default()`), so adding a
//! field to the model does not compile until it is added here too; the completeness test
//! in [`super`] makes sure no optional field is left unset and no list empty, because the
//! schema only knows what the example shows. The data is synthetic (Fabrikam, `.test`
//! domains).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};

use crate::engagement::{Cloud, EngagementConfig, LdapSourceConfig, ProxyConfig, SourceLocations};
use crate::model::*;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .unwrap_or_default()
}

fn ad(name: &str, rid: u32) -> AdMatch {
    AdMatch {
        found: true,
        name: Some(name.into()),
        dn: Some(format!("CN={name},CN=Users,DC=fabrikam,DC=test")),
        sid: Some(format!("S-1-5-21-1004336348-1177238915-682003330-{rid}")),
        enabled: Some(true),
    }
}

fn entity(id: &str, name: &str, kind: EntityType, source: TagSource, rid: u32) -> Entity {
    Entity {
        id: id.into(),
        name: Some(name.into()),
        sid: Some(format!("S-1-5-21-1004336348-1177238915-682003330-{rid}")),
        kind: Some(kind),
        source: Some(source),
        tag_evidence: Some(format!("{} (sample evidence)", source.as_str())),
        ad: Some(ad(name, rid)),
    }
}

fn alert(id: &str, kind: &str, status: &str) -> Alert {
    Alert {
        id: id.into(),
        kind: kind.into(),
        severity: Some("Medium".into()),
        status: status.into(),
        start_time: Some(at(3, 10)),
        end_time: Some(at(3, 11)),
        entities: vec!["FAB-WS042".into(), "fabrikam\\pat.user".into()],
    }
}

fn dc(name: &str, domain: &str, site: &str, read_only: bool) -> DomainController {
    DomainController {
        name: name.into(),
        dns_host_name: Some(format!("{name}.{domain}")),
        domain: domain.into(),
        site: Some(site.into()),
        os: Some("Windows Server 2016 Datacenter".into()),
        os_version: Some("10.0 (14393)".into()),
        read_only,
        global_catalog: Some(!read_only),
        dn: Some(format!(
            "CN={name},OU=Domain Controllers,DC=fabrikam,DC=test"
        )),
        functional_level: Some(7),
    }
}

fn member(name: &str, rid: u32) -> DirectoryObject {
    DirectoryObject {
        name: name.into(),
        dn: format!("CN={name},CN=Users,DC=fabrikam,DC=test"),
        sid: Some(format!("S-1-5-21-1004336348-1177238915-682003330-{rid}")),
        kind: Some("user".into()),
        enabled: Some(true),
    }
}

fn group(name: &str, sid: &str, members: Vec<DirectoryObject>) -> PrivilegedGroup {
    PrivilegedGroup {
        name: name.into(),
        sid: sid.into(),
        domain: Some("fabrikam.test".into()),
        dn: Some(format!("CN={name},CN=Builtin,DC=fabrikam,DC=test")),
        members,
    }
}

fn resolution(name: &str, address: &str) -> NameResolution {
    NameResolution {
        name: name.into(),
        addresses: vec![address.into()],
        error: Some("sample: the second server timed out".into()),
    }
}

fn gateway(name: &str, kind: GatewayKind, candidate: bool, syslog: bool) -> Gateway {
    Gateway {
        id: format!("5f1c0a2b3c4d5e6f7081{:04}", name.len()),
        name: name.into(),
        kind,
        version: Some("1.9.7478.57683".into()),
        status: Some("Running".into()),
        service_status: Some("Started".into()),
        last_activity: Some(at(15, 4)),
        kind_evidence: Some(format!("watches only its own host ({name}.fabrikam.test)")),
        domain_synchronizer_candidate: Some(candidate),
        syslog_listener: Some(syslog),
        domain_controllers: vec![format!("{name}.fabrikam.test")],
    }
}

/// An inventory where every field holds a value.
pub fn inventory() -> Inventory {
    let dsa = DirectoryServicesAccountFacts {
        name: "svc-ata".into(),
        named_as: Some("fabrikam.test\\svc-ata".into()),
        identified_by: Some("ATA configuration".into()),
        domain: Some("fabrikam.test".into()),
        dn: Some("CN=svc-ata,CN=Users,DC=fabrikam,DC=test".into()),
        sid: Some("S-1-5-21-1004336348-1177238915-682003330-1110".into()),
        kind: AccountKind::User,
        found: true,
        enabled: Some(true),
        locked_out: Some(false),
        pwd_last_set: Some(at(2, 9)),
        password_never_expires: Some(false),
        password_expires_at: Some(at(28, 9)),
        password_expires: Some("2026-11-28T09:00:00Z".into()),
        password_expired: Some(false),
        must_change_password: Some(false),
        account_expires_at: Some(at(30, 9)),
        sensitive_groups: vec!["Administrators".into()],
        deleted_objects_readable: Some(true),
        deleted_objects_note: Some("bound as the account".into()),
    };
    Inventory {
        schema_version: SCHEMA_VERSION,
        tool_version: TOOL_VERSION.into(),
        collected_at: at(16, 10),
        provenance: Provenance {
            collected_by: Some("Jo Consultant".into()),
            host: Some("laptop01".into()),
            arguments: vec!["inventory".into()],
        },
        sources: vec![Source {
            kind: SourceKind::AtaJson,
            location: "samples/ata/SystemProfile_20261115040000.json".into(),
            status: SourceStatus::Partial,
            error: Some("report schedules not found".into()),
            server_version: Some("3.6.18".into()),
            read_at: Some(at(16, 10)),
            records: Some(42),
        }],
        ata: AtaInventory {
            center: Center {
                console_urls: vec!["https://ata.fabrikam.test".into()],
                certificate_thumbprints: vec!["AB".repeat(20)],
                pending_change: false,
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
                    not_before: Some(at(1, 0)),
                    not_after: Some(at(30, 0)),
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
                console_resolution: vec![resolution("ata.fabrikam.test", "10.20.0.15")],
            },
            directory_services_accounts: vec![
                DirectoryServicesAccount {
                    user: "svc-ata".into(),
                    domain: Some("fabrikam.test".into()),
                    secret_present: true,
                    found_at: Some("Configuration.DirectoryServicesClientConfiguration".into()),
                },
                DirectoryServicesAccount {
                    user: "svc-ata-emea".into(),
                    domain: Some("emea.fabrikam.test".into()),
                    secret_present: true,
                    found_at: Some("Configuration.DirectoryServicesClientConfiguration".into()),
                },
            ],
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
                recipients: vec![
                    "soc@fabrikam.test".into(),
                    "ata-admins@fabrikam.test".into(),
                ],
                alert_recipients: vec!["soc@fabrikam.test".into()],
                health_recipients: vec!["ata-admins@fabrikam.test".into()],
                alert_notifications: Some(true),
                health_notifications: Some(true),
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
                        TagSource::Manual,
                        2101,
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
            honeytokens: vec![entity(
                "id-ht-1",
                "honey.admin",
                EntityType::User,
                TagSource::Manual,
                1201,
            )],
            sensitive: vec![
                entity(
                    "id-s-1",
                    "Tier0-Operators",
                    EntityType::Group,
                    TagSource::Manual,
                    1301,
                ),
                entity(
                    "id-s-2",
                    "Domain Admins",
                    EntityType::Group,
                    TagSource::Automatic,
                    512,
                ),
                entity(
                    "id-s-3",
                    "pat.user",
                    EntityType::User,
                    TagSource::Undecided,
                    1302,
                ),
            ],
            report_schedules: vec![ReportSchedule {
                name: "Summary".into(),
                enabled: Some(true),
                schedule: Some("Daily".into()),
                recipients: vec!["ciso@fabrikam.test".into()],
                settings: BTreeMap::from([("Language".into(), "en-us".into())]),
            }],
            gateways: vec![
                gateway("FAB-DC01", GatewayKind::LightweightGateway, true, true),
                gateway("FAB-ATAGW01", GatewayKind::Gateway, false, false),
            ],
            alerts: Alerts {
                by_status: BTreeMap::from([
                    ("Open".into(), 1),
                    ("Suppressed".into(), 1),
                    ("Closed".into(), 7),
                ]),
                open: vec![alert(
                    "5f1c0a2b3c4d5e6f70819203",
                    "DnsReconnaissanceSuspiciousActivity",
                    "Open",
                )],
                suppressed: vec![alert(
                    "5f1c0a2b3c4d5e6f70819204",
                    "EnumerateSessionsSuspiciousActivity",
                    "Suppressed",
                )],
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
        },
        directory: Some(DirectoryInventory {
            root_dse: Some(RootDse {
                dns_host_name: Some("FAB-DC01.fabrikam.test".into()),
                default_naming_context: Some("DC=fabrikam,DC=test".into()),
                configuration_naming_context: Some("CN=Configuration,DC=fabrikam,DC=test".into()),
                schema_naming_context: Some(
                    "CN=Schema,CN=Configuration,DC=fabrikam,DC=test".into(),
                ),
                root_domain_naming_context: Some("DC=fabrikam,DC=test".into()),
                naming_contexts: vec!["DC=fabrikam,DC=test".into()],
                forest_functionality: Some(Level {
                    level: 7,
                    name: "Windows Server 2016".into(),
                }),
                domain_functionality: Some(Level {
                    level: 7,
                    name: "Windows Server 2016".into(),
                }),
                domain_controller_functionality: Some(Level {
                    level: 7,
                    name: "Windows Server 2016".into(),
                }),
                global_catalog_ready: Some(true),
            }),
            forest: Forest {
                root_domain: "fabrikam.test".into(),
                functional_level: Some(7),
                functional_level_name: Some("Windows Server 2016".into()),
                schema_version: Some(88),
            },
            domains: vec![Domain {
                dns_name: "fabrikam.test".into(),
                netbios_name: Some("FABRIKAM".into()),
                dn: "DC=fabrikam,DC=test".into(),
                sid: Some("S-1-5-21-1004336348-1177238915-682003330".into()),
                functional_level: Some(7),
                functional_level_name: Some("Windows Server 2016".into()),
            }],
            sites: vec!["London-HQ".into()],
            domain_controllers: vec![
                dc("FAB-DC01", "fabrikam.test", "London-HQ", false),
                dc("FAB-RODC01", "fabrikam.test", "Leeds-Branch", true),
            ],
            privileged_groups: vec![
                group(
                    "Domain Admins",
                    "S-1-5-21-1004336348-1177238915-682003330-512",
                    vec![member("alice.admin", 1104)],
                ),
                group(
                    "Remote Desktop Users",
                    "S-1-5-32-555",
                    vec![member("helpdesk.op", 1150)],
                ),
            ],
            directory_services_account: Some(dsa.clone()),
            additional_directory_services_accounts: vec![DirectoryServicesAccountFacts {
                name: "svc-ata-emea".into(),
                named_as: Some("emea.fabrikam.test\\svc-ata-emea".into()),
                domain: Some("emea.fabrikam.test".into()),
                dn: Some("CN=svc-ata-emea,CN=Users,DC=emea,DC=fabrikam,DC=test".into()),
                sensitive_groups: vec!["Account Operators".into()],
                ..dsa
            }],
            kds_root_key_present: Some(true),
            object_auditing: vec![ObjectAuditing {
                object: AuditedObject::Domain,
                dn: "DC=fabrikam,DC=test".into(),
                domain: Some("fabrikam.test".into()),
                sacl: Some(vec![
                    "(OU;CIIOSA;SDWDWOWPCCDCSWDTCR;;bf967aba-0de6-11d0-a285-00aa003049e2;WD)"
                        .into(),
                ]),
                note: Some("read over LDAP with the SD flags control (SACL)".into()),
            }],
            exchange_present: Some(true),
            recycle_bin: Some(RecycleBin {
                enabled: Some(false),
                evidence:
                    "CN=Recycle Bin Feature has no msDS-EnabledFeatureBL naming CN=Partitions"
                        .into(),
            }),
            partial: false,
            notes: vec!["sample note from the directory read".into()],
        }),
        hosts: vec![DcFacts {
            name: "FAB-DC01.fabrikam.test".into(),
            collected_at: Some(at(16, 9)),
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
            wininet_proxy: Some("proxy.fabrikam.test:8080".into()),
            time_offset_seconds: Some(0.4),
            audit_policy: Some(vec![AuditSubcategory {
                guid: "0CCE923F-69AE-11D9-BED3-505054503030".into(),
                name: "Credential Validation".into(),
                setting: "Success and Failure".into(),
            }]),
            ntlm_audit_incoming: Some(2),
            ntlm_restrict_outgoing: Some(1),
            ntlm_audit_domain: Some(7),
            restrict_remote_sam: Some("O:BAG:BAD:(A;;RC;;;BA)".into()),
            root_certificates: Some(vec!["DF3C24F9BFD666761B268073FE06D1CC8D4F82A4".into()]),
            packet_capture: Some(vec!["Npcap 1.00".into()]),
            ata_gateway_service: Some("Running".into()),
            atp_sensor_service: Some("Running".into()),
            console_resolution: Some(vec![resolution("ata.fabrikam.test", "10.20.0.15")]),
            mde_onboarded: Some(false),
            errors: vec!["power scheme: access denied".into()],
        }],
        servers: vec![ServerFacts {
            name: "FAB-CA01.fabrikam.test".into(),
            collected_at: Some(at(16, 9)),
            roles: vec![ServerRole::Adcs],
            os_build: Some(20348),
            audit_policy: Some(vec![AuditSubcategory {
                guid: "0CCE9221-69AE-11D9-BED3-505054503030".into(),
                name: "Certification Services".into(),
                setting: "Success and Failure".into(),
            }]),
            ca_name: Some("Fabrikam Issuing CA 01".into()),
            ca_audit_filter: Some(127),
            adfs_audit_level: Some("Verbose".into()),
            restrict_remote_sam: Some("O:BAG:BAD:(A;;RC;;;BA)".into()),
            errors: vec!["sample error".into()],
        }],
        not_found: vec![NotFound {
            item: "ata.report_schedules".into(),
            tried: vec!["Configuration.ReporterConfiguration".into()],
            reason: Some("expected a document, found the string \"weekly\"".into()),
        }],
    }
}

/// An engagement configuration where every field holds a value (no secrets exist in it).
pub fn config() -> EngagementConfig {
    EngagementConfig {
        schema_version: SCHEMA_VERSION,
        customer: "Fabrikam Test".into(),
        consultant: "Jo Consultant".into(),
        cloud: Cloud::Commercial,
        workspace: Some("fabrikam".into()),
        proxy: Some(ProxyConfig {
            url: "http://proxy.fabrikam.test:8080".into(),
            user: Some("FABRIKAM\\svc-proxy".into()),
        }),
        guide: "azure-atp-2019".into(),
        sources: SourceLocations {
            ata_mongo: Some("mongodb://fab-ata01:27017".into()),
            ata_dump: Some(PathBuf::from("dump")),
            ata_json: vec![PathBuf::from("SystemProfile.json")],
            ldap: Some(LdapSourceConfig {
                url: "ldaps://fab-dc01.fabrikam.test".into(),
                bind_user: Some("svc-ata@fabrikam.test".into()),
                ca_file: Some(PathBuf::from("ca.pem")),
            }),
            ldif: vec![PathBuf::from("fabrikam.ldif")],
            dc_facts: vec![PathBuf::from("dc-facts.json")],
            auditpol: vec![PathBuf::from("FAB-DC01-auditpol.csv")],
            server_facts: vec![PathBuf::from("server-facts.json")],
            center_facts: Some(PathBuf::from("center-facts.json")),
            gateway_logs: Some(PathBuf::from("logs")),
        },
        demo: true,
        created_at: at(16, 9),
    }
}
