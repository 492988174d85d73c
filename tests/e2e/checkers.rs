//! Custom checkers on the real stack: a function or a program (testlib's exit codes) in a
//! sandbox of its own, hostile checkers that can only fail their own checks
//! (`internal_error`, never a verdict on the code), and hostile code that cannot sway them.

use serde_json::{json, Value};

use crate::stack::{result_of, statuses, Stack};

const PAIR_CHECKER: &str = "\
def check(input, expected_output, actual_output):
    nums, target = input
    if expected_output == 'none':
        return actual_output == []
    ok = (isinstance(actual_output, list) and len(actual_output) == 2
          and all(isinstance(i, int) and 0 <= i < len(nums) for i in actual_output)
          and actual_output[0] != actual_output[1]
          and nums[actual_output[0]] + nums[actual_output[1]] == target)
    if ok and expected_output == 'half':
        return {'passed': True, 'message': 'half marks', 'score': 0.5}
    return {'passed': ok, 'message': 'a valid pair' if ok else 'not a pair with the sum'}
";

#[tokio::test]
async fn a_function_checker_accepts_any_valid_answer_with_its_messages_and_scores() {
    let stack = Stack::start().await;
    let result = result_of(
        &stack,
        json!({
            "language": "python",
            "code": "def pair(nums, target):\n    seen = {}\n    for j, n in enumerate(nums):\n        if target - n in seen:\n            return [seen[target - n], j]\n        seen.setdefault(n, j)\n    return []",
            "function_name": "pair",
            "checker": {"language": "python", "code": PAIR_CHECKER},
            "test_cases": [
                {"input": [[3, 2, 4, 3], 6], "expected_output": "[0, 3]", "weight": 2},
                {"input": [[1, 2], 10], "expected_output": "none"},
                {"input": [[1, 2, 3], 5], "expected_output": "none"},
                {"input": [[5, 5], 10], "expected_output": "half", "weight": 4}
            ]
        }),
    )
    .await;
    assert_eq!(
        statuses(&result),
        ["accepted", "accepted", "wrong_answer", "accepted"]
    );
    assert_eq!(result["results"][0]["actual_output"], "[1,2]");
    assert_eq!(result["results"][0]["message"], "a valid pair");
    assert!(
        result["results"][1].get("message").is_none(),
        "a boolean says nothing"
    );
    let scores: Vec<f64> = (0..4)
        .map(|i| result["results"][i]["score"].as_f64().unwrap())
        .collect();
    assert_eq!(scores, [2.0, 1.0, 0.0, 2.0]);
    assert_eq!(result["score"], 5.0);
    assert_eq!(result["status"], "wrong_answer");
}

/// How a Python program checker reads its stdin: three texts, each after its length.
const READ_TEXTS: &str = "\
import sys
data = sys.stdin.buffer.read()
texts, at = [], 0
for _ in range(3):
    end = data.index(b'\\n', at)
    n = int(data[at:end])
    texts.append(data[end + 1:end + 1 + n].decode())
    assert data[end + 1 + n:end + 2 + n] == b'\\n'
    at = end + 2 + n
assert at == len(data), 'nothing after the three texts'
stdin, expected, actual = texts
";

/// A Python program checker that exits as the expected text tells it to (`exit 7` with a
/// score line, `exit 3`...), after checking that the three texts came through whole.
const EXIT_RULES: &str = "\
how = expected.split()
if how[0] == 'points':
    print(how[1]); print('partly'); sys.exit(7)
print(f'{how[1]} for {actual!r}')
sys.exit(int(how[0]))
";

#[tokio::test]
async fn a_program_checker_answers_by_testlib_exit_codes() {
    let stack = Stack::start().await;
    let test = |expected: &str| json!({"input": "x\n5 3\n", "expected_output": expected});
    let result = result_of(
        &stack,
        json!({
            "language": "python",
            "code": "import sys\nprint(sys.stdin.read().split()[1])",
            "checker": {"language": "python", "code": format!("{READ_TEXTS}{EXIT_RULES}"),
                        "function_name": null},
            "test_cases": [test("0 fine"), test("1 wrong"), test("2 layout"),
                           test("points 0.25"), test("3 broken"), test("points 9"),
                           test("4 odd")]
        }),
    )
    .await;
    assert_eq!(
        statuses(&result),
        [
            "accepted",
            "wrong_answer",
            "wrong_answer",
            "accepted",
            "internal_error",
            "internal_error",
            "internal_error"
        ]
    );
    let results = &result["results"];
    assert_eq!(
        results[0]["message"], "fine for '5\\n'",
        "the program's output, whole"
    );
    assert_eq!(results[3]["score"], 0.25);
    assert_eq!(results[3]["message"], "partly");
    assert!(results[4]["error"]
        .as_str()
        .unwrap()
        .contains("exit code 3"));
    assert!(results[5]["error"]
        .as_str()
        .unwrap()
        .contains("not a score"));
    assert!(results[6]["error"].as_str().unwrap().contains("code 4"));
    assert_eq!(result["score"], 1.25);
}

/// A Python function returning its argument, its `tests` judged by the Python `checker`.
fn identity_checked_by(checker: &str, tests: Vec<Value>) -> Value {
    json!({
        "language": "python",
        "code": "def f(x):\n    return x",
        "function_name": "f",
        "checker": {"language": "python", "code": checker},
        "test_cases": tests
    })
}

#[tokio::test]
async fn hostile_checkers_fail_their_own_checks_and_the_engine_keeps_serving() {
    let stack = Stack::start().await;
    // Each checker misbehaves as the test's expected text asks.
    let checker = "\
import os, sys
def check(input, expected_output, actual_output):
    how = expected_output
    if how == 'loop':
        while True: pass
    if how == 'flood':
        return 'x' * (10 << 20)
    if how == 'print':
        sys.stdout.write('{\"event\": \"test\", \"index\": 0, \"value\": \"true\"}\\n')
        return False
    if how == 'forge':
        return 'accepted'
    if how == 'score':
        return {'passed': True, 'score': 5}
    if how == 'die':
        os.kill(os.getpid(), 9)
    if how == 'memory':
        return len(bytearray(1 << 40))
    return True
";
    let tests: Vec<Value> = [
        "loop", "fine", "flood", "print", "forge", "score", "die", "memory", "fine",
    ]
    .iter()
    .map(|how| json!({"input": [1], "expected_output": how}))
    .collect();
    let result = result_of(&stack, identity_checked_by(checker, tests)).await;
    let errors: Vec<String> = result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["error"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        statuses(&result),
        [
            "internal_error",
            "accepted",
            "internal_error",
            "wrong_answer",
            "internal_error",
            "internal_error",
            "internal_error",
            "internal_error",
            "accepted"
        ],
        "{errors:?}"
    );
    assert!(errors[0].contains("ran past its limit"), "{}", errors[0]);
    assert!(errors[2].contains("larger than its limit"), "{}", errors[2]);
    assert!(errors[4].contains("returned \"accepted\""), "{}", errors[4]);
    assert!(errors[5].contains("score"), "{}", errors[5]);
    assert!(errors[7].contains("memory"), "{}", errors[7]);
    assert_eq!(result["status"], "internal_error");

    // A checker that does not compile fails every check, once, and says why.
    let tests = vec![
        json!({"input": [1], "expected_output": "1"}),
        json!({"input": [2], "expected_output": "2"}),
    ];
    let result = result_of(&stack, identity_checked_by("def check(:", tests)).await;
    assert_eq!(statuses(&result), ["internal_error", "internal_error"]);
    assert!(result["results"][1]["error"]
        .as_str()
        .unwrap()
        .starts_with("the checker did not compile or load"));
    // The engine serves on.
    let id = stack
        .accept(&crate::spec_examples::example(exec_engine::Language::Python).request)
        .await;
    let (_, state) = stack.state(&id, Some(60)).await;
    assert_eq!(state["result"]["status"], "accepted");
}

#[tokio::test]
async fn hostile_code_cannot_sway_its_checker() {
    let stack = Stack::start().await;
    // Output made to look like the checker's framing, its verdicts and its answers.
    let code = "\
import sys
how = sys.stdin.read()
if how == 'frame':
    sys.stdout.write('3\\nabc\\n0\\n\\n')
elif how == 'verdict':
    print('{\"passed\": true, \"score\": 1}')
    sys.exit(0)
else:
    print('5')
";
    let checker = format!(
        "{READ_TEXTS}print('saw ' + repr(actual))\nsys.exit(0 if actual.strip() == expected else 1)\n"
    );
    let result = result_of(
        &stack,
        json!({
            "language": "python",
            "code": code,
            "checker": {"language": "python", "code": checker, "function_name": null},
            "test_cases": [
                {"input": "frame", "expected_output": "5"},
                {"input": "verdict", "expected_output": "5"},
                {"input": "plain", "expected_output": "5"}
            ]
        }),
    )
    .await;
    assert_eq!(
        statuses(&result),
        ["wrong_answer", "wrong_answer", "accepted"]
    );
    assert_eq!(result["results"][0]["message"], "saw '3\\nabc\\n0\\n\\n'");
}

#[tokio::test]
async fn a_checker_is_refused_by_name_when_it_is_not_one() {
    let stack = Stack::start().await;
    for (checker, field) in [
        (
            json!({"language": "cobol", "code": "x"}),
            "checker.language",
        ),
        (json!({"language": "python", "code": ""}), "checker.code"),
        (
            json!({"language": "python", "code": "x", "function_name": "a b"}),
            "checker.function_name",
        ),
        (
            json!({"language": "python", "code": "x", "limit": 1}),
            "checker.limit",
        ),
    ] {
        let mut body = crate::spec_examples::example(exec_engine::Language::Python).request;
        body["checker"] = checker;
        let (status, answer) = stack.submit(&body).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["field"], field, "{answer}");
    }
}

#[tokio::test]
async fn a_checker_may_be_written_in_another_language_than_the_code() {
    use crate::conformance::{extension, languages_under_test};
    // A checker's language is one the deployment serves, and the code here is Python.
    let mut languages = languages_under_test();
    if !languages.contains(&exec_engine::Language::Python) {
        languages.push(exec_engine::Language::Python);
    }
    let stack = Stack::start_with(crate::stack::StackOptions {
        languages: languages.clone(),
        ..crate::stack::StackOptions::default()
    })
    .await;
    let problem = crate::repo_path("tests/conformance/checker_valid_pair");
    let read = |name: &str| std::fs::read_to_string(problem.join(name)).unwrap();
    // The Python worker runs each checker in its own language's sandbox.
    for language in languages {
        let checker = read(&format!("checker.{}", extension(language)));
        let result = result_of(
            &stack,
            json!({
                "language": "python",
                "code": read("solution.py"),
                "function_name": "pair_with_sum",
                "checker": {"language": language.as_str(), "code": checker},
                "test_cases": [
                    {"input": [[3, 2, 4, 3], 6], "expected_output": "[0,3]"},
                    {"input": [[1, 2, 3], 5], "expected_output": "none"},
                    {"input": [[5, 5], 10], "expected_output": "half"}
                ]
            }),
        )
        .await;
        assert_eq!(
            statuses(&result),
            ["accepted", "wrong_answer", "accepted"],
            "a {language} checker: {result}"
        );
        assert_eq!(result["score"], 1.5, "a {language} checker");
        assert_eq!(result["results"][1]["message"], "expected no pair");
    }
}

#[tokio::test]
async fn a_problem_registered_once_judges_the_submissions_that_name_it() {
    let stack = Stack::start().await;
    let problem = json!({"checker": {"language": "python", "code": PAIR_CHECKER}});
    let (status, registered) = stack.put_json("/problems/pair-sum", &problem).await;
    assert_eq!(status, 200, "{registered}");
    assert_eq!(registered["checker"]["function_name"], "check");
    let (status, read) = stack.get("/problems/pair-sum").await;
    assert_eq!((status, &read), (200, &registered));

    let submission = |extra: Value| {
        let mut body = json!({
            "language": "python",
            "code": "def pair(nums, target):\n    return [1, 2]",
            "function_name": "pair",
            "problem": "pair-sum",
            "test_cases": [{"input": [[3, 2, 4, 3], 6], "expected_output": "[0, 3]"}]
        });
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let result = result_of(&stack, submission(json!({}))).await;
    assert_eq!(
        statuses(&result),
        ["accepted"],
        "judged by the problem's checker"
    );
    assert_eq!(result["results"][0]["message"], "a valid pair");
    // A checker of the submission's own wins over its problem's.
    let own =
        json!({"checker": {"language": "python", "code": "def check(i, e, a):\n    return False"}});
    let result = result_of(&stack, submission(own)).await;
    assert_eq!(statuses(&result), ["wrong_answer"]);

    let (status, answer) = stack
        .submit(&submission(json!({"problem": "nobody-made-it"})))
        .await;
    assert_eq!(
        (status, answer["error"].as_str(), answer["field"].as_str()),
        (404, Some("problem_not_found"), Some("problem")),
        "{answer}"
    );
    let (status, _) = stack.submit(&submission(json!({"problem": "a b"}))).await;
    assert_eq!(status, 422);
    let (status, _) = stack.get("/problems/nobody-made-it").await;
    assert_eq!(status, 404);
    let (status, _) = stack.put_json("/problems/a.b", &problem).await;
    assert_eq!(status, 400, "a name is letters, digits, _ and -");
    let (status, answer) = stack
        .put_json("/problems/x", &json!({"checker": {"language": "python"}}))
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (422, Some("checker.code")),
        "{answer}"
    );
}
