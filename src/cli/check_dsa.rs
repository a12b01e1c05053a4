//! `ata2atp check dsa`: bind as the directory services account and say in one line
//! whether its credentials work.

use super::Context;
use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(args: Args, ctx: &Context) -> Result<u8, Error> {
    let _ = (args, ctx);
    Err(Error::Input(
        "the directory services account test is being built (issue 4)".into(),
    ))
}
