//! What a store keeps of a user's SRP (SPEC §15): the verifier and the open
//! PASSWORD_VERIFIER challenges, as one byte string in [`UserRecord::srp`].
//!
//! One opaque value rather than typed fields, so that a sealing layer can seal it whole
//! (v and every pending b are secrets) and a store persists it as bytes without knowing
//! what is inside — the way an app client's secret is kept.
//!
//! [`UserRecord::srp`]: crate::UserRecord::srp

use std::fmt;

use chrono::{DateTime, Utc};
use crypto_bigint::{U512, U3072};
use zeroize::Zeroizing;

use super::challenge::{PasswordVerifierChallenge, SrpA};
use super::group::{self, ELEMENT_LEN};
use super::pool_name;
use super::verifier::SrpVerifier;
use crate::config::PoolRules;
use crate::entropy::Entropy;
use crate::error::{Internal, Result};
use crate::input::{Password, UserPoolId, Username};

/// A user's SRP state as a store keeps it: bytes, wiped on drop, redacted in `Debug`.
///
/// Written by the core on every password write and SRP sign-in step; a store persists it
/// as it is and gives it back unchanged. A sealing layer may replace it by its sealed form
/// on the way in and open it on the way out: the core reads only the plain form.
#[derive(Clone, PartialEq, Eq)]
pub struct SrpBlob(Zeroizing<Vec<u8>>);

impl SrpBlob {
    /// Wraps stored bytes.
    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        SrpBlob(Zeroizing::new(bytes))
    }

    /// The bytes to store.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SrpBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SrpBlob(<{} bytes redacted>)", self.0.len())
    }
}

/// An open PASSWORD_VERIFIER challenge as kept on the user: the challenge and the app
/// client it was opened for.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    pub(crate) client_id: String,
    pub(crate) challenge: PasswordVerifierChallenge,
}

/// The decoded form of an [`SrpBlob`].
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SrpState {
    pub(crate) verifier: SrpVerifier,
    pub(crate) pending: Vec<Pending>,
}

/// The most PASSWORD_VERIFIER challenges a user may have open at once.
///
/// **Decision:** more than one, because a person signs in from a phone and a laptop at
/// once and SDKs retry a sign-in whose answer was lost; few, because each costs about a
/// kilobyte of the user's record (sealed, read and written on every sign-in) and the
/// record must not grow with the number of requests. When a new challenge would exceed
/// it, the one that expires first is dropped: an attacker opening challenges for a
/// username can at worst make a legitimate sign-in start over, and the per-username rate
/// limit (SPEC §13) bounds how fast.
pub const MAX_PENDING_CHALLENGES: usize = 4;

/// Format version of the encoding.
const VERSION: u8 = 1;

impl SrpState {
    pub(crate) fn new(verifier: SrpVerifier) -> Self {
        SrpState {
            verifier,
            pending: Vec::new(),
        }
    }

    /// Drops expired challenges, and the earliest-expiring ones beyond `keep`.
    pub(crate) fn prune(&mut self, now: DateTime<Utc>, keep: usize) {
        self.pending.retain(|p| now < p.challenge.expires_at);
        self.pending
            .sort_by_key(|p| std::cmp::Reverse(p.challenge.expires_at));
        self.pending.truncate(keep);
    }

    /// version ‖ salt ‖ v ‖ count ‖ per challenge: expiry (seconds, nanoseconds) ‖
    /// client id (length-prefixed) ‖ A ‖ b ‖ B ‖ secret block.
    pub(crate) fn encode(&self) -> SrpBlob {
        let mut out = Zeroizing::new(Vec::with_capacity(
            1 + SrpVerifier::SALT_LEN + ELEMENT_LEN + 1 + self.pending.len() * 1000,
        ));
        out.push(VERSION);
        out.extend_from_slice(self.verifier.salt());
        out.extend_from_slice(&self.verifier.verifier_bytes());
        // invariant: prune keeps at most MAX_PENDING_CHALLENGES, far below 256.
        out.push(u8::try_from(self.pending.len()).unwrap_or(u8::MAX));
        for p in &self.pending {
            let c = &p.challenge;
            out.extend_from_slice(&c.expires_at.timestamp().to_be_bytes());
            out.extend_from_slice(&c.expires_at.timestamp_subsec_nanos().to_be_bytes());
            let client = p.client_id.as_bytes();
            // Client ids are at most 128 characters (SPEC §1); longer is cut, never wrapped.
            let len = client.len().min(255);
            out.push(u8::try_from(len).unwrap_or(u8::MAX));
            out.extend_from_slice(&client[..len]);
            out.extend_from_slice(c.a.value.to_be_bytes().as_ref());
            out.extend_from_slice(Zeroizing::new(c.b.to_be_bytes()).as_ref());
            out.extend_from_slice(c.public_b.to_be_bytes().as_ref());
            out.extend_from_slice(&*c.secret_block);
        }
        SrpBlob(Zeroizing::new(std::mem::take(&mut *out)))
    }

    /// Reads a blob back for `user_id` in `pool`.
    ///
    /// # Errors
    /// `InternalErrorException` when the bytes are not a blob this version wrote (a sealed
    /// value that was never opened included).
    pub(crate) fn decode(blob: &SrpBlob, pool: &UserPoolId, user_id: &Username) -> Result<Self> {
        let mut r = Reader(blob.as_bytes());
        if r.take(1)? != [VERSION] {
            return Err(Internal::Storage.into());
        }
        let salt: [u8; SrpVerifier::SALT_LEN] = r.array()?;
        let verifier = SrpVerifier::from_parts(salt, r.take(ELEMENT_LEN)?)?;
        let count = r.take(1)?[0];
        let mut pending = Vec::with_capacity(usize::from(count).min(MAX_PENDING_CHALLENGES));
        for _ in 0..count {
            let seconds = i64::from_be_bytes(r.array()?);
            let nanos = u32::from_be_bytes(r.array()?);
            let expires_at = DateTime::from_timestamp(seconds, nanos).ok_or(Internal::Storage)?;
            let len = usize::from(r.take(1)?[0]);
            let client_id =
                String::from_utf8(r.take(len)?.to_vec()).map_err(|_| Internal::Storage)?;
            let value = U3072::from_be_slice(r.take(ELEMENT_LEN)?);
            let b = Zeroizing::new(U512::from_be_slice(r.take(64)?));
            let public_b = U3072::from_be_slice(r.take(ELEMENT_LEN)?);
            let secret_block = Zeroizing::new(r.array()?);
            let reduced = group::reduce(&value);
            if reduced == U3072::ZERO {
                return Err(Internal::Storage.into());
            }
            pending.push(Pending {
                client_id,
                challenge: PasswordVerifierChallenge {
                    pool_name: pool_name(pool).to_owned(),
                    user_id: user_id.clone(),
                    salt_hex: verifier.salt_hex(),
                    a: SrpA { value, reduced },
                    b,
                    public_b,
                    secret_block,
                    expires_at,
                },
            });
        }
        if !r.0.is_empty() {
            return Err(Internal::Storage.into());
        }
        Ok(SrpState { verifier, pending })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(Internal::Storage.into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

/// The SRP state a password write stores: a fresh verifier of `password` for `user_id`
/// (`USER_ID_FOR_SRP`: the username, never an alias), or `None` when the rules turn SRP
/// off ([`PoolRules::srp_pool`] is `None`).
///
/// Every password write of [`crate::transitions`] calls it; a host that renames a user
/// after a write (a pool whose username is generated) calls it again with the final name.
///
/// # Errors
/// `InternalErrorException` when the entropy source fails.
pub fn verifier_for_write(
    user_id: &Username,
    password: &Password,
    rules: &PoolRules,
    entropy: &mut dyn Entropy,
) -> Result<Option<SrpBlob>> {
    let Some(pool) = &rules.srp_pool else {
        return Ok(None);
    };
    let verifier = SrpVerifier::new(pool, user_id, password, entropy)?;
    Ok(Some(SrpState::new(verifier).encode()))
}

/// Whether `blob` holds a verifier this version can read for `user_id` in `pool`, for
/// stores' and hosts' checks. Exposes nothing.
#[must_use]
pub fn blob_is_readable(blob: &SrpBlob, pool: &UserPoolId, user_id: &Username) -> bool {
    SrpState::decode(blob, pool, user_id).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Context;

    #[test]
    fn state_round_trips_with_challenges_and_refuses_garbage() {
        let pool = UserPoolId::parse("us-east-1_AbC").expect("pool");
        let user = Username::parse("alice").expect("user");
        let password = Password::parse("Secret-1").expect("password");
        let verifier = SrpVerifier::with_salt(&pool, &user, &password, [0x80; 16]);
        let mut state = SrpState::new(verifier.clone());
        let mut rng = rand::rngs::SysRng;
        let now = DateTime::from_timestamp(1_700_000_000, 5).expect("time");
        let mut ctx = Context::new(now, &mut rng);
        let a = SrpA::parse("0ab1").expect("A");
        let rules = PoolRules::default();
        for client in ["c1", "c2"] {
            let challenge =
                PasswordVerifierChallenge::start(&pool, &user, &a, &verifier, &rules, &mut ctx)
                    .expect("start");
            state.pending.push(Pending {
                client_id: client.into(),
                challenge,
            });
        }
        let blob = state.encode();
        let back = SrpState::decode(&blob, &pool, &user).expect("decode");
        assert!(back == state);
        let mut cut = blob.as_bytes().to_vec();
        cut.pop();
        assert!(SrpState::decode(&SrpBlob::from_bytes(cut), &pool, &user).is_err());
        let mut longer = blob.as_bytes().to_vec();
        longer.push(0);
        assert!(SrpState::decode(&SrpBlob::from_bytes(longer), &pool, &user).is_err());
        assert!(SrpState::decode(&SrpBlob::from_bytes(b"upseal1".to_vec()), &pool, &user).is_err());
        assert!(format!("{blob:?}").contains("redacted"));
    }
}
