//! The names that connect the services: streams, subjects, consumers, buckets and headers.

use uuid::Uuid;

use crate::Language;

pub const SUBMISSIONS_STREAM: &str = "EXEC_SUBMISSIONS";
pub const RESULTS_STREAM: &str = "EXEC_STORED_RESULTS";
/// The results stream of engines before execution state: replaced by [`RESULTS_STREAM`].
pub const RETIRED_RESULTS_STREAM: &str = "EXEC_RESULTS";
pub const REDELIVERIES_STREAM: &str = "EXEC_REDELIVERIES";
pub const DEAD_LETTERS_STREAM: &str = "EXEC_DEAD";

/// `exec.submit.<language>.<id>`: the id in the subject lets any gateway find a queued
/// submission by it.
pub const SUBMISSIONS_WILDCARD: &str = "exec.submit.*.*";
/// Workers store results here; only what the stream keeps is republished on the public
/// `exec.result.<id>`, so a duplicate it refuses is never seen by anyone.
pub const STORED_RESULTS_WILDCARD: &str = "exec.stored.result.*";
/// Where the results stream republishes each stored result.
pub const PUBLIC_RESULTS: &str = "exec.result.{{wildcard(1)}}";
pub const REDELIVERIES_WILDCARD: &str = "exec.redeliver.*";
pub const DEAD_LETTERS_WILDCARD: &str = "exec.dead.>";
pub const DEAD_CALLBACKS_WILDCARD: &str = "exec.dead.callback.*";

/// The durable consumers the notifier instances share.
pub const NOTIFIER_CONSUMER: &str = "notifier";
pub const REDELIVERY_CONSUMER: &str = "notifier-redeliveries";

/// Each running execution's progress, by id (written by its worker).
pub const RUNS_BUCKET: &str = "exec-runs";
/// Each execution's callback: its URL and how its delivery goes, by id. URLs may carry a
/// client's tokens, so they live here rather than beside the public result.
pub const CALLBACKS_BUCKET: &str = "exec-callbacks";
/// The workers serving now, by language and instance (see `registry`).
pub const WORKERS_BUCKET: &str = "exec-workers";
/// The execution id each client `Idempotency-Key` (hashed) was given.
pub const IDEMPOTENCY_BUCKET: &str = "exec-idempotency";
/// The problems an operator registered, by name (see `problems`).
pub const PROBLEMS_BUCKET: &str = "exec-problems";

/// Why a dead letter was written.
pub const DEAD_REASON_HEADER: &str = "Exec-Dead-Reason";
/// A dead callback's attempts, and the last HTTP status it got (if any).
pub const DEAD_ATTEMPTS_HEADER: &str = "Exec-Attempts";
pub const DEAD_LAST_STATUS_HEADER: &str = "Exec-Last-Status";
/// The id of the HTTP request that submitted an execution (the gateway's `X-Request-Id`),
/// on its submission and its stored result, for the logs of every service it passes.
pub const REQUEST_ID_HEADER: &str = "Exec-Request-Id";

pub fn submission(language: Language, id: Uuid) -> String {
    format!("exec.submit.{language}.{id}")
}

/// Every submission of `language`: its workers' filter.
pub fn submissions_of(language: Language) -> String {
    format!("exec.submit.{language}.*")
}

/// Where a worker stores `id`'s result.
pub fn stored_result(id: Uuid) -> String {
    format!("exec.stored.result.{id}")
}

/// Where subscribers read `id`'s result once stored.
pub fn result(id: Uuid) -> String {
    format!("exec.result.{id}")
}

/// Where a running execution tells how it goes (core NATS: live, not kept).
pub fn status(id: Uuid) -> String {
    format!("exec.status.{id}")
}

pub fn redelivery(id: Uuid) -> String {
    format!("exec.redeliver.{id}")
}

/// The durable consumer every worker of `language` shares.
pub fn worker_consumer(language: Language) -> String {
    format!("worker-{language}")
}

/// Where a submission that could not be read or run is kept.
pub fn dead_submission(language: Language) -> String {
    format!("exec.dead.submission.{language}")
}

/// Where a result whose callback could not be delivered is kept.
pub fn dead_callback(id: Uuid) -> String {
    format!("exec.dead.callback.{id}")
}

/// The execution id at the end of a subject (`exec.stored.result.<id>`, ...).
pub fn id_of(subject: &str) -> Option<Uuid> {
    subject.rsplit('.').next()?.parse().ok()
}
