//! argon2id hashing of passwords (SPEC §9).
//!
//! Hashes are PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) that carry their
//! own parameters, so a pool can raise its cost without invalidating stored passwords: a
//! successful sign-in re-hashes (see [`PasswordHasher::needs_rehash`]).
//!
//! Three things differ from calling `argon2` directly:
//! - the working memory (19 MiB at the default) is a buffer we own and wipe, since the
//!   crate's own allocation is freed without being cleared; with a [`MemoryPool`] the wiped
//!   buffer is kept for the next operation instead of being allocated again;
//! - parameters read back from storage are untrusted: above the configured ceiling the
//!   hash is refused before a byte is allocated;
//! - comparison of outputs is constant-time (`subtle`).
//!
//! A stored hash may also be one made by another system and imported (SPEC §19, see
//! [`import`]): it is verified with its own algorithm, under ceilings of its own, and replaced
//! by the pool's argon2id at the first successful sign-in.

pub mod import;

use std::fmt;
use std::sync::Arc;

use argon2::{Algorithm, Argon2, Version};
use password_hash::phc::{self, Ident, Output, ParamsString, Salt};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::entropy::{self, Entropy};
use crate::error::{Constraint, Error, Internal, Result, Violation, Violations};
use crate::input::Password;
use crate::limit::HashPermits;
use crate::memory::{MemoryPool, PooledMemory, WorkingMemory};

pub use import::{
    Argon2Variant, ImportCeiling, ImportHashError, ImportedHash, ImportedScheme,
    MAX_IMPORTED_HASH_LEN, Pbkdf2Digest,
};

/// Salt length in bytes (128 bits, SPEC §9).
pub const SALT_LEN: usize = 16;
/// Output length in bytes.
pub const OUTPUT_LEN: usize = 32;

/// Validated argon2id cost parameters: memory in KiB, passes, lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HashParams {
    m_kib: u32,
    t: u32,
    p: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams::OWASP
    }
}

impl HashParams {
    /// OWASP's recommendation and the default: m=19456 KiB, t=2, p=1.
    pub const OWASP: HashParams = HashParams {
        m_kib: 19_456,
        t: 2,
        p: 1,
    };
    /// RFC 9106's second recommended option: m=65536 KiB, t=3, p=4.
    pub const RFC9106_SECOND: HashParams = HashParams {
        m_kib: 65_536,
        t: 3,
        p: 4,
    };
    /// The default ceiling for parameters read back from storage: 256 MiB, 10 passes,
    /// 16 lanes. A stored hash above it is refused, never computed.
    pub const DEFAULT_CEILING: HashParams = HashParams {
        m_kib: 262_144,
        t: 10,
        p: 16,
    };

    /// Validates parameters: `p` in 1..=255, `t` ≥ 1, `m` ≥ 8·p KiB.
    ///
    /// # Errors
    /// `InvalidParameterException` naming the parameter out of range.
    pub fn new(m_kib: u32, t: u32, p: u32) -> Result<Self> {
        let mut found = Vec::new();
        if !(1..=255).contains(&p) {
            found.push(Violation {
                field: "p",
                constraint: Constraint::OutOfRange { min: 1, max: 255 },
            });
        }
        if t == 0 {
            found.push(Violation {
                field: "t",
                constraint: Constraint::OutOfRange {
                    min: 1,
                    max: i64::from(u32::MAX),
                },
            });
        }
        if u64::from(m_kib) < 8 * u64::from(p.max(1)) {
            found.push(Violation {
                field: "m",
                constraint: Constraint::OutOfRange {
                    min: 8 * i64::from(p.max(1)),
                    max: i64::from(u32::MAX),
                },
            });
        }
        match Violations::from_vec(found) {
            Some(v) => Err(Error::InvalidParameter(v)),
            None => Ok(HashParams { m_kib, t, p }),
        }
    }

    /// Memory cost in KiB.
    #[must_use]
    pub fn m_kib(&self) -> u32 {
        self.m_kib
    }
    /// Number of passes.
    #[must_use]
    pub fn t(&self) -> u32 {
        self.t
    }
    /// Degree of parallelism (lanes).
    #[must_use]
    pub fn p(&self) -> u32 {
        self.p
    }

    /// Whether every parameter is at most the ceiling's.
    #[must_use]
    pub fn within(&self, ceiling: &HashParams) -> bool {
        self.m_kib <= ceiling.m_kib && self.t <= ceiling.t && self.p <= ceiling.p
    }

    fn argon2(&self) -> Result<argon2::Params> {
        argon2::Params::new(self.m_kib, self.t, self.p, Some(OUTPUT_LEN))
            .map_err(|_| Internal::HashingFailed.into())
    }

    /// A cheap preset for test suites: m=8 KiB, t=1, p=1. **Insecure**: it offers almost no
    /// resistance to offline guessing. Only compiled with the `test-util` feature, so a
    /// production build cannot select it.
    #[cfg(any(test, feature = "test-util"))]
    #[must_use]
    pub const fn insecure_fast_for_tests() -> HashParams {
        HashParams {
            m_kib: 8,
            t: 1,
            p: 1,
        }
    }
}

/// A stored password hash: the pool's own argon2id PHC string, or a hash imported from
/// another system (SPEC §19), that we parsed and can verify against.
///
/// `Debug` shows only the parameters; there is no `Display`. [`PasswordHash::as_phc`] gives
/// the string for storage.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash {
    phc: String,
    form: Form,
}

#[derive(Clone, PartialEq, Eq)]
enum Form {
    Native(HashParams),
    Imported(Box<ImportedHash>),
}

impl PasswordHash {
    /// Parses a string read back from storage: the pool's `argon2id` (version 19) PHC
    /// string, or an imported hash as [`PasswordHash::as_phc`] wrote it.
    ///
    /// This does not apply the ceiling (that belongs to the pool's hasher, see
    /// [`PasswordHasher::verify`]); it only checks the string is well formed.
    ///
    /// # Errors
    /// `InternalErrorException` (`MalformedStoredHash`) for anything else.
    pub fn parse(phc_string: &str) -> Result<Self> {
        let malformed = || Error::Internal(Internal::MalformedStoredHash);
        if let Some(foreign) = phc_string.strip_prefix(import::STORAGE_PREFIX) {
            // The ceilings are the verifier's to apply; here only the layout is checked.
            let unbounded = HashParams {
                m_kib: u32::MAX,
                t: u32::MAX,
                p: u32::MAX,
            };
            let no_ceiling = ImportCeiling {
                bcrypt_cost: u32::MAX,
                pbkdf2_iterations: u32::MAX,
                scrypt_memory_kib: u32::MAX,
                scrypt_p: u32::MAX,
            };
            let imported =
                ImportedHash::parse(foreign, &unbounded, &no_ceiling).map_err(|_| malformed())?;
            return Ok(PasswordHash {
                phc: phc_string.to_owned(),
                form: Form::Imported(Box::new(imported)),
            });
        }
        let parsed = phc::PasswordHash::new(phc_string).map_err(|_| malformed())?;
        if parsed.algorithm.as_str() != "argon2id" || parsed.version != Some(0x13) {
            return Err(malformed());
        }
        let salt_ok = parsed
            .salt
            .as_ref()
            .is_some_and(|s| (8..=64).contains(&s.as_ref().len()));
        let out_ok = parsed
            .hash
            .as_ref()
            .is_some_and(|h| (4..=64).contains(&h.len()));
        if !salt_ok || !out_ok || parsed.params.iter().count() != 3 {
            return Err(malformed());
        }
        let get = |name: &str| parsed.params.get_decimal(name).ok_or_else(malformed);
        let params = HashParams::new(get("m")?, get("t")?, get("p")?).map_err(|_| malformed())?;
        Ok(PasswordHash {
            phc: phc_string.to_owned(),
            form: Form::Native(params),
        })
    }

    /// The string for storage: the PHC string, or for an imported hash the foreign string
    /// behind a marker (`import:`) that [`PasswordHash::parse`] reads back.
    #[must_use]
    pub fn as_phc(&self) -> &str {
        &self.phc
    }

    /// The argon2id parameters this hash was made with; `None` for an imported hash.
    #[must_use]
    pub fn params(&self) -> Option<HashParams> {
        match &self.form {
            Form::Native(params) => Some(*params),
            Form::Imported(_) => None,
        }
    }

    /// The imported hash's scheme and cost, when this hash was imported (SPEC §19).
    #[must_use]
    pub fn imported(&self) -> Option<ImportedScheme> {
        match &self.form {
            Form::Native(_) => None,
            Form::Imported(hash) => Some(hash.scheme()),
        }
    }

    /// Salt and output of a native hash; an imported one is `MalformedStoredHash` here (its
    /// callers compare argon2id outputs).
    pub(crate) fn parts(&self) -> Result<(Salt, Output)> {
        if matches!(self.form, Form::Imported(_)) {
            return Err(Internal::MalformedStoredHash.into());
        }
        let parsed =
            phc::PasswordHash::new(&self.phc).map_err(|_| Internal::MalformedStoredHash)?;
        match (parsed.salt, parsed.hash) {
            (Some(salt), Some(hash)) => Ok((salt, hash)),
            _ => Err(Internal::MalformedStoredHash.into()),
        }
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.form {
            Form::Native(params) => write!(
                f,
                "PasswordHash(argon2id m={} t={} p={}, <redacted>)",
                params.m_kib, params.t, params.p
            ),
            Form::Imported(hash) => write!(f, "PasswordHash(imported {hash:?})"),
        }
    }
}

/// A pool's hashing configuration: the parameters new hashes use, the ceiling stored
/// hashes must respect, and an optional pepper (argon2's secret input) held by the host.
#[derive(Clone)]
pub struct PasswordHasher {
    params: HashParams,
    ceiling: HashParams,
    import_ceiling: ImportCeiling,
    pepper: Option<Zeroizing<Vec<u8>>>,
    memory_pool: Option<MemoryPool>,
    permits: Option<Arc<dyn HashPermits>>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        PasswordHasher {
            params: HashParams::OWASP,
            ceiling: HashParams::DEFAULT_CEILING,
            import_ceiling: ImportCeiling::DEFAULT,
            pepper: None,
            memory_pool: None,
            permits: None,
        }
    }
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .field("ceiling", &self.ceiling)
            .field("import_ceiling", &self.import_ceiling)
            .field("pepper", &self.pepper.as_ref().map(|_| "<redacted>"))
            .field("memory_pool", &self.memory_pool)
            .field("permits", &self.permits)
            .finish()
    }
}

impl PasswordHasher {
    /// A hasher with the given parameters and the default ceiling.
    ///
    /// # Errors
    /// `InvalidParameterException` when the parameters exceed the ceiling.
    pub fn new(params: HashParams) -> Result<Self> {
        PasswordHasher::with_ceiling(params, HashParams::DEFAULT_CEILING.max(params))
    }

    /// A hasher with an explicit ceiling for stored hashes.
    ///
    /// # Errors
    /// `InvalidParameterException` when `params` are above `ceiling`.
    pub fn with_ceiling(params: HashParams, ceiling: HashParams) -> Result<Self> {
        if !params.within(&ceiling) {
            return Err(Error::invalid_parameter(
                "HashParams",
                Constraint::Inconsistent("Member must not exceed the hashing ceiling"),
            ));
        }
        Ok(PasswordHasher {
            params,
            ceiling,
            import_ceiling: ImportCeiling::DEFAULT,
            pepper: None,
            memory_pool: None,
            permits: None,
        })
    }

    /// Adds a pepper: a secret the host keeps outside the database (an HSM, a secrets
    /// manager), mixed into every hash as argon2's secret input. With it, a stolen database
    /// alone does not allow offline guessing. Losing it makes every stored hash unusable.
    ///
    /// # Errors
    /// `InvalidParameterException` when the pepper is empty or longer than 64 bytes.
    pub fn with_pepper(mut self, pepper: &[u8]) -> Result<Self> {
        if pepper.is_empty() || pepper.len() > 64 {
            return Err(Error::invalid_parameter(
                "pepper",
                Constraint::OutOfRange { min: 1, max: 64 },
            ));
        }
        self.pepper = Some(Zeroizing::new(pepper.to_vec()));
        Ok(self)
    }

    /// Sets the cost ceilings for imported bcrypt, scrypt and PBKDF2 hashes (SPEC §19);
    /// imported argon2 hashes are held to [`PasswordHasher::ceiling`].
    #[must_use]
    pub fn with_import_ceiling(mut self, ceiling: ImportCeiling) -> Self {
        self.import_ceiling = ceiling;
        self
    }

    /// The cost ceilings for imported hashes.
    #[must_use]
    pub fn import_ceiling(&self) -> ImportCeiling {
        self.import_ceiling
    }

    /// Accepts a hash made by another system for storage as a user's credential
    /// (SPEC §19): parses it, and refuses it when its cost is above this hasher's ceilings,
    /// before any work. No password is involved; the hash is verified at the first sign-in.
    ///
    /// # Errors
    /// `InvalidParameterException` `Invalid password hash: ...` naming what is wrong
    /// (see [`ImportHashError`]); the message never contains the hash.
    pub fn import(&self, encoded: &str) -> Result<PasswordHash> {
        let imported = ImportedHash::parse(encoded, &self.ceiling, &self.import_ceiling)?;
        Ok(PasswordHash {
            phc: format!("{}{encoded}", import::STORAGE_PREFIX),
            form: Form::Imported(Box::new(imported)),
        })
    }

    /// Lends working memory from `pool` instead of allocating it for every operation; see
    /// [`MemoryPool`] for why and what it keeps. Without a pool each operation allocates a
    /// buffer and wipes it when done.
    #[must_use]
    pub fn with_memory_pool(mut self, pool: MemoryPool) -> Self {
        self.memory_pool = Some(pool);
        self
    }

    /// Runs every operation of this hasher under a permit from `permits`, the host-wide
    /// limit on concurrent hashes (SPEC §13; see [`HashPermits`]). Give every pool's hasher
    /// the same limit, and a [`MemoryPool`] keeping as many buffers as the limit allows
    /// permits: then at most that many buffers ever exist.
    #[must_use]
    pub fn with_permits(mut self, permits: Arc<dyn HashPermits>) -> Self {
        self.permits = Some(permits);
        self
    }

    /// Working memory for one operation: from the hasher's pool if it has one, else fresh,
    /// lent under a permit when the hasher has a limit (waiting for one in turn). The
    /// permit is held until the buffer is dropped; the buffer is wiped when dropped
    /// (SPEC §9). Hold at most one at a time per thread: waiting for a second while holding
    /// one can deadlock against other holders (use [`PasswordHasher::try_working_memory`]).
    ///
    /// # Errors
    /// `TooManyRequestsException` `Too many requests` when no permit came before the
    /// host's deadline (SPEC §13).
    pub fn working_memory(&self) -> Result<PooledMemory> {
        let permit = match &self.permits {
            Some(permits) => Some(permits.acquire()?),
            None => None,
        };
        let memory = self.lend();
        Ok(match permit {
            Some(permit) => memory.under(permit),
            None => memory,
        })
    }

    /// Working memory for extra work of an operation that already holds some (a history
    /// check's helper threads): only if a permit is free now and nobody waits for one, so
    /// it never waits and never jumps the queue. `None` means: do the work on the memory
    /// you hold.
    #[must_use]
    pub fn try_working_memory(&self) -> Option<PooledMemory> {
        match &self.permits {
            Some(permits) => {
                let permit = permits.try_acquire()?;
                Some(self.lend().under(permit))
            }
            None => Some(self.lend()),
        }
    }

    fn lend(&self) -> PooledMemory {
        self.memory_pool
            .as_ref()
            .map_or_else(PooledMemory::unpooled, MemoryPool::take)
    }

    /// The parameters new hashes use.
    #[must_use]
    pub fn params(&self) -> HashParams {
        self.params
    }

    /// The ceiling stored hashes must respect.
    #[must_use]
    pub fn ceiling(&self) -> HashParams {
        self.ceiling
    }

    fn context(&self, params: HashParams) -> Result<Argon2<'_>> {
        let argon_params = params.argon2()?;
        match &self.pepper {
            Some(pepper) => {
                Argon2::new_with_secret(pepper, Algorithm::Argon2id, Version::V0x13, argon_params)
                    .map_err(|_| Internal::HashingFailed.into())
            }
            None => Ok(Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                argon_params,
            )),
        }
    }

    fn raw(
        &self,
        params: HashParams,
        password: &Password,
        salt: &[u8],
        memory: &mut WorkingMemory,
    ) -> Result<Zeroizing<[u8; OUTPUT_LEN]>> {
        let context = self.context(params)?;
        let blocks = params.argon2()?.block_count();
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        context
            .hash_password_into_with_memory(
                password.expose().as_bytes(),
                salt,
                &mut out[..],
                memory.blocks(blocks),
            )
            .map_err(|_| Error::Internal(Internal::HashingFailed))?;
        Ok(out)
    }

    /// Hashes a password with a fresh 128-bit salt drawn from `entropy`.
    ///
    /// # Errors
    /// `InternalErrorException` when the entropy source or argon2 fails;
    /// `TooManyRequestsException` as [`PasswordHasher::working_memory`].
    pub fn hash(&self, password: &Password, entropy: &mut dyn Entropy) -> Result<PasswordHash> {
        let mut memory = self.working_memory()?;
        self.hash_in(password, entropy, &mut memory)
    }

    /// As [`PasswordHasher::hash`], reusing a working buffer (take it from
    /// [`PasswordHasher::working_memory`], so the hash runs under its permit).
    ///
    /// # Errors
    /// As [`PasswordHasher::hash`].
    pub fn hash_in(
        &self,
        password: &Password,
        entropy: &mut dyn Entropy,
        memory: &mut WorkingMemory,
    ) -> Result<PasswordHash> {
        let salt: [u8; SALT_LEN] = entropy::bytes(entropy)?;
        self.hash_with_salt(password, &salt, memory)
    }

    /// Hashes with a given salt. Used by the per-user history salt mode (SPEC §5), where all
    /// of one user's hashes share a salt so that one hash of a candidate can be compared
    /// against every entry.
    ///
    /// # Errors
    /// `InternalErrorException` when argon2 fails.
    pub fn hash_with_salt(
        &self,
        password: &Password,
        salt: &[u8; SALT_LEN],
        memory: &mut WorkingMemory,
    ) -> Result<PasswordHash> {
        let out = self.raw(self.params, password, salt, memory)?;
        let internal = |_| Error::Internal(Internal::HashingFailed);
        let mut params = ParamsString::new();
        params
            .add_decimal("m", self.params.m_kib)
            .map_err(internal)?;
        params.add_decimal("t", self.params.t).map_err(internal)?;
        params.add_decimal("p", self.params.p).map_err(internal)?;
        let phc_hash = phc::PasswordHash {
            algorithm: Ident::new("argon2id").map_err(internal)?,
            version: Some(0x13),
            params,
            salt: Some(Salt::new(salt).map_err(internal)?),
            hash: Some(Output::new(&out[..]).map_err(internal)?),
        };
        Ok(PasswordHash {
            phc: phc_hash.to_string(),
            form: Form::Native(self.params),
        })
    }

    /// Verifies a password against a stored hash in constant time.
    ///
    /// # Errors
    /// `InternalErrorException` when the stored hash is above the ceiling (it is refused
    /// without being computed) or argon2 fails; `TooManyRequestsException` as
    /// [`PasswordHasher::working_memory`].
    pub fn verify(&self, password: &Password, stored: &PasswordHash) -> Result<bool> {
        let mut memory = self.working_memory()?;
        self.verify_in(password, stored, &mut memory)
    }

    /// As [`PasswordHasher::verify`], reusing a working buffer (take it from
    /// [`PasswordHasher::working_memory`], so the verification runs under its permit).
    ///
    /// # Errors
    /// As [`PasswordHasher::verify`].
    pub fn verify_in(
        &self,
        password: &Password,
        stored: &PasswordHash,
        memory: &mut WorkingMemory,
    ) -> Result<bool> {
        let params = match &stored.form {
            Form::Native(params) => *params,
            Form::Imported(hash) => {
                return hash.verify(password, &self.ceiling, &self.import_ceiling, memory);
            }
        };
        if !params.within(&self.ceiling) {
            return Err(Internal::StoredHashOverCeiling.into());
        }
        let (salt, expected) = stored.parts()?;
        if expected.len() != OUTPUT_LEN {
            return Err(Internal::MalformedStoredHash.into());
        }
        let out = self.raw(params, password, salt.as_ref(), memory)?;
        Ok(bool::from(out[..].ct_eq(expected.as_bytes())))
    }

    /// Spends the same work as verifying against a real hash made with the current
    /// parameters, and always fails. Used for unknown users, so that the time a sign-in takes
    /// does not reveal whether the user exists (SPEC §6).
    ///
    /// # Errors
    /// `InternalErrorException` when argon2 fails.
    pub fn verify_dummy(&self, password: &Password, memory: &mut WorkingMemory) -> Result<bool> {
        let out = self.raw(self.params, password, &[0x5a; SALT_LEN], memory)?;
        // Compare against an all-zero output so the comparison itself also runs.
        let _ = out[..].ct_eq(&[0u8; OUTPUT_LEN]);
        Ok(false)
    }

    /// Whether a stored hash is weaker than the pool's current parameters (less memory or
    /// fewer passes), so that a successful sign-in should re-hash it (SPEC §6). A hash that is
    /// stronger than the current parameters is left alone: lowering the cost never weakens
    /// what is stored. An imported hash always needs it (SPEC §19).
    #[must_use]
    pub fn needs_rehash(&self, stored: &PasswordHash) -> bool {
        match &stored.form {
            Form::Native(params) => params.m_kib < self.params.m_kib || params.t < self.params.t,
            Form::Imported(_) => true,
        }
    }
}

impl HashParams {
    /// The component-wise maximum of two parameter sets.
    #[must_use]
    pub fn max(self, other: HashParams) -> HashParams {
        HashParams {
            m_kib: self.m_kib.max(other.m_kib),
            t: self.t.max(other.t),
            p: self.p.max(other.p),
        }
    }
}
