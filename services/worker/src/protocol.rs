//! The worker's side of the sandbox protocol (`harness/PROTOCOL.md`): the job it writes to
//! the supervisor, the events it reads back, and [`Progress`], which turns them, and the
//! ways a sandbox may end, into the result document. No I/O here: the executor drives it.

use exec_engine::checker::{Actual, Checker, Judgement};
use exec_engine::exact_json::ExactJson;
use exec_engine::execution::{CapturedOutput, RunTimes};
use exec_engine::program::SourceFile;
use exec_engine::{canonical, ExecutionResult, Language, Submission, TestResult, Verdict};
use serde::{Deserialize, Serialize};

use std::time::Duration;

use crate::sandbox::Ending;

/// What a sandbox loads: a submission's code, or its checker's.
#[derive(Clone, Copy, Debug)]
pub struct Code<'a> {
    pub language: Language,
    pub code: &'a str,
    pub function_name: Option<&'a str>,
    pub imports: &'a [String],
    pub args: &'a [String],
    pub files: &'a [SourceFile],
}

impl<'a> Code<'a> {
    pub fn of(submission: &'a Submission) -> Self {
        Self {
            language: submission.language,
            code: &submission.code,
            function_name: submission.function_name.as_deref(),
            imports: &submission.imports,
            args: &submission.args,
            files: &submission.files,
        }
    }

    pub fn checker(checker: &'a Checker) -> Self {
        Self {
            language: checker.language,
            code: &checker.code,
            function_name: checker.function_name.as_deref(),
            imports: &[],
            args: &[],
            files: &[],
        }
    }
}

/// The job, written as one line to the supervisor's stdin.
#[derive(Serialize)]
pub struct SandboxJob<'a> {
    pub code: &'a str,
    pub function_name: Option<&'a str>,
    pub imports: &'a [String],
    pub inputs: Vec<&'a ExactJson>,
    /// The inputs come one line at a time after `loaded` (a checker's).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub streamed: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub args: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub files: &'a [SourceFile],
    pub output_limit_bytes: usize,
    pub value_limit_bytes: usize,
    /// When the supervisor ends the container, whatever runs.
    pub lifetime_ms: u64,
    /// Whether the supervisor wipes the sandbox for another job afterwards.
    pub reuse: bool,
    /// A build of this code kept from an earlier run, to load instead of compiling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<&'a str>,
    /// Whether the harness sends its build of the code with `loaded`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub return_build: bool,
}

/// What the harness may keep of each test.
#[derive(Clone, Copy, Debug)]
pub struct OutputLimits {
    pub output_bytes: usize,
    pub value_bytes: usize,
}

impl<'a> SandboxJob<'a> {
    /// The job for the tests of `submission` from `first` on.
    pub fn new(
        submission: &'a Submission,
        first: usize,
        limits: OutputLimits,
        lifetime: Duration,
        reuse: bool,
    ) -> Self {
        Self {
            inputs: submission.test_cases[first..]
                .iter()
                .map(|c| &c.input)
                .collect(),
            streamed: false,
            ..Self::streamed(Code::of(submission), limits, lifetime, reuse)
        }
    }

    /// A job for `code` whose inputs are streamed after it loads (a checker's).
    pub fn streamed(code: Code<'a>, limits: OutputLimits, lifetime: Duration, reuse: bool) -> Self {
        Self {
            code: code.code,
            function_name: code.function_name,
            imports: code.imports,
            inputs: Vec::new(),
            streamed: true,
            args: code.args,
            files: code.files,
            output_limit_bytes: limits.output_bytes,
            value_limit_bytes: limits.value_bytes,
            lifetime_ms: u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX),
            reuse,
            build: None,
            return_build: false,
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
pub enum SandboxEvent {
    Loaded {
        compile_time_ms: Option<f64>,
        /// The harness's build of the code, when the job asked for it.
        #[serde(default)]
        build: Option<String>,
    },
    LoadFailed {
        message: String,
        /// The sandbox was wiped and may serve another job (reuse).
        #[serde(default)]
        reusable: bool,
    },
    Test {
        index: usize,
        /// A function's returned value, as JSON text.
        value: Option<String>,
        /// A program's stdout (program mode).
        output: Option<String>,
        error: Option<String>,
        time_ms: f64,
        memory_kb: Option<u64>,
        #[serde(default)]
        stdout: String,
        #[serde(default)]
        stderr: String,
        limit: Option<Limit>,
        /// A program's exit status, when it exited.
        #[serde(default)]
        exit_code: Option<i64>,
    },
    /// The harness died before the job was done; the supervisor says how.
    Ended {
        exit_code: Option<i64>,
        signal: Option<i64>,
        #[serde(default)]
        oom_kills: u64,
        #[serde(default)]
        stderr: String,
        message: Option<String>,
    },
    Done {
        /// The sandbox was wiped and may serve another job (reuse).
        #[serde(default)]
        reusable: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Memory,
    Output,
}

/// Reads events out of a sandbox's stdout as it arrives: one JSON object a line, written
/// by the supervisor alone. Each byte is looked at once, however the lines are cut.
pub struct EventReader {
    pending: Vec<u8>,
    /// Where the search for the next end of line resumes in `pending`.
    searched: usize,
    max_line_bytes: usize,
}

impl EventReader {
    pub fn new(max_line_bytes: usize) -> Self {
        Self {
            pending: Vec::new(),
            searched: 0,
            max_line_bytes,
        }
    }

    /// The events completed by `chunk`; `None` once a line runs past `max_line_bytes`.
    /// A line that is not an event (there should be none) is skipped.
    pub fn push(&mut self, chunk: &[u8]) -> Option<Vec<SandboxEvent>> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(at) = self.pending[self.searched..]
            .iter()
            .position(|&b| b == b'\n')
        {
            let end = self.searched + at;
            if let Ok(event) = serde_json::from_slice(&self.pending[start..end]) {
                events.push(event);
            }
            start = end + 1;
            self.searched = start;
        }
        self.pending.drain(..start);
        self.searched = self.pending.len();
        (self.pending.len() <= self.max_line_bytes).then_some(events)
    }
}

/// Why reading a sandbox stopped.
#[derive(Debug)]
pub enum Stop {
    /// The job is over; `reusable`: the supervisor wiped the sandbox for another.
    Done {
        reusable: bool,
    },
    LoadFailed {
        reusable: bool,
    },
    /// The sandbox ended: as the supervisor told, or as its container shows (`None` until
    /// the executor has asked it).
    Ended(Option<Ending>),
    /// It wrote a line longer than the worker reads.
    Overflowed,
    /// The running step (loading, or a test) passed its deadline.
    Deadline,
    /// The submission's own deadline passed.
    SubmissionTimedOut,
    /// A test failed and the rest are skipped: the sandbox is stopped mid-job.
    Skipped,
}

/// The limits a stop is judged by.
#[derive(Clone, Copy, Debug)]
pub struct StopLimits {
    pub compile: Duration,
    pub test: Duration,
    pub submission: Duration,
    pub memory_mb: u64,
}

/// What an event meant for the run.
#[derive(Debug, PartialEq)]
pub enum Step {
    Loaded,
    Tested,
    LoadFailed {
        reusable: bool,
    },
    /// The harness died: how, as the supervisor saw it.
    Ended(Ending),
    Done {
        reusable: bool,
    },
    /// A test failed, and the submission stops there: the tests after it are skipped.
    Skipped,
    /// Test `index` produced its output, which the submission's checker judges next
    /// ([`Progress::to_check`], then [`Progress::checked`]).
    Check(usize),
    Ignored,
}

/// The results so far of one submission, across the sandboxes it takes.
pub struct Progress<'a> {
    submission: &'a Submission,
    limits: OutputLimits,
    results: Vec<Option<TestResult>>,
    compile_time_ms: Option<f64>,
    /// The build a harness sent with `loaded`, until taken.
    build: Option<String>,
    loaded: bool,
    /// Whether the current sandbox has loaded the code.
    sandbox_loaded: bool,
    /// Set when no test could run: a compile error, or a sandbox that died while loading.
    not_run: Option<(Verdict, String)>,
}

impl<'a> Progress<'a> {
    pub fn new(submission: &'a Submission, limits: OutputLimits) -> Self {
        Self {
            submission,
            limits,
            results: vec![None; submission.test_cases.len()],
            compile_time_ms: None,
            build: None,
            loaded: false,
            sandbox_loaded: false,
            not_run: None,
        }
    }

    /// The first test without a result, unless the run is over.
    pub fn next_test(&self) -> Option<usize> {
        if self.not_run.is_some() {
            return None;
        }
        self.results.iter().position(Option::is_none)
    }

    /// Test `index`'s result, once it has its verdict.
    pub fn result(&self, index: usize) -> Option<&TestResult> {
        self.results.get(index)?.as_ref()
    }

    /// Whether every test from `first` on has a result and none hit a limit or failed to
    /// run: a sandbox that served them may serve again.
    pub fn clean_since(&self, first: usize) -> bool {
        self.results[first..].iter().all(|result| {
            result
                .as_ref()
                .is_some_and(|r| matches!(r.status, Verdict::Accepted | Verdict::WrongAnswer))
        })
    }

    /// The build the last sandbox's harness sent with `loaded`, if it sent one.
    pub fn take_build(&mut self) -> Option<String> {
        self.build.take()
    }

    /// A new sandbox starts, with the tests from [`Progress::next_test`] on.
    pub fn begin_sandbox(&mut self) {
        self.sandbox_loaded = false;
    }

    /// Records an event from the current sandbox, whose job began at test `first`. Events
    /// are taken only in the protocol's order: one `loaded` (or `load_failed`), then one
    /// `test` for the test that is running, `done` at the end; `ended` at any time.
    /// Anything else is ignored.
    pub fn record(&mut self, first: usize, event: SandboxEvent) -> Step {
        let in_order = match &event {
            SandboxEvent::Loaded { .. } | SandboxEvent::LoadFailed { .. } => !self.sandbox_loaded,
            SandboxEvent::Test { index, .. } => {
                self.sandbox_loaded && Some(first + index) == self.next_test()
            }
            SandboxEvent::Done { .. } => self.sandbox_loaded,
            SandboxEvent::Ended { .. } => true,
        };
        if !in_order {
            return Step::Ignored;
        }
        match event {
            SandboxEvent::Loaded {
                compile_time_ms,
                build,
            } => {
                self.loaded = true;
                self.sandbox_loaded = true;
                self.compile_time_ms = self.compile_time_ms.or(compile_time_ms);
                self.build = build;
                Step::Loaded
            }
            SandboxEvent::LoadFailed { message, reusable } => {
                self.not_run = Some((Verdict::CompileError, message));
                Step::LoadFailed { reusable }
            }
            SandboxEvent::Done { reusable } => Step::Done { reusable },
            SandboxEvent::Ended {
                exit_code,
                signal,
                oom_kills,
                stderr,
                message,
            } => Step::Ended(Ending {
                exit_code,
                signal,
                oom_killed: oom_kills > 0,
                stderr_tail: stderr,
                message,
            }),
            SandboxEvent::Test {
                index,
                value,
                output,
                error,
                time_ms,
                memory_kb,
                stdout,
                stderr,
                limit,
                exit_code: _,
            } => {
                let index = first + index;
                let case = &self.submission.test_cases[index];
                let captured = CapturedOutput { stdout, stderr };
                let actual = value
                    .map(|v| canonical::canonicalize(&v).unwrap_or(v))
                    .or(output);
                let result = match (actual, error, limit) {
                    (Some(actual), None, limit) => {
                        let returned = TestResult::returned(
                            case,
                            self.submission.comparison_for(case),
                            actual,
                            time_ms,
                            memory_kb,
                            captured,
                        );
                        if limit == Some(Limit::Output)
                            || returned.actual_output.len() > self.limits.value_bytes
                        {
                            TestResult {
                                status: Verdict::OutputLimitExceeded,
                                passed: false,
                                error: Some(format!(
                                    "the test printed or returned more than its limit \
                                     ({} bytes of output, {} bytes of value)",
                                    self.limits.output_bytes, self.limits.value_bytes
                                )),
                                ..returned
                            }
                        } else {
                            returned
                        }
                    }
                    (_, error, limit) => {
                        let verdict = match limit {
                            Some(Limit::Memory) => Verdict::MemoryLimitExceeded,
                            Some(Limit::Output) => Verdict::OutputLimitExceeded,
                            None => Verdict::RuntimeError,
                        };
                        let error =
                            error.unwrap_or_else(|| "the harness reported no value".to_owned());
                        TestResult {
                            memory_kb,
                            ..TestResult::failed(case, verdict, error, time_ms, captured)
                        }
                    }
                };
                // What the code produced goes to the checker, where there is one; what it
                // failed to produce is judged here.
                let to_check = self.submission.checker.is_some()
                    && matches!(result.status, Verdict::Accepted | Verdict::WrongAnswer);
                self.results[index] = Some(result);
                if to_check {
                    return Step::Check(index);
                }
                self.after_verdict(index)
            }
        }
    }

    /// What the checker is asked of test `index`, which [`Step::Check`] named: the test's
    /// input, its expected output and what the code produced.
    pub fn to_check(&self, index: usize) -> (&ExactJson, &str, Actual) {
        let result = self.results[index]
            .as_ref()
            .expect("a test is checked once it ran");
        let actual = result.actual_output.clone();
        let actual = match self.submission.function_name {
            Some(_) => Actual::Value(actual),
            None => Actual::Output(actual),
        };
        (&result.input, &result.expected_output, actual)
    }

    /// Test `index` as its checker judged it.
    pub fn checked(&mut self, index: usize, judged: Result<Judgement, String>) -> Step {
        let case = &self.submission.test_cases[index];
        if let Some(result) = self.results[index].take() {
            self.results[index] = Some(result.checked(case, judged));
        }
        self.after_verdict(index)
    }

    /// Test `index` has its verdict: the submission goes on, or stops at its failure.
    fn after_verdict(&mut self, index: usize) -> Step {
        let failed = self.results[index].as_ref().is_some_and(|r| !r.passed);
        if failed && self.skip_after_failure() {
            return Step::Skipped;
        }
        Step::Tested
    }

    /// Applies how a sandbox stopped to the results: the one place where a sandbox's end
    /// (a deadline, a death, too much output) becomes a verdict.
    pub fn sandbox_stopped(&mut self, stop: Stop, limits: &StopLimits) {
        match stop {
            Stop::Done { .. } | Stop::LoadFailed { .. } | Stop::Skipped => {}
            Stop::SubmissionTimedOut => self.fail_remaining(
                Verdict::TimeLimitExceeded,
                &format!(
                    "not run: the submission used up its time limit of {} s",
                    limits.submission.as_secs()
                ),
            ),
            Stop::Deadline if !self.sandbox_loaded && self.loaded => self.fail_remaining(
                // A sandbox started again for the tests after a limit: the ones before keep
                // their results.
                Verdict::TimeLimitExceeded,
                &format!(
                    "not run: loading the code again ran past its limit of {} ms",
                    limits.compile.as_millis()
                ),
            ),
            Stop::Deadline if !self.sandbox_loaded => self.fail_all(
                Verdict::TimeLimitExceeded,
                format!(
                    "loading the code ran past its limit of {} ms",
                    limits.compile.as_millis()
                ),
            ),
            Stop::Deadline => {
                self.fail_current(
                    Verdict::TimeLimitExceeded,
                    format!(
                        "the test ran past its time limit of {} ms",
                        limits.test.as_millis()
                    ),
                );
                self.skip_after_failure();
            }
            Stop::Overflowed => {
                self.fail_current(
                    Verdict::OutputLimitExceeded,
                    "the sandbox wrote more than the engine reads".to_owned(),
                );
                self.skip_after_failure();
            }
            Stop::Ended(ending) => {
                let (verdict, message) = death(&ending.unwrap_or_default(), limits.memory_mb);
                if self.loaded {
                    self.fail_current(verdict, message);
                    self.skip_after_failure();
                } else {
                    // It died before any test could run: no test is to blame.
                    self.fail_all(verdict, message);
                }
            }
        }
    }

    /// The test that was running when its sandbox was stopped or died.
    fn fail_current(&mut self, verdict: Verdict, message: String) {
        if let Some(index) = self.next_test() {
            let case = &self.submission.test_cases[index];
            self.results[index] = Some(TestResult::failed(
                case,
                verdict,
                message,
                0.0,
                CapturedOutput::default(),
            ));
        }
    }

    /// Where the submission stops at its first failure, marks the tests not yet run as
    /// skipped; whether it did.
    fn skip_after_failure(&mut self) -> bool {
        if !self.submission.stop_on_first_failure || self.next_test().is_none() {
            return false;
        }
        self.fail_remaining(
            Verdict::Skipped,
            "not run: an earlier test failed, and the submission stops at its first failure",
        );
        true
    }

    /// Every test without a result, when no time is left to run them.
    fn fail_remaining(&mut self, verdict: Verdict, message: &str) {
        while self.next_test().is_some() {
            self.fail_current(verdict, message.to_owned());
        }
    }

    /// No test could run: the code never loaded.
    fn fail_all(&mut self, verdict: Verdict, message: String) {
        self.not_run = Some((verdict, message));
    }

    pub fn finish(mut self, times: RunTimes) -> ExecutionResult {
        let times = RunTimes {
            compile_time_ms: self.compile_time_ms,
            ..times
        };
        if let Some((verdict, message)) = self.not_run.take() {
            return ExecutionResult::not_run(self.submission, verdict, message, times);
        }
        self.fail_remaining(
            Verdict::InternalError,
            "the harness finished without reporting this test",
        );
        let results = self.results.into_iter().flatten().collect();
        ExecutionResult::from_tests(self.submission, results, times)
    }
}

/// Why a sandbox died in a test: the verdict and a sentence. The verdict comes from facts
/// (the OOM killer's count, the container's state); what was printed is only quoted.
pub fn death(ending: &Ending, memory_limit_mb: u64) -> (Verdict, String) {
    if ending.oom_killed {
        return (
            Verdict::MemoryLimitExceeded,
            with_tail(
                format!("the sandbox ran out of memory (limit {memory_limit_mb} MB)"),
                ending,
            ),
        );
    }
    let message = match (&ending.message, ending.signal, ending.exit_code) {
        (Some(message), _, _) => message.clone(),
        (None, Some(signal), _) => format!(
            "the process was killed by signal {signal}{}",
            signal_name(signal)
        ),
        (None, None, Some(code)) if code > 128 => format!(
            "the process was killed by signal {}{}",
            code - 128,
            signal_name(code - 128)
        ),
        (None, None, Some(code)) => format!("the process exited with code {code}"),
        (None, None, None) => "the process ended".to_owned(),
    };
    (Verdict::RuntimeError, with_tail(message, ending))
}

fn with_tail(mut message: String, ending: &Ending) -> String {
    if !ending.stderr_tail.is_empty() {
        message.push_str(":\n");
        message.push_str(&ending.stderr_tail);
    }
    message
}

fn signal_name(signal: i64) -> &'static str {
    match signal {
        6 => " (SIGABRT)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use exec_engine::{Language, TestCase};
    use serde_json::json;
    use time::OffsetDateTime;
    use uuid::Uuid;

    const LIMITS: OutputLimits = OutputLimits {
        output_bytes: 100,
        value_bytes: 20,
    };

    /// A Python submission of `cases` tests: test `i` takes `[i]` and expects `i`.
    pub(crate) fn submission(cases: usize) -> Submission {
        Submission {
            id: Uuid::new_v4(),
            language: Language::Python,
            code: String::new(),
            function_name: Some("f".into()),
            imports: vec![],
            test_cases: (0..cases)
                .map(|i| TestCase {
                    input: (&json!([i])).into(),
                    expected_output: i.to_string(),
                    comparison: None,
                    weight: 1.0,
                })
                .collect(),
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

    fn events(lines: &[&str]) -> Vec<SandboxEvent> {
        let mut reader = EventReader::new(1 << 20);
        let mut text = lines.join("\n");
        text.push('\n');
        reader.push(text.as_bytes()).unwrap()
    }

    fn run(submission: &Submission, lines: &[&str]) -> ExecutionResult {
        let mut progress = Progress::new(submission, LIMITS);
        progress.begin_sandbox();
        for event in events(lines) {
            progress.record(0, event);
        }
        progress.finish(RunTimes::now())
    }

    #[test]
    fn events_may_arrive_in_pieces_and_a_line_past_its_cap_stops_the_reader() {
        let mut reader = EventReader::new(64);
        assert_eq!(reader.push(b"{\"ev").unwrap(), vec![]);
        assert_eq!(
            reader
                .push(b"ent\":\"done\"}\nnot an event\n{\"event\":\"do")
                .unwrap(),
            vec![SandboxEvent::Done { reusable: false }]
        );
        assert_eq!(
            reader.push(b"ne\"}\n").unwrap(),
            vec![SandboxEvent::Done { reusable: false }]
        );
        assert!(reader.push(&[b'x'; 65]).is_none());
    }

    #[test]
    fn the_supervisor_tells_how_the_harness_ended() {
        let got = events(&[
            r#"{"event":"ended","signal":9,"oom_kills":1,"stderr":"Killed"}"#,
            r#"{"event":"ended","exit_code":3,"oom_kills":0,"stderr":"out of memory"}"#,
        ]);
        let one = submission(1);
        let mut progress = Progress::new(&one, LIMITS);
        let steps: Vec<Step> = got.into_iter().map(|e| progress.record(0, e)).collect();
        let [Step::Ended(oom), Step::Ended(spoofed)] = &steps[..] else {
            panic!("{steps:?}");
        };
        assert_eq!(death(oom, 256).0, Verdict::MemoryLimitExceeded);
        let (verdict, message) = death(spoofed, 256);
        assert_eq!(verdict, Verdict::RuntimeError, "words are not facts");
        assert_eq!(message, "the process exited with code 3:\nout of memory");
    }

    #[test]
    fn returned_values_are_canonical_compared_and_measured() {
        let doc = run(
            &submission(2),
            &[
                r#"{"event":"loaded","compile_time_ms":1.5}"#,
                r#"{"event":"test","index":0,"value":"0.0","time_ms":0.01,"memory_kb":9000,"stdout":"hi\n","stderr":""}"#,
                r#"{"event":"test","index":1,"value":"{\"b\": 1, \"a\": 2}","time_ms":0.02,"memory_kb":9100}"#,
                r#"{"event":"done"}"#,
            ],
        );
        assert!(doc.results[0].passed);
        assert_eq!(doc.results[0].actual_output, "0");
        assert_eq!(doc.results[0].memory, "9000 KB");
        assert_eq!(doc.results[0].stdout, "hi\n");
        assert_eq!(doc.results[1].actual_output, r#"{"a":2,"b":1}"#);
        assert_eq!(doc.results[1].status, Verdict::WrongAnswer);
        assert_eq!(doc.compile_time_ms, Some(1.5));
    }

    #[test]
    fn limits_named_by_the_harness_become_verdicts() {
        let doc = run(
            &submission(4),
            &[
                r#"{"event":"loaded","compile_time_ms":1}"#,
                r#"{"event":"test","index":0,"error":"MemoryError","time_ms":5,"memory_kb":250000,"limit":"memory"}"#,
                r#"{"event":"test","index":1,"value":"1","time_ms":1,"memory_kb":1,"stdout":"xxxx [truncated]","limit":"output"}"#,
                r#"{"event":"test","index":2,"error":"the returned value is 99 bytes","time_ms":1,"memory_kb":1,"limit":"output"}"#,
                r#"{"event":"test","index":3,"value":"\"a very long string indeed\"","time_ms":1,"memory_kb":1}"#,
            ],
        );
        let statuses: Vec<Verdict> = doc.results.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            vec![
                Verdict::MemoryLimitExceeded,
                Verdict::OutputLimitExceeded,
                Verdict::OutputLimitExceeded,
                Verdict::OutputLimitExceeded,
            ]
        );
        assert_eq!(doc.results[0].memory_kb, Some(250000));
        assert_eq!(
            doc.results[1].actual_output, "1",
            "the value is still shown"
        );
        assert!(!doc.results[1].passed);
    }

    #[test]
    fn events_out_of_order_are_ignored() {
        let doc = run(
            &submission(3),
            &[
                // Before the code loaded, no test can have run.
                r#"{"event":"test","index":0,"value":"0","time_ms":1}"#,
                r#"{"event":"loaded","compile_time_ms":1}"#,
                r#"{"event":"loaded","compile_time_ms":99}"#,
                // A test that is not the running one, and a late load failure.
                r#"{"event":"test","index":1,"value":"1","time_ms":1}"#,
                r#"{"event":"load_failed","message":"forged"}"#,
                r#"{"event":"test","index":0,"value":"7","time_ms":1}"#,
                // A second result for a test that already has one.
                r#"{"event":"test","index":0,"value":"0","time_ms":1}"#,
                r#"{"event":"test","index":1,"value":"1","time_ms":1}"#,
                r#"{"event":"test","index":2,"value":"2","time_ms":1}"#,
            ],
        );
        assert_eq!(doc.compile_time_ms, Some(1.0));
        let outputs: Vec<&str> = doc
            .results
            .iter()
            .map(|r| r.actual_output.as_str())
            .collect();
        assert_eq!(outputs, vec!["7", "1", "2"]);
        assert_eq!(doc.status, Verdict::WrongAnswer);
    }

    #[test]
    fn a_load_failure_is_a_compile_error_for_every_test() {
        let doc = run(
            &submission(2),
            &[r#"{"event":"load_failed","message":"SyntaxError: invalid syntax"}"#],
        );
        assert_eq!(doc.status, Verdict::CompileError);
        assert_eq!(doc.error.as_deref(), Some("Execution environment error"));
        assert!(doc
            .results
            .iter()
            .all(|r| r.actual_output == "Execution Failed"));
    }

    #[test]
    fn a_restarted_sandbox_reports_tests_from_where_it_began() {
        let s = submission(3);
        let mut progress = Progress::new(&s, LIMITS);
        progress.begin_sandbox();
        for event in events(&[
            r#"{"event":"loaded","compile_time_ms":1}"#,
            r#"{"event":"test","index":0,"value":"0","time_ms":1}"#,
        ]) {
            progress.record(0, event);
        }
        assert_eq!(progress.next_test(), Some(1));
        progress.fail_current(Verdict::TimeLimitExceeded, "ran past 2000 ms".into());
        assert_eq!(progress.next_test(), Some(2));
        progress.begin_sandbox();
        for event in events(&[
            r#"{"event":"loaded","compile_time_ms":9}"#,
            r#"{"event":"test","index":0,"value":"2","time_ms":1}"#,
            r#"{"event":"done"}"#,
        ]) {
            progress.record(2, event);
        }
        assert_eq!(progress.next_test(), None);
        let doc = progress.finish(RunTimes::now());
        assert!(doc.results[0].passed);
        assert_eq!(doc.results[1].status, Verdict::TimeLimitExceeded);
        assert!(doc.results[2].passed, "the test after the limit ran");
        assert_eq!(
            doc.compile_time_ms,
            Some(1.0),
            "the first compile is reported"
        );
        assert_eq!(doc.status, Verdict::TimeLimitExceeded);
    }

    #[test]
    fn a_program_output_is_compared_as_text() {
        let mut program = submission(2);
        program.function_name = None;
        program.test_cases[0].expected_output = "5".into();
        program.test_cases[1].expected_output = "6".into();
        let doc = run(
            &program,
            &[
                r#"{"event":"loaded","compile_time_ms":1}"#,
                r#"{"event":"test","index":0,"output":"5\n","time_ms":3.0}"#,
                r#"{"event":"test","index":1,"output":"6.0\n","time_ms":3.0}"#,
            ],
        );
        assert!(doc.results[0].passed);
        assert_eq!(
            doc.results[1].status,
            Verdict::WrongAnswer,
            "program output is not JSON"
        );
    }

    #[test]
    fn deaths_are_named() {
        let oom = Ending {
            exit_code: Some(137),
            oom_killed: true,
            ..Ending::default()
        };
        assert_eq!(death(&oom, 256).0, Verdict::MemoryLimitExceeded);
        let v8_text = Ending {
            exit_code: Some(134),
            stderr_tail: "FATAL ERROR: Reached heap limit: JavaScript heap out of memory".into(),
            ..Ending::default()
        };
        assert_eq!(death(&v8_text, 256).0, Verdict::RuntimeError);
        let segv = Ending {
            exit_code: Some(139),
            stderr_tail: "boom".into(),
            ..Ending::default()
        };
        let (verdict, message) = death(&segv, 256);
        assert_eq!(verdict, Verdict::RuntimeError);
        assert!(message.contains("signal 11 (SIGSEGV):\nboom"), "{message}");
    }

    #[test]
    fn the_job_holds_the_remaining_inputs_on_one_line() {
        let s = Submission {
            code: "def f(a):\n    return a\n".into(),
            ..submission(3)
        };
        let line = SandboxJob::new(&s, 1, LIMITS, Duration::from_secs(20), false).to_line();
        assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
        let back: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(back["inputs"], json!([[1], [2]]));
        assert_eq!(back["value_limit_bytes"], 20);
        assert_eq!(back["lifetime_ms"], 20_000);
    }
}
