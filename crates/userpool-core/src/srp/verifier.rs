//! The password verifier: a salt and v = g^x mod N, computed on every password write.

use std::fmt;

use crypto_bigint::{U256, U3072};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::group::{self, ELEMENT_LEN};
use super::pool_name;
use crate::entropy::{self, Entropy};
use crate::error::{Internal, Result};
use crate::input::{Password, UserPoolId, Username};

/// A user's SRP salt and verifier v = g^x mod N, where
/// x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
///
/// v is as sensitive as a password hash (one modular exponentiation tests a guess), so it is
/// wiped on drop, redacted in `Debug`, and has no `Display`; stores keep it sealed (SPEC §15).
///
/// The password is hashed as it was typed ([`Password::expose_as_typed`], before NFKC), as
/// every SRP client hashes it: a password that NFKC changes (a ligature, a decomposed
/// accent) signs in with SRP as typed, and with a password flow in either form.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SrpVerifier {
    salt: [u8; SrpVerifier::SALT_LEN],
    verifier: U3072,
}

impl SrpVerifier {
    /// Bytes of salt drawn for a new verifier.
    pub const SALT_LEN: usize = 16;

    /// Computes the verifier of a password with a fresh random salt.
    ///
    /// `user_id` is `USER_ID_FOR_SRP`: the username, never an alias.
    ///
    /// # Errors
    /// `InternalErrorException` when the entropy source fails.
    pub fn new(
        pool: &UserPoolId,
        user_id: &Username,
        password: &Password,
        entropy: &mut dyn Entropy,
    ) -> Result<Self> {
        let salt = entropy::bytes(entropy)?;
        Ok(SrpVerifier::with_salt(pool, user_id, password, salt))
    }

    /// Computes the verifier of a password with a given salt (for test vectors and for
    /// recomputing a verifier whose salt is kept).
    #[must_use]
    pub fn with_salt(
        pool: &UserPoolId,
        user_id: &Username,
        password: &Password,
        salt: [u8; SrpVerifier::SALT_LEN],
    ) -> Self {
        let x = private_key(pool, user_id, password, &salt);
        SrpVerifier {
            salt,
            verifier: group::g_pow(&x),
        }
    }

    /// Reads a verifier back from storage: the salt and v as [`SrpVerifier::verifier_bytes`]
    /// gave it.
    ///
    /// # Errors
    /// `InternalErrorException` when v is not 384 bytes or not in 1..N.
    pub fn from_parts(salt: [u8; SrpVerifier::SALT_LEN], verifier: &[u8]) -> Result<Self> {
        if verifier.len() != ELEMENT_LEN {
            return Err(Internal::Storage.into());
        }
        let verifier = U3072::from_be_slice(verifier);
        if verifier == U3072::ZERO || verifier >= *group::N {
            return Err(Internal::Storage.into());
        }
        Ok(SrpVerifier { salt, verifier })
    }

    /// The salt.
    #[must_use]
    pub fn salt(&self) -> &[u8; SrpVerifier::SALT_LEN] {
        &self.salt
    }

    /// The salt as the `SALT` challenge parameter: lowercase hex without leading zero bytes
    /// (pycognito hashes the text it receives and the JavaScript SDK the integer; the two
    /// agree only when the text has no leading `00`).
    #[must_use]
    pub fn salt_hex(&self) -> String {
        let minimal = group::pad_hex(&self.salt);
        // pad_hex may have put a 00 in front of a set top bit; SALT is sent without it.
        match minimal.as_slice() {
            [0, rest @ ..] if !rest.is_empty() => group::encode_hex(rest),
            bytes => group::encode_hex(bytes),
        }
    }

    /// v as 384 big-endian bytes, to seal and store. Wiped on drop.
    #[must_use]
    pub fn verifier_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.verifier.to_be_bytes().as_ref().to_vec())
    }

    pub(crate) fn value(&self) -> &U3072 {
        &self.verifier
    }
}

/// Constant time, so comparing records that hold verifiers leaks nothing about v.
impl PartialEq for SrpVerifier {
    fn eq(&self, other: &Self) -> bool {
        let salt = self.salt.ct_eq(&other.salt);
        let verifier = self
            .verifier
            .to_be_bytes()
            .as_ref()
            .ct_eq(other.verifier.to_be_bytes().as_ref());
        bool::from(salt & verifier)
    }
}

impl Eq for SrpVerifier {}

impl fmt::Debug for SrpVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SrpVerifier(<redacted>)")
    }
}

/// x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
fn private_key(
    pool: &UserPoolId,
    user_id: &Username,
    password: &Password,
    salt: &[u8],
) -> Zeroizing<U256> {
    let mut inner = Sha256::new();
    inner.update(pool_name(pool).as_bytes());
    inner.update(user_id.as_str().as_bytes());
    inner.update(b":");
    inner.update(password.expose_as_typed().as_bytes());
    let inner = Zeroizing::new(<[u8; 32]>::from(inner.finalize()));
    let mut outer = Sha256::new();
    outer.update(group::pad_hex(salt));
    outer.update(*inner);
    let x = Zeroizing::new(<[u8; 32]>::from(outer.finalize()));
    Zeroizing::new(U256::from_be_slice(&*x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier(salt: [u8; 16]) -> SrpVerifier {
        let pool = UserPoolId::parse("us-east-1_AbC").expect("pool");
        let user = Username::parse("alice").expect("user");
        let password = Password::parse("Secret-1").expect("password");
        SrpVerifier::with_salt(&pool, &user, &password, salt)
    }

    #[test]
    fn salt_hex_drops_leading_zero_bytes_only() {
        let mut salt = [0x11; 16];
        salt[0] = 0x8f;
        assert_eq!(verifier(salt).salt_hex(), format!("8f{}", "11".repeat(15)));
        salt[0] = 0x0b;
        assert_eq!(verifier(salt).salt_hex(), format!("0b{}", "11".repeat(15)));
        salt[0] = 0x00;
        assert_eq!(verifier(salt).salt_hex(), "11".repeat(15));
        assert_eq!(verifier([0; 16]).salt_hex(), "00");
    }

    #[test]
    fn stored_form_round_trips_and_refuses_what_is_not_a_verifier() {
        let v = verifier([7; 16]);
        let back = SrpVerifier::from_parts(*v.salt(), &v.verifier_bytes()).expect("round trip");
        assert_eq!(back, v);
        assert_ne!(verifier([8; 16]), v);
        assert!(SrpVerifier::from_parts([7; 16], &[1; 383]).is_err());
        assert!(SrpVerifier::from_parts([7; 16], &[0; 384]).is_err());
        assert!(SrpVerifier::from_parts([7; 16], &[0xff; 384]).is_err());
        assert_eq!(format!("{v:?}"), "SrpVerifier(<redacted>)");
    }
}
