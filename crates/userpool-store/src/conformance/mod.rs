//! The conformance kit (feature `conformance`): the cases every [`Store`] must pass.
//!
//! A host implements [`Harness`] — a fresh, empty store plus a guard that keeps its
//! resources alive (a temp dir, a database schema) — and stamps one `#[test]` per case:
//!
//! ```
//! use userpool_store::{MemoryStore, conformance::Harness};
//!
//! struct Memory;
//! impl Harness for Memory {
//!     type Store = MemoryStore;
//!     type Guard = ();
//!     fn make(&self) -> (MemoryStore, ()) {
//!         (MemoryStore::new(), ())
//!     }
//! }
//!
//! // In a test file: one `#[test]` per case (put it in its own module).
//! mod memory_store {
//!     userpool_store::conformance_tests!(super::Memory);
//! }
//! # fn main() { userpool_store::conformance::run_all(&Memory); }
//! ```
//!
//! Or call [`run_all`] (every case, in one test) or a single case by name.
//!
//! # What the kit requires
//!
//! - **Compare-and-swap.** `insert_user` issues version 1; `update_user` succeeds only if
//!   the stored version equals the record's and issues `version + 1`; a refused write
//!   changes nothing. Concurrent writers from several threads lose no update.
//! - **One read, one write.** `find_pool_user` returns the pool with the user the whole
//!   lookup of SPEC §8 finds (username first, then alias values, then `sub`), or the pool
//!   and no user; `update_user_in` is `update_user`'s compare-and-swap with the pool as
//!   read, and fails with `PoolNotFound`, writing nothing, once the pool is deleted.
//! - **Uniqueness within a pool**, atomic with the write: username key (folded in a
//!   case-insensitive pool, exact otherwise), each alias key, `sub`.
//! - **Indexes** computed with [`crate::keys`]: an alias value is findable only while it is
//!   set, verified (email, phone number) and listed by the pool; a username-attribute
//!   value (`UsernameAttributes`) is findable, and unique, as soon as it is set, verified
//!   or not; an updated value moves.
//! - **Round trips** of every field of [`UserRecord`] and [`PoolRecord`]: statuses (all
//!   eight), attributes with any Unicode, credential kind and expiry, 23 history entries in
//!   order, the history salt, lockout, pending code and challenge, the code throttles of
//!   SPEC §12 (each list in order, up to `CodeThrottle::MAX_TRACKED` entries), timestamps.
//! - **Time precision: microseconds.** Every timestamp the kit writes is a whole number of
//!   microseconds and must read back equal. The service's `userpool::SystemClock` truncates
//!   to microseconds, so a store with microsecond precision (PostgreSQL's `timestamptz`,
//!   an `i64` of microseconds in SQLite) returns exactly what the service wrote.
//! - **App clients** are found by id alone ([`Store::find_client`]), and with their pool
//!   ([`Store::find_client_pool`], what the two separate reads answer); client ids are
//!   unique across pools, and a deleted pool's clients are gone.
//! - **Token storage** ([`TokenStore`], a capability): one signing key per pool, first
//!   writer wins atomically (threads racing all get the stored key back); token sessions
//!   unique per pool by `origin_jti` and by refresh digest (`TokenSessionExists`), found by
//!   either within their pool only, stored only for an existing user (`NotFound`), revoked
//!   per user or one at a time (`revoke_token_session`), their OAuth scopes round-tripping;
//!   a pool's key and sessions go with the pool, a user's sessions with the user. An
//!   authorization code is taken out by exactly one of racing takers, needs its user and
//!   goes with it, and expired codes are forgotten at the next insert; a deleted client's
//!   sessions are revoked and its codes gone. Every token method answers `PoolNotFound`
//!   for an unknown pool.
//! - **Groups** ([`crate::groups`], SPEC §17): names unique per pool (`GroupExists`,
//!   compared exactly), every field round-trips, updates are compare-and-swap; memberships
//!   by `sub`, idempotent, only of an existing group (`GroupNotFound`) and user
//!   (`NotFound`); deleted with their group, their user or their pool. Groups page by
//!   name, members by username key, each page resuming after a key, so that a reader
//!   paging while other threads create and delete groups neither repeats nor skips one.
//! - **OAuth configuration** ([`OAuthStore`], a capability, SPEC §21): a domain name is
//!   unique across pools and a pool has at most one (`DomainExists`, `PoolHasDomain`),
//!   found by name alone or by pool; resource servers unique per pool by identifier,
//!   identity providers by name and by each `IdpIdentifiers` entry (a refused write changes
//!   nothing), each paging by key and updating by compare-and-swap. An app client's OAuth
//!   settings round-trip with the client (a [`Store`] case).
//! - **Capabilities are all or nothing.** Each case of a capability first asks the store
//!   whether it has it ([`token_storage_support`], [`oauth_storage_support`]: every method
//!   of the capability is asked about a pool that does not exist). A store that declared
//!   it lacks the capability (an empty impl: every method answers `Unsupported`) has the
//!   case skipped, with `SKIPPED: <case>: the store has no token storage` (or `no OAuth
//!   configuration storage`) on stderr; a store with some methods `Unsupported` and others
//!   not fails the case. `TokenStore::replace_signing_key` and
//!   `Store::replace_client_secret` are optional and not asked.
//! - **Not checked:** changing a pool's alias attributes, username attributes or case
//!   sensitivity (immutable in Cognito; a store may refuse it).
//! - **Not persisted:** a policy's blocklist (host-supplied, see
//!   `userpool::HostOptions`); the kit writes none.
//!
//! Cases panic on failure, as tests do; the message names the SPEC section.
use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use userpool_core::testing::{epoch, insecure_fast_rules, seeded_entropy};
use userpool_core::{
    AliasAttribute, CodePurpose, CodeThrottle, CodeThrottles, Context, CredentialKind, HashParams,
    HistoryMode, Lockout, Password, PasswordPolicy, PendingChallenge, PendingCode, SecretDigest,
    UserPoolId, UserRecord, UserStatus, Username, transitions,
};

use crate::keys;
use crate::oauth::ClientOAuth;
use crate::oauth::OAuthStore;
use crate::pool::{ClientRecord, PoolRecord};
use crate::store::{Store, StoreError, UserKey};
use crate::tokens::TokenStore;

pub mod fixtures;
mod groups;
mod lookup;
mod oauth;
mod pools;
mod round_trip;
mod tokens;
mod writes;

pub use groups::*;
pub use lookup::*;
pub use oauth::*;
pub use pools::*;
pub use round_trip::*;
pub use tokens::*;
pub use writes::*;

/// Makes fresh stores for the kit.
pub trait Harness {
    /// The store under test.
    type Store: Store;
    /// Whatever must live as long as the store (a temp dir, a connection pool); dropped
    /// after the case.
    type Guard;
    /// A fresh, empty store.
    fn make(&self) -> (Self::Store, Self::Guard);
}

/// How much of an optional capability ([`TokenStore`], [`OAuthStore`]) a store implements,
/// as the kit finds out: it asks every method of the capability about a pool that does not
/// exist. A method that is the trait's default answers `Unsupported`; an implemented one
/// answers anything else (`PoolNotFound`, as the kit requires, or an answer the kit's cases
/// will then fail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    /// No method answers `Unsupported`: the kit runs the capability's cases.
    Full,
    /// Every method answers `Unsupported`: the store declared it lacks the capability (an
    /// empty impl), and the kit skips the capability's cases, saying so on stderr.
    Absent,
    /// Some methods answer `Unsupported` (listed), the others do not: half an
    /// implementation, which a host would discover at the first call to a missing method.
    /// The kit fails the capability's cases.
    Partial {
        /// The methods that answered `Unsupported`.
        unsupported: Vec<&'static str>,
    },
}

impl Support {
    /// Classifies the answers of a capability's methods: each method's name, with whether
    /// it answered `Unsupported`.
    fn of(answers: &[(&'static str, bool)]) -> Support {
        let unsupported: Vec<&'static str> = answers
            .iter()
            .filter(|(_, unsupported)| *unsupported)
            .map(|(name, _)| *name)
            .collect();
        if unsupported.is_empty() {
            Support::Full
        } else if unsupported.len() == answers.len() {
            Support::Absent
        } else {
            Support::Partial { unsupported }
        }
    }

    /// Whether `case` runs: yes for a full capability; no, reported on stderr, for an
    /// absent one; a partial one fails the case.
    #[track_caller]
    fn runs(self, case: &str, capability: &str) -> bool {
        match self {
            Support::Full => true,
            Support::Absent => {
                eprintln!("SKIPPED: {case}: the store has no {capability}");
                false
            }
            Support::Partial { unsupported } => panic!(
                "{case}: the store's {capability} is half implemented: {unsupported:?} answer \
                 Unsupported (the trait's default) while its other methods do not. A store \
                 implements every method of a capability, or declares it has none with an \
                 empty impl."
            ),
        }
    }
}

/// Whether a store's answer is the trait default's `Unsupported`.
fn unsupported<T>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Unsupported(_)))
}

/// Unwraps a result the case needs, panicking with what was being done.
#[track_caller]
fn ok<T, E: std::fmt::Debug>(result: Result<T, E>, doing: &str) -> T {
    match result {
        Ok(v) => v,
        Err(e) => panic!("{doing}: unexpected error {e:?}"),
    }
}

/// A time with microsecond precision, `micros` after the kit's epoch.
fn at(micros: i64) -> DateTime<Utc> {
    epoch() + TimeDelta::microseconds(micros)
}

fn pool_id(suffix: &str) -> UserPoolId {
    ok(UserPoolId::parse(&format!("eu-west-1_{suffix}")), "pool id")
}

/// A pool with default settings, the given case sensitivity and aliases.
fn pool_record(id: &str, case_sensitive: bool, aliases: &[AliasAttribute]) -> PoolRecord {
    PoolRecord {
        id: pool_id(id),
        name: format!("kit pool {id}"),
        policy: PasswordPolicy::default(),
        hash_params: HashParams::insecure_fast_for_tests(),
        history_mode: HistoryMode::PerEntrySalt,
        alias_attributes: aliases.to_vec(),
        username_attributes: Vec::new(),
        case_sensitive,
        mfa: Default::default(),
        schema: userpool_core::Schema::standard(),
        settings: userpool_core::PoolSettings::default(),
        created_at: at(1),
        modified_at: at(2),
        version: 0,
    }
}

/// One fresh store with one pool, and a seeded generator for `sub`s and salts.
struct Fixture<H: Harness> {
    store: H::Store,
    _guard: H::Guard,
    pool: PoolRecord,
    rng: StdRng,
}

impl<H: Harness> Fixture<H> {
    fn new(h: &H, case_sensitive: bool, aliases: &[AliasAttribute]) -> Self {
        let (store, guard) = h.make();
        let mut pool = pool_record("Kit1", case_sensitive, aliases);
        pool.version = ok(store.create_pool(&pool), "create_pool");
        Fixture {
            store,
            _guard: guard,
            pool,
            rng: seeded_entropy(0x5eed),
        }
    }

    fn id(&self) -> &UserPoolId {
        &self.pool.id
    }

    /// A password-less record (no hashing: fast), with attributes.
    fn user(&mut self, name: &str, attributes: &[(&str, &str)]) -> UserRecord {
        let attributes: BTreeMap<String, String> = attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut ctx = Context::new(at(10), &mut self.rng);
        let username = ok(Username::parse(name), "username");
        let (user, _) = ok(
            transitions::external_provider_sign_in(username, attributes, &mut ctx),
            "build a user",
        );
        user
    }

    /// Inserts and returns the record as stored (version 1).
    fn insert(&mut self, user: &UserRecord) -> UserRecord {
        let version = ok(self.store.insert_user(self.id(), user), "insert_user");
        assert_eq!(version, 1, "SPEC §8: insert_user issues version 1");
        UserRecord {
            version,
            ..user.clone()
        }
    }

    fn add(&mut self, name: &str, attributes: &[(&str, &str)]) -> UserRecord {
        let user = self.user(name, attributes);
        self.insert(&user)
    }

    fn find(&self, key: UserKey<'_>) -> Option<UserRecord> {
        ok(self.store.find_user(self.id(), key), "find_user")
    }

    fn by_name(&self, name: &str) -> Option<UserRecord> {
        self.find(UserKey::Username(name))
    }

    fn update(&self, user: &UserRecord) -> Result<u64, StoreError> {
        self.store.update_user(self.id(), user)
    }

    /// Reads back `user` by username and asserts it equals `expected`.
    fn assert_stored(&self, expected: &UserRecord, what: &str) {
        let back = self.by_name(expected.username.as_str());
        assert_eq!(back.as_ref(), Some(expected), "round trip of {what}");
    }
}

fn set(user: &UserRecord, f: impl FnOnce(&mut UserRecord)) -> UserRecord {
    let mut next = user.clone();
    f(&mut next);
    next
}

fn client(pool: &UserPoolId, id: &str) -> ClientRecord {
    ClientRecord {
        pool_id: pool.clone(),
        client_id: id.to_owned(),
        name: format!("app {id}"),
        secret: Some("s3cr3t-ünïcödé".into()),
        explicit_auth_flows: vec![
            "ALLOW_USER_PASSWORD_AUTH".into(),
            "ALLOW_REFRESH_TOKEN_AUTH".into(),
        ],
        prevent_user_existence_errors: true,
        created_at: at(777_777),
        modified_at: at(888_888),
        oauth: ClientOAuth {
            allowed_flows: vec!["code".into(), "client_credentials".into()],
            allowed_flows_user_pool_client: true,
            allowed_scopes: vec![
                "openid".into(),
                "https://api.example.com/read".into(),
                "email".into(),
            ],
            callback_urls: vec![
                "https://app.example.com/cb?x=1,2".into(),
                "http://localhost:3000/cb".into(),
            ],
            logout_urls: vec!["https://app.example.com/bye".into()],
            default_redirect_uri: Some("http://localhost:3000/cb".into()),
            supported_identity_providers: vec!["COGNITO".into(), "Corp ünï".into()],
        },
    }
}

/// Every case's name, in the order [`run_all`] runs them and [`crate::conformance_tests!`]
/// stamps them.
pub const CASE_NAMES: &[&str] = crate::__conformance_cases!(names);

/// One conformance case, run against a harness.
pub type Case<H> = fn(&H);

/// Every case with its name, for hosts that drive the kit themselves.
#[must_use]
pub fn cases<H: Harness>() -> Vec<(&'static str, Case<H>)> {
    crate::__conformance_cases!(functions)
}

/// Runs every case, each on a fresh store.
///
/// # Panics
/// When a case fails, with the case's message.
pub fn run_all<H: Harness>(h: &H) {
    for (_name, case) in cases::<H>() {
        case(h);
    }
}

/// Stamps one `#[test]` per conformance case for a [`Harness`] expression. Invoke it in a
/// module of its own:
///
/// ```ignore
/// mod conformance {
///     userpool_store::conformance_tests!(my_crate::MyHarness::new());
/// }
/// ```
#[macro_export]
macro_rules! conformance_tests {
    ($harness:expr) => {
        $crate::__conformance_cases!(stamp $harness);
    };
}

/// The kit's one list of cases, expanded as [`CASE_NAMES`], as [`cases`] and as the tests
/// [`crate::conformance_tests!`] stamps: a new case is added here, once.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_cases {
    (@each [names] $($case:ident,)*) => {
        &[$(stringify!($case)),*]
    };
    (@each [functions] $($case:ident,)*) => {
        vec![$((stringify!($case), $crate::conformance::$case as _)),*]
    };
    (@each [stamp $harness:expr] $($case:ident,)*) => {
        $(
            #[test]
            fn $case() {
                $crate::conformance::$case(&$harness);
            }
        )*
    };
    ($($mode:tt)*) => {
        $crate::__conformance_cases! { @each [$($mode)*]
            pool_create_then_get_round_trips_every_field,
            pool_update_is_compare_and_swap,
            pool_delete_removes_its_users_and_clients,
            pool_list_is_ordered_by_id,
            duplicate_pool_is_refused,
            missing_pool_is_reported,
            client_create_then_get,
            find_client_pool_agrees_with_find_client_and_get_pool,
            user_insert_then_find_by_username_alias_and_sub,
            find_pool_user_reads_the_pool_and_the_user_by_every_key,
            update_user_in_is_compare_and_swap_and_fails_for_a_deleted_pool,
            store_issues_versions,
            username_is_unique_and_folded_in_case_insensitive_pool,
            username_is_case_sensitive_in_case_sensitive_pool,
            verified_alias_is_unique,
            alias_is_indexed_only_when_verified_and_listed,
            username_attribute_is_indexed_unverified_and_unique,
            alias_moves_when_its_value_changes,
            sub_is_unique,
            stale_update_conflicts_and_changes_nothing,
            stale_delete_conflicts_and_changes_nothing,
            update_of_missing_user_is_not_found,
            delete_user_frees_username_alias_and_sub,
            user_round_trips_every_field,
            user_round_trips_every_status,
            user_round_trips_code_throttles,
            user_round_trips_srp_state,
            user_round_trips_mfa_state,
            list_users_paginates_in_key_order,
            concurrent_writers_lose_no_update,
            concurrent_inserts_of_one_username_admit_one,
            concurrent_claims_of_one_alias_admit_one,
            signing_key_first_writer_wins,
            concurrent_signing_key_inserts_agree_on_one,
            token_session_round_trips,
            duplicate_token_session_is_refused,
            refresh_lookup_is_per_pool,
            revoke_marks_all_of_a_users_sessions_and_only_theirs,
            pool_delete_removes_its_signing_key_and_sessions,
            user_delete_removes_its_sessions,
            token_session_for_unknown_user_is_refused,
            token_storage_of_unknown_pool_is_pool_not_found,
            secret_replacement_is_compare_and_swap,
            group_round_trips_every_field,
            group_names_are_unique_per_pool,
            group_update_is_compare_and_swap,
            memberships_need_group_and_user,
            group_delete_removes_its_memberships,
            user_delete_removes_its_memberships,
            pool_delete_removes_its_groups,
            group_lists_paginate_in_order,
            group_pagination_is_stable_under_concurrent_writes,
            group_storage_of_unknown_pool_is_pool_not_found,
            pool_schema_and_settings_round_trip_and_update,
            client_list_update_delete,
            count_users_counts_the_pools_users,
            domain_round_trips_and_is_unique_across_pools,
            resource_servers_round_trip_page_and_update,
            identity_providers_round_trip_and_identifiers_are_unique,
            authorization_code_is_taken_once,
            client_delete_revokes_its_sessions_and_deletes_its_codes,
            oauth_storage_of_unknown_pool_is_pool_not_found,
            revoke_one_session_leaves_the_users_others,
            linked_identity_is_indexed_with_the_user,
        }
    };
}
