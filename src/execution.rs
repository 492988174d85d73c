//! The result document: the callback body, the `GET` body and the NATS payload.
//!
//! The original specification's fields keep their names, types and meaning; the fields
//! added beside them (`status`, `time_ms`, `memory_kb`, `stdout`, `stderr`, ...) only add.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::checker::Judgement;
use crate::compare::Comparison;
use crate::exact_json::ExactJson;
use crate::{Language, Submission, TestCase, Verdict};

/// What `actual_output` says for a test that produced no value, as the original
/// specification shows.
pub const EXECUTION_FAILED: &str = "Execution Failed";
/// What `time` says for a test that never ran, as the original specification shows.
pub const NOT_RUN_TIME: &str = "0.0 ms";
/// What `memory` says where no figure was measured.
pub const NOT_MEASURED: &str = "N/A";
/// What ends a text cut so that the document fits the broker's payload limit.
const CUT_NOTE: &str = "[cut: the result document was larger than the broker takes]";
/// How much of a cut text is kept.
const KEPT_WHEN_CUT: usize = 256;

/// The result document: POSTed to the callback, answered by `GET /executions/{id}`,
/// published on `exec.result.<id>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct ExecutionResult {
    pub id: Uuid,
    /// One per test case, in order.
    pub results: Vec<TestResult>,
    pub all_passed: bool,
    /// The weights of the tests passed (each test weighs 1 unless it says otherwise).
    #[serde(default)]
    pub score: f64,
    /// Why the submission did not run to the end (`Execution environment error`), if so.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub error: Option<String>,
    /// The compiler's or the runtime's message, if any.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub error_details: Option<String>,
    pub status: Verdict,
    pub language: Language,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub compile_time_ms: Option<f64>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// The id of the API key the submission came with, where keys are in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub key_id: Option<String>,
}

/// One test's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct TestResult {
    pub input: ExactJson,
    pub expected_output: String,
    pub actual_output: String,
    pub passed: bool,
    /// `time_ms` as the original specification writes it: `"0.0457 ms"`.
    pub time: String,
    /// `memory_kb` as text (`"1234 KB"`), or `"N/A"` where nothing was measured.
    pub memory: String,
    pub status: Verdict,
    pub time_ms: f64,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub memory_kb: Option<u64>,
    /// What the code printed during this test, capped by the worker.
    pub stdout: String,
    pub stderr: String,
    /// Why the test produced no value (exception, signal, limit), when it did not.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub error: Option<String>,
    /// What it added to the score: its weight if it passed (times the checker's score,
    /// where a checker gave one), else 0.
    #[serde(default)]
    pub score: f64,
    /// What the submission's checker said of this test, where it said something.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(skip_serializing_if_is_none))]
    pub message: Option<String>,
}

/// What the user's code printed while a test ran.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CapturedOutput {
    pub stdout: String,
    pub stderr: String,
}

impl TestResult {
    /// A test that produced `actual_output`: a function's returned value as canonical JSON
    /// text, or a program's stdout, judged by `comparison`.
    pub fn returned(
        case: &TestCase,
        comparison: Comparison,
        actual_output: String,
        time_ms: f64,
        memory_kb: Option<u64>,
        output: CapturedOutput,
    ) -> Self {
        let passed = comparison.matches(&actual_output, &case.expected_output);
        let score = if passed { case.weight } else { 0.0 };
        Self {
            input: case.input.clone(),
            expected_output: case.expected_output.clone(),
            actual_output,
            passed,
            time: format_time(time_ms),
            memory: format_memory(memory_kb),
            status: if passed {
                Verdict::Accepted
            } else {
                Verdict::WrongAnswer
            },
            time_ms,
            memory_kb,
            stdout: output.stdout,
            stderr: output.stderr,
            error: None,
            score,
            message: None,
        }
    }

    /// This test as its checker judged it (`Err`: the checker failed, which says nothing
    /// of the code: `internal_error`, never a verdict on it).
    pub fn checked(self, case: &TestCase, judged: Result<Judgement, String>) -> Self {
        match judged {
            Ok(judgement) => Self {
                passed: judgement.passed,
                status: if judgement.passed {
                    Verdict::Accepted
                } else {
                    Verdict::WrongAnswer
                },
                score: case.weight * judgement.score,
                message: judgement.message,
                ..self
            },
            Err(why) => Self {
                passed: false,
                status: Verdict::InternalError,
                score: 0.0,
                error: Some(why),
                ..self
            },
        }
    }

    /// A test that produced no value: it raised, crashed, ran out of a limit or never ran.
    pub fn failed(
        case: &TestCase,
        status: Verdict,
        error: String,
        time_ms: f64,
        output: CapturedOutput,
    ) -> Self {
        Self {
            input: case.input.clone(),
            expected_output: case.expected_output.clone(),
            actual_output: EXECUTION_FAILED.to_owned(),
            passed: false,
            time: format_time(time_ms),
            memory: NOT_MEASURED.to_owned(),
            status,
            time_ms,
            memory_kb: None,
            stdout: output.stdout,
            stderr: output.stderr,
            error: Some(error),
            score: 0.0,
            message: None,
        }
    }
}

impl TestResult {
    /// Cuts this test's long texts (its printed output, value and error) to their start.
    fn cut_texts(&mut self) {
        let texts = [&mut self.stdout, &mut self.stderr, &mut self.actual_output];
        for text in texts.into_iter().chain(self.error.as_mut()) {
            cut(text);
        }
    }
}

fn cut(text: &mut String) {
    if text.len() <= KEPT_WHEN_CUT + CUT_NOTE.len() {
        return;
    }
    let mut end = KEPT_WHEN_CUT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push('\n');
    text.push_str(CUT_NOTE);
}

fn json_len<T: Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |json| json.len())
}

/// The timing fields that frame a run.
#[derive(Clone, Copy, Debug)]
pub struct RunTimes {
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    pub compile_time_ms: Option<f64>,
}

impl RunTimes {
    /// Times for a run that ends as it starts: nothing ran.
    pub fn now() -> Self {
        let now = OffsetDateTime::now_utc();
        Self {
            started_at: now,
            finished_at: now,
            compile_time_ms: None,
        }
    }
}

impl ExecutionResult {
    /// The document for a submission whose tests ran, each to its own result.
    pub fn from_tests(submission: &Submission, results: Vec<TestResult>, times: RunTimes) -> Self {
        let failing = results.iter().find(|r| !r.passed);
        let status = failing.map_or(Verdict::Accepted, |r| r.status);
        let error_details = failing.and_then(|r| r.error.clone());
        Self {
            id: submission.id,
            all_passed: failing.is_none(),
            score: results.iter().map(|r| r.score).sum(),
            error: status.error_label().map(str::to_owned),
            error_details: status.error_label().and(error_details),
            status,
            results,
            language: submission.language,
            compile_time_ms: times.compile_time_ms,
            submitted_at: submission.submitted_at,
            started_at: times.started_at,
            finished_at: times.finished_at,
            key_id: submission.key_id.clone(),
        }
    }

    /// The document for a submission that never reached its tests (a compile or syntax
    /// error, a missing function, a sandbox that could not run): every test fails with the
    /// same `status`, as the original specification's error example shows.
    pub fn not_run(
        submission: &Submission,
        status: Verdict,
        details: String,
        times: RunTimes,
    ) -> Self {
        let results = submission
            .test_cases
            .iter()
            .map(|case| TestResult {
                time: NOT_RUN_TIME.to_owned(),
                ..TestResult::failed(
                    case,
                    status,
                    details.clone(),
                    0.0,
                    CapturedOutput::default(),
                )
            })
            .collect();
        Self {
            id: submission.id,
            results,
            all_passed: false,
            score: 0.0,
            error: Some(
                status
                    .error_label()
                    .unwrap_or("Execution environment error")
                    .to_owned(),
            ),
            error_details: Some(details),
            status,
            language: submission.language,
            compile_time_ms: times.compile_time_ms,
            submitted_at: submission.submitted_at,
            started_at: times.started_at,
            finished_at: times.finished_at,
            key_id: submission.key_id.clone(),
        }
    }
}

impl ExecutionResult {
    /// Makes the document's JSON fit in `max_bytes`: long texts are cut test by test, from
    /// the last test back, each ending in a note; then `error_details`, then the echoed
    /// inputs. Verdicts stay as they were. Returns whether anything was cut.
    pub fn fit_within(&mut self, max_bytes: usize) -> bool {
        let mut size = json_len(self);
        if size <= max_bytes {
            return false;
        }
        for test in self.results.iter_mut().rev() {
            let before = json_len(test);
            test.cut_texts();
            size = size - before + json_len(test);
            if size <= max_bytes {
                return true;
            }
        }
        if let Some(details) = self.error_details.as_mut() {
            cut(details);
        }
        for test in self.results.iter_mut().rev() {
            if json_len(&test.input) > KEPT_WHEN_CUT {
                test.input = ExactJson::string(CUT_NOTE);
            }
        }
        true
    }
}

/// `0.0457` becomes `"0.0457 ms"`, the original specification's form.
pub fn format_time(ms: f64) -> String {
    format!("{ms:.4} ms")
}

fn format_memory(kb: Option<u64>) -> String {
    kb.map_or_else(|| NOT_MEASURED.to_owned(), |kb| format!("{kb} KB"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn submission() -> Submission {
        Submission {
            id: Uuid::new_v4(),
            language: Language::Python,
            code: "def f(a): return a".into(),
            function_name: Some("f".into()),
            imports: vec![],
            test_cases: vec![
                TestCase {
                    input: (&json!([2])).into(),
                    expected_output: "2".into(),
                    comparison: None,
                    weight: 1.0,
                },
                TestCase {
                    input: (&json!([3])).into(),
                    expected_output: "4".into(),
                    comparison: None,
                    weight: 1.0,
                },
            ],
            callback_url: None,
            key_id: None,
            comparison: None,
            stop_on_first_failure: false,
            args: Vec::new(),
            files: Vec::new(),
            checker: None,
            problem: None,
            submitted_at: OffsetDateTime::now_utc(),
            time_limit_ms: None,
            memory_limit_mb: None,
        }
    }

    fn times() -> RunTimes {
        let now = OffsetDateTime::now_utc();
        RunTimes {
            started_at: now,
            finished_at: now,
            compile_time_ms: None,
        }
    }

    #[test]
    fn time_has_the_specification_format() {
        assert_eq!(format_time(0.0457), "0.0457 ms");
        assert_eq!(format_time(0.0), "0.0000 ms");
        assert_eq!(format_time(12.5), "12.5000 ms");
    }

    #[test]
    fn a_wrong_answer_is_not_an_error() {
        let s = submission();
        let results = s
            .test_cases
            .iter()
            .map(|c| {
                TestResult::returned(
                    c,
                    Comparison::returned_value(),
                    "2".into(),
                    0.01,
                    None,
                    CapturedOutput::default(),
                )
            })
            .collect();
        let doc = ExecutionResult::from_tests(&s, results, times());
        assert!(doc.results[0].passed);
        assert!(!doc.results[1].passed);
        assert_eq!(doc.results[1].status, Verdict::WrongAnswer);
        assert!(!doc.all_passed);
        assert_eq!(doc.status, Verdict::WrongAnswer);
        assert_eq!(doc.error, None);
        assert_eq!(doc.error_details, None);
    }

    #[test]
    fn a_runtime_error_fills_error_and_details() {
        let s = submission();
        let results = vec![
            TestResult::returned(
                &s.test_cases[0],
                Comparison::returned_value(),
                "2".into(),
                0.01,
                None,
                CapturedOutput::default(),
            ),
            TestResult::failed(
                &s.test_cases[1],
                Verdict::RuntimeError,
                "ZeroDivisionError: division by zero".into(),
                0.02,
                CapturedOutput::default(),
            ),
        ];
        let doc = ExecutionResult::from_tests(&s, results, times());
        assert_eq!(doc.status, Verdict::RuntimeError);
        assert_eq!(doc.error.as_deref(), Some("Runtime error"));
        assert_eq!(
            doc.error_details.as_deref(),
            Some("ZeroDivisionError: division by zero")
        );
        assert_eq!(doc.results[1].actual_output, EXECUTION_FAILED);
    }

    #[test]
    fn a_compile_error_reads_like_the_specification_example() {
        let s = submission();
        let doc = ExecutionResult::not_run(
            &s,
            Verdict::CompileError,
            "SyntaxError: invalid syntax".into(),
            times(),
        );
        let body = serde_json::to_value(&doc).unwrap();
        assert_eq!(body["error"], "Execution environment error");
        assert_eq!(body["all_passed"], false);
        assert_eq!(body["status"], "compile_error");
        for r in body["results"].as_array().unwrap() {
            assert_eq!(r["actual_output"], "Execution Failed");
            assert_eq!(r["passed"], false);
            assert_eq!(r["time"], "0.0 ms");
            assert_eq!(r["memory"], "N/A");
        }
    }

    #[test]
    fn a_document_too_large_is_cut_from_its_last_test_back_keeping_verdicts() {
        let s = submission();
        let big = "\u{1}".repeat(10_000); // six bytes each once escaped
        let tests: Vec<TestResult> = (0..20)
            .map(|i| TestResult {
                stdout: big.clone(),
                ..TestResult::failed(
                    &s.test_cases[0],
                    Verdict::RuntimeError,
                    format!("error {i}"),
                    1.0,
                    CapturedOutput::default(),
                )
            })
            .collect();
        let mut doc = ExecutionResult::from_tests(&s, tests, times());
        assert!(json_len(&doc) > 1_000_000);
        assert!(doc.fit_within(1_000_000));
        assert!(json_len(&doc) <= 1_000_000);
        assert_eq!(doc.results[0].stdout, big, "the first tests are whole");
        assert!(doc.results[19].stdout.ends_with(CUT_NOTE));
        assert!(doc
            .results
            .iter()
            .all(|r| r.status == Verdict::RuntimeError));
        assert!(
            !doc.fit_within(1_000_000),
            "nothing more to cut once it fits"
        );
    }

    #[test]
    fn the_score_is_the_weight_of_the_tests_passed() {
        let mut submission = submission();
        submission.test_cases[0].weight = 3.0;
        submission.test_cases[1].weight = 2.0;
        let results: Vec<TestResult> = submission
            .test_cases
            .iter()
            .map(|case| {
                TestResult::returned(
                    case,
                    Comparison::returned_value(),
                    "2".into(),
                    1.0,
                    None,
                    CapturedOutput::default(),
                )
            })
            .collect();
        assert_eq!((results[0].score, results[1].score), (3.0, 0.0));
        let doc = ExecutionResult::from_tests(&submission, results, RunTimes::now());
        assert_eq!(doc.score, 3.0);
        let not_run = ExecutionResult::not_run(
            &submission,
            Verdict::CompileError,
            "no".into(),
            RunTimes::now(),
        );
        assert_eq!(not_run.score, 0.0);
    }

    #[test]
    fn all_passed_is_accepted() {
        let s = submission();
        let results = vec![
            TestResult::returned(
                &s.test_cases[0],
                Comparison::returned_value(),
                "2.0".into(),
                0.01,
                Some(1234),
                CapturedOutput::default(),
            ),
            TestResult::returned(
                &s.test_cases[1],
                Comparison::returned_value(),
                "4".into(),
                0.01,
                None,
                CapturedOutput::default(),
            ),
        ];
        let doc = ExecutionResult::from_tests(&s, results, times());
        assert!(doc.all_passed);
        assert_eq!(doc.status, Verdict::Accepted);
        assert_eq!(doc.results[0].memory, "1234 KB");
        let back: ExecutionResult =
            serde_json::from_slice(&serde_json::to_vec(&doc).unwrap()).unwrap();
        assert_eq!(back, doc);
    }
}
