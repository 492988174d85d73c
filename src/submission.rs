//! A client's request to run code, validated once at the gateway and carried unchanged
//! to the worker.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::callback_policy::CallbackPolicy;
use crate::checker::Checker;
use crate::compare::{Comparison, Mode};
use crate::exact_json::ExactJson;
use crate::problems;
use crate::program::{self, SourceFile};
use crate::Language;

/// A validated request to run `function_name` from `code` once per test case, or, without
/// a function name, to run `code` as a whole program once per test case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: Uuid,
    pub language: Language,
    pub code: String,
    pub function_name: Option<String>,
    pub imports: Vec<String>,
    pub test_cases: Vec<TestCase>,
    pub callback_url: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// Each test's time limit, when the client chose one (else the worker's default).
    #[serde(default)]
    pub time_limit_ms: Option<u64>,
    /// The sandbox's memory limit, when the client chose one (else the language's).
    #[serde(default)]
    pub memory_limit_mb: Option<u64>,
    /// The id of the API key it came with (never the key), where keys are in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// How its tests are judged, where it chose (else by its mode's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// Whether the tests after the first that fails are skipped rather than run.
    #[serde(default)]
    pub stop_on_first_failure: bool,
    /// Program mode: the program's command-line arguments...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// ...and the files written beside its code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SourceFile>,
    /// The code that judges each test's output, where the submission brings one (or names
    /// a registered problem, whose checker the gateway puts here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checker: Option<Checker>,
    /// The registered problem it names, if any: its checker judges the tests unless the
    /// submission brings its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// One call of the function: `input` holds its positional arguments (a JSON array; any
/// other value is the single argument), `expected_output` the text it should return. In
/// program mode `input` is the program's stdin (a string) and `expected_output` its stdout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    pub input: ExactJson,
    pub expected_output: String,
    /// How this test is judged, where it differs from its submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// What passing it adds to the submission's score.
    #[serde(default = "default_weight")]
    pub weight: f64,
}

fn default_weight() -> f64 {
    1.0
}

/// What the operator allows a submission to contain.
#[derive(Clone, Debug)]
pub struct SubmissionLimits {
    /// Languages this deployment runs; others are refused rather than queued forever.
    pub languages: Vec<Language>,
    pub max_code_bytes: usize,
    pub max_test_cases: usize,
    pub max_imports: usize,
    /// The largest `time_limit_ms` a client may ask for.
    pub max_time_limit_ms: u64,
    /// The largest `memory_limit_mb` a client may ask for.
    pub max_memory_limit_mb: u64,
    /// Where callbacks may go.
    pub callbacks: CallbackPolicy,
}

impl Default for SubmissionLimits {
    fn default() -> Self {
        Self {
            languages: Language::ALL.to_vec(),
            max_code_bytes: 64 * 1024,
            max_test_cases: 100,
            max_imports: 50,
            max_time_limit_ms: 10_000,
            max_memory_limit_mb: 1024,
            callbacks: CallbackPolicy::default(),
        }
    }
}

/// Why a request body is not a submission.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum SubmissionError {
    /// The body is not a JSON object.
    #[error("{0}")]
    Malformed(String),
    /// A field is missing or holds a value the engine does not accept.
    #[error("{message}")]
    InvalidField { field: String, message: String },
}

pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> SubmissionError {
    SubmissionError::InvalidField {
        field: field.into(),
        message: message.into(),
    }
}

/// Reads a request body as JSON, refusing an object that names a key twice: serde_json
/// would keep the last silently, and which one a client meant is a guess.
pub fn parse_json(body: &[u8]) -> Result<Value, SubmissionError> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let value = StrictValue
        .deserialize(&mut reader)
        .and_then(|value| reader.end().map(|()| value))
        .map_err(malformed)?;
    Ok(value)
}

fn malformed(err: serde_json::Error) -> SubmissionError {
    SubmissionError::Malformed(format!("the request body is not valid JSON: {err}"))
}

/// A JSON value whose objects hold each key once.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut array = Vec::new();
        while let Some(item) = items.next_element_seed(StrictValue)? {
            array.push(item);
        }
        Ok(Value::Array(array))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("the key `{key}` appears twice")));
            }
            let value = entries.next_value_seed(StrictValue)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

const MAX_FUNCTION_NAME_CHARS: usize = 128;
/// The longest import, in characters.
pub const MAX_IMPORT_CHARS: usize = 256;
const MAX_CALLBACK_URL_CHARS: usize = 2048;
const MIN_TIME_LIMIT_MS: u64 = 50;
const MIN_MEMORY_LIMIT_MB: u64 = 32;

impl Submission {
    /// Reads a request body in the original specification's format. Unknown fields are
    /// ignored so that clients may send extras that later versions understand.
    pub fn parse(body: &[u8], limits: &SubmissionLimits) -> Result<Submission, SubmissionError> {
        let submission: &RawValue = serde_json::from_slice(body).map_err(malformed)?;
        Self::from_json(submission, limits)
    }

    /// Reads one submission given as JSON text (an item of a batch, say).
    pub fn from_json(
        submission: &RawValue,
        limits: &SubmissionLimits,
    ) -> Result<Submission, SubmissionError> {
        let Value::Object(fields) = parse_json(submission.get().as_bytes())? else {
            return Err(SubmissionError::Malformed(
                "a submission must be a JSON object".to_owned(),
            ));
        };
        let function_name = parse_function_name(&fields)?;
        let test_cases = parse_test_cases(&fields, submission, limits)?;
        if function_name.is_none() {
            check_program_inputs(&test_cases)?;
        } else if let Some(field) = ["args", "files"]
            .into_iter()
            .find(|f| fields.get(*f).is_some_and(|v| !v.is_null()))
        {
            return Err(invalid(
                field,
                format!("{field} are for whole programs: leave out function_name to send one"),
            ));
        }
        let language = parse_language(&fields, limits)?;
        let code = parse_code(&fields, limits)?;
        let checker = Checker::parse(fields.get("checker"), limits)?;
        let problem = problems::parse_name(fields.get("problem"))?;
        let files = program::parse_files(
            fields.get("files"),
            limits.max_code_bytes - code.len(),
            limits.max_code_bytes,
        )?;
        Ok(Submission {
            id: Uuid::new_v4(),
            language,
            code,
            function_name,
            imports: parse_imports(&fields, limits)?,
            test_cases,
            callback_url: parse_callback_url(&fields, &limits.callbacks)?,
            submitted_at: OffsetDateTime::now_utc(),
            time_limit_ms: parse_limit(
                &fields,
                "time_limit_ms",
                MIN_TIME_LIMIT_MS,
                limits.max_time_limit_ms,
            )?,
            memory_limit_mb: parse_limit(
                &fields,
                "memory_limit_mb",
                MIN_MEMORY_LIMIT_MB,
                limits.max_memory_limit_mb,
            )?,
            // Set by the gateway from the caller's key, never from the body.
            key_id: None,
            comparison: parse_comparison(fields.get("comparison"), "comparison")?,
            stop_on_first_failure: match fields.get("stop_on_first_failure") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(stop)) => *stop,
                Some(_) => {
                    return Err(invalid(
                        "stop_on_first_failure",
                        "stop_on_first_failure must be true or false",
                    ))
                }
            },
            args: program::parse_args(fields.get("args"))?,
            files,
            checker,
            problem,
        })
    }

    /// How `case`, one of this submission's tests, is judged: its own comparison, else the
    /// submission's, else its mode's default (`json` for a function, `lines` for a program).
    pub fn comparison_for(&self, case: &TestCase) -> Comparison {
        case.comparison
            .or(self.comparison)
            .unwrap_or_else(|| match self.function_name {
                Some(_) => Comparison::returned_value(),
                None => Comparison::program_output(),
            })
    }
}

fn required_string<'a>(
    fields: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a str, SubmissionError> {
    match fields.get(name) {
        None | Some(Value::Null) => Err(invalid(name, format!("{name} is required"))),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(invalid(name, format!("{name} must not be empty")))
        }
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(invalid(name, format!("{name} must be a string"))),
    }
}

fn parse_language(
    fields: &Map<String, Value>,
    limits: &SubmissionLimits,
) -> Result<Language, SubmissionError> {
    let name = required_string(fields, "language")?;
    let language: Language = name
        .parse()
        .map_err(|e: crate::language::UnknownLanguage| invalid("language", e.to_string()))?;
    if !limits.languages.contains(&language) {
        let served: Vec<&str> = limits.languages.iter().map(|l| l.as_str()).collect();
        return Err(invalid(
            "language",
            format!(
                "language '{language}' is not served by this engine; it serves {}",
                served.join(", ")
            ),
        ));
    }
    Ok(language)
}

fn parse_code(
    fields: &Map<String, Value>,
    limits: &SubmissionLimits,
) -> Result<String, SubmissionError> {
    let code = required_string(fields, "code")?;
    if code.len() > limits.max_code_bytes {
        return Err(invalid(
            "code",
            format!(
                "code is {} bytes; the limit is {} bytes",
                code.len(),
                limits.max_code_bytes
            ),
        ));
    }
    Ok(code.to_owned())
}

/// `None` (absent or null) asks for program mode.
fn parse_function_name(fields: &Map<String, Value>) -> Result<Option<String>, SubmissionError> {
    if fields.get("function_name").is_none_or(Value::is_null) {
        return Ok(None);
    }
    let name = required_string(fields, "function_name")?;
    parse_identifier(name)
        .map(Some)
        .map_err(|why| invalid("function_name", why))
}

/// A function's name, white space around it gone; else why it is none, in words that
/// start with `function_name`.
pub(crate) fn parse_identifier(name: &str) -> Result<String, String> {
    let name = name.trim();
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !starts_well
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        || name.len() > MAX_FUNCTION_NAME_CHARS
    {
        return Err(format!(
            "function_name must be an identifier (a letter or _ then letters, digits or _, \
             at most {MAX_FUNCTION_NAME_CHARS} characters)"
        ));
    }
    Ok(name.to_owned())
}

/// In program mode each input is the program's stdin.
fn check_program_inputs(cases: &[TestCase]) -> Result<(), SubmissionError> {
    match cases.iter().position(|case| !case.input.is_string()) {
        Some(i) => Err(invalid(
            format!("test_cases[{i}].input"),
            "without function_name the code runs as a program: each input must be a string, \
             the program's stdin",
        )),
        None => Ok(()),
    }
}

fn parse_imports(
    fields: &Map<String, Value>,
    limits: &SubmissionLimits,
) -> Result<Vec<String>, SubmissionError> {
    let items = match fields.get("imports") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("imports", "imports must be an array of strings")),
    };
    if items.len() > limits.max_imports {
        return Err(invalid(
            "imports",
            format!(
                "imports has {} entries; the limit is {}",
                items.len(),
                limits.max_imports
            ),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = format!("imports[{i}]");
            match item {
                Value::String(s) if s.trim().is_empty() => {
                    Err(invalid(field, "an import must not be empty"))
                }
                // White space around it goes (a trailing line break too).
                Value::String(s) if s.trim().contains(['\n', '\r', '\0']) => {
                    Err(invalid(field, "an import must be a single line"))
                }
                Value::String(s) if s.chars().count() > MAX_IMPORT_CHARS => Err(invalid(
                    field,
                    format!("an import must be at most {MAX_IMPORT_CHARS} characters"),
                )),
                Value::String(s) => Ok(s.trim().to_owned()),
                _ => Err(invalid(field, "an import must be a string")),
            }
        })
        .collect()
}

fn parse_test_cases(
    fields: &Map<String, Value>,
    submission: &RawValue,
    limits: &SubmissionLimits,
) -> Result<Vec<TestCase>, SubmissionError> {
    let items = match fields.get("test_cases") {
        None | Some(Value::Null) => return Err(invalid("test_cases", "test_cases is required")),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("test_cases", "test_cases must be an array")),
    };
    if items.is_empty() {
        return Err(invalid(
            "test_cases",
            "test_cases must hold at least one test case",
        ));
    }
    if items.len() > limits.max_test_cases {
        return Err(invalid(
            "test_cases",
            format!(
                "test_cases has {} entries; the limit is {}",
                items.len(),
                limits.max_test_cases
            ),
        ));
    }
    // Each test's comparison and weight, as checked here.
    let mut judging = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Object(case) = item else {
            return Err(invalid(
                format!("test_cases[{i}]"),
                "a test case must be an object with input and expected_output",
            ));
        };
        for field in ["input", "expected_output"] {
            if !case.contains_key(field) {
                return Err(invalid(
                    format!("test_cases[{i}].{field}"),
                    format!("{field} is required"),
                ));
            }
        }
        let weight = match case.get("weight") {
            None | Some(Value::Null) => default_weight(),
            Some(weight) => weight
                .as_f64()
                .filter(|w| w.is_finite() && *w >= 0.0)
                .ok_or_else(|| {
                    invalid(
                        format!("test_cases[{i}].weight"),
                        "weight must be a number, 0 or more",
                    )
                })?,
        };
        let comparison = parse_comparison(
            case.get("comparison"),
            &format!("test_cases[{i}].comparison"),
        )?;
        judging.push((comparison, weight));
    }
    let mut cases = exact_test_cases(submission)?;
    for (case, (comparison, weight)) in cases.iter_mut().zip(judging) {
        case.comparison = comparison;
        case.weight = weight;
    }
    Ok(cases)
}

/// An optional `{"mode", "abs_tolerance"?, "rel_tolerance"?, "nested"?}`.
fn parse_comparison(
    value: Option<&Value>,
    field: &str,
) -> Result<Option<Comparison>, SubmissionError> {
    let fields = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(fields)) => fields,
        Some(_) => return Err(invalid(field, format!("{field} must be an object"))),
    };
    let modes = Mode::NAMES.join(", ");
    let mode = match fields.get("mode") {
        Some(Value::String(name)) => Mode::parse(name),
        _ => None,
    }
    .ok_or_else(|| {
        invalid(
            format!("{field}.mode"),
            format!("mode must be one of {modes}"),
        )
    })?;
    let tolerance = |name: &str| match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match value.as_f64() {
            Some(t) if t.is_finite() && t >= 0.0 => Ok(Some(t)),
            _ => Err(invalid(
                format!("{field}.{name}"),
                format!("{name} must be a number, 0 or more"),
            )),
        },
    };
    let nested = match fields.get("nested") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(nested)) => *nested,
        Some(_) => {
            return Err(invalid(
                format!("{field}.nested"),
                "nested must be true or false",
            ))
        }
    };
    Ok(Some(Comparison {
        mode,
        abs_tolerance: tolerance("abs_tolerance")?,
        rel_tolerance: tolerance("rel_tolerance")?,
        nested,
    }))
}

/// The test cases as written, once their shape is checked: the `Value` read for checking
/// rounds integers beyond 64 bits, which must reach the code, and the judge, exactly.
fn exact_test_cases(submission: &RawValue) -> Result<Vec<TestCase>, SubmissionError> {
    #[derive(Deserialize)]
    struct Cases {
        test_cases: Vec<Case>,
    }
    #[derive(Deserialize)]
    struct Case {
        input: ExactJson,
        expected_output: ExactJson,
    }
    let cases: Cases = serde_json::from_str(submission.get()).map_err(malformed)?;
    Ok(cases
        .test_cases
        .into_iter()
        .map(|case| TestCase {
            input: case.input,
            // A JSON value given where text was expected means the same value as text.
            expected_output: case
                .expected_output
                .as_string()
                .unwrap_or_else(|| case.expected_output.text().to_owned()),
            comparison: None,
            weight: default_weight(),
        })
        .collect())
}

/// An optional whole number within `min..=max`.
fn parse_limit(
    fields: &Map<String, Value>,
    name: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, SubmissionError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match value.as_u64() {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(invalid(
                name,
                format!("{name} must be a whole number from {min} to {max}"),
            )),
        },
    }
}

fn parse_callback_url(
    fields: &Map<String, Value>,
    policy: &CallbackPolicy,
) -> Result<Option<String>, SubmissionError> {
    let raw = match fields.get("callback_url") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.trim(),
        Some(_) => return Err(invalid("callback_url", "callback_url must be a string")),
    };
    if raw.chars().count() > MAX_CALLBACK_URL_CHARS {
        return Err(invalid(
            "callback_url",
            format!("callback_url must be at most {MAX_CALLBACK_URL_CHARS} characters"),
        ));
    }
    let url = policy
        .check_url(raw)
        .map_err(|err| invalid("callback_url", err.to_string()))?;
    Ok(Some(url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: Value) -> Result<Submission, SubmissionError> {
        Submission::parse(body.to_string().as_bytes(), &SubmissionLimits::default())
    }

    fn valid() -> Value {
        json!({
            "language": "python",
            "code": "def add_numbers(a, b):\n    return a + b",
            "function_name": "add_numbers",
            "imports": [],
            "test_cases": [{"input": [2, 3], "expected_output": "5"}],
            "callback_url": "https://example.com/callback"
        })
    }

    fn field_of(result: Result<Submission, SubmissionError>) -> String {
        match result {
            Err(SubmissionError::InvalidField { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    fn with(key: &str, value: Value) -> Value {
        let mut body = valid();
        body[key] = value;
        body
    }

    fn without(key: &str) -> Value {
        let mut body = valid();
        body.as_object_mut().unwrap().remove(key);
        body
    }

    #[test]
    fn the_specification_example_parses() {
        let s = parse(valid()).unwrap();
        assert_eq!(s.language, Language::Python);
        assert_eq!(s.function_name.as_deref(), Some("add_numbers"));
        assert_eq!(
            s.comparison_for(&s.test_cases[0]),
            Comparison::returned_value()
        );
        assert_eq!(s.test_cases[0].input.text(), "[2,3]");
        assert_eq!(s.test_cases[0].expected_output, "5");
        assert_eq!(
            s.callback_url.as_deref(),
            Some("https://example.com/callback")
        );
    }

    #[test]
    fn a_program_brings_args_files_and_a_checker() {
        let mut body = without("function_name");
        body["test_cases"] = json!([{"input": "21\n", "expected_output": "42"}]);
        body["args"] = json!(["-v", "two words"]);
        body["files"] = json!([{"name": "helper.py", "content": "def twice(n): return 2 * n"}]);
        body["checker"] =
            json!({"language": "cpp", "code": "int main() {}", "function_name": null});
        let s = parse(body.clone()).unwrap();
        assert_eq!(s.args, ["-v", "two words"]);
        assert_eq!(s.files[0].name, "helper.py");
        assert_eq!(s.checker.as_ref().unwrap().language, Language::Cpp);
        // Through NATS and back unchanged.
        let carried: Submission = serde_json::from_slice(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!(carried, s);
        // The code and its files share the code's size limit.
        let limits = SubmissionLimits::default();
        body["files"] = json!([{"name": "big.txt", "content": "x".repeat(limits.max_code_bytes)}]);
        assert_eq!(field_of(parse(body)), "files[0].content");
    }

    #[test]
    fn args_and_files_are_refused_beside_a_function_name() {
        for (field, value) in [("args", json!(["a"])), ("files", json!([]))] {
            assert_eq!(field_of(parse(with(field, value))), field);
        }
        assert!(parse(with("args", Value::Null)).is_ok());
        let checked = parse(with(
            "checker",
            json!({"language": "python", "code": "def check(a, b, c): return True"}),
        ));
        assert_eq!(
            checked.unwrap().checker.unwrap().function_name.as_deref(),
            Some("check")
        );
    }

    #[test]
    fn malformed_bodies_are_not_field_errors() {
        let limits = SubmissionLimits::default();
        assert!(matches!(
            Submission::parse(b"{not json", &limits),
            Err(SubmissionError::Malformed(_))
        ));
        assert!(matches!(
            Submission::parse(b"[1,2]", &limits),
            Err(SubmissionError::Malformed(_))
        ));
    }

    #[test]
    fn each_required_field_is_named_when_missing() {
        for key in ["language", "code", "test_cases"] {
            assert_eq!(field_of(parse(without(key))), key);
            assert_eq!(field_of(parse(with(key, Value::Null))), key);
        }
    }

    #[test]
    fn empty_strings_are_refused() {
        for key in ["language", "code", "function_name"] {
            assert_eq!(field_of(parse(with(key, json!("  ")))), key);
        }
    }

    #[test]
    fn unknown_and_unserved_languages_are_refused() {
        assert_eq!(field_of(parse(with("language", json!("ruby")))), "language");
        let limits = SubmissionLimits {
            languages: vec![Language::Python],
            ..SubmissionLimits::default()
        };
        let body = with("language", json!("js")).to_string();
        match Submission::parse(body.as_bytes(), &limits) {
            Err(SubmissionError::InvalidField { field, message }) => {
                assert_eq!(field, "language");
                assert!(message.contains("not served"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn function_name_must_be_an_identifier() {
        for bad in ["1abc", "a-b", "a b", "x;import os", "é", &"a".repeat(129)] {
            assert_eq!(
                field_of(parse(with("function_name", json!(bad)))),
                "function_name",
                "{bad}"
            );
        }
        for good in ["_x", "addNumbers", "f2"] {
            assert!(parse(with("function_name", json!(good))).is_ok(), "{good}");
        }
    }

    #[test]
    fn a_key_named_twice_is_refused_anywhere_in_the_body() {
        for body in [
            r#"{"language": "python", "language": "js"}"#,
            r#"{"test_cases": [{"input": {"a": 1, "a": 2}, "expected_output": "1"}]}"#,
        ] {
            let err = Submission::parse(body.as_bytes(), &SubmissionLimits::default()).unwrap_err();
            assert!(
                matches!(&err, SubmissionError::Malformed(m) if m.contains("appears twice")),
                "{err:?}"
            );
        }
        // Everything else reads as serde_json reads it.
        let text = r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": 18446744073709551615}"#;
        assert_eq!(
            parse_json(text.as_bytes()).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        assert!(parse_json(b"{} trailing").is_err());
    }

    #[test]
    fn callback_url_must_be_http() {
        for bad in [
            "ftp://x/y",
            "not a url",
            "file:///etc/passwd",
            "http://",
            // The callback policy's: a non-public address, credentials.
            "http://169.254.169.254/latest/meta-data/",
            "http://user:password@example.com/",
        ] {
            assert_eq!(
                field_of(parse(with("callback_url", json!(bad)))),
                "callback_url",
                "{bad}"
            );
        }
        assert_eq!(
            field_of(parse(with("callback_url", json!(5)))),
            "callback_url"
        );
        assert_eq!(parse(without("callback_url")).unwrap().callback_url, None);
    }

    #[test]
    fn test_cases_are_checked_one_by_one() {
        assert_eq!(field_of(parse(with("test_cases", json!([])))), "test_cases");
        assert_eq!(field_of(parse(with("test_cases", json!({})))), "test_cases");
        assert_eq!(
            field_of(parse(with("test_cases", json!([{"expected_output": "1"}])))),
            "test_cases[0].input"
        );
        assert_eq!(
            field_of(parse(with(
                "test_cases",
                json!([{"input": [1], "expected_output": "1"}, {"input": [1]}])
            ))),
            "test_cases[1].expected_output"
        );
        assert_eq!(
            field_of(parse(with("test_cases", json!([3])))),
            "test_cases[0]"
        );
        let cases = json!(vec![json!({"input": [], "expected_output": "1"}); 101]);
        assert_eq!(field_of(parse(with("test_cases", cases))), "test_cases");
    }

    #[test]
    fn without_a_function_name_the_code_is_a_program_reading_string_inputs() {
        let program = with(
            "test_cases",
            json!([{"input": "2 3\n", "expected_output": "5"}]),
        );
        let mut body = program.clone();
        body.as_object_mut().unwrap().remove("function_name");
        let s = parse(body).unwrap();
        assert_eq!(s.function_name, None);
        assert_eq!(
            s.comparison_for(&s.test_cases[0]),
            Comparison::program_output()
        );
        let mut body = program;
        body["function_name"] = Value::Null;
        assert!(parse(body).is_ok());
        // A function's argument list is not a program's stdin.
        let mut body = valid();
        body.as_object_mut().unwrap().remove("function_name");
        assert_eq!(field_of(parse(body)), "test_cases[0].input");
    }

    #[test]
    fn a_comparison_may_be_chosen_for_the_submission_and_each_test() {
        let mut body = valid();
        body["comparison"] = json!({"mode": "float", "abs_tolerance": 1e-6});
        body["test_cases"] = json!([
            {"input": [1, 2], "expected_output": "3"},
            {"input": [[1], [2]], "expected_output": "[[2], [1]]",
             "comparison": {"mode": "unordered", "nested": true}}
        ]);
        let s = parse(body).unwrap();
        let chosen = s.comparison_for(&s.test_cases[0]);
        assert_eq!(chosen.mode, Mode::Float);
        assert_eq!(chosen.abs_tolerance, Some(1e-6));
        assert_eq!(chosen.rel_tolerance, None);
        let own = s.comparison_for(&s.test_cases[1]);
        assert_eq!((own.mode, own.nested), (Mode::Unordered, true));
        // Carried to the worker.
        let carried: Submission = serde_json::from_slice(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!(carried, s);

        for (comparison, field) in [
            (json!("float"), "comparison"),
            (json!({}), "comparison.mode"),
            (json!({"mode": "fuzzy"}), "comparison.mode"),
            (
                json!({"mode": "float", "abs_tolerance": -1}),
                "comparison.abs_tolerance",
            ),
            (
                json!({"mode": "float", "rel_tolerance": "1e-9"}),
                "comparison.rel_tolerance",
            ),
            (
                json!({"mode": "unordered", "nested": 1}),
                "comparison.nested",
            ),
        ] {
            let mut body = valid();
            body["comparison"] = comparison;
            assert_eq!(field_of(parse(body)), field);
        }
        let mut body = valid();
        body["test_cases"][0]["comparison"] = json!({"mode": "lines "});
        assert_eq!(field_of(parse(body)), "test_cases[0].comparison.mode");
    }

    #[test]
    fn a_submission_may_stop_at_its_first_failure() {
        assert!(!parse(valid()).unwrap().stop_on_first_failure);
        let mut body = valid();
        body["stop_on_first_failure"] = json!(true);
        assert!(parse(body).unwrap().stop_on_first_failure);
        let mut body = valid();
        body["stop_on_first_failure"] = json!("yes");
        assert_eq!(field_of(parse(body)), "stop_on_first_failure");
    }

    #[test]
    fn each_test_weighs_one_unless_it_says() {
        let mut body = valid();
        body["test_cases"] = json!([
            {"input": [1, 2], "expected_output": "3", "weight": 2.5},
            {"input": [1, 2], "expected_output": "3", "weight": null},
            {"input": [1, 2], "expected_output": "3"}
        ]);
        let s = parse(body).unwrap();
        let weights: Vec<f64> = s.test_cases.iter().map(|case| case.weight).collect();
        assert_eq!(weights, [2.5, 1.0, 1.0]);
        for weight in [json!(-1), json!("2"), json!([1])] {
            let mut body = valid();
            body["test_cases"][0]["weight"] = weight;
            assert_eq!(field_of(parse(body)), "test_cases[0].weight");
        }
    }

    #[test]
    fn integers_beyond_64_bits_are_kept_as_written() {
        let body = br#"{"language": "python", "code": "def f(x): return x", "function_name": "f",
            "test_cases": [
                {"input": [18446744073709551616, {"b": 1e30, "a": -0.0}],
                 "expected_output": 18446744073709551617},
                {"input": "7\n", "expected_output": "7"}]}"#;
        let s = Submission::parse(body, &SubmissionLimits::default()).unwrap();
        assert_eq!(
            s.test_cases[0].input.text(),
            r#"[18446744073709551616,{"b":1e30,"a":-0.0}]"#
        );
        assert_eq!(s.test_cases[0].expected_output, "18446744073709551617");
        assert_eq!(s.test_cases[1].input.as_string().unwrap(), "7\n");
        // Carried to the worker as written.
        let wire = serde_json::to_vec(&s).unwrap();
        let carried: Submission = serde_json::from_slice(&wire).unwrap();
        assert_eq!(carried, s);
    }

    #[test]
    fn a_non_string_expected_output_becomes_its_json_text() {
        let s = parse(with(
            "test_cases",
            json!([{"input": [1], "expected_output": [1, 2]}]),
        ))
        .unwrap();
        assert_eq!(s.test_cases[0].expected_output, "[1,2]");
    }

    #[test]
    fn limits_may_be_chosen_within_the_operators_bounds() {
        let mut body = valid();
        body["time_limit_ms"] = json!(2000);
        body["memory_limit_mb"] = json!(512);
        let s = parse(body).unwrap();
        assert_eq!(
            (s.time_limit_ms, s.memory_limit_mb),
            (Some(2000), Some(512))
        );
        assert_eq!(parse(valid()).unwrap().time_limit_ms, None);
        for (name, bad) in [
            ("time_limit_ms", json!(10_001)),
            ("time_limit_ms", json!(0)),
            ("time_limit_ms", json!(1.5)),
            ("time_limit_ms", json!("1000")),
            ("memory_limit_mb", json!(4096)),
            ("memory_limit_mb", json!(-1)),
        ] {
            assert_eq!(field_of(parse(with(name, bad.clone()))), name, "{bad}");
        }
    }

    #[test]
    fn imports_are_single_line_strings() {
        assert_eq!(
            parse(without("imports")).unwrap().imports,
            Vec::<String>::new()
        );
        assert_eq!(field_of(parse(with("imports", json!("math")))), "imports");
        assert_eq!(
            field_of(parse(with("imports", json!(["math", 1])))),
            "imports[1]"
        );
        assert_eq!(
            field_of(parse(with("imports", json!(["os\nimport sys"])))),
            "imports[0]"
        );
        assert_eq!(
            parse(with(
                "imports",
                json!(["math", "from collections import deque"])
            ))
            .unwrap()
            .imports,
            vec!["math", "from collections import deque"]
        );
    }

    #[test]
    fn code_size_is_bounded() {
        let big = "x".repeat(64 * 1024 + 1);
        assert_eq!(field_of(parse(with("code", json!(big)))), "code");
    }

    #[test]
    fn submissions_survive_the_wire() {
        let s = parse(valid()).unwrap();
        let back: Submission = serde_json::from_slice(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}
