//! At most N callbacks in flight to any one host, so that a slow or dead receiver holds a
//! few of the notifier's slots and never all of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct HostLimits {
    per_host: usize,
    in_flight: Arc<Mutex<HashMap<String, usize>>>,
}

/// A callback's place in its host's share; given back when dropped.
pub struct Slot {
    host: String,
    in_flight: Arc<Mutex<HashMap<String, usize>>>,
}

impl HostLimits {
    pub fn new(per_host: usize) -> Self {
        Self {
            per_host: per_host.max(1),
            in_flight: Arc::default(),
        }
    }

    /// A slot for `url`'s host and port, unless that host has its share in flight.
    pub fn try_acquire(&self, url: &str) -> Option<Slot> {
        let host = reqwest::Url::parse(url)
            .ok()
            .map(|url| {
                let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
                format!("{host}:{}", url.port_or_known_default().unwrap_or(0))
            })
            .unwrap_or_default();
        let mut in_flight = self.in_flight.lock().expect("not poisoned");
        let count = in_flight.entry(host.clone()).or_default();
        if *count >= self.per_host {
            return None;
        }
        *count += 1;
        Some(Slot {
            host,
            in_flight: self.in_flight.clone(),
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut in_flight = self.in_flight.lock().expect("not poisoned");
        if let Some(count) = in_flight.get_mut(&self.host) {
            *count -= 1;
            if *count == 0 {
                in_flight.remove(&self.host);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HostLimits;

    #[test]
    fn each_host_gets_its_share_and_no_more() {
        let limits = HostLimits::new(2);
        let a1 = limits.try_acquire("http://slow.example/a").unwrap();
        let a2 = limits.try_acquire("http://SLOW.example:80/b").unwrap();
        assert!(limits.try_acquire("http://slow.example/c").is_none());
        // Another host, or another port of the same one, is not held up.
        assert!(limits.try_acquire("http://fast.example/").is_some());
        assert!(limits.try_acquire("http://slow.example:8080/").is_some());
        drop(a1);
        assert!(limits.try_acquire("http://slow.example/c").is_some());
        drop(a2);
        assert!(limits.in_flight.lock().unwrap().is_empty());
    }
}
