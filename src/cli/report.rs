//! `ata2atp report`: the report for sign-off; `report verify`: is it unchanged?

use std::path::PathBuf;

use chrono::Utc;

use super::Context;
use super::exit;
use super::output::{emit, style};
use crate::engagement::Engagement;
use crate::error::Error;
use crate::report::integrity::FileStatus;
use crate::report::signoff::SignOffOverrides;
use crate::report::{self, Format, Request};

const AFTER_HELP: &str = "\
Every report is written into the engagement's reports/ folder, with an integrity record
beside it (<name>.integrity.yaml: the SHA-256 of the report and of every engagement file it
was made from). --out writes a copy elsewhere too, with its own record.

Formats: html (one self-contained file, prints to PDF with page breaks and headers), md
(Markdown, for tickets and wikis), csv (exclusions, honeytokens, sensitive entities, open
and suppressed alerts, DC readiness, checks: one file each, dates in ISO 8601; --out is then
a folder), pdf (the HTML printed by a locally installed Chromium, Chrome or Edge), actions
(for tickets: one CSV and one Markdown per owner, each DC, server and team, with its failing
and undecided items and their remediation; every action and every check as CSV; the
signer's summary alone in Markdown, under 32,000 characters, and the full Markdown; the
deadlines the engagement knows as an .ics calendar; --out is then a folder).

Every report leads with the signer's summary: the verdict, what fails or is undecided
grouped by area with its remediation and owner, the accepted risks, the open steps and the
sign-off block. The evidence follows as an appendix.

Who signs comes from signoff.yaml in the engagement (approver and consultant: name, role,
organisation, date; statement; notes); the flags below override it for one report.

--redact replaces host, account, domain and people's names, UPNs, SIDs and IP addresses
with stable pseudonyms (host-3f2a9c), for sharing outside the customer. The key that makes
them is kept in history/redaction.key, so every redacted report of the engagement uses
the same pseudonyms.

Examples:
  ata2atp report
  ata2atp report --format pdf --approver \"Pat Approver\" --approver-role CISO --out signoff.pdf
  ata2atp report --format md --redact
  ata2atp report --format actions --out tickets/
  ata2atp report verify reports/report-azure-atp-2019-20261116T103000Z.html

Exit codes: 0 written; 2 bad input (engagement, template, flag); 3 --format pdf and no
usable browser (the message names what was looked for).";

const VERIFY_HELP: &str = "\
FILE is the report, any file of a CSV run, or the .integrity.yaml record. The inputs are
looked up in the engagement whose reports/ folder holds the record, else in --engagement.

Exit codes: 0 the report and its inputs are unchanged; 1 something changed (each changed,
missing or new file is named); 2 no record found, or the record cannot be read.";

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, after_long_help = AFTER_HELP)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,

    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Check that a report and the engagement files it was made from are unchanged.
    #[command(after_long_help = format!("\
Examples:
  ata2atp report verify reports/report-azure-atp-2019-20261116T103000Z.html
  ata2atp report verify signoff.pdf --engagement fabrikam

{VERIFY_HELP}"))]
    Verify {
        /// The report (or its .integrity.yaml).
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct WriteArgs {
    /// Guide to report on [default: `guide` in ata2atp.yaml].
    #[arg(long, value_name = "GUIDE")]
    pub guide: Option<String>,
    /// Document format.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    pub format: Format,
    /// A copied and edited template (HTML for html and pdf, Markdown for md; not actions).
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Replace names, SIDs and addresses with stable pseudonyms.
    #[arg(long)]
    pub redact: bool,
    /// Also write a copy here (a file; a folder for csv and actions).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Customer approver's name [default: signoff.yaml].
    #[arg(long, value_name = "NAME")]
    pub approver: Option<String>,
    /// Customer approver's role.
    #[arg(long, value_name = "ROLE")]
    pub approver_role: Option<String>,
    /// Customer approver's organisation [default: the customer].
    #[arg(long, value_name = "ORG")]
    pub approver_organisation: Option<String>,
    /// Consultant's role (the name is `consultant` in ata2atp.yaml).
    #[arg(long, value_name = "ROLE")]
    pub consultant_role: Option<String>,
    /// A note in the sign-off block (repeatable).
    #[arg(long = "note", value_name = "TEXT")]
    pub notes: Vec<String>,
    /// Chromium, Chrome or Edge to print PDF with [default: found on PATH].
    #[arg(long, value_name = "PATH", env = report::pdf::BROWSER_ENV)]
    pub browser: Option<PathBuf>,
}

pub async fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    match args.action {
        Some(Action::Verify { file }) => verify(&file, ctx),
        None => write(args.write, ctx).await,
    }
}

async fn write(a: WriteArgs, ctx: &Context) -> Result<u8, Error> {
    let engagement = Engagement::open(&ctx.engagement)?;
    // Under the lock from the first read to the last write: the report and its record
    // describe one state of the engagement.
    let lock = engagement.lock()?;
    let mut request = Request::new(a.format, Utc::now());
    request.guide = a.guide;
    request.template = a.template;
    request.redact = a.redact;
    request.out = a.out;
    request.browser = a.browser;
    request.arguments = ctx.arguments.clone();
    request.signoff = SignOffOverrides {
        approver: a.approver,
        approver_role: a.approver_role,
        approver_organisation: a.approver_organisation,
        consultant_role: a.consultant_role,
        notes: a.notes,
    };
    let progress = super::progress::CliProgress::new(ctx);
    let written = report::write_with_progress(&engagement, &lock, &request, &progress).await?;
    emit(ctx.output, &written, || {
        let mut s = String::new();
        for (f, h) in written.files.iter().zip(&written.sha256) {
            s.push_str(&format!(
                "{} {}\n  SHA-256 {h}\n",
                style::paint(style::OK, "Wrote"),
                f.display()
            ));
        }
        s.push_str(&format!(
            "Integrity record: {}\n",
            written.integrity.display()
        ));
        for c in &written.copies {
            s.push_str(&format!("Copy: {}\n", c.display()));
        }
        if written.redacted {
            s.push_str("Redacted: read the notes and free text once more before sharing.\n");
        }
        s
    })?;
    Ok(exit::OK)
}

fn verify(file: &std::path::Path, ctx: &Context) -> Result<u8, Error> {
    let v = report::integrity::verify(file, Some(&ctx.engagement))?;
    emit(ctx.output, &v, || {
        let mut s = String::new();
        if v.unchanged {
            s.push_str(&format!(
                "{}: the report and the {} engagement files it was made from are as they were on {}\n",
                style::paint(style::OK, "Unchanged"),
                v.files.iter().filter(|f| f.role == "input").count(),
                report::context::when(v.generated_at)
            ));
        } else {
            s.push_str(&format!(
                "{}: since the report was made on {}:\n",
                style::paint(style::FAIL, "Changed"),
                report::context::when(v.generated_at)
            ));
            for f in v.changed() {
                let what = match f.status {
                    FileStatus::Changed => "changed",
                    FileStatus::Missing => "missing",
                    FileStatus::Appeared => "appeared (absent when the report was made)",
                    _ => "",
                };
                s.push_str(&format!("  {} {}: {what}\n", f.role, f.path));
            }
        }
        for f in v
            .files
            .iter()
            .filter(|f| f.status == FileStatus::NotChecked)
        {
            s.push_str(&format!(
                "  not checked: template {} is not on this machine\n",
                f.path
            ));
        }
        if let Some(n) = &v.note {
            s.push_str(&format!("{n}\n"));
        }
        s
    })?;
    Ok(if v.unchanged {
        exit::OK
    } else {
        exit::CHECKS_FAILED
    })
}
