//! The pure state machine of a Cognito-style user pool: validated inputs, the password
//! policy, argon2id hashing, password history, the user lifecycle, the sign-in decision
//! and its second factors ([`mfa`]: TOTP software tokens and SMS codes, SPEC §18).
//!
//! No I/O, no clock, no global RNG: time and randomness are inputs ([`Context`]), storage is
//! the caller's. Every operation borrows a [`UserRecord`] and returns a new one, so a failed
//! operation changes nothing.
//!
//! # Example: AdminSetUserPassword → sign-in → challenge → confirmed
//!
//! ```
//! use std::collections::BTreeMap;
//! use chrono::{DateTime, TimeDelta};
//! use userpool_core::{
//!     signin, transitions, Context, HashParams, Password, PasswordHasher, PasswordPolicy,
//!     PoolRules, SignInOutcome, UserStatus, Username,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Cheap parameters so the example runs fast; production keeps the default (OWASP's).
//! let rules = PoolRules::new(PasswordPolicy::default(), PasswordHasher::new(HashParams::new(1024, 1, 1)?)?);
//! let mut rng = rand::rngs::SysRng;
//! let now = DateTime::from_timestamp(1_700_000_000, 0).ok_or("time")?;
//! let mut ctx = Context::new(now, &mut rng);
//!
//! // An external-provider user gets a temporary password from an administrator.
//! let (user, _) = transitions::external_provider_sign_in(Username::parse("diego")?, BTreeMap::new(), &mut ctx)?;
//! let (user, _) = transitions::admin_set_user_password(&user, &Password::parse("Temp0rary!pass")?, false, &rules, &mut ctx)?;
//! assert_eq!(user.status, UserStatus::ForceChangePassword);
//!
//! // Signing in with it yields the NEW_PASSWORD_REQUIRED challenge, never tokens.
//! let signed = signin::sign_in(&user, &Password::parse("Temp0rary!pass")?, &rules, &mut ctx).map_err(|r| r.error)?;
//! let user = *signed.record.ok_or("challenge opened")?;
//! let SignInOutcome::NewPasswordRequired { session } = signed.outcome else { panic!("expected a challenge") };
//!
//! // Answering it confirms the user.
//! ctx.now += TimeDelta::seconds(30);
//! let (user, _) = transitions::respond_to_new_password_required(
//!     &user, session.expose(), &Password::parse("MyExamplePassword1!")?, &rules, &mut ctx)?;
//! assert_eq!(user.status, UserStatus::Confirmed);
//! let signed = signin::sign_in(&user, &Password::parse("MyExamplePassword1!")?, &rules, &mut ctx).map_err(|r| r.error)?;
//! assert_eq!(signed.outcome, SignInOutcome::Authenticated);
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! One enum, [`Error`], whose [`Error::code`] is the Cognito exception name and whose
//! `Display` is Cognito's message. See [`manual`] for the mapping and the decisions taken
//! where AWS documents nothing.
//!
//! # Performance
//!
//! A password change costs one argon2id hash plus the history check. With
//! [`HistoryMode::PerEntrySalt`] (default) history entries are verified newest first on as
//! many threads as there are cores; with [`HistoryMode::PerUserSalt`] the check is one hash.
//! Give the pool's [`PasswordHasher`] a [`MemoryPool`] and each operation borrows a wiped
//! working buffer instead of allocating one: a hash then costs what the `argon2` crate's
//! own call costs, wipe included (`userpool-store`'s `HostOptions` does this for you).
//! Give it [`HashPermits`] too ([`PasswordHasher::with_permits`]) and every argon2
//! computation — hash, verification, unknown-user decoy, each history helper thread — runs
//! under a host-wide permit, so memory stays at about *limit* × `m` whatever the load
//! (SPEC §13; `HostOptions::with_hash_limit` again does it for you).
//! Everything else is nanoseconds to microseconds (see `benches/README.md`).
//!
//! # Crate features
//!
//! - `parallel` (default): verify history entries on several threads, and argon2 lanes
//!   in parallel when `p > 1`.
//! - `zxcvbn` (default): enforce [`PasswordPolicy::minimum_strength`] with zxcvbn. Without it
//!   the setting is kept (stores round-trip it) but not enforced.
//! - `test-util`: [`testing`] (seeded entropy, a fixed epoch, the reference model and
//!   its operations), [`HashParams::insecure_fast_for_tests`] and
//!   `srp::PasswordVerifierChallenge::derived_values_for_tests` (which exposes S and the
//!   session key). Never enable it in production.
//! - `proptest`: `testing::strategies`, proptest strategies for valid and invalid
//!   inputs (labelled by the SPEC §1 rule they break), passwords meeting a policy or
//!   breaking exactly one of its rules, policies in Cognito's ranges, and operation
//!   sequences; plus `testing::model` and `testing::ops`.
//! - `arbitrary`: `arbitrary::Arbitrary` for [`UserPoolId`], [`Username`], [`Password`]
//!   (valid-only: arbitrary data is repaired into validity), [`PasswordPolicy`] and
//!   `testing::Op`, so a fuzz harness can take `Vec<Op>`; plus `testing::model`.
//! - `serde`: `Serialize`/`Deserialize` for the [`schema`] and [`settings`] types, the form
//!   in which stores persist them (a stored schema is re-validated when read back).

#![forbid(unsafe_code)]

pub mod codes;
pub mod config;
pub mod entropy;
pub mod error;
pub mod generate;
pub mod hash;
pub mod history;
pub mod input;
pub mod limit;
pub mod manual;
pub mod memory;
pub mod mfa;
pub mod oauth;
pub mod policy;
pub mod schema;
pub mod secret;
pub mod settings;
pub mod signin;
pub mod srp;
#[cfg(any(
    test,
    feature = "test-util",
    feature = "proptest",
    feature = "arbitrary"
))]
pub mod testing;
pub mod transitions;
pub mod triggers;
pub mod user;

pub use config::{Context, HistoryMode, LockoutPolicy, PoolRules};
pub use entropy::Entropy;
pub use error::{
    Cause, Constraint, Error, ErrorCode, Internal, NotAuthorized, PolicyViolation, QuotedViolation,
    Result, Violation, Violations,
};
pub use hash::{
    HashParams, ImportCeiling, ImportHashError, ImportedScheme, PasswordHash, PasswordHasher,
};
pub use input::{
    AdminSetUserPasswordInput, ConfirmationCode, Password, UserPoolId, Username, fold_case,
};
pub use limit::{HashPermit, HashPermits};
pub use memory::{MemoryPool, PooledMemory, WorkingMemory};
pub use policy::{Blocklist, PasswordPolicy, PasswordPolicyBuilder, PolicySubject};
pub use schema::{
    AttributeDataType, AttributeUpdate, AttributeWriter, Schema, SchemaAttribute,
    SchemaAttributeInput, VerifiableAttribute,
};
pub use secret::SecretDigest;
pub use settings::PoolSettings;
pub use signin::{ChallengeSession, SignInOutcome, SignedIn};
pub use transitions::{Event, Refused};
pub use triggers::{Trigger, TriggerError, Triggers};
pub use user::{
    AliasAttribute, CodePurpose, CodeThrottle, CodeThrottles, Credential, CredentialKind, Lockout,
    PendingChallenge, PendingCode, UserRecord, UserStatus,
};
