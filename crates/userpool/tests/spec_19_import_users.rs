//! SPEC §19 through the service: AdminImportUsers brings users in with hashes made by
//! independent tools (the core's fixtures, `userpool-core/tests/vectors/import/`), each user
//! all-or-nothing with a per-user failure list, and the first sign-in upgrades the hash.

mod common;

use userpool::{AuthResult, ImportUser, MAX_IMPORT_BATCH};
use userpool_core::UserStatus;

use common::{env, import_failures};

struct Fixture {
    scheme: String,
    password: String,
    hash: String,
}

fn fixtures() -> Vec<Fixture> {
    let text = include_str!("../../userpool-core/tests/vectors/import/fixtures.json");
    let values: Vec<serde_json::Value> = serde_json::from_str(text).expect("fixtures parse");
    let field = |v: &serde_json::Value, k: &str| v[k].as_str().expect("string").to_owned();
    values
        .iter()
        .filter(|v| v["password"] == "Passw0rd!")
        .map(|v| Fixture {
            scheme: field(v, "scheme"),
            password: field(v, "password"),
            hash: field(v, "hash"),
        })
        .collect()
}

#[test]
fn imported_users_sign_in_and_their_hash_becomes_the_pools_argon2id() {
    let env = env();
    let fixtures = fixtures();
    let names: Vec<String> = (0..fixtures.len()).map(|i| format!("user{i}")).collect();
    let emails: Vec<String> = (0..fixtures.len())
        .map(|i| format!("u{i}@example.com"))
        .collect();
    let attributes: Vec<[(&str, &str); 2]> = emails
        .iter()
        .map(|e| [("email", e.as_str()), ("email_verified", "true")])
        .collect();
    let users: Vec<ImportUser<'_>> = fixtures
        .iter()
        .enumerate()
        .map(|(i, f)| ImportUser {
            username: &names[i],
            attributes: &attributes[i],
            password_hash: &f.hash,
            enabled: None,
        })
        .collect();
    let report = env.import(&users);
    assert_eq!(report.failed, vec![]);
    assert_eq!(report.imported, fixtures.len());
    for (i, fixture) in fixtures.iter().enumerate() {
        let before = env.record(&names[i]).expect("imported");
        assert_eq!(before.status, UserStatus::Confirmed);
        assert_eq!(before.attributes["email"], emails[i]);
        let hash = &before.credential.as_ref().expect("credential").hash;
        assert_eq!(
            hash.imported().map(|s| s.name()),
            Some(fixture.scheme.as_str())
        );

        let result = env
            .pools
            .initiate_auth(
                &env.client_id,
                "USER_PASSWORD_AUTH",
                &names[i],
                &fixture.password,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", fixture.hash));
        assert!(matches!(result, AuthResult::Authenticated(_)));
        let after = env.record(&names[i]).expect("user");
        let hash = &after.credential.as_ref().expect("credential").hash;
        assert!(hash.imported().is_none(), "{}", fixture.scheme);
        assert!(hash.as_phc().starts_with("$argon2id$"));
        assert_eq!(after.version, before.version + 1, "upgraded in one write");
    }
}

#[test]
fn each_user_is_all_or_nothing_and_failures_are_listed() {
    let env = env();
    env.confirmed("taken", "Str0ng-Passw0rd!", &[]);
    let good = &fixtures()[0].hash;
    let over = "$2b$31$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkxFrDeNxvVrK";
    let users = [
        ImportUser {
            username: "fine",
            attributes: &[],
            password_hash: good,
            enabled: Some(false),
        },
        ImportUser {
            username: "taken",
            attributes: &[],
            password_hash: good,
            enabled: None,
        },
        ImportUser {
            username: "costly",
            attributes: &[],
            password_hash: over,
            enabled: None,
        },
        ImportUser {
            username: "garbage",
            attributes: &[],
            password_hash: "md5:5f4dcc3b5aa765d61d8327deb882cf99",
            enabled: None,
        },
        ImportUser {
            username: "has sub",
            attributes: &[("sub", "x")],
            password_hash: good,
            enabled: None,
        },
        ImportUser {
            username: "subbed",
            attributes: &[("sub", "x")],
            password_hash: good,
            enabled: None,
        },
    ];
    let report = env.import(&users);
    assert_eq!(report.imported, 1);
    assert_eq!(
        import_failures(&report),
        vec![
            (
                "taken",
                "UsernameExistsException",
                "User account already exists"
            ),
            (
                "costly",
                "InvalidParameterException",
                "Invalid password hash: the bcrypt password hash's cost is above the ceiling of 14."
            ),
            (
                "garbage",
                "InvalidParameterException",
                "Invalid password hash: the password hash's algorithm is not supported."
            ),
            (
                "has sub",
                "InvalidParameterException",
                "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
            ),
            (
                "subbed",
                "InvalidParameterException",
                "Cannot modify an immutable attribute: sub"
            ),
        ]
    );
    assert!(!env.record("fine").expect("imported").enabled);
    for absent in ["costly", "garbage", "subbed"] {
        assert!(env.record(absent).is_none(), "{absent} was not written");
    }
    // The existing user is untouched.
    let taken = env.record("taken").expect("taken");
    assert!(
        taken
            .credential
            .expect("credential")
            .hash
            .imported()
            .is_none()
    );
}

#[test]
fn a_wrong_password_against_an_imported_hash_is_not_authorized_and_counts() {
    let env = env();
    let fixture = &fixtures()[0];
    let users = [ImportUser {
        username: "ana",
        attributes: &[],
        password_hash: &fixture.hash,
        enabled: None,
    }];
    env.import(&users);
    let e = env
        .pools
        .initiate_auth(
            &env.client_id,
            "USER_PASSWORD_AUTH",
            "ana",
            "Wr0ng-Passw0rd!",
        )
        .expect_err("wrong password");
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let record = env.record("ana").expect("ana");
    assert_eq!(record.lockout.consecutive_failures, 1);
    assert!(
        record
            .credential
            .expect("credential")
            .hash
            .imported()
            .is_some()
    );
}

#[test]
fn the_batch_is_bounded_and_the_call_checked_before_any_user() {
    let env = env();
    let hash = &fixtures()[0].hash;
    let one = ImportUser {
        username: "u",
        attributes: &[],
        password_hash: hash,
        enabled: None,
    };
    let too_many = vec![one; MAX_IMPORT_BATCH + 1];
    for users in [&too_many[..], &[][..]] {
        let e = env
            .pools
            .admin_import_users(&env.admin, &env.pool_id, users)
            .expect_err("refused");
        assert_eq!(e.code(), "InvalidParameterException");
        assert!(e.to_string().contains("'users'"), "{e}");
    }
    assert!(env.record("u").is_none());
    let e = env
        .pools
        .admin_import_users(&env.admin, "us-east-1_Nope", &[one])
        .expect_err("unknown pool");
    assert_eq!(e.code(), "ResourceNotFoundException");
}
