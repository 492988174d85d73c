//! Connecting to NATS and declaring the JetStream streams every service relies on.

use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage, stream};
use serde::Deserialize;

use crate::{registry, subjects};

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("cannot connect to NATS at {url}: {source}")]
    Connect {
        url: String,
        source: async_nats::ConnectError,
    },
    #[error("cannot declare stream {name}: {reason}")]
    Stream { name: String, reason: String },
}

/// How the streams and buckets are stored; shared by every service's configuration.
#[derive(Clone, Debug, Deserialize)]
pub struct StreamSettings {
    /// `RESULT_MAX_AGE_SECS`: how long results (and each execution's state) are kept;
    /// dead letters are kept seven times as long.
    #[serde(default = "default_result_max_age_secs")]
    pub result_max_age_secs: u64,
    /// `STREAM_REPLICAS`: copies of each stream and bucket in a cluster (1 on one server).
    #[serde(default = "default_replicas")]
    pub stream_replicas: usize,
    /// `DUPLICATE_WINDOW_SECS`: a submission published twice within it is stored once.
    #[serde(default = "default_duplicate_window_secs")]
    pub duplicate_window_secs: u64,
    /// `SUBMISSIONS_MAX_MESSAGES` and `SUBMISSIONS_MAX_BYTES`: the queued submissions of
    /// every language together, whatever the gateways do; past them a submission is refused.
    #[serde(default = "default_submissions_max_messages")]
    pub submissions_max_messages: i64,
    #[serde(default = "default_submissions_max_bytes")]
    pub submissions_max_bytes: i64,
}

fn default_submissions_max_messages() -> i64 {
    1_000_000
}

fn default_submissions_max_bytes() -> i64 {
    4 * 1024 * 1024 * 1024
}

fn default_result_max_age_secs() -> u64 {
    3 * 24 * 60 * 60
}

fn default_replicas() -> usize {
    1
}

fn default_duplicate_window_secs() -> u64 {
    120
}

impl Default for StreamSettings {
    fn default() -> Self {
        crate::config::defaults()
    }
}

/// Ready while the connection to NATS is up and JetStream answers for the submissions
/// stream, within [`READY_CHECK_LIMIT`].
pub fn readiness(
    client: async_nats::Client,
    js: jetstream::Context,
) -> crate::telemetry::Readiness {
    std::sync::Arc::new(move || {
        let (client, js) = (client.clone(), js.clone());
        Box::pin(async move {
            if client.connection_state() != async_nats::connection::State::Connected {
                return vec!["not connected to NATS".to_owned()];
            }
            let answered = tokio::time::timeout(
                READY_CHECK_LIMIT,
                js.get_stream(subjects::SUBMISSIONS_STREAM),
            )
            .await;
            match answered {
                Ok(Ok(_)) => Vec::new(),
                Ok(Err(err)) => vec![format!("JetStream: {err}")],
                Err(_) => vec![format!(
                    "JetStream did not answer within {READY_CHECK_LIMIT:?}"
                )],
            }
        })
    })
}

/// How long a readiness check waits for JetStream.
const READY_CHECK_LIMIT: Duration = Duration::from_secs(2);

/// The request id a message carries ([`subjects::REQUEST_ID_HEADER`]), if any.
pub fn request_id(message: &async_nats::Message) -> Option<&str> {
    message
        .headers
        .as_ref()?
        .get(subjects::REQUEST_ID_HEADER)
        .map(|value| value.as_str())
}

/// Connects as `name` (shown in the server's connection list) and returns the JetStream
/// context beside the plain client. `url` may list a cluster's servers, comma-separated.
pub async fn connect(
    url: &str,
    name: &str,
) -> Result<(async_nats::Client, jetstream::Context), BrokerError> {
    let client = async_nats::ConnectOptions::new()
        .name(name)
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5))
        .connect(
            url.split(',')
                .map(str::trim)
                .filter(|server| !server.is_empty())
                .collect::<Vec<_>>(),
        )
        .await
        .map_err(|source| BrokerError::Connect {
            url: url.to_owned(),
            source,
        })?;
    let context = jetstream::new(client.clone());
    Ok((client, context))
}

/// Declares the streams and buckets, or brings an existing one's settings up to date.
/// Every service calls this at start-up, so the services may start in any order.
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
            max_messages: settings.submissions_max_messages,
            max_bytes: settings.submissions_max_bytes,
            // Full means refused: a queued submission is never dropped for a newer one.
            discard: stream::DiscardPolicy::New,
            ..Default::default()
        },
        stream::Config {
            name: subjects::RESULTS_STREAM.to_owned(),
            subjects: vec![subjects::STORED_RESULTS_WILDCARD.to_owned()],
            retention: stream::RetentionPolicy::Limits,
            max_age: kept,
            republish: Some(stream::Republish {
                source: subjects::STORED_RESULTS_WILDCARD.to_owned(),
                destination: subjects::PUBLIC_RESULTS.to_owned(),
                headers_only: false,
            }),
            ..Default::default()
        },
        stream::Config {
            name: subjects::REDELIVERIES_STREAM.to_owned(),
            subjects: vec![subjects::REDELIVERIES_WILDCARD.to_owned()],
            retention: stream::RetentionPolicy::WorkQueue,
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
    remove_retired_results(js).await;
    for config in streams {
        let config = stream::Config {
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(settings.duplicate_window_secs),
            num_replicas: settings.stream_replicas,
            ..config
        };
        declare(js, config).await?;
    }
    // Buckets are declared as the streams they are, because the client's own bucket
    // declaration first asks for account details that nats-server 2.9 words differently.
    for (bucket, max_age) in [
        (subjects::RUNS_BUCKET, kept),
        (subjects::CALLBACKS_BUCKET, kept),
        (subjects::IDEMPOTENCY_BUCKET, kept),
        (subjects::WORKERS_BUCKET, registry::ANNOUNCE_EVERY * 3),
        // Registered problems stay until registered again.
        (subjects::PROBLEMS_BUCKET, Duration::ZERO),
    ] {
        let config = stream::Config {
            name: format!("KV_{bucket}"),
            subjects: vec![format!("$KV.{bucket}.>")],
            max_messages_per_subject: 1,
            max_age,
            storage: stream::StorageType::File,
            num_replicas: settings.stream_replicas,
            allow_rollup: true,
            deny_delete: true,
            // Reads from the leader only: a replica that lags would tell the notifier that
            // a result has no callback, just after its worker recorded one.
            allow_direct: false,
            discard: stream::DiscardPolicy::New,
            ..Default::default()
        };
        declare(js, config).await?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
#[error("JetStream did not store the message: {0}")]
pub struct PublishError(#[from] jetstream::context::PublishError);

/// Whether a result was the execution's first.
#[derive(Debug, PartialEq)]
pub enum Stored {
    First,
    /// A result for this execution was stored before (by a worker this one outlived): the
    /// first one stands and this one is dropped.
    Duplicate,
}

/// Stores a result document for its execution unless one is stored already: the stream
/// takes the first message on `exec.stored.result.<id>` and refuses any after it, however
/// late, so every reader and the notifier see one result per execution.
pub async fn publish_result(
    js: &jetstream::Context,
    result: &crate::ExecutionResult,
    request_id: Option<&str>,
) -> Result<Stored, PublishError> {
    let payload = serde_json::to_vec(result).expect("a result document always serializes");
    let mut message = PublishMessage::build()
        .payload(payload.into())
        .message_id(result.id.to_string())
        .expected_last_subject_sequence(0);
    if let Some(request_id) = request_id {
        message = message.header(subjects::REQUEST_ID_HEADER, request_id);
    }
    let stored = async {
        js.send_publish(subjects::stored_result(result.id), message)
            .await?
            .await
    }
    .await;
    match stored {
        Ok(ack) if ack.duplicate => Ok(Stored::Duplicate),
        Ok(_) => Ok(Stored::First),
        Err(err) if err.kind() == jetstream::context::PublishErrorKind::WrongLastSequence => {
            Ok(Stored::Duplicate)
        }
        Err(err) => Err(err.into()),
    }
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

/// Results stored by an engine older than its execution state live in a stream that
/// JetStream cannot turn into a republishing one, under the public subjects the new one
/// republishes on: it is removed (under a name the new stream does not reuse, since
/// nats-server 2.9 may still be removing a deleted stream's files when a namesake is
/// created). Its results had been published already; callbacks still being retried from it
/// are not resumed.
async fn remove_retired_results(js: &jetstream::Context) {
    if let Ok(true) = js
        .delete_stream(subjects::RETIRED_RESULTS_STREAM)
        .await
        .map(|s| s.success)
    {
        tracing::warn!(
            stream = subjects::RETIRED_RESULTS_STREAM,
            "removed the results stream of an older engine"
        );
    }
}

/// Creates the stream, or updates it if it exists with other settings. In that order: a
/// cluster of nats-server 2.9 leaves an update of a missing stream unanswered, where the
/// client's own create-or-update asks for it first.
async fn create_or_update(
    js: &jetstream::Context,
    config: &stream::Config,
) -> Result<(), jetstream::context::CreateStreamError> {
    match js.create_stream(config.clone()).await {
        Ok(_) => Ok(()),
        Err(err)
            if matches!(
                err.kind(),
                jetstream::context::CreateStreamErrorKind::JetStream(ref source)
                    if source.error_code() == jetstream::ErrorCode::STREAM_NAME_EXIST
            ) =>
        {
            js.update_stream(config.clone())
                .await
                .map(|_| ())
                .map_err(|err| {
                    jetstream::context::CreateStreamError::with_source(
                        jetstream::context::CreateStreamErrorKind::Response,
                        err,
                    )
                })
        }
        Err(err) => Err(err),
    }
}

/// Attempts at declaring one stream: a cluster electing a leader, or several services
/// declaring the same stream at once, time out for a few seconds.
const DECLARE_ATTEMPTS: u32 = 10;

async fn declare(js: &jetstream::Context, config: stream::Config) -> Result<(), BrokerError> {
    let mut attempt = 1;
    loop {
        match create_or_update(js, &config).await {
            Ok(()) => return Ok(()),
            Err(err) if attempt < DECLARE_ATTEMPTS => {
                tracing::warn!(stream = %config.name, error = %err, attempt, "declaring; will retry");
                tokio::time::sleep(Duration::from_secs(1)).await;
                attempt += 1;
            }
            Err(err) => {
                return Err(BrokerError::Stream {
                    name: config.name,
                    reason: err.to_string(),
                })
            }
        }
    }
}
