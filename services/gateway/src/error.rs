//! Every error the gateway answers with is JSON `{"error", "message"}` (plus `field` for an
//! invalid field) with a fitting status; this module is the one place that shapes them.

use exec_engine::SubmissionError;

use crate::keys::Denied;
use poem::error::ResponseError;
use poem::http::{HeaderValue, StatusCode};
use poem::{IntoResponse, Response};
use poem_openapi::Object;
use serde::Serialize;

/// The body of every error response.
#[derive(Debug, Object, Serialize)]
pub struct ErrorBody {
    /// A stable code: `malformed_request`, `invalid_field`, `payload_too_large`,
    /// `request_timeout`, `unsupported_media_type`, `uri_too_long`, `headers_too_large`,
    /// `not_found`, `method_not_allowed`,
    /// `conflict`, `queue_full`, `key_queue_full`, `unauthorized`, `rate_limited`,
    /// `unavailable`.
    pub error: String,
    /// A sentence for a person.
    pub message: String,
    /// The request field at fault, for `invalid_field`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `unavailable` from `POST /execute`: the id the submission was given, whose
    /// state tells whether it was stored after all.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Malformed(String),
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error("the request body is larger than the limit of {0} bytes")]
    TooLarge(usize),
    #[error("the request body did not arrive within {0} s")]
    RequestTimeout(u64),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request's URI is longer than {0} bytes")]
    UriTooLong(usize),
    #[error("{0}")]
    HeadTooLarge(String),
    #[error("there is no such resource")]
    NotFound,
    #[error("no problem named {0} is registered (PUT /problems/{0} registers one)")]
    UnknownProblem(String),
    #[error("this resource does not accept that method")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    Client { status: StatusCode, message: String },
    #[error("the submission queue is unavailable; try again shortly")]
    Unavailable,
    #[error("the {0} queue is full; try again after Retry-After seconds")]
    QueueFull(String),
    #[error("send an API key in `Authorization: Bearer <key>` or `X-API-Key`")]
    Unauthorized,
    #[error("this key's rate is {limit} requests a second; try again after Retry-After seconds")]
    RateLimited { limit: u32, retry_after_secs: u64 },
    #[error("this key has {cap} submissions queued or running, its limit; try again after Retry-After seconds")]
    KeyQueueFull { cap: usize },
    #[error("the gateway failed unexpectedly")]
    Internal,
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Malformed(_) => "malformed_request",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::TooLarge(_) => "payload_too_large",
            ApiError::RequestTimeout(_) => "request_timeout",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::UriTooLong(_) => "uri_too_long",
            ApiError::HeadTooLarge(_) => "headers_too_large",
            ApiError::NotFound => "not_found",
            ApiError::UnknownProblem(_) => "problem_not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::Client { .. } => "bad_request",
            ApiError::Unavailable => "unavailable",
            ApiError::QueueFull(_) => "queue_full",
            ApiError::Unauthorized => "unauthorized",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::KeyQueueFull { .. } => "key_queue_full",
            ApiError::Internal => "internal_error",
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.code().to_owned(),
            message: self.to_string(),
            field: match self {
                ApiError::InvalidField { field, .. } => Some(field.clone()),
                ApiError::UnknownProblem(_) => Some("problem".to_owned()),
                _ => None,
            },
            id: None,
        }
    }
}

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_SECS: u64 = 2;

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::HeadTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::NotFound | ApiError::UnknownProblem(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Client { status, .. } => *status,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::QueueFull(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited { .. } | ApiError::KeyQueueFull { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn as_response(&self) -> Response {
        let mut response = poem::web::Json(self.body())
            .with_status(self.status())
            .into_response();
        let headers = response.headers_mut();
        match self {
            ApiError::Unavailable => {
                headers.insert("Retry-After", RETRY_AFTER_SECS.into());
            }
            ApiError::Unauthorized => {
                headers.insert("WWW-Authenticate", HeaderValue::from_static("Bearer"));
            }
            ApiError::RateLimited {
                limit,
                retry_after_secs,
            } => {
                headers.insert("Retry-After", (*retry_after_secs).into());
                headers.insert("RateLimit-Limit", (*limit).into());
                headers.insert("RateLimit-Remaining", 0.into());
                headers.insert("RateLimit-Reset", (*retry_after_secs).into());
            }
            ApiError::KeyQueueFull { cap } => {
                let retry_after = crate::quota::RETRY_AFTER_SECS;
                headers.insert("Retry-After", retry_after.into());
                headers.insert("RateLimit-Limit", (*cap).into());
                headers.insert("RateLimit-Remaining", 0.into());
                headers.insert("RateLimit-Reset", retry_after.into());
            }
            _ => {}
        }
        response
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Unauthorized => ApiError::Unauthorized,
            Denied::RateLimited { limit, retry_after } => ApiError::RateLimited {
                limit,
                retry_after_secs: retry_after.as_secs_f64().ceil().max(1.0) as u64,
            },
        }
    }
}

impl From<SubmissionError> for ApiError {
    fn from(err: SubmissionError) -> Self {
        match err {
            SubmissionError::Malformed(message) => ApiError::Malformed(message),
            SubmissionError::InvalidField { field, message } => {
                ApiError::InvalidField { field, message }
            }
        }
    }
}

/// Turns any error raised below the handlers (routing, content type, body size, ...) into
/// the JSON shape, so that no client ever sees a plain-text error.
pub async fn render(err: poem::Error) -> Response {
    if let Some(api) = err.downcast_ref::<ApiError>() {
        return api.as_response();
    }
    let status = err.status();
    let api = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType(format!("{err}; send the body as application/json"))
        }
        StatusCode::BAD_REQUEST => ApiError::Malformed(err.to_string()),
        s if s.is_client_error() => ApiError::Client {
            status: s,
            message: err.to_string(),
        },
        _ => {
            tracing::error!(error = %err, "unexpected gateway error");
            ApiError::Internal
        }
    };
    api.as_response()
}
