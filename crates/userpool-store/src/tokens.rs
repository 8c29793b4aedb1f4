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

/// A pool's token-signing key, serialised by the host (the server stores the PKCS#8 DER of
/// an RSA key).
///
/// One per pool, created on first use and never replaced by a second writer
/// ([`crate::Store::insert_signing_key`] is first-writer-wins), so that every process
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
