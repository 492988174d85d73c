//! The sandbox supervisor, PID 1 of every sandbox image (harness/PROTOCOL.md). It reads the
//! worker's job, starts the harness under the code's uid, hands it the tests one at a time,
//! takes each reply on a FIFO made for it alone, kills whatever the code left running, and
//! reports each event to the worker on the container's stdout, which nothing else holds.
//!
//! Usage: `supervisor HARNESS_COMMAND...` (the image's ENTRYPOINT, with its CMD).

mod cgroup;
mod cleanup;
mod privileges;
mod processes;
mod reply;
mod report;

use std::fs::File;
use std::io::{self, BufRead, Read as _, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use processes::Exit;
use reply::ReplyFifo;
use report::{Caps, Measured, Reply};

/// The longest job line we read.
const JOB_BYTES: u64 = 64 << 20;
/// What is kept of the harness's own stderr, for the message when it dies.
const STDERR_TAIL_BYTES: usize = 4096;
/// How long the code's processes may take to die between tests.
const CLEAR_PATIENCE: Duration = Duration::from_secs(2);

/// The worker's job (PROTOCOL.md, "Worker → supervisor").
#[derive(Deserialize)]
struct Job {
    code: String,
    function_name: Option<String>,
    #[serde(default)]
    imports: Vec<String>,
    /// Each as the worker wrote it: a `Value` would round integers beyond 64 bits.
    #[serde(default)]
    inputs: Vec<Box<RawValue>>,
    /// Whether the inputs come one line at a time after `loaded` instead (PROTOCOL.md,
    /// "Streamed inputs"): a checker is given each test's output as it is known.
    #[serde(default)]
    streamed: bool,
    /// Program mode: the program's command-line arguments...
    #[serde(default)]
    args: Vec<String>,
    /// ...and the files written beside its code (helpers, headers, data).
    #[serde(default)]
    files: Vec<SourceFile>,
    output_limit_bytes: usize,
    value_limit_bytes: usize,
    lifetime_ms: u64,
    /// Whether to wipe the sandbox and wait for another job after this one.
    #[serde(default)]
    reuse: bool,
    /// A build of this same code that this image's harness made earlier, to load instead
    /// of compiling (PROTOCOL.md, "Builds").
    #[serde(default)]
    build: Option<String>,
    /// Whether to send the harness's build of the code with `loaded`.
    #[serde(default)]
    return_build: bool,
}

/// A file of the submission's beside its code, passed to the harness as it came.
#[derive(Deserialize, Serialize)]
struct SourceFile {
    name: String,
    content: String,
}

/// One line of a streamed job after `loaded`: the next test's input, or the end.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StreamedLine {
    #[serde(default)]
    input: Option<Box<RawValue>>,
    #[serde(default)]
    end: bool,
}

/// One test for the harness (PROTOCOL.md, "Supervisor → harness").
#[derive(Serialize)]
struct TestLine<'a> {
    index: usize,
    input: &'a RawValue,
    reply: String,
}

fn main() {
    let command: Vec<String> = std::env::args().skip(1).collect();
    if command.first().map(String::as_str) == Some(cleanup::CLEAN_ARG) {
        let cleaned = cleanup::clean_as_code();
        std::process::exit(if cleaned.is_ok() { 0 } else { 1 });
    }
    if command.is_empty() {
        eprintln!("usage: supervisor HARNESS_COMMAND...");
        std::process::exit(2);
    }
    if let Err(err) = run(&command) {
        eprintln!("supervisor: {err}");
        std::process::exit(70);
    }
}

fn run(command: &[String]) -> io::Result<()> {
    // Opened while we are still root and may: see Harness::start.
    let oom_score = File::options()
        .write(true)
        .open("/proc/self/oom_score_adj")?;
    privileges::become_supervisor()?;
    // SAFETY: umask only sets this process's file mode mask.
    unsafe { libc::umask(0) };
    let signals = processes::child_signals()?;
    let watchdog = Watchdog::start();
    // One job, or (reused) one after another: each in a harness of its own, started before
    // its job comes, so that the runtime has loaded by then (it waits on its control pipe).
    let mut harness = Harness::start(command, &oom_score, signals.as_raw_fd())?;
    while let Some(job) = read_job()? {
        watchdog.arm(Instant::now().checked_add(Duration::from_millis(job.lifetime_ms)));
        let Some(mut last) = harness.serve(&job)? else {
            return Ok(()); // the harness died, and the container goes with it
        };
        drop(harness); // its control pipe closes: it exits
        let reusable = job.reuse && cleanup::wipe(signals.as_raw_fd());
        if job.reuse {
            last["reusable"] = reusable.into();
        }
        if !reusable {
            return emit(&last);
        }
        // Started once nothing of the last job is left, and before the worker hears that
        // the sandbox may serve again.
        harness = Harness::start(command, &oom_score, signals.as_raw_fd())?;
        emit(&last)?;
        watchdog.arm(None);
    }
    Ok(())
}

/// The backstop: whatever runs, the container ends with us once a job's lifetime is over.
struct Watchdog {
    deadline: std::sync::Arc<std::sync::Mutex<Option<Instant>>>,
}

impl Watchdog {
    fn start() -> Self {
        let deadline = std::sync::Arc::new(std::sync::Mutex::new(None::<Instant>));
        let watched = deadline.clone();
        std::thread::spawn(move || loop {
            let now = Instant::now();
            if watched.lock().unwrap().is_some_and(|d| d <= now) {
                std::process::exit(137);
            }
            std::thread::sleep(Duration::from_millis(50));
        });
        Self { deadline }
    }

    /// The end of the running job's lifetime, or none between jobs.
    fn arm(&self, deadline: Option<Instant>) {
        *self.deadline.lock().unwrap() = deadline;
    }
}

/// The next line the worker wrote, or `None` when it hung up.
fn read_line() -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    io::stdin()
        .lock()
        .take(JOB_BYTES)
        .read_until(b'\n', &mut line)?;
    Ok((!line.is_empty()).then_some(line))
}

/// The next job, or `None` when the worker hung up.
fn read_job() -> io::Result<Option<Job>> {
    let Some(line) = read_line()? else {
        return Ok(None);
    };
    serde_json::from_slice(&line)
        .map(Some)
        .map_err(|err| io::Error::other(format!("the job: {err}")))
}

/// A job's inputs: the ones it carried, or (streamed) each read from stdin as it comes.
enum Inputs<'a> {
    Carried(std::iter::Enumerate<std::slice::Iter<'a, Box<RawValue>>>),
    Streamed(usize),
}

impl<'a> Inputs<'a> {
    fn of(job: &'a Job) -> Self {
        if job.streamed {
            Inputs::Streamed(0)
        } else {
            Inputs::Carried(job.inputs.iter().enumerate())
        }
    }

    /// The next test's index and input; `None` once there are no more.
    fn next(&mut self) -> io::Result<Option<(usize, Box<RawValue>)>> {
        match self {
            Inputs::Carried(inputs) => {
                Ok(inputs.next().map(|(index, input)| (index, input.clone())))
            }
            Inputs::Streamed(count) => {
                // The worker hung up: no more inputs (and no next job).
                let Some(line) = read_line()? else {
                    return Ok(None);
                };
                let streamed: StreamedLine = serde_json::from_slice(&line)
                    .map_err(|err| io::Error::other(format!("a streamed input: {err}")))?;
                match (streamed.input, streamed.end) {
                    (Some(input), false) => {
                        let index = *count;
                        *count += 1;
                        Ok(Some((index, input)))
                    }
                    (None, true) => Ok(None),
                    _ => Err(io::Error::other(
                        "a streamed line holds an input or the end, not both",
                    )),
                }
            }
        }
    }
}

/// Writes one event line to the worker.
fn emit(event: &Value) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, event)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// A pipe whose ends are both close-on-exec: (read, write).
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors, which we own from here on.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: just created, owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn set_nonblocking(fd: &OwnedFd) {
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
}

/// How one exchange with the harness ended.
enum Exchange {
    Replied(Reply),
    /// The harness died first.
    Died,
}

/// The running harness and our ends of its descriptors.
struct Harness {
    pid: libc::pid_t,
    control: OwnedFd,
    stdout: Option<OwnedFd>,
    stderr: Option<OwnedFd>,
    stderr_tail: Vec<u8>,
    /// Readable when a child ended (processes::child_signals).
    signals: RawFd,
    exit: Option<Exit>,
}

impl Harness {
    /// Starts the harness as the code's uid, with no capabilities, in a session of its
    /// own, first in line for the OOM killer, and `SANDBOX_MEMORY_BYTES` in its environment.
    fn start(command: &[String], oom_score: &File, signals: RawFd) -> io::Result<Self> {
        let (control_read, control) = pipe()?;
        let (stdout, stdout_write) = pipe()?;
        let (stderr, stderr_write) = pipe()?;
        let mut harness = Command::new(&command[0]);
        harness
            .args(&command[1..])
            .stdin(Stdio::from(control_read))
            .stdout(Stdio::from(stdout_write))
            .stderr(Stdio::from(stderr_write))
            .current_dir("/tmp")
            .uid(privileges::CODE_ID)
            .gid(privileges::CODE_ID);
        if let Some(bytes) = cgroup::memory_limit() {
            harness.env("SANDBOX_MEMORY_BYTES", bytes.to_string());
        }
        // SAFETY: the closure makes only async-signal-safe system calls.
        unsafe { harness.pre_exec(privileges::harness_pre_exec) };
        // The harness inherits the score we hold while it forks; we take ours back after.
        // (Raising it is anyone's right, and lowering back to where it started too.)
        let mut score = oom_score;
        score.write_all(b"1000")?;
        let child = harness.spawn();
        score.write_all(b"0")?;
        let child = child?;
        for fd in [&control, &stdout, &stderr] {
            set_nonblocking(fd);
        }
        Ok(Self {
            pid: child.id() as libc::pid_t,
            control,
            stdout: Some(stdout),
            stderr: Some(stderr),
            stderr_tail: Vec::new(),
            signals,
            exit: None,
        })
    }

    /// Runs the job: the load, then each test in turn, reporting every event but the last
    /// (`done`, or `load_failed`), which it returns for the caller to send once the sandbox
    /// is wiped or not. `None`: the harness died, or its processes would not, and `ended`
    /// was sent.
    fn serve(&mut self, job: &Job) -> io::Result<Option<Value>> {
        let caps = Caps {
            output_bytes: job.output_limit_bytes,
            value_bytes: job.value_limit_bytes,
        };
        let oom_at_start = cgroup::oom_kills();
        // The load's reply may carry a build: no user code has run yet, so it is the
        // compiler's work alone, and the FIFO is gone before the first test starts.
        let mut fifo = ReplyFifo::create(caps.reply_bytes().max(report::LOAD_REPLY_BYTES))?;
        let load = json!({
            "code": job.code,
            "function_name": job.function_name,
            "imports": job.imports,
            "output_limit_bytes": job.output_limit_bytes,
            "value_limit_bytes": job.value_limit_bytes,
            "build": job.build,
            "return_build": job.return_build,
            "args": job.args,
            "files": job.files,
            "reply": fifo.path,
        });
        let Exchange::Replied(reply) = self.exchange(&load, &mut fifo)? else {
            return self.report_end(oom_at_start, None);
        };
        drop(fifo);
        let event = report::load_event(&reply, job.return_build);
        if event["event"] != "loaded" {
            return Ok(Some(event));
        }
        emit(&event)?;
        if !processes::kill_all_but(Some(self.pid), CLEAR_PATIENCE) {
            return self.report_end(oom_at_start, Some(UNCLEARED));
        }
        let mut inputs = Inputs::of(job);
        while let Some((index, input)) = inputs.next()? {
            let input = &*input;
            let mut fifo = ReplyFifo::create(caps.reply_bytes())?;
            let line = TestLine {
                index,
                input,
                reply: fifo.path.clone(),
            };
            let oom_before = cgroup::oom_kills();
            let started = Instant::now();
            let Exchange::Replied(reply) = self.exchange(&line, &mut fifo)? else {
                return self.report_end(oom_at_start, None);
            };
            drop(fifo);
            let measured = Measured {
                index,
                elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
                oom_killed: cgroup::oom_kills() > oom_before,
            };
            emit(&report::test_event(&reply, &measured, caps))?;
            if !processes::kill_all_but(Some(self.pid), CLEAR_PATIENCE) {
                return self.report_end(oom_at_start, Some(UNCLEARED));
            }
        }
        Ok(Some(json!({"event": "done"})))
    }

    /// Writes `line` to the harness and waits for the reply on `fifo`, draining the
    /// harness's stdout and stderr meanwhile.
    fn exchange(&mut self, line: &impl Serialize, fifo: &mut ReplyFifo) -> io::Result<Exchange> {
        let mut pending = serde_json::to_vec(line)?;
        pending.push(b'\n');
        let mut written = 0;
        loop {
            if self.exit.is_some() {
                // Gone: what the FIFO holds now is all there will be (an end of file with
                // nothing read is no reply: a FIFO nobody opened reads as one).
                return Ok(match fifo.read() {
                    Some(Reply::Line(line)) if !line.is_empty() => {
                        Exchange::Replied(Reply::Line(line))
                    }
                    Some(Reply::Oversized) => Exchange::Replied(Reply::Oversized),
                    _ => Exchange::Died,
                });
            }
            let mut polled = vec![
                poll_fd(fifo.raw_fd(), libc::POLLIN),
                poll_fd(self.signals, libc::POLLIN),
            ];
            if written < pending.len() {
                polled.push(poll_fd(self.control.as_raw_fd(), libc::POLLOUT));
            }
            for fd in [&self.stdout, &self.stderr].into_iter().flatten() {
                polled.push(poll_fd(fd.as_raw_fd(), libc::POLLIN));
            }
            // SAFETY: poll reads and writes the array we pass, of the length we pass.
            let ready =
                unsafe { libc::poll(polled.as_mut_ptr(), polled.len() as libc::nfds_t, -1) };
            if ready < 0 {
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(err);
            }
            for entry in polled.iter().filter(|p| p.revents != 0) {
                let fd = entry.fd;
                if fd == fifo.raw_fd() {
                    if let Some(reply) = fifo.read() {
                        return Ok(Exchange::Replied(reply));
                    }
                } else if fd == self.signals {
                    if let Some(exit) = processes::reap(self.signals, self.pid) {
                        self.exit = Some(exit);
                    }
                } else if fd == self.control.as_raw_fd() {
                    // SAFETY: writes from a buffer we own to a descriptor we own.
                    let n = unsafe {
                        libc::write(
                            fd,
                            pending[written..].as_ptr().cast(),
                            pending.len() - written,
                        )
                    };
                    if n > 0 {
                        written += n as usize;
                    } else if n < 0
                        && io::Error::last_os_error().kind() != io::ErrorKind::WouldBlock
                    {
                        written = pending.len(); // the harness closed it: its end will tell
                    }
                } else {
                    self.drain(fd);
                }
            }
        }
    }

    /// Reads what the harness wrote on its stdout (dropped) or stderr (its tail kept).
    fn drain(&mut self, fd: i32) {
        let mut chunk = [0u8; 64 * 1024];
        // SAFETY: reads into a local buffer from a descriptor we own.
        let n = unsafe { libc::read(fd, chunk.as_mut_ptr().cast(), chunk.len()) };
        let is_stderr = self.stderr.as_ref().is_some_and(|e| e.as_raw_fd() == fd);
        if n == 0 || (n < 0 && io::Error::last_os_error().kind() != io::ErrorKind::WouldBlock) {
            if is_stderr {
                self.stderr = None;
            } else {
                self.stdout = None;
            }
        } else if n > 0 && is_stderr {
            self.stderr_tail.extend_from_slice(&chunk[..n as usize]);
            let excess = self.stderr_tail.len().saturating_sub(STDERR_TAIL_BYTES);
            self.stderr_tail.drain(..excess);
        }
    }

    /// The harness is gone (or its processes would not die): say how, and stop.
    fn report_end(
        &mut self,
        oom_at_start: u64,
        message: Option<&str>,
    ) -> io::Result<Option<Value>> {
        let mut event = json!({
            "event": "ended",
            "oom_kills": cgroup::oom_kills().saturating_sub(oom_at_start),
            "stderr": String::from_utf8_lossy(&self.stderr_tail),
        });
        if let Some(exit) = self.exit {
            if libc::WIFSIGNALED(exit.status) {
                event["signal"] = libc::WTERMSIG(exit.status).into();
            } else {
                event["exit_code"] = libc::WEXITSTATUS(exit.status).into();
            }
        }
        if let Some(message) = message {
            event["message"] = message.into();
        }
        emit(&event)?;
        Ok(None)
    }
}

const UNCLEARED: &str = "processes the code started could not be killed after its test";

fn poll_fd(fd: i32, events: libc::c_short) -> libc::pollfd {
    libc::pollfd {
        fd,
        events,
        revents: 0,
    }
}
