//! The AD object behind every entity ATA stores: honeytokens, sensitive entities and
//! excluded accounts/computers. Also: gateways ATA left undecided are classified against
//! the DC list ([`classify_gateways`], which says the evidence).
//!
//! Each entity is looked up by SID (the reliable key: it survives renames), else by
//! `objectGUID` (ATA's `UniqueEntity._id` is a GUID), else by name. The outcome goes
//! into `entity.ad`:
//! - found: `ad.found = true` with the AD name, DN, SID and enabled state;
//! - looked for where it must be and absent: `ad.found = false`, and a `not_found`
//!   entry saying where it was looked for;
//! - not decidable (its domain was not read, the read broke off): `ad` is left empty and
//!   a `not_found` entry says why. Nothing is guessed.
//!
//! [`wanted`] lists the ids for the LDAP reader to fetch (in batches); [`apply`] then
//! matches in memory, exactly as for an LDIF export, and lets the directory decide which
//! sensitive entities the cloud tags by itself ([`super::sensitive`]).

use std::collections::BTreeSet;

use super::entry::Entry;
use super::read::View;
use super::sid::{Sid, guid_from_string, guid_to_string};
use crate::model::{AdMatch, Entity, EntityType, ExclusionKind, GatewayKind, Inventory};

/// What to fetch from the directory for the ATA entities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    pub sids: BTreeSet<Sid>,
    /// objectGUID bytes.
    pub guids: BTreeSet<[u8; 16]>,
    /// Names as ATA shows them (sAMAccountName, UPN, DNS host name).
    pub names: BTreeSet<String>,
}

impl Wanted {
    pub fn len(&self) -> usize {
        self.sids.len() + self.guids.len() + self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where an entity was listed, for messages.
fn role(list: &str, e: &Entity) -> String {
    format!("{list} {} ({})", e.label(), e.id)
}

/// Every entity of ATA's inventory that needs an AD match, with the list it is on.
fn entities_mut(inv: &mut Inventory) -> Vec<(&'static str, &mut Entity)> {
    let ata = &mut inv.ata;
    let mut out: Vec<(&'static str, &mut Entity)> = Vec::new();
    for e in &mut ata.honeytokens {
        out.push(("honeytoken", e));
    }
    for e in &mut ata.sensitive {
        out.push(("sensitive entity", e));
    }
    for x in &mut ata.exclusions {
        let list = match x.kind {
            ExclusionKind::Account => "excluded account",
            ExclusionKind::Computer => "excluded computer",
            ExclusionKind::Subnet => continue,
        };
        // An exclusion names the entity by its id; the ATA reader may not have resolved it.
        let e = x
            .entity
            .get_or_insert_with(|| Entity::unresolved(x.value.clone()));
        if e.kind.is_none() {
            e.kind = Some(if x.kind == ExclusionKind::Account {
                EntityType::User
            } else {
                EntityType::Computer
            });
        }
        out.push((list, e));
    }
    out
}

/// The identifiers to look up for `inv`'s entities.
pub fn wanted(inv: &Inventory) -> Wanted {
    let mut inv = inv.clone();
    let mut w = Wanted::default();
    for (_, e) in entities_mut(&mut inv) {
        match e.sid.as_deref().and_then(|s| s.parse::<Sid>().ok()) {
            Some(sid) => {
                w.sids.insert(sid);
            }
            None => {
                if let Some(g) = guid_from_string(&e.id) {
                    w.guids.insert(g);
                }
                for n in name_keys(e) {
                    w.names.insert(n);
                }
            }
        }
        // The GUID is fetched beside the SID: a SID not found but a GUID found means the
        // object's SID changed (migrated with SID history), worth showing.
        if let Some(g) = guid_from_string(&e.id) {
            w.guids.insert(g);
        }
    }
    w
}

/// Names to try for an entity: the name as given, without a `DOMAIN\` prefix.
fn name_keys(e: &Entity) -> Vec<String> {
    let Some(n) = e.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
        return Vec::new();
    };
    let mut keys = vec![n.to_string()];
    if let Some((_, sam)) = n.split_once('\\') {
        keys.push(sam.to_string());
    }
    keys
}

/// Whether a lookup in the domain of `sid` (or anywhere, for `None`) was possible.
fn searched_for(view: &View<'_>, sid: Option<&Sid>) -> Result<(), String> {
    let all_searched =
        !view.domains.is_empty() && view.domains.iter().all(|d| view.snap.was_searched(&d.dn));
    match sid {
        Some(s) if s.to_string().starts_with("S-1-5-32-") => {
            if view.domains.iter().any(|d| view.snap.was_searched(&d.dn)) {
                Ok(())
            } else {
                Err("no domain's accounts were read".into())
            }
        }
        Some(s) => match view.domain_of_sid(s) {
            Some(d) if view.snap.was_searched(&d.dn) => Ok(()),
            Some(d) if !view.snap.incomplete.is_empty() => Err(format!(
                "the read broke off before the accounts of {} were all searched (see the directory notes)",
                d.dns
            )),
            Some(d) => Err(format!(
                "its domain {} was not read (pass --gc with a global catalog, or add an LDIF export of {})",
                d.dns, d.dns
            )),
            None if all_searched => Err(format!(
                "its domain {} is not a domain of this forest (a trusted domain?); look it up there",
                s.parent().map(|p| p.to_string()).unwrap_or_default()
            )),
            None => Err("its domain is not among the domains read".into()),
        },
        None if all_searched => Ok(()),
        None if !view.snap.incomplete.is_empty() => Err(
            "the read broke off before every domain's accounts were searched (see the directory notes)".into(),
        ),
        None => Err("not every domain of the forest was read (pass --gc, or add LDIF exports of the other domains)".into()),
    }
}

fn matched(view: &View<'_>, e: &Entry) -> AdMatch {
    let o = view.object(e);
    AdMatch {
        found: true,
        name: Some(o.name),
        dn: Some(o.dn),
        sid: o.sid,
        enabled: o.enabled,
    }
}

/// The entry for an entity, or why there is none.
fn lookup<'a>(view: &View<'a>, e: &Entity) -> Option<&'a Entry> {
    let sid = e.sid.as_deref().and_then(|s| s.parse::<Sid>().ok());
    if let Some(sid) = &sid {
        let hits = view.by_sid(&sid.to_string());
        // Builtin SIDs exist once per domain: prefer the first domain read (the root).
        if let Some(hit) = view
            .domains
            .iter()
            .find_map(|d| hits.iter().find(|h| view.in_domain(&h.dn, d)))
        {
            return Some(hit);
        }
        if let Some(hit) = hits.first() {
            return Some(hit);
        }
    }
    if let Some(g) = guid_from_string(&e.id).and_then(|b| guid_to_string(&b))
        && let Some(hit) = view.by_guid(&g).first()
    {
        return Some(hit);
    }
    if sid.is_some() {
        // A SID that is not in the directory is decisive: an object with the same name
        // but another SID is a different (re-created) account.
        return None;
    }
    let computer = e.kind == Some(EntityType::Computer);
    for n in name_keys(e) {
        let mut hits: Vec<&Entry> = Vec::new();
        if computer || !n.ends_with('$') {
            hits.extend(
                view.by_sam(&format!("{n}$"))
                    .iter()
                    .filter(|h| h.is_a("computer")),
            );
        }
        hits.extend(view.by_sam(&n));
        hits.extend(view.by_upn(&n));
        hits.extend(view.by_dns(&n));
        if computer {
            hits.retain(|h| h.is_a("computer"));
        }
        if let Some(h) = hits.first() {
            return Some(h);
        }
    }
    None
}

/// Sets `ad` on every ATA entity and records what is missing in `not_found`.
pub fn apply(view: &View<'_>, inv: &mut Inventory) {
    let mut missing: Vec<(String, Vec<String>)> = Vec::new();
    for (list, e) in entities_mut(inv) {
        if let Some(hit) = lookup(view, e) {
            e.ad = Some(matched(view, hit));
            continue;
        }
        let sid = e.sid.as_deref().and_then(|s| s.parse::<Sid>().ok());
        let mut tried: Vec<String> = Vec::new();
        if let Some(s) = &sid {
            tried.push(format!("objectSid {s}"));
        }
        if let Some(g) = guid_from_string(&e.id).and_then(|b| guid_to_string(&b)) {
            tried.push(format!("objectGUID {g}"));
        }
        if sid.is_none() {
            for n in name_keys(e) {
                tried.push(format!("sAMAccountName/userPrincipalName/dNSHostName {n}"));
            }
        }
        if tried.is_empty() {
            missing.push((
                format!(
                    "directory: {} has no SID, GUID or name to look up in AD",
                    role(list, e)
                ),
                Vec::new(),
            ));
            continue;
        }
        match searched_for(view, sid.as_ref()) {
            Ok(()) => {
                e.ad = Some(AdMatch {
                    found: false,
                    name: None,
                    dn: None,
                    sid: None,
                    enabled: None,
                });
                missing.push((
                    format!("directory: {} is not in Active Directory", role(list, e)),
                    tried,
                ));
            }
            Err(why) => {
                missing.push((
                    format!("directory: {} was not looked up: {why}", role(list, e)),
                    tried,
                ));
            }
        }
    }
    for (item, tried) in missing {
        inv.note_not_found(item, tried);
    }
    // With the AD objects known, the directory decides which sensitive entities the
    // cloud tags by itself; where it cannot, ATA's own decision stands.
    if let Some(dir) = inv.directory.as_ref() {
        for e in &mut inv.ata.sensitive {
            let on_manual_list =
                e.tag_evidence.as_deref() == Some(super::sensitive::TAGGED_BY_HAND);
            let d = if on_manual_list {
                Some(super::sensitive::listed(Some(dir), e))
            } else {
                super::sensitive::from_directory(dir, e)
            };
            if let Some(d) = d {
                e.source = Some(d.source);
                e.tag_evidence = Some(d.evidence);
            }
        }
    }
    // Gateways ATA's profiles left undecided: the DC list decides, with the evidence.
    classify_gateways(inv);
}
/// Decides the gateways extraction left `Unknown` from the directory's list of domain
/// controllers: a gateway whose host is a DC there is a Lightweight Gateway (ATA's
/// gateways run on a server of their own), one whose host is not is an ATA Gateway.
/// Nothing is decided when the directory lists no DC.
pub fn classify_gateways(inventory: &mut Inventory) {
    let Some(dir) = &inventory.directory else {
        return;
    };
    if dir.domain_controllers.is_empty() {
        return;
    }
    for g in &mut inventory.ata.gateways {
        if g.kind != GatewayKind::Unknown {
            continue;
        }
        let dc = dir.domain_controller(&g.name);
        (g.kind, g.kind_evidence) = match dc {
            Some(dc) => (
                GatewayKind::LightweightGateway,
                Some(format!(
                    "its host {} is a domain controller of {} in the directory",
                    g.name, dc.domain
                )),
            ),
            None => (
                GatewayKind::Gateway,
                Some(format!(
                    "its host {} is not among the directory's {} domain controllers",
                    g.name,
                    dir.domain_controllers.len()
                )),
            ),
        };
    }
}
