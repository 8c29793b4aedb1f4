//! Storage for userpool: what a database must keep of Amazon Cognito's user pools, and the
//! kit that proves a store keeps it.
//!
//! - [`Store`]: the persistence trait a host implements (sync, object-safe, `Send + Sync`;
//!   compare-and-swap writes, uniqueness enforced by the store). [`MemoryStore`] is the
//!   in-memory one; `userpool-sqlite` is the embedded default.
//! - The records a store keeps beside the users of `userpool_core`: [`PoolRecord`],
//!   [`ClientRecord`], [`GroupRecord`], [`SigningKey`], [`TokenSession`], and the lookup
//!   keys every store computes one way ([`keys`]).
//! - [`conformance`] (feature `conformance`): the test kit every store must pass.
//! - [`SealingStore`] and [`seal`]: secrets at rest.
//!
//! The service that runs Cognito's operations over a store is the `userpool` crate.
//!
//! A host's own store implements the twenty-one required methods of [`Store`] (twelve
//! for pools, clients and users, nine for groups: see [`groups`]), and, to back a
//! token-issuing server, the seven token methods (see [`tokens`]), and for the OAuth
//! endpoints the seventeen OAuth methods (see [`oauth`]); it proves itself with one line
//! in its tests: `userpool_store::conformance_tests!(MyHarness);` (see
//! [`conformance`]).
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
    AuthorizationCode, ClientOAuth, DomainRecord, IdentityProviderRecord, ResourceServerRecord,
    ResourceServerScope,
};
pub use pool::{ClientRecord, PoolRecord};
#[cfg(feature = "test-util")]
pub use random::SeededRandom;
pub use random::{OsRandom, RandomSource};
pub use sealing_store::SealingStore;
pub use store::{Store, StoreError, UserKey};
pub use tokens::{SigningKey, TokenSession};
