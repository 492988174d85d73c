//! Which workers serve, with what: each worker announces itself in the `exec-workers`
//! bucket while it runs, so that any gateway can tell which languages are served, by which
//! runtime and image, under which limits.

use std::time::Duration;

use async_nats::jetstream::{self, kv};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{subjects, Language};

/// How often a worker announces itself; its entry expires three times as long after the
/// last announcement (the bucket's max age), so a killed worker drops out.
pub const ANNOUNCE_EVERY: Duration = Duration::from_secs(20);

/// The sandbox image's label that tells how it compiles and runs code.
pub const BUILD_LABEL: &str = "exec-engine.build";

/// The limits a language runs under unless a submission sets its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DefaultLimits {
    pub time_limit_ms: u64,
    pub memory_limit_mb: u64,
    pub submission_timeout_secs: u64,
    pub compile_time_limit_ms: u64,
    pub output_limit_bytes: usize,
}

/// One worker process, as it announces itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerInfo {
    pub language: Language,
    /// The image's name and the id it resolved to.
    pub image: String,
    pub image_id: String,
    /// The runtime's version as it prints it (`Python 3.11.2`), if it could be read.
    pub runtime: Option<String>,
    /// How the image compiles and runs code, every flag: its [`BUILD_LABEL`].
    #[serde(default)]
    pub build: Option<String>,
    pub limits: DefaultLimits,
    pub concurrency: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("the workers' registry: {0}")]
pub struct RegistryError(String);

#[derive(Clone)]
pub struct Registry {
    workers: kv::Store,
}

impl Registry {
    pub async fn open(js: &jetstream::Context) -> Result<Self, RegistryError> {
        let workers = js
            .get_key_value(subjects::WORKERS_BUCKET)
            .await
            .map_err(|err| RegistryError(err.to_string()))?;
        Ok(Self { workers })
    }

    /// Says that worker `instance` serves, as `info` tells.
    pub async fn announce(&self, instance: Uuid, info: &WorkerInfo) -> Result<(), RegistryError> {
        let value = serde_json::to_vec(info).expect("a worker's info serializes");
        self.workers
            .put(format!("{}.{instance}", info.language), value.into())
            .await
            .map_err(|err| RegistryError(err.to_string()))?;
        Ok(())
    }

    /// Says that worker `instance` of `language` has stopped.
    pub async fn withdraw(&self, language: Language, instance: Uuid) {
        let _ = self.workers.purge(format!("{language}.{instance}")).await;
    }

    /// Every worker that announced itself lately.
    pub async fn workers(&self) -> Result<Vec<WorkerInfo>, RegistryError> {
        let failed = |err: &dyn std::fmt::Display| RegistryError(err.to_string());
        let mut keys = self.workers.keys().await.map_err(|err| failed(&err))?;
        let mut workers = Vec::new();
        while let Some(key) = keys.next().await {
            let key = key.map_err(|err| failed(&err))?;
            // Gone since it was listed (expired, withdrawn): not serving.
            if let Some(value) = self.workers.get(key).await.map_err(|err| failed(&err))? {
                if let Ok(info) = serde_json::from_slice(&value) {
                    workers.push(info);
                }
            }
        }
        Ok(workers)
    }
}
