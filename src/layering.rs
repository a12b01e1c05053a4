//! The crate's layering, checked on its own source: no two modules import each other
//! (directly or round a longer circle), at the depth of the top-level modules, their
//! parts and the parts' parts; and exit codes are chosen only at the command line's edge.
//!
//! Read from the files as text, the way a newcomer reads them: every `crate::…` and
//! `super::…` path outside comments and test modules is an import of the module it names.
//! A module's own parts (`mod x;` used as `x::…`) are not counted: a folder may use its
//! files, and its files may use the folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every non-test source file under `src/`, with its module path.
fn sources() -> Vec<(PathBuf, Module, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                // Test folders import what they test, freely.
                if name != "tests" {
                    dirs.push(path);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" && name != "layering.rs" {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let Ok(relative) = path.strip_prefix(&root) else {
                    continue;
                };
                let mut module: Module = relative
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    module.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    module.pop();
                }
                out.push((relative.to_path_buf(), module, code_of(&text)));
            }
        }
    }
    out
}

/// The file without its test module (written last in every file) and comment lines.
fn code_of(text: &str) -> String {
    let end = text
        .match_indices("#[cfg(test)]")
        .find(|(at, attr)| text[at + attr.len()..].trim_start().starts_with("mod "))
        .map_or(text.len(), |(at, _)| at);
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules `code` (in `module`, a `mod.rs` or not) names through `crate::` and
/// `super::` paths.
fn imports(module: &[String], code: &str) -> Vec<Module> {
    let mut out = Vec::new();
    for (at, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut names: Vec<&str> = Vec::new();
        let mut rest = &code[at..];
        while let Some(end) = rest.find("::") {
            let name = &rest[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                break;
            }
            names.push(name);
            rest = &rest[end + 2..];
        }
        // The last name read may be a module or an item: the depth cut below decides.
        let tail: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let mut target: Module = Vec::new();
        let mut supers = 0;
        for (i, name) in names.iter().enumerate() {
            match *name {
                "crate" if i == 0 => {}
                "super" if target.is_empty() => supers += 1,
                _ => target.push(name.to_string()),
            }
        }
        if !tail.is_empty() {
            target.push(tail);
        }
        if supers > 0 {
            let base = module.len().saturating_sub(supers);
            let mut resolved = module[..base].to_vec();
            resolved.extend(target);
            target = resolved;
        }
        out.push(target);
    }
    out
}

/// One circle among the modules of `files` cut at `depth`, as the files that make it.
fn circle(files: &[(PathBuf, Module, String)], depth: usize) -> Option<Vec<String>> {
    let cut = |m: &[String]| m[..m.len().min(depth)].to_vec();
    // edge → a file that makes it, for the message
    let mut edges: BTreeMap<Module, BTreeMap<Module, String>> = BTreeMap::new();
    for (file, module, code) in files {
        let from = cut(module);
        for target in imports(module, code) {
            let to = cut(&target);
            // A folder and its parts, or a module and itself, are one place.
            if from.is_empty() || to.is_empty() || from.starts_with(&to) || to.starts_with(&from) {
                continue;
            }
            edges
                .entry(from.clone())
                .or_default()
                .entry(to)
                .or_insert_with(|| file.display().to_string());
        }
    }
    // Depth-first search for an edge back into the path being walked.
    fn walk(
        at: &Module,
        edges: &BTreeMap<Module, BTreeMap<Module, String>>,
        path: &mut Vec<(Module, String)>,
        done: &mut BTreeSet<Module>,
    ) -> Option<Vec<String>> {
        for (next, file) in edges.get(at).into_iter().flatten() {
            if let Some(start) = path.iter().position(|(m, _)| m == next) {
                let mut out: Vec<String> = path[start + 1..]
                    .iter()
                    .map(|(m, f)| format!("{} (in {f})", m.join("::")))
                    .collect();
                out.push(format!("{} (in {file})", next.join("::")));
                return Some(out);
            }
            if done.contains(next) {
                continue;
            }
            path.push((next.clone(), file.clone()));
            if let Some(found) = walk(next, edges, path, done) {
                return Some(found);
            }
            path.pop();
        }
        done.insert(at.clone());
        None
    }
    let mut done = BTreeSet::new();
    for start in edges.keys() {
        let mut path = vec![(start.clone(), String::new())];
        if let Some(found) = walk(start, &edges, &mut path, &mut done) {
            return Some(found);
        }
    }
    None
}

#[test]
fn no_two_modules_import_each_other() {
    let files = sources();
    assert!(files.len() > 100, "the source files were not found");
    for depth in 1..=3 {
        if let Some(found) = circle(&files, depth) {
            panic!(
                "an import circle among modules at depth {depth}; each line names a module \
                 and the file that imports it from the one before (the first from the last):\n  {}",
                found.join("\n  ")
            );
        }
    }
}

#[test]
fn the_circle_finder_finds_a_circle() {
    // The check must be able to fail: three files that import round a circle, one of
    // them through `super`, and a comment that must not count.
    let file = |path: &str, module: &[&str], code: &str| {
        (
            PathBuf::from(path),
            module.iter().map(|m| m.to_string()).collect::<Module>(),
            code_of(code),
        )
    };
    let files = vec![
        file(
            "x.rs",
            &["x"],
            "use crate::y::thing;
// use crate::w::nothing;",
        ),
        file("y/z.rs", &["y", "z"], "fn f() { super::super::v::g() }"),
        file("v.rs", &["v"], "use crate::x::{a, b};"),
        file("w.rs", &["w"], "use crate::x::a;"),
    ];
    let found = circle(&files, 1).unwrap_or_default();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().any(|f| f.contains("in y/z.rs")), "{found:?}");
    // Without the edge back, there is none; a folder using its own parts is none either.
    assert_eq!(circle(&files[1..], 1), None);
    assert_eq!(
        circle(
            &[
                file("a/mod.rs", &["a"], "use b::c;"),
                file("a/b.rs", &["a", "b"], "use super::d;")
            ],
            2
        ),
        None
    );
}

#[test]
fn only_the_command_line_chooses_exit_codes() {
    for (file, module, code) in sources() {
        let edge = matches!(module.first().map(String::as_str), Some("cli") | None)
            || file == Path::new("main.rs");
        if !edge {
            assert!(
                !code.contains("cli::exit") && !code.contains("ExitCode"),
                "{} chooses an exit code: return an error with its kind and let `cli::exit` \
                 map it",
                file.display()
            );
        }
    }
}
