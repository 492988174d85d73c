//! Logs and metrics: what every service reports about itself.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

/// Logs to stderr, filtered by `RUST_LOG` (default `info`): as text, or as one JSON object
/// a line with `LOG_FORMAT=json` (each line carrying its spans' fields, the execution id
/// among them, for a log pipeline to index).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match std::env::var("LOG_FORMAT").as_deref() {
        Ok("json") => logs.json().with_current_span(true).try_init(),
        _ => logs.with_ansi(std::io::stderr().is_terminal()).try_init(),
    };
}

/// Every metric the engine records, by name.
pub mod names {
    /// Submissions offered to a gateway, by `language` and `outcome` (`accepted`,
    /// `queue_full`, `invalid`, `unavailable`).
    pub const SUBMISSIONS: &str = "exec_submissions_total";
    /// Submissions waiting or running, by `language`, and the bound past which a gateway
    /// refuses more.
    pub const QUEUE_DEPTH: &str = "exec_queue_depth";
    pub const QUEUE_BOUND: &str = "exec_queue_bound";
    /// Executions finished by a worker, by `language` and `status` (the verdict).
    pub const EXECUTIONS: &str = "exec_executions_total";
    /// How long an execution ran in its worker, and from submission to stored result.
    pub const EXECUTION_SECONDS: &str = "exec_execution_seconds";
    pub const END_TO_END_SECONDS: &str = "exec_end_to_end_seconds";
    /// Sandboxes started and removed, by `language`.
    pub const SANDBOX_STARTS: &str = "exec_sandbox_starts_total";
    pub const SANDBOX_REMOVALS: &str = "exec_sandbox_removals_total";
    /// Callback attempts by `outcome` (`delivered`, `retry`, `refused`), and callbacks
    /// given up (kept as dead letters).
    pub const CALLBACK_ATTEMPTS: &str = "exec_callback_attempts_total";
    pub const CALLBACK_FAILURES: &str = "exec_callback_failures_total";
}

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

fn builder() -> PrometheusBuilder {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Suffix("_seconds".to_owned()),
            &[
                0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
            ],
        )
        .expect("the buckets are not empty")
}

/// The process's metrics in Prometheus text format, recorded from the first call on (the
/// gateway serves them on `GET /metrics`).
pub fn prometheus() -> PrometheusHandle {
    PROMETHEUS
        .get_or_init(|| {
            let recorder = builder().build_recorder();
            let handle = recorder.handle();
            // A recorder installed first (by `serve_metrics`) keeps recording.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Serves the process's metrics on `http://<addr>/metrics`, for services without an HTTP
/// API of their own (`METRICS_ADDR` of workers and notifiers).
pub fn serve_metrics(addr: SocketAddr) -> Result<(), BuildError> {
    let (recorder, exporter) = builder().with_http_listener(addr).build()?;
    let _ = PROMETHEUS.set(recorder.handle());
    metrics::set_global_recorder(recorder).map_err(BuildError::FailedToSetGlobalRecorder)?;
    tokio::spawn(exporter);
    Ok(())
}
