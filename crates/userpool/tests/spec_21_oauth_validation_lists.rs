//! SPEC §1 and §21 through the library: the OAuth record operations (domains, resource
//! servers, identity providers) and the provider-link operations report every violated
//! member — missing and malformed together, in the operation's member order — in one
//! `InvalidParameterException`, through their typed inputs and through the `&str`
//! methods (which parse the same input). A violation of an OAuth member quotes the value,
//! as Cognito's does; a refusal outside the list (a reserved word) is reported alone, and
//! only when nothing is listed. A refused request changes nothing.

mod common;

use std::collections::BTreeMap;

use common::env;
use userpool::inputs::{
    CreateIdentityProviderInput, LinkProviderForUserInput, ResourceServerWriteInput, ScopeMembers,
    UserPoolDomainInput,
};
use userpool::oauth::ResourceServerScope;
use userpool::{IdentityProviderSettings, ProviderUser};
use userpool_core::Error;

const POOL_ID: &str = r"[\w-]+_[0-9a-zA-Z]+";
const DOMAIN: &str = r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$";
const NAME: &str = r"[\w\s+=,.@-]+";
const IDENTIFIER: &str = r"[\x21\x23-\x5B\x5D-\x7E]+";
const SCOPE_NAME: &str = r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+";
const PROVIDER_NAME: &str = r"[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+";

/// `Value null at '<field>'`.
fn missing(field: &str) -> String {
    format!("Value null at '{field}' failed to satisfy constraint: Member must not be null")
}

/// A member's pattern, its value not quoted (`userPoolId`).
fn pattern(field: &str, pattern: &str) -> String {
    format!(
        "Value at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
    )
}

/// An OAuth member's pattern and length, its value quoted.
fn quoted(value: &str, field: &str, pattern: &str, max: usize) -> String {
    format!(
        "Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}, and have length between 1 and {max}"
    )
}

/// A number out of its range.
fn range(field: &str, min: i64, max: i64) -> String {
    format!(
        "Value at '{field}' failed to satisfy constraint: Member must have value between {min} and {max}"
    )
}

/// Cognito's list for `parts`.
fn list(parts: &[String]) -> String {
    let n = parts.len();
    let plural = if n == 1 { "error" } else { "errors" };
    format!("{n} validation {plural} detected: {}", parts.join("; "))
}

/// The error is `InvalidParameterException` with exactly `expected`.
fn assert_message<T: std::fmt::Debug>(result: Result<T, Error>, expected: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.code(), "InvalidParameterException", "{e}");
            assert_eq!(e.to_string(), expected);
        }
        Ok(v) => panic!("expected InvalidParameterException, got {v:?}"),
    }
}

#[test]
fn spec_21_a_domain_request_lists_its_missing_and_malformed_members_together() {
    assert_message(
        UserPoolDomainInput::parse_create(None, Some("Bad_Domain"), None, Some(3)),
        &list(&[
            missing("userPoolId"),
            quoted("Bad_Domain", "domain", DOMAIN, 63),
            range("managedLoginVersion", 1, 2),
        ]),
    );
    assert_message(
        UserPoolDomainInput::parse_update(Some("us-east-1_abc"), None, None, Some(0)),
        &list(&[missing("domain"), range("managedLoginVersion", 1, 2)]),
    );
    // A reserved word is not a member constraint: alone it is its own message, and a
    // listed violation takes precedence.
    assert_message(
        UserPoolDomainInput::parse_create(Some("us-east-1_abc"), Some("my-cognito"), None, None),
        "Domain cannot contain reserved word: cognito",
    );
    assert_message(
        UserPoolDomainInput::parse_create(None, Some("my-cognito"), None, None),
        &list(&[missing("userPoolId")]),
    );

    let env = env();
    assert_message(
        env.pools
            .create_user_pool_domain(&env.admin, "bad pool", "Bad_Domain", None, Some(3)),
        &list(&[
            pattern("userPoolId", POOL_ID),
            quoted("Bad_Domain", "domain", DOMAIN, 63),
            range("managedLoginVersion", 1, 2),
        ]),
    );
    // One malformed member alone keeps its message.
    assert_message(
        env.pools
            .create_user_pool_domain(&env.admin, &env.pool_id, "Bad_Domain", None, None),
        &list(&[quoted("Bad_Domain", "domain", DOMAIN, 63)]),
    );
    let pool = userpool_core::UserPoolId::parse(&env.pool_id).expect("pool id");
    assert_eq!(env.pools.domain_of_pool(&pool).expect("read"), None);
}

#[test]
fn spec_21_a_resource_server_request_lists_its_missing_and_malformed_members_together() {
    assert_message(
        ResourceServerWriteInput::parse(
            Some("us-east-1_abc"),
            None,
            Some("bad|name"),
            &[ScopeMembers {
                scope_name: Some("read"),
                scope_description: None,
            }],
        ),
        &list(&[
            missing("identifier"),
            quoted("bad|name", "name", NAME, 256),
            missing("scopes.member.scopeDescription"),
        ]),
    );

    let env = env();
    let scopes = [ResourceServerScope {
        name: "a/b".into(),
        description: String::new(),
    }];
    assert_message(
        env.pools
            .create_resource_server(&env.admin, &env.pool_id, "bad\"id", "bad|name", &scopes),
        &list(&[
            quoted("bad\"id", "identifier", IDENTIFIER, 256),
            quoted("bad|name", "name", NAME, 256),
            quoted("a/b", "scopes.member.scopeName", SCOPE_NAME, 256),
            "Value '' at 'scopes.member.scopeDescription' failed to satisfy constraint: Member must have length between 1 and 256".to_owned(),
        ]),
    );
    assert_message(
        env.pools
            .describe_resource_server(&env.admin, "bad pool", "bad\"id"),
        &list(&[
            pattern("userPoolId", POOL_ID),
            quoted("bad\"id", "identifier", IDENTIFIER, 256),
        ]),
    );
    let listed = env
        .pools
        .list_resource_servers(&env.admin, &env.pool_id, None, None)
        .expect("list");
    assert!(listed.resource_servers.is_empty(), "{listed:?}");
}

#[test]
fn spec_21_an_identity_provider_request_lists_its_missing_and_malformed_members_together() {
    assert_message(
        CreateIdentityProviderInput::parse(
            None,
            Some("_bad"),
            Some("OIDC"),
            IdentityProviderSettings::default(),
        ),
        &list(&[
            missing("userPoolId"),
            quoted("_bad", "providerName", PROVIDER_NAME, 32),
            missing("providerDetails"),
        ]),
    );

    let env = env();
    assert_message(
        env.pools.create_identity_provider(
            &env.admin,
            &env.pool_id,
            "_bad",
            "Nope",
            IdentityProviderSettings::default(),
        ),
        &list(&[
            quoted("_bad", "providerName", PROVIDER_NAME, 32),
            "Value 'Nope' at 'providerType' failed to satisfy constraint: Member must satisfy enum value set: [SAML, Facebook, Google, LoginWithAmazon, SignInWithApple, OIDC]".to_owned(),
            missing("providerDetails"),
        ]),
    );
    // Identifiers' rules join the list too; details' own refusal stays alone.
    let settings = IdentityProviderSettings {
        provider_details: Some(BTreeMap::from([("client_id".into(), "c".into())])),
        idp_identifiers: Some(vec!["has space".into()]),
        ..IdentityProviderSettings::default()
    };
    assert_message(
        env.pools
            .update_identity_provider(&env.admin, "bad pool", "Corp", settings),
        &list(&[
            pattern("userPoolId", POOL_ID),
            pattern("idpIdentifiers", r"[\w\s+=.@-]+"),
        ]),
    );
    let bad_details = IdentityProviderSettings {
        provider_details: Some(BTreeMap::from([(String::new(), "c".into())])),
        ..IdentityProviderSettings::default()
    };
    assert_message(
        env.pools
            .create_identity_provider(&env.admin, &env.pool_id, "Corp", "OIDC", bad_details),
        "Invalid ProviderDetails.",
    );
    let listed = env
        .pools
        .list_identity_providers(&env.admin, &env.pool_id, None, None)
        .expect("list");
    assert!(listed.providers.is_empty(), "{listed:?}");
}

#[test]
fn spec_21_list_and_link_requests_list_their_members_together() {
    let env = env();
    assert_message(
        env.pools
            .list_identity_providers(&env.admin, "bad pool", Some(61), None),
        &list(&[pattern("userPoolId", POOL_ID), range("maxResults", 1, 60)]),
    );
    assert_message(
        env.pools
            .list_resource_servers(&env.admin, &env.pool_id, Some(51), None),
        &list(&[range("maxResults", 1, 50)]),
    );
    assert_message(
        LinkProviderForUserInput::parse(Some("bad pool"), None, Some(&ProviderUser::default())),
        &list(&[pattern("userPoolId", POOL_ID), missing("destinationUser")]),
    );
}
