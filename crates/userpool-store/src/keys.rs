//! The lookup keys of a user, computed one way for every store (SPEC §8).
//!
//! A user is found by its username, by the values of the pool's **username attributes**
//! (`UsernameAttributes`: email and/or phone number used *instead of* a username) and by
//! the values of the pool's **alias attributes**. Both kinds of value share one index —
//! the store's alias index, keyed by `(attribute, value key)` — so each attribute's values
//! are unique within a pool whichever role the attribute plays. They differ in when a
//! value counts:
//!
//! - a username-attribute value counts as soon as it is set, verified or not, as Cognito
//!   lets a user who signed up with an email sign in by it before verifying it;
//! - an alias value counts once verified (email, phone number), or as soon as it is set
//!   (`preferred_username`).
//!
//! Cognito makes the two settings exclusive; a pool record listing an attribute in both
//! gets the username-attribute rule for it.

use userpool_core::{AliasAttribute, UserRecord, fold_case};
use uuid::Uuid;

use crate::pool::PoolRecord;
use crate::store::UserKey;

/// The key a username is stored and looked up under: folded in a case-insensitive pool,
/// exact otherwise.
#[must_use]
pub fn username_key(pool: &PoolRecord, username: &str) -> String {
    if pool.case_sensitive {
        username.to_owned()
    } else {
        fold_case(username)
    }
}

/// The key an alias or username-attribute value is stored and looked up under, folded
/// like usernames: e-mail addresses (and phone numbers) compare case-insensitively in a
/// case-insensitive pool only, exactly in a case-sensitive one **(decision: Cognito's
/// `UsernameConfiguration.CaseSensitive` is documented as covering the username and its
/// aliases; we apply it to username attributes the same way)**.
#[must_use]
pub fn alias_key(pool: &PoolRecord, value: &str) -> String {
    username_key(pool, value)
}

/// The attributes a user may be found by besides its username, in lookup order: the
/// pool's username attributes, then its alias attributes (SPEC §8).
#[must_use]
pub fn lookup_attributes(pool: &PoolRecord) -> Vec<AliasAttribute> {
    let mut attributes = pool.username_attributes.clone();
    for attribute in &pool.alias_attributes {
        if !attributes.contains(attribute) {
            attributes.push(*attribute);
        }
    }
    attributes
}

/// The keys a name given to an operation is tried under, in order (SPEC §8): as a
/// username, then as a value of each of [`lookup_attributes`], then as a `sub` when it
/// parses as one. The first key that finds a user wins.
#[must_use]
pub fn lookup_order<'n>(pool: &PoolRecord, name: &'n str) -> Vec<UserKey<'n>> {
    let mut order = vec![UserKey::Username(name)];
    order.extend(
        lookup_attributes(pool)
            .into_iter()
            .map(|attribute| UserKey::Alias(attribute, name)),
    );
    if let Ok(sub) = Uuid::try_parse(name) {
        order.push(UserKey::Sub(sub));
    }
    order
}

/// The values a user is found by besides its username, in lookup order: each username
/// attribute it has set (verified or not), then each alias attribute it has set (and
/// verified, for email and phone number).
#[must_use]
pub fn lookup_values<'u>(
    pool: &PoolRecord,
    user: &'u UserRecord,
) -> Vec<(AliasAttribute, &'u str)> {
    let mut values: Vec<(AliasAttribute, &str)> = pool
        .username_attributes
        .iter()
        .filter_map(|&attribute| {
            let value = user.attributes.get(attribute.as_str())?;
            Some((attribute, value.as_str()))
        })
        .collect();
    let aliases: Vec<AliasAttribute> = pool
        .alias_attributes
        .iter()
        .copied()
        .filter(|a| !pool.username_attributes.contains(a))
        .collect();
    values.extend(user.alias_values(&aliases));
    values
}

/// The alias-index keys a user occupies: one per [`lookup_values`] entry.
#[must_use]
pub fn alias_keys(pool: &PoolRecord, user: &UserRecord) -> Vec<(AliasAttribute, String)> {
    lookup_values(pool, user)
        .into_iter()
        .map(|(attribute, value)| (attribute, alias_key(pool, value)))
        .collect()
}

/// The attribute Cognito keeps a user's provider identities in (SPEC §21): a JSON list of
/// `{userId, providerName, providerType, issuer, primary, dateCreated}`.
pub const IDENTITIES_ATTRIBUTE: &str = "identities";

/// The entries of `user`'s `identities` attribute: none when it is absent or is not a JSON
/// list. The one place the attribute is parsed, so that the service and every store's link
/// index read it alike.
#[must_use]
pub fn identity_entries(user: &UserRecord) -> Vec<serde_json::Value> {
    user.attributes
        .get(IDENTITIES_ATTRIBUTE)
        .and_then(|text| serde_json::from_str::<Vec<serde_json::Value>>(text).ok())
        .unwrap_or_default()
}

/// The provider identities linked to `user` (AdminLinkProviderForUser), as (provider name,
/// provider user id) pairs, sorted and without repeats: the keys of a store's link index
/// (SPEC §21). Entries without both names as strings are skipped, and so is the user's own
/// identity (a federated user named `<Provider>_<id>` lists itself, and is not linked to
/// itself). Provider user ids are case-sensitive: nothing is folded.
#[must_use]
pub fn linked_identities(user: &UserRecord) -> Vec<(String, String)> {
    let mut links: Vec<(String, String)> = identity_entries(user)
        .iter()
        .filter_map(|entry| {
            let provider = entry.get("providerName")?.as_str()?;
            let subject = entry.get("userId")?.as_str()?;
            Some((provider.to_owned(), subject.to_owned()))
        })
        .filter(|(provider, subject)| !is_own_identity(user, provider, subject))
        .collect();
    links.sort();
    links.dedup();
    links
}

/// Whether `user` is the federated user of the identity itself (named `<Provider>_<id>`).
fn is_own_identity(user: &UserRecord, provider: &str, subject: &str) -> bool {
    user.username.as_str() == format!("{provider}_{subject}")
}
