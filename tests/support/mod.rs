//! The integration tests' one support module: each test file includes it (`mod support;`)
//! and uses only part of it.
//!
//! - [`commands`]: the binary under test, started with a neutral environment.
//! - [`files`]: files on disk as tests compare them.
//! - [`fuzz`]: how many cases a property test runs.
//! - [`servers`]: the real test servers started by `scripts/test-env.sh`.
//! - [`ata`]: the canonical ATA fixture and writers for every form a consultant brings.
//! - [`checklist`]: engagements for the checklist's tests.
//! - [`report`]: the report tests' fixture engagement and a headless Chromium harness.
#![allow(dead_code, unused_imports)]

pub mod ata;
pub mod checklist;
pub mod commands;
pub mod files;
pub mod fuzz;
pub mod report;
pub mod servers;
