//! The gateway's HTTP contract: bad input gets a JSON error with a fitting status, never a
//! 500, and the gateway keeps serving.

use serde_json::{json, Value};

use exec_engine::Language;

use crate::stack::{Stack, StackOptions};

fn valid() -> Value {
    json!({
        "language": "python",
        "code": "def add_numbers(a, b):\n    return a + b",
        "function_name": "add_numbers",
        "imports": [],
        "test_cases": [{"input": [2, 3], "expected_output": "5"}],
        "callback_url": "http://localhost:5001/callback"
    })
}

fn with(key: &str, value: Value) -> Value {
    let mut body = valid();
    body[key] = value;
    body
}

fn without(key: &str) -> Value {
    let mut body = valid();
    body.as_object_mut().unwrap().remove(key);
    body
}

#[tokio::test]
async fn invalid_fields_are_named_in_a_422() {
    let stack = Stack::start().await;
    let cases = [
        (with("language", json!("ruby")), "language"),
        (with("language", json!("js")), "language"),
        (without("language"), "language"),
        (without("code"), "code"),
        (with("code", json!("")), "code"),
        // Without a function name the code is a program, whose inputs are strings.
        (without("function_name"), "test_cases[0].input"),
        (with("function_name", json!("os.system")), "function_name"),
        (with("function_name", json!("")), "function_name"),
        (without("test_cases"), "test_cases"),
        (with("test_cases", json!([])), "test_cases"),
        (
            with("test_cases", json!([{"input": [1]}])),
            "test_cases[0].expected_output",
        ),
        (
            with("callback_url", json!("ftp://example.com/x")),
            "callback_url",
        ),
        (with("callback_url", json!("not a url")), "callback_url"),
        (with("imports", json!([1])), "imports[0]"),
        (with("code", json!("x".repeat(64 * 1024 + 1))), "code"),
    ];
    for (body, field) in cases {
        let (status, answer) = stack.submit(&body).await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert_eq!(answer["error"], "invalid_field", "{answer}");
        assert_eq!(answer["field"], field, "{answer}");
        assert!(answer["message"].as_str().unwrap().len() > 10, "{answer}");
    }
    let (status, _) = stack.submit(&valid()).await;
    assert_eq!(status, 202, "the gateway still serves");
}

#[tokio::test]
async fn malformed_bodies_and_wrong_requests_get_json_errors() {
    let stack = Stack::start().await;
    for body in ["{not json", "", "[1, 2]", "\"text\""] {
        let (status, answer) = stack.post_raw(body.into(), "application/json").await;
        assert_eq!(status, 400, "{body:?}: {answer}");
        assert_eq!(answer["error"], "malformed_request");
    }
    let (status, answer) = stack.post_raw(valid().to_string(), "text/plain").await;
    assert_eq!(status, 415, "{answer}");
    assert_eq!(answer["error"], "unsupported_media_type");

    let huge = "x".repeat(2 * 1024 * 1024);
    let (status, answer) = stack
        .post_raw(with("code", json!(huge)).to_string(), "application/json")
        .await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"], "payload_too_large");

    let response = stack
        .http
        .get(format!("{}/no/such/path", stack.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"], "not_found");

    let response = stack
        .http
        .get(format!("{}/execute", stack.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"], "method_not_allowed");

    // Pages of other origins may call the API (EventSource too), and see its errors.
    let preflight = stack
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/execute", stack.gateway),
        )
        .header("origin", "https://judge.example")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 200);
    assert!(preflight
        .headers()
        .contains_key("access-control-allow-origin"));
    let refused = stack
        .http
        .get(format!("{}/executions/not-a-uuid/events", stack.gateway))
        .header("origin", "https://judge.example")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    assert!(refused
        .headers()
        .contains_key("access-control-allow-origin"));

    let (status, _) = stack.submit(&valid()).await;
    assert_eq!(status, 202, "the gateway still serves");
}

#[tokio::test]
async fn the_gateway_serves_health_and_the_openapi_document_of_its_deployment() {
    let stack = Stack::start().await;
    let get = |path: &str| stack.http.get(format!("{}{path}", stack.gateway)).send();

    let health: Value = get("/healthz").await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready = get("/readyz").await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);

    // The document tells this deployment's limits (the checked-in one, the defaults').
    let served = get("/openapi.json").await.unwrap().text().await.unwrap();
    let spec: Value = serde_json::from_str(&served).unwrap();
    assert!(spec["paths"]["/execute"]["post"].is_object());
    assert!(spec["webhooks"]["result"]["post"].is_object());
    let function = &spec["components"]["schemas"]["FunctionSubmission"]["properties"];
    // The stack serves Python alone.
    assert_eq!(function["language"]["enum"], json!(["python"]));

    // Swagger UI shows the same document.
    let docs = get("/docs").await.unwrap();
    assert_eq!(docs.status().as_u16(), 200);
    let docs = docs.text().await.unwrap();
    assert!(docs.contains("swagger") && docs.contains(served.trim_end()));
}

#[tokio::test]
async fn the_languages_served_are_listed_with_their_runtime_and_limits() {
    let stack = Stack::start_with(StackOptions {
        languages: vec![Language::Python, Language::Go],
        ..StackOptions::default()
    })
    .await;
    let mut listed = Value::Null;
    for _ in 0..300 {
        listed = stack.get("/languages").await.1;
        let languages = listed["languages"].as_array().unwrap();
        if languages.iter().all(|l| l["workers"] == 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let languages = listed["languages"].as_array().unwrap();
    assert_eq!(languages.len(), 2, "{listed}");
    let python = &languages[0];
    assert_eq!(python["language"], "python");
    assert!(
        python["runtime"].as_str().unwrap().starts_with("Python 3."),
        "{python}"
    );
    assert_eq!(python["compiled"], false);
    assert_eq!(python["workers"], 1);
    assert_eq!(python["limits"]["time_limit_ms"], 10_000, "the stack's");
    assert_eq!(python["limits"]["memory_limit_mb"], 256);
    let go = &languages[1];
    assert!(
        go["runtime"]
            .as_str()
            .unwrap()
            .starts_with("go version go1."),
        "{go}"
    );
    assert_eq!(go["compiled"], true);
    assert_eq!(go["limits"]["memory_limit_mb"], 512);
    // Go new enough for min, max, slices and maps (1.22 or later).
    let minor: u32 = go["runtime"].as_str().unwrap()["go version go1.".len()..]
        .split('.')
        .next()
        .and_then(|minor| minor.parse().ok())
        .unwrap();
    assert!(minor >= 22, "{go}");
    // How each compiles and runs code, as its image tells it.
    for (language, named) in [(python, "python3"), (go, "go")] {
        let build = language["build"].as_str().unwrap_or_default();
        assert!(build.contains(named), "{language}");
    }
}

#[tokio::test]
async fn silent_and_slow_clients_lose_their_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stack = Stack::start_with(StackOptions {
        workers: false,
        gateway: Box::new(|config| gateway::GatewayConfig {
            http_idle_timeout_secs: 1,
            header_read_timeout_secs: 1,
            body_read_timeout_secs: 1,
            ..config
        }),
        ..StackOptions::default()
    })
    .await;
    let address = format!("127.0.0.1:{}", stack.gateway_port());

    // Says nothing: closed.
    let mut silent = tokio::net::TcpStream::connect(&address).await.unwrap();
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        silent.read_to_end(&mut buffer),
    )
    .await;
    assert!(matches!(read, Ok(Ok(0))), "{read:?}");

    // Promises a body and trickles it: 408, as JSON.
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(
        b"POST /execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"lang",
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    for _ in 0..40 {
        let mut chunk = [0u8; 1024];
        tokio::select! {
            read = slow.read(&mut chunk) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            },
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {
                // One byte now and then: no rate at which a body never finishes is enough.
                let _ = slow.write_all(b" ").await;
            }
        }
        if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"request_timeout\""), "{text}");

    // Trickles its head, a byte at a time, each well within the idle timeout: 408 too.
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head =
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut answer = Vec::new();
    for byte in head {
        if slow.write_all(&[*byte]).await.is_err() {
            break;
        }
        let mut chunk = [0u8; 1024];
        tokio::select! {
            read = slow.read(&mut chunk) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            },
            _ = tokio::time::sleep(std::time::Duration::from_millis(300)) => {}
        }
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.starts_with("HTTP/1.1 408"),
        "the head was cut off: {text}"
    );
    assert!(text.contains("\"request_timeout\""), "{text}");
}

/// Sends `request` as raw bytes on a new connection; the whole answer (the gateway closes).
async fn raw_exchange(address: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn heads_past_their_limits_get_json_errors_and_the_gateway_keeps_serving() {
    let stack = Stack::start().await;
    let address = format!("127.0.0.1:{}", stack.gateway_port());
    let body = valid().to_string();
    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(9000));
    let many_fields = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n{}\r\n",
        "X-Filler: 1\r\n".repeat(150)
    );
    let large_field = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let two_lengths = format!(
        "POST /execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {n}\r\nContent-Length: {n}\r\n\r\n{body}",
        n = body.len()
    );
    let two_framings = format!(
        "POST /execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {n}\r\nTransfer-Encoding: chunked\r\n\r\n{body}",
        n = body.len()
    );
    for (request, status, code) in [
        (long_uri, 414, "uri_too_long"),
        (many_fields, 431, "headers_too_large"),
        (large_field, 431, "headers_too_large"),
        (two_lengths, 400, "malformed_request"),
        (two_framings, 400, "malformed_request"),
    ] {
        let answer = raw_exchange(&address, request.as_bytes()).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer}"
        );
        assert!(answer.contains("application/json"), "{answer}");
        assert!(
            answer.contains(&format!("\"error\":\"{code}\"")),
            "{answer}"
        );
    }

    // A declared body over the limit is refused before `100 Continue`: the body is never
    // asked for.
    let expecting = format!(
        "POST /execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        64 * 1024 * 1024
    );
    let answer = raw_exchange(&address, expecting.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(!answer.contains("100 Continue"), "{answer}");
    assert!(answer.contains("\"payload_too_large\""), "{answer}");

    let (status, _) = stack.submit(&valid()).await;
    assert_eq!(status, 202, "the gateway still serves");
}

#[tokio::test]
async fn metrics_are_served_in_prometheus_text_format() {
    let mut stack = Stack::start().await;
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "def f(x):\n    return x",
            "function_name": "f",
            "test_cases": [{"input": [1], "expected_output": "1"}],
            "callback_url": stack.callback_url
        }))
        .await;
    stack.callback_for(&id).await;
    let response = stack
        .http
        .get(format!("{}/metrics", stack.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    // The suite's services share one process, so counts add up across tests: at least one.
    for line in [
        r#"exec_submissions_total{language="python",outcome="accepted",key="none"}"#,
        r#"exec_executions_total{language="python",status="accepted"}"#,
        r#"exec_execution_seconds_bucket{language="python",le="0.5"}"#,
        r#"exec_end_to_end_seconds_count{language="python"}"#,
        "exec_sandbox_starts_total",
        r#"exec_callback_attempts_total{outcome="delivered"}"#,
    ] {
        let count = text
            .lines()
            .find_map(|l| l.strip_prefix(line)?.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {line} in:\n{text}"));
        assert!(count >= 1.0, "{line} {count}");
    }
}
