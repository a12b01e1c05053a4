//! Who signs the report: the customer's approver and the consultant, from the
//! engagement's `signoff.yaml`, with flags of `ata2atp report` overriding it for one run.
//!
//! The file keeps the report reproducible from the engagement folder alone; the flags are
//! for a quick report, and are recorded in the integrity record's arguments.
//!
//! ```yaml
//! # signoff.yaml
//! approver:
//!   name: Pat Approver
//!   role: Head of IT security
//!   organisation: Fabrikam        # default: the customer
//! consultant:
//!   name: Jo Consultant           # default: `consultant` in ata2atp.yaml
//!   role: Security consultant
//! statement: >-                   # optional; replaces the default wording
//!   ...
//! notes:
//!   - Open alerts are kept in the SOC ticket system, queue ATA-MIGRATION.
//! ```
//!
//! Dates are left as lines to fill in by hand unless the file gives one: a report is
//! usually printed before the meeting where it is signed.

use serde::{Deserialize, Serialize};

use crate::engagement::EngagementConfig;

/// The engagement file holding the sign-off details.
pub const SIGNOFF_FILE: &str = "signoff.yaml";

/// The default words above the signatures.
pub const DEFAULT_STATEMENT: &str = "By signing, the customer's approver confirms that the \
settings listed in this report were reviewed, that the steps recorded as done were carried \
out, and that the accepted risks are accepted; the consultant confirms that this report was \
produced from the engagement's recorded data, whose SHA-256 hashes are listed under \
Provenance.";

/// One signing party.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Date of signature when already known (`YYYY-MM-DD`); otherwise a blank line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// The content of `signoff.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    #[serde(default)]
    pub approver: Party,
    #[serde(default)]
    pub consultant: Party,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Values given on the command line for one report.
#[derive(Debug, Clone, Default)]
pub struct SignOffOverrides {
    pub approver: Option<String>,
    pub approver_role: Option<String>,
    pub approver_organisation: Option<String>,
    pub consultant_role: Option<String>,
    /// Added after the file's notes.
    pub notes: Vec<String>,
}

impl SignOff {
    /// The file's values, the flags over them, and the engagement's defaults under both.
    pub fn resolve(mut self, overrides: &SignOffOverrides, config: &EngagementConfig) -> SignOff {
        let set = |slot: &mut Option<String>, value: &Option<String>| {
            if let Some(v) = value.as_ref().filter(|v| !v.trim().is_empty()) {
                *slot = Some(v.clone());
            }
        };
        set(&mut self.approver.name, &overrides.approver);
        set(&mut self.approver.role, &overrides.approver_role);
        set(
            &mut self.approver.organisation,
            &overrides.approver_organisation,
        );
        set(&mut self.consultant.role, &overrides.consultant_role);
        self.notes.extend(
            overrides
                .notes
                .iter()
                .filter(|n| !n.trim().is_empty())
                .cloned(),
        );
        if self.approver.organisation.is_none() {
            self.approver.organisation = Some(config.customer.clone());
        }
        if self.consultant.name.is_none() && !config.consultant.trim().is_empty() {
            self.consultant.name = Some(config.consultant.clone());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_and_defaults_fill_the_rest() {
        let config = crate::checklist::schema::example::config();
        let file: SignOff = crate::yaml::from_str(
            "approver:\n  name: From File\n  role: CISO\nnotes: [one]\n",
            "signoff.yaml",
        )
        .unwrap();
        let resolved = file.resolve(
            &SignOffOverrides {
                approver_role: Some("Head of IT".into()),
                notes: vec!["two".into(), " ".into()],
                ..SignOffOverrides::default()
            },
            &config,
        );
        assert_eq!(resolved.approver.name.as_deref(), Some("From File"));
        assert_eq!(resolved.approver.role.as_deref(), Some("Head of IT"));
        assert_eq!(
            resolved.approver.organisation.as_deref(),
            Some(config.customer.as_str())
        );
        assert_eq!(
            resolved.consultant.name.as_deref(),
            Some(config.consultant.as_str())
        );
        assert_eq!(resolved.notes, ["one", "two"]);
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let err = crate::yaml::from_str::<SignOff>("approver:\n  nmae: typo\n", "signoff.yaml")
            .unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }
}
