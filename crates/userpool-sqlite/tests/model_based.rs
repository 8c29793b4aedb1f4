//! SPEC §3–§6 through the service over `SqliteStore`: the same model-based check as
//! `userpool-store`'s `tests/model_based.rs` (random sequences of every operation, time
//! advancing across temporary-password expiry, every step compared with the reference
//! model, including which passwords sign in and which history refuses, probed on the
//! record as read back from SQLite), on in-memory databases and on database files; and
//! long histories (more than twelve passwords, sizes 13 and 24, changed mid-sequence).

use std::sync::Arc;

use userpool::model_check;
use userpool_sqlite::SqliteStore;

#[test]
fn service_over_in_memory_sqlite_agrees_with_the_model() {
    model_check::check_random(32, 30, || {
        Arc::new(SqliteStore::open_in_memory().expect("open in memory"))
    })
    .unwrap_or_else(|report| panic!("{report}"));
}

#[test]
fn service_over_a_sqlite_file_agrees_with_the_model() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // One file for every case: each case creates its own pool in it.
    let store = Arc::new(SqliteStore::open(dir.path().join("model.db")).expect("open a file"));
    model_check::check_random(12, 30, || Arc::clone(&store))
        .unwrap_or_else(|report| panic!("{report}"));
}

#[test]
fn service_over_sqlite_with_long_histories_agrees_with_the_model() {
    model_check::check_random_long_histories(12, 48, || {
        Arc::new(SqliteStore::open_in_memory().expect("open in memory"))
    })
    .unwrap_or_else(|report| panic!("{report}"));
}
