//! The .NET Framework release table: a `Release` registry value to the version a person
//! recognises, and the `dc.dotnet` check.
//!
//! Values from Microsoft's "Determine which .NET Framework versions are installed"; each
//! row is the lowest `Release` of that version (the value differs per Windows build, so a
//! version is "at least this value", never an exact match).

use super::thresholds::DOTNET_MIN_RELEASE;
use super::{Outcome, evidence};
use crate::model::{DcFacts, Status};

/// (lowest Release, version), newest first.
pub const RELEASES: &[(u32, &str)] = &[
    (533_320, "4.8.1"),
    (528_040, "4.8"),
    (461_808, "4.7.2"),
    (461_308, "4.7.1"),
    (460_798, "4.7"),
    (394_802, "4.6.2"),
    (394_254, "4.6.1"),
    (393_295, "4.6"),
    (379_893, "4.5.2"),
    (378_675, "4.5.1"),
    (378_389, "4.5"),
];

/// The version a `Release` value stands for. 0 (what the collectors record when the value
/// is missing) and anything below 4.5's value is "earlier than 4.5".
pub fn version_name(release: u32) -> &'static str {
    RELEASES
        .iter()
        .find(|(min, _)| release >= *min)
        .map_or("earlier than 4.5 (or none)", |(_, name)| name)
}

/// `dc.dotnet` for one DC's facts.
pub fn check(facts: &DcFacts) -> Outcome {
    let Some(release) = facts.dotnet_release else {
        return Outcome::unknown(super::fact_missing(
            facts,
            "dotnet_release",
            ".NET Framework Release value",
        ))
        .act(crate::model::Action::RegQuery);
    };
    let name = version_name(release);
    let ev = evidence([
        ("release", release.to_string()),
        ("version", name.to_string()),
        (
            "required",
            format!("4.7 (Release {DOTNET_MIN_RELEASE}) or later"),
        ),
    ]);
    if release >= DOTNET_MIN_RELEASE {
        Outcome::new(
            Status::Pass,
            format!(".NET Framework {name} (Release {release})"),
        )
        .with(ev)
    } else {
        // The sensor's setup installs .NET itself, but that install usually needs a
        // restart of the DC: the point of the check is the maintenance window.
        Outcome::new(
            Status::Fail,
            format!(".NET Framework {name} (Release {release}) is older than 4.7; a restart is likely when it is installed"),
        )
        .with(ev)
        .remedy(
            "install .NET Framework 4.8 in a maintenance window before the sensor (the sensor setup would \
             install it too, and the DC would likely need a restart)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_threshold_edge_of_the_table() {
        for (release, name) in RELEASES {
            assert_eq!(version_name(*release), *name);
            assert_ne!(version_name(release - 1), *name, "{release}");
        }
        assert_eq!(version_name(528_049), "4.8");
        assert_eq!(version_name(394_806), "4.6.2");
        assert_eq!(version_name(0), "earlier than 4.5 (or none)");
    }

    #[test]
    fn release_460797_fails_and_460798_passes() {
        let mut f = DcFacts::new("DC1");
        f.dotnet_release = Some(460_797);
        let o = check(&f);
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.reason.contains("4.6.2") && o.reason.contains("restart is likely"),
            "{}",
            o.reason
        );
        f.dotnet_release = Some(460_798);
        let o = check(&f);
        assert_eq!(o.status, Status::Pass);
        assert!(o.reason.contains("4.7 "), "{}", o.reason);
        f.dotnet_release = None;
        assert_eq!(check(&f).status, Status::Unknown);
    }
}
