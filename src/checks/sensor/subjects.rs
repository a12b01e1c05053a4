//! Which domain controllers the per-DC checks run on: every DC the directory lists and
//! every host the DC facts describe, matched to each other by name.

use crate::model::{DcFacts, DomainController, Gateway, Inventory};

/// One domain controller and everything known about it.
#[derive(Debug, Clone, Copy)]
pub struct Dc<'a> {
    pub facts: Option<&'a DcFacts>,
    pub directory: Option<&'a DomainController>,
    /// The ATA gateway registered under this DC's name, if any.
    pub gateway: Option<&'a Gateway>,
}

impl Dc<'_> {
    /// The subject: the DNS name when known, else the name given.
    pub fn label(&self) -> String {
        let from_facts = self.facts.map(|f| f.name.clone());
        let dns = self.directory.and_then(|d| d.dns_host_name.clone());
        match (from_facts, dns) {
            (Some(f), _) if f.contains('.') => f,
            (_, Some(d)) => d,
            (Some(f), None) => f,
            (None, None) => self.directory.map(|d| d.name.clone()).unwrap_or_default(),
        }
    }
}

/// Where one DC's data sits in the inventory, by index: cheap to copy into a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DcRef {
    pub directory: Option<usize>,
    pub facts: Option<usize>,
    pub gateway: Option<usize>,
}

impl DcRef {
    pub fn resolve<'a>(&self, inv: &'a Inventory) -> Dc<'a> {
        Dc {
            facts: self.facts.and_then(|i| inv.hosts.get(i)),
            directory: self.directory.and_then(|i| {
                inv.directory
                    .as_ref()
                    .and_then(|d| d.domain_controllers.get(i))
            }),
            gateway: self.gateway.and_then(|i| inv.ata.gateways.get(i)),
        }
    }
}

fn short(name: &str) -> String {
    name.split('.').next().unwrap_or(name).to_ascii_lowercase()
}

/// Every DC to check: the directory's, then hosts only the facts describe. Facts are
/// matched to a directory DC by full DNS name first, then by short name (Windows' rule),
/// each facts entry to one DC at most. Linear in the number of DCs.
pub fn domain_controller_refs(inv: &Inventory) -> Vec<DcRef> {
    use std::collections::HashMap;
    let mut by_full: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_short: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, h) in inv.hosts.iter().enumerate() {
        by_full
            .entry(h.name.to_ascii_lowercase())
            .or_default()
            .push(i);
        by_short.entry(short(&h.name)).or_default().push(i);
    }
    let mut gateways: HashMap<String, usize> = HashMap::new();
    for (i, g) in inv.ata.gateways.iter().enumerate() {
        gateways.entry(short(&g.name)).or_insert(i);
    }
    let mut used = vec![false; inv.hosts.len()];
    let take = |candidates: Option<&Vec<usize>>, used: &mut Vec<bool>| {
        let found = candidates?.iter().copied().find(|i| !used[*i])?;
        used[found] = true;
        Some(found)
    };
    let mut refs = Vec::new();
    if let Some(dir) = &inv.directory {
        for (d, dc) in dir.domain_controllers.iter().enumerate() {
            let full = dc.dns_host_name.as_deref().map(str::to_ascii_lowercase);
            let facts = full
                .as_ref()
                .and_then(|f| take(by_full.get(f), &mut used))
                .or_else(|| take(by_full.get(&dc.name.to_ascii_lowercase()), &mut used))
                .or_else(|| take(by_short.get(&short(&dc.name)), &mut used));
            refs.push(DcRef {
                directory: Some(d),
                facts,
                gateway: gateways.get(&short(&dc.name)).copied(),
            });
        }
    }
    for (i, h) in inv.hosts.iter().enumerate() {
        if !used[i] {
            refs.push(DcRef {
                directory: None,
                facts: Some(i),
                gateway: gateways.get(&short(&h.name)).copied(),
            });
        }
    }
    refs
}

/// Every DC to check (see [`domain_controller_refs`]).
pub fn domain_controllers(inv: &Inventory) -> Vec<Dc<'_>> {
    domain_controller_refs(inv)
        .iter()
        .map(|r| r.resolve(inv))
        .collect()
}
