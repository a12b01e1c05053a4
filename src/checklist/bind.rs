//! Binding a step's `shows` to one inventory: the values the consultant types into the
//! portal, laid out as a value, a list, a table or key/value pairs.
//!
//! Nothing is ever silently blank. An empty list or a missing value says so in the
//! words of its source ("none recorded in ATA"); when the inventory's `not_found`
//! names the item, the binding points there instead, with the places that were tried.

use serde::Serialize;
use serde_json::Value;

use super::definition::{Definition, Format, Show, Step};
use super::path::{Shape, evaluate};
use super::schema::enum_at;
use crate::model::{Inventory, NotFound};

/// One `shows` entry with its values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoundShow {
    pub label: String,
    pub path: String,
    #[serde(flatten)]
    pub value: Bound,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The values, laid out by what the path leads to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bound {
    Value {
        value: String,
    },
    List {
        items: Vec<String>,
    },
    /// A list of records; rows are numbered from 1 in the text output, and per-item
    /// record fields (`key[n]`) use the same numbers.
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Pairs {
        pairs: Vec<Pair>,
    },
    /// Nothing to enter: an empty list, a missing value, or an item the collection
    /// could not find (`not_found`).
    Missing {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        not_found: Option<NotFound>,
    },
    /// The inventory holds something of another type than the schema says: written by
    /// a different version of ata2atp. Never produced for a current inventory.
    Unresolved {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub key: String,
    pub value: String,
}

/// Shown in a table cell for a value that is not there (the presentation's word).
pub use crate::present::NO_VALUE;

/// Binds every `shows` entry of `step`. `document` is [`super::document::of`] of
/// the engagement's inventory and configuration.
pub fn bind_step(
    def: &Definition,
    step: &Step,
    document: &Value,
    inventory: Option<&Inventory>,
) -> Vec<BoundShow> {
    step.shows
        .iter()
        .map(|show| BoundShow {
            label: show.label.clone(),
            path: show.path.to_string(),
            value: bind(def, show, document, inventory),
            note: show.note.clone(),
        })
        .collect()
}

fn bind(def: &Definition, show: &Show, document: &Value, inventory: Option<&Inventory>) -> Bound {
    let value = evaluate(document, &show.path);
    let missing = || missing(show, document, inventory);
    let at = show.path.plain();
    let kind = enum_at(&at);
    match (&show.shape, value) {
        (_, Value::Null) => missing(),
        (Shape::Scalar, v) if !v.is_array() && !v.is_object() => Bound::Value {
            value: cell(def, &v, show.map.as_deref(), show.format, kind),
        },
        (Shape::List(_), Value::Array(items)) if items.is_empty() => missing(),
        (Shape::List(inner), Value::Array(items)) => match **inner {
            Shape::Object(_) => Bound::Table {
                columns: show.columns.iter().map(|c| c.label.clone()).collect(),
                rows: {
                    let kinds = column_kinds(show, &at);
                    items
                        .iter()
                        .map(|item| row(def, show, &kinds, item))
                        .collect()
                },
            },
            _ => Bound::List {
                items: items
                    .iter()
                    .map(|v| cell(def, v, show.map.as_deref(), show.format, kind))
                    .collect(),
            },
        },
        (Shape::Object(_), Value::Object(fields)) => {
            let pairs: Vec<Pair> = if show.columns.is_empty() {
                fields
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| Pair {
                        key: k.clone(),
                        value: cell(def, v, None, None, enum_at(&format!("{at}.{k}"))),
                    })
                    .collect()
            } else {
                let obj = Value::Object(fields);
                show.columns
                    .iter()
                    .zip(column_kinds(show, &at))
                    .map(|(c, kind)| Pair {
                        key: c.label.clone(),
                        value: cell(
                            def,
                            &evaluate(&obj, &c.path),
                            c.map.as_deref(),
                            c.format,
                            kind,
                        ),
                    })
                    .collect()
            };
            Bound::Pairs { pairs }
        }
        (Shape::Map(_), Value::Object(fields)) if fields.is_empty() => missing(),
        (Shape::Map(_), Value::Object(fields)) => Bound::Pairs {
            pairs: fields
                .iter()
                // A map's keys are data, so the schema names no enum under them.
                .map(|(k, v)| Pair {
                    key: k.clone(),
                    value: cell(def, v, show.map.as_deref(), show.format, None),
                })
                .collect(),
        },
        (shape, v) => Bound::Unresolved {
            text: format!(
                "`{}` holds {} where a {} was expected: the inventory was written by another \
                 version of ata2atp; collect it again",
                show.path,
                kind_of(&v),
                match shape {
                    Shape::Scalar => "single value",
                    Shape::List(_) => "list",
                    Shape::Object(_) | Shape::Map(_) => "record",
                }
            ),
        },
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "a list",
        Value::Object(_) => "a record",
        _ => "a single value",
    }
}

fn row(def: &Definition, show: &Show, kinds: &[Option<&str>], item: &Value) -> Vec<String> {
    show.columns
        .iter()
        .zip(kinds)
        .map(|(c, kind)| {
            cell(
                def,
                &evaluate(item, &c.path),
                c.map.as_deref(),
                c.format,
                *kind,
            )
        })
        .collect()
}

/// The enum each of the show's columns holds, if any: the records are at `at` (a plain
/// path), so a column's field is at `at.<its path>`.
fn column_kinds(show: &Show, at: &str) -> Vec<Option<&'static str>> {
    show.columns
        .iter()
        .map(|c| enum_at(&format!("{at}.{}", c.path.plain())))
        .collect()
}

/// One value as text, written as everywhere else ([`crate::present`]): booleans as
/// yes/no, moments as `2026-11-16 10:30 UTC`, an enum's value in its word (`kind`, the
/// enum the schema says the field holds), lists joined; through the map when one is
/// named, which is keyed by the value as `inventory.yaml` spells it.
fn cell(
    def: &Definition,
    v: &Value,
    map: Option<&str>,
    format: Option<Format>,
    kind: Option<&str>,
) -> String {
    let text = match v {
        Value::Null => return NO_VALUE.to_string(),
        Value::Bool(b) => crate::present::yes_no(Some(*b)).to_string(),
        Value::Number(n) => match (format, n.as_u64()) {
            (Some(Format::Bytes), Some(bytes)) => human_bytes(bytes),
            _ => n.to_string(),
        },
        Value::String(s) => crate::present::stored_moment(s).unwrap_or_else(|| s.clone()),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter(|i| !i.is_null())
                .map(|i| cell(def, i, map, format, kind))
                .collect();
            return if parts.is_empty() {
                NO_VALUE.to_string()
            } else {
                parts.join(", ")
            };
        }
        Value::Object(fields) => {
            return fields
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{k}={}", cell(def, v, None, None, None)))
                .collect::<Vec<_>>()
                .join(", ");
        }
    };
    if let Some(mapped) = map.and_then(|m| def.maps.get(m)?.lookup(&text)) {
        return mapped.to_string();
    }
    match (v, kind) {
        (Value::String(s), Some(kind)) => crate::present::enum_word(kind, s).unwrap_or(text),
        _ => text,
    }
}

fn human_bytes(bytes: u64) -> String {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    const MIB: f64 = 1024.0 * 1024.0;
    let b = bytes as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else {
        format!("{:.1} MiB", b / MIB)
    }
}

/// The words for "nothing here", by where the path points.
fn missing(show: &Show, document: &Value, inventory: Option<&Inventory>) -> Bound {
    let Some(inventory) = inventory else {
        if show.path.root() != "engagement" {
            return Bound::Missing {
                text: "no inventory yet: run `ata2atp inventory`".into(),
                not_found: None,
            };
        }
        return Bound::Missing {
            text: show
                .empty
                .clone()
                .unwrap_or_else(|| "not set in ata2atp.yaml".into()),
            not_found: None,
        };
    };
    // The path without filters, to compare with `not_found` items.
    let plain = show.path.plain();
    let related = |item: &str| {
        plain == item
            || plain.starts_with(&format!("{item}."))
            || item.starts_with(&format!("{plain}."))
    };
    if let Some(nf) = inventory.not_found.iter().find(|nf| related(&nf.item)) {
        let tried = if nf.tried.is_empty() {
            String::new()
        } else {
            format!(" (tried: {})", nf.tried.join(", "))
        };
        return Bound::Missing {
            text: format!("not found — see not_found: {}{tried}", nf.item),
            not_found: Some(nf.clone()),
        };
    }
    if let Some(text) = &show.empty {
        return Bound::Missing {
            text: text.clone(),
            not_found: None,
        };
    }
    let text = match show.path.root() {
        "ata" => "none recorded in ATA",
        "directory" if document.get("directory").is_none() => {
            "directory not read: give an LDAP or LDIF source to `ata2atp inventory`"
        }
        "directory" => "none found in the directory",
        "hosts" => {
            "no facts collected from the domain controllers (see `ata2atp collector dc-facts`)"
        }
        "engagement" => "not set in ata2atp.yaml",
        _ => "not recorded",
    };
    Bound::Missing {
        text: text.into(),
        not_found: None,
    }
}

/// The elements of a per-item record field's list, as the show that lists them numbers
/// them (1-based).
pub fn count_items(document: &Value, path: &super::path::PathExpr) -> usize {
    match evaluate(document, path) {
        Value::Array(items) => items.len(),
        _ => 0,
    }
}

/// One value of a step's lists and tables, as the copy queue walks them: what the
/// portal needs entered, one at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    /// What a tick is recorded under: a list's item, or a table row's cells joined with
    /// ` · `. The values rather than a position, so a tick stays on its value when a
    /// new inventory adds, drops or reorders rows; the whole row, because no column
    /// tells rows apart in every table (an exclusion's detector repeats), and a row
    /// whose values changed is one to look at again.
    pub id: String,
    /// The `shows` entry it comes from.
    pub label: String,
    /// The row's cells with their column names (one unnamed cell for a list item).
    pub cells: Vec<(String, String)>,
}

/// The values of `shows` entries bound to lists or tables, in the step's order; a value
/// shown twice (or under two entries) is walked once.
pub fn queue_items(values: &[BoundShow]) -> Vec<QueueItem> {
    let mut out: Vec<QueueItem> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push = |id: &str, label: &str, cells: Vec<(String, String)>| {
        let id = id.trim();
        if !id.is_empty() && seen.insert(id.to_string()) {
            out.push(QueueItem {
                id: id.to_string(),
                label: label.to_string(),
                cells,
            });
        }
    };
    for show in values {
        match &show.value {
            Bound::List { items } => {
                for item in items {
                    push(item, &show.label, vec![(String::new(), item.clone())]);
                }
            }
            Bound::Table { columns, rows } => {
                for row in rows {
                    let cells = columns.iter().cloned().zip(row.iter().cloned()).collect();
                    push(&row.join(" · "), &show.label, cells);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::{BUILTIN, document, parse, schema::example};
    use crate::model::EntityType;

    #[test]
    fn every_show_of_both_guides_finds_a_value_in_a_full_inventory() {
        let inventory = example::inventory();
        let doc = document::of(Some(&inventory), Some(&example::config()));
        for (_, origin, text) in BUILTIN {
            let def = parse(text, origin).unwrap();
            for step in &def.steps {
                for b in bind_step(&def, step, &doc, Some(&inventory)) {
                    // Every path must reach data, so a filter that can never match (a
                    // misspelt enum value) or a column that is never filled shows up here.
                    let ok = match &b.value {
                        Bound::Missing { .. } | Bound::Unresolved { .. } => false,
                        Bound::Table { rows, .. } => {
                            rows.iter().all(|r| r.iter().any(|c| c != NO_VALUE))
                        }
                        _ => true,
                    };
                    assert!(ok, "{origin} {} `{}`: {:?}", step.id, b.path, b.value);
                }
            }
        }
    }

    fn step_with(shows: &str) -> (crate::checklist::Definition, usize) {
        let text = format!(
            "schema_version: 1\nguide: g\ntitle: T\nmaps:\n  m:\n    default: other\n    entries: {{Udp: UDP!}}\nphases: [{{id: p, title: P}}]\nsteps:\n  - id: S\n    phase: p\n    title: s\n    shows:\n{shows}"
        );
        (parse(&text, "t").unwrap(), 0)
    }

    #[test]
    fn values_lists_tables_pairs_and_maps() {
        let (def, i) = step_with(concat!(
            "      - {label: a, path: ata.syslog.transport, map: m}\n",
            "      - {label: b, path: ata.syslog.format, map: m}\n",
            "      - {label: c, path: ata.gateways.name}\n",
            "      - {label: d, path: ata.alerts.by_status}\n",
            "      - {label: e, path: ata.syslog}\n",
            "      - {label: f, path: hosts, columns: [{path: memory_bytes, format: bytes}, {path: server_core}, {path: errors}]}\n",
            "      - {label: g, path: ata.exclusions, columns: [{path: entity.name}]}\n",
        ));
        let inv = example::inventory();
        let doc = document::of(Some(&inv), None);
        let b: Vec<Bound> = bind_step(&def, &def.steps[i], &doc, Some(&inv))
            .into_iter()
            .map(|b| b.value)
            .collect();
        assert_eq!(
            b[0],
            Bound::Value {
                value: "UDP!".into()
            }
        );
        assert_eq!(
            b[1],
            Bound::Value {
                value: "other".into()
            }
        );
        assert_eq!(
            b[2],
            Bound::List {
                items: vec!["FAB-DC01".into(), "FAB-ATAGW01".into()]
            }
        );
        let Bound::Pairs { pairs } = &b[3] else {
            panic!("{:?}", b[3])
        };
        assert_eq!(
            pairs
                .iter()
                .map(|p| format!("{}={}", p.key, p.value))
                .collect::<Vec<_>>(),
            ["Closed=7", "Open=1", "Suppressed=1"]
        );
        let Bound::Pairs { pairs } = &b[4] else {
            panic!("{:?}", b[4])
        };
        assert!(
            pairs.iter().any(|p| p.key == "enabled" && p.value == "yes"),
            "{pairs:?}"
        );
        assert_eq!(
            b[5],
            Bound::Table {
                columns: vec!["memory_bytes".into(), "server_core".into(), "errors".into()],
                rows: vec![vec![
                    "16.0 GiB".into(),
                    "no".into(),
                    "power scheme: access denied".into()
                ]],
            }
        );
        // The subnet exclusion has no entity: its cell says so instead of being blank.
        let Bound::Table { rows, .. } = &b[6] else {
            panic!("{:?}", b[6])
        };
        assert_eq!(
            rows,
            &vec![vec!["FAB-SCAN01".to_string()], vec![NO_VALUE.to_string()]]
        );
    }

    #[test]
    fn an_enum_reads_as_its_word_and_filters_keep_the_spelling() {
        let text = concat!(
            "schema_version: 1\nguide: g\ntitle: T\n",
            "maps:\n  k:\n    entries: {gateway: full gateway}\n",
            "phases: [{id: p, title: P}]\nsteps:\n  - id: S\n    phase: p\n    title: s\n",
            "    shows:\n",
            "      - {label: a, path: ata.gateways, columns: [{path: name}, {path: kind}, {path: kind, map: k}]}\n",
            "      - {label: b, path: 'ata.gateways[kind=lightweight_gateway].kind'}\n",
            "      - {label: c, path: ata.exclusions, columns: [{path: kind}, {path: entity.type}]}\n",
        );
        let def = parse(text, "t").unwrap();
        let inv = example::inventory();
        let doc = document::of(Some(&inv), None);
        let b: Vec<Bound> = bind_step(&def, &def.steps[0], &doc, Some(&inv))
            .into_iter()
            .map(|b| b.value)
            .collect();
        let Bound::Table { rows, .. } = &b[0] else {
            panic!("{:?}", b[0])
        };
        // The word every output shows; a map still looks up `inventory.yaml`'s spelling,
        // and a value the map does not name falls back to the word.
        assert_eq!(
            rows[0],
            ["FAB-DC01", "Lightweight Gateway", "Lightweight Gateway"]
        );
        assert_eq!(rows[1], ["FAB-ATAGW01", "ATA Gateway", "full gateway"]);
        assert_eq!(
            b[1],
            Bound::List {
                items: vec!["Lightweight Gateway".into()]
            }
        );
        let Bound::Table { rows, .. } = &b[2] else {
            panic!("{:?}", b[2])
        };
        assert_eq!(rows[0][1], EntityType::Computer.to_string());
        assert!(rows.iter().all(|r| !r[0].contains('_')), "{rows:?}");
    }

    #[test]
    fn nothing_is_silently_blank() {
        let (def, i) = step_with(concat!(
            "      - {label: a, path: ata.honeytokens, columns: [{path: name}]}\n",
            "      - {label: b, path: ata.syslog.server}\n",
            "      - {label: c, path: directory.domains, columns: [{path: dns_name}]}\n",
            "      - {label: d, path: ata.report_schedules, columns: [{path: name}]}\n",
            "      - {label: e, path: hosts, columns: [{path: name}], empty: ask the DC owners}\n",
            "      - {label: f, path: engagement.workspace}\n",
        ));
        let mut inv = crate::model::Inventory::new(chrono::Utc::now());
        inv.note_not_found(
            "ata.report_schedules",
            vec!["Configuration.ReporterConfiguration".into()],
        );
        let doc = document::of(Some(&inv), None);
        let texts: Vec<String> = bind_step(&def, &def.steps[i], &doc, Some(&inv))
            .into_iter()
            .map(|b| match b.value {
                Bound::Missing { text, .. } => text,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(texts[0], "none recorded in ATA");
        assert_eq!(texts[1], "none recorded in ATA");
        assert!(texts[2].starts_with("directory not read"), "{}", texts[2]);
        assert_eq!(
            texts[3],
            "not found — see not_found: ata.report_schedules (tried: Configuration.ReporterConfiguration)"
        );
        assert_eq!(texts[4], "ask the DC owners");
        assert_eq!(texts[5], "not set in ata2atp.yaml");
        let none = bind_step(&def, &def.steps[i], &document::of(None, None), None);
        assert!(
            matches!(&none[0].value, Bound::Missing { text, .. } if text.contains("run `ata2atp inventory`"))
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_reported_not_hidden() {
        let (def, i) =
            step_with("      - {label: a, path: ata.gateways, columns: [{path: name}]}\n");
        let doc = serde_json::json!({"ata": {"gateways": "FAB-DC01"}});
        let b = bind_step(&def, &def.steps[i], &doc, Some(&example::inventory()));
        assert!(
            matches!(&b[0].value, Bound::Unresolved { text } if text.contains("another version")),
            "{b:?}"
        );
    }
}
