//! The TUI without a terminal: `update` driven by messages, every screen drawn into
//! ratatui's `TestBackend` and compared with the snapshots in `src/tui/snapshots/` (a
//! mismatch fails; CI never updates them), and the executor's writes on a copy of the
//! demo engagement.
//!
//! The demo engagement is made stable first: the inventory's collection time, host and
//! file locations, and the checks (run again at a fixed "now", as `demo` runs them), so a
//! snapshot does not depend on the machine, the folder or the day.

mod words;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;

use super::app::{App, Level, Loadable, Menu, Pane, PromptPurpose, Screen, Target};
use super::command::{Command, Executor};
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

// ---------------------------------------------------------------------------------------
// update, without a terminal

#[test]
fn tabs_digits_and_help() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.screen, Screen::Inventory);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.screen, Screen::Collect);
    keys(&mut app, "3");
    assert_eq!(app.screen, Screen::Prerequisites);
    keys(&mut app, "?");
    assert!(app.help.is_some());
    // Keys go to the help while it is open.
    keys(&mut app, "1");
    assert_eq!(app.screen, Screen::Prerequisites);
    press(&mut app, KeyCode::Esc);
    assert!(app.help.is_none());
    keys(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn quitting_during_a_run_asks_once_more_and_cancels_it() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    keys(&mut app, "6");
    let c = keys(&mut app, "R");
    assert!(matches!(c.as_slice(), [Command::RunChecks { only, .. }] if only.is_empty()));
    assert!(app.run.active.is_some());
    assert!(keys(&mut app, "q").is_empty());
    assert!(!app.quit);
    let c = keys(&mut app, "q");
    assert!(app.quit);
    assert!(matches!(c.as_slice(), [Command::Cancel]));
}

#[test]
fn esc_cancels_a_run_and_progress_is_shown_per_task() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    keys(&mut app, "6");
    assert!(matches!(
        keys(&mut app, "c").as_slice(),
        [Command::Collect { .. }]
    ));
    for e in [
        ProgressEvent::Start {
            task: "ATA dump SuspiciousActivity.bson".into(),
            total: Some(100),
        },
        ProgressEvent::Advance {
            task: "ATA dump SuspiciousActivity.bson".into(),
            n: 40,
        },
        ProgressEvent::Start {
            task: "LDAP ldaps://dc01.fabrikam.test".into(),
            total: None,
        },
        ProgressEvent::Finish {
            task: "LDAP ldaps://dc01.fabrikam.test".into(),
            outcome: "failed: LDAPS to dc01:636 failed: certificate not trusted; pass --ca-file with the domain CA".into(),
        },
    ] {
        update(&mut app, Msg::Progress(e));
    }
    assert_eq!(app.run.tasks.len(), 2);
    assert_eq!(app.run.tasks[0].done, 40);
    insta::assert_snapshot!("collect_running_80x24", draw(&app));
    assert!(matches!(
        press(&mut app, KeyCode::Esc),
        Some(Command::Cancel)
    ));
    update(&mut app, Msg::RunFinished(super::msg::RunEnd::Cancelled));
    assert!(app.run.active.is_none());
    assert_eq!(app.run.last.as_ref().unwrap().level, Level::Info);
}

#[test]
fn marking_a_step_done_and_filling_a_field_are_saved_at_once() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    select_step(&mut app, "P07");
    let c = keys(&mut app, "d");
    match c.as_slice() {
        [Command::SetStep { request, .. }] => {
            assert_eq!(request.step, "P07");
            assert_eq!(request.status, Some(StepStatus::Done));
            assert_eq!(request.by, "Demo Consultant");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.saving, 1);
    // Into the step; the last selectable line is the record field.
    keys(&mut app, "lG");
    assert!(matches!(
        app.checklist.selected_target(),
        Some(Target::Field { key, .. }) if key == "honeytokens"
    ));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(
        &app.prompt.as_ref().unwrap().purpose,
        PromptPurpose::Field { step, key } if step == "P07" && key == "honeytokens"
    ));
    keys(&mut app, "honey.admin (new)");
    match press(&mut app, KeyCode::Enter) {
        Some(Command::SetStep { request, .. }) => {
            assert_eq!(
                request.fields,
                vec![("honeytokens".to_string(), "honey.admin (new)".to_string())]
            );
            assert_eq!(request.status, None);
        }
        other => panic!("{other:?}"),
    }
    // A skipped step asks why first.
    keys(&mut app, "s");
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    assert!(matches!(app.menu, Some(Menu::Status { selected: 3, .. })));
    assert!(press(&mut app, KeyCode::Enter).is_none());
    keys(&mut app, "not used here");
    match press(&mut app, KeyCode::Enter) {
        Some(Command::SetStep { request, .. }) => {
            assert_eq!(request.status, Some(StepStatus::Skipped));
            assert_eq!(request.reason.as_deref(), Some("not used here"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn y_copies_the_selected_value() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    select_step(&mut app, "P07");
    keys(&mut app, "l");
    // First the guide's link, then the first honeytoken row.
    let link = keys(&mut app, "y");
    assert!(matches!(link.as_slice(), [Command::Copy(t)] if t.starts_with("https://")));
    keys(&mut app, "j");
    match keys(&mut app, "y").as_slice() {
        [Command::Copy(text)] => assert!(text.contains("Honey Admin\tS-1-5-21-"), "{text}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.notice.as_ref().unwrap().level, Level::Success);
}

#[test]
fn accepting_and_withdrawing_a_risk() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    keys(&mut app, "3/");
    keys(&mut app, "dc.dotnet");
    press(&mut app, KeyCode::Enter);
    let i = app.prereq_selected().unwrap();
    let result = app.data.checks.ready().unwrap().results[i].clone();
    assert_eq!(result.id, "dc.dotnet");
    // A pass has nothing to accept: find the failing one.
    let mut guard = 0;
    while app.data.checks.ready().unwrap().results[app.prereq_selected().unwrap()].status
        == Status::Pass
    {
        press(&mut app, KeyCode::Down);
        guard += 1;
        assert!(guard < 20);
    }
    let key = app.data.checks.ready().unwrap().results[app.prereq_selected().unwrap()].key();
    keys(&mut app, "a");
    keys(&mut app, "DC is demoted in week 3");
    assert!(press(&mut app, KeyCode::Enter).is_none());
    // The name is offered as the consultant's; it can be changed.
    assert_eq!(
        app.prompt.as_ref().unwrap().input.value(),
        "Demo Consultant"
    );
    match press(&mut app, KeyCode::Enter) {
        Some(Command::Accept { key: k, by, reason }) => {
            assert_eq!(k, key);
            assert_eq!(by, "Demo Consultant");
            assert_eq!(reason, "DC is demoted in week 3");
        }
        other => panic!("{other:?}"),
    }
    // Withdrawing needs an accepted result, and a y.
    assert!(keys(&mut app, "x").is_empty());
    assert!(app.menu.is_none());
    let mut checks = (**app.data.checks.ready().unwrap()).clone();
    crate::checks::engine::accept(&mut checks, &key, "Jo", "why", now()).unwrap();
    update(
        &mut app,
        Msg::ChecksSaved {
            checks: Box::new(checks),
            message: "saved".into(),
            by_run: false,
        },
    );
    keys(&mut app, "x");
    assert!(matches!(&app.menu, Some(Menu::ConfirmRevoke { key: k }) if *k == key));
    assert!(matches!(keys(&mut app, "y").as_slice(), [Command::Revoke { key: k }] if *k == key));
}

#[test]
fn a_password_is_asked_masked_and_handed_over_as_a_secret() {
    let (_dir, root) = demo();
    // An engagement that binds to LDAP as a named user.
    let engagement = Engagement::open(&root).unwrap();
    let mut config = engagement.config().unwrap();
    config.sources.ldap = Some(crate::engagement::LdapSourceConfig {
        url: "ldaps://dc01.fabrikam.test".into(),
        bind_user: Some("svc-ata@fabrikam.test".into()),
        ca_file: None,
    });
    engagement
        .lock()
        .unwrap()
        .write_yaml(crate::engagement::CONFIG_FILE, &config)
        .unwrap();
    let mut app = app_at(&root, (80, 24));
    keys(&mut app, "6c");
    let prompt = app.prompt.as_ref().expect("a password prompt");
    assert!(prompt.input.is_masked());
    keys(&mut app, "S3cret!");
    let screen = draw(&app);
    assert!(!screen.contains("S3cret"), "{screen}");
    assert!(screen.contains("•••••••"), "{screen}");
    assert!(!format!("{app:?}").contains("S3cret"));
    match press(&mut app, KeyCode::Enter) {
        Some(Command::Collect { ldap_password, .. }) => {
            use crate::secrets::ExposeSecret;
            assert_eq!(ldap_password.unwrap().expose_secret(), "S3cret!");
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{app:?}").contains("S3cret"));
}

#[test]
fn lists_keep_the_selection_in_sight_through_resizes() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (160, 48));
    keys(&mut app, "3G");
    let last = app.prereq.cursor.selected;
    assert!(last > 30);
    update(&mut app, Msg::Resize(80, 24));
    let rows = super::layout::prerequisites_rows(app.size);
    let c = app.prereq.cursor;
    assert_eq!(c.selected, last);
    assert!(
        c.selected >= c.offset && c.selected < c.offset + rows,
        "{c:?}"
    );
    let id = app.data.checks.ready().unwrap().results[app.prereq_selected().unwrap()]
        .id
        .clone();
    let screen = draw(&app);
    assert!(screen.contains(&id), "{id}: {screen}");
    // Tiny terminals get a notice, not a panic.
    update(&mut app, Msg::Resize(30, 8));
    assert!(draw(&app).contains("too small"));
}

#[test]
fn nothing_panics_on_an_engagement_with_nothing_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("empty");
    let config = crate::engagement::EngagementConfig {
        schema_version: crate::model::SCHEMA_VERSION,
        customer: "Empty".into(),
        consultant: "Jo".into(),
        cloud: crate::engagement::Cloud::Commercial,
        workspace: None,
        proxy: None,
        guide: "mdi-current".into(),
        sources: Default::default(),
        demo: false,
        created_at: now(),
    };
    drop(Engagement::init(&root, &config).unwrap());
    let mut app = app_at(&root, (80, 24));
    assert!(matches!(app.data.inventory, Loadable::Missing));
    for screen in ["1", "2", "3", "4", "5", "6"] {
        keys(&mut app, screen);
        for k in ["j", "k", "l", "G", "g", "h"] {
            keys(&mut app, k);
        }
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Esc);
        draw(&app);
    }
    keys(&mut app, "6");
    assert!(keys(&mut app, "c").is_empty());
    assert_eq!(app.notice.as_ref().unwrap().level, Level::Error);
    assert!(keys(&mut app, "R").is_empty());
    insta::assert_snapshot!("empty_overview_80x24", {
        keys(&mut app, "1");
        app.notice = None;
        draw(&app)
    });
}

// ---------------------------------------------------------------------------------------
// The executor: real writes through the engagement's lock

async fn next_msg(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>) -> Msg {
    tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv())
        .await
        .expect("a message within 30 s")
        .expect("the channel is open")
}

/// A demo engagement opened as the TUI opens it (with the writer's lock), its app at
/// 80×24, the executor and the channel its results come back on.
async fn writer_on_demo() -> (
    tempfile::TempDir,
    PathBuf,
    App,
    Executor,
    tokio::sync::mpsc::UnboundedReceiver<Msg>,
) {
    let (dir, root) = tokio::task::spawn_blocking(demo).await.unwrap();
    let session = super::Session::open(&root).unwrap();
    let app = app_at(&root, (80, 24));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let exec = Executor::new(
        session.engagement.clone(),
        session.config.clone(),
        session.lock,
        tx,
    );
    (dir, root, app, exec, rx)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_writer_saves_checklist_changes_risks_and_reports() {
    let (_dir, root, mut app, mut exec, mut rx) = writer_on_demo().await;

    select_step(&mut app, "P07");
    keys(&mut app, "lG");
    press(&mut app, KeyCode::Enter);
    keys(&mut app, "honey.admin");
    exec.execute(press(&mut app, KeyCode::Enter).unwrap());
    let msg = next_msg(&mut rx).await;
    update(&mut app, msg);
    exec.execute(keys(&mut app, "d").pop().unwrap());
    let msg = next_msg(&mut rx).await;
    assert!(matches!(&msg, Msg::ChecklistSaved(Ok(_))), "{msg:?}");
    update(&mut app, msg);
    assert_eq!(app.saving, 0);
    let text = std::fs::read_to_string(root.join("checklist.yaml")).unwrap();
    assert!(text.contains("honeytokens: honey.admin"), "{text}");
    assert_eq!(app.data.state.step("P07").status, StepStatus::Done);

    // Evidence: a path typed on the Checklist screen, checked and attached by the library
    // (the CLI's `checklist set --evidence`), written by the same writer.
    std::fs::create_dir_all(root.join("evidence")).unwrap();
    std::fs::write(root.join("evidence/honeytokens.png"), b"png").unwrap();
    press(&mut app, KeyCode::Esc);
    keys(&mut app, "a");
    assert!(matches!(
        &app.prompt.as_ref().unwrap().purpose,
        PromptPurpose::Evidence { step } if step == "P07"
    ));
    keys(&mut app, "evidence/honeytokens.png");
    exec.execute(press(&mut app, KeyCode::Enter).unwrap());
    let msg = next_msg(&mut rx).await;
    assert!(matches!(&msg, Msg::ChecklistSaved(Ok(_))), "{msg:?}");
    update(&mut app, msg);
    assert_eq!(
        app.data.state.step("P07").evidence,
        vec!["evidence/honeytokens.png".to_string()]
    );
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("evidence evidence/honeytokens.png"),
        "{:?}",
        app.notice
    );
    let text = std::fs::read_to_string(root.join("checklist.yaml")).unwrap();
    assert!(text.contains("evidence/honeytokens.png"), "{text}");
    // A file outside the engagement is refused by the library, with its reason.
    keys(&mut app, "a");
    keys(&mut app, "/etc/hostname");
    exec.execute(press(&mut app, KeyCode::Enter).unwrap());
    match next_msg(&mut rx).await {
        msg @ Msg::ChecklistSaved(Err(_)) => assert!(update(&mut app, msg).is_none()),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.data.state.step("P07").evidence.len(), 1);

    // A refusal comes back as an error message, and nothing changes.
    select_step(&mut app, "P08");
    exec.execute(keys(&mut app, "d").pop().unwrap());
    match next_msg(&mut rx).await {
        // The library's typed refusal, worded for the screen: its keys, no CLI flags.
        Msg::ChecklistSaved(Err(e)) => {
            let shown = crate::tui::strings::set_refused(e);
            assert!(shown.contains("cannot be marked done"), "{shown}");
            assert!(
                !shown.contains("ata2atp ") && !shown.contains(" --"),
                "CLI words on the screen: {shown}"
            );
        }
        other => panic!("{other:?}"),
    }

    exec.execute(Command::Accept {
        key: "dc.dotnet[FAB-DC02.fabrikam.test]".into(),
        by: "Jo".into(),
        reason: "DC retired in week 3".into(),
    });
    match next_msg(&mut rx).await {
        Msg::ChecksSaved { checks, .. } => assert_eq!(checks.acceptances.len(), 1),
        other => panic!("{other:?}"),
    }
    let text = std::fs::read_to_string(root.join("checks.yaml")).unwrap();
    assert!(text.contains("DC retired in week 3"), "{text}");

    keys(&mut app, "5");
    exec.execute(press(&mut app, KeyCode::Enter).unwrap());
    let msg = next_msg(&mut rx).await;
    update(&mut app, msg);
    let written = app.report.written.first().expect("a report was written");
    assert!(written.files[0].starts_with(root.join("reports")));
    assert!(written.files[0].is_file());
    exec.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn checks_run_in_the_background_and_are_saved() {
    let (_dir, _root, mut app, mut exec, mut rx) = writer_on_demo().await;
    keys(&mut app, "3");
    exec.execute(keys(&mut app, "R").pop().unwrap());
    let mut saw_progress = false;
    loop {
        let msg = next_msg(&mut rx).await;
        saw_progress |= matches!(msg, Msg::Progress(_));
        let done = matches!(msg, Msg::RunFinished(_));
        update(&mut app, msg);
        if done {
            break;
        }
    }
    assert!(saw_progress);
    assert!(app.run.active.is_none());
    assert_eq!(
        app.run.last.as_ref().unwrap().level,
        Level::Success,
        "{:?}",
        app.run.last
    );
    assert!(app.run.tasks.iter().any(|t| t.name == "Running checks"));
    exec.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_lock_nothing_is_written() {
    let (_dir, root) = tokio::task::spawn_blocking(demo).await.unwrap();
    let session = super::Session::open(&root).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut exec = Executor::new(session.engagement.clone(), session.config.clone(), None, tx);
    exec.execute(Command::Revoke { key: "x".into() });
    assert!(matches!(next_msg(&mut rx).await, Msg::WriteFailed(_)));
    exec.shutdown().await;
}

/// Control characters planted in every kind of name the screen shows (ATA's gateways,
/// exclusions, honeytokens, the directory's DCs and notes, sources, check subjects and
/// results, a checklist note, the customer, a progress task, a message) are drawn
/// escaped (`\x1b[7m`), never dropped unseen and never sent raw.
#[test]
fn control_characters_in_data_are_drawn_escaped_on_every_screen() {
    const CSI: &str = "\x1b[7m";
    const SHOWN: &str = "\\x1b[7m";
    let tags = [
        "EVILGW", "EVILEX", "EVILHT", "EVILDC", "EVILSRC", "EVILSUBJ", "EVILWHY", "EVILSTEP",
        "EVILCUST", "EVILTASK", "EVILMSG", "EVILNF",
    ];
    let evil = |tag: &str| format!("{CSI}{tag}\x07\x1b]0;t\x07");
    let (_dir, root) = demo();
    let noted;
    {
        let engagement = Engagement::open(&root).unwrap();
        let lock = engagement.lock().unwrap();
        let mut config = engagement.config().unwrap();
        config.customer = evil("EVILCUST");
        lock.write_yaml(crate::engagement::CONFIG_FILE, &config)
            .unwrap();
        let mut inv = engagement.inventory().unwrap().unwrap();
        inv.ata.gateways[0].name = evil("EVILGW");
        inv.ata.exclusions[0].value = evil("EVILEX");
        inv.ata.honeytokens[0].name = Some(evil("EVILHT"));
        let dir = inv.directory.as_mut().unwrap();
        dir.domain_controllers[0].name = evil("EVILDC");
        inv.sources[0].location = evil("EVILSRC");
        if let Some(nf) = inv.not_found.first_mut() {
            nf.item = evil("EVILNF");
        }
        let text = crate::yaml::to_string(&inv, INVENTORY_FILE).unwrap();
        lock.write_atomic(INVENTORY_FILE, text.as_bytes()).unwrap();
        let mut checks = engagement.checks().unwrap().unwrap();
        checks.inventory_sha256 = Some(sha256_hex(text.as_bytes()));
        for r in &mut checks.results {
            r.subject = r.subject.as_ref().map(|_| evil("EVILSUBJ"));
            r.reason = Some(evil("EVILWHY"));
        }
        lock.save_checks(&checks).unwrap();
        let mut state = engagement.checklist().unwrap().unwrap();
        let (id, step) = state.steps.iter_mut().next().unwrap();
        step.note = Some(evil("EVILSTEP"));
        noted = id.clone();
        lock.save_checklist(&state).unwrap();
    }
    let mut app = app_at(&root, (160, 48));
    let mut shown = String::new();
    let mut look = |app: &App| shown.push_str(&draw(app));
    look(&app);
    keys(&mut app, "2");
    for _ in Section::ALL {
        look(&app);
        keys(&mut app, "l");
        press(&mut app, KeyCode::Enter);
        look(&app);
        press(&mut app, KeyCode::Esc);
        app.inventory.focus = Pane::Left;
        press(&mut app, KeyCode::Char('j'));
    }
    keys(&mut app, "3");
    for _ in 0..3 {
        look(&app);
        press(&mut app, KeyCode::Char('j'));
    }
    keys(&mut app, "4");
    app.checklist.focus = Pane::Left;
    for _ in 0..4 {
        look(&app);
        press(&mut app, KeyCode::Char('j'));
    }
    select_step(&mut app, &noted);
    look(&app);
    keys(&mut app, "6");
    update(
        &mut app,
        Msg::Progress(ProgressEvent::Start {
            task: evil("EVILTASK"),
            total: None,
        }),
    );
    look(&app);
    update(
        &mut app,
        Msg::ChecklistSaved(Err(crate::checklist::Error::Input(evil("EVILMSG")))),
    );
    look(&app);

    assert!(
        !shown.contains('\x1b') && !shown.contains('\x07'),
        "raw bytes drawn"
    );
    for tag in tags {
        let escaped = format!("{SHOWN}{tag}");
        assert!(shown.contains(&escaped), "{tag} is not shown escaped");
        // Every place it is drawn, it is drawn escaped.
        assert_eq!(
            shown.matches(tag).count(),
            shown.matches(&escaped).count(),
            "{tag} drawn without its escape somewhere"
        );
    }
}

#[test]
fn prerequisites_list_failing_first_and_count_the_passes_below() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    keys(&mut app, "3");
    let results = &app.data.checks.ready().unwrap().results;
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Pass => 2,
        _ => 1,
    };
    let shown: Vec<usize> = app.prereq.rows.clone();
    assert_eq!(shown.len(), results.len());
    // Failing, then needing a look, then passing; the file's order within each.
    for pair in shown.windows(2) {
        let (a, b) = (&results[pair[0]], &results[pair[1]]);
        assert!(
            rank(a.status) < rank(b.status)
                || (rank(a.status) == rank(b.status) && pair[0] < pair[1]),
            "{} {:?} before {} {:?}",
            a.id,
            a.status,
            b.id,
            b.status
        );
    }
    assert_eq!(results[shown[0]].status, Status::Fail);
    let passes = results.iter().filter(|r| r.status == Status::Pass).count();
    let screen = draw(&app);
    assert!(
        screen.contains(&format!("{passes} passing below")),
        "{screen}"
    );
    // At the bottom of the list no pass is below the window.
    keys(&mut app, "G");
    assert!(!draw(&app).contains("passing below"));
}

#[test]
fn enter_on_an_overview_blocker_opens_the_failing_check() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    let blockers = app.blockers();
    assert!(blockers.len() > 2, "{blockers:?}");
    // j moves into the list (first blocker), j again to the second.
    keys(&mut app, "jj");
    assert_eq!(app.overview.focus, Pane::Right);
    insta::assert_snapshot!("overview_blocker_selected_80x24", draw(&app));
    let super::app::Blocker::Check(index) = blockers[1].clone() else {
        panic!("the demo's first blockers are checks: {blockers:?}");
    };
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Prerequisites);
    assert_eq!(app.prereq_selected(), Some(index));
    assert_eq!(
        app.data.checks.ready().unwrap().results[index].status,
        Status::Fail
    );
    // Esc leaves the list: Enter opens the next step again.
    keys(&mut app, "1");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overview.focus, Pane::Left);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.screen, Screen::Checklist);
}

fn mouse(app: &mut App, kind: ratatui::crossterm::event::MouseEventKind, column: u16, row: u16) {
    let event = ratatui::crossterm::event::MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    assert!(update(app, Msg::Mouse(event)).is_none());
}

#[test]
fn the_mouse_switches_tabs_selects_rows_and_scrolls_the_focused_list() {
    use ratatui::crossterm::event::{MouseButton, MouseEventKind as M};
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    // " 1 Overview  2 Inventory  3 Prerequisites …": column 30 is in the third tab.
    mouse(&mut app, M::Down(MouseButton::Left), 30, 0);
    assert_eq!(app.screen, Screen::Prerequisites);
    // The table's rows start below the tab bar, its border and its header (row 3).
    mouse(&mut app, M::Down(MouseButton::Left), 10, 5);
    assert_eq!(app.prereq.cursor.selected, 2);
    assert_eq!(app.prereq.focus, Pane::Left);
    mouse(&mut app, M::ScrollDown, 10, 5);
    assert_eq!(app.prereq.cursor.selected, 5);
    mouse(&mut app, M::ScrollUp, 10, 5);
    mouse(&mut app, M::ScrollUp, 10, 5);
    assert_eq!(app.prereq.cursor.selected, 0);

    // The Checklist: a click on a step selects it and lays it out; on a phase heading it
    // does nothing.
    keys(&mut app, "4");
    keys(&mut app, "g");
    let top = app.checklist.cursor.offset;
    let heading = (0..app.checklist.rows.len())
        .skip(top)
        .find(|&i| matches!(app.checklist.rows[i], super::app::ListRow::Phase(_)))
        .unwrap();
    // A step other than the selected one (g selected the first).
    let step_row = (app.checklist.cursor.selected + 1..)
        .find(|&i| matches!(app.checklist.rows[i], super::app::ListRow::Step { .. }))
        .unwrap();
    let before = app.checklist.selected_step_id().unwrap().to_string();
    let y = 2 + (step_row - top) as u16;
    mouse(&mut app, M::Down(MouseButton::Left), 5, y);
    assert_eq!(app.checklist.cursor.selected, step_row);
    let id = app.checklist.selected_step_id().unwrap().to_string();
    assert_ne!(id, before);
    assert_eq!(app.checklist.step.as_ref().unwrap().id, id);
    mouse(
        &mut app,
        M::Down(MouseButton::Left),
        5,
        2 + (heading - top) as u16,
    );
    assert_eq!(app.checklist.cursor.selected, step_row);
    // A click in the step pane gives it the keys.
    mouse(&mut app, M::Down(MouseButton::Left), 60, 10);
    assert_eq!(app.checklist.focus, Pane::Right);

    // The wheel scrolls the help, not the list behind it.
    keys(&mut app, "?");
    mouse(&mut app, M::ScrollDown, 40, 10);
    assert_eq!(app.help, Some(3));
}

/// Saves a `SetStep` as the writer would (the library's `apply`, on the app's inputs),
/// without the disk: the saved state comes back as the writer's message does.
fn save_in_memory(app: &mut App, command: Option<Command>) {
    let Some(Command::SetStep { request, inputs }) = command else {
        panic!("not a checklist change: {command:?}");
    };
    let facts = crate::checklist::Facts::new(
        inputs.inventory.as_deref(),
        Some(&inputs.config),
        inputs.checks.as_deref(),
        Some(&app.root),
        now(),
    );
    let mut state = app.data.state.clone();
    let change =
        crate::checklist::engine::apply(&inputs.definition, &mut state, &facts, &request).unwrap();
    update(app, Msg::ChecklistSaved(Ok(Box::new((state, change)))));
}

#[test]
fn the_copy_queue_walks_a_step_s_values_and_keeps_the_ticks_in_the_state() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    select_step(&mut app, "P06");
    keys(&mut app, "w");
    let queue = app.checklist.queue.clone().expect("the queue is open");
    let n = queue.items.len();
    assert!(n >= 3, "{:?}", queue.items);
    assert_eq!((queue.step.as_str(), queue.index), ("P06", 0));
    // c copies the marked cell (the first, then the one l moves to: kept from value to
    // value), Enter as well; the tick is recorded under the whole row.
    let first = queue.items[0].id.clone();
    let cell = |i: usize, c: usize| queue.items[i].cells[c].1.clone();
    assert!(matches!(keys(&mut app, "c").as_slice(), [Command::Copy(t)] if *t == cell(0, 0)));
    keys(&mut app, "ll");
    assert!(matches!(press(&mut app, KeyCode::Enter), Some(Command::Copy(t)) if t == cell(0, 2)));
    let row: Vec<&str> = queue.items[0]
        .cells
        .iter()
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(first, row.join(" · "));
    assert_eq!(app.notice.as_ref().unwrap().level, Level::Success);

    // Space ticks the value and moves on; the tick is a checklist change for the writer.
    let tick = press(&mut app, KeyCode::Char(' '));
    match &tick {
        Some(Command::SetStep { request, .. }) => {
            assert_eq!(request.step, "P06");
            assert_eq!(request.entered, vec![(first.clone(), true)]);
            assert_eq!(request.status, None);
        }
        other => panic!("{other:?}"),
    }
    save_in_memory(&mut app, tick);
    assert_eq!(app.checklist.queue.as_ref().unwrap().index, 1);
    let second = queue.items[1].id.clone();
    let tick = press(&mut app, KeyCode::Char(' '));
    save_in_memory(&mut app, tick);
    assert!(app.notice.as_ref().unwrap().text.contains("entered"));
    // n and p walk without ticking; the last value stays the last.
    keys(&mut app, "p");
    assert_eq!(app.checklist.queue.as_ref().unwrap().index, 1);
    for _ in 0..n + 2 {
        keys(&mut app, "n");
    }
    assert_eq!(app.checklist.queue.as_ref().unwrap().index, n - 1);

    // Esc closes; reopened, the queue reads the ticks from the state and resumes at
    // the first value not entered.
    press(&mut app, KeyCode::Esc);
    assert!(app.checklist.queue.is_none());
    assert_eq!(app.screen, Screen::Checklist);
    keys(&mut app, "w");
    let reopened = app.checklist.queue.as_ref().unwrap();
    assert_eq!(reopened.index, 2);
    assert_eq!(
        app.data.state.step("P06").entered,
        [first.clone(), second.clone()].into()
    );
    assert_eq!(super::update::entered_count(&app, reopened), 2);
    insta::assert_snapshot!("checklist_queue_80x24", draw(&app));

    // Space on a ticked value takes the tick back (and stays on it).
    keys(&mut app, "p");
    let untick = press(&mut app, KeyCode::Char(' '));
    match &untick {
        Some(Command::SetStep { request, .. }) => {
            assert_eq!(request.entered, vec![(second.clone(), false)])
        }
        other => panic!("{other:?}"),
    }
    save_in_memory(&mut app, untick);
    assert_eq!(app.checklist.queue.as_ref().unwrap().index, 1);
    assert_eq!(app.data.state.step("P06").entered, [first].into());

    // Other keys of the screen do nothing while the queue is open; q still quits.
    keys(&mut app, "d2");
    assert_eq!(app.saving, 0);
    assert_eq!(app.screen, Screen::Checklist);
    keys(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn the_queue_says_so_on_a_step_without_lists_and_is_refused_read_only() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, (80, 24));
    // R01 shows single values (the customer, the instance name): nothing to walk.
    select_step(&mut app, "R01");
    keys(&mut app, "w");
    assert!(app.checklist.queue.is_none());
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("no list or table")
    );
    select_step(&mut app, "P07");
    app.read_only = Some("another ata2atp".into());
    keys(&mut app, "w");
    assert!(
        app.checklist.queue.is_some(),
        "reading the queue is allowed"
    );
    assert!(press(&mut app, KeyCode::Char(' ')).is_none());
    assert_eq!(app.notice.as_ref().unwrap().level, Level::Error);
    assert!(app.data.state.step("P07").entered.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn queue_ticks_are_written_to_checklist_yaml_and_load_back() {
    let (_dir, root, mut app, mut exec, mut rx) = writer_on_demo().await;
    select_step(&mut app, "P07");
    keys(&mut app, "w");
    let ids: Vec<String> = app.checklist.queue.as_ref().unwrap().items[..2]
        .iter()
        .map(|i| i.id.clone())
        .collect();
    for _ in 0..2 {
        exec.execute(press(&mut app, KeyCode::Char(' ')).unwrap());
        let msg = next_msg(&mut rx).await;
        assert!(matches!(&msg, Msg::ChecklistSaved(Ok(_))), "{msg:?}");
        update(&mut app, msg);
    }
    assert_eq!(app.saving, 0);
    let text = std::fs::read_to_string(root.join("checklist.yaml")).unwrap();
    assert!(text.contains("entered:"), "{text}");
    let loaded = Engagement::open(&root)
        .unwrap()
        .checklist()
        .unwrap()
        .expect("checklist.yaml");
    let entered = &loaded.step("P07").entered;
    assert_eq!(entered.len(), 2);
    assert!(ids.iter().all(|id| entered.contains(id)), "{entered:?}");
    // The status is left as it was; the audit log names the ticked values.
    assert_eq!(loaded.step("P07").status, StepStatus::Todo);
    let log = std::fs::read_to_string(root.join(crate::engagement::CHECKLIST_LOG)).unwrap();
    assert!(log.contains("\"entered\""), "{log}");
    exec.shutdown().await;
}
