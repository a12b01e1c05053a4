//! The detectors, discovered from the profiles' configuration, and their exclusion lists.

use std::collections::BTreeMap;

use mongodb::bson::Bson;

use super::Note;
use super::doc::{Located, WantedIds};
use crate::ata::Error;
use crate::ata::mapping::Mapping;
use crate::ata::snapshot::id_key;
use crate::model::{Detector, Exclusion, ExclusionKind};

/// An exclusion and, for entity lists, the id key to resolve.
pub(super) type PendingExclusion = (Exclusion, Option<String>);

pub(super) fn detectors(
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

pub(super) fn looks_like_address(s: &str) -> bool {
    let host = s.split('/').next().unwrap_or(s);
    host.parse::<std::net::IpAddr>().is_ok()
}
