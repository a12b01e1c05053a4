//! Dotted paths into decoded and raw documents, and the filter evaluated on the raw
//! bytes before anything is decoded ([`Prepared`]).

use mongodb::bson::{Bson, Document, RawBsonRef, RawDocument};

use super::*;

/// The value at a dotted path (`Configuration.SyslogClientConfiguration.IsEnabled`).
/// Numeric segments index arrays.
pub fn get_path<'a>(doc: &'a Document, path: &str) -> Option<&'a Bson> {
    let mut parts = path.split('.');
    let mut cur = doc.get(parts.next()?)?;
    for part in parts {
        cur = match cur {
            Bson::Document(d) => d.get(part)?,
            Bson::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// [`get_path`] on an undecoded document. Malformed bytes read as "absent" here; the
/// document is validated separately so damage is reported, not skipped.
pub fn raw_path<'a>(doc: &'a RawDocument, path: &str) -> Option<RawBsonRef<'a>> {
    let mut parts = path.split('.');
    let cur = doc.get(parts.next()?).ok()??;
    descend(cur, parts)
}

/// The rest of a dotted path below a value.
fn descend<'a, 'p>(
    mut cur: RawBsonRef<'a>,
    parts: impl Iterator<Item = &'p str>,
) -> Option<RawBsonRef<'a>> {
    for part in parts {
        cur = match cur {
            RawBsonRef::Document(d) => d.get(part).ok()??,
            RawBsonRef::Array(a) => a.get(part.parse::<usize>().ok()?).ok()??,
            _ => return None,
        };
    }
    Some(cur)
}

/// A checked document with its top-level fields indexed by the check's own walk
/// ([`super::bson_check::Checker::check_indexed`]): filters, tallies and projections find a field without
/// walking the document again, and borrow its value from the bytes.
pub struct Indexed<'a> {
    pub raw: &'a RawDocument,
    pub top: &'a [TopField],
}

impl<'a> Indexed<'a> {
    /// The first top-level field named `key`, as [`RawDocument::get`] finds it.
    pub fn get(&self, key: &str) -> Option<RawBsonRef<'a>> {
        let f = self.find(key)?;
        // The other types are rare where scans look: the bson crate reads them.
        self.value(f).or_else(|| self.raw.get(key).ok().flatten())
    }

    fn find(&self, key: &str) -> Option<&'a TopField> {
        let b: &'a [u8] = self.raw.as_bytes();
        self.top
            .iter()
            .find(|f| b.get(f.key.0..f.key.1) == Some(key.as_bytes()))
    }

    /// The field's name (the check vouched for its UTF-8).
    pub(super) fn name(&self, f: &TopField) -> Option<&'a str> {
        let b: &'a [u8] = self.raw.as_bytes();
        std::str::from_utf8(b.get(f.key.0..f.key.1)?).ok()
    }

    /// The field's value borrowed from the bytes, for the types scans meet; `None` for
    /// the others (and for an array, which the bson crate only builds itself).
    pub(super) fn value(&self, f: &TopField) -> Option<RawBsonRef<'a>> {
        let b: &'a [u8] = self.raw.as_bytes();
        let v = b.get(f.value.0..f.value.1)?;
        let eight = || v.try_into().ok().map(i64::from_le_bytes);
        Some(match f.kind {
            0x01 => RawBsonRef::Double(f64::from_le_bytes(v.try_into().ok()?)),
            0x02 => {
                RawBsonRef::String(std::str::from_utf8(v.get(4..v.len().checked_sub(1)?)?).ok()?)
            }
            0x08 => RawBsonRef::Boolean(v.first() == Some(&1)),
            0x09 => RawBsonRef::DateTime(mongodb::bson::DateTime::from_millis(eight()?)),
            0x10 => RawBsonRef::Int32(i32::from_le_bytes(v.try_into().ok()?)),
            0x12 => RawBsonRef::Int64(eight()?),
            0x0A => RawBsonRef::Null,
            0x07 => RawBsonRef::ObjectId(ObjectId::from_bytes(v.try_into().ok()?)),
            0x03 => RawBsonRef::Document(RawDocument::from_bytes(v).ok()?),
            _ => return None,
        })
    }

    /// [`raw_path`] through the index.
    pub fn path(&self, path: &str) -> Option<RawBsonRef<'a>> {
        let mut parts = path.split('.');
        let cur = self.get(parts.next()?)?;
        descend(cur, parts)
    }

    /// [`Indexed::path`] of a path split beforehand.
    fn split_path(&self, path: &SplitPath<'_>) -> Option<RawBsonRef<'a>> {
        descend(self.get(path.head)?, path.rest.iter().copied())
    }
}

/// A dotted path split once per scan instead of once per document.
#[derive(Debug)]
struct SplitPath<'p> {
    head: &'p str,
    rest: Vec<&'p str>,
}

impl<'p> SplitPath<'p> {
    fn new(path: &'p str) -> Self {
        let mut parts = path.split('.');
        Self {
            head: parts.next().unwrap_or_default(),
            rest: parts.collect(),
        }
    }
}

/// A [`Filter`] made ready for the many documents of one scan: its paths split and its
/// id lists hashed once (a lookup in a `BTreeMap` of tens of thousands of ids compared
/// dozens of strings per document). It decides exactly as [`Filter::matches_raw`].
#[derive(Debug)]
pub struct Prepared<'f>(Node<'f>);

#[derive(Debug)]
enum Node<'f> {
    All,
    Or(Vec<Node<'f>>),
    /// foldhash, not SipHash: each document's id is hashed once, and foldhash is seeded
    /// per process, so a dump cannot be made to collide on purpose.
    IdIn(SplitPath<'f>, foldhash::HashSet<&'f str>),
    IsTrue(SplitPath<'f>),
    StrIn(SplitPath<'f>, &'f [String]),
}

impl<'f> Prepared<'f> {
    pub fn new(filter: &'f Filter) -> Self {
        fn node(f: &Filter) -> Node<'_> {
            match f {
                Filter::All => Node::All,
                Filter::Or(alts) => Node::Or(alts.iter().map(node).collect()),
                Filter::IdIn(path, ids) => Node::IdIn(
                    SplitPath::new(path),
                    ids.keys().map(String::as_str).collect(),
                ),
                Filter::IsTrue(path) => Node::IsTrue(SplitPath::new(path)),
                Filter::StrIn(path, values) => Node::StrIn(SplitPath::new(path), values),
            }
        }
        Self(node(filter))
    }

    /// [`Filter::matches_raw`] on a document whose top level the check indexed.
    pub fn matches(&self, doc: &Indexed<'_>) -> bool {
        fn eval(n: &Node<'_>, doc: &Indexed<'_>) -> bool {
            match n {
                Node::All => true,
                Node::Or(alts) => alts.iter().any(|n| eval(n, doc)),
                Node::IdIn(path, ids) => doc
                    .split_path(path)
                    .is_some_and(|v| raw_id_in(v, |k| ids.contains(k))),
                Node::IsTrue(path) => {
                    matches!(doc.split_path(path), Some(RawBsonRef::Boolean(true)))
                }
                Node::StrIn(path, values) => {
                    matches!(doc.split_path(path), Some(RawBsonRef::String(s)) if values.iter().any(|v| v == s))
                }
            }
        }
        eval(&self.0, doc)
    }
}

/// Whether an undecoded id is among `ids` ([`raw_id_key`] without building the key for
/// the usual case, a GUID string already in lower case).
pub(super) fn raw_id_in(v: RawBsonRef<'_>, contains: impl Fn(&str) -> bool) -> bool {
    match v {
        RawBsonRef::String(s) if !s.bytes().any(|c| c.is_ascii_uppercase()) => contains(s),
        other => raw_id_key(other).is_some_and(|k| contains(&k)),
    }
}
