//! The checklist in the report: each phase's steps with their values, gates, records and
//! history.

use super::*;

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
    pub status: StepStatus,
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
    pub kind: ValueKind,
    pub value: String,
    pub items: Vec<String>,
    pub table: Option<Table>,
    pub pairs: Vec<Pair>,
    /// For `missing`: what was looked for and where.
    pub tried: Vec<String>,
}

/// What a [`ValueBlock`] holds; the templates branch on its word (`value`, `list`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Value,
    List,
    Table,
    Pairs,
    /// Nothing to enter, or a value of another shape than the schema says: `value` says
    /// which, `tried` where it was looked for.
    Missing,
}

impl ValueKind {
    fn of(bound: &Bound) -> Self {
        match bound {
            Bound::Value { .. } => ValueKind::Value,
            Bound::List { .. } => ValueKind::List,
            Bound::Table { .. } => ValueKind::Table,
            Bound::Pairs { .. } => ValueKind::Pairs,
            Bound::Missing { .. } | Bound::Unresolved { .. } => ValueKind::Missing,
        }
    }
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

pub(super) fn phases(inputs: &Inputs, facts: &Facts<'_>) -> Vec<PhaseSection> {
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
            let (done, skipped) =
                crate::checklist::view::done_and_skipped(steps.iter().map(|s| s.status));
            PhaseSection {
                id: phase.id.clone(),
                title: phase.title.clone(),
                detail: phase.detail.clone(),
                total: steps.len(),
                done,
                skipped,
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
                kind: ValueKind::of(&show.value),
                value: String::new(),
                items: Vec::new(),
                table: None,
                pairs: Vec::new(),
                tried: Vec::new(),
            };
            match &show.value {
                Bound::Value { value } => {
                    block.value = display_value(value);
                }
                Bound::List { items } => {
                    block.items = items.clone();
                }
                Bound::Pairs { pairs } => {
                    block.pairs = pairs.iter().map(|p| pair(&p.key, &p.value)).collect();
                }
                Bound::Table { columns, rows } => {
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
                    block.value = text.clone();
                    block.tried = not_found.iter().flat_map(|n| n.tried.clone()).collect();
                }
                Bound::Unresolved { text } => {
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
    // (an earlier step, the initial sync) is said here. Fixes in the CLI's words: a
    // report is read away from the TUI, and the commands are what a reader would run.
    let waiting = if own.status.is_closed() {
        Vec::new()
    } else {
        v.after
            .iter()
            .filter(|a| !a.satisfied)
            .map(|a| a.detail.to_string())
            .collect()
    };

    let gate_line = |g: &crate::checklist::engine::GateStatus| GateLine {
        gate: g.gate.clone(),
        satisfied: g.satisfied,
        results: if g.results.is_empty() {
            g.problem
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
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
        status: own.status,
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
