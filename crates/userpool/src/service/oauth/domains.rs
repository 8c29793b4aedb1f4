//! User-pool domains (SPEC §21): CreateUserPoolDomain, DescribeUserPoolDomain,
//! UpdateUserPoolDomain, DeleteUserPoolDomain.

use userpool_core::{Result, UserPoolId};

use super::{no_domain, record_error};
use crate::authorize::Caller;
use crate::service::UserPools;
use crate::service::inputs::{DescribeDomainInput, PoolDomainInput, UserPoolDomainInput};
use userpool_store::oauth::DomainRecord;
use userpool_store::store::Store;

impl<S: Store + ?Sized> UserPools<S> {
    /// **CreateUserPoolDomain** (SPEC §21): a prefix domain, or a custom one with a
    /// certificate ARN.
    ///
    /// # Errors
    /// `InvalidParameterException` (a bad domain; `Domain already exists.`; `User pool
    /// already has a domain configured.`), `NotAuthorizedException`,
    /// `TooManyRequestsException`, `ResourceNotFoundException`, `InternalErrorException`.
    pub fn create_user_pool_domain(
        &self,
        caller: &Caller,
        pool_id: &str,
        domain: &str,
        certificate_arn: Option<&str>,
        managed_login_version: Option<i64>,
    ) -> Result<DomainRecord> {
        let input = UserPoolDomainInput::parse_create(
            Some(pool_id),
            Some(domain),
            certificate_arn,
            managed_login_version,
        )?;
        self.create_user_pool_domain_input(caller, &input)
    }

    /// **CreateUserPoolDomain** from an input validated once by
    /// [`UserPoolDomainInput::parse_create`].
    ///
    /// # Errors
    /// As [`UserPools::create_user_pool_domain`].
    pub fn create_user_pool_domain_input(
        &self,
        caller: &Caller,
        input: &UserPoolDomainInput,
    ) -> Result<DomainRecord> {
        let id = self.oauth_write(caller, "CreateUserPoolDomain", &input.user_pool_id)?;
        let record = DomainRecord {
            pool_id: id,
            domain: input.domain.clone(),
            certificate_arn: input.certificate_arn.clone(),
            managed_login_version: input.managed_login_version.unwrap_or(1),
            created_at: self.clock.now(),
            version: 0,
        };
        let version = self.store.create_domain(&record)?;
        Ok(DomainRecord { version, ..record })
    }

    /// **DescribeUserPoolDomain** (SPEC §21): `None` for an unknown domain (Cognito answers
    /// an empty description).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `InternalErrorException`.
    pub fn describe_user_pool_domain(
        &self,
        caller: &Caller,
        domain: &str,
    ) -> Result<Option<DomainRecord>> {
        let input = DescribeDomainInput::parse(Some(domain))?;
        self.describe_user_pool_domain_input(caller, &input)
    }

    /// **DescribeUserPoolDomain** from an input validated once by
    /// [`DescribeDomainInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::describe_user_pool_domain`].
    pub fn describe_user_pool_domain_input(
        &self,
        caller: &Caller,
        input: &DescribeDomainInput,
    ) -> Result<Option<DomainRecord>> {
        let found = self.store.get_domain(&input.domain)?;
        if let Some(found) = &found {
            self.authorize(caller, "DescribeUserPoolDomain", &found.pool_id)?;
        }
        Ok(found)
    }

    /// The domain of a pool, if it has one (DescribeUserPool's `Domain`).
    ///
    /// # Errors
    /// `ResourceNotFoundException`, `InternalErrorException`.
    pub fn domain_of_pool(&self, pool: &UserPoolId) -> Result<Option<DomainRecord>> {
        Ok(self.store.domain_of_pool(pool)?)
    }

    /// **UpdateUserPoolDomain** (SPEC §21): the certificate and managed-login version.
    ///
    /// # Errors
    /// `InvalidParameterException` (also for a domain that is not the pool's),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn update_user_pool_domain(
        &self,
        caller: &Caller,
        pool_id: &str,
        domain: &str,
        certificate_arn: Option<&str>,
        managed_login_version: Option<i64>,
    ) -> Result<DomainRecord> {
        let input = UserPoolDomainInput::parse_update(
            Some(pool_id),
            Some(domain),
            certificate_arn,
            managed_login_version,
        )?;
        self.update_user_pool_domain_input(caller, &input)
    }

    /// **UpdateUserPoolDomain** from an input validated once by
    /// [`UserPoolDomainInput::parse_update`].
    ///
    /// # Errors
    /// As [`UserPools::update_user_pool_domain`].
    pub fn update_user_pool_domain_input(
        &self,
        caller: &Caller,
        input: &UserPoolDomainInput,
    ) -> Result<DomainRecord> {
        let (domain, version) = (&input.domain, input.managed_login_version);
        let certificate_arn = input.certificate_arn.as_deref();
        let id = self.oauth_write(caller, "UpdateUserPoolDomain", &input.user_pool_id)?;
        let (next, version) = self.update_oauth_record(
            || {
                Ok(self
                    .store
                    .domain_of_pool(&id)?
                    .filter(|d| &d.domain == domain))
            },
            |current| DomainRecord {
                certificate_arn: certificate_arn
                    .map(str::to_owned)
                    .or(current.certificate_arn.clone()),
                managed_login_version: version.unwrap_or(current.managed_login_version),
                ..current
            },
            |store, next| store.update_domain(next),
            no_domain,
        )?;
        Ok(DomainRecord { version, ..next })
    }

    /// **DeleteUserPoolDomain** (SPEC §21).
    ///
    /// # Errors
    /// `InvalidParameterException` (a domain that is not the pool's),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn delete_user_pool_domain(
        &self,
        caller: &Caller,
        pool_id: &str,
        domain: &str,
    ) -> Result<()> {
        let input = PoolDomainInput::parse(Some(pool_id), Some(domain))?;
        self.delete_user_pool_domain_input(caller, &input)
    }

    /// **DeleteUserPoolDomain** from an input validated once by
    /// [`PoolDomainInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_user_pool_domain`].
    pub fn delete_user_pool_domain_input(
        &self,
        caller: &Caller,
        input: &PoolDomainInput,
    ) -> Result<()> {
        let id = self.oauth_write(caller, "DeleteUserPoolDomain", &input.user_pool_id)?;
        self.store
            .delete_domain(&id, &input.domain)
            .map_err(|e| record_error(e, no_domain))
    }
}
