//! Passwords written through the service (which hashes them) never reach the database
//! file or its WAL; only argon2id PHC strings do.

mod common;

use std::sync::Arc;

use common::{contains, database_files};
use userpool::{AuthResult, Caller, ClientSettings, PoolSettings, UserPools};
use userpool_core::{HashParams, PasswordPolicy};
use userpool_sqlite::SqliteStore;

const TEMPORARY: &str = "Tmp-XYZZY-Distinctive-7q!";
const ANSWER: &str = "Answer-PLUGH-Distinctive-8r!";
const ADMIN_SET: &str = "Admin-FROBOZZ-Distinctive-9s!";

/// Each file that contains one of `needles`, with the needle.
fn leaks(path: &std::path::Path, needles: &[&str]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (file, bytes) in database_files(path) {
        for needle in needles {
            if contains(&bytes, needle.as_bytes()) {
                found.push((file.clone(), (*needle).to_owned()));
            }
        }
    }
    found
}

#[test]
fn passwords_set_through_the_service_never_reach_the_file_or_the_wal() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("secrets.db");
    let store = Arc::new(SqliteStore::open(&path).expect("open"));
    let pools = UserPools::new(Arc::clone(&store));
    let admin = Caller::new("arn:aws:iam::123456789012:user/admin");
    let settings = PoolSettings {
        policy: PasswordPolicy::builder()
            .password_history_size(3)
            .build()
            .expect("policy"),
        hash_params: HashParams::new(1024, 1, 1).expect("params"),
        ..PoolSettings::default()
    };
    let pool = pools
        .create_user_pool(&admin, "secrets", settings)
        .expect("create_user_pool");
    let id = pool.id.as_str();
    let client = pools
        .create_user_pool_client(
            &admin,
            id,
            "web",
            ClientSettings {
                explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                ..ClientSettings::default()
            },
        )
        .expect("create_user_pool_client");

    // A temporary password, the NEW_PASSWORD_REQUIRED answer, then AdminSetUserPassword.
    pools
        .admin_create_user(&admin, id, "sam", Some(TEMPORARY), &[], None)
        .expect("admin_create_user");
    let signed = pools
        .initiate_auth(&client.client_id, "USER_PASSWORD_AUTH", "sam", TEMPORARY)
        .expect("initiate_auth");
    let AuthResult::NewPasswordRequired { session, .. } = signed else {
        panic!("a temporary password yields the challenge");
    };
    let session = session.expose().to_owned();
    pools
        .respond_to_new_password_required(&client.client_id, "sam", &session, ANSWER)
        .expect("respond_to_new_password_required");
    pools
        .admin_set_user_password(&admin, id, "sam", ADMIN_SET, Some(true))
        .expect("admin_set_user_password");
    // A wrong sign-in too, so that lockout state is written.
    assert!(
        pools
            .initiate_auth(
                &client.client_id,
                "USER_PASSWORD_AUTH",
                "sam",
                "Wrong-Guess-1!"
            )
            .is_err()
    );

    let needles = [
        TEMPORARY,
        ANSWER,
        ADMIN_SET,
        "Wrong-Guess-1!",
        session.as_str(),
    ];
    let files = database_files(&path);
    assert!(
        files
            .iter()
            .any(|(_, bytes)| contains(bytes, b"$argon2id$v=19$")),
        "the scan sees the stored hashes (it would see a plaintext too)"
    );
    assert_eq!(
        leaks(&path, &needles),
        [],
        "before a checkpoint (WAL included)"
    );
    store.checkpoint().expect("checkpoint");
    assert!(
        contains(&std::fs::read(&path).expect("read"), b"$argon2id$v=19$"),
        "after the checkpoint the hashes are in the main file"
    );
    assert_eq!(leaks(&path, &needles), [], "after a checkpoint");
}

#[test]
fn debug_of_the_store_shows_its_path_only() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("debug.db");
    let store = SqliteStore::open(&path).expect("open");
    let text = format!("{store:?}");
    assert!(text.starts_with("SqliteStore"), "{text}");
    assert!(text.contains("debug.db"), "{text}");
}
