//! The worker: takes its language's submissions from JetStream and runs each in a fresh
//! sandbox, publishing the result document before it acknowledges the submission.

mod builds;
mod checker;
pub mod config;
mod executor;
mod pool;
mod protocol;
mod sandbox;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, AckKind};
use exec_engine::broker::Stored;
use exec_engine::consumer::{self, Durable};
use exec_engine::execution::RunTimes;
use exec_engine::registry::{self, DefaultLimits, Registry, WorkerInfo};
use exec_engine::shutdown::CancellationToken;
use exec_engine::state::{Executions, StatusEvent};
use exec_engine::telemetry::{self, names};
use exec_engine::{broker, subjects, ExecutionResult, Language, Submission, Verdict};

pub use config::{SandboxMode, WorkerConfig};

use builds::ObjectStoreBuilds;
use checker::CheckerSpecs;
use executor::Executor;
use pool::Pool;
use sandbox::{Sandbox, SandboxSpec};
use tracing::Instrument;

/// How long JetStream waits for an acknowledgement before it redelivers: a killed worker's
/// submissions go to another within it. A running submission reports progress well
/// within it.
const ACK_WAIT: Duration = Duration::from_secs(6);
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// How often a running submission's count of finished tests is written, at most.
const TESTS_DONE_EVERY: Duration = Duration::from_millis(500);
/// Submissions handed out to one worker consumer and not yet acknowledged, at most.
const MAX_ACK_PENDING: i64 = 10_000;
/// How long reading the runtime's version may take at start-up.
const RUNTIME_VERSION_LIMIT: Duration = Duration::from_secs(20);
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// NATS's own default payload limit, for a server that has not told its own.
const NATS_DEFAULT_MAX_PAYLOAD: usize = 1024 * 1024;
/// Room left in a NATS message beside the result document, for its headers.
const HEADER_ROOM: usize = 16 * 1024;
/// Delays between attempts at a submission whose sandbox could not run.
const RETRY_BASE: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// Serves `config.worker_language` until `shutdown`, then finishes the submissions it holds.
pub async fn run(config: WorkerConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    let language = config.worker_language;
    let name = subjects::worker_consumer(language);
    let (client, js) = broker::connect(&config.nats_url, &name).await?;
    broker::ensure_streams(&js, &config.streams).await?;
    let sandbox = Sandbox::connect(config.deployment())
        .await
        .context("connecting to Docker")?;
    if let Some(addr) = config.metrics_addr {
        let nats = broker::readiness(client.clone(), js.clone());
        let ready = readiness(nats, sandbox.clone(), config.sandbox_spec().image);
        telemetry::serve_operator(addr, ready, shutdown.clone())
            .await
            .context("serving METRICS_ADDR")?;
    }
    tokio::spawn(sweep_leftovers(sandbox.clone(), shutdown.clone()));
    let consumer = Durable {
        stream: subjects::SUBMISSIONS_STREAM,
        name,
        filter_subject: subjects::submissions_of(language),
        ack_wait: ACK_WAIT,
        // Unlimited: a submission is redelivered until its result is stored (a count spent
        // while the broker elects a leader would leave it stuck, never delivered again).
        // `MAX_DELIVER` bounds the attempts whose sandbox could not run (see `handle`).
        max_deliver: -1,
        max_ack_pending: MAX_ACK_PENDING,
    }
    .bind(&js)
    .await?;
    let limits = config.run_limits();
    // By the image's id, not its tag: kept builds are keyed by it, so every sandbox must
    // run that very image even when the tag moves.
    let mut spec = config.sandbox_spec();
    spec.image = sandbox
        .image_id(&spec.image)
        .await
        .with_context(|| format!("the sandbox image {}", spec.image))?;
    let image_name = config.sandbox_spec().image;
    let runtime = match sandbox
        .run_once(&spec, language.version_command(), RUNTIME_VERSION_LIMIT)
        .await
    {
        Ok(printed) => language.runtime_from(&printed),
        Err(err) => {
            tracing::warn!(error = %err, "the runtime's version could not be read");
            None
        }
    };
    let build = sandbox
        .image_label(&spec.image, registry::BUILD_LABEL)
        .await
        .unwrap_or_default();
    let announcing = tokio::spawn(announce(
        Registry::open(&js).await?,
        WorkerInfo {
            language,
            image: image_name,
            image_id: spec.image.clone(),
            runtime,
            build,
            limits: DefaultLimits {
                time_limit_ms: limits.test.as_millis() as u64,
                memory_limit_mb: spec.memory_bytes / 1024 / 1024,
                submission_timeout_secs: limits.submission.as_secs(),
                compile_time_limit_ms: limits.compile.as_millis() as u64,
                output_limit_bytes: limits.output.output_bytes,
            },
            concurrency: config.concurrency(),
        },
        shutdown.clone(),
    ));
    let builds = match config.build_limits() {
        Some(limits) => Some(ObjectStoreBuilds::open(&js, limits).await?),
        None => None,
    };
    let pool = Pool::new(
        sandbox.clone(),
        spec.clone(),
        config.warm_sandboxes(),
        config.jobs_per_sandbox(),
        limits.submission + executor::SELF_DESTRUCT_MARGIN,
    );
    let filling = (config.warm_sandboxes() > 0)
        .then(|| tokio::spawn(pool.clone().keep_filled(shutdown.clone())));
    let worker = Arc::new(Worker {
        executor: Executor {
            language,
            sandbox: pool,
            checkers: checker_specs(&config, &sandbox, &spec).await,
            check_limits: config.check_limits(),
            spec,
            limits,
            builds,
        },
        executions: Executions::open(&js).await?,
        client,
        js,
        max_deliver: config.max_deliver,
        hand_back: hand_back_after(shutdown.clone(), config.shutdown_grace()),
    });
    tracing::info!(
        %language,
        concurrency = config.concurrency(),
        mode = ?config.sandbox_mode,
        "worker ready"
    );
    consumer::process(consumer, config.concurrency(), shutdown, move |message| {
        let worker = worker.clone();
        // Every line logged for this submission names the request that submitted it.
        let span = tracing::info_span!(
            "submission",
            request_id = broker::request_id(&message).unwrap_or_default()
        );
        async move { worker.handle(message).await }.instrument(span)
    })
    .await;
    let _ = announcing.await;
    if let Some(filling) = filling {
        // The warm sandboxes are removed before the worker says it stopped.
        let _ = filling.await;
    }
    tracing::info!("worker stopped");
    Ok(())
}

/// The sandboxes submissions' checkers may run in: each language whose image Docker has
/// now, by the image's id (as `spec`, this worker's own, is), since kept builds are keyed
/// by it. A checker in a language left out fails as its tests' `internal_error`.
async fn checker_specs(
    config: &WorkerConfig,
    sandbox: &Sandbox,
    spec: &SandboxSpec,
) -> CheckerSpecs {
    let mut specs = CheckerSpecs::new();
    for language in Language::ALL {
        let mut checker = config.checker_spec(language);
        if language == config.worker_language && checker.image == config.sandbox_spec().image {
            checker.image = spec.image.clone();
        } else {
            match sandbox.image_id(&checker.image).await {
                Ok(id) => checker.image = id,
                Err(err) => {
                    tracing::info!(%language, error = %err, "no checkers in this language here");
                    continue;
                }
            }
        }
        specs.insert(language, checker);
    }
    specs
}

/// Ready while NATS is connected, Docker answers and has the sandbox image.
fn readiness(nats: telemetry::Readiness, sandbox: Sandbox, image: String) -> telemetry::Readiness {
    Arc::new(move || {
        let (nats, sandbox, image) = (nats.clone(), sandbox.clone(), image.clone());
        Box::pin(async move {
            let mut problems = nats().await;
            if let Err(err) = sandbox.image_id(&image).await {
                problems.push(format!("the sandbox image {image}: {err}"));
            }
            problems
        })
    })
}

/// Announces this worker in the registry until `shutdown`, then withdraws it.
async fn announce(registry: Registry, info: WorkerInfo, shutdown: CancellationToken) {
    let instance = uuid::Uuid::new_v4();
    let mut every = tokio::time::interval(registry::ANNOUNCE_EVERY);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = every.tick() => {}
        }
        if let Err(err) = registry.announce(instance, &info).await {
            tracing::warn!(error = %err, "could not announce this worker");
        }
    }
    registry.withdraw(info.language, instance).await;
}

/// Cancelled `grace` after `shutdown`: submissions still running then are handed back to
/// JetStream for another worker, rather than holding up the stop.
fn hand_back_after(shutdown: CancellationToken, grace: Duration) -> CancellationToken {
    let hand_back = CancellationToken::new();
    let token = hand_back.clone();
    tokio::spawn(async move {
        shutdown.cancelled().await;
        tokio::time::sleep(grace).await;
        token.cancel();
    });
    hand_back
}

/// Removes sandboxes left behind by crashed workers: now, and every minute after.
async fn sweep_leftovers(sandbox: Sandbox, shutdown: CancellationToken) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        match sandbox.remove_leftovers().await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed sandboxes left behind"),
            Err(err) => tracing::warn!(error = %err, "could not remove sandboxes left behind"),
        }
    }
}

struct Worker {
    executor: Executor,
    executions: Executions,
    client: async_nats::Client,
    js: jetstream::Context,
    max_deliver: i64,
    hand_back: CancellationToken,
}

impl Worker {
    async fn handle(&self, message: jetstream::Message) {
        let submission: Submission = match serde_json::from_slice(&message.payload) {
            Ok(submission) => submission,
            Err(err) => {
                let reason = format!("unreadable submission: {err}");
                tracing::warn!(subject = %message.subject, %reason);
                let subject = subjects::dead_submission(self.executor.language);
                if broker::publish_dead_letter(&self.js, subject, &message, &reason)
                    .await
                    .is_ok()
                {
                    let _ = message.ack_with(AckKind::Term).await;
                }
                return;
            }
        };
        let message = Arc::new(message);
        let keep_alive = consumer::keep_alive(message.clone(), PROGRESS_EVERY);
        let (verdicts, told) = tokio::sync::mpsc::unbounded_channel();
        let reported = report_progress(
            self.executions.clone(),
            self.client.clone(),
            submission.id,
            told,
        );
        let outcome = tokio::select! {
            outcome = self.executor.execute(&submission, &verdicts) => outcome,
            _ = self.hand_back.cancelled() => {
                tracing::warn!(id = %submission.id, "stopping: handed back to run elsewhere");
                let _ = message.ack_with(AckKind::Nak(None)).await;
                return;
            }
        };
        // The report ends once it has told the last verdict; the result is stored after
        // it, so that a follower sees every test's verdict before the result.
        drop(verdicts);
        let _ = reported.await;
        drop(keep_alive);

        let delivered = message.info().map_or(1, |info| info.delivered);
        let mut result = match outcome {
            Ok(result) => result,
            Err(err) if delivered < self.max_deliver => {
                tracing::warn!(id = %submission.id, error = %err, delivered, "sandbox failed; will retry");
                let delay = consumer::backoff(delivered, RETRY_BASE, RETRY_MAX);
                let _ = message.ack_with(AckKind::Nak(Some(delay))).await;
                return;
            }
            Err(err) => ExecutionResult::not_run(
                &submission,
                Verdict::InternalError,
                format!("the sandbox could not run after {delivered} attempts: {err}"),
                RunTimes::now(),
            ),
        };
        // The server's own limit, as it told on the connection that will carry the result: a
        // document over it could never be stored.
        let max_payload = match self.client.server_info().max_payload {
            0 => NATS_DEFAULT_MAX_PAYLOAD, // not told yet
            told => told,
        };
        let max_bytes = max_payload.saturating_sub(HEADER_ROOM);
        if result.fit_within(max_bytes) {
            tracing::warn!(id = %submission.id, "result cut to fit the payload limit");
        }
        let language = submission.language.as_str();
        metrics::counter!(names::EXECUTIONS, "language" => language, "status" => result.status.as_str())
            .increment(1);
        let ran = (result.finished_at - result.started_at).as_seconds_f64();
        metrics::histogram!(names::EXECUTION_SECONDS, "language" => language).record(ran);
        let request_id = broker::request_id(&message).map(str::to_owned);
        let Err(err) = self
            .store(&submission, &result, request_id.as_deref())
            .await
        else {
            let since_submitted =
                (time::OffsetDateTime::now_utc() - submission.submitted_at).as_seconds_f64();
            metrics::histogram!(names::END_TO_END_SECONDS, "language" => language)
                .record(since_submitted);
            if let Err(err) = message.double_ack().await {
                // The result is stored; a redelivery reruns and its duplicate is dropped.
                tracing::warn!(id = %submission.id, error = %err, "acknowledgement not confirmed");
            }
            return;
        };
        // JetStream out of reach (a leader being elected, a server restarting): the
        // submission comes back, as often as it takes, and runs again. Every document fits
        // (see above), so the store succeeds once the broker answers.
        let delay = consumer::backoff(delivered, RETRY_BASE, RETRY_MAX);
        tracing::warn!(id = %submission.id, error = %err, ?delay, "result not stored; will retry");
        let _ = message.ack_with(AckKind::Nak(Some(delay))).await;
    }

    /// Stores `result` as `submission`'s one result, with its callback's record first (the
    /// notifier looks for it when the result comes). A result stored before, by a worker
    /// that held this submission earlier, stands; this one is dropped.
    async fn store(
        &self,
        submission: &Submission,
        result: &ExecutionResult,
        request_id: Option<&str>,
    ) -> anyhow::Result<()> {
        if let Some(url) = &submission.callback_url {
            self.executions.expect_callback(submission.id, url).await?;
        }
        if broker::publish_result(&self.js, result, request_id).await? == Stored::Duplicate {
            tracing::warn!(
                id = %submission.id,
                status = ?result.status,
                "a result for this execution was stored before; this one is dropped"
            );
        }
        Ok(())
    }
}

/// Tells how `id` goes as it runs: live on `exec.status.<id>` (that it runs, then each
/// test's verdict as it comes), and in its state the count of tests done, written at most
/// every [`TESTS_DONE_EVERY`]. Best effort: these are progress reports; the stored result
/// is what counts. The task ends once `verdicts` is closed and all of them are told.
fn report_progress(
    executions: Executions,
    client: async_nats::Client,
    id: uuid::Uuid,
    mut verdicts: tokio::sync::mpsc::UnboundedReceiver<(usize, exec_engine::TestResult)>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let tell = |event: StatusEvent| {
            let client = client.clone();
            async move {
                let payload = serde_json::to_vec(&event).expect("a status event serializes");
                if let Err(err) = client.publish(subjects::status(id), payload.into()).await {
                    tracing::debug!(%id, error = %err, "status not published");
                }
            }
        };
        tell(StatusEvent::Running).await;
        let (mut done, mut written) = (0, None);
        let mut next_write = tokio::time::Instant::now();
        loop {
            tokio::select! {
                told = verdicts.recv() => match told {
                    Some((index, result)) => {
                        done = index + 1;
                        tell(StatusEvent::Test { index, result: Box::new(result) }).await;
                    }
                    None => {
                        if written != Some(done) {
                            // Not awaited: the live events are told, and a slow store must
                            // not hold the result back.
                            let executions = executions.clone();
                            tokio::spawn(async move { executions.running(id, done).await });
                        }
                        return;
                    }
                },
                _ = tokio::time::sleep_until(next_write), if written != Some(done) => {
                    if let Err(err) = executions.running(id, done).await {
                        tracing::debug!(%id, error = %err, "progress not recorded");
                    }
                    written = Some(done);
                    next_write = tokio::time::Instant::now() + TESTS_DONE_EVERY;
                }
            }
        }
    })
}
