//! A test's sandboxes, found by their deployment's label.

/// Removes every container of `deployment`: a test's runtime may end before its workers
/// remove their warm sandboxes, and no later test's sweep takes another deployment's.
pub fn remove_sandboxes(deployment: &str) {
    let listed = std::process::Command::new("docker")
        .args(["ps", "--all", "--quiet", "--filter"])
        .arg(format!("label=exec-engine.deployment={deployment}"))
        .output();
    if let Ok(listed) = listed {
        let ids = String::from_utf8_lossy(&listed.stdout);
        let ids: Vec<&str> = ids.split_whitespace().collect();
        if !ids.is_empty() {
            let _ = std::process::Command::new("docker")
                .args(["rm", "--force"])
                .args(ids)
                .output();
        }
    }
}
