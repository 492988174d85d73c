//! Who runs as whom. The container starts us as root holding only CAP_SETUID, CAP_SETGID
//! and CAP_KILL; we move to our own uid and keep exactly those three: SETUID and SETGID to
//! start the harness as the code's uid, KILL to kill the code's processes. The harness and
//! the code hold no capability at all.

use std::io;

/// Our own uid and gid.
pub const SUPERVISOR_ID: u32 = 65533;
/// The uid and gid of the harness and the user's code.
pub const CODE_ID: u32 = 65534;

const CAP_KILL: u32 = 5;
const CAP_SETGID: u32 = 6;
const CAP_SETUID: u32 = 7;
const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

fn check(result: libc::c_int) -> io::Result<()> {
    if result == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Sets this thread's effective and permitted capabilities to `mask` (the first 32), and
/// the rest and every inheritable one to none.
fn set_capabilities(mask: u32) -> io::Result<()> {
    let mut header = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let data = [
        CapData {
            effective: mask,
            permitted: mask,
            inheritable: 0,
        },
        CapData::default(),
    ];
    // SAFETY: capset reads a v3 header and two data structs, which is what we pass.
    check(unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) as libc::c_int })
}

/// From root to [`SUPERVISOR_ID`], keeping CAP_SETUID, CAP_SETGID and CAP_KILL, and
/// undumpable, so that no process of another uid can read or trace us through `/proc`.
pub fn become_supervisor() -> io::Result<()> {
    let id = SUPERVISOR_ID;
    // SAFETY: plain system calls on this process's credentials; no memory is shared.
    unsafe {
        check(libc::setgroups(0, std::ptr::null()))?;
        check(libc::setresgid(id, id, id))?;
        check(libc::prctl(libc::PR_SET_KEEPCAPS, 1, 0, 0, 0))?;
        check(libc::setresuid(id, id, id))?;
        check(libc::prctl(libc::PR_SET_KEEPCAPS, 0, 0, 0, 0))?;
    }
    set_capabilities((1 << CAP_SETUID) | (1 << CAP_SETGID) | (1 << CAP_KILL))?;
    // SAFETY: as above.
    check(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) })
}

/// Run in the harness's process after it took [`CODE_ID`] and before it executes the
/// harness: a session of its own, and no capability left even before exec drops them.
pub fn harness_pre_exec() -> io::Result<()> {
    // SAFETY: async-signal-safe system calls between fork and exec.
    check(unsafe { libc::setsid() })?;
    set_capabilities(0)
}
