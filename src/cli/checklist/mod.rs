//! `ata2atp checklist`: walk the migration guide's steps: list, show, next, set,
//! validate, definition. The text output is worded in `render`.

mod render;

use std::path::PathBuf;

use chrono::Utc;

use super::Context;
use super::exit;
use super::output::{emit, print_stderr, print_stdout, style};
use crate::checklist::engine::{self, Next};
use crate::checklist::view::{self, ListView, StepView};
use crate::checklist::{self, Definition, Loaded, SetRequest, state};
use crate::engagement::Engagement;
use crate::error::Error;
use crate::model::{ChecklistChange, StepStatus};
use render::{render_list, render_next, render_set, render_step};

const AFTER_HELP: &str = "\
The guide is `guide` in ata2atp.yaml unless --guide or --checklist says otherwise. Built in:
azure-atp-2019 (the 2019 guide as written) and mdi-current (today's Defender for Identity
guide). An engagement may carry its own definitions as checklists/<guide>.yaml; one named
after a built-in guide replaces it for that engagement.

Examples:
  ata2atp checklist list
  ata2atp checklist show C09
  ata2atp checklist next
  ata2atp checklist set C04 --status done --by \"Jo Consultant\" --field syslog_sensor=FAB-DC01 \\
      --field endpoint=siem01.fabrikam.test:514 --field transport=udp --field format=rfc5424 \\
      --field notification_types=\"new alerts, health\" --field test_received=yes \\
      --evidence evidence/syslog-test.png
  ata2atp checklist set M03 --field sensors_installed_at=now --by Jo
  ata2atp checklist set C06 --status skipped --reason \"no Defender ATP licence\" --by Jo
  ata2atp checklist validate my-checklist.yaml

";

/// `set`'s own examples.
const SET_EXAMPLES: &str = "\
Examples:
  ata2atp checklist set C04 --status done --field syslog_sensor=FAB-DC01 \\
      --field endpoint=siem01.fabrikam.test:514 --evidence evidence/syslog-test.png
  ata2atp checklist set M03 --field sensors_installed_at=now --by Jo
  ata2atp checklist set C06 --status skipped --reason \"no Defender ATP licence\"";

/// How `set` ends, for both help texts.
const EXIT_HELP: &str = "\
Exit codes: 0 done; 2 the change was refused (the reasons are printed: a gate not passed or
accepted in checks.yaml, an earlier step or the initial sync not finished, a record field
empty, evidence missing), or bad input (unknown step or field, a definition with errors, a
checklist.yaml that does not parse, another ata2atp writing). Nothing is changed then.";

#[derive(Debug, clap::Args)]
#[command(after_long_help = format!("{AFTER_HELP}{EXIT_HELP}"))]
pub struct Args {
    /// Guide to follow [default: `guide` in ata2atp.yaml].
    #[arg(
        long,
        global = true,
        value_name = "GUIDE",
        conflicts_with = "checklist"
    )]
    pub guide: Option<String>,

    /// Checklist definition file to use instead of the guide's.
    #[arg(long, global = true, value_name = "FILE")]
    pub checklist: Option<PathBuf>,

    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Progress per phase, and the next step.
    #[command(after_long_help = "\
Examples:
  ata2atp checklist list
  ata2atp checklist list -o json")]
    List,
    /// One step: the values to enter again, its gates, its order and what to record.
    #[command(after_long_help = "\
Examples:
  ata2atp checklist show C09
  ata2atp checklist --guide mdi-current show R01")]
    Show {
        /// Step id, e.g. C09.
        id: String,
    },
    /// The first step that can be done now.
    #[command(after_long_help = "\
Examples:
  ata2atp checklist next
  ata2atp checklist next -o yaml")]
    Next,
    /// Record progress on a step (refused with the reasons when it cannot be done).
    Set(SetArgs),
    /// Check checklist definitions: the built-in ones, the engagement's, and FILEs.
    #[command(after_long_help = format!("\
Examples:
  ata2atp checklist validate
  ata2atp checklist validate my-checklist.yaml

{}", checklist::definition::FORMAT))]
    Validate {
        /// Definition files to check too.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the guide's definition (YAML): a starting point for your own.
    #[command(after_long_help = "\
Examples:
  ata2atp checklist definition > checklists/azure-atp-2019.yaml
  ata2atp checklist --guide mdi-current definition > my-checklist.yaml")]
    Definition,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusArg {
    Todo,
    #[value(name = "in_progress", alias = "in-progress")]
    InProgress,
    Done,
    Skipped,
    Blocked,
}

impl From<StatusArg> for StepStatus {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Todo => StepStatus::Todo,
            StatusArg::InProgress => StepStatus::InProgress,
            StatusArg::Done => StepStatus::Done,
            StatusArg::Skipped => StepStatus::Skipped,
            StatusArg::Blocked => StepStatus::Blocked,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(after_long_help = format!("{SET_EXAMPLES}\n\n{EXIT_HELP}"))]
pub struct SetArgs {
    /// Step id, e.g. C04.
    pub id: String,
    /// New status; without it, only fields, note or evidence change.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Who made the change, recorded for sign-off (default: the engagement's consultant).
    #[arg(long, value_name = "NAME", env = "ATA2ATP_BY")]
    pub by: Option<String>,
    /// A note on the step (replaces the previous one; empty removes it).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Why the step is skipped or blocked (required for those).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// A record field, `key=value` (repeatable); `key[N]=value` for item N of a per-item
    /// field; `key=` removes it. Dates: YYYY-MM-DD; times: `now`, RFC 3339 or
    /// `YYYY-MM-DD HH:MM` (local time).
    #[arg(long = "field", value_name = "KEY=VALUE", value_parser = parse_field)]
    pub fields: Vec<(String, String)>,
    /// A file in the engagement proving the step, e.g. evidence/syslog-test.png
    /// (repeatable; taken from the engagement folder, else the current folder).
    #[arg(long = "evidence", value_name = "FILE")]
    pub evidence: Vec<PathBuf>,
}

fn parse_field(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

pub fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    let Args {
        guide,
        checklist,
        action,
    } = args;
    let open = || Session::open(guide.as_deref(), checklist.as_deref(), ctx);
    match action {
        Action::Validate { files } => validate(&files, ctx),
        Action::Definition => print_stdout(&open()?.def.text).map(|()| exit::OK),
        Action::List => {
            let session = open()?;
            let state = state::for_guide(&session.engagement, &session.def, false)?;
            let list = view::list_view(&session.def, &state, &session.facts());
            warn_unknown(&list, ctx);
            emit(ctx.output, &list, || render_list(&list))?;
            Ok(exit::OK)
        }
        Action::Show { id } => {
            let session = open()?;
            let state = state::for_guide(&session.engagement, &session.def, false)?;
            let step = engine::find(&session.def, &id)?;
            let v = view::step_view(&session.def, step, &state, &session.facts());
            emit(ctx.output, &v, || render_step(&v))?;
            Ok(exit::OK)
        }
        Action::Next => {
            let session = open()?;
            let (def, facts) = (&session.def, session.facts());
            let state = state::for_guide(&session.engagement, def, false)?;
            let next = engine::next(def, &state, &facts);
            let show = match &next.step {
                Some(id) => Some(view::step_view(def, engine::find(def, id)?, &state, &facts)),
                None => None,
            };
            let out = NextView { next, show };
            emit(ctx.output, &out, || render_next(&out))?;
            Ok(exit::OK)
        }
        Action::Set(a) => {
            // The lock comes before anything is read, so what the rules check is what is
            // saved; a second writer is refused here, with nothing changed.
            let engagement = Engagement::open(&ctx.engagement)?;
            let lock = engagement.lock()?;
            // As `check accept`: the consultant who runs the tool, unless someone else is named.
            let by = match a.by {
                Some(b) => b,
                None => engagement.config()?.consultant,
            };
            let session = open()?;
            let request = SetRequest {
                step: a.id,
                status: a.status.map(Into::into),
                by,
                note: a.note,
                reason: a.reason,
                fields: a.fields,
                evidence: a.evidence,
                entered: Vec::new(),
            };
            let facts = session.facts();
            let (state, change) =
                state::set(&session.engagement, &lock, &session.def, &facts, &request)?;
            let next = engine::next(&session.def, &state, &facts);
            let out = SetView { change, next };
            emit(ctx.output, &out, || render_set(&out, &session.def))?;
            Ok(exit::OK)
        }
    }
}

/// The engagement, what it holds, and the definition a command works on.
struct Session {
    engagement: Engagement,
    loaded: Loaded,
    def: Definition,
}

impl Session {
    fn open(
        guide: Option<&str>,
        file: Option<&std::path::Path>,
        ctx: &Context,
    ) -> Result<Self, Error> {
        let engagement = Engagement::open(&ctx.engagement)?;
        let loaded = Loaded::open(&engagement)?;
        let def = match file {
            Some(file) => checklist::load_file(file)?,
            None => checklist::resolve(Some(&loaded.root), guide.unwrap_or(&loaded.config.guide))?,
        };
        if !def.origin.ends_with("(built in)") && !ctx.quiet {
            print_stderr(&format!("note: checklist from {}", def.origin));
        }
        Ok(Self {
            engagement,
            loaded,
            def,
        })
    }

    fn facts(&self) -> checklist::Facts<'_> {
        self.loaded.facts(Utc::now())
    }
}

fn warn_unknown(list: &ListView, ctx: &Context) {
    if !list.unknown_steps.is_empty() && !ctx.quiet {
        let ids: Vec<&str> = list.unknown_steps.iter().map(|u| u.id.as_str()).collect();
        print_stderr(&format!(
            "warning: checklist.yaml has steps the guide {} does not define: {} (kept as they are)",
            list.guide,
            ids.join(", ")
        ));
    }
}

#[derive(serde::Serialize)]
struct NextView {
    #[serde(flatten)]
    next: Next,
    /// The next step in full, as `show` gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    show: Option<StepView>,
}

#[derive(serde::Serialize)]
struct SetView {
    change: ChecklistChange,
    next: Next,
}

#[derive(serde::Serialize)]
struct ValidateView {
    origin: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    guide: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<checklist::DefinitionError>,
}

fn validate(files: &[PathBuf], ctx: &Context) -> Result<u8, Error> {
    let mut results = Vec::new();
    let mut check = |origin: String, outcome: Result<Definition, checklist::Error>| {
        let view = match outcome {
            Ok(def) => ValidateView {
                origin,
                ok: true,
                guide: Some(def.guide),
                steps: Some(def.steps.len()),
                errors: Vec::new(),
            },
            Err(checklist::Error::Definition(errors)) => ValidateView {
                origin,
                ok: false,
                guide: None,
                steps: None,
                errors: errors.0,
            },
            Err(other) => ValidateView {
                errors: vec![checklist::DefinitionError {
                    origin: origin.clone(),
                    line: None,
                    column: None,
                    step: None,
                    message: other.to_string(),
                }],
                origin,
                ok: false,
                guide: None,
                steps: None,
            },
        };
        results.push(view);
    };
    for (_, origin, text) in checklist::BUILTIN {
        check(
            origin.to_string(),
            checklist::parse(text, origin).map_err(Into::into),
        );
    }
    // The engagement's own definitions, when the command runs in one.
    if let Ok(engagement) = Engagement::open(&ctx.engagement) {
        for file in checklist::custom_files(Some(engagement.root())) {
            if !files.contains(&file) {
                check(file.display().to_string(), checklist::load_custom(&file));
            }
        }
    }
    for file in files {
        check(file.display().to_string(), checklist::load_file(file));
    }
    let failed = results.iter().filter(|r| !r.ok).count();
    emit(ctx.output, &results, || {
        let mut s = String::new();
        for r in &results {
            if r.ok {
                s.push_str(&format!(
                    "{} {}: guide {}, {} steps\n",
                    style::paint(style::OK, "ok"),
                    r.origin,
                    r.guide.as_deref().unwrap_or("?"),
                    r.steps.unwrap_or(0)
                ));
            } else {
                s.push_str(&format!(
                    "{} {}\n",
                    style::paint(style::FAIL, "invalid"),
                    r.origin
                ));
                for e in &r.errors {
                    s.push_str(&format!("  {e}\n"));
                }
            }
        }
        s
    })?;
    if failed > 0 {
        return Err(Error::Input(format!(
            "{failed} checklist definition(s) have errors; fix them at the lines shown"
        )));
    }
    Ok(exit::OK)
}
