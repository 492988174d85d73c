//! `make bench`: measures a running engine through its front door (POST to callback, as a
//! user sees it) beside a naive `docker run --rm` of the same job in the same image, and
//! prints the figures as a markdown table, also written to `BENCH_OUTPUT`.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use callback_receiver::ReceiverConfig;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, Mutex};

/// The bench's settings, read from the environment.
#[derive(Clone, Debug, Deserialize)]
pub struct BenchConfig {
    /// `BENCH_GATEWAY`: the engine to measure.
    #[serde(default = "default_gateway")]
    pub bench_gateway: String,
    /// `BENCH_RUNS`: sequential submissions per latency figure (after two to warm up).
    #[serde(default = "default_runs")]
    pub bench_runs: usize,
    /// `BENCH_SECONDS`: how long the throughput figure is sustained.
    #[serde(default = "default_seconds")]
    pub bench_seconds: u64,
    /// `BENCH_CLIENTS`: clients submitting at once for the throughput figure.
    #[serde(default = "default_clients")]
    pub bench_clients: usize,
    /// `BENCH_OUTPUT`: where the table is written too.
    #[serde(default = "default_output")]
    pub bench_output: String,
    /// `BENCH_PID_DIR`: where `make up` keeps its PID files, to read idle memory.
    #[serde(default = "default_pid_dir")]
    pub bench_pid_dir: String,
}

fn default_gateway() -> String {
    "http://127.0.0.1:8000".into()
}
fn default_runs() -> usize {
    20
}
fn default_seconds() -> u64 {
    60
}
fn default_clients() -> usize {
    4
}
fn default_output() -> String {
    "bench/latest.md".into()
}
fn default_pid_dir() -> String {
    "data/pids".into()
}

const LANGUAGES: [&str; 5] = ["python", "js", "java", "cpp", "go"];

/// One row of the table.
struct Row {
    figure: String,
    target: &'static str,
    ours: String,
    naive: String,
    ratio: String,
}

impl Row {
    fn new(figure: impl Into<String>, target: &'static str, ours: String) -> Self {
        Self {
            figure: figure.into(),
            target,
            ours,
            naive: "—".into(),
            ratio: "—".into(),
        }
    }
}

/// Submits to the engine and waits for the callbacks, matched by execution id.
struct Engine {
    http: reqwest::Client,
    gateway: String,
    callback_url: String,
    routes: Arc<Mutex<Routes>>,
}

/// Callbacks awaited, and those that came before their POST was answered.
#[derive(Default)]
struct Routes {
    waiting: HashMap<String, tokio::sync::oneshot::Sender<Value>>,
    arrived: HashMap<String, Value>,
}

impl Engine {
    async fn start(gateway: &str) -> anyhow::Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let receiver = callback_receiver::start(&ReceiverConfig {
            receiver_addr: "127.0.0.1:0".into(),
            receiver_fail_first: 0,
            receiver_signing_secret: None,
        })
        .await?;
        let routes: Arc<Mutex<Routes>> = Arc::default();
        let mut callbacks = receiver.callbacks;
        let delivered = routes.clone();
        tokio::spawn(async move {
            while let Some(callback) = callbacks.recv().await {
                let id = callback.header("x-execution-id").unwrap_or("").to_owned();
                let mut routes = delivered.lock().await;
                match routes.waiting.remove(&id) {
                    Some(waiter) => drop(waiter.send(callback.body)),
                    None => drop(routes.arrived.insert(id, callback.body)),
                }
            }
        });
        Ok(Self {
            http: reqwest::Client::new(),
            gateway: gateway.trim_end_matches('/').to_owned(),
            callback_url: format!("http://127.0.0.1:{}/callback", receiver.port),
            routes,
        })
    }

    /// POSTs `request` and waits for its callback: the time between, and the document.
    async fn run(&self, request: &Value) -> anyhow::Result<(Duration, Value)> {
        let mut body = request.clone();
        body["callback_url"] = self.callback_url.clone().into();
        let started = Instant::now();
        let answer = self
            .http
            .post(format!("{}/execute", self.gateway))
            .json(&body)
            .send()
            .await
            .context("the gateway does not answer (is the engine up? `make up`)")?;
        if answer.status() != 202 {
            bail!(
                "the gateway answered {}: {}",
                answer.status(),
                answer.text().await?
            );
        }
        let id = answer.json::<Value>().await?["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let (sender, delivered) = tokio::sync::oneshot::channel();
        {
            let mut routes = self.routes.lock().await;
            match routes.arrived.remove(&id) {
                Some(document) => return Ok((started.elapsed(), document)),
                None => routes.waiting.insert(id, sender),
            };
        }
        let document = tokio::time::timeout(Duration::from_secs(120), delivered)
            .await
            .context("no callback within 120 s")??;
        Ok((started.elapsed(), document))
    }
}

/// This bench's own mark on its code: builds are kept between bench runs (in the engine's
/// object store), so "new code" must be new to the engine, not only to this run.
fn bench_mark() -> u128 {
    static MARK: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    *MARK.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos())
    })
}

/// The original specification's examples, and the same call in the other languages. Each
/// gets a fresh comment, so that nothing compiled before can be reused.
fn example(language: &str, run: usize) -> Value {
    let (code, function, tests) = match language {
        "python" => (
            "def add_numbers(a, b):\n    return a + b".to_owned(),
            "add_numbers",
            json!([{"input": [2, 3], "expected_output": "5"}, {"input": [10, -5], "expected_output": "5"}]),
        ),
        "js" => (
            "function findMedianSortedArrays(nums1, nums2) {\n  const all = nums1.concat(nums2).sort((a, b) => a - b);\n  const m = all.length >> 1;\n  return all.length % 2 ? all[m] : (all[m - 1] + all[m]) / 2;\n}".to_owned(),
            "findMedianSortedArrays",
            json!([{"input": [[1, 3], [2]], "expected_output": "2"}, {"input": [[1, 2], [3, 4]], "expected_output": "2.5"},
                   {"input": [[0, 0], [0, 0]], "expected_output": "0"}, {"input": [[1, 3], [2, 7]], "expected_output": "2.5"}]),
        ),
        "java" => (
            "class Solution {\n    public int addNumbers(int a, int b) {\n        return a + b;\n    }\n}".to_owned(),
            "addNumbers",
            json!([{"input": [5, 7], "expected_output": "12"}]),
        ),
        "cpp" => (
            "int addNumbers(int a, int b) {\n    return a + b;\n}".to_owned(),
            "addNumbers",
            json!([{"input": [5, 7], "expected_output": "12"}]),
        ),
        _ => (
            "func addNumbers(a int, b int) int {\n\treturn a + b\n}".to_owned(),
            "addNumbers",
            json!([{"input": [5, 7], "expected_output": "12"}]),
        ),
    };
    let comment = if language == "python" { "#" } else { "//" };
    json!({
        "language": language,
        "code": format!("{code}\n{comment} bench {} run {run}\n", bench_mark()),
        "function_name": function,
        "imports": [],
        "test_cases": tests,
    })
}

/// Python's example judged by a checker in `language` (the same checker every run, so a
/// compiled one is compiled once and its build kept).
fn checked(language: &str, run: usize) -> Value {
    let checker = match language {
        "python" => "def check(input, expected_output, actual_output):\n    return actual_output == int(expected_output)",
        _ => "import \"fmt\"\n\nfunc check(input any, expectedOutput string, actualOutput any) bool {\n\treturn fmt.Sprint(actualOutput) == expectedOutput\n}",
    };
    let mut request = example("python", run);
    request["checker"] = json!({"language": language, "code": checker});
    request
}

/// `n` trivial tests of Python's example.
fn many_tests(language: &str, n: usize) -> Value {
    let mut request = example(language, 0);
    let case = request["test_cases"][0].clone();
    request["test_cases"] = Value::Array(vec![case; n]);
    request
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// `runs` sequential submissions of `make(run)` after two to warm up: sorted times.
async fn sequential(
    engine: &Engine,
    runs: usize,
    make: impl Fn(usize) -> Value,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs + 2 {
        let (time, document) = engine.run(&make(run)).await?;
        if document["status"] != "accepted" {
            bail!("a bench submission was not accepted: {document}");
        }
        if run >= 2 {
            times.push(time);
        }
    }
    times.sort();
    Ok(times)
}

/// The same job run naively: `docker run --rm` of the sandbox image, the job on stdin,
/// with the worker's isolation flags. Sorted times.
async fn naive(language: &str, runs: usize) -> anyhow::Result<Vec<Duration>> {
    // As the worker sets them: compiled languages build into /tmp, and have more memory.
    let (tmp, memory) = match language {
        "cpp" | "go" => ("/tmp:rw,nosuid,nodev,exec,size=64m,mode=1777", "512m"),
        "java" => ("/tmp:rw,nosuid,nodev,size=64m,mode=1777", "512m"),
        _ => ("/tmp:rw,nosuid,nodev,size=64m,mode=1777", "256m"),
    };
    let request = example(language, 0);
    let inputs: Vec<Value> = request["test_cases"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|case| case["input"].clone())
        .collect();
    let job = json!({
        "code": request["code"], "function_name": request["function_name"], "imports": [],
        "inputs": inputs, "output_limit_bytes": 8192, "value_limit_bytes": 32768,
        "lifetime_ms": 20000,
    });
    let mut line = serde_json::to_vec(&job)?;
    line.push(b'\n');
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut child = tokio::process::Command::new("docker")
            .args([
                "run",
                "--rm",
                "-i",
                "--network",
                "none",
                "-u",
                "0:0",
                "--cap-drop",
                "ALL",
            ])
            .args([
                "--cap-add",
                "SETUID",
                "--cap-add",
                "SETGID",
                "--cap-add",
                "KILL",
            ])
            .args([
                "--security-opt",
                "no-new-privileges",
                "--read-only",
                "--ipc",
                "none",
            ])
            .args(["--tmpfs", tmp])
            .args([
                "--tmpfs",
                "/run/exec:rw,nosuid,nodev,noexec,size=1m,mode=0711,uid=65533,gid=65533",
            ])
            .args([
                "-m",
                memory,
                "--memory-swap",
                memory,
                "--pids-limit",
                "64",
                "--log-driver",
                "none",
            ])
            .arg(format!("exec-sandbox-{language}:latest"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("docker runs")?;
        child.stdin.take().expect("piped").write_all(&line).await?;
        let output = child.wait_with_output().await?;
        let text = String::from_utf8_lossy(&output.stdout);
        if !text.contains("\"event\":\"done\"") {
            bail!("the naive docker run did not finish its job: {text}");
        }
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

/// Trivial Python submissions from `clients` clients for `seconds`: per second, and whether
/// every callback came.
async fn throughput(
    engine: Arc<Engine>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<(f64, usize, usize)> {
    let until = Instant::now() + Duration::from_secs(seconds);
    let (done, mut finished) = mpsc::unbounded_channel();
    for client in 0..clients {
        let (engine, done) = (engine.clone(), done.clone());
        tokio::spawn(async move {
            let mut run = 0;
            while Instant::now() < until {
                let request = example("python", client * 1_000_000 + run);
                let _ = done.send(
                    engine
                        .run(&request)
                        .await
                        .map(|(_, doc)| doc["status"] == "accepted"),
                );
                run += 1;
            }
        });
    }
    drop(done);
    let started = Instant::now();
    let (mut sent, mut delivered) = (0, 0);
    while let Some(outcome) = finished.recv().await {
        sent += 1;
        if matches!(outcome, Ok(true)) {
            delivered += 1;
        }
    }
    Ok((
        delivered as f64 / started.elapsed().as_secs_f64(),
        sent,
        delivered,
    ))
}

/// The five languages' examples, `total` submissions spread over them round-robin, sent by
/// `clients` clients at once: each language's times (sorted), and how many were delivered.
async fn mixed(
    engine: Arc<Engine>,
    total: usize,
    clients: usize,
) -> anyhow::Result<(Vec<(&'static str, Vec<Duration>)>, usize)> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (done, mut finished) = mpsc::unbounded_channel();
    for _ in 0..clients {
        let (engine, next, done) = (engine.clone(), next.clone(), done.clone());
        tokio::spawn(async move {
            loop {
                let run = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if run >= total {
                    return;
                }
                let language = LANGUAGES[run % LANGUAGES.len()];
                let outcome = engine.run(&example(language, 2_000_000 + run)).await;
                let _ = done.send((language, outcome));
            }
        });
    }
    drop(done);
    let mut times: Vec<(&'static str, Vec<Duration>)> =
        LANGUAGES.iter().map(|&l| (l, Vec::new())).collect();
    let mut delivered = 0;
    while let Some((language, outcome)) = finished.recv().await {
        if let Ok((time, document)) = outcome {
            if document["status"] == "accepted" {
                delivered += 1;
                if let Some((_, list)) = times.iter_mut().find(|(l, _)| *l == language) {
                    list.push(time);
                }
            }
        }
    }
    for (_, list) in &mut times {
        list.sort();
    }
    Ok((times, delivered))
}

/// POST → 202 through a gateway of its own (in this process, on a nats-server of its own,
/// with no workers, so that nothing it accepts runs), from `connections` clients, each on
/// one kept-alive connection, for `duration`: POSTs per second, and the p99 of their times.
async fn accept_path(connections: usize, duration: Duration) -> anyhow::Result<(f64, Duration)> {
    let nats = local_nats::NatsServer::start();
    let shutdown = exec_engine::shutdown::CancellationToken::new();
    // No workers drain its queue: its bound is set past what 5 s can submit, so that what
    // is measured is accepting, not refusing.
    let app = gateway::Application::build(gateway::GatewayConfig {
        queue_min: 1_000_000,
        queue_max: 1_000_000,
        ..gateway::GatewayConfig::local("127.0.0.1:0", &nats.url)
    })
    .await?;
    let url = format!("http://127.0.0.1:{}/execute", app.port());
    let serving = tokio::spawn(app.run_until_stopped(shutdown.clone()));
    let body = serde_json::to_vec(&example("python", 0))?;
    let until = Instant::now() + duration;
    let mut clients = Vec::new();
    for _ in 0..connections {
        let (url, body) = (url.clone(), body.clone());
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()?;
            let mut times = Vec::new();
            while Instant::now() < until {
                let started = Instant::now();
                let answer = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await?;
                if answer.status() != 202 {
                    bail!("the gateway answered {}", answer.status());
                }
                times.push(started.elapsed());
            }
            anyhow::Ok(times)
        }));
    }
    let started = Instant::now();
    let mut times = Vec::new();
    for client in clients {
        times.extend(client.await??);
    }
    let per_second = times.len() as f64 / started.elapsed().as_secs_f64();
    shutdown.cancel();
    serving.await??;
    times.sort();
    Ok((per_second, percentile(&times, 0.99)))
}

/// Resident memory of a process `make up` started, from its PID file.
fn resident_mb(pid_dir: &str, name: &str) -> Option<f64> {
    let pid = std::fs::read_to_string(format!("{pid_dir}/{name}.pid")).ok()?;
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid.trim())).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

pub async fn run(config: BenchConfig) -> anyhow::Result<()> {
    let engine = Arc::new(Engine::start(&config.bench_gateway).await?);
    let runs = config.bench_runs.max(1);
    let mut rows = Vec::new();
    // Idle memory first, before the load below.
    for service in ["gateway", "worker-python", "notifier"] {
        let figure = format!("idle resident memory, {service}");
        let ours = resident_mb(&config.bench_pid_dir, service).map_or_else(
            || "— (not started by `make up`)".into(),
            |mb| format!("{mb:.1} MB"),
        );
        rows.push(Row::new(figure, "≤ 20 MB", ours));
    }
    eprintln!("bench: Python, sequential");
    let python = sequential(&engine, runs, |run| example("python", run)).await?;
    let naive_python = naive("python", runs).await?;
    let ratio =
        percentile(&python, 0.5).as_secs_f64() / percentile(&naive_python, 0.5).as_secs_f64();
    rows.push(Row {
        naive: format!(
            "{} / {}",
            ms(percentile(&naive_python, 0.5)),
            ms(percentile(&naive_python, 0.99))
        ),
        ratio: format!("{ratio:.2} (target ≤ 0.15)"),
        ..Row::new(
            "spec's Python example, POST to callback, p50 / p99",
            "≤ 40 ms / ≤ 120 ms",
            format!(
                "{} / {}",
                ms(percentile(&python, 0.5)),
                ms(percentile(&python, 0.99))
            ),
        )
    });
    for (language, target) in [("python", "≤ +50 ms"), ("go", "≤ +400 ms")] {
        eprintln!("bench: Python, judged by a {language} checker");
        let figure = format!(
            "spec's Python example judged by a {language} checker, p50 over none (a {language} sandbox of its own)"
        );
        let ours = match sequential(&engine, runs, |run| checked(language, run)).await {
            Ok(times) => {
                let extra =
                    percentile(&times, 0.5).as_secs_f64() - percentile(&python, 0.5).as_secs_f64();
                format!(
                    "{:+.0} ms (p50 {})",
                    extra * 1000.0,
                    ms(percentile(&times, 0.5))
                )
            }
            Err(err) => format!("— ({err})"),
        };
        rows.push(Row::new(figure, target, ours));
    }
    for (language, target) in [
        ("js", "≤ 40 ms"),
        ("go", "≤ 200 ms"),
        ("java", "≤ 350 ms"),
        ("cpp", "≤ 450 ms"),
    ] {
        eprintln!("bench: {language}, sequential");
        let figure = format!("spec-style {language} example, new code each time, p50");
        match sequential(&engine, runs, |run| example(language, run)).await {
            Ok(times) => {
                let naive = naive(language, runs.min(5)).await?;
                let ratio =
                    percentile(&times, 0.5).as_secs_f64() / percentile(&naive, 0.5).as_secs_f64();
                rows.push(Row {
                    naive: ms(percentile(&naive, 0.5)),
                    ratio: format!("{ratio:.2}"),
                    ..Row::new(figure, target, ms(percentile(&times, 0.5)))
                });
            }
            Err(err) => rows.push(Row::new(figure, target, format!("— ({err})"))),
        }
    }
    for language in ["python", "js", "java", "cpp", "go"] {
        eprintln!("bench: {language}, 100 tests against 2");
        let figure = format!("100 trivial tests minus 2, {language}, p50");
        let two = sequential(&engine, 5, |_| many_tests(language, 2)).await;
        let hundred = sequential(&engine, 5, |_| many_tests(language, 100)).await;
        let ours = match (two, hundred) {
            (Ok(two), Ok(hundred)) => {
                let extra =
                    percentile(&hundred, 0.5).as_secs_f64() - percentile(&two, 0.5).as_secs_f64();
                format!("{:+.0} ms", extra * 1000.0)
            }
            (Err(err), _) | (_, Err(err)) => format!("— ({err})"),
        };
        rows.push(Row::new(figure, "≤ +100 ms", ours));
    }
    eprintln!(
        "bench: Python throughput, {} clients for {} s",
        config.bench_clients, config.bench_seconds
    );
    let (per_second, sent, delivered) =
        throughput(engine.clone(), config.bench_clients, config.bench_seconds).await?;
    let naive_rate = 1.0 / percentile(&naive_python, 0.5).as_secs_f64();
    rows.push(Row {
        naive: format!("{naive_rate:.1}/s (one at a time)"),
        ratio: format!("{:.1}×", per_second / naive_rate),
        ..Row::new(
            format!(
                "trivial Python submissions per second, {} clients, {} s ({delivered} of {sent} delivered)",
                config.bench_clients, config.bench_seconds
            ),
            "≥ 30",
            format!("{per_second:.1}/s"),
        )
    });
    eprintln!("bench: mixed load, 200 submissions, 16 clients");
    let (times, delivered) = mixed(engine.clone(), 200, 16).await?;
    let per_language: Vec<String> = times
        .iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(language, list)| {
            let (p50, p99) = (percentile(list, 0.5), percentile(list, 0.99));
            format!("{language} {} / {}", ms(p50), ms(p99))
        })
        .collect();
    rows.push(Row::new(
        format!(
            "mixed load: 200 submissions over the five languages, 16 clients \
             ({delivered} of 200 delivered), p50 / p99"
        ),
        "all delivered",
        per_language.join(", "),
    ));
    eprintln!("bench: code compiled before");
    let mut compiled_before = Vec::new();
    for language in LANGUAGES {
        // The same code every time: after the first run, any worker finds its build.
        let p50 = match sequential(&engine, runs, |_| example(language, 0)).await {
            Ok(times) => ms(percentile(&times, 0.5)),
            Err(err) => format!("— ({err})"),
        };
        compiled_before.push(format!("{language} {p50}"));
    }
    rows.push(Row::new(
        "any language, code compiled before (the same code again), p50",
        "≤ 50 ms",
        compiled_before.join(", "),
    ));
    eprintln!("bench: the gateway's accept path, 16 connections");
    let (per_second, p99) = accept_path(16, Duration::from_secs(5)).await?;
    rows.push(Row::new(
        "gateway accept path, 16 connections, 5 s (a gateway and nats-server of its own, no workers)",
        "≥ 5,000 POST/s, p99 ≤ 20 ms",
        format!("{per_second:.0} POST/s, p99 {}", ms(p99)),
    ));

    let mut table = String::from("| figure | target | engine | naive docker run | ratio |\n| --- | --- | --- | --- | --- |\n");
    for row in &rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            row.figure, row.target, row.ours, row.naive, row.ratio
        ));
    }
    let machine = format!(
        "{} cores, {:.0} GiB, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        total_memory_gib(),
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
    );
    let report = format!(
        "Measured with `make bench` ({runs} sequential runs a figure) on {machine}.\n\n{table}"
    );
    print!("{report}");
    if let Some(dir) = std::path::Path::new(&config.bench_output).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&config.bench_output, &report)?;
    eprintln!("bench: written to {}", config.bench_output);
    Ok(())
}

fn total_memory_gib() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0)
}
