//! `ata2atp man [--out DIR]`: man pages for packagers (hidden from help).

use std::path::PathBuf;

use clap_mangen::roff::{Roff, bold};

use super::exit;
use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write `ata2atp.1` and one page per subcommand (`ata2atp-check-dsa.1`, …) into this
    /// folder instead of printing the main page to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<u8, Error> {
    let mut cmd = super::command();
    // Built, so each subcommand's page lists the global flags it takes too.
    cmd.build();
    match args.out {
        None => {
            super::output::print_stdout(&String::from_utf8_lossy(&render(&cmd, "ata2atp")?))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::Input(format!("could not create {}: {e}", dir.display())))?;
            for (name, page) in pages("ata2atp", &cmd) {
                let path = dir.join(format!("{name}.1"));
                crate::engagement::write_atomic(&path, &render(page, &name)?)?;
            }
        }
    }
    Ok(exit::OK)
}

/// The page names and commands: this one, then every visible subcommand at any depth
/// (`ata2atp-checklist-set`), as man(1) finds them.
pub fn pages<'a>(name: &str, cmd: &'a clap::Command) -> Vec<(String, &'a clap::Command)> {
    let mut all = vec![(name.to_string(), cmd)];
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        all.extend(pages(&format!("{name}-{}", sub.get_name()), sub));
    }
    all
}

/// One page: clap_mangen's sections, then the examples and notes of `--help`, and EXIT
/// STATUS from [`exit::CODES`].
pub fn render(cmd: &clap::Command, name: &str) -> Result<Vec<u8>, Error> {
    let failed = |e: std::io::Error| Error::Input(format!("could not render the man page: {e}"));
    let man = clap_mangen::Man::new(cmd.clone()).title(name.to_uppercase());
    let mut buf = Vec::new();
    man.render_title(&mut buf).map_err(failed)?;
    man.render_name_section(&mut buf).map_err(failed)?;
    man.render_synopsis_section(&mut buf).map_err(failed)?;
    man.render_description_section(&mut buf).map_err(failed)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut buf).map_err(failed)?;
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut buf).map_err(failed)?;
    }
    let mut roff = Roff::default();
    if let Some(notes) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        roff.control("SH", ["EXAMPLES AND NOTES"]);
        // As written in --help: examples are laid out by hand.
        roff.control("nf", []);
        for line in notes.to_string().lines() {
            roff.text([line.into()]);
        }
        roff.control("fi", []);
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in exit::CODES {
        roff.control("TP", []);
        roff.text([bold(code.to_string())]);
        roff.text([(*meaning).into()]);
    }
    roff.to_writer(&mut buf).map_err(failed)?;
    man.render_version_section(&mut buf).map_err(failed)?;
    Ok(buf)
}
