use serde::{Deserialize, Serialize};

/// How a test, or a whole submission, ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "snake_case"))]
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
    /// Not run: an earlier test failed and the submission asked to stop there.
    Skipped,
}

impl Verdict {
    /// Its name on the wire (`wrong_answer`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::WrongAnswer => "wrong_answer",
            Verdict::CompileError => "compile_error",
            Verdict::RuntimeError => "runtime_error",
            Verdict::TimeLimitExceeded => "time_limit_exceeded",
            Verdict::MemoryLimitExceeded => "memory_limit_exceeded",
            Verdict::OutputLimitExceeded => "output_limit_exceeded",
            Verdict::InternalError => "internal_error",
            Verdict::Skipped => "skipped",
        }
    }

    /// The short label the original specification's `error` field carries for a
    /// submission that ended this way; `None` where every test ran to a value.
    pub fn error_label(self) -> Option<&'static str> {
        match self {
            // A skipped test follows a failed one, which names the submission's status.
            Verdict::Accepted | Verdict::WrongAnswer | Verdict::Skipped => None,
            Verdict::CompileError => Some("Execution environment error"),
            Verdict::RuntimeError => Some("Runtime error"),
            Verdict::TimeLimitExceeded => Some("Time limit exceeded"),
            Verdict::MemoryLimitExceeded => Some("Memory limit exceeded"),
            Verdict::OutputLimitExceeded => Some("Output limit exceeded"),
            Verdict::InternalError => Some("Internal error"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict;

    #[test]
    fn its_name_is_the_one_serde_writes() {
        for verdict in [
            Verdict::Accepted,
            Verdict::WrongAnswer,
            Verdict::CompileError,
            Verdict::RuntimeError,
            Verdict::TimeLimitExceeded,
            Verdict::MemoryLimitExceeded,
            Verdict::OutputLimitExceeded,
            Verdict::InternalError,
        ] {
            assert_eq!(
                serde_json::to_value(verdict).unwrap(),
                serde_json::json!(verdict.as_str())
            );
        }
    }
}
