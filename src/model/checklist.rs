//! The consultant's progress through a migration guide, as written to `checklist.yaml`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a step stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    #[default]
    Todo,
    InProgress,
    Done,
    /// Not applicable here; `reason` says why.
    Skipped,
    /// Cannot proceed; `reason` says what is in the way.
    Blocked,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Todo => "todo",
            StepStatus::InProgress => "in_progress",
            StepStatus::Done => "done",
            StepStatus::Skipped => "skipped",
            StepStatus::Blocked => "blocked",
        }
    }

    /// Done or skipped: nothing left to do.
    pub fn is_closed(self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::Skipped)
    }
}

impl fmt::Display for StepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The recorded state of one step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepState {
    pub status: StepStatus,
    /// Why a step is skipped or blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The step's `record` fields, as filled in for sign-off.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Files in the engagement folder that prove the step (paths relative to it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Values of the step's lists and tables ticked as entered in the portal, by their
    /// row id (see [`crate::checklist::bind::queue_items`]).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub entered: BTreeSet<String>,
}

/// The content of `checklist.yaml`: one guide's steps by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistState {
    pub schema_version: u32,
    /// The guide the state belongs to, e.g. `azure-atp-2019`.
    pub guide: String,
    #[serde(default)]
    pub steps: BTreeMap<String, StepState>,
}

impl ChecklistState {
    pub fn new(guide: impl Into<String>) -> Self {
        Self {
            schema_version: super::SCHEMA_VERSION,
            guide: guide.into(),
            steps: BTreeMap::new(),
        }
    }

    /// The state of a step; a step never touched is `todo`.
    pub fn step(&self, id: &str) -> StepState {
        self.steps.get(id).cloned().unwrap_or_default()
    }
}

/// One line of the append-only audit log of checklist changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistChange {
    pub at: DateTime<Utc>,
    pub guide: String,
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub from: StepStatus,
    pub to: StepStatus,
    /// Why the step was skipped or blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Names of the record fields changed (values are in `checklist.yaml`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Evidence files attached by this change (paths relative to the engagement).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Row ids ticked as entered by this change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entered: Vec<String>,
    /// Row ids whose tick this change took back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unentered: Vec<String>,
}
