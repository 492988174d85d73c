//! What the gateway lets in: a bounded queue per language, and batches answered item by
//! item.

use gateway::GatewayConfig;
use serde_json::{json, Value};

use crate::stack::{Stack, StackOptions};

fn submission(language: &str, code: &str) -> Value {
    json!({
        "language": language,
        "code": code,
        "function_name": "f",
        "test_cases": [{"input": [1], "expected_output": "2"}]
    })
}

#[tokio::test]
async fn a_full_queue_answers_429_and_other_languages_keep_queueing() {
    // No workers: what is accepted stays queued, and the bound is 5.
    let stack = Stack::start_with(StackOptions {
        languages: vec![exec_engine::Language::Python, exec_engine::Language::Js],
        workers: false,
        gateway: Box::new(|config| GatewayConfig {
            queue_min: 5,
            queue_max: 5,
            ..config
        }),
        ..StackOptions::default()
    })
    .await;
    let python = submission("python", "def f(x):\n    return x + 1");
    for _ in 0..5 {
        stack.accept(&python).await;
    }
    let response = stack
        .http
        .post(format!("{}/execute", stack.gateway))
        .json(&python)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "queue_full", "{body}");
    // Another language's queue is its own.
    stack
        .accept(&submission("js", "function f(x) { return x + 1; }"))
        .await;
}

#[tokio::test]
async fn a_batch_is_answered_item_by_item_in_order() {
    let stack = Stack::start_with(StackOptions {
        gateway: Box::new(|config| GatewayConfig {
            max_batch: 4,
            ..config
        }),
        ..StackOptions::default()
    })
    .await;
    let good = submission("python", "def f(x):\n    return x + 1");
    let (status, answer) = stack
        .post_json(
            "/execute/batch",
            &json!({"submissions": [
                good,
                {"language": "cobol", "code": "x", "function_name": "f",
                 "test_cases": [{"input": [1], "expected_output": "2"}]},
                "not an object",
                good,
            ]}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let items = answer["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert!(items[0]["id"].is_string() && items[0].get("error").is_none());
    assert_eq!(items[1]["error"], "invalid_field");
    assert_eq!(items[1]["field"], "language");
    assert_eq!(items[2]["error"], "malformed_request");
    assert!(items[3]["id"].is_string());
    assert_ne!(items[0]["id"], items[3]["id"]);
    for item in [&items[0], &items[3]] {
        let (_, state) = stack.state(item["id"].as_str().unwrap(), Some(60)).await;
        assert_eq!(state["state"], "completed", "{state}");
        assert_eq!(state["result"]["all_passed"], true);
    }

    let five = json!({"submissions": vec![good.clone(); 5]});
    let (status, answer) = stack.post_json("/execute/batch", &five).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (422, Some("submissions"))
    );
    let (status, answer) = stack
        .post_json("/execute/batch", &json!({"submissions": []}))
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (422, Some("submissions"))
    );
    let (status, answer) = stack.post_json("/execute/batch", &json!([good])).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("malformed_request"))
    );
}

#[tokio::test]
async fn with_keys_each_caller_is_known_and_kept_to_its_rate() {
    let (stack, _keys) = with_keys(json!([
        {"id": "team-a", "key": "team-a-key", "rate_per_sec": 1, "burst": 3}
    ]))
    .await;
    let body = submission("python", "def f(x):\n    return x + 1");
    let post = |header: Option<(&'static str, &'static str)>| {
        let mut request = stack
            .http
            .post(format!("{}/execute", stack.gateway))
            .json(&body);
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        request.send()
    };

    let refused = post(None).await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["error"], "unauthorized");
    assert_eq!(
        post(Some(("X-API-Key", "guess"))).await.unwrap().status(),
        401
    );

    let accepted: Value = post(Some(("X-API-Key", "team-a-key")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = accepted["id"].as_str().unwrap().to_owned();
    let bearer = post(Some(("Authorization", "Bearer team-a-key")))
        .await
        .unwrap();
    assert_eq!(bearer.status(), 202);
    // The burst of 3 is spent: the next waits for the rate.
    post(Some(("X-API-Key", "team-a-key"))).await.unwrap();
    let limited = post(Some(("X-API-Key", "team-a-key"))).await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["ratelimit-limit"], "1");
    assert_eq!(limited.headers()["ratelimit-remaining"], "0");
    assert!(limited.headers().contains_key("retry-after"));
    let limited: Value = limited.json().await.unwrap();
    assert_eq!(limited["error"], "rate_limited");

    // The key's id travels with the result; health needs no key.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let state = completed_with_key(&stack, &id, "team-a-key").await;
    assert_eq!(state["result"]["key_id"], "team-a", "{state}");
    assert_eq!(stack.get("/healthz").await.0, 200);
}

#[tokio::test]
async fn a_key_has_at_most_its_cap_queued_or_running_and_others_are_not_held_back() {
    let (stack, _keys) = with_keys(json!([
        {"id": "team-a", "key": "team-a-key", "max_queued": 2},
        {"id": "team-b", "key": "team-b-key"}
    ]))
    .await;
    let body = submission(
        "python",
        "import time\ndef f(x):\n    time.sleep(1)\n    return x + 1",
    );
    let post = |key: &'static str| {
        stack
            .http
            .post(format!("{}/execute", stack.gateway))
            .header("X-API-Key", key)
            .json(&body)
            .send()
    };
    let mut ids = Vec::new();
    for _ in 0..2 {
        let accepted = post("team-a-key").await.unwrap();
        assert_eq!(accepted.status(), 202);
        let accepted: Value = accepted.json().await.unwrap();
        ids.push(accepted["id"].as_str().unwrap().to_owned());
    }
    let refused = post("team-a-key").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["ratelimit-limit"], "2");
    assert_eq!(refused.headers()["ratelimit-remaining"], "0");
    assert!(refused.headers().contains_key("retry-after"));
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["error"], "key_queue_full", "{refused}");
    assert_eq!(post("team-b-key").await.unwrap().status(), 202);

    // Once its submissions have their results, the key may queue again.
    for id in &ids {
        let state = completed_with_key(&stack, id, "team-a-key").await;
        assert_eq!(state["state"], "completed", "{state}");
    }
    let mut accepted = 0;
    for _ in 0..50 {
        if post("team-a-key").await.unwrap().status() == 202 {
            accepted += 1;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(accepted, 1, "the key's place came back");
}

/// `id`'s state once it completes (within a minute), asked for with `key`.
async fn completed_with_key(stack: &Stack, id: &str, key: &str) -> Value {
    stack
        .http
        .get(format!("{}/executions/{id}?wait=60", stack.gateway))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A stack whose gateway serves these keys: each entry as `API_KEYS_FILE` has it, with
/// `key` in place of its SHA-256 (`printf %s "$KEY" | sha256sum`). The file lives as long
/// as the temp dir returned.
async fn with_keys(entries: Value) -> (Stack, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys.json");
    let mut entries = entries;
    for entry in entries.as_array_mut().unwrap() {
        let key = entry.as_object_mut().unwrap().remove("key").unwrap();
        let digest = exec_engine::digest::sha256_hex(key.as_str().unwrap().as_bytes());
        entry["sha256"] = json!(digest);
    }
    std::fs::write(&file, entries.to_string()).unwrap();
    let stack = Stack::start_with(StackOptions {
        gateway: Box::new(move |config| GatewayConfig {
            api_keys_file: Some(file.clone()),
            ..config
        }),
        ..StackOptions::default()
    })
    .await;
    (stack, dir)
}
