//! The domain controllers (computer objects matched with the servers of the
//! configuration partition) and the sites.

use std::collections::{BTreeSet, HashMap};

use super::View;
use crate::directory::entry::{
    Entry, dns_from_dn, is_under, normalize_dn, parent_dn, split_dn, uac, unescape_dn_value,
};
use crate::model::DomainController;

impl View<'_> {
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
