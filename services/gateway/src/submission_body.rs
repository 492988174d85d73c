//! `POST /execute`'s body: documented as the original specification's request, parsed by
//! [`Submission::parse`] so that every rule lives in one place and names the field at fault.

use exec_engine::Submission;
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{impl_apirequest_for_payload, Object};

use crate::api::AppState;
use crate::error::ApiError;

/// The body of `POST /execute`, in the original specification's format.
#[derive(Object)]
#[oai(rename = "ExecuteRequest")]
pub struct ExecuteRequest {
    /// One of `python`, `js`, `java`, `cpp`, `go` (as far as this deployment serves it).
    pub language: String,
    /// The source code that defines the function.
    pub code: String,
    /// The function to call: a free function or a method of `class Solution`. Leave it
    /// out to run `code` as a whole program, each test's `input` being its stdin.
    pub function_name: Option<String>,
    /// Module names (`math`) or whole import statements (`from collections import deque`).
    #[oai(default)]
    pub imports: Vec<String>,
    /// One call per test case.
    pub test_cases: Vec<TestCaseRequest>,
    /// Where the result document is POSTed. Without it, read the result on NATS.
    pub callback_url: Option<String>,
    /// Each test's time limit in ms (50 to `MAX_TIME_LIMIT_MS`); the worker's default
    /// (`TEST_TIME_LIMIT_MS`) when left out.
    pub time_limit_ms: Option<u64>,
    /// The sandbox's memory limit in MB (32 to `MAX_MEMORY_LIMIT_MB`); the language's
    /// default when left out.
    pub memory_limit_mb: Option<u64>,
}

#[derive(Object)]
#[oai(rename = "TestCase")]
pub struct TestCaseRequest {
    /// The positional arguments as a JSON array (any other value is the single argument);
    /// in program mode, the program's stdin as a string.
    pub input: serde_json::Value,
    /// The expected return value (or program output) as text, compared per the contract.
    pub expected_output: String,
}

/// A request body that has been read and validated into a [`Submission`].
pub struct SubmissionBody(pub Submission);

impl Payload for SubmissionBody {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        essence == "application/json"
            || (essence.starts_with("application/") && essence.ends_with("+json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        ExecuteRequest::schema_ref()
    }

    fn register(registry: &mut Registry) {
        ExecuteRequest::register(registry);
    }
}

impl ParsePayload for SubmissionBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let state = request
            .data::<AppState>()
            .expect("the gateway's routes carry AppState");
        let bytes = body
            .take()
            .map_err(|_| ApiError::Malformed("the request body was already read".into()))?
            .into_bytes_limit(state.max_body_bytes)
            .await
            .map_err(|err| match err {
                poem::error::ReadBodyError::PayloadTooLarge => {
                    ApiError::TooLarge(state.max_body_bytes)
                }
                other => {
                    ApiError::Malformed(format!("the request body could not be read: {other}"))
                }
            })?;
        Submission::parse(&bytes, &state.limits)
            .map(SubmissionBody)
            .map_err(|err| ApiError::from(err).into())
    }
}

impl_apirequest_for_payload!(SubmissionBody);
