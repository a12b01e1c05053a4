//! The sensitive groups and their transitive members, and how an account is listed.

use std::collections::{BTreeMap, BTreeSet};

use super::{DomainInfo, View};
use crate::directory::entry::{Entry, normalize_dn};
use crate::directory::levels::{EXCHANGE_SERVERS, SENSITIVE_GROUPS, SidBase};
use crate::model::{DirectoryObject, PrivilegedGroup};

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

impl View<'_> {
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
                name: crate::directory::entry::rdn_value(dn),
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
}
