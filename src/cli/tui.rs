//! `ata2atp tui` (and `ata2atp` alone on a terminal inside an engagement): the
//! interactive screen. Everything it does is in `crate::tui`.

use std::io::IsTerminal;

use super::Context;
use crate::error::Error;

#[derive(Debug, Default, clap::Args)]
#[command(after_long_help = "\
Screens: Overview, Inventory, Prerequisites, Checklist, Report, Collect (Tab moves between
them, ? lists every key, q quits). Checklist changes and accepted risks are saved at once
into the engagement folder. A second ata2atp on the same engagement opens read-only.

Examples:
  ata2atp tui --engagement fabrikam
  cd fabrikam && ata2atp")]
pub struct Args {
    /// Name recorded with checklist changes and accepted risks [default: the
    /// engagement's consultant].
    #[arg(long, value_name = "NAME", env = "ATA2ATP_BY")]
    pub by: Option<String>,
}

pub async fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(Error::Input(
            "the interactive screen needs a terminal; in scripts use `ata2atp inventory`, \
             `check`, `checklist` and `report`"
                .into(),
        ));
    }
    crate::tui::run(crate::tui::Options {
        engagement: ctx.engagement.clone(),
        by: args.by,
        color: ctx.color,
    })
    .await?;
    Ok(super::exit::OK)
}
