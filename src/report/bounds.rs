//! Limits on a report template's shape, checked before Tera parses it. Tera's parser and
//! renderer recurse: blocks nested ten thousand deep, parentheses nested as deep, or a
//! macro that calls itself overflow the stack and abort the process. A template is
//! refused, with its line, when blocks (`if`, `for`, `macro`, `filter`, `block`) or the
//! brackets of one expression nest deeper than [`MAX_DEPTH`], or when its macros can
//! call themselves (through `self::`). The built-in templates nest a handful deep.

/// Far above any real template (the built-in ones stay under 10).
pub const MAX_DEPTH: usize = 64;

/// Why a template is refused, with its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("line {line}: blocks nested deeper than {MAX_DEPTH} levels")]
    BlocksTooDeep { line: usize },
    #[error("line {line}: brackets nested deeper than {MAX_DEPTH} levels")]
    BracketsTooDeep { line: usize },
    #[error(
        "line {line}: macro {name} (line {defined}) calls itself{}; report templates may not recurse",
        through.as_ref().map(|m| format!(" through {m}")).unwrap_or_default()
    )]
    Recursion {
        line: usize,
        name: String,
        defined: usize,
        /// The macro the call goes through, when it is not `name` itself.
        through: Option<String>,
    },
}

/// Checks a template's shape (see the module's comment).
pub fn check(text: &str) -> Result<(), Refused> {
    let mut scan = Scan::default();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut line = 1;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if bytes[i] != b'{' || i + 1 >= bytes.len() {
            i += 1;
            continue;
        }
        let (close, kind) = match bytes[i + 1] {
            b'{' => ("}}", Kind::Expression),
            b'%' => ("%}", Kind::Statement),
            b'#' => ("#}", Kind::Comment),
            _ => {
                i += 1;
                continue;
            }
        };
        let start = i + 2;
        let end = match kind {
            Kind::Comment => text[start..].find(close).map(|e| start + e),
            _ => tag_end(text, start, close),
        }
        .unwrap_or(text.len());
        let inner = &text[start..end];
        let tag_line = line;
        line += inner.matches('\n').count();
        i = (end + close.len()).min(text.len());
        match kind {
            Kind::Comment => {}
            Kind::Expression => scan.expression(inner, tag_line)?,
            Kind::Statement => {
                let body = inner.trim_matches(|c: char| c == '-' || c.is_whitespace());
                let word = body.split_whitespace().next().unwrap_or("");
                if word == "raw" {
                    // Literal text up to `endraw`: nothing in it is a tag.
                    let rest = &text[i..];
                    let skip = find_endraw(rest).unwrap_or(rest.len());
                    line += rest[..skip].matches('\n').count();
                    i += skip;
                    continue;
                }
                scan.statement(word, body, tag_line)?;
            }
        }
    }
    scan.no_recursion()
}

#[derive(Clone, Copy)]
enum Kind {
    Expression,
    Statement,
    Comment,
}

#[derive(Default)]
struct Scan {
    depth: usize,
    /// The macro being defined, with its depth when it opened.
    current: Option<(String, usize)>,
    /// Each macro and the `self::` macros it calls, with the line of the call.
    calls: Vec<(String, String, usize)>,
    /// Each macro defined, with its line.
    macros: Vec<(String, usize)>,
}

impl Scan {
    fn statement(&mut self, word: &str, body: &str, line: usize) -> Result<(), Refused> {
        match word {
            "if" | "for" | "block" | "filter" | "macro" => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(Refused::BlocksTooDeep { line });
                }
                if word == "macro" {
                    let name = body[5..]
                        .trim_start()
                        .split(|c: char| c == '(' || c.is_whitespace())
                        .next()
                        .unwrap_or("")
                        .to_string();
                    self.macros.push((name.clone(), line));
                    self.current = Some((name, self.depth));
                }
            }
            w if w.starts_with("end") => {
                if w == "endmacro" && self.current.as_ref().is_some_and(|(_, d)| *d == self.depth) {
                    self.current = None;
                }
                self.depth = self.depth.saturating_sub(1);
            }
            _ => {}
        }
        self.expression(body, line)
    }

    /// Bracket nesting of one tag's expression, and the `self::` macros it calls.
    fn expression(&mut self, inner: &str, line: usize) -> Result<(), Refused> {
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        for (at, c) in inner.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'' | '`') => quote = Some(c),
                (None, '(' | '[') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(Refused::BracketsTooDeep { line });
                    }
                }
                (None, ')' | ']') => depth = depth.saturating_sub(1),
                (None, 's') if inner[at..].starts_with("self::") => {
                    if let Some((caller, _)) = &self.current {
                        let callee: String = inner[at + 6..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        self.calls.push((caller.clone(), callee, line));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Refuses a macro that can reach itself through `self::` calls.
    fn no_recursion(&self) -> Result<(), Refused> {
        for (name, defined) in &self.macros {
            let mut seen: Vec<&str> = Vec::new();
            let mut todo: Vec<&str> = vec![name];
            while let Some(m) = todo.pop() {
                for (caller, callee, line) in &self.calls {
                    if caller != m {
                        continue;
                    }
                    if callee == name {
                        return Err(Refused::Recursion {
                            line: *line,
                            name: name.clone(),
                            defined: *defined,
                            through: (m != name).then(|| m.to_string()),
                        });
                    }
                    if !seen.contains(&callee.as_str()) {
                        seen.push(callee);
                        todo.push(callee);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Where the tag opened at `start` ends (`close`), skipping quoted strings.
fn tag_end(text: &str, start: usize, close: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (at, c) in text[start..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, _) if text[start + at..].starts_with(close) => return Some(start + at),
            _ => {}
        }
    }
    None
}

/// The offset of the `{% endraw %}` tag in `text` (with or without `-`).
fn find_endraw(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find("{%") {
        let at = from + at;
        let rest = text[at + 2..].trim_start_matches('-').trim_start();
        if rest.starts_with("endraw") {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_templates_pass() {
        for t in [
            super::super::render::HTML_TEMPLATE,
            super::super::render::MD_TEMPLATE,
        ] {
            check(t).unwrap();
        }
    }

    #[test]
    fn deep_blocks_brackets_and_recursive_macros_are_refused_with_the_line() {
        // What the consultant reads.
        let check = |t: &str| super::check(t).map_err(|e| e.to_string());
        for n in [10_000, 100_000, 1_000_000] {
            let ifs = format!(
                "a\n{}x{}",
                "{% if true %}".repeat(n),
                "{% endif %}".repeat(n)
            );
            assert!(
                check(&ifs).unwrap_err().starts_with("line 2: blocks"),
                "{n}"
            );
            let fors: String = (0..n).map(|i| format!("{{% for a{i} in [1] %}}")).collect();
            assert!(check(&fors).unwrap_err().contains("blocks nested"));
            let parens = format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n));
            assert!(check(&parens).unwrap_err().starts_with("line 1: brackets"));
            let arrays = format!("{{% set x = {}1{} %}}", "[".repeat(n), "]".repeat(n));
            assert!(check(&arrays).unwrap_err().contains("brackets"));
        }
        let ok = format!(
            "{}x{}",
            "{% if true %}".repeat(MAX_DEPTH),
            "{% endif %}".repeat(MAX_DEPTH)
        );
        check(&ok).unwrap();
        let err = check("{% macro m(n) %}\n{{ self::m(n=n) }}{% endmacro m %}{{ self::m(n=1) }}")
            .unwrap_err();
        assert!(
            err.contains("line 2: macro m (line 1) calls itself"),
            "{err}"
        );
        let err = check(
            "{% macro a() %}{{ self::b() }}{% endmacro %}\n{% macro b() %}{{ self::a() }}{% endmacro %}",
        )
        .unwrap_err();
        assert!(err.contains("calls itself through"), "{err}");
        // Brackets in strings, comments and raw blocks do not count.
        let quoted = format!(
            "{{{{ \"{}\" }}}}{{# {} #}}",
            "(".repeat(1000),
            "(".repeat(1000)
        );
        check(&quoted).unwrap();
        let raw = format!("{{% raw %}}{}{{% endraw %}}", "{% if x %}".repeat(1000));
        check(&raw).unwrap();
    }
}
