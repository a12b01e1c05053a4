//! Scheduled reports and the health alerts switched on or off: both C# dictionaries in
//! the Center's configuration.

use std::collections::{BTreeMap, BTreeSet};

use mongodb::bson::{Bson, Document};

use super::Note;
use super::doc::{Located, dictionary_pair, find_first, scalar_text, tried};
use crate::ata::Error;
use crate::ata::mapping::Mapping;
use crate::ata::snapshot::is_secret_key;
use crate::model::ReportSchedule;

pub(super) fn reports(
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
pub(super) fn health_alert_toggles(
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
                match dictionary_pair(item) {
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
                match dictionary_pair(item) {
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
