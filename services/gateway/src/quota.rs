//! Each key's cap on submissions queued or running at once: one client cannot fill a
//! language's queue for everyone behind it. A submission is held from its acceptance until
//! its result is stored (this gateway follows the stored results, headers only), or, if that
//! news never comes (a result stored while this gateway was away), for [`HELD_AT_MOST`]. The
//! count is this gateway's: behind several gateways a key may have that many through each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer::pull::OrderedConfig, consumer::DeliverPolicy};
use exec_engine::shutdown::CancellationToken;
use exec_engine::subjects;
use futures::StreamExt;
use uuid::Uuid;

/// How long a submission counts against its key at most.
pub const HELD_AT_MOST: Duration = Duration::from_secs(30 * 60);
/// How long a client over its cap is told to wait.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The submissions each key has queued or running, through this gateway.
#[derive(Default)]
pub struct Queued {
    held: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    by_id: HashMap<Uuid, (String, Instant)>,
    per_key: HashMap<String, usize>,
}

/// A key at its cap.
#[derive(Debug, PartialEq)]
pub struct AtCap {
    pub cap: usize,
}

impl Queued {
    /// Counts `id` against `key`, unless `key` has `cap` already (an id held before, a
    /// retried request's, counts once).
    pub fn hold(&self, key: &str, id: Uuid, cap: usize) -> Result<(), AtCap> {
        let mut held = self.held.lock().expect("not poisoned");
        if held.by_id.contains_key(&id) {
            return Ok(());
        }
        let count = held.per_key.entry(key.to_owned()).or_default();
        if *count >= cap {
            return Err(AtCap { cap });
        }
        *count += 1;
        held.by_id.insert(id, (key.to_owned(), Instant::now()));
        Ok(())
    }

    /// `id` no longer counts: its result is stored, or it was never queued.
    pub fn release(&self, id: Uuid) {
        let mut held = self.held.lock().expect("not poisoned");
        if let Some((key, _)) = held.by_id.remove(&id) {
            held.forget(&key);
        }
    }

    /// Releases what has been held since before `before`.
    fn expire(&self, before: Instant) {
        let mut held = self.held.lock().expect("not poisoned");
        let stale: Vec<Uuid> = held
            .by_id
            .iter()
            .filter(|(_, (_, since))| *since < before)
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            if let Some((key, _)) = held.by_id.remove(&id) {
                held.forget(&key);
            }
        }
    }

    /// Releases each submission as its result is stored, until `shutdown`.
    pub async fn follow_results(
        self: Arc<Self>,
        js: jetstream::Context,
        shutdown: CancellationToken,
    ) {
        let mut expiry = tokio::time::interval(Duration::from_secs(60));
        loop {
            let messages = async {
                let stream = js.get_stream(subjects::RESULTS_STREAM).await.ok()?;
                let consumer = stream
                    .create_consumer(OrderedConfig {
                        filter_subject: subjects::STORED_RESULTS_WILDCARD.to_owned(),
                        deliver_policy: DeliverPolicy::New,
                        headers_only: true,
                        ..Default::default()
                    })
                    .await
                    .ok()?;
                consumer.messages().await.ok()
            };
            let Some(mut messages) = messages.await else {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(2)) => continue,
                }
            };
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    // On a machine up for less than that, nothing is that old yet (and
                    // subtracting would panic).
                    _ = expiry.tick() => if let Some(before) = Instant::now().checked_sub(HELD_AT_MOST) {
                        self.expire(before);
                    },
                    message = messages.next() => match message {
                        Some(Ok(message)) => {
                            if let Some(id) = subjects::id_of(&message.subject) {
                                self.release(id);
                            }
                        }
                        // Recreated by the next turn of the outer loop.
                        Some(Err(_)) | None => break,
                    },
                }
            }
        }
    }
}

impl Held {
    fn forget(&mut self, key: &str) {
        if let Some(count) = self.per_key.get_mut(key) {
            *count -= 1;
            if *count == 0 {
                self.per_key.remove(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_holds_up_to_its_cap_and_others_are_not_held_back() {
        let queued = Queued::default();
        let (first, second, third) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        queued.hold("a", first, 2).unwrap();
        queued.hold("a", first, 2).unwrap();
        queued.hold("a", second, 2).unwrap();
        assert_eq!(queued.hold("a", third, 2), Err(AtCap { cap: 2 }));
        queued.hold("b", third, 2).unwrap();
        queued.release(first);
        queued.hold("a", Uuid::new_v4(), 2).unwrap();
    }

    #[test]
    fn what_is_held_too_long_is_released() {
        let queued = Queued::default();
        queued.hold("a", Uuid::new_v4(), 1).unwrap();
        assert!(queued.hold("a", Uuid::new_v4(), 1).is_err());
        queued.expire(Instant::now() + Duration::from_secs(1));
        queued.hold("a", Uuid::new_v4(), 1).unwrap();
    }
}
