//! Walks one BSON document's bytes completely, without recursion, before anything decodes
//! it: every length, terminator, type byte, boolean and UTF-8 string is checked, and the
//! nesting depth is bounded.
//!
//! Why not just decode: the `bson` crate's decoder recurses once per nesting level, so a
//! hostile dump nested 10,000 deep overflows the stack (an abort, not an error), and its
//! errors name no byte offset. This walk keeps an explicit stack, stops at [`MAX_DEPTH`],
//! and names the byte where the damage is, so a consultant can look at it (`xxd -s`).

/// Deepest nesting read. MongoDB itself refuses to store documents nested deeper than
/// 100 levels, and ATA's documents are a handful of levels deep.
pub const MAX_DEPTH: usize = 100;

/// What is wrong with a document, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// Byte offset from the start of the document.
    pub offset: usize,
    /// Dotted path of the field the damage is in, empty at the top level.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            return write!(f, "{}", self.message);
        }
        // A damaged name may hold control bytes (shown escaped) and a deep path is cut
        // in the middle: the message stays one readable line.
        let parts: Vec<&str> = self.field.split('.').collect();
        let path = if parts.len() > 8 {
            format!(
                "{}.…({} levels)….{}",
                parts[..3].join("."),
                parts.len() - 5,
                parts[parts.len() - 2..].join(".")
            )
        } else {
            self.field.clone()
        };
        write!(
            f,
            "in field {}: {}",
            crate::text::escape_controls(&path),
            self.message
        )
    }
}

/// One document being walked: where its terminating 0 byte sits, and for a
/// code-with-scope's scope, where the enclosing value must end.
#[derive(Debug)]
struct Frame {
    terminator: usize,
    value_end: Option<usize>,
}

/// One field of a document's top level, as the walk met it: where its name and its
/// value sit in the document's bytes, and its BSON type byte. Readers look fields up here
/// instead of walking the document again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopField {
    pub key: (usize, usize),
    pub kind: u8,
    pub value: (usize, usize),
}

/// The walk's working memory, kept from one document to the next so that checking a
/// document allocates nothing (the dump reader checks every document of a collection).
#[derive(Debug, Default)]
pub struct Checker {
    stack: Vec<Frame>,
    /// The field names leading to the current value, as byte ranges: only an error
    /// turns them into text.
    path: Vec<(usize, usize)>,
    /// The top-level fields of the last document checked with [`Checker::check_indexed`].
    pub top: Vec<TopField>,
}

/// Checks `doc`, the bytes of one complete BSON document (its length prefix included).
pub fn check(doc: &[u8]) -> Result<(), Damage> {
    Checker::default().walk(doc, false)
}

impl Checker {
    /// [`check`], reusing this checker's memory.
    pub fn check(&mut self, doc: &[u8]) -> Result<(), Damage> {
        self.walk(doc, false)
    }

    /// [`check`], also recording the document's top-level fields in [`Checker::top`]
    /// (the same walk: no byte is read twice).
    pub fn check_indexed(&mut self, doc: &[u8]) -> Result<(), Damage> {
        self.walk(doc, true)
    }

    fn walk(&mut self, doc: &[u8], index: bool) -> Result<(), Damage> {
        self.stack.clear();
        self.path.clear();
        self.top.clear();
        let Checker { stack, path, top } = self;
        let w = Walk { b: doc, path };
        let len = w.int32(0, doc.len())?;
        if len < 5 || len as usize != doc.len() {
            return Err(w.damage(
                0,
                format!(
                    "declares {len} bytes but holds {}; the document is damaged",
                    doc.len()
                ),
            ));
        }
        if doc[doc.len() - 1] != 0 {
            return Err(w.damage(doc.len() - 1, "does not end with a 0 byte".into()));
        }
        stack.push(Frame {
            terminator: doc.len() - 1,
            value_end: None,
        });
        let mut pos = 4;
        while let Some(frame) = stack.last() {
            let end = frame.terminator;
            if pos == end {
                // `stack.last()` just saw the frame.
                let Some(done) = stack.pop() else { break };
                pos += 1;
                w.path.pop();
                if let Some(value_end) = done.value_end
                    && pos != value_end
                {
                    return Err(w.damage(
                        pos,
                        "a code-with-scope value's length does not match its parts".into(),
                    ));
                }
                continue;
            }
            let at_top = stack.len() == 1;
            let start = pos;
            let kind = doc[pos];
            if kind == 0 {
                return Err(w.damage(
                    pos,
                    format!(
                        "a document ends here, before its declared length (it should end at \
                         byte {end})"
                    ),
                ));
            }
            pos += 1;
            let key_end = match find_nul(&doc[pos..end]) {
                Some(n) => pos + n,
                None => return Err(w.damage(start, "a field name runs past its document".into())),
            };
            if !utf8(&doc[pos..key_end]) {
                return Err(w.damage(pos, "a field name is not valid UTF-8".into()));
            }
            let key = (pos, key_end);
            pos = key_end + 1;
            w.path.push(key);
            let value_start = pos;
            // Where the value ends, for the index; a container's end is known before its
            // fields are walked.
            let mut value_end = 0;
            match kind {
                0x01 | 0x09 | 0x11 | 0x12 => pos = w.fixed(pos, 8, end)?,
                0x10 => pos = w.fixed(pos, 4, end)?,
                0x07 => pos = w.fixed(pos, 12, end)?,
                0x13 => pos = w.fixed(pos, 16, end)?,
                0x06 | 0x0A | 0xFF | 0x7F => {}
                0x08 => {
                    pos = w.fixed(pos, 1, end)?;
                    if doc[pos - 1] > 1 {
                        return Err(w.damage(pos - 1, "a boolean is neither 0 nor 1".into()));
                    }
                }
                0x02 | 0x0D | 0x0E => pos = w.string(pos, end)?,
                0x0C => pos = w.fixed(w.string(pos, end)?, 12, end)?,
                0x0B => {
                    pos = w.cstring(pos, end)?;
                    pos = w.cstring(pos, end)?;
                }
                0x05 => {
                    let n = w.int32(pos, end)?;
                    if n < 0 {
                        return Err(w.damage(pos, format!("a binary length is negative ({n})")));
                    }
                    let n = n as usize;
                    let data = w.fixed(pos, 5, end)?;
                    let subtype = doc[pos + 4];
                    pos = w.fixed(data, n, end)?;
                    if subtype == 0x02 && (n < 4 || w.int32(data, pos)? as i64 != n as i64 - 4) {
                        return Err(w.damage(
                            data,
                            "an old-style binary (subtype 2) declares the wrong inner length"
                                .into(),
                        ));
                    }
                }
                0x03 | 0x04 => {
                    let sub_end = w.sub_document(pos, end)?;
                    stack.push(Frame {
                        terminator: sub_end - 1,
                        value_end: None,
                    });
                    value_end = sub_end;
                    pos += 4;
                }
                0x0F => {
                    let total = w.int32(pos, end)?;
                    if total < 14 {
                        return Err(w.damage(
                            pos,
                            format!("a code-with-scope length is too small ({total})"),
                        ));
                    }
                    let scope_value_end = pos + total as usize;
                    if scope_value_end > end {
                        return Err(
                            w.damage(pos, "a code-with-scope value runs past its document".into())
                        );
                    }
                    let scope = w.string(pos + 4, scope_value_end)?;
                    let scope_end = w.sub_document(scope, scope_value_end)?;
                    if scope_end != scope_value_end {
                        return Err(w.damage(
                            pos,
                            "a code-with-scope value's length does not match its parts".into(),
                        ));
                    }
                    stack.push(Frame {
                        terminator: scope_end - 1,
                        value_end: Some(scope_value_end),
                    });
                    value_end = scope_value_end;
                    pos = scope + 4;
                }
                other => {
                    return Err(w.damage(start, format!("unknown BSON type byte 0x{other:02X}")));
                }
            }
            if !matches!(kind, 0x03 | 0x04 | 0x0F) {
                w.path.pop();
                value_end = pos;
            }
            if index && at_top {
                top.push(TopField {
                    key,
                    kind,
                    value: (value_start, value_end),
                });
            }
            if stack.len() > MAX_DEPTH {
                return Err(w.damage(
                    start,
                    format!(
                        "nested deeper than {MAX_DEPTH} levels (MongoDB's own limit; ATA's \
                         documents are a few levels deep): the file is damaged or hostile"
                    ),
                ));
            }
        }
        if pos != doc.len() {
            return Err(w.damage(pos, "bytes follow the document's end".into()));
        }
        Ok(())
    }
}

/// Whether `b` is valid UTF-8; field names and most strings are ASCII, checked a word at
/// a time.
fn utf8(b: &[u8]) -> bool {
    b.is_ascii() || std::str::from_utf8(b).is_ok()
}

/// Where the first 0 byte of `b` is. Field names are short (a dozen bytes), so eight
/// bytes are looked at a time in a word: a byte loop was a quarter of the check, and
/// memchr's call costs as much on names this short (perf on scripts/bench-ata.sh).
fn find_nul(b: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        let w = u64::from_le_bytes(eight);
        // The lowest byte flagged is the first 0 byte (a borrow only runs upwards).
        let zero = w.wrapping_sub(LOW) & !w & HIGH;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == 0)
        .map(|n| at + n)
}

struct Walk<'a, 'p> {
    b: &'a [u8],
    path: &'p mut Vec<(usize, usize)>,
}

impl Walk<'_, '_> {
    fn damage(&self, offset: usize, message: String) -> Damage {
        let names: Vec<std::borrow::Cow<'_, str>> = self
            .path
            .iter()
            .map(|&(from, to)| String::from_utf8_lossy(&self.b[from..to]))
            .collect();
        Damage {
            offset,
            field: names.join("."),
            message,
        }
    }

    /// `n` bytes at `pos`, which must end before `end`; returns the position after them.
    fn fixed(&self, pos: usize, n: usize, end: usize) -> Result<usize, Damage> {
        match pos.checked_add(n) {
            Some(after) if after <= end => Ok(after),
            _ => Err(self.damage(pos, "a value runs past the end of its document".into())),
        }
    }

    fn int32(&self, pos: usize, end: usize) -> Result<i32, Damage> {
        let after = self.fixed(pos, 4, end)?;
        // `fixed` vouched for the four bytes.
        let mut four = [0u8; 4];
        four.copy_from_slice(&self.b[pos..after]);
        Ok(i32::from_le_bytes(four))
    }

    /// A length-prefixed UTF-8 string ending in 0.
    fn string(&self, pos: usize, end: usize) -> Result<usize, Damage> {
        let n = self.int32(pos, end)?;
        if n < 1 {
            return Err(self.damage(pos, format!("a string length is below 1 ({n})")));
        }
        let after = self.fixed(pos + 4, n as usize, end)?;
        if self.b[after - 1] != 0 {
            return Err(self.damage(after - 1, "a string does not end with a 0 byte".into()));
        }
        let text = &self.b[pos + 4..after - 1];
        if !text.is_ascii()
            && let Err(e) = std::str::from_utf8(text)
        {
            return Err(self.damage(
                pos + 4 + e.valid_up_to(),
                "a string is not valid UTF-8".into(),
            ));
        }
        Ok(after)
    }

    /// A 0-terminated UTF-8 string (regular expressions).
    fn cstring(&self, pos: usize, end: usize) -> Result<usize, Damage> {
        let n = find_nul(&self.b[pos.min(end)..end])
            .ok_or_else(|| self.damage(pos, "a string runs past its document".into()))?;
        if !utf8(&self.b[pos..pos + n]) {
            return Err(self.damage(pos, "a string is not valid UTF-8".into()));
        }
        Ok(pos + n + 1)
    }

    /// An embedded document at `pos` that must end by `end`; returns its end.
    fn sub_document(&self, pos: usize, end: usize) -> Result<usize, Damage> {
        let n = self.int32(pos, end)?;
        if n < 5 {
            return Err(self.damage(
                pos,
                format!("an embedded document declares {n} bytes, below BSON's minimum of 5"),
            ));
        }
        let after = pos
            .checked_add(n as usize)
            .filter(|a| *a <= end)
            .ok_or_else(|| self.damage(pos, "an embedded document runs past its parent".into()))?;
        if self.b[after - 1] != 0 {
            return Err(self.damage(
                after - 1,
                "an embedded document does not end with a 0 byte".into(),
            ));
        }
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use mongodb::bson::{Document, doc};

    use super::*;

    fn bytes(d: &Document) -> Vec<u8> {
        let mut out = Vec::new();
        d.to_writer(&mut out).unwrap();
        out
    }

    /// A document nested `depth` levels deep, built as bytes (building it as a `Document`
    /// would recurse).
    fn nested(depth: usize) -> Vec<u8> {
        // {"a": {"a": … {} …}}: each level is its length, type 3, "a\0", the level
        // inside, and its 0 terminator (8 bytes around the 5-byte empty document).
        let mut out = Vec::new();
        for level in 0..depth {
            out.extend_from_slice(&((5 + 8 * (depth - level)) as i32).to_le_bytes());
            out.extend_from_slice(&[0x03, b'a', 0]);
        }
        out.extend_from_slice(&[5, 0, 0, 0, 0]);
        out.resize(out.len() + depth, 0);
        out
    }

    #[test]
    fn the_first_zero_byte_is_found_wherever_it_is() {
        for len in 0..40 {
            for at in 0..=len {
                // Bytes with the high bit set and 0x01 around the zeros, which a careless
                // word trick mistakes for a zero.
                let mut b: Vec<u8> = (0..len).map(|i| [0x01, 0x80, 0xff, b'a'][i % 4]).collect();
                if at < len {
                    b[at] = 0;
                    if at + 1 < len {
                        b[at + 1] = 0;
                    }
                }
                let want = b.iter().position(|&c| c == 0);
                assert_eq!(find_nul(&b), want, "len {len} at {at}");
            }
        }
    }

    #[test]
    fn valid_documents_pass() {
        let d = doc! { "a": 1, "b": [1, "x", { "c": true }], "d": { "e": null } };
        assert_eq!(check(&bytes(&d)), Ok(()));
        assert_eq!(check(&nested(MAX_DEPTH - 1)), Ok(()));
    }

    #[test]
    fn deep_nesting_is_refused_with_its_offset() {
        for depth in [MAX_DEPTH + 1, 10_000] {
            let e = check(&nested(depth)).unwrap_err();
            assert!(e.message.contains("nested deeper"), "{e}");
            assert_eq!(e.offset, 4 + 7 * (MAX_DEPTH - 1), "{e:?}");
        }
    }

    #[test]
    fn damage_names_the_field_and_byte() {
        let mut b = bytes(&doc! { "a": { "flag": true } });
        let at = b.len() - 3;
        b[at] = 2;
        let e = check(&b).unwrap_err();
        assert_eq!((e.offset, e.field.as_str()), (at, "a.flag"), "{e}");
    }
}
