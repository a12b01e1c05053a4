//! `ata2atp collector …`: the read-only scripts and command lines a consultant runs on
//! the customer's machines when the tool may not connect itself.

use super::exit;
use super::output::print_stdout;
use crate::error::Error;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  ata2atp collector dc-facts > Get-DcFacts.ps1
  ata2atp collector ata-mongo > collect-ata.js
  ata2atp collector ldif

Each script only reads; its output is what `inventory` takes (--ata-json, --dc-facts, …).")]
pub struct Args {
    #[command(subcommand)]
    pub kind: Kind,
}

#[derive(Debug, clap::Subcommand)]
pub enum Kind {
    /// A read-only mongo shell script for the ATA Center (MongoDB 3.x shell).
    #[command(after_long_help = "\
Examples:
  ata2atp collector ata-mongo > collect-ata.js
  mongo.exe ATA --quiet collect-ata.js > ata-export.json
  ata2atp inventory --ata-json ata-export.json")]
    AtaMongo,
    /// The ldifde and ldapsearch command lines that export what the inventory needs.
    #[command(after_long_help = "\
Examples:
  ata2atp collector ldif
  ata2atp inventory --ldif fabrikam.ldif")]
    Ldif,
    /// A read-only PowerShell script for domain controllers (Windows PowerShell 5.1).
    #[command(after_long_help = "\
Examples:
  ata2atp collector dc-facts > Get-DcFacts.ps1
  ata2atp inventory --dc-facts dc-facts.json")]
    DcFacts,
    /// A read-only PowerShell script for the ATA Center (role groups, certificates).
    #[command(after_long_help = "\
Examples:
  ata2atp collector center-facts > Get-CenterFacts.ps1
  ata2atp inventory --center-facts center-facts.json")]
    CenterFacts,
    /// A read-only PowerShell script for AD CS, AD FS and Microsoft Entra Connect servers
    /// (their auditing).
    #[command(after_long_help = "\
Examples:
  ata2atp collector server-facts > Get-ServerFacts.ps1
  ata2atp inventory --server-facts server-facts.json")]
    ServerFacts,
}

pub fn run(args: Args) -> Result<u8, Error> {
    let text: String = match args.kind {
        Kind::AtaMongo => crate::ata::collector_script(),
        Kind::Ldif => crate::directory::collector_commands(),
        Kind::DcFacts => crate::hosts::dc_facts_script(),
        Kind::CenterFacts => crate::hosts::center_facts_script(),
        Kind::ServerFacts => crate::hosts::server_facts_script(),
    };
    print_stdout(&text)?;
    Ok(exit::OK)
}
