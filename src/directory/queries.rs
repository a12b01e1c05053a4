//! What the inventory asks the directory for: the attribute lists and filters shared by
//! the LDAP reader and by the export command lines of `ata2atp collector ldif`, so an
//! export holds exactly what a live read would fetch.
//!
//! Secrets are never asked for: no `msKds-RootKeyData`, no `msDS-ManagedPassword`.

use super::levels::{EXCHANGE_SERVERS, SENSITIVE_GROUPS, SidBase};
use super::sid::{Sid, eq_filter, or_filter};

pub const ROOT_DSE_ATTRS: &[&str] = &[
    "defaultNamingContext",
    "configurationNamingContext",
    "schemaNamingContext",
    "rootDomainNamingContext",
    "namingContexts",
    "dnsHostName",
    "serverName",
    "dsServiceName",
    "isGlobalCatalogReady",
    "forestFunctionality",
    "domainFunctionality",
    "domainControllerFunctionality",
    "supportedControl",
    "supportedCapabilities",
    "supportedLDAPVersion",
    "vendorName",
    "vendorVersion",
];

/// `CN=Partitions,<config>` and its crossRefs. `msDS-EnabledFeature` on the container
/// names the optional features enabled forest-wide (the Recycle Bin).
pub const PARTITIONS_ATTRS: &[&str] = &[
    "objectClass",
    "cn",
    "nCName",
    "dnsRoot",
    "nETBIOSName",
    "systemFlags",
    "msDS-Behavior-Version",
    "msDS-EnabledFeature",
];

/// The forest's optional features (`CN=Optional Features,…`): which feature each is, and
/// where it is enabled (`msDS-EnabledFeatureBL`, a back link AD returns only when asked).
pub const OPTIONAL_FEATURES_ATTRS: &[&str] = &[
    "objectClass",
    "cn",
    "msDS-OptionalFeatureGUID",
    "msDS-RequiredForestBehaviorVersion",
    "msDS-EnabledFeatureBL",
];

/// `msDS-OptionalFeatureGUID` of the Recycle Bin feature (MS-ADTS 3.1.1.9.1).
pub const RECYCLE_BIN_FEATURE_GUID: &str = "766ddcd8-acd0-445e-f3b9-a7f9b6744f2a";

/// `CN=Optional Features,…` below the configuration NC.
pub fn optional_features_container(config_nc: &str) -> String {
    format!("CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,{config_nc}")
}

/// The schema NC head.
pub const SCHEMA_ATTRS: &[&str] = &["objectClass", "objectVersion"];

/// Sites, servers and their NTDS Settings.
pub const SITES_ATTRS: &[&str] = &[
    "objectClass",
    "cn",
    "dNSHostName",
    "serverReference",
    "options",
    "msDS-Behavior-Version",
    "msDS-HasDomainNCs",
    "hasMasterNCs",
    // On an RODC's NTDS Settings (constructed): where the nTDSDSARO class is not shown.
    "msDS-isRODC",
];
pub const SITES_FILTER: &str =
    "(|(objectClass=site)(objectClass=server)(objectClass=nTDSDSA)(objectClass=nTDSDSARO))";

/// KDS root keys: only their names. `msKds-RootKeyData` is the key itself and is never
/// requested.
pub const KDS_ATTRS: &[&str] = &["objectClass", "cn", "msKds-CreateTime"];

/// A domain NC head: SID, level, password and lockout policy.
pub const DOMAIN_HEAD_ATTRS: &[&str] = &[
    "objectClass",
    "name",
    "objectSid",
    "objectGUID",
    "msDS-Behavior-Version",
    "maxPwdAge",
    "lockoutDuration",
];

/// Users, computers, groups and gMSAs: enough to name them, tell their kind and state,
/// and find DCs among them.
pub const ACCOUNT_ATTRS: &[&str] = &[
    "objectClass",
    "cn",
    "name",
    "sAMAccountName",
    "userPrincipalName",
    "objectSid",
    "objectGUID",
    "userAccountControl",
    "primaryGroupID",
    "dNSHostName",
    "operatingSystem",
    "operatingSystemVersion",
    "msDS-isRODC",
    "serverReferenceBL",
    "pwdLastSet",
    "accountExpires",
    "lockoutTime",
];

/// [`ACCOUNT_ATTRS`] and `member`, for groups.
pub fn group_attrs() -> Vec<&'static str> {
    let mut a = ACCOUNT_ATTRS.to_vec();
    a.push("member");
    a
}

/// Every object the offline export needs from a domain.
pub const ACCOUNTS_FILTER: &str = "(|(objectClass=user)(objectClass=group)(objectClass=computer)(objectClass=foreignSecurityPrincipal))";

/// DC computer objects: SERVER_TRUST_ACCOUNT (0x2000), PARTIAL_SECRETS_ACCOUNT
/// (0x4000000, RODC), or primary group Domain Controllers / Read-only Domain Controllers.
pub const DC_FILTER: &str = "(&(objectClass=computer)(|(userAccountControl:1.2.840.113556.1.4.803:=8192)\
(userAccountControl:1.2.840.113556.1.4.803:=67108864)(primaryGroupID=516)(primaryGroupID=521)))";

/// The sensitive groups of a domain: by well-known SID, plus Exchange's by name.
pub fn sensitive_groups_filter(domain_sid: Option<&Sid>, forest_root: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    for g in SENSITIVE_GROUPS {
        let sid = match (g.base, domain_sid) {
            (SidBase::Builtin, _) => format!("S-1-5-32-{}", g.rid).parse::<Sid>().ok(),
            (SidBase::Domain, Some(d)) => Some(d.with_rid(g.rid)),
            (SidBase::ForestRoot, Some(d)) if forest_root => Some(d.with_rid(g.rid)),
            _ => None,
        };
        if let Some(s) = sid {
            parts.push(s.filter());
        }
    }
    parts.push(eq_filter("cn", EXCHANGE_SERVERS));
    format!("(&(objectClass=group){})", or_filter(&parts))
}

/// Accounts whose primary group is one of the domain-relative sensitive groups.
pub fn primary_group_filter(forest_root: bool) -> String {
    let parts: Vec<String> = SENSITIVE_GROUPS
        .iter()
        .filter(|g| g.base == SidBase::Domain || (forest_root && g.base == SidBase::ForestRoot))
        .map(|g| format!("(primaryGroupID={})", g.rid))
        .collect();
    or_filter(&parts)
}

/// `CN=Master Root Keys,…` below the configuration NC.
pub fn kds_container(config_nc: &str) -> String {
    format!("CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services,{config_nc}")
}

/// Most ids in one OR filter: the bound, far below AD's request size limits
/// (200 binary SIDs make a filter of about 18 KB).
pub const BATCH: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_carry_the_sids() {
        let d: Sid = "S-1-5-21-1-2-3".parse().unwrap();
        let f = sensitive_groups_filter(Some(&d), true);
        assert!(ldap3::parse_filter(&f).is_ok(), "{f}");
        assert_eq!(f.matches("objectSid=").count(), 17);
        let f = sensitive_groups_filter(Some(&d), false);
        assert_eq!(f.matches("objectSid=").count(), 14);
        let f = sensitive_groups_filter(None, false);
        assert_eq!(f.matches("objectSid=").count(), 10);
        assert!(ldap3::parse_filter(DC_FILTER).is_ok());
        assert!(ldap3::parse_filter(SITES_FILTER).is_ok());
        assert!(ldap3::parse_filter(ACCOUNTS_FILTER).is_ok());
        assert_eq!(
            primary_group_filter(false),
            "(|(primaryGroupID=512)(primaryGroupID=516)(primaryGroupID=520)(primaryGroupID=521))"
        );
        assert!(
            !KDS_ATTRS
                .iter()
                .any(|a| a.eq_ignore_ascii_case("msKds-RootKeyData"))
        );
        // What the readers need of the configuration partition is asked for (an RODC's
        // NTDS Settings, the Recycle Bin's scope on both sides of its link).
        assert!(SITES_ATTRS.contains(&"msDS-isRODC"));
        assert!(PARTITIONS_ATTRS.contains(&"msDS-EnabledFeature"));
        assert!(OPTIONAL_FEATURES_ATTRS.contains(&"msDS-EnabledFeatureBL"));
    }
}
