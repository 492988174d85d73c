//! The names that connect the services: streams, subjects, consumers and headers.

use uuid::Uuid;

use crate::Language;

pub const SUBMISSIONS_STREAM: &str = "EXEC_SUBMISSIONS";
pub const RESULTS_STREAM: &str = "EXEC_RESULTS";
pub const DEAD_LETTERS_STREAM: &str = "EXEC_DEAD";

pub const SUBMISSIONS_WILDCARD: &str = "exec.submit.*";
pub const RESULTS_WILDCARD: &str = "exec.result.*";
pub const DEAD_LETTERS_WILDCARD: &str = "exec.dead.>";

/// The durable consumer the notifier instances share.
pub const NOTIFIER_CONSUMER: &str = "notifier";

/// Carries a result's callback URL beside the result document, which stays the contract's.
pub const CALLBACK_URL_HEADER: &str = "Exec-Callback-Url";
/// Why a dead letter was written.
pub const DEAD_REASON_HEADER: &str = "Exec-Dead-Reason";

pub fn submission(language: Language) -> String {
    format!("exec.submit.{language}")
}

pub fn result(id: Uuid) -> String {
    format!("exec.result.{id}")
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
