//! Starting and stopping: open the store, build the service, listen, and on SIGINT or
//! SIGTERM stop accepting and finish the requests in flight.
//!
//! # Bounded connections (SPEC §13)
//!
//! Connections are served by hyper's HTTP/1 server with a timer, not by bare
//! `axum::serve`, so that every limit is in force ([`ConnectionLimits`]):
//!
//! - a request's headers must arrive within 10 s of the connection (or of the previous
//!   response, for a kept-alive one), else the connection is closed — an idle connection
//!   is closed the same way; its body within 10 s more (in the handler, so that a host
//!   mounting [`crate::router`] gets it too);
//! - at most 1024 connections are open (`--max-connections`): the accept loop takes a
//!   permit before it accepts, so further clients wait in the kernel's listen backlog
//!   instead of costing a task, a buffer and a file descriptor each;
//! - a request's head is at most [`MAX_HEAD_BYTES`] and 100 headers (hyper's default; else
//!   431), and a connection buffers at most [`MAX_BUFFER_BYTES`], so the memory of the
//!   connections is bounded by their cap;
//! - on SIGTERM or SIGINT the listener closes, idle connections close, requests in flight
//!   are answered for at most 30 s, then the server exits whatever is left.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower::ServiceExt as _;
use userpool::{HostOptions, MemoryStore, RateLimiter, RateLimits, SealingStore, Store, UserPools};
use userpool_core::HashParams;
use userpool_postgres::{PostgresOptions, PostgresStore};
use userpool_sqlite::SqliteStore;

use crate::config::Config;
use crate::lambda::{DEFAULT_MAX_CONCURRENT, LambdaCredentials, LambdaOptions, LambdaTriggers};
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
    /// The PostgreSQL database could not be opened (SPEC §20).
    #[error("cannot open the PostgreSQL database: {0}")]
    Postgres(#[from] userpool_postgres::Error),
    /// `--lambda-endpoint` is not a usable URL.
    #[error("{0}")]
    LambdaEndpoint(#[from] crate::lambda::EndpointError),
    /// A setting the service refused (region, hashing parameters).
    #[error("invalid setting: {0}")]
    Setting(#[from] userpool_core::Error),
    /// The address could not be bound, or serving failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// HMAC-SHA256(newest sealing key, label): the key of simulated SRP challenges.
fn srp_simulation_key(keyring: &userpool_store::seal::Keyring) -> zeroize::Zeroizing<Vec<u8>> {
    use hmac::{KeyInit, Mac};
    // invariant: HMAC-SHA256 takes a key of any length.
    let mut mac =
        <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(keyring.newest_key().expose_bytes())
            .expect("any key length");
    mac.update(b"userpool srp simulation v1");
    zeroize::Zeroizing::new(mac.finalize().into_bytes().to_vec())
}

/// Builds the shared state from a configuration: the store (SQLite file, or memory with
/// `--memory`), the service with the server's clock and log delivery, and the tokens,
/// whose issuer is served from `bound`.
///
/// # Errors
/// See [`StartError`].
pub fn app(config: &Config, bound: std::net::SocketAddr) -> Result<App, StartError> {
    let admin = config.admin_credential()?;
    let keyring = config.keyring()?;
    let store: Arc<dyn Store> = if config.memory {
        Arc::new(MemoryStore::new())
    } else if let Some(url) = &config.database_url {
        Arc::new(open_postgres(config, url)?)
    } else {
        Arc::new(SqliteStore::open(&config.db)?)
    };
    // Client secrets and signing keys reach the database only sealed (SPEC §14).
    // Simulated SRP challenges (SPEC §15) are the same for a name in every process sharing
    // the key: their key is derived from the sealing key, never stored.
    let srp_key = srp_simulation_key(&keyring);
    let store: Arc<dyn Store> = Arc::new(SealingStore::new(store, keyring));
    let clock = Arc::new(OffsetClock::new(config.test_clock_offset_secs.unwrap_or(0)));
    let hash_params = HashParams::new(
        config.hash_memory_kib,
        config.hash_iterations,
        config.hash_parallelism,
    )?;
    let (max_concurrent_hashes, hash_queue_timeout) = config.hash_limit();
    let host = HostOptions::default()
        .with_region(&config.region)?
        .with_hash_limit(max_concurrent_hashes, hash_queue_timeout)
        .with_srp_simulation_key(srp_key.as_slice())?;
    // Refuse parameters over the host's ceiling now, not at every CreateUserPool.
    host.hasher(hash_params)?;
    let mut pools = UserPools::builder(Arc::clone(&store))
        .clock(clock.clone())
        .delivery(Arc::new(LogDelivery::new(config.log_codes(&admin))))
        .host_options(host);
    // SPEC §13: Cognito's quotas per pool, and per address and per username, unless
    // turned off.
    if !config.no_rate_limits {
        pools = pools.rate_limiter(RateLimiter::new(RateLimits::default()));
    }
    let mut tokens = Tokens::new(Arc::clone(&store), clock.clone(), config.public_url(bound));
    // SPEC §19: the pools' LambdaConfig triggers, through the Lambda Invoke API.
    if let Some(endpoint) = &config.lambda_endpoint {
        let triggers: Arc<dyn userpool_core::Triggers> =
            Arc::new(LambdaTriggers::new(LambdaOptions {
                endpoint: endpoint.clone(),
                region: config
                    .lambda_region
                    .clone()
                    .unwrap_or(config.region.clone()),
                timeout: config.lambda_timeout,
                max_concurrent: usize::try_from(config.lambda_max_concurrent)
                    .unwrap_or(DEFAULT_MAX_CONCURRENT),
                credentials: LambdaCredentials::from_env(),
            })?);
        pools = pools.triggers(Arc::clone(&triggers));
        tokens = tokens.with_triggers(triggers);
    }
    let tokens = Arc::new(tokens);
    let pools = pools.tokens(Arc::clone(&tokens)).build();
    Ok(App {
        pools,
        admin,
        clock,
        hash_params,
        tokens,
        pending: crate::oauth::pending::PendingRequests::default(),
        relying_party: crate::oauth::federation::RelyingParty::default(),
    })
}

/// Opens the PostgreSQL store (SPEC §20) on a thread of its own: its synchronous client
/// blocks on a runtime of its own, which cannot start on an async worker thread, where
/// [`app`] may run. Requests use the store from `spawn_blocking`, and dropping it is safe
/// anywhere.
fn open_postgres(config: &Config, url: &str) -> Result<PostgresStore, userpool_postgres::Error> {
    let mut options = PostgresOptions::default().pool_size(config.database_pool_size);
    if let Some(ca_file) = &config.database_ca_file {
        options = options.ca_file(ca_file);
    }
    if let Some(schema) = &config.database_schema {
        options = options.schema(schema);
    }
    std::thread::scope(|scope| {
        scope
            .spawn(|| PostgresStore::open_with(url, &options))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The most a request's head (request line and headers) may take, in bytes; a larger one
/// is answered 431 and the connection closed.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// The most a connection buffers while reading, in bytes (hyper's default is ~400 KB).
pub const MAX_BUFFER_BYTES: usize = 64 * 1024;

/// How the server bounds its connections (SPEC §13; see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this (default 10 s).
    pub header_read_timeout: Duration,
    /// Connections open at once, at most (default 1024).
    pub max_connections: usize,
    /// After the shutdown signal, requests in flight are awaited this long (default 30 s).
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl ConnectionLimits {
    /// The defaults with `--max-connections`.
    #[must_use]
    pub fn from_config(config: &Config) -> Self {
        ConnectionLimits {
            max_connections: usize::try_from(config.max_connections).unwrap_or(usize::MAX),
            ..ConnectionLimits::default()
        }
    }

    /// These limits with another cap on open connections (at least 1).
    #[must_use]
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// These limits with another shutdown grace period.
    #[must_use]
    pub fn with_shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }
}

/// Serves `app` on `listener` with the default [`ConnectionLimits`] until `shutdown`
/// completes, then lets in-flight requests finish (for at most 30 s).
///
/// # Errors
/// None today: accept errors are logged and retried. The `Result` leaves room for errors
/// that end serving.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, ConnectionLimits::default(), shutdown).await
}

/// [`serve`] with the given limits.
///
/// # Errors
/// As [`serve`].
pub async fn serve_with(
    listener: TcpListener,
    app: App,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = crate::router(Arc::new(app));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .max_buf_size(MAX_BUFFER_BYTES);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // Reap finished connections, so the set holds only open ones.
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                // invariant: the semaphore is never closed; were it, stop serving.
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // The peer address, for the per-address rate limit (as axum's `ConnectInfo`).
        let service =
            router
                .clone()
                .map_request(move |mut request: axum::http::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let connection = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        connections.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = connections.len();
    if open > 0 {
        tracing::info!(open, "finishing the requests in flight");
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(
                open = connections.len(),
                grace_secs = limits.shutdown_grace.as_secs(),
                "shutdown deadline passed: closing the connections left"
            );
        }
    }
    connections.shutdown().await;
    Ok(())
}

/// After a failed `accept`: a connection that failed before it was accepted costs nothing;
/// anything else (out of file descriptors, most likely) is logged and waited out, as a
/// busy loop would only make it worse.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind as K;
    if matches!(
        e.kind(),
        K::ConnectionAborted | K::ConnectionReset | K::ConnectionRefused | K::Interrupted
    ) {
        return;
    }
    tracing::error!(error = %e, "accept failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// The peer address a request came from, when the server recorded it (as it does, and as
/// axum's `into_make_service_with_connect_info::<SocketAddr>` does for a host).
pub(crate) fn peer(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address)
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
    } else if config.database_url.is_some() {
        // Never the URL: it may hold a password.
        format!(
            "postgresql (schema {})",
            config.database_schema.as_deref().unwrap_or("default")
        )
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
    serve_with(
        listener,
        app,
        ConnectionLimits::from_config(&config),
        shutdown_signal(),
    )
    .await?;
    tracing::info!("userpool-server stopped");
    Ok(())
}
