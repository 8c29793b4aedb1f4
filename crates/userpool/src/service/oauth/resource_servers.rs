//! Resource servers (SPEC §21): the custom scopes an app client may be granted, and
//! their management operations.

use userpool_core::Result;

use super::{no_resource_server, record_error};
use crate::authorize::Caller;
use crate::service::UserPools;
use crate::service::inputs::{
    ListOAuthRecordsInput, ResourceServerKeyInput, ResourceServerWriteInput, ScopeMembers,
};
use userpool_store::oauth::{ResourceServerRecord, ResourceServerScope};
use userpool_store::store::Store;

/// One page of `ListResourceServers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServerPage {
    /// The resource servers, by identifier.
    pub resource_servers: Vec<ResourceServerRecord>,
    /// Pass it back for the next page; `None` on the last.
    pub next_token: Option<String>,
}

impl<S: Store + ?Sized> UserPools<S> {
    /// **CreateResourceServer** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException` (bad members; an identifier in use),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn create_resource_server(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
        name: &str,
        scopes: &[ResourceServerScope],
    ) -> Result<ResourceServerRecord> {
        let input = resource_server_input(pool_id, identifier, name, scopes)?;
        self.create_resource_server_input(caller, &input)
    }

    /// **CreateResourceServer** from an input validated once by
    /// [`ResourceServerWriteInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::create_resource_server`].
    pub fn create_resource_server_input(
        &self,
        caller: &Caller,
        input: &ResourceServerWriteInput,
    ) -> Result<ResourceServerRecord> {
        let id = self.oauth_write(caller, "CreateResourceServer", &input.key.user_pool_id)?;
        let record = ResourceServerRecord {
            pool_id: id,
            identifier: input.key.identifier.clone(),
            name: input.name.clone(),
            scopes: input.scopes.clone(),
            version: 0,
        };
        let version = self.store.create_resource_server(&record)?;
        Ok(ResourceServerRecord { version, ..record })
    }

    /// **DescribeResourceServer** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool or resource server), `InternalErrorException`.
    pub fn describe_resource_server(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
    ) -> Result<ResourceServerRecord> {
        let input = ResourceServerKeyInput::parse(Some(pool_id), Some(identifier))?;
        self.describe_resource_server_input(caller, &input)
    }

    /// **DescribeResourceServer** from an input validated once by
    /// [`ResourceServerKeyInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::describe_resource_server`].
    pub fn describe_resource_server_input(
        &self,
        caller: &Caller,
        input: &ResourceServerKeyInput,
    ) -> Result<ResourceServerRecord> {
        let identifier = &input.identifier;
        let id = self.oauth_read(caller, "DescribeResourceServer", &input.user_pool_id)?;
        self.store
            .get_resource_server(&id, identifier)?
            .ok_or_else(|| no_resource_server(identifier))
    }

    /// **ListResourceServers** (SPEC §21): by identifier, `max_results` 1..=50.
    ///
    /// # Errors
    /// `InvalidParameterException` (range, a token from elsewhere),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn list_resource_servers(
        &self,
        caller: &Caller,
        pool_id: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<ResourceServerPage> {
        let input =
            ListOAuthRecordsInput::parse_resource_servers(Some(pool_id), max_results, next_token)?;
        self.list_resource_servers_input(caller, &input)
    }

    /// **ListResourceServers** from an input validated once by
    /// [`ListOAuthRecordsInput::parse_resource_servers`].
    ///
    /// # Errors
    /// As [`UserPools::list_resource_servers`].
    pub fn list_resource_servers_input(
        &self,
        caller: &Caller,
        input: &ListOAuthRecordsInput,
    ) -> Result<ResourceServerPage> {
        let id = &input.user_pool_id;
        let (resource_servers, next_token) = self.oauth_page(
            caller,
            "ListResourceServers",
            "rs",
            input,
            |store, after, limit| store.list_resource_servers(id, after, limit),
            |s| &s.identifier,
        )?;
        Ok(ResourceServerPage {
            resource_servers,
            next_token,
        })
    }

    /// **UpdateResourceServer** (SPEC §21): replaces name and scopes.
    ///
    /// # Errors
    /// As [`Self::describe_resource_server`], plus the members' `InvalidParameterException`.
    pub fn update_resource_server(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
        name: &str,
        scopes: &[ResourceServerScope],
    ) -> Result<ResourceServerRecord> {
        let input = resource_server_input(pool_id, identifier, name, scopes)?;
        self.update_resource_server_input(caller, &input)
    }

    /// **UpdateResourceServer** from an input validated once by
    /// [`ResourceServerWriteInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::update_resource_server`].
    pub fn update_resource_server_input(
        &self,
        caller: &Caller,
        input: &ResourceServerWriteInput,
    ) -> Result<ResourceServerRecord> {
        let (identifier, name, scopes) = (&input.key.identifier, &input.name, &input.scopes);
        let id = self.oauth_write(caller, "UpdateResourceServer", &input.key.user_pool_id)?;
        let (next, version) = self.update_oauth_record(
            || self.store.get_resource_server(&id, identifier),
            |current| ResourceServerRecord {
                name: name.clone(),
                scopes: scopes.clone(),
                ..current
            },
            |store, next| store.update_resource_server(next),
            || no_resource_server(identifier),
        )?;
        Ok(ResourceServerRecord { version, ..next })
    }

    /// **DeleteResourceServer** (SPEC §21).
    ///
    /// # Errors
    /// As [`Self::describe_resource_server`].
    pub fn delete_resource_server(
        &self,
        caller: &Caller,
        pool_id: &str,
        identifier: &str,
    ) -> Result<()> {
        let input = ResourceServerKeyInput::parse(Some(pool_id), Some(identifier))?;
        self.delete_resource_server_input(caller, &input)
    }

    /// **DeleteResourceServer** from an input validated once by
    /// [`ResourceServerKeyInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_resource_server`].
    pub fn delete_resource_server_input(
        &self,
        caller: &Caller,
        input: &ResourceServerKeyInput,
    ) -> Result<()> {
        let identifier = &input.identifier;
        let id = self.oauth_write(caller, "DeleteResourceServer", &input.user_pool_id)?;
        self.store
            .delete_resource_server(&id, identifier)
            .map_err(|e| record_error(e, || no_resource_server(identifier)))
    }
}

/// A resource server's members as the `&str` API takes them, validated.
fn resource_server_input(
    pool_id: &str,
    identifier: &str,
    name: &str,
    scopes: &[ResourceServerScope],
) -> Result<ResourceServerWriteInput> {
    let members: Vec<ScopeMembers<'_>> = scopes
        .iter()
        .map(|s| ScopeMembers {
            scope_name: Some(&s.name),
            scope_description: Some(&s.description),
        })
        .collect();
    ResourceServerWriteInput::parse(Some(pool_id), Some(identifier), Some(name), &members)
}
