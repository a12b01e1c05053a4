//! The document a checklist's paths are evaluated against: the inventory as it is written
//! to `inventory.yaml` (`serde_json::to_value(&Inventory)`), its fields at the top level,
//! and the engagement's configuration (`ata2atp.yaml`) under the extra root `engagement`.
//! Built once per inventory by the front ends and the report, then read by
//! [`super::bind`] and the gates.

use serde_json::Value;

use crate::engagement::EngagementConfig;
use crate::model::Inventory;

/// The document of `inventory` and `config`; either may be absent (no inventory
/// collected yet), and its part is then missing from the document.
pub fn of(inventory: Option<&Inventory>, config: Option<&EngagementConfig>) -> Value {
    let mut root = match inventory.map(serde_json::to_value) {
        Some(Ok(Value::Object(map))) => map,
        _ => serde_json::Map::new(),
    };
    if let Some(Ok(c)) = config.map(serde_json::to_value) {
        root.insert("engagement".into(), c);
    }
    Value::Object(root)
}
