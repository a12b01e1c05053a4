//! `ata2atp diff [OLD [NEW]]`: what changed between two inventories.

use std::path::PathBuf;

use super::Context;
use super::exit;
use super::output::{emit, print_stdout};
use crate::engagement::Engagement;
use crate::error::Error;
use crate::report::diff;

const AFTER_HELP: &str = "\
Without files, compares the latest two inventories in the engagement's history/; with one,
compares it with the current inventory.yaml. Items are matched by what identifies them (an
exclusion by detector, kind and value; an entity by its ATA id; a DC by its name), so a
reordered list is no change; collection times are ignored.

Output: -o text (default), json or yaml for data; --format md prints a Markdown document
instead, for a ticket or wiki page.

Examples:
  ata2atp diff
  ata2atp diff history/inventory-20261101T090000.000Z.yaml inventory.yaml --format md

Exit codes: 0 (also when they differ, unless --exit-code); 1 with --exit-code when they
differ; 2 fewer than two inventories, or a file that cannot be read.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Document {
    /// Markdown.
    Md,
}

#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// The older inventory.
    #[arg(value_name = "OLD")]
    pub old: Option<PathBuf>,
    /// The newer inventory [default: inventory.yaml].
    #[arg(value_name = "NEW", requires = "old")]
    pub new: Option<PathBuf>,
    /// Print a document instead of data (-o is then ignored).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Document>,
    /// Exit with 1 when the inventories differ.
    #[arg(long)]
    pub exit_code: bool,
}

pub fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    let resolve = |p: &PathBuf| {
        // A bare name is taken from the engagement when it is not in the current folder.
        if p.is_relative() && !p.exists() {
            ctx.engagement.join(p)
        } else {
            p.clone()
        }
    };
    let (old, new) = match (&args.old, &args.new) {
        (Some(a), Some(b)) => (resolve(a), resolve(b)),
        (old, _) => {
            let engagement = Engagement::open(&ctx.engagement)?;
            let old = old.as_ref().map(resolve);
            diff::resolve_paths(&engagement, old.as_deref(), None)?
        }
    };
    let d = diff::diff(&diff::load(&old)?, &old, &diff::load(&new)?, &new);
    match args.format {
        Some(Document::Md) => print_stdout(&diff::to_markdown(&d))?,
        None => emit(ctx.output, &d, || diff::to_text(&d))?,
    }
    Ok(if args.exit_code && !d.is_empty() {
        exit::CHECKS_FAILED
    } else {
        exit::OK
    })
}
