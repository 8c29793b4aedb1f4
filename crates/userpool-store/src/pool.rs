//! What a store keeps about a pool and its app clients.

use chrono::{DateTime, Utc};
use userpool_core::mfa::PoolMfaConfig;
use userpool_core::{
    AliasAttribute, HashParams, HistoryMode, PasswordPolicy, PoolSettings, Schema, UserPoolId,
};

use crate::oauth::ClientOAuth;

/// A user pool's persisted settings.
///
/// Host-level settings that must not live in the database (a pepper, the blocklist, the
/// hashing ceiling) are given to the service, not stored here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolRecord {
    /// The pool id, e.g. `us-east-1_AbCdEf123`.
    pub id: UserPoolId,
    /// The pool's name.
    pub name: String,
    /// The password policy (its blocklist, if any, is host-supplied and not persisted).
    pub policy: PasswordPolicy,
    /// argon2id parameters for new hashes.
    pub hash_params: HashParams,
    /// How password history is checked.
    pub history_mode: HistoryMode,
    /// Attributes usable as aliases at sign-in (immutable after creation).
    pub alias_attributes: Vec<AliasAttribute>,
    /// Attributes usable *instead of* a username (`UsernameAttributes`); immutable.
    pub username_attributes: Vec<AliasAttribute>,
    /// Whether usernames compare case-sensitively (immutable after creation).
    pub case_sensitive: bool,
    /// MFA settings (SetUserPoolMfaConfig; SPEC §18). OFF by default.
    pub mfa: PoolMfaConfig,
    /// The attribute schema (SPEC §16): standard attributes and the custom ones added by
    /// `Schema` and AddCustomAttributes. Stores persist it whole.
    pub schema: Schema,
    /// The other SPEC §16 settings (auto-verified attributes, account recovery, messages,
    /// AdminCreateUserConfig, email/SMS configuration, Lambda triggers, deletion
    /// protection, attribute update settings, tags). Stores persist it whole.
    pub settings: PoolSettings,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last modification time.
    pub modified_at: DateTime<Utc>,
    /// Issued by the store.
    pub version: u64,
}

/// An app client of a pool.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// The pool the client belongs to.
    pub pool_id: UserPoolId,
    /// The client id.
    pub client_id: String,
    /// The client's name.
    pub name: String,
    /// The client secret, if generated (needed in clear to check `SECRET_HASH`).
    pub secret: Option<String>,
    /// Allowed auth flows (`ALLOW_USER_PASSWORD_AUTH`, ...).
    pub explicit_auth_flows: Vec<String>,
    /// `PreventUserExistenceErrors` = `ENABLED`.
    pub prevent_user_existence_errors: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// When its settings last changed (UpdateUserPoolClient; DescribeUserPoolClient's
    /// `LastModifiedDate`): its creation time until then.
    pub modified_at: DateTime<Utc>,
    /// The OAuth settings (SPEC §21); all empty for a client that uses no OAuth endpoint.
    pub oauth: ClientOAuth,
}

impl std::fmt::Debug for ClientRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRecord")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("explicit_auth_flows", &self.explicit_auth_flows)
            .field(
                "prevent_user_existence_errors",
                &self.prevent_user_existence_errors,
            )
            .field("created_at", &self.created_at)
            .field("modified_at", &self.modified_at)
            .field("oauth", &self.oauth)
            .finish()
    }
}
