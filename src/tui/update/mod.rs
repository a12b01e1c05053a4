//! `update(&mut App, Msg) -> Option<Command>`: the only place the state changes. It does
//! no I/O and never waits: what needs the disk or the network is returned as a
//! [`Command`] for the loop to start, and comes back later as a message.
//!
//! The checklist's rules (readiness, gates, record fields, refusals) are the library's:
//! this module calls [`crate::checklist::view`] and lays the result out as lines.
//!
//! This file dispatches messages and keys and holds what every screen shares (notices,
//! cursor movement, the read-only refusal, relayout on resize); each screen's actions live
//! in the file of the same name as its view in `screens/`. `collect.rs` also starts the
//! runs other screens ask for, `checklist/` also lays a step out as lines (`step.rs`) and
//! walks the copy queue (`queue.rs`), and
//! `prompt.rs` handles the prompts and menus over any screen.

use std::sync::Arc;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

mod checklist;
mod collect;
mod inventory;
mod mouse;
mod overview;
mod prerequisites;
mod prompt;
mod report;

use checklist::{
    checklist_action, derive_checklist, derive_step, keep_detail_selection_visible, queue_key,
};
use collect::collect_action;
use inventory::{inventory_action, popup_key, refilter_section, section_len, section_rows};
use mouse::on_mouse;
use overview::overview_action;
use prerequisites::{prereq_action, prereq_len, refilter_prereq};
use prompt::{menu_key, prompt_key};
use report::report_action;

use super::app::{App, Cursor, Level, Loadable, Notice, Screen, TaskLine};
use super::command::Command;
use super::keys::{self, Action};
use super::layout;
use super::msg::{Msg, ProgressEvent, RunEnd};
use super::sections::Section;
use super::strings as s;

/// Applies one message; returns what the loop must do next, if anything.
pub fn update(app: &mut App, msg: Msg) -> Option<Command> {
    match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Mouse(event) => on_mouse(app, event),
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
                Err(e) => Loadable::Failed(e.to_string()),
            };
            app.data.definition = match loaded.definition {
                Ok(d) => Loadable::Ready(d),
                Err(e) => Loadable::Failed(e.to_string()),
            };
            match loaded.state {
                Ok(Some(state)) => app.data.state = state,
                Ok(None) => {}
                Err(e) => app.data.state_error = Some(e.to_string()),
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
                Err(e) => Loadable::Failed(e.to_string()),
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
        Msg::RunFinished(end) => {
            app.run.active = None;
            app.run.cancelling = false;
            app.run.only.clear();
            let (level, text) = match end {
                RunEnd::Done(m) => (Level::Success, m),
                RunEnd::Failed(m) => (Level::Error, m),
                RunEnd::Cancelled => (Level::Info, s::CANCELLED.into()),
            };
            let notice = Notice { level, text };
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
                    notify(app, Level::Success, s::step_saved(&change));
                }
                Err(e) => notify(app, Level::Error, s::set_refused(e)),
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
                    let e = e.to_string();
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
    if app.screen == Screen::Checklist && app.checklist.queue.is_some() {
        return queue_key(app, key);
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
        action => screen_action(app, action),
    }
}

/// An action of the current screen (a key's, or the mouse wheel's).
fn screen_action(app: &mut App, action: Action) -> Option<Command> {
    match app.screen {
        Screen::Overview => overview_action(app, action),
        Screen::Inventory => inventory_action(app, action),
        Screen::Prerequisites => prereq_action(app, action),
        Screen::Checklist => checklist_action(app, action),
        Screen::Report => report_action(app, action),
        Screen::Collect => collect_action(app, action),
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
