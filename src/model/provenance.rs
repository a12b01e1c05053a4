//! Where the data came from: sources, their outcome, and what could not be found.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who collected, on which host, with which command line (secrets removed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The consultant named in the engagement, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_by: Option<String>,
    /// Host name of the machine that ran the collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Command-line arguments, with every credential-bearing value removed.
    #[serde(default)]
    pub arguments: Vec<String>,
}

/// The kind of input a source is. One live kind and its offline twins per system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// ATA's MongoDB, read live.
    AtaMongo,
    /// A mongodump folder of ATA's database.
    AtaDump,
    /// JSON exports: SystemProfile backups, mongoexport files.
    AtaJson,
    /// The export written by `ata2atp collector ata-mongo`.
    AtaCollector,
    /// Active Directory over LDAP.
    Ldap,
    /// An LDIF export of Active Directory.
    Ldif,
    /// The JSON written by `ata2atp collector dc-facts`.
    DcFacts,
    /// `reg query` output pasted per domain controller.
    RegQuery,
    /// The JSON written by `ata2atp collector center-facts`.
    CenterFacts,
    /// `auditpol /get /category:* /r` output pasted per domain controller.
    Auditpol,
    /// The JSON written by `ata2atp collector server-facts`.
    ServerFacts,
    /// The sample deployment built into the binary.
    Demo,
}

/// How reading a source ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    Ok,
    /// Some of it was read; `error` says what was not.
    Partial,
    Failed,
}

/// One input read into the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: SourceKind,
    /// File path or URL, never with credentials in it.
    pub location: String,
    pub status: SourceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Version the server reported (MongoDB `buildInfo`, LDAP vendor), when live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
    /// Number of documents, entries or records read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
}

impl Source {
    pub fn ok(kind: SourceKind, location: impl Into<String>) -> Self {
        Self {
            kind,
            location: location.into(),
            status: SourceStatus::Ok,
            error: None,
            server_version: None,
            read_at: None,
            records: None,
        }
    }
}

/// An item the migration guide asks for that no source provided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotFound {
    /// What was looked for, e.g. `ata.directory_services_accounts`.
    pub item: String,
    /// The field paths, collections or sources that were tried.
    #[serde(default)]
    pub tried: Vec<String>,
    /// Why the item is missing when it is not plain absence: a value of an unexpected
    /// type ("expected true or false, found the string \"yes\""), a document that could not
    /// be parsed. `None`: none of `tried` exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
