//! Validation at the service boundary (SPEC §1): raw `&str` in, core input types out, and
//! every violated member reported in one `InvalidParameterException`, as AWS does.

use std::collections::BTreeMap;

use userpool_core::{
    ConfirmationCode, Constraint, Error, Password, QuotedViolation, Result, UserPoolId, Username,
    Violation, Violations,
};

use crate::service::inputs::SecretText;

/// The constraint a `ClientId` breaks, if any: 1..=128 characters of `[\w+]+` (Cognito's
/// model). Public so the wire layer reports a malformed client id in the same list as the
/// members a request left out.
#[must_use]
pub fn client_id_constraint(value: &str) -> Option<Constraint> {
    let n = value.chars().count();
    if n == 0 {
        Some(Constraint::TooShort { min: 1 })
    } else if n > 128 {
        Some(Constraint::TooLong { max: 128 })
    } else if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
    {
        Some(Constraint::Pattern(r"[\w+]+"))
    } else {
        None
    }
}

/// One entry of a request's violation list.
#[derive(Debug)]
enum Finding {
    /// A member and the constraint it broke.
    Violation(Violation),
    /// A member's refused value, quoted (configuration members: OAuth records, settings).
    Quoted(QuotedViolation),
}

/// Collects the violations of one request's members.
#[derive(Debug, Default)]
pub(crate) struct Validator {
    found: Vec<Finding>,
    other: Option<Error>,
}

impl Validator {
    pub(crate) fn new() -> Self {
        Validator::default()
    }

    /// Keeps a parsed value, or records why it failed.
    pub(crate) fn take<T>(&mut self, parsed: Result<T>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(Error::InvalidParameter(v)) => {
                let found = v.as_slice().iter().cloned().map(Finding::Violation);
                self.found.extend(found);
                None
            }
            Err(Error::InvalidValue(quoted)) => {
                self.found.push(Finding::Quoted(quoted));
                None
            }
            Err(e) => {
                self.other.get_or_insert(e);
                None
            }
        }
    }

    pub(crate) fn pool_id(&mut self, value: &str) -> Option<UserPoolId> {
        self.take(UserPoolId::parse(value))
    }

    pub(crate) fn username(&mut self, value: &str) -> Option<Username> {
        self.take(Username::parse(value))
    }

    pub(crate) fn password(&mut self, field: &'static str, value: &str) -> Option<Password> {
        self.take(Password::parse_field(field, value))
    }

    pub(crate) fn code(&mut self, value: &str) -> Option<ConfirmationCode> {
        self.take(ConfirmationCode::parse(value))
    }

    /// `ClientId`: see [`client_id_constraint`].
    pub(crate) fn client_id(&mut self, value: &str) -> Option<String> {
        let constraint = client_id_constraint(value);
        self.check("clientId", constraint).then(|| value.to_owned())
    }

    /// A free-text name (`PoolName`, `ClientName`): 1..=128 characters of
    /// `[\w\s+=,.@-]+`.
    pub(crate) fn name(&mut self, field: &'static str, value: &str) -> Option<String> {
        let n = value.chars().count();
        let constraint = if n == 0 {
            Some(Constraint::TooShort { min: 1 })
        } else if n > 128 {
            Some(Constraint::TooLong { max: 128 })
        } else if !value
            .chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_+=,.@-".contains(c))
        {
            Some(Constraint::Pattern(r"[\w\s+=,.@-]+"))
        } else {
            None
        };
        self.check(field, constraint).then(|| value.to_owned())
    }

    /// User attributes: names 1..=32 characters without whitespace or control characters,
    /// values at most 2048 characters.
    pub(crate) fn attributes(
        &mut self,
        field: &'static str,
        attributes: &[(&str, &str)],
    ) -> Option<BTreeMap<String, String>> {
        let mut ok = true;
        for (name, value) in attributes {
            let n = name.chars().count();
            let name_bad =
                n == 0 || n > 32 || name.chars().any(|c| c.is_whitespace() || c.is_control());
            if name_bad {
                ok &= self.check(
                    field,
                    Some(Constraint::Inconsistent(
                        "Attribute names must have 1 to 32 characters without whitespace",
                    )),
                );
            }
            if value.chars().count() > 2048 {
                ok &= self.check(field, Some(Constraint::TooLong { max: 2048 }));
            }
        }
        ok.then(|| {
            attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        })
    }

    /// A required member: `Missing` under `field` when the request left it out, else what
    /// `parse` makes of it. Every typed input's `parse` takes its members this way, so a
    /// missing member and a malformed one land in one list, in the order they are taken.
    pub(crate) fn required<'a, T>(
        &mut self,
        field: &'static str,
        value: Option<&'a str>,
        parse: impl FnOnce(&mut Self, &'a str) -> Option<T>,
    ) -> Option<T> {
        match value {
            Some(value) => parse(self, value),
            None => {
                self.check(field, Some(Constraint::Missing));
                None
            }
        }
    }

    /// `UserPoolId`, required.
    pub(crate) fn required_pool_id(&mut self, value: Option<&str>) -> Option<UserPoolId> {
        self.required(UserPoolId::FIELD, value, Self::pool_id)
    }

    /// `Username`, required.
    pub(crate) fn required_username(&mut self, value: Option<&str>) -> Option<Username> {
        self.required(Username::FIELD, value, Self::username)
    }

    /// `ClientId`, required.
    pub(crate) fn required_client_id(&mut self, value: Option<&str>) -> Option<String> {
        self.required("clientId", value, Self::client_id)
    }

    /// A password member named `field`, required.
    pub(crate) fn required_password(
        &mut self,
        field: &'static str,
        value: Option<&str>,
    ) -> Option<Password> {
        self.required(field, value, |v, value| v.password(field, value))
    }

    /// A confirmation code member named `field` (`confirmationCode`, `code`), required; its
    /// violations are reported under `field`.
    pub(crate) fn required_code(
        &mut self,
        field: &'static str,
        value: Option<&str>,
    ) -> Option<ConfirmationCode> {
        self.required(field, value, |v, value| {
            v.take_as(field, ConfirmationCode::parse(value))
        })
    }

    /// A required member with no constraint of its own beyond being present
    /// (`authFlow`, `challengeName`, `attributeName`, `groupName` where its rules are the
    /// operation's).
    pub(crate) fn required_text(
        &mut self,
        field: &'static str,
        value: Option<&str>,
    ) -> Option<String> {
        self.required(field, value, |_, value| Some(value.to_owned()))
    }

    /// A required secret member (an access token, a session): present, and held in memory
    /// wiped on drop.
    pub(crate) fn required_secret(
        &mut self,
        field: &'static str,
        value: Option<&str>,
    ) -> Option<SecretText> {
        self.required(field, value, |_, value| Some(SecretText::new(value)))
    }

    /// A required member that is not text (a list): `Missing` under `field` when absent.
    pub(crate) fn present<T>(&mut self, field: &'static str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.check(field, Some(Constraint::Missing));
        }
        value
    }

    /// As [`Validator::take`], with the violations reported under `field` (a core type
    /// parsed for a member of another name, such as VerifyUserAttribute's `code`).
    pub(crate) fn take_as<T>(&mut self, field: &'static str, parsed: Result<T>) -> Option<T> {
        match parsed {
            Err(Error::InvalidParameter(v)) => {
                let renamed = v.as_slice().iter().map(|v| {
                    Finding::Violation(Violation {
                        field,
                        constraint: v.constraint,
                    })
                });
                self.found.extend(renamed);
                None
            }
            other => self.take(other),
        }
    }

    /// Records `constraint` against `field` if there is one; true when there is none.
    pub(crate) fn check(&mut self, field: &'static str, constraint: Option<Constraint>) -> bool {
        match constraint {
            Some(constraint) => {
                self.found
                    .push(Finding::Violation(Violation { field, constraint }));
                false
            }
            None => true,
        }
    }

    /// The collected violations as one error, if any.
    pub(crate) fn finish(self) -> Result<()> {
        if self.found.iter().any(|f| matches!(f, Finding::Quoted(_))) {
            // A list with a quoted entry keeps Cognito's wording: `N validation errors
            // detected: ` and the entries joined by `; `, as [`Violations`] displays them.
            let n = self.found.len();
            let entries: Vec<String> = self
                .found
                .into_iter()
                .map(|f| match f {
                    Finding::Violation(v) => v.to_string(),
                    Finding::Quoted(quoted) => quoted.to_string(),
                })
                .collect();
            let head = if n == 1 {
                "1 validation error detected: ".to_owned()
            } else {
                format!("{n} validation errors detected: ")
            };
            return Err(Error::InvalidParameterMessage(head + &entries.join("; ")));
        }
        let found = self.found.into_iter().filter_map(|f| match f {
            Finding::Violation(v) => Some(v),
            Finding::Quoted(_) => None,
        });
        if let Some(violations) = Violations::from_vec(found.collect()) {
            return Err(Error::InvalidParameter(violations));
        }
        self.other.map_or(Ok(()), Err)
    }
}

/// Unwraps a value the validator accepted.
///
/// Invariant: called only after `finish()` returned `Ok`, which means every member parsed,
/// so the value is `Some`. Were that ever broken, the caller gets `InternalErrorException`
/// rather than a panic.
pub(crate) fn accepted<T>(value: Option<T>) -> Result<T> {
    value.ok_or_else(|| {
        Error::Internal(userpool_core::Internal::Bug(userpool_core::Cause::new(
            "an accepted request lacks a member the validator passed",
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The violations `v` collected, as the error's message.
    fn message(v: Validator) -> String {
        v.finish().err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn missing_and_malformed_members_land_in_one_list_in_the_order_taken() {
        let mut v = Validator::new();
        assert_eq!(
            v.required_pool_id(Some("us-east-1_abc"))
                .map(|p| p.as_str().to_owned()),
            Some("us-east-1_abc".to_owned())
        );
        assert!(v.required_username(None).is_none());
        assert!(v.required_password("password", Some(" x")).is_none());
        assert!(v.required_text("authFlow", None).is_none());
        let message = message(v);
        assert!(
            message.starts_with("3 validation errors detected: "),
            "{message}"
        );
        let username = message.find("Value null at 'username'");
        let password = message.find("Value at 'password'");
        let flow = message.find("Value null at 'authFlow'");
        assert!(username < password && password < flow, "{message}");
    }

    #[test]
    fn a_quoted_violation_joins_the_list_and_a_lone_refusal_waits_for_an_empty_one() {
        let quoted = Err::<(), _>(Error::invalid_value("domain", "X", "P"));
        let refusal = || {
            Err::<(), _>(Error::InvalidParameterMessage(
                "Domain cannot contain reserved word: aws".to_owned(),
            ))
        };
        let mut v = Validator::new();
        assert!(v.required_pool_id(None).is_none());
        assert!(v.take(quoted).is_none());
        assert_eq!(
            message(v),
            "2 validation errors detected: Value null at 'userPoolId' failed to satisfy \
             constraint: Member must not be null; Value 'X' at 'domain' failed to satisfy \
             constraint: P"
        );

        let mut v = Validator::new();
        assert!(v.take(refusal()).is_none());
        assert_eq!(message(v), "Domain cannot contain reserved word: aws");
        let mut v = Validator::new();
        assert!(v.take(refusal()).is_none());
        assert!(v.required_text("domain", None).is_none());
        assert_eq!(
            message(v),
            "1 validation error detected: Value null at 'domain' failed to satisfy \
             constraint: Member must not be null"
        );
        assert!(Validator::new().take(Ok(())).is_some());
    }

    #[test]
    fn a_code_parsed_for_another_member_is_reported_under_that_member() {
        let mut v = Validator::new();
        assert!(v.required_code("code", Some("1 2")).is_none());
        let message = message(v);
        assert!(message.contains("Value at 'code'"), "{message}");
        assert!(!message.contains("confirmationCode"), "{message}");
    }

    #[test]
    fn a_required_secret_is_kept_redacted_and_a_missing_list_is_named() {
        let mut v = Validator::new();
        let token = v.required_secret("accessToken", Some("Sentinel-Secret-9"));
        assert_eq!(
            token.as_ref().map(SecretText::expose),
            Some("Sentinel-Secret-9")
        );
        assert!(!format!("{token:?}").contains("Sentinel"));
        assert!(v.present::<&[&str]>("userAttributeNames", None).is_none());
        assert_eq!(
            message(v),
            "1 validation error detected: Value null at 'userAttributeNames' failed to satisfy constraint: Member must not be null"
        );
    }
}
