//! Where each part of the screen goes, as functions of the terminal size. `update` uses
//! the same functions as the views to know how many rows a list shows, so it can keep
//! the selection in sight without the view having to remember anything.

use ratatui::layout::{Constraint, Layout, Rect};

/// Smallest size the screens are laid out for; below it a notice is shown instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

pub fn full(size: (u16, u16)) -> Rect {
    Rect::new(0, 0, size.0, size.1)
}

/// The tab bar, the screen's body, and the status bar.
pub fn frame(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

pub fn body(size: (u16, u16)) -> Rect {
    frame(full(size))[1]
}

/// Inner height of a bordered block.
fn inner_height(r: Rect) -> usize {
    r.height.saturating_sub(2) as usize
}

/// Inventory: the section list and the section's pane.
pub fn inventory(body: Rect) -> [Rect; 2] {
    let left = if body.width >= 120 { 28 } else { 24 };
    Layout::horizontal([Constraint::Length(left), Constraint::Fill(1)]).areas(body)
}

/// Inside the section's pane: summary line, table, not-found box.
pub fn inventory_pane(pane: Rect, summary: bool, not_found: usize) -> [Rect; 3] {
    let inner = Rect::new(
        pane.x + 1,
        pane.y + 1,
        pane.width.saturating_sub(2),
        pane.height.saturating_sub(2),
    );
    let nf = if not_found == 0 {
        0
    } else {
        (not_found.min(4) as u16 + 1).min(inner.height / 3)
    };
    Layout::vertical([
        Constraint::Length(u16::from(summary)),
        Constraint::Fill(1),
        Constraint::Length(nf),
    ])
    .areas(inner)
}

/// Rows of the section table that fit (its header takes one line).
pub fn inventory_rows(size: (u16, u16), summary: bool, not_found: usize) -> usize {
    let [_, pane] = inventory(body(size));
    let [_, table, _] = inventory_pane(pane, summary, not_found);
    (table.height as usize).saturating_sub(1).max(1)
}

pub fn inventory_sections_rows(size: (u16, u16)) -> usize {
    let [left, _] = inventory(body(size));
    inner_height(left).max(1)
}

/// Overview: the engagement's head above the checklist progress and the blockers, side
/// by side.
pub fn overview(body: Rect) -> [Rect; 3] {
    let [head, rest] = Layout::vertical([Constraint::Length(10), Constraint::Fill(1)]).areas(body);
    let [progress, blockers] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(rest);
    [head, progress, blockers]
}

/// Rows of the blockers list that fit.
pub fn overview_blockers_rows(size: (u16, u16)) -> usize {
    let [_, _, blockers] = overview(body(size));
    inner_height(blockers).max(1)
}

/// Prerequisites: the results table above the selected result's details.
pub fn prerequisites(body: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(body)
}

pub fn prerequisites_rows(size: (u16, u16)) -> usize {
    let [table, _] = prerequisites(body(size));
    inner_height(table).saturating_sub(1).max(1)
}

pub fn prerequisites_detail_rows(size: (u16, u16)) -> usize {
    let [_, detail] = prerequisites(body(size));
    inner_height(detail).max(1)
}

/// Checklist: the steps beside the selected step.
pub fn checklist(body: Rect) -> [Rect; 2] {
    let left = (body.width * 2 / 5).clamp(30, 64);
    Layout::horizontal([Constraint::Length(left), Constraint::Fill(1)]).areas(body)
}

pub fn checklist_rows(size: (u16, u16)) -> usize {
    let [list, _] = checklist(body(size));
    inner_height(list).max(1)
}

/// Width and height of the step pane's text.
pub fn checklist_detail(size: (u16, u16)) -> (u16, usize) {
    let [_, detail] = checklist(body(size));
    (detail.width.saturating_sub(2), inner_height(detail).max(1))
}

/// A box of `width`×`height` centred in `area`, never larger than it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The help overlay's box and the number of lines it shows.
pub fn help(size: (u16, u16)) -> Rect {
    let area = full(size);
    centered(area, 78, area.height.saturating_sub(2))
}
