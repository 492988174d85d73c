//! Builds kept between submissions (harness/PROTOCOL.md, "Builds"): what a harness made of
//! some code, so that the same code compiles once, whichever worker on whichever machine
//! ran it first. Kept in a JetStream object store, bounded in size and age, by a hash of
//! everything the build depends on.

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, object_store};
use exec_engine::digest::sha256_hex;
use tokio::io::AsyncReadExt as _;

use crate::protocol::Code;

/// The object store bucket, shared by every worker of every language.
pub const BUCKET: &str = "exec-builds";

/// What a build is looked up by: a SHA-256 of the image's id (so a build never meets
/// another compiler), the language, the code, the imports, the function name and the
/// files beside the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildKey(String);

impl BuildKey {
    /// The key of `code`'s build in `image_id`, where the language has builds.
    pub fn of(image_id: &str, code: Code<'_>) -> Option<Self> {
        if !code.language.keeps_builds() {
            return None;
        }
        // A JSON array: no two different inputs give the same text.
        let fields = serde_json::json!([
            image_id,
            code.language,
            code.code,
            code.imports,
            code.function_name,
            code.files,
        ]);
        Some(Self(sha256_hex(fields.to_string().as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where builds are kept.
pub trait BuildStore: Send + Sync {
    /// The build kept under `key`, if any. A store that cannot answer has none.
    fn get(&self, key: &BuildKey) -> impl Future<Output = Option<String>> + Send;
    /// Keeps `build` under `key`, in the background: nobody waits for it.
    fn put(&self, key: BuildKey, build: String);
}

/// No store at all (builds not kept): nothing is found, nothing is kept.
impl<T: BuildStore> BuildStore for Option<T> {
    async fn get(&self, key: &BuildKey) -> Option<String> {
        match self {
            Some(store) => store.get(key).await,
            None => None,
        }
    }

    fn put(&self, key: BuildKey, build: String) {
        if let Some(store) = self {
            store.put(key, build);
        }
    }
}

/// The bucket's bounds.
#[derive(Clone, Copy, Debug)]
pub struct BuildLimits {
    pub max_bytes: i64,
    pub max_age: Duration,
    /// Copies in a cluster, as the streams have.
    pub replicas: usize,
}

/// Builds in the JetStream object store [`BUCKET`].
#[derive(Clone)]
pub struct ObjectStoreBuilds {
    store: object_store::ObjectStore,
}

impl ObjectStoreBuilds {
    /// Opens the bucket, creating it with `limits` if it is not there.
    pub async fn open(js: &jetstream::Context, limits: BuildLimits) -> anyhow::Result<Self> {
        if let Ok(store) = js.get_object_store(BUCKET).await {
            return Ok(Self { store });
        }
        let store = js
            .create_object_store(object_store::Config {
                bucket: BUCKET.to_owned(),
                description: Some("compiled submissions, by a hash of what they depend on".into()),
                max_bytes: limits.max_bytes,
                max_age: limits.max_age,
                num_replicas: limits.replicas,
                ..Default::default()
            })
            .await?;
        // A full bucket makes room by dropping its oldest builds rather than refusing new
        // ones. (A build that loses chunks that way fails its digest, and reads as absent.)
        let mut stream = js.get_stream(format!("OBJ_{BUCKET}")).await?;
        let mut config = stream.info().await?.config.clone();
        config.discard = jetstream::stream::DiscardPolicy::Old;
        js.update_stream(config).await?;
        Ok(Self { store })
    }
}

impl BuildStore for ObjectStoreBuilds {
    async fn get(&self, key: &BuildKey) -> Option<String> {
        let mut object = self.store.get(key.as_str()).await.ok()?;
        let mut build = String::new();
        // The store checks the object's digest as it reads: a damaged one is an error here.
        match object.read_to_string(&mut build).await {
            Ok(_) => Some(build),
            Err(err) => {
                tracing::warn!(key = key.as_str(), error = %err, "a kept build could not be read");
                None
            }
        }
    }

    fn put(&self, key: BuildKey, build: String) {
        let store = self.store.clone();
        tokio::spawn(async move {
            if let Err(err) = store.put(key.as_str(), &mut build.as_bytes()).await {
                tracing::warn!(key = key.as_str(), error = %err, "a build could not be kept");
            }
        });
    }
}
