//! The rules of the checklist: when a step can be done, which step comes next, and how
//! a `set` changes the state or is refused with its reasons.
//!
//! A step can be done now when every gate is satisfied (each named check passed or was
//! accepted in `checks.yaml`) and every `after` condition holds (the earlier step is
//! done or skipped, and any wait counted from a time it recorded has passed). Marking it
//! done also needs every required record field filled and, when the step says so, a file
//! attached as evidence. Everything here is pure apart from looking at evidence files;
//! `now` is passed in, so the rules can be tested at any moment.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Serialize;
use serde_json::Value;

use super::bind::count_items;
use super::definition::{DatedRule, Definition, EvidenceRule, FieldKind, Gate, RecordField, Step};
use super::{Error, document};
use crate::checks::verdict::acceptance_of;
use crate::engagement::EngagementConfig;
use crate::model::{
    ChecklistChange, ChecklistState, ChecksFile, Inventory, Status, StepState, StepStatus,
};

mod problem;
mod set;

pub use problem::*;
pub use set::*;

/// Everything the rules look at besides the checklist state.
pub struct Facts<'a> {
    pub inventory: Option<&'a Inventory>,
    pub checks: Option<&'a ChecksFile>,
    /// The engagement folder, for evidence files; `None` refuses every evidence path.
    pub root: Option<&'a Path>,
    pub now: DateTime<Utc>,
    /// The inventory and configuration as the path language sees them.
    pub document: Value,
}

impl<'a> Facts<'a> {
    pub fn new(
        inventory: Option<&'a Inventory>,
        config: Option<&'a EngagementConfig>,
        checks: Option<&'a ChecksFile>,
        root: Option<&'a Path>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            inventory,
            checks,
            root,
            now,
            document: document::of(inventory, config),
        }
    }
}

/// One check result behind a gate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    /// `id` or `id[subject]`.
    pub check: String,
    pub status: Status,
    pub accepted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A gate and whether it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateStatus {
    pub gate: String,
    pub satisfied: bool,
    pub results: Vec<GateResult>,
    /// Why it does not hold, with what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<GateProblem>,
}

/// An `after` condition and whether it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterStatus {
    pub step: String,
    pub satisfied: bool,
    /// What holds, or what does not and its fix.
    pub detail: Problem,
}

/// A record field as the step needs it now (per-item fields are expanded).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldStatus {
    /// `key`, or `key[n]` for item n of a per-item field.
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// Whether a step can be done now, and what stands in the way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    pub gates: Vec<GateStatus>,
    pub after: Vec<AfterStatus>,
    /// The step's recommended checks: shown, never blocking.
    pub recommendations: Vec<GateStatus>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.gates.iter().all(|g| g.satisfied) && self.after.iter().all(|a| a.satisfied)
    }

    /// Every unmet gate, then every unmet ordering condition (they name their step).
    pub fn blockers(&self) -> Vec<Blocker> {
        let gates = self
            .gates
            .iter()
            .filter(|g| !g.satisfied)
            .map(|g| Blocker::Gate {
                gate: g.gate.clone(),
                problem: g.problem.clone(),
            });
        let after = self
            .after
            .iter()
            .filter(|a| !a.satisfied)
            .map(|a| Blocker::Problem(a.detail.clone()));
        gates.chain(after).collect()
    }
}

/// Evaluates a step's gates and ordering against the facts and the state.
pub fn readiness(
    def: &Definition,
    step: &Step,
    state: &ChecklistState,
    facts: &Facts<'_>,
) -> Readiness {
    let own = state.step(&step.id);
    Readiness {
        gates: step
            .gates
            .iter()
            .map(|g| gate_status(g, facts.checks, Some((step, &own))))
            .collect(),
        recommendations: step
            .recommends
            .iter()
            .map(|g| gate_status(g, facts.checks, Some((step, &own))))
            .collect(),
        after: step
            .after
            .iter()
            .map(|a| {
                let other = state.step(&a.step);
                let title = def
                    .steps
                    .iter()
                    .find(|s| s.id == a.step)
                    .map_or("", |s| s.title.as_str());
                if !other.status.is_closed() {
                    return AfterStatus {
                        step: a.step.clone(),
                        satisfied: false,
                        detail: format!("{} ({title}) is {}; it comes first", a.step, other.status)
                            .into(),
                    };
                }
                let Some(field) = &a.field else {
                    return AfterStatus {
                        step: a.step.clone(),
                        satisfied: true,
                        detail: format!("{} ({title}) is {}", a.step, other.status).into(),
                    };
                };
                let recorded = other.fields.get(field).filter(|v| !v.trim().is_empty());
                let Some(value) = recorded else {
                    return AfterStatus {
                        step: a.step.clone(),
                        satisfied: false,
                        detail: Problem::new(
                            format!("{} has no `{field}` recorded", a.step),
                            Fix::RecordOn {
                                step: a.step.clone(),
                                key: field.clone(),
                            },
                        ),
                    };
                };
                let Some(hours) = a.wait_hours else {
                    return AfterStatus {
                        step: a.step.clone(),
                        satisfied: true,
                        detail: format!("{} recorded {field} = {value}", a.step).into(),
                    };
                };
                let why = a
                    .why
                    .as_deref()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default();
                match DateTime::parse_from_rfc3339(value) {
                    Err(_) => AfterStatus {
                        step: a.step.clone(),
                        satisfied: false,
                        detail: format!(
                            "{}'s `{field}` is `{value}`, not a date and time; set it again",
                            a.step
                        )
                        .into(),
                    },
                    Ok(t) => {
                        let until = t.with_timezone(&Utc) + Duration::hours(i64::from(hours));
                        if facts.now >= until {
                            AfterStatus {
                                step: a.step.clone(),
                                satisfied: true,
                                detail: format!(
                                    "{hours} h after {} {field} have passed{why}",
                                    a.step
                                )
                                .into(),
                            }
                        } else {
                            AfterStatus {
                                step: a.step.clone(),
                                satisfied: false,
                                detail: format!(
                                    "wait until {} ({hours} h after {}'s {field}){why}",
                                    until.format("%Y-%m-%d %H:%M UTC"),
                                    a.step
                                )
                                .into(),
                            }
                        }
                    }
                }
            })
            .collect(),
    }
}

/// The end of a recorded date or the recorded moment: what a dated gate's evidence must
/// be later than. `Err` says what is wrong with the value.
fn recorded_limit(field: &RecordField, value: &str) -> Result<DateTime<Utc>, String> {
    match field.kind {
        FieldKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.succ_opt())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .ok_or_else(|| format!("`{value}` is not a date (YYYY-MM-DD)")),
        _ => DateTime::parse_from_rfc3339(value)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| format!("`{value}` is not a date and time")),
    }
}

/// Whether one result holds a dated gate: its evidence date is later than the limit.
/// A Fail or Unknown never holds it (the date may be wrong or missing for a reason).
fn dated_ok(
    r: &crate::model::CheckResult,
    rule: &DatedRule,
    limit: DateTime<Utc>,
    shown: &str,
) -> Result<(), String> {
    if !matches!(r.status, Status::Pass | Status::Warn) {
        let reason = r
            .reason
            .as_deref()
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        return Err(format!("{} is {}{reason}", r.key(), r.status));
    }
    let Some(value) = r.evidence.get(&rule.evidence) else {
        return Err(format!("{} records no `{}`", r.key(), rule.evidence));
    };
    let Ok(date) = DateTime::parse_from_rfc3339(value) else {
        return Err(format!(
            "{}'s `{}` is `{value}`, not a date and time",
            r.key(),
            rule.evidence
        ));
    };
    if date.with_timezone(&Utc) >= limit {
        Ok(())
    } else {
        Err(format!(
            "{}: {} is {}, not later than {} {shown}",
            r.key(),
            rule.evidence,
            date.format("%Y-%m-%d %H:%M UTC"),
            rule.later_than
        ))
    }
}

fn gate_status(
    gate: &Gate,
    checks: Option<&ChecksFile>,
    step: Option<(&Step, &StepState)>,
) -> GateStatus {
    let text = gate.to_string();
    let Some(checks) = checks else {
        return GateStatus {
            gate: text,
            satisfied: false,
            results: Vec::new(),
            problem: Some(GateProblem::ChecksNotRun),
        };
    };
    let mut results = Vec::new();
    let mut satisfied = false;
    let mut problems = Vec::new();
    // The actions already named by a problem of this gate.
    let mut said: Vec<crate::checks::action::Action> = Vec::new();
    // A dated gate compares with the step's own date: without it, it cannot hold.
    let limit = gate.dated.as_ref().map(|rule| {
        let field = step.and_then(|(s, _)| s.field(&rule.later_than));
        let value = step
            .and_then(|(_, st)| st.fields.get(&rule.later_than))
            .filter(|v| !v.trim().is_empty());
        match (field, value) {
            (Some(f), Some(v)) => recorded_limit(f, v)
                .map(|t| (rule, t, v.clone()))
                .map_err(Problem::from),
            (Some(f), None) => Err(Problem::new(
                format!("`{}` ({}) is not recorded yet", f.key, f.label),
                Fix::Field { key: f.key.clone() },
            )),
            (None, _) => Err(format!("the step records no `{}`", rule.later_than).into()),
        }
    });
    if let Some(Err(why)) = &limit {
        problems.push(why.clone());
    }
    // Problems of the step's own record: fixed there, not by running the checks again.
    let own_problems = problems.len();
    for alt in &gate.any_of {
        let (id, subject) = match alt.split_once('[') {
            Some((id, rest)) => (id, Some(rest.trim_end_matches(']'))),
            None => (alt.as_str(), None),
        };
        let matching: Vec<_> = checks
            .results
            .iter()
            .filter(|r| {
                r.id == id
                    && subject.is_none_or(|s| {
                        r.subject
                            .as_deref()
                            .is_some_and(|rs| rs.eq_ignore_ascii_case(s))
                    })
            })
            .collect();
        if matching.is_empty() {
            problems.push(Problem::new(
                format!("no result for {alt} in checks.yaml"),
                Fix::RunChecks,
            ));
            continue;
        }
        let mut all = true;
        for r in matching {
            // Acceptances are applied to results by the checks, but an acceptance added
            // by hand since counts too.
            let accepted = acceptance_of(checks, r).is_some();
            // A result that is not decided or fails names what the tool can do about it.
            let with_action = |what: String| Problem {
                what,
                fix: r.action.clone().map(Fix::Action),
            };
            let verdict = match &limit {
                _ if accepted => Ok(()),
                None if r.is_satisfied() => Ok(()),
                None => Err(with_action(format!(
                    "{} is {}{}",
                    r.key(),
                    r.status,
                    r.reason
                        .as_deref()
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default()
                ))),
                Some(Ok((rule, t, shown))) => {
                    dated_ok(r, rule, *t, &format!("({shown})")).map_err(|why| match r.status {
                        Status::Pass | Status::Warn => Problem::from(why),
                        _ => with_action(why),
                    })
                }
                Some(Err(_)) => Err(Problem::from(String::new())),
            };
            if let Err(mut why) = verdict {
                all = false;
                // One action is said once per gate: results of many DCs often share it.
                if let Some(Fix::Action(a)) = &why.fix {
                    if said.contains(a) {
                        why.fix = None;
                    } else {
                        said.push(a.clone());
                    }
                }
                if !why.what.is_empty() {
                    problems.push(why);
                }
            }
            results.push(GateResult {
                check: r.key(),
                status: r.status,
                accepted,
                reason: r.reason.clone(),
            });
        }
        satisfied |= all;
    }
    let problem = (!satisfied).then_some(GateProblem::Unmet {
        rerun: problems.len() != own_problems,
        problems,
    });
    GateStatus {
        gate: text,
        satisfied,
        results,
        problem,
    }
}

/// The step's record fields with their current values; per-item fields get one entry
/// per element of their list.
pub fn fields(step: &Step, state: &StepState, facts: &Facts<'_>) -> Vec<FieldStatus> {
    let mut out = Vec::new();
    for f in &step.record {
        let mut push = |key: String, label: String| {
            out.push(FieldStatus {
                value: state.fields.get(&key).cloned(),
                key,
                label,
                kind: f.kind,
                choices: f.choices.clone(),
                required: !f.optional,
                help: f.help.clone(),
            });
        };
        match &f.each {
            None => push(f.key.clone(), f.label.clone()),
            Some(list) => {
                for n in 1..=count_items(&facts.document, list) {
                    push(format!("{}[{n}]", f.key), format!("{} (item {n})", f.label));
                }
            }
        }
    }
    out
}

/// Every reason `state` (the step's state after a change) cannot be done.
pub fn done_problems(
    def: &Definition,
    step: &Step,
    state: &ChecklistState,
    facts: &Facts<'_>,
) -> Vec<Blocker> {
    let own = state.step(&step.id);
    let mut problems = readiness(def, step, state, facts).blockers();
    for f in fields(step, &own, facts) {
        if f.required && f.value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            problems.push(
                Problem::new(
                    format!("record field `{}` ({}) is empty", f.key, f.label),
                    Fix::Field { key: f.key },
                )
                .into(),
            );
        }
    }
    if step.evidence == EvidenceRule::Required && own.evidence.is_empty() {
        problems.push(Problem::new("this step needs evidence".into(), Fix::Evidence).into());
    }
    if let Some(root) = facts.root {
        for e in &own.evidence {
            if !root.join(e).is_file() {
                problems.push(Blocker::Problem(
                    format!("evidence file {e} no longer exists in the engagement").into(),
                ));
            }
        }
    }
    problems
}

/// The first open step (in guide order) that can be done now.
#[derive(Debug, Clone, Serialize)]
pub struct Next {
    /// The step to do now, if any.
    pub step: Option<String>,
    /// When none can be done: the first open step and what blocks it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<Blocker>,
    /// Every step is done or skipped.
    pub complete: bool,
}

pub fn next(def: &Definition, state: &ChecklistState, facts: &Facts<'_>) -> Next {
    let open: Vec<&Step> = def
        .steps
        .iter()
        .filter(|s| !state.step(&s.id).status.is_closed())
        .collect();
    if open.is_empty() {
        return Next {
            step: None,
            waiting: None,
            blockers: Vec::new(),
            complete: true,
        };
    }
    // A step a person marked blocked is not offered; the others in order.
    for s in &open {
        if state.step(&s.id).status != StepStatus::Blocked
            && readiness(def, s, state, facts).ready()
        {
            return Next {
                step: Some(s.id.clone()),
                waiting: None,
                blockers: Vec::new(),
                complete: false,
            };
        }
    }
    let first = open[0];
    let own = state.step(&first.id);
    let mut blockers = readiness(def, first, state, facts).blockers();
    if own.status == StepStatus::Blocked {
        blockers.insert(
            0,
            Blocker::MarkedBlocked {
                reason: own.reason.clone(),
            },
        );
    }
    Next {
        step: None,
        waiting: Some(first.id.clone()),
        blockers,
        complete: false,
    }
}

#[cfg(test)]
mod tests;
