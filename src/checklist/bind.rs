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

/// Shown in a table cell for a value that is not there.
pub const NO_VALUE: &str = "—";

/// Binds every `shows` entry of `step`. `document` is [`super::exemplar::document`] of
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
    match (&show.shape, value) {
        (_, Value::Null) => missing(),
        (Shape::Scalar, v) if !v.is_array() && !v.is_object() => Bound::Value {
            value: cell(def, &v, show.map.as_deref(), show.format),
        },
        (Shape::List(_), Value::Array(items)) if items.is_empty() => missing(),
        (Shape::List(inner), Value::Array(items)) => match **inner {
            Shape::Object(_) => Bound::Table {
                columns: show.columns.iter().map(|c| c.label.clone()).collect(),
                rows: items.iter().map(|item| row(def, show, item)).collect(),
            },
            _ => Bound::List {
                items: items
                    .iter()
                    .map(|v| cell(def, v, show.map.as_deref(), show.format))
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
                        value: cell(def, v, None, None),
                    })
                    .collect()
            } else {
                let obj = Value::Object(fields);
                show.columns
                    .iter()
                    .map(|c| Pair {
                        key: c.label.clone(),
                        value: cell(def, &evaluate(&obj, &c.path), c.map.as_deref(), c.format),
                    })
                    .collect()
            };
            Bound::Pairs { pairs }
        }
        (Shape::Map(_), Value::Object(fields)) if fields.is_empty() => missing(),
        (Shape::Map(_), Value::Object(fields)) => Bound::Pairs {
            pairs: fields
                .iter()
                .map(|(k, v)| Pair {
                    key: k.clone(),
                    value: cell(def, v, show.map.as_deref(), show.format),
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

fn row(def: &Definition, show: &Show, item: &Value) -> Vec<String> {
    show.columns
        .iter()
        .map(|c| cell(def, &evaluate(item, &c.path), c.map.as_deref(), c.format))
        .collect()
}

/// One value as text: booleans as yes/no, lists joined, through a map when one is named.
fn cell(def: &Definition, v: &Value, map: Option<&str>, format: Option<Format>) -> String {
    let text = match v {
        Value::Null => return NO_VALUE.to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Number(n) => match (format, n.as_u64()) {
            (Some(Format::Bytes), Some(bytes)) => human_bytes(bytes),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter(|i| !i.is_null())
                .map(|i| cell(def, i, map, format))
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
                .map(|(k, v)| format!("{k}={}", cell(def, v, None, None)))
                .collect::<Vec<_>>()
                .join(", ");
        }
    };
    match map.and_then(|m| def.maps.get(m)) {
        Some(table) => table.lookup(&text).map_or(text, str::to_string),
        None => text,
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
    let path = show.path.as_str();
    // The path text without filters, to compare with `not_found` items.
    let plain: String = {
        let mut depth = 0;
        path.chars()
            .filter(|&ch| {
                match ch {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    _ => return depth == 0,
                }
                false
            })
            .collect()
    };
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
