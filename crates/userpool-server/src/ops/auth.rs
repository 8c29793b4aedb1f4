//! Sign-up, sign-in and the operations an end user calls with a client id or an access
//! token: SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
//! ConfirmForgotPassword, InitiateAuth,
//! AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge, ChangePassword,
//! GetUser, GlobalSignOut.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use userpool::{
    AuthResult, Caller, Category, ClientRecord, CodeDeliveryDetails, Store, UserDescription,
    UserKey,
};
use userpool_core::{Constraint, Error as PoolError, UserPoolId};

use super::shapes::{self, Attribute, Required};
use crate::App;
use crate::error::Error;
use crate::secret_hash;
use crate::tokens::Issued;

/// Members of the public operations.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PublicInput {
    client_id: Option<String>,
    username: Option<String>,
    password: Option<String>,
    secret_hash: Option<String>,
    confirmation_code: Option<String>,
    user_attributes: Option<Vec<Attribute>>,
}

/// The client named by `client_id`, when it exists (an unknown one is left for the
/// service to report as `ResourceNotFoundException`).
fn client(app: &App, client_id: &str) -> Result<Option<ClientRecord>, Error> {
    Ok(app.pools.store().find_client(client_id)?)
}

/// Checks `SECRET_HASH` for `username` when the client has a secret.
fn check_secret(
    app: &App,
    client_id: &str,
    username: &str,
    given: Option<&str>,
) -> Result<(), Error> {
    match client(app, client_id)? {
        Some(client) => secret_hash::check(&client, username, given),
        None => Ok(()),
    }
}

fn delivery(details: &CodeDeliveryDetails) -> Value {
    json!({
        "Destination": details.destination,
        "DeliveryMedium": details.delivery_medium,
        "AttributeName": details.attribute_name,
    })
}

pub fn sign_up(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input: PublicInput = shapes::input(input)?;
    let mut required = Required::default();
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    let username = required.take(input.username.as_deref(), "username");
    let password = required.take(input.password.as_deref(), "password");
    required.finish()?;
    check_secret(app, client_id, username, input.secret_hash.as_deref())?;
    let attributes = input.user_attributes.as_deref().unwrap_or_default();
    let result = app.pools.sign_up(
        client_id,
        username,
        password,
        &shapes::attribute_pairs(attributes),
    )?;
    let mut out =
        json!({ "UserConfirmed": result.user_confirmed, "UserSub": result.user_sub.to_string() });
    if let Some(details) = &result.code_delivery {
        out["CodeDeliveryDetails"] = delivery(details);
    }
    Ok(out)
}

pub fn confirm_sign_up(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input: PublicInput = shapes::input(input)?;
    let mut required = Required::default();
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    let username = required.take(input.username.as_deref(), "username");
    let code = required.take(input.confirmation_code.as_deref(), "confirmationCode");
    required.finish()?;
    check_secret(app, client_id, username, input.secret_hash.as_deref())?;
    app.pools.confirm_sign_up(client_id, username, code)?;
    Ok(json!({}))
}

pub fn forgot_password(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input: PublicInput = shapes::input(input)?;
    let mut required = Required::default();
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    let username = required.take(input.username.as_deref(), "username");
    required.finish()?;
    check_secret(app, client_id, username, input.secret_hash.as_deref())?;
    let details = app.pools.forgot_password(client_id, username)?;
    Ok(json!({ "CodeDeliveryDetails": delivery(&details) }))
}

pub fn confirm_forgot_password(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input: PublicInput = shapes::input(input)?;
    let mut required = Required::default();
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    let username = required.take(input.username.as_deref(), "username");
    let code = required.take(input.confirmation_code.as_deref(), "confirmationCode");
    let password = required.take(input.password.as_deref(), "password");
    required.finish()?;
    check_secret(app, client_id, username, input.secret_hash.as_deref())?;
    app.pools
        .confirm_forgot_password(client_id, username, code, password)?;
    Ok(json!({}))
}

/// **ResendConfirmationCode**: `CodeDeliveryDetails` when the user has somewhere to send
/// the code (the service decides, SPEC §12 limits included).
pub fn resend_confirmation_code(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input: PublicInput = shapes::input(input)?;
    let mut required = Required::default();
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    let username = required.take(input.username.as_deref(), "username");
    required.finish()?;
    check_secret(app, client_id, username, input.secret_hash.as_deref())?;
    let details = app.pools.resend_confirmation_code(client_id, username)?;
    Ok(match details {
        Some(details) => json!({ "CodeDeliveryDetails": delivery(&details) }),
        None => json!({}),
    })
}

/// InitiateAuth and AdminInitiateAuth.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateAuth {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    auth_flow: Option<String>,
    #[serde(default)]
    auth_parameters: BTreeMap<String, String>,
}

/// **InitiateAuth**: `USER_PASSWORD_AUTH` or `REFRESH_TOKEN_AUTH` (alias `REFRESH_TOKEN`).
pub fn initiate_auth(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input: InitiateAuth = shapes::input(input)?;
    let mut required = Required::default();
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    let flow = required.take(input.auth_flow.as_deref(), "authFlow");
    required.finish()?;
    let params = &input.auth_parameters;
    match flow {
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            let client = app.pools.refresh_client(client_id)?;
            refresh(app, &client, params)
        }
        "USER_PASSWORD_AUTH" => password_flow(app, client_id, params, |username, password| {
            app.pools.initiate_auth(client_id, flow, username, password)
        }),
        "USER_SRP_AUTH" => srp_flow(app, client_id, params, |username, srp_a| {
            app.pools.initiate_srp_auth(client_id, username, srp_a)
        }),
        other => Err(unsupported_flow(
            other,
            "USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH",
        )),
    }
}

/// **AdminInitiateAuth**: `ADMIN_USER_PASSWORD_AUTH` (alias `ADMIN_NO_SRP_AUTH`) or
/// `REFRESH_TOKEN_AUTH`, for a client of the named pool.
pub fn admin_initiate_auth(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input: InitiateAuth = shapes::input(input)?;
    let mut required = Required::default();
    let pool_id = required.take(input.user_pool_id.as_deref(), "userPoolId");
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    let flow = required.take(input.auth_flow.as_deref(), "authFlow");
    required.finish()?;
    let params = &input.auth_parameters;
    match flow {
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            // The same authoriser and quota as the password flow of this door.
            let client = app.pools.admin_refresh_client(caller, pool_id, client_id)?;
            refresh(app, &client, params)
        }
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => {
            password_flow(app, client_id, params, |username, password| {
                let pools = &app.pools;
                pools.admin_initiate_auth(caller, pool_id, client_id, flow, username, password)
            })
        }
        "USER_SRP_AUTH" => srp_flow(app, client_id, params, |username, srp_a| {
            app.pools
                .admin_initiate_srp_auth(caller, pool_id, client_id, username, srp_a)
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

/// The password flows, public and admin: `USERNAME` and `PASSWORD`, the client's
/// `SECRET_HASH`, then `sign_in`, then tokens or the challenge.
fn password_flow(
    app: &App,
    client_id: &str,
    params: &BTreeMap<String, String>,
    sign_in: impl FnOnce(&str, &str) -> userpool_core::Result<AuthResult>,
) -> Result<Value, Error> {
    let (username, password) = credentials(params)?;
    let secret_hash = params.get("SECRET_HASH").map(String::as_str);
    check_secret(app, client_id, username, secret_hash)?;
    let result = sign_in(username, password)?;
    auth_response(app, result)
}

/// `USER_SRP_AUTH` at either door (SPEC §15): `USERNAME` and `SRP_A`, the client's
/// `SECRET_HASH`, then the PASSWORD_VERIFIER challenge.
fn srp_flow(
    app: &App,
    client_id: &str,
    params: &BTreeMap<String, String>,
    start: impl FnOnce(&str, &str) -> userpool_core::Result<AuthResult>,
) -> Result<Value, Error> {
    let (username, srp_a) = match (params.get("USERNAME"), params.get("SRP_A")) {
        (Some(u), Some(a)) => (u, a),
        (None, _) => return Err(missing("USERNAME")),
        (_, None) => return Err(missing("SRP_A")),
    };
    let secret_hash = params.get("SECRET_HASH").map(String::as_str);
    check_secret(app, client_id, username, secret_hash)?;
    let result = start(username, srp_a)?;
    auth_response(app, result)
}

fn missing(name: &str) -> Error {
    PoolError::InvalidParameterMessage(format!("Missing required parameter {name}")).into()
}

/// `USERNAME` and `PASSWORD` of the password flows.
fn credentials(params: &BTreeMap<String, String>) -> Result<(&str, &str), Error> {
    match (params.get("USERNAME"), params.get("PASSWORD")) {
        (Some(u), Some(p)) => Ok((u, p)),
        (None, _) => Err(PoolError::InvalidParameterMessage(
            "Missing required parameter USERNAME".into(),
        )
        .into()),
        (_, None) => Err(PoolError::InvalidParameterMessage(
            "Missing required parameter PASSWORD".into(),
        )
        .into()),
    }
}

/// `REFRESH_TOKEN_AUTH`: new access and id tokens from a refresh token, for a user who
/// still exists and is enabled. `client` passed its door's prelude (authoriser for the admin
/// door, the pool's quota for both: `UserPools::refresh_client`,
/// `UserPools::admin_refresh_client`); the token's user is limited as a username is
/// (SPEC §13).
fn refresh(
    app: &App,
    client: &ClientRecord,
    params: &BTreeMap<String, String>,
) -> Result<Value, Error> {
    let Some(token) = params.get("REFRESH_TOKEN") else {
        return Err(PoolError::InvalidParameterMessage(
            "Missing required parameter REFRESH_TOKEN".into(),
        )
        .into());
    };
    let session = app
        .tokens
        .session_for_refresh(&client.pool_id, &client.client_id, token)?;
    app.pools
        .limit_username(&client.client_id, &session.sub.to_string())?;
    let user = user_by_sub(app.pools.store().as_ref(), &client.pool_id, session.sub)?
        .ok_or_else(|| Error::NotAuthorized("Refresh Token has been revoked".into()))?;
    if client.secret.is_some() {
        // Cognito accepts the hash computed over the username or over the `sub`.
        let given = params.get("SECRET_HASH").map(String::as_str);
        secret_hash::check(client, &user.username, given)
            .or_else(|_| secret_hash::check(client, &user.sub.to_string(), given))?;
    }
    if !user.enabled {
        return Err(PoolError::NotAuthorized(userpool_core::NotAuthorized::UserDisabled).into());
    }
    let issued = app.tokens.reissue(&session, &user)?;
    Ok(json!({ "AuthenticationResult": authentication_result(&issued), "ChallengeParameters": {} }))
}

fn user_by_sub(
    store: &dyn Store,
    pool: &UserPoolId,
    sub: uuid::Uuid,
) -> Result<Option<UserDescription>, Error> {
    Ok(store
        .find_user(pool, UserKey::Sub(sub))?
        .as_ref()
        .map(UserDescription::from))
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
fn auth_response(app: &App, result: AuthResult) -> Result<Value, Error> {
    match result {
        AuthResult::Authenticated(who) => {
            let issued = app.tokens.issue(&who.pool_id, &who.client_id, &who.user)?;
            Ok(
                json!({ "AuthenticationResult": authentication_result(&issued), "ChallengeParameters": {} }),
            )
        }
        AuthResult::NewPasswordRequired { session, user } => Ok(json!({
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session.expose(),
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": "[]",
                "userAttributes": challenge_attributes(&user)?,
            },
        })),
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
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RespondToAuthChallenge {
    user_pool_id: Option<String>,
    client_id: Option<String>,
    challenge_name: Option<String>,
    session: Option<String>,
    #[serde(default)]
    challenge_responses: BTreeMap<String, String>,
}

/// The parts of a NEW_PASSWORD_REQUIRED answer, after the checks both variants share.
struct Answer<'a> {
    client_id: &'a str,
    username: &'a str,
    new_password: &'a str,
    session: &'a str,
    /// The `userAttributes.<name>` members: attributes the user sets with the password.
    attributes: Vec<(&'a str, &'a str)>,
}

/// The parts of a PASSWORD_VERIFIER answer (SPEC §15), `SECRET_HASH` checked. A `Session`
/// is not needed (the challenge is found by its secret block) and other members are
/// ignored.
struct VerifierAnswer<'a> {
    client_id: &'a str,
    username: &'a str,
    secret_block: &'a str,
    signature: &'a str,
    timestamp: &'a str,
}

/// `Some` when the answer is to PASSWORD_VERIFIER.
fn verifier_answer<'a>(
    app: &App,
    input: &'a RespondToAuthChallenge,
) -> Result<Option<VerifierAnswer<'a>>, Error> {
    if input.challenge_name.as_deref() != Some("PASSWORD_VERIFIER") {
        return Ok(None);
    }
    let mut required = Required::default();
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    required.finish()?;
    let r = &input.challenge_responses;
    let get = |name: &str| r.get(name).map(String::as_str).ok_or_else(|| missing(name));
    let username = get("USERNAME")?;
    let answer = VerifierAnswer {
        client_id,
        username,
        secret_block: get("PASSWORD_CLAIM_SECRET_BLOCK")?,
        signature: get("PASSWORD_CLAIM_SIGNATURE")?,
        timestamp: get("TIMESTAMP")?,
    };
    check_secret(
        app,
        client_id,
        username,
        r.get("SECRET_HASH").map(String::as_str),
    )?;
    Ok(Some(answer))
}

fn answer<'a>(app: &App, input: &'a RespondToAuthChallenge) -> Result<Answer<'a>, Error> {
    let mut required = Required::default();
    let client_id = required.take(input.client_id.as_deref(), "clientId");
    let challenge = required.take(input.challenge_name.as_deref(), "challengeName");
    required.finish()?;
    if challenge != "NEW_PASSWORD_REQUIRED" {
        return Err(PoolError::InvalidParameterMessage(format!(
            "Unsupported challenge: {}. Only NEW_PASSWORD_REQUIRED and PASSWORD_VERIFIER are implemented.",
            challenge.chars().take(64).collect::<String>()
        ))
        .into());
    }
    let responses = &input.challenge_responses;
    // Cognito's client libraries send the challenge's `userAttributes` back as
    // `userAttributes.<name>`; the service writes them with the new password.
    let attributes = responses
        .iter()
        .filter_map(|(key, value)| {
            key.strip_prefix("userAttributes.")
                .map(|name| (name, value.as_str()))
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
    let session = input.session.as_deref().unwrap_or_default();
    check_secret(
        app,
        client_id,
        username,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    Ok(Answer {
        client_id,
        username,
        new_password,
        session,
        attributes,
    })
}

pub fn respond_to_auth_challenge(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input: RespondToAuthChallenge = shapes::input(input)?;
    if let Some(v) = verifier_answer(app, &input)? {
        let result = app.pools.respond_to_password_verifier(
            v.client_id,
            v.username,
            v.secret_block,
            v.signature,
            v.timestamp,
        )?;
        return auth_response(app, result);
    }
    let a = answer(app, &input)?;
    let result = app.pools.respond_to_new_password_required_with_attributes(
        a.client_id,
        a.username,
        a.session,
        a.new_password,
        &a.attributes,
    )?;
    auth_response(app, result)
}

pub fn admin_respond_to_auth_challenge(
    app: &App,
    caller: &Caller,
    input: Map<String, Value>,
) -> Result<Value, Error> {
    let input: RespondToAuthChallenge = shapes::input(input)?;
    let mut required = Required::default();
    let pool_id = required.take(input.user_pool_id.as_deref(), "userPoolId");
    required.finish()?;
    if let Some(v) = verifier_answer(app, &input)? {
        let result = app.pools.admin_respond_to_password_verifier(
            caller,
            pool_id,
            v.client_id,
            v.username,
            v.secret_block,
            v.signature,
            v.timestamp,
        )?;
        return auth_response(app, result);
    }
    let a = answer(app, &input)?;
    let result = app
        .pools
        .admin_respond_to_new_password_required_with_attributes(
            caller,
            pool_id,
            a.client_id,
            a.username,
            a.session,
            a.new_password,
            &a.attributes,
        )?;
    auth_response(app, result)
}

/// The operations that carry an access token.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WithToken {
    access_token: Option<String>,
    previous_password: Option<String>,
    proposed_password: Option<String>,
}

fn token_input(input: Map<String, Value>) -> Result<WithToken, Error> {
    let input: WithToken = shapes::input(input)?;
    if input.access_token.is_none() {
        return Err(PoolError::invalid_parameter("accessToken", Constraint::Missing).into());
    }
    Ok(input)
}

/// **ChangePassword**: the access token names the user; the previous password proves it.
pub fn change_password(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input = token_input(input)?;
    let mut required = Required::default();
    let previous = required.take(input.previous_password.as_deref(), "previousPassword");
    let proposed = required.take(input.proposed_password.as_deref(), "proposedPassword");
    required.finish()?;
    let claims = app
        .tokens
        .verify_access(input.access_token.as_deref().unwrap_or_default())?;
    app.pools.change_password(
        claims.pool_id.as_str(),
        &claims.username,
        previous,
        proposed,
    )?;
    Ok(json!({}))
}

/// **GetUser**: the access token's user.
pub fn get_user(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input = token_input(input)?;
    let claims = app
        .tokens
        .verify_access(input.access_token.as_deref().unwrap_or_default())?;
    let user = app
        .pools
        .get_user_by_sub(claims.pool_id.as_str(), claims.sub)?;
    Ok(json!({
        "Username": user.username,
        "UserAttributes": shapes::attribute_list(&user.attributes),
        "MFAOptions": [],
    }))
}

/// **GlobalSignOut**: revokes every refresh token of the token's user, and the access
/// tokens issued from them (this one included).
pub fn global_sign_out(app: &App, input: Map<String, Value>) -> Result<Value, Error> {
    let input = token_input(input)?;
    let claims = app
        .tokens
        .verify_access(input.access_token.as_deref().unwrap_or_default())?;
    // Served here with the tokens, so taken from the pool's quota here (SPEC §7).
    app.pools
        .check_quota(&claims.pool_id, Category::UserAuthentication)?;
    app.tokens.revoke_user(&claims.pool_id, claims.sub)?;
    Ok(json!({}))
}
