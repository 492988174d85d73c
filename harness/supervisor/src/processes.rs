//! The processes of the code's uid: reaping what ends (we are PID 1, every orphan's parent)
//! and killing everything but the harness between tests.

use std::fs;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use crate::privileges::CODE_ID;

/// How a process ended: its wait status.
#[derive(Clone, Copy, Debug)]
pub struct Exit {
    pub status: libc::c_int,
}

static CHILD_SIGNAL_WRITE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_child(_: libc::c_int) {
    let fd = CHILD_SIGNAL_WRITE.load(Ordering::Relaxed);
    // SAFETY: write is async-signal-safe; a full pipe already holds a wake-up.
    unsafe { libc::write(fd, [0u8].as_ptr().cast(), 1) };
}

/// A descriptor that becomes readable whenever a child ended (the self-pipe trick).
pub fn child_signals() -> std::io::Result<OwnedFd> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors, which we own from here on.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: just created, owned by nobody else. The write end lives as long as we do.
    let read = unsafe { OwnedFd::from_raw_fd(fds[0]) };
    CHILD_SIGNAL_WRITE.store(fds[1], Ordering::Relaxed);
    // SAFETY: installs a handler that only writes to the pipe above.
    unsafe { libc::signal(libc::SIGCHLD, on_child as *const () as libc::sighandler_t) };
    Ok(read)
}

/// Empties the wake-up pipe `signals` and reaps every child that ended; returns how
/// `watched` ended if it was among them.
pub fn reap(signals: RawFd, watched: libc::pid_t) -> Option<Exit> {
    let mut sink = [0u8; 64];
    // SAFETY: reads into a local buffer from a descriptor we own.
    while unsafe { libc::read(signals, sink.as_mut_ptr().cast(), sink.len()) } > 0 {}
    let mut ended = None;
    loop {
        let mut status = 0;
        // SAFETY: waitpid writes only the status we pass.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return ended;
        }
        if pid == watched {
            ended = Some(Exit { status });
        }
    }
}

/// Kills every process of the code's uid except `spared` and waits until none is left
/// (zombies aside: they run nothing). False if some were still there after `patience`.
pub fn kill_all_but(spared: Option<libc::pid_t>, patience: Duration) -> bool {
    let give_up = Instant::now() + patience;
    loop {
        let alive = code_processes(spared);
        if alive.is_empty() {
            return true;
        }
        if Instant::now() >= give_up {
            return false;
        }
        for pid in alive {
            // SAFETY: kill has no memory effects; a pid gone meanwhile is ESRCH.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The live (not zombie) processes of the code's uid, `spared` left out.
fn code_processes(spared: Option<libc::pid_t>) -> Vec<libc::pid_t> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            entry
                .ok()?
                .file_name()
                .to_str()?
                .parse::<libc::pid_t>()
                .ok()
        })
        .filter(|&pid| Some(pid) != spared)
        .filter(|pid| {
            fs::read_to_string(format!("/proc/{pid}/status"))
                .is_ok_and(|status| is_live_code_process(&status))
        })
        .collect()
}

/// Whether a `/proc/PID/status` text is a running process that the code's uid owns (any of
/// its real, effective or saved uids).
fn is_live_code_process(status: &str) -> bool {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .unwrap_or("")
    };
    let zombie = matches!(field("State:").trim_start().chars().next(), Some('Z' | 'X'));
    let code = CODE_ID.to_string();
    !zombie
        && field("Uid:")
            .split_whitespace()
            .take(3)
            .any(|uid| uid == code)
}

#[cfg(test)]
mod tests {
    use super::is_live_code_process;

    #[test]
    fn only_live_processes_of_the_code_uid_are_killed() {
        let status = |state: &str, uids: &str| format!("Name:\tx\nState:\t{state}\nUid:\t{uids}\n");
        assert!(is_live_code_process(&status(
            "S (sleeping)",
            "65534\t65534\t65534\t65534"
        )));
        assert!(is_live_code_process(&status(
            "R (running)",
            "1000\t65534\t1000\t1000"
        )));
        assert!(!is_live_code_process(&status(
            "Z (zombie)",
            "65534\t65534\t65534\t65534"
        )));
        assert!(!is_live_code_process(&status(
            "S (sleeping)",
            "65533\t65533\t65533\t65533"
        )));
        assert!(!is_live_code_process(&status(
            "S (sleeping)",
            "0\t0\t0\t65534"
        )));
    }
}
