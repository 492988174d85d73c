//! Problems an operator registers once (`PUT /problems/{name}`), so that submissions name
//! them (`"problem": "two-sum"`) instead of each carrying the same checker. Kept in the
//! `exec-problems` bucket, so every gateway knows every problem and a restart forgets none;
//! the gateway puts a named problem's checker into the submission, and no other service
//! ever reads this bucket.

use async_nats::jetstream::{self, kv};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::checker::Checker;
use crate::subjects;
use crate::submission::{invalid, parse_json, SubmissionError, SubmissionLimits};

/// The longest problem name.
pub const MAX_NAME_CHARS: usize = 64;
/// The pattern of a problem's name, as the API's document states it.
pub const NAME_PATTERN: &str = r"^[A-Za-z0-9_-]{1,64}$";

/// A registered problem: how its submissions are judged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub checker: Checker,
}

impl Problem {
    /// `PUT /problems/{name}`'s body: `{"checker": {...}}`, checked as a submission's
    /// checker is.
    pub fn parse(body: &[u8], limits: &SubmissionLimits) -> Result<Self, SubmissionError> {
        let Value::Object(fields) = parse_json(body)? else {
            return Err(SubmissionError::Malformed(
                "a problem must be a JSON object".to_owned(),
            ));
        };
        if let Some(unknown) = fields.keys().find(|k| *k != "checker") {
            return Err(invalid(unknown.as_str(), "a problem holds a checker only"));
        }
        match Checker::parse(fields.get("checker"), limits)? {
            Some(checker) => Ok(Self { checker }),
            None => Err(invalid("checker", "checker is required")),
        }
    }
}

/// Whether `name` may name a problem: letters, digits, `_` and `-`, 1 to 64 of them.
pub fn is_name(name: &str) -> bool {
    (1..=MAX_NAME_CHARS).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A submission's `problem`, if it names one.
pub fn parse_name(value: Option<&Value>) -> Result<Option<String>, SubmissionError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) if is_name(name) => Ok(Some(name.clone())),
        Some(_) => Err(invalid(
            "problem",
            format!(
                "problem must be a registered problem's name: letters, digits, _ and -, 1 to \
                 {MAX_NAME_CHARS} of them"
            ),
        )),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the problems' bucket: {0}")]
pub struct ProblemsError(String);

/// The registered problems.
#[derive(Clone)]
pub struct Problems {
    bucket: kv::Store,
}

impl Problems {
    pub async fn open(js: &jetstream::Context) -> Result<Self, ProblemsError> {
        let bucket = js
            .get_key_value(subjects::PROBLEMS_BUCKET)
            .await
            .map_err(|err| ProblemsError(err.to_string()))?;
        Ok(Self { bucket })
    }

    /// Registers `problem` as `name`, in place of any problem of that name before.
    pub async fn put(&self, name: &str, problem: &Problem) -> Result<(), ProblemsError> {
        let value = serde_json::to_vec(problem).expect("a problem serializes");
        self.bucket
            .put(name, value.into())
            .await
            .map_err(|err| ProblemsError(err.to_string()))?;
        Ok(())
    }

    /// The problem registered as `name`, if one is.
    pub async fn get(&self, name: &str) -> Result<Option<Problem>, ProblemsError> {
        let value = self
            .bucket
            .get(name)
            .await
            .map_err(|err| ProblemsError(err.to_string()))?;
        Ok(value.and_then(|value| serde_json::from_slice(&value).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_problem_is_a_checker_under_a_plain_name() {
        let limits = SubmissionLimits::default();
        let body =
            json!({"checker": {"language": "python", "code": "def check(i, e, a): return True"}});
        let problem = Problem::parse(body.to_string().as_bytes(), &limits).unwrap();
        assert_eq!(problem.checker.function_name.as_deref(), Some("check"));
        let field = |body: Value| match Problem::parse(body.to_string().as_bytes(), &limits) {
            Err(SubmissionError::InvalidField { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(json!({})), "checker");
        assert_eq!(
            field(json!({"checker": {"language": "python", "code": ""}})),
            "checker.code"
        );
        assert_eq!(field(json!({"checker": null, "extra": 1})), "extra");
        assert!(matches!(
            Problem::parse(b"[]", &limits),
            Err(SubmissionError::Malformed(_))
        ));
        for name in ["two-sum", "A_1", &"x".repeat(64)] {
            assert!(is_name(name), "{name}");
        }
        for name in ["", "a b", "a/b", "é", "a.b", &"x".repeat(65)] {
            assert!(!is_name(name), "{name}");
        }
        assert!(parse_name(Some(&json!("a b"))).is_err());
        assert!(parse_name(Some(&json!(3))).is_err());
        assert_eq!(
            parse_name(Some(&json!("two-sum"))).unwrap().as_deref(),
            Some("two-sum")
        );
    }
}
