//! [`UserPools`]: Cognito's user-pool operations over any [`Store`].
//!
//! Every operation runs the same pipeline:
//!
//! 1. **validate** the raw inputs into core types (SPEC §1; every violated member is
//!    reported in one `InvalidParameterException`);
//! 2. **authorise** admin operations with the host's [`Authorizer`] (SPEC §7);
//! 3. **rate-limit** with the optional [`RateLimiter`] (SPEC §7);
//! 4. **resolve** the pool (`ResourceNotFoundException`) and the user by username, then
//!    username-attribute value, then verified alias, then `sub` (SPEC §8;
//!    `UserNotFoundException`);
//! 5. run the **core transition** — hashing happens here, outside any store lock;
//! 6. **compare-and-swap** the result; on a version conflict, re-read the user and re-run
//!    the transition, at most [`UserPoolsBuilder::max_attempts`] times, then
//!    `InternalErrorException`;
//! 7. hand the operation's event to the [`Delivery`] and return a plain result.
//!
//! A refusal that carries bookkeeping (a failed sign-in toward the lockout, a wrong
//! confirmation code toward its limit) writes that bookkeeping, then returns the error.

mod admin;
mod attributes;
mod auth;
mod federation;
mod filter;
mod gates;
mod groups;
mod import;
pub mod inputs;
mod mfa;
mod mfa_challenge;
mod names;
mod new_password;
mod oauth;
mod oauth_flow;
mod paging;
mod pools;
mod public;
mod rules;
mod srp;
#[cfg(feature = "jwt")]
mod tokens;
pub(crate) mod trigger_input;
mod types;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use userpool_core::{
    Cause, Context, Error, Event, Internal, NotAuthorized, PoolRules, Refused, Result, UserPoolId,
    UserRecord, Username,
};
use uuid::Uuid;

use crate::authorize::{AllowAll, Authorizer, Caller};
use crate::clock::{Clock, SystemClock};
use crate::delivery::{Delivery, DropDeliveries};
use crate::ratelimit::{Category, RateLimiter};
use inputs::SecretText;
use userpool_store::keys;
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::random::{EntropyOf, OsRandom, RandomSource};
use userpool_store::store::{Store, StoreError};

pub use federation::{
    ExternalIdentity, IDENTITIES_ATTRIBUTE, MAX_LINKED_IDENTITIES, ProviderUser,
    SIGN_IN_PROVIDER_TYPES,
};
pub use groups::{GroupPage, GroupSettings, UsersInGroupPage};
pub use import::{ImportFailure, ImportReport, ImportUser, MAX_IMPORT_BATCH};
pub use mfa::ChallengeSessionText;
pub use mfa_challenge::MfaAnswer;
pub use oauth::{IdentityProviderPage, IdentityProviderSettings, ResourceServerPage};
pub use oauth_flow::{
    AUTHORIZATION_CODE_LIFETIME, AuthorizeGrant, AuthorizeRefusal, AuthorizeRequest, CodeGrant,
    TokenRefusal,
};
pub use rules::HostOptions;
pub use trigger_input::{MAX_TRIGGER_DATA_BYTES, TriggerInput};
pub use types::{
    AuthResult, AuthenticatedUser, ClientPage, ClientSettings, ClientUpdate, CodeDeliveryDetails,
    FederatedSignIn, ListUsersPage, MessageAction, MfaChallengeResult, PasswordVerifierParameters,
    PoolPage, PoolSettings, PoolUpdate, SignUpResult, UserDescription,
};

/// How many times an operation re-reads and re-runs after losing a compare-and-swap
/// before it gives up with `InternalErrorException`, unless configured otherwise.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 64;

/// Cognito's user-pool operations over a [`Store`].
///
/// Cheap to share: wrap it in an `Arc` and call it from any number of threads. See the
/// [crate documentation](crate) for an example.
pub struct UserPools<S: Store + ?Sized> {
    store: Arc<S>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    authorizer: Arc<dyn Authorizer>,
    limiter: Option<RateLimiter>,
    delivery: Arc<dyn Delivery>,
    host: HostOptions,
    max_attempts: u32,
    /// The host's triggers (SPEC §19), if any.
    triggers: Option<Arc<dyn userpool_core::Triggers>>,
    /// Rules built from a pool record and the host options, reused while the stored
    /// record is unchanged (building them clones the host's blocklist).
    rules: Mutex<HashMap<UserPoolId, (PoolRecord, Arc<PoolRules>)>>,
    /// The key of simulated SRP challenges when the host gave none (see
    /// [`HostOptions::with_srp_simulation_key`]).
    srp_fallback_key: zeroize::Zeroizing<[u8; 32]>,
    /// Token issuance, when the host serves tokens ([`UserPoolsBuilder::tokens`]).
    #[cfg(feature = "jwt")]
    tokens: Option<Arc<crate::tokens::Tokens>>,
}

impl<S: Store + ?Sized> std::fmt::Debug for UserPools<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserPools")
            .field("limiter", &self.limiter)
            .field("host", &self.host)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

/// Configures a [`UserPools`]; every setting has a default.
#[must_use]
pub struct UserPoolsBuilder<S: Store + ?Sized> {
    store: Arc<S>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    authorizer: Arc<dyn Authorizer>,
    limiter: Option<RateLimiter>,
    delivery: Arc<dyn Delivery>,
    host: HostOptions,
    max_attempts: u32,
    #[cfg(feature = "jwt")]
    tokens: Option<Arc<crate::tokens::Tokens>>,
    triggers: Option<Arc<dyn userpool_core::Triggers>>,
}

impl<S: Store + ?Sized> UserPoolsBuilder<S> {
    /// The host's triggers (SPEC §19): Cognito's UserMigration and the others as a host
    /// trait, so an embedding server can bring users in from its own legacy store (default:
    /// none).
    pub fn triggers(mut self, triggers: Arc<dyn userpool_core::Triggers>) -> Self {
        self.triggers = Some(triggers);
        self
    }

    /// Issue Cognito-shaped tokens (feature `jwt`): sign-ins then yield tokens through
    /// [`UserPools::issue_tokens`], and the token operations (refresh, GetUser,
    /// ChangePassword, GlobalSignOut) work. Build `tokens` over the same store and clock;
    /// a host that also serves the OAuth endpoints shares the same `Arc` with them.
    #[cfg(feature = "jwt")]
    pub fn tokens(mut self, tokens: impl Into<Arc<crate::tokens::Tokens>>) -> Self {
        self.tokens = Some(tokens.into());
        self
    }

    /// The clock (default [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The randomness source (default [`OsRandom`]).
    pub fn random(mut self, random: Arc<dyn RandomSource>) -> Self {
        self.random = random;
        self
    }

    /// Who may call admin operations (default [`AllowAll`], which allows everyone).
    pub fn authorizer(mut self, authorizer: Arc<dyn Authorizer>) -> Self {
        self.authorizer = authorizer;
        self
    }

    /// Rate limiting per pool and category (default: none).
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Where codes and temporary passwords go (default [`DropDeliveries`]).
    pub fn delivery(mut self, delivery: Arc<dyn Delivery>) -> Self {
        self.delivery = delivery;
        self
    }

    /// Host-level hashing and lockout options.
    pub fn host_options(mut self, host: HostOptions) -> Self {
        self.host = host;
        self
    }

    /// Attempts per operation under write contention, at least 1 (default
    /// [`DEFAULT_MAX_ATTEMPTS`]).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The service.
    pub fn build(self) -> UserPools<S> {
        let mut srp_fallback_key = zeroize::Zeroizing::new([0u8; 32]);
        // A failing source leaves it zero: simulated salts are then predictable, which
        // reveals only that a name is simulated, and every other operation fails anyway.
        let _ = self.random.fill(&mut *srp_fallback_key);
        UserPools {
            srp_fallback_key,
            store: self.store,
            clock: self.clock,
            random: self.random,
            authorizer: self.authorizer,
            limiter: self.limiter,
            delivery: self.delivery,
            host: self.host,
            max_attempts: self.max_attempts,
            triggers: self.triggers,
            rules: Mutex::new(HashMap::new()),
            #[cfg(feature = "jwt")]
            tokens: self.tokens,
        }
    }
}

/// What a step of an operation decided: the record to write (if anything changed) and the
/// result to return once it is written.
type Step<T> = std::result::Result<(Option<UserRecord>, T), Refused>;

impl<S: Store + ?Sized> UserPools<S> {
    /// A service with every default: system clock, OS randomness, [`AllowAll`], no rate
    /// limit, [`DropDeliveries`], default [`HostOptions`].
    pub fn new(store: Arc<S>) -> Self {
        UserPools::builder(store).build()
    }

    /// Starts configuring a service over `store`.
    pub fn builder(store: Arc<S>) -> UserPoolsBuilder<S> {
        UserPoolsBuilder {
            store,
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandom),
            authorizer: Arc::new(AllowAll),
            limiter: None,
            delivery: Arc::new(DropDeliveries),
            host: HostOptions::default(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            #[cfg(feature = "jwt")]
            tokens: None,
            triggers: None,
        }
    }

    /// The store, for hosts that need to reach it directly.
    #[must_use]
    pub fn store(&self) -> &Arc<S> {
        &self.store
    }

    fn authorize(&self, caller: &Caller, action: &str, pool: &UserPoolId) -> Result<()> {
        if self.authorizer.authorize(caller, action, pool) {
            Ok(())
        } else {
            Err(NotAuthorized::AccessDenied {
                action: action.to_owned(),
                pool_id: pool.as_str().to_owned(),
            }
            .into())
        }
    }

    fn limit(&self, pool: &UserPoolId, category: Category) -> Result<()> {
        match &self.limiter {
            Some(limiter) => limiter.check(pool, category, self.clock.now()),
            None => Ok(()),
        }
    }

    /// The admin prelude: authorise, rate-limit, resolve the pool.
    fn admin(
        &self,
        caller: &Caller,
        action: &str,
        category: Category,
        pool: &UserPoolId,
    ) -> Result<PoolRecord> {
        self.authorize(caller, action, pool)?;
        self.limit(pool, category)?;
        self.pool(pool)
    }

    fn pool(&self, id: &UserPoolId) -> Result<PoolRecord> {
        self.store
            .get_pool(id)?
            .ok_or_else(|| Error::UserPoolNotFound {
                pool_id: id.as_str().to_owned(),
            })
    }

    /// Revokes every token session of the user (a disabled user, a global sign-out). A
    /// store without token storage holds no sessions to revoke.
    fn revoke_sessions(&self, pool: &UserPoolId, sub: Uuid) -> Result<()> {
        match self.store.revoke_token_sessions(pool, sub) {
            Ok(_) | Err(StoreError::Unsupported(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The public prelude: resolve the client and its pool in one store read
    /// ([`Store::find_client_pool`]), then rate-limit the pool.
    fn client(&self, client_id: &str, category: Category) -> Result<(ClientRecord, PoolRecord)> {
        let (client, pool) = self.store.find_client_pool(client_id)?.ok_or_else(|| {
            Error::ResourceNotFound(format!("User pool client {client_id} does not exist."))
        })?;
        self.limit(&client.pool_id, category)?;
        Ok((client, pool))
    }

    /// [`Self::client`] for an operation that names a user through an app client (SignUp,
    /// ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword, the
    /// sign-in flows and their challenge answers): the request's `SECRET_HASH` is checked
    /// for `username`, as the request gave it, before any user is looked up.
    ///
    /// # Errors
    /// As [`Self::client`], and [`check_secret_hash`]'s refusals.
    fn client_for(
        &self,
        client_id: &str,
        category: Category,
        username: &str,
        secret_hash: Option<&SecretText>,
    ) -> Result<(ClientRecord, PoolRecord)> {
        let (client, pool) = self.client(client_id, category)?;
        check_secret_hash(&client, username, secret_hash)?;
        Ok((client, pool))
    }

    /// Finds a user by username, then by the value of a username attribute the pool lists
    /// (verified or not), then by a verified alias the pool lists, then by `sub` (SPEC §8;
    /// the order is [`keys::lookup_attributes`]).
    fn find_user(&self, pool: &PoolRecord, name: &Username) -> Result<Option<UserRecord>> {
        for key in keys::lookup_order(pool, name.as_str()) {
            if let Some(user) = self.store.find_user(&pool.id, key)? {
                return Ok(Some(user));
            }
        }
        Ok(None)
    }

    /// The pool and the user `name` finds in it, in one store read
    /// ([`Store::find_pool_user`]): the prelude of an admin write that needs nothing else,
    /// so that the operation costs the store one read and one write.
    fn pool_and_user(&self, id: &UserPoolId, name: &Username) -> Result<(PoolRecord, UserRecord)> {
        let (pool, user) = self.store.find_pool_user(id, name.as_str())?;
        Ok((pool, user.ok_or(Error::UserNotFound)?))
    }

    fn resolve(&self, pool: &PoolRecord, name: &Username) -> Result<UserRecord> {
        self.find_user(pool, name)?.ok_or(Error::UserNotFound)
    }

    /// Deletes a user (AdminDeleteUser, DeleteUser), re-reading on a version conflict;
    /// `first` is the record when the caller has already read it.
    fn delete_user_record(
        &self,
        pool: &PoolRecord,
        name: &Username,
        mut first: Option<UserRecord>,
    ) -> Result<()> {
        for _ in 0..self.max_attempts {
            let user = match first.take() {
                Some(user) => user,
                None => self.resolve(pool, name)?,
            };
            match self
                .store
                .delete_user(&pool.id, &user.username, user.version)
            {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(Internal::ContentionRetriesExhausted.into())
    }

    /// Runs `step` on the current record and writes what it decided, re-reading and
    /// re-running on a version conflict. Returns the record as stored (or as read, when
    /// nothing was written) and the step's result.
    fn mutate<T>(
        &self,
        pool: &PoolRecord,
        name: &Username,
        step: impl FnMut(&UserRecord, &mut Context<'_>) -> Step<T>,
    ) -> Result<(UserRecord, T)> {
        self.mutate_from(pool, name, None, step)
    }

    /// [`UserPools::mutate`] whose first attempt runs on `first`, the user as the caller
    /// already read it (with the pool, by [`UserPools::pool_and_user`]); a lost
    /// compare-and-swap re-reads as usual. Writes go through [`Store::update_user_in`]
    /// with the pool read once, never re-read.
    fn mutate_from<T>(
        &self,
        pool: &PoolRecord,
        name: &Username,
        mut first: Option<UserRecord>,
        mut step: impl FnMut(&UserRecord, &mut Context<'_>) -> Step<T>,
    ) -> Result<(UserRecord, T)> {
        for attempt in 0..self.max_attempts {
            if attempt > 0 {
                self.back_off(attempt);
            }
            let user = match first.take() {
                Some(user) => user,
                None => self.resolve(pool, name)?,
            };
            let mut entropy = EntropyOf(&*self.random);
            let mut ctx = Context::new(self.clock.now(), &mut entropy);
            let (write, outcome) = match step(&user, &mut ctx) {
                Ok((Some(next), out)) => (next, Ok(out)),
                Ok((None, out)) => return Ok((user, out)),
                Err(Refused {
                    error,
                    record: Some(bookkeeping),
                }) => (*bookkeeping, Err(error)),
                Err(Refused {
                    error,
                    record: None,
                }) => return Err(error),
            };
            // A write that takes a new alias value must not take another user's name
            // (SPEC §8; see `names`).
            self.check_alias_claims(pool, Some(&user), &write)?;
            match self.store.update_user_in(pool, &write) {
                Ok(version) => {
                    let written = UserRecord { version, ..write };
                    return outcome.map(|out| (written, out));
                }
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(Internal::ContentionRetriesExhausted.into())
    }

    /// After losing a compare-and-swap, waits a random while that grows with the attempt
    /// (full jitter, from up to 1 ms to up to 64 ms), so that writers racing on one user
    /// stop redoing each other's hashing in lockstep. Only contended writes ever wait.
    fn back_off(&self, attempt: u32) {
        let mut byte = [0u8; 1];
        if self.random.fill(&mut byte).is_err() {
            return;
        }
        let ceiling_micros = 500u64 << attempt.min(7);
        let micros = ceiling_micros * u64::from(byte[0]) / 255;
        std::thread::sleep(std::time::Duration::from_micros(micros));
    }

    /// [`UserPools::mutate`] for a core transition returning `(record, event)`; delivers
    /// the event once written.
    fn transition(
        &self,
        pool: &PoolRecord,
        name: &Username,
        op: impl FnMut(
            &UserRecord,
            &mut Context<'_>,
        ) -> std::result::Result<(UserRecord, Event), Refused>,
    ) -> Result<UserRecord> {
        self.transition_from(pool, name, None, op)
    }

    /// [`UserPools::transition`] whose first attempt runs on `first` (see
    /// [`UserPools::mutate_from`]).
    fn transition_from(
        &self,
        pool: &PoolRecord,
        name: &Username,
        first: Option<UserRecord>,
        mut op: impl FnMut(
            &UserRecord,
            &mut Context<'_>,
        ) -> std::result::Result<(UserRecord, Event), Refused>,
    ) -> Result<UserRecord> {
        let (user, event) = self.mutate_from(pool, name, first, |user, ctx| {
            op(user, ctx).map(|(next, event)| (Some(next), event))
        })?;
        self.delivery.deliver(&pool.id, &user, &event);
        Ok(user)
    }

    /// Runs a creating transition and inserts its record, unless its username or an alias
    /// value it holds already finds another user (SPEC §8); delivers the event unless told
    /// not to.
    fn create(
        &self,
        pool: &PoolRecord,
        deliver: bool,
        op: impl FnOnce(&mut Context<'_>) -> Result<(UserRecord, Event)>,
    ) -> Result<UserRecord> {
        let mut entropy = EntropyOf(&*self.random);
        let mut ctx = Context::new(self.clock.now(), &mut entropy);
        let (user, event) = op(&mut ctx)?;
        // Its names must find no other user (SPEC §8), checked again once inserted in
        // case a racing write took one meanwhile (see `names`).
        self.check_new_user_names(pool, &user)?;
        let version = self.store.insert_user(&pool.id, &user)?;
        let user = UserRecord { version, ..user };
        if let Err(taken) = self.check_new_user_names(pool, &user) {
            self.undo_insert(pool, &user)?;
            return Err(taken);
        }
        if deliver {
            self.delivery.deliver(&pool.id, &user, &event);
        }
        Ok(user)
    }

    /// The `sub` a user created under `new_name` will have, chosen now so its PreSignUp
    /// event carries the username Cognito sends (see [`names::chosen_sub`]).
    fn chosen_sub(&self, new_name: names::NewName) -> Result<Option<Uuid>> {
        let mut entropy = EntropyOf(&*self.random);
        let mut ctx = Context::new(self.clock.now(), &mut entropy);
        names::chosen_sub(new_name, &mut ctx)
    }

    /// The host's triggers and the function to run, when `pool` has `trigger` (SPEC §19):
    /// the one its `LambdaConfig` names, or else none when the host's `has` says the pool
    /// has it (the rule of [`userpool_core::Triggers`]).
    fn triggers_for(
        &self,
        pool: &PoolRecord,
        trigger: userpool_core::Trigger,
    ) -> Option<(&Arc<dyn userpool_core::Triggers>, Option<String>)> {
        let triggers = self.triggers.as_ref()?;
        match pool.settings.lambda_config.function_for(trigger) {
            Some(function) => Some((triggers, Some(function.to_owned()))),
            None => triggers
                .has(pool.id.as_str(), trigger)
                .then_some((triggers, None)),
        }
    }

    /// The pool's rules: its record plus the host's options.
    fn rules(&self, pool: &PoolRecord) -> Result<Arc<PoolRules>> {
        let mut cache = self.rules.lock().map_err(|_| {
            Error::Internal(Internal::Bug(Cause::new(
                "the rules cache's lock is poisoned",
            )))
        })?;
        if let Some((record, rules)) = cache.get(&pool.id)
            && record == pool
        {
            return Ok(Arc::clone(rules));
        }
        let rules = Arc::new(self.host.rules_for(pool)?);
        cache.insert(pool.id.clone(), (pool.clone(), Arc::clone(&rules)));
        Ok(rules)
    }

    fn forget_rules(&self, pool: &UserPoolId) {
        if let Ok(mut cache) = self.rules.lock() {
            cache.remove(pool);
        }
    }
}

/// The one place the service checks a request's `SECRET_HASH` (SPEC §11): every operation
/// that takes one calls this right after it reads the client ([`UserPools::client_for`],
/// or after the admin door's client read) and before any user is looked up, with the
/// username the request gave. A client without a secret needs none.
///
/// # Errors
/// `NotAuthorizedException`: `Client <id> is configured for secret but secret was not
/// received`, `Unable to verify secret hash for client <id>`.
pub(super) fn check_secret_hash(
    client: &ClientRecord,
    username: &str,
    given: Option<&SecretText>,
) -> Result<()> {
    crate::secret_hash::check(client, username, given.map(SecretText::expose))
}
