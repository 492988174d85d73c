//! Where the executor's sandboxes come from. With `SANDBOX_MODE=pooled` a few are kept
//! created, started and waiting for their job, so that a submission skips Docker's create,
//! attach and start; every sandbox still serves one job only and is removed after it. With
//! `reuse` a sandbox whose supervisor wiped it after a job that went cleanly goes back to
//! the pool for another, up to `SANDBOX_MAX_JOBS` jobs and `MAX_AGE`. With `fresh` (a pool
//! of none) each is created when it is needed.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use exec_engine::shutdown::CancellationToken;
use tokio::sync::Notify;
use tokio::time::Instant;
use uuid::Uuid;

use crate::executor::{LiveSandbox, Sandboxes};
use crate::sandbox::{RunningSandbox, Sandbox, SandboxError, SandboxSpec, POOLED};

/// A warm sandbox older than this is replaced: it was taken by nobody for a long while.
const MAX_AGE: Duration = Duration::from_secs(300);
/// How often the pool looks for sandboxes to replace when nothing else wakes it.
const CHECK_EVERY: Duration = Duration::from_secs(30);
/// A sandbox that could not be started is tried again after this.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The sandboxes of one worker.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

struct Inner {
    sandbox: Sandbox,
    /// The sandbox kept warm: the language's defaults. A submission that asks for other
    /// limits gets a fresh one.
    spec: SandboxSpec,
    size: usize,
    /// The jobs a sandbox may serve (1: no reuse).
    max_jobs: u32,
    /// The longest a taken sandbox may then run: the sweep leaves it alone till then.
    longest_run: Duration,
    warm: Mutex<VecDeque<Warm>>,
    wanted: Notify,
}

struct Warm {
    running: RunningSandbox,
    started: Instant,
}

impl Pool {
    /// A pool keeping `size` sandboxes of `spec` warm (none: every sandbox fresh), each
    /// serving up to `max_jobs` jobs.
    pub fn new(
        sandbox: Sandbox,
        spec: SandboxSpec,
        size: usize,
        max_jobs: u32,
        longest_run: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                sandbox,
                spec,
                size,
                max_jobs,
                longest_run,
                warm: Mutex::new(VecDeque::new()),
                wanted: Notify::new(),
            }),
        }
    }

    /// Keeps the pool full until `shutdown`, replacing sandboxes that waited too long;
    /// then removes the ones still waiting.
    pub async fn keep_filled(self, shutdown: CancellationToken) {
        let inner = &self.inner;
        while !shutdown.is_cancelled() {
            drop(self.take_stale()); // removed in the background
            while self.warm_count() < inner.size && !shutdown.is_cancelled() {
                // It may take a job (reused: its last) until MAX_AGE, and run it to the end.
                let deadline = MAX_AGE + inner.longest_run;
                match inner.sandbox.launch(&inner.spec, None, deadline).await {
                    Ok(running) => inner.warm.lock().unwrap().push_back(Warm {
                        running,
                        started: Instant::now(),
                    }),
                    Err(err) => {
                        tracing::warn!(error = %err, "could not start a warm sandbox");
                        tokio::time::sleep(RETRY_AFTER).await;
                        break;
                    }
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = inner.wanted.notified() => {}
                _ = tokio::time::sleep(CHECK_EVERY) => {}
            }
        }
        let left: Vec<Warm> = inner.warm.lock().unwrap().drain(..).collect();
        for warm in left {
            let _ = warm.running.finish().await;
        }
    }

    fn warm_count(&self) -> usize {
        self.inner.warm.lock().unwrap().len()
    }

    fn take_stale(&self) -> Vec<Warm> {
        let mut warm = self.inner.warm.lock().unwrap();
        let (stale, fresh): (Vec<Warm>, Vec<Warm>) =
            warm.drain(..).partition(|w| w.started.elapsed() > MAX_AGE);
        warm.extend(fresh);
        stale
    }

    fn take(&self) -> Option<RunningSandbox> {
        let taken = self.inner.warm.lock().unwrap().pop_front();
        self.inner.wanted.notify_one();
        taken.map(|warm| warm.running)
    }
}

impl Sandboxes for Pool {
    type Running = RunningSandbox;

    /// A warm sandbox when one of `spec` waits (a fresh one otherwise), handed `job`.
    async fn start(
        &self,
        spec: &SandboxSpec,
        execution: Uuid,
        lifetime: Duration,
        job: &[u8],
    ) -> Result<RunningSandbox, SandboxError> {
        if *spec == self.inner.spec {
            while let Some(mut running) = self.take() {
                match running.hand(job).await {
                    Ok(()) => {
                        running.name_for(&execution.to_string());
                        return Ok(running);
                    }
                    // It died while it waited: another, or a fresh one.
                    Err(err) => {
                        tracing::warn!(error = %err, "a warm sandbox would not take its job")
                    }
                }
            }
        }
        self.inner
            .sandbox
            .start(spec, execution, lifetime, job)
            .await
    }

    fn reuses(&self, spec: &SandboxSpec) -> bool {
        self.inner.max_jobs > 1 && *spec == self.inner.spec
    }

    /// Back to the pool, unless it served its jobs or its time.
    fn recycle(&self, sandbox: RunningSandbox) {
        let (jobs, age) = sandbox.wear();
        if jobs < self.inner.max_jobs && age < MAX_AGE {
            sandbox.name_for(POOLED);
            self.inner.warm.lock().unwrap().push_back(Warm {
                running: sandbox,
                started: Instant::now() - age,
            });
        }
    }
}
