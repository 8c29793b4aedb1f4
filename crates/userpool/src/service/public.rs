//! Public operations: called by end users through an app client, with no authoriser
//! (SPEC §11), and the host's federated sign-in. Password sign-in is in `auth`.

use userpool_core::settings::AccountRecoverySetting;
use userpool_core::{AttributeWriter, Error, NotAuthorized, Result, UserRecord, transitions};

use super::inputs::{ClientUserInput, ConfirmForgotPasswordInput, ConfirmSignUpInput, SignUpInput};
use super::{
    CodeDeliveryDetails, FederatedSignIn, SignUpResult, UserDescription, UserPools, names,
};
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::store::{Store, UserKey};

impl<S: Store + ?Sized> UserPools<S> {
    /// **SignUp**: a new UNCONFIRMED user with a permanent password; a confirmation code
    /// goes to the [`crate::Delivery`].
    ///
    /// The username may not take a name another user is found by (SPEC §8): one equal to
    /// another user's username, listed alias value or `sub` is `UsernameExistsException`,
    /// and in a pool with the email (phone number) alias a username in email (phone)
    /// format is `InvalidParameterException` `Username cannot be of email format since
    /// user pool is configured for email alias.` (`... of phone number format ... phone
    /// number alias.`). An alias value in `attributes` equal to another user's name is
    /// `AliasExistsException`.
    ///
    /// In a pool with username attributes (`UsernameAttributes`), `username` must be an
    /// email address or phone number as the pool lists (else `InvalidParameterException`
    /// `Username should be an email.`, `... a phone number.`, `... either an email or a
    /// phone number.`); it is stored as the `email` (`phone_number`) attribute, the
    /// user's username is its `sub`, and a value another user is found by is
    /// `UsernameExistsException`. The user can sign in with the value before verifying
    /// it. See the `names` rules in SPEC §8 and [`userpool_store::keys`].
    ///
    /// # Errors
    /// `InvalidParameterException`, `ResourceNotFoundException` (client or pool),
    /// `TooManyRequestsException`, `InvalidPasswordException`, `UsernameExistsException`,
    /// `AliasExistsException`, `InternalErrorException`.
    pub fn sign_up(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<SignUpResult> {
        let input =
            SignUpInput::parse(Some(client_id), Some(username), Some(password), attributes)?;
        self.sign_up_input(&input)
    }

    /// **SignUp** from an input validated once by [`SignUpInput::parse`] (every member,
    /// missing ones included, reported together in Cognito's order).
    ///
    /// # Errors
    /// As [`UserPools::sign_up`].
    pub fn sign_up_input(&self, input: &SignUpInput) -> Result<SignUpResult> {
        let (name, password) = (input.username.clone(), &input.password);
        let mut attributes = input.attributes.clone();
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserCreation,
            input.username.as_str(),
            input.secret_hash.as_ref(),
        )?;
        if pool.settings.admin_create_user.allow_admin_create_user_only {
            return Err(NotAuthorized::SignUpNotPermitted.into());
        }
        let new_name = names::new_user_name(&pool, &name, &mut attributes)?;
        let mut attributes = pool
            .schema
            .validate_create(&attributes, AttributeWriter::User)?;
        let sub = self.chosen_sub(new_name)?;
        let answer = self.pre_sign_up(
            Some(&client),
            &pool,
            &sub.map_or_else(|| name.as_str().to_owned(), |s| s.to_string()),
            &attributes,
            userpool_core::triggers::PreSignUpSource::SignUp,
        )?;
        let auto_confirm = answer.auto_confirm_user;
        for (asked, attribute) in [
            (answer.auto_verify_email, "email"),
            (answer.auto_verify_phone, "phone_number"),
        ] {
            if asked && attributes.contains_key(attribute) {
                attributes.insert(format!("{attribute}_verified"), "true".into());
            }
        }
        // The code goes only to an attribute the pool auto-verifies (SPEC §16); with none,
        // or with PreSignUp's autoConfirmUser (SPEC §19), nothing is sent and the answer has
        // no CodeDeliveryDetails, as Cognito's.
        let destination = if auto_confirm {
            None
        } else {
            pool.settings.sign_up_code_destination(&attributes)
        };
        let rules = self.rules(&pool)?;
        let user = self
            .create(&pool, destination.is_some(), |ctx| {
                let (user, event) = transitions::sign_up(name, password, attributes, &rules, ctx)?;
                let user = names::name_new_user(new_name, user, sub, Some(password), &rules, ctx)?;
                if auto_confirm {
                    // PreSignUp's autoConfirmUser: confirmed at once, no code is sent.
                    return transitions::admin_confirm_sign_up(&user, ctx);
                }
                Ok((user, event))
            })
            .map_err(|e| names::creation_error(new_name, e))?;
        if auto_confirm {
            self.post_confirmation(
                Some(&client),
                &pool,
                &user,
                userpool_core::triggers::PostConfirmationSource::ConfirmSignUp,
            )?;
        }
        Ok(SignUpResult {
            user_confirmed: auto_confirm,
            user_sub: user.sub,
            code_delivery: destination
                .and_then(|attribute| CodeDeliveryDetails::for_attribute(&user, attribute)),
        })
    }

    /// The PreSignUp trigger (SPEC §19), when the pool has one: its refusal fails the
    /// sign-up (SignUp, or AdminCreateUser without an app client) before anything is
    /// written.
    pub(super) fn pre_sign_up(
        &self,
        client: Option<&ClientRecord>,
        pool: &PoolRecord,
        username: &str,
        attributes: &std::collections::BTreeMap<String, String>,
        source: userpool_core::triggers::PreSignUpSource,
    ) -> Result<userpool_core::triggers::PreSignUpAnswer> {
        use userpool_core::triggers::{PreSignUpEvent, Trigger, TriggerCaller};
        let Some((triggers, function)) = self.triggers_for(pool, Trigger::PreSignUp) else {
            return Ok(userpool_core::triggers::PreSignUpAnswer::default());
        };
        let input = super::trigger_input::current();
        let event = PreSignUpEvent {
            caller: TriggerCaller {
                user_pool_id: pool.id.as_str().to_owned(),
                client_id: client.map(|c| c.client_id.clone()),
                username: username.to_owned(),
                function,
                aws_sdk_version: super::trigger_input::current()
                    .aws_sdk_version()
                    .map(str::to_owned),
            },
            source,
            user_attributes: attributes.clone(),
            validation_data: input.validation_data().clone(),
            client_metadata: input.client_metadata().clone(),
        };
        Ok(triggers.pre_sign_up(&event)?)
    }

    /// The PostConfirmation trigger (SPEC §19), when the pool has one. It runs after the
    /// confirmation is written; its refusal is the operation's error, and the user stays
    /// confirmed **(decision: as Cognito, whose PostConfirmation runs after the change)**.
    pub(super) fn post_confirmation(
        &self,
        client: Option<&ClientRecord>,
        pool: &PoolRecord,
        user: &UserRecord,
        source: userpool_core::triggers::PostConfirmationSource,
    ) -> Result<()> {
        use userpool_core::triggers::{PostConfirmationEvent, Trigger, TriggerCaller};
        let Some((triggers, function)) = self.triggers_for(pool, Trigger::PostConfirmation) else {
            return Ok(());
        };
        let mut user_attributes = user.attributes.clone();
        user_attributes.insert("sub".into(), user.sub.to_string());
        user_attributes.insert("cognito:user_status".into(), user.status.to_string());
        let event = PostConfirmationEvent {
            caller: TriggerCaller {
                user_pool_id: pool.id.as_str().to_owned(),
                client_id: client.map(|c| c.client_id.clone()),
                username: user.username.as_str().to_owned(),
                function,
                aws_sdk_version: super::trigger_input::current()
                    .aws_sdk_version()
                    .map(str::to_owned),
            },
            source,
            user_attributes,
            client_metadata: super::trigger_input::current().client_metadata().clone(),
        };
        Ok(triggers.post_confirmation(&event)?)
    }

    /// **ConfirmSignUp**: UNCONFIRMED → CONFIRMED with the code sent at sign-up. A wrong
    /// code counts toward the user's limit of five wrong codes an hour, across resent codes,
    /// and that count is stored (SPEC §12).
    ///
    /// Where the client prevents user-existence errors, an unknown user gets
    /// `CodeMismatchException` (as Cognito answers), after a durable write of the cost a
    /// wrong code's bookkeeping has (SPEC §6).
    ///
    /// # Errors
    /// `InvalidParameterException`, `ResourceNotFoundException`, `TooManyRequestsException`,
    /// `UserNotFoundException` (unless prevented), `CodeMismatchException`,
    /// `ExpiredCodeException`, `LimitExceededException`, `NotAuthorizedException` (not
    /// UNCONFIRMED),
    /// `InternalErrorException`.
    pub fn confirm_sign_up(&self, client_id: &str, username: &str, code: &str) -> Result<()> {
        let input = ConfirmSignUpInput::parse(Some(client_id), Some(username), Some(code))?;
        self.confirm_sign_up_input(&input)
    }

    /// **ConfirmSignUp** from an input validated once by [`ConfirmSignUpInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::confirm_sign_up`].
    pub fn confirm_sign_up_input(&self, input: &ConfirmSignUpInput) -> Result<()> {
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserCreation,
            input.username.as_str(),
            input.secret_hash.as_ref(),
        )?;
        let rules = self.rules(&pool)?;
        let confirmed = self.transition(&pool, &input.username, |user, ctx| {
            transitions::confirm_sign_up(user, &input.code, &rules, ctx)
        });
        let user = self.hide_unknown_user_behind_code_mismatch(&client, &pool, confirmed)?;
        self.post_confirmation(
            Some(&client),
            &pool,
            &user,
            userpool_core::triggers::PostConfirmationSource::ConfirmSignUp,
        )
    }

    /// **ResendConfirmationCode**: a new sign-up code for an UNCONFIRMED user goes to the
    /// [`crate::Delivery`]; the previous code stops working. Codes count toward the
    /// per-user limit of SPEC §12 (five per hour, SignUp's included), and wrong attempts
    /// counted so far stay counted.
    ///
    /// As SignUp's, the code goes only to an attribute the pool auto-verifies (SPEC §16):
    /// the phone number, else the email, whichever the pool lists and the user has. A pool
    /// that auto-verifies nothing refuses, as Cognito does, before anything is read or
    /// issued. Returns where the code went, or `None` for a user with no value for an
    /// auto-verified attribute: the code is issued and nothing is sent, as SignUp does for
    /// such a user **(decision: SignUp issues a code to such a user, so resending does
    /// too)**. Where the client prevents user-existence errors, an unknown user gets a
    /// simulated answer and nothing is sent, as for [`UserPools::forgot_password`].
    ///
    /// # Errors
    /// `NotAuthorizedException` (`Cannot resend codes. Auto verification not turned on.`)
    /// for a pool without AutoVerifiedAttributes; `InvalidParameterException` (`User is
    /// already confirmed.` for a user in any status but UNCONFIRMED), `ResourceNotFoundException`,
    /// `TooManyRequestsException`,
    /// `UserNotFoundException` (unless prevented), `NotAuthorizedException` (`User is
    /// disabled.`), `LimitExceededException` (the issuance limit: nothing is issued or
    /// sent), `InternalErrorException`.
    pub fn resend_confirmation_code(
        &self,
        client_id: &str,
        username: &str,
    ) -> Result<Option<CodeDeliveryDetails>> {
        let input = ClientUserInput::parse(Some(client_id), Some(username))?;
        self.resend_confirmation_code_input(&input)
    }

    /// **ResendConfirmationCode** from an input validated once by
    /// [`ClientUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::resend_confirmation_code`].
    pub fn resend_confirmation_code_input(
        &self,
        input: &ClientUserInput,
    ) -> Result<Option<CodeDeliveryDetails>> {
        let name = &input.username;
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserCreation,
            input.username.as_str(),
            input.secret_hash.as_ref(),
        )?;
        if pool.settings.auto_verified_attributes.is_empty() {
            return Err(Error::NotAuthorized(NotAuthorized::AutoVerificationOff));
        }
        let rules = self.rules(&pool)?;
        let written = self.mutate(&pool, name, |user, ctx| {
            let (next, event) = transitions::resend_confirmation_code(user, &rules, ctx)?;
            Ok((Some(next), event))
        });
        match written {
            Ok((user, event)) => {
                let destination = pool.settings.sign_up_code_destination(&user.attributes);
                if destination.is_some() {
                    self.delivery.deliver(&pool.id, &user, &event);
                }
                Ok(destination
                    .and_then(|attribute| CodeDeliveryDetails::for_attribute(&user, attribute)))
            }
            Err(Error::UserNotFound) if client.prevent_user_existence_errors => {
                Ok(Some(simulated_delivery()))
            }
            Err(e) => Err(e),
        }
    }

    /// **ChangePassword**, by username and previous password (the wire layer maps the
    /// access token to the user): a CONFIRMED user sets a new password.
    ///
    /// # Errors
    /// `InvalidParameterException`, `ResourceNotFoundException`, `TooManyRequestsException`,
    /// `UserNotFoundException`, `NotAuthorizedException` (`Incorrect username or
    /// password.`), `InvalidPasswordException`, `PasswordHistoryPolicyViolationException`,
    /// `InternalErrorException`.
    pub fn change_password(
        &self,
        pool_id: &str,
        username: &str,
        previous_password: &str,
        proposed_password: &str,
    ) -> Result<()> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        let previous = v.password("previousPassword", previous_password);
        let proposed = v.password("proposedPassword", proposed_password);
        v.finish()?;
        let (id, name) = (accepted(id)?, accepted(name)?);
        let (previous, proposed) = (accepted(previous)?, accepted(proposed)?);
        self.change_password_of(&id, &name, &previous, &proposed)
    }

    /// [`Self::change_password`] once its members are valid.
    pub(super) fn change_password_of(
        &self,
        id: &userpool_core::UserPoolId,
        name: &userpool_core::Username,
        previous: &userpool_core::Password,
        proposed: &userpool_core::Password,
    ) -> Result<()> {
        self.limit(id, Category::UserAccountRecovery)?;
        let pool = self.pool(id)?;
        let rules = self.rules(&pool)?;
        self.transition(&pool, name, |user, ctx| {
            Ok(transitions::change_password(
                user, previous, proposed, &rules, ctx,
            )?)
        })?;
        Ok(())
    }

    /// **ForgotPassword**: a reset code for a CONFIRMED or RESET_REQUIRED user goes to the
    /// [`crate::Delivery`]. Where the client prevents user-existence errors, an unknown
    /// user gets a simulated answer and nothing is sent. A user with neither an email nor a
    /// phone number, whom no code could reach, is `InvalidParameterException` `Cannot
    /// reset password for the user as there is no registered/verified email or
    /// phone_number` (Cognito's answer, with or without that prevention), and no code is
    /// issued.
    ///
    /// At most five codes per user are issued in any hour, and reissuing keeps the count of
    /// wrong attempts (SPEC §12): past the limit the call is `LimitExceededException` and
    /// nothing is issued or sent.
    ///
    /// # Errors
    /// `InvalidParameterException` (also: nowhere to send the code),
    /// `ResourceNotFoundException`, `TooManyRequestsException`,
    /// `UserNotFoundException`, `NotAuthorizedException` (`User is disabled.`, or the
    /// status allows no reset), `LimitExceededException`, `InternalErrorException`.
    pub fn forgot_password(&self, client_id: &str, username: &str) -> Result<CodeDeliveryDetails> {
        let input = ClientUserInput::parse(Some(client_id), Some(username))?;
        self.forgot_password_input(&input)
    }

    /// **ForgotPassword** from an input validated once by [`ClientUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::forgot_password`].
    pub fn forgot_password_input(&self, input: &ClientUserInput) -> Result<CodeDeliveryDetails> {
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserAccountRecovery,
            input.username.as_str(),
            input.secret_hash.as_ref(),
        )?;
        if pool
            .settings
            .account_recovery
            .as_ref()
            .is_some_and(AccountRecoverySetting::admin_only)
        {
            return Err(NotAuthorized::AdminOnlyRecovery.into());
        }
        self.forgot_password_once(&client, &pool, &input.username, true)
    }

    /// [`Self::forgot_password`]; `may_migrate` lets an unknown user go through the
    /// UserMigration trigger (`UserMigration_ForgotPassword`, SPEC §19), once.
    fn forgot_password_once(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        name: &userpool_core::Username,
        may_migrate: bool,
    ) -> Result<CodeDeliveryDetails> {
        let rules = self.rules(pool)?;
        match self.transition(pool, name, |user, ctx| {
            let reset = transitions::forgot_password(user, &rules, ctx)?;
            // Checked after the status rules (a disabled user still hears so), and before
            // anything is written: a code no one can receive is never issued.
            if recovery_destination(pool, user).is_none() {
                return Err(Error::InvalidParameterMessage(
                    "Cannot reset password for the user as there is no registered/verified email or phone_number".into(),
                )
                .into());
            }
            Ok(reset)
        }) {
            Ok(user) => Ok(recovery_destination(pool, &user).unwrap_or_else(simulated_delivery)),
            Err(Error::UserNotFound) if may_migrate && self.migrate(client, pool, name, None)? => {
                self.forgot_password_once(client, pool, name, false)
            }
            Err(Error::UserNotFound) if client.prevent_user_existence_errors => {
                Ok(simulated_delivery())
            }
            Err(e) => Err(e),
        }
    }

    /// **ConfirmForgotPassword**: with the reset code, CONFIRMED or RESET_REQUIRED →
    /// CONFIRMED with the new password. A wrong code counts toward the user's limit of five
    /// wrong codes an hour, across reissued codes (SPEC §12).
    ///
    /// Where the client prevents user-existence errors, an unknown user gets
    /// `CodeMismatchException`, as for [`UserPools::confirm_sign_up`].
    ///
    /// # Errors
    /// `InvalidParameterException`, `ResourceNotFoundException`, `TooManyRequestsException`,
    /// `UserNotFoundException` (unless prevented), `CodeMismatchException`,
    /// `ExpiredCodeException`, `LimitExceededException`, `InvalidPasswordException`,
    /// `PasswordHistoryPolicyViolationException`, `NotAuthorizedException`,
    /// `InternalErrorException`; the PostConfirmation trigger's errors (SPEC §19,
    /// `PostConfirmation_ConfirmForgotPassword`, after the password is set).
    pub fn confirm_forgot_password(
        &self,
        client_id: &str,
        username: &str,
        code: &str,
        password: &str,
    ) -> Result<()> {
        let input = ConfirmForgotPasswordInput::parse(
            Some(client_id),
            Some(username),
            Some(code),
            Some(password),
        )?;
        self.confirm_forgot_password_input(&input)
    }

    /// **ConfirmForgotPassword** from an input validated once by
    /// [`ConfirmForgotPasswordInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::confirm_forgot_password`].
    pub fn confirm_forgot_password_input(&self, input: &ConfirmForgotPasswordInput) -> Result<()> {
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserAccountRecovery,
            input.username.as_str(),
            input.secret_hash.as_ref(),
        )?;
        let rules = self.rules(&pool)?;
        let confirmed = self.transition(&pool, &input.username, |user, ctx| {
            transitions::confirm_forgot_password(user, &input.code, &input.password, &rules, ctx)
        });
        let user = self.hide_unknown_user_behind_code_mismatch(&client, &pool, confirmed)?;
        // Cognito runs PostConfirmation after a reset too; as after ConfirmSignUp, the new
        // password stays set if the trigger refuses.
        self.post_confirmation(
            Some(&client),
            &pool,
            &user,
            userpool_core::triggers::PostConfirmationSource::ConfirmForgotPassword,
        )
    }

    /// A code operation's answer as the client may see it: where the client prevents
    /// user-existence errors, `UserNotFoundException` becomes `CodeMismatchException`
    /// (`Invalid verification code provided, please try again.`, Cognito's answer to a code
    /// for an unknown user), after [`Store::decoy_write`] so that the answer costs what a
    /// wrong code's stored bookkeeping costs (SPEC §6).
    fn hide_unknown_user_behind_code_mismatch<T>(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        answer: Result<T>,
    ) -> Result<T> {
        match answer {
            Err(Error::UserNotFound) if client.prevent_user_existence_errors => {
                self.store.decoy_write(&pool.id)?;
                Err(Error::CodeMismatch)
            }
            answer => answer,
        }
    }

    /// The host's call for a federated sign-in (it verified the identity provider's token
    /// itself): the first time, creates an EXTERNAL_PROVIDER user without a password;
    /// afterwards, returns the existing user. Not a Cognito operation, so no authoriser.
    ///
    /// `username` is the federated identity's own name, as Cognito forms it
    /// (`<ProviderName>_<subject>`, e.g. `Google_1234567890`), and it is matched **only as a
    /// username**: never as an alias value or a `sub`, which other users choose or are given.
    /// Otherwise an identity whose name equalled someone's `preferred_username` would sign in
    /// as that user. A name that is another user's alias value or `sub` is refused.
    ///
    /// # Errors
    /// `InvalidParameterException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `UsernameExistsException` (the name is another user's alias value or `sub`),
    /// `AliasExistsException`, `InternalErrorException`.
    pub fn federated_sign_in(
        &self,
        pool_id: &str,
        username: &str,
        attributes: &[(&str, &str)],
    ) -> Result<FederatedSignIn> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        let attributes = v.attributes("userAttributes", attributes);
        v.finish()?;
        let (id, name, attributes) = (accepted(id)?, accepted(name)?, accepted(attributes)?);
        self.limit(&id, Category::UserAuthentication)?;
        let pool = self.pool(&id)?;
        let by_username = || {
            self.store
                .find_user(&pool.id, UserKey::Username(name.as_str()))
        };
        let existing = |user: &UserRecord| FederatedSignIn {
            user: UserDescription::from(user),
            created: false,
        };
        if let Some(user) = by_username()? {
            return Ok(existing(&user));
        }
        let created = self.create(&pool, true, |ctx| {
            transitions::external_provider_sign_in(name.clone(), attributes.clone(), ctx)
        });
        match created {
            Ok(user) => Ok(FederatedSignIn {
                user: UserDescription::from(&user),
                created: true,
            }),
            // Either another sign-in of the same identity created it meanwhile (found now),
            // or the name belongs to another user as an alias value or `sub` (refused).
            Err(Error::UsernameExists) => match by_username()? {
                Some(user) => Ok(existing(&user)),
                None => Err(Error::UsernameExists),
            },
            Err(e) => Err(e),
        }
    }
}

/// The answer given in place of an unknown user's (or an undeliverable) code delivery where
/// the client prevents user-existence errors.
/// Where ForgotPassword sends the code: with an `AccountRecoverySetting`, the first listed
/// channel (by priority) the user has a value for; without one, the email, else the phone
/// number (SPEC §16).
fn recovery_destination(pool: &PoolRecord, user: &UserRecord) -> Option<CodeDeliveryDetails> {
    use userpool_core::VerifiableAttribute;
    use userpool_core::settings::RecoveryOption;
    match &pool.settings.account_recovery {
        None => CodeDeliveryDetails::for_user(user),
        Some(setting) => setting
            .mechanisms()
            .iter()
            .find_map(|(option, _)| match option {
                RecoveryOption::VerifiedEmail => {
                    CodeDeliveryDetails::for_attribute(user, VerifiableAttribute::Email)
                }
                RecoveryOption::VerifiedPhoneNumber => {
                    CodeDeliveryDetails::for_attribute(user, VerifiableAttribute::PhoneNumber)
                }
                RecoveryOption::AdminOnly => None,
            }),
    }
}

fn simulated_delivery() -> CodeDeliveryDetails {
    CodeDeliveryDetails {
        destination: "***".into(),
        delivery_medium: "EMAIL",
        attribute_name: "email",
    }
}
