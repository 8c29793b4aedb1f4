//! Time as an input: the service asks a [`Clock`], never the system directly, so tests
//! drive time with a [`ManualClock`] and never sleep.

use chrono::{DateTime, SubsecRound, Utc};

/// Where the service gets "now".
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock, truncated to whole microseconds **(decision: stores are required to
/// keep microseconds, see the conformance kit, so what is written reads back equal)**.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that moves only when told to (feature `test-util`).
///
/// ```
/// use chrono::TimeDelta;
/// use userpool::{Clock, ManualClock};
/// let clock = ManualClock::new(userpool_core::testing::epoch());
/// let start = clock.now();
/// clock.advance(TimeDelta::seconds(2));
/// assert_eq!(clock.now() - start, TimeDelta::seconds(2));
/// ```
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<DateTime<Utc>>);

#[cfg(feature = "test-util")]
impl ManualClock {
    /// A clock standing at `start`.
    #[must_use]
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock(std::sync::Mutex::new(start))
    }

    /// Moves the clock to `to`.
    pub fn set(&self, to: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = to;
    }

    /// Moves the clock forward (or back, with a negative delta).
    pub fn advance(&self, by: chrono::TimeDelta) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

#[cfg(feature = "test-util")]
impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_has_whole_microseconds() {
        assert_eq!(SystemClock.now().timestamp_subsec_nanos() % 1_000, 0);
    }
}
