//! The whole conformance kit of `userpool-store`, each case on a fresh database file in its
//! own temporary directory, and once more on in-memory databases.

use tempfile::TempDir;
use userpool_sqlite::SqliteStore;
use userpool_store::conformance::{self, Harness};

/// A fresh database file per case; the directory (with the file, its WAL and shared-memory
/// files) is removed when the guard drops.
struct File;

impl Harness for File {
    type Store = SqliteStore;
    type Guard = TempDir;
    fn make(&self) -> (SqliteStore, TempDir) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = SqliteStore::open(dir.path().join("kit.db")).expect("open a fresh database");
        (store, dir)
    }
}

/// A private in-memory database per case.
struct Memory;

impl Harness for Memory {
    type Store = SqliteStore;
    type Guard = ();
    fn make(&self) -> (SqliteStore, ()) {
        (SqliteStore::open_in_memory().expect("open in memory"), ())
    }
}

mod file {
    userpool_store::conformance_tests!(super::File);
}

#[test]
fn conformance_kit_passes_on_in_memory_databases() {
    conformance::run_all(&Memory);
}

/// The kit skips the cases of a capability a store declares absent: this store has both,
/// so none of its cases may be skipped.
#[test]
fn sqlite_store_has_token_and_oauth_storage_so_the_kit_skips_nothing() {
    let (store, _dir) = File.make();
    assert_eq!(
        conformance::token_storage_support(&store),
        conformance::Support::Full
    );
    assert_eq!(
        conformance::oauth_storage_support(&store),
        conformance::Support::Full
    );
}
