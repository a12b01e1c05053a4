//! The directory snapshot: the entries read, from LDAP or from LDIF, before any meaning
//! is given to them.
//!
//! Both readers fill the same type and [`super::read`] derives the inventory from it
//! alone, so an LDIF export of a directory and a live read of it give the same
//! `directory` section. What only a live read can know is kept beside the entries:
//! transitive group members computed by the server (the IN_CHAIN rule) and the result
//! of the Deleted Objects test.

use std::collections::{BTreeMap, BTreeSet};

use super::entry::{Entry, normalize_dn};

/// Result of listing `CN=Deleted Objects` as the directory services account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedObjectsTest {
    /// `None` when it could not be decided; `note` says why.
    pub readable: Option<bool>,
    pub note: Option<String>,
}

/// Everything read from the directory.
#[derive(Debug, Clone, Default)]
pub struct DirectorySnapshot {
    /// The rootDSE (`dn: ` with an empty DN), when read or exported.
    pub root_dse: Option<Entry>,
    entries: BTreeMap<String, Entry>,
    /// Group DN (normalised) → its transitive members (normalised DN → DN as read),
    /// when the server computed them with `LDAP_MATCHING_RULE_IN_CHAIN`. Groups not here
    /// are expanded from their `member` values.
    transitive: BTreeMap<String, BTreeMap<String, String>>,
    /// Naming contexts whose accounts were searched (live) or exported (LDIF), so that
    /// "not found" is only said where it was looked for.
    searched: BTreeSet<String>,
    /// Naming contexts where the directory services account was looked for.
    dsa_searched: BTreeSet<String>,
    /// The Deleted Objects test of each directory services account it ran for, by the
    /// account's label.
    pub deleted_objects: BTreeMap<String, DeletedObjectsTest>,
    /// Search bases the server said do not exist (noSuchObject): an answer, not a gap.
    absent: BTreeSet<String>,
    /// Objects whose SACL was asked for over LDAP (the SD flags control): an absent
    /// `nTSecurityDescriptor` there means "not returned to the bind account".
    sacl_requested: BTreeSet<String>,
    /// Why the snapshot is incomplete (a dropped connection, a size limit). Empty when
    /// everything asked for was read.
    pub incomplete: Vec<String>,
    /// Facts about the reading that the inventory should show (not failures).
    pub notes: Vec<String>,
    /// Search continuation references skipped.
    pub references: usize,
}

impl DirectorySnapshot {
    /// Adds an entry, merging it with what is known of the same DN. The entry with an
    /// empty DN is the rootDSE.
    pub fn insert(&mut self, entry: Entry) {
        if entry.dn.trim().is_empty() {
            match &mut self.root_dse {
                Some(r) => r.merge(entry),
                None => self.root_dse = Some(entry),
            }
            return;
        }
        let key = normalize_dn(&entry.dn);
        match self.entries.get_mut(&key) {
            Some(e) => e.merge(entry),
            None => {
                self.entries.insert(key, entry);
            }
        }
    }

    pub fn get(&self, dn: &str) -> Option<&Entry> {
        self.entries.get(&normalize_dn(dn))
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.root_dse.is_none()
    }

    /// Records the server-computed transitive members of a group.
    pub fn set_transitive(&mut self, group_dn: &str, members: impl IntoIterator<Item = String>) {
        let set = self.transitive.entry(normalize_dn(group_dn)).or_default();
        for m in members {
            set.insert(normalize_dn(&m), m);
        }
    }

    pub fn transitive(&self, group_dn: &str) -> Option<&BTreeMap<String, String>> {
        self.transitive.get(&normalize_dn(group_dn))
    }

    /// Marks a naming context as searched for accounts.
    pub fn mark_searched(&mut self, nc: &str) {
        self.searched.insert(normalize_dn(nc));
    }

    pub fn was_searched(&self, nc: &str) -> bool {
        self.searched.contains(&normalize_dn(nc))
    }

    /// Marks a naming context as searched for the directory services account.
    pub fn mark_dsa_searched(&mut self, nc: &str) {
        self.dsa_searched.insert(normalize_dn(nc));
    }

    /// Whether the account was looked for in `nc`, or anywhere when `nc` is `None`.
    pub fn dsa_searched_in(&self, nc: Option<&str>) -> bool {
        match nc {
            Some(nc) => self.dsa_searched.contains(&normalize_dn(nc)),
            None => !self.dsa_searched.is_empty(),
        }
    }

    /// Records that a search base does not exist.
    pub fn mark_absent(&mut self, dn: &str) {
        self.absent.insert(normalize_dn(dn));
    }

    pub fn is_absent(&self, dn: &str) -> bool {
        self.absent.contains(&normalize_dn(dn))
    }

    /// Records that the SACL of `dn` was asked for (see [`super::audit`]).
    pub fn mark_sacl_requested(&mut self, dn: &str) {
        self.sacl_requested.insert(normalize_dn(dn));
    }

    pub fn sacl_requested(&self, dn: &str) -> bool {
        self.sacl_requested.contains(&normalize_dn(dn))
    }

    /// Adds everything from `other` (another LDIF file, or LDIF beside a live read).
    pub fn absorb(&mut self, other: DirectorySnapshot) {
        if let Some(r) = other.root_dse {
            self.insert(r);
        }
        for (_, e) in other.entries {
            self.insert(e);
        }
        for (k, v) in other.transitive {
            self.transitive.entry(k).or_default().extend(v);
        }
        self.searched.extend(other.searched);
        self.dsa_searched.extend(other.dsa_searched);
        self.absent.extend(other.absent);
        self.sacl_requested.extend(other.sacl_requested);
        self.deleted_objects.extend(other.deleted_objects);
        self.incomplete.extend(other.incomplete);
        self.notes.extend(other.notes);
        self.references += other.references;
    }
}
