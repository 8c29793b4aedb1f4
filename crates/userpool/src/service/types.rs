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
    /// The user's MFA factors (`UserMFASettingList`, `PreferredMfaSetting`; SPEC §18).
    pub mfa: userpool_core::mfa::MfaSettings,
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
            // A description never fails: an unreadable MFA state (which every MFA
            // operation reports as InternalErrorException) is described as none.
            mfa: userpool_core::mfa::settings(user).unwrap_or_default(),
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
    /// `Schema`: overrides of standard attributes and custom attributes (SPEC §16); empty
    /// means Cognito's standard schema.
    pub schema: Vec<userpool_core::SchemaAttributeInput>,
    /// The other SPEC §16 settings (auto-verified attributes, account recovery, messages,
    /// AdminCreateUserConfig, ...). The default is a pool created with none of them, as
    /// Cognito's: no attribute is auto-verified, so SignUp sends no code.
    pub settings: userpool_core::PoolSettings,
    /// `MfaConfiguration`: ON and OPTIONAL offer SMS codes and need an SMS configuration
    /// and auto-verified phone numbers (TOTP is enabled later, by SetUserPoolMfaConfig).
    pub mfa_mode: userpool_core::mfa::MfaMode,
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
            schema: Vec::new(),
            settings: userpool_core::PoolSettings::default(),
            mfa_mode: userpool_core::mfa::MfaMode::Off,
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
    /// New SPEC §16 settings, replacing all of them (the schema is changed only by
    /// AddCustomAttributes).
    pub settings: Option<userpool_core::PoolSettings>,
    /// A new `MfaConfiguration` (SPEC §18), with the factors the pool offers kept: checked
    /// as SetUserPoolMfaConfig checks it (ON or OPTIONAL needs a factor). `None` keeps the
    /// mode **(decision: Cognito resets an omitted mode to OFF; silently turning a pool's
    /// MFA off because an update left the member out is the riskier reading)**.
    pub mfa_mode: Option<userpool_core::mfa::MfaMode>,
}

/// What `UpdateUserPoolClient` sets: the settings given replace the client's, those left
/// out return to their defaults (a name left out keeps the name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientUpdate {
    /// `ClientName`.
    pub client_name: Option<String>,
    /// `ExplicitAuthFlows`; empty means Cognito's default flows.
    pub explicit_auth_flows: Vec<String>,
    /// `PreventUserExistenceErrors` = `ENABLED`.
    pub prevent_user_existence_errors: bool,
    /// The OAuth settings (SPEC §21), replacing the client's: as Cognito documents for
    /// UpdateUserPoolClient, a member left out returns to its default.
    pub oauth: userpool_store::ClientOAuth,
}

/// One page of `ListUserPoolClients`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPage {
    /// The clients, in client-id order.
    pub clients: Vec<crate::ClientRecord>,
    /// Pass it back to get the next page; `None` on the last page.
    pub next_token: Option<String>,
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
    /// The OAuth settings (SPEC §21): `AllowedOAuthFlows`, `AllowedOAuthScopes`,
    /// `CallbackURLs`, ...; all empty by default (a client of no OAuth endpoint).
    pub oauth: userpool_store::oauth::ClientOAuth,
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
    /// Where an SMS MFA code for `user` goes: the phone number, masked.
    #[must_use]
    pub fn sms_for_user(user: &UserRecord) -> Option<Self> {
        CodeDeliveryDetails::for_attribute(user, userpool_core::VerifiableAttribute::PhoneNumber)
    }

    /// Where a code for `user` goes through `attribute`, masked, if the user has a value
    /// for it.
    #[must_use]
    pub fn for_attribute(
        user: &UserRecord,
        attribute: userpool_core::VerifiableAttribute,
    ) -> Option<Self> {
        let value = user.attributes.get(attribute.as_str())?;
        Some(CodeDeliveryDetails::for_value(attribute, value))
    }

    /// Where a code sent to `value` (an email address or phone number) goes, masked.
    #[must_use]
    pub fn for_value(attribute: userpool_core::VerifiableAttribute, value: &str) -> Self {
        use userpool_core::VerifiableAttribute;
        match attribute {
            VerifiableAttribute::Email => {
                let (local, domain) = value.split_once('@').unwrap_or((value, ""));
                let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
                CodeDeliveryDetails {
                    destination: format!("{}***@{}***", first(local), first(domain)),
                    delivery_medium: "EMAIL",
                    attribute_name: "email",
                }
            }
            VerifiableAttribute::PhoneNumber => CodeDeliveryDetails {
                destination: mask_phone(value),
                delivery_medium: "SMS",
                attribute_name: "phone_number",
            },
        }
    }

    /// Where a code for `user` goes: the email if it has one, else the phone number.
    #[must_use]
    pub fn for_user(user: &UserRecord) -> Option<Self> {
        use userpool_core::VerifiableAttribute;
        CodeDeliveryDetails::for_attribute(user, VerifiableAttribute::Email)
            .or_else(|| CodeDeliveryDetails::for_attribute(user, VerifiableAttribute::PhoneNumber))
    }
}

/// A phone number as Cognito shows it in `CodeDeliveryDetails`: `+*******` and the last
/// four digits.
fn mask_phone(phone: &str) -> String {
    let tail: String = phone
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("+*******{tail}")
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
    /// How the sign-in ended, as the PreTokenGeneration trigger is told (SPEC §19):
    /// `Authentication`, or `NewPasswordChallenge` when the last step answered
    /// NEW_PASSWORD_REQUIRED.
    pub token_source: userpool_core::triggers::TokenGenerationSource,
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
        /// The challenge's `requiredAttributes`: the attributes the pool's schema
        /// requires and the user lacks, which the answer must give (as
        /// `userAttributes.<name>`), in schema order.
        required_attributes: Vec<String>,
    },
    /// `ChallengeName` = `PASSWORD_VERIFIER` (SPEC §15): answer with
    /// [`crate::UserPools::respond_to_password_verifier`].
    PasswordVerifier(PasswordVerifierParameters),
    /// An MFA challenge (SPEC §18): answer with [`crate::UserPools::respond_to_mfa_challenge`]
    /// (or, for `MFA_SETUP`, set a token up with the session first).
    Mfa(MfaChallengeResult),
}

/// An MFA challenge as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaChallengeResult {
    /// `ChallengeName`.
    pub name: userpool_core::mfa::MfaChallengeName,
    /// `Session` (redacted in `Debug`).
    pub session: super::mfa::ChallengeSessionText,
    /// The user: its username is `USER_ID_FOR_SRP`.
    pub user: UserDescription,
    /// For `SMS_MFA`: where the code went (`CODE_DELIVERY_DESTINATION`, masked).
    pub delivery: Option<CodeDeliveryDetails>,
    /// `MFAS_CAN_CHOOSE` or `MFAS_CAN_SETUP`.
    pub options: Vec<userpool_core::mfa::MfaFactor>,
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
