use super::*;

fn parse(text: &str) -> Result<Definition, DefinitionErrors> {
    crate::checklist::parse(text, "t.yaml")
}

/// Every error of `text`, as `line:column: message`.
fn errors(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(_) => panic!("expected errors in\n{text}"),
        Err(e) => {
            e.0.iter()
                .map(|e| {
                    format!(
                        "{}:{}: {}",
                        e.line.unwrap_or(0),
                        e.column.unwrap_or(0),
                        e.message
                    )
                })
                .collect()
        }
    }
}

const HEAD: &str = "schema_version: 1\nguide: g\nedition: azure-atp-2019\ntitle: T\nphases:\n  - id: p\n    title: P\nsteps:\n";

fn with_steps(steps: &str) -> String {
    format!("{HEAD}{steps}")
}

#[test]
fn the_format_reference_is_a_valid_definition() {
    let yaml: String = FORMAT
        .lines()
        .skip(2)
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
        .collect();
    let def = parse(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    assert_eq!(def.steps[0].record.len(), 5);
    let dated = def.steps[2].gates[1].dated.as_ref().unwrap();
    assert_eq!(
        (dated.evidence.as_str(), dated.later_than.as_str()),
        ("not_after", "decommission_planned")
    );
}

#[test]
fn a_dated_gate_names_one_check_and_a_date_field_of_its_step() {
    let e = errors(&with_steps(concat!(
        "  - id: A\n",                                                                      // 9
        "    phase: p\n",                                                                   // 10
        "    title: x\n",                                                                   // 11
        "    gates:\n",                                                                     // 12
        "      - {check: ata.center_certificate, evidence: not_after, later_than: who}\n",  // 13
        "      - {check: ata.center_certificate, evidence: not_after, later_than: gone}\n", // 14
        "      - {check: 'dc.cpu | dc.disk', evidence: Not-After, later_than: day}\n",      // 15
        "      - {check: ata.center_certificate, evidence: x, later_than: day, extra: 1}\n", // 16
        "      - [not, a, gate]\n",                                                         // 17
        "    record:\n",
        "      - {key: who, label: Who}\n",
        "      - {key: day, label: Day, kind: date}\n",
    )));
    for x in [
        "13:9: `later_than: who` must name a date or datetime field recorded once (it is text)",
        "14:9: `later_than: gone` names no record field of this step",
        "15:9: a dated gate names one check",
        "15:9: `evidence: Not-After` must be an evidence key",
    ] {
        assert!(
            e.iter().any(|m| m.starts_with(x)),
            "missing `{x}` in {e:#?}"
        );
    }
    // Neither form: what a gate may be, at its line.
    for line in ["16:9: a gate is a check id", "17:9: a gate is a check id"] {
        assert!(e.iter().any(|m| m.starts_with(line)), "{line}: {e:#?}");
    }
}

#[test]
fn a_small_definition_loads_in_phase_order() {
    let text = "schema_version: 1\nguide: g\ntitle: T\nphases:\n  - {id: a, title: A}\n  - {id: b, title: B}\nsteps:\n  - {id: S2, phase: b, title: two}\n  - {id: S1, phase: a, title: one, number: '12'}\n";
    let def = parse(text).unwrap();
    let ids: Vec<&str> = def.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["S1", "S2"]);
    assert_eq!(def.steps[0].number.as_deref(), Some("12"));
    assert_eq!(def.steps[0].line, 9);
}

#[test]
fn unknown_keys_and_missing_ids_point_at_their_line() {
    let e = errors(&with_steps(
        "  - id: A\n    phase: p\n    title: x\n    gatez: [dc.cpu]\n",
    ));
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("12:5: unknown field `gatez`"), "{e:?}");
    // The parser notices the missing key at the end of the step's mapping.
    let e = errors(&with_steps("  - phase: p\n    title: x\n"));
    assert!(e[0].starts_with("10:5: missing field `id`"), "{e:?}");
    let e = errors(&with_steps(
        "  - id: A\n    phase: p\n    title: x\n    record:\n      - key: k\n        label: L\n        kind: number\n",
    ));
    assert!(
        e[0].starts_with("15:15:") && e[0].contains("number"),
        "{e:?}"
    );
}

#[test]
fn semantic_errors_are_all_reported_with_line_and_column() {
    let text = with_steps(concat!(
        "  - id: A\n",                                                       // 9
        "    phase: q\n",                                                    // 10
        "    title: x\n",                                                    // 11
        "    gates: [dc.cpu, no.such_check, dc.os]\n",                       // 12
        "    after: [{step: Z}, {step: A}]\n",                               // 13
        "    shows:\n",                                                      // 14
        "      - {label: L, path: ata.syslog.sever}\n",                      // 15
        "      - {label: L, path: ata.exclusions}\n",                        // 16
        "      - {label: L, path: 'ata..x'}\n",                              // 17
        "      - label: L\n",                                                // 18
        "        path: ata.exclusions\n",                                    // 19
        "        columns: [{path: detector, map: nomap}, {path: entity}]\n", // 20
        "  - id: A\n",                                                       // 21
        "    phase: p\n",                                                    // 22
        "    title: dup\n",                                                  // 23
        "    link: http://insecure\n",                                       // 24
    ));
    let e = errors(&text);
    let expect = [
        "21:9: duplicate step id `A` (first declared at line 9)",
        "10:12: unknown phase `q`",
        "12:21: gate `no.such_check` names no known check",
        "12:36: gate `dc.os` checks today's requirements",
        "15:26: unresolved reference: `ata.syslog.sever` does not exist: ata.syslog has alert_notifications, enabled, format, health_notifications, port, server, transport",
        "16:26: `ata.exclusions` is a list of records: choose the `columns`",
        "17:26: bad path: expected a field name at character 5",
        "20:41: unknown map `nomap`",
        "20:56: column `entity` is a record",
        "13:20: `after: Z` names no step",
        "13:31: a step cannot come after itself",
        "24:11: link `http://insecure` must be an https:// address",
    ];
    for x in expect {
        assert!(
            e.iter().any(|m| m.starts_with(x)),
            "missing `{x}` in {e:#?}"
        );
    }
    // Step and file are named in the rendered message.
    let shown = parse(&text).unwrap_err().to_string();
    assert!(
        shown.contains("t.yaml:15:26: step A: unresolved reference"),
        "{shown}"
    );
}

#[test]
fn after_cycles_fields_and_waits_are_checked() {
    let text = with_steps(concat!(
        "  - id: A\n    phase: p\n    title: a\n    after: [{step: C}]\n", // 9-12
        "    record: [{key: when, label: W, kind: datetime}, {key: note, label: N}]\n", // 13
        "  - id: B\n    phase: p\n    title: b\n    after: [{step: A}]\n", // 14-17
        "  - id: C\n    phase: p\n    title: c\n",                         // 18-20
        "    after: [{step: B}, {step: A, field: nope}, {step: A, field: note, wait_hours: 2}, {step: A, wait_hours: 1}]\n", // 21
    ));
    let e = errors(&text);
    assert!(
        e.iter().any(|m| m
            .starts_with("17:20: `after` makes a cycle: A waits for C waits for B waits for A")),
        "{e:#?}"
    );
    // C also waits for A directly (three times): that cycle is reported once.
    assert_eq!(
        e.iter()
            .filter(|m| m.contains("cycle: A waits for C waits for A"))
            .count(),
        1,
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.starts_with("21:41: step A records no field `nope`")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("`wait_hours` counts from a datetime field; `note` of A is text")),
        "{e:#?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("`wait_hours` needs the `field`")),
        "{e:#?}"
    );
}

#[test]
fn record_fields_are_checked() {
    let e = errors(&with_steps(concat!(
        "  - id: A\n    phase: p\n    title: a\n    record:\n",
        "      - {key: Bad-Key, label: L}\n",
        "      - {key: k, label: L}\n",
        "      - {key: k, label: L}\n",
        "      - {key: c, label: L, kind: choice}\n",
        "      - {key: t, label: L, choices: [a]}\n",
        "      - {key: e, label: L, each: ata.syslog}\n",
        "      - {key: f, label: L, each: ata.nothing}\n",
    )));
    for x in [
        "record key `Bad-Key` must be lower_snake_case",
        "record key `k` is declared twice",
        "`choices` exactly when its kind is `choice`",
        "`each: ata.syslog` must name a list",
        "unresolved reference: `ata.nothing` does not exist",
    ] {
        assert!(e.iter().any(|m| m.contains(x)), "missing `{x}` in {e:#?}");
    }
    assert_eq!(
        e.iter().filter(|m| m.contains("exactly when")).count(),
        2,
        "{e:#?}"
    );
}

#[test]
fn header_errors() {
    let e = errors(
        "schema_version: 9\nguide: 'a b'\nedition: 2030\ntitle: T\nphases: [{id: p, title: P}, {id: p, title: Q}]\nsteps: []\n",
    );
    for x in [
        "1:17: checklist format version 9 is newer",
        "2:8: a guide id uses letters",
        "3:10: unknown edition `2030`",
        "phase `p` is declared twice",
        "0:0: the checklist has no steps",
    ] {
        assert!(
            e.iter().any(|m| m.starts_with(x) || m.contains(x)),
            "missing `{x}` in {e:#?}"
        );
    }
}
