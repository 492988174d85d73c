//! One attempt at delivering a result document to its callback URL.

use std::time::Duration;

use reqwest::StatusCode;

/// How an attempt ended.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// A 2xx: delivered.
    Delivered,
    /// Worth another attempt: a network error, a timeout, 408, 429 or a 5xx.
    Retry(String),
    /// Another attempt would be refused the same way: any other status.
    Refused(String),
}

pub fn classify(status: StatusCode) -> Outcome {
    if status.is_success() {
        Outcome::Delivered
    } else if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
    {
        Outcome::Retry(format!("the receiver answered {status}"))
    } else {
        Outcome::Refused(format!("the receiver answered {status}"))
    }
}

#[derive(Clone)]
pub struct Deliverer {
    http: reqwest::Client,
}

impl Deliverer {
    pub fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        // reqwest is built without a default TLS provider; ring is the one the engine uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("exec-engine-notifier/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http })
    }

    /// POSTs `body` (the result document) to `url` as attempt number `attempt`.
    pub async fn attempt(
        &self,
        url: &str,
        execution_id: &str,
        attempt: i64,
        body: bytes::Bytes,
    ) -> Outcome {
        let sent = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Execution-Id", execution_id)
            .header("X-Delivery-Attempt", attempt.to_string())
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => classify(response.status()),
            Err(err) if err.is_builder() => {
                Outcome::Refused(format!("the callback URL cannot be used: {err}"))
            }
            Err(err) => Outcome::Retry(format!("the request failed: {}", with_causes(&err))),
        }
    }
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

    #[test]
    fn statuses_are_classified_per_the_contract() {
        assert_eq!(classify(StatusCode::OK), Outcome::Delivered);
        assert_eq!(classify(StatusCode::NO_CONTENT), Outcome::Delivered);
        for retry in [408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    classify(StatusCode::from_u16(retry).unwrap()),
                    Outcome::Retry(_)
                ),
                "{retry}"
            );
        }
        for refused in [301, 400, 401, 403, 404, 410, 422] {
            assert!(
                matches!(
                    classify(StatusCode::from_u16(refused).unwrap()),
                    Outcome::Refused(_)
                ),
                "{refused}"
            );
        }
    }
}
