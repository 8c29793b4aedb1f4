//! NEW_PASSWORD_REQUIRED (SPEC §6): the answer to the challenge a sign-in with a
//! temporary password opens, by the user (`RespondToAuthChallenge`) and by a trusted back
//! end (`AdminRespondToAuthChallenge`), with the required attributes the pool's schema
//! asks for. Both doors lead to one body, `answer_new_password`.

use std::collections::BTreeMap;

use userpool_core::{
    Error, NotAuthorized, Password, Result, SignInOutcome, Username, mfa, transitions,
};

use super::auth::{refuse_other_client, session_constraint};
use super::inputs::{AdminRespondToAuthChallengeInput, RespondToAuthChallengeInput, parse_with};
use super::{AuthResult, AuthenticatedUser, UserPools, check_secret_hash};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::store::Store;

impl<S: Store + ?Sized> UserPools<S> {
    /// **RespondToAuthChallenge** with `NEW_PASSWORD_REQUIRED`: the session from
    /// [`UserPools::initiate_auth`] and a new password; FORCE_CHANGE_PASSWORD → CONFIRMED,
    /// then authenticated.
    ///
    /// # Errors
    /// `InvalidParameterException`, `ResourceNotFoundException`, `TooManyRequestsException`,
    /// `UserNotFoundException` (where the client prevents user-existence errors, an unknown
    /// user is `NotAuthorizedException` instead), `NotAuthorizedException` (`Invalid
    /// session for the user.`),
    /// `InvalidPasswordException`, `PasswordHistoryPolicyViolationException`,
    /// `InternalErrorException`.
    pub fn respond_to_new_password_required(
        &self,
        client_id: &str,
        username: &str,
        session: &str,
        new_password: &str,
    ) -> Result<AuthResult> {
        self.respond_to_new_password_required_with_attributes(
            client_id,
            username,
            session,
            new_password,
            &[],
        )
    }

    /// [`UserPools::respond_to_new_password_required`] with the `userAttributes.<name>`
    /// members of the answer: the attributes the user sets while choosing the password
    /// (Cognito's client libraries send back the challenge's `userAttributes`). They are
    /// written with the new password in one write, as AdminUpdateUserAttributes would
    /// write them (a changed email or phone number loses its verified flag; an alias value
    /// held by another user is `AliasExistsException`). A user may not set `sub` or a
    /// verified flag for themselves: only a code or an administrator verifies an address
    /// (`NotAuthorizedException` `A client attempted to write unauthorized attribute`).
    ///
    /// # Errors
    /// As [`UserPools::respond_to_new_password_required`], plus the attribute refusals
    /// above and `AliasExistsException`.
    pub fn respond_to_new_password_required_with_attributes(
        &self,
        client_id: &str,
        username: &str,
        session: &str,
        new_password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let client_id = v.client_id(client_id);
        let answer =
            NewPasswordAnswer::members(&mut v, username, new_password, session, attributes);
        v.finish()?;
        let client_id = accepted(client_id)?;
        let answer = answer.accepted()?;
        let category = Category::UserAuthentication;
        let name = answer.username.as_str();
        let (client, pool) = self.client_for(&client_id, category, name, None)?;
        self.answer_new_password(&client, &pool, &answer, session)
    }

    /// **RespondToAuthChallenge** with `NEW_PASSWORD_REQUIRED` from an input validated once
    /// by [`RespondToAuthChallengeInput::parse`], with the answer's `USERNAME`,
    /// `NEW_PASSWORD` and `userAttributes.<name>` members.
    ///
    /// # Errors
    /// As [`UserPools::respond_to_new_password_required_with_attributes`].
    pub fn respond_to_new_password_required_input(
        &self,
        input: &RespondToAuthChallengeInput,
        username: &str,
        new_password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<AuthResult> {
        let session = input.session_text();
        let answer = NewPasswordAnswer::parse(username, new_password, session, attributes)?;
        let (client, pool) = self.client_for(
            &input.client_id,
            Category::UserAuthentication,
            answer.username.as_str(),
            input.secret_hash.as_ref(),
        )?;
        self.answer_new_password(&client, &pool, &answer, session)
    }

    /// **AdminRespondToAuthChallenge** with `NEW_PASSWORD_REQUIRED`: as
    /// [`UserPools::respond_to_new_password_required`], for a challenge a back end
    /// started with [`UserPools::admin_initiate_auth`] (a session from either door works
    /// at either door: it is bound to the user and the credential, not to the door). The
    /// authoriser is asked for `AdminRespondToAuthChallenge`, and the client must belong
    /// to the pool.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException` (the authoriser refused, or
    /// `Invalid session for the user.`), `TooManyRequestsException`,
    /// `ResourceNotFoundException` (pool, or a client not of this pool),
    /// `UserNotFoundException` (unless the client prevents user-existence errors),
    /// `InvalidPasswordException`, `PasswordHistoryPolicyViolationException`,
    /// `InternalErrorException`.
    pub fn admin_respond_to_new_password_required(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
        username: &str,
        session: &str,
        new_password: &str,
    ) -> Result<AuthResult> {
        self.admin_respond_to_new_password_required_with_attributes(
            caller,
            pool_id,
            client_id,
            username,
            session,
            new_password,
            &[],
        )
    }

    /// [`UserPools::admin_respond_to_new_password_required`] with the answer's
    /// `userAttributes.<name>` members, written as
    /// [`UserPools::respond_to_new_password_required_with_attributes`] writes them.
    ///
    /// # Errors
    /// As [`UserPools::admin_respond_to_new_password_required`], plus the attribute
    /// refusals of [`UserPools::respond_to_new_password_required_with_attributes`].
    #[allow(clippy::too_many_arguments)]
    pub fn admin_respond_to_new_password_required_with_attributes(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
        username: &str,
        session: &str,
        new_password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<AuthResult> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let client_id = v.client_id(client_id);
        let answer =
            NewPasswordAnswer::members(&mut v, username, new_password, session, attributes);
        v.finish()?;
        let (id, client_id) = (accepted(id)?, accepted(client_id)?);
        let answer = answer.accepted()?;
        let (client, pool) = self.admin_challenge_client(caller, &id, &client_id)?;
        check_secret_hash(&client, answer.username.as_str(), None)?;
        self.answer_new_password(&client, &pool, &answer, session)
    }

    /// **AdminRespondToAuthChallenge** with `NEW_PASSWORD_REQUIRED` from an input
    /// validated once by [`AdminRespondToAuthChallengeInput::parse`], with the answer's
    /// `USERNAME`, `NEW_PASSWORD` and `userAttributes.<name>` members.
    ///
    /// # Errors
    /// As [`UserPools::admin_respond_to_new_password_required_with_attributes`].
    pub fn admin_respond_to_new_password_required_input(
        &self,
        caller: &Caller,
        input: &AdminRespondToAuthChallengeInput,
        username: &str,
        new_password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<AuthResult> {
        let session = input.respond.session_text();
        let answer = NewPasswordAnswer::parse(username, new_password, session, attributes)?;
        let (id, client_id) = (&input.user_pool_id, &input.respond.client_id);
        let (client, pool) = self.admin_challenge_client(caller, id, client_id)?;
        let secret_hash = input.respond.secret_hash.as_ref();
        check_secret_hash(&client, answer.username.as_str(), secret_hash)?;
        self.answer_new_password(&client, &pool, &answer, session)
    }

    /// The NEW_PASSWORD_REQUIRED answer both doors share. Where the client prevents
    /// user-existence errors, an unknown user is `NotAuthorizedException` `Invalid session
    /// for the user.`, what a known user with a session not its own gets (a session is
    /// bound to its user, so none is valid for a user who does not exist).
    fn answer_new_password(
        &self,
        client: &ClientRecord,
        pool: &PoolRecord,
        answer: &NewPasswordAnswer,
        session: &str,
    ) -> Result<AuthResult> {
        let (name, new_password) = (&answer.username, &answer.new_password);
        let updates = &answer.updates;
        let rules = self.rules(pool)?;
        // Changes the pool holds until verified (SPEC §16), to hold once the answer is in.
        let mut held = BTreeMap::new();
        let answered = self.transition(pool, name, |user, ctx| {
            refuse_other_client(user, client)?;
            let (next, event) = transitions::respond_to_new_password_required(
                user,
                session,
                new_password,
                &rules,
                ctx,
            )?;
            let mut next = next;
            if !updates.is_empty() {
                // One record, one write: the password and the attributes land together or
                // not at all.
                // Checked against the schema as any attribute write is (SPEC §16).
                let update = pool.schema.validate_update(
                    &next.attributes,
                    updates,
                    userpool_core::AttributeWriter::User,
                    &pool.settings.attributes_require_verification_before_update,
                )?;
                next.attributes = update.attributes;
                held = update.pending;
            }
            // The challenge's requiredAttributes: the answer must leave none missing, or
            // nothing is written (the session stays good for a complete answer).
            // Every one missing is named, joined by "and", as Cognito words it
            // (`name and address is missing`).
            let missing: Vec<&str> = missing_required(pool, &next.attributes).collect();
            if !missing.is_empty() {
                return Err(Error::InvalidParameterMessage(format!(
                    "Invalid attributes given, {} is missing",
                    missing.join(" and ")
                ))
                .into());
            }
            Ok((next, event))
        });
        let user = match answered {
            Err(Error::UserNotFound) if client.prevent_user_existence_errors => {
                return Err(NotAuthorized::InvalidSession.into());
            }
            answered => answered?,
        };
        // A held change gets its code at the new value, as UpdateUserAttributes's does;
        // dropping it would tell the user their address changed when it did not.
        let (user, _) = self.hold_attribute_updates(pool, user, held, &rules)?;
        // The new password is the first factor: a second one may follow (SPEC §18).
        let (user, challenge) = self.mutate(pool, &user.username, |user, ctx| {
            Ok(
                match mfa::challenge_after_first_factor(user, &rules, ctx)? {
                    Some((mut next, challenge)) => {
                        next.challenge_client = Some(client.client_id.clone());
                        (Some(next), Some(challenge))
                    }
                    None => (None, None),
                },
            )
        })?;
        let outcome = match challenge {
            Some(challenge) => SignInOutcome::MfaRequired { challenge },
            None => SignInOutcome::Authenticated,
        };
        Ok(match self.signed_in(client, pool, &user, outcome)? {
            AuthResult::Authenticated(who) => AuthResult::Authenticated(AuthenticatedUser {
                token_source: userpool_core::triggers::TokenGenerationSource::NewPasswordChallenge,
                ..who
            }),
            other => other,
        })
    }
}

/// The attributes `pool`'s schema requires that `attributes` lacks (or holds empty), in
/// schema order: NEW_PASSWORD_REQUIRED's `requiredAttributes`.
pub(super) fn missing_required<'p>(
    pool: &'p PoolRecord,
    attributes: &'p BTreeMap<String, String>,
) -> impl Iterator<Item = &'p str> {
    pool.schema
        .required_attributes()
        .filter(|name| attributes.get(*name).is_none_or(String::is_empty))
}

/// Attributes a user may not set for themselves: `sub`, and the verified flags, which
/// only a code or an administrator sets **(decision: a user who could set
/// `email_verified` could claim another person's address as a sign-in alias)**.
const NOT_WRITABLE_BY_USERS: [&str; 3] = ["sub", "email_verified", "phone_number_verified"];

/// A NEW_PASSWORD_REQUIRED answer's members, validated: the user, the new password and
/// the attributes they set with it (none they may not write).
struct NewPasswordAnswer {
    username: Username,
    new_password: Password,
    updates: BTreeMap<String, String>,
}

/// The members of a NEW_PASSWORD_REQUIRED answer as a validator took them.
struct NewPasswordMembers(
    Option<Username>,
    Option<Password>,
    Option<BTreeMap<String, String>>,
);

impl NewPasswordAnswer {
    /// Records the answer's members in `v`, in Cognito's order: `username`,
    /// `NEW_PASSWORD`, `session`, `userAttributes`.
    fn members(
        v: &mut Validator,
        username: &str,
        new_password: &str,
        session: &str,
        attributes: &[(&str, &str)],
    ) -> NewPasswordMembers {
        let name = v.username(username);
        let new_password = v.password("NEW_PASSWORD", new_password);
        v.check("session", session_constraint(session));
        NewPasswordMembers(
            name,
            new_password,
            v.attributes("userAttributes", attributes),
        )
    }

    /// The answer's members on their own, for an input whose other members were
    /// validated.
    fn parse(
        username: &str,
        new_password: &str,
        session: &str,
        attributes: &[(&str, &str)],
    ) -> Result<Self> {
        parse_with(
            |v| Self::members(v, username, new_password, session, attributes),
            NewPasswordMembers::accepted,
        )
    }
}

impl NewPasswordMembers {
    /// The answer, once the validator found nothing wrong; the attributes a user may not
    /// write refused.
    fn accepted(self) -> Result<NewPasswordAnswer> {
        let updates = accepted(self.2)?;
        refuse_unwritable(&updates)?;
        Ok(NewPasswordAnswer {
            username: accepted(self.0)?,
            new_password: accepted(self.1)?,
            updates,
        })
    }
}

/// `NotAuthorizedException` `A client attempted to write unauthorized attribute` when a
/// user's own write names one of [`NOT_WRITABLE_BY_USERS`].
fn refuse_unwritable(updates: &BTreeMap<String, String>) -> Result<()> {
    if NOT_WRITABLE_BY_USERS
        .iter()
        .any(|name| updates.contains_key(*name))
    {
        return Err(NotAuthorized::UnauthorizedAttribute.into());
    }
    Ok(())
}
