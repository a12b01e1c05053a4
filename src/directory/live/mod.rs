//! The live read: one bound connection to a DC (and optionally a global catalog), the
//! searches the inventory needs, all into a [`DirectorySnapshot`].
//!
//! Order: rootDSE → configuration partition (partitions, schema version, sites, KDS root
//! keys, optional features) → the DC's own domain (head, DCs, sensitive groups and their
//! members) → the ids ATA holds (batched, at most [`BATCH`] per search) → the directory
//! services accounts → for each one given its password, the Deleted Objects test on a
//! connection bound as it.
//!
//! A failing search does not end the read: what came back is kept, the failure is noted
//! and the snapshot is marked incomplete (the inventory's source becomes `partial`). A
//! connection that breaks ends the read there. Only connecting and binding are fatal.
//! Nothing is ever written to the directory.

use super::dsa::identities;
use super::entry::{nc_of, normalize_dn};
use super::ldap::{Conn, Outcome, Search, SearchFailure, Server, TlsOptions};
use super::resolve::Wanted;
use super::snapshot::{DeletedObjectsTest, DirectorySnapshot};
use super::{Error, LdapSource};
use crate::model::Inventory;
use crate::progress::Progress;
use crate::secrets::SecretString;

mod deleted;
mod fetch;
mod members;
mod naming;

pub use deleted::deleted_objects_test;
pub use members::range_end;

use deleted::deleted_objects_reference;
use fetch::{domain_ncs, fetch_dsa, fetch_wanted};
use naming::{read_auditing, read_domain, read_forest};

/// What a live read produced.
pub struct LiveRead {
    pub snapshot: DirectorySnapshot,
    /// `ldaps://host:636`.
    pub server: String,
    /// What the server says it is, for the source record.
    pub server_version: Option<String>,
    /// Search requests sent (pages included), across all connections.
    pub searches: u64,
    /// The searches sent on the main connection, in order (one record per search, not
    /// per page).
    pub queries: Vec<super::ldap::SearchRecord>,
}

struct Reader<'p> {
    conn: Conn,
    gc: Option<Conn>,
    snap: DirectorySnapshot,
    progress: &'p dyn Progress,
    /// The reason the main connection broke, noted once.
    lost_noted: bool,
}

/// Which server a search goes to: the DC, or the global catalog (the DC when there is
/// none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    Dc,
    Gc,
}

/// What a missing base (LDAP result 32) means for a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IfAbsent {
    /// The read is incomplete: something that should be there could not be read.
    Incomplete,
    /// A fact about the directory (no such container), not a failure.
    Fact,
}

impl Reader<'_> {
    /// Runs a search on the DC (or the GC) and records what went wrong, if anything.
    async fn run(&mut self, what: &str, s: &Search<'_>, on: On, if_absent: IfAbsent) -> Outcome {
        let on_gc = on == On::Gc;
        let conn = match (on, self.gc.as_mut()) {
            (On::Gc, Some(gc)) => gc,
            _ => &mut self.conn,
        };
        let server = conn.server.url.clone();
        let out = conn.search(s).await;
        self.snap.references += out.references;
        if out.malformed > 0 {
            self.snap.incomplete.push(format!(
                "{what}: {} entries from {server} could not be decoded and were skipped",
                out.malformed
            ));
        }
        match &out.failure {
            None => {}
            Some(SearchFailure::Server { rc: 32, .. }) if if_absent == IfAbsent::Fact => {}
            Some(SearchFailure::Lost(_)) if self.lost_noted && !on_gc => {}
            Some(f) => {
                if matches!(f, SearchFailure::Lost(_)) && !on_gc {
                    self.lost_noted = true;
                }
                self.snap.incomplete.push(format!(
                    "{what} from {server} stopped: {}; {} entries read before that are kept, the rest is missing",
                    f.describe(),
                    out.entries.len()
                ));
            }
        }
        out
    }

    fn keep(&mut self, out: &Outcome) {
        for e in &out.entries {
            self.snap.insert(e.clone());
        }
    }

    fn lost(&self) -> bool {
        self.conn.lost().is_some()
    }
}

/// Opens and binds a connection, with every failure in words.
pub async fn connect(
    server: &Server,
    tls: &TlsOptions,
    user: &str,
    password: &SecretString,
) -> Result<Conn, Error> {
    let mut conn = Conn::open(server, tls).await?;
    conn.bind(user, password).await?;
    Ok(conn)
}

/// Reads the directory through `src` for `inv` (whose ATA part says which ids and which
/// directory services account to look up).
pub async fn read(
    src: &LdapSource,
    inv: &Inventory,
    wanted: &Wanted,
    progress: &dyn Progress,
) -> Result<LiveRead, Error> {
    let server = Server::parse(&src.url)?;
    let tls = TlsOptions {
        ca_file: src.ca_file.clone(),
        insecure: src.insecure,
    };
    let user = src.bind_user.clone().ok_or_else(|| {
        Error::Usage(format!(
            "reading {} needs a bind user: pass --bind-user (UPN, DOMAIN\\user or DN)",
            server.url
        ))
    })?;
    let password = src.password.clone().ok_or_else(|| {
        Error::Usage(format!(
            "reading {} as {user} needs its password: pass --password-env VAR or --password-file FILE",
            server.url
        ))
    })?;
    if src.insecure {
        tracing::warn!(
            "--insecure: the certificate of {} is NOT verified; anyone on the network path can read the bind password. Lab use only",
            server.url
        );
    }
    let task = format!("LDAP {}", server.url);
    progress.start(&task, None);
    let conn = connect(&server, &tls, &user, &password).await?;
    let gc = match &src.gc_url {
        Some(url) => {
            let gs = Server::parse(url)?;
            Some(connect(&gs, &tls, &user, &password).await?)
        }
        None => None,
    };
    let mut r = Reader {
        conn,
        gc,
        snap: DirectorySnapshot::default(),
        progress,
        lost_noted: false,
    };
    if src.insecure {
        r.snap.notes.push(format!(
            "the TLS certificate of {} was not verified (--insecure): lab use only",
            server.url
        ));
    }

    read_forest(&mut r).await;
    let default_nc = r
        .snap
        .root_dse
        .as_ref()
        .and_then(|d| d.text("defaultNamingContext"));
    if let Some(nc) = &default_nc {
        read_domain(&mut r, nc).await;
    } else if !r.lost() {
        r.snap.incomplete.push(format!(
            "{} names no defaultNamingContext in its rootDSE: no domain could be read",
            server.url
        ));
    }
    if let (Some(nc), false) = (&default_nc, r.lost()) {
        read_auditing(&mut r, nc).await;
    }
    r.progress.advance(&task, 1);
    if !wanted.is_empty() && !r.lost() {
        fetch_wanted(&mut r, default_nc.as_deref(), wanted).await;
    }
    let dsas = identities(&inv.ata, Some(&user));
    if !r.lost() {
        for id in &dsas {
            fetch_dsa(&mut r, default_nc.as_deref(), id).await;
        }
    }
    // The Deleted Objects test binds as each account a password was given for.
    if let (Some(nc), false, false) = (&default_nc, r.lost(), src.dsa_passwords.is_empty()) {
        r.snap.notes.extend(src.dsa_passwords.problems(&dsas));
        let reference = deleted_objects_reference(&mut r, nc).await;
        // The domain each account lives in: its sensors read that domain's container.
        let homes: Vec<Option<String>> = {
            let mut ncs = domain_ncs(&r);
            ncs.push(nc.clone());
            let ncs: Vec<&str> = ncs.iter().map(String::as_str).collect();
            let view = super::read::View::new(&r.snap);
            dsas.iter()
                .map(|id| {
                    super::dsa::find(&view, id)
                        .and_then(|e| nc_of(&e.dn, &ncs))
                        .map(str::to_string)
                })
                .collect()
        };
        for (i, id) in dsas.iter().enumerate() {
            let Some(pw) = src.dsa_passwords.for_account(&dsas, i) else {
                continue;
            };
            let test = match &homes[i] {
                Some(home) if normalize_dn(home) != normalize_dn(nc) => DeletedObjectsTest {
                    readable: None,
                    note: Some(format!(
                        "not tested: {} belongs to {}, whose CN=Deleted Objects is on that domain's DCs; \
                         run the inventory against one of them (--ldap) with this account's password",
                        id.label,
                        super::entry::dns_from_dn(home)
                    )),
                },
                _ => deleted_objects_test(&server, &tls, id, pw, nc, reference).await,
            };
            r.snap.deleted_objects.insert(id.label.clone(), test);
        }
    }

    let searches = r.conn.searches.load(std::sync::atomic::Ordering::Relaxed)
        + r.gc
            .as_ref()
            .map_or(0, |g| g.searches.load(std::sync::atomic::Ordering::Relaxed));
    let server_version = r.snap.root_dse.as_ref().and_then(|d| {
        match (
            d.text("vendorName"),
            d.text("vendorVersion"),
            d.int("domainControllerFunctionality"),
        ) {
            (Some(n), v, _) => Some(format!("{n} {}", v.unwrap_or_default()).trim().to_string()),
            (None, _, Some(l)) => Some(format!(
                "Active Directory (DC functional level {l}, {})",
                super::levels::functional_level_name(l as u32)
            )),
            _ => None,
        }
    });
    let outcome = if r.snap.incomplete.is_empty() {
        "ok".to_string()
    } else {
        "partial".to_string()
    };
    r.progress.finish(
        &task,
        &format!("{outcome}, {} entries, {searches} searches", r.snap.len()),
    );
    if let Some(gc) = r.gc.take() {
        gc.close().await;
    }
    let queries = std::mem::take(&mut r.conn.log);
    r.conn.close().await;
    Ok(LiveRead {
        snapshot: r.snap,
        server: server.url,
        server_version,
        searches,
        queries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranged_attribute_names_give_their_end() {
        assert_eq!(range_end("member;range=0-1499"), Some(1499));
        assert_eq!(range_end("member;range=1500-*"), None);
        assert_eq!(range_end("member"), None);
    }
}
