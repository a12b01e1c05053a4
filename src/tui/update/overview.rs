//! The Overview screen's keys: Enter opens the step to do next, or the blocker selected
//! with j/k (a failing check on Prerequisites, a blocked step on the Checklist).

use super::checklist::select_step;
use super::prerequisites::refilter_prereq;
use super::{cancel_run, move_cursor, switch};
use crate::tui::app::{App, Blocker, Pane, Screen};
use crate::tui::command::Command;
use crate::tui::keys::Action;
use crate::tui::layout;

pub(super) fn overview_action(app: &mut App, action: Action) -> Option<Command> {
    let len = app.blockers().len();
    let rows = layout::overview_blockers_rows(app.size);
    match action {
        Action::Open if app.overview.focus == Pane::Right && len > 0 => {
            let selected = app.overview.cursor.selected.min(len - 1);
            let blocker = app.blockers().swap_remove(selected);
            open_blocker(app, blocker);
        }
        Action::Open => {
            if let Some(next) = app.checklist.list.as_ref().and_then(|l| l.next.clone()) {
                select_step(app, &next);
                app.checklist.focus = Pane::Left;
            }
            switch(app, Screen::Checklist);
        }
        Action::Back if app.overview.focus == Pane::Right => app.overview.focus = Pane::Left,
        Action::Back => return cancel_run(app),
        Action::Left => app.overview.focus = Pane::Left,
        Action::Right if len > 0 => app.overview.focus = Pane::Right,
        movement if len > 0 => {
            // The first move into the list selects where the cursor was; later ones move.
            if app.overview.focus == Pane::Left {
                app.overview.focus = Pane::Right;
                app.overview.cursor.clamp(len, rows);
            } else {
                move_cursor(&mut app.overview.cursor, movement, len, rows);
            }
        }
        _ => {}
    }
    None
}

/// Shows the blocker where it is dealt with: the check selected on Prerequisites (its
/// filter cleared so it is in the list), or the step selected on the Checklist.
fn open_blocker(app: &mut App, blocker: Blocker) {
    match blocker {
        Blocker::Check(index) => {
            app.prereq.filter.clear();
            refilter_prereq(app);
            if let Some(row) = app.prereq.rows.iter().position(|&i| i == index) {
                let len = app.prereq.rows.len();
                let height = layout::prerequisites_rows(app.size);
                app.prereq.cursor.select(row, len, height);
                app.prereq.detail_scroll = 0;
            }
            app.prereq.focus = Pane::Left;
            switch(app, Screen::Prerequisites);
        }
        Blocker::Step(id) => {
            select_step(app, &id);
            app.checklist.focus = Pane::Left;
            switch(app, Screen::Checklist);
        }
    }
}
