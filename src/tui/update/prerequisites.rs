//! The Prerequisites screen's keys: the results list, its filter, re-runs and accepted risks.

use super::collect::start_run;
use super::{cancel_run, move_cursor, notify, refuse_if_read_only};
use crate::model::Status;
use crate::tui::app::{App, Level, Menu, Pane, Prompt, PromptPurpose, RunKind, Screen};
use crate::tui::command::Command;
use crate::tui::keys::Action;
use crate::tui::layout;
use crate::tui::strings as s;
use crate::tui::widgets::input::TextInput;

pub(super) fn prereq_len(app: &App) -> usize {
    app.prereq.rows.len()
}

/// Where a status sorts on the screen: what fails first, then what needs a look (warn,
/// unknown, manual), then what passes, so the problems are on the first page.
fn rank(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::Warn | Status::Unknown | Status::Manual => 1,
        Status::Pass => 2,
    }
}

/// Recomputes the rows shown (the filter's matches, failing first, stable within a
/// status), keeping the same result selected when it is still shown.
pub(super) fn refilter_prereq(app: &mut App) {
    let selected = app.prereq_selected();
    let selected_key = selected
        .and_then(|i| app.data.checks.ready().and_then(|c| c.results.get(i)))
        .map(|r| (r.id.clone(), r.subject.clone()));
    app.prereq.rows = match app.data.checks.ready() {
        Some(c) => {
            let needle = app.prereq.filter.to_lowercase();
            let mut rows: Vec<usize> = c
                .results
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    needle.is_empty()
                        || [
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
                .collect();
            // `sort_by_key` is stable: the file's order is kept within a status.
            rows.sort_by_key(|&i| rank(c.results[i].status));
            rows
        }
        None => Vec::new(),
    };
    let len = prereq_len(app);
    let height = layout::prerequisites_rows(app.size);
    let found = selected_key.and_then(|(id, subject)| {
        let results = &app.data.checks.ready()?.results;
        app.prereq
            .rows
            .iter()
            .position(|&i| results[i].id == id && results[i].subject == subject)
    });
    match found {
        Some(row) => app.prereq.cursor.select(row, len, height),
        None => app.prereq.cursor.clamp(len, height),
    }
}

pub(super) fn prereq_action(app: &mut App, action: Action) -> Option<Command> {
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
