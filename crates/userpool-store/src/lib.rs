//! Storage and service for userpool: Amazon Cognito's user-pool password semantics over a
//! database of the host's choosing.
//!
//! - [`Store`]: the persistence trait a host implements (sync, object-safe, `Send + Sync`;
//!   compare-and-swap writes, uniqueness enforced by the store). [`MemoryStore`] is the
//!   in-memory one.
//! - [`conformance`] (feature `conformance`): the test kit every store must pass.
//! - [`UserPools`]: the operations by Cognito's names (`admin_set_user_password`,
//!   `initiate_auth`, ...), each validating, authorising, rate-limiting, resolving the
//!   user, running the pure transition of `userpool_core` (hashing outside any store
//!   lock), and writing with compare-and-swap, retrying on conflict.
//!
//! # Example: a host wires a store and sets a password
//!
//! ```
//! use std::sync::Arc;
//! use userpool_core::{HashParams, UserStatus};
//! use userpool_store::{
//!     AuthResult, Caller, ClientSettings, MemoryStore, PoolSettings, Store, UserPools,
//! };
//!
//! # fn main() -> Result<(), userpool_core::Error> {
//! // Any `Store` works: MemoryStore here, the host's own database in production.
//! let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
//! let pools = UserPools::builder(store).build(); // system clock, OS randomness, AllowAll
//! let admin = Caller::new("arn:aws:iam::123456789012:user/admin");
//!
//! // Cheap hashing so the example runs fast; production keeps the default (OWASP's).
//! let settings = PoolSettings { hash_params: HashParams::new(1024, 1, 1)?, ..PoolSettings::default() };
//! let pool = pools.create_user_pool(&admin, "example", settings)?;
//! let id = pool.id.as_str();
//! let flows = vec!["ALLOW_USER_PASSWORD_AUTH".to_owned()];
//! let client = pools.create_user_pool_client(&admin, id, "web",
//!     ClientSettings { explicit_auth_flows: flows, ..ClientSettings::default() })?;
//!
//! pools.admin_create_user(&admin, id, "diego", None, &[], None)?;
//! let user = pools.admin_set_user_password(&admin, id, "diego", "Correct-Horse-9", Some(true))?;
//! assert_eq!(user.status, UserStatus::Confirmed);
//!
//! let signed_in = pools.initiate_auth(&client.client_id, "USER_PASSWORD_AUTH", "diego", "Correct-Horse-9")?;
//! assert!(matches!(signed_in, AuthResult::Authenticated(_)));
//! # Ok(()) }
//! ```
//!
//! A host's own store implements the twenty-one required methods of [`Store`] (twelve
//! for pools, clients and users, nine for groups: see [`groups`]), and, to back a
//! token-issuing server, the six token methods (see [`tokens`]); it proves itself with
//! one line in its tests: `userpool_store::conformance_tests!(MyHarness);` (see
//! [`conformance`]).
//!
//! # Secrets at rest
//!
//! Wrap the store in [`SealingStore`] with the host's [`seal::Keyring`] and app-client
//! secrets and token-signing keys reach it only sealed (an AEAD bound to each row), so a
//! copy of the database without the host's key yields none of them (SPEC §14). The
//! [`seal`] module is the reusable piece: a key, a keyring for rotation, and a versioned
//! sealed format.
//!
//! # Async hosts
//!
//! Everything here is synchronous. Password hashing takes tens of milliseconds of CPU by
//! design, so an async host calls the service from `tokio::task::spawn_blocking` (or a
//! dedicated pool), never directly on an async worker.
//!
//! # Errors
//!
//! Every operation returns [`userpool_core::Error`], whose `code()` is the Cognito
//! exception name; each method's `# Errors` section lists the codes it produces. Store
//! failures convert with `From<StoreError>`: a backend failure is `InternalErrorException`
//! whose message says nothing of the backend.
//!
//! # Crate features
//!
//! - `conformance`: the store test kit, [`conformance`] and [`conformance_tests!`].
//! - `test-util`: [`ManualClock`], [`SeededRandom`] and [`RecordingDelivery`], for tests
//!   that drive time, replay randomness and read the codes sent; and [`model_check`], which
//!   runs sequences of `userpool_core::testing::Op` through [`UserPools`] over any store
//!   and checks every step against the reference model. Never in production.

#![forbid(unsafe_code)]

pub mod authorize;
pub mod clock;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod delivery;
pub mod groups;
pub mod hashlimit;
pub mod keys;
pub mod memory;
#[cfg(feature = "test-util")]
pub mod model_check;
pub mod oauth;
pub mod pool;
pub mod random;
pub mod ratelimit;
pub mod seal;
pub mod sealing_store;
pub mod service;
pub mod store;
pub mod tokens;
mod validate;

pub use authorize::{AllowAll, Authorizer, Caller};
#[cfg(feature = "test-util")]
pub use clock::ManualClock;
pub use clock::{Clock, SystemClock};
#[cfg(feature = "test-util")]
pub use delivery::{Delivered, RecordingDelivery};
pub use delivery::{Delivery, DropDeliveries};
pub use groups::{GroupClaims, GroupRecord};
pub use hashlimit::HashLimiter;
pub use memory::MemoryStore;
pub use oauth::{
    AuthorizationCode, ClientOAuth, DomainRecord, IdentityProviderRecord, ResourceServerRecord,
    ResourceServerScope,
};
pub use pool::{ClientRecord, PoolRecord};
#[cfg(feature = "test-util")]
pub use random::SeededRandom;
pub use random::{OsRandom, RandomSource};
pub use ratelimit::{Category, Quota, RateLimiter, RateLimits};
pub use sealing_store::SealingStore;
pub use service::{
    AuthResult, AuthenticatedUser, ClientSettings, CodeDeliveryDetails, FederatedSignIn, GroupPage,
    GroupSettings, HostOptions, ListUsersPage, MessageAction, PasswordVerifierParameters, PoolPage,
    PoolSettings, PoolUpdate, SignUpResult, UserDescription, UserPools, UserPoolsBuilder,
    UsersInGroupPage,
};
pub use store::{Store, StoreError, UserKey};
pub use tokens::{SigningKey, TokenSession};
