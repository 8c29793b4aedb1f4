//! Storage for userpool: what a database must keep of Amazon Cognito's user pools, and the
//! kit that proves a store keeps it.
//!
//! - [`Store`]: the persistence trait a host implements (sync, object-safe, `Send + Sync`;
//!   compare-and-swap writes, uniqueness enforced by the store), with its two capabilities
//!   [`TokenStore`] and [`OAuthStore`]. [`MemoryStore`] is the
//!   in-memory one; `userpool-sqlite` is the embedded default.
//! - The records a store keeps beside the users of `userpool_core`: [`PoolRecord`],
//!   [`ClientRecord`], [`GroupRecord`], [`SigningKey`], [`TokenSession`], and the lookup
//!   keys every store computes one way ([`keys`]).
//! - [`conformance`] (feature `conformance`): the test kit every store must pass.
//! - [`SealingStore`] and [`seal`]: secrets at rest.
//!
//! The service that runs Cognito's operations over a store is the `userpool` crate.
//!
//! # Writing a store
//!
//! A host's own store implements three traits:
//!
//! - [`Store`], required: the twenty-one methods without a default (twelve for pools,
//!   clients and users, nine for groups: see [`groups`]); the others have defaults a store
//!   with an index or transactions overrides.
//! - [`TokenStore`], a capability: each pool's signing key, token sessions and
//!   authorization codes (see [`tokens`]), needed to issue tokens (sign-in, refresh,
//!   sign-out, the OAuth code exchange).
//! - [`OAuthStore`], a capability: domains, resource servers and identity providers (see
//!   [`oauth`]), needed for the hosted UI, the OAuth endpoints and federation.
//!
//! Both capabilities are supertraits of [`Store`], so a store names them; one that lacks a
//! capability declares it with an empty impl (`impl TokenStore for MyStore {}`), whose
//! methods all answer [`StoreError::Unsupported`]. A capability is all or nothing.
//!
//! The store proves itself with one line in its tests:
//! `userpool_store::conformance_tests!(MyHarness);` (see [`conformance`]). The kit skips,
//! with a `SKIPPED:` line on stderr, the cases of a capability the store declared it lacks,
//! and fails a store that implements half of one.
//!
//! # Secrets at rest
//!
//! Wrap the store in [`SealingStore`] with the host's [`seal::Keyring`] and app-client
//! secrets, token-signing keys and SRP state reach it only sealed (an AEAD bound to each
//! row), so a copy of the database without the host's key yields none of them (SPEC §14).
//! The [`seal`] module is the reusable piece: a key, a keyring for rotation, and a
//! versioned sealed format.
//!
//! # Errors
//!
//! Store methods return [`StoreError`]; it converts into [`userpool_core::Error`] with
//! `From`, where a backend failure is `InternalErrorException` whose message says nothing
//! of the backend.
//!
//! # Crate features
//!
//! - `conformance`: the store test kit, [`conformance`] and [`conformance_tests!`].
//! - `test-util`: [`SeededRandom`], for tests that replay randomness. Never in production.

#![forbid(unsafe_code)]

pub mod codec;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod groups;
pub mod keys;
pub mod memory;
pub mod oauth;
pub mod pool;
pub mod random;
pub mod seal;
pub mod sealing_store;
pub mod store;
pub mod tokens;

pub use groups::{GroupClaims, GroupRecord};
pub use memory::MemoryStore;
pub use oauth::{
    AuthorizationCode, ClientOAuth, DomainRecord, IdentityProviderRecord, OAuthStore,
    ResourceServerRecord, ResourceServerScope,
};
pub use pool::{ClientRecord, PoolRecord};
#[cfg(feature = "test-util")]
pub use random::SeededRandom;
pub use random::{OsRandom, RandomSource};
pub use sealing_store::SealingStore;
pub use store::{Store, StoreError, UserKey};
pub use tokens::{SigningKey, TokenSession, TokenStore};
