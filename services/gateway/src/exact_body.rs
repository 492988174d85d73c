//! JSON answers that carry a stored result document exactly as stored. poem-openapi's
//! `Json` goes through `serde_json::Value`, which rounds integers beyond 64 bits (a test's
//! `input` echoed in its result).

use std::borrow::Cow;

use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::value::RawValue;

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

/// A JSON answer whose `result` field, when it holds a [`ResultDocument`], is written as
/// stored.
pub struct ExactJsonBody<T>(pub T);

/// What has a result document in it.
pub trait WithResult {
    fn result(&self) -> Option<&ResultDocument>;
}

impl WithResult for crate::api::ExecutionState {
    fn result(&self) -> Option<&ResultDocument> {
        self.result.as_ref()
    }
}

impl<T: ToJSON + WithResult + Send> IntoResponse for ExactJsonBody<T> {
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
            result: self.0.result().map(|document| &*document.0),
        };
        let body = serde_json::to_vec(&exact).expect("JSON serializes");
        Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(body)
    }
}

impl<T: Type + Send> Payload for ExactJsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
