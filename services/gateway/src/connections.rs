//! The gateway's connections. At most N at once: past it, new ones wait in the kernel's
//! accept queue rather than each taking a task, buffers and a file descriptor. And each
//! request's head is checked here, before hyper sees it, so that every refusal is the same
//! JSON as the API's: a head must arrive whole within its time limit (a client sending one
//! byte a second would otherwise hold its connection for ever: poem gives hyper no timer, so
//! hyper's own header timeout does not run), within a size, with a URI within a length, and
//! with at most one `Content-Length` and not beside `Transfer-Encoding`.

use std::future::Future;
use std::io::Result as IoResult;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use poem::error::ResponseError;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// What a request's head may be.
#[derive(Clone, Copy, Debug)]
pub struct HeadLimits {
    /// From its first byte to its blank line.
    pub timeout: Duration,
    /// The request line and the header fields together.
    pub max_bytes: usize,
    pub max_uri_bytes: usize,
    pub max_fields: usize,
}

impl HeadLimits {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            max_bytes: 32 * 1024,
            max_uri_bytes: 8 * 1024,
            max_fields: 100,
        }
    }
}

pub struct LimitedAcceptor<A> {
    inner: A,
    permits: Arc<Semaphore>,
    head: HeadLimits,
}

impl<A> LimitedAcceptor<A> {
    pub fn new(inner: A, max_connections: usize, head: HeadLimits) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(max_connections.max(1))),
            head,
        }
    }
}

impl<A: Acceptor> Acceptor for LimitedAcceptor<A> {
    type Io = Connection<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(
        &mut self,
    ) -> IoResult<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore stays open");
        let (io, local, remote, scheme) = self.inner.accept().await?;
        Ok((
            Connection {
                io,
                _permit: permit,
                head: HeadGuard::new(self.head),
                refusal: None,
            },
            local,
            remote,
            scheme,
        ))
    }
}

/// A connection that gives its place back when it closes, and whose request heads are
/// checked as they arrive: one that breaks a rule is answered here and the connection closed.
pub struct Connection<T> {
    io: T,
    _permit: OwnedSemaphorePermit,
    head: HeadGuard,
    /// The answer to a refused head, and how much of it is written.
    refusal: Option<(Vec<u8>, usize)>,
}

/// Where a connection is in its requests, and the head being read.
struct HeadGuard {
    limits: HeadLimits,
    state: State,
    /// Running from a request's first byte until its head ends.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The head read so far.
    head: Vec<u8>,
    /// Whether its request line has ended (kept, not searched for at every byte).
    line_ended: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    /// The next byte starts a request.
    AwaitingRequest,
    Head,
    /// The request's body (its own read timeout, BODY_READ_TIMEOUT_SECS, holds), read as
    /// its framing says, so that the next request's head is known where it starts: a
    /// response may come before the body is all sent (a 405, a 413), and hyper reads the
    /// rest before the next request.
    Body(Body),
}

/// Where a request's body is, by its framing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Body {
    /// `Content-Length`: this many bytes left.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked(Chunk),
    /// A framing hyper refuses (and then closes the connection): nothing more is checked.
    Unknown,
}

/// Where a chunked body is (RFC 9112, 7.1).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Chunk {
    /// A chunk's size, in hex, so far.
    Size(u64),
    /// The rest of the size line (extensions), then a chunk of this size.
    SizeLine(u64),
    /// This many bytes of data left.
    Data(u64),
    /// The line break after a chunk's data.
    DataEnd,
    /// The trailer section after the last chunk; whether a line has just begun.
    Trailer(bool),
}

impl Chunk {
    /// The state after `byte`; `None` once the body has ended.
    fn next(self, byte: u8) -> Option<Chunk> {
        Some(match (self, byte) {
            (Chunk::Size(size), _) if byte.is_ascii_hexdigit() => {
                let digit = u64::from((byte as char).to_digit(16).unwrap_or(0));
                Chunk::Size(size.saturating_mul(16).saturating_add(digit))
            }
            (Chunk::Size(size) | Chunk::SizeLine(size), b'\n') if size == 0 => Chunk::Trailer(true),
            (Chunk::Size(size) | Chunk::SizeLine(size), b'\n') => Chunk::Data(size),
            (Chunk::Size(size) | Chunk::SizeLine(size), _) => Chunk::SizeLine(size),
            (Chunk::Data(left), _) => match left - 1 {
                0 => Chunk::DataEnd,
                left => Chunk::Data(left),
            },
            (Chunk::DataEnd, b'\n') => Chunk::Size(0),
            (Chunk::DataEnd, _) => Chunk::DataEnd,
            (Chunk::Trailer(true), b'\n') => return None,
            (Chunk::Trailer(_), b'\n') => Chunk::Trailer(true),
            (Chunk::Trailer(start), b'\r') => Chunk::Trailer(start),
            (Chunk::Trailer(_), _) => Chunk::Trailer(false),
        })
    }
}

impl HeadGuard {
    fn new(limits: HeadLimits) -> Self {
        Self {
            limits,
            state: State::AwaitingRequest,
            deadline: None,
            head: Vec::new(),
            line_ended: false,
        }
    }

    /// Takes note of `bytes` read from the client; the refusal of a head that breaks a rule.
    fn read(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        let mut at = 0;
        while at < bytes.len() {
            match self.state {
                State::Body(Body::Unknown) => return Ok(()),
                State::Body(Body::Length(left)) => {
                    let taken = left.min((bytes.len() - at) as u64);
                    at += taken as usize;
                    self.state = match left - taken {
                        0 => State::AwaitingRequest,
                        left => State::Body(Body::Length(left)),
                    };
                    continue;
                }
                State::Body(Body::Chunked(Chunk::Data(left))) if left > 1 => {
                    // Data in bulk: all but its last byte, which the state machine takes.
                    let taken = (left - 1).min((bytes.len() - at) as u64);
                    at += taken as usize;
                    self.state = State::Body(Body::Chunked(Chunk::Data(left - taken)));
                    continue;
                }
                State::Body(Body::Chunked(chunk)) => {
                    self.state = chunk
                        .next(bytes[at])
                        .map_or(State::AwaitingRequest, |chunk| {
                            State::Body(Body::Chunked(chunk))
                        });
                    at += 1;
                    continue;
                }
                State::AwaitingRequest => {
                    self.state = State::Head;
                    self.deadline = Some(Box::pin(tokio::time::sleep(self.limits.timeout)));
                }
                State::Head => {}
            }
            let byte = bytes[at];
            at += 1;
            self.head.push(byte);
            self.line_ended |= byte == b'\n';
            if self.head.ends_with(b"\r\n\r\n") || self.head.ends_with(b"\n\n") {
                let checked = check_head(&self.head, &self.limits);
                self.deadline = None;
                self.head = Vec::new();
                self.line_ended = false;
                self.state = match checked? {
                    Body::Length(0) => State::AwaitingRequest,
                    body => State::Body(body),
                };
            } else if self.head.len() > self.limits.max_bytes {
                return Err(ApiError::HeadTooLarge(format!(
                    "the request's head is longer than {} bytes",
                    self.limits.max_bytes
                )));
            } else if !self.line_ended && self.head.len() > self.limits.max_uri_bytes {
                return Err(uri_too_long(&self.limits));
            }
        }
        Ok(())
    }

    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline
            .as_mut()
            .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready())
    }
}

fn uri_too_long(limits: &HeadLimits) -> ApiError {
    ApiError::UriTooLong(limits.max_uri_bytes)
}

/// A whole head (up to its blank line) against the rules hyper does not enforce, or
/// answers without JSON; how its body is framed.
fn check_head(head: &[u8], limits: &HeadLimits) -> Result<Body, ApiError> {
    let mut fields = vec![httparse::EMPTY_HEADER; limits.max_fields];
    let mut request = httparse::Request::new(&mut fields);
    match request.parse(head) {
        Ok(_) => {}
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ApiError::HeadTooLarge(format!(
                "the request has more than {} header fields",
                limits.max_fields
            )))
        }
        Err(err) => {
            return Err(ApiError::Malformed(format!(
                "the request's head is not valid HTTP/1.1: {err}"
            )))
        }
    }
    if request
        .path
        .is_some_and(|path| path.len() > limits.max_uri_bytes)
    {
        return Err(uri_too_long(limits));
    }
    let named = |name: &str| {
        request
            .headers
            .iter()
            .filter(|field| field.name.eq_ignore_ascii_case(name))
            .count()
    };
    // Two framings of one body are how requests are smuggled past a proxy.
    if named("content-length") > 1 {
        return Err(ApiError::Malformed(
            "Content-Length appears more than once".to_owned(),
        ));
    }
    if named("content-length") > 0 && named("transfer-encoding") > 0 {
        return Err(ApiError::Malformed(
            "Content-Length and Transfer-Encoding together".to_owned(),
        ));
    }
    let value = |name: &str| {
        request
            .headers
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
            .map(|field| {
                String::from_utf8_lossy(field.value)
                    .trim()
                    .to_ascii_lowercase()
            })
    };
    Ok(
        match (value("content-length"), value("transfer-encoding")) {
            (Some(length), _) => length.parse().map_or(Body::Unknown, Body::Length),
            (None, Some(coding)) if coding.rsplit(',').next().map(str::trim) == Some("chunked") => {
                Body::Chunked(Chunk::Size(0))
            }
            (None, Some(_)) => Body::Unknown,
            (None, None) => Body::Length(0),
        },
    )
}

/// `err` as a whole HTTP/1.1 response that closes the connection.
fn refusal(err: &ApiError) -> Vec<u8> {
    let body = serde_json::to_vec(&err.body()).expect("an error body serializes");
    let status = err.status();
    let mut response = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default(),
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    response
}

impl<T: AsyncRead + AsyncWrite + Unpin> Connection<T> {
    /// Writes the refusal; done (the connection at its end) once it is all written.
    fn poll_refuse(&mut self, cx: &mut Context<'_>) -> Poll<IoResult<()>> {
        let Some((answer, written)) = self.refusal.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        while *written < answer.len() {
            match Pin::new(&mut self.io).poll_write(cx, &answer[*written..]) {
                Poll::Ready(Ok(0)) => break,
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
        let _ = Pin::new(&mut self.io).poll_flush(cx);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for Connection<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<IoResult<()>> {
        let this = &mut *self;
        if this.refusal.is_none() && this.head.expired(cx) {
            let err = ApiError::RequestTimeout(this.head.limits.timeout.as_secs());
            this.refusal = Some((refusal(&err), 0));
        }
        if this.refusal.is_some() {
            // Hyper reads the end of the connection and closes it without an answer of
            // its own: the head it has is incomplete.
            return this.poll_refuse(cx);
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            if let Err(err) = this.head.read(&buf.filled()[before..]) {
                // Hyper never sees the end of a refused head.
                buf.set_filled(before);
                this.refusal = Some((refusal(&err), 0));
                return this.poll_refuse(cx);
            }
        }
        polled
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Connection<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<IoResult<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<IoResult<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<IoResult<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> HeadGuard {
        HeadGuard::new(HeadLimits::new(Duration::from_secs(10)))
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_must_end_within_its_time_limit_and_bodies_and_idle_time_do_not_count() {
        let mut head = guard();
        assert!(
            head.deadline.is_none(),
            "nothing sent yet: the idle timeout's business"
        );
        head.read(b"POST /execute HTTP/1.1\r\nHost: x\r\n").unwrap();
        assert!(head.deadline.is_some());
        head.read(b"Content-Length: 6\r\n\r").unwrap();
        head.read(b"\n{}").unwrap();
        assert!(head.deadline.is_none(), "the head ended across two reads");
        head.read(b"body").unwrap();
        assert_eq!(
            head.state,
            State::AwaitingRequest,
            "the body's 6 bytes came"
        );
        assert!(head.deadline.is_none(), "waiting for the next request");
        head.read(b"G").unwrap();
        assert!(head.deadline.is_some(), "the next request's head is timed");
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(!head.expired(&mut cx));
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(head.expired(&mut cx));
    }

    #[tokio::test]
    async fn a_body_that_comes_after_its_answer_is_not_taken_for_the_next_head() {
        // A 405 may answer a request whose body is still on its way.
        let mut head = guard();
        head.read(b"GET /execute/batch HTTP/1.1\r\nContent-Length: 23\r\n\r\n")
            .unwrap();
        head.read(b"{\"submissions\": [null]}").unwrap();
        head.read(b"GET /healthz HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(head.state, State::AwaitingRequest);
    }

    #[tokio::test]
    async fn a_chunked_body_is_followed_to_its_end_however_it_is_cut() {
        let request: &[u8] = b"POST /execute HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n\
            5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n\
            GET /healthz HTTP/1.1\r\n\r\n";
        for cut in 1..request.len() {
            let mut head = guard();
            for piece in request.chunks(cut) {
                head.read(piece).unwrap();
            }
            assert_eq!(head.state, State::AwaitingRequest, "pieces of {cut}");
            head.read(b"GET / HTTP/1.1\r\n").unwrap();
            assert_eq!(head.state, State::Head, "pieces of {cut}");
        }
        let mut head = guard();
        head.read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            .unwrap();
        assert_eq!(head.state, State::AwaitingRequest, "an empty chunked body");
    }

    #[tokio::test]
    async fn heads_that_break_a_rule_are_refused_with_their_own_error() {
        let code = |head: &[u8]| guard().read(head).err().map(|err| err.code());
        assert_eq!(code(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), None);
        let long_uri = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(9000));
        assert_eq!(code(long_uri.as_bytes()), Some("uri_too_long"));
        let many = format!("GET / HTTP/1.1\r\n{}\r\n", "X-A: 1\r\n".repeat(101));
        assert_eq!(code(many.as_bytes()), Some("headers_too_large"));
        let big = format!("GET / HTTP/1.1\r\nX-A: {}\r\n\r\n", "a".repeat(40_000));
        assert_eq!(code(big.as_bytes()), Some("headers_too_large"));
        let twice = b"POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n";
        assert_eq!(code(twice), Some("malformed_request"));
        let smuggled =
            b"POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(code(smuggled), Some("malformed_request"));
        assert_eq!(code(b"NOT HTTP\r\n\r\n"), Some("malformed_request"));
    }

    #[test]
    fn a_refusal_is_a_whole_json_response_that_closes() {
        let text = String::from_utf8(refusal(&ApiError::UriTooLong(8192))).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains("connection: close"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error"], "uri_too_long");
    }
}
