//! A JSON value carried exactly as the client wrote it. serde_json's `Value` turns an integer
//! beyond 64 bits into a double (`18446744073709551616` into `1.8446744073709552e19`); a
//! test's `input` must reach the code, and come back in the result, digit for digit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// One JSON value as its text, without white space between tokens (so that it fits on one
/// line of a line protocol). It deserializes only where serde does not buffer (plain
/// structs and sequences; not inside `#[serde(tag)]`, `untagged` or `flatten`).
#[derive(Clone, Debug)]
pub struct ExactJson(Box<RawValue>);

impl ExactJson {
    /// `text` when it is one JSON value.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        RawValue::from_string(compact(text)).map(Self)
    }

    fn from_raw(raw: Box<RawValue>) -> Self {
        if raw.get().bytes().any(is_space) {
            Self::parse(raw.get()).expect("JSON stays JSON without its white space")
        } else {
            Self(raw)
        }
    }

    /// A JSON string holding `text`.
    pub fn string(text: &str) -> Self {
        Self(serde_json::value::to_raw_value(text).expect("a string serializes"))
    }

    /// The value's JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The content of a JSON string; `None` for any other value.
    pub fn as_string(&self) -> Option<String> {
        self.is_string()
            .then(|| serde_json::from_str(self.text()).ok())
            .flatten()
    }

    pub fn is_string(&self) -> bool {
        self.text().starts_with('"')
    }
}

impl From<&serde_json::Value> for ExactJson {
    fn from(value: &serde_json::Value) -> Self {
        Self(serde_json::value::to_raw_value(value).expect("a JSON value serializes"))
    }
}

/// Equal when written the same.
impl PartialEq for ExactJson {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl Serialize for ExactJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ExactJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Self::from_raw)
    }
}

/// The parts of `poem_openapi::types::Type` that a type holding one value writes the same
/// way: it is its own raw value.
#[cfg(feature = "openapi")]
#[macro_export]
macro_rules! openapi_value_type {
    () => {
        type RawValueType = Self;
        type RawElementValueType = Self;

        fn as_raw_value(&self) -> Option<&Self::RawValueType> {
            Some(self)
        }

        fn raw_element_iter<'a>(
            &'a self,
        ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
            Box::new(self.as_raw_value().into_iter())
        }
    };
}

/// Any JSON value, in the OpenAPI document.
#[cfg(feature = "openapi")]
mod openapi {
    use std::borrow::Cow;

    use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
    use poem_openapi::types::{ParseFromJSON, ParseResult, ToJSON, Type};

    use super::ExactJson;

    impl Type for ExactJson {
        const IS_REQUIRED: bool = true;
        crate::openapi_value_type!();

        fn name() -> Cow<'static, str> {
            "any".into()
        }

        fn schema_ref() -> MetaSchemaRef {
            MetaSchemaRef::Inline(Box::new(MetaSchema::ANY))
        }
    }

    impl ToJSON for ExactJson {
        fn to_json(&self) -> Option<serde_json::Value> {
            serde_json::from_str(self.text()).ok()
        }
    }

    impl ParseFromJSON for ExactJson {
        fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
            Ok(Self::from(&value.unwrap_or_default()))
        }
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// `text` without the white space between its tokens. Inside a JSON string white space is
/// kept; a line break there is always escaped, never raw.
fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii() && is_space(c as u8) {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_64_bits_keep_every_digit_through_a_round_trip() {
        let text = r#"[18446744073709551616,-99999999999999999999999,{"b":1,"a":2}]"#;
        let exact = ExactJson::parse(text).unwrap();
        #[derive(Serialize, Deserialize)]
        struct Case {
            input: ExactJson,
        }
        let wire = serde_json::to_string(&Case { input: exact }).unwrap();
        assert_eq!(wire, format!(r#"{{"input":{text}}}"#));
        let back: Case = serde_json::from_slice(wire.as_bytes()).unwrap();
        assert_eq!(back.input.text(), text, "digits and key order kept");
    }

    #[test]
    fn white_space_between_tokens_goes_and_inside_strings_stays() {
        let exact: ExactJson =
            serde_json::from_str("[ 1 ,\n {\"a b\" : \"x \\\" \\n y\"}\t]").unwrap();
        assert_eq!(exact.text(), r#"[1,{"a b":"x \" \n y"}]"#);
    }

    #[test]
    fn strings_are_told_apart_and_read() {
        assert_eq!(ExactJson::string("2 3\n").as_string().unwrap(), "2 3\n");
        assert!(ExactJson::parse("[1]").unwrap().as_string().is_none());
        assert!(ExactJson::parse("[1").is_err());
    }
}
