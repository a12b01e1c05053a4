//! `update(&mut App, Msg) -> Option<Command>`: the only place the state changes. It does
//! no I/O and never waits: what needs the disk or the network is returned as a
//! [`Command`] for the loop to start, and comes back later as a message.
//!
//! The checklist's rules (readiness, gates, record fields, refusals) are the library's:
//! this module calls [`crate::checklist::view`] and lays the result out as lines.

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{
    App, ChecklistUi, Cursor, DetailLine, DetailPopup, Level, LineKind, ListRow, Loadable, Menu,
    Notice, Pane, Prompt, PromptPurpose, REPORT_FORMATS, RunKind, STATUS_CHOICES, Screen,
    SecretKind, Target, TaskLine,
};
use super::command::{Command, Inputs};
use super::keys::{self, Action};
use super::layout;
use super::msg::{Msg, ProgressEvent};
use super::sections::{self, Section};
use super::strings as s;
use super::widgets::input::{Edit, TextInput};
use super::widgets::text::{pad, width, wrap};
use crate::checklist::bind::Bound;
use crate::checklist::engine::{self, Facts};
use crate::checklist::view::{self, StepView};
use crate::checklist::{SetRequest, exemplar};
use crate::model::{Status, StepStatus};

/// Applies one message; returns what the loop must do next, if anything.
pub fn update(app: &mut App, msg: Msg) -> Option<Command> {
    match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            relayout(app);
            None
        }
        Msg::Tick(now) => {
            let minute = now.timestamp() / 60;
            app.now = now;
            if app.run.active.is_some() {
                app.run.spinner = app.run.spinner.wrapping_add(1);
            }
            // The checklist's waits ("24 h after …") are decided against the clock.
            if app.checklist.derived_minute.is_some_and(|m| m != minute) {
                derive_checklist(app);
            }
            None
        }
        Msg::Loaded(loaded) => {
            let loaded = *loaded;
            app.data.checks = match loaded.checks {
                Ok(Some(c)) => Loadable::Ready(Arc::new(c)),
                Ok(None) => Loadable::Missing,
                Err(e) => Loadable::Failed(e),
            };
            app.data.definition = match loaded.definition {
                Ok(d) => Loadable::Ready(d),
                Err(e) => Loadable::Failed(e),
            };
            match loaded.state {
                Ok(Some(state)) => app.data.state = state,
                Ok(None) => {}
                Err(e) => app.data.state_error = Some(e),
            }
            app.data.guides = loaded.guides;
            app.report.guide = app
                .data
                .guides
                .iter()
                .position(|g| *g == app.data.config.guide)
                .unwrap_or(0);
            refilter_prereq(app);
            derive_checklist(app);
            None
        }
        Msg::InventoryLoaded(loaded) => {
            let loaded = *loaded;
            app.data.inventory = match loaded.inventory {
                Ok(Some(i)) => Loadable::Ready(i),
                Ok(None) => Loadable::Missing,
                Err(e) => Loadable::Failed(e),
            };
            app.data.inventory_sha256 = loaded.sha256;
            app.data.document = Some(loaded.document);
            for section in 0..Section::ALL.len() {
                refilter_section(app, section);
            }
            app.inventory.popup = None;
            derive_checklist(app);
            None
        }
        Msg::Progress(event) => {
            on_progress(app, event);
            None
        }
        Msg::ChecksSaved {
            checks,
            message,
            by_run,
        } => {
            app.data.checks = Loadable::Ready(Arc::new(*checks));
            if !by_run {
                app.saving = app.saving.saturating_sub(1);
            }
            refilter_prereq(app);
            derive_checklist(app);
            notify(app, Level::Success, message);
            None
        }
        Msg::RunFinished { result, cancelled } => {
            app.run.active = None;
            app.run.cancelling = false;
            app.run.only.clear();
            let notice = match result {
                Ok(m) => Notice {
                    level: Level::Success,
                    text: m,
                },
                Err(m) => Notice {
                    level: if cancelled { Level::Info } else { Level::Error },
                    text: m,
                },
            };
            app.run.last = Some(notice.clone());
            app.notice = Some(notice);
            None
        }
        Msg::ChecklistSaved(result) => {
            app.saving = app.saving.saturating_sub(1);
            match result {
                Ok(saved) => {
                    let (state, change) = *saved;
                    app.data.state = state;
                    app.data.state_error = None;
                    derive_checklist(app);
                    notify(
                        app,
                        Level::Success,
                        s::step_saved(&change.step, change.to, &change.fields),
                    );
                }
                Err(e) => notify(app, Level::Error, e),
            }
            None
        }
        Msg::WriteFailed(e) => {
            app.saving = app.saving.saturating_sub(1);
            notify(app, Level::Error, e);
            None
        }
        Msg::ReportWritten(result) => {
            app.saving = app.saving.saturating_sub(1);
            app.report.busy = false;
            match result {
                Ok(written) => {
                    app.report.error = None;
                    let first = written
                        .files
                        .first()
                        .map(|p| s::display_path(&app.root, p))
                        .unwrap_or_default();
                    app.report.written.insert(0, *written);
                    notify(app, Level::Success, s::report_written(&first));
                }
                Err(e) => {
                    app.report.error = Some(e.clone());
                    notify(app, Level::Error, e);
                }
            }
            None
        }
    }
}

fn notify(app: &mut App, level: Level, text: impl Into<String>) {
    app.notice = Some(Notice {
        level,
        text: text.into(),
    });
}

fn on_progress(app: &mut App, event: ProgressEvent) {
    let tasks = &mut app.run.tasks;
    match event {
        ProgressEvent::Start { task, total } => {
            // A task started again (a second run) replaces its old line.
            tasks.retain(|t| t.name != task);
            tasks.push(TaskLine {
                name: task,
                total,
                done: 0,
                outcome: None,
            });
        }
        ProgressEvent::Advance { task, n } => {
            if let Some(t) = tasks.iter_mut().rev().find(|t| t.name == task) {
                t.done = t.done.saturating_add(n);
            }
        }
        ProgressEvent::Finish { task, outcome } => {
            match tasks.iter_mut().rev().find(|t| t.name == task) {
                Some(t) => t.outcome = Some(outcome),
                // Some readers report a task only when it ends.
                None => tasks.push(TaskLine {
                    name: task,
                    total: None,
                    done: 0,
                    outcome: Some(outcome),
                }),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Keys

fn on_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    // A notice stays until the next key; that key still does what it does.
    app.notice = None;
    if app.prompt.is_some() {
        return prompt_key(app, key);
    }
    if app.menu.is_some() {
        return menu_key(app, key);
    }
    if let Some(scroll) = app.help {
        match key.code {
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') => app.help = None,
            KeyCode::Down | KeyCode::Char('j') => app.help = Some(scroll + 1),
            KeyCode::Up | KeyCode::Char('k') => app.help = Some(scroll.saturating_sub(1)),
            KeyCode::PageDown => app.help = Some(scroll + 10),
            KeyCode::PageUp => app.help = Some(scroll.saturating_sub(10)),
            _ => {}
        }
        return None;
    }
    if app.screen == Screen::Inventory && app.inventory.popup.is_some() {
        return popup_key(app, key);
    }
    let action = keys::action(app.screen, &key)?;
    if action != Action::Quit {
        app.quit_armed = false;
    }
    match action {
        Action::Quit => quit(app),
        Action::Help => {
            app.help = Some(0);
            None
        }
        Action::NextScreen => {
            let i = (app.screen.index() + 1) % Screen::ALL.len();
            switch(app, Screen::ALL[i]);
            None
        }
        Action::PrevScreen => {
            let i = (app.screen.index() + Screen::ALL.len() - 1) % Screen::ALL.len();
            switch(app, Screen::ALL[i]);
            None
        }
        Action::GoTo(i) => {
            if let Some(screen) = Screen::ALL.get(i) {
                switch(app, *screen);
            }
            None
        }
        action => match app.screen {
            Screen::Overview => overview_action(app, action),
            Screen::Inventory => inventory_action(app, action),
            Screen::Prerequisites => prereq_action(app, action),
            Screen::Checklist => checklist_action(app, action),
            Screen::Report => report_action(app, action),
            Screen::Collect => collect_action(app, action),
        },
    }
}

fn switch(app: &mut App, screen: Screen) {
    app.screen = screen;
}

fn quit(app: &mut App) -> Option<Command> {
    if app.run.active.is_some() && !app.quit_armed {
        app.quit_armed = true;
        notify(app, Level::Info, s::QUIT_WHILE_RUNNING);
        return None;
    }
    app.quit = true;
    app.run.active.is_some().then_some(Command::Cancel)
}

/// Esc with nothing else to close: cancels a run in progress.
fn cancel_run(app: &mut App) -> Option<Command> {
    if app.run.active.is_some() {
        app.run.cancelling = true;
        notify(app, Level::Info, s::CANCELLING);
        Some(Command::Cancel)
    } else {
        None
    }
}

/// Page size for the lists of the current screen.
fn page(height: usize) -> isize {
    height.saturating_sub(1).max(1) as isize
}

/// Applies a movement to a cursor over `len` rows shown `height` at a time.
fn move_cursor(cursor: &mut Cursor, action: Action, len: usize, height: usize) -> bool {
    match action {
        Action::Up => cursor.step(-1, len, height),
        Action::Down => cursor.step(1, len, height),
        Action::PageUp => cursor.step(-page(height), len, height),
        Action::PageDown => cursor.step(page(height), len, height),
        Action::Top => cursor.select(0, len, height),
        Action::Bottom => cursor.select(len.saturating_sub(1), len, height),
        _ => return false,
    }
    true
}

fn refuse_if_read_only(app: &mut App) -> bool {
    if app.read_only.is_some() {
        notify(app, Level::Error, s::READ_ONLY_REFUSED);
        return true;
    }
    false
}

// ---------------------------------------------------------------------------------------
// Overview

fn overview_action(app: &mut App, action: Action) -> Option<Command> {
    match action {
        Action::Open => {
            if let Some(next) = app.checklist.list.as_ref().and_then(|l| l.next.clone()) {
                select_step(app, &next);
                app.checklist.focus = Pane::Left;
            }
            switch(app, Screen::Checklist);
            None
        }
        Action::Back => cancel_run(app),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Inventory

fn section_len(app: &App, index: usize) -> usize {
    let Some(inv) = app.data.inventory.ready() else {
        return 0;
    };
    match &app.inventory.sections[index].matches {
        Some(m) => m.len(),
        None => Section::ALL[index].len(inv),
    }
}

/// Rows the current section's table shows.
fn section_rows(app: &App, index: usize) -> usize {
    let section = Section::ALL[index];
    let (summary, nf) = match app.data.inventory.ready() {
        Some(inv) => (section.summary(inv).is_some(), section.not_found(inv).len()),
        None => (false, 0),
    };
    layout::inventory_rows(app.size, summary, nf)
}

/// The inventory index of the row selected in section `index`.
fn section_row_index(app: &App, index: usize) -> Option<usize> {
    let ui = &app.inventory.sections[index];
    if section_len(app, index) == 0 {
        return None;
    }
    match &ui.matches {
        Some(m) => m.get(ui.cursor.selected).copied(),
        None => Some(ui.cursor.selected),
    }
}

fn refilter_section(app: &mut App, index: usize) {
    let section = Section::ALL[index];
    let matches = match app.data.inventory.ready() {
        Some(inv) if !app.inventory.sections[index].filter.is_empty() => {
            let needle = app.inventory.sections[index].filter.to_lowercase();
            Some(
                (0..section.len(inv))
                    .filter(|&i| sections::row_matches(section, inv, i, &needle))
                    .collect(),
            )
        }
        _ => None,
    };
    app.inventory.sections[index].matches = matches;
    let len = section_len(app, index);
    let rows = section_rows(app, index);
    app.inventory.sections[index].cursor.clamp(len, rows);
}

fn inventory_action(app: &mut App, action: Action) -> Option<Command> {
    let current = app.inventory.section.selected;
    match action {
        Action::Left => app.inventory.focus = Pane::Left,
        Action::Right => app.inventory.focus = Pane::Right,
        Action::Filter => {
            let filter = app.inventory.sections[current].filter.clone();
            app.prompt = Some(Prompt {
                title: format!("{} · {}", s::FILTER_PROMPT, Section::ALL[current].title()),
                purpose: PromptPurpose::Filter(Screen::Inventory),
                input: TextInput::new(&filter),
            });
            app.inventory.focus = Pane::Right;
        }
        Action::Open => {
            if app.inventory.focus == Pane::Left {
                app.inventory.focus = Pane::Right;
            } else if let (Some(inv), Some(i)) =
                (app.data.inventory.ready(), section_row_index(app, current))
                && let Some((title, pairs)) = Section::ALL[current].detail(inv, i)
            {
                app.inventory.popup = Some(DetailPopup {
                    title,
                    pairs,
                    scroll: 0,
                });
            }
        }
        Action::Back => {
            if !app.inventory.sections[current].filter.is_empty() {
                app.inventory.sections[current].filter.clear();
                refilter_section(app, current);
            } else if app.inventory.focus == Pane::Right {
                app.inventory.focus = Pane::Left;
            } else {
                return cancel_run(app);
            }
        }
        movement => {
            if app.inventory.focus == Pane::Left {
                let rows = layout::inventory_sections_rows(app.size);
                move_cursor(
                    &mut app.inventory.section,
                    movement,
                    Section::ALL.len(),
                    rows,
                );
            } else {
                let len = section_len(app, current);
                let rows = section_rows(app, current);
                move_cursor(
                    &mut app.inventory.sections[current].cursor,
                    movement,
                    len,
                    rows,
                );
            }
        }
    }
    None
}

/// The details pop-up scrolls with j/k and closes with Esc, Enter or q; any other key
/// closes it and does what it does (Tab, a digit, another row…).
fn popup_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let popup = app.inventory.popup.as_mut()?;
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => app.inventory.popup = None,
        KeyCode::Down | KeyCode::Char('j') => {
            popup.scroll = (popup.scroll + 1).min(popup.pairs.len().saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => popup.scroll = popup.scroll.saturating_sub(1),
        _ => {
            app.inventory.popup = None;
            return on_key(app, key);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Prerequisites

fn prereq_len(app: &App) -> usize {
    match (&app.prereq.matches, app.data.checks.ready()) {
        (Some(m), _) => m.len(),
        (None, Some(c)) => c.results.len(),
        (None, None) => 0,
    }
}

fn refilter_prereq(app: &mut App) {
    app.prereq.matches = match app.data.checks.ready() {
        Some(c) if !app.prereq.filter.is_empty() => {
            let needle = app.prereq.filter.to_lowercase();
            Some(
                c.results
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| {
                        [
                            r.id.as_str(),
                            r.subject.as_deref().unwrap_or(""),
                            r.status.as_str(),
                            r.reason.as_deref().unwrap_or(""),
                            r.title.as_str(),
                        ]
                        .iter()
                        .any(|t| t.to_lowercase().contains(&needle))
                    })
                    .map(|(i, _)| i)
                    .collect(),
            )
        }
        _ => None,
    };
    let len = prereq_len(app);
    let rows = layout::prerequisites_rows(app.size);
    app.prereq.cursor.clamp(len, rows);
}

fn prereq_action(app: &mut App, action: Action) -> Option<Command> {
    match action {
        Action::Left => app.prereq.focus = Pane::Left,
        Action::Right | Action::Open => app.prereq.focus = Pane::Right,
        Action::Filter => {
            app.prompt = Some(Prompt {
                title: s::FILTER_PROMPT.into(),
                purpose: PromptPurpose::Filter(Screen::Prerequisites),
                input: TextInput::new(&app.prereq.filter),
            });
        }
        Action::Back => {
            if !app.prereq.filter.is_empty() {
                app.prereq.filter.clear();
                refilter_prereq(app);
            } else if app.prereq.focus == Pane::Right {
                app.prereq.focus = Pane::Left;
            } else {
                return cancel_run(app);
            }
        }
        Action::RerunAll => return start_run(app, RunKind::Checks, Vec::new()),
        Action::RerunOne => {
            let id = app
                .prereq_selected()
                .and_then(|i| app.data.checks.ready().map(|c| c.results[i].id.clone()));
            match id {
                Some(id) => return start_run(app, RunKind::CheckOne, vec![id]),
                None => notify(app, Level::Info, s::NO_CHECK_SELECTED),
            }
        }
        Action::Accept => {
            if refuse_if_read_only(app) {
                return None;
            }
            let Some(r) = app
                .prereq_selected()
                .and_then(|i| app.data.checks.ready().map(|c| c.results[i].clone()))
            else {
                notify(app, Level::Info, s::NO_CHECK_SELECTED);
                return None;
            };
            if r.status == Status::Pass {
                notify(app, Level::Info, s::PASS_NOT_ACCEPTED);
                return None;
            }
            let key = r.key();
            app.prompt = Some(Prompt {
                title: format!("{} · {key}", s::ACCEPT_REASON_PROMPT),
                purpose: PromptPurpose::AcceptReason { key },
                input: TextInput::new(r.accepted.as_ref().map(|a| a.reason.as_str()).unwrap_or("")),
            });
        }
        Action::Revoke => {
            if refuse_if_read_only(app) {
                return None;
            }
            let accepted = app.prereq_selected().and_then(|i| {
                app.data
                    .checks
                    .ready()
                    .and_then(|c| c.results[i].accepted.as_ref().map(|a| a.check.clone()))
            });
            match accepted {
                Some(key) => app.menu = Some(Menu::ConfirmRevoke { key }),
                None => notify(app, Level::Info, s::NOT_ACCEPTED),
            }
        }
        movement => {
            if app.prereq.focus == Pane::Left {
                let len = prereq_len(app);
                let rows = layout::prerequisites_rows(app.size);
                if move_cursor(&mut app.prereq.cursor, movement, len, rows) {
                    app.prereq.detail_scroll = 0;
                }
            } else {
                let rows = layout::prerequisites_detail_rows(app.size);
                app.prereq.detail_scroll = match movement {
                    Action::Up => app.prereq.detail_scroll.saturating_sub(1),
                    Action::Down => app.prereq.detail_scroll + 1,
                    Action::PageUp => app.prereq.detail_scroll.saturating_sub(rows),
                    Action::PageDown => app.prereq.detail_scroll + rows,
                    Action::Top => 0,
                    _ => app.prereq.detail_scroll,
                };
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Runs (collect, checks) and their passwords

/// ATA's database usually runs without authentication: a password is only asked when
/// the URI names a user (the command line's rule too).
fn uri_names_user(uri: &str) -> bool {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    rest.split(['/', '?'])
        .next()
        .is_some_and(|a| a.contains('@'))
}

/// The next password a run needs that was not asked yet this session.
fn missing_secret(app: &App, kind: RunKind, only: &[String]) -> Option<SecretKind> {
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

fn start_run(app: &mut App, kind: RunKind, only: Vec<String>) -> Option<Command> {
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

fn collect_action(app: &mut App, action: Action) -> Option<Command> {
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

// ---------------------------------------------------------------------------------------
// Report

fn report_action(app: &mut App, action: Action) -> Option<Command> {
    let ui = &mut app.report;
    match action {
        Action::Up => ui.option = ui.option.saturating_sub(1),
        Action::Down => ui.option = (ui.option + 1).min(2),
        Action::Top => ui.option = 0,
        Action::Bottom => ui.option = 2,
        Action::Left | Action::Right => {
            let forward = action == Action::Right;
            let cycle = |i: usize, n: usize| {
                if n == 0 {
                    0
                } else if forward {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }
            };
            match ui.option {
                0 => ui.guide = cycle(ui.guide, app.data.guides.len()),
                1 => {
                    let i = REPORT_FORMATS
                        .iter()
                        .position(|f| *f == ui.format)
                        .unwrap_or(0);
                    ui.format = REPORT_FORMATS[cycle(i, REPORT_FORMATS.len())];
                }
                _ => ui.redact = !ui.redact,
            }
        }
        Action::Open => {
            if refuse_if_read_only(app) {
                return None;
            }
            if app.report.busy {
                notify(app, Level::Info, s::REP_WRITING);
                return None;
            }
            if app.is_loading() {
                notify(app, Level::Info, s::NOT_LOADED);
                return None;
            }
            let mut request = crate::report::Request::new(app.report.format, app.now);
            request.guide = app.data.guides.get(app.report.guide).cloned();
            request.redact = app.report.redact;
            request.arguments = vec!["tui".into(), "report".into()];
            app.report.busy = true;
            app.report.error = None;
            app.saving += 1;
            notify(app, Level::Info, s::REP_WRITING);
            return Some(Command::Report(Box::new(request)));
        }
        Action::Back => return cancel_run(app),
        _ => {}
    }
    None
}

// ---------------------------------------------------------------------------------------
// Checklist

fn checklist_action(app: &mut App, action: Action) -> Option<Command> {
    let focus = app.checklist.focus;
    match action {
        Action::Left => app.checklist.focus = Pane::Left,
        Action::Right => focus_detail(app),
        Action::Back => {
            if focus == Pane::Right {
                app.checklist.focus = Pane::Left;
            } else {
                return cancel_run(app);
            }
        }
        Action::Edit => {
            if focus == Pane::Left {
                focus_detail(app);
                return None;
            }
            match app.checklist.selected_target().cloned() {
                Some(Target::Field {
                    key,
                    label,
                    kind,
                    choices,
                    value,
                }) => {
                    if refuse_if_read_only(app) {
                        return None;
                    }
                    let step = app.checklist.selected_step_id()?.to_string();
                    app.prompt = Some(Prompt {
                        title: format!(
                            "{step} · {}",
                            s::field_prompt(&label, kind.as_str(), &choices)
                        ),
                        purpose: PromptPurpose::Field { step, key },
                        input: TextInput::new(value.as_deref().unwrap_or("")),
                    });
                }
                Some(Target::Copy(text)) => return copy(app, text),
                None => notify(app, Level::Info, s::NOT_A_FIELD),
            }
        }
        Action::Copy => match app.checklist.selected_target().cloned() {
            Some(Target::Copy(text)) => return copy(app, text),
            Some(Target::Field { value: Some(v), .. }) => return copy(app, v),
            _ => notify(app, Level::Info, s::NOTHING_TO_COPY),
        },
        Action::MarkDone => {
            let step = app.checklist.selected_step_id()?.to_string();
            return set_step(
                app,
                SetRequest {
                    step,
                    status: Some(StepStatus::Done),
                    ..SetRequest::default()
                },
            );
        }
        Action::StatusMenu => {
            if refuse_if_read_only(app) {
                return None;
            }
            let Some(step) = app.checklist.selected_step_id().map(str::to_string) else {
                notify(app, Level::Info, s::NO_STEP_SELECTED);
                return None;
            };
            let current = app.data.state.step(&step).status;
            app.menu = Some(Menu::Status {
                selected: STATUS_CHOICES
                    .iter()
                    .position(|s| *s == current)
                    .unwrap_or(0),
                step,
            });
        }
        Action::Note => {
            if refuse_if_read_only(app) {
                return None;
            }
            let Some(step) = app.checklist.selected_step_id().map(str::to_string) else {
                notify(app, Level::Info, s::NO_STEP_SELECTED);
                return None;
            };
            let note = app.data.state.step(&step).note.unwrap_or_default();
            app.prompt = Some(Prompt {
                title: format!("{step} · {}", s::NOTE_PROMPT),
                purpose: PromptPurpose::Note { step },
                input: TextInput::new(&note),
            });
        }
        movement => {
            if focus == Pane::Left {
                move_step(app, movement);
            } else {
                move_detail(app, movement);
            }
        }
    }
    None
}

fn copy(app: &mut App, text: String) -> Option<Command> {
    notify(app, Level::Success, s::copied(&text));
    Some(Command::Copy(text))
}

/// A checklist change for the writer, with what the rules look at.
fn set_step(app: &mut App, mut request: SetRequest) -> Option<Command> {
    if refuse_if_read_only(app) {
        return None;
    }
    let Some(definition) = app.data.definition.ready().cloned() else {
        notify(app, Level::Error, s::NO_CHECKLIST);
        return None;
    };
    if app.data.inventory.is_loading() {
        notify(app, Level::Info, s::NOT_LOADED);
        return None;
    }
    request.by = app.by.clone();
    app.saving += 1;
    Some(Command::SetStep {
        request: Box::new(request),
        inputs: Inputs {
            config: app.data.config.clone(),
            inventory: app.data.inventory.ready().cloned(),
            checks: app.data.checks.ready().cloned(),
            definition,
        },
    })
}

fn focus_detail(app: &mut App) {
    app.checklist.focus = Pane::Right;
    let ui = &mut app.checklist;
    if ui
        .detail_selected
        .is_none_or(|i| ui.detail.get(i).is_none_or(|l| l.target.is_none()))
    {
        ui.detail_selected = ui.detail.iter().position(|l| l.target.is_some());
    }
    keep_detail_selection_visible(app);
}

fn move_step(app: &mut App, movement: Action) {
    let rows = layout::checklist_rows(app.size);
    let ui = &mut app.checklist;
    let len = ui.rows.len();
    if len == 0 {
        return;
    }
    let before = ui.cursor.selected;
    let is_step = |i: usize| matches!(ui.rows.get(i), Some(ListRow::Step { .. }));
    // Phase headings are not selectable: skip over them in the direction of travel.
    let target = match movement {
        Action::Up => (0..before).rev().find(|&i| is_step(i)),
        Action::Down => (before + 1..len).find(|&i| is_step(i)),
        Action::PageUp => {
            let t = before.saturating_sub(page(rows) as usize);
            (t..before).find(|&i| is_step(i))
        }
        Action::PageDown => {
            let t = (before + page(rows) as usize).min(len - 1);
            (before + 1..=t).rev().find(|&i| is_step(i))
        }
        Action::Top => (0..len).find(|&i| is_step(i)),
        Action::Bottom => (0..len).rev().find(|&i| is_step(i)),
        _ => None,
    };
    if let Some(t) = target {
        ui.cursor.select(t, len, rows);
        // Keep the phase heading above the first step in view.
        if t > 0 && ui.cursor.offset == t && !is_step(t - 1) {
            ui.cursor.offset = t - 1;
        }
        if t != before {
            ui.detail_selected = None;
            ui.detail_offset = 0;
            derive_step(app);
        }
    }
}

fn move_detail(app: &mut App, movement: Action) {
    let (_, height) = layout::checklist_detail(app.size);
    let ui = &mut app.checklist;
    let len = ui.detail.len();
    let selectable: Vec<usize> = ui
        .detail
        .iter()
        .enumerate()
        .filter(|(_, l)| l.target.is_some())
        .map(|(i, _)| i)
        .collect();
    let current = ui.detail_selected;
    match movement {
        Action::Up | Action::Down if !selectable.is_empty() => {
            let next = match (movement, current) {
                (Action::Down, Some(c)) => selectable.iter().copied().find(|&i| i > c),
                (Action::Up, Some(c)) => selectable.iter().rev().copied().find(|&i| i < c),
                _ => selectable.first().copied(),
            };
            match next {
                Some(n) => ui.detail_selected = Some(n),
                // Past the last value: scroll on so text below it can be read.
                None if movement == Action::Down => {
                    ui.detail_offset = (ui.detail_offset + 1).min(len.saturating_sub(height));
                    return;
                }
                None => {
                    ui.detail_offset = ui.detail_offset.saturating_sub(1);
                    return;
                }
            }
        }
        Action::Up => ui.detail_offset = ui.detail_offset.saturating_sub(1),
        Action::Down => ui.detail_offset = (ui.detail_offset + 1).min(len.saturating_sub(height)),
        Action::PageUp | Action::PageDown => {
            let delta = page(height);
            ui.detail_offset = if movement == Action::PageDown {
                (ui.detail_offset + delta as usize).min(len.saturating_sub(height))
            } else {
                ui.detail_offset.saturating_sub(delta as usize)
            };
            let window = ui.detail_offset..ui.detail_offset + height;
            ui.detail_selected = selectable
                .iter()
                .copied()
                .find(|i| window.contains(i))
                .or(ui.detail_selected);
            return;
        }
        Action::Top => {
            ui.detail_offset = 0;
            ui.detail_selected = selectable.first().copied();
        }
        Action::Bottom => {
            ui.detail_offset = len.saturating_sub(height);
            ui.detail_selected = selectable.last().copied();
        }
        _ => {}
    }
    keep_detail_selection_visible(app);
}

fn keep_detail_selection_visible(app: &mut App) {
    let (_, height) = layout::checklist_detail(app.size);
    let ui = &mut app.checklist;
    if let Some(sel) = ui.detail_selected {
        // Show the heading of the block the value belongs to when there is room.
        if sel < ui.detail_offset {
            ui.detail_offset = sel;
        } else if sel >= ui.detail_offset + height {
            ui.detail_offset = sel + 1 - height;
        }
    }
    ui.detail_offset = ui.detail_offset.min(ui.detail.len().saturating_sub(height));
}

/// Selects step `id` in the list (once the list is known).
fn select_step(app: &mut App, id: &str) {
    let rows = layout::checklist_rows(app.size);
    let ui = &mut app.checklist;
    let Some(list) = &ui.list else {
        ui.want_step = Some(id.to_string());
        return;
    };
    let found = ui.rows.iter().position(|r| match r {
        ListRow::Step { phase, step } => list.phases[*phase].steps[*step].id == id,
        ListRow::Phase(_) => false,
    });
    if let Some(i) = found {
        let len = ui.rows.len();
        ui.cursor.select(i, len, rows);
        ui.detail_selected = None;
        ui.detail_offset = 0;
        derive_step(app);
    }
}

/// Runs `f` on the checklist's facts: the inventory and checks as loaded, and the bound
/// document (the exemplar until the inventory is there), lent out and put back so it is
/// built once, not on every step drawn.
fn with_facts<T>(app: &mut App, f: impl FnOnce(&Facts, &crate::model::ChecklistState) -> T) -> T {
    let data = &mut app.data;
    let document = data
        .document
        .take()
        .unwrap_or_else(|| exemplar::document(None, Some(&data.config)));
    let facts = Facts {
        inventory: data.inventory.ready().map(|i| i.as_ref()),
        checks: data.checks.ready().map(|c| c.as_ref()),
        root: Some(&app.root),
        now: app.now,
        document,
    };
    let out = f(&facts, &data.state);
    let Facts { document, .. } = facts;
    data.document = Some(document);
    out
}

/// Recomputes the step list and the selected step from the engagement's data.
pub fn derive_checklist(app: &mut App) {
    let Some(def) = app.data.definition.ready().cloned() else {
        app.checklist.list = None;
        app.checklist.rows.clear();
        app.checklist.step = None;
        app.checklist.detail.clear();
        return;
    };
    let previous = app
        .checklist
        .want_step
        .take()
        .or_else(|| app.checklist.selected_step_id().map(str::to_string));
    let first_time = app.checklist.list.is_none();
    let list = with_facts(app, |facts, state| view::list_view(&def, state, facts));

    let mut rows = Vec::new();
    for (p, phase) in list.phases.iter().enumerate() {
        rows.push(ListRow::Phase(p));
        for s in 0..phase.steps.len() {
            rows.push(ListRow::Step { phase: p, step: s });
        }
    }
    // Resume where the consultant was; the first time, at the step to do next.
    let wanted = previous.or_else(|| if first_time { list.next.clone() } else { None });
    let index = wanted
        .and_then(|id| {
            rows.iter().position(|r| match r {
                ListRow::Step { phase, step } => list.phases[*phase].steps[*step].id == id,
                ListRow::Phase(_) => false,
            })
        })
        .or_else(|| rows.iter().position(|r| matches!(r, ListRow::Step { .. })))
        .unwrap_or(0);
    let height = layout::checklist_rows(app.size);
    let ui = &mut app.checklist;
    let len = rows.len();
    ui.list = Some(list);
    ui.rows = rows;
    ui.cursor.select(index, len, height);
    ui.derived_minute = Some(app.now.timestamp() / 60);
    derive_step(app);
}

/// Lays out the selected step (values, gates, record fields) for the step pane.
fn derive_step(app: &mut App) {
    let (width, _) = layout::checklist_detail(app.size);
    let step_id = app.checklist.selected_step_id().map(str::to_string);
    let (Some(def), Some(id)) = (app.data.definition.ready().cloned(), step_id) else {
        app.checklist.step = None;
        app.checklist.detail.clear();
        return;
    };
    let Ok(step) = engine::find(&def, &id) else {
        return;
    };
    let sv = with_facts(app, |facts, state| {
        view::step_view(&def, step, state, facts)
    });
    let inventory_loading = app.data.inventory.is_loading();

    let selected_key = app.checklist.selected_target().map(target_key);
    let lines = step_lines(&sv, width as usize, inventory_loading);
    let ui: &mut ChecklistUi = &mut app.checklist;
    ui.detail = lines;
    ui.detail_width = width;
    ui.step = Some(sv);
    // Keep the same value or field selected after a save.
    ui.detail_selected = selected_key.and_then(|k| {
        ui.detail
            .iter()
            .position(|l| l.target.as_ref().map(target_key).as_deref() == Some(k.as_str()))
    });
    if ui.focus == Pane::Right && ui.detail_selected.is_none() {
        ui.detail_selected = ui.detail.iter().position(|l| l.target.is_some());
    }
    keep_detail_selection_visible(app);
}

fn target_key(t: &Target) -> String {
    match t {
        Target::Copy(v) => format!("copy:{v}"),
        Target::Field { key, .. } => format!("field:{key}"),
    }
}

/// After a resize: lists keep their selection in sight, the step is laid out again.
fn relayout(app: &mut App) {
    for section in 0..Section::ALL.len() {
        let len = section_len(app, section);
        let rows = section_rows(app, section);
        app.inventory.sections[section].cursor.clamp(len, rows);
    }
    let rows = layout::inventory_sections_rows(app.size);
    app.inventory.section.clamp(Section::ALL.len(), rows);
    let len = prereq_len(app);
    app.prereq
        .cursor
        .clamp(len, layout::prerequisites_rows(app.size));
    let len = app.checklist.rows.len();
    app.checklist
        .cursor
        .clamp(len, layout::checklist_rows(app.size));
    let (width, _) = layout::checklist_detail(app.size);
    if width != app.checklist.detail_width {
        derive_step(app);
    } else {
        keep_detail_selection_visible(app);
    }
}

fn line(kind: LineKind, text: impl Into<String>) -> DetailLine {
    DetailLine {
        kind,
        text: text.into(),
        target: None,
    }
}

fn wrapped(out: &mut Vec<DetailLine>, kind: LineKind, indent: &str, text: &str, width: usize) {
    let avail = width.saturating_sub(width_of(indent)).max(10);
    for (n, l) in wrap(text, avail).into_iter().enumerate() {
        // Continuation lines line up under the text, past any marker.
        let prefix = if n == 0 {
            indent.to_string()
        } else {
            " ".repeat(width_of(indent))
        };
        out.push(line(kind, format!("{prefix}{l}")));
    }
}

fn width_of(s: &str) -> usize {
    width(s)
}

/// The step as lines: what to enter, what gates it, what to record, what is missing.
pub fn step_lines(v: &StepView, width: usize, inventory_loading: bool) -> Vec<DetailLine> {
    let mut out = Vec::new();
    out.push(line(LineKind::Title, format!("{}  {}", v.id, v.title)));
    let mut meta = v.phase.clone();
    if let Some(n) = &v.number {
        meta.push_str(&format!(" · guide step {n}"));
    }
    out.push(line(LineKind::Meta, meta));
    let mut status = format!("{} {}", s::step_marker(v.state.status), v.state.status);
    if let Some(by) = &v.state.by {
        status.push_str(&format!(" · {by}"));
    }
    if let Some(at) = v.state.at {
        status.push_str(&format!(" · {}", at.format("%Y-%m-%d %H:%M UTC")));
    }
    out.push(line(LineKind::Meta, status));
    if let Some(link) = &v.link {
        // One line, cut to the pane; y copies it whole.
        out.push(DetailLine {
            kind: LineKind::Meta,
            text: link.clone(),
            target: Some(Target::Copy(link.clone())),
        });
    }
    if let Some(d) = &v.detail {
        out.push(line(LineKind::Blank, ""));
        wrapped(&mut out, LineKind::Text, "", d.trim(), width);
    }
    if let Some(r) = &v.state.reason {
        out.push(line(LineKind::Blank, ""));
        wrapped(
            &mut out,
            LineKind::Text,
            &format!("{}: ", s::CL_REASON),
            r,
            width,
        );
    }
    if let Some(n) = &v.state.note {
        out.push(line(LineKind::Blank, ""));
        wrapped(
            &mut out,
            LineKind::Text,
            &format!("{}: ", s::CL_NOTE),
            n,
            width,
        );
    }

    if !v.values.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(
            LineKind::Heading,
            format!("{}  ({})", s::CL_VALUES, s::CL_VALUES_HINT),
        ));
        if inventory_loading {
            out.push(line(
                LineKind::Missing,
                format!("  {}", s::LOADING_INVENTORY),
            ));
        }
        for show in &v.values {
            if inventory_loading {
                break;
            }
            out.push(line(LineKind::Text, format!("  {}", show.label)));
            values(&mut out, &show.value, width);
            if let Some(note) = &show.note {
                wrapped(&mut out, LineKind::Meta, "    ", note, width);
            }
        }
    }

    if !v.gates.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, s::CL_GATES));
        for g in &v.gates {
            if g.satisfied {
                out.push(line(LineKind::GateOk, format!("  ✓ {}", g.gate)));
            } else {
                let text = format!(
                    "{}: {}",
                    g.gate,
                    g.problem.as_deref().unwrap_or("not satisfied")
                );
                wrapped(&mut out, LineKind::GateBad, "  ✗ ", &text, width);
            }
        }
    }
    if !v.recommendations.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, s::CL_RECOMMENDED));
        for g in &v.recommendations {
            if g.satisfied {
                out.push(line(LineKind::GateOk, format!("  ✓ {}", g.gate)));
            } else {
                let text = format!(
                    "{}: {}",
                    g.gate,
                    g.problem.as_deref().unwrap_or("not satisfied")
                );
                wrapped(&mut out, LineKind::Problem, "  ! ", &text, width);
            }
        }
    }
    if !v.after.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, s::CL_AFTER));
        for a in &v.after {
            let (kind, mark) = if a.satisfied {
                (LineKind::GateOk, "  ✓ ")
            } else {
                (LineKind::GateBad, "  ✗ ")
            };
            wrapped(&mut out, kind, mark, &a.detail, width);
        }
    }

    if !v.record.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(
            LineKind::Heading,
            format!("{}  ({})", s::CL_RECORD, s::CL_RECORD_HINT),
        ));
        for f in &v.record {
            let value = f.value.as_deref().unwrap_or(s::CL_EMPTY);
            let need = if f.required {
                s::CL_REQUIRED
            } else {
                s::CL_OPTIONAL
            };
            out.push(DetailLine {
                kind: LineKind::Field,
                text: format!("  {} = {value}   ({need})", f.key),
                target: Some(Target::Field {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    kind: f.kind,
                    choices: f.choices.clone(),
                    value: f.value.clone(),
                }),
            });
            wrapped(&mut out, LineKind::Meta, "      ", &f.label, width);
            if let Some(h) = &f.help {
                wrapped(&mut out, LineKind::Meta, "      ", h, width);
            }
        }
    }
    if v.evidence_required || !v.state.evidence.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, s::CL_EVIDENCE));
        for e in &v.state.evidence {
            out.push(line(LineKind::Text, format!("  {e}")));
        }
        if v.evidence_required && v.state.evidence.is_empty() {
            wrapped(
                &mut out,
                LineKind::Meta,
                "  ",
                s::CL_EVIDENCE_REQUIRED,
                width,
            );
        }
    }
    if v.state.status != StepStatus::Done {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, s::CL_PROBLEMS));
        if v.done_problems.is_empty() {
            out.push(line(LineKind::Good, format!("  {}", s::CL_READY_TO_CLOSE)));
        }
        for p in &v.done_problems {
            wrapped(&mut out, LineKind::Problem, "  - ", p, width);
        }
    }
    out
}

/// The lines of one bound value: each a value that can be copied.
fn values(out: &mut Vec<DetailLine>, bound: &Bound, width: usize) {
    let copy = |text: String, copy: String| DetailLine {
        kind: LineKind::Value,
        text,
        target: Some(Target::Copy(copy)),
    };
    match bound {
        Bound::Value { value } => out.push(copy(format!("    {value}"), value.clone())),
        Bound::List { items } => {
            for item in items {
                out.push(copy(format!("    {item}"), item.clone()));
            }
        }
        Bound::Pairs { pairs } => {
            let key_width = pairs
                .iter()
                .map(|p| width_of(&p.key))
                .max()
                .unwrap_or(0)
                .min(30);
            for p in pairs {
                out.push(copy(
                    format!("    {}  {}", pad(&p.key, key_width), p.value),
                    p.value.clone(),
                ));
            }
        }
        Bound::Table { columns, rows } => {
            // Column widths from the widest cell (at most 48 cells, a SID's length): computed once per
            // selection, so a 5,000-row table costs nothing per frame.
            let number_width = rows.len().to_string().len().max(1);
            let mut widths: Vec<usize> = columns.iter().map(|c| width_of(c)).collect();
            for row in rows {
                for (i, cell) in row.iter().enumerate() {
                    if let Some(w) = widths.get_mut(i) {
                        *w = (*w).max(width_of(cell)).min(48);
                    }
                }
            }
            let render = |cells: &[String]| -> String {
                cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| pad(c, widths.get(i).copied().unwrap_or(10)))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            out.push(line(
                LineKind::TableHeader,
                format!("    {}  {}", pad("#", number_width), render(columns)),
            ));
            for (n, row) in rows.iter().enumerate() {
                out.push(copy(
                    format!(
                        "    {}  {}",
                        pad(&(n + 1).to_string(), number_width),
                        render(row)
                    ),
                    // Tab-separated: pastes into a spreadsheet as columns.
                    row.join("\t"),
                ));
            }
        }
        Bound::Missing { text, not_found } => {
            wrapped(out, LineKind::Missing, "    ", text, width);
            if let Some(nf) = not_found {
                for t in &nf.tried {
                    wrapped(out, LineKind::Meta, "      tried: ", t, width);
                }
            }
        }
        Bound::Unresolved { text } => wrapped(out, LineKind::Missing, "    ", text, width),
    }
}

// ---------------------------------------------------------------------------------------
// Prompts and menus

fn prompt_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let prompt = app.prompt.as_mut()?;
    let edit = prompt.input.handle(&key);
    let purpose = prompt.purpose.clone();
    match edit {
        Edit::Cancel => {
            if let PromptPurpose::Password(_) = purpose {
                app.run.pending = None;
            }
            app.prompt = None;
            None
        }
        Edit::Changed => {
            // Filters apply as they are typed.
            if let PromptPurpose::Filter(screen) = purpose {
                let text = app
                    .prompt
                    .as_ref()
                    .map(|p| p.input.value().to_string())
                    .unwrap_or_default();
                apply_filter(app, screen, text);
            }
            None
        }
        Edit::Submit => {
            let mut prompt = app.prompt.take()?;
            submit_prompt(app, prompt.purpose.clone(), &mut prompt.input)
        }
        Edit::Moved | Edit::Ignored => None,
    }
}

fn apply_filter(app: &mut App, screen: Screen, text: String) {
    match screen {
        Screen::Inventory => {
            let current = app.inventory.section.selected;
            app.inventory.sections[current].filter = text;
            app.inventory.sections[current].cursor = Cursor::default();
            refilter_section(app, current);
        }
        Screen::Prerequisites => {
            app.prereq.filter = text;
            app.prereq.cursor = Cursor::default();
            refilter_prereq(app);
        }
        _ => {}
    }
}

fn submit_prompt(app: &mut App, purpose: PromptPurpose, input: &mut TextInput) -> Option<Command> {
    let text = input.value().to_string();
    match purpose {
        PromptPurpose::Filter(screen) => {
            apply_filter(app, screen, text);
            None
        }
        PromptPurpose::Field { step, key } => set_step(
            app,
            SetRequest {
                step,
                fields: vec![(key, text)],
                ..SetRequest::default()
            },
        ),
        PromptPurpose::Note { step } => set_step(
            app,
            SetRequest {
                step,
                note: Some(text),
                ..SetRequest::default()
            },
        ),
        PromptPurpose::StepReason { step, status } => set_step(
            app,
            SetRequest {
                step,
                status: Some(status),
                reason: Some(text),
                ..SetRequest::default()
            },
        ),
        PromptPurpose::AcceptReason { key } => {
            app.prompt = Some(Prompt {
                title: format!("{} · {key}", s::ACCEPT_BY_PROMPT),
                purpose: PromptPurpose::AcceptBy { key, reason: text },
                input: TextInput::new(&app.by),
            });
            None
        }
        PromptPurpose::AcceptBy { key, reason } => {
            if refuse_if_read_only(app) {
                return None;
            }
            app.saving += 1;
            Some(Command::Accept {
                key,
                by: text,
                reason,
            })
        }
        PromptPurpose::Password(kind) => {
            // The typed text moves into a SecretString; the input's buffer is wiped.
            let secret = input.take_secret();
            match kind {
                SecretKind::Mongo => app.secrets.mongo = Some(secret),
                SecretKind::Ldap => app.secrets.ldap = Some(secret),
                SecretKind::Proxy => app.secrets.proxy = Some(secret),
            }
            let kind = app.run.pending.take()?;
            let only = std::mem::take(&mut app.run.only);
            start_run(app, kind, only)
        }
    }
}

fn menu_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let menu = app.menu.clone()?;
    match menu {
        Menu::ConfirmRevoke { key: accepted } => {
            app.menu = None;
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                app.saving += 1;
                return Some(Command::Revoke { key: accepted });
            }
            None
        }
        Menu::Status { step, selected } => {
            let n = STATUS_CHOICES.len();
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => app.menu = None,
                KeyCode::Char('c') if ctrl => app.menu = None,
                KeyCode::Down | KeyCode::Char('j') => {
                    app.menu = Some(Menu::Status {
                        step,
                        selected: (selected + 1) % n,
                    });
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    app.menu = Some(Menu::Status {
                        step,
                        selected: (selected + n - 1) % n,
                    });
                }
                KeyCode::Enter => {
                    app.menu = None;
                    let status = STATUS_CHOICES[selected];
                    if matches!(status, StepStatus::Skipped | StepStatus::Blocked) {
                        let reason = app.data.state.step(&step).reason.unwrap_or_default();
                        app.prompt = Some(Prompt {
                            title: format!("{step} · {}", s::reason_prompt(status)),
                            purpose: PromptPurpose::StepReason { step, status },
                            input: TextInput::new(&reason),
                        });
                        return None;
                    }
                    return set_step(
                        app,
                        SetRequest {
                            step,
                            status: Some(status),
                            ..SetRequest::default()
                        },
                    );
                }
                _ => {}
            }
            None
        }
    }
}
