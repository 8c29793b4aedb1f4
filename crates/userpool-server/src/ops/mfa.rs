//! Multi-factor authentication (SPEC §18): AssociateSoftwareToken, VerifySoftwareToken,
//! SetUserMFAPreference, AdminSetUserMFAPreference, SetUserSettings, AdminSetUserSettings,
//! SetUserPoolMfaConfig, GetUserPoolMfaConfig, and the MFA answers of
//! RespondToAuthChallenge and AdminRespondToAuthChallenge. Shapes only: every decision is
//! the service's.

use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use userpool::inputs::{
    AccessTokenInput, AdminUserInput, PoolInput, RespondToAuthChallengeInput, SoftwareTokenInput,
};
use userpool::{Caller, ChallengeSessionText, MfaAnswer, MfaChallengeResult};
use userpool_core::mfa::{FactorPreference, MfaChallengeName, MfaMode, PoolMfaConfig};
use userpool_core::{Constraint, Error as PoolError};

use super::auth::required_member;
use super::shapes::Secret;
use crate::App;
use crate::error::Error;
use crate::wire::RequestBody;

/// The members of the operations that take an access token or a session.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TokenOrSession {
    access_token: Option<Secret>,
    session: Option<Secret>,
    user_code: Option<Secret>,
}

/// `SoftwareTokenMfaSettings`, `SMSMfaSettings`.
#[derive(Debug, Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "PascalCase")]
struct Settings {
    enabled: Option<bool>,
    preferred_mfa: Option<bool>,
}

/// A factor's settings as the service takes them; absent members change nothing.
fn preference(settings: Option<Settings>) -> FactorPreference {
    let s = settings.unwrap_or_default();
    FactorPreference {
        enabled: s.enabled,
        preferred: s.preferred_mfa,
    }
}

/// SetUserMFAPreference and AdminSetUserMFAPreference.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Preference {
    access_token: Option<Secret>,
    user_pool_id: Option<String>,
    username: Option<String>,
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<Settings>,
    software_token_mfa_settings: Option<Settings>,
}

/// `MFAOptionType`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MfaOption {
    delivery_medium: Option<String>,
    attribute_name: Option<String>,
}

/// SetUserSettings and AdminSetUserSettings.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserSettings {
    access_token: Option<Secret>,
    user_pool_id: Option<String>,
    username: Option<String>,
    #[serde(rename = "MFAOptions")]
    mfa_options: Option<Vec<MfaOption>>,
}

/// SetUserPoolMfaConfig and GetUserPoolMfaConfig.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PoolConfig {
    user_pool_id: Option<String>,
    mfa_configuration: Option<String>,
    software_token_mfa_configuration: Option<SoftwareTokenConfig>,
    sms_mfa_configuration: Option<SmsConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SoftwareTokenConfig {
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SmsConfig {
    sms_authentication_message: Option<String>,
}

/// **AssociateSoftwareToken**: `SecretCode`, and a new `Session` when called with one.
pub fn associate_software_token(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: TokenOrSession = body.parse()?;
    let input =
        SoftwareTokenInput::parse_associate(wire.access_token.as_deref(), wire.session.as_deref())?;
    let (secret, session) = app.pools.associate_software_token_input(&input)?;
    let out = json!({ "SecretCode": secret.as_str() });
    Ok(with_session(out, session.as_ref()))
}

/// `out` with the new `Session` of an MFA_SETUP challenge, when the operation was called
/// with one.
fn with_session(mut out: Value, session: Option<&ChallengeSessionText>) -> Value {
    if let Some(session) = session {
        out["Session"] = json!(session.expose());
    }
    out
}

/// **VerifySoftwareToken**: `Status` `SUCCESS`, and a new `Session` when called with one.
/// `FriendlyDeviceName` is accepted and not kept.
pub fn verify_software_token(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: TokenOrSession = body.parse()?;
    let input = SoftwareTokenInput::parse_verify(
        wire.access_token.as_deref(),
        wire.session.as_deref(),
        wire.user_code.as_deref(),
    )?;
    let session = app.pools.verify_software_token_input(&input)?;
    Ok(with_session(
        json!({ "Status": "SUCCESS" }),
        session.as_ref(),
    ))
}

/// **SetUserMFAPreference**.
pub fn set_user_mfa_preference(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: Preference = body.parse()?;
    let input = AccessTokenInput::parse(wire.access_token.as_deref())?;
    app.pools.set_user_mfa_preference_input(
        &input,
        preference(wire.software_token_mfa_settings),
        preference(wire.sms_mfa_settings),
    )?;
    Ok(json!({}))
}

/// **AdminSetUserMFAPreference**.
pub fn admin_set_user_mfa_preference(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: Preference = body.parse()?;
    let input = AdminUserInput::parse(wire.user_pool_id.as_deref(), wire.username.as_deref())?;
    app.pools.admin_set_user_mfa_preference_input(
        caller,
        &input,
        preference(wire.software_token_mfa_settings),
        preference(wire.sms_mfa_settings),
    )?;
    Ok(json!({}))
}

/// Whether a legacy `MFAOptions` list turns SMS MFA on: an entry with `DeliveryMedium`
/// `SMS` (to `phone_number`, the only attribute Cognito accepts); an empty list turns it
/// off. Other entries are InvalidParameterException.
fn sms_from_options(options: Option<&[MfaOption]>) -> Result<bool, Error> {
    let Some(options) = options else {
        return Err(PoolError::invalid_parameter("mFAOptions", Constraint::Missing).into());
    };
    let mut sms = false;
    for option in options {
        match (
            option.delivery_medium.as_deref(),
            option.attribute_name.as_deref(),
        ) {
            (Some("SMS"), None | Some("phone_number")) => sms = true,
            _ => {
                return Err(PoolError::InvalidParameterMessage(
                    "Only SMS to phone_number can be set as an MFA option".into(),
                )
                .into());
            }
        }
    }
    Ok(sms)
}

/// **SetUserSettings** (legacy MFA options).
pub fn set_user_settings(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: UserSettings = body.parse()?;
    let input = AccessTokenInput::parse(wire.access_token.as_deref())?;
    let sms = sms_from_options(wire.mfa_options.as_deref())?;
    app.pools.set_user_settings_input(&input, sms)?;
    Ok(json!({}))
}

/// **AdminSetUserSettings** (legacy MFA options).
pub fn admin_set_user_settings(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: UserSettings = body.parse()?;
    let input = AdminUserInput::parse(wire.user_pool_id.as_deref(), wire.username.as_deref())?;
    let sms = sms_from_options(wire.mfa_options.as_deref())?;
    app.pools
        .admin_set_user_settings_input(caller, &input, sms)?;
    Ok(json!({}))
}

fn pool_mfa_config(config: &PoolMfaConfig) -> Value {
    let mut out = json!({
        "MfaConfiguration": config.mode.as_str(),
        "SoftwareTokenMfaConfiguration": { "Enabled": config.software_token },
    });
    if config.sms {
        let mut sms = json!({});
        if let Some(message) = &config.sms_message {
            sms["SmsAuthenticationMessage"] = json!(message);
        }
        out["SmsMfaConfiguration"] = sms;
    }
    out
}

/// **SetUserPoolMfaConfig**: members left out keep their values **(decision)**; an
/// `SmsMfaConfiguration` turns SMS codes on (its `SmsConfiguration`, SNS's, is accepted
/// and not used: codes go to the host's delivery).
pub fn set_user_pool_mfa_config(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input: PoolConfig = body.parse()?;
    let pool = PoolInput::parse(input.user_pool_id.as_deref())?;
    let mut config = app.pools.get_user_pool_mfa_config_input(caller, &pool)?;
    if let Some(mode) = &input.mfa_configuration {
        config.mode = mode.parse::<MfaMode>()?;
    }
    if let Some(totp) = &input.software_token_mfa_configuration {
        config.software_token = totp.enabled.unwrap_or(false);
    }
    if let Some(sms) = input.sms_mfa_configuration {
        config.sms = true;
        config.sms_message = sms.sms_authentication_message;
    }
    let config = app
        .pools
        .set_user_pool_mfa_config_input(caller, &pool, config)?;
    Ok(pool_mfa_config(&config))
}

/// **GetUserPoolMfaConfig**.
pub fn get_user_pool_mfa_config(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let input: PoolConfig = body.parse()?;
    let pool = PoolInput::parse(input.user_pool_id.as_deref())?;
    let config = app.pools.get_user_pool_mfa_config_input(caller, &pool)?;
    Ok(pool_mfa_config(&config))
}

/// The parts of an MFA answer (its `SECRET_HASH` is in the input, for the service).
pub(super) struct Answer<'a> {
    pub(super) username: &'a str,
    pub(super) answer: MfaAnswer<'a>,
}

/// `Some` when the answer is to an MFA challenge (whose `Session` is required).
pub(super) fn answer<'a>(
    input: &RespondToAuthChallengeInput,
    r: &'a BTreeMap<String, Secret>,
) -> Result<Option<Answer<'a>>, Error> {
    let name = match input.challenge_name.as_str() {
        "SOFTWARE_TOKEN_MFA" => MfaChallengeName::SoftwareTokenMfa,
        "SMS_MFA" => MfaChallengeName::SmsMfa,
        "SELECT_MFA_TYPE" => MfaChallengeName::SelectMfaType,
        "MFA_SETUP" => MfaChallengeName::MfaSetup,
        _ => return Ok(None),
    };
    input.required_session()?;
    let username = required_member(r, "USERNAME")?;
    let answer = match name {
        MfaChallengeName::SoftwareTokenMfa => MfaAnswer::SoftwareToken {
            code: required_member(r, "SOFTWARE_TOKEN_MFA_CODE")?,
        },
        MfaChallengeName::SmsMfa => MfaAnswer::Sms {
            code: required_member(r, "SMS_MFA_CODE")?,
        },
        MfaChallengeName::SelectMfaType => MfaAnswer::Select {
            answer: required_member(r, "ANSWER")?,
        },
        MfaChallengeName::MfaSetup => MfaAnswer::Setup,
    };
    Ok(Some(Answer { username, answer }))
}

/// A list of factors as Cognito writes it in `ChallengeParameters`: a JSON string.
fn factor_list(challenge: &MfaChallengeResult) -> String {
    let names: Vec<&str> = challenge.options.iter().map(|f| f.as_str()).collect();
    serde_json::to_string(&names).unwrap_or_else(|_| "[]".into())
}

/// The response carrying an MFA challenge.
pub(super) fn challenge_response(challenge: &MfaChallengeResult) -> Value {
    let mut parameters = json!({ "USER_ID_FOR_SRP": challenge.user.username });
    match challenge.name {
        MfaChallengeName::SoftwareTokenMfa => {}
        MfaChallengeName::SmsMfa => {
            if let Some(delivery) = &challenge.delivery {
                parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] = json!(delivery.delivery_medium);
                parameters["CODE_DELIVERY_DESTINATION"] = json!(delivery.destination);
            }
        }
        MfaChallengeName::SelectMfaType => {
            parameters["MFAS_CAN_CHOOSE"] = json!(factor_list(challenge));
        }
        MfaChallengeName::MfaSetup => {
            parameters["MFAS_CAN_SETUP"] = json!(factor_list(challenge));
        }
    }
    json!({
        "ChallengeName": challenge.name.as_str(),
        "Session": challenge.session.expose(),
        "ChallengeParameters": parameters,
    })
}
