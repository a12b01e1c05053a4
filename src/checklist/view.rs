//! What the front ends show: progress per phase, and one step with everything needed to
//! do it. Plain serde types (the `-o json|yaml` output of `checklist list|show|next`).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::bind::{BoundShow, bind_step};
use super::definition::{Definition, EvidenceRule, Step};
use super::engine::{self, AfterStatus, Blocker, Facts, FieldStatus, GateStatus};
use super::state::unknown_steps;
use crate::model::{ChecklistState, StepState, StepStatus};

/// `checklist list`: progress per phase.
#[derive(Debug, Clone, Serialize)]
pub struct ListView {
    pub guide: String,
    pub title: String,
    pub origin: String,
    pub total: usize,
    pub done: usize,
    pub skipped: usize,
    pub phases: Vec<PhaseView>,
    /// The first step that can be done now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Steps in `checklist.yaml` this guide does not define: kept, not shown elsewhere.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_steps: Vec<UnknownStep>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseView {
    pub id: String,
    pub title: String,
    pub total: usize,
    pub done: usize,
    pub skipped: usize,
    pub steps: Vec<StepLine>,
}

/// How many of a phase's steps are done and how many skipped: the counts the list and
/// the report give each phase.
pub fn done_and_skipped(statuses: impl IntoIterator<Item = StepStatus>) -> (usize, usize) {
    statuses
        .into_iter()
        .fold((0, 0), |(done, skipped), s| match s {
            StepStatus::Done => (done + 1, skipped),
            StepStatus::Skipped => (done, skipped + 1),
            _ => (done, skipped),
        })
}

/// One line of the list.
#[derive(Debug, Clone, Serialize)]
pub struct StepLine {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub title: String,
    pub status: StepStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// For an open step: its gates and ordering hold.
    pub ready: bool,
    /// For an open step, what it waits for; for a done step, gates that no longer hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting: Vec<Blocker>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnknownStep {
    pub id: String,
    pub status: StepStatus,
}

pub fn list_view(def: &Definition, state: &ChecklistState, facts: &Facts<'_>) -> ListView {
    let mut phases = Vec::new();
    for phase in &def.phases {
        let steps: Vec<StepLine> = def
            .steps
            .iter()
            .filter(|s| s.phase == phase.id)
            .map(|s| {
                let own = state.step(&s.id);
                let readiness = engine::readiness(def, s, state, facts);
                let waiting = if own.status == StepStatus::Done {
                    // A gate that failed after the step was done is worth a look; the
                    // ordering, by then, is history.
                    readiness
                        .gates
                        .iter()
                        .filter(|g| !g.satisfied)
                        .map(|g| {
                            Blocker::Problem(format!("gate {} no longer holds", g.gate).into())
                        })
                        .collect()
                } else if own.status == StepStatus::Skipped {
                    Vec::new()
                } else {
                    readiness.blockers()
                };
                StepLine {
                    id: s.id.clone(),
                    number: s.number.clone(),
                    title: s.title.clone(),
                    status: own.status,
                    by: own.by.clone(),
                    at: own.at,
                    ready: readiness.ready(),
                    waiting,
                    reason: own.reason.clone(),
                }
            })
            .collect();
        let (done, skipped) = done_and_skipped(steps.iter().map(|s| s.status));
        phases.push(PhaseView {
            id: phase.id.clone(),
            title: phase.title.clone(),
            total: steps.len(),
            done,
            skipped,
            steps,
        });
    }
    ListView {
        guide: def.guide.clone(),
        title: def.title.clone(),
        origin: def.origin.clone(),
        total: def.steps.len(),
        done: phases.iter().map(|p| p.done).sum(),
        skipped: phases.iter().map(|p| p.skipped).sum(),
        phases,
        next: engine::next(def, state, facts).step,
        unknown_steps: unknown_steps(def, state)
            .into_iter()
            .map(|id| UnknownStep {
                status: state.step(&id).status,
                id,
            })
            .collect(),
    }
}

/// `checklist show ID`: one step with its values, gates, ordering and record fields.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub guide: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub phase: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub state: StepState,
    /// The inventory values to enter again.
    pub values: Vec<BoundShow>,
    pub gates: Vec<GateStatus>,
    /// Checks recommended with the step (they never block it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recommendations: Vec<GateStatus>,
    pub after: Vec<AfterStatus>,
    pub record: Vec<FieldStatus>,
    pub evidence_required: bool,
    /// Gates and ordering hold.
    pub ready: bool,
    /// Why `set --status done` would be refused now (empty: it would be accepted).
    pub done_problems: Vec<Blocker>,
}

pub fn step_view(
    def: &Definition,
    step: &Step,
    state: &ChecklistState,
    facts: &Facts<'_>,
) -> StepView {
    let own = state.step(&step.id);
    let readiness = engine::readiness(def, step, state, facts);
    StepView {
        guide: def.guide.clone(),
        id: step.id.clone(),
        number: step.number.clone(),
        phase: def
            .phases
            .iter()
            .find(|p| p.id == step.phase)
            .map_or_else(|| step.phase.clone(), |p| p.title.clone()),
        title: step.title.clone(),
        link: step.link.clone(),
        detail: step.detail.clone(),
        values: bind_step(def, step, &facts.document, facts.inventory),
        record: engine::fields(step, &own, facts),
        evidence_required: step.evidence == EvidenceRule::Required,
        ready: readiness.ready(),
        done_problems: engine::done_problems(def, step, state, facts),
        gates: readiness.gates,
        recommendations: readiness.recommendations,
        after: readiness.after,
        state: own,
    }
}
