//! The Inventory screen's keys: sections, filters, the details pop-up.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{cancel_run, move_cursor, on_key};
use crate::tui::app::{App, DetailPopup, Pane, Prompt, PromptPurpose, Screen};
use crate::tui::command::Command;
use crate::tui::keys::Action;
use crate::tui::layout;
use crate::tui::sections::{self, Section};
use crate::tui::strings as s;
use crate::tui::widgets::input::TextInput;

pub(super) fn section_len(app: &App, index: usize) -> usize {
    let Some(inv) = app.data.inventory.ready() else {
        return 0;
    };
    match &app.inventory.sections[index].matches {
        Some(m) => m.len(),
        None => Section::ALL[index].len(inv),
    }
}

/// Rows the current section's table shows.
pub(super) fn section_rows(app: &App, index: usize) -> usize {
    let section = Section::ALL[index];
    let (summary, nf) = match app.data.inventory.ready() {
        Some(inv) => (section.summary(inv).is_some(), section.not_found(inv).len()),
        None => (false, 0),
    };
    layout::inventory_rows(app.size, summary, nf)
}

/// The inventory index of the row selected in section `index`.
pub(super) fn section_row_index(app: &App, index: usize) -> Option<usize> {
    let ui = &app.inventory.sections[index];
    if section_len(app, index) == 0 {
        return None;
    }
    match &ui.matches {
        Some(m) => m.get(ui.cursor.selected).copied(),
        None => Some(ui.cursor.selected),
    }
}

pub(super) fn refilter_section(app: &mut App, index: usize) {
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

pub(super) fn inventory_action(app: &mut App, action: Action) -> Option<Command> {
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
pub(super) fn popup_key(app: &mut App, key: KeyEvent) -> Option<Command> {
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
