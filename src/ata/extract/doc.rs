//! The document accessor extraction reads through: a document with where it came from,
//! typed lookups that record a value of an unexpected type (a [`Problem`]) instead of
//! failing, and the lookups every setting shares (first candidate path, section,
//! endpoint, C# dictionary entry).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use mongodb::bson::{Bson, Document};

use super::{Problem, Problems};
use crate::ata::mapping::{Mapping, Paths};
use crate::ata::snapshot::{DocOrigin, get_path, id_key};

/// A document with where it came from.
#[derive(Debug, Clone)]
pub struct Located {
    pub doc: Document,
    pub origin: DocOrigin,
    /// Index of the source it was read from.
    pub src: usize,
    /// The path of this (sub-)document inside the stored one, for messages: a section
    /// such as `Configuration.MailClientConfiguration` read on its own.
    pub base: String,
    pub problems: Problems,
}

impl Located {
    pub(super) fn new(doc: Document, origin: &DocOrigin, src: usize, problems: &Problems) -> Self {
        Self {
            doc,
            origin: origin.clone(),
            src,
            base: String::new(),
            problems: problems.clone(),
        }
    }

    /// A sub-document of this one, read on its own under `path`.
    pub(super) fn sub(&self, doc: Document, path: &str) -> Self {
        Self {
            doc,
            origin: self.origin.clone(),
            src: self.src,
            base: self.full(path),
            problems: self.problems.clone(),
        }
    }

    fn full(&self, path: &str) -> String {
        if self.base.is_empty() {
            path.to_string()
        } else {
            format!("{}.{path}", self.base)
        }
    }

    pub(super) fn at(&self, path: &str) -> Option<&Bson> {
        get_path(&self.doc, path).filter(|v| !matches!(v, Bson::Null | Bson::Undefined))
    }

    /// Records that `path` holds `found` where `expected` was wanted.
    pub(super) fn wrong(&self, path: &str, expected: &'static str, found: &Bson) {
        let problem = Problem {
            src: self.src,
            origin: self.origin.to_string(),
            path: self.full(path),
            expected,
            found: describe(found),
        };
        if let Ok(mut list) = self.problems.lock() {
            list.push(problem);
        }
    }

    /// The string at `path`; a value of another type is recorded and reads as absent.
    pub(super) fn str_at(&self, path: &str) -> Option<String> {
        match self.at(path) {
            None => None,
            Some(Bson::String(s)) => Some(s.clone()),
            Some(other) => {
                self.wrong(path, "a string", other);
                None
            }
        }
    }

    pub(super) fn bool_at(&self, path: &str) -> Option<bool> {
        match self.at(path) {
            None => None,
            Some(Bson::Boolean(b)) => Some(*b),
            Some(other) => {
                self.wrong(path, "true or false", other);
                None
            }
        }
    }

    /// A string or an array of strings.
    pub(super) fn strings_at(&self, path: &str) -> Option<Vec<String>> {
        match self.at(path) {
            None => None,
            Some(Bson::String(s)) => Some(vec![s.clone()]),
            Some(Bson::Array(a)) => {
                let mut out = Vec::new();
                for v in a {
                    match v {
                        Bson::String(s) => out.push(s.clone()),
                        other => {
                            self.wrong(path, "a list of strings", other);
                            return None;
                        }
                    }
                }
                Some(out)
            }
            Some(other) => {
                self.wrong(path, "a string or a list of strings", other);
                None
            }
        }
    }

    /// The first candidate that exists, as a string.
    pub(super) fn first_str(&self, paths: &Paths) -> Option<String> {
        paths.iter().find_map(|p| self.str_at(p))
    }

    pub(super) fn first_bool(&self, paths: &Paths) -> Option<bool> {
        paths.iter().find_map(|p| self.bool_at(p))
    }

    pub(super) fn date_at(&self, path: &str) -> Option<DateTime<Utc>> {
        match self.at(path) {
            None => None,
            Some(Bson::DateTime(d)) => DateTime::<Utc>::from_timestamp_millis(d.timestamp_millis()),
            Some(Bson::String(s)) if DateTime::parse_from_rfc3339(s).is_ok() => {
                DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|d| d.with_timezone(&Utc))
            }
            Some(other) => {
                self.wrong(path, "a date", other);
                None
            }
        }
    }

    /// The `_t` discriminator: a string, or an array of the class hierarchy. Another type
    /// is recorded and reads as no type.
    pub(super) fn types(&self, path: &str) -> Vec<String> {
        match self.doc.get(path) {
            None | Some(Bson::Null) => Vec::new(),
            Some(Bson::String(s)) => vec![s.clone()],
            Some(Bson::Array(a)) if a.iter().all(|v| matches!(v, Bson::String(_))) => a
                .iter()
                .filter_map(Bson::as_str)
                .map(str::to_string)
                .collect(),
            Some(other) => {
                self.wrong(path, "a string or an array of strings", other);
                Vec::new()
            }
        }
    }

    pub(super) fn id_text(&self) -> String {
        self.doc
            .get("_id")
            .map(id_text)
            .unwrap_or_else(|| format!("document {}", self.origin.index))
    }
}

/// A value's type and a short preview, for error messages (never a secret: those were
/// replaced by the reader).
pub(super) fn describe(v: &Bson) -> String {
    let text = match v {
        Bson::String(s) => format!("the string {s:?}"),
        Bson::Document(_) => "a document".to_string(),
        Bson::Array(a) => format!("an array of {} values", a.len()),
        other => format!("{:?} {}", other.element_type(), other),
    };
    text.chars().take(80).collect()
}

/// An id as text, keeping a GUID string as stored.
pub(super) fn id_text(v: &Bson) -> String {
    match v {
        Bson::String(s) => s.clone(),
        other => id_key(other).unwrap_or_else(|| other.to_string()),
    }
}

/// The profile documents, classified.
pub(super) struct Profiles {
    pub(super) all: Vec<(Located, Vec<String>)>,
}

impl Profiles {
    /// Center-wide profiles in the mapping's order.
    pub(super) fn center_wide<'a>(&'a self, mapping: &Mapping) -> Vec<&'a Located> {
        let mut out: Vec<&Located> = Vec::new();
        for wanted in mapping.profiles.center_wide.iter() {
            for (doc, types) in &self.all {
                if types.iter().any(|t| t == wanted) && !out.iter().any(|d| std::ptr::eq(*d, doc)) {
                    out.push(doc);
                }
            }
        }
        out
    }

    pub(super) fn center<'a>(&'a self, mapping: &Mapping) -> Vec<&'a Located> {
        self.all
            .iter()
            .filter(|(_, types)| {
                types
                    .iter()
                    .any(|t| mapping.profiles.center.iter().any(|c| c == t))
            })
            .map(|(d, _)| d)
            .collect()
    }

    pub(super) fn gateways<'a>(&'a self, mapping: &Mapping) -> Vec<(&'a Located, &'a [String])> {
        self.all
            .iter()
            .filter(|(_, types)| types.iter().any(|t| mapping.gateway_regex.is_match(t)))
            .map(|(d, t)| (d, t.as_slice()))
            .collect()
    }

    /// The profile type `d` is named by in messages.
    pub(super) fn label_of(&self, d: &Located) -> String {
        self.all
            .iter()
            .find(|(l, _)| std::ptr::eq(l, d))
            .map(|(_, t)| profile_label(t))
            .unwrap_or_default()
    }

    pub(super) fn non_gateway<'a>(&'a self, mapping: &Mapping) -> Vec<&'a Located> {
        self.all
            .iter()
            .filter(|(_, types)| !types.iter().any(|t| mapping.gateway_regex.is_match(t)))
            .map(|(d, _)| d)
            .collect()
    }
}

/// The profile type a document is named by in messages.
fn profile_label(types: &[String]) -> String {
    types
        .last()
        .cloned()
        .unwrap_or_else(|| "SystemProfile".to_string())
}

pub(super) fn tried(
    paths: &Paths,
    docs: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
) -> Vec<String> {
    let profiles: BTreeSet<String> = docs.iter().map(|d| types_of(d)).collect();
    let where_ = if profiles.is_empty() {
        "no such profile in the source".to_string()
    } else {
        profiles.into_iter().collect::<Vec<_>>().join(", ")
    };
    paths.iter().map(|p| format!("{p} (in {where_})")).collect()
}

/// Finds the first candidate path that exists in any of `docs` (path-major: the first
/// candidate wins over later ones, whichever profile holds it).
pub(super) fn find_first<'a>(paths: &Paths, docs: &[&'a Located]) -> Option<(&'a Located, String)> {
    for p in paths.iter() {
        for d in docs {
            if d.at(p).is_some() {
                return Some((d, p.clone()));
            }
        }
    }
    None
}

/// Ids wanted from UniqueEntity, with the original value for server-side queries.
#[derive(Default)]
pub(super) struct WantedIds(pub(super) BTreeMap<String, Bson>);

impl WantedIds {
    pub(super) fn add(&mut self, v: &Bson) -> Option<String> {
        let key = id_key(v)?;
        self.0.entry(key.clone()).or_insert_with(|| v.clone());
        Some(key)
    }
}

/// A secret slot after redaction: `true`/`false` (or absent).
pub(super) fn secret_flag(d: &Located, path: &str) -> bool {
    matches!(d.at(path), Some(Bson::Boolean(true)))
}

/// An endpoint as text: `"host:port"` as stored, or a `{Address|Host, Port}` document.
/// Another shape is recorded and reads as absent.
pub(super) fn endpoint_text(d: &Located, path: &str) -> Option<String> {
    match d.at(path) {
        Some(Bson::String(s)) => Some(s.clone()),
        Some(Bson::Document(e)) => {
            let host = ["Address", "Host", "IpAddress", "HostName"]
                .iter()
                .find_map(|k| e.get_str(k).ok());
            let port = ["Port"].iter().find_map(|k| {
                e.get(*k)
                    .and_then(Bson::as_i64)
                    .or_else(|| e.get_i32(k).ok().map(i64::from))
            });
            match (host, port) {
                (Some(h), Some(p)) => Some(format!("{h}:{p}")),
                (Some(h), None) => Some(h.to_string()),
                _ => {
                    d.wrong(
                        path,
                        "\"host:port\" or {Address, Port}",
                        &Bson::Document(e.clone()),
                    );
                    None
                }
            }
        }
        Some(other) => {
            d.wrong(path, "\"host:port\"", other);
            None
        }
        None => None,
    }
}

/// Splits `host:port`, `[v6]:port` or `scheme://host:port`.
pub fn split_endpoint(text: &str) -> (Option<String>, Option<u16>) {
    let t = text.trim();
    let t = t.split_once("://").map_or(t, |(_, r)| r);
    let t = t.trim_end_matches('/');
    if t.is_empty() {
        return (None, None);
    }
    if let Some(rest) = t.strip_prefix('[')
        && let Some((host, after)) = rest.split_once(']')
    {
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
        return (Some(host.to_string()), port);
    }
    match t.rsplit_once(':') {
        // More than one colon and no brackets: a bare IPv6 address.
        Some((host, _)) if host.contains(':') => (Some(t.to_string()), None),
        Some((host, port)) => match port.parse() {
            Ok(p) => (Some(host.to_string()), Some(p)),
            Err(_) => (Some(t.to_string()), None),
        },
        None => (Some(t.to_string()), None),
    }
}

/// The endpoint at the first of `paths` that exists, split into host and port.
pub(super) fn endpoint(d: &Located, paths: &Paths) -> (Option<String>, Option<u16>) {
    match paths.iter().find(|p| d.at(p).is_some()) {
        Some(p) => split_endpoint(&endpoint_text(d, p).unwrap_or_default()),
        None => (None, None),
    }
}

/// One entry of a C# `Dictionary` as stored: `{k, v}` / `{Key, Value}` documents or
/// `[k, v]` pairs. Another shape reads as `(None, None)`.
pub(super) fn dictionary_pair(item: &Bson) -> (Option<&Bson>, Option<&Bson>) {
    match item {
        Bson::Document(kv) => (
            kv.get("k").or_else(|| kv.get("Key")),
            kv.get("v").or_else(|| kv.get("Value")),
        ),
        Bson::Array(kv) if kv.len() == 2 => (kv.first(), kv.get(1)),
        _ => (None, None),
    }
}

/// The first section candidate that exists, relative field lookups inside it. A section
/// of another type is recorded and reads as absent.
pub(super) fn section(paths: &Paths, docs: &[&Located]) -> Option<(Located, String)> {
    let (d, p) = find_first(paths, docs)?;
    match d.at(&p) {
        Some(Bson::Document(sub)) => Some((d.sub(sub.clone(), &p), p)),
        Some(other) => {
            d.wrong(&p, "a document", other);
            None
        }
        None => None,
    }
}

/// A value as one line of text for the report.
pub(super) fn scalar_text(v: &Bson) -> String {
    match v {
        Bson::String(s) => s.clone(),
        Bson::Boolean(b) => b.to_string(),
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => i.to_string(),
        Bson::Double(f) => f.to_string(),
        Bson::DateTime(d) => d.try_to_rfc3339_string().unwrap_or_else(|_| d.to_string()),
        Bson::Array(a) => a.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        other => other.clone().into_relaxed_extjson().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_split() {
        assert_eq!(
            split_endpoint("siem01.fabrikam.test:514"),
            (Some("siem01.fabrikam.test".into()), Some(514))
        );
        assert_eq!(
            split_endpoint("[fe80::1]:25"),
            (Some("fe80::1".into()), Some(25))
        );
        assert_eq!(split_endpoint("fe80::1"), (Some("fe80::1".into()), None));
        assert_eq!(
            split_endpoint("udp://10.0.0.1:514/"),
            (Some("10.0.0.1".into()), Some(514))
        );
        assert_eq!(split_endpoint("smtp"), (Some("smtp".into()), None));
    }
}
