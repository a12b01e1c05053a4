//! The checklist definition format (`checklists/*.yaml`) and its validation.
//!
//! A definition is data a consultant may copy and edit, so every mistake is reported
//! with the file, line and column it sits at, and all of them at once rather than the
//! first one only. Loading checks, besides the YAML itself and unknown keys:
//! duplicate or missing ids, steps in unknown phases, gates naming checks that do not
//! exist (or belong to the other edition of the guide), `after` pointing at unknown
//! steps or fields, cycles in `after`, `shows` paths that no inventory could contain,
//! and record fields that are declared twice or badly typed.
//!
//! The format, as `ata2atp checklist validate --help` prints it:
//!
//! ```text
#![doc = include_str!("../format.txt")]
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::path::{PathExpr, Shape};
use crate::model::GuideRef;
use crate::yaml::YamlError;

mod parse;
mod raw;
mod refs;

pub use parse::*;
use raw::*;
use refs::*;

/// The format reference printed by `ata2atp checklist validate --help`.
pub const FORMAT: &str = include_str!("../format.txt");

/// Version of the definition format this build reads.
pub const DEFINITION_VERSION: u32 = 1;

/// One problem in a definition, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionError {
    pub origin: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// The step the problem belongs to, when it belongs to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: ", self.origin)?,
            (Some(l), None) => write!(f, "{}:{l}: ", self.origin)?,
            _ => write!(f, "{}: ", self.origin)?,
        }
        if let Some(step) = &self.step {
            write!(f, "step {step}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in one definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DefinitionErrors {}

impl From<YamlError> for DefinitionErrors {
    fn from(e: YamlError) -> Self {
        DefinitionErrors(vec![DefinitionError {
            origin: e.origin,
            line: e.line,
            column: e.column,
            step: None,
            message: e.message,
        }])
    }
}

// ---------------------------------------------------------------------------------------
// The validated definition.

/// How a recorded value is typed and normalised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    #[default]
    Text,
    /// `yes` or `no` (also accepts y/n/true/false).
    YesNo,
    /// `YYYY-MM-DD`.
    Date,
    /// A moment: RFC 3339, `YYYY-MM-DD HH:MM` in local time, or `now`; stored in UTC.
    Datetime,
    /// One of the field's `choices`.
    Choice,
}

impl FieldKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::YesNo => "yes_no",
            FieldKind::Date => "date",
            FieldKind::Datetime => "datetime",
            FieldKind::Choice => "choice",
        }
    }
}

/// How a value from the inventory is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// A byte count shown as GiB/MiB.
    Bytes,
}

/// Whether a step needs a file attached before it can be done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceRule {
    #[default]
    Optional,
    Required,
}

/// A guide as a list of steps in phases.
#[derive(Debug, Clone)]
pub struct Definition {
    pub guide: String,
    pub edition: Option<GuideRef>,
    pub title: String,
    pub source: Option<String>,
    pub description: Option<String>,
    /// Where it was loaded from (a path, or `checklists/<guide>.yaml (built in)`).
    pub origin: String,
    pub phases: Vec<Phase>,
    pub maps: BTreeMap<String, ValueMap>,
    /// Steps in phase order, then in the order the file lists them.
    pub steps: Vec<Step>,
    /// The YAML it was read from (printed by `checklist definition`).
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A lookup table for a column: the inventory's value → a suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct ValueMap {
    pub default: Option<String>,
    pub entries: BTreeMap<String, String>,
}

impl ValueMap {
    pub fn lookup(&self, key: &str) -> Option<&str> {
        self.entries
            .get(key)
            .or(self.default.as_ref())
            .map(String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    /// The number the guide shows, when it numbers the step.
    pub number: Option<String>,
    pub phase: String,
    pub title: String,
    pub link: Option<String>,
    pub detail: Option<String>,
    pub shows: Vec<Show>,
    pub gates: Vec<Gate>,
    /// Checks shown with the step as recommendations: they never block it, and may name
    /// checks of the other edition (a 2019 step showing today's requirement).
    pub recommends: Vec<Gate>,
    pub after: Vec<After>,
    pub record: Vec<RecordField>,
    pub evidence: EvidenceRule,
    /// Line of the step in its file, for messages.
    pub line: u64,
}

impl Step {
    pub fn field(&self, key: &str) -> Option<&RecordField> {
        self.record.iter().find(|f| f.key == key)
    }
}

#[derive(Debug, Clone)]
pub struct Show {
    pub label: String,
    pub path: PathExpr,
    /// What the path leads to in the schema; decides how the value is laid out.
    pub shape: Shape,
    pub columns: Vec<Column>,
    pub empty: Option<String>,
    pub map: Option<String>,
    pub format: Option<Format>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    pub path: PathExpr,
    pub map: Option<String>,
    pub format: Option<Format>,
}

/// A gate: satisfied when any of its checks is satisfied (usually there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// Check ids, or `id[subject]` for one subject's result.
    pub any_of: Vec<String>,
    /// For a dated gate (one check): the evidence date that must be later than a date
    /// the step records.
    pub dated: Option<DatedRule>,
}

/// A check's evidence value (a date and time) must be later than a date or time the step
/// records: a certificate's `not_after` past the planned decommission, say. The step's own
/// date decides then, so a Warn of the check holds too; a Fail or Unknown never does
/// (unless accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedRule {
    /// The evidence key of the check's result, holding an RFC 3339 date and time.
    pub evidence: String,
    /// The step's record field (kind `date` or `datetime`) it must be later than.
    pub later_than: String,
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.any_of.join(" | "))?;
        if let Some(d) = &self.dated {
            write!(f, " ({} later than {})", d.evidence, d.later_than)?;
        }
        Ok(())
    }
}

/// An ordering condition: another step first, and optionally a wait after a time it
/// recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct After {
    pub step: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_hours: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RecordField {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub choices: Vec<String>,
    pub optional: bool,
    /// One value per element of this list: keys `key[1]`, `key[2]`, …
    pub each: Option<PathExpr>,
    pub help: Option<String>,
}

struct Collector<'a> {
    origin: &'a str,
    errors: Vec<DefinitionError>,
}

impl Collector<'_> {
    pub(super) fn at<T>(
        &mut self,
        spanned: &Spanned<T>,
        step: Option<&str>,
        message: impl Into<String>,
    ) {
        self.at_location(Location::of(spanned), step, message);
    }

    pub(super) fn at_location(
        &mut self,
        l: Location,
        step: Option<&str>,
        message: impl Into<String>,
    ) {
        self.errors.push(DefinitionError {
            origin: self.origin.to_string(),
            line: (l.line > 0).then_some(l.line),
            column: (l.column > 0).then_some(l.column),
            step: step.map(str::to_string),
            message: message.into(),
        });
    }
}

/// Where a value is written (line and column from 1; 0 when not known).
#[derive(Debug, Clone, Copy)]
struct Location {
    line: u64,
    column: u64,
}

impl Location {
    pub(super) fn of<T>(spanned: &Spanned<T>) -> Self {
        Self {
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
        }
    }
}

#[cfg(test)]
mod tests;
