//! Names for the numbers AD reports: functional levels (`msDS-Behavior-Version`,
//! `forestFunctionality` …) and schema versions (`objectVersion`), and the well-known
//! groups whose members are sensitive by default.

/// The name of a functional level (MS-ADTS 6.1.4.2–4). Unknown values keep their number:
/// a future level must show up as such, not as a guess.
pub fn functional_level_name(level: u32) -> String {
    match level {
        0 => "Windows 2000".into(),
        1 => "Windows Server 2003 interim".into(),
        2 => "Windows Server 2003".into(),
        3 => "Windows Server 2008".into(),
        4 => "Windows Server 2008 R2".into(),
        5 => "Windows Server 2012".into(),
        6 => "Windows Server 2012 R2".into(),
        // 2019 and 2022 introduced no new level: their DCs report 7 too.
        7 => "Windows Server 2016".into(),
        10 => "Windows Server 2025".into(),
        n => format!("unknown level {n}"),
    }
}

/// The Windows release whose schema has this `objectVersion` (as Test-MdiReadiness maps it).
pub fn schema_version_name(version: u32) -> Option<&'static str> {
    Some(match version {
        13 => "Windows 2000",
        30 => "Windows Server 2003",
        31 => "Windows Server 2003 R2",
        44 => "Windows Server 2008",
        47 => "Windows Server 2008 R2",
        56 => "Windows Server 2012",
        69 => "Windows Server 2012 R2",
        87 => "Windows Server 2016",
        88 => "Windows Server 2019/2022",
        91 => "Windows Server 2025",
        _ => return None,
    })
}

/// Where a sensitive group's SID comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SidBase {
    /// `S-1-5-32-<rid>`: the Builtin domain, present in every domain of the forest.
    Builtin,
    /// `<domain SID>-<rid>`: one per domain.
    Domain,
    /// `<forest root domain SID>-<rid>`: only in the forest root domain.
    ForestRoot,
}

/// A group whose members ATA and Defender for Identity treat as sensitive by default
/// (ata-atp.md §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SensitiveGroup {
    pub name: &'static str,
    pub base: SidBase,
    pub rid: u32,
    /// Defender for Identity stopped tagging it automatically (Remote Desktop Users, 2018).
    pub ata_only: bool,
}

const fn g(name: &'static str, base: SidBase, rid: u32) -> SensitiveGroup {
    SensitiveGroup {
        name,
        base,
        rid,
        ata_only: false,
    }
}

/// A group only ATA still tags (see [`SensitiveGroup::ata_only`]).
const fn ata_only(name: &'static str, base: SidBase, rid: u32) -> SensitiveGroup {
    SensitiveGroup {
        ata_only: true,
        ..g(name, base, rid)
    }
}

/// The default sensitive groups with well-known SIDs. "Microsoft Exchange Servers" has
/// no well-known RID and is matched by name (see [`EXCHANGE_SERVERS`]).
pub const SENSITIVE_GROUPS: &[SensitiveGroup] = &[
    g("Administrators", SidBase::Builtin, 544),
    g("Power Users", SidBase::Builtin, 547),
    g("Account Operators", SidBase::Builtin, 548),
    g("Server Operators", SidBase::Builtin, 549),
    g("Print Operators", SidBase::Builtin, 550),
    g("Backup Operators", SidBase::Builtin, 551),
    g("Replicator", SidBase::Builtin, 552),
    ata_only("Remote Desktop Users", SidBase::Builtin, 555),
    g("Network Configuration Operators", SidBase::Builtin, 556),
    g("Incoming Forest Trust Builders", SidBase::Builtin, 557),
    g("Domain Admins", SidBase::Domain, 512),
    g("Domain Controllers", SidBase::Domain, 516),
    g("Group Policy Creator Owners", SidBase::Domain, 520),
    g("Read-only Domain Controllers", SidBase::Domain, 521),
    g("Schema Admins", SidBase::ForestRoot, 518),
    g("Enterprise Admins", SidBase::ForestRoot, 519),
    g(
        "Enterprise Read-only Domain Controllers",
        SidBase::ForestRoot,
        498,
    ),
];

/// The Exchange servers group, created by Exchange setup without a well-known RID.
pub const EXCHANGE_SERVERS: &str = "Microsoft Exchange Servers";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_have_names_and_unknown_ones_keep_their_number() {
        assert_eq!(functional_level_name(4), "Windows Server 2008 R2");
        assert_eq!(functional_level_name(7), "Windows Server 2016");
        assert_eq!(functional_level_name(10), "Windows Server 2025");
        assert_eq!(functional_level_name(8), "unknown level 8");
        assert_eq!(schema_version_name(88), Some("Windows Server 2019/2022"));
        assert_eq!(schema_version_name(12), None);
    }

    #[test]
    fn the_sensitive_group_table_matches_the_spec() {
        assert_eq!(SENSITIVE_GROUPS.len(), 17);
        let rd = SENSITIVE_GROUPS.iter().find(|g| g.rid == 555).unwrap();
        assert!(rd.ata_only);
        assert!(
            SENSITIVE_GROUPS
                .iter()
                .filter(|g| g.base == SidBase::ForestRoot)
                .all(|g| [518, 519, 498].contains(&g.rid))
        );
    }
}
