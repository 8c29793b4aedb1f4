//! Cognito's input and output shapes: reading members from the request object and writing
//! the AWS API reference's structures (epoch-second timestamps, `[{"Name","Value"}]`
//! attribute lists).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use userpool::{ClientRecord, PoolRecord, UserDescription};
use userpool_core::PasswordPolicy;
use zeroize::Zeroizing;

use crate::error::Error;

/// The AWS account id in ARNs: this endpoint has no accounts, so it uses the placeholder
/// AWS's own documentation uses.
pub const ACCOUNT_ID: &str = "123456789012";

/// Deserialises the request object into an operation's input struct. A member of the
/// wrong type is `SerializationException` naming the member, never echoing its value
/// (which may be a password).
///
/// # Errors
/// `SerializationException`.
pub fn input<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, Error> {
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|e| {
        let path = e.path().to_string();
        Error::Serialization(if path == "." {
            "The request body does not have the operation's shape".into()
        } else {
            format!("Value at '{path}' is not of the type the operation expects")
        })
    })
}

/// A secret member of a request (a password, code, token, session, `SECRET_HASH`, SRP
/// value, imported hash): deserialised straight from the body into a buffer wiped on drop,
/// redacted in `Debug`, with no `Display`. Every input shape holds its secrets in this type,
/// which the redaction test over the shapes' `Debug` checks.
#[derive(Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// The secret's text. Every call is a place a secret is read: keep them few.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The text, where a `&str` is expected (`Option<Secret>::as_deref`).
impl std::ops::Deref for Secret {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// One `AttributeType`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attribute {
    /// `Name`.
    pub name: String,
    /// `Value` (optional in the model).
    #[serde(default)]
    pub value: Option<String>,
}

/// An attribute list as the service takes it.
pub fn attribute_pairs(list: &[Attribute]) -> Vec<(&str, &str)> {
    list.iter()
        .map(|a| (a.name.as_str(), a.value.as_deref().unwrap_or("")))
        .collect()
}

/// `[{"Name": .., "Value": ..}]`, in name order.
pub fn attribute_list(attributes: &BTreeMap<String, String>) -> Value {
    Value::Array(
        attributes
            .iter()
            .map(|(name, value)| json!({ "Name": name, "Value": value }))
            .collect(),
    )
}

/// An instant as AWS JSON writes it: epoch seconds, fractional.
#[allow(clippy::cast_precision_loss)] // microseconds since 1970 fit an f64's 53 bits until 2255
pub fn epoch(at: DateTime<Utc>) -> Value {
    json!(at.timestamp_micros() as f64 / 1e6)
}

/// `UserType` (AdminCreateUser, ListUsers).
pub fn user_type(user: &UserDescription) -> Value {
    json!({
        "Username": user.username,
        "Attributes": attribute_list(&user.attributes),
        "UserCreateDate": epoch(user.created_at),
        "UserLastModifiedDate": epoch(user.modified_at),
        "Enabled": user.enabled,
        "UserStatus": user.status.to_string(),
    })
}

/// `AdminGetUserResponse`.
pub fn admin_get_user(user: &UserDescription) -> Value {
    let mut out = json!({
        "Username": user.username,
        "UserAttributes": attribute_list(&user.attributes),
        "UserCreateDate": epoch(user.created_at),
        "UserLastModifiedDate": epoch(user.modified_at),
        "Enabled": user.enabled,
        "UserStatus": user.status.to_string(),
    });
    add_mfa_settings(&mut out, user);
    out
}

/// The MFA members of GetUser and AdminGetUser (SPEC §18): `UserMFASettingList` and
/// `PreferredMfaSetting` when set, and the legacy `MFAOptions` (SMS to `phone_number`
/// while SMS MFA is on).
pub fn add_mfa_settings(out: &mut Value, user: &UserDescription) {
    use userpool_core::mfa::MfaFactor;
    let settings = &user.mfa;
    if !settings.enabled.is_empty() {
        let names: Vec<&str> = settings.enabled.iter().map(|f| f.as_str()).collect();
        out["UserMFASettingList"] = json!(names);
    }
    if let Some(preferred) = settings.preferred {
        out["PreferredMfaSetting"] = json!(preferred.as_str());
    }
    if settings.enabled.contains(&MfaFactor::Sms) {
        out["MFAOptions"] = json!([{ "DeliveryMedium": "SMS", "AttributeName": "phone_number" }]);
    }
}

/// `PasswordPolicyType`.
/// `PasswordPolicyType`. `PasswordHistorySize` is omitted when it is 0 (off), as
/// Cognito omits it (SPEC §16).
pub fn password_policy(policy: &PasswordPolicy) -> Value {
    let mut out = json!({
        "MinimumLength": policy.minimum_length(),
        "RequireUppercase": policy.require_uppercase(),
        "RequireLowercase": policy.require_lowercase(),
        "RequireNumbers": policy.require_numbers(),
        "RequireSymbols": policy.require_symbols(),
        "TemporaryPasswordValidityDays": policy.temporary_password_validity().num_days(),
    });
    if policy.password_history_size() > 0 {
        out["PasswordHistorySize"] = json!(policy.password_history_size());
    }
    out
}

/// The pool ARN, `arn:aws:cognito-idp:<region>:<account>:userpool/<id>`.
pub fn pool_arn(pool: &PoolRecord) -> String {
    let id = pool.id.as_str();
    let region = id.split_once('_').map_or("us-east-1", |(region, _)| region);
    format!("arn:aws:cognito-idp:{region}:{ACCOUNT_ID}:userpool/{id}")
}

/// `UserPoolType`.
pub fn user_pool_type(pool: &PoolRecord) -> Value {
    let names = |list: &[userpool_core::AliasAttribute]| -> Vec<&'static str> {
        list.iter().map(|a| a.as_str()).collect()
    };
    let mut out = json!({
        "Id": pool.id.as_str(),
        "Name": pool.name,
        "Arn": pool_arn(pool),
        "Policies": { "PasswordPolicy": password_policy(&pool.policy) },
        "UsernameConfiguration": { "CaseSensitive": pool.case_sensitive },
        "MfaConfiguration": pool.mfa.mode.as_str(),
        "DeletionProtection": "INACTIVE",
        "CreationDate": epoch(pool.created_at),
        "LastModifiedDate": epoch(pool.modified_at),
        "SchemaAttributes": pool
            .schema
            .attributes()
            .iter()
            .map(super::settings::schema_attribute)
            .collect::<Vec<_>>(),
    });
    super::settings::describe_settings(&mut out, &pool.settings);
    if !pool.alias_attributes.is_empty() {
        out["AliasAttributes"] = json!(names(&pool.alias_attributes));
    }
    if !pool.username_attributes.is_empty() {
        out["UsernameAttributes"] = json!(names(&pool.username_attributes));
    }
    out
}

/// `UserPoolDescriptionType` (ListUserPools).
pub fn user_pool_description(pool: &PoolRecord) -> Value {
    json!({
        "Id": pool.id.as_str(),
        "Name": pool.name,
        "CreationDate": epoch(pool.created_at),
        "LastModifiedDate": epoch(pool.modified_at),
    })
}

/// `UserPoolClientType`. The secret is included, as Cognito's Create and Describe do.
pub fn user_pool_client_type(client: &ClientRecord) -> Value {
    let mut out = json!({
        "UserPoolId": client.pool_id.as_str(),
        "ClientName": client.name,
        "ClientId": client.client_id,
        "CreationDate": epoch(client.created_at),
        "LastModifiedDate": epoch(client.modified_at),
        "ExplicitAuthFlows": client.explicit_auth_flows,
        "PreventUserExistenceErrors": if client.prevent_user_existence_errors { "ENABLED" } else { "LEGACY" },
        "RefreshTokenValidity": 30,
        "AccessTokenValidity": 60,
        "IdTokenValidity": 60,
        "TokenValidityUnits": { "AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days" },
        "EnableTokenRevocation": true,
        "AuthSessionValidity": 3,
        "AllowedOAuthFlowsUserPoolClient": client.oauth.allowed_flows_user_pool_client,
    });
    if let Some(secret) = &client.secret {
        out["ClientSecret"] = json!(secret);
    }
    // SPEC §21: the OAuth lists, left out when empty (as Cognito does).
    let oauth = &client.oauth;
    for (member, list) in [
        ("AllowedOAuthFlows", &oauth.allowed_flows),
        ("AllowedOAuthScopes", &oauth.allowed_scopes),
        ("CallbackURLs", &oauth.callback_urls),
        ("LogoutURLs", &oauth.logout_urls),
        (
            "SupportedIdentityProviders",
            &oauth.supported_identity_providers,
        ),
    ] {
        if !list.is_empty() {
            out[member] = json!(list);
        }
    }
    if let Some(uri) = &oauth.default_redirect_uri {
        out["DefaultRedirectURI"] = json!(uri);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Probe {
        #[allow(dead_code)]
        permanent: Option<bool>,
    }

    #[test]
    fn a_wrongly_typed_member_is_named_without_its_value() {
        let mut object = Map::new();
        object.insert("Permanent".into(), json!("Hunter2-Secret"));
        let err = input::<Probe>(object).err();
        assert_eq!(
            err.as_ref().map(Error::code),
            Some("SerializationException")
        );
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("Permanent"), "{message}");
        assert!(!message.contains("Hunter2"), "{message}");
    }

    #[test]
    fn attributes_are_name_value_pairs_and_times_epoch_seconds() {
        let attributes = BTreeMap::from([("email".to_owned(), "a@example.com".to_owned())]);
        assert_eq!(
            attribute_list(&attributes),
            json!([{ "Name": "email", "Value": "a@example.com" }])
        );
        let at = DateTime::from_timestamp(1_700_000_000, 250_000_000).unwrap_or_default();
        assert_eq!(epoch(at), json!(1_700_000_000.25));
    }
}
