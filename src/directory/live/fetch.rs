//! The objects ATA names and the directory services accounts, looked up by id.

use ldap3::Scope;

use crate::directory::dsa::DsaIdentity;
use crate::directory::ldap::{Outcome, Search, SearchFailure};
use crate::directory::queries::*;
use crate::directory::resolve::Wanted;
use crate::directory::sid::{Sid, eq_filter, escape_bytes, or_filter};

use super::{IfAbsent, On, Reader};

/// The ids ATA holds, in OR-filter batches; misses go to the GC when one is given.
pub(super) async fn fetch_wanted(r: &mut Reader<'_>, nc: Option<&str>, w: &Wanted) {
    let Some(nc) = nc else { return };
    let sid_filters: Vec<String> = w.sids.iter().map(Sid::filter).collect();
    let guid_filters: Vec<String> = w
        .guids
        .iter()
        .map(|g| format!("(objectGUID={})", escape_bytes(g)))
        .collect();
    let name_filters: Vec<String> = w
        .names
        .iter()
        .map(|n| {
            or_filter(&[
                eq_filter("sAMAccountName", n),
                eq_filter("sAMAccountName", &format!("{n}$")),
                eq_filter("userPrincipalName", n),
                eq_filter("dNSHostName", n),
            ])
        })
        .collect();
    // A name expands to four assertions: fewer names per batch keeps filters alike in size.
    let batches = [
        (sid_filters, BATCH),
        (guid_filters, BATCH),
        (name_filters, BATCH / 4),
    ];
    let gattrs = ACCOUNT_ATTRS;
    for on in [On::Dc, On::Gc] {
        let on_gc = on == On::Gc;
        if on_gc && r.gc.is_none() {
            break;
        }
        let base = if on_gc { "" } else { nc };
        // Only a pass that ran to the end may say "not in AD" of what it did not find.
        let mut complete = true;
        for (filters, size) in &batches {
            for chunk in filters.chunks(*size) {
                if r.lost() && !on_gc {
                    return;
                }
                let filter = or_filter(chunk);
                let what = if on_gc {
                    "ATA entities in the global catalog"
                } else {
                    "ATA entities"
                };
                let out = r
                    .run(
                        what,
                        &Search::new(base, Scope::Subtree, &filter, gattrs),
                        on,
                        IfAbsent::Incomplete,
                    )
                    .await;
                complete &= out.failure.is_none();
                r.keep(&out);
            }
        }
        if !complete {
            continue;
        }
        if on_gc {
            // The GC covers every domain of the forest.
            for d in domain_ncs(r) {
                r.snap.mark_searched(&d);
            }
        } else {
            r.snap.mark_searched(nc);
        }
    }
}

/// The domain naming contexts the configuration partition lists.
pub(super) fn domain_ncs(r: &Reader<'_>) -> Vec<String> {
    r.snap
        .entries()
        .filter(|e| e.is_a("crossRef") && e.int("systemFlags").unwrap_or(0) & 2 != 0)
        .filter_map(|e| e.text("nCName"))
        .collect()
}

/// The directory services account's own entry.
pub(super) async fn fetch_dsa(r: &mut Reader<'_>, nc: Option<&str>, id: &DsaIdentity) {
    if let Some(dn) = &id.dn {
        let out = r
            .run(
                "the directory services account",
                &Search::new(dn, Scope::Base, "(objectClass=*)", ACCOUNT_ATTRS),
                On::Dc,
                IfAbsent::Fact,
            )
            .await;
        if let (Some(nc), true) = (nc, dn_lookup_done(&out)) {
            r.snap.mark_dsa_searched(nc);
        }
        r.keep(&out);
        return;
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(sam) = &id.sam {
        parts.push(eq_filter("sAMAccountName", sam));
        if !sam.ends_with('$') {
            parts.push(eq_filter("sAMAccountName", &format!("{sam}$")));
        }
    }
    if let Some(upn) = &id.upn {
        parts.push(eq_filter("userPrincipalName", upn));
    }
    if parts.is_empty() {
        return;
    }
    let filter = or_filter(&parts);
    if let Some(nc) = nc {
        let out = r
            .run(
                "the directory services account",
                &Search::new(nc, Scope::Subtree, &filter, ACCOUNT_ATTRS),
                On::Dc,
                IfAbsent::Incomplete,
            )
            .await;
        let found = !out.entries.is_empty();
        if out.failure.is_none() {
            r.snap.mark_dsa_searched(nc);
        }
        r.keep(&out);
        if found || r.gc.is_none() {
            return;
        }
    }
    if r.gc.is_some() {
        let out = r
            .run(
                "the directory services account in the global catalog",
                &Search::new("", Scope::Subtree, &filter, ACCOUNT_ATTRS),
                On::Gc,
                IfAbsent::Incomplete,
            )
            .await;
        if out.failure.is_none() {
            for d in domain_ncs(r) {
                r.snap.mark_dsa_searched(&d);
            }
        }
        r.keep(&out);
    }
}

/// A base search by DN answered: found, or "no such object".
pub(super) fn dn_lookup_done(out: &Outcome) -> bool {
    matches!(
        out.failure,
        None | Some(SearchFailure::Server { rc: 32, .. })
    )
}
