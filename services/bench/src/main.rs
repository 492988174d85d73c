use bench::BenchConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config: BenchConfig = exec_engine::config::from_env()?;
    bench::run(config).await
}
