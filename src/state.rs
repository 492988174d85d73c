//! What the engine knows about each execution, kept in JetStream so that any gateway can
//! answer for it and a restart forgets nothing.
//!
//! An execution is queued while its submission waits in `EXEC_SUBMISSIONS`, running once a
//! worker has written its progress to the `exec-runs` bucket, and completed once its result
//! is stored in `EXEC_STORED_RESULTS`. Its callback (URL and delivery) lives in `exec-callbacks`.

use async_nats::jetstream::{self, kv, message::PublishMessage, stream::Stream};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{subjects, Language};

#[derive(Debug, thiserror::Error)]
#[error("JetStream: {0}")]
pub struct StateError(String);

fn failed(err: impl std::fmt::Display) -> StateError {
    StateError(err.to_string())
}

/// How far an execution has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Queued,
    Running,
    Completed,
}

/// How the delivery of an execution's callback goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not delivered yet: waiting for the result, or being tried.
    Pending,
    Delivered,
    /// Given up: kept as a dead letter until redelivered.
    Failed,
}

/// An execution's callback: where it goes and how its delivery has gone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Callback {
    pub url: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub last_status: Option<u16>,
    /// When this delivery was first tried: its retries end a fixed period after it, however
    /// often the notifier restarts and whatever its settings were.
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_attempt_at: Option<OffsetDateTime>,
}

impl Callback {
    pub fn new(url: String) -> Self {
        Self {
            url,
            state: DeliveryState::Pending,
            attempts: 0,
            last_error: None,
            last_status: None,
            first_attempt_at: None,
        }
    }
}

/// What a running execution tells live on `exec.status.<id>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "StatusWire", try_from = "StatusWire")]
pub enum StatusEvent {
    /// A worker has started it.
    Running,
    /// Test `index` has its verdict.
    Test {
        index: usize,
        result: Box<crate::TestResult>,
    },
}

/// [`StatusEvent`] on the wire: `{"event": "running"}` or `{"event": "test", "index",
/// "result"}`. A plain struct rather than `#[serde(tag)]`, which buffers what it reads and
/// so cannot carry a test's exact input.
#[derive(Serialize, Deserialize)]
struct StatusWire {
    event: StatusKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Box<crate::TestResult>>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusKind {
    Running,
    Test,
}

impl From<StatusEvent> for StatusWire {
    fn from(event: StatusEvent) -> Self {
        match event {
            StatusEvent::Running => Self {
                event: StatusKind::Running,
                index: None,
                result: None,
            },
            StatusEvent::Test { index, result } => Self {
                event: StatusKind::Test,
                index: Some(index),
                result: Some(result),
            },
        }
    }
}

impl TryFrom<StatusWire> for StatusEvent {
    type Error = &'static str;

    fn try_from(wire: StatusWire) -> Result<Self, Self::Error> {
        match wire {
            StatusWire {
                event: StatusKind::Running,
                ..
            } => Ok(Self::Running),
            StatusWire {
                event: StatusKind::Test,
                index: Some(index),
                result: Some(result),
            } => Ok(Self::Test { index, result }),
            StatusWire { .. } => Err("a test event carries its index and result"),
        }
    }
}

/// A running execution's progress.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Run {
    tests_done: usize,
}

/// Everything known about one execution.
#[derive(Clone, Debug)]
pub struct Execution {
    pub id: Uuid,
    pub phase: Phase,
    /// The stored result document, exactly as the callback carries it.
    pub result: Option<Bytes>,
    pub tests_done: usize,
    pub callback: Option<Callback>,
}

/// A callback that could not be delivered.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    pub id: Uuid,
    /// Its place in the dead letters' stream: list after it for the next page.
    pub sequence: u64,
    pub reason: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub failed_at: OffsetDateTime,
    pub result: Bytes,
}

/// What a client's `Idempotency-Key` was given.
#[derive(Debug, PartialEq)]
pub enum Claim {
    /// The key is new: it now names this id.
    New,
    /// The key was used before, for this id.
    Taken(Uuid),
}

/// Why a callback cannot be sent again.
#[derive(Debug, thiserror::Error)]
pub enum RedeliverError {
    #[error("there is no execution {0}")]
    Unknown(Uuid),
    #[error("execution {0} has no callback_url")]
    NoCallback(Uuid),
    #[error("execution {0} has not completed; its callback will be sent when it does")]
    NotCompleted(Uuid),
    #[error("execution {0}'s callback is being delivered now")]
    InProgress(Uuid),
    #[error(transparent)]
    State(#[from] StateError),
}

/// The execution records, over the streams and buckets [`crate::broker::ensure_streams`]
/// declares.
#[derive(Clone)]
pub struct Executions {
    js: jetstream::Context,
    submissions: Stream,
    results: Stream,
    dead_letters: Stream,
    runs: kv::Store,
    callbacks: kv::Store,
    idempotency: kv::Store,
}

impl Executions {
    pub async fn open(js: &jetstream::Context) -> Result<Self, StateError> {
        Ok(Self {
            js: js.clone(),
            submissions: js
                .get_stream(subjects::SUBMISSIONS_STREAM)
                .await
                .map_err(failed)?,
            results: js
                .get_stream(subjects::RESULTS_STREAM)
                .await
                .map_err(failed)?,
            dead_letters: js
                .get_stream(subjects::DEAD_LETTERS_STREAM)
                .await
                .map_err(failed)?,
            runs: js
                .get_key_value(subjects::RUNS_BUCKET)
                .await
                .map_err(failed)?,
            callbacks: js
                .get_key_value(subjects::CALLBACKS_BUCKET)
                .await
                .map_err(failed)?,
            idempotency: js
                .get_key_value(subjects::IDEMPOTENCY_BUCKET)
                .await
                .map_err(failed)?,
        })
    }

    /// A worker is running `id` and has finished `tests_done` of its tests.
    pub async fn running(&self, id: Uuid, tests_done: usize) -> Result<(), StateError> {
        let run = serde_json::to_vec(&Run { tests_done }).expect("a run serializes");
        self.runs
            .put(id.to_string(), run.into())
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Records where `id`'s result is to be delivered, before the result is stored (the
    /// notifier reads it from here). A record already there (an earlier attempt's) stays.
    pub async fn expect_callback(&self, id: Uuid, url: &str) -> Result<(), StateError> {
        let record = serde_json::to_vec(&Callback::new(url.to_owned())).expect("serializes");
        match self.callbacks.create(id.to_string(), record.into()).await {
            Ok(_) => Ok(()),
            Err(err) if err.kind() == kv::CreateErrorKind::AlreadyExists => Ok(()),
            Err(err) => Err(failed(err)),
        }
    }

    /// `id`'s callback record and its revision (for [`Executions::save_callback`]).
    pub async fn callback(&self, id: Uuid) -> Result<Option<(Callback, u64)>, StateError> {
        let Some(entry) = self.callbacks.entry(id.to_string()).await.map_err(failed)? else {
            return Ok(None);
        };
        if entry.operation != kv::Operation::Put {
            return Ok(None);
        }
        let record = serde_json::from_slice(&entry.value).map_err(failed)?;
        Ok(Some((record, entry.revision)))
    }

    /// Replaces `id`'s callback record if it is still at `revision`, and returns the new
    /// revision; `None` if another writer changed it first.
    pub async fn save_callback(
        &self,
        id: Uuid,
        record: &Callback,
        revision: u64,
    ) -> Result<Option<u64>, StateError> {
        let value = serde_json::to_vec(record).expect("a callback record serializes");
        match self
            .callbacks
            .update(id.to_string(), value.into(), revision)
            .await
        {
            Ok(revision) => Ok(Some(revision)),
            Err(err) if err.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(None),
            Err(err) => Err(failed(err)),
        }
    }

    /// Gives `id` to `key` unless the key already names an execution.
    pub async fn claim(&self, key: &str, id: Uuid) -> Result<Claim, StateError> {
        let hashed = idempotency_key(key);
        match self
            .idempotency
            .create(&hashed, id.to_string().into())
            .await
        {
            Ok(_) => Ok(Claim::New),
            Err(err) if err.kind() == kv::CreateErrorKind::AlreadyExists => {
                let first = self.idempotency.get(&hashed).await.map_err(failed)?;
                let first = first
                    .and_then(|value| std::str::from_utf8(&value).ok()?.parse().ok())
                    .ok_or_else(|| failed("an idempotency key names no execution"))?;
                Ok(Claim::Taken(first))
            }
            Err(err) => Err(failed(err)),
        }
    }

    /// Everything known about `id`; `None` if no execution has it. `languages` are those a
    /// queued submission may be waiting under.
    pub async fn lookup(
        &self,
        id: Uuid,
        languages: &[Language],
    ) -> Result<Option<Execution>, StateError> {
        // Read in the order an execution moves (queued, running, completed): a submission
        // leaves its queue only after its result is stored, so no moment falls between.
        let queued =
            futures::future::try_join_all(languages.iter().map(|&language| {
                self.exists(&self.submissions, subjects::submission(language, id))
            }))
            .await?
            .contains(&true);
        let run = self.runs.get(id.to_string()).await.map_err(failed)?;
        let result = self.result(id).await?;
        let callback = self.callback(id).await?.map(|(record, _)| record);
        let (phase, tests_done) = match (&result, run, queued) {
            (Some(result), _, _) => (Phase::Completed, tests_in(result)),
            (None, Some(run), _) => {
                let run: Run = serde_json::from_slice(&run).map_err(failed)?;
                (Phase::Running, run.tests_done)
            }
            (None, None, true) => (Phase::Queued, 0),
            (None, None, false) => return Ok(None),
        };
        Ok(Some(Execution {
            id,
            phase,
            result,
            tests_done,
            callback,
        }))
    }

    /// `id`'s stored result document.
    pub async fn result(&self, id: Uuid) -> Result<Option<Bytes>, StateError> {
        last_message(&self.results, subjects::stored_result(id))
            .await
            .map(|found| found.map(|message| message.payload))
    }

    async fn exists(&self, stream: &Stream, subject: String) -> Result<bool, StateError> {
        Ok(last_message(stream, subject).await?.is_some())
    }

    /// Keeps a callback that could not be delivered, with why.
    pub async fn bury(&self, id: Uuid, result: Bytes, record: &Callback) -> Result<(), StateError> {
        let mut headers = async_nats::HeaderMap::new();
        let reason = record.last_error.as_deref().unwrap_or("not delivered");
        headers.insert(subjects::DEAD_REASON_HEADER, reason);
        headers.insert(
            subjects::DEAD_ATTEMPTS_HEADER,
            record.attempts.to_string().as_str(),
        );
        if let Some(status) = record.last_status {
            headers.insert(
                subjects::DEAD_LAST_STATUS_HEADER,
                status.to_string().as_str(),
            );
        }
        let message = PublishMessage::build().payload(result).headers(headers);
        self.js
            .send_publish(subjects::dead_callback(id), message)
            .await
            .map_err(failed)?
            .await
            .map_err(failed)?;
        Ok(())
    }

    /// Up to `limit` dead callbacks after stream sequence `after`, oldest first.
    pub async fn dead_letters(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<DeadLetter>, StateError> {
        let mut letters = Vec::new();
        let mut next = after + 1;
        while letters.len() < limit {
            let found = self
                .dead_letters
                .raw_message_builder()
                .sequence(next)
                .next_by_subject(subjects::DEAD_CALLBACKS_WILDCARD.to_owned())
                .send()
                .await;
            let message = match found {
                Ok(message) => message,
                Err(err)
                    if err.kind() == jetstream::stream::RawMessageErrorKind::NoMessageFound =>
                {
                    break
                }
                Err(err) => return Err(failed(err)),
            };
            next = message.sequence + 1;
            if let Some(letter) = dead_letter(message) {
                letters.push(letter);
            }
        }
        Ok(letters)
    }

    /// Sends `id`'s result to its callback again, as a new delivery with its own retries.
    pub async fn redeliver(&self, id: Uuid) -> Result<(), RedeliverError> {
        let dead = last_message(&self.dead_letters, subjects::dead_callback(id)).await?;
        let result = match self.result(id).await? {
            Some(result) => result,
            // Kept longer than results are.
            None => match &dead {
                Some(dead) => dead.payload.clone(),
                None => return Err(RedeliverError::Unknown(id)),
            },
        };
        let Some((record, revision)) = self.callback(id).await? else {
            return Err(RedeliverError::NoCallback(id));
        };
        if record.state == DeliveryState::Pending {
            return Err(if record.attempts == 0 && dead.is_none() {
                RedeliverError::NotCompleted(id)
            } else {
                RedeliverError::InProgress(id)
            });
        }
        let fresh = Callback::new(record.url);
        let Some(revision) = self.save_callback(id, &fresh, revision).await? else {
            return Err(RedeliverError::InProgress(id));
        };
        let message = PublishMessage::build()
            .payload(result)
            .message_id(format!("{id}-{revision}"));
        self.js
            .send_publish(subjects::redelivery(id), message)
            .await
            .map_err(failed)?
            .await
            .map_err(failed)?;
        if dead.is_some() {
            self.dead_letters
                .purge()
                .filter(subjects::dead_callback(id))
                .await
                .map_err(failed)?;
        }
        Ok(())
    }
}

async fn last_message(
    stream: &Stream,
    subject: String,
) -> Result<Option<jetstream::message::StreamMessage>, StateError> {
    match stream.get_last_raw_message_by_subject(&subject).await {
        Ok(message) => Ok(Some(message)),
        Err(err) if err.kind() == jetstream::stream::LastRawMessageErrorKind::NoMessageFound => {
            Ok(None)
        }
        Err(err) => Err(failed(err)),
    }
}

fn dead_letter(message: jetstream::message::StreamMessage) -> Option<DeadLetter> {
    let header = |name: &str| {
        message
            .headers
            .get(name)
            .map(|value| value.as_str().to_owned())
    };
    Some(DeadLetter {
        id: subjects::id_of(&message.subject)?,
        sequence: message.sequence,
        reason: header(subjects::DEAD_REASON_HEADER).unwrap_or_default(),
        attempts: header(subjects::DEAD_ATTEMPTS_HEADER)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
        last_status: header(subjects::DEAD_LAST_STATUS_HEADER).and_then(|n| n.parse().ok()),
        failed_at: message.time,
        result: message.payload,
    })
}

/// How many tests a result document holds.
fn tests_in(result: &[u8]) -> usize {
    #[derive(Deserialize)]
    struct Tests {
        results: Vec<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<Tests>(result).map_or(0, |tests| tests.results.len())
}

/// A KV key for any client-chosen text: its SHA-256, in hex.
fn idempotency_key(key: &str) -> String {
    crate::digest::sha256_hex(key.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_become_valid_kv_keys() {
        let key = idempotency_key("client 7 / retry: ☃");
        assert_eq!(key.len(), 64);
        assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(key, idempotency_key("client 7 / retry: ☂"));
    }

    #[test]
    fn status_events_keep_the_wire_format_and_exact_inputs() {
        assert_eq!(
            serde_json::to_string(&StatusEvent::Running).unwrap(),
            r#"{"event":"running"}"#
        );
        let case = crate::TestCase {
            input: crate::exact_json::ExactJson::parse("[18446744073709551616]").unwrap(),
            expected_output: "18446744073709551616".to_owned(),
            comparison: None,
            weight: 1.0,
        };
        let result = crate::TestResult::returned(
            &case,
            crate::compare::Comparison::returned_value(),
            "18446744073709551616".to_owned(),
            1.0,
            None,
            Default::default(),
        );
        let event = StatusEvent::Test {
            index: 3,
            result: Box::new(result),
        };
        let wire = serde_json::to_string(&event).unwrap();
        assert!(wire
            .starts_with(r#"{"event":"test","index":3,"result":{"input":[18446744073709551616],"#));
        assert_eq!(serde_json::from_str::<StatusEvent>(&wire).unwrap(), event);
        assert!(serde_json::from_str::<StatusEvent>(r#"{"event":"test"}"#).is_err());
    }

    #[test]
    fn a_result_documents_tests_are_counted() {
        assert_eq!(tests_in(br#"{"id": "x", "results": [{}, {}, {}]}"#), 3);
        assert_eq!(tests_in(b"not json"), 0);
    }
}
