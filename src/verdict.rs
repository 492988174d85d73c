use serde::{Deserialize, Serialize};

/// How a test, or a whole submission, ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accepted,
    WrongAnswer,
    CompileError,
    RuntimeError,
    TimeLimitExceeded,
    MemoryLimitExceeded,
    OutputLimitExceeded,
    InternalError,
}

impl Verdict {
    /// The short label the original specification's `error` field carries for a
    /// submission that ended this way; `None` where every test ran to a value.
    pub fn error_label(self) -> Option<&'static str> {
        match self {
            Verdict::Accepted | Verdict::WrongAnswer => None,
            Verdict::CompileError => Some("Execution environment error"),
            Verdict::RuntimeError => Some("Runtime error"),
            Verdict::TimeLimitExceeded => Some("Time limit exceeded"),
            Verdict::MemoryLimitExceeded => Some("Memory limit exceeded"),
            Verdict::OutputLimitExceeded => Some("Output limit exceeded"),
            Verdict::InternalError => Some("Internal error"),
        }
    }
}
