//! Group members: ranged `member` values completed, and nested groups expanded.

use std::collections::BTreeSet;

use ldap3::Scope;

use crate::directory::entry::{Entry, nc_of, normalize_dn};
use crate::directory::ldap::Search;
use crate::directory::queries::*;

use super::fetch::domain_ncs;
use super::{IfAbsent, On, Reader};

/// `member` of a large group comes in ranges (AD's MaxValRange, 1500 or 5000 values):
/// the entry holds `member;range=0-1499` and the rest must be asked for by range until
/// a range ending in `*` arrives.
pub(super) async fn complete_ranged_members(r: &mut Reader<'_>, group: &mut Entry) {
    let ranged: Vec<String> = group
        .names()
        .into_iter()
        .filter(|n| n.starts_with("member;range="))
        .collect();
    let Some(first) = ranged.into_iter().next() else {
        return;
    };
    let mut values = group.remove(&first).unwrap_or_default();
    let mut current = first;
    while let Some(end) = range_end(&current) {
        let Some(next_start) = end.checked_add(1) else {
            break;
        };
        let attr = format!("member;range={next_start}-*");
        let attrs = [attr.as_str()];
        let out = r
            .run(
                &format!("members of {} from {next_start}", group.display_name()),
                &Search::new(&group.dn, Scope::Base, "(objectClass=*)", &attrs),
                On::Dc,
                IfAbsent::Incomplete,
            )
            .await;
        let Some(e) = out.entries.into_iter().next() else {
            break;
        };
        let Some(name) = e
            .names()
            .into_iter()
            .find(|n| n.starts_with("member;range="))
        else {
            break;
        };
        values.extend(e.values(&name).into_iter().map(<[u8]>::to_vec));
        current = name;
    }
    for v in values {
        group.push("member", v);
    }
}

/// `member;range=1500-2999` → Some(2999); `member;range=3000-*` → None (the last range).
pub fn range_end(attr: &str) -> Option<u64> {
    let range = attr.rsplit_once("range=")?.1;
    let (_, end) = range.split_once('-')?;
    end.parse().ok()
}

/// Recursive expansion over `member` for servers without IN_CHAIN: every member not yet
/// read is read (base search); groups among them are expanded in turn.
pub(super) async fn expand_members(r: &mut Reader<'_>, groups: &[Entry], nc: &str) {
    let gattrs = group_attrs();
    let mut queue: Vec<String> = groups.iter().flat_map(|g| g.texts("member")).collect();
    let mut seen: BTreeSet<String> = groups.iter().map(|g| normalize_dn(&g.dn)).collect();
    // Only this partition's objects can be read here; members in other domains of the
    // forest (a child domain lies under this NC as text) stay known by DN only.
    let mut ncs_owned = domain_ncs(r);
    ncs_owned.push(nc.to_string());
    let ncs: Vec<&str> = ncs_owned.iter().map(String::as_str).collect();
    let here = |dn: &str| nc_of(dn, &ncs).is_some_and(|x| normalize_dn(x) == normalize_dn(nc));
    while let Some(dn) = queue.pop() {
        if !seen.insert(normalize_dn(&dn)) || !here(&dn) || r.lost() {
            continue;
        }
        let out = r
            .run(
                &format!("member {dn}"),
                &Search::new(&dn, Scope::Base, "(objectClass=*)", &gattrs),
                On::Dc,
                IfAbsent::Fact,
            )
            .await;
        for mut e in out.entries {
            if e.is_a("group") {
                complete_ranged_members(r, &mut e).await;
                queue.extend(e.texts("member"));
            }
            r.snap.insert(e);
        }
    }
}
