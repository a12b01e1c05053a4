//! The Checklist screen's keys and the derived views: the step list and the selected
//! step, recomputed from the library's `checklist::view` on every change.

mod queue;
mod step;

pub(super) use queue::queue_key;

use super::{cancel_run, notify, page, refuse_if_read_only};
use crate::checklist::engine::{self, Facts};
use crate::checklist::view;
use crate::checklist::{SetRequest, document};
use crate::model::StepStatus;
use crate::tui::app::{
    App, ChecklistUi, Level, ListRow, Menu, Pane, Prompt, PromptPurpose, STATUS_CHOICES, Target,
};
use crate::tui::command::{Change, Command, Inputs};
use crate::tui::keys::Action;
use crate::tui::layout;
use crate::tui::strings as s;
use crate::tui::widgets::input::TextInput;
use step::step_lines;

pub(super) fn checklist_action(app: &mut App, action: Action) -> Option<Command> {
    let focus = app.checklist.focus;
    match action {
        Action::Left => app.checklist.focus = Pane::Left,
        Action::Right => focus_detail(app),
        Action::Back => {
            if focus == Pane::Right {
                app.checklist.focus = Pane::Left;
            } else {
                return cancel_run(app);
            }
        }
        Action::Edit => {
            if focus == Pane::Left {
                focus_detail(app);
                return None;
            }
            match app.checklist.selected_target().cloned() {
                Some(Target::Field {
                    key,
                    label,
                    kind,
                    choices,
                    value,
                }) => {
                    if refuse_if_read_only(app) {
                        return None;
                    }
                    let step = app.checklist.selected_step_id()?.to_string();
                    app.prompt = Some(Prompt {
                        title: format!(
                            "{step} · {}",
                            s::field_prompt(&label, kind.as_str(), &choices)
                        ),
                        purpose: PromptPurpose::Field { step, key },
                        input: TextInput::new(value.as_deref().unwrap_or("")),
                    });
                }
                Some(Target::Copy(text)) => return copy(app, text),
                None => notify(app, Level::Info, s::NOT_A_FIELD),
            }
        }
        Action::Copy => match app.checklist.selected_target().cloned() {
            Some(Target::Copy(text)) => return copy(app, text),
            Some(Target::Field { value: Some(v), .. }) => return copy(app, v),
            _ => notify(app, Level::Info, s::NOTHING_TO_COPY),
        },
        Action::MarkDone => {
            let step = app.checklist.selected_step_id()?.to_string();
            return set_step(
                app,
                SetRequest {
                    step,
                    status: Some(StepStatus::Done),
                    ..SetRequest::default()
                },
            );
        }
        Action::StatusMenu => {
            let step = editable_step(app)?;
            let current = app.data.state.step(&step).status;
            app.menu = Some(Menu::Status {
                selected: STATUS_CHOICES
                    .iter()
                    .position(|s| *s == current)
                    .unwrap_or(0),
                step,
            });
        }
        Action::Evidence => {
            let step = editable_step(app)?;
            app.prompt = Some(Prompt {
                title: format!("{step} · {}", s::EVIDENCE_PROMPT),
                purpose: PromptPurpose::Evidence { step },
                input: TextInput::new(""),
            });
        }
        Action::Note => {
            let step = editable_step(app)?;
            let note = app.data.state.step(&step).note.unwrap_or_default();
            app.prompt = Some(Prompt {
                title: format!("{step} · {}", s::NOTE_PROMPT),
                purpose: PromptPurpose::Note { step },
                input: TextInput::new(&note),
            });
        }
        Action::Queue => queue::open_queue(app),
        movement => {
            if focus == Pane::Left {
                move_step(app, movement);
            } else {
                move_detail(app, movement);
            }
        }
    }
    None
}

/// The selected step, when the engagement can be edited and a step is selected; says
/// why not otherwise.
fn editable_step(app: &mut App) -> Option<String> {
    if refuse_if_read_only(app) {
        return None;
    }
    let step = app.checklist.selected_step_id().map(str::to_string);
    if step.is_none() {
        notify(app, Level::Info, s::NO_STEP_SELECTED);
    }
    step
}

pub(super) fn copy(app: &mut App, text: String) -> Option<Command> {
    notify(app, Level::Success, s::copied(&text));
    Some(Command::Copy(text))
}

/// A checklist change for the writer, with what the rules look at.
pub(super) fn set_step(app: &mut App, mut request: SetRequest) -> Option<Command> {
    if refuse_if_read_only(app) {
        return None;
    }
    let Some(definition) = app.data.definition.ready().cloned() else {
        notify(app, Level::Error, s::NO_CHECKLIST);
        return None;
    };
    if app.data.inventory.is_loading() {
        notify(app, Level::Info, s::NOT_LOADED);
        return None;
    }
    request.by = app.by.clone();
    app.saving += 1;
    Some(Command::Change(Change::SetStep {
        request: Box::new(request),
        inputs: Inputs {
            config: app.data.config.clone(),
            inventory: app.data.inventory.ready().cloned(),
            checks: app.data.checks.ready().cloned(),
            definition,
        },
    }))
}

pub(super) fn focus_detail(app: &mut App) {
    app.checklist.focus = Pane::Right;
    let ui = &mut app.checklist;
    if ui
        .detail_selected
        .is_none_or(|i| ui.detail.get(i).is_none_or(|l| l.target.is_none()))
    {
        ui.detail_selected = ui.detail.iter().position(|l| l.target.is_some());
    }
    keep_detail_selection_visible(app);
}

pub(super) fn move_step(app: &mut App, movement: Action) {
    let rows = layout::checklist_rows(app.size);
    let ui = &mut app.checklist;
    let len = ui.rows.len();
    if len == 0 {
        return;
    }
    let before = ui.cursor.selected;
    let is_step = |i: usize| matches!(ui.rows.get(i), Some(ListRow::Step { .. }));
    // Phase headings are not selectable: skip over them in the direction of travel.
    let target = match movement {
        Action::Up => (0..before).rev().find(|&i| is_step(i)),
        Action::Down => (before + 1..len).find(|&i| is_step(i)),
        Action::PageUp => {
            let t = before.saturating_sub(page(rows) as usize);
            (t..before).find(|&i| is_step(i))
        }
        Action::PageDown => {
            let t = (before + page(rows) as usize).min(len - 1);
            (before + 1..=t).rev().find(|&i| is_step(i))
        }
        Action::Top => (0..len).find(|&i| is_step(i)),
        Action::Bottom => (0..len).rev().find(|&i| is_step(i)),
        _ => None,
    };
    if let Some(t) = target {
        ui.cursor.select(t, len, rows);
        // Keep the phase heading above the first step in view.
        if t > 0 && ui.cursor.offset == t && !is_step(t - 1) {
            ui.cursor.offset = t - 1;
        }
        if t != before {
            ui.detail_selected = None;
            ui.detail_offset = 0;
            derive_step(app);
        }
    }
}

pub(super) fn move_detail(app: &mut App, movement: Action) {
    let (_, height) = layout::checklist_detail(app.size);
    let ui = &mut app.checklist;
    let len = ui.detail.len();
    let selectable: Vec<usize> = ui
        .detail
        .iter()
        .enumerate()
        .filter(|(_, l)| l.target.is_some())
        .map(|(i, _)| i)
        .collect();
    let current = ui.detail_selected;
    match movement {
        Action::Up | Action::Down if !selectable.is_empty() => {
            let next = match (movement, current) {
                (Action::Down, Some(c)) => selectable.iter().copied().find(|&i| i > c),
                (Action::Up, Some(c)) => selectable.iter().rev().copied().find(|&i| i < c),
                _ => selectable.first().copied(),
            };
            match next {
                Some(n) => ui.detail_selected = Some(n),
                // Past the last value: scroll on so text below it can be read.
                None if movement == Action::Down => {
                    ui.detail_offset = (ui.detail_offset + 1).min(len.saturating_sub(height));
                    return;
                }
                None => {
                    ui.detail_offset = ui.detail_offset.saturating_sub(1);
                    return;
                }
            }
        }
        Action::Up => ui.detail_offset = ui.detail_offset.saturating_sub(1),
        Action::Down => ui.detail_offset = (ui.detail_offset + 1).min(len.saturating_sub(height)),
        Action::PageUp | Action::PageDown => {
            let delta = page(height);
            ui.detail_offset = if movement == Action::PageDown {
                (ui.detail_offset + delta as usize).min(len.saturating_sub(height))
            } else {
                ui.detail_offset.saturating_sub(delta as usize)
            };
            let window = ui.detail_offset..ui.detail_offset + height;
            ui.detail_selected = selectable
                .iter()
                .copied()
                .find(|i| window.contains(i))
                .or(ui.detail_selected);
            return;
        }
        Action::Top => {
            ui.detail_offset = 0;
            ui.detail_selected = selectable.first().copied();
        }
        Action::Bottom => {
            ui.detail_offset = len.saturating_sub(height);
            ui.detail_selected = selectable.last().copied();
        }
        _ => {}
    }
    keep_detail_selection_visible(app);
}

pub(super) fn keep_detail_selection_visible(app: &mut App) {
    let (_, height) = layout::checklist_detail(app.size);
    let ui = &mut app.checklist;
    if let Some(sel) = ui.detail_selected {
        // Show the heading of the block the value belongs to when there is room.
        if sel < ui.detail_offset {
            ui.detail_offset = sel;
        } else if sel >= ui.detail_offset + height {
            ui.detail_offset = sel + 1 - height;
        }
    }
    ui.detail_offset = ui.detail_offset.min(ui.detail.len().saturating_sub(height));
}

/// Selects step `id` in the list (once the list is known).
pub(super) fn select_step(app: &mut App, id: &str) {
    let rows = layout::checklist_rows(app.size);
    let ui = &mut app.checklist;
    let Some(list) = &ui.list else {
        ui.want_step = Some(id.to_string());
        return;
    };
    let found = ui.rows.iter().position(|r| match r {
        ListRow::Step { phase, step } => list.phases[*phase].steps[*step].id == id,
        ListRow::Phase(_) => false,
    });
    if let Some(i) = found {
        let len = ui.rows.len();
        ui.cursor.select(i, len, rows);
        ui.detail_selected = None;
        ui.detail_offset = 0;
        derive_step(app);
    }
}

/// Runs `f` on the checklist's facts: the inventory and checks as loaded, and the bound
/// document (of the configuration alone until the inventory is there), lent out and put back so it is
/// built once, not on every step drawn.
pub(super) fn with_facts<T>(
    app: &mut App,
    f: impl FnOnce(&Facts, &crate::model::ChecklistState) -> T,
) -> T {
    let data = &mut app.data;
    let document = data
        .document
        .take()
        .unwrap_or_else(|| document::of(None, Some(&data.config)));
    let facts = Facts {
        inventory: data.inventory.ready().map(|i| i.as_ref()),
        checks: data.checks.ready().map(|c| c.as_ref()),
        root: Some(&app.root),
        now: app.now,
        document,
    };
    let out = f(&facts, &data.state);
    let Facts { document, .. } = facts;
    data.document = Some(document);
    out
}

/// Recomputes the step list and the selected step from the engagement's data.
pub(super) fn derive_checklist(app: &mut App) {
    let Some(def) = app.data.definition.ready().cloned() else {
        app.checklist.list = None;
        app.checklist.rows.clear();
        app.checklist.step = None;
        app.checklist.detail.clear();
        return;
    };
    let previous = app
        .checklist
        .want_step
        .take()
        .or_else(|| app.checklist.selected_step_id().map(str::to_string));
    let first_time = app.checklist.list.is_none();
    let list = with_facts(app, |facts, state| view::list_view(&def, state, facts));

    let mut rows = Vec::new();
    for (p, phase) in list.phases.iter().enumerate() {
        rows.push(ListRow::Phase(p));
        for s in 0..phase.steps.len() {
            rows.push(ListRow::Step { phase: p, step: s });
        }
    }
    // Resume where the consultant was; the first time, at the step to do next.
    let wanted = previous.or_else(|| if first_time { list.next.clone() } else { None });
    let index = wanted
        .and_then(|id| {
            rows.iter().position(|r| match r {
                ListRow::Step { phase, step } => list.phases[*phase].steps[*step].id == id,
                ListRow::Phase(_) => false,
            })
        })
        .or_else(|| rows.iter().position(|r| matches!(r, ListRow::Step { .. })))
        .unwrap_or(0);
    let height = layout::checklist_rows(app.size);
    let ui = &mut app.checklist;
    let len = rows.len();
    ui.list = Some(list);
    ui.rows = rows;
    ui.cursor.select(index, len, height);
    ui.derived_minute = Some(app.now.timestamp() / 60);
    derive_step(app);
}

/// Lays out the selected step (values, gates, record fields) for the step pane.
pub(super) fn derive_step(app: &mut App) {
    let (width, _) = layout::checklist_detail(app.size);
    let step_id = app.checklist.selected_step_id().map(str::to_string);
    let (Some(def), Some(id)) = (app.data.definition.ready().cloned(), step_id) else {
        app.checklist.step = None;
        app.checklist.detail.clear();
        return;
    };
    let Ok(step) = engine::find(&def, &id) else {
        return;
    };
    let sv = with_facts(app, |facts, state| {
        view::step_view(&def, step, state, facts)
    });
    let inventory_loading = app.data.inventory.is_loading();

    let selected_key = app.checklist.selected_target().map(target_key);
    let lines = step_lines(&sv, width as usize, inventory_loading);
    let ui: &mut ChecklistUi = &mut app.checklist;
    ui.detail = lines;
    ui.detail_width = width;
    ui.step = Some(sv);
    // Keep the same value or field selected after a save.
    ui.detail_selected = selected_key.and_then(|k| {
        ui.detail
            .iter()
            .position(|l| l.target.as_ref().map(target_key).as_deref() == Some(k.as_str()))
    });
    if ui.focus == Pane::Right && ui.detail_selected.is_none() {
        ui.detail_selected = ui.detail.iter().position(|l| l.target.is_some());
    }
    keep_detail_selection_visible(app);
}

pub(super) fn target_key(t: &Target) -> String {
    match t {
        Target::Copy(v) => format!("copy:{v}"),
        Target::Field { key, .. } => format!("field:{key}"),
    }
}
