//! Groups (SPEC §17): what a store keeps of a pool's groups and memberships, and what a
//! user's groups put in their tokens.
//!
//! A group is named within its pool; a membership links a group to a user by the user's
//! `sub` (immutable, unlike an alias value), and goes with either. The claims a token
//! carries are decided here, once, from the user's groups as stored at the moment the
//! token is issued ([`GroupClaims::of`]), so a membership change shows in the next
//! sign-in or refresh.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use userpool_core::UserPoolId;
use uuid::Uuid;

use crate::store::{Store, StoreError};

/// One group of a pool, as stored (Cognito's `GroupType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    /// The pool the group belongs to.
    pub pool_id: UserPoolId,
    /// `GroupName`: 1..=128 characters, unique within the pool (compared exactly).
    pub name: String,
    /// `Description`: at most 2048 characters.
    pub description: Option<String>,
    /// `Precedence`: 0..=2^31-1; the lower, the more a group counts for
    /// `cognito:preferred_role`. `None` ranks after every number.
    pub precedence: Option<u32>,
    /// `RoleArn`: an IAM role ARN the group's members may assume.
    pub role_arn: Option<String>,
    /// `CreationDate`.
    pub created_at: DateTime<Utc>,
    /// `LastModifiedDate`.
    pub modified_at: DateTime<Utc>,
    /// Issued by the store: 1 on creation, +1 per update (compare-and-swap, as for users).
    pub version: u64,
}

/// How many groups a store is asked for at a time when a whole list is needed (a user's
/// groups for a token): Cognito's largest page.
pub const GROUP_PAGE: usize = 60;

/// The group claims of a user's tokens, as Cognito emits them (SPEC §17).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupClaims {
    /// `cognito:groups` (id and access tokens): every group's name, by precedence
    /// (groups without one last), then by name.
    pub groups: Vec<String>,
    /// `cognito:roles` (id token): the distinct role ARNs of those groups, in the same
    /// order.
    pub roles: Vec<String>,
    /// `cognito:preferred_role` (id token): the role of the group with the lowest
    /// precedence among those with a role. When several groups share that precedence and
    /// their roles differ, none is preferred and the claim is absent, as in Cognito.
    pub preferred_role: Option<String>,
}

impl GroupClaims {
    /// The claims of a user in `groups` (any order).
    #[must_use]
    pub fn of(mut groups: Vec<GroupRecord>) -> Self {
        groups.sort_by(|a, b| {
            rank(a.precedence)
                .cmp(&rank(b.precedence))
                .then_with(|| a.name.cmp(&b.name))
        });
        // A set beside the list, so that a user in many groups costs linear time, not
        // quadratic, at every token issue.
        let mut seen: HashSet<&str> = HashSet::new();
        let roles: Vec<String> = groups
            .iter()
            .filter_map(|g| g.role_arn.as_deref())
            .filter(|role| seen.insert(role))
            .map(str::to_owned)
            .collect();
        let with_role: Vec<&GroupRecord> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
        let preferred_role = with_role.first().and_then(|first| {
            let best = rank(first.precedence);
            let mut tied = with_role
                .iter()
                .filter(|g| rank(g.precedence) == best)
                .map(|g| g.role_arn.as_ref());
            let role = tied.next().flatten()?;
            tied.all(|r| r == Some(role)).then(|| role.clone())
        });
        GroupClaims {
            groups: groups.into_iter().map(|g| g.name).collect(),
            roles,
            preferred_role,
        }
    }

    /// Reads every group of the user `sub` from `store` and builds the claims.
    ///
    /// # Errors
    /// `PoolNotFound`, `Backend`.
    pub fn for_user<S: Store + ?Sized>(
        store: &S,
        pool: &UserPoolId,
        sub: Uuid,
    ) -> Result<Self, StoreError> {
        Ok(GroupClaims::of(all_groups_of(store, pool, sub)?))
    }

    /// Whether the user is in no group (the token then carries none of the three claims).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Every group of the user `sub`, page by page.
pub(crate) fn all_groups_of<S: Store + ?Sized>(
    store: &S,
    pool: &UserPoolId,
    sub: Uuid,
) -> Result<Vec<GroupRecord>, StoreError> {
    all_pages(|after| store.list_groups_for_user(pool, sub, after, GROUP_PAGE))
}

/// Every group `fetch` gives, [`GROUP_PAGE`] at a time, each page asked for after the last
/// name of the one before.
fn all_pages(
    mut fetch: impl FnMut(Option<&str>) -> Result<Vec<GroupRecord>, StoreError>,
) -> Result<Vec<GroupRecord>, StoreError> {
    let mut all: Vec<GroupRecord> = Vec::new();
    loop {
        let after = all.last().map(|g| g.name.clone());
        let page = fetch(after.as_deref())?;
        // A store that does not move past `after` would make this loop forever.
        if let (Some(after), Some(first)) = (&after, page.first())
            && first.name <= *after
        {
            return Err(StoreError::Backend(format!(
                "list_groups_for_user returned {:?}, not after {after:?}",
                first.name
            )));
        }
        let done = page.len() < GROUP_PAGE;
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

/// Precedence as a sort key: `None` after every number.
fn rank(precedence: Option<u32>) -> u64 {
    precedence.map_or(u64::MAX, u64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, precedence: Option<u32>, role: Option<&str>) -> GroupRecord {
        GroupRecord {
            pool_id: UserPoolId::parse("eu-west-1_abc").expect("valid"),
            name: name.into(),
            description: None,
            precedence,
            role_arn: role.map(str::to_owned),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            modified_at: DateTime::<Utc>::UNIX_EPOCH,
            version: 1,
        }
    }

    #[test]
    fn groups_order_by_precedence_then_name_with_unranked_last() {
        let claims = GroupClaims::of(vec![
            group("zeta", None, None),
            group("beta", Some(5), None),
            group("alpha", None, None),
            group("gamma", Some(1), None),
            group("delta", Some(5), None),
        ]);
        assert_eq!(claims.groups, ["gamma", "beta", "delta", "alpha", "zeta"]);
        assert!(claims.roles.is_empty());
        assert_eq!(claims.preferred_role, None);
    }

    #[test]
    fn preferred_role_is_the_lowest_precedence_group_with_a_role() {
        let claims = GroupClaims::of(vec![
            group("admins", Some(0), None),
            group("staff", Some(3), Some("arn:aws:iam::1:role/staff")),
            group("readers", Some(7), Some("arn:aws:iam::1:role/read")),
            group("misc", None, Some("arn:aws:iam::1:role/staff")),
        ]);
        assert_eq!(
            claims.roles,
            ["arn:aws:iam::1:role/staff", "arn:aws:iam::1:role/read"]
        );
        assert_eq!(
            claims.preferred_role.as_deref(),
            Some("arn:aws:iam::1:role/staff")
        );
    }

    #[test]
    fn a_tie_between_different_roles_prefers_none_and_equal_roles_prefer_it() {
        let tie = GroupClaims::of(vec![
            group("a", Some(2), Some("arn:aws:iam::1:role/a")),
            group("b", Some(2), Some("arn:aws:iam::1:role/b")),
        ]);
        assert_eq!(tie.preferred_role, None);
        assert_eq!(tie.roles.len(), 2);
        let same = GroupClaims::of(vec![
            group("a", None, Some("arn:aws:iam::1:role/a")),
            group("b", None, Some("arn:aws:iam::1:role/a")),
        ]);
        assert_eq!(
            same.preferred_role.as_deref(),
            Some("arn:aws:iam::1:role/a")
        );
        assert_eq!(same.roles, ["arn:aws:iam::1:role/a"]);
    }

    #[test]
    fn all_pages_reads_past_a_full_page_and_stops_a_store_that_does_not_advance() {
        let names: Vec<String> = (0..130).map(|i| format!("g{i:03}")).collect();
        let paged = all_pages(|after| {
            Ok(names
                .iter()
                .filter(|n| after.is_none_or(|a| n.as_str() > a))
                .take(GROUP_PAGE)
                .map(|n| group(n, None, None))
                .collect())
        })
        .expect("a well-behaved store");
        assert_eq!(paged.len(), 130);
        let mut calls = 0;
        let stuck = all_pages(|_| {
            calls += 1;
            Ok(names[..GROUP_PAGE]
                .iter()
                .map(|n| group(n, None, None))
                .collect())
        });
        assert!(matches!(stuck, Err(StoreError::Backend(_))), "{stuck:?}");
        assert_eq!(calls, 2, "refused at the first page that does not move on");
    }

    #[test]
    fn no_groups_no_claims() {
        assert!(GroupClaims::of(Vec::new()).is_empty());
    }
}
