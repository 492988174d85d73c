//! What `submit` reads from disk: the language (from the file's extension) and the tests file.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::Error;

/// One test case as `POST /execute` takes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestCase {
    pub input: Value,
    pub expected_output: String,
}

/// The language the gateway expects for a source file, from its extension.
pub fn infer_language(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "py" => "python",
        "js" => "js",
        "java" => "java",
        "cpp" | "cc" | "cxx" => "cpp",
        "go" => "go",
        _ => return None,
    })
}

/// `--language` as the gateway spells it: common aliases are mapped, anything else is
/// passed on for the gateway to judge (it may know languages this client does not).
pub fn normalise_language(name: &str) -> String {
    let name = name.trim().to_ascii_lowercase();
    match name.as_str() {
        "javascript" | "node" | "nodejs" => "js".to_owned(),
        "c++" | "cxx" => "cpp".to_owned(),
        "golang" => "go".to_owned(),
        "py" | "python3" => "python".to_owned(),
        _ => name,
    }
}

/// Reads a tests file: an array of test cases, or an object `{"test_cases": [...]}`.
pub fn read_tests(path: &Path) -> Result<Vec<TestCase>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse_tests(&text).map_err(|message| Error::TestsFile {
        path: path.display().to_string(),
        message,
    })
}

/// Parses a tests file's text; the error is a sentence naming the test at fault.
pub fn parse_tests(text: &str) -> Result<Vec<TestCase>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
    let items = match doc {
        Value::Array(items) => items,
        Value::Object(mut fields) => match fields.remove("test_cases") {
            Some(Value::Array(items)) => items,
            Some(_) => return Err("\"test_cases\" must be an array".to_owned()),
            None => return Err("an object must hold a \"test_cases\" array".to_owned()),
        },
        _ => return Err("expected an array of test cases or {\"test_cases\": [...]}".to_owned()),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::Object(mut fields) = item else {
                return Err(format!("test {i} is not an object"));
            };
            let input = fields
                .remove("input")
                .ok_or_else(|| format!("test {i} has no \"input\""))?;
            let expected_output = match fields.remove("expected_output") {
                Some(Value::String(s)) => s,
                // `5` means "5": the gateway compares text, and writing numbers bare is natural.
                Some(other) => other.to_string(),
                None => return Err(format!("test {i} has no \"expected_output\"")),
            };
            Ok(TestCase {
                input,
                expected_output,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn languages_are_inferred_from_extensions() {
        let cases = [
            ("a/solution.py", Some("python")),
            ("x.js", Some("js")),
            ("Main.java", Some("java")),
            ("a.cpp", Some("cpp")),
            ("a.cc", Some("cpp")),
            ("a.cxx", Some("cpp")),
            ("A.CPP", Some("cpp")),
            ("main.go", Some("go")),
            ("notes.txt", None),
            ("Makefile", None),
            (".py", None),
        ];
        for (path, want) in cases {
            assert_eq!(infer_language(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn language_aliases_are_normalised() {
        assert_eq!(normalise_language("JavaScript"), "js");
        assert_eq!(normalise_language("c++"), "cpp");
        assert_eq!(normalise_language("golang"), "go");
        assert_eq!(normalise_language("python"), "python");
        assert_eq!(normalise_language("rust"), "rust");
    }

    #[test]
    fn a_tests_file_may_be_an_array() {
        let tests = parse_tests(r#"[{"input": [2, 3], "expected_output": "5"}]"#).unwrap();
        assert_eq!(
            tests,
            vec![TestCase {
                input: json!([2, 3]),
                expected_output: "5".into()
            }]
        );
    }

    #[test]
    fn a_tests_file_may_be_an_object_with_test_cases() {
        let text = r#"{"test_cases": [{"input": "1 2\n", "expected_output": "3"},
                                       {"input": "4 5\n", "expected_output": "9"}]}"#;
        let tests = parse_tests(text).unwrap();
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[1].input, json!("4 5\n"));
        assert_eq!(tests[1].expected_output, "9");
    }

    #[test]
    fn a_non_string_expected_output_becomes_its_json_text() {
        let text = r#"[{"input": [1], "expected_output": 5},
                       {"input": [1], "expected_output": [1, 2]},
                       {"input": [1], "expected_output": {"b": 1, "a": true}},
                       {"input": [1], "expected_output": null},
                       {"input": [1], "expected_output": 2.5}]"#;
        let got: Vec<String> = parse_tests(text)
            .unwrap()
            .into_iter()
            .map(|t| t.expected_output)
            .collect();
        assert_eq!(got, ["5", "[1,2]", r#"{"b":1,"a":true}"#, "null", "2.5"]);
    }

    #[test]
    fn bad_tests_files_name_the_fault() {
        assert!(parse_tests("nope").unwrap_err().starts_with("not JSON"));
        assert!(parse_tests("42").unwrap_err().contains("array"));
        assert!(parse_tests(r#"{"tests": []}"#)
            .unwrap_err()
            .contains("test_cases"));
        assert_eq!(
            parse_tests(r#"[{"input": 1, "expected_output": "1"}, {"input": 2}]"#).unwrap_err(),
            "test 1 has no \"expected_output\""
        );
        assert_eq!(
            parse_tests(r#"[{"expected_output": "1"}]"#).unwrap_err(),
            "test 0 has no \"input\""
        );
        assert_eq!(parse_tests("[3]").unwrap_err(), "test 0 is not an object");
    }
}
