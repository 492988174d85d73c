//! `exec-engine`: the command-line client; the logic is in the library.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli).await {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // `{:#}` adds the causes (a refused connection, an I/O error) to the message.
            eprintln!("exec-engine: {:#}", anyhow::Error::from(err));
            ExitCode::from(cli::EXIT_CLIENT_ERROR)
        }
    }
}
