//! The signer's summary: what the person who signs must see first, on two printed pages
//! for the demo. The verdict, every failing or undecided result grouped by what it is
//! about with its remediation and owner, the accepted risks with who and why, the
//! checklist's open steps, and a one-line count of the passes (their list is in the
//! appendix). The action lists (`report --format actions`) are made from the same
//! [`ActionLine`]s, so the summary and the tickets never disagree.

use serde::{Deserialize, Serialize};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::{PhaseSection, when};
use crate::checklist::definition::FieldKind;
use crate::checks::verdict::acceptance_of;
use crate::model::{ChecksFile, Status, StepStatus};
use crate::report::inputs::Inputs;

/// A remediation longer than this is cut in the summary (at a word); the full text is in
/// the appendix and in the action lists.
pub const SHORT_REMEDIATION: usize = 90;

/// One failing or undecided result, with who acts on it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActionLine {
    /// `id` or `id[subject]`.
    pub check: String,
    pub id: String,
    pub title: String,
    pub subject: Option<String>,
    /// Never `pass`: passes are counted, not listed.
    pub status: Status,
    pub reason: Option<String>,
    pub remediation: Option<String>,
    /// What the result is about: the area heading of the summary.
    pub area: String,
    /// Who acts: a team, or the host (a DC, a server) the result names.
    pub owner: String,
}

/// Results of one area, collapsed: results with the same status and remediation (the
/// Lightweight Gateway still on five DCs, the twelve checks of a DC whose facts were
/// never collected) are one item naming every subject.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ActionArea {
    pub id: String,
    pub title: String,
    pub items: Vec<ActionItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActionItem {
    /// The check's title, or `N checks: id, id, …` when several checks share the item.
    pub title: String,
    pub status: Status,
    pub checks: Vec<String>,
    pub subjects: Vec<String>,
    /// The remediation whole, and cut for the summary.
    pub remediation: String,
    pub remediation_short: String,
    /// The results this item stands for.
    pub count: usize,
    pub owner: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AcceptedRisk {
    pub check: String,
    pub title: String,
    pub status: Status,
    pub by: String,
    pub at: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenStep {
    pub id: String,
    pub title: String,
    /// Never `done` or `skipped`.
    pub status: StepStatus,
    /// What it waits for first, when it cannot be done now.
    pub waiting: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignerSummary {
    /// Failing and undecided results not accepted as risks, one line each.
    pub actions: Vec<ActionLine>,
    /// The same, grouped for reading.
    pub areas: Vec<ActionArea>,
    pub accepted: Vec<AcceptedRisk>,
    pub open_steps: Vec<OpenStep>,
    pub steps_total: usize,
    /// Results that passed: counted here, listed in the appendix.
    pub passed: usize,
    /// `id[subject]` of each pass, for the appendix's one-paragraph list.
    pub passed_checks: Vec<String>,
    /// The dates the engagement knows, for the action lists' calendar.
    #[serde(default)]
    pub deadlines: Vec<Deadline>,
}

/// A date the tool knows from the engagement's data: a certificate's or a password's
/// expiry, the end of the initial sync, the planned decommission.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deadline {
    /// ISO 8601: `2027-01-31T00:00:00Z`, or `2027-01-31` for a whole day.
    pub at: String,
    /// For the reader: `2027-01-31 00:00 UTC`.
    pub when: String,
    pub all_day: bool,
    pub title: String,
    pub detail: String,
}

fn moment(t: DateTime<Utc>, title: String, detail: String) -> Deadline {
    Deadline {
        at: t.to_rfc3339_opts(SecondsFormat::Secs, true),
        when: when(t),
        all_day: false,
        title,
        detail,
    }
}

/// The deadlines of the engagement, soonest first.
pub fn deadlines(inputs: &Inputs) -> Vec<Deadline> {
    let mut out = Vec::new();
    if let Some(inv) = &inputs.inventory {
        for c in &inv.ata.center.certificates {
            if let Some(t) = c.not_after {
                out.push(moment(
                    t,
                    format!("ATA Center certificate {} expires", c.thumbprint),
                    format!(
                        "Subject {}. Select its successor in ATA (Configuration → Center) and let every gateway sync before this date.",
                        c.subject.as_deref().unwrap_or("not recorded")
                    ),
                ));
            }
        }
        if let Some(dir) = &inv.directory {
            for d in dir.directory_services_accounts() {
                if let Some(t) = d.password_expires_at {
                    out.push(moment(
                        t,
                        format!(
                            "Password of directory services account {} expires",
                            d.named_as.as_deref().unwrap_or(&d.name)
                        ),
                        crate::checks::directory::PASSWORD_CHANGE_RULE.to_string(),
                    ));
                }
            }
        }
    }
    // Waits the checklist counts from a recorded moment (the initial sync, 2 hours after
    // the last sensor), once per moment.
    let mut seen: Vec<(String, String)> = Vec::new();
    for step in &inputs.def.steps {
        for a in &step.after {
            let (Some(field), Some(hours)) = (&a.field, a.wait_hours) else {
                continue;
            };
            if seen.contains(&(a.step.clone(), field.clone())) {
                continue;
            }
            seen.push((a.step.clone(), field.clone()));
            let Some(from) = inputs
                .state
                .step(&a.step)
                .fields
                .get(field)
                .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
            else {
                continue;
            };
            let t = from.with_timezone(&Utc) + chrono::Duration::hours(i64::from(hours));
            let why = a.why.as_deref().unwrap_or("the wait");
            out.push(moment(
                t,
                format!("End of {why} ({hours} h after {} {field})", a.step),
                format!(
                    "Steps that wait for it can start: counted from {} recorded in {}.",
                    when(from.with_timezone(&Utc)),
                    a.step
                ),
            ));
        }
    }
    // A planned decommission date recorded in the checklist.
    for step in &inputs.def.steps {
        for f in step.record.iter().filter(|f| {
            f.key.contains("decommission")
                && matches!(f.kind, FieldKind::Date | FieldKind::Datetime)
        }) {
            let Some(v) = inputs.state.step(&step.id).fields.get(&f.key).cloned() else {
                continue;
            };
            let title = format!("{} ({} {})", f.label, step.id, step.title);
            if let Ok(d) = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d") {
                out.push(Deadline {
                    at: d.format("%Y-%m-%d").to_string(),
                    when: d.format("%Y-%m-%d").to_string(),
                    all_day: true,
                    title,
                    detail: "Recorded in the checklist.".into(),
                });
            } else if let Ok(t) = DateTime::parse_from_rfc3339(v.trim()) {
                out.push(moment(
                    t.with_timezone(&Utc),
                    title,
                    "Recorded in the checklist.".into(),
                ));
            }
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at));
    out
}

/// Areas in the order the summary shows them: (id, title, check-id families).
const AREAS: &[(&str, &str, &[&str])] = &[
    ("dc", "Domain controllers", &["dc"]),
    ("account", "Directory services accounts", &["dsa"]),
    ("gateway", "ATA Center and gateways", &["ata"]),
    ("directory", "Forest and domains", &["forest", "domain"]),
    (
        "server",
        "Other servers (AD CS, AD FS, Entra Connect)",
        &["server"],
    ),
    ("network", "Network and cloud", &["network", "tenant"]),
];

fn family(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// The area a check id belongs to: (id, title).
pub fn area_of(id: &str) -> (&'static str, &'static str) {
    let f = family(id);
    AREAS
        .iter()
        .find(|(_, _, families)| families.contains(&f))
        .map_or(("other", "Other"), |(id, title, _)| (id, title))
}

/// Who acts on a result. Host checks go to that host's owner (one action list per DC,
/// per server); the rest to the team that holds the setting. The tool knows no names,
/// so these are roles the consultant maps to people.
pub fn owner_of(id: &str, subject: Option<&str>) -> String {
    match (family(id), subject) {
        ("dc", Some(host)) => format!("DC {host}"),
        ("server", Some(host)) => format!("Server {host}"),
        ("dc", None) => "DC team".into(),
        ("server", None) => "Server owners".into(),
        ("dsa" | "forest" | "domain", _) => "Active Directory team".into(),
        ("ata", _) => "ATA administrator".into(),
        ("network", _) => "Network team".into(),
        ("tenant", _) => "Cloud administrator".into(),
        _ => "Consultant".into(),
    }
}

/// The owner as the summary says it: a host's owner by role, since the host is already
/// named as the item's subject (the action lists split them per host).
fn summary_owner(owner: &str) -> String {
    if owner.starts_with("DC ") {
        "DC owner".into()
    } else if owner.starts_with("Server ") {
        "Server owner".into()
    } else {
        owner.to_string()
    }
}

/// Most urgent first: a failure blocks, an undecided result may hide one.
fn urgency(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::Unknown => 1,
        Status::Manual => 2,
        Status::Warn => 3,
        Status::Pass => 4,
    }
}

/// `text` cut at a word before `max` characters, with `…`.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{} …", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// Builds the summary from the checks and the checklist's sections.
pub fn build(checks: Option<&ChecksFile>, phases: &[PhaseSection]) -> SignerSummary {
    let mut s = SignerSummary::default();
    if let Some(c) = checks {
        for r in &c.results {
            if r.status == Status::Pass {
                s.passed += 1;
                s.passed_checks.push(r.key());
                continue;
            }
            if let Some(a) = acceptance_of(c, r) {
                s.accepted.push(AcceptedRisk {
                    check: r.key(),
                    title: r.title.clone(),
                    status: r.status,
                    by: a.by.clone(),
                    at: when(a.at),
                    reason: a.reason.clone(),
                });
                continue;
            }
            let (_, area) = area_of(&r.id);
            s.actions.push(ActionLine {
                check: r.key(),
                id: r.id.clone(),
                title: r.title.clone(),
                subject: r.subject.clone(),
                status: r.status,
                reason: r.reason.clone(),
                remediation: crate::checks::action::cli(r),
                area: area.into(),
                owner: owner_of(&r.id, r.subject.as_deref()),
            });
        }
    }
    s.areas = group(&s.actions);
    for step in phases.iter().flat_map(|p| &p.steps) {
        s.steps_total += 1;
        if step.status.is_closed() {
            continue;
        }
        s.open_steps.push(OpenStep {
            id: step.id.clone(),
            title: step.title.clone(),
            status: step.status,
            waiting: step.waiting.first().cloned(),
        });
    }
    s
}

/// The action lines grouped by area, then collapsed by status and remediation.
fn group(actions: &[ActionLine]) -> Vec<ActionArea> {
    let mut areas: Vec<ActionArea> = Vec::new();
    let order = |title: &str| {
        AREAS
            .iter()
            .position(|(_, t, _)| *t == title)
            .unwrap_or(AREAS.len())
    };
    for a in actions {
        let i = match areas.iter().position(|x| x.title == a.area) {
            Some(i) => i,
            None => {
                let (id, _) = area_of(&a.id);
                areas.push(ActionArea {
                    id: id.into(),
                    title: a.area.clone(),
                    items: Vec::new(),
                });
                areas.len() - 1
            }
        };
        let area = &mut areas[i];
        // Without a remediation, the reason is what tells one result from another.
        let remediation = a
            .remediation
            .clone()
            .or_else(|| a.reason.clone())
            .unwrap_or_default();
        match area
            .items
            .iter_mut()
            .find(|i| i.status == a.status && i.remediation == remediation)
        {
            Some(item) => {
                item.count += 1;
                if !item.checks.contains(&a.id) {
                    item.checks.push(a.id.clone());
                }
                if let Some(s) = &a.subject
                    && !item.subjects.contains(s)
                {
                    item.subjects.push(s.clone());
                }
            }
            None => area.items.push(ActionItem {
                title: a.title.clone(),
                status: a.status,
                checks: vec![a.id.clone()],
                subjects: a.subject.iter().cloned().collect(),
                remediation_short: shorten(&remediation, SHORT_REMEDIATION),
                remediation,
                count: 1,
                owner: summary_owner(&a.owner),
            }),
        }
    }
    for area in &mut areas {
        for item in &mut area.items {
            if item.checks.len() > 1 {
                item.title = format!("{} checks: {}", item.count, item.checks.join(", "));
            }
            if item.subjects.len() > 1 && item.owner.ends_with(" owner") {
                item.owner.push('s');
            }
        }
        area.items.sort_by_key(|i| urgency(i.status));
    }
    areas.sort_by_key(|a| order(&a.title));
    areas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_remediations_are_cut_at_a_word() {
        let long = "set Computer Configuration > Policies > Windows Settings ".repeat(5);
        let s = shorten(&long, 60);
        assert!(s.ends_with(" …") && s.chars().count() <= 62, "{s}");
        assert!(!s.contains("Sett …"), "{s}");
        assert_eq!(shorten("short  text", 60), "short text");
    }

    #[test]
    fn owners_follow_the_subject_for_hosts_and_the_team_otherwise() {
        assert_eq!(owner_of("dc.dotnet", Some("FAB-DC02")), "DC FAB-DC02");
        assert_eq!(
            owner_of("dsa.remote_sam", Some("FAB-CA01")),
            "Active Directory team"
        );
        assert_eq!(owner_of("ata.pending_change", None), "ATA administrator");
        assert_eq!(area_of("domain.object_auditing").1, "Forest and domains");
    }
}
