//! SPEC §19: users imported with a password hash made by another system. The hashes come
//! from independent tools (Python's `bcrypt`, `passlib`, `hashlib`, `argon2-cffi` and the
//! reference `argon2` CLI; `tests/vectors/import/make_fixtures.py` made them): each verifies
//! its password and nothing else, parameters above the ceilings are refused at import,
//! malformed strings get a typed error, and the first successful sign-in replaces the hash with
//! the pool's argon2id (plus the SRP verifier and history salt a password write adds).

mod common;

use std::collections::BTreeMap;

use common::*;
use userpool_core::{
    HashParams, HistoryMode, ImportCeiling, PasswordHash, PasswordHasher, SignInOutcome,
    UserPoolId, UserRecord, UserStatus, signin, transitions,
};

const INVALID_PARAMETER: &str = "InvalidParameterException";

struct Fixture {
    tool: String,
    scheme: String,
    password: String,
    hash: String,
}

fn fixtures() -> Vec<Fixture> {
    let text = include_str!("vectors/import/fixtures.json");
    let values: Vec<serde_json::Value> = serde_json::from_str(text).expect("fixtures parse");
    let field = |v: &serde_json::Value, k: &str| v[k].as_str().expect("string field").to_owned();
    values
        .iter()
        .map(|v| Fixture {
            tool: field(v, "tool"),
            scheme: field(v, "scheme"),
            password: field(v, "password"),
            hash: field(v, "hash"),
        })
        .collect()
}

fn import_user(world: &mut World, rules: &userpool_core::PoolRules, hash: &str) -> UserRecord {
    let hash = rules.hasher.import(hash).expect("fixture imports");
    transitions::import_user(
        name("imported"),
        BTreeMap::new(),
        hash,
        true,
        &mut world.ctx(),
    )
    .expect("import")
}

#[test]
fn every_independent_fixture_verifies_its_password_and_nothing_else() {
    let hasher = PasswordHasher::new(HashParams::insecure_fast_for_tests()).expect("hasher");
    let fixtures = fixtures();
    let tools: std::collections::BTreeSet<&str> =
        fixtures.iter().map(|f| f.tool.as_str()).collect();
    assert!(tools.len() >= 5, "fixtures from several tools: {tools:?}");
    for fixture in &fixtures {
        let label = format!("{} {} {:?}", fixture.tool, fixture.scheme, fixture.hash);
        let stored = hasher
            .import(&fixture.hash)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let scheme = stored.imported().expect("imported scheme");
        assert_eq!(scheme.name(), fixture.scheme, "{label}");
        assert_eq!(
            stored.params(),
            None,
            "{label}: no argon2id params of the pool's"
        );
        assert!(
            hasher
                .verify(&pw(&fixture.password), &stored)
                .expect("verify"),
            "{label}: the right password verifies"
        );
        // Changed in its first character, so bcrypt's 72-byte cut cannot hide the change.
        let wrong = format!("Z{}", fixture.password.chars().skip(1).collect::<String>());
        assert!(
            !hasher.verify(&pw(&wrong), &stored).expect("verify"),
            "{label}: a wrong password does not"
        );
        // The stored form reads back as the same hash, and Debug never shows it.
        let back = PasswordHash::parse(stored.as_phc()).expect("stored form parses");
        assert_eq!(back, stored, "{label}");
        let debug = format!("{stored:?}");
        let tail = &fixture.hash[fixture.hash.len() - 12..];
        assert!(!debug.contains(tail), "{label}: Debug shows {debug}");
    }
}

#[test]
fn bcrypt_cuts_passwords_at_72_bytes_as_every_bcrypt_does() {
    let hasher = PasswordHasher::new(HashParams::insecure_fast_for_tests()).expect("hasher");
    let long = fixtures()
        .into_iter()
        .find(|f| f.scheme == "bcrypt" && f.password.len() == 80)
        .expect("an 80-byte bcrypt fixture");
    let stored = hasher.import(&long.hash).expect("import");
    assert!(
        hasher
            .verify(&pw(&"x".repeat(72)), &stored)
            .expect("verify")
    );
    assert!(
        hasher
            .verify(&pw(&"x".repeat(100)), &stored)
            .expect("verify")
    );
    assert!(
        !hasher
            .verify(&pw(&"x".repeat(71)), &stored)
            .expect("verify")
    );
}

#[test]
fn first_sign_in_replaces_the_imported_hash_with_the_pools_argon2id() {
    for fixture in fixtures().iter().filter(|f| f.password == "Passw0rd!") {
        let mut rules = rules();
        rules.srp_pool = Some(UserPoolId::parse("us-east-1_Import").expect("pool id"));
        let mut world = World::new();
        let user = import_user(&mut world, &rules, &fixture.hash);
        assert_eq!(user.status, UserStatus::Confirmed);
        assert!(user.srp.is_none(), "no verifier before the first sign-in");

        let signed = signin::sign_in(&user, &pw(&fixture.password), &rules, &mut world.ctx())
            .map_err(|r| r.error)
            .expect("signs in with the imported hash");
        assert_eq!(signed.outcome, SignInOutcome::Authenticated);
        let upgraded = *signed.record.expect("the record changed");
        let credential = upgraded.credential.as_ref().expect("credential");
        assert_eq!(credential.hash.imported(), None, "{}", fixture.hash);
        assert_eq!(credential.hash.params(), Some(rules.hasher.params()));
        assert!(credential.hash.as_phc().starts_with("$argon2id$v=19$"));
        assert!(
            upgraded.srp.is_some(),
            "the SRP verifier a password write computes"
        );

        // The new argon2id verifies the same password; a second sign-in changes nothing.
        let again = signin::sign_in(&upgraded, &pw(&fixture.password), &rules, &mut world.ctx())
            .map_err(|r| r.error)
            .expect("signs in with the pool's hash");
        assert_eq!(again.outcome, SignInOutcome::Authenticated);
        assert!(again.record.is_none());
    }
}

#[test]
fn upgrade_in_per_user_salt_mode_draws_the_history_salt_a_password_write_draws() {
    let rules = rules_with_history(3, HistoryMode::PerUserSalt);
    let mut world = World::new();
    let fixture = &fixtures()[0];
    let user = import_user(&mut world, &rules, &fixture.hash);
    assert!(user.history_salt.is_none());
    let signed = signin::sign_in(&user, &pw(&fixture.password), &rules, &mut world.ctx())
        .map_err(|r| r.error)
        .expect("sign-in");
    let upgraded = signed.record.expect("changed");
    assert!(upgraded.history_salt.is_some());
    // The imported password is now history-checked like any other.
    let again = transitions::change_password(
        &upgraded,
        &pw(&fixture.password),
        &pw(&fixture.password),
        &rules,
        &mut world.ctx(),
    );
    assert_error(
        &err(again),
        "PasswordHistoryPolicyViolationException",
        "Password has previously been used",
    );
}

#[test]
fn a_wrong_password_against_an_imported_hash_counts_toward_lockout() {
    let rules = rules();
    let mut world = World::new();
    let fixture = &fixtures()[0];
    let mut user = import_user(&mut world, &rules, &fixture.hash);
    for attempt in 1..=5 {
        let refusal = refused(signin::sign_in(
            &user,
            &pw("Wrong-Pass1"),
            &rules,
            &mut world.ctx(),
        ));
        assert_error(
            &refusal.error,
            "NotAuthorizedException",
            "Incorrect username or password.",
        );
        user = *refusal.record.expect("the failure is recorded");
        assert_eq!(user.lockout.consecutive_failures, attempt);
        assert!(
            user.credential
                .as_ref()
                .expect("credential")
                .hash
                .imported()
                .is_some()
        );
    }
    let sixth = refused(signin::sign_in(
        &user,
        &pw("Wrong-Pass1"),
        &rules,
        &mut world.ctx(),
    ));
    user = *sixth.record.expect("recorded");
    assert!(
        user.lockout.locked_until.is_some(),
        "the sixth failure starts a lockout"
    );
    let locked = refused(signin::sign_in(
        &user,
        &pw(&fixture.password),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(
        &locked.error,
        "NotAuthorizedException",
        "Password attempts exceeded",
    );
}

#[test]
fn an_imported_hash_in_history_refuses_its_password_at_the_next_change() {
    for mode in [HistoryMode::PerEntrySalt, HistoryMode::PerUserSalt] {
        let rules = rules_with_history(3, mode);
        let mut world = World::new();
        let fixture = fixtures()
            .into_iter()
            .find(|f| f.scheme == "pbkdf2-sha256" && f.password == "Passw0rd!")
            .expect("fixture");
        let user = import_user(&mut world, &rules, &fixture.hash);
        // An administrator sets the password before the user ever signs in.
        let reuse = transitions::admin_set_user_password(
            &user,
            &pw(&fixture.password),
            true,
            &rules,
            &mut world.ctx(),
        );
        assert_error(
            &err(reuse),
            "PasswordHistoryPolicyViolationException",
            "Password has previously been used",
        );
        let (changed, _) = transitions::admin_set_user_password(
            &user,
            &pw(PERMANENT),
            true,
            &rules,
            &mut world.ctx(),
        )
        .expect("a new password");
        assert!(
            changed.history[0].imported().is_some(),
            "the imported hash moved to history"
        );
        let back = transitions::admin_set_user_password(
            &changed,
            &pw(&fixture.password),
            true,
            &rules,
            &mut world.ctx(),
        );
        assert_error(
            &err(back),
            "PasswordHistoryPolicyViolationException",
            "Password has previously been used",
        );
    }
}

#[test]
fn an_imported_argon2id_is_verified_without_the_pools_pepper() {
    let hasher = PasswordHasher::new(HashParams::insecure_fast_for_tests())
        .expect("hasher")
        .with_pepper(b"the host's pepper")
        .expect("pepper");
    let fixture = fixtures()
        .into_iter()
        .find(|f| f.scheme == "argon2id")
        .expect("argon2id fixture");
    let stored = hasher.import(&fixture.hash).expect("import");
    assert!(
        hasher
            .verify(&pw(&fixture.password), &stored)
            .expect("verify")
    );
}

// Parameters above the ceilings are refused at import, with the parameter named, before any
// work (these would take gigabytes or hours if computed).
#[test]
fn costs_above_the_ceilings_are_refused_at_import() {
    let hasher = PasswordHasher::default();
    let salt = "c2FsdHNhbHRzYWx0c2FsdA";
    let out = "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    let cases: Vec<(String, &str)> = vec![
        (
            format!("$argon2id$v=19$m=4194304,t=2,p=1${salt}${out}"),
            "Invalid password hash: the argon2id password hash's memory (KiB) is above the ceiling of 262144.",
        ),
        (
            format!("$argon2i$v=19$m=65536,t=1000,p=1${salt}${out}"),
            "Invalid password hash: the argon2i password hash's passes is above the ceiling of 10.",
        ),
        (
            format!("$argon2id$v=19$m=65536,t=2,p=64${salt}${out}"),
            "Invalid password hash: the argon2id password hash's lanes is above the ceiling of 16.",
        ),
        (
            "$2b$31$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkxFrDeNxvVrK".to_owned(),
            "Invalid password hash: the bcrypt password hash's cost is above the ceiling of 14.",
        ),
        (
            format!("$pbkdf2-sha256$i=1000000000,l=32${salt}${out}"),
            "Invalid password hash: the pbkdf2-sha256 password hash's iterations is above the ceiling of 1500000.",
        ),
        (
            format!("$pbkdf2-sha512$1000000000${salt}${out}"),
            "Invalid password hash: the pbkdf2-sha512 password hash's iterations is above the ceiling of 1500000.",
        ),
        (
            "pbkdf2_sha256$4000000000$salt$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=".to_owned(),
            "Invalid password hash: the pbkdf2-sha256 (Django) password hash's iterations is above the ceiling of 1500000.",
        ),
        (
            format!("$scrypt$ln=22,r=8,p=1${salt}${out}"),
            "Invalid password hash: the scrypt password hash's memory (KiB) is above the ceiling of 262144.",
        ),
        (
            format!("$scrypt$ln=63,r=4294967295,p=1${salt}${out}"),
            "Invalid password hash: the scrypt password hash's memory (KiB) is above the ceiling of 262144.",
        ),
        (
            // Small N, huge r: V is within the ceiling, but B (128 · r · p) would be 2 GiB.
            format!("$scrypt$ln=1,r=1048576,p=16${salt}${out}"),
            "Invalid password hash: the scrypt password hash's memory (KiB) is above the ceiling of 262144.",
        ),
        (
            format!("$scrypt$ln=14,r=8,p=1000${salt}${out}"),
            "Invalid password hash: the scrypt password hash's parallelism is above the ceiling of 16.",
        ),
    ];
    for (hash, message) in &cases {
        assert_error(&err(hasher.import(hash)), INVALID_PARAMETER, message);
    }
}

#[test]
fn a_ceiling_lowered_after_import_refuses_the_stored_hash_without_computing_it() {
    let hasher = PasswordHasher::new(HashParams::insecure_fast_for_tests()).expect("hasher");
    let fixture = fixtures()
        .into_iter()
        .find(|f| f.tool == "passlib" && f.scheme == "pbkdf2-sha256")
        .expect("fixture");
    let stored = hasher.import(&fixture.hash).expect("import");
    let stricter = hasher.clone().with_import_ceiling(ImportCeiling {
        pbkdf2_iterations: 1000,
        ..ImportCeiling::DEFAULT
    });
    let refusal = err(stricter.verify(&pw(&fixture.password), &stored));
    assert_eq!(refusal.code(), "InternalErrorException");
    assert_error(
        &err(stricter.import(&fixture.hash)),
        INVALID_PARAMETER,
        "Invalid password hash: the pbkdf2-sha256 password hash's iterations is above the ceiling of 1000.",
    );
}

// Every malformed string gets InvalidParameterException naming the scheme and the part at
// fault, never the hash itself.
#[test]
fn malformed_hashes_get_a_typed_error_naming_the_part() {
    let hasher = PasswordHasher::default();
    let salt = "c2FsdHNhbHRzYWx0c2FsdA";
    let out = "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    let msg = |s: &str| format!("Invalid password hash: {s}.");
    let cases: Vec<(String, String)> = vec![
        (String::new(), msg("the password hash is empty")),
        (
            "$".repeat(513),
            msg("the password hash is longer than 512 characters"),
        ),
        (
            "plaintext".to_owned(),
            msg("the password hash's algorithm is not supported"),
        ),
        (
            "$2x$05$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkxFrDeNxvVrK".to_owned(),
            msg("the password hash's algorithm is not supported"),
        ),
        (
            format!("$argon2d$v=19$m=65536,t=2,p=1${salt}${out}"),
            msg("the password hash's algorithm is not supported"),
        ),
        (
            "$pbkdf2$1000$c2FsdA$aGFzaA".to_owned(),
            msg("the password hash's algorithm is not supported"),
        ),
        (
            "$2b$04$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkx".to_owned(),
            msg("the bcrypt password hash is malformed: length"),
        ),
        (
            "$2b$0x$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkxFrDeNxvVrK".to_owned(),
            msg("the bcrypt password hash is malformed: cost"),
        ),
        (
            "$2b$03$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkxFrDeNxvVrK".to_owned(),
            msg("the bcrypt password hash is malformed: cost"),
        ),
        (
            "$2b$04$HjLSANdyIEAsUUmqa9YZj!phZYc8DMVtIBJGso7hBkxFrDeNxvVrK".to_owned(),
            msg("the bcrypt password hash is malformed: salt"),
        ),
        (
            "$2b$04$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkxFrDeNxvVrKé"
                .chars()
                .take(59)
                .collect::<String>()
                + "é",
            msg("the bcrypt password hash is malformed: length"),
        ),
        (
            format!("$argon2id$v=19$m=65536,t=2${salt}${out}"),
            msg("the argon2id password hash is malformed: parameters"),
        ),
        (
            format!("$argon2id$v=19$m=65536,t=2,p=1,keyid=abc${salt}${out}"),
            msg("the argon2id password hash is malformed: parameters"),
        ),
        (
            format!("$argon2id$v=18$m=65536,t=2,p=1${salt}${out}"),
            msg("the argon2id password hash is malformed: version"),
        ),
        (
            format!("$argon2id$v=19$m=65536,t=2,p=1${salt}"),
            msg("the argon2id password hash is malformed: hash"),
        ),
        (
            format!("$argon2id$v=19$m=65536,t=2,p=1$c2FsdA${out}"),
            msg("the argon2id password hash is malformed: PHC layout"),
        ),
        (
            format!("$scrypt$ln=14,r=8${salt}${out}"),
            msg("the scrypt password hash is malformed: parameters"),
        ),
        (
            format!("$scrypt$ln=14,r=8,p=1,ln=2${salt}${out}"),
            msg("the scrypt password hash is malformed: parameters"),
        ),
        (
            format!("$scrypt$ln=0,r=8,p=1${salt}${out}"),
            msg("the scrypt password hash is malformed: parameters"),
        ),
        (
            format!("$scrypt$ln=14,r=8,p=1${salt}"),
            msg("the scrypt password hash is malformed: layout"),
        ),
        (
            format!("$scrypt$ln=14,r=8,p=1${salt}$not*base64"),
            msg("the scrypt password hash is malformed: hash"),
        ),
        (
            format!("$pbkdf2-sha256$i=0,l=32${salt}${out}"),
            msg("the pbkdf2-sha256 password hash is malformed: iterations"),
        ),
        (
            format!("$pbkdf2-sha256$+1000${salt}${out}"),
            msg("the pbkdf2-sha256 password hash is malformed: iterations"),
        ),
        (
            format!("$pbkdf2-sha256$i=1000,l=64${salt}${out}"),
            msg("the pbkdf2-sha256 password hash is malformed: hash length"),
        ),
        (
            format!("$pbkdf2-sha512$1000${salt}$aGFzaA"),
            msg("the pbkdf2-sha512 password hash is malformed: hash length"),
        ),
        (
            format!("$pbkdf2-sha256$1000$${out}"),
            msg("the pbkdf2-sha256 password hash is malformed: salt length"),
        ),
        (
            "pbkdf2_sha256$abc$salt$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=".to_owned(),
            msg("the pbkdf2-sha256 (Django) password hash is malformed: iterations"),
        ),
        (
            "pbkdf2_sha256$1000$salt$hash$extra".to_owned(),
            msg("the pbkdf2-sha256 (Django) password hash is malformed: layout"),
        ),
    ];
    for (hash, message) in &cases {
        let error = err(hasher.import(hash));
        assert_error(&error, INVALID_PARAMETER, message);
        if hash.len() > 8 {
            assert!(
                !error.to_string().contains(&hash[hash.len() - 8..]),
                "{hash}"
            );
        }
    }
}

#[test]
fn a_stored_imported_hash_that_does_not_parse_is_an_internal_error() {
    for stored in ["import:", "import:$2b$04$short", "import:plain"] {
        let error = err(PasswordHash::parse(stored));
        assert_eq!(error.code(), "InternalErrorException", "{stored}");
    }
}

#[test]
fn imported_users_are_enabled_or_not_as_given_and_keep_their_attributes() {
    let rules = rules();
    let mut world = World::new();
    let fixture = &fixtures()[0];
    let hash = rules.hasher.import(&fixture.hash).expect("import");
    let attributes = BTreeMap::from([("email".to_owned(), "a@example.com".to_owned())]);
    let user = transitions::import_user(
        name("ana"),
        attributes.clone(),
        hash,
        false,
        &mut world.ctx(),
    )
    .expect("import");
    assert!(!user.enabled);
    assert_eq!(user.attributes, attributes);
    let refusal = refused(signin::sign_in(
        &user,
        &pw(&fixture.password),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(
        &refusal.error,
        "NotAuthorizedException",
        "User is disabled.",
    );
}
