//! # ata2atp: from Microsoft ATA to Azure ATP / Defender for Identity
//!
//! A consultant moving a customer off Advanced Threat Analytics must write down every
//! setting ATA holds and enter it again in the cloud, check that the domain controllers
//! and the network are ready, walk the guide's configuration steps, and hand the customer
//! a report to sign. This crate does the reading, checking and bookkeeping; the binary
//! (`src/main.rs`) is a thin front end over [`cli`].
//!
//! ## The map
//!
//! Data flows one way, through one model; every file of the engagement folder is read and
//! written by [`engagement`] (atomic writes under the writer's lock):
//!
//! ```text
//!  mappings/ata-default.yaml ─┐
//!  ATA (MongoDB, dump, JSON) ─┴► ata ──────┐
//!  AD (LDAP, LDIF) ──────────► directory ──┼► inventory ─► Inventory ─► checks ─► CheckResult
//!  collector JSON, reg query ► hosts ──────┘      │ inventory.yaml  │     │ checks.yaml  │
//!                                                 │                 ▼     ▼              │
//!  checklists/*.yaml ─────────────────────────────┼──────────────► checklist ◄──────────┘
//!                                                 │                 │ checklist.yaml
//!  report-templates/*.tera, report.js ────────────┴──────────────► report ─► reports/ (HTML, PDF, …)
//!                                          present: one wording of every value for
//!                                          report, checklist, CSV and the TUI
//!  demo/ (the built-in sample deployment) ─► demo ─► the same path as a real engagement
//! ```
//!
//! | module | owns |
//! |---|---|
//! | [`model`] | the plain serde types: [`model::Inventory`], [`model::CheckResult`], [`model::ChecklistState`]; no I/O |
//! | [`engagement`] | the engagement folder: `config` (`ata2atp.yaml`), `files` (atomic, no-follow writes), `lock` (the writer's lock), history |
//! | [`ata`] | reading ATA (live MongoDB, mongodump, JSON exports, collector script) into one snapshot, and the mapping-driven extraction into `inventory.ata` (`ata::extract`, one file per setting family, every collection scanned through its `Reading`); JSON exports in `ata::json` (file, splitter, shell notation, Extended JSON: the v2 wrappers read by the bson crate, the legacy forms here); dumps framed in `ata::dump::frame` and read on every core (`ata::pipeline`), only the mapped fields decoded; the snapshot's paths and raw filter, secrets and projections in `ata::snapshot` (with the scan loops' shared steps, `ScanOutcome::next` and `Scan::keep`); the live reader's errors in words in `ata::live::failure` |
//! | [`directory`] | Active Directory over LDAP (`directory::ldap`, `directory::live`) or from LDIF (`directory::ldif`), both into one snapshot of entries (`directory::snapshot`, `directory::entry`) that `directory::read` turns into the inventory: forest, DCs, sensitive groups, the directory services accounts and their bind test (`directory::dsa`), object auditing (`directory::security_descriptor` parses SDDL and binary descriptors), the AD object behind each ATA entity and the kind of the gateways ATA left undecided (`directory::resolve`) |
//! | [`hosts`] | DC, server and Center facts: the collector scripts (`hosts/*.ps1`, the blocks two scripts share in `hosts/parts/`, spliced in when printed), their JSON, pasted `reg query` and `auditpol /r` output, each file read into the inventory and its sources by `hosts::collect_into` |
//! | [`inventory`] | one collection run: ATA, then the directory, then host facts, into `inventory.yaml` with each source's status |
//! | [`checks`] | the prerequisite checks: stable ids, one file or folder per family (`ata`, `directory`, `dotnet`, `events` (Windows event collection: audit policy, SACLs, NTLM auditing), `network` with its target, probe, proxy and TLS, `sensor`, `logs`), the concurrent runner (`checks::engine`), `checks.yaml`, accepted risks, the remediation scripts (`checks::remediation`), what the tool itself can do about a result (`checks::action`, worded by each front end), the readiness verdict (`checks::verdict`) |
//! | [`checklist`] | the guide's steps as data (`checklists/*.yaml`, parsed in `checklist::definition`), bound to the inventory (`checklist::bind`; the inventory as the document paths walk in `checklist::document`, paths in `checklist::path` checked against `checklist::schema`, which also knows the enum each field holds so a value reads as its word), gated on checks (`checklist::engine`, its hints typed in `engine::problem` and worded by each front end); the state in `checklist.yaml` |
//! | [`report`] | the report for sign-off (HTML, Markdown, CSV, PDF) led by the signer's summary (`report::context::signer`), the templates' data built in `report::context` (one file per part of the report), the per-owner action lists and deadline calendar (`report::actions`), its integrity record, redaction, and `diff` |
//! | [`demo`] | the synthetic sample deployment built into the binary, and the run that turns it into an engagement |
//! | [`present`] | one presentation of the inventory: how values are written (missing, yes/no, moments), the words for the model's enums (`Display`, and `present::enum_word` for a value known by its type's name), the labelled rows of the settings sections; used by the TUI, the report, the CSV exports and the checklist's values |
//! | [`digest`] | SHA-256 in hex, as `checks.yaml` and the integrity record write it |
//! | [`secrets`] | passwords from a prompt, a file or an environment variable, held as `SecretString` |
//! | [`yaml`] | YAML in and out with file:line:column errors |
//! | [`text`] | bytes to text as Windows tools write files (UTF-8 or UTF-16, with a byte-order mark); control characters quoted as escapes inside a message |
//! | [`tls`] | the TLS crypto provider and PEM certificate files, shared by the LDAP reader and the reachability probe |
//! | [`terminal`] | text bound for a terminal: control characters from data shown escaped, colour applied after |
//! | [`progress`] | the progress trait both front ends render |
//! | [`error`] | the crate error: every module's error gathered, each with its [`kind`] |
//! | [`kind`] | the kinds of failure (input, source, busy, interrupted); imports nothing of the crate |
//! | [`cli`] | one file per subcommand: clap types and a `run` function, nothing else; `cli::exit` maps kinds to the documented exit codes |
//! | [`tui`] | the interactive screen: TEA state (`tui::app`), pure `update` (`tui::update`, one file or folder per screen, as `tui::screens`), shared drawing helpers (`tui::widgets`), background runs and the writer |
//!
//! ## Rules the code keeps
//!
//! - **Read-only towards the customer.** Nothing here writes to ATA's database or to the
//!   directory.
//! - **Secrets never reach disk, logs or the screen.** Passwords come from a prompt, a file
//!   or an environment variable and are held in `secrecy::SecretString`; ATA's
//!   `*Encrypted` values are dropped by the readers, only `secret_present` is kept.
//! - **Every live source has an offline twin** producing the same snapshot.
//! - **No raw control character from data reaches a terminal**: what the tool prints
//!   goes through [`terminal::escape`] at the output boundary (`\x1b` is shown, not sent).
//! - **Front ends stay thin**: `cli` and `tui` call library functions that return model
//!   types; they never name a protocol crate.
//! - **No import circle**: no two modules (top-level, their parts, the parts' parts)
//!   import each other, directly or round a circle, and only `cli` maps an error's kind
//!   to an exit code; the test module `layering` reads the source and fails on either.

pub mod ata;
pub mod checklist;
pub mod checks;
pub mod cli;
pub mod demo;
pub mod digest;
pub mod directory;
pub mod engagement;
pub mod error;
pub mod hosts;
pub mod inventory;
pub mod kind;
#[cfg(test)]
mod layering;
pub mod model;
pub mod present;
pub mod progress;
pub mod report;
pub mod secrets;
pub mod terminal;
pub mod text;
pub mod tls;
pub mod tui;
pub mod yaml;

pub use error::{Error, Result};
