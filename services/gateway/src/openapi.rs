//! The OpenAPI document the gateway serves: generated from the types that answer and
//! document each endpoint, then given this deployment's limits (the languages it serves,
//! the most test cases, the largest time and memory limits, the largest batch), which
//! attributes cannot hold. Swagger UI at `/docs` shows the same document.

use exec_engine::{program, ExecutionResult, SubmissionLimits};
use poem::endpoint::make_sync;
use poem::web::Html;
use poem::{Endpoint, Response};
use poem_openapi::payload::Json;
use poem_openapi::{OpenApiService, Webhook};
use serde_json::{json, Value};

use crate::api::Api;

const TITLE: &str = "Code Execution Engine";

/// What the engine sends to a submission's `callback_url`.
#[Webhook]
pub trait Callbacks {
    /// The result document, POSTed once the execution completes (signed with the
    /// Standard Webhooks headers where `CALLBACK_SIGNING_SECRET` is set). Answer 2xx; any
    /// other answer is retried.
    #[oai(name = "result", method = "post")]
    fn result(&self, body: Json<ExecutionResult>);
}

pub fn service() -> OpenApiService<Api, &'static dyn Callbacks> {
    OpenApiService::new(Api, TITLE, env!("CARGO_PKG_VERSION")).webhooks::<&dyn Callbacks>()
}

/// What a deployment's document tells of its configuration.
pub struct Limits<'a> {
    pub submissions: &'a SubmissionLimits,
    pub max_batch: usize,
    pub max_wait_secs: u64,
}

impl<'a> Limits<'a> {
    pub fn of(state: &'a crate::api::AppState) -> Self {
        Self {
            submissions: &state.limits,
            max_batch: state.max_batch,
            max_wait_secs: state.max_wait_secs,
        }
    }
}

/// The document for a deployment with these limits.
pub fn document(deployment: &Limits) -> String {
    let limits = deployment.submissions;
    let mut spec: Value =
        serde_json::from_str(&service().spec()).expect("poem-openapi writes JSON");
    let languages: Vec<&str> = limits.languages.iter().map(|l| l.as_str()).collect();
    let schemas = &mut spec["components"]["schemas"];
    for submission in ["FunctionSubmission", "ProgramSubmission"] {
        let fields = &mut schemas[submission]["properties"];
        fields["language"]["enum"] = json!(languages);
        fields["test_cases"]["maxItems"] = json!(limits.max_test_cases);
        fields["imports"]["maxItems"] = json!(limits.max_imports);
        fields["imports"]["items"] = json!({
            "type": "string",
            "maxLength": exec_engine::submission::MAX_IMPORT_CHARS,
            "pattern": r"^[^\r\n\x00]*[^\s\x00][^\r\n\x00]*$",
        });
        fields["time_limit_ms"]["maximum"] = json!(limits.max_time_limit_ms);
        fields["memory_limit_mb"]["maximum"] = json!(limits.max_memory_limit_mb);
    }
    schemas["Checker"]["properties"]["language"]["enum"] = json!(languages);
    schemas["Checker"]["properties"]["code"]["pattern"] = json!(r"^[^\x00]*[^\s\x00][^\x00]*$");
    schemas["Checker"]["properties"]["function_name"]["pattern"] =
        json!(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$");
    schemas["Checker"]["additionalProperties"] = json!(false);
    schemas["Problem"]["additionalProperties"] = json!(false);
    let program = &mut schemas["ProgramSubmission"]["properties"];
    program["args"]["maxItems"] = json!(program::MAX_ARGS);
    program["args"]["items"] = json!({
        "type": "string",
        "maxLength": program::MAX_ARG_CHARS,
        "pattern": r"^[^\x00]*$",
    });
    program["files"]["maxItems"] = json!(program::MAX_FILES);
    let file = &mut schemas["SourceFile"];
    file["additionalProperties"] = json!(false);
    file["properties"]["name"] = json!({
        "type": "string",
        "pattern": program::FILE_NAME_PATTERN,
        "not": {"enum": program::reserved_file_names()},
        "description": "A plain file name (no paths); the names the sandboxes write \
                        themselves are reserved.",
    });
    file["properties"]["content"]["pattern"] = json!(r"^[^\x00]*$");
    // A program has no function: `function_name` absent or null.
    schemas["ProgramSubmission"]["properties"]["function_name"] = json!({
        "nullable": true,
        "enum": [null],
        "description": "Absent or null: the code is a whole program.",
    });
    // A function takes no command line and no files: `args` and `files` absent or null.
    for field in ["args", "files"] {
        schemas["FunctionSubmission"]["properties"][field] = json!({
            "nullable": true,
            "enum": [null],
            "description": "Only a whole program takes these.",
        });
    }
    schemas["BatchRequest"]["properties"]["submissions"]["maxItems"] = json!(deployment.max_batch);
    // Before Open API 3.2 an event stream's schema describes one event (poem-openapi writes
    // an array of them): its name, and its data as JSON of the given schema.
    let stream = &mut spec["paths"]["/executions/{id}/events"]["get"]["responses"]["200"]
        ["content"]["text/event-stream"]["schema"];
    let data = stream["items"].take();
    *stream = json!({
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"type": "string", "enum": ["state", "test", "completed"]},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": data,
            },
        },
    });
    if let Some(parameters) = spec["paths"]["/executions/{id}"]["get"]["parameters"].as_array_mut()
    {
        for parameter in parameters.iter_mut().filter(|p| p["name"] == "wait") {
            parameter["schema"]["maximum"] = json!(deployment.max_wait_secs);
        }
    }
    serde_json::to_string_pretty(&spec).expect("JSON serializes")
}

/// `GET /openapi.json`, and Swagger UI at `/docs` on the same document.
pub fn endpoints(document: String) -> (impl Endpoint, impl Endpoint) {
    let html = service()
        .swagger_ui_html()
        .replace(&service().spec(), &document);
    let spec = make_sync(move |_| {
        Response::builder()
            .content_type("application/json")
            .body(document.clone())
    });
    let ui = make_sync(move |_| Html(html.clone()));
    (spec, ui)
}

#[cfg(test)]
mod tests {
    use super::*;
    use exec_engine::Language;

    #[test]
    fn the_document_tells_the_deployments_limits() {
        let submissions = SubmissionLimits {
            languages: vec![Language::Python, Language::Go],
            max_test_cases: 7,
            max_time_limit_ms: 3000,
            ..SubmissionLimits::default()
        };
        let spec: Value = serde_json::from_str(&document(&Limits {
            submissions: &submissions,
            max_batch: 3,
            max_wait_secs: 5,
        }))
        .unwrap();
        let schemas = &spec["components"]["schemas"];
        for submission in ["FunctionSubmission", "ProgramSubmission"] {
            let fields = &schemas[submission]["properties"];
            assert_eq!(fields["language"]["enum"], json!(["python", "go"]));
            assert_eq!(fields["test_cases"]["maxItems"], 7);
            assert_eq!(fields["time_limit_ms"]["maximum"], 3000);
        }
        assert_eq!(
            schemas["BatchRequest"]["properties"]["submissions"]["maxItems"],
            3
        );
        let wait = &spec["paths"]["/executions/{id}"]["get"]["parameters"][1];
        assert_eq!(
            (wait["name"].as_str(), wait["schema"]["maximum"].as_u64()),
            (Some("wait"), Some(5))
        );
        assert!(spec["webhooks"]["result"]["post"].is_object());
    }
}
