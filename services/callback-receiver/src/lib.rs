//! A callback receiver for development and tests: accepts every POST, keeps what it was
//! sent, and can play a flaky receiver to show the notifier's retries.

use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use exec_engine::shutdown::CancellationToken;

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
    /// A status to answer every callback with instead of taking it (0: take them).
    answer: Arc<AtomicU16>,
    verifier: Option<Webhook>,
    fail_first: usize,
    seen: AtomicUsize,
}

#[handler]
async fn receive(request: &poem::Request, body: Body, state: Data<&Arc<State>>) -> Response {
    let answer = state.answer.load(Ordering::SeqCst);
    if answer != 0 {
        return Response::builder()
            .status(StatusCode::from_u16(answer).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
            .body("failing on purpose");
    }
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
    pub control: ReceiverControl,
}

/// Plays a receiver in trouble, for fault tests.
#[derive(Clone)]
pub struct ReceiverControl {
    answer: Arc<AtomicU16>,
    stop: CancellationToken,
}

impl ReceiverControl {
    /// Answers every callback with `status` (a 500, say) until [`ReceiverControl::recover`].
    pub fn fail_with(&self, status: u16) {
        self.answer.store(status, Ordering::SeqCst);
    }

    pub fn recover(&self) {
        self.answer.store(0, Ordering::SeqCst);
    }

    /// Stops listening: connections are refused until a receiver starts on the port again.
    pub fn stop(&self) {
        self.stop.cancel();
    }
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
    let answer = Arc::new(AtomicU16::new(0));
    let stop = CancellationToken::new();
    let state = Arc::new(State {
        answer: answer.clone(),
        sender,
        verifier,
        fail_first: config.receiver_fail_first,
        seen: AtomicUsize::new(0),
    });
    let app = Route::new().at("/*path", poem::post(receive)).data(state);
    let stopped = stop.clone();
    tokio::spawn(
        Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(
            app,
            async move { stopped.cancelled().await },
            Some(Duration::ZERO),
        ),
    );
    Ok(Receiver {
        port,
        callbacks,
        control: ReceiverControl { answer, stop },
    })
}
