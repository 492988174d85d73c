//! Submissions through the whole pipeline: gateway, JetStream, worker, sandbox, notifier,
//! callback, and the result on NATS.

use serde_json::{json, Value};

use crate::stack::{Stack, StackOptions};

fn assert_time_format(time: &Value) {
    let text = time.as_str().expect("time is a string");
    let number = text.strip_suffix(" ms").expect("time ends in ' ms'");
    let (_, decimals) = number.split_once('.').expect("time has decimals");
    assert_eq!(decimals.len(), 4, "{text}");
    assert!(number.parse::<f64>().unwrap() >= 0.0, "{text}");
}

#[tokio::test]
async fn the_specification_python_example_is_delivered_as_documented() {
    let mut stack = Stack::start().await;
    let mut results = stack.subscribe("exec.result.>").await;
    let mut request = crate::spec_examples::example(exec_engine::Language::Python).request;
    request["callback_url"] = json!(stack.callback_url);
    let id = stack.accept(&request).await;

    let callback = stack.callback_for(&id).await;
    assert_eq!(callback.header("X-Delivery-Attempt"), Some("1"));
    assert_eq!(callback.path, "/callback");
    let body = &callback.body;
    assert_eq!(body["id"], id.as_str());
    let tests = body["results"].as_array().expect("results");
    assert_eq!(tests.len(), 2);
    for (test, input) in tests.iter().zip([json!([2, 3]), json!([10, -5])]) {
        assert_eq!(test["input"], input);
        assert_eq!(test["expected_output"], "5");
        assert_eq!(test["actual_output"], "5");
        assert_eq!(test["passed"], true);
        assert_time_format(&test["time"]);
        assert!(test["time_ms"].as_f64().unwrap() >= 0.0);
        let memory_kb = test["memory_kb"].as_u64().expect("memory is measured");
        assert!(memory_kb > 1000, "{memory_kb} KB");
        assert_eq!(test["memory"], format!("{memory_kb} KB"));
        assert_eq!(test["status"], "accepted");
        assert_eq!(test["stdout"], "");
        assert_eq!(test["error"], Value::Null);
    }
    assert_eq!(body["all_passed"], true);
    assert_eq!(body["error"], Value::Null);
    assert_eq!(body["error_details"], Value::Null);
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["language"], "python");

    let (subject, on_nats) = stack.message_for(&mut results, &id).await;
    assert_eq!(subject, format!("exec.result.{id}"));
    assert_eq!(&on_nats, body, "NATS carries the callback's document");
    assert!(
        !on_nats.to_string().contains(&stack.callback_url),
        "the callback URL (and any token in it) stays off the public subject"
    );
}

#[tokio::test]
async fn the_specification_syntax_error_example_is_delivered_as_documented() {
    let mut stack = Stack::start().await;
    let mut results = stack.subscribe("exec.result.>").await;
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "def broken_function(x):\n    return x +",
            "function_name": "broken_function",
            "imports": [],
            "test_cases": [{"input": [5], "expected_output": "5"}],
            "callback_url": stack.callback_url
        }))
        .await;

    let body = stack.callback_for(&id).await.body;
    assert_eq!(body["id"], id.as_str());
    let test = &body["results"][0];
    assert_eq!(test["input"], json!([5]));
    assert_eq!(test["expected_output"], "5");
    assert_eq!(test["actual_output"], "Execution Failed");
    assert_eq!(test["passed"], false);
    assert_eq!(test["time"], "0.0 ms");
    assert_eq!(test["memory"], "N/A");
    assert_eq!(test["status"], "compile_error");
    assert_eq!(body["all_passed"], false);
    assert_eq!(body["error"], "Execution environment error");
    let details = body["error_details"].as_str().expect("error_details");
    assert!(details.contains("SyntaxError"), "{details}");
    assert!(details.contains("line 2"), "{details}");
    assert_eq!(body["status"], "compile_error");

    let (_, on_nats) = stack.message_for(&mut results, &id).await;
    assert_eq!(on_nats, body);
}

#[tokio::test]
async fn each_test_gets_its_own_verdict_and_output() {
    let mut stack = Stack::start().await;
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "import sys\nclass Solution:\n    def divide(self, a, b):\n        print('dividing', a, b)\n        print('to stderr', file=sys.stderr)\n        return a / b",
            "function_name": "divide",
            "imports": ["math", "from collections import deque"],
            "test_cases": [
                {"input": [6, 3], "expected_output": "2"},
                {"input": [1, 0], "expected_output": "0"},
                {"input": [1, 4], "expected_output": "0.3"},
                {"input": [5, 2], "expected_output": "2.5"}
            ],
            "callback_url": stack.callback_url
        }))
        .await;
    let body = stack.callback_for(&id).await.body;
    let tests = body["results"].as_array().unwrap();
    assert_eq!(tests[0]["status"], "accepted", "2.0 equals 2 by value");
    assert_eq!(tests[0]["actual_output"], "2");
    assert_eq!(tests[0]["stdout"], "dividing 6 3\n");
    assert_eq!(tests[0]["stderr"], "to stderr\n");
    assert_eq!(tests[1]["status"], "runtime_error");
    assert_eq!(tests[1]["actual_output"], "Execution Failed");
    let error = tests[1]["error"].as_str().unwrap();
    assert!(error.contains("ZeroDivisionError"), "{error}");
    assert_eq!(tests[1]["stdout"], "dividing 1 0\n");
    assert_eq!(tests[2]["status"], "wrong_answer");
    assert_eq!(tests[2]["actual_output"], "0.25");
    assert_eq!(
        tests[3]["status"], "accepted",
        "tests after an error still run"
    );
    assert_eq!(body["all_passed"], false);
    assert_eq!(body["status"], "runtime_error");
    assert_eq!(body["error"], "Runtime error");
    assert!(body["error_details"]
        .as_str()
        .unwrap()
        .contains("ZeroDivisionError"));
}

#[tokio::test]
async fn printed_lines_cannot_pass_for_results() {
    let mut stack = Stack::start().await;
    let forged = r#"{"event":"test","index":0,"value":"5","time_ms":0,"stdout":"","stderr":""}"#;
    let code = format!(
        "import os\ndef add(a, b):\n    print({forged:?})\n    os.write(1, b'x ' + {forged:?}.encode() + b'\\n')\n    return a - b"
    );
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": code,
            "function_name": "add",
            "test_cases": [{"input": [2, 3], "expected_output": "5"}],
            "callback_url": stack.callback_url
        }))
        .await;
    let body = stack.callback_for(&id).await.body;
    assert_eq!(body["results"][0]["actual_output"], "-1");
    assert_eq!(body["results"][0]["passed"], false);
    assert!(body["results"][0]["stdout"]
        .as_str()
        .unwrap()
        .contains("\"event\""));
}

#[tokio::test]
async fn without_a_callback_url_the_result_is_read_on_nats() {
    let stack = Stack::start().await;
    let mut results = stack.subscribe("exec.result.>").await;
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "def f(x):\n    return [x, str(x), x > 1, None, {'k': x}]",
            "function_name": "f",
            "test_cases": [{"input": 2, "expected_output": "[2, \"2\", true, null, {\"k\": 2}]"}]
        }))
        .await;
    let (_, body) = stack.message_for(&mut results, &id).await;
    assert_eq!(
        body["results"][0]["actual_output"],
        r#"[2,"2",true,null,{"k":2}]"#
    );
    assert_eq!(body["results"][0]["passed"], true);
}

#[tokio::test]
async fn a_failing_receiver_gets_the_callback_again() {
    let mut stack = Stack::start_with(StackOptions {
        receiver_fail_first: 2,
        ..StackOptions::default()
    })
    .await;
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "def f():\n    return 1",
            "function_name": "f",
            "test_cases": [{"input": [], "expected_output": "1"}],
            "callback_url": stack.callback_url
        }))
        .await;
    let callback = stack.callback_for(&id).await;
    assert_eq!(callback.header("X-Delivery-Attempt"), Some("3"));
    assert_eq!(callback.body["all_passed"], true);
}

#[tokio::test]
async fn a_refused_callback_is_kept_as_a_dead_letter() {
    let stack = Stack::start().await;
    let mut dead = stack.subscribe("exec.dead.>").await;
    // The gateway answers 404 to this path: a refusal that no retry would change.
    let refusing = format!("{}/no-such-callback", stack.gateway);
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "def f():\n    return 1",
            "function_name": "f",
            "test_cases": [{"input": [], "expected_output": "1"}],
            "callback_url": refusing
        }))
        .await;
    let (subject, body) = stack.message_for(&mut dead, &id).await;
    assert_eq!(subject, format!("exec.dead.callback.{id}"));
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["all_passed"], true);
}
