//! `POST /execute`'s body: documented as the original specification's request, parsed by
//! [`Submission::parse`] so that every rule lives in one place and names the field at fault.

use exec_engine::{Submission, SubmissionError};
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{impl_apirequest_for_payload, Object, Union};

use crate::api::AppState;
use crate::error::ApiError;

/// The body of `POST /execute`, in the original specification's format: a function called
/// once per test case, or (without `function_name`) a whole program run once per test
/// case. Its limits are this deployment's (see `openapi.rs`, which fills them in).
#[derive(Union)]
#[oai(one_of, rename = "ExecuteRequest")]
pub enum ExecuteRequest {
    Function(FunctionSubmission),
    Program(ProgramSubmission),
}

/// What a function and a program submission share.
#[derive(Object)]
#[oai(rename = "SubmissionFields")]
pub struct SubmissionFields {
    /// One of the languages this deployment serves.
    pub language: String,
    /// The source code (not only white space).
    #[oai(validator(min_length = 1, pattern = r"\S"))]
    pub code: String,
    /// Module names (`math`) or whole import statements (`from collections import deque`),
    /// each one line; null is none.
    #[oai(default, nullable)]
    pub imports: Vec<String>,
    /// Where the result document is POSTed (http or https). Without it, read the result by
    /// id or on NATS. The deployment's callback policy may refuse private addresses (422).
    #[oai(
        nullable,
        validator(
            max_length = 2048,
            pattern = r"^https?://[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~/-]*)?$"
        )
    )]
    pub callback_url: Option<String>,
    /// Each test's time limit in ms; the worker's default (`TEST_TIME_LIMIT_MS`) when left
    /// out.
    #[oai(nullable, validator(minimum(value = "50")))]
    pub time_limit_ms: Option<u64>,
    /// The sandbox's memory limit in MB; the language's default when left out.
    #[oai(nullable, validator(minimum(value = "32")))]
    pub memory_limit_mb: Option<u64>,
    /// How the tests are judged; `json` for a function, `lines` for a program when left
    /// out. A test case may choose its own.
    #[oai(nullable)]
    pub comparison: Option<exec_engine::compare::Comparison>,
    /// Skip the tests after the first that fails (each is `skipped`): a judge stops paying
    /// for a submission that already failed.
    #[oai(nullable)]
    pub stop_on_first_failure: Option<bool>,
    /// Code that judges each test's output instead of `comparison` (see the README,
    /// "Checkers").
    #[oai(nullable)]
    pub checker: Option<CheckerBody>,
    /// The name of a problem registered with `PUT /problems/{name}`, whose checker judges
    /// the tests unless the submission brings a `checker` of its own; one nobody
    /// registered is a 404.
    #[oai(nullable, validator(pattern = r"^[A-Za-z0-9_-]{1,64}$"))]
    pub problem: Option<String>,
}

/// A custom checker, run in a sandbox of its own language: a function
/// `check(input, expected_output, actual_output)` returning true, false or `{"passed",
/// "message", "score"}`, or a whole program answering by testlib's exit codes.
#[derive(Object)]
#[oai(rename = "Checker")]
pub struct CheckerBody {
    /// One of the languages this deployment serves.
    pub language: String,
    /// The checker's source.
    pub code: String,
    /// The checking function, `check` when left out; null: the checker is a whole program
    /// that reads three length-prefixed texts on stdin and answers by its exit code (0
    /// accepted, 1 or 2 wrong answer, 3 the checker failed, 7 a score on its first line).
    #[oai(nullable)]
    pub function_name: Option<String>,
}

/// A function called once per test case with its arguments.
#[derive(Object)]
#[oai(example)]
pub struct FunctionSubmission {
    #[oai(flatten)]
    pub fields: SubmissionFields,
    /// The function to call: a free function or a method of `class Solution`.
    #[oai(validator(pattern = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"))]
    pub function_name: String,
    /// One call per test case.
    #[oai(validator(min_items = 1))]
    pub test_cases: Vec<FunctionTestCase>,
}

impl poem_openapi::types::Example for FunctionSubmission {
    /// The original specification's example.
    fn example() -> Self {
        Self {
            fields: SubmissionFields {
                language: "python".to_owned(),
                code: "def add_numbers(a, b):\n    return a + b".to_owned(),
                imports: Vec::new(),
                callback_url: Some("http://localhost:5001/callback".to_owned()),
                time_limit_ms: None,
                memory_limit_mb: None,
                comparison: None,
                stop_on_first_failure: None,
                checker: None,
                problem: None,
            },
            function_name: "add_numbers".to_owned(),
            test_cases: vec![
                FunctionTestCase {
                    input: serde_json::json!([2, 3]),
                    expected_output: "5".into(),
                    comparison: None,
                    weight: None,
                },
                FunctionTestCase {
                    input: serde_json::json!([10, -5]),
                    expected_output: "5".into(),
                    comparison: None,
                    weight: None,
                },
            ],
        }
    }
}

/// A whole program run once per test case, its `input` as stdin.
#[derive(Object)]
pub struct ProgramSubmission {
    #[oai(flatten)]
    pub fields: SubmissionFields,
    /// One run per test case.
    #[oai(validator(min_items = 1))]
    pub test_cases: Vec<ProgramTestCase>,
    /// The program's command-line arguments.
    #[oai(default, nullable)]
    pub args: Vec<String>,
    /// Files written beside the code before it compiles or runs: helper sources (compiled
    /// with it), headers, data. A name given twice is the later file. The code and its files
    /// share the code's size limit.
    #[oai(default, nullable)]
    pub files: Vec<exec_engine::program::SourceFile>,
}

#[derive(Object)]
#[oai(rename = "TestCase")]
pub struct FunctionTestCase {
    /// The positional arguments as a JSON array (any other value is the single argument).
    /// Integers are kept exactly, at any size.
    pub input: serde_json::Value,
    /// The expected return value, as text (`"5"`); a JSON value means its JSON text.
    pub expected_output: serde_json::Value,
    /// How this test is judged, where it differs from the submission's.
    #[oai(nullable)]
    pub comparison: Option<exec_engine::compare::Comparison>,
    /// What passing it adds to the score (1 when left out).
    #[oai(nullable, validator(minimum(value = "0")))]
    pub weight: Option<f64>,
}

#[derive(Object)]
pub struct ProgramTestCase {
    /// The program's stdin.
    pub input: String,
    /// The expected stdout; trailing white space is ignored. A JSON value means its JSON
    /// text.
    pub expected_output: serde_json::Value,
    /// How this test is judged, where it differs from the submission's.
    #[oai(nullable)]
    pub comparison: Option<exec_engine::compare::Comparison>,
    /// What passing it adds to the score (1 when left out).
    #[oai(nullable, validator(minimum(value = "0")))]
    pub weight: Option<f64>,
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
        let state = app_state(request);
        let bytes = read_body(request, state, body, state.max_body_bytes).await?;
        Submission::parse(&bytes, &state.limits)
            .map(SubmissionBody)
            .map_err(|err| {
                crate::api::count_invalid();
                ApiError::from(err).into()
            })
    }
}

impl_apirequest_for_payload!(SubmissionBody);

/// The body of `POST /execute/batch`.
#[derive(Object)]
#[oai(rename = "BatchRequest")]
pub struct BatchRequest {
    /// Each a `POST /execute` body (an `ExecuteRequest`), checked and answered on its own:
    /// one that is not valid gets its error in its place among the items.
    #[oai(validator(min_items = 1))]
    pub submissions: Vec<serde_json::Value>,
}

/// A batch body: each submission validated on its own, in order.
pub struct BatchBody(pub Vec<Result<Submission, SubmissionError>>);

impl Payload for BatchBody {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        SubmissionBody::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        BatchRequest::schema_ref()
    }

    fn register(registry: &mut Registry) {
        BatchRequest::register(registry);
    }
}

impl ParsePayload for BatchBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let state = app_state(request);
        let bytes = read_body(request, state, body, state.max_batch_body_bytes).await?;
        // Read strictly first (a key twice, anywhere, is refused), then item by item as
        // written, so that each keeps its exact numbers.
        let value = exec_engine::submission::parse_json(&bytes).map_err(ApiError::from)?;
        let serde_json::Value::Object(fields) = value else {
            return Err(
                ApiError::Malformed("the request body must be a JSON object".into()).into(),
            );
        };
        let invalid = |message: String| ApiError::InvalidField {
            field: "submissions".to_owned(),
            message,
        };
        let Some(serde_json::Value::Array(items)) = fields.get("submissions") else {
            return Err(invalid("submissions must be an array of submissions".into()).into());
        };
        if items.is_empty() || items.len() > state.max_batch {
            return Err(invalid(format!(
                "submissions must hold 1 to {} submissions",
                state.max_batch
            ))
            .into());
        }
        #[derive(serde::Deserialize)]
        struct Items<'a> {
            #[serde(borrow)]
            submissions: Vec<&'a serde_json::value::RawValue>,
        }
        let items: Items = serde_json::from_slice(&bytes).map_err(|err| {
            ApiError::Malformed(format!("the request body is not valid JSON: {err}"))
        })?;
        Ok(BatchBody(
            items
                .submissions
                .into_iter()
                .map(|item| Submission::from_json(item, &state.limits))
                .collect(),
        ))
    }
}

impl_apirequest_for_payload!(BatchBody);

pub(crate) fn app_state(request: &Request) -> &AppState {
    request
        .data::<AppState>()
        .expect("the gateway's routes carry AppState")
}

/// The body's bytes, refused past `limit` with 413, and with 408 when they do not all come
/// within the body read timeout (a client sending a byte a second holds no request long).
/// A body declared over the limit is refused unread, so a client that asked first
/// (`Expect: 100-continue`) never sends it.
pub(crate) async fn read_body(
    request: &Request,
    state: &AppState,
    body: &mut RequestBody,
    limit: usize,
) -> Result<bytes::Bytes, ApiError> {
    let declared = request
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::TooLarge(limit));
    }
    let reading = body
        .take()
        .map_err(|_| ApiError::Malformed("the request body was already read".into()))?
        .into_bytes_limit(limit);
    tokio::time::timeout(state.body_read_timeout, reading)
        .await
        .map_err(|_| ApiError::RequestTimeout(state.body_read_timeout.as_secs()))?
        .map_err(|err| match err {
            poem::error::ReadBodyError::PayloadTooLarge => ApiError::TooLarge(limit),
            other => ApiError::Malformed(format!("the request body could not be read: {other}")),
        })
}
