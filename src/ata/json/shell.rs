//! Mongo shell notation (`ObjectId("…")`, `ISODate("…")`, `NumberLong(…)`, regex
//! literals, unquoted keys…) rewritten into Extended JSON.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;

use super::extended::is_secret_field;

/// Shell notation that cannot be rewritten; the message names the offset and the field.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ShellError(String);

/// Rewrites mongo shell notation into Extended JSON; plain JSON comes back borrowed.
pub fn shell_to_json(text: &str) -> Result<Cow<'_, str>, ShellError> {
    if !needs_rewrite(text) {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut p = ShellParser {
        s: text.as_bytes(),
        text,
        i: 0,
        key: String::new(),
    };
    p.rewrite_until(&mut out, None).map_err(ShellError)?;
    Ok(Cow::Owned(out))
}

/// True when the text has anything outside strings that plain JSON lacks (identifiers
/// other than true/false/null, regex literals, unquoted keys).
fn needs_rewrite(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            if c == b'\\' {
                i += 1;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'/' || c == b'\'' {
            return true;
        } else if (c == b'e' || c == b'E') && i > 0 && b[i - 1].is_ascii_digit() {
            // A number's exponent (`1.5E-1`): plain JSON.
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            if !matches!(&text[start..i], "true" | "false" | "null") {
                return true;
            }
            continue;
        }
        i += 1;
    }
    false
}

struct ShellParser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    /// The last field name seen: the field whose value is being read.
    key: String,
}

impl ShellParser<'_> {
    fn err(&self, what: &str) -> String {
        let at = self.i.min(self.text.len());
        let line = self.text[..at].matches('\n').count() + 1;
        if is_secret_field(&self.key) {
            // Never quote a secret's value, not even a malformed one.
            return format!(
                "mongo shell notation: the value of field {} is malformed (not shown: the field \
                 holds a secret) (line {line}, byte {at} of the document)",
                self.key
            );
        }
        let snippet =
            crate::text::escape_controls(&self.text[at..].chars().take(30).collect::<String>());
        format!(
            "mongo shell notation: {what} (line {line}, byte {at} of the document, near \
             `{snippet}`)"
        )
    }

    /// Remembers `name` as the current field when a `:` follows the cursor.
    fn note_key(&mut self, name: &str) {
        let rest = &self.s[self.i..];
        let next = rest.iter().find(|c| !c.is_ascii_whitespace());
        if next == Some(&b':') {
            self.key = name.to_string();
        }
    }

    /// Copies and rewrites until the closing byte `end` at depth 0 (not consumed) or the
    /// end of input.
    fn rewrite_until(&mut self, out: &mut String, end: Option<u8>) -> Result<(), String> {
        let mut depth = 0i32;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if Some(c) == end && depth == 0 {
                return Ok(());
            }
            if c == b',' && end == Some(b')') && depth == 0 {
                return Ok(());
            }
            match c {
                b'"' | b'\'' => self.copy_string(out)?,
                b'{' | b'[' | b'(' => {
                    depth += 1;
                    out.push(char::from(c));
                    self.i += 1;
                }
                b'}' | b']' | b')' => {
                    depth -= 1;
                    out.push(char::from(c));
                    self.i += 1;
                }
                b'/' => self.regex(out)?,
                b'-' if self.text[self.i + 1..].starts_with("Infinity") => {
                    out.push_str(r#"{"$numberDouble":"-Infinity"}"#);
                    self.i += 1 + "Infinity".len();
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => self.identifier(out)?,
                b'0' if matches!(self.s.get(self.i + 1), Some(b'x' | b'X')) => {
                    // A hexadecimal literal (`0x585`), as mongoimport reads JavaScript.
                    let start = self.i + 2;
                    let mut end = start;
                    while end < self.s.len() && self.s[end].is_ascii_hexdigit() {
                        end += 1;
                    }
                    let n = u64::from_str_radix(&self.text[start..end], 16)
                        .map_err(|_| self.err("a hexadecimal number is malformed"))?;
                    out.push_str(&n.to_string());
                    self.i = end;
                }
                _ => {
                    // Copy a run of plain bytes (numbers, punctuation, multi-byte text).
                    let start = self.i;
                    self.i += 1;
                    loop {
                        while self.i < self.s.len() && !self.is_special(self.s[self.i]) {
                            self.i += 1;
                        }
                        match self.exponent_len() {
                            Some(n) => self.i += n,
                            None => break,
                        }
                    }
                    out.push_str(&self.text[start..self.i]);
                }
            }
        }
        match end {
            None => Ok(()),
            Some(_) => Err(self.err("a call is not closed")),
        }
    }

    /// The length of a number's exponent (`E-1`, `e+18`, `e10`) at the cursor, right
    /// after a digit; `None` when there is none.
    fn exponent_len(&self) -> Option<usize> {
        let s = &self.s[self.i..];
        let after_digit = self.i > 0 && self.s[self.i - 1].is_ascii_digit();
        if !after_digit || !matches!(s.first(), Some(b'e' | b'E')) {
            return None;
        }
        let sign = usize::from(matches!(s.get(1), Some(b'+' | b'-')));
        let digits = s[1 + sign..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        (digits > 0).then_some(1 + sign + digits)
    }

    fn is_special(&self, c: u8) -> bool {
        matches!(
            c,
            b'"' | b'\'' | b'{' | b'[' | b'(' | b'}' | b']' | b')' | b'/' | b'-' | b','
        ) || c.is_ascii_alphabetic()
            || c == b'_'
            || c == b'$'
    }

    /// Copies a string literal, turning single-quoted ones into JSON strings.
    fn copy_string(&mut self, out: &mut String) -> Result<(), String> {
        let quote = self.s[self.i];
        let start = self.i;
        self.i += 1;
        let mut content = String::new();
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if c == b'\\' {
                self.i += 2;
                continue;
            }
            if c == quote {
                self.i += 1;
                let inner = &self.text[start + 1..self.i - 1];
                if quote == b'"' {
                    out.push_str(&self.text[start..self.i]);
                } else {
                    content.push_str(inner);
                    out.push_str(&serde_json::to_string(&content).map_err(|e| e.to_string())?);
                }
                self.note_key(inner);
                return Ok(());
            }
            self.i += 1;
        }
        Err(self.err("a string is not closed"))
    }

    /// `/pattern/flags`.
    fn regex(&mut self, out: &mut String) -> Result<(), String> {
        self.i += 1;
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != b'/' {
            if self.s[self.i] == b'\\' {
                self.i += 1;
            }
            self.i += 1;
        }
        if self.i >= self.s.len() {
            return Err(self.err("a regular expression is not closed"));
        }
        let pattern = &self.text[start..self.i];
        self.i += 1;
        let fstart = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_alphabetic() {
            self.i += 1;
        }
        let options = &self.text[fstart..self.i];
        out.push_str(&format!(
            r#"{{"$regularExpression":{{"pattern":{},"options":{}}}}}"#,
            json_str(pattern),
            json_str(options)
        ));
        Ok(())
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn identifier(&mut self, out: &mut String) -> Result<(), String> {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric()
                || self.s[self.i] == b'_'
                || self.s[self.i] == b'$')
        {
            self.i += 1;
        }
        let ident = &self.text[start..self.i];
        let after = self.i;
        self.skip_ws();
        // An unquoted key: `{ _id: 1 }`.
        if self.i < self.s.len() && self.s[self.i] == b':' {
            out.push_str(&json_str(ident));
            self.key = ident.to_string();
            return Ok(());
        }
        match ident {
            "true" | "false" | "null" => {
                out.push_str(ident);
                self.i = after;
                return Ok(());
            }
            "undefined" => {
                out.push_str(r#"{"$undefined":true}"#);
                self.i = after;
                return Ok(());
            }
            "NaN" | "Infinity" => {
                out.push_str(&format!(r#"{{"$numberDouble":"{ident}"}}"#));
                self.i = after;
                return Ok(());
            }
            "new" => return Ok(()), // `new Date(…)`, `new NumberLong(…)`: the call follows.
            _ => {}
        }
        let has_call = self.i < self.s.len() && self.s[self.i] == b'(';
        if !has_call {
            return match ident {
                "MinKey" => {
                    out.push_str(r#"{"$minKey":1}"#);
                    Ok(())
                }
                "MaxKey" => {
                    out.push_str(r#"{"$maxKey":1}"#);
                    Ok(())
                }
                _ => {
                    self.i = start;
                    Err(self.err(&format!("unknown word `{ident}`")))
                }
            };
        }
        self.i += 1;
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            if self.i < self.s.len() && self.s[self.i] == b')' {
                self.i += 1;
                break;
            }
            let mut arg = String::new();
            self.rewrite_until(&mut arg, Some(b')'))?;
            args.push(arg.trim().to_string());
            if self.i < self.s.len() && self.s[self.i] == b',' {
                self.i += 1;
            }
        }
        let call_at = start;
        let call = shell_call(ident, &args).map_err(|m| {
            self.i = call_at;
            self.err(&m)
        })?;
        out.push_str(&call);
        Ok(())
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The argument as a string literal or a bare number.
fn arg_text(arg: &str) -> Result<String, String> {
    match serde_json::from_str::<Value>(arg) {
        Ok(Value::String(s)) => Ok(s),
        Ok(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(format!("expected a string or a number, found `{arg}`")),
    }
}

fn shell_call(name: &str, args: &[String]) -> Result<String, String> {
    let one = || -> Result<String, String> {
        match args {
            [a] => arg_text(a),
            _ => Err(format!(
                "{name}(…) takes one argument, found {}",
                args.len()
            )),
        }
    };
    let two = || -> Result<(String, String), String> {
        match args {
            [a, b] => Ok((arg_text(a)?, arg_text(b)?)),
            _ => Err(format!(
                "{name}(…) takes two arguments, found {}",
                args.len()
            )),
        }
    };
    Ok(match name {
        "ObjectId" => format!(r#"{{"$oid":{}}}"#, json_str(&one()?)),
        "ISODate" | "Date" => {
            let v = one()?;
            if v.parse::<i64>().is_ok() {
                format!(r#"{{"$date":{{"$numberLong":"{v}"}}}}"#)
            } else {
                format!(r#"{{"$date":{}}}"#, json_str(&v))
            }
        }
        "NumberLong" => format!(r#"{{"$numberLong":"{}"}}"#, one()?),
        "NumberInt" => format!(r#"{{"$numberInt":"{}"}}"#, one()?),
        "NumberDecimal" => format!(r#"{{"$numberDecimal":"{}"}}"#, one()?),
        "BinData" => {
            let (subtype, data) = two()?;
            let subtype: u8 = subtype
                .parse()
                .map_err(|_| format!("BinData subtype `{subtype}` is not a number"))?;
            format!(
                r#"{{"$binary":{{"base64":{},"subType":"{subtype:02x}"}}}}"#,
                json_str(&data)
            )
        }
        "HexData" => {
            let (subtype, data) = two()?;
            let subtype: u8 = subtype
                .parse()
                .map_err(|_| format!("HexData subtype `{subtype}` is not a number"))?;
            let bytes =
                hex::decode(&data).map_err(|_| format!("HexData `{data}` is not hexadecimal"))?;
            format!(
                r#"{{"$binary":{{"base64":"{}","subType":"{subtype:02x}"}}}}"#,
                B64.encode(bytes)
            )
        }
        "UUID" => format!(r#"{{"$uuid":{}}}"#, json_str(&one()?)),
        // mongoimport reads `Boolean(x)` with JavaScript's truthiness of its first argument.
        "Boolean" => {
            let truthy = match args.first().map(|a| serde_json::from_str::<Value>(a)) {
                None => false,
                Some(Ok(Value::Null)) => false,
                Some(Ok(Value::Bool(b))) => b,
                Some(Ok(Value::Number(n))) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
                Some(Ok(Value::String(s))) => !s.is_empty(),
                Some(Ok(Value::Object(o))) => !o.contains_key("$undefined"),
                Some(Ok(Value::Array(_))) => true,
                Some(Err(_)) => return Err(format!("Boolean(…) of `{}` is not a value", args[0])),
            };
            truthy.to_string()
        }
        "Timestamp" => {
            let (t, i) = two()?;
            format!(r#"{{"$timestamp":{{"t":{t},"i":{i}}}}}"#)
        }
        "DBRef" => match args {
            [c, id] => format!(r#"{{"$ref":{c},"$id":{id}}}"#),
            _ => return Err("DBRef(…) takes two arguments".to_string()),
        },
        _ => return Err(format!("unknown function `{name}(…)`")),
    })
}
