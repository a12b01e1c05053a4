//! Conventions the whole command tree keeps, applied once to the built command rather
//! than repeated on every subcommand: `-h` shows the first of the `--help` examples (each
//! command writes its examples once, in its long help, under "Examples:").

use clap::Command;

/// The heading of the examples in a command's `--help`.
pub const EXAMPLES: &str = "Examples:";

/// The command tree with every command's `-h` ending in its first example.
pub fn finish(cmd: Command) -> Command {
    let short = cmd
        .get_after_long_help()
        .and_then(|long| first_example(&long.to_string()))
        .map(|example| match cmd.get_after_help() {
            // The top level's `-h` also lists the exit codes.
            Some(after) => format!("Example:\n{example}\n\n{after}"),
            None => format!("Example:\n{example}"),
        });
    let cmd = match short {
        Some(text) => cmd.after_help(text),
        None => cmd,
    };
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names
        .into_iter()
        .fold(cmd, |cmd, name| cmd.mut_subcommand(name, finish))
}

/// The first example under "Examples:", with its continuation lines (a line ending in
/// `\` goes on).
pub fn first_example(long_help: &str) -> Option<String> {
    let mut lines = long_help
        .lines()
        .skip_while(|l| l.trim_end() != EXAMPLES)
        .skip(1);
    let mut example = vec![lines.next().filter(|l| l.starts_with("  "))?];
    while example.last().is_some_and(|l| l.trim_end().ends_with('\\')) {
        match lines.next() {
            Some(l) => example.push(l),
            None => break,
        }
    }
    Some(example.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_example_keeps_its_continuation_lines() {
        let long = "Notes.\n\nExamples:\n  a --x \\\n      --y\n  b\n\nExit codes: 0";
        assert_eq!(first_example(long).unwrap(), "  a --x \\\n      --y");
        assert_eq!(first_example("no examples"), None);
    }
}
