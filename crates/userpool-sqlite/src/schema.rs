//! The schema and its migrations: versioned by `PRAGMA user_version`, forward-only, each
//! applied in its own transaction together with the version it produces.
//!
//! # Layout
//!
//! | table | one row per | keys and constraints |
//! |---|---|---|
//! | `pools` | pool: name, every policy setting, argon2 parameters, history mode, alias and username attributes (comma-separated, in order), case sensitivity, the attribute schema and the SPEC §16 settings (each one JSON text, the `serde` form of `userpool_core::Schema` and `PoolSettings`; NULL for pools written before them), times, `version` | `PRIMARY KEY (id)` |
//! | `clients` | app client: name, secret, `PreventUserExistenceErrors`, creation and modification times | `PRIMARY KEY (client_id)` (client ids are unique across pools), cascades with its pool |
//! | `client_auth_flows` | allowed auth flow of a client, with its position | `PRIMARY KEY (client_id, position)` |
//! | `users` | user: username as created, `username_key`, `sub`, status text, `enabled`, the credential (PHC string, kind, expiry, set time), history salt, lockout, pending code and challenge (digests only), the code throttles of SPEC §12 (four time lists: sign-up and reset, wrong attempts and codes issued), times, `version` | `UNIQUE (pool_id, username_key)`, `UNIQUE (pool_id, sub)`, `CHECK`s that make every optional group all-or-nothing |
//! | `user_attributes` | attribute of a user | `PRIMARY KEY (user_id, name)` |
//! | `password_history` | previous password hash, `position` 0 = newest | `PRIMARY KEY (user_id, position)` |
//! | `aliases` | alias key a user occupies | `PRIMARY KEY (pool_id, attribute, alias_key)`: the uniqueness of alias values |
//! | `linked_identities` | provider identity linked to a user (SPEC §21: `userpool_store::keys::linked_identities`, from its `identities` attribute) | `PRIMARY KEY (pool_id, provider_name, provider_user_id, user_id)`: the lookup of `find_linked_user`; cascades with its user and pool |
//! | `decoy_writes` | pool: how many unknown-user sign-ins committed a decoy write (see `Store::decoy_write`) | `PRIMARY KEY (pool_id)`, cascades with its pool |
//! | `signing_keys` | pool: its token-signing key (`kid`, the host's serialisation of the private key, creation time) | `PRIMARY KEY (pool_id)`: one key per pool, first writer wins; cascades with its pool |
//! | `pool_groups` | group of a pool (SPEC §17): description, precedence, role ARN, times, `version` | `PRIMARY KEY (pool_id, name)`: names unique per pool; cascades with its pool |
//! | `group_members` | membership of a user (by `sub`) in a group | `PRIMARY KEY (pool_id, group_name, sub)`; cascades with its group (`FOREIGN KEY (pool_id, group_name)`) and with its user (`FOREIGN KEY (pool_id, sub)`) |
//! | `client_oauth`, `client_oauth_values` | app client's OAuth settings (SPEC §21): the flag and default redirect URI; each list entry (flow, scope, callback, logout URL, provider) with its kind and position | `PRIMARY KEY (client_id)`, `PRIMARY KEY (client_id, kind, position)`; cascade with their client (a client without a row has the default, empty settings) |
//! | `pool_domains` | pool's domain: certificate ARN, managed-login version, creation time, `version` | `PRIMARY KEY (domain)` (unique across pools), `UNIQUE (pool_id)` (one per pool); cascades with its pool |
//! | `resource_servers`, `resource_server_scopes` | resource server (name, `version`) and its scopes in order | `PRIMARY KEY (pool_id, identifier)`; scopes cascade with their server, servers with their pool |
//! | `identity_providers`, `identity_provider_entries`, `idp_identifiers` | identity provider (type, times, `version`); its details and attribute mapping (`kind` `detail` or `mapping`); its identifiers in order | `PRIMARY KEY (pool_id, provider_name)`; `PRIMARY KEY (pool_id, identifier)`: an identifier belongs to one provider of the pool; children cascade with their provider |
//! | `authorization_codes` | authorization code waiting for its exchange (digest only), its client, user, redirect URI, scopes (space-separated), PKCE challenge, nonce, times | `PRIMARY KEY (pool_id, code_digest)`; cascades with its pool and its user (`FOREIGN KEY (pool_id, sub)`) |
//! | `token_sessions` | sign-in's token family: `origin_jti`, `sub`, client, refresh-token digest, times, `revoked`, the OAuth scopes granted (space-separated; empty for an API sign-in) | `PRIMARY KEY (pool_id, origin_jti)`, `UNIQUE (pool_id, refresh_digest)`; cascades with its pool and with its user (`FOREIGN KEY (pool_id, sub)`) |
//!
//! Every table is `STRICT`. Child rows cascade when their user, client or pool is deleted
//! (`foreign_keys` is switched on for every connection).
//!
//! **Times** are `INTEGER` microseconds since the Unix epoch, UTC: the precision of the
//! service's clock and of PostgreSQL, and exact for every time the conformance kit writes.
//! A time with a sub-microsecond part is truncated toward the past when written. A **list
//! of times** (the code throttles) is those integers in decimal, comma-separated, in the
//! record's order; the empty string is the empty list.
//!
//! **Secrets**: passwords are stored only as argon2id PHC strings, codes and challenge
//! sessions only as salted digests ([`userpool_core::SecretDigest::to_storage`]), refresh
//! tokens only as the host's digest. App-client secrets (`clients.secret`) and each pool's
//! token-signing key (`signing_keys.private_der`) must be read back, so they are stored as
//! given: sealed, when the store is wrapped in `userpool_store::SealingStore` (as the
//! server does; a secret then starts `upseal1.`, a key with the bytes `UPS`), plaintext
//! otherwise — and in databases written before sealing existed, until their first read
//! through a sealing store seals them in place.
//!
//! # Adding a migration
//!
//! Append to [`MIGRATIONS`]; never edit a published one (databases in the field have run
//! it). The test suite builds a database at every older version from this list, with data,
//! and opens it with the current code.

/// One step of the schema: the SQL that takes a database from `version - 1` to `version`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The `user_version` the database has after this step.
    pub version: i64,
    /// What the step does, for humans.
    pub description: &'static str,
    /// The statements, run in one transaction with the version update.
    pub sql: &'static str,
}

/// Written to the database header (`PRAGMA application_id`) by the first migration, so that
/// a userpool database is recognisable and another application's is refused. ("UPL1")
pub const APPLICATION_ID: i64 = 0x5550_4C31;

/// Every migration, in order; `MIGRATIONS[i].version == i + 1`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "pools and app clients",
        sql: "
PRAGMA application_id = 1431325745;

CREATE TABLE pools (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    minimum_length INTEGER NOT NULL,
    require_uppercase INTEGER NOT NULL CHECK (require_uppercase IN (0, 1)),
    require_lowercase INTEGER NOT NULL CHECK (require_lowercase IN (0, 1)),
    require_numbers INTEGER NOT NULL CHECK (require_numbers IN (0, 1)),
    require_symbols INTEGER NOT NULL CHECK (require_symbols IN (0, 1)),
    password_history_size INTEGER NOT NULL,
    temporary_password_validity_days INTEGER NOT NULL,
    maximum_length INTEGER,
    reject_user_identity INTEGER NOT NULL CHECK (reject_user_identity IN (0, 1)),
    hash_memory_kib INTEGER NOT NULL,
    hash_iterations INTEGER NOT NULL,
    hash_parallelism INTEGER NOT NULL,
    history_mode TEXT NOT NULL,
    alias_attributes TEXT NOT NULL,
    username_attributes TEXT NOT NULL,
    case_sensitive INTEGER NOT NULL CHECK (case_sensitive IN (0, 1)),
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;

CREATE TABLE clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret TEXT,
    prevent_user_existence_errors INTEGER NOT NULL
        CHECK (prevent_user_existence_errors IN (0, 1)),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX clients_by_pool ON clients (pool_id);

CREATE TABLE client_auth_flows (
    client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    flow TEXT NOT NULL,
    PRIMARY KEY (client_id, position)
) STRICT, WITHOUT ROWID;
",
    },
    Migration {
        version: 2,
        description: "users, their attributes, password history and alias keys",
        sql: "
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    sub TEXT NOT NULL,
    status TEXT NOT NULL,
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    credential_hash TEXT,
    credential_kind TEXT CHECK (credential_kind IN ('PERMANENT', 'TEMPORARY')),
    credential_expires_at INTEGER,
    credential_set_at INTEGER,
    history_salt BLOB CHECK (history_salt IS NULL OR length(history_salt) = 16),
    consecutive_failures INTEGER NOT NULL CHECK (consecutive_failures >= 0),
    last_failure_at INTEGER,
    locked_until INTEGER,
    code_purpose TEXT,
    code_digest TEXT,
    code_expires_at INTEGER,
    code_failed_attempts INTEGER,
    challenge_digest TEXT,
    challenge_credential TEXT,
    challenge_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    UNIQUE (pool_id, username_key),
    UNIQUE (pool_id, sub),
    CHECK ((credential_hash IS NULL) = (credential_kind IS NULL)),
    CHECK ((credential_hash IS NULL) = (credential_set_at IS NULL)),
    CHECK ((credential_expires_at IS NOT NULL) = (credential_kind IS 'TEMPORARY')),
    CHECK ((code_purpose IS NULL) = (code_digest IS NULL)),
    CHECK ((code_purpose IS NULL) = (code_expires_at IS NULL)),
    CHECK ((code_purpose IS NULL) = (code_failed_attempts IS NULL)),
    CHECK ((challenge_digest IS NULL) = (challenge_credential IS NULL)),
    CHECK ((challenge_digest IS NULL) = (challenge_expires_at IS NULL))
) STRICT;

CREATE TABLE user_attributes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE password_history (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    hash TEXT NOT NULL,
    PRIMARY KEY (user_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE aliases (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    attribute TEXT NOT NULL,
    alias_key TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, attribute, alias_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX aliases_by_user ON aliases (user_id);
",
    },
    Migration {
        version: 3,
        description: "pools: optional zxcvbn minimum strength",
        sql: "
ALTER TABLE pools ADD COLUMN minimum_strength INTEGER
    CHECK (minimum_strength IS NULL OR minimum_strength BETWEEN 0 AND 4);
",
    },
    Migration {
        version: 4,
        description: "decoy writes: unknown-user sign-ins commit like recorded failures",
        sql: "
CREATE TABLE decoy_writes (
    pool_id TEXT PRIMARY KEY NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    count INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
",
    },
    Migration {
        version: 5,
        description: "token storage: each pool's signing key, and token sessions",
        sql: "
CREATE TABLE signing_keys (
    pool_id TEXT PRIMARY KEY NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    kid TEXT NOT NULL,
    private_der BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE token_sessions (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    origin_jti TEXT NOT NULL,
    sub TEXT NOT NULL,
    client_id TEXT NOT NULL,
    refresh_digest BLOB NOT NULL CHECK (length(refresh_digest) = 32),
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL CHECK (revoked IN (0, 1)),
    PRIMARY KEY (pool_id, origin_jti),
    UNIQUE (pool_id, refresh_digest),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX token_sessions_by_user ON token_sessions (pool_id, sub);
",
    },
    Migration {
        version: 6,
        description: "users: code throttles per purpose (SPEC §12)",
        sql: "
ALTER TABLE users ADD COLUMN sign_up_code_failures TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN sign_up_codes_issued TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN reset_code_failures TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN reset_codes_issued TEXT NOT NULL DEFAULT '';
",
    },
    Migration {
        version: 7,
        description: "pools: refuse an answer to NEW_PASSWORD_REQUIRED equal to the temporary password (SPEC §6 option)",
        sql: "
ALTER TABLE pools ADD COLUMN refuse_temporary_as_new INTEGER NOT NULL DEFAULT 0
    CHECK (refuse_temporary_as_new IN (0, 1));
",
    },
    Migration {
        version: 8,
        description: "groups and their members (SPEC §17)",
        sql: "
CREATE TABLE pool_groups (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    precedence INTEGER CHECK (precedence IS NULL OR precedence BETWEEN 0 AND 2147483647),
    role_arn TEXT,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    PRIMARY KEY (pool_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE group_members (
    pool_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    sub TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, sub),
    FOREIGN KEY (pool_id, group_name) REFERENCES pool_groups (pool_id, name) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (pool_id, sub, group_name);
",
    },
    Migration {
        version: 9,
        description: "users: the SRP verifier and open PASSWORD_VERIFIER challenges, as the store is given them (sealed by SealingStore; SPEC §15)",
        sql: "
ALTER TABLE users ADD COLUMN srp BLOB;
",
    },
    Migration {
        version: 10,
        description: "MFA (SPEC §18): the pool's MfaConfiguration and factors offered; users' MFA state (TOTP secrets, last step, factors, open challenge) as the store is given it (sealed by SealingStore)",
        sql: "
ALTER TABLE pools ADD COLUMN mfa_configuration TEXT NOT NULL DEFAULT 'OFF'
    CHECK (mfa_configuration IN ('OFF', 'ON', 'OPTIONAL'));
ALTER TABLE pools ADD COLUMN mfa_software_token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pools ADD COLUMN mfa_sms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pools ADD COLUMN mfa_sms_message TEXT;
ALTER TABLE users ADD COLUMN mfa BLOB;
",
    },
    Migration {
        version: 11,
        description: "pools: the attribute schema and the other SPEC §16 settings, each as one JSON text (NULL: Cognito's standard schema, no settings); users: the new attribute value a pending verification code holds (SPEC §16)",
        sql: "
ALTER TABLE pools ADD COLUMN attribute_schema TEXT;
ALTER TABLE pools ADD COLUMN settings TEXT;
ALTER TABLE users ADD COLUMN code_held_value TEXT;
",
    },
    Migration {
        version: 12,
        description: "OAuth 2.0 and OpenID Connect: app-client OAuth settings, pool domains, resource servers, identity providers, authorization codes (SPEC §21)",
        sql: "
CREATE TABLE client_oauth (
    client_id TEXT PRIMARY KEY REFERENCES clients (client_id) ON DELETE CASCADE,
    allowed_flows_user_pool_client INTEGER NOT NULL
        CHECK (allowed_flows_user_pool_client IN (0, 1)),
    default_redirect_uri TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE client_oauth_values (
    client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('flow', 'scope', 'callback', 'logout', 'provider')),
    position INTEGER NOT NULL CHECK (position >= 0),
    value TEXT NOT NULL,
    PRIMARY KEY (client_id, kind, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE pool_domains (
    domain TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL UNIQUE REFERENCES pools (id) ON DELETE CASCADE,
    certificate_arn TEXT,
    managed_login_version INTEGER NOT NULL CHECK (managed_login_version BETWEEN 0 AND 255),
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT, WITHOUT ROWID;

CREATE TABLE resource_servers (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    PRIMARY KEY (pool_id, identifier)
) STRICT, WITHOUT ROWID;

CREATE TABLE resource_server_scopes (
    pool_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier, position),
    FOREIGN KEY (pool_id, identifier) REFERENCES resource_servers (pool_id, identifier)
        ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE identity_providers (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    provider_name TEXT NOT NULL,
    provider_type TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    PRIMARY KEY (pool_id, provider_name)
) STRICT, WITHOUT ROWID;

CREATE TABLE identity_provider_entries (
    pool_id TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('detail', 'mapping')),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (pool_id, provider_name, kind, key),
    FOREIGN KEY (pool_id, provider_name) REFERENCES identity_providers (pool_id, provider_name)
        ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE idp_identifiers (
    pool_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    position INTEGER NOT NULL CHECK (position >= 0),
    PRIMARY KEY (pool_id, identifier),
    FOREIGN KEY (pool_id, provider_name) REFERENCES identity_providers (pool_id, provider_name)
        ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX idp_identifiers_by_provider ON idp_identifiers (pool_id, provider_name, position);

CREATE TABLE authorization_codes (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    code_digest BLOB NOT NULL CHECK (length(code_digest) = 32),
    client_id TEXT NOT NULL,
    sub TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    nonce TEXT,
    auth_time INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, code_digest),
    FOREIGN KEY (pool_id, sub) REFERENCES users (pool_id, sub) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (pool_id, expires_at);

ALTER TABLE token_sessions ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
",
    },
    Migration {
        version: 13,
        description: "clients: when their settings last changed (DescribeUserPoolClient's LastModifiedDate), their creation time for the clients already stored",
        sql: "
ALTER TABLE clients ADD COLUMN modified_at INTEGER NOT NULL DEFAULT 0;
UPDATE clients SET modified_at = created_at;
",
    },
    Migration {
        version: 14,
        description: "users: the app client that opened the open sign-in challenge (its session is answered through that client only)",
        sql: "
ALTER TABLE users ADD COLUMN challenge_client TEXT;
",
    },
    Migration {
        version: 15,
        description: "linked_identities: the provider identities linked to each user (its `identities` attribute, less its own identity), indexed so a federated sign-in finds the linked user in one lookup; filled for the users already stored",
        sql: "
CREATE TABLE linked_identities (
    pool_id TEXT NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    provider_name TEXT NOT NULL,
    provider_user_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (pool_id, provider_name, provider_user_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX linked_identities_by_user ON linked_identities (user_id);

INSERT OR IGNORE INTO linked_identities (pool_id, provider_name, provider_user_id, user_id)
SELECT u.pool_id, json_extract(e.value, '$.providerName'), json_extract(e.value, '$.userId'), u.id
FROM users u
JOIN user_attributes a ON a.user_id = u.id AND a.name = 'identities'
JOIN json_each(
    CASE WHEN json_valid(a.value) AND json_type(a.value) = 'array' THEN a.value ELSE '[]' END
) e
WHERE CASE WHEN e.type = 'object' THEN
        json_type(e.value, '$.providerName') = 'text'
        AND json_type(e.value, '$.userId') = 'text'
        AND u.username <> json_extract(e.value, '$.providerName') || '_'
            || json_extract(e.value, '$.userId')
    ELSE 0 END;
",
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
    fn first_migration_writes_the_application_id() {
        assert!(
            MIGRATIONS[0]
                .sql
                .contains(&format!("PRAGMA application_id = {APPLICATION_ID};"))
        );
    }
}
