//! The crate's one error type, for opening a store; every [`Store`](userpool_store::Store)
//! method reports [`StoreError`] instead, with this error's text in
//! [`StoreError::Backend`].

use std::error::Error as _;

use postgres::error::SqlState;
use userpool_store::StoreError;

/// Why a store could not be opened (or, inside [`StoreError::Backend`], why an operation
/// failed). No variant carries a password, a hash or a code: the connection URL is never
/// echoed, and every value reaches PostgreSQL as a bound parameter, so its messages name
/// statements and constraints, not values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL does not parse (the text says which part; the URL itself is not
    /// repeated, since it may hold a password).
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// The schema name given in [`crate::PostgresOptions::schema`] is not a plain
    /// identifier (ASCII letters, digits and `_`, not starting with a digit, at most 63).
    #[error("invalid schema name (ASCII letters, digits and '_', at most 63): {0:?}")]
    InvalidSchema(String),
    /// The CA file could not be read or holds no certificate.
    #[error("database CA file: {0}")]
    Tls(String),
    /// The server refused the credentials (SQLSTATE class 28: a wrong user or password,
    /// or no `pg_hba.conf` entry).
    #[error("the database refused the credentials: {0}")]
    Authentication(#[source] postgres::Error),
    /// No connection could be made (nothing listening, a refused TLS handshake, a timeout).
    #[error("cannot connect to the database: {0}")]
    Unreachable(#[source] postgres::Error),
    /// The schema holds tables but no userpool schema version: it belongs to another
    /// application. It was not modified.
    #[error(
        "schema {schema:?} belongs to another application (it has tables but no userpool schema version); it was left untouched"
    )]
    ForeignDatabase {
        /// The schema.
        schema: String,
    },
    /// The schema was written by a newer version of this crate. It was not modified:
    /// migrations only go forward, and this version cannot know what the newer schema means.
    #[error(
        "the database has schema version {found}, newer than the {supported} this build of userpool-postgres supports; upgrade userpool-postgres"
    )]
    NewerSchema {
        /// The database's version.
        found: i64,
        /// The newest version this crate knows ([`crate::schema::VERSION`]).
        supported: i64,
    },
    /// The database's encoding is not UTF-8: text would not round-trip, and `COLLATE "C"`
    /// would not order by code point.
    #[error("the database's encoding is {0}, not UTF8")]
    NotUtf8(String),
    /// A migration failed; its transaction was rolled back, so the schema stays at `from`.
    #[error(
        "migration to schema version {to} failed (the schema stays at version {from}): {source}"
    )]
    Migration {
        /// The version the schema was at, and still is.
        from: i64,
        /// The version the failed migration would have produced.
        to: i64,
        /// What PostgreSQL said.
        source: postgres::Error,
    },
    /// A stored row this crate cannot read back. The message names the table and column,
    /// never the value.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// No pooled connection within the checkout timeout (the database is down, or every
    /// connection is busy).
    #[error("no database connection: {0}")]
    Pool(String),
    /// Any other PostgreSQL failure.
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
}

impl Error {
    /// Classifies a failure to connect: credentials refused, or the server unreachable.
    pub(crate) fn connecting(e: postgres::Error) -> Error {
        match e.code() {
            Some(code) if code.code().starts_with("28") => Error::Authentication(e),
            Some(_) => Error::Postgres(e),
            None => Error::Unreachable(e),
        }
    }
}

/// Whether `e` says the transaction lost a race it may win on a second try: a
/// serialization failure (40001) or a deadlock (40P01). PostgreSQL rolled it back whole.
pub(crate) fn is_retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// Whether `e` says the connection is gone (closed, an I/O error, the server shutting down
/// or restarting): the server rolled back whatever the connection had open, and the
/// connection must not be pooled again.
pub(crate) fn is_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        // 08: connection exception; 57P01..03: admin shutdown, crash shutdown, cannot
        // connect now (a restart).
        let code = code.code();
        return code.starts_with("08") || code.starts_with("57P");
    }
    let mut source = e.source();
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// The constraint a unique violation (23505) names, if `e` is one.
pub(crate) fn unique_violation(e: &postgres::Error) -> Option<&str> {
    let db = e.as_db_error()?;
    if *db.code() != SqlState::UNIQUE_VIOLATION {
        return None;
    }
    db.constraint()
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

/// What a transaction body fails with: a store outcome to report as is, or a PostgreSQL
/// failure (retried when it is a lost race or a lost connection, else reported as
/// [`StoreError::Backend`]).
#[derive(Debug)]
pub(crate) enum Failure {
    /// A result of the operation (`Conflict`, `UsernameExists`, ...): never retried.
    Store(StoreError),
    /// A backend failure.
    Backend(Error),
}

impl Failure {
    fn postgres(&self) -> Option<&postgres::Error> {
        match self {
            Failure::Backend(Error::Postgres(e)) => Some(e),
            _ => None,
        }
    }

    /// A serialization failure or a deadlock.
    pub(crate) fn is_retryable(&self) -> bool {
        self.postgres().is_some_and(is_retryable)
    }

    /// The connection is gone.
    pub(crate) fn is_lost(&self) -> bool {
        self.postgres().is_some_and(is_lost)
    }
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Self {
        Failure::Backend(Error::Postgres(e))
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Backend(e)
    }
}

impl From<Failure> for StoreError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Store(e) => e,
            Failure::Backend(e) => e.into(),
        }
    }
}

/// The outcome of an insert that constraints refuse only for the reasons the caller names:
/// a violation of the unique constraint `key` is `taken` (`GroupExists`, `ClientExists`,
/// ...); a foreign-key violation is `orphan` where given (`PoolNotFound`, `NotFound`: the
/// parent was deleted since it was read); any other failure is PostgreSQL's.
pub(crate) fn unless_taken(
    result: Result<u64, postgres::Error>,
    key: &str,
    taken: StoreError,
    orphan: Option<StoreError>,
) -> Result<u64, Failure> {
    result.map_err(|e| {
        if unique_violation(&e) == Some(key) {
            return taken.into();
        }
        match orphan {
            Some(orphan) if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) => orphan.into(),
            _ => e.into(),
        }
    })
}

/// Fails with `missing` (`PoolNotFound`, `GroupNotFound`, `NotFound`) unless `select`
/// finds a row.
pub(crate) fn require_row(
    conn: &mut crate::connection::Conn,
    select: &'static str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    missing: StoreError,
) -> Result<(), Failure> {
    match conn.query_opt(select, params)? {
        Some(_) => Ok(()),
        None => Err(missing.into()),
    }
}

/// Deletes the one row `delete` names by its two key values (`$1`, `$2`); no such row is
/// `missing` (`NotFound`, `GroupNotFound`).
pub(crate) fn delete_keyed(
    conn: &mut crate::connection::Conn,
    delete: &'static str,
    key: [&str; 2],
    missing: StoreError,
) -> Result<(), Failure> {
    let changed = conn.execute(delete, &[&key[0], &key[1]])?;
    if changed == 0 {
        return Err(missing.into());
    }
    Ok(())
}

/// Why a compare-and-swap changed no row: `select_version` reads the row's `version` now by
/// its two key values (`$1`, `$2`); a version is a [`StoreError::Conflict`], no row is
/// `missing` (see [`userpool_store::codec::lost_swap`]).
pub(crate) fn lost_swap(
    conn: &mut crate::connection::Conn,
    select_version: &'static str,
    key: [&str; 2],
    expected: u64,
    column: &str,
    missing: StoreError,
) -> Failure {
    let refusal = conn
        .query_opt(select_version, &[&key[0], &key[1]])
        .and_then(|row| {
            row.map(|row| crate::pools::get::<i64>(&row, "version"))
                .transpose()
        })
        .and_then(|current| {
            Ok(userpool_store::codec::lost_swap(
                expected, current, column, missing,
            )?)
        });
    match refusal {
        Ok(refusal) => refusal.into(),
        Err(failure) => failure,
    }
}

/// A corrupt-row failure naming where, never what.
pub(crate) fn corrupt(what: impl Into<String>) -> Failure {
    Failure::Backend(Error::Corrupt(what.into()))
}

impl From<userpool_store::codec::Corrupt> for Failure {
    fn from(e: userpool_store::codec::Corrupt) -> Self {
        corrupt(e.0)
    }
}
