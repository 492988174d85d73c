use exec_engine::{shutdown, telemetry};
use gateway::GatewayConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config = GatewayConfig::from_env()?;
    gateway::run(config, shutdown::on_signal()).await
}
