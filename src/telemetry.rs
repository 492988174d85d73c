//! Logs and metrics: what every service reports about itself.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use futures::future::BoxFuture;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio_util::sync::CancellationToken;
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
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// What a service checks before it says it is ready: each problem found, in words.
pub type Readiness = Arc<dyn Fn() -> BoxFuture<'static, Vec<String>> + Send + Sync>;

/// Serves `GET /metrics` (Prometheus text) and `GET /readyz` (200 when `ready` finds no
/// problem, else 503 naming them) on `addr`, for services without an HTTP API of their own
/// (`METRICS_ADDR` of workers and notifiers); until `shutdown`.
pub async fn serve_operator(
    addr: SocketAddr,
    ready: Readiness,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    use poem::listener::Listener;
    use poem::{endpoint::make, get, http::StatusCode, web::Json, IntoResponse, Route};

    prometheus();
    let readyz = make(move |_| {
        let ready = ready.clone();
        async move {
            let problems = ready().await;
            if problems.is_empty() {
                Json(serde_json::json!({"status": "ready"})).into_response()
            } else {
                let body = serde_json::json!({"status": "not_ready", "problems": problems});
                Json(body)
                    .with_status(StatusCode::SERVICE_UNAVAILABLE)
                    .into_response()
            }
        }
    });
    let metrics = make(|_| async { prometheus().render() });
    let app = Route::new()
        .at("/metrics", get(metrics))
        .at("/readyz", get(readyz));
    // Bound here, so that a taken address stops the service at start.
    let acceptor = poem::listener::TcpListener::bind(addr)
        .into_acceptor()
        .await?;
    let server = poem::Server::new_with_acceptor(acceptor);
    tokio::spawn(async move {
        if let Err(err) = server
            .run_with_graceful_shutdown(app, shutdown.cancelled_owned(), None)
            .await
        {
            tracing::warn!(error = %err, "the operator endpoint stopped");
        }
    });
    Ok(())
}
