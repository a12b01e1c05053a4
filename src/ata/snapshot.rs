//! The snapshot every ATA reader produces: collections of BSON documents, streamed.
//!
//! A reader (live MongoDB, mongodump folder, JSON export) is asked to *scan* one logical
//! collection with a [`Filter`], a projection and an optional tally field, and hands each
//! matching document to a visitor together with its [`DocOrigin`] (file or server, and
//! document number) so that extraction can name the exact document in an error. Nothing
//! holds a whole collection: `UniqueEntity` may have hundreds of thousands of documents
//! and only the few the settings refer to are kept.
//!
//! The same filter is evaluated on the server (live: a `find` filter), in Rust (files:
//! on the raw bytes, before decoding) and in the collector script (JavaScript), so every
//! reader hands extraction the same documents.
//!
//! This module also owns the two rules every document passes before leaving a reader:
//! secrets are replaced by a presence flag ([`redact`]) and ids are normalised to text
//! ([`id_key`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use mongodb::bson::oid::ObjectId;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Bson, Document, RawBsonRef, RawDocument};

use super::Error;
use super::bson_check::TopField;

/// The collections extraction reads. Their physical names vary between ATA releases
/// (singular and plural); the mapping lists the spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Logical {
    SystemProfile,
    UniqueEntity,
    SuspiciousActivity,
}

impl Logical {
    pub const ALL: [Logical; 3] = [
        Logical::SystemProfile,
        Logical::UniqueEntity,
        Logical::SuspiciousActivity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Logical::SystemProfile => "SystemProfile",
            Logical::UniqueEntity => "UniqueEntity",
            Logical::SuspiciousActivity => "SuspiciousActivity",
        }
    }
}

impl fmt::Display for Logical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where one document came from: the file (or server collection) and its 1-based number
/// in it, so a consultant can find it (`sed -n`, a text editor, `db.X.find().skip(n-1)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocOrigin {
    pub source: Arc<str>,
    pub index: u64,
    /// Line the document starts on, for text files.
    pub line: Option<u64>,
    /// Byte offset the document starts at in its file (decompressed), for files.
    pub offset: Option<u64>,
}

impl fmt::Display for DocOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.source, self.place())
    }
}

impl DocOrigin {
    /// "document 3 (line 12, byte 4096)": what a consultant needs to find it.
    pub fn place(&self) -> String {
        let mut s = format!("document {}", self.index);
        let mut within = Vec::new();
        if let Some(line) = self.line {
            within.push(format!("line {line}"));
        }
        if let Some(offset) = self.offset {
            within.push(format!("byte {offset}"));
        }
        if !within.is_empty() {
            s.push_str(&format!(" ({})", within.join(", ")));
        }
        s
    }
}

/// Which documents of a collection a scan wants. Deliberately small: it must translate
/// into a MongoDB filter, a Rust predicate and a JavaScript predicate alike.
#[derive(Debug, Clone)]
pub enum Filter {
    All,
    /// Any of the alternatives.
    Or(Vec<Filter>),
    /// The field's id (see [`id_key`]) is one of these; the map keeps the original BSON
    /// value of each id for the server-side `$in`.
    IdIn(String, BTreeMap<String, Bson>),
    /// The field is boolean `true`.
    IsTrue(String),
    /// The field is a string among these.
    StrIn(String, Vec<String>),
}

impl Filter {
    /// Evaluates the filter on an undecoded document (dump files: most documents are
    /// skipped without ever being decoded).
    pub fn matches_raw(&self, doc: &RawDocument) -> bool {
        self.matches_by(&|path| raw_path(doc, path))
    }

    /// The filter over undecoded values, however they are found.
    fn matches_by<'a>(&self, get: &dyn Fn(&str) -> Option<RawBsonRef<'a>>) -> bool {
        match self {
            Filter::All => true,
            Filter::Or(alts) => alts.iter().any(|f| f.matches_by(get)),
            Filter::IdIn(path, ids) => {
                get(path).is_some_and(|v| raw_id_in(v, |k| ids.contains_key(k)))
            }
            Filter::IsTrue(path) => matches!(get(path), Some(RawBsonRef::Boolean(true))),
            Filter::StrIn(path, values) => {
                matches!(get(path), Some(RawBsonRef::String(s)) if values.iter().any(|v| v == s))
            }
        }
    }

    /// Evaluates the filter on a decoded document (JSON files).
    pub fn matches(&self, doc: &Document) -> bool {
        match self {
            Filter::All => true,
            Filter::Or(alts) => alts.iter().any(|f| f.matches(doc)),
            Filter::IdIn(path, ids) => get_path(doc, path)
                .and_then(id_key)
                .is_some_and(|k| ids.contains_key(&k)),
            Filter::IsTrue(path) => matches!(get_path(doc, path), Some(Bson::Boolean(true))),
            Filter::StrIn(path, values) => {
                matches!(get_path(doc, path), Some(Bson::String(s)) if values.iter().any(|v| v == s))
            }
        }
    }

    /// The MongoDB query document for this filter.
    pub fn to_query(&self) -> Document {
        match self {
            Filter::All => Document::new(),
            Filter::Or(alts) => {
                let alts: Vec<Bson> = alts.iter().map(|f| Bson::Document(f.to_query())).collect();
                let mut d = Document::new();
                d.insert("$or", alts);
                d
            }
            Filter::IdIn(path, ids) => {
                let values: Vec<Bson> = ids.values().cloned().collect();
                let mut inner = Document::new();
                inner.insert("$in", values);
                let mut d = Document::new();
                d.insert(path.clone(), inner);
                d
            }
            Filter::IsTrue(path) => {
                let mut d = Document::new();
                d.insert(path.clone(), true);
                d
            }
            Filter::StrIn(path, values) => {
                let mut inner = Document::new();
                inner.insert("$in", values.clone());
                let mut d = Document::new();
                d.insert(path.clone(), inner);
                d
            }
        }
    }
}

/// One scan: which collection, which documents, which fields, and which field to count
/// values of over the *whole* collection (alert counts by status).
#[derive(Debug, Clone)]
pub struct Scan {
    pub collection: Logical,
    pub filter: Filter,
    /// Field paths to keep; `None` keeps everything.
    pub projection: Option<Vec<String>>,
    pub tally: Option<String>,
}

/// What a scan saw.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    /// Counts per value of the tally field over the whole collection, when asked for
    /// and known.
    pub tally: Option<BTreeMap<String, u64>>,
    pub matched: u64,
    /// Documents that could not be parsed and were skipped (the others were read), each
    /// named with its file, number and byte offset.
    pub skipped: Vec<String>,
}

/// Receives each matching document.
pub type Visit<'a> = dyn FnMut(Document, &DocOrigin) -> Result<(), Error> + Send + 'a;

/// Tally key for a value: strings as they are, numbers in decimal, anything else by
/// type so it is visible rather than lost.
pub fn tally_key_raw(v: Option<RawBsonRef<'_>>) -> String {
    match v {
        None => "(missing)".to_string(),
        Some(RawBsonRef::String(s)) => s.to_string(),
        Some(RawBsonRef::Int32(i)) => i.to_string(),
        Some(RawBsonRef::Int64(i)) => i.to_string(),
        Some(RawBsonRef::Null) => "(null)".to_string(),
        Some(other) => format!("({:?})", other.element_type()),
    }
}

/// [`tally_key_raw`] for decoded documents.
pub fn tally_key(v: Option<&Bson>) -> String {
    match v {
        None => "(missing)".to_string(),
        Some(Bson::String(s)) => s.clone(),
        Some(Bson::Int32(i)) => i.to_string(),
        Some(Bson::Int64(i)) => i.to_string(),
        Some(Bson::Null) => "(null)".to_string(),
        Some(other) => format!("({:?})", other.element_type()),
    }
}

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
    fn name(&self, f: &TopField) -> Option<&'a str> {
        let b: &'a [u8] = self.raw.as_bytes();
        std::str::from_utf8(b.get(f.key.0..f.key.1)?).ok()
    }

    /// The field's value borrowed from the bytes, for the types scans meet; `None` for
    /// the others (and for an array, which the bson crate only builds itself).
    fn value(&self, f: &TopField) -> Option<RawBsonRef<'a>> {
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
fn raw_id_in(v: RawBsonRef<'_>, contains: impl Fn(&str) -> bool) -> bool {
    match v {
        RawBsonRef::String(s) if !s.bytes().any(|c| c.is_ascii_uppercase()) => contains(s),
        other => raw_id_key(other).is_some_and(|k| contains(&k)),
    }
}

/// Counts one document under its tally key ([`tally_key_raw`]), building the key only the
/// first time a value is met.
pub fn tally_raw(tally: &mut BTreeMap<String, u64>, v: Option<RawBsonRef<'_>>) {
    if let Some(RawBsonRef::String(s)) = v
        && let Some(n) = tally.get_mut(s)
    {
        *n += 1;
        return;
    }
    *tally.entry(tally_key_raw(v)).or_default() += 1;
}

/// The text form of an entity or profile id. ATA's `UniqueEntity._id` is a GUID string;
/// profiles and alerts use ObjectIds; a C# driver configured for binary GUIDs would store
/// subtype 3 (.NET byte order) or 4 (RFC 4122 order). All become the same lower-case text.
pub fn id_key(v: &Bson) -> Option<String> {
    match v {
        Bson::String(s) => Some(s.to_ascii_lowercase()),
        Bson::ObjectId(o) => Some(o.to_hex()),
        Bson::Binary(b) => binary_id(b.subtype, &b.bytes),
        Bson::Int32(i) => Some(i.to_string()),
        Bson::Int64(i) => Some(i.to_string()),
        _ => None,
    }
}

/// [`id_key`] on an undecoded value.
pub fn raw_id_key(v: RawBsonRef<'_>) -> Option<String> {
    match v {
        RawBsonRef::String(s) => Some(s.to_ascii_lowercase()),
        RawBsonRef::ObjectId(o) => Some(o.to_hex()),
        RawBsonRef::Binary(b) => binary_id(b.subtype, b.bytes),
        RawBsonRef::Int32(i) => Some(i.to_string()),
        RawBsonRef::Int64(i) => Some(i.to_string()),
        _ => None,
    }
}

fn binary_id(subtype: BinarySubtype, bytes: &[u8]) -> Option<String> {
    let b: [u8; 16] = bytes.try_into().ok()?;
    let ordered = match subtype {
        BinarySubtype::Uuid => b,
        // .NET's Guid.ToByteArray: the first three groups are little-endian.
        BinarySubtype::UuidOld => [
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15],
        ],
        _ => return None,
    };
    let h = hex::encode(ordered);
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// True when a key names a password or shared secret slot: keys *ending* in
/// Encrypted, Password, Secret or Passwd. A substring is not enough: every ATA 1.8/1.9
/// Center has `EncryptedTimestampEncryptionDowngradeDetectorConfiguration` (a detector),
/// and `PasswordExposedInCleartext` is a report type.
pub fn is_secret_key(key: &str) -> bool {
    // Compared in place: redaction asks this of every key of every document kept.
    let k = key.as_bytes();
    ["encrypted", "password", "secret", "passwd"]
        .iter()
        .any(|suffix| {
            k.len() >= suffix.len()
                && k[k.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        })
}

/// ATA's encrypted value: a document holding `EncryptedBytes` (typically
/// `{CertificateThumbprint, EncryptedBytes}`), whatever the key it sits under.
fn is_encrypted_shape(v: &Bson) -> bool {
    matches!(v, Bson::Document(d) if d.contains_key("EncryptedBytes"))
}

/// Whether `value` under `key` is a secret, recognised by its shape: the encrypted
/// document anywhere, or under a secret-named key a value that can hold one (binary,
/// text, a list, an empty slot). A boolean, a number or an ordinary sub-document under
/// such a key is data (an `IsPasswordEncrypted` flag, a settings block) and is kept.
pub fn is_secret(key: &str, value: &Bson) -> bool {
    is_encrypted_shape(value)
        || (is_secret_key(key)
            && matches!(
                value,
                Bson::Binary(_) | Bson::String(_) | Bson::Array(_) | Bson::Null | Bson::Undefined
            ))
}

/// Replaces every secret value in `doc` (at any depth, see [`is_secret`]) by `true` when
/// a secret is stored and `false` when the slot is empty. The value itself is gone before
/// the document leaves the reader, so nothing downstream can print it. The documents it
/// walks passed the readers' depth limit.
pub fn redact(doc: &mut Document) {
    for (key, value) in doc.iter_mut() {
        if is_secret(key, value) {
            *value = Bson::Boolean(secret_present(value));
        } else {
            redact_value(value);
        }
    }
}

fn redact_value(value: &mut Bson) {
    match value {
        Bson::Document(d) => redact(d),
        Bson::Array(a) => a.iter_mut().for_each(|v| {
            if is_encrypted_shape(v) {
                *v = Bson::Boolean(secret_present(v));
            } else {
                redact_value(v);
            }
        }),
        _ => {}
    }
}

/// Whether a secret slot holds something: ATA stores `{CertificateThumbprint,
/// EncryptedBytes}`, where only the bytes matter.
fn secret_present(v: &Bson) -> bool {
    match v {
        Bson::Null | Bson::Undefined => false,
        Bson::Boolean(b) => *b,
        Bson::String(s) => !s.is_empty(),
        Bson::Binary(b) => !b.bytes.is_empty(),
        Bson::Array(a) => a.iter().any(secret_present),
        Bson::Document(d) => match d.get("EncryptedBytes") {
            Some(bytes) => secret_present(bytes),
            None => d.values().any(secret_present),
        },
        _ => true,
    }
}

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
fn to_bson(v: RawBsonRef<'_>) -> Result<Bson, mongodb::bson::raw::Error> {
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

#[cfg(test)]
mod tests {
    use mongodb::bson::{Binary, doc};

    use super::*;

    #[test]
    fn secrets_become_presence_flags_at_any_depth() {
        let mut d = doc! {
            "MailClientConfiguration": {
                "AuthenticationAccountName": "svc-smtp",
                "AuthenticationAccountPasswordEncrypted": {
                    "CertificateThumbprint": "AB",
                    "EncryptedBytes": Binary { subtype: BinarySubtype::Generic, bytes: b"DEMO-SECRET".to_vec() },
                },
            },
            "Credentials": [ { "UserName": "svc", "PasswordEncrypted": { "CertificateThumbprint": "AB", "EncryptedBytes": Bson::Null } } ],
            "PasswordExposedInCleartext": { "IsEnabled": true },
            "SharedSecret": "x",
        };
        redact(&mut d);
        let text = format!("{d:?}");
        assert!(!text.contains("DEMO") && !text.contains("\"x\""), "{text}");
        assert_eq!(
            get_path(
                &d,
                "MailClientConfiguration.AuthenticationAccountPasswordEncrypted"
            ),
            Some(&Bson::Boolean(true))
        );
        assert_eq!(
            get_path(&d, "Credentials.0.PasswordEncrypted"),
            Some(&Bson::Boolean(false))
        );
        assert_eq!(
            get_path(&d, "PasswordExposedInCleartext.IsEnabled"),
            Some(&Bson::Boolean(true))
        );
    }

    #[test]
    fn secrets_are_recognised_by_shape_not_by_a_key_substring() {
        let blob = || Binary {
            subtype: BinarySubtype::Generic,
            bytes: b"DEMO-SECRET".to_vec(),
        };
        let mut d = doc! {
            "Configuration": {
                // A real detector on every ATA 1.8/1.9 Center.
                "EncryptedTimestampEncryptionDowngradeDetectorConfiguration": { "IsEnabled": true, "ExcludedSourceComputerIds": ["a"] },
                "SomeCertificate": { "CertificateThumbprint": "AB", "EncryptedBytes": blob() },
                "IsPasswordEncrypted": true,
                "ApiKeyEncrypted": blob(),
                "Tokens": [ { "CertificateThumbprint": "AB", "EncryptedBytes": blob() } ],
            },
        };
        redact(&mut d);
        assert!(
            !format!("{d:?}").contains("Binary"),
            "a blob is left: {d:?}"
        );
        let c = d.get_document("Configuration").unwrap();
        assert_eq!(
            c.get_document("EncryptedTimestampEncryptionDowngradeDetectorConfiguration")
                .unwrap()
                .get_bool("IsEnabled"),
            Ok(true)
        );
        assert_eq!(c.get_bool("SomeCertificate"), Ok(true));
        assert_eq!(c.get_bool("IsPasswordEncrypted"), Ok(true));
        assert_eq!(c.get_bool("ApiKeyEncrypted"), Ok(true));
        assert_eq!(c.get_array("Tokens").unwrap()[0], Bson::Boolean(true));
    }

    #[test]
    fn ids_normalise_across_representations() {
        let guid = "5719cd94-5625-4924-b637-ebf7b7ccfca2";
        let rfc = hex::decode(guid.replace('-', "")).unwrap();
        let mut net = rfc.clone();
        net[0..4].reverse();
        net[4..6].reverse();
        net[6..8].reverse();
        let as_bin = |subtype, bytes: Vec<u8>| Bson::Binary(Binary { subtype, bytes });
        assert_eq!(
            id_key(&Bson::String(guid.to_uppercase())).as_deref(),
            Some(guid)
        );
        assert_eq!(
            id_key(&as_bin(BinarySubtype::Uuid, rfc)).as_deref(),
            Some(guid)
        );
        assert_eq!(
            id_key(&as_bin(BinarySubtype::UuidOld, net)).as_deref(),
            Some(guid)
        );
    }

    #[test]
    fn projection_keeps_paths_and_id() {
        let d = doc! { "_id": 1, "a": { "b": 1, "c": 2 }, "d": 3, "e": [ { "f": 1, "g": 2 } ] };
        let p = project(d, &["a.b".into(), "e.f".into()]);
        assert_eq!(p, doc! { "_id": 1, "a": { "b": 1 }, "e": [ { "f": 1 } ] });
    }

    /// The tree built once per scan projects as [`project`] does, whatever order and
    /// overlap the paths come in.
    #[test]
    fn the_raw_projection_tree_keeps_what_project_keeps() {
        let d = doc! {
            "_id": 1, "a": { "_id": 7, "b": 1, "c": { "x": 1, "y": 2 } }, "d": 3,
            "e": [ { "f": 1, "g": 2 }, 5, { "g": 3 } ], "h": "s", "": { "": 1 },
        };
        let raw = mongodb::bson::RawDocumentBuf::from_document(&d).unwrap();
        let lists: &[&[&str]] = &[
            &[],
            &["a.b", "e.f"],
            &["a", "a.b"],
            &["a.b", "a"],
            &["a.c.x", "a.b", "d", "_id"],
            &["e", "e.f", "h.z", "d.q"],
            &["", ".", "a."],
            &["nope", "e.g", "a.c"],
        ];
        for paths in lists {
            let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
            let fast = project_raw(&raw, &paths).unwrap().unwrap();
            assert_eq!(fast, project(d.clone(), &paths), "{paths:?}");
            let mut checker = super::super::bson_check::Checker::default();
            checker.check_indexed(raw.as_bytes()).unwrap();
            let indexed = Indexed {
                raw: &raw,
                top: &checker.top,
            };
            let tree = Projection::new(&paths);
            assert_eq!(
                tree.apply_indexed(&indexed).unwrap(),
                Some(fast),
                "{paths:?}"
            );
        }
    }

    #[test]
    fn the_raw_conversion_is_the_bson_crates() {
        let d = doc! {
            "a": [1, "x", [true, null], { "k": 1, "k": 2, "j": [ { "z": 1.5 } ] }],
            "b": { "c": { "d": mongodb::bson::DateTime::from_millis(5) }, "c": 3 },
            "e": Binary { subtype: BinarySubtype::Generic, bytes: vec![1, 2] },
        };
        let raw = mongodb::bson::RawDocumentBuf::from_document(&d).unwrap();
        for item in &raw {
            let (_, v) = item.unwrap();
            assert_eq!(to_bson(v).unwrap(), Bson::try_from(v).unwrap());
        }
        // Repeated names inside (the doc! macro keeps one): raw bytes with `k` twice.
        let mut bytes = Vec::new();
        let inner = [
            &[0x10u8, b'k', 0, 1, 0, 0, 0][..],
            &[0x10, b'j', 0, 2, 0, 0, 0],
            &[0x10, b'k', 0, 3, 0, 0, 0],
        ]
        .concat();
        bytes.extend_from_slice(&((inner.len() + 5) as i32).to_le_bytes());
        bytes.extend_from_slice(&inner);
        bytes.push(0);
        let dup = RawDocument::from_bytes(&bytes).unwrap();
        let v = RawBsonRef::Document(dup);
        assert_eq!(to_bson(v).unwrap(), Bson::try_from(v).unwrap());
    }

    #[test]
    fn filters_agree_on_raw_and_decoded_documents() {
        let d = doc! { "_id": "ABC", "IsHoneytoken": true, "Status": "Open", "": true };
        let raw = mongodb::bson::RawDocumentBuf::from_document(&d).unwrap();
        let ids = BTreeMap::from([("abc".to_string(), Bson::String("ABC".into()))]);
        let mut checker = super::super::bson_check::Checker::default();
        checker.check_indexed(raw.as_bytes()).unwrap();
        let indexed = Indexed {
            raw: &raw,
            top: &checker.top,
        };
        for f in [
            Filter::IdIn("_id".into(), ids),
            Filter::IsTrue("IsHoneytoken".into()),
            Filter::StrIn("Status".into(), vec!["Open".into()]),
            Filter::Or(vec![Filter::IsTrue("Nope".into()), Filter::All]),
            Filter::IsTrue("".into()),
        ] {
            assert!(f.matches(&d) && f.matches_raw(&raw), "{f:?}");
            assert!(Prepared::new(&f).matches(&indexed), "{f:?}");
        }
        assert!(!Filter::IsTrue("Status".into()).matches_raw(&raw));
        assert!(!Prepared::new(&Filter::IsTrue("Status".into())).matches(&indexed));
        let other = BTreeMap::from([("abd".to_string(), Bson::Null)]);
        assert!(!Prepared::new(&Filter::IdIn("_id".into(), other)).matches(&indexed));
    }
}
