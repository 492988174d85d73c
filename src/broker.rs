//! Connecting to NATS and declaring the JetStream streams every service relies on.

use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use serde::Deserialize;

use crate::subjects;

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        url: String,
        source: async_nats::ConnectError,
    },
    #[error("cannot declare stream {name}: {source}")]
    Stream {
        name: &'static str,
        source: jetstream::context::CreateStreamError,
    },
}

/// How the streams are stored; shared by every service's configuration.
#[derive(Clone, Debug, Deserialize)]
pub struct StreamSettings {
    /// How long results and dead letters are kept.
    #[serde(default = "default_result_max_age_secs")]
    pub result_max_age_secs: u64,
    /// Copies of each stream in a cluster (1 on a single server).
    #[serde(default = "default_replicas")]
    pub stream_replicas: usize,
}

fn default_result_max_age_secs() -> u64 {
    24 * 60 * 60
}

fn default_replicas() -> usize {
    1
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            result_max_age_secs: default_result_max_age_secs(),
            stream_replicas: default_replicas(),
        }
    }
}

/// Publishes are deduplicated by message id over this window, so a retried publish of the
/// same execution is stored once.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// Connects as `name` (shown in the server's connection list) and returns the JetStream
/// context beside the plain client.
pub async fn connect(
    url: &str,
    name: &str,
) -> Result<(async_nats::Client, jetstream::Context), BrokerError> {
    let client = async_nats::ConnectOptions::new()
        .name(name)
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(|source| BrokerError::Connect {
            url: url.to_owned(),
            source,
        })?;
    let context = jetstream::new(client.clone());
    Ok((client, context))
}

/// Declares the three streams if they do not exist yet. Every service calls this at
/// start-up, so the services may start in any order.
pub async fn ensure_streams(
    js: &jetstream::Context,
    settings: &StreamSettings,
) -> Result<(), BrokerError> {
    let kept = Duration::from_secs(settings.result_max_age_secs);
    let streams = [
        stream::Config {
            name: subjects::SUBMISSIONS_STREAM.to_owned(),
            subjects: vec![subjects::SUBMISSIONS_WILDCARD.to_owned()],
            retention: stream::RetentionPolicy::WorkQueue,
            ..Default::default()
        },
        stream::Config {
            name: subjects::RESULTS_STREAM.to_owned(),
            subjects: vec![subjects::RESULTS_WILDCARD.to_owned()],
            retention: stream::RetentionPolicy::Limits,
            max_age: kept,
            ..Default::default()
        },
        stream::Config {
            name: subjects::DEAD_LETTERS_STREAM.to_owned(),
            subjects: vec![subjects::DEAD_LETTERS_WILDCARD.to_owned()],
            retention: stream::RetentionPolicy::Limits,
            max_age: kept * 7,
            ..Default::default()
        },
    ];
    let names = [
        subjects::SUBMISSIONS_STREAM,
        subjects::RESULTS_STREAM,
        subjects::DEAD_LETTERS_STREAM,
    ];
    for (config, name) in streams.into_iter().zip(names) {
        let config = stream::Config {
            storage: stream::StorageType::File,
            duplicate_window: DUPLICATE_WINDOW,
            num_replicas: settings.stream_replicas,
            ..config
        };
        js.get_or_create_stream(config)
            .await
            .map_err(|source| BrokerError::Stream { name, source })?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
#[error("JetStream did not store the message: {0}")]
pub struct PublishError(#[from] jetstream::context::PublishError);

/// Stores a result document on `exec.result.<id>`, with the execution id as the message id
/// (a redelivered submission's second result is dropped) and the callback URL, if any, in a
/// header for the notifier.
pub async fn publish_result(
    js: &jetstream::Context,
    result: &crate::ExecutionResult,
    callback_url: Option<&str>,
) -> Result<(), PublishError> {
    let payload = serde_json::to_vec(result).expect("a result document always serializes");
    let mut message = PublishMessage::build()
        .payload(payload.into())
        .message_id(result.id.to_string());
    if let Some(url) = callback_url {
        message = message.header(subjects::CALLBACK_URL_HEADER, url);
    }
    js.send_publish(subjects::result(result.id), message)
        .await?
        .await?;
    Ok(())
}

/// Keeps a message that could not be handled on an `exec.dead.>` subject: its payload and
/// headers as they were, plus the reason.
pub async fn publish_dead_letter(
    js: &jetstream::Context,
    subject: String,
    original: &jetstream::Message,
    reason: &str,
) -> Result<(), PublishError> {
    let mut headers = original.headers.clone().unwrap_or_default();
    headers.insert(subjects::DEAD_REASON_HEADER, reason);
    let message = PublishMessage::build()
        .payload(original.payload.clone())
        .headers(headers);
    js.send_publish(subject, message).await?.await?;
    Ok(())
}
