//! Setting a step: per-item fields, reasons, values checked by kind, evidence inside the
//! engagement, and which step is next.

use super::*;

#[test]
fn per_item_fields_follow_the_inventory() {
    let def = def();
    let inv = exemplar::inventory();
    let facts = Facts::new(Some(&inv), None, None, None, t0());
    let mut state = ChecklistState::new("t");
    let c = &def.steps[2];
    let keys: Vec<String> = fields(c, &state.step("C"), &facts)
        .into_iter()
        .map(|f| f.key)
        .collect();
    assert_eq!(keys, ["t[1]", "t[2]"]);
    for (key, message) in [
        ("t[3]", "ata.exclusions has 2 item(s)"),
        ("t[0]", "write an item as t[N], N from 1"),
        ("t", "use --field t[N]=…"),
        ("who", "unknown field `who`; this step records: t[N]"),
    ] {
        let e = apply(&def, &mut state, &facts, &req("C", None, &[(key, "x")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains(message), "{key}: {e}");
    }
    apply(
        &def,
        &mut state,
        &facts,
        &req("C", None, &[("t[2]", "global")]),
    )
    .unwrap();
    assert_eq!(
        state.step("C").status,
        StepStatus::Todo,
        "fields alone keep the status"
    );
}

#[test]
fn skipped_and_blocked_need_a_reason_and_others_refuse_one() {
    let def = def();
    let facts = Facts::new(None, None, None, None, t0());
    let mut state = ChecklistState::new("t");
    let e = apply(
        &def,
        &mut state,
        &facts,
        &req("D", Some(StepStatus::Blocked), &[]),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("a blocked step needs --reason"),
        "{e}"
    );
    let mut r = req("D", Some(StepStatus::Blocked), &[]);
    r.reason = Some("waiting for the change window".into());
    let change = apply(&def, &mut state, &facts, &r).unwrap();
    assert_eq!(
        change.reason.as_deref(),
        Some("waiting for the change window")
    );
    // A note on a blocked step keeps its reason.
    let mut n = req("D", None, &[]);
    n.note = Some("asked again".into());
    apply(&def, &mut state, &facts, &n).unwrap();
    assert_eq!(
        state.step("D").reason.as_deref(),
        Some("waiting for the change window")
    );
    let mut r = req("D", Some(StepStatus::InProgress), &[]);
    r.reason = Some("x".into());
    assert!(
        apply(&def, &mut state, &facts, &r)
            .unwrap_err()
            .to_string()
            .contains("use --note")
    );
    apply(
        &def,
        &mut state,
        &facts,
        &req("D", Some(StepStatus::InProgress), &[]),
    )
    .unwrap();
    assert_eq!(state.step("D").reason, None);
    assert!(
        apply(&def, &mut state, &facts, &req("D", None, &[]))
            .unwrap_err()
            .to_string()
            .contains("nothing to change")
    );
    let mut nobody = req("D", Some(StepStatus::Todo), &[]);
    nobody.by = " ".into();
    assert!(apply(&def, &mut state, &facts, &nobody).is_err());
    assert!(matches!(
        apply(
            &def,
            &mut state,
            &facts,
            &req("Z9", Some(StepStatus::Todo), &[])
        ),
        Err(Error::UnknownStep { .. })
    ));
}

#[test]
fn values_are_checked_and_normalised_by_kind() {
    let def = def();
    let a = &def.steps[0];
    let f = |k: &str| a.field(k).unwrap();
    assert_eq!(normalise(f("ok"), "TRUE", t0()).unwrap(), "yes");
    assert!(
        normalise(f("ok"), "maybe", t0())
            .unwrap_err()
            .contains("not yes or no")
    );
    assert!(
        normalise(f("pick"), "vpn", t0())
            .unwrap_err()
            .contains("Direct, Proxy")
    );
    assert_eq!(
        normalise(f("day"), "2026-11-18", t0()).unwrap(),
        "2026-11-18"
    );
    assert!(normalise(f("day"), "18/11/2026", t0()).is_err());
    assert_eq!(
        normalise(f("when"), "2026-11-18T15:00:00+01:00", t0()).unwrap(),
        "2026-11-18T14:00:00Z"
    );
    let local = normalise(f("when"), "2026-11-18 15:00", t0()).unwrap();
    assert!(DateTime::parse_from_rfc3339(&local).is_ok(), "{local}");
    assert!(
        normalise(f("when"), "tomorrow", t0())
            .unwrap_err()
            .contains("use `now`")
    );
}

#[test]
fn evidence_must_be_an_existing_file_inside_the_engagement() {
    let def = def();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("eng");
    std::fs::create_dir_all(root.join("evidence")).unwrap();
    std::fs::write(root.join("evidence/export.csv"), "id\n").unwrap();
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "x").unwrap();
    let facts = Facts::new(None, None, None, Some(&root), t0());
    let mut state = ChecklistState::new("t");
    let with = |p: PathBuf| SetRequest {
        evidence: vec![p],
        ..req("D", None, &[])
    };
    for (path, message) in [
        (outside.clone(), "is outside the engagement"),
        (
            root.join("evidence/../../outside.txt"),
            "is outside the engagement",
        ),
        (PathBuf::from("evidence/missing.png"), "does not exist"),
        (PathBuf::from("evidence"), "is not a file"),
    ] {
        let e = apply(&def, &mut state, &facts, &with(path.clone()))
            .unwrap_err()
            .to_string();
        assert!(e.contains(message), "{}: {e}", path.display());
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&outside, root.join("evidence/link.txt")).unwrap();
        let e = apply(
            &def,
            &mut state,
            &facts,
            &with(PathBuf::from("evidence/link.txt")),
        )
        .unwrap_err();
        assert!(e.to_string().contains("outside the engagement"), "{e}");
    }
    let e = apply(
        &def,
        &mut state,
        &facts,
        &req("D", Some(StepStatus::Done), &[]),
    )
    .unwrap_err();
    assert!(refused(e)[0].contains("needs evidence"));
    let change = apply(
        &def,
        &mut state,
        &facts,
        &with(root.join("evidence/export.csv")),
    )
    .unwrap();
    assert_eq!(change.evidence, ["evidence/export.csv"]);
    apply(
        &def,
        &mut state,
        &facts,
        &with(PathBuf::from("evidence/export.csv")),
    )
    .unwrap();
    assert_eq!(
        state.step("D").evidence,
        ["evidence/export.csv"],
        "attached once"
    );
    apply(
        &def,
        &mut state,
        &facts,
        &req("D", Some(StepStatus::Done), &[]),
    )
    .unwrap();
    // A file removed afterwards is noticed the next time the step is checked.
    std::fs::remove_file(root.join("evidence/export.csv")).unwrap();
    let problems = done_problems(&def, &def.steps[3], &state, &facts);
    assert!(
        problems[0].to_string().contains("no longer exists"),
        "{problems:?}"
    );
}

#[test]
fn next_is_the_first_open_step_that_can_be_done_now() {
    let def = def();
    let inv = exemplar::inventory();
    let facts = Facts::new(Some(&inv), None, None, None, t0());
    let mut state = ChecklistState::new("t");
    assert_eq!(next(&def, &state, &facts).step.as_deref(), Some("A"));
    let mut r = req("A", Some(StepStatus::Blocked), &[]);
    r.reason = Some("no admin".into());
    apply(&def, &mut state, &facts, &r).unwrap();
    // B and C wait for A; D can be done (its evidence comes with the doing).
    assert_eq!(next(&def, &state, &facts).step.as_deref(), Some("D"));
    let mut s = req("D", Some(StepStatus::Skipped), &[]);
    s.reason = Some("n/a".into());
    apply(&def, &mut state, &facts, &s).unwrap();
    let n = next(&def, &state, &facts);
    assert_eq!((n.step, n.waiting.as_deref()), (None, Some("A")));
    assert_eq!(
        n.blockers,
        [Blocker::MarkedBlocked {
            reason: Some("no admin".into())
        }]
    );
    assert_eq!(n.blockers[0].to_string(), "marked blocked: no admin");
    for id in ["A", "B", "C"] {
        let mut s = req(id, Some(StepStatus::Skipped), &[]);
        s.reason = Some("n/a".into());
        apply(&def, &mut state, &facts, &s).unwrap();
    }
    assert!(next(&def, &state, &facts).complete);
}
