//! `userpool-server`: a local Amazon Cognito user-pool endpoint. See the crate
//! documentation of `userpool_server` and the README.

#![forbid(unsafe_code)]

use clap::Parser;
use tracing_subscriber::EnvFilter;
use userpool_server::Config;

fn main() -> std::process::ExitCode {
    // `userpool-server import-users ...`: the offline CSV import (SPEC §19), no server.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "import-users")
    {
        let args = std::env::args_os()
            .enumerate()
            .filter_map(|(i, a)| (i != 1).then_some(a));
        let command = userpool_server::import_users::ImportUsersCommand::parse_from(args);
        return userpool_server::import_users::run(&command);
    }
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("USERPOOL_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // Every admitted connection's request must reach the hash queue, whose deadline bounds
    // its wait (SPEC §13); tokio's default of 512 blocking threads, below the connection
    // cap, would let requests wait in tokio's own queue with no deadline. Idle threads cost
    // a stack each and go after 10 s.
    let blocking_threads = usize::try_from(config.max_connections)
        .unwrap_or(usize::MAX)
        .saturating_add(64);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking_threads)
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
