//! One sign-in name, one user (SPEC §8).
//!
//! A `Username` resolves as a username first, then as an alias value the pool lists, then
//! as a `sub`. The store keeps usernames unique and each attribute's alias values unique,
//! but each separately, so without the checks here a new user could take another user's
//! alias value (or `sub`) as a username and, since usernames are tried first, capture
//! every later lookup of it: the other user's sign-in name would now sign in to the
//! newcomer's account. The reverse — setting an alias value equal to another user's
//! username — would silently never resolve, and an alias value equal to another user's
//! `sub` would capture lookups by that `sub`.
//!
//! The rule enforced: **a value a user is found by (its username, each alias value it
//! holds) finds no other user by any lookup path.**
//!
//! - A new username that already names another user (as username, listed alias value or
//!   `sub`) is `UsernameExistsException` `User account already exists` **(decision: the
//!   service documents nothing for a username equal to another user's alias value; the
//!   newcomer asked for a name and the name is taken, and the answer does not say which
//!   user or attribute holds it)**.
//! - An alias value newly held (set, or made effective by verification) that names
//!   another user is `AliasExistsException` `An account with the given <attribute> already
//!   exists.`, as for a value another user holds as the same alias.
//! - In a pool listing `email` (`phone_number`) as an alias, a username in email (phone)
//!   format is `InvalidParameterException`, as Cognito refuses it (the guide: "Amazon
//!   Cognito doesn't accept a user name that matches a valid email address format").
//!
//! **Races (residual, documented).** Checking and writing are separate store calls, and
//! the store enforces the uniqueness of usernames and of each attribute's alias values
//! separately, never across them.
//!
//! - A creation re-checks its names after its insert and, if a concurrent write took one
//!   meanwhile, deletes the user it inserted and fails before anything is delivered. Of
//!   two racing creations at least one therefore fails (each re-checks after its own
//!   write, so the later re-check sees both). A concurrent reader may see the undone user
//!   for that moment, and if the undo itself fails the call is `InternalErrorException`
//!   and the user stays.
//! - An update that takes a new alias value checks only before its write (undoing an
//!   update would itself race further writers and bump the version of a failed
//!   operation). So an update racing another write that takes the same value under
//!   another key — a creation's username, or another user's alias of another attribute —
//!   can still, in a narrow window (the update's check before the other write, its own
//!   write after the other's check or re-check), leave two users sharing a name; lookup
//!   then prefers the username, then the first listed alias.
//!
//! Closing these needs the store to index usernames and every alias value in one key
//! space, checked atomically with the write: a change to the [`Store`] contract.
//!
//! # Username attributes (SPEC §8)
//!
//! In a pool with `UsernameAttributes` (email and/or phone number), a user signs up with
//! an email address or phone number *instead of* a username, as in Cognito:
//!
//! - the given `Username` must be in the format of a listed attribute, else
//!   `InvalidParameterException` `Username should be an email.` (email only), `Username
//!   should be a phone number.` (phone only), `Username should be either an email or a
//!   phone number.` (both);
//! - it is stored as that attribute's value; a request whose attributes carry a
//!   *different* value for it is `InvalidParameterException` `User email should be empty
//!   or same as username, since username attribute is email` (the service's words;
//!   `phone_number` in the same form **(decision)**), the same value is fine (compared
//!   exactly, whatever the pool's case sensitivity **(decision: the user gets one stored
//!   value, so two spellings are two values)**);
//! - the user's actual username is its `sub` (a UUID v4, lower-case, hyphenated);
//! - the value is a lookup value from the start, verified or not (see [`userpool_store::keys`]),
//!   and unique in the pool: a creation whose value another user is found by is
//!   `UsernameExistsException` `User account already exists` **(decision: the service
//!   answers `An account with the given email already exists.` under the same
//!   exception; the core's `UsernameExists` carries one fixed message, so the code
//!   matches and the wording does not)**. A later attribute update to a taken value is
//!   `AliasExistsException`, as for aliases.
//!
//! The email-format refusal for alias pools does not apply to such pools: there an email
//! address is exactly what a `Username` must be.
use std::collections::BTreeMap;

use userpool_core::{AliasAttribute, Error, Result, UserRecord, Username};
use uuid::Uuid;

use super::UserPools;
use userpool_store::keys;
use userpool_store::pool::PoolRecord;
use userpool_store::store::{Store, StoreError, UserKey};

/// `InvalidParameterException` for a username in email format in a pool with the email
/// alias (the live service's words, as reported by its users).
pub(crate) const EMAIL_FORMAT_USERNAME: &str =
    "Username cannot be of email format since user pool is configured for email alias.";

/// `InvalidParameterException` for a username in phone format in a pool with the phone
/// alias (worded as the email message; the service's exact words are not published).
pub(crate) const PHONE_FORMAT_USERNAME: &str = concat!(
    "Username cannot be of phone number format ",
    "since user pool is configured for phone number alias."
);

/// Whether a username is in email format: an `@` with at least one character on each side
/// **(decision: Cognito does not publish its pattern; this refuses anything an address
/// could look like, and email attribute values are not format-checked, so the alias check
/// below is what actually prevents shadowing)**.
fn is_email_format(name: &str) -> bool {
    name.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
}

/// Whether a username is in phone format: `+` then one or more ASCII digits, nothing else
/// (the shape of an E.164 `phone_number`) **(decision)**.
fn is_phone_format(name: &str) -> bool {
    name.strip_prefix('+')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// `InvalidParameterException` for a username not in email format in a pool whose only
/// username attribute is email (the service's words).
pub(crate) const USERNAME_SHOULD_BE_EMAIL: &str = "Username should be an email.";

/// `InvalidParameterException` for a username not in phone format in a pool whose only
/// username attribute is phone number **(decision: worded as the email message; the
/// service's exact words are not published)**.
pub(crate) const USERNAME_SHOULD_BE_PHONE: &str = "Username should be a phone number.";

/// `InvalidParameterException` for a username in neither format in a pool with both
/// username attributes **(decision: worded as the email message; the service's exact
/// words are not published)**.
pub(crate) const USERNAME_SHOULD_BE_EITHER: &str =
    "Username should be either an email or a phone number.";

/// What a new user's given name becomes in its pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NewName {
    /// The pool has no username attributes: the name is the username.
    Username,
    /// The name is the value of this username attribute; the username is the `sub`.
    Attribute(AliasAttribute),
}

/// Decides what a new user's given name is (SPEC §8): in a pool with username
/// attributes, the value of the first listed attribute whose format it has, stored into
/// `attributes`; otherwise the username, refused in the format of a listed alias.
///
/// # Errors
/// `InvalidParameterException`: the name fits no username attribute, `attributes` holds a
/// different value for the attribute, or (alias pools) [`refuse_alias_format`].
pub(crate) fn new_user_name(
    pool: &PoolRecord,
    name: &Username,
    attributes: &mut BTreeMap<String, String>,
) -> Result<NewName> {
    if pool.username_attributes.is_empty() {
        refuse_alias_format(pool, name)?;
        return Ok(NewName::Username);
    }
    let listed = |a| pool.username_attributes.contains(&a);
    let attribute = if listed(AliasAttribute::Email) && is_email_format(name.as_str()) {
        AliasAttribute::Email
    } else if listed(AliasAttribute::PhoneNumber) && is_phone_format(name.as_str()) {
        AliasAttribute::PhoneNumber
    } else {
        let message = match (
            listed(AliasAttribute::Email),
            listed(AliasAttribute::PhoneNumber),
        ) {
            (true, true) => USERNAME_SHOULD_BE_EITHER,
            (true, false) => USERNAME_SHOULD_BE_EMAIL,
            (false, true) => USERNAME_SHOULD_BE_PHONE,
            // Only `preferred_username` listed: Cognito accepts only email and phone
            // number as username attributes, so such a pool cannot come from the wire; a
            // host building one gets the general message **(decision)**.
            (false, false) => USERNAME_SHOULD_BE_EITHER,
        };
        return Err(Error::InvalidParameterMessage(message.into()));
    };
    let key = attribute.as_str();
    match attributes.get(key) {
        Some(given) if given != name.as_str() => {
            return Err(Error::InvalidParameterMessage(format!(
                "User {key} should be empty or same as username, since username attribute is {key}"
            )));
        }
        Some(_) => {}
        None => {
            attributes.insert(key.to_owned(), name.as_str().to_owned());
        }
    }
    Ok(NewName::Attribute(attribute))
}

/// The `sub` (and so the username) a user created under `new_name` will have, chosen before
/// the creation when its triggers must see it: Cognito's PreSignUp event of a pool with
/// username attributes carries the generated username, not the email or phone number typed
/// (SPEC §19). `None` for a pool without username attributes.
///
/// # Errors
/// `InternalErrorException` when the entropy source fails.
pub(crate) fn chosen_sub(
    new_name: NewName,
    ctx: &mut userpool_core::Context<'_>,
) -> Result<Option<uuid::Uuid>> {
    match new_name {
        NewName::Username => Ok(None),
        NewName::Attribute(_) => {
            let mut bytes = [0u8; 16];
            ctx.entropy.fill(&mut bytes)?;
            Ok(Some(uuid::Builder::from_random_bytes(bytes).into_uuid()))
        }
    }
}

/// A created record under the username its [`NewName`] asks for: unchanged, or renamed to
/// its `sub` (`chosen`, from [`chosen_sub`], when the creation's triggers have seen it).
///
/// # Errors
/// `InternalErrorException` if the `sub` were not a valid username (it always is: 36
/// characters of hex digits and hyphens).
///
/// The SRP verifier is computed under the username (SPEC §15), so a renamed user's is
/// computed again under the new name from `password`, the one the creation wrote.
pub(crate) fn name_new_user(
    new_name: NewName,
    user: UserRecord,
    chosen: Option<uuid::Uuid>,
    password: Option<&userpool_core::Password>,
    rules: &userpool_core::PoolRules,
    ctx: &mut userpool_core::Context<'_>,
) -> Result<UserRecord> {
    match new_name {
        NewName::Username => Ok(user),
        NewName::Attribute(_) => {
            let user = UserRecord {
                sub: chosen.unwrap_or(user.sub),
                ..user
            };
            let username = Username::parse(&user.sub.hyphenated().to_string()).map_err(|e| {
                Error::Internal(userpool_core::Internal::Bug(userpool_core::Cause::new(
                    format!("a sub is not a valid username: {e}"),
                )))
            })?;
            let srp = match password {
                Some(password) => {
                    userpool_core::srp::verifier_for_write(&username, password, rules, ctx.entropy)?
                }
                None => None,
            };
            Ok(UserRecord {
                username,
                srp,
                ..user
            })
        }
    }
}

/// A creation's error as the caller should see it: in a pool with username attributes, a
/// taken username-attribute value is `UsernameExistsException` (the newcomer's name is
/// taken), not `AliasExistsException`.
pub(crate) fn creation_error(new_name: NewName, error: Error) -> Error {
    match (new_name, &error) {
        (NewName::Attribute(_), Error::AliasExists { .. }) => Error::UsernameExists,
        _ => error,
    }
}

/// Refuses a new username in the format of an alias the pool lists (email or phone
/// number), as Cognito does (SPEC §8).
///
/// # Errors
/// `InvalidParameterException` with [`EMAIL_FORMAT_USERNAME`] or [`PHONE_FORMAT_USERNAME`].
pub(crate) fn refuse_alias_format(pool: &PoolRecord, name: &Username) -> Result<()> {
    let listed = |a| pool.alias_attributes.contains(&a);
    if listed(AliasAttribute::Email) && is_email_format(name.as_str()) {
        return Err(Error::InvalidParameterMessage(EMAIL_FORMAT_USERNAME.into()));
    }
    if listed(AliasAttribute::PhoneNumber) && is_phone_format(name.as_str()) {
        return Err(Error::InvalidParameterMessage(PHONE_FORMAT_USERNAME.into()));
    }
    Ok(())
}

impl<S: Store + ?Sized> UserPools<S> {
    /// Whether `value` finds a user other than the one with `sub`: as a username, as a
    /// value of any username or alias attribute the pool lists, or as a `sub`. Keys fold as the pool
    /// compares ([`userpool_store::keys`], applied by the store).
    fn names_another_user(&self, pool: &PoolRecord, value: &str, sub: Uuid) -> Result<bool> {
        let id = &pool.id;
        let other = |found: Option<UserRecord>| found.is_some_and(|user| user.sub != sub);
        if other(self.store.find_user(id, UserKey::Username(value))?) {
            return Ok(true);
        }
        for attribute in keys::lookup_attributes(pool) {
            if other(self.store.find_user(id, UserKey::Alias(attribute, value))?) {
                return Ok(true);
            }
        }
        if let Ok(other_sub) = Uuid::try_parse(value) {
            return Ok(other(self.store.find_user(id, UserKey::Sub(other_sub))?));
        }
        Ok(false)
    }

    /// A new user's names: its username and every alias value it holds must find no other
    /// user. Called before the insert and again after it.
    ///
    /// # Errors
    /// `UsernameExistsException`, `AliasExistsException`, `InternalErrorException`.
    pub(super) fn check_new_user_names(&self, pool: &PoolRecord, user: &UserRecord) -> Result<()> {
        if self.names_another_user(pool, user.username.as_str(), user.sub)? {
            return Err(Error::UsernameExists);
        }
        self.check_alias_claims(pool, None, user)
    }

    /// The lookup values (username-attribute and alias values) `next` holds that
    /// `previous` did not (a new value, or one just verified): each must find no other
    /// user.
    ///
    /// # Errors
    /// `AliasExistsException`, `InternalErrorException`.
    pub(super) fn check_alias_claims(
        &self,
        pool: &PoolRecord,
        previous: Option<&UserRecord>,
        next: &UserRecord,
    ) -> Result<()> {
        let held = previous
            .map(|p| keys::alias_keys(pool, p))
            .unwrap_or_default();
        for (attribute, value) in keys::lookup_values(pool, next) {
            if held.contains(&(attribute, keys::alias_key(pool, value))) {
                continue;
            }
            if self.names_another_user(pool, value, next.sub)? {
                return Err(Error::AliasExists {
                    attribute: attribute.as_str().to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Deletes a user this call inserted and must not keep (a racing write took one of its
    /// names). Best effort: a user changed meanwhile is re-read and deleted at its new
    /// version; one already gone is fine.
    ///
    /// # Errors
    /// `InternalErrorException` when the store fails or the retries run out.
    pub(super) fn undo_insert(&self, pool: &PoolRecord, user: &UserRecord) -> Result<()> {
        let mut version = user.version;
        for _ in 0..self.max_attempts {
            match self.store.delete_user(&pool.id, &user.username, version) {
                Ok(()) | Err(StoreError::NotFound) => return Ok(()),
                Err(StoreError::Conflict { .. }) => {
                    match self
                        .store
                        .find_user(&pool.id, UserKey::Username(user.username.as_str()))?
                    {
                        Some(current) if current.sub == user.sub => version = current.version,
                        _ => return Ok(()),
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(userpool_core::Internal::ContentionRetriesExhausted.into())
    }
}

#[cfg(test)]
mod tests {
    use super::{is_email_format, is_phone_format};

    #[test]
    fn email_and_phone_formats() {
        let table: &[(&str, bool, bool)] = &[
            ("alice@example.com", true, false),
            ("a@b", true, false),
            ("a@", false, false),
            ("@b", false, false),
            ("alice", false, false),
            ("+15550100", false, true),
            ("+", false, false),
            ("15550100", false, false),
            ("+1555-0100", false, false),
            ("+1@2", true, false),
        ];
        for (name, email, phone) in table {
            assert_eq!(is_email_format(name), *email, "email format: {name:?}");
            assert_eq!(is_phone_format(name), *phone, "phone format: {name:?}");
        }
    }
}
