//! A callback receiver for development and tests: accepts every POST, keeps what it was
//! sent, and can play a flaky receiver to show the notifier's retries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use poem::http::{HeaderMap, StatusCode};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{handler, Body, EndpointExt, Response, Route, Server};
use serde::Deserialize;
use standardwebhooks::Webhook;
use tokio::sync::mpsc;

/// One callback as received.
#[derive(Clone, Debug)]
pub struct Callback {
    pub path: String,
    pub headers: HeaderMap,
    pub body: serde_json::Value,
}

impl Callback {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The receiver's settings, read from the environment.
#[derive(Clone, Debug, Deserialize)]
pub struct ReceiverConfig {
    /// `RECEIVER_ADDR`: where it listens; the original specification's port by default.
    #[serde(default = "default_addr")]
    pub receiver_addr: String,
    /// `RECEIVER_FAIL_FIRST`: answer 503 to this many requests before accepting.
    #[serde(default)]
    pub receiver_fail_first: usize,
    /// `RECEIVER_SIGNING_SECRET`: the notifier's `CALLBACK_SIGNING_SECRET`; when set, a
    /// callback whose Standard Webhooks signature does not verify is answered 401.
    #[serde(default)]
    pub receiver_signing_secret: Option<String>,
}

fn default_addr() -> String {
    "127.0.0.1:5001".to_owned()
}

struct State {
    sender: mpsc::UnboundedSender<Callback>,
    verifier: Option<Webhook>,
    fail_first: usize,
    seen: AtomicUsize,
}

#[handler]
async fn receive(request: &poem::Request, body: Body, state: Data<&Arc<State>>) -> Response {
    if state.seen.fetch_add(1, Ordering::SeqCst) < state.fail_first {
        return Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .body("failing on purpose (RECEIVER_FAIL_FIRST)");
    }
    let Ok(bytes) = body.into_vec().await else {
        return Response::builder().status(StatusCode::BAD_REQUEST).finish();
    };
    if let Some(verifier) = &state.verifier {
        if let Err(err) = verifier.verify(&bytes, request.headers()) {
            return Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .body(format!("the signature does not verify: {err}"));
        }
    }
    let Ok(body) = serde_json::from_slice(&bytes) else {
        return Response::builder()
            .status(StatusCode::BAD_REQUEST)
            .body("the body is not JSON");
    };
    let _ = state.sender.send(Callback {
        path: request.uri().path().to_owned(),
        headers: request.headers().clone(),
        body,
    });
    Response::builder()
        .status(StatusCode::OK)
        .content_type("application/json")
        .body(r#"{"status":"received"}"#)
}

/// A receiver bound to its port; callbacks arrive on `callbacks`.
pub struct Receiver {
    pub port: u16,
    pub callbacks: mpsc::UnboundedReceiver<Callback>,
}

/// Binds `config.receiver_addr` (port 0 picks a free port) and serves in the background
/// until the runtime ends.
pub async fn start(config: &ReceiverConfig) -> std::io::Result<Receiver> {
    let acceptor = TcpListener::bind(config.receiver_addr.as_str())
        .into_acceptor()
        .await?;
    let port = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().map(|s| s.port()))
        .unwrap_or_default();
    let (sender, callbacks) = mpsc::unbounded_channel();
    let verifier = match &config.receiver_signing_secret {
        Some(secret) => Some(Webhook::new(secret).map_err(std::io::Error::other)?),
        None => None,
    };
    let state = Arc::new(State {
        sender,
        verifier,
        fail_first: config.receiver_fail_first,
        seen: AtomicUsize::new(0),
    });
    let app = Route::new().at("/*path", poem::post(receive)).data(state);
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    Ok(Receiver { port, callbacks })
}
