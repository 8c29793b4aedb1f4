//! The operations that issue, refresh, read and revoke tokens (feature `jwt`): a sign-in's
//! tokens, `REFRESH_TOKEN_AUTH`, and what an access token lets its user do (GetUser,
//! ChangePassword, GlobalSignOut). Every Cognito decision of these flows is here: the
//! client and its `SECRET_HASH`, the user's existence and `Enabled` flag, the quotas and
//! limits, revocation; the host only frames requests.

use userpool_core::{Cause, Error, Internal, NotAuthorized, Result, UserPoolId, Username};

use super::CodeDeliveryDetails;
use super::UserPools;
use super::inputs::{
    AdminUserInput, ChangePasswordInput, DeleteUserAttributesInput, SecretText,
    UpdateUserAttributesInput, UserAttributeCodeInput,
};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::secret_hash;
use crate::service::types::{AuthenticatedUser, UserDescription};
use crate::tokens::{AccessClaims, Issued, Tokens};
use userpool_store::pool::ClientRecord;
use userpool_store::store::{Store, UserKey};

impl<S: Store + ?Sized> UserPools<S> {
    /// The tokens the service was built with ([`crate::UserPoolsBuilder::tokens`]).
    ///
    /// # Errors
    /// `InternalErrorException` when the host built the service without tokens (a host bug).
    pub fn tokens(&self) -> Result<&Tokens> {
        self.tokens.as_deref().ok_or_else(|| {
            Error::Internal(Internal::Bug(Cause::new(
                "a token operation on a service built without tokens",
            )))
        })
    }

    /// The tokens of a completed sign-in ([`crate::AuthResult::Authenticated`]): a new
    /// session with its refresh token.
    ///
    /// # Errors
    /// `ResourceNotFoundException`, `UserNotFoundException` (deleted meanwhile),
    /// `InternalErrorException`.
    pub fn issue_tokens(&self, who: &AuthenticatedUser) -> Result<Issued> {
        self.tokens()?
            .issue_after(&who.pool_id, &who.client_id, &who.user, who.token_source)
    }

    /// **REFRESH_TOKEN_AUTH** after the door's prelude ([`UserPools::refresh_client`] or
    /// [`UserPools::admin_refresh_client`]): new access and id tokens from `refresh_token`,
    /// for a user who still exists and is enabled. The token's user is limited as a
    /// username is (SPEC §13); a client with a secret needs `SECRET_HASH`, computed over
    /// the username or the `sub` (Cognito accepts either).
    ///
    /// # Errors
    /// `NotAuthorizedException` (`Invalid Refresh Token`, `Refresh Token has been revoked`,
    /// `Refresh Token has expired`, `User is disabled.`, the `SECRET_HASH` refusals),
    /// `TooManyRequestsException`, `InternalErrorException`.
    pub fn refresh_tokens(
        &self,
        client: &ClientRecord,
        refresh_token: &str,
        secret_hash: Option<&str>,
    ) -> Result<Issued> {
        let tokens = self.tokens()?;
        let session =
            tokens.session_for_refresh(&client.pool_id, &client.client_id, refresh_token)?;
        self.limit_username(&client.client_id, &session.sub.to_string())?;
        let user = self
            .store
            .find_user(&client.pool_id, UserKey::Sub(session.sub))?
            .map(|user| UserDescription::from(&user))
            // The session outlived its user (deleted): as good as revoked.
            .ok_or(Error::NotAuthorized(NotAuthorized::RevokedRefreshToken))?;
        if client.secret.is_some() {
            secret_hash::check(client, &user.username, secret_hash)
                .or_else(|_| secret_hash::check(client, &user.sub.to_string(), secret_hash))?;
        }
        if !user.enabled {
            return Err(NotAuthorized::UserDisabled.into());
        }
        tokens.reissue(&session, &user)
    }

    /// What a valid access token for the user's own operations says (its signature,
    /// expiry and session checked, and the `aws.cognito.signin.user.admin` scope every
    /// token from InitiateAuth carries and an OAuth token carries only when granted).
    ///
    /// # Errors
    /// `NotAuthorizedException` (`Invalid Access Token`, `Access Token has expired`,
    /// `Access Token has been revoked`, `Access Token does not have required scopes`),
    /// `InternalErrorException`.
    pub fn verify_access_token(&self, access_token: &str) -> Result<AccessClaims> {
        self.tokens()?.verify_user_access(access_token)
    }

    /// **GetUser**: the access token's user.
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`], and `TooManyRequestsException`,
    /// `UserNotFoundException`.
    pub fn get_user(&self, access_token: &str) -> Result<UserDescription> {
        let claims = self.verify_access_token(access_token)?;
        self.get_user_by_sub(claims.pool_id.as_str(), claims.sub)
    }

    /// **ChangePassword**: the access token names the user; the previous password proves
    /// it.
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] and [`UserPools::change_password`].
    pub fn change_password_with_token(
        &self,
        access_token: &str,
        previous_password: &str,
        proposed_password: &str,
    ) -> Result<()> {
        let input = ChangePasswordInput::parse(
            Some(previous_password),
            Some(proposed_password),
            Some(access_token),
        )?;
        self.change_password_input(&input)
    }

    /// **ChangePassword** from an input validated once by [`ChangePasswordInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::change_password_with_token`].
    pub fn change_password_input(&self, input: &ChangePasswordInput) -> Result<()> {
        let (id, name) = self.access_token_user(&input.access_token)?;
        self.change_password_of(
            &id,
            &name,
            &input.previous_password,
            &input.proposed_password,
        )
    }

    /// **UpdateUserAttributes** with the access token: the token's user writes their own
    /// attributes, as [`UserPools::update_user_attributes`].
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] and [`UserPools::update_user_attributes`].
    pub fn update_user_attributes_input(
        &self,
        input: &UpdateUserAttributesInput,
    ) -> Result<Vec<CodeDeliveryDetails>> {
        let (id, name) = self.access_token_user(&input.access_token)?;
        self.update_user_attributes_of(&id, &name, &input.attributes)
    }

    /// **DeleteUserAttributes** with the access token, as
    /// [`UserPools::delete_user_attributes`].
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] and [`UserPools::delete_user_attributes`].
    pub fn delete_user_attributes_input(&self, input: &DeleteUserAttributesInput) -> Result<()> {
        let (id, name) = self.access_token_user(&input.access_token)?;
        self.delete_user_attributes_of(&id, &name, &input.names)
    }

    /// **GetUserAttributeVerificationCode** with the access token (the input's `code` is
    /// not used), as [`UserPools::get_user_attribute_verification_code`].
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] and
    /// [`UserPools::get_user_attribute_verification_code`].
    pub fn get_user_attribute_verification_code_input(
        &self,
        input: &UserAttributeCodeInput,
    ) -> Result<Option<CodeDeliveryDetails>> {
        let (id, name) = self.access_token_user(&input.access_token)?;
        self.get_user_attribute_verification_code_of(&id, &name, &input.attribute_name)
    }

    /// **VerifyUserAttribute** with the access token, as
    /// [`UserPools::verify_user_attribute`].
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`] and [`UserPools::verify_user_attribute`];
    /// `InvalidParameterException` for an input without a code.
    pub fn verify_user_attribute_input(&self, input: &UserAttributeCodeInput) -> Result<()> {
        let Some(code) = &input.code else {
            return Err(Error::invalid_parameter(
                "code",
                userpool_core::Constraint::Missing,
            ));
        };
        let (id, name) = self.access_token_user(&input.access_token)?;
        self.verify_user_attribute_of(&id, &name, &input.attribute_name, code)
    }

    /// The pool and the user a valid access token names.
    fn access_token_user(&self, token: &SecretText) -> Result<(UserPoolId, Username)> {
        let claims = self.verify_access_token(token.expose())?;
        let name = Username::parse(&claims.username)?;
        Ok((claims.pool_id, name))
    }

    /// **GlobalSignOut**: revokes every session of the token's user, so their refresh
    /// tokens stop working and the access tokens issued from them (this one included)
    /// stop verifying. One request from the pool's `UserAuthentication` quota (SPEC §7).
    ///
    /// # Errors
    /// As [`UserPools::verify_access_token`], and `TooManyRequestsException`.
    pub fn global_sign_out(&self, access_token: &str) -> Result<()> {
        let claims = self.verify_access_token(access_token)?;
        self.limit(&claims.pool_id, Category::UserAuthentication)?;
        self.revoke_sessions(&claims.pool_id, claims.sub)
    }

    /// **AdminUserGlobalSignOut**: revokes every session of the user.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException` (the authoriser refused),
    /// `TooManyRequestsException`, `ResourceNotFoundException`, `UserNotFoundException`,
    /// `InternalErrorException`.
    pub fn admin_user_global_sign_out(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
    ) -> Result<()> {
        let input = AdminUserInput::parse(Some(pool_id), Some(username))?;
        self.admin_user_global_sign_out_input(caller, &input)
    }

    /// **AdminUserGlobalSignOut** from an input validated once by
    /// [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_user_global_sign_out`].
    pub fn admin_user_global_sign_out_input(
        &self,
        caller: &Caller,
        input: &AdminUserInput,
    ) -> Result<()> {
        let (action, category) = ("AdminUserGlobalSignOut", Category::UserUpdate);
        let pool = self.admin_user(caller, action, category, input)?;
        let user = self
            .find_user(&pool, &input.username)?
            .ok_or(Error::UserNotFound)?;
        self.revoke_sessions(&pool.id, user.sub)
    }
}
