//! The gateway: the engine's HTTP front door.

mod api;
mod backlog;
mod config;
mod connections;
mod error;
mod exact_body;
mod execution_id;
mod keys;
mod methods;
mod openapi;
mod problems;
mod quota;
mod submission_body;

use std::sync::Arc;
use std::time::Duration;

use exec_engine::broker;
use exec_engine::registry::Registry;
use exec_engine::shutdown::CancellationToken;
use exec_engine::state::Executions;
use poem::http::{header, Method, StatusCode};
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::middleware::{Cors, RequestId, Tracing};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server};
use tokio::sync::Semaphore;

use backlog::Backlogs;
use connections::{HeadLimits, LimitedAcceptor};
use keys::{Caller, Keys};
use methods::Methods;

pub use api::ACCEPTED_MESSAGE;
pub use config::{GatewayConfig, GatewayConfigError};

/// The OpenAPI document a gateway with the default configuration serves at
/// `/openapi.json` (checked in as `openapi/openapi.json`).
pub fn openapi_spec() -> String {
    let config = GatewayConfig::local("127.0.0.1:0", "nats://127.0.0.1:4222");
    let limits = config
        .submission_limits()
        .expect("the default configuration is valid");
    openapi::document(&openapi::Limits {
        submissions: &limits,
        max_batch: config.max_batch,
        max_wait_secs: config.max_wait_secs,
    })
}

/// A gateway bound to its port, ready to serve.
pub struct Application {
    acceptor: TcpAcceptor,
    keys: Keys,
    port: u16,
    max_connections: usize,
    idle_timeout: Duration,
    header_timeout: Duration,
    cors_allow_origins: String,
    state: api::AppState,
}

impl Application {
    /// Connects to NATS, declares the streams and binds the listener (port 0 picks a free
    /// port, which [`Application::port`] then tells).
    pub async fn build(config: GatewayConfig) -> anyhow::Result<Self> {
        let limits = config.submission_limits()?;
        // Recorded from here on, served on GET /metrics.
        exec_engine::telemetry::prometheus();
        let (nats, jetstream) = broker::connect(&config.nats_url, "gateway").await?;
        broker::ensure_streams(&jetstream, &config.streams).await?;
        let acceptor = TcpListener::bind(config.gateway_addr.as_str())
            .into_acceptor()
            .await?;
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|addr| addr.as_socket_addr().map(|a| a.port()))
            .ok_or_else(|| anyhow::anyhow!("the listener has no TCP address"))?;
        Ok(Self {
            acceptor,
            keys: config.keys()?,
            port,
            max_connections: config.max_connections,
            idle_timeout: Duration::from_secs(config.http_idle_timeout_secs),
            header_timeout: Duration::from_secs(config.header_read_timeout_secs),
            cors_allow_origins: config.cors_allow_origins.clone(),
            state: api::AppState {
                executions: Executions::open(&jetstream).await?,
                registry: Registry::open(&jetstream).await?,
                problems: exec_engine::problems::Problems::open(&jetstream).await?,
                nats,
                jetstream,
                limits,
                max_body_bytes: config.max_body_bytes,
                max_batch: config.max_batch,
                max_batch_body_bytes: config.max_batch_body_bytes,
                body_read_timeout: Duration::from_secs(config.body_read_timeout_secs),
                max_wait_secs: config.max_wait_secs,
                max_follow: Duration::from_secs(config.events_max_secs),
                waiting: Arc::new(Semaphore::new(api::MAX_WAITING)),
                backlogs: Arc::new(Backlogs::new(config.backlog_settings())),
                queued: Arc::default(),
            },
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` is cancelled, then lets requests in flight finish.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let backlogs = self.state.backlogs.clone();
        let (js, languages) = (
            self.state.jetstream.clone(),
            self.state.limits.languages.clone(),
        );
        let stop = shutdown.clone();
        tokio::spawn(async move { backlogs.refresh(js, languages, stop).await });
        let queued = self.state.queued.clone();
        let (js, stop) = (self.state.jetstream.clone(), shutdown.clone());
        tokio::spawn(async move { queued.follow_results(js, stop).await });
        let service = openapi::service();
        let document = openapi::document(&openapi::Limits::of(&self.state));
        let methods = Arc::new(Methods::from_spec(&document));
        let (spec, docs) = openapi::endpoints(document);
        let cors = cors(&self.cors_allow_origins);
        let app = Route::new()
            .at("/openapi.json", spec)
            .at("/docs", docs)
            .nest("/", service)
            .data(self.state)
            .around({
                let keys = Arc::new(self.keys);
                move |endpoint, request| guard(keys.clone(), endpoint, request)
            })
            .with(Tracing)
            // Errors become responses before CORS, so that a page sees them too (the
            // middleware passes an error on without its headers); then CORS's own.
            .catch_all_error(error::render)
            .with_if(cors.is_some(), cors.unwrap_or_default())
            .catch_all_error(error::render)
            .around(move |endpoint, request| allow(methods.clone(), endpoint, request))
            // Outermost, so that every answer, errors too, carries its X-Request-Id.
            .with(RequestId::default());
        let acceptor = LimitedAcceptor::new(
            self.acceptor,
            self.max_connections,
            HeadLimits::new(self.header_timeout),
        );
        Server::new_with_acceptor(acceptor)
            // A connection that neither sends nor receives for this long is closed.
            .idle_timeout(self.idle_timeout)
            .run_with_graceful_shutdown(
                app,
                async move { shutdown.cancelled().await },
                Some(Duration::from_secs(10)),
            )
            .await
    }
}

/// Builds the gateway from `config` and serves until `shutdown`.
pub async fn run(config: GatewayConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    tracing::info!(port = app.port(), "gateway listening");
    app.run_until_stopped(shutdown).await?;
    Ok(())
}

/// The CORS policy for `origins` (`*`, a comma-separated list, or empty for none).
fn cors(origins: &str) -> Option<Cors> {
    let origins: Vec<&str> = origins
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let cors = Cors::new()
        .allow_credentials(false)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            "content-type",
            "authorization",
            "x-api-key",
            "idempotency-key",
        ])
        .expose_headers([
            "location",
            "retry-after",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "x-request-id",
        ])
        .max_age(3600);
    Some(if origins.contains(&"*") {
        cors
    } else {
        cors.allow_origins(origins)
    })
}

/// Names the methods a path takes (`Allow`) on its 405.
async fn allow<E: Endpoint>(
    methods: Arc<Methods>,
    endpoint: Arc<E>,
    request: Request,
) -> poem::Result<Response> {
    let path = request.uri().path().to_owned();
    let mut response = endpoint.call(request).await?.into_response();
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        if let Some(allowed) = methods.allowed(&path).and_then(|m| m.parse().ok()) {
            response.headers_mut().insert(header::ALLOW, allowed);
        }
    }
    Ok(response)
}

/// Paths served to anyone: health, readiness, metrics and the docs.
fn is_open(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/openapi.json")
        || path.starts_with("/docs")
}

/// Lets a request through if its key (where keys are in use) is known and within its rate,
/// telling the handlers who called.
async fn guard<E: Endpoint>(
    keys: Arc<Keys>,
    endpoint: Arc<E>,
    mut request: Request,
) -> poem::Result<Response> {
    let caller = if is_open(request.uri().path()) {
        Caller::default()
    } else {
        keys.admit(request.headers())
            .map_err(error::ApiError::from)?
    };
    request.set_data(caller);
    endpoint
        .call(request)
        .await
        .map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// The checked-in spec under `openapi/` is the one the gateway serves. Regenerate it
    /// with `UPDATE_OPENAPI=1 cargo test -p gateway`.
    #[test]
    fn checked_in_openapi_spec_is_current() {
        let path = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap())
            .join("../../openapi/openapi.json");
        let served = super::openapi_spec() + "\n";
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &served).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == served,
            "openapi/openapi.json differs from the served spec; run `make openapi`"
        );
    }
}
