//! JSON answers that carry a stored result document exactly as stored. poem-openapi's
//! `Json` goes through `serde_json::Value`, which rounds integers beyond 64 bits (a test's
//! `input` echoed in its result).

use std::borrow::Cow;

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::value::RawValue;

use crate::api::ExecutionState;

/// A result document as stored: the callback's body.
#[derive(Clone, Debug)]
pub struct ResultDocument(Box<RawValue>);

impl ResultDocument {
    /// `document` when it is JSON (a stored one always is).
    pub fn new(document: &[u8]) -> Option<Self> {
        serde_json::from_slice(document).ok().map(Self)
    }
}

impl Type for ResultDocument {
    const IS_REQUIRED: bool = true;
    exec_engine::openapi_value_type!();

    fn name() -> Cow<'static, str> {
        "ResultDocument".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        exec_engine::ExecutionResult::schema_ref()
    }

    fn register(registry: &mut Registry) {
        exec_engine::ExecutionResult::register(registry);
    }
}

/// Only for poem-openapi's own use; [`ExactJsonBody`] writes the document as stored.
impl ToJSON for ResultDocument {
    fn to_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.0.get()).ok()
    }
}

impl ParseFromJSON for ResultDocument {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        let text = value.unwrap_or_default().to_string();
        RawValue::from_string(text)
            .map(Self)
            .map_err(|err| poem_openapi::types::ParseError::custom(err.to_string()))
    }
}

/// `GET /executions/{id}`'s answer, its `result` written as stored.
pub struct StateBody(pub ExecutionState);

impl IntoResponse for StateBody {
    fn into_response(self) -> Response {
        #[derive(serde::Serialize)]
        struct Exact<'a> {
            #[serde(flatten)]
            rest: serde_json::Value,
            result: Option<&'a RawValue>,
        }
        let mut rest = self.0.to_json().unwrap_or_default();
        if let Some(fields) = rest.as_object_mut() {
            fields.remove("result");
        }
        let exact = Exact {
            rest,
            result: self.0.result.as_ref().map(|document| &*document.0),
        };
        let body = serde_json::to_vec(&exact).expect("JSON serializes");
        Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(body)
    }
}

impl Payload for StateBody {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        ExecutionState::schema_ref()
    }

    fn register(registry: &mut Registry) {
        ExecutionState::register(registry);
    }
}
