//! Opening a database safely, migrating it, and running transactions with retries.
//!
//! Opening reads before it writes: the file's permissions, then the header (`user_version`,
//! `application_id`) and the table list. Only when the file is an SQLite database that is
//! empty or ours, at a version we know, does the store switch it to WAL and migrate it. A
//! refused file is closed without a byte written.

use std::path::Path;
#[cfg(test)]
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, MAIN_DB, OpenFlags, Transaction, TransactionBehavior};
use userpool_store::StoreError;

use crate::error::{Error, Failure};
use crate::options::SqliteOptions;
use crate::schema::{self, APPLICATION_ID, Migration};

/// One connection behind a mutex, and the retry budget for `SQLITE_BUSY`.
pub(crate) struct Db {
    conn: Mutex<Connection>,
    retries: u32,
    /// Transactions begun (read, write): what the tests of round trips per operation
    /// count.
    #[cfg(test)]
    pub(crate) begun: (AtomicU64, AtomicU64),
}

impl Db {
    pub(crate) fn new(conn: Connection, retries: u32) -> Self {
        Db {
            conn: Mutex::new(conn),
            retries,
            #[cfg(test)]
            begun: (AtomicU64::new(0), AtomicU64::new(0)),
        }
    }

    /// The connection. A thread that panicked while holding it cannot have left a
    /// transaction open (rusqlite rolls back when a `Transaction` is dropped, unwinding
    /// included), but we make sure before handing the connection on.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        let guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        if !guard.is_autocommit() {
            // Best effort: if even this fails, the next BEGIN reports the problem.
            let _ = guard.execute_batch("ROLLBACK");
        }
        guard
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`: the write lock is taken up
    /// front, so the body never has to upgrade a read lock and cannot deadlock), committing
    /// on `Ok`. When SQLite reports `SQLITE_BUSY` anywhere in it, the transaction is rolled
    /// back and the whole body runs again, up to the retry budget.
    pub(crate) fn write<T>(
        &self,
        body: impl FnMut(&Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.run(TransactionBehavior::Immediate, body)
            .map_err(StoreError::from)
    }

    /// Runs `body` in a read transaction (one consistent snapshot for all its statements).
    pub(crate) fn read<T>(
        &self,
        body: impl FnMut(&Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        self.run(TransactionBehavior::Deferred, body)
            .map_err(StoreError::from)
    }

    /// Runs `f` on the bare connection (no transaction), for pragmas.
    pub(crate) fn with_connection<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        f(&mut self.lock())
    }

    fn run<T>(
        &self,
        behavior: TransactionBehavior,
        mut body: impl FnMut(&Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let mut attempt = 0;
        loop {
            #[cfg(test)]
            match behavior {
                TransactionBehavior::Immediate => &self.begun.1,
                _ => &self.begun.0,
            }
            .fetch_add(1, Ordering::Relaxed);
            let result = {
                let mut conn = self.lock();
                transaction(&mut conn, behavior, &mut body)
            };
            match result {
                Err(failure) if failure.is_busy() && attempt < self.retries => {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
                other => return other,
            }
        }
    }
}

fn transaction<T>(
    conn: &mut Connection,
    behavior: TransactionBehavior,
    body: &mut impl FnMut(&Transaction<'_>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let tx = conn.transaction_with_behavior(behavior)?;
    let value = body(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// 2, 4, 8 ... ms, at most 128 ms, between retries (on top of SQLite's own busy timeout).
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(1 << attempt.clamp(1, 7))
}

/// Opens (or creates) a database file, refusing anything that is not empty or ours.
pub(crate) fn open_file(path: &Path, options: &SqliteOptions) -> Result<Connection, Error> {
    match std::fs::metadata(path) {
        // Checked by us because SQLite would open a write-protected file read-only and
        // fail only at the first write — and as root, it would write through the bits.
        Ok(meta) if meta.permissions().readonly() => {
            return Err(Error::ReadOnly {
                path: path.to_owned(),
            });
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if options.create {
                create_private(path)?;
            }
        }
        Err(source) => {
            return Err(Error::Io {
                path: path.to_owned(),
                source,
            });
        }
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if options.create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let classify = |e: rusqlite::Error| classify(path, e);
    let conn = Connection::open_with_flags(path, flags).map_err(classify)?;
    if conn.is_readonly(MAIN_DB).map_err(classify)? {
        return Err(Error::ReadOnly {
            path: path.to_owned(),
        });
    }
    conn.busy_timeout(options.busy_timeout).map_err(classify)?;
    check_header(&conn, path).map_err(|e| match e {
        Error::Sqlite(e) => classify(e),
        other => other,
    })?;
    configure(&conn, options, true).map_err(|e| match e {
        Error::Sqlite(e) => classify(e),
        other => other,
    })?;
    Ok(conn)
}

/// Creates an empty database file readable and writable by its owner only (SPEC §14).
///
/// SQLite would create it with the process's default mode (typically `0644`), and it
/// creates `-wal` and `-shm` with the mode of the database file: so creating the main file
/// `0600` first is what keeps all three private. An empty file is a valid empty database
/// to SQLite. Losing a race to another process creating it is fine: that one is ours or
/// is checked like any existing file.
fn create_private(path: &Path) -> Result<(), Error> {
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    match create.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// A fresh private in-memory database.
pub(crate) fn open_memory(options: &SqliteOptions) -> Result<Connection, Error> {
    let conn = Connection::open_in_memory()?;
    configure(&conn, options, false)?;
    Ok(conn)
}

fn classify(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::NotADatabase {
            path: path.to_owned(),
        },
        Some(ErrorCode::ReadOnly) => Error::ReadOnly {
            path: path.to_owned(),
        },
        _ => Error::Sqlite(e),
    }
}

/// Reads the header and the table list; writes nothing. One read transaction, so that
/// another process migrating the file meanwhile is seen entirely or not at all.
fn check_header(conn: &Connection, path: &Path) -> Result<(), Error> {
    let snapshot = conn.unchecked_transaction()?;
    let version: i64 = snapshot.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let application_id: i64 =
        snapshot.pragma_query_value(None, "application_id", |row| row.get(0))?;
    let tables: i64 =
        snapshot.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    snapshot.commit()?;
    let ours = application_id == APPLICATION_ID;
    let empty = version == 0 && application_id == 0 && tables == 0;
    if !ours && !empty {
        return Err(Error::ForeignDatabase {
            path: path.to_owned(),
        });
    }
    if version > schema::VERSION {
        return Err(Error::NewerSchema {
            found: version,
            supported: schema::VERSION,
        });
    }
    Ok(())
}

/// Per-connection settings, then WAL (persistent, file databases only).
fn configure(conn: &Connection, options: &SqliteOptions, wal: bool) -> Result<(), Error> {
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "foreign_keys", true)?;
    // Deleted content (a pool's signing key, a client's secret) is overwritten with
    // zeros, not left in free pages for a copy of the file to give away (SPEC §14).
    conn.pragma_update(None, "secure_delete", true)?;
    if wal {
        // Switching needs a moment of exclusive access: another process opening the same
        // file at the same instant can make it busy, so retry like a transaction.
        let mut attempt = 0;
        loop {
            match conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
            {
                Ok(_) => break,
                Err(e) if crate::error::is_busy(&e) && attempt < options.busy_retries => {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    conn.pragma_update(None, "synchronous", options.synchronous.pragma_value())?;
    Ok(())
}

/// Applies every migration the database lacks, each in its own `BEGIN IMMEDIATE`
/// transaction together with its `user_version`. Several processes opening one new file at
/// once serialise on the write lock; each re-reads the version inside its transaction, so
/// no step runs twice. Returns the final version.
pub(crate) fn migrate(
    conn: &mut Connection,
    migrations: &[Migration],
    retries: u32,
) -> Result<i64, Error> {
    let newest = migrations.last().map_or(0, |m| m.version);
    let mut attempt = 0;
    loop {
        match migrate_one(conn, migrations, newest) {
            Ok(Some(_)) => attempt = 0,
            Ok(None) => return Ok(newest),
            Err(e) if e.is_busy() && attempt < retries => {
                attempt += 1;
                std::thread::sleep(backoff(attempt));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Applies the next migration, if any; returns the version reached, `None` when current.
fn migrate_one(
    conn: &mut Connection,
    migrations: &[Migration],
    newest: i64,
) -> Result<Option<i64>, Error> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > newest {
        return Err(Error::NewerSchema {
            found: current,
            supported: newest,
        });
    }
    let Some(next) = migrations.iter().find(|m| m.version == current + 1) else {
        return Ok(None);
    };
    let failed = |source| Error::Migration {
        from: current,
        to: next.version,
        source,
    };
    tx.execute_batch(next.sql).map_err(failed)?;
    tx.pragma_update(None, "user_version", next.version)
        .map_err(failed)?;
    tx.commit().map_err(failed)?;
    Ok(Some(next.version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("user_version")
    }

    #[test]
    fn failed_migration_rolls_back_and_keeps_the_version() {
        let broken = [
            Migration {
                version: 1,
                description: "fine",
                sql: "CREATE TABLE a (x INTEGER) STRICT;",
            },
            Migration {
                version: 2,
                description: "fails half-way",
                sql: "CREATE TABLE b (x INTEGER) STRICT; INSERT INTO nowhere VALUES (1);",
            },
        ];
        let mut conn = Connection::open_in_memory().expect("open");
        let result = migrate(&mut conn, &broken, 0);
        assert!(
            matches!(result, Err(Error::Migration { from: 1, to: 2, .. })),
            "{result:?}"
        );
        assert_eq!(
            version(&conn),
            1,
            "the failed step did not advance the version"
        );
        let b: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'b'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(b, 0, "the failed step's table was rolled back with it");
    }

    #[test]
    fn migrate_is_idempotent() {
        let mut conn = Connection::open_in_memory().expect("open");
        assert_eq!(
            migrate(&mut conn, schema::MIGRATIONS, 0).expect("first"),
            schema::VERSION
        );
        assert_eq!(
            migrate(&mut conn, schema::MIGRATIONS, 0).expect("again"),
            schema::VERSION
        );
        assert_eq!(version(&conn), schema::VERSION);
    }

    #[test]
    fn migrate_refuses_a_newer_database() {
        let mut conn = Connection::open_in_memory().expect("open");
        conn.pragma_update(None, "user_version", schema::VERSION + 1)
            .expect("set");
        assert!(matches!(
            migrate(&mut conn, schema::MIGRATIONS, 0),
            Err(Error::NewerSchema { .. })
        ));
    }

    #[test]
    fn configure_applies_synchronous_and_foreign_keys() {
        use crate::options::Synchronous;
        let dir = tempfile::tempdir().expect("dir");
        for (level, expected) in [
            (Synchronous::Normal, 1),
            (Synchronous::Full, 2),
            (Synchronous::Extra, 3),
        ] {
            let options = SqliteOptions::default().synchronous(level);
            let conn = open_file(&dir.path().join("sync.db"), &options).expect("open");
            let read = |pragma: &str| -> i64 {
                conn.pragma_query_value(None, pragma, |r| r.get(0))
                    .expect(pragma)
            };
            assert_eq!(read("synchronous"), expected, "{level:?}");
            assert_eq!(read("foreign_keys"), 1);
            assert_eq!(read("secure_delete"), 1);
        }
        assert_eq!(SqliteOptions::default().synchronous, Synchronous::Full);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(2));
        assert_eq!(backoff(3), Duration::from_millis(8));
        assert_eq!(backoff(30), Duration::from_millis(128));
    }
}
