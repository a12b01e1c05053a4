//! The Overview screen's keys: Enter opens the step to do next.

use super::checklist::select_step;
use super::{cancel_run, switch};
use crate::tui::app::{App, Pane, Screen};
use crate::tui::command::Command;
use crate::tui::keys::Action;

pub(super) fn overview_action(app: &mut App, action: Action) -> Option<Command> {
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
