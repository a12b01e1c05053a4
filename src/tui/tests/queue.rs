//! The copy queue: a step's values walked one by one, ticks kept in the state.

use super::executor::{next_msg, writer_on_demo};
use super::*;

/// Saves a `SetStep` as the writer would (the library's `apply`, on the app's inputs),
/// without the disk: the saved state comes back as the writer's message does.
fn save_in_memory(app: &mut App, command: Option<Command>) {
    let Some(Command::Change(Change::SetStep { request, inputs })) = command else {
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
        Some(Command::Change(Change::SetStep { request, .. })) => {
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
    assert_eq!(app.entered_count(reopened), 2);
    insta::assert_snapshot!("checklist_queue_80x24", draw(&app));

    // Space on a ticked value takes the tick back (and stays on it).
    keys(&mut app, "p");
    let untick = press(&mut app, KeyCode::Char(' '));
    match &untick {
        Some(Command::Change(Change::SetStep { request, .. })) => {
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
