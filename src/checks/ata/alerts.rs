//! The alerts still open or suppressed: recorded before the move (the cloud starts
//! without them).

use super::{ADD_ATA, NO_ATA, ata_read};
use crate::checks::Outcome;
use crate::model::{Alert, Inventory};

pub(super) fn alert_line(a: &Alert) -> String {
    let mut s = format!("{} {} ({})", a.id, a.kind, a.status);
    if let Some(sev) = &a.severity {
        s.push_str(&format!(" {sev}"));
    }
    if let Some(t) = a.start_time {
        s.push_str(&format!(" since {}", t.format("%Y-%m-%d")));
    }
    if !a.entities.is_empty() {
        s.push_str(&format!(" [{}]", a.entities.join(", ")));
    }
    s
}

/// Open and suppressed alerts are a Warn, not a Fail: the move may go ahead, but the
/// alerts are not imported, so each must be recorded (or closed) before the Center goes.
pub fn open_alerts(inv: &Inventory) -> Outcome {
    if !ata_read(inv) {
        return Outcome::unknown(format!("{NO_ATA}: ATA's alerts are not known")).act(ADD_ATA);
    }
    let alerts = &inv.ata.alerts;
    let read = !alerts.by_status.is_empty()
        || inv
            .ata
            .collections
            .iter()
            .any(|c| c.name.starts_with("SuspiciousActivit"));
    if !read {
        return Outcome::unknown(
            "ATA's alerts were not read (a SystemProfile backup holds no alerts)",
        )
        .remedy("read ATA's database, a mongodump, or a mongoexport of SuspiciousActivity");
    }
    let open = alerts
        .by_status
        .get("Open")
        .copied()
        .unwrap_or(alerts.open.len() as u64);
    let suppressed = alerts
        .by_status
        .get("Suppressed")
        .copied()
        .unwrap_or(alerts.suppressed.len() as u64);
    let by_status = alerts
        .by_status
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut o = if open + suppressed == 0 {
        Outcome::pass("no open or suppressed ATA alert")
    } else {
        Outcome::warn(format!(
            "{open} open and {suppressed} suppressed ATA alert(s): alerts are not imported into the cloud, record them"
        ))
        .remedy(
            "export or record every open and suppressed alert (id, type, entities) and close or remediate it; \
             keep the Center's data until they are all closed",
        )
    };
    o = o.ev(
        "by_status",
        if by_status.is_empty() {
            "none".into()
        } else {
            by_status
        },
    );
    for (i, a) in alerts
        .open
        .iter()
        .chain(alerts.suppressed.iter())
        .enumerate()
    {
        o = o.ev(&format!("alert_{:03}", i + 1), alert_line(a));
    }
    o
}
