//! How often (SPEC §7, §13): optional token buckets per pool and per Cognito quota
//! category, and per client address and per username for the unauthenticated operations.
//!
//! Each pool bucket holds up to one second's worth of requests and refills continuously at
//! the category's rate; time comes from the service's [`crate::Clock`], so tests advance it
//! instead of sleeping. A refused request changes nothing and fails with
//! `TooManyRequestsException`.
//!
//! The keyed buckets (per address, per username; SPEC §13) keep one client from spending a
//! whole pool's quota. Their memory is bounded: at most [`RateLimits::max_tracked_keys`]
//! buckets per kind, keys are stored as 64-bit keyed digests (a username costs 8 bytes, not
//! its length), a full bucket is forgotten (a fresh one would be the same), and when every
//! tracked bucket is in use a *new* key is refused until some refill, so a flood of distinct
//! usernames or addresses costs a fixed table, never more.
//!
//! **Limits are per process**: several processes over one store each allow the full rate
//! (SPEC §20).
//!
//! Hand-rolled rather than taken from `governor`: that crate's clocks are `Instant`-based,
//! and ours must be the injected wall clock the rest of the service uses.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use userpool_core::{Cause, Error, Internal, UserPoolId};

/// Cognito's quota categories (SPEC §7), each with its default rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// AdminSetUserPassword, ChangePassword, AdminResetUserPassword, ForgotPassword,
    /// ConfirmForgotPassword: 30 requests per second.
    UserAccountRecovery,
    /// InitiateAuth, RespondToAuthChallenge, AdminInitiateAuth, AdminRespondToAuthChallenge
    /// (and the host's federated sign-in): 120/s.
    UserAuthentication,
    /// SignUp, ConfirmSignUp, AdminCreateUser, AdminConfirmSignUp: 50/s.
    UserCreation,
    /// AdminGetUser, ListUsers, and the host's `get_user_by_sub` (GetUser): 120/s. Also
    /// the group reads (GetGroup, ListGroups, AdminListGroupsForUser, ListUsersInGroup),
    /// the closest of these categories to Cognito's own for them (SPEC §17).
    UserRead,
    /// AdminDeleteUser, AdminDisableUser, AdminEnableUser, AdminUpdateUserAttributes: 25/s.
    /// Also the group writes (CreateGroup, UpdateGroup, DeleteGroup, AdminAddUserToGroup,
    /// AdminRemoveUserFromGroup), as for the reads (SPEC §17).
    UserUpdate,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 5] = [
        Category::UserAccountRecovery,
        Category::UserAuthentication,
        Category::UserCreation,
        Category::UserRead,
        Category::UserUpdate,
    ];

    /// Cognito's default rate for the category, in requests per second.
    #[must_use]
    pub const fn default_rate(self) -> u32 {
        match self {
            Category::UserAccountRecovery => 30,
            Category::UserAuthentication | Category::UserRead => 120,
            Category::UserCreation => 50,
            Category::UserUpdate => 25,
        }
    }

    /// The category's name, as Cognito's quota console spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::UserAccountRecovery => "UserAccountRecovery",
            Category::UserAuthentication => "UserAuthentication",
            Category::UserCreation => "UserCreation",
            Category::UserRead => "UserRead",
            Category::UserUpdate => "UserUpdate",
        }
    }
}

/// A token bucket's shape: `per_second` requests refilled continuously, at most `burst`
/// at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests refilled per second.
    pub per_second: u32,
    /// Requests allowed at once (the bucket's size), at least 1 unless `per_second` is 0.
    pub burst: u32,
}

impl Quota {
    /// The default per client address (SPEC §13): 25 requests a second, bursts of 100.
    /// One address cannot take a pool's `UserAuthentication` quota (120/s), and an
    /// ordinary client test suite from one address never meets it.
    pub const PER_ADDRESS: Quota = Quota {
        per_second: 25,
        burst: 100,
    };

    /// The default per username (SPEC §13): 10 requests a second, bursts of 50 (a client
    /// suite's 40 concurrent wrong passwords against one user, testing the lockout, stay
    /// under it; the lockout and SPEC §12's code limits bound guessing, this bounds the
    /// load one account can draw from many addresses).
    pub const PER_USERNAME: Quota = Quota {
        per_second: 10,
        burst: 50,
    };
}

/// How many keys (addresses, usernames) each keyed table tracks by default.
pub const DEFAULT_MAX_TRACKED_KEYS: usize = 100_000;

/// Rates per category, in requests per second per pool, and the per-address and
/// per-username quotas of the unauthenticated operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    rates: HashMap<Category, u32>,
    per_address: Quota,
    per_username: Quota,
    max_tracked_keys: usize,
}

impl Default for RateLimits {
    /// Cognito's default quotas (SPEC §7), [`Quota::PER_ADDRESS`],
    /// [`Quota::PER_USERNAME`] and [`DEFAULT_MAX_TRACKED_KEYS`].
    fn default() -> Self {
        RateLimits {
            rates: Category::ALL
                .into_iter()
                .map(|c| (c, c.default_rate()))
                .collect(),
            per_address: Quota::PER_ADDRESS,
            per_username: Quota::PER_USERNAME,
            max_tracked_keys: DEFAULT_MAX_TRACKED_KEYS,
        }
    }
}

impl RateLimits {
    /// Cognito's default quotas, the same as `RateLimits::default()`.
    #[must_use]
    pub fn cognito_defaults() -> Self {
        RateLimits::default()
    }

    /// Sets one category's rate, in requests per second (0 refuses every request).
    #[must_use]
    pub fn with_rate(mut self, category: Category, per_second: u32) -> Self {
        self.rates.insert(category, per_second);
        self
    }

    /// The rate of a category.
    #[must_use]
    pub fn rate(&self, category: Category) -> u32 {
        self.rates
            .get(&category)
            .copied()
            .unwrap_or(category.default_rate())
    }

    /// Sets the quota per client address ([`RateLimiter::check_address`]).
    #[must_use]
    pub fn with_per_address(mut self, quota: Quota) -> Self {
        self.per_address = quota;
        self
    }

    /// Sets the quota per username ([`RateLimiter::check_username`]).
    #[must_use]
    pub fn with_per_username(mut self, quota: Quota) -> Self {
        self.per_username = quota;
        self
    }

    /// Sets how many addresses (and, separately, usernames) are tracked at most, at least 1.
    #[must_use]
    pub fn with_max_tracked_keys(mut self, keys: usize) -> Self {
        self.max_tracked_keys = keys.max(1);
        self
    }

    /// The quota per client address.
    #[must_use]
    pub fn per_address(&self) -> Quota {
        self.per_address
    }

    /// The quota per username.
    #[must_use]
    pub fn per_username(&self) -> Quota {
        self.per_username
    }

    /// How many keys each keyed table tracks at most.
    #[must_use]
    pub fn max_tracked_keys(&self) -> usize {
        self.max_tracked_keys
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: DateTime<Utc>,
}

/// Buckets kept before idle (full) ones are dropped, so that requests naming many pools
/// cannot grow memory without bound.
const PRUNE_ABOVE: usize = 10_000;

/// Token buckets per pool and category, per client address and per username.
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<(UserPoolId, Category), Bucket>>,
    addresses: KeyedBuckets,
    usernames: KeyedBuckets,
    /// Keys the digests of usernames and addresses (random per process, so no one can aim
    /// collisions).
    digest: RandomState,
}

impl Default for RateLimiter {
    /// [`RateLimits::default`].
    fn default() -> Self {
        RateLimiter::new(RateLimits::default())
    }
}

impl RateLimiter {
    /// A limiter with the given rates.
    #[must_use]
    pub fn new(limits: RateLimits) -> Self {
        RateLimiter {
            addresses: KeyedBuckets::new(limits.per_address, limits.max_tracked_keys),
            usernames: KeyedBuckets::new(limits.per_username, limits.max_tracked_keys),
            limits,
            buckets: Mutex::new(HashMap::new()),
            digest: RandomState::new(),
        }
    }

    /// Takes one token from the bucket of a client address at `now` (SPEC §13). IPv6
    /// addresses count by their /64 prefix (one host holds a whole /64), and an
    /// IPv4-mapped IPv6 address as its IPv4 address.
    ///
    /// # Errors
    /// `TooManyRequestsException` when the bucket is empty, or when it is a new address and
    /// every tracked bucket is in use; `InternalErrorException` when the lock is poisoned.
    pub fn check_address(&self, address: IpAddr, now: DateTime<Utc>) -> userpool_core::Result<()> {
        let key = match address.to_canonical() {
            IpAddr::V4(v4) => self.digest.hash_one((4u8, u32::from(v4))),
            IpAddr::V6(v6) => self.digest.hash_one((6u8, u128::from(v6) >> 64)),
        };
        self.addresses.check(key, now)
    }

    /// Takes one token from the bucket of `username` as named through `scope` (the app
    /// client id, or a pool id) at `now` (SPEC §13). Case is ignored, so that `Alice` and
    /// `alice` share one bucket.
    ///
    /// # Errors
    /// As [`RateLimiter::check_address`].
    pub fn check_username(
        &self,
        scope: &str,
        username: &str,
        now: DateTime<Utc>,
    ) -> userpool_core::Result<()> {
        // A username is at most 128 characters (SPEC §1): a longer one, invalid anyway, is
        // keyed by its first 128, so an oversized name costs no more than a valid one.
        let name: String = username
            .chars()
            .take(128)
            .flat_map(char::to_lowercase)
            .collect();
        let key = self.digest.hash_one((scope, name.as_str()));
        self.usernames.check(key, now)
    }

    /// How many address and username buckets are tracked now (for tests and metrics).
    #[must_use]
    pub fn tracked_keys(&self) -> (usize, usize) {
        (self.addresses.len(), self.usernames.len())
    }

    /// The configured rates.
    #[must_use]
    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Takes one token from the pool's bucket for `category` at `now`.
    ///
    /// # Errors
    /// `TooManyRequestsException` when the bucket is empty; `InternalErrorException` when
    /// the limiter's lock is poisoned.
    pub fn check(
        &self,
        pool: &UserPoolId,
        category: Category,
        now: DateTime<Utc>,
    ) -> userpool_core::Result<()> {
        let rate = f64::from(self.limits.rate(category));
        let mut buckets = self.buckets.lock().map_err(|_| {
            Error::Internal(Internal::Bug(Cause::new(
                "the rate limiter's lock is poisoned",
            )))
        })?;
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|(_, c), b| {
                refill(*b, f64::from(self.limits.rate(*c)), now).tokens
                    < f64::from(self.limits.rate(*c))
            });
        }
        let bucket = buckets.entry((pool.clone(), category)).or_insert(Bucket {
            tokens: rate,
            refilled_at: now,
        });
        take(bucket, rate, rate, now)
    }
}

/// Refills `bucket` (of size `burst`, at `rate` per second) until `now`, then takes one
/// token from it.
///
/// # Errors
/// `TooManyRequestsException` when not a whole token is left.
fn take(
    bucket: &mut Bucket,
    rate: f64,
    burst: f64,
    now: DateTime<Utc>,
) -> userpool_core::Result<()> {
    *bucket = refill_to(*bucket, rate, burst, now);
    if bucket.tokens >= 1.0 {
        bucket.tokens -= 1.0;
        Ok(())
    } else {
        Err(Error::TooManyRequests)
    }
}

/// The bucket after refilling at `rate` per second until `now` (a clock that went back
/// refills nothing).
fn refill(bucket: Bucket, rate: f64, now: DateTime<Utc>) -> Bucket {
    refill_to(bucket, rate, rate, now)
}

/// [`refill`] for a bucket of size `burst`.
fn refill_to(bucket: Bucket, rate: f64, burst: f64, now: DateTime<Utc>) -> Bucket {
    let elapsed = (now - bucket.refilled_at)
        .num_microseconds()
        .unwrap_or(i64::MAX);
    if elapsed <= 0 {
        return bucket;
    }
    #[allow(clippy::cast_precision_loss)] // microseconds far below 2^52 matter here
    let seconds = elapsed as f64 / 1e6;
    Bucket {
        tokens: (bucket.tokens + seconds * rate).min(burst),
        refilled_at: now,
    }
}

/// A bounded table of token buckets keyed by 64-bit digests (see the module doc).
#[derive(Debug)]
struct KeyedBuckets {
    quota: Quota,
    max_keys: usize,
    table: Mutex<KeyedTable>,
}

#[derive(Debug, Default)]
struct KeyedTable {
    buckets: HashMap<u64, Bucket>,
    /// When the table was last swept for full buckets while at its cap: at most one sweep
    /// a second, so a flood of new keys costs no more than one pass over the table each
    /// second.
    swept_at: Option<DateTime<Utc>>,
}

impl KeyedBuckets {
    fn new(quota: Quota, max_keys: usize) -> Self {
        KeyedBuckets {
            quota,
            max_keys: max_keys.max(1),
            table: Mutex::new(KeyedTable::default()),
        }
    }

    fn len(&self) -> usize {
        self.table.lock().map_or(0, |t| t.buckets.len())
    }

    fn check(&self, key: u64, now: DateTime<Utc>) -> userpool_core::Result<()> {
        let quota = self.quota;
        let (rate, burst) = (f64::from(quota.per_second), f64::from(quota.burst));
        let mut table = self.table.lock().map_err(|_| {
            Error::Internal(Internal::Bug(Cause::new(
                "the rate limiter's lock is poisoned",
            )))
        })?;
        if !table.buckets.contains_key(&key) && table.buckets.len() >= self.max_keys {
            let due = table
                .swept_at
                .is_none_or(|at| now - at >= chrono::TimeDelta::seconds(1) || now < at);
            if due {
                table.swept_at = Some(now);
                table
                    .buckets
                    .retain(|_, b| refill_to(*b, rate, burst, now).tokens < burst);
            }
            if table.buckets.len() >= self.max_keys {
                return Err(Error::TooManyRequests);
            }
        }
        let bucket = table.buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            refilled_at: now,
        });
        take(bucket, rate, burst, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn pool() -> UserPoolId {
        UserPoolId::parse("us-east-1_Rate1").expect("valid")
    }

    #[test]
    fn bucket_allows_its_rate_then_refuses_then_refills() {
        let limiter = RateLimiter::new(RateLimits::default().with_rate(Category::UserUpdate, 3));
        let t0 = userpool_core::testing::epoch();
        for _ in 0..3 {
            limiter
                .check(&pool(), Category::UserUpdate, t0)
                .expect("within rate");
        }
        assert_eq!(
            limiter.check(&pool(), Category::UserUpdate, t0),
            Err(Error::TooManyRequests)
        );
        let later = t0 + TimeDelta::milliseconds(334);
        limiter
            .check(&pool(), Category::UserUpdate, later)
            .expect("one token refilled");
        assert!(limiter.check(&pool(), Category::UserUpdate, later).is_err());
        // A clock that goes back refills nothing and does not panic.
        assert!(limiter.check(&pool(), Category::UserUpdate, t0).is_err());
    }

    #[test]
    fn zero_rate_refuses_everything() {
        let limiter = RateLimiter::new(RateLimits::default().with_rate(Category::UserRead, 0));
        let t0 = userpool_core::testing::epoch();
        assert!(limiter.check(&pool(), Category::UserRead, t0).is_err());
    }

    fn keyed(per_second: u32, burst: u32, max_keys: usize) -> RateLimiter {
        let quota = Quota { per_second, burst };
        RateLimiter::new(
            RateLimits::default()
                .with_per_address(quota)
                .with_per_username(quota)
                .with_max_tracked_keys(max_keys),
        )
    }

    /// SPEC §13: one address's bucket is its own; another address is untouched.
    #[test]
    fn spec_13_an_address_spends_only_its_own_bucket() {
        let limiter = keyed(1, 3, 100);
        let t0 = userpool_core::testing::epoch();
        let (a, b): (IpAddr, IpAddr) = ([127, 0, 0, 1].into(), [127, 0, 0, 2].into());
        for _ in 0..3 {
            limiter.check_address(a, t0).expect("within burst");
        }
        assert_eq!(limiter.check_address(a, t0), Err(Error::TooManyRequests));
        limiter.check_address(b, t0).expect("another address");
        // The same host over IPv6: every address of one /64 shares a bucket.
        let v6 = |last: u16| IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, last]);
        for last in 0..3 {
            limiter.check_address(v6(last), t0).expect("within burst");
        }
        assert!(limiter.check_address(v6(99), t0).is_err());
        // An IPv4-mapped IPv6 address is its IPv4 address.
        let mapped = IpAddr::from(std::net::Ipv4Addr::new(127, 0, 0, 1).to_ipv6_mapped());
        assert!(limiter.check_address(mapped, t0).is_err());
        let later = t0 + TimeDelta::seconds(1);
        limiter.check_address(a, later).expect("refilled");
    }

    /// SPEC §13: a username's bucket ignores case and is scoped by client.
    #[test]
    fn spec_13_a_username_bucket_ignores_case_and_is_per_scope() {
        let limiter = keyed(1, 2, 100);
        let t0 = userpool_core::testing::epoch();
        limiter.check_username("client", "Alice", t0).expect("1");
        limiter.check_username("client", "alice", t0).expect("2");
        assert_eq!(
            limiter.check_username("client", "ALICE", t0),
            Err(Error::TooManyRequests)
        );
        limiter.check_username("client", "bob", t0).expect("bob");
        limiter
            .check_username("other-client", "alice", t0)
            .expect("scope");
    }

    /// SPEC §13: a thousand distinct usernames a second for a minute never track more than
    /// the cap, and idle buckets make room, so new names keep being served.
    #[test]
    fn spec_13_keyed_buckets_have_bounded_memory() {
        let cap = 500;
        let limiter = keyed(5, 25, cap);
        let t0 = userpool_core::testing::epoch();
        let mut refused = 0;
        for i in 0..60_000u32 {
            let now = t0 + TimeDelta::milliseconds(i64::from(i));
            if limiter
                .check_username("c", &format!("user-{i}"), now)
                .is_err()
            {
                refused += 1;
            }
            let (_, tracked) = limiter.tracked_keys();
            assert!(tracked <= cap, "{tracked} buckets tracked at {i}");
        }
        // Each bucket is full again 0.2 s after its one request, so a sweep a second frees
        // all but the last second's: most new names are served.
        assert!(refused < 60_000 / 2, "{refused} refused");
        // With a table full of buckets in use, a new key is refused, an old one still served.
        let limiter = keyed(1, 10, 2);
        limiter.check_username("c", "a", t0).expect("a");
        limiter.check_username("c", "b", t0).expect("b");
        assert_eq!(
            limiter.check_username("c", "new", t0),
            Err(Error::TooManyRequests)
        );
        limiter.check_username("c", "a", t0).expect("a again");
        // Ten seconds later both are full (idle) and forgotten: the new key gets a bucket.
        let later = t0 + TimeDelta::seconds(10);
        limiter
            .check_username("c", "new", later)
            .expect("room made");
        assert!(limiter.tracked_keys().1 <= 2);
    }
}
