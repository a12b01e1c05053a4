//! A search to run and how it ended.

use super::*;

/// How a search ended, when not with success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFailure {
    /// The server answered with a result code other than success.
    Server { rc: u32, text: String },
    /// The connection broke or timed out; nothing more can be read on it.
    Lost(String),
}

impl SearchFailure {
    pub fn describe(&self) -> String {
        match self {
            SearchFailure::Server { rc, text } => {
                let name = match rc {
                    3 => "time limit exceeded",
                    4 => "size limit exceeded",
                    10 => "referral (the base is outside this server's naming contexts)",
                    11 => "administrative limit exceeded",
                    12 => "a control is not supported",
                    32 => "no such object",
                    50 => "insufficient access rights",
                    51 => "server busy",
                    52 => "server unavailable",
                    53 => "unwilling to perform",
                    _ => "error",
                };
                if text.trim().is_empty() {
                    format!("{name} (rc={rc})")
                } else {
                    format!("{name} (rc={rc}: {})", text.trim())
                }
            }
            SearchFailure::Lost(why) => format!("connection lost ({why})"),
        }
    }
}

/// What a search returned.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub entries: Vec<Entry>,
    pub references: usize,
    /// Entries the server sent in a shape that could not be decoded (skipped).
    pub malformed: usize,
    pub failure: Option<SearchFailure>,
}

/// One search: base, scope, filter, attributes and extra controls.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    pub base: &'a str,
    pub scope: Scope,
    pub filter: &'a str,
    pub attrs: &'a [&'a str],
    pub controls: Vec<RawControl>,
    /// Ask for pages (RFC 2696). On by default for subtree and one-level searches.
    pub paged: bool,
    /// Stop after this many entries (the server answers sizeLimitExceeded, which is then
    /// not a failure). Unpaged.
    pub size_limit: Option<i32>,
}

impl<'a> Search<'a> {
    pub fn new(base: &'a str, scope: Scope, filter: &'a str, attrs: &'a [&'a str]) -> Self {
        Self {
            base,
            scope,
            filter,
            attrs,
            controls: Vec::new(),
            paged: scope != Scope::Base,
            size_limit: None,
        }
    }
}

/// One search as sent, for the benchmark's replay with ldapsearch and for debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRecord {
    pub base: String,
    /// `base`, `one` or `sub`, as ldapsearch's `-s` names them.
    pub scope: &'static str,
    pub filter: String,
    pub attrs: Vec<String>,
    /// OIDs of the extra controls (the paged-results control is implied by `paged`).
    pub controls: Vec<String>,
    pub paged: bool,
    pub size_limit: Option<i32>,
}
