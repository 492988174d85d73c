//! The notifier: delivers each result document to its callback URL. A result is
//! acknowledged only once delivered or kept as a dead letter, so none is lost.

pub mod config;
mod delivery;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use exec_engine::consumer::{self, Durable};
use exec_engine::shutdown::CancellationToken;
use exec_engine::{broker, subjects};
use uuid::Uuid;

pub use config::NotifierConfig;
use delivery::{Deliverer, Outcome};

/// Delivers callbacks until `shutdown`, then finishes the deliveries in flight.
pub async fn run(config: NotifierConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    let (_client, js) = broker::connect(&config.nats_url, subjects::NOTIFIER_CONSUMER).await?;
    broker::ensure_streams(&js, &config.streams).await?;
    let consumer = Durable {
        stream: subjects::RESULTS_STREAM,
        name: subjects::NOTIFIER_CONSUMER.to_owned(),
        filter_subject: subjects::RESULTS_WILDCARD.to_owned(),
        // Room for one attempt to time out before JetStream hands the result to another.
        ack_wait: config.timeout() + Duration::from_secs(20),
        max_deliver: config.callback_max_attempts,
    }
    .bind(&js)
    .await?;
    let notifier = Arc::new(Notifier {
        deliverer: Deliverer::new(config.timeout())?,
        js,
        max_attempts: config.callback_max_attempts,
        retry_base: Duration::from_millis(config.callback_retry_base_ms),
        retry_max: Duration::from_millis(config.callback_retry_max_ms),
    });
    tracing::info!("notifier ready");
    consumer::process(
        consumer,
        config.notifier_concurrency,
        shutdown,
        move |message| {
            let notifier = notifier.clone();
            async move { notifier.handle(message).await }
        },
    )
    .await?;
    tracing::info!("notifier stopped");
    Ok(())
}

struct Notifier {
    deliverer: Deliverer,
    js: jetstream::Context,
    max_attempts: i64,
    retry_base: Duration,
    retry_max: Duration,
}

impl Notifier {
    #[tracing::instrument(name = "deliver", skip_all, fields(subject = %message.subject))]
    async fn handle(&self, message: jetstream::Message) {
        let callback_url = message
            .headers
            .as_ref()
            .and_then(|h| h.get(subjects::CALLBACK_URL_HEADER))
            .map(|url| url.as_str().to_owned());
        let Some(url) = callback_url else {
            // Read by GET or on NATS: nothing to deliver.
            let _ = message.ack().await;
            return;
        };
        let id = message
            .subject
            .rsplit('.')
            .next()
            .and_then(|id| id.parse::<Uuid>().ok())
            .unwrap_or_default();
        let attempt = message.info().map_or(1, |info| info.delivered);
        let outcome = self
            .deliverer
            .attempt(&url, &id.to_string(), attempt, message.payload.clone())
            .await;
        let reason = match outcome {
            Outcome::Delivered => {
                tracing::info!(%id, attempt, "delivered");
                if let Err(err) = message.double_ack().await {
                    tracing::warn!(%id, error = %err, "acknowledgement not confirmed");
                }
                return;
            }
            Outcome::Retry(reason) if attempt < self.max_attempts => {
                let delay = consumer::backoff(attempt, self.retry_base, self.retry_max);
                tracing::info!(%id, attempt, %reason, ?delay, "will retry");
                let _ = message.ack_with(AckKind::Nak(Some(delay))).await;
                return;
            }
            Outcome::Retry(reason) => format!("gave up after {attempt} attempts: {reason}"),
            Outcome::Refused(reason) => reason,
        };
        tracing::warn!(%id, attempt, %reason, "not delivered; keeping a dead letter");
        match broker::publish_dead_letter(&self.js, subjects::dead_callback(id), &message, &reason)
            .await
        {
            Ok(()) => {
                let _ = message.double_ack().await;
            }
            Err(err) => {
                tracing::warn!(%id, error = %err, "dead letter not stored; will retry");
                let _ = message.ack_with(AckKind::Nak(Some(self.retry_base))).await;
            }
        }
    }
}
