//! A pool's settings beyond the password policy (SPEC §16): each is either honoured by the
//! service or refused where it is set, never accepted and dropped.
//!
//! | setting | effect |
//! |---|---|
//! | `AutoVerifiedAttributes` | SignUp (and attribute changes) deliver a code only to these |
//! | `AccountRecoverySetting` | the channels ForgotPassword may use; `admin_only` refuses it |
//! | `VerificationMessageTemplate`, `Email/SmsVerification*` | the text of delivered codes |
//! | `AdminCreateUserConfig` | `AllowAdminCreateUserOnly` refuses SignUp; `UnusedAccountValidityDays` is the temporary password's validity |
//! | `EmailConfiguration`, `SmsConfiguration` | stored and returned: the host delivers messages |
//! | `LambdaConfig` | stored and returned; the service runs the triggers it names through the host's `Triggers` (SPEC §19) |
//! | `DeletionProtection` | `ACTIVE` refuses DeleteUserPool |
//! | `UserAttributeUpdateSettings` | verified email/phone changes wait for verification |
//!
//! With the crate feature `serde` every type here (and the schema) is serialisable, which
//! is how stores persist them; the serialised form is a storage format and only grows.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Result};
use crate::schema::VerifiableAttribute;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// A channel ForgotPassword may use (`RecoveryOptionType.Name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum RecoveryOption {
    /// `verified_email`.
    VerifiedEmail,
    /// `verified_phone_number`.
    VerifiedPhoneNumber,
    /// `admin_only`: users cannot recover their account themselves.
    AdminOnly,
}

impl RecoveryOption {
    /// Cognito's spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RecoveryOption::VerifiedEmail => "verified_email",
            RecoveryOption::VerifiedPhoneNumber => "verified_phone_number",
            RecoveryOption::AdminOnly => "admin_only",
        }
    }

    /// Parses Cognito's spelling.
    ///
    /// # Errors
    /// `InvalidParameterException` for any other value.
    pub fn parse(s: &str) -> Result<Self> {
        [
            RecoveryOption::VerifiedEmail,
            RecoveryOption::VerifiedPhoneNumber,
            RecoveryOption::AdminOnly,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
        .ok_or_else(|| {
            Error::invalid_value(
                "accountRecoverySetting.recoveryMechanisms.member.name",
                s,
                "Member must satisfy enum value set: [verified_email, verified_phone_number, \
                 admin_only]",
            )
        })
    }
}

impl fmt::Display for RecoveryOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `AccountRecoverySetting`: the recovery channels in priority order (1 first).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct AccountRecoverySetting {
    mechanisms: Vec<(RecoveryOption, u8)>,
}

impl AccountRecoverySetting {
    /// Validates `RecoveryMechanisms` given as (name, priority) pairs.
    ///
    /// # Errors
    /// `InvalidParameterException` when the list is empty or longer than 2, a priority is
    /// outside 1..=2 or repeated, a channel is repeated, or `admin_only` is combined with
    /// another channel (**decision** on the wording; Cognito refuses these combinations).
    pub fn new(mut mechanisms: Vec<(RecoveryOption, u8)>) -> Result<Self> {
        let invalid = |why: &str| Error::InvalidParameterMessage(why.to_owned());
        if mechanisms.is_empty() || mechanisms.len() > 2 {
            return Err(invalid(
                "AccountRecoverySetting must have one or two RecoveryMechanisms.",
            ));
        }
        if mechanisms.iter().any(|(_, p)| !(1..=2).contains(p)) {
            return Err(invalid("RecoveryMechanisms priorities must be 1 or 2."));
        }
        mechanisms.sort_by_key(|(_, p)| *p);
        if mechanisms.windows(2).any(|w| w[0].1 == w[1].1) {
            return Err(invalid("RecoveryMechanisms priorities must be unique."));
        }
        if mechanisms.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(invalid("RecoveryMechanisms names must be unique."));
        }
        if mechanisms.len() > 1
            && mechanisms
                .iter()
                .any(|(o, _)| *o == RecoveryOption::AdminOnly)
        {
            return Err(invalid(
                "admin_only cannot be combined with another recovery mechanism.",
            ));
        }
        Ok(AccountRecoverySetting { mechanisms })
    }

    /// The channels with their priorities, priority 1 first.
    #[must_use]
    pub fn mechanisms(&self) -> &[(RecoveryOption, u8)] {
        &self.mechanisms
    }

    /// Whether only administrators may recover accounts (ForgotPassword is refused).
    #[must_use]
    pub fn admin_only(&self) -> bool {
        self.mechanisms
            .iter()
            .any(|(o, _)| *o == RecoveryOption::AdminOnly)
    }
}

/// `DefaultEmailOption` of the verification message template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum DefaultEmailOption {
    /// `CONFIRM_WITH_CODE` (the default).
    ConfirmWithCode,
    /// `CONFIRM_WITH_LINK`.
    ConfirmWithLink,
}

impl DefaultEmailOption {
    /// Cognito's spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DefaultEmailOption::ConfirmWithCode => "CONFIRM_WITH_CODE",
            DefaultEmailOption::ConfirmWithLink => "CONFIRM_WITH_LINK",
        }
    }

    /// Parses Cognito's spelling.
    ///
    /// # Errors
    /// `InvalidParameterException` for any other value.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "CONFIRM_WITH_CODE" => Ok(DefaultEmailOption::ConfirmWithCode),
            "CONFIRM_WITH_LINK" => Ok(DefaultEmailOption::ConfirmWithLink),
            _ => Err(Error::invalid_value(
                "verificationMessageTemplate.defaultEmailOption",
                s,
                "Member must satisfy enum value set: [CONFIRM_WITH_LINK, CONFIRM_WITH_CODE]",
            )),
        }
    }
}

/// The texts of verification messages: `VerificationMessageTemplate` merged with the
/// older top-level `EmailVerificationMessage`, `EmailVerificationSubject` and
/// `SmsVerificationMessage` (the template wins, as in Cognito; both are returned).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct VerificationMessages {
    /// `SmsMessage` / `SmsVerificationMessage`; must contain `{####}`.
    pub sms_message: Option<String>,
    /// `EmailMessage` / `EmailVerificationMessage`; must contain `{####}`.
    pub email_message: Option<String>,
    /// `EmailSubject` / `EmailVerificationSubject`.
    pub email_subject: Option<String>,
    /// `EmailMessageByLink`; must contain `{##...##}`.
    pub email_message_by_link: Option<String>,
    /// `EmailSubjectByLink`.
    pub email_subject_by_link: Option<String>,
    /// `DefaultEmailOption`.
    pub default_email_option: Option<DefaultEmailOption>,
    /// `SmsAuthenticationMessage`; must contain `{####}`.
    pub sms_authentication_message: Option<String>,
}

/// `AdminCreateUserConfig.InviteMessageTemplate`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct InviteMessageTemplate {
    /// `SMSMessage`; must contain `{username}` and `{####}`.
    pub sms_message: Option<String>,
    /// `EmailMessage`; must contain `{username}` and `{####}`.
    pub email_message: Option<String>,
    /// `EmailSubject`.
    pub email_subject: Option<String>,
}

/// `AdminCreateUserConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct AdminCreateUserConfig {
    /// `AllowAdminCreateUserOnly`: SignUp is refused.
    pub allow_admin_create_user_only: bool,
    /// `UnusedAccountValidityDays` (0..=365), the legacy twin of the password policy's
    /// `TemporaryPasswordValidityDays`.
    pub unused_account_validity_days: Option<u16>,
    /// `InviteMessageTemplate`.
    pub invite_message_template: Option<InviteMessageTemplate>,
}

/// `EmailConfiguration`: stored and returned; the host's delivery sends the mail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct EmailConfiguration {
    /// `SourceArn`.
    pub source_arn: Option<String>,
    /// `ReplyToEmailAddress`.
    pub reply_to_email_address: Option<String>,
    /// `EmailSendingAccount` (`COGNITO_DEFAULT` or `DEVELOPER`).
    pub email_sending_account: Option<String>,
    /// `From`.
    pub from: Option<String>,
    /// `ConfigurationSet`.
    pub configuration_set: Option<String>,
}

/// `SmsConfiguration`: stored and returned; the host's delivery sends the messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct SmsConfiguration {
    /// `SnsCallerArn`.
    pub sns_caller_arn: String,
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// `SnsRegion`.
    pub sns_region: Option<String>,
}

/// The string-valued triggers of `LambdaConfig`, as Cognito names them.
pub const LAMBDA_TRIGGERS: [&str; 11] = [
    "PreSignUp",
    "CustomMessage",
    "PostConfirmation",
    "PreAuthentication",
    "PostAuthentication",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "PreTokenGeneration",
    "UserMigration",
    "KMSKeyID",
];

/// The versioned triggers of `LambdaConfig` (`{LambdaVersion, LambdaArn}`).
pub const VERSIONED_LAMBDA_TRIGGERS: [&str; 3] = [
    "PreTokenGenerationConfig",
    "CustomSMSSender",
    "CustomEmailSender",
];

/// `LambdaConfig`: trigger name → ARN, and versioned triggers → (version, ARN).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct LambdaConfig {
    /// `PreSignUp`, `UserMigration`, ... → ARN (names from [`LAMBDA_TRIGGERS`]).
    pub triggers: BTreeMap<String, String>,
    /// `PreTokenGenerationConfig`, `CustomSMSSender`, `CustomEmailSender` →
    /// (`LambdaVersion`, `LambdaArn`).
    pub versioned: BTreeMap<String, (String, String)>,
}

impl LambdaConfig {
    /// The function (ARN or name, as stored) this configuration names for `trigger`, which
    /// the service then runs (SPEC §19). PreTokenGeneration is `PreTokenGeneration`, or
    /// `PreTokenGenerationConfig` with `LambdaVersion` `V1_0` (the event version this
    /// library speaks); a `V2_0`/`V3_0` configuration alone names none **(decision: the V2
    /// and V3 events are not built; such a pool's tokens are issued untouched)**.
    #[must_use]
    pub fn function_for(&self, trigger: crate::triggers::Trigger) -> Option<&str> {
        use crate::triggers::Trigger;
        if let Some(arn) = self.triggers.get(trigger.as_str()) {
            return Some(arn.as_str());
        }
        match trigger {
            Trigger::PreTokenGeneration => self
                .versioned
                .get("PreTokenGenerationConfig")
                .filter(|(version, _)| version == "V1_0")
                .map(|(_, arn)| arn.as_str()),
            _ => None,
        }
    }

    /// Checks that every trigger is one Cognito knows.
    ///
    /// # Errors
    /// `InvalidParameterException` naming an unknown trigger.
    pub fn validate(&self) -> Result<()> {
        for name in self.triggers.keys() {
            if !LAMBDA_TRIGGERS.contains(&name.as_str()) {
                return Err(Error::InvalidParameterMessage(format!(
                    "Unknown LambdaConfig trigger: {name}"
                )));
            }
        }
        for name in self.versioned.keys() {
            if !VERSIONED_LAMBDA_TRIGGERS.contains(&name.as_str()) {
                return Err(Error::InvalidParameterMessage(format!(
                    "Unknown LambdaConfig trigger: {name}"
                )));
            }
        }
        Ok(())
    }
}

/// Every §16 setting of a pool besides the schema, the password policy and the username
/// configuration (which have their own homes). `Default` is a pool created with none of
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct PoolSettings {
    /// `AutoVerifiedAttributes`.
    pub auto_verified_attributes: Vec<VerifiableAttribute>,
    /// `AccountRecoverySetting`; `None` when the pool was created without it (Cognito then
    /// omits it from DescribeUserPool and recovers through a verified phone, then email).
    pub account_recovery: Option<AccountRecoverySetting>,
    /// The verification message texts.
    pub verification_messages: VerificationMessages,
    /// `AdminCreateUserConfig`.
    pub admin_create_user: AdminCreateUserConfig,
    /// `EmailConfiguration`.
    pub email_configuration: Option<EmailConfiguration>,
    /// `SmsConfiguration`.
    pub sms_configuration: Option<SmsConfiguration>,
    /// `LambdaConfig`.
    pub lambda_config: LambdaConfig,
    /// `DeletionProtection` = `ACTIVE`.
    pub deletion_protection: bool,
    /// `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`.
    pub attributes_require_verification_before_update: Vec<VerifiableAttribute>,
    /// `UserPoolTags`.
    pub tags: BTreeMap<String, String>,
}

fn require_placeholder(field: &str, value: Option<&String>, placeholder: &str) -> Result<()> {
    match value {
        Some(v) if !v.contains(placeholder) => Err(Error::InvalidParameterMessage(format!(
            "{field} must contain the placeholder {placeholder}"
        ))),
        _ => Ok(()),
    }
}

impl PoolSettings {
    /// Checks the settings that have rules of their own: message texts carry their
    /// placeholders (**decision** on the wording; Cognito refuses templates without
    /// them), `UnusedAccountValidityDays` is in 0..=365, the Lambda triggers are known,
    /// `AttributesRequireVerificationBeforeUpdate` names only auto-verified attributes
    /// (Cognito's rule: the new value could never be verified otherwise).
    ///
    /// # Errors
    /// `InvalidParameterException` naming the first setting broken.
    pub fn validate(&self) -> Result<()> {
        let m = &self.verification_messages;
        require_placeholder("SmsVerificationMessage", m.sms_message.as_ref(), "{####}")?;
        require_placeholder(
            "EmailVerificationMessage",
            m.email_message.as_ref(),
            "{####}",
        )?;
        require_placeholder(
            "SmsAuthenticationMessage",
            m.sms_authentication_message.as_ref(),
            "{####}",
        )?;
        if let Some(link) = &m.email_message_by_link
            && !(link.contains("{##") && link.contains("##}"))
        {
            return Err(Error::InvalidParameterMessage(
                "EmailMessageByLink must contain the placeholder {##Verify Email##}".into(),
            ));
        }
        if let Some(invite) = &self.admin_create_user.invite_message_template {
            for (field, value) in [
                (
                    "InviteMessageTemplate.SMSMessage",
                    invite.sms_message.as_ref(),
                ),
                (
                    "InviteMessageTemplate.EmailMessage",
                    invite.email_message.as_ref(),
                ),
            ] {
                require_placeholder(field, value, "{username}")?;
                require_placeholder(field, value, "{####}")?;
            }
        }
        if let Some(days) = self.admin_create_user.unused_account_validity_days
            && days > 365
        {
            return Err(Error::invalid_value(
                "adminCreateUserConfig.unusedAccountValidityDays",
                days.to_string(),
                "Member must have value less than or equal to 365",
            ));
        }
        self.lambda_config.validate()?;
        for a in &self.attributes_require_verification_before_update {
            if !self.auto_verified_attributes.contains(a) {
                return Err(Error::InvalidParameterMessage(format!(
                    "The attribute {a} in AttributesRequireVerificationBeforeUpdate must also be in AutoVerifiedAttributes."
                )));
            }
        }
        Ok(())
    }

    /// Where SignUp delivers its confirmation code: the first auto-verified attribute
    /// the user has a value for, phone number first (as Cognito prefers SMS), or `None`
    /// when the pool auto-verifies nothing the user has — then no code is sent.
    #[must_use]
    pub fn sign_up_code_destination(
        &self,
        attributes: &BTreeMap<String, String>,
    ) -> Option<VerifiableAttribute> {
        [VerifiableAttribute::PhoneNumber, VerifiableAttribute::Email]
            .into_iter()
            .find(|a| {
                self.auto_verified_attributes.contains(a)
                    && attributes.get(a.as_str()).is_some_and(|v| !v.is_empty())
            })
    }

    /// Whether ForgotPassword may send a code through `channel`: always with the default
    /// setting; otherwise only through a listed channel, never with `admin_only`.
    #[must_use]
    pub fn recovery_allows(&self, channel: VerifiableAttribute) -> bool {
        match &self.account_recovery {
            None => true,
            Some(setting) => setting.mechanisms().iter().any(|(o, _)| {
                matches!(
                    (o, channel),
                    (RecoveryOption::VerifiedEmail, VerifiableAttribute::Email)
                        | (
                            RecoveryOption::VerifiedPhoneNumber,
                            VerifiableAttribute::PhoneNumber
                        )
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_config_names_the_function_of_each_trigger() {
        use crate::triggers::Trigger;
        let arn = |name: &str| format!("arn:aws:lambda:us-east-1:1:function:{name}");
        let mut config = LambdaConfig::default();
        config.triggers.insert("PreSignUp".into(), arn("a"));
        config.triggers.insert("CustomMessage".into(), arn("b"));
        assert_eq!(
            config.function_for(Trigger::PreSignUp),
            Some(arn("a").as_str())
        );
        assert_eq!(config.function_for(Trigger::UserMigration), None);
        // PreTokenGeneration: the V1 event only.
        for (version, expected) in [("V1_0", Some(arn("v"))), ("V2_0", None), ("V3_0", None)] {
            let mut versioned = config.clone();
            versioned.versioned.insert(
                "PreTokenGenerationConfig".into(),
                (version.into(), arn("v")),
            );
            assert_eq!(
                versioned.function_for(Trigger::PreTokenGeneration),
                expected.as_deref(),
                "{version}"
            );
        }
        config
            .triggers
            .insert("PreTokenGeneration".into(), arn("t"));
        assert_eq!(
            config.function_for(Trigger::PreTokenGeneration),
            Some(arn("t").as_str())
        );
    }

    #[test]
    fn recovery_setting_rules() {
        use RecoveryOption::{AdminOnly, VerifiedEmail, VerifiedPhoneNumber};
        assert!(AccountRecoverySetting::new(vec![(VerifiedEmail, 1)]).is_ok());
        let two = AccountRecoverySetting::new(vec![(VerifiedEmail, 2), (VerifiedPhoneNumber, 1)])
            .expect("valid");
        assert_eq!(two.mechanisms()[0].0, VerifiedPhoneNumber);
        assert!(!two.admin_only());
        assert!(
            AccountRecoverySetting::new(vec![(AdminOnly, 1)])
                .expect("valid")
                .admin_only()
        );
        for bad in [
            vec![],
            vec![(VerifiedEmail, 3)],
            vec![(VerifiedEmail, 1), (VerifiedPhoneNumber, 1)],
            vec![(VerifiedEmail, 1), (VerifiedEmail, 2)],
            vec![(AdminOnly, 1), (VerifiedEmail, 2)],
        ] {
            assert_eq!(
                AccountRecoverySetting::new(bad)
                    .map(|_| ())
                    .map_err(|e| e.code()),
                Err("InvalidParameterException")
            );
        }
    }
}
