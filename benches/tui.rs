//! TUI benchmark (not a test): `scripts/bench-tui.sh` runs it and it writes
//! `target/bench/tui.json`.
//!
//! The engagement is the large one of `benches/common` (5,000 exclusions, 2,000
//! entities, 100,000 alerts of which 5,000 open, 200 DCs, about 2,600 check results),
//! with the first steps of the checklist done.
//!
//! Measured:
//! - frame time of each screen at 160×48 (target: under 5 ms), in the states that cost
//!   most: the largest sections, the step whose table has 5,000 rows, a filter;
//! - the cost of the keys that lay a step out again (moving in the checklist);
//! - reading the engagement (off the render path in the TUI);
//! - start to first frame (target: under 150 ms) and start to loaded, of the release
//!   binary in a pseudo-terminal (`script`), from the moment it is spawned.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ata2atp::engagement::INVENTORY_FILE;
use ata2atp::model::*;
use ata2atp::tui::app::{App, Pane, Screen};
use ata2atp::tui::msg::Msg;
use ata2atp::tui::sections::Section;
use ata2atp::tui::update::update;
use ata2atp::tui::view::view;
use chrono::{Duration as Days, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

const SIZE: (u16, u16) = (160, 48);
const FRAMES: usize = 200;

/// Writes the large engagement into `root`, with the first steps of the checklist done,
/// as on day two of an engagement.
async fn generate(root: &Path) {
    let (_engagement, lock) = common::create(root).await;
    let t0 = common::t0();
    let mut state = ChecklistState::new("azure-atp-2019");
    for (i, id) in ["R06", "P01", "P02", "P03", "P04", "P05"]
        .iter()
        .enumerate()
    {
        state.steps.insert(
            (*id).into(),
            StepState {
                status: StepStatus::Done,
                by: Some("Bench Consultant".into()),
                at: Some(t0 + Days::minutes(10 * i as i64)),
                ..StepState::default()
            },
        );
    }
    lock.save_checklist(&state).unwrap();
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn chars(app: &mut App, text: &str) {
    for c in text.chars() {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        update(app, Msg::Key(KeyEvent::new(KeyCode::Char(c), mods)));
    }
}

fn select_section(app: &mut App, section: Section) {
    chars(app, "2");
    app.inventory.focus = Pane::Left;
    chars(app, "g");
    while Section::ALL[app.inventory.section.selected] != section {
        chars(app, "j");
    }
    chars(app, "l");
}

fn select_step(app: &mut App, id: &str) {
    chars(app, "4");
    app.checklist.focus = Pane::Left;
    chars(app, "g");
    while app.checklist.selected_step_id() != Some(id) {
        chars(app, "j");
    }
}

/// Milliseconds statistics of `samples` (seconds).
fn stats(mut samples: Vec<f64>) -> Value {
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let ms = |s: f64| (s * 1_000_000.0).round() / 1000.0;
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    json!({
        "mean_ms": ms(samples.iter().sum::<f64>() / samples.len() as f64),
        "p50_ms": ms(at(0.5)),
        "p95_ms": ms(at(0.95)),
        "max_ms": ms(*samples.last().unwrap()),
        "samples": samples.len(),
    })
}

fn frame_times(app: &App) -> Value {
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
    for _ in 0..20 {
        terminal.draw(|f| view(f, app)).unwrap();
    }
    let samples = (0..FRAMES)
        .map(|_| {
            // A full redraw each time, as after a resize: the worst case.
            terminal.clear().unwrap();
            let t = Instant::now();
            terminal.draw(|f| view(f, app)).unwrap();
            t.elapsed().as_secs_f64()
        })
        .collect();
    stats(samples)
}

/// The time `step` takes on the app, repeated.
fn update_times(app: &mut App, n: usize, mut step: impl FnMut(&mut App)) -> Value {
    let samples = (0..n)
        .map(|_| {
            let t = Instant::now();
            step(app);
            t.elapsed().as_secs_f64()
        })
        .collect();
    stats(samples)
}

/// Spawns the release binary in a pseudo-terminal of 160×48 and reads the times it
/// records; `first_frame` and `loaded` are measured from the spawn.
fn start_times(bin: &Path, root: &Path, runs: usize) -> Value {
    let mut first = Vec::new();
    let mut loaded = Vec::new();
    let mut internal_first = Vec::new();
    for n in 0..runs {
        let timings = root.with_file_name(format!("tui-timings-{n}.jsonl"));
        let _ = std::fs::remove_file(&timings);
        let shell = format!(
            "stty cols {} rows {}; exec '{}' --engagement '{}' tui",
            SIZE.0,
            SIZE.1,
            bin.display(),
            root.display()
        );
        let spawned = SystemTime::now();
        let status = Command::new("script")
            .args(["-qfec", &shell, "/dev/null"])
            .env(ata2atp::tui::TIMINGS_ENV, &timings)
            .env(ata2atp::tui::EXIT_WHEN_LOADED_ENV, "1")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("`script` (util-linux) runs the TUI in a pseudo-terminal");
        assert!(status.success(), "the TUI run failed: {status}");
        let text = std::fs::read_to_string(&timings).expect("the TUI wrote its timings");
        let spawn_ns = spawned.duration_since(UNIX_EPOCH).unwrap().as_nanos() as f64;
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            let since_spawn = (v["unix_ns"].as_f64().unwrap() - spawn_ns) / 1e9;
            match v["event"].as_str() {
                Some("first_frame") => {
                    first.push(since_spawn);
                    internal_first.push(v["ms"].as_f64().unwrap() / 1000.0);
                }
                Some("loaded") => loaded.push(since_spawn),
                _ => {}
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    json!({
        "spawn_to_first_frame": stats(first),
        "tui_start_to_first_frame": stats(internal_first),
        "spawn_to_loaded": stats(loaded),
        "runs": runs,
        "note": "spawn includes `script` and a shell running stty before exec; tui_start is the TUI's own clock from its entry",
    })
}

fn main() {
    if !common::under_cargo_bench("tui") {
        return;
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out_dir = manifest.join("target/bench");
    std::fs::create_dir_all(&out_dir).unwrap();
    let root = out_dir.join("tui-engagement");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = Instant::now();
    rt.block_on(generate(&root));
    eprintln!(
        "generated the engagement in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let inventory_bytes = std::fs::metadata(root.join(INVENTORY_FILE)).unwrap().len();

    // Reading the engagement: what the TUI does in the background after its first frame.
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap();
    let mut load = Vec::new();
    let mut app = None;
    for _ in 0..3 {
        let t = Instant::now();
        app = Some(ata2atp::tui::load_blocking(&root, None, true, SIZE, now).unwrap());
        load.push(t.elapsed().as_secs_f64());
    }
    let mut app = app.unwrap();
    let results = app.data.checks.ready().map_or(0, |c| c.results.len());

    let mut frames = serde_json::Map::new();
    let mut record = |name: &str, app: &App| {
        let v = frame_times(app);
        eprintln!("{name:<34} {v}");
        frames.insert(name.into(), v);
    };
    record("overview", &app);
    select_section(&mut app, Section::Exclusions);
    chars(&mut app, "G");
    record("inventory/exclusions (5,000, last row)", &app);
    select_section(&mut app, Section::Alerts);
    key(&mut app, KeyCode::PageDown);
    record("inventory/alerts (5,000 open)", &app);
    select_section(&mut app, Section::Sensitive);
    record("inventory/sensitive (1,900)", &app);
    select_section(&mut app, Section::Gateways);
    record("inventory/gateways (200)", &app);
    select_section(&mut app, Section::Exclusions);
    chars(&mut app, "/");
    chars(&mut app, "bench-04");
    key(&mut app, KeyCode::Enter);
    record("inventory/exclusions filtered", &app);
    key(&mut app, KeyCode::Enter);
    record("inventory/details pop-up", &app);
    key(&mut app, KeyCode::Esc);
    chars(&mut app, "3");
    for _ in 0..3 {
        key(&mut app, KeyCode::PageDown);
    }
    record("prerequisites (~2,600 results)", &app);
    select_step(&mut app, "P06");
    record("checklist/P06 (5,000-row table)", &app);
    chars(&mut app, "l");
    for _ in 0..2_500 {
        key(&mut app, KeyCode::Down);
    }
    record("checklist/P06 row 2,500 selected", &app);
    select_step(&mut app, "C09");
    chars(&mut app, "lG");
    record("checklist/C09 (per-exclusion fields)", &app);
    chars(&mut app, "5");
    record("report", &app);
    chars(&mut app, "6");
    record("collect", &app);
    chars(&mut app, "?");
    record("help overlay", &app);
    key(&mut app, KeyCode::Esc);
    app.screen = Screen::Overview;

    // Keys whose update lays a step out again, or walks a large list.
    let mut updates = serde_json::Map::new();
    select_step(&mut app, "P05");
    updates.insert(
        "checklist: j onto P06 / k back (lays out 5,000 rows)".into(),
        update_times(&mut app, 40, |a| {
            chars(a, "j");
            chars(a, "k");
        }),
    );
    select_section(&mut app, Section::Alerts);
    updates.insert(
        "inventory: j in the alerts".into(),
        update_times(&mut app, 200, |a| chars(a, "j")),
    );
    select_section(&mut app, Section::Exclusions);
    chars(&mut app, "/");
    updates.insert(
        "inventory: one filter keystroke over 5,000 rows".into(),
        update_times(&mut app, 40, |a| {
            chars(a, "x");
            key(a, KeyCode::Backspace);
        }),
    );
    key(&mut app, KeyCode::Esc);
    updates.insert(
        "resize (lays the step out again)".into(),
        update_times(&mut app, 40, |a| {
            update(a, Msg::Resize(120, 40));
            update(a, Msg::Resize(SIZE.0, SIZE.1));
        }),
    );
    for v in updates.values() {
        eprintln!("{v}");
    }

    let bin = manifest.join("target/release/ata2atp");
    let start = if bin.is_file() {
        start_times(&bin, &root, 7)
    } else {
        json!({"skipped": "build target/release/ata2atp first (scripts/bench-tui.sh does)"})
    };
    eprintln!("start: {start}");

    let report = json!({
        "engagement": {
            "exclusions": 5_000,
            "entities": 2_000,
            "alerts": 100_000,
            "open_alerts": 5_000,
            "gateways": 200,
            "domain_controllers": 200,
            "check_results": results,
            "inventory_yaml_bytes": inventory_bytes,
        },
        "terminal": format!("{}x{}", SIZE.0, SIZE.1),
        "frame_ms_target": 5.0,
        "frames": frames,
        "updates": updates,
        "load_in_background": stats(load),
        "start": start,
        "start_to_first_frame_ms_target": 150.0,
    });
    let out = out_dir.join("tui.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    println!("{}", out.display());
}
