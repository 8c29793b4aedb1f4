//! Starting and stopping: open the store, build the service, listen, and on SIGINT or
//! SIGTERM stop accepting and finish the requests in flight.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use userpool_core::HashParams;
use userpool_sqlite::SqliteStore;
use userpool_store::{HostOptions, MemoryStore, Store, UserPools};

use crate::config::Config;
use crate::tokens::Tokens;
use crate::{App, LogDelivery, OffsetClock};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration is refused (see [`Config::admin_credential`]).
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    /// The database could not be opened.
    #[error("cannot open the database: {0}")]
    Store(#[from] userpool_sqlite::Error),
    /// A setting the service refused (region, hashing parameters).
    #[error("invalid setting: {0}")]
    Setting(#[from] userpool_core::Error),
    /// The address could not be bound, or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Builds the shared state from a configuration: the store (SQLite file, or memory with
/// `--memory`), the service with the server's clock and log delivery, and the tokens,
/// whose issuer is served from `bound`.
///
/// # Errors
/// See [`StartError`].
pub fn app(config: &Config, bound: std::net::SocketAddr) -> Result<App, StartError> {
    let admin = config.admin_credential()?;
    let store: Arc<dyn Store> = if config.memory {
        Arc::new(MemoryStore::new())
    } else {
        Arc::new(SqliteStore::open(&config.db)?)
    };
    let clock = Arc::new(OffsetClock::new(config.test_clock_offset_secs.unwrap_or(0)));
    let hash_params = HashParams::new(
        config.hash_memory_kib,
        config.hash_iterations,
        config.hash_parallelism,
    )?;
    let (max_concurrent_hashes, hash_queue_timeout) = config.hash_limit();
    let host = HostOptions::default()
        .with_region(&config.region)?
        .with_hash_limit(max_concurrent_hashes, hash_queue_timeout);
    // Refuse parameters over the host's ceiling now, not at every CreateUserPool.
    host.hasher(hash_params)?;
    let pools = UserPools::builder(Arc::clone(&store))
        .clock(clock.clone())
        .delivery(Arc::new(LogDelivery))
        .host_options(host)
        .build();
    let tokens = Tokens::new(store, clock.clone(), config.public_url(bound));
    Ok(App {
        pools,
        admin,
        clock,
        tokens,
        hash_params,
    })
}

/// Serves `app` on `listener` until `shutdown` completes, then lets in-flight requests
/// finish.
///
/// # Errors
/// I/O errors of the listener.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, crate::router(Arc::new(app)))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received: finishing requests in flight"),
        () = terminate => tracing::info!("SIGTERM received: finishing requests in flight"),
    }
}

/// The whole server: build, bind, announce, serve until a signal.
///
/// # Errors
/// See [`StartError`].
pub async fn run(config: Config) -> Result<(), StartError> {
    // Refuse a bad configuration before binding anything.
    config.admin_credential()?;
    let listener = TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    let app = app(&config, address)?;
    let store = if config.memory {
        "memory".to_owned()
    } else {
        config.db.display().to_string()
    };
    tracing::info!(%address, store, region = config.region, "userpool-server listening");
    if app.admin.development {
        // Printed, not only logged: the developer needs it to configure the AWS CLI.
        println!(
            "userpool-server listening on http://{address}\n\
             No admin credential configured: admin requests must be signed with the development credential\n  \
             AWS_ACCESS_KEY_ID={}\n  AWS_SECRET_ACCESS_KEY={}\n\
             (accepted on loopback only; set --admin-access-key-id/--admin-secret-access-key otherwise)",
            app.admin.access_key_id,
            crate::config::DEV_SECRET_ACCESS_KEY,
        );
    } else {
        println!("userpool-server listening on http://{address}");
    }
    if let Some(offset) = config.test_clock_offset_secs {
        tracing::warn!(offset_secs = offset, "TEST CLOCK OFFSET in effect");
    }
    serve(listener, app, shutdown_signal()).await?;
    tracing::info!("userpool-server stopped");
    Ok(())
}
