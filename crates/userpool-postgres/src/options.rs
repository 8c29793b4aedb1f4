//! How a store connects to its database.

use std::path::PathBuf;
use std::time::Duration;

/// Options for [`crate::PostgresStore::open_with`].
///
/// ```
/// use std::time::Duration;
/// use userpool_postgres::PostgresOptions;
/// let options = PostgresOptions::default()
///     .pool_size(16)
///     .schema("userpool")
///     .ca_file("/etc/ssl/db-ca.pem")
///     .checkout_timeout(Duration::from_secs(2));
/// assert_eq!(options.pool_size, 16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostgresOptions {
    /// Most connections the store holds open (default 8). Each operation holds one for
    /// its duration; more concurrent operations wait for one, up to
    /// [`PostgresOptions::checkout_timeout`].
    pub pool_size: u32,
    /// How long an operation waits for a pooled connection, or for a new one to be
    /// established, before failing with a backend error (default 5 s).
    pub checkout_timeout: Duration,
    /// How long establishing one connection may take (default 5 s).
    pub connect_timeout: Duration,
    /// How many times a transaction that lost a race (serialization failure, deadlock) or
    /// its connection (the server restarted) before committing is run again (default 8),
    /// with a short growing pause between tries.
    pub retries: u32,
    /// The schema holding the store's tables, created if missing (default: none, which
    /// uses the first schema of the connection's `search_path`, usually `public`). Several
    /// stores may share one database in different schemas, as the tests do.
    pub schema: Option<String>,
    /// A PEM file of the certificate authorities to trust for TLS to the database. When
    /// set, TLS is required (`sslmode=require` at least, whatever the URL says) and the
    /// server's certificate and host name are verified against these authorities only.
    pub ca_file: Option<PathBuf>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            pool_size: 8,
            checkout_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            retries: 8,
            schema: None,
            ca_file: None,
        }
    }
}

impl PostgresOptions {
    /// Sets [`PostgresOptions::pool_size`] (at least 1).
    #[must_use]
    pub fn pool_size(mut self, value: u32) -> Self {
        self.pool_size = value.max(1);
        self
    }

    /// Sets [`PostgresOptions::checkout_timeout`].
    #[must_use]
    pub fn checkout_timeout(mut self, value: Duration) -> Self {
        self.checkout_timeout = value;
        self
    }

    /// Sets [`PostgresOptions::connect_timeout`].
    #[must_use]
    pub fn connect_timeout(mut self, value: Duration) -> Self {
        self.connect_timeout = value;
        self
    }

    /// Sets [`PostgresOptions::retries`].
    #[must_use]
    pub fn retries(mut self, value: u32) -> Self {
        self.retries = value;
        self
    }

    /// Sets [`PostgresOptions::schema`].
    #[must_use]
    pub fn schema(mut self, value: impl Into<String>) -> Self {
        self.schema = Some(value.into());
        self
    }

    /// Sets [`PostgresOptions::ca_file`].
    #[must_use]
    pub fn ca_file(mut self, value: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(value.into());
        self
    }
}
