//! Refresh tokens: 32 random bytes, handed out base64url-encoded and kept only as a digest.
//!
//! **Why a plain digest and not a password hash:** a refresh token carries 256 bits of
//! randomness, so nobody can guess it or brute-force a leaked digest; a slow, salted hash
//! (argon2) exists to protect *low-entropy* secrets and would only add latency. An unsalted
//! digest also lets the store look the session up by the digest alone
//! ([`userpool_store::TokenStore::find_token_session_by_refresh`]), so the token is never
//! compared byte by byte against anything, and a stolen database holds nothing a client
//! could replay.

use base64ct::{Base64UrlUnpadded, Encoding};
use blake2::{Blake2b256, Digest};
use userpool_store::RandomSource;
use zeroize::Zeroizing;

use userpool_core::Error;

use super::internal;

/// Bytes of randomness in a refresh token (256 bits).
const REFRESH_TOKEN_BYTES: usize = 32;

/// A domain-separation prefix, so the digest of a refresh token can never equal a digest
/// some other part of the system computes over the same bytes.
const DIGEST_CONTEXT: &[u8] = b"userpool refresh token v1\0";

/// A fresh refresh token (base64url, 43 characters) and the digest the store keeps.
pub(super) fn new_refresh_token(
    random: &dyn RandomSource,
) -> Result<(Zeroizing<String>, [u8; 32]), Error> {
    let mut bytes = Zeroizing::new([0u8; REFRESH_TOKEN_BYTES]);
    random
        .fill(bytes.as_mut_slice())
        .map_err(|e| internal(format!("no randomness for a refresh token: {e}")))?;
    let token = Zeroizing::new(Base64UrlUnpadded::encode_string(bytes.as_slice()));
    let digest = refresh_digest(&token);
    Ok((token, digest))
}

/// Another domain, for authorization codes (SPEC §21): a code's digest never equals a
/// refresh token's.
const CODE_CONTEXT: &[u8] = b"userpool authorization code v1\0";

/// A fresh authorization code (base64url, 43 characters) and the digest the store keeps.
pub(super) fn new_code(random: &dyn RandomSource) -> Result<(Zeroizing<String>, [u8; 32]), Error> {
    let mut bytes = Zeroizing::new([0u8; REFRESH_TOKEN_BYTES]);
    random
        .fill(bytes.as_mut_slice())
        .map_err(|e| internal(format!("no randomness for an authorization code: {e}")))?;
    let code = Zeroizing::new(Base64UrlUnpadded::encode_string(bytes.as_slice()));
    let digest = code_digest(&code);
    Ok((code, digest))
}

/// The digest under which the authorization code `code` is stored. Total, as
/// [`refresh_digest`].
pub(super) fn code_digest(code: &str) -> [u8; 32] {
    let mut hasher = Blake2b256::new();
    hasher.update(CODE_CONTEXT);
    hasher.update(code.as_bytes());
    hasher.finalize().into()
}

/// The digest under which the session of `token` is stored. Total: any string, however
/// malformed, has a digest (and garbage simply finds no session).
pub(super) fn refresh_digest(token: &str) -> [u8; 32] {
    let mut hasher = Blake2b256::new();
    hasher.update(DIGEST_CONTEXT);
    hasher.update(token.as_bytes());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use userpool::OsRandom;

    #[test]
    fn refresh_tokens_are_43_url_safe_characters_and_differ() {
        let (a, da) = new_refresh_token(&OsRandom).expect("token");
        let (b, db) = new_refresh_token(&OsRandom).expect("token");
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(*a, *b);
        assert_ne!(da, db);
        assert_eq!(
            refresh_digest(&a),
            da,
            "the digest is a function of the token"
        );
    }
}
