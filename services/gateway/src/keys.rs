//! Optional API keys: who is calling, and how often they may. Keys are configured by the
//! SHA-256 of each (the gateway never holds a key itself), each with an id that travels
//! with its submissions into results and metrics, and a token bucket.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::Path;
use std::time::Duration;

use exec_engine::digest::sha256_hex;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};
use poem::http::HeaderMap;
use serde::Deserialize;

/// Who made a request: the id of the key it carried (`None` where keys are off).
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub key_id: Option<String>,
    /// Its key's cap on submissions queued or running at once.
    pub max_queued: Option<usize>,
}

/// One entry of `API_KEYS_FILE`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    /// Shown in results and metrics.
    id: String,
    /// The key's SHA-256, in hex (`printf %s "$KEY" | sha256sum`).
    sha256: String,
    /// Requests a second on average, and at once; the defaults where left out.
    rate_per_sec: Option<u32>,
    burst: Option<u32>,
    /// Submissions queued or running at once; the default where left out.
    max_queued: Option<usize>,
}

struct Key {
    id: String,
    rate_per_sec: u32,
    max_queued: usize,
    limiter: DefaultDirectRateLimiter,
}

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("API_KEYS_FILE {path}: {reason}")]
    File { path: String, reason: String },
}

/// Why a request was turned away.
#[derive(Debug, PartialEq)]
pub enum Denied {
    /// No key, or one that is not configured.
    Unauthorized,
    /// Over its rate: `limit` a second, try again after `retry_after`.
    RateLimited { limit: u32, retry_after: Duration },
}

/// What a key may do where its entry does not say.
#[derive(Clone, Copy, Debug)]
pub struct KeyDefaults {
    pub rate_per_sec: u32,
    pub burst: u32,
    pub max_queued: usize,
}

#[derive(Default)]
pub struct Keys {
    by_hash: HashMap<String, Key>,
}

impl Keys {
    /// No keys: every request is served, as the `make up` profile does.
    pub fn off() -> Self {
        Self::default()
    }

    /// Reads `path` (a JSON array of `{"id", "sha256", "rate_per_sec"?, "burst"?,
    /// "max_queued"?}`).
    pub fn load(path: &Path, defaults: KeyDefaults) -> Result<Self, KeysError> {
        let failed = |reason: String| KeysError::File {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|err| failed(err.to_string()))?;
        let entries: Vec<KeyEntry> =
            serde_json::from_str(&text).map_err(|err| failed(err.to_string()))?;
        Self::from_entries(entries, defaults).map_err(failed)
    }

    fn from_entries(entries: Vec<KeyEntry>, defaults: KeyDefaults) -> Result<Self, String> {
        let mut by_hash = HashMap::new();
        for entry in entries {
            let hash = entry.sha256.to_ascii_lowercase();
            if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!("the key `{}` has no valid sha256", entry.id));
            }
            let rate = entry.rate_per_sec.unwrap_or(defaults.rate_per_sec);
            let quota = NonZeroU32::new(rate)
                .map(Quota::per_second)
                .ok_or_else(|| format!("the key `{}` has a rate of 0", entry.id))?
                .allow_burst(
                    NonZeroU32::new(entry.burst.unwrap_or(defaults.burst))
                        .ok_or_else(|| format!("the key `{}` has a burst of 0", entry.id))?,
                );
            let max_queued = entry.max_queued.unwrap_or(defaults.max_queued);
            if max_queued == 0 {
                return Err(format!("the key `{}` has a max_queued of 0", entry.id));
            }
            let key = Key {
                id: entry.id,
                rate_per_sec: rate,
                max_queued,
                limiter: DefaultDirectRateLimiter::direct(quota),
            };
            if by_hash.insert(hash, key).is_some() {
                return Err("a key is listed twice".into());
            }
        }
        if by_hash.is_empty() {
            return Err("no keys: leave API_KEYS_FILE unset to serve without keys".into());
        }
        Ok(Self { by_hash })
    }

    /// Who calls, if the request may be served now: its key from `Authorization: Bearer`
    /// or `X-API-Key`, within its rate.
    pub fn admit(&self, headers: &HeaderMap) -> Result<Caller, Denied> {
        if self.by_hash.is_empty() {
            return Ok(Caller::default());
        }
        let presented = headers
            .get("x-api-key")
            .and_then(|value| value.to_str().ok())
            .or_else(|| {
                headers
                    .get("authorization")?
                    .to_str()
                    .ok()?
                    .strip_prefix("Bearer ")
            })
            .map(str::trim)
            .ok_or(Denied::Unauthorized)?;
        let key = self
            .by_hash
            .get(&sha256_hex(presented.as_bytes()))
            .ok_or(Denied::Unauthorized)?;
        key.limiter
            .check()
            .map_err(|not_until| Denied::RateLimited {
                limit: key.rate_per_sec,
                retry_after: not_until.wait_time_from(DefaultClock::default().now()),
            })?;
        Ok(Caller {
            key_id: Some(key.id.clone()),
            max_queued: Some(key.max_queued),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "s3cret-key";

    fn keys(rate: u32, burst: u32) -> Keys {
        Keys::from_entries(
            vec![KeyEntry {
                id: "team-a".into(),
                sha256: sha256_hex(KEY.as_bytes()),
                rate_per_sec: None,
                burst: None,
                max_queued: None,
            }],
            KeyDefaults {
                rate_per_sec: rate,
                burst,
                max_queued: 10,
            },
        )
        .unwrap()
    }

    fn headers(name: &str, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            poem::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
        headers
    }

    #[test]
    fn a_configured_key_is_known_by_its_id_in_either_header() {
        let keys = keys(100, 100);
        for presented in [
            headers("authorization", &format!("Bearer {KEY}")),
            headers("x-api-key", KEY),
        ] {
            assert_eq!(
                keys.admit(&presented).unwrap().key_id.as_deref(),
                Some("team-a")
            );
        }
        assert_eq!(
            keys.admit(&HeaderMap::new()).unwrap_err(),
            Denied::Unauthorized
        );
        assert_eq!(
            keys.admit(&headers("x-api-key", "guess")).unwrap_err(),
            Denied::Unauthorized
        );
        assert_eq!(
            keys.admit(&headers("authorization", &format!("Basic {KEY}")))
                .unwrap_err(),
            Denied::Unauthorized
        );
    }

    #[test]
    fn past_its_burst_a_key_waits_for_its_rate() {
        let keys = keys(1, 3);
        let presented = headers("x-api-key", KEY);
        for _ in 0..3 {
            keys.admit(&presented).unwrap();
        }
        match keys.admit(&presented).unwrap_err() {
            Denied::RateLimited { limit, retry_after } => {
                assert_eq!(limit, 1);
                assert!(retry_after <= Duration::from_secs(1), "{retry_after:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn without_keys_everyone_is_served() {
        assert_eq!(Keys::off().admit(&HeaderMap::new()).unwrap().key_id, None);
        let defaults = KeyDefaults {
            rate_per_sec: 1,
            burst: 1,
            max_queued: 1,
        };
        assert!(Keys::from_entries(vec![], defaults).is_err());
    }
}
