//! The executor: real writes through the engagement's lock.

use super::*;

pub(super) async fn next_msg(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>) -> Msg {
    tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv())
        .await
        .expect("a message within 30 s")
        .expect("the channel is open")
}

/// A demo engagement opened as the TUI opens it (with the writer's lock), its app at
/// 80×24, the executor and the channel its results come back on.
pub(super) async fn writer_on_demo() -> (
    tempfile::TempDir,
    PathBuf,
    App,
    Executor,
    tokio::sync::mpsc::UnboundedReceiver<Msg>,
) {
    let (dir, root) = tokio::task::spawn_blocking(demo).await.unwrap();
    let session = crate::tui::Session::open(&root).unwrap();
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

    exec.execute(Command::Change(Change::Accept {
        key: "dc.dotnet[FAB-DC02.fabrikam.test]".into(),
        by: "Jo".into(),
        reason: "DC retired in week 3".into(),
    }));
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
    let session = crate::tui::Session::open(&root).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut exec = Executor::new(session.engagement.clone(), session.config.clone(), None, tx);
    exec.execute(Command::Change(Change::Revoke { key: "x".into() }));
    assert!(matches!(next_msg(&mut rx).await, Msg::WriteFailed(_)));
    exec.shutdown().await;
}
