//! Pagination tokens of the listing operations (ListUsers, ListGroups,
//! AdminListGroupsForUser, ListUsersInGroup): one format for all of them.
//!
//! A store pages by key, and a bare key is indistinguishable from any other string, so a
//! mistyped or foreign token would yield a silently empty (or shifted) page where Cognito
//! answers `InvalidParameterException`. The token wraps the key with a version, the pool and
//! the listing it belongs to, so that a token we issued is recognised and everything else
//! refused.
//!
//! **(decision)** It is not authenticated (no MAC): a token grants nothing but a position
//! in an order the same caller reaches anyway by paging, so a signature would protect
//! nothing, and it would need a key shared by every process on the store and kept across
//! restarts. A hand-made token in this format is accepted, and means what it says.

use userpool_core::{Error, Result, UserPoolId};

/// The opaque page token: hex of `v1`, the pool, the listing and the key to resume after,
/// separated by NUL (which none of them can contain).
pub(super) struct PageToken;

impl PageToken {
    pub(super) fn issue(pool: &UserPoolId, scope: &str, after: &str) -> String {
        hex(format!("v1\0{}\0{scope}\0{after}", pool.as_str()).as_bytes())
    }

    pub(super) fn read(pool: &UserPoolId, scope: &str, token: &str) -> Result<String> {
        let invalid = || Error::InvalidParameterMessage("Invalid pagination token".into());
        if !token.len().is_multiple_of(2) || token.len() > 2 * 4096 {
            return Err(invalid());
        }
        let bytes = unhex(token).ok_or_else(invalid)?;
        let plain = String::from_utf8(bytes).map_err(|_| invalid())?;
        let mut parts = plain.splitn(4, '\0');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("v1"), Some(p), Some(s), Some(after))
                if p == pool.as_str() && s == scope && !after.is_empty() =>
            {
                Ok(after.to_owned())
            }
            _ => Err(invalid()),
        }
    }

    /// The key a listing resumes after: none without a token, else the token's (see
    /// [`PageToken::read`]).
    pub(super) fn resume(
        pool: &UserPoolId,
        scope: &str,
        token: Option<&str>,
    ) -> Result<Option<String>> {
        token.map(|t| Self::read(pool, scope, t)).transpose()
    }
}

/// Lowercase hex of `bytes`: the text of a page token (this module's and the OAuth
/// listings').
pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The bytes `text` is the hex of; `None` for an odd length or a character that is not a
/// hex digit.
pub(super) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Keeps the first `limit` of the `limit + 1` entries read; the last one kept, when there
/// was one more, is where the next page starts after.
pub(super) fn truncate_to_page<T>(entries: &mut Vec<T>, limit: usize) -> Option<&T> {
    let more = entries.len() > limit;
    entries.truncate(limit);
    if more { entries.last() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_only_for_their_pool_and_listing() {
        let pool = UserPoolId::parse("eu-west-1_abc").expect("valid");
        let other = UserPoolId::parse("eu-west-1_def").expect("valid");
        let token = PageToken::issue(&pool, "groups", "ädmins");
        assert_eq!(
            PageToken::read(&pool, "groups", &token).ok().as_deref(),
            Some("ädmins")
        );
        assert!(PageToken::read(&other, "groups", &token).is_err());
        assert!(PageToken::read(&pool, "members:x", &token).is_err());
        for garbage in ["", "0", "zz", "76310061", &"ab".repeat(5000)] {
            assert!(
                PageToken::read(&pool, "groups", garbage).is_err(),
                "{garbage}"
            );
        }
    }
}
