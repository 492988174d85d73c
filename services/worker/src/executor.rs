//! Runs one submission: as many sandboxes as it takes for every test to get its own result
//! within its own time limit. Sandboxes are seen through [`Sandboxes`], so that this logic
//! is tested against scripted ones (below) as well as run against Docker.

use std::future::Future;
use std::time::Duration;

use exec_engine::execution::RunTimes;
use exec_engine::{ExecutionResult, Language, Submission, TestResult, Verdict};
use time::OffsetDateTime;
use tokio::time::Instant;
use uuid::Uuid;

use crate::builds::{BuildKey, BuildStore, ObjectStoreBuilds};
use crate::checker::{CheckLimits, CheckerRun, CheckerSpecs};
use crate::pool::Pool;
use crate::protocol::{
    Code, EventReader, OutputLimits, Progress, SandboxJob, Step, Stop, StopLimits,
};
use crate::sandbox::{Ending, Read, SandboxError, SandboxSpec};

/// The longest event line the worker reads (a `loaded` with a build is the longest); the
/// supervisor caps each event lower, so only a supervisor gone wrong gets near it.
pub const MAX_EVENT_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Time a sandbox may live past its submission's limit before it kills itself.
pub const SELF_DESTRUCT_MARGIN: Duration = Duration::from_secs(5);

/// What the executor needs of sandboxes: to start one with its job.
pub trait Sandboxes: Send + Sync {
    type Running: LiveSandbox;

    /// Starts a sandbox for `execution` and hands it `job` (one line); it ends itself after
    /// `lifetime`.
    fn start(
        &self,
        spec: &SandboxSpec,
        execution: Uuid,
        lifetime: Duration,
        job: &[u8],
    ) -> impl Future<Output = Result<Self::Running, SandboxError>> + Send;

    /// Whether a sandbox of `spec` is wiped after its job, to serve another.
    fn reuses(&self, _spec: &SandboxSpec) -> bool {
        false
    }

    /// Takes back a sandbox its supervisor wiped after a job that went cleanly, to serve
    /// another; by default it is dropped (removed).
    fn recycle(&self, sandbox: Self::Running) {
        drop(sandbox);
    }
}

/// A started sandbox: read until a deadline, then finished (stopped and removed).
pub trait LiveSandbox: Send {
    /// The next piece of its output, its end, or `deadline` passing first.
    fn read(
        &mut self,
        deadline: Instant,
    ) -> impl Future<Output = Result<Read, SandboxError>> + Send;
    /// Stops it if it still runs and says how it ended, from the container's state. (A
    /// sandbox merely dropped is removed in the background: after the result is stored.)
    fn finish(self) -> impl Future<Output = Result<Ending, SandboxError>> + Send;
    /// Writes one more line to its supervisor: a streamed job's next input.
    fn send(&mut self, line: &[u8]) -> impl Future<Output = Result<(), SandboxError>> + Send;
}

/// Where each test's verdict goes as soon as it is known: its index and its result.
pub type Verdicts = tokio::sync::mpsc::UnboundedSender<(usize, TestResult)>;

/// Sends the verdicts not sent yet (tests get theirs in order).
struct Reporter<'a> {
    verdicts: &'a Verdicts,
    reported: usize,
}

impl Reporter<'_> {
    fn caught_up(&mut self, progress: &Progress<'_>) {
        while let Some(result) = progress.result(self.reported) {
            let _ = self.verdicts.send((self.reported, result.clone()));
            self.reported += 1;
        }
    }

    fn finished(&mut self, result: &ExecutionResult) {
        for (index, test) in result.results.iter().enumerate().skip(self.reported) {
            let _ = self.verdicts.send((index, test.clone()));
        }
        self.reported = result.results.len();
    }
}

/// How long things may take.
#[derive(Clone, Copy, Debug)]
pub struct RunLimits {
    /// The whole submission, however many sandboxes it takes.
    pub submission: Duration,
    /// From a sandbox's start to its code being loaded.
    pub compile: Duration,
    /// Each test, unless the submission sets its own.
    pub test: Duration,
    pub output: OutputLimits,
}

#[derive(Clone)]
pub struct Executor<S = Pool, B = Option<ObjectStoreBuilds>> {
    pub language: Language,
    pub sandbox: S,
    /// Its `image` is the image's id, which kept builds are keyed by.
    pub spec: SandboxSpec,
    pub limits: RunLimits,
    pub builds: B,
    /// Where submissions' checkers run, and within what.
    pub checkers: CheckerSpecs,
    pub check_limits: CheckLimits,
}

impl<S: Sandboxes, B: BuildStore> Executor<S, B> {
    /// Runs every test of `submission`. A test that runs past its time limit, or whose
    /// sandbox dies, gets its verdict, and the tests after it run in a fresh sandbox. An
    /// `Err` means a sandbox could not be run at all (Docker down, image missing): worth
    /// retrying. Anything the user's code does ends in an `Ok` document with its verdict.
    #[tracing::instrument(name = "execute", skip_all, fields(id = %submission.id))]
    /// Each test's verdict goes to `verdicts` as soon as it is known, in order.
    pub async fn execute(
        &self,
        submission: &Submission,
        verdicts: &Verdicts,
    ) -> Result<ExecutionResult, SandboxError> {
        let mut reporter = Reporter {
            verdicts,
            reported: 0,
        };
        let started_at = OffsetDateTime::now_utc();
        // No compiler or interpreter takes a NUL byte in source (each fails its own way,
        // some in the harness rather than the code): judged here, alike for every language.
        if submission.code.contains('\0') {
            let result = ExecutionResult::not_run(
                submission,
                Verdict::CompileError,
                "the code contains a NUL byte, which no compiler or interpreter accepts".into(),
                RunTimes {
                    started_at,
                    finished_at: OffsetDateTime::now_utc(),
                    compile_time_ms: None,
                },
            );
            reporter.finished(&result);
            return Ok(result);
        }
        // A checker's time is its own, not the code's: the submission gets it on top.
        let submission_limit = match submission.checker {
            Some(_) => self.limits.submission + self.check_limits.total,
            None => self.limits.submission,
        };
        let submission_deadline = Instant::now() + submission_limit;
        let mut checker = submission.checker.as_ref().map(|checker| {
            CheckerRun::new(
                checker,
                &self.sandbox,
                &self.builds,
                &self.checkers,
                self.check_limits,
                submission.id,
            )
        });
        let spec = SandboxSpec {
            memory_bytes: submission
                .memory_limit_mb
                .map_or(self.spec.memory_bytes, |mb| mb * 1024 * 1024),
            ..self.spec.clone()
        };
        let limits = StopLimits {
            compile: self.limits.compile,
            test: submission
                .time_limit_ms
                .map_or(self.limits.test, Duration::from_millis),
            submission: submission_limit,
            memory_mb: spec.memory_bytes / 1024 / 1024,
        };
        let mut progress = Progress::new(submission, self.limits.output);
        let mut sandboxes = 0;
        // The code's build, kept from an earlier run or made by this run's first sandbox:
        // a sandbox started after a test's time ran out loads it rather than compiling.
        let key = BuildKey::of(&self.spec.image, Code::of(submission));
        let mut build = match &key {
            Some(key) => self.builds.get(key).await,
            None => None,
        };
        let kept = build.is_some();

        while let Some(first) = progress.next_test() {
            let now = Instant::now();
            if now >= submission_deadline {
                progress.sandbox_stopped(Stop::SubmissionTimedOut, &limits);
                break;
            }
            let lifetime = submission_deadline - now + SELF_DESTRUCT_MARGIN;
            let reuse = self.sandbox.reuses(&spec);
            let job = SandboxJob {
                build: build.as_deref(),
                return_build: key.is_some() && build.is_none(),
                ..SandboxJob::new(submission, first, self.limits.output, lifetime, reuse)
            }
            .to_line();
            let mut sandbox = self
                .sandbox
                .start(&spec, submission.id, lifetime, &job)
                .await?;
            sandboxes += 1;
            progress.begin_sandbox();
            let stop = self
                .read_until_stop(
                    &mut sandbox,
                    &mut progress,
                    first,
                    &limits,
                    submission_deadline,
                    &mut reporter,
                    checker.as_mut(),
                )
                .await?;
            if let (Some(key), Some(made)) = (&key, progress.take_build()) {
                self.builds.put(key.clone(), made.clone());
                build = Some(made);
            }
            // Only a sandbox that ended without the supervisor's word needs reading; a wiped
            // one whose tests all went cleanly may serve again; the others are removed in
            // the background, off the result's path.
            let stop = match stop {
                Stop::Ended(None) => Stop::Ended(Some(sandbox.finish().await?)),
                Stop::LoadFailed { reusable: true } => {
                    self.sandbox.recycle(sandbox);
                    stop
                }
                Stop::Done { reusable: true } if progress.clean_since(first) => {
                    self.sandbox.recycle(sandbox);
                    stop
                }
                _ => {
                    drop(sandbox);
                    stop
                }
            };
            progress.sandbox_stopped(stop, &limits);
            reporter.caught_up(&progress);
        }

        let finished_at = OffsetDateTime::now_utc();
        let result = progress.finish(RunTimes {
            started_at,
            finished_at,
            compile_time_ms: None,
        });
        reporter.finished(&result);
        tracing::info!(
            status = ?result.status,
            sandboxes,
            kept_build = kept,
            ms = (finished_at - started_at).whole_milliseconds() as u64,
            "ran"
        );
        Ok(result)
    }

    /// Feeds one sandbox's events to `progress`, each step within its deadline (the load's,
    /// then each test's, never past the submission's), until the sandbox stops.
    #[allow(clippy::too_many_arguments)]
    async fn read_until_stop(
        &self,
        sandbox: &mut S::Running,
        progress: &mut Progress<'_>,
        first: usize,
        limits: &StopLimits,
        submission_deadline: Instant,
        reporter: &mut Reporter<'_>,
        mut checker: Option<&mut CheckerRun<'_, S, B>>,
    ) -> Result<Stop, SandboxError> {
        let mut reader = EventReader::new(MAX_EVENT_LINE_BYTES);
        let mut deadline = (Instant::now() + limits.compile).min(submission_deadline);
        loop {
            let chunk = match sandbox.read(deadline).await? {
                Read::Stdout(chunk) => chunk,
                Read::Ended => return Ok(Stop::Ended(None)),
                Read::DeadlinePassed if deadline >= submission_deadline => {
                    return Ok(Stop::SubmissionTimedOut)
                }
                Read::DeadlinePassed => return Ok(Stop::Deadline),
            };
            let Some(events) = reader.push(&chunk) else {
                return Ok(Stop::Overflowed);
            };
            for event in events {
                let answered = Instant::now();
                let mut step = progress.record(first, event);
                if let (Step::Check(index), Some(checker)) = (&step, checker.as_deref_mut()) {
                    // The code's sandbox runs its next test meanwhile, against the deadline
                    // set when this one's answer came.
                    let index = *index;
                    let (input, expected, actual) = progress.to_check(index);
                    let judged = checker.check(input, expected, &actual).await;
                    step = progress.checked(index, judged);
                }
                match step {
                    Step::Loaded => {
                        deadline = (Instant::now() + limits.test).min(submission_deadline);
                    }
                    Step::Tested | Step::Check(_) => {
                        deadline = (answered + limits.test).min(submission_deadline);
                        reporter.caught_up(progress);
                    }
                    Step::LoadFailed { reusable } => return Ok(Stop::LoadFailed { reusable }),
                    Step::Ended(ending) => return Ok(Stop::Ended(Some(ending))),
                    Step::Done { reusable } => return Ok(Stop::Done { reusable }),
                    Step::Skipped => {
                        reporter.caught_up(progress);
                        return Ok(Stop::Skipped);
                    }
                    Step::Ignored => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, VecDeque};
    use std::sync::{Arc, Mutex};

    use bytes::Bytes;
    use serde_json::{json, Value};

    use super::*;
    use crate::protocol::tests::submission;

    /// What a scripted sandbox does when read.
    #[derive(Clone)]
    enum Act {
        /// Writes this event line.
        Says(String),
        /// Writes this many bytes without an end of line.
        Floods(usize),
        /// Never writes again: the deadline passes.
        Hangs,
    }

    fn says(line: Value) -> Act {
        Act::Says(line.to_string())
    }

    fn loaded() -> Act {
        says(json!({"event": "loaded", "compile_time_ms": 1.0}))
    }

    /// A test's event returning `value`.
    fn returns(index: usize, value: &str) -> Act {
        says(
            json!({"event": "test", "index": index, "value": value, "time_ms": 1.0,
                    "memory_kb": 100, "stdout": "", "stderr": ""}),
        )
    }

    fn done() -> Act {
        says(json!({"event": "done"}))
    }

    /// Sandboxes that play one script each, in turn, and remember the jobs they were given
    /// and the lines sent after them.
    struct Scripted {
        scripts: Mutex<VecDeque<Vec<Act>>>,
        jobs: Mutex<Vec<Value>>,
        sent: Arc<Mutex<Vec<Value>>>,
        recycled: Mutex<usize>,
    }

    struct ScriptedSandbox {
        acts: VecDeque<Act>,
        sent: Arc<Mutex<Vec<Value>>>,
    }

    impl Sandboxes for Scripted {
        type Running = ScriptedSandbox;

        async fn start(
            &self,
            _: &SandboxSpec,
            _: Uuid,
            _: Duration,
            job: &[u8],
        ) -> Result<ScriptedSandbox, SandboxError> {
            self.jobs
                .lock()
                .unwrap()
                .push(serde_json::from_slice(job).unwrap());
            let acts = self.scripts.lock().unwrap().pop_front();
            Ok(ScriptedSandbox {
                acts: acts.expect("a script for every sandbox").into(),
                sent: self.sent.clone(),
            })
        }

        fn reuses(&self, _: &SandboxSpec) -> bool {
            true
        }

        fn recycle(&self, _: ScriptedSandbox) {
            *self.recycled.lock().unwrap() += 1;
        }
    }

    impl LiveSandbox for ScriptedSandbox {
        async fn read(&mut self, deadline: Instant) -> Result<Read, SandboxError> {
            match self.acts.pop_front() {
                Some(Act::Says(line)) => Ok(Read::Stdout(Bytes::from(line + "\n"))),
                Some(Act::Floods(bytes)) => Ok(Read::Stdout(Bytes::from(vec![b'x'; bytes]))),
                Some(Act::Hangs) => {
                    tokio::time::sleep_until(deadline).await;
                    Ok(Read::DeadlinePassed)
                }
                None => Ok(Read::Ended),
            }
        }

        async fn finish(self) -> Result<Ending, SandboxError> {
            Ok(Ending {
                exit_code: Some(137),
                ..Ending::default()
            })
        }

        async fn send(&mut self, line: &[u8]) -> Result<(), SandboxError> {
            self.sent
                .lock()
                .unwrap()
                .push(serde_json::from_slice(line).unwrap());
            Ok(())
        }
    }

    /// Runs a submission of `tests` tests against sandboxes playing `scripts`: the result,
    /// and the inputs each sandbox's job held.
    async fn run(tests: usize, scripts: Vec<Vec<Act>>) -> (ExecutionResult, Vec<Value>) {
        let (result, jobs, _) = run_counting_recycled(tests, scripts).await;
        (result, jobs)
    }

    /// As [`run`], and how many sandboxes were handed back for another job.
    async fn run_counting_recycled(
        tests: usize,
        scripts: Vec<Vec<Act>>,
    ) -> (ExecutionResult, Vec<Value>, usize) {
        let executor = scripted(Language::Python, scripts);
        let (verdicts, mut told) = tokio::sync::mpsc::unbounded_channel();
        let result = executor
            .execute(&submission(tests), &verdicts)
            .await
            .unwrap();
        // Every verdict was told once, in order, as the document has it.
        let mut told_in_order = Vec::new();
        while let Ok(told) = told.try_recv() {
            told_in_order.push(told);
        }
        let expected: Vec<_> = result.results.iter().cloned().enumerate().collect();
        assert_eq!(told_in_order, expected);
        let recycled = *executor.sandbox.recycled.lock().unwrap();
        let jobs = executor.sandbox.jobs.into_inner().unwrap();
        assert!(jobs.iter().all(|job| job["reuse"] == true));
        assert!(jobs.iter().all(|job| job.get("return_build").is_none()));
        let inputs = jobs.iter().map(|job| job["inputs"].clone()).collect();
        (result, inputs, recycled)
    }

    /// Builds kept in memory.
    #[derive(Default)]
    struct KeptBuilds(Mutex<HashMap<String, String>>);

    impl BuildStore for KeptBuilds {
        async fn get(&self, key: &BuildKey) -> Option<String> {
            self.0.lock().unwrap().get(key.as_str()).cloned()
        }

        fn put(&self, key: BuildKey, build: String) {
            self.0
                .lock()
                .unwrap()
                .insert(key.as_str().to_owned(), build);
        }
    }

    /// An executor of `language` whose sandboxes play `scripts`.
    fn scripted(language: Language, scripts: Vec<Vec<Act>>) -> Executor<Scripted, KeptBuilds> {
        let spec = SandboxSpec {
            image: "sha256:scripted".into(),
            memory_bytes: 256 << 20,
            nano_cpus: 1_000_000_000,
            pids_limit: 64,
            tmpfs_bytes: 64 << 20,
            tmpfs_exec: false,
        };
        Executor {
            language,
            sandbox: Scripted {
                scripts: Mutex::new(scripts.into()),
                jobs: Mutex::new(Vec::new()),
                sent: Arc::default(),
                recycled: Mutex::new(0),
            },
            spec: spec.clone(),
            checkers: CheckerSpecs::from([(Language::Python, spec)]),
            check_limits: CheckLimits {
                load: Duration::from_secs(2),
                check: Duration::from_secs(3),
                total: Duration::from_secs(20),
                output: OutputLimits {
                    output_bytes: 8192,
                    value_bytes: 32768,
                },
            },
            limits: RunLimits {
                submission: Duration::from_secs(15),
                compile: Duration::from_secs(2),
                test: Duration::from_secs(5),
                output: OutputLimits {
                    output_bytes: 8192,
                    value_bytes: 32768,
                },
            },
            builds: KeptBuilds::default(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_build_made_once_is_kept_and_loaded_by_the_next_sandbox() {
        let made = says(json!({"event": "loaded", "compile_time_ms": 300.0, "build": "QlVJTEQ="}));
        let executor = scripted(
            Language::Go,
            vec![
                vec![made, Act::Hangs],
                vec![loaded(), returns(0, "1"), done()],
            ],
        );
        let submission = Submission {
            language: Language::Go,
            ..submission(2)
        };
        let verdicts = tokio::sync::mpsc::unbounded_channel().0;
        let result = executor.execute(&submission, &verdicts).await.unwrap();
        assert_eq!(
            statuses(&result),
            [Verdict::TimeLimitExceeded, Verdict::Accepted]
        );
        let jobs = executor.sandbox.jobs.lock().unwrap().clone();
        assert_eq!(
            jobs[0]["return_build"], true,
            "a build is asked for on a miss"
        );
        assert!(jobs[0].get("build").is_none());
        assert_eq!(
            jobs[1]["build"], "QlVJTEQ=",
            "the restarted sandbox compiles nothing"
        );
        assert!(jobs[1].get("return_build").is_none());
        let key = BuildKey::of("sha256:scripted", Code::of(&submission)).unwrap();
        assert_eq!(executor.builds.get(&key).await.as_deref(), Some("QlVJTEQ="));

        // The same code again: the kept build goes with the first job.
        let again = scripted(
            Language::Go,
            vec![vec![loaded(), returns(0, "0"), returns(1, "1"), done()]],
        );
        again.builds.put(key, "QlVJTEQ=".into());
        again.execute(&submission, &verdicts).await.unwrap();
        let jobs = again.sandbox.jobs.lock().unwrap().clone();
        assert_eq!(jobs[0]["build"], "QlVJTEQ=");
        assert!(jobs[0].get("return_build").is_none());
    }

    #[test]
    fn a_build_key_changes_with_everything_the_build_depends_on() {
        let base = submission(1);
        let key = |image: &str, language: Language, s: &Submission| {
            let code = Code {
                language,
                ..Code::of(s)
            };
            BuildKey::of(image, code).map(|k| k.as_str().to_owned())
        };
        let first = key("sha256:a", Language::Java, &base).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(key("sha256:a", Language::Java, &base).unwrap(), first);
        assert_ne!(key("sha256:b", Language::Java, &base).unwrap(), first);
        assert_ne!(key("sha256:a", Language::Cpp, &base).unwrap(), first);
        let mut other = base.clone();
        other.code.push(' ');
        assert_ne!(key("sha256:a", Language::Java, &other).unwrap(), first);
        let mut other = base.clone();
        other.imports.push("java.util.*".into());
        assert_ne!(key("sha256:a", Language::Java, &other).unwrap(), first);
        let mut other = base.clone();
        other.function_name = None;
        assert_ne!(key("sha256:a", Language::Java, &other).unwrap(), first);
        let mut other = base.clone();
        other.files.push(exec_engine::program::SourceFile {
            name: "Helper.java".into(),
            content: String::new(),
        });
        assert_ne!(key("sha256:a", Language::Java, &other).unwrap(), first);
        let mut other = base.clone();
        other.args.push("-v".into());
        assert_eq!(
            key("sha256:a", Language::Java, &other).unwrap(),
            first,
            "arguments are given at run time: the same build"
        );
        assert_eq!(
            key("sha256:a", Language::Python, &base),
            None,
            "nothing to build"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn only_a_wiped_sandbox_whose_tests_went_cleanly_serves_again() {
        let wiped = says(json!({"event": "done", "reusable": true}));
        let clean = vec![loaded(), returns(0, "0"), returns(1, "5"), wiped.clone()];
        assert_eq!(
            run_counting_recycled(2, vec![clean]).await.2,
            1,
            "a wrong answer is clean"
        );
        let unwiped = vec![loaded(), returns(0, "0"), returns(1, "1"), done()];
        assert_eq!(run_counting_recycled(2, vec![unwiped]).await.2, 0);
        let error = says(json!({"event": "test", "index": 1, "error": "boom", "time_ms": 1.0}));
        let crashed = vec![loaded(), returns(0, "0"), error, wiped];
        assert_eq!(run_counting_recycled(2, vec![crashed]).await.2, 0);
        let failed = says(json!({"event": "load_failed", "message": "x", "reusable": true}));
        assert_eq!(run_counting_recycled(2, vec![vec![failed]]).await.2, 1);
    }

    fn statuses(result: &ExecutionResult) -> Vec<Verdict> {
        result.results.iter().map(|r| r.status).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn code_with_a_nul_byte_is_a_compile_error_without_a_sandbox() {
        let executor = scripted(Language::Python, vec![]);
        let submission = Submission {
            code: "def f():\n    return 1\0".into(),
            ..submission(2)
        };
        let verdicts = tokio::sync::mpsc::unbounded_channel().0;
        let result = executor.execute(&submission, &verdicts).await.unwrap();
        assert_eq!(result.status, Verdict::CompileError);
        assert_eq!(statuses(&result), vec![Verdict::CompileError; 2]);
        assert!(result.error_details.unwrap().contains("NUL"));
    }

    #[tokio::test(start_paused = true)]
    async fn every_test_answered_in_one_sandbox() {
        let (result, jobs) = run(
            2,
            vec![vec![loaded(), returns(0, "0"), returns(1, "1"), done()]],
        )
        .await;
        assert_eq!(statuses(&result), [Verdict::Accepted, Verdict::Accepted]);
        assert_eq!(jobs, [json!([[0], [1]])]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_test_past_its_limit_and_the_rest_in_a_fresh_sandbox() {
        let (result, jobs) = run(
            3,
            vec![
                vec![loaded(), returns(0, "0"), Act::Hangs],
                vec![loaded(), returns(0, "2"), done()],
            ],
        )
        .await;
        use Verdict::*;
        assert_eq!(statuses(&result), [Accepted, TimeLimitExceeded, Accepted]);
        assert_eq!(
            result.results[1].error.as_deref(),
            Some("the test ran past its time limit of 5000 ms")
        );
        assert_eq!(jobs, [json!([[0], [1], [2]]), json!([[2]])]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_sandbox_that_dies_mid_test_is_judged_by_what_the_supervisor_saw() {
        let oom = says(json!({"event": "ended", "signal": 9, "oom_kills": 1, "stderr": ""}));
        let spoofed = says(json!({"event": "ended", "exit_code": 1, "oom_kills": 0,
                                  "stderr": "out of memory"}));
        let (result, jobs) = run(
            3,
            vec![
                vec![loaded(), oom],
                vec![loaded(), spoofed],
                vec![loaded(), returns(0, "2"), done()],
            ],
        )
        .await;
        use Verdict::*;
        assert_eq!(
            statuses(&result),
            [MemoryLimitExceeded, RuntimeError, Accepted]
        );
        assert_eq!(jobs.len(), 3);
    }

    /// `tests` tests of a submission that stops at its first failure, run by `scripts`.
    async fn run_stopping(tests: usize, scripts: Vec<Vec<Act>>) -> (ExecutionResult, usize, usize) {
        let executor = scripted(Language::Python, scripts);
        let mut stopping = submission(tests);
        stopping.stop_on_first_failure = true;
        let (verdicts, _told) = tokio::sync::mpsc::unbounded_channel();
        let result = executor.execute(&stopping, &verdicts).await.unwrap();
        let recycled = *executor.sandbox.recycled.lock().unwrap();
        let jobs = executor.sandbox.jobs.into_inner().unwrap().len();
        (result, jobs, recycled)
    }

    #[tokio::test]
    async fn after_the_first_failure_the_rest_are_skipped_where_the_submission_asks() {
        let (result, jobs, recycled) = run_stopping(
            4,
            vec![vec![
                loaded(),
                returns(0, "0"),
                returns(1, "5"),
                returns(2, "2"),
                done(),
            ]],
        )
        .await;
        use Verdict::*;
        assert_eq!(statuses(&result), [Accepted, WrongAnswer, Skipped, Skipped]);
        assert_eq!(result.status, WrongAnswer);
        assert_eq!((jobs, recycled), (1, 0), "stopped mid-job, so not reused");
    }

    #[tokio::test(start_paused = true)]
    async fn a_test_past_its_limit_ends_a_stopping_submission_without_another_sandbox() {
        let (result, jobs, _) =
            run_stopping(3, vec![vec![loaded(), returns(0, "0"), Act::Hangs]]).await;
        use Verdict::*;
        assert_eq!(statuses(&result), [Accepted, TimeLimitExceeded, Skipped]);
        assert_eq!(jobs, 1);
    }

    /// `tests` tests judged by a Python function checker, run by `scripts` (the code's
    /// sandbox first, then each checker sandbox as it starts): the result, the jobs, and
    /// the lines the checker sandboxes were sent.
    async fn run_checked(
        tests: usize,
        stop_on_first_failure: bool,
        scripts: Vec<Vec<Act>>,
    ) -> (ExecutionResult, Vec<Value>, Vec<Value>) {
        let executor = scripted(Language::Python, scripts);
        let checked = Submission {
            checker: Some(exec_engine::checker::Checker {
                language: Language::Python,
                code: "def check(i, e, a): return True".into(),
                function_name: Some("check".into()),
            }),
            stop_on_first_failure,
            ..submission(tests)
        };
        let (verdicts, _told) = tokio::sync::mpsc::unbounded_channel();
        let result = executor.execute(&checked, &verdicts).await.unwrap();
        let jobs = executor.sandbox.jobs.into_inner().unwrap();
        let sent = executor.sandbox.sent.lock().unwrap().clone();
        (result, jobs, sent)
    }

    /// The checker's answer to the test it was sent as its `index`th.
    fn answers(index: usize, value: Value) -> Act {
        returns(index, &value.to_string())
    }

    #[tokio::test(start_paused = true)]
    async fn a_checker_judges_each_output_in_a_streamed_sandbox_of_its_own() {
        let half = json!({"passed": true, "message": "half marks", "score": 0.5});
        let (result, jobs, sent) = run_checked(
            3,
            false,
            vec![
                vec![
                    loaded(),
                    returns(0, "7"),
                    returns(1, "1"),
                    returns(2, "2"),
                    done(),
                ],
                vec![
                    loaded(),
                    answers(0, json!(true)),
                    answers(1, json!({"passed": false, "message": "no"})),
                    answers(2, half),
                ],
            ],
        )
        .await;
        use Verdict::*;
        assert_eq!(
            statuses(&result),
            [Accepted, WrongAnswer, Accepted],
            "the checker's, not json's"
        );
        assert_eq!(result.results[1].message.as_deref(), Some("no"));
        assert_eq!(result.results[2].message.as_deref(), Some("half marks"));
        assert_eq!(
            result.results.iter().map(|r| r.score).collect::<Vec<_>>(),
            [1.0, 0.0, 0.5]
        );
        assert_eq!(result.score, 1.5);
        assert_eq!(jobs[1]["streamed"], true);
        assert_eq!(jobs[1]["function_name"], "check");
        assert_eq!(jobs[1]["inputs"], json!([]));
        assert_eq!(
            sent,
            [
                json!({"input": [[0], "0", 7]}),
                json!({"input": [[1], "1", 1]}),
                json!({"input": [[2], "2", 2]})
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_checker_that_fails_gives_internal_error_and_a_fresh_one_checks_the_next() {
        let crash = says(
            json!({"event": "test", "index": 1, "error": "ZeroDivisionError", "time_ms": 1.0}),
        );
        let (result, jobs, _) = run_checked(
            4,
            false,
            vec![
                vec![
                    loaded(),
                    returns(0, "0"),
                    returns(1, "1"),
                    returns(2, "2"),
                    returns(3, "3"),
                    done(),
                ],
                vec![loaded(), answers(0, json!(true)), crash],
                vec![loaded(), Act::Hangs],
                vec![loaded(), answers(0, json!("yes"))],
            ],
        )
        .await;
        use Verdict::*;
        assert_eq!(
            statuses(&result),
            [Accepted, InternalError, InternalError, InternalError]
        );
        let errors: Vec<_> = result
            .results
            .iter()
            .map(|r| r.error.clone().unwrap_or_default())
            .collect();
        assert_eq!(errors[1], "the checker failed: ZeroDivisionError");
        assert_eq!(errors[2], "the checker ran past its limit of 3000 ms");
        assert!(
            errors[3].starts_with("the checker returned \"yes\""),
            "{}",
            errors[3]
        );
        assert_eq!(jobs.len(), 4, "the code's sandbox and three checkers'");
    }

    #[tokio::test(start_paused = true)]
    async fn a_compiled_checkers_build_is_kept_and_loaded_by_its_next_sandbox() {
        let executor = scripted(
            Language::Python,
            vec![
                vec![loaded(), returns(0, "0"), returns(1, "1"), done()],
                vec![
                    says(json!({"event": "loaded", "compile_time_ms": 900.0, "build": "Q0hFQ0s="})),
                    Act::Hangs,
                ],
                vec![loaded(), answers(0, json!(true))],
            ],
        );
        let go = SandboxSpec {
            image: "sha256:go".into(),
            ..executor.spec.clone()
        };
        let executor = Executor {
            checkers: CheckerSpecs::from([(Language::Go, go)]),
            ..executor
        };
        let checker = exec_engine::checker::Checker {
            language: Language::Go,
            code: "func check(i any, e string, a any) bool { return true }".into(),
            function_name: Some("check".into()),
        };
        let checked = Submission {
            checker: Some(checker.clone()),
            ..submission(2)
        };
        let verdicts = tokio::sync::mpsc::unbounded_channel().0;
        let result = executor.execute(&checked, &verdicts).await.unwrap();
        assert_eq!(
            statuses(&result),
            [Verdict::InternalError, Verdict::Accepted]
        );
        let jobs = executor.sandbox.jobs.lock().unwrap().clone();
        assert_eq!(jobs[1]["return_build"], true, "compiled once, and kept");
        assert_eq!(
            jobs[2]["build"], "Q0hFQ0s=",
            "the fresh checker compiles nothing"
        );
        let key = BuildKey::of("sha256:go", Code::checker(&checker)).unwrap();
        assert_eq!(executor.builds.get(&key).await.as_deref(), Some("Q0hFQ0s="));
    }

    #[tokio::test(start_paused = true)]
    async fn a_checker_that_does_not_compile_fails_every_check_once() {
        let failed =
            says(json!({"event": "load_failed", "message": "SyntaxError: invalid syntax"}));
        let (result, jobs, _) = run_checked(
            2,
            false,
            vec![
                vec![loaded(), returns(0, "0"), returns(1, "1"), done()],
                vec![failed],
            ],
        )
        .await;
        assert_eq!(statuses(&result), [Verdict::InternalError; 2]);
        assert_eq!(
            result.results[1].error.as_deref(),
            Some("the checker did not compile or load: SyntaxError: invalid syntax")
        );
        assert_eq!(jobs.len(), 2, "not started again for the second test");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_the_checker_finds_stops_a_stopping_submission() {
        let (result, _, sent) = run_checked(
            3,
            true,
            vec![
                vec![loaded(), returns(0, "0"), returns(1, "1"), Act::Hangs],
                vec![loaded(), answers(0, json!(true)), answers(1, json!(false))],
            ],
        )
        .await;
        use Verdict::*;
        assert_eq!(statuses(&result), [Accepted, WrongAnswer, Skipped]);
        assert_eq!(sent.len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_restarted_sandbox_past_its_load_limit_keeps_the_results_before_it() {
        let (result, _) = run(
            3,
            vec![
                vec![loaded(), returns(0, "0"), Act::Hangs],
                vec![Act::Hangs],
            ],
        )
        .await;
        use Verdict::*;
        assert_eq!(
            statuses(&result),
            [Accepted, TimeLimitExceeded, TimeLimitExceeded]
        );
        assert!(result.results[2]
            .error
            .as_deref()
            .unwrap()
            .contains("loading the code again ran past its limit of 2000 ms"));
    }

    #[tokio::test(start_paused = true)]
    async fn loading_past_its_limit_in_the_first_sandbox_fails_every_test() {
        let (result, _) = run(2, vec![vec![Act::Hangs]]).await;
        assert_eq!(result.status, Verdict::TimeLimitExceeded);
        assert_eq!(
            result.error_details.as_deref(),
            Some("loading the code ran past its limit of 2000 ms")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_line_past_the_cap_is_the_running_test_output_limit() {
        let (result, _) = run(
            2,
            vec![
                vec![loaded(), Act::Floods(MAX_EVENT_LINE_BYTES + 1)],
                vec![loaded(), returns(0, "1"), done()],
            ],
        )
        .await;
        use Verdict::*;
        assert_eq!(statuses(&result), [OutputLimitExceeded, Accepted]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_load_failure_and_a_death_before_loading_fail_every_test() {
        let failed = says(json!({"event": "load_failed", "message": "SyntaxError"}));
        let (result, _) = run(2, vec![vec![failed]]).await;
        assert_eq!(result.status, Verdict::CompileError);
        let (result, _) = run(2, vec![vec![]]).await;
        assert_eq!(result.status, Verdict::RuntimeError);
        assert_eq!(
            result.error_details.as_deref(),
            Some("the process was killed by signal 9 (SIGKILL)")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_submission_deadline_ends_the_run() {
        // Each test runs to its 5 s limit: the third meets the submission's 15 s.
        let scripts = vec![vec![loaded(), Act::Hangs]; 3];
        let (result, jobs) = run(4, scripts).await;
        assert!(statuses(&result)
            .iter()
            .all(|&s| s == Verdict::TimeLimitExceeded));
        assert_eq!(jobs.len(), 3);
        for test in &result.results[2..] {
            assert_eq!(
                test.error.as_deref(),
                Some("not run: the submission used up its time limit of 15 s")
            );
        }
    }
}
