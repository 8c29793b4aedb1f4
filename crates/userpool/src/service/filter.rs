//! ListUsers' `Filter`: Cognito's `name = "value"` (exact) and `name ^= "prefix"` on the
//! attributes Cognito lets a filter name.

use userpool_core::{Error, Result, fold_case};

use super::UserDescription;

/// A parsed `Filter`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Filter {
    attribute: String,
    prefix: bool,
    value: String,
}

const FILTERABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

impl Filter {
    pub(super) fn parse(text: &str) -> Result<Filter> {
        let invalid = || Error::InvalidParameterMessage("Error while parsing filter.".into());
        let (attribute, rest, prefix) = if let Some((a, r)) = text.split_once("^=") {
            (a, r, true)
        } else if let Some((a, r)) = text.split_once('=') {
            (a, r, false)
        } else {
            return Err(invalid());
        };
        let attribute = attribute.trim().trim_matches('"');
        let value = rest
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(invalid)?;
        if !FILTERABLE.contains(&attribute) {
            return Err(Error::InvalidParameterMessage(format!(
                "Invalid search attribute: {attribute}"
            )));
        }
        Ok(Filter {
            attribute: attribute.to_owned(),
            prefix,
            value: value.to_owned(),
        })
    }

    /// Whether `user` matches, comparing a `username` as the pool compares usernames
    /// (case-folded unless `case_sensitive`, SPEC §8) and `status` ignoring case (Cognito
    /// documents it as case-insensitive); every other attribute compares exactly.
    pub(super) fn matches(&self, user: &UserDescription, case_sensitive: bool) -> bool {
        let status = user.status.to_string();
        let (actual, wanted) = match self.attribute.as_str() {
            "username" if !case_sensitive => {
                (Some(fold_case(&user.username)), fold_case(&self.value))
            }
            "status" => (
                Some(if user.enabled { "enabled" } else { "disabled" }.to_owned()),
                self.value.to_lowercase(),
            ),
            attribute => {
                let actual = match attribute {
                    "username" => Some(user.username.as_str()),
                    "cognito:user_status" => Some(status.as_str()),
                    other => user.attributes.get(other).map(String::as_str),
                };
                (actual.map(str::to_owned), self.value.clone())
            }
        };
        actual.is_some_and(|v| {
            if self.prefix {
                v.starts_with(&wanted)
            } else {
                v == wanted
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_as_cognito_writes_them() {
        let f = Filter::parse(r#"email = "diego@example.com""#).ok();
        assert_eq!(
            f,
            Some(Filter {
                attribute: "email".into(),
                prefix: false,
                value: "diego@example.com".into()
            })
        );
        let f = Filter::parse(r#"username ^= "di""#).ok();
        assert!(f.is_some_and(|f| f.prefix && f.value == "di"));
        let f = Filter::parse(r#""cognito:user_status" = "FORCE_CHANGE_PASSWORD""#).ok();
        assert!(f.is_some_and(|f| f.attribute == "cognito:user_status"));
        for bad in ["email", r#"email = diego"#, r#"custom:x = "1""#, ""] {
            let err = Filter::parse(bad).err();
            assert_eq!(
                err.map(|e| e.code()),
                Some("InvalidParameterException"),
                "{bad}"
            );
        }
    }

    /// SPEC §8: a `username` filter compares as the pool compares usernames.
    #[test]
    fn username_filters_fold_case_only_in_case_insensitive_pools_and_status_never_cares() {
        let user = UserDescription {
            username: "Bob".into(),
            sub: uuid::Uuid::nil(),
            attributes: std::collections::BTreeMap::new(),
            status: userpool_core::UserStatus::Confirmed,
            enabled: true,
            created_at: chrono::DateTime::UNIX_EPOCH,
            modified_at: chrono::DateTime::UNIX_EPOCH,
            version: 0,
            mfa: userpool_core::mfa::MfaSettings::default(),
        };
        let exact = |text: &str| Filter::parse(text).ok();
        for (text, case_sensitive, expected) in [
            (r#"username = "bob""#, false, true),
            (r#"username = "BOB""#, false, true),
            (r#"username ^= "bO""#, false, true),
            (r#"username = "bob""#, true, false),
            (r#"username = "Bob""#, true, true),
            (r#"username = "bobby""#, false, false),
            // `status` is case-insensitive in every pool, as Cognito documents it.
            (r#"status = "enabled""#, true, true),
            (r#"status = "ENABLED""#, true, true),
            (r#"status = "Disabled""#, true, false),
        ] {
            let filter = exact(text);
            assert_eq!(
                filter.map(|f| f.matches(&user, case_sensitive)),
                Some(expected),
                "{text} case_sensitive={case_sensitive}"
            );
        }
    }
}
