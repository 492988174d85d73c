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

/// `T` with every field at its serde default, as with an empty environment: for tests and
/// tools that set only what they need.
pub fn defaults<T: DeserializeOwned>() -> T {
    envy::from_iter(std::iter::empty::<(String, String)>())
        .expect("every configuration field has a default")
}

/// The NATS server every service connects to unless `NATS_URL` says otherwise.
pub fn default_nats_url() -> String {
    "nats://127.0.0.1:4222".to_owned()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Sample {
        #[serde(default = "seven")]
        limit: u64,
        name: Option<String>,
    }

    fn seven() -> u64 {
        7
    }

    #[test]
    fn defaults_are_each_fields_serde_default() {
        let sample: Sample = super::defaults();
        assert_eq!(sample.limit, 7);
        assert_eq!(sample.name, None);
    }
}
