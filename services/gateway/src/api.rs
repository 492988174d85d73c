//! The HTTP API: one handler per endpoint, documented by poem-openapi.

use async_nats::jetstream::{self, message::PublishMessage};
use exec_engine::{subjects, Submission, SubmissionLimits};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::error::{ApiError, ErrorBody, RETRY_AFTER_SECS};
use crate::submission_body::SubmissionBody;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub nats: async_nats::Client,
    pub jetstream: jetstream::Context,
    pub limits: SubmissionLimits,
    pub max_body_bytes: usize,
}

pub struct Api;

pub const ACCEPTED_MESSAGE: &str = "Code execution task accepted";

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

#[derive(ApiResponse)]
pub enum ExecuteResponse {
    /// The submission is stored on JetStream and will run.
    #[oai(status = 202)]
    Accepted(Json<Accepted>),
    /// The body is not a JSON object.
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
    /// The queue did not acknowledge the submission; retry after `Retry-After` seconds.
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
    /// `callback_url` and published on `exec.result.<id>`.
    #[oai(path = "/execute", method = "post")]
    #[tracing::instrument(name = "execute", skip_all, fields(id = %body.0.id, language = %body.0.language))]
    async fn execute(&self, state: Data<&AppState>, body: SubmissionBody) -> ExecuteResponse {
        let submission = body.0;
        match queue(&state.jetstream, &submission).await {
            Ok(()) => {
                tracing::info!(tests = submission.test_cases.len(), "accepted");
                ExecuteResponse::Accepted(Json(Accepted {
                    message: ACCEPTED_MESSAGE.to_owned(),
                    id: submission.id.to_string(),
                }))
            }
            Err(err) => {
                tracing::warn!(error = %err, "JetStream did not store the submission");
                ExecuteResponse::Unavailable(Json(ApiError::Unavailable.body()), RETRY_AFTER_SECS)
            }
        }
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
        match state.nats.connection_state() {
            async_nats::connection::State::Connected => ReadyResponse::Ready(Json(Health {
                status: "ready".to_owned(),
            })),
            _ => ReadyResponse::NotReady(Json(ApiError::Unavailable.body()), RETRY_AFTER_SECS),
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum QueueError {
    #[error(transparent)]
    Publish(#[from] jetstream::context::PublishError),
}

/// Stores the submission on its language's subject, with the execution id as the message
/// id so that a retried publish is stored once.
async fn queue(js: &jetstream::Context, submission: &Submission) -> Result<(), QueueError> {
    let payload = serde_json::to_vec(submission).expect("a submission always serializes");
    js.send_publish(
        subjects::submission(submission.language),
        PublishMessage::build()
            .payload(payload.into())
            .message_id(submission.id.to_string()),
    )
    .await?
    .await?;
    Ok(())
}
