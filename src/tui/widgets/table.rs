//! A table that only builds the rows it shows: the caller gives the number of rows and a
//! function producing one row, and only the window around the selection is produced.
//! With 5,000 exclusions a frame formats the forty rows that fit, not all of them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Row, Table, TableState};

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

/// A selection in a list of `len` rows shown `height` at a time. The window only moves
/// when the selection would leave it, so the list does not jump under the consultant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` rows (negative: up), clamped to the list.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let target = (self.selected as isize + delta).clamp(0, len as isize - 1) as usize;
        self.select(target, len, height);
    }

    /// Selects row `index` (clamped) and scrolls just enough to show it.
    pub fn select(&mut self, index: usize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.selected = index.min(len - 1);
        self.clamp(len, height);
    }

    /// Keeps the selection inside the list and the window around it (after a resize or a
    /// change of the list).
    pub fn clamp(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.selected = self.selected.min(len - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        // Never leave empty space below the last row when rows could fill it.
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// The rows to draw: `offset..offset+height`, within the list.
    pub fn window(&self, len: usize, height: usize) -> std::ops::Range<usize> {
        let mut c = *self;
        c.clamp(len, height);
        c.offset..(c.offset + height).min(len)
    }
}
