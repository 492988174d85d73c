//! The loop every consuming service runs: pull from a durable consumer, handle at most N
//! messages at once, and on shutdown stop pulling and finish what it holds.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull, consumer::AckPolicy, AckKind};
use futures::StreamExt;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[derive(Debug, thiserror::Error)]
pub enum ConsumeError {
    #[error("cannot open stream {stream}: {source}")]
    Stream {
        stream: &'static str,
        source: jetstream::context::GetStreamError,
    },
    #[error("cannot bind the durable consumer {name}: {source}")]
    Consumer {
        name: String,
        source: jetstream::stream::ConsumerError,
    },
    #[error("cannot pull from {name}: {source}")]
    Pull {
        name: String,
        source: jetstream::consumer::StreamError,
    },
    #[error("the consumer {0} closed")]
    Closed(String),
}

/// A durable pull consumer shared by every instance of one service.
pub struct Durable {
    pub stream: &'static str,
    pub name: String,
    pub filter_subject: String,
    pub ack_wait: Duration,
    pub max_deliver: i64,
}

impl Durable {
    /// Binds the consumer, creating it on first use.
    pub async fn bind(
        &self,
        js: &jetstream::Context,
    ) -> Result<jetstream::consumer::PullConsumer, ConsumeError> {
        let stream = js
            .get_stream(self.stream)
            .await
            .map_err(|source| ConsumeError::Stream {
                stream: self.stream,
                source,
            })?;
        stream
            .get_or_create_consumer(
                &self.name,
                pull::Config {
                    durable_name: Some(self.name.clone()),
                    filter_subject: self.filter_subject.clone(),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: self.ack_wait,
                    max_deliver: self.max_deliver,
                    ..Default::default()
                },
            )
            .await
            .map_err(|source| ConsumeError::Consumer {
                name: self.name.clone(),
                source,
            })
    }
}

/// Runs `handler` on each message of `consumer`, `concurrency` at a time, until `shutdown`;
/// then waits for the handlers already started. The handler acknowledges.
pub async fn process<H, F>(
    consumer: jetstream::consumer::PullConsumer,
    concurrency: usize,
    shutdown: CancellationToken,
    handler: H,
) -> Result<(), ConsumeError>
where
    H: Fn(jetstream::Message) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let name = consumer.cached_info().name.clone();
    let concurrency = concurrency.max(1);
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(concurrency)
        .messages()
        .await
        .map_err(|source| ConsumeError::Pull {
            name: name.clone(),
            source,
        })?;
    let permits = Arc::new(Semaphore::new(concurrency));
    let tasks = TaskTracker::new();
    let outcome = loop {
        // A permit first, so that no more messages are taken than can be handled.
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break Ok(()),
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore stays open"),
        };
        let message = tokio::select! {
            _ = shutdown.cancelled() => break Ok(()),
            message = messages.next() => message,
        };
        match message {
            Some(Ok(message)) => {
                let handling = handler(message);
                tasks.spawn(async move {
                    handling.await;
                    drop(permit);
                });
            }
            Some(Err(err)) => {
                tracing::warn!(consumer = %name, error = %err, "pulling messages");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            None => break Err(ConsumeError::Closed(name.clone())),
        }
    };
    tasks.close();
    tasks.wait().await;
    outcome
}

/// Tells JetStream, until dropped, that `message` is still being worked on, so that it is
/// not redelivered to another instance meanwhile.
pub fn keep_alive(message: Arc<jetstream::Message>, every: Duration) -> KeepAlive {
    KeepAlive(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            if let Err(err) = message.ack_with(AckKind::Progress).await {
                tracing::debug!(error = %err, "progress report failed");
            }
        }
    }))
}

pub struct KeepAlive(tokio::task::JoinHandle<()>);

impl Drop for KeepAlive {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The delay before attempt `delivered + 1`: doubling from `base`, at most `max`.
pub fn backoff(delivered: i64, base: Duration, max: Duration) -> Duration {
    let doublings = delivered.saturating_sub(1).clamp(0, 20) as u32;
    base.saturating_mul(2u32.saturating_pow(doublings)).min(max)
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let base = Duration::from_millis(500);
        let max = Duration::from_secs(5);
        let delays: Vec<u128> = (1..=6).map(|n| backoff(n, base, max).as_millis()).collect();
        assert_eq!(delays, vec![500, 1000, 2000, 4000, 5000, 5000]);
        assert_eq!(backoff(i64::MAX, base, max), max);
    }
}
