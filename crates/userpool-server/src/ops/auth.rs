//! Sign-up, sign-in and the operations an end user calls with a client id or an access
//! token: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
//! ConfirmForgotPassword, InitiateAuth,
//! AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge, ChangePassword,
//! GetUser, GlobalSignOut.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use userpool::inputs::SecretText;
use userpool::inputs::{
    AccessTokenInput, AdminInitiateAuthInput, AdminRespondToAuthChallengeInput,
    ChangePasswordInput, ClientUserInput, ConfirmForgotPasswordInput, ConfirmSignUpInput,
    DeleteUserAttributesInput, InitiateAuthInput, RespondToAuthChallengeInput, SignUpInput,
    UpdateUserAttributesInput, UserAttributeCodeInput,
};
use userpool::{AuthResult, Caller, ClientRecord, CodeDeliveryDetails, UserDescription};
use userpool_core::Error as PoolError;

use super::shapes::{self, Attribute, Secret};
use crate::App;
use crate::error::Error;
use crate::tokens::Issued;
use crate::wire::RequestBody;

/// Members of the public operations.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PublicInput {
    client_id: Option<String>,
    username: Option<String>,
    password: Option<Secret>,
    secret_hash: Option<Secret>,
    confirmation_code: Option<Secret>,
    user_attributes: Option<Vec<Attribute>>,
}

/// A member of `AuthParameters` or `ChallengeResponses` the flow needs: "Missing required
/// parameter <name>" when the request left it out.
pub(super) fn required_member<'a>(
    members: &'a BTreeMap<String, Secret>,
    name: &str,
) -> Result<&'a str, Error> {
    members
        .get(name)
        .map(Secret::expose)
        .ok_or_else(|| missing(name))
}

fn delivery(details: &CodeDeliveryDetails) -> Value {
    json!({
        "Destination": details.destination,
        "DeliveryMedium": details.delivery_medium,
        "AttributeName": details.attribute_name,
    })
}

/// `{"CodeDeliveryDetails": ...}` when a code was sent, `{}` when none was.
fn delivery_output(sent: Option<&CodeDeliveryDetails>) -> Value {
    match sent {
        Some(details) => json!({ "CodeDeliveryDetails": delivery(details) }),
        None => json!({}),
    }
}

/// The client, user and `SecretHash` of ResendConfirmationCode and ForgotPassword.
fn client_user(body: RequestBody) -> Result<ClientUserInput, Error> {
    let wire: PublicInput = body.parse()?;
    let input = ClientUserInput::parse(wire.client_id.as_deref(), wire.username.as_deref())?;
    Ok(input.with_secret_hash(wire.secret_hash.as_deref()))
}

pub fn sign_up(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: PublicInput = body.parse()?;
    let attributes = wire.user_attributes.as_deref().unwrap_or_default();
    let input = SignUpInput::parse(
        wire.client_id.as_deref(),
        wire.username.as_deref(),
        wire.password.as_deref(),
        &shapes::attribute_pairs(attributes),
    )?
    .with_secret_hash(wire.secret_hash.as_deref());
    let result = app.pools.sign_up_input(&input)?;
    let mut out =
        json!({ "UserConfirmed": result.user_confirmed, "UserSub": result.user_sub.to_string() });
    if let Some(details) = &result.code_delivery {
        out["CodeDeliveryDetails"] = delivery(details);
    }
    Ok(out)
}

pub fn confirm_sign_up(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: PublicInput = body.parse()?;
    let input = ConfirmSignUpInput::parse(
        wire.client_id.as_deref(),
        wire.username.as_deref(),
        wire.confirmation_code.as_deref(),
    )?
    .with_secret_hash(wire.secret_hash.as_deref());
    app.pools.confirm_sign_up_input(&input)?;
    Ok(json!({}))
}

pub fn forgot_password(app: &App, body: RequestBody) -> Result<Value, Error> {
    let input = client_user(body)?;
    let details = app.pools.forgot_password_input(&input)?;
    Ok(delivery_output(Some(&details)))
}

pub fn confirm_forgot_password(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: PublicInput = body.parse()?;
    let input = ConfirmForgotPasswordInput::parse(
        wire.client_id.as_deref(),
        wire.username.as_deref(),
        wire.confirmation_code.as_deref(),
        wire.password.as_deref(),
    )?
    .with_secret_hash(wire.secret_hash.as_deref());
    app.pools.confirm_forgot_password_input(&input)?;
    Ok(json!({}))
}

/// **ResendConfirmationCode**: `CodeDeliveryDetails` when the user has somewhere to send
/// the code (the service decides, SPEC §12 limits included).
pub fn resend_confirmation_code(app: &App, body: RequestBody) -> Result<Value, Error> {
    let input = client_user(body)?;
    let sent = app.pools.resend_confirmation_code_input(&input)?;
    Ok(delivery_output(sent.as_ref()))
}

/// InitiateAuth and AdminInitiateAuth.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct InitiateAuth {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    auth_flow: Option<String>,
    #[serde(default)]
    auth_parameters: BTreeMap<String, Secret>,
}

/// **InitiateAuth**: `USER_PASSWORD_AUTH` or `REFRESH_TOKEN_AUTH` (alias `REFRESH_TOKEN`).
pub fn initiate_auth(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: InitiateAuth = body.parse()?;
    let params = &wire.auth_parameters;
    let input = InitiateAuthInput::parse(wire.client_id.as_deref(), wire.auth_flow.as_deref())?
        .with_secret_hash(params.get("SECRET_HASH").map(Secret::expose));
    match input.auth_flow.as_str() {
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            let client = app.pools.refresh_client_input(&input)?;
            refresh(app, &client, params, &input)
        }
        "USER_PASSWORD_AUTH" => username_flow(app, params, "PASSWORD", |username, password| {
            app.pools.initiate_auth_input(&input, username, password)
        }),
        "USER_SRP_AUTH" => username_flow(app, params, "SRP_A", |username, srp_a| {
            app.pools.initiate_srp_auth_input(&input, username, srp_a)
        }),
        other => Err(unsupported_flow(
            other,
            "USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH",
        )),
    }
}

/// **AdminInitiateAuth**: `ADMIN_USER_PASSWORD_AUTH` (alias `ADMIN_NO_SRP_AUTH`) or
/// `REFRESH_TOKEN_AUTH`, for a client of the named pool.
pub fn admin_initiate_auth(app: &App, caller: &Caller, body: RequestBody) -> Result<Value, Error> {
    let wire: InitiateAuth = body.parse()?;
    let params = &wire.auth_parameters;
    let input = AdminInitiateAuthInput::parse(
        wire.user_pool_id.as_deref(),
        wire.client_id.as_deref(),
        wire.auth_flow.as_deref(),
    )?
    .with_secret_hash(params.get("SECRET_HASH").map(Secret::expose));
    match input.initiate.auth_flow.as_str() {
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            // The same authoriser and quota as the password flow of this door.
            let client = app.pools.admin_refresh_client_input(caller, &input)?;
            refresh(app, &client, params, &input.initiate)
        }
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            username_flow(app, params, "PASSWORD", |username, password| {
                app.pools
                    .admin_initiate_auth_input(caller, &input, username, password)
            })
        }
        "USER_SRP_AUTH" => username_flow(app, params, "SRP_A", |username, srp_a| {
            app.pools
                .admin_initiate_srp_auth_input(caller, &input, username, srp_a)
        }),
        other => Err(unsupported_flow(
            other,
            "ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH",
        )),
    }
}

/// An `AuthFlow` this server does not implement (SRP, custom auth, ...), named before any
/// parameter is looked at: an SRP client sends no `PASSWORD`, and "missing PASSWORD" would
/// send its developer the wrong way.
fn unsupported_flow(flow: &str, implemented: &str) -> Error {
    PoolError::InvalidParameterMessage(format!(
        "Unsupported auth flow: {}. userpool-server implements {implemented}.",
        flow.chars().take(64).collect::<String>()
    ))
    .into()
}

/// The flows that start from `USERNAME` and one more member, at either door: `PASSWORD`
/// for the password flows, `SRP_A` for `USER_SRP_AUTH` (SPEC §15, whose answer is the
/// PASSWORD_VERIFIER challenge). Both members, then `start` (which checks the client's
/// `SECRET_HASH`, carried by its input), then tokens or the challenge.
fn username_flow(
    app: &App,
    params: &BTreeMap<String, Secret>,
    member: &str,
    start: impl FnOnce(&str, &str) -> userpool_core::Result<AuthResult>,
) -> Result<Value, Error> {
    let username = required_member(params, "USERNAME")?;
    let value = required_member(params, member)?;
    let result = start(username, value)?;
    auth_response(app, result)
}

fn missing(name: &str) -> Error {
    PoolError::InvalidParameterMessage(format!("Missing required parameter {name}")).into()
}

/// `REFRESH_TOKEN_AUTH`: new access and id tokens from a refresh token, for a user who
/// still exists and is enabled. `client` passed its door's prelude (authoriser for the admin
/// door, the pool's quota for both: `UserPools::refresh_client`,
/// `UserPools::admin_refresh_client`); the token's user is limited as a username is
/// (SPEC §13); the service checks the input's `SECRET_HASH`.
fn refresh(
    app: &App,
    client: &ClientRecord,
    params: &BTreeMap<String, Secret>,
    input: &InitiateAuthInput,
) -> Result<Value, Error> {
    let token = required_member(params, "REFRESH_TOKEN")?;
    let secret_hash = input.secret_hash.as_ref().map(SecretText::expose);
    let issued = app.pools.refresh_tokens(client, token, secret_hash)?;
    Ok(json!({ "AuthenticationResult": authentication_result(&issued), "ChallengeParameters": {} }))
}

fn authentication_result(issued: &Issued) -> Value {
    let mut out = json!({
        "AccessToken": issued.access_token,
        "ExpiresIn": issued.expires_in,
        "TokenType": issued.token_type,
        "IdToken": issued.id_token,
    });
    if let Some(refresh) = &issued.refresh_token {
        out["RefreshToken"] = json!(refresh);
    }
    out
}

/// Tokens for an authenticated user, or the NEW_PASSWORD_REQUIRED challenge.
pub(super) fn auth_response(app: &App, result: AuthResult) -> Result<Value, Error> {
    match result {
        AuthResult::Authenticated(who) => {
            let issued = app.pools.issue_tokens(&who)?;
            Ok(
                json!({ "AuthenticationResult": authentication_result(&issued), "ChallengeParameters": {} }),
            )
        }
        AuthResult::NewPasswordRequired {
            session,
            user,
            required_attributes,
        } => Ok(json!({
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session.expose(),
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                // Cognito's shape: a JSON array, as a string, of `userAttributes.<name>`.
                "requiredAttributes": required_attributes_parameter(&required_attributes)?,
                "userAttributes": challenge_attributes(&user)?,
            },
        })),
        AuthResult::Mfa(challenge) => Ok(super::mfa::challenge_response(&challenge)),
        AuthResult::PasswordVerifier(p) => Ok(json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": p.salt,
                "SRP_B": p.srp_b,
                "SECRET_BLOCK": p.secret_block.as_str(),
                "USERNAME": p.user_id_for_srp,
                "USER_ID_FOR_SRP": p.user_id_for_srp,
            },
        })),
    }
}

/// `requiredAttributes` of the challenge: a JSON array, as a string, of
/// `userAttributes.<name>` (Cognito's shape).
fn required_attributes_parameter(required: &[String]) -> Result<String, Error> {
    let names: Vec<String> = required
        .iter()
        .map(|name| format!("userAttributes.{name}"))
        .collect();
    serde_json::to_string(&names).map_err(|e| Error::internal(format!("requiredAttributes: {e}")))
}

/// `userAttributes` of the challenge: the user's attributes but `sub`, as a JSON string
/// (Cognito's shape).
fn challenge_attributes(user: &UserDescription) -> Result<String, Error> {
    let attributes: BTreeMap<&str, &str> = user
        .attributes
        .iter()
        .filter(|(name, _)| name.as_str() != "sub")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    serde_json::to_string(&attributes).map_err(|e| Error::internal(format!("userAttributes: {e}")))
}

/// RespondToAuthChallenge and AdminRespondToAuthChallenge.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RespondToAuthChallenge {
    user_pool_id: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) challenge_name: Option<String>,
    pub(super) session: Option<Secret>,
    #[serde(default)]
    pub(super) challenge_responses: BTreeMap<String, Secret>,
}

/// The parts of a NEW_PASSWORD_REQUIRED answer (its `SECRET_HASH` is in the input).
struct Answer<'a> {
    username: &'a str,
    new_password: &'a str,
    /// The `userAttributes.<name>` members: attributes the user sets with the password.
    attributes: Vec<(&'a str, &'a str)>,
}

/// The parts of a PASSWORD_VERIFIER answer (SPEC §15). A `Session`
/// is not needed (the challenge is found by its secret block) and other members are
/// ignored.
struct VerifierAnswer<'a> {
    username: &'a str,
    secret_block: &'a str,
    signature: &'a str,
    timestamp: &'a str,
}

/// `Some` when the answer is to PASSWORD_VERIFIER.
fn verifier_answer<'a>(
    input: &RespondToAuthChallengeInput,
    r: &'a BTreeMap<String, Secret>,
) -> Result<Option<VerifierAnswer<'a>>, Error> {
    if input.challenge_name != "PASSWORD_VERIFIER" {
        return Ok(None);
    }
    let username = required_member(r, "USERNAME")?;
    let answer = VerifierAnswer {
        username,
        secret_block: required_member(r, "PASSWORD_CLAIM_SECRET_BLOCK")?,
        signature: required_member(r, "PASSWORD_CLAIM_SIGNATURE")?,
        timestamp: required_member(r, "TIMESTAMP")?,
    };
    Ok(Some(answer))
}

fn answer<'a>(
    input: &RespondToAuthChallengeInput,
    responses: &'a BTreeMap<String, Secret>,
) -> Result<Answer<'a>, Error> {
    let challenge = &input.challenge_name;
    if challenge != "NEW_PASSWORD_REQUIRED" {
        return Err(PoolError::InvalidParameterMessage(format!(
            "Unsupported challenge: {}. Implemented: NEW_PASSWORD_REQUIRED, PASSWORD_VERIFIER, SOFTWARE_TOKEN_MFA, SMS_MFA, SELECT_MFA_TYPE, MFA_SETUP.",
            challenge.chars().take(64).collect::<String>()
        ))
        .into());
    }
    // Cognito's client libraries send the challenge's `userAttributes` back as
    // `userAttributes.<name>`; the service writes them with the new password.
    let attributes = responses
        .iter()
        .filter_map(|(key, value)| {
            key.strip_prefix("userAttributes.")
                .map(|name| (name, value.expose()))
        })
        .collect();
    let (Some(username), Some(new_password)) =
        (responses.get("USERNAME"), responses.get("NEW_PASSWORD"))
    else {
        return Err(PoolError::InvalidParameterMessage(
            "Missing required parameter USERNAME or NEW_PASSWORD in ChallengeResponses".into(),
        )
        .into());
    };
    Ok(Answer {
        username,
        new_password,
        attributes,
    })
}

/// The answer of a RespondToAuthChallenge or AdminRespondToAuthChallenge, read by the
/// challenge it answers (the service checks its `SECRET_HASH`, carried by the input).
enum ChallengeAnswer<'a> {
    Mfa(super::mfa::Answer<'a>),
    PasswordVerifier(VerifierAnswer<'a>),
    NewPassword(Answer<'a>),
}

/// Reads `responses` for `input`'s challenge: an MFA challenge, PASSWORD_VERIFIER, or
/// NEW_PASSWORD_REQUIRED (any other challenge is refused as unsupported).
fn challenge_answer<'a>(
    input: &RespondToAuthChallengeInput,
    responses: &'a BTreeMap<String, Secret>,
) -> Result<ChallengeAnswer<'a>, Error> {
    if let Some(m) = super::mfa::answer(input, responses)? {
        return Ok(ChallengeAnswer::Mfa(m));
    }
    if let Some(v) = verifier_answer(input, responses)? {
        return Ok(ChallengeAnswer::PasswordVerifier(v));
    }
    answer(input, responses).map(ChallengeAnswer::NewPassword)
}

/// The `SECRET_HASH` member of `ChallengeResponses`, moved into the input for the service
/// to check.
fn challenge_secret_hash(responses: &BTreeMap<String, Secret>) -> Option<&str> {
    responses.get("SECRET_HASH").map(Secret::expose)
}

pub fn respond_to_auth_challenge(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: RespondToAuthChallenge = body.parse()?;
    let input = RespondToAuthChallengeInput::parse(
        wire.client_id.as_deref(),
        wire.challenge_name.as_deref(),
        wire.session.as_deref(),
    )?
    .with_secret_hash(challenge_secret_hash(&wire.challenge_responses));
    let pools = &app.pools;
    let result = match challenge_answer(&input, &wire.challenge_responses)? {
        ChallengeAnswer::Mfa(m) => {
            pools.respond_to_mfa_challenge_input(&input, m.username, m.answer)
        }
        ChallengeAnswer::PasswordVerifier(v) => pools.respond_to_password_verifier_input(
            &input,
            v.username,
            v.secret_block,
            v.signature,
            v.timestamp,
        ),
        ChallengeAnswer::NewPassword(a) => pools.respond_to_new_password_required_input(
            &input,
            a.username,
            a.new_password,
            &a.attributes,
        ),
    }?;
    auth_response(app, result)
}

pub fn admin_respond_to_auth_challenge(
    app: &App,
    caller: &Caller,
    body: RequestBody,
) -> Result<Value, Error> {
    let wire: RespondToAuthChallenge = body.parse()?;
    let input = AdminRespondToAuthChallengeInput::parse(
        wire.user_pool_id.as_deref(),
        wire.client_id.as_deref(),
        wire.challenge_name.as_deref(),
        wire.session.as_deref(),
    )?
    .with_secret_hash(challenge_secret_hash(&wire.challenge_responses));
    let pools = &app.pools;
    let result = match challenge_answer(&input.respond, &wire.challenge_responses)? {
        ChallengeAnswer::Mfa(m) => {
            pools.admin_respond_to_mfa_challenge_input(caller, &input, m.username, m.answer)
        }
        ChallengeAnswer::PasswordVerifier(v) => pools.admin_respond_to_password_verifier_input(
            caller,
            &input,
            v.username,
            v.secret_block,
            v.signature,
            v.timestamp,
        ),
        ChallengeAnswer::NewPassword(a) => pools.admin_respond_to_new_password_required_input(
            caller,
            &input,
            a.username,
            a.new_password,
            &a.attributes,
        ),
    }?;
    auth_response(app, result)
}

/// The operations that carry an access token.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WithToken {
    access_token: Option<Secret>,
    previous_password: Option<Secret>,
    proposed_password: Option<Secret>,
}

/// The `AccessToken` of the operations that take nothing else (GetUser, GlobalSignOut,
/// DeleteUser).
fn access_token(body: RequestBody) -> Result<AccessTokenInput, Error> {
    let wire: WithToken = body.parse()?;
    Ok(AccessTokenInput::parse(wire.access_token.as_deref())?)
}

/// **ChangePassword**: the access token names the user; the previous password proves it.
pub fn change_password(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: WithToken = body.parse()?;
    let input = ChangePasswordInput::parse(
        wire.previous_password.as_deref(),
        wire.proposed_password.as_deref(),
        wire.access_token.as_deref(),
    )?;
    app.pools.change_password_input(&input)?;
    Ok(json!({}))
}

/// **GetUser**: the access token's user.
pub fn get_user(app: &App, body: RequestBody) -> Result<Value, Error> {
    let input = access_token(body)?;
    let user = app.pools.get_user(input.access_token.expose())?;
    let mut out = json!({
        "Username": user.username,
        "UserAttributes": shapes::attribute_list(&user.attributes),
        "MFAOptions": [],
    });
    shapes::add_mfa_settings(&mut out, &user);
    Ok(out)
}

/// **GlobalSignOut**: revokes every refresh token of the token's user, and the access
/// tokens issued from them (this one included).
pub fn global_sign_out(app: &App, body: RequestBody) -> Result<Value, Error> {
    let input = access_token(body)?;
    app.pools.global_sign_out(input.access_token.expose())?;
    Ok(json!({}))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AttributesWithToken {
    access_token: Option<Secret>,
    user_attributes: Option<Vec<Attribute>>,
    user_attribute_names: Option<Vec<String>>,
}

/// **UpdateUserAttributes**: the access token's user writes their own attributes.
/// `CodeDeliveryDetailsList` is empty: this service sends no attribute verification codes
/// (VerifyUserAttribute is not built).
pub fn update_user_attributes(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: AttributesWithToken = body.parse()?;
    let attributes = wire.user_attributes.as_deref().map(shapes::attribute_pairs);
    let input =
        UpdateUserAttributesInput::parse(attributes.as_deref(), wire.access_token.as_deref())?;
    let sent = app.pools.update_user_attributes_input(&input)?;
    Ok(json!({ "CodeDeliveryDetailsList": sent.iter().map(delivery).collect::<Vec<_>>() }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AttributeCode {
    access_token: Option<Secret>,
    attribute_name: Option<String>,
    code: Option<Secret>,
}

/// **GetUserAttributeVerificationCode**: a code for the token's user's email or phone.
pub fn get_user_attribute_verification_code(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: AttributeCode = body.parse()?;
    let input = UserAttributeCodeInput::parse_request(
        wire.access_token.as_deref(),
        wire.attribute_name.as_deref(),
    )?;
    let sent = app
        .pools
        .get_user_attribute_verification_code_input(&input)?;
    Ok(delivery_output(sent.as_ref()))
}

/// **VerifyUserAttribute**: the code marks the token's user's attribute verified.
pub fn verify_user_attribute(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: AttributeCode = body.parse()?;
    let input = UserAttributeCodeInput::parse_verify(
        wire.access_token.as_deref(),
        wire.attribute_name.as_deref(),
        wire.code.as_deref(),
    )?;
    app.pools.verify_user_attribute_input(&input)?;
    Ok(json!({}))
}

/// **DeleteUserAttributes**: the access token's user deletes their own attributes.
pub fn delete_user_attributes(app: &App, body: RequestBody) -> Result<Value, Error> {
    let wire: AttributesWithToken = body.parse()?;
    let names: Option<Vec<&str>> = wire
        .user_attribute_names
        .as_ref()
        .map(|names| names.iter().map(String::as_str).collect());
    let input = DeleteUserAttributesInput::parse(names.as_deref(), wire.access_token.as_deref())?;
    app.pools.delete_user_attributes_input(&input)?;
    Ok(json!({}))
}

/// **DeleteUser**: the access token's user deletes themself (their sessions go too).
pub fn delete_user(app: &App, body: RequestBody) -> Result<Value, Error> {
    let input = access_token(body)?;
    let claims = app.pools.verify_access_token(input.access_token.expose())?;
    app.pools
        .delete_user(claims.pool_id.as_str(), &claims.username)?;
    Ok(json!({}))
}
