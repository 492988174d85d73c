//! A submission's checker at work: a sandbox of the checker's own language, started at the
//! first test to check and kept for the rest, handed each test as soon as the code has run
//! it (a streamed job, harness/PROTOCOL.md), each check within its own time limit and all
//! of them within the checker's budget. Its answers become verdicts in
//! `exec_engine::checker`; a checker that fails (does not compile, crashes, runs out of
//! time, answers nonsense) says so as that test's `internal_error`, never as a verdict on
//! the code. The code under test never meets it: they share no sandbox.

use std::collections::HashMap;
use std::time::Duration;

use exec_engine::checker::{self, Actual, Checker, Judgement};
use exec_engine::exact_json::ExactJson;
use exec_engine::Language;
use tokio::time::Instant;
use uuid::Uuid;

use crate::builds::{BuildKey, BuildStore};
use crate::executor::{LiveSandbox, Sandboxes, MAX_EVENT_LINE_BYTES, SELF_DESTRUCT_MARGIN};
use crate::protocol::{Code, EventReader, Limit, OutputLimits, SandboxEvent, SandboxJob};
use crate::sandbox::{Read, SandboxSpec};

/// How long a checker may take.
#[derive(Clone, Copy, Debug)]
pub struct CheckLimits {
    /// From its sandbox's start to its code being loaded.
    pub load: Duration,
    /// Each check.
    pub check: Duration,
    /// Every check of one submission, loading included: added to the submission's time.
    pub total: Duration,
    pub output: OutputLimits,
}

/// The sandboxes checkers run in, by language: the languages whose image this worker has.
pub type CheckerSpecs = HashMap<Language, SandboxSpec>;

/// One submission's checker, from its first check to the submission's end.
pub struct CheckerRun<'a, S: Sandboxes, B> {
    checker: &'a Checker,
    sandboxes: &'a S,
    builds: &'a B,
    spec: Option<&'a SandboxSpec>,
    limits: CheckLimits,
    execution: Uuid,
    /// The end of its budget, counted from its first start.
    deadline: Option<Instant>,
    running: Option<Running<S::Running>>,
    /// Once it cannot run at all (no image, no compile), why: every check says so.
    broken: Option<String>,
}

struct Running<R> {
    sandbox: R,
    reader: EventReader,
    /// The index the next test's answer carries.
    next: usize,
}

impl<'a, S: Sandboxes, B: BuildStore> CheckerRun<'a, S, B> {
    pub fn new(
        checker: &'a Checker,
        sandboxes: &'a S,
        builds: &'a B,
        specs: &'a CheckerSpecs,
        limits: CheckLimits,
        execution: Uuid,
    ) -> Self {
        Self {
            checker,
            sandboxes,
            builds,
            spec: specs.get(&checker.language),
            limits,
            execution,
            deadline: None,
            running: None,
            broken: None,
        }
    }

    /// What the checker says of one test: its `input`, `expected` output and what the
    /// code produced; `Err` when the checker failed, saying how.
    pub async fn check(
        &mut self,
        input: &ExactJson,
        expected: &str,
        actual: &Actual,
    ) -> Result<Judgement, String> {
        if let Some(why) = &self.broken {
            return Err(why.clone());
        }
        let mut running = match self.running.take() {
            Some(running) => running,
            None => self.start().await?,
        };
        let line = self.checker.input_line(input, expected, actual);
        if let Err(err) = running.sandbox.send(&line).await {
            return Err(format!(
                "the checker's sandbox would not take the test: {err}"
            ));
        }
        let budget_end = self.budget_end();
        let deadline = (Instant::now() + self.limits.check).min(budget_end);
        let answer = match read_event(&mut running, deadline, budget_end, &self.limits).await {
            Ok(SandboxEvent::Test {
                index,
                value,
                output,
                error,
                limit,
                exit_code,
                ..
            }) if index == running.next => {
                running.next += 1;
                self.judge(value, output, error, limit, exit_code)
            }
            Ok(_) => Answer::Failed("the checker's sandbox answered out of turn".to_owned()),
            Err(why) => Answer::Failed(why),
        };
        match answer {
            Answer::Judged(judged) => {
                self.running = Some(running);
                judged
            }
            // A checker that failed to answer is not trusted with another test: the next
            // check starts a fresh one (loading its kept build).
            Answer::Failed(why) => Err(why),
        }
    }

    /// Its answer to a test, as the checker's kind reads it.
    fn judge(
        &self,
        value: Option<String>,
        output: Option<String>,
        error: Option<String>,
        limit: Option<Limit>,
        exit_code: Option<i64>,
    ) -> Answer {
        let function = self.checker.function_name.is_some();
        match (limit, value, output, exit_code, error) {
            (Some(Limit::Memory), ..) => Answer::Failed(format!(
                "the checker ran out of memory (limit {} MB)",
                self.spec.map_or(0, |s| s.memory_bytes >> 20)
            )),
            (Some(Limit::Output), ..) => Answer::Failed(
                "the checker's answer (or what it printed) was larger than its limit".to_owned(),
            ),
            (None, Some(value), _, _, None) if function => {
                Answer::Judged(checker::judge_returned(&value))
            }
            (None, _, Some(output), Some(code), _) if !function => {
                Answer::Judged(checker::judge_exit(code, &output))
            }
            (_, _, _, _, Some(error)) => Answer::Failed(format!("the checker failed: {error}")),
            _ => Answer::Failed("the checker gave no answer".to_owned()),
        }
    }

    /// Starts the checker's sandbox and loads its code (a build kept from before, or
    /// compiled now and kept).
    async fn start(&mut self) -> Result<Running<S::Running>, String> {
        let language = self.checker.language;
        let Some(spec) = self.spec else {
            return Err(self.break_with(format!(
                "this worker has no sandbox image for {language} checkers"
            )));
        };
        let now = Instant::now();
        let budget_end = self.budget_end();
        if now >= budget_end {
            return Err(self.break_with(format!(
                "the checker used up its time ({} s for every check of a submission)",
                self.limits.total.as_secs()
            )));
        }
        let code = Code::checker(self.checker);
        let key = BuildKey::of(&spec.image, code);
        let build = match &key {
            Some(key) => self.builds.get(key).await,
            None => None,
        };
        let lifetime = budget_end - now + SELF_DESTRUCT_MARGIN;
        let job = SandboxJob {
            build: build.as_deref(),
            return_build: key.is_some() && build.is_none(),
            ..SandboxJob::streamed(code, self.limits.output, lifetime, false)
        }
        .to_line();
        let sandbox = self
            .sandboxes
            .start(spec, self.execution, lifetime, &job)
            .await
            .map_err(|err| format!("the checker's sandbox could not start: {err}"))?;
        let mut running = Running {
            sandbox,
            reader: EventReader::new(MAX_EVENT_LINE_BYTES),
            next: 0,
        };
        let deadline = (now + self.limits.load).min(budget_end);
        match read_event(&mut running, deadline, budget_end, &self.limits).await {
            Ok(SandboxEvent::Loaded { build: made, .. }) => {
                if let (Some(key), Some(made)) = (key, made) {
                    self.builds.put(key, made);
                }
                Ok(running)
            }
            Ok(SandboxEvent::LoadFailed { message, .. }) => {
                Err(self.break_with(format!("the checker did not compile or load: {message}")))
            }
            Ok(_) => Err("the checker's sandbox answered out of turn".to_owned()),
            Err(why) => Err(self.break_with(format!("loading the checker: {why}"))),
        }
    }

    /// The end of the checker's time: its budget from its first start, so that the code's
    /// own compiling and first tests never spend it.
    fn budget_end(&mut self) -> Instant {
        *self
            .deadline
            .get_or_insert_with(|| Instant::now() + self.limits.total)
    }

    /// Marks the checker as unable to run, for every check after; returns why.
    fn break_with(&mut self, why: String) -> String {
        self.broken = Some(why.clone());
        why
    }
}

/// The next event of a checker's sandbox, by `deadline` (`budget_end` is the end of all its
/// checks' time); else why none came.
async fn read_event<R: LiveSandbox>(
    running: &mut Running<R>,
    deadline: Instant,
    budget_end: Instant,
    limits: &CheckLimits,
) -> Result<SandboxEvent, String> {
    loop {
        let chunk = match running.sandbox.read(deadline).await {
            Ok(Read::Stdout(chunk)) => chunk,
            Ok(Read::Ended) => return Err("the checker's sandbox ended".to_owned()),
            Ok(Read::DeadlinePassed) if deadline >= budget_end => {
                return Err(format!(
                    "the checker used up its time ({} s for every check of a submission)",
                    limits.total.as_secs()
                ))
            }
            Ok(Read::DeadlinePassed) => {
                return Err(format!(
                    "the checker ran past its limit of {} ms",
                    limits.check.as_millis()
                ))
            }
            Err(err) => return Err(format!("the checker's sandbox failed: {err}")),
        };
        let Some(mut events) = running.reader.push(&chunk) else {
            return Err("the checker's sandbox wrote a line past its limit".to_owned());
        };
        if !events.is_empty() {
            let event = events.remove(0);
            return match event {
                SandboxEvent::Ended {
                    exit_code, signal, ..
                } => Err(match (signal, exit_code) {
                    (Some(signal), _) => format!("the checker was killed by signal {signal}"),
                    (None, Some(code)) => format!("the checker exited with code {code}"),
                    (None, None) => "the checker's sandbox ended".to_owned(),
                }),
                event => Ok(event),
            };
        }
    }
}

/// What came of asking the checker about a test.
enum Answer {
    /// It answered in its protocol's form: its verdict, or why the answer means none (a
    /// score out of range, say). Its sandbox may take the next test.
    Judged(Result<Judgement, String>),
    /// It crashed, ran out of a limit or never answered: its sandbox is dropped.
    Failed(String),
}
