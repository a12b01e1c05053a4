//! `ata2atp diff` through the binary, on the fixture engagement's history.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use support::report::*;

#[test]
fn diff_compares_the_latest_two_inventories_by_default() {
    let (_dir, root) = engagement();
    let out = ata2atp(&root, &["diff"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for needle in [
        "inventory-20261101T090000.000Z.yaml",
        "Exclusions (1 added, 0 removed, 0 changed)",
        "+ SamrReconnaissanceDetectorConfiguration: O'Brien, \"Bob\"",
        "+ trap, with comma⏎and a second line",
        "- NW-OLDGW",
        "dotnet_release: 394254 → 394802",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn diff_as_json_markdown_and_with_an_exit_code() {
    let (_dir, root) = engagement();
    let out = ata2atp(&root, &["-o", "json", "diff"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["total"], 4);
    let gateways = v["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "gateways")
        .unwrap();
    assert_eq!(gateways["removed"][0]["label"], "NW-OLDGW");

    let out = ata2atp(&root, &["diff", "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# Inventory changes"), "{md}");
    assert!(
        md.contains("- **added** SamrReconnaissanceDetectorConfiguration: O'Brien, \"Bob\""),
        "{md}"
    );

    let out = ata2atp(&root, &["diff", "--exit-code"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = ata2atp(
        &root,
        &["diff", "--exit-code", "inventory.yaml", "inventory.yaml"],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("No difference."));
}

#[test]
fn diff_needs_two_inventories() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("e");
    assert!(
        ata2atp(dir.path(), &["init"])
            .arg(&root)
            .args(["--customer", "X"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = ata2atp(&root, &["diff"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("diff needs two"), "{stderr}");
}
