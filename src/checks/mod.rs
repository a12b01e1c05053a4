//! The prerequisite checks: a catalog of stable ids, and (per family) the code that
//! decides each one from the inventory or a live probe.
//!
//! The ids below are a contract: checklists name them in `gates`, accepted risks name
//! them in `checks.yaml`, reports and scripts grep for them. Add new ids freely; never
//! rename one.

use crate::model::GuideRef;

/// What the catalog knows about a check before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub guide: GuideRef,
    /// The check runs once per subject (a DC, a domain, a log file…).
    pub per_subject: bool,
}

const fn check(id: &'static str, title: &'static str, guide: GuideRef, per_subject: bool) -> CheckInfo {
    CheckInfo {
        id,
        title,
        guide,
        per_subject,
    }
}

use GuideRef::{AzureAtp2019 as G2019, Both, MdiCurrent as Now};

/// Every check ata2atp knows, in the order reports list them.
pub const CATALOG: &[CheckInfo] = &[
    check("tenant.admin", "Azure AD tenant with a global or security administrator", Both, false),
    check("forest.functional_level", "Forest functional level Windows Server 2003 or higher", Both, false),
    check("domain.functional_level", "Domain functional level", Both, true),
    check("dc.facts", "Facts collected from the domain controller", Both, true),
    check("dc.os", "Operating system supported by the sensor (today's requirements)", Now, true),
    check("dc.os_2019", "Operating system supported by the sensor (requirements of the 2019 guide)", G2019, true),
    check("dc.rodc", "Read-only domain controller noted", Both, true),
    check("dc.dotnet", ".NET Framework 4.7 or later", Both, true),
    check("dc.cpu", "At least 2 cores", Both, true),
    check("dc.memory", "At least 6 GB of RAM", Both, true),
    check("dc.disk", "At least 6 GB free on the system drive (10 GB recommended)", Both, true),
    check("dc.power_plan", "Power plan set to High performance", Both, true),
    check("dc.kb4487044", "Windows Server 2019 has KB4487044 (ntdsai.dll 10.0.17763.316 or later)", Both, true),
    check("dc.time_sync", "Clock within 5 minutes of the domain", Both, true),
    check("dc.lightweight_gateway", "ATA Lightweight Gateway uninstalled before the sensor", Both, true),
    check("dsa.credentials", "Directory services account credentials are valid", Both, false),
    check("dsa.deleted_objects", "Directory services account can read Deleted Objects", Both, false),
    check("dsa.privileges", "Directory services account is not a member of sensitive groups", Both, false),
    check("dsa.gmsa_kds", "gMSA directory services account has a KDS root key", Now, false),
    check("dsa.matches_ata", "The account ATA uses exists in Active Directory", Both, false),
    check("network.sensor_api", "Cloud service reachable directly", Both, false),
    check("network.sensor_api_proxy", "Cloud service reachable through the customer's proxy", Both, false),
    check("ata.open_alerts", "Open and suppressed ATA alerts recorded (alerts are not imported)", Both, false),
    check("ata.gateways_registered", "ATA gateways still registered with the Center", Both, false),
    check("ata.console_url", "ATA console URL is a host name, not an IP literal", Both, false),
    check("ata.pending_change", "No console URL or certificate change awaiting activation", Both, false),
    check("ata.certificate_thumbprints", "Certificate thumbprints agree across ATA profiles", Both, false),
    check("ata.center_certificate", "ATA Center certificate valid for the duration of the move", Both, false),
    check("ata.synchronizer_rodc", "No read-only DC is a domain synchronizer candidate", G2019, false),
    check("ata.role_groups", "ATA role group members mapped to the cloud's role groups", Both, false),
    check("ata.gateway_logs", "ATA gateway logs free of known errors", Both, true),
];

/// The catalog entry for `id`.
pub fn info(id: &str) -> Option<&'static CheckInfo> {
    CATALOG.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for c in CATALOG {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(
                c.id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '.' || ch == '_'),
                "{}",
                c.id
            );
        }
    }
}
