use exec_engine::{shutdown, telemetry};
use worker::WorkerConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config = WorkerConfig::from_env()?;
    worker::run(config, shutdown::on_signal()).await
}
