//! The original specification's JavaScript and Java examples give its documented callbacks.

use exec_engine::Language;
use serde_json::{json, Value};

use crate::conformance::languages_under_test;
use crate::stack::{Stack, StackOptions};

async fn callback_body(language: Language, request: Value) -> Value {
    let mut stack = Stack::start_with(StackOptions {
        languages: vec![language],
        ..StackOptions::default()
    })
    .await;
    let mut request = request;
    request["callback_url"] = json!(stack.callback_url);
    let id = stack.accept(&request).await;
    let body = stack.callback_for(&id).await.body;
    assert_eq!(body["id"], id.as_str());
    body
}

fn assert_documented(body: &Value, expected: &[(Value, &str)]) {
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), expected.len());
    for (result, (input, output)) in results.iter().zip(expected) {
        assert_eq!(&result["input"], input);
        assert_eq!(result["expected_output"], *output);
        assert_eq!(result["actual_output"], *output, "{result}");
        assert_eq!(result["passed"], true);
        let time = result["time"].as_str().unwrap();
        assert!(time.ends_with(" ms"), "{time}");
        assert!(result["memory"].is_string());
    }
    assert_eq!(body["all_passed"], true);
    assert_eq!(body["error"], Value::Null);
    assert_eq!(body["error_details"], Value::Null);
}

#[tokio::test]
async fn the_specification_javascript_example() {
    if !languages_under_test().contains(&Language::Js) {
        eprintln!("js is not among E2E_LANGUAGES; skipped");
        return;
    }
    let code = "function findMedianSortedArrays(nums1, nums2) {\n  if (nums1.length > nums2.length) {\n    return findMedianSortedArrays(nums2, nums1);\n  }\n  const m = nums1.length;\n  const n = nums2.length;\n  let low = 0, high = m;\n  while (low <= high) {\n    const cut1 = Math.floor((low + high) / 2);\n    const cut2 = Math.floor((m + n + 1) / 2) - cut1;\n    const left1 = cut1 === 0 ? -Infinity : nums1[cut1 - 1];\n    const left2 = cut2 === 0 ? -Infinity : nums2[cut2 - 1];\n    const right1 = cut1 === m ? Infinity : nums1[cut1];\n    const right2 = cut2 === n ? Infinity : nums2[cut2];\n    if (left1 <= right2 && left2 <= right1) {\n      if ((m + n) % 2 === 0) {\n        return (Math.max(left1, left2) + Math.min(right1, right2)) / 2.0;\n      } else {\n        return Math.max(left1, left2);\n      }\n    } else if (left1 > right2) {\n      high = cut1 - 1;\n    } else {\n      low = cut1 + 1;\n    }\n  }\n  return 1.0;\n}";
    let body = callback_body(
        Language::Js,
        json!({
            "language": "js",
            "code": code,
            "function_name": "findMedianSortedArrays",
            "imports": [],
            "test_cases": [
                {"input": [[1, 3], [2]], "expected_output": "2"},
                {"input": [[1, 2], [3, 4]], "expected_output": "2.5"},
                {"input": [[0, 0], [0, 0]], "expected_output": "0"},
                {"input": [[1, 3], [2, 7]], "expected_output": "2.5"}
            ]
        }),
    )
    .await;
    assert_documented(
        &body,
        &[
            (json!([[1, 3], [2]]), "2"),
            (json!([[1, 2], [3, 4]]), "2.5"),
            (json!([[0, 0], [0, 0]]), "0"),
            (json!([[1, 3], [2, 7]]), "2.5"),
        ],
    );
}

#[tokio::test]
async fn the_specification_java_example() {
    if !languages_under_test().contains(&Language::Java) {
        eprintln!("java is not among E2E_LANGUAGES; skipped");
        return;
    }
    let body = callback_body(
        Language::Java,
        json!({
            "language": "java",
            "code": "class Solution {\n    public int addNumbers(int a, int b) {\n        return a + b;\n    }\n}",
            "function_name": "addNumbers",
            "imports": [],
            "test_cases": [{"input": [5, 7], "expected_output": "12"}]
        }),
    )
    .await;
    assert_documented(&body, &[(json!([5, 7]), "12")]);
}
