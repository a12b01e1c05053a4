//! Drawing: a function of the [`App`] and nothing else. No file is read and nothing is
//! awaited here; lists draw only the rows that fit.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Level, Menu, STATUS_CHOICES, Screen};
use super::keys;
use super::layout;
use super::screens;
use super::strings as s;
use super::widgets::spinner;
use super::widgets::text::{cut, width, wrap};

pub fn view(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < layout::MIN_WIDTH || area.height < layout::MIN_HEIGHT {
        frame.render_widget(Paragraph::new(s::TOO_SMALL).wrap(Wrap { trim: true }), area);
        return;
    }
    let [tabs, body, status] = layout::frame(area);
    render_tabs(frame, tabs, app);
    match app.screen {
        Screen::Overview => screens::overview::render(frame, body, app),
        Screen::Inventory => screens::inventory::render(frame, body, app),
        Screen::Prerequisites => screens::prerequisites::render(frame, body, app),
        Screen::Checklist => screens::checklist::render(frame, body, app),
        Screen::Report => screens::report::render(frame, body, app),
        Screen::Collect => screens::collect::render(frame, body, app),
    }
    render_status(frame, status, app);
    if app.notice.as_ref().is_some_and(|n| n.level == Level::Error) {
        render_notice_panel(frame, body, app);
    }
    if let (Screen::Inventory, Some(popup)) = (app.screen, &app.inventory.popup) {
        screens::inventory::render_popup(frame, body, app, popup);
    }
    if let (Screen::Checklist, Some(queue)) = (app.screen, &app.checklist.queue) {
        screens::checklist::render_queue(frame, body, app, queue);
    }
    if let Some(menu) = &app.menu {
        render_menu(frame, area, app, menu);
    }
    if let Some(prompt) = &app.prompt {
        render_prompt(frame, area, app, prompt);
    }
    if let Some(scroll) = app.help {
        render_help(frame, app, scroll);
    }
}

fn render_tabs(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let mut spans = Vec::new();
    for (i, screen) in Screen::ALL.iter().enumerate() {
        let style = if *screen == app.screen {
            t.tab_active()
        } else {
            t.tab()
        };
        spans.push(Span::styled(
            format!(" {} {} ", i + 1, screen.title()),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_status(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme;
    let mut right: Vec<Span> = Vec::new();
    if let Some(kind) = app.run.active {
        let _ = kind;
        right.push(Span::styled(
            format!("{} {} ", spinner(app.run.spinner), running_text(app)),
            t.info(),
        ));
    }
    if app.saving > 0 {
        right.push(Span::styled(format!("{} ", s::SAVING), t.info()));
    }
    if app.read_only.is_some() {
        right.push(Span::styled(s::READ_ONLY_BADGE, t.badge()));
    }
    let right_width: usize = right.iter().map(|s| width(&s.content)).sum();
    let left_width = (area.width as usize).saturating_sub(right_width + 1);
    let left = match &app.notice {
        Some(n) => Span::styled(
            cut(&n.text.replace('\n', " "), left_width),
            n.level.style(&app.theme),
        ),
        None => Span::styled(cut(hint(app.screen), left_width), t.dim()),
    };
    let used = width(&left.content);
    let mut spans = vec![left];
    spans.push(Span::raw(
        " ".repeat((area.width as usize).saturating_sub(used + right_width)),
    ));
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn running_text(app: &App) -> String {
    let task = app
        .run
        .tasks
        .iter()
        .rev()
        .find(|t| t.outcome.is_none())
        .map(|t| match t.total {
            Some(total) => format!("{} {}/{}", t.name, t.done, total),
            None => t.name.clone(),
        })
        .unwrap_or_else(|| s::RUNNING.to_string());
    cut(&task, 40)
}

fn hint(screen: Screen) -> &'static str {
    match screen {
        Screen::Overview => s::hint::OVERVIEW,
        Screen::Inventory => s::hint::INVENTORY,
        Screen::Prerequisites => s::hint::PREREQUISITES,
        Screen::Checklist => s::hint::CHECKLIST,
        Screen::Report => s::hint::REPORT,
        Screen::Collect => s::hint::COLLECT,
    }
}

/// Errors (and anything too long for the status bar) in full, over the bottom of the body.
fn render_notice_panel(frame: &mut Frame, body: Rect, app: &App) {
    let Some(notice) = &app.notice else { return };
    let inner_width = body.width.saturating_sub(4).max(10) as usize;
    let lines: Vec<Line> = notice
        .text
        .lines()
        .flat_map(|l| super::widgets::text::wrap(l, inner_width))
        .map(Line::from)
        .collect();
    let height = (lines.len() as u16 + 2).min(body.height / 2).max(3);
    let area = Rect::new(
        body.x + 1,
        body.y + body.height - height,
        body.width.saturating_sub(2),
        height,
    );
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .style(notice.level.style(&app.theme))
            .block(
                Block::bordered()
                    .border_style(notice.level.style(&app.theme))
                    .title_bottom(Line::from(" any key closes ").right_aligned()),
            ),
        area,
    );
}

fn render_prompt(frame: &mut Frame, area: Rect, app: &App, prompt: &super::app::Prompt) {
    let t = app.theme;
    let w = area.width.saturating_sub(6).clamp(30, 90);
    let title_lines = super::widgets::text::wrap(&prompt.title, w.saturating_sub(4) as usize);
    let h = title_lines.len() as u16 + 4;
    let popup = layout::centered(area, w, h);
    frame.render_widget(Clear, popup);
    let footer = if prompt.input.is_masked() {
        s::PROMPT_MASKED_FOOTER
    } else {
        s::PROMPT_FOOTER
    };
    let block = Block::bordered()
        .border_style(t.border_focused())
        .title_bottom(Line::from(format!(" {footer} ")).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let mut lines: Vec<Line> = title_lines
        .into_iter()
        .map(|l| Line::styled(l, t.heading()))
        .collect();
    lines.push(Line::from(""));
    // The input scrolls horizontally to keep the cursor in view.
    let shown = prompt.input.display();
    let cursor = prompt.input.cursor();
    let room = inner.width.saturating_sub(3) as usize;
    let skip = cursor.saturating_sub(room);
    let visible: String = shown.chars().skip(skip).take(room + 1).collect();
    lines.push(Line::from(vec![
        Span::styled("> ", t.key()),
        Span::raw(visible),
    ]));
    let input_y = inner.y + lines.len() as u16 - 1;
    frame.render_widget(Paragraph::new(Text::from(lines)), inner);
    let before: String = shown.chars().skip(skip).take(cursor - skip).collect();
    frame.set_cursor_position(Position::new(inner.x + 2 + width(&before) as u16, input_y));
}

fn render_menu(frame: &mut Frame, area: Rect, app: &App, menu: &Menu) {
    let t = app.theme;
    match menu {
        Menu::Status { step, selected } => {
            let popup = layout::centered(area, 40, STATUS_CHOICES.len() as u16 + 2);
            frame.render_widget(Clear, popup);
            let lines: Vec<Line> = STATUS_CHOICES
                .iter()
                .enumerate()
                .map(|(i, st)| {
                    let text = format!(" {} {}", s::step_marker(*st), s::step_status_label(*st));
                    if i == *selected {
                        Line::styled(text, t.selected())
                    } else {
                        Line::styled(text, t.step(*st))
                    }
                })
                .collect();
            frame.render_widget(
                Paragraph::new(Text::from(lines)).block(
                    Block::bordered()
                        .border_style(t.border_focused())
                        .title(format!(" {step} · {} ", s::STATUS_MENU))
                        .title_bottom(Line::from(format!(" {} ", s::MENU_FOOTER)).right_aligned()),
                ),
                popup,
            );
        }
        Menu::ConfirmRevoke { key } => {
            let text = super::widgets::text::visible(s::confirm_revoke(key));
            let w = (width(&text) as u16 + 4).clamp(40, area.width);
            let popup = layout::centered(area, w, 4);
            frame.render_widget(Clear, popup);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::styled(text, t.heading()),
                    Line::styled(s::CONFIRM_YES, t.dim()),
                ])
                .wrap(Wrap { trim: true })
                .block(Block::bordered().border_style(t.border_focused())),
                popup,
            );
        }
    }
}

/// Every key, grouped: everywhere, then each screen, then prompts and menus. A
/// description longer than `width` wraps under itself rather than being cut.
pub fn help_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = app.theme;
    let mut lines = Vec::new();
    // Two spaces and the key column, 16 wide.
    const KEY_COLUMN: usize = 18;
    let room = width.saturating_sub(KEY_COLUMN).max(10);
    let group = |title: &str, rows: Vec<(String, &'static str)>, lines: &mut Vec<Line>| {
        lines.push(Line::styled(title.to_string(), t.heading()));
        for (k, h) in rows {
            for (n, part) in wrap(h, room).into_iter().enumerate() {
                let key = if n == 0 { k.as_str() } else { "" };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<16}", key), t.key()),
                    Span::raw(part),
                ]));
            }
        }
        lines.push(Line::from(""));
    };
    let rows = |b: &[keys::Binding]| -> Vec<(String, &'static str)> {
        b.iter().map(|b| (keys::keys_label(b), b.help)).collect()
    };
    // The current screen first: what the consultant is most likely looking for.
    let mut order = vec![app.screen];
    order.extend(Screen::ALL.iter().filter(|s| **s != app.screen));
    for screen in order {
        group(
            screen.title(),
            rows(keys::screen_bindings(screen)),
            &mut lines,
        );
    }
    group(s::HELP_QUEUE, rows(keys::QUEUE), &mut lines);
    group(s::HELP_GLOBAL, rows(keys::GLOBAL), &mut lines);
    group(
        s::HELP_PROMPT,
        s::help::PROMPT_KEYS
            .iter()
            .map(|(k, h)| (k.to_string(), *h))
            .collect(),
        &mut lines,
    );
    group(
        s::HELP_MOUSE,
        s::help::MOUSE_KEYS
            .iter()
            .map(|(k, h)| (k.to_string(), *h))
            .collect(),
        &mut lines,
    );
    group(
        s::HELP_MENU,
        s::help::MENU_KEYS
            .iter()
            .map(|(k, h)| (k.to_string(), *h))
            .collect(),
        &mut lines,
    );
    lines
}

fn render_help(frame: &mut Frame, app: &App, scroll: usize) {
    let t = app.theme;
    let area = layout::help(app.size);
    frame.render_widget(Clear, area);
    let lines = help_lines(app, area.width.saturating_sub(2) as usize);
    let inner_height = area.height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(inner_height));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(inner_height).collect();
    frame.render_widget(
        Paragraph::new(Text::from(shown)).block(
            Block::bordered()
                .border_style(t.border_focused())
                .title(format!(" {} ", s::HELP_TITLE))
                .title_bottom(
                    Line::from(format!(" j/k scroll · {} ", s::HELP_FOOTER)).right_aligned(),
                ),
        ),
        area,
    );
}
