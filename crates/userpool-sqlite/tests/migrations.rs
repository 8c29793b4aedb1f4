//! Migrations from every older schema version to the newest, with data in place.
//!
//! Each older database is built from `schema::MIGRATIONS` itself (the first `v` steps, each
//! with its `user_version`, exactly as an older release left it), then filled through raw
//! SQL with the rows that version can hold. Opening it with the current code must migrate
//! it to the newest version and read every row back as the record it was.

mod common;

use std::path::Path;

use common::{at, pool, raw, user};
use rusqlite::{Connection, params};
use userpool::{
    ClientRecord, GroupRecord, OAuthStore, PoolRecord, SigningKey, Store, TokenSession, TokenStore,
    UserKey,
};
use userpool_core::testing::{insecure_fast_rules, seeded_entropy};
use userpool_core::{
    AliasAttribute, CodeThrottle, CodeThrottles, Context, Password, PasswordPolicy, UserRecord,
    transitions,
};
use userpool_sqlite::{SqliteStore, schema};

/// What an older database holds, as records.
struct Fixture {
    pool: PoolRecord,
    /// The user's code throttles as a version-6 database holds them.
    throttles: CodeThrottles,
    /// The user's SRP state as a version-8 database holds it (opaque bytes).
    srp: Vec<u8>,
    /// The user's MFA state as a version-10 database holds it (opaque bytes).
    mfa: Vec<u8>,
    /// The pool's MFA configuration as a version-10 database holds it.
    pool_mfa: userpool_core::mfa::PoolMfaConfig,
    client: ClientRecord,
    user: UserRecord,
    key: SigningKey,
    session: TokenSession,
    group: GroupRecord,
}

fn fixture() -> Fixture {
    let pool = PoolRecord {
        username_attributes: vec![AliasAttribute::PhoneNumber],
        ..pool("Old1", 3, &[AliasAttribute::Email])
    };
    let client = ClientRecord {
        pool_id: pool.id.clone(),
        client_id: "oldclient1".into(),
        name: "legacy app".into(),
        secret: Some("legacy-secret".into()),
        explicit_auth_flows: vec![
            "ALLOW_USER_PASSWORD_AUTH".into(),
            "ALLOW_REFRESH_TOKEN_AUTH".into(),
        ],
        prevent_user_existence_errors: true,
        created_at: at(3),
        // What migration 13 gives a client stored before it: its creation time.
        modified_at: at(3),
        oauth: userpool_store::ClientOAuth::default(),
    };
    // A user with a password and one history entry, found by an alias too, with two
    // provider identities linked to it (and entries that link nothing: one without a
    // user id, and a federated user's own identity, which `veteran` is not).
    let rules = insecure_fast_rules(pool.policy.clone());
    let mut rng = seeded_entropy(77);
    let mut ctx = Context::new(at(100), &mut rng);
    let mut u = user(
        "veteran",
        &[
            ("email", "vet@example.com"),
            ("email_verified", "true"),
            ("identities", VETERAN_IDENTITIES),
        ],
        5,
    );
    for (i, password) in ["Old-Passw0rd-1!", "Old-Passw0rd-2!"].iter().enumerate() {
        ctx.now = at(200 + i64::try_from(i).expect("small"));
        let password = Password::parse(password).expect("password");
        u = transitions::admin_set_user_password(&u, &password, true, &rules, &mut ctx)
            .expect("set password")
            .0;
    }
    assert_eq!(u.history.len(), 1);
    u.version = 1;
    let key = SigningKey {
        kid: "old-kid".into(),
        private_der: zeroize::Zeroizing::new((0..=255).collect()),
        created_at: at(300),
    };
    let session = TokenSession {
        pool_id: pool.id.clone(),
        origin_jti: uuid::Uuid::from_u128(0x0123_4567_89ab_4def_8123_4567_89ab_cdef),
        sub: u.sub,
        client_id: client.client_id.clone(),
        refresh_digest: [0x5A; 32],
        issued_at: at(400),
        expires_at: at(500),
        revoked: true,
        scopes: Vec::new(),
    };
    let throttles = CodeThrottles {
        sign_up: CodeThrottle {
            failures: vec![at(600), at(601)],
            issued: vec![at(602)],
        },
        password_reset: CodeThrottle {
            failures: Vec::new(),
            issued: vec![at(604), at(603)],
        },
    };
    let group = GroupRecord {
        pool_id: pool.id.clone(),
        name: "veterans".into(),
        description: Some("old hands".into()),
        precedence: Some(3),
        role_arn: Some("arn:aws:iam::123456789012:role/veterans".into()),
        created_at: at(600),
        modified_at: at(601),
        version: 1,
    };
    Fixture {
        pool,
        throttles,
        srp: (0..=255u8).rev().collect(),
        mfa: (0..=255u8).step_by(3).collect(),
        pool_mfa: userpool_core::mfa::PoolMfaConfig {
            mode: userpool_core::mfa::MfaMode::Optional,
            software_token: true,
            sms: true,
            sms_message: Some("code {####}".into()),
        },
        client,
        user: u,
        key,
        session,
        group,
    }
}

/// Rows that a version-1 database can hold: pools and clients.
fn seed_v1(conn: &Connection, f: &Fixture) {
    let p = &f.pool;
    let policy: &PasswordPolicy = &p.policy;
    conn.execute(
        "INSERT INTO pools (id, name, minimum_length, require_uppercase, require_lowercase, \
         require_numbers, require_symbols, password_history_size, \
         temporary_password_validity_days, maximum_length, reject_user_identity, \
         hash_memory_kib, hash_iterations, hash_parallelism, history_mode, alias_attributes, \
         username_attributes, case_sensitive, created_at, modified_at, version) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, 0, ?10, ?11, ?12, 'PER_ENTRY_SALT', \
         'email', 'phone_number', 1, ?13, ?14, 1)",
        params![
            p.id.as_str(),
            p.name,
            policy.minimum_length(),
            policy.require_uppercase(),
            policy.require_lowercase(),
            policy.require_numbers(),
            policy.require_symbols(),
            policy.password_history_size(),
            policy.temporary_password_validity_days(),
            p.hash_params.m_kib(),
            p.hash_params.t(),
            p.hash_params.p(),
            p.created_at.timestamp_micros(),
            p.modified_at.timestamp_micros(),
        ],
    )
    .expect("v1 pool row");
    let c = &f.client;
    conn.execute(
        "INSERT INTO clients (client_id, pool_id, name, secret, prevent_user_existence_errors, \
         created_at) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
        params![
            c.client_id,
            p.id.as_str(),
            c.name,
            c.secret,
            c.created_at.timestamp_micros()
        ],
    )
    .expect("v1 client row");
    for (i, flow) in c.explicit_auth_flows.iter().enumerate() {
        conn.execute(
            "INSERT INTO client_auth_flows (client_id, position, flow) VALUES (?1, ?2, ?3)",
            params![c.client_id, i64::try_from(i).expect("small"), flow],
        )
        .expect("v1 flow row");
    }
}

/// Rows that a version-2 database adds: a user with attributes, history and an alias.
fn seed_v2(conn: &Connection, f: &Fixture) {
    let u = &f.user;
    let credential = u
        .credential
        .as_ref()
        .expect("the fixture user has a password");
    conn.execute(
        "INSERT INTO users (pool_id, username, username_key, sub, status, enabled, \
         credential_hash, credential_kind, credential_expires_at, credential_set_at, \
         history_salt, consecutive_failures, last_failure_at, locked_until, created_at, \
         modified_at, version) \
         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, 'PERMANENT', NULL, ?7, NULL, 0, NULL, NULL, ?8, ?9, 1)",
        params![
            f.pool.id.as_str(),
            u.username.as_str(),
            u.sub.hyphenated().to_string(),
            u.status.as_str(),
            u.enabled,
            credential.hash.as_phc(),
            credential.set_at.timestamp_micros(),
            u.created_at.timestamp_micros(),
            u.modified_at.timestamp_micros(),
        ],
    )
    .expect("v2 user row");
    let id = conn.last_insert_rowid();
    for (name, value) in &u.attributes {
        conn.execute(
            "INSERT INTO user_attributes (user_id, name, value) VALUES (?1, ?2, ?3)",
            params![id, name, value],
        )
        .expect("v2 attribute row");
    }
    for (i, hash) in u.history.iter().enumerate() {
        conn.execute(
            "INSERT INTO password_history (user_id, position, hash) VALUES (?1, ?2, ?3)",
            params![id, i64::try_from(i).expect("small"), hash.as_phc()],
        )
        .expect("v2 history row");
    }
    conn.execute(
        "INSERT INTO aliases (pool_id, attribute, alias_key, user_id) VALUES (?1, 'email', ?2, ?3)",
        params![f.pool.id.as_str(), "vet@example.com", id],
    )
    .expect("v2 alias row");
}

/// `SEEDS[v - 1]` fills what version `v` adds. A new migration without a seed here fails
/// `every_migration_has_a_seed`.
/// Version 3 only adds the nullable `minimum_strength` column: the pool seeded at version 1
/// must read back with no minimum strength, which the comparison below checks.
fn seed_v3(_: &Connection, _: &Fixture) {}

/// Version 4 only adds the `decoy_writes` counter table, empty until a sign-in names no user.
fn seed_v4(_: &Connection, _: &Fixture) {}

/// Rows that a version-5 database adds: the pool's signing key and a revoked session of
/// the user.
fn seed_v5(conn: &Connection, f: &Fixture) {
    conn.execute(
        "INSERT INTO signing_keys (pool_id, kid, private_der, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            f.pool.id.as_str(),
            f.key.kid,
            f.key.private_der.as_slice(),
            f.key.created_at.timestamp_micros()
        ],
    )
    .expect("v5 signing key row");
    let s = &f.session;
    conn.execute(
        "INSERT INTO token_sessions (pool_id, origin_jti, sub, client_id, refresh_digest, \
         issued_at, expires_at, revoked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
        params![
            f.pool.id.as_str(),
            s.origin_jti.hyphenated().to_string(),
            s.sub.hyphenated().to_string(),
            s.client_id,
            s.refresh_digest.as_slice(),
            s.issued_at.timestamp_micros(),
            s.expires_at.timestamp_micros(),
        ],
    )
    .expect("v5 token session row");
}

/// What a version-6 database adds: the user's code throttles (SPEC §12). Users of older
/// databases read back with empty throttles.
fn seed_v6(conn: &Connection, f: &Fixture) {
    let list = |times: &[chrono::DateTime<chrono::Utc>]| {
        times
            .iter()
            .map(|t| t.timestamp_micros().to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let t = &f.throttles;
    conn.execute(
        "UPDATE users SET sign_up_code_failures = ?1, sign_up_codes_issued = ?2, \
         reset_code_failures = ?3, reset_codes_issued = ?4 WHERE username = 'veteran'",
        params![
            list(&t.sign_up.failures),
            list(&t.sign_up.issued),
            list(&t.password_reset.failures),
            list(&t.password_reset.issued),
        ],
    )
    .expect("v6 throttles");
}

/// Version 7 only adds the pools' `refuse_temporary_as_new` flag, 0 by default: the pool
/// seeded at version 1 must read back with the flag off (Cognito's behaviour), which the
/// comparison below checks.
fn seed_v7(_: &Connection, _: &Fixture) {}

/// Rows that a version-8 database adds: a group with every field, and the user in it.
fn seed_v8(conn: &Connection, f: &Fixture) {
    let g = &f.group;
    conn.execute(
        "INSERT INTO pool_groups (pool_id, name, description, precedence, role_arn, created_at, \
         modified_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)",
        params![
            f.pool.id.as_str(),
            g.name,
            g.description,
            g.precedence,
            g.role_arn,
            g.created_at.timestamp_micros(),
            g.modified_at.timestamp_micros(),
        ],
    )
    .expect("v8 group row");
    conn.execute(
        "INSERT INTO group_members (pool_id, group_name, sub) VALUES (?1, ?2, ?3)",
        params![
            f.pool.id.as_str(),
            g.name,
            f.user.sub.hyphenated().to_string()
        ],
    )
    .expect("v8 membership row");
}

/// What a version-9 database adds: the user's SRP state (SPEC §15). Users of older
/// databases read back with none.
fn seed_v9(conn: &Connection, f: &Fixture) {
    conn.execute(
        "UPDATE users SET srp = ?1 WHERE username = 'veteran'",
        params![f.srp.as_slice()],
    )
    .expect("v9 srp");
}

/// What a version-10 database adds: the pool's MFA configuration and the user's MFA state
/// (SPEC §18). Older databases read back with MFA OFF and no state.
fn seed_v10(conn: &Connection, f: &Fixture) {
    conn.execute(
        "UPDATE users SET mfa = ?1 WHERE username = 'veteran'",
        params![f.mfa.as_slice()],
    )
    .expect("v10 user mfa");
    let m = &f.pool_mfa;
    conn.execute(
        "UPDATE pools SET mfa_configuration = ?1, mfa_software_token = ?2, mfa_sms = ?3, \
         mfa_sms_message = ?4 WHERE id = ?5",
        params![
            m.mode.as_str(),
            m.software_token,
            m.sms,
            m.sms_message,
            f.pool.id.as_str()
        ],
    )
    .expect("v10 pool mfa");
}

/// Version 11 only adds the pools' attribute schema and SPEC §16 settings, NULL for pools
/// written before: the pool seeded at version 1 must read back with Cognito's standard
/// schema and the default settings, which the comparison below checks.
fn seed_v11(_: &Connection, _: &Fixture) {}

/// What a version-12 database adds: a domain (SPEC §21). Clients of older databases read
/// back with the default, empty OAuth settings.
fn seed_v12(conn: &Connection, f: &Fixture) {
    conn.execute(
        "INSERT INTO pool_domains (domain, pool_id, certificate_arn, managed_login_version, \
         created_at, version) VALUES ('veteran-auth', ?1, NULL, 1, ?2, 1)",
        params![f.pool.id.as_str(), at(9).timestamp_micros()],
    )
    .expect("v12 domain row");
}

/// What a version-13 database adds: the client's modification time (a later one than its
/// creation, as after an UpdateUserPoolClient). Clients of older databases read back with
/// their creation time.
fn seed_v13(conn: &Connection, f: &Fixture) {
    conn.execute(
        "UPDATE clients SET modified_at = ?2 WHERE client_id = ?1",
        params![f.client.client_id, CLIENT_MODIFIED.timestamp_micros()],
    )
    .expect("v13 client modification time");
}

/// The client's modification time in a version-13 database.
const CLIENT_MODIFIED: chrono::DateTime<chrono::Utc> =
    chrono::DateTime::from_timestamp_nanos(13_000);

/// What a version-14 database adds: the client that opened the user's open challenge.
/// Users of older databases read back with none.
fn seed_v14(conn: &Connection, f: &Fixture) {
    conn.execute(
        "UPDATE users SET challenge_client = ?2 WHERE sub = ?1",
        params![f.user.sub.hyphenated().to_string(), f.client.client_id],
    )
    .expect("v14 challenge client");
}

/// The fixture user's `identities`: `Google`/`g-Vet` and `Corp`/`c-1` are linked to it;
/// the entry without a `userId` and the non-object entry link nothing.
const VETERAN_IDENTITIES: &str = r#"[{"userId":"g-Vet","providerName":"Google","providerType":"Google","issuer":null,"primary":false,"dateCreated":1},{"providerName":"Corp"},"stray",{"userId":"c-1","providerName":"Corp","providerType":"OIDC","issuer":null,"primary":false,"dateCreated":2}]"#;

/// What a version-15 database adds: the rows of the user's linked identities, as this
/// crate writes them with the user. Older databases get them from migration 15.
fn seed_v15(conn: &Connection, f: &Fixture) {
    for (provider, subject) in [("Corp", "c-1"), ("Google", "g-Vet")] {
        conn.execute(
            "INSERT INTO linked_identities (pool_id, provider_name, provider_user_id, user_id) \
             SELECT pool_id, ?2, ?3, id FROM users WHERE sub = ?1",
            params![f.user.sub.hyphenated().to_string(), provider, subject],
        )
        .expect("v15 linked identity");
    }
}

const SEEDS: &[fn(&Connection, &Fixture)] = &[
    seed_v1, seed_v2, seed_v3, seed_v4, seed_v5, seed_v6, seed_v7, seed_v8, seed_v9, seed_v10,
    seed_v11, seed_v12, seed_v13, seed_v14, seed_v15,
];

/// A database as a release at `version` left it: the first `version` migrations, each in
/// its transaction with its `user_version`, and the rows each version can hold.
fn database_at(path: &Path, version: usize, f: &Fixture) {
    let mut conn = raw(path);
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "foreign_keys", true).expect("fk");
    for m in &schema::MIGRATIONS[..version] {
        let tx = conn.transaction().expect("begin");
        tx.execute_batch(m.sql).expect("an old migration");
        tx.pragma_update(None, "user_version", m.version)
            .expect("version");
        tx.commit().expect("commit");
    }
    for seed in &SEEDS[..version] {
        seed(&conn, f);
    }
}

#[test]
fn every_migration_has_a_seed() {
    assert_eq!(SEEDS.len(), schema::MIGRATIONS.len());
}

#[test]
fn every_older_version_migrates_to_the_newest_with_its_data() {
    let f = fixture();
    for version in 0..=schema::MIGRATIONS.len() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(format!("v{version}.db"));
        database_at(&path, version, &f);
        let store = SqliteStore::open(&path)
            .unwrap_or_else(|e| panic!("opening a version-{version} database: {e}"));
        let reached: i64 = raw(&path)
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("user_version");
        assert_eq!(reached, schema::VERSION, "from version {version}");

        if version >= 1 {
            let mut expected_pool = f.pool.clone();
            if version >= 10 {
                expected_pool.mfa = f.pool_mfa.clone();
            }
            assert_eq!(
                store.get_pool(&f.pool.id).expect("get_pool").as_ref(),
                Some(&expected_pool),
                "the pool survives migration from version {version}"
            );
            let mut expected_client = f.client.clone();
            if version >= 13 {
                expected_client.modified_at = CLIENT_MODIFIED;
            }
            assert_eq!(
                store
                    .find_client("oldclient1")
                    .expect("find_client")
                    .as_ref(),
                Some(&expected_client),
                "the client survives migration from version {version}"
            );
        }
        if version >= 2 {
            let mut expected = if version >= 6 {
                UserRecord {
                    code_throttles: f.throttles.clone(),
                    ..f.user.clone()
                }
            } else {
                f.user.clone()
            };
            if version >= 9 {
                expected.srp = Some(userpool_core::srp::SrpBlob::from_bytes(f.srp.clone()));
            }
            if version >= 10 {
                expected.mfa = Some(userpool_core::mfa::MfaBlob::from_bytes(f.mfa.clone()));
            }
            if version >= 14 {
                expected.challenge_client = Some(f.client.client_id.clone());
            }
            for key in [
                UserKey::Username("veteran"),
                UserKey::Alias(AliasAttribute::Email, "vet@example.com"),
                UserKey::Sub(f.user.sub),
            ] {
                assert_eq!(
                    store
                        .find_user(&f.pool.id, key)
                        .expect("find_user")
                        .as_ref(),
                    Some(&expected),
                    "the user survives migration from version {version} ({key:?})"
                );
            }
            // SPEC §21: migration 15 indexes the links of the users already stored.
            for (provider, subject, found) in [
                ("Google", "g-Vet", true),
                ("Corp", "c-1", true),
                ("Google", "g-vet", false),
                ("Corp", "", false),
            ] {
                assert_eq!(
                    store
                        .find_linked_user(&f.pool.id, provider, subject)
                        .expect("find_linked_user")
                        .as_ref(),
                    found.then_some(&expected),
                    "the link {provider}/{subject} after migration from version {version}"
                );
            }
        }
        if version >= 12 {
            let domain = store
                .get_domain("veteran-auth")
                .expect("get_domain")
                .expect("the domain survives");
            assert_eq!(domain.pool_id, f.pool.id);
            assert_eq!(domain.created_at, at(9));
        }
        if version >= 5 {
            assert_eq!(
                store.signing_key(&f.pool.id).expect("signing_key").as_ref(),
                Some(&f.key),
                "the signing key survives"
            );
            assert_eq!(
                store
                    .find_token_session_by_refresh(&f.pool.id, &f.session.refresh_digest)
                    .expect("find_token_session_by_refresh")
                    .as_ref(),
                Some(&f.session),
                "the token session survives"
            );
        }
        if version >= 8 {
            assert_eq!(
                store
                    .get_group(&f.pool.id, &f.group.name)
                    .expect("get_group")
                    .as_ref(),
                Some(&f.group),
                "the group survives"
            );
            assert_eq!(
                store
                    .list_groups_for_user(&f.pool.id, f.user.sub, None, 10)
                    .expect("list_groups_for_user"),
                std::slice::from_ref(&f.group),
                "the membership survives"
            );
        }
        // And the migrated database takes writes, token storage and groups included.
        if version < 1 {
            store.create_pool(&f.pool).expect("create_pool");
        }
        let newcomer = user("newcomer", &[], 9);
        assert_eq!(store.insert_user(&f.pool.id, &newcomer).expect("insert"), 1);
        let fresh_key = SigningKey {
            kid: "new-kid".into(),
            ..f.key.clone()
        };
        let in_force = store
            .insert_signing_key(&f.pool.id, &fresh_key)
            .expect("insert_signing_key");
        let expected_key = if version >= 5 { &f.key } else { &fresh_key };
        assert_eq!(&in_force, expected_key, "first writer wins after migration");
        let session = TokenSession {
            sub: newcomer.sub,
            origin_jti: uuid::Uuid::from_u128(9),
            refresh_digest: [0x09; 32],
            revoked: false,
            ..f.session.clone()
        };
        store
            .insert_token_session(&session)
            .expect("insert_token_session");
        assert_eq!(
            store
                .revoke_token_sessions(&f.pool.id, newcomer.sub)
                .expect("revoke"),
            1
        );
        let fresh_group = GroupRecord {
            name: "newcomers".into(),
            ..f.group.clone()
        };
        assert_eq!(store.create_group(&fresh_group).expect("create_group"), 1);
        store
            .add_user_to_group(&f.pool.id, "newcomers", newcomer.sub)
            .expect("add_user_to_group");
        assert!(
            common::integrity_check(&path) == ["ok"],
            "integrity after migration from version {version}"
        );
    }
}
