//! How a store opens its database.

use std::time::Duration;

/// SQLite's `PRAGMA synchronous`: how hard a commit waits for the disk. In WAL mode (which
/// the store always uses for files) a process crash never loses a committed transaction at
/// any level; the levels differ on power loss and operating-system crashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Synchronous {
    /// The WAL is not synced at every commit: a power loss may roll back the last few
    /// acknowledged commits (the database stays consistent). Faster.
    Normal,
    /// The WAL is synced at every commit: an acknowledged write survives a power loss.
    /// The default.
    #[default]
    Full,
    /// As `Full`, and the directory is synced too when the journal changes.
    Extra,
}

impl Synchronous {
    pub(crate) fn pragma_value(self) -> &'static str {
        match self {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
            Synchronous::Extra => "EXTRA",
        }
    }
}

/// Options for [`crate::SqliteStore::open_with`].
///
/// ```
/// use std::time::Duration;
/// use userpool_sqlite::{SqliteOptions, Synchronous};
/// let options = SqliteOptions::default()
///     .synchronous(Synchronous::Normal)
///     .busy_timeout(Duration::from_secs(2));
/// assert_eq!(options.synchronous, Synchronous::Normal);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqliteOptions {
    /// Durability of commits (default [`Synchronous::Full`]).
    pub synchronous: Synchronous,
    /// How long one statement waits for another connection's lock before SQLite reports
    /// `SQLITE_BUSY` (default 5 s).
    pub busy_timeout: Duration,
    /// How many times a whole transaction is retried after `SQLITE_BUSY` (default 8), with
    /// a short growing pause between tries.
    pub busy_retries: u32,
    /// Create the file when it does not exist (default `true`).
    pub create: bool,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
            busy_retries: 8,
            create: true,
        }
    }
}

impl SqliteOptions {
    /// Sets [`SqliteOptions::synchronous`].
    #[must_use]
    pub fn synchronous(mut self, value: Synchronous) -> Self {
        self.synchronous = value;
        self
    }

    /// Sets [`SqliteOptions::busy_timeout`].
    #[must_use]
    pub fn busy_timeout(mut self, value: Duration) -> Self {
        self.busy_timeout = value;
        self
    }

    /// Sets [`SqliteOptions::busy_retries`].
    #[must_use]
    pub fn busy_retries(mut self, value: u32) -> Self {
        self.busy_retries = value;
        self
    }

    /// Sets [`SqliteOptions::create`].
    #[must_use]
    pub fn create(mut self, value: bool) -> Self {
        self.create = value;
        self
    }
}
