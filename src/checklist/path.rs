//! The path language a checklist's `shows` use to point into the inventory.
//!
//! A path is evaluated against the inventory as it is written to `inventory.yaml`
//! (`serde_json::to_value(&Inventory)`), with the engagement's `ata2atp.yaml` under the
//! extra root `engagement`. Names are the file's field names, so a consultant who reads
//! `inventory.yaml` can write a path:
//!
//! | path | means |
//! |---|---|
//! | `ata.syslog.server` | one value |
//! | `ata.exclusions` | a list; a show picks its `columns` (`detector`, `entity.name`, …) |
//! | `ata.gateways.name` | a field of every element of a list (a projection): a list of names |
//! | `ata.sensitive[source=manual]` | the elements of a list whose field equals a value |
//! | `ata.gateways[kind!=gateway]` | … or differs from it |
//! | `directory.privileged_groups[sid=S-1-5-32-555].members` | filter, then project |
//! | `ata.alerts.by_status` | a map: shown as key/value pairs; `ata.alerts.by_status.Open` is one entry |
//!
//! Filters compare the element's value as text, ignoring case (`true`/`false` for
//! booleans); an element without the field matches `!=` and never `=`.
//!
//! Paths are checked against the inventory's *schema*, not against one inventory: a
//! path that no inventory could ever contain is an unresolved reference, reported when
//! the checklist is loaded. The schema ([`super::schema`]) is derived from an inventory
//! with every field filled in.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathExpr {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    name: String,
    filters: Vec<Filter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Filter {
    field: Vec<String>,
    negate: bool,
    value: String,
}

impl fmt::Display for PathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Why a path does not parse, or does not exist in the schema; the definition's loader
/// puts it after the file, line and column of the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PathError(String);

impl PathExpr {
    /// Parses `text`; the error says what is wrong and at which character.
    pub fn parse(text: &str) -> Result<Self, PathError> {
        Self::parse_text(text).map_err(PathError)
    }

    fn parse_text(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("empty path".into());
        }
        let chars: Vec<char> = trimmed.chars().collect();
        let mut i = 0;
        let mut segments = Vec::new();
        loop {
            let start = i;
            while i < chars.len() && is_name_char(chars[i]) {
                i += 1;
            }
            if i == start {
                return Err(format!(
                    "expected a field name at character {} of `{trimmed}`",
                    start + 1
                ));
            }
            let name: String = chars[start..i].iter().collect();
            let mut filters = Vec::new();
            while i < chars.len() && chars[i] == '[' {
                let open = i;
                let close = chars[open..]
                    .iter()
                    .position(|&c| c == ']')
                    .map(|p| open + p)
                    .ok_or_else(|| {
                        format!(
                            "`[` at character {} of `{trimmed}` is never closed",
                            open + 1
                        )
                    })?;
                let inner: String = chars[open + 1..close].iter().collect();
                filters.push(
                    Filter::parse(&inner)
                        .map_err(|e| format!("{e} in `[{inner}]` of `{trimmed}`"))?,
                );
                i = close + 1;
            }
            segments.push(Segment { name, filters });
            match chars.get(i) {
                None => break,
                Some('.') => i += 1,
                Some(c) => {
                    return Err(format!(
                        "unexpected `{c}` at character {} of `{trimmed}` (paths look like `ata.exclusions` \
                         or `ata.sensitive[source=manual]`)",
                        i + 1
                    ));
                }
            }
        }
        Ok(Self {
            text: trimmed.to_string(),
            segments,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The names without their filters: `ata.gateways.kind` for
    /// `ata.gateways[kind!=gateway].kind`, as the schema and `not_found` name places.
    pub fn plain(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The first name, e.g. `ata` for `ata.syslog.server`.
    pub fn root(&self) -> &str {
        &self.segments[0].name
    }
}

impl Filter {
    fn parse(inner: &str) -> Result<Self, String> {
        let (lhs, value, negate) = match inner.split_once("!=") {
            Some((l, v)) => (l, v, true),
            None => match inner.split_once('=') {
                Some((l, v)) => (l, v, false),
                None => return Err("a filter needs `field=value` or `field!=value`".into()),
            },
        };
        let field: Vec<String> = lhs.trim().split('.').map(str::to_string).collect();
        if field
            .iter()
            .any(|f| f.is_empty() || !f.chars().all(is_name_char))
        {
            return Err(format!("`{}` is not a field name", lhs.trim()));
        }
        Ok(Self {
            field,
            negate,
            value: value.trim().to_string(),
        })
    }

    fn matches(&self, element: &Value) -> bool {
        let mut v = element;
        for name in &self.field {
            v = match v.get(name) {
                Some(next) => next,
                None => return self.negate,
            };
        }
        let text = match v {
            Value::Null => return self.negate,
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        text.eq_ignore_ascii_case(&self.value) != self.negate
    }
}

/// What a path can lead to, as far as the schema knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A string, number, boolean or timestamp.
    Scalar,
    /// A record with named fields.
    Object(BTreeMap<String, Shape>),
    /// A map whose keys are data (e.g. alert counts by status).
    Map(Box<Shape>),
    List(Box<Shape>),
}

impl Shape {
    /// Derives the shape of `value`, treating the objects at `map_paths` (dotted, with
    /// list elements transparent) as maps rather than records.
    pub fn of(value: &Value, map_paths: &[&str]) -> Shape {
        Self::derive(value, "", map_paths)
    }

    fn derive(value: &Value, at: &str, map_paths: &[&str]) -> Shape {
        match value {
            Value::Array(items) => {
                let mut shape: Option<Shape> = None;
                for item in items {
                    let s = Self::derive(item, at, map_paths);
                    shape = Some(match shape {
                        Some(prev) => prev.merge(s),
                        None => s,
                    });
                }
                Shape::List(Box::new(shape.unwrap_or(Shape::Scalar)))
            }
            Value::Object(fields) if map_paths.contains(&at) => {
                let mut shape: Option<Shape> = None;
                for v in fields.values() {
                    let s = Self::derive(v, at, map_paths);
                    shape = Some(match shape {
                        Some(prev) => prev.merge(s),
                        None => s,
                    });
                }
                Shape::Map(Box::new(shape.unwrap_or(Shape::Scalar)))
            }
            Value::Object(fields) => Shape::Object(
                fields
                    .iter()
                    .map(|(k, v)| {
                        let child = if at.is_empty() {
                            k.clone()
                        } else {
                            format!("{at}.{k}")
                        };
                        (k.clone(), Self::derive(v, &child, map_paths))
                    })
                    .collect(),
            ),
            _ => Shape::Scalar,
        }
    }

    /// Union of two shapes of the same place (elements of one list may differ in which
    /// optional fields they carry).
    fn merge(self, other: Shape) -> Shape {
        match (self, other) {
            (Shape::Object(mut a), Shape::Object(b)) => {
                for (k, v) in b {
                    let merged = match a.remove(&k) {
                        Some(prev) => prev.merge(v),
                        None => v,
                    };
                    a.insert(k, merged);
                }
                Shape::Object(a)
            }
            (Shape::List(a), Shape::List(b)) => Shape::List(Box::new(a.merge(*b))),
            (Shape::Map(a), Shape::Map(b)) => Shape::Map(Box::new(a.merge(*b))),
            (a, _) => a,
        }
    }

    /// The shape `path` leads to from this one, or why it cannot exist.
    pub fn resolve(&self, path: &PathExpr) -> Result<Shape, PathError> {
        self.resolve_text(path).map_err(PathError)
    }

    fn resolve_text(&self, path: &PathExpr) -> Result<Shape, String> {
        let mut current = self.clone();
        let mut walked = String::new();
        for segment in &path.segments {
            current = current.field(&segment.name, &walked)?;
            if !walked.is_empty() {
                walked.push('.');
            }
            walked.push_str(&segment.name);
            for filter in &segment.filters {
                let Shape::List(element) = &current else {
                    return Err(format!(
                        "`{walked}` is not a list, so `[…]` cannot filter it"
                    ));
                };
                let mut target = (**element).clone();
                let mut at = walked.clone();
                for name in &filter.field {
                    target = target.field(name, &at)?;
                    at = format!("{at}.{name}");
                }
                if target != Shape::Scalar {
                    return Err(format!(
                        "the filter on `{walked}` compares `{}`, which is not a single value",
                        filter.field.join(".")
                    ));
                }
            }
        }
        Ok(current)
    }

    fn field(&self, name: &str, walked: &str) -> Result<Shape, String> {
        let place = if walked.is_empty() {
            "the inventory"
        } else {
            walked
        };
        match self {
            Shape::Object(fields) => fields.get(name).cloned().ok_or_else(|| {
                let known: Vec<&str> = fields.keys().map(String::as_str).collect();
                let at = if walked.is_empty() {
                    name.to_string()
                } else {
                    format!("{walked}.{name}")
                };
                format!("`{at}` does not exist: {place} has {}", known.join(", "))
            }),
            Shape::Map(value) => Ok((**value).clone()),
            // A field of a list is the field of each element (a projection); lists of
            // lists are flattened, as evaluation does.
            Shape::List(element) => match element.field(name, walked)? {
                Shape::List(inner) => Ok(Shape::List(inner)),
                other => Ok(Shape::List(Box::new(other))),
            },
            Shape::Scalar => Err(format!(
                "`{place}` is a single value; it has no field `{name}`"
            )),
        }
    }
}

/// Evaluates `path` against `root`; a missing field or section gives `Value::Null`.
pub fn evaluate(root: &Value, path: &PathExpr) -> Value {
    // Walk by reference while the path goes through plain object fields: cloning the
    // root at each call made binding a large inventory (5,000 exclusions, 5,000 open
    // alerts) take seconds. Only the part the path leads to is copied.
    let mut at = root;
    let mut segments = path.segments.iter().peekable();
    while let Some(segment) = segments.peek() {
        match at {
            Value::Object(fields) if segment.filters.is_empty() => {
                at = fields.get(&segment.name).unwrap_or(&Value::Null);
                segments.next();
            }
            _ => break,
        }
    }
    let mut current = at.clone();
    for segment in segments {
        current = step(&current, &segment.name);
        for filter in &segment.filters {
            if let Value::Array(items) = current {
                current = Value::Array(items.into_iter().filter(|e| filter.matches(e)).collect());
            }
        }
    }
    current
}

fn step(value: &Value, name: &str) -> Value {
    match value {
        Value::Object(fields) => fields.get(name).cloned().unwrap_or(Value::Null),
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match step(item, name) {
                    Value::Null => {}
                    Value::Array(inner) => out.extend(inner),
                    v => out.push(v),
                }
            }
            Value::Array(out)
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn p(s: &str) -> PathExpr {
        PathExpr::parse(s).unwrap()
    }

    #[test]
    fn parses_names_filters_and_rejects_junk() {
        assert_eq!(p(" ata.syslog.server ").as_str(), "ata.syslog.server");
        assert_eq!(p("ata.sensitive[source=manual].name").segments.len(), 3);
        assert!(p("a[b!=c][d.e=f]").segments[0].filters[0].negate);
        for bad in [
            "",
            "ata..x",
            "ata.",
            ".ata",
            "ata[",
            "ata[x]",
            "ata x",
            "ata.syslog/x",
            "a[=b]",
        ] {
            assert!(PathExpr::parse(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn resolves_against_the_shape_and_explains_failures() {
        let v = json!({"ata": {"gateways": [{"name": "G", "kind": "gateway", "dcs": ["a"]}],
                                "by_status": {"Open": 1}, "syslog": {"server": "s"}}});
        let shape = Shape::of(&v, &["ata.by_status"]);
        assert_eq!(
            shape.resolve(&p("ata.syslog.server")).unwrap(),
            Shape::Scalar
        );
        assert_eq!(
            shape.resolve(&p("ata.gateways.name")).unwrap(),
            Shape::List(Box::new(Shape::Scalar))
        );
        assert_eq!(
            shape.resolve(&p("ata.gateways.dcs")).unwrap(),
            Shape::List(Box::new(Shape::Scalar))
        );
        assert_eq!(
            shape.resolve(&p("ata.by_status.Anything")).unwrap(),
            Shape::Scalar
        );
        assert!(shape.resolve(&p("ata.gateways[kind=gateway]")).is_ok());
        let err = shape
            .resolve(&p("ata.syslog.port"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`ata.syslog.port` does not exist") && err.contains("server"),
            "{err}"
        );
        assert!(
            shape
                .resolve(&p("ata.syslog.server.x"))
                .unwrap_err()
                .to_string()
                .contains("single value")
        );
        assert!(
            shape
                .resolve(&p("ata.syslog[a=b]"))
                .unwrap_err()
                .to_string()
                .contains("not a list")
        );
        assert!(shape.resolve(&p("ata.gateways[nope=1]")).is_err());
        assert!(
            shape
                .resolve(&p("ata.gateways[dcs=a]"))
                .unwrap_err()
                .to_string()
                .contains("not a single value")
        );
    }

    #[test]
    fn evaluates_projections_filters_and_missing_values() {
        let v = json!({"ata": {"gateways": [
            {"name": "A", "kind": "gateway", "on": true, "dcs": ["d1", "d2"]},
            {"name": "B", "kind": "lightweight_gateway", "on": false, "dcs": ["d3"]},
            {"name": "C", "kind": "lightweight_gateway"}]}});
        assert_eq!(
            evaluate(&v, &p("ata.gateways.name")),
            json!(["A", "B", "C"])
        );
        assert_eq!(
            evaluate(&v, &p("ata.gateways.dcs")),
            json!(["d1", "d2", "d3"])
        );
        assert_eq!(
            evaluate(&v, &p("ata.gateways[kind=LIGHTWEIGHT_GATEWAY].name")),
            json!(["B", "C"])
        );
        assert_eq!(evaluate(&v, &p("ata.gateways[on=true].name")), json!(["A"]));
        assert_eq!(
            evaluate(&v, &p("ata.gateways[on!=true].name")),
            json!(["B", "C"])
        );
        assert_eq!(evaluate(&v, &p("ata.syslog.server")), Value::Null);
        assert_eq!(evaluate(&v, &p("directory.domains")), Value::Null);
    }
}
