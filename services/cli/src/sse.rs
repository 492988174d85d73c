//! A small Server-Sent Events parser: bytes in, events out, whatever the chunking.
//!
//! Only what `GET /executions/{id}/events` needs: `event:` and `data:` fields; `id:`,
//! `retry:` and comments are ignored. Lines end with `\n` or `\r\n` (a lone `\r` is not
//! treated as a line end).

/// One dispatched event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The `event:` field, `message` when none was given.
    pub event: String,
    /// The `data:` lines, joined by `\n`.
    pub data: String,
}

#[derive(Debug, Default)]
pub struct Parser {
    /// The bytes of a line not yet ended; kept as bytes so a UTF-8 character split
    /// across chunks decodes whole.
    line: Vec<u8>,
    event: Option<String>,
    data: Option<String>,
}

impl Parser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk of the stream; returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        for &byte in chunk {
            if byte != b'\n' {
                self.line.push(byte);
                continue;
            }
            let mut line = std::mem::take(&mut self.line);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if let Some(event) = self.line_ended(&String::from_utf8_lossy(&line)) {
                events.push(event);
            }
        }
        events
    }

    fn line_ended(&mut self, line: &str) -> Option<Event> {
        if line.is_empty() {
            let event = self.event.take();
            // An event without data is not dispatched (as browsers do).
            let data = self.data.take()?;
            return Some(Event {
                event: event.unwrap_or_else(|| "message".to_owned()),
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_owned()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str) -> Event {
        Event {
            event: name.into(),
            data: data.into(),
        }
    }

    #[test]
    fn parses_several_events_in_one_chunk() {
        let mut p = Parser::new();
        let got = p.push(
            b"event: state\ndata: {\"state\":\"running\"}\n\nevent: test\ndata: {\"index\":0}\n\n",
        );
        assert_eq!(
            got,
            [
                event("state", "{\"state\":\"running\"}"),
                event("test", "{\"index\":0}")
            ]
        );
    }

    #[test]
    fn events_split_anywhere_across_chunks_come_out_whole() {
        let text = "event: completed\r\ndata: {\"s\":\"héllo\"}\r\n\r\n".as_bytes();
        for cut in 0..text.len() {
            let mut p = Parser::new();
            let mut got = p.push(&text[..cut]);
            got.extend(p.push(&text[cut..]));
            assert_eq!(
                got,
                [event("completed", "{\"s\":\"héllo\"}")],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn data_lines_join_comments_and_other_fields_are_ignored() {
        let mut p = Parser::new();
        let got = p.push(b": keep-alive\nid: 7\nretry: 100\ndata:a\ndata: b\ndata\n\n");
        assert_eq!(got, [event("message", "a\nb\n")]);
    }

    #[test]
    fn an_event_without_data_or_unfinished_is_not_dispatched() {
        let mut p = Parser::new();
        assert!(p.push(b"event: state\n\n").is_empty());
        // The event name does not leak into the next event.
        assert_eq!(p.push(b"data: x\n\n"), [event("message", "x")]);
        assert!(p.push(b"event: test\ndata: y\n").is_empty());
    }
}
