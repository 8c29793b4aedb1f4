//! Fixtures the stores' own tests share (SPEC §14): distinctive secrets a test can look for
//! in a database's bytes, and the records and keyrings that carry them. Exported so each
//! store's tests use these instead of copies.

use chrono::DateTime;
use userpool_core::UserPoolId;
use zeroize::Zeroizing;

use crate::pool::ClientRecord;
use crate::seal::{self, Keyring, SealingKey};
use crate::tokens::SigningKey;

/// A distinctive app-client secret: 52 characters, as the service generates them.
pub const SECRET: &str = "zqxjkvbwplmnhgfdsazqxjkvbwplmnhgfdsazqxjkvbwplmnhgfd";

/// Distinctive signing-key bytes (not a real key: no store parses them), 1200 of them, so
/// that any 64-byte window of them is unmistakable in a file.
#[must_use]
pub fn key_bytes() -> Vec<u8> {
    b"KEY-BYTES-PLUGH-"
        .iter()
        .copied()
        .cycle()
        .take(1200)
        .collect()
}

/// A signing key made of [`key_bytes`].
#[must_use]
pub fn signing_key() -> SigningKey {
    SigningKey {
        kid: "kid-1".into(),
        private_der: Zeroizing::new(key_bytes()),
        created_at: DateTime::UNIX_EPOCH,
    }
}

/// A password-flow app client of `pool` with the client secret `secret`.
#[must_use]
pub fn client_with_secret(pool: UserPoolId, client_id: &str, secret: &str) -> ClientRecord {
    ClientRecord {
        pool_id: pool,
        client_id: client_id.into(),
        name: "web".into(),
        secret: Some(secret.into()),
        explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
        prevent_user_existence_errors: false,
        created_at: DateTime::UNIX_EPOCH,
        modified_at: DateTime::UNIX_EPOCH,
        oauth: crate::oauth::ClientOAuth::default(),
    }
}

/// A keyring of one key, every byte `byte`: two hosts with different bytes cannot open
/// each other's sealed values.
#[must_use]
pub fn keyring(byte: u8) -> Keyring {
    // invariant: the key is exactly `seal::KEY_LEN` bytes, all `from_bytes` checks.
    Keyring::new(SealingKey::from_bytes(&[byte; seal::KEY_LEN]).expect("32 bytes"))
}
