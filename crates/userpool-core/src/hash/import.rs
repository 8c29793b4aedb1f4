//! Password hashes made by another system, kept until the user's first sign-in (SPEC §19).
//!
//! Cognito cannot import password hashes; this library can. An imported hash is verified with
//! its own algorithm, and the first successful sign-in replaces it with the pool's argon2id
//! (see [`crate::signin::sign_in`]). Accepted forms:
//!
//! | scheme | forms |
//! |---|---|
//! | argon2id, argon2i | PHC: `$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>` (argon2-cffi, the reference CLI, passlib) |
//! | bcrypt | `$2a$`, `$2b$`, `$2y$` + cost + 22 + 31 characters (OpenBSD, Python's `bcrypt`, PHP) |
//! | scrypt | PHC: `$scrypt$ln=16,r=8,p=1$<salt>$<hash>` (RustCrypto; passlib's adapted base64 too) |
//! | PBKDF2-SHA256, PBKDF2-SHA512 | PHC `$pbkdf2-sha256$i=600000,l=32$<salt>$<hash>`; passlib's `$pbkdf2-sha256$29000$<salt>$<hash>`; Django's `pbkdf2_sha256$870000$<salt>$<hash>` |
//!
//! **Parameters are untrusted input.** Each scheme's cost is checked against an
//! [`ImportCeiling`] (argon2 against the hasher's [`HashParams`] ceiling) while parsing,
//! before a byte of working memory is allocated or an iteration is run: an import cannot buy a
//! 4 GiB or 10⁹-iteration verification. Parsing is total: any string gets a hash or an
//! [`ImportHashError`], never a panic.
//!
//! Not supported **(decision)**: `$2x$` (the buggy pre-2011 bcrypt), argon2d, PBKDF2-SHA1,
//! scrypt's `$7$` modular-crypt form, bcrypt strings whose base64 carries non-zero padding
//! bits (no common generator writes them). The primitives are the maintained crates'
//! (`argon2`, `bcrypt`, `scrypt`, `pbkdf2`); only the string layouts are read here, with
//! `base64ct`'s decoders. scrypt's working memory is the `scrypt` crate's own allocation and
//! is freed without being wiped (it holds no more than the derived key's intermediate state).

use std::fmt;

use argon2::{Algorithm, Argon2, Version};
use base64ct::{Base64, Base64Bcrypt, Base64Unpadded, Encoding};
use password_hash::phc;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::HashParams;
use crate::error::{Error, Internal, Result};
use crate::input::Password;
use crate::memory::WorkingMemory;

/// The longest hash string an import accepts, in bytes.
pub const MAX_IMPORTED_HASH_LEN: usize = 512;

/// How a stored imported hash is told apart from the pool's own argon2id (which it may look
/// like: an imported argon2id was made without the pool's pepper and output length).
pub(crate) const STORAGE_PREFIX: &str = "import:";

const MAX_SALT_LEN: usize = 64;
const MAX_OUTPUT_LEN: usize = 64;
const MIN_OUTPUT_LEN: usize = 16;

/// Cost ceilings for imported bcrypt, scrypt and PBKDF2 hashes (argon2 imports use the
/// hasher's [`HashParams`] ceiling). A hash above any of them is refused at import and, should
/// the ceiling be lowered later, at verification, never computed.
///
/// Every value is a coherent ceiling (a lower one refuses more), so the fields are public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImportCeiling {
    /// Highest bcrypt cost (log₂ of the rounds). Default 14 (about a second).
    pub bcrypt_cost: u32,
    /// Most PBKDF2 iterations. Default 1 500 000 (above Django 6.0's 1 200 000 and OWASP's 600 000).
    pub pbkdf2_iterations: u32,
    /// Most scrypt memory (128 · r · (N + p) bytes, what the `scrypt` crate allocates), in
    /// KiB. Default 262 144 (256 MiB), the argon2 default ceiling's.
    pub scrypt_memory_kib: u32,
    /// Highest scrypt parallelism `p` (each lane repeats the whole work). Default 16.
    pub scrypt_p: u32,
}

impl ImportCeiling {
    /// The defaults described on each field.
    pub const DEFAULT: ImportCeiling = ImportCeiling {
        bcrypt_cost: 14,
        pbkdf2_iterations: 1_500_000,
        scrypt_memory_kib: 262_144,
        scrypt_p: 16,
    };
}

impl Default for ImportCeiling {
    fn default() -> Self {
        ImportCeiling::DEFAULT
    }
}

/// Why a hash cannot be imported. The message names the scheme and the part at fault, never
/// the hash itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportHashError {
    /// The string is empty.
    #[error("the password hash is empty")]
    Empty,
    /// The string is longer than [`MAX_IMPORTED_HASH_LEN`].
    #[error("the password hash is longer than 512 characters")]
    TooLong,
    /// No supported scheme has this prefix.
    #[error("the password hash's algorithm is not supported")]
    UnknownAlgorithm,
    /// The scheme is known but the string does not follow its layout.
    #[error("the {scheme} password hash is malformed: {part}")]
    Malformed {
        /// The scheme the prefix named.
        scheme: &'static str,
        /// What is wrong.
        part: &'static str,
    },
    /// A cost parameter is above the ceiling.
    #[error("the {scheme} password hash's {parameter} is above the ceiling of {ceiling}")]
    OverCeiling {
        /// The scheme.
        scheme: &'static str,
        /// The parameter (`cost`, `iterations`, `memory (KiB)`, ...).
        parameter: &'static str,
        /// The ceiling it broke.
        ceiling: u64,
    },
}

impl From<ImportHashError> for Error {
    fn from(e: ImportHashError) -> Self {
        Error::InvalidParameterMessage(format!("Invalid password hash: {e}."))
    }
}

/// The argon2 variants an import accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Argon2Variant {
    /// argon2i.
    Argon2i,
    /// argon2id.
    Argon2id,
}

/// The digests PBKDF2 imports accept (HMAC-SHA256, HMAC-SHA512).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pbkdf2Digest {
    /// PBKDF2-HMAC-SHA256.
    Sha256,
    /// PBKDF2-HMAC-SHA512.
    Sha512,
}

/// An imported hash's algorithm and cost, as parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImportedScheme {
    /// argon2i or argon2id, version 0x10 or 0x13.
    Argon2 {
        /// Which variant.
        variant: Argon2Variant,
        /// 0x10 or 0x13.
        version: u32,
        /// Memory, passes, lanes.
        params: HashParams,
    },
    /// bcrypt (`$2a$`, `$2b$`, `$2y$`, all computed alike for passwords up to 72 bytes).
    Bcrypt {
        /// log₂ of the rounds, 4..=31.
        cost: u32,
    },
    /// scrypt.
    Scrypt {
        /// log₂ N.
        log_n: u8,
        /// Block size.
        r: u32,
        /// Parallelism.
        p: u32,
    },
    /// PBKDF2 with an HMAC.
    Pbkdf2 {
        /// The HMAC's digest.
        digest: Pbkdf2Digest,
        /// Iterations.
        iterations: u32,
    },
}

impl ImportedScheme {
    /// A short name for logs and errors (`bcrypt`, `pbkdf2-sha256`, ...).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            ImportedScheme::Argon2 {
                variant: Argon2Variant::Argon2i,
                ..
            } => "argon2i",
            ImportedScheme::Argon2 {
                variant: Argon2Variant::Argon2id,
                ..
            } => "argon2id",
            ImportedScheme::Bcrypt { .. } => "bcrypt",
            ImportedScheme::Scrypt { .. } => "scrypt",
            ImportedScheme::Pbkdf2 {
                digest: Pbkdf2Digest::Sha256,
                ..
            } => "pbkdf2-sha256",
            ImportedScheme::Pbkdf2 {
                digest: Pbkdf2Digest::Sha512,
                ..
            } => "pbkdf2-sha512",
        }
    }
}

/// A parsed foreign hash: its scheme, salt and expected output. `Debug` shows the scheme only.
#[derive(Clone, PartialEq, Eq)]
pub struct ImportedHash {
    scheme: ImportedScheme,
    salt: Vec<u8>,
    expected: Vec<u8>,
}

impl fmt::Debug for ImportedHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ImportedHash({:?}, <redacted>)", self.scheme)
    }
}

fn malformed(scheme: &'static str, part: &'static str) -> ImportHashError {
    ImportHashError::Malformed { scheme, part }
}

fn over(scheme: &'static str, parameter: &'static str, ceiling: u64) -> ImportHashError {
    ImportHashError::OverCeiling {
        scheme,
        parameter,
        ceiling,
    }
}

/// Standard base64 without padding, also accepting passlib's adapted alphabet (`.` for `+`).
fn decode_phc_b64(
    scheme: &'static str,
    part: &'static str,
    text: &str,
) -> Result<Vec<u8>, ImportHashError> {
    let normalised: String = text
        .chars()
        .map(|c| if c == '.' { '+' } else { c })
        .collect();
    Base64Unpadded::decode_vec(&normalised).map_err(|_| malformed(scheme, part))
}

fn bounded(
    scheme: &'static str,
    salt: Vec<u8>,
    expected: Vec<u8>,
) -> Result<(Vec<u8>, Vec<u8>), ImportHashError> {
    if salt.is_empty() || salt.len() > MAX_SALT_LEN {
        return Err(malformed(scheme, "salt length"));
    }
    if !(MIN_OUTPUT_LEN..=MAX_OUTPUT_LEN).contains(&expected.len()) {
        return Err(malformed(scheme, "hash length"));
    }
    Ok((salt, expected))
}

fn decimal(scheme: &'static str, part: &'static str, text: &str) -> Result<u32, ImportHashError> {
    // `u32::from_str` takes a leading `+`; hash layouts never write one.
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(scheme, part));
    }
    text.parse().map_err(|_| malformed(scheme, part))
}

impl ImportedHash {
    /// Parses a foreign hash and checks its cost against the ceilings, before any work.
    ///
    /// # Errors
    /// [`ImportHashError`] for an empty or oversized string, an unsupported algorithm, a
    /// malformed layout, or a cost above a ceiling.
    pub fn parse(
        encoded: &str,
        argon2_ceiling: &HashParams,
        ceiling: &ImportCeiling,
    ) -> Result<Self, ImportHashError> {
        if encoded.is_empty() {
            return Err(ImportHashError::Empty);
        }
        if encoded.len() > MAX_IMPORTED_HASH_LEN {
            return Err(ImportHashError::TooLong);
        }
        if encoded.starts_with("$argon2id$") || encoded.starts_with("$argon2i$") {
            parse_argon2(encoded, argon2_ceiling)
        } else if encoded.starts_with("$2a$")
            || encoded.starts_with("$2b$")
            || encoded.starts_with("$2y$")
        {
            parse_bcrypt(encoded, ceiling)
        } else if encoded.starts_with("$scrypt$") {
            parse_scrypt(encoded, ceiling)
        } else if let Some(rest) = encoded.strip_prefix("$pbkdf2-sha256$") {
            parse_pbkdf2_dollar(rest, Pbkdf2Digest::Sha256, ceiling)
        } else if let Some(rest) = encoded.strip_prefix("$pbkdf2-sha512$") {
            parse_pbkdf2_dollar(rest, Pbkdf2Digest::Sha512, ceiling)
        } else if let Some(rest) = encoded.strip_prefix("pbkdf2_sha256$") {
            parse_django(rest, ceiling)
        } else {
            Err(ImportHashError::UnknownAlgorithm)
        }
    }

    /// The scheme and its cost.
    #[must_use]
    pub fn scheme(&self) -> ImportedScheme {
        self.scheme
    }

    /// Checks the ceilings again (they may have been lowered since the import).
    fn within(&self, argon2_ceiling: &HashParams, ceiling: &ImportCeiling) -> bool {
        match self.scheme {
            ImportedScheme::Argon2 { params, .. } => params.within(argon2_ceiling),
            ImportedScheme::Bcrypt { cost } => cost <= ceiling.bcrypt_cost,
            ImportedScheme::Scrypt { log_n, r, p } => scrypt_within(log_n, r, p, ceiling).is_ok(),
            ImportedScheme::Pbkdf2 { iterations, .. } => iterations <= ceiling.pbkdf2_iterations,
        }
    }

    /// Verifies `password` with the hash's own algorithm, comparing in constant time.
    pub(crate) fn verify(
        &self,
        password: &Password,
        argon2_ceiling: &HashParams,
        ceiling: &ImportCeiling,
        memory: &mut WorkingMemory,
    ) -> Result<bool> {
        if !self.within(argon2_ceiling, ceiling) {
            return Err(Internal::StoredHashOverCeiling.into());
        }
        let secret = password.expose().as_bytes();
        fn failed<E>(_: E) -> Error {
            Error::Internal(Internal::HashingFailed)
        }
        let mut out = Zeroizing::new(vec![0u8; self.expected.len()]);
        match self.scheme {
            ImportedScheme::Argon2 {
                variant,
                version,
                params,
            } => {
                let algorithm = match variant {
                    Argon2Variant::Argon2i => Algorithm::Argon2i,
                    Argon2Variant::Argon2id => Algorithm::Argon2id,
                };
                let version = if version == 0x10 {
                    Version::V0x10
                } else {
                    Version::V0x13
                };
                let argon_params =
                    argon2::Params::new(params.m_kib(), params.t(), params.p(), Some(out.len()))
                        .map_err(failed)?;
                let blocks = argon_params.block_count();
                Argon2::new(algorithm, version, argon_params)
                    .hash_password_into_with_memory(
                        secret,
                        &self.salt,
                        &mut out[..],
                        memory.blocks(blocks),
                    )
                    .map_err(failed)?;
            }
            ImportedScheme::Bcrypt { cost } => {
                // bcrypt hashes the NUL-terminated password, cut at 72 bytes (as the bcrypt
                // crate's own `hash` does): the raw function takes the prepared key.
                let mut key = Zeroizing::new([0u8; 72]);
                let copied = secret.len().min(72);
                key[..copied].copy_from_slice(&secret[..copied]);
                let used = (copied + 1).min(72);
                let salt: [u8; 16] = self
                    .salt
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::Internal(Internal::MalformedStoredHash))?;
                // invariant: parsing bounds cost to 4..=31 and `used` is 1..=72, the raw
                // function's preconditions.
                let raw = Zeroizing::new(bcrypt::bcrypt(cost, salt, &key[..used]));
                let n = out.len();
                out.copy_from_slice(raw.get(..n).ok_or(Internal::MalformedStoredHash)?);
            }
            ImportedScheme::Scrypt { log_n, r, p } => {
                let params = scrypt::Params::new(log_n, r, p).map_err(failed)?;
                scrypt::scrypt(secret, &self.salt, &params, &mut out[..]).map_err(failed)?;
            }
            ImportedScheme::Pbkdf2 { digest, iterations } => match digest {
                Pbkdf2Digest::Sha256 => {
                    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, &self.salt, iterations, &mut out);
                }
                Pbkdf2Digest::Sha512 => {
                    pbkdf2::pbkdf2_hmac::<sha2::Sha512>(secret, &self.salt, iterations, &mut out);
                }
            },
        }
        Ok(bool::from(out[..].ct_eq(&self.expected)))
    }
}

fn parse_argon2(
    encoded: &str,
    argon2_ceiling: &HashParams,
) -> Result<ImportedHash, ImportHashError> {
    let scheme = if encoded.starts_with("$argon2id$") {
        "argon2id"
    } else {
        "argon2i"
    };
    let parsed = phc::PasswordHash::new(encoded).map_err(|_| malformed(scheme, "PHC layout"))?;
    let variant = match parsed.algorithm.as_str() {
        "argon2id" => Argon2Variant::Argon2id,
        "argon2i" => Argon2Variant::Argon2i,
        _ => return Err(ImportHashError::UnknownAlgorithm),
    };
    // PHC: an absent version means 0x10.
    let version = parsed.version.unwrap_or(0x10);
    if version != 0x10 && version != 0x13 {
        return Err(malformed(scheme, "version"));
    }
    let mut m = None;
    let mut t = None;
    let mut p = None;
    for (name, value) in parsed.params.iter() {
        let slot = match name.as_str() {
            "m" => &mut m,
            "t" => &mut t,
            "p" => &mut p,
            // keyid and data need inputs an import cannot carry.
            _ => return Err(malformed(scheme, "parameters")),
        };
        let value = value
            .decimal()
            .map_err(|_| malformed(scheme, "parameters"))?;
        *slot = Some(value);
    }
    let (Some(m), Some(t), Some(p)) = (m, t, p) else {
        return Err(malformed(scheme, "parameters"));
    };
    if m > argon2_ceiling.m_kib() {
        return Err(over(scheme, "memory (KiB)", argon2_ceiling.m_kib().into()));
    }
    if t > argon2_ceiling.t() {
        return Err(over(scheme, "passes", argon2_ceiling.t().into()));
    }
    if p > argon2_ceiling.p() {
        return Err(over(scheme, "lanes", argon2_ceiling.p().into()));
    }
    let params = HashParams::new(m, t, p).map_err(|_| malformed(scheme, "parameters"))?;
    let salt = parsed
        .salt
        .map(|s| s.as_ref().to_vec())
        .ok_or_else(|| malformed(scheme, "salt"))?;
    let expected = parsed
        .hash
        .map(|h| h.as_bytes().to_vec())
        .ok_or_else(|| malformed(scheme, "hash"))?;
    if salt.len() < 8 {
        return Err(malformed(scheme, "salt length"));
    }
    let (salt, expected) = bounded(scheme, salt, expected)?;
    Ok(ImportedHash {
        scheme: ImportedScheme::Argon2 {
            variant,
            version,
            params,
        },
        salt,
        expected,
    })
}

fn parse_bcrypt(encoded: &str, ceiling: &ImportCeiling) -> Result<ImportedHash, ImportHashError> {
    const SCHEME: &str = "bcrypt";
    // `$2b$12$` + 22 characters of salt + 31 of hash.
    if encoded.len() != 60 || !encoded.is_ascii() {
        return Err(malformed(SCHEME, "length"));
    }
    let (cost, rest) = (&encoded[4..6], &encoded[6..]);
    let Some(body) = rest.strip_prefix('$') else {
        return Err(malformed(SCHEME, "cost"));
    };
    let cost = decimal(SCHEME, "cost", cost)?;
    if !(4..=31).contains(&cost) {
        return Err(malformed(SCHEME, "cost"));
    }
    if cost > ceiling.bcrypt_cost {
        return Err(over(SCHEME, "cost", ceiling.bcrypt_cost.into()));
    }
    let salt = Base64Bcrypt::decode_vec(&body[..22]).map_err(|_| malformed(SCHEME, "salt"))?;
    let expected = Base64Bcrypt::decode_vec(&body[22..]).map_err(|_| malformed(SCHEME, "hash"))?;
    if salt.len() != 16 || expected.len() != 23 {
        return Err(malformed(SCHEME, "salt or hash length"));
    }
    Ok(ImportedHash {
        scheme: ImportedScheme::Bcrypt { cost },
        salt,
        expected,
    })
}

fn scrypt_within(
    log_n: u8,
    r: u32,
    p: u32,
    ceiling: &ImportCeiling,
) -> Result<(), ImportHashError> {
    const SCHEME: &str = "scrypt";
    if p > ceiling.scrypt_p {
        return Err(over(SCHEME, "parallelism", ceiling.scrypt_p.into()));
    }
    // The scrypt crate allocates 128 · r · N bytes for V and 128 · r · p for B:
    // r · (N + p) / 8 KiB, computed without overflow.
    let memory_kib = 1u128.checked_shl(u32::from(log_n)).map_or(u128::MAX, |n| {
        n.saturating_add(u128::from(p))
            .saturating_mul(u128::from(r))
            / 8
    });
    if memory_kib > u128::from(ceiling.scrypt_memory_kib) {
        return Err(over(
            SCHEME,
            "memory (KiB)",
            ceiling.scrypt_memory_kib.into(),
        ));
    }
    Ok(())
}

fn parse_scrypt(encoded: &str, ceiling: &ImportCeiling) -> Result<ImportedHash, ImportHashError> {
    const SCHEME: &str = "scrypt";
    // `$scrypt$ln=..,r=..,p=..$salt$hash`
    let fields: Vec<&str> = encoded.split('$').collect();
    let ["", "scrypt", params, salt, hash] = fields.as_slice() else {
        return Err(malformed(SCHEME, "layout"));
    };
    let mut ln = None;
    let mut r = None;
    let mut p = None;
    for pair in params.split(',') {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| malformed(SCHEME, "parameters"))?;
        let slot = match name {
            "ln" => &mut ln,
            "r" => &mut r,
            "p" => &mut p,
            _ => return Err(malformed(SCHEME, "parameters")),
        };
        if slot.is_some() {
            return Err(malformed(SCHEME, "parameters"));
        }
        *slot = Some(decimal(SCHEME, "parameters", value)?);
    }
    let (Some(ln), Some(r), Some(p)) = (ln, r, p) else {
        return Err(malformed(SCHEME, "parameters"));
    };
    let log_n = u8::try_from(ln).map_err(|_| malformed(SCHEME, "ln"))?;
    if log_n == 0 || log_n >= 64 || r == 0 || p == 0 {
        return Err(malformed(SCHEME, "parameters"));
    }
    scrypt_within(log_n, r, p, ceiling)?;
    // The crate's own checks (N < 2^(128·r/8), r·p < 2^30, ...), before any work.
    scrypt::Params::new(log_n, r, p).map_err(|_| malformed(SCHEME, "parameters"))?;
    let (salt, expected) = bounded(
        SCHEME,
        decode_phc_b64(SCHEME, "salt", salt)?,
        decode_phc_b64(SCHEME, "hash", hash)?,
    )?;
    Ok(ImportedHash {
        scheme: ImportedScheme::Scrypt { log_n, r, p },
        salt,
        expected,
    })
}

fn pbkdf2_name(digest: Pbkdf2Digest) -> &'static str {
    match digest {
        Pbkdf2Digest::Sha256 => "pbkdf2-sha256",
        Pbkdf2Digest::Sha512 => "pbkdf2-sha512",
    }
}

fn pbkdf2_iterations(
    scheme: &'static str,
    iterations: u32,
    ceiling: &ImportCeiling,
) -> Result<u32, ImportHashError> {
    if iterations == 0 {
        return Err(malformed(scheme, "iterations"));
    }
    if iterations > ceiling.pbkdf2_iterations {
        return Err(over(scheme, "iterations", ceiling.pbkdf2_iterations.into()));
    }
    Ok(iterations)
}

/// `$pbkdf2-sha256$` followed by either PHC parameters (`i=600000,l=32`, RustCrypto) or a
/// bare iteration count (passlib), then salt and hash in (adapted) base64.
fn parse_pbkdf2_dollar(
    rest: &str,
    digest: Pbkdf2Digest,
    ceiling: &ImportCeiling,
) -> Result<ImportedHash, ImportHashError> {
    let scheme = pbkdf2_name(digest);
    let fields: Vec<&str> = rest.split('$').collect();
    let [params, salt, hash] = fields.as_slice() else {
        return Err(malformed(scheme, "layout"));
    };
    let (iterations, length) = if params.contains('=') {
        let mut iterations = None;
        let mut length = None;
        for pair in params.split(',') {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| malformed(scheme, "parameters"))?;
            let slot = match name {
                "i" => &mut iterations,
                "l" => &mut length,
                _ => return Err(malformed(scheme, "parameters")),
            };
            if slot.is_some() {
                return Err(malformed(scheme, "parameters"));
            }
            *slot = Some(decimal(scheme, "parameters", value)?);
        }
        (
            iterations.ok_or_else(|| malformed(scheme, "parameters"))?,
            length,
        )
    } else {
        (decimal(scheme, "iterations", params)?, None)
    };
    let iterations = pbkdf2_iterations(scheme, iterations, ceiling)?;
    let (salt, expected) = bounded(
        scheme,
        decode_phc_b64(scheme, "salt", salt)?,
        decode_phc_b64(scheme, "hash", hash)?,
    )?;
    if length.is_some_and(|l| usize::try_from(l).ok() != Some(expected.len())) {
        return Err(malformed(scheme, "hash length"));
    }
    Ok(ImportedHash {
        scheme: ImportedScheme::Pbkdf2 { digest, iterations },
        salt,
        expected,
    })
}

/// Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`: the salt is used as the text
/// it is, the hash is padded standard base64.
fn parse_django(rest: &str, ceiling: &ImportCeiling) -> Result<ImportedHash, ImportHashError> {
    const SCHEME: &str = "pbkdf2-sha256 (Django)";
    let fields: Vec<&str> = rest.split('$').collect();
    let [iterations, salt, hash] = fields.as_slice() else {
        return Err(malformed(SCHEME, "layout"));
    };
    let iterations =
        pbkdf2_iterations(SCHEME, decimal(SCHEME, "iterations", iterations)?, ceiling)?;
    let expected = Base64::decode_vec(hash).map_err(|_| malformed(SCHEME, "hash"))?;
    let (salt, expected) = bounded(SCHEME, salt.as_bytes().to_vec(), expected)?;
    Ok(ImportedHash {
        scheme: ImportedScheme::Pbkdf2 {
            digest: Pbkdf2Digest::Sha256,
            iterations,
        },
        salt,
        expected,
    })
}
