//! The crate's one error type, for opening a store; every [`Store`](userpool_store::Store)
//! method reports [`StoreError`] instead, with this error's text in
//! [`StoreError::Backend`].

use std::path::PathBuf;

use rusqlite::ErrorCode;
use userpool_store::StoreError;

/// Why a database could not be opened (or, inside [`StoreError::Backend`], why an operation
/// failed). No variant carries a password, a hash or a code: only paths, versions and
/// SQLite's own messages, whose statements never contain values (every value is bound as a
/// parameter).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file exists but is not an SQLite database (SQLite's `SQLITE_NOTADB`). It was not
    /// modified.
    #[error("{}: the file is not an SQLite database; it was left untouched", path.display())]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// The file is an SQLite database that some other program made: it has tables but no
    /// userpool schema version. It was not modified.
    #[error(
        "{}: the database belongs to another application (it has tables but no userpool schema); it was left untouched",
        path.display()
    )]
    ForeignDatabase {
        /// The file.
        path: PathBuf,
    },
    /// The database was written by a newer version of this crate. It was not modified:
    /// migrations only go forward, and this version cannot know what the newer schema means.
    #[error(
        "the database has schema version {found}, newer than the {supported} this build of userpool-sqlite supports; upgrade userpool-sqlite"
    )]
    NewerSchema {
        /// The database's `PRAGMA user_version`.
        found: i64,
        /// The newest version this crate knows ([`crate::schema::VERSION`]).
        supported: i64,
    },
    /// The file (or its directory) cannot be written: its permissions say read-only, or
    /// SQLite could only open it for reading. A store must write (migrations, WAL), so it
    /// refuses to open rather than fail at the first write.
    #[error("{}: the database file is read-only; the store needs write access", path.display())]
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// A migration failed; its transaction was rolled back, so the database stays at
    /// `from`.
    #[error(
        "migration to schema version {to} failed (the database stays at version {from}): {source}"
    )]
    Migration {
        /// The version the database was at, and still is.
        from: i64,
        /// The version the failed migration would have produced.
        to: i64,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A stored row that this crate cannot read back (a status, hash, digest or time out
    /// of range). The message names the table and field, never the value.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Any other SQLite failure.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file's metadata could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl Error {
    /// Whether this failure is SQLite saying another connection holds a lock
    /// (`SQLITE_BUSY`, `SQLITE_LOCKED`): worth retrying the whole transaction.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        match self {
            Error::Sqlite(e) | Error::Migration { source: e, .. } => is_busy(e),
            _ => false,
        }
    }
}

pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Whether `e` is a UNIQUE or PRIMARY KEY constraint refusing a write (not a CHECK or a
/// foreign key, which would be this crate's bug).
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_extended_error_code(),
        Some(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
    )
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

/// What a transaction body fails with: a store outcome to report as is, or an SQLite
/// failure (retried when busy, else reported as [`StoreError::Backend`]).
#[derive(Debug)]
pub(crate) enum Failure {
    /// A result of the operation (`Conflict`, `UsernameExists`, ...): never retried.
    Store(StoreError),
    /// A backend failure.
    Backend(Error),
}

impl Failure {
    pub(crate) fn is_busy(&self) -> bool {
        matches!(self, Failure::Backend(e) if e.is_busy())
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Backend(Error::Sqlite(e))
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

/// The outcome of a write that a UNIQUE or PRIMARY KEY constraint refuses only when the
/// record it writes exists already: that refusal is `taken` (`GroupExists`,
/// `ClientExists`, ...), any other failure is SQLite's.
pub(crate) fn unless_taken(
    result: rusqlite::Result<usize>,
    taken: StoreError,
) -> Result<usize, Failure> {
    result.map_err(|e| {
        if is_unique_violation(&e) {
            taken.into()
        } else {
            e.into()
        }
    })
}

/// Deletes the one row `delete` names by its two key values (`?1`, `?2`); no such row is
/// `missing` (`NotFound`, `GroupNotFound`).
pub(crate) fn delete_keyed(
    conn: &rusqlite::Connection,
    delete: &str,
    key: [&str; 2],
    missing: StoreError,
) -> Result<(), Failure> {
    let changed = conn.prepare_cached(delete)?.execute(key)?;
    if changed == 0 {
        return Err(missing.into());
    }
    Ok(())
}

/// Why a compare-and-swap changed no row: `select_version` reads the row's version now by
/// its two key values (`?1`, `?2`); a version is a [`StoreError::Conflict`], no row is
/// `missing` (see [`userpool_store::codec::lost_swap`]).
pub(crate) fn lost_swap(
    conn: &rusqlite::Connection,
    select_version: &str,
    key: [&str; 2],
    expected: u64,
    column: &str,
    missing: StoreError,
) -> Failure {
    let current = match conn
        .prepare_cached(select_version)
        .and_then(|mut statement| statement.query_row(key, |row| row.get(0)))
    {
        Ok(version) => Some(version),
        Err(rusqlite::Error::QueryReturnedNoRows) => None,
        Err(e) => return e.into(),
    };
    match userpool_store::codec::lost_swap(expected, current, column, missing) {
        Ok(refusal) => refusal.into(),
        Err(corrupt) => corrupt.into(),
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
