//! Cognito's trigger events as JSON (SPEC §19): what the server sends a Lambda function, and
//! how it reads the answer back.
//!
//! Every event has Cognito's common fields (`version` "1", `triggerSource`, `region`,
//! `userPoolId`, `userName`, `callerContext {awsSdkVersion, clientId}`), the trigger's
//! `request`, and its `response` as Cognito sends it (defaults a function fills in and
//! returns). The answer is the event returned; only its `response` is read, and a field of
//! the wrong type makes the whole answer unusable (InvalidLambdaResponseException).
//!
//! Events borrow from the service's event values, so serialising one copies no secret into
//! an intermediate value: the UserMigration password goes straight from its zeroizing
//! buffer into the request body (see [`super::body`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use userpool_core::triggers::{
    AuthenticationEvent, MigratedStatus, MigrationSource, PostConfirmationEvent,
    PostConfirmationSource, PreSignUpAnswer, PreSignUpEvent, PreSignUpSource,
    PreTokenGenerationAnswer, PreTokenGenerationEvent, TokenGenerationSource, TriggerCaller,
    UserMigrationAnswer, UserMigrationEvent,
};

/// Cognito's `callerContext.awsSdkVersion` when it cannot tell the caller's SDK.
const UNKNOWN_SDK: &str = "aws-sdk-unknown-unknown";

/// Cognito's `callerContext.clientId` for an operation called without an app client.
const NO_CLIENT: &str = "CLIENT_ID_NOT_APPLICABLE";

type Map = BTreeMap<String, String>;

/// The common fields and the trigger's own `request` and `response`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Envelope<'a, R: Serialize> {
    version: &'static str,
    trigger_source: &'static str,
    region: &'a str,
    user_pool_id: &'a str,
    user_name: &'a str,
    caller_context: CallerContext<'a>,
    request: R,
    response: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallerContext<'a> {
    aws_sdk_version: &'a str,
    client_id: &'a str,
}

impl<'a, R: Serialize> Envelope<'a, R> {
    fn new(
        trigger_source: &'static str,
        region: &'a str,
        caller: &'a TriggerCaller,
        request: R,
        response: Value,
    ) -> Self {
        Envelope {
            version: "1",
            trigger_source,
            region,
            user_pool_id: &caller.user_pool_id,
            user_name: &caller.username,
            caller_context: CallerContext {
                aws_sdk_version: caller.aws_sdk_version.as_deref().unwrap_or(UNKNOWN_SDK),
                client_id: caller.client_id.as_deref().unwrap_or(NO_CLIENT),
            },
            request,
            response,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UserMigrationRequest<'a> {
    /// Only at sign-in; borrowed from the event's zeroizing buffer.
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    validation_data: &'a Map,
    client_metadata: &'a Map,
}

/// `UserMigration_Authentication` / `UserMigration_ForgotPassword`.
pub(super) fn user_migration<'a>(
    region: &'a str,
    event: &'a UserMigrationEvent,
) -> Envelope<'a, UserMigrationRequest<'a>> {
    let source = match event.source {
        MigrationSource::Authentication => "UserMigration_Authentication",
        MigrationSource::ForgotPassword => "UserMigration_ForgotPassword",
    };
    let request = UserMigrationRequest {
        password: event.password.as_ref().map(|p| p.expose()),
        validation_data: &event.validation_data,
        client_metadata: &event.client_metadata,
    };
    let response = json!({
        "userAttributes": null,
        "finalUserStatus": null,
        "messageAction": null,
        "desiredDeliveryMediums": null,
        "forceAliasCreation": null,
        "enableSMSMFA": null,
    });
    Envelope::new(source, region, &event.caller, request, response)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct UserMigrationResponse {
    user_attributes: Option<Map>,
    final_user_status: Option<String>,
    message_action: Option<String>,
    desired_delivery_mediums: Option<Vec<String>>,
    force_alias_creation: Option<bool>,
    #[serde(rename = "enableSMSMFA")]
    enable_sms_mfa: Option<bool>,
}

/// The migration answer: `None` when the function left `userAttributes` null (the old
/// system does not know the user) **(decision)**.
pub(super) fn user_migration_answer(
    response: Value,
) -> Result<Option<UserMigrationAnswer>, Unusable> {
    let r: UserMigrationResponse = parse(response)?;
    // Accepted as Cognito does, not acted on: delivery mediums and alias creation.
    let _ = (
        r.desired_delivery_mediums,
        r.force_alias_creation,
        r.enable_sms_mfa,
    );
    let Some(user_attributes) = r.user_attributes else {
        return Ok(None);
    };
    let final_user_status = match r.final_user_status.as_deref() {
        None => None,
        Some("CONFIRMED") => Some(MigratedStatus::Confirmed),
        Some("RESET_REQUIRED") => Some(MigratedStatus::ResetRequired),
        Some(_) => return Err(Unusable),
    };
    let suppress_message = match r.message_action.as_deref() {
        None | Some("RESEND") => false,
        Some("SUPPRESS") => true,
        Some(_) => return Err(Unusable),
    };
    Ok(Some(UserMigrationAnswer {
        user_attributes,
        final_user_status,
        suppress_message,
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PreSignUpRequest<'a> {
    user_attributes: &'a Map,
    validation_data: &'a Map,
    client_metadata: &'a Map,
}

/// `PreSignUp_SignUp` / `PreSignUp_AdminCreateUser`.
pub(super) fn pre_sign_up<'a>(
    region: &'a str,
    event: &'a PreSignUpEvent,
) -> Envelope<'a, PreSignUpRequest<'a>> {
    let source = match event.source {
        PreSignUpSource::SignUp => "PreSignUp_SignUp",
        PreSignUpSource::AdminCreateUser => "PreSignUp_AdminCreateUser",
    };
    let request = PreSignUpRequest {
        user_attributes: &event.user_attributes,
        validation_data: &event.validation_data,
        client_metadata: &event.client_metadata,
    };
    let response = json!({
        "autoConfirmUser": false,
        "autoVerifyPhone": false,
        "autoVerifyEmail": false,
    });
    Envelope::new(source, region, &event.caller, request, response)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PreSignUpResponse {
    auto_confirm_user: Option<bool>,
    auto_verify_phone: Option<bool>,
    auto_verify_email: Option<bool>,
}

pub(super) fn pre_sign_up_answer(response: Value) -> Result<PreSignUpAnswer, Unusable> {
    let r: PreSignUpResponse = parse(response)?;
    Ok(PreSignUpAnswer {
        auto_confirm_user: r.auto_confirm_user.unwrap_or(false),
        auto_verify_email: r.auto_verify_email.unwrap_or(false),
        auto_verify_phone: r.auto_verify_phone.unwrap_or(false),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PostConfirmationRequest<'a> {
    user_attributes: &'a Map,
    client_metadata: &'a Map,
}

/// `PostConfirmation_ConfirmSignUp` / `PostConfirmation_ConfirmForgotPassword`.
pub(super) fn post_confirmation<'a>(
    region: &'a str,
    event: &'a PostConfirmationEvent,
) -> Envelope<'a, PostConfirmationRequest<'a>> {
    let source = match event.source {
        PostConfirmationSource::ConfirmSignUp => "PostConfirmation_ConfirmSignUp",
        PostConfirmationSource::ConfirmForgotPassword => "PostConfirmation_ConfirmForgotPassword",
    };
    let request = PostConfirmationRequest {
        user_attributes: &event.user_attributes,
        client_metadata: &event.client_metadata,
    };
    Envelope::new(source, region, &event.caller, request, json!({}))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PreAuthenticationRequest<'a> {
    user_attributes: &'a Map,
    user_not_found: bool,
    validation_data: &'a Map,
}

/// `PreAuthentication_Authentication` (run for known users only, so `userNotFound` is false).
pub(super) fn pre_authentication<'a>(
    region: &'a str,
    event: &'a AuthenticationEvent,
) -> Envelope<'a, PreAuthenticationRequest<'a>> {
    let request = PreAuthenticationRequest {
        user_attributes: &event.user_attributes,
        user_not_found: false,
        validation_data: &event.validation_data,
    };
    Envelope::new(
        "PreAuthentication_Authentication",
        region,
        &event.caller,
        request,
        json!({}),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PostAuthenticationRequest<'a> {
    user_attributes: &'a Map,
    new_device_used: bool,
    client_metadata: &'a Map,
}

/// `PostAuthentication_Authentication` (device tracking is not built: `newDeviceUsed` is
/// false).
pub(super) fn post_authentication<'a>(
    region: &'a str,
    event: &'a AuthenticationEvent,
) -> Envelope<'a, PostAuthenticationRequest<'a>> {
    let request = PostAuthenticationRequest {
        user_attributes: &event.user_attributes,
        new_device_used: false,
        client_metadata: &event.client_metadata,
    };
    Envelope::new(
        "PostAuthentication_Authentication",
        region,
        &event.caller,
        request,
        json!({}),
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PreTokenGenerationRequest<'a> {
    user_attributes: &'a Map,
    group_configuration: GroupConfiguration<'a>,
    client_metadata: &'a Map,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupConfiguration<'a> {
    groups_to_override: &'a [String],
    iam_roles_to_override: [&'static str; 0],
    preferred_role: Option<&'static str>,
}

/// `TokenGeneration_*` (event version 1).
pub(super) fn pre_token_generation<'a>(
    region: &'a str,
    event: &'a PreTokenGenerationEvent,
) -> Envelope<'a, PreTokenGenerationRequest<'a>> {
    let source = match event.source {
        TokenGenerationSource::Authentication => "TokenGeneration_Authentication",
        TokenGenerationSource::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
        TokenGenerationSource::RefreshTokens => "TokenGeneration_RefreshTokens",
        TokenGenerationSource::HostedAuth => "TokenGeneration_HostedAuth",
    };
    let request = PreTokenGenerationRequest {
        user_attributes: &event.user_attributes,
        group_configuration: GroupConfiguration {
            groups_to_override: &event.groups,
            iam_roles_to_override: [],
            preferred_role: None,
        },
        client_metadata: &event.client_metadata,
    };
    let response = json!({ "claimsOverrideDetails": null });
    Envelope::new(source, region, &event.caller, request, response)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PreTokenGenerationResponse {
    claims_override_details: Option<ClaimsOverrideDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClaimsOverrideDetails {
    /// V1 claims are strings **(decision: another JSON type is an unusable answer)**.
    claims_to_add_or_override: Option<Map>,
    claims_to_suppress: Option<Vec<String>>,
    group_override_details: Option<GroupOverrideDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupOverrideDetails {
    groups_to_override: Option<Vec<String>>,
    iam_roles_to_override: Option<Vec<String>>,
    preferred_role: Option<String>,
}

pub(super) fn pre_token_generation_answer(
    response: Value,
) -> Result<PreTokenGenerationAnswer, Unusable> {
    let r: PreTokenGenerationResponse = parse(response)?;
    let Some(details) = r.claims_override_details else {
        return Ok(PreTokenGenerationAnswer::default());
    };
    let groups_to_override = details.group_override_details.and_then(|g| {
        // Identity pools' roles: nothing here issues AWS credentials.
        let _ = (g.iam_roles_to_override, g.preferred_role);
        g.groups_to_override
    });
    Ok(PreTokenGenerationAnswer {
        claims_to_add_or_override: details.claims_to_add_or_override.unwrap_or_default(),
        claims_to_suppress: details.claims_to_suppress.unwrap_or_default(),
        groups_to_override,
    })
}

/// An answer that is not the shape Cognito reads.
#[derive(Debug)]
pub(super) struct Unusable;

/// A `response` as `T`: null (or absent) is `T`'s default, another non-object is unusable.
fn parse<T: for<'de> Deserialize<'de> + Default>(response: Value) -> Result<T, Unusable> {
    match response {
        Value::Null => Ok(T::default()),
        Value::Object(_) => serde_json::from_value(response).map_err(|_| Unusable),
        _ => Err(Unusable),
    }
}
