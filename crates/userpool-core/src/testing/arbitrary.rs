//! `arbitrary::Arbitrary` for the validated inputs (valid-only: arbitrary data is repaired
//! into validity, never rejected with a panic), the policy, [`Guess`] and the [`Op`] enum
//! (feature `arbitrary`).

use arbitrary::{Arbitrary, Result, Unstructured};

use super::ops::{Guess, MALFORMED_PASSWORDS, VALID_PASSWORDS, WEAK_PASSWORDS};
use crate::input::{Password, UserPoolId, Username};
use crate::policy::PasswordPolicy;

const POOL_ID_HEAD: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
const POOL_ID_TAIL: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn pick(alphabet: &[u8], byte: u8) -> char {
    // invariant: the alphabets are non-empty constants, so the index is in range.
    char::from(alphabet[usize::from(byte) % alphabet.len()])
}

impl<'a> Arbitrary<'a> for UserPoolId {
    /// `<head>_<tail>` with both parts drawn from their alphabets, 55 characters at most.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let head_len = u.int_in_range(1..=27)?;
        let tail_len = u.int_in_range(1..=27)?;
        let mut id = String::with_capacity(head_len + tail_len + 1);
        for _ in 0..head_len {
            id.push(pick(POOL_ID_HEAD, u.arbitrary()?));
        }
        id.push('_');
        for _ in 0..tail_len {
            id.push(pick(POOL_ID_TAIL, u.arbitrary()?));
        }
        UserPoolId::parse(&id)
            .or_else(|_| UserPoolId::parse("us-east-1_example"))
            .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Username {
    /// An arbitrary string with its whitespace, control and format characters dropped,
    /// cut to 128 characters; `user` when nothing is left.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let raw: String = u.arbitrary()?;
        let kept: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_ascii_punctuation())
            .take(128)
            .collect();
        Username::parse(&kept)
            .or_else(|_| {
                let ascii: String = kept.chars().filter(char::is_ascii_graphic).collect();
                Username::parse(&ascii)
            })
            .or_else(|_| Username::parse("user"))
            .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Password {
    /// An arbitrary string with control characters dropped, trimmed, cut to 256
    /// characters and padded to two; a fixed valid password when repair fails.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let raw: String = u.arbitrary()?;
        let kept: String = raw.chars().filter(|c| !c.is_control()).take(256).collect();
        let mut text = kept.trim().to_owned();
        while text.chars().count() < 2 {
            text.push('x');
        }
        Password::parse(&text)
            .or_else(|_| {
                let ascii: String = text.chars().filter(char::is_ascii_graphic).collect();
                Password::parse(&format!("{ascii}xx"))
            })
            .or_else(|_| Password::parse(VALID_PASSWORDS[0]))
            .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for PasswordPolicy {
    /// Every setting within Cognito's ranges (SPEC §2); the optional extras stay off.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        PasswordPolicy::builder()
            .minimum_length(u.int_in_range(6..=99)?)
            .require_uppercase(u.arbitrary()?)
            .require_lowercase(u.arbitrary()?)
            .require_numbers(u.arbitrary()?)
            .require_symbols(u.arbitrary()?)
            .password_history_size(u.int_in_range(0..=24)?)
            .temporary_password_validity_days(u.int_in_range(0..=365)?)
            .build()
            .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Guess {
    /// Mostly the current password or one of the test passwords (so history repeats and
    /// sign-ins succeed), sometimes an arbitrary string.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let choice: u8 = u.arbitrary()?;
        let pick = |list: &[&str], at: u8| Guess::from(list[usize::from(at) % list.len()]);
        Ok(match choice % 16 {
            0..=4 => Guess::Current,
            5..=10 => pick(&VALID_PASSWORDS, choice / 16),
            11..=12 => pick(&WEAK_PASSWORDS, choice / 16),
            13 => pick(&MALFORMED_PASSWORDS, choice / 16),
            _ => Guess::Text(u.arbitrary()?),
        })
    }
}

/// Seconds for [`super::Op::AdvanceTime`]: mostly the boundaries of SPEC §4–§6 (see
/// [`super::strategies`]), sometimes any amount up to a year.
///
/// # Errors
/// When the data runs out.
pub(crate) fn seconds(u: &mut Unstructured<'_>) -> Result<u32> {
    const STEPS: [u32; 8] = [0, 1, 120, 240, 960, 3_700, 86_400, 691_200];
    let choice: u8 = u.arbitrary()?;
    if choice < 224 {
        Ok(STEPS[usize::from(choice) % STEPS.len()])
    } else {
        u.int_in_range(0..=31_536_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Op;

    #[test]
    fn arbitrary_inputs_are_valid_from_any_bytes() {
        let mut data = Vec::new();
        for round in 0u32..400 {
            data.extend(
                round
                    .to_le_bytes()
                    .iter()
                    .map(|b| b.wrapping_mul(37) ^ 0xa5),
            );
            data.extend("  \t\u{0}é ﬁ x".as_bytes());
            let mut u = Unstructured::new(&data);
            let _: UserPoolId = u.arbitrary().expect("pool id");
            let _: Username = u.arbitrary().expect("username");
            let _: Password = u.arbitrary().expect("password");
            let _: Vec<Op> = u.arbitrary().expect("ops");
            let mut u = Unstructured::new(&data);
            let _ = PasswordPolicy::arbitrary(&mut u);
        }
    }
}
