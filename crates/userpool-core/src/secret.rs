//! Digests of short-lived secrets (confirmation codes, challenge session tokens).
//!
//! Only a salted BLAKE2b-256 digest is stored, compared in constant time. Session tokens
//! carry 256 random bits, so the digest alone is useless to whoever reads the database.
//! Confirmation codes are six digits: their digest is guessable offline, which is why they
//! expire quickly and are voided after a few wrong attempts.

use std::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use blake2::{Blake2b256, Digest};
use subtle::ConstantTimeEq;

use crate::entropy::{self, Entropy};
use crate::error::{Internal, Result};

/// A salted digest of a secret, storable as a short string.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretDigest {
    salt: [u8; 16],
    digest: [u8; 32],
}

impl SecretDigest {
    /// Digests a secret with a fresh salt.
    ///
    /// # Errors
    /// `InternalErrorException` when the entropy source fails.
    pub fn new(secret: &[u8], entropy: &mut dyn Entropy) -> Result<Self> {
        let salt = entropy::bytes(entropy)?;
        Ok(SecretDigest::with_salt(secret, salt))
    }

    fn with_salt(secret: &[u8], salt: [u8; 16]) -> Self {
        let mut hasher = Blake2b256::new();
        hasher.update(salt);
        hasher.update(secret);
        SecretDigest {
            salt,
            digest: hasher.finalize().into(),
        }
    }

    /// An unsalted fingerprint (used to bind a challenge to a credential's PHC string,
    /// which is itself salted and unique).
    #[must_use]
    pub fn fingerprint(value: &[u8]) -> Self {
        SecretDigest::with_salt(value, [0; 16])
    }

    /// Constant-time check of a secret against the digest.
    #[must_use]
    pub fn matches(&self, secret: &[u8]) -> bool {
        let other = SecretDigest::with_salt(secret, self.salt);
        bool::from(self.digest.ct_eq(&other.digest))
    }

    /// The storable form, `<salt>.<digest>` in unpadded base64url.
    #[must_use]
    pub fn to_storage(&self) -> String {
        format!(
            "{}.{}",
            Base64UrlUnpadded::encode_string(&self.salt),
            Base64UrlUnpadded::encode_string(&self.digest)
        )
    }

    /// Reads the storable form back.
    ///
    /// # Errors
    /// `InternalErrorException` when the text is not a digest this crate wrote.
    pub fn from_storage(text: &str) -> Result<Self> {
        let bad = || Internal::Storage;
        let (salt, digest) = text.split_once('.').ok_or_else(bad)?;
        let salt = Base64UrlUnpadded::decode_vec(salt).map_err(|_| bad())?;
        let digest = Base64UrlUnpadded::decode_vec(digest).map_err(|_| bad())?;
        Ok(SecretDigest {
            salt: salt.try_into().map_err(|_| bad())?,
            digest: digest.try_into().map_err(|_| bad())?,
        })
    }
}

impl fmt::Debug for SecretDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretDigest(<redacted>)")
    }
}

/// Encodes random bytes as an opaque token (unpadded base64url).
pub(crate) fn encode_token(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_round_trips_and_matches_only_its_secret() {
        let mut rng = crate::testing::seeded_entropy(7);
        let d = SecretDigest::new(b"123456", &mut rng).expect("entropy");
        let back = SecretDigest::from_storage(&d.to_storage()).expect("round trip");
        assert_eq!(back, d);
        assert!(back.matches(b"123456"));
        assert!(!back.matches(b"123457"));
        assert!(SecretDigest::from_storage("not a digest").is_err());
    }
}
