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
//! | `pools` | pool: name, every policy setting, argon2 parameters, history mode, alias and username attributes, case sensitivity, MFA configuration, attribute schema and settings (JSON), times, `version` | `pools_pkey (id)` |
//! | `decoy_writes` | pool: its count of decoy writes (`Store::decoy_write`) | cascades with its pool |
//! | `clients` | app client: name, secret, auth flows (array, in order), `PreventUserExistenceErrors`, OAuth settings (arrays, in order), creation and modification times | `clients_pkey (client_id)`: ids unique across pools; cascades with its pool |
//! | `users` | user: username, `username_key`, `sub`, status, credential, history (array, newest first), history salt, lockout, pending code and challenge (digests), code throttles, SRP state, MFA state, held value of a pending code, attributes (two arrays, by name), times, `version` | `users_username_unique (pool_id, username_key)`, `users_sub_unique (pool_id, sub)`, `CHECK`s that make every optional group all-or-nothing; cascades with its pool |
//! | `aliases` | alias or username-attribute key a user occupies | `aliases_pkey (pool_id, attribute, alias_key)`: the uniqueness of alias values; cascades with its user |
//! | `linked_identities` | provider identity linked to a user (SPEC §21: `userpool_store::keys::linked_identities`, from its `identities` attribute) | `linked_identities_pkey (pool_id, provider_name, provider_user_id, user_id)`: the lookup of `find_linked_user`; cascades with its user |
//! | `signing_keys` | pool: its token-signing key | `signing_keys_pkey (pool_id)`: first writer wins; cascades with its pool |
//! | `token_sessions` | token family of a sign-in | `token_sessions_pkey (pool_id, origin_jti)`, `token_sessions_refresh_unique (pool_id, refresh_digest)`; cascades with its pool and its user |
//! | `pool_groups` | group of a pool (SPEC §17) | `pool_groups_pkey (pool_id, name)`; cascades with its pool |
//! | `group_members` | membership of a user (by `sub`) in a group | primary key `(pool_id, group_name, sub)`; cascades with its group and its user |
//! | `pool_domains` | domain of a pool (SPEC §21): name, certificate, managed-login version, creation time, `version` | `pool_domains_pkey (domain)`: unique across pools; `pool_domains_pool_unique (pool_id)`: one per pool; cascades with its pool |
//! | `resource_servers` | resource server of a pool: name, scopes (two arrays, in order), `version` | `resource_servers_pkey (pool_id, identifier)`; cascades with its pool |
//! | `identity_providers` | identity provider of a pool: type, details and attribute mapping (two arrays each, by key), identifiers (array, in order), times, `version` | `identity_providers_pkey (pool_id, provider_name)`; cascades with its pool |
//! | `idp_identifiers` | `IdpIdentifier` a provider holds | `idp_identifiers_pkey (pool_id, identifier)`: unique across the pool's providers; cascades with its provider |
//! | `authorization_codes` | authorization code waiting for its exchange (digest only), with its request's redirect URI, scopes, PKCE challenge, nonce and times | `authorization_codes_pkey (pool_id, code_digest)`; cascades with its pool and its user |
//!
//! Migration 2 added, besides those tables: the pool's MFA configuration (four columns),
//! attribute schema and SPEC §16 settings (`attribute_schema`, `settings`: serde JSON text,
//! NULL for the standard schema and the default settings, as userpool-sqlite stores
//! them); the user's MFA state (`mfa`, opaque bytes like `srp`, sealed by
//! `SealingStore`) and the new value a pending code holds (`code_held_value`); an app
//! client's OAuth settings (arrays in its row, in the order given); a token session's
//! scopes (an array).
//!
//! Every key whose order is part of the contract (pool ids, username keys, group names,
//! client ids, resource-server identifiers, provider names) is
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
pub const MIGRATIONS: &[Migration] = &[
    Migration {
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
    },
    Migration {
        version: 2,
        description: "MFA (SPEC §18), attribute schema and pool settings (SPEC §16), OAuth 2.0 and OpenID Connect (SPEC §21): domains, resource servers, identity providers, authorization codes, client OAuth settings, session scopes",
        sql: r#"
ALTER TABLE pools
    ADD COLUMN mfa_configuration TEXT NOT NULL DEFAULT 'OFF'
        CHECK (mfa_configuration IN ('OFF', 'ON', 'OPTIONAL')),
    ADD COLUMN mfa_software_token BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN mfa_sms BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN mfa_sms_message TEXT,
    ADD COLUMN attribute_schema TEXT,
    ADD COLUMN settings TEXT;

ALTER TABLE users
    ADD COLUMN mfa BYTEA,
    ADD COLUMN code_held_value TEXT,
    ADD CONSTRAINT users_held_value_needs_code
        CHECK (code_held_value IS NULL OR code_purpose IS NOT NULL);

ALTER TABLE clients
    ADD COLUMN oauth_flows TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN oauth_flows_user_pool_client BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN oauth_scopes TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN callback_urls TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN logout_urls TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN default_redirect_uri TEXT,
    ADD COLUMN supported_identity_providers TEXT[] NOT NULL DEFAULT '{}';

ALTER TABLE token_sessions ADD COLUMN scopes TEXT[] NOT NULL DEFAULT '{}';

CREATE TABLE pool_domains (
    domain TEXT COLLATE "C" NOT NULL,
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    certificate_arn TEXT,
    managed_login_version BIGINT NOT NULL CHECK (managed_login_version BETWEEN 0 AND 255),
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    CONSTRAINT pool_domains_pkey PRIMARY KEY (domain),
    CONSTRAINT pool_domains_pool_unique UNIQUE (pool_id)
);

CREATE TABLE resource_servers (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    identifier TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    scope_names TEXT[] NOT NULL,
    scope_descriptions TEXT[] NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    CONSTRAINT resource_servers_pkey PRIMARY KEY (pool_id, identifier),
    CHECK (cardinality(scope_names) = cardinality(scope_descriptions))
);

CREATE TABLE identity_providers (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    provider_name TEXT COLLATE "C" NOT NULL,
    provider_type TEXT NOT NULL,
    detail_keys TEXT[] NOT NULL,
    detail_values TEXT[] NOT NULL,
    mapping_keys TEXT[] NOT NULL,
    mapping_values TEXT[] NOT NULL,
    idp_identifiers TEXT[] NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    CONSTRAINT identity_providers_pkey PRIMARY KEY (pool_id, provider_name),
    CHECK (cardinality(detail_keys) = cardinality(detail_values)),
    CHECK (cardinality(mapping_keys) = cardinality(mapping_values))
);

CREATE TABLE idp_identifiers (
    pool_id TEXT COLLATE "C" NOT NULL,
    identifier TEXT COLLATE "C" NOT NULL,
    provider_name TEXT COLLATE "C" NOT NULL,
    CONSTRAINT idp_identifiers_pkey PRIMARY KEY (pool_id, identifier),
    CONSTRAINT idp_identifiers_provider_fkey FOREIGN KEY (pool_id, provider_name)
        REFERENCES identity_providers (pool_id, provider_name) ON DELETE CASCADE
);
CREATE INDEX idp_identifiers_by_provider ON idp_identifiers (pool_id, provider_name);

CREATE TABLE authorization_codes (
    pool_id TEXT COLLATE "C" NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    code_digest BYTEA NOT NULL CHECK (length(code_digest) = 32),
    client_id TEXT NOT NULL,
    sub TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scopes TEXT[] NOT NULL,
    code_challenge TEXT,
    nonce TEXT,
    auth_time BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    CONSTRAINT authorization_codes_pkey PRIMARY KEY (pool_id, code_digest),
    CONSTRAINT authorization_codes_user_fkey FOREIGN KEY (pool_id, sub)
        REFERENCES users (pool_id, sub) ON DELETE CASCADE
);
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (pool_id, expires_at);
"#,
    },
    Migration {
        version: 3,
        description: "clients: when their settings last changed (DescribeUserPoolClient's LastModifiedDate), their creation time for the clients already stored",
        sql: r#"
ALTER TABLE clients ADD COLUMN modified_at BIGINT;
UPDATE clients SET modified_at = created_at;
ALTER TABLE clients ALTER COLUMN modified_at SET NOT NULL;
"#,
    },
    Migration {
        version: 4,
        description: "users: the app client that opened the open sign-in challenge (its session is answered through that client only)",
        sql: r#"
ALTER TABLE users ADD COLUMN challenge_client TEXT;
"#,
    },
    Migration {
        version: 5,
        description: "linked_identities: the provider identities linked to each user (its `identities` attribute, less its own identity), indexed so a federated sign-in finds the linked user in one lookup; filled for the users already stored",
        sql: r#"
CREATE TABLE linked_identities (
    pool_id TEXT COLLATE "C" NOT NULL,
    provider_name TEXT COLLATE "C" NOT NULL,
    provider_user_id TEXT COLLATE "C" NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT linked_identities_pkey PRIMARY KEY (pool_id, provider_name, provider_user_id, user_id)
);
CREATE INDEX linked_identities_by_user ON linked_identities (user_id);

-- The users already stored: a value that is not a JSON list links nothing, as in
-- `userpool_store::keys::linked_identities`.
DO $fill$
DECLARE
    r record;
    parsed jsonb;
BEGIN
    FOR r IN
        SELECT u.id, u.pool_id, u.username, a.value
        FROM users u
        CROSS JOIN LATERAL unnest(u.attribute_names, u.attribute_values) AS a (name, value)
        WHERE a.name = 'identities'
    LOOP
        BEGIN
            parsed := r.value::jsonb;
        EXCEPTION WHEN others THEN
            parsed := NULL;
        END;
        IF jsonb_typeof(parsed) = 'array' THEN
            INSERT INTO linked_identities (pool_id, provider_name, provider_user_id, user_id)
            SELECT DISTINCT r.pool_id, e ->> 'providerName', e ->> 'userId', r.id
            FROM jsonb_array_elements(parsed) AS e
            WHERE jsonb_typeof(e) = 'object'
              AND jsonb_typeof(e -> 'providerName') = 'string'
              AND jsonb_typeof(e -> 'userId') = 'string'
              AND r.username <> (e ->> 'providerName') || '_' || (e ->> 'userId')
            ON CONFLICT DO NOTHING;
        END IF;
    END LOOP;
END
$fill$;
"#,
    },
];

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
