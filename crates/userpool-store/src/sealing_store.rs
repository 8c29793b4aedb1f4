//! [`SealingStore`]: any [`Store`], holding only sealed secrets (SPEC §14).
//!
//! # Why sealing sits here, above the `Store` trait
//!
//! Sealing could live in each store (SQLite, a host's own), in the service, or between
//! the two. Between the two is where it covers everything at once:
//!
//! - **every store**, the host's own included, receives only sealed bytes without writing a
//!   line of crypto, and its conformance kit needs no key;
//! - **every caller** — the service, and the wire layer, which reads clients (to check
//!   `SECRET_HASH`) and signing keys (to sign) straight from the store — sees plaintext
//!   and cannot forget to open or seal;
//! - the store trait keeps plain types (`ClientRecord::secret`, `SigningKey::private_der`),
//!   so nothing a host wrote before changes.
//!
//! What the wrapper seals: app-client secrets (text: `upseal1.…`) and pool signing keys,
//! each bound to its place ([`Purpose`], pool id, client id or `kid`). Users' records go
//! go through with their SRP state ([`UserRecord::srp`]: the verifier and the open
//! PASSWORD_VERIFIER challenges' secret b) sealed in `insert_user`/`update_user`
//! ([`Purpose::SrpVerifier`], owner the user's `sub`) and opened in `find_user`/`list_users`;
//! a user write always seals under the newest key, so a value under an older key or in
//! the clear is re-sealed at the user's next write. The MFA state ([`UserRecord::mfa`]:
//! TOTP secrets, SPEC §18) goes the same way under [`Purpose::MfaState`]. An identity
//! provider's `client_secret` and `private_key` details (SPEC §21) are sealed the same way
//! ([`Purpose::IdentityProviderSecret`] and [`Purpose::IdentityProviderPrivateKey`], owner
//! the provider name) in
//! `create_identity_provider`/`update_identity_provider` and opened on every read.
//!
//! # Legacy plaintext, and rotation
//!
//! A value stored before sealing existed (plaintext) or sealed under an older key of the
//! [`Keyring`] still reads. When read, it is sealed under the newest key and written back
//! with a compare-and-swap ([`Store::replace_client_secret`],
//! [`TokenStore::replace_signing_key`]): a concurrent writer's value is never overwritten, and a
//! store without those methods simply keeps the old form. A sealed value that does not
//! open (another key, altered, moved to another row) is `StoreError::Sealed`, which
//! clients see as `InternalErrorException`: never the sealed bytes as if they were the
//! secret.
//!
//! # What it protects, and what not
//!
//! Confidentiality against whoever can **read** the database (a copy, a backup, a stolen
//! disk): they get no secret without the key. And a sealed value cannot be moved between
//! rows. Integrity against whoever can **write** it is not a goal: such a writer could put
//! a plaintext value in a row (it reads as a legacy one) — but could equally replace a
//! user's password hash, which is not sealed, so nothing more is lost.

use std::sync::Arc;

use userpool_core::mfa::MfaBlob;
use userpool_core::srp::SrpBlob;
use userpool_core::{UserPoolId, UserRecord, Username};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::groups::GroupRecord;
use crate::oauth::{
    AuthorizationCode, DomainRecord, IdentityProviderRecord, OAuthStore,
    PROVIDER_PRIVATE_KEY_DETAIL, PROVIDER_SECRET_DETAIL, ResourceServerRecord,
};
use crate::pool::{ClientRecord, PoolRecord};
use crate::random::{OsRandom, RandomSource};
use crate::seal::{self, Keyring, Place, Purpose};
use crate::store::{Store, StoreError, UserKey};
use crate::tokens::{SigningKey, TokenSession, TokenStore};

/// A [`Store`] that seals app-client secrets and signing keys before they reach `inner`,
/// and opens them on the way back. See the [module documentation](self) for why here.
///
/// ```
/// use std::sync::Arc;
/// use userpool_store::seal::{Keyring, SealingKey};
/// use userpool_store::{MemoryStore, OsRandom, SealingStore, Store};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let keyring = Keyring::new(SealingKey::generate(&OsRandom)?); // the host keeps the key
/// let store: Arc<dyn Store> = Arc::new(SealingStore::new(Arc::new(MemoryStore::new()), keyring));
/// // Hand `store` to `userpool::UserPools::new`; everything else uses it as before.
/// # let _ = store; Ok(()) }
/// ```
pub struct SealingStore<S: Store + ?Sized> {
    inner: Arc<S>,
    keyring: Keyring,
    random: Arc<dyn RandomSource>,
}

impl<S: Store + ?Sized> std::fmt::Debug for SealingStore<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingStore")
            .field("keys", &self.keyring.ids())
            .finish_non_exhaustive()
    }
}

impl<S: Store + ?Sized> SealingStore<S> {
    /// `inner`, sealing under the newest key of `keyring`, with nonces from the OS.
    pub fn new(inner: Arc<S>, keyring: Keyring) -> Self {
        SealingStore {
            inner,
            keyring,
            random: Arc::new(OsRandom),
        }
    }

    /// Draws nonces from `random` instead of the OS (tests).
    #[must_use]
    pub fn with_random(mut self, random: Arc<dyn RandomSource>) -> Self {
        self.random = random;
        self
    }

    /// The wrapped store: what it returns is sealed.
    #[must_use]
    pub fn inner(&self) -> &Arc<S> {
        &self.inner
    }

    fn client_place<'a>(pool: &'a UserPoolId, client_id: &'a str) -> Place<'a> {
        Place::new(Purpose::ClientSecret, pool.as_str(), client_id)
    }

    fn key_place<'a>(pool: &'a UserPoolId, kid: &'a str) -> Place<'a> {
        Place::new(Purpose::SigningKey, pool.as_str(), kid)
    }

    fn seal_client(&self, client: &ClientRecord) -> Result<ClientRecord, StoreError> {
        let mut sealed = client.clone();
        if let Some(secret) = &client.secret {
            let place = Self::client_place(&client.pool_id, &client.client_id);
            sealed.secret = Some(self.keyring.seal_text(
                &*self.random,
                &place,
                secret.as_bytes(),
            )?);
        }
        Ok(sealed)
    }

    /// Opens a stored client's secret; seals it again (newest key) when it was plaintext or
    /// under an older key.
    fn open_client(
        &self,
        stored: Option<ClientRecord>,
    ) -> Result<Option<ClientRecord>, StoreError> {
        let Some(mut client) = stored else {
            return Ok(None);
        };
        let Some(stored_secret) = client.secret.take() else {
            return Ok(Some(client));
        };
        let place = Self::client_place(&client.pool_id, &client.client_id);
        let (plaintext, current) = if seal::is_sealed_text(&stored_secret) {
            let opened = self.keyring.open_text(&place, &stored_secret)?;
            let current = opened.is_current();
            let text = String::from_utf8(opened.plaintext.to_vec())
                .map_err(|_| StoreError::Sealed(seal::SealError::Malformed))?;
            (text, current)
        } else {
            (stored_secret.clone(), false)
        };
        if !current {
            let resealed = self
                .keyring
                .seal_text(&*self.random, &place, plaintext.as_bytes())?;
            // Best effort: a failure (or a store without the method) leaves the old form,
            // which still reads; the next read tries again.
            let _ = self.inner.replace_client_secret(
                &client.pool_id,
                &client.client_id,
                &stored_secret,
                &resealed,
            );
        }
        client.secret = Some(plaintext);
        Ok(Some(client))
    }

    fn seal_key(&self, pool: &UserPoolId, key: &SigningKey) -> Result<SigningKey, StoreError> {
        let place = Self::key_place(pool, &key.kid);
        Ok(SigningKey {
            kid: key.kid.clone(),
            private_der: Zeroizing::new(self.keyring.seal(
                &*self.random,
                &place,
                &key.private_der,
            )?),
            created_at: key.created_at,
        })
    }

    /// Opens a stored signing key; seals it again (newest key) when it was plaintext or
    /// under an older key.
    fn open_key(&self, pool: &UserPoolId, stored: SigningKey) -> Result<SigningKey, StoreError> {
        let place = Self::key_place(pool, &stored.kid);
        let (plaintext, current) = if seal::is_sealed(&stored.private_der) {
            let opened = self.keyring.open(&place, &stored.private_der)?;
            let current = opened.is_current();
            (opened.plaintext, current)
        } else {
            (stored.private_der.clone(), false)
        };
        if !current {
            let resealed = self.keyring.seal(&*self.random, &place, &plaintext)?;
            // Best effort, as for client secrets.
            let _ =
                self.inner
                    .replace_signing_key(pool, &stored.kid, &stored.private_der, &resealed);
        }
        Ok(SigningKey {
            kid: stored.kid,
            private_der: plaintext,
            created_at: stored.created_at,
        })
    }
}

impl<S: Store + ?Sized> SealingStore<S> {
    /// The user with its SRP and MFA state sealed, as the inner store is to hold it.
    fn seal_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<UserRecord, StoreError> {
        let mut sealed = user.clone();
        if let Some(blob) = &user.srp {
            let owner = user.sub.hyphenated().to_string();
            let place = Place::new(Purpose::SrpVerifier, pool.as_str(), &owner);
            let bytes = self.keyring.seal(&*self.random, &place, blob.as_bytes())?;
            sealed.srp = Some(SrpBlob::from_bytes(bytes));
        }
        if let Some(blob) = &user.mfa {
            let owner = user.sub.hyphenated().to_string();
            let place = Place::new(Purpose::MfaState, pool.as_str(), &owner);
            let bytes = self.keyring.seal(&*self.random, &place, blob.as_bytes())?;
            sealed.mfa = Some(MfaBlob::from_bytes(bytes));
        }
        Ok(sealed)
    }

    /// The user with its SRP and MFA state opened. A value stored in the clear (before sealing)
    /// reads as it is and is sealed at the next write.
    fn open_user(&self, pool: &UserPoolId, mut user: UserRecord) -> Result<UserRecord, StoreError> {
        if let Some(blob) = &user.srp
            && seal::is_sealed(blob.as_bytes())
        {
            let owner = user.sub.hyphenated().to_string();
            let place = Place::new(Purpose::SrpVerifier, pool.as_str(), &owner);
            let opened = self.keyring.open(&place, blob.as_bytes())?;
            user.srp = Some(SrpBlob::from_bytes(opened.plaintext.to_vec()));
        }
        if let Some(blob) = &user.mfa
            && seal::is_sealed(blob.as_bytes())
        {
            let owner = user.sub.hyphenated().to_string();
            let place = Place::new(Purpose::MfaState, pool.as_str(), &owner);
            let opened = self.keyring.open(&place, blob.as_bytes())?;
            user.mfa = Some(MfaBlob::from_bytes(opened.plaintext.to_vec()));
        }
        Ok(user)
    }
}

impl<S: Store + ?Sized> SealingStore<S> {
    /// The provider with its `client_secret` and `private_key` details sealed (see
    /// [`Self::PROVIDER_SECRETS`]).
    fn seal_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<IdentityProviderRecord, StoreError> {
        let mut sealed = provider.clone();
        for (detail, purpose) in Self::PROVIDER_SECRETS {
            if let Some(secret) = provider.provider_details.get(detail) {
                let place = Place::new(purpose, provider.pool_id.as_str(), &provider.provider_name);
                let text = self
                    .keyring
                    .seal_text(&*self.random, &place, secret.as_bytes())?;
                sealed.provider_details.insert(detail.to_owned(), text);
            }
        }
        Ok(sealed)
    }

    /// The secret details of a provider and the purpose each is sealed under (owner: the
    /// provider name): one purpose each, so a value moved from one detail to the other, or
    /// to another provider, does not open.
    const PROVIDER_SECRETS: [(&'static str, Purpose); 2] = [
        (PROVIDER_SECRET_DETAIL, Purpose::IdentityProviderSecret),
        (
            PROVIDER_PRIVATE_KEY_DETAIL,
            Purpose::IdentityProviderPrivateKey,
        ),
    ];

    /// The provider with its `client_secret` and `private_key` details opened. A value
    /// stored in the clear (before sealing) reads as it is and is sealed at the provider's
    /// next update.
    fn open_provider(
        &self,
        mut provider: IdentityProviderRecord,
    ) -> Result<IdentityProviderRecord, StoreError> {
        for (detail, purpose) in Self::PROVIDER_SECRETS {
            if let Some(stored) = provider.provider_details.get_mut(detail)
                && seal::is_sealed_text(stored)
            {
                let place = Place::new(purpose, provider.pool_id.as_str(), &provider.provider_name);
                let opened = self.keyring.open_text(&place, stored)?;
                *stored = String::from_utf8(opened.plaintext.to_vec())
                    .map_err(|_| StoreError::Sealed(seal::SealError::Malformed))?;
            }
        }
        Ok(provider)
    }
}

impl<S: Store + ?Sized> Store for SealingStore<S> {
    fn create_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
        self.inner.create_pool(pool)
    }

    fn get_pool(&self, id: &UserPoolId) -> Result<Option<PoolRecord>, StoreError> {
        self.inner.get_pool(id)
    }

    fn update_pool(&self, pool: &PoolRecord) -> Result<u64, StoreError> {
        self.inner.update_pool(pool)
    }

    fn delete_pool(&self, id: &UserPoolId) -> Result<(), StoreError> {
        self.inner.delete_pool(id)
    }

    fn list_pools(&self) -> Result<Vec<PoolRecord>, StoreError> {
        self.inner.list_pools()
    }

    fn create_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.inner.create_client(&self.seal_client(client)?)
    }

    fn get_client(
        &self,
        pool: &UserPoolId,
        client_id: &str,
    ) -> Result<Option<ClientRecord>, StoreError> {
        self.open_client(self.inner.get_client(pool, client_id)?)
    }

    fn find_client(&self, client_id: &str) -> Result<Option<ClientRecord>, StoreError> {
        self.open_client(self.inner.find_client(client_id)?)
    }

    fn find_client_pool(
        &self,
        client_id: &str,
    ) -> Result<Option<(ClientRecord, PoolRecord)>, StoreError> {
        let Some((client, pool)) = self.inner.find_client_pool(client_id)? else {
            return Ok(None);
        };
        Ok(self.open_client(Some(client))?.map(|client| (client, pool)))
    }

    fn list_clients(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ClientRecord>, StoreError> {
        self.inner
            .list_clients(pool, after, limit)?
            .into_iter()
            .filter_map(|client| self.open_client(Some(client)).transpose())
            .collect()
    }

    fn update_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        // The stored secret stays as it is (sealed); the plaintext one never goes down.
        let without_secret = ClientRecord {
            secret: None,
            ..client.clone()
        };
        self.inner.update_client(&without_secret)
    }

    fn delete_client(&self, pool: &UserPoolId, client_id: &str) -> Result<(), StoreError> {
        self.inner.delete_client(pool, client_id)
    }

    fn count_users(&self, pool: &UserPoolId) -> Result<u64, StoreError> {
        self.inner.count_users(pool)
    }

    fn decoy_write(&self, pool: &UserPoolId) -> Result<(), StoreError> {
        self.inner.decoy_write(pool)
    }

    fn insert_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.inner.insert_user(pool, &self.seal_user(pool, user)?)
    }

    fn update_user(&self, pool: &UserPoolId, user: &UserRecord) -> Result<u64, StoreError> {
        self.inner.update_user(pool, &self.seal_user(pool, user)?)
    }

    fn delete_user(
        &self,
        pool: &UserPoolId,
        username: &Username,
        version: u64,
    ) -> Result<(), StoreError> {
        self.inner.delete_user(pool, username, version)
    }

    fn find_user(
        &self,
        pool: &UserPoolId,
        key: UserKey<'_>,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.inner
            .find_user(pool, key)?
            .map(|user| self.open_user(pool, user))
            .transpose()
    }

    fn find_pool_user(
        &self,
        pool: &UserPoolId,
        name: &str,
    ) -> Result<(PoolRecord, Option<UserRecord>), StoreError> {
        let (record, user) = self.inner.find_pool_user(pool, name)?;
        let user = user.map(|user| self.open_user(pool, user)).transpose()?;
        Ok((record, user))
    }

    fn find_linked_user(
        &self,
        pool: &UserPoolId,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        self.inner
            .find_linked_user(pool, provider, subject)?
            .map(|user| self.open_user(pool, user))
            .transpose()
    }

    fn update_user_in(&self, pool: &PoolRecord, user: &UserRecord) -> Result<u64, StoreError> {
        self.inner
            .update_user_in(pool, &self.seal_user(&pool.id, user)?)
    }

    fn list_users(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError> {
        self.inner
            .list_users(pool, after, limit)?
            .into_iter()
            .map(|user| self.open_user(pool, user))
            .collect()
    }

    // Groups hold no secret: every group method passes through.

    fn create_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.inner.create_group(group)
    }

    fn get_group(&self, pool: &UserPoolId, name: &str) -> Result<Option<GroupRecord>, StoreError> {
        self.inner.get_group(pool, name)
    }

    fn update_group(&self, group: &GroupRecord) -> Result<u64, StoreError> {
        self.inner.update_group(group)
    }

    fn delete_group(&self, pool: &UserPoolId, name: &str) -> Result<(), StoreError> {
        self.inner.delete_group(pool, name)
    }

    fn list_groups(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.inner.list_groups(pool, after, limit)
    }

    fn add_user_to_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<(), StoreError> {
        self.inner.add_user_to_group(pool, group, sub)
    }

    fn remove_user_from_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        sub: Uuid,
    ) -> Result<bool, StoreError> {
        self.inner.remove_user_from_group(pool, group, sub)
    }

    fn list_groups_for_user(
        &self,
        pool: &UserPoolId,
        sub: Uuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.inner.list_groups_for_user(pool, sub, after, limit)
    }

    fn list_users_in_group(
        &self,
        pool: &UserPoolId,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserRecord>, StoreError> {
        self.inner.list_users_in_group(pool, group, after, limit)
    }

    /// Compares `expected` with the secret in force (both plaintext, in constant time) and
    /// stores `new` sealed in its place.
    fn replace_client_secret(
        &self,
        pool: &UserPoolId,
        client_id: &str,
        expected: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        use subtle::ConstantTimeEq;
        let Some(stored) = self.inner.get_client(pool, client_id)? else {
            return Ok(false);
        };
        let Some(stored_secret) = stored.secret.clone() else {
            return Ok(false);
        };
        let Some(current) = self.open_client(Some(stored))?.and_then(|c| c.secret) else {
            return Ok(false);
        };
        if !bool::from(current.as_bytes().ct_eq(expected.as_bytes())) {
            return Ok(false);
        }
        let place = Self::client_place(pool, client_id);
        let sealed = self
            .keyring
            .seal_text(&*self.random, &place, new.as_bytes())?;
        // The row may have been re-sealed by `open_client` just now: swap against what it
        // holds after that.
        let now_stored = self
            .inner
            .get_client(pool, client_id)?
            .and_then(|c| c.secret)
            .unwrap_or(stored_secret);
        self.inner
            .replace_client_secret(pool, client_id, &now_stored, &sealed)
    }
}

impl<S: Store + ?Sized> TokenStore for SealingStore<S> {
    fn signing_key(&self, pool: &UserPoolId) -> Result<Option<SigningKey>, StoreError> {
        self.inner
            .signing_key(pool)?
            .map(|stored| self.open_key(pool, stored))
            .transpose()
    }

    fn insert_signing_key(
        &self,
        pool: &UserPoolId,
        key: &SigningKey,
    ) -> Result<SigningKey, StoreError> {
        let sealed = self.seal_key(pool, key)?;
        let in_force = self.inner.insert_signing_key(pool, &sealed)?;
        self.open_key(pool, in_force)
    }

    fn insert_token_session(&self, session: &TokenSession) -> Result<(), StoreError> {
        self.inner.insert_token_session(session)
    }

    fn find_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<Option<TokenSession>, StoreError> {
        self.inner.find_token_session(pool, origin_jti)
    }

    fn find_token_session_by_refresh(
        &self,
        pool: &UserPoolId,
        refresh_digest: &[u8; 32],
    ) -> Result<Option<TokenSession>, StoreError> {
        self.inner
            .find_token_session_by_refresh(pool, refresh_digest)
    }

    fn revoke_token_session(
        &self,
        pool: &UserPoolId,
        origin_jti: Uuid,
    ) -> Result<bool, StoreError> {
        self.inner.revoke_token_session(pool, origin_jti)
    }

    fn revoke_token_sessions(&self, pool: &UserPoolId, sub: Uuid) -> Result<u64, StoreError> {
        self.inner.revoke_token_sessions(pool, sub)
    }

    /// As [`SealingStore::replace_client_secret`], for a signing key's bytes.
    fn replace_signing_key(
        &self,
        pool: &UserPoolId,
        kid: &str,
        expected: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        use subtle::ConstantTimeEq;
        let Some(stored) = self.inner.signing_key(pool)? else {
            return Ok(false);
        };
        if stored.kid != kid {
            return Ok(false);
        }
        let current = self.open_key(pool, stored)?;
        if !bool::from(current.private_der.as_slice().ct_eq(expected)) {
            return Ok(false);
        }
        let place = Self::key_place(pool, kid);
        let sealed = self.keyring.seal(&*self.random, &place, new)?;
        let Some(now_stored) = self.inner.signing_key(pool)? else {
            return Ok(false);
        };
        self.inner
            .replace_signing_key(pool, kid, &now_stored.private_der, &sealed)
    }

    fn insert_authorization_code(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        self.inner.insert_authorization_code(code)
    }

    fn take_authorization_code(
        &self,
        pool: &UserPoolId,
        code_digest: &[u8; 32],
    ) -> Result<Option<AuthorizationCode>, StoreError> {
        self.inner.take_authorization_code(pool, code_digest)
    }
}

impl<S: Store + ?Sized> OAuthStore for SealingStore<S> {
    // OAuth records (SPEC §21): an identity provider's client secret is sealed; the rest
    // holds no secret (an authorization code is only its host-computed digest) and passes
    // through.

    fn create_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.inner.create_domain(domain)
    }

    fn get_domain(&self, domain: &str) -> Result<Option<DomainRecord>, StoreError> {
        self.inner.get_domain(domain)
    }

    fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>, StoreError> {
        self.inner.domain_of_pool(pool)
    }

    fn update_domain(&self, domain: &DomainRecord) -> Result<u64, StoreError> {
        self.inner.update_domain(domain)
    }

    fn delete_domain(&self, pool: &UserPoolId, domain: &str) -> Result<(), StoreError> {
        self.inner.delete_domain(pool, domain)
    }

    fn create_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        self.inner.create_resource_server(server)
    }

    fn get_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<ResourceServerRecord>, StoreError> {
        self.inner.get_resource_server(pool, identifier)
    }

    fn list_resource_servers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ResourceServerRecord>, StoreError> {
        self.inner.list_resource_servers(pool, after, limit)
    }

    fn update_resource_server(&self, server: &ResourceServerRecord) -> Result<u64, StoreError> {
        self.inner.update_resource_server(server)
    }

    fn delete_resource_server(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<(), StoreError> {
        self.inner.delete_resource_server(pool, identifier)
    }

    fn create_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        self.inner
            .create_identity_provider(&self.seal_provider(provider)?)
    }

    fn get_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        self.inner
            .get_identity_provider(pool, provider_name)?
            .map(|p| self.open_provider(p))
            .transpose()
    }

    fn find_identity_provider_by_identifier(
        &self,
        pool: &UserPoolId,
        identifier: &str,
    ) -> Result<Option<IdentityProviderRecord>, StoreError> {
        self.inner
            .find_identity_provider_by_identifier(pool, identifier)?
            .map(|p| self.open_provider(p))
            .transpose()
    }

    fn list_identity_providers(
        &self,
        pool: &UserPoolId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<IdentityProviderRecord>, StoreError> {
        self.inner
            .list_identity_providers(pool, after, limit)?
            .into_iter()
            .map(|p| self.open_provider(p))
            .collect()
    }

    fn update_identity_provider(
        &self,
        provider: &IdentityProviderRecord,
    ) -> Result<u64, StoreError> {
        self.inner
            .update_identity_provider(&self.seal_provider(provider)?)
    }

    fn delete_identity_provider(
        &self,
        pool: &UserPoolId,
        provider_name: &str,
    ) -> Result<(), StoreError> {
        self.inner.delete_identity_provider(pool, provider_name)
    }
}
