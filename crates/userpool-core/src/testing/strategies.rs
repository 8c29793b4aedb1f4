//! proptest strategies for every input of SPEC §1, for policies in Cognito's ranges (§2),
//! for passwords that meet a policy or break exactly one of its rules, and for sequences of
//! [`Op`]s (feature `proptest`).
//!
//! Invalid inputs come labelled with the SPEC §1 rule they break ([`PoolIdFault`],
//! [`UsernameFault`], [`PasswordFault`]), so a test can assert the message names it.

use proptest::collection::vec;
use proptest::prelude::*;

use super::ops::{
    Guess, MALFORMED_PASSWORDS, Name, Op, VALID_PASSWORDS, WEAK_PASSWORDS, numbered_password,
};
use crate::error::PolicyViolation;
use crate::input::{Password, UserPoolId, Username};
use crate::policy::PasswordPolicy;

/// Cognito's symbols (SPEC §2), without the space (which may not start or end a password).
pub const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

/// Valid pool ids (`[\w-]+_[0-9a-zA-Z]+`, at most 55 characters).
pub fn pool_id() -> impl Strategy<Value = UserPoolId> {
    "[a-z]{2}-[a-z]{1,9}-[0-9]_[0-9a-zA-Z]{1,40}"
        .prop_filter_map("SPEC §1 pool id", |s| UserPoolId::parse(&s).ok())
}

/// The SPEC §1 rule an invalid pool id breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolIdFault {
    /// Empty.
    Empty,
    /// More than 55 characters.
    TooLong,
    /// No `_` between region and id.
    NoUnderscore,
    /// A character outside `[\w-]` before the `_` or `[0-9a-zA-Z]` after it.
    BadCharacter,
}

/// Invalid pool ids, each with the rule it breaks.
pub fn invalid_pool_id() -> impl Strategy<Value = (PoolIdFault, String)> {
    prop_oneof![
        Just((PoolIdFault::Empty, String::new())),
        "[a-z]{1,10}_[a-zA-Z0-9]{56,70}".prop_map(|s| (PoolIdFault::TooLong, s)),
        "[a-zA-Z0-9-]{1,40}".prop_map(|s| (PoolIdFault::NoUnderscore, s)),
        "[a-z]{1,10}_[a-z]{1,10}[ .!/][a-z]{1,10}".prop_map(|s| (PoolIdFault::BadCharacter, s)),
    ]
}

/// Valid usernames: letters (any script), digits and a few punctuation marks, 1..=64.
pub fn username() -> impl Strategy<Value = Username> {
    "[\\p{L}\\p{Nd}._@+-]{1,64}".prop_filter_map("SPEC §1 username", |s| Username::parse(&s).ok())
}

/// The SPEC §1 rule an invalid username breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameFault {
    /// Empty.
    Empty,
    /// More than 128 characters.
    TooLong,
    /// A whitespace character.
    Whitespace,
    /// A control character.
    Control,
}

/// Invalid usernames, each with the rule it breaks.
pub fn invalid_username() -> impl Strategy<Value = (UsernameFault, String)> {
    prop_oneof![
        Just((UsernameFault::Empty, String::new())),
        "[a-z]{129,160}".prop_map(|s| (UsernameFault::TooLong, s)),
        "[a-z]{0,10}[ \u{a0}\u{2003}][a-z]{0,10}".prop_map(|s| (UsernameFault::Whitespace, s)),
        "[a-z]{0,10}[\u{0}-\u{1f}\u{7f}][a-z]{0,10}".prop_map(|s| (UsernameFault::Control, s)),
    ]
}

/// Valid passwords (SPEC §1; any policy aside): printable ASCII and some Unicode, inner
/// spaces allowed, 2..=64 characters.
pub fn password() -> impl Strategy<Value = Password> {
    "[!-~\\p{L}][ -~\\p{L}]{0,62}[!-~\\p{L}]"
        .prop_filter_map("SPEC §1 password", |s| Password::parse(&s).ok())
}

/// The SPEC §1 rule an invalid password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordFault {
    /// Empty.
    Empty,
    /// More than 256 characters.
    TooLong,
    /// Starts with whitespace.
    LeadingWhitespace,
    /// Ends with whitespace.
    TrailingWhitespace,
    /// Contains a control character (a line break, a tab...).
    Control,
}

/// Invalid passwords, each with the rule it breaks.
pub fn invalid_password() -> impl Strategy<Value = (PasswordFault, String)> {
    prop_oneof![
        Just((PasswordFault::Empty, String::new())),
        "[a-zA-Z0-9]{257,300}".prop_map(|s| (PasswordFault::TooLong, s)),
        "[ \t\u{a0}][a-zA-Z0-9]{1,20}".prop_map(|s| (PasswordFault::LeadingWhitespace, s)),
        "[a-zA-Z0-9]{1,20}[ \u{a0}]".prop_map(|s| (PasswordFault::TrailingWhitespace, s)),
        "[a-z]{1,10}[\t\n\r\u{0}\u{7f}][a-z]{1,10}".prop_map(|s| (PasswordFault::Control, s)),
    ]
}

/// Policies in Cognito's ranges (SPEC §2): every composition rule on or off, minimum
/// length 6..=99, history 0..=24, temporary validity 0..=365 days, and SPEC §6's option to
/// refuse the temporary password as the new one on or off. The other optional extras
/// (maximum length, blocklist, identity, strength) stay off.
pub fn policy() -> impl Strategy<Value = PasswordPolicy> {
    (
        6i64..=99,
        any::<[bool; 4]>(),
        0i64..=24,
        0i64..=365,
        any::<bool>(),
    )
        .prop_filter_map(
            "policy in Cognito's ranges",
            |(min, [upper, lower, numbers, symbols], history, validity, refuse_temporary)| {
                PasswordPolicy::builder()
                    .refuse_temporary_as_new(refuse_temporary)
                    .minimum_length(min)
                    .require_uppercase(upper)
                    .require_lowercase(lower)
                    .require_numbers(numbers)
                    .require_symbols(symbols)
                    .password_history_size(history)
                    .temporary_password_validity_days(validity)
                    .build()
                    .ok()
            },
        )
}

/// The character classes of SPEC §2, as alphabets.
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

fn chars_of(alphabet: &str) -> impl Strategy<Value = char> + Clone + use<> {
    let chars: Vec<char> = alphabet.chars().collect();
    proptest::sample::select(chars)
}

/// Passwords of `length` graphemes built from one character of each `required` alphabet,
/// the rest from `filler`, shuffled; then checked against what the caller wants.
fn compose(
    required: Vec<&'static str>,
    filler: String,
    length: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = String> {
    let required_count = required.len();
    let firsts: Vec<_> = required.into_iter().map(chars_of).collect();
    let filler = chars_of(&filler);
    length.prop_flat_map(move |len| {
        let rest = len.saturating_sub(required_count);
        (firsts.clone(), vec(filler.clone(), rest))
            .prop_map(|(mut chars, rest)| {
                chars.extend(rest);
                chars
            })
            .prop_shuffle()
            .prop_map(|chars| chars.into_iter().collect::<String>())
    })
}

fn required_classes(policy: &PasswordPolicy) -> Vec<&'static str> {
    [
        (policy.require_lowercase(), LOWER),
        (policy.require_uppercase(), UPPER),
        (policy.require_numbers(), DIGITS),
        (policy.require_symbols(), SYMBOLS),
    ]
    .into_iter()
    .filter_map(|(on, alphabet)| on.then_some(alphabet))
    .collect()
}

fn longest(policy: &PasswordPolicy, min: usize) -> usize {
    policy
        .maximum_length()
        .map_or(min + 16, |max| usize::from(max).min(min + 16))
}

/// Passwords that `policy` accepts (SPEC §2): one character of each required class, the
/// rest from every class, between the minimum length and 16 more (or the maximum).
pub fn password_for(policy: &PasswordPolicy) -> impl Strategy<Value = Password> + use<> {
    let min = usize::from(policy.minimum_length());
    let filler = format!("{LOWER}{UPPER}{DIGITS}{SYMBOLS}");
    let policy = policy.clone();
    compose(
        required_classes(&policy),
        filler,
        min..=longest(&policy, min),
    )
    .prop_filter_map("meets the policy", move |text| {
        let password = Password::parse(&text).ok()?;
        policy.check(&password, Default::default()).ok()?;
        Some(password)
    })
}

/// Passwords that break exactly `rule` of `policy` and meet every other rule: the first
/// violation [`PasswordPolicy::first_violation`] reports is `rule`. `None` when `policy`
/// cannot be broken that way (the rule is off, or `rule` is not a composition or length
/// rule: `TooShort`, `MissingLowercase`, `MissingUppercase`, `MissingNumber`,
/// `MissingSymbol`, `TooLong`).
pub fn password_violating(
    policy: &PasswordPolicy,
    rule: PolicyViolation,
) -> Option<BoxedStrategy<Password>> {
    let min = usize::from(policy.minimum_length());
    let mut classes = required_classes(policy);
    let missing = match rule {
        PolicyViolation::TooShort => None,
        PolicyViolation::MissingLowercase if policy.require_lowercase() => Some(LOWER),
        PolicyViolation::MissingUppercase if policy.require_uppercase() => Some(UPPER),
        PolicyViolation::MissingNumber if policy.require_numbers() => Some(DIGITS),
        PolicyViolation::MissingSymbol if policy.require_symbols() => Some(SYMBOLS),
        PolicyViolation::TooLong if policy.maximum_length().is_some() => None,
        _ => return None,
    };
    classes.retain(|c| Some(*c) != missing);
    let filler: String = [LOWER, UPPER, DIGITS, SYMBOLS]
        .into_iter()
        .filter(|c| Some(*c) != missing)
        .collect();
    let length = match rule {
        // At least two characters (SPEC §1) and room for every required class.
        PolicyViolation::TooShort => classes.len().max(2)..=min - 1,
        PolicyViolation::TooLong => {
            let max = usize::from(policy.maximum_length()?);
            max + 1..=max + 8
        }
        _ => min..=longest(policy, min),
    };
    if length.is_empty() {
        return None;
    }
    let policy = policy.clone();
    Some(
        compose(classes, filler, length)
            .prop_filter_map("breaks exactly the rule", move |text| {
                let password = Password::parse(&text).ok()?;
                (policy
                    .first_violation(&password, Default::default())
                    .as_ref()
                    == Some(&rule))
                .then_some(password)
            })
            .boxed(),
    )
}

/// What an operation types: often the current password, else one of a few valid, weak
/// or (rarely) malformed ones, so that history repeats and sign-ins succeed.
pub fn guess() -> impl Strategy<Value = Guess> {
    prop_oneof![
        4 => Just(Guess::Current),
        5 => proptest::sample::select(VALID_PASSWORDS.to_vec()).prop_map(Guess::from),
        2 => proptest::sample::select(WEAK_PASSWORDS.to_vec()).prop_map(Guess::from),
        1 => proptest::sample::select(MALFORMED_PASSWORDS.to_vec()).prop_map(Guess::from),
    ]
}

/// Time steps that cross every boundary of SPEC §4–§6: none, a lockout's second, a
/// session's 3 minutes, the 15-minute lockout reset, 20 minutes and just under an hour
/// (inside the code window of SPEC §12), a reset code's hour, a day, and the default 7-day
/// temporary-password validity.
pub fn time_step() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(120),
        Just(240),
        Just(16 * 60),
        Just(20 * 60),
        Just(3_599),
        Just(3_700),
        Just(86_400),
        Just(8 * 86_400),
    ]
}

/// One operation, weighted towards the ones that move a password.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => guess().prop_map(|password| Op::SignUp { password }),
        1 => guess().prop_map(|temporary_password| Op::AdminCreateUser { temporary_password }),
        1 => guess().prop_map(|temporary_password| Op::ResendInvitation { temporary_password }),
        1 => Just(Op::FederatedSignIn),
        1 => Just(Op::AdminConfirmSignUp),
        2 => prop::bool::weighted(0.3).prop_map(|right_code| Op::ConfirmSignUp { right_code }),
        2 => Just(Op::ResendConfirmationCode),
        4 => (guess(), any::<bool>())
            .prop_map(|(password, permanent)| Op::AdminSetUserPassword { password, permanent }),
        5 => guess().prop_map(|password| Op::SignIn { password }),
        4 => (guess(), prop::bool::weighted(0.15)).prop_map(|(new_password, forged_session)| {
            Op::RespondToChallenge { new_password, forged_session }
        }),
        2 => (guess(), guess()).prop_map(|(previous, proposed)| Op::ChangePassword { previous, proposed }),
        1 => Just(Op::AdminResetUserPassword),
        2 => Just(Op::ForgotPassword),
        3 => (prop::bool::weighted(0.5), guess())
            .prop_map(|(right_code, password)| Op::ConfirmForgotPassword { right_code, password }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(history_size, temporary_validity_days)| {
            Op::UpdatePolicy { history_size, temporary_validity_days }
        }),
        2 => prop_oneof![Just(Name::Username), Just(Name::Email), Just(Name::Sub)]
            .prop_map(Op::UseName),
        1 => any::<bool>().prop_map(Op::SetEmailVerified),
        1 => Just(Op::AdminDisableUser),
        1 => Just(Op::AdminEnableUser),
        3 => time_step().prop_map(Op::AdvanceTime),
    ]
}

/// Sequences of up to `max_len` operations. Sequences start by creating the user (sign-up,
/// admin creation or federated sign-in) so most steps reach a real record; later creations
/// test `UsernameExistsException`. Shrinking drops and simplifies steps.
pub fn ops(max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    let create = prop_oneof![
        proptest::sample::select(VALID_PASSWORDS.to_vec()).prop_map(|p| Op::SignUp {
            password: Guess::from(p)
        }),
        proptest::sample::select(VALID_PASSWORDS.to_vec()).prop_map(|p| Op::AdminCreateUser {
            temporary_password: Guess::from(p)
        }),
        Just(Op::FederatedSignIn),
    ];
    (create, vec(op(), 0..max_len.max(1))).prop_map(|(first, rest)| {
        let mut all = Vec::with_capacity(rest.len() + 1);
        all.push(first);
        all.extend(rest);
        all
    })
}

/// Sequences that fill long password histories (SPEC §5: more than twelve passwords,
/// history sizes up to 24): a created user, then mostly password changes drawn from 30
/// distinct passwords ([`numbered_password`]), so that entries age out of a full history
/// and repeats of recent ones are refused; sign-ins, challenge answers, history-size
/// changes mid-sequence and time steps between them. Run them with a large history size.
pub fn long_history_ops(max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    let numbered = || (0u8..30).prop_map(|n| Guess::Text(numbered_password(n)));
    let step = prop_oneof![
        6 => (numbered(), prop::bool::weighted(0.85))
            .prop_map(|(password, permanent)| Op::AdminSetUserPassword { password, permanent }),
        3 => numbered().prop_map(|proposed| Op::ChangePassword { previous: Guess::Current, proposed }),
        2 => Just(Op::SignIn { password: Guess::Current }),
        2 => numbered().prop_map(|new_password| Op::RespondToChallenge { new_password, forged_session: false }),
        1 => (0u8..25, 0u8..8).prop_map(|(history_size, temporary_validity_days)| {
            Op::UpdatePolicy { history_size, temporary_validity_days }
        }),
        1 => time_step().prop_map(Op::AdvanceTime),
    ];
    let create = prop_oneof![
        Just(Op::FederatedSignIn),
        numbered().prop_map(|temporary_password| Op::AdminCreateUser { temporary_password }),
    ];
    (create, vec(step, 0..max_len.max(1))).prop_map(|(first, rest)| {
        let mut all = Vec::with_capacity(rest.len() + 1);
        all.push(first);
        all.extend(rest);
        all
    })
}
