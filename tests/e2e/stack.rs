//! A whole engine for one test, stopped when the test ends.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use callback_receiver::{Callback, ReceiverConfig};

use crate::deployment;
use exec_engine::callback_policy::CallbackSettings;
use exec_engine::shutdown::CancellationToken;
use exec_engine::Language;
use futures::StreamExt;
use gateway::{Application, GatewayConfig};
use local_nats::NatsServer;
use notifier::NotifierConfig;
use serde_json::Value;
use worker::{SandboxMode, WorkerConfig};

/// How long a test waits for a result before it fails.
pub const RESULT_TIMEOUT: Duration = Duration::from_secs(60);

/// What a test may change about its engine.
/// The workers' `SANDBOX_MODE`: `E2E_SANDBOX_MODE`, the workers' default unless set
/// (`make test` runs the suite in every mode).
fn sandbox_mode() -> SandboxMode {
    match std::env::var("E2E_SANDBOX_MODE").as_deref() {
        Ok("pooled") => SandboxMode::Pooled,
        Ok("reuse") => SandboxMode::Reuse,
        Ok("fresh") => SandboxMode::Fresh,
        Err(_) => SandboxMode::default(),
        Ok(other) => panic!("E2E_SANDBOX_MODE is fresh, pooled or reuse, not {other}"),
    }
}

pub struct StackOptions {
    pub languages: Vec<Language>,
    /// Whether the languages get workers (without, what is accepted stays queued).
    pub workers: bool,
    /// The notifier's `CALLBACK_SIGNING_SECRET`, which the receiver then verifies.
    pub signing_secret: Option<String>,
    /// The workers' `DEPLOYMENT`: a fresh name, so that no two stacks sweep each other's.
    pub deployment: String,
    pub receiver_fail_first: usize,
    pub gateway: Box<dyn Fn(GatewayConfig) -> GatewayConfig + Send>,
    pub notifier: fn(NotifierConfig) -> NotifierConfig,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            languages: vec![Language::Python],
            workers: true,
            signing_secret: None,
            deployment: format!("e2e-{}", uuid::Uuid::new_v4()),
            receiver_fail_first: 0,
            gateway: Box::new(|config| config),
            notifier: |config| NotifierConfig {
                callback_retry_base_ms: 100,
                callback_retry_max_ms: 500,
                ..config
            },
        }
    }
}

/// Callbacks may go to the test's receiver on 127.0.0.1 and nowhere else private.
pub fn loopback_callbacks() -> CallbackSettings {
    CallbackSettings {
        callback_allow_private: false,
        callback_allow_nets: "127.0.0.1".to_owned(),
    }
}

pub struct Stack {
    /// Kept so that the server lives as long as the stack.
    _nats_server: NatsServer,
    pub nats: async_nats::Client,
    pub gateway: String,
    pub callbacks: tokio::sync::mpsc::UnboundedReceiver<Callback>,
    pub callback_url: String,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
    /// The workers' `DEPLOYMENT`, whose sandboxes go with the stack.
    deployment: String,
    /// Cancelled when a service stops with an error, so that waits end at once.
    failed: CancellationToken,
}

impl Stack {
    pub async fn start() -> Self {
        Self::start_with(StackOptions::default()).await
    }

    pub async fn start_with(options: StackOptions) -> Self {
        // Logs go to the test's captured output: shown only when the test fails.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "info".into()),
            )
            .with_test_writer()
            .try_init();
        // reqwest is built without a default TLS provider, as the notifier is.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let nats_server = NatsServer::start();
        let url = nats_server.url.clone();
        let shutdown = CancellationToken::new();

        let languages: Vec<&str> = options.languages.iter().map(|l| l.as_str()).collect();
        let gateway = Application::build((options.gateway)(GatewayConfig {
            languages: languages.join(","),
            callbacks: loopback_callbacks(),
            ..GatewayConfig::local("127.0.0.1:0", &url)
        }))
        .await
        .expect("the gateway starts");
        let gateway_url = format!("http://127.0.0.1:{}", gateway.port());
        tokio::spawn(gateway.run_until_stopped(shutdown.clone()));

        let failed = CancellationToken::new();
        for &language in options.languages.iter().filter(|_| options.workers) {
            let config = WorkerConfig {
                sandbox_mode: sandbox_mode(),
                deployment: Some(options.deployment.clone()),
                // A stack runs every language's worker on one machine (CI's has 2 cores):
                // two sandboxes each, whatever the mode, so that a test's time limit is not
                // spent waiting for a core; and a test or a check may take as long as the
                // hostile cases allow theirs (a program started afresh for each test, its
                // checker in a sandbox beside it, waits its turn for a core too).
                worker_concurrency: Some(2),
                test_time_limit_ms: 10_000,
                checker_time_limit_ms: 10_000,
                // Python's and JavaScript's 15 s for a whole submission is less than seven
                // JavaScript programs (a node started afresh for each test, ~200 ms alone)
                // take under that load: every language gets the compiled ones' 30 s.
                sandbox_timeout_secs: Some(30),
                ..WorkerConfig::local(language, &url)
            };
            let (stop, failed) = (shutdown.clone(), failed.clone());
            tokio::spawn(async move {
                if let Err(err) = worker::run(config, stop).await {
                    eprintln!("the {language} worker stopped: {err:#}");
                    failed.cancel();
                }
            });
        }
        let notifier_config = (options.notifier)(NotifierConfig {
            callbacks: loopback_callbacks(),
            callback_signing_secret: options.signing_secret.clone(),
            ..NotifierConfig::local(&url)
        });
        let (stop, notifier_failed) = (shutdown.clone(), failed.clone());
        tokio::spawn(async move {
            if let Err(err) = notifier::run(notifier_config, stop).await {
                eprintln!("the notifier stopped: {err:#}");
                notifier_failed.cancel();
            }
        });

        let receiver = callback_receiver::start(&ReceiverConfig {
            receiver_addr: "127.0.0.1:0".into(),
            receiver_fail_first: options.receiver_fail_first,
            receiver_signing_secret: options.signing_secret.clone(),
        })
        .await
        .expect("the callback receiver starts");
        let nats = async_nats::connect(&url).await.expect("a NATS client");
        Self {
            _nats_server: nats_server,
            nats,
            gateway: gateway_url,
            callbacks: receiver.callbacks,
            callback_url: format!("http://127.0.0.1:{}/callback", receiver.port),
            // No request waits longer than a result may.
            http: reqwest::Client::builder()
                .timeout(RESULT_TIMEOUT)
                // Given up before the gateway closes idle connections (30 s), so none is
                // reused just as it is closed.
                .pool_idle_timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client"),
            shutdown,
            deployment: options.deployment.clone(),
            failed,
        }
    }

    /// POSTs `body` to `/execute` as JSON; returns the status and the JSON answer.
    pub async fn submit(&self, body: &Value) -> (u16, Value) {
        self.post_raw(body.to_string(), "application/json").await
    }

    pub async fn post_raw(&self, body: String, content_type: &str) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/execute", self.gateway))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await;
        json_answer(response).await
    }

    /// Submits and expects 202; returns the execution id.
    pub async fn accept(&self, body: &Value) -> String {
        let (status, answer) = self.submit(body).await;
        assert_eq!(status, 202, "{answer}");
        assert_eq!(answer["message"], "Code execution task accepted");
        answer["id"].as_str().expect("an id").to_owned()
    }

    /// The next callback for `id`.
    pub async fn callback_for(&mut self, id: &str) -> Callback {
        let deadline = tokio::time::Instant::now() + RESULT_TIMEOUT;
        loop {
            let callback = tokio::select! {
                _ = self.failed.cancelled() => panic!("a service stopped (see its error above)"),
                callback = tokio::time::timeout_at(deadline, self.callbacks.recv()) => callback
                    .unwrap_or_else(|_| panic!("no callback for {id} within {RESULT_TIMEOUT:?}"))
                    .expect("the receiver runs"),
            };
            if callback.header("X-Execution-Id") == Some(id) {
                return callback;
            }
        }
    }

    /// `GET /executions/{id}` (with `?wait=`): the status and the JSON answer.
    pub async fn state(&self, id: &str, wait: Option<u64>) -> (u16, Value) {
        let query = wait.map(|w| format!("?wait={w}")).unwrap_or_default();
        self.get(&format!("/executions/{id}{query}")).await
    }

    /// POSTs `body` as JSON to a gateway path; returns the status and the JSON answer.
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    /// PUTs `body` as JSON to a gateway path; returns the status and the JSON answer.
    pub async fn put_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send_json(reqwest::Method::PUT, path, body).await
    }

    async fn send_json(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .request(method, format!("{}{path}", self.gateway))
            .json(body)
            .send()
            .await;
        json_answer(response).await
    }

    /// GETs a gateway path; returns the status and the JSON answer.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.gateway))
            .send()
            .await;
        json_answer(response).await
    }

    /// Polls `id`'s state until its callback is `callback_state`; returns that state.
    pub async fn callback_settles(&self, id: &str, callback_state: &str) -> Value {
        let mut state = Value::Null;
        for _ in 0..100 {
            state = self.state(id, None).await.1;
            if state["callback"]["state"] == callback_state {
                return state;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the callback of {id} is not {callback_state}: {state}");
    }

    pub fn gateway_port(&self) -> &str {
        self.gateway
            .rsplit(':')
            .next()
            .expect("the gateway URL has a port")
    }

    /// A subscription to every result as it is published, opened before submitting.
    pub async fn subscribe(&self, subject: &str) -> async_nats::Subscriber {
        let subscriber = self.nats.subscribe(subject.to_owned()).await.unwrap();
        self.nats.flush().await.unwrap();
        subscriber
    }
}

impl Stack {
    /// The next message on `subscriber` whose subject ends with `id`, as JSON.
    pub async fn message_for(
        &self,
        subscriber: &mut async_nats::Subscriber,
        id: &str,
    ) -> (String, Value) {
        let deadline = tokio::time::Instant::now() + RESULT_TIMEOUT;
        loop {
            let message = self
                .next_message(subscriber, deadline)
                .await
                .unwrap_or_else(|| panic!("no NATS message for {id} within {RESULT_TIMEOUT:?}"));
            if message.subject.ends_with(id) {
                let body = serde_json::from_slice(&message.payload).expect("a JSON payload");
                return (message.subject.to_string(), body);
            }
        }
    }

    /// The results for every one of `ids`, as they arrive on `subscriber`, by id, with the
    /// moment each arrived.
    pub async fn results_for(
        &self,
        subscriber: &mut async_nats::Subscriber,
        ids: &[String],
        timeout: Duration,
    ) -> HashMap<String, (Value, Instant)> {
        let mut results = HashMap::new();
        let deadline = tokio::time::Instant::now() + timeout;
        while results.len() < ids.len() {
            let Some(message) = self.next_message(subscriber, deadline).await else {
                let missing: Vec<_> = ids.iter().filter(|id| !results.contains_key(*id)).collect();
                panic!("no result within {timeout:?} for {missing:?}");
            };
            let id = message
                .subject
                .rsplit('.')
                .next()
                .unwrap_or_default()
                .to_owned();
            if ids.contains(&id) {
                let body = serde_json::from_slice(&message.payload).expect("a JSON payload");
                results.insert(id, (body, Instant::now()));
            }
        }
        results
    }

    async fn next_message(
        &self,
        subscriber: &mut async_nats::Subscriber,
        deadline: tokio::time::Instant,
    ) -> Option<async_nats::Message> {
        tokio::select! {
            _ = self.failed.cancelled() => panic!("a service stopped (see its error above)"),
            message = tokio::time::timeout_at(deadline, subscriber.next()) => {
                message.ok().map(|m| m.expect("the subscription stays open"))
            }
        }
    }
}

/// A gateway's answer: the status and the JSON body (every answer is JSON).
async fn json_answer(response: reqwest::Result<reqwest::Response>) -> (u16, Value) {
    let response = response.expect("the gateway answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("a JSON answer, got {status}: {text}"));
    (status, json)
}

/// The request's `test_cases` from (input, expected output) pairs.
pub fn test_cases<'a>(cases: impl IntoIterator<Item = (&'a Value, &'a str)>) -> Vec<Value> {
    cases
        .into_iter()
        .map(|(input, expected)| serde_json::json!({"input": input, "expected_output": expected}))
        .collect()
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.shutdown.cancel();
        // The test's runtime ends with it, before the workers remove their warm sandboxes,
        // and no later stack's sweep takes another deployment's: removed here.
        deployment::remove_sandboxes(&self.deployment);
    }
}

/// The result document of `body`, once it has run.
pub async fn result_of(stack: &Stack, body: Value) -> Value {
    let id = stack.accept(&body).await;
    let (status, state) = stack.state(&id, Some(60)).await;
    assert_eq!(status, 200);
    assert_eq!(state["state"], "completed", "{state}");
    state["result"].clone()
}

/// Each test's status in a result document, in order.
pub fn statuses(result: &Value) -> Vec<&str> {
    result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|test| test["status"].as_str().unwrap())
        .collect()
}
