//! Report templates and engagement YAML files nested without bound are refused with the
//! file and line, exit 2, instead of overflowing the stack (Tera's parser and renderer
//! recurse): blocks and brackets 10,000, 100,000 and 1,000,000 deep, and a macro that
//! calls itself; a YAML nesting bomb in an engagement file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use support::report::*;

#[test]
fn deep_or_recursive_templates_are_refused_not_a_crash() {
    let (dir, root) = engagement();
    let mut cases: Vec<(String, String)> = Vec::new();
    for n in [10_000usize, 100_000, 1_000_000] {
        cases.push((
            format!("if{n}"),
            format!("{}x{}", "{% if true %}".repeat(n), "{% endif %}".repeat(n)),
        ));
        cases.push((
            format!("paren{n}"),
            format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n)),
        ));
    }
    cases.push((
        "recursive".into(),
        "{% macro m(n) %}{{ self::m(n=n+1) }}{% endmacro m %}\n{{ self::m(n=1) }}".into(),
    ));
    for (name, text) in cases {
        let path = dir.path().join(format!("{name}.md"));
        std::fs::write(&path, text).unwrap();
        let out = ata2atp(&root, &["report", "--format", "md", "--template"])
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{name}.md: line ")) && stderr.contains("fix the template"),
            "{name}: {stderr}"
        );
    }
}

#[test]
fn deep_engagement_yaml_is_refused_with_the_line() {
    let (_dir, root) = engagement();
    for n in [10_000usize, 100_000, 1_000_000] {
        std::fs::write(
            root.join("signoff.yaml"),
            format!("approver:\n  name: {}", "[".repeat(n)),
        )
        .unwrap();
        let out = ata2atp(&root, &["report", "--format", "md"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{n}: {stderr}");
        // Typed files stop at the first bracket where a name is expected; the parser's
        // own limit (64 levels, yaml::tests) holds for the shapes that are read further.
        assert!(stderr.contains("signoff.yaml:2:"), "{n}: {stderr}");
    }
}
