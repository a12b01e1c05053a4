//! The report for sign-off, and `diff` between two inventories.
//!
//! | module | owns |
//! |---|---|
//! | [`inputs`] | reading the engagement's files once, with their SHA-256 |
//! | [`context`] | the report's data model: display-ready text the templates only present, led by the signer's summary (`context::signer`: failing items by area with owner and remediation; the action lists' lines) |
//! | [`redact`] | `--redact`: stable keyed pseudonyms for names, SIDs and addresses |
//! | [`actions`] | `--format actions`: per-owner CSV and Markdown, the checks CSV, the ticket-sized summary, the deadlines calendar |
//! | [`bounds`] | limits on a template's nesting (blocks, brackets, recursive macros), checked before Tera parses it |
//! | [`render`] | the Tera environment (HTML and Markdown escaping) and the built-in templates |
//! | [`csv_export`] | the lists as CSV files |
//! | [`pdf`] | printing the HTML report with a local headless Chromium/Chrome/Edge |
//! | [`integrity`] | `reports/<name>.integrity.yaml` and `report verify` |
//! | [`signoff`] | who signs: `signoff.yaml` and the flags over it |
//! | [`diff`] | what changed between two inventories |
//!
//! A report run reads the engagement under its lock, builds one [`context::ReportContext`],
//! redacts it when asked, renders it, and writes the files and their integrity record
//! into `reports/` atomically. Nothing in the report comes from anywhere but the
//! engagement folder (and the template), so it can be made again, offline, a year later.

pub mod actions;
pub mod bounds;
pub mod context;
pub mod csv_export;
pub mod diff;
pub mod inputs;
pub mod integrity;
pub mod pdf;
pub mod redact;
pub mod render;
pub mod signoff;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::engagement::{Engagement, EngagementError, REPORTS_DIR, WriteLock};
use crate::kind::ErrorKind;
use context::{ReportContext, RunInfo};
use inputs::Inputs;
use integrity::{FileHash, InputHash, IntegrityRecord};
use redact::Redactor;
use render::{Document, Renderer};
use signoff::SignOffOverrides;

/// What stops a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Engagement(#[from] EngagementError),

    #[error(transparent)]
    Checklist(#[from] crate::checklist::Error),

    #[error(transparent)]
    Yaml(#[from] crate::yaml::YamlError),

    #[error(
        "report template {origin}: {message}; fix the template, or leave out --template to use \
         the built-in one"
    )]
    Template { origin: String, message: String },

    #[error(
        "--format pdf needs Chromium, Chrome or Edge installed locally; none found (looked for \
         {searched}). Install one (Debian/Ubuntu: apt install chromium), or point at it with \
         --browser PATH or {}; or write --format html and print it from a browser",
        pdf::BROWSER_ENV
    )]
    BrowserMissing { searched: String },

    #[error("printing the PDF with {} failed: {message}", browser.display())]
    Browser { browser: PathBuf, message: String },

    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{0}")]
    Input(String),
}

impl Error {
    /// A browser that is missing or fails is a tool that could not be used (source); the
    /// rest is bad input: a file, a template, a flag.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::BrowserMissing { .. } | Error::Browser { .. } => ErrorKind::Source,
            Error::Engagement(e) => e.kind(),
            _ => ErrorKind::Input,
        }
    }
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Html,
    Md,
    Csv,
    Pdf,
    /// Per-owner action lists (CSV and Markdown), the checks CSV, the summary alone and
    /// the full Markdown, and the deadlines as a calendar.
    Actions,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Csv => "csv",
            Format::Pdf => "pdf",
            Format::Actions => "actions",
        }
    }

    /// Writes several files: `--out` is a folder.
    pub fn is_many(self) -> bool {
        matches!(self, Format::Csv | Format::Actions)
    }
}

/// One report run.
#[derive(Debug, Clone)]
pub struct Request {
    /// Guide to report on (default: the engagement's).
    pub guide: Option<String>,
    pub format: Format,
    /// A copied and edited template (HTML for html/pdf, Markdown for md).
    pub template: Option<PathBuf>,
    pub redact: bool,
    /// Also write a copy here (a file; a folder for CSV), with its integrity record.
    pub out: Option<PathBuf>,
    pub signoff: SignOffOverrides,
    /// The command line, credentials removed (for provenance).
    pub arguments: Vec<String>,
    /// The browser for PDF (else found on PATH).
    pub browser: Option<PathBuf>,
    pub now: DateTime<Utc>,
}

impl Request {
    pub fn new(format: Format, now: DateTime<Utc>) -> Self {
        Self {
            guide: None,
            format,
            template: None,
            redact: false,
            out: None,
            signoff: SignOffOverrides::default(),
            arguments: Vec::new(),
            browser: None,
            now,
        }
    }
}

/// What a report run wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub format: Format,
    pub redacted: bool,
    /// The files in `reports/`.
    pub files: Vec<PathBuf>,
    pub integrity: PathBuf,
    /// SHA-256 of the report (of each file, for CSV): send it with the report.
    pub sha256: Vec<String>,
    /// The copies written with `--out`.
    pub copies: Vec<PathBuf>,
}

/// Builds the report's context from the engagement's inputs, redacted when asked.
pub fn build_context(
    inputs: &Inputs,
    run: &RunInfo,
    redactor: Option<&mut Redactor>,
) -> Result<ReportContext, Error> {
    let ctx = context::build(inputs, run);
    let Some(redactor) = redactor else {
        return Ok(ctx);
    };
    // Applied to the data model, not to the output: every string of the context, free
    // text included, goes through the redactor before any template sees it.
    let mut value = serde_json::to_value(&ctx)
        .map_err(|e| Error::Input(format!("could not prepare the report for redaction: {e}")))?;
    redactor.scrub_value(&mut value, context::TOOL_TEXT);
    serde_json::from_value(value)
        .map_err(|e| Error::Input(format!("could not read the redacted report back: {e}")))
}

/// Renders a context as HTML or Markdown.
pub fn render(
    document: Document,
    ctx: &ReportContext,
    template: Option<&Path>,
) -> Result<String, Error> {
    render_page(document, ctx, template, false)
}

/// Renders a context; `print`: the HTML is for the PDF (collapsed rows open).
fn render_page(
    document: Document,
    ctx: &ReportContext,
    template: Option<&Path>,
    print: bool,
) -> Result<String, Error> {
    let renderer = Renderer::new(document, template)?;
    let mut value = serde_json::to_value(ctx)
        .map_err(|e| Error::Input(format!("could not prepare the report context: {e}")))?;
    if document == Document::Html
        && let Some(map) = value.as_object_mut()
    {
        map.insert("page".into(), render::page_value(print));
    }
    renderer.render(&value)
}

/// The base name of a report's files: `report-<guide>-<UTC time>[-redacted]`.
pub fn base_name(guide: &str, now: DateTime<Utc>, redacted: bool) -> String {
    format!(
        "report-{guide}-{}{}",
        now.format("%Y%m%dT%H%M%SZ"),
        if redacted { "-redacted" } else { "" }
    )
}

/// Makes the report and writes it, with its integrity record, into `reports/`.
pub async fn write(
    engagement: &Engagement,
    lock: &WriteLock,
    request: &Request,
) -> Result<Written, Error> {
    write_with_progress(engagement, lock, request, &crate::progress::Silent).await
}

/// [`write`], saying its stages to `progress`: a PDF takes seconds (the browser starts,
/// then prints), so each stage is a task of its own.
pub async fn write_with_progress(
    engagement: &Engagement,
    lock: &WriteLock,
    request: &Request,
    progress: &dyn crate::progress::Progress,
) -> Result<Written, Error> {
    let started = std::time::Instant::now();
    let mut inputs = Inputs::load(engagement, request.guide.as_deref(), &request.signoff)?;
    tracing::debug!(
        "report: engagement read in {} ms",
        started.elapsed().as_millis()
    );
    // Between the long phases the caller may stop the report (Ctrl-C): it is dropped at
    // these points, before anything is written.
    tokio::task::yield_now().await;
    let template_label = match &request.template {
        Some(t) => t.display().to_string(),
        None => "built-in".to_string(),
    };
    let mut redactor = if request.redact {
        let key = redact::load_or_create_key(lock, engagement.root())?;
        inputs
            .files
            .push(integrity::input(engagement.root(), redact::KEY_FILE)?);
        let mut r = Redactor::new(key);
        r.learn_inputs(&inputs);
        Some(r)
    } else {
        None
    };
    if let Some(t) = &request.template {
        inputs.files.push(template_input(engagement.root(), t)?);
    }
    let run = RunInfo {
        now: request.now,
        arguments: request.arguments.clone(),
        host: gethostname::gethostname().to_string_lossy().into_owned(),
        template: template_label.clone(),
        redacted: request.redact,
    };
    let ctx = build_context(&inputs, &run, redactor.as_mut())?;
    tracing::debug!(
        "report: context built after {} ms",
        started.elapsed().as_millis()
    );
    tokio::task::yield_now().await;
    let template = request.template.as_deref();
    let mut base = base_name(&inputs.def.guide, request.now, request.redact);
    // Two reports in the same second (html, then md) must not share a record.
    let first = base.clone();
    let mut n = 1;
    while engagement
        .path(REPORTS_DIR)
        .join(format!("{base}{}", integrity::SUFFIX))
        .exists()
    {
        n += 1;
        base = format!("{first}-{n}");
    }

    // (suffix after the base name, bytes)
    let outputs: Vec<(String, Vec<u8>)> = match request.format {
        Format::Html => vec![(
            ".html".into(),
            render(Document::Html, &ctx, template)?.into_bytes(),
        )],
        Format::Md => vec![(
            ".md".into(),
            render(Document::Markdown, &ctx, template)?.into_bytes(),
        )],
        Format::Csv => csv_export::tables(&ctx)
            .into_iter()
            .map(|(name, table)| Ok((format!(".{name}.csv"), csv_export::to_csv(&table)?)))
            .collect::<Result<_, Error>>()?,
        Format::Actions => {
            if template.is_some() {
                return Err(Error::Input(
                    "--template applies to html, pdf and md; --format actions uses the built-in \
                     Markdown: leave out --template"
                        .into(),
                ));
            }
            let value = serde_json::to_value(&ctx)
                .map_err(|e| Error::Input(format!("could not prepare the report context: {e}")))?;
            actions::files(&ctx, &value, request.now)?
        }
        Format::Pdf => {
            let browser = pdf::find_browser(request.browser.as_deref())?;
            let task = "PDF: rendering the HTML";
            progress.start(task, None);
            let html = render_page(Document::Html, &ctx, template, true);
            // A stage ends with its outcome, failed too: no spinner is left running.
            progress.finish(
                task,
                &match &html {
                    Ok(html) => format!("{} KB", html.len().div_ceil(1024)),
                    Err(_) => "failed".to_string(),
                },
            );
            let html = html?;
            let tmp = tempfile::Builder::new()
                .prefix("ata2atp-report-")
                .suffix(".html")
                .tempfile()
                .map_err(|source| Error::Io {
                    action: "write a temporary copy of",
                    path: PathBuf::from("the HTML report"),
                    source,
                })?;
            std::fs::write(tmp.path(), html.as_bytes()).map_err(|source| Error::Io {
                action: "write",
                path: tmp.path().to_path_buf(),
                source,
            })?;
            vec![(
                ".pdf".into(),
                pdf::print(&browser, tmp.path(), progress).await?,
            )]
        }
    };

    tracing::debug!(
        "report: rendered after {} ms",
        started.elapsed().as_millis()
    );
    tokio::task::yield_now().await;
    let record = |names: &[(String, &[u8])]| IntegrityRecord {
        schema_version: crate::model::SCHEMA_VERSION,
        tool_version: crate::model::TOOL_VERSION.to_string(),
        generated_at: request.now,
        generated_by: Some(inputs.config.consultant.clone()),
        host: Some(run.host.clone()),
        arguments: request.arguments.clone(),
        guide: inputs.def.guide.clone(),
        format: request.format.as_str().to_string(),
        redacted: request.redact,
        template: template_label.clone(),
        report: names
            .iter()
            .map(|(name, bytes)| FileHash {
                path: name.clone(),
                sha256: crate::digest::sha256_hex(bytes),
                bytes: bytes.len() as u64,
            })
            .collect(),
        inputs: inputs.files.clone(),
    };

    lock.create_dir(REPORTS_DIR)?;
    let mut files = Vec::new();
    let named: Vec<(String, &[u8])> = outputs
        .iter()
        .map(|(suffix, bytes)| (format!("{base}{suffix}"), bytes.as_slice()))
        .collect();
    for (name, bytes) in &named {
        let task = format!("Writing {REPORTS_DIR}/{name}");
        progress.start(&task, None);
        let written = lock.write_atomic(format!("{REPORTS_DIR}/{name}"), bytes);
        progress.finish(
            &task,
            &match &written {
                Ok(_) => format!("{} KB", bytes.len().div_ceil(1024)),
                Err(_) => "failed".to_string(),
            },
        );
        files.push(written?);
    }
    let integrity_path = format!("{REPORTS_DIR}/{base}{}", integrity::SUFFIX);
    let integrity = lock.write_yaml(&integrity_path, &record(&named))?;

    let copies = match &request.out {
        Some(out) => write_copies(out, request.format, &outputs, &base, &record)?,
        None => Vec::new(),
    };
    Ok(Written {
        format: request.format,
        redacted: request.redact,
        sha256: named
            .iter()
            .map(|(_, b)| crate::digest::sha256_hex(b))
            .collect(),
        files,
        integrity,
        copies,
    })
}

/// A template inside the engagement is an input like any other; one outside it is
/// recorded by absolute path.
fn template_input(root: &Path, template: &Path) -> Result<InputHash, Error> {
    let abs = std::path::absolute(template).unwrap_or_else(|_| template.to_path_buf());
    let root_abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    match abs.strip_prefix(&root_abs) {
        Ok(rel) => integrity::input(root, &rel.to_string_lossy().replace('\\', "/")),
        Err(_) => Ok(InputHash {
            path: abs.display().to_string(),
            sha256: crate::digest::hash_file(&abs).map_err(|source| Error::Io {
                action: "read the template",
                path: abs.clone(),
                source,
            })?,
            external: true,
        }),
    }
}

/// Makes the integrity record of a set of (name, bytes) files.
type RecordOf<'a> = dyn Fn(&[(String, &[u8])]) -> IntegrityRecord + 'a;

/// `--out`: the report (a file) or the CSV files (into a folder) written there too, with
/// an integrity record beside them naming the copies.
fn write_copies(
    out: &Path,
    format: Format,
    outputs: &[(String, Vec<u8>)],
    base: &str,
    record: &RecordOf<'_>,
) -> Result<Vec<PathBuf>, Error> {
    let (dir, names): (PathBuf, Vec<String>) = if format.is_many() {
        std::fs::create_dir_all(out).map_err(|source| Error::Io {
            action: "create the folder",
            path: out.to_path_buf(),
            source,
        })?;
        (
            out.to_path_buf(),
            outputs.iter().map(|(s, _)| format!("{base}{s}")).collect(),
        )
    } else {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Input(format!("--out {} is not a file name", out.display())))?;
        if name.ends_with(integrity::SUFFIX) {
            return Err(Error::Input(format!(
                "--out {}: that name is kept for integrity records; choose another",
                out.display()
            )));
        }
        let dir = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        (dir.to_path_buf(), vec![name])
    };
    let named: Vec<(String, &[u8])> = names
        .iter()
        .cloned()
        .zip(outputs.iter().map(|(_, b)| b.as_slice()))
        .collect();
    let mut written = Vec::new();
    for (name, bytes) in &named {
        let path = dir.join(name);
        crate::engagement::write_atomic(&path, bytes)?;
        written.push(path);
    }
    // The record takes the copy's name without its last extension.
    let first = &named[0].0;
    let stem = if format.is_many() {
        base.to_string()
    } else {
        first
            .rsplit_once('.')
            .map_or(first.as_str(), |(s, _)| s)
            .to_string()
    };
    let text = crate::yaml::to_string(&record(&named), "integrity record")?;
    crate::engagement::write_atomic(
        &dir.join(format!("{stem}{}", integrity::SUFFIX)),
        text.as_bytes(),
    )?;
    Ok(written)
}

/// `demo`'s last stage: the HTML report of the sample.
pub async fn demo_stage(engagement: &Engagement, lock: &WriteLock) -> Result<Written, Error> {
    let mut request = Request::new(Format::Html, Utc::now());
    request.arguments = vec!["demo".into()];
    request.signoff.approver_role = Some("Customer approver (demo)".into());
    write(engagement, lock, &request).await
}
