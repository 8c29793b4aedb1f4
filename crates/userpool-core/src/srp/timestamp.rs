//! The TIMESTAMP of a PASSWORD_VERIFIER answer: `Tue Jan 6 09:05:03 UTC 2026`.
//!
//! Every Cognito client writes the day without padding (Java's `EEE MMM d HH:mm:ss z yyyy`);
//! a padded day is accepted too **(decision, SPEC §15)**. The weekday must be the date's:
//! Cognito refuses a wrong one, and so do we. The text itself is kept, because the client
//! signed the text, not the instant.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("Mon", Weekday::Mon),
    ("Tue", Weekday::Tue),
    ("Wed", Weekday::Wed),
    ("Thu", Weekday::Thu),
    ("Fri", Weekday::Fri),
    ("Sat", Weekday::Sat),
    ("Sun", Weekday::Sun),
];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The longest timestamp text worth reading (the real ones are 27 or 28 characters).
pub(crate) const MAX_LEN: usize = 40;

fn digits(text: &str, min: usize, max: usize) -> Option<u32> {
    if !(min..=max).contains(&text.len()) || !text.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Reads the timestamp, or `None` when it is not one (wrong shape, a date that does not
/// exist, a weekday that is not the date's, a zone other than UTC).
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    if text.len() > MAX_LEN {
        return None;
    }
    let mut fields = text.split(' ');
    let mut next = || fields.next();
    let weekday = next()?;
    let month = next()?;
    let day = next()?;
    let time = next()?;
    let zone = next()?;
    let year = next()?;
    if next().is_some() || zone != "UTC" {
        return None;
    }
    let weekday = WEEKDAYS.iter().find(|(name, _)| *name == weekday)?.1;
    let month = MONTHS.iter().position(|name| *name == month)?;
    let day = digits(day, 1, 2)?;
    let year = i32::try_from(digits(year, 4, 4)?).ok()?;
    let mut hms = time.split(':');
    let hour = digits(hms.next()?, 2, 2)?;
    let minute = digits(hms.next()?, 2, 2)?;
    let second = digits(hms.next()?, 2, 2)?;
    if hms.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()? + 1, day)?;
    if date.weekday() != weekday {
        return None;
    }
    Some(date.and_hms_opt(hour, minute, second)?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cognito_timestamps_padded_or_not() {
        let expected = NaiveDate::from_ymd_opt(2026, 1, 6)
            .and_then(|d| d.and_hms_opt(9, 5, 3))
            .map(|t| t.and_utc());
        assert_eq!(parse("Tue Jan 6 09:05:03 UTC 2026"), expected);
        assert_eq!(parse("Tue Jan 06 09:05:03 UTC 2026"), expected);
        assert!(parse("Sat Dec 31 23:59:59 UTC 2022").is_some());
    }

    #[test]
    fn refuses_what_is_not_a_cognito_timestamp() {
        for text in [
            "",
            "Mon Jan 6 09:05:03 UTC 2026",  // Jan 6 2026 is a Tuesday
            "Tue Jan 6 09:05:03 GMT 2026",  // another zone
            "Tue Jan  6 09:05:03 UTC 2026", // two spaces
            "Tue Jan 6 9:05:03 UTC 2026",   // unpadded hour
            "Tue Jan 6 09:05:60 UTC 2026",  // no leap seconds
            "Tue Jan 006 09:05:03 UTC 2026",
            "Tue Jan 6 09:05:03 UTC 2026 ",
            "Tue Foo 6 09:05:03 UTC 2026",
            "Fri Feb 30 09:05:03 UTC 2026",
            "Tue Jan 6 09:05 UTC 2026",
            "Tue Jan 6 09:05:03:00 UTC 2026",
            "Tue Jan +6 09:05:03 UTC 2026",
            "tue jan 6 09:05:03 utc 2026",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
