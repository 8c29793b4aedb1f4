//! Cognito's SRP-6a (SPEC §15): the arithmetic behind `USER_SRP_AUTH` and the
//! PASSWORD_VERIFIER challenge, as amazon-cognito-identity-js, Amplify, pycognito and the
//! mobile SDKs compute it.
//!
//! - Group: RFC 3526's 3072-bit prime N, g = 2, H = SHA-256; `padHex` is the minimal
//!   big-endian encoding with a `00` in front when the top bit is set.
//! - k = H(padHex(N) ‖ padHex(g)), u = H(padHex(A) ‖ padHex(B)),
//!   x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)), v = g^x mod N.
//! - Server: b fresh per attempt, B = (k·v + g^b) mod N, S = (A · v^u)^b mod N,
//!   key = HKDF-SHA256(padHex(S), salt = padHex(u), info = "Caldera Derived Key")[..16],
//!   signature = base64(HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ TIMESTAMP)).
//!
//! [`SrpVerifier`] is what a password write computes and a store keeps (sealed);
//! [`PasswordVerifierChallenge`] is the open challenge, a plain value the sign-in machine
//! holds; [`SrpA`] and [`PasswordVerifierAnswer`] are the client's inputs, parsed once.
//! Time and randomness are inputs, as everywhere in the core. The exponentiations with a
//! secret exponent (x, b) are constant time (`crypto-bigint`, Montgomery form).
//!
//! # Example
//!
//! ```
//! use chrono::DateTime;
//! use userpool_core::srp::{PasswordVerifierChallenge, SrpA, SrpVerifier};
//! use userpool_core::{Context, Password, PoolRules, UserPoolId, Username};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = UserPoolId::parse("us-east-1_AbCdEf123")?;
//! let user = Username::parse("alice")?;
//! let mut rng = rand::rngs::SysRng;
//! let now = DateTime::from_timestamp(1_700_000_000, 0).ok_or("time")?;
//! let mut ctx = Context::new(now, &mut rng);
//!
//! // On every password write:
//! let verifier = SrpVerifier::new(&pool, &user, &Password::parse("Correct-horse-9")?, ctx.entropy)?;
//! // InitiateAuth USER_SRP_AUTH with the client's SRP_A:
//! let a = SrpA::parse("0ab1")?;
//! let challenge = PasswordVerifierChallenge::start(&pool, &user, &a, &verifier, &PoolRules::default(), &mut ctx)?;
//! let (_salt, _srp_b, _block) = (challenge.salt_hex(), challenge.srp_b_hex(), challenge.secret_block_base64());
//! // RespondToAuthChallenge: PasswordVerifierAnswer::parse, then challenge.check_answer.
//! # Ok(()) }
//! ```
//!
//! # In the sign-in machine
//!
//! Every password write of [`crate::transitions`] stores a fresh verifier in
//! [`crate::UserRecord::srp`] ([`verifier_for_write`]; none when [`crate::PoolRules::srp_pool`]
//! is `None`, the host's switch), computed from the password as typed. A password sign-in
//! adds one for a user who has none. [`start_password_verifier`] keeps the open challenge on
//! the record (so every process sharing the store sees it), [`answer_password_verifier`]
//! consumes it and concludes as a password sign-in, failures counted toward the lockout;
//! [`simulated_challenge`] stands in for users without a verifier.
//!
//! # Not here yet
//!
//! The device flows (DEVICE_SRP_AUTH uses the same group and derivation with a device group
//! key and device key in place of pool name and user id).

mod challenge;
mod flow;
mod group;
mod stored;
mod timestamp;
mod verifier;

pub use challenge::{PasswordVerifierAnswer, PasswordVerifierChallenge, SrpA, TIMESTAMP_TOLERANCE};
pub use flow::{
    Started, answer_password_verifier, refuse_unreadable_answer, simulated_challenge,
    simulated_user_id, spend_answer_work, start_password_verifier,
};
pub use stored::{MAX_PENDING_CHALLENGES, SrpBlob, blob_is_readable, verifier_for_write};
pub use verifier::SrpVerifier;

use crate::input::UserPoolId;

/// The pool's name in SRP: the part of the pool id after the `_`, read as every client
/// reads it (`poolId.split('_')[1]`), so a pool id with several `_` still matches them.
#[must_use]
pub fn pool_name(pool: &UserPoolId) -> &str {
    pool.as_str().split('_').nth(1).unwrap_or_default()
}
