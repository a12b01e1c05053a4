//! Prompts and menus: typed text, filters as they are typed, the status menu and the
//! revoke confirmation.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::checklist::set_step;
use super::collect::start_run;
use super::inventory::refilter_section;
use super::prerequisites::refilter_prereq;
use super::refuse_if_read_only;
use crate::checklist::SetRequest;
use crate::model::StepStatus;
use crate::tui::app::{
    App, Cursor, Menu, Prompt, PromptPurpose, STATUS_CHOICES, Screen, SecretKind,
};
use crate::tui::command::{Change, Command};
use crate::tui::strings as s;
use crate::tui::widgets::input::{Edit, TextInput};

pub(super) fn prompt_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let prompt = app.prompt.as_mut()?;
    let edit = prompt.input.handle(&key);
    let purpose = prompt.purpose.clone();
    match edit {
        Edit::Cancel => {
            if let PromptPurpose::Password(_) = purpose {
                app.run.pending = None;
            }
            app.prompt = None;
            None
        }
        Edit::Changed => {
            // Filters apply as they are typed.
            if let PromptPurpose::Filter(screen) = purpose {
                let text = app
                    .prompt
                    .as_ref()
                    .map(|p| p.input.value().to_string())
                    .unwrap_or_default();
                apply_filter(app, screen, text);
            }
            None
        }
        Edit::Submit => {
            let mut prompt = app.prompt.take()?;
            submit_prompt(app, prompt.purpose.clone(), &mut prompt.input)
        }
        Edit::Moved | Edit::Ignored => None,
    }
}

pub(super) fn apply_filter(app: &mut App, screen: Screen, text: String) {
    match screen {
        Screen::Inventory => {
            let current = app.inventory.section.selected;
            app.inventory.sections[current].filter = text;
            app.inventory.sections[current].cursor = Cursor::default();
            refilter_section(app, current);
        }
        Screen::Prerequisites => {
            app.prereq.filter = text;
            app.prereq.cursor = Cursor::default();
            // A new filter starts at its first match, not at the result selected before.
            app.prereq.rows.clear();
            refilter_prereq(app);
        }
        _ => {}
    }
}

pub(super) fn submit_prompt(
    app: &mut App,
    purpose: PromptPurpose,
    input: &mut TextInput,
) -> Option<Command> {
    let text = input.value().to_string();
    match purpose {
        PromptPurpose::Filter(screen) => {
            apply_filter(app, screen, text);
            None
        }
        PromptPurpose::Field { step, key } => set_step(
            app,
            SetRequest {
                step,
                fields: vec![(key, text)],
                ..SetRequest::default()
            },
        ),
        // The library checks the file (inside the engagement, present) as for the CLI's
        // `checklist set --evidence`; nothing typed attaches nothing.
        PromptPurpose::Evidence { .. } if text.trim().is_empty() => None,
        PromptPurpose::Evidence { step } => set_step(
            app,
            SetRequest {
                step,
                evidence: vec![std::path::PathBuf::from(text.trim())],
                ..SetRequest::default()
            },
        ),
        PromptPurpose::Note { step } => set_step(
            app,
            SetRequest {
                step,
                note: Some(text),
                ..SetRequest::default()
            },
        ),
        PromptPurpose::StepReason { step, status } => set_step(
            app,
            SetRequest {
                step,
                status: Some(status),
                reason: Some(text),
                ..SetRequest::default()
            },
        ),
        PromptPurpose::AcceptReason { key } => {
            app.prompt = Some(Prompt {
                title: format!("{} · {key}", s::ACCEPT_BY_PROMPT),
                purpose: PromptPurpose::AcceptBy { key, reason: text },
                input: TextInput::new(&app.by),
            });
            None
        }
        PromptPurpose::AcceptBy { key, reason } => {
            if refuse_if_read_only(app) {
                return None;
            }
            app.saving += 1;
            Some(Command::Change(Change::Accept {
                key,
                by: text,
                reason,
            }))
        }
        PromptPurpose::Password(kind) => {
            // The typed text moves into a SecretString; the input's buffer is wiped.
            let secret = input.take_secret();
            match kind {
                SecretKind::Mongo => app.secrets.mongo = Some(secret),
                SecretKind::Ldap => app.secrets.ldap = Some(secret),
                SecretKind::Proxy => app.secrets.proxy = Some(secret),
            }
            let kind = app.run.pending.take()?;
            let only = std::mem::take(&mut app.run.only);
            start_run(app, kind, only)
        }
    }
}

pub(super) fn menu_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    let menu = app.menu.clone()?;
    match menu {
        Menu::ConfirmRevoke { key: accepted } => {
            app.menu = None;
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                app.saving += 1;
                return Some(Command::Change(Change::Revoke { key: accepted }));
            }
            None
        }
        Menu::Status { step, selected } => {
            let n = STATUS_CHOICES.len();
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => app.menu = None,
                KeyCode::Char('c') if ctrl => app.menu = None,
                KeyCode::Down | KeyCode::Char('j') => {
                    app.menu = Some(Menu::Status {
                        step,
                        selected: (selected + 1) % n,
                    });
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    app.menu = Some(Menu::Status {
                        step,
                        selected: (selected + n - 1) % n,
                    });
                }
                KeyCode::Enter => {
                    app.menu = None;
                    let status = STATUS_CHOICES[selected];
                    if matches!(status, StepStatus::Skipped | StepStatus::Blocked) {
                        let reason = app.data.state.step(&step).reason.unwrap_or_default();
                        app.prompt = Some(Prompt {
                            title: format!("{step} · {}", s::reason_prompt(status)),
                            purpose: PromptPurpose::StepReason { step, status },
                            input: TextInput::new(&reason),
                        });
                        return None;
                    }
                    return set_step(
                        app,
                        SetRequest {
                            step,
                            status: Some(status),
                            ..SetRequest::default()
                        },
                    );
                }
                _ => {}
            }
            None
        }
    }
}
