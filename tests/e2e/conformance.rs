//! Five languages that behave as one: every problem under `tests/conformance/` is solved in
//! each language and must give the same verdicts and the same `actual_output` everywhere,
//! and, where a problem names them, the same captures and error text to the byte: the
//! golden test that every sandbox image speaks `harness/PROTOCOL.md` the same way.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use exec_engine::Language;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::stack::{test_cases, Stack, StackOptions};

#[derive(Deserialize)]
struct Problem {
    function_name: Option<String>,
    tests: Vec<ProblemTest>,
    status: String,
    /// A program's command-line arguments; its files are those under `files/<ext>/`.
    #[serde(default)]
    args: Vec<String>,
    /// Where the problem is judged by `checker.<ext>` (in the solution's language): the
    /// checker's `function_name` (null: a program checker).
    checker: Option<CheckerSpec>,
    /// The result's score, where the problem names it.
    score: Option<f64>,
}

#[derive(Deserialize)]
struct CheckerSpec {
    function_name: Option<String>,
}

#[derive(Deserialize)]
struct ProblemTest {
    input: Value,
    expected_output: String,
    actual_output: String,
    status: String,
    /// Where a problem names them, the captures and the error must be these, exactly: the
    /// protocol's one wording for caps and notes, whichever harness ran the code.
    stdout: Option<String>,
    stderr: Option<String>,
    error: Option<String>,
    /// How this test is judged, where the problem chooses (the same judge for every
    /// language, on the value each rendered).
    comparison: Option<Value>,
    /// The test's score and the checker's message, where the problem names them.
    score: Option<f64>,
    message: Option<String>,
}

/// Every file in `dir` (none if there is no such directory), as a submission's `files`, by
/// name.
pub fn files_in(dir: &std::path::Path) -> Vec<Value> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<Value> = entries
        .map(|entry| {
            let path = entry.unwrap().path();
            json!({
                "name": path.file_name().unwrap().to_string_lossy(),
                "content": std::fs::read_to_string(&path).unwrap(),
            })
        })
        .collect();
    files.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    files
}

fn problems_dir() -> PathBuf {
    crate::repo_path("tests/conformance")
}

pub fn extension(language: Language) -> &'static str {
    match language {
        Language::Python => "py",
        Language::Js => "js",
        Language::Java => "java",
        Language::Cpp => "cpp",
        Language::Go => "go",
    }
}

/// The languages whose sandbox images `make test` built (`E2E_LANGUAGES`, default python).
pub fn languages_under_test() -> Vec<Language> {
    let list = std::env::var("E2E_LANGUAGES").unwrap_or_else(|_| "python".into());
    exec_engine::language::parse_list(&list).expect("E2E_LANGUAGES names languages")
}

fn load_problems() -> BTreeMap<String, Problem> {
    let mut problems = BTreeMap::new();
    for entry in std::fs::read_dir(problems_dir()).unwrap() {
        let dir = entry.unwrap().path();
        let text = std::fs::read_to_string(dir.join("problem.json")).unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        problems.insert(name, serde_json::from_str(&text).unwrap());
    }
    problems
}

/// What a test's output must read, whatever the language: program output up to trailing
/// white space, everything else exactly.
fn comparable(problem: &Problem, output: &str) -> String {
    match problem.function_name {
        None => output.trim_end().to_owned(),
        Some(_) => output.to_owned(),
    }
}

#[tokio::test]
async fn every_problem_gives_the_same_results_in_every_language() {
    let languages = languages_under_test();
    let problems = load_problems();
    assert!(problems.len() >= 12, "at least 12 problems");
    let stack = Stack::start_with(StackOptions {
        languages: languages.clone(),
        ..StackOptions::default()
    })
    .await;
    let mut results = stack.subscribe("exec.result.>").await;

    let mut submitted = Vec::new();
    for (name, problem) in &problems {
        for &language in &languages {
            let path = problems_dir()
                .join(name)
                .join(format!("solution.{}", extension(language)));
            let code = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{} is missing", path.display()));
            let mut test_cases = test_cases(
                problem
                    .tests
                    .iter()
                    .map(|t| (&t.input, t.expected_output.as_str())),
            );
            for (case, test) in test_cases.iter_mut().zip(&problem.tests) {
                if let Some(comparison) = &test.comparison {
                    case["comparison"] = comparison.clone();
                }
            }
            let mut body = json!({
                "language": language.as_str(),
                "code": code,
                "function_name": problem.function_name,
                "test_cases": test_cases,
            });
            if problem.function_name.is_none() {
                body["args"] = json!(problem.args);
                let files = problems_dir()
                    .join(name)
                    .join("files")
                    .join(extension(language));
                body["files"] = json!(files_in(&files));
            }
            if let Some(checker) = &problem.checker {
                let path = problems_dir()
                    .join(name)
                    .join(format!("checker.{}", extension(language)));
                body["checker"] = json!({
                    "language": language.as_str(),
                    "code": std::fs::read_to_string(&path)
                        .unwrap_or_else(|_| panic!("{} is missing", path.display())),
                    "function_name": checker.function_name,
                });
            }
            let id = stack.accept(&body).await;
            submitted.push((name.clone(), language, id));
        }
    }

    let ids: Vec<String> = submitted.iter().map(|(_, _, id)| id.clone()).collect();
    let bodies = stack
        .results_for(&mut results, &ids, Duration::from_secs(600))
        .await;
    let mut failures = Vec::new();
    for (name, language, id) in &submitted {
        let problem = &problems[name];
        let body = &bodies[id].0;
        let mut check = |what: String, got: &Value, want: &str| {
            if got.as_str().map(|g| comparable(problem, g)) != Some(comparable(problem, want)) {
                failures.push(format!(
                    "{name} [{language}] {what}: got {got}, want {want:?}"
                ));
            }
        };
        check("status".into(), &body["status"], &problem.status);
        for (i, test) in problem.tests.iter().enumerate() {
            let result = &body["results"][i];
            check(format!("test {i} status"), &result["status"], &test.status);
            check(
                format!("test {i} actual_output"),
                &result["actual_output"],
                &test.actual_output,
            );
            if let Some(want) = test.score {
                let got = result["score"].as_f64().map(|s| s.to_string());
                check(format!("test {i} score"), &json!(got), &want.to_string());
            }
            for (field, want) in [
                ("stdout", &test.stdout),
                ("stderr", &test.stderr),
                ("error", &test.error),
                ("message", &test.message),
            ] {
                if let Some(want) = want {
                    check(format!("test {i} {field}"), &result[field], want);
                }
            }
        }
        if problem
            .score
            .is_some_and(|want| body["score"].as_f64() != Some(want))
        {
            failures.push(format!(
                "{name} [{language}] score: got {}, want {:?}",
                body["score"], problem.score
            ));
        }
        if body["status"] != problem.status.as_str() {
            failures.push(format!(
                "{name} [{language}] details: {}",
                body["error_details"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches across {} submissions:\n{}",
        failures.len(),
        submitted.len(),
        failures.join("\n")
    );
}
