//! Federation (SPEC §21): the decisions of a sign-in through an external provider (OpenID
//! Connect, or a social one: Google, Facebook, Login with Amazon, Sign in with Apple), once
//! the host has verified who signed in (an id token, or a social provider's user-info
//! answer read with its access token), and the admin operations
//! that link a provider identity to an existing user (AdminLinkProviderForUser) and undo
//! the link (AdminDisableProviderForUser).
//!
//! A federated user is named `<ProviderName>_<sub>` and has status EXTERNAL_PROVIDER, as
//! in Cognito. Its `identities` attribute (Cognito's, a JSON list of
//! `{userId, providerName, providerType, issuer, primary, dateCreated}`) says where it
//! comes from; the same attribute on a linked user lists the provider identities that sign
//! in as that user. Links live there, and the store indexes them with the user
//! ([`Store::find_linked_user`]), so finding the user an identity is linked to is one
//! lookup, however many users the pool has and however many new identities sign in.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use userpool_core::{Error, Event, NotAuthorized, Result, UserRecord, transitions};

use super::inputs::{DisableProviderForUserInput, LinkProviderForUserInput};
use super::{UserDescription, UserPools};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::oauth::IdentityProviderRecord;
use userpool_store::pool::PoolRecord;
use userpool_store::store::{Store, UserKey};

/// The attribute Cognito keeps a user's provider identities in.
pub const IDENTITIES_ATTRIBUTE: &str = userpool_store::keys::IDENTITIES_ATTRIBUTE;

/// The `ProviderName` of a pool's own users in `ProviderUserIdentifierType`.
const COGNITO_PROVIDER: &str = "Cognito";

/// The `ProviderAttributeName` that names an OIDC identity by its subject.
const SUBJECT_ATTRIBUTE: &str = "Cognito_Subject";

/// The most provider identities linked to one user (Cognito: "The maximum number of
/// federated identities linked to a user is five.").
pub const MAX_LINKED_IDENTITIES: usize = 5;

/// The provider types a user signs in through (SPEC §21); `SAML` is stored and managed
/// but not signed in through.
pub const SIGN_IN_PROVIDER_TYPES: [&str; 5] = [
    "OIDC",
    "Google",
    "Facebook",
    "LoginWithAmazon",
    "SignInWithApple",
];

/// Cognito's `ProviderUserIdentifierType`, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderUser<'a> {
    /// `ProviderName`: `Cognito` for the pool's own users, else an identity provider's name.
    pub provider_name: Option<&'a str>,
    /// `ProviderAttributeName`: `Cognito_Subject` for an OIDC identity.
    pub provider_attribute_name: Option<&'a str>,
    /// `ProviderAttributeValue`: a username, or the identity's subject.
    pub provider_attribute_value: Option<&'a str>,
}

/// What the host learned from a provider: the verified id token's claims (and userInfo's),
/// every value as a string (`true`, `false`, numbers in decimal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The claims; `sub` is required.
    pub claims: BTreeMap<String, String>,
}

fn invalid(message: &str) -> Error {
    Error::InvalidParameterMessage(message.to_owned())
}

/// The `identities` entries of `user` (none when absent or unreadable).
fn identities_of(user: &UserRecord) -> Vec<Value> {
    userpool_store::keys::identity_entries(user)
}

/// `user` with its `identities` attribute set to `entries` (removed when none is left),
/// modified at `now`.
fn with_identities(
    user: &UserRecord,
    entries: Vec<Value>,
    now: chrono::DateTime<chrono::Utc>,
) -> UserRecord {
    let mut next = user.clone();
    if entries.is_empty() {
        next.attributes.remove(IDENTITIES_ATTRIBUTE);
    } else {
        next.attributes.insert(
            IDENTITIES_ATTRIBUTE.to_owned(),
            Value::Array(entries).to_string(),
        );
    }
    next.modified_at = now;
    next
}

fn is_identity(entry: &Value, provider_name: &str, user_id: &str) -> bool {
    entry["providerName"].as_str() == Some(provider_name)
        && entry["userId"].as_str() == Some(user_id)
}

/// One `identities` entry, as Cognito writes it.
fn identity_entry(
    provider: &IdentityProviderRecord,
    user_id: &str,
    primary: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    json!({
        "userId": user_id,
        "providerName": provider.provider_name,
        "providerType": provider.provider_type,
        "issuer": Value::Null,
        "primary": primary,
        "dateCreated": now.timestamp_millis(),
    })
}

impl<S: Store + ?Sized> UserPools<S> {
    /// The `OIDC` identity provider `provider_name` of `pool`. A host signing in through
    /// social providers too uses [`Self::sign_in_provider`].
    ///
    /// # Errors
    /// `ResourceNotFoundException` when the pool has no such provider, or when it is not an
    /// `OIDC` provider; `InternalErrorException`.
    pub fn oidc_provider(
        &self,
        pool: &PoolRecord,
        provider_name: &str,
    ) -> Result<IdentityProviderRecord> {
        self.provider_of_type(pool, provider_name, &["OIDC"])
    }

    /// The identity provider `provider_name` of `pool` that users sign in through: an
    /// `OIDC` provider or a social one (`Google`, `Facebook`, `LoginWithAmazon`,
    /// `SignInWithApple`), for the host's relying party.
    ///
    /// # Errors
    /// `ResourceNotFoundException` when the pool has no such provider, or when it is a
    /// `SAML` provider; `InternalErrorException`.
    pub fn sign_in_provider(
        &self,
        pool: &PoolRecord,
        provider_name: &str,
    ) -> Result<IdentityProviderRecord> {
        self.provider_of_type(pool, provider_name, &SIGN_IN_PROVIDER_TYPES)
    }

    /// The identity provider `provider_name` of `pool` if its type is one of `types`; any
    /// other is answered as one that does not exist.
    fn provider_of_type(
        &self,
        pool: &PoolRecord,
        provider_name: &str,
        types: &[&str],
    ) -> Result<IdentityProviderRecord> {
        self.store
            .get_identity_provider(&pool.id, provider_name)?
            .filter(|p| types.contains(&p.provider_type.as_str()))
            .ok_or_else(|| {
                Error::ResourceNotFound(format!(
                    "Identity provider {provider_name} does not exist."
                ))
            })
    }

    /// The federated sign-in of an identity `provider` vouched for (SPEC §21), after the
    /// host verified its id token: the user an admin linked the identity to, else the
    /// identity's own EXTERNAL_PROVIDER user `<ProviderName>_<sub>`, created the first time
    /// and its mapped attributes refreshed afterwards. Takes one request from the pool's
    /// `UserAuthentication` quota.
    ///
    /// # Errors
    /// `InvalidParameterException` (no `sub`, a name too long, a mapped value the schema
    /// refuses), `NotAuthorizedException` `User is disabled.`, `TooManyRequestsException`,
    /// `UsernameExistsException`, `AliasExistsException`, `InternalErrorException`.
    pub fn external_sign_in(
        &self,
        pool: &PoolRecord,
        provider: &IdentityProviderRecord,
        identity: &ExternalIdentity,
    ) -> Result<UserDescription> {
        self.limit(&pool.id, Category::UserAuthentication)?;
        let subject = identity
            .claims
            .get("sub")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("The identity provider's token has no sub."))?;
        // The provider's claims under the pool's names, as its AttributeMapping says;
        // `username` maps to the subject already (the user's name), and `identities` is
        // Cognito's own record of the links, never a claim's (a forged entry would link
        // another identity to this user).
        let mapped: Vec<(&str, &str)> = provider
            .attribute_mapping
            .iter()
            .filter(|(attribute, _)| {
                !matches!(attribute.as_str(), "username" | IDENTITIES_ATTRIBUTE)
            })
            .filter_map(|(attribute, claim)| {
                identity
                    .claims
                    .get(claim)
                    .map(|value| (attribute.as_str(), value.as_str()))
            })
            .collect();
        let mut v = Validator::new();
        let name = v.username(&format!("{}_{subject}", provider.provider_name));
        let attributes = v.attributes("userAttributes", &mapped);
        v.finish()?;
        let (name, attributes) = (accepted(name)?, accepted(attributes)?);
        let enabled = |user: UserRecord| {
            if user.enabled {
                Ok(UserDescription::from(&user))
            } else {
                Err(Error::NotAuthorized(NotAuthorized::UserDisabled))
            }
        };
        if let Some(user) = self
            .store
            .find_user(&pool.id, UserKey::Username(name.as_str()))?
        {
            let stale = attributes
                .iter()
                .any(|(k, v)| user.attributes.get(k) != Some(v));
            // A disabled user's refused sign-in maps nothing onto it.
            if !stale || !user.enabled {
                return enabled(user);
            }
            let user = self.transition(pool, &name, |user, ctx| {
                if !user.enabled {
                    return Err(Error::NotAuthorized(NotAuthorized::UserDisabled).into());
                }
                let mut next = user.clone();
                next.attributes
                    .extend(attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
                next.modified_at = ctx.now;
                Ok((next, Event::AttributesUpdated))
            })?;
            return enabled(user);
        }
        if let Some(user) = self.linked_user(pool, &provider.provider_name, subject)? {
            return enabled(user);
        }
        let created = self.create(pool, true, |ctx| {
            let mut attributes = attributes.clone();
            attributes.insert(
                IDENTITIES_ATTRIBUTE.to_owned(),
                Value::Array(vec![identity_entry(provider, subject, true, ctx.now)]).to_string(),
            );
            transitions::external_provider_sign_in(name.clone(), attributes, ctx)
        });
        match created {
            Ok(user) => enabled(user),
            // Another sign-in of the same identity created it meanwhile.
            Err(Error::UsernameExists) => match self
                .store
                .find_user(&pool.id, UserKey::Username(name.as_str()))?
            {
                Some(user) => enabled(user),
                None => Err(Error::UsernameExists),
            },
            Err(e) => Err(e),
        }
    }

    /// The user (other than the identity's own) whose `identities` list the provider
    /// identity, if an admin linked one.
    fn linked_user(
        &self,
        pool: &PoolRecord,
        provider_name: &str,
        user_id: &str,
    ) -> Result<Option<UserRecord>> {
        Ok(self
            .store
            .find_linked_user(&pool.id, provider_name, user_id)?)
    }

    /// The provider and subject a `ProviderUserIdentifierType` names as a source identity.
    fn source_identity(
        &self,
        pool: &PoolRecord,
        source: &ProviderUser<'_>,
        member: &str,
    ) -> Result<(IdentityProviderRecord, String)> {
        let provider_name = source
            .provider_name
            .filter(|p| !p.is_empty())
            .ok_or_else(|| invalid(&format!("{member} ProviderName is required.")))?;
        if provider_name == COGNITO_PROVIDER {
            return Err(invalid(
                "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser",
            ));
        }
        let value = source
            .provider_attribute_value
            .filter(|v| !v.is_empty() && v.len() <= 2048)
            .ok_or_else(|| invalid(&format!("{member} ProviderAttributeValue is required.")))?;
        if let Some(attribute) = source.provider_attribute_name
            && attribute != SUBJECT_ATTRIBUTE
        {
            return Err(invalid(&format!(
                "{member} ProviderAttributeName must be {SUBJECT_ATTRIBUTE} for an OIDC provider."
            )));
        }
        let provider = self
            .store
            .get_identity_provider(&pool.id, provider_name)?
            .ok_or_else(|| {
                Error::ResourceNotFound(format!(
                    "Identity provider {provider_name} does not exist."
                ))
            })?;
        Ok((provider, value.to_owned()))
    }

    /// **AdminLinkProviderForUser** (SPEC §21): the provider identity `source` (one that has
    /// not signed in yet) will sign in as the pool's user `destination`, which lists it in
    /// its `identities`.
    ///
    /// # Errors
    /// `InvalidParameterException` (a member missing; a source of `Cognito`; a destination
    /// not of `Cognito`; a source that already signed in, or is linked to another user),
    /// `ResourceNotFoundException` (the pool or provider), `UserNotFoundException`,
    /// `NotAuthorizedException`, `TooManyRequestsException`, `InternalErrorException`.
    pub fn admin_link_provider_for_user(
        &self,
        caller: &Caller,
        pool_id: &str,
        destination: &ProviderUser<'_>,
        source: &ProviderUser<'_>,
    ) -> Result<()> {
        let input =
            LinkProviderForUserInput::parse(Some(pool_id), Some(destination), Some(source))?;
        self.admin_link_provider_for_user_input(caller, &input)
    }

    /// **AdminLinkProviderForUser** from an input validated once by
    /// [`LinkProviderForUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_link_provider_for_user`].
    pub fn admin_link_provider_for_user_input(
        &self,
        caller: &Caller,
        input: &LinkProviderForUserInput,
    ) -> Result<()> {
        let destination = input.destination_user.as_provider_user();
        let source = &input.source_user.as_provider_user();
        let pool_id = input.user_pool_id.as_str();
        if destination.provider_name != Some(COGNITO_PROVIDER) {
            return Err(invalid(
                "DestinationUser ProviderName must be Cognito: a user of the pool.",
            ));
        }
        let username = destination
            .provider_attribute_value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid("DestinationUser ProviderAttributeValue is required."))?;
        let (pool, name) = self.admin_user_str(
            caller,
            "AdminLinkProviderForUser",
            Category::UserUpdate,
            pool_id,
            username,
        )?;
        let (provider, subject) = self.source_identity(&pool, source, "SourceUser")?;
        let own = format!("{}_{subject}", provider.provider_name);
        if self
            .store
            .find_user(&pool.id, UserKey::Username(&own))?
            .is_some()
        {
            return Err(invalid(
                "Merging is not currently supported, provide a SourceUser that has not been used to sign in.",
            ));
        }
        let destination_user = self.resolve(&pool, &name)?;
        if let Some(linked) = self.linked_user(&pool, &provider.provider_name, &subject)?
            && linked.sub != destination_user.sub
        {
            return Err(invalid("The SourceUser is already linked to another user."));
        }
        let (user, linked) = self.mutate(&pool, &name, |user, ctx| {
            let mut entries = identities_of(user);
            if entries
                .iter()
                .any(|e| is_identity(e, &provider.provider_name, &subject))
            {
                // Linked already: nothing is written.
                return Ok((None, false));
            }
            if entries.len() >= MAX_LINKED_IDENTITIES {
                return Err(Error::LimitExceededMessage(
                    "The maximum number of federated identities linked to a user is five.".into(),
                )
                .into());
            }
            entries.push(identity_entry(&provider, &subject, false, ctx.now));
            Ok((Some(with_identities(user, entries, ctx.now)), true))
        })?;
        if linked {
            self.delivery
                .deliver(&pool.id, &user, &Event::AttributesUpdated);
        }
        Ok(())
    }

    /// **AdminDisableProviderForUser** (SPEC §21): the provider identity `user` no longer
    /// signs in as the user it was linked to (the link is removed from that user's
    /// `identities`); its next sign-in makes or finds its own EXTERNAL_PROVIDER user. An
    /// identity linked to no one is answered the same (nothing to undo).
    ///
    /// # Errors
    /// `InvalidParameterException`, `ResourceNotFoundException`, `NotAuthorizedException`,
    /// `TooManyRequestsException`, `InternalErrorException`.
    pub fn admin_disable_provider_for_user(
        &self,
        caller: &Caller,
        pool_id: &str,
        user: &ProviderUser<'_>,
    ) -> Result<()> {
        let input = DisableProviderForUserInput::parse(Some(pool_id), Some(user))?;
        self.admin_disable_provider_for_user_input(caller, &input)
    }

    /// **AdminDisableProviderForUser** from an input validated once by
    /// [`DisableProviderForUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_disable_provider_for_user`].
    pub fn admin_disable_provider_for_user_input(
        &self,
        caller: &Caller,
        input: &DisableProviderForUserInput,
    ) -> Result<()> {
        let user = &input.user.as_provider_user();
        let pool = self.admin(
            caller,
            "AdminDisableProviderForUser",
            Category::UserUpdate,
            &input.user_pool_id,
        )?;
        if user.provider_name == Some(COGNITO_PROVIDER) {
            return self.disable_password_sign_in(&pool, user);
        }
        let (provider, subject) = self.source_identity(&pool, user, "User")?;
        let Some(linked) = self.linked_user(&pool, &provider.provider_name, &subject)? else {
            return Ok(());
        };
        let name = linked.username.clone();
        self.transition(&pool, &name, |user, ctx| {
            let entries: Vec<Value> = identities_of(user)
                .into_iter()
                .filter(|e| !is_identity(e, &provider.provider_name, &subject))
                .collect();
            Ok((
                with_identities(user, entries, ctx.now),
                Event::AttributesUpdated,
            ))
        })?;
        Ok(())
    }

    /// AdminDisableProviderForUser of a pool's own user (`ProviderName: Cognito`,
    /// `ProviderAttributeName: Cognito_Subject`, the username as the value): as Cognito
    /// documents, the user can no longer sign in with a password. The password is removed
    /// (its SRP verifier too); the user keeps its attributes, linked identities and status,
    /// and AdminSetUserPassword gives it a password again.
    fn disable_password_sign_in(&self, pool: &PoolRecord, user: &ProviderUser<'_>) -> Result<()> {
        if user.provider_attribute_name != Some(SUBJECT_ATTRIBUTE) {
            return Err(invalid(&format!(
                "User ProviderAttributeName must be {SUBJECT_ATTRIBUTE} for a Cognito user."
            )));
        }
        let username = user
            .provider_attribute_value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid("User ProviderAttributeValue is required."))?;
        let mut v = Validator::new();
        let name = v.username(username);
        v.finish()?;
        let name = self.resolve(pool, &accepted(name)?)?.username;
        self.transition(pool, &name, |user, ctx| {
            let mut next = user.clone();
            next.credential = None;
            next.srp = None;
            next.modified_at = ctx.now;
            Ok((next, Event::AttributesUpdated))
        })?;
        Ok(())
    }
}
