//! The copy queue over the Checklist screen: a step's list and table values one at a
//! time (the library's `bind::queue_items`), copied with OSC 52 and ticked as entered.
//! A tick is a checklist change like any other: sent to the writer, saved through the
//! library's `set`, and shown once the saved state comes back.

use ratatui::crossterm::event::KeyEvent;

use super::super::{notify, quit, refuse_if_read_only};
use super::{copy, set_step};
use crate::checklist::SetRequest;
use crate::checklist::bind::queue_items;
use crate::tui::app::{App, Level, QueueUi};
use crate::tui::command::Command;
use crate::tui::keys::{self, Action};
use crate::tui::strings as s;

/// `w` on the Checklist screen: opens the queue over the selected step's values.
pub(super) fn open_queue(app: &mut App) {
    let Some(step) = app.checklist.step.as_ref() else {
        notify(app, Level::Info, s::NO_STEP_SELECTED);
        return;
    };
    let items = queue_items(&step.values);
    if items.is_empty() {
        notify(app, Level::Info, s::Q_NOTHING);
        return;
    }
    let entered = &app.data.state.step(&step.id).entered;
    // Resume at the first value not yet entered.
    let index = items
        .iter()
        .position(|i| !entered.contains(&i.id))
        .unwrap_or(0);
    app.checklist.queue = Some(QueueUi {
        step: step.id.clone(),
        items,
        index,
        cell: 0,
    });
}

/// A key while the queue is open: its own keys, quit and help; nothing else.
pub fn queue_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let action = keys::action_in(keys::QUEUE, &key).or_else(|| {
        keys::action_in(keys::GLOBAL, &key).filter(|a| matches!(a, Action::Quit | Action::Help))
    })?;
    let queue = app.checklist.queue.as_mut()?;
    let len = queue.items.len();
    match action {
        Action::Quit => return quit(app),
        Action::Help => app.help = Some(0),
        Action::Back => app.checklist.queue = None,
        Action::Down => queue.index = (queue.index + 1).min(len.saturating_sub(1)),
        Action::Up => queue.index = queue.index.saturating_sub(1),
        Action::Left => queue.cell = queue.cell.saturating_sub(1),
        Action::Right => {
            let cells = queue.items.get(queue.index).map_or(1, |i| i.cells.len());
            queue.cell = (queue.cell + 1).min(cells.saturating_sub(1));
        }
        Action::Copy => {
            let item = queue.items.get(queue.index)?;
            // A row shorter than the marked column gives its last cell.
            let (_, text) = item.cells.get(queue.cell).or(item.cells.last())?;
            let text = text.clone();
            return copy(app, text);
        }
        Action::Tick => {
            if refuse_if_read_only(app) {
                return None;
            }
            let queue = app.checklist.queue.as_mut()?;
            let item = queue.items.get(queue.index)?;
            let step = queue.step.clone();
            let id = item.id.clone();
            let on = !app.data.state.step(&step).entered.contains(&id);
            if on {
                queue.index = (queue.index + 1).min(len.saturating_sub(1));
            }
            return set_step(
                app,
                SetRequest {
                    step,
                    entered: vec![(id, on)],
                    ..SetRequest::default()
                },
            );
        }
        _ => {}
    }
    None
}
