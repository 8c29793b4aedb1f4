//! Cognito-shaped tokens: RS256 JWTs signed with one RSA key per pool, and opaque refresh
//! tokens kept in the store only as digests.
//!
//! Clients and JWT libraries written for Cognito must accept what this issues, so the
//! shapes are Cognito's: the header carries `kid` and `alg: RS256`; the issuer is
//! `{issuer_base}/{pool_id}` (Cognito's `https://cognito-idp.{region}.amazonaws.com/{pool_id}`),
//! whose JWKS the server publishes at `{issuer}/.well-known/jwks.json`; access tokens carry
//! `client_id`, `scope`, `username` and `token_use: "access"`; id tokens carry `aud`,
//! `cognito:username`, the user's attributes and `token_use: "id"`. A user in groups
//! (SPEC §17) has `cognito:groups` in both, and `cognito:roles` and
//! `cognito:preferred_role` in the id token, decided by [`userpool_store::GroupClaims`]
//! from the groups stored when the token is issued (a sign-in or a refresh).
//!
//! # Sessions and revocation
//!
//! Each sign-in is a [`TokenSession`] in the store: its refresh token's digest and an
//! `origin_jti` that every access and id token issued from it carries. Refreshing reuses
//! the session (no new refresh token, as in Cognito); revoking the user's sessions
//! ([`Tokens::revoke_user`]) makes the refresh tokens and, because [`Tokens::verify_access`]
//! looks the session up, every access token issued from them invalid at once.
//!
//! # Keys
//!
//! A pool's 2048-bit RSA key is generated the first time the pool needs one and stored as
//! PKCS#8 DER; the store keeps the first key written, so processes racing to create it all
//! end up signing with the same key, and tokens survive restarts. Decoded keys are cached
//! per process.
//!
//! # Security notes
//!
//! - Verification accepts RS256 only, with the key named by the pool's current `kid`:
//!   `alg: none` and HS256 signed with the public key are refused by construction. The
//!   `iss` claim is read unverified only to choose the pool's key; the verification then
//!   checks it again.
//! - Keys are generated, parsed and used by aws-lc-rs (through jsonwebtoken's `aws_lc_rs`
//!   backend for verification, and directly for signing with the cached key pair), whose
//!   RSA private-key operation is constant-time. The RustCrypto `rsa` crate used before
//!   carries RUSTSEC-2023-0071 (Marvin), with no fixed version (SPEC §14).
//! - Nothing here logs or displays a token or key: [`Issued`] and [`Tokens`] redact
//!   theirs in `Debug`, and errors name pools and kids, never key bytes.
//!
//! # Time
//!
//! Every `iat`, `exp` and expiry check uses the injected [`Clock`], never the system's (the
//! JWT crate's own `exp` check is therefore switched off and done here), so tests move
//! time instead of sleeping.

mod claims;
mod keys;
mod refresh;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, Header, Validation};
use userpool_core::triggers::TokenGenerationSource;
use userpool_store::{GroupClaims, OsRandom, RandomSource, Store};

use crate::{Clock, UserDescription};
use userpool_core::UserPoolId;
use uuid::Uuid;

pub use userpool_store::TokenSession;

use userpool_core::{Cause, Error, Internal, NotAuthorized};

/// How long access and id tokens are valid by default: one hour, Cognito's default.
pub const DEFAULT_ACCESS_VALIDITY: TimeDelta = TimeDelta::hours(1);

/// How long a refresh token is valid by default: 30 days, Cognito's default.
pub const DEFAULT_REFRESH_VALIDITY: TimeDelta = TimeDelta::days(30);

/// How far in the future a token's `iat` may lie before it is refused: room for the
/// clocks of several processes sharing one store, no more.
const IAT_SKEW: TimeDelta = TimeDelta::minutes(1);

/// Issues, refreshes, verifies and revokes a server's tokens. One per server, shared by
/// all requests (it is `Send + Sync`); every method is blocking (store calls, and a key
/// generation on a pool's first use), so call it from a blocking thread.
pub struct Tokens {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    issuer_base: String,
    keys: keys::KeyCache,
    /// The host's triggers, for PreTokenGeneration (SPEC §19).
    triggers: Option<Arc<dyn userpool_core::Triggers>>,
    /// Validity of access and id tokens (`exp - iat`); [`DEFAULT_ACCESS_VALIDITY`].
    /// Cognito lets an app client choose 5 minutes to 1 day; this server applies one
    /// value to every client and does not police it (a host setting it to zero or less
    /// issues tokens that are born expired).
    pub access_validity: TimeDelta,
    /// Validity of refresh tokens; [`DEFAULT_REFRESH_VALIDITY`] (Cognito: 1 hour to 10
    /// years, per app client).
    pub refresh_validity: TimeDelta,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("issuer_base", &self.issuer_base)
            .field("access_validity", &self.access_validity)
            .field("refresh_validity", &self.refresh_validity)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

/// Tokens of one issuance, as `AuthenticationResult` carries them.
///
/// `Debug` shows only which tokens are present: each is a bearer credential.
pub struct Issued {
    /// `AccessToken`.
    pub access_token: String,
    /// `IdToken`.
    pub id_token: String,
    /// `RefreshToken`: present after a sign-in, absent after a refresh (as in Cognito).
    pub refresh_token: Option<String>,
    /// `ExpiresIn`, seconds (of the access and id tokens).
    pub expires_in: i64,
    /// `TokenType`: always `"Bearer"`.
    pub token_type: &'static str,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("access_token", &"<redacted>")
            .field("id_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_in", &self.expires_in)
            .field("token_type", &self.token_type)
            .finish()
    }
}

/// What a verified access token says: enough for GetUser, ChangePassword, GlobalSignOut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// The pool, from the (verified) issuer.
    pub pool_id: UserPoolId,
    /// The user's `sub`.
    pub sub: Uuid,
    /// The username at issuance (a handler should look the user up by `sub`).
    pub username: String,
    /// The app client the user signed in through.
    pub client_id: String,
    /// The session the token was issued from.
    pub origin_jti: Uuid,
    /// The OAuth scopes of the session (SPEC §21); empty for an API sign-in, whose token
    /// carries `aws.cognito.signin.user.admin`.
    pub scopes: Vec<String>,
}

/// An access token of the client-credentials grant (SPEC §21): no user, no session, no id
/// or refresh token. `Debug` redacts the token.
pub struct ClientCredentialsToken {
    /// The access token.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i64,
}

impl std::fmt::Debug for ClientCredentialsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentialsToken")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

impl Tokens {
    /// Tokens over `store`, timed by `clock`, with issuer `{issuer_base}/{pool_id}` (a
    /// trailing `/` on `issuer_base` is dropped). Randomness comes from the OS; validities
    /// are Cognito's defaults.
    #[must_use]
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, issuer_base: String) -> Self {
        let issuer_base = issuer_base.trim_end_matches('/').to_owned();
        Tokens {
            store,
            clock,
            random: Arc::new(OsRandom),
            issuer_base,
            keys: keys::KeyCache::default(),
            triggers: None,
            access_validity: DEFAULT_ACCESS_VALIDITY,
            refresh_validity: DEFAULT_REFRESH_VALIDITY,
        }
    }

    /// The same, drawing ids and refresh tokens from `random` (tests pass a seeded one;
    /// RSA key generation always uses the OS generator).
    #[must_use]
    pub fn with_random(mut self, random: Arc<dyn RandomSource>) -> Self {
        self.random = random;
        self
    }

    /// The host's triggers: a pool with PreTokenGeneration (V1, SPEC §19) has it shape the
    /// id token at every issue and refresh.
    #[must_use]
    pub fn with_triggers(mut self, triggers: Arc<dyn userpool_core::Triggers>) -> Self {
        self.triggers = Some(triggers);
        self
    }

    /// The `iss` of the pool's tokens.
    #[must_use]
    pub fn issuer(&self, pool: &UserPoolId) -> String {
        format!("{}/{}", self.issuer_base, pool.as_str())
    }

    /// A fresh sign-in: a new [`TokenSession`] with its refresh token, and access and id
    /// tokens from it.
    ///
    /// # Errors
    /// `ResourceNotFoundException` for an unknown pool, `UserNotFoundException` when the
    /// user was deleted meanwhile, `InternalErrorException` for storage, randomness or
    /// signing failures.
    pub fn issue(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        user: &UserDescription,
    ) -> Result<Issued, Error> {
        self.issue_after(pool, client_id, user, TokenGenerationSource::Authentication)
    }

    /// [`Tokens::issue`] for a sign-in that ended as `source` says (the PreTokenGeneration
    /// trigger's `triggerSource`, SPEC §19: `TokenGeneration_NewPasswordChallenge` after a
    /// NEW_PASSWORD_REQUIRED answer).
    ///
    /// # Errors
    /// As [`Tokens::issue`].
    pub fn issue_after(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        user: &UserDescription,
        source: TokenGenerationSource,
    ) -> Result<Issued, Error> {
        let now = self.clock.now();
        let session = NewSession {
            origin_jti: random_uuid(self.random.as_ref())?,
            scopes: &[],
            auth_time: now,
            lifetime: self.refresh_validity,
            nonce: None,
            source,
        };
        let (mut issued, refresh_token) =
            self.open_session(pool, client_id, user, &session, now)?;
        issued.refresh_token = Some(refresh_token.as_str().to_owned());
        Ok(issued)
    }

    /// A new session of `user` at `client_id` under a refresh token drawn for it, its
    /// tokens issued at `now`: signed first (a failure to sign leaves no session behind),
    /// then stored. The caller gives the refresh token out, or drops it.
    fn open_session(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        user: &UserDescription,
        new: &NewSession<'_>,
        now: DateTime<Utc>,
    ) -> Result<(Issued, zeroize::Zeroizing<String>), Error> {
        let (refresh_token, refresh_digest) = refresh::new_refresh_token(self.random.as_ref())?;
        let session = TokenSession {
            pool_id: pool.clone(),
            origin_jti: new.origin_jti,
            sub: user.sub,
            client_id: client_id.to_owned(),
            refresh_digest,
            issued_at: new.auth_time,
            expires_at: add(now, new.lifetime)?,
            revoked: false,
            scopes: new.scopes.to_vec(),
        };
        let issued = self.sign(&session, user, new.auth_time, now, new.nonce, new.source)?;
        self.store.insert_token_session(&session)?;
        Ok((issued, refresh_token))
    }

    /// REFRESH_TOKEN_AUTH: the session of `refresh_token`, if it belongs to `client_id`,
    /// is not revoked and has not expired.
    ///
    /// # Errors
    /// `NotAuthorizedException` with Cognito's messages: `Invalid Refresh Token` (unknown
    /// token, garbage, or another client's), `Refresh Token has been revoked`,
    /// `Refresh Token has expired`. `ResourceNotFoundException` for an unknown pool,
    /// `InternalErrorException` for storage failures.
    pub fn session_for_refresh(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        refresh_token: &str,
    ) -> Result<TokenSession, Error> {
        let digest = refresh::refresh_digest(refresh_token);
        let refused = |why: NotAuthorized| Error::NotAuthorized(why);
        let session = self
            .store
            .find_token_session_by_refresh(pool, &digest)?
            .ok_or_else(|| refused(NotAuthorized::InvalidRefreshToken))?;
        // Another client's token says nothing more than "invalid" about it.
        if session.client_id != client_id {
            return Err(refused(NotAuthorized::InvalidRefreshToken));
        }
        if session.revoked {
            return Err(refused(NotAuthorized::RevokedRefreshToken));
        }
        if self.clock.now() >= session.expires_at {
            return Err(refused(NotAuthorized::ExpiredRefreshToken));
        }
        Ok(session)
    }

    /// New access and id tokens from an existing session (REFRESH_TOKEN_AUTH): same
    /// `origin_jti` and `auth_time` (the original sign-in), fresh `jti`, `iat`, `exp` and
    /// `event_id`, current attributes; no refresh token, as in Cognito.
    ///
    /// # Errors
    /// `InternalErrorException` when `user` is not the session's user, or signing fails.
    pub fn reissue(&self, session: &TokenSession, user: &UserDescription) -> Result<Issued, Error> {
        if session.sub != user.sub {
            return Err(internal(format!(
                "reissue for session {} with another user's description",
                session.origin_jti
            )));
        }
        self.sign(
            session,
            user,
            session.issued_at,
            self.clock.now(),
            None,
            TokenGenerationSource::RefreshTokens,
        )
    }

    /// Verifies an access token: RS256 signature by the key of the pool its `iss` names
    /// (read unverified only to pick the key, then checked as part of the verification),
    /// `token_use` `access`, `exp` and `iat` against the clock, and that its session
    /// exists and is not revoked.
    ///
    /// # Errors
    /// `NotAuthorizedException`: `Access Token has expired`, `Access Token has been
    /// revoked`, otherwise `Invalid Access Token` (bad signature, another algorithm, an id
    /// token, an unknown pool or session, garbage). `InternalErrorException` for storage
    /// failures.
    pub fn verify_access(&self, access_token: &str) -> Result<AccessClaims, Error> {
        let invalid = || Error::NotAuthorized(NotAuthorized::InvalidToken);
        let unverified: claims::UnverifiedIssuer =
            jsonwebtoken::dangerous::insecure_decode_claims(access_token).map_err(|_| invalid())?;
        let pool = unverified
            .iss
            .strip_prefix(&self.issuer_base)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|id| UserPoolId::parse(id).ok())
            .ok_or_else(invalid)?;
        let key = match self.keys.existing(self.store.as_ref(), &pool) {
            Ok(Some(key)) => key,
            // A pool without a key (or without existence) issued nothing.
            Ok(None) => return Err(invalid()),
            Err(e) if keys::is_pool_not_found(&e) => return Err(invalid()),
            Err(e) => return Err(e),
        };
        let header = jsonwebtoken::decode_header(access_token).map_err(|_| invalid())?;
        if header.kid.as_deref() != Some(key.kid.as_str()) {
            return Err(invalid());
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[self.issuer(&pool)]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.validate_exp = false; // checked below against the injected clock
        validation.validate_aud = false; // access tokens have no `aud`
        let verified = jsonwebtoken::decode::<claims::VerifiedAccess>(
            access_token,
            &key.decoding,
            &validation,
        )
        .map_err(|_| invalid())?
        .claims;
        if verified.token_use != "access" {
            return Err(invalid());
        }
        let now = self.clock.now();
        if verified.iat > add(now, IAT_SKEW)?.timestamp() {
            return Err(invalid());
        }
        if now.timestamp() >= verified.exp {
            return Err(Error::NotAuthorized(NotAuthorized::ExpiredAccessToken));
        }
        let session = match self.store.find_token_session(&pool, verified.origin_jti) {
            Ok(Some(session)) => session,
            // Deleted with its user or pool.
            Ok(None) => return Err(invalid()),
            Err(e) => {
                let e = Error::from(e);
                return Err(if keys::is_pool_not_found(&e) {
                    invalid()
                } else {
                    e
                });
            }
        };
        if session.sub != verified.sub || session.client_id != verified.client_id {
            return Err(invalid());
        }
        if session.revoked {
            return Err(Error::NotAuthorized(NotAuthorized::RevokedAccessToken));
        }
        Ok(AccessClaims {
            pool_id: pool,
            sub: verified.sub,
            username: verified.username,
            client_id: verified.client_id,
            origin_jti: verified.origin_jti,
            scopes: session.scopes,
        })
    }

    /// [`Tokens::verify_access`] for an operation of the user's own (GetUser,
    /// ChangePassword, GlobalSignOut, ...): as Cognito, an access token of the OAuth
    /// endpoints works there only if it was granted `aws.cognito.signin.user.admin`, so a
    /// token granted `openid email` cannot change the password or read every attribute.
    /// An API sign-in's token always carries that scope.
    ///
    /// # Errors
    /// As [`Tokens::verify_access`], and `NotAuthorizedException` `Access Token does not
    /// have required scopes`.
    pub fn verify_user_access(&self, access_token: &str) -> Result<AccessClaims, Error> {
        let claims = self.verify_access(access_token)?;
        if claims.scopes.is_empty() || claims.scopes.iter().any(|s| s == claims::ADMIN_SCOPE) {
            Ok(claims)
        } else {
            Err(Error::NotAuthorized(NotAuthorized::MissingScopes))
        }
    }

    /// The pool's JWKS, `{"keys": [{"alg","e","kid","kty","n","use"}]}`, creating the
    /// pool's key if it has none yet (so the JWKS is stable from its first fetch).
    ///
    /// # Errors
    /// `ResourceNotFoundException` for an unknown pool; `InternalErrorException` for
    /// storage or key-generation failures.
    pub fn jwks(&self, pool: &UserPoolId) -> Result<serde_json::Value, Error> {
        let key = self.key(pool)?;
        Ok(serde_json::json!({ "keys": [key.jwk()] }))
    }

    /// Revokes one session (RFC 7009 revocation of its refresh token, SPEC §21): the
    /// refresh token stops working and the access tokens issued from it stop verifying;
    /// the user's other sessions are untouched.
    ///
    /// # Errors
    /// `ResourceNotFoundException` for an unknown pool; `InternalErrorException` for
    /// storage failures.
    pub fn revoke_session(&self, session: &TokenSession) -> Result<(), Error> {
        self.store
            .revoke_token_session(&session.pool_id, session.origin_jti)?;
        Ok(())
    }

    /// Revokes every session of the user (GlobalSignOut, AdminUserGlobalSignOut,
    /// AdminDisableUser): their refresh tokens stop working and their access tokens stop
    /// verifying. Returns how many sessions were newly revoked.
    ///
    /// # Errors
    /// `ResourceNotFoundException` for an unknown pool; `InternalErrorException` for
    /// storage failures.
    pub fn revoke_user(&self, pool: &UserPoolId, sub: Uuid) -> Result<u64, Error> {
        Ok(self.store.revoke_token_sessions(pool, sub)?)
    }

    fn key(&self, pool: &UserPoolId) -> Result<Arc<keys::PoolKey>, Error> {
        self.keys.get_or_create(
            self.store.as_ref(),
            self.clock.as_ref(),
            self.random.as_ref(),
            pool,
        )
    }

    /// A sign-in through the OAuth endpoints (SPEC §21): as [`Tokens::issue`], with the
    /// granted `scopes` in the session (its access tokens carry them, now and at every
    /// refresh), the request's `nonce` in the id token, and `auth_time` the moment the
    /// user signed in on the hosted page.
    ///
    /// # Errors
    /// As [`Tokens::issue`].
    pub fn issue_oauth(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        user: &UserDescription,
        scopes: &[String],
        nonce: Option<&str>,
        auth_time: DateTime<Utc>,
    ) -> Result<Issued, Error> {
        let origin_jti = random_uuid(self.random.as_ref())?;
        self.issue_oauth_session(origin_jti, pool, client_id, user, scopes, nonce, auth_time)
    }

    /// [`Tokens::issue_oauth`] for a session whose id (`origin_jti`) the caller chose: an
    /// authorization code's ([`crate::CodeGrant::session_id`]), so that a replay of the code
    /// can revoke it (RFC 6749 §4.1.2).
    ///
    /// # Errors
    /// As [`Tokens::issue`].
    #[allow(clippy::too_many_arguments)] // issue_oauth's, and the session's id
    pub fn issue_oauth_session(
        &self,
        origin_jti: Uuid,
        pool: &UserPoolId,
        client_id: &str,
        user: &UserDescription,
        scopes: &[String],
        nonce: Option<&str>,
        auth_time: DateTime<Utc>,
    ) -> Result<Issued, Error> {
        let now = self.clock.now();
        let session = NewSession {
            origin_jti,
            scopes,
            auth_time,
            lifetime: self.refresh_validity,
            nonce,
            source: TokenGenerationSource::HostedAuth,
        };
        let (mut issued, refresh_token) =
            self.open_session(pool, client_id, user, &session, now)?;
        issued.refresh_token = Some(refresh_token.as_str().to_owned());
        Ok(issued)
    }

    /// The implicit grant (SPEC §21, `response_type=token`): access and id tokens as
    /// [`Tokens::issue_oauth`] issues them, and no refresh token. The session the access
    /// token names is stored (userInfo, GlobalSignOut and revocation find it), under the
    /// digest of a refresh token that is drawn and dropped, so nothing can refresh it; it
    /// lives as long as the access token.
    ///
    /// # Errors
    /// As [`Tokens::issue`].
    pub fn issue_implicit(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        user: &UserDescription,
        scopes: &[String],
        nonce: Option<&str>,
    ) -> Result<Issued, Error> {
        let now = self.clock.now();
        let session = NewSession {
            origin_jti: random_uuid(self.random.as_ref())?,
            scopes,
            auth_time: now,
            lifetime: self.access_validity,
            nonce,
            source: TokenGenerationSource::HostedAuth,
        };
        let (issued, _never_given) = self.open_session(pool, client_id, user, &session, now)?;
        Ok(issued)
    }

    /// An access token of the client-credentials grant (SPEC §21): `sub` and `client_id`
    /// are the client's, `scope` the granted custom scopes; nothing is stored (such a
    /// token is for resource servers, which verify it with the JWKS alone).
    ///
    /// # Errors
    /// `ResourceNotFoundException` for an unknown pool, `InternalErrorException` for
    /// storage, randomness or signing failures.
    pub fn client_credentials(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        scopes: &[String],
    ) -> Result<ClientCredentialsToken, Error> {
        let key = self.key(pool)?;
        let now = self.clock.now();
        let claims = serde_json::json!({
            "sub": client_id,
            "token_use": "access",
            "scope": scopes.join(" "),
            "auth_time": now.timestamp(),
            "iss": self.issuer(pool),
            "exp": add(now, self.access_validity)?.timestamp(),
            "iat": now.timestamp(),
            "version": 2,
            "jti": random_uuid(self.random.as_ref())?.to_string(),
            "client_id": client_id,
        });
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(key.kid.clone());
        Ok(ClientCredentialsToken {
            access_token: encode(&header, &claims, &key)?,
            expires_in: self.access_validity.num_seconds(),
        })
    }

    /// A fresh authorization code and the digest the store keeps of it (SPEC §21).
    ///
    /// # Errors
    /// `InternalErrorException` when the random source fails.
    pub fn new_authorization_code(&self) -> Result<(zeroize::Zeroizing<String>, [u8; 32]), Error> {
        refresh::new_code(self.random.as_ref())
    }

    /// The digest under which the authorization code `code` is stored.
    #[must_use]
    pub fn authorization_code_digest(code: &str) -> [u8; 32] {
        refresh::code_digest(code)
    }

    /// The session of a refresh token of `pool`, whatever its client, state or expiry
    /// (RFC 7009 revocation decides itself what to do with it).
    ///
    /// # Errors
    /// `ResourceNotFoundException` for an unknown pool, `InternalErrorException` for
    /// storage failures.
    pub fn session_of_refresh_token(
        &self,
        pool: &UserPoolId,
        refresh_token: &str,
    ) -> Result<Option<TokenSession>, Error> {
        let digest = refresh::refresh_digest(refresh_token);
        Ok(self.store.find_token_session_by_refresh(pool, &digest)?)
    }

    /// Signs the access and id tokens of `session` for `user`.
    fn sign(
        &self,
        session: &TokenSession,
        user: &UserDescription,
        auth_time: DateTime<Utc>,
        now: DateTime<Utc>,
        nonce: Option<&str>,
        source: TokenGenerationSource,
    ) -> Result<Issued, Error> {
        let key = self.key(&session.pool_id)?;
        let issuer = self.issuer(&session.pool_id);
        let scope = if session.scopes.is_empty() {
            claims::ADMIN_SCOPE.to_owned()
        } else {
            session.scopes.join(" ")
        };
        let common = claims::Common {
            issuer: &issuer,
            sub: session.sub,
            username: &user.username,
            client_id: &session.client_id,
            origin_jti: session.origin_jti,
            event_id: random_uuid(self.random.as_ref())?,
            auth_time: auth_time.timestamp(),
            iat: now.timestamp(),
            exp: add(now, self.access_validity)?.timestamp(),
            scope: &scope,
            nonce,
        };
        // Cognito's header is exactly `{"kid", "alg"}` (no `typ`).
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(key.kid.clone());
        let encode = |claims: &serde_json::Value| encode(&header, claims, &key);
        // Read at every issue, so a membership change shows at the next sign-in or refresh.
        let mut groups = GroupClaims::for_user(self.store.as_ref(), &session.pool_id, session.sub)?;
        let answer = self.pre_token_generation(session, user, &groups, source)?;
        if let Some(replacement) = answer.as_ref().and_then(|a| a.groups_to_override.clone()) {
            groups.groups = replacement;
        }
        let mut access_claims = claims::access(&common, random_uuid(self.random.as_ref())?);
        claims::add_groups(&mut access_claims, &groups, false);
        let mut id_claims = claims::id(&common, user, random_uuid(self.random.as_ref())?);
        claims::add_groups(&mut id_claims, &groups, true);
        if let (Some(answer), Some(claims)) = (answer, id_claims.as_object_mut()) {
            for name in &answer.claims_to_suppress {
                claims.remove(name);
            }
            for (name, value) in answer.claims_to_add_or_override {
                claims.insert(name, serde_json::Value::String(value));
            }
        }
        let access = encode(&access_claims)?;
        // A session of the OAuth endpoints (it has scopes) binds its id token to the access
        // token beside it with `at_hash`, as Cognito's token endpoint does (OpenID Connect
        // Core §3.1.3.6); an API sign-in's id token has none, as Cognito's.
        if !session.scopes.is_empty()
            && let Some(claims) = id_claims.as_object_mut()
        {
            claims.insert("at_hash".to_owned(), at_hash(&access).into());
        }
        let id = encode(&id_claims)?;
        Ok(Issued {
            access_token: access,
            id_token: id,
            refresh_token: None,
            expires_in: self.access_validity.num_seconds(),
            token_type: "Bearer",
        })
    }
}

impl Tokens {
    /// PreTokenGeneration (V1, SPEC §19), when the pool has it: the answer, checked. A claim
    /// the token's validity or identity rests on (`sub`, `iss`, `exp`, `token_use`,
    /// `cognito:*`, ...) may not be added, replaced or removed: such an answer is
    /// InvalidLambdaResponseException **(decision: refused rather than silently ignored)**.
    fn pre_token_generation(
        &self,
        session: &TokenSession,
        user: &UserDescription,
        groups: &GroupClaims,
        source: TokenGenerationSource,
    ) -> Result<Option<userpool_core::triggers::PreTokenGenerationAnswer>, Error> {
        use userpool_core::triggers::{
            PreTokenGenerationAnswer, PreTokenGenerationEvent, Trigger, TriggerCaller, TriggerError,
        };
        let Some(triggers) = self.triggers.as_ref() else {
            return Ok(None);
        };
        // The rule of `userpool_core::Triggers`: the function the pool's LambdaConfig names,
        // or else the host's `has`. Read at every issue, so a changed LambdaConfig applies
        // at the next sign-in or refresh.
        // (A pool gone since the session was read has no trigger; its key is gone too.)
        let configured = self.store.get_pool(&session.pool_id)?.and_then(|pool| {
            pool.settings
                .lambda_config
                .function_for(Trigger::PreTokenGeneration)
                .map(str::to_owned)
        });
        let function = match configured {
            Some(function) => Some(function),
            None if triggers.has(session.pool_id.as_str(), Trigger::PreTokenGeneration) => None,
            None => return Ok(None),
        };
        let mut user_attributes = user.attributes.clone();
        user_attributes.insert("cognito:user_status".into(), user.status.to_string());
        let event = PreTokenGenerationEvent {
            caller: TriggerCaller {
                user_pool_id: session.pool_id.as_str().to_owned(),
                client_id: Some(session.client_id.clone()),
                username: user.username.clone(),
                function,
                aws_sdk_version: crate::service::trigger_input::current()
                    .aws_sdk_version()
                    .map(str::to_owned),
            },
            source,
            user_attributes,
            groups: groups.groups.clone(),
            client_metadata: crate::service::trigger_input::current()
                .client_metadata()
                .clone(),
        };
        let answer = triggers.pre_token_generation(&event)?;
        let changes_protected = answer
            .claims_to_add_or_override
            .keys()
            .chain(&answer.claims_to_suppress)
            .any(|claim| !PreTokenGenerationAnswer::may_change(claim));
        if changes_protected {
            return Err(TriggerError::InvalidResponse {
                trigger: Trigger::PreTokenGeneration,
            }
            .into());
        }
        Ok(Some(answer))
    }
}

/// A JWS compact serialisation, as `jsonwebtoken::encode` writes it (base64url of the
/// header's and the claims' JSON, and of the signature over both), signed with the cached
/// key pair.
fn encode(
    header: &Header,
    claims: &serde_json::Value,
    key: &keys::PoolKey,
) -> Result<String, Error> {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let unserialisable = |_| internal("cannot serialise a token");
    let message = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(&serde_json::to_vec(header).map_err(unserialisable)?),
        Base64UrlUnpadded::encode_string(&serde_json::to_vec(claims).map_err(unserialisable)?),
    );
    let signature = key.sign(message.as_bytes())?;
    Ok(format!(
        "{message}.{}",
        Base64UrlUnpadded::encode_string(&signature)
    ))
}

/// The id token's `at_hash` of `access_token` (RS256): the base64url of the left half of
/// its SHA-256 digest.
fn at_hash(access_token: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    Base64UrlUnpadded::encode_string(&digest.as_ref()[..16])
}

/// A random (v4) UUID from `random`.
/// What differs between the sessions [`Tokens::open_session`] opens.
struct NewSession<'a> {
    /// The session's id, carried by every token issued from it.
    origin_jti: Uuid,
    /// The OAuth scopes granted (none for a sign-in through the API).
    scopes: &'a [String],
    /// When the user signed in: the session's `issued_at` and the tokens' `auth_time`.
    auth_time: DateTime<Utc>,
    /// How long the session lives: the refresh token's validity, or the access token's
    /// when no refresh token is given out.
    lifetime: TimeDelta,
    /// The authorization request's `nonce`, for the id token.
    nonce: Option<&'a str>,
    /// The PreTokenGeneration trigger's `triggerSource` (SPEC §19).
    source: TokenGenerationSource,
}

fn random_uuid(random: &dyn RandomSource) -> Result<Uuid, Error> {
    let mut bytes = [0u8; 16];
    random
        .fill(&mut bytes)
        .map_err(|e| internal(format!("no randomness for an id: {e}")))?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// `at + by`, or an internal error if that leaves chrono's range (a misconfigured validity).
fn add(at: DateTime<Utc>, by: TimeDelta) -> Result<DateTime<Utc>, Error> {
    at.checked_add_signed(by)
        .ok_or_else(|| internal("token validity overflows the calendar"))
}

/// A token failure for the log: `InternalErrorException` to the client.
fn internal(detail: impl std::fmt::Display) -> Error {
    Error::Internal(Internal::Signing(Cause::new(detail)))
}
