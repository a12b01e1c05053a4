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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_threshold_is_test_mdireadiness_s() {
        // PowerShell: 6GB - 1MB
        assert_eq!(MIN_MEMORY_BYTES, 6_441_402_368);
        assert_eq!(MIN_FREE_DISK_BYTES, 6_442_450_944);
    }
}
