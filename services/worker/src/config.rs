use std::time::Duration;

use exec_engine::broker::StreamSettings;
use exec_engine::config::{self, default_nats_url, ConfigError};
use exec_engine::Language;
use serde::Deserialize;

use crate::builds::BuildLimits;
use crate::checker::CheckLimits;
use crate::executor::RunLimits;
use crate::protocol::OutputLimits;
use crate::sandbox::SandboxSpec;

/// The worker's settings, read from the environment (see the README's table). Limits left
/// unset take the language's defaults from the original specification.
#[derive(Clone, Debug, Deserialize)]
pub struct WorkerConfig {
    /// `WORKER_LANGUAGE`: the one language this process serves.
    #[serde(default = "default_language")]
    pub worker_language: Language,
    /// `NATS_URL`
    #[serde(default = "default_nats_url")]
    pub nats_url: String,
    /// `WORKER_CONCURRENCY`: sandboxes this process runs at once; default
    /// [`WorkerConfig::concurrency`].
    pub worker_concurrency: Option<usize>,
    /// `SANDBOX_IMAGE`: default `exec-sandbox-<language>:latest`.
    pub sandbox_image: Option<String>,
    /// `SANDBOX_MEMORY_MB`: default 256 for python and js, 512 for java, cpp and go.
    pub sandbox_memory_mb: Option<u64>,
    /// `SANDBOX_TIMEOUT_SECS`: wall clock for a whole submission, however many sandboxes
    /// it takes; default 15 for python and js, 30 for java, cpp and go.
    pub sandbox_timeout_secs: Option<u64>,
    /// `TEST_TIME_LIMIT_MS`: each test's limit unless the submission sets `time_limit_ms`.
    #[serde(default = "default_test_time_limit_ms")]
    pub test_time_limit_ms: u64,
    /// `COMPILE_TIME_LIMIT_MS`: from the sandbox's start to the code being loaded.
    #[serde(default = "default_compile_time_limit_ms")]
    pub compile_time_limit_ms: u64,
    /// `SANDBOX_CPUS`
    #[serde(default = "default_cpus")]
    pub sandbox_cpus: f64,
    /// `SANDBOX_PIDS_LIMIT`: processes and threads inside one sandbox.
    #[serde(default = "default_pids_limit")]
    pub sandbox_pids_limit: i64,
    /// `SANDBOX_TMPFS_MB`: the size of the sandbox's only writable directory, `/tmp`.
    #[serde(default = "default_tmpfs_mb")]
    pub sandbox_tmpfs_mb: u64,
    /// `OUTPUT_LIMIT_BYTES`: what a test may print to stdout, and to stderr; past it the
    /// test is `output_limit_exceeded` and the text is cut.
    #[serde(default = "default_output_limit_bytes")]
    pub output_limit_bytes: usize,
    /// `VALUE_LIMIT_BYTES`: the longest returned value (as JSON text) a test may give.
    #[serde(default = "default_value_limit_bytes")]
    pub value_limit_bytes: usize,
    /// `MAX_DELIVER`: attempts at a submission whose sandbox could not be run.
    #[serde(default = "default_max_deliver")]
    pub max_deliver: i64,
    /// `METRICS_ADDR`: where `GET /metrics` is served (Prometheus text); none by default.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `SHUTDOWN_GRACE_SECS`: on SIGTERM, how long running submissions may finish before
    /// they are handed back to run on another worker.
    #[serde(default = "default_shutdown_grace_secs")]
    pub shutdown_grace_secs: u64,
    /// `SANDBOX_MODE`: `reuse` (containers started ahead and wiped between jobs to serve
    /// many), `pooled` (started ahead, one job each) or `fresh` (a container created when a
    /// job needs it).
    #[serde(default)]
    pub sandbox_mode: SandboxMode,
    /// `POOL_SIZE`: warm sandboxes kept in `pooled` and `reuse` modes; default
    /// `WORKER_CONCURRENCY`.
    pub pool_size: Option<usize>,
    /// `SANDBOX_MAX_JOBS`: the jobs one sandbox may serve in `reuse` mode.
    #[serde(default = "default_sandbox_max_jobs")]
    pub sandbox_max_jobs: u32,
    /// `DEPLOYMENT`: the name on this deployment's sandboxes, so that its sweeps leave
    /// another's alone on a shared Docker host; default the NATS URL (workers that share
    /// a broker are one deployment).
    pub deployment: Option<String>,
    /// `BUILD_CACHE_MB`: the bucket of kept builds (shared by every worker; set when it
    /// is created); 0 keeps none.
    #[serde(default = "default_build_cache_mb")]
    pub build_cache_mb: u64,
    /// `BUILD_CACHE_DAYS`: how long a kept build stays (set when the bucket is created).
    #[serde(default = "default_build_cache_days")]
    pub build_cache_days: u64,
    /// `CHECKER_TIME_LIMIT_MS`: each check of a test by a submission's checker.
    #[serde(default = "default_checker_time_limit_ms")]
    pub checker_time_limit_ms: u64,
    /// `CHECKER_TIMEOUT_SECS`: every check of one submission together, the checker's
    /// loading included; added to the submission's own time.
    #[serde(default = "default_checker_timeout_secs")]
    pub checker_timeout_secs: u64,
    #[serde(skip)]
    pub streams: StreamSettings,
}

fn default_checker_time_limit_ms() -> u64 {
    5_000
}

fn default_checker_timeout_secs() -> u64 {
    30
}

/// Where the sandboxes come from (see `pool.rs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SandboxMode {
    Fresh,
    Pooled,
    #[default]
    Reuse,
}

fn default_build_cache_mb() -> u64 {
    1024
}

fn default_build_cache_days() -> u64 {
    7
}

fn default_sandbox_max_jobs() -> u32 {
    100
}

fn default_language() -> Language {
    Language::Python
}

fn default_cpus() -> f64 {
    1.0
}

fn default_pids_limit() -> i64 {
    64
}

fn default_tmpfs_mb() -> u64 {
    64
}

fn default_output_limit_bytes() -> usize {
    8 * 1024
}

fn default_value_limit_bytes() -> usize {
    32 * 1024
}

fn default_test_time_limit_ms() -> u64 {
    5_000
}

fn default_compile_time_limit_ms() -> u64 {
    20_000
}

fn default_shutdown_grace_secs() -> u64 {
    20
}

fn default_max_deliver() -> i64 {
    5
}

impl WorkerConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            streams: config::from_env()?,
            ..config::from_env::<Self>()?
        })
    }

    /// Defaults everywhere but the language and the NATS server: for tests and tools.
    pub fn local(language: Language, nats_url: &str) -> Self {
        Self {
            worker_language: language,
            nats_url: nats_url.to_owned(),
            ..config::defaults()
        }
    }

    /// The sandbox every submission of this worker's language runs in, before the
    /// submission's own memory limit.
    pub fn sandbox_spec(&self) -> SandboxSpec {
        SandboxSpec {
            image: self.sandbox_image.clone().unwrap_or_else(|| {
                let language = self.worker_language;
                format!("exec-sandbox-{language}:latest")
            }),
            memory_bytes: self
                .sandbox_memory_mb
                .unwrap_or_else(|| self.worker_language.default_memory_mb())
                * 1024
                * 1024,
            ..self.checker_spec(self.worker_language)
        }
    }

    /// The sandbox a checker in `language` runs in: the language's image and memory, and
    /// this worker's other limits.
    pub fn checker_spec(&self, language: Language) -> SandboxSpec {
        SandboxSpec {
            image: format!("exec-sandbox-{language}:latest"),
            memory_bytes: language.default_memory_mb() * 1024 * 1024,
            nano_cpus: (self.sandbox_cpus * 1e9) as i64,
            pids_limit: self.sandbox_pids_limit,
            tmpfs_bytes: self.sandbox_tmpfs_mb * 1024 * 1024,
            tmpfs_exec: language.compiles_to_native_code(),
        }
    }

    /// Sandboxes run at once: `WORKER_CONCURRENCY`, else one per core where sandboxes are
    /// started ahead (a test is CPU-bound, and each sandbox has one CPU), two per core where
    /// each waits for Docker to create it; never fewer than two, so that one slow
    /// submission never holds up the language.
    pub fn concurrency(&self) -> usize {
        self.worker_concurrency.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let per_core = match self.sandbox_mode {
                SandboxMode::Fresh => 2,
                SandboxMode::Pooled | SandboxMode::Reuse => 1,
            };
            (cores * per_core).max(2)
        })
    }

    /// How many sandboxes to keep warm: none unless pooled.
    pub fn warm_sandboxes(&self) -> usize {
        match self.sandbox_mode {
            SandboxMode::Fresh => 0,
            SandboxMode::Pooled | SandboxMode::Reuse => {
                self.pool_size.unwrap_or_else(|| self.concurrency())
            }
        }
    }

    /// How many jobs one sandbox may serve: one unless reused.
    pub fn jobs_per_sandbox(&self) -> u32 {
        match self.sandbox_mode {
            SandboxMode::Reuse => self.sandbox_max_jobs.max(1),
            SandboxMode::Fresh | SandboxMode::Pooled => 1,
        }
    }

    /// The name on this deployment's sandboxes (`DEPLOYMENT`, else the NATS URL).
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    pub fn deployment(&self) -> String {
        self.deployment
            .clone()
            .unwrap_or_else(|| self.nats_url.clone())
    }

    /// The bounds of the kept builds' bucket, unless none are kept.
    pub fn build_limits(&self) -> Option<BuildLimits> {
        (self.build_cache_mb > 0).then(|| BuildLimits {
            max_bytes: i64::try_from(self.build_cache_mb * 1024 * 1024).unwrap_or(i64::MAX),
            max_age: Duration::from_secs(self.build_cache_days * 24 * 3600),
            replicas: self.streams.stream_replicas,
        })
    }

    pub fn check_limits(&self) -> CheckLimits {
        CheckLimits {
            load: Duration::from_millis(self.compile_time_limit_ms),
            check: Duration::from_millis(self.checker_time_limit_ms),
            total: Duration::from_secs(self.checker_timeout_secs),
            output: self.run_limits().output,
        }
    }

    pub fn run_limits(&self) -> RunLimits {
        let language = self.worker_language;
        RunLimits {
            submission: Duration::from_secs(
                self.sandbox_timeout_secs
                    .unwrap_or_else(|| language.default_submission_timeout_secs()),
            ),
            compile: Duration::from_millis(self.compile_time_limit_ms),
            test: Duration::from_millis(self.test_time_limit_ms),
            output: OutputLimits {
                output_bytes: self.output_limit_bytes,
                value_bytes: self.value_limit_bytes,
            },
        }
    }
}
