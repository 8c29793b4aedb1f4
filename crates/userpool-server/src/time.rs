//! The server's clock: the system clock, shifted for tests that need to be in the future
//! (a temporary password past its expiry) without waiting days.

use chrono::{DateTime, TimeDelta, Utc};
use userpool::{Clock, SystemClock};

/// The system clock plus a fixed offset (zero in production; `--test-clock-offset-secs`).
#[derive(Debug, Clone, Copy, Default)]
pub struct OffsetClock {
    offset: TimeDelta,
}

impl OffsetClock {
    /// A clock `offset_secs` seconds ahead of the system clock (behind if negative).
    #[must_use]
    pub fn new(offset_secs: i64) -> Self {
        OffsetClock {
            offset: TimeDelta::try_seconds(offset_secs).unwrap_or(TimeDelta::zero()),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        let now = SystemClock.now();
        now.checked_add_signed(self.offset).unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_shifts_now() {
        let ahead = OffsetClock::new(8 * 86_400).now() - SystemClock.now();
        assert!(
            ahead > TimeDelta::days(8) - TimeDelta::minutes(1),
            "{ahead}"
        );
        assert!(ahead <= TimeDelta::days(8), "{ahead}");
    }

    #[test]
    fn an_absurd_offset_is_ignored_rather_than_a_panic() {
        let drift = OffsetClock::new(i64::MAX).now() - SystemClock.now();
        assert!(drift < TimeDelta::minutes(1));
    }
}
