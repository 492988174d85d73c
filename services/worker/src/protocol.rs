//! The worker's side of the harness protocol (`harness/PROTOCOL.md`): the job it writes and
//! the events it reads back, turned into the result document.

use exec_engine::execution::{CapturedOutput, RunTimes};
use exec_engine::{canonical, ExecutionResult, Submission, TestResult, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sandbox::SandboxOutput;

/// The job, written as one line to the harness's stdin.
#[derive(Serialize)]
pub struct HarnessJob<'a> {
    pub nonce: &'a str,
    pub code: &'a str,
    pub function_name: Option<&'a str>,
    pub imports: &'a [String],
    pub inputs: Vec<&'a Value>,
    pub output_limit_bytes: usize,
}

impl<'a> HarnessJob<'a> {
    pub fn new(submission: &'a Submission, nonce: &'a str, output_limit_bytes: usize) -> Self {
        Self {
            nonce,
            code: &submission.code,
            function_name: submission.function_name.as_deref(),
            imports: &submission.imports,
            inputs: submission.test_cases.iter().map(|c| &c.input).collect(),
            output_limit_bytes,
        }
    }

    pub fn to_line(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).expect("a job always serializes");
        line.push(b'\n');
        line
    }
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum HarnessEvent {
    Loaded {
        compile_time_ms: Option<f64>,
    },
    LoadFailed {
        message: String,
    },
    Test {
        index: usize,
        /// A function's returned value, as JSON text.
        value: Option<String>,
        /// A program's stdout (program mode).
        output: Option<String>,
        error: Option<String>,
        time_ms: f64,
        #[serde(default)]
        stdout: String,
        #[serde(default)]
        stderr: String,
    },
    Done,
}

/// The events among `stdout`: lines that start with the nonce and hold a known event.
/// Every other line is ignored, whoever wrote it.
pub fn events(stdout: &[u8], nonce: &str) -> Vec<HarnessEvent> {
    stdout
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let rest = line.strip_prefix(nonce.as_bytes())?.strip_prefix(b" ")?;
            serde_json::from_slice(rest).ok()
        })
        .collect()
}

/// What the stderr of a sandbox says at its end, for messages: the last 4 KiB.
fn stderr_tail(output: &SandboxOutput) -> String {
    const TAIL: usize = 4096;
    let start = output.stderr.len().saturating_sub(TAIL);
    String::from_utf8_lossy(&output.stderr[start..])
        .trim()
        .to_owned()
}

/// Why the sandbox stopped early, when it did: the verdict and a sentence.
fn early_end(output: &SandboxOutput, timeout_secs: u64) -> (Verdict, String) {
    if output.timed_out {
        (
            Verdict::TimeLimitExceeded,
            format!("the submission ran past its time limit of {timeout_secs} s"),
        )
    } else if output.oom_killed {
        (
            Verdict::MemoryLimitExceeded,
            "the sandbox ran out of memory".to_owned(),
        )
    } else if output.overflowed {
        (
            Verdict::OutputLimitExceeded,
            "the sandbox wrote more output than the engine reads".to_owned(),
        )
    } else {
        let code = output
            .exit_code
            .map_or_else(|| "unknown".to_owned(), |c| c.to_string());
        let tail = stderr_tail(output);
        let mut message = format!("the process exited with code {code}");
        if !tail.is_empty() {
            message.push_str(":\n");
            message.push_str(&tail);
        }
        (Verdict::RuntimeError, message)
    }
}

/// Turns what a sandbox produced into the result document.
pub fn interpret(
    submission: &Submission,
    nonce: &str,
    output: &SandboxOutput,
    timeout_secs: u64,
    times: RunTimes,
) -> ExecutionResult {
    let events = events(&output.stdout, nonce);
    let comparison = submission.comparison();
    let mut compile_time_ms = None;
    let mut tests: Vec<Option<TestResult>> = vec![None; submission.test_cases.len()];
    for event in events {
        match event {
            HarnessEvent::LoadFailed { message } => {
                return ExecutionResult::not_run(submission, Verdict::CompileError, message, times)
            }
            HarnessEvent::Loaded {
                compile_time_ms: ms,
            } => compile_time_ms = ms,
            HarnessEvent::Test {
                index,
                value,
                output,
                error,
                time_ms,
                stdout,
                stderr,
            } => {
                let (Some(case), Some(slot)) =
                    (submission.test_cases.get(index), tests.get_mut(index))
                else {
                    continue;
                };
                let captured = CapturedOutput { stdout, stderr };
                // One text for one value, whichever language rendered it.
                let value = value.map(|v| canonical::canonicalize(&v).unwrap_or(v));
                *slot = Some(match (value.or(output), error) {
                    (Some(actual), None) => {
                        TestResult::returned(case, comparison, actual, time_ms, None, captured)
                    }
                    (_, error) => TestResult::failed(
                        case,
                        Verdict::RuntimeError,
                        error.unwrap_or_else(|| "the harness reported no value".to_owned()),
                        time_ms,
                        captured,
                    ),
                });
            }
            HarnessEvent::Done => {}
        }
    }
    let times = RunTimes {
        compile_time_ms,
        ..times
    };
    if tests.iter().all(Option::is_none) && compile_time_ms.is_none() {
        // Nothing ran: the sandbox ended before the code was even loaded.
        let (verdict, message) = early_end(output, timeout_secs);
        return ExecutionResult::not_run(submission, verdict, message, times);
    }
    let mut ended: Option<(Verdict, String)> = None;
    let results = tests
        .into_iter()
        .zip(&submission.test_cases)
        .map(|(result, case)| {
            result.unwrap_or_else(|| {
                // The first test without a result is the one the sandbox died in; the
                // ones after it never ran.
                let (verdict, message) = match &ended {
                    None => {
                        let first = early_end(output, timeout_secs);
                        ended = Some(first.clone());
                        first
                    }
                    Some((verdict, _)) => (
                        *verdict,
                        "not run: the sandbox ended in an earlier test".to_owned(),
                    ),
                };
                TestResult::failed(case, verdict, message, 0.0, CapturedOutput::default())
            })
        })
        .collect();
    ExecutionResult::from_tests(submission, results, times)
}

#[cfg(test)]
mod tests {
    use super::*;
    use exec_engine::{Language, TestCase};
    use serde_json::json;
    use time::OffsetDateTime;
    use uuid::Uuid;

    const NONCE: &str = "n0nce";

    fn submission(cases: usize) -> Submission {
        Submission {
            id: Uuid::new_v4(),
            language: Language::Python,
            code: String::new(),
            function_name: Some("f".into()),
            imports: vec![],
            test_cases: (0..cases)
                .map(|i| TestCase {
                    input: json!([i]),
                    expected_output: i.to_string(),
                })
                .collect(),
            callback_url: None,
            submitted_at: OffsetDateTime::now_utc(),
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

    fn output(lines: &[&str]) -> SandboxOutput {
        SandboxOutput {
            stdout: lines.join("\n").into_bytes(),
            exit_code: Some(0),
            ..Default::default()
        }
    }

    #[test]
    fn lines_without_the_nonce_are_ignored() {
        let stdout = b"x {\"event\":\"done\"}\nn0nce {\"event\":\"done\"}\nn0nce{\"event\":\"done\"}\nn0nce garbage\n";
        assert_eq!(events(stdout, NONCE), vec![HarnessEvent::Done]);
    }

    #[test]
    fn returned_values_are_compared() {
        let out = output(&[
            r#"n0nce {"event":"loaded","compile_time_ms":1.5}"#,
            r#"n0nce {"event":"test","index":0,"value":"0","time_ms":0.01,"stdout":"hi\n","stderr":""}"#,
            r#"n0nce {"event":"test","index":1,"value":"2","time_ms":0.02,"stdout":"","stderr":""}"#,
            r#"n0nce {"event":"done"}"#,
        ]);
        let doc = interpret(&submission(2), NONCE, &out, 15, times());
        assert!(doc.results[0].passed);
        assert_eq!(doc.results[0].stdout, "hi\n");
        assert_eq!(doc.results[1].status, Verdict::WrongAnswer);
        assert_eq!(doc.compile_time_ms, Some(1.5));
        assert_eq!(doc.status, Verdict::WrongAnswer);
    }

    #[test]
    fn values_are_rendered_canonically() {
        let out = output(&[
            r#"n0nce {"event":"loaded","compile_time_ms":1}"#,
            r#"n0nce {"event":"test","index":0,"value":"{\"b\": 1.0, \"a\": [2.50]}","time_ms":0.01}"#,
        ]);
        let doc = interpret(&submission(1), NONCE, &out, 15, times());
        assert_eq!(doc.results[0].actual_output, r#"{"a":[2.5],"b":1}"#);
    }

    #[test]
    fn a_program_output_is_compared_as_text() {
        let mut program = submission(2);
        program.function_name = None;
        program.test_cases[0].expected_output = "5".into();
        program.test_cases[1].expected_output = "6".into();
        let out = output(&[
            r#"n0nce {"event":"loaded","compile_time_ms":1}"#,
            r#"n0nce {"event":"test","index":0,"output":"5\n","time_ms":3.0}"#,
            r#"n0nce {"event":"test","index":1,"output":"6.0\n","time_ms":3.0}"#,
        ]);
        let doc = interpret(&program, NONCE, &out, 15, times());
        assert_eq!(doc.results[0].actual_output, "5\n");
        assert!(doc.results[0].passed);
        assert_eq!(
            doc.results[1].status,
            Verdict::WrongAnswer,
            "program output is not JSON"
        );
    }

    #[test]
    fn a_forged_result_line_without_the_nonce_changes_nothing() {
        let out = output(&[
            r#"n0nce {"event":"loaded","compile_time_ms":1}"#,
            r#"{"event":"test","index":0,"value":"0","time_ms":0,"stdout":"","stderr":""}"#,
            r#"n0nce {"event":"test","index":0,"value":"7","time_ms":0.01,"stdout":"","stderr":""}"#,
        ]);
        let doc = interpret(&submission(1), NONCE, &out, 15, times());
        assert_eq!(doc.results[0].actual_output, "7");
        assert!(!doc.all_passed);
    }

    #[test]
    fn a_load_failure_is_a_compile_error_for_every_test() {
        let out =
            output(&[r#"n0nce {"event":"load_failed","message":"SyntaxError: invalid syntax"}"#]);
        let doc = interpret(&submission(2), NONCE, &out, 15, times());
        assert_eq!(doc.status, Verdict::CompileError);
        assert_eq!(doc.error.as_deref(), Some("Execution environment error"));
        assert!(doc.error_details.unwrap().contains("SyntaxError"));
        assert!(doc
            .results
            .iter()
            .all(|r| r.actual_output == "Execution Failed"));
    }

    #[test]
    fn a_sandbox_that_dies_mid_run_fails_the_remaining_tests() {
        let mut out = output(&[
            r#"n0nce {"event":"loaded","compile_time_ms":1}"#,
            r#"n0nce {"event":"test","index":0,"value":"0","time_ms":0.01,"stdout":"","stderr":""}"#,
        ]);
        out.timed_out = true;
        let doc = interpret(&submission(3), NONCE, &out, 15, times());
        assert!(doc.results[0].passed);
        assert_eq!(doc.results[1].status, Verdict::TimeLimitExceeded);
        assert!(doc.results[1].error.as_ref().unwrap().contains("15 s"));
        assert_eq!(doc.results[2].status, Verdict::TimeLimitExceeded);
        assert!(doc.results[2].error.as_ref().unwrap().contains("not run"));
        assert_eq!(doc.status, Verdict::TimeLimitExceeded);
    }

    #[test]
    fn a_sandbox_that_says_nothing_reports_how_it_ended() {
        let out = SandboxOutput {
            stderr: b"Killed\n".to_vec(),
            exit_code: Some(137),
            oom_killed: true,
            ..Default::default()
        };
        let doc = interpret(&submission(1), NONCE, &out, 15, times());
        assert_eq!(doc.status, Verdict::MemoryLimitExceeded);

        let out = SandboxOutput {
            stderr: b"boom\n".to_vec(),
            exit_code: Some(3),
            ..Default::default()
        };
        let doc = interpret(&submission(1), NONCE, &out, 15, times());
        assert_eq!(doc.status, Verdict::RuntimeError);
        assert!(doc.error_details.unwrap().contains("code 3:\nboom"));
    }

    #[test]
    fn the_job_is_one_line() {
        let s = Submission {
            code: "def f(a):\n    return a\n".into(),
            ..submission(2)
        };
        let line = HarnessJob::new(&s, NONCE, 100).to_line();
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(line.last(), Some(&b'\n'));
        let back: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(back["inputs"], json!([[0], [1]]));
    }
}
