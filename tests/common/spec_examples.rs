//! The original specification's examples, one a language: its Python, JavaScript and Java
//! requests as it gives them, and its Java example written in C++ and in Go, for which it
//! gives none.

use exec_engine::Language;
use serde_json::{json, Value};

/// A request (without `callback_url`) and each of its tests' input and output.
pub struct Example {
    pub request: Value,
    pub expected: Vec<(Value, &'static str)>,
}

impl Example {
    /// Fails unless `body`, the example's result document, reads as the specification
    /// documents it: every test passed with the expected output, and no error.
    pub fn assert_documented(&self, body: &Value) {
        let results = body["results"].as_array().expect("results");
        assert_eq!(results.len(), self.expected.len(), "{body}");
        for (result, (input, output)) in results.iter().zip(&self.expected) {
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
}

pub fn example(language: Language) -> Example {
    let add_numbers = |code: &str, function_name: &str| Example {
        request: json!({
            "language": language.as_str(),
            "code": code,
            "function_name": function_name,
            "imports": [],
            "test_cases": [{"input": [5, 7], "expected_output": "12"}]
        }),
        expected: vec![(json!([5, 7]), "12")],
    };
    match language {
        Language::Python => Example {
            request: json!({
                "language": "python",
                "code": "def add_numbers(a, b):\n    return a + b",
                "function_name": "add_numbers",
                "imports": [],
                "test_cases": [
                    {"input": [2, 3], "expected_output": "5"},
                    {"input": [10, -5], "expected_output": "5"}
                ]
            }),
            expected: vec![(json!([2, 3]), "5"), (json!([10, -5]), "5")],
        },
        Language::Js => Example {
            request: json!({
                "language": "js",
                "code": "function findMedianSortedArrays(nums1, nums2) {\n  if (nums1.length > nums2.length) {\n    return findMedianSortedArrays(nums2, nums1);\n  }\n  const m = nums1.length;\n  const n = nums2.length;\n  let low = 0, high = m;\n  while (low <= high) {\n    const cut1 = Math.floor((low + high) / 2);\n    const cut2 = Math.floor((m + n + 1) / 2) - cut1;\n    const left1 = cut1 === 0 ? -Infinity : nums1[cut1 - 1];\n    const left2 = cut2 === 0 ? -Infinity : nums2[cut2 - 1];\n    const right1 = cut1 === m ? Infinity : nums1[cut1];\n    const right2 = cut2 === n ? Infinity : nums2[cut2];\n    if (left1 <= right2 && left2 <= right1) {\n      if ((m + n) % 2 === 0) {\n        return (Math.max(left1, left2) + Math.min(right1, right2)) / 2.0;\n      } else {\n        return Math.max(left1, left2);\n      }\n    } else if (left1 > right2) {\n      high = cut1 - 1;\n    } else {\n      low = cut1 + 1;\n    }\n  }\n  return 1.0;\n}",
                "function_name": "findMedianSortedArrays",
                "imports": [],
                "test_cases": [
                    {"input": [[1, 3], [2]], "expected_output": "2"},
                    {"input": [[1, 2], [3, 4]], "expected_output": "2.5"},
                    {"input": [[0, 0], [0, 0]], "expected_output": "0"},
                    {"input": [[1, 3], [2, 7]], "expected_output": "2.5"}
                ]
            }),
            expected: vec![
                (json!([[1, 3], [2]]), "2"),
                (json!([[1, 2], [3, 4]]), "2.5"),
                (json!([[0, 0], [0, 0]]), "0"),
                (json!([[1, 3], [2, 7]]), "2.5"),
            ],
        },
        Language::Java => add_numbers(
            "class Solution {\n    public int addNumbers(int a, int b) {\n        return a + b;\n    }\n}",
            "addNumbers",
        ),
        Language::Cpp => add_numbers(
            "int addNumbers(int a, int b) {\n    return a + b;\n}",
            "addNumbers",
        ),
        Language::Go => add_numbers(
            "func addNumbers(a int, b int) int {\n\treturn a + b\n}",
            "addNumbers",
        ),
    }
}
