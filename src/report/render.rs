//! The template environment: the built-in Tera templates (`report-templates/`), or a
//! consultant's copy given with `--template FILE`.
//!
//! Every value printed with `{{ }}` is escaped for the output: HTML escaping for the HTML
//! report, Markdown escaping (entities for `<`, `&` and `"`, a backslash before the
//! characters Markdown treats as syntax) for the Markdown one. A template marks nothing
//! `safe` except the output of the `css_string` and `breakable` filters (which escape
//! themselves), which makes a CSS string of a
//! value for the print headers. `get_env` is switched off: a report must be reproducible
//! from the engagement alone, and environment variables may hold passwords.

use std::collections::HashMap;
use std::path::Path;

use tera::Tera;

use super::Error;

pub const HTML_TEMPLATE: &str = include_str!("../../report-templates/report.html.tera");
/// The HTML report's one script (sorting, filtering, opening collapsed rows to print).
pub const HTML_SCRIPT: &str = include_str!("../../report-templates/report.js");

/// `page` in the HTML template's context: the script, its CSP hash, and whether the HTML
/// is printed to PDF (collapsed rows are then open). Not part of the report's data model:
/// it is the tool's own code, never redacted.
pub fn page_value(print: bool) -> serde_json::Value {
    use base64::Engine as _;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(HTML_SCRIPT));
    serde_json::json!({
        "script": HTML_SCRIPT,
        "script_hash": format!("sha256-{hash}"),
        "print": print,
    })
}

pub const MD_TEMPLATE: &str = include_str!("../../report-templates/report.md.tera");
/// The signer's summary in Markdown: included by the Markdown report (a copied template
/// may include it too), and rendered alone as the ticket-sized summary of the action lists.
pub const SUMMARY_MD_TEMPLATE: &str = include_str!("../../report-templates/summary.md.tera");
const SUMMARY_MD_NAME: &str = "summary.md.tera";

/// Which document a template produces; decides the escaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Html,
    Markdown,
}

impl Document {
    /// The name the template is registered under: its suffix turns on the escaping,
    /// whatever the file given with `--template` is called.
    fn name(self) -> &'static str {
        match self {
            Document::Html => "report.html.tera",
            Document::Markdown => "report.md.tera",
        }
    }

    pub fn built_in(self) -> &'static str {
        match self {
            Document::Html => HTML_TEMPLATE,
            Document::Markdown => MD_TEMPLATE,
        }
    }
}

/// Escapes text for Markdown: it renders as the same characters and never as markup or
/// HTML. Newlines become `<br>` so a value stays inside its table cell.
///
/// Only backslash escapes are used, never HTML entities: a Markdown file is also read as
/// plain text (a ticket, a diff), where `&quot;` would show as it is. CommonMark lets any
/// ASCII punctuation be escaped, so `\<` cannot open a tag and `\&` cannot start an
/// entity; `"` means nothing outside HTML attributes and is left alone.
pub fn escape_markdown(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '<' | '>' | '&' | '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '{'
            | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
    out
}

/// A value as a CSS string literal (quotes included), safe inside `<style>`.
fn css_string(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            // Hex escapes end with a space, which CSS swallows.
            '"' | '\\' | '<' | '>' | '&' | '\'' => out.push_str(&format!("\\{:X} ", c as u32)),
            '\n' | '\r' => out.push_str("\\A "),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(tera::Value::String(out))
}

/// Long tokens (DNs, host names, URLs, paths) shorter words never are: past this many
/// characters a token may break after its punctuation.
const BREAKABLE_AFTER: usize = 18;

/// A value HTML-escaped, with a `<wbr>` after the punctuation of its long tokens: a table
/// cell then breaks `CN=Partitions,CN=Configuration,DC=fabrikam,DC=test` at its commas
/// instead of widening its column past the page or splitting words (issue 17.2). `<wbr>`
/// is not text: a copied value has none.
pub fn breakable_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for (i, token) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let long = token.chars().count() > BREAKABLE_AFTER;
        let mut buf = [0u8; 4];
        // Characters since the last break: a hex thumbprint or a GUID without dashes
        // has no punctuation, and breaks every BREAKABLE_AFTER characters instead.
        let mut run = 0;
        for c in token.chars() {
            out.push_str(&tera::escape_html(c.encode_utf8(&mut buf)));
            run += 1;
            if long
                && (run >= BREAKABLE_AFTER
                    || matches!(
                        c,
                        ',' | ';' | '/' | '\\' | '=' | '.' | '_' | '-' | '@' | ':' | ')' | '|'
                    ))
            {
                out.push_str("<wbr>");
                run = 0;
            }
        }
    }
    out
}

fn breakable(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = match value {
        tera::Value::String(s) => s.clone(),
        tera::Value::Null => String::new(),
        other => other.to_string(),
    };
    Ok(tera::Value::String(breakable_html(&text)))
}

fn no_env(_: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Err(tera::Error::msg(
        "get_env is not available in report templates: a report is made from the engagement \
         folder alone, and environment variables may hold passwords",
    ))
}

/// Tera's error with its causes, on one line.
fn describe(e: &tera::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// A ready template environment for one document.
pub struct Renderer {
    tera: Tera,
    document: Document,
    origin: String,
}

impl Renderer {
    /// The built-in template, or `template` (a file) when given.
    pub fn new(document: Document, template: Option<&Path>) -> Result<Self, Error> {
        let (text, origin) = match template {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                    action: "read the template",
                    path: path.to_path_buf(),
                    source,
                })?;
                (text, path.display().to_string())
            }
            None => (
                document.built_in().to_string(),
                format!("report-templates/{} (built in)", document.name()),
            ),
        };
        Self::from_text(document, &text, &origin)
    }

    pub fn from_text(document: Document, text: &str, origin: &str) -> Result<Self, Error> {
        // Before Tera sees it: its parser and renderer recurse without a bound.
        super::bounds::check(text).map_err(|refused| Error::Template {
            origin: origin.to_string(),
            message: refused.to_string(),
        })?;
        let mut tera = Tera::default();
        match document {
            Document::Html => tera.autoescape_on(vec![".html.tera"]),
            Document::Markdown => {
                tera.autoescape_on(vec![".md.tera"]);
                tera.set_escape_fn(escape_markdown);
            }
        }
        if document == Document::Markdown {
            tera.add_raw_template(SUMMARY_MD_NAME, SUMMARY_MD_TEMPLATE)
                .map_err(|e| Error::Template {
                    origin: format!("report-templates/{SUMMARY_MD_NAME} (built in)"),
                    message: describe(&e),
                })?;
        }
        tera.register_filter("css_string", css_string);
        tera.register_filter("breakable", breakable);
        tera.register_function("get_env", no_env);
        // Tera's parse errors carry the line and column ("--> 12:5").
        tera.add_raw_template(document.name(), text)
            .map_err(|e| Error::Template {
                origin: origin.to_string(),
                message: describe(&e),
            })?;
        Ok(Self {
            tera,
            document,
            origin: origin.to_string(),
        })
    }

    /// Renders the report's context (already redacted when asked).
    pub fn render(&self, context: &serde_json::Value) -> Result<String, Error> {
        self.render_named(self.document.name(), context)
    }

    /// The signer's summary alone (Markdown).
    pub fn render_summary(&self, context: &serde_json::Value) -> Result<String, Error> {
        self.render_named(SUMMARY_MD_NAME, context)
    }

    fn render_named(&self, name: &str, context: &serde_json::Value) -> Result<String, Error> {
        let ctx = tera::Context::from_value(context.clone()).map_err(|e| Error::Template {
            origin: self.origin.clone(),
            message: describe(&e),
        })?;
        self.tera.render(name, &ctx).map_err(|e| Error::Template {
            origin: self.origin.clone(),
            message: describe(&e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_leaves_no_markup() {
        assert_eq!(
            escape_markdown("<script>alert(\"x\")</script> & *bold* | [a](b)\nnext"),
            "\\<script\\>alert(\"x\")\\</script\\> \\& \\*bold\\* \\| \\[a\\](b)<br>next"
        );
    }

    #[test]
    fn css_strings_cannot_close_the_style_element() {
        let v = css_string(
            &tera::Value::String("a\"</style><b>\\".into()),
            &HashMap::new(),
        )
        .unwrap();
        let s = v.as_str().unwrap();
        assert!(!s[1..s.len() - 1].contains(['"', '<', '>']), "{s}");
    }

    #[test]
    fn a_template_error_names_the_file_and_line() {
        let err = Renderer::from_text(Document::Html, "ok\n{% if %}\n", "my.html")
            .err()
            .unwrap();
        let msg = err.to_string();
        assert!(msg.contains("my.html") && msg.contains("2:"), "{msg}");
    }

    #[test]
    fn breakable_escapes_and_breaks_only_long_tokens() {
        assert_eq!(breakable_html("a.b <x>"), "a.b &lt;x&gt;");
        assert_eq!(
            breakable_html("CN=Partitions,CN=Configuration"),
            "CN=<wbr>Partitions,<wbr>CN=<wbr>Configuration"
        );
        assert!(!breakable_html("<script>alert(1)</script>-long-token").contains("<script"));
    }

    #[test]
    fn get_env_is_refused() {
        let r = Renderer::from_text(Document::Markdown, "{{ get_env(name=\"HOME\") }}", "t.md")
            .unwrap();
        let err = r.render(&serde_json::json!({})).unwrap_err().to_string();
        assert!(err.contains("get_env is not available"), "{err}");
    }
}
