//! Projections: only the mapped paths of a document are kept, on decoded documents
//! and on raw ones (decoding only what is kept).

use std::collections::HashMap;

use mongodb::bson::{Bson, Document, RawBsonRef, RawDocument};

use super::*;

/// A projection by its first path segment: `None` keeps the whole value, `Some` the
/// sub-paths under it.
fn projection_tree(paths: &[String]) -> HashMap<&str, Option<Vec<String>>> {
    let mut tree: HashMap<&str, Option<Vec<String>>> = HashMap::new();
    for p in paths {
        match p.split_once('.') {
            None => {
                tree.insert(p.as_str(), None);
            }
            Some((head, rest)) => {
                let entry = tree.entry(head).or_insert_with(|| Some(Vec::new()));
                if let Some(v) = entry {
                    v.push(rest.to_string());
                }
            }
        }
    }
    tree
}

/// Keeps only the given dotted paths (and everything under them), like a MongoDB
/// inclusion projection; `_id` is always kept, as MongoDB does.
pub fn project(doc: Document, paths: &[String]) -> Document {
    let tree = projection_tree(paths);
    let mut out = Document::new();
    for (key, value) in doc {
        let keep = match tree.get(key.as_str()) {
            Some(None) => Some(value),
            Some(Some(sub)) => match value {
                Bson::Document(d) => Some(Bson::Document(project(d, sub))),
                Bson::Array(a) => Some(Bson::Array(
                    a.into_iter()
                        .filter_map(|v| match v {
                            Bson::Document(d) => Some(Bson::Document(project(d, sub))),
                            _ => None,
                        })
                        .collect(),
                )),
                _ => None,
            },
            None if key == "_id" => Some(value),
            None => None,
        };
        if let Some(v) = keep {
            out.insert(key, v);
        }
    }
    out
}

/// [`project`] of the decoded document, decoding only the values the projection keeps:
/// the rest of the document is never turned into [`Bson`]. `None` when the document
/// repeats a field name the projection touches: the full decode keeps the last value in
/// the first one's place, and that case is left to it ([`project`] of [`Document`]).
pub fn project_raw(
    raw: &RawDocument,
    paths: &[String],
) -> Result<Option<Document>, mongodb::bson::raw::Error> {
    Projection::new(paths).apply_raw(raw)
}

/// [`Bson::try_from`] of a raw value, without the copy of an array's or a document's bytes
/// the bson crate makes before converting them (`_t` and the search names of every entity
/// kept). The same conversion, element by element, into the same [`Document`] (a repeated
/// name keeps its first place and its last value).
pub(super) fn to_bson(v: RawBsonRef<'_>) -> Result<Bson, mongodb::bson::raw::Error> {
    Ok(match v {
        RawBsonRef::Array(a) => Bson::Array(
            a.into_iter()
                .map(|item| item.and_then(to_bson))
                .collect::<Result<_, _>>()?,
        ),
        RawBsonRef::Document(d) => Bson::Document(
            d.into_iter()
                .map(|item| item.and_then(|(k, v)| Ok((k.to_owned(), to_bson(v)?))))
                .collect::<Result<_, _>>()?,
        ),
        other => Bson::try_from(other)?,
    })
}

/// A projection's dotted paths as a tree (the same tree [`project`] uses), built once
/// per scan and applied to every matching document: a scan keeps tens of thousands of
/// documents, and building the tree is most of the cost of projecting a small one.
#[derive(Debug)]
pub struct Projection(Vec<(String, Option<Projection>)>);

impl Projection {
    pub fn new(paths: &[String]) -> Self {
        // A field named whole (`A`) keeps all of it, whatever else names a path under it.
        let mut fields: Vec<(&str, Option<Vec<String>>)> = Vec::new();
        for p in paths {
            let (head, rest) = match p.split_once('.') {
                None => (p.as_str(), None),
                Some((head, rest)) => (head, Some(rest)),
            };
            let i = match fields.iter().position(|(k, _)| *k == head) {
                Some(i) => i,
                None => {
                    fields.push((head, Some(Vec::new())));
                    fields.len() - 1
                }
            };
            match (rest, &mut fields[i].1) {
                (None, sub) => *sub = None,
                (Some(rest), Some(sub)) => sub.push(rest.to_string()),
                (Some(_), None) => {}
            }
        }
        Self(
            fields
                .into_iter()
                .map(|(k, sub)| (k.to_string(), sub.map(|s| Projection::new(&s))))
                .collect(),
        )
    }

    /// What to keep of field `key`: all of it (`Some(None)`), the parts under it
    /// (`Some(Some(_))`), or nothing. `_id` is kept at every level unless named.
    fn rule(&self, key: &str) -> Option<Option<&Projection>> {
        match self.0.iter().find(|(k, _)| k == key) {
            Some((_, sub)) => Some(sub.as_ref()),
            None if key == "_id" => Some(None),
            None => None,
        }
    }

    /// [`Projection::apply_raw`] of a document whose top level the check indexed: its
    /// fields are found through the index instead of a second walk, and only the kept
    /// ones are read. A value of a type the index does not read sends the document to
    /// [`Projection::apply_raw`], so the result is always the same.
    pub fn apply_indexed(
        &self,
        doc: &Indexed<'_>,
    ) -> Result<Option<Document>, mongodb::bson::raw::Error> {
        let b = doc.raw.as_bytes();
        let mut out = Document::new();
        for (i, f) in doc.top.iter().enumerate() {
            let Some(key) = doc.name(f) else {
                return self.apply_raw(doc.raw);
            };
            let Some(rule) = self.rule(key) else { continue };
            // A repeated name: see apply_raw.
            if doc.top[..i]
                .iter()
                .any(|g| b.get(g.key.0..g.key.1) == Some(key.as_bytes()))
            {
                return Ok(None);
            }
            let inner = || RawDocument::from_bytes(&b[f.value.0..f.value.1]);
            let kept = match (rule, f.kind) {
                // An array's bytes are a document keyed "0", "1", …
                (None, 0x04) => Some(Bson::Array(
                    inner()?
                        .into_iter()
                        .map(|item| item.and_then(|(_, v)| to_bson(v)))
                        .collect::<Result<_, _>>()?,
                )),
                (None, _) => match doc.value(f) {
                    Some(v) => Some(to_bson(v)?),
                    None => return self.apply_raw(doc.raw),
                },
                (Some(sub), 0x03) => {
                    let Some(d) = sub.apply_raw(inner()?)? else {
                        return Ok(None);
                    };
                    Some(Bson::Document(d))
                }
                (Some(sub), 0x04) => {
                    let items = inner()?.into_iter().map(|item| item.map(|(_, v)| v));
                    let Some(items) = sub.apply_items(items)? else {
                        return Ok(None);
                    };
                    Some(items)
                }
                (Some(_), _) => None,
            };
            if let Some(v) = kept {
                out.insert(key, v);
            }
        }
        Ok(Some(out))
    }

    /// The documents of an array, each projected with this tree (other items dropped);
    /// `None` when one of them repeats a name, as [`Projection::apply_raw`] says.
    fn apply_items<'a>(
        &self,
        items: impl Iterator<Item = Result<RawBsonRef<'a>, mongodb::bson::raw::Error>>,
    ) -> Result<Option<Bson>, mongodb::bson::raw::Error> {
        let mut out = Vec::new();
        for item in items {
            if let RawBsonRef::Document(d) = item? {
                let Some(d) = self.apply_raw(d)? else {
                    return Ok(None);
                };
                out.push(Bson::Document(d));
            }
        }
        Ok(Some(Bson::Array(out)))
    }

    /// [`project_raw`] with this tree.
    pub fn apply_raw(
        &self,
        raw: &RawDocument,
    ) -> Result<Option<Document>, mongodb::bson::raw::Error> {
        let mut out = Document::new();
        let mut seen: Vec<&str> = Vec::new();
        for item in raw {
            let (key, value) = item?;
            let Some(rule) = self.rule(key) else { continue };
            if seen.contains(&key) {
                return Ok(None);
            }
            seen.push(key);
            let kept = match (rule, value) {
                (None, v) => Some(to_bson(v)?),
                (Some(sub), RawBsonRef::Document(d)) => {
                    let Some(d) = sub.apply_raw(d)? else {
                        return Ok(None);
                    };
                    Some(Bson::Document(d))
                }
                (Some(sub), RawBsonRef::Array(a)) => {
                    let Some(items) = sub.apply_items(a.into_iter())? else {
                        return Ok(None);
                    };
                    Some(items)
                }
                (Some(_), _) => None,
            };
            if let Some(v) = kept {
                out.insert(key, v);
            }
        }
        Ok(Some(out))
    }
}
