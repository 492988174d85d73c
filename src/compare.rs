//! Whether a test's `actual_output` matches its `expected_output`, per the contract: one
//! judge for every language, by the comparison a submission (or its test case) chooses.

use serde::{Deserialize, Serialize};

use crate::canonical::{self, Json};

/// How a test's output is judged: a mode, and the tolerances `float` (and `unordered`
/// given tolerances) allows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct Comparison {
    pub mode: Mode,
    /// Numbers match when they differ by at most this much (1e-9 when left out)...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(nullable, validator(minimum(value = "0"))))]
    pub abs_tolerance: Option<f64>,
    /// ...or by at most this share of the larger's magnitude (1e-9 when left out).
    /// `float` uses both; `unordered` compares numbers with them only when one is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", oai(nullable, validator(minimum(value = "0"))))]
    pub rel_tolerance: Option<f64>,
    /// `unordered`: every array level, not just the top one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default, nullable))]
    pub nested: bool,
}

/// The tolerance `float` allows unless told otherwise.
pub const DEFAULT_TOLERANCE: f64 = 1e-9;

/// `exact`: the text. `json`: equal as JSON values (numbers by value; a string matches its
/// raw text). `float`: numbers within the tolerances, in arrays and objects too (a
/// program's output token by token). `unordered`: the top-level array as a multiset (a
/// program's lines in any order). `tokens`: white-space separated tokens. `lines`: line by
/// line, trailing white space ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(
    feature = "openapi",
    oai(rename = "ComparisonMode", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The text, character for character.
    Exact,
    /// A returned value's default: [`outputs_match`].
    Json,
    /// Numbers within the tolerances, inside arrays and objects too; a program's output
    /// token by token.
    Float,
    /// The top-level array (with `nested`, every array) as a multiset; a program's output
    /// line by line in any order.
    Unordered,
    /// A program's output as white-space separated tokens.
    Tokens,
    /// A program's default: [`program_output_matches`].
    Lines,
}

impl Mode {
    pub const NAMES: [&'static str; 6] = ["exact", "json", "float", "unordered", "tokens", "lines"];

    pub fn parse(name: &str) -> Option<Self> {
        use Mode::*;
        [Exact, Json, Float, Unordered, Tokens, Lines]
            .into_iter()
            .zip(Self::NAMES)
            .find_map(|(mode, n)| (n == name).then_some(mode))
    }
}

impl Comparison {
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            abs_tolerance: None,
            rel_tolerance: None,
            nested: false,
        }
    }

    /// A function's returned value, as today: [`outputs_match`].
    pub fn returned_value() -> Self {
        Self::new(Mode::Json)
    }

    /// A program's stdout, as today: [`program_output_matches`].
    pub fn program_output() -> Self {
        Self::new(Mode::Lines)
    }

    pub fn matches(self, actual: &str, expected: &str) -> bool {
        match self.mode {
            Mode::Exact => actual == expected,
            Mode::Json => outputs_match(actual, expected),
            Mode::Lines => program_output_matches(actual, expected),
            Mode::Tokens => actual.split_whitespace().eq(expected.split_whitespace()),
            Mode::Float => match (canonical::parse(actual), canonical::parse(expected)) {
                (Some(a), Some(b)) => self.values_match(&a, &b, false),
                // Not JSON (a program's output, `NaN`): token by token.
                _ => self.tokens_match(actual, expected),
            },
            Mode::Unordered => match (canonical::parse(actual), canonical::parse(expected)) {
                (Some(a), Some(b)) => self.values_match(&a, &b, true),
                _ => {
                    let lines = |text: &str| -> Vec<String> {
                        text.trim_end()
                            .lines()
                            .map(|l| l.trim_end().to_owned())
                            .collect()
                    };
                    let (mut a, mut b) = (lines(actual), lines(expected));
                    a.sort();
                    b.sort();
                    a == b
                }
            },
        }
    }

    fn numbers_match(self, a: f64, b: f64) -> bool {
        if a.is_nan() || b.is_nan() {
            return a.is_nan() && b.is_nan();
        }
        if a.is_infinite() || b.is_infinite() {
            return a == b;
        }
        let difference = (a - b).abs();
        difference <= self.abs_tolerance.unwrap_or(DEFAULT_TOLERANCE)
            || difference <= self.rel_tolerance.unwrap_or(DEFAULT_TOLERANCE) * a.abs().max(b.abs())
    }

    fn tokens_match(self, actual: &str, expected: &str) -> bool {
        let (a, b): (Vec<&str>, Vec<&str>) = (
            actual.split_whitespace().collect(),
            expected.split_whitespace().collect(),
        );
        a.len() == b.len()
            && a.iter().zip(&b).all(|(x, y)| {
                x == y
                    || matches!((x.parse::<f64>(), y.parse::<f64>()),
                        (Ok(x), Ok(y)) if self.numbers_match(x, y))
            })
    }

    /// `a` and `b` equal as values: numbers within the tolerances where the mode is
    /// `float` or `unordered` is given tolerances; arrays as multisets where `unordered`
    /// reaches them.
    fn values_match(self, a: &Json, b: &Json, unordered: bool) -> bool {
        let tolerant = self.mode == Mode::Float
            || self.abs_tolerance.is_some()
            || self.rel_tolerance.is_some();
        let inner = unordered && self.nested;
        match (a, b) {
            (Json::Number(x), Json::Number(y)) if tolerant => {
                matches!((x.parse::<f64>(), y.parse::<f64>()),
                    (Ok(x), Ok(y)) if self.numbers_match(x, y))
            }
            (Json::Array(xs), Json::Array(ys)) if unordered => {
                // Each expected element takes the first actual one it matches.
                let mut left: Vec<&Json> = xs.iter().collect();
                xs.len() == ys.len()
                    && ys.iter().all(|y| {
                        match left.iter().position(|x| self.values_match(x, y, inner)) {
                            Some(i) => {
                                left.swap_remove(i);
                                true
                            }
                            None => false,
                        }
                    })
            }
            (Json::Array(xs), Json::Array(ys)) => {
                xs.len() == ys.len()
                    && xs
                        .iter()
                        .zip(ys)
                        .all(|(x, y)| self.values_match(x, y, inner))
            }
            (Json::Object(xs), Json::Object(ys)) => {
                xs.len() == ys.len()
                    && xs
                        .iter()
                        .zip(ys)
                        .all(|((k, x), (l, y))| k == l && self.values_match(x, y, inner))
            }
            _ => values_equal(a, b),
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
    use super::{outputs_match, program_output_matches, Comparison, Mode};

    fn with(mode: Mode) -> Comparison {
        Comparison::new(mode)
    }

    #[test]
    fn exact_is_text_and_tokens_ignore_white_space() {
        assert!(with(Mode::Exact).matches("5", "5"));
        assert!(!with(Mode::Exact).matches("5", "5.0"));
        assert!(!with(Mode::Exact).matches("5\n", "5"));
        assert!(with(Mode::Tokens).matches("1  2\n3 \n", "1 2 3"));
        assert!(!with(Mode::Tokens).matches("1 2", "12"));
    }

    #[test]
    fn float_allows_its_tolerances_inside_structures_and_in_program_output() {
        let float = with(Mode::Float);
        assert!(float.matches("0.30000000000000004", "0.3"));
        assert!(float.matches("[1.0000000001,{\"a\":2}]", "[1, {\"a\": 2.0000000001}]"));
        assert!(!float.matches("[1.001]", "[1]"));
        let loose = Comparison {
            abs_tolerance: Some(1e-5),
            rel_tolerance: Some(0.0),
            ..float
        };
        assert!(loose.matches("3.14159", "3.14159265"));
        assert!(!loose.matches("3.1415", "3.14159265"));
        let relative = Comparison {
            abs_tolerance: Some(0.0),
            rel_tolerance: Some(1e-3),
            ..float
        };
        assert!(relative.matches("1000000", "1000500"));
        assert!(!relative.matches("1", "1.002"));
        // A program's output, token by token; NaN and infinities by name.
        assert!(float.matches("1.0000000001 x\nnan", "1 x NaN"));
        assert!(float.matches("inf -inf", "Infinity -infinity"));
        assert!(!float.matches("inf", "-inf"));
        assert!(!float.matches("NaN", "1"));
    }

    #[test]
    fn unordered_takes_the_top_array_as_a_multiset_and_nested_every_one() {
        let unordered = with(Mode::Unordered);
        assert!(unordered.matches("[3,1,2]", "[1, 2, 3]"));
        assert!(!unordered.matches("[1,1,2]", "[1, 2, 2]"));
        assert!(!unordered.matches("[[2,1],[3]]", "[[3], [1, 2]]"));
        let nested = Comparison {
            nested: true,
            ..unordered
        };
        assert!(nested.matches("[[2,1],[3]]", "[[3], [1, 2]]"));
        // With tolerances, floats too.
        let tolerant = Comparison {
            abs_tolerance: Some(1e-3),
            ..unordered
        };
        assert!(tolerant.matches("[0.5001,0.25]", "[0.25, 0.5]"));
        // A program's lines in any order.
        assert!(unordered.matches("b\na  \n", "a\nb"));
    }

    #[test]
    fn modes_are_read_by_name() {
        assert_eq!(Mode::parse("unordered"), Some(Mode::Unordered));
        assert_eq!(Mode::parse("UNORDERED"), None);
        let wire = serde_json::to_string(&with(Mode::Float)).unwrap();
        assert!(wire.contains("\"mode\":\"float\""), "{wire}");
    }

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
