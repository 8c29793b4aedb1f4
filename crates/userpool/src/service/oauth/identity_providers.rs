//! Identity providers (SPEC §21): the SAML, OIDC and social providers a pool federates
//! with, their management operations, and the details Cognito fills in for a social
//! provider.

use std::collections::BTreeMap;

use userpool_core::oauth as rules;
use userpool_core::{Error, Result};

use super::{identifier_in_use, no_provider, not_found, record_error};
use crate::authorize::Caller;
use crate::service::UserPools;
use crate::service::inputs::{
    CreateIdentityProviderInput, IdentityProviderKeyInput, IdpIdentifierInput,
    ListOAuthRecordsInput, UpdateIdentityProviderInput,
};
use userpool_store::oauth::{IdentityProviderRecord, PROVIDER_PRIVATE_KEY_DETAIL};
use userpool_store::store::{Store, StoreError};

/// One page of `ListIdentityProviders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProviderPage {
    /// The providers, by name.
    pub providers: Vec<IdentityProviderRecord>,
    /// Pass it back for the next page; `None` on the last.
    pub next_token: Option<String>,
}

/// The members of CreateIdentityProvider and UpdateIdentityProvider (in an update, an
/// absent member keeps its value). `Debug` redacts the secret details (`client_secret`,
/// `private_key`), as [`IdentityProviderRecord`]'s does.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IdentityProviderSettings {
    /// `ProviderDetails`.
    pub provider_details: Option<BTreeMap<String, String>>,
    /// `AttributeMapping`.
    pub attribute_mapping: Option<BTreeMap<String, String>>,
    /// `IdpIdentifiers`.
    pub idp_identifiers: Option<Vec<String>>,
}

impl std::fmt::Debug for IdentityProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use userpool_store::oauth::{PROVIDER_PRIVATE_KEY_DETAIL, PROVIDER_SECRET_DETAIL};
        let details: Option<BTreeMap<&str, &str>> = self.provider_details.as_ref().map(|d| {
            d.iter()
                .map(|(k, v)| {
                    let secret = k == PROVIDER_SECRET_DETAIL || k == PROVIDER_PRIVATE_KEY_DETAIL;
                    (k.as_str(), if secret { "<redacted>" } else { v.as_str() })
                })
                .collect()
        });
        f.debug_struct("IdentityProviderSettings")
            .field("provider_details", &details)
            .field("attribute_mapping", &self.attribute_mapping)
            .field("idp_identifiers", &self.idp_identifiers)
            .finish()
    }
}

impl<S: Store + ?Sized> UserPools<S> {
    /// **CreateIdentityProvider** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException`, `DuplicateProviderException` (a name or identifier in
    /// use), `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `InternalErrorException`.
    pub fn create_identity_provider(
        &self,
        caller: &Caller,
        pool_id: &str,
        provider_name: &str,
        provider_type: &str,
        settings: IdentityProviderSettings,
    ) -> Result<IdentityProviderRecord> {
        let input = CreateIdentityProviderInput::parse(
            Some(pool_id),
            Some(provider_name),
            Some(provider_type),
            settings,
        )?;
        self.create_identity_provider_input(caller, &input)
    }

    /// **CreateIdentityProvider** from an input validated once by
    /// [`CreateIdentityProviderInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::create_identity_provider`].
    pub fn create_identity_provider_input(
        &self,
        caller: &Caller,
        input: &CreateIdentityProviderInput,
    ) -> Result<IdentityProviderRecord> {
        let (provider_name, provider_type) = (&input.provider_name, &input.provider_type);
        let settings = input.settings.clone();
        let id = self.oauth_write(caller, "CreateIdentityProvider", &input.user_pool_id)?;
        let now = self.clock.now();
        let record = IdentityProviderRecord {
            pool_id: id,
            provider_name: provider_name.clone(),
            provider_type: provider_type.clone(),
            provider_details: with_social_defaults(
                provider_type,
                settings.provider_details.unwrap_or_default(),
                None,
            ),
            attribute_mapping: settings.attribute_mapping.unwrap_or_default(),
            idp_identifiers: settings.idp_identifiers.unwrap_or_default(),
            created_at: now,
            modified_at: now,
            version: 0,
        };
        match self.store.create_identity_provider(&record) {
            Ok(version) => Ok(IdentityProviderRecord { version, ..record }),
            Err(StoreError::IdentityProviderExists) => Err(Error::DuplicateProvider(format!(
                "A provider with the name {provider_name} already exists in this user pool."
            ))),
            Err(StoreError::IdpIdentifierExists) => Err(identifier_in_use()),
            Err(e) => Err(e.into()),
        }
    }

    /// **DescribeIdentityProvider** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool or provider), `InternalErrorException`.
    pub fn describe_identity_provider(
        &self,
        caller: &Caller,
        pool_id: &str,
        provider_name: &str,
    ) -> Result<IdentityProviderRecord> {
        let input = IdentityProviderKeyInput::parse(Some(pool_id), Some(provider_name))?;
        self.describe_identity_provider_input(caller, &input)
    }

    /// **DescribeIdentityProvider** from an input validated once by
    /// [`IdentityProviderKeyInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::describe_identity_provider`].
    pub fn describe_identity_provider_input(
        &self,
        caller: &Caller,
        input: &IdentityProviderKeyInput,
    ) -> Result<IdentityProviderRecord> {
        let id = self.oauth_read(caller, "DescribeIdentityProvider", &input.user_pool_id)?;
        let provider_name = &input.provider_name;
        self.store
            .get_identity_provider(&id, provider_name)?
            .ok_or_else(|| no_provider(provider_name))
    }

    /// **GetIdentityProviderByIdentifier** (SPEC §21).
    ///
    /// # Errors
    /// As [`Self::describe_identity_provider`].
    pub fn get_identity_provider_by_identifier(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
    ) -> Result<IdentityProviderRecord> {
        let input = IdpIdentifierInput::parse(Some(pool_id), Some(identifier))?;
        self.get_identity_provider_by_identifier_input(caller, &input)
    }

    /// **GetIdentityProviderByIdentifier** from an input validated once by
    /// [`IdpIdentifierInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::get_identity_provider_by_identifier`].
    pub fn get_identity_provider_by_identifier_input(
        &self,
        caller: &Caller,
        input: &IdpIdentifierInput,
    ) -> Result<IdentityProviderRecord> {
        let identifier = &input.idp_identifier;
        let id = self.oauth_read(
            caller,
            "GetIdentityProviderByIdentifier",
            &input.user_pool_id,
        )?;
        self.store
            .find_identity_provider_by_identifier(&id, identifier)?
            .ok_or_else(|| {
                not_found(format!(
                    "Identity provider with identifier {identifier} does not exist."
                ))
            })
    }

    /// **ListIdentityProviders** (SPEC §21): by name, `max_results` 1..=60.
    ///
    /// # Errors
    /// As [`Self::list_resource_servers`].
    pub fn list_identity_providers(
        &self,
        caller: &Caller,
        pool_id: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<IdentityProviderPage> {
        let input = ListOAuthRecordsInput::parse_identity_providers(
            Some(pool_id),
            max_results,
            next_token,
        )?;
        self.list_identity_providers_input(caller, &input)
    }

    /// **ListIdentityProviders** from an input validated once by
    /// [`ListOAuthRecordsInput::parse_identity_providers`].
    ///
    /// # Errors
    /// As [`UserPools::list_identity_providers`].
    pub fn list_identity_providers_input(
        &self,
        caller: &Caller,
        input: &ListOAuthRecordsInput,
    ) -> Result<IdentityProviderPage> {
        let id = &input.user_pool_id;
        let (providers, next_token) = self.oauth_page(
            caller,
            "ListIdentityProviders",
            "idp",
            input,
            |store, after, limit| store.list_identity_providers(id, after, limit),
            |p| &p.provider_name,
        )?;
        Ok(IdentityProviderPage {
            providers,
            next_token,
        })
    }

    /// **UpdateIdentityProvider** (SPEC §21): the members given replace theirs.
    ///
    /// # Errors
    /// As [`Self::create_identity_provider`], and `ResourceNotFoundException` for an unknown
    /// provider.
    pub fn update_identity_provider(
        &self,
        caller: &Caller,
        pool_id: &str,
        provider_name: &str,
        settings: IdentityProviderSettings,
    ) -> Result<IdentityProviderRecord> {
        let input =
            UpdateIdentityProviderInput::parse(Some(pool_id), Some(provider_name), settings)?;
        self.update_identity_provider_input(caller, &input)
    }

    /// **UpdateIdentityProvider** from an input validated once by
    /// [`UpdateIdentityProviderInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::update_identity_provider`].
    pub fn update_identity_provider_input(
        &self,
        caller: &Caller,
        input: &UpdateIdentityProviderInput,
    ) -> Result<IdentityProviderRecord> {
        let (provider_name, settings) = (&input.key.provider_name, &input.settings);
        let id = self.oauth_write(caller, "UpdateIdentityProvider", &input.key.user_pool_id)?;
        let (next, version) = self.update_oauth_record(
            || self.store.get_identity_provider(&id, provider_name),
            |current| {
                let mut details = settings
                    .provider_details
                    .clone()
                    .unwrap_or(current.provider_details.clone());
                // Apple's `private_key` is write-only (Describe leaves it out): details that
                // omit it keep the stored key, so a describe-edit-update round trip does not
                // drop it.
                if let Some(key) = current.provider_details.get(PROVIDER_PRIVATE_KEY_DETAIL) {
                    details
                        .entry(PROVIDER_PRIVATE_KEY_DETAIL.to_owned())
                        .or_insert_with(|| key.clone());
                }
                IdentityProviderRecord {
                    provider_details: with_social_defaults(
                        &current.provider_type,
                        details,
                        Some(&current.provider_details),
                    ),
                    attribute_mapping: settings
                        .attribute_mapping
                        .clone()
                        .unwrap_or(current.attribute_mapping.clone()),
                    idp_identifiers: settings
                        .idp_identifiers
                        .clone()
                        .unwrap_or(current.idp_identifiers.clone()),
                    modified_at: self.clock.now(),
                    ..current
                }
            },
            |store, next| store.update_identity_provider(next),
            || no_provider(provider_name),
        )?;
        Ok(IdentityProviderRecord { version, ..next })
    }

    /// **DeleteIdentityProvider** (SPEC §21).
    ///
    /// # Errors
    /// As [`Self::describe_identity_provider`].
    pub fn delete_identity_provider(
        &self,
        caller: &Caller,
        pool_id: &str,
        provider_name: &str,
    ) -> Result<()> {
        let input = IdentityProviderKeyInput::parse(Some(pool_id), Some(provider_name))?;
        self.delete_identity_provider_input(caller, &input)
    }

    /// **DeleteIdentityProvider** from an input validated once by
    /// [`IdentityProviderKeyInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_identity_provider`].
    pub fn delete_identity_provider_input(
        &self,
        caller: &Caller,
        input: &IdentityProviderKeyInput,
    ) -> Result<()> {
        let provider_name = &input.provider_name;
        let id = self.oauth_write(caller, "DeleteIdentityProvider", &input.user_pool_id)?;
        self.store
            .delete_identity_provider(&id, provider_name)
            .map_err(|e| record_error(e, || no_provider(provider_name)))
    }
}

/// `details` with the keys Cognito fills in for a social provider added where absent
/// (SPEC §21: DescribeIdentityProvider shows them; an operator's value stays). On an
/// update (`previous`: the stored details), a value that was the filled-in default of the
/// previous details follows the new ones: a Facebook provider given a new `api_version`
/// gets that version's URLs, unless the operator set its own.
fn with_social_defaults(
    provider_type: &str,
    mut details: BTreeMap<String, String>,
    previous: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let api_version = details.get("api_version").cloned();
    let before: BTreeMap<&str, String> = previous
        .map(|p| {
            let version = p.get("api_version").map(String::as_str);
            rules::social_provider_defaults(provider_type, version)
                .into_iter()
                .filter(|(key, _)| *key != "api_version")
                .collect()
        })
        .unwrap_or_default();
    for (key, value) in rules::social_provider_defaults(provider_type, api_version.as_deref()) {
        let slot = details.entry(key.to_owned()).or_default();
        if slot.is_empty() || before.get(key) == Some(slot) {
            *slot = value;
        }
    }
    details
}
