//! One file per screen, each a `render` function of the app's state.

pub mod checklist;
pub mod collect;
pub mod inventory;
pub mod overview;
pub mod prerequisites;
pub mod report;

use ratatui::text::Line;

use super::app::{App, Loadable};
use super::strings as s;

/// The line to show instead of a file's content while it loads, when it is missing, or
/// when it could not be read (the library's message, with its next step).
pub fn not_ready<T>(
    app: &App,
    loadable: &Loadable<T>,
    missing: &'static str,
) -> Option<Line<'static>> {
    match loadable {
        Loadable::Ready(_) => None,
        Loadable::Loading => Some(Line::styled(s::LOADING, app.theme.dim())),
        Loadable::Missing => Some(Line::styled(missing, app.theme.warn())),
        // The library's message quotes the file: shown escaped, like all data.
        Loadable::Failed(e) => Some(Line::styled(
            super::sections::visible(e.clone()),
            app.theme.error(),
        )),
    }
}
