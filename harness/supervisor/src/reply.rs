//! The FIFO made for one reply: created under a fresh random name in our own directory,
//! opened for reading before its name is handed out, closed and removed once one line came.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::report::Reply;

/// Where the FIFOs live: a tmpfs of our own (mode 0711: the code may open a path it was
/// given, never list one).
pub const REPLY_DIR: &str = "/run/exec";

pub struct ReplyFifo {
    pub path: String,
    fd: OwnedFd,
    read: Vec<u8>,
    /// Where the search for the end of line resumes: each byte is looked at once.
    searched: usize,
    limit: usize,
}

impl ReplyFifo {
    /// A new FIFO that the code's uid may write (and nobody else read), already open for
    /// reading, taking at most `limit` bytes.
    pub fn create(limit: usize) -> io::Result<Self> {
        let mut token = [0u8; 16];
        // SAFETY: getrandom fills the buffer we pass.
        let filled = unsafe { libc::getrandom(token.as_mut_ptr().cast(), token.len(), 0) };
        if filled != token.len() as isize {
            return Err(io::Error::last_os_error());
        }
        let name: String = token.iter().map(|b| format!("{b:02x}")).collect();
        let path = format!("{REPLY_DIR}/{name}");
        let c_path = CString::new(path.clone()).expect("no NUL in a hex name");
        // SAFETY: a valid C string; the mode lets others write only.
        if unsafe { libc::mkfifo(c_path.as_ptr(), 0o602) } == -1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: as above; the descriptor returned is ours.
        let fd = unsafe {
            libc::open(
                c_path.as_ptr(),
                libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if fd == -1 {
            let err = io::Error::last_os_error();
            let _ = std::fs::remove_file(&path);
            return Err(err);
        }
        Ok(Self {
            path,
            // SAFETY: just opened, owned by nobody else.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
            read: Vec::new(),
            searched: 0,
            limit,
        })
    }

    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }

    /// Reads what is there; the reply once it is complete: a line, what a writer left
    /// before closing, or too much.
    pub fn read(&mut self) -> Option<Reply> {
        let mut chunk = [0u8; 64 * 1024];
        loop {
            // SAFETY: reads into a local buffer from a descriptor we own.
            let n =
                unsafe { libc::read(self.fd.as_raw_fd(), chunk.as_mut_ptr().cast(), chunk.len()) };
            if n < 0 {
                // Nothing more for now (EAGAIN), or an error we treat alike.
                return None;
            }
            if n == 0 {
                // Every writer closed: what they wrote is the reply.
                return Some(Reply::Line(std::mem::take(&mut self.read)));
            }
            self.read.extend_from_slice(&chunk[..n as usize]);
            if let Some(at) = self.read[self.searched..].iter().position(|&b| b == b'\n') {
                self.read.truncate(self.searched + at);
                return Some(Reply::Line(std::mem::take(&mut self.read)));
            }
            self.searched = self.read.len();
            if self.read.len() > self.limit {
                return Some(Reply::Oversized);
            }
        }
    }
}

impl Drop for ReplyFifo {
    fn drop(&mut self) {
        // Closed with us: a writer still holding it writes into nothing (EPIPE).
        let _ = std::fs::remove_file(&self.path);
    }
}
