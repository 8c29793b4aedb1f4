//! **AdminImportUsers** (SPEC §19): users brought in with the password hash their old system
//! kept, beyond Cognito (whose import leaves every user to reset their password).

use std::collections::BTreeMap;

use userpool_core::{Error, Result, transitions};

use super::inputs::{AdminImportUsersInput, ImportUserMembers};
use super::{UserPools, names};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::PoolRecord;
use userpool_store::store::Store;

/// The most users one AdminImportUsers call takes **(decision)**: importing parses each hash
/// (no hashing happens until sign-in), so a call costs about one store write a user; the
/// bound keeps one request's work and body size in proportion.
pub const MAX_IMPORT_BATCH: usize = 1000;

/// One user to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportUser<'a> {
    /// `Username`.
    pub username: &'a str,
    /// `UserAttributes`, as (name, value) pairs.
    pub attributes: &'a [(&'a str, &'a str)],
    /// `PasswordHash`: the foreign hash, in a form [`userpool_core::hash::import`] accepts.
    pub password_hash: &'a str,
    /// `Enabled`; absent means true.
    pub enabled: Option<bool>,
}

/// A user the import could not bring in, and why (nothing of that user was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFailure {
    /// The username as given.
    pub username: String,
    /// The Cognito exception name it would have had on its own (`UsernameExistsException`,
    /// `InvalidParameterException`, ...).
    pub code: &'static str,
    /// The message. Never contains the hash.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// How many users were written.
    pub imported: usize,
    /// The users that were not, in request order.
    pub failed: Vec<ImportFailure>,
}

impl<S: Store + ?Sized> UserPools<S> {
    /// **AdminImportUsers** (SPEC §19, an extension of Cognito's API): creates each user
    /// CONFIRMED with its foreign password hash as a permanent password; the first successful
    /// sign-in verifies it with its own algorithm and replaces it by the pool's argon2id.
    ///
    /// Each user is all-or-nothing; the batch is not: a user that fails (malformed or
    /// over-ceiling hash, invalid username or attributes, taken name) is listed in
    /// [`ImportReport::failed`] with its error, and the others are imported. Nothing is
    /// delivered. The whole call is one UserCreation request for rate limiting.
    ///
    /// # Errors
    /// For the call as a whole: `InvalidParameterException` (pool id, or `users` empty or
    /// over [`MAX_IMPORT_BATCH`]), `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, and `InternalErrorException` when the store fails (users
    /// written before the failure stay written).
    pub fn admin_import_users(
        &self,
        caller: &Caller,
        pool_id: &str,
        users: &[ImportUser<'_>],
    ) -> Result<ImportReport> {
        let members: Vec<ImportUserMembers<'_>> = users.iter().map(Into::into).collect();
        let input = AdminImportUsersInput::parse(Some(pool_id), &members)?;
        self.admin_import_users_input(caller, &input)
    }

    /// **AdminImportUsers** from an input validated once by
    /// [`AdminImportUsersInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_import_users`].
    pub fn admin_import_users_input(
        &self,
        caller: &Caller,
        input: &AdminImportUsersInput,
    ) -> Result<ImportReport> {
        let id = &input.user_pool_id;
        let pool = self.admin(caller, "AdminImportUsers", Category::UserCreation, id)?;
        let mut report = ImportReport::default();
        for imported in &input.users {
            let attributes: Vec<(&str, &str)> = imported
                .attributes
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let user = ImportUser {
                username: &imported.username,
                attributes: &attributes,
                password_hash: imported.password_hash.expose(),
                enabled: imported.enabled,
            };
            let user = &user;
            match self.import_one(&pool, user) {
                Ok(()) => report.imported += 1,
                Err(Error::Internal(internal)) => return Err(Error::Internal(internal)),
                Err(e) => report.failed.push(ImportFailure {
                    username: user.username.to_owned(),
                    code: e.code(),
                    message: e.to_string(),
                }),
            }
        }
        Ok(report)
    }

    fn import_one(&self, pool: &PoolRecord, user: &ImportUser<'_>) -> Result<()> {
        let mut v = Validator::new();
        let name = v.username(user.username);
        let attributes = v.attributes("userAttributes", user.attributes);
        v.finish()?;
        let (name, mut attributes) = (accepted(name)?, accepted(attributes)?);
        refuse_reserved(&attributes)?;
        let rules = self.rules(pool)?;
        let hash = rules.hasher.import(user.password_hash)?;
        let new_name = names::new_user_name(pool, &name, &mut attributes)?;
        // The pool's attribute schema (SPEC §16), as AdminCreateUser's: an import cannot
        // store what the administrator could not create (unknown or over-long attributes,
        // a required one missing).
        let attributes = pool
            .schema
            .validate_create(&attributes, userpool_core::AttributeWriter::Administrator)?;
        let enabled = user.enabled.unwrap_or(true);
        self.create(pool, false, |ctx| {
            let record = transitions::import_user(name, attributes, hash, enabled, ctx)?;
            let record = names::name_new_user(new_name, record, None, None, &rules, ctx)?;
            Ok((record, userpool_core::Event::UserImported))
        })
        .map_err(|e| names::creation_error(new_name, e))?;
        Ok(())
    }
}

/// `sub` is the pool's to give.
fn refuse_reserved(attributes: &BTreeMap<String, String>) -> Result<()> {
    if attributes.contains_key("sub") {
        return Err(Error::InvalidParameterMessage(
            "Cannot modify an immutable attribute: sub".into(),
        ));
    }
    Ok(())
}
