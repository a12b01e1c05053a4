//! A DC's operating system: what is known of it (facts, else directory), today's gating
//! profile (`dc.os`), the 2019 guide's for reference (`dc.os_2019`), and KB4487044 on
//! Windows Server 2019 (`dc.kb4487044`).

use super::Dc;
use crate::checks::thresholds::{NTDSAI_MIN_2019, SERVER_2019_BUILD, SERVER_BUILDS};
use crate::checks::{Outcome, fact_missing};
use crate::model::DcFacts;

/// What is known about a DC's operating system.
#[derive(Debug, Clone, PartialEq)]
pub struct OsInfo {
    pub caption: Option<String>,
    pub build: Option<u32>,
    pub server_core: Option<bool>,
    /// `facts` or `directory`.
    pub source: &'static str,
}

impl OsInfo {
    /// The Windows Server release the build belongs to.
    pub fn release(&self) -> Option<&'static str> {
        let build = self.build?;
        SERVER_BUILDS
            .iter()
            .rev()
            .find(|(first, _)| build >= *first)
            .map(|(_, name)| *name)
    }

    fn is_windows_server(&self) -> Option<bool> {
        let c = self.caption.as_deref()?;
        Some(c.contains("Windows") && c.contains("Server"))
    }

    fn describe(&self) -> String {
        let mut s = self
            .caption
            .clone()
            .unwrap_or_else(|| self.release().unwrap_or("unknown release").to_string());
        if let Some(b) = self.build {
            s.push_str(&format!(" (build {b})"));
        }
        if self.server_core == Some(true) {
            s.push_str(", Server Core");
        }
        s
    }

    fn evidence(&self, o: Outcome) -> Outcome {
        let mut o = o.ev("os", self.describe()).ev("os_source", self.source);
        if let Some(r) = self.release() {
            o = o.ev("release", r);
        }
        o
    }
}

/// First number in parentheses (`10.0 (17763)`) or the third dotted part (`10.0.17763`).
pub(super) fn build_from_version(v: &str) -> Option<u32> {
    if let Some((_, rest)) = v.split_once('(') {
        return rest.split(')').next()?.trim().parse().ok();
    }
    v.split('.').nth(2)?.trim().parse().ok()
}

/// The OS from the facts, else from the directory's `operatingSystem*` attributes.
pub fn os_of(dc: &Dc<'_>) -> Option<OsInfo> {
    if let Some(f) = dc.facts {
        let build = f
            .os_build
            .or_else(|| f.os_version.as_deref().and_then(build_from_version));
        if f.os_caption.is_some() || build.is_some() {
            return Some(OsInfo {
                caption: f.os_caption.clone(),
                build,
                server_core: f.server_core,
                source: "facts",
            });
        }
    }
    let d = dc.directory?;
    let build = d.os_version.as_deref().and_then(build_from_version);
    if d.os.is_none() && build.is_none() {
        return None;
    }
    Some(OsInfo {
        caption: d.os.clone(),
        build,
        server_core: None,
        source: "directory",
    })
}

const OS_UNKNOWN: &str =
    "the operating system is not known: neither the DC facts nor the directory name it";

/// Today's requirements (gating): Windows Server 2016, 2019 (with KB4487044), 2022;
/// Server Core accepted. 2012 / 2012 R2 left support on 2023-10-10.
pub(super) fn os_today(os: Option<&OsInfo>) -> Outcome {
    let Some(os) = os else {
        return Outcome::unknown(OS_UNKNOWN);
    };
    if os.is_windows_server() == Some(false) {
        return os.evidence(
            Outcome::fail(format!(
                "{} is not Windows Server: the sensor installs on Windows Server only",
                os.describe()
            ))
            .remedy("plan a Windows Server 2022 domain controller to carry the sensor"),
        );
    }
    let Some(build) = os.build else {
        return os.evidence(Outcome::unknown(format!(
            "the build of {} is not known, so the release cannot be told",
            os.describe()
        )));
    };
    let o = match build {
        14393 | 17763 | 20348 => {
            let mut o = Outcome::pass(format!("{} is supported", os.describe()));
            if build == SERVER_2019_BUILD {
                o.reason.push_str(" (with KB4487044, see dc.kb4487044)");
            }
            o
        }
        b if b < 14393 => Outcome::fail(format!(
            "{} is not supported by today's sensor (Windows Server 2012 and 2012 R2 left support on 2023-10-10; \
             a sensor there may still report but misses features)",
            os.describe()
        ))
        .remedy("upgrade or replace this DC with Windows Server 2022 before installing the sensor"),
        b if b > 20348 => Outcome::manual(format!(
            "{} is newer than the requirements this tool carries: confirm in today's Defender for Identity \
             prerequisites that it is supported",
            os.describe()
        )),
        _ => Outcome::manual(format!(
            "build {build} is not a long-term servicing release the requirements list: confirm support in \
             today's prerequisites"
        )),
    };
    os.evidence(o.ev(
        "supported_today",
        "Windows Server 2016, 2019 (KB4487044), 2022; Server Core yes, Nano no",
    ))
}

/// The 2019 guide's requirements, for reference only: today's profile gates, so an OS the
/// 2019 guide rejected is a Warn here, never a Fail.
pub(super) fn os_2019(os: Option<&OsInfo>) -> Outcome {
    let Some(os) = os else {
        return Outcome::unknown(OS_UNKNOWN);
    };
    let Some(build) = os.build else {
        return os.evidence(Outcome::unknown(format!(
            "the build of {} is not known, so the release cannot be told",
            os.describe()
        )));
    };
    let core = os.server_core == Some(true);
    let o = match build {
        7601 if core => Outcome::warn(
            "the 2019 guide did not support Server Core on Windows Server 2008 R2 (today's requirements gate, see dc.os)",
        ),
        7601 => {
            Outcome::pass("Windows Server 2008 R2 SP1 was supported in 2019 (not today, see dc.os)")
        }
        b if b < 7601 => Outcome::warn(format!(
            "{} was not supported in 2019 either (2008 R2 SP1 was the oldest); today's requirements gate, see dc.os",
            os.describe()
        )),
        9200 | 9600 | 14393 | 17763 => {
            Outcome::pass(format!("{} was supported by the 2019 guide", os.describe()))
        }
        b if b > 17763 => Outcome::pass(format!(
            "{} was released after the 2019 guide; today's requirements apply (dc.os)",
            os.describe()
        )),
        _ => Outcome::warn(format!(
            "build {build} is not a release the 2019 guide listed; today's requirements gate"
        )),
    };
    os.evidence(o.ev(
        "supported_2019",
        "Windows Server 2008 R2 SP1 (no Core), 2012, 2012 R2, 2016, 2019 (KB4487044); Nano no",
    ))
}

/// Parses a dotted version into its numbers (`10.0.17763.316`); stops at the first part
/// that is not a number (`10.0.17763.1 (WinBuild.160101.0800)` gives 10.0.17763.1).
pub fn parse_version(v: &str) -> Option<Vec<u32>> {
    let head = v.split_whitespace().next()?;
    let parts: Option<Vec<u32>> = head.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

pub(super) fn kb4487044(f: &DcFacts, os: Option<&OsInfo>) -> Outcome {
    let Some(build) = os.and_then(|o| o.build) else {
        return Outcome::unknown(
            "the OS build is not known, so whether KB4487044 applies cannot be told",
        );
    };
    if build != SERVER_2019_BUILD {
        let release = os.and_then(OsInfo::release).unwrap_or("this release");
        return Outcome::pass(format!(
            "not applicable: KB4487044 concerns Windows Server 2019, this is {release}"
        ));
    }
    let min = NTDSAI_MIN_2019.map(|n| n.to_string()).join(".");
    let Some(raw) = f.ntdsai_version.as_deref() else {
        return Outcome::unknown(fact_missing(
            f,
            "ntdsai_version",
            "The version of ntdsai.dll",
        ))
        .remedy(format!(
            "read the file version of %SystemRoot%\\System32\\ntdsai.dll (needs {min} or later)"
        ));
    };
    let Some(v) = parse_version(raw) else {
        return Outcome::unknown(format!(
            "ntdsai.dll version '{raw}' is not a dotted version number"
        ));
    };
    let o = if v.as_slice() >= NTDSAI_MIN_2019.as_slice() {
        Outcome::pass(format!("ntdsai.dll {raw}: KB4487044 or later is installed"))
    } else {
        Outcome::fail(format!(
            "ntdsai.dll {raw} is older than {min}: without KB4487044 the sensor stops itself on Windows Server 2019"
        ))
        .remedy("install KB4487044 or any later cumulative update for Windows Server 2019 (restart required)")
    };
    o.ev("ntdsai_version", raw).ev("required", min)
}
