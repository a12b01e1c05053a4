//! The keymap: which key does what on which screen. `update` asks [`action`] and never
//! looks at raw keys (except inside a prompt), and the help overlay is drawn from the
//! same tables, so a key that works is always a key the help lists.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::Screen;
use super::strings::help as h;

/// What a key asks for; `update` decides what it means in the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    NextScreen,
    PrevScreen,
    GoTo(usize),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    Open,
    Back,
    Filter,
    RerunOne,
    RerunAll,
    Accept,
    Revoke,
    Copy,
    Edit,
    MarkDone,
    StatusMenu,
    Note,
    Evidence,
    Collect,
    /// Open the copy queue over the step's values.
    Queue,
    /// Tick (or untick) the queue's value as entered.
    Tick,
}

/// One key of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    Char(char),
    Code(KeyCode),
    Ctrl(char),
}

impl K {
    fn matches(self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match self {
            K::Char(c) => !ctrl && !alt && key.code == KeyCode::Char(c),
            K::Ctrl(c) => ctrl && key.code == KeyCode::Char(c),
            K::Code(code) => !ctrl && !alt && key.code == code,
        }
    }

    /// How the help overlay writes the key.
    pub fn label(self) -> String {
        match self {
            K::Char(' ') => "Space".into(),
            K::Char(c) => c.to_string(),
            K::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            K::Code(code) => match code {
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                other => format!("{other:?}"),
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [K],
    pub action: Action,
    pub help: &'static str,
}

const fn b(keys: &'static [K], action: Action, help: &'static str) -> Binding {
    Binding { keys, action, help }
}

use Action as A;
use K::{Char as C, Code, Ctrl};

/// Keys that work on every screen (a screen's own binding of the same key wins).
pub const GLOBAL: &[Binding] = &[
    b(&[C('q'), Ctrl('c')], A::Quit, h::QUIT),
    b(&[C('?')], A::Help, h::HELP),
    b(&[Code(KeyCode::Tab)], A::NextScreen, h::NEXT_SCREEN),
    b(&[Code(KeyCode::BackTab)], A::PrevScreen, h::PREV_SCREEN),
    b(
        &[C('1'), C('2'), C('3'), C('4'), C('5'), C('6')],
        A::GoTo(0),
        h::GO_TO,
    ),
    b(&[C('k'), Code(KeyCode::Up)], A::Up, h::UP),
    b(&[C('j'), Code(KeyCode::Down)], A::Down, h::DOWN),
    b(&[Code(KeyCode::PageUp), Ctrl('u')], A::PageUp, h::PAGE_UP),
    b(
        &[Code(KeyCode::PageDown), Ctrl('d')],
        A::PageDown,
        h::PAGE_DOWN,
    ),
    b(&[C('g'), Code(KeyCode::Home)], A::Top, h::TOP),
    b(&[C('G'), Code(KeyCode::End)], A::Bottom, h::BOTTOM),
    b(&[C('h'), Code(KeyCode::Left)], A::Left, h::LEFT),
    b(&[C('l'), Code(KeyCode::Right)], A::Right, h::RIGHT),
    b(&[Code(KeyCode::Esc)], A::Back, h::BACK),
];

pub const OVERVIEW: &[Binding] = &[b(&[Code(KeyCode::Enter)], A::Open, h::OV_OPEN)];

pub const INVENTORY: &[Binding] = &[
    b(&[Code(KeyCode::Enter)], A::Open, h::INV_OPEN),
    b(&[C('/')], A::Filter, h::INV_FILTER),
];

pub const PREREQUISITES: &[Binding] = &[
    b(&[Code(KeyCode::Enter)], A::Open, h::PRE_OPEN),
    b(&[C('/')], A::Filter, h::PRE_FILTER),
    b(&[C('r')], A::RerunOne, h::PRE_RERUN_ONE),
    b(&[C('R')], A::RerunAll, h::PRE_RERUN_ALL),
    b(&[C('a')], A::Accept, h::PRE_ACCEPT),
    b(&[C('x')], A::Revoke, h::PRE_REVOKE),
];

pub const CHECKLIST: &[Binding] = &[
    b(&[Code(KeyCode::Enter), C('e')], A::Edit, h::CL_EDIT),
    b(&[C('y')], A::Copy, h::CL_COPY),
    b(&[C('d')], A::MarkDone, h::CL_DONE),
    b(&[C('s')], A::StatusMenu, h::CL_STATUS),
    b(&[C('n')], A::Note, h::CL_NOTE),
    b(&[C('a')], A::Evidence, h::CL_EVIDENCE),
    b(&[C('w')], A::Queue, h::CL_QUEUE),
];

/// Keys inside the copy queue (over the Checklist screen); other keys do nothing there
/// but quit and help.
pub const QUEUE: &[Binding] = &[
    b(&[C('c'), Code(KeyCode::Enter)], A::Copy, h::Q_COPY),
    b(&[C(' ')], A::Tick, h::Q_TICK),
    b(&[C('n'), C('j'), Code(KeyCode::Down)], A::Down, h::Q_NEXT),
    b(&[C('p'), C('k'), Code(KeyCode::Up)], A::Up, h::Q_PREV),
    b(&[C('h'), Code(KeyCode::Left)], A::Left, h::Q_CELL_LEFT),
    b(&[C('l'), Code(KeyCode::Right)], A::Right, h::Q_CELL_RIGHT),
    b(&[Code(KeyCode::Esc)], A::Back, h::Q_CLOSE),
];

pub const REPORT: &[Binding] = &[
    b(&[C('k'), Code(KeyCode::Up)], A::Up, h::REP_PREV_OPTION),
    b(&[C('j'), Code(KeyCode::Down)], A::Down, h::REP_NEXT_OPTION),
    b(&[C('h'), Code(KeyCode::Left)], A::Left, h::REP_CHANGE_BACK),
    b(
        &[C('l'), Code(KeyCode::Right), C(' ')],
        A::Right,
        h::REP_CHANGE,
    ),
    b(&[Code(KeyCode::Enter)], A::Open, h::REP_EXPORT),
];

pub const COLLECT: &[Binding] = &[
    b(&[C('c')], A::Collect, h::COL_COLLECT),
    b(&[C('R')], A::RerunAll, h::COL_CHECKS),
    b(&[Code(KeyCode::Esc)], A::Back, h::COL_CANCEL),
];

/// The bindings of one screen.
pub fn screen_bindings(screen: Screen) -> &'static [Binding] {
    match screen {
        Screen::Overview => OVERVIEW,
        Screen::Inventory => INVENTORY,
        Screen::Prerequisites => PREREQUISITES,
        Screen::Checklist => CHECKLIST,
        Screen::Report => REPORT,
        Screen::Collect => COLLECT,
    }
}

/// The action a key asks for on `screen`: the screen's own bindings first, then the
/// global ones.
pub fn action(screen: Screen, key: &KeyEvent) -> Option<Action> {
    action_in(screen_bindings(screen).iter().chain(GLOBAL), key)
}

/// The action a key asks for among `bindings`, the first that binds it.
pub fn action_in<'b>(
    bindings: impl IntoIterator<Item = &'b Binding>,
    key: &KeyEvent,
) -> Option<Action> {
    for binding in bindings {
        if let Some(k) = binding.keys.iter().find(|k| k.matches(key)) {
            return Some(match (binding.action, k) {
                (A::GoTo(_), K::Char(c)) => A::GoTo(c.to_digit(10).unwrap_or(1) as usize - 1),
                (a, _) => a,
            });
        }
    }
    None
}

/// Keys of a binding as the help overlay writes them, e.g. `j ↓`.
pub fn keys_label(binding: &Binding) -> String {
    if binding.action == A::GoTo(0) {
        return "1–6".into();
    }
    binding
        .keys
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEvent;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn a_screen_s_own_binding_wins_and_digits_go_to_screens() {
        assert_eq!(
            action(Screen::Checklist, &key(KeyCode::Enter)),
            Some(A::Edit)
        );
        assert_eq!(
            action(Screen::Inventory, &key(KeyCode::Enter)),
            Some(A::Open)
        );
        assert_eq!(
            action(Screen::Overview, &key(KeyCode::Char('4'))),
            Some(A::GoTo(3))
        );
        let shifted = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(action(Screen::Prerequisites, &shifted), Some(A::RerunAll));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action(Screen::Collect, &ctrl_c), Some(A::Quit));
        assert_eq!(
            action(Screen::Collect, &key(KeyCode::Char('c'))),
            Some(A::Collect)
        );
        assert_eq!(action(Screen::Overview, &key(KeyCode::Char('z'))), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for screen in Screen::ALL {
            let mut seen = Vec::new();
            for binding in screen_bindings(screen) {
                for k in binding.keys {
                    assert!(!seen.contains(k), "{screen:?}: {k:?} bound twice");
                    seen.push(*k);
                }
            }
        }
        let mut seen = Vec::new();
        for binding in QUEUE {
            for k in binding.keys {
                assert!(!seen.contains(k), "queue: {k:?} bound twice");
                seen.push(*k);
            }
        }
        let mut seen = Vec::new();
        for binding in GLOBAL {
            for k in binding.keys {
                assert!(!seen.contains(k), "global: {k:?} bound twice");
                seen.push(*k);
            }
        }
    }
}
