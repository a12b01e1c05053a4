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

mod alerts;
mod center;
mod detectors;
mod doc;
mod entities;
mod gateways;
mod notifications;
mod reports;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use mongodb::bson::Document;

pub use doc::{Located, split_endpoint};

use super::mapping::Mapping;
use super::snapshot::{DocOrigin, Filter, Logical, Scan, id_key};
use super::{Error, OpenSource};
use crate::model::{AtaInventory, CollectionInfo, NotFound};
use crate::progress::Progress;
use doc::{Profiles, WantedIds, tried};
use entities::Pending;

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

/// Where an item not found is noted, with the paths tried.
type Note<'a> = dyn FnMut(&str, Vec<String>) + 'a;

/// Runs extraction over every opened source.
pub(crate) async fn extract(
    sources: &mut [OpenSource],
    mapping: &Mapping,
    progress: &dyn Progress,
) -> Result<Extracted, Error> {
    let mut not_found: Vec<(String, Vec<String>)> = Vec::new();
    let mut note = |item: &str, tried: Vec<String>| not_found.push((item.to_string(), tried));
    let problems: Problems = Problems::default();
    let mut reading = Reading {
        sources,
        mapping,
        progress,
        problems: &problems,
    };

    // 1. SystemProfile: every setting, and the entity ids they name.
    let profiles = read_profiles(&mut reading).await?;
    if profiles.is_none() {
        note(
            "ata (SystemProfile collection: every setting)",
            collections_named(mapping, Logical::SystemProfile),
        );
    }
    let profiles = profiles.unwrap_or(Profiles { all: Vec::new() });
    empty_profiles(&mut reading, &profiles);
    let mut wanted = WantedIds::default();
    let (mut ata, pending) = settings(mapping, &profiles, &mut wanted, &mut note)?;

    // 2. SuspiciousActivity.
    let alerts = alerts::read(&mut reading, &mut wanted).await?;
    if !alerts.any_source {
        note(
            "ata.alerts (SuspiciousActivity collection; not in SystemProfile backups)",
            collections_named(mapping, Logical::SuspiciousActivity),
        );
    }

    // 3. UniqueEntity: what 1 and 2 named, resolved.
    let entities = entities::read(&mut reading, wanted).await?;
    if !entities.any_source() {
        note(
            "names, SIDs and types of the entities ATA refers to (UniqueEntity collection; not in \
             SystemProfile backups)",
            collections_named(mapping, Logical::UniqueEntity),
        );
    }
    entities.apply(mapping, pending, &mut ata, &mut note);
    ata.alerts = alerts.finish(&entities);
    drop_aside((entities, profiles));

    let sources = reading.sources;
    list_collections(sources, &mut ata);
    let mut not_found: Vec<NotFound> = not_found
        .into_iter()
        .map(|(item, tried)| NotFound {
            item,
            tried,
            reason: None,
        })
        .collect();
    report_problems(&problems, sources, &mut not_found);
    Ok(Extracted { ata, not_found })
}

/// Every SystemProfile document, classified; a later source replaces an earlier copy of
/// the same profile. `None` when no source holds the collection.
async fn read_profiles(reading: &mut Reading<'_>) -> Result<Option<Profiles>, Error> {
    let mut by_id: Vec<(String, Located)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let scan = Scan {
        collection: Logical::SystemProfile,
        filter: Filter::All,
        projection: None,
        tally: None,
    };
    let scanned = reading
        .scan(&scan, &mut |located| {
            let key = located
                .doc
                .get("_id")
                .and_then(id_key)
                .unwrap_or_else(|| format!("#{}", by_id.len()));
            match index.get(&key) {
                Some(&i) => by_id[i].1 = located,
                None => {
                    index.insert(key.clone(), by_id.len());
                    by_id.push((key, located));
                }
            }
            Ok(())
        })
        .await?;
    if !scanned.any_source {
        return Ok(None);
    }
    let all = by_id
        .into_iter()
        .map(|(_, located)| {
            let types = located.types("_t");
            (located, types)
        })
        .collect();
    Ok(Some(Profiles { all }))
}

/// Marks partial each source that holds the SystemProfile collection but gave no document
/// of it: ATA always keeps its Center's configuration there, so an empty one is a dump or
/// export that went wrong, and "ok" would let every setting read as simply absent.
fn empty_profiles(reading: &mut Reading<'_>, profiles: &Profiles) {
    let mapping = reading.mapping;
    for (src, s) in reading.sources.iter_mut().enumerate() {
        if s.provides(mapping, Logical::SystemProfile)
            && !profiles.all.iter().any(|(p, _)| p.src == src)
        {
            s.mark_partial(
                "SystemProfile holds no document (ATA keeps every setting there): the dump or \
                 export is empty or was cut short; take it again",
            );
        }
    }
}

/// What [`Reading::scan`] saw.
struct Scanned {
    /// Whether any source holds the collection (none: the setting is not in the sources).
    any_source: bool,
    /// The scan's tally over every source, when it asked for one.
    tally: Option<BTreeMap<String, u64>>,
}

/// The opened sources and what every scan of them needs: the mapping, the progress
/// display, and where a document that could not be read whole is noted.
struct Reading<'a> {
    sources: &'a mut [OpenSource],
    mapping: &'a Mapping,
    progress: &'a dyn Progress,
    problems: &'a Problems,
}

impl Reading<'_> {
    /// Runs `scan` on every source that holds its collection and hands each document
    /// on, located (which source, which file and place).
    async fn scan(
        &mut self,
        scan: &Scan,
        each: &mut (dyn FnMut(Located) -> Result<(), Error> + Send),
    ) -> Result<Scanned, Error> {
        let mut scanned = Scanned {
            any_source: false,
            tally: None,
        };
        let problems = self.problems;
        for (src, s) in self.sources.iter_mut().enumerate() {
            if !s.provides(self.mapping, scan.collection) {
                continue;
            }
            scanned.any_source = true;
            let mut visit = |doc: Document, origin: &DocOrigin| -> Result<(), Error> {
                each(Located::new(doc, origin, src, problems))
            };
            let outcome = s
                .scan(self.mapping, scan, self.progress, &mut visit)
                .await?;
            super::merge_tally(&mut scanned.tally, outcome.tally);
        }
        Ok(scanned)
    }
}

/// The settings the profiles hold, and what of them waits for the entities.
fn settings(
    mapping: &Mapping,
    profiles: &Profiles,
    wanted: &mut WantedIds,
    note: &mut Note<'_>,
) -> Result<(AtaInventory, Pending), Error> {
    let types_of = |d: &Located| profiles.label_of(d);
    let wide = profiles.center_wide(mapping);
    let mut ata = AtaInventory {
        center: center::center(mapping, profiles, &wide, &types_of, note)?,
        directory_services_accounts: center::dsa(mapping, &wide, &types_of, note)?,
        syslog: notifications::syslog(mapping, &wide, &types_of, note)?,
        email: notifications::email(mapping, &wide, &types_of, note)?,
        vpn: center::vpn(mapping, &wide, &types_of, note),
        ..AtaInventory::default()
    };
    // Honeytokens and manual sensitive entities: id lists in the Center's configuration.
    let honey_ids = entities::id_list(&mapping.honeytokens.id_lists, &wide, wanted)?;
    if honey_ids.is_none() {
        note(
            "ata.honeytokens (list of honeytoken accounts)",
            tried(&mapping.honeytokens.id_lists, &wide, &types_of),
        );
    }
    let manual_ids = entities::id_list(&mapping.sensitive.manual_id_lists, &wide, wanted)?;
    if manual_ids.is_none() {
        note(
            "ata.sensitive (entities tagged sensitive by hand)",
            tried(&mapping.sensitive.manual_id_lists, &wide, &types_of),
        );
    }
    let (detectors, exclusions) =
        detectors::detectors(mapping, &profiles.non_gateway(mapping), wanted, note)?;
    ata.detectors = detectors;
    ata.report_schedules = reports::reports(mapping, &wide, &types_of, note)?;
    ata.health_alert_toggles = reports::health_alert_toggles(mapping, &wide, &types_of, note);
    ata.periodic_reports_enabled = notifications::toggle(
        &mapping.reports.periodic_enabled,
        &wide,
        "ata.periodic_reports_enabled",
        &types_of,
        note,
    )?;
    ata.gateways = gateways::gateways(mapping, profiles, note)?;
    let pending = Pending {
        honey_ids,
        manual_ids,
        exclusions,
    };
    Ok((ata, pending))
}

/// Frees `value` on another thread: dropping the many small allocations of the documents
/// read takes tens of milliseconds on a large Center, time the main thread (alone then)
/// can spend on the next step instead. Freeing has no effect on the output.
fn drop_aside<T: Send + 'static>(value: T) {
    // Without a thread (the system refuses one) the closure, and `value` with it, is
    // freed here instead.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// The collections a logical one may be stored as, for a `not_found` entry.
fn collections_named(mapping: &Mapping, logical: Logical) -> Vec<String> {
    mapping
        .names_of(logical)
        .iter()
        .map(|n| format!("collection {n}"))
        .collect()
}

/// Collections, with counts where known; later sources win for the same name.
fn list_collections(sources: &[OpenSource], ata: &mut AtaInventory) {
    let mut collections: BTreeMap<String, CollectionInfo> = BTreeMap::new();
    for s in sources {
        for c in s.collections() {
            collections.insert(c.name.clone(), c);
        }
        if ata.center.mongo_version.is_none() {
            ata.center.mongo_version = s.source.server_version.clone();
        }
    }
    ata.collections = collections.into_values().collect();
}

/// Each value of an unexpected type cost its item: named in `not_found` with the reason,
/// and its source marked partial (the run exits 3).
fn report_problems(problems: &Problems, sources: &mut [OpenSource], not_found: &mut Vec<NotFound>) {
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
}
