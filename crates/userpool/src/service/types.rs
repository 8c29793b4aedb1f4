//! The service's inputs and outputs: plain structs shaped after Cognito's.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use userpool_core::{
    AliasAttribute, ChallengeSession, Constraint, Error, HashParams, HistoryMode, PasswordPolicy,
    Result, UserPoolId, UserRecord, UserStatus,
};
use uuid::Uuid;

use userpool_store::pool::PoolRecord;

/// A user as `AdminGetUser` and `ListUsers` describe one. No secret is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDescription {
    /// The username, case as created.
    pub username: String,
    /// The immutable `sub`.
    pub sub: Uuid,
    /// The attributes, `sub` included (as Cognito lists it).
    pub attributes: BTreeMap<String, String>,
    /// `UserStatus`.
    pub status: UserStatus,
    /// `Enabled`.
    pub enabled: bool,
    /// `UserCreateDate`.
    pub created_at: DateTime<Utc>,
    /// `UserLastModifiedDate`.
    pub modified_at: DateTime<Utc>,
    /// The record's version in the store (not a Cognito field): each successful write
    /// advances it by one.
    pub version: u64,
}

impl From<&UserRecord> for UserDescription {
    fn from(user: &UserRecord) -> Self {
        let mut attributes = user.attributes.clone();
        attributes.insert("sub".into(), user.sub.to_string());
        UserDescription {
            username: user.username.as_str().to_owned(),
            sub: user.sub,
            attributes,
            status: user.status,
            enabled: user.enabled,
            created_at: user.created_at,
            modified_at: user.modified_at,
            version: user.version,
        }
    }
}

/// One page of `ListUsers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListUsersPage {
    /// The users, in username order.
    pub users: Vec<UserDescription>,
    /// Pass it back to get the next page; `None` on the last page.
    pub pagination_token: Option<String>,
}

/// One page of `ListUserPools`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolPage {
    /// The pools, ordered by id.
    pub pools: Vec<PoolRecord>,
    /// Pass it back to get the next page; `None` on the last page.
    pub next_token: Option<String>,
}

/// `MessageAction` of `AdminCreateUser`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAction {
    /// Send a new temporary password to an existing FORCE_CHANGE_PASSWORD user.
    Resend,
    /// Create the user without sending anything.
    Suppress,
}

impl MessageAction {
    /// Parses Cognito's spelling, `RESEND` or `SUPPRESS`.
    ///
    /// # Errors
    /// `InvalidParameterException` for anything else.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "RESEND" => Ok(MessageAction::Resend),
            "SUPPRESS" => Ok(MessageAction::Suppress),
            _ => Err(Error::invalid_parameter(
                "messageAction",
                Constraint::Pattern("RESEND|SUPPRESS"),
            )),
        }
    }
}

/// The settings of a new pool (`CreateUserPool`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// The password policy. A blocklist set here is ignored: blocklists are the host's
    /// ([`crate::HostOptions::blocklist`]) and are not persisted.
    pub policy: PasswordPolicy,
    /// argon2id parameters for new hashes (default OWASP's), within the host's ceiling.
    pub hash_params: HashParams,
    /// How history is checked.
    pub history_mode: HistoryMode,
    /// `AliasAttributes`; immutable.
    pub alias_attributes: Vec<AliasAttribute>,
    /// `UsernameAttributes`; immutable. Kept for the host; lookups use alias attributes.
    pub username_attributes: Vec<AliasAttribute>,
    /// `UsernameConfiguration.CaseSensitive`; immutable. Default `true`, as the API's.
    pub case_sensitive: bool,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            policy: PasswordPolicy::default(),
            hash_params: HashParams::default(),
            history_mode: HistoryMode::default(),
            alias_attributes: Vec::new(),
            username_attributes: Vec::new(),
            case_sensitive: true,
        }
    }
}

/// What `UpdateUserPool` may change; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolUpdate {
    /// A new password policy (takes effect at each user's next password change).
    pub policy: Option<PasswordPolicy>,
    /// New hashing parameters (stored hashes are upgraded at the next sign-in).
    pub hash_params: Option<HashParams>,
    /// A new history mode.
    pub history_mode: Option<HistoryMode>,
}

/// The settings of a new app client (`CreateUserPoolClient`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSettings {
    /// `GenerateSecret`.
    pub generate_secret: bool,
    /// `ExplicitAuthFlows` (`ALLOW_USER_PASSWORD_AUTH`, ...). Empty means Cognito's
    /// default: `ALLOW_USER_SRP_AUTH`, `ALLOW_CUSTOM_AUTH`, `ALLOW_REFRESH_TOKEN_AUTH`
    /// (which include neither password flow this library implements). The legacy names
    /// (`USER_PASSWORD_AUTH`, `ADMIN_NO_SRP_AUTH`, ...) are accepted, not mixed with these.
    pub explicit_auth_flows: Vec<String>,
    /// `PreventUserExistenceErrors` = `ENABLED` (default `LEGACY`, false, as the API's).
    pub prevent_user_existence_errors: bool,
}

/// Where a code was sent, masked (`CodeDeliveryDetails`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDeliveryDetails {
    /// The masked destination, e.g. `a***@e***`.
    pub destination: String,
    /// `EMAIL` or `SMS`.
    pub delivery_medium: &'static str,
    /// `email` or `phone_number`.
    pub attribute_name: &'static str,
}

impl CodeDeliveryDetails {
    /// Where a code for `user` goes: the email if it has one, else the phone number.
    #[must_use]
    pub fn for_user(user: &UserRecord) -> Option<Self> {
        if let Some(email) = user.attributes.get("email") {
            let (local, domain) = email.split_once('@').unwrap_or((email, ""));
            let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
            return Some(CodeDeliveryDetails {
                destination: format!("{}***@{}***", first(local), first(domain)),
                delivery_medium: "EMAIL",
                attribute_name: "email",
            });
        }
        user.attributes.get("phone_number").map(|phone| {
            let tail: String = phone
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            CodeDeliveryDetails {
                destination: format!("+*******{tail}"),
                delivery_medium: "SMS",
                attribute_name: "phone_number",
            }
        })
    }
}

/// The result of `SignUp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpResult {
    /// `UserConfirmed`: always false here, the user must confirm with the code.
    pub user_confirmed: bool,
    /// `UserSub`.
    pub user_sub: Uuid,
    /// Where the confirmation code went, if the user has an email or phone number.
    pub code_delivery: Option<CodeDeliveryDetails>,
}

/// A user the library authenticated; the host issues the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedUser {
    /// The pool.
    pub pool_id: UserPoolId,
    /// The app client the user signed in through.
    pub client_id: String,
    /// The user as the sign-in left it: what tokens are made from (username, `sub`,
    /// attributes), so that the host need not read the user again.
    pub user: UserDescription,
}

/// The result of `InitiateAuth` or `RespondToAuthChallenge`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthResult {
    /// Authenticated: the host issues tokens (`AuthenticationResult`).
    Authenticated(AuthenticatedUser),
    /// `ChallengeName` = `NEW_PASSWORD_REQUIRED`: answer with
    /// [`crate::UserPools::respond_to_new_password_required`] and this session.
    NewPasswordRequired {
        /// `Session` (redacted in `Debug`).
        session: ChallengeSession,
        /// The user: its username is `USER_ID_FOR_SRP` (the name to answer with), its
        /// attributes the challenge's `userAttributes`.
        user: UserDescription,
    },
    /// `ChallengeName` = `PASSWORD_VERIFIER` (SPEC §15): answer with
    /// [`crate::UserPools::respond_to_password_verifier`].
    PasswordVerifier(PasswordVerifierParameters),
}

/// The `ChallengeParameters` of PASSWORD_VERIFIER.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordVerifierParameters {
    /// `SALT`, hex.
    pub salt: String,
    /// `SRP_B`, hex.
    pub srp_b: String,
    /// `SECRET_BLOCK`, base64: a bearer secret until answered (redacted in `Debug`).
    pub secret_block: zeroize::Zeroizing<String>,
    /// `USERNAME` and `USER_ID_FOR_SRP`: the user's username, never an alias.
    pub user_id_for_srp: String,
}

impl std::fmt::Debug for PasswordVerifierParameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordVerifierParameters")
            .field("user_id_for_srp", &self.user_id_for_srp)
            .finish_non_exhaustive()
    }
}

/// The result of the host's federated sign-in call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedSignIn {
    /// The user.
    pub user: UserDescription,
    /// Whether this sign-in created it (a first federated sign-in).
    pub created: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_action_parses_cognito_spellings_only() {
        assert_eq!(MessageAction::parse("RESEND"), Ok(MessageAction::Resend));
        assert_eq!(
            MessageAction::parse("SUPPRESS"),
            Ok(MessageAction::Suppress)
        );
        assert_eq!(
            MessageAction::parse("resend").map_err(|e| e.code()),
            Err("InvalidParameterException")
        );
    }
}
