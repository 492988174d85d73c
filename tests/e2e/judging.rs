//! Comparison modes, chosen per submission and per test case, judged by the one judge
//! whatever language ran the code.

use serde_json::{json, Value};

use crate::stack::{result_of, Stack};

/// Each test's status, in order, once `body` has run.
async fn statuses(stack: &Stack, body: Value) -> Vec<String> {
    let result = result_of(stack, body).await;
    crate::stack::statuses(&result)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn returned_values_are_judged_by_the_chosen_mode() {
    let stack = Stack::start().await;
    let judged = statuses(
        &stack,
        json!({
            "language": "python",
            "code": "import math\ndef f(kind):\n    return {'pi': math.pi, 'third': [1/3, 2/3], \
                     'set': [3, 1, 2], 'nested': [[2, 1], [3]], 'text': 'a b'}[kind]",
            "function_name": "f",
            "comparison": {"mode": "float", "abs_tolerance": 1e-6},
            "test_cases": [
                {"input": ["pi"], "expected_output": "3.1415926"},
                {"input": ["pi"], "expected_output": "3.14"},
                {"input": ["third"], "expected_output": "[0.333333, 0.666667]"},
                {"input": ["set"], "expected_output": "[1, 2, 3]",
                 "comparison": {"mode": "unordered"}},
                {"input": ["set"], "expected_output": "[1, 2, 3]",
                 "comparison": {"mode": "json"}},
                {"input": ["nested"], "expected_output": "[[3], [1, 2]]",
                 "comparison": {"mode": "unordered", "nested": true}},
                {"input": ["text"], "expected_output": "\"a b\"",
                 "comparison": {"mode": "exact"}},
                {"input": ["text"], "expected_output": "a b",
                 "comparison": {"mode": "exact"}}
            ]
        }),
    )
    .await;
    assert_eq!(
        judged,
        [
            "accepted",
            "wrong_answer",
            "accepted",
            "accepted",
            "wrong_answer",
            "accepted",
            "accepted",
            "wrong_answer"
        ]
    );
}

#[tokio::test]
async fn program_output_is_judged_by_the_chosen_mode() {
    let stack = Stack::start().await;
    let judged = statuses(
        &stack,
        json!({
            "language": "python",
            "code": "import sys\nn = int(sys.stdin.read())\nprint(' '.join(str(i / 3) for i in range(n)))\nprint('b')\nprint('a')",
            "comparison": {"mode": "tokens"},
            "test_cases": [
                {"input": "2", "expected_output": "0.0   0.3333333333333333\nb a"},
                {"input": "2", "expected_output": "0 0.333333 b a",
                 "comparison": {"mode": "float", "abs_tolerance": 1e-5}},
                {"input": "2", "expected_output": "0 0.33 b a",
                 "comparison": {"mode": "float", "abs_tolerance": 1e-5}},
                {"input": "1", "expected_output": "a\nb\n0.0",
                 "comparison": {"mode": "unordered"}},
                {"input": "1", "expected_output": "0.0\nb\na",
                 "comparison": {"mode": "lines"}}
            ]
        }),
    )
    .await;
    assert_eq!(
        judged,
        [
            "accepted",
            "accepted",
            "wrong_answer",
            "accepted",
            "accepted"
        ]
    );
}

#[tokio::test]
async fn a_comparison_that_is_not_understood_is_refused_by_name() {
    let stack = Stack::start().await;
    let (status, answer) = stack
        .submit(&json!({
            "language": "python",
            "code": "def f(x):\n    return x",
            "function_name": "f",
            "test_cases": [{"input": [1], "expected_output": "1",
                            "comparison": {"mode": "approximately"}}]
        }))
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["field"], "test_cases[0].comparison.mode");
}

#[tokio::test]
async fn the_score_is_the_weight_of_the_tests_passed() {
    let stack = Stack::start().await;
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "def f(x):\n    return x * 2",
            "function_name": "f",
            "test_cases": [
                {"input": [1], "expected_output": "2", "weight": 3},
                {"input": [2], "expected_output": "5", "weight": 2},
                {"input": [3], "expected_output": "6"}
            ]
        }))
        .await;
    let (_, state) = stack.state(&id, Some(60)).await;
    let result = &state["result"];
    assert_eq!(result["score"], 4.0, "{result}");
    let scores: Vec<f64> = result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|test| test["score"].as_f64().unwrap())
        .collect();
    assert_eq!(scores, [3.0, 0.0, 1.0]);
    assert_eq!(result["all_passed"], false);
}

#[tokio::test]
async fn after_the_first_failure_the_rest_are_skipped_when_asked() {
    let stack = Stack::start().await;
    let body = |stop: bool| {
        json!({
            "language": "python",
            "code": "def f(x):\n    return x * 2",
            "function_name": "f",
            "stop_on_first_failure": stop,
            "test_cases": [
                {"input": [1], "expected_output": "2"},
                {"input": [2], "expected_output": "5"},
                {"input": [3], "expected_output": "6"}
            ]
        })
    };
    assert_eq!(
        statuses(&stack, body(true)).await,
        ["accepted", "wrong_answer", "skipped"]
    );
    assert_eq!(
        statuses(&stack, body(false)).await,
        ["accepted", "wrong_answer", "accepted"]
    );
}
