//! Admission (SPEC §7, §13) for what the host serves itself: the per-address and
//! per-username limits of the unauthenticated operations (only the host knows the client's
//! address), and the preludes of the operations whose tokens the host holds (a token
//! refresh, GlobalSignOut), so that they pass the same authoriser and rate limits as every
//! other operation.

use std::net::IpAddr;

use userpool_core::{Error, Result, UserPoolId};

use super::UserPools;
use super::inputs::{AdminInitiateAuthInput, InitiateAuthInput};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::ClientRecord;
use userpool_store::store::Store;

impl<S: Store + ?Sized> UserPools<S> {
    /// Takes one request from the bucket of the client's address (SPEC §13), for the
    /// unauthenticated operations. Without a rate limiter, allows everything.
    ///
    /// # Errors
    /// `TooManyRequestsException`; `InternalErrorException` (poisoned limiter).
    pub fn limit_address(&self, address: IpAddr) -> Result<()> {
        match &self.limiter {
            Some(limiter) => limiter.check_address(address, self.clock.now()),
            None => Ok(()),
        }
    }

    /// Takes one request from the bucket of `username` as named through the app client
    /// `client_id` (SPEC §13; case ignored), for the unauthenticated operations. Without a
    /// rate limiter, allows everything.
    ///
    /// # Errors
    /// `TooManyRequestsException`; `InternalErrorException` (poisoned limiter).
    pub fn limit_username(&self, client_id: &str, username: &str) -> Result<()> {
        match &self.limiter {
            Some(limiter) => limiter.check_username(client_id, username, self.clock.now()),
            None => Ok(()),
        }
    }

    /// Takes one request of `category` from the pool's quota (SPEC §7), for an operation
    /// the host serves itself with a verified token (GlobalSignOut, category
    /// `UserAuthentication`).
    ///
    /// # Errors
    /// `TooManyRequestsException`; `InternalErrorException` (poisoned limiter).
    pub fn check_quota(&self, pool: &UserPoolId, category: Category) -> Result<()> {
        self.limit(pool, category)
    }

    /// The prelude of a token refresh through `InitiateAuth` (`REFRESH_TOKEN_AUTH`), which
    /// the host serves with its tokens: the client, after one request from its pool's
    /// `UserAuthentication` quota, as for a password sign-in.
    ///
    /// # Errors
    /// `InvalidParameterException`, `ResourceNotFoundException` (`User pool client ... does
    /// not exist.`), `TooManyRequestsException`, `InternalErrorException`.
    pub fn refresh_client(&self, client_id: &str) -> Result<ClientRecord> {
        let mut v = Validator::new();
        let client_id = v.client_id(client_id);
        v.finish()?;
        let client_id = accepted(client_id)?;
        let (client, _) = self.client(&client_id, Category::UserAuthentication)?;
        Ok(client)
    }

    /// [`Self::refresh_client`] from an input validated once by
    /// [`InitiateAuthInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::refresh_client`].
    pub fn refresh_client_input(&self, input: &InitiateAuthInput) -> Result<ClientRecord> {
        let (client, _) = self.client(&input.client_id, Category::UserAuthentication)?;
        Ok(client)
    }

    /// [`Self::admin_refresh_client`] from an input validated once by
    /// [`AdminInitiateAuthInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_refresh_client`].
    pub fn admin_refresh_client_input(
        &self,
        caller: &Caller,
        input: &AdminInitiateAuthInput,
    ) -> Result<ClientRecord> {
        self.refresh_client_of(caller, &input.user_pool_id, &input.initiate.client_id)
    }

    /// The prelude of a token refresh through `AdminInitiateAuth`: the authoriser is asked
    /// for `AdminInitiateAuth`, one request is taken from the pool's `UserAuthentication`
    /// quota, and the client must belong to the pool.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException` (the authoriser refused),
    /// `TooManyRequestsException`, `ResourceNotFoundException` (pool, or a client not of
    /// this pool), `InternalErrorException`.
    pub fn admin_refresh_client(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
    ) -> Result<ClientRecord> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let client_id = v.client_id(client_id);
        v.finish()?;
        let (id, client_id) = (accepted(id)?, accepted(client_id)?);
        self.refresh_client_of(caller, &id, &client_id)
    }

    /// The admin refresh's prelude once its members are valid.
    fn refresh_client_of(
        &self,
        caller: &Caller,
        id: &UserPoolId,
        client_id: &str,
    ) -> Result<ClientRecord> {
        let pool = self.admin(
            caller,
            "AdminInitiateAuth",
            Category::UserAuthentication,
            id,
        )?;
        self.store.get_client(&pool.id, client_id)?.ok_or_else(|| {
            Error::ResourceNotFound(format!("User pool client {client_id} does not exist."))
        })
    }
}
