//! Report: the guide, format and redaction to write with, and where the files went.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::{App, REPORT_FORMATS};
use crate::tui::strings as s;
use crate::tui::widgets::pane;
use crate::tui::widgets::text::{cut, visible};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let ui = &app.report;
    let [options, written] =
        Layout::vertical([Constraint::Length(9), Constraint::Fill(1)]).areas(area);
    let block = pane(&app.theme, format!(" {} ", s::REP_TITLE), true);
    let inner = block.inner(options);
    frame.render_widget(block, options);

    let guide = app
        .data
        .guides
        .get(ui.guide)
        .cloned()
        .unwrap_or_else(|| app.data.config.guide.clone());
    let formats: Vec<Span> = REPORT_FORMATS
        .iter()
        .flat_map(|f| {
            let style = if *f == ui.format {
                t.selected()
            } else {
                t.dim()
            };
            [
                Span::styled(format!(" {} ", f.as_str()), style),
                Span::raw(" "),
            ]
        })
        .collect();
    let option = |i: usize, name: &str, value: Vec<Span<'static>>| {
        let marker = if ui.option == i { "›" } else { " " };
        let mut spans = vec![
            Span::styled(format!("{marker} "), t.key()),
            Span::styled(
                format!("{name:<10} "),
                if ui.option == i { t.bold() } else { t.dim() },
            ),
        ];
        spans.extend(value);
        Line::from(spans)
    };
    let mut lines = vec![
        option(
            0,
            s::REP_GUIDE,
            vec![Span::raw(format!("‹ {} ›", visible(guide.clone())))],
        ),
        option(1, s::REP_FORMAT, formats),
        option(
            2,
            s::REP_REDACTION,
            vec![Span::raw(if ui.redact {
                s::REP_REDACT_ON
            } else {
                s::REP_REDACT_OFF
            })],
        ),
        Line::from(""),
    ];
    if ui.busy {
        lines.push(Line::styled(s::REP_WRITING, t.info()));
    } else {
        lines.push(Line::styled(s::REP_EXPORT_HINT, t.dim()));
    }
    if let Some(e) = &ui.error {
        lines.push(Line::styled(visible(e.clone()), t.error()));
    }
    frame.render_widget(
        Paragraph::new(Text::from(lines)).wrap(Wrap { trim: false }),
        inner,
    );

    let block = pane(&app.theme, format!(" {} ", s::REP_WRITTEN), false);
    let inner = block.inner(written);
    frame.render_widget(block, written);
    let w = inner.width as usize;
    let mut lines = Vec::new();
    if ui.written.is_empty() {
        lines.push(Line::styled(s::REP_NONE_YET, t.dim()));
    }
    for wr in &ui.written {
        for (n, f) in wr.files.iter().enumerate() {
            let lead = if n == 0 {
                format!("{:<5}", wr.format.as_str())
            } else {
                " ".repeat(5)
            };
            lines.push(Line::from(vec![
                Span::styled(lead, t.bold()),
                Span::raw(cut(&s::display_path(&app.root, f), w.saturating_sub(5))),
            ]));
        }
        lines.push(Line::styled(
            cut(
                &format!(
                    "     {}: {}",
                    s::REP_INTEGRITY,
                    s::display_path(&app.root, &wr.integrity)
                ),
                w,
            ),
            t.dim(),
        ));
        for sha in wr.sha256.iter().take(1) {
            lines.push(Line::styled(
                cut(&format!("     {}: {sha}", s::REP_SHA), w),
                t.dim(),
            ));
        }
        for c in &wr.copies {
            lines.push(Line::styled(
                cut(&format!("     copy: {}", c.display()), w),
                t.dim(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);
}
