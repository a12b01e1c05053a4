//! The report's data model: a plain struct of display-ready text, built from the
//! engagement's files. Templates only present it (they loop and print, never decide), the
//! CSV exports read its tables, and `--redact` rewrites its strings before any of them.
//!
//! Every field name here is part of the template interface: a consultant's copied
//! template refers to them, so rename none without need. `ata2atp report --format md
//! --template FILE` with `{{ __tera_context }}` in FILE prints the whole context.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::inputs::Inputs;
use crate::checklist::bind::Bound;
use crate::checklist::engine::{self, Facts};
use crate::checklist::view::{self, StepView};
use crate::checks::verdict::{Verdict, VerdictLevel, acceptance_of, verdict};
use crate::model::{
    ChecksFile, Entity, ExclusionKind, Inventory, SourceStatus, Status, StepStatus, same_host,
};
use crate::present::NO_VALUE;

mod checklist;
mod inventory;
mod prerequisites;
mod provenance;
mod signer;
mod signoff;
mod summary;

pub use checklist::*;
pub use inventory::*;
pub use prerequisites::*;
pub use provenance::*;
pub use signer::{ActionLine, SHORT_REMEDIATION, SignerSummary};
pub use signoff::*;
pub use summary::*;

/// A bound table in a step shows this many rows; the rest are in the inventory's table
/// (tables with per-item records are shown whole: those rows are the sign-off record).
pub const STEP_ROWS: usize = 100;

/// Fields that hold the tool's or the guide's words, never the customer's data, named by
/// their path in the context (field names joined with `.`, lists passed through, `*` one
/// field of any name): left as they are by `--redact` (a host named like a word of a title
/// must not rewrite it). Every other string is scrubbed: a field added later, and the
/// evidence of every check whatever its keys are (`gateway FAB-DC01`), included. A path
/// is added here only for text the tool or the guide wrote.
pub const TOOL_TEXT: &[&str] = &[
    "meta.title",
    "meta.guide",
    "meta.guide_title",
    "meta.guide_source",
    "meta.guide_description",
    "meta.redaction_note",
    "meta.generated_at",
    "meta.tool_version",
    "summary.verdict.level",
    "summary.verdict.headline",
    "summary.checks.ran_at",
    "summary.inventory.key",
    "summary.alerts.by_status.key",
    "phases.id",
    "phases.title",
    "phases.detail",
    "phases.steps.id",
    "phases.steps.title",
    "phases.steps.link",
    "phases.steps.detail",
    "phases.steps.status",
    "phases.steps.at",
    "phases.steps.history.at",
    "phases.steps.history.change",
    "phases.steps.record.label",
    "phases.steps.values.label",
    "phases.steps.values.kind",
    "phases.steps.values.table.id",
    "phases.steps.values.table.title",
    "phases.steps.values.table.columns",
    "phases.steps.values.table.empty",
    "phases.steps.values.table.see",
    "prerequisites.ran_at",
    "prerequisites.results.id",
    "prerequisites.results.title",
    "prerequisites.results.guide",
    "prerequisites.results.status",
    "prerequisites.results.accepted.at",
    "prerequisites.acceptances.at",
    "inventory.collected_at",
    "inventory.*.id",
    "inventory.*.title",
    "inventory.*.columns",
    "inventory.*.empty",
    "inventory.*.see",
    "inventory.center.key",
    "inventory.directory.key",
    "inventory.dsa_directory.key",
    "inventory.notifications.key",
    "inventory.alerts_by_status.key",
    "provenance.collected_at",
    "provenance.generated_at",
    "provenance.inventory_tool_version",
    "provenance.report_tool_version",
    "provenance.*.id",
    "provenance.*.title",
    "provenance.*.columns",
    "provenance.*.empty",
    "signer.actions.id",
    "signer.actions.title",
    "signer.actions.status",
    "signer.actions.area",
    "signer.areas.id",
    "signer.areas.title",
    "signer.areas.items.title",
    "signer.areas.items.status",
    "signer.areas.items.checks",
    "signer.accepted.title",
    "signer.accepted.status",
    "signer.accepted.at",
    "signer.open_steps.id",
    "signer.open_steps.title",
    "signer.open_steps.status",
    "signer.deadlines.at",
    "signer.deadlines.when",
];

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportContext {
    pub meta: Meta,
    pub summary: Summary,
    /// What the signer reads first: failing items with owner and remediation, accepted
    /// risks, open steps.
    #[serde(default)]
    pub signer: SignerSummary,
    pub phases: Vec<PhaseSection>,
    pub prerequisites: Prerequisites,
    pub inventory: InventorySection,
    pub not_found: Vec<NotFoundLine>,
    pub provenance: ProvenanceSection,
    pub signoff: SignOffSection,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    pub title: String,
    pub customer: String,
    pub consultant: String,
    pub cloud: String,
    pub workspace: String,
    pub guide: String,
    pub guide_title: String,
    pub guide_source: Option<String>,
    pub guide_description: Option<String>,
    pub generated_at: String,
    pub tool_version: String,
    pub redacted: bool,
    /// What redaction does and does not catch, on the first page of a redacted report.
    pub redaction_note: Option<String>,
    /// Made from the built-in sample.
    pub demo: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Pair {
    pub key: String,
    pub value: String,
}

/// The presentation's rows as the template's pairs.
fn pairs(rows: Vec<crate::present::Row>) -> Vec<Pair> {
    rows.into_iter().map(|r| pair(r.label, r.value)).collect()
}

fn pair(key: impl Into<String>, value: impl Into<String>) -> Pair {
    Pair {
        key: key.into(),
        value: value.into(),
    }
}

/// A table: header, rows, and how many rows were left out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Table {
    /// Anchor of the table in the HTML report, and the CSV file's name when exported.
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows in the data; more than `rows.len()` when the table was cut.
    pub total: usize,
    /// Rows left out here.
    pub omitted: usize,
    /// Where the rows left out are: the anchor of the full table.
    pub see: Option<String>,
    /// Shown instead of an empty table.
    pub empty: String,
    /// Column holding a status word (pass, fail, …) the HTML colours.
    pub status_column: Option<usize>,
    pub note: Option<String>,
}

impl Table {
    fn new(id: &str, title: &str, columns: &[&str], empty: &str) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            empty: empty.into(),
            ..Self::default()
        }
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
        self.total = self.rows.len() + self.omitted;
    }
}

/// What the report run adds to the engagement's data.
pub struct RunInfo {
    pub now: DateTime<Utc>,
    pub arguments: Vec<String>,
    pub host: String,
    pub template: String,
    pub redacted: bool,
}

/// `2026-11-16 10:30 UTC`: the one way moments are written ([`crate::present::moment`]).
pub use crate::present::moment as when;
use crate::present::opt;

/// [`crate::present::yes_no`] as the owned text the context holds.
fn yes_no(v: Option<bool>) -> String {
    crate::present::yes_no(v).into()
}

/// A recorded value for display: a stored RFC 3339 moment in the report's format.
fn display_value(v: &str) -> String {
    crate::present::stored_moment(v).unwrap_or_else(|| v.to_string())
}

/// Builds the report's context from the engagement's inputs.
pub fn build(inputs: &Inputs, run: &RunInfo) -> ReportContext {
    let facts = Facts::new(
        inputs.inventory.as_ref(),
        Some(&inputs.config),
        inputs.checks.as_ref(),
        Some(&inputs.root),
        run.now,
    );
    let inventory = inventory_section(inputs.inventory.as_ref(), inputs.checks.as_ref());
    let phases = phases(inputs, &facts);
    let prerequisites = prerequisites(inputs);
    let checklist = progress(inputs, &facts);
    let summary = summary(inputs, &prerequisites, checklist);
    let signoff = signoff(inputs, &summary, &phases);
    let mut signer = signer::build(inputs.checks.as_ref(), &phases);
    signer.deadlines = signer::deadlines(inputs);
    ReportContext {
        meta: meta(inputs, run),
        summary,
        signer,
        phases,
        prerequisites,
        inventory,
        not_found: inputs
            .inventory
            .iter()
            .flat_map(|i| &i.not_found)
            .map(|n| NotFoundLine {
                item: n.item.clone(),
                tried: if n.tried.is_empty() {
                    "no source named it".into()
                } else {
                    n.tried.join(", ")
                },
                reason: n.reason.clone(),
            })
            .collect(),
        provenance: provenance(inputs, run),
        signoff,
    }
}

fn meta(inputs: &Inputs, run: &RunInfo) -> Meta {
    let c = &inputs.config;
    Meta {
        title: format!(
            "ATA to {} migration: report for sign-off",
            cloud_product(&inputs.def.guide)
        ),
        customer: c.customer.clone(),
        consultant: c.consultant.clone(),
        cloud: c.cloud.as_str().to_string(),
        workspace: opt(c.workspace.as_ref()),
        guide: inputs.def.guide.clone(),
        guide_title: inputs.def.title.clone(),
        guide_source: inputs.def.source.clone(),
        guide_description: inputs.def.description.clone(),
        generated_at: when(run.now),
        tool_version: crate::model::TOOL_VERSION.to_string(),
        redacted: run.redacted,
        redaction_note: run.redacted.then(|| {
            "Redacted for sharing outside the customer: host, account, domain and people's \
             names, UPNs, SIDs and IP addresses are replaced by pseudonyms (the same name has \
             the same pseudonym throughout). Names found only in free text, under none of the \
             customer's domains, cannot be recognised: read the notes before sharing."
                .to_string()
        }),
        demo: c.demo,
    }
}

fn cloud_product(guide: &str) -> &'static str {
    if guide.contains("2019") {
        "Azure ATP"
    } else {
        "Defender for Identity"
    }
}
