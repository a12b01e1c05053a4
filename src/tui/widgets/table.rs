//! A table that only builds the rows it shows: the caller gives the number of rows and a
//! function producing one row, and only the window around the selection is produced.
//! With 5,000 exclusions a frame formats the forty rows that fit, not all of them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Row, Table, TableState};

use crate::tui::app::Cursor;

pub struct Windowed<'a> {
    pub header: Option<Row<'a>>,
    pub widths: Vec<Constraint>,
    pub len: usize,
    pub cursor: Cursor,
    /// Style of the selected row; `None` draws no selection.
    pub highlight: Option<Style>,
}

impl<'a> Windowed<'a> {
    /// Draws rows `window` of the table into `area`, asking `row` for each.
    pub fn render(self, frame: &mut Frame, area: Rect, row: impl Fn(usize) -> Row<'a>) {
        let header_height = u16::from(self.header.is_some());
        let height = area.height.saturating_sub(header_height) as usize;
        let mut cursor = self.cursor;
        cursor.clamp(self.len, height.max(1));
        let window = cursor.window(self.len, height.max(1));
        let rows: Vec<Row<'a>> = window.map(row).collect();
        let mut table = Table::new(rows, self.widths).column_spacing(1);
        if let Some(h) = self.header {
            table = table.header(h);
        }
        let mut state = TableState::default();
        if let Some(style) = self.highlight {
            table = table.row_highlight_style(style);
            if self.len > 0 {
                state.select(Some(cursor.selected - cursor.offset));
            }
        }
        frame.render_stateful_widget(table, area, &mut state);
    }
}
