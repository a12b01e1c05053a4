//! The TUI without a terminal: `update` driven by messages, every screen drawn into
//! ratatui's `TestBackend` and compared with the snapshots in `src/tui/tests/snapshots/` (a
//! mismatch fails; CI never updates them), and the executor's writes on a copy of the
//! demo engagement.
//!
//! The demo engagement is made stable first: the inventory's collection time, host and
//! file locations, and the checks (run again at a fixed "now", as `demo` runs them), so a
//! snapshot does not depend on the machine, the folder or the day.

mod executor;
mod queue;
mod update;
mod words;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;

use super::app::{App, Level, Loadable, Menu, Pane, PromptPurpose, Screen, Target};
use super::command::{Change, Command, Executor};
use super::msg::{Msg, ProgressEvent};
use super::sections::Section;
use super::update::update;
use super::view::view;
use crate::checks::engine::{DEMO_NOT_PROBED, NetworkPlan, RunOptions, checks_file};
use crate::digest::sha256_hex;
use crate::engagement::{Engagement, INVENTORY_FILE};
use crate::model::{Status, StepStatus};
use crate::progress::Silent;

/// "Today" in the demo's story.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()
}

const ROOT_LABEL: &str = "/engagements/fabrikam";

/// A demo engagement of its own for one test, made stable.
pub fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("fabrikam");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        crate::demo::build(&root).await.unwrap();
        stabilise(&root).await;
    });
    (dir, root)
}

async fn stabilise(root: &Path) {
    let engagement = Engagement::open(root).unwrap();
    let config = engagement.config().unwrap();
    let lock = engagement.lock().unwrap();
    let mut inv = engagement.inventory().unwrap().unwrap();
    inv.collected_at = Utc.with_ymd_and_hms(2026, 11, 16, 10, 0, 0).unwrap();
    inv.provenance.host = Some("consultant-laptop".into());
    let prefix = root.display().to_string();
    for s in &mut inv.sources {
        s.location = s.location.replace(&prefix, ROOT_LABEL);
        s.read_at = s.read_at.map(|_| inv.collected_at);
    }
    let text = crate::yaml::to_string(&inv, INVENTORY_FILE).unwrap();
    lock.write_atomic(INVENTORY_FILE, text.as_bytes()).unwrap();
    let mut options = RunOptions::new(now(), NetworkPlan::not_run(DEMO_NOT_PROBED));
    options.workspace = config.workspace.clone();
    options.sensor_proxy = config.proxy.as_ref().map(|p| p.url.clone());
    options.cloud = config.cloud;
    options.gateway_logs = config.sources.gateway_logs.as_ref().map(|d| root.join(d));
    let results = crate::checks::run(Arc::new(inv), options, &Silent).await;
    let file = checks_file(results, None, &[], Some(sha256_hex(text.as_bytes())), now());
    lock.save_checks(&file).unwrap();
}

fn app_at(root: &Path, size: (u16, u16)) -> App {
    let mut app = super::load_blocking(root, None, false, size, now()).unwrap();
    app.root_label = ROOT_LABEL.into();
    app
}

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| view(f, app)).unwrap();
    terminal.backend().to_string()
}

fn draw_terminal(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| view(f, app)).unwrap();
    terminal
}

fn press_key(app: &mut App, key: KeyEvent) -> Option<Command> {
    update(app, Msg::Key(key))
}

fn press(app: &mut App, code: KeyCode) -> Option<Command> {
    press_key(app, KeyEvent::new(code, KeyModifiers::NONE))
}

/// Presses each character as a key (shifted letters as typed).
fn keys(app: &mut App, text: &str) -> Vec<Command> {
    text.chars()
        .filter_map(|c| {
            let mods = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            press_key(app, KeyEvent::new(KeyCode::Char(c), mods))
        })
        .collect()
}

fn select_step(app: &mut App, id: &str) {
    press(app, KeyCode::Char('4'));
    app.checklist.focus = Pane::Left;
    press(app, KeyCode::Char('g'));
    for _ in 0..80 {
        if app.checklist.selected_step_id() == Some(id) {
            return;
        }
        press(app, KeyCode::Char('j'));
    }
    panic!("step {id} not found");
}

/// The states each screen is snapshotted in, at a given size.
fn screens(root: &Path, size: (u16, u16)) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut app = app_at(root, size);
    out.push(("overview", draw(&app)));

    // Inventory: the exclusions, the table focused, third row selected.
    keys(&mut app, "2");
    while Section::ALL[app.inventory.section.selected] != Section::Exclusions {
        press(&mut app, KeyCode::Char('j'));
    }
    keys(&mut app, "ljj");
    out.push(("inventory", draw(&app)));

    // Prerequisites: a failing result selected.
    keys(&mut app, "3");
    while app
        .data
        .checks
        .ready()
        .map(|c| c.results[app.prereq_selected().unwrap()].status)
        != Some(Status::Fail)
    {
        press(&mut app, KeyCode::Char('j'));
    }
    out.push(("prerequisites", draw(&app)));

    // Checklist: P07, its record field selected.
    select_step(&mut app, "P07");
    keys(&mut app, "lG");
    out.push(("checklist", draw(&app)));

    keys(&mut app, "5");
    out.push(("report", draw(&app)));

    keys(&mut app, "6");
    out.push(("collect", draw(&app)));
    out
}

#[test]
fn every_screen_at_80x24_and_160x48() {
    let (_dir, root) = demo();
    for size in [(80, 24), (160, 48)] {
        for (name, screen) in screens(&root, size) {
            insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen);
        }
    }
}

#[test]
fn overlays_and_states() {
    let (_dir, root) = demo();
    let size = (80, 24);

    // The first frame, before anything is read.
    let engagement = Engagement::open(&root).unwrap();
    let config = Arc::new(engagement.config().unwrap());
    let mut loading = App::new(&root, config, None, false, size, now());
    loading.root_label = ROOT_LABEL.into();
    insta::assert_snapshot!("loading_80x24", draw(&loading));

    let mut app = app_at(&root, size);
    keys(&mut app, "?");
    insta::assert_snapshot!("help_80x24", draw(&app));
    press(&mut app, KeyCode::Esc);

    // Details of an alert.
    keys(&mut app, "2");
    while Section::ALL[app.inventory.section.selected] != Section::Alerts {
        press(&mut app, KeyCode::Char('j'));
    }
    keys(&mut app, "l");
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("inventory_alert_details_80x24", draw(&app));
    press(&mut app, KeyCode::Esc);

    // A filter typed into the exclusions.
    while Section::ALL[app.inventory.section.selected] != Section::Exclusions {
        app.inventory.focus = Pane::Left;
        press(&mut app, KeyCode::Char('k'));
    }
    keys(&mut app, "/");
    keys(&mut app, "remote");
    insta::assert_snapshot!("inventory_filter_80x24", draw(&app));
    press(&mut app, KeyCode::Enter);

    // The status menu, and the reason asked for a skipped step.
    select_step(&mut app, "P09");
    keys(&mut app, "s");
    insta::assert_snapshot!("checklist_status_menu_80x24", draw(&app));
    press(&mut app, KeyCode::Esc);

    // A refusal from the library, shown in full, in the TUI's words.
    let refused = crate::checklist::Error::Refused {
        step: "P07".into(),
        title: "Account details for HoneyToken accounts".into(),
        reasons: vec![
            crate::checklist::engine::Problem::new(
                "record field `honeytokens` (Honeytoken accounts to carry over, or new ones to create) is empty".into(),
                crate::checklist::engine::Fix::Field { key: "honeytokens".into() },
            )
            .into(),
        ],
    };
    update(&mut app, Msg::ChecklistSaved(Err(refused)));
    insta::assert_snapshot!("checklist_refused_80x24", draw(&app));
}

#[test]
fn a_second_screen_opens_read_only_and_says_who_holds_the_engagement() {
    let (_dir, root) = demo();
    let first = super::Session::open(&root).unwrap();
    assert!(first.lock.is_some() && first.read_only.is_none());
    let second = super::Session::open(&root).unwrap();
    assert!(second.lock.is_none());
    let why = second.read_only.clone().unwrap();
    assert!(
        why.contains(&format!("pid {}", std::process::id())),
        "{why}"
    );

    let mut app = app_at(&root, (80, 24));
    app.read_only = second.read_only.clone();
    // Every edit is refused, with the reason, and nothing is asked of the executor.
    select_step(&mut app, "P07");
    for k in ["d", "s", "n"] {
        assert!(keys(&mut app, k).is_empty(), "{k}");
        assert_eq!(app.notice.as_ref().unwrap().level, Level::Error);
        assert!(app.menu.is_none() && app.prompt.is_none());
    }
    keys(&mut app, "3");
    assert!(keys(&mut app, "R").is_empty());
    assert!(keys(&mut app, "a").is_empty());
    let screen = draw(&app);
    assert!(screen.contains("READ-ONLY"), "{screen}");
    drop(first);
    assert!(super::Session::open(&root).unwrap().lock.is_some());
}

#[test]
fn without_colour_no_cell_has_a_colour() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (120, 30));
    for screen in ["1", "2", "3", "4", "5", "6"] {
        keys(&mut app, screen);
        let t = draw_terminal(&app);
        for cell in t.backend().buffer().content() {
            assert_eq!(cell.fg, Color::Reset, "screen {screen}: {cell:?}");
            assert_eq!(cell.bg, Color::Reset, "screen {screen}: {cell:?}");
        }
    }
    // With colour, statuses are coloured (the demo's first visible rows pass).
    app.theme = super::theme::Theme::new(true);
    keys(&mut app, "3");
    let t = draw_terminal(&app);
    assert!(
        t.backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset)
    );
}
