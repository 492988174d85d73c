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
}

/// A durable pull consumer shared by every instance of one service.
pub struct Durable {
    pub stream: &'static str,
    pub name: String,
    pub filter_subject: String,
    pub ack_wait: Duration,
    pub max_deliver: i64,
    /// Messages handed out and not yet acknowledged (including those waiting for a
    /// delayed redelivery); past it, the consumer hands out no more.
    pub max_ack_pending: i64,
}

impl Durable {
    /// Binds the consumer, creating it on first use and otherwise updating it to these
    /// settings (binding alone would keep a restarted service's old ones).
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
        // A filter cannot be changed in place; a consumer of an older layout's subjects has
        // nothing left to deliver on them, so it is replaced.
        if let Ok(existing) = stream.consumer_info(&self.name).await {
            if existing.config.filter_subject != self.filter_subject {
                tracing::warn!(consumer = %self.name, old = %existing.config.filter_subject,
                    new = %self.filter_subject, "replacing a consumer of older subjects");
                let _ = stream.delete_consumer(&self.name).await;
            }
        }
        stream
            .create_consumer(pull::Config {
                durable_name: Some(self.name.clone()),
                filter_subject: self.filter_subject.clone(),
                ack_policy: AckPolicy::Explicit,
                ack_wait: self.ack_wait,
                max_deliver: self.max_deliver,
                max_ack_pending: self.max_ack_pending,
                ..Default::default()
            })
            .await
            .map_err(|source| ConsumeError::Consumer {
                name: self.name.clone(),
                source,
            })
    }
}

/// How long one pull waits for messages; also how long a stopping service may still
/// receive some, which it hands back at once.
const PULL_EXPIRES: Duration = Duration::from_secs(2);

/// Runs `handler` on each message of `consumer`, `concurrency` at a time, until `shutdown`;
/// then hands back what it pulled and has not started and waits for the handlers already
/// started. The handler acknowledges.
///
/// Messages are pulled only for free slots: a message never waits in this process while
/// its acknowledgement time runs, so a short ack wait stays safe.
pub async fn process<H, F>(
    consumer: jetstream::consumer::PullConsumer,
    concurrency: usize,
    shutdown: CancellationToken,
    handler: H,
) where
    H: Fn(jetstream::Message) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let name = consumer.cached_info().name.clone();
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let tasks = TaskTracker::new();
    while !shutdown.is_cancelled() {
        let first = tokio::select! {
            _ = shutdown.cancelled() => break,
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore stays open"),
        };
        let mut free = vec![first];
        while let Ok(permit) = permits.clone().try_acquire_owned() {
            free.push(permit);
        }
        let batch = consumer
            .batch()
            .max_messages(free.len())
            .expires(PULL_EXPIRES)
            .messages()
            .await;
        let mut batch = match batch {
            Ok(batch) => batch,
            Err(err) => {
                tracing::warn!(consumer = %name, error = %err, "pulling messages");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        loop {
            let message = tokio::select! {
                _ = shutdown.cancelled() => break,
                message = batch.next() => message,
            };
            match message {
                Some(Ok(message)) => {
                    let permit = free.pop().expect("a batch holds no more than its slots");
                    let handling = handler(message);
                    tasks.spawn(async move {
                        handling.await;
                        drop(permit);
                    });
                }
                Some(Err(err)) => {
                    tracing::warn!(consumer = %name, error = %err, "pulling messages");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    break;
                }
                None => break,
            }
        }
        if shutdown.is_cancelled() {
            // The rest of this pull may still come: each goes straight back.
            while let Some(Ok(message)) = batch.next().await {
                if let Err(err) = message.ack_with(AckKind::Nak(None)).await {
                    tracing::debug!(error = %err, "handing a message back failed");
                }
            }
        }
    }
    tasks.close();
    tasks.wait().await;
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
