//! Inventory: the sections on the left, the selected one as a table on the right (only
//! the visible rows are formatted), its `not_found` items below, details on Enter.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Wrap};

use crate::tui::app::{App, DetailPopup, Pane};
use crate::tui::layout;
use crate::tui::sections::{self, Section};
use crate::tui::strings as s;
use crate::tui::widgets::pane;
use crate::tui::widgets::table::Windowed;
use crate::tui::widgets::text::{cut, pad, width, wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let [left, right] = layout::inventory(area);
    let ui = &app.inventory;
    let inv = app.data.inventory.ready();

    // Sections, with their row counts once the inventory is read.
    let block = pane(
        &app.theme,
        format!(" {} ", s::INV_SECTIONS),
        ui.focus == Pane::Left,
    );
    let inner = block.inner(left);
    frame.render_widget(block, left);
    let w = inner.width as usize;
    Windowed {
        header: None,
        widths: vec![Constraint::Fill(1)],
        len: Section::ALL.len(),
        cursor: ui.section,
        highlight: Some(if ui.focus == Pane::Left {
            t.selected()
        } else {
            t.selected_unfocused()
        }),
    }
    .render(frame, inner, |i| {
        let section = Section::ALL[i];
        let count = inv
            .map(|inv| section.len(inv).to_string())
            .unwrap_or_default();
        let title_width = w.saturating_sub(width(&count) + 1);
        Row::new(vec![Cell::from(format!(
            "{}{}{count}",
            pad(section.title(), title_width),
            if count.is_empty() { "" } else { " " }
        ))])
    });

    let index = ui.section.selected.min(Section::ALL.len() - 1);
    let section = Section::ALL[index];
    let sui = &app.inventory.sections[index];
    let total = inv.map_or(0, |i| section.len(i));
    let shown = sui.matches.as_ref().map_or(total, Vec::len);
    let mut title = vec![Span::raw(format!(
        " {} · {} ",
        section.title(),
        s::rows_counter(shown, total)
    ))];
    if !sui.filter.is_empty() {
        title.push(Span::styled(
            format!("{}: {} ", s::INV_FILTER, sui.filter),
            t.key(),
        ));
    }
    let block = pane(&app.theme, Line::from(title), ui.focus == Pane::Right);
    frame.render_widget(block, right);
    let Some(inv) = inv else {
        let line = super::not_ready(app, &app.data.inventory, s::NO_INVENTORY)
            .unwrap_or_else(|| Line::from(""));
        let inner = pane(&app.theme, "", false).inner(right);
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), inner);
        return;
    };
    let summary = section.summary(inv);
    let not_found = section.not_found(inv);
    let [sum_area, table_area, nf_area] =
        layout::inventory_pane(right, summary.is_some(), not_found.len());
    if let Some(text) = summary {
        frame.render_widget(
            Paragraph::new(Line::styled(cut(&text, sum_area.width as usize), t.dim())),
            sum_area,
        );
    }
    if shown == 0 {
        let msg = if total == 0 { s::NO_ROWS } else { s::NO_MATCH };
        frame.render_widget(Paragraph::new(Line::styled(msg, t.dim())), table_area);
    } else {
        let columns = section.columns();
        let widths: Vec<Constraint> = columns
            .iter()
            .map(|c| {
                if c.fill {
                    Constraint::Fill(c.width)
                } else {
                    Constraint::Length(c.width)
                }
            })
            .collect();
        let header = Row::new(columns.iter().map(|c| Cell::from(c.header))).style(t.heading());
        let matches = sui.matches.as_deref();
        Windowed {
            header: Some(header),
            widths,
            len: shown,
            cursor: sui.cursor,
            highlight: Some(if ui.focus == Pane::Right {
                t.selected()
            } else {
                t.selected_unfocused()
            }),
        }
        .render(frame, table_area, |i| {
            let row = matches.map_or(i, |m| m[i]);
            Row::new(section.row(inv, row).into_iter().map(Cell::from))
        });
    }
    if !not_found.is_empty() && nf_area.height > 0 {
        let mut lines = vec![Line::styled(s::NOT_FOUND_TITLE, t.warn())];
        let room = nf_area.height as usize - 1;
        let shown_nf = if not_found.len() > room {
            room.saturating_sub(1)
        } else {
            not_found.len()
        };
        for n in not_found.iter().take(shown_nf) {
            let text = sections::visible(format!("  {} (tried: {})", n.item, n.tried.join("; ")));
            lines.push(Line::styled(cut(&text, nf_area.width as usize), t.warn()));
        }
        if not_found.len() > shown_nf {
            lines.push(Line::styled(s::more(not_found.len() - shown_nf), t.dim()));
        }
        frame.render_widget(Paragraph::new(Text::from(lines)), nf_area);
    }
}

/// The selected row's fields, over the screen.
pub fn render_popup(frame: &mut Frame, body: Rect, app: &App, popup: &DetailPopup) {
    let t = app.theme;
    let w = (body.width * 4 / 5).max(40).min(body.width);
    let key_width = popup
        .pairs
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(0)
        .min(28);
    let value_width = (w as usize).saturating_sub(key_width + 5).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for (k, v) in popup.pairs.iter().skip(popup.scroll) {
        for (n, part) in wrap(v, value_width).into_iter().enumerate() {
            let key = if n == 0 {
                pad(k, key_width)
            } else {
                " ".repeat(key_width)
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {key}  "), t.dim()),
                Span::raw(part),
            ]));
        }
    }
    let h = (lines.len() as u16 + 2).clamp(5, body.height.saturating_sub(2));
    let area = layout::centered(body, w, h);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Text::from(lines)).block(
            pane(
                &app.theme,
                format!(" {} · {} ", s::INV_DETAILS, popup.title),
                true,
            )
            .title_bottom(Line::from(" Esc closes · j/k scroll ").right_aligned()),
        ),
        area,
    );
}
