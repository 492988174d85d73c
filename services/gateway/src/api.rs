//! The HTTP API: one handler per endpoint, documented by poem-openapi.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage};
use exec_engine::registry::Registry;
use exec_engine::state::{self, Claim, Executions, RedeliverError};
use exec_engine::telemetry::{self, names};
use exec_engine::{subjects, Submission, SubmissionLimits};
use futures::stream::BoxStream;
use futures::StreamExt;
use poem::middleware::ReqId;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{EventStream, Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use time::format_description::well_known::Rfc3339;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::backlog::{Backlogs, QueueFull};
use crate::error::{ApiError, ErrorBody, RETRY_AFTER_SECS};
use crate::execution_id::ExecutionId;
use crate::keys::Caller;
use crate::problems::{self, ProblemBody, Unresolved};
use crate::submission_body::{BatchBody, SubmissionBody};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub nats: async_nats::Client,
    pub jetstream: jetstream::Context,
    pub executions: Executions,
    pub limits: SubmissionLimits,
    pub max_body_bytes: usize,
    pub max_batch: usize,
    pub max_batch_body_bytes: usize,
    pub body_read_timeout: Duration,
    /// The longest `?wait=` of `GET /executions/{id}`, and the longest events stream.
    pub max_wait_secs: u64,
    pub max_follow: Duration,
    /// Requests held by `?wait=` at once; past it, a request answers at once.
    pub waiting: Arc<Semaphore>,
    pub backlogs: Arc<Backlogs>,
    /// Each key's submissions queued or running.
    pub queued: Arc<crate::quota::Queued>,
    pub registry: Registry,
    pub problems: exec_engine::problems::Problems,
}

pub struct Api;

pub const ACCEPTED_MESSAGE: &str = "Code execution task accepted";
/// Requests held by `?wait=` at once (each holds a subscription): a flood of them answers
/// at once instead of piling up.
pub const MAX_WAITING: usize = 4096;
const DEFAULT_DEAD_LETTERS: usize = 50;
const MAX_DEAD_LETTERS: usize = 500;

#[derive(Object)]
pub struct Accepted {
    /// Always "Code execution task accepted".
    pub message: String,
    /// The execution id: the result document's `id` and the NATS subject's last token.
    pub id: String,
}

#[derive(Object)]
pub struct Health {
    pub status: String,
}

/// How far an execution has got.
#[derive(Enum, serde::Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ExecutionPhase {
    /// Waiting for a worker.
    Queued,
    /// A worker is running its tests.
    Running,
    /// Its result is stored (and delivered, or being delivered, to its callback).
    Completed,
}

impl From<state::Phase> for ExecutionPhase {
    fn from(phase: state::Phase) -> Self {
        match phase {
            state::Phase::Queued => Self::Queued,
            state::Phase::Running => Self::Running,
            state::Phase::Completed => Self::Completed,
        }
    }
}

/// How the delivery of an execution's callback goes.
#[derive(Enum)]
#[oai(rename_all = "snake_case")]
pub enum CallbackPhase {
    /// The execution has no `callback_url`.
    None,
    /// Waiting for the result, or being tried.
    Pending,
    Delivered,
    /// Given up: listed by `GET /dead-letters` until redelivered.
    Failed,
}

#[derive(Object)]
pub struct CallbackState {
    pub state: CallbackPhase,
    /// Attempts made so far in this delivery.
    pub attempts: u32,
    /// Why the last attempt did not deliver.
    #[oai(nullable)]
    pub last_error: Option<String>,
}

#[derive(Object)]
pub struct ExecutionState {
    pub id: String,
    pub state: ExecutionPhase,
    /// The result document, as its callback carries it; null until completed.
    #[oai(nullable)]
    pub result: Option<crate::exact_body::ResultDocument>,
    /// Tests with a verdict so far.
    pub tests_done: u64,
    pub callback: CallbackState,
}

#[derive(Object)]
pub struct DeadLetter {
    /// The execution whose callback was not delivered.
    pub id: String,
    pub reason: String,
    pub attempts: u32,
    /// The receiver's last HTTP status, if it answered at all.
    #[oai(nullable)]
    pub last_status: Option<u16>,
    /// When the delivery was given up (RFC 3339).
    pub failed_at: String,
    /// Its place in the list: pass it as `after` for the next page.
    pub sequence: u64,
}

#[derive(Object)]
pub struct DeadLetters {
    pub dead_letters: Vec<DeadLetter>,
    /// The `after` that reads the next page.
    pub next_after: u64,
}

#[derive(ApiResponse)]
pub enum ExecuteResponse {
    /// The submission is stored on JetStream and will run; `Location` is its state.
    #[oai(status = 202)]
    Accepted(Json<Accepted>, #[oai(header = "Location")] String),
    /// The body is not a JSON object, or the `Idempotency-Key` is not 1 to 255 visible
    /// characters.
    #[oai(status = 400)]
    Malformed(Json<ErrorBody>),
    /// The body is larger than `MAX_BODY_BYTES`.
    #[oai(status = 413)]
    TooLarge(Json<ErrorBody>),
    /// The body is not sent as `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// A field is missing or invalid; `field` names it.
    #[oai(status = 422)]
    InvalidField(Json<ErrorBody>),
    /// `problem` names no registered problem (`problem_not_found`).
    #[oai(status = 404)]
    ProblemNotFound(Json<ErrorBody>),
    /// The language's queue is full (`queue_full`): retry after `Retry-After` seconds. Also
    /// (`key_queue_full`, with `RateLimit-*` headers) when the caller's key has its
    /// `max_queued` submissions queued or running.
    #[oai(status = 429)]
    QueueFull(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    /// The store of the submission was not confirmed; `id` is the one it was given: ask
    /// for its state (it may have been stored after all) or retry with the same
    /// `Idempotency-Key` after `Retry-After` seconds.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

/// One submission of a batch, answered: its `id`, or the error it got.
#[derive(Object)]
pub struct BatchItem {
    #[oai(skip_serializing_if_is_none)]
    pub id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub message: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
}

impl BatchItem {
    fn accepted(id: Uuid) -> Self {
        Self {
            id: Some(id.to_string()),
            error: None,
            message: None,
            field: None,
        }
    }

    fn failed(body: ErrorBody) -> Self {
        Self {
            id: body.id,
            error: Some(body.error),
            message: Some(body.message),
            field: body.field,
        }
    }
}

#[derive(Object)]
pub struct Batch {
    /// One per submission, in the request's order.
    pub items: Vec<BatchItem>,
}

#[derive(ApiResponse)]
pub enum BatchResponse {
    /// Each submission answered on its own (see `items`).
    #[oai(status = 202)]
    Accepted(Json<Batch>),
    /// The body is not a JSON object with a `submissions` array.
    #[oai(status = 400)]
    Malformed(Json<ErrorBody>),
    /// The body is larger than `MAX_BATCH_BODY_BYTES`.
    #[oai(status = 413)]
    TooLarge(Json<ErrorBody>),
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// `submissions` is empty or holds more than `MAX_BATCH`.
    #[oai(status = 422)]
    InvalidField(Json<ErrorBody>),
}

#[derive(ApiResponse)]
pub enum RegisterProblemResponse {
    /// The problem, as registered.
    #[oai(status = 200)]
    Registered(Json<problems::ProblemDocument>),
    /// The name is not letters, digits, `_` and `-`, or the body is not a JSON object.
    #[oai(status = 400)]
    Malformed(Json<ErrorBody>),
    /// The body is larger than `MAX_BODY_BYTES`.
    #[oai(status = 413)]
    TooLarge(Json<ErrorBody>),
    /// The body is not sent as `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
    /// The checker is missing or invalid; `field` names what.
    #[oai(status = 422)]
    InvalidField(Json<ErrorBody>),
    /// JetStream did not answer.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum ProblemResponse {
    /// The problem, as registered.
    #[oai(status = 200)]
    Found(Json<problems::ProblemDocument>),
    /// The name is not letters, digits, `_` and `-`.
    #[oai(status = 400)]
    Malformed(Json<ErrorBody>),
    /// No problem has this name.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// JetStream did not answer.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum StateResponse {
    #[oai(status = 200)]
    Found(crate::exact_body::StateBody),
    /// The id is not a UUID, or `wait` is over `MAX_WAIT_SECS`.
    #[oai(status = 400)]
    Malformed(Json<ErrorBody>),
    /// No execution has this id (or its result has expired).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// JetStream did not answer.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum EventsResponse {
    /// Server-Sent Events: `state` (`{"state", "tests_done"}`) now and as it changes,
    /// `test` (a test's result with its `index`) as each completes, then `completed` (the
    /// result document), and the stream ends. It also ends after `EVENTS_MAX_SECS` (10
    /// minutes by default): reconnect.
    #[oai(status = 200)]
    Events(EventStream<BoxStream<'static, StreamEvent>>),
    /// The id is not an execution id (answered before the handler, by the path's type).
    #[oai(status = 400)]
    Malformed(Json<ErrorBody>),
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// JetStream did not answer, or too many streams are open.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum RedeliverResponse {
    /// The callback will be sent again, as a new delivery with its own retries.
    #[oai(status = 202)]
    Accepted(Json<Accepted>, #[oai(header = "Location")] String),
    /// The id is not an execution id (answered before the handler, by the path's type).
    #[oai(status = 400)]
    Malformed(Json<ErrorBody>),
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The execution has no callback, has not completed, or its callback is being
    /// delivered now.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum DeadLettersResponse {
    #[oai(status = 200)]
    Found(Json<DeadLetters>),
    /// `limit` is 0 or over 500.
    #[oai(status = 400)]
    Malformed(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

/// The limits a language runs under unless a submission sets its own.
#[derive(Object)]
pub struct LanguageLimits {
    /// Each test's limit by default; a submission may ask for up to `max_time_limit_ms`.
    pub time_limit_ms: u64,
    pub max_time_limit_ms: u64,
    /// The sandbox's memory by default; a submission may ask for up to `max_memory_limit_mb`.
    pub memory_limit_mb: u64,
    pub max_memory_limit_mb: u64,
    /// A whole submission's wall clock.
    pub submission_timeout_secs: u64,
    /// Loading or compiling the code.
    pub compile_time_limit_ms: u64,
    /// What each test may print on stdout, and on stderr.
    pub output_limit_bytes: u64,
}

#[derive(Object)]
pub struct LanguageInfo {
    pub language: String,
    /// The runtime as it names itself (`Python 3.11.2`); null until a worker has said.
    #[oai(nullable)]
    pub runtime: Option<String>,
    /// Whether the code is compiled before its tests run.
    pub compiled: bool,
    /// How code is compiled and run, every flag (the image's `exec-engine.build` label);
    /// null until a worker has said.
    #[oai(nullable)]
    pub build: Option<String>,
    /// The sandbox image, and the id it resolved to.
    #[oai(nullable)]
    pub image: Option<String>,
    #[oai(nullable)]
    pub image_id: Option<String>,
    /// Its default limits; null until a worker has said.
    #[oai(nullable)]
    pub limits: Option<LanguageLimits>,
    /// Worker processes serving it now, and the sandboxes they run at once.
    pub workers: u64,
    pub concurrency: u64,
}

#[derive(Object)]
pub struct Languages {
    pub languages: Vec<LanguageInfo>,
}

#[derive(ApiResponse)]
pub enum LanguagesResponse {
    #[oai(status = 200)]
    Found(Json<Languages>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// Connected to NATS.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// Not connected to NATS.
    #[oai(status = 503)]
    NotReady(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
}

#[OpenApi]
impl Api {
    /// Submit code to run against test cases.
    ///
    /// Answered only after JetStream has stored the submission. The result is POSTed to
    /// `callback_url`, published on `exec.result.<id>` and kept for `GET /executions/<id>`.
    /// A request retried with the same `Idempotency-Key` gets the first one's id.
    #[oai(path = "/execute", method = "post")]
    #[tracing::instrument(name = "execute", skip_all, fields(id = %body.0.id, language = %body.0.language))]
    async fn execute(
        &self,
        state: Data<&AppState>,
        caller: Data<&Caller>,
        request_id: Data<&ReqId>,
        body: SubmissionBody,
        /// Any text (1 to 255 visible ASCII characters); a retried request with the same
        /// key gets the first one's id.
        #[oai(
            name = "Idempotency-Key",
            validator(min_length = 1, max_length = 255, pattern = r"^[ -~]*[!-~][ -~]*$")
        )]
        idempotency_key: Header<Option<String>>,
        request: &poem::Request,
    ) -> poem::Result<ExecuteResponse> {
        // A key that is not text reads as none: refused rather than ignored.
        if idempotency_key.0.is_none() && request.headers().contains_key("idempotency-key") {
            return Ok(ExecuteResponse::Malformed(Json(
                ApiError::Malformed(
                    "the Idempotency-Key header must be 1 to 255 visible ASCII characters".into(),
                )
                .body(),
            )));
        }
        let request_id = request_id.0.to_string();
        let mut submission = body.0;
        submission.key_id = caller.key_id.clone();
        match problems::resolve(&state.problems, &mut submission).await {
            Ok(()) => {}
            Err(Unresolved::Unknown(err)) => {
                return Ok(ExecuteResponse::ProblemNotFound(Json(err.body())))
            }
            Err(Unresolved::Unavailable(err)) => return Ok(unavailable(submission.id, &err)),
        }
        if let Some(key) = idempotency_key.0 {
            // Each key has its own idempotency keys.
            let scoped = format!("{}\n{key}", caller.key_id.as_deref().unwrap_or_default());
            match state.executions.claim(&scoped, submission.id).await {
                Ok(Claim::New) => {}
                Ok(Claim::Taken(first)) => {
                    // Stored before, it is not run again; if the first attempt's store
                    // was never confirmed, this one stores it under the same id.
                    submission.id = first;
                    match state
                        .executions
                        .lookup(first, &state.limits.languages)
                        .await
                    {
                        Ok(Some(_)) => return Ok(accepted(first)),
                        Ok(None) => {}
                        Err(err) => return Ok(unavailable(first, &err)),
                    }
                }
                Err(err) => return Ok(unavailable(submission.id, &err)),
            }
        }
        Ok(
            match admit_and_queue(&state, &caller, &submission, &request_id).await {
                Ok(()) => {
                    tracing::info!(tests = submission.test_cases.len(), "accepted");
                    accepted(submission.id)
                }
                Err(Refusal::QueueFull(full)) => {
                    let err = ApiError::QueueFull(submission.language.to_string());
                    ExecuteResponse::QueueFull(Json(err.body()), full.retry_after_secs)
                }
                // With RateLimit-* headers, as the key's rate.
                Err(Refusal::KeyQueueFull(at)) => {
                    return Err(ApiError::KeyQueueFull { cap: at.cap }.into())
                }
                Err(Refusal::Unavailable(err)) => unavailable(submission.id, &err),
            },
        )
    }

    /// Submit many at once: `{"submissions": [<a POST /execute body>, ...]}`.
    ///
    /// Each is checked, queued and answered on its own, in order: `{"id": ...}` when
    /// accepted, or the error `POST /execute` would have answered (`queue_full` and
    /// `unavailable` included, the latter with the `id` it tried).
    #[oai(path = "/execute/batch", method = "post")]
    #[tracing::instrument(name = "batch", skip_all, fields(size = body.0.len()))]
    async fn batch(
        &self,
        state: Data<&AppState>,
        caller: Data<&Caller>,
        request_id: Data<&ReqId>,
        body: BatchBody,
    ) -> BatchResponse {
        let caller: &Caller = caller.0;
        let key_id = &caller.key_id;
        let request_id = &request_id.0.to_string();
        let items = futures::future::join_all(body.0.into_iter().map(|item| {
            let state = &state;
            async move {
                let mut submission = match item {
                    Ok(submission) => Submission {
                        key_id: key_id.clone(),
                        ..submission
                    },
                    Err(err) => {
                        count_invalid();
                        return BatchItem::failed(ApiError::from(err).body());
                    }
                };
                match problems::resolve(&state.problems, &mut submission).await {
                    Ok(()) => {}
                    Err(Unresolved::Unknown(err)) => return BatchItem::failed(err.body()),
                    Err(Unresolved::Unavailable(_)) => {
                        return BatchItem::failed(ErrorBody {
                            id: Some(submission.id.to_string()),
                            ..ApiError::Unavailable.body()
                        })
                    }
                }
                match admit_and_queue(state, caller, &submission, request_id).await {
                    Ok(()) => BatchItem::accepted(submission.id),
                    Err(Refusal::QueueFull(_)) => BatchItem::failed(
                        ApiError::QueueFull(submission.language.to_string()).body(),
                    ),
                    Err(Refusal::KeyQueueFull(at)) => {
                        BatchItem::failed(ApiError::KeyQueueFull { cap: at.cap }.body())
                    }
                    Err(Refusal::Unavailable(err)) => {
                        tracing::warn!(id = %submission.id, error = %err, "the store was not confirmed");
                        BatchItem::failed(ErrorBody {
                            id: Some(submission.id.to_string()),
                            ..ApiError::Unavailable.body()
                        })
                    }
                }
            }
        }))
        .await;
        tracing::info!(
            accepted = items.iter().filter(|item| item.error.is_none()).count(),
            "batch answered"
        );
        BatchResponse::Accepted(Json(Batch { items }))
    }

    /// An execution's state, and its result once completed.
    ///
    /// With `wait` (seconds, at most `MAX_WAIT_SECS`), the answer waits until the execution
    /// completes or that time passes.
    #[oai(path = "/executions/:id", method = "get")]
    #[tracing::instrument(name = "state", skip_all, fields(id = %id.0))]
    async fn state(
        &self,
        state: Data<&AppState>,
        /// The execution's id.
        id: Path<ExecutionId>,
        /// Seconds to wait for the execution to complete (0 to `MAX_WAIT_SECS`, 60 by
        /// default).
        #[oai(validator(minimum(value = "0")))]
        wait: Query<Option<u64>>,
    ) -> StateResponse {
        let id = id.0 .0;
        let wait = wait.0.unwrap_or(0);
        if wait > state.max_wait_secs {
            let max = state.max_wait_secs;
            return StateResponse::Malformed(Json(
                ApiError::Malformed(format!("wait must be 0 to {max} seconds")).body(),
            ));
        }
        match wait_for(&state, id, Duration::from_secs(wait)).await {
            Ok(Some(execution)) => {
                StateResponse::Found(crate::exact_body::StateBody(execution_state(execution)))
            }
            Ok(None) => StateResponse::NotFound(Json(ApiError::NotFound.body())),
            Err(err) => {
                tracing::warn!(error = %err, "state not read");
                StateResponse::Unavailable(Json(ApiError::Unavailable.body()), RETRY_AFTER_SECS)
            }
        }
    }

    /// An execution's progress, live, as Server-Sent Events (usable with `EventSource`).
    #[oai(path = "/executions/:id/events", method = "get")]
    #[tracing::instrument(name = "events", skip_all, fields(id = %id.0))]
    async fn events(
        &self,
        state: Data<&AppState>,
        /// The execution's id.
        id: Path<ExecutionId>,
    ) -> EventsResponse {
        let id = id.0 .0;
        let unavailable =
            || EventsResponse::Unavailable(Json(ApiError::Unavailable.body()), RETRY_AFTER_SECS);
        let Ok(held) = state.waiting.clone().try_acquire_owned() else {
            return unavailable();
        };
        // Subscribed before looking, so that nothing told in between is missed.
        let subscribed = futures::try_join!(
            state.nats.subscribe(subjects::status(id)),
            state.nats.subscribe(subjects::result(id)),
        );
        let Ok((statuses, stored)) = subscribed else {
            return unavailable();
        };
        let execution = match state.executions.lookup(id, &state.limits.languages).await {
            Ok(Some(execution)) => execution,
            Ok(None) => return EventsResponse::NotFound(Json(ApiError::NotFound.body())),
            Err(err) => {
                tracing::warn!(error = %err, "state not read");
                return unavailable();
            }
        };
        let max_follow = state.max_follow;
        let (events, stream) = futures::channel::mpsc::unbounded();
        tokio::spawn(async move {
            follow(execution, statuses, stored, events, max_follow).await;
            drop(held);
        });
        EventsResponse::Events(
            EventStream::new(stream.boxed())
                .keep_alive(Duration::from_secs(15))
                .to_event(|event| {
                    poem::web::sse::Event::message(event.data).event_type(event.event)
                }),
        )
    }

    /// Send an execution's result to its callback again (a dead letter, or one delivered
    /// that its receiver lost).
    #[oai(path = "/executions/:id/redeliver", method = "post")]
    #[tracing::instrument(name = "redeliver", skip_all, fields(id = %id.0))]
    async fn redeliver(
        &self,
        state: Data<&AppState>,
        /// The execution's id.
        id: Path<ExecutionId>,
    ) -> RedeliverResponse {
        let id = id.0 .0;
        let conflict = |err: RedeliverError| {
            RedeliverResponse::Conflict(Json(ApiError::Conflict(err.to_string()).body()))
        };
        match state.executions.redeliver(id).await {
            Ok(()) => {
                tracing::info!("redelivery queued");
                RedeliverResponse::Accepted(
                    Json(Accepted {
                        message: "Callback redelivery accepted".to_owned(),
                        id: id.to_string(),
                    }),
                    location(id),
                )
            }
            Err(RedeliverError::Unknown(_)) => {
                RedeliverResponse::NotFound(Json(ApiError::NotFound.body()))
            }
            Err(err @ RedeliverError::State(_)) => {
                tracing::warn!(error = %err, "redelivery not queued");
                RedeliverResponse::Unavailable(Json(ApiError::Unavailable.body()), RETRY_AFTER_SECS)
            }
            Err(err) => conflict(err),
        }
    }

    /// Callbacks that could not be delivered, oldest first.
    #[oai(path = "/dead-letters", method = "get")]
    async fn dead_letters(
        &self,
        state: Data<&AppState>,
        /// List those after this `sequence` (0: from the oldest; at most 10^15, which every
        /// JSON reader holds exactly).
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000000000000")))]
        after: Query<Option<u64>>,
        /// At most this many (1 to 500; 50 by default).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<usize>>,
    ) -> DeadLettersResponse {
        let limit = limit.0.unwrap_or(DEFAULT_DEAD_LETTERS);
        if !(1..=MAX_DEAD_LETTERS).contains(&limit) {
            return DeadLettersResponse::Malformed(Json(
                ApiError::Malformed(format!("limit must be 1 to {MAX_DEAD_LETTERS}")).body(),
            ));
        }
        let after = after.0.unwrap_or(0);
        match state.executions.dead_letters(after, limit).await {
            Ok(letters) => DeadLettersResponse::Found(Json(DeadLetters {
                next_after: letters.last().map_or(after, |letter| letter.sequence),
                dead_letters: letters
                    .into_iter()
                    .map(|letter| DeadLetter {
                        id: letter.id.to_string(),
                        reason: letter.reason,
                        attempts: letter.attempts,
                        last_status: letter.last_status,
                        failed_at: letter.failed_at.format(&Rfc3339).unwrap_or_default(),
                        sequence: letter.sequence,
                    })
                    .collect(),
            })),
            Err(err) => {
                tracing::warn!(error = %err, "dead letters not read");
                DeadLettersResponse::Unavailable(
                    Json(ApiError::Unavailable.body()),
                    RETRY_AFTER_SECS,
                )
            }
        }
    }

    /// Register a problem: a checker that the submissions naming it (`"problem": name`)
    /// are judged by. Registering a name again replaces its problem for the submissions
    /// after.
    #[oai(path = "/problems/:name", method = "put")]
    #[tracing::instrument(name = "register_problem", skip_all, fields(name = %name.0))]
    async fn register_problem(
        &self,
        state: Data<&AppState>,
        /// Letters, digits, `_` and `-`.
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{1,64}$"))]
        name: Path<String>,
        body: ProblemBody,
    ) -> RegisterProblemResponse {
        match state.problems.put(&name.0, &body.0).await {
            Ok(()) => {
                tracing::info!(language = %body.0.checker.language, "problem registered");
                RegisterProblemResponse::Registered(Json(body.0.into()))
            }
            Err(err) => {
                tracing::warn!(error = %err, "problem not registered");
                RegisterProblemResponse::Unavailable(
                    Json(ApiError::Unavailable.body()),
                    RETRY_AFTER_SECS,
                )
            }
        }
    }

    /// A registered problem.
    #[oai(path = "/problems/:name", method = "get")]
    #[tracing::instrument(name = "problem", skip_all, fields(name = %name.0))]
    async fn problem(
        &self,
        state: Data<&AppState>,
        /// Letters, digits, `_` and `-`.
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{1,64}$"))]
        name: Path<String>,
    ) -> ProblemResponse {
        match state.problems.get(&name.0).await {
            Ok(Some(problem)) => ProblemResponse::Found(Json(problem.into())),
            Ok(None) => ProblemResponse::NotFound(Json(ApiError::NotFound.body())),
            Err(err) => {
                tracing::warn!(error = %err, "problem not read");
                ProblemResponse::Unavailable(Json(ApiError::Unavailable.body()), RETRY_AFTER_SECS)
            }
        }
    }

    /// The languages this deployment serves: runtime, image, default limits, workers.
    #[oai(path = "/languages", method = "get")]
    async fn languages(&self, state: Data<&AppState>) -> LanguagesResponse {
        let workers = match state.registry.workers().await {
            Ok(workers) => workers,
            Err(err) => {
                tracing::warn!(error = %err, "workers not listed");
                return LanguagesResponse::Unavailable(
                    Json(ApiError::Unavailable.body()),
                    RETRY_AFTER_SECS,
                );
            }
        };
        let limits = &state.limits;
        let languages = limits
            .languages
            .iter()
            .map(|&language| {
                let serving: Vec<_> = workers.iter().filter(|w| w.language == language).collect();
                let first = serving.first();
                LanguageInfo {
                    language: language.to_string(),
                    runtime: first.and_then(|w| w.runtime.clone()),
                    compiled: language.keeps_builds(),
                    build: first.and_then(|w| w.build.clone()),
                    image: first.map(|w| w.image.clone()),
                    image_id: first.map(|w| w.image_id.clone()),
                    limits: first.map(|w| LanguageLimits {
                        time_limit_ms: w.limits.time_limit_ms,
                        max_time_limit_ms: limits.max_time_limit_ms,
                        memory_limit_mb: w.limits.memory_limit_mb,
                        max_memory_limit_mb: limits.max_memory_limit_mb,
                        submission_timeout_secs: w.limits.submission_timeout_secs,
                        compile_time_limit_ms: w.limits.compile_time_limit_ms,
                        output_limit_bytes: w.limits.output_limit_bytes as u64,
                    }),
                    workers: serving.len() as u64,
                    concurrency: serving.iter().map(|w| w.concurrency as u64).sum(),
                }
            })
            .collect();
        LanguagesResponse::Found(Json(Languages { languages }))
    }

    /// The gateway's metrics, in Prometheus text format.
    #[oai(path = "/metrics", method = "get")]
    async fn metrics(&self) -> PlainText<String> {
        PlainText(telemetry::prometheus().render())
    }

    /// Liveness: the process answers.
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: "ok".to_owned(),
        })
    }

    /// Readiness: the gateway can queue submissions.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        let ready = exec_engine::broker::readiness(state.nats.clone(), state.jetstream.clone());
        let problems = ready().await;
        if problems.is_empty() {
            return ReadyResponse::Ready(Json(Health {
                status: "ready".to_owned(),
            }));
        }
        tracing::warn!(?problems, "not ready");
        ReadyResponse::NotReady(Json(ApiError::Unavailable.body()), RETRY_AFTER_SECS)
    }
}

/// One Server-Sent Event: its name and its JSON data, as text so that a test's exact input
/// is passed on as written. Its data is a [`StateEvent`], a [`TestEvent`] or the result
/// document.
#[derive(Debug)]
pub struct StreamEvent {
    /// `state`, `test` or `completed`.
    pub event: &'static str,
    pub data: String,
}

impl poem_openapi::types::Type for StreamEvent {
    const IS_REQUIRED: bool = true;
    exec_engine::openapi_value_type!();

    fn name() -> std::borrow::Cow<'static, str> {
        "StreamEvent".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some(
                "The data of each event: `state` a StateEvent, `test` a TestEvent, \
                 `completed` the result document.",
            ),
            any_of: vec![
                StateEvent::schema_ref(),
                TestEvent::schema_ref(),
                exec_engine::ExecutionResult::schema_ref(),
            ],
            ..MetaSchema::ANY
        }))
    }

    fn register(registry: &mut poem_openapi::registry::Registry) {
        StateEvent::register(registry);
        TestEvent::register(registry);
        exec_engine::ExecutionResult::register(registry);
    }
}

impl poem_openapi::types::ToJSON for StreamEvent {
    fn to_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.data).ok()
    }
}

fn event(name: &'static str, data: &impl serde::Serialize) -> StreamEvent {
    StreamEvent {
        event: name,
        data: serde_json::to_string(data).expect("an event's data serializes"),
    }
}

/// The data of a `state` event: where the execution is now.
#[derive(Object, serde::Serialize)]
pub struct StateEvent {
    pub state: ExecutionPhase,
    pub tests_done: u64,
}

/// The data of a `test` event: a test's result, with its index, as soon as it has one.
#[derive(Object, serde::Serialize)]
pub struct TestEvent {
    #[oai(flatten)]
    #[serde(flatten)]
    pub result: exec_engine::TestResult,
    pub index: u64,
}

/// Tells `execution`'s state now, then what its worker tells as it runs, until its result
/// is stored (or `max_follow` passes, or the client goes).
async fn follow(
    execution: state::Execution,
    mut statuses: async_nats::Subscriber,
    mut stored: async_nats::Subscriber,
    events: futures::channel::mpsc::UnboundedSender<StreamEvent>,
    max_follow: Duration,
) {
    // `Phase` serializes as its name on the wire (`running`).
    let phase = |phase: state::Phase, tests_done: usize| {
        let state = StateEvent {
            state: phase.into(),
            tests_done: tests_done as u64,
        };
        event("state", &state)
    };
    // The document as stored.
    let completed = |document: &[u8]| StreamEvent {
        event: "completed",
        data: String::from_utf8_lossy(document).into_owned(),
    };
    let _ = events.unbounded_send(phase(execution.phase, execution.tests_done));
    if let Some(result) = &execution.result {
        let _ = events.unbounded_send(completed(result));
        return;
    }
    let mut tests_done = execution.tests_done;
    let deadline = tokio::time::Instant::now() + max_follow;
    loop {
        let told = tokio::select! {
            // Statuses first: one told before the result (the worker tells every test's
            // verdict before it stores the result) is passed on before it.
            biased;
            message = statuses.next() => match message.map(|m| serde_json::from_slice(&m.payload)) {
                Some(Ok(state::StatusEvent::Running)) => phase(state::Phase::Running, tests_done),
                Some(Ok(state::StatusEvent::Test { index, result })) => {
                    tests_done = tests_done.max(index + 1);
                    let test = TestEvent { result: *result, index: index as u64 };
                    event("test", &test)
                }
                Some(Err(_)) => continue,
                None => return,
            },
            message = stored.next() => {
                if let Some(message) = message {
                    let _ = events.unbounded_send(completed(&message.payload));
                }
                return;
            }
            _ = tokio::time::sleep_until(deadline) => return,
        };
        if events.unbounded_send(told).is_err() {
            // The client has gone.
            return;
        }
    }
}

/// Counts a submission refused as invalid (its language may be what is wrong).
pub fn count_invalid() {
    metrics::counter!(names::SUBMISSIONS, "language" => "unknown", "outcome" => "invalid")
        .increment(1);
}

fn location(id: Uuid) -> String {
    format!("/executions/{id}")
}

fn accepted(id: Uuid) -> ExecuteResponse {
    ExecuteResponse::Accepted(
        Json(Accepted {
            message: ACCEPTED_MESSAGE.to_owned(),
            id: id.to_string(),
        }),
        location(id),
    )
}

fn unavailable(id: Uuid, err: &dyn std::fmt::Display) -> ExecuteResponse {
    tracing::warn!(%id, error = %err, "the submission's store was not confirmed");
    ExecuteResponse::Unavailable(
        Json(ErrorBody {
            id: Some(id.to_string()),
            ..ApiError::Unavailable.body()
        }),
        RETRY_AFTER_SECS,
    )
}

/// `id`'s state once it completes, or after `wait`, whichever comes first.
async fn wait_for(
    state: &AppState,
    id: Uuid,
    wait: Duration,
) -> Result<Option<state::Execution>, anyhow::Error> {
    let languages = &state.limits.languages;
    let held = state.waiting.clone().try_acquire_owned();
    if wait.is_zero() || held.is_err() {
        return Ok(state.executions.lookup(id, languages).await?);
    }
    // Subscribed before looking, so that a result stored in between is not missed.
    let mut stored = state.nats.subscribe(subjects::result(id)).await?;
    let found = state.executions.lookup(id, languages).await?;
    match &found {
        Some(execution) if execution.phase != state::Phase::Completed => {
            let _ = tokio::time::timeout(wait, stored.next()).await;
            Ok(state.executions.lookup(id, languages).await?)
        }
        _ => Ok(found),
    }
}

fn execution_state(execution: state::Execution) -> ExecutionState {
    let callback = match execution.callback {
        None => CallbackState {
            state: CallbackPhase::None,
            attempts: 0,
            last_error: None,
        },
        Some(record) => CallbackState {
            state: match record.state {
                state::DeliveryState::Pending => CallbackPhase::Pending,
                state::DeliveryState::Delivered => CallbackPhase::Delivered,
                state::DeliveryState::Failed => CallbackPhase::Failed,
            },
            attempts: record.attempts,
            last_error: record.last_error,
        },
    };
    ExecutionState {
        id: execution.id.to_string(),
        state: execution.phase.into(),
        result: execution
            .result
            .and_then(|document| crate::exact_body::ResultDocument::new(&document)),
        tests_done: execution.tests_done as u64,
        callback,
    }
}

/// Why a submission was not queued.
enum Refusal {
    QueueFull(QueueFull),
    KeyQueueFull(crate::quota::AtCap),
    Unavailable(QueueError),
}

/// Queues `submission` if its language's queue has room, and counts how that went.
async fn admit_and_queue(
    state: &AppState,
    caller: &Caller,
    submission: &Submission,
    request_id: &str,
) -> Result<(), Refusal> {
    let outcome = try_admit_and_queue(state, caller, submission, request_id).await;
    let label = match &outcome {
        Ok(()) => "accepted",
        Err(Refusal::QueueFull(_)) => "queue_full",
        Err(Refusal::KeyQueueFull(_)) => "key_queue_full",
        Err(Refusal::Unavailable(_)) => "unavailable",
    };
    let key = submission
        .key_id
        .clone()
        .unwrap_or_else(|| "none".to_owned());
    metrics::counter!(names::SUBMISSIONS, "language" => submission.language.as_str(), "outcome" => label, "key" => key)
        .increment(1);
    outcome
}

async fn try_admit_and_queue(
    state: &AppState,
    caller: &Caller,
    submission: &Submission,
    request_id: &str,
) -> Result<(), Refusal> {
    if let (Some(key), Some(cap)) = (&submission.key_id, caller.max_queued) {
        state
            .queued
            .hold(key, submission.id, cap)
            .map_err(Refusal::KeyQueueFull)?;
    }
    let queued = async {
        state
            .backlogs
            .admit(submission.language)
            .map_err(Refusal::QueueFull)?;
        queue(state, submission, request_id)
            .await
            .map_err(|err| match err {
                // The stream's own limits: full, whatever the estimate said.
                QueueError::Publish(ref publish) if is_stream_full(publish) => {
                    Refusal::QueueFull(QueueFull {
                        retry_after_secs: RETRY_AFTER_SECS,
                    })
                }
                err => Refusal::Unavailable(err),
            })
    }
    .await;
    if queued.is_err() {
        state.queued.release(submission.id);
    }
    queued
}

fn is_stream_full(err: &jetstream::context::PublishError) -> bool {
    let text = err.to_string();
    text.contains("maximum messages") || text.contains("maximum bytes")
}

#[derive(Debug, thiserror::Error)]
enum QueueError {
    #[error("not connected to NATS")]
    Disconnected,
    #[error(transparent)]
    Publish(#[from] jetstream::context::PublishError),
}

/// Stores the submission under its language and id, with the execution id as the message
/// id so that a retried publish is stored once, and the id of the request that submitted it
/// for the worker's logs.
async fn queue(
    state: &AppState,
    submission: &Submission,
    request_id: &str,
) -> Result<(), QueueError> {
    // A publish made while disconnected would wait in the client and might be stored
    // after the client was told 503: refuse it here instead.
    if state.nats.connection_state() != async_nats::connection::State::Connected {
        return Err(QueueError::Disconnected);
    }
    let payload = serde_json::to_vec(submission).expect("a submission always serializes");
    state
        .jetstream
        .send_publish(
            subjects::submission(submission.language, submission.id),
            PublishMessage::build()
                .payload(payload.into())
                .message_id(submission.id.to_string())
                .header(subjects::REQUEST_ID_HEADER, request_id),
        )
        .await?
        .await?;
    Ok(())
}
