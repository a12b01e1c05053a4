//! The rootDSE, the forest and its domains as the inventory lists them, and the
//! forest-wide features (Recycle Bin, KDS root keys).

use super::View;
use crate::directory::entry::{dns_from_dn, is_under, normalize_dn};
use crate::directory::levels::functional_level_name;
use crate::directory::queries;
use crate::model::{Domain, Forest, Level, RecycleBin, RootDse};

impl View<'_> {
    pub fn root_dse(&self) -> Option<RootDse> {
        let r = self.snap.root_dse.as_ref()?;
        let level = |attr: &str| {
            r.int(attr).map(|l| Level {
                level: l as u32,
                name: functional_level_name(l as u32),
            })
        };
        Some(RootDse {
            dns_host_name: r.text("dnsHostName"),
            default_naming_context: r.text("defaultNamingContext"),
            configuration_naming_context: r.text("configurationNamingContext"),
            schema_naming_context: r.text("schemaNamingContext"),
            root_domain_naming_context: r.text("rootDomainNamingContext"),
            naming_contexts: r.texts("namingContexts"),
            forest_functionality: level("forestFunctionality"),
            domain_functionality: level("domainFunctionality"),
            domain_controller_functionality: level("domainControllerFunctionality"),
            global_catalog_ready: r.boolean("isGlobalCatalogReady"),
        })
    }

    pub fn forest(&self, notes: &mut Vec<String>) -> Forest {
        let partitions = self
            .config_nc
            .as_ref()
            .and_then(|c| self.snap.get(&format!("CN=Partitions,{c}")));
        let level = partitions
            .and_then(|p| p.int("msDS-Behavior-Version"))
            .or_else(|| {
                self.snap
                    .root_dse
                    .as_ref()
                    .and_then(|r| r.int("forestFunctionality"))
            })
            .map(|l| l as u32);
        if level.is_none() {
            notes.push(
                "forest functional level unknown: neither CN=Partitions of the configuration partition nor the rootDSE was read"
                    .into(),
            );
        }
        let schema_dn = self
            .snap
            .root_dse
            .as_ref()
            .and_then(|r| r.text("schemaNamingContext"))
            .or_else(|| self.config_nc.as_ref().map(|c| format!("CN=Schema,{c}")));
        let root_domain = self
            .root_domain_dn()
            .map(|d| dns_from_dn(&d))
            .or_else(|| self.domains.first().map(|d| d.dns.clone()));
        if root_domain.is_none() {
            notes.push("forest root domain unknown: no configuration partition, rootDSE or domain head was read".into());
        }
        Forest {
            root_domain: root_domain.unwrap_or_default(),
            functional_level: level,
            functional_level_name: level.map(functional_level_name),
            schema_version: schema_dn
                .and_then(|s| self.snap.get(&s))
                .and_then(|s| s.int("objectVersion"))
                .map(|v| v as u32),
        }
    }

    pub fn domains_model(&self) -> Vec<Domain> {
        let default_nc = self
            .snap
            .root_dse
            .as_ref()
            .and_then(|r| r.text("defaultNamingContext"));
        let domain_fn = self
            .snap
            .root_dse
            .as_ref()
            .and_then(|r| r.int("domainFunctionality"));
        self.domains
            .iter()
            .map(|d| {
                // The head's own value first; the rootDSE speaks for the DC's domain only.
                let level = d.level.or_else(|| {
                    default_nc
                        .as_deref()
                        .filter(|nc| normalize_dn(nc) == normalize_dn(&d.dn))
                        .and(domain_fn)
                        .map(|l| l as u32)
                });
                Domain {
                    dns_name: d.dns.clone(),
                    netbios_name: d.netbios.clone(),
                    dn: d.dn.clone(),
                    sid: d.sid.as_ref().map(ToString::to_string),
                    functional_level: level,
                    functional_level_name: level.map(functional_level_name),
                }
            })
            .collect()
    }

    /// The Recycle Bin feature: enabled when its object's `msDS-EnabledFeatureBL` names
    /// `CN=Partitions` (or the container's `msDS-EnabledFeature` names the feature), not
    /// enabled when both were read without, absent from a schema that predates it.
    pub fn recycle_bin(&self) -> Option<RecycleBin> {
        let config = self.config_nc.as_ref()?;
        let container = queries::optional_features_container(config);
        let partitions_dn = format!("CN=Partitions,{config}");
        let partitions = self.snap.get(&partitions_dn);
        let feature = self.snap.entries().find(|e| {
            is_under(&e.dn, &container)
                && e.is_a("msDS-OptionalFeature")
                && (e.guid_of("msDS-OptionalFeatureGUID").as_deref()
                    == Some(queries::RECYCLE_BIN_FEATURE_GUID)
                    || e.text("cn")
                        .is_some_and(|c| c.eq_ignore_ascii_case("Recycle Bin Feature")))
        });
        let container_read = self.snap.get(&container).is_some();
        let Some(feature) = feature else {
            if self.snap.is_absent(&container) || container_read {
                return Some(RecycleBin {
                    enabled: Some(false),
                    evidence: format!(
                        "the forest has no Recycle Bin feature object under {container}: its schema predates                          Windows Server 2008 R2"
                    ),
                });
            }
            return Some(RecycleBin {
                enabled: None,
                evidence: format!("{container} was not read (export it, or read the forest live)"),
            });
        };
        let by_link = feature
            .texts("msDS-EnabledFeatureBL")
            .iter()
            .any(|d| normalize_dn(d) == normalize_dn(&partitions_dn));
        let by_container = partitions.is_some_and(|p| {
            p.texts("msDS-EnabledFeature")
                .iter()
                .any(|d| normalize_dn(d) == normalize_dn(&feature.dn))
        });
        Some(if by_link || by_container {
            RecycleBin {
                enabled: Some(true),
                evidence: if by_link {
                    format!(
                        "msDS-EnabledFeatureBL of {} names {partitions_dn}",
                        feature.dn
                    )
                } else {
                    format!(
                        "msDS-EnabledFeature of {partitions_dn} names {}",
                        feature.dn
                    )
                },
            }
        } else if partitions.is_some() {
            RecycleBin {
                enabled: Some(false),
                evidence: format!(
                    "{} has no msDS-EnabledFeatureBL naming {partitions_dn}, and {partitions_dn} no \
                     msDS-EnabledFeature naming it",
                    feature.dn
                ),
            }
        } else {
            RecycleBin {
                enabled: None,
                evidence: format!(
                    "{partitions_dn} was not read, and the feature object names no enabled scope"
                ),
            }
        })
    }

    /// KDS root keys below `CN=Master Root Keys,…`: `Some(true)` when one was seen,
    /// `Some(false)` when the container was read and holds none or does not exist, `None`
    /// when it was not read.
    pub fn kds_root_key_present(&self) -> Option<bool> {
        if self.snap.entries().any(|e| e.is_a("msKds-ProvRootKey")) {
            return Some(true);
        }
        let config = self.config_nc.as_ref()?;
        let container = queries::kds_container(config);
        (self.snap.get(&container).is_some() || self.snap.is_absent(&container)).then_some(false)
    }
}
