//! A collector's JSON, read so that one value that does not fit costs that value only.
//!
//! The scripts write exactly the model's fields, but Windows PowerShell has its ways (a
//! one-element list written as the element, a registry value of another type than on
//! every other host), and a consultant may edit a file by hand. A single value where a
//! list belongs is read as the list of it (nothing is lost). Any other value of a host (a
//! DC or server in the file's list, or the Center for its own file) that does not
//! deserialize is taken out, and only it: one field, or one list item (an audit
//! subcategory, a certificate) when the item cannot stand without what was taken. The
//! host's `errors` then name it with serde's reason (a list position counts the items
//! still there), the checks report that fact as unknown as for any fact the script could
//! not read, and the caller marks the source partial and lists the value in `not_found`.
//! A file that is not a collector's at all (no `schema_version`, a host that is not an
//! object, bad JSON) is still refused whole, with line and column.

use std::path::Path;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use super::{Error, Expected};
use crate::model::SCHEMA_VERSION;

/// Where a file's hosts stand: the array under a top-level key, or the file's root.
#[derive(Debug, Clone, Copy)]
pub(super) enum Hosts {
    In(&'static str),
    Root,
}

/// A collector's file as read: what fitted the model, and each value that did not and was
/// left out (also named in its host's `errors`, so the checks say the fact is unknown).
#[derive(Debug, Clone)]
pub struct Read<T> {
    pub file: T,
    pub left_out: Vec<LeftOut>,
}

/// A value that did not fit and was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The host's name as the file gives it (`the Center` for its own file).
    pub host: String,
    /// Where in the host: `dotnet_release`, `audit_policy[3].guid`.
    pub value: String,
    /// serde's reason: `invalid type: string "n/a", expected u32`.
    pub reason: String,
}

impl LeftOut {
    /// How the host's `errors` name it: `dotnet_release: invalid type: …; left out`.
    pub fn note(&self) -> String {
        format!("{}: {}; left out", self.value, self.reason)
    }
}

/// More values taken out than this and the file is refused: it is not what it claims.
const MOST_REPAIRS: usize = 1000;

/// Parses a collector's JSON: the schema version first (a newer file is refused before it
/// is half-read), then the file, each value of a host that does not fit taken out and
/// named in that host's `errors`.
pub(super) fn parse<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    expected: Expected,
    hosts: Hosts,
) -> Result<Read<T>, Error> {
    if text.trim().is_empty() {
        return Err(Error::Invalid {
            path: path.to_path_buf(),
            message: "it is empty".into(),
            expected,
        });
    }
    #[derive(Deserialize)]
    struct Versioned {
        schema_version: Option<u32>,
    }
    if let Ok(Versioned {
        schema_version: Some(found),
    }) = serde_json::from_str::<Versioned>(text)
        && found > SCHEMA_VERSION
    {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
        });
    }
    let first =
        match serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text)) {
            Ok(file) => {
                return Ok(Read {
                    file,
                    left_out: Vec::new(),
                });
            }
            Err(e) => e,
        };
    // With line and column when read from the text; by its path once values were taken out.
    let refuse = |e: &serde_path_to_error::Error<serde_json::Error>| match e.inner().line() {
        0 => Error::Invalid {
            path: path.to_path_buf(),
            message: format!("{}: {}", e.path(), e.inner()),
            expected,
        },
        line => Error::Json {
            path: path.to_path_buf(),
            line,
            column: e.inner().column(),
            message: reason(&e.inner().to_string()).to_string(),
            expected,
        },
    };
    let Ok(mut value) = serde_json::from_str::<Value>(text) else {
        return Err(refuse(&first));
    };
    if value.get("schema_version").is_none() {
        return Err(refuse(&first));
    }
    let mut left_out = Vec::new();
    let mut repaired = false;
    for _ in 0..MOST_REPAIRS {
        let error = match serde_path_to_error::deserialize(&value) {
            Ok(file) => return Ok(Read { file, left_out }),
            Err(e) => e,
        };
        let path: Vec<Segment> = error.path().iter().cloned().collect();
        let why = error.inner().to_string();
        if why.ends_with("expected a sequence") && wrap_in_list(&mut value, &path) {
            repaired = true;
            continue;
        }
        match take_out(&mut value, hosts, &path, &why) {
            Some(one) => {
                left_out.push(one);
                repaired = true;
            }
            // Nothing changed yet: the text's own error, with its line and column.
            None if !repaired => return Err(refuse(&first)),
            None => return Err(refuse(&error)),
        }
    }
    Err(refuse(&first))
}

/// serde_json's message without its " at line L column C" (the message says where) and,
/// for an unknown field, without the list of every field there is.
fn reason(message: &str) -> &str {
    let message = message.split(" at line ").next().unwrap_or(message);
    match message.split_once(", expected one of") {
        Some((unknown, _)) if unknown.starts_with("unknown field") => unknown,
        _ => message,
    }
}

/// A single value where a list belongs becomes the list of it: Windows PowerShell writes
/// a one-element list as its element when a script's `@()` is lost (an edit, an older
/// script), so this reads what was meant and loses nothing. Anywhere in the file: a
/// forest with one DC unrolls the host list itself. `false` when the path leads to no
/// such value (`null` stays: it says nothing, and an optional list is then unknown).
fn wrap_in_list(value: &mut Value, path: &[Segment]) -> bool {
    match walk(Some(value), path) {
        Some(v) if !v.is_array() && !v.is_null() => {
            *v = Value::Array(vec![v.take()]);
            true
        }
        _ => false,
    }
}

/// Takes the value at `path` out of its host and names it in the host's `errors`; `None`
/// when the path does not lead into a host's value (the file's own fields, a host as a
/// whole), which only refusing the file can answer.
fn take_out(value: &mut Value, hosts: Hosts, path: &[Segment], why: &str) -> Option<LeftOut> {
    let (host, inside) = match (hosts, path) {
        (Hosts::In(key), [Segment::Map { key: k }, Segment::Seq { index }, inside @ ..])
            if k == key =>
        {
            (
                value.get_mut(key).and_then(|list| list.get_mut(*index)),
                inside,
            )
        }
        (Hosts::Root, inside) => (Some(value), inside),
        _ => return None,
    };
    let (Some(Value::Object(host)), [Segment::Map { key: field }, below @ ..]) = (host, inside)
    else {
        return None;
    };
    // The value itself: a field of the host, of an object inside it, or a list item. A
    // required field taken out makes its object fail next, which then goes as a whole.
    // (A host's `errors` that is neither a list nor one string gives way to the reasons.)
    let removed = match below {
        [] => host.remove(field).is_some(),
        _ => remove_at(host.get_mut(field), below),
    };
    if !removed {
        return None;
    }
    let named = std::iter::once(field.clone())
        .chain(below.iter().map(segment))
        .collect::<String>();
    let host_name = match (hosts, host.get("name")) {
        (Hosts::Root, _) => "the Center".to_string(),
        (_, Some(Value::String(n))) => n.clone(),
        _ => "a host without a name".to_string(),
    };
    let one = LeftOut {
        host: host_name,
        value: named,
        reason: reason(why).to_string(),
    };
    let errors = match host.remove("errors") {
        Some(Value::Array(errors)) => errors,
        Some(one @ Value::String(_)) => vec![one],
        _ => Vec::new(),
    };
    host.insert(
        "errors".into(),
        Value::Array(errors.into_iter().chain([one.note().into()]).collect()),
    );
    Some(one)
}

/// Removes the value `path` leads to from `at` (an object's field or a list's item).
fn remove_at(at: Option<&mut Value>, path: &[Segment]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    match (walk(at, parents), last) {
        (Some(Value::Array(items)), Segment::Seq { index }) if *index < items.len() => {
            items.remove(*index);
            true
        }
        (Some(Value::Object(fields)), Segment::Map { key }) => fields.remove(key).is_some(),
        _ => false,
    }
}

/// The value `path` leads to from `at`, if there is one.
fn walk<'a>(at: Option<&'a mut Value>, path: &[Segment]) -> Option<&'a mut Value> {
    path.iter().try_fold(at?, |v, s| match s {
        Segment::Map { key } => v.get_mut(key),
        Segment::Seq { index } => v.get_mut(*index),
        _ => None,
    })
}

/// `.key` or `[3]`, as the path reads in a message.
fn segment(s: &Segment) -> String {
    match s {
        Segment::Seq { index } => format!("[{index}]"),
        Segment::Map { key } => format!(".{key}"),
        Segment::Enum { variant } => format!(".{variant}"),
        Segment::Unknown => ".?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CenterFactsFile, DcFactsFile};

    const DC: Expected = Expected::Collector {
        script: "Get-DcFacts.ps1",
        collector: "dc-facts",
    };

    fn dcs(text: &str) -> Result<Read<DcFactsFile>, Error> {
        parse(
            Path::new("dc.json"),
            text,
            DC,
            Hosts::In("domain_controllers"),
        )
    }

    #[test]
    fn a_value_that_does_not_fit_costs_that_value_only() {
        let text = r#"{"schema_version": 1, "domain_controllers": [
            {"name": "LAB-DC01", "dotnet_release": "n/a", "logical_processors": 4},
            {"name": "LAB-DC02", "dotnet_release": 528049, "colour": "blue",
             "audit_policy": [
                {"guid": "0CCE923F-69AE-11D9-BED3-505054503030", "name": "A", "setting": "Success"},
                {"guid": 7, "name": "B", "setting": "Success"}],
             "errors": ["memory_bytes: access denied"]}]}"#;
        let Read { file, left_out } = dcs(text).unwrap();
        let [one, two] = &file.domain_controllers[..] else {
            panic!("{file:?}")
        };
        assert_eq!(
            (one.dotnet_release, one.logical_processors),
            (None, Some(4))
        );
        assert_eq!(
            one.errors,
            ["dotnet_release: invalid type: string \"n/a\", expected u32; left out"]
        );
        assert_eq!(two.dotnet_release, Some(528_049));
        assert_eq!(two.audit_policy.as_ref().map(Vec::len), Some(1));
        assert_eq!(two.errors[0], "memory_bytes: access denied");
        assert_eq!(two.errors[1], "colour: unknown field `colour`; left out");
        let named: Vec<_> = left_out
            .iter()
            .map(|l| format!("{} {}", l.host, l.value))
            .collect();
        assert_eq!(
            named,
            [
                "LAB-DC01 dotnet_release",
                "LAB-DC02 colour",
                "LAB-DC02 audit_policy[1].guid",
                "LAB-DC02 audit_policy[1]",
            ]
        );
    }

    #[test]
    fn a_file_that_is_not_a_collector_s_is_still_refused_whole() {
        // No schema_version: another tool's JSON, with serde's line and column.
        let e = dcs(r#"{"domain_controllers": [], "description": "x"}"#).unwrap_err();
        assert!(matches!(e, Error::Json { line: 1, .. }), "{e}");
        // The file's own fields and a host as a whole are not a host's values.
        for text in [
            r#"{"schema_version": 1, "domain_controllers": ["LAB-DC01"]}"#,
            r#"{"schema_version": 1, "domain_controllers": "LAB-DC01"}"#,
            r#"{"schema_version": 1, "collected_at": "never", "domain_controllers": []}"#,
        ] {
            assert!(dcs(text).is_err(), "{text}");
        }
        // A name of the wrong type is taken out; a DC without one cannot stand.
        let e = dcs(r#"{"schema_version": 1, "domain_controllers": [{"name": 5}]}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("domain_controllers[0]: missing field `name`"),
            "{e}"
        );
    }

    #[test]
    fn a_single_value_where_a_list_belongs_is_the_list_of_it() {
        // One DC, unrolled by PowerShell; its one audit subcategory and root certificate too.
        let text = r#"{"schema_version": 1, "domain_controllers":
            {"name": "LAB-DC01", "root_certificates": "AB12",
             "audit_policy": {"guid": "0CCE923F-69AE-11D9-BED3-505054503030",
                              "name": "Credential Validation", "setting": "Success"},
             "packet_capture": null}}"#;
        let Read { file, left_out } = dcs(text).unwrap();
        assert_eq!(left_out, []);
        let [dc] = &file.domain_controllers[..] else {
            panic!("{file:?}")
        };
        assert_eq!(dc.name, "LAB-DC01");
        assert_eq!(
            dc.root_certificates.as_deref(),
            Some(&["AB12".to_string()][..])
        );
        assert_eq!(dc.audit_policy.as_ref().map(Vec::len), Some(1));
        // null says nothing: the optional list stays unknown.
        assert_eq!(dc.packet_capture, None);
        assert!(dc.errors.is_empty(), "{:?}", dc.errors);
        // A single item that does not fit the list's items is then taken out as an item.
        let text = r#"{"schema_version": 1, "domain_controllers": [
            {"name": "LAB-DC02", "audit_policy": {"name": "no guid"}}]}"#;
        let Read { file, left_out } = dcs(text).unwrap();
        assert_eq!(
            file.domain_controllers[0].audit_policy.as_deref(),
            Some(&[][..])
        );
        let named: Vec<_> = left_out.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(named, ["audit_policy[0]"]);
    }

    #[test]
    fn the_center_is_the_host_of_its_own_file() {
        let text = r#"{"schema_version": 1, "host": "LAB-ATA", "mongo_version": 3.6,
            "errors": "not a list"}"#;
        let Read::<CenterFactsFile> { file, left_out } =
            parse(Path::new("center.json"), text, DC, Hosts::Root).unwrap();
        assert_eq!(file.host.as_deref(), Some("LAB-ATA"));
        assert_eq!(file.mongo_version, None);
        assert_eq!(left_out.len(), 1, "{left_out:?}");
        assert_eq!(left_out[0].host, "the Center");
        // A single error written as a string stays, beside the reason.
        assert_eq!(file.errors[0], "not a list");

        assert!(file.errors[1].starts_with("mongo_version: invalid type"));
        let Read::<CenterFactsFile> { file, left_out } = parse(
            Path::new("center.json"),
            r#"{"schema_version": 1, "errors": "one"}"#,
            DC,
            Hosts::Root,
        )
        .unwrap();
        assert_eq!((file.errors, left_out), (vec!["one".to_string()], vec![]));
    }
}
