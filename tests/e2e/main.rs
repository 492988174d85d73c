//! The end-to-end suite: the real thing, on this machine. Each test starts its own
//! nats-server with JetStream (temp dir, free port), the real gateway, workers and notifier
//! in-process on free ports, the real Docker engine with the real sandbox images, and a
//! callback receiver on loopback. Run by `make test` (`cargo test --features e2e --test e2e`).

#[path = "../common/deployment.rs"]
mod deployment;
#[path = "../common/repo.rs"]
mod repo;
use repo::repo_path;
#[path = "../common/spec_examples.rs"]
mod spec_examples;

mod admission;
mod api;
mod builds;
mod checkers;
mod conformance;
mod cross_submission;
mod delivery;
mod examples;
mod hostile;
mod judging;
mod pipeline;
mod stack;
mod sweep;
