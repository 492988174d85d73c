//! Between two jobs of a reused sandbox (`SANDBOX_MODE=reuse`): nothing of the first may be
//! there for the second. Every process of the code's uid is killed; then, as that uid (a
//! process that holds no capability and follows no link), everything in `/tmp` and every
//! SysV IPC object is removed; then we check that none of it is left. POSIX message queues
//! cannot be made at all (seccomp), and there is no `/dev/shm`.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::privileges::{self, CODE_ID};
use crate::processes;

/// The argument that makes the supervisor's binary the cleaner.
pub const CLEAN_ARG: &str = "--clean-as-code";
/// How long the code's processes may take to die.
const PATIENCE: Duration = Duration::from_secs(2);
const SYSV_IPC: [&str; 3] = ["shm", "sem", "msg"];

/// Wipes the sandbox for its next job; false when something could not be removed, and the
/// sandbox must not serve again.
pub fn wipe(signals: i32) -> bool {
    if !processes::kill_all_but(None, PATIENCE) {
        return false;
    }
    processes::reap(signals, 0);
    let mut cleaner = Command::new("/proc/self/exe");
    cleaner
        .arg(CLEAN_ARG)
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .uid(CODE_ID)
        .gid(CODE_ID);
    // SAFETY: the closure makes only async-signal-safe system calls.
    unsafe { cleaner.pre_exec(privileges::harness_pre_exec) };
    let cleaned = cleaner.status().is_ok_and(|status| status.success());
    cleaned
        && fs::read_dir("/tmp").is_ok_and(|mut entries| entries.next().is_none())
        && SYSV_IPC.iter().all(|kind| ipc_ids(kind).is_empty())
        && processes::kill_all_but(None, PATIENCE)
}

/// The cleaner's work, run as the code's uid: removes what is in `/tmp` (a link is removed,
/// never followed; a directory its owner made unwritable is made writable first) and the
/// SysV IPC objects.
pub fn clean_as_code() -> io::Result<()> {
    for entry in fs::read_dir("/tmp")? {
        remove(&entry?.path())?;
    }
    for id in ipc_ids("shm") {
        // SAFETY: IPC_RMID takes no buffer.
        unsafe { libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) };
    }
    for id in ipc_ids("sem") {
        // SAFETY: as above.
        unsafe { libc::semctl(id, 0, libc::IPC_RMID) };
    }
    for id in ipc_ids("msg") {
        // SAFETY: as above.
        unsafe { libc::msgctl(id, libc::IPC_RMID, std::ptr::null_mut()) };
    }
    Ok(())
}

/// Removes `path` and, if it is a directory (not a link to one), what it holds. Nothing of
/// the code runs meanwhile, so nothing changes under it.
fn remove(path: &Path) -> io::Result<()> {
    if !fs::symlink_metadata(path)?.is_dir() {
        return fs::remove_file(path);
    }
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
    for entry in fs::read_dir(path)? {
        remove(&entry?.path())?;
    }
    fs::remove_dir(path)
}

/// The ids of the container's SysV IPC objects of one kind (`shm`, `sem`, `msg`): the second
/// column of `/proc/sysvipc/<kind>`, under its header.
fn ipc_ids(kind: &str) -> Vec<i32> {
    fs::read_to_string(format!("/proc/sysvipc/{kind}"))
        .map(|text| parse_ipc_ids(&text))
        .unwrap_or_default()
}

fn parse_ipc_ids(text: &str) -> Vec<i32> {
    text.lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().nth(1)?.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ipc_ids_are_the_second_column_under_the_header() {
        let shm = "       key      shmid perms       size  cpid  lpid nattch   uid   gid\n\
                   1234567          5   600       4096    12    12      0 65534 65534\n\
                         0         32   666      65536    13    13      1 65534 65534\n";
        assert_eq!(super::parse_ipc_ids(shm), vec![5, 32]);
        assert!(super::parse_ipc_ids("key semid perms\n").is_empty());
    }
}
