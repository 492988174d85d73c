//! One attempt at delivering a result document to its callback URL.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use exec_engine::callback_policy::CallbackPolicy;
use reqwest::header::HeaderValue;
use reqwest::StatusCode;
use standardwebhooks::Webhook;
use uuid::Uuid;

use crate::resolver::{AllRefused, GuardedResolver};

/// How an attempt ended.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// A 2xx: delivered.
    Delivered,
    /// Worth another attempt: a network error, a timeout, 408, 429 or a 5xx.
    Retry(Failure),
    /// Another attempt would be refused the same way: any other status, or a URL that
    /// may not be called.
    Refused(Failure),
}

/// Why an attempt did not deliver.
#[derive(Debug, PartialEq)]
pub struct Failure {
    pub reason: String,
    pub status: Option<u16>,
    /// The receiver's `Retry-After`, with a 429 or 503.
    pub retry_after: Option<Duration>,
}

impl Failure {
    fn without_status(reason: String) -> Self {
        Self {
            reason,
            status: None,
            retry_after: None,
        }
    }
}

pub fn classify(status: StatusCode, retry_after: Option<&HeaderValue>) -> Outcome {
    if status.is_success() {
        return Outcome::Delivered;
    }
    let failure = Failure {
        reason: format!("the receiver answered {status}"),
        status: Some(status.as_u16()),
        retry_after: retry_after.and_then(parse_retry_after),
    };
    if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
    {
        Outcome::Retry(failure)
    } else {
        Outcome::Refused(failure)
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

#[derive(Clone)]
pub struct Deliverer {
    http: reqwest::Client,
    policy: CallbackPolicy,
    signer: Option<Arc<Webhook>>,
}

impl Deliverer {
    /// Calls only addresses `policy` allows: names are resolved by a resolver that drops
    /// the others and connects to what it checked, so a name cannot be rebound between the
    /// check and the call.
    pub fn new(
        timeout: Duration,
        policy: CallbackPolicy,
        overrides: HashMap<String, Vec<IpAddr>>,
        signer: Option<Webhook>,
    ) -> Result<Self, reqwest::Error> {
        // reqwest is built without a default TLS provider; ring is the one the engine uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect to addresses the resolver never checked.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver::new(policy.clone(), overrides)))
            .user_agent(concat!("exec-engine-notifier/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            policy,
            signer: signer.map(Arc::new),
        })
    }

    /// POSTs `body` (the result document) to `url` as attempt number `attempt`.
    pub async fn attempt(
        &self,
        url: &str,
        execution_id: Uuid,
        attempt: u32,
        body: bytes::Bytes,
    ) -> Outcome {
        // Literal addresses never reach the resolver; the policy may also have changed
        // since the URL was accepted.
        if let Err(err) = self.policy.check_url(url) {
            return Outcome::Refused(Failure::without_status(err.to_string()));
        }
        let id = execution_id.to_string();
        let mut request = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Execution-Id", &id)
            .header("X-Delivery-Attempt", attempt.to_string());
        if let Some(signer) = &self.signer {
            let now = time::OffsetDateTime::now_utc();
            match signer.sign(&id, now.unix_timestamp(), &body) {
                Ok(signature) => {
                    request = request
                        .header("webhook-id", &id)
                        .header("webhook-timestamp", now.unix_timestamp().to_string())
                        .header("webhook-signature", signature);
                }
                Err(err) => {
                    return Outcome::Retry(Failure::without_status(format!(
                        "the callback could not be signed: {err}"
                    )))
                }
            }
        }
        // Errors without the URL: its path and query may carry the client's tokens, and the
        // reason is logged, kept with a dead letter and shown in the execution's state.
        match request
            .body(body)
            .send()
            .await
            .map_err(reqwest::Error::without_url)
        {
            Ok(response) => classify(
                response.status(),
                response.headers().get(reqwest::header::RETRY_AFTER),
            ),
            Err(err) if err.is_builder() => Outcome::Refused(Failure::without_status(format!(
                "the callback URL cannot be used: {err}"
            ))),
            Err(err) => {
                let reason = with_causes(&err);
                if refused_by_policy(&err) {
                    Outcome::Refused(Failure::without_status(format!(
                        "the callback URL cannot be used: {reason}"
                    )))
                } else {
                    Outcome::Retry(Failure::without_status(format!(
                        "the request failed: {reason}"
                    )))
                }
            }
        }
    }
}

/// Whether the resolver refused every address the host has: that will not change by
/// retrying, unlike a network failure.
fn refused_by_policy(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if err.is::<AllRefused>() {
            return true;
        }
        cause = err.source();
    }
    false
}

/// The error and its causes, which reqwest keeps apart ("error sending request" alone says
/// little; "... : Connection refused" says what happened).
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> Outcome {
        classify(StatusCode::from_u16(code).unwrap(), None)
    }

    #[test]
    fn statuses_are_classified_per_the_contract() {
        assert_eq!(status(200), Outcome::Delivered);
        assert_eq!(status(204), Outcome::Delivered);
        for retry in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(status(retry), Outcome::Retry(_)), "{retry}");
        }
        for refused in [301, 302, 400, 401, 403, 404, 410, 422] {
            assert!(matches!(status(refused), Outcome::Refused(_)), "{refused}");
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        let after = |value: &str| match classify(
            StatusCode::TOO_MANY_REQUESTS,
            Some(&HeaderValue::from_str(value).unwrap()),
        ) {
            Outcome::Retry(failure) => failure.retry_after,
            other => panic!("{other:?}"),
        };
        assert_eq!(after("120"), Some(Duration::from_secs(120)));
        assert_eq!(after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        let later =
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3600));
        let read = after(&later).unwrap().as_secs();
        assert!((3590..=3600).contains(&read), "{read}");
        assert_eq!(after("soon"), None);
    }
}
