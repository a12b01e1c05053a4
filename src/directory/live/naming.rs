//! The searches of the naming contexts: the rootDSE and configuration partition, then
//! each domain (head, DCs, sensitive groups).

use std::collections::HashSet;

use ldap3::Scope;

use crate::directory::entry::{Entry, is_under, nc_of, normalize_dn};
use crate::directory::ldap::{Search, SearchFailure, oid};
use crate::directory::queries::*;

use super::fetch::domain_ncs;
use super::members::{complete_ranged_members, expand_members};
use super::{IfAbsent, On, Reader};

/// rootDSE and the configuration partition.
pub(super) async fn read_forest(r: &mut Reader<'_>) {
    let out = r
        .run(
            "the rootDSE",
            &Search::new("", Scope::Base, "(objectClass=*)", ROOT_DSE_ATTRS),
            On::Dc,
            IfAbsent::Incomplete,
        )
        .await;
    match out.entries.into_iter().next() {
        // The rootDSE comes back with an empty DN.
        Some(mut e) => {
            e.dn = String::new();
            r.snap.insert(e);
        }
        None if out.failure.is_none() => r
            .snap
            .incomplete
            .push(format!("{} returned no rootDSE", r.conn.server.url)),
        None => {}
    }
    let root = r.snap.root_dse.clone().unwrap_or_default();
    let Some(config) = root.text("configurationNamingContext") else {
        r.snap.notes.push(format!(
            "{} names no configuration partition in its rootDSE (not an AD DC?): forest, sites and domain controllers from it are unknown",
            r.conn.server.url
        ));
        return;
    };
    let partitions = format!("CN=Partitions,{config}");
    let out = r
        .run(
            "the forest's partitions",
            &Search::new(
                &partitions,
                Scope::Subtree,
                "(objectClass=*)",
                PARTITIONS_ATTRS,
            ),
            On::Dc,
            IfAbsent::Fact,
        )
        .await;
    r.keep(&out);
    let schema = root
        .text("schemaNamingContext")
        .unwrap_or_else(|| format!("CN=Schema,{config}"));
    let out = r
        .run(
            "the schema version",
            &Search::new(&schema, Scope::Base, "(objectClass=*)", SCHEMA_ATTRS),
            On::Dc,
            IfAbsent::Fact,
        )
        .await;
    r.keep(&out);
    let sites = format!("CN=Sites,{config}");
    let out = r
        .run(
            "sites and servers",
            &Search::new(&sites, Scope::Subtree, SITES_FILTER, SITES_ATTRS),
            On::Dc,
            IfAbsent::Fact,
        )
        .await;
    r.keep(&out);
    for base in [&partitions, &schema, &sites] {
        if !r.snap.entries().any(|e| is_under(&e.dn, base)) && !r.lost() {
            // A rootDSE may name a configuration partition the server does not hold
            // (OpenLDAP set up to look like AD): a fact about the server, not a gap.
            r.snap
                .notes
                .push(format!("{base} does not exist on {}", r.conn.server.url));
        }
    }
    let kds = kds_container(&config);
    let out = r
        .run(
            "KDS root keys",
            &Search::new(&kds, Scope::Subtree, "(objectClass=*)", KDS_ATTRS),
            On::Dc,
            IfAbsent::Fact,
        )
        .await;
    r.keep(&out);
    if matches!(out.failure, Some(SearchFailure::Server { rc: 32, .. })) {
        r.snap.mark_absent(&kds);
    }
    // The optional features (the Recycle Bin); a forest whose schema predates them has
    // no container: an answer too.
    let features = optional_features_container(&config);
    let out = r
        .run(
            "optional features",
            &Search::new(
                &features,
                Scope::Subtree,
                "(objectClass=*)",
                OPTIONAL_FEATURES_ATTRS,
            ),
            On::Dc,
            IfAbsent::Fact,
        )
        .await;
    r.keep(&out);
    if matches!(out.failure, Some(SearchFailure::Server { rc: 32, .. })) {
        r.snap.mark_absent(&features);
    }
    // Other domains' heads (SID, level) live in their own partitions: a GC has them.
    if r.gc.is_some() {
        let own = root.text("defaultNamingContext").map(|d| normalize_dn(&d));
        let others: Vec<String> = r
            .snap
            .entries()
            .filter(|e| e.is_a("crossRef") && e.int("systemFlags").unwrap_or(0) & 2 != 0)
            .filter_map(|e| e.text("nCName"))
            .filter(|nc| Some(normalize_dn(nc)) != own)
            .collect();
        for nc in others {
            let out = r
                .run(
                    &format!("the domain head {nc}"),
                    &Search::new(&nc, Scope::Base, "(objectClass=*)", DOMAIN_HEAD_ATTRS),
                    On::Gc,
                    IfAbsent::Incomplete,
                )
                .await;
            r.keep(&out);
        }
        let out = r
            .run(
                "domain controllers of other domains",
                &Search::new("", Scope::Subtree, DC_FILTER, ACCOUNT_ATTRS),
                On::Gc,
                IfAbsent::Incomplete,
            )
            .await;
        r.keep(&out);
    }
}

/// The SACLs the event-collection checks judge, and whether Exchange and AD FS keep
/// containers in the directory ([`crate::directory::audit`]).
pub(super) async fn read_auditing(r: &mut Reader<'_>, nc: &str) {
    let config = r
        .snap
        .root_dse
        .as_ref()
        .and_then(|d| d.text("configurationNamingContext"));
    for a in crate::directory::audit::searches(nc, config.as_deref()) {
        let mut s = Search::new(&a.dn, Scope::Base, "(objectClass=*)", a.attrs);
        if a.sacl {
            s.controls = vec![crate::directory::audit::sd_flags_control(
                crate::directory::audit::SACL_ONLY,
            )];
            r.snap.mark_sacl_requested(&a.dn);
        }
        let out = r.run(a.what, &s, On::Dc, IfAbsent::Fact).await;
        if matches!(out.failure, Some(SearchFailure::Server { rc: 32, .. })) {
            r.snap.mark_absent(&a.dn);
        }
        r.keep(&out);
    }
}

/// The DC's own domain: head, DCs, sensitive groups and their transitive members.
pub(super) async fn read_domain(r: &mut Reader<'_>, nc: &str) {
    let out = r
        .run(
            "the domain head",
            &Search::new(nc, Scope::Base, "(objectClass=*)", DOMAIN_HEAD_ATTRS),
            On::Dc,
            IfAbsent::Incomplete,
        )
        .await;
    r.keep(&out);
    let domain_sid = r.snap.get(nc).and_then(Entry::sid);
    let root_nc = r
        .snap
        .root_dse
        .as_ref()
        .and_then(|d| d.text("rootDomainNamingContext"))
        .unwrap_or_else(|| nc.to_string());
    let forest_root = normalize_dn(&root_nc) == normalize_dn(nc);
    if r.lost() {
        return;
    }
    let out = r
        .run(
            "domain controllers",
            &Search::new(nc, Scope::Subtree, DC_FILTER, ACCOUNT_ATTRS),
            On::Dc,
            IfAbsent::Incomplete,
        )
        .await;
    r.keep(&out);

    let filter = sensitive_groups_filter(domain_sid.as_ref(), forest_root);
    let gattrs = group_attrs();
    let out = r
        .run(
            "sensitive groups",
            &Search::new(nc, Scope::Subtree, &filter, &gattrs),
            On::Dc,
            IfAbsent::Incomplete,
        )
        .await;
    let mut groups = out.entries.clone();
    for g in &mut groups {
        complete_ranged_members(r, g).await;
    }
    for g in &groups {
        r.snap.insert(g.clone());
    }
    let out = r
        .run(
            "primary group members",
            &Search::new(
                nc,
                Scope::Subtree,
                &primary_group_filter(forest_root),
                ACCOUNT_ATTRS,
            ),
            On::Dc,
            IfAbsent::Incomplete,
        )
        .await;
    r.keep(&out);

    // Transitive members through LDAP_MATCHING_RULE_IN_CHAIN; if the server ignores the
    // rule (OpenLDAP returns nothing, without an error), expand `member` ourselves.
    // Naming contexts of the forest: a member in a child domain lies under this NC as text
    // but is not in this partition, so IN_CHAIN cannot return it.
    let mut ncs_owned = domain_ncs(r);
    ncs_owned.push(nc.to_string());
    let ncs: Vec<&str> = ncs_owned.iter().map(String::as_str).collect();
    let here = |dn: &str| nc_of(dn, &ncs).is_some_and(|x| normalize_dn(x) == normalize_dn(nc));
    let mut in_chain_works = true;
    let mut chains: Vec<(String, Vec<Entry>)> = Vec::new();
    for g in &groups {
        if r.lost() {
            return;
        }
        let filter = format!(
            "(memberOf:{}:={})",
            oid::IN_CHAIN,
            ldap3::ldap_escape(g.dn.as_str())
        );
        let out = r
            .run(
                &format!("members of {}", g.display_name()),
                &Search::new(nc, Scope::Subtree, &filter, ACCOUNT_ATTRS),
                On::Dc,
                IfAbsent::Incomplete,
            )
            .await;
        if out.failure.is_some() {
            in_chain_works = false;
            break;
        }
        let got: HashSet<String> = out.entries.iter().map(|e| normalize_dn(&e.dn)).collect();
        let direct_missing = g
            .texts("member")
            .iter()
            .any(|m| here(m) && !got.contains(&normalize_dn(m)));
        if direct_missing {
            in_chain_works = false;
            break;
        }
        chains.push((g.dn.clone(), out.entries));
    }
    if in_chain_works {
        for (dn, members) in chains {
            r.snap
                .set_transitive(&dn, members.iter().map(|m| m.dn.clone()));
            for m in members {
                r.snap.insert(m);
            }
        }
    } else {
        tracing::info!(
            "{}: the IN_CHAIN matching rule is not supported; expanding group members recursively",
            r.conn.server.url
        );
        expand_members(r, &groups, nc).await;
    }
}
