//! An engine of real processes (the built `gateway`, `worker` and `notifier` binaries) on
//! its own nats-server, so that a test can kill, pause and restart any part of it, and a
//! ledger of what went in and what came out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callback_receiver::{ReceiverConfig, ReceiverControl};
use serde_json::{json, Value};

use crate::deployment;

/// How long a test waits for every callback before it fails.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Where cargo put the service binaries (`make test` builds them before this suite).
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build the services first (`cargo build --bins`; `make test` does)",
        path.display()
    );
    path
}

/// A free port on loopback, for a service that must be found again after a restart.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// One service process: started, signalled, killed and restarted by the test.
pub struct Service {
    program: PathBuf,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

impl Service {
    fn new(program: &str, env: Vec<(String, String)>, log: PathBuf) -> Self {
        let mut service = Self {
            program: binary(program),
            env,
            log,
            child: None,
        };
        service.start();
        service
    }

    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("a log file");
        let child = Command::new(&self.program)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file"))
            .stderr(log)
            .spawn()
            .expect("the service starts");
        self.child = Some(child);
    }

    /// Starts it again with `changes` to its environment.
    pub fn restart_with(&mut self, changes: &[(&str, &str)]) {
        self.kill();
        for (key, value) in changes {
            self.env.retain(|(k, _)| k != key);
            self.env.push((key.to_string(), value.to_string()));
        }
        self.start();
    }

    pub fn signal(&self, signal: libc::c_int) {
        if let Some(child) = &self.child {
            // SAFETY: a signal to our own child, by its pid.
            unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        }
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits for the process to exit by itself (after SIGTERM, say).
    pub async fn exited_within(&mut self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            if let Some(child) = &mut self.child {
                if let Ok(Some(_)) = child.try_wait() {
                    self.child = None;
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until its log says `line` (a service's "ready", say) `count` times.
    pub async fn logged(&self, line: &str, count: usize) {
        for _ in 0..600 {
            if self.log_text().matches(line).count() >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{} never logged {line:?}:\n{}",
            self.program.display(),
            self.log_text()
        );
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Every callback received, by execution id: kept across receivers on the same port.
#[derive(Clone, Default)]
pub struct Callbacks(Arc<Mutex<HashMap<String, Vec<Value>>>>);

impl Callbacks {
    pub fn for_id(&self, id: &str) -> Vec<Value> {
        self.0.lock().unwrap().get(id).cloned().unwrap_or_default()
    }

    fn missing(&self, ids: &[String]) -> Vec<String> {
        let received = self.0.lock().unwrap();
        ids.iter()
            .filter(|id| !received.contains_key(*id))
            .cloned()
            .collect()
    }
}

/// What a test may change about its engine.
pub struct Options {
    pub workers: usize,
    /// Extra settings for every service.
    pub env: Vec<(&'static str, String)>,
    pub nats_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            workers: 1,
            env: Vec::new(),
            nats_url: None,
        }
    }
}

pub struct Engine {
    pub nats: Option<local_nats::NatsServer>,
    /// Kept so that the process lives as long as the engine.
    _gateway: Service,
    pub gateway_url: String,
    pub workers: Vec<Service>,
    pub notifier: Service,
    pub receiver: ReceiverControl,
    pub receiver_port: u16,
    pub callbacks: Callbacks,
    pub http: reqwest::Client,
    pub js: async_nats::jetstream::Context,
    deployment: String,
    _logs: tempfile::TempDir,
}

impl Engine {
    pub async fn start(options: Options) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (nats, url) = match options.nats_url {
            Some(url) => (None, url),
            None => {
                let server = local_nats::NatsServer::start();
                let url = server.url.clone();
                (Some(server), url)
            }
        };
        let logs = tempfile::tempdir().expect("a temp dir");
        let deployment = format!("faults-{}", uuid::Uuid::new_v4());
        let gateway_port = free_port();
        let mut env: Vec<(String, String)> = vec![
            ("NATS_URL".into(), url.clone()),
            ("RUST_LOG".into(), "info".into()),
            ("DEPLOYMENT".into(), deployment.clone()),
            ("GATEWAY_ADDR".into(), format!("127.0.0.1:{gateway_port}")),
            ("LANGUAGES".into(), "python".into()),
            ("WORKER_LANGUAGE".into(), "python".into()),
            ("WORKER_CONCURRENCY".into(), "3".into()),
            ("POOL_SIZE".into(), "2".into()),
            ("SANDBOX_MODE".into(), "reuse".into()),
            ("CALLBACK_ALLOW_NETS".into(), "127.0.0.1".into()),
            ("CALLBACK_RETRY_BASE_MS".into(), "200".into()),
            ("CALLBACK_RETRY_MAX_MS".into(), "2000".into()),
        ];
        for (key, value) in options.env {
            env.retain(|(k, _)| k != key);
            env.push((key.to_owned(), value));
        }
        let log = |name: &str| logs.path().join(format!("{name}.log"));
        let gateway = Service::new("gateway", env.clone(), log("gateway"));
        let workers: Vec<Service> = (0..options.workers)
            .map(|i| Service::new("worker", env.clone(), log(&format!("worker-{i}"))))
            .collect();
        let notifier = Service::new("notifier", env.clone(), log("notifier"));
        for worker in &workers {
            worker.logged("worker ready", 1).await;
        }
        notifier.logged("notifier ready", 1).await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            // Idle connections are given up before the gateway closes them (after
            // HTTP_IDLE_TIMEOUT_SECS), so none is reused just as it is closed.
            .pool_idle_timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client");
        let gateway_url = format!("http://127.0.0.1:{gateway_port}");
        for _ in 0..300 {
            let ready = http.get(format!("{gateway_url}/readyz")).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let receiver_port = free_port();
        let callbacks = Callbacks::default();
        let receiver = listen(receiver_port, &callbacks).await;
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connect(url.split(',').collect::<Vec<_>>())
            .await
            .expect("a NATS client");
        Self {
            nats,
            _gateway: gateway,
            gateway_url,
            workers,
            notifier,
            receiver,
            receiver_port,
            callbacks,
            http,
            js: async_nats::jetstream::new(client),
            deployment,
            _logs: logs,
        }
    }

    pub fn callback_url(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.receiver_port)
    }

    /// A receiver on the engine's callback port again, after [`ReceiverControl::stop`].
    pub async fn restart_receiver(&mut self) {
        self.receiver = listen(self.receiver_port, &self.callbacks).await;
    }

    /// POSTs a submission whose tests take `sleep_ms` each: its id if accepted (202), and
    /// the id a 503 names otherwise.
    pub async fn submit(&self, sleep_ms: u64) -> Submitted {
        let body = json!({
            "language": "python",
            "code": format!("import time\ndef f(x):\n    time.sleep({sleep_ms} / 1000)\n    return x + 1"),
            "function_name": "f",
            "test_cases": [
                {"input": [1], "expected_output": "2"},
                {"input": [2], "expected_output": "3"}
            ],
            "callback_url": self.callback_url()
        });
        let response = self
            .http
            .post(format!("{}/execute", self.gateway_url))
            .json(&body)
            .send()
            .await;
        let Ok(response) = response else {
            return Submitted::NoAnswer;
        };
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or_default();
        let id = answer["id"].as_str().unwrap_or_default().to_owned();
        match status {
            202 => Submitted::Accepted(id),
            503 => Submitted::Unconfirmed(id),
            other => panic!("POST /execute answered {other}: {answer}"),
        }
    }

    /// Submits `n` and expects each to be accepted.
    pub async fn submit_all(&self, n: usize, sleep_ms: u64) -> Vec<String> {
        let mut ids = Vec::new();
        for _ in 0..n {
            match self.submit(sleep_ms).await {
                Submitted::Accepted(id) => ids.push(id),
                other => panic!("not accepted: {other:?}"),
            }
        }
        ids
    }

    /// Waits until every one of `ids` has had a callback; panics with those that have not.
    pub async fn every_callback(&self, ids: &[String], limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let missing = self.callbacks.missing(ids);
            if missing.is_empty() {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                let (_, state) = self.state(&missing[0]).await;
                // Every line about it, from every service.
                let about: Vec<String> = [&self._gateway, &self.notifier]
                    .into_iter()
                    .chain(&self.workers)
                    .flat_map(|service| {
                        service
                            .log_text()
                            .lines()
                            .filter(|line| line.contains(&missing[0]))
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                    .collect();

                panic!(
                    "no callback within {limit:?} for {} of {}: {missing:?}\n\
                     --- the first one's state: {state}\n--- notifier:\n{}\n--- its lines:\n{}",
                    missing.len(),
                    ids.len(),
                    tail(&self.notifier.log_text()),
                    about.join("\n"),
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The results stored for each execution, by id.
    pub async fn stored_results(&self) -> HashMap<String, usize> {
        let stream = self
            .js
            .get_stream(exec_engine::subjects::RESULTS_STREAM)
            .await
            .expect("the results stream");
        let mut counts = HashMap::new();
        let mut info = stream
            .info_with_subjects("exec.stored.result.*")
            .await
            .unwrap();
        while let Some(Ok((subject, count))) = futures::StreamExt::next(&mut info).await {
            let id = subject.rsplit('.').next().unwrap_or_default().to_owned();
            counts.insert(id, count);
        }
        counts
    }

    /// What every fault test ends with: each accepted id has exactly one stored result, and
    /// every callback it got carries that result.
    pub async fn assert_nothing_lost_nothing_twice(&self, accepted: &[String]) {
        self.every_callback(accepted, SETTLE_TIMEOUT).await;
        let stored = self.stored_results().await;
        let stream = self
            .js
            .get_stream(exec_engine::subjects::RESULTS_STREAM)
            .await
            .unwrap();
        for id in accepted {
            assert_eq!(stored.get(id), Some(&1), "results stored for {id}");
            let result = stream
                .get_last_raw_message_by_subject(&format!("exec.stored.result.{id}"))
                .await
                .unwrap();
            let result: Value = serde_json::from_slice(&result.payload).unwrap();
            assert_eq!(result["all_passed"], true, "{result}");
            for callback in self.callbacks.for_id(id) {
                assert_eq!(callback, result, "a callback carries the one stored result");
            }
        }
    }

    /// Everything known about `id` (`GET /executions/{id}`): the status and the JSON.
    pub async fn state(&self, id: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("{}/executions/{id}", self.gateway_url))
            .send()
            .await
            .expect("the gateway answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        for worker in &mut self.workers {
            worker.kill();
        }
        deployment::remove_sandboxes(&self.deployment);
    }
}

#[derive(Debug)]
pub enum Submitted {
    Accepted(String),
    /// A 503 naming the id it tried.
    Unconfirmed(String),
    NoAnswer,
}

async fn listen(port: u16, callbacks: &Callbacks) -> ReceiverControl {
    let mut receiver = None;
    // The port was ours a moment ago; a stopped receiver's may take a moment to close.
    for _ in 0..50 {
        match callback_receiver::start(&ReceiverConfig {
            receiver_addr: format!("127.0.0.1:{port}"),
            receiver_fail_first: 0,
            receiver_signing_secret: None,
        })
        .await
        {
            Ok(started) => {
                receiver = Some(started);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let receiver = receiver.expect("the receiver listens");
    let (mut incoming, control) = (receiver.callbacks, receiver.control);
    let kept = callbacks.0.clone();
    tokio::spawn(async move {
        while let Some(callback) = incoming.recv().await {
            let id = callback.header("X-Execution-Id").unwrap_or("").to_owned();
            kept.lock()
                .unwrap()
                .entry(id)
                .or_default()
                .push(callback.body);
        }
    });
    control
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
