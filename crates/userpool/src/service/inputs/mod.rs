//! The typed inputs of the service's operations: each request parsed once, at the edge, into
//! values that are valid because they exist (SPEC §1).
//!
//! Every input has a `parse` constructor taking the request's members as `Option`s (`None`
//! for a member the request left out) and reporting every violation at once — missing
//! members and malformed ones, in Cognito's order — as one `InvalidParameterException`
//! (`N validation errors detected: ...`). The service's `&str` methods are that `parse`
//! followed by the operation's `_input` method, so a host calling the library and a wire
//! front end get the same list from the same validator.
//!
//! Secrets (passwords, codes, tokens, sessions) are held in zeroizing types and redacted in
//! `Debug`; no input has a `Display`.

mod admin;
mod auth;
mod federation;
mod groups;
mod import;
mod mfa;
mod oauth;
mod pools;
mod public;
mod token;

pub use admin::{
    AdminCreateUserInput, AdminDeleteUserAttributesInput, AdminUpdateUserAttributesInput,
    AdminUserInput, ListUsersInput,
};
pub use auth::{
    AdminInitiateAuthInput, AdminRespondToAuthChallengeInput, InitiateAuthInput,
    RespondToAuthChallengeInput,
};
pub use federation::{DisableProviderForUserInput, LinkProviderForUserInput, ProviderUserInput};
pub use groups::{
    AdminListGroupsForUserInput, GroupInput, GroupWriteInput, ListGroupsInput,
    ListUsersInGroupInput, MembershipInput,
};
pub use import::{AdminImportUsersInput, ImportUserMembers, ImportedUser};
pub(crate) use mfa::user_code;
pub use mfa::{AccessTokenInput, SoftwareTokenInput, TokenOrSession};
pub use oauth::{
    CreateIdentityProviderInput, DescribeDomainInput, IdentityProviderKeyInput, IdpIdentifierInput,
    ListOAuthRecordsInput, PoolDomainInput, ResourceServerKeyInput, ResourceServerWriteInput,
    ScopeMembers, UpdateIdentityProviderInput, UserPoolDomainInput,
};
pub use pools::{
    AddCustomAttributesInput, CreateUserPoolClientInput, CreateUserPoolInput,
    ListUserPoolClientsInput, PoolClientInput, PoolInput, UpdateUserPoolClientInput,
};
pub use public::{ClientUserInput, ConfirmForgotPasswordInput, ConfirmSignUpInput, SignUpInput};
pub use token::{
    ChangePasswordInput, DeleteUserAttributesInput, SecretText, UpdateUserAttributesInput,
    UserAttributeCodeInput,
};

use userpool_core::{Constraint, Result};

use crate::validate::Validator;

/// Runs `members` over a fresh validator, then builds the input from what it accepted.
/// `build` sees every member as `Some` once the validator found nothing wrong: a `None`
/// there is a broken invariant, reported by [`crate::validate::accepted`] as a bug.
pub(crate) fn parse_with<M, T>(
    members: impl FnOnce(&mut Validator) -> M,
    build: impl FnOnce(M) -> Result<T>,
) -> Result<T> {
    let mut v = Validator::new();
    let members = members(&mut v);
    v.finish()?;
    build(members)
}

/// The largest page a `Limit` asks for, and the page an absent or zero `Limit` gets.
pub(crate) const MAX_LIMIT: usize = 60;

/// A page size `Limit` (ListUsers, ListGroups, AdminListGroupsForUser, ListUsersInGroup):
/// Cognito's 0..=60, 0 or absent meaning 60.
///
/// # Errors
/// The constraint a `Limit` out of range breaks.
pub(crate) fn limit_page(limit: Option<i64>) -> std::result::Result<usize, Constraint> {
    let range = Constraint::OutOfRange { min: 0, max: 60 };
    match limit {
        None | Some(0) => Ok(MAX_LIMIT),
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_LIMIT)
            .ok_or(range),
    }
}

/// [`limit_page`], its violation recorded under `limit`.
pub(crate) fn check_limit(v: &mut Validator, limit: Option<i64>) -> Option<usize> {
    let size = limit_page(limit);
    v.check("limit", size.err());
    size.ok()
}

/// A page size `MaxResults` in 1..=`max`, absent meaning `max` (ListUserPoolClients,
/// ListResourceServers, ListIdentityProviders).
pub(crate) fn page_size(v: &mut Validator, max_results: Option<i64>, max: usize) -> Option<usize> {
    let size = max_results.map_or(Some(max), |m| usize::try_from(m).ok());
    let size = size.filter(|m| (1..=max).contains(m));
    let range = Constraint::OutOfRange {
        min: 1,
        max: i64::try_from(max).unwrap_or(i64::MAX),
    };
    v.check("maxResults", size.is_none().then_some(range));
    size
}
