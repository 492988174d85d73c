//! The end-to-end suite: the real thing, on this machine. Each test starts its own
//! nats-server with JetStream (temp dir, free port), the real gateway, workers and notifier
//! in-process on free ports, the real Docker engine with the real sandbox images, and a
//! callback receiver on loopback. Run by `make test` (`cargo test --features e2e --test e2e`).

#[path = "../common/deployment.rs"]
mod deployment;

mod admission;
mod api;
mod builds;
mod conformance;
mod cross_submission;
mod delivery;
mod examples;
mod hostile;
mod pipeline;
mod stack;
mod sweep;

/// `relative`'s path in this clone, found when the test runs (cargo tells it): a path built
/// in would point into whichever clone compiled the binary, in a shared build directory.
fn repo_path(relative: &str) -> std::path::PathBuf {
    let root = std::env::var_os("CARGO_MANIFEST_DIR").expect("run by `cargo test`");
    std::path::Path::new(&root).join(relative)
}
