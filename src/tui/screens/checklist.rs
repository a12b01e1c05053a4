//! Checklist: phases and steps on the left; on the right the selected step laid out by
//! `update` (values to enter, gates, record fields, what is missing), drawn a window at
//! a time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Wrap};

use crate::model::StepStatus;
use crate::tui::app::{App, LineKind, ListRow, Loadable, Pane, QueueUi};
use crate::tui::layout;
use crate::tui::strings as s;
use crate::tui::widgets::pane;
use crate::tui::widgets::table::Windowed;
use crate::tui::widgets::text::{cut, pad, visible, width, wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let ui = &app.checklist;
    let [left, right] = layout::checklist(area);
    let title = match &ui.list {
        Some(l) => format!(
            " {} · {} ",
            cut(&l.title, 40),
            s::of(l.done + l.skipped, l.total)
        ),
        None => format!(" {} ", s::CL_STEPS),
    };
    let block = pane(&app.theme, title, ui.focus == Pane::Left);
    let inner = block.inner(left);
    frame.render_widget(block, left);
    let Some(list) = &ui.list else {
        let line = match &app.data.definition {
            Loadable::Failed(e) => {
                Line::styled(visible(format!("{}: {e}", s::CL_NO_DEFINITION)), t.error())
            }
            _ => Line::styled(s::LOADING, t.dim()),
        };
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), inner);
        frame.render_widget(pane(&app.theme, format!(" {} ", s::CL_STEP), false), right);
        return;
    };
    let w = inner.width as usize;
    Windowed {
        header: None,
        widths: vec![Constraint::Fill(1)],
        len: ui.rows.len(),
        cursor: ui.cursor,
        highlight: Some(if ui.focus == Pane::Left {
            t.selected()
        } else {
            t.selected_unfocused()
        }),
    }
    .render(frame, inner, |i| match ui.rows[i] {
        ListRow::Phase(p) => {
            let phase = &list.phases[p];
            Row::new(vec![Cell::from(Line::styled(
                cut(
                    &format!(
                        "{} {}",
                        phase.title,
                        s::of(phase.done + phase.skipped, phase.total)
                    ),
                    w,
                ),
                t.heading(),
            ))])
        }
        ListRow::Step { phase, step } => {
            let st = &list.phases[phase].steps[step];
            let open = !matches!(st.status, StepStatus::Done | StepStatus::Skipped);
            // Steps that cannot be done yet are dimmed: the eye goes to what can.
            let title_style = if open && !st.ready {
                t.dim()
            } else {
                Style::new()
            };
            Row::new(vec![Cell::from(Line::from(vec![
                Span::styled(
                    format!(" {} ", s::step_marker(st.status)),
                    t.step(st.status),
                ),
                Span::styled(format!("{:<4} ", visible(st.id.clone())), t.bold()),
                Span::styled(cut(&st.title, w.saturating_sub(10)), title_style),
            ]))])
        }
    });

    // The selected step.
    let title = match &ui.step {
        Some(v) => format!(" {} {} ", s::CL_STEP, visible(v.id.clone())),
        None => format!(" {} ", s::CL_STEP),
    };
    let block = pane(&app.theme, title, ui.focus == Pane::Right);
    let inner = block.inner(right);
    frame.render_widget(block, right);
    if ui.detail.is_empty() {
        frame.render_widget(Paragraph::new(Line::styled(s::CL_NO_STEP, t.dim())), inner);
        return;
    }
    let height = inner.height as usize;
    let offset = ui.detail_offset.min(ui.detail.len().saturating_sub(height));
    let lines: Vec<Line> = ui
        .detail
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, l)| {
            let style = match l.kind {
                LineKind::Title => t.bold(),
                LineKind::Meta | LineKind::Missing => t.dim(),
                LineKind::Heading => t.heading(),
                LineKind::TableHeader => t.dim().patch(t.bold()),
                LineKind::GateOk | LineKind::Good => t.ok(),
                LineKind::GateBad | LineKind::Problem => t.warn(),
                LineKind::Field => t.key(),
                LineKind::Text | LineKind::Value | LineKind::Blank => Style::new(),
            };
            let selected = ui.focus == Pane::Right && ui.detail_selected == Some(i);
            let style = if selected {
                style.patch(t.selected())
            } else {
                style
            };
            Line::styled(cut(&l.text, inner.width as usize), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);
    if let Some(state_error) = &app.data.state_error {
        let area = Rect::new(
            inner.x,
            inner.y + inner.height.saturating_sub(3),
            inner.width,
            3.min(inner.height),
        );
        frame.render_widget(
            Paragraph::new(Line::styled(visible(state_error.clone()), t.error()))
                .wrap(Wrap { trim: true }),
            area,
        );
    }
}

/// The copy queue over the step pane: one value, where it stands, and the keys.
pub fn render_queue(frame: &mut Frame, body: Rect, app: &App, queue: &QueueUi) {
    let t = app.theme;
    let Some(item) = queue.items.get(queue.index) else {
        return;
    };
    let w = body.width.min(72);
    let room = (w as usize).saturating_sub(6).max(10);
    let entered = app.data.state.step(&queue.step).entered.contains(&item.id);
    let mut lines = vec![
        Line::styled(cut(&item.label, room), t.dim()),
        Line::from(vec![
            Span::raw(s::queue_position(queue.index, queue.items.len())),
            Span::raw(" · "),
            if entered {
                Span::styled(s::Q_ENTERED, t.ok())
            } else {
                Span::styled(s::Q_NOT_ENTERED, t.warn())
            },
        ]),
        Line::from(""),
    ];
    let key_width = item
        .cells
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(0)
        .min(24);
    let marked = queue.cell.min(item.cells.len().saturating_sub(1));
    for (n, (k, v)) in item.cells.iter().enumerate() {
        // The cell c copies stands out, with a marker.
        let (style, mark) = if n == marked {
            (t.bold(), "▸ ")
        } else {
            (Style::new(), "  ")
        };
        let value_room = room.saturating_sub(key_width + 2).max(10);
        for (i, part) in wrap(&visible(v.clone()), value_room)
            .into_iter()
            .enumerate()
        {
            let key = if i == 0 && !k.is_empty() {
                pad(k, key_width)
            } else {
                " ".repeat(key_width)
            };
            let gap = if key_width == 0 { "" } else { "  " };
            let mark = if i == 0 { mark } else { "  " };
            lines.push(Line::from(vec![
                Span::styled(mark, t.key()),
                Span::styled(format!("{key}{gap}"), t.dim()),
                Span::styled(part, style),
            ]));
        }
    }
    let h = (lines.len() as u16 + 2).clamp(6, body.height);
    let area = layout::centered(body, w, h);
    frame.render_widget(Clear, area);
    let title = format!(
        " {} · {} · {} ",
        s::Q_TITLE,
        visible(queue.step.clone()),
        s::queue_count(app.entered_count(queue), queue.items.len())
    );
    frame.render_widget(
        Paragraph::new(Text::from(lines)).block(
            pane(&app.theme, title, true)
                .title_bottom(Line::from(format!(" {} ", s::Q_FOOTER)).right_aligned()),
        ),
        area,
    );
}
