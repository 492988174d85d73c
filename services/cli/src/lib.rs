//! `exec-engine`, a command-line client for the gateway: submit code and tests, wait for
//! (or follow) the result, read an execution's state, list the languages.

pub mod api;
pub mod input;
pub mod render;
pub mod sse;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};
use serde_json::Value;

use api::{Client, ErrorBody, ResultDoc, SubmitRequest, TestOutcome};

/// Every test passed.
pub const EXIT_PASSED: u8 = 0;
/// A test failed, or the code did not compile.
pub const EXIT_FAILED: u8 = 1;
/// Bad arguments or files, a 4xx from the gateway, a network failure (clap uses 2 too).
pub const EXIT_CLIENT_ERROR: u8 = 2;

/// The `wait` of each long-poll while waiting for a result.
const LONG_POLL_SECS: u64 = 30;
/// The `wait` of each poll when following without an event stream.
const FOLLOW_POLL_SECS: u64 = 1;
/// How long the event stream may stay silent before falling back to polling.
const EVENT_IDLE: Duration = Duration::from_secs(90);

#[derive(Debug, Parser)]
#[command(
    name = "exec-engine",
    version,
    about = "Run code against test cases on a code execution engine"
)]
pub struct Cli {
    /// The gateway's base URL.
    #[arg(
        long,
        env = "EXEC_GATEWAY",
        default_value = "http://127.0.0.1:8000",
        global = true
    )]
    pub gateway: String,
    /// The API key, where the gateway wants one.
    #[arg(long, env = "EXEC_API_KEY", hide_env_values = true, global = true)]
    pub api_key: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Submit a source file with its tests and wait for the result.
    Submit(SubmitArgs),
    /// Show an execution's state, and its result once completed.
    Status {
        /// The execution id `submit` printed.
        id: String,
        /// Wait until the execution completes.
        #[arg(long)]
        wait: bool,
        /// Print the raw state document.
        #[arg(long)]
        json: bool,
    },
    /// List the languages the gateway runs.
    Languages {
        /// Print the raw document.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    /// The source file.
    pub file: PathBuf,
    /// python, js, java, cpp or go; inferred from the file's extension when omitted.
    #[arg(long, short)]
    pub language: Option<String>,
    /// The function to call with each test's input; omit to run the whole program with
    /// each input as its stdin.
    #[arg(long, short, value_name = "NAME")]
    pub function: Option<String>,
    /// A JSON file: `[{"input": ..., "expected_output": "..."}]` or `{"test_cases": [...]}`.
    #[arg(long, short, value_name = "TESTS.json")]
    pub tests: PathBuf,
    /// A module to import (repeatable).
    #[arg(long = "import", value_name = "M")]
    pub imports: Vec<String>,
    #[arg(long, value_name = "N")]
    pub time_limit_ms: Option<u64>,
    #[arg(long, value_name = "N")]
    pub memory_limit_mb: Option<u64>,
    /// Show each test's verdict as it completes.
    #[arg(long)]
    pub follow: bool,
    /// Print the raw result document instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("bad tests file {path}: {message}")]
    TestsFile { path: String, message: String },
    // reqwest's own message names the URL; the cause (refused, timed out) is its source.
    #[error("the request to the gateway failed")]
    Network {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{}", api_message(*status, body))]
    Api {
        url: String,
        status: u16,
        body: ErrorBody,
    },
    #[error("the gateway knows no execution {0}")]
    NotFound(String),
    #[error("this gateway does not list its languages (GET /languages answered 404)")]
    NoLanguages,
    #[error("unexpected answer from {url}: {message}")]
    Protocol { url: String, message: String },
}

fn api_message(status: u16, body: &ErrorBody) -> String {
    let mut message = format!("the gateway answered {status}");
    if !body.error.is_empty() {
        message.push_str(&format!(" {}", body.error));
    }
    if let Some(field) = &body.field {
        message.push_str(&format!(" (field {field})"));
    }
    if !body.message.is_empty() {
        message.push_str(&format!(": {}", body.message));
    }
    if let Some(id) = &body.id {
        // A 503 after the submission was given an id: it may have been stored all the same.
        message.push_str(&format!(
            "; the submission's id was {id}: `exec-engine status {id}` tells whether it was stored"
        ));
    }
    message
}

/// The exit code for a completed execution.
pub fn exit_code(doc: &ResultDoc) -> u8 {
    if doc.all_passed && doc.status == "accepted" {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    }
}

/// Runs a command; its output goes to stdout (results) and stderr (progress).
pub async fn run(cli: Cli) -> Result<u8, Error> {
    let client = Client::new(&cli.gateway, cli.api_key.as_deref())?;
    match cli.command {
        Command::Submit(args) => submit(&client, args).await,
        Command::Status { id, wait, json } => status(&client, &id, wait, json).await,
        Command::Languages { json } => {
            let (languages, raw) = client.languages().await?;
            if json {
                println!("{}", pretty(&raw));
            } else {
                print!("{}", render::languages_table(&languages));
            }
            Ok(EXIT_PASSED)
        }
    }
}

/// Builds the `POST /execute` body from the arguments and files.
pub fn submit_request(args: &SubmitArgs) -> Result<SubmitRequest, Error> {
    let language = match &args.language {
        Some(language) => input::normalise_language(language),
        None => input::infer_language(&args.file)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "cannot tell the language of {} from its extension; pass --language",
                    args.file.display()
                ))
            })?
            .to_owned(),
    };
    let code = std::fs::read_to_string(&args.file).map_err(|source| Error::Read {
        path: args.file.display().to_string(),
        source,
    })?;
    Ok(SubmitRequest {
        language,
        code,
        function_name: args.function.clone(),
        imports: args.imports.clone(),
        test_cases: input::read_tests(&args.tests)?,
        time_limit_ms: args.time_limit_ms,
        memory_limit_mb: args.memory_limit_mb,
    })
}

async fn submit(client: &Client, args: SubmitArgs) -> Result<u8, Error> {
    let request = submit_request(&args)?;
    // One key per invocation: the retries of this submission run it once.
    let key = uuid::Uuid::new_v4().to_string();
    let id = client.submit(&request, &key).await?;
    eprintln!("submitted: {id}");
    let total = Some(request.test_cases.len());
    let raw = if args.follow {
        follow(client, &id, total).await?
    } else {
        wait_for_result(client, &id).await?
    };
    report(&raw, args.json)
}

async fn status(client: &Client, id: &str, wait: bool, json: bool) -> Result<u8, Error> {
    let (mut state, mut raw) = client.state(id, 0).await?;
    while wait && state.state != "completed" {
        (state, raw) = client.state(id, LONG_POLL_SECS).await?;
    }
    if json {
        println!("{}", pretty(&raw));
    } else {
        print!("{}", render::state_report(&state));
    }
    match (state.state.as_str(), state.result) {
        ("completed", Some(result)) => {
            let doc = parse_result(&result)?;
            if !json {
                print!("{}", render::result_report(&doc));
            }
            Ok(exit_code(&doc))
        }
        ("completed", None) => Err(Error::Protocol {
            url: client.url(&["executions", id]).to_string(),
            message: "completed without a result".into(),
        }),
        _ => Ok(EXIT_PASSED),
    }
}

/// Prints a result document (table or raw) and picks the exit code.
fn report(raw: &Value, json: bool) -> Result<u8, Error> {
    let doc = parse_result(raw)?;
    if json {
        println!("{}", pretty(raw));
    } else {
        print!("{}", render::result_report(&doc));
    }
    Ok(exit_code(&doc))
}

fn parse_result(raw: &Value) -> Result<ResultDoc, Error> {
    serde_json::from_value(raw.clone()).map_err(|err| Error::Protocol {
        url: "the result document".into(),
        message: err.to_string(),
    })
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Long-polls until the execution completes; returns the raw result document.
async fn wait_for_result(client: &Client, id: &str) -> Result<Value, Error> {
    loop {
        let (state, _) = client.state(id, LONG_POLL_SECS).await?;
        if let Some(result) = completed(client, id, state)? {
            return Ok(result);
        }
    }
}

fn completed(
    client: &Client,
    id: &str,
    state: api::ExecutionState,
) -> Result<Option<Value>, Error> {
    match (state.state.as_str(), state.result) {
        ("completed", Some(result)) => Ok(Some(result)),
        ("completed", None) => Err(Error::Protocol {
            url: client.url(&["executions", id]).to_string(),
            message: "completed without a result".into(),
        }),
        _ => Ok(None),
    }
}

/// Follows an execution live: over its event stream where the gateway has one, else by
/// polling. Progress goes to stderr; returns the raw result document.
async fn follow(client: &Client, id: &str, total: Option<usize>) -> Result<Value, Error> {
    if let Some(response) = client.events(id).await? {
        match follow_events(response, total).await {
            Ok(Some(result)) => return Ok(result),
            Ok(None) => eprintln!("the event stream ended early; polling instead"),
            Err(err) => eprintln!("the event stream failed ({err}); polling instead"),
        }
    }
    follow_by_polling(client, id, total).await
}

/// Reads the event stream until `completed`; `None` if it ends (or idles) first.
async fn follow_events(
    mut response: reqwest::Response,
    total: Option<usize>,
) -> Result<Option<Value>, String> {
    let mut parser = sse::Parser::new();
    let mut seen = 0;
    loop {
        let chunk = match tokio::time::timeout(EVENT_IDLE, response.chunk()).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) | Err(_) => return Ok(None),
            Ok(Err(err)) => return Err(err.to_string()),
        };
        for event in parser.push(&chunk) {
            let data: Value = serde_json::from_str(&event.data)
                .map_err(|err| format!("a {} event is not JSON: {err}", event.event))?;
            match event.event.as_str() {
                "state" => {
                    if let Some(state) = data.get("state").and_then(Value::as_str) {
                        eprintln!("state: {state}");
                    }
                }
                "test" => {
                    let test: TestOutcome =
                        serde_json::from_value(data).map_err(|err| err.to_string())?;
                    seen += 1;
                    // `index` is taken as 0-based; without one, the order of arrival.
                    let position = test.index.map_or(seen, |i| i + 1);
                    eprintln!("{}", render::test_progress(position, total, &test));
                }
                "completed" => return Ok(Some(data)),
                _ => {}
            }
        }
    }
}

/// Polls with a short wait, printing state changes and tests done as they grow.
async fn follow_by_polling(
    client: &Client,
    id: &str,
    total: Option<usize>,
) -> Result<Value, Error> {
    let mut last: Option<(String, u64)> = None;
    loop {
        let (state, _) = client.state(id, FOLLOW_POLL_SECS).await?;
        let now = (state.state.clone(), state.tests_done);
        if last.as_ref() != Some(&now) && state.state != "completed" {
            let of = total.map(|t| format!("/{t}")).unwrap_or_default();
            eprintln!(
                "state: {} ({}{of} tests done)",
                state.state, state.tests_done
            );
        }
        last = Some(now);
        if let Some(result) = completed(client, id, state)? {
            return Ok(result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(value: Value) -> ResultDoc {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn the_exit_code_follows_the_verdict() {
        assert_eq!(
            exit_code(&doc(json!({"all_passed": true, "status": "accepted"}))),
            EXIT_PASSED
        );
        assert_eq!(
            exit_code(&doc(json!({"all_passed": false, "status": "wrong_answer"}))),
            EXIT_FAILED
        );
        assert_eq!(
            exit_code(&doc(
                json!({"all_passed": false, "status": "compile_error"})
            )),
            EXIT_FAILED
        );
        assert_eq!(
            exit_code(&doc(
                json!({"all_passed": false, "status": "internal_error"})
            )),
            EXIT_FAILED
        );
        // Never 0 unless both agree.
        assert_eq!(
            exit_code(&doc(json!({"all_passed": true, "status": "runtime_error"}))),
            EXIT_FAILED
        );
        assert_eq!(exit_code(&doc(json!({}))), EXIT_FAILED);
    }

    #[test]
    fn arguments_parse_and_bad_ones_are_usage_errors() {
        let cli = Cli::try_parse_from([
            "exec-engine",
            "--gateway",
            "http://gw:9",
            "submit",
            "a.py",
            "--tests",
            "t.json",
            "--import",
            "math",
            "--import",
            "os",
            "--function",
            "add",
            "--follow",
        ])
        .unwrap();
        assert_eq!(cli.gateway, "http://gw:9");
        let Command::Submit(args) = cli.command else {
            panic!("not submit")
        };
        assert_eq!(args.imports, ["math", "os"]);
        assert_eq!(args.function.as_deref(), Some("add"));
        assert!(args.follow && !args.json);

        let err = Cli::try_parse_from(["exec-engine", "submit", "a.py"]).unwrap_err();
        assert_eq!(err.exit_code(), i32::from(EXIT_CLIENT_ERROR));
    }

    #[test]
    fn a_submission_is_built_from_its_files() {
        let dir = std::env::temp_dir().join(format!("exec-engine-cli-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let code = dir.join("sum.cc");
        let tests = dir.join("tests.json");
        std::fs::write(&code, "int main() {}").unwrap();
        std::fs::write(
            &tests,
            r#"{"test_cases": [{"input": "1 2", "expected_output": 3}]}"#,
        )
        .unwrap();
        let args = SubmitArgs {
            file: code.clone(),
            language: None,
            function: None,
            tests: tests.clone(),
            imports: vec![],
            time_limit_ms: Some(1000),
            memory_limit_mb: None,
            follow: false,
            json: false,
        };
        let request = submit_request(&args).unwrap();
        assert_eq!(request.language, "cpp");
        assert_eq!(request.code, "int main() {}");
        assert_eq!(request.test_cases[0].expected_output, "3");

        let unknown = SubmitArgs {
            file: tests.clone(),
            ..args
        };
        assert!(matches!(submit_request(&unknown), Err(Error::Usage(_))));
        let missing = SubmitArgs {
            file: dir.join("nope.py"),
            ..unknown
        };
        assert!(matches!(submit_request(&missing), Err(Error::Read { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn api_errors_read_as_a_sentence() {
        let err = Error::Api {
            url: "http://gw/execute".into(),
            status: 422,
            body: ErrorBody {
                error: "invalid_field".into(),
                message: "language must be one of python, js".into(),
                field: Some("language".into()),
                id: None,
            },
        };
        assert_eq!(
            err.to_string(),
            "the gateway answered 422 invalid_field (field language): language must be one of python, js"
        );
    }
}
