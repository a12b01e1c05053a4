//! The Deleted Objects test: can an account list `CN=Deleted Objects`?

use ldap3::Scope;
use ldap3::controls::RawControl;

use crate::directory::dsa::DsaIdentity;
use crate::directory::ldap::{Search, SearchFailure, Server, TlsOptions, oid};
use crate::directory::snapshot::DeletedObjectsTest;
use crate::secrets::SecretString;

use super::{Reader, connect};

/// The one-level search of `CN=Deleted Objects` with the Show Deleted control, at most
/// one entry: enough to know whether anything can be listed. Show Recycled too: once the
/// Recycle Bin is enabled, the tombstones from before are recycled objects, which Show
/// Deleted alone hides (not critical: a DC older than 2008 R2 ignores it).
pub(super) fn deleted_objects_search<'a>(container: &'a str, attrs: &'a [&'a str]) -> Search<'a> {
    let mut s = Search::new(container, Scope::OneLevel, "(objectClass=*)", attrs);
    s.controls = vec![
        RawControl {
            ctype: oid::SHOW_DELETED.to_string(),
            crit: true,
            val: None,
        },
        RawControl {
            ctype: oid::SHOW_RECYCLED.to_string(),
            crit: false,
            val: None,
        },
    ];
    s.size_limit = Some(1);
    s
}

pub(super) const DELETED_ATTRS: &[&str] = &["objectClass", "isDeleted"];

/// How many deleted objects (0 or 1) the main bind sees: with it, "the directory services
/// account lists nothing" can be told apart from "there is nothing to list".
pub(super) async fn deleted_objects_reference(r: &mut Reader<'_>, nc: &str) -> Option<usize> {
    let container = format!("CN=Deleted Objects,{nc}");
    let out = r
        .conn
        .search(&deleted_objects_search(&container, DELETED_ATTRS))
        .await;
    out.failure.is_none().then_some(out.entries.len())
}

/// Binds as the directory services account on a connection of its own and lists
/// `CN=Deleted Objects` with the Show Deleted control (ata-atp.md §3.5).
/// `reference`: how many objects the main bind saw there (at most 1), when it could look.
pub async fn deleted_objects_test(
    server: &Server,
    tls: &TlsOptions,
    id: &DsaIdentity,
    password: &SecretString,
    nc: &str,
    reference: Option<usize>,
) -> DeletedObjectsTest {
    let user = id.bind_name();
    let mut conn = match connect(server, tls, &user, password).await {
        Ok(c) => c,
        Err(e) => {
            return DeletedObjectsTest {
                readable: None,
                note: Some(format!(
                    "not tested: binding as the directory services account failed: {e}"
                )),
            };
        }
    };
    let container = format!("CN=Deleted Objects,{nc}");
    let listed = conn
        .search(&deleted_objects_search(&container, DELETED_ATTRS))
        .await;
    conn.close().await;
    let grant = format!(
        "grant it with `dsacls \"{container}\" /G <DOMAIN>\\<account>:LCRP` (after taking ownership, see the MDI docs)"
    );
    match (&listed.failure, listed.entries.len()) {
        (None, n) if n > 0 => DeletedObjectsTest {
            readable: Some(true),
            note: Some(format!("as {user}: {container} can be listed")),
        },
        (None, _) if reference.is_some_and(|n| n > 0) => DeletedObjectsTest {
            readable: Some(false),
            note: Some(format!(
                "as {user}: {container} lists nothing, while the bind account sees deleted objects there: the account lacks List Contents/Read Property; {grant}"
            )),
        },
        (None, _) => DeletedObjectsTest {
            readable: None,
            note: Some(format!(
                "as {user}: {container} lists nothing; it may be empty (the bind account saw nothing either) or the account may lack List Contents: not decided; check with `dsacls \"{container}\"`"
            )),
        },
        (Some(SearchFailure::Server { rc: 32 | 50, .. }), _) => DeletedObjectsTest {
            readable: Some(false),
            note: Some(format!(
                "as {user}: listing {container} was refused ({}); {grant}",
                listed
                    .failure
                    .as_ref()
                    .map(SearchFailure::describe)
                    .unwrap_or_default()
            )),
        },
        (Some(f), _) => DeletedObjectsTest {
            readable: None,
            note: Some(format!(
                "as {user}: listing {container} failed ({}): not decided",
                f.describe()
            )),
        },
    }
}
