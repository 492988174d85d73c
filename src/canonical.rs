//! One reading and one rendering of a value for every language: whatever JSON a harness
//! writes, the result document carries the same text for the same value, and numbers keep
//! every digit they were written with (serde_json's `Value` would round big integers).
//!
//! Compact; object keys sorted (by code point) with the last of duplicate keys kept;
//! integers exactly as written, at any size; other numbers in ECMAScript's form (`2.0` is
//! `2`, `1e21` is `1e+21`, `0.1` stays `0.1`); strings escaped as `JSON.stringify` does.

use std::fmt::Write;

/// How deep arrays and objects may nest before the text is left as it is.
const MAX_DEPTH: usize = 512;

/// The canonical form of `text`, or `None` when `text` is not one JSON value.
pub fn canonicalize(text: &str) -> Option<String> {
    let value = parse(text)?;
    let mut out = String::with_capacity(text.len());
    value.write(&mut out);
    Some(out)
}

/// `text` as one JSON value, or `None` when it is not one.
pub fn parse(text: &str) -> Option<Json> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    let value = parser.value(0)?;
    parser.skip_space();
    (parser.at == parser.bytes.len()).then_some(value)
}

/// A JSON value whose numbers keep the text they were written with.
#[derive(Debug, PartialEq)]
pub enum Json {
    Literal(&'static str),
    /// The number as written (a valid JSON number).
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Sorted by key, the last of duplicate keys kept.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The number's canonical text: an integer as written (`-0` is `0`), any other number
    /// in ECMAScript's form.
    fn number_text(token: &str) -> String {
        if !token.contains(['.', 'e', 'E']) {
            return if token == "-0" {
                "0".into()
            } else {
                token.into()
            };
        }
        match token.parse::<f64>() {
            Ok(value) if value.is_finite() => ryu_js::Buffer::new().format(value).to_owned(),
            _ => token.to_owned(),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Literal(text) => out.push_str(text),
            Json::Number(token) => out.push_str(&Json::number_text(token)),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match *self.bytes.get(self.at)? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Json::String),
            b'-' | b'0'..=b'9' => self.number(),
            _ => self.literal(),
        }
    }

    fn literal(&mut self) -> Option<Json> {
        for word in ["null", "true", "false"] {
            if self.text[self.at..].starts_with(word) {
                self.at += word.len();
                return Some(Json::Literal(word));
            }
        }
        None
    }

    fn array(&mut self, depth: usize) -> Option<Json> {
        self.at += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            if self.eat(b']') {
                return Some(Json::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json> {
        self.at += 1;
        let mut members: Vec<(String, Json)> = Vec::new();
        if !self.eat(b'}') {
            loop {
                self.skip_space();
                if self.bytes.get(self.at) != Some(&b'"') {
                    return None;
                }
                let key = self.string()?;
                if !self.eat(b':') {
                    return None;
                }
                let value = self.value(depth + 1)?;
                members.retain(|(k, _)| *k != key);
                members.push((key, value));
                if self.eat(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return None;
                }
            }
        }
        members.sort_by(|a, b| a.0.cmp(&b.0));
        Some(Json::Object(members))
    }

    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.at += 1;
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
        self.at += 1;
        // serde_json decodes the escapes, surrogate pairs included.
        serde_json::from_str(self.text.get(start..self.at)?).ok()
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.at;
        self.at += usize::from(self.bytes[self.at] == b'-');
        let digits = self.digits();
        if digits == 0 || (digits > 1 && self.bytes[self.at - digits] == b'0') {
            return None;
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(Json::Number(self.text[start..self.at].to_owned()))
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }
}

#[cfg(test)]
mod tests {
    use super::canonicalize;

    fn canon(text: &str) -> String {
        canonicalize(text).unwrap_or_else(|| panic!("{text} is valid JSON"))
    }

    #[test]
    fn numbers_take_ecmascript_form() {
        assert_eq!(canon("2.0"), "2");
        assert_eq!(canon("2.5"), "2.5");
        assert_eq!(canon("-0.0"), "0");
        assert_eq!(canon("-0"), "0");
        assert_eq!(canon("0.15000000000000002"), "0.15000000000000002");
        assert_eq!(canon("1.0E21"), "1e+21");
        assert_eq!(canon("1e300"), "1e+300");
        assert_eq!(canon("1.0E-7"), "1e-7");
        assert_eq!(canon("0.000001"), "0.000001");
        assert_eq!(canon("1e16"), "10000000000000000");
        assert_eq!(canon("100"), "100");
    }

    #[test]
    fn integers_stay_exact_at_any_size() {
        assert_eq!(canon("9223372036854775807"), "9223372036854775807");
        assert_eq!(canon("-9223372036854775808"), "-9223372036854775808");
        assert_eq!(
            canon("123456789012345678901234567890"),
            "123456789012345678901234567890"
        );
    }

    #[test]
    fn objects_sort_their_keys_and_keep_the_last_duplicate() {
        assert_eq!(
            canon(r#"{"b": 1, "a": {"d": 2, "c": [3, 4.0]}}"#),
            r#"{"a":{"c":[3,4],"d":2},"b":1}"#
        );
        assert_eq!(canon(r#"{"a":1,"a":2}"#), r#"{"a":2}"#);
        assert_eq!(canon(r#"{"é":1,"z":2,"A":3}"#), r#"{"A":3,"z":2,"é":1}"#);
        assert_eq!(canon("{ }"), "{}");
        assert_eq!(canon(" [ ] "), "[]");
    }

    #[test]
    fn strings_escape_as_json_stringify_does() {
        assert_eq!(canon(r#""a\u0022b""#), r#""a\"b""#);
        assert_eq!(canon(r#""\u00e9\ud83d\udc4b""#), "\"é👋\"");
        assert_eq!(canon("\"tab\\t\\u0001\""), "\"tab\\t\\u0001\"");
        assert_eq!(canon(r#""\/""#), r#""/""#);
        assert_eq!(canon(r#""wörld 👋 世界""#), r#""wörld 👋 世界""#);
    }

    #[test]
    fn literals_and_nesting_survive() {
        assert_eq!(
            canon("[true,false,null,[[]],{}]"),
            "[true,false,null,[[]],{}]"
        );
    }

    #[test]
    fn invalid_text_is_refused() {
        for bad in [
            "",
            "[1,",
            "{\"a\" 1}",
            "01",
            "1.",
            "-",
            "nul",
            "[1] x",
            "'a'",
            "NaN",
            "{1:2}",
        ] {
            assert!(canonicalize(bad).is_none(), "{bad}");
        }
        let deep = "[".repeat(600) + &"]".repeat(600);
        assert!(canonicalize(&deep).is_none());
    }
}
