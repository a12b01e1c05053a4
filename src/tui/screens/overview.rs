//! Overview: who and what, the readiness verdict, check counts, progress per phase, what
//! blocks, and the step to do next.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Wrap};

use crate::checks::verdict::{VerdictLevel, verdict};
use crate::model::Status;
use crate::tui::app::{App, Blocker, Loadable, Pane};
use crate::tui::layout;
use crate::tui::strings as s;
use crate::tui::widgets::bar;
use crate::tui::widgets::pane;
use crate::tui::widgets::text::{cut, pad, visible};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let [head, progress, blockers] = layout::overview(area);
    render_head(frame, head, app);
    render_progress(frame, progress, app);
    render_blockers(frame, blockers, app);
}

fn label(app: &App, text: &str) -> Span<'static> {
    Span::styled(format!("{text:<11} "), app.theme.dim())
}

fn render_head(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let c = &app.data.config;
    let block = pane(
        &app.theme,
        format!(" {} ", visible(c.customer.clone())),
        false,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let half = (inner.width / 2) as usize;
    let pair = |l1: &str, v1: String, l2: &str, v2: String| {
        Line::from(vec![
            label(app, l1),
            Span::raw(pad(&v1, half.saturating_sub(13))),
            Span::raw(" "),
            label(app, l2),
            Span::raw(visible(v2)),
        ])
    };
    let workspace = match &c.workspace {
        Some(ws) => format!("{ws} ({})", c.cloud.as_str()),
        None => s::OV_NO_WORKSPACE.into(),
    };
    let inventory = match &app.data.inventory {
        Loadable::Ready(i) => i.collected_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        Loadable::Loading => s::LOADING.into(),
        Loadable::Missing => s::OV_NOT_COLLECTED.into(),
        Loadable::Failed(_) => "unreadable (see the Inventory screen)".into(),
    };
    let checks = match &app.data.checks {
        Loadable::Ready(ch) => ch.ran_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        Loadable::Loading => s::LOADING.into(),
        Loadable::Missing => s::OV_NOT_RUN.into(),
        Loadable::Failed(_) => "unreadable (see the Prerequisites screen)".into(),
    };
    let mut lines = vec![
        pair(
            s::OV_CUSTOMER,
            c.customer.clone(),
            s::OV_WORKSPACE,
            workspace,
        ),
        pair(
            s::OV_CONSULTANT,
            c.consultant.clone(),
            s::OV_GUIDE,
            c.guide.clone(),
        ),
        Line::from(vec![
            label(app, s::OV_ENGAGEMENT),
            Span::raw(visible(app.root_label.clone())),
        ]),
        pair(s::OV_INVENTORY, inventory, s::OV_CHECKS, checks),
    ];
    if let Some(r) = &app.read_only {
        lines.push(Line::styled(cut(r, inner.width as usize), t.warn()));
    } else {
        lines.push(Line::from(""));
    }
    // The verdict the report will print, from the same function.
    let checks = app.data.checks.ready().map(|c| c.as_ref());
    if app.data.checks.is_loading() {
        lines.push(Line::from(vec![
            label(app, s::OV_READINESS),
            Span::styled(s::LOADING, t.dim()),
        ]));
    } else {
        let v = verdict(checks, app.data.checks_stale()).worded(&s::Words);
        let style = match v.level {
            VerdictLevel::Ready => t.ok(),
            VerdictLevel::ReadyWithRisks | VerdictLevel::OpenPoints => t.warn(),
            VerdictLevel::NotReady => t.error(),
            VerdictLevel::Undecided => t.dim(),
        };
        lines.push(Line::from(vec![
            label(app, s::OV_READINESS),
            Span::styled(v.headline.clone(), style),
        ]));
        let details = v.details.join(" · ");
        let room = (inner.width as usize).saturating_sub(12);
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(12)),
            Span::styled(cut(&details, room), t.dim()),
        ]));
    }
    if let Some(ch) = checks {
        let counts = ch.counts();
        let mut spans = vec![label(app, s::OV_CHECK_COUNTS)];
        for (i, st) in Status::ALL.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" · "));
            }
            spans.push(Span::styled(
                format!(
                    "{} {}",
                    counts.get(st).copied().unwrap_or(0),
                    s::status_word(*st)
                ),
                t.status(*st),
            ));
        }
        let accepted = ch.results.iter().filter(|r| r.accepted.is_some()).count();
        if accepted > 0 {
            spans.push(Span::styled(format!("  ({accepted} accepted)"), t.dim()));
        }
        if app.data.checks_stale() {
            spans.push(Span::styled(format!("  {}", s::OV_STALE), t.warn()));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);
}

fn render_progress(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let list = app.checklist.list.as_ref();
    let title = match list {
        Some(l) => format!(
            " {} {} ",
            s::OV_PROGRESS,
            s::of(l.done + l.skipped, l.total)
        ),
        None => format!(" {} ", s::OV_PROGRESS),
    };
    let block = pane(&app.theme, title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(list) = list else {
        let msg = match &app.data.definition {
            Loadable::Failed(e) => Line::styled(visible(e.clone()), t.error()),
            _ => Line::styled(s::LOADING, t.dim()),
        };
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), inner);
        return;
    };
    // Phase names as long as they are, up to about half the pane; the bar takes the rest.
    let longest = list
        .phases
        .iter()
        .map(|p| crate::tui::widgets::text::width(&p.title))
        .max()
        .unwrap_or(8);
    let name_width = longest.min(inner.width as usize * 11 / 20).max(8);
    let count_width = 7;
    let bar_width = (inner.width as usize)
        .saturating_sub(name_width + count_width + 1)
        .max(4);
    let mut lines: Vec<Line> = list
        .phases
        .iter()
        .map(|p| {
            let closed = p.done + p.skipped;
            let ratio = if p.total == 0 {
                1.0
            } else {
                closed as f64 / p.total as f64
            };
            let (filled, empty) = bar(ratio, bar_width);
            Line::from(vec![
                Span::raw(format!(
                    "{:<w$} ",
                    cut(&p.title, name_width),
                    w = name_width
                )),
                Span::styled(filled, t.gauge_filled()),
                Span::styled(empty, t.gauge_empty()),
                Span::raw(format!(" {:>6}", s::of(closed, p.total))),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    let next = match &list.next {
        Some(id) => {
            let title = list
                .phases
                .iter()
                .flat_map(|p| &p.steps)
                .find(|st| &st.id == id)
                .map(|st| st.title.as_str())
                .unwrap_or("");
            Line::from(vec![
                Span::styled(format!("{}: ", s::OV_NEXT), t.heading()),
                Span::styled(format!("{}  ", visible(id.clone())), t.bold()),
                Span::raw(visible(title.to_string())),
                Span::styled(format!("  ({})", s::OV_NEXT_HINT), t.dim()),
            ])
        }
        None if list.done + list.skipped == list.total => Line::styled(s::OV_COMPLETE, t.ok()),
        None => Line::styled(format!("{}: —", s::OV_NEXT), t.dim()),
    };
    lines.push(next);
    frame.render_widget(
        Paragraph::new(Text::from(lines)).wrap(Wrap { trim: false }),
        inner,
    );
}

fn render_blockers(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let focused = app.overview.focus == Pane::Right;
    let block = pane(&app.theme, format!(" {} ", s::OV_BLOCKERS), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(checks) = app.data.checks.ready() else {
        let line =
            super::not_ready(app, &app.data.checks, s::NO_CHECKS).unwrap_or_else(|| Line::from(""));
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), inner);
        return;
    };
    let blockers = app.blockers();
    if blockers.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(s::OV_NO_BLOCKERS, t.ok())),
            inner,
        );
        return;
    }
    let w = inner.width as usize;
    // Unfocused, the list starts at the top and says how many more there are; focused,
    // it scrolls with the selection.
    let room = inner.height as usize;
    let (window, more) = if focused {
        (app.overview.cursor.window(blockers.len(), room), 0)
    } else if blockers.len() > room {
        (
            0..room.saturating_sub(1),
            blockers.len() - room.saturating_sub(1),
        )
    } else {
        (0..blockers.len(), 0)
    };
    let selected = app.overview.cursor.selected;
    let mut lines: Vec<Line> = window
        .map(|i| {
            let text = match &blockers[i] {
                Blocker::Check(r) => {
                    let r = &checks.results[*r];
                    format!("✗ {}: {}", r.key(), r.reason.as_deref().unwrap_or(&r.title))
                }
                Blocker::Step(id) => format!("⊘ {id}: {}", s::OV_STEP_BLOCKED),
            };
            let style = if focused && i == selected {
                t.selected()
            } else {
                t.status(Status::Fail)
            };
            Line::styled(cut(&text, w), style)
        })
        .collect();
    if more > 0 {
        lines.push(Line::styled(s::more(more), t.dim()));
    }
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);
}
