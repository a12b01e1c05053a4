//! One presentation of the inventory: how every value the tool shows is written (a
//! missing value, yes/no, a moment, a list), the words for the model's enums
//! (`Display`), and the labelled rows of each settings section and of each listed item.
//!
//! The TUI's inventory screen, every report format (HTML, Markdown, PDF), the CSV exports
//! and the checklist's step values all write through here, so a setting reads the same
//! wherever it is shown. Nothing here decides anything: it only writes text.

mod rows;
mod words;

pub use words::enum_word;

pub use rows::{
    EMAIL, Row, SYSLOG, Settings, VPN, center, dsa_in_directory, email, settings, syslog, vpn,
};

use std::fmt::Display;

use chrono::{DateTime, Utc};

/// Shown for a value that is not there (a table cell, a setting ATA does not hold).
pub const NO_VALUE: &str = "—";

/// `yes`, `no`, or [`NO_VALUE`] when not known.
pub fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => NO_VALUE,
    }
}

/// The value, or [`NO_VALUE`].
pub fn opt(v: Option<impl Display>) -> String {
    v.map_or_else(|| NO_VALUE.to_string(), |v| v.to_string())
}

/// The items joined with `, `, or [`NO_VALUE`] for none.
pub fn list(v: &[String]) -> String {
    if v.is_empty() {
        NO_VALUE.to_string()
    } else {
        v.join(", ")
    }
}

/// A moment as every output writes it: `2026-11-16 10:30 UTC`.
pub fn moment(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A stored RFC 3339 moment (`2026-11-16T10:30:00Z`, as the inventory's JSON holds
/// dates) in the form of [`moment`]; `None` when `v` is not one.
pub fn stored_moment(v: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|t| moment(t.with_timezone(&Utc)))
}

/// A functional level: its number and, when known, its name (`7 (Windows2016)`).
pub fn level(n: Option<u32>, name: Option<&str>) -> String {
    match (n, name) {
        (Some(n), Some(name)) => format!("{n} ({name})"),
        (Some(n), None) => n.to_string(),
        (None, _) => NO_VALUE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_one_way() {
        assert_eq!(yes_no(None), NO_VALUE);
        assert_eq!(opt(None::<u16>), NO_VALUE);
        assert_eq!(opt(Some(514)), "514");
        assert_eq!(list(&[]), NO_VALUE);
        assert_eq!(
            stored_moment("2026-11-16T10:30:00Z").as_deref(),
            Some("2026-11-16 10:30 UTC")
        );
        assert_eq!(stored_moment("FAB-DC01"), None);
        assert_eq!(level(Some(7), Some("Windows2016")), "7 (Windows2016)");
    }
}
