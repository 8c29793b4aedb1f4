//! Each pool's RSA signing key: generated on first use, kept in the store as PKCS#8 DER
//! (so every process on the store signs with the same key and tokens survive restarts),
//! and cached here parsed by kid, because parsing and checking a 2048-bit key on every
//! request would cost more than the signature itself.
//!
//! Keys are generated, parsed and used by aws-lc-rs, whose RSA private-key operation is
//! constant-time (SPEC §14; the RustCrypto `rsa` crate this replaced carries
//! RUSTSEC-2023-0071). Signing goes through the cached [`RsaKeyPair`] directly: jsonwebtoken's
//! own encoder would parse the DER again for every token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64ct::{Base64UrlUnpadded, Encoding};
use jsonwebtoken::DecodingKey;
use userpool_store::{RandomSource, SigningKey, Store};

use crate::Clock;
use userpool_core::UserPoolId;
use zeroize::Zeroizing;

use userpool_core::Error;

use super::internal;

/// A pool's key, parsed once: what signing, verifying and the JWKS need.
pub(super) struct PoolKey {
    /// `kid` in token headers and in the JWKS.
    pub kid: String,
    /// The private key, parsed and checked (aws-lc frees and cleanses it on drop).
    pair: RsaKeyPair,
    /// The public key.
    pub decoding: DecodingKey,
    /// The modulus, base64url (the JWKS `n`).
    pub n: String,
    /// The public exponent, base64url (the JWKS `e`).
    pub e: String,
}

impl std::fmt::Debug for PoolKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl PoolKey {
    /// Parses a stored key. The bytes come from storage and are treated as untrusted: a
    /// key that is not PKCS#8 RSA (2048 to 8192 bits), or fails RSA's consistency checks,
    /// is an internal error naming the pool and the kid, never showing the bytes.
    pub(super) fn from_stored(pool: &UserPoolId, stored: &SigningKey) -> Result<Self, Error> {
        let pair = RsaKeyPair::from_pkcs8(&stored.private_der).map_err(|_| {
            internal(format!(
                "signing key {} of pool {pool} is unusable: not a valid PKCS#8 RSA private key",
                stored.kid
            ))
        })?;
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero().to_vec();
        let e = public.exponent().big_endian_without_leading_zero().to_vec();
        Ok(PoolKey {
            kid: stored.kid.clone(),
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
            n: Base64UrlUnpadded::encode_string(&n),
            e: Base64UrlUnpadded::encode_string(&e),
            pair,
        })
    }

    /// The RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        // aws-lc ignores the generator for PKCS#1 v1.5 (the padding is deterministic).
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair
            .sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
            .map_err(|_| internal(format!("signing with key {} failed", self.kid)))?;
        Ok(signature)
    }

    /// The key's entry in a JWKS, as Cognito publishes it.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "alg": "RS256",
            "e": self.e,
            "kid": self.kid,
            "kty": "RSA",
            "n": self.n,
            "use": "sig",
        })
    }
}

/// The decoded keys of the pools this process has used, in front of the store.
#[derive(Default)]
pub(super) struct KeyCache {
    keys: RwLock<HashMap<UserPoolId, Arc<PoolKey>>>,
    /// Held while a key is generated, so that two requests of this process do not both
    /// spend the ~100 ms of a 2048-bit keygen for the same pool. (Other processes are
    /// reconciled by the store's first-writer-wins insert.)
    generating: Mutex<()>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<String> = self
            .keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .map(|k| k.kid.clone())
            .collect();
        f.debug_struct("KeyCache").field("kids", &kids).finish()
    }
}

impl KeyCache {
    /// The decoded form of `stored`, from the cache when it holds this very kid.
    ///
    /// The store, not the cache, says which key is in force: a pool deleted and created
    /// again under the same id (or by another process) has a new key, and a cache that
    /// trusted itself would keep signing with the dead one. What the cache saves is the
    /// decoding and RSA consistency check, which cost more than the store read.
    fn decoded(&self, pool: &UserPoolId, stored: &SigningKey) -> Result<Arc<PoolKey>, Error> {
        {
            // A poisoned lock only means a panic elsewhere while inserting a fully built
            // `Arc`; the map is still consistent, so keep serving it.
            let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(key) = keys.get(pool).filter(|key| key.kid == stored.kid) {
                return Ok(Arc::clone(key));
            }
        }
        let key = Arc::new(PoolKey::from_stored(pool, stored)?);
        self.keys
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(pool.clone(), Arc::clone(&key));
        Ok(key)
    }

    /// The pool's key if it has one (verification: a pool without a key issued nothing).
    ///
    /// # Errors
    /// The store's errors (`PoolNotFound` among them); an unusable stored key (internal).
    pub fn existing(
        &self,
        store: &dyn Store,
        pool: &UserPoolId,
    ) -> Result<Option<Arc<PoolKey>>, Error> {
        match store.signing_key(pool)? {
            Some(stored) => Ok(Some(self.decoded(pool, &stored)?)),
            None => Ok(None),
        }
    }

    /// The pool's key, generating and storing one if the pool has none yet. When another
    /// process stores its key first, that key is the one returned and cached here.
    ///
    /// # Errors
    /// The store's errors (`PoolNotFound` → `ResourceNotFoundException`); keygen or
    /// encoding failures (internal).
    pub fn get_or_create(
        &self,
        store: &dyn Store,
        clock: &dyn Clock,
        random: &dyn RandomSource,
        pool: &UserPoolId,
    ) -> Result<Arc<PoolKey>, Error> {
        if let Some(key) = self.existing(store, pool)? {
            return Ok(key);
        }
        let _one_keygen_at_a_time = self
            .generating
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Another thread of this process may have stored one while this one waited.
        if let Some(key) = self.existing(store, pool)? {
            return Ok(key);
        }
        let fresh = generate(clock, random)?;
        let winner = store.insert_signing_key(pool, &fresh)?;
        self.decoded(pool, &winner)
    }
}

/// A new 2048-bit key with a random kid, serialised as PKCS#8 DER.
pub(super) fn generate(clock: &dyn Clock, random: &dyn RandomSource) -> Result<SigningKey, Error> {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| internal("RSA key generation failed"))?;
    let der: Pkcs8V1Der<'static> = pair
        .as_der()
        .map_err(|_| internal("cannot encode a new RSA key as PKCS#8"))?;
    Ok(SigningKey {
        kid: super::random_uuid(random)?.to_string(),
        private_der: Zeroizing::new(der.as_ref().to_vec()),
        created_at: clock.now(),
    })
}

/// Whether a store error means "there is no such pool" (callers map it to their own
/// refusal rather than to `ResourceNotFoundException`).
pub(super) fn is_pool_not_found(e: &Error) -> bool {
    matches!(e, Error::UserPoolNotFound { .. })
}
