//! The Report screen's keys: its options and writing the report.

use super::{cancel_run, notify, refuse_if_read_only};
use crate::tui::app::{App, Level, REPORT_FORMATS};
use crate::tui::command::Command;
use crate::tui::keys::Action;
use crate::tui::strings as s;

pub(super) fn report_action(app: &mut App, action: Action) -> Option<Command> {
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
