use chrono::TimeZone;

use super::*;
use crate::checklist::{parse, schema::example as exemplar};
use crate::model::{Acceptance, CheckResult, GuideRef, SCHEMA_VERSION};

const DEF: &str = "\
schema_version: 1
guide: t
title: T
phases: [{id: p, title: P}]
steps:
  - id: A
    phase: p
    title: a
    record:
      - {key: who, label: Who}
      - {key: when, label: When, kind: datetime}
      - {key: pick, label: Pick, kind: choice, choices: [Direct, Proxy]}
      - {key: ok, label: OK, kind: yes_no, optional: true}
      - {key: day, label: Day, kind: date, optional: true}
  - id: B
    phase: p
    title: b
    gates: [dc.cpu, 'network.sensor_api | network.sensor_api_proxy']
    after: [{step: A}]
  - id: C
    phase: p
    title: c
    after: [{step: A, field: when, wait_hours: 2, why: initial sync}]
    record: [{key: t, label: Target, each: ata.exclusions}]
  - id: D
    phase: p
    title: d
    evidence: required
";

fn def() -> Definition {
    parse(DEF, "t.yaml").unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 18, 12, 0, 0).unwrap()
}

fn result(id: &str, subject: Option<&str>, status: Status) -> CheckResult {
    CheckResult {
        id: id.into(),
        title: id.into(),
        guide: GuideRef::Both,
        subject: subject.map(str::to_string),
        status,
        reason: Some(format!("{id} said {status}")),
        evidence: Default::default(),
        remediation: None,
        accepted: None,
    }
}

fn checks(results: Vec<CheckResult>) -> ChecksFile {
    ChecksFile {
        schema_version: SCHEMA_VERSION,
        tool_version: "t".into(),
        ran_at: t0(),
        inventory_sha256: None,
        results,
        acceptances: Vec::new(),
    }
}

fn req(step: &str, status: Option<StepStatus>, fields: &[(&str, &str)]) -> SetRequest {
    SetRequest {
        step: step.into(),
        status,
        by: "Jo".into(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..SetRequest::default()
    }
}

fn refused(e: Error) -> Vec<String> {
    match e {
        Error::Refused { reasons, .. } => reasons.iter().map(ToString::to_string).collect(),
        other => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn gates_need_every_result_passed_or_accepted_and_any_of_one_alternative() {
    let def = def();
    let b = &def.steps[1];
    let gate = |c: Option<&ChecksFile>| {
        b.gates
            .iter()
            .map(|g| gate_status(g, c, None))
            .collect::<Vec<_>>()
    };

    let g = gate(None);
    assert!(
        !g[0].satisfied
            && g[0]
                .problem
                .as_ref()
                .unwrap()
                .to_string()
                .contains("run `ata2atp check`")
    );

    let mut c = checks(vec![
        result("dc.cpu", Some("FAB-DC01"), Status::Pass),
        result("dc.cpu", Some("FAB-DC02"), Status::Fail),
        result("network.sensor_api", None, Status::Fail),
        result("network.sensor_api_proxy", None, Status::Pass),
    ]);
    let g = gate(Some(&c));
    assert!(!g[0].satisfied, "{g:?}");
    assert!(
        g[0].problem
            .as_ref()
            .unwrap()
            .to_string()
            .contains("dc.cpu[FAB-DC02] is fail: dc.cpu said fail"),
        "{g:?}"
    );
    assert!(g[1].satisfied, "one of the alternatives passed: {g:?}");

    // Accepted on the result, or by an acceptance naming the result's key.
    c.acceptances.push(Acceptance {
        check: "dc.cpu[fab-dc02]".into(),
        by: "Jo".into(),
        reason: "retired next month".into(),
        at: t0(),
    });
    let g = gate(Some(&c));
    assert!(
        g[0].satisfied && g[0].results.iter().any(|r| r.accepted),
        "{g:?}"
    );

    // No result at all for a check is not a pass.
    let g = gate(Some(&checks(vec![result(
        "network.sensor_api",
        None,
        Status::Pass,
    )])));
    assert!(
        !g[0].satisfied
            && g[0]
                .problem
                .as_ref()
                .unwrap()
                .to_string()
                .contains("no result for dc.cpu")
    );
    assert!(g[1].satisfied);
    let g = gate(Some(&checks(vec![result(
        "network.sensor_api",
        None,
        Status::Warn,
    )])));
    assert!(!g[1].satisfied, "a warning is not a pass");
}

#[test]
fn a_dated_gate_compares_the_evidence_date_with_the_steps_own_date() {
    let def = parse(
        "\
schema_version: 1
guide: t
title: T
phases: [{id: p, title: P}]
steps:
  - id: S
    phase: p
    title: s
    gates: [{check: ata.center_certificate, evidence: not_after, later_than: gone}]
    record: [{key: gone, label: Planned decommission, kind: date}]
",
        "t.yaml",
    )
    .unwrap();
    let inv = exemplar::inventory();
    let cert = |status: Status, not_after: Option<&str>| {
        let mut r = result("ata.center_certificate", None, status);
        if let Some(t) = not_after {
            r.evidence.insert("not_after".into(), t.into());
        }
        checks(vec![r])
    };
    let try_done = |c: &ChecksFile, gone: Option<&str>| {
        let facts = Facts::new(Some(&inv), None, Some(c), None, t0());
        let mut state = ChecklistState::new("t");
        let fields: Vec<(&str, &str)> = gone.map(|g| ("gone", g)).into_iter().collect();
        apply(
            &def,
            &mut state,
            &facts,
            &req("S", Some(StepStatus::Done), &fields),
        )
        .map(|_| ())
        .map_err(|e| refused(e).join("\n"))
    };
    // A warning (60 days left) holds when the certificate outlives the recorded day.
    let warn = cert(Status::Warn, Some("2027-01-31T09:59:59+00:00"));
    assert_eq!(try_done(&warn, Some("2027-01-30")), Ok(()));
    // The certificate must last the whole decommission day, and longer is refused.
    for day in ["2027-01-31", "2027-03-01"] {
        let e = try_done(&warn, Some(day)).unwrap_err();
        assert!(
                e.contains(&format!(
                    "ata.center_certificate: not_after is 2027-01-31 09:59 UTC, not later than gone ({day})"
                )),
                "{e}"
            );
    }
    // Without the date the gate cannot hold.
    let e = try_done(&warn, None).unwrap_err();
    assert!(
            e.contains("gate ata.center_certificate (not_after later than gone): `gone` (Planned decommission) is not recorded yet"),
            "{e}"
        );
    // Fixed by recording it, not by running the checks again.
    assert!(!e.contains("run `ata2atp check` again"), "{e}");
    // A failed or undecided check never holds it, whatever its date; an accepted one does.
    let mut failed = cert(Status::Fail, Some("2030-01-01T00:00:00Z"));
    let e = try_done(&failed, Some("2027-01-30")).unwrap_err();
    assert!(e.contains("ata.center_certificate is fail"), "{e}");
    failed.acceptances.push(Acceptance {
        check: "ata.center_certificate".into(),
        by: "Jo".into(),
        reason: "the new certificate is activated next week".into(),
        at: t0(),
    });
    assert_eq!(try_done(&failed, Some("2027-01-30")), Ok(()));
    // No date in the evidence, or not a date: said, not guessed.
    let e = try_done(&cert(Status::Pass, None), Some("2027-01-30")).unwrap_err();
    assert!(
        e.contains("ata.center_certificate records no `not_after`"),
        "{e}"
    );
    let e = try_done(&cert(Status::Pass, Some("soon")), Some("2027-01-30")).unwrap_err();
    assert!(
        e.contains("`not_after` is `soon`, not a date and time"),
        "{e}"
    );
}

#[test]
fn done_is_refused_with_every_reason_and_nothing_changes() {
    let def = def();
    let inv = exemplar::inventory();
    let facts = Facts::new(Some(&inv), None, None, None, t0());
    let mut state = ChecklistState::new("t");
    let e = apply(
        &def,
        &mut state,
        &facts,
        &req("b", Some(StepStatus::Done), &[]),
    )
    .unwrap_err();
    let reasons = refused(e);
    assert_eq!(reasons.len(), 3, "{reasons:#?}");
    assert!(reasons[0].starts_with("gate dc.cpu: the checks have not run"));
    assert!(reasons[2].starts_with("A (a) is todo; it comes first"));
    assert!(state.steps.is_empty(), "a refused set changes nothing");

    let e = apply(
        &def,
        &mut state,
        &facts,
        &req("A", Some(StepStatus::Done), &[("who", "Jo")]),
    )
    .unwrap_err();
    let reasons = refused(e);
    assert_eq!(reasons.len(), 2, "{reasons:#?}");
    assert!(
        reasons[0].contains("`when` (When) is empty: pass --field when=…"),
        "{reasons:?}"
    );
    assert!(state.steps.is_empty());

    let change = apply(
        &def,
        &mut state,
        &facts,
        &req(
            "A",
            Some(StepStatus::Done),
            &[
                ("who", "Jo"),
                ("when", "now"),
                ("pick", "proxy"),
                ("ok", "Y"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(
        (change.from, change.to, change.step.as_str()),
        (StepStatus::Todo, StepStatus::Done, "A")
    );
    assert_eq!(change.fields, ["ok", "pick", "when", "who"]);
    let a = state.step("A");
    assert_eq!(a.fields["pick"], "Proxy");
    assert_eq!(a.fields["ok"], "yes");
    assert_eq!(a.fields["when"], "2026-11-18T12:00:00Z");
    assert_eq!((a.by.as_deref(), a.at), (Some("Jo"), Some(t0())));

    // Emptying a required field of a done step is refused too.
    let e = apply(&def, &mut state, &facts, &req("A", None, &[("who", "")])).unwrap_err();
    assert!(refused(e)[0].contains("`who`"));
    assert_eq!(state.step("A").fields["who"], "Jo");
}

#[test]
fn the_initial_sync_wait_counts_from_the_recorded_time() {
    let def = def();
    let inv = exemplar::inventory();
    let mut state = ChecklistState::new("t");
    let at = |h: i64| Facts::new(Some(&inv), None, None, None, t0() + Duration::minutes(h));
    apply(
        &def,
        &mut state,
        &at(0),
        &req(
            "A",
            Some(StepStatus::Done),
            &[
                ("who", "J"),
                ("when", "2026-11-18T12:00:00Z"),
                ("pick", "direct"),
            ],
        ),
    )
    .unwrap();
    let fill = [
        ("t[1]", "rule: DNS reconnaissance"),
        ("t[2]", "global exclusion"),
    ];
    let e = apply(
        &def,
        &mut state,
        &at(119),
        &req("C", Some(StepStatus::Done), &fill),
    )
    .unwrap_err();
    assert_eq!(
        refused(e),
        ["wait until 2026-11-18 14:00 UTC (2 h after A's when) (initial sync)"]
    );
    apply(
        &def,
        &mut state,
        &at(120),
        &req("C", Some(StepStatus::Done), &fill),
    )
    .unwrap();

    // The same holds when A is skipped but the time was recorded; not when it is missing.
    let mut state = ChecklistState::new("t");
    let mut skip = req("A", Some(StepStatus::Skipped), &[]);
    skip.reason = Some("sensors already installed".into());
    apply(&def, &mut state, &at(0), &skip).unwrap();
    let e = apply(
        &def,
        &mut state,
        &at(500),
        &req("C", Some(StepStatus::Done), &fill),
    )
    .unwrap_err();
    assert!(refused(e)[0].contains(
        "A has no `when` recorded; record it with `ata2atp checklist set A --field when=…`"
    ));
}

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
