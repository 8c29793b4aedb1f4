//! The per-pool password policy (SPEC §2), validated once when the pool is configured.
//!
//! A [`PasswordPolicy`] cannot exist out of Cognito's ranges: the builder refuses with
//! `InvalidParameterException`, and every check afterwards trusts the value.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, LazyLock};

use chrono::TimeDelta;
use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Constraint, Error, PolicyViolation, Result, Violation, Violations};
use crate::input::{Password, fold_case};

/// Cognito's symbol set (SPEC §2). A space counts too, when it is a character of its own
/// and neither first nor last (after NFKC, a spacing accent is a space plus a mark).
pub const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// Whether the (NFKC) text holds a symbol. [`Password`] refuses edge spaces as typed, but
/// NFKC can still make one: a spacing accent (`´`, `¨`, `˜`) becomes a space plus a combining
/// mark. So a space counts only as a whole grapheme cluster of its own that is neither the
/// first nor the last; a spacing accent is not in the symbol set and must not pass as one.
fn has_symbol(text: &str) -> bool {
    if text.chars().any(|c| c != ' ' && SYMBOLS.contains(c)) {
        return true;
    }
    let clusters: Vec<&str> = text.graphemes(true).collect();
    clusters.len() > 2 && clusters[1..clusters.len() - 1].contains(&" ")
}

/// A cluster made only of characters that render as nothing (WORD JOINER, ZERO WIDTH SPACE,
/// SOFT HYPHEN, BOM, tags, ...). UAX #29 makes most of these clusters of their own, so
/// counting clusters alone would let them pad a short password.
static INVISIBLE: LazyLock<Regex> = LazyLock::new(|| {
    // invariant: a constant, valid pattern; covered by the grapheme-length tests.
    Regex::new(r"^\p{Default_Ignorable_Code_Point}+$").expect("valid invisible-cluster regex")
});

/// Length in user-perceived characters (SPEC §2): extended grapheme clusters, not counting
/// clusters that show nothing **(decision: combining marks and joiners cannot pad)**.
fn perceived_length(text: &str) -> usize {
    text.graphemes(true)
        .filter(|cluster| !INVISIBLE.is_match(cluster))
        .count()
}

/// A host-supplied list of forbidden passwords, compared after NFKC and case folding.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Blocklist(HashSet<String>);

impl Blocklist {
    /// Builds a blocklist from any list of passwords (common passwords, breached ones,
    /// the service's own name...).
    pub fn new<I, S>(entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Blocklist(entries.into_iter().map(|s| fold_case(s.as_ref())).collect())
    }

    /// Whether the password is listed (case-insensitive).
    #[must_use]
    pub fn contains(&self, password: &Password) -> bool {
        let folded = zeroize::Zeroizing::new(fold_case(password.expose()));
        self.0.contains(folded.as_str())
    }

    /// Number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the list is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Blocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blocklist({} entries)", self.0.len())
    }
}

/// A pool's password policy: Cognito's settings plus optional stricter checks, all off by
/// default.
///
/// ```
/// use userpool_core::PasswordPolicy;
/// let policy = PasswordPolicy::builder().minimum_length(12).password_history_size(5).build()?;
/// assert_eq!(policy.minimum_length(), 12);
/// # Ok::<(), userpool_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    minimum_length: u8,
    require_uppercase: bool,
    require_lowercase: bool,
    require_numbers: bool,
    require_symbols: bool,
    password_history_size: u8,
    temporary_password_validity_days: u16,
    maximum_length: Option<u16>,
    blocklist: Option<Arc<Blocklist>>,
    reject_user_identity: bool,
    minimum_strength: Option<u8>,
    refuse_temporary_as_new: bool,
}

impl Default for PasswordPolicy {
    /// Cognito's default policy: at least 8 characters, all four classes, no history,
    /// temporary passwords valid 7 days.
    fn default() -> Self {
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            password_history_size: 0,
            temporary_password_validity_days: 7,
            maximum_length: None,
            blocklist: None,
            reject_user_identity: false,
            minimum_strength: None,
            refuse_temporary_as_new: false,
        }
    }
}

/// What a password is checked against besides itself: who it belongs to.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicySubject<'a> {
    /// The username.
    pub username: Option<&'a str>,
    /// Alias values (email, phone number, preferred username).
    pub aliases: &'a [&'a str],
}

impl PasswordPolicy {
    /// Cognito's range for `MinimumLength`.
    pub const MINIMUM_LENGTH_RANGE: std::ops::RangeInclusive<u8> = 6..=99;
    /// Cognito's range for `PasswordHistorySize`.
    pub const HISTORY_SIZE_RANGE: std::ops::RangeInclusive<u8> = 0..=24;
    /// Cognito's range for `TemporaryPasswordValidityDays` (0 means the default, 7).
    pub const VALIDITY_DAYS_RANGE: std::ops::RangeInclusive<u16> = 0..=365;

    /// Starts from Cognito's defaults.
    pub fn builder() -> PasswordPolicyBuilder {
        PasswordPolicyBuilder::default()
    }

    /// A preset after NIST SP 800-63B rev. 4: at least 15 characters, no composition rules,
    /// the given blocklist, and no password containing the username or an alias.
    ///
    /// # Errors
    /// Never in practice; the settings are in range. The `Result` keeps the builder's shape.
    pub fn nist_800_63b(blocklist: Blocklist) -> Result<Self> {
        PasswordPolicy::builder()
            .minimum_length(15)
            .require_uppercase(false)
            .require_lowercase(false)
            .require_numbers(false)
            .require_symbols(false)
            .blocklist(blocklist)
            .reject_user_identity(true)
            .build()
    }

    /// Minimum length in grapheme clusters.
    #[must_use]
    pub fn minimum_length(&self) -> u8 {
        self.minimum_length
    }
    /// Whether `A-Z` is required.
    #[must_use]
    pub fn require_uppercase(&self) -> bool {
        self.require_uppercase
    }
    /// Whether `a-z` is required.
    #[must_use]
    pub fn require_lowercase(&self) -> bool {
        self.require_lowercase
    }
    /// Whether `0-9` is required.
    #[must_use]
    pub fn require_numbers(&self) -> bool {
        self.require_numbers
    }
    /// Whether a symbol is required.
    #[must_use]
    pub fn require_symbols(&self) -> bool {
        self.require_symbols
    }
    /// `PasswordHistorySize`: how many passwords, the current one included, may not be reused.
    #[must_use]
    pub fn password_history_size(&self) -> u8 {
        self.password_history_size
    }
    /// `TemporaryPasswordValidityDays` as configured (0 = default).
    #[must_use]
    pub fn temporary_password_validity_days(&self) -> u16 {
        self.temporary_password_validity_days
    }
    /// How long a temporary password set now stays valid (SPEC §4).
    #[must_use]
    pub fn temporary_password_validity(&self) -> TimeDelta {
        let days = if self.temporary_password_validity_days == 0 {
            7
        } else {
            self.temporary_password_validity_days
        };
        TimeDelta::days(i64::from(days))
    }
    /// The optional maximum length in grapheme clusters.
    #[must_use]
    pub fn maximum_length(&self) -> Option<u16> {
        self.maximum_length
    }
    /// The host's blocklist, if any.
    #[must_use]
    pub fn blocklist(&self) -> Option<&Blocklist> {
        self.blocklist.as_deref()
    }
    /// Whether the answer to NEW_PASSWORD_REQUIRED is refused when it repeats the temporary
    /// password although history is off (SPEC §6: Cognito accepts it, so this is off by
    /// default; OWASP ASVS 5 §6.4.1 asks for it). With history on the repeat is always the
    /// history violation, whatever this says.
    #[must_use]
    pub fn refuse_temporary_as_new(&self) -> bool {
        self.refuse_temporary_as_new
    }
    /// The minimum zxcvbn score (0..=4) a password needs, if the pool asks for one. Only
    /// enforced when the crate is built with the `zxcvbn` feature.
    #[must_use]
    pub fn minimum_strength(&self) -> Option<u8> {
        self.minimum_strength
    }

    /// The same policy with the host's blocklist in place of its own (`None`: without one).
    /// Blocklists are host-supplied and never persisted, so a policy read back from storage
    /// gets its list here.
    #[must_use]
    pub fn with_blocklist(mut self, blocklist: Option<Blocklist>) -> Self {
        self.blocklist = blocklist.map(Arc::new);
        self
    }

    /// Whether a password containing the username or an alias value is refused.
    #[must_use]
    pub fn reject_user_identity(&self) -> bool {
        self.reject_user_identity
    }

    /// Checks a password, reporting only the first rule it breaks, in the order length,
    /// lowercase, uppercase, numbers, symbols, then the optional checks (maximum length,
    /// blocklist, user identity) **(decision: Cognito's order is undocumented)**.
    ///
    /// # Errors
    /// `InvalidPasswordException` with the broken rule.
    pub fn check(&self, password: &Password, subject: PolicySubject<'_>) -> Result<()> {
        self.first_violation(password, subject)
            .map_or(Ok(()), |v| Err(Error::InvalidPassword(v)))
    }

    /// The first rule the password breaks, if any (see [`PasswordPolicy::check`]).
    #[must_use]
    pub fn first_violation(
        &self,
        password: &Password,
        subject: PolicySubject<'_>,
    ) -> Option<PolicyViolation> {
        let text = password.expose();
        let length = perceived_length(text);
        if length < usize::from(self.minimum_length) {
            return Some(PolicyViolation::TooShort);
        }
        if self.require_lowercase && !text.bytes().any(|b| b.is_ascii_lowercase()) {
            return Some(PolicyViolation::MissingLowercase);
        }
        if self.require_uppercase && !text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Some(PolicyViolation::MissingUppercase);
        }
        if self.require_numbers && !text.bytes().any(|b| b.is_ascii_digit()) {
            return Some(PolicyViolation::MissingNumber);
        }
        if self.require_symbols && !has_symbol(text) {
            return Some(PolicyViolation::MissingSymbol);
        }
        if self
            .maximum_length
            .is_some_and(|max| length > usize::from(max))
        {
            return Some(PolicyViolation::TooLong);
        }
        if self
            .blocklist
            .as_ref()
            .is_some_and(|list| list.contains(password))
        {
            return Some(PolicyViolation::Blocklisted);
        }
        if self.reject_user_identity && contains_identity(text, subject) {
            return Some(PolicyViolation::ContainsUserIdentity);
        }
        #[cfg(feature = "zxcvbn")]
        if let Some(required) = self.minimum_strength {
            let inputs: Vec<&str> = subject
                .username
                .into_iter()
                .chain(subject.aliases.iter().copied())
                .collect();
            let score = u8::from(zxcvbn::zxcvbn(text, &inputs).score());
            if score < required {
                return Some(PolicyViolation::TooWeak { score, required });
            }
        }
        None
    }
}

fn contains_identity(password: &str, subject: PolicySubject<'_>) -> bool {
    let folded = zeroize::Zeroizing::new(fold_case(password));
    subject
        .username
        .into_iter()
        .chain(subject.aliases.iter().copied())
        .any(|identity| {
            let identity = fold_case(identity);
            !identity.is_empty() && folded.contains(identity.as_str())
        })
}

/// Builds a [`PasswordPolicy`], checking every range once in [`PasswordPolicyBuilder::build`].
#[derive(Debug, Clone)]
#[must_use]
pub struct PasswordPolicyBuilder {
    minimum_length: i64,
    policy: PasswordPolicy,
    password_history_size: i64,
    temporary_password_validity_days: i64,
    maximum_length: Option<i64>,
    minimum_strength: Option<i64>,
}

impl Default for PasswordPolicyBuilder {
    fn default() -> Self {
        let policy = PasswordPolicy::default();
        PasswordPolicyBuilder {
            minimum_length: i64::from(policy.minimum_length),
            password_history_size: 0,
            temporary_password_validity_days: 7,
            maximum_length: None,
            minimum_strength: None,
            policy,
        }
    }
}

impl PasswordPolicyBuilder {
    /// `MinimumLength`, 6..=99.
    pub fn minimum_length(mut self, value: i64) -> Self {
        self.minimum_length = value;
        self
    }
    /// `RequireUppercase`.
    pub fn require_uppercase(mut self, value: bool) -> Self {
        self.policy.require_uppercase = value;
        self
    }
    /// `RequireLowercase`.
    pub fn require_lowercase(mut self, value: bool) -> Self {
        self.policy.require_lowercase = value;
        self
    }
    /// `RequireNumbers`.
    pub fn require_numbers(mut self, value: bool) -> Self {
        self.policy.require_numbers = value;
        self
    }
    /// `RequireSymbols`.
    pub fn require_symbols(mut self, value: bool) -> Self {
        self.policy.require_symbols = value;
        self
    }
    /// `PasswordHistorySize`, 0..=24.
    pub fn password_history_size(mut self, value: i64) -> Self {
        self.password_history_size = value;
        self
    }
    /// `TemporaryPasswordValidityDays`, 0..=365 (0 means 7).
    pub fn temporary_password_validity_days(mut self, value: i64) -> Self {
        self.temporary_password_validity_days = value;
        self
    }
    /// Beyond Cognito: a maximum length in grapheme clusters, between the minimum and 255.
    pub fn maximum_length(mut self, value: i64) -> Self {
        self.maximum_length = Some(value);
        self
    }
    /// Beyond Cognito: refuse passwords on this list.
    pub fn blocklist(mut self, list: Blocklist) -> Self {
        self.policy.blocklist = Some(Arc::new(list));
        self
    }
    /// Beyond Cognito: refuse passwords containing the username or an alias value.
    pub fn reject_user_identity(mut self, value: bool) -> Self {
        self.policy.reject_user_identity = value;
        self
    }

    /// Beyond Cognito: refuse an answer to NEW_PASSWORD_REQUIRED that repeats the temporary
    /// password even with history off, with InvalidPasswordException `Password does not
    /// conform to policy: New password must differ from the temporary password` (SPEC §6;
    /// off by default, as Cognito accepts the repeat).
    pub fn refuse_temporary_as_new(mut self, value: bool) -> Self {
        self.policy.refuse_temporary_as_new = value;
        self
    }

    /// Beyond Cognito: the minimum zxcvbn strength score, 0..=4 (feature `zxcvbn`, on by
    /// default; without the feature the setting is kept but not enforced).
    pub fn minimum_strength(mut self, score: i64) -> Self {
        self.minimum_strength = Some(score);
        self
    }

    /// Checks every range and returns the policy.
    ///
    /// # Errors
    /// `InvalidParameterException` listing each setting out of range.
    pub fn build(self) -> Result<PasswordPolicy> {
        let mut found = Vec::new();
        let mut range = |field: &'static str, value: i64, min: i64, max: i64| {
            if (min..=max).contains(&value) {
                true
            } else {
                found.push(Violation {
                    field,
                    constraint: Constraint::OutOfRange { min, max },
                });
                false
            }
        };
        let ok_min = range("MinimumLength", self.minimum_length, 6, 99);
        range("PasswordHistorySize", self.password_history_size, 0, 24);
        range(
            "TemporaryPasswordValidityDays",
            self.temporary_password_validity_days,
            0,
            365,
        );
        if let Some(score) = self.minimum_strength {
            range("MinimumStrength", score, 0, 4);
        }
        if let Some(max) = self.maximum_length
            && range("MaximumLength", max, 6, 255)
            && ok_min
            && max < self.minimum_length
        {
            found.push(Violation {
                field: "MaximumLength",
                constraint: Constraint::Inconsistent("Member must not be below MinimumLength"),
            });
        }
        if let Some(violations) = Violations::from_vec(found) {
            return Err(Error::InvalidParameter(violations));
        }
        let narrow = |v: i64| {
            u16::try_from(v)
                .map_err(|_| Error::InvalidParameterMessage("setting out of range".into()))
        };
        let mut policy = self.policy;
        policy.minimum_length = u8::try_from(self.minimum_length)
            .map_err(|_| Error::InvalidParameterMessage("MinimumLength out of range".into()))?;
        policy.password_history_size = u8::try_from(self.password_history_size).map_err(|_| {
            Error::InvalidParameterMessage("PasswordHistorySize out of range".into())
        })?;
        policy.temporary_password_validity_days = narrow(self.temporary_password_validity_days)?;
        policy.maximum_length = self.maximum_length.map(narrow).transpose()?;
        policy.minimum_strength = self
            .minimum_strength
            .map(|score| {
                u8::try_from(score).map_err(|_| {
                    Error::InvalidParameterMessage("MinimumStrength out of range".into())
                })
            })
            .transpose()?;
        Ok(policy)
    }
}
