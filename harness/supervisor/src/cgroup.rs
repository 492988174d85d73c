//! What the sandbox's memory cgroup says: its limit and how often the OOM killer acted.
//! The one place that reads it (v2 first, then v1); harnesses get the limit from us.

use std::fs;

/// The container's memory limit in bytes, or `None` when it has none.
pub fn memory_limit() -> Option<u64> {
    let v2 = fs::read_to_string("/sys/fs/cgroup/memory.max");
    let text = v2.or_else(|_| fs::read_to_string("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
    // v2 writes "max" for no limit, v1 a number near 2^63.
    text.ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|&bytes| bytes < 1 << 60)
}

/// How many processes the kernel's OOM killer has killed in the container so far.
pub fn oom_kills() -> u64 {
    [
        "/sys/fs/cgroup/memory.events",
        "/sys/fs/cgroup/memory/memory.oom_control",
    ]
    .iter()
    .find_map(|path| fs::read_to_string(path).ok())
    .and_then(|text| oom_kill_count(&text))
    .unwrap_or(0)
}

fn oom_kill_count(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix("oom_kill "))
        .and_then(|count| count.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_oom_kill_count_is_read_from_either_version() {
        let v1 = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
        let v2 = "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n";
        assert_eq!(super::oom_kill_count(v1), Some(3));
        assert_eq!(super::oom_kill_count(v2), Some(2));
        assert_eq!(super::oom_kill_count("oom_kill_disable 0\n"), None);
    }
}
