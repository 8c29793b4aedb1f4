//! Validated inputs (SPEC §1): a value of these types exists only if it met its limits.
//!
//! Parse, don't validate: every constructor checks once, and code downstream never checks
//! again. Validation is total — any `&str` or byte slice yields a value or an
//! [`Error::InvalidParameter`] naming the field, never a panic.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Constraint, Error, Result, Violation, Violations};

/// Cognito's published pattern for `UserPoolId`.
///
/// **(decision)** `\w` is read as ASCII `[A-Za-z0-9_]`, as in the Java regex dialect the
/// AWS model is written in; Rust's `regex` would otherwise accept any Unicode letter.
const POOL_ID_PATTERN: &str = r"[\w-]+_[0-9a-zA-Z]+";
static POOL_ID_REGEX: LazyLock<Regex> = LazyLock::new(|| {
    // invariant: a constant, valid pattern; covered by every pool-id test.
    Regex::new(r"^(?-u:[\w-])+_[0-9a-zA-Z]+$").expect("valid pool id regex")
});

/// The username pattern as Cognito publishes it (letters, marks, symbols, numbers,
/// punctuation: no separators, no control characters).
const USERNAME_PATTERN: &str = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+";
static USERNAME_REGEX: LazyLock<Regex> = LazyLock::new(|| {
    // invariant: a constant, valid pattern; covered by every username test.
    Regex::new(r"^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$").expect("valid username regex")
});

/// The password pattern the live service enforces (SPEC §1 decision).
const PASSWORD_PATTERN: &str = r"^[\S]+.*[\S]+$";

fn char_count_violation(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Option<Violation> {
    let n = value.chars().count();
    if n < min {
        Some(Violation {
            field,
            constraint: Constraint::TooShort { min },
        })
    } else if n > max {
        Some(Violation {
            field,
            constraint: Constraint::TooLong { max },
        })
    } else {
        None
    }
}

fn utf8<'a>(field: &'static str, bytes: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|_| Error::invalid_parameter(field, Constraint::NotUtf8))
}

/// A user pool id such as `us-east-1_AbCdEf123`: 1..=55 characters matching
/// `[\w-]+_[0-9a-zA-Z]+`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserPoolId(String);

impl UserPoolId {
    /// The member name used in validation messages.
    pub const FIELD: &'static str = "userPoolId";

    /// Validates a pool id.
    ///
    /// # Errors
    /// `InvalidParameterException` naming `userPoolId` when the value is empty, longer than
    /// 55 characters, or does not match the pattern.
    pub fn parse(value: &str) -> Result<Self> {
        Self::violations(value).map_or_else(|| Ok(UserPoolId(value.to_owned())), |v| Err(v.into()))
    }

    /// Validates a pool id given as raw bytes.
    ///
    /// # Errors
    /// As [`UserPoolId::parse`], plus `InvalidParameterException` when the bytes are not UTF-8.
    pub fn from_utf8(bytes: &[u8]) -> Result<Self> {
        Self::parse(utf8(Self::FIELD, bytes)?)
    }

    pub(crate) fn violations(value: &str) -> Option<ViolationOrList> {
        if let Some(v) = char_count_violation(Self::FIELD, value, 1, 55) {
            return Some(ViolationOrList(v));
        }
        if !POOL_ID_REGEX.is_match(value) {
            return Some(ViolationOrList(Violation {
                field: Self::FIELD,
                constraint: Constraint::Pattern(POOL_ID_PATTERN),
            }));
        }
        None
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One violation, convertible into the error so that parsers can also collect it.
pub(crate) struct ViolationOrList(pub(crate) Violation);

impl From<ViolationOrList> for Error {
    fn from(v: ViolationOrList) -> Self {
        Error::InvalidParameter(Violations::one(v.0.field, v.0.constraint))
    }
}

impl fmt::Debug for UserPoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserPoolId({:?})", self.0)
    }
}

impl fmt::Display for UserPoolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A username (or an alias value or `sub` given where a username is expected): 1..=128
/// characters, each a letter, mark, symbol, number or punctuation.
///
/// Case is preserved; whether lookups fold case is the pool's setting (SPEC §8), applied by
/// the store through [`Username::folded`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    /// The member name used in validation messages.
    pub const FIELD: &'static str = "username";

    /// Validates a username.
    ///
    /// # Errors
    /// `InvalidParameterException` naming `username` when the value is empty, longer than
    /// 128 characters, or contains whitespace or control characters.
    pub fn parse(value: &str) -> Result<Self> {
        Self::violations(value).map_or_else(|| Ok(Username(value.to_owned())), |v| Err(v.into()))
    }

    /// Validates a username given as raw bytes.
    ///
    /// # Errors
    /// As [`Username::parse`], plus `InvalidParameterException` when the bytes are not UTF-8.
    pub fn from_utf8(bytes: &[u8]) -> Result<Self> {
        Self::parse(utf8(Self::FIELD, bytes)?)
    }

    pub(crate) fn violations(value: &str) -> Option<ViolationOrList> {
        if let Some(v) = char_count_violation(Self::FIELD, value, 1, 128) {
            return Some(ViolationOrList(v));
        }
        if !USERNAME_REGEX.is_match(value) {
            return Some(ViolationOrList(Violation {
                field: Self::FIELD,
                constraint: Constraint::Pattern(USERNAME_PATTERN),
            }));
        }
        None
    }

    /// The username as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key a case-insensitive pool compares by: Unicode lowercase of the NFKC form.
    #[must_use]
    pub fn folded(&self) -> String {
        fold_case(&self.0)
    }
}

/// Case folding used for case-insensitive pools and for alias values (SPEC §8).
#[must_use]
pub fn fold_case(value: &str) -> String {
    value.nfkc().flat_map(char::to_lowercase).collect()
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Username({:?})", self.0)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that met SPEC §1, held NFKC-normalised in memory that is wiped on drop.
///
/// There is no `Display`, `Debug` prints `Password(<redacted>)`, and the only way to the
/// text is [`Password::expose`], named so that every use is easy to audit.
///
/// The limits (1..=256 characters matching the service's `^[\S]+.*[\S]+$`, so at least
/// two; no leading or trailing whitespace; no control characters or line separators) are
/// checked on the text as given; the value kept is its NFKC form
/// **(decision, SPEC §2: the same password typed on two keyboards matches)**.
///
/// When NFKC changes the text, the text as typed is kept beside it (wiped on drop too):
/// SRP clients hash the password as typed, so the SRP verifier of a password write must be
/// computed from that form ([`Password::expose_as_typed`], SPEC §15). Equality compares the
/// normalised text only.
#[derive(Clone)]
pub struct Password(Zeroizing<String>, Option<Zeroizing<String>>);

impl PartialEq for Password {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Password {}

impl Password {
    /// The member name used in validation messages.
    pub const FIELD: &'static str = "password";
    /// The most characters a password may have.
    pub const MAX_CHARS: usize = 256;

    /// Validates and normalises a password.
    ///
    /// # Errors
    /// `InvalidParameterException` naming `password` when the value is empty, longer than 256
    /// characters, starts or ends with whitespace, or contains a control character.
    pub fn parse(value: &str) -> Result<Self> {
        Self::parse_field(Self::FIELD, value)
    }

    /// Validates a password that arrives in another member (`proposedPassword`, say).
    ///
    /// # Errors
    /// As [`Password::parse`], naming `field`.
    pub fn parse_field(field: &'static str, value: &str) -> Result<Self> {
        match Self::violations(field, value) {
            Some(v) => Err(v.into()),
            None => {
                let normalised = nfkc_zeroizing(value);
                let typed =
                    (normalised.as_str() != value).then(|| Zeroizing::new(value.to_owned()));
                Ok(Password(normalised, typed))
            }
        }
    }

    /// Validates a password given as raw bytes.
    ///
    /// # Errors
    /// As [`Password::parse`], plus `InvalidParameterException` when the bytes are not UTF-8.
    pub fn from_utf8(bytes: &[u8]) -> Result<Self> {
        Self::parse(utf8(Self::FIELD, bytes)?)
    }

    /// Takes ownership of a `String`, wiping it once validated and normalised.
    ///
    /// # Errors
    /// As [`Password::parse`]; the string is wiped on failure too.
    pub fn from_string(value: String) -> Result<Self> {
        let value = Zeroizing::new(value);
        Self::parse(&value)
    }

    pub(crate) fn violations(field: &'static str, value: &str) -> Option<ViolationOrList> {
        if let Some(v) = char_count_violation(field, value, 1, Self::MAX_CHARS) {
            return Some(ViolationOrList(v));
        }
        // The service's pattern `^[\S]+.*[\S]+$`: at least two characters, non-blank at both
        // ends, and `.` matches no line terminator. Control characters are refused anywhere.
        let first = value.chars().next();
        let last = value.chars().next_back();
        let edge_space =
            first.is_some_and(char::is_whitespace) || last.is_some_and(char::is_whitespace);
        let line_break = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
        if edge_space || value.chars().count() < 2 || value.chars().any(line_break) {
            return Some(ViolationOrList(Violation {
                field,
                constraint: Constraint::Pattern(PASSWORD_PATTERN),
            }));
        }
        None
    }

    /// The normalised text. Every call site is a place a secret is read: keep them few.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The text as it was received, before NFKC: what an SRP client hashes (SPEC §15).
    /// The same as [`Password::expose`] unless NFKC changed the text. A secret, as
    /// `expose`.
    #[must_use]
    pub fn expose_as_typed(&self) -> &str {
        self.1.as_deref().map_or(&self.0, String::as_str)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// NFKC into a buffer that never reallocates behind our back: when it must grow, the
/// old buffer is wiped before it is freed, so no copy of the password is left in the heap.
fn nfkc_zeroizing(value: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(value.len() + 16));
    for c in value.nfkc() {
        if out.len() + c.len_utf8() > out.capacity() {
            let mut bigger = Zeroizing::new(String::with_capacity(out.capacity() * 2 + 16));
            bigger.push_str(&out);
            out.zeroize();
            out = bigger;
        }
        out.push(c);
    }
    out
}

/// A one-time code (sign-up confirmation, password reset): 1..=2048 characters of
/// `[\S]+`. Wiped on drop and redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmationCode(Zeroizing<String>);

impl ConfirmationCode {
    /// The member name used in validation messages.
    pub const FIELD: &'static str = "confirmationCode";

    /// Validates a code.
    ///
    /// # Errors
    /// `InvalidParameterException` naming `confirmationCode` when empty, over 2048
    /// characters, or containing whitespace.
    pub fn parse(value: &str) -> Result<Self> {
        if let Some(v) = char_count_violation(Self::FIELD, value, 1, 2048) {
            return Err(ViolationOrList(v).into());
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::invalid_parameter(
                Self::FIELD,
                Constraint::Pattern(r"[\S]+"),
            ));
        }
        Ok(ConfirmationCode(Zeroizing::new(value.to_owned())))
    }

    /// The code's text.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ConfirmationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConfirmationCode(<redacted>)")
    }
}

/// The validated input of `AdminSetUserPassword`, parsed all at once so that every violated
/// member is reported in one message, as the AWS validation layer does.
#[derive(Debug, Clone)]
pub struct AdminSetUserPasswordInput {
    /// The pool.
    pub user_pool_id: UserPoolId,
    /// The username, alias value or `sub` to resolve.
    pub username: Username,
    /// The new password.
    pub password: Password,
    /// `true` for a permanent password; absent means `false` (SPEC §1).
    pub permanent: bool,
}

impl AdminSetUserPasswordInput {
    /// Validates the four members; `None` stands for a member absent from the request.
    ///
    /// # Errors
    /// `InvalidParameterException` listing every violated member (`N validation errors
    /// detected: ...`), missing required members included.
    pub fn parse(
        user_pool_id: Option<&str>,
        username: Option<&str>,
        password: Option<&str>,
        permanent: Option<bool>,
    ) -> Result<Self> {
        let mut found = Vec::new();
        let mut check = |field: &'static str,
                         value: Option<&str>,
                         f: &dyn Fn(&str) -> Option<ViolationOrList>| {
            match value {
                None => found.push(Violation {
                    field,
                    constraint: Constraint::Missing,
                }),
                Some(v) => {
                    if let Some(ViolationOrList(v)) = f(v) {
                        found.push(v);
                    }
                }
            }
        };
        check(UserPoolId::FIELD, user_pool_id, &UserPoolId::violations);
        check(Username::FIELD, username, &Username::violations);
        check(Password::FIELD, password, &|p| {
            Password::violations(Password::FIELD, p)
        });
        if let Some(violations) = Violations::from_vec(found) {
            return Err(Error::InvalidParameter(violations));
        }
        match (user_pool_id, username, password) {
            (Some(pool), Some(user), Some(pass)) => Ok(AdminSetUserPasswordInput {
                user_pool_id: UserPoolId::parse(pool)?,
                username: Username::parse(user)?,
                password: Password::parse(pass)?,
                permanent: permanent.unwrap_or(false),
            }),
            // invariant: a missing member was pushed as a violation and returned above.
            _ => Err(Error::invalid_parameter(
                UserPoolId::FIELD,
                Constraint::Missing,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfkc_growth_keeps_every_character() {
        // U+FDFA expands to 18 characters under NFKC, forcing the buffer to grow.
        let p = Password::parse(&"\u{FDFA}".repeat(20)).expect("valid");
        assert_eq!(p.expose(), "\u{FDFA}".repeat(20).nfkc().collect::<String>());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = Password::parse("Secret123!").expect("valid");
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
        let code = ConfirmationCode::parse("123456").expect("valid");
        assert!(!format!("{code:?}").contains("123456"));
    }
}
