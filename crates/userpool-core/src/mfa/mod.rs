//! Multi-factor authentication (SPEC §18): TOTP software tokens and SMS codes as states of
//! the sign-in machine, after the password (or SRP) step, like NEW_PASSWORD_REQUIRED.
//!
//! | step | from | to |
//! |---|---|---|
//! | [`challenge_after_first_factor`] | password or SRP proof verified | tokens, or `SOFTWARE_TOKEN_MFA` / `SMS_MFA` / `SELECT_MFA_TYPE` / `MFA_SETUP` with a session |
//! | [`respond_to_select_mfa_type`] | `SELECT_MFA_TYPE` | `SOFTWARE_TOKEN_MFA` or `SMS_MFA`, new session |
//! | [`associate_software_token_in_session`] | `MFA_SETUP` | `MFA_SETUP` with a pending secret, new session |
//! | [`verify_software_token_in_session`] | `MFA_SETUP` with a pending secret | `MFA_SETUP` verified, new session |
//! | [`respond_to_mfa_setup`] | `MFA_SETUP` verified | tokens |
//! | [`respond_to_software_token_mfa`], [`respond_to_sms_mfa`] | the challenge | tokens |
//!
//! Outside sign-in: [`associate_software_token`] and [`verify_software_token`] (by access
//! token), [`set_user_mfa_preference`] (SetUserMFAPreference, AdminSetUserMFAPreference,
//! and the legacy SetUserSettings through [`set_sms_mfa`]), [`settings`] (GetUser).
//!
//! # Which challenge
//!
//! With the pool's `MfaConfiguration` OFF nothing is asked. Otherwise a user's factors are
//! *active* when: TOTP — verified and enabled (or verified, in a pool where MFA is ON: the
//! guide says users of such a pool cannot turn it off); SMS — the pool offers SMS, the user
//! has a `phone_number`, and SMS is enabled (or, in an ON pool, no TOTP is active). One
//! active factor is its challenge; two are the preferred one's, or `SELECT_MFA_TYPE`. None
//! in an ON pool is `MFA_SETUP`; none in an OPTIONAL pool is tokens.
//!
//! # Sessions and answers
//!
//! A session is 256 random bits behind the user's name (`<base64url(username)>.<token>`,
//! so AssociateSoftwareToken and VerifySoftwareToken, which carry no username, find the
//! user); only its salted digest is kept, in the user's record, bound to the credential
//! that passed the first factor. It expires after [`PoolRules::challenge_validity`] (3
//! minutes) and is spent by a right answer: every step that continues hands out a new
//! one. A wrong answer counts as a failed sign-in (the lockout of SPEC §6) and keeps the
//! session for at most [`MAX_WRONG_ANSWERS`] wrong answers **(decision: Cognito lets a user
//! retype a mistyped code; the count and the lockout bound the guesses)**. Inside a lockout
//! nothing is checked. A TOTP step is accepted once: a code replayed in its 90-second
//! window is wrong. SMS codes are six digits, valid as long as their session, at most
//! [`PoolRules::codes_per_window`] sent per rolling [`PoolRules::code_window`] (SPEC §12).
//!
//! # Decisions
//!
//! - VerifySoftwareToken makes the token the user's verified one (replacing an earlier
//!   one) without turning it on, as the guide describes ("next, you can enable TOTP MFA for
//!   your user"); completing `MFA_SETUP` turns it on and makes it preferred.
//! - A wrong VerifySoftwareToken code is `EnableSoftwareTokenMFAException`; a wrong or
//!   replayed answer to a challenge is `CodeMismatchException` `Invalid code received for
//!   user`; an SMS answer after its code expired is `ExpiredCodeException`; any other
//!   session problem is `NotAuthorizedException` `Invalid session for the user.`.

mod flow;
mod stored;
mod totp;

use std::fmt;
use std::str::FromStr;

pub use flow::{
    MAX_WRONG_ANSWERS, associate_software_token, associate_software_token_in_session,
    challenge_after_first_factor, respond_to_mfa_setup, respond_to_select_mfa_type,
    respond_to_sms_mfa, respond_to_software_token_mfa, session_username, set_sms_mfa,
    set_user_mfa_preference, settings, sms_factor_active, verify_software_token,
    verify_software_token_in_session,
};
pub use stored::MfaBlob;
pub use totp::{SECRET_LEN, STEP_SECONDS, TotpSecret};

#[cfg(doc)]
use crate::PoolRules;
use crate::error::{Constraint, Error, Result};
use crate::input::ConfirmationCode;
use crate::signin::ChallengeSession;

/// The pool's `MfaConfiguration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum MfaMode {
    /// No MFA for anyone (Cognito's default).
    #[default]
    Off,
    /// Every user must pass a second factor; users without one set it up at sign-in.
    On,
    /// Users who turned a factor on pass it.
    Optional,
}

impl MfaMode {
    /// Cognito's spelling: `OFF`, `ON`, `OPTIONAL`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MfaMode::Off => "OFF",
            MfaMode::On => "ON",
            MfaMode::Optional => "OPTIONAL",
        }
    }
}

impl FromStr for MfaMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "OFF" => Ok(MfaMode::Off),
            "ON" => Ok(MfaMode::On),
            "OPTIONAL" => Ok(MfaMode::Optional),
            _ => Err(Error::invalid_value(
                "mfaConfiguration",
                s,
                "Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
            )),
        }
    }
}

/// A pool's MFA settings (SetUserPoolMfaConfig / GetUserPoolMfaConfig).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolMfaConfig {
    /// OFF, ON or OPTIONAL.
    pub mode: MfaMode,
    /// `SoftwareTokenMfaConfiguration.Enabled`: users may associate TOTP tokens.
    pub software_token: bool,
    /// An `SmsMfaConfiguration` was given: SMS codes are offered.
    pub sms: bool,
    /// `SmsMfaConfiguration.SmsAuthenticationMessage`: the text around `{####}`, or the
    /// host's default when `None`.
    pub sms_message: Option<String>,
}

impl PoolMfaConfig {
    /// The configuration `CreateUserPool`'s `MfaConfiguration` gives a new pool. Creation
    /// can only offer SMS (TOTP is enabled afterwards with SetUserPoolMfaConfig), so ON and
    /// OPTIONAL need the pool to send SMS and to verify phone numbers on their own; SMS MFA
    /// is then offered, with the pool's `SmsAuthenticationMessage`.
    ///
    /// # Errors
    /// `InvalidParameterException` when the mode is ON or OPTIONAL and the settings lack an
    /// `SmsConfiguration` or `phone_number` among the auto-verified attributes.
    pub fn at_creation(mode: MfaMode, settings: &crate::settings::PoolSettings) -> Result<Self> {
        if mode == MfaMode::Off {
            return Ok(PoolMfaConfig::default());
        }
        let phone_verified = settings
            .auto_verified_attributes
            .contains(&crate::VerifiableAttribute::PhoneNumber);
        if settings.sms_configuration.is_none() || !phone_verified {
            return Err(Error::InvalidParameterMessage(
                "SMS configuration and Auto verification for phone_number are required when MFA is required/optional".into(),
            ));
        }
        let config = PoolMfaConfig {
            mode,
            software_token: false,
            sms: true,
            sms_message: settings
                .verification_messages
                .sms_authentication_message
                .clone(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks a configuration before it is stored.
    ///
    /// # Errors
    /// `InvalidParameterException` when MFA is ON or OPTIONAL with no factor offered, or
    /// when the SMS message lacks `{####}` or is longer than 140 characters.
    pub fn validate(&self) -> Result<()> {
        if self.mode != MfaMode::Off && !self.software_token && !self.sms {
            return Err(Error::InvalidParameterMessage(
                "At least one MFA method must be enabled when MFA is ON or OPTIONAL.".into(),
            ));
        }
        if let Some(message) = &self.sms_message {
            if message.chars().count() > 140 || message.chars().count() < 6 {
                return Err(Error::invalid_parameter(
                    "smsAuthenticationMessage",
                    Constraint::OutOfRange { min: 6, max: 140 },
                ));
            }
            if !message.contains("{####}") {
                return Err(Error::InvalidParameterMessage(
                    "SmsAuthenticationMessage must contain {####}".into(),
                ));
            }
        }
        Ok(())
    }
}

/// A second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MfaFactor {
    /// A TOTP authenticator app.
    SoftwareToken,
    /// A code sent by SMS to the user's `phone_number`.
    Sms,
}

impl MfaFactor {
    /// Cognito's name: `SOFTWARE_TOKEN_MFA` or `SMS_MFA` (the challenge, the entry of
    /// `UserMFASettingList`, the answer to `SELECT_MFA_TYPE`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MfaFactor::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            MfaFactor::Sms => "SMS_MFA",
        }
    }
}

impl FromStr for MfaFactor {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "SOFTWARE_TOKEN_MFA" => Ok(MfaFactor::SoftwareToken),
            "SMS_MFA" => Ok(MfaFactor::Sms),
            _ => Err(Error::InvalidParameterMessage(
                "Invalid MFA type; must be SMS_MFA or SOFTWARE_TOKEN_MFA".into(),
            )),
        }
    }
}

/// A change to one factor's setting (`SoftwareTokenMfaSettings`, `SMSMfaSettings`); an
/// absent member leaves that part as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FactorPreference {
    /// `Enabled`.
    pub enabled: Option<bool>,
    /// `PreferredMfa`.
    pub preferred: Option<bool>,
}

/// What GetUser and AdminGetUser report of a user's MFA.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MfaSettings {
    /// `UserMFASettingList`: the factors turned on.
    pub enabled: Vec<MfaFactor>,
    /// `PreferredMfaSetting`.
    pub preferred: Option<MfaFactor>,
    /// Whether a verified software token is associated (enabled or not).
    pub software_token_verified: bool,
}

/// The challenge names of MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MfaChallengeName {
    /// Answer with a TOTP code.
    SoftwareTokenMfa,
    /// Answer with the code sent by SMS.
    SmsMfa,
    /// Choose one of the offered factors.
    SelectMfaType,
    /// Set up a factor (AssociateSoftwareToken, VerifySoftwareToken), then answer.
    MfaSetup,
}

impl MfaChallengeName {
    /// Cognito's `ChallengeName`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MfaChallengeName::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            MfaChallengeName::SmsMfa => "SMS_MFA",
            MfaChallengeName::SelectMfaType => "SELECT_MFA_TYPE",
            MfaChallengeName::MfaSetup => "MFA_SETUP",
        }
    }
}

/// An MFA challenge opened on the user's record, for the host to answer the client with.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaChallenge {
    /// Which challenge.
    pub name: MfaChallengeName,
    /// The session to send back.
    pub session: ChallengeSession,
    /// For `SMS_MFA`: the code to deliver to the user's `phone_number` (SPEC §18: through
    /// the host's delivery, like confirmation codes).
    pub sms_code: Option<ConfirmationCode>,
    /// `MFAS_CAN_CHOOSE` (SELECT_MFA_TYPE) or `MFAS_CAN_SETUP` (MFA_SETUP); empty otherwise.
    pub options: Vec<MfaFactor>,
}

impl fmt::Debug for MfaChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MfaChallenge")
            .field("name", &self.name)
            .field("session", &self.session)
            .field("sms_code", &self.sms_code)
            .field("options", &self.options)
            .finish()
    }
}
