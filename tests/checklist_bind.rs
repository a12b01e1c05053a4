//! Every step of both built-in guides binds to the demo's inventory and to a fully
//! populated one read back from disk, without an unresolved reference.
//!
//! The demo inventory comes from `ata2atp::demo::build`, the same code `ata2atp demo`
//! runs: as the readers fill it in, this test binds to real sample data with no change.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use ata2atp::checklist::bind::{Bound, bind_step};
use ata2atp::checklist::{BUILTIN, document, parse, schema::example};
use ata2atp::engagement::Engagement;

fn bind_all(engagement: &Engagement) -> Vec<(String, String, Bound)> {
    let inventory = engagement
        .inventory()
        .unwrap()
        .expect("inventory.yaml is written");
    let config = engagement.config().unwrap();
    let doc = document::of(Some(&inventory), Some(&config));
    let mut out = Vec::new();
    for (_, origin, text) in BUILTIN {
        let def = parse(text, origin).unwrap_or_else(|e| panic!("{e}"));
        for step in &def.steps {
            for b in bind_step(&def, step, &doc, Some(&inventory)) {
                out.push((format!("{} {}", def.guide, step.id), b.path, b.value));
            }
        }
    }
    out
}

#[test]
fn every_step_of_both_guides_binds_to_the_demo_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let summary = runtime
        .block_on(ata2atp::demo::build(&dir.path().join("demo")))
        .unwrap();
    let engagement = Engagement::open(&summary.engagement).unwrap();
    let bound = bind_all(&engagement);
    assert!(bound.len() > 100, "{} values bound", bound.len());
    for (step, path, value) in &bound {
        assert!(
            !matches!(value, Bound::Unresolved { .. }),
            "{step} `{path}`: {value:?}"
        );
        if let Bound::Missing { text, .. } = value {
            assert!(!text.trim().is_empty(), "{step} `{path}` is blank");
        }
    }
}

#[test]
fn every_step_binds_to_a_full_inventory_read_back_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let (engagement, lock) = Engagement::init(dir.path().join("eng"), &example::config()).unwrap();
    lock.save_inventory(&example::inventory()).unwrap();
    for (step, path, value) in bind_all(&engagement) {
        assert!(
            !matches!(value, Bound::Unresolved { .. } | Bound::Missing { .. }),
            "{step} `{path}`: {value:?}"
        );
    }
}
