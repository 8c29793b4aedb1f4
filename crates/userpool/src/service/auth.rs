//! Sign-in (SPEC §6), by the end user through an app client (`InitiateAuth`,
//! `RespondToAuthChallenge`) and by a trusted back end on the user's behalf
//! (`AdminInitiateAuth`, `AdminRespondToAuthChallenge`). Both doors lead to one body each,
//! so lockout bookkeeping, the unknown-user decoy and the order of checks cannot drift
//! apart; the admin door adds the authoriser and requires the client to be the pool's.
//!
//! Here: the password flows, the sign-in body they share (lockout, triggers, migration)
//! and the binding of an open challenge to its client. The challenge answers live beside
//! it: NEW_PASSWORD_REQUIRED in `new_password`, the MFA challenges in `mfa_challenge`,
//! PASSWORD_VERIFIER in `srp`.

use std::collections::BTreeMap;

use userpool_core::{
    Constraint, Error, Event, NotAuthorized, Password, Result, SignInOutcome, UserPoolId,
    UserRecord, Username, signin, transitions,
};
use uuid::Uuid;

use super::inputs::{AdminInitiateAuthInput, InitiateAuthInput, parse_with};
use super::new_password::missing_required;
use super::{AuthResult, AuthenticatedUser, UserDescription, UserPools, check_secret_hash, names};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::store::{Store, UserKey};

/// The `AuthFlow` of `InitiateAuth` this library implements.
const USER_PASSWORD_AUTH: &str = "USER_PASSWORD_AUTH";

/// The `AuthFlow`s of `AdminInitiateAuth` this library implements: the same flow under
/// its current and its legacy name.
const ADMIN_PASSWORD_FLOWS: &[&str] = &["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"];

/// The client settings (`ExplicitAuthFlows`) that enable `USER_PASSWORD_AUTH`: the
/// current name and the legacy one.
const ENABLES_USER_PASSWORD: &[&str] = &["ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"];

/// The client settings that enable the admin password flow: the current name and the
/// legacy one.
const ENABLES_ADMIN_PASSWORD: &[&str] = &["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"];

impl<S: Store + ?Sized> UserPools<S> {
    /// **InitiateAuth** with `USER_PASSWORD_AUTH` (SPEC §6): authenticated, or the
    /// NEW_PASSWORD_REQUIRED challenge for a temporary password. The client must allow
    /// the flow (`ALLOW_USER_PASSWORD_AUTH`, or the legacy `USER_PASSWORD_AUTH`). Failed
    /// attempts are recorded on the user (the lockout survives restarts). An unknown user
    /// costs the same hash as a known one and fails with `UserNotFoundException`, or with
    /// `NotAuthorizedException` `Incorrect username or password.` when the client prevents
    /// user-existence errors.
    ///
    /// # Errors
    /// `InvalidParameterException` (also for another flow, or `Auth flow not enabled for
    /// this client`), `ResourceNotFoundException`, `TooManyRequestsException`,
    /// `UserNotFoundException`, `NotAuthorizedException`, `UserNotConfirmedException`,
    /// `PasswordResetRequiredException`, `InternalErrorException`.
    pub fn initiate_auth(
        &self,
        client_id: &str,
        auth_flow: &str,
        username: &str,
        password: &str,
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let client_id = v.client_id(client_id);
        let (name, password) = credentials(&mut v, username, password);
        v.finish()?;
        let input = InitiateAuthInput {
            client_id: accepted(client_id)?,
            auth_flow: auth_flow.to_owned(),
            secret_hash: None,
        };
        self.password_sign_in(&input, &accepted(name)?, &accepted(password)?)
    }

    /// **InitiateAuth** with `USER_PASSWORD_AUTH` from an input validated once by
    /// [`InitiateAuthInput::parse`], with the flow's `USERNAME` and `PASSWORD`.
    ///
    /// # Errors
    /// As [`UserPools::initiate_auth`].
    pub fn initiate_auth_input(
        &self,
        input: &InitiateAuthInput,
        username: &str,
        password: &str,
    ) -> Result<AuthResult> {
        let (name, password) = checked_credentials(username, password)?;
        self.password_sign_in(input, &name, &password)
    }

    fn password_sign_in(
        &self,
        input: &InitiateAuthInput,
        name: &Username,
        password: &Password,
    ) -> Result<AuthResult> {
        let auth_flow = &input.auth_flow;
        if auth_flow != USER_PASSWORD_AUTH {
            return Err(Error::InvalidParameterMessage(format!(
                "Unsupported auth flow: {auth_flow}. Only USER_PASSWORD_AUTH is implemented."
            )));
        }
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserAuthentication,
            name.as_str(),
            input.secret_hash.as_ref(),
        )?;
        require_flow(&client, ENABLES_USER_PASSWORD)?;
        self.sign_in(&client, &pool, name, password)
    }

    /// **AdminInitiateAuth** with `ADMIN_USER_PASSWORD_AUTH` (or its legacy name
    /// `ADMIN_NO_SRP_AUTH`): a trusted back end signs a user in with the password it was
    /// given. The authoriser is asked for `AdminInitiateAuth`; the client must belong to
    /// the pool and allow the flow (`ALLOW_ADMIN_USER_PASSWORD_AUTH`, or the legacy
    /// `ADMIN_NO_SRP_AUTH`). Then exactly [`UserPools::initiate_auth`]'s sign-in: the same
    /// checks in the same order, the same lockout (failures through either door count
    /// toward it), the same unknown-user decoy.
    ///
    /// # Errors
    /// `InvalidParameterException` (also for another flow, or `Auth flow not enabled for
    /// this client`), `NotAuthorizedException` (the authoriser refused, or as
    /// [`UserPools::initiate_auth`]), `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool, or a client not of this pool),
    /// `UserNotFoundException`, `UserNotConfirmedException`,
    /// `PasswordResetRequiredException`, `InternalErrorException`.
    pub fn admin_initiate_auth(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
        auth_flow: &str,
        username: &str,
        password: &str,
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let client_id = v.client_id(client_id);
        let (name, password) = credentials(&mut v, username, password);
        v.finish()?;
        let input = AdminInitiateAuthInput {
            user_pool_id: accepted(id)?,
            initiate: InitiateAuthInput {
                client_id: accepted(client_id)?,
                auth_flow: auth_flow.to_owned(),
                secret_hash: None,
            },
        };
        self.admin_password_sign_in(caller, &input, &accepted(name)?, &accepted(password)?)
    }

    /// **AdminInitiateAuth** with `ADMIN_USER_PASSWORD_AUTH` (or `ADMIN_NO_SRP_AUTH`) from
    /// an input validated once by [`AdminInitiateAuthInput::parse`], with the flow's
    /// `USERNAME` and `PASSWORD`.
    ///
    /// # Errors
    /// As [`UserPools::admin_initiate_auth`].
    pub fn admin_initiate_auth_input(
        &self,
        caller: &Caller,
        input: &AdminInitiateAuthInput,
        username: &str,
        password: &str,
    ) -> Result<AuthResult> {
        let (name, password) = checked_credentials(username, password)?;
        self.admin_password_sign_in(caller, input, &name, &password)
    }

    fn admin_password_sign_in(
        &self,
        caller: &Caller,
        input: &AdminInitiateAuthInput,
        name: &Username,
        password: &Password,
    ) -> Result<AuthResult> {
        let auth_flow = input.initiate.auth_flow.as_str();
        if !ADMIN_PASSWORD_FLOWS.contains(&auth_flow) {
            return Err(Error::InvalidParameterMessage(format!(
                "Unsupported auth flow: {auth_flow}. Only ADMIN_USER_PASSWORD_AUTH \
                 (ADMIN_NO_SRP_AUTH) is implemented."
            )));
        }
        let (client, pool) = self.admin_client(
            caller,
            "AdminInitiateAuth",
            Category::UserAuthentication,
            &input.user_pool_id,
            &input.initiate.client_id,
        )?;
        check_secret_hash(&client, name.as_str(), input.initiate.secret_hash.as_ref())?;
        require_flow(&client, ENABLES_ADMIN_PASSWORD)?;
        self.sign_in(&client, &pool, name, password)
    }

    /// The user with this `sub`, for a host that holds a verified token (`GetUser`, a token
    /// refresh): the token already proved who is asking, so no authoriser is asked. Rate
    /// category `UserRead`.
    ///
    /// # Errors
    /// `InvalidParameterException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException` (the user was deleted since the
    /// token was issued), `InternalErrorException`.
    pub fn get_user_by_sub(&self, pool_id: &str, sub: Uuid) -> Result<UserDescription> {
        let id = UserPoolId::parse(pool_id)?;
        self.limit(&id, Category::UserRead)?;
        let pool = self.pool(&id)?;
        self.store
            .find_user(&pool.id, UserKey::Sub(sub))?
            .map(|user| UserDescription::from(&user))
            .ok_or(Error::UserNotFound)
    }

    /// The admin prelude for an operation naming a pool and one of its clients: authorise,
    /// rate-limit, resolve the pool, then the client within that pool (a client of another
    /// pool is `ResourceNotFoundException`, as Cognito answers).
    pub(super) fn admin_client(
        &self,
        caller: &Caller,
        action: &str,
        category: Category,
        pool: &UserPoolId,
        client_id: &str,
    ) -> Result<(ClientRecord, PoolRecord)> {
        let pool = self.admin(caller, action, category, pool)?;
        let client = self.store.get_client(&pool.id, client_id)?.ok_or_else(|| {
            Error::ResourceNotFound(format!("User pool client {client_id} does not exist."))
        })?;
        Ok((client, pool))
    }

    /// [`Self::admin_client`] for AdminRespondToAuthChallenge, whatever the challenge: the
    /// authoriser asked for `AdminRespondToAuthChallenge`, counted as a sign-in step.
    pub(super) fn admin_challenge_client(
        &self,
        caller: &Caller,
        pool: &UserPoolId,
        client_id: &str,
    ) -> Result<(ClientRecord, PoolRecord)> {
        let (action, category) = ("AdminRespondToAuthChallenge", Category::UserAuthentication);
        self.admin_client(caller, action, category, pool, client_id)
    }

    /// The sign-in both doors share (SPEC §6): the core decision under compare-and-swap,
    /// its bookkeeping written even when it refuses, and for an unknown user the same
    /// hash and the same durable write as a recorded failure.
    pub(super) fn sign_in(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        name: &Username,
        password: &Password,
    ) -> Result<AuthResult> {
        self.sign_in_once(client, pool, name, password, true)
    }

    /// [`Self::sign_in`]; `may_migrate` lets an unknown user go through the UserMigration
    /// trigger, once.
    fn sign_in_once(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        name: &Username,
        password: &Password,
        may_migrate: bool,
    ) -> Result<AuthResult> {
        self.pre_authentication(client, pool, name)?;
        let rules = self.rules(pool)?;
        let signed = self.mutate(pool, name, |user, ctx| {
            let signed = signin::sign_in(user, password, &rules, ctx)?;
            let record = bind_challenge(user, signed.record.map(|r| *r), &signed.outcome, client);
            Ok((record, signed.outcome))
        });
        match signed {
            Ok((user, outcome)) => self.signed_in(client, pool, &user, outcome),
            Err(Error::UserNotFound)
                if may_migrate && self.migrate(client, pool, name, Some(password))? =>
            {
                // The old system knew the user: they exist now, with this password.
                self.sign_in_once(client, pool, name, password, false)
            }
            Err(Error::UserNotFound) => {
                let refusal = signin::sign_in_unknown_user(
                    password,
                    &rules,
                    client.prevent_user_existence_errors,
                );
                // Cost what a recorded failure costs (SPEC §6): see `Store::decoy_write`.
                // A sign-in refused for want of a hashing permit records nothing for a known
                // user (SPEC §13), so the decoy writes nothing either.
                if refusal != Error::HashingBusy {
                    self.store.decoy_write(&pool.id)?;
                }
                Err(refusal)
            }
            Err(e) => Err(e),
        }
    }

    /// PreAuthentication (SPEC §19) for a known user, before the password (or SRP's
    /// challenge) is looked at: its refusal costs the user no failed attempt. An unknown
    /// name passes, to meet the sign-in's own unknown-user answer.
    pub(super) fn pre_authentication(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        name: &Username,
    ) -> Result<()> {
        use userpool_core::triggers::Trigger;
        if self
            .triggers_for(pool, Trigger::PreAuthentication)
            .is_none()
        {
            return Ok(());
        }
        match self.resolve(pool, name) {
            Ok(user) => {
                self.authentication_trigger(Trigger::PreAuthentication, client, pool, &user)
            }
            Err(Error::UserNotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Runs PreAuthentication or PostAuthentication (SPEC §19) for `user`, when the pool
    /// has it.
    fn authentication_trigger(
        &self,
        trigger: userpool_core::Trigger,
        client: &ClientRecord,
        pool: &PoolRecord,
        user: &UserRecord,
    ) -> Result<()> {
        use userpool_core::triggers::{AuthenticationEvent, Trigger, TriggerCaller};
        let Some((triggers, function)) = self.triggers_for(pool, trigger) else {
            return Ok(());
        };
        let input = super::trigger_input::current();
        let mut user_attributes = user.attributes.clone();
        user_attributes.insert("sub".into(), user.sub.to_string());
        user_attributes.insert("cognito:user_status".into(), user.status.to_string());
        let event = AuthenticationEvent {
            caller: TriggerCaller {
                user_pool_id: pool.id.as_str().to_owned(),
                client_id: Some(client.client_id.clone()),
                username: user.username.as_str().to_owned(),
                function,
                aws_sdk_version: super::trigger_input::current()
                    .aws_sdk_version()
                    .map(str::to_owned),
            },
            user_attributes,
            // Each gets its own field only (see `trigger_input`'s table).
            validation_data: match trigger {
                Trigger::PreAuthentication => input.validation_data().clone(),
                _ => BTreeMap::new(),
            },
            client_metadata: match trigger {
                Trigger::PostAuthentication => input.client_metadata().clone(),
                _ => BTreeMap::new(),
            },
        };
        match trigger {
            Trigger::PreAuthentication => triggers.pre_authentication(&event)?,
            Trigger::PostAuthentication => triggers.post_authentication(&event)?,
            _ => {}
        }
        Ok(())
    }

    /// UserMigration (SPEC §19): asks the pool's trigger about a username no user has;
    /// when the old system knows it, creates the user with its answered attributes
    /// (validated like any write) and, at sign-in (`UserMigration_Authentication`), the
    /// password just typed; for ForgotPassword (no password) the user is RESET_REQUIRED.
    /// `Ok(false)` when the pool has no such trigger or the old system does not know the
    /// user.
    pub(super) fn migrate(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        name: &Username,
        password: Option<&Password>,
    ) -> Result<bool> {
        use userpool_core::triggers::{
            MigratedStatus, MigrationSource, Trigger, TriggerCaller, UserMigrationEvent,
        };
        let Some((triggers, function)) = self.triggers_for(pool, Trigger::UserMigration) else {
            return Ok(false);
        };
        let input = super::trigger_input::current();
        let event = UserMigrationEvent {
            caller: TriggerCaller {
                user_pool_id: pool.id.as_str().to_owned(),
                client_id: Some(client.client_id.clone()),
                username: name.as_str().to_owned(),
                function,
                aws_sdk_version: super::trigger_input::current()
                    .aws_sdk_version()
                    .map(str::to_owned),
            },
            source: if password.is_some() {
                MigrationSource::Authentication
            } else {
                MigrationSource::ForgotPassword
            },
            password: password.cloned(),
            validation_data: input.validation_data().clone(),
            client_metadata: input.client_metadata().clone(),
        };
        let Some(answer) = triggers.user_migration(&event)? else {
            return Ok(false);
        };
        // The answer is untrusted input: the same checks as AdminCreateUser's attributes.
        let pairs: Vec<(&str, &str)> = answer
            .user_attributes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut v = crate::validate::Validator::new();
        let attributes = v.attributes("userAttributes", &pairs);
        v.finish()?;
        let mut attributes = crate::validate::accepted(attributes)?;
        if attributes.remove("sub").is_some() {
            return Err(userpool_core::TriggerError::InvalidResponse {
                trigger: Trigger::UserMigration,
            }
            .into());
        }
        let rules = self.rules(pool)?;
        let new_name = names::new_user_name(pool, name, &mut attributes)?;
        // The pool's attribute schema (SPEC §16), as for any new user: the old system's
        // answer cannot store what AdminCreateUser would refuse.
        let attributes = pool
            .schema
            .validate_create(&attributes, userpool_core::AttributeWriter::Administrator)?;
        let reset = answer.final_user_status == Some(MigratedStatus::ResetRequired);
        self.create(pool, false, |ctx| {
            let user =
                transitions::migrate_user(name.clone(), attributes, password, reset, &rules, ctx)?;
            let user = names::name_new_user(new_name, user, None, password, &rules, ctx)?;
            Ok((user, Event::UserImported))
        })
        .map_err(|e| names::creation_error(new_name, e))?;
        Ok(true)
    }

    /// What a sign-in step led to, for the client: tokens (the host issues them), or a
    /// challenge. An MFA challenge's SMS code goes to the delivery here.
    ///
    /// Every door that ends a sign-in (password, SRP's answer, the NEW_PASSWORD_REQUIRED
    /// answer, an MFA answer, the hosted page) comes through here, so PostAuthentication
    /// (SPEC §19) runs here, once, when the user is authenticated: its refusal means no
    /// tokens, whichever step was the last.
    ///
    /// # Errors
    /// The PostAuthentication trigger's refusal.
    pub(super) fn signed_in(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        user: &UserRecord,
        outcome: SignInOutcome,
    ) -> Result<AuthResult> {
        Ok(match outcome {
            SignInOutcome::Authenticated => {
                self.authentication_trigger(
                    userpool_core::Trigger::PostAuthentication,
                    client,
                    pool,
                    user,
                )?;
                AuthResult::Authenticated(AuthenticatedUser {
                    pool_id: pool.id.clone(),
                    client_id: client.client_id.clone(),
                    user: UserDescription::from(user),
                    token_source: userpool_core::triggers::TokenGenerationSource::Authentication,
                })
            }
            SignInOutcome::NewPasswordRequired { session } => AuthResult::NewPasswordRequired {
                session,
                user: UserDescription::from(user),
                required_attributes: missing_required(pool, &user.attributes)
                    .map(str::to_owned)
                    .collect(),
            },
            SignInOutcome::MfaRequired { challenge } => self.mfa_result(pool, user, challenge),
        })
    }
}

/// `record` (what a sign-in step decided to write) with the challenge `outcome` leaves open
/// marked as `client`'s ([`UserRecord::challenge_client`]): its session is answered
/// through that client only (SPEC §6, §18).
pub(super) fn bind_challenge(
    user: &UserRecord,
    record: Option<UserRecord>,
    outcome: &SignInOutcome,
    client: &ClientRecord,
) -> Option<UserRecord> {
    let opens = matches!(
        outcome,
        SignInOutcome::NewPasswordRequired { .. } | SignInOutcome::MfaRequired { .. }
    );
    if !opens {
        return record;
    }
    let mut next = record.unwrap_or_else(|| user.clone());
    next.challenge_client = Some(client.client_id.clone());
    Some(next)
}

/// NotAuthorizedException `Invalid session for the user.` when the user's open challenge
/// was opened through another app client than `client`, before the session is looked at:
/// nothing is counted or spent, so the right client's answer still works. A challenge
/// opened before clients were recorded (`None`) is any client's.
pub(super) fn refuse_other_client(user: &UserRecord, client: &ClientRecord) -> Result<()> {
    match &user.challenge_client {
        Some(opener) if *opener != client.client_id => Err(NotAuthorized::InvalidSession.into()),
        _ => Ok(()),
    }
}

/// `USERNAME` and `PASSWORD` of the password flows, recorded in `v`.
fn credentials(
    v: &mut Validator,
    username: &str,
    password: &str,
) -> (Option<Username>, Option<Password>) {
    (v.username(username), v.password("password", password))
}

/// [`credentials`] on their own, for an input whose other members were validated.
fn checked_credentials(username: &str, password: &str) -> Result<(Username, Password)> {
    parse_with(
        |v| credentials(v, username, password),
        |(name, password)| Ok((accepted(name)?, accepted(password)?)),
    )
}

/// `InvalidParameterException` `Auth flow not enabled for this client` (Cognito's words)
/// unless the client lists one of `enabling`.
fn require_flow(client: &ClientRecord, enabling: &[&str]) -> Result<()> {
    if client
        .explicit_auth_flows
        .iter()
        .any(|f| enabling.contains(&f.as_str()))
    {
        Ok(())
    } else {
        Err(Error::InvalidParameterMessage(
            "Auth flow not enabled for this client".into(),
        ))
    }
}

/// `Session`'s length limits (Cognito's model: 20..=2048).
pub(super) fn session_constraint(session: &str) -> Option<Constraint> {
    match session.chars().count() {
        n if n < 20 => Some(Constraint::TooShort { min: 20 }),
        n if n > 2048 => Some(Constraint::TooLong { max: 2048 }),
        _ => None,
    }
}
