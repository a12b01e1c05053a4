//! Reading ATA: its MongoDB live, a mongodump folder, JSON exports and the collector
//! script's export all produce the same snapshot; `extract` turns it into the inventory.

use std::path::PathBuf;

use crate::model::Inventory;
use crate::progress::Progress;
use crate::secrets::SecretString;

/// ATA's database, live.
#[derive(Debug, Clone)]
pub struct MongoSource {
    /// `mongodb://host:port/…`, without a password (it goes in `password`).
    pub uri: String,
    pub password: Option<SecretString>,
    /// CA certificate (PEM) when the server uses TLS.
    pub ca_file: Option<PathBuf>,
    /// Database name; ATA's is `ATA`.
    pub database: String,
}

impl MongoSource {
    pub fn new(uri: String) -> Self {
        Self {
            uri,
            password: None,
            ca_file: None,
            database: "ATA".to_string(),
        }
    }
}

/// Where to read ATA from. Any combination may be given; later sources add to earlier.
#[derive(Debug, Clone, Default)]
pub struct AtaSources {
    pub mongo: Option<MongoSource>,
    pub dump: Option<PathBuf>,
    pub json: Vec<PathBuf>,
    /// A field-path mapping replacing the built-in one.
    pub mapping: Option<PathBuf>,
}

impl AtaSources {
    pub fn is_empty(&self) -> bool {
        self.mongo.is_none() && self.dump.is_none() && self.json.is_empty()
    }
}

/// ATA could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotYet(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        crate::error::exit::INPUT
    }
}

/// Reads every ATA source into `inventory.ata`, its sources and `not_found`.
pub async fn collect_into(sources: &AtaSources, inventory: &mut Inventory, progress: &dyn Progress) -> Result<(), Error> {
    // Placeholder until the readers land: nothing is read.
    let _ = (sources, inventory, progress);
    Ok(())
}

/// The read-only mongo shell script printed by `ata2atp collector ata-mongo`.
pub fn collector_script() -> String {
    "// being built (issue 3)\n".to_string()
}
