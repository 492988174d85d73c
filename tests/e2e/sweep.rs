//! A worker's sweep removes its own deployment's leftover sandboxes, and never another
//! deployment's on the same Docker host.

use std::process::Command;
use std::time::Duration;

use crate::stack::{Stack, StackOptions};

/// Creates (never starts) a container labeled as a leftover warm sandbox of `deployment`,
/// past its deadline; its id.
fn leftover(deployment: &str) -> String {
    let name = format!(
        "exec-pooled-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let output = Command::new("docker")
        .args(["create", "--network", "none", "--name", &name])
        .args([
            "--label",
            "exec-engine=sandbox",
            "--label",
            "exec-engine.deadline=1",
        ])
        .args(["--label", "exec-engine.execution=pooled", "--label"])
        .arg(format!("exec-engine.deployment={deployment}"))
        .arg("exec-sandbox-python:latest")
        .output()
        .expect("docker runs");
    assert!(output.status.success(), "docker create: {output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

fn exists(id: &str) -> bool {
    Command::new("docker")
        .args(["container", "inspect", id])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn a_sweep_removes_its_own_deployments_leftovers_alone() {
    let options = StackOptions::default();
    let own = leftover(&options.deployment);
    let foreign = leftover("another deployment on this Docker host");
    // The worker sweeps as it starts.
    let _stack = Stack::start_with(options).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while exists(&own) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (own_swept, foreign_kept) = (!exists(&own), exists(&foreign));
    let _ = Command::new("docker")
        .args(["rm", "-f", &own, &foreign])
        .output();
    assert!(own_swept, "the deployment's own leftover stays");
    assert!(foreign_kept, "another deployment's leftover was swept");
}
