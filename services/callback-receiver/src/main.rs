//! Prints every callback it receives, as the original specification's
//! `callback_receiver.py` did.

use callback_receiver::ReceiverConfig;
use exec_engine::{config, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config: ReceiverConfig = config::from_env()?;
    let mut receiver = callback_receiver::start(&config).await?;
    println!(
        "callback receiver listening on http://{}",
        config.receiver_addr
    );
    while let Some(callback) = receiver.callbacks.recv().await {
        println!(
            "--- POST {} (X-Execution-Id: {}, X-Delivery-Attempt: {})\n{}",
            callback.path,
            callback.header("X-Execution-Id").unwrap_or("-"),
            callback.header("X-Delivery-Attempt").unwrap_or("-"),
            serde_json::to_string_pretty(&callback.body)?
        );
    }
    Ok(())
}
