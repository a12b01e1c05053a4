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

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use mongodb::bson::oid::ObjectId;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Bson, Document, RawBsonRef, RawDocument};

mod path;
mod project;
mod secrets;

use path::raw_id_in;
pub use path::{Indexed, Prepared, get_path, raw_path};
pub use project::{Projection, project, project_raw};
pub use secrets::{is_secret, is_secret_key, redact};

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

impl Scan {
    /// What the scan hands on of a matching document: the fields it asks for, with
    /// every `*Encrypted` secret dropped.
    pub fn keep(&self, doc: Document) -> Document {
        let mut doc = match &self.projection {
            Some(p) => project(doc, p),
            None => doc,
        };
        redact(&mut doc);
        doc
    }
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

impl ScanOutcome {
    /// A file reader's error partway through: when the file's structure is lost from
    /// there (`Error::Input`: cut off, a length no dump writes, damage between
    /// documents), what was read is kept and the rest of the file is named as not read;
    /// any other error (the disk, an interruption) stops the scan.
    pub fn cut_short(&mut self, e: Error) -> Result<(), Error> {
        match e {
            Error::Input { .. } => {
                self.skipped
                    .push(format!("{e}; the rest of this file is not read"));
                Ok(())
            }
            e => Err(e),
        }
    }

    /// A scan loop's next item from its reader: `None` at the end of the file and also
    /// where [`ScanOutcome::cut_short`] keeps what was read.
    pub fn next<T>(&mut self, step: Result<Option<T>, Error>) -> Result<Option<T>, Error> {
        match step {
            Ok(next) => Ok(next),
            Err(e) => self.cut_short(e).map(|()| None),
        }
    }

    /// What could not be read (a damaged document, the missing end of a file), named by
    /// its file and place; the scan goes on.
    pub fn skip(&mut self, file: &str, origin: Option<&DocOrigin>, message: &str) {
        self.skipped
            .push(Error::input(file, origin, message).to_string());
    }
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

#[cfg(test)]
mod tests {
    use mongodb::bson::{Binary, doc};

    use super::project::to_bson;
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
