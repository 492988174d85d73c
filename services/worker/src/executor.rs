//! Runs one submission: as many fresh sandboxes as it takes for every test to get its
//! own result within its own time limit.

use std::time::Duration;

use exec_engine::execution::RunTimes;
use exec_engine::{ExecutionResult, Language, Submission, Verdict};
use time::OffsetDateTime;
use tokio::time::Instant;

use crate::protocol::{self, EventReader, OutputLimits, Progress, SandboxJob, Step};
use crate::sandbox::{Ending, Read, Sandbox, SandboxError, SandboxSpec};

/// The longest event line the worker reads; the supervisor caps each event far lower, so
/// only a supervisor gone wrong gets near it.
const MAX_EVENT_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Time a sandbox may live past its submission's limit before it kills itself.
const SELF_DESTRUCT_MARGIN: Duration = Duration::from_secs(5);

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
pub struct Executor {
    pub language: Language,
    pub sandbox: Sandbox,
    pub spec: SandboxSpec,
    pub limits: RunLimits,
}

/// Why reading a sandbox stopped.
enum Stop {
    Done,
    LoadFailed,
    /// The sandbox ended: as the supervisor told, or (`None`) as its container shows.
    Ended(Option<Ending>),
    Overflowed,
    Deadline,
}

impl Executor {
    /// Runs every test of `submission`. A test that runs past its time limit, or whose
    /// sandbox dies, gets its verdict, and the tests after it run in a fresh sandbox. An
    /// `Err` means a sandbox could not be run at all (Docker down, image missing): worth
    /// retrying. Anything the user's code does ends in an `Ok` document with its verdict.
    #[tracing::instrument(name = "execute", skip_all, fields(id = %submission.id))]
    pub async fn execute(&self, submission: &Submission) -> Result<ExecutionResult, SandboxError> {
        let started_at = OffsetDateTime::now_utc();
        let submission_deadline = Instant::now() + self.limits.submission;
        let test_limit = submission
            .time_limit_ms
            .map_or(self.limits.test, Duration::from_millis);
        let spec = SandboxSpec {
            memory_bytes: submission
                .memory_limit_mb
                .map_or(self.spec.memory_bytes, |mb| mb * 1024 * 1024),
            ..self.spec.clone()
        };
        let memory_mb = spec.memory_bytes / 1024 / 1024;
        let mut progress = Progress::new(submission, self.limits.output);
        let mut sandboxes = 0;

        while let Some(first) = progress.next_test() {
            let now = Instant::now();
            if now >= submission_deadline {
                progress.fail_remaining(
                    Verdict::TimeLimitExceeded,
                    &format!(
                        "not run: the submission used up its time limit of {} s",
                        self.limits.submission.as_secs()
                    ),
                );
                break;
            }
            let lifetime = submission_deadline - now + SELF_DESTRUCT_MARGIN;
            let job = SandboxJob::new(submission, first, self.limits.output, lifetime).to_line();
            let mut sandbox = self
                .sandbox
                .start(&spec, submission.id, lifetime, &job)
                .await?;
            sandboxes += 1;
            progress.begin_sandbox();

            let mut reader = EventReader::new(MAX_EVENT_LINE_BYTES);
            let mut deadline = (now + self.limits.compile).min(submission_deadline);
            let stop = 'reading: loop {
                match sandbox.read(deadline).await? {
                    Read::Stdout(chunk) => {
                        let Some(events) = reader.push(&chunk) else {
                            break Stop::Overflowed;
                        };
                        for event in events {
                            match progress.record(first, event) {
                                Step::Loaded | Step::Tested => {
                                    deadline =
                                        (Instant::now() + test_limit).min(submission_deadline);
                                }
                                Step::LoadFailed => break 'reading Stop::LoadFailed,
                                Step::Ended(ending) => break 'reading Stop::Ended(Some(ending)),
                                Step::Done => break 'reading Stop::Done,
                                Step::Ignored => {}
                            }
                        }
                    }
                    Read::Ended => break Stop::Ended(None),
                    Read::DeadlinePassed => break Stop::Deadline,
                }
            };
            let container = sandbox.finish().await?;

            match stop {
                Stop::Done | Stop::LoadFailed => {}
                Stop::Deadline if deadline >= submission_deadline => {}
                Stop::Deadline if !progress.sandbox_loaded() => progress.fail_all(
                    Verdict::TimeLimitExceeded,
                    format!(
                        "loading the code ran past its limit of {} ms",
                        self.limits.compile.as_millis()
                    ),
                ),
                Stop::Deadline => progress.fail_current(
                    Verdict::TimeLimitExceeded,
                    format!(
                        "the test ran past its time limit of {} ms",
                        test_limit.as_millis()
                    ),
                ),
                Stop::Overflowed => progress.fail_current(
                    Verdict::OutputLimitExceeded,
                    "the sandbox wrote more than the engine reads".to_owned(),
                ),
                Stop::Ended(ending) => {
                    let ending = match ending {
                        Some(told) => Ending {
                            oom_killed: told.oom_killed || container.oom_killed,
                            ..told
                        },
                        None => container,
                    };
                    let (verdict, message) = protocol::death(&ending, memory_mb);
                    if progress.has_loaded() {
                        progress.fail_current(verdict, message);
                    } else {
                        // It died before any test could run: no test is to blame.
                        progress.fail_all(verdict, message);
                    }
                }
            }
        }

        let finished_at = OffsetDateTime::now_utc();
        let result = progress.finish(RunTimes {
            started_at,
            finished_at,
            compile_time_ms: None,
        });
        tracing::info!(
            status = ?result.status,
            sandboxes,
            ms = (finished_at - started_at).whole_milliseconds() as u64,
            "ran"
        );
        Ok(result)
    }
}
