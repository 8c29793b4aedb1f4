//! Host-level options, and how a pool's [`PoolRules`] are built from its stored record.

use std::sync::Arc;
use std::time::Duration;

use userpool_core::{
    Blocklist, Constraint, Error, HashParams, Internal, LockoutPolicy, MemoryPool, PasswordHasher,
    PasswordPolicy, PoolRules, Result, UserPoolId,
};
use zeroize::Zeroizing;

use crate::hashlimit::{self, HashLimiter};
use userpool_store::pool::PoolRecord;

/// Settings that belong to the host, not to the database: applied to every pool when its
/// rules are built, never persisted.
///
/// ```
/// use std::time::Duration;
/// use userpool_core::{Blocklist, HashParams};
/// use userpool::HostOptions;
/// let host = HostOptions::default()
///     .with_ceiling(HashParams::RFC9106_SECOND)
///     .with_blocklist(Blocklist::new(["Password123!", "Welcome1!"]))
///     .with_hash_limit(4, Duration::from_secs(2))
///     .with_pepper(b"from the secrets manager")?;
/// assert_eq!(host.region(), "us-east-1");
/// assert_eq!(host.hash_limiter().max_concurrent(), 4);
/// assert_eq!(host.memory_pool().max_idle(), 4);
/// # Ok::<(), userpool_core::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct HostOptions {
    ceiling: HashParams,
    blocklist: Option<Arc<Blocklist>>,
    lockout: LockoutPolicy,
    region: String,
    pepper: Option<Zeroizing<Vec<u8>>>,
    memory_pool: MemoryPool,
    hash_limiter: Arc<HashLimiter>,
    srp: bool,
    srp_simulation_key: Option<Arc<Zeroizing<Vec<u8>>>>,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            ceiling: HashParams::DEFAULT_CEILING,
            blocklist: None,
            lockout: LockoutPolicy::default(),
            region: "us-east-1".into(),
            pepper: None,
            memory_pool: MemoryPool::new(hashlimit::default_max_concurrent()),
            hash_limiter: Arc::new(HashLimiter::per_core()),
            srp: true,
            srp_simulation_key: None,
        }
    }
}

impl std::fmt::Debug for HostOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostOptions")
            .field("ceiling", &self.ceiling)
            .field("blocklist", &self.blocklist)
            .field("lockout", &self.lockout)
            .field("region", &self.region)
            .field("pepper", &self.pepper.as_ref().map(|_| "<redacted>"))
            .field("memory_pool", &self.memory_pool)
            .field("hash_limiter", &self.hash_limiter)
            .field("srp", &self.srp)
            .finish_non_exhaustive()
    }
}

impl HostOptions {
    /// The most a stored hash may ask for (SPEC §9), which also caps what a pool may
    /// configure (default [`HashParams::DEFAULT_CEILING`]).
    pub fn with_ceiling(mut self, ceiling: HashParams) -> Self {
        self.ceiling = ceiling;
        self
    }

    /// Passwords refused in every pool (SPEC §2's optional blocklist), compared after NFKC
    /// and case folding.
    pub fn with_blocklist(mut self, blocklist: Blocklist) -> Self {
        self.blocklist = Some(Arc::new(blocklist));
        self
    }

    /// Sign-in throttling per user (SPEC §6; default Cognito's).
    pub fn with_lockout(mut self, lockout: LockoutPolicy) -> Self {
        self.lockout = lockout;
        self
    }

    /// The region prefix of generated pool ids (`eu-west-1` gives `eu-west-1_AbC123xyZ`).
    ///
    /// # Errors
    /// `InvalidParameterException` unless the region is 1..=45 characters of `[\w-]`.
    pub fn with_region(mut self, region: &str) -> Result<Self> {
        let invalid = || Error::invalid_parameter("region", Constraint::Pattern(r"[\w-]{1,45}"));
        if region.chars().count() > 45 {
            return Err(invalid());
        }
        UserPoolId::parse(&format!("{region}_x")).map_err(|_| invalid())?;
        self.region = region.to_owned();
        Ok(self)
    }

    /// How many wiped argon2 working buffers to keep between operations, shared by every
    /// pool of this host (see [`MemoryPool`]). The default is the hash limit (one per core
    /// unless [`HostOptions::with_hash_limit`] says otherwise, which also resizes the pool):
    /// at the default parameters that holds 19 MiB per permit while idle and saves each
    /// operation ~0.6 ms of allocation (~50 ms at RFC 9106's 64 MiB). 0 keeps none; more
    /// than the hash limit is never used, since no more buffers are lent at once.
    pub fn with_memory_pool(mut self, max_idle: usize) -> Self {
        self.memory_pool = MemoryPool::new(max_idle);
        self
    }

    /// The host-wide limit on concurrent argon2 work (SPEC §13): at most `max_concurrent`
    /// hashes at once (at least 1) across every pool of this host — hashes, verifications,
    /// unknown-user decoys and each history helper thread — each on a buffer from the
    /// host's memory pool, which this resizes to keep `max_concurrent` buffers. So peak
    /// hashing memory is about `max_concurrent` × `m` however many requests come. A caller
    /// waits for a permit in order of arrival for at most `queue_timeout`, then gets
    /// `TooManyRequestsException` `Too many requests` and nothing changes. The default is
    /// one per core and [`hashlimit::DEFAULT_QUEUE_TIMEOUT`] (2 s).
    ///
    /// Clones of these options share one limiter, so give every service of a process the
    /// same options (or clones of them) for the limit to be host-wide.
    pub fn with_hash_limit(mut self, max_concurrent: usize, queue_timeout: Duration) -> Self {
        let limiter = HashLimiter::new(max_concurrent, queue_timeout);
        self.memory_pool = MemoryPool::new(limiter.max_concurrent());
        self.hash_limiter = Arc::new(limiter);
        self
    }

    /// The limiter every pool's hasher takes its permits from.
    #[must_use]
    pub fn hash_limiter(&self) -> &Arc<HashLimiter> {
        &self.hash_limiter
    }

    /// The pool of working buffers every pool's hasher borrows from.
    #[must_use]
    pub fn memory_pool(&self) -> &MemoryPool {
        &self.memory_pool
    }

    /// The ceiling.
    #[must_use]
    pub fn ceiling(&self) -> HashParams {
        self.ceiling
    }

    /// The blocklist, if any.
    #[must_use]
    pub fn blocklist(&self) -> Option<&Blocklist> {
        self.blocklist.as_deref()
    }

    /// The lockout policy.
    #[must_use]
    pub fn lockout(&self) -> LockoutPolicy {
        self.lockout
    }

    /// The region prefix of generated pool ids.
    #[must_use]
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Adds a pepper mixed into every hash of every pool (argon2's secret input), kept
    /// outside the database. Losing it makes every stored hash unusable; see
    /// [`PasswordHasher::with_pepper`].
    ///
    /// # Errors
    /// `InvalidParameterException` when the pepper is empty or longer than 64 bytes.
    pub fn with_pepper(mut self, pepper: &[u8]) -> Result<Self> {
        // Validate once, the way the core will use it.
        PasswordHasher::default().with_pepper(pepper)?;
        self.pepper = Some(Zeroizing::new(pepper.to_vec()));
        Ok(self)
    }

    /// Turns SRP sign-in (SPEC §15) on (the default) or off. Off, no password write
    /// computes a verifier and `USER_SRP_AUTH` is refused as an unsupported flow.
    pub fn with_srp(mut self, enabled: bool) -> Self {
        self.srp = enabled;
        self
    }

    /// Whether SRP sign-in is on.
    #[must_use]
    pub fn srp(&self) -> bool {
        self.srp
    }

    /// The key under which a simulated SRP challenge's salt and `USER_ID_FOR_SRP` are
    /// derived for usernames without a verifier (SPEC §15), so that they are the same for
    /// the same pool and name in every process and across restarts. Without one, each
    /// service draws its own at start: stable while it runs, different after a restart or
    /// in another process (which tells an observer comparing the two that a name is
    /// simulated).
    ///
    /// # Errors
    /// `InvalidParameterException` when the key is shorter than 16 bytes.
    pub fn with_srp_simulation_key(mut self, key: &[u8]) -> Result<Self> {
        if key.len() < 16 {
            return Err(Error::InvalidParameterMessage(
                "The SRP simulation key must be at least 16 bytes.".into(),
            ));
        }
        self.srp_simulation_key = Some(Arc::new(Zeroizing::new(key.to_vec())));
        Ok(self)
    }

    pub(crate) fn srp_simulation_key(&self) -> Option<&[u8]> {
        self.srp_simulation_key.as_deref().map(|k| k.as_slice())
    }

    /// The hasher for a pool's parameters under this host's ceiling and pepper.
    ///
    /// # Errors
    /// `InvalidParameterException` when the parameters exceed the ceiling.
    pub fn hasher(&self, params: HashParams) -> Result<PasswordHasher> {
        let hasher = PasswordHasher::with_ceiling(params, self.ceiling)?
            .with_memory_pool(self.memory_pool.clone())
            .with_permits(self.hash_limiter.clone());
        match &self.pepper {
            Some(pepper) => hasher.with_pepper(pepper),
            None => Ok(hasher),
        }
    }

    /// The rules a pool's users are held to: its stored settings, the host's blocklist,
    /// ceiling, pepper and lockout policy.
    ///
    /// # Errors
    /// `InternalErrorException` when the stored settings are unusable under this host's
    /// options (parameters above the ceiling).
    pub fn rules_for(&self, pool: &PoolRecord) -> Result<PoolRules> {
        let unusable = |_| Error::Internal(Internal::StoredHashOverCeiling);
        let policy = policy_with_blocklist(&pool.policy, self.blocklist.as_deref())?;
        let mut rules = PoolRules::new(policy, self.hasher(pool.hash_params).map_err(unusable)?);
        rules.history_mode = pool.history_mode;
        rules.lockout = self.lockout;
        rules.srp_pool = self.srp.then(|| pool.id.clone());
        Ok(rules)
    }
}

/// The same policy with `blocklist` in place of its own (none: without one). A policy's
/// blocklist is host-supplied and never persisted.
pub(crate) fn policy_with_blocklist(
    policy: &PasswordPolicy,
    blocklist: Option<&Blocklist>,
) -> Result<PasswordPolicy> {
    Ok(policy.clone().with_blocklist(blocklist.cloned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_survives_rebuilding_with_and_without_a_blocklist() {
        let policy = PasswordPolicy::builder()
            .minimum_length(12)
            .require_symbols(false)
            .password_history_size(5)
            .temporary_password_validity_days(3)
            .maximum_length(64)
            .reject_user_identity(true)
            .build()
            .expect("valid");
        assert_eq!(
            policy_with_blocklist(&policy, None).expect("rebuild"),
            policy
        );
        let list = Blocklist::new(["Password123!"]);
        let with = policy_with_blocklist(&policy, Some(&list)).expect("rebuild");
        assert_eq!(with.blocklist(), Some(&list));
        assert_eq!(policy_with_blocklist(&with, None).expect("strip"), policy);
    }

    // SPEC §9 with the host's pool: a pool's operations borrow the host's buffers and give
    // them back, so consecutive operations reuse one allocation.
    #[test]
    fn every_pool_hasher_borrows_from_the_host_memory_pool() {
        let host = HostOptions::default().with_memory_pool(1);
        let hasher = host
            .hasher(HashParams::new(64, 1, 1).expect("valid"))
            .expect("hasher");
        let password = userpool_core::Password::parse("Passw0rd!").expect("valid");
        let hash = hasher
            .hash(&password, &mut rand::rngs::SysRng)
            .expect("hashed");
        assert_eq!(host.memory_pool().idle(), 1);
        let other = host
            .clone()
            .hasher(HashParams::new(64, 1, 1).expect("valid"))
            .expect("hasher");
        let lent = other.working_memory().expect("a permit is free");
        assert_eq!(lent.kib(), 64, "the buffer the first hash used");
        assert_eq!(host.memory_pool().idle(), 0);
        drop(lent);
        assert!(hasher.verify(&password, &hash).expect("verified"));
        let none = HostOptions::default().with_memory_pool(0);
        none.hasher(HashParams::new(64, 1, 1).expect("valid"))
            .expect("hasher")
            .hash(&password, &mut rand::rngs::SysRng)
            .expect("hashed");
        assert_eq!(none.memory_pool().idle(), 0);
    }

    #[test]
    fn debug_never_shows_the_pepper() {
        let host = HostOptions::default()
            .with_pepper(b"pepper-secret")
            .expect("valid");
        assert!(!format!("{host:?}").contains("pepper-secret"));
    }
}
