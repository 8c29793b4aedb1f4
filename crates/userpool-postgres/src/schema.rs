//! The schema and its migrations: versioned by the one row of `userpool_schema`,
//! forward-only, each step applied in its own transaction together with the version it
//! produces, under a transaction-scoped advisory lock on the schema's name, so instances
//! starting together migrate once (SPEC §20).
//!
//! # Layout
//!
//! The columns and their encodings follow userpool-sqlite's schema (times as `BIGINT`
//! microseconds since the Unix epoch, UTC; lists of times and attribute lists as
//! comma-separated text; digests in `SecretDigest::to_storage` form; PHC strings for
//! hashes), so that a field added to a record costs the same column in both stores. Where
//! PostgreSQL has a better tool, it is used: a user's attributes and password history are
//! arrays in the user's row rather than child tables (one row is one user: read by one
//! statement, written by one `UPDATE`), a client's auth flows an array in its row.
//!
//! | table | one row per | keys and constraints |
//! |---|---|---|
//! | `userpool_schema` | (one row) the schema version | marks the schema as userpool's |
//! | `pools` | pool: name, every policy setting, argon2 parameters, history mode, alias and username attributes, case sensitivity, times, `version` | `pools_pkey (id)` |
//! | `decoy_writes` | pool: its count of decoy writes (`Store::decoy_write`) | cascades with its pool |
//! | `clients` | app client: name, secret, auth flows (array, in order), `PreventUserExistenceErrors`, creation time | `clients_pkey (client_id)`: ids unique across pools; cascades with its pool |
//! | `users` | user: username, `username_key`, `sub`, status, credential, history (array, newest first), history salt, lockout, pending code and challenge (digests), code throttles, SRP state, attributes (two arrays, by name), times, `version` | `users_username_unique (pool_id, username_key)`, `users_sub_unique (pool_id, sub)`, `CHECK`s that make every optional group all-or-nothing; cascades with its pool |
//! | `aliases` | alias or username-attribute key a user occupies | `aliases_pkey (pool_id, attribute, alias_key)`: the uniqueness of alias values; cascades with its user |
//! | `signing_keys` | pool: its token-signing key | `signing_keys_pkey (pool_id)`: first writer wins; cascades with its pool |
//! | `token_sessions` | token family of a sign-in | `token_sessions_pkey (pool_id, origin_jti)`, `token_sessions_refresh_unique (pool_id, refresh_digest)`; cascades with its pool and its user |
//! | `pool_groups` | group of a pool (SPEC §17) | `pool_groups_pkey (pool_id, name)`; cascades with its pool |
//! | `group_members` | membership of a user (by `sub`) in a group | primary key `(pool_id, group_name, sub)`; cascades with its group and its user |
//!
//! Every key whose order is part of the contract (pool ids, username keys, group names) is
//! `COLLATE "C"`: byte order of UTF-8, which is code-point order and Rust's `str` order,
//! whatever the database's default collation; the indexes serve those orders.
//!
//! Uniqueness violations are told apart by constraint name (the names above), never by
//! message text.
//!
//! # Adding a migration
//!
//! Append to [`MIGRATIONS`]; never edit a published one. Keep each step self-contained
//! (its own DDL, no reliance on data written by the code).

/// One step of the schema: the SQL that takes a schema from `version - 1` to `version`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The version the schema has after this step.
    pub version: i64,
    /// What the step does, for humans.
    pub description: &'static str,
    /// The statements, run in one transaction with the version update.
    pub sql: &'static str,
}

/// Every migration, in order; `MIGRATIONS[i].version == i + 1`.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    description: "pools, app clients, users, alias keys, token storage, groups",
    sql: r#"
CREATE TABLE userpool_schema (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    version BIGINT NOT NULL
);
INSERT INTO userpool_schema (version) VALUES (0);

CREATE TABLE pools (
    id TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    minimum_length BIGINT NOT NULL,
    require_uppercase BOOLEAN NOT NULL,
    require_lowercase BOOLEAN NOT NULL,
    require_numbers BOOLEAN NOT NULL,
    require_symbols BOOLEAN NOT NULL,
    password_history_size BIGINT NOT NULL,
    temporary_password_validity_days BIGINT NOT NULL,
    maximum_length BIGINT,
    reject_user_identity BOOLEAN NOT NULL,
    refuse_temporary_as_new BOOLEAN NOT NULL,
    minimum_strength BIGINT CHECK (minimum_strength IS NULL OR minimum_strength BETWEEN 0 AND 4),
    hash_memory_kib BIGINT NOT NULL,
    hash_iterations BIGINT NOT NULL,
    hash_parallelism BIGINT NOT NULL,
    history_mode TEXT NOT NULL,
    alias_attributes TEXT NOT NULL,
    username_attributes TEXT NOT NULL,
    case_sensitive BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    CONSTRAINT pools_pkey PRIMARY KEY (id)
);

CREATE TABLE decoy_writes (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    count BIGINT NOT NULL,
    CONSTRAINT decoy_writes_pkey PRIMARY KEY (pool_id)
);

CREATE TABLE clients (
    client_id TEXT COLLATE "C" NOT NULL,
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret TEXT,
    explicit_auth_flows TEXT[] NOT NULL,
    prevent_user_existence_errors BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT clients_pkey PRIMARY KEY (client_id)
);
CREATE INDEX clients_by_pool ON clients (pool_id);

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY,
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    username_key TEXT COLLATE "C" NOT NULL,
    sub TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    attribute_names TEXT[] NOT NULL,
    attribute_values TEXT[] NOT NULL,
    credential_hash TEXT,
    credential_kind TEXT CHECK (credential_kind IN ('PERMANENT', 'TEMPORARY')),
    credential_expires_at BIGINT,
    credential_set_at BIGINT,
    password_history TEXT[] NOT NULL,
    history_salt BYTEA CHECK (history_salt IS NULL OR length(history_salt) = 16),
    consecutive_failures BIGINT NOT NULL CHECK (consecutive_failures >= 0),
    last_failure_at BIGINT,
    locked_until BIGINT,
    code_purpose TEXT,
    code_digest TEXT,
    code_expires_at BIGINT,
    code_failed_attempts BIGINT,
    challenge_digest TEXT,
    challenge_credential TEXT,
    challenge_expires_at BIGINT,
    sign_up_code_failures TEXT NOT NULL,
    sign_up_codes_issued TEXT NOT NULL,
    reset_code_failures TEXT NOT NULL,
    reset_codes_issued TEXT NOT NULL,
    srp BYTEA,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_unique UNIQUE (pool_id, username_key),
    CONSTRAINT users_sub_unique UNIQUE (pool_id, sub),
    CHECK (cardinality(attribute_names) = cardinality(attribute_values)),
    CHECK ((credential_hash IS NULL) = (credential_kind IS NULL)),
    CHECK ((credential_hash IS NULL) = (credential_set_at IS NULL)),
    CHECK ((credential_expires_at IS NOT NULL) = (credential_kind IS NOT DISTINCT FROM 'TEMPORARY')),
    CHECK ((code_purpose IS NULL) = (code_digest IS NULL)),
    CHECK ((code_purpose IS NULL) = (code_expires_at IS NULL)),
    CHECK ((code_purpose IS NULL) = (code_failed_attempts IS NULL)),
    CHECK ((challenge_digest IS NULL) = (challenge_credential IS NULL)),
    CHECK ((challenge_digest IS NULL) = (challenge_expires_at IS NULL))
);

CREATE TABLE aliases (
    pool_id TEXT COLLATE "C" NOT NULL,
    attribute TEXT COLLATE "C" NOT NULL,
    alias_key TEXT COLLATE "C" NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT aliases_pkey PRIMARY KEY (pool_id, attribute, alias_key)
);
CREATE INDEX aliases_by_user ON aliases (user_id);

CREATE TABLE signing_keys (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    private_der BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT signing_keys_pkey PRIMARY KEY (pool_id)
);

CREATE TABLE token_sessions (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    origin_jti TEXT NOT NULL,
    sub TEXT NOT NULL,
    client_id TEXT NOT NULL,
    refresh_digest BYTEA NOT NULL CHECK (length(refresh_digest) = 32),
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL,
    CONSTRAINT token_sessions_pkey PRIMARY KEY (pool_id, origin_jti),
    CONSTRAINT token_sessions_refresh_unique UNIQUE (pool_id, refresh_digest),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX token_sessions_by_user ON token_sessions (pool_id, sub);

CREATE TABLE pool_groups (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    description TEXT,
    precedence BIGINT CHECK (precedence IS NULL OR precedence BETWEEN 0 AND 2147483647),
    role_arn TEXT,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    CONSTRAINT pool_groups_pkey PRIMARY KEY (pool_id, name)
);

CREATE TABLE group_members (
    pool_id TEXT COLLATE "C" NOT NULL,
    group_name TEXT COLLATE "C" NOT NULL,
    sub TEXT NOT NULL,
    CONSTRAINT group_members_pkey PRIMARY KEY (pool_id, group_name, sub),
    CONSTRAINT group_members_group_fkey FOREIGN KEY (pool_id, group_name)
        REFERENCES pool_groups (pool_id, name) ON DELETE CASCADE,
    CONSTRAINT group_members_user_fkey FOREIGN KEY (pool_id, sub)
        REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX group_members_by_user ON group_members (pool_id, sub, group_name);
"#,
}];

/// The newest schema version this crate knows: the last migration's.
pub const VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_one_by_one_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                m.version,
                i64::try_from(i).expect("small") + 1,
                "{}",
                m.description
            );
        }
        assert_eq!(VERSION, i64::try_from(MIGRATIONS.len()).expect("small"));
    }

    #[test]
    fn every_unique_constraint_the_code_maps_is_named_in_the_schema() {
        let all: String = MIGRATIONS.iter().map(|m| m.sql).collect();
        for name in crate::UNIQUE_CONSTRAINTS {
            assert!(
                all.contains(&format!("CONSTRAINT {name} ")),
                "{name} is not declared"
            );
        }
    }
}
