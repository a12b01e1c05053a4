//! `ata2atp man [--out DIR]`: man pages for packagers (hidden from help).

use std::path::PathBuf;

use super::exit;
use crate::error::Error;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write `ata2atp.1` and one page per subcommand into this folder instead of printing
    /// the main page to stdout.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<u8, Error> {
    let cmd = super::command();
    let render = |cmd: clap::Command, title: &str| -> Result<Vec<u8>, Error> {
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd)
            .title(title.to_uppercase())
            .render(&mut buf)
            .map_err(|e| Error::Input(format!("could not render the man page: {e}")))?;
        Ok(buf)
    };
    match args.out {
        None => {
            super::output::print_stdout(&String::from_utf8_lossy(&render(cmd, "ata2atp")?))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::Input(format!("could not create {}: {e}", dir.display())))?;
            let mut pages = vec![("ata2atp".to_string(), cmd.clone())];
            for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
                let name = format!("ata2atp-{}", sub.get_name());
                pages.push((name, sub.clone()));
            }
            for (name, page) in pages {
                let path = dir.join(format!("{name}.1"));
                crate::engagement::write_atomic(&path, &render(page, &name)?)?;
            }
        }
    }
    Ok(exit::OK)
}
