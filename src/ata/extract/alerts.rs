//! Alerts (SuspiciousActivity): counts by status over the whole collection, and only the
//! alerts still to record (open, suppressed), with only the fields needed. The entities
//! they name are resolved once UniqueEntity is read ([`Read::finish`]).

use std::collections::BTreeMap;

use mongodb::bson::Bson;

use super::Reading;
use super::doc::{Located, WantedIds};
use super::entities::Entities;
use crate::ata::Error;
use crate::ata::snapshot::{Filter, Logical, Scan};
use crate::model::{Alert, Alerts};

/// The alerts read, waiting for their entities' names.
pub(super) struct Read {
    /// The status values that mean open (the others read are suppressed).
    open_values: Vec<String>,
    tally: Option<BTreeMap<String, u64>>,
    /// Each alert with the id keys of the entities it names.
    alerts: Vec<(Alert, Vec<String>)>,
    /// Whether any source holds SuspiciousActivity.
    pub(super) any_source: bool,
}

/// Reads the open and suppressed alerts and the count of every status; the entity ids
/// they name are added to `wanted`.
pub(super) async fn read(reading: &mut Reading<'_>, wanted: &mut WantedIds) -> Result<Read, Error> {
    let mapping = reading.mapping;
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
    let mut docs: BTreeMap<String, Located> = BTreeMap::new();
    let scanned = reading
        .scan(&scan, &mut |located| {
            docs.insert(located.id_text(), located);
            Ok(())
        })
        .await?;
    let mut alerts = Vec::new();
    for located in docs.values() {
        let types = located.types(&a.kind);
        let status = located.str_at(&a.status).unwrap_or_default();
        let mut refs = Vec::new();
        for p in a.entity_refs.iter() {
            let values = match located.at(p) {
                None => continue,
                Some(Bson::Array(items)) => items.iter().collect(),
                Some(v) => vec![v],
            };
            refs.extend(values.into_iter().filter_map(|v| wanted.add(v)));
        }
        let start_time = a.start_time.iter().find_map(|p| located.date_at(p));
        let end_time = a.end_time.iter().find_map(|p| located.date_at(p));
        alerts.push((
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
    // Freeing the documents read takes tens of milliseconds on a large Center, during
    // which the next scan could already be running: free them on another thread.
    super::drop_aside(docs);
    Ok(Read {
        open_values,
        tally: scanned.tally,
        alerts,
        any_source: scanned.any_source,
    })
}

impl Read {
    /// The alerts with their entities named, open and suppressed apart, oldest first.
    pub(super) fn finish(self, entities: &Entities) -> Alerts {
        let mut alerts = Alerts::default();
        if let Some(t) = self.tally {
            alerts.by_status = t;
        }
        for (mut alert, refs) in self.alerts {
            let mut names: Vec<String> = Vec::new();
            for key in &refs {
                let label = entities.label(key);
                if !names.contains(&label) {
                    names.push(label);
                }
            }
            alert.entities = names;
            if self.open_values.contains(&alert.status) {
                alerts.open.push(alert);
            } else {
                alerts.suppressed.push(alert);
            }
        }
        let order = |a: &Alert, b: &Alert| (a.start_time, &a.id).cmp(&(b.start_time, &b.id));
        alerts.open.sort_by(order);
        alerts.suppressed.sort_by(order);
        alerts
    }
}
