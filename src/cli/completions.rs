//! `ata2atp completions <shell>`: a completion script on stdout.

use clap_complete::Shell;

use super::exit;
use crate::error::Error;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  ata2atp completions bash > ~/.local/share/bash-completion/completions/ata2atp"
)]
pub struct Args {
    /// Shell to generate the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: Args) -> Result<u8, Error> {
    let mut cmd = super::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ata2atp", &mut buf);
    super::output::print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(exit::OK)
}
