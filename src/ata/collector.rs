//! The collector script: a read-only mongo shell script the consultant runs on the ATA
//! Center when ata2atp may not (or cannot: MongoDB older than 3.6) connect itself.
//!
//! ```text
//! ata2atp collector ata-mongo > collect-ata.js
//! mongo.exe ATA --quiet collect-ata.js > ata-export.json      (cmd.exe)
//! ata2atp inventory --ata-json ata-export.json
//! ```
//!
//! It exports exactly what extraction reads, chosen by the same mapping and the same
//! filters as the Rust readers: every SystemProfile document; the SuspiciousActivity
//! documents still to record (open, suppressed) with only the fields needed, plus alert
//! counts by status; the UniqueEntity documents the settings or those alerts refer to, or
//! flagged honeytoken/sensitive, with only the fields needed; and every collection's name
//! with its count and size. Secrets are replaced by `true`/`false` before printing, so
//! the export never holds an encrypted blob.
//!
//! The output is one document per line in mongo shell notation (`tojsononeline`), which
//! [`super::json`] reads like any export: a header line (`ata2atp_collector`), then
//! `{collection, document}` lines, then a trailer whose absence reveals a cut-off file.
//! The script is ES5 (no `let`, no arrow functions) so it runs in the 3.0 shell (V8) as
//! well as 3.2+ (SpiderMonkey). It only calls `find`, `aggregate`, `count`, `stats`,
//! `getCollectionNames` and `version`.

use serde_json::json;

use super::mapping::Mapping;

/// The script, configured from `mapping`.
pub fn script(mapping: &Mapping) -> String {
    let m = mapping;
    let mut entity_fields: Vec<String> = vec![m.entities.id.clone(), m.entities.kind.clone()];
    entity_fields.extend(m.entities.name.iter().cloned());
    entity_fields.extend(m.entities.sid.iter().cloned());
    let mut flags: Vec<String> = m.honeytokens.entity_flags.iter().cloned().collect();
    flags.extend(m.sensitive.automatic_flags.iter().cloned());
    entity_fields.extend(flags.iter().cloned());
    let a = &m.alerts;
    let mut alert_fields = vec![a.kind.clone(), a.status.clone()];
    for p in [&a.severity, &a.start_time, &a.end_time, &a.entity_refs] {
        alert_fields.extend(p.iter().cloned());
    }
    let listed: Vec<String> = a.open.iter().chain(a.suppressed.iter()).cloned().collect();
    let mut id_lists: Vec<String> = m.honeytokens.id_lists.iter().cloned().collect();
    id_lists.extend(m.sensitive.manual_id_lists.iter().cloned());
    let config = json!({
        "collections": {
            "SystemProfile": m.collections.system_profile.0,
            "UniqueEntity": m.collections.unique_entity.0,
            "SuspiciousActivity": m.collections.suspicious_activity.0,
        },
        "gatewayPattern": m.profiles.gateway_pattern,
        "idLists": id_lists,
        "detectorSection": m.detectors.section,
        "detectorPattern": m.detectors.key_pattern,
        "exclusionPrefix": m.detectors.exclusion_prefix,
        "entityId": m.entities.id,
        "entityFields": entity_fields,
        "entityFlags": flags,
        "alertStatus": a.status,
        "alertListed": listed,
        "alertFields": alert_fields,
        "alertRefs": a.entity_refs.0,
        "idBatch": super::live::ID_BATCH,
    });
    let config = serde_json::to_string_pretty(&config).unwrap_or_else(|_| "{}".to_string());
    SCRIPT
        .replace("__CONFIG__", &config)
        .replace("__VERSION__", crate::model::TOOL_VERSION)
}

const SCRIPT: &str = r#"// ata2atp __VERSION__ collector for the ATA Center's MongoDB. READ-ONLY: it only reads.
//
// Run it on the ATA Center, from cmd.exe (not PowerShell, whose ">" writes UTF-16):
//   cd "C:\Program Files\Microsoft Advanced Threat Analytics\Center\MongoDB\bin"
//   mongo.exe ATA --quiet collect-ata.js > ata-export.json
// then, on the consultant's machine:
//   ata2atp inventory --ata-json ata-export.json
//
// It prints one JSON document per line: a header (server version, collections with
// counts and sizes, alert counts by status), every SystemProfile document, the alerts
// still open or suppressed, the directory entities ATA's settings and those alerts name,
// and a last line marking the end. Encrypted values (passwords, shared secrets) are
// replaced by true/false before printing: the file holds no secret.
(function () {
    var CONFIG = __CONFIG__;

    function out(o) { print(tojsononeline(o)); }

    // Secrets by shape, as the Rust readers decide (snapshot::is_secret): the encrypted
    // document anywhere, or a blob, text, list or empty slot under a key *ending* in
    // Encrypted/Password/Secret (a detector named Encrypted... is not a secret).
    function isSecretKey(k) {
        return /(encrypted|password|secret|passwd)$/.test(k.toLowerCase());
    }
    function isEncryptedShape(v) {
        return v !== null && typeof v === "object" && !(v instanceof Array) &&
            Object.prototype.hasOwnProperty.call(v, "EncryptedBytes");
    }
    function isSecret(k, v) {
        if (isEncryptedShape(v)) { return true; }
        if (!isSecretKey(k)) { return false; }
        if (v === null || v === undefined || typeof v === "string" || v instanceof Array) { return true; }
        return typeof BinData !== "undefined" && v instanceof BinData;
    }
    function present(v) {
        if (v === null || v === undefined) { return false; }
        if (typeof v === "boolean") { return v; }
        if (typeof v === "string") { return v.length > 0; }
        if (typeof BinData !== "undefined" && v instanceof BinData) { return v.base64().length > 0; }
        if (v instanceof Array) { for (var i = 0; i < v.length; i++) { if (present(v[i])) { return true; } } return false; }
        if (typeof v === "object") {
            if (v.hasOwnProperty("EncryptedBytes")) { return present(v.EncryptedBytes); }
            for (var k in v) { if (v.hasOwnProperty(k) && present(v[k])) { return true; } }
            return false;
        }
        return true;
    }
    // Shell types are objects too; everything else that is an object is a sub-document.
    var SPECIAL = ["ObjectId", "BinData", "NumberLong", "NumberInt", "NumberDecimal", "Timestamp", "DBRef", "Date", "RegExp"];
    function isPlain(v) {
        if (v === null || typeof v !== "object") { return false; }
        for (var i = 0; i < SPECIAL.length; i++) {
            var ctor = this[SPECIAL[i]];
            if (typeof ctor === "function" && v instanceof ctor) { return false; }
        }
        return true;
    }
    function redact(o) {
        for (var k in o) {
            if (!o.hasOwnProperty(k)) { continue; }
            if (isSecret(k, o[k])) { o[k] = present(o[k]); }
            else if (isPlain(o[k])) { redact(o[k]); }
        }
        return o;
    }
    function get(o, path) {
        var parts = path.split(".");
        for (var i = 0; i < parts.length; i++) {
            if (o === null || o === undefined || typeof o !== "object") { return undefined; }
            o = o[parts[i]];
        }
        return o;
    }
    function types(d) {
        var t = d._t;
        if (t === undefined || t === null) { return []; }
        return (t instanceof Array) ? t : [t];
    }
    function projection(fields) {
        var p = {};
        for (var i = 0; i < fields.length; i++) { p[fields[i]] = 1; }
        return p;
    }
    var all = db.getCollectionNames();
    function physical(logical) {
        var wanted = CONFIG.collections[logical], found = [];
        for (var i = 0; i < all.length; i++) {
            for (var j = 0; j < wanted.length; j++) {
                if (all[i].toLowerCase() === wanted[j].toLowerCase()) { found.push(all[i]); }
            }
        }
        return found;
    }

    // Header: collections with counts and sizes, alert counts by status.
    var collections = [];
    var perDay = /^[A-Za-z]+_\d{8,14}$/;
    for (var i = 0; i < all.length; i++) {
        var c = db.getCollection(all[i]);
        var info = { name: all[i] };
        if (!perDay.test(all[i])) {
            info.count = c.count();
            try { info.size = c.stats().size; } catch (e) { /* stats not allowed: leave it out */ }
        }
        collections.push(info);
    }
    var tally = {};
    var alertColls = physical("SuspiciousActivity");
    for (var i = 0; i < alertColls.length; i++) {
        var group = {}; group["_id"] = "$" + CONFIG.alertStatus; group["n"] = { "$sum": 1 };
        db.getCollection(alertColls[i]).aggregate([{ "$group": group }]).forEach(function (g) {
            var key = (g._id === null || g._id === undefined) ? "(missing)" : String(g._id);
            tally[key] = (tally[key] || 0) + g.n;
        });
    }
    var tallies = {};
    tallies["SuspiciousActivity." + CONFIG.alertStatus] = tally;
    out({ "ata2atp_collector": 1, "database": db.getName(), "server_version": db.version(),
          "collected_at": new Date(), "collections": collections, "tallies": tallies });

    var printed = 0;
    var wanted = {}, wantedList = [];
    function want(v) {
        if (v === null || v === undefined || typeof v === "boolean") { return; }
        var key = tojson(v);
        if (!wanted.hasOwnProperty(key)) { wanted[key] = true; wantedList.push(v); }
    }
    function wantAll(v) {
        if (v instanceof Array) { for (var i = 0; i < v.length; i++) { want(v[i]); } } else { want(v); }
    }

    // 1. Every SystemProfile document; note the entity ids the settings name.
    var gateway = new RegExp(CONFIG.gatewayPattern);
    var detector = new RegExp(CONFIG.detectorPattern);
    physical("SystemProfile").forEach(function (name) {
        db.getCollection(name).find().forEach(function (d) {
            var isGateway = false, t = types(d);
            for (var i = 0; i < t.length; i++) { if (gateway.test(t[i])) { isGateway = true; } }
            for (var i = 0; i < CONFIG.idLists.length; i++) { wantAll(get(d, CONFIG.idLists[i])); }
            var section = get(d, CONFIG.detectorSection);
            if (!isGateway && section && typeof section === "object") {
                for (var key in section) {
                    if (!section.hasOwnProperty(key) || !detector.test(key)) { continue; }
                    var conf = section[key];
                    for (var list in conf) {
                        if (conf.hasOwnProperty(list) && list.indexOf(CONFIG.exclusionPrefix) === 0) { wantAll(conf[list]); }
                    }
                }
            }
            out({ "collection": name, "document": redact(d) });
            printed++;
        });
    });

    // 2. Alerts still to record, with only the fields the inventory needs.
    alertColls.forEach(function (name) {
        var q = {}; q[CONFIG.alertStatus] = { "$in": CONFIG.alertListed };
        db.getCollection(name).find(q, projection(CONFIG.alertFields)).forEach(function (d) {
            for (var i = 0; i < CONFIG.alertRefs.length; i++) { wantAll(get(d, CONFIG.alertRefs[i])); }
            out({ "collection": name, "document": redact(d) });
            printed++;
        });
    });

    // 3. The entities named above, or flagged honeytoken / sensitive: batched $in.
    physical("UniqueEntity").forEach(function (name) {
        var coll = db.getCollection(name), seen = {};
        function emit(d) {
            var key = tojson(d._id);
            if (seen.hasOwnProperty(key)) { return; }
            seen[key] = true;
            out({ "collection": name, "document": redact(d) });
            printed++;
        }
        var flags = [];
        for (var i = 0; i < CONFIG.entityFlags.length; i++) {
            var f = {}; f[CONFIG.entityFlags[i]] = true; flags.push(f);
        }
        if (flags.length > 0) { coll.find({ "$or": flags }, projection(CONFIG.entityFields)).forEach(emit); }
        for (var start = 0; start < wantedList.length; start += CONFIG.idBatch) {
            var q = {}; q[CONFIG.entityId] = { "$in": wantedList.slice(start, start + CONFIG.idBatch) };
            coll.find(q, projection(CONFIG.entityFields)).forEach(emit);
        }
    });

    out({ "ata2atp_collector_end": true, "documents": printed });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_configured_read_only_and_es5() {
        let s = script(&Mapping::builtin().unwrap());
        assert!(s.contains("\"HoneytokenAccountIds\"") || s.contains("HoneytokenAccountIds"));
        assert!(!s.contains("__CONFIG__"));
        for write in [
            ".insert(", ".update(", ".remove(", ".drop(", ".save(", "$out", "$merge", "=>", "let ",
            "const ",
        ] {
            assert!(!s.contains(write), "the script must not contain {write}");
        }
    }
}
