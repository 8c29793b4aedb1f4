//! SPEC §14 through the server: codes reach the log only in development mode or with
//! `--log-codes`; the admin secret comes from a file; the database and its key file are
//! private, and a database copied without its key file yields no secret.

mod common;

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use axum::Router;
use axum::http::StatusCode;
use clap::Parser;
use common::{JSON, error_type, request, send, signed_with};
use serde_json::json;
use userpool::{Caller, ClientSettings, PoolSettings};
use userpool_server::{App, Config, router, serve};

/// Everything logged by this test binary (a global subscriber: the delivery logs from the
/// blocking threads requests run on).
fn log() -> &'static Mutex<Vec<u8>> {
    static LOG: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("info")
            .without_time()
            .with_ansi(false)
            .with_writer(|| Capture)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        Mutex::new(Vec::new())
    })
}

struct Capture;

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        log()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The delivery's log lines about `username`.
fn delivery_lines(username: &str) -> Vec<String> {
    let text =
        String::from_utf8_lossy(&log().lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    text.lines()
        .filter(|line| line.contains("userpool_server::delivery") && line.contains(username))
        .map(str::to_owned)
        .collect()
}

fn six_digits_in(text: &str) -> bool {
    text.as_bytes()
        .windows(6)
        .any(|w| w.iter().all(u8::is_ascii_digit))
}

fn config(args: &[&str]) -> Config {
    let mut argv = vec![
        "userpool-server",
        "--hash-memory-kib",
        "1024",
        "--hash-iterations",
        "1",
    ];
    argv.extend_from_slice(args);
    Config::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"))
}

/// An app, a pool and a client (made on the service directly: no signature needed).
fn start(config: &Config) -> (Router, Arc<App>, String, String) {
    let _ = log();
    let app = Arc::new(serve::app(config, config.listen).unwrap_or_else(|e| panic!("{e}")));
    let admin = Caller::new("test");
    let pool = app
        .pools
        .create_user_pool(
            &admin,
            "p",
            PoolSettings {
                hash_params: app.hash_params,
                ..PoolSettings::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let client = app
        .pools
        .create_user_pool_client(&admin, pool.id.as_str(), "c", ClientSettings::default())
        .unwrap_or_else(|e| panic!("{e}"));
    (
        router(app.clone()),
        app,
        pool.id.as_str().to_owned(),
        client.client_id,
    )
}

async fn sign_up(app: &Router, client: &str, username: &str) {
    let body = json!({"ClientId": client, "Username": username, "Password": "Correct-Horse-9!"});
    let (status, out) = send(app, request(Some("SignUp"), Some(JSON), body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{out}");
}

fn secret_file(dir: &Path, secret: &str) -> String {
    let path = dir.join("admin-secret");
    std::fs::write(&path, format!("{secret}\n")).unwrap_or_else(|e| panic!("{e}"));
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn spec_14_codes_are_not_logged_with_an_admin_credential_configured() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = secret_file(dir.path(), "file-held-secret-1234");
    let config = config(&[
        "--memory",
        "--admin-access-key-id",
        "AKIDFROMFILE",
        "--admin-secret-access-key-file",
        &file,
    ]);
    let (app, _, pool, client) = start(&config);
    sign_up(&app, &client, "quietuser").await;
    let lines = delivery_lines("quietuser");
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = lines[0].replace(&pool, "");
    assert!(line.contains("confirmation code issued"), "{line}");
    assert!(!line.contains("code="), "{line}");
    assert!(!six_digits_in(&line), "{line}");

    // The secret read from the file signs admin requests; the dev credential does not.
    let list = json!({"MaxResults": 10});
    let (status, out) = send(
        &app,
        signed_with(
            "ListUserPools",
            &list,
            "AKIDFROMFILE",
            "file-held-secret-1234",
            SystemTime::now(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, out) = send(&app, common::signed("ListUserPools", &list)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{out}");
    assert!(
        !String::from_utf8_lossy(&log().lock().unwrap_or_else(|e| e.into_inner()))
            .contains("file-held-secret-1234")
    );
}

/// The code logged is the code: confirming with it works.
async fn code_is_logged_and_confirms(config: Config, username: &str) {
    let (app, _, _, client) = start(&config);
    sign_up(&app, &client, username).await;
    let lines = delivery_lines(username);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let code = lines[0]
        .split("code=\"")
        .nth(1)
        .and_then(|rest| rest.get(..6))
        .unwrap_or_else(|| panic!("no code in {}", lines[0]))
        .to_owned();
    let body = json!({"ClientId": client, "Username": username, "ConfirmationCode": code});
    let (status, out) = send(
        &app,
        request(Some("ConfirmSignUp"), Some(JSON), body.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
}

#[tokio::test]
async fn spec_14_codes_are_logged_with_log_codes() {
    let config = config(&[
        "--memory",
        "--admin-access-key-id",
        "AKIDEXAMPLE",
        "--admin-secret-access-key",
        "s3cret",
        "--log-codes",
    ]);
    code_is_logged_and_confirms(config, "loudflag").await;
}

#[tokio::test]
async fn spec_14_codes_are_logged_in_development_mode() {
    code_is_logged_and_confirms(config(&["--memory"]), "devmodeuser").await;
}

#[cfg(unix)]
#[tokio::test]
async fn spec_14_a_database_copied_without_its_key_file_yields_no_secret() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("userpool.db");
    let db_arg = db.to_string_lossy().into_owned();
    let first = config(&["--db", &db_arg]);
    let app = Arc::new(serve::app(&first, first.listen).unwrap_or_else(|e| panic!("{e}")));
    let admin = Caller::new("test");
    let pool = app
        .pools
        .create_user_pool(
            &admin,
            "p",
            PoolSettings {
                hash_params: app.hash_params,
                ..PoolSettings::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let settings = ClientSettings {
        generate_secret: true,
        ..ClientSettings::default()
    };
    let client = app
        .pools
        .create_user_pool_client(&admin, pool.id.as_str(), "c", settings)
        .unwrap_or_else(|e| panic!("{e}"));
    let secret = client.secret.clone().unwrap_or_else(|| panic!("a secret"));
    app.tokens.jwks(&pool.id).unwrap_or_else(|e| panic!("{e}")); // creates the signing key
    let key = app
        .pools
        .store()
        .signing_key(&pool.id)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a key"));

    // Key file beside the database, 0600; database files 0600.
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .ok()
    };
    assert_eq!(mode(&dir.path().join("userpool.db.key")), Some(0o600));
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        assert_eq!(mode(Path::new(&name)), Some(0o600), "{suffix}");
    }
    // Neither the secret nor the key's bytes are in any of the database's files.
    for suffix in ["", "-wal"] {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        let bytes = std::fs::read(&name).unwrap_or_default();
        let found = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(
            !found(secret.as_bytes()),
            "the client secret is in {suffix:?}"
        );
        assert!(
            !found(&key.private_der[64..128]),
            "the signing key is in {suffix:?}"
        );
    }

    // Copied without the key file: the copy runs (a new key file is made), but yields
    // InternalErrorException where the secret or the key would be needed.
    let other = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for suffix in ["", "-wal"] {
        let mut from = db.clone().into_os_string();
        from.push(suffix);
        std::fs::copy(&from, other.path().join(format!("userpool.db{suffix}")))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let copy_arg = other
        .path()
        .join("userpool.db")
        .to_string_lossy()
        .into_owned();
    let copied = config(&["--db", &copy_arg]);
    let thief = Arc::new(serve::app(&copied, copied.listen).unwrap_or_else(|e| panic!("{e}")));
    let refused = thief
        .pools
        .describe_user_pool_client(&admin, pool.id.as_str(), &client.client_id)
        .err()
        .map(|e| e.code());
    assert_eq!(refused, Some("InternalErrorException"));
    let refused = thief.tokens.jwks(&pool.id).err().map(|e| e.code());
    assert_eq!(refused, Some("InternalErrorException"));
    // Through the wire too: a public operation naming the client fails the same way.
    let body =
        json!({"ClientId": client.client_id, "Username": "u", "Password": "Correct-Horse-9!"});
    let (status, out) = send(
        &router(thief),
        request(Some("SignUp"), Some(JSON), body.to_string()),
    )
    .await;
    assert_eq!(
        (status, error_type(&out)),
        (StatusCode::INTERNAL_SERVER_ERROR, "InternalErrorException"),
        "{out}"
    );
}
