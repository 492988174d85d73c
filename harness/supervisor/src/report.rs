//! What the supervisor reports to the worker for each reply of the harness: the one place
//! that caps texts, writes the truncation notes and the limit wording, and bounds what a
//! harness (and so the code inside it) can claim. No I/O here.

use serde_json::{json, Map, Value};

/// The job's caps on what a test may leave behind.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    pub output_bytes: usize,
    pub value_bytes: usize,
}

/// Compiler and loader messages are kept up to this size.
const MESSAGE_BYTES: usize = 64 * 1024;
/// The largest build (its base64 text) passed on to the worker; a larger one is dropped,
/// and the code is compiled again next time.
pub const BUILD_BYTES: usize = 24 << 20;
/// The most a load's reply may be: a build and room for the rest.
pub const LOAD_REPLY_BYTES: usize = BUILD_BYTES + MESSAGE_BYTES * 6 + 4096;

impl Caps {
    /// The most a reply may be: its texts at their caps, each escaped as JSON (at most six
    /// bytes a byte), and room for the rest.
    pub fn reply_bytes(&self) -> usize {
        6 * (self.value_bytes + 4 * self.output_bytes) + MESSAGE_BYTES * 6 + 4096
    }
}

/// How a reply came through.
pub enum Reply {
    /// One line (or what the writer left before it closed).
    Line(Vec<u8>),
    /// More than [`Caps::reply_bytes`] without an end of line.
    Oversized,
}

/// The `loaded` or `load_failed` event for the job's reply.
pub fn load_event(reply: &Reply, return_build: bool) -> Value {
    let fields = match reply {
        Reply::Line(line) => serde_json::from_slice::<Map<String, Value>>(line).ok(),
        Reply::Oversized => None,
    };
    let Some(fields) = fields else {
        return json!({"event": "load_failed", "message": "the harness sent no valid load report"});
    };
    match fields.get("event").and_then(Value::as_str) {
        Some("loaded") => {
            let mut event = json!({
                "event": "loaded",
                "compile_time_ms": fields.get("compile_time_ms").and_then(Value::as_f64),
            });
            let build = fields.get("build").and_then(Value::as_str);
            if let Some(build) = build.filter(|b| return_build && b.len() <= BUILD_BYTES) {
                event["build"] = build.into();
            }
            event
        }
        Some("load_failed") => {
            let message = fields.get("message").and_then(Value::as_str).unwrap_or("");
            json!({"event": "load_failed", "message": cap(message, message.len(), MESSAGE_BYTES).0})
        }
        _ => json!({"event": "load_failed", "message": "the harness sent no valid load report"}),
    }
}

/// What the supervisor measured of one test, beside the harness's reply.
pub struct Measured {
    pub index: usize,
    pub elapsed_ms: f64,
    /// The OOM killer acted in the container during the test.
    pub oom_killed: bool,
}

/// The `test` event for a test's reply.
pub fn test_event(reply: &Reply, measured: &Measured, caps: Caps) -> Value {
    let mut event = Map::new();
    event.insert("event".into(), "test".into());
    event.insert("index".into(), measured.index.into());
    let mut over = false;
    match reply {
        Reply::Oversized => {
            event.insert(
                "error".into(),
                format!(
                    "the report of this test was larger than {} bytes",
                    caps.reply_bytes()
                )
                .into(),
            );
            over = true;
        }
        Reply::Line(line) => match serde_json::from_slice::<Map<String, Value>>(line) {
            Ok(fields) if fields.get("event").and_then(Value::as_str) == Some("test") => {
                over = read_outcome(&fields, caps, &mut event);
                let reported = fields.get("time_ms").and_then(Value::as_f64);
                let time =
                    reported.map_or(measured.elapsed_ms, |t| t.clamp(0.0, measured.elapsed_ms));
                event.insert("time_ms".into(), time.into());
                let memory = fields.get("memory_kb").and_then(Value::as_u64);
                event.insert("memory_kb".into(), memory.into());
                if fields.get("limit").and_then(Value::as_str) == Some("memory") {
                    event.insert("limit".into(), "memory".into());
                }
            }
            _ => {
                event.insert(
                    "error".into(),
                    "the harness sent no valid report for this test".into(),
                );
            }
        },
    }
    event
        .entry("time_ms")
        .or_insert_with(|| measured.elapsed_ms.into());
    event.entry("memory_kb").or_insert(Value::Null);
    event.entry("stdout").or_insert_with(|| "".into());
    event.entry("stderr").or_insert_with(|| "".into());
    if measured.oom_killed {
        event.insert("limit".into(), "memory".into());
    } else if over && !event.contains_key("limit") {
        event.insert("limit".into(), "output".into());
    }
    Value::Object(event)
}

/// Copies the outcome of a valid reply into `event`, capped; true when something was over
/// its cap.
fn read_outcome(fields: &Map<String, Value>, caps: Caps, event: &mut Map<String, Value>) -> bool {
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    let written = |name: &str, text: &str| {
        fields
            .get(name)
            .and_then(Value::as_u64)
            .map_or(text.len(), |n| usize::try_from(n).unwrap_or(usize::MAX))
    };
    // Keeps a text in `event` within the output cap; true when it was over.
    let keep = |event: &mut Map<String, Value>, name: &str, text: &str, total: usize| {
        let (kept, cut) = cap(text, total, caps.output_bytes);
        event.insert(name.into(), kept.into());
        cut
    };
    let mut over = false;
    if let Some(value) = text("value") {
        if value.len() > caps.value_bytes {
            event.insert("error".into(), value_too_long(value.len(), caps).into());
            over = true;
        } else {
            event.insert("value".into(), value.into());
        }
    } else if let Some(length) = fields.get("value_bytes").and_then(Value::as_u64) {
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        event.insert("error".into(), value_too_long(length, caps).into());
        over = true;
    } else if let Some(output) = text("output") {
        over |= keep(event, "output", output, written("stdout_bytes", output));
        // A program's exit status, a fact a checker program's verdict is read from.
        if let Some(code) = fields.get("exit_code").and_then(Value::as_i64) {
            event.insert("exit_code".into(), code.into());
        }
    }
    if let Some(error) = text("error") {
        if !event.contains_key("error") {
            // Capped too, but a long message is no output of the test's.
            keep(event, "error", error, error.len());
        }
    }
    if !["value", "output", "error"]
        .iter()
        .any(|k| event.contains_key(*k))
    {
        event.insert("error".into(), "the harness reported no value".into());
    }
    if event.contains_key("output") {
        event.insert("stdout".into(), "".into());
    } else {
        let stdout = text("stdout").unwrap_or("");
        over |= keep(event, "stdout", stdout, written("stdout_bytes", stdout));
    }
    let stderr = text("stderr").unwrap_or("");
    over |= keep(event, "stderr", stderr, written("stderr_bytes", stderr));
    over
}

fn value_too_long(length: usize, caps: Caps) -> String {
    format!(
        "the returned value is {length} bytes of JSON; the limit is {}",
        caps.value_bytes
    )
}

/// `text` cut to `limit` bytes on a character boundary, with the one truncation note when
/// what was `written` in all went past the limit (a text may also come out longer than what
/// was written, where invalid UTF-8 was replaced: then it is only cut).
pub fn cap(text: &str, written: usize, limit: usize) -> (String, bool) {
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if written <= limit {
        return (text[..end].to_owned(), false);
    }
    (
        format!(
            "{}\n[output truncated: {written} bytes written, {limit} kept]",
            &text[..end]
        ),
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPS: Caps = Caps {
        output_bytes: 10,
        value_bytes: 8,
    };

    fn measured(elapsed_ms: f64, oom_killed: bool) -> Measured {
        Measured {
            index: 3,
            elapsed_ms,
            oom_killed,
        }
    }

    fn event(reply: &str, measured: &Measured) -> Value {
        test_event(&Reply::Line(reply.as_bytes().to_vec()), measured, CAPS)
    }

    #[test]
    fn a_plain_reply_is_passed_on_with_our_index() {
        let e = event(
            r#"{"event":"test","index":0,"value":"[1,2]","time_ms":1.5,"memory_kb":900,"stdout":"hi","stdout_bytes":2,"stderr":""}"#,
            &measured(10.0, false),
        );
        assert_eq!(
            e,
            json!({"event":"test","index":3,"value":"[1,2]","time_ms":1.5,"memory_kb":900,"stdout":"hi","stderr":""})
        );
    }

    #[test]
    fn the_time_claimed_is_bounded_by_the_time_measured() {
        let e = event(
            r#"{"event":"test","value":"1","time_ms":99999}"#,
            &measured(4.0, false),
        );
        assert_eq!(e["time_ms"], 4.0);
        let e = event(
            r#"{"event":"test","value":"1","time_ms":-5}"#,
            &measured(4.0, false),
        );
        assert_eq!(e["time_ms"], 0.0);
    }

    #[test]
    fn texts_over_the_cap_are_cut_with_one_note_and_the_output_limit() {
        let e = event(
            r#"{"event":"test","value":"1","time_ms":1,"stdout":"0123456789","stdout_bytes":5000,"stderr":"é€€€€€"}"#,
            &measured(4.0, false),
        );
        assert_eq!(
            e["stdout"],
            "0123456789\n[output truncated: 5000 bytes written, 10 kept]"
        );
        assert_eq!(
            e["stderr"], "é€€\n[output truncated: 17 bytes written, 10 kept]",
            "cut on a character boundary"
        );
        assert_eq!(e["limit"], "output");
    }

    #[test]
    fn a_value_over_its_cap_is_an_error_in_our_words() {
        for reply in [
            r#"{"event":"test","value":"\"abcdefghij\"","time_ms":1}"#,
            r#"{"event":"test","value_bytes":12,"time_ms":1}"#,
        ] {
            let e = event(reply, &measured(4.0, false));
            assert_eq!(
                e["error"],
                "the returned value is 12 bytes of JSON; the limit is 8"
            );
            assert_eq!(e["limit"], "output");
            assert!(e.get("value").is_none());
        }
    }

    #[test]
    fn a_programs_exit_code_is_passed_on_as_a_number() {
        let e = event(
            r#"{"event":"test","output":"ok","exit_code":7,"error":"the program exited with code 7","time_ms":1}"#,
            &measured(5.0, false),
        );
        assert_eq!(e["exit_code"], 7);
        let e = event(
            r#"{"event":"test","value":"1","exit_code":"7","time_ms":1}"#,
            &measured(5.0, false),
        );
        assert!(
            e.get("exit_code").is_none(),
            "a function has none, and words are no code"
        );
    }

    #[test]
    fn program_output_is_capped_like_stdout() {
        let e = event(
            r#"{"event":"test","output":"12345678901","stdout_bytes":11,"stdout":"","time_ms":1}"#,
            &measured(4.0, false),
        );
        assert_eq!(
            e["output"],
            "1234567890\n[output truncated: 11 bytes written, 10 kept]"
        );
        assert_eq!(e["stdout"], "");
        assert_eq!(e["limit"], "output");
    }

    #[test]
    fn memory_comes_from_the_oom_killer_or_the_runtime_never_from_words() {
        let killed = event(
            r#"{"event":"test","error":"killed by signal 9","time_ms":1}"#,
            &measured(4.0, true),
        );
        assert_eq!(killed["limit"], "memory");
        let runtime = event(
            r#"{"event":"test","error":"MemoryError","time_ms":1,"limit":"memory"}"#,
            &measured(4.0, false),
        );
        assert_eq!(runtime["limit"], "memory");
        let words = event(
            r#"{"event":"test","error":"out of memory","stderr":"JavaScript heap out of memory","time_ms":1,"limit":"output"}"#,
            &measured(4.0, false),
        );
        assert_ne!(words["limit"], "memory", "{words}");
    }

    #[test]
    fn broken_and_oversized_replies_are_errors_of_the_running_test() {
        let broken = event("not json", &measured(4.0, false));
        assert_eq!(
            broken["error"],
            "the harness sent no valid report for this test"
        );
        assert_eq!(broken["time_ms"], 4.0);
        let wrong_kind = event(r#"{"event":"loaded"}"#, &measured(4.0, false));
        assert_eq!(wrong_kind["error"], broken["error"]);
        let oversized = test_event(&Reply::Oversized, &measured(4.0, false), CAPS);
        assert_eq!(oversized["limit"], "output");
        assert_eq!(oversized["stdout"], "");
    }

    #[test]
    fn load_reports_are_checked_and_capped() {
        let loaded = load_event(
            &Reply::Line(br#"{"event":"loaded","compile_time_ms":2}"#.to_vec()),
            false,
        );
        assert_eq!(loaded, json!({"event":"loaded","compile_time_ms":2.0}));
        let failed = load_event(
            &Reply::Line(
                serde_json::to_vec(&json!({"event":"load_failed","message":"x".repeat(100_000)}))
                    .unwrap(),
            ),
            false,
        );
        assert!(failed["message"].as_str().unwrap().ends_with("65536 kept]"));
        let junk = load_event(&Reply::Line(b"{}".to_vec()), false);
        assert_eq!(junk["event"], "load_failed");
    }

    #[test]
    fn a_build_is_passed_on_only_when_asked_for_and_within_its_cap() {
        let reply = |build: &str| {
            Reply::Line(serde_json::to_vec(&json!({"event":"loaded","build":build})).unwrap())
        };
        assert_eq!(load_event(&reply("QUJD"), true)["build"], "QUJD");
        assert!(load_event(&reply("QUJD"), false).get("build").is_none());
        let huge = "A".repeat(BUILD_BYTES + 1);
        let dropped = load_event(&reply(&huge), true);
        assert_eq!(dropped["event"], "loaded");
        assert!(dropped.get("build").is_none());
    }
}
