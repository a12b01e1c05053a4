//! Which of ATA's sensitive entities Defender for Identity will tag by itself, decided
//! only on evidence (issue 12.5).
//!
//! ATA marks an entity sensitive (`IsSensitive`) when a person tagged it, or when it is a
//! member of a group ATA treats as sensitive. Only the second kind is "automatic" in the
//! cloud, and only for the groups MDI still treats as sensitive: Remote Desktop Users has
//! not been one since 2018 (ata-atp.md §3.4). The evidence, in the order tried:
//!
//! 1. a well-known sensitive SID ([`well_known`]);
//! 2. a domain controller role;
//! 3. membership, direct or nested, of a group MDI treats as sensitive: from the
//!    directory when it was read ([`from_directory`]), else from ATA's own group data
//!    ([`from_ata`]: the parent groups ATA records on an entity).
//!
//! Evidence for none of them, where the input could have shown it, makes the tag a manual
//! one (to enter again by hand). Where neither input can decide, the answer is
//! [`TagSource::Undecided`]: "confirm in the ATA console". Nothing is guessed.

use std::collections::BTreeSet;

use super::entry::normalize_dn;
use super::levels::{SENSITIVE_GROUPS, SidBase};
use crate::model::{DirectoryInventory, Entity, EntityType, TagSource};

/// A verdict and the evidence for it, in words for the consultant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub source: TagSource,
    pub evidence: String,
}

impl Decision {
    fn new(source: TagSource, evidence: impl Into<String>) -> Self {
        Self {
            source,
            evidence: evidence.into(),
        }
    }
}

/// Said of an entity tagged by hand in ATA (on its manual list).
pub const TAGGED_BY_HAND: &str = "tagged by hand in ATA: tag it again by hand in the cloud";

const RDU_WORDS: &str = "Remote Desktop Users, which the cloud service no longer tags (since 2018): \
     tag it by hand if it should stay sensitive";

/// The well-known group a SID names, when it is one of the sensitive ones, and whether
/// MDI treats it as sensitive (`false` for Remote Desktop Users).
pub fn well_known(sid: &str) -> Option<(&'static str, bool)> {
    let sid = sid.trim().to_ascii_uppercase();
    let (domain, rid) = sid.rsplit_once('-')?;
    let rid: u32 = rid.parse().ok()?;
    let builtin = domain == "S-1-5-32";
    // A domain SID: S-1-5-21 and three sub-authorities.
    let domain_sid = domain.starts_with("S-1-5-21-") && domain.split('-').count() == 7;
    SENSITIVE_GROUPS
        .iter()
        .find(|g| {
            g.rid == rid
                && match g.base {
                    SidBase::Builtin => builtin,
                    SidBase::Domain | SidBase::ForestRoot => domain_sid,
                }
        })
        .map(|g| (g.name, !g.ata_only))
}

/// What ATA's own data knows of an entity, for [`from_ata`].
#[derive(Debug, Clone, Default)]
pub struct AtaFacts {
    pub name: Option<String>,
    pub sid: Option<String>,
    /// ATA says it is a domain controller (`IsDomainController`).
    pub domain_controller: bool,
    /// The ids of the groups ATA records it as a member of; `None` when ATA's data has
    /// no such field for it (nothing can be said of its groups then).
    pub parent_groups: Option<Vec<String>>,
}

/// The decision from ATA's data alone. `lookup` gives the facts of another entity by id
/// (its parent groups), when ATA's data holds it.
pub fn from_ata(facts: &AtaFacts, lookup: &dyn Fn(&str) -> Option<AtaFacts>) -> Decision {
    if let Some(d) = by_sid_or_role(facts.sid.as_deref(), facts.domain_controller, "in ATA") {
        return d;
    }
    let Some(parents) = &facts.parent_groups else {
        return Decision::new(
            TagSource::Undecided,
            "undecided: confirm in the ATA console (ATA marks it sensitive; without the directory and \
             without ATA's group data nothing says whether a group made it so)",
        );
    };
    // Breadth-first over the parents ATA records, each group once (cycles end).
    let mut queue: Vec<String> = parents.clone();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut rdu = false;
    let mut unknown_parent = false;
    while let Some(id) = queue.pop() {
        if !seen.insert(id.to_ascii_lowercase()) {
            continue;
        }
        let Some(g) = lookup(&id) else {
            unknown_parent = true;
            continue;
        };
        match g.sid.as_deref().and_then(well_known) {
            Some((name, true)) => {
                return Decision::new(
                    TagSource::Automatic,
                    format!("member of {name}, directly or nested (ATA's group data)"),
                );
            }
            Some((_, false)) => rdu = true,
            None => {}
        }
        queue.extend(g.parent_groups.into_iter().flatten());
    }
    if rdu {
        return Decision::new(
            TagSource::Manual,
            format!("sensitive in ATA through {RDU_WORDS} (ATA's group data)"),
        );
    }
    if unknown_parent {
        return Decision::new(
            TagSource::Undecided,
            "undecided: confirm in the ATA console (a group it belongs to is not in ATA's entity data)",
        );
    }
    Decision::new(
        TagSource::Manual,
        "no well-known sensitive SID, DC role or sensitive group in ATA's data: a tag set by hand in ATA; \
         tag it again by hand in the cloud",
    )
}

fn by_sid_or_role(sid: Option<&str>, dc: bool, from: &str) -> Option<Decision> {
    match sid.and_then(well_known) {
        Some((name, true)) => {
            return Some(Decision::new(
                TagSource::Automatic,
                format!("well-known sensitive group {name} (its SID)"),
            ));
        }
        Some((_, false)) => {
            return Some(Decision::new(
                TagSource::Manual,
                format!("the group {RDU_WORDS}"),
            ));
        }
        None => {}
    }
    dc.then(|| {
        Decision::new(
            TagSource::Automatic,
            format!("a domain controller ({from})"),
        )
    })
}

/// The decision from the directory, for an entity found there; `None` when the directory
/// cannot decide (the entity was not found, or its domain's sensitive groups were not
/// read), so ATA's data must.
pub fn from_directory(dir: &DirectoryInventory, entity: &Entity) -> Option<Decision> {
    let ad = entity.ad.as_ref().filter(|a| a.found)?;
    let dn = ad.dn.as_deref().map(normalize_dn);
    let sid = ad.sid.as_deref().or(entity.sid.as_deref());
    let dc = entity.kind != Some(EntityType::Group)
        && dn.as_deref().is_some_and(|dn| {
            dir.domain_controllers
                .iter()
                .any(|d| d.dn.as_deref().is_some_and(|x| normalize_dn(x) == dn))
        });
    if let Some(d) = by_sid_or_role(sid, dc, "in the directory") {
        return Some(d);
    }
    let dn = dn?;
    let member_of: Vec<&crate::model::PrivilegedGroup> = dir
        .privileged_groups
        .iter()
        .filter(|g| g.members.iter().any(|m| normalize_dn(&m.dn) == dn))
        .collect();
    let mut sensitive: Vec<&str> = member_of
        .iter()
        .filter(|g| well_known(&g.sid).is_none_or(|(_, mdi)| mdi))
        .map(|g| g.name.as_str())
        .collect();
    sensitive.dedup();
    if !sensitive.is_empty() {
        return Some(Decision::new(
            TagSource::Automatic,
            format!(
                "member of {}, directly or nested (the directory)",
                sensitive.join(", ")
            ),
        ));
    }
    if !member_of.is_empty() {
        return Some(Decision::new(
            TagSource::Manual,
            format!("sensitive in ATA through {RDU_WORDS} (the directory)"),
        ));
    }
    // "In no sensitive group" only where the groups were read: those of its own domain
    // and of the forest root (Enterprise and Schema Admins live there).
    let domain_of = |x: &str| {
        dir.domains
            .iter()
            .filter(|d| crate::directory::entry::is_under(x, &d.dn))
            .max_by_key(|d| d.dn.len())
            .map(|d| d.dns_name.to_ascii_lowercase())
    };
    let read = |dns: &str| {
        dir.privileged_groups.iter().any(|g| {
            g.domain
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(dns))
        })
    };
    let own = domain_of(&dn)?;
    let root = dir.forest.root_domain.to_ascii_lowercase();
    if !read(&own) || (!root.is_empty() && !read(&root)) {
        return None;
    }
    Some(Decision::new(
        TagSource::Manual,
        "no well-known sensitive SID, DC role or sensitive group in the directory: a tag set by hand in ATA; \
         tag it again by hand in the cloud",
    ))
}

/// For an entity on ATA's manual list: a manual tag, and whether MDI would tag it anyway.
pub fn listed(dir: Option<&DirectoryInventory>, entity: &Entity) -> Decision {
    match dir.and_then(|d| from_directory(d, entity)) {
        Some(d) if d.source == TagSource::Automatic => Decision::new(
            TagSource::Manual,
            format!(
                "{TAGGED_BY_HAND} (the cloud would tag it anyway: {})",
                d.evidence
            ),
        ),
        _ => Decision::new(TagSource::Manual, TAGGED_BY_HAND),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn well_known_sids_and_remote_desktop_users() {
        assert_eq!(well_known("S-1-5-32-544"), Some(("Administrators", true)));
        assert_eq!(
            well_known("S-1-5-21-1-2-3-512"),
            Some(("Domain Admins", true))
        );
        assert_eq!(
            well_known("S-1-5-32-555"),
            Some(("Remote Desktop Users", false))
        );
        assert_eq!(well_known("S-1-5-21-1-2-3-1105"), None);
        assert_eq!(well_known("S-1-5-21-1-2-512"), None, "not a domain SID");
        assert_eq!(well_known("S-1-5-32-512"), None);
        assert_eq!(well_known("garbage"), None);
    }

    #[test]
    fn ata_data_decides_only_on_evidence() {
        let groups: BTreeMap<&str, AtaFacts> = BTreeMap::from([
            (
                "da",
                AtaFacts {
                    sid: Some("S-1-5-21-1-2-3-512".into()),
                    parent_groups: Some(vec![]),
                    ..Default::default()
                },
            ),
            (
                "rdu",
                AtaFacts {
                    sid: Some("S-1-5-32-555".into()),
                    parent_groups: Some(vec![]),
                    ..Default::default()
                },
            ),
            (
                "nested",
                AtaFacts {
                    sid: Some("S-1-5-21-1-2-3-1200".into()),
                    // A cycle back to itself, and up to Domain Admins.
                    parent_groups: Some(vec!["nested".into(), "da".into()]),
                    ..Default::default()
                },
            ),
        ]);
        let lookup = |id: &str| groups.get(id).cloned();
        let user = |parents: Option<Vec<&str>>| AtaFacts {
            sid: Some("S-1-5-21-1-2-3-1105".into()),
            parent_groups: parents.map(|p| p.into_iter().map(str::to_string).collect()),
            ..Default::default()
        };
        let d = from_ata(&user(Some(vec!["nested"])), &lookup);
        assert_eq!(d.source, TagSource::Automatic);
        assert!(d.evidence.contains("Domain Admins"), "{}", d.evidence);
        let d = from_ata(&user(Some(vec!["rdu"])), &lookup);
        assert_eq!(d.source, TagSource::Manual);
        assert!(
            d.evidence.contains("Remote Desktop Users"),
            "{}",
            d.evidence
        );
        assert_eq!(
            from_ata(&user(Some(vec![])), &lookup).source,
            TagSource::Manual
        );
        assert_eq!(
            from_ata(&user(Some(vec!["gone"])), &lookup).source,
            TagSource::Undecided
        );
        let d = from_ata(&user(None), &lookup);
        assert_eq!(d.source, TagSource::Undecided);
        assert!(
            d.evidence
                .starts_with("undecided: confirm in the ATA console")
        );
        let dc = AtaFacts {
            domain_controller: true,
            ..user(None)
        };
        assert_eq!(from_ata(&dc, &lookup).source, TagSource::Automatic);
        let rdu = AtaFacts {
            sid: Some("S-1-5-32-555".into()),
            ..Default::default()
        };
        assert_eq!(from_ata(&rdu, &lookup).source, TagSource::Manual);
    }
}
