//! Confirmation and reset codes that cannot be brute-forced (SPEC §12).
//!
//! A code is six digits: a million values. What keeps an attacker who knows only a username
//! from guessing it is counting, **per user and purpose, across reissued codes**:
//!
//! - **Wrong attempts.** Every wrong code is recorded in the user's [`CodeThrottle`] for
//!   its purpose. Once [`PoolRules::code_attempts`] (5) wrong codes fall within the last
//!   [`PoolRules::code_window`] (1 hour), every code check for that purpose fails with
//!   `LimitExceededException` `Attempt limit exceeded, please try after some time.` — before
//!   the code is even looked at, and without writing anything — until an hour after the
//!   first of them **(decision: Cognito documents a limit, not its numbers)**. Issuing a
//!   new code does not reset this count: that was the hole (each ForgotPassword used to
//!   start a fresh count).
//! - **Issued codes.** At most [`PoolRules::codes_per_window`] (5) codes per user and
//!   purpose are issued in any rolling hour; a further ForgotPassword,
//!   ResendConfirmationCode or AdminResetUserPassword is `LimitExceededException`, issues
//!   nothing and writes nothing (so nothing is delivered).
//! - **A correct code** clears both counts of its purpose.
//!
//! So an attacker gets at most five guesses an hour against 10^6 codes.
//!
//! What counts **(decision)**: only a code actually compared and found wrong counts as a
//! wrong attempt. A check refused before comparing (the limit reached, no pending code, an
//! expired code, a user in a status that takes no code) writes nothing and counts nothing,
//! and neither does a refused issuance: hammering a locked user does not extend the lock.
//! A correct code whose operation then fails (ConfirmForgotPassword with a password the
//! policy refuses) resets nothing either: nothing is written.
//!
//! Both windows roll: an instant counts while it is less than `code_window` old (an
//! instant in the future, from a clock set back, counts too). Each list keeps only the
//! entries that still count and at most its limit of them, so a record stays small.

use chrono::{DateTime, Utc};

use crate::config::{Context, PoolRules, later};
use crate::error::{Error, Result};
use crate::generate;
use crate::input::ConfirmationCode;
use crate::secret::SecretDigest;
use crate::transitions::Refused;
use crate::user::{CodePurpose, CodeThrottle, PendingCode, UserRecord};

/// A configured limit as a list length, capped at [`CodeThrottle::MAX_TRACKED`].
fn capped(limit: u32) -> usize {
    usize::try_from(limit)
        .unwrap_or(CodeThrottle::MAX_TRACKED)
        .min(CodeThrottle::MAX_TRACKED)
}

/// Whether an event at `at` still counts at `now`.
fn counts(at: DateTime<Utc>, now: DateTime<Utc>, rules: &PoolRules) -> bool {
    now < later(at, rules.code_window)
}

/// How many of `events` still count at `now`.
fn counting(events: &[DateTime<Utc>], now: DateTime<Utc>, rules: &PoolRules) -> usize {
    events.iter().filter(|&&at| counts(at, now, rules)).count()
}

/// Drops the events that no longer count, then the oldest beyond `keep`.
fn prune(events: &mut Vec<DateTime<Utc>>, now: DateTime<Utc>, rules: &PoolRules, keep: usize) {
    events.retain(|&at| counts(at, now, rules));
    let excess = events.len().saturating_sub(keep);
    events.drain(..excess);
}

/// `throttle` with only what still counts at `now`.
fn pruned(throttle: &CodeThrottle, now: DateTime<Utc>, rules: &PoolRules) -> CodeThrottle {
    let mut next = throttle.clone();
    prune(&mut next.failures, now, rules, capped(rules.code_attempts));
    prune(&mut next.issued, now, rules, capped(rules.codes_per_window));
    next
}

impl CodeThrottle {
    /// Whether code checks are refused at `now` under `rules`: the limit of wrong attempts
    /// is reached within the window (SPEC §12).
    #[must_use]
    pub fn checks_locked(&self, now: DateTime<Utc>, rules: &PoolRules) -> bool {
        counting(&self.failures, now, rules) >= capped(rules.code_attempts)
    }

    /// Whether issuing a code is refused at `now` under `rules`: the limit of codes issued
    /// within the window is reached (SPEC §12).
    #[must_use]
    pub fn issuing_locked(&self, now: DateTime<Utc>, rules: &PoolRules) -> bool {
        counting(&self.issued, now, rules) >= capped(rules.codes_per_window)
    }
}

/// Issues a code of `purpose` valid for `validity` to `user` (`None`: a user being created),
/// unless the issuance limit is reached. Returns the pending code, the code to deliver and
/// the throttle to store with them.
///
/// # Errors
/// `LimitExceededException` past the issuance limit; `InternalErrorException` when
/// entropy fails.
pub(crate) fn issue(
    user: Option<&UserRecord>,
    purpose: CodePurpose,
    validity: chrono::TimeDelta,
    rules: &PoolRules,
    ctx: &mut Context<'_>,
) -> Result<(PendingCode, ConfirmationCode, CodeThrottle)> {
    let mut throttle = user.map_or_else(CodeThrottle::default, |u| {
        pruned(u.code_throttles.get(purpose), ctx.now, rules)
    });
    if throttle.issuing_locked(ctx.now, rules) {
        return Err(Error::LimitExceeded);
    }
    throttle.issued.push(ctx.now);
    let code = generate::confirmation_code(ctx.entropy)?;
    let digest = SecretDigest::new(code.expose().as_bytes(), ctx.entropy)?;
    let pending = PendingCode {
        purpose,
        digest,
        expires_at: later(ctx.now, validity),
        failed_attempts: 0,
        held_value: None,
    };
    Ok((pending, code, throttle))
}

/// Checks `code` against the user's pending code of `purpose`. A wrong code is counted,
/// and the refusal carries the record with that count to store.
///
/// # Errors
/// `LimitExceededException` while the wrong attempts of the window are at the limit
/// (nothing to store); `ExpiredCodeException` with no pending code of this purpose or an
/// expired one (nothing to store); `CodeMismatchException` with the record to store.
pub(crate) fn check(
    user: &UserRecord,
    purpose: CodePurpose,
    code: &ConfirmationCode,
    rules: &PoolRules,
    ctx: &Context<'_>,
) -> Result<(), Refused> {
    if user
        .code_throttles
        .get(purpose)
        .checks_locked(ctx.now, rules)
    {
        return Err(Error::LimitExceeded.into());
    }
    let Some(pending) = user.pending_code.as_ref().filter(|p| p.purpose == purpose) else {
        return Err(Error::ExpiredCode.into());
    };
    if ctx.now >= pending.expires_at {
        return Err(Error::ExpiredCode.into());
    }
    if pending.digest.matches(code.expose().as_bytes()) {
        return Ok(());
    }
    let mut counted = user.clone();
    let throttle = counted.code_throttles.get_mut(purpose);
    *throttle = pruned(throttle, ctx.now, rules);
    throttle.failures.push(ctx.now);
    if let Some(p) = counted.pending_code.as_mut() {
        p.failed_attempts = p.failed_attempts.saturating_add(1);
    }
    counted.modified_at = ctx.now;
    Err(Refused {
        error: Error::CodeMismatch,
        record: Some(Box::new(counted)),
    })
}

/// After a correct code of `purpose` was used: both counts start over (SPEC §12).
pub(crate) fn reset(user: &mut UserRecord, purpose: CodePurpose) {
    *user.code_throttles.get_mut(purpose) = CodeThrottle::default();
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::testing::{epoch, insecure_fast_rules};

    fn rules() -> PoolRules {
        insecure_fast_rules(crate::PasswordPolicy::default())
    }

    #[test]
    fn an_event_counts_for_exactly_one_window() {
        let rules = rules();
        let t = epoch();
        assert!(counts(t, t, &rules));
        assert!(counts(t, t + TimeDelta::minutes(59), &rules));
        assert!(!counts(t, t + TimeDelta::hours(1), &rules));
        // A clock set back: the event is in the future and still counts.
        assert!(counts(t, t - TimeDelta::hours(5), &rules));
    }

    #[test]
    fn pruning_keeps_what_counts_and_at_most_the_limit() {
        let rules = rules();
        let t = epoch();
        let mut events: Vec<_> = (0..10).map(|i| t + TimeDelta::minutes(i * 10)).collect();
        prune(&mut events, t + TimeDelta::minutes(75), &rules, 3);
        assert_eq!(
            events,
            vec![
                t + TimeDelta::minutes(70),
                t + TimeDelta::minutes(80),
                t + TimeDelta::minutes(90)
            ]
        );
    }

    #[test]
    fn limits_are_capped_at_max_tracked() {
        assert_eq!(capped(5), 5);
        assert_eq!(capped(u32::MAX), CodeThrottle::MAX_TRACKED);
    }

    #[test]
    fn a_window_of_failures_locks_checks_until_the_first_ages_out() {
        let rules = rules();
        let t = epoch();
        let throttle = CodeThrottle {
            failures: (0..5).map(|i| t + TimeDelta::minutes(i)).collect(),
            issued: Vec::new(),
        };
        assert!(throttle.checks_locked(t + TimeDelta::minutes(30), &rules));
        assert!(throttle.checks_locked(t + TimeDelta::minutes(59), &rules));
        assert!(!throttle.checks_locked(t + TimeDelta::hours(1), &rules));
        assert!(!throttle.issuing_locked(t, &rules));
    }
}
