//! Backpressure: each language's queue holds at most a few minutes of what its workers get
//! through, so one client cannot queue hours of work for everyone behind it. Past the bound,
//! `POST /execute` answers 429 with `Retry-After` instead of queueing.
//!
//! The depth and the throughput are read from the language's worker consumer (pending
//! submissions, and how fast its acknowledgement floor moves) every half second; the
//! submissions this gateway accepted since are added, so a burst cannot overshoot.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use exec_engine::shutdown::CancellationToken;
use exec_engine::telemetry::names;
use exec_engine::{subjects, Language};

const REFRESH_EVERY: Duration = Duration::from_millis(500);
/// How much a new throughput sample moves the estimate: about a minute of memory.
const SMOOTHING: f64 = 0.02;

/// How the bound is set.
#[derive(Clone, Copy, Debug)]
pub struct BacklogSettings {
    /// The queue holds this many seconds of measured throughput.
    pub seconds: u64,
    /// The bound before any throughput is measured, and its floor.
    pub min: u64,
    /// The bound however fast the workers are.
    pub max: u64,
}

impl BacklogSettings {
    /// The bound for a language whose workers get through `per_second` submissions.
    pub fn bound(&self, per_second: f64) -> u64 {
        ((per_second * self.seconds as f64) as u64).clamp(self.min, self.max.max(self.min))
    }
}

/// A queue past its bound, and when to try again.
#[derive(Debug, PartialEq)]
pub struct QueueFull {
    pub retry_after_secs: u64,
}

#[derive(Default)]
struct Backlog {
    /// Pending at the last refresh, plus what this gateway accepted since.
    depth: u64,
    per_second: f64,
    /// The consumer's acknowledgement floor at the last refresh, and when it was read.
    last_floor: Option<(u64, Instant)>,
}

pub struct Backlogs {
    settings: BacklogSettings,
    queues: Mutex<HashMap<Language, Backlog>>,
}

impl Backlogs {
    pub fn new(settings: BacklogSettings) -> Self {
        Self {
            settings,
            queues: Mutex::default(),
        }
    }

    /// Counts one more submission for `language`, unless its queue is full.
    pub fn admit(&self, language: Language) -> Result<(), QueueFull> {
        let mut queues = self.queues.lock().expect("not poisoned");
        let backlog = queues.entry(language).or_default();
        let bound = self.settings.bound(backlog.per_second);
        if backlog.depth >= bound {
            let excess = (backlog.depth + 1 - bound) as f64;
            let wait = if backlog.per_second > 0.0 {
                excess / backlog.per_second
            } else {
                f64::from(u32::MAX)
            };
            return Err(QueueFull {
                retry_after_secs: (wait.ceil() as u64).clamp(1, 60),
            });
        }
        backlog.depth += 1;
        Ok(())
    }

    /// Applies a reading of `language`'s consumer: `pending` submissions (waiting or
    /// running) and its acknowledgement floor `floor` at `now`.
    /// Returns the queue's bound now.
    fn observe(&self, language: Language, pending: u64, floor: u64, now: Instant) -> u64 {
        let mut queues = self.queues.lock().expect("not poisoned");
        let backlog = queues.entry(language).or_default();
        backlog.depth = pending;
        if let Some((last, at)) = backlog.last_floor {
            let seconds = now.duration_since(at).as_secs_f64();
            if seconds > 0.0 && floor >= last {
                let sample = (floor - last) as f64 / seconds;
                backlog.per_second += SMOOTHING * (sample - backlog.per_second);
            }
        }
        backlog.last_floor = Some((floor, now));
        self.settings.bound(backlog.per_second)
    }

    /// Reads every language's consumer every half second until `shutdown`.
    pub async fn refresh(
        &self,
        js: jetstream::Context,
        languages: Vec<Language>,
        shutdown: CancellationToken,
    ) {
        let mut every = tokio::time::interval(REFRESH_EVERY);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = every.tick() => {}
            }
            let Ok(stream) = js.get_stream_no_info(subjects::SUBMISSIONS_STREAM).await else {
                continue;
            };
            for &language in &languages {
                // No consumer yet (no worker has started): the stream's own limits hold.
                let Ok(info) = stream
                    .consumer_info(subjects::worker_consumer(language))
                    .await
                else {
                    continue;
                };
                let pending = info.num_pending + info.num_ack_pending as u64;
                let floor = info.ack_floor.consumer_sequence;
                let bound = self.observe(language, pending, floor, Instant::now());
                let label = language.as_str();
                metrics::gauge!(names::QUEUE_DEPTH, "language" => label).set(pending as f64);
                metrics::gauge!(names::QUEUE_BOUND, "language" => label).set(bound as f64);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: BacklogSettings = BacklogSettings {
        seconds: 180,
        min: 10,
        max: 100_000,
    };

    #[test]
    fn the_bound_is_minutes_of_throughput_within_its_floor_and_ceiling() {
        assert_eq!(SETTINGS.bound(0.0), 10);
        assert_eq!(SETTINGS.bound(40.0), 7_200);
        assert_eq!(SETTINGS.bound(10_000.0), 100_000);
    }

    #[test]
    fn a_full_queue_refuses_until_it_drains() {
        let backlogs = Backlogs::new(SETTINGS);
        for _ in 0..10 {
            backlogs.admit(Language::Python).unwrap();
        }
        assert!(backlogs.admit(Language::Python).is_err());
        // Another language's queue is its own.
        backlogs.admit(Language::Go).unwrap();
        let start = Instant::now();
        backlogs.observe(Language::Python, 3, 100, start);
        backlogs.admit(Language::Python).unwrap();
    }

    #[test]
    fn throughput_comes_from_the_acknowledgement_floor_and_sets_retry_after() {
        let backlogs = Backlogs::new(BacklogSettings {
            seconds: 1,
            min: 1,
            max: 1_000,
        });
        let start = Instant::now();
        backlogs.observe(Language::Python, 0, 0, start);
        // 100 acknowledged a second, for a long while.
        for second in 1..=300u64 {
            backlogs.observe(
                Language::Python,
                500,
                second * 100,
                start + Duration::from_secs(second),
            );
        }
        let per_second = backlogs.queues.lock().unwrap()[&Language::Python].per_second;
        assert!((per_second - 100.0).abs() < 1.0, "{per_second}");
        // 500 pending against a bound of about 100: a few seconds' wait.
        let full = backlogs.admit(Language::Python).unwrap_err();
        assert!((4..=6).contains(&full.retry_after_secs), "{full:?}");
    }
}
