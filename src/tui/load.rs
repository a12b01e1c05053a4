//! Reading the engagement for the screen, off the render path: the first frame is drawn
//! before any of this runs, and each part is sent as a message when it is read.

use std::sync::Arc;

use super::msg::{InventoryLoaded, Loaded};
use crate::checklist;
use crate::digest::sha256_hex;
use crate::engagement::{Engagement, EngagementConfig, INVENTORY_FILE};

/// The checks, the checklist definition and its state.
pub fn checks_and_checklist(engagement: &Engagement, config: &EngagementConfig) -> Loaded {
    let root = engagement.root();
    let definition = checklist::resolve(Some(root), &config.guide).map(Arc::new);
    // A state of another guide is left alone: the library's reader gives a fresh one
    // for this guide, and saving refuses to overwrite the other.
    let state = match &definition {
        Ok(def) => checklist::state::for_guide(engagement, def, false).map(Some),
        Err(_) => Ok(None),
    };
    Loaded {
        checks: engagement.checks(),
        definition,
        state,
        guides: checklist::available(Some(root)),
    }
}

/// The inventory, its hash, and the checklist's document of it.
pub fn inventory(engagement: &Engagement, config: &EngagementConfig) -> InventoryLoaded {
    // The bytes are read once more for the hash: cheap next to parsing, and it is the
    // same rule `check` uses to tie results to an inventory file.
    let sha256 = std::fs::read(engagement.path(INVENTORY_FILE))
        .ok()
        .map(|b| sha256_hex(&b));
    let inventory = engagement.inventory().map(|i| i.map(Arc::new));
    let document = checklist::document::of(
        inventory.as_ref().ok().and_then(|i| i.as_deref()),
        Some(config),
    );
    InventoryLoaded {
        inventory,
        sha256,
        document,
    }
}
