//! The live read: one bound connection to a DC (and optionally a global catalog), the
//! searches the inventory needs, all into a [`DirectorySnapshot`].
//!
//! Order: rootDSE → configuration partition (partitions, schema version, sites, KDS root
//! keys, optional features) → the DC's own domain (head, DCs, sensitive groups and their
//! members) → the ids ATA holds (batched, at most [`BATCH`] per search) → the directory
//! services accounts → for each one given its password, the Deleted Objects test on a
//! connection bound as it.
//!
//! A failing search does not end the read: what came back is kept, the failure is noted
//! and the snapshot is marked incomplete (the inventory's source becomes `partial`). A
//! connection that breaks ends the read there. Only connecting and binding are fatal.
//! Nothing is ever written to the directory.

use std::collections::{BTreeSet, HashSet};

use ldap3::Scope;
use ldap3::controls::RawControl;

use super::dsa::{DsaIdentity, identities};
use super::entry::{Entry, is_under, nc_of, normalize_dn};
use super::ldap::{Conn, Outcome, Search, SearchFailure, Server, TlsOptions, oid};
use super::queries::*;
use super::resolve::Wanted;
use super::sid::{Sid, eq_filter, escape_bytes, or_filter};
use super::snapshot::{DeletedObjectsTest, DirectorySnapshot};
use super::{Error, LdapSource};
use crate::model::Inventory;
use crate::progress::Progress;
use crate::secrets::SecretString;

/// What a live read produced.
pub struct LiveRead {
    pub snapshot: DirectorySnapshot,
    /// `ldaps://host:636`.
    pub server: String,
    /// What the server says it is, for the source record.
    pub server_version: Option<String>,
    /// Search requests sent (pages included), across all connections.
    pub searches: u64,
    /// The searches sent on the main connection, in order (one record per search, not
    /// per page).
    pub queries: Vec<super::ldap::SearchRecord>,
}

struct Reader<'p> {
    conn: Conn,
    gc: Option<Conn>,
    snap: DirectorySnapshot,
    progress: &'p dyn Progress,
    /// The reason the main connection broke, noted once.
    lost_noted: bool,
}

impl Reader<'_> {
    /// Runs a search on the DC (or the GC) and records what went wrong, if anything.
    /// `absent_ok`: a missing base is a fact (no such container), not a failure.
    async fn run(&mut self, what: &str, s: &Search<'_>, on_gc: bool, absent_ok: bool) -> Outcome {
        let conn = match (on_gc, self.gc.as_mut()) {
            (true, Some(gc)) => gc,
            _ => &mut self.conn,
        };
        let server = conn.server.url.clone();
        let out = conn.search(s).await;
        self.snap.references += out.references;
        if out.malformed > 0 {
            self.snap.incomplete.push(format!(
                "{what}: {} entries from {server} could not be decoded and were skipped",
                out.malformed
            ));
        }
        match &out.failure {
            None => {}
            Some(SearchFailure::Server { rc: 32, .. }) if absent_ok => {}
            Some(SearchFailure::Lost(_)) if self.lost_noted && !on_gc => {}
            Some(f) => {
                if matches!(f, SearchFailure::Lost(_)) && !on_gc {
                    self.lost_noted = true;
                }
                self.snap.incomplete.push(format!(
                    "{what} from {server} stopped: {}; {} entries read before that are kept, the rest is missing",
                    f.describe(),
                    out.entries.len()
                ));
            }
        }
        out
    }

    fn keep(&mut self, out: &Outcome) {
        for e in &out.entries {
            self.snap.insert(e.clone());
        }
    }

    fn lost(&self) -> bool {
        self.conn.lost().is_some()
    }
}

/// Opens and binds a connection, with every failure in words.
pub async fn connect(
    server: &Server,
    tls: &TlsOptions,
    user: &str,
    password: &SecretString,
) -> Result<Conn, Error> {
    let mut conn = Conn::open(server, tls).await?;
    conn.bind(user, password).await?;
    Ok(conn)
}

/// Reads the directory through `src` for `inv` (whose ATA part says which ids and which
/// directory services account to look up).
pub async fn read(
    src: &LdapSource,
    inv: &Inventory,
    wanted: &Wanted,
    progress: &dyn Progress,
) -> Result<LiveRead, Error> {
    let server = Server::parse(&src.url)?;
    let tls = TlsOptions {
        ca_file: src.ca_file.clone(),
        insecure: src.insecure,
    };
    let user = src.bind_user.clone().ok_or_else(|| {
        Error::Usage(format!(
            "reading {} needs a bind user: pass --bind-user (UPN, DOMAIN\\user or DN)",
            server.url
        ))
    })?;
    let password = src.password.clone().ok_or_else(|| {
        Error::Usage(format!(
            "reading {} as {user} needs its password: pass --password-env VAR or --password-file FILE",
            server.url
        ))
    })?;
    if src.insecure {
        tracing::warn!(
            "--insecure: the certificate of {} is NOT verified; anyone on the network path can read the bind password. Lab use only",
            server.url
        );
    }
    let task = format!("LDAP {}", server.url);
    progress.start(&task, None);
    let conn = connect(&server, &tls, &user, &password).await?;
    let gc = match &src.gc_url {
        Some(url) => {
            let gs = Server::parse(url)?;
            Some(connect(&gs, &tls, &user, &password).await?)
        }
        None => None,
    };
    let mut r = Reader {
        conn,
        gc,
        snap: DirectorySnapshot::default(),
        progress,
        lost_noted: false,
    };
    if src.insecure {
        r.snap.notes.push(format!(
            "the TLS certificate of {} was not verified (--insecure): lab use only",
            server.url
        ));
    }

    read_forest(&mut r).await;
    let default_nc = r
        .snap
        .root_dse
        .as_ref()
        .and_then(|d| d.text("defaultNamingContext"));
    if let Some(nc) = &default_nc {
        read_domain(&mut r, nc).await;
    } else if !r.lost() {
        r.snap.incomplete.push(format!(
            "{} names no defaultNamingContext in its rootDSE: no domain could be read",
            server.url
        ));
    }
    if let (Some(nc), false) = (&default_nc, r.lost()) {
        read_auditing(&mut r, nc).await;
    }
    r.progress.advance(&task, 1);
    if !wanted.is_empty() && !r.lost() {
        fetch_wanted(&mut r, default_nc.as_deref(), wanted).await;
    }
    let dsas = identities(&inv.ata, Some(&user));
    if !r.lost() {
        for id in &dsas {
            fetch_dsa(&mut r, default_nc.as_deref(), id).await;
        }
    }
    // The Deleted Objects test binds as each account a password was given for.
    if let (Some(nc), false, false) = (&default_nc, r.lost(), src.dsa_passwords.is_empty()) {
        r.snap.notes.extend(src.dsa_passwords.problems(&dsas));
        let reference = deleted_objects_reference(&mut r, nc).await;
        // The domain each account lives in: its sensors read that domain's container.
        let homes: Vec<Option<String>> = {
            let mut ncs = domain_ncs(&r);
            ncs.push(nc.clone());
            let ncs: Vec<&str> = ncs.iter().map(String::as_str).collect();
            let view = super::read::View::new(&r.snap);
            dsas.iter()
                .map(|id| {
                    super::dsa::find(&view, id)
                        .and_then(|e| nc_of(&e.dn, &ncs))
                        .map(str::to_string)
                })
                .collect()
        };
        for (i, id) in dsas.iter().enumerate() {
            let Some(pw) = src.dsa_passwords.for_account(&dsas, i) else {
                continue;
            };
            let test = match &homes[i] {
                Some(home) if normalize_dn(home) != normalize_dn(nc) => DeletedObjectsTest {
                    readable: None,
                    note: Some(format!(
                        "not tested: {} belongs to {}, whose CN=Deleted Objects is on that domain's DCs; \
                         run the inventory against one of them (--ldap) with this account's password",
                        id.label,
                        super::entry::dns_from_dn(home)
                    )),
                },
                _ => deleted_objects_test(&server, &tls, id, pw, nc, reference).await,
            };
            r.snap.deleted_objects.insert(id.label.clone(), test);
        }
    }

    let searches = r.conn.searches.load(std::sync::atomic::Ordering::Relaxed)
        + r.gc
            .as_ref()
            .map_or(0, |g| g.searches.load(std::sync::atomic::Ordering::Relaxed));
    let server_version = r.snap.root_dse.as_ref().and_then(|d| {
        match (
            d.text("vendorName"),
            d.text("vendorVersion"),
            d.int("domainControllerFunctionality"),
        ) {
            (Some(n), v, _) => Some(format!("{n} {}", v.unwrap_or_default()).trim().to_string()),
            (None, _, Some(l)) => Some(format!(
                "Active Directory (DC functional level {l}, {})",
                super::levels::functional_level_name(l as u32)
            )),
            _ => None,
        }
    });
    let outcome = if r.snap.incomplete.is_empty() {
        "ok".to_string()
    } else {
        "partial".to_string()
    };
    r.progress.finish(
        &task,
        &format!("{outcome}, {} entries, {searches} searches", r.snap.len()),
    );
    if let Some(gc) = r.gc.take() {
        gc.close().await;
    }
    let queries = std::mem::take(&mut r.conn.log);
    r.conn.close().await;
    Ok(LiveRead {
        snapshot: r.snap,
        server: server.url,
        server_version,
        searches,
        queries,
    })
}

/// rootDSE and the configuration partition.
async fn read_forest(r: &mut Reader<'_>) {
    let out = r
        .run(
            "the rootDSE",
            &Search::new("", Scope::Base, "(objectClass=*)", ROOT_DSE_ATTRS),
            false,
            false,
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
            false,
            true,
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
            false,
            true,
        )
        .await;
    r.keep(&out);
    let sites = format!("CN=Sites,{config}");
    let out = r
        .run(
            "sites and servers",
            &Search::new(&sites, Scope::Subtree, SITES_FILTER, SITES_ATTRS),
            false,
            true,
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
            false,
            true,
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
            false,
            true,
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
                    true,
                    false,
                )
                .await;
            r.keep(&out);
        }
        let out = r
            .run(
                "domain controllers of other domains",
                &Search::new("", Scope::Subtree, DC_FILTER, ACCOUNT_ATTRS),
                true,
                false,
            )
            .await;
        r.keep(&out);
    }
}

/// The SACLs the event-collection checks judge, and whether Exchange and AD FS keep
/// containers in the directory ([`super::audit`]).
async fn read_auditing(r: &mut Reader<'_>, nc: &str) {
    let config = r
        .snap
        .root_dse
        .as_ref()
        .and_then(|d| d.text("configurationNamingContext"));
    for a in super::audit::searches(nc, config.as_deref()) {
        let mut s = Search::new(&a.dn, Scope::Base, "(objectClass=*)", a.attrs);
        if a.sacl {
            s.controls = vec![super::audit::sd_flags_control(super::audit::SACL_ONLY)];
            r.snap.mark_sacl_requested(&a.dn);
        }
        let out = r.run(a.what, &s, false, true).await;
        if matches!(out.failure, Some(SearchFailure::Server { rc: 32, .. })) {
            r.snap.mark_absent(&a.dn);
        }
        r.keep(&out);
    }
}

/// The DC's own domain: head, DCs, sensitive groups and their transitive members.
async fn read_domain(r: &mut Reader<'_>, nc: &str) {
    let out = r
        .run(
            "the domain head",
            &Search::new(nc, Scope::Base, "(objectClass=*)", DOMAIN_HEAD_ATTRS),
            false,
            false,
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
            false,
            false,
        )
        .await;
    r.keep(&out);

    let filter = sensitive_groups_filter(domain_sid.as_ref(), forest_root);
    let gattrs = group_attrs();
    let out = r
        .run(
            "sensitive groups",
            &Search::new(nc, Scope::Subtree, &filter, &gattrs),
            false,
            false,
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
            false,
            false,
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
                false,
                false,
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

/// `member` of a large group comes in ranges (AD's MaxValRange, 1500 or 5000 values):
/// the entry holds `member;range=0-1499` and the rest must be asked for by range until
/// a range ending in `*` arrives.
async fn complete_ranged_members(r: &mut Reader<'_>, group: &mut Entry) {
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
                false,
                false,
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
async fn expand_members(r: &mut Reader<'_>, groups: &[Entry], nc: &str) {
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
                false,
                true,
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

/// The ids ATA holds, in OR-filter batches; misses go to the GC when one is given.
async fn fetch_wanted(r: &mut Reader<'_>, nc: Option<&str>, w: &Wanted) {
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
    for on_gc in [false, true] {
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
                        on_gc,
                        false,
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
fn domain_ncs(r: &Reader<'_>) -> Vec<String> {
    r.snap
        .entries()
        .filter(|e| e.is_a("crossRef") && e.int("systemFlags").unwrap_or(0) & 2 != 0)
        .filter_map(|e| e.text("nCName"))
        .collect()
}

/// The directory services account's own entry.
async fn fetch_dsa(r: &mut Reader<'_>, nc: Option<&str>, id: &DsaIdentity) {
    if let Some(dn) = &id.dn {
        let out = r
            .run(
                "the directory services account",
                &Search::new(dn, Scope::Base, "(objectClass=*)", ACCOUNT_ATTRS),
                false,
                true,
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
                false,
                false,
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
                true,
                false,
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
fn dn_lookup_done(out: &Outcome) -> bool {
    matches!(
        out.failure,
        None | Some(SearchFailure::Server { rc: 32, .. })
    )
}

/// The one-level search of `CN=Deleted Objects` with the Show Deleted control, at most
/// one entry: enough to know whether anything can be listed. Show Recycled too: once the
/// Recycle Bin is enabled, the tombstones from before are recycled objects, which Show
/// Deleted alone hides (not critical: a DC older than 2008 R2 ignores it).
fn deleted_objects_search<'a>(container: &'a str, attrs: &'a [&'a str]) -> Search<'a> {
    let mut s = Search::new(container, Scope::OneLevel, "(objectClass=*)", attrs);
    s.controls = vec![
        RawControl {
            ctype: oid::SHOW_DELETED.to_string(),
            crit: true,
            val: None,
        },
        RawControl {
            ctype: oid::SHOW_RECYCLED.to_string(),
            crit: false,
            val: None,
        },
    ];
    s.size_limit = Some(1);
    s
}

const DELETED_ATTRS: &[&str] = &["objectClass", "isDeleted"];

/// How many deleted objects (0 or 1) the main bind sees: with it, "the directory services
/// account lists nothing" can be told apart from "there is nothing to list".
async fn deleted_objects_reference(r: &mut Reader<'_>, nc: &str) -> Option<usize> {
    let container = format!("CN=Deleted Objects,{nc}");
    let out = r
        .conn
        .search(&deleted_objects_search(&container, DELETED_ATTRS))
        .await;
    out.failure.is_none().then_some(out.entries.len())
}

/// Binds as the directory services account on a connection of its own and lists
/// `CN=Deleted Objects` with the Show Deleted control (ata-atp.md §3.5).
/// `reference`: how many objects the main bind saw there (at most 1), when it could look.
pub async fn deleted_objects_test(
    server: &Server,
    tls: &TlsOptions,
    id: &DsaIdentity,
    password: &SecretString,
    nc: &str,
    reference: Option<usize>,
) -> DeletedObjectsTest {
    let user = id.bind_name();
    let mut conn = match connect(server, tls, &user, password).await {
        Ok(c) => c,
        Err(e) => {
            return DeletedObjectsTest {
                readable: None,
                note: Some(format!(
                    "not tested: binding as the directory services account failed: {e}"
                )),
            };
        }
    };
    let container = format!("CN=Deleted Objects,{nc}");
    let listed = conn
        .search(&deleted_objects_search(&container, DELETED_ATTRS))
        .await;
    conn.close().await;
    let grant = format!(
        "grant it with `dsacls \"{container}\" /G <DOMAIN>\\<account>:LCRP` (after taking ownership, see the MDI docs)"
    );
    match (&listed.failure, listed.entries.len()) {
        (None, n) if n > 0 => DeletedObjectsTest {
            readable: Some(true),
            note: Some(format!("as {user}: {container} can be listed")),
        },
        (None, _) if reference.is_some_and(|n| n > 0) => DeletedObjectsTest {
            readable: Some(false),
            note: Some(format!(
                "as {user}: {container} lists nothing, while the bind account sees deleted objects there: the account lacks List Contents/Read Property; {grant}"
            )),
        },
        (None, _) => DeletedObjectsTest {
            readable: None,
            note: Some(format!(
                "as {user}: {container} lists nothing; it may be empty (the bind account saw nothing either) or the account may lack List Contents: not decided; check with `dsacls \"{container}\"`"
            )),
        },
        (Some(SearchFailure::Server { rc: 32 | 50, .. }), _) => DeletedObjectsTest {
            readable: Some(false),
            note: Some(format!(
                "as {user}: listing {container} was refused ({}); {grant}",
                listed
                    .failure
                    .as_ref()
                    .map(SearchFailure::describe)
                    .unwrap_or_default()
            )),
        },
        (Some(f), _) => DeletedObjectsTest {
            readable: None,
            note: Some(format!(
                "as {user}: listing {container} failed ({}): not decided",
                f.describe()
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranged_attribute_names_give_their_end() {
        assert_eq!(range_end("member;range=0-1499"), Some(1499));
        assert_eq!(range_end("member;range=1500-*"), None);
        assert_eq!(range_end("member"), None);
    }
}
