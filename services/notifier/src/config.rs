use std::time::Duration;

use exec_engine::broker::StreamSettings;
use exec_engine::callback_policy::CallbackSettings;
use exec_engine::config::{self, default_nats_url, ConfigError};
use serde::Deserialize;

use crate::retry::RetryPolicy;

/// The notifier's settings, read from the environment (see the README's table).
#[derive(Clone, Debug, Deserialize)]
pub struct NotifierConfig {
    /// `NATS_URL`
    #[serde(default = "default_nats_url")]
    pub nats_url: String,
    /// `NOTIFIER_CONCURRENCY`: callbacks in flight at once.
    #[serde(default = "default_concurrency")]
    pub notifier_concurrency: usize,
    /// `CALLBACK_HOST_CONCURRENCY`: callbacks in flight at once to any one host, so that a
    /// slow receiver holds no more than these and the others' keep flowing.
    #[serde(default = "default_host_concurrency")]
    pub callback_host_concurrency: usize,
    /// `CALLBACK_TIMEOUT_MS`: one attempt's limit, connection to last byte.
    #[serde(default = "default_timeout_ms")]
    pub callback_timeout_ms: u64,
    /// `CALLBACK_RETRY_PERIOD_SECS`: how long after its first attempt a callback is still
    /// retried; then it becomes a dead letter.
    #[serde(default = "default_retry_period_secs")]
    pub callback_retry_period_secs: u64,
    /// `CALLBACK_RETRY_BASE_MS`: the first retry's longest delay; each next one doubles.
    #[serde(default = "default_retry_base_ms")]
    pub callback_retry_base_ms: u64,
    /// `CALLBACK_RETRY_MAX_MS`: the longest delay between two attempts.
    #[serde(default = "default_retry_max_ms")]
    pub callback_retry_max_ms: u64,
    /// `CALLBACK_MAX_PENDING`: callbacks waiting for their next attempt at once; past it,
    /// new results wait in the stream.
    #[serde(default = "default_max_pending")]
    pub callback_max_pending: i64,
    /// `CALLBACK_SIGNING_SECRET`: a Standard Webhooks secret (`whsec_` and base64); when
    /// set, every callback is signed with it.
    pub callback_signing_secret: Option<String>,
    /// `METRICS_ADDR`: where `GET /metrics` is served (Prometheus text); none by default.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `CALLBACK_RESOLVE`: fixed answers for host names, `host=ip[|ip],...`, checked like
    /// any other answer (as curl's `--resolve`).
    #[serde(default)]
    pub callback_resolve: String,
    #[serde(skip)]
    pub callbacks: CallbackSettings,
    #[serde(skip)]
    pub streams: StreamSettings,
}

fn default_concurrency() -> usize {
    32
}

fn default_host_concurrency() -> usize {
    8
}

fn default_timeout_ms() -> u64 {
    10_000
}

fn default_retry_period_secs() -> u64 {
    24 * 60 * 60
}

fn default_retry_base_ms() -> u64 {
    1_000
}

fn default_retry_max_ms() -> u64 {
    10 * 60 * 1_000
}

fn default_max_pending() -> i64 {
    100_000
}

impl NotifierConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            streams: config::from_env()?,
            callbacks: config::from_env()?,
            ..config::from_env::<Self>()?
        })
    }

    /// Defaults everywhere but the NATS server: for tests and tools.
    pub fn local(nats_url: &str) -> Self {
        Self {
            nats_url: nats_url.to_owned(),
            ..config::defaults()
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.callback_timeout_ms)
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            period: Duration::from_secs(self.callback_retry_period_secs),
            base: Duration::from_millis(self.callback_retry_base_ms),
            max: Duration::from_millis(self.callback_retry_max_ms),
        }
    }
}
