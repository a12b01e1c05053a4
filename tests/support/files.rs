//! Files on disk as tests compare them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir` with its bytes (paths relative to `dir`), to prove a command
/// changed nothing or to compare two runs.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The public corpus beside the repository (`../shared/corpus`, where CI has it too); a
/// missing corpus fails the test rather than skipping it.
pub fn corpus() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        p.is_dir(),
        "the public corpus is missing at {} (CI has it beside the repository)",
        p.display()
    );
    p
}

/// A file of the checks' fixtures (`tests/fixtures/checks/<rel>`).
pub fn checks_fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/checks")
        .join(rel)
}

/// The engagement's `inventory.yaml`, read as the tool reads it.
pub fn read_inventory(eng: &Path) -> ata2atp::model::Inventory {
    ata2atp::engagement::read_yaml_file(&eng.join("inventory.yaml"))
        .unwrap()
        .expect("the engagement has an inventory")
}
