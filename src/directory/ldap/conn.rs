//! A bound connection: open (with StartTLS), bind, paged search, close; entries decoded
//! from the protocol message.

use super::*;

/// A bound connection to one server.
pub struct Conn {
    ldap: Ldap,
    pub server: Server,
    /// Search requests sent (each page counts): the benchmark's measure.
    pub searches: Arc<AtomicU64>,
    /// Set when the connection broke: later searches fail at once with this reason.
    lost: Option<String>,
    page_size: i32,
    /// Every search sent, in order.
    pub log: Vec<SearchRecord>,
}

impl Conn {
    /// Opens a TLS connection (LDAPS, or StartTLS on ldap://). No bind yet.
    pub async fn open(server: &Server, tls: &TlsOptions) -> Result<Conn, Error> {
        let config = tls_config(tls)?;
        let settings = LdapConnSettings::new()
            .set_conn_timeout(CONNECT_TIMEOUT)
            .set_starttls(!server.ldaps)
            .set_config(config);
        let (conn, ldap) = LdapConnAsync::with_settings(settings, &server.connection_url())
            .await
            .map_err(|e| connect_error(server, tls, &e))?;
        tokio::spawn(async move {
            if let Err(e) = conn.drive().await {
                tracing::debug!("LDAP connection ended: {e}");
            }
        });
        Ok(Conn {
            ldap,
            server: server.clone(),
            searches: Arc::new(AtomicU64::new(0)),
            lost: None,
            page_size: PAGE_SIZE,
            log: Vec::new(),
        })
    }

    /// Simple bind. An empty password is refused here too: AD treats a DN with an
    /// empty password as an anonymous bind that may succeed, which would prove nothing.
    pub async fn bind(&mut self, user: &str, password: &SecretString) -> Result<(), Error> {
        if password.expose_secret().is_empty() {
            return Err(Error::Usage(format!(
                "the password for {user} is empty; an empty password would bind anonymously, so it is refused"
            )));
        }
        if user.trim().is_empty() {
            return Err(Error::Usage(
                "the bind user is empty; pass --bind-user".into(),
            ));
        }
        let res = self
            .ldap
            .with_timeout(OP_TIMEOUT)
            .simple_bind(user, password.expose_secret())
            .await
            .map_err(|e| Error::Unreachable {
                server: self.server.url.clone(),
                reason: format!("the connection failed during the bind ({e})"),
                hint: "check the network path and retry".into(),
            })?;
        if res.rc == 0 {
            return Ok(());
        }
        Err(Error::Bind {
            server: self.server.url.clone(),
            user: user.to_string(),
            failure: BindFailure::classify(res.rc, &res.text),
            server_said: format!("rc={} {}", res.rc, res.text.trim()),
        })
    }

    /// The reason the connection broke, if it did.
    pub fn lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    /// Runs a search to the end, paging subtree and one-level searches. Never fails:
    /// what was read is returned with the reason it stopped.
    pub async fn search(&mut self, s: &Search<'_>) -> Outcome {
        self.log.push(SearchRecord {
            base: s.base.to_string(),
            scope: match s.scope {
                Scope::Base => "base",
                Scope::OneLevel => "one",
                Scope::Subtree => "sub",
            },
            filter: s.filter.to_string(),
            attrs: s.attrs.iter().map(|a| a.to_string()).collect(),
            controls: s.controls.iter().map(|c| c.ctype.clone()).collect(),
            paged: s.paged && s.size_limit.is_none(),
            size_limit: s.size_limit,
        });
        let mut out = Outcome::default();
        if let Some(why) = &self.lost {
            out.failure = Some(SearchFailure::Lost(why.clone()));
            return out;
        }
        let paged = s.paged && s.size_limit.is_none();
        let mut cookie: Vec<u8> = Vec::new();
        loop {
            let page = self.page_size;
            let mut controls = s.controls.clone();
            if paged {
                controls.push(
                    ldap3::controls::PagedResults {
                        size: page,
                        cookie: cookie.clone(),
                    }
                    .into(),
                );
            }
            let before = out.entries.len();
            let (result, lost) = self.one_request(s, controls, &mut out).await;
            if let Some(why) = lost {
                self.lost = Some(why.clone());
                out.failure = Some(SearchFailure::Lost(why));
                return out;
            }
            let Some((rc, text, next_cookie)) = result else {
                return out;
            };
            if rc == 4 && s.size_limit.is_some() {
                // The limit we asked for was reached.
                return out;
            }
            if rc != 0 {
                // A server allowing smaller pages than ours (slapd `limits size.pr`, or an
                // AD with a lowered MaxPageSize) refuses the first page: retry smaller.
                let refused_page = paged
                    && cookie.is_empty()
                    && out.entries.len() == before
                    && matches!(rc, 4 | 11);
                if let (true, Some(&smaller)) =
                    (refused_page, PAGE_LADDER.iter().find(|&&p| p < page))
                {
                    self.page_size = smaller;
                    tracing::info!(
                        "{}: page size {page} refused ({text}); retrying with {}",
                        self.server.url,
                        self.page_size
                    );
                    continue;
                }
                out.failure = Some(SearchFailure::Server { rc, text });
                return out;
            }
            match next_cookie {
                Some(c) if paged && !c.is_empty() => cookie = c,
                _ => return out,
            }
        }
    }

    /// One search request; entries go into `out`. Returns the result code, text and
    /// paging cookie, or the reason the connection was lost.
    async fn one_request(
        &mut self,
        s: &Search<'_>,
        controls: Vec<RawControl>,
        out: &mut Outcome,
    ) -> (Option<(u32, String, Option<Vec<u8>>)>, Option<String>) {
        self.searches.fetch_add(1, Ordering::Relaxed);
        let attrs: Vec<String> = s.attrs.iter().map(|a| a.to_string()).collect();
        let mut ldap = self.ldap.clone();
        ldap.with_timeout(OP_TIMEOUT);
        if !controls.is_empty() {
            ldap.with_controls(controls);
        }
        if let Some(n) = s.size_limit {
            ldap.with_search_options(ldap3::SearchOptions::new().sizelimit(n));
        }
        let mut stream = match ldap
            .streaming_search(s.base, s.scope, s.filter, attrs)
            .await
        {
            Ok(st) => st,
            Err(LdapError::FilterParsing) => {
                return (
                    Some((87, format!("filter not understood: {}", s.filter), None)),
                    None,
                );
            }
            Err(e) => return (None, Some(e.to_string())),
        };
        loop {
            match stream.next().await {
                Ok(Some(re)) => {
                    if re.is_ref() {
                        out.references += 1;
                    } else if re.is_intermediate() {
                        // Not used by any search we send.
                    } else {
                        match decode_entry(re.0) {
                            Some(e) => out.entries.push(e),
                            None => out.malformed += 1,
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => return (None, Some(e.to_string())),
            }
        }
        let res = stream.finish().await;
        // ldap3 reports a connection that died under the stream as rc 80 with its own
        // text; treat any rc 80 with no server text as a lost connection.
        if ldap.is_closed() {
            return (
                None,
                Some(format!(
                    "the server closed the connection (rc={} {})",
                    res.rc, res.text
                )),
            );
        }
        let cookie = res
            .ctrls
            .iter()
            .find(|c| c.1.ctype == oid::PAGED_RESULTS)
            .and_then(|c| c.1.val.as_deref())
            .and_then(paged_cookie);
        (Some((res.rc, res.text, cookie)), None)
    }

    /// Closes the connection politely.
    pub async fn close(mut self) {
        let _ = self.ldap.unbind().await;
    }
}

/// The cookie of a paged-results response control (`SEQUENCE { size, cookie }`).
pub(super) fn paged_cookie(val: &[u8]) -> Option<Vec<u8>> {
    let (_, tag) = ldap3::asn1::parse_tag(val).ok()?;
    let mut parts = tag.expect_constructed()?.into_iter();
    let _size = parts.next()?;
    parts.next()?.expect_primitive()
}

/// A SearchResultEntry (`[APPLICATION 4] SEQUENCE { objectName, attributes }`) as an
/// [`Entry`]; `None` for anything that does not have that shape.
pub fn decode_entry(tag: StructureTag) -> Option<Entry> {
    if tag.id != 4 {
        return None;
    }
    let mut parts = tag.expect_constructed()?.into_iter();
    let dn = String::from_utf8(parts.next()?.expect_primitive()?).ok()?;
    let mut entry = Entry::new(dn);
    let attrs = parts.next()?.expect_constructed()?;
    for attr in attrs {
        let mut pa = attr.expect_constructed()?.into_iter();
        let name = String::from_utf8(pa.next()?.expect_primitive()?).ok()?;
        let id = Entry::attr_id(&name);
        let PL::C(vals) = pa.next()?.payload else {
            return None;
        };
        if vals.is_empty() {
            entry.touch(&name);
        }
        for v in vals {
            let PL::P(bytes) = v.payload else {
                return None;
            };
            entry.push_id(id, &bytes);
        }
    }
    Some(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_entries_are_skipped_not_panicked_on() {
        use ldap3::asn1::TagClass;
        let prim = |id: u64, b: &[u8]| StructureTag {
            class: TagClass::Universal,
            id,
            payload: PL::P(b.to_vec()),
        };
        let cons = |class, id: u64, inner: Vec<StructureTag>| StructureTag {
            class,
            id,
            payload: PL::C(inner),
        };
        let good = cons(
            TagClass::Application,
            4,
            vec![
                prim(4, b"CN=x,DC=test"),
                cons(
                    TagClass::Universal,
                    16,
                    vec![cons(
                        TagClass::Universal,
                        16,
                        vec![
                            prim(4, b"objectSid"),
                            cons(
                                TagClass::Universal,
                                17,
                                vec![prim(4, &[1, 1, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0])],
                            ),
                        ],
                    )],
                ),
            ],
        );
        let e = decode_entry(good).unwrap();
        assert_eq!(e.sid().unwrap().to_string(), "S-1-5-32");
        assert!(decode_entry(prim(4, b"x")).is_none());
        assert!(decode_entry(cons(TagClass::Application, 4, vec![])).is_none());
        assert!(
            decode_entry(cons(TagClass::Application, 4, vec![prim(4, &[0xff, 0xfe])])).is_none()
        );
    }
}
