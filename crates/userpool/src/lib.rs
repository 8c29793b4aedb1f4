//! userpool: Amazon Cognito's user-pool semantics as a library, over a database of the
//! host's choosing.
//!
//! [`UserPools`] runs the operations by Cognito's names (`admin_set_user_password`,
//! `initiate_auth`, ...). Each one validates its input, asks the host's [`Authorizer`],
//! takes a token from the [`RateLimiter`], resolves the user, runs the pure transition of
//! `userpool_core` (hashing outside any store lock, under the [`HashLimiter`]'s bound), and
//! writes with compare-and-swap through the host's [`Store`], retrying on conflict.
//!
//! The layers, each its own crate:
//!
//! - `userpool_core`: the pure domain: inputs, password policy, hashing, the status
//!   transitions, SRP. No I/O, no clock, no global randomness.
//! - `userpool_store`: the [`Store`] trait with its capabilities [`TokenStore`] and
//!   [`OAuthStore`], the records beside the users, [`MemoryStore`], [`SealingStore`] and
//!   the conformance kit. Re-exported here as [`store`].
//! - this crate: every Cognito decision over a store, with the host's seams ([`Clock`],
//!   [`RandomSource`], [`Delivery`], [`Authorizer`]).
//! - `userpool_sqlite`: the embedded store; `userpool_server`: Cognito's wire protocol.
//!
//! # Example: a host wires a store and sets a password
//!
//! ```
//! use std::sync::Arc;
//! use userpool::{
//!     AuthResult, Caller, ClientSettings, MemoryStore, PoolSettings, Store, UserPools,
//! };
//! use userpool_core::{HashParams, UserStatus};
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
//! # The life of a request
//!
//! `AdminSetUserPassword` through `userpool-server` over SQLite, from the HTTP body to the
//! row:
//!
//! 1. **Wire** (`userpool-server`): the head and body are read within their bounds
//!    (SPEC §13), `Content-Type` checked, `X-Amz-Target` names the operation, the SigV4
//!    signature is verified over the body, which is held in a buffer wiped on drop. On a
//!    blocking thread the operation deserialises that buffer **once**, straight into its
//!    typed input (the password into zeroizing memory), consuming and wiping the buffer,
//!    and validates the members **once**, with
//!    [`userpool_core::AdminSetUserPasswordInput::parse`], which reports every missing or
//!    invalid member together, in Cognito's order.
//! 2. **Service** ([`UserPools::admin_set_user_password_input`]): the host's
//!    [`Authorizer`] is asked for `AdminSetUserPassword` on the pool, one request is taken
//!    from the pool's quota, and the pool and the user it finds by username, alias or `sub`
//!    are read together ([`Store::find_pool_user`]: **one read**, one SQLite transaction);
//!    the pool's rules come from a cache keyed by the pool record.
//! 3. **Core**: `transitions::admin_set_user_password` checks the policy and the history,
//!    hashes under the [`HashLimiter`]'s bound (outside any store lock) and returns the new
//!    record; the old one is untouched.
//! 4. **Store**: the record is written with compare-and-swap on its version
//!    ([`Store::update_user_in`]: **one write**, one SQLite transaction that does not read
//!    the pool again, its keys computed from the pool as read); a pool deleted meanwhile
//!    has no users left, so the swap fails and writes nothing. A lost race re-reads the
//!    user and runs the transition again. `userpool-sqlite` counts the transactions in a
//!    test: one read, one write. Over `userpool-postgres` the read is one statement and
//!    the write one statement committed on its own: two round trips, counted in its tests.
//!
//! A failure at any step leaves the stored user exactly as it was.
//!
//! A public operation (InitiateAuth, SignUp, ForgotPassword, ...) names only an app
//! client and asks no authoriser: its prelude reads the client with its pool
//! ([`Store::find_client_pool`]: **one read**, one SQLite transaction, one PostgreSQL
//! statement), then takes a request from that pool's quota, then checks the request's
//! `SECRET_HASH` for the username it gave when the client has a secret (SPEC §11), before
//! any user is read. The hash travels in the typed input (`with_secret_hash`); the server
//! only moves it there, so a host linking the library gets the same check. A password
//! sign-in then reads the user: two reads in all, counted in both stores' tests.
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
//! - `jwt` (default): [`tokens`], Cognito-shaped RS256 access and id tokens with one key
//!   per pool, refresh tokens kept only as digests, the JWKS, revocation.
//! - `test-util`: [`ManualClock`], [`SeededRandom`] and [`RecordingDelivery`], for tests
//!   that drive time, replay randomness and read the codes sent; and [`model_check`], which
//!   runs sequences of `userpool_core::testing::Op` through [`UserPools`] over any store
//!   and checks every step against the reference model. Never in production.

#![forbid(unsafe_code)]

pub mod authorize;
pub mod clock;
pub mod delivery;
pub mod hashlimit;
#[cfg(feature = "test-util")]
pub mod model_check;
pub mod ratelimit;
pub mod secret_hash;
pub mod service;
#[cfg(feature = "jwt")]
pub mod tokens;
mod validate;

pub use service::inputs;
pub use userpool_store as store;
pub use validate::client_id_constraint;

pub use authorize::{AllowAll, Authorizer, Caller};
#[cfg(feature = "test-util")]
pub use clock::ManualClock;
pub use clock::{Clock, SystemClock};
#[cfg(feature = "test-util")]
pub use delivery::{Delivered, RecordingDelivery};
pub use delivery::{Delivery, DropDeliveries};
pub use hashlimit::HashLimiter;
pub use ratelimit::{Category, Quota, RateLimiter, RateLimits};
pub use service::{
    AUTHORIZATION_CODE_LIFETIME, AuthResult, AuthenticatedUser, AuthorizeGrant, AuthorizeRefusal,
    AuthorizeRequest, ChallengeSessionText, ClientPage, ClientSettings, ClientUpdate,
    CodeDeliveryDetails, CodeGrant, ExternalIdentity, FederatedSignIn, GroupPage, GroupSettings,
    HostOptions, IDENTITIES_ATTRIBUTE, IdentityProviderPage, IdentityProviderSettings,
    ImportFailure, ImportReport, ImportUser, ListUsersPage, MAX_IMPORT_BATCH,
    MAX_LINKED_IDENTITIES, MAX_TRIGGER_DATA_BYTES, MessageAction, MfaAnswer, MfaChallengeResult,
    PasswordVerifierParameters, PoolPage, PoolSettings, PoolUpdate, ProviderUser,
    ResourceServerPage, SIGN_IN_PROVIDER_TYPES, SignUpResult, TokenRefusal, TriggerInput,
    UserDescription, UserPools, UserPoolsBuilder, UsersInGroupPage,
};
#[cfg(feature = "test-util")]
pub use userpool_store::SeededRandom;
pub use userpool_store::{
    ClientOAuth, ClientRecord, GroupClaims, GroupRecord, MemoryStore, OAuthStore, OsRandom,
    PoolRecord, RandomSource, SealingStore, SigningKey, Store, StoreError, TokenSession,
    TokenStore, UserKey, oauth,
};
