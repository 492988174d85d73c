//! An execution's id in a path: a UUID in its hyphenated form, the one the gateway gives.
//! The OpenAPI document says so, and a request with anything else is refused (400) before
//! its handler runs.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult, Type};
use uuid::Uuid;

const PATTERN: &str =
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExecutionId(pub Uuid);

impl std::fmt::Display for ExecutionId {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Type for ExecutionId {
    const IS_REQUIRED: bool = true;
    exec_engine::openapi_value_type!();

    fn name() -> Cow<'static, str> {
        "ExecutionId".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            description: Some("An execution's id: a UUID, hyphenated."),
            pattern: Some(PATTERN.to_owned()),
            ..MetaSchema::new("string")
        }))
    }
}

impl ParseFromParameter for ExecutionId {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        let hyphenated = value.len() == 36
            && value.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            });
        match Uuid::parse_str(value) {
            Ok(id) if hyphenated => Ok(Self(id)),
            _ => Err(ParseError::custom(format!(
                "`{value}` is not an execution id (a hyphenated UUID)"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyphenated_uuids_are_execution_ids() {
        let id = Uuid::new_v4();
        assert_eq!(
            ExecutionId::parse_from_parameter(&id.to_string()).unwrap(),
            ExecutionId(id)
        );
        for text in [
            "0".to_owned(),
            id.simple().to_string(),
            id.urn().to_string(),
            format!("{id}\n"),
            format!("{{{id}}}"),
        ] {
            assert!(ExecutionId::parse_from_parameter(&text).is_err(), "{text}");
        }
    }
}
