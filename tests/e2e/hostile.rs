//! Hostile code: every limit holds, ends in a clear verdict within a bounded time, and the
//! engine keeps serving. The cases live under `tests/hostile/<language>_<name>/`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use exec_engine::Language;
use serde::Deserialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::conformance::{extension, files_in, languages_under_test};
use crate::stack::{test_cases, Stack, StackOptions};

#[derive(Deserialize)]
struct Case {
    language: Language,
    why: String,
    function_name: Option<String>,
    time_limit_ms: Option<u64>,
    memory_limit_mb: Option<u64>,
    tests: Vec<CaseTest>,
    max_seconds: u64,
    /// A program's arguments; its files are those under the case's `files/`.
    #[serde(default)]
    args: Vec<String>,
}

#[derive(Deserialize)]
struct CaseTest {
    input: Value,
    expected_output: String,
    /// The verdicts accepted for this test.
    status: Vec<String>,
}

fn cases_dir() -> PathBuf {
    crate::repo_path("tests/hostile")
}

/// The case folders, named `<language>_<what>`.
fn case_names() -> Vec<String> {
    std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The cases of `languages`, with their code.
fn load_cases(languages: &[Language]) -> BTreeMap<String, (Case, String)> {
    let mut cases = BTreeMap::new();
    for name in case_names() {
        let ours = languages
            .iter()
            .any(|l| name.starts_with(&format!("{}_", l.as_str())));
        if !ours {
            continue;
        }
        let dir = cases_dir().join(&name);
        let case: Case =
            serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap())
                .unwrap_or_else(|e| panic!("{name}/case.json: {e}"));
        let solution = dir.join(format!("solution.{}", extension(case.language)));
        let code = std::fs::read_to_string(&solution)
            .unwrap_or_else(|_| panic!("{} is missing", solution.display()));
        cases.insert(name, (case, code));
    }
    cases
}

fn processing_time(body: &Value) -> Duration {
    let at = |field: &str| {
        let text = body[field].as_str().expect("a timestamp");
        OffsetDateTime::parse(text, &Rfc3339).expect("an RFC 3339 timestamp")
    };
    (at("finished_at") - at("started_at")).unsigned_abs()
}

/// The engine's containers still there for `id` (by name: a pooled one is named after the
/// execution that claimed it), running or not, once the ones on their way out are gone: a
/// used sandbox is removed in the background, after its result is stored.
fn containers_of(id: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let output = Command::new("docker")
            .args(["ps", "-a", "-q", "--filter"])
            .arg(format!("name=exec-{id}-"))
            .output()
            .expect("the docker CLI runs");
        let left = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if left.is_empty() || std::time::Instant::now() >= deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test]
async fn hostile_code_gets_its_verdict_in_bounded_time_and_the_engine_keeps_serving() {
    let languages = languages_under_test();
    let count = case_names().len();
    assert!(count >= 25, "at least 25 hostile programs, found {count}");
    let cases = load_cases(&languages);
    let mut stack_languages = languages.clone();
    if !stack_languages.contains(&Language::Python) {
        stack_languages.push(Language::Python);
    }
    let stack = Stack::start_with(StackOptions {
        languages: stack_languages,
        ..StackOptions::default()
    })
    .await;
    let mut results = stack.subscribe("exec.result.>").await;

    let mut submitted = Vec::new();
    for (name, (case, code)) in &cases {
        let code = code.replace("{{GATEWAY_PORT}}", stack.gateway_port());
        let test_cases = test_cases(
            case.tests
                .iter()
                .map(|t| (&t.input, t.expected_output.as_str())),
        );
        let mut body = json!({
            "language": case.language.as_str(),
            "code": code,
            "function_name": case.function_name,
            "test_cases": test_cases,
            "time_limit_ms": case.time_limit_ms,
            "memory_limit_mb": case.memory_limit_mb,
        });
        if case.function_name.is_none() {
            body["args"] = json!(case.args);
            body["files"] = json!(files_in(&cases_dir().join(name).join("files")));
        }
        let id = stack.accept(&body).await;
        submitted.push((name.clone(), id));
    }
    let ids: Vec<String> = submitted.iter().map(|(_, id)| id.clone()).collect();
    let bodies = stack
        .results_for(&mut results, &ids, Duration::from_secs(900))
        .await;

    let mut failures = Vec::new();
    for (name, id) in &submitted {
        let (case, _) = &cases[name];
        let (body, _) = &bodies[id];
        // The engine's own time on the case, from its first sandbox's start to its result:
        // time spent queued behind the other cases is not the case's.
        let took = processing_time(body);
        if took > Duration::from_secs(case.max_seconds) {
            failures.push(format!(
                "{name}: took {took:?}, bound {} s",
                case.max_seconds
            ));
        }
        for (i, test) in case.tests.iter().enumerate() {
            let result = &body["results"][i];
            let status = result["status"].as_str().unwrap_or("missing");
            if !test.status.iter().any(|s| s == status) {
                failures.push(format!(
                    "{name} ({}) test {i}: {status}, want one of {:?}; actual {} error {}",
                    case.why, test.status, result["actual_output"], result["error"]
                ));
            }
        }
        let left = containers_of(id);
        if !left.is_empty() {
            failures.push(format!("{name}: containers left behind: {left}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases misbehaved:\n{}",
        failures.len(),
        submitted.len(),
        failures.join("\n")
    );

    // And the engine still serves an ordinary submission.
    let id = stack
        .accept(&json!({
            "language": "python",
            "code": "def add_numbers(a, b):\n    return a + b",
            "function_name": "add_numbers",
            "test_cases": [{"input": [2, 3], "expected_output": "5"}]
        }))
        .await;
    let (_, body) = stack.message_for(&mut results, &id).await;
    assert_eq!(body["status"], "accepted");
}
