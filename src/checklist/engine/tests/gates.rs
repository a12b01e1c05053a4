//! The gates: every result a gate names passed or accepted, dated evidence, the refused
//! done with every reason, the initial sync's wait.

use super::*;

/// What an unmet gate says.
fn problem(g: &GateStatus) -> String {
    g.problem
        .as_ref()
        .expect("the gate has a problem")
        .to_string()
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
    assert!(!g[0].satisfied && problem(&g[0]).contains("run `ata2atp check`"));

    let mut c = checks(vec![
        result("dc.cpu", Some("FAB-DC01"), Status::Pass),
        result("dc.cpu", Some("FAB-DC02"), Status::Fail),
        result("network.sensor_api", None, Status::Fail),
        result("network.sensor_api_proxy", None, Status::Pass),
    ]);
    let g = gate(Some(&c));
    assert!(!g[0].satisfied, "{g:?}");
    assert!(
        problem(&g[0]).contains("dc.cpu[FAB-DC02] is fail: dc.cpu said fail"),
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
    assert!(!g[0].satisfied && problem(&g[0]).contains("no result for dc.cpu"));
    assert!(g[1].satisfied);
    let g = gate(Some(&checks(vec![result(
        "network.sensor_api",
        None,
        Status::Warn,
    )])));
    assert!(!g[1].satisfied, "a warning is not a pass");
}

#[test]
fn a_gate_on_an_undecided_result_names_the_result_s_action() {
    let def = def();
    let b = &def.steps[1];
    let mut undecided = result("dc.cpu", Some("FAB-DC02"), Status::Unknown);
    undecided.action = Some(crate::checks::action::Action::DcFacts { console_urls: None });
    let c = checks(vec![
        result("dc.cpu", Some("FAB-DC01"), Status::Pass),
        undecided,
    ]);
    let g = gate_status(&b.gates[0], Some(&c), None);
    let text = problem(&g);
    assert!(
        text.starts_with(
            "dc.cpu[FAB-DC02] is unknown: dc.cpu said unknown; run `ata2atp collector dc-facts"
        ) && text.ends_with("or accept the risk in checks.yaml"),
        "{text}"
    );

    // Results that share an action name it once in the gate.
    let mut other = result("dc.cpu", Some("FAB-DC03"), Status::Unknown);
    other.action = Some(crate::checks::action::Action::DcFacts { console_urls: None });
    let mut c = c;
    c.results.push(other);
    let g = gate_status(&b.gates[0], Some(&c), None);
    let text = problem(&g);
    assert_eq!(text.matches("collector dc-facts").count(), 1, "{text}");
    assert!(text.contains("dc.cpu[FAB-DC03] is unknown"), "{text}");
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
