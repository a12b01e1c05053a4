//! The advanced audit policy as `auditpol` prints it, pasted per domain controller (or
//! read by the collector script, which runs the same command).
//!
//! Two shapes are read, both CSV:
//!
//! ```text
//! auditpol /get /category:* /r
//! Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting
//! FAB-DC01,System,Credential Validation,{0CCE923F-69AE-11D9-BED3-505054503030},Success and Failure,
//!
//! auditpol /backup /file:x.csv
//! Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value
//! FAB-DC01,System,Audit Credential Validation,{0cce923f-69ae-11d9-bed3-505054503030},Success and Failure,,3
//! ```
//!
//! The header, the subcategory names and the inclusion setting are in the DC's language;
//! columns are therefore taken by position and subcategories by GUID. The setting is read
//! from `Setting Value` when the file has it (a number: 1 success, 2 failure, 3 both), else
//! from the inclusion text through [`SETTINGS`] (English, German, French). A text in
//! another language costs that one subcategory (the DC's `errors` name it, the check says
//! Unknown and asks for the `/backup` form), never the file. Files written by Windows
//! PowerShell's `>` are UTF-16LE with a byte-order mark and CRLF: accepted, as everything
//! [`crate::text::decode_text`] accepts; `cmd.exe`'s `>` writes the console's code page,
//! whose ASCII is read ([`crate::text::decode_console_text`]) and whose settings are
//! known by their ASCII letters ([`flags`]).

use std::path::Path;

use crate::model::{AuditSubcategory, DcFacts};

/// Inclusion settings as `auditpol /r` prints them: text → (success, failure).
pub const SETTINGS: &[(&str, (bool, bool))] = &[
    ("No Auditing", (false, false)),
    ("Success", (true, false)),
    ("Failure", (false, true)),
    ("Success and Failure", (true, true)),
    // German
    ("Keine Überwachung", (false, false)),
    ("Erfolg", (true, false)),
    ("Fehler", (false, true)),
    ("Erfolg und Fehler", (true, true)),
    // French
    ("Pas d'audit", (false, false)),
    ("Pas d’audit", (false, false)),
    ("Aucun audit", (false, false)),
    ("Succès", (true, false)),
    ("Échec", (false, true)),
    ("Succès et échec", (true, true)),
];

/// The canonical text of a `Setting Value` number, as stored for `/backup` files.
fn setting_text(value: u8) -> &'static str {
    match value {
        1 => "Success",
        2 => "Failure",
        3 => "Success and Failure",
        _ => "No Auditing",
    }
}

/// What an inclusion setting means: (success, failure); `None` for a text this build does
/// not know (another language).
pub fn flags(setting: &str) -> Option<(bool, bool)> {
    let s = setting.trim().to_lowercase();
    SETTINGS
        .iter()
        .find(|(t, _)| t.to_lowercase() == s || in_a_code_page(t) == s)
        .map(|(_, f)| *f)
}

/// A known setting as [`crate::text::decode_console_text`] reads it from a code page that is
/// not UTF-8: each letter outside ASCII is U+FFFD (`keine �berwachung`). No two settings
/// of different meaning read alike so (a unit test holds it), so this is no guess.
fn in_a_code_page(setting: &str) -> String {
    setting
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c
            } else {
                char::REPLACEMENT_CHARACTER
            }
        })
        .collect()
}

/// A file that is not auditpol's CSV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}; {}", super::Expected::Auditpol)]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// `{0cce923f-69ae-11d9-bed3-505054503030}` → `0CCE923F-69AE-11D9-BED3-505054503030`.
pub fn normalize_guid(g: &str) -> Option<String> {
    let t = g.trim().trim_start_matches('{').trim_end_matches('}');
    let ok = t.len() == 36
        && t.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    ok.then(|| t.to_ascii_uppercase())
}

/// Parses one capture. The DC is named by the `Machine Name` column, else by `file_stem`.
/// Several DCs in one file (concatenated captures) are kept apart by that column.
pub fn parse(text: &str, file: &str, file_stem: &str) -> Result<Vec<DcFacts>, ParseError> {
    let err = |line: usize, message: String| ParseError {
        file: file.to_string(),
        line,
        message,
    };
    let mut out: Vec<DcFacts> = Vec::new();
    let mut value_column = false;
    let mut saw_header = false;
    let mut rows = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(line.as_bytes());
        let Some(Ok(record)) = reader.records().next() else {
            return Err(err(n, format!("not a CSV line: '{}'", clip(line))));
        };
        let fields: Vec<&str> = record.iter().collect();
        // The GUID column by its content: names never look like a braced GUID.
        let guid_at = fields.iter().position(|f| {
            let t = f.trim();
            t.starts_with('{') && normalize_guid(t).is_some()
        });
        let Some(g) = guid_at else {
            if !saw_header && fields.len() >= 6 {
                // The header (its words are in the DC's language): only its width matters.
                saw_header = true;
                value_column = fields.len() >= 7;
                continue;
            }
            if fields.len() >= 6 && fields.get(3).is_some_and(|f| f.trim().is_empty()) {
                // /backup's option and global-SACL rows (`,,Option:CrashOnAuditFail,,…`).
                continue;
            }
            return Err(err(
                n,
                format!(
                    "expected a subcategory line (machine, target, subcategory, {{GUID}}, setting): '{}'",
                    clip(line)
                ),
            ));
        };
        if g < 2 || fields.len() < g + 2 {
            return Err(err(
                n,
                format!("the columns around the GUID are missing: '{}'", clip(line)),
            ));
        }
        let machine = fields[0].trim();
        let name = fields[2..g].join(",").trim().to_string();
        let guid = normalize_guid(fields[g]).unwrap_or_default();
        let inclusion = fields[g + 1].trim();
        let host = if machine.is_empty() {
            file_stem
        } else {
            machine
        };
        let entry = match out
            .iter_mut()
            .position(|d| d.name.eq_ignore_ascii_case(host))
        {
            Some(i) => &mut out[i],
            None => {
                out.push(DcFacts::new(host));
                let last = out.len() - 1;
                &mut out[last]
            }
        };
        let setting = if value_column {
            match fields.last().map(|v| v.trim().parse::<u8>()) {
                Some(Ok(v)) if v <= 3 => setting_text(v).to_string(),
                _ => {
                    return Err(err(
                        n,
                        format!("Setting Value must be 0 to 3: '{}'", clip(line)),
                    ));
                }
            }
        } else {
            inclusion.to_string()
        };
        if flags(&setting).is_none() {
            // Another language: this subcategory cannot be judged, the rest can.
            entry.errors.push(format!(
                "audit_policy: the setting '{setting}' of {name} ({guid}) is in a language this build does not read; \
                 paste `auditpol /backup /file:FILE` instead (its Setting Value column is a number)"
            ));
        }
        let list = entry.audit_policy.get_or_insert_with(Vec::new);
        if let Some(prev) = list.iter().find(|s| s.guid == guid) {
            if prev.setting != setting {
                return Err(err(
                    n,
                    format!("{name} ({guid}) appears twice for {host} with different settings"),
                ));
            }
            continue;
        }
        list.push(AuditSubcategory {
            guid,
            name,
            setting,
        });
        rows += 1;
    }
    if rows == 0 {
        return Err(err(0, "no subcategory line found (empty file?)".into()));
    }
    Ok(out)
}

fn clip(s: &str) -> String {
    s.trim().chars().take(120).collect()
}

/// Reads one pasted capture file.
pub fn read(path: &Path) -> Result<Vec<DcFacts>, super::Error> {
    let text = super::read_text(path, super::Expected::Auditpol)?;
    Ok(parse(
        &text,
        &path.display().to_string(),
        &super::reg_query::stem(path),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = "Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting\r\n\
FAB-DC01,System,Security System Extension,{0CCE9211-69AE-11D9-BED3-505054503030},No Auditing,\r\n\
FAB-DC01,System,Credential Validation,{0CCE923F-69AE-11D9-BED3-505054503030},Success and Failure,\r\n\
\r\n";

    #[test]
    fn english_r_output_by_guid() {
        let r = parse(EN, "x.csv", "x").unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].name, "FAB-DC01");
        let p = r[0].audit_policy.as_ref().unwrap();
        assert_eq!(p[1].guid, "0CCE923F-69AE-11D9-BED3-505054503030");
        assert_eq!(flags(&p[1].setting), Some((true, true)));
        assert_eq!(flags(&p[0].setting), Some((false, false)));
        assert!(r[0].errors.is_empty());
    }

    #[test]
    fn backup_files_take_the_number_and_skip_option_rows() {
        let text = "Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value\n\
DC9,System,Audit Credential Validation,{0cce923f-69ae-11d9-bed3-505054503030},Réussite,,1\n\
,,Option:CrashOnAuditFail,,Disabled,,0\n\
,,RegistryGlobalSacl,,,,\n";
        let r = parse(text, "b.csv", "b").unwrap();
        let p = r[0].audit_policy.as_ref().unwrap();
        assert_eq!((p.len(), p[0].setting.as_str()), (1, "Success"));
        assert!(r[0].errors.is_empty());
    }

    #[test]
    fn a_german_capture_in_code_page_850_is_judged_by_its_ascii() {
        // `auditpol /get /category:* /r > DC1.csv` in cmd.exe on a German DC: code page
        // 850, where Ü is 0x9A, ü 0x81 and ä 0x84.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("DC1.csv");
        let mut bytes = b"Computername,Richtlinienziel,Unterkategorie,GUID der Unterkategorie,Inklusionseinstellung,Exklusionseinstellung\r\n".to_vec();
        bytes.extend(b"DC1,System,Richtlinien\x84nderung \x81berwachen,{0CCE922F-69AE-11D9-BED3-505054503030},Keine \x9Aberwachung,\r\n");
        bytes.extend(
            b"DC1,System,Anmeldung,{0CCE923F-69AE-11D9-BED3-505054503030},Erfolg und Fehler,\r\n",
        );
        std::fs::write(&path, bytes).unwrap();
        let r = read(&path).unwrap();
        assert!(r[0].errors.is_empty(), "{:?}", r[0].errors);
        let p = r[0].audit_policy.as_ref().unwrap();
        let judged: Vec<_> = p.iter().map(|s| flags(&s.setting)).collect();
        assert_eq!(judged, [Some((false, false)), Some((true, true))]);
        // The letters the code page wrote are not guessed.
        assert_eq!(p[0].name, "Richtlinien\u{FFFD}nderung \u{FFFD}berwachen");
    }

    #[test]
    fn no_two_settings_of_different_meaning_read_alike_from_a_code_page() {
        for (a, fa) in SETTINGS {
            for (b, fb) in SETTINGS {
                if fa != fb {
                    assert_ne!(in_a_code_page(a), in_a_code_page(b), "{a} ~ {b}");
                    assert_ne!(in_a_code_page(a), b.to_lowercase(), "{a} ~ {b}");
                }
            }
        }
    }

    #[test]
    fn an_unknown_language_costs_one_subcategory() {
        let text = "A,B,C,D,E,F\nDC1,Sistema,Convalida credenziali,{0CCE923F-69AE-11D9-BED3-505054503030},Operazione riuscita,\nDC1,System,Credential Validation X,{0CCE9211-69AE-11D9-BED3-505054503030},Success,\n";
        let r = parse(text, "i.csv", "i").unwrap();
        assert_eq!(r[0].audit_policy.as_ref().unwrap().len(), 2);
        assert_eq!(r[0].errors.len(), 1);
        assert!(
            r[0].errors[0].starts_with("audit_policy: "),
            "{}",
            r[0].errors[0]
        );
    }

    #[test]
    fn what_is_not_auditpol_output_is_named_with_its_line() {
        let e = parse("Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting\nhello world\n", "n.csv", "n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.to_string().contains("auditpol /get /category:* /r"),
            "{e}"
        );
        assert!(parse("", "e.csv", "e").is_err());
        let e = parse("DC1,System,X,{0CCE923F-69AE-11D9-BED3-505054503030},Success,\nDC1,System,X,{0CCE923F-69AE-11D9-BED3-505054503030},Failure,\n", "d.csv", "d").unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
    }
}
