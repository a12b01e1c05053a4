//! Snapshot + mapping → the ATA part of the inventory.
//!
//! The order follows the data's dependencies, so nothing large is ever held:
//! 1. every `SystemProfile` document (a few hundred at most) → Center settings, gateways,
//!    detectors, exclusions, and the entity ids the settings refer to;
//! 2. `SuspiciousActivity`: counts by status over the whole collection, and only the
//!    alerts still to record (open, suppressed), with only the fields needed;
//! 3. `UniqueEntity`: only the documents referred to by 1 and 2, or flagged honeytoken or
//!    sensitive, with only the fields needed → names, SIDs and types.
//!
//! Every path comes from the [`Mapping`]. An item none of whose candidate paths exists
//! goes to `not_found` with the paths tried. Extraction is total: a value of an unexpected
//! type costs only the item it was read for (a [`Problem`]: `not_found` with the path,
//! what was expected and what was found; its source marked partial, so the run exits 3)
//! and everything else is still read. It is never guessed: a wrong value would end up in
//! a document the customer signs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use mongodb::bson::{Bson, Document};

use super::mapping::{Mapping, Paths};
use super::snapshot::{DocOrigin, Filter, Logical, Scan, get_path, id_key, is_secret_key};
use super::{Error, OpenSource};
use crate::model::{
    Alert, Alerts, AtaInventory, AutoUpdate, Center, CollectionInfo, Detector,
    DirectoryServicesAccount, Email, Entity, EntityType, Exclusion, ExclusionKind, Gateway,
    GatewayKind, NotFound, ReportSchedule, Syslog, TagSource, ThumbprintSource, Vpn,
};
use crate::progress::Progress;

/// What extraction produced.
#[derive(Debug, Default)]
pub struct Extracted {
    pub ata: AtaInventory,
    pub not_found: Vec<NotFound>,
}

/// A value of an unexpected type at a mapped path. It costs only the item it was read
/// for: the item goes to `not_found` with the reason, the source is marked partial, and
/// everything else is still read.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Index of the source the document came from.
    pub src: usize,
    pub origin: String,
    pub path: String,
    pub expected: &'static str,
    pub found: String,
}

/// Where extraction records the problems it meets (shared by a document and the
/// sections taken from it).
pub type Problems = Arc<Mutex<Vec<Problem>>>;

/// A document with where it came from.
#[derive(Debug, Clone)]
pub struct Located {
    pub doc: Document,
    pub origin: DocOrigin,
    /// Index of the source it was read from.
    pub src: usize,
    /// The path of this (sub-)document inside the stored one, for messages: a section
    /// such as `Configuration.MailClientConfiguration` read on its own.
    pub base: String,
    pub problems: Problems,
}

impl Located {
    fn new(doc: Document, origin: &DocOrigin, src: usize, problems: &Problems) -> Self {
        Self {
            doc,
            origin: origin.clone(),
            src,
            base: String::new(),
            problems: problems.clone(),
        }
    }

    /// A sub-document of this one, read on its own under `path`.
    fn sub(&self, doc: Document, path: &str) -> Self {
        Self {
            doc,
            origin: self.origin.clone(),
            src: self.src,
            base: self.full(path),
            problems: self.problems.clone(),
        }
    }

    fn full(&self, path: &str) -> String {
        if self.base.is_empty() {
            path.to_string()
        } else {
            format!("{}.{path}", self.base)
        }
    }

    fn at(&self, path: &str) -> Option<&Bson> {
        get_path(&self.doc, path).filter(|v| !matches!(v, Bson::Null | Bson::Undefined))
    }

    /// Records that `path` holds `found` where `expected` was wanted.
    fn wrong(&self, path: &str, expected: &'static str, found: &Bson) {
        let problem = Problem {
            src: self.src,
            origin: self.origin.to_string(),
            path: self.full(path),
            expected,
            found: describe(found),
        };
        if let Ok(mut list) = self.problems.lock() {
            list.push(problem);
        }
    }

    /// The string at `path`; a value of another type is recorded and reads as absent.
    fn str_at(&self, path: &str) -> Option<String> {
        match self.at(path) {
            None => None,
            Some(Bson::String(s)) => Some(s.clone()),
            Some(other) => {
                self.wrong(path, "a string", other);
                None
            }
        }
    }

    fn bool_at(&self, path: &str) -> Option<bool> {
        match self.at(path) {
            None => None,
            Some(Bson::Boolean(b)) => Some(*b),
            Some(other) => {
                self.wrong(path, "true or false", other);
                None
            }
        }
    }

    /// A string or an array of strings.
    fn strings_at(&self, path: &str) -> Option<Vec<String>> {
        match self.at(path) {
            None => None,
            Some(Bson::String(s)) => Some(vec![s.clone()]),
            Some(Bson::Array(a)) => {
                let mut out = Vec::new();
                for v in a {
                    match v {
                        Bson::String(s) => out.push(s.clone()),
                        other => {
                            self.wrong(path, "a list of strings", other);
                            return None;
                        }
                    }
                }
                Some(out)
            }
            Some(other) => {
                self.wrong(path, "a string or a list of strings", other);
                None
            }
        }
    }

    /// The first candidate that exists, as a string.
    fn first_str(&self, paths: &Paths) -> Option<String> {
        paths.iter().find_map(|p| self.str_at(p))
    }

    fn first_bool(&self, paths: &Paths) -> Option<bool> {
        paths.iter().find_map(|p| self.bool_at(p))
    }

    fn date_at(&self, path: &str) -> Option<DateTime<Utc>> {
        match self.at(path) {
            None => None,
            Some(Bson::DateTime(d)) => DateTime::<Utc>::from_timestamp_millis(d.timestamp_millis()),
            Some(Bson::String(s)) if DateTime::parse_from_rfc3339(s).is_ok() => {
                DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|d| d.with_timezone(&Utc))
            }
            Some(other) => {
                self.wrong(path, "a date", other);
                None
            }
        }
    }

    /// The `_t` discriminator: a string, or an array of the class hierarchy. Another type
    /// is recorded and reads as no type.
    fn types(&self, path: &str) -> Vec<String> {
        match self.doc.get(path) {
            None | Some(Bson::Null) => Vec::new(),
            Some(Bson::String(s)) => vec![s.clone()],
            Some(Bson::Array(a)) if a.iter().all(|v| matches!(v, Bson::String(_))) => a
                .iter()
                .filter_map(Bson::as_str)
                .map(str::to_string)
                .collect(),
            Some(other) => {
                self.wrong(path, "a string or an array of strings", other);
                Vec::new()
            }
        }
    }

    fn id_text(&self) -> String {
        self.doc
            .get("_id")
            .map(id_text)
            .unwrap_or_else(|| format!("document {}", self.origin.index))
    }
}

/// A value's type and a short preview, for error messages (never a secret: those were
/// replaced by the reader).
fn describe(v: &Bson) -> String {
    let text = match v {
        Bson::String(s) => format!("the string {s:?}"),
        Bson::Document(_) => "a document".to_string(),
        Bson::Array(a) => format!("an array of {} values", a.len()),
        other => format!("{:?} {}", other.element_type(), other),
    };
    text.chars().take(80).collect()
}

/// An id as text, keeping a GUID string as stored.
fn id_text(v: &Bson) -> String {
    match v {
        Bson::String(s) => s.clone(),
        other => id_key(other).unwrap_or_else(|| other.to_string()),
    }
}

/// The profile documents, classified.
struct Profiles {
    all: Vec<(Located, Vec<String>)>,
}

impl Profiles {
    /// Center-wide profiles in the mapping's order.
    fn center_wide<'a>(&'a self, mapping: &Mapping) -> Vec<&'a Located> {
        let mut out: Vec<&Located> = Vec::new();
        for wanted in mapping.profiles.center_wide.iter() {
            for (doc, types) in &self.all {
                if types.iter().any(|t| t == wanted) && !out.iter().any(|d| std::ptr::eq(*d, doc)) {
                    out.push(doc);
                }
            }
        }
        out
    }

    fn center<'a>(&'a self, mapping: &Mapping) -> Vec<&'a Located> {
        self.all
            .iter()
            .filter(|(_, types)| {
                types
                    .iter()
                    .any(|t| mapping.profiles.center.iter().any(|c| c == t))
            })
            .map(|(d, _)| d)
            .collect()
    }

    fn gateways<'a>(&'a self, mapping: &Mapping) -> Vec<(&'a Located, &'a [String])> {
        self.all
            .iter()
            .filter(|(_, types)| types.iter().any(|t| mapping.gateway_regex.is_match(t)))
            .map(|(d, t)| (d, t.as_slice()))
            .collect()
    }

    fn non_gateway<'a>(&'a self, mapping: &Mapping) -> Vec<&'a Located> {
        self.all
            .iter()
            .filter(|(_, types)| !types.iter().any(|t| mapping.gateway_regex.is_match(t)))
            .map(|(d, _)| d)
            .collect()
    }
}

/// The profile type a document is named by in messages.
fn profile_label(types: &[String]) -> String {
    types
        .last()
        .cloned()
        .unwrap_or_else(|| "SystemProfile".to_string())
}

fn tried(paths: &Paths, docs: &[&Located], types_of: &dyn Fn(&Located) -> String) -> Vec<String> {
    let profiles: BTreeSet<String> = docs.iter().map(|d| types_of(d)).collect();
    let where_ = if profiles.is_empty() {
        "no such profile in the source".to_string()
    } else {
        profiles.into_iter().collect::<Vec<_>>().join(", ")
    };
    paths.iter().map(|p| format!("{p} (in {where_})")).collect()
}

/// Finds the first candidate path that exists in any of `docs` (path-major: the first
/// candidate wins over later ones, whichever profile holds it).
fn find_first<'a>(paths: &Paths, docs: &[&'a Located]) -> Option<(&'a Located, String)> {
    for p in paths.iter() {
        for d in docs {
            if d.at(p).is_some() {
                return Some((d, p.clone()));
            }
        }
    }
    None
}

/// Ids wanted from UniqueEntity, with the original value for server-side queries.
#[derive(Default)]
struct WantedIds(BTreeMap<String, Bson>);

impl WantedIds {
    fn add(&mut self, v: &Bson) -> Option<String> {
        let key = id_key(v)?;
        self.0.entry(key.clone()).or_insert_with(|| v.clone());
        Some(key)
    }
}

/// Runs extraction over every opened source.
pub(crate) async fn extract(
    sources: &mut [OpenSource],
    mapping: &Mapping,
    progress: &dyn Progress,
) -> Result<Extracted, Error> {
    let mut not_found: Vec<(String, Vec<String>)> = Vec::new();
    let mut note = |item: &str, tried: Vec<String>| not_found.push((item.to_string(), tried));
    let problems: Problems = Problems::default();

    // 1. SystemProfile.
    let mut by_id: Vec<(String, Located)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let scan = Scan {
        collection: Logical::SystemProfile,
        filter: Filter::All,
        projection: None,
        tally: None,
    };
    let mut any_profiles_source = false;
    for (src, s) in sources.iter_mut().enumerate() {
        if !s.provides(mapping, Logical::SystemProfile) {
            continue;
        }
        any_profiles_source = true;
        let mut visit = |doc: Document, origin: &DocOrigin| -> Result<(), Error> {
            let located = Located::new(doc, origin, src, &problems);
            let key = located
                .doc
                .get("_id")
                .and_then(id_key)
                .unwrap_or_else(|| format!("#{}", by_id.len()));
            // A later source replaces an earlier copy of the same profile.
            match index.get(&key) {
                Some(&i) => by_id[i].1 = located,
                None => {
                    index.insert(key.clone(), by_id.len());
                    by_id.push((key, located));
                }
            }
            Ok(())
        };
        s.scan(mapping, &scan, progress, &mut visit).await?;
    }
    let mut all = Vec::new();
    for (_, located) in by_id {
        let types = located.types("_t");
        all.push((located, types));
    }
    let profiles = Profiles { all };
    if !any_profiles_source {
        note(
            "ata (SystemProfile collection: every setting)",
            mapping
                .names_of(Logical::SystemProfile)
                .iter()
                .map(|n| format!("collection {n}"))
                .collect(),
        );
    }
    let types_of = |d: &Located| -> String {
        profiles
            .all
            .iter()
            .find(|(l, _)| std::ptr::eq(l, d))
            .map(|(_, t)| profile_label(t))
            .unwrap_or_default()
    };

    let center_wide = profiles.center_wide(mapping);
    let mut ata = AtaInventory::default();
    let mut wanted = WantedIds::default();

    // Center.
    ata.center = center(mapping, &profiles, &center_wide, &types_of, &mut note)?;

    // Directory services accounts.
    ata.directory_services_accounts = dsa(mapping, &center_wide, &types_of, &mut note)?;

    // Syslog and e-mail.
    ata.syslog = syslog(mapping, &center_wide, &types_of, &mut note)?;
    ata.email = email(mapping, &center_wide, &types_of, &mut note)?;

    // VPN.
    let radius = find_first(&mapping.vpn.radius_enabled, &center_wide);
    let secret = find_first(&mapping.vpn.secret, &center_wide);
    match (&radius, &secret) {
        (None, None) => note(
            "ata.vpn",
            tried(&mapping.vpn.radius_enabled, &center_wide, &types_of),
        ),
        _ => {
            let radius_enabled = match &radius {
                Some((d, p)) => d.bool_at(p).unwrap_or(false),
                None => {
                    note(
                        "ata.vpn.radius_enabled",
                        tried(&mapping.vpn.radius_enabled, &center_wide, &types_of),
                    );
                    false
                }
            };
            let secret_present = match &secret {
                Some((d, p)) => secret_flag(d, p),
                None => false,
            };
            ata.vpn = Some(Vpn {
                radius_enabled,
                secret_present,
            });
        }
    }

    // Honeytokens and manual sensitive entities: id lists in the Center's configuration.
    let honey_ids = id_list(&mapping.honeytokens.id_lists, &center_wide, &mut wanted)?;
    if honey_ids.is_none() {
        note(
            "ata.honeytokens (list of honeytoken accounts)",
            tried(&mapping.honeytokens.id_lists, &center_wide, &types_of),
        );
    }
    let manual_ids = id_list(
        &mapping.sensitive.manual_id_lists,
        &center_wide,
        &mut wanted,
    )?;
    if manual_ids.is_none() {
        note(
            "ata.sensitive (entities tagged sensitive by hand)",
            tried(&mapping.sensitive.manual_id_lists, &center_wide, &types_of),
        );
    }

    // Detectors and their exclusions, discovered.
    let (detectors, exclusions) = detectors(
        mapping,
        &profiles.non_gateway(mapping),
        &mut wanted,
        &mut note,
    )?;
    ata.detectors = detectors;

    // Reports.
    ata.report_schedules = reports(mapping, &center_wide, &types_of, &mut note)?;
    ata.health_alert_toggles = health_alert_toggles(mapping, &center_wide, &types_of, &mut note);
    ata.periodic_reports_enabled = toggle(
        &mapping.reports.periodic_enabled,
        &center_wide,
        "ata.periodic_reports_enabled",
        &types_of,
        &mut note,
    )?;

    // Gateways.
    ata.gateways = gateways(mapping, &profiles, &mut note)?;

    // 2. SuspiciousActivity.
    let a = &mapping.alerts;
    let open_values: Vec<String> = a.open.iter().cloned().collect();
    let suppressed_values: Vec<String> = a.suppressed.iter().cloned().collect();
    let mut projection = vec![a.kind.clone(), a.status.clone()];
    for paths in [&a.severity, &a.start_time, &a.end_time, &a.entity_refs] {
        projection.extend(paths.iter().cloned());
    }
    let scan = Scan {
        collection: Logical::SuspiciousActivity,
        filter: Filter::StrIn(
            a.status.clone(),
            open_values
                .iter()
                .chain(&suppressed_values)
                .cloned()
                .collect(),
        ),
        projection: Some(projection),
        tally: Some(a.status.clone()),
    };
    let mut alert_docs: BTreeMap<String, Located> = BTreeMap::new();
    let mut tally = None;
    let mut any_alert_source = false;
    for (src, s) in sources.iter_mut().enumerate() {
        if !s.provides(mapping, Logical::SuspiciousActivity) {
            continue;
        }
        any_alert_source = true;
        let mut visit = |doc: Document, origin: &DocOrigin| -> Result<(), Error> {
            let located = Located::new(doc, origin, src, &problems);
            alert_docs.insert(located.id_text(), located);
            Ok(())
        };
        let outcome = s.scan(mapping, &scan, progress, &mut visit).await?;
        super::merge_tally(&mut tally, outcome.tally);
    }
    if !any_alert_source {
        note(
            "ata.alerts (SuspiciousActivity collection; not in SystemProfile backups)",
            mapping
                .names_of(Logical::SuspiciousActivity)
                .iter()
                .map(|n| format!("collection {n}"))
                .collect(),
        );
    }
    let mut alert_refs: Vec<(Alert, Vec<String>)> = Vec::new();
    for located in alert_docs.values() {
        let types = located.types(&a.kind);
        let status = located.str_at(&a.status).unwrap_or_default();
        let mut refs = Vec::new();
        for p in a.entity_refs.iter() {
            match located.at(p) {
                None => {}
                Some(Bson::Array(items)) => {
                    for v in items {
                        if let Some(k) = wanted.add(v) {
                            refs.push(k);
                        }
                    }
                }
                Some(v) => {
                    if let Some(k) = wanted.add(v) {
                        refs.push(k);
                    }
                }
            }
        }
        let mut start_time = None;
        for p in a.start_time.iter() {
            if let Some(t) = located.date_at(p) {
                start_time = Some(t);
                break;
            }
        }
        let mut end_time = None;
        for p in a.end_time.iter() {
            if let Some(t) = located.date_at(p) {
                end_time = Some(t);
                break;
            }
        }
        alert_refs.push((
            Alert {
                id: located.id_text(),
                kind: types.last().cloned().unwrap_or_default(),
                severity: located.first_str(&a.severity),
                status,
                start_time,
                end_time,
                entities: Vec::new(),
            },
            refs,
        ));
    }

    // 3. UniqueEntity.
    let e = &mapping.entities;
    let mut flags: Vec<String> = mapping.honeytokens.entity_flags.iter().cloned().collect();
    flags.extend(mapping.sensitive.automatic_flags.iter().cloned());
    flags.extend(mapping.sensitive.role_flags.iter().cloned());
    let mut alts = vec![Filter::IdIn(e.id.clone(), wanted.0.clone())];
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
    // By id: the entity, the flags set on it, and the groups ATA says it belongs to.
    type Known = (Entity, Vec<String>, Option<Vec<String>>);
    let mut entities: BTreeMap<String, Known> = BTreeMap::new();
    let mut entity_error: Option<Error> = None;
    let mut any_entity_source = false;
    for (src, s) in sources.iter_mut().enumerate() {
        if !s.provides(mapping, Logical::UniqueEntity) {
            continue;
        }
        any_entity_source = true;
        let mut visit = |doc: Document, origin: &DocOrigin| -> Result<(), Error> {
            let located = Located::new(doc, origin, src, &problems);
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
            entities.insert(key, (entity, set_flags, parents));
            Ok(())
        };
        if let Err(err) = s.scan(mapping, &scan, progress, &mut visit).await {
            entity_error = Some(err);
            break;
        }
    }
    if let Some(err) = entity_error {
        return Err(err);
    }
    if !any_entity_source {
        note(
            "names, SIDs and types of the entities ATA refers to (UniqueEntity collection; not in \
             SystemProfile backups)",
            mapping
                .names_of(Logical::UniqueEntity)
                .iter()
                .map(|n| format!("collection {n}"))
                .collect(),
        );
    }
    let resolve = |key: &str, raw: &str| -> Entity {
        match entities.get(key) {
            Some((e, _, _)) => e.clone(),
            None => Entity::unresolved(raw),
        }
    };
    let mut unresolved: BTreeSet<String> = BTreeSet::new();
    let mut check = |key: &str, raw: &str| {
        if any_entity_source && !entities.contains_key(key) {
            unresolved.insert(raw.to_string());
        }
    };

    // What ATA's own data says of an entity, for deciding whether the cloud tags it.
    let ata_facts = |key: &str| -> Option<crate::directory::sensitive::AtaFacts> {
        let (e, set, parents) = entities.get(key)?;
        Some(crate::directory::sensitive::AtaFacts {
            name: e.name.clone(),
            sid: e.sid.clone(),
            domain_controller: set
                .iter()
                .any(|f| mapping.sensitive.role_flags.iter().any(|r| r == f)),
            parent_groups: parents.clone(),
        })
    };
    // A tag list: the configured ids (set by a person), then the entities that carry one of
    // `flags` without being listed, with the source `flagged` gives (and its evidence).
    type Flagged<'f> = &'f dyn Fn(&str) -> (TagSource, Option<String>);
    let mut tagged =
        |ids: &Option<Vec<(String, String)>>, flags: &Paths, flagged: Flagged| -> Vec<Entity> {
            let mut out = Vec::new();
            let mut listed: BTreeSet<&str> = BTreeSet::new();
            for (key, raw) in ids.iter().flatten() {
                check(key, raw);
                listed.insert(key);
                let mut ent = resolve(key, raw);
                ent.source = Some(TagSource::Manual);
                out.push(ent);
            }
            for (key, (ent, set, _)) in &entities {
                let is_flagged = set.iter().any(|f| flags.iter().any(|h| h == f));
                if is_flagged && !listed.contains(key.as_str()) {
                    let mut ent = ent.clone();
                    (ent.source, ent.tag_evidence) = {
                        let (s, why) = flagged(key);
                        (Some(s), why)
                    };
                    out.push(ent);
                }
            }
            out
        };
    // ATA has no automatic honeytokens: a flagged one was tagged by a person.
    ata.honeytokens.extend(tagged(
        &honey_ids,
        &mapping.honeytokens.entity_flags,
        &|_| (TagSource::Manual, None),
    ));
    // A sensitive entity is automatic only on evidence (directory::sensitive); the
    // directory, when read, decides again (directory::resolve).
    ata.sensitive.extend(tagged(
        &manual_ids,
        &mapping.sensitive.automatic_flags,
        &|key| {
            let lookup = |id: &str| ata_facts(id);
            let d =
                crate::directory::sensitive::from_ata(&ata_facts(key).unwrap_or_default(), &lookup);
            (d.source, Some(d.evidence))
        },
    ));
    for e in ata
        .sensitive
        .iter_mut()
        .filter(|e| e.tag_evidence.is_none())
    {
        e.tag_evidence = Some(crate::directory::sensitive::TAGGED_BY_HAND.to_string());
    }
    // Exclusions.
    for (mut ex, key) in exclusions {
        if let Some(key) = key {
            check(&key, &ex.value);
            let ent = resolve(&key, &ex.value);
            if ex.kind == ExclusionKind::Account && ent.kind == Some(EntityType::Computer) {
                ex.kind = ExclusionKind::Computer;
            }
            ex.entity = Some(ent);
        }
        ata.exclusions.push(ex);
    }
    ata.exclusions
        .sort_by(|a, b| (&a.detector, &a.list, &a.value).cmp(&(&b.detector, &b.list, &b.value)));
    // Alerts.
    let mut alerts = Alerts::default();
    if let Some(t) = tally {
        alerts.by_status = t;
    }
    for (mut alert, refs) in alert_refs {
        let mut names: Vec<String> = Vec::new();
        for key in &refs {
            let label = entities
                .get(key)
                .map_or_else(|| key.clone(), |(e, _, _)| e.label().to_string());
            if !names.contains(&label) {
                names.push(label);
            }
        }
        alert.entities = names;
        if open_values.contains(&alert.status) {
            alerts.open.push(alert);
        } else {
            alerts.suppressed.push(alert);
        }
    }
    let order = |a: &Alert, b: &Alert| (a.start_time, &a.id).cmp(&(b.start_time, &b.id));
    alerts.open.sort_by(order);
    alerts.suppressed.sort_by(order);
    ata.alerts = alerts;

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

    // Collections, with counts where known; later sources win for the same name.
    let mut collections: BTreeMap<String, CollectionInfo> = BTreeMap::new();
    for s in sources.iter() {
        for c in s.collections() {
            collections.insert(c.name.clone(), c);
        }
        if ata.center.mongo_version.is_none() {
            ata.center.mongo_version = s.source.server_version.clone();
        }
    }
    ata.collections = collections.into_values().collect();

    let mut not_found: Vec<NotFound> = not_found
        .into_iter()
        .map(|(item, tried)| NotFound {
            item,
            tried,
            reason: None,
        })
        .collect();
    // Each value of an unexpected type cost its item: named in not_found with the reason,
    // and its source marked partial (the run exits 3).
    let problems = std::mem::take(&mut *problems.lock().unwrap_or_else(|e| e.into_inner()));
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut per_source: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for p in problems {
        if !seen.insert((p.origin.clone(), p.path.clone())) {
            continue;
        }
        per_source.entry(p.src).or_default().push(p.path.clone());
        not_found.push(NotFound {
            item: format!("ATA field {}", p.path),
            tried: vec![p.origin],
            reason: Some(format!("expected {}, found {}", p.expected, p.found)),
        });
    }
    for (src, paths) in per_source {
        if let Some(s) = sources.get_mut(src) {
            s.mark_partial(&format!(
                "{} field(s) of an unexpected type were not read (see not_found): {}",
                paths.len(),
                paths.join(", ")
            ));
        }
    }
    Ok(Extracted { ata, not_found })
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
fn id_list(
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

/// A secret slot after redaction: `true`/`false` (or absent).
fn secret_flag(d: &Located, path: &str) -> bool {
    matches!(d.at(path), Some(Bson::Boolean(true)))
}

type Note<'a> = dyn FnMut(&str, Vec<String>) + 'a;

fn center(
    mapping: &Mapping,
    profiles: &Profiles,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Center, Error> {
    let m = &mapping.center;
    let mut c = Center::default();
    match find_first(&m.console_urls, wide) {
        Some((d, p)) => c.console_urls = d.strings_at(&p).unwrap_or_default(),
        None => note(
            "ata.center.console_urls",
            tried(&m.console_urls, wide, types_of),
        ),
    }
    for d in wide {
        for p in m.certificate_thumbprints.iter() {
            for t in d.strings_at(p).unwrap_or_default() {
                if !c
                    .certificate_thumbprints
                    .iter()
                    .any(|x: &String| x.eq_ignore_ascii_case(&t))
                {
                    c.certificate_thumbprints.push(t.clone());
                }
                let mut profile = types_of(d);
                if !profiles
                    .center(mapping)
                    .iter()
                    .any(|x| std::ptr::eq(*x, *d))
                {
                    profile = format!("{profile} {}", d.id_text());
                }
                c.thumbprint_sources.push(ThumbprintSource {
                    profile,
                    path: p.clone(),
                    thumbprint: t,
                });
            }
        }
    }
    if c.certificate_thumbprints.is_empty() {
        note(
            "ata.center.certificate_thumbprints",
            tried(&m.certificate_thumbprints, wide, types_of),
        );
    }
    for d in profiles.center(mapping) {
        for p in m.pending_change_lists.iter() {
            if let Some(list) = d.strings_at(p)
                && list.len() > 1
            {
                c.pending_change = true;
            }
        }
    }
    c.service_profile_id = find_first(&m.service_profile_id, wide).and_then(|(d, p)| {
        d.at(&p).map(|v| match v {
            Bson::String(s) => s.clone(),
            other => id_text(other),
        })
    });
    match find_first(&m.listen_endpoint, wide) {
        Some((d, p)) => c.listen_endpoint = endpoint_text(d, &p),
        None => note(
            "ata.center.listen_endpoint",
            tried(&m.listen_endpoint, wide, types_of),
        ),
    }
    let au = &m.auto_update;
    let first = |paths: &Paths| find_first(paths, wide).and_then(|(d, p)| d.bool_at(&p));
    let auto = AutoUpdate {
        enabled: first(&au.enabled),
        gateways_update_automatically: first(&au.gateways),
        lightweight_gateways_restart_automatically: first(&au.lightweight_restart),
    };
    if auto != AutoUpdate::default() {
        c.auto_update = Some(auto);
    }
    Ok(c)
}

/// An endpoint as text: `"host:port"` as stored, or a `{Address|Host, Port}` document.
/// Another shape is recorded and reads as absent.
fn endpoint_text(d: &Located, path: &str) -> Option<String> {
    match d.at(path) {
        Some(Bson::String(s)) => Some(s.clone()),
        Some(Bson::Document(e)) => {
            let host = ["Address", "Host", "IpAddress", "HostName"]
                .iter()
                .find_map(|k| e.get_str(k).ok());
            let port = ["Port"].iter().find_map(|k| {
                e.get(*k)
                    .and_then(Bson::as_i64)
                    .or_else(|| e.get_i32(k).ok().map(i64::from))
            });
            match (host, port) {
                (Some(h), Some(p)) => Some(format!("{h}:{p}")),
                (Some(h), None) => Some(h.to_string()),
                _ => {
                    d.wrong(
                        path,
                        "\"host:port\" or {Address, Port}",
                        &Bson::Document(e.clone()),
                    );
                    None
                }
            }
        }
        Some(other) => {
            d.wrong(path, "\"host:port\"", other);
            None
        }
        None => None,
    }
}

/// Splits `host:port`, `[v6]:port` or `scheme://host:port`.
pub fn split_endpoint(text: &str) -> (Option<String>, Option<u16>) {
    let t = text.trim();
    let t = t.split_once("://").map_or(t, |(_, r)| r);
    let t = t.trim_end_matches('/');
    if t.is_empty() {
        return (None, None);
    }
    if let Some(rest) = t.strip_prefix('[')
        && let Some((host, after)) = rest.split_once(']')
    {
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
        return (Some(host.to_string()), port);
    }
    match t.rsplit_once(':') {
        // More than one colon and no brackets: a bare IPv6 address.
        Some((host, _)) if host.contains(':') => (Some(t.to_string()), None),
        Some((host, port)) => match port.parse() {
            Ok(p) => (Some(host.to_string()), Some(p)),
            Err(_) => (Some(t.to_string()), None),
        },
        None => (Some(t.to_string()), None),
    }
}

fn dsa(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Vec<DirectoryServicesAccount>, Error> {
    let m = &mapping.directory_services_accounts;
    for p in m.lists.iter() {
        for d in wide {
            let items: Vec<(String, &Document)> = match d.at(p) {
                None => continue,
                // An entry that is no account document costs only itself.
                Some(Bson::Array(a)) => a
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| match v {
                        Bson::Document(doc) => Some((format!("{p}.{i}"), doc)),
                        other => {
                            d.wrong(&format!("{p}.{i}"), "an account document", other);
                            None
                        }
                    })
                    .collect(),
                Some(Bson::Document(doc)) => vec![(p.clone(), doc)],
                Some(other) => {
                    d.wrong(p, "a list of accounts or an account document", other);
                    continue;
                }
            };
            let mut accounts = Vec::new();
            for (base, item) in items {
                let sub = d.sub(item.clone(), &base);
                let Some(user) = sub.first_str(&m.user) else {
                    continue;
                };
                let domain = sub.first_str(&m.domain);
                let mut secret_present = false;
                for s in m.secret.iter() {
                    secret_present |= secret_flag(&sub, s);
                }
                accounts.push(DirectoryServicesAccount {
                    user,
                    domain,
                    secret_present,
                    found_at: Some(format!("{} {p}", types_of(d))),
                });
            }
            if !accounts.is_empty() {
                return Ok(accounts);
            }
        }
    }
    let fields = format!(
        "with {} and {}",
        m.user.iter().cloned().collect::<Vec<_>>().join("/"),
        m.domain.iter().cloned().collect::<Vec<_>>().join("/")
    );
    note(
        "ata.directory_services_accounts",
        tried(&m.lists, wide, types_of)
            .into_iter()
            .map(|t| format!("{t} {fields}"))
            .collect(),
    );
    Ok(Vec::new())
}

/// The first section candidate that exists, relative field lookups inside it. A section
/// of another type is recorded and reads as absent.
fn section(paths: &Paths, docs: &[&Located]) -> Option<(Located, String)> {
    let (d, p) = find_first(paths, docs)?;
    match d.at(&p) {
        Some(Bson::Document(sub)) => Some((d.sub(sub.clone(), &p), p)),
        Some(other) => {
            d.wrong(&p, "a document", other);
            None
        }
        None => None,
    }
}

fn syslog(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Option<Syslog>, Error> {
    let m = &mapping.syslog;
    let Some((s, base)) = section(&m.section, wide) else {
        note("ata.syslog", tried(&m.section, wide, types_of));
        return Ok(None);
    };
    let enabled = s.first_bool(&m.enabled);
    if enabled.is_none() {
        note(
            "ata.syslog.enabled",
            m.enabled.iter().map(|p| format!("{base}.{p}")).collect(),
        );
    }
    let mut out = Syslog {
        enabled: enabled.unwrap_or(false),
        transport: s.first_str(&m.transport),
        format: s.first_str(&m.format),
        ..Syslog::default()
    };
    if let Some(p) = m.endpoint.iter().find(|p| s.at(p).is_some()) {
        let (host, port) = split_endpoint(&endpoint_text(&s, p).unwrap_or_default());
        out.server = host;
        out.port = port;
    }
    out.alert_notifications = toggle(
        &m.alert_toggle,
        wide,
        "ata.syslog.alert_notifications",
        types_of,
        note,
    )?;
    out.health_notifications = toggle(
        &m.health_toggle,
        wide,
        "ata.syslog.health_notifications",
        types_of,
        note,
    )?;
    Ok(Some(out))
}

/// A notification switch whose location is unknown: the first candidate found, or a
/// `not_found` entry.
fn toggle(
    paths: &Paths,
    wide: &[&Located],
    item: &str,
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Option<bool>, Error> {
    match find_first(paths, wide) {
        Some((d, p)) => Ok(d.bool_at(&p)),
        None => {
            note(item, tried(paths, wide, types_of));
            Ok(None)
        }
    }
}

fn email(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Option<Email>, Error> {
    let m = &mapping.email;
    let alert =
        find_first(&m.alert_recipients, wide).map(|(d, p)| d.strings_at(&p).unwrap_or_default());
    let health =
        find_first(&m.health_recipients, wide).map(|(d, p)| d.strings_at(&p).unwrap_or_default());
    if alert.is_none() {
        note(
            "ata.email.alert_recipients",
            tried(&m.alert_recipients, wide, types_of),
        );
    }
    if health.is_none() {
        note(
            "ata.email.health_recipients",
            tried(&m.health_recipients, wide, types_of),
        );
    }
    let Some((s, base)) = section(&m.section, wide) else {
        note("ata.email", tried(&m.section, wide, types_of));
        return Ok(None);
    };
    let enabled = s.first_bool(&m.enabled);
    if enabled.is_none() {
        note(
            "ata.email.enabled",
            m.enabled.iter().map(|p| format!("{base}.{p}")).collect(),
        );
    }
    let auth_enabled = s.first_bool(&m.auth_enabled);
    let mut out = Email {
        enabled: enabled.unwrap_or(false),
        ssl: s.first_bool(&m.ssl),
        from: s.first_str(&m.from).filter(|f| !f.is_empty()),
        auth_user: match auth_enabled {
            // Authentication off: a leftover account name is not in use.
            Some(false) => None,
            _ => s.first_str(&m.auth_user).filter(|u| !u.is_empty()),
        },
        ..Email::default()
    };
    for p in m.secret.iter() {
        out.secret_present |= secret_flag(&s, p);
    }
    if let Some(p) = m.endpoint.iter().find(|p| s.at(p).is_some()) {
        let (host, port) = split_endpoint(&endpoint_text(&s, p).unwrap_or_default());
        out.server = host;
        out.port = port;
    }
    out.alert_notifications = toggle(
        &m.alert_toggle,
        wide,
        "ata.email.alert_notifications",
        types_of,
        note,
    )?;
    out.health_notifications = toggle(
        &m.health_toggle,
        wide,
        "ata.email.health_notifications",
        types_of,
        note,
    )?;
    out.alert_recipients = alert.unwrap_or_default();
    out.health_recipients = health.unwrap_or_default();
    for r in out.alert_recipients.iter().chain(&out.health_recipients) {
        if !out.recipients.contains(r) {
            out.recipients.push(r.clone());
        }
    }
    Ok(Some(out))
}

/// An exclusion and, for entity lists, the id key to resolve.
type PendingExclusion = (Exclusion, Option<String>);

fn detectors(
    mapping: &Mapping,
    docs: &[&Located],
    wanted: &mut WantedIds,
    note: &mut Note<'_>,
) -> Result<(Vec<Detector>, Vec<PendingExclusion>), Error> {
    let m = &mapping.detectors;
    let mut detectors: BTreeMap<String, Detector> = BTreeMap::new();
    let mut exclusions = Vec::new();
    let mut seen_section = false;
    for d in docs {
        let Some(section) = d.at(&m.section) else {
            continue;
        };
        let Bson::Document(section) = section else {
            d.wrong(&m.section, "a document", section);
            continue;
        };
        seen_section = true;
        for (key, value) in section {
            if !mapping.detector_regex.is_match(key) || detectors.contains_key(key) {
                continue;
            }
            let Bson::Document(conf) = value else {
                d.wrong(&format!("{}.{key}", m.section), "a document", value);
                continue;
            };
            let base = format!("{}.{key}", m.section);
            let enabled = d.bool_at(&format!("{base}.{}", m.enabled));
            detectors.insert(
                key.clone(),
                Detector {
                    name: key.clone(),
                    enabled,
                },
            );
            for (list, items) in conf {
                if !list.starts_with(&m.exclusion_prefix) {
                    continue;
                }
                let path = format!("{base}.{list}");
                let Bson::Array(items) = items else {
                    if matches!(items, Bson::Null) {
                        continue;
                    }
                    d.wrong(&path, "a list", items);
                    continue;
                };
                let kind = mapping.exclusion_kind(list);
                for v in items {
                    let text = match v {
                        Bson::String(s) => s.clone(),
                        other => match id_key(other) {
                            Some(k) => k,
                            None => {
                                // An entry that is neither costs only itself.
                                d.wrong(&path, "a list of ids or subnets", other);
                                continue;
                            }
                        },
                    };
                    let kind = match kind {
                        Some(k) => k,
                        None if looks_like_address(&text) => ExclusionKind::Subnet,
                        None => {
                            // The list's name says nothing: still an entity id; its type
                            // (once resolved) decides between account and computer.
                            note(
                                &format!("ata.exclusions kind of {key}.{list}"),
                                m.exclusion_kinds
                                    .iter()
                                    .map(|r| format!("list name containing {}", r.contains))
                                    .collect(),
                            );
                            ExclusionKind::Account
                        }
                    };
                    let key_for_entity = if kind == ExclusionKind::Subnet {
                        None
                    } else {
                        wanted.add(v)
                    };
                    exclusions.push((
                        Exclusion {
                            detector: key.clone(),
                            kind,
                            value: text,
                            entity: None,
                            list: Some(list.clone()),
                        },
                        key_for_entity,
                    ));
                }
            }
        }
    }
    if !seen_section || detectors.is_empty() {
        note(
            "ata.detectors",
            vec![format!("{}.*  matching /{}/", m.section, m.key_pattern)],
        );
    }
    Ok((detectors.into_values().collect(), exclusions))
}

fn looks_like_address(s: &str) -> bool {
    let host = s.split('/').next().unwrap_or(s);
    host.parse::<std::net::IpAddr>().is_ok()
}

fn reports(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Vec<ReportSchedule>, Error> {
    let m = &mapping.reports;
    // Every candidate map that exists is read: ATA keeps report types in more than one
    // (ReportTypeToConfigurationMapping, SendPeriodicReportsConfiguration).
    let mut found: Vec<(&Located, String)> = Vec::new();
    for p in m.maps.iter() {
        if let Some(d) = wide.iter().find(|d| d.at(p).is_some()) {
            found.push((d, p.clone()));
        }
    }
    if found.is_empty() {
        note("ata.report_schedules", tried(&m.maps, wide, types_of));
        return Ok(Vec::new());
    }
    let mut entries: Vec<(&Located, String, String, Document)> = Vec::new();
    for (d, p) in found {
        for (name, settings) in report_entries(d, &p) {
            entries.push((d, p.clone(), name, settings));
        }
    }
    let mut out = Vec::new();
    for (d, p, name, settings) in entries {
        let s = d.sub(settings, &format!("{p}.{name}"));
        let enabled = s.first_bool(&m.enabled);
        let mut schedule = None;
        for key in m.schedule.iter() {
            if let Some(v) = s.at(key) {
                schedule = Some(scalar_text(v));
                break;
            }
        }
        let mut recipients = Vec::new();
        for key in m.recipients.iter() {
            if let Some(list) = s.strings_at(key) {
                recipients = list;
                break;
            }
        }
        let used: BTreeSet<&String> = m
            .enabled
            .iter()
            .chain(m.schedule.iter())
            .chain(m.recipients.iter())
            .collect();
        let settings = s
            .doc
            .iter()
            .filter(|(k, _)| !used.contains(k) && !is_secret_key(k))
            .map(|(k, v)| (k.clone(), scalar_text(v)))
            .collect();
        out.push(ReportSchedule {
            name,
            enabled,
            schedule,
            recipients,
            settings,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Health alerts by type name and whether each is on: a C# `Dictionary<string, bool>`,
/// stored as a document or as `{k, v}` / `[k, v]` pairs. An entry of another shape is
/// recorded and skipped.
fn health_alert_toggles(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> BTreeMap<String, bool> {
    let paths = &mapping.monitoring.alert_toggles;
    let mut out = BTreeMap::new();
    let Some((d, p)) = find_first(paths, wide) else {
        note("ata.health_alert_toggles", tried(paths, wide, types_of));
        return out;
    };
    match d.at(&p) {
        Some(Bson::Document(map)) => {
            for (k, v) in map {
                match v {
                    Bson::Boolean(b) => {
                        out.insert(k.clone(), *b);
                    }
                    other => d.wrong(&format!("{p}.{k}"), "true or false", other),
                }
            }
        }
        Some(Bson::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let pair = match item {
                    Bson::Document(kv) => (
                        kv.get("k").or_else(|| kv.get("Key")),
                        kv.get("v").or_else(|| kv.get("Value")),
                    ),
                    Bson::Array(kv) if kv.len() == 2 => (kv.first(), kv.get(1)),
                    _ => (None, None),
                };
                match pair {
                    (Some(Bson::String(k)), Some(Bson::Boolean(b))) => {
                        out.insert(k.clone(), *b);
                    }
                    _ => d.wrong(&format!("{p}.{i}"), "an alert type and true/false", item),
                }
            }
        }
        Some(other) => d.wrong(&p, "a map of alert type to true/false", other),
        None => {}
    }
    out
}

/// The entries of a report map. C# dictionaries serialise as a document, or as arrays
/// of `{k, v}` / `[k, v]`; an entry of another shape is recorded and skipped.
fn report_entries(d: &Located, p: &str) -> Vec<(String, Document)> {
    let expected = "a map of report type to settings";
    let mut entries = Vec::new();
    match d.at(p) {
        Some(Bson::Document(map)) => {
            for (k, v) in map {
                match v {
                    Bson::Document(settings) => entries.push((k.clone(), settings.clone())),
                    other => d.wrong(&format!("{p}.{k}"), "report settings (a document)", other),
                }
            }
        }
        Some(Bson::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let pair = match item {
                    Bson::Document(kv) => (
                        kv.get("k").or_else(|| kv.get("Key")),
                        kv.get("v").or_else(|| kv.get("Value")),
                    ),
                    Bson::Array(kv) if kv.len() == 2 => (kv.first(), kv.get(1)),
                    _ => (None, None),
                };
                match pair {
                    (Some(k), Some(Bson::Document(v))) => {
                        let name = match k {
                            Bson::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        entries.push((name, v.clone()));
                    }
                    _ => d.wrong(&format!("{p}.{i}"), "a report type and its settings", item),
                }
            }
        }
        Some(other) => d.wrong(p, expected, other),
        None => {}
    }
    entries
}

/// A value as one line of text for the report.
fn scalar_text(v: &Bson) -> String {
    match v {
        Bson::String(s) => s.clone(),
        Bson::Boolean(b) => b.to_string(),
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => i.to_string(),
        Bson::Double(f) => f.to_string(),
        Bson::DateTime(d) => d.try_to_rfc3339_string().unwrap_or_else(|_| d.to_string()),
        Bson::Array(a) => a.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        other => other.clone().into_relaxed_extjson().to_string(),
    }
}

fn gateways(
    mapping: &Mapping,
    profiles: &Profiles,
    note: &mut Note<'_>,
) -> Result<Vec<Gateway>, Error> {
    let m = &mapping.gateways;
    let mut out = Vec::new();
    let mut missing_sync: Vec<String> = Vec::new();
    for (d, types) in profiles.gateways(mapping) {
        let id = d.id_text();
        let name = match d.first_str(&m.name) {
            Some(n) => n,
            None => {
                note(
                    &format!("ata.gateways[{id}].name"),
                    m.name.iter().cloned().collect(),
                );
                id.clone()
            }
        };
        let mut dcs = Vec::new();
        for p in m.domain_controllers.iter() {
            if let Some(list) = d.strings_at(p) {
                dcs = list;
                break;
            }
        }
        let capture = m
            .capture_adapters
            .iter()
            .find_map(|p| d.strings_at(p).map(|l| (p, l)))
            .filter(|(_, l)| !l.is_empty());
        let (kind, kind_evidence) = gateway_kind(d, types, &m.lightweight, &name, &dcs, capture);
        let candidate = d.first_bool(&m.domain_synchronizer_candidate);
        if candidate.is_none() {
            missing_sync.push(name.clone());
        }
        out.push(Gateway {
            id,
            name,
            kind,
            kind_evidence,
            version: d.first_str(&m.version),
            status: d.first_str(&m.status),
            service_status: d.first_str(&m.service_status),
            last_activity: m.last_activity.iter().find_map(|p| d.date_at(p)),
            domain_synchronizer_candidate: candidate,
            syslog_listener: d.first_bool(&m.syslog_listener),
            domain_controllers: dcs,
        });
    }
    out.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    missing_sync.sort();
    if !missing_sync.is_empty() {
        let item = if missing_sync.len() == out.len() {
            "ata.gateways[*].domain_synchronizer_candidate (confirm in the ATA console)".to_string()
        } else {
            format!(
                "ata.gateways[{}].domain_synchronizer_candidate (confirm in the ATA console)",
                missing_sync.join(", ")
            )
        };
        note(
            &item,
            m.domain_synchronizer_candidate.iter().cloned().collect(),
        );
    }
    Ok(out)
}

/// ATA Gateway or Lightweight Gateway, from the evidence in the profile, and what the
/// evidence was. In order: a field that says so (`IsLightweight`, a type naming
/// Lightweight); port-mirrored capture adapters (only a full ATA Gateway has them); the
/// domain controllers it watches naming a host other than its own (a Lightweight Gateway
/// watches only the DC it runs on). Nothing decides: `Unknown`, and the directory pass
/// may still decide from its list of domain controllers ([`classify_by_directory`]).
fn gateway_kind(
    d: &Located,
    types: &[String],
    lightweight: &Paths,
    name: &str,
    dcs: &[String],
    capture: Option<(&String, Vec<String>)>,
) -> (GatewayKind, Option<String>) {
    let lightweight_type = types
        .iter()
        .find(|t| t.to_ascii_lowercase().contains("lightweight"));
    for p in lightweight.iter() {
        let decided = match d.at(p) {
            Some(Bson::Boolean(true)) => Some(GatewayKind::LightweightGateway),
            Some(Bson::Boolean(false)) => Some(GatewayKind::Gateway),
            // A type discriminator (`_t`, or `Type` in REST-style exports) only ever says
            // "lightweight" positively; a plain GatewaySystemProfile proves nothing.
            Some(_) if p == "_t" => {
                if let Some(t) = lightweight_type {
                    return (
                        GatewayKind::LightweightGateway,
                        Some(format!("_t names {t}")),
                    );
                }
                None
            }
            Some(Bson::String(s)) if !s.to_ascii_lowercase().ends_with("systemprofile") => {
                let s = s.to_ascii_lowercase();
                if s.contains("lightweight") {
                    Some(GatewayKind::LightweightGateway)
                } else if s.contains("gateway") {
                    Some(GatewayKind::Gateway)
                } else {
                    None
                }
            }
            Some(Bson::String(_)) | Some(Bson::Array(_)) | None => None,
            Some(other) => {
                d.wrong(p, "true/false or a gateway kind", other);
                None
            }
        };
        if let Some(k) = decided {
            let shown = d.at(p).map(describe).unwrap_or_default();
            return (k, Some(format!("{p} is {shown}")));
        }
    }
    if let Some((path, adapters)) = capture {
        return (
            GatewayKind::Gateway,
            Some(format!(
                "captures port-mirrored traffic ({path}: {})",
                adapters.join(", ")
            )),
        );
    }
    let others: Vec<&String> = dcs
        .iter()
        .filter(|dc| !crate::model::same_host(dc, name))
        .collect();
    if !others.is_empty() {
        let list: Vec<&str> = others.iter().map(|s| s.as_str()).collect();
        return (
            GatewayKind::Gateway,
            Some(format!(
                "watches domain controllers other than its own host ({})",
                list.join(", ")
            )),
        );
    }
    if !dcs.is_empty() {
        return (
            GatewayKind::LightweightGateway,
            Some(format!("watches only its own host ({})", dcs.join(", "))),
        );
    }
    (GatewayKind::Unknown, None)
}

/// Decides the gateways extraction left `Unknown` from the directory's list of domain
/// controllers: a gateway whose host is a DC there is a Lightweight Gateway (ATA's
/// gateways run on a server of their own), one whose host is not is an ATA Gateway.
/// Nothing is decided when the directory lists no DC.
pub fn classify_by_directory(inventory: &mut crate::model::Inventory) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_split() {
        assert_eq!(
            split_endpoint("siem01.fabrikam.test:514"),
            (Some("siem01.fabrikam.test".into()), Some(514))
        );
        assert_eq!(
            split_endpoint("[fe80::1]:25"),
            (Some("fe80::1".into()), Some(25))
        );
        assert_eq!(split_endpoint("fe80::1"), (Some("fe80::1".into()), None));
        assert_eq!(
            split_endpoint("udp://10.0.0.1:514/"),
            (Some("10.0.0.1".into()), Some(514))
        );
        assert_eq!(split_endpoint("smtp"), (Some("smtp".into()), None));
    }
}
