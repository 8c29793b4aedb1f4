//! What a store keeps for token issuance: each pool's signing key and each sign-in's token
//! family ([`TokenSession`]).
//!
//! The library issues no tokens itself (the wire layer does, as JWTs); it keeps what must
//! outlive a process and be shared by every process on the store: the key the tokens are
//! signed with, and enough about each refresh token to refresh and revoke it. Neither type
//! holds anything a client could replay: the refresh token is kept only as a digest the
//! host computes, and the key's bytes never appear in `Debug`.

use chrono::{DateTime, Utc};
use userpool_core::UserPoolId;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::oauth::AuthorizationCode;
#[cfg(doc)]
use crate::store::Store;
use crate::store::StoreError;

/// A pool's token-signing key, serialised by the host (the server stores the PKCS#8 DER of
/// an RSA key).
///
/// One per pool, created on first use and never replaced by a second writer
/// ([`TokenStore::insert_signing_key`] is first-writer-wins), so that every process
/// signs with the same key and every token verifies everywhere. The bytes are zeroized on
/// drop and redacted in `Debug`; there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// The key id (`kid` in the JWT header and in the JWKS).
    pub kid: String,
    /// The private key, in the host's serialisation.
    pub private_der: Zeroizing<Vec<u8>>,
    /// When the key was generated.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("private_der", &"<redacted>")
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// One sign-in's token family: its refresh token, kept only as a 32-byte digest the host
/// computes, and the access and id tokens issued from it, which carry `origin_jti`.
///
/// Revoking the session (a global sign-out, a deleted user) makes the refresh token and
/// every token carrying its `origin_jti` invalid, which is how Cognito's
/// `RevokeToken`/`GlobalSignOut` behave. `Debug` redacts the digest: it is not the token,
/// but it is what a lookup by refresh token matches on.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSession {
    /// The pool the user signed in to.
    pub pool_id: UserPoolId,
    /// The family's id, carried by every token issued from this sign-in.
    pub origin_jti: Uuid,
    /// The user's `sub`; the session is deleted with the user.
    pub sub: Uuid,
    /// The app client the user signed in through.
    pub client_id: String,
    /// The digest of the refresh token (unique within the pool).
    pub refresh_digest: [u8; 32],
    /// When the refresh token was issued.
    pub issued_at: DateTime<Utc>,
    /// When the refresh token stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether the session was revoked (no refresh, and its tokens no longer verify).
    pub revoked: bool,
    /// The OAuth scopes granted (SPEC §21), carried by every access token of the session
    /// (at sign-in and at each refresh). Empty for a sign-in through the API
    /// (InitiateAuth), whose tokens carry `aws.cognito.signin.user.admin`.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for TokenSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSession")
            .field("pool_id", &self.pool_id)
            .field("origin_jti", &self.origin_jti)
            .field("sub", &self.sub)
            .field("client_id", &self.client_id)
            .field("refresh_digest", &"<redacted>")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("revoked", &self.revoked)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Token storage: each pool's signing key ([`SigningKey`]), each sign-in's token family
/// ([`TokenSession`]) and the OAuth authorization codes waiting for their exchange
/// ([`AuthorizationCode`]). A host needs it only to issue tokens.
///
/// A supertrait of [`Store`], so every store names it, and a store that keeps no tokens
/// says so with an empty impl:
///
/// ```
/// # use userpool_store::{MemoryStore, TokenStore};
/// struct MyStore(MemoryStore);
/// impl TokenStore for MyStore {} // this store keeps no tokens
/// ```
///
/// Every method then answers [`StoreError::Unsupported`] (the service turns that into
/// `InternalErrorException` when asked to issue or check a token), and the conformance kit
/// skips its token cases, saying so, instead of failing them: a declared capability, as
/// object_store's kit skips what a store does not support. It is all or nothing: a store
/// that implements some of these methods and leaves others to their `Unsupported` default
/// fails the kit, because a host would find out only at its first refresh or sign-out.
/// [`TokenStore::replace_signing_key`] alone is optional either way (the re-sealing
/// write, as [`Store::replace_client_secret`] is).
///
/// A pool's key, sessions and codes go with the pool ([`Store::delete_pool`]), a user's
/// sessions and codes with the user ([`Store::delete_user`]), and a client's with the client
/// ([`Store::delete_client`]): those deletes are the store's, so a store that keeps tokens
/// writes them in the same transaction. Every method is atomic.
pub trait TokenStore {
    /// The pool's token-signing key, if one was stored.
    ///
    /// The default returns `Unsupported`, as every method of this trait does: a store that
    /// keeps tokens overrides them all (but [`TokenStore::replace_signing_key`]), one that
    /// keeps none overrides none.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn signing_key(&self, pool: &UserPoolId) -> Result<Option<SigningKey>, StoreError> {
        let _ = pool;
        Err(StoreError::Unsupported("signing_key"))
    }

    /// Stores `key` unless the pool already has one, and returns the key in force: `key`
    /// if this call stored it, else the one stored first. Atomic, so processes racing to
    /// create a pool's first key all end up signing with the same one.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn insert_signing_key(
        &self,
        pool: &UserPoolId,
        key: &SigningKey,
    ) -> Result<SigningKey, StoreError> {
        let _ = (pool, key);
        Err(StoreError::Unsupported("insert_signing_key"))
    }

    /// Stores a new token session in `session.pool_id`. The user (`session.sub`) must
    /// exist: a session is deleted with its user, so one for a user deleted meanwhile is
    /// refused rather than left behind.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when no user of the pool has `session.sub`;
    /// `TokenSessionExists` when the pool has a session with the same `origin_jti` or
    /// refresh digest (nothing is written); `Backend`, `Unsupported`.
    fn insert_token_session(&self, session: &TokenSession) -> Result<(), StoreError> {
        let _ = session;
        Err(StoreError::Unsupported("insert_token_session"))
    }

    /// The session of a pool with this `origin_jti`.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn find_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<Option<TokenSession>, StoreError> {
        let _ = (pool, origin_jti);
        Err(StoreError::Unsupported("find_token_session"))
    }

    /// The session of a pool whose refresh token has this digest (a refresh token of
    /// another pool is not found, even with the same digest).
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn find_token_session_by_refresh(
        &self,
        pool: &UserPoolId,
        refresh_digest: &[u8; 32],
    ) -> Result<Option<TokenSession>, StoreError> {
        let _ = (pool, refresh_digest);
        Err(StoreError::Unsupported("find_token_session_by_refresh"))
    }

    /// Marks every session of the user `sub` in the pool revoked (a global sign-out);
    /// returns how many were newly revoked (already revoked ones are not counted). Other
    /// users' sessions are untouched.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn revoke_token_sessions(&self, pool: &UserPoolId, sub: Uuid) -> Result<u64, StoreError> {
        let _ = (pool, sub);
        Err(StoreError::Unsupported("revoke_token_sessions"))
    }

    /// Marks the one session `origin_jti` of the pool revoked (RFC 7009 revocation of its
    /// refresh token, SPEC §21); returns whether it was newly revoked. Other sessions of
    /// the same user are untouched.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn revoke_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<bool, StoreError> {
        let _ = (pool, origin_jti);
        Err(StoreError::Unsupported("revoke_token_session"))
    }

    /// Replaces the bytes of the pool's signing key `kid` with `new` if they are still
    /// `expected` (compare-and-swap); returns whether they were replaced. The `kid` and
    /// creation time stay. Used, and optional, as [`Store::replace_client_secret`] is: the one
    /// method of this trait a store that keeps tokens may leave to its default.
    ///
    /// # Errors
    /// `Backend`, `Unsupported`.
    fn replace_signing_key(
        &self,
        pool: &UserPoolId,
        kid: &str,
        expected: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let _ = (pool, kid, expected, new);
        Err(StoreError::Unsupported("replace_signing_key"))
    }

    /// Stores an authorization code, and forgets the pool's codes that expired at or
    /// before `code.issued_at` (so the codes a store holds are bounded by the issue rate
    /// times their lifetime). The user (`code.sub`) must exist; its codes go with it.
    ///
    /// # Errors
    /// `PoolNotFound`; `NotFound` when no user of the pool has `code.sub`;
    /// `AuthorizationCodeExists`; `Backend`, `Unsupported`.
    fn insert_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        let _ = code;
        Err(StoreError::Unsupported("insert_authorization_code"))
    }

    /// Removes and returns the pool's code with this digest, atomically: of callers racing
    /// with one code, one gets it and the others `None`. An expired code is returned too
    /// (and gone): the caller decides, by `expires_at`, that it no longer works.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`, `Unsupported`.
    fn take_authorization_code(
        &self,
        pool: &UserPoolId,
        code_digest: &[u8; 32],
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        let _ = (pool, code_digest);
        Err(StoreError::Unsupported("take_authorization_code"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key_or_the_refresh_digest() {
        let key = SigningKey {
            kid: "kid-1".into(),
            private_der: Zeroizing::new(vec![0xAB; 8]),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
        };
        let shown = format!("{key:?}");
        assert!(shown.contains("kid-1"), "{shown}");
        assert!(
            !shown.contains("171"),
            "the key's bytes (171 = 0xAB) leak: {shown}"
        );
        let session = TokenSession {
            pool_id: UserPoolId::parse("eu-west-1_abc").expect("valid"),
            origin_jti: Uuid::nil(),
            sub: Uuid::nil(),
            client_id: "client".into(),
            refresh_digest: [0xCD; 32],
            issued_at: DateTime::<Utc>::UNIX_EPOCH,
            expires_at: DateTime::<Utc>::UNIX_EPOCH,
            revoked: false,
            scopes: Vec::new(),
        };
        let shown = format!("{session:?}");
        assert!(shown.contains("client"), "{shown}");
        assert!(
            !shown.contains("205"),
            "the digest (205 = 0xCD) leaks: {shown}"
        );
    }
}
