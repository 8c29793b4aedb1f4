//! SPEC §10 (a damaged database): hostile values written behind the store's back into a
//! real SQLite database — the template pool, its client, users with attributes, history,
//! a pending code, a token session and the signing key — and then every read the server
//! makes: opening the file, DescribeUserPool, ListUserPools, DescribeUserPoolClient,
//! ListUsers (plain and filtered), AdminGetUser of each named user, sign-ins, GetUser,
//! refresh, ConfirmSignUp, the JWKS, and the `Store` reads directly. Each gives a typed
//! error or a valid answer (the fixture checks every answer is well formed); never a panic.
//!
//! Input: one edit per line, fields separated by tabs (see `corpus/sqlite_rows/`):
//! - `update <table> <rowid or *> <column> <value>`
//! - `insert <table> <column> <value> [<column> <value> ...]`
//! - `delete <table> <rowid or *>`
//!
//! where a value is `null`, `i:<integer>`, `f:<real>`, `x:<hex blob>`, `t:<text>` or any
//! other text. CHECK constraints are off for the edits (`ignore_check_constraints`), so
//! rows the schema would refuse get in; STRICT column types still hold, as they would for
//! any tool writing the file.
#![no_main]
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use rusqlite::types::Value as Sql;
use serde_json::json;
use userpool_fuzz::fixture::{NAMED_USERS, PASSWORD, TEMPORARY};
use userpool_fuzz::{Fixture, WireRequest, reach};
use userpool_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use userpool::{Store, TokenStore, UserKey};

const TABLES: [&str; 10] = [
    "pools",
    "clients",
    "client_auth_flows",
    "users",
    "user_attributes",
    "password_history",
    "aliases",
    "decoy_writes",
    "signing_keys",
    "token_sessions",
];

struct Template {
    dir: tempfile::TempDir,
    bytes: Vec<u8>,
    access: String,
    refresh: String,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        // In memory where there is a tmpfs: each input rewrites and reopens the file.
        let dir = tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .expect("dir");
        let path = dir.path().join("template.db");
        let (access, refresh) = {
            let store = SqliteStore::open(&path).expect("open");
            let mut fixture = Fixture::over(Arc::new(store));
            fixture.step(&format!(
                "InitiateAuth\n\n{}",
                json!({"ClientId": "$CLIENT",
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}})
            ));
            fixture.step(&format!(
                "ForgotPassword\n\n{}",
                json!({"ClientId": "$CLIENT", "Username": "user00"})
            ));
            (
                fixture.vars.apply("$ACCESS"),
                fixture.vars.apply("$REFRESH"),
            )
        };
        let raw = rusqlite::Connection::open(&path).expect("raw");
        raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
        drop(raw);
        let bytes = std::fs::read(&path).expect("read");
        Template {
            dir,
            bytes,
            access,
            refresh,
        }
    })
}

fn value(text: &str) -> Sql {
    match text.split_once(':') {
        _ if text == "null" => Sql::Null,
        Some(("i", n)) => n.trim().parse().map_or(Sql::Null, Sql::Integer),
        Some(("f", n)) => n.trim().parse().map_or(Sql::Null, Sql::Real),
        Some(("x", hex)) => Sql::Blob(
            hex.as_bytes()
                .chunks(2)
                .filter_map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
                .collect(),
        ),
        Some(("t", text)) => Sql::Text(text.to_owned()),
        _ => Sql::Text(text.to_owned()),
    }
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// The `WHERE` clause of a selector (`*`, a rowid, or `<column>=<value>`), its value
/// bound as parameter `?n`.
fn rows(selector: &str, n: usize) -> (String, Vec<Sql>) {
    if let Ok(rowid) = selector.trim().parse::<i64>() {
        return (format!("WHERE rowid = {rowid}"), Vec::new());
    }
    match selector.split_once('=') {
        Some((column, v)) => (format!("WHERE {} IS ?{n}", quoted(column)), vec![value(v)]),
        None => (String::new(), Vec::new()),
    }
}

fn edit(db: &rusqlite::Connection, line: &str) {
    let fields: Vec<&str> = line.split('\t').collect();
    let table = |name: &str| TABLES.contains(&name).then(|| quoted(name));
    let run = |sql: String, values: Vec<Sql>| db.execute(&sql, rusqlite::params_from_iter(values));
    // A refused edit (a STRICT type, a unique key) is simply not made.
    let _ = match fields[..] {
        ["update", t, selector, column, v] => table(t).map(|t| {
            let (filter, mut values) = rows(selector, 2);
            values.insert(0, value(v));
            run(
                format!("UPDATE {t} SET {} = ?1 {filter}", quoted(column)),
                values,
            )
        }),
        ["delete", t, selector] => table(t).map(|t| {
            let (filter, values) = rows(selector, 1);
            run(format!("DELETE FROM {t} {filter}"), values)
        }),
        ["insert", t, ref pairs @ ..] if !pairs.is_empty() && pairs.len() % 2 == 0 => {
            table(t).map(|t| {
                let columns: Vec<String> = pairs.iter().step_by(2).map(|c| quoted(c)).collect();
                let values: Vec<Sql> = pairs.iter().skip(1).step_by(2).map(|v| value(v)).collect();
                let marks: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
                run(
                    format!(
                        "INSERT INTO {t} ({}) VALUES ({})",
                        columns.join(", "),
                        marks.join(", ")
                    ),
                    values,
                )
            })
        }
        _ => None,
    };
}

fn scratch(t: &Template) -> PathBuf {
    let path = t.dir.path().join("fuzz.db");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(t.dir.path().join(format!("fuzz.db{suffix}")));
    }
    std::fs::write(&path, &t.bytes).expect("write");
    path
}

fuzz_target!(|data: &[u8]| {
    let t = template();
    let path = scratch(t);
    {
        let db = rusqlite::Connection::open(&path).expect("raw");
        db.execute_batch("PRAGMA ignore_check_constraints = ON")
            .expect("pragma");
        for line in String::from_utf8_lossy(data).lines().take(16) {
            edit(&db, line);
        }
    }
    let options = SqliteOptions::default().synchronous(Synchronous::Normal);
    let store = match SqliteStore::open_with(&path, &options) {
        Ok(store) => Arc::new(store),
        Err(e) => {
            reach::mark(&format!("sqlite_rows open refused: {e}"));
            return;
        }
    };
    // The store's reads, directly.
    let _ = store.list_pools();
    let _ = store.find_client("x");
    let mut fixture = Fixture::serving(store.clone());
    let pool = fixture.pool().clone();
    let _ = store.get_pool(&pool);
    let _ = store.list_users(&pool, None, 100);
    let _ = store.signing_key(&pool);
    for name in NAMED_USERS {
        let _ = store.find_user(&pool, UserKey::Username(name));
    }
    let _ = store.find_user(
        &pool,
        UserKey::Alias(userpool_core::AliasAttribute::Email, "alice@example.com"),
    );
    fixture.vars.set("$ACCESS", t.access.clone());
    fixture.vars.set("$REFRESH", t.refresh.clone());
    let mut requests = vec![
        format!(
            "DescribeUserPool signed\n\n{}",
            json!({"UserPoolId": "$POOL"})
        ),
        format!("ListUserPools signed\n\n{}", json!({"MaxResults": 60})),
        format!(
            "DescribeUserPoolClient signed\n\n{}",
            json!({"UserPoolId": "$POOL", "ClientId": "$CLIENT"})
        ),
        format!("ListUsers signed\n\n{}", json!({"UserPoolId": "$POOL"})),
        format!(
            "ListUsers signed\n\n{}",
            json!({"UserPoolId": "$POOL", "Limit": 3, "Filter": "email ^= \"user\""})
        ),
        format!("GetUser\n\n{}", json!({"AccessToken": "$ACCESS"})),
        format!(
            "InitiateAuth\n\n{}",
            json!({"ClientId": "$CLIENT", "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {"REFRESH_TOKEN": "$REFRESH"}})
        ),
        format!(
            "InitiateAuth\n\n{}",
            json!({"ClientId": "$CLIENT", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Wrong-Horse-9!"}})
        ),
        format!(
            "InitiateAuth\n\n{}",
            json!({"ClientId": "$CLIENT", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "bob", "PASSWORD": TEMPORARY}})
        ),
        format!(
            "ConfirmSignUp\n\n{}",
            json!({"ClientId": "$CLIENT", "Username": "carol", "ConfirmationCode": "000000"})
        ),
        format!(
            "ConfirmForgotPassword\n\n{}",
            json!({"ClientId": "$CLIENT", "Username": "user00", "ConfirmationCode": "000000", "Password": PASSWORD})
        ),
    ];
    for name in NAMED_USERS.iter().chain(&["user00"]) {
        requests.push(format!(
            "AdminGetUser signed\n\n{}",
            json!({"UserPoolId": "$POOL", "Username": name})
        ));
    }
    for request in &requests {
        let answered = fixture.send_text(&WireRequest::parse(request));
        assert!(answered.is_some(), "{request}");
    }
    let jwks = axum::http::Request::get(format!("/{}/.well-known/jwks.json", pool.as_str()))
        .body(axum::body::Body::empty())
        .expect("request");
    let _ = fixture.send(jwks);
});
