//! The entities ATA refers to (UniqueEntity): read only those the settings and alerts
//! name or that carry a tag flag, then used to resolve names, SIDs and types, and to
//! build the honeytoken and sensitive lists.

use std::collections::{BTreeMap, BTreeSet};

use mongodb::bson::Bson;

use super::Note;
use super::Reading;
use super::detectors::PendingExclusion;
use super::doc::{Located, WantedIds, find_first, id_text};
use crate::ata::Error;
use crate::ata::mapping::{Mapping, Paths};
use crate::ata::snapshot::{Filter, Logical, Scan, id_key};
use crate::directory::sensitive::{self, AtaFacts};
use crate::model::{AtaInventory, Entity, EntityType, ExclusionKind, TagSource};

/// An id list as (key, raw text).
pub(super) type IdList = Vec<(String, String)>;

/// What the settings left to resolve against the entities.
pub(super) struct Pending {
    pub(super) honey_ids: Option<IdList>,
    pub(super) manual_ids: Option<IdList>,
    pub(super) exclusions: Vec<PendingExclusion>,
}

/// An entity, the flags set on it, and the groups ATA says it belongs to.
type Known = (Entity, Vec<String>, Option<Vec<String>>);

/// The entities read, by id key.
pub(super) struct Entities {
    by_id: BTreeMap<String, Known>,
    /// Whether any source holds UniqueEntity (without one, nothing is "unresolved").
    any_source: bool,
}

/// Reads the entities `wanted` names or that carry a tag flag.
pub(super) async fn read(reading: &mut Reading<'_>, wanted: WantedIds) -> Result<Entities, Error> {
    let mapping = reading.mapping;
    let e = &mapping.entities;
    let mut flags: Vec<String> = mapping.honeytokens.entity_flags.iter().cloned().collect();
    flags.extend(mapping.sensitive.automatic_flags.iter().cloned());
    flags.extend(mapping.sensitive.role_flags.iter().cloned());
    let mut alts = vec![Filter::IdIn(e.id.clone(), wanted.0)];
    alts.extend(flags.iter().map(|f| Filter::IsTrue(f.clone())));
    let mut projection = vec![e.id.clone(), e.kind.clone()];
    projection.extend(e.name.iter().cloned());
    projection.extend(e.search_names.iter().cloned());
    projection.extend(e.sid.iter().cloned());
    projection.extend(flags.iter().cloned());
    projection.extend(mapping.sensitive.parent_group_ids.iter().cloned());
    let scan = Scan {
        collection: Logical::UniqueEntity,
        filter: Filter::Or(alts),
        projection: Some(projection),
        tally: None,
    };
    let mut by_id: BTreeMap<String, Known> = BTreeMap::new();
    let scanned = reading
        .scan(&scan, &mut |located| {
            let Some(key) = located.doc.get(&e.id).and_then(id_key) else {
                return Ok(());
            };
            let (entity, set_flags) = entity_from(mapping, &located)?;
            let mut parents = None;
            for p in mapping.sensitive.parent_group_ids.iter() {
                if let Some(ids) = located.strings_at(p) {
                    parents = Some(ids.iter().map(|i| i.to_ascii_lowercase()).collect());
                    break;
                }
            }
            by_id.insert(key, (entity, set_flags, parents));
            Ok(())
        })
        .await?;
    // The wanted ids, many on a large Center, are no longer needed.
    super::drop_aside(scan);
    Ok(Entities {
        by_id,
        any_source: scanned.any_source,
    })
}

/// Where a flagged entity's tag comes from (and its evidence).
type Flagged<'f> = &'f dyn Fn(&str) -> (TagSource, Option<String>);

impl Entities {
    pub(super) fn any_source(&self) -> bool {
        self.any_source
    }

    /// The entity read for `key`, or one named by its raw id only.
    fn resolve(&self, key: &str, raw: &str) -> Entity {
        match self.by_id.get(key) {
            Some((e, _, _)) => e.clone(),
            None => Entity::unresolved(raw),
        }
    }

    /// An entity's name for an alert: its label, or the id key when not read.
    pub(super) fn label(&self, key: &str) -> String {
        self.by_id
            .get(key)
            .map_or_else(|| key.to_string(), |(e, _, _)| e.label().to_string())
    }

    /// Notes `raw` as unresolved when entities were read and `key` is not among them.
    fn check(&self, key: &str, raw: &str, unresolved: &mut BTreeSet<String>) {
        if self.any_source && !self.by_id.contains_key(key) {
            unresolved.insert(raw.to_string());
        }
    }

    /// What ATA's own data says of an entity, for deciding whether the cloud tags it.
    fn facts(&self, mapping: &Mapping, key: &str) -> Option<AtaFacts> {
        let (e, set, parents) = self.by_id.get(key)?;
        Some(AtaFacts {
            name: e.name.clone(),
            sid: e.sid.clone(),
            domain_controller: set
                .iter()
                .any(|f| mapping.sensitive.role_flags.iter().any(|r| r == f)),
            parent_groups: parents.clone(),
        })
    }

    /// A tag list: the configured ids (set by a person), then the entities that carry one
    /// of `flags` without being listed, with the source `flagged` gives (and its evidence).
    fn tagged(
        &self,
        ids: &Option<IdList>,
        flags: &Paths,
        flagged: Flagged,
        unresolved: &mut BTreeSet<String>,
    ) -> Vec<Entity> {
        let mut out = Vec::new();
        let mut listed: BTreeSet<&str> = BTreeSet::new();
        for (key, raw) in ids.iter().flatten() {
            self.check(key, raw, unresolved);
            listed.insert(key);
            let mut ent = self.resolve(key, raw);
            ent.source = Some(TagSource::Manual);
            out.push(ent);
        }
        for (key, (ent, set, _)) in &self.by_id {
            let is_flagged = set.iter().any(|f| flags.iter().any(|h| h == f));
            if is_flagged && !listed.contains(key.as_str()) {
                let mut ent = ent.clone();
                let (source, why) = flagged(key);
                (ent.source, ent.tag_evidence) = (Some(source), why);
                out.push(ent);
            }
        }
        out
    }

    /// Fills the honeytokens, the sensitive entities and the exclusions from what the
    /// settings named; an id no entity answers is noted.
    pub(super) fn apply(
        &self,
        mapping: &Mapping,
        pending: Pending,
        ata: &mut AtaInventory,
        note: &mut Note<'_>,
    ) {
        let mut unresolved: BTreeSet<String> = BTreeSet::new();
        // ATA has no automatic honeytokens: a flagged one was tagged by a person.
        ata.honeytokens.extend(self.tagged(
            &pending.honey_ids,
            &mapping.honeytokens.entity_flags,
            &|_| (TagSource::Manual, None),
            &mut unresolved,
        ));
        // A sensitive entity is automatic only on evidence (directory::sensitive); the
        // directory, when read, decides again (directory::resolve).
        ata.sensitive.extend(self.tagged(
            &pending.manual_ids,
            &mapping.sensitive.automatic_flags,
            &|key| {
                let lookup = |id: &str| self.facts(mapping, id);
                let d = sensitive::from_ata(&self.facts(mapping, key).unwrap_or_default(), &lookup);
                (d.source, Some(d.evidence))
            },
            &mut unresolved,
        ));
        for e in ata
            .sensitive
            .iter_mut()
            .filter(|e| e.tag_evidence.is_none())
        {
            e.tag_evidence = Some(sensitive::TAGGED_BY_HAND.to_string());
        }
        for (mut ex, key) in pending.exclusions {
            if let Some(key) = key {
                self.check(&key, &ex.value, &mut unresolved);
                let ent = self.resolve(&key, &ex.value);
                if ex.kind == ExclusionKind::Account && ent.kind == Some(EntityType::Computer) {
                    ex.kind = ExclusionKind::Computer;
                }
                ex.entity = Some(ent);
            }
            ata.exclusions.push(ex);
        }
        ata.exclusions.sort_by(|a, b| {
            (&a.detector, &a.list, &a.value).cmp(&(&b.detector, &b.list, &b.value))
        });
        for raw in &unresolved {
            note(
                &format!("entity {raw} (named in ATA's settings)"),
                mapping
                    .names_of(Logical::UniqueEntity)
                    .iter()
                    .map(|n| format!("{n}._id"))
                    .collect(),
            );
        }
    }
}

/// Reads an entity; returns it and the flags set on it.
fn entity_from(mapping: &Mapping, d: &Located) -> Result<(Entity, Vec<String>), Error> {
    let e = &mapping.entities;
    let types = d.types(&e.kind);
    let kind = types.last().map(|t| match t.as_str() {
        "User" => EntityType::User,
        "Computer" => EntityType::Computer,
        "Group" => EntityType::Group,
        "Domain" => EntityType::Domain,
        _ => EntityType::Unknown,
    });
    let mut flags = Vec::new();
    for f in mapping
        .honeytokens
        .entity_flags
        .iter()
        .chain(mapping.sensitive.automatic_flags.iter())
        .chain(mapping.sensitive.role_flags.iter())
    {
        if d.bool_at(f) == Some(true) {
            flags.push(f.clone());
        }
    }
    let id = d.doc.get(&e.id).map(id_text).unwrap_or_default();
    Ok((
        Entity {
            id,
            name: d.first_str(&e.name).or_else(|| {
                e.search_names
                    .iter()
                    .find_map(|p| d.strings_at(p))
                    .and_then(|names| names.into_iter().find(|n| !n.is_empty()))
            }),
            sid: d.first_str(&e.sid),
            kind,
            source: None,
            tag_evidence: None,
            ad: None,
        },
        flags,
    ))
}

/// The ids of the first candidate list found, as (key, raw text); `None` when no
/// candidate exists.
pub(super) fn id_list(
    paths: &Paths,
    docs: &[&Located],
    wanted: &mut WantedIds,
) -> Result<Option<Vec<(String, String)>>, Error> {
    let Some((d, p)) = find_first(paths, docs) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    match d.at(&p) {
        Some(Bson::Array(items)) => {
            for v in items {
                // An entry that is no id costs only itself.
                match wanted.add(v) {
                    Some(k) => out.push((k, id_text(v))),
                    None => d.wrong(&p, "a list of entity ids", v),
                }
            }
        }
        Some(other) => {
            d.wrong(&p, "a list of entity ids", other);
            return Ok(None);
        }
        None => {}
    }
    Ok(Some(out))
}
