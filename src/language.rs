use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language the engine runs, named as clients name it in `language`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Enum))]
#[cfg_attr(feature = "openapi", oai(rename_all = "lowercase"))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    Js,
    Java,
    Cpp,
    Go,
}

impl Language {
    pub const ALL: [Language; 5] = [
        Language::Python,
        Language::Js,
        Language::Java,
        Language::Cpp,
        Language::Go,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Js => "js",
            Language::Java => "java",
            Language::Cpp => "cpp",
            Language::Go => "go",
        }
    }

    /// The sandbox memory limit the original specification sets for the language.
    pub fn default_memory_mb(self) -> u64 {
        match self {
            Language::Python | Language::Js => 256,
            Language::Java | Language::Cpp | Language::Go => 512,
        }
    }

    /// Whether the sandbox builds an executable and runs it from its writable `/tmp`.
    pub fn compiles_to_native_code(self) -> bool {
        matches!(self, Language::Cpp | Language::Go)
    }

    /// Whether the harness makes a build worth keeping (harness/PROTOCOL.md, "Builds"):
    /// the languages that compile before they run.
    pub fn keeps_builds(self) -> bool {
        matches!(self, Language::Java | Language::Cpp | Language::Go)
    }

    /// The names of the files the language's harness writes beside a program's code: a
    /// submission's `files` may not take them (harness/PROTOCOL.md, "Program mode").
    pub fn reserved_file_names(self) -> &'static [&'static str] {
        match self {
            Language::Python => &[],
            Language::Js => &["solution.js"],
            Language::Java => &[],
            Language::Cpp => &["solution.cpp", "harness.cpp"],
            Language::Go => &["solution.go"],
        }
    }

    /// The command that prints the runtime's version in the language's sandbox image.
    pub fn version_command(self) -> &'static [&'static str] {
        match self {
            Language::Python => &["python3", "--version"],
            Language::Js => &["node", "--version"],
            Language::Java => &["java", "-version"],
            Language::Cpp => &["g++", "--version"],
            Language::Go => &["go", "version"],
        }
    }

    /// The runtime's name and version from what [`Language::version_command`] printed:
    /// its first line (`node` prints its version alone).
    pub fn runtime_from(self, printed: &str) -> Option<String> {
        let line = printed
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())?;
        Some(match self {
            Language::Js => format!("Node.js {line}"),
            _ => line.to_owned(),
        })
    }

    /// The wall-clock limit for a whole submission: 15 s for interpreted languages, 30 s
    /// where a compiler or a JVM has to start first.
    pub fn default_submission_timeout_secs(self) -> u64 {
        match self {
            Language::Python | Language::Js => 15,
            Language::Java | Language::Cpp | Language::Go => 30,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown language '{0}'; use one of python, js, java, cpp, go")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLanguage(s.to_owned()))
    }
}

/// Reads a comma-separated list such as `python,js` (used by configuration).
pub fn parse_list(list: &str) -> Result<Vec<Language>, UnknownLanguage> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for lang in Language::ALL {
            assert_eq!(lang.as_str().parse::<Language>().unwrap(), lang);
            assert_eq!(
                serde_json::to_string(&lang).unwrap(),
                format!("\"{}\"", lang.as_str())
            );
        }
        assert!("ruby".parse::<Language>().is_err());
        assert!("Python".parse::<Language>().is_err());
    }

    #[test]
    fn lists_parse_and_reject_unknown_names() {
        assert_eq!(
            parse_list("python, js,").unwrap(),
            vec![Language::Python, Language::Js]
        );
        assert!(parse_list("python,cobol").is_err());
    }
}
