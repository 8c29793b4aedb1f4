//! How often (SPEC §7): optional token buckets per pool and per Cognito quota category.
//!
//! Each bucket holds up to one second's worth of requests and refills continuously at the
//! category's rate; time comes from the service's [`crate::Clock`], so tests advance it
//! instead of sleeping. A refused request changes nothing and fails with
//! `TooManyRequestsException`.
//!
//! Hand-rolled rather than taken from `governor`: that crate's clocks are `Instant`-based,
//! and ours must be the injected wall clock the rest of the service uses.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use userpool_core::{Error, Internal, UserPoolId};

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
    /// AdminGetUser, ListUsers, and the host's `get_user_by_sub` (GetUser): 120/s.
    UserRead,
    /// AdminDeleteUser, AdminDisableUser, AdminEnableUser, AdminUpdateUserAttributes: 25/s.
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

/// Rates per category, in requests per second per pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    rates: HashMap<Category, u32>,
}

impl Default for RateLimits {
    /// Cognito's default quotas (SPEC §7).
    fn default() -> Self {
        RateLimits {
            rates: Category::ALL
                .into_iter()
                .map(|c| (c, c.default_rate()))
                .collect(),
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
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: DateTime<Utc>,
}

/// Buckets kept before idle (full) ones are dropped, so that requests naming many pools
/// cannot grow memory without bound.
const PRUNE_ABOVE: usize = 10_000;

/// Token buckets per pool and category.
#[derive(Debug, Default)]
pub struct RateLimiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<(UserPoolId, Category), Bucket>>,
}

impl RateLimiter {
    /// A limiter with the given rates.
    #[must_use]
    pub fn new(limits: RateLimits) -> Self {
        RateLimiter {
            limits,
            buckets: Mutex::new(HashMap::new()),
        }
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
        let mut buckets = self
            .buckets
            .lock()
            .map_err(|_| Error::Internal(Internal::Storage))?;
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
        *bucket = refill(*bucket, rate, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Error::TooManyRequests)
        }
    }
}

/// The bucket after refilling at `rate` per second until `now` (a clock that went back
/// refills nothing).
fn refill(bucket: Bucket, rate: f64, now: DateTime<Utc>) -> Bucket {
    let elapsed = (now - bucket.refilled_at)
        .num_microseconds()
        .unwrap_or(i64::MAX);
    if elapsed <= 0 {
        return bucket;
    }
    #[allow(clippy::cast_precision_loss)] // microseconds far below 2^52 matter here
    let seconds = elapsed as f64 / 1e6;
    Bucket {
        tokens: (bucket.tokens + seconds * rate).min(rate),
        refilled_at: now,
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
}
