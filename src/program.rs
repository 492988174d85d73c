//! What a whole program (program mode) may bring beside its code: command-line arguments
//! and files (helper sources, headers, data), parsed once here with the limits that keep
//! them from being a way around the code's own size limit.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::submission::{invalid, SubmissionError};
use crate::Language;

/// The most arguments a program takes, and the longest one, in characters.
pub const MAX_ARGS: usize = 64;
pub const MAX_ARG_CHARS: usize = 4096;
/// The most files beside the code, and the longest name.
pub const MAX_FILES: usize = 20;
pub const MAX_FILE_NAME_CHARS: usize = 100;

/// A file written beside the program's code before it compiles or runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
pub struct SourceFile {
    /// A plain file name: letters, digits, `_`, `-` and `.`, not starting with `.`.
    pub name: String,
    pub content: String,
}

/// `args`: an optional array of strings, each without NUL (no `argv` entry can hold one).
pub fn parse_args(value: Option<&Value>) -> Result<Vec<String>, SubmissionError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("args", "args must be an array of strings")),
    };
    if items.len() > MAX_ARGS {
        return Err(invalid(
            "args",
            format!("args has {} entries; the limit is {MAX_ARGS}", items.len()),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(arg) if arg.contains('\0') => Err(invalid(
                format!("args[{i}]"),
                "an argument must not contain a NUL character",
            )),
            Value::String(arg) if arg.chars().count() > MAX_ARG_CHARS => Err(invalid(
                format!("args[{i}]"),
                format!("an argument must be at most {MAX_ARG_CHARS} characters"),
            )),
            Value::String(arg) => Ok(arg.clone()),
            _ => Err(invalid(
                format!("args[{i}]"),
                "an argument must be a string",
            )),
        })
        .collect()
}

/// `files`: an optional array of `{"name", "content"}`, names plain, none a sandbox writes
/// itself; `budget` is what the code left of its size limit. A name given twice is the
/// later file (written in order, as an archive is unpacked): a rule the API's document can
/// state, where a refusal could not be.
pub fn parse_files(
    value: Option<&Value>,
    budget: usize,
    limit: usize,
) -> Result<Vec<SourceFile>, SubmissionError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(invalid(
                "files",
                "files must be an array of {\"name\", \"content\"} objects",
            ))
        }
    };
    if items.len() > MAX_FILES {
        return Err(invalid(
            "files",
            format!(
                "files has {} entries; the limit is {MAX_FILES}",
                items.len()
            ),
        ));
    }
    let mut files: Vec<SourceFile> = Vec::with_capacity(items.len());
    let mut left = budget;
    for (i, item) in items.iter().enumerate() {
        let field = format!("files[{i}]");
        let (Some(Value::String(name)), Some(Value::String(content)), 2) = (
            item.get("name"),
            item.get("content"),
            item.as_object().map_or(0, |o| o.len()),
        ) else {
            return Err(invalid(
                field,
                "a file is an object with a string name and a string content, and nothing else",
            ));
        };
        // White space around a name goes, as around a function's name.
        let name = name.trim();
        check_file_name(name).map_err(|why| invalid(format!("{field}.name"), why))?;
        if content.contains('\0') {
            return Err(invalid(
                format!("{field}.content"),
                "a file must not contain a NUL character",
            ));
        }
        left = left.checked_sub(content.len()).ok_or_else(|| {
            invalid(
                format!("{field}.content"),
                format!("the code and its files are more than {limit} bytes together"),
            )
        })?;
        files.retain(|f| f.name != name);
        files.push(SourceFile {
            name: name.to_owned(),
            content: content.clone(),
        });
    }
    Ok(files)
}

/// The names no file may take, in any language (`Language::reserved_file_names`).
pub fn reserved_file_names() -> Vec<&'static str> {
    Language::ALL
        .iter()
        .flat_map(|l| l.reserved_file_names().iter().copied())
        .collect()
}

/// The pattern of a file's name (less the reserved ones), as the API's document states it.
pub const FILE_NAME_PATTERN: &str = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$";

/// Why `name` cannot be a file's name beside the code, if it cannot.
fn check_file_name(name: &str) -> Result<(), String> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name.chars().count() <= MAX_FILE_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !plain {
        return Err(format!(
            "a file name is letters, digits, _, - and . (not first), at most \
             {MAX_FILE_NAME_CHARS} characters: no paths"
        ));
    }
    // Every language's, whichever this is: one list that the API's document can state.
    if Language::ALL
        .iter()
        .any(|l| l.reserved_file_names().contains(&name))
    {
        return Err(format!(
            "{name} is reserved: the sandboxes write files of these names themselves: {}",
            reserved_file_names().join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn files(value: Value) -> Result<Vec<SourceFile>, SubmissionError> {
        parse_files(Some(&value), 100, 100)
    }

    fn field(result: Result<Vec<SourceFile>, SubmissionError>) -> String {
        match result {
            Err(SubmissionError::InvalidField { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn plain_distinct_names_within_the_budget_are_kept_in_order() {
        let kept = files(json!([
            {"name": "helper.go", "content": "package main"},
            {"name": "data-1.txt", "content": ""}
        ]))
        .unwrap();
        assert_eq!(kept[0].name, "helper.go");
        assert_eq!(
            files(json!([{"name": "a.go\n", "content": ""}])).unwrap()[0].name,
            "a.go"
        );
        assert_eq!(kept[1].name, "data-1.txt");
        assert_eq!(parse_files(None, 0, 0).unwrap(), vec![]);
    }

    #[test]
    fn paths_and_hidden_or_odd_names_are_refused() {
        for name in [
            "../x.go",
            "a/b.go",
            "/etc/passwd",
            ".",
            "..",
            ".hidden",
            "",
            " ",
            "a b.go",
            "é.go",
            "a\\b",
        ] {
            let refused = files(json!([{"name": name, "content": ""}]));
            assert_eq!(field(refused), "files[0].name", "{name:?}");
        }
        let long = "a".repeat(MAX_FILE_NAME_CHARS + 1);
        assert_eq!(
            field(files(json!([{"name": long, "content": ""}]))),
            "files[0].name"
        );
    }

    #[test]
    fn reserved_names_nul_and_size_are_refused_and_a_name_twice_is_the_later_file() {
        let twice = json!([{"name": "a.go", "content": "1"}, {"name": "b.go", "content": ""},
                           {"name": "a.go", "content": "2"}]);
        let kept = files(twice).unwrap();
        assert_eq!((kept.len(), kept[1].content.as_str()), (2, "2"));
        for reserved in reserved_file_names() {
            let refused = files(json!([{"name": reserved, "content": ""}]));
            assert_eq!(field(refused), "files[0].name", "{reserved}");
        }

        let nul = json!([{"name": "a.go", "content": "x\u{0}"}]);
        assert_eq!(field(files(nul)), "files[0].content");
        let big = json!([{"name": "a.go", "content": "x".repeat(60)},
                          {"name": "b.go", "content": "x".repeat(41)}]);
        assert_eq!(field(files(big)), "files[1].content");
        let extra = json!([{"name": "a.go", "content": "", "mode": "0755"}]);
        assert_eq!(field(files(extra)), "files[0]");
        assert_eq!(field(files(json!({"name": "a.go"}))), "files");
        let many: Vec<Value> = (0..=MAX_FILES)
            .map(|i| json!({"name": format!("f{i}"), "content": ""}))
            .collect();
        assert_eq!(field(files(Value::Array(many))), "files");
    }

    #[test]
    fn args_are_strings_without_nul_within_their_limits() {
        assert_eq!(
            parse_args(Some(&json!(["a", "b c", ""]))).unwrap(),
            ["a", "b c", ""]
        );
        assert_eq!(parse_args(None).unwrap(), Vec::<String>::new());
        let refused = |value: Value| match parse_args(Some(&value)) {
            Err(SubmissionError::InvalidField { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(json!("a b")), "args");
        assert_eq!(refused(json!([1])), "args[0]");
        assert_eq!(refused(json!(["ok", "a\u{0}b"])), "args[1]");
        assert_eq!(refused(json!(["x".repeat(MAX_ARG_CHARS + 1)])), "args[0]");
        assert!(parse_args(Some(&json!(["é".repeat(MAX_ARG_CHARS)]))).is_ok());
        assert_eq!(refused(json!(vec!["a"; MAX_ARGS + 1])), "args");
    }
}
