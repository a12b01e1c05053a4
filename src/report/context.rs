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
    pub signer: super::summary::SignerSummary,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub verdict: Verdict,
    pub checks: CheckCounts,
    pub checklist: Progress,
    pub alerts: AlertSummary,
    /// Counts of what the inventory holds.
    pub inventory: Vec<Pair>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckCounts {
    pub present: bool,
    pub ran_at: Option<String>,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub unknown: usize,
    pub manual: usize,
    pub total: usize,
    /// Results accepted as known risks.
    pub accepted: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    pub skipped: usize,
    pub in_progress: usize,
    pub blocked: usize,
    pub todo: usize,
    /// Done or skipped, of all steps, in percent.
    pub percent: usize,
    pub complete: bool,
    /// The step that can be done now, or what the first open step waits for.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AlertSummary {
    pub open: u64,
    pub suppressed: u64,
    pub total: u64,
    pub by_status: Vec<Pair>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhaseSection {
    pub id: String,
    pub title: String,
    pub detail: Option<String>,
    pub total: usize,
    pub done: usize,
    pub skipped: usize,
    pub steps: Vec<StepSection>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepSection {
    pub id: String,
    pub number: Option<String>,
    pub title: String,
    pub link: Option<String>,
    pub detail: Option<String>,
    /// `todo`, `in_progress`, `done`, `skipped`, `blocked`.
    pub status: String,
    pub by: Option<String>,
    pub at: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    /// For an open step, the earlier steps or waits it needs first.
    pub waiting: Vec<String>,
    /// The values re-entered in the portal.
    pub values: Vec<ValueBlock>,
    pub gates: Vec<GateLine>,
    /// Checks recommended with the step (they do not block it).
    #[serde(default)]
    pub recommendations: Vec<GateLine>,
    /// The recorded fields (per-item fields are columns of their table in `values`).
    pub record: Vec<RecordLine>,
    pub evidence: Vec<String>,
    /// Who changed what when, from the change log.
    pub history: Vec<ChangeLine>,
}

/// One `shows` entry with its values.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValueBlock {
    pub label: String,
    pub note: Option<String>,
    /// `value`, `list`, `table`, `pairs` or `missing`.
    pub kind: String,
    pub value: String,
    pub items: Vec<String>,
    pub table: Option<Table>,
    pub pairs: Vec<Pair>,
    /// For `missing`: what was looked for and where.
    pub tried: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GateLine {
    pub gate: String,
    pub satisfied: bool,
    /// Each check behind the gate with its result (names subjects: redacted).
    pub results: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordLine {
    pub label: String,
    pub value: String,
    pub required: bool,
    pub missing: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeLine {
    pub at: String,
    pub by: String,
    /// `todo → done`, or `fields` when only fields changed.
    pub change: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub fields: Option<String>,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Prerequisites {
    pub present: bool,
    pub ran_at: Option<String>,
    /// The checks ran on another inventory than the current one.
    pub stale: bool,
    pub results: Vec<CheckLine>,
    pub acceptances: Vec<AcceptanceLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckLine {
    /// `id` or `id[subject]`.
    pub check: String,
    pub id: String,
    pub title: String,
    pub guide: String,
    pub subject: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub evidence: Vec<Pair>,
    pub remediation: Option<String>,
    pub accepted: Option<AcceptanceLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AcceptanceLine {
    pub check: String,
    pub by: String,
    pub reason: String,
    pub at: String,
}

/// One directory services account as Active Directory sees it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DsaAccount {
    /// The account as ATA names it.
    pub account: String,
    pub pairs: Vec<Pair>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InventorySection {
    pub present: bool,
    pub collected_at: Option<String>,
    pub center: Vec<Pair>,
    pub certificates: Table,
    pub directory_services_accounts: Table,
    /// Every directory services account ATA names (one per domain), as Active Directory
    /// sees it.
    pub dsa_accounts: Vec<DsaAccount>,
    /// The first of `dsa_accounts` alone, for templates written before there could be
    /// several.
    pub dsa_directory: Vec<Pair>,
    pub notifications: Vec<Pair>,
    pub exclusions: Table,
    pub honeytokens: Table,
    pub sensitive: Table,
    pub gateways: Table,
    pub domain_controllers: Table,
    pub report_schedules: Table,
    pub role_groups: Table,
    pub detectors: Table,
    pub directory: Vec<Pair>,
    pub domains: Table,
    pub privileged_groups: Table,
    pub alerts_by_status: Vec<Pair>,
    pub open_alerts: Table,
    pub suppressed_alerts: Table,
    /// Closed and other alerts are counted, not listed: they need no action.
    pub other_alerts_note: Option<String>,
    pub collections: Table,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotFoundLine {
    pub item: String,
    pub tried: String,
    /// Why, when not plain absence (a value of an unexpected type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProvenanceSection {
    pub inventory_tool_version: Option<String>,
    pub collected_at: Option<String>,
    pub collected_by: Option<String>,
    pub collected_on: Option<String>,
    pub collection_arguments: Option<String>,
    pub sources: Table,
    pub report_tool_version: String,
    pub generated_at: String,
    pub generated_by: String,
    pub generated_on: String,
    pub report_arguments: String,
    pub template: String,
    /// The engagement files the report was made from, with their SHA-256.
    pub inputs: Table,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PartyLine {
    pub name: String,
    pub role: String,
    pub organisation: String,
    pub date: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignOffSection {
    pub statement: String,
    pub approver: PartyLine,
    pub consultant: PartyLine,
    pub notes: Vec<String>,
    /// What is still open when the report is signed: the approver signs knowingly.
    pub open_points: Vec<String>,
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

fn acceptance_line(a: &crate::model::Acceptance) -> AcceptanceLine {
    AcceptanceLine {
        check: a.check.clone(),
        by: a.by.clone(),
        reason: a.reason.clone(),
        at: when(a.at),
    }
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
    let mut signer = super::summary::build(inputs.checks.as_ref(), &phases);
    signer.deadlines = super::summary::deadlines(inputs);
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

fn progress(inputs: &Inputs, facts: &Facts<'_>) -> Progress {
    let mut p = Progress {
        total: inputs.def.steps.len(),
        ..Progress::default()
    };
    for s in &inputs.def.steps {
        match inputs.state.step(&s.id).status {
            StepStatus::Done => p.done += 1,
            StepStatus::Skipped => p.skipped += 1,
            StepStatus::InProgress => p.in_progress += 1,
            StepStatus::Blocked => p.blocked += 1,
            StepStatus::Todo => p.todo += 1,
        }
    }
    p.percent = (p.done + p.skipped) * 100 / p.total.max(1);
    let next = engine::next(&inputs.def, &inputs.state, facts);
    p.complete = next.complete;
    let title = |id: &str| {
        inputs
            .def
            .steps
            .iter()
            .find(|s| s.id == id)
            .map_or_else(String::new, |s| s.title.clone())
    };
    p.next = match (&next.step, &next.waiting) {
        (Some(id), _) => Some(format!("{id} {} can be done now", title(id))),
        (None, Some(id)) => Some(format!(
            "{id} {} waits: {}",
            title(id),
            next.blockers.first().map_or("", String::as_str)
        )),
        _ => None,
    };
    p
}

fn summary(inputs: &Inputs, prereq: &Prerequisites, checklist: Progress) -> Summary {
    let mut checks = CheckCounts::default();
    if let Some(c) = &inputs.checks {
        checks.present = true;
        checks.ran_at = Some(when(c.ran_at));
        for r in &c.results {
            match r.status {
                Status::Pass => checks.pass += 1,
                Status::Warn => checks.warn += 1,
                Status::Fail => checks.fail += 1,
                Status::Unknown => checks.unknown += 1,
                Status::Manual => checks.manual += 1,
            }
            if r.status != Status::Pass && acceptance_of(c, r).is_some() {
                checks.accepted += 1;
            }
        }
        checks.total = c.results.len();
    }
    let verdict = verdict(inputs.checks.as_ref(), prereq.stale);
    let mut alerts = AlertSummary::default();
    let mut counts = Vec::new();
    if let Some(inv) = &inputs.inventory {
        let a = &inv.ata.alerts;
        alerts.open = a
            .by_status
            .get("Open")
            .copied()
            .unwrap_or(a.open.len() as u64);
        alerts.suppressed = a
            .by_status
            .get("Suppressed")
            .copied()
            .unwrap_or(a.suppressed.len() as u64);
        alerts.total = a.total();
        alerts.by_status = a
            .by_status
            .iter()
            .map(|(k, v)| pair(k, v.to_string()))
            .collect();
        let dcs = domain_controller_names(inv).len();
        counts = vec![
            pair("ATA exclusions", inv.ata.exclusions.len().to_string()),
            pair("Honeytoken accounts", inv.ata.honeytokens.len().to_string()),
            pair("Sensitive entities", inv.ata.sensitive.len().to_string()),
            pair(
                "ATA Gateways and Lightweight Gateways",
                inv.ata.gateways.len().to_string(),
            ),
            pair("Domain controllers", dcs.to_string()),
            pair("Items not found", inv.not_found.len().to_string()),
        ];
    }
    Summary {
        verdict,
        checks,
        checklist,
        alerts,
        inventory: counts,
    }
}

fn phases(inputs: &Inputs, facts: &Facts<'_>) -> Vec<PhaseSection> {
    let def = &inputs.def;
    def.phases
        .iter()
        .map(|phase| {
            let steps: Vec<StepSection> = def
                .steps
                .iter()
                .filter(|s| s.phase == phase.id)
                .map(|s| {
                    let v = view::step_view(def, s, &inputs.state, facts);
                    step_section(inputs, s, v)
                })
                .collect();
            PhaseSection {
                id: phase.id.clone(),
                title: phase.title.clone(),
                detail: phase.detail.clone(),
                total: steps.len(),
                done: steps.iter().filter(|s| s.status == "done").count(),
                skipped: steps.iter().filter(|s| s.status == "skipped").count(),
                steps,
            }
        })
        .collect()
}

/// Where the inventory section lists what a step's table shows.
fn inventory_anchor(path: &str) -> Option<&'static str> {
    Some(match path {
        "ata.exclusions" => "inv-exclusions",
        "ata.honeytokens" => "inv-honeytokens",
        "ata.sensitive" => "inv-sensitive",
        "ata.gateways" => "inv-gateways",
        "ata.alerts.open" => "inv-open-alerts",
        "ata.alerts.suppressed" => "inv-suppressed-alerts",
        "hosts" | "directory.domain_controllers" => "inv-dcs",
        "ata.report_schedules" => "inv-report-schedules",
        "ata.role_groups" => "inv-role-groups",
        _ => return None,
    })
}

fn step_section(
    inputs: &Inputs,
    step: &crate::checklist::definition::Step,
    v: StepView,
) -> StepSection {
    let own = &v.state;
    // Per-item record fields whose list a `shows` table displays become columns of it.
    let per_item: Vec<(&crate::checklist::definition::RecordField, String)> = step
        .record
        .iter()
        .filter_map(|f| f.each.as_ref().map(|e| (f, e.to_string())))
        .collect();
    let mut merged: Vec<&str> = Vec::new();
    let values = v
        .values
        .iter()
        .enumerate()
        .map(|(i, show)| {
            let mut block = ValueBlock {
                label: show.label.clone(),
                note: show.note.clone(),
                kind: String::new(),
                value: String::new(),
                items: Vec::new(),
                table: None,
                pairs: Vec::new(),
                tried: Vec::new(),
            };
            match &show.value {
                Bound::Value { value } => {
                    block.kind = "value".into();
                    block.value = display_value(value);
                }
                Bound::List { items } => {
                    block.kind = "list".into();
                    block.items = items.clone();
                }
                Bound::Pairs { pairs } => {
                    block.kind = "pairs".into();
                    block.pairs = pairs.iter().map(|p| pair(&p.key, &p.value)).collect();
                }
                Bound::Table { columns, rows } => {
                    block.kind = "table".into();
                    let mut t = Table {
                        id: format!("step-{}-{}", step.id, i + 1),
                        title: show.label.clone(),
                        columns: columns.clone(),
                        total: rows.len(),
                        ..Table::default()
                    };
                    let mine: Vec<_> = per_item
                        .iter()
                        .filter(|(_, each)| each == &show.path)
                        .collect();
                    if mine.is_empty() {
                        let keep = rows.len().min(STEP_ROWS);
                        t.rows = rows[..keep].to_vec();
                        t.omitted = rows.len() - keep;
                        t.see = inventory_anchor(&show.path).map(str::to_string);
                    } else {
                        for (f, _) in &mine {
                            t.columns.push(format!("Recorded: {}", f.label));
                            merged.push(f.key.as_str());
                        }
                        t.rows = rows
                            .iter()
                            .enumerate()
                            .map(|(n, row)| {
                                let mut row = row.clone();
                                for (f, _) in &mine {
                                    let key = format!("{}[{}]", f.key, n + 1);
                                    row.push(own.fields.get(&key).map_or_else(
                                        || NO_VALUE.to_string(),
                                        |v| display_value(v),
                                    ));
                                }
                                row
                            })
                            .collect();
                    }
                    block.table = Some(t);
                }
                Bound::Missing { text, not_found } => {
                    block.kind = "missing".into();
                    block.value = text.clone();
                    block.tried = not_found.iter().flat_map(|n| n.tried.clone()).collect();
                }
                Bound::Unresolved { text } => {
                    block.kind = "missing".into();
                    block.value = text.clone();
                }
            }
            block
        })
        .collect();

    let mut record = Vec::new();
    let mut item_counts: BTreeMap<&str, (usize, usize, String)> = BTreeMap::new();
    for f in &v.record {
        let base = f.key.split('[').next().unwrap_or(&f.key);
        if merged.contains(&base) {
            let e = item_counts
                .entry(
                    step.record
                        .iter()
                        .find(|r| r.key == base)
                        .map_or(base, |r| r.key.as_str()),
                )
                .or_insert((0, 0, String::new()));
            e.0 += 1;
            if f.value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                e.1 += 1;
            }
            e.2 = step
                .field(base)
                .map_or_else(|| base.to_string(), |r| r.label.clone());
            continue;
        }
        let value = f.value.as_deref().filter(|v| !v.trim().is_empty());
        record.push(RecordLine {
            label: f.label.clone(),
            value: value.map_or_else(|| NO_VALUE.to_string(), display_value),
            required: f.required,
            missing: value.is_none(),
        });
    }
    for (_, (total, filled, label)) in item_counts {
        record.push(RecordLine {
            label: format!("{label} (per item, in the table above)"),
            value: format!("recorded for {filled} of {total}"),
            required: true,
            missing: filled < total,
        });
    }

    let history = inputs
        .changes
        .iter()
        .filter(|c| c.step == step.id)
        .map(|c| ChangeLine {
            at: when(c.at),
            by: c.by.clone().unwrap_or_else(|| NO_VALUE.into()),
            change: if c.from == c.to {
                "updated".into()
            } else {
                format!("{} → {}", c.from, c.to)
            },
            reason: c.reason.clone(),
            note: c.note.clone(),
            fields: (!c.fields.is_empty()).then(|| c.fields.join(", ")),
            evidence: (!c.evidence.is_empty()).then(|| c.evidence.join(", ")),
        })
        .collect();

    // Gates are listed with their state below; what else an open step waits for
    // (an earlier step, the initial sync) is said here.
    let waiting = if own.status.is_closed() {
        Vec::new()
    } else {
        v.after
            .iter()
            .filter(|a| !a.satisfied)
            .map(|a| a.detail.clone())
            .collect()
    };

    let gate_line = |g: &crate::checklist::engine::GateStatus| GateLine {
        gate: g.gate.clone(),
        satisfied: g.satisfied,
        results: if g.results.is_empty() {
            g.problem.clone().unwrap_or_default()
        } else {
            g.results
                .iter()
                .map(|r| {
                    format!(
                        "{}: {}{}",
                        r.check,
                        r.status,
                        if r.accepted && r.status != Status::Pass {
                            " (accepted)"
                        } else {
                            ""
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        },
    };

    StepSection {
        id: v.id.clone(),
        number: v.number.clone(),
        title: v.title.clone(),
        link: v.link.clone(),
        detail: v.detail.clone(),
        status: own.status.as_str().to_string(),
        by: own.by.clone(),
        at: own.at.map(when),
        reason: own.reason.clone(),
        note: own.note.clone(),
        waiting,
        values,
        gates: v.gates.iter().map(&gate_line).collect(),
        recommendations: v.recommendations.iter().map(&gate_line).collect(),
        record,
        evidence: own.evidence.clone(),
        history,
    }
}

fn prerequisites(inputs: &Inputs) -> Prerequisites {
    let Some(c) = &inputs.checks else {
        return Prerequisites::default();
    };
    let inventory_hash = inputs
        .files
        .iter()
        .find(|f| f.path == crate::engagement::INVENTORY_FILE)
        .and_then(|f| f.sha256.as_deref());
    let stale = matches!(
        (c.inventory_sha256.as_deref(), inventory_hash),
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b)
    );
    Prerequisites {
        present: true,
        ran_at: Some(when(c.ran_at)),
        stale,
        results: c
            .results
            .iter()
            .map(|r| CheckLine {
                check: r.key(),
                id: r.id.clone(),
                title: r.title.clone(),
                guide: serde_json::to_value(r.guide)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                subject: r.subject.clone(),
                status: r.status.as_str().to_string(),
                reason: r.reason.clone(),
                evidence: r.evidence.iter().map(|(k, v)| pair(k, v)).collect(),
                remediation: r.remediation.clone(),
                accepted: (r.status != Status::Pass)
                    .then(|| acceptance_of(c, r).map(acceptance_line))
                    .flatten(),
            })
            .collect(),
        acceptances: c.acceptances.iter().map(acceptance_line).collect(),
    }
}

/// Every DC the inventory names (directory, host facts, gateways), once each.
fn domain_controller_names(inv: &Inventory) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        if !n.trim().is_empty() && !names.iter().any(|k| same_host(k, n)) {
            names.push(n.to_string());
        }
    };
    if let Some(dir) = &inv.directory {
        for dc in &dir.domain_controllers {
            add(dc.dns_host_name.as_deref().unwrap_or(&dc.name));
        }
    }
    for h in &inv.hosts {
        add(&h.name);
    }
    for g in &inv.ata.gateways {
        for dc in &g.domain_controllers {
            add(dc);
        }
    }
    names
}

fn entity_row(e: &Entity) -> Vec<String> {
    let ad = e.ad.as_ref();
    vec![
        e.label().to_string(),
        opt(e.kind),
        opt(e.sid.as_ref().or(ad.and_then(|a| a.sid.as_ref()))),
        match (e.source, &e.tag_evidence) {
            (Some(s), Some(why)) => format!("{}: {why}", s.as_str()),
            (Some(s), None) => s.as_str().to_string(),
            (None, _) => NO_VALUE.into(),
        },
        match ad {
            Some(a) if a.found => "yes".into(),
            Some(_) => "NOT FOUND".into(),
            None => "not looked up".into(),
        },
        yes_no(ad.and_then(|a| a.enabled)),
        opt(ad.and_then(|a| a.dn.as_ref())),
        e.id.clone(),
    ]
}

const ENTITY_COLUMNS: &[&str] = &[
    "Name",
    "Type",
    "SID",
    "Tagged",
    "In AD",
    "Enabled",
    "Distinguished name",
    "ATA id",
];

/// Order of gravity for a DC's readiness: the worst result names the DC's state.
fn gravity(s: Status) -> u8 {
    match s {
        Status::Pass => 0,
        Status::Manual => 1,
        Status::Warn => 2,
        Status::Unknown => 3,
        Status::Fail => 4,
    }
}

fn inventory_section(inv: Option<&Inventory>, checks: Option<&ChecksFile>) -> InventorySection {
    let mut s = InventorySection {
        certificates: Table::new(
            "inv-certificates",
            "Center certificates",
            &[
                "Thumbprint",
                "Subject",
                "Issuer",
                "Valid from",
                "Valid until",
            ],
            "no certificate read from the Center",
        ),
        directory_services_accounts: Table::new(
            "inv-dsa",
            "Directory services accounts in ATA",
            &["Account", "Domain", "Password stored in ATA", "Read from"],
            "none recorded in ATA",
        ),
        exclusions: Table::new(
            "inv-exclusions",
            "ATA exclusions",
            &[
                "Detector",
                "Kind",
                "Excluded",
                "SID",
                "In AD",
                "Distinguished name",
                "Value stored by ATA",
                "List",
            ],
            "no exclusion in ATA",
        ),
        honeytokens: Table::new(
            "inv-honeytokens",
            "Honeytoken accounts",
            ENTITY_COLUMNS,
            "no honeytoken account in ATA",
        ),
        sensitive: Table::new(
            "inv-sensitive",
            "Sensitive entities",
            ENTITY_COLUMNS,
            "no entity tagged sensitive in ATA",
        ),
        gateways: Table::new(
            "inv-gateways",
            "ATA Gateways and Lightweight Gateways",
            &[
                "Name",
                "Kind",
                "Version",
                "Status",
                "Domain synchronizer candidate",
                "Syslog listener",
                "Domain controllers",
            ],
            "no gateway registered with the Center",
        ),
        domain_controllers: Table::new(
            "inv-dcs",
            "Domain controllers and their readiness",
            &[
                "Domain controller",
                "Domain",
                "Site",
                "Operating system",
                "Read-only",
                "Global catalog",
                ".NET release",
                "Lightweight Gateway",
                "Sensor",
                "Readiness",
                "Open points",
            ],
            "no domain controller known",
        ),
        report_schedules: Table::new(
            "inv-report-schedules",
            "Scheduled reports",
            &["Report", "Enabled", "Schedule", "Recipients", "Settings"],
            "no scheduled report in ATA",
        ),
        role_groups: Table::new(
            "inv-role-groups",
            "ATA role groups on the Center",
            &["Group", "Members"],
            "not collected (run the center-facts collector)",
        ),
        detectors: Table::new(
            "inv-detectors",
            "ATA detectors turned off",
            &["Detector"],
            "every detector known is on",
        ),
        domains: Table::new(
            "inv-domains",
            "Domains",
            &["Domain", "NetBIOS", "SID", "Functional level"],
            "no directory source read",
        ),
        privileged_groups: Table::new(
            "inv-privileged-groups",
            "Sensitive groups and their members",
            &["Group", "Domain", "SID", "Members"],
            "no directory source read",
        ),
        open_alerts: Table::new(
            "inv-open-alerts",
            "Open ATA alerts",
            &["Id", "Type", "Severity", "Started", "Ended", "Entities"],
            "no open alert in ATA",
        ),
        suppressed_alerts: Table::new(
            "inv-suppressed-alerts",
            "Suppressed ATA alerts",
            &["Id", "Type", "Severity", "Started", "Ended", "Entities"],
            "no suppressed alert in ATA",
        ),
        collections: Table::new(
            "inv-collections",
            "ATA database collections",
            &["Collection", "Documents", "Size (bytes)"],
            "not listed by the source",
        ),
        ..InventorySection::default()
    };
    s.domain_controllers.status_column = Some(9);
    let Some(inv) = inv else {
        return s;
    };
    s.present = true;
    s.collected_at = Some(when(inv.collected_at));
    let ata = &inv.ata;
    let c = &ata.center;
    s.center = pairs(crate::present::center(c));
    for cert in &c.certificates {
        s.certificates.push(vec![
            cert.thumbprint.clone(),
            opt(cert.subject.as_ref()),
            opt(cert.issuer.as_ref()),
            opt(cert.not_before.map(when)),
            opt(cert.not_after.map(when)),
        ]);
    }
    for d in &ata.directory_services_accounts {
        s.directory_services_accounts.push(vec![
            d.user.clone(),
            opt(d.domain.as_ref()),
            if d.secret_present {
                "yes (encrypted; not read)"
            } else {
                "no"
            }
            .into(),
            opt(d.found_at.as_ref()),
        ]);
    }
    // One list under "Notifications and VPN", each row named by its section.
    use crate::present::{EMAIL, SYSLOG, VPN, email, syslog, vpn};
    s.notifications = [
        (SYSLOG, syslog(ata.syslog.as_ref())),
        (EMAIL, email(ata.email.as_ref())),
        (VPN, vpn(ata.vpn.as_ref())),
    ]
    .into_iter()
    .flat_map(|(section, rows)| {
        rows.into_iter().map(move |r| {
            if r.label == section {
                pair(r.label, r.value)
            } else {
                pair(format!("{section}: {}", r.label), r.value)
            }
        })
    })
    .collect();
    for x in &ata.exclusions {
        let e = x.entity.as_ref();
        let ad = e.and_then(|e| e.ad.as_ref());
        s.exclusions.push(vec![
            x.detector.clone(),
            x.kind.to_string(),
            e.map_or_else(|| x.value.clone(), |e| e.label().to_string()),
            opt(e.and_then(|e| e.sid.as_ref())),
            match (x.kind, ad) {
                (ExclusionKind::Subnet, _) => NO_VALUE.into(),
                (_, Some(a)) if a.found => "yes".into(),
                (_, Some(_)) => "NOT FOUND".into(),
                (_, None) => "not looked up".into(),
            },
            opt(ad.and_then(|a| a.dn.as_ref())),
            x.value.clone(),
            opt(x.list.as_ref()),
        ]);
    }
    for e in &ata.honeytokens {
        s.honeytokens.push(entity_row(e));
    }
    for e in &ata.sensitive {
        s.sensitive.push(entity_row(e));
    }
    for g in &ata.gateways {
        s.gateways.push(vec![
            g.name.clone(),
            g.kind.to_string(),
            opt(g.version.as_ref()),
            opt(g.status.as_ref()),
            match g.domain_synchronizer_candidate {
                Some(b) => yes_no(Some(b)),
                None => "not recorded by ATA".into(),
            },
            yes_no(g.syslog_listener),
            if g.domain_controllers.is_empty() {
                NO_VALUE.into()
            } else {
                g.domain_controllers.join(", ")
            },
        ]);
    }

    // Domain controllers with their readiness from the checks that name them.
    for name in domain_controller_names(inv) {
        let dir_dc = inv
            .directory
            .as_ref()
            .and_then(|d| d.domain_controller(&name));
        let facts = inv.host(&name);
        let mut worst: Option<Status> = None;
        let mut points = Vec::new();
        if let Some(c) = checks {
            for r in c
                .results
                .iter()
                .filter(|r| r.subject.as_deref().is_some_and(|s| same_host(s, &name)))
            {
                let accepted = acceptance_of(c, r);
                let effective = if accepted.is_some() {
                    Status::Pass
                } else {
                    r.status
                };
                if worst.is_none_or(|w| gravity(effective) > gravity(w)) {
                    worst = Some(effective);
                }
                if r.status != Status::Pass {
                    let mut p = format!("{}: {}", r.title, r.status);
                    if let Some(reason) = &r.reason {
                        p.push_str(&format!(" ({reason})"));
                    }
                    if let Some(a) = accepted {
                        p.push_str(&format!(", accepted by {}", a.by));
                    }
                    points.push(p);
                }
            }
        }
        s.domain_controllers.push(vec![
            name.clone(),
            opt(dir_dc.map(|d| &d.domain)),
            opt(dir_dc.and_then(|d| d.site.as_ref())),
            opt(dir_dc
                .and_then(|d| d.os.as_ref())
                .or(facts.and_then(|f| f.os_caption.as_ref()))),
            yes_no(dir_dc.map(|d| d.read_only)),
            yes_no(dir_dc.and_then(|d| d.global_catalog)),
            opt(facts.and_then(|f| f.dotnet_release)),
            yes_no(facts.and_then(|f| f.ata_lightweight_gateway_installed)),
            yes_no(facts.and_then(|f| f.atp_sensor_installed)),
            match (checks, worst) {
                (None, _) => "not checked".into(),
                (Some(_), None) => "no check names it".into(),
                (Some(_), Some(w)) => w.as_str().into(),
            },
            if points.is_empty() {
                NO_VALUE.into()
            } else {
                points.join("; ")
            },
        ]);
    }
    for r in &ata.report_schedules {
        s.report_schedules.push(vec![
            r.name.clone(),
            yes_no(r.enabled),
            opt(r.schedule.as_ref()),
            if r.recipients.is_empty() {
                NO_VALUE.into()
            } else {
                r.recipients.join(", ")
            },
            if r.settings.is_empty() {
                NO_VALUE.into()
            } else {
                r.settings
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ]);
    }
    for g in &ata.role_groups {
        s.role_groups.push(vec![
            g.name.clone(),
            if g.members.is_empty() {
                "no member".into()
            } else {
                g.members.join(", ")
            },
        ]);
    }
    for d in ata.detectors.iter().filter(|d| d.enabled == Some(false)) {
        s.detectors.push(vec![d.name.clone()]);
    }
    if let Some(dir) = &inv.directory {
        s.directory = vec![
            pair("Forest", dir.forest.root_domain.clone()),
            pair(
                "Forest functional level",
                dir.forest
                    .functional_level_name
                    .clone()
                    .or_else(|| dir.forest.functional_level.map(|n| n.to_string()))
                    .unwrap_or_else(|| NO_VALUE.into()),
            ),
            pair("Schema version", opt(dir.forest.schema_version)),
            pair(
                "Sites",
                if dir.sites.is_empty() {
                    NO_VALUE.into()
                } else {
                    dir.sites.join(", ")
                },
            ),
            pair(
                "KDS root key (needed for a gMSA)",
                yes_no(dir.kds_root_key_present),
            ),
        ];
        for d in &dir.domains {
            s.domains.push(vec![
                d.dns_name.clone(),
                opt(d.netbios_name.as_ref()),
                opt(d.sid.as_ref()),
                opt(d.functional_level_name.as_ref()),
            ]);
        }
        for g in &dir.privileged_groups {
            s.privileged_groups.push(vec![
                g.name.clone(),
                opt(g.domain.as_ref()),
                g.sid.clone(),
                if g.members.is_empty() {
                    "no member".into()
                } else {
                    g.members
                        .iter()
                        .map(|m| m.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ]);
        }
        for d in dir.directory_services_accounts() {
            let pairs = pairs(crate::present::dsa_in_directory(d));
            s.dsa_accounts.push(DsaAccount {
                account: d.named_as.clone().unwrap_or_else(|| d.name.clone()),
                pairs,
            });
        }
        s.dsa_directory = s
            .dsa_accounts
            .first()
            .map(|a| a.pairs.clone())
            .unwrap_or_default();
    }
    let alert_row = |a: &crate::model::Alert| {
        vec![
            a.id.clone(),
            a.kind.clone(),
            opt(a.severity.as_ref()),
            opt(a.start_time.map(when)),
            opt(a.end_time.map(when)),
            if a.entities.is_empty() {
                NO_VALUE.into()
            } else {
                a.entities.join(", ")
            },
        ]
    };
    s.alerts_by_status = ata
        .alerts
        .by_status
        .iter()
        .map(|(k, v)| pair(k, v.to_string()))
        .collect();
    for a in &ata.alerts.open {
        s.open_alerts.push(alert_row(a));
    }
    for a in &ata.alerts.suppressed {
        s.suppressed_alerts.push(alert_row(a));
    }
    let others: u64 = ata
        .alerts
        .by_status
        .iter()
        .filter(|(k, _)| k.as_str() != "Open" && k.as_str() != "Suppressed")
        .map(|(_, v)| v)
        .sum();
    if others > 0 {
        s.other_alerts_note = Some(format!(
            "{others} other alerts (closed, dismissed, …) are counted above, not listed: they need no action before the move."
        ));
    }
    for col in &ata.collections {
        s.collections
            .push(vec![col.name.clone(), opt(col.count), opt(col.size_bytes)]);
    }
    s
}

fn provenance(inputs: &Inputs, run: &RunInfo) -> ProvenanceSection {
    let mut p = ProvenanceSection {
        sources: Table::new(
            "prov-sources",
            "Sources read",
            &[
                "Kind",
                "Location",
                "Status",
                "Error",
                "Server version",
                "Read at",
                "Records",
            ],
            "no source recorded",
        ),
        inputs: Table::new(
            "prov-inputs",
            "Engagement files this report was made from",
            &["File", "SHA-256"],
            "none",
        ),
        report_tool_version: crate::model::TOOL_VERSION.to_string(),
        generated_at: when(run.now),
        generated_by: inputs.config.consultant.clone(),
        generated_on: run.host.clone(),
        report_arguments: run.arguments.join(" "),
        template: run.template.clone(),
        ..ProvenanceSection::default()
    };
    p.sources.status_column = Some(2);
    if let Some(inv) = &inputs.inventory {
        p.inventory_tool_version = Some(inv.tool_version.clone());
        p.collected_at = Some(when(inv.collected_at));
        p.collected_by = inv.provenance.collected_by.clone();
        p.collected_on = inv.provenance.host.clone();
        p.collection_arguments =
            (!inv.provenance.arguments.is_empty()).then(|| inv.provenance.arguments.join(" "));
        for s in &inv.sources {
            p.sources.push(vec![
                s.kind.to_string(),
                s.location.clone(),
                // The source's own words: a partial source reads "partial", not "warn".
                match s.status {
                    SourceStatus::Ok => "pass",
                    SourceStatus::Partial => "partial",
                    SourceStatus::Failed => "failed",
                }
                .into(),
                opt(s.error.as_ref()),
                opt(s.server_version.as_ref()),
                opt(s.read_at.map(when)),
                opt(s.records),
            ]);
        }
    }
    for f in &inputs.files {
        p.inputs.push(vec![
            f.path.clone(),
            f.sha256.clone().unwrap_or_else(|| "absent".into()),
        ]);
    }
    p
}

fn signoff(inputs: &Inputs, summary: &Summary, phases: &[PhaseSection]) -> SignOffSection {
    let so = &inputs.signoff;
    let line = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut open_points = Vec::new();
    // One line each: the verdict's details and the open steps are listed in full just
    // above the sign-off block, in the signer's summary.
    if summary.verdict.level != VerdictLevel::Ready {
        open_points.push(if summary.verdict.details.is_empty() {
            format!("Readiness: {}", summary.verdict.headline)
        } else {
            format!(
                "Readiness: {} ({})",
                summary.verdict.headline,
                summary.verdict.details.join("; ")
            )
        });
    }
    let open_steps: Vec<&str> = phases
        .iter()
        .flat_map(|p| &p.steps)
        .filter(|s| s.status != "done" && s.status != "skipped")
        .map(|s| s.id.as_str())
        .collect();
    if !open_steps.is_empty() {
        open_points.push(format!(
            "{} of {} checklist steps not done (see \"Open checklist steps\")",
            open_steps.len(),
            summary.checklist.total,
        ));
    }
    if summary.alerts.open + summary.alerts.suppressed > 0 {
        open_points.push(format!(
            "{} open and {} suppressed ATA alerts: they are not imported; keep them recorded until closed",
            summary.alerts.open, summary.alerts.suppressed
        ));
    }
    if let Some(inv) = &inputs.inventory {
        // A source read only in part: the report must not read as complete.
        for src in inv.sources.iter().filter(|s| s.status != SourceStatus::Ok) {
            open_points.push(format!(
                "Source {} was read only in part{}: re-collect it before signing",
                src.location,
                src.error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(inv) = &inputs.inventory
        && !inv.not_found.is_empty()
    {
        open_points.push(format!(
            "{} items could not be found in any source (see \"Not found\")",
            inv.not_found.len()
        ));
    }
    SignOffSection {
        statement: so
            .statement
            .clone()
            .unwrap_or_else(|| super::signoff::DEFAULT_STATEMENT.to_string()),
        approver: PartyLine {
            name: line(&so.approver.name),
            role: line(&so.approver.role),
            organisation: line(&so.approver.organisation),
            date: line(&so.approver.date),
        },
        consultant: PartyLine {
            name: line(&so.consultant.name),
            role: line(&so.consultant.role),
            organisation: line(&so.consultant.organisation),
            date: line(&so.consultant.date),
        },
        notes: so.notes.clone(),
        open_points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::sections::Section;

    /// The report and the TUI write a setting through the same presentation: the syslog
    /// server, the gateways' kind and a directory services account read alike.
    #[test]
    fn the_report_and_the_tui_show_the_same_words() {
        let inv = crate::checklist::exemplar::inventory();
        let report = inventory_section(Some(&inv), None);
        let tui: Vec<(String, String)> = (0..Section::Syslog.len(&inv))
            .map(|i| {
                let r = Section::Syslog.row(&inv, i);
                (r[0].clone(), r[1].clone())
            })
            .collect();
        assert!(tui.iter().any(|(k, _)| k == "Server"));
        for (label, value) in &tui {
            let key = format!("{}: {label}", crate::present::SYSLOG);
            let in_report = report.notifications.iter().find(|p| p.key == key);
            assert_eq!(in_report.map(|p| &p.value), Some(value), "{key}");
        }
        let kinds: Vec<&String> = report.gateways.rows.iter().map(|r| &r[1]).collect();
        for i in 0..Section::Gateways.len(&inv) {
            assert_eq!(&Section::Gateways.row(&inv, i)[1], kinds[i]);
        }
        assert!(kinds.iter().any(|k| k.as_str() == "Lightweight Gateway"));
    }
}
