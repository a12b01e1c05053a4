//! Collect: the sources the engagement names, and the progress of a run (collecting,
//! checking) task by task, with errors where they happened.

use std::path::Path;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::strings as s;
use crate::tui::widgets::bar;
use crate::tui::widgets::text::{cut, pad, wrap};
use crate::tui::widgets::{pane, spinner};

/// The sources of `ata2atp.yaml` as (system, kind, location) lines.
fn sources(app: &App) -> Vec<(&'static str, &'static str, String)> {
    let c = &app.data.config.sources;
    let path = |p: &Path| p.display().to_string();
    let mut out = Vec::new();
    if let Some(m) = &c.ata_mongo {
        out.push(("ATA", "MongoDB", m.clone()));
    }
    if let Some(d) = &c.ata_dump {
        out.push(("ATA", "mongodump", path(d)));
    }
    for j in &c.ata_json {
        out.push(("ATA", "JSON export", path(j)));
    }
    if let Some(l) = &c.ldap {
        let who = l
            .bind_user
            .as_deref()
            .map(|u| format!(" as {u}"))
            .unwrap_or_default();
        out.push(("Directory", "LDAP", format!("{}{who}", l.url)));
    }
    for l in &c.ldif {
        out.push(("Directory", "LDIF", path(l)));
    }
    for d in &c.dc_facts {
        out.push(("Hosts", "DC facts", path(d)));
    }
    if let Some(cf) = &c.center_facts {
        out.push(("Hosts", "Center facts", path(cf)));
    }
    if let Some(g) = &c.gateway_logs {
        out.push(("Logs", "gateway logs", path(g)));
    }
    out
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let srcs = sources(app);
    let src_height = (srcs.len().max(1) as u16 + 3).min(area.height / 2);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(src_height), Constraint::Fill(1)]).areas(area);
    let block = pane(&app.theme, format!(" {} ", s::COL_SOURCES), false);
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if srcs.is_empty() {
        lines.push(Line::styled(s::COL_NO_SOURCES, t.warn()));
    }
    let room = inner.height.saturating_sub(1) as usize;
    for (system, kind, location) in srcs.iter().take(room) {
        lines.push(Line::from(vec![
            Span::styled(format!("{system:<10} "), t.bold()),
            Span::styled(format!("{kind:<13} "), t.dim()),
            Span::raw(cut(location, w.saturating_sub(25))),
        ]));
    }
    if srcs.len() > room {
        lines.push(Line::styled(s::more(srcs.len() - room), t.dim()));
    }
    lines.push(Line::styled(cut(s::COL_PASSWORDS, w), t.dim()));
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);

    let title = if app.run.active.is_some() {
        format!(" {} · {} ", s::COL_PROGRESS, s::COL_CANCEL_HINT)
    } else {
        format!(" {} ", s::COL_PROGRESS)
    };
    let block = pane(&app.theme, title, app.run.active.is_some());
    let inner = block.inner(bottom);
    frame.render_widget(block, bottom);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if app.run.active.is_none() && app.run.tasks.is_empty() {
        lines.push(Line::styled(cut(s::COL_IDLE, w), t.dim()));
    }
    // The latest tasks, in the order they started; older ones scroll off the top.
    let room = (inner.height as usize).saturating_sub(2);
    let skip = app.run.tasks.len().saturating_sub(room);
    let name_width = (w / 2).clamp(16, 60);
    for task in app.run.tasks.iter().skip(skip) {
        let (mark, style) = match &task.outcome {
            None => (spinner(app.run.spinner), t.info()),
            Some(o) if looks_failed(o) => ("✗", t.error()),
            Some(_) => ("✓", t.ok()),
        };
        let mut spans = vec![
            Span::styled(format!("{mark} "), style),
            Span::raw(pad(&task.name, name_width)),
            Span::raw(" "),
        ];
        let rest = w.saturating_sub(name_width + 3);
        match (&task.outcome, task.total) {
            (Some(o), _) => spans.push(Span::styled(cut(o, rest), style)),
            (None, Some(total)) if total > 0 => {
                let count = format!(" {}/{}", task.done, total);
                let bw = rest.saturating_sub(count.len()).min(30);
                let (f, e) = bar(task.done as f64 / total as f64, bw);
                spans.push(Span::styled(f, t.gauge_filled()));
                spans.push(Span::styled(e, t.gauge_empty()));
                spans.push(Span::raw(count));
            }
            (None, _) if task.done > 0 => spans.push(Span::raw(task.done.to_string())),
            (None, _) => {}
        }
        lines.push(Line::from(spans));
    }
    if let Some(last) = &app.run.last {
        if app.run.active.is_none() {
            lines.push(Line::from(""));
            lines.push(Line::styled(format!("{}:", s::COL_LAST), t.dim()));
            for l in wrap(&last.text, w.saturating_sub(2)) {
                lines.push(Line::styled(format!("  {l}"), last.level.style(&app.theme)));
            }
        }
    } else if app.run.cancelling {
        lines.push(Line::styled(s::CANCELLING, t.info()));
    }
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);
}

/// Readers end a failed task with its error: shown in the error style. The library has
/// no structured outcome here, so the words are the signal.
fn looks_failed(outcome: &str) -> bool {
    let o = outcome.to_ascii_lowercase();
    o.starts_with("fail") || o.starts_with("error") || o.contains("could not")
}
