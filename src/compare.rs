//! Whether a test's `actual_output` matches its `expected_output`, per the contract.

use crate::canonical::{self, Json};

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
    let Some(actual_value) = canonical::parse(actual) else {
        return false;
    };
    if let Some(expected_value) = canonical::parse(expected) {
        if values_equal(&actual_value, &expected_value) {
            return true;
        }
    }
    matches!(&actual_value, Json::String(s) if s == expected)
}

/// JSON equality in which numbers compare by value rather than by representation.
pub fn values_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => numbers_equal(x, y),
        (Json::Array(xs), Json::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| values_equal(x, y))
        }
        // Both sorted by key, duplicates gone.
        (Json::Object(xs), Json::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys)
                    .all(|((k, x), (l, y))| k == l && values_equal(x, y))
        }
        _ => a == b,
    }
}

/// Two numbers as written: whole numbers compare exactly at any size (`2^64 - 1` is not
/// `2^64`, `1e30` is `10^30`); where either has a fraction, they compare as doubles, so
/// that a value off only in digits a double does not hold still matches.
fn numbers_equal(x: &str, y: &str) -> bool {
    match (Decimal::parse(x), Decimal::parse(y)) {
        (Some(a), Some(b)) if a.is_whole() && b.is_whole() => a == b,
        _ => match (x.parse::<f64>(), y.parse::<f64>()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        },
    }
}

/// A number written in JSON as `±digits × 10^exponent`, `digits` with no leading or
/// trailing zeros (empty for zero, which has no sign).
#[derive(Debug, PartialEq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    fn parse(token: &str) -> Option<Self> {
        let (negative, unsigned) = match token.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, token),
        };
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.trim_start_matches('+').parse::<i64>().ok()?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all = format!("{whole}{fraction}");
        let significant = all.trim_start_matches('0');
        let digits = significant.trim_end_matches('0');
        let trailing = i64::try_from(significant.len() - digits.len()).ok()?;
        let exponent = exponent
            .checked_sub(i64::try_from(fraction.len()).ok()?)?
            .checked_add(trailing)?;
        Some(if digits.is_empty() {
            Self {
                negative: false,
                digits: String::new(),
                exponent: 0,
            }
        } else {
            Self {
                negative,
                digits: digits.to_owned(),
                exponent,
            }
        })
    }

    fn is_whole(&self) -> bool {
        self.exponent >= 0
    }
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
    fn whole_numbers_are_exact_at_any_size() {
        let two_63 = "9223372036854775808";
        let two_64 = "18446744073709551616";
        let ten_30 = "1000000000000000000000000000000";
        assert!(outputs_match(two_63, "9223372036854775808.0"));
        assert!(!outputs_match("9223372036854775807", two_63));
        assert!(!outputs_match("18446744073709551615", two_64));
        assert!(outputs_match(two_64, "1.8446744073709551616e19"));
        assert!(outputs_match(ten_30, "1e30"));
        assert!(!outputs_match("1000000000000000000000000000001", ten_30));
        assert!(!outputs_match("1000000000000000000000000000001", "1e30"));
        assert!(!outputs_match("-1000000000000000000000000000000", ten_30));
        assert!(outputs_match(
            &format!("[{two_64},{{\"a\":{ten_30}}}]"),
            "[18446744073709551616, {\"a\": 1e30}]"
        ));
        assert!(outputs_match("0", "-0.0"));
        // A fraction compares as doubles do.
        assert!(outputs_match("3", "3.0000000000000001"));
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
