//! What a transition needs besides the record: the pool's rules and the caller's context.

use chrono::{DateTime, TimeDelta, Utc};

use crate::entropy::Entropy;
use crate::error::{Constraint, Error, Result};
use crate::hash::PasswordHasher;
use crate::policy::PasswordPolicy;

/// How password history is checked (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistoryMode {
    /// Every hash has its own random salt; a candidate is verified against each entry,
    /// newest first, in parallel (feature `parallel`), stopping at the first match. With 24
    /// entries on 2 cores this costs about 12 hash-times. The default.
    #[default]
    PerEntrySalt,
    /// All of a user's hashes share one random per-user salt, so one hash of the candidate
    /// is compared in constant time against every entry: about one hash-time, whatever the
    /// history size, and that hash becomes the new credential.
    ///
    /// **Trade-off:** whoever holds the database tests each guess against all of a user's
    /// old passwords at once, and sees when a user reused a password (equal outputs). Give
    /// the hasher a pepper ([`PasswordHasher::with_pepper`]) kept outside the database to
    /// close offline guessing altogether.
    PerUserSalt,
}

/// Sign-in throttling per user (SPEC §6), after Cognito's documented behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures allowed before lockouts start (5).
    pub free_failures: u32,
    /// The first lockout (1 s); each further failure doubles it.
    pub first_lockout: TimeDelta,
    /// The longest lockout (15 min).
    pub max_lockout: TimeDelta,
    /// A quiet period after which the count starts over (15 min).
    pub reset_after: TimeDelta,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            free_failures: 5,
            first_lockout: TimeDelta::seconds(1),
            max_lockout: TimeDelta::minutes(15),
            reset_after: TimeDelta::minutes(15),
        }
    }
}

/// Everything about a pool that decides how its users' passwords behave.
#[derive(Debug, Clone)]
pub struct PoolRules {
    /// The password policy.
    pub policy: PasswordPolicy,
    /// Hashing parameters, ceiling and pepper.
    pub hasher: PasswordHasher,
    /// How history is checked.
    pub history_mode: HistoryMode,
    /// Sign-in throttling.
    pub lockout: LockoutPolicy,
    challenge_validity: TimeDelta,
    /// How long a sign-up confirmation code stays valid (24 h, as Cognito).
    pub sign_up_code_validity: TimeDelta,
    /// How long a password-reset code stays valid (1 h, as Cognito).
    pub reset_code_validity: TimeDelta,
    /// Wrong codes allowed per user and purpose in any [`PoolRules::code_window`], across
    /// reissued codes, before code checks fail with `LimitExceededException` (5; SPEC §12).
    /// Capped at [`crate::CodeThrottle::MAX_TRACKED`].
    pub code_attempts: u32,
    /// Codes issued per user and purpose in any [`PoolRules::code_window`] before a further
    /// request is `LimitExceededException` and issues nothing (5; SPEC §12). Capped at
    /// [`crate::CodeThrottle::MAX_TRACKED`].
    pub codes_per_window: u32,
    /// The rolling window both code limits count in (1 hour; SPEC §12).
    pub code_window: TimeDelta,
    /// Verify history entries on several threads (needs the `parallel` feature).
    pub parallel_history: bool,
    /// The pool whose name SRP verifiers are computed under (SPEC §15), or `None` (the
    /// default) to compute none: a host that turns SRP off leaves it `None`.
    pub srp_pool: Option<crate::input::UserPoolId>,
    /// The pool's MFA settings (SPEC §18): OFF by default.
    pub mfa: crate::mfa::PoolMfaConfig,
}

impl Default for PoolRules {
    fn default() -> Self {
        PoolRules {
            policy: PasswordPolicy::default(),
            hasher: PasswordHasher::default(),
            history_mode: HistoryMode::default(),
            lockout: LockoutPolicy::default(),
            challenge_validity: TimeDelta::minutes(3),
            sign_up_code_validity: TimeDelta::hours(24),
            reset_code_validity: TimeDelta::hours(1),
            code_attempts: 5,
            codes_per_window: 5,
            code_window: TimeDelta::hours(1),
            parallel_history: cfg!(feature = "parallel"),
            srp_pool: None,
            mfa: crate::mfa::PoolMfaConfig::default(),
        }
    }
}

impl PoolRules {
    /// Default rules with the given policy and hasher.
    #[must_use]
    pub fn new(policy: PasswordPolicy, hasher: PasswordHasher) -> Self {
        PoolRules {
            policy,
            hasher,
            ..PoolRules::default()
        }
    }

    /// How long a NEW_PASSWORD_REQUIRED session stays valid.
    #[must_use]
    pub fn challenge_validity(&self) -> TimeDelta {
        self.challenge_validity
    }

    /// Sets the session validity, 3..=15 minutes (SPEC §6).
    ///
    /// # Errors
    /// `InvalidParameterException` outside 3..=15.
    pub fn set_challenge_validity_minutes(&mut self, minutes: i64) -> Result<()> {
        if !(3..=15).contains(&minutes) {
            return Err(Error::invalid_parameter(
                "AuthSessionValidity",
                Constraint::OutOfRange { min: 3, max: 15 },
            ));
        }
        self.challenge_validity = TimeDelta::minutes(minutes);
        Ok(())
    }
}

/// `now + delta`, saturating at the end of representable time instead of panicking: time is
/// a host input, and a host clock far in the future must not crash an operation.
pub(crate) fn later(now: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    now.checked_add_signed(delta)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The caller's context for one operation: the time it happens and a source of randomness.
/// The core reads no clock and owns no RNG (SPEC §4).
pub struct Context<'a> {
    /// The instant of the operation.
    pub now: DateTime<Utc>,
    /// Randomness for salts, codes, tokens and generated passwords.
    pub entropy: &'a mut dyn Entropy,
}

impl<'a> Context<'a> {
    /// A context at `now` drawing from `entropy`.
    pub fn new(now: DateTime<Utc>, entropy: &'a mut dyn Entropy) -> Self {
        Context { now, entropy }
    }
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}
