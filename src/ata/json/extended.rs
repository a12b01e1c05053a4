//! Extended JSON (v2 canonical and relaxed, legacy v1 "strict") to BSON, every `$` form
//! at once. The walk is ours (it names the field an error is in, never quotes a secret,
//! refuses NUL in names); the v2 wrappers are read by the bson crate, which follows the
//! specification. Read here: the legacy forms it does not know (`{$regex, $options}`,
//! `{$binary, $type}`, `$date` as milliseconds or a zoneless ISO date) and
//! `$numberDecimal`, which its parser gets wrong (see `parse_decimal`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Binary, Bson, DateTime, Document, Regex};
use serde_json::Value;

/// Converts Extended JSON (any version) into BSON. Errors name the field (dotted path)
/// they are in; inside a secret's value they never quote it.
pub fn ext_to_bson(v: Value) -> Result<Bson, ExtJsonError> {
    convert(v)
}

/// A conversion error with the path of keys leading to it (innermost first).
#[derive(Debug, Clone)]
pub struct ExtJsonError {
    path: Vec<String>,
    message: String,
}

impl std::error::Error for ExtJsonError {}

impl std::fmt::Display for ExtJsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        let path: Vec<&str> = self.path.iter().rev().map(String::as_str).collect();
        // A secret anywhere on the path: its value is not quoted.
        if path.iter().any(|k| is_secret_field(k)) {
            return write!(
                f,
                "field {}: the value is malformed (not shown: the field holds a secret)",
                path.join(".")
            );
        }
        write!(f, "field {}: {}", path.join("."), self.message)
    }
}

impl From<String> for ExtJsonError {
    fn from(message: String) -> Self {
        Self {
            path: Vec::new(),
            message,
        }
    }
}

impl From<&str> for ExtJsonError {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

/// A key whose value is (or holds) one of ATA's secrets: errors about its value must not
/// quote it. Broader than redaction's shape rule on purpose: an error is the one place
/// the value's shape is not known yet.
pub(super) fn is_secret_field(key: &str) -> bool {
    key == "EncryptedBytes" || crate::ata::snapshot::is_secret_key(key)
}

fn convert(v: Value) -> Result<Bson, ExtJsonError> {
    Ok(match v {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                match i32::try_from(i) {
                    Ok(small) => Bson::Int32(small),
                    Err(_) => Bson::Int64(i),
                }
            } else {
                Bson::Double(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => Bson::String(s),
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for (i, v) in a.into_iter().enumerate() {
                out.push(convert(v).map_err(|mut e| {
                    e.path.push(i.to_string());
                    e
                })?);
            }
            Bson::Array(out)
        }
        Value::Object(map) => {
            match special_form(&map)? {
                Form::Plain => {}
                Form::Value(v) => return Ok(v),
                Form::Crate(wrapper) => return Ok(by_the_crate(wrapper, map)?),
            }
            let mut d = Document::new();
            for (k, v) in map {
                if k.contains('\0') {
                    return Err(ExtJsonError::from(
                        "a field name holds a NUL character, which BSON cannot store",
                    ));
                }
                let value = convert(v).map_err(|mut e| {
                    e.path.push(k.clone());
                    e
                })?;
                d.insert(k, value);
            }
            Bson::Document(d)
        }
    })
}

type Map = serde_json::Map<String, Value>;

fn str_of<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what} must be a string, found {}", kind_of(v)))
}

/// A JSON value's kind, for messages (never its content: it may be a secret's).
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The keys that make an object an Extended JSON type wrapper. An object holding one
/// must be a well-formed wrapper (MongoDB's corpus refuses `{"$oid": …, "other": 1}`).
const WRAPPERS: &[&str] = &[
    "$oid",
    "$symbol",
    "$numberInt",
    "$numberLong",
    "$numberDouble",
    "$numberDecimal",
    "$binary",
    "$code",
    "$timestamp",
    "$regularExpression",
    "$dbPointer",
    "$date",
    "$minKey",
    "$maxKey",
    "$undefined",
    "$uuid",
];

/// Which `$`-form of any Extended JSON version `map` is, if any: DBRefs `{$ref, $id}` and
/// query operators such as `{$regex: {…}}` or `{$type: "string"}` are ordinary objects.
fn special_form(map: &Map) -> Result<Form, String> {
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    // Legacy regular expression: {"$regex": "…", "$options": "…"}.
    if let Some(Value::String(pattern)) = map.get("$regex") {
        let options = match map.get("$options") {
            None => "",
            Some(Value::String(o)) => o,
            Some(other) => {
                return Err(format!(
                    "$options must be a string, found {}",
                    kind_of(other)
                ));
            }
        };
        if keys.iter().all(|k| *k == "$regex" || *k == "$options") {
            return regex(pattern, options).map(Form::Value);
        }
    }
    let Some(wrapper) = WRAPPERS.iter().copied().find(|w| map.contains_key(*w)) else {
        return Ok(Form::Plain);
    };
    let value = &map[wrapper];
    let alone = || -> Result<(), String> {
        match keys.iter().find(|k| **k != wrapper) {
            Some(extra) => Err(format!(
                "{wrapper} cannot stand beside another field ({extra})"
            )),
            None => Ok(()),
        }
    };
    match wrapper {
        // Legacy (v1): {"$binary": "<base64>", "$type": "<hex>"}; the crate reads v2 only.
        "$binary" => match (value, map.get("$type")) {
            (Value::String(data), Some(t)) if keys.len() == 2 => {
                let t = str_of(t, "$type")?;
                binary(data, hex_subtype(t)?).map(Form::Value)
            }
            _ => Ok(Form::Crate(wrapper)),
        },
        // The crate's Decimal128 parser accepts malformed strings and refuses clamped
        // zeros (see `parse_decimal`).
        "$numberDecimal" => {
            alone()?;
            parse_decimal(str_of(value, "$numberDecimal")?)
                .map(|d| Form::Value(Bson::Decimal128(d)))
        }
        // Legacy forms of a date: milliseconds as a number, ISO with a `+0000` offset or
        // without a zone, a date alone; the crate reads the v2 forms only.
        "$date" => {
            alone()?;
            parse_date(value).map(|d| Form::Value(Bson::DateTime(d)))
        }
        _ => Ok(Form::Crate(wrapper)),
    }
}

/// What an object is in Extended JSON.
enum Form {
    /// An ordinary document (or a DBRef, or a query operator).
    Plain,
    /// A legacy form, or one read here (see each).
    Value(Bson),
    /// A v2 wrapper the bson crate reads.
    Crate(&'static str),
}

/// A v2 wrapper the bson crate reads as the specification says (canonical and relaxed,
/// each refusing a field beside it); its error is put after the wrapper's name.
fn by_the_crate(wrapper: &str, map: Map) -> Result<Bson, String> {
    match Bson::try_from(map).map_err(|e| format!("{wrapper} is malformed: {e}"))? {
        // BSON stores a regular expression as C strings: the crate lets a NUL through.
        Bson::RegularExpression(r) if r.pattern.contains('\0') || r.options.contains('\0') => {
            Err(NUL_IN_REGEX.into())
        }
        v => Ok(v),
    }
}

const NUL_IN_REGEX: &str = "a regular expression holds a NUL character, which BSON cannot store";

fn hex_subtype(t: &str) -> Result<u8, String> {
    if t.is_empty() || t.len() > 2 {
        return Err(format!(
            "subType `{t}` is not one or two hexadecimal digits"
        ));
    }
    u8::from_str_radix(t, 16).map_err(|_| format!("subType `{t}` is not hexadecimal"))
}

fn regex(pattern: &str, options: &str) -> Result<Bson, String> {
    if pattern.contains('\0') || options.contains('\0') {
        return Err(NUL_IN_REGEX.into());
    }
    // BSON wants the options sorted.
    let mut opts: Vec<char> = options.chars().collect();
    opts.sort_unstable();
    Ok(Bson::RegularExpression(Regex {
        pattern: pattern.to_string(),
        options: opts.into_iter().collect(),
    }))
}

fn binary(data: &str, subtype: u8) -> Result<Bson, String> {
    let bytes = B64
        .decode(data)
        .map_err(|_| "binary data is not valid base64".to_string())?;
    Ok(Bson::Binary(Binary {
        subtype: BinarySubtype::from(subtype),
        bytes,
    }))
}

/// A 64-bit integer written as a string, as every Extended JSON version writes it.
fn long_text(v: &Value, what: &str) -> Result<i64, String> {
    let s = str_of(v, what)?;
    s.parse()
        .map_err(|_| format!("{what} `{s}` is not a 64-bit integer"))
}

/// A Decimal128 string as the Extended JSON specification defines it: an optional sign,
/// then `Infinity`, `Inf`, `NaN`, or digits with at most one point and an optional
/// exponent. The bson crate's parser accepts some malformed strings (`E01`, `.`, empty)
/// and refuses zeros whose exponent is out of range (`0E+2147483647`, which is zero,
/// clamped); this checks the syntax first and clamps zeros.
fn parse_decimal(s: &str) -> Result<mongodb::bson::Decimal128, String> {
    let bad = || format!("$numberDecimal `{s}` is not a decimal number");
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), "infinity" | "inf" | "nan") {
        return s.parse().map_err(|_| bad());
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return Err(bad());
    }
    let exp: i64 = match exponent {
        None => 0,
        Some(e) => {
            let body = e.strip_prefix(['-', '+']).unwrap_or(e);
            if body.is_empty() || !digits(body) {
                return Err(bad());
            }
            // Saturate: only a zero can have a huge exponent and still be a value.
            e.parse().unwrap_or(if e.starts_with('-') {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            })
        }
    };
    let is_zero = int.bytes().chain(frac.bytes()).all(|c| c == b'0');
    if is_zero {
        // Decimal128's exponent range; a zero's exponent is clamped into it.
        let e = (exp - frac.len() as i64).clamp(-6176, 6111);
        let sign = if s.starts_with('-') { "-" } else { "" };
        return format!("{sign}0E{e}").parse().map_err(|_| bad());
    }
    if exponent.is_some_and(|e| e.parse::<i16>().is_err()) {
        return Err(format!("$numberDecimal `{s}` is out of Decimal128's range"));
    }
    s.parse().map_err(|_| bad())
}

/// `$date` as v2 relaxed (ISO string), v2 canonical (`{$numberLong}`), or legacy
/// (milliseconds as a number; ISO with a `+0000` offset).
fn parse_date(v: &Value) -> Result<DateTime, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(DateTime::from_millis)
            .ok_or_else(|| format!("$date {n} is not a number of milliseconds")),
        Value::Object(inner) => match inner.get("$numberLong") {
            Some(n) if inner.len() == 1 => {
                Ok(DateTime::from_millis(long_text(n, "$date.$numberLong")?))
            }
            _ => Err("$date must be a string, a number or exactly {$numberLong}".to_string()),
        },
        Value::String(s) => {
            parse_iso(s).ok_or_else(|| format!("$date `{s}` is not an ISO 8601 date"))
        }
        other => Err(format!("$date must be a string or a number, found {other}")),
    }
}

fn parse_iso(s: &str) -> Option<DateTime> {
    use chrono::{NaiveDate, NaiveDateTime};
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(DateTime::from_millis(d.timestamp_millis()));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(d) = chrono::DateTime::parse_from_str(s, fmt) {
            return Some(DateTime::from_millis(d.timestamp_millis()));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), fmt) {
            return Some(DateTime::from_millis(d.and_utc().timestamp_millis()));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| DateTime::from_millis(d.and_utc().timestamp_millis()))
}
