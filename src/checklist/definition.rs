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
#![doc = include_str!("format.txt")]
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::path::{PathExpr, Shape};
use crate::model::GuideRef;
use crate::yaml::YamlError;

/// The format reference printed by `ata2atp checklist validate --help`.
pub const FORMAT: &str = include_str!("format.txt");

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
// The file as written. Spans are kept on every value a later check may complain about.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    schema_version: Spanned<u32>,
    guide: Spanned<String>,
    #[serde(default)]
    edition: Option<Spanned<String>>,
    title: String,
    #[serde(default)]
    source: Option<Spanned<String>>,
    #[serde(default)]
    description: Option<String>,
    phases: Vec<RawPhase>,
    #[serde(default)]
    maps: BTreeMap<String, RawMap>,
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    detail: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    #[serde(default)]
    default: Option<String>,
    entries: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: Spanned<String>,
    #[serde(default)]
    number: Option<String>,
    phase: Spanned<String>,
    title: String,
    #[serde(default)]
    link: Option<Spanned<String>>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    shows: Vec<RawShow>,
    #[serde(default)]
    gates: Vec<Spanned<RawGate>>,
    #[serde(default)]
    recommends: Vec<Spanned<String>>,
    #[serde(default)]
    after: Vec<RawAfter>,
    #[serde(default)]
    record: Vec<RawField>,
    #[serde(default)]
    evidence: EvidenceRule,
}

/// A gate as written: `check.id`, `a | b`, or a check whose evidence date must be later
/// than a date the step records (`{check, evidence, later_than}`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawGate {
    Checks(String),
    /// A map, read as one so that a list is never taken for a dated gate (serde reads a
    /// struct from a sequence too); its keys are checked in [`RawDatedGate::from_map`].
    Dated(BTreeMap<String, String>),
    /// Anything else, reported with what a gate may be (serde's own message for an
    /// untagged enum names no field).
    Other(serde::de::IgnoredAny),
}

#[derive(Debug)]
struct RawDatedGate {
    check: String,
    evidence: String,
    later_than: String,
}

impl RawDatedGate {
    /// Exactly the three keys, or `None`.
    fn from_map(map: &BTreeMap<String, String>) -> Option<Self> {
        let get = |k: &str| map.get(k).cloned();
        (map.len() == 3).then_some(())?;
        Some(Self {
            check: get("check")?,
            evidence: get("evidence")?,
            later_than: get("later_than")?,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShow {
    label: String,
    path: Spanned<String>,
    #[serde(default)]
    columns: Vec<RawColumn>,
    #[serde(default)]
    empty: Option<String>,
    #[serde(default)]
    map: Option<Spanned<String>>,
    #[serde(default)]
    format: Option<Format>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    #[serde(default)]
    label: Option<String>,
    path: Spanned<String>,
    #[serde(default)]
    map: Option<Spanned<String>>,
    #[serde(default)]
    format: Option<Format>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAfter {
    step: Spanned<String>,
    #[serde(default)]
    field: Option<Spanned<String>>,
    #[serde(default)]
    wait_hours: Option<Spanned<u32>>,
    #[serde(default)]
    why: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    key: Spanned<String>,
    label: String,
    #[serde(default)]
    kind: FieldKind,
    #[serde(default)]
    choices: Vec<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    each: Option<Spanned<String>>,
    #[serde(default)]
    help: Option<String>,
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

// ---------------------------------------------------------------------------------------
// Loading.

/// What validation checks paths and gates against.
pub struct Schema<'a> {
    pub shape: &'a Shape,
    /// Looks a check id up in the catalog.
    pub check: &'a dyn Fn(&str) -> Option<GuideRef>,
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

struct Collector<'a> {
    origin: &'a str,
    errors: Vec<DefinitionError>,
}

impl Collector<'_> {
    fn at<T>(&mut self, spanned: &Spanned<T>, step: Option<&str>, message: impl Into<String>) {
        self.at_location(Location::of(spanned), step, message);
    }

    fn at_location(&mut self, l: Location, step: Option<&str>, message: impl Into<String>) {
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
    fn of<T>(spanned: &Spanned<T>) -> Self {
        Self {
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
        }
    }
}

/// Parses and validates a definition. `origin` names the file in every message.
pub fn parse(
    text: &str,
    origin: &str,
    schema: &Schema<'_>,
) -> Result<Definition, DefinitionErrors> {
    let raw: RawDefinition = crate::yaml::from_str(text, origin)?;
    let mut c = Collector {
        origin,
        errors: Vec::new(),
    };

    if raw.schema_version.value > DEFINITION_VERSION {
        c.at(
            &raw.schema_version,
            None,
            format!(
                "checklist format version {} is newer than this ata2atp reads ({DEFINITION_VERSION}); upgrade ata2atp",
                raw.schema_version.value
            ),
        );
    }
    if !is_id(&raw.guide.value) {
        c.at(
            &raw.guide,
            None,
            "a guide id uses letters, digits, '-' and '_' only, e.g. azure-atp-2019",
        );
    }
    let edition = raw.edition.as_ref().and_then(|e| match e.value.as_str() {
        "azure-atp-2019" => Some(GuideRef::AzureAtp2019),
        "mdi-current" => Some(GuideRef::MdiCurrent),
        other => {
            c.at(
                e,
                None,
                format!("unknown edition `{other}`: use azure-atp-2019 or mdi-current"),
            );
            None
        }
    });
    if let Some(s) = &raw.source {
        check_link(&mut c, s, None);
    }

    let mut phase_order: HashMap<String, usize> = HashMap::new();
    let mut phases = Vec::new();
    for p in &raw.phases {
        if !is_id(&p.id.value) {
            c.at(
                &p.id,
                None,
                "a phase id uses letters, digits, '-' and '_' only",
            );
        } else if phase_order.contains_key(&p.id.value) {
            c.at(
                &p.id,
                None,
                format!("phase `{}` is declared twice", p.id.value),
            );
        } else {
            phase_order.insert(p.id.value.clone(), phases.len());
            phases.push(Phase {
                id: p.id.value.clone(),
                title: p.title.clone(),
                detail: p.detail.clone(),
            });
        }
    }
    let maps: BTreeMap<String, ValueMap> = raw
        .maps
        .iter()
        .map(|(k, m)| {
            (
                k.clone(),
                ValueMap {
                    default: m.default.clone(),
                    entries: m.entries.clone(),
                },
            )
        })
        .collect();

    // First pass: ids, so `after` can point forwards.
    let mut first_seen: HashMap<String, u64> = HashMap::new();
    for s in &raw.steps {
        let id = &s.value.id;
        if !is_id(&id.value) {
            c.at(
                id,
                None,
                format!(
                    "step id `{}` must use letters, digits, '-' and '_' only",
                    id.value
                ),
            );
        } else if let Some(line) = first_seen.get(&id.value) {
            c.at(
                id,
                Some(&id.value),
                format!(
                    "duplicate step id `{}` (first declared at line {line})",
                    id.value
                ),
            );
        } else {
            first_seen.insert(id.value.clone(), id.referenced.line());
        }
    }
    let raw_by_id: HashMap<&str, &RawStep> = raw
        .steps
        .iter()
        .map(|s| (s.value.id.value.as_str(), &s.value))
        .collect();

    let mut steps = Vec::new();
    for spanned in &raw.steps {
        let s = &spanned.value;
        let id = s.id.value.as_str();
        let sid = Some(id);
        if !phase_order.contains_key(&s.phase.value) {
            let known: Vec<&str> = phases.iter().map(|p| p.id.as_str()).collect();
            c.at(
                &s.phase,
                sid,
                format!(
                    "unknown phase `{}`; the phases are {}",
                    s.phase.value,
                    known.join(", ")
                ),
            );
        }
        if let Some(link) = &s.link {
            check_link(&mut c, link, sid);
        }

        let mut shows = Vec::new();
        for show in &s.shows {
            let Some((path, shape)) = resolve(&mut c, &show.path, schema.shape, sid) else {
                continue;
            };
            let displayable = match &shape {
                Shape::Scalar => true,
                Shape::List(inner) => matches!(**inner, Shape::Scalar | Shape::Object(_)),
                Shape::Object(_) => true,
                Shape::Map(inner) => **inner == Shape::Scalar,
            };
            if !displayable {
                c.at(
                    &show.path,
                    sid,
                    format!("`{path}` cannot be shown as values, a list or a table"),
                );
                continue;
            }
            let element = match &shape {
                Shape::List(inner) => match &**inner {
                    Shape::Object(_) => Some((**inner).clone()),
                    _ => None,
                },
                Shape::Object(_) => Some(shape.clone()),
                _ => None,
            };
            if matches!(&shape, Shape::List(inner) if matches!(**inner, Shape::Object(_)))
                && show.columns.is_empty()
            {
                c.at(
                    &show.path,
                    sid,
                    format!("`{path}` is a list of records: choose the `columns` to show"),
                );
            }
            let mut columns = Vec::new();
            match &element {
                None if !show.columns.is_empty() => {
                    c.at(
                        &show.path,
                        sid,
                        format!(
                            "`{path}` holds single values: `columns` only apply to lists of records"
                        ),
                    );
                }
                None => {}
                Some(element) => {
                    for col in &show.columns {
                        let Some((cpath, cshape)) = resolve(&mut c, &col.path, element, sid) else {
                            continue;
                        };
                        let ok = match &cshape {
                            Shape::Scalar => true,
                            Shape::List(inner) => **inner == Shape::Scalar,
                            _ => false,
                        };
                        if !ok {
                            c.at(
                                &col.path,
                                sid,
                                format!("column `{cpath}` is a record; pick one of its fields"),
                            );
                        }
                        if let Some(m) = &col.map {
                            check_map(&mut c, m, &maps, sid);
                        }
                        columns.push(Column {
                            label: col.label.clone().unwrap_or_else(|| cpath.to_string()),
                            map: col.map.as_ref().map(|m| m.value.clone()),
                            format: col.format,
                            path: cpath,
                        });
                    }
                }
            }
            if let Some(m) = &show.map {
                check_map(&mut c, m, &maps, sid);
            }
            shows.push(Show {
                label: show.label.clone(),
                path,
                shape,
                columns,
                empty: show.empty.clone(),
                map: show.map.as_ref().map(|m| m.value.clone()),
                format: show.format,
                note: show.note.clone(),
            });
        }

        // Gates and recommendations as (text, dated rule, where it is written, gating).
        let written: Vec<(String, Option<RawDatedGate>, &Spanned<RawGate>)> = s
            .gates
            .iter()
            .filter_map(|g| {
                let dated = match &g.value {
                    RawGate::Checks(text) => return Some((text.clone(), None, g)),
                    RawGate::Dated(map) => RawDatedGate::from_map(map),
                    RawGate::Other(_) => None,
                };
                match dated {
                    Some(d) => Some((d.check.clone(), Some(d), g)),
                    None => {
                        c.at(
                            g,
                            sid,
                            "a gate is a check id (`dc.cpu`, `a | b`, `id[SUBJECT]`) or \
                             {check: ID, evidence: KEY, later_than: FIELD}",
                        );
                        None
                    }
                }
            })
            .collect();
        let mut gates = Vec::new();
        let mut recommends = Vec::new();
        let candidates = written
            .iter()
            .map(|(text, dated, at)| (text.clone(), dated.as_ref(), Location::of(*at), true))
            .chain(
                s.recommends
                    .iter()
                    .map(|g| (g.value.clone(), None, Location::of(g), false)),
            );
        for (text, dated, at, gating) in candidates {
            let mut any_of = Vec::new();
            for alt in text.split('|').map(str::trim) {
                let id_part = alt.split_once('[').map_or(alt, |(id, rest)| {
                    if !rest.ends_with(']') || rest.len() < 2 {
                        c.at_location(
                            at,
                            sid,
                            format!("gate `{alt}`: write one subject as `check.id[SUBJECT]`"),
                        );
                    }
                    id
                });
                match (schema.check)(id_part) {
                    None => c.at_location(
                        at,
                        sid,
                        format!("gate `{alt}` names no known check; `ata2atp check --help` lists the check ids"),
                    ),
                    Some(guide) => {
                        let other = match (edition, guide) {
                            (Some(GuideRef::AzureAtp2019), GuideRef::MdiCurrent) => Some("today's requirements"),
                            (Some(GuideRef::MdiCurrent), GuideRef::AzureAtp2019) => Some("the 2019 guide's requirements"),
                            _ => None,
                        };
                        if let (Some(other), true) = (other, gating) {
                            c.at_location(at, sid, format!("gate `{id_part}` checks {other}, not this guide's edition"));
                        }
                    }
                }
                any_of.push(alt.to_string());
            }
            let dated = dated.map(|d| {
                if any_of.len() != 1 {
                    c.at_location(at, sid, "a dated gate names one check, not alternatives");
                }
                match s.record.iter().find(|f| f.key.value == d.later_than) {
                    None => c.at_location(
                        at,
                        sid,
                        format!("`later_than: {}` names no record field of this step", d.later_than),
                    ),
                    Some(f) if !matches!(f.kind, FieldKind::Date | FieldKind::Datetime) || f.each.is_some() => {
                        c.at_location(
                            at,
                            sid,
                            format!(
                                "`later_than: {}` must name a date or datetime field recorded once (it is {})",
                                d.later_than,
                                f.kind.as_str()
                            ),
                        )
                    }
                    Some(_) => {}
                }
                if !is_key(&d.evidence) {
                    c.at_location(at, sid, format!("`evidence: {}` must be an evidence key (lower_snake_case)", d.evidence));
                }
                DatedRule {
                    evidence: d.evidence.clone(),
                    later_than: d.later_than.clone(),
                }
            });
            if gating {
                gates.push(Gate { any_of, dated });
            } else {
                recommends.push(Gate { any_of, dated });
            }
        }

        let mut record: Vec<RecordField> = Vec::new();
        for f in &s.record {
            if !is_key(&f.key.value) {
                c.at(
                    &f.key,
                    sid,
                    format!("record key `{}` must be lower_snake_case", f.key.value),
                );
            } else if record.iter().any(|r| r.key == f.key.value) {
                c.at(
                    &f.key,
                    sid,
                    format!("record key `{}` is declared twice", f.key.value),
                );
            }
            if (f.kind == FieldKind::Choice) == f.choices.is_empty() {
                c.at(
                    &f.key,
                    sid,
                    "a field has `choices` exactly when its kind is `choice`",
                );
            }
            let each = match &f.each {
                None => None,
                Some(e) => match resolve(&mut c, e, schema.shape, sid) {
                    Some((p, Shape::List(_))) => Some(p),
                    Some((p, _)) => {
                        c.at(e, sid, format!("`each: {p}` must name a list"));
                        None
                    }
                    None => None,
                },
            };
            record.push(RecordField {
                key: f.key.value.clone(),
                label: f.label.clone(),
                kind: f.kind,
                choices: f.choices.clone(),
                optional: f.optional,
                each,
                help: f.help.clone(),
            });
        }

        let mut after = Vec::new();
        for a in &s.after {
            let target = a.step.value.as_str();
            match raw_by_id.get(target) {
                None => c.at(
                    &a.step,
                    sid,
                    format!("`after: {target}` names no step of this checklist"),
                ),
                Some(_) if target == id => c.at(&a.step, sid, "a step cannot come after itself"),
                Some(other) => {
                    if let Some(field) = &a.field {
                        match other.record.iter().find(|r| r.key.value == field.value) {
                            None => c.at(field, sid, format!("step {target} records no field `{}`", field.value)),
                            Some(r) if a.wait_hours.is_some() && r.kind != FieldKind::Datetime => c.at(
                                field,
                                sid,
                                format!("`wait_hours` counts from a datetime field; `{}` of {target} is {}", field.value, r.kind.as_str()),
                            ),
                            Some(r) if r.each.is_some() => {
                                c.at(field, sid, format!("`{}` of {target} is recorded per item", field.value));
                            }
                            Some(_) => {}
                        }
                    } else if let Some(w) = &a.wait_hours {
                        c.at(
                            w,
                            sid,
                            "`wait_hours` needs the `field` holding the time to count from",
                        );
                    }
                }
            }
            after.push(After {
                step: target.to_string(),
                field: a.field.as_ref().map(|f| f.value.clone()),
                wait_hours: a.wait_hours.as_ref().map(|w| w.value),
                why: a.why.clone(),
            });
        }

        steps.push(Step {
            id: id.to_string(),
            number: s.number.clone(),
            phase: s.phase.value.clone(),
            title: s.title.clone(),
            link: s.link.as_ref().map(|l| l.value.clone()),
            detail: s.detail.clone(),
            shows,
            gates,
            recommends,
            after,
            record,
            evidence: s.evidence,
            line: spanned.referenced.line(),
        });
    }

    find_cycles(&mut c, &raw.steps);

    if raw.steps.is_empty() {
        c.errors.push(DefinitionError {
            origin: origin.to_string(),
            line: None,
            column: None,
            step: None,
            message: "the checklist has no steps".into(),
        });
    }
    if !c.errors.is_empty() {
        return Err(DefinitionErrors(c.errors));
    }
    steps.sort_by_key(|s| phase_order.get(&s.phase).copied().unwrap_or(usize::MAX));
    Ok(Definition {
        guide: raw.guide.value,
        edition,
        title: raw.title,
        source: raw.source.map(|s| s.value),
        description: raw.description,
        origin: origin.to_string(),
        phases,
        maps,
        steps,
        text: text.to_string(),
    })
}

fn check_link(c: &mut Collector<'_>, link: &Spanned<String>, step: Option<&str>) {
    if !link.value.starts_with("https://") {
        c.at(
            link,
            step,
            format!("link `{}` must be an https:// address", link.value),
        );
    }
}

fn check_map(
    c: &mut Collector<'_>,
    m: &Spanned<String>,
    maps: &BTreeMap<String, ValueMap>,
    step: Option<&str>,
) {
    if !maps.contains_key(&m.value) {
        let known: Vec<&str> = maps.keys().map(String::as_str).collect();
        let known = if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        };
        c.at(
            m,
            step,
            format!(
                "unknown map `{}`; the checklist's `maps` are: {known}",
                m.value
            ),
        );
    }
}

/// Parses a path and resolves it in `shape`; reports an unresolved reference otherwise.
fn resolve(
    c: &mut Collector<'_>,
    text: &Spanned<String>,
    shape: &Shape,
    step: Option<&str>,
) -> Option<(PathExpr, Shape)> {
    let path = match PathExpr::parse(&text.value) {
        Ok(p) => p,
        Err(e) => {
            c.at(text, step, format!("bad path: {e}"));
            return None;
        }
    };
    match shape.resolve(&path) {
        Ok(s) => Some((path, s)),
        Err(e) => {
            c.at(text, step, format!("unresolved reference: {e}"));
            None
        }
    }
}

/// Reports each cycle in `after` once, at the entry that closes it.
fn find_cycles(c: &mut Collector<'_>, steps: &[Spanned<RawStep>]) {
    let index: HashMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.value.id.value.as_str(), i))
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = finished.
    let mut state = vec![0u8; steps.len()];
    let mut path: Vec<usize> = Vec::new();
    let mut seen: Vec<Vec<usize>> = Vec::new();

    fn visit(
        i: usize,
        steps: &[Spanned<RawStep>],
        index: &HashMap<&str, usize>,
        state: &mut [u8],
        path: &mut Vec<usize>,
        seen: &mut Vec<Vec<usize>>,
        c: &mut Collector<'_>,
    ) {
        state[i] = 1;
        path.push(i);
        for a in &steps[i].value.after {
            let Some(&j) = index.get(a.step.value.as_str()) else {
                continue;
            };
            if j == i {
                continue; // reported as "after itself"
            }
            match state[j] {
                0 => visit(j, steps, index, state, path, seen, c),
                1 => {
                    let start = path.iter().position(|&p| p == j).unwrap_or(0);
                    // The same cycle can close through several entries (a step may
                    // wait for another twice, with different fields): report it once.
                    let mut members = path[start..].to_vec();
                    members.sort_unstable();
                    if seen.contains(&members) {
                        continue;
                    }
                    seen.push(members);
                    let mut names: Vec<&str> = path[start..]
                        .iter()
                        .map(|&p| steps[p].value.id.value.as_str())
                        .collect();
                    names.push(steps[j].value.id.value.as_str());
                    let id = steps[i].value.id.value.clone();
                    c.at(
                        &a.step,
                        Some(&id),
                        format!("`after` makes a cycle: {}", names.join(" waits for ")),
                    );
                }
                _ => {}
            }
        }
        path.pop();
        state[i] = 2;
    }

    for i in 0..steps.len() {
        if state[i] == 0 {
            visit(i, steps, &index, &mut state, &mut path, &mut seen, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Definition, DefinitionErrors> {
        crate::checklist::parse(text, "t.yaml")
    }

    /// Every error of `text`, as `line:column: message`.
    fn errors(text: &str) -> Vec<String> {
        match parse(text) {
            Ok(_) => panic!("expected errors in\n{text}"),
            Err(e) => {
                e.0.iter()
                    .map(|e| {
                        format!(
                            "{}:{}: {}",
                            e.line.unwrap_or(0),
                            e.column.unwrap_or(0),
                            e.message
                        )
                    })
                    .collect()
            }
        }
    }

    const HEAD: &str = "schema_version: 1\nguide: g\nedition: azure-atp-2019\ntitle: T\nphases:\n  - id: p\n    title: P\nsteps:\n";

    fn with_steps(steps: &str) -> String {
        format!("{HEAD}{steps}")
    }

    #[test]
    fn the_format_reference_is_a_valid_definition() {
        let yaml: String = FORMAT
            .lines()
            .skip(2)
            .take_while(|l| !l.is_empty())
            .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
            .collect();
        let def = parse(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        assert_eq!(def.steps[0].record.len(), 5);
        let dated = def.steps[2].gates[1].dated.as_ref().unwrap();
        assert_eq!(
            (dated.evidence.as_str(), dated.later_than.as_str()),
            ("not_after", "decommission_planned")
        );
    }

    #[test]
    fn a_dated_gate_names_one_check_and_a_date_field_of_its_step() {
        let e = errors(&with_steps(concat!(
            "  - id: A\n",                                                                      // 9
            "    phase: p\n", // 10
            "    title: x\n", // 11
            "    gates:\n",   // 12
            "      - {check: ata.center_certificate, evidence: not_after, later_than: who}\n", // 13
            "      - {check: ata.center_certificate, evidence: not_after, later_than: gone}\n", // 14
            "      - {check: 'dc.cpu | dc.disk', evidence: Not-After, later_than: day}\n", // 15
            "      - {check: ata.center_certificate, evidence: x, later_than: day, extra: 1}\n", // 16
            "      - [not, a, gate]\n", // 17
            "    record:\n",
            "      - {key: who, label: Who}\n",
            "      - {key: day, label: Day, kind: date}\n",
        )));
        for x in [
            "13:9: `later_than: who` must name a date or datetime field recorded once (it is text)",
            "14:9: `later_than: gone` names no record field of this step",
            "15:9: a dated gate names one check",
            "15:9: `evidence: Not-After` must be an evidence key",
        ] {
            assert!(
                e.iter().any(|m| m.starts_with(x)),
                "missing `{x}` in {e:#?}"
            );
        }
        // Neither form: what a gate may be, at its line.
        for line in ["16:9: a gate is a check id", "17:9: a gate is a check id"] {
            assert!(e.iter().any(|m| m.starts_with(line)), "{line}: {e:#?}");
        }
    }

    #[test]
    fn a_small_definition_loads_in_phase_order() {
        let text = "schema_version: 1\nguide: g\ntitle: T\nphases:\n  - {id: a, title: A}\n  - {id: b, title: B}\nsteps:\n  - {id: S2, phase: b, title: two}\n  - {id: S1, phase: a, title: one, number: '12'}\n";
        let def = parse(text).unwrap();
        let ids: Vec<&str> = def.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["S1", "S2"]);
        assert_eq!(def.steps[0].number.as_deref(), Some("12"));
        assert_eq!(def.steps[0].line, 9);
    }

    #[test]
    fn unknown_keys_and_missing_ids_point_at_their_line() {
        let e = errors(&with_steps(
            "  - id: A\n    phase: p\n    title: x\n    gatez: [dc.cpu]\n",
        ));
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("12:5: unknown field `gatez`"), "{e:?}");
        // The parser notices the missing key at the end of the step's mapping.
        let e = errors(&with_steps("  - phase: p\n    title: x\n"));
        assert!(e[0].starts_with("10:5: missing field `id`"), "{e:?}");
        let e = errors(&with_steps(
            "  - id: A\n    phase: p\n    title: x\n    record:\n      - key: k\n        label: L\n        kind: number\n",
        ));
        assert!(
            e[0].starts_with("15:15:") && e[0].contains("number"),
            "{e:?}"
        );
    }

    #[test]
    fn semantic_errors_are_all_reported_with_line_and_column() {
        let text = with_steps(concat!(
            "  - id: A\n",                                                       // 9
            "    phase: q\n",                                                    // 10
            "    title: x\n",                                                    // 11
            "    gates: [dc.cpu, no.such_check, dc.os]\n",                       // 12
            "    after: [{step: Z}, {step: A}]\n",                               // 13
            "    shows:\n",                                                      // 14
            "      - {label: L, path: ata.syslog.sever}\n",                      // 15
            "      - {label: L, path: ata.exclusions}\n",                        // 16
            "      - {label: L, path: 'ata..x'}\n",                              // 17
            "      - label: L\n",                                                // 18
            "        path: ata.exclusions\n",                                    // 19
            "        columns: [{path: detector, map: nomap}, {path: entity}]\n", // 20
            "  - id: A\n",                                                       // 21
            "    phase: p\n",                                                    // 22
            "    title: dup\n",                                                  // 23
            "    link: http://insecure\n",                                       // 24
        ));
        let e = errors(&text);
        let expect = [
            "21:9: duplicate step id `A` (first declared at line 9)",
            "10:12: unknown phase `q`",
            "12:21: gate `no.such_check` names no known check",
            "12:36: gate `dc.os` checks today's requirements",
            "15:26: unresolved reference: `ata.syslog.sever` does not exist: ata.syslog has alert_notifications, enabled, format, health_notifications, port, server, transport",
            "16:26: `ata.exclusions` is a list of records: choose the `columns`",
            "17:26: bad path: expected a field name at character 5",
            "20:41: unknown map `nomap`",
            "20:56: column `entity` is a record",
            "13:20: `after: Z` names no step",
            "13:31: a step cannot come after itself",
            "24:11: link `http://insecure` must be an https:// address",
        ];
        for x in expect {
            assert!(
                e.iter().any(|m| m.starts_with(x)),
                "missing `{x}` in {e:#?}"
            );
        }
        // Step and file are named in the rendered message.
        let shown = parse(&text).unwrap_err().to_string();
        assert!(
            shown.contains("t.yaml:15:26: step A: unresolved reference"),
            "{shown}"
        );
    }

    #[test]
    fn after_cycles_fields_and_waits_are_checked() {
        let text = with_steps(concat!(
            "  - id: A\n    phase: p\n    title: a\n    after: [{step: C}]\n", // 9-12
            "    record: [{key: when, label: W, kind: datetime}, {key: note, label: N}]\n", // 13
            "  - id: B\n    phase: p\n    title: b\n    after: [{step: A}]\n", // 14-17
            "  - id: C\n    phase: p\n    title: c\n",                         // 18-20
            "    after: [{step: B}, {step: A, field: nope}, {step: A, field: note, wait_hours: 2}, {step: A, wait_hours: 1}]\n", // 21
        ));
        let e = errors(&text);
        assert!(
            e.iter().any(|m| m.starts_with(
                "17:20: `after` makes a cycle: A waits for C waits for B waits for A"
            )),
            "{e:#?}"
        );
        // C also waits for A directly (three times): that cycle is reported once.
        assert_eq!(
            e.iter()
                .filter(|m| m.contains("cycle: A waits for C waits for A"))
                .count(),
            1,
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|m| m.starts_with("21:41: step A records no field `nope`")),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|m| m
                    .contains("`wait_hours` counts from a datetime field; `note` of A is text")),
            "{e:#?}"
        );
        assert!(
            e.iter()
                .any(|m| m.contains("`wait_hours` needs the `field`")),
            "{e:#?}"
        );
    }

    #[test]
    fn record_fields_are_checked() {
        let e = errors(&with_steps(concat!(
            "  - id: A\n    phase: p\n    title: a\n    record:\n",
            "      - {key: Bad-Key, label: L}\n",
            "      - {key: k, label: L}\n",
            "      - {key: k, label: L}\n",
            "      - {key: c, label: L, kind: choice}\n",
            "      - {key: t, label: L, choices: [a]}\n",
            "      - {key: e, label: L, each: ata.syslog}\n",
            "      - {key: f, label: L, each: ata.nothing}\n",
        )));
        for x in [
            "record key `Bad-Key` must be lower_snake_case",
            "record key `k` is declared twice",
            "`choices` exactly when its kind is `choice`",
            "`each: ata.syslog` must name a list",
            "unresolved reference: `ata.nothing` does not exist",
        ] {
            assert!(e.iter().any(|m| m.contains(x)), "missing `{x}` in {e:#?}");
        }
        assert_eq!(
            e.iter().filter(|m| m.contains("exactly when")).count(),
            2,
            "{e:#?}"
        );
    }

    #[test]
    fn header_errors() {
        let e = errors(
            "schema_version: 9\nguide: 'a b'\nedition: 2030\ntitle: T\nphases: [{id: p, title: P}, {id: p, title: Q}]\nsteps: []\n",
        );
        for x in [
            "1:17: checklist format version 9 is newer",
            "2:8: a guide id uses letters",
            "3:10: unknown edition `2030`",
            "phase `p` is declared twice",
            "0:0: the checklist has no steps",
        ] {
            assert!(
                e.iter().any(|m| m.starts_with(x) || m.contains(x)),
                "missing `{x}` in {e:#?}"
            );
        }
    }
}
