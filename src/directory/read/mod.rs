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

use super::entry::{Entry, dns_from_dn, is_under, normalize_dn, parent_dn, split_dn};
use super::sid::Sid;
use super::snapshot::DirectorySnapshot;
use crate::model::DirectoryInventory;

mod controllers;
mod forest;
mod groups;

#[cfg(test)]
mod tests;

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
        found(&self.by_sid, sid)
    }

    /// GUIDs are matched in lower case; names case-insensitively, as AD does.
    pub fn by_guid(&self, guid: &str) -> &[&'a Entry] {
        found(&self.by_guid, &guid.to_ascii_lowercase())
    }

    pub fn by_sam(&self, sam: &str) -> &[&'a Entry] {
        found(&self.by_sam, &sam.to_lowercase())
    }

    pub fn by_upn(&self, upn: &str) -> &[&'a Entry] {
        found(&self.by_upn, &upn.to_lowercase())
    }

    pub fn by_dns(&self, dns: &str) -> &[&'a Entry] {
        found(&self.by_dns, &dns.to_lowercase())
    }
}

fn found<'m, 'a>(index: &'m HashMap<String, Vec<&'a Entry>>, key: &str) -> &'m [&'a Entry] {
    index.get(key).map_or(&[], Vec::as_slice)
}

/// `DC=DomainDnsZones,…` and `DC=ForestDnsZones,…`: the DNS application partitions every
/// AD-integrated DNS forest has.
fn is_dns_application_partition(dn: &str) -> bool {
    split_dn(dn).first().is_some_and(|r| {
        r.eq_ignore_ascii_case("DC=DomainDnsZones") || r.eq_ignore_ascii_case("DC=ForestDnsZones")
    })
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
