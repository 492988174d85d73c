//! Runs one submission: the job in, the sandbox, the result document out.

use exec_engine::execution::RunTimes;
use exec_engine::{ExecutionResult, Language, Submission};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::protocol::{self, HarnessJob};
use crate::sandbox::{Sandbox, SandboxError, SandboxSpec};

#[derive(Clone)]
pub struct Executor {
    pub language: Language,
    pub sandbox: Sandbox,
    pub spec: SandboxSpec,
    pub output_limit_bytes: usize,
}

impl Executor {
    /// Runs every test of `submission` in one fresh sandbox. An `Err` means the sandbox
    /// itself could not run (Docker down, image missing): the submission is worth retrying.
    /// Anything the user's code does ends in an `Ok` document with its verdict.
    #[tracing::instrument(name = "execute", skip_all, fields(id = %submission.id))]
    pub async fn execute(&self, submission: &Submission) -> Result<ExecutionResult, SandboxError> {
        // A fresh secret per run: only lines that carry it are the harness's.
        let nonce = Uuid::new_v4().simple().to_string();
        let job = HarnessJob::new(submission, &nonce, self.output_limit_bytes).to_line();
        let started_at = OffsetDateTime::now_utc();
        let output = self.sandbox.run(&self.spec, submission.id, &job).await?;
        let finished_at = OffsetDateTime::now_utc();
        let result = protocol::interpret(
            submission,
            &nonce,
            &output,
            self.spec.timeout.as_secs(),
            RunTimes {
                started_at,
                finished_at,
                compile_time_ms: None,
            },
        );
        tracing::info!(
            status = ?result.status,
            ms = (finished_at - started_at).whole_milliseconds() as u64,
            "ran"
        );
        Ok(result)
    }
}
