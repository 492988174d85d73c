//! When a callback is tried again, and when it is given up.

use std::time::Duration;

use time::OffsetDateTime;

/// Exponential backoff with full jitter, for a fixed period after the first attempt.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// How long after the first attempt retries go on.
    pub period: Duration,
    /// The first retry's longest delay; each next one doubles.
    pub base: Duration,
    /// The longest delay between two attempts.
    pub max: Duration,
}

impl RetryPolicy {
    /// The delay before the attempt after `attempts` failed ones, or `None` when the period
    /// that began at `first_attempt_at` is over. `jitter` (0 to 1) picks the delay within
    /// its window, so that receivers that come back are not hit by every retry at once;
    /// a receiver's `Retry-After` is a floor (within `max`). The last attempt falls at the
    /// period's end rather than past it.
    pub fn next_delay(
        &self,
        attempts: u32,
        first_attempt_at: OffsetDateTime,
        now: OffsetDateTime,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        let left = (first_attempt_at + self.period - now).try_into().ok()?;
        if left == Duration::ZERO {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(30);
        let window = self
            .base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max);
        let delay = window.mul_f64(jitter.clamp(0.0, 1.0));
        let delay = retry_after.map_or(delay, |floor| delay.max(floor.min(self.max)));
        Some(delay.min(left))
    }
}

/// A random jitter for [`RetryPolicy::next_delay`].
pub fn jitter() -> f64 {
    rand::random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const POLICY: RetryPolicy = RetryPolicy {
        period: Duration::from_secs(24 * 3600),
        base: Duration::from_secs(1),
        max: Duration::from_secs(600),
    };
    const FIRST: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

    fn delay(attempts: u32, since_first: Duration, jitter: f64) -> Option<Duration> {
        POLICY.next_delay(attempts, FIRST, FIRST + since_first, None, jitter)
    }

    #[test]
    fn windows_double_up_to_the_cap() {
        let windows: Vec<u64> = [1, 2, 3, 4, 10, 11, 40]
            .iter()
            .map(|&n| delay(n, Duration::ZERO, 1.0).unwrap().as_secs())
            .collect();
        assert_eq!(windows, vec![1, 2, 4, 8, 512, 600, 600]);
    }

    #[test]
    fn full_jitter_spreads_a_delay_over_its_window() {
        assert_eq!(delay(4, Duration::ZERO, 0.0), Some(Duration::ZERO));
        assert_eq!(delay(4, Duration::ZERO, 0.5), Some(Duration::from_secs(4)));
    }

    #[test]
    fn retries_end_a_period_after_the_first_attempt_whatever_their_number() {
        let period = POLICY.period;
        assert_eq!(delay(3, period, 1.0), None);
        assert_eq!(delay(300, period + Duration::from_secs(1), 1.0), None);
        // The last attempt is at the period's end.
        let near_end = period - Duration::from_secs(30);
        assert_eq!(delay(20, near_end, 1.0), Some(Duration::from_secs(30)));
        // A notifier that restarts counts from the same first attempt.
        assert!(delay(1, period - Duration::from_secs(1), 0.0).is_some());
    }

    #[test]
    fn retry_after_is_honoured_within_the_cap() {
        let after =
            |seconds| POLICY.next_delay(1, FIRST, FIRST, Some(Duration::from_secs(seconds)), 0.0);
        assert_eq!(after(30), Some(Duration::from_secs(30)));
        assert_eq!(after(3600), Some(Duration::from_secs(600)));
    }
}
