//! `update` without a terminal: keys, runs, saves, prompts, the mouse, and data drawn
//! escaped, each on the demo engagement.

use super::*;

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
    update(
        &mut app,
        Msg::RunFinished(crate::tui::msg::RunEnd::Cancelled),
    );
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
        [Command::Change(Change::SetStep { request, .. })] => {
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
        Some(Command::Change(Change::SetStep { request, .. })) => {
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
        Some(Command::Change(Change::SetStep { request, .. })) => {
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
        Some(Command::Change(Change::Accept { key: k, by, reason })) => {
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
    assert!(
        matches!(keys(&mut app, "y").as_slice(), [Command::Change(Change::Revoke { key: k })] if *k == key)
    );
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
    let rows = crate::tui::layout::prerequisites_rows(app.size);
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
    let crate::tui::app::Blocker::Check(index) = blockers[1].clone() else {
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
        .find(|&i| matches!(app.checklist.rows[i], crate::tui::app::ListRow::Phase(_)))
        .unwrap();
    // A step other than the selected one (g selected the first).
    let step_row = (app.checklist.cursor.selected + 1..)
        .find(|&i| matches!(app.checklist.rows[i], crate::tui::app::ListRow::Step { .. }))
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
