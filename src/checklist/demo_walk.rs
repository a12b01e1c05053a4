//! The demo's first day on the checklist: `ata2atp demo` walks the first steps on the
//! sample through the same rules as `ata2atp checklist set` (a step the rules refuse
//! fails the demo), so the list and the report show progress.

use super::{Error, Loaded, SetRequest};
use crate::engagement::{Engagement, EngagementConfig, WriteLock};
use crate::model::{GatewayKind, StepStatus};

/// Starts the checklist over and walks the plan items a consultant fills in on the first
/// day. Values come from the sample's inventory where it has them. Times are fixed, after
/// the demo's creation, so two runs record the same state. Returns `ID status` per step.
pub fn walk(
    engagement: &Engagement,
    lock: &WriteLock,
    config: &EngagementConfig,
) -> Result<Vec<String>, Error> {
    let def = super::resolve(Some(engagement.root()), &config.guide)?;
    super::state::reset(lock, &def.guide)?;
    let loaded = Loaded::open(engagement)?;
    let ata = loaded.inventory.as_ref().map(|i| &i.ata);

    // Every account ATA uses (one per domain).
    let dsa = ata
        .map(|a| {
            a.directory_services_accounts
                .iter()
                .map(|d| match &d.domain {
                    // A DNS domain reads best as a UPN, a NetBIOS one as DOMAIN\user.
                    Some(domain) if domain.contains('.') => format!("{}@{domain}", d.user),
                    Some(domain) => format!("{domain}\\{}", d.user),
                    None => d.user.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "FABRIKAM\\svc-ata".into());
    let syslog_used = ata
        .and_then(|a| a.syslog.as_ref())
        .is_some_and(|s| s.enabled);
    let recipients = ata
        .and_then(|a| a.email.as_ref())
        .filter(|e| !e.recipients.is_empty())
        .map(|e| e.recipients.join(", "))
        .unwrap_or_else(|| "soc@fabrikam.test".into());
    let radius = ata
        .and_then(|a| a.vpn.as_ref())
        .is_some_and(|v| v.radius_enabled);
    let full_gateways: Vec<String> = ata
        .map(|a| {
            a.gateways
                .iter()
                .filter(|g| g.kind == GatewayKind::Gateway)
                .map(|g| g.name.clone())
                .collect()
        })
        .unwrap_or_default();

    let fields = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let gateways_plan = if full_gateways.is_empty() {
        "none: Lightweight Gateways only".to_string()
    } else {
        format!(
            "{}: sensors on the domain controllers they watched",
            full_gateways.join(", ")
        )
    };
    // The stable-Center step has its own id in each guide (R07, R10): found by its field.
    let stable_center = def
        .steps
        .iter()
        .find(|s| s.field("decommission_planned").is_some())
        .map_or("R07", |s| s.id.as_str());
    // (step, status, record fields, note)
    type Planned<'a> = (&'a str, StepStatus, Vec<(String, String)>, Option<&'a str>);
    let steps: Vec<Planned> = vec![
        (
            "R06",
            StepStatus::Done,
            fields(&[("gateways_plan", &gateways_plan)]),
            None,
        ),
        // The customer plans to switch ATA off at the end of March: the certificate in use
        // ends in January, and the new one waits for FAB-ATAGW01, so the step stays open.
        (
            stable_center,
            StepStatus::InProgress,
            fields(&[("decommission_planned", "2027-03-31")]),
            Some("New Center certificate selected on 2026-11-05, not activated yet"),
        ),
        (
            "P01",
            StepStatus::Done,
            fields(&[
                ("dsa_account", &dsa),
                ("password_holder", "Fabrikam identity team"),
            ]),
            None,
        ),
        (
            "P02",
            StepStatus::Done,
            fields(&[("syslog_used", if syslog_used { "yes" } else { "no" })]),
            None,
        ),
        (
            "P03",
            StepStatus::Done,
            fields(&[("recipients", &recipients)]),
            None,
        ),
        (
            "P04",
            StepStatus::Done,
            fields(&[("members_confirmed", "yes")]),
            None,
        ),
        (
            "P05",
            StepStatus::Done,
            fields(&[(
                "vpn_vendor",
                if radius {
                    "Fabrikam VPN appliance"
                } else {
                    "none"
                },
            )]),
            None,
        ),
        (
            "P06",
            StepStatus::InProgress,
            Vec::new(),
            Some("Reviewing each exclusion with the customer's SOC"),
        ),
    ];
    let base = config.created_at + chrono::Duration::hours(1);
    let mut walked = Vec::new();
    for (i, (id, status, fields, note)) in steps.into_iter().enumerate() {
        if !def.steps.iter().any(|s| s.id == id) {
            continue; // a customised guide without this step
        }
        let facts = loaded.facts(base + chrono::Duration::minutes(10 * i as i64));
        let request = SetRequest {
            step: id.to_string(),
            status: Some(status),
            by: config.consultant.clone(),
            note: note.map(str::to_string),
            fields,
            ..SetRequest::default()
        };
        super::state::set(engagement, lock, &def, &facts, &request)?;
        walked.push(format!("{id} {status}"));
    }
    Ok(walked)
}
