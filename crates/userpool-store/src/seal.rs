//! Sealing secrets at rest (SPEC §14): an AEAD under a host-held key that is not in the
//! database, so a copy of the database without its key yields no usable secret.
//!
//! Some secrets must be read back, not merely checked: an app client's secret (to check
//! `SECRET_HASH`), a pool's token-signing key (to sign), and later SRP verifiers and TOTP
//! secrets. Those are stored **sealed**: XChaCha20-Poly1305 (RustCrypto) under a 256-bit
//! [`SealingKey`], with a random 192-bit nonce for every seal, so nonces never need
//! coordinating between processes.
//!
//! # Bound to its place
//!
//! Each sealed value is authenticated together with the [`Place`] it belongs to: a
//! [`Purpose`], the pool id and the owner's name (the client id, the key's `kid`, ...).
//! Someone who can write the database but does not hold the key cannot move a sealed value
//! to another row — say, give their own client another client's secret, or one pool
//! another's key: opening it there fails with [`SealError::Unauthentic`].
//!
//! # Format (version 1)
//!
//! ```text
//! "UPS" 0x01 | key id (8 bytes) | nonce (24 bytes) | ciphertext | tag (16 bytes)
//! ```
//!
//! The header (magic, version, key id) is part of the associated data, so it cannot be
//! altered either. Where a column holds text, the same bytes are stored as
//! `upseal1.` followed by their unpadded base64url ([`Keyring::seal_text`]). Neither form
//! can be mistaken for the plaintext older versions stored (PKCS#8 DER starts with `0x30`;
//! client secrets are alphanumeric), which is how [`is_sealed`] and [`is_sealed_text`]
//! tell a legacy plaintext row from a sealed one.
//!
//! # Rotation
//!
//! A [`Keyring`] holds every key that may have sealed a stored value, oldest first; the
//! newest seals. A value opens under whichever key its header names, and
//! [`Opened::is_current`] says whether it should be sealed again under the newest: the
//! sealing store ([`crate::SealingStore`]) does that lazily, when it reads such a value.
//! Once every value has been read (or rewritten), an old key can be dropped.
//!
//! ```
//! use userpool_store::OsRandom;
//! use userpool_store::seal::{Keyring, Place, Purpose, SealingKey};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let old = SealingKey::generate(&OsRandom)?;
//! let ring = Keyring::new(SealingKey::from_bytes(old.expose_bytes())?);
//! let place = Place::new(Purpose::ClientSecret, "us-east-1_Example", "client-id");
//! let sealed = ring.seal(&OsRandom, &place, b"the client secret")?;
//!
//! // Rotate: a new key seals; the old one still opens what it sealed.
//! let ring = ring.with_newest(SealingKey::generate(&OsRandom)?);
//! let opened = ring.open(&place, &sealed)?;
//! assert_eq!(opened.plaintext.as_slice(), b"the client secret");
//! assert!(!opened.is_current()); // due to be sealed again under the new key
//!
//! // Another row is not this value's place.
//! let elsewhere = Place::new(Purpose::ClientSecret, "us-east-1_Example", "other-client");
//! assert!(ring.open(&elsewhere, &sealed).is_err());
//! # Ok(()) }
//! ```

use base64ct::{Base64UrlUnpadded, Encoding};
use blake2::{Blake2s256, Digest};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::random::RandomSource;

/// Length of a [`SealingKey`]: 256 bits.
pub const KEY_LEN: usize = 32;

const MAGIC: [u8; 3] = *b"UPS";
const VERSION: u8 = 1;
const KEY_ID_LEN: usize = 8;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = MAGIC.len() + 1 + KEY_ID_LEN;
/// Bytes a sealed value has beyond its plaintext.
pub const OVERHEAD: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;
const TEXT_PREFIX: &str = "upseal1.";

/// What a sealed value is, part of the place it is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// An app client's secret (owner: the client id).
    ClientSecret,
    /// A pool's token-signing key (owner: the key's `kid`).
    SigningKey,
    /// A user's SRP verifier and open PASSWORD_VERIFIER challenges (owner: the user's
    /// `sub`; SPEC §15).
    SrpVerifier,
    /// A user's MFA state: TOTP secrets (verified and pending), factors, the open MFA
    /// challenge (owner: the user's `sub`; SPEC §18).
    MfaState,
    /// An identity provider's `client_secret` detail (owner: the provider name; SPEC §21).
    IdentityProviderSecret,
    /// Sign in with Apple's `private_key` detail (owner: the provider name; SPEC §21): a
    /// purpose of its own, so that no owner string can make its place another provider's
    /// `client_secret` place.
    IdentityProviderPrivateKey,
}

impl Purpose {
    /// The label bound into the associated data. Never change a published one: values
    /// sealed under it would no longer open.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::ClientSecret => "client-secret",
            Purpose::SigningKey => "signing-key",
            Purpose::SrpVerifier => "srp-verifier",
            Purpose::MfaState => "mfa-state",
            Purpose::IdentityProviderSecret => "idp-client-secret",
            Purpose::IdentityProviderPrivateKey => "idp-private-key",
        }
    }
}

/// Where a sealed value belongs: its purpose, its pool and its owner within the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// What the value is.
    pub purpose: Purpose,
    /// The pool id.
    pub pool: &'a str,
    /// The owner within the pool (client id, `kid`, user `sub`, ...).
    pub owner: &'a str,
}

impl<'a> Place<'a> {
    /// The place of a value of `purpose` owned by `owner` in `pool`.
    #[must_use]
    pub fn new(purpose: Purpose, pool: &'a str, owner: &'a str) -> Self {
        Place {
            purpose,
            pool,
            owner,
        }
    }

    /// The associated data: a domain label, each field length-prefixed (so no two places
    /// encode alike), then the sealed value's header.
    fn associated_data(&self, header: &[u8]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(64 + self.pool.len() + self.owner.len());
        aad.extend_from_slice(b"userpool seal v1\0");
        for field in [self.purpose.as_str(), self.pool, self.owner] {
            aad.extend_from_slice(&(field.len() as u64).to_be_bytes());
            aad.extend_from_slice(field.as_bytes());
        }
        aad.extend_from_slice(header);
        aad
    }
}

/// Why a value could not be sealed or opened, or a key not built. Never carries key or
/// plaintext bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// A key must be exactly [`KEY_LEN`] bytes.
    #[error("a sealing key is {expected} bytes, not {found}")]
    KeyLength {
        /// [`KEY_LEN`].
        expected: usize,
        /// What was given.
        found: usize,
    },
    /// The value was sealed under a key this keyring does not hold (another host's key,
    /// or a key file lost or replaced).
    #[error("sealed under key {0}, which this host does not hold")]
    UnknownKey(KeyId),
    /// The value is not in the sealed format (truncated, or not sealed at all).
    #[error("not a sealed value")]
    Malformed,
    /// The value does not open: altered, moved from another place, or sealed under a
    /// different key with the same id.
    #[error("the sealed value does not open here (altered, moved, or another key)")]
    Unauthentic,
    /// No randomness for a nonce or a key.
    #[error("no randomness available")]
    Randomness,
}

impl From<SealError> for userpool_core::Error {
    fn from(e: SealError) -> Self {
        userpool_core::Error::Internal(userpool_core::Internal::Backend(userpool_core::Cause::new(
            format_args!("sealed secret unusable: {e}"),
        )))
    }
}

/// A key's id: the first 8 bytes of a BLAKE2s digest of the key under a domain label. It
/// names the key in sealed values and logs without revealing it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; KEY_ID_LEN]);

impl KeyId {
    fn of(key: &[u8; KEY_LEN]) -> Self {
        let mut hasher = Blake2s256::new();
        hasher.update(b"userpool seal key id v1\0");
        hasher.update(key);
        let digest = hasher.finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        KeyId(id)
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// A 256-bit sealing key, zeroized on drop; `Debug` shows only its [`KeyId`], and there
/// is no `Display`.
#[derive(Clone)]
pub struct SealingKey {
    id: KeyId,
    bytes: Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl SealingKey {
    /// A key from its bytes (a key file's, or an environment variable's once decoded).
    ///
    /// # Errors
    /// [`SealError::KeyLength`] unless `bytes` is exactly [`KEY_LEN`] long.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if bytes.len() != KEY_LEN {
            return Err(SealError::KeyLength {
                expected: KEY_LEN,
                found: bytes.len(),
            });
        }
        key.copy_from_slice(bytes);
        Ok(SealingKey {
            id: KeyId::of(&key),
            bytes: key,
        })
    }

    /// A fresh random key.
    ///
    /// # Errors
    /// [`SealError::Randomness`] when `random` fails.
    pub fn generate(random: &dyn RandomSource) -> Result<Self, SealError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random
            .fill(key.as_mut_slice())
            .map_err(|_| SealError::Randomness)?;
        Ok(SealingKey {
            id: KeyId::of(&key),
            bytes: key,
        })
    }

    /// The key's id.
    #[must_use]
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The key's bytes, to write a new key file. Handle as the key itself.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.bytes).into())
    }
}

/// A value opened by [`Keyring::open`].
pub struct Opened {
    /// The plaintext, zeroized on drop.
    pub plaintext: Zeroizing<Vec<u8>>,
    current: bool,
}

impl Opened {
    /// Whether the value was sealed under the keyring's newest key. When not, it should be
    /// sealed again (lazily, by whoever holds the row).
    #[must_use]
    pub fn is_current(&self) -> bool {
        self.current
    }
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("plaintext", &"<redacted>")
            .field("current", &self.current)
            .finish()
    }
}

/// The keys a host holds, oldest first; the newest seals, every one opens. See the
/// [module documentation](self) for rotation.
#[derive(Clone, Debug)]
pub struct Keyring {
    /// The key that seals.
    newest: SealingKey,
    /// Keys that only open, oldest first.
    older: Vec<SealingKey>,
}

impl Keyring {
    /// A keyring of one key.
    #[must_use]
    pub fn new(key: SealingKey) -> Self {
        Keyring {
            newest: key,
            older: Vec::new(),
        }
    }

    /// This keyring with `key` added as the newest (it seals from now on; the others still
    /// open). Adding a key already held makes it the newest.
    #[must_use]
    pub fn with_newest(self, key: SealingKey) -> Self {
        let Keyring { newest, mut older } = self;
        older.push(newest);
        older.retain(|k| k.id != key.id);
        Keyring { newest: key, older }
    }

    /// A keyring of `keys`, oldest first (the last seals); `None` when `keys` is empty.
    #[must_use]
    pub fn from_keys(keys: impl IntoIterator<Item = SealingKey>) -> Option<Self> {
        let mut keys = keys.into_iter();
        let first = keys.next()?;
        Some(keys.fold(Keyring::new(first), Keyring::with_newest))
    }

    fn newest(&self) -> &SealingKey {
        &self.newest
    }

    /// The newest key, for a host deriving other keys from it (the server derives the key
    /// of simulated SRP challenges, SPEC §15). Never store or log it.
    #[must_use]
    pub fn newest_key(&self) -> &SealingKey {
        self.newest()
    }

    fn keys(&self) -> impl Iterator<Item = &SealingKey> {
        self.older.iter().chain(std::iter::once(&self.newest))
    }

    /// The id of the key that seals.
    #[must_use]
    pub fn newest_id(&self) -> KeyId {
        self.newest().id
    }

    /// The ids of every key held, oldest first.
    #[must_use]
    pub fn ids(&self) -> Vec<KeyId> {
        self.keys().map(|k| k.id).collect()
    }

    /// Seals `plaintext` for `place` under the newest key, with a fresh random nonce.
    ///
    /// # Errors
    /// [`SealError::Randomness`] when `random` fails.
    pub fn seal(
        &self,
        random: &dyn RandomSource,
        place: &Place<'_>,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, SealError> {
        let key = self.newest();
        let mut nonce = [0u8; NONCE_LEN];
        random.fill(&mut nonce).map_err(|_| SealError::Randomness)?;
        let mut out = Vec::with_capacity(OVERHEAD + plaintext.len());
        out.extend_from_slice(&MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&key.id.0);
        let aad = place.associated_data(&out);
        let sealed = key
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            // XChaCha20-Poly1305 fails only past 256 GiB of plaintext.
            .map_err(|_| SealError::Malformed)?;
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a value sealed for `place`.
    ///
    /// # Errors
    /// [`SealError::Malformed`] when `sealed` is not in the format, [`SealError::UnknownKey`]
    /// when no key held has its key id, [`SealError::Unauthentic`] when it does not open
    /// (altered, sealed for another place, or under another key).
    pub fn open(&self, place: &Place<'_>, sealed: &[u8]) -> Result<Opened, SealError> {
        if sealed.len() < OVERHEAD || !is_sealed(sealed) || sealed[MAGIC.len()] != VERSION {
            return Err(SealError::Malformed);
        }
        let (header, rest) = sealed.split_at(HEADER_LEN);
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&header[MAGIC.len() + 1..]);
        let id = KeyId(id);
        let key = self
            .keys()
            .find(|k| k.id == id)
            .ok_or(SealError::UnknownKey(id))?;
        let mut nonce_bytes = [0u8; NONCE_LEN];
        nonce_bytes.copy_from_slice(nonce);
        let aad = place.associated_data(header);
        let plaintext = key
            .cipher()
            .decrypt(
                &XNonce::from(nonce_bytes),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Unauthentic)?;
        Ok(Opened {
            plaintext: Zeroizing::new(plaintext),
            current: id == self.newest().id,
        })
    }

    /// [`Keyring::seal`] for a text column: `upseal1.` and the sealed bytes in unpadded
    /// base64url.
    ///
    /// # Errors
    /// As [`Keyring::seal`].
    pub fn seal_text(
        &self,
        random: &dyn RandomSource,
        place: &Place<'_>,
        plaintext: &[u8],
    ) -> Result<String, SealError> {
        let sealed = self.seal(random, place, plaintext)?;
        Ok(format!(
            "{TEXT_PREFIX}{}",
            Base64UrlUnpadded::encode_string(&sealed)
        ))
    }

    /// Opens a value sealed by [`Keyring::seal_text`].
    ///
    /// # Errors
    /// As [`Keyring::open`]; [`SealError::Malformed`] also for text that is not
    /// `upseal1.` and base64url.
    pub fn open_text(&self, place: &Place<'_>, sealed: &str) -> Result<Opened, SealError> {
        let encoded = sealed
            .strip_prefix(TEXT_PREFIX)
            .ok_or(SealError::Malformed)?;
        let bytes = Base64UrlUnpadded::decode_vec(encoded).map_err(|_| SealError::Malformed)?;
        self.open(place, &bytes)
    }
}

/// Whether `value` is in the sealed format (rather than a legacy plaintext value).
#[must_use]
pub fn is_sealed(value: &[u8]) -> bool {
    value.starts_with(&MAGIC)
}

/// Whether `value` is in the sealed text format (rather than a legacy plaintext value).
#[must_use]
pub fn is_sealed_text(value: &str) -> bool {
    value.starts_with(TEXT_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsRandom;

    fn key(byte: u8) -> SealingKey {
        SealingKey::from_bytes(&[byte; KEY_LEN]).expect("32 bytes")
    }

    const HERE: Place<'static> = Place {
        purpose: Purpose::ClientSecret,
        pool: "us-east-1_abc",
        owner: "client-1",
    };

    #[test]
    fn a_sealed_value_opens_for_its_place_only() {
        let ring = Keyring::new(key(1));
        let sealed = ring.seal(&OsRandom, &HERE, b"s3cret").expect("seal");
        assert_eq!(sealed.len(), OVERHEAD + 6);
        assert!(!contains(&sealed, b"s3cret"));
        let opened = ring.open(&HERE, &sealed).expect("open");
        assert_eq!(opened.plaintext.as_slice(), b"s3cret");
        assert!(opened.is_current());
        let moved = [
            Place::new(Purpose::ClientSecret, "us-east-1_abc", "client-2"),
            Place::new(Purpose::ClientSecret, "us-east-1_xyz", "client-1"),
            Place::new(Purpose::SigningKey, "us-east-1_abc", "client-1"),
            // Length prefixes: moving characters between fields is another place.
            Place::new(Purpose::ClientSecret, "us-east-1_ab", "cclient-1"),
        ];
        for place in moved {
            assert_eq!(
                ring.open(&place, &sealed).err(),
                Some(SealError::Unauthentic),
                "{place:?}"
            );
        }
    }

    #[test]
    fn sealing_twice_gives_two_different_values() {
        let ring = Keyring::new(key(1));
        let a = ring.seal(&OsRandom, &HERE, b"same").expect("seal");
        let b = ring.seal(&OsRandom, &HERE, b"same").expect("seal");
        assert_ne!(a, b, "a fresh nonce every time");
    }

    #[test]
    fn another_key_gives_a_typed_error_never_plaintext() {
        let sealed = Keyring::new(key(1))
            .seal(&OsRandom, &HERE, b"s3cret")
            .expect("seal");
        let other = Keyring::new(key(2));
        assert_eq!(
            other.open(&HERE, &sealed).err(),
            Some(SealError::UnknownKey(key(1).id()))
        );
        // A forged header naming the other key's id still does not open.
        let mut forged = sealed.clone();
        forged[4..12].copy_from_slice(&key(2).id().0);
        assert_eq!(
            other.open(&HERE, &forged).err(),
            Some(SealError::Unauthentic)
        );
    }

    #[test]
    fn any_altered_byte_is_refused() {
        let ring = Keyring::new(key(1));
        let sealed = ring.seal(&OsRandom, &HERE, b"s3cret").expect("seal");
        for i in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[i] ^= 0x01;
            assert!(ring.open(&HERE, &altered).is_err(), "byte {i}");
        }
        for len in 0..sealed.len() {
            assert!(
                ring.open(&HERE, &sealed[..len]).is_err(),
                "truncated to {len}"
            );
        }
    }

    #[test]
    fn rotation_opens_old_values_and_seals_under_the_newest() {
        let ring = Keyring::new(key(1));
        let old = ring.seal(&OsRandom, &HERE, b"s3cret").expect("seal");
        let ring = ring.with_newest(key(2));
        assert_eq!(ring.newest_id(), key(2).id());
        assert_eq!(ring.ids(), vec![key(1).id(), key(2).id()]);
        let opened = ring.open(&HERE, &old).expect("old key still opens");
        assert_eq!(opened.plaintext.as_slice(), b"s3cret");
        assert!(!opened.is_current());
        let new = ring.seal(&OsRandom, &HERE, b"s3cret").expect("seal");
        assert!(ring.open(&HERE, &new).expect("open").is_current());
        assert!(
            Keyring::new(key(1)).open(&HERE, &new).is_err(),
            "the old key alone cannot open what the new one sealed"
        );
        let from_list = Keyring::from_keys([key(1), key(2)]).expect("non-empty");
        assert_eq!(from_list.newest_id(), key(2).id());
        assert!(Keyring::from_keys([]).is_none());
    }

    #[test]
    fn text_form_round_trips_and_is_told_from_plaintext() {
        let ring = Keyring::new(key(1));
        let text = ring.seal_text(&OsRandom, &HERE, b"s3cret").expect("seal");
        assert!(is_sealed_text(&text));
        assert!(!is_sealed_text(
            "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop"
        ));
        assert_eq!(
            ring.open_text(&HERE, &text)
                .expect("open")
                .plaintext
                .as_slice(),
            b"s3cret"
        );
        assert_eq!(
            ring.open_text(&HERE, "upseal1.!!!").err(),
            Some(SealError::Malformed)
        );
        assert!(!is_sealed(&[0x30, 0x82, 0x04]), "PKCS#8 DER is plaintext");
    }

    #[test]
    fn keys_have_one_length_and_never_show_their_bytes() {
        assert_eq!(
            SealingKey::from_bytes(&[0u8; 31]).err(),
            Some(SealError::KeyLength {
                expected: 32,
                found: 31
            })
        );
        let shown = format!("{:?} {:?}", key(0xAB), Keyring::new(key(0xAB)));
        assert!(
            !shown.contains("171, 171") && !shown.contains("[171"),
            "{shown}"
        );
        let generated = SealingKey::generate(&OsRandom).expect("key");
        assert_ne!(generated.expose_bytes(), &[0u8; KEY_LEN]);
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }
}
