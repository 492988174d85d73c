use std::time::Duration;

use exec_engine::broker::StreamSettings;
use exec_engine::config::{self, default_nats_url, ConfigError};
use serde::Deserialize;

/// The notifier's settings, read from the environment (see the README's table).
#[derive(Clone, Debug, Deserialize)]
pub struct NotifierConfig {
    /// `NATS_URL`
    #[serde(default = "default_nats_url")]
    pub nats_url: String,
    /// `NOTIFIER_CONCURRENCY`: callbacks in flight at once.
    #[serde(default = "default_concurrency")]
    pub notifier_concurrency: usize,
    /// `CALLBACK_TIMEOUT_MS`: one attempt's limit, connection to last byte.
    #[serde(default = "default_timeout_ms")]
    pub callback_timeout_ms: u64,
    /// `CALLBACK_MAX_ATTEMPTS`: after this many, the result becomes a dead letter.
    #[serde(default = "default_max_attempts")]
    pub callback_max_attempts: i64,
    /// `CALLBACK_RETRY_BASE_MS`: the first retry's delay; each next one doubles.
    #[serde(default = "default_retry_base_ms")]
    pub callback_retry_base_ms: u64,
    /// `CALLBACK_RETRY_MAX_MS`: the longest delay between two attempts.
    #[serde(default = "default_retry_max_ms")]
    pub callback_retry_max_ms: u64,
    #[serde(skip)]
    pub streams: StreamSettings,
}

fn default_concurrency() -> usize {
    32
}

fn default_timeout_ms() -> u64 {
    10_000
}

fn default_max_attempts() -> i64 {
    10
}

fn default_retry_base_ms() -> u64 {
    1_000
}

fn default_retry_max_ms() -> u64 {
    60_000
}

impl NotifierConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            streams: config::from_env()?,
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
}
