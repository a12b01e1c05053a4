//! `ata2atp completions <shell>`: a completion script on stdout.

use clap::builder::PossibleValuesParser;
use clap_complete::Shell;

use super::exit;
use crate::error::Error;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  ata2atp completions bash > ~/.local/share/bash-completion/completions/ata2atp
  ata2atp completions zsh > ~/.zfunc/_ata2atp
  ata2atp completions powershell >> $PROFILE

The scripts offer the built-in guides' step ids (checklist show, checklist set) and the
check ids (check --only, check accept, check revoke).")]
pub struct Args {
    /// Shell to generate the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: Args) -> Result<u8, Error> {
    let mut cmd = with_id_values(super::command());
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ata2atp", &mut buf);
    super::output::print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(exit::OK)
}

/// The command tree as the completion script sees it: the arguments that take a step id
/// or a check id list them as their values. Only the script gets these lists; parsing
/// accepts any id (an engagement's own checklist has its own steps, `check accept` takes
/// `id[subject]`) and says which are known.
fn with_id_values(cmd: clap::Command) -> clap::Command {
    let steps = step_ids();
    let checks: Vec<&'static str> = crate::checks::CATALOG.iter().map(|c| c.id).collect();
    let step_arg = |a: clap::Arg| a.value_parser(PossibleValuesParser::new(steps.clone()));
    let check_arg = |a: clap::Arg| a.value_parser(PossibleValuesParser::new(checks.clone()));
    cmd.mut_subcommand("checklist", |c| {
        c.mut_subcommand("show", |s| s.mut_arg("id", step_arg))
            .mut_subcommand("set", |s| s.mut_arg("id", step_arg))
    })
    .mut_subcommand("check", |c| {
        c.mut_arg("only", check_arg)
            .mut_subcommand("accept", |s| s.mut_arg("key", check_arg))
            .mut_subcommand("revoke", |s| s.mut_arg("key", check_arg))
    })
}

/// The step ids of the built-in guides, in their order, each once.
fn step_ids() -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (_, origin, text) in crate::checklist::BUILTIN {
        // The built-ins are validated by their own tests; one that did not parse would
        // only offer fewer ids here.
        let Ok(def) = crate::checklist::parse(text, origin) else {
            continue;
        };
        for step in def.steps {
            if !ids.contains(&step.id) {
                ids.push(step.id);
            }
        }
    }
    ids
}
