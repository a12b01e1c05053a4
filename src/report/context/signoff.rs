//! The sign-off: the parties, the statement, and what is still open when it is signed.

use super::*;

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

pub(super) fn signoff(
    inputs: &Inputs,
    summary: &Summary,
    phases: &[PhaseSection],
) -> SignOffSection {
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
        .filter(|s| !s.status.is_closed())
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
            .unwrap_or_else(|| crate::report::signoff::DEFAULT_STATEMENT.to_string()),
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
