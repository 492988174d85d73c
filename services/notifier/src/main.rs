use exec_engine::{shutdown, telemetry};
use notifier::NotifierConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config = NotifierConfig::from_env()?;
    notifier::run(config, shutdown::on_signal()).await
}
