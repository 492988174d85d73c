//! Whether a test's `actual_output` matches its `expected_output`, per the contract.

use serde_json::Value;

/// How a test's output is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// A function's returned value: [`outputs_match`].
    ReturnedValue,
    /// A whole program's stdout: [`program_output_matches`].
    ProgramOutput,
}

impl Comparison {
    pub fn matches(self, actual: &str, expected: &str) -> bool {
        match self {
            Comparison::ReturnedValue => outputs_match(actual, expected),
            Comparison::ProgramOutput => program_output_matches(actual, expected),
        }
    }
}

/// A program's output matches when the lines are equal once trailing white space is
/// ignored, at the end of each line and at the end of the output.
pub fn program_output_matches(actual: &str, expected: &str) -> bool {
    let lines = |text: &str| -> Vec<String> {
        text.trim_end()
            .lines()
            .map(|line| line.trim_end().to_owned())
            .collect()
    };
    lines(actual) == lines(expected)
}

/// A test passes when `actual` equals `expected` as text, or both parse as JSON and are
/// equal as values (numbers by value, so `2` equals `2.0`), or `actual` is a JSON string
/// whose content equals the raw `expected` (`"abc"` matches `abc`).
pub fn outputs_match(actual: &str, expected: &str) -> bool {
    if actual == expected {
        return true;
    }
    let Ok(actual_value) = serde_json::from_str::<Value>(actual) else {
        return false;
    };
    if let Ok(expected_value) = serde_json::from_str::<Value>(expected) {
        if values_equal(&actual_value, &expected_value) {
            return true;
        }
    }
    matches!(&actual_value, Value::String(s) if s == expected)
}

/// JSON equality in which numbers compare by value rather than by representation.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| values_equal(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| values_equal(x, y)))
        }
        _ => a == b,
    }
}

fn numbers_equal(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    // Integers compare exactly, so 2^63 and 2^63 + 1 stay different.
    if let (Some(a), Some(b)) = (as_i128(x), as_i128(y)) {
        return a == b;
    }
    match (x.as_f64(), y.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn as_i128(n: &serde_json::Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

#[cfg(test)]
mod tests {
    use super::{outputs_match, program_output_matches};

    #[test]
    fn program_output_ignores_trailing_white_space_only() {
        assert!(program_output_matches("5\n", "5"));
        assert!(program_output_matches("a  \r\nb\n\n", "a\nb"));
        assert!(!program_output_matches(" 5", "5"));
        assert!(!program_output_matches("a\n\nb", "a\nb"));
        assert!(!program_output_matches("5.0", "5"));
    }

    #[test]
    fn equal_text_matches() {
        assert!(outputs_match("5", "5"));
        assert!(outputs_match("hello world", "hello world"));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(outputs_match("2", "2.0"));
        assert!(outputs_match("2.50", "2.5"));
        assert!(outputs_match("1e2", "100"));
        assert!(!outputs_match("2", "3"));
        assert!(!outputs_match("9223372036854775807", "9223372036854775806"));
        assert!(outputs_match(
            "18446744073709551615",
            "18446744073709551615"
        ));
    }

    #[test]
    fn structures_compare_by_value() {
        assert!(outputs_match("[1,2]", "[1, 2]"));
        assert!(outputs_match("[1.0,[2]]", "[1,[2.0]]"));
        assert!(outputs_match(
            r#"{"a":1,"b":[true]}"#,
            r#"{"b": [true], "a": 1.0}"#
        ));
        assert!(!outputs_match("[1,2]", "[2,1]"));
        assert!(!outputs_match(r#"{"a":1}"#, r#"{"a":1,"b":2}"#));
        assert!(!outputs_match("[1]", "1"));
    }

    #[test]
    fn a_string_matches_its_raw_text() {
        assert!(outputs_match("\"abc\"", "abc"));
        assert!(outputs_match("\"abc\"", "\"abc\""));
        assert!(outputs_match("\"héllo wörld\"", "héllo wörld"));
        assert!(!outputs_match("\"abc\"", "abd"));
        // The raw text rule is for strings only: the number 5 is not the text "5x".
        assert!(!outputs_match("5", "5x"));
        // White space around a JSON value is not part of it.
        assert!(outputs_match("5", " 5\n"));
    }

    #[test]
    fn literals_do_not_cross_types() {
        assert!(outputs_match("true", "true"));
        assert!(!outputs_match("true", "1"));
        assert!(!outputs_match("null", "0"));
        assert!(!outputs_match("\"1\"", "1.0"));
        assert!(outputs_match("\"1\"", "1"));
    }

    #[test]
    fn invalid_json_only_matches_exactly() {
        assert!(!outputs_match("Execution Failed", "5"));
        assert!(outputs_match("[1,", "[1,"));
        assert!(!outputs_match("[1,", "[1, "));
    }
}
