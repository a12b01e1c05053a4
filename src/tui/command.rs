//! Side effects: what `update` asks for, carried out by the loop. Every write goes to one
//! writer task that owns the engagement's [`WriteLock`] and does its jobs in order, so two
//! quick edits can never race and quitting waits for the queue to drain. Long runs
//! (collecting, checking) are tokio tasks with one [`CancellationToken`] each; they
//! report through the message channel and hand their results to the writer.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::msg::{InventoryLoaded, Msg, RunEnd};
use super::progress::ChannelProgress;
use super::strings as s;
use crate::checklist::{self, Definition, Facts, SetRequest};
use crate::checks::engine::{self, RunOptions};
use crate::checks::network::ProbeConfig;
use crate::checks::thresholds::DEFAULT_PROBE_TIMEOUT_SECS;
use crate::digest::sha256_hex;
use crate::engagement::{Engagement, EngagementConfig, EngagementError, INVENTORY_FILE, WriteLock};
use crate::inventory::CollectRequest;
use crate::model::{CheckResult, ChecksFile, Inventory, Status};
use crate::secrets::SecretString;

/// What the engagement looked like when a change was asked for: the checklist's rules
/// are checked against it (the state itself is read again under the lock).
#[derive(Debug, Clone)]
pub struct Inputs {
    pub config: Arc<EngagementConfig>,
    pub inventory: Option<Arc<Inventory>>,
    pub checks: Option<Arc<ChecksFile>>,
    pub definition: Arc<Definition>,
}

#[derive(Debug)]
pub enum Command {
    Batch(Vec<Command>),
    /// A change to the engagement, saved at once by the writer.
    Change(Change),
    /// Run the checks (all, or `only` these ids) on `inventory`.
    RunChecks {
        only: Vec<String>,
        inventory: Arc<Inventory>,
        sha256: Option<String>,
        proxy_password: Option<SecretString>,
    },
    /// Collect the inventory from the configured sources, then run the checks on it.
    Collect {
        mongo_password: Option<SecretString>,
        ldap_password: Option<SecretString>,
        proxy_password: Option<SecretString>,
    },
    /// Cancel the run in progress.
    Cancel,
    Report(Box<crate::report::Request>),
    /// Put text on the clipboard with OSC 52 (written by the loop, between frames).
    Copy(String),
}

impl Command {
    /// The commands of a batch, in order.
    pub fn flatten(self) -> Vec<Command> {
        match self {
            Command::Batch(v) => v.into_iter().flat_map(Command::flatten).collect(),
            c => vec![c],
        }
    }
}

/// A change the consultant makes to the engagement: one of the writer's jobs.
#[derive(Debug)]
pub enum Change {
    /// A checklist change.
    SetStep {
        request: Box<SetRequest>,
        inputs: Inputs,
    },
    /// Accept a check's result as a known risk.
    Accept {
        key: String,
        by: String,
        reason: String,
    },
    /// Withdraw an accepted risk.
    Revoke { key: String },
}

/// A job for the writer.
enum Job {
    Change(Change),
    SaveInventory {
        inventory: Box<Inventory>,
        /// The saved file's SHA-256.
        reply: oneshot::Sender<Result<String, EngagementError>>,
    },
    SaveCheckRun {
        results: Vec<CheckResult>,
        only: Vec<String>,
        sha256: Option<String>,
        reply: oneshot::Sender<Result<ChecksFile, EngagementError>>,
    },
    Report(Box<crate::report::Request>),
}

/// Carries out commands. Without a writer (read-only session) nothing is written: `update`
/// refuses edits before they get here, and a stray one is answered with an error.
pub struct Executor {
    tx: UnboundedSender<Msg>,
    engagement: Engagement,
    config: Arc<EngagementConfig>,
    jobs: Option<UnboundedSender<Job>>,
    writer: Option<JoinHandle<()>>,
    run: Option<(CancellationToken, JoinHandle<()>)>,
}

impl Executor {
    pub fn new(
        engagement: Engagement,
        config: Arc<EngagementConfig>,
        lock: Option<WriteLock>,
        tx: UnboundedSender<Msg>,
    ) -> Self {
        let (jobs, writer) = match lock {
            Some(lock) => {
                let (jobs_tx, jobs_rx) = unbounded_channel();
                let handle = tokio::spawn(writer(
                    engagement.clone(),
                    Arc::new(lock),
                    jobs_rx,
                    tx.clone(),
                ));
                (Some(jobs_tx), Some(handle))
            }
            None => (None, None),
        };
        Self {
            tx,
            engagement,
            config,
            jobs,
            writer,
            run: None,
        }
    }

    fn job(&self, job: Job) {
        let sent = self.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        if !sent {
            let _ = self.tx.send(Msg::WriteFailed(s::READ_ONLY_REFUSED.into()));
        }
    }

    /// Starts what `command` asks for; never waits for it. `Copy` is the loop's.
    pub fn execute(&mut self, command: Command) {
        match command {
            Command::Batch(v) => v.into_iter().for_each(|c| self.execute(c)),
            Command::Change(change) => self.job(Job::Change(change)),
            Command::Report(request) => self.job(Job::Report(request)),
            Command::Cancel => {
                if let Some((token, _)) = &self.run {
                    token.cancel();
                }
            }
            Command::Copy(_) => {}
            Command::RunChecks {
                only,
                inventory,
                sha256,
                proxy_password,
            } => self.start(move |run, t| async move {
                run.checks(only, inventory, sha256, proxy_password, t).await
            }),
            Command::Collect {
                mongo_password,
                ldap_password,
                proxy_password,
            } => self.start(move |run, t| async move {
                run.collect(mongo_password, ldap_password, proxy_password, t)
                    .await
            }),
        }
    }

    /// Spawns a run with what it needs and its own cancellation token; its outcome
    /// becomes `RunFinished`. A read-only TUI (another holds the engagement's lock)
    /// refuses instead.
    fn start<F>(&mut self, run: impl FnOnce(ChecksRun, CancellationToken) -> F)
    where
        F: std::future::Future<Output = RunEnd> + Send + 'static,
    {
        let Some(jobs) = self.jobs.clone() else {
            let _ = self.tx.send(Msg::RunFinished(RunEnd::Failed(
                s::READ_ONLY_REFUSED.into(),
            )));
            return;
        };
        let token = CancellationToken::new();
        let fut = run(
            ChecksRun {
                engagement: self.engagement.clone(),
                config: self.config.clone(),
                jobs,
                tx: self.tx.clone(),
            },
            token.clone(),
        );
        let tx = self.tx.clone();
        let handle = tokio::spawn(async move {
            let _ = tx.send(Msg::RunFinished(fut.await));
        });
        self.run = Some((token, handle));
    }

    /// Stops a run in progress and waits until every queued write is on disk.
    pub async fn shutdown(mut self) {
        if let Some((token, handle)) = self.run.take() {
            token.cancel();
            // A cancelled run stops at its next await; a stuck reader is not waited for
            // long (its writes, if any, are complete files: nothing is half-written).
            let _ = tokio::time::timeout(Duration::from_secs(5), handle).await;
        }
        drop(self.jobs.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.await;
        }
    }
}

/// What a run needs: the engagement, the writer's queue and the screen's channel.
struct ChecksRun {
    engagement: Engagement,
    config: Arc<EngagementConfig>,
    jobs: UnboundedSender<Job>,
    tx: UnboundedSender<Msg>,
}

impl ChecksRun {
    async fn collect(
        self,
        mongo_password: Option<SecretString>,
        ldap_password: Option<SecretString>,
        proxy_password: Option<SecretString>,
        token: CancellationToken,
    ) -> RunEnd {
        let mut request = CollectRequest::from_config(&self.config, self.engagement.root());
        request.provenance.arguments = vec!["tui".into()];
        if let Some(m) = request.ata.mongo.as_mut() {
            m.password = mongo_password;
        }
        if let Some(l) = request.directory.ldap.as_mut() {
            l.password = ldap_password;
        }
        let progress = ChannelProgress::new(self.tx.clone(), token.clone());
        let collected = tokio::select! {
            _ = token.cancelled() => return RunEnd::Cancelled,
            r = crate::inventory::collect(request, &progress) => r,
        };
        let inventory = match collected {
            _ if token.is_cancelled() => return RunEnd::Cancelled,
            Ok(i) => i,
            Err(e) => return RunEnd::Failed(e.to_string()),
        };
        let summary = s::collected(inventory.sources.len(), inventory.not_found.len());
        let (reply, answer) = oneshot::channel();
        let _ = self.jobs.send(Job::SaveInventory {
            inventory: Box::new(inventory.clone()),
            reply,
        });
        let sha256 = match answer.await {
            Ok(Ok(sha)) => sha,
            Ok(Err(e)) => return RunEnd::Failed(e.to_string()),
            Err(_) => return RunEnd::Cancelled,
        };
        // The screen gets the new inventory as it was saved; its checklist document is
        // built here, off the render path.
        let inventory = Arc::new(inventory);
        let config = self.config.clone();
        let inv = inventory.clone();
        let document =
            tokio::task::spawn_blocking(move || checklist::document::of(Some(&inv), Some(&config)))
                .await
                .unwrap_or_default();
        let _ = self.tx.send(Msg::InventoryLoaded(Box::new(InventoryLoaded {
            inventory: Ok(Some(inventory.clone())),
            sha256: Some(sha256.clone()),
            document,
        })));
        if token.is_cancelled() {
            return RunEnd::Cancelled;
        }
        match self
            .checks(Vec::new(), inventory, Some(sha256), proxy_password, token)
            .await
        {
            RunEnd::Done(checks) => RunEnd::Done(format!("{summary}. {checks}")),
            other => other,
        }
    }

    async fn checks(
        &self,
        only: Vec<String>,
        inventory: Arc<Inventory>,
        sha256: Option<String>,
        proxy_password: Option<SecretString>,
        token: CancellationToken,
    ) -> RunEnd {
        let config = &self.config;
        let probe = ProbeConfig {
            timeout: Duration::from_secs_f64(DEFAULT_PROBE_TIMEOUT_SECS),
            extra_roots: Vec::new(),
        };
        let mut options = RunOptions::from_engagement(
            Utc::now(),
            engine::engagement_plan(config, proxy_password, probe),
            config,
            self.engagement.root(),
        );
        options.only = only.clone();
        // The check runner's future is not `Send` (its job closures borrow `'static`
        // ids in a way the compiler cannot prove for every lifetime), so it cannot be
        // spawned as a task: it runs on a blocking thread of the runtime instead, its
        // probes still concurrent there.
        let tx = self.tx.clone();
        let handle = tokio::runtime::Handle::current();
        let run_token = token.clone();
        let results = tokio::task::spawn_blocking(move || {
            let progress = ChannelProgress::new(tx, run_token.clone());
            handle.block_on(async {
                tokio::select! {
                    _ = run_token.cancelled() => None,
                    r = crate::checks::run(inventory, options, &progress) => Some(r),
                }
            })
        })
        .await;
        let results = match results {
            // A cancelled run's results are partial: nothing of them is saved.
            _ if token.is_cancelled() => return RunEnd::Cancelled,
            Ok(Some(r)) => r,
            Ok(None) => return RunEnd::Cancelled,
            Err(e) => return RunEnd::Failed(format!("the checks stopped unexpectedly: {e}")),
        };
        let (reply, answer) = oneshot::channel();
        let _ = self.jobs.send(Job::SaveCheckRun {
            results,
            only,
            sha256,
            reply,
        });
        match answer.await {
            Ok(Ok(file)) => {
                let fail = file
                    .results
                    .iter()
                    .filter(|r| r.status == Status::Fail && r.accepted.is_none())
                    .count();
                let message = s::checks_done(file.results.len(), fail);
                let _ = self.tx.send(Msg::ChecksSaved {
                    checks: Box::new(file),
                    message: message.clone(),
                    by_run: true,
                });
                RunEnd::Done(message)
            }
            Ok(Err(e)) => RunEnd::Failed(e.to_string()),
            Err(_) => RunEnd::Cancelled,
        }
    }
}

/// The writer: one job at a time, in the order they were asked for.
async fn writer(
    engagement: Engagement,
    lock: Arc<WriteLock>,
    mut jobs: UnboundedReceiver<Job>,
    tx: UnboundedSender<Msg>,
) {
    while let Some(job) = jobs.recv().await {
        match job {
            Job::Report(request) => {
                let r = crate::report::write(&engagement, &lock, &request)
                    .await
                    .map(Box::new);
                let _ = tx.send(Msg::ReportWritten(r));
            }
            job => {
                let (engagement, lock, tx) = (engagement.clone(), lock.clone(), tx.clone());
                // File work on a blocking thread: an fsync must not stall the runtime.
                let _ =
                    tokio::task::spawn_blocking(move || blocking_job(&engagement, &lock, job, &tx))
                        .await;
            }
        }
    }
}

fn blocking_job(engagement: &Engagement, lock: &WriteLock, job: Job, tx: &UnboundedSender<Msg>) {
    match job {
        Job::Change(Change::SetStep { request, inputs }) => {
            let facts = Facts::new(
                inputs.inventory.as_deref(),
                Some(&inputs.config),
                inputs.checks.as_deref(),
                Some(engagement.root()),
                Utc::now(),
            );
            let r = checklist::state::set(engagement, lock, &inputs.definition, &facts, &request)
                .map(Box::new);
            let _ = tx.send(Msg::ChecklistSaved(r));
        }
        Job::Change(Change::Accept { key, by, reason }) => {
            let r = engagement
                .checks()
                .map_err(|e| e.to_string())
                .and_then(|f| f.ok_or_else(|| s::NO_CHECKS.to_string()))
                .and_then(|mut file| {
                    let accepted = engine::accept(&mut file, &key, &by, &reason, Utc::now())
                        .map_err(|e| e.to_string())?;
                    lock.save_checks(&file).map_err(|e| e.to_string())?;
                    Ok((
                        file,
                        s::accepted(&accepted.acceptance.check, accepted.matched.len()),
                    ))
                });
            let _ = tx.send(match r {
                Ok((file, message)) => Msg::ChecksSaved {
                    checks: Box::new(file),
                    message,
                    by_run: false,
                },
                Err(e) => Msg::WriteFailed(e),
            });
        }
        Job::Change(Change::Revoke { key }) => {
            let r = engagement
                .checks()
                .map_err(|e| e.to_string())
                .and_then(|f| f.ok_or_else(|| s::NO_CHECKS.to_string()))
                .and_then(|mut file| {
                    engine::revoke(&mut file, &key).map_err(|e| e.to_string())?;
                    lock.save_checks(&file).map_err(|e| e.to_string())?;
                    Ok(file)
                });
            let _ = tx.send(match r {
                Ok(file) => Msg::ChecksSaved {
                    checks: Box::new(file),
                    message: s::revoked(&key),
                    by_run: false,
                },
                Err(e) => Msg::WriteFailed(e),
            });
        }
        Job::SaveInventory { inventory, reply } => {
            let r = lock.save_inventory(&inventory).and_then(|_| {
                let path = engagement.path(INVENTORY_FILE);
                std::fs::read(&path)
                    .map(|b| sha256_hex(&b))
                    .map_err(|e| EngagementError::io("read", &path, e))
            });
            let _ = reply.send(r);
        }
        Job::SaveCheckRun {
            results,
            only,
            sha256,
            reply,
        } => {
            // The previous file, read under the lock, brings the accepted risks (and,
            // for one check, the other results): the same rule as `ata2atp check`.
            let r = engagement.checks().and_then(|previous| {
                let file = engine::checks_file(results, previous, &only, sha256, Utc::now());
                lock.save_checks(&file)?;
                Ok(file)
            });
            let _ = reply.send(r);
        }
        Job::Report(_) => {}
    }
}
