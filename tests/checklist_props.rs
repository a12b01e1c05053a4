//! Property: any sequence of `set` commands, accepted or refused, leaves a
//! `checklist.yaml` that loads and round-trips, a last good copy equal to it, and one
//! audit line per accepted change.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::fs;

use ata2atp::checklist::definition::FieldKind;
use ata2atp::checklist::schema::example;
use ata2atp::checklist::{self, Loaded, SetRequest, state};
use ata2atp::engagement::{CHECKLIST_FILE, CHECKLIST_LAST_GOOD, CHECKLIST_LOG, Engagement};
use ata2atp::model::{ChecklistChange, ChecklistState, Status, StepStatus};
use proptest::prelude::*;
use support::checklist::all_checks;

mod support;

/// Text that YAML likes to misread: booleans, nulls, numbers, indicators, quotes,
/// line breaks, leading and trailing blanks, non-ASCII.
fn awkward_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("yes".to_string()),
        Just("No".to_string()),
        Just("null".to_string()),
        Just("~".to_string()),
        Just("1.0".to_string()),
        Just("0x1F".to_string()),
        Just("- item".to_string()),
        Just("key: value".to_string()),
        Just("# not a comment".to_string()),
        Just("'single' and \"double\"".to_string()),
        Just("line one\nline two\n".to_string()),
        Just("  padded  ".to_string()),
        Just("tab\there".to_string()),
        Just("{a: [b]}".to_string()),
        Just("@at %pct `tick` &amp *star !bang |pipe >gt".to_string()),
        Just("é€ 😀 中文".to_string()),
        Just("C:\\Program Files\\x".to_string()),
        Just(String::new()),
        "\\PC{0,24}",
    ]
}

#[derive(Debug, Clone)]
struct Op {
    step: usize,
    /// Fill every record field with a valid value (so `done` is reached often).
    fill: bool,
    status: Option<usize>,
    fields: Vec<(usize, Option<String>)>,
    note: Option<String>,
    reason: Option<String>,
    by: String,
}

fn op() -> impl Strategy<Value = Op> {
    (
        0usize..60,
        any::<bool>(),
        prop::option::of(0usize..5),
        prop::collection::vec((0usize..8, prop::option::of(awkward_text())), 0..4),
        prop::option::of(awkward_text()),
        prop::option::of(awkward_text()),
        prop_oneof![Just("Jo Consultant".to_string()), awkward_text()],
    )
        .prop_map(|(step, fill, status, fields, note, reason, by)| Op {
            step,
            fill,
            status,
            fields,
            note,
            reason,
            by,
        })
}

const STATUSES: [StepStatus; 5] = [
    StepStatus::Todo,
    StepStatus::InProgress,
    StepStatus::Done,
    StepStatus::Skipped,
    StepStatus::Blocked,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_sets_leaves_a_state_that_loads_and_round_trips(ops in prop::collection::vec(op(), 1..10)) {
        let dir = tempfile::tempdir().unwrap();
        let (engagement, lock) = Engagement::init(dir.path().join("eng"), &example::config()).unwrap();
        lock.save_inventory(&example::inventory()).unwrap();
        lock.save_checks(&all_checks(Status::Pass)).unwrap();
        let def = checklist::resolve(None, "azure-atp-2019").unwrap();
        let loaded = Loaded::open(&engagement).unwrap();
        let facts = loaded.facts(chrono::Utc::now());
        let mut accepted = 0;
        for op in ops {
            // Steps by index, with a few ids the guide does not have.
            let step = def.steps.get(op.step).map_or_else(|| format!("X{}", op.step), |s| s.id.clone());
            let fields = def.steps.iter().find(|s| s.id == step).map(|s| {
                let picks: Vec<(usize, Option<String>)> = if op.fill {
                    (0..s.record.len()).map(|i| (i, None)).collect()
                } else {
                    op.fields.clone()
                };
                picks.iter().filter_map(|(i, value)| {
                    let f = s.record.get(*i % s.record.len().max(1))?;
                    let key = if f.each.is_some() { format!("{}[1]", f.key) } else { f.key.clone() };
                    // Half the time a value of the right kind, so that `done` is reached.
                    let value = value.clone().unwrap_or_else(|| match f.kind {
                        FieldKind::YesNo => "yes".into(),
                        FieldKind::Date => "2026-11-18".into(),
                        FieldKind::Datetime => "2020-01-01T00:00:00Z".into(),
                        FieldKind::Choice => f.choices[0].clone(),
                        FieldKind::Text => "FAB-DC01".into(),
                    });
                    Some((key, value))
                }).collect()
            }).unwrap_or_default();
            let request = SetRequest {
                step,
                status: op.status.map(|i| STATUSES[i]),
                by: op.by,
                note: op.note,
                reason: op.reason,
                fields,
                evidence: Vec::new(),
                entered: Vec::new(),
            };
            if state::set(&engagement, &lock, &def, &facts, &request).is_ok() {
                accepted += 1;
            }

            // Whatever happened, the file on disk loads and round-trips.
            if let Ok(text) = fs::read_to_string(engagement.path(CHECKLIST_FILE)) {
                let loaded: ChecklistState = ata2atp::yaml::from_str(&text, CHECKLIST_FILE)
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
                let again = ata2atp::yaml::to_string(&loaded, "t").unwrap();
                let back: ChecklistState = ata2atp::yaml::from_str(&again, "t").unwrap();
                prop_assert_eq!(&back, &loaded);
                prop_assert_eq!(engagement.checklist().unwrap(), Some(loaded));
                prop_assert_eq!(fs::read_to_string(engagement.path(CHECKLIST_LAST_GOOD)).unwrap(), text);
            }
        }
        let log = fs::read_to_string(engagement.path(CHECKLIST_LOG)).unwrap_or_default();
        prop_assert_eq!(log.lines().count(), accepted);
        for line in log.lines() {
            let change: ChecklistChange = serde_json::from_str(line).unwrap();
            prop_assert_eq!(change.guide.as_str(), "azure-atp-2019");
        }
    }
}
