//! Conversions between records and SQL column values, shared by the SQL stores (SQLite,
//! PostgreSQL) so that a field is encoded the same way in each: times as microseconds since
//! the epoch, lists of times and of attributes as comma-separated text, integers as signed
//! 64-bit. Reading is total: a value no store would write is a [`Corrupt`] naming the table
//! and column, never the value (it may be a hash), and never a panic.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use userpool_core::mfa::PoolMfaConfig;
use userpool_core::{
    AliasAttribute, CodePurpose, CodeThrottle, CodeThrottles, Credential, CredentialKind,
    HashParams, HistoryMode, Lockout, PasswordHash, PasswordPolicy, PendingChallenge, PendingCode,
    PoolSettings, Schema, SecretDigest, UserPoolId, UserRecord, UserStatus, Username,
};
use uuid::Uuid;

use crate::pool::PoolRecord;
use crate::store::StoreError;

/// A stored value no store would write, named by table and column (never by its value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("corrupt value: {0}")]
pub struct Corrupt(pub String);

fn corrupt(what: impl Into<String>) -> Corrupt {
    Corrupt(what.into())
}

/// A time as stored: microseconds since the Unix epoch (sub-microsecond parts truncated).
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// Reads a stored time.
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn time(value: i64, column: &str) -> Result<DateTime<Utc>, Corrupt> {
    DateTime::from_timestamp_micros(value)
        .ok_or_else(|| corrupt(format!("{column}: time out of range")))
}

/// Reads an optional stored time.
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn opt_time(value: Option<i64>, column: &str) -> Result<Option<DateTime<Utc>>, Corrupt> {
    value.map(|v| time(v, column)).transpose()
}

/// A list of times as stored: microseconds in decimal, comma-separated, in order.
pub fn time_list(times: &[DateTime<Utc>]) -> String {
    times
        .iter()
        .map(|t| micros(*t).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads a stored list of times: at most [`CodeThrottle::MAX_TRACKED`] entries, each a
/// decimal integer in chrono's range. Anything else is corrupt; the text is checked for
/// length before it is split, so a hostile value costs no allocation that scales with it.
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn parse_time_list(text: &str, column: &str) -> Result<Vec<DateTime<Utc>>, Corrupt> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    // An i64 takes at most 20 characters, plus one comma each.
    if text.len() > CodeThrottle::MAX_TRACKED * 21 {
        return Err(corrupt(format!("{column}: too many entries")));
    }
    let mut out = Vec::new();
    for part in text.split(',') {
        if out.len() == CodeThrottle::MAX_TRACKED {
            return Err(corrupt(format!("{column}: too many entries")));
        }
        let digits = part.strip_prefix('-').unwrap_or(part);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(corrupt(format!("{column}: not a list of times")));
        }
        let value: i64 = part
            .parse()
            .map_err(|_| corrupt(format!("{column}: not a list of times")))?;
        out.push(time(value, column)?);
    }
    Ok(out)
}

/// A version or counter as stored (SQL integers are signed 64-bit).
///
/// # Errors
/// [`Corrupt`] for a value too large to store.
pub fn to_sql_int(value: u64, what: &str) -> Result<i64, Corrupt> {
    i64::try_from(value).map_err(|_| corrupt(format!("{what}: too large to store")))
}

/// Reads a non-negative integer into any unsigned width.
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn from_sql_int<T: TryFrom<i64>>(value: i64, column: &str) -> Result<T, Corrupt> {
    T::try_from(value).map_err(|_| corrupt(format!("{column}: integer out of range")))
}

/// A page size as a SQL `LIMIT`: saturating, as no table holds `i64::MAX` rows.
pub fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Reads a stored pool id (the pool's own, or the one a child row belongs to).
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn pool_id(text: &str, column: &str) -> Result<UserPoolId, Corrupt> {
    UserPoolId::parse(text).map_err(|_| corrupt(format!("{column}: not a pool id")))
}

/// The version a compare-and-swap writes after `version`.
///
/// # Errors
/// [`Corrupt`], naming the column, when the version has no successor.
pub fn next_version(version: u64, column: &str) -> Result<u64, Corrupt> {
    version
        .checked_add(1)
        .ok_or_else(|| corrupt(format!("{column}: exhausted")))
}

/// A pool as the columns of `pools` hold it, one field per column: what a SQL store
/// binds to write a pool ([`PoolColumns::new`]) and fills from a row to read one
/// ([`PoolColumns::into_record`]), so both stores encode and check a pool the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // Each field is the column of its name.
pub struct PoolColumns {
    pub id: String,
    pub name: String,
    pub minimum_length: i64,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub password_history_size: i64,
    pub temporary_password_validity_days: i64,
    pub maximum_length: Option<i64>,
    pub reject_user_identity: bool,
    pub refuse_temporary_as_new: bool,
    pub minimum_strength: Option<i64>,
    pub hash_memory_kib: i64,
    pub hash_iterations: i64,
    pub hash_parallelism: i64,
    pub history_mode: String,
    pub alias_attributes: String,
    pub username_attributes: String,
    pub case_sensitive: bool,
    pub attribute_schema: Option<String>,
    pub settings: Option<String>,
    pub created_at: i64,
    pub modified_at: i64,
    pub version: i64,
    pub mfa_configuration: String,
    pub mfa_software_token: bool,
    pub mfa_sms: bool,
    pub mfa_sms_message: Option<String>,
}

impl PoolColumns {
    /// `pool`'s column values, stamped with `version` (the one the write stores).
    ///
    /// # Errors
    /// [`Corrupt`] for a version too large to store.
    pub fn new(pool: &PoolRecord, version: u64) -> Result<PoolColumns, Corrupt> {
        let p = &pool.policy;
        Ok(PoolColumns {
            id: pool.id.as_str().to_owned(),
            name: pool.name.clone(),
            minimum_length: i64::from(p.minimum_length()),
            require_uppercase: p.require_uppercase(),
            require_lowercase: p.require_lowercase(),
            require_numbers: p.require_numbers(),
            require_symbols: p.require_symbols(),
            password_history_size: i64::from(p.password_history_size()),
            temporary_password_validity_days: i64::from(p.temporary_password_validity_days()),
            maximum_length: p.maximum_length().map(i64::from),
            reject_user_identity: p.reject_user_identity(),
            refuse_temporary_as_new: p.refuse_temporary_as_new(),
            minimum_strength: p.minimum_strength().map(i64::from),
            hash_memory_kib: i64::from(pool.hash_params.m_kib()),
            hash_iterations: i64::from(pool.hash_params.t()),
            hash_parallelism: i64::from(pool.hash_params.p()),
            history_mode: history_mode_text(pool.history_mode).to_owned(),
            alias_attributes: attribute_list(&pool.alias_attributes),
            username_attributes: attribute_list(&pool.username_attributes),
            case_sensitive: pool.case_sensitive,
            // The standard schema and the default settings are NULL (pools written before
            // either was stored read back the same), anything else its JSON.
            attribute_schema: (pool.schema != Schema::standard())
                .then(|| serde_json::to_string(&pool.schema))
                .transpose()
                .map_err(|_| corrupt("pools.attribute_schema: not serialisable"))?,
            settings: (pool.settings != PoolSettings::default())
                .then(|| serde_json::to_string(&pool.settings))
                .transpose()
                .map_err(|_| corrupt("pools.settings: not serialisable"))?,
            created_at: micros(pool.created_at),
            modified_at: micros(pool.modified_at),
            version: to_sql_int(version, "pools.version")?,
            mfa_configuration: pool.mfa.mode.as_str().to_owned(),
            mfa_software_token: pool.mfa.software_token,
            mfa_sms: pool.mfa.sms,
            mfa_sms_message: pool.mfa.sms_message.clone(),
        })
    }

    /// The pool these column values hold, every one checked as the record's own
    /// constructors check it.
    ///
    /// # Errors
    /// [`Corrupt`], naming the column, for a value no store would write.
    pub fn into_record(self) -> Result<PoolRecord, Corrupt> {
        let mut policy = PasswordPolicy::builder()
            .minimum_length(self.minimum_length)
            .require_uppercase(self.require_uppercase)
            .require_lowercase(self.require_lowercase)
            .require_numbers(self.require_numbers)
            .require_symbols(self.require_symbols)
            .password_history_size(self.password_history_size)
            .temporary_password_validity_days(self.temporary_password_validity_days)
            .reject_user_identity(self.reject_user_identity)
            .refuse_temporary_as_new(self.refuse_temporary_as_new);
        if let Some(max) = self.maximum_length {
            policy = policy.maximum_length(max);
        }
        if let Some(score) = self.minimum_strength {
            policy = policy.minimum_strength(score);
        }
        let policy = policy
            .build()
            .map_err(|_| corrupt("pools: password policy out of range"))?;
        let hash_params = HashParams::new(
            from_sql_int(self.hash_memory_kib, "hash_memory_kib")?,
            from_sql_int(self.hash_iterations, "hash_iterations")?,
            from_sql_int(self.hash_parallelism, "hash_parallelism")?,
        )
        .map_err(|_| corrupt("pools: hash parameters out of range"))?;
        Ok(PoolRecord {
            id: pool_id(&self.id, "pools.id")?,
            name: self.name,
            policy,
            hash_params,
            history_mode: history_mode(&self.history_mode)?,
            alias_attributes: parse_attribute_list(
                &self.alias_attributes,
                "pools.alias_attributes",
            )?,
            username_attributes: parse_attribute_list(
                &self.username_attributes,
                "pools.username_attributes",
            )?,
            case_sensitive: self.case_sensitive,
            mfa: PoolMfaConfig {
                mode: self
                    .mfa_configuration
                    .parse()
                    .map_err(|_| corrupt("pools.mfa_configuration: not OFF, ON or OPTIONAL"))?,
                software_token: self.mfa_software_token,
                sms: self.mfa_sms,
                sms_message: self.mfa_sms_message,
            },
            // Deserialising re-validates the schema (`Schema::from_stored`).
            schema: from_json_or(
                self.attribute_schema.as_deref(),
                serde_json::from_str,
                Schema::standard,
                "pools.attribute_schema: not a valid schema",
            )?,
            settings: from_json_or(
                self.settings.as_deref(),
                serde_json::from_str,
                PoolSettings::default,
                "pools.settings: not valid settings",
            )?,
            created_at: time(self.created_at, "pools.created_at")?,
            modified_at: time(self.modified_at, "pools.modified_at")?,
            version: from_sql_int(self.version, "pools.version")?,
        })
    }
}

/// A user as the scalar columns of `users` hold it, one field per column: what a SQL
/// store binds to write a user ([`UserColumns::new`], borrowing from the record) and
/// fills from a row to read one ([`UserColumns::into_record`]), so both stores encode and
/// check a user the same way. The username and `sub` are keys, bound and read beside;
/// attributes and password history are stored each store's own way. No `Debug`: it holds
/// the credential's hash and the sealed MFA state.
#[derive(PartialEq, Eq)]
#[allow(missing_docs)] // Each field is the column of its name.
pub struct UserColumns<'a> {
    pub status: Cow<'a, str>,
    pub enabled: bool,
    pub credential_hash: Option<Cow<'a, str>>,
    pub credential_kind: Option<Cow<'a, str>>,
    pub credential_expires_at: Option<i64>,
    pub credential_set_at: Option<i64>,
    pub history_salt: Option<Cow<'a, [u8]>>,
    pub consecutive_failures: i64,
    pub last_failure_at: Option<i64>,
    pub locked_until: Option<i64>,
    pub code_purpose: Option<Cow<'a, str>>,
    pub code_digest: Option<Cow<'a, str>>,
    pub code_expires_at: Option<i64>,
    pub code_failed_attempts: Option<i64>,
    pub challenge_digest: Option<Cow<'a, str>>,
    pub challenge_credential: Option<Cow<'a, str>>,
    pub challenge_expires_at: Option<i64>,
    pub sign_up_code_failures: Cow<'a, str>,
    pub sign_up_codes_issued: Cow<'a, str>,
    pub reset_code_failures: Cow<'a, str>,
    pub reset_codes_issued: Cow<'a, str>,
    pub srp: Option<Cow<'a, [u8]>>,
    pub mfa: Option<Cow<'a, [u8]>>,
    pub code_held_value: Option<Cow<'a, str>>,
    pub challenge_client: Option<Cow<'a, str>>,
    pub created_at: i64,
    pub modified_at: i64,
    pub version: i64,
}

impl<'a> UserColumns<'a> {
    /// `user`'s column values, stamped with `version` (the one the write stores).
    ///
    /// # Errors
    /// [`Corrupt`] for a version too large to store.
    pub fn new(user: &'a UserRecord, version: u64) -> Result<UserColumns<'a>, Corrupt> {
        let credential = user.credential.as_ref();
        let code = user.pending_code.as_ref();
        let challenge = user.pending_challenge.as_ref();
        let text = |value: &'a str| Cow::Borrowed(value);
        Ok(UserColumns {
            status: text(user.status.as_str()),
            enabled: user.enabled,
            credential_hash: credential.map(|c| text(c.hash.as_phc())),
            credential_kind: credential.map(|c| {
                text(match c.kind {
                    CredentialKind::Permanent => "PERMANENT",
                    CredentialKind::Temporary { .. } => "TEMPORARY",
                })
            }),
            credential_expires_at: credential.and_then(|c| match c.kind {
                CredentialKind::Permanent => None,
                CredentialKind::Temporary { expires_at } => Some(micros(expires_at)),
            }),
            credential_set_at: credential.map(|c| micros(c.set_at)),
            history_salt: user.history_salt.as_ref().map(|s| Cow::Borrowed(&s[..])),
            consecutive_failures: i64::from(user.lockout.consecutive_failures),
            last_failure_at: user.lockout.last_failure_at.map(micros),
            locked_until: user.lockout.locked_until.map(micros),
            code_purpose: code.map(|c| text(c.purpose.as_str())),
            code_digest: code.map(|c| Cow::Owned(c.digest.to_storage())),
            code_expires_at: code.map(|c| micros(c.expires_at)),
            code_failed_attempts: code.map(|c| i64::from(c.failed_attempts)),
            challenge_digest: challenge.map(|c| Cow::Owned(c.digest.to_storage())),
            challenge_credential: challenge.map(|c| Cow::Owned(c.credential.to_storage())),
            challenge_expires_at: challenge.map(|c| micros(c.expires_at)),
            sign_up_code_failures: Cow::Owned(time_list(&user.code_throttles.sign_up.failures)),
            sign_up_codes_issued: Cow::Owned(time_list(&user.code_throttles.sign_up.issued)),
            reset_code_failures: Cow::Owned(time_list(
                &user.code_throttles.password_reset.failures,
            )),
            reset_codes_issued: Cow::Owned(time_list(&user.code_throttles.password_reset.issued)),
            srp: user
                .srp
                .as_ref()
                .map(|b| Cow::Borrowed(userpool_core::srp::SrpBlob::as_bytes(b))),
            mfa: user
                .mfa
                .as_ref()
                .map(|b| Cow::Borrowed(userpool_core::mfa::MfaBlob::as_bytes(b))),
            code_held_value: code.and_then(|c| c.held_value.as_deref().map(text)),
            challenge_client: user.challenge_client.as_deref().map(text),
            created_at: micros(user.created_at),
            modified_at: micros(user.modified_at),
            version: to_sql_int(version, "users.version")?,
        })
    }

    /// The user these column values hold with its `username` and `sub` columns, every
    /// value parsed by the type that owns it; its attributes and password history are
    /// empty, for the store to fill from where it keeps them.
    ///
    /// # Errors
    /// [`Corrupt`], naming the column, for a value no store would write.
    pub fn into_record(self, username: &str, sub_text: &str) -> Result<UserRecord, Corrupt> {
        Ok(UserRecord {
            username: Username::parse(username)
                .map_err(|_| corrupt("users.username: not a valid username"))?,
            sub: sub(sub_text)?,
            status: UserStatus::from_str(&self.status)
                .map_err(|_| corrupt("users.status: unknown status"))?,
            enabled: self.enabled,
            attributes: std::collections::BTreeMap::new(),
            credential: self.credential()?,
            history: Vec::new(),
            history_salt: self
                .history_salt
                .as_deref()
                .map(|bytes| {
                    <[u8; 16]>::try_from(bytes)
                        .map_err(|_| corrupt("users.history_salt: not 16 bytes"))
                })
                .transpose()?,
            lockout: Lockout {
                consecutive_failures: from_sql_int(
                    self.consecutive_failures,
                    "users.consecutive_failures",
                )?,
                last_failure_at: opt_time(self.last_failure_at, "users.last_failure_at")?,
                locked_until: opt_time(self.locked_until, "users.locked_until")?,
            },
            pending_code: self.pending_code()?,
            code_throttles: CodeThrottles {
                sign_up: CodeThrottle {
                    failures: parse_time_list(
                        &self.sign_up_code_failures,
                        "users.sign_up_code_failures",
                    )?,
                    issued: parse_time_list(
                        &self.sign_up_codes_issued,
                        "users.sign_up_codes_issued",
                    )?,
                },
                password_reset: CodeThrottle {
                    failures: parse_time_list(
                        &self.reset_code_failures,
                        "users.reset_code_failures",
                    )?,
                    issued: parse_time_list(&self.reset_codes_issued, "users.reset_codes_issued")?,
                },
            },
            pending_challenge: self.pending_challenge()?,
            srp: self
                .srp
                .map(|b| userpool_core::srp::SrpBlob::from_bytes(b.into_owned())),
            mfa: self
                .mfa
                .map(|b| userpool_core::mfa::MfaBlob::from_bytes(b.into_owned())),
            challenge_client: self.challenge_client.map(Cow::into_owned),
            created_at: time(self.created_at, "users.created_at")?,
            modified_at: time(self.modified_at, "users.modified_at")?,
            version: from_sql_int(self.version, "users.version")?,
        })
    }

    fn credential(&self) -> Result<Option<Credential>, Corrupt> {
        let (hash, kind, set_at) = match (
            self.credential_hash.as_deref(),
            self.credential_kind.as_deref(),
            self.credential_set_at,
        ) {
            (None, None, None) if self.credential_expires_at.is_none() => return Ok(None),
            (Some(hash), Some(kind), Some(set_at)) => (hash, kind, set_at),
            _ => return Err(corrupt("users.credential_*: incomplete credential")),
        };
        let kind = match (kind, self.credential_expires_at) {
            ("PERMANENT", None) => CredentialKind::Permanent,
            ("TEMPORARY", Some(at)) => CredentialKind::Temporary {
                expires_at: time(at, "users.credential_expires_at")?,
            },
            _ => return Err(corrupt("users.credential_kind: unknown kind or expiry")),
        };
        Ok(Some(Credential {
            hash: PasswordHash::parse(hash)
                .map_err(|_| corrupt("users.credential_hash: malformed PHC string"))?,
            kind,
            set_at: time(set_at, "users.credential_set_at")?,
        }))
    }

    fn pending_code(&self) -> Result<Option<PendingCode>, Corrupt> {
        match (
            self.code_purpose.as_deref(),
            self.code_digest.as_deref(),
            self.code_expires_at,
            self.code_failed_attempts,
        ) {
            (None, None, None, None) => Ok(None),
            (Some(purpose), Some(code_digest), Some(expires_at), Some(attempts)) => {
                Ok(Some(PendingCode {
                    purpose: CodePurpose::from_str(purpose)
                        .map_err(|_| corrupt("users.code_purpose: unknown purpose"))?,
                    digest: digest(code_digest, "users.code_digest")?,
                    expires_at: time(expires_at, "users.code_expires_at")?,
                    failed_attempts: from_sql_int(attempts, "users.code_failed_attempts")?,
                    held_value: self.code_held_value.as_deref().map(str::to_owned),
                }))
            }
            _ => Err(corrupt("users.code_*: incomplete pending code")),
        }
    }

    fn pending_challenge(&self) -> Result<Option<PendingChallenge>, Corrupt> {
        match (
            self.challenge_digest.as_deref(),
            self.challenge_credential.as_deref(),
            self.challenge_expires_at,
        ) {
            (None, None, None) => Ok(None),
            (Some(session), Some(credential), Some(expires_at)) => Ok(Some(PendingChallenge {
                digest: digest(session, "users.challenge_digest")?,
                credential: digest(credential, "users.challenge_credential")?,
                expires_at: time(expires_at, "users.challenge_expires_at")?,
            })),
            _ => Err(corrupt("users.challenge_*: incomplete pending challenge")),
        }
    }
}

/// Reads a stored digest (of a code, a session, a credential).
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn digest(text: &str, column: &str) -> Result<SecretDigest, Corrupt> {
    SecretDigest::from_storage(text).map_err(|_| corrupt(format!("{column}: malformed digest")))
}

/// Reads a JSON column whose NULL stands for `default()` with `parse`
/// (`serde_json::from_str`); `invalid` is the corrupt-row message for text that does not
/// parse.
fn from_json_or<'a, T>(
    text: Option<&'a str>,
    parse: impl FnOnce(&'a str) -> serde_json::Result<T>,
    default: impl FnOnce() -> T,
    invalid: &str,
) -> Result<T, Corrupt> {
    match text {
        None => Ok(default()),
        Some(json) => parse(json).map_err(|_| corrupt(invalid)),
    }
}

/// Refuses the pool update a SQL store must not apply over `current`, the pool as stored:
/// one read at another version, or one changing what the stored lookup keys were computed
/// with (alias attributes, username attributes, case sensitivity).
///
/// # Errors
/// [`StoreError::Conflict`] naming the stored version; [`StoreError::Backend`] for a
/// changed key setting (a caller's bug: the service never changes them).
pub fn check_pool_update(current: &PoolRecord, pool: &PoolRecord) -> Result<(), StoreError> {
    if current.version != pool.version {
        return Err(StoreError::Conflict {
            expected: pool.version,
            found: Some(current.version),
        });
    }
    if current.alias_attributes != pool.alias_attributes
        || current.username_attributes != pool.username_attributes
        || current.case_sensitive != pool.case_sensitive
    {
        return Err(StoreError::Backend(
            "alias attributes, username attributes and case sensitivity are immutable".into(),
        ));
    }
    Ok(())
}

/// Why a compare-and-swap wrote no row, from the version the row has now: a
/// [`StoreError::Conflict`] naming that version, or `missing` (`NotFound`, `GroupNotFound`)
/// when there is no row.
///
/// # Errors
/// [`Corrupt`], naming the column, for a stored version no store would write.
pub fn lost_swap(
    expected: u64,
    current: Option<i64>,
    column: &str,
    missing: StoreError,
) -> Result<StoreError, Corrupt> {
    Ok(match current {
        Some(found) => StoreError::Conflict {
            expected,
            found: Some(from_sql_int(found, column)?),
        },
        None => missing,
    })
}

/// A `sub` (or any UUID: an `origin_jti`) as stored: lowercase hyphenated text.
pub fn sub_text(sub: Uuid) -> String {
    sub.hyphenated().to_string()
}

/// Reads a stored `sub`.
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn sub(text: &str) -> Result<Uuid, Corrupt> {
    uuid(text, "users.sub")
}

/// Reads a UUID stored as text (a `sub`, an `origin_jti`).
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn uuid(text: &str, column: &str) -> Result<Uuid, Corrupt> {
    Uuid::parse_str(text).map_err(|_| corrupt(format!("{column}: not a UUID")))
}

/// An ordered list of attributes as stored: their names, comma-separated.
pub fn attribute_list(list: &[AliasAttribute]) -> String {
    list.iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads a stored attribute list.
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn parse_attribute_list(text: &str, column: &str) -> Result<Vec<AliasAttribute>, Corrupt> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|name| {
            AliasAttribute::from_str(name)
                .map_err(|_| corrupt(format!("{column}: unknown alias attribute")))
        })
        .collect()
}

/// The history mode as stored.
pub fn history_mode_text(mode: HistoryMode) -> &'static str {
    match mode {
        HistoryMode::PerEntrySalt => "PER_ENTRY_SALT",
        HistoryMode::PerUserSalt => "PER_USER_SALT",
    }
}

/// Reads a stored history mode.
///
/// # Errors
/// [`Corrupt`], naming the column, for a value no store would write.
pub fn history_mode(text: &str) -> Result<HistoryMode, Corrupt> {
    match text {
        "PER_ENTRY_SALT" => Ok(HistoryMode::PerEntrySalt),
        "PER_USER_SALT" => Ok(HistoryMode::PerUserSalt),
        _ => Err(corrupt("pools.history_mode: unknown mode")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn times_round_trip_to_the_microsecond_and_truncate_below() {
        let t = userpool_core::testing::epoch() + TimeDelta::microseconds(123_456_789);
        assert_eq!(time(micros(t), "t").expect("in range"), t);
        let before_epoch = DateTime::from_timestamp_micros(-1_234_567).expect("valid");
        assert_eq!(
            time(micros(before_epoch), "t").expect("in range"),
            before_epoch
        );
        let with_nanos = t + TimeDelta::nanoseconds(999);
        assert_eq!(time(micros(with_nanos), "t").expect("in range"), t);
        assert!(
            time(i64::MAX, "t").is_err(),
            "out of chrono's range is corrupt"
        );
    }

    #[test]
    fn attribute_lists_round_trip_in_order() {
        for list in [
            vec![],
            vec![AliasAttribute::PreferredUsername, AliasAttribute::Email],
            AliasAttribute::ALL.to_vec(),
        ] {
            let text = attribute_list(&list);
            assert_eq!(parse_attribute_list(&text, "c").expect("parses"), list);
        }
        assert!(parse_attribute_list("email,nickname", "c").is_err());
    }

    #[test]
    fn pool_ids_read_back_and_a_bad_one_names_its_column_not_its_value() {
        let id = UserPoolId::parse("us-east-1_abc123").expect("valid");
        assert_eq!(pool_id(id.as_str(), "c").expect("reads"), id);
        let bad = pool_id("secret-looking value", "clients.pool_id").expect_err("corrupt");
        assert_eq!(bad.0, "clients.pool_id: not a pool id");
    }

    #[test]
    fn a_lost_swap_is_a_conflict_naming_the_version_or_the_missing_error() {
        let conflict = lost_swap(3, Some(4), "t.version", StoreError::NotFound).expect("valid");
        assert!(matches!(
            conflict,
            StoreError::Conflict {
                expected: 3,
                found: Some(4)
            }
        ));
        let gone = lost_swap(3, None, "t.version", StoreError::GroupNotFound).expect("valid");
        assert!(matches!(gone, StoreError::GroupNotFound));
        assert!(lost_swap(3, Some(-1), "t.version", StoreError::NotFound).is_err());
    }

    #[test]
    fn a_pool_update_needs_the_stored_version_and_the_same_key_settings() {
        let stored = PoolRecord {
            id: UserPoolId::parse("us-east-1_codec").expect("valid"),
            name: "codec".into(),
            policy: userpool_core::PasswordPolicy::default(),
            hash_params: userpool_core::HashParams::insecure_fast_for_tests(),
            history_mode: HistoryMode::PerEntrySalt,
            alias_attributes: vec![AliasAttribute::Email],
            username_attributes: Vec::new(),
            case_sensitive: false,
            mfa: Default::default(),
            schema: userpool_core::Schema::standard(),
            settings: userpool_core::PoolSettings::default(),
            created_at: userpool_core::testing::epoch(),
            modified_at: userpool_core::testing::epoch(),
            version: 2,
        };
        let renamed = PoolRecord {
            name: "renamed".into(),
            ..stored.clone()
        };
        assert!(check_pool_update(&stored, &renamed).is_ok());
        let stale = PoolRecord {
            version: 1,
            ..renamed.clone()
        };
        assert!(matches!(
            check_pool_update(&stored, &stale),
            Err(StoreError::Conflict {
                expected: 1,
                found: Some(2)
            })
        ));
        for changed in [
            PoolRecord {
                alias_attributes: Vec::new(),
                ..renamed.clone()
            },
            PoolRecord {
                username_attributes: vec![AliasAttribute::Email],
                ..renamed.clone()
            },
            PoolRecord {
                case_sensitive: true,
                ..renamed.clone()
            },
        ] {
            assert!(matches!(
                check_pool_update(&stored, &changed),
                Err(StoreError::Backend(_))
            ));
        }
    }

    #[test]
    fn pool_columns_round_trip_and_a_bad_column_is_corrupt() {
        let pool = PoolRecord {
            id: UserPoolId::parse("us-east-1_columns").expect("valid"),
            name: "columns".into(),
            policy: userpool_core::PasswordPolicy::builder()
                .minimum_length(12)
                .maximum_length(64)
                .minimum_strength(2)
                .build()
                .expect("in range"),
            hash_params: userpool_core::HashParams::insecure_fast_for_tests(),
            history_mode: HistoryMode::PerUserSalt,
            alias_attributes: vec![AliasAttribute::Email, AliasAttribute::PhoneNumber],
            username_attributes: Vec::new(),
            case_sensitive: true,
            mfa: Default::default(),
            schema: userpool_core::Schema::standard(),
            settings: userpool_core::PoolSettings::default(),
            created_at: userpool_core::testing::epoch(),
            modified_at: userpool_core::testing::epoch() + chrono::TimeDelta::seconds(5),
            version: 4,
        };
        let columns = PoolColumns::new(&pool, 4).expect("encodes");
        assert_eq!(
            columns.attribute_schema, None,
            "the standard schema is NULL"
        );
        assert_eq!(columns.settings, None, "default settings are NULL");
        assert_eq!(columns.clone().into_record().expect("decodes"), pool);
        let bad = PoolColumns {
            mfa_configuration: "SOMETIMES".into(),
            ..columns.clone()
        };
        assert_eq!(
            bad.into_record().expect_err("corrupt").0,
            "pools.mfa_configuration: not OFF, ON or OPTIONAL"
        );
        let bad = PoolColumns {
            minimum_length: 0,
            ..columns
        };
        assert_eq!(
            bad.into_record().expect_err("corrupt").0,
            "pools: password policy out of range"
        );
    }

    #[test]
    fn versions_advance_by_one_until_exhausted() {
        assert_eq!(next_version(1, "t.version").expect("room"), 2);
        assert_eq!(
            next_version(u64::MAX, "t.version")
                .expect_err("exhausted")
                .0,
            "t.version: exhausted"
        );
    }

    #[test]
    fn page_sizes_become_limits_saturating() {
        assert_eq!(sql_limit(61), 61);
        assert_eq!(sql_limit(usize::MAX), i64::MAX);
    }

    #[test]
    fn history_modes_round_trip_and_unknown_is_corrupt() {
        for mode in [HistoryMode::PerEntrySalt, HistoryMode::PerUserSalt] {
            assert_eq!(history_mode(history_mode_text(mode)).expect("known"), mode);
        }
        assert!(history_mode("per_entry_salt").is_err());
    }

    #[test]
    fn time_lists_round_trip_in_order_and_hostile_text_is_corrupt() {
        let t = userpool_core::testing::epoch();
        for list in [
            vec![],
            vec![t],
            vec![
                t + TimeDelta::microseconds(7),
                t,
                t - TimeDelta::days(20_000),
            ],
        ] {
            let text = time_list(&list);
            assert_eq!(parse_time_list(&text, "c").expect("parses"), list);
        }
        let most = vec![DateTime::<Utc>::MIN_UTC; CodeThrottle::MAX_TRACKED];
        assert_eq!(
            parse_time_list(&time_list(&most), "c").expect("the most entries"),
            most
        );
        let too_many = vec![t; CodeThrottle::MAX_TRACKED + 1];
        assert!(parse_time_list(&time_list(&too_many), "c").is_err());
        for hostile in [
            ",",
            "1,",
            ",1",
            "1,,2",
            "+1",
            "-",
            " 1",
            "1.5",
            "abc",
            "99999999999999999999",
            "9223372036854775807",
            &"9".repeat(100_000),
        ] {
            assert!(parse_time_list(hostile, "c").is_err(), "{hostile:.40}");
        }
    }

    #[test]
    fn out_of_range_integers_are_corrupt() {
        assert!(from_sql_int::<u32>(-1, "c").is_err());
        assert!(from_sql_int::<u64>(-5, "c").is_err());
        assert_eq!(from_sql_int::<u32>(7, "c").expect("fits"), 7);
        assert!(to_sql_int(u64::MAX, "v").is_err());
        assert!(sub("not-a-uuid").is_err());
    }
}
