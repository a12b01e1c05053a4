//! The checklist's schema: the shape every `shows` path must resolve in, so a path no
//! inventory could ever contain is an error when the checklist is loaded, not an empty
//! cell on the day.
//!
//! The shape is derived from a value, [`example`]: the document ([`super::document`]) of an
//! inventory and a configuration with every field filled in. A value rather than the types
//! because the document *is* serde's output, so every `rename`, `skip`, `flatten` and enum
//! spelling the model uses is in it as written, with no second description of the types
//! to keep in step (a derived JSON Schema would need a derive on every model type and a
//! translator from JSON Schema to [`Shape`]). The price is that the example must stay
//! whole: a field the example leaves `None` or a list it leaves empty would be missing
//! from the schema, so the test below fails on any, and the example is written out field
//! by field so a new model field does not compile until it is added there.

pub mod example;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde_content::{Data, Value};

use super::document;
use super::path::Shape;

/// Objects that are maps keyed by data, not records (dotted, list elements transparent).
pub const MAP_PATHS: &[&str] = &[
    "ata.alerts.by_status",
    "ata.report_schedules.settings",
    "ata.health_alert_toggles",
];

/// The schema every `shows` path is checked against, derived once.
pub fn shape() -> &'static Shape {
    static SCHEMA: OnceLock<Shape> = OnceLock::new();
    SCHEMA.get_or_init(derive)
}

fn derive() -> Shape {
    let doc = document::of(Some(&example::inventory()), Some(&example::config()));
    Shape::of(&doc, MAP_PATHS)
}

/// The model enum a field holds, by its path without filters (`ata.gateways.kind` →
/// `GatewayKind`), so a checklist cell can be worded by the enum's `Display`
/// ([`crate::present::enum_word`]) while paths and filters keep the file's spelling.
/// Learnt from the example through the serde data model, which, unlike the JSON
/// document, still carries each value's type name.
pub fn enum_at(plain_path: &str) -> Option<&'static str> {
    static ENUMS: OnceLock<BTreeMap<String, &'static str>> = OnceLock::new();
    ENUMS
        .get_or_init(|| {
            let mut out = BTreeMap::new();
            enums_of(&example::inventory(), "", &mut out);
            enums_of(&example::config(), "engagement", &mut out);
            out.into_iter()
                .map(|(path, (name, _))| (path, name))
                .collect()
        })
        .get(plain_path)
        .copied()
}

/// Every unit enum variant in `value`, by path: its type name and the variant's spelling.
fn enums_of(value: &impl Serialize, at: &str, out: &mut Enums) {
    // Serialising an in-memory value into the data model fails only for types the model
    // cannot hold, none of which the inventory uses; the completeness test would see a
    // gap.
    if let Ok(v) = serde_content::Serializer::new().serialize(value) {
        walk(&v, at, out);
    }
}

type Enums = BTreeMap<String, (&'static str, String)>;

fn walk(v: &Value<'_>, at: &str, out: &mut Enums) {
    match v {
        // List elements are transparent in paths, as in the document.
        Value::Seq(items) | Value::Tuple(items) => items.iter().for_each(|i| walk(i, at, out)),
        // Flattened fields and maps: their keys are names in the document.
        Value::Map(entries) => {
            for (key, v) in entries {
                if let Value::String(key) = key {
                    walk(v, &field(at, key), out);
                }
            }
        }
        Value::Option(Some(inner)) => walk(inner, at, out),
        Value::Struct(s) => walk_data(&s.data, at, out),
        Value::Enum(e) => match (&e.data, &e.name) {
            (Data::Unit, Cow::Borrowed(name)) => {
                out.insert(at.to_string(), (*name, e.variant.to_string()));
            }
            // A data variant is `{variant: data}` in the document (externally tagged;
            // internally tagged and untagged enums reach here as structs or their data).
            (data, _) => walk_data(data, &field(at, &e.variant), out),
        },
        _ => {}
    }
}

fn walk_data(d: &Data<'_>, at: &str, out: &mut Enums) {
    match d {
        Data::Unit => {}
        Data::NewType { value } => walk(value, at, out),
        Data::Tuple { values } => values.iter().for_each(|v| walk(v, at, out)),
        Data::Struct { fields } => fields
            .iter()
            .for_each(|(name, v)| walk(v, &field(at, name), out)),
    }
}

fn field(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_string()
    } else {
        format!("{at}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::checklist::path::PathExpr;

    /// Finds every null, empty list and empty object: each is a part of the schema the
    /// checklist could not point at.
    fn holes(value: &Value, at: &str, out: &mut Vec<String>) {
        match value {
            Value::Null => out.push(format!("{at} is null")),
            Value::Array(items) if items.is_empty() => out.push(format!("{at} is empty")),
            Value::Object(map) if map.is_empty() => out.push(format!("{at} is empty")),
            Value::Array(items) => items.iter().for_each(|i| holes(i, &format!("{at}[]"), out)),
            Value::Object(map) => map
                .iter()
                .for_each(|(k, v)| holes(v, &format!("{at}.{k}"), out)),
            _ => {}
        }
    }

    #[test]
    fn the_example_leaves_no_field_empty() {
        let mut found = Vec::new();
        holes(
            &document::of(Some(&example::inventory()), Some(&example::config())),
            "",
            &mut found,
        );
        assert!(found.is_empty(), "fill these in the example: {found:#?}");
        // Fields left `None` are skipped when serialised, so the walk above cannot see
        // them: the source must not leave any, except the subnet exclusion's entity (a
        // subnet is not an entity; the other exclusion has one).
        let source = include_str!("example.rs");
        assert_eq!(
            source.matches("None").count(),
            1,
            "an optional field is left None in the example"
        );
    }

    #[test]
    fn every_enum_the_inventory_holds_has_its_word() {
        let mut found = Enums::new();
        enums_of(&example::inventory(), "", &mut found);
        enums_of(&example::config(), "engagement", &mut found);
        let unworded: Vec<String> = found
            .iter()
            .filter(|(_, (name, variant))| crate::present::enum_word(name, variant).is_none())
            .map(|(path, (name, variant))| format!("{path}: {name}::{variant}"))
            .collect();
        assert!(
            unworded.is_empty(),
            "give these a word in present::enum_word: {unworded:#?}"
        );
        assert_eq!(enum_at("ata.gateways.kind"), Some("GatewayKind"));
        assert_eq!(enum_at("ata.exclusions.entity.type"), Some("EntityType"));
        assert_eq!(enum_at("ata.gateways.name"), None);
        assert_eq!(
            crate::present::enum_word("GatewayKind", "lightweight_gateway").as_deref(),
            Some("Lightweight Gateway")
        );
        assert_eq!(
            crate::present::enum_word("GatewayKind", "no_such_kind"),
            None
        );
    }

    #[test]
    fn maps_are_maps_and_records_are_records() {
        let schema = derive();
        let p = |s| PathExpr::parse(s).unwrap();
        assert_eq!(
            schema.resolve(&p("ata.alerts.by_status.Open")).unwrap(),
            Shape::Scalar
        );
        assert_eq!(
            schema.resolve(&p("ata.report_schedules.settings.Language")),
            Ok(Shape::List(Box::new(Shape::Scalar)))
        );
        assert!(schema.resolve(&p("ata.alerts.open_count")).is_err());
        assert_eq!(
            schema.resolve(&p("engagement.workspace")).unwrap(),
            Shape::Scalar
        );
    }
}
