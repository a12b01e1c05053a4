//! Prerequisites: the check results with their status in colour, and the selected one's
//! evidence, remediation and accepted risk.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

use crate::model::{CheckResult, GuideRef};
use crate::tui::app::{App, Pane};
use crate::tui::layout;
use crate::tui::strings as s;
use crate::tui::widgets::pane;
use crate::tui::widgets::table::Windowed;
use crate::tui::widgets::text::{visible, wrap};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let ui = &app.prereq;
    let [table_area, detail_area] = layout::prerequisites(area);
    let checks = app.data.checks.ready();
    let total = checks.map_or(0, |c| c.results.len());
    let shown = ui.rows.len();
    let mut title = vec![Span::raw(format!(
        " {} · {} ",
        s::PRE_TITLE,
        s::rows_counter(shown, total)
    ))];
    if let Some(c) = checks {
        title.push(Span::styled(
            format!("ran {} ", c.ran_at.format("%Y-%m-%d %H:%M UTC")),
            t.dim(),
        ));
    }
    // Passes sort last: say how many are below the window so none is taken for missing.
    let height = table_area.height.saturating_sub(3) as usize;
    let window = ui.cursor.window(shown, height.max(1));
    let passes_below = checks.map_or(0, |c| {
        ui.rows[window.end..]
            .iter()
            .filter(|&&i| c.results[i].status == crate::model::Status::Pass)
            .count()
    });
    if passes_below > 0 {
        title.push(Span::styled(
            format!("· {} ", s::passes_below(passes_below)),
            t.ok(),
        ));
    }
    if app.data.checks_stale() {
        title.push(Span::styled(format!("{} ", s::OV_STALE), t.warn()));
    }
    if !ui.filter.is_empty() {
        title.push(Span::styled(
            format!("{}: {} ", s::INV_FILTER, ui.filter),
            t.key(),
        ));
    }
    let block = pane(&app.theme, Line::from(title), ui.focus == Pane::Left);
    let inner = block.inner(table_area);
    frame.render_widget(block, table_area);
    let Some(checks) = checks else {
        let line =
            super::not_ready(app, &app.data.checks, s::NO_CHECKS).unwrap_or_else(|| Line::from(""));
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), inner);
        frame.render_widget(
            pane(&app.theme, format!(" {} ", s::PRE_DETAILS), false),
            detail_area,
        );
        return;
    };
    if shown == 0 {
        frame.render_widget(Paragraph::new(Line::styled(s::NO_MATCH, t.dim())), inner);
    } else {
        let header = Row::new(vec![
            s::PRE_COL_STATUS,
            s::PRE_COL_ACCEPTED,
            s::PRE_COL_CHECK,
            s::PRE_COL_SUBJECT,
            s::PRE_COL_RESULT,
        ])
        .style(t.heading());
        let rows = &ui.rows;
        Windowed {
            header: Some(header),
            widths: vec![
                Constraint::Length(7),
                Constraint::Length(4),
                Constraint::Length(26),
                Constraint::Fill(2),
                Constraint::Fill(3),
            ],
            len: shown,
            cursor: ui.cursor,
            highlight: Some(if ui.focus == Pane::Left {
                t.selected()
            } else {
                t.selected_unfocused()
            }),
        }
        .render(frame, inner, |i| {
            let r = &checks.results[rows[i]];
            // An accepted result keeps its colour, dimmed: still true, no longer blocking.
            let style = if r.accepted.is_some() {
                t.status(r.status).patch(t.dim())
            } else {
                t.status(r.status)
            };
            Row::new(vec![
                Cell::from(Span::styled(s::status_word(r.status), style)),
                Cell::from(if r.accepted.is_some() { s::YES } else { "" }),
                Cell::from(visible(r.id.clone())),
                Cell::from(visible(r.subject.clone().unwrap_or_default())),
                Cell::from(visible(r.reason.clone().unwrap_or_default())),
            ])
        });
    }

    let selected = app.prereq_selected().map(|i| &checks.results[i]);
    let block = pane(
        &app.theme,
        format!(
            " {}{} ",
            s::PRE_DETAILS,
            selected
                .map(|r| format!(" · {}", visible(r.key())))
                .unwrap_or_default()
        ),
        ui.focus == Pane::Right,
    );
    let inner = block.inner(detail_area);
    frame.render_widget(block, detail_area);
    if let Some(r) = selected {
        let lines = detail_lines(app, r, inner.width as usize);
        let scroll = ui
            .detail_scroll
            .min(lines.len().saturating_sub(inner.height as usize));
        let shown: Vec<Line> = lines
            .into_iter()
            .skip(scroll)
            .take(inner.height as usize)
            .collect();
        frame.render_widget(Paragraph::new(Text::from(shown)), inner);
    }
}

/// One result in full: its title, verdict, evidence, what to do, and any acceptance.
fn detail_lines(app: &App, r: &CheckResult, width: usize) -> Vec<Line<'static>> {
    let t = app.theme;
    let mut lines = Vec::new();
    let guide = match r.guide {
        GuideRef::AzureAtp2019 => "the 2019 guide",
        GuideRef::MdiCurrent => "today's Defender for Identity guide",
        GuideRef::Both => "both guides",
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{} ", s::status_word(r.status)), t.status(r.status)),
        Span::styled(visible(r.title.clone()), t.bold()),
    ]));
    lines.push(Line::styled(format!("{}: {guide}", s::PRE_GUIDE), t.dim()));
    if let Some(reason) = &r.reason {
        for l in wrap(reason, width) {
            lines.push(Line::from(l));
        }
    }
    if !r.evidence.is_empty() {
        lines.push(Line::styled(s::PRE_EVIDENCE, t.heading()));
        let key_width = r
            .evidence
            .keys()
            .map(|k| k.len())
            .max()
            .unwrap_or(0)
            .min(30);
        for (k, v) in &r.evidence {
            for (n, part) in wrap(v, width.saturating_sub(key_width + 4))
                .into_iter()
                .enumerate()
            {
                let key = if n == 0 {
                    format!("  {:<key_width$}  ", visible(k.clone()))
                } else {
                    " ".repeat(key_width + 4)
                };
                lines.push(Line::from(vec![
                    Span::styled(key, t.dim()),
                    Span::raw(part),
                ]));
            }
        }
    }
    if let Some(rem) = crate::checks::action::of(r, &s::Words) {
        lines.push(Line::styled(s::PRE_REMEDIATION, t.heading()));
        for l in wrap(&rem, width.saturating_sub(2)) {
            lines.push(Line::from(format!("  {l}")));
        }
    }
    if let Some(a) = &r.accepted {
        lines.push(Line::styled(s::PRE_ACCEPTED, t.heading()));
        let text = format!(
            "{} by {} on {}: {}",
            a.check,
            a.by,
            a.at.format("%Y-%m-%d"),
            a.reason
        );
        for l in wrap(&text, width.saturating_sub(2)) {
            lines.push(Line::from(format!("  {l}")));
        }
    }
    lines
}
