//! The gateway's HTTP API: the documents it answers with, and a client for it.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::input::TestCase;
use crate::Error;

/// Retries of a 429 or 503 before giving up.
const RETRIES: u32 = 3;
/// The longest `Retry-After` honoured, so a busy gateway cannot stall the CLI for long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
/// Waited when a 429/503 has no usable `Retry-After` (seconds are the only form read).
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Added to a long-poll's `wait` for the request's own timeout.
const REQUEST_SLACK: Duration = Duration::from_secs(30);

/// The body of `POST /execute`.
#[derive(Clone, Debug, Serialize)]
pub struct SubmitRequest {
    pub language: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
    pub imports: Vec<String>,
    pub test_cases: Vec<TestCase>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_limit_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit_mb: Option<u64>,
}

/// The result document. Read leniently (defaults everywhere) so that a gateway newer
/// than this client still renders; `--json` prints the raw document instead.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResultDoc {
    pub id: String,
    pub results: Vec<TestOutcome>,
    pub all_passed: bool,
    pub error: Option<String>,
    pub error_details: Option<String>,
    pub status: String,
    pub language: String,
    pub compile_time_ms: Option<f64>,
    /// The weights of the tests passed (absent from an older gateway's documents).
    pub score: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TestOutcome {
    /// Only on a `test` event of the event stream.
    pub index: Option<usize>,
    pub input: Value,
    pub expected_output: String,
    pub actual_output: String,
    pub passed: bool,
    pub time: String,
    pub memory: String,
    pub status: String,
    pub time_ms: Option<f64>,
    pub memory_kb: Option<u64>,
    pub stdout: String,
    pub stderr: String,
    pub error: Option<String>,
}

/// `GET /executions/{id}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExecutionState {
    pub id: String,
    pub state: String,
    pub result: Option<Value>,
    pub tests_done: u64,
    pub callback: Option<CallbackState>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CallbackState {
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// `GET /languages`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Languages {
    pub languages: Vec<LanguageInfo>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct LanguageInfo {
    pub language: String,
    pub runtime: String,
    pub compiled: bool,
    pub image: String,
    pub limits: Limits,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Limits {
    pub time_limit_ms: Option<u64>,
    pub memory_limit_mb: Option<u64>,
}

/// The gateway's error body.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
    pub field: Option<String>,
    /// With a 503 from `POST /execute`: the id the submission was given.
    pub id: Option<String>,
}

pub struct Client {
    http: reqwest::Client,
    base: Url,
}

impl Client {
    /// A client of `gateway`, sending `api_key` (as `X-API-Key`) where the gateway wants one.
    pub fn new(gateway: &str, api_key: Option<&str>) -> Result<Self, Error> {
        let base = Url::parse(gateway)
            .map_err(|err| Error::Usage(format!("bad gateway URL {gateway:?}: {err}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Usage(format!(
                "the gateway URL {gateway:?} must be http or https"
            )));
        }
        // reqwest is built without a crypto provider (rustls-no-provider); https needs one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(key) = api_key {
            let mut value = reqwest::header::HeaderValue::from_str(key)
                .map_err(|_| Error::Usage("the API key is not a valid header value".into()))?;
            value.set_sensitive(true);
            headers.insert("x-api-key", value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("exec-engine-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| Error::Network {
                url: base.to_string(),
                source,
            })?;
        Ok(Self { http, base })
    }

    /// The URL of `segments` under the gateway's base (escaped, so an id cannot add a path).
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.path_segments_mut()
            .expect("an http(s) URL has a path")
            .pop_if_empty()
            .extend(segments);
        url
    }

    /// `POST /execute`; the same `idempotency_key` on every retry, so the code runs once.
    pub async fn submit(
        &self,
        request: &SubmitRequest,
        idempotency_key: &str,
    ) -> Result<String, Error> {
        #[derive(Deserialize)]
        struct Accepted {
            id: String,
        }
        let url = self.url(&["execute"]);
        let response = self
            .send(&url, || {
                self.http
                    .post(url.clone())
                    .header("Idempotency-Key", idempotency_key)
                    .json(request)
            })
            .await?;
        let accepted: Accepted = read_json(&url, response).await?;
        Ok(accepted.id)
    }

    /// `GET /executions/{id}?wait=N`: the parsed state and the raw document.
    pub async fn state(&self, id: &str, wait_secs: u64) -> Result<(ExecutionState, Value), Error> {
        let mut url = self.url(&["executions", id]);
        url.set_query(Some(&format!("wait={wait_secs}")));
        let timeout = Duration::from_secs(wait_secs) + REQUEST_SLACK;
        let response = self
            .send(&url, || self.http.get(url.clone()).timeout(timeout))
            .await
            .map_err(|err| match err {
                Error::Api { status: 404, .. } => Error::NotFound(id.to_owned()),
                err => err,
            })?;
        let raw: Value = read_json(&url, response).await?;
        let state = serde_json::from_value(raw.clone()).map_err(|err| Error::Protocol {
            url: url.to_string(),
            message: err.to_string(),
        })?;
        Ok((state, raw))
    }

    /// `GET /languages`: the parsed list and the raw document.
    pub async fn languages(&self) -> Result<(Languages, Value), Error> {
        let url = self.url(&["languages"]);
        let response = self
            .send(&url, || self.http.get(url.clone()))
            .await
            .map_err(|err| match err {
                Error::Api { status: 404, .. } => Error::NoLanguages,
                err => err,
            })?;
        let raw: Value = read_json(&url, response).await?;
        let languages = serde_json::from_value(raw.clone()).map_err(|err| Error::Protocol {
            url: url.to_string(),
            message: err.to_string(),
        })?;
        Ok((languages, raw))
    }

    /// `GET /executions/{id}/events`, or `None` where the gateway has no event stream
    /// (404, 405, or an answer that is not `text/event-stream`).
    pub async fn events(&self, id: &str) -> Result<Option<Response>, Error> {
        let url = self.url(&["executions", id, "events"]);
        let response = self
            .send(&url, || {
                self.http
                    .get(url.clone())
                    .header(ACCEPT, "text/event-stream")
            })
            .await;
        let response = match response {
            Ok(response) => response,
            Err(Error::Api {
                status: 404 | 405, ..
            }) => return Ok(None),
            Err(err) => return Err(err),
        };
        let is_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("text/event-stream")
            });
        Ok(is_stream.then_some(response))
    }

    /// Sends a request, retrying a 429 or 503 after its `Retry-After`; any other status
    /// outside 2xx becomes `Error::Api`.
    async fn send(
        &self,
        url: &Url,
        request: impl Fn() -> RequestBuilder,
    ) -> Result<Response, Error> {
        let mut retries = 0;
        loop {
            let response = request().send().await.map_err(|source| Error::Network {
                url: url.to_string(),
                source,
            })?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let retryable = matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            );
            if retryable && retries < RETRIES {
                retries += 1;
                let delay = retry_after(
                    response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok()),
                );
                eprintln!(
                    "gateway answered {status}; retrying in {} s ({retries}/{RETRIES})",
                    delay.as_secs_f32()
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            return Err(api_error(url, response).await);
        }
    }
}

/// How long to wait before a retry: `Retry-After` in seconds, capped.
pub fn retry_after(header: Option<&str>) -> Duration {
    header
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(DEFAULT_RETRY_AFTER, Duration::from_secs)
        .min(MAX_RETRY_AFTER)
}

async fn read_json<T: serde::de::DeserializeOwned>(
    url: &Url,
    response: Response,
) -> Result<T, Error> {
    let bytes = response.bytes().await.map_err(|source| Error::Network {
        url: url.to_string(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|err| Error::Protocol {
        url: url.to_string(),
        message: format!("the answer is not the expected JSON: {err}"),
    })
}

async fn api_error(url: &Url, response: Response) -> Error {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or_else(|_| ErrorBody {
        message: crate::render::truncate(text.trim(), 200),
        ..ErrorBody::default()
    });
    Error::Api {
        url: url.to_string(),
        status: status.as_u16(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_in_seconds_and_capped() {
        assert_eq!(retry_after(Some("3")), Duration::from_secs(3));
        assert_eq!(retry_after(Some("0")), Duration::ZERO);
        assert_eq!(retry_after(Some("120")), MAX_RETRY_AFTER);
        assert_eq!(retry_after(None), DEFAULT_RETRY_AFTER);
        assert_eq!(
            retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            DEFAULT_RETRY_AFTER
        );
    }

    #[test]
    fn urls_escape_ids_and_keep_a_base_path() {
        let client = Client::new("http://127.0.0.1:8000", None).unwrap();
        assert_eq!(
            client.url(&["executions", "a/b?c"]).as_str(),
            "http://127.0.0.1:8000/executions/a%2Fb%3Fc"
        );
        let client = Client::new("https://example.test/engine/", Some("k")).unwrap();
        assert_eq!(
            client.url(&["execute"]).as_str(),
            "https://example.test/engine/execute"
        );
        assert!(matches!(Client::new("ftp://x", None), Err(Error::Usage(_))));
        assert!(matches!(
            Client::new("not a url", None),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn the_submit_body_omits_what_was_not_given() {
        let body = serde_json::to_value(SubmitRequest {
            language: "python".into(),
            code: "print(1)".into(),
            function_name: None,
            imports: vec![],
            test_cases: vec![TestCase {
                input: "".into(),
                expected_output: "1".into(),
            }],
            time_limit_ms: None,
            memory_limit_mb: Some(128),
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"language": "python", "code": "print(1)", "imports": [],
                "test_cases": [{"input": "", "expected_output": "1"}], "memory_limit_mb": 128})
        );
    }
}
