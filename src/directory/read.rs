//! From a [`DirectorySnapshot`] to the inventory's `directory` section: the forest, its
//! domains and sites, the domain controllers, and the sensitive groups with their
//! transitive members. Pure: no I/O, the same result for a live read and an LDIF export.
//!
//! Where AD keeps each fact (ata-atp.md §3):
//! - forest level: `msDS-Behavior-Version` on `CN=Partitions,<config>`; domains: the
//!   crossRef objects below it with `systemFlags` bit 2 (`nCName`, `dnsRoot`,
//!   `nETBIOSName`); domain level and SID: the domain NC head;
//! - the Recycle Bin: its optional feature object under `CN=Optional Features,…` and its
//!   `msDS-EnabledFeatureBL`, or `msDS-EnabledFeature` on `CN=Partitions`;
//! - sites and servers: `CN=Sites,<config>`; a server's `NTDS Settings` (nTDSDSA) holds
//!   the GC flag (`options` bit 1) and the DC's level;
//! - DC computer objects: `userAccountControl` SERVER_TRUST (0x2000) or
//!   PARTIAL_SECRETS (0x4000000, an RODC), or primary group 516/521. A DC is read-only
//!   by the UAC bit, primary group 521, `msDS-isRODC` (on the computer or its NTDS
//!   Settings) or an nTDSDSARO object: any one suffices, because `msDS-isRODC` is only
//!   computed when the nTDSDSA object exists;
//! - application partitions (DomainDnsZones, ForestDnsZones) have domainDNS heads but
//!   are not domains: their crossRefs lack FLAG_CR_NTDS_DOMAIN, and their heads have no
//!   objectSid.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::entry::{
    Entry, dns_from_dn, is_under, normalize_dn, parent_dn, split_dn, uac, unescape_dn_value,
};
use super::levels::{EXCHANGE_SERVERS, SENSITIVE_GROUPS, SidBase, functional_level_name};
use super::sid::Sid;
use super::snapshot::DirectorySnapshot;
use crate::model::{
    DirectoryInventory, DirectoryObject, Domain, DomainController, Forest, Level, PrivilegedGroup,
    RecycleBin, RootDse,
};

/// A domain of the forest as the snapshot knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainInfo {
    pub dn: String,
    pub dns: String,
    pub netbios: Option<String>,
    pub sid: Option<Sid>,
    pub level: Option<u32>,
}

/// The snapshot with its indexes and the forest layout worked out.
pub struct View<'a> {
    pub snap: &'a DirectorySnapshot,
    pub config_nc: Option<String>,
    /// Root domain first, then by DNS name.
    pub domains: Vec<DomainInfo>,
    by_sid: HashMap<String, Vec<&'a Entry>>,
    by_guid: HashMap<String, Vec<&'a Entry>>,
    by_sam: HashMap<String, Vec<&'a Entry>>,
    by_upn: HashMap<String, Vec<&'a Entry>>,
    by_dns: HashMap<String, Vec<&'a Entry>>,
}

fn is_account(e: &Entry) -> bool {
    [
        "user",
        "group",
        "computer",
        "foreignSecurityPrincipal",
        "inetOrgPerson",
    ]
    .iter()
    .any(|c| e.is_a(c))
}

impl<'a> View<'a> {
    pub fn new(snap: &'a DirectorySnapshot) -> Self {
        let root = snap.root_dse.as_ref();
        let config_nc = root
            .and_then(|r| r.text("configurationNamingContext"))
            .or_else(|| {
                snap.entries()
                    .find(|e| e.is_a("crossRefContainer"))
                    .map(|e| parent_dn(&e.dn))
            })
            .or_else(|| {
                snap.entries()
                    .find(|e| {
                        split_dn(&e.dn)
                            .first()
                            .is_some_and(|r| r.eq_ignore_ascii_case("CN=Configuration"))
                            && split_dn(&e.dn)
                                .iter()
                                .skip(1)
                                .all(|r| r.to_ascii_uppercase().starts_with("DC="))
                    })
                    .map(|e| e.dn.clone())
            });
        let mut v = View {
            snap,
            config_nc,
            domains: Vec::new(),
            by_sid: HashMap::new(),
            by_guid: HashMap::new(),
            by_sam: HashMap::new(),
            by_upn: HashMap::new(),
            by_dns: HashMap::new(),
        };
        for e in snap.entries() {
            if let Some(s) = e.sid() {
                v.by_sid.entry(s.to_string()).or_default().push(e);
            }
            if let Some(g) = e.guid() {
                v.by_guid.entry(g).or_default().push(e);
            }
            if let Some(s) = e.text("sAMAccountName") {
                v.by_sam.entry(s.to_lowercase()).or_default().push(e);
            }
            if let Some(s) = e.text("userPrincipalName") {
                v.by_upn.entry(s.to_lowercase()).or_default().push(e);
            }
            if let Some(s) = e.text("dNSHostName") {
                v.by_dns.entry(s.to_lowercase()).or_default().push(e);
            }
        }
        v.domains = v.find_domains();
        v
    }

    fn find_domains(&self) -> Vec<DomainInfo> {
        let mut found: BTreeMap<String, DomainInfo> = BTreeMap::new();
        let head = |dn: &str| self.snap.get(dn);
        // crossRefs of domain naming contexts (FLAG_CR_NTDS_DOMAIN = 2). The others name
        // the configuration and schema partitions and application partitions
        // (DomainDnsZones, ForestDnsZones: systemFlags 5), whose heads look like domains.
        let mut not_domains: BTreeSet<String> = BTreeSet::new();
        for cr in self.snap.entries().filter(|e| e.is_a("crossRef")) {
            let Some(nc) = cr.text("nCName") else {
                continue;
            };
            if cr.int("systemFlags").unwrap_or(0) & 2 == 0 {
                not_domains.insert(normalize_dn(&nc));
                continue;
            }
            let h = head(&nc);
            found.insert(
                normalize_dn(&nc),
                DomainInfo {
                    dns: cr
                        .text("dnsRoot")
                        .map(|d| d.to_ascii_lowercase())
                        .unwrap_or_else(|| dns_from_dn(&nc)),
                    netbios: cr.text("nETBIOSName"),
                    sid: h.and_then(Entry::sid),
                    level: h
                        .and_then(|h| h.int("msDS-Behavior-Version"))
                        .map(|l| l as u32),
                    dn: nc,
                },
            );
        }
        // Without the configuration partition: domain heads that were exported or read,
        // and the DC's own domain from the rootDSE. An application partition's head is a
        // domainDNS object too: one its crossRef marks, or (no crossRef read) one without
        // an objectSid and with a DNS application partition's name, is not a domain.
        let mut heads: Vec<String> = self
            .snap
            .entries()
            .filter(|e| {
                (e.is_a("domainDNS") || e.is_a("domain"))
                    && split_dn(&e.dn)
                        .iter()
                        .all(|r| r.to_ascii_uppercase().starts_with("DC="))
                    && !not_domains.contains(&normalize_dn(&e.dn))
                    && (e.sid().is_some() || !is_dns_application_partition(&e.dn))
            })
            .map(|e| e.dn.clone())
            .collect();
        if let Some(d) = self
            .snap
            .root_dse
            .as_ref()
            .and_then(|r| r.text("defaultNamingContext"))
        {
            heads.push(d);
        }
        for dn in heads {
            found.entry(normalize_dn(&dn)).or_insert_with(|| {
                let h = head(&dn);
                DomainInfo {
                    dns: dns_from_dn(&dn),
                    netbios: None,
                    sid: h.and_then(Entry::sid),
                    level: h
                        .and_then(|h| h.int("msDS-Behavior-Version"))
                        .map(|l| l as u32),
                    dn,
                }
            });
        }
        let root = self.root_domain_dn().map(|d| normalize_dn(&d));
        let mut out: Vec<DomainInfo> = found.into_values().collect();
        out.sort_by(|a, b| {
            let ra = root.as_deref() == Some(normalize_dn(&a.dn).as_str());
            let rb = root.as_deref() == Some(normalize_dn(&b.dn).as_str());
            rb.cmp(&ra).then_with(|| a.dns.cmp(&b.dns))
        });
        out
    }

    /// The forest root domain's DN: the rootDSE says it, else the configuration NC sits
    /// under it.
    pub fn root_domain_dn(&self) -> Option<String> {
        self.snap
            .root_dse
            .as_ref()
            .and_then(|r| r.text("rootDomainNamingContext"))
            .or_else(|| {
                self.config_nc
                    .as_deref()
                    .map(parent_dn)
                    .filter(|d| !d.is_empty())
            })
    }

    pub fn root_domain(&self) -> Option<&DomainInfo> {
        let root = normalize_dn(&self.root_domain_dn()?);
        self.domains.iter().find(|d| normalize_dn(&d.dn) == root)
    }

    /// The domain whose naming context holds `dn` (the longest match).
    pub fn domain_of(&self, dn: &str) -> Option<&DomainInfo> {
        self.domains
            .iter()
            .filter(|d| is_under(dn, &d.dn))
            .max_by_key(|d| d.dn.len())
    }

    /// True when `dn` belongs to domain `d` itself, not to a child domain below it
    /// (`DC=emea,DC=fabrikam,DC=test` lies under `DC=fabrikam,DC=test` as text).
    pub fn in_domain(&self, dn: &str, d: &DomainInfo) -> bool {
        self.domain_of(dn)
            .is_some_and(|x| normalize_dn(&x.dn) == normalize_dn(&d.dn))
    }

    /// The domain with this DNS or NetBIOS name.
    pub fn domain_named(&self, name: &str) -> Option<&DomainInfo> {
        self.domains.iter().find(|d| {
            d.dns.eq_ignore_ascii_case(name)
                || d.netbios
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// The domain a SID belongs to (its domain part equals the domain's SID).
    pub fn domain_of_sid(&self, sid: &Sid) -> Option<&DomainInfo> {
        self.domains
            .iter()
            .find(|d| d.sid.as_ref().is_some_and(|ds| sid.is_in_domain(ds)))
    }

    pub fn by_sid(&self, sid: &str) -> &[&'a Entry] {
        self.by_sid.get(sid).map_or(&[], Vec::as_slice)
    }

    pub fn by_guid(&self, guid: &str) -> &[&'a Entry] {
        self.by_guid
            .get(&guid.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    pub fn by_sam(&self, sam: &str) -> &[&'a Entry] {
        self.by_sam
            .get(&sam.to_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    pub fn by_upn(&self, upn: &str) -> &[&'a Entry] {
        self.by_upn
            .get(&upn.to_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    pub fn by_dns(&self, dns: &str) -> &[&'a Entry] {
        self.by_dns
            .get(&dns.to_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    /// The object as the inventory lists it.
    pub fn object(&self, e: &Entry) -> DirectoryObject {
        DirectoryObject {
            name: e.display_name(),
            dn: e.dn.clone(),
            sid: e.sid().map(|s| s.to_string()),
            kind: e.kind().map(str::to_string),
            enabled: e.enabled(),
        }
    }

    /// An object known only by its DN (a member outside what was read).
    fn object_from_dn(&self, dn: &str) -> DirectoryObject {
        match self.snap.get(dn) {
            Some(e) => self.object(e),
            None => DirectoryObject {
                name: super::entry::rdn_value(dn),
                dn: dn.to_string(),
                sid: None,
                kind: None,
                enabled: None,
            },
        }
    }

    /// Transitive members of a group: what the server computed (IN_CHAIN), else the
    /// closure over `member` values, plus objects whose primary group it is. Sorted by DN.
    pub fn members(&self, group: &Entry, rid: Option<u32>) -> Vec<DirectoryObject> {
        let mut dns: BTreeMap<String, String> = BTreeMap::new();
        match self.snap.transitive(&group.dn) {
            Some(t) => dns.extend(t.iter().map(|(k, v)| (k.clone(), v.clone()))),
            None => {
                let mut queue: Vec<String> = group.texts("member");
                let mut seen: BTreeSet<String> = BTreeSet::from([normalize_dn(&group.dn)]);
                while let Some(m) = queue.pop() {
                    let key = normalize_dn(&m);
                    if !seen.insert(key.clone()) {
                        continue;
                    }
                    if let Some(e) = self.snap.get(&m)
                        && e.is_a("group")
                    {
                        queue.extend(e.texts("member"));
                    }
                    dns.insert(key, m);
                }
            }
        }
        // Primary group membership is not in `member`/`memberOf` (AD keeps it in the
        // member's primaryGroupID): DCs are in Domain Controllers only this way.
        if let (Some(rid), Some(domain)) = (rid, self.domain_of(&group.dn)) {
            for e in self.snap.entries() {
                if e.int("primaryGroupID") == Some(i64::from(rid))
                    && is_account(e)
                    && self.in_domain(&e.dn, domain)
                {
                    dns.insert(normalize_dn(&e.dn), e.dn.clone());
                }
            }
        }
        dns.remove(&normalize_dn(&group.dn));
        dns.values().map(|dn| self.object_from_dn(dn)).collect()
    }

    /// The sensitive groups found in each domain, with their members.
    pub fn privileged_groups(&self) -> Vec<PrivilegedGroup> {
        let root = self.root_domain().map(|d| d.dn.clone());
        let mut out = Vec::new();
        for d in &self.domains {
            let is_root = root
                .as_deref()
                .is_some_and(|r| normalize_dn(r) == normalize_dn(&d.dn));
            for g in SENSITIVE_GROUPS {
                let (sid, rid) = match g.base {
                    SidBase::Builtin => (format!("S-1-5-32-{}", g.rid), None),
                    SidBase::Domain => match &d.sid {
                        Some(s) => (s.with_rid(g.rid).to_string(), Some(g.rid)),
                        None => continue,
                    },
                    SidBase::ForestRoot => match (&d.sid, is_root) {
                        (Some(s), true) => (s.with_rid(g.rid).to_string(), Some(g.rid)),
                        _ => continue,
                    },
                };
                let Some(entry) = self
                    .by_sid(&sid)
                    .iter()
                    .copied()
                    .find(|e| self.in_domain(&e.dn, d))
                else {
                    continue;
                };
                out.push(self.group(entry, sid, rid, d));
            }
            for e in self.snap.entries().filter(|e| {
                e.is_a("group")
                    && self.in_domain(&e.dn, d)
                    && e.text("cn")
                        .or_else(|| Some(e.rdn_value()))
                        .is_some_and(|n| n.eq_ignore_ascii_case(EXCHANGE_SERVERS))
            }) {
                let sid = e.sid().map(|s| s.to_string()).unwrap_or_default();
                out.push(self.group(e, sid, None, d));
            }
        }
        out
    }

    fn group(
        &self,
        entry: &Entry,
        sid: String,
        rid: Option<u32>,
        d: &DomainInfo,
    ) -> PrivilegedGroup {
        PrivilegedGroup {
            name: entry.display_name(),
            sid,
            domain: Some(d.dns.clone()),
            dn: Some(entry.dn.clone()),
            members: self.members(entry, rid),
        }
    }

    /// DC computer objects and the servers of the configuration partition, matched up.
    pub fn domain_controllers(&self) -> Vec<DomainController> {
        let sites_dn = self.config_nc.as_ref().map(|c| format!("CN=Sites,{c}"));
        let servers: Vec<&Entry> = self
            .snap
            .entries()
            .filter(|e| e.is_a("server") && sites_dn.as_deref().is_none_or(|s| is_under(&e.dn, s)))
            .collect();
        // NTDS Settings objects by their server's DN, gathered in one pass.
        let ntds: HashMap<String, &Entry> = self
            .snap
            .entries()
            .filter(|n| is_ntds_settings(n))
            .map(|n| (normalize_dn(&parent_dn(&n.dn)), n))
            .collect();
        let ntds_of = |server: &Entry| ntds.get(&normalize_dn(&server.dn)).copied();
        let computers: Vec<&Entry> = self
            .snap
            .entries()
            .filter(|e| {
                e.is_a("computer") && {
                    let u = e.uac().unwrap_or(0);
                    u & (uac::SERVER_TRUST_ACCOUNT | uac::PARTIAL_SECRETS_ACCOUNT) != 0
                        || matches!(e.int("primaryGroupID"), Some(516 | 521))
                }
            })
            .collect();

        let mut used_servers: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        for c in &computers {
            let server = servers.iter().copied().find(|s| {
                s.text("serverReference").is_some_and(|r| normalize_dn(&r) == normalize_dn(&c.dn))
                    || c.texts("serverReferenceBL").iter().any(|bl| normalize_dn(bl) == normalize_dn(&s.dn))
                    || matches!((s.text("dNSHostName"), c.text("dNSHostName")), (Some(a), Some(b)) if a.eq_ignore_ascii_case(&b))
            });
            if let Some(s) = server {
                used_servers.insert(normalize_dn(&s.dn));
            }
            let ntds = server.and_then(ntds_of);
            let u = c.uac().unwrap_or(0);
            let read_only = u & uac::PARTIAL_SECRETS_ACCOUNT != 0
                || c.int("primaryGroupID") == Some(521)
                || c.boolean("msDS-isRODC") == Some(true)
                || ntds.is_some_and(ntds_read_only);
            out.push(DomainController {
                name: c.text("cn").unwrap_or_else(|| c.rdn_value()),
                dns_host_name: c
                    .text("dNSHostName")
                    .or_else(|| server.and_then(|s| s.text("dNSHostName"))),
                domain: self
                    .domain_of(&c.dn)
                    .map_or_else(|| dns_from_dn(&c.dn), |d| d.dns.clone()),
                site: server.and_then(site_of),
                os: c.text("operatingSystem"),
                os_version: c.text("operatingSystemVersion"),
                read_only,
                global_catalog: ntds.and_then(ntds_global_catalog),
                dn: Some(c.dn.clone()),
                functional_level: ntds
                    .and_then(|n| n.int("msDS-Behavior-Version"))
                    .map(|l| l as u32),
            });
        }
        // Servers whose computer object was not read (another domain, no GC given).
        for s in servers
            .iter()
            .filter(|s| !used_servers.contains(&normalize_dn(&s.dn)))
        {
            let Some(ntds) = ntds_of(s) else { continue };
            let dns_host = s.text("dNSHostName");
            let domain = ntds
                .texts("msDS-HasDomainNCs")
                .into_iter()
                .chain(ntds.texts("hasMasterNCs"))
                .find_map(|nc| {
                    self.domains
                        .iter()
                        .find(|d| normalize_dn(&d.dn) == normalize_dn(&nc))
                        .map(|d| d.dns.clone())
                })
                .or_else(|| {
                    s.text("serverReference")
                        .and_then(|r| self.domain_of(&r).map(|d| d.dns.clone()))
                })
                .or_else(|| {
                    dns_host.as_deref().and_then(|h| {
                        self.domains
                            .iter()
                            .filter(|d| h.to_ascii_lowercase().ends_with(&format!(".{}", d.dns)))
                            .max_by_key(|d| d.dns.len())
                            .map(|d| d.dns.clone())
                    })
                })
                .unwrap_or_default();
            out.push(DomainController {
                name: s.text("cn").unwrap_or_else(|| s.rdn_value()),
                dns_host_name: dns_host,
                domain,
                site: site_of(s),
                os: None,
                os_version: None,
                read_only: ntds_read_only(ntds),
                global_catalog: ntds_global_catalog(ntds),
                dn: s.text("serverReference"),
                functional_level: ntds.int("msDS-Behavior-Version").map(|l| l as u32),
            });
        }
        out.sort_by(|a, b| {
            a.domain
                .cmp(&b.domain)
                .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
        });
        out
    }

    pub fn sites(&self) -> Vec<String> {
        let Some(config) = &self.config_nc else {
            return Vec::new();
        };
        let sites_dn = format!("CN=Sites,{config}");
        let mut s: Vec<String> = self
            .snap
            .entries()
            .filter(|e| {
                e.is_a("site") && normalize_dn(&parent_dn(&e.dn)) == normalize_dn(&sites_dn)
            })
            .map(|e| e.text("cn").unwrap_or_else(|| e.rdn_value()))
            .collect();
        s.sort_by_key(|n| n.to_lowercase());
        s
    }

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
        let container = super::queries::optional_features_container(config);
        let partitions_dn = format!("CN=Partitions,{config}");
        let partitions = self.snap.get(&partitions_dn);
        let feature = self.snap.entries().find(|e| {
            is_under(&e.dn, &container)
                && e.is_a("msDS-OptionalFeature")
                && (e.guid_of("msDS-OptionalFeatureGUID").as_deref()
                    == Some(super::queries::RECYCLE_BIN_FEATURE_GUID)
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
        let container = super::queries::kds_container(config);
        (self.snap.get(&container).is_some() || self.snap.is_absent(&container)).then_some(false)
    }
}

/// `DC=DomainDnsZones,…` and `DC=ForestDnsZones,…`: the DNS application partitions every
/// AD-integrated DNS forest has.
fn is_dns_application_partition(dn: &str) -> bool {
    split_dn(dn).first().is_some_and(|r| {
        r.eq_ignore_ascii_case("DC=DomainDnsZones") || r.eq_ignore_ascii_case("DC=ForestDnsZones")
    })
}

/// An NTDS Settings object: of class nTDSDSA (nTDSDSARO on an RODC), or named so below a
/// server when an export left its classes out.
fn is_ntds_settings(e: &Entry) -> bool {
    e.is_a("nTDSDSA")
        || e.is_a("nTDSDSARO")
        || split_dn(&e.dn)
            .first()
            .is_some_and(|r| r.eq_ignore_ascii_case("CN=NTDS Settings"))
}

/// What an NTDS Settings object says of its DC: read-only (the nTDSDSARO class, or
/// `msDS-isRODC`, which AD computes and Samba exports), and whether it is a global
/// catalog (`options` bit 1; unknown when the object's class was not read, since then
/// its attributes may not have been either).
fn ntds_read_only(ntds: &Entry) -> bool {
    ntds.is_a("nTDSDSARO") || ntds.boolean("msDS-isRODC") == Some(true)
}

fn ntds_global_catalog(ntds: &Entry) -> Option<bool> {
    (ntds.is_a("nTDSDSA") || ntds.is_a("nTDSDSARO"))
        .then(|| ntds.int("options").unwrap_or(0) & 1 == 1)
}

/// `CN=DC1,CN=Servers,CN=<site>,CN=Sites,…` → the site's name.
fn site_of(server: &Entry) -> Option<String> {
    let rdns = split_dn(&server.dn);
    let servers = rdns.get(1)?;
    if !servers.eq_ignore_ascii_case("CN=Servers") {
        return None;
    }
    let site = rdns.get(2)?;
    site.split_once('=').map(|(_, v)| unescape_dn_value(v))
}

/// The `directory` section from a snapshot, without the directory services account
/// (see [`super::dsa`]).
pub fn derive(snap: &DirectorySnapshot) -> DirectoryInventory {
    let view = View::new(snap);
    derive_with(&view)
}

pub fn derive_with(view: &View<'_>) -> DirectoryInventory {
    let mut notes: Vec<String> = Vec::new();
    let forest = view.forest(&mut notes);
    let kds = view.kds_root_key_present();
    let snap = view.snap;
    let mut all_notes: Vec<String> = snap.incomplete.clone();
    all_notes.extend(snap.notes.iter().cloned());
    all_notes.extend(notes);
    if view.domains.is_empty() {
        all_notes.push(
            "no domain found: the source holds neither crossRef objects nor a domain head".into(),
        );
    }
    for d in &view.domains {
        if d.sid.is_none() {
            all_notes.push(format!(
                "the domain head of {} ({}) was not read: its SID and the groups based on it are unknown",
                d.dns, d.dn
            ));
        }
    }
    DirectoryInventory {
        root_dse: view.root_dse(),
        forest,
        domains: view.domains_model(),
        sites: view.sites(),
        domain_controllers: view.domain_controllers(),
        privileged_groups: view.privileged_groups(),
        directory_services_account: None,
        additional_directory_services_accounts: Vec::new(),
        kds_root_key_present: kds,
        recycle_bin: view.recycle_bin(),
        partial: !snap.incomplete.is_empty(),
        notes: all_notes,
        ..DirectoryInventory::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(dn: &str, attrs: &[(&str, &str)]) -> Entry {
        let mut e = Entry::new(dn);
        for (k, v) in attrs {
            e.push(k, v.as_bytes().to_vec());
        }
        e
    }

    fn sid(e: &mut Entry, s: &str) {
        e.push("objectSid", s.parse::<Sid>().unwrap().to_bytes());
    }

    /// A forest root read live, with a child domain known only from the configuration
    /// partition (its DC, an RODC, has a server object but no computer object here).
    fn snapshot() -> DirectorySnapshot {
        let mut s = DirectorySnapshot::default();
        s.insert(entry(
            "",
            &[
                ("defaultNamingContext", "DC=corp,DC=test"),
                (
                    "configurationNamingContext",
                    "CN=Configuration,DC=corp,DC=test",
                ),
                ("forestFunctionality", "6"),
            ],
        ));
        let c = "CN=Configuration,DC=corp,DC=test";
        s.insert(entry(
            &format!("CN=Partitions,{c}"),
            &[
                ("objectClass", "crossRefContainer"),
                ("msDS-Behavior-Version", "7"),
            ],
        ));
        for (cn, nc, dns, nb) in [
            ("CORP", "DC=corp,DC=test", "corp.test", "CORP"),
            ("KIDS", "DC=kids,DC=corp,DC=test", "kids.corp.test", "KIDS"),
        ] {
            s.insert(entry(
                &format!("CN={cn},CN=Partitions,{c}"),
                &[
                    ("objectClass", "crossRef"),
                    ("nCName", nc),
                    ("dnsRoot", dns),
                    ("nETBIOSName", nb),
                    ("systemFlags", "3"),
                ],
            ));
        }
        let mut head = entry(
            "DC=corp,DC=test",
            &[("objectClass", "domainDNS"), ("msDS-Behavior-Version", "6")],
        );
        sid(&mut head, "S-1-5-21-9-9-9");
        s.insert(head);
        s.insert(entry(
            &format!("CN=HQ,CN=Sites,{c}"),
            &[("objectClass", "site"), ("cn", "HQ")],
        ));
        s.insert(entry(
            &format!("CN=DC1,CN=Servers,CN=HQ,CN=Sites,{c}"),
            &[
                ("objectClass", "server"),
                ("dNSHostName", "dc1.corp.test"),
                (
                    "serverReference",
                    "CN=DC1,OU=Domain Controllers,DC=corp,DC=test",
                ),
            ],
        ));
        s.insert(entry(
            &format!("CN=NTDS Settings,CN=DC1,CN=Servers,CN=HQ,CN=Sites,{c}"),
            &[
                ("objectClass", "nTDSDSA"),
                ("options", "1"),
                ("msDS-Behavior-Version", "7"),
            ],
        ));
        s.insert(entry(
            &format!("CN=KRODC,CN=Servers,CN=HQ,CN=Sites,{c}"),
            &[
                ("objectClass", "server"),
                ("dNSHostName", "krodc.kids.corp.test"),
            ],
        ));
        s.insert(entry(
            &format!("CN=NTDS Settings,CN=KRODC,CN=Servers,CN=HQ,CN=Sites,{c}"),
            &[
                ("objectClass", "nTDSDSA"),
                ("objectClass", "nTDSDSARO"),
                ("options", "0"),
                ("msDS-HasDomainNCs", "DC=kids,DC=corp,DC=test"),
            ],
        ));
        let mut dc1 = entry(
            "CN=DC1,OU=Domain Controllers,DC=corp,DC=test",
            &[
                ("objectClass", "computer"),
                ("cn", "DC1"),
                ("sAMAccountName", "DC1$"),
                ("userAccountControl", "532480"),
                ("primaryGroupID", "516"),
            ],
        );
        sid(&mut dc1, "S-1-5-21-9-9-9-1000");
        s.insert(dc1);
        let mut da = entry(
            "CN=Domain Admins,CN=Users,DC=corp,DC=test",
            &[
                ("objectClass", "group"),
                ("sAMAccountName", "Domain Admins"),
                ("member", "CN=ann,CN=Users,DC=corp,DC=test"),
            ],
        );
        sid(&mut da, "S-1-5-21-9-9-9-512");
        s.insert(da);
        let mut ann = entry(
            "CN=ann,CN=Users,DC=corp,DC=test",
            &[
                ("objectClass", "user"),
                ("sAMAccountName", "ann"),
                ("userAccountControl", "512"),
            ],
        );
        sid(&mut ann, "S-1-5-21-9-9-9-1101");
        s.insert(ann);
        s
    }

    #[test]
    fn dcs_from_computers_and_from_the_configuration_partition() {
        let d = derive(&snapshot());
        assert_eq!(
            d.forest.functional_level,
            Some(7),
            "CN=Partitions wins over the rootDSE"
        );
        assert_eq!(
            d.domains
                .iter()
                .map(|x| x.dns_name.as_str())
                .collect::<Vec<_>>(),
            vec!["corp.test", "kids.corp.test"]
        );
        assert_eq!(d.domains[1].sid, None);
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("kids.corp.test") && n.contains("not read")),
            "{:?}",
            d.notes
        );
        let dc1 = d.domain_controller("dc1").unwrap();
        assert_eq!(
            (
                dc1.global_catalog,
                dc1.site.as_deref(),
                dc1.functional_level
            ),
            (Some(true), Some("HQ"), Some(7))
        );
        // Known only from its server object: domain from msDS-HasDomainNCs, read-only from
        // the nTDSDSARO class, no OS.
        let k = d.domain_controller("KRODC").unwrap();
        assert_eq!(
            (
                k.domain.as_str(),
                k.read_only,
                k.global_catalog,
                k.os.as_deref()
            ),
            ("kids.corp.test", true, Some(false), None)
        );
        assert_eq!(
            d.kds_root_key_present, None,
            "the KDS container was not read"
        );
        assert!(!d.partial);
    }

    #[test]
    fn ntds_settings_say_rodc_and_application_partitions_are_not_domains() {
        let mut s = snapshot();
        let c = "CN=Configuration,DC=corp,DC=test";
        // DC1's NTDS Settings say it is an RODC (Samba's way: msDS-isRODC, no nTDSDSARO).
        let ntds = format!("CN=NTDS Settings,CN=DC1,CN=Servers,CN=HQ,CN=Sites,{c}");
        s.insert(entry(&ntds, &[("msDS-isRODC", "TRUE")]));
        // A server whose NTDS Settings were exported without their classes.
        s.insert(entry(
            &format!("CN=DC3,CN=Servers,CN=HQ,CN=Sites,{c}"),
            &[("objectClass", "server"), ("dNSHostName", "dc3.corp.test")],
        ));
        s.insert(entry(
            &format!("CN=NTDS Settings,CN=DC3,CN=Servers,CN=HQ,CN=Sites,{c}"),
            &[("cn", "NTDS Settings")],
        ));
        // DomainDnsZones: a crossRef with systemFlags 5 and a domainDNS head; a
        // ForestDnsZones head with neither crossRef nor SID.
        s.insert(entry(
            &format!("CN=guid1,CN=Partitions,{c}"),
            &[
                ("objectClass", "crossRef"),
                ("nCName", "DC=DomainDnsZones,DC=corp,DC=test"),
                ("systemFlags", "5"),
            ],
        ));
        for h in [
            "DC=DomainDnsZones,DC=corp,DC=test",
            "DC=ForestDnsZones,DC=corp,DC=test",
        ] {
            s.insert(entry(h, &[("objectClass", "domainDNS")]));
        }
        // A domain head known without crossRef, SID in text form.
        s.insert(entry(
            "DC=other,DC=test",
            &[
                ("objectClass", "domainDNS"),
                ("objectSid", "S-1-5-21-7-7-7"),
            ],
        ));
        let d = derive(&s);
        let names: Vec<&str> = d.domains.iter().map(|x| x.dns_name.as_str()).collect();
        assert_eq!(names, vec!["corp.test", "kids.corp.test", "other.test"]);
        assert_eq!(d.domains[2].sid.as_deref(), Some("S-1-5-21-7-7-7"));
        assert!(d.domain_controller("DC1").unwrap().read_only);
        let dc3 = d.domain_controller("DC3").unwrap();
        assert_eq!(
            (dc3.global_catalog, dc3.domain.as_str()),
            (None, "corp.test")
        );
    }

    #[test]
    fn the_recycle_bin_from_its_feature_object_or_the_partitions_container() {
        let c = "CN=Configuration,DC=corp,DC=test";
        let features =
            format!("CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,{c}");
        let feature = format!("CN=Recycle Bin Feature,{features}");
        let with = |bl: Option<&str>, attr: Option<&str>, partitions: bool| {
            let mut s = snapshot();
            if !partitions {
                s = DirectorySnapshot::default();
                s.insert(entry(
                    "",
                    &[(
                        "configurationNamingContext",
                        "CN=Configuration,DC=corp,DC=test",
                    )],
                ));
            }
            let mut f = entry(
                &feature,
                &[
                    ("objectClass", "msDS-OptionalFeature"),
                    // Text form, as ldbsearch writes it; over LDAP it is 16 bytes.
                    (
                        "msDS-OptionalFeatureGUID",
                        "766ddcd8-acd0-445e-f3b9-a7f9b6744f2a",
                    ),
                ],
            );
            if let Some(b) = bl {
                f.push("msDS-EnabledFeatureBL", b.as_bytes().to_vec());
            }
            s.insert(f);
            if let Some(a) = attr {
                s.insert(entry(
                    &format!("CN=Partitions,{c}"),
                    &[("msDS-EnabledFeature", a)],
                ));
            }
            derive(&s).recycle_bin.unwrap()
        };
        let partitions = format!("CN=Partitions,{c}");
        let rb = with(Some(&partitions), None, true);
        assert_eq!(rb.enabled, Some(true));
        assert!(
            rb.evidence.contains("msDS-EnabledFeatureBL"),
            "{}",
            rb.evidence
        );
        let rb = with(None, Some(&feature), true);
        assert_eq!(rb.enabled, Some(true));
        assert!(
            rb.evidence.starts_with("msDS-EnabledFeature of"),
            "{}",
            rb.evidence
        );
        // The NTDS Settings of a DC in the back link, not the Partitions container: the
        // feature is enabled for that DC only, not the forest.
        let rb = with(
            Some(&format!(
                "CN=NTDS Settings,CN=DC1,CN=Servers,CN=HQ,CN=Sites,{c}"
            )),
            None,
            true,
        );
        assert_eq!(rb.enabled, Some(false), "{}", rb.evidence);
        // The feature without its scope, and the Partitions container not read: unknown.
        assert_eq!(with(None, None, false).enabled, None);
        // No Optional Features container at all: not read, unknown; absent, no feature.
        let s = snapshot();
        let rb = derive(&s).recycle_bin.unwrap();
        assert_eq!(rb.enabled, None, "{}", rb.evidence);
        let mut s = snapshot();
        s.mark_absent(&features);
        let rb = derive(&s).recycle_bin.unwrap();
        assert_eq!(rb.enabled, Some(false));
        assert!(rb.evidence.contains("predates"), "{}", rb.evidence);
    }

    #[test]
    fn members_from_in_chain_replace_the_expansion_and_primary_groups_are_added() {
        let mut s = snapshot();
        let da = "CN=Domain Admins,CN=Users,DC=corp,DC=test";
        let expanded = derive(&s);
        let g = expanded
            .privileged_groups
            .iter()
            .find(|g| g.name == "Domain Admins")
            .unwrap();
        assert_eq!(
            g.members
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>(),
            vec!["ann"]
        );
        let dcs = expanded
            .privileged_groups
            .iter()
            .find(|g| g.name == "Domain Controllers");
        assert!(dcs.is_none(), "the group object itself was not read");
        // The server's IN_CHAIN answer is what counts when present (here: a member whose
        // entry was not read is still listed, by its DN).
        s.set_transitive(
            da,
            [
                "CN=ann,CN=Users,DC=corp,DC=test".to_string(),
                "CN=bob,CN=Users,DC=corp,DC=test".to_string(),
            ],
        );
        let chained = derive(&s);
        let g = chained
            .privileged_groups
            .iter()
            .find(|g| g.name == "Domain Admins")
            .unwrap();
        let names: Vec<&str> = g.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, vec!["ann", "bob"]);
        assert_eq!(g.members[1].sid, None);
        assert_eq!(g.members[0].enabled, Some(true));
    }
}
