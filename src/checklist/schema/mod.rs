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

use std::sync::OnceLock;

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
