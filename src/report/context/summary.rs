//! The summary's counts: the readiness verdict, the checks by status, the checklist's
//! progress, the alerts, what the inventory holds.

use super::*;

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

pub(super) fn progress(inputs: &Inputs, facts: &Facts<'_>) -> Progress {
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
            next.blockers
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        )),
        _ => None,
    };
    p
}

pub(super) fn summary(inputs: &Inputs, prereq: &Prerequisites, checklist: Progress) -> Summary {
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
    let verdict = verdict(inputs.checks.as_ref(), prereq.stale).worded(&crate::checks::action::Cli);
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
