//! The documented exit codes, and the one place that maps failure kinds and check
//! verdicts to them. Readers say what kind of failure they had ([`ErrorKind`]); only the
//! binary's edge knows the numbers. Scripts branch on 1 vs 3.

use crate::checks::verdict::RunVerdict as Verdict;
use crate::directory::dsa::CredentialOutcome;
use crate::kind::ErrorKind;

/// Success; all checks passed (or none failed per `--fail-on`).
pub const OK: u8 = 0;
/// Checks ran and at least one failed (per `--fail-on`).
pub const CHECKS_FAILED: u8 = 1;
/// Usage or input error: a bad flag, file, field or engagement folder.
pub const INPUT: u8 = 2;
/// A source could not be reached or read (network, authentication, server too old), or
/// was read only in part.
pub const SOURCE: u8 = 3;
/// The engagement is busy: another ata2atp holds its writer's lock. Nothing was
/// changed; try again when the other one is done.
pub const BUSY: u8 = 4;
/// Interrupted with Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// Every documented code with its meaning, for `--help` and the man pages' EXIT STATUS
/// (the README's table says the same in more words).
pub const CODES: &[(u8, &str)] = &[
    (OK, "success; no check failed"),
    (
        CHECKS_FAILED,
        "checks ran and at least one failed (see --fail-on)",
    ),
    (
        INPUT,
        "usage or input error: a bad flag, file, field or engagement folder",
    ),
    (
        SOURCE,
        "a source could not be reached or read (network, TLS, credentials, server too old), \
         or was read only in part (what did not fit is in the inventory's not_found)",
    ),
    (
        BUSY,
        "the engagement is busy: another ata2atp is writing to it; nothing was changed",
    ),
    (
        INTERRUPTED,
        "interrupted (Ctrl-C): nothing more is written; files already written are complete",
    ),
];

/// The codes as the top level's help lists them.
pub fn codes_help() -> String {
    let mut text = String::from("Exit codes:");
    for (code, meaning) in CODES {
        text.push_str(&format!("\n  {code:<4} {meaning}"));
    }
    text
}

/// The exit code for a failure of this kind.
pub fn for_kind(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Input => INPUT,
        ErrorKind::Source => SOURCE,
        ErrorKind::Busy => BUSY,
        ErrorKind::Interrupted => INTERRUPTED,
    }
}

/// The exit code for a run of checks that itself worked.
pub fn for_verdict(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Passed => OK,
        Verdict::ChecksFailed => CHECKS_FAILED,
    }
}

/// The exit code of one `check dsa` test: 0 the credentials work, 1 the directory
/// rejected them, 3 the server could not be reached or TLS failed (nothing was learnt
/// about the credentials).
pub fn for_credentials(outcome: CredentialOutcome) -> u8 {
    match outcome {
        CredentialOutcome::Ok => OK,
        o if o.taught_nothing() => SOURCE,
        _ => CHECKS_FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_their_documented_codes() {
        assert_eq!(for_kind(ErrorKind::Input), 2);
        assert_eq!(for_kind(ErrorKind::Source), 3);
        assert_eq!(for_kind(ErrorKind::Busy), 4);
        assert_eq!(for_kind(ErrorKind::Interrupted), 130);
        assert_eq!(for_verdict(Verdict::Passed), 0);
        assert_eq!(for_verdict(Verdict::ChecksFailed), 1);
    }

    #[test]
    fn every_code_is_listed_once() {
        let listed: Vec<u8> = CODES.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            listed,
            [OK, CHECKS_FAILED, INPUT, SOURCE, BUSY, INTERRUPTED]
        );
        assert!(codes_help().contains("\n  130  interrupted"));
    }
}
