//! Custom checkers: code, in any of the languages, that judges a test's output where no
//! comparison mode can ("print any valid path"). A checker is a function
//! `check(input, expected_output, actual_output)` answering `true`, `false` or `{"passed",
//! "message", "score"}`, or (`function_name: null`) a program answering by testlib's exit
//! codes. It runs in a sandbox of its own (the worker's `checker.rs`); this module holds
//! what it is, what it is given and how its answer becomes a verdict, with no I/O.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::exact_json::ExactJson;
use crate::submission::{invalid, parse_identifier, SubmissionError, SubmissionLimits};
use crate::Language;

/// The function a checker defines unless it names another.
pub const DEFAULT_FUNCTION: &str = "check";
/// What is kept of a checker's message.
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// A submission's checker, as parsed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checker {
    pub language: Language,
    pub code: String,
    /// The checking function; `None`: the checker is a whole program (testlib style).
    pub function_name: Option<String>,
}

/// What a checker said of one test.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    pub passed: bool,
    /// Its share of the test's weight, from 0 to 1.
    pub score: f64,
    pub message: Option<String>,
}

impl Checker {
    /// `checker`: `{"language", "code", "function_name"?}`; a `function_name` left out is
    /// [`DEFAULT_FUNCTION`], a null one asks for a program.
    pub fn parse(
        value: Option<&Value>,
        limits: &SubmissionLimits,
    ) -> Result<Option<Checker>, SubmissionError> {
        let fields = match value {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(fields)) => fields,
            Some(_) => {
                return Err(invalid(
                    "checker",
                    "checker must be an object with language, code and function_name",
                ))
            }
        };
        if let Some(unknown) = fields
            .keys()
            .find(|k| !["language", "code", "function_name"].contains(&k.as_str()))
        {
            return Err(invalid(
                format!("checker.{unknown}"),
                "a checker holds language, code and function_name only",
            ));
        }
        let language = match fields.get("language") {
            Some(Value::String(name)) => name.parse::<Language>().ok(),
            _ => None,
        }
        .filter(|l| limits.languages.contains(l))
        .ok_or_else(|| {
            let served: Vec<&str> = limits.languages.iter().map(|l| l.as_str()).collect();
            invalid(
                "checker.language",
                format!("checker.language must be one of {}", served.join(", ")),
            )
        })?;
        let code = match fields.get("code") {
            Some(Value::String(code)) if !code.trim().is_empty() => code,
            _ => {
                return Err(invalid(
                    "checker.code",
                    "checker.code must be non-empty text",
                ))
            }
        };
        if code.len() > limits.max_code_bytes || code.contains('\0') {
            return Err(invalid(
                "checker.code",
                format!(
                    "checker.code must be at most {} bytes, without NUL",
                    limits.max_code_bytes
                ),
            ));
        }
        let function_name = match fields.get("function_name") {
            None => Some(DEFAULT_FUNCTION.to_owned()),
            Some(Value::Null) => None,
            Some(Value::String(name)) => Some(
                parse_identifier(name)
                    .map_err(|why| invalid("checker.function_name", format!("checker.{why}")))?,
            ),
            Some(_) => {
                return Err(invalid(
                    "checker.function_name",
                    "checker.function_name must be an identifier or null",
                ))
            }
        };
        Ok(Some(Checker {
            language,
            code: code.clone(),
            function_name,
        }))
    }

    /// The streamed input (harness/PROTOCOL.md, "Streamed inputs") that asks the checker
    /// about one test. A function gets its three arguments, `actual_output` decoded from
    /// JSON where the code returned a value; a program gets three texts on stdin, each
    /// after a line holding its length in bytes, so that no text can pass for another.
    pub fn input_line(&self, input: &ExactJson, expected: &str, actual: &Actual) -> Vec<u8> {
        let line = match self.function_name {
            Some(_) => {
                let actual = match actual {
                    Actual::Value(json) => json.clone(),
                    Actual::Output(text) => Value::String(text.clone()).to_string(),
                };
                format!(
                    "{{\"input\":[{},{},{}]}}",
                    input.text(),
                    Value::String(expected.to_owned()),
                    actual
                )
            }
            None => {
                let input = input.as_string().unwrap_or_else(|| input.text().to_owned());
                let actual = match actual {
                    Actual::Value(text) | Actual::Output(text) => text,
                };
                let mut stdin = String::new();
                for text in [input.as_str(), expected, actual] {
                    stdin.push_str(&format!("{}\n{text}\n", text.len()));
                }
                format!("{{\"input\":{}}}", Value::String(stdin))
            }
        };
        let mut line = line.into_bytes();
        line.push(b'\n');
        line
    }
}

/// What the code under test produced for a test.
#[derive(Clone, Debug, PartialEq)]
pub enum Actual {
    /// A function's returned value, as canonical JSON text.
    Value(String),
    /// A program's output.
    Output(String),
}

/// A function checker's returned value (JSON text) as a judgement, or why it is none.
pub fn judge_returned(value: &str) -> Result<Judgement, String> {
    let expected =
        "a checker returns true, false or an object {\"passed\": bool, \"message\": text, \"score\": 0 to 1}";
    match serde_json::from_str::<Value>(value) {
        Ok(Value::Bool(passed)) => Ok(Judgement {
            passed,
            score: if passed { 1.0 } else { 0.0 },
            message: None,
        }),
        Ok(Value::Object(fields)) => {
            judge_object(&fields).map_err(|why| format!("{why}; {expected}"))
        }
        _ => Err(format!(
            "the checker returned {}; {expected}",
            shorten(value, 200)
        )),
    }
}

fn judge_object(fields: &Map<String, Value>) -> Result<Judgement, String> {
    let Some(Value::Bool(passed)) = fields.get("passed") else {
        return Err("the checker's answer has no boolean \"passed\"".to_owned());
    };
    let score = match fields.get("score") {
        None | Some(Value::Null) => None,
        Some(score) => Some(
            score
                .as_f64()
                .filter(|s| (0.0..=1.0).contains(s))
                .ok_or("the checker's \"score\" is not a number from 0 to 1")?,
        ),
    };
    let message = match fields.get("message") {
        None | Some(Value::Null) => None,
        Some(Value::String(message)) => Some(shorten(message, MAX_MESSAGE_BYTES)),
        Some(_) => return Err("the checker's \"message\" is not text".to_owned()),
    };
    Ok(Judgement {
        passed: *passed,
        score: score.unwrap_or(if *passed { 1.0 } else { 0.0 }),
        message,
    })
}

/// A program checker's answer, by testlib's exit codes: 0 accepted, 1 wrong answer, 2
/// presentation error (a wrong answer), 3 the checker's own failure, 7 partly accepted with
/// the score (0 to 1) on the first line of its output. Its output is the message.
pub fn judge_exit(exit_code: i64, output: &str) -> Result<Judgement, String> {
    let message =
        |text: &str| Some(shorten(text.trim(), MAX_MESSAGE_BYTES)).filter(|m| !m.is_empty());
    match exit_code {
        0 => Ok(Judgement {
            passed: true,
            score: 1.0,
            message: message(output),
        }),
        1 | 2 => Ok(Judgement {
            passed: false,
            score: 0.0,
            message: message(output),
        }),
        3 => Err(format!(
            "the checker reported its own failure (exit code 3): {}",
            shorten(output.trim(), MAX_MESSAGE_BYTES)
        )),
        7 => {
            let (first, rest) = output.trim_start().split_once('\n').unwrap_or((output, ""));
            let score = first
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|s| (0.0..=1.0).contains(s))
                .ok_or_else(|| {
                    format!(
                        "the checker exited with 7 (points) but its first line, {}, is not a \
                         score from 0 to 1",
                        shorten(first.trim(), 100)
                    )
                })?;
            Ok(Judgement {
                passed: true,
                score,
                message: message(rest),
            })
        }
        code => Err(format!(
            "the checker exited with code {code}, which is none of testlib's verdicts (0, 1, 2, 3, 7)"
        )),
    }
}

/// `text` cut to at most `max` bytes on a character boundary, with an ellipsis if cut.
fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Option<Checker>, SubmissionError> {
        Checker::parse(Some(&value), &SubmissionLimits::default())
    }

    fn refused_field(value: Value) -> String {
        match parse(value) {
            Err(SubmissionError::InvalidField { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_checker_names_its_function_or_is_a_program() {
        let checker = parse(json!({"language": "go", "code": "package main"}))
            .unwrap()
            .unwrap();
        assert_eq!(checker.language, Language::Go);
        assert_eq!(checker.function_name.as_deref(), Some("check"));
        let program =
            parse(json!({"language": "cpp", "code": "int main(){}", "function_name": null}))
                .unwrap()
                .unwrap();
        assert_eq!(program.function_name, None);
        let named = parse(json!({"language": "python", "code": "x", "function_name": " judge "}))
            .unwrap()
            .unwrap();
        assert_eq!(named.function_name.as_deref(), Some("judge"));
        assert_eq!(
            Checker::parse(None, &SubmissionLimits::default()).unwrap(),
            None
        );
    }

    #[test]
    fn bad_checkers_are_refused_naming_the_field() {
        assert_eq!(refused_field(json!("def check(): pass")), "checker");
        assert_eq!(
            refused_field(json!({"language": "ruby", "code": "x"})),
            "checker.language"
        );
        assert_eq!(refused_field(json!({"code": "x"})), "checker.language");
        assert_eq!(
            refused_field(json!({"language": "python", "code": " "})),
            "checker.code"
        );
        assert_eq!(
            refused_field(json!({"language": "python", "code": "a\u{0}"})),
            "checker.code"
        );
        let big = "x".repeat(SubmissionLimits::default().max_code_bytes + 1);
        assert_eq!(
            refused_field(json!({"language": "python", "code": big})),
            "checker.code"
        );
        assert_eq!(
            refused_field(json!({"language": "python", "code": "x", "function_name": "a-b"})),
            "checker.function_name"
        );
        assert_eq!(
            refused_field(json!({"language": "python", "code": "x", "function_name": 3})),
            "checker.function_name"
        );
        assert_eq!(
            refused_field(json!({"language": "python", "code": "x", "timeout": 3})),
            "checker.timeout"
        );
        let python_only = SubmissionLimits {
            languages: vec![Language::Python],
            ..SubmissionLimits::default()
        };
        let unserved = json!({"language": "go", "code": "x"});
        assert!(Checker::parse(Some(&unserved), &python_only).is_err());
    }

    fn checker(function_name: Option<&str>) -> Checker {
        Checker {
            language: Language::Python,
            code: "x".into(),
            function_name: function_name.map(str::to_owned),
        }
    }

    fn exact(text: &str) -> ExactJson {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn a_function_checker_gets_three_arguments_with_big_numbers_exact() {
        let line = checker(Some("check")).input_line(
            &exact("[[1, 2], 18446744073709551616]"),
            "[0,1]",
            &Actual::Value("[0,1]".into()),
        );
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "{\"input\":[[[1,2],18446744073709551616],\"[0,1]\",[0,1]]}\n"
        );
        let line = checker(Some("check")).input_line(
            &exact("\"3 1\""),
            "1 3",
            &Actual::Output("1 3\n\"}".into()),
        );
        let parsed: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(parsed, json!({"input": ["3 1", "1 3", "1 3\n\"}"]}));
    }

    #[test]
    fn a_program_checker_gets_three_length_prefixed_texts() {
        let line = checker(None).input_line(
            &exact("\"3 1\\n\""),
            "1 3",
            &Actual::Output("1 3\n2\n1 3\n".into()),
        );
        let parsed: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(parsed["input"], "4\n3 1\n\n3\n1 3\n10\n1 3\n2\n1 3\n\n");
    }

    #[test]
    fn a_function_checkers_answer_is_a_boolean_or_an_object() {
        assert_eq!(judge_returned("true").unwrap().score, 1.0);
        let no = judge_returned("false").unwrap();
        assert!(!no.passed && no.score == 0.0 && no.message.is_none());
        let half = judge_returned(r#"{"passed": true, "message": "half", "score": 0.5}"#).unwrap();
        assert_eq!(
            (half.passed, half.score, half.message.as_deref()),
            (true, 0.5, Some("half"))
        );
        let failed = judge_returned(r#"{"passed": false}"#).unwrap();
        assert_eq!(failed.score, 0.0);
        for bad in [
            "1",
            "null",
            "\"true\"",
            "[true]",
            r#"{"passed": 1}"#,
            r#"{"passed": true, "score": 1.5}"#,
            r#"{"passed": true, "score": -0.1}"#,
            r#"{"passed": true, "score": "1"}"#,
            r#"{"passed": true, "message": 3}"#,
        ] {
            assert!(judge_returned(bad).is_err(), "{bad}");
        }
        let long = format!(r#"{{"passed": true, "message": "{}"}}"#, "é".repeat(2000));
        let cut = judge_returned(&long).unwrap().message.unwrap();
        assert!(cut.len() <= MAX_MESSAGE_BYTES + "…".len());
    }

    #[test]
    fn a_program_checkers_exit_code_is_its_verdict_as_testlib_has_it() {
        let ok = judge_exit(0, "ok\n").unwrap();
        assert_eq!(
            (ok.passed, ok.score, ok.message.as_deref()),
            (true, 1.0, Some("ok"))
        );
        assert!(!judge_exit(1, "not sorted").unwrap().passed);
        assert!(!judge_exit(2, "").unwrap().passed);
        assert_eq!(judge_exit(2, "  ").unwrap().message, None);
        assert!(judge_exit(3, "bad input")
            .unwrap_err()
            .contains("bad input"));
        let points = judge_exit(7, "0.25\npartial\n").unwrap();
        assert_eq!(
            (points.passed, points.score, points.message.as_deref()),
            (true, 0.25, Some("partial"))
        );
        assert!(judge_exit(7, "lots\n").is_err());
        assert!(judge_exit(7, "2\n").is_err());
        assert!(judge_exit(139, "").unwrap_err().contains("139"));
    }
}
