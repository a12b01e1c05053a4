//! Every number a check compares against, in one place, with where it comes from.
//!
//! A requirement that changes (Microsoft revises the sensor prerequisites now and then)
//! is changed here and nowhere else. The sources are the ones `domain/ata-atp.md` cites:
//! the 2019 guide's prerequisites page, today's Defender for Identity prerequisites, and
//! Microsoft's `Test-MdiReadiness.ps1`.

/// .NET Framework 4.7: the lowest `Release` value of 4.7 (Windows 10 Creators Update;
/// other systems report 460805). Compare with `>=`, never equality.
pub const DOTNET_MIN_RELEASE: u32 = 460_798;

/// At least two logical processors (both guides; `Test-MdiReadiness` counts
/// `NumberOfLogicalProcessors`).
pub const MIN_LOGICAL_PROCESSORS: u32 = 2;

const GIB: u64 = 1024 * 1024 * 1024;
const MIB: u64 = 1024 * 1024;

/// 6 GB of RAM, less 1 MB: `Test-MdiReadiness` compares `TotalPhysicalMemory` with
/// `6GB - 1MB`, because Windows reports a little less than the installed memory. A DC with
/// exactly 6 GB installed must pass.
pub const MIN_MEMORY_BYTES: u64 = 6 * GIB - MIB;

/// Free space on the system drive: today's minimum (the 2019 guide said 5 GB).
pub const MIN_FREE_DISK_BYTES: u64 = 6 * GIB;
/// Free space both guides recommend; between the minimum and this, a warning.
pub const RECOMMENDED_FREE_DISK_BYTES: u64 = 10 * GIB;
/// The 2019 guide's minimum, shown as evidence next to today's.
pub const MIN_FREE_DISK_BYTES_2019: u64 = 5 * GIB;

/// The High performance power scheme (a built-in GUID, the same on every Windows).
pub const HIGH_PERFORMANCE_SCHEME: &str = "8c5e7fda-e8bf-4a96-9a85-a6e23a8c635c";

/// Windows Server 2019 build.
pub const SERVER_2019_BUILD: u32 = 17763;
/// `ntdsai.dll` of KB4487044: a Server 2019 DC with an older one stops the sensor.
pub const NTDSAI_MIN_2019: [u32; 4] = [10, 0, 17763, 316];

/// Clock offset allowed between a sensor's DC and the domain (Kerberos' default skew).
pub const MAX_TIME_OFFSET_SECONDS: f64 = 300.0;

/// The ATA Center certificate must stay valid this long: ATA itself starts warning three
/// months before expiry, and a new certificate has to reach every gateway before it can be
/// activated, which takes days to weeks in a real deployment.
pub const CERTIFICATE_WARNING_DAYS: i64 = 90;

/// A directory services account password expiring within this many days is flagged: the
/// move takes weeks, and an expired password stops every sensor using it.
pub const PASSWORD_WARNING_DAYS: i64 = 30;

/// The lowest forest functional level both ATA and the sensor accept: Windows Server 2003.
pub const MIN_FOREST_LEVEL: u32 = 2;

/// Default time allowed for one reachability probe (DNS, connect, CONNECT, TLS, answer).
pub const DEFAULT_PROBE_TIMEOUT_SECS: f64 = 10.0;

/// Windows Server releases by build number: (first build, name).
pub const SERVER_BUILDS: &[(u32, &str)] = &[
    (6001, "Windows Server 2008"),
    (7600, "Windows Server 2008 R2"),
    (9200, "Windows Server 2012"),
    (9600, "Windows Server 2012 R2"),
    (14393, "Windows Server 2016"),
    (17763, "Windows Server 2019"),
    (20348, "Windows Server 2022"),
    (26100, "Windows Server 2025"),
];

/// One advanced audit policy subcategory a sensor needs, Success and Failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditRequirement {
    /// Upper case, no braces, as `auditpol` prints it on every language.
    pub guid: &'static str,
    /// The English name (the DC may print another).
    pub name: &'static str,
    /// Its category under Advanced Audit Policy Configuration > Audit Policies.
    pub category: &'static str,
    /// The events it produces that Defender for Identity reads.
    pub events: &'static str,
    /// The subcategory logs failure events: without Failure those are lost. Microsoft
    /// asks for Failure on the others too, "in case they're implemented in the future".
    pub failure_events: bool,
}

const fn audit(
    guid: &'static str,
    name: &'static str,
    category: &'static str,
    events: &'static str,
    failure_events: bool,
) -> AuditRequirement {
    AuditRequirement {
        guid,
        name,
        category,
        events,
        failure_events,
    }
}

/// Domain controllers: Microsoft's "Configure audit policies for Windows event logs"
/// (2024) and `Test-MdiReadiness.ps1`'s `AdvancedAuditPolicyDCs`, all Success and Failure.
pub const DC_AUDIT_POLICY: &[AuditRequirement] = &[
    audit(
        "0CCE923F-69AE-11D9-BED3-505054503030",
        "Credential Validation",
        "Account Logon",
        "4776",
        true,
    ),
    audit(
        "0CCE9236-69AE-11D9-BED3-505054503030",
        "Computer Account Management",
        "Account Management",
        "4741, 4743",
        false,
    ),
    audit(
        "0CCE9238-69AE-11D9-BED3-505054503030",
        "Distribution Group Management",
        "Account Management",
        "4753, 4763",
        false,
    ),
    audit(
        "0CCE9237-69AE-11D9-BED3-505054503030",
        "Security Group Management",
        "Account Management",
        "4728, 4729, 4730, 4732, 4733, 4756, 4757, 4758",
        false,
    ),
    audit(
        "0CCE9235-69AE-11D9-BED3-505054503030",
        "User Account Management",
        "Account Management",
        "4726",
        true,
    ),
    audit(
        "0CCE923B-69AE-11D9-BED3-505054503030",
        "Directory Service Access",
        "DS Access",
        "4662",
        true,
    ),
    audit(
        "0CCE923C-69AE-11D9-BED3-505054503030",
        "Directory Service Changes",
        "DS Access",
        "5136",
        false,
    ),
    audit(
        "0CCE9211-69AE-11D9-BED3-505054503030",
        "Security System Extension",
        "System",
        "7045",
        false,
    ),
];

/// AD CS servers: "Audit Certification Services" (`AdvancedAuditPolicyCAs`).
pub const ADCS_AUDIT_POLICY: &[AuditRequirement] = &[audit(
    "0CCE9221-69AE-11D9-BED3-505054503030",
    "Certification Services",
    "Object Access",
    "4870-4899 (AD CS)",
    true,
)];

/// Microsoft Entra Connect servers: "Audit Logon" (`AdvancedAuditPolicyEntraConnect`).
pub const ENTRA_CONNECT_AUDIT_POLICY: &[AuditRequirement] = &[audit(
    "0CCE9215-69AE-11D9-BED3-505054503030",
    "Logon",
    "Logon/Logoff",
    "4624, 4625",
    true,
)];

/// AD FS servers: AD FS writes its audits (1202, 1203) through "Audit Application
/// Generated" (Microsoft's AD FS auditing guide: `auditpol /set /subcategory:"Application
/// Generated" /failure:enable /success:enable`).
pub const ADFS_AUDIT_POLICY: &[AuditRequirement] = &[audit(
    "0CCE9222-69AE-11D9-BED3-505054503030",
    "Application Generated",
    "Object Access",
    "1202, 1203",
    true,
)];

/// The CA's `AuditFilter` that audits every AD CS event category (`certutil -setreg
/// CA\AuditFilter 127`).
pub const CA_AUDIT_FILTER: u32 = 127;

/// NTLM auditing for event 8004 (`Test-MdiReadiness`'s `NTLMAuditing`): "Audit Incoming
/// NTLM Traffic" = Enable auditing for all accounts.
pub const NTLM_AUDIT_INCOMING: u32 = 2;
/// "Outgoing NTLM traffic to remote servers": Audit all (1); Deny all (2) is accepted too.
pub const NTLM_RESTRICT_OUTGOING: &[u32] = &[1, 2];
/// "Audit NTLM authentication in this domain": Enable all.
pub const NTLM_AUDIT_DOMAIN: u32 = 7;

/// The audit rights Microsoft asks for on descendant objects: Full Control less List
/// contents, Read all properties and Read permissions (`Test-MdiReadiness`: 852331).
pub const OBJECT_AUDIT_RIGHTS: u32 = 852_331;
/// The same for (group/delegated) managed service accounts (852075: without Control
/// access, as `Test-MdiReadiness` has it).
pub const MSA_AUDIT_RIGHTS: u32 = 852_075;

/// Descendant object classes whose changes the domain head must audit for Everyone:
/// (class, schemaIDGUID, rights, lowest schema `objectVersion` that has the class).
pub const OBJECT_AUDIT_CLASSES: &[(&str, &str, u32, u32)] = &[
    (
        "user",
        "bf967aba-0de6-11d0-a285-00aa003049e2",
        OBJECT_AUDIT_RIGHTS,
        0,
    ),
    (
        "group",
        "bf967a9c-0de6-11d0-a285-00aa003049e2",
        OBJECT_AUDIT_RIGHTS,
        0,
    ),
    (
        "computer",
        "bf967a86-0de6-11d0-a285-00aa003049e2",
        OBJECT_AUDIT_RIGHTS,
        0,
    ),
    (
        "msDS-ManagedServiceAccount",
        "ce206244-5827-4a86-ba1c-1c0c386c1b64",
        OBJECT_AUDIT_RIGHTS,
        0,
    ),
    (
        "msDS-GroupManagedServiceAccount",
        "7b8b558a-93a5-4af7-adca-c017e67f1057",
        MSA_AUDIT_RIGHTS,
        0,
    ),
    (
        "msDS-DelegatedManagedServiceAccount",
        "0feb936f-47b3-49f2-9386-1dedc2c23765",
        MSA_AUDIT_RIGHTS,
        90,
    ),
];

/// The Configuration container (forests with Exchange): Everyone, Write all properties,
/// Success and Failure, this object and all descendants (`ExchangeAuditing`: 32, 3).
pub const CONFIGURATION_AUDIT_RIGHTS: u32 = 0x20;
/// The AD FS container: Read and Write all properties (`ADFSAuditing`: 48, 3).
pub const ADFS_CONTAINER_AUDIT_RIGHTS: u32 = 0x30;

/// Root certificates the sensor's cloud endpoints chain to, by cloud (`Test-MdiReadiness`
/// `RootCertificates`): (thumbprint, name).
pub const ROOT_CERTIFICATES_COMMERCIAL: &[(&str, &str)] = &[(
    "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4",
    "DigiCert Global Root G2",
)];
pub const ROOT_CERTIFICATES_US_GOV: &[(&str, &str)] = &[(
    "A8985D3A65E5E5C4B2D7D66D40C6DD2FB19C5436",
    "DigiCert Global Root CA",
)];

/// The sensor v3.x (with Defender for Endpoint) runs on Windows Server 2019 and later.
pub const SENSOR_V3_MIN_BUILD: u32 = 17763;
/// Npcap releases before 1.0 are not supported by the sensor (it installs Npcap 1.0 OEM
/// from 2.184 on); WinPcap is not supported at all.
pub const NPCAP_MIN_VERSION: [u32; 2] = [1, 0];

/// Windows 10 1607 / Server 2016: from this build on, remote SAM calls to a member
/// computer are allowed to local Administrators only unless `RestrictRemoteSAM` says more.
pub const REMOTE_SAM_RESTRICTED_BUILD: u32 = 14393;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_threshold_is_test_mdireadiness_s() {
        // PowerShell: 6GB - 1MB
        assert_eq!(MIN_MEMORY_BYTES, 6_441_402_368);
        assert_eq!(MIN_FREE_DISK_BYTES, 6_442_450_944);
    }

    #[test]
    fn the_object_audit_rights_are_full_control_less_three() {
        use crate::directory::security_descriptor::rights::*;
        let full = 0xF01FF;
        assert_eq!(
            full & !(LIST_CHILDREN | READ_PROPERTY | READ_CONTROL | LIST_OBJECT),
            OBJECT_AUDIT_RIGHTS
        );
        assert_eq!(OBJECT_AUDIT_RIGHTS & !CONTROL_ACCESS, MSA_AUDIT_RIGHTS);
        for r in DC_AUDIT_POLICY {
            assert_eq!(
                crate::hosts::auditpol::normalize_guid(r.guid).as_deref(),
                Some(r.guid)
            );
        }
    }
}
