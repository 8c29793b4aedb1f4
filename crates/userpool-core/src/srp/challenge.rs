//! The PASSWORD_VERIFIER challenge: the client's A, the server's fresh b and B, the secret
//! block, and the check of the client's answer.

use std::fmt;

use base64ct::{Base64, Encoding};
use chrono::{DateTime, TimeDelta, Utc};
use crypto_bigint::{U256, U512, U3072};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::group;
use super::pool_name;
use super::timestamp;
use super::verifier::SrpVerifier;
use crate::config::{Context, PoolRules, later};
use crate::entropy;
use crate::error::{Error, Internal, NotAuthorized, Result};
use crate::input::{UserPoolId, Username};

/// Draws b: 512 random bits, well above the twice-the-security-level (2 × ~128 bits) a short
/// exponent needs in this group, redrawing the 2^-512 case of 0. A source that keeps giving
/// zeros is broken, not unlucky: an error after a few draws, not an endless loop.
fn draw_exponent(ctx: &mut Context<'_>) -> Result<Zeroizing<U512>> {
    for _ in 0..4 {
        let bytes = Zeroizing::new(entropy::bytes::<64>(ctx.entropy)?);
        let b = Zeroizing::new(U512::from_be_slice(&*bytes));
        if *b != U512::ZERO {
            return Ok(b);
        }
    }
    Err(Internal::EntropyUnavailable.into())
}

/// The HKDF info string of Cognito's session key.
const HKDF_INFO: &[u8] = b"Caldera Derived Key";

/// How far the answer's TIMESTAMP may be from `now`, either way (SPEC §15).
pub const TIMESTAMP_TOLERANCE: TimeDelta = TimeDelta::minutes(5);

/// The client's public value A, read from `SRP_A`.
///
/// Parsed once at the edge: hex (either case, leading zeros allowed), at most 3072 bits,
/// and A mod N ≠ 0 (a client sending A ≡ 0 would make the shared secret 0 and sign in
/// without the password).
#[derive(Clone, PartialEq, Eq)]
pub struct SrpA {
    /// A as sent, for u = H(padHex(A) ‖ padHex(B)).
    pub(super) value: U3072,
    /// A mod N, for the arithmetic.
    pub(super) reduced: U3072,
}

impl SrpA {
    /// The most hex digits accepted in `SRP_A` (leading zeros included), so that parsing
    /// work stays bounded.
    pub const MAX_HEX_LEN: usize = 1024;

    /// Reads `SRP_A`.
    ///
    /// # Errors
    /// `InvalidParameterException` `Invalid SRP_A value.` when the text is empty, longer
    /// than [`SrpA::MAX_HEX_LEN`], not hex, above 3072 bits, or a multiple of N (0, N…).
    /// Cognito answers a bad SRP_A with InvalidParameterException; its message is not
    /// documented, so the wording is ours **(decision)**.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = || Error::InvalidParameterMessage("Invalid SRP_A value.".to_owned());
        if text.len() > Self::MAX_HEX_LEN {
            return Err(invalid());
        }
        let value = group::parse_element_hex(text).ok_or_else(invalid)?;
        let reduced = group::reduce(&value);
        if reduced == U3072::ZERO {
            return Err(invalid());
        }
        Ok(SrpA { value, reduced })
    }

    /// A as lowercase hex without leading zeros.
    #[must_use]
    pub fn to_hex(&self) -> String {
        group::to_hex(&self.value)
    }
}

impl fmt::Debug for SrpA {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SrpA::parse({:?})", self.to_hex())
    }
}

/// An open PASSWORD_VERIFIER challenge, as the sign-in machine holds it between
/// InitiateAuth (`USER_SRP_AUTH`) and RespondToAuthChallenge.
///
/// It names the pool and the user (`USER_ID_FOR_SRP`), keeps A, the server's secret b and
/// public B, the secret block handed to the client and the expiry. b and the secret block
/// are wiped on drop and never shown by `Debug`. Single use is the holder's job: drop the
/// challenge once an answer was checked, right or wrong.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordVerifierChallenge {
    pub(super) pool_name: String,
    pub(super) user_id: Username,
    pub(super) salt_hex: String,
    pub(super) a: SrpA,
    pub(super) b: Zeroizing<U512>,
    pub(super) public_b: U3072,
    pub(super) secret_block: Zeroizing<[u8; PasswordVerifierChallenge::SECRET_BLOCK_LEN]>,
    pub(super) expires_at: DateTime<Utc>,
}

impl PasswordVerifierChallenge {
    /// Random bytes in a secret block.
    pub const SECRET_BLOCK_LEN: usize = 32;

    /// Opens a challenge for a user with a verifier: draws b (64 bytes, redrawn in the
    /// negligible case it is 0) and then the secret block (32 bytes) from `ctx.entropy`,
    /// computes B = (k·v + g^b) mod N, and expires at `ctx.now + rules.challenge_validity()`.
    ///
    /// # Errors
    /// `InternalErrorException` when the entropy source fails (or gives only zeros).
    pub fn start(
        pool: &UserPoolId,
        user_id: &Username,
        a: &SrpA,
        verifier: &SrpVerifier,
        rules: &PoolRules,
        ctx: &mut Context<'_>,
    ) -> Result<Self> {
        let b = draw_exponent(ctx)?;
        let secret_block = Zeroizing::new(entropy::bytes(ctx.entropy)?);
        Ok(PasswordVerifierChallenge {
            pool_name: pool_name(pool).to_owned(),
            user_id: user_id.clone(),
            salt_hex: verifier.salt_hex(),
            a: a.clone(),
            public_b: group::server_public(verifier.value(), &b),
            b,
            secret_block,
            expires_at: later(ctx.now, rules.challenge_validity()),
        })
    }

    /// `USER_ID_FOR_SRP` (and `USERNAME`) of the challenge parameters.
    #[must_use]
    pub fn user_id_for_srp(&self) -> &Username {
        &self.user_id
    }

    /// `SALT`: the verifier's salt as hex.
    #[must_use]
    pub fn salt_hex(&self) -> &str {
        &self.salt_hex
    }

    /// `SRP_B`: B as lowercase hex.
    #[must_use]
    pub fn srp_b_hex(&self) -> String {
        group::to_hex(&self.public_b)
    }

    /// `SECRET_BLOCK`: the secret block in standard base64. It names the challenge, so it is
    /// a bearer secret until the challenge is answered.
    #[must_use]
    pub fn secret_block_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(Base64::encode_string(&*self.secret_block))
    }

    /// Whether an answer carries this challenge's secret block (constant time), for a
    /// holder that finds the challenge by its block when the client sends no Session.
    #[must_use]
    pub fn is_for(&self, answer: &PasswordVerifierAnswer) -> bool {
        bool::from(self.secret_block.as_slice().ct_eq(&answer.secret_block))
    }

    /// The first instant at which the challenge no longer works.
    #[must_use]
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Checks the client's answer against the user's current verifier: the challenge is
    /// still open, the answer carries this secret block, its TIMESTAMP is within
    /// [`TIMESTAMP_TOLERANCE`] of `now`, and PASSWORD_CLAIM_SIGNATURE equals
    /// base64(HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ TIMESTAMP)) with
    /// key = HKDF-SHA256(padHex(S), padHex(u), "Caldera Derived Key") and
    /// S = (A · v^u)^b mod N, compared in constant time.
    ///
    /// Pass the verifier as it is now: a password changed since the challenge was opened
    /// makes the answer fail.
    ///
    /// # Errors
    /// `NotAuthorizedException`: `Invalid session for the user.` once expired;
    /// `Incorrect username or password.` for another secret block, a timestamp too far
    /// from `now`, or a wrong signature (every one of them a failed sign-in).
    pub fn check_answer(
        &self,
        answer: &PasswordVerifierAnswer,
        verifier: &SrpVerifier,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if now >= self.expires_at {
            return Err(NotAuthorized::InvalidSession.into());
        }
        let refused = || Error::from(NotAuthorized::IncorrectCredentials);
        if !self.is_for(answer) {
            return Err(refused());
        }
        if (now - answer.timestamp).abs() > TIMESTAMP_TOLERANCE {
            return Err(refused());
        }
        let key = self.session_key(verifier).ok_or_else(refused)?;
        // invariant: HMAC-SHA256 takes a key of any length.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&*key).expect("any key length");
        mac.update(self.pool_name.as_bytes());
        mac.update(self.user_id.as_str().as_bytes());
        mac.update(&*self.secret_block);
        mac.update(answer.timestamp_text.as_bytes());
        mac.verify_slice(&answer.signature).map_err(|_| refused())
    }

    /// key = HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info = "Caldera Derived Key"),
    /// 16 bytes; `None` when u = 0 (never for an honest B: it would make S independent of v).
    pub(super) fn session_key(&self, verifier: &SrpVerifier) -> Option<Zeroizing<[u8; 16]>> {
        let u = group::scrambler(&self.a.value, &self.public_b);
        if u == U256::ZERO {
            return None;
        }
        let s = group::server_premaster(&self.a.reduced, verifier.value(), &u, &self.b);
        let ikm = group::pad_hex(s.to_be_bytes().as_ref());
        let salt = group::pad_hex(u.to_be_bytes().as_ref());
        let mut key = Zeroizing::new([0u8; 16]);
        Hkdf::<Sha256>::new(Some(&salt), &ikm)
            .expand(HKDF_INFO, &mut *key)
            .ok()?;
        Some(key)
    }

    /// u, S and the session key this challenge derives with `verifier`, as lowercase hex
    /// without leading zeros (the key: 32 hex digits), for checking against test vectors.
    /// Exposes secrets: behind `test-util`, never for production.
    #[cfg(any(test, feature = "test-util"))]
    #[must_use]
    pub fn derived_values_for_tests(&self, verifier: &SrpVerifier) -> (String, String, String) {
        let u = group::scrambler(&self.a.value, &self.public_b);
        let s = group::server_premaster(&self.a.reduced, verifier.value(), &u, &self.b);
        let key = self
            .session_key(verifier)
            .map_or_else(String::new, |key| group::encode_hex(&*key));
        (group::to_hex(&group::widen(&u)), group::to_hex(&s), key)
    }
}

impl fmt::Debug for PasswordVerifierChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordVerifierChallenge")
            .field("pool_name", &self.pool_name)
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A client's answer to PASSWORD_VERIFIER, parsed once at the edge:
/// PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE and TIMESTAMP.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordVerifierAnswer {
    secret_block: Zeroizing<Vec<u8>>,
    signature: [u8; 32],
    timestamp: DateTime<Utc>,
    timestamp_text: String,
}

impl PasswordVerifierAnswer {
    /// The most base64 characters read from PASSWORD_CLAIM_SECRET_BLOCK (ours are 44;
    /// Cognito's own are longer, so a generous bound, not an exact one).
    pub const MAX_SECRET_BLOCK_LEN: usize = 4096;

    /// Reads the three answer parameters.
    ///
    /// # Errors
    /// `NotAuthorizedException` `Incorrect username or password.` when the secret block is
    /// not base64 or too long, the signature is not the base64 of 32 bytes, or the
    /// timestamp is not a Cognito timestamp (a wrong weekday included): Cognito answers
    /// these as a failed sign-in, not as a malformed request.
    pub fn parse(secret_block: &str, signature: &str, timestamp_text: &str) -> Result<Self> {
        let refused = || Error::from(NotAuthorized::IncorrectCredentials);
        if secret_block.len() > Self::MAX_SECRET_BLOCK_LEN || signature.len() > 64 {
            return Err(refused());
        }
        let secret_block = Zeroizing::new(Base64::decode_vec(secret_block).map_err(|_| refused())?);
        let mut decoded = [0u8; 32];
        let signature = match Base64::decode(signature, &mut decoded) {
            Ok(bytes) if bytes.len() == 32 => decoded,
            _ => return Err(refused()),
        };
        let timestamp = timestamp::parse(timestamp_text).ok_or_else(refused)?;
        Ok(PasswordVerifierAnswer {
            secret_block,
            signature,
            timestamp,
            timestamp_text: timestamp_text.to_owned(),
        })
    }

    /// The instant the TIMESTAMP names.
    #[must_use]
    pub fn timestamp(&self) -> DateTime<Utc> {
        self.timestamp
    }
}

impl fmt::Debug for PasswordVerifierAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordVerifierAnswer")
            .field("timestamp", &self.timestamp_text)
            .finish_non_exhaustive()
    }
}
