//! The claims of Cognito's access and id tokens, built as JSON objects so the id token can
//! carry the user's attributes under their own names.

use serde::Deserialize;
use serde_json::{Map, Value};
use userpool_store::GroupClaims;

use crate::UserDescription;
use uuid::Uuid;

/// Cognito's scope for tokens from a user-pool sign-in (the user may call the
/// self-service operations: GetUser, ChangePassword, GlobalSignOut, ...).
pub(super) const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// Attributes Cognito puts in the id token as JSON booleans rather than strings.
const BOOLEAN_ATTRIBUTES: [&str; 2] = ["email_verified", "phone_number_verified"];

/// What every token of one issuance shares.
pub(super) struct Common<'a> {
    pub issuer: &'a str,
    pub sub: Uuid,
    pub username: &'a str,
    pub client_id: &'a str,
    pub origin_jti: Uuid,
    pub event_id: Uuid,
    pub auth_time: i64,
    pub iat: i64,
    pub exp: i64,
    /// The access token's `scope`: the OAuth scopes granted, space-separated, or
    /// [`ADMIN_SCOPE`] for a sign-in through the API (SPEC §21).
    pub scope: &'a str,
    /// The OIDC `nonce` of the authorization request, echoed in the id token (SPEC §21).
    pub nonce: Option<&'a str>,
}

/// The access token's claims, as Cognito's.
pub(super) fn access(common: &Common<'_>, jti: Uuid) -> Value {
    serde_json::json!({
        "sub": common.sub.to_string(),
        "iss": common.issuer,
        "client_id": common.client_id,
        "origin_jti": common.origin_jti.to_string(),
        "event_id": common.event_id.to_string(),
        "token_use": "access",
        "scope": common.scope,
        "auth_time": common.auth_time,
        "exp": common.exp,
        "iat": common.iat,
        "jti": jti.to_string(),
        "username": common.username,
    })
}

/// A federated user's `identities` attribute as Cognito's id token carries it (SPEC §21):
/// a JSON list whose `primary` and `dateCreated` are strings; an unreadable value stays the
/// string it is.
fn identities_claim(stored: &str) -> Value {
    let Ok(Value::Array(entries)) = serde_json::from_str::<Value>(stored) else {
        return Value::String(stored.to_owned());
    };
    let entries = entries
        .into_iter()
        .map(|mut entry| {
            if let Value::Object(fields) = &mut entry {
                for name in ["primary", "dateCreated"] {
                    if let Some(value) = fields.get_mut(name)
                        && !value.is_string()
                    {
                        *value = Value::String(value.to_string());
                    }
                }
            }
            entry
        })
        .collect();
    Value::Array(entries)
}

/// The id token's claims: the user's attributes (all but `sub`, which the token carries
/// anyway), then Cognito's own claims, which win over an attribute of the same name so
/// that no attribute value can forge `iss`, `aud`, `exp` or `token_use`.
pub(super) fn id(common: &Common<'_>, user: &UserDescription, jti: Uuid) -> Value {
    let mut claims = Map::new();
    for (name, value) in &user.attributes {
        if name == "sub" {
            continue;
        }
        let value = match (BOOLEAN_ATTRIBUTES.contains(&name.as_str()), value.as_str()) {
            (true, "true") => Value::Bool(true),
            (true, "false") => Value::Bool(false),
            _ if name == crate::service::IDENTITIES_ATTRIBUTE => identities_claim(value),
            _ => Value::String(value.clone()),
        };
        claims.insert(name.clone(), value);
    }
    let own = [
        ("sub", Value::from(common.sub.to_string())),
        ("iss", Value::from(common.issuer)),
        ("aud", Value::from(common.client_id)),
        ("cognito:username", Value::from(common.username)),
        ("origin_jti", Value::from(common.origin_jti.to_string())),
        ("event_id", Value::from(common.event_id.to_string())),
        ("token_use", Value::from("id")),
        ("auth_time", Value::from(common.auth_time)),
        ("exp", Value::from(common.exp)),
        ("iat", Value::from(common.iat)),
        ("jti", Value::from(jti.to_string())),
    ];
    for (name, value) in own {
        claims.insert(name.to_owned(), value);
    }
    // An attribute named `nonce` never poses as the request's.
    claims.remove("nonce");
    if let Some(nonce) = common.nonce {
        claims.insert("nonce".to_owned(), Value::from(nonce));
    }
    Value::Object(claims)
}

/// The group claims' names (SPEC §17).
const GROUPS: &str = "cognito:groups";
const ROLES: &str = "cognito:roles";
const PREFERRED_ROLE: &str = "cognito:preferred_role";

/// Adds the user's group claims to an access token's (`cognito:groups`) or an id token's
/// (`cognito:groups`, `cognito:roles`, `cognito:preferred_role`) claims, as Cognito does:
/// none of them when the user is in no group, `cognito:roles` only when a group has a
/// role, `cognito:preferred_role` only when one role is preferred. The three names are
/// first removed, so that a user attribute of the same name can never pose as a group
/// claim.
pub(super) fn add_groups(claims: &mut Value, groups: &GroupClaims, id_token: bool) {
    let Some(claims) = claims.as_object_mut() else {
        return;
    };
    for name in [GROUPS, ROLES, PREFERRED_ROLE] {
        claims.remove(name);
    }
    if groups.is_empty() {
        return;
    }
    claims.insert(GROUPS.to_owned(), Value::from(groups.groups.clone()));
    if !id_token {
        return;
    }
    if !groups.roles.is_empty() {
        claims.insert(ROLES.to_owned(), Value::from(groups.roles.clone()));
    }
    if let Some(role) = &groups.preferred_role {
        claims.insert(PREFERRED_ROLE.to_owned(), Value::from(role.clone()));
    }
}

/// An access token's claims as verification reads them (signature already checked).
/// Unknown claims are ignored; a missing or mistyped one fails the decoding.
#[derive(Deserialize)]
pub(super) struct VerifiedAccess {
    pub sub: Uuid,
    pub client_id: String,
    pub origin_jti: Uuid,
    pub token_use: String,
    pub exp: i64,
    pub iat: i64,
    pub username: String,
}

/// The one claim read before the signature is checked: it names the pool, hence the key.
#[derive(Deserialize)]
pub(super) struct UnverifiedIssuer {
    pub iss: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn user(attributes: &[(&str, &str)]) -> UserDescription {
        let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        UserDescription {
            username: "alice".into(),
            sub: Uuid::nil(),
            attributes: attributes
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            status: userpool_core::UserStatus::Confirmed,
            enabled: true,
            created_at: epoch,
            modified_at: epoch,
            version: 1,
            mfa: userpool_core::mfa::MfaSettings::default(),
        }
    }

    fn common() -> Common<'static> {
        Common {
            issuer: "http://localhost/eu-west-1_abc",
            sub: Uuid::nil(),
            username: "alice",
            client_id: "client",
            origin_jti: Uuid::nil(),
            event_id: Uuid::nil(),
            auth_time: 1,
            iat: 1,
            exp: 3601,
            scope: ADMIN_SCOPE,
            nonce: None,
        }
    }

    #[test]
    fn verified_flags_are_booleans_and_other_attributes_strings() {
        let claims = id(
            &common(),
            &user(&[
                ("email", "a@example.com"),
                ("email_verified", "true"),
                ("phone_number_verified", "false"),
                ("custom:team", "true"),
                ("sub", "should-not-be-copied"),
            ]),
            Uuid::nil(),
        );
        assert_eq!(claims["email"], "a@example.com");
        assert_eq!(claims["email_verified"], true);
        assert_eq!(claims["phone_number_verified"], false);
        assert_eq!(
            claims["custom:team"], "true",
            "only the two flags are booleans"
        );
        assert_eq!(claims["sub"], Uuid::nil().to_string());
    }

    #[test]
    fn group_claims_as_cognito_puts_them_and_no_attribute_forges_them() {
        let groups = GroupClaims {
            groups: vec!["admins".into(), "staff".into()],
            roles: vec!["arn:aws:iam::1:role/a".into()],
            preferred_role: Some("arn:aws:iam::1:role/a".into()),
        };
        let mut id_claims = id(&common(), &user(&[]), Uuid::nil());
        add_groups(&mut id_claims, &groups, true);
        assert_eq!(
            id_claims["cognito:groups"],
            serde_json::json!(["admins", "staff"])
        );
        assert_eq!(
            id_claims["cognito:roles"],
            serde_json::json!(["arn:aws:iam::1:role/a"])
        );
        assert_eq!(id_claims["cognito:preferred_role"], "arn:aws:iam::1:role/a");
        let mut access_claims = access(&common(), Uuid::nil());
        add_groups(&mut access_claims, &groups, false);
        assert_eq!(
            access_claims["cognito:groups"],
            serde_json::json!(["admins", "staff"])
        );
        assert!(access_claims.get("cognito:roles").is_none());
        assert!(access_claims.get("cognito:preferred_role").is_none());
        let mut forged = id(
            &common(),
            &user(&[
                ("cognito:groups", "admins"),
                ("cognito:preferred_role", "x"),
            ]),
            Uuid::nil(),
        );
        add_groups(&mut forged, &GroupClaims::default(), true);
        assert!(forged.get("cognito:groups").is_none(), "{forged}");
        assert!(forged.get("cognito:preferred_role").is_none(), "{forged}");
    }

    #[test]
    fn an_attribute_cannot_override_a_cognito_claim() {
        let claims = id(
            &common(),
            &user(&[
                ("iss", "https://evil"),
                ("token_use", "access"),
                ("exp", "9"),
            ]),
            Uuid::nil(),
        );
        assert_eq!(claims["iss"], "http://localhost/eu-west-1_abc");
        assert_eq!(claims["token_use"], "id");
        assert_eq!(claims["exp"], 3601);
    }
}
