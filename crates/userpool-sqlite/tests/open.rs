//! Opening: what a fresh file becomes, what survives a reopen, and the files that are
//! refused — each with its own error, each left byte for byte as it was.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{database_files, pool, raw, user};
use userpool::{Store, StoreError, UserKey};
use userpool_sqlite::{Error, SqliteOptions, SqliteStore, schema};

/// Every file of the database with its bytes, to compare before and after a refused open.
fn snapshot(path: &Path) -> Vec<(String, Vec<u8>)> {
    database_files(path)
}

#[test]
fn fresh_file_gets_wal_the_newest_schema_and_our_application_id() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("fresh.db");
    let store = SqliteStore::open(&path).expect("open");
    assert_eq!(store.path(), Some(path.as_path()));
    drop(store);
    let conn = raw(&path);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("user_version");
    assert_eq!(version, schema::VERSION);
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .expect("application_id");
    assert_eq!(app, schema::APPLICATION_ID);
}

#[test]
fn data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("reopen.db");
    let p = pool("Reopen1", 0, &[]);
    {
        let store = SqliteStore::open(&path).expect("open");
        store.create_pool(&p).expect("create_pool");
        store
            .insert_user(&p.id, &user("kept", &[], 1))
            .expect("insert_user");
    }
    let store = SqliteStore::open(&path).expect("reopen");
    assert_eq!(store.get_pool(&p.id).expect("get_pool"), Some(p.clone()));
    let kept = store
        .find_user(&p.id, UserKey::Username("kept"))
        .expect("find_user");
    assert_eq!(kept.map(|u| u.version), Some(1));
}

#[test]
fn file_that_is_not_a_database_is_refused_and_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("garbage.db");
    // 8 KiB of deterministic noise: no SQLite header.
    let noise: Vec<u8> = (0u32..8192)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &noise).expect("write");
    let before = snapshot(&path);
    let result = SqliteStore::open(&path);
    assert!(
        matches!(result, Err(Error::NotADatabase { ref path }) if path.ends_with("garbage.db")),
        "{result:?}"
    );
    assert_eq!(snapshot(&path), before, "the file and no sidecar changed");
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("not an SQLite database"), "{message}");
}

#[test]
fn database_from_a_newer_schema_is_refused_and_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("newer.db");
    let p = pool("Newer1", 0, &[]);
    SqliteStore::open(&path)
        .expect("open")
        .create_pool(&p)
        .expect("create_pool");
    {
        let conn = raw(&path);
        conn.pragma_update(None, "user_version", schema::VERSION + 1)
            .expect("bump");
    } // the last connection to close checkpoints and removes the WAL
    let before = snapshot(&path);
    let result = SqliteStore::open(&path);
    match result {
        Err(Error::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (schema::VERSION + 1, schema::VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert_eq!(snapshot(&path), before);
}

#[test]
fn read_only_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("readonly.db");
    SqliteStore::open(&path)
        .expect("open")
        .create_pool(&pool("Ro1", 0, &[]))
        .expect("create_pool");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = snapshot(&path);
    let result = SqliteStore::open(&path);
    assert!(matches!(result, Err(Error::ReadOnly { .. })), "{result:?}");
    assert_eq!(snapshot(&path), before);
    // Made writable again, it opens as before.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let store = SqliteStore::open(&path).expect("open after chmod");
    assert_eq!(store.list_pools().expect("list").len(), 1);
}

#[test]
fn another_applications_database_is_refused_and_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("foreign.db");
    {
        let conn = raw(&path);
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
            .expect("foreign schema");
    }
    let before = snapshot(&path);
    let result = SqliteStore::open(&path);
    assert!(
        matches!(result, Err(Error::ForeignDatabase { .. })),
        "{result:?}"
    );
    assert_eq!(snapshot(&path), before);
}

#[test]
fn missing_file_without_create_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("absent.db");
    let result = SqliteStore::open_with(&path, &SqliteOptions::default().create(false));
    assert!(matches!(result, Err(Error::Sqlite(_))), "{result:?}");
    assert!(!path.exists());
}

#[test]
fn open_errors_become_backend_store_errors() {
    let e = StoreError::from(Error::NewerSchema {
        found: 9,
        supported: 2,
    });
    match e {
        StoreError::Backend(message) => {
            assert!(message.contains("schema version 9"), "{message}");
        }
        other => panic!("expected Backend, got {other:?}"),
    }
}

#[test]
fn in_memory_stores_are_private_to_each_handle() {
    let a = SqliteStore::open_in_memory().expect("a");
    let b = SqliteStore::open_in_memory().expect("b");
    a.create_pool(&pool("Mem1", 0, &[])).expect("create");
    assert_eq!(a.list_pools().expect("list a").len(), 1);
    assert!(b.list_pools().expect("list b").is_empty());
    assert_eq!(a.path(), None);
}
