//! The file as written: serde's view of a definition, with spans kept on every value a later check may complain about.

use super::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefinition {
    pub(super) schema_version: Spanned<u32>,
    pub(super) guide: Spanned<String>,
    #[serde(default)]
    pub(super) edition: Option<Spanned<String>>,
    pub(super) title: String,
    #[serde(default)]
    pub(super) source: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) description: Option<String>,
    pub(super) phases: Vec<RawPhase>,
    #[serde(default)]
    pub(super) maps: BTreeMap<String, RawMap>,
    pub(super) steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPhase {
    pub(super) id: Spanned<String>,
    pub(super) title: String,
    #[serde(default)]
    pub(super) detail: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMap {
    #[serde(default)]
    pub(super) default: Option<String>,
    pub(super) entries: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub(super) id: Spanned<String>,
    #[serde(default)]
    pub(super) number: Option<String>,
    pub(super) phase: Spanned<String>,
    pub(super) title: String,
    #[serde(default)]
    pub(super) link: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) detail: Option<String>,
    #[serde(default)]
    pub(super) shows: Vec<RawShow>,
    #[serde(default)]
    pub(super) gates: Vec<Spanned<RawGate>>,
    #[serde(default)]
    pub(super) recommends: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) after: Vec<RawAfter>,
    #[serde(default)]
    pub(super) record: Vec<RawField>,
    #[serde(default)]
    pub(super) evidence: EvidenceRule,
}

/// A gate as written: `check.id`, `a | b`, or a check whose evidence date must be later
/// than a date the step records (`{check, evidence, later_than}`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum RawGate {
    Checks(String),
    /// A map, read as one so that a list is never taken for a dated gate (serde reads a
    /// struct from a sequence too); its keys are checked in [`RawDatedGate::from_map`].
    Dated(BTreeMap<String, String>),
    /// Anything else, reported with what a gate may be (serde's own message for an
    /// untagged enum names no field).
    Other(serde::de::IgnoredAny),
}

#[derive(Debug)]
pub(super) struct RawDatedGate {
    pub(super) check: String,
    pub(super) evidence: String,
    pub(super) later_than: String,
}

impl RawDatedGate {
    /// Exactly the three keys, or `None`.
    pub(super) fn from_map(map: &BTreeMap<String, String>) -> Option<Self> {
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
pub(super) struct RawShow {
    pub(super) label: String,
    pub(super) path: Spanned<String>,
    #[serde(default)]
    pub(super) columns: Vec<RawColumn>,
    #[serde(default)]
    pub(super) empty: Option<String>,
    #[serde(default)]
    pub(super) map: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) format: Option<Format>,
    #[serde(default)]
    pub(super) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawColumn {
    #[serde(default)]
    pub(super) label: Option<String>,
    pub(super) path: Spanned<String>,
    #[serde(default)]
    pub(super) map: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) format: Option<Format>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAfter {
    pub(super) step: Spanned<String>,
    #[serde(default)]
    pub(super) field: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) wait_hours: Option<Spanned<u32>>,
    #[serde(default)]
    pub(super) why: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawField {
    pub(super) key: Spanned<String>,
    pub(super) label: String,
    #[serde(default)]
    pub(super) kind: FieldKind,
    #[serde(default)]
    pub(super) choices: Vec<String>,
    #[serde(default)]
    pub(super) optional: bool,
    #[serde(default)]
    pub(super) each: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) help: Option<String>,
}
