//! The mouse: the wheel scrolls the list that has the keys (as j/k would), a click on the
//! tab bar switches screens, a click on a list row selects it (and gives its pane the
//! keys). Where things are comes from `layout`, the same functions the views draw with.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Margin, Position, Rect};

use super::checklist::{derive_step, focus_detail};
use super::inventory::{section_len, section_rows};
use super::{screen_action, switch};
use crate::tui::app::{App, ListRow, Pane, Screen};
use crate::tui::command::Command;
use crate::tui::keys::Action;
use crate::tui::layout;
use crate::tui::sections::Section;
use crate::tui::widgets::text::width;

/// Rows one notch of the wheel moves.
const WHEEL_ROWS: usize = 3;

pub(super) fn on_mouse(app: &mut App, event: MouseEvent) -> Option<Command> {
    // Prompts and menus are answered with keys; the mouse does not close them.
    if app.prompt.is_some() || app.menu.is_some() {
        return None;
    }
    match event.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = event.kind == MouseEventKind::ScrollDown;
            if let Some(scroll) = app.help {
                app.help = Some(if down {
                    scroll + WHEEL_ROWS
                } else {
                    scroll.saturating_sub(WHEEL_ROWS)
                });
                return None;
            }
            if app.screen == Screen::Inventory
                && let Some(popup) = app.inventory.popup.as_mut()
            {
                let last = popup.pairs.len().saturating_sub(1);
                popup.scroll = if down {
                    (popup.scroll + WHEEL_ROWS).min(last)
                } else {
                    popup.scroll.saturating_sub(WHEEL_ROWS)
                };
                return None;
            }
            let action = if down { Action::Down } else { Action::Up };
            for _ in 0..WHEEL_ROWS {
                screen_action(app, action);
            }
            None
        }
        MouseEventKind::Down(MouseButton::Left) => {
            if app.help.is_none() && app.inventory.popup.is_none() {
                click(app, Position::new(event.column, event.row));
            }
            None
        }
        _ => None,
    }
}

fn click(app: &mut App, at: Position) {
    let [tabs, body, _] = layout::frame(layout::full(app.size));
    if tabs.contains(at) {
        // The tabs as the view writes them: " 1 Overview " side by side.
        let mut x = tabs.x;
        for (i, screen) in Screen::ALL.iter().enumerate() {
            let w = width(&format!(" {} {} ", i + 1, screen.title())) as u16;
            if at.x >= x && at.x < x + w {
                switch(app, *screen);
                return;
            }
            x += w;
        }
        return;
    }
    if !body.contains(at) {
        return;
    }
    match app.screen {
        Screen::Overview => {
            let [_, _, blockers] = layout::overview(body);
            let len = app.blockers().len();
            let rows = layout::overview_blockers_rows(app.size);
            // Unfocused, the list is drawn from its top.
            let offset = if app.overview.focus == Pane::Right {
                app.overview.cursor.window(len, rows).start
            } else {
                0
            };
            if let Some(i) = row_at(rows_of(blockers, 0), offset, at).filter(|&i| i < len) {
                app.overview.focus = Pane::Right;
                app.overview.cursor.select(i, len, rows);
            }
        }
        Screen::Prerequisites => {
            let [table, _] = layout::prerequisites(body);
            let len = app.prereq.rows.len();
            let rows = layout::prerequisites_rows(app.size);
            let offset = app.prereq.cursor.window(len, rows).start;
            if let Some(i) = row_at(rows_of(table, 1), offset, at).filter(|&i| i < len) {
                app.prereq.focus = Pane::Left;
                app.prereq.cursor.select(i, len, rows);
                app.prereq.detail_scroll = 0;
            } else if !table.contains(at) {
                app.prereq.focus = Pane::Right;
            }
        }
        Screen::Checklist => {
            let [list, _] = layout::checklist(body);
            let len = app.checklist.rows.len();
            let rows = layout::checklist_rows(app.size);
            let offset = app.checklist.cursor.window(len, rows).start;
            match row_at(rows_of(list, 0), offset, at) {
                // Phase headings are not selectable.
                Some(i) if matches!(app.checklist.rows.get(i), Some(ListRow::Step { .. })) => {
                    app.checklist.focus = Pane::Left;
                    if i != app.checklist.cursor.selected {
                        app.checklist.cursor.select(i, len, rows);
                        app.checklist.detail_selected = None;
                        app.checklist.detail_offset = 0;
                        derive_step(app);
                    }
                }
                Some(_) => {}
                None if !list.contains(at) => focus_detail(app),
                None => {}
            }
        }
        Screen::Inventory => {
            let [left, right] = layout::inventory(body);
            let sections = Section::ALL.len();
            let rows = layout::inventory_sections_rows(app.size);
            let offset = app.inventory.section.window(sections, rows).start;
            if let Some(i) = row_at(rows_of(left, 0), offset, at).filter(|&i| i < sections) {
                app.inventory.focus = Pane::Left;
                app.inventory.section.select(i, sections, rows);
                return;
            }
            if !right.contains(at) {
                return;
            }
            app.inventory.focus = Pane::Right;
            let current = app.inventory.section.selected;
            let (summary, not_found) = match app.data.inventory.ready() {
                Some(inv) => {
                    let section = Section::ALL[current];
                    (section.summary(inv).is_some(), section.not_found(inv).len())
                }
                None => (false, 0),
            };
            let [_, table, _] = layout::inventory_pane(right, summary, not_found);
            let len = section_len(app, current);
            let rows = section_rows(app, current);
            let cursor = &mut app.inventory.sections[current].cursor;
            let offset = cursor.window(len, rows).start;
            // Inside the pane's border already; its header is its first line.
            let body_rows = Rect {
                y: table.y + 1,
                height: table.height.saturating_sub(1),
                ..table
            };
            if let Some(i) = row_at(body_rows, offset, at).filter(|&i| i < len) {
                cursor.select(i, len, rows);
            }
        }
        Screen::Report | Screen::Collect => {}
    }
}

/// The rows of a bordered list pane: inside the border, below `header` lines.
fn rows_of(pane: Rect, header: u16) -> Rect {
    let inner = pane.inner(Margin::new(1, 1));
    Rect {
        y: inner.y + header.min(inner.height),
        height: inner.height.saturating_sub(header),
        ..inner
    }
}

/// The index of the list row under `at`, for rows drawn in `rows` from row `offset`.
fn row_at(rows: Rect, offset: usize, at: Position) -> Option<usize> {
    rows.contains(at).then(|| offset + (at.y - rows.y) as usize)
}
