//! The lookup keys of a user, computed one way for every store (SPEC §8).

use userpool_core::{AliasAttribute, UserRecord, fold_case};

use crate::pool::PoolRecord;

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

/// The key an alias value is stored and looked up under (folded like usernames; e-mail
/// addresses are compared case-insensitively in a case-insensitive pool only).
#[must_use]
pub fn alias_key(pool: &PoolRecord, value: &str) -> String {
    username_key(pool, value)
}

/// The alias keys a user occupies: one per alias attribute the pool lists that the user
/// has set (and verified, for email and phone number).
#[must_use]
pub fn alias_keys(pool: &PoolRecord, user: &UserRecord) -> Vec<(AliasAttribute, String)> {
    user.alias_values(&pool.alias_attributes)
        .into_iter()
        .map(|(attribute, value)| (attribute, alias_key(pool, value)))
        .collect()
}
