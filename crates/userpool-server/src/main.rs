//! `userpool-server`: a local Amazon Cognito user-pool endpoint. See the crate
//! documentation of `userpool_server` and the README.

#![forbid(unsafe_code)]

use clap::Parser;
use tracing_subscriber::EnvFilter;
use userpool_server::Config;

fn main() -> std::process::ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("USERPOOL_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("userpool-server: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(userpool_server::run(config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("userpool-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
