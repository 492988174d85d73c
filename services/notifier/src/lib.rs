//! The notifier: delivers each stored result to its callback URL. A result is acknowledged
//! only once delivered or kept as a dead letter, so none is lost; how each delivery goes is
//! kept in the execution's callback record, so a restart or a changed setting resumes it.

pub mod config;
mod delivery;
mod hosts;
mod resolver;
mod retry;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, AckKind};
use bytes::Bytes;
use exec_engine::consumer::{self, Durable};
use exec_engine::shutdown::CancellationToken;
use exec_engine::state::{DeliveryState, Executions, StateError};
use exec_engine::telemetry::{self, names};
use exec_engine::{broker, subjects};
use standardwebhooks::Webhook;
use time::OffsetDateTime;
use uuid::Uuid;

pub use config::NotifierConfig;
use delivery::{Deliverer, Outcome};
use hosts::HostLimits;
use retry::RetryPolicy;

/// How long a callback waits when its host already has its share of attempts in flight.
const HOST_BUSY_DELAY: Duration = Duration::from_secs(1);
/// How long a callback waits when its record could not be read or written.
const STATE_RETRY_DELAY: Duration = Duration::from_secs(2);

/// Delivers callbacks until `shutdown`, then finishes the deliveries in flight.
pub async fn run(config: NotifierConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    let (client, js) = broker::connect(&config.nats_url, subjects::NOTIFIER_CONSUMER).await?;
    if let Some(addr) = config.metrics_addr {
        telemetry::serve_operator(
            addr,
            broker::readiness(client, js.clone()),
            shutdown.clone(),
        )
        .await
        .context("serving METRICS_ADDR")?;
    }
    broker::ensure_streams(&js, &config.streams).await?;
    // A changed setting changes the consumers too (bind updates them).
    let durable = |stream, name: &str, filter: &str| Durable {
        stream,
        name: name.to_owned(),
        filter_subject: filter.to_owned(),
        // Room for one attempt to time out before JetStream hands the result to another.
        ack_wait: config.timeout() + Duration::from_secs(20),
        // Retries end by time, not count (see `RetryPolicy`).
        max_deliver: -1,
        max_ack_pending: config.callback_max_pending,
    };
    let results = durable(
        subjects::RESULTS_STREAM,
        subjects::NOTIFIER_CONSUMER,
        subjects::STORED_RESULTS_WILDCARD,
    )
    .bind(&js)
    .await?;
    let redeliveries = durable(
        subjects::REDELIVERIES_STREAM,
        subjects::REDELIVERY_CONSUMER,
        subjects::REDELIVERIES_WILDCARD,
    )
    .bind(&js)
    .await?;
    let signer = config
        .callback_signing_secret
        .as_deref()
        .map(Webhook::new)
        .transpose()
        .context("CALLBACK_SIGNING_SECRET is not a Standard Webhooks secret")?;
    let overrides =
        resolver::parse_overrides(&config.callback_resolve).map_err(anyhow::Error::msg)?;
    let notifier = Arc::new(Notifier {
        deliverer: Deliverer::new(
            config.timeout(),
            config.callbacks.policy()?,
            overrides,
            signer,
        )?,
        executions: Executions::open(&js).await?,
        hosts: HostLimits::new(config.callback_host_concurrency),
        retry: config.retry_policy(),
    });
    tracing::info!("notifier ready");
    let handle = |notifier: Arc<Notifier>| {
        move |message| {
            let notifier = notifier.clone();
            async move { notifier.handle(message).await }
        }
    };
    // Pull failures are retried inside; these end only at shutdown.
    tokio::join!(
        consumer::process(
            results,
            config.notifier_concurrency,
            shutdown.clone(),
            handle(notifier.clone()),
        ),
        consumer::process(
            redeliveries,
            config.notifier_concurrency,
            shutdown,
            handle(notifier),
        ),
    );
    tracing::info!("notifier stopped");
    Ok(())
}

struct Notifier {
    deliverer: Deliverer,
    executions: Executions,
    hosts: HostLimits,
    retry: RetryPolicy,
}

/// What becomes of a result message after one step of its delivery.
enum Step {
    /// Delivered, buried, or nothing to deliver.
    Done,
    RetryIn(Duration),
}

impl Notifier {
    #[tracing::instrument(name = "deliver", skip_all, fields(
        subject = %message.subject,
        request_id = broker::request_id(&message).unwrap_or_default(),
    ))]
    async fn handle(&self, message: jetstream::Message) {
        let Some(id) = subjects::id_of(&message.subject) else {
            tracing::warn!("a result on a subject without an execution id; dropped");
            let _ = message.ack_with(AckKind::Term).await;
            return;
        };
        let step = self
            .deliver(id, message.payload.clone())
            .await
            .unwrap_or_else(|err| {
                tracing::warn!(%id, error = %err, "the callback record is out of reach; will retry");
                Step::RetryIn(STATE_RETRY_DELAY)
            });
        match step {
            Step::Done => {
                if let Err(err) = message.double_ack().await {
                    // Redelivered, it finds its record settled and ends there.
                    tracing::warn!(%id, error = %err, "acknowledgement not confirmed");
                }
            }
            Step::RetryIn(delay) => {
                let _ = message.ack_with(AckKind::Nak(Some(delay))).await;
            }
        }
    }

    /// One attempt at `id`'s callback, recorded in its callback record.
    async fn deliver(&self, id: Uuid, result: Bytes) -> Result<Step, StateError> {
        let Some((mut record, revision)) = self.executions.callback(id).await? else {
            // No callback_url: the result is read by id or on NATS.
            return Ok(Step::Done);
        };
        if record.state != DeliveryState::Pending {
            tracing::info!(%id, state = ?record.state, "already settled; not sent again");
            return Ok(Step::Done);
        }
        let Some(_slot) = self.hosts.try_acquire(&record.url) else {
            return Ok(Step::RetryIn(
                HOST_BUSY_DELAY.mul_f64(0.5 + retry::jitter()),
            ));
        };
        let first = *record
            .first_attempt_at
            .get_or_insert_with(OffsetDateTime::now_utc);
        record.attempts += 1;
        let attempt = record.attempts;
        let outcome = self
            .deliverer
            .attempt(&record.url, id, attempt, result.clone())
            .await;
        let label = match &outcome {
            Outcome::Delivered => "delivered",
            Outcome::Retry(_) => "retry",
            Outcome::Refused(_) => "refused",
        };
        metrics::counter!(names::CALLBACK_ATTEMPTS, "outcome" => label).increment(1);
        let step = match outcome {
            Outcome::Delivered => {
                tracing::info!(%id, attempt, "delivered");
                record.state = DeliveryState::Delivered;
                record.last_error = None;
                Step::Done
            }
            Outcome::Retry(failure) => {
                record.last_status = failure.status;
                let delay = self.retry.next_delay(
                    attempt,
                    first,
                    OffsetDateTime::now_utc(),
                    failure.retry_after,
                    retry::jitter(),
                );
                match delay {
                    Some(delay) => {
                        tracing::info!(%id, attempt, reason = %failure.reason, ?delay, "will retry");
                        record.last_error = Some(failure.reason);
                        Step::RetryIn(delay)
                    }
                    None => {
                        record.state = DeliveryState::Failed;
                        record.last_error = Some(format!(
                            "gave up after {attempt} attempts over {:?}: {}",
                            self.retry.period, failure.reason
                        ));
                        Step::Done
                    }
                }
            }
            Outcome::Refused(failure) => {
                record.state = DeliveryState::Failed;
                record.last_status = failure.status;
                record.last_error = Some(failure.reason);
                Step::Done
            }
        };
        if record.state == DeliveryState::Failed {
            tracing::warn!(%id, attempt, reason = ?record.last_error, "not delivered; keeping a dead letter");
            // Buried before it is marked failed: if the burial fails, the result comes back.
            self.executions.bury(id, result, &record).await?;
            metrics::counter!(names::CALLBACK_FAILURES).increment(1);
        }
        if self
            .executions
            .save_callback(id, &record, revision)
            .await?
            .is_none()
        {
            // Reset by a redelivery meanwhile: that one carries on.
            tracing::info!(%id, "the callback record changed meanwhile; this delivery ends");
            return Ok(Step::Done);
        }
        Ok(step)
    }
}
