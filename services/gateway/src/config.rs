use exec_engine::broker::StreamSettings;
use exec_engine::callback_policy::{CallbackSettings, PolicyError};
use exec_engine::config::{self, default_nats_url, ConfigError};
use exec_engine::{language, Language, SubmissionLimits};
use serde::Deserialize;

use crate::backlog::BacklogSettings;
use crate::keys::{KeyDefaults, Keys, KeysError};

/// The gateway's settings, read from the environment (see the README's table).
#[derive(Clone, Debug, Deserialize)]
pub struct GatewayConfig {
    /// `GATEWAY_ADDR`: where the HTTP API listens.
    #[serde(default = "default_addr")]
    pub gateway_addr: String,
    /// `NATS_URL`
    #[serde(default = "default_nats_url")]
    pub nats_url: String,
    /// `LANGUAGES`: the languages that have workers; others are refused with 422.
    #[serde(default = "default_languages")]
    pub languages: String,
    /// `MAX_BODY_BYTES`: larger request bodies are refused with 413.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// `MAX_CODE_BYTES`
    #[serde(default = "default_max_code_bytes")]
    pub max_code_bytes: usize,
    /// `MAX_TEST_CASES`
    #[serde(default = "default_max_test_cases")]
    pub max_test_cases: usize,
    /// `MAX_TIME_LIMIT_MS`: the largest per-test `time_limit_ms` a client may ask for.
    #[serde(default = "default_max_time_limit_ms")]
    pub max_time_limit_ms: u64,
    /// `MAX_MEMORY_LIMIT_MB`: the largest `memory_limit_mb` a client may ask for.
    #[serde(default = "default_max_memory_limit_mb")]
    pub max_memory_limit_mb: u64,
    /// `QUEUE_BOUND_SECS`: each language's queue holds at most this many seconds of its
    /// measured throughput; past it, `POST /execute` answers 429.
    #[serde(default = "default_queue_bound_secs")]
    pub queue_bound_secs: u64,
    /// `QUEUE_MIN`: the bound before throughput is measured, and its floor.
    #[serde(default = "default_queue_min")]
    pub queue_min: u64,
    /// `QUEUE_MAX`: the bound however fast the workers are.
    #[serde(default = "default_queue_max")]
    pub queue_max: u64,
    /// `API_KEYS_FILE`: a JSON array of `{"id", "sha256", "rate_per_sec"?, "burst"?}`; when
    /// set, every request but health, readiness, metrics and docs needs one of its keys.
    pub api_keys_file: Option<std::path::PathBuf>,
    /// `KEY_RATE_PER_SEC` and `KEY_BURST`: each key's token bucket, unless its entry says.
    #[serde(default = "default_key_rate_per_sec")]
    pub key_rate_per_sec: u32,
    #[serde(default = "default_key_burst")]
    pub key_burst: u32,
    /// `KEY_MAX_QUEUED`: a key's submissions queued or running at once, where its entry
    /// does not say.
    #[serde(default = "default_key_max_queued")]
    pub key_max_queued: usize,
    /// `MAX_CONNECTIONS`: connections served at once; more wait to be accepted.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// `HTTP_IDLE_TIMEOUT_SECS`: a connection silent this long is closed.
    #[serde(default = "default_http_idle_timeout_secs")]
    pub http_idle_timeout_secs: u64,
    /// `HEADER_READ_TIMEOUT_SECS`: a request's head not received whole within it (from its
    /// first byte) closes the connection.
    #[serde(default = "default_header_read_timeout_secs")]
    pub header_read_timeout_secs: u64,
    /// `CORS_ALLOW_ORIGINS`: the origins whose pages may call the API (`EventSource`
    /// included): `*` for any (no credentials are involved: keys travel in headers), a
    /// comma-separated list, or empty for none.
    #[serde(default = "default_cors_allow_origins")]
    pub cors_allow_origins: String,
    /// `MAX_WAIT_SECS`: the longest `?wait=` of `GET /executions/{id}`.
    #[serde(default = "default_max_wait_secs")]
    pub max_wait_secs: u64,
    /// `EVENTS_MAX_SECS`: how long one events stream lasts at most (then the client
    /// reconnects).
    #[serde(default = "default_events_max_secs")]
    pub events_max_secs: u64,
    /// `BODY_READ_TIMEOUT_SECS`: a request body not received within it gets 408.
    #[serde(default = "default_body_read_timeout_secs")]
    pub body_read_timeout_secs: u64,
    /// `MAX_BATCH`: submissions in one `POST /execute/batch`.
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// `MAX_BATCH_BODY_BYTES`: larger batch bodies are refused with 413.
    #[serde(default = "default_max_batch_body_bytes")]
    pub max_batch_body_bytes: usize,
    #[serde(skip)]
    pub callbacks: CallbackSettings,
    #[serde(skip)]
    pub streams: StreamSettings,
}

fn default_addr() -> String {
    "127.0.0.1:8000".to_owned()
}

fn default_languages() -> String {
    "python,js,java,cpp,go".to_owned()
}

fn default_max_body_bytes() -> usize {
    1024 * 1024
}

fn default_queue_bound_secs() -> u64 {
    180
}

fn default_queue_min() -> u64 {
    1_000
}

fn default_queue_max() -> u64 {
    100_000
}

fn default_key_rate_per_sec() -> u32 {
    10
}

fn default_key_max_queued() -> usize {
    1000
}

fn default_key_burst() -> u32 {
    20
}

fn default_max_connections() -> usize {
    4096
}

fn default_http_idle_timeout_secs() -> u64 {
    30
}

fn default_header_read_timeout_secs() -> u64 {
    10
}

fn default_cors_allow_origins() -> String {
    "*".to_owned()
}

fn default_max_wait_secs() -> u64 {
    60
}

fn default_events_max_secs() -> u64 {
    600
}

fn default_body_read_timeout_secs() -> u64 {
    30
}

fn default_max_batch() -> usize {
    50
}

fn default_max_batch_body_bytes() -> usize {
    8 * 1024 * 1024
}

fn default_max_code_bytes() -> usize {
    64 * 1024
}

fn default_max_test_cases() -> usize {
    100
}

fn default_max_time_limit_ms() -> u64 {
    10_000
}

fn default_max_memory_limit_mb() -> u64 {
    1024
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayConfigError {
    #[error(transparent)]
    Env(#[from] ConfigError),
    #[error("LANGUAGES: {0}")]
    Languages(#[from] language::UnknownLanguage),
    #[error(transparent)]
    Callbacks(#[from] PolicyError),
    #[error(transparent)]
    Keys(#[from] KeysError),
}

impl GatewayConfig {
    pub fn from_env() -> Result<Self, GatewayConfigError> {
        let config = Self {
            streams: config::from_env()?,
            callbacks: config::from_env()?,
            ..config::from_env::<Self>()?
        };
        config.submission_limits()?;
        Ok(config)
    }

    /// A configuration for tests and tools: defaults everywhere but the given addresses.
    pub fn local(gateway_addr: &str, nats_url: &str) -> Self {
        Self {
            gateway_addr: gateway_addr.to_owned(),
            nats_url: nats_url.to_owned(),
            ..config::defaults()
        }
    }

    pub fn keys(&self) -> Result<Keys, KeysError> {
        match &self.api_keys_file {
            Some(path) => Keys::load(
                path,
                KeyDefaults {
                    rate_per_sec: self.key_rate_per_sec,
                    burst: self.key_burst,
                    max_queued: self.key_max_queued,
                },
            ),
            None => Ok(Keys::off()),
        }
    }

    pub fn backlog_settings(&self) -> BacklogSettings {
        BacklogSettings {
            seconds: self.queue_bound_secs,
            min: self.queue_min,
            max: self.queue_max,
        }
    }

    pub fn submission_limits(&self) -> Result<SubmissionLimits, GatewayConfigError> {
        let languages: Vec<Language> = language::parse_list(&self.languages)?;
        Ok(SubmissionLimits {
            languages,
            max_code_bytes: self.max_code_bytes,
            max_test_cases: self.max_test_cases,
            max_time_limit_ms: self.max_time_limit_ms,
            max_memory_limit_mb: self.max_memory_limit_mb,
            callbacks: self.callbacks.policy()?,
            ..SubmissionLimits::default()
        })
    }
}
