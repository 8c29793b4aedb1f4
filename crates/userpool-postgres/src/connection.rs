//! Connections: TLS, the pool, prepared statements, transactions with retries, and
//! opening a schema safely (reading before writing, migrating under an advisory lock).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Row, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;
use userpool_store::StoreError;

use crate::error::{Error, Failure, is_lost};
use crate::options::PostgresOptions;
use crate::schema::Migration;

/// How connections are secured.
#[derive(Clone)]
pub(crate) enum Tls {
    /// No TLS (a unix socket, or a URL that asks for none).
    None,
    /// TLS through rustls, verified against the CA file's authorities.
    Rustls(MakeRustlsConnect),
}

impl Tls {
    /// The connector for `options`: rustls with the CA file's authorities when one is
    /// given (and then `sslmode` at least `require`), none otherwise.
    pub(crate) fn new(config: &mut Config, options: &PostgresOptions) -> Result<Tls, Error> {
        let Some(ca_file) = &options.ca_file else {
            return Ok(Tls::None);
        };
        let roots = load_roots(ca_file)?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        // A CA file means the connection must be verified TLS: never fall back to plain
        // text when the server offers none (`prefer`, the URL's default).
        config.ssl_mode(postgres::config::SslMode::Require);
        Ok(Tls::Rustls(MakeRustlsConnect::new(tls)))
    }
}

/// The certificates of a PEM file, as trust anchors.
fn load_roots(path: &Path) -> Result<rustls::RootCertStore, Error> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let shown = path.display();
    let mut roots = rustls::RootCertStore::empty();
    let certs =
        CertificateDer::pem_file_iter(path).map_err(|e| Error::Tls(format!("{shown}: {e}")))?;
    for cert in certs {
        let cert = cert.map_err(|e| Error::Tls(format!("{shown}: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| Error::Tls(format!("{shown}: {e}")))?;
    }
    if roots.is_empty() {
        return Err(Error::Tls(format!("{shown}: no certificate in the file")));
    }
    Ok(roots)
}

/// Connects one client.
pub(crate) fn connect_bare(config: &Config, tls: &Tls) -> Result<Client, Error> {
    match tls {
        Tls::None => config.connect(NoTls),
        Tls::Rustls(connector) => config.connect(connector.clone()),
    }
    .map_err(Error::connecting)
}

/// Points a client's `search_path` at the store's schema: every statement names its
/// tables unqualified, so they resolve in this schema only.
pub(crate) fn use_schema(client: &mut Client, schema: &str) -> Result<(), Error> {
    client.execute(
        "SELECT set_config('search_path', quote_ident($1), false)",
        &[&schema],
    )?;
    Ok(())
}

/// Connects one client to the store's schema.
pub(crate) fn connect(config: &Config, tls: &Tls, schema: &str) -> Result<Client, Error> {
    let mut client = connect_bare(config, tls)?;
    use_schema(&mut client, schema)?;
    Ok(client)
}

/// One pooled connection with its prepared statements.
pub(crate) struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
    /// Set when a statement reported the connection gone, so the pool discards it.
    lost: bool,
    /// The pool's count of round trips to the server.
    trips: Arc<AtomicU64>,
}

impl Conn {
    fn new(client: Client, trips: Arc<AtomicU64>) -> Conn {
        Conn {
            client,
            statements: HashMap::new(),
            lost: false,
            trips,
        }
    }

    /// The client, for one round trip to the server: every use is counted, so tests can
    /// pin what an operation costs (one relaxed increment, nothing beside a round trip).
    fn client(&mut self) -> &mut Client {
        self.trips.fetch_add(1, Ordering::Relaxed);
        &mut self.client
    }

    /// The prepared form of `sql`, prepared on this connection the first time it is used
    /// (every statement the store runs is a `'static` string, so the cache is bounded by
    /// the number of distinct statements).
    fn statement(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client().prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Runs a query, all rows.
    pub(crate) fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, Failure> {
        let statement = self.statement(sql)?;
        Ok(self.client().query(&statement, params)?)
    }

    /// Runs a query that returns at most one row.
    pub(crate) fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, Failure> {
        let statement = self.statement(sql)?;
        Ok(self.client().query_opt(&statement, params)?)
    }

    /// Runs a statement; the rows it changed. The error is PostgreSQL's, for callers that
    /// map a unique violation.
    pub(crate) fn execute_raw(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client().execute(&statement, params)
    }

    /// Runs a statement; the rows it changed.
    pub(crate) fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Failure> {
        Ok(self.execute_raw(sql, params)?)
    }

    /// Runs a query that returns at most one row; the error is PostgreSQL's, for callers
    /// that map a unique violation.
    pub(crate) fn query_opt_raw(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.statement(sql)?;
        self.client().query_opt(&statement, params)
    }
}

/// Makes the pool's connections.
pub(crate) struct Manager {
    config: Config,
    tls: Tls,
    schema: String,
    trips: Arc<AtomicU64>,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = Error;

    fn connect(&self) -> Result<Conn, Error> {
        connect(&self.config, &self.tls, &self.schema)
            .map(|client| Conn::new(client, Arc::clone(&self.trips)))
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Error> {
        conn.client().simple_query("")?;
        Ok(())
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.lost || conn.client.is_closed()
    }
}

/// The pool, and the retry budget.
pub(crate) struct Db {
    pool: r2d2::Pool<Manager>,
    retries: u32,
    /// Round trips to the server on the pool's connections, since the pool was made.
    trips: Arc<AtomicU64>,
}

impl Db {
    /// A pool of up to `options.pool_size` connections, opened on demand.
    pub(crate) fn new(config: Config, tls: Tls, schema: String, options: &PostgresOptions) -> Db {
        let trips = Arc::new(AtomicU64::new(0));
        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(options.checkout_timeout)
            // A dead connection shows itself at its first statement, which the retry loop
            // below handles; a probe per checkout would cost a round trip per operation.
            .test_on_check_out(false)
            .build_unchecked(Manager {
                config,
                tls,
                schema,
                trips: Arc::clone(&trips),
            });
        Db {
            pool,
            retries: options.retries,
            trips,
        }
    }

    /// Round trips to the server so far (statements, their preparation, `BEGIN` and
    /// `COMMIT`), over every connection of the pool.
    pub(crate) fn round_trips(&self) -> u64 {
        self.trips.load(Ordering::Relaxed)
    }

    /// Runs `body` in a transaction (`READ COMMITTED`: every write is a compare-and-swap
    /// on a version or guarded by a constraint, so it needs no stronger isolation),
    /// committing on `Ok`.
    pub(crate) fn write<T>(
        &self,
        mut body: impl FnMut(&mut Conn) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.run(|conn| transaction(conn, &mut body))
    }

    /// Runs `body`, which must be ONE writing statement, outside a transaction: PostgreSQL
    /// commits the statement on its own, so the write costs one round trip instead of
    /// three (`BEGIN`, the statement, `COMMIT`). `Ok(None)` when the connection was lost
    /// during it: the outcome is unknown (the statement may or may not have committed),
    /// and the caller settles it by reading, never by blindly running it again.
    pub(crate) fn write_statement<T>(
        &self,
        mut body: impl FnMut(&mut Conn) -> Result<T, Failure>,
    ) -> Result<Option<T>, StoreError> {
        self.run(|conn| match body(conn) {
            Ok(value) => Ok(Some(value)),
            Err(failure) if failure.is_lost() => {
                conn.lost = true;
                Ok(None)
            }
            Err(failure) => Err(Outcome::Failed(failure)),
        })
    }

    /// Runs `body` outside a transaction: each of its statements sees the committed state
    /// at its start, so a read that must be consistent is one statement.
    pub(crate) fn read<T>(
        &self,
        mut body: impl FnMut(&mut Conn) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.run(|conn| body(conn).map_err(Outcome::Failed))
    }

    /// Runs `attempt` on a pooled connection. A serialization failure or deadlock, or a
    /// connection lost before its transaction committed (PostgreSQL then rolled it back),
    /// runs it again on another connection, up to the retry budget; a lost connection is
    /// not returned to the pool.
    fn run<T>(
        &self,
        mut attempt: impl FnMut(&mut Conn) -> Result<T, Outcome>,
    ) -> Result<T, StoreError> {
        let mut tries = 0;
        loop {
            let mut conn = self
                .pool
                .get()
                .map_err(|e| StoreError::from(Error::Pool(e.to_string())))?;
            let result = attempt(&mut conn);
            let failure = match result {
                Ok(value) => return Ok(value),
                Err(Outcome::Failed(failure)) => failure,
                Err(Outcome::Unknown(failure)) => {
                    conn.lost = true;
                    return Err(failure.into());
                }
            };
            if failure.is_lost() {
                conn.lost = true;
            }
            let again = failure.is_retryable() || failure.is_lost();
            if !again || tries >= self.retries {
                return Err(failure.into());
            }
            drop(conn);
            tries += 1;
            std::thread::sleep(backoff(tries));
        }
    }
}

/// How an attempt failed: before anything could have been committed, or with the outcome
/// unknown (the connection was lost while committing), which is never retried.
pub(crate) enum Outcome {
    /// Nothing was committed.
    Failed(Failure),
    /// The commit may or may not have happened.
    Unknown(Failure),
}

impl From<Failure> for Outcome {
    fn from(f: Failure) -> Self {
        Outcome::Failed(f)
    }
}

fn transaction<T>(
    conn: &mut Conn,
    body: &mut impl FnMut(&mut Conn) -> Result<T, Failure>,
) -> Result<T, Outcome> {
    conn.client()
        .batch_execute("BEGIN")
        .map_err(Failure::from)?;
    match body(conn) {
        Ok(value) => match conn.client().batch_execute("COMMIT") {
            Ok(()) => Ok(value),
            Err(e) if is_lost(&e) => Err(Outcome::Unknown(e.into())),
            Err(e) => Err(Outcome::Failed(e.into())),
        },
        Err(failure) => {
            if !failure.is_lost() {
                // Best effort: a connection that cannot even roll back is lost, and
                // the server rolls back whatever it had open.
                if conn.client().batch_execute("ROLLBACK").is_err() {
                    conn.lost = true;
                }
            }
            Err(Outcome::Failed(failure))
        }
    }
}

/// 2, 4, 8 ... ms, at most 128 ms, between retries.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(1 << attempt.clamp(1, 7))
}

/// The schema the store uses: the option's, or the connection's current one.
pub(crate) fn resolve_schema(client: &mut Client, wanted: Option<&str>) -> Result<String, Error> {
    if let Some(name) = wanted {
        let plain = !name.is_empty()
            && name.len() <= 63
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit();
        if !plain {
            return Err(Error::InvalidSchema(name.to_owned()));
        }
        return Ok(name.to_owned());
    }
    let current: Option<String> = client.query_one("SELECT current_schema()", &[])?.get(0);
    current.ok_or_else(|| Error::InvalidSchema("(no schema of the search_path exists)".into()))
}

/// Refuses a database whose encoding is not UTF-8.
pub(crate) fn check_encoding(client: &mut Client) -> Result<(), Error> {
    let encoding: String = client
        .query_one("SELECT current_setting('server_encoding')", &[])?
        .get(0);
    if encoding != "UTF8" {
        return Err(Error::NotUtf8(encoding));
    }
    Ok(())
}

/// Applies every migration the schema lacks, each in its own transaction under
/// `pg_advisory_xact_lock` on the schema's name, together with its version. Instances
/// starting at once serialise on the lock; each reads the version inside its transaction,
/// so no step runs twice. A schema with tables but no `userpool_schema` is refused, and a
/// newer version is refused, without a write. Returns the final version.
pub(crate) fn migrate(
    client: &mut Client,
    schema: &str,
    migrations: &[Migration],
) -> Result<i64, Error> {
    let newest = migrations.last().map_or(0, |m| m.version);
    loop {
        let mut tx = client.transaction()?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('userpool schema ' || $1, 0))",
            &[&schema],
        )?;
        let current = match schema_version(&mut tx, schema)? {
            Some(version) => version,
            None => {
                let tables: i64 = tx
                    .query_one(
                        "SELECT count(*) FROM pg_catalog.pg_class c \
                         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                        &[&schema],
                    )?
                    .get(0);
                if tables > 0 {
                    return Err(Error::ForeignDatabase {
                        schema: schema.to_owned(),
                    });
                }
                0
            }
        };
        if current > newest {
            return Err(Error::NewerSchema {
                found: current,
                supported: newest,
            });
        }
        let Some(next) = migrations.iter().find(|m| m.version == current + 1) else {
            tx.commit()?;
            return Ok(current);
        };
        let failed = |source| Error::Migration {
            from: current,
            to: next.version,
            source,
        };
        if current == 0 {
            let quoted: String = tx.query_one("SELECT quote_ident($1)", &[&schema])?.get(0);
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {quoted}"))
                .map_err(failed)?;
        }
        tx.batch_execute(next.sql).map_err(failed)?;
        tx.execute("UPDATE userpool_schema SET version = $1", &[&next.version])
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
}

/// The schema's version, `None` when it has no `userpool_schema` table.
fn schema_version(tx: &mut postgres::Transaction<'_>, schema: &str) -> Result<Option<i64>, Error> {
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables \
             WHERE schemaname = $1 AND tablename = 'userpool_schema')",
            &[&schema],
        )?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = tx
        .query_opt("SELECT version FROM userpool_schema", &[])?
        .ok_or_else(|| Error::Corrupt("userpool_schema: no version row".into()))?;
    Ok(Some(row.get(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(2));
        assert_eq!(backoff(3), Duration::from_millis(8));
        assert_eq!(backoff(30), Duration::from_millis(128));
    }
}
