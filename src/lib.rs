//! The code execution engine's shared library: what every service agrees on.
//!
//! A [`Submission`] enters through the gateway, travels on NATS JetStream to the worker of
//! its [`Language`], is run in a sandbox and comes back as an [`ExecutionResult`], which the
//! notifier delivers to the callback URL. This crate holds those types, the NATS subjects and
//! streams that connect the services, and the rules that judge a test's output.

pub mod broker;
pub mod callback_policy;
pub mod canonical;
pub mod checker;
pub mod compare;
pub mod config;
pub mod consumer;
pub mod digest;
pub mod exact_json;
pub mod execution;
pub mod language;
pub mod problems;
pub mod program;
pub mod registry;
pub mod shutdown;
pub mod state;
pub mod subjects;
pub mod submission;
pub mod telemetry;
pub mod verdict;

pub use execution::{ExecutionResult, TestResult};
pub use language::Language;
pub use submission::{Submission, SubmissionError, SubmissionLimits, TestCase};
pub use verdict::Verdict;
