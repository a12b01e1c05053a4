//! Where ATA sends its alerts: syslog and e-mail. Both are a section of the Center's
//! configuration with a switch and an endpoint, plus alert and health switches found
//! elsewhere; [`channel`] and [`switches`] read those shared parts once.

use super::Note;
use super::doc::{Located, endpoint, find_first, secret_flag, section, tried};
use crate::ata::Error;
use crate::ata::mapping::{Mapping, Paths};
use crate::model::{Email, Syslog};

pub(super) fn syslog(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Option<Syslog>, Error> {
    let m = &mapping.syslog;
    let Some((s, enabled)) = channel("ata.syslog", &m.section, &m.enabled, wide, types_of, note)
    else {
        return Ok(None);
    };
    // In the order problems are listed: switch, fields, endpoint, notification switches.
    let transport = s.first_str(&m.transport);
    let format = s.first_str(&m.format);
    let (server, port) = endpoint(&s, &m.endpoint);
    let (alert_notifications, health_notifications) = switches(
        "ata.syslog",
        [&m.alert_toggle, &m.health_toggle],
        wide,
        types_of,
        note,
    )?;
    Ok(Some(Syslog {
        enabled,
        transport,
        format,
        server,
        port,
        alert_notifications,
        health_notifications,
    }))
}

pub(super) fn email(
    mapping: &Mapping,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Option<Email>, Error> {
    let m = &mapping.email;
    let alert =
        find_first(&m.alert_recipients, wide).map(|(d, p)| d.strings_at(&p).unwrap_or_default());
    let health =
        find_first(&m.health_recipients, wide).map(|(d, p)| d.strings_at(&p).unwrap_or_default());
    if alert.is_none() {
        note(
            "ata.email.alert_recipients",
            tried(&m.alert_recipients, wide, types_of),
        );
    }
    if health.is_none() {
        note(
            "ata.email.health_recipients",
            tried(&m.health_recipients, wide, types_of),
        );
    }
    let Some((s, enabled)) = channel("ata.email", &m.section, &m.enabled, wide, types_of, note)
    else {
        return Ok(None);
    };
    let auth_enabled = s.first_bool(&m.auth_enabled);
    let mut out = Email {
        enabled,
        ssl: s.first_bool(&m.ssl),
        from: s.first_str(&m.from).filter(|f| !f.is_empty()),
        auth_user: match auth_enabled {
            // Authentication off: a leftover account name is not in use.
            Some(false) => None,
            _ => s.first_str(&m.auth_user).filter(|u| !u.is_empty()),
        },
        ..Email::default()
    };
    for p in m.secret.iter() {
        out.secret_present |= secret_flag(&s, p);
    }
    (out.server, out.port) = endpoint(&s, &m.endpoint);
    (out.alert_notifications, out.health_notifications) = switches(
        "ata.email",
        [&m.alert_toggle, &m.health_toggle],
        wide,
        types_of,
        note,
    )?;
    out.alert_recipients = alert.unwrap_or_default();
    out.health_recipients = health.unwrap_or_default();
    for r in out.alert_recipients.iter().chain(&out.health_recipients) {
        if !out.recipients.contains(r) {
            out.recipients.push(r.clone());
        }
    }
    Ok(Some(out))
}

/// A channel's section and whether it is on (`false` when its switch is not found,
/// which is noted). `None`, noted, when the section is not found.
fn channel(
    item: &str,
    section_paths: &Paths,
    enabled: &Paths,
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Option<(Located, bool)> {
    let Some((s, base)) = section(section_paths, wide) else {
        note(item, tried(section_paths, wide, types_of));
        return None;
    };
    let on = s.first_bool(enabled);
    if on.is_none() {
        note(
            &format!("{item}.enabled"),
            enabled.iter().map(|p| format!("{base}.{p}")).collect(),
        );
    }
    Some((s, on.unwrap_or(false)))
}

/// A channel's alert and health notification switches, in that order.
fn switches(
    item: &str,
    [alert, health]: [&Paths; 2],
    wide: &[&Located],
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<(Option<bool>, Option<bool>), Error> {
    let alert = toggle(
        alert,
        wide,
        &format!("{item}.alert_notifications"),
        types_of,
        note,
    )?;
    let health = toggle(
        health,
        wide,
        &format!("{item}.health_notifications"),
        types_of,
        note,
    )?;
    Ok((alert, health))
}

/// A notification switch whose location is unknown: the first candidate found, or a
/// `not_found` entry.
pub(super) fn toggle(
    paths: &Paths,
    wide: &[&Located],
    item: &str,
    types_of: &dyn Fn(&Located) -> String,
    note: &mut Note<'_>,
) -> Result<Option<bool>, Error> {
    match find_first(paths, wide) {
        Some((d, p)) => Ok(d.bool_at(&p)),
        None => {
            note(item, tried(paths, wide, types_of));
            Ok(None)
        }
    }
}
