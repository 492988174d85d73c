//! What a client can count on after the 202: the execution's state by id, one id per
//! idempotent request, signed callbacks, dead letters it can replay, and callbacks that go
//! to public addresses only.

use futures::StreamExt;
use std::time::Duration;

use callback_receiver::ReceiverConfig;
use notifier::NotifierConfig;
use serde_json::{json, Value};

use crate::stack::{Stack, StackOptions};

fn one_test(callback_url: Option<&str>) -> Value {
    json!({
        "language": "python",
        "code": "def f(x):\n    return x * 2",
        "function_name": "f",
        "test_cases": [
            {"input": [1], "expected_output": "2"},
            {"input": [2], "expected_output": "4"}
        ],
        "callback_url": callback_url
    })
}

#[tokio::test]
async fn an_executions_state_and_result_are_read_by_id() {
    let mut stack = Stack::start().await;
    let response = stack
        .http
        .post(format!("{}/execute", stack.gateway))
        .json(&one_test(Some(&stack.callback_url)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(location, format!("/executions/{id}"));

    let (status, state) = stack.get(&format!("{location}?wait=60")).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["id"], id.as_str());
    assert_eq!(state["state"], "completed");
    assert_eq!(state["tests_done"], 2);
    let callback = stack.callback_for(&id).await;
    assert_eq!(
        state["result"], callback.body,
        "the state holds the callback's document"
    );
    // The callback's own state follows once the notifier has recorded the delivery.
    let delivered = stack.callback_settles(&id, "delivered").await;
    assert_eq!(delivered["callback"]["attempts"], 1);
    assert_eq!(delivered["callback"]["last_error"], Value::Null);
    assert!(
        !delivered.to_string().contains(&stack.callback_url),
        "the callback URL is not shown"
    );

    // Without a callback: the state says so.
    let id = stack.accept(&one_test(None)).await;
    let (_, state) = stack.state(&id, Some(60)).await;
    assert_eq!(state["state"], "completed");
    assert_eq!(state["callback"]["state"], "none");

    let (status, body) = stack.state(&uuid::Uuid::new_v4().to_string(), None).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let (status, body) = stack.state("not-a-uuid", None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("malformed_request"))
    );
    let (status, _) = stack.state(&id, Some(61)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_queued_execution_is_queued_and_a_retried_request_keeps_its_first_id() {
    // No workers: what is accepted stays queued.
    let stack = Stack::start_with(StackOptions {
        workers: false,
        ..StackOptions::default()
    })
    .await;
    let post = |key: &'static str| {
        stack
            .http
            .post(format!("{}/execute", stack.gateway))
            .header("Idempotency-Key", key)
            .json(&one_test(None))
            .send()
    };
    let first: Value = post("order-17").await.unwrap().json().await.unwrap();
    let again: Value = post("order-17").await.unwrap().json().await.unwrap();
    let other: Value = post("order-18").await.unwrap().json().await.unwrap();
    assert_eq!(first["id"], again["id"]);
    assert_ne!(first["id"], other["id"]);
    let (status, state) = stack.state(first["id"].as_str().unwrap(), Some(1)).await;
    assert_eq!(status, 200);
    assert_eq!(state["state"], "queued");
    assert_eq!(state["result"], Value::Null);
    assert_eq!(state["tests_done"], 0);

    let too_long = "k".repeat(256);
    let response = stack
        .http
        .post(format!("{}/execute", stack.gateway))
        .header("Idempotency-Key", too_long)
        .json(&one_test(None))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test]
async fn callbacks_carry_a_standard_webhooks_signature() {
    // The receiver answers 401 to a callback whose signature does not verify.
    let mut stack = Stack::start_with(StackOptions {
        signing_secret: Some(SECRET.to_owned()),
        ..StackOptions::default()
    })
    .await;
    let id = stack.accept(&one_test(Some(&stack.callback_url))).await;
    let callback = stack.callback_for(&id).await;
    assert_eq!(callback.header("webhook-id"), Some(id.as_str()));
    assert!(callback
        .header("webhook-signature")
        .unwrap()
        .starts_with("v1,"));
    assert!(callback.header("webhook-timestamp").is_some());
}

#[tokio::test]
async fn a_dead_letter_is_listed_and_redelivered() {
    let mut stack = Stack::start_with(StackOptions {
        notifier: |config| NotifierConfig {
            callback_retry_base_ms: 100,
            callback_retry_max_ms: 300,
            callback_retry_period_secs: 2,
            ..config
        },
        ..StackOptions::default()
    })
    .await;
    // A port nothing listens on, yet: attempts fail until the period ends.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // A token in the URL is the client's secret: it shows up nowhere.
    let url = format!("http://127.0.0.1:{port}/late?token=s3cret");
    let id = stack.accept(&one_test(Some(&url))).await;

    let state = stack.callback_settles(&id, "failed").await;
    let attempts = state["callback"]["attempts"].as_u64().unwrap();
    assert!(attempts >= 2, "{state}");
    assert!(
        state["callback"]["last_error"]
            .as_str()
            .unwrap()
            .contains("gave up"),
        "{state}"
    );
    let (status, listed) = stack.get("/dead-letters").await;
    assert_eq!(status, 200);
    for shown in [&state, &listed] {
        assert!(!shown.to_string().contains("s3cret"), "{shown}");
    }
    let letters = listed["dead_letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1, "{listed}");
    assert_eq!(letters[0]["id"], id.as_str());
    assert_eq!(letters[0]["attempts"], attempts);

    // The receiver comes up; the dead letter is sent again and leaves the list.
    let mut late = callback_receiver::start(&ReceiverConfig {
        receiver_addr: format!("127.0.0.1:{port}"),
        receiver_fail_first: 0,
        receiver_signing_secret: None,
    })
    .await
    .unwrap();
    let response = stack
        .http
        .post(format!("{}/executions/{id}/redeliver", stack.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let callback = tokio::time::timeout(Duration::from_secs(30), late.callbacks.recv())
        .await
        .expect("the redelivered callback arrives")
        .unwrap();
    assert_eq!(callback.body["id"], id.as_str());
    assert_eq!(callback.header("X-Delivery-Attempt"), Some("1"));
    let (_, listed) = stack.get("/dead-letters").await;
    assert_eq!(listed["dead_letters"], json!([]));

    let unknown = uuid::Uuid::new_v4();
    let response = stack
        .http
        .post(format!("{}/executions/{unknown}/redeliver", stack.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let no_callback = stack.accept(&one_test(None)).await;
    stack.state(&no_callback, Some(60)).await;
    let response = stack
        .http
        .post(format!(
            "{}/executions/{no_callback}/redeliver",
            stack.gateway
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let _ = stack.callbacks.try_recv();
}

#[tokio::test]
async fn callbacks_to_private_addresses_are_refused() {
    let stack = Stack::start_with(StackOptions {
        // A name that resolves to a loopback address the policy does not allow (only
        // 127.0.0.1 is): nothing is ever sent off this machine.
        notifier: |config| NotifierConfig {
            callback_resolve: "rebind.test=127.0.0.2".to_owned(),
            ..config
        },
        ..StackOptions::default()
    })
    .await;
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://2852039166/",
        "http://0xA9FEA9FE/",
        "http://10.0.0.1/",
        "http://[fd00::1]/",
        // This stack allows 127.0.0.1 (its receiver), so the short and hex forms are
        // tried on 127.0.0.2; the unit tests try them on 127.0.0.1 under the default.
        "http://127.2/",
        "http://0x7f.0.0.02/",
        "http://[::1]/",
        "http://user:password@example.com/",
        "http://metadata.google.internal/",
        "http://127.0.0.2:5001/",
    ] {
        let (status, body) = stack.submit(&one_test(Some(url))).await;
        assert_eq!(status, 422, "{url}: {body}");
        assert_eq!(body["field"], "callback_url", "{url}");
    }

    // Checked again at delivery, after resolution: kept as a dead letter, never sent.
    let port = stack.callback_url.split(':').nth(2).unwrap().to_owned();
    let rebinding = format!("http://rebind.test:{port}");
    let id = stack.accept(&one_test(Some(&rebinding))).await;
    let state = stack.callback_settles(&id, "failed").await;
    let error = state["callback"]["last_error"].as_str().unwrap();
    assert!(error.contains("127.0.0.2"), "{error}");
    assert_eq!(state["callback"]["attempts"], 1, "a refusal is not retried");
}

#[tokio::test]
async fn progress_is_streamed_live_as_server_sent_events() {
    let stack = Stack::start().await;
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "import time\ndef f(x):\n    time.sleep(0.4)\n    return x",
            "function_name": "f",
            "test_cases": [
                {"input": [1], "expected_output": "1"},
                {"input": [2], "expected_output": "2"},
                {"input": [3], "expected_output": "3"}
            ]
        }))
        .await;
    let mut response = stack
        .http
        .get(format!("{}/executions/{id}/events", stack.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut text = String::new();
    while let Ok(Ok(Some(chunk))) =
        tokio::time::timeout(Duration::from_secs(10), response.chunk()).await
    {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    // Each event: "event: <name>" and "data: <json>" lines, then a blank line.
    let events: Vec<(String, Value)> = text
        .split("\n\n")
        .filter_map(|block| {
            let name = block.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((name.to_owned(), serde_json::from_str(data).unwrap()))
        })
        .collect();
    let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names.first(), Some(&"state"), "{text}");
    assert_eq!(names.last(), Some(&"completed"), "{text}");
    let (_, completed) = events.last().unwrap();
    assert_eq!(completed["id"], id.as_str());
    assert_eq!(completed["all_passed"], true);
    // Tests told as they completed, in order, before the result: at least the last two
    // (the first may have passed before the stream opened).
    let tested: Vec<u64> = events
        .iter()
        .filter(|(name, _)| name == "test")
        .map(|(_, test)| test["index"].as_u64().unwrap())
        .collect();
    assert!(tested.len() >= 2 && tested.ends_with(&[1, 2]), "{text}");

    let (status, _) = stack
        .get(&format!("/executions/{}/events", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn integers_beyond_64_bits_reach_the_code_and_come_back_as_written() {
    let stack = Stack::start().await;
    // Written as text: serde_json's Value (this test's own) would round them.
    let exact_input = "[18446744073709551616,-123456789012345678901234567890]";
    let body = format!(
        r#"{{"language": "python", "function_name": "f",
            "code": "def f(a, b):\n    return [a + 1, b]",
            "test_cases": [{{"input": {exact_input},
                             "expected_output": [18446744073709551617, -123456789012345678901234567890]}}]}}"#
    );
    let mut subscriber = stack.subscribe("exec.result.>").await;
    let (status, answer) = stack.post_raw(body, "application/json").await;
    assert_eq!(status, 202, "{answer}");
    let id = answer["id"].as_str().unwrap().to_owned();
    let input = format!(r#""input":{exact_input}"#);
    let actual = r#""actual_output":"[18446744073709551617,-123456789012345678901234567890]""#;

    let published = loop {
        let message = subscriber.next().await.expect("a result is published");
        if message.subject.ends_with(id.as_str()) {
            break String::from_utf8(message.payload.to_vec()).unwrap();
        }
    };
    assert!(published.contains(&input), "{published}");
    assert!(published.contains(actual), "{published}");
    assert!(published.contains(r#""all_passed":true"#), "{published}");

    let url = format!("{}/executions/{id}", stack.gateway);
    let state = stack
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(state.contains(&input) && state.contains(actual), "{state}");
    let events = stack
        .http
        .get(format!("{url}/events"))
        .send()
        .await
        .unwrap();
    let events = events.text().await.unwrap();
    assert!(
        events.contains(&input) && events.contains(actual),
        "{events}"
    );
}

#[tokio::test]
async fn the_request_id_travels_with_the_execution_to_its_result() {
    let stack = Stack::start().await;
    let mut results = stack.subscribe("exec.result.>").await;
    let response = stack
        .http
        .post(format!("{}/execute", stack.gateway))
        .json(&json!({
            "language": "python",
            "code": "def f(x):\n    return x",
            "function_name": "f",
            "test_cases": [{"input": [1], "expected_output": "1"}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&request_id).is_ok(), "{request_id}");
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let result = loop {
        let message = results.next().await.expect("a result is published");
        if message.subject.ends_with(id.as_str()) {
            break message;
        }
    };
    let headers = result.headers.expect("the result carries headers");
    assert_eq!(
        headers
            .get(exec_engine::subjects::REQUEST_ID_HEADER)
            .map(|value| value.as_str()),
        Some(request_id.as_str())
    );
    // Errors carry one too.
    let refused = stack
        .http
        .get(format!("{}/executions/not-a-uuid", stack.gateway))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.headers().contains_key("x-request-id"));
}
