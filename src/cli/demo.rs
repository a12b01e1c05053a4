//! `ata2atp demo [DIR]`: the whole product on the built-in sample, with no server.

use std::path::PathBuf;

use super::Context;
use super::exit;
use super::output::{emit, style};
use crate::error::Error;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  ata2atp demo
  ata2atp demo /tmp/fabrikam-demo && ata2atp --engagement /tmp/fabrikam-demo check

The sample is a fictional deployment (Fabrikam, two domains, five domain controllers, some
of them not ready on purpose). Running demo again on the same folder rebuilds it; a folder
that is a real engagement is never touched.")]
pub struct Args {
    /// Folder for the demo engagement.
    #[arg(value_name = "DIR", default_value = "ata2atp-demo")]
    pub dir: PathBuf,
}

pub async fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    let summary = crate::demo::build(&args.dir).await?;
    emit(ctx.output, &summary, || {
        let mut s = format!(
            "{} demo engagement for {} in {}\n",
            style::paint(style::OK, "Built"),
            style::paint(style::HEADER, &summary.customer),
            summary.engagement.display()
        );
        s.push_str("\nSample inputs (what a consultant brings back from site):\n");
        for f in &summary.samples {
            s.push_str(&format!("  {}\n", f.display()));
        }
        s.push_str(&format!("\nInventory: {}\n", summary.inventory.display()));
        let counts = summary
            .check_counts
            .iter()
            .map(|(status, n)| format!("{n} {status}"))
            .collect::<Vec<_>>()
            .join(", ");
        s.push_str(&format!(
            "Checks:    {} ({counts}; see `ata2atp --engagement {} check --no-save`)\n",
            summary.checks.display(),
            summary.engagement.display()
        ));
        s.push_str(&format!(
            "Checklist: {} (see `ata2atp --engagement {} checklist list`)\n",
            summary.checklist.join(", "),
            summary.engagement.display()
        ));
        s.push_str(&format!("\nReport: {}\n", summary.report.display()));
        s
    })?;
    Ok(exit::OK)
}
