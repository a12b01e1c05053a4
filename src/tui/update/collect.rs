//! Runs (collect, checks), the passwords they need, and the Collect screen's keys.

use super::{cancel_run, notify, refuse_if_read_only};
use crate::tui::app::{App, Level, Prompt, PromptPurpose, RunKind, SecretKind};
use crate::tui::command::Command;
use crate::tui::keys::Action;
use crate::tui::strings as s;
use crate::tui::widgets::input::TextInput;

/// ATA's database usually runs without authentication: a password is only asked when
/// the URI names a user (the command line's rule too).
pub(super) fn uri_names_user(uri: &str) -> bool {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    rest.split(['/', '?'])
        .next()
        .is_some_and(|a| a.contains('@'))
}

/// The next password a run needs that was not asked yet this session.
pub(super) fn missing_secret(app: &App, kind: RunKind, only: &[String]) -> Option<SecretKind> {
    let config = &app.data.config;
    if kind == RunKind::Collect {
        if config
            .sources
            .ata_mongo
            .as_deref()
            .is_some_and(uri_names_user)
            && app.secrets.mongo.is_none()
        {
            return Some(SecretKind::Mongo);
        }
        if config
            .sources
            .ldap
            .as_ref()
            .is_some_and(|l| l.bind_user.is_some())
            && app.secrets.ldap.is_none()
        {
            return Some(SecretKind::Ldap);
        }
    }
    let probes_proxy = !config.demo
        && config.proxy.as_ref().is_some_and(|p| p.user.is_some())
        && crate::checks::engine::selected(only, "network.sensor_api_proxy");
    if probes_proxy && app.secrets.proxy.is_none() {
        return Some(SecretKind::Proxy);
    }
    None
}

pub(super) fn start_run(app: &mut App, kind: RunKind, only: Vec<String>) -> Option<Command> {
    if refuse_if_read_only(app) {
        return None;
    }
    if app.run.active.is_some() {
        notify(app, Level::Info, s::RUN_BUSY);
        return None;
    }
    if app.is_loading() {
        notify(app, Level::Info, s::NOT_LOADED);
        return None;
    }
    let inventory = app.data.inventory.ready().cloned();
    match kind {
        RunKind::Collect => {
            let request =
                crate::inventory::CollectRequest::from_config(&app.data.config, &app.root);
            if request.is_empty() {
                notify(app, Level::Error, s::NO_SOURCES);
                return None;
            }
        }
        RunKind::Checks | RunKind::CheckOne if inventory.is_none() => {
            notify(app, Level::Error, s::NO_INVENTORY_FOR_CHECKS);
            return None;
        }
        _ => {}
    }
    if let Some(secret) = missing_secret(app, kind, &only) {
        app.run.pending = Some(kind);
        app.run.only = only;
        let config = &app.data.config;
        let title = match secret {
            SecretKind::Mongo => s::password_prompt(s::PW_MONGO, None),
            SecretKind::Ldap => s::password_prompt(
                s::PW_LDAP,
                config
                    .sources
                    .ldap
                    .as_ref()
                    .and_then(|l| l.bind_user.as_deref()),
            ),
            SecretKind::Proxy => s::password_prompt(
                s::PW_PROXY,
                config.proxy.as_ref().and_then(|p| p.user.as_deref()),
            ),
        };
        app.prompt = Some(Prompt {
            title,
            purpose: PromptPurpose::Password(secret),
            input: TextInput::masked(),
        });
        return None;
    }
    app.run.pending = None;
    app.run.active = Some(kind);
    app.run.cancelling = false;
    app.run.tasks.clear();
    app.run.only = only.clone();
    let proxy_password = app.secrets.proxy.clone().flatten();
    Some(match kind {
        RunKind::Collect => Command::Collect {
            mongo_password: app.secrets.mongo.clone().flatten(),
            ldap_password: app.secrets.ldap.clone().flatten(),
            proxy_password,
        },
        RunKind::Checks | RunKind::CheckOne => Command::RunChecks {
            only,
            inventory: inventory?,
            sha256: app.data.inventory_sha256.clone(),
            proxy_password,
        },
    })
}

pub(super) fn collect_action(app: &mut App, action: Action) -> Option<Command> {
    match action {
        Action::Collect => start_run(app, RunKind::Collect, Vec::new()),
        Action::RerunAll => start_run(app, RunKind::Checks, Vec::new()),
        Action::Back => {
            if app.run.active.is_none() {
                notify(app, Level::Info, s::NOTHING_TO_CANCEL);
                None
            } else {
                cancel_run(app)
            }
        }
        _ => None,
    }
}
