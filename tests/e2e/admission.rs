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
        gateway: |config| GatewayConfig {
            queue_min: 5,
            queue_max: 5,
            ..config
        },
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
        gateway: |config| GatewayConfig {
            max_batch: 4,
            ..config
        },
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
