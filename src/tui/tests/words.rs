//! The TUI speaks in its own words: no screen of the demo shows a CLI command or flag
//! (issue 17 item 11). Every step of the demo's checklist, the Overview, every row of the
//! Prerequisites screen and the `?` overlay are drawn and searched for "ata2atp " and
//! " --", the checks' own reasons and remediations as they are; every action a check can
//! name is worded, and the wording of a refused set and of a missing reason is pinned too.

use ratatui::crossterm::event::KeyCode;

use super::{app_at, demo, draw, keys, press};
use crate::checklist::{
    self,
    engine::{Blocker, Fix, GateProblem, Problem},
};
use crate::model::StepStatus;
use crate::tui::app::Pane;
use crate::tui::strings as s;

/// Large enough that no line of a step's detail is cut or wrapped away from the search.
const SIZE: (u16, u16) = (240, 160);

/// The CLI's words that must not reach a screen.
const CLI_WORDS: [&str; 2] = ["ata2atp ", " --"];

fn assert_tui_words(screen: &str, what: &str) {
    let found = cli_lines(screen);
    assert!(
        found.is_empty(),
        "{what} shows CLI words:\n{}",
        found.join("\n")
    );
}

/// The lines of `screen` with a CLI word in them.
fn cli_lines(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter(|l| CLI_WORDS.iter().any(|w| l.contains(w)))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn no_screen_of_the_demo_shows_a_cli_command_or_flag() {
    let (_dir, root) = demo();
    let mut app = app_at(&root, SIZE);
    assert_tui_words(&draw(&app), "the Overview");

    keys(&mut app, "?");
    assert_tui_words(&draw(&app), "the help overlay");
    press(&mut app, KeyCode::Esc);

    // Every row of the Prerequisites screen, each selected in turn.
    keys(&mut app, "3");
    keys(&mut app, "g");
    let rows = app.prereq.rows.len();
    assert!(rows > 0, "the demo has checks");
    for row in 0..rows {
        assert_tui_words(&draw(&app), &format!("prerequisites row {row}"));
        press(&mut app, KeyCode::Char('j'));
    }

    // Every step of the checklist, each selected in turn (phase rows drawn too).
    keys(&mut app, "4");
    app.checklist.focus = Pane::Left;
    keys(&mut app, "g");
    let mut steps = 0;
    for _ in 0..app.checklist.rows.len() {
        let what = match app.checklist.selected_step_id() {
            Some(id) => {
                steps += 1;
                format!("step {id}")
            }
            None => "a phase row".to_string(),
        };
        assert_tui_words(&draw(&app), &what);
        press(&mut app, KeyCode::Char('j'));
    }
    assert!(steps > 10, "walked {steps} steps only");
}

#[test]
fn a_refused_done_names_each_fix_in_tui_words() {
    // One blocker of each kind the engine gives, every fix among them.
    let problem = |what: &str, fix| Problem::new(what.into(), fix);
    let reasons = vec![
        problem(
            "record field `honeytokens` is empty",
            Fix::Field {
                key: "honeytokens".into(),
            },
        )
        .into(),
        problem("no evidence attached", Fix::Evidence).into(),
        Blocker::Gate {
            gate: "G1".into(),
            problem: Some(GateProblem::ChecksNotRun),
        },
        Blocker::Gate {
            gate: "G2".into(),
            problem: Some(GateProblem::Unmet {
                problems: vec![
                    problem("no result for sensor-version", Fix::RunChecks),
                    problem(
                        "P03 has no `workspace`",
                        Fix::RecordOn {
                            step: "P03".into(),
                            key: "workspace".into(),
                        },
                    ),
                ],
                rerun: true,
            }),
        },
    ];
    let e = checklist::Error::Refused {
        step: "P07".into(),
        title: "Account details for HoneyToken accounts".into(),
        reasons,
    };
    let text = s::set_refused(e);
    assert_tui_words(&text, "a refused done");
    assert!(
        text.starts_with(
            "step P07 (Account details for HoneyToken accounts) cannot be marked done; nothing was changed:\n  - record field `honeytokens` is empty"
        ),
        "{text}"
    );
    assert_eq!(text.lines().count(), 5, "one line per reason:\n{text}");
}

#[test]
fn a_missing_reason_says_which_key_gives_one() {
    let e = checklist::Error::NeedsReason {
        step: "P09".into(),
        status: StepStatus::Skipped,
    };
    let text = s::set_refused(e);
    assert_tui_words(&text, "a missing reason");
    assert_eq!(
        text,
        "step P09: a skipped step needs a reason: press s, choose skipped again and say why"
    );
}

#[test]
fn every_action_of_the_checks_is_worded_in_tui_words() {
    use crate::checks::action::{self, Words as _};
    for a in action::every_action() {
        let text = s::Words.action(&a);
        assert_tui_words(&text, &format!("{a:?}"));
        assert!(
            text.contains("press")
                || text.contains("(R on the")
                || text.contains("does not test")
                || text.contains("binds as"),
            "{a:?} names no key of the TUI nor says the TUI cannot: {text}"
        );
        // In a gate line the action follows the result's reason.
        let p = Problem::new("dc.facts[DC1] is unknown".into(), Fix::Action(a.clone()));
        assert_tui_words(&s::problem(&p), &format!("the gate line of {a:?}"));
    }
}

#[test]
fn the_verdict_says_to_run_the_checks_in_tui_words() {
    use crate::checks::action::RunChecks;
    for run in [RunChecks::NotRun, RunChecks::Stale] {
        let text = crate::checks::action::Words::run_checks(&s::Words, run);
        assert!(cli_lines(&text).is_empty(), "{text}");
        assert!(text.to_lowercase().contains("press r"), "{text}");
    }
}
