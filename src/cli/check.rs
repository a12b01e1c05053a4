//! `ata2atp check`: the prerequisite checks, and `check dsa`, the directory services
//! account's connection test.

use super::Context;
use crate::error::Error;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Test the directory services account's credentials, as ATA's "Test connection" does.
    Dsa(super::check_dsa::Args),
}

pub async fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    match args.action {
        Some(Action::Dsa(a)) => super::check_dsa::run(a, ctx).await,
        None => Err(Error::Input("running all checks is being built (issue 5)".into())),
    }
}
