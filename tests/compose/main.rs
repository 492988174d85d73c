//! docker-compose.yml as an operator runs it: `docker-compose up` with the services' image
//! (`EXEC_SERVICES_IMAGE`; `make test` builds one from its debug build), the specification's
//! example in every language through the gateway, each result read back and called back by
//! the notifier, a language's workers scaled to two, and `docker-compose down --volumes`.
//! The project has its own name (`COMPOSE_TEST_PROJECT`, else a fresh one), free ports, and
//! its name as the workers' `DEPLOYMENT`, so it runs beside `make up`.
//! Needs Debian's `docker-compose`, the sandbox images and the services' image; run by
//! `make test` (`cargo test --features e2e --test compose`). `E2E_LANGUAGES` limits the
//! languages, as in the end-to-end suite; all five by default.

#[path = "../common/deployment.rs"]
mod deployment;
#[path = "../common/repo.rs"]
mod repo;
use repo::repo_path;
#[path = "../common/spec_examples.rs"]
mod spec_examples;

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::time::{Duration, Instant};

use callback_receiver::{Callback, ReceiverConfig};
use exec_engine::Language;
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;

/// How long the services may take to come up and announce themselves (a worker first reads
/// its runtime's version in a throwaway sandbox, and starts its warm ones).
const STARTUP: Duration = Duration::from_secs(180);
/// How long the submissions of one round may take to complete and be called back.
const RESULTS: Duration = Duration::from_secs(300);
/// `GET /executions/<id>?wait=` in seconds; the client waits a little longer.
const WAIT_SECS: u64 = 30;

/// One Compose project of docker-compose.yml; down, with its volume and its workers'
/// sandboxes, when dropped, however the test ends.
struct Project {
    name: String,
    env: Vec<(&'static str, String)>,
}

impl Project {
    fn compose(&self) -> Command {
        let mut command = Command::new("docker-compose");
        command
            .arg("--project-name")
            .arg(&self.name)
            .arg("--file")
            .arg(repo_path("docker-compose.yml"))
            .envs(self.env.iter().map(|(name, value)| (name, value)));
        command
    }

    /// `docker-compose <args>`'s output; fails the test when it fails.
    async fn run<S: AsRef<str>>(&self, args: &[S]) -> String {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        let output = tokio::process::Command::from(self.compose())
            .args(&args)
            .output()
            .await
            .expect("docker-compose runs");
        assert!(
            output.status.success(),
            "docker-compose {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The ids of `service`'s containers.
    async fn containers(&self, service: &str) -> Vec<String> {
        let ids = self.run(&["ps", "--quiet", service]).await;
        ids.split_whitespace().map(str::to_owned).collect()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Ok(logs) = self
                .compose()
                .args(["logs", "--no-color", "--tail", "40"])
                .output()
            {
                eprintln!("{}", String::from_utf8_lossy(&logs.stdout));
            }
        }
        let _ = self.compose().args(["down", "--volumes"]).output();
        // Warm sandboxes a worker had no time to remove are the host's, not the project's.
        deployment::remove_sandboxes(&self.name);
    }
}

/// Two free ports on loopback, both held until both are known so that they differ.
fn free_ports() -> (u16, u16) {
    let bind = || std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let (first, second) = (bind(), bind());
    let port = |listener: &std::net::TcpListener| listener.local_addr().unwrap().port();
    (port(&first), port(&second))
}

fn languages_under_test() -> Vec<Language> {
    let list = std::env::var("E2E_LANGUAGES").unwrap_or_else(|_| "python,js,java,cpp,go".into());
    exec_engine::language::parse_list(&list).expect("E2E_LANGUAGES names languages")
}

async fn docker(args: &[&str]) -> String {
    let output = tokio::process::Command::new("docker")
        .args(args)
        .output()
        .await
        .expect("docker runs");
    assert!(
        output.status.success(),
        "docker {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn get(&self, path: &str) -> Option<(u16, Value)> {
        let response = self.http.get(format!("{}{path}", self.base)).send().await;
        let response = response.ok()?;
        let status = response.status().as_u16();
        Some((status, response.json().await.ok()?))
    }

    /// Waits until the gateway is connected to NATS.
    async fn wait_ready(&self) {
        let deadline = Instant::now() + STARTUP;
        while self.get("/readyz").await.map(|(status, _)| status) != Some(200) {
            assert!(Instant::now() < deadline, "the gateway was never ready");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Waits until `GET /languages` counts `count` workers of `language`.
    async fn wait_workers(&self, language: Language, count: u64) {
        let deadline = Instant::now() + STARTUP;
        loop {
            let workers = match self.get("/languages").await {
                Some((200, body)) => body["languages"]
                    .as_array()
                    .expect("languages")
                    .iter()
                    .find(|entry| entry["language"] == language.as_str())
                    .and_then(|entry| entry["workers"].as_u64()),
                _ => None,
            };
            if workers == Some(count) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{language}: {workers:?} workers announced, not {count}"
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Submits `language`'s example with a callback to `callback_url`; returns its id.
    async fn submit(&self, language: Language, callback_url: &str) -> String {
        let mut request = spec_examples::example(language).request;
        request["callback_url"] = json!(callback_url);
        let response = self
            .http
            .post(format!("{}/execute", self.base))
            .json(&request)
            .send()
            .await
            .expect("POST /execute");
        let status = response.status().as_u16();
        let answer: Value = response.json().await.expect("a JSON answer");
        assert_eq!(status, 202, "{language}: {answer}");
        answer["id"].as_str().expect("an id").to_owned()
    }

    /// The result document of `id`, once completed.
    async fn result(&self, id: &str) -> Value {
        let deadline = Instant::now() + RESULTS;
        loop {
            if let Some((200, state)) = self
                .get(&format!("/executions/{id}?wait={WAIT_SECS}"))
                .await
            {
                if state["state"] == "completed" {
                    return state["result"].clone();
                }
            }
            assert!(Instant::now() < deadline, "{id} did not complete");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Submits each language's example and checks its result, as read back and as called back.
async fn run_examples(
    api: &Api,
    languages: &[Language],
    callback_url: &str,
    callbacks: &mut UnboundedReceiver<Callback>,
) {
    let mut submitted = HashMap::new();
    for &language in languages {
        submitted.insert(api.submit(language, callback_url).await, language);
    }
    for (id, &language) in &submitted {
        let result = api.result(id).await;
        assert_eq!(result["language"], language.as_str(), "{result}");
        spec_examples::example(language).assert_documented(&result);
    }
    let mut called_back = HashSet::new();
    while called_back.len() < submitted.len() {
        let callback = tokio::time::timeout(RESULTS, callbacks.recv())
            .await
            .expect("every result called back")
            .expect("the receiver runs");
        let id = callback.header("x-execution-id").expect("X-Execution-Id");
        // Delivery is at least once: an earlier round's callback may come again.
        if let Some(&language) = submitted.get(id) {
            assert_eq!(callback.body["id"], id);
            spec_examples::example(language).assert_documented(&callback.body);
            called_back.insert(id.to_owned());
        }
    }
}

#[tokio::test]
async fn compose_runs_the_engine_and_scales_a_worker() {
    // reqwest is built without a default TLS provider, as the notifier is.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let languages = languages_under_test();
    let (nats_port, gateway_port) = free_ports();
    // Callbacks reach this receiver on the host's loopback: the services share its network.
    let mut receiver = callback_receiver::start(&ReceiverConfig {
        receiver_addr: "127.0.0.1:0".into(),
        receiver_fail_first: 0,
        receiver_signing_secret: None,
    })
    .await
    .expect("the callback receiver starts");
    let callback_url = format!("http://127.0.0.1:{}/callback", receiver.port);

    let name = std::env::var("COMPOSE_TEST_PROJECT").unwrap_or_else(|_| {
        format!(
            "exec-compose-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        )
    });
    let project = Project {
        env: vec![
            ("EXEC_NATS_PORT", nats_port.to_string()),
            ("EXEC_GATEWAY_PORT", gateway_port.to_string()),
            ("EXEC_DEPLOYMENT", name.clone()),
            ("EXEC_CALLBACK_ALLOW_NETS", "127.0.0.1".to_owned()),
        ],
        name,
    };
    let mut services = vec![
        "nats".to_owned(),
        "gateway".to_owned(),
        "notifier".to_owned(),
    ];
    services.extend(
        languages
            .iter()
            .map(|language| format!("worker-{language}")),
    );
    let up = |options: &[&str]| {
        let mut args = vec!["up".to_owned(), "--detach".to_owned()];
        args.extend(options.iter().map(|&option| option.to_owned()));
        args.extend(services.iter().cloned());
        args
    };
    project.run(&up(&[])).await;

    let api = Api {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(WAIT_SECS + 15))
            // Given up before the gateway closes idle connections (30 s).
            .pool_idle_timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client"),
        base: format!("http://127.0.0.1:{gateway_port}"),
    };
    api.wait_ready().await;
    for &language in &languages {
        api.wait_workers(language, 1).await;
    }
    run_examples(&api, &languages, &callback_url, &mut receiver.callbacks).await;

    // A second worker of the first language: Compose starts another container of the same
    // service, which registers beside the first. The first is then stopped, so the examples
    // that follow can only have run on the new one.
    let scaled = languages[0];
    let service = format!("worker-{scaled}");
    let first = project.containers(&service).await;
    assert_eq!(first.len(), 1, "{first:?}");
    project
        .run(&up(&["--scale", &format!("{service}=2")]))
        .await;
    let both = project.containers(&service).await;
    assert_eq!(both.len(), 2, "{both:?}");
    for id in &both {
        assert_eq!(
            docker(&["inspect", "-f", "{{.State.Running}}", id]).await,
            "true"
        );
    }
    api.wait_workers(scaled, 2).await;
    docker(&["stop", &first[0]]).await;
    api.wait_workers(scaled, 1).await;
    run_examples(&api, &[scaled; 3], &callback_url, &mut receiver.callbacks).await;
}
