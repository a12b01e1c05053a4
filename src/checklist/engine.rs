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
use super::{Error, exemplar};
use crate::checks::verdict::acceptance_of;
use crate::engagement::EngagementConfig;
use crate::model::{
    ChecklistChange, ChecklistState, ChecksFile, Inventory, Status, StepState, StepStatus,
};

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
            document: exemplar::document(inventory, config),
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
    /// Why it does not hold, in one line, with what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// An `after` condition and whether it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AfterStatus {
    pub step: String,
    pub satisfied: bool,
    pub detail: String,
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

    /// One line per unmet gate or ordering condition (the latter name their step).
    pub fn blockers(&self) -> Vec<String> {
        let gates = self.gates.iter().filter(|g| !g.satisfied).map(|g| {
            format!(
                "gate {}: {}",
                g.gate,
                g.problem.as_deref().unwrap_or("not satisfied")
            )
        });
        let after = self
            .after
            .iter()
            .filter(|a| !a.satisfied)
            .map(|a| a.detail.clone());
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
                let title = def.steps.iter().find(|s| s.id == a.step).map_or("", |s| s.title.as_str());
                if !other.status.is_closed() {
                    return AfterStatus {
                        step: a.step.clone(),
                        satisfied: false,
                        detail: format!("{} ({title}) is {}; it comes first", a.step, other.status),
                    };
                }
                let Some(field) = &a.field else {
                    return AfterStatus {
                        step: a.step.clone(),
                        satisfied: true,
                        detail: format!("{} ({title}) is {}", a.step, other.status),
                    };
                };
                let recorded = other.fields.get(field).filter(|v| !v.trim().is_empty());
                let Some(value) = recorded else {
                    return AfterStatus {
                        step: a.step.clone(),
                        satisfied: false,
                        detail: format!(
                            "{} has no `{field}` recorded; record it with `ata2atp checklist set {} --field {field}=…`",
                            a.step, a.step
                        ),
                    };
                };
                let Some(hours) = a.wait_hours else {
                    return AfterStatus {
                        step: a.step.clone(),
                        satisfied: true,
                        detail: format!("{} recorded {field} = {value}", a.step),
                    };
                };
                let why = a.why.as_deref().map(|w| format!(" ({w})")).unwrap_or_default();
                match DateTime::parse_from_rfc3339(value) {
                    Err(_) => AfterStatus {
                        step: a.step.clone(),
                        satisfied: false,
                        detail: format!("{}'s `{field}` is `{value}`, not a date and time; set it again", a.step),
                    },
                    Ok(t) => {
                        let until = t.with_timezone(&Utc) + Duration::hours(i64::from(hours));
                        if facts.now >= until {
                            AfterStatus {
                                step: a.step.clone(),
                                satisfied: true,
                                detail: format!("{hours} h after {} {field} have passed{why}", a.step),
                            }
                        } else {
                            AfterStatus {
                                step: a.step.clone(),
                                satisfied: false,
                                detail: format!(
                                    "wait until {} ({hours} h after {}'s {field}){why}",
                                    until.format("%Y-%m-%d %H:%M UTC"),
                                    a.step
                                ),
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
            problem: Some("the checks have not run: run `ata2atp check`".into()),
        };
    };
    let mut results = Vec::new();
    let mut satisfied = false;
    let mut problems = Vec::new();
    // A dated gate compares with the step's own date: without it, it cannot hold.
    let limit = gate.dated.as_ref().map(|rule| {
        let field = step.and_then(|(s, _)| s.field(&rule.later_than));
        let value = step
            .and_then(|(_, st)| st.fields.get(&rule.later_than))
            .filter(|v| !v.trim().is_empty());
        match (field, value) {
            (Some(f), Some(v)) => recorded_limit(f, v).map(|t| (rule, t, v.clone())),
            (Some(f), None) => Err(format!(
                "`{}` ({}) is not recorded yet: pass --field {}=…",
                f.key, f.label, f.key
            )),
            (None, _) => Err(format!("the step records no `{}`", rule.later_than)),
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
            problems.push(format!(
                "no result for {alt} in checks.yaml; run `ata2atp check`"
            ));
            continue;
        }
        let mut all = true;
        for r in matching {
            // Acceptances are applied to results by the checks, but an acceptance added
            // by hand since counts too.
            let accepted = acceptance_of(checks, r).is_some();
            let verdict = match &limit {
                _ if accepted => Ok(()),
                None if r.is_satisfied() => Ok(()),
                None => Err(format!(
                    "{} is {}{}",
                    r.key(),
                    r.status,
                    r.reason
                        .as_deref()
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default()
                )),
                Some(Ok((rule, t, shown))) => dated_ok(r, rule, *t, &format!("({shown})")),
                Some(Err(_)) => Err(String::new()),
            };
            if let Err(why) = verdict {
                all = false;
                if !why.is_empty() {
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
    let problem = (!satisfied).then(|| {
        if problems.len() == own_problems {
            problems.join("; ")
        } else {
            format!(
                "{}; fix it and run `ata2atp check` again, or accept the risk in checks.yaml",
                problems.join("; ")
            )
        }
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
) -> Vec<String> {
    let own = state.step(&step.id);
    let mut problems = readiness(def, step, state, facts).blockers();
    for f in fields(step, &own, facts) {
        if f.required && f.value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            problems.push(format!(
                "record field `{}` ({}) is empty: pass --field {}=…",
                f.key, f.label, f.key
            ));
        }
    }
    if step.evidence == EvidenceRule::Required && own.evidence.is_empty() {
        problems.push(
            "this step needs evidence: attach a file of the engagement with --evidence FILE".into(),
        );
    }
    if let Some(root) = facts.root {
        for e in &own.evidence {
            if !root.join(e).is_file() {
                problems.push(format!(
                    "evidence file {e} no longer exists in the engagement"
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
    pub blockers: Vec<String>,
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
            format!(
                "marked blocked: {}",
                own.reason.as_deref().unwrap_or("no reason given")
            ),
        );
    }
    Next {
        step: None,
        waiting: Some(first.id.clone()),
        blockers,
        complete: false,
    }
}

/// One `set`: what to change on a step.
#[derive(Debug, Clone, Default)]
pub struct SetRequest {
    pub step: String,
    pub status: Option<StepStatus>,
    pub by: String,
    pub note: Option<String>,
    /// Why the step is skipped or blocked.
    pub reason: Option<String>,
    /// `key=value` pairs; an empty value removes the field.
    pub fields: Vec<(String, String)>,
    /// Files to attach: relative to the engagement folder (or, failing that, to the
    /// current folder), or absolute; they must exist inside the engagement.
    pub evidence: Vec<PathBuf>,
}

/// The step `id` names (ignoring case), or an error saying where the ids are listed.
pub fn find<'d>(def: &'d Definition, id: &str) -> Result<&'d Step, Error> {
    def.steps
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| Error::UnknownStep {
            step: id.to_string(),
            guide: def.guide.clone(),
        })
}

/// Applies `req` to `state`, or refuses it with every reason and changes nothing.
pub fn apply(
    def: &Definition,
    state: &mut ChecklistState,
    facts: &Facts<'_>,
    req: &SetRequest,
) -> Result<ChecklistChange, Error> {
    let step = find(def, &req.step)?;
    let input = |m: String| Error::Input(format!("step {}: {m}", step.id));
    if req.by.trim().is_empty() {
        return Err(input("--by must name who made the change".into()));
    }
    if req.status.is_none()
        && req.fields.is_empty()
        && req.note.is_none()
        && req.evidence.is_empty()
        && req.reason.is_none()
    {
        return Err(input(
            "nothing to change: give --status, --field, --note, --reason or --evidence".into(),
        ));
    }
    let before = state.step(&step.id);
    let mut after = before.clone();
    let to = req.status.unwrap_or(before.status);

    let mut changed_fields = BTreeSet::new();
    for (key, value) in &req.fields {
        let field = field_for(step, key, facts).map_err(input)?;
        let value = value.trim();
        if value.is_empty() {
            after.fields.remove(key);
        } else {
            let normalised = normalise(field, value, facts.now)
                .map_err(|e| input(format!("field `{key}`: {e}")))?;
            after.fields.insert(key.clone(), normalised);
        }
        changed_fields.insert(key.clone());
    }

    let mut added = Vec::new();
    for path in &req.evidence {
        let rel = evidence_path(facts.root, path).map_err(input)?;
        if !after.evidence.contains(&rel) {
            after.evidence.push(rel.clone());
            added.push(rel);
        }
    }

    if let Some(note) = &req.note {
        after.note = Some(note.clone()).filter(|n| !n.trim().is_empty());
    }
    match to {
        StepStatus::Skipped | StepStatus::Blocked => {
            let reason = req.reason.clone().or_else(|| {
                // Keep the reason when only fields or the note change.
                (before.status == to)
                    .then(|| before.reason.clone())
                    .flatten()
            });
            match reason.filter(|r| !r.trim().is_empty()) {
                Some(r) => after.reason = Some(r),
                None => return Err(input(format!("a {to} step needs --reason saying why"))),
            }
        }
        _ => {
            if req.reason.is_some() {
                return Err(input(format!(
                    "--reason is for skipped or blocked steps, not {to}; use --note"
                )));
            }
            after.reason = None;
        }
    }
    after.status = to;
    after.by = Some(req.by.trim().to_string());
    after.at = Some(facts.now);

    let mut candidate = state.clone();
    candidate.steps.insert(step.id.clone(), after);
    if to == StepStatus::Done {
        let problems = done_problems(def, step, &candidate, facts);
        if !problems.is_empty() {
            return Err(Error::Refused {
                step: step.id.clone(),
                title: step.title.clone(),
                reasons: problems,
            });
        }
    }
    *state = candidate;
    Ok(ChecklistChange {
        at: facts.now,
        guide: def.guide.clone(),
        step: step.id.clone(),
        by: Some(req.by.trim().to_string()),
        from: before.status,
        to,
        reason: state
            .step(&step.id)
            .reason
            .filter(|_| matches!(to, StepStatus::Skipped | StepStatus::Blocked)),
        note: req.note.clone(),
        fields: changed_fields.into_iter().collect(),
        evidence: added,
    })
}

/// The record field a `key` or `key[n]` names, or why it names none.
fn field_for<'s>(step: &'s Step, key: &str, facts: &Facts<'_>) -> Result<&'s RecordField, String> {
    let (base, index) = match key.split_once('[') {
        Some((base, rest)) => {
            let n: usize = rest
                .strip_suffix(']')
                .and_then(|n| n.parse().ok())
                .filter(|&n| n >= 1)
                .ok_or_else(|| format!("`{key}`: write an item as {base}[N], N from 1"))?;
            (base, Some(n))
        }
        None => (key, None),
    };
    let Some(field) = step.field(base) else {
        let known: Vec<String> = step
            .record
            .iter()
            .map(|f| {
                if f.each.is_some() {
                    format!("{}[N]", f.key)
                } else {
                    f.key.clone()
                }
            })
            .collect();
        let known = if known.is_empty() {
            "none".into()
        } else {
            known.join(", ")
        };
        return Err(format!("unknown field `{key}`; this step records: {known}"));
    };
    match (&field.each, index) {
        (None, None) => Ok(field),
        (None, Some(_)) => Err(format!(
            "`{base}` is one value, not one per item: use --field {base}=…"
        )),
        (Some(list), None) => Err(format!(
            "`{base}` is recorded per item of {list}: use --field {base}[N]=…"
        )),
        (Some(list), Some(n)) => {
            let count = count_items(&facts.document, list);
            if n > count {
                Err(format!(
                    "`{key}`: {list} has {count} item(s) in the inventory"
                ))
            } else {
                Ok(field)
            }
        }
    }
}

/// Checks and normalises a value for its field's kind.
pub fn normalise(field: &RecordField, value: &str, now: DateTime<Utc>) -> Result<String, String> {
    match field.kind {
        FieldKind::Text => Ok(value.to_string()),
        FieldKind::YesNo => match value.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" => Ok("yes".into()),
            "no" | "n" | "false" => Ok("no".into()),
            _ => Err(format!("`{value}` is not yes or no")),
        },
        FieldKind::Choice => field
            .choices
            .iter()
            .find(|c| c.eq_ignore_ascii_case(value))
            .cloned()
            .ok_or_else(|| format!("`{value}` is not one of: {}", field.choices.join(", "))),
        FieldKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(|d| d.format("%Y-%m-%d").to_string())
            .map_err(|_| format!("`{value}` is not a date like 2026-11-18")),
        FieldKind::Datetime => parse_datetime(value, now)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .ok_or_else(|| {
                format!("`{value}` is not a date and time: use `now`, 2026-11-18T14:30:00Z, or 2026-11-18 14:30 (local time)")
            }),
    }
}

fn parse_datetime(value: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if value.eq_ignore_ascii_case("now") {
        return Some(now);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    // A time without a zone is the consultant's wall clock: the machine's local time.
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(value, format) {
            return Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    None
}

/// The engagement-relative path of an evidence file, or why it cannot be one.
fn evidence_path(root: Option<&Path>, path: &Path) -> Result<String, String> {
    let root = root.ok_or("evidence needs an engagement folder")?;
    let root = root.canonicalize().map_err(|e| {
        format!(
            "cannot resolve the engagement folder {}: {e}",
            root.display()
        )
    })?;
    let candidate = if path.is_absolute() {
        path.to_path_buf()
    } else if root.join(path).exists() {
        root.join(path)
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let resolved = candidate.canonicalize().map_err(|_| {
        format!(
            "evidence file {} does not exist; put it in the engagement (e.g. evidence/) and give its path",
            path.display()
        )
    })?;
    if !resolved.is_file() {
        return Err(format!("evidence {} is not a file", path.display()));
    }
    // Canonical paths on both sides: a symlink or `..` cannot smuggle a file in.
    let rel = resolved.strip_prefix(&root).map_err(|_| {
        format!(
            "evidence file {} is outside the engagement {}; copy it into {}/evidence/ first",
            path.display(),
            root.display(),
            root.display()
        )
    })?;
    Ok(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/"))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::checklist::{exemplar, parse};
    use crate::model::{Acceptance, CheckResult, GuideRef, SCHEMA_VERSION};

    const DEF: &str = "\
schema_version: 1
guide: t
title: T
phases: [{id: p, title: P}]
steps:
  - id: A
    phase: p
    title: a
    record:
      - {key: who, label: Who}
      - {key: when, label: When, kind: datetime}
      - {key: pick, label: Pick, kind: choice, choices: [Direct, Proxy]}
      - {key: ok, label: OK, kind: yes_no, optional: true}
      - {key: day, label: Day, kind: date, optional: true}
  - id: B
    phase: p
    title: b
    gates: [dc.cpu, 'network.sensor_api | network.sensor_api_proxy']
    after: [{step: A}]
  - id: C
    phase: p
    title: c
    after: [{step: A, field: when, wait_hours: 2, why: initial sync}]
    record: [{key: t, label: Target, each: ata.exclusions}]
  - id: D
    phase: p
    title: d
    evidence: required
";

    fn def() -> Definition {
        parse(DEF, "t.yaml").unwrap()
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap()
    }

    fn result(id: &str, subject: Option<&str>, status: Status) -> CheckResult {
        CheckResult {
            id: id.into(),
            title: id.into(),
            guide: GuideRef::Both,
            subject: subject.map(str::to_string),
            status,
            reason: Some(format!("{id} said {status}")),
            evidence: Default::default(),
            remediation: None,
            accepted: None,
        }
    }

    fn checks(results: Vec<CheckResult>) -> ChecksFile {
        ChecksFile {
            schema_version: SCHEMA_VERSION,
            tool_version: "t".into(),
            ran_at: t0(),
            inventory_sha256: None,
            results,
            acceptances: Vec::new(),
        }
    }

    fn req(step: &str, status: Option<StepStatus>, fields: &[(&str, &str)]) -> SetRequest {
        SetRequest {
            step: step.into(),
            status,
            by: "Jo".into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..SetRequest::default()
        }
    }

    fn refused(e: Error) -> Vec<String> {
        match e {
            Error::Refused { reasons, .. } => reasons,
            other => panic!("expected a refusal, got {other}"),
        }
    }

    #[test]
    fn gates_need_every_result_passed_or_accepted_and_any_of_one_alternative() {
        let def = def();
        let b = &def.steps[1];
        let gate = |c: Option<&ChecksFile>| {
            b.gates
                .iter()
                .map(|g| gate_status(g, c, None))
                .collect::<Vec<_>>()
        };

        let g = gate(None);
        assert!(
            !g[0].satisfied
                && g[0]
                    .problem
                    .as_deref()
                    .unwrap()
                    .contains("run `ata2atp check`")
        );

        let mut c = checks(vec![
            result("dc.cpu", Some("FAB-DC01"), Status::Pass),
            result("dc.cpu", Some("FAB-DC02"), Status::Fail),
            result("network.sensor_api", None, Status::Fail),
            result("network.sensor_api_proxy", None, Status::Pass),
        ]);
        let g = gate(Some(&c));
        assert!(!g[0].satisfied, "{g:?}");
        assert!(
            g[0].problem
                .as_deref()
                .unwrap()
                .contains("dc.cpu[FAB-DC02] is fail: dc.cpu said fail"),
            "{g:?}"
        );
        assert!(g[1].satisfied, "one of the alternatives passed: {g:?}");

        // Accepted on the result, or by an acceptance naming the result's key.
        c.acceptances.push(Acceptance {
            check: "dc.cpu[fab-dc02]".into(),
            by: "Jo".into(),
            reason: "retired next month".into(),
            at: t0(),
        });
        let g = gate(Some(&c));
        assert!(
            g[0].satisfied && g[0].results.iter().any(|r| r.accepted),
            "{g:?}"
        );

        // No result at all for a check is not a pass.
        let g = gate(Some(&checks(vec![result(
            "network.sensor_api",
            None,
            Status::Pass,
        )])));
        assert!(
            !g[0].satisfied
                && g[0]
                    .problem
                    .as_deref()
                    .unwrap()
                    .contains("no result for dc.cpu")
        );
        assert!(g[1].satisfied);
        let g = gate(Some(&checks(vec![result(
            "network.sensor_api",
            None,
            Status::Warn,
        )])));
        assert!(!g[1].satisfied, "a warning is not a pass");
    }

    #[test]
    fn a_dated_gate_compares_the_evidence_date_with_the_steps_own_date() {
        let def = parse(
            "\
schema_version: 1
guide: t
title: T
phases: [{id: p, title: P}]
steps:
  - id: S
    phase: p
    title: s
    gates: [{check: ata.center_certificate, evidence: not_after, later_than: gone}]
    record: [{key: gone, label: Planned decommission, kind: date}]
",
            "t.yaml",
        )
        .unwrap();
        let inv = exemplar::inventory();
        let cert = |status: Status, not_after: Option<&str>| {
            let mut r = result("ata.center_certificate", None, status);
            if let Some(t) = not_after {
                r.evidence.insert("not_after".into(), t.into());
            }
            checks(vec![r])
        };
        let try_done = |c: &ChecksFile, gone: Option<&str>| {
            let facts = Facts::new(Some(&inv), None, Some(c), None, t0());
            let mut state = ChecklistState::new("t");
            let fields: Vec<(&str, &str)> = gone.map(|g| ("gone", g)).into_iter().collect();
            apply(
                &def,
                &mut state,
                &facts,
                &req("S", Some(StepStatus::Done), &fields),
            )
            .map(|_| ())
            .map_err(|e| refused(e).join("\n"))
        };
        // A warning (60 days left) holds when the certificate outlives the recorded day.
        let warn = cert(Status::Warn, Some("2027-01-31T09:59:59+00:00"));
        assert_eq!(try_done(&warn, Some("2027-01-30")), Ok(()));
        // The certificate must last the whole decommission day, and longer is refused.
        for day in ["2027-01-31", "2027-03-01"] {
            let e = try_done(&warn, Some(day)).unwrap_err();
            assert!(
                e.contains(&format!(
                    "ata.center_certificate: not_after is 2027-01-31 09:59 UTC, not later than gone ({day})"
                )),
                "{e}"
            );
        }
        // Without the date the gate cannot hold.
        let e = try_done(&warn, None).unwrap_err();
        assert!(
            e.contains("gate ata.center_certificate (not_after later than gone): `gone` (Planned decommission) is not recorded yet"),
            "{e}"
        );
        // Fixed by recording it, not by running the checks again.
        assert!(!e.contains("run `ata2atp check` again"), "{e}");
        // A failed or undecided check never holds it, whatever its date; an accepted one does.
        let mut failed = cert(Status::Fail, Some("2030-01-01T00:00:00Z"));
        let e = try_done(&failed, Some("2027-01-30")).unwrap_err();
        assert!(e.contains("ata.center_certificate is fail"), "{e}");
        failed.acceptances.push(Acceptance {
            check: "ata.center_certificate".into(),
            by: "Jo".into(),
            reason: "the new certificate is activated next week".into(),
            at: t0(),
        });
        assert_eq!(try_done(&failed, Some("2027-01-30")), Ok(()));
        // No date in the evidence, or not a date: said, not guessed.
        let e = try_done(&cert(Status::Pass, None), Some("2027-01-30")).unwrap_err();
        assert!(
            e.contains("ata.center_certificate records no `not_after`"),
            "{e}"
        );
        let e = try_done(&cert(Status::Pass, Some("soon")), Some("2027-01-30")).unwrap_err();
        assert!(
            e.contains("`not_after` is `soon`, not a date and time"),
            "{e}"
        );
    }

    #[test]
    fn done_is_refused_with_every_reason_and_nothing_changes() {
        let def = def();
        let inv = exemplar::inventory();
        let facts = Facts::new(Some(&inv), None, None, None, t0());
        let mut state = ChecklistState::new("t");
        let e = apply(
            &def,
            &mut state,
            &facts,
            &req("b", Some(StepStatus::Done), &[]),
        )
        .unwrap_err();
        let reasons = refused(e);
        assert_eq!(reasons.len(), 3, "{reasons:#?}");
        assert!(reasons[0].starts_with("gate dc.cpu: the checks have not run"));
        assert!(reasons[2].starts_with("A (a) is todo; it comes first"));
        assert!(state.steps.is_empty(), "a refused set changes nothing");

        let e = apply(
            &def,
            &mut state,
            &facts,
            &req("A", Some(StepStatus::Done), &[("who", "Jo")]),
        )
        .unwrap_err();
        let reasons = refused(e);
        assert_eq!(reasons.len(), 2, "{reasons:#?}");
        assert!(
            reasons[0].contains("`when` (When) is empty: pass --field when=…"),
            "{reasons:?}"
        );
        assert!(state.steps.is_empty());

        let change = apply(
            &def,
            &mut state,
            &facts,
            &req(
                "A",
                Some(StepStatus::Done),
                &[
                    ("who", "Jo"),
                    ("when", "now"),
                    ("pick", "proxy"),
                    ("ok", "Y"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(
            (change.from, change.to, change.step.as_str()),
            (StepStatus::Todo, StepStatus::Done, "A")
        );
        assert_eq!(change.fields, ["ok", "pick", "when", "who"]);
        let a = state.step("A");
        assert_eq!(a.fields["pick"], "Proxy");
        assert_eq!(a.fields["ok"], "yes");
        assert_eq!(a.fields["when"], "2026-11-18T12:00:00Z");
        assert_eq!((a.by.as_deref(), a.at), (Some("Jo"), Some(t0())));

        // Emptying a required field of a done step is refused too.
        let e = apply(&def, &mut state, &facts, &req("A", None, &[("who", "")])).unwrap_err();
        assert!(refused(e)[0].contains("`who`"));
        assert_eq!(state.step("A").fields["who"], "Jo");
    }

    #[test]
    fn the_initial_sync_wait_counts_from_the_recorded_time() {
        let def = def();
        let inv = exemplar::inventory();
        let mut state = ChecklistState::new("t");
        let at = |h: i64| Facts::new(Some(&inv), None, None, None, t0() + Duration::minutes(h));
        apply(
            &def,
            &mut state,
            &at(0),
            &req(
                "A",
                Some(StepStatus::Done),
                &[
                    ("who", "J"),
                    ("when", "2026-11-18T12:00:00Z"),
                    ("pick", "direct"),
                ],
            ),
        )
        .unwrap();
        let fill = [
            ("t[1]", "rule: DNS reconnaissance"),
            ("t[2]", "global exclusion"),
        ];
        let e = apply(
            &def,
            &mut state,
            &at(119),
            &req("C", Some(StepStatus::Done), &fill),
        )
        .unwrap_err();
        assert_eq!(
            refused(e),
            ["wait until 2026-11-18 14:00 UTC (2 h after A's when) (initial sync)"]
        );
        apply(
            &def,
            &mut state,
            &at(120),
            &req("C", Some(StepStatus::Done), &fill),
        )
        .unwrap();

        // The same holds when A is skipped but the time was recorded; not when it is missing.
        let mut state = ChecklistState::new("t");
        let mut skip = req("A", Some(StepStatus::Skipped), &[]);
        skip.reason = Some("sensors already installed".into());
        apply(&def, &mut state, &at(0), &skip).unwrap();
        let e = apply(
            &def,
            &mut state,
            &at(500),
            &req("C", Some(StepStatus::Done), &fill),
        )
        .unwrap_err();
        assert!(refused(e)[0].contains(
            "A has no `when` recorded; record it with `ata2atp checklist set A --field when=…`"
        ));
    }

    #[test]
    fn per_item_fields_follow_the_inventory() {
        let def = def();
        let inv = exemplar::inventory();
        let facts = Facts::new(Some(&inv), None, None, None, t0());
        let mut state = ChecklistState::new("t");
        let c = &def.steps[2];
        let keys: Vec<String> = fields(c, &state.step("C"), &facts)
            .into_iter()
            .map(|f| f.key)
            .collect();
        assert_eq!(keys, ["t[1]", "t[2]"]);
        for (key, message) in [
            ("t[3]", "ata.exclusions has 2 item(s)"),
            ("t[0]", "write an item as t[N], N from 1"),
            ("t", "use --field t[N]=…"),
            ("who", "unknown field `who`; this step records: t[N]"),
        ] {
            let e = apply(&def, &mut state, &facts, &req("C", None, &[(key, "x")]))
                .unwrap_err()
                .to_string();
            assert!(e.contains(message), "{key}: {e}");
        }
        apply(
            &def,
            &mut state,
            &facts,
            &req("C", None, &[("t[2]", "global")]),
        )
        .unwrap();
        assert_eq!(
            state.step("C").status,
            StepStatus::Todo,
            "fields alone keep the status"
        );
    }

    #[test]
    fn skipped_and_blocked_need_a_reason_and_others_refuse_one() {
        let def = def();
        let facts = Facts::new(None, None, None, None, t0());
        let mut state = ChecklistState::new("t");
        let e = apply(
            &def,
            &mut state,
            &facts,
            &req("D", Some(StepStatus::Blocked), &[]),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("a blocked step needs --reason"),
            "{e}"
        );
        let mut r = req("D", Some(StepStatus::Blocked), &[]);
        r.reason = Some("waiting for the change window".into());
        let change = apply(&def, &mut state, &facts, &r).unwrap();
        assert_eq!(
            change.reason.as_deref(),
            Some("waiting for the change window")
        );
        // A note on a blocked step keeps its reason.
        let mut n = req("D", None, &[]);
        n.note = Some("asked again".into());
        apply(&def, &mut state, &facts, &n).unwrap();
        assert_eq!(
            state.step("D").reason.as_deref(),
            Some("waiting for the change window")
        );
        let mut r = req("D", Some(StepStatus::InProgress), &[]);
        r.reason = Some("x".into());
        assert!(
            apply(&def, &mut state, &facts, &r)
                .unwrap_err()
                .to_string()
                .contains("use --note")
        );
        apply(
            &def,
            &mut state,
            &facts,
            &req("D", Some(StepStatus::InProgress), &[]),
        )
        .unwrap();
        assert_eq!(state.step("D").reason, None);
        assert!(
            apply(&def, &mut state, &facts, &req("D", None, &[]))
                .unwrap_err()
                .to_string()
                .contains("nothing to change")
        );
        let mut nobody = req("D", Some(StepStatus::Todo), &[]);
        nobody.by = " ".into();
        assert!(apply(&def, &mut state, &facts, &nobody).is_err());
        assert!(matches!(
            apply(
                &def,
                &mut state,
                &facts,
                &req("Z9", Some(StepStatus::Todo), &[])
            ),
            Err(Error::UnknownStep { .. })
        ));
    }

    #[test]
    fn values_are_checked_and_normalised_by_kind() {
        let def = def();
        let a = &def.steps[0];
        let f = |k: &str| a.field(k).unwrap();
        assert_eq!(normalise(f("ok"), "TRUE", t0()).unwrap(), "yes");
        assert!(
            normalise(f("ok"), "maybe", t0())
                .unwrap_err()
                .contains("not yes or no")
        );
        assert!(
            normalise(f("pick"), "vpn", t0())
                .unwrap_err()
                .contains("Direct, Proxy")
        );
        assert_eq!(
            normalise(f("day"), "2026-11-18", t0()).unwrap(),
            "2026-11-18"
        );
        assert!(normalise(f("day"), "18/11/2026", t0()).is_err());
        assert_eq!(
            normalise(f("when"), "2026-11-18T15:00:00+01:00", t0()).unwrap(),
            "2026-11-18T14:00:00Z"
        );
        let local = normalise(f("when"), "2026-11-18 15:00", t0()).unwrap();
        assert!(DateTime::parse_from_rfc3339(&local).is_ok(), "{local}");
        assert!(
            normalise(f("when"), "tomorrow", t0())
                .unwrap_err()
                .contains("use `now`")
        );
    }

    #[test]
    fn evidence_must_be_an_existing_file_inside_the_engagement() {
        let def = def();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("eng");
        std::fs::create_dir_all(root.join("evidence")).unwrap();
        std::fs::write(root.join("evidence/export.csv"), "id\n").unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "x").unwrap();
        let facts = Facts::new(None, None, None, Some(&root), t0());
        let mut state = ChecklistState::new("t");
        let with = |p: PathBuf| SetRequest {
            evidence: vec![p],
            ..req("D", None, &[])
        };
        for (path, message) in [
            (outside.clone(), "is outside the engagement"),
            (
                root.join("evidence/../../outside.txt"),
                "is outside the engagement",
            ),
            (PathBuf::from("evidence/missing.png"), "does not exist"),
            (PathBuf::from("evidence"), "is not a file"),
        ] {
            let e = apply(&def, &mut state, &facts, &with(path.clone()))
                .unwrap_err()
                .to_string();
            assert!(e.contains(message), "{}: {e}", path.display());
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, root.join("evidence/link.txt")).unwrap();
            let e = apply(
                &def,
                &mut state,
                &facts,
                &with(PathBuf::from("evidence/link.txt")),
            )
            .unwrap_err();
            assert!(e.to_string().contains("outside the engagement"), "{e}");
        }
        let e = apply(
            &def,
            &mut state,
            &facts,
            &req("D", Some(StepStatus::Done), &[]),
        )
        .unwrap_err();
        assert!(refused(e)[0].contains("needs evidence"));
        let change = apply(
            &def,
            &mut state,
            &facts,
            &with(root.join("evidence/export.csv")),
        )
        .unwrap();
        assert_eq!(change.evidence, ["evidence/export.csv"]);
        apply(
            &def,
            &mut state,
            &facts,
            &with(PathBuf::from("evidence/export.csv")),
        )
        .unwrap();
        assert_eq!(
            state.step("D").evidence,
            ["evidence/export.csv"],
            "attached once"
        );
        apply(
            &def,
            &mut state,
            &facts,
            &req("D", Some(StepStatus::Done), &[]),
        )
        .unwrap();
        // A file removed afterwards is noticed the next time the step is checked.
        std::fs::remove_file(root.join("evidence/export.csv")).unwrap();
        let problems = done_problems(&def, &def.steps[3], &state, &facts);
        assert!(problems[0].contains("no longer exists"), "{problems:?}");
    }

    #[test]
    fn next_is_the_first_open_step_that_can_be_done_now() {
        let def = def();
        let inv = exemplar::inventory();
        let facts = Facts::new(Some(&inv), None, None, None, t0());
        let mut state = ChecklistState::new("t");
        assert_eq!(next(&def, &state, &facts).step.as_deref(), Some("A"));
        let mut r = req("A", Some(StepStatus::Blocked), &[]);
        r.reason = Some("no admin".into());
        apply(&def, &mut state, &facts, &r).unwrap();
        // B and C wait for A; D can be done (its evidence comes with the doing).
        assert_eq!(next(&def, &state, &facts).step.as_deref(), Some("D"));
        let mut s = req("D", Some(StepStatus::Skipped), &[]);
        s.reason = Some("n/a".into());
        apply(&def, &mut state, &facts, &s).unwrap();
        let n = next(&def, &state, &facts);
        assert_eq!((n.step, n.waiting.as_deref()), (None, Some("A")));
        assert_eq!(n.blockers, ["marked blocked: no admin"]);
        for id in ["A", "B", "C"] {
            let mut s = req(id, Some(StepStatus::Skipped), &[]);
            s.reason = Some("n/a".into());
            apply(&def, &mut state, &facts, &s).unwrap();
        }
        assert!(next(&def, &state, &facts).complete);
    }
}
