//! The labelled rows of the inventory's settings sections: what ATA holds for the Center,
//! syslog, e-mail and VPN, and each directory services account as Active Directory sees
//! it. The TUI shows them as its settings sections; the report lists them under
//! "ATA Center", "Notifications and VPN" and per account.

use super::{NO_VALUE, list, moment, opt, yes_no};
use crate::model::{
    AccountKind, Center, DirectoryServicesAccountFacts, Email, Inventory, Syslog, Vpn,
};

/// One labelled value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    pub value: String,
}

fn row(label: &str, value: impl Into<String>) -> Row {
    Row {
        label: label.to_string(),
        value: value.into(),
    }
}

/// Titles of the notification sections, as the rows' owners.
pub const SYSLOG: &str = "Syslog";
pub const EMAIL: &str = "E-mail";
pub const VPN: &str = "VPN";

/// Said of a notification ATA has no settings for.
const NOT_CONFIGURED: &str = "not configured";

/// A secret ATA stores encrypted: it is never read, and must be entered again.
fn stored_secret(present: bool) -> String {
    format!(
        "{} (it cannot be exported: enter it again)",
        yes_no(Some(present))
    )
}

/// The Center's own settings.
pub fn center(c: &Center) -> Vec<Row> {
    let mut out = vec![
        row("Console URLs", list(&c.console_urls)),
        row("Listening on", opt(c.listen_endpoint.as_ref())),
        row("Certificate thumbprints", list(&c.certificate_thumbprints)),
        row("Change awaiting activation", yes_no(Some(c.pending_change))),
        row("MongoDB version", opt(c.mongo_version.as_ref())),
    ];
    if let Some(u) = &c.auto_update {
        out.push(row("Automatic updates", yes_no(u.enabled)));
        out.push(row(
            "Gateways auto-update",
            yes_no(u.gateways_update_automatically),
        ));
        out.push(row(
            "Lightweight GW auto-restart",
            yes_no(u.lightweight_gateways_restart_automatically),
        ));
    }
    out
}

/// ATA's syslog notification settings: the one place they are written for display.
pub fn syslog(s: Option<&Syslog>) -> Vec<Row> {
    let Some(s) = s else {
        return vec![row(SYSLOG, NOT_CONFIGURED)];
    };
    vec![
        row("Enabled", yes_no(Some(s.enabled))),
        row("Server", opt(s.server.as_ref())),
        row("Port", opt(s.port)),
        row("Transport", opt(s.transport.as_ref())),
        row("Format", opt(s.format.as_ref())),
        row("Sends alerts", yes_no(s.alert_notifications)),
        row("Sends health issues", yes_no(s.health_notifications)),
    ]
}

/// ATA's e-mail notification settings.
pub fn email(e: Option<&Email>) -> Vec<Row> {
    let Some(e) = e else {
        return vec![row(EMAIL, NOT_CONFIGURED)];
    };
    vec![
        row("Enabled", yes_no(Some(e.enabled))),
        row("SMTP server", opt(e.server.as_ref())),
        row("Port", opt(e.port)),
        row("SSL", yes_no(e.ssl)),
        row("From", opt(e.from.as_ref())),
        row("Authenticates as", opt(e.auth_user.as_ref())),
        row("Password stored", stored_secret(e.secret_present)),
        row("Recipients", list(&e.recipients)),
        row("Alert recipients", list(&e.alert_recipients)),
        row("Health recipients", list(&e.health_recipients)),
        row("Mails alerts", yes_no(e.alert_notifications)),
        row("Mails health issues", yes_no(e.health_notifications)),
    ]
}

/// ATA's VPN integration (RADIUS accounting).
pub fn vpn(v: Option<&Vpn>) -> Vec<Row> {
    let Some(v) = v else {
        return vec![row(VPN, NOT_CONFIGURED)];
    };
    vec![
        row("RADIUS accounting", yes_no(Some(v.radius_enabled))),
        row("Shared secret stored", stored_secret(v.secret_present)),
    ]
}

/// One directory services account as Active Directory sees it.
pub fn dsa_in_directory(d: &DirectoryServicesAccountFacts) -> Vec<Row> {
    let mut out = vec![
        row("Account", d.name.clone()),
        row("Domain", opt(d.domain.as_ref())),
        row("Type", d.kind.to_string()),
        row(
            "Found in Active Directory",
            if d.found { "yes" } else { "NOT FOUND" },
        ),
        row("DN", opt(d.dn.as_ref())),
        row("Enabled", yes_no(d.enabled)),
        row("Locked out", yes_no(d.locked_out)),
        row("Password last set", opt(d.pwd_last_set.map(moment))),
        row("Password never expires", yes_no(d.password_never_expires)),
        row(
            "Password expires",
            match (d.password_expires_at, &d.password_expires) {
                (Some(t), _) => moment(t),
                (None, Some(words)) => words.clone(),
                (None, None) => NO_VALUE.into(),
            },
        ),
        row(
            "Member of sensitive groups",
            if d.sensitive_groups.is_empty() {
                "none".into()
            } else {
                d.sensitive_groups.join(", ")
            },
        ),
        row(
            "Can read Deleted Objects",
            match d.deleted_objects_readable {
                Some(b) => yes_no(Some(b)).to_string(),
                None => format!(
                    "not known{}",
                    d.deleted_objects_note
                        .as_ref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                ),
            },
        ),
    ];
    if d.kind == AccountKind::User {
        out.push(row(
            "When its password changes",
            crate::checks::directory::PASSWORD_CHANGE_RULE,
        ));
    }
    out
}

/// The settings sections, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settings {
    Syslog,
    Email,
    Vpn,
}

/// The rows of one notification section of `inv`.
pub fn settings(inv: &Inventory, section: Settings) -> Vec<Row> {
    let ata = &inv.ata;
    match section {
        Settings::Syslog => syslog(ata.syslog.as_ref()),
        Settings::Email => email(ata.email.as_ref()),
        Settings::Vpn => vpn(ata.vpn.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syslog_rows_say_every_setting_and_name_a_missing_one() {
        let s = Syslog {
            enabled: true,
            server: Some("siem.fabrikam.test".into()),
            port: Some(514),
            transport: Some("Udp".into()),
            format: None,
            alert_notifications: Some(true),
            health_notifications: None,
        };
        let rows = syslog(Some(&s));
        let get = |l: &str| rows.iter().find(|r| r.label == l).map(|r| r.value.as_str());
        assert_eq!(get("Server"), Some("siem.fabrikam.test"));
        assert_eq!(get("Port"), Some("514"));
        assert_eq!(get("Format"), Some(NO_VALUE));
        assert_eq!(get("Sends alerts"), Some("yes"));
        assert_eq!(syslog(None), vec![row(SYSLOG, NOT_CONFIGURED)]);
    }
}
