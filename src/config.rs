//! Every service reads one typed configuration struct from the environment.

use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(#[from] envy::Error);

/// Reads `T` from environment variables named after its fields in upper case
/// (`nats_url` is read from `NATS_URL`); fields left unset take their serde defaults.
pub fn from_env<T: DeserializeOwned>() -> Result<T, ConfigError> {
    Ok(envy::from_env::<T>()?)
}

/// The NATS server every service connects to unless `NATS_URL` says otherwise.
pub fn default_nats_url() -> String {
    "nats://127.0.0.1:4222".to_owned()
}
