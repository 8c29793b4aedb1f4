//! SPEC §21 federation through the service: the EXTERNAL_PROVIDER user a verified
//! identity signs in as (named `<ProviderName>_<sub>`, its `identities`, its mapped
//! attributes refreshed), the user an admin linked it to, and the admin operations'
//! refusals. The relying party itself (HTTP, id-token verification) is the server's and is
//! tested there.

mod common;

use std::collections::BTreeMap;

use common::{Env, env};
use userpool::oauth::{ClientOAuth, IdentityProviderRecord};
use userpool::{
    AuthorizeRefusal, AuthorizeRequest, ClientSettings, ExternalIdentity, IdentityProviderSettings,
    PoolRecord, ProviderUser,
};
use userpool_core::{Error, ErrorCode, NotAuthorized};

const CALLBACK: &str = "https://app.example.com/cb";

fn provider(env: &Env, name: &str, kind: &str, identifiers: &[&str]) {
    let oidc: &[(&str, &str)] = &[
        ("client_id", "rp"),
        ("client_secret", "rp-secret"),
        ("authorize_scopes", "openid email"),
        ("attributes_request_method", "GET"),
        ("oidc_issuer", "https://idp.example.com"),
    ];
    let social: &[(&str, &str)] = &[
        ("client_id", "rp"),
        ("client_secret", "rp-secret"),
        ("authorize_scopes", "openid email"),
    ];
    let details: BTreeMap<String, String> = if kind == "OIDC" { oidc } else { social }
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    env.pools
        .create_identity_provider(
            &env.admin,
            &env.pool_id,
            name,
            kind,
            IdentityProviderSettings {
                provider_details: Some(details),
                attribute_mapping: Some(BTreeMap::from([
                    ("email".to_owned(), "mail".to_owned()),
                    ("username".to_owned(), "sub".to_owned()),
                ])),
                idp_identifiers: Some(identifiers.iter().map(|s| (*s).to_owned()).collect()),
            },
        )
        .expect("provider");
}

/// The OIDC provider `Corp` created in the env's pool: the pool's record and the
/// provider's, as the relying party holds them for a sign-in.
fn corp_provider(env: &Env) -> (PoolRecord, IdentityProviderRecord) {
    provider(env, "Corp", "OIDC", &[]);
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let record = env.pools.oidc_provider(&pool, "Corp").expect("oidc");
    (pool, record)
}

fn identity(sub: &str, mail: &str) -> ExternalIdentity {
    ExternalIdentity {
        claims: BTreeMap::from([
            ("sub".to_owned(), sub.to_owned()),
            ("mail".to_owned(), mail.to_owned()),
        ]),
    }
}

fn source<'a>(provider: &'a str, value: &'a str) -> ProviderUser<'a> {
    ProviderUser {
        provider_name: Some(provider),
        provider_attribute_name: Some("Cognito_Subject"),
        provider_attribute_value: Some(value),
    }
}

fn cognito(username: &str) -> ProviderUser<'_> {
    ProviderUser {
        provider_name: Some("Cognito"),
        provider_attribute_name: None,
        provider_attribute_value: Some(username),
    }
}

#[test]
fn s21_external_sign_in_creates_then_refreshes_the_external_provider_user() {
    let env = env();
    let (pool, record) = corp_provider(&env);
    let first = env
        .pools
        .external_sign_in(&pool, &record, &identity("abc-1", "a@example.com"))
        .expect("created");
    assert_eq!(first.username, "Corp_abc-1");
    assert_eq!(first.status.to_string(), "EXTERNAL_PROVIDER");
    assert_eq!(first.attributes["email"], "a@example.com");
    let identities: serde_json::Value =
        serde_json::from_str(&first.attributes["identities"]).expect("json");
    assert_eq!(identities[0]["userId"], "abc-1");
    assert_eq!(identities[0]["providerName"], "Corp");
    assert_eq!(identities[0]["providerType"], "OIDC");
    assert_eq!(identities[0]["primary"], true);

    let second = env
        .pools
        .external_sign_in(&pool, &record, &identity("abc-1", "b@example.com"))
        .expect("again");
    assert_eq!(second.sub, first.sub);
    assert_eq!(second.attributes["email"], "b@example.com", "mapped again");
    assert_eq!(
        second.attributes["identities"],
        first.attributes["identities"]
    );

    env.pools
        .admin_disable_user(&env.admin, &env.pool_id, "Corp_abc-1")
        .expect("disable");
    let refused = env
        .pools
        .external_sign_in(&pool, &record, &identity("abc-1", "b@example.com"));
    assert_eq!(
        refused,
        Err(Error::NotAuthorized(NotAuthorized::UserDisabled))
    );
    let no_sub = ExternalIdentity::default();
    let refused = env.pools.external_sign_in(&pool, &record, &no_sub);
    assert_eq!(
        refused.map_err(|e| e.kind()),
        Err(ErrorCode::InvalidParameter)
    );
}

#[test]
fn s21_oidc_and_social_providers_sign_in_saml_does_not() {
    let env = env();
    provider(&env, "Corp", "OIDC", &[]);
    provider(&env, "Google", "Google", &[]);
    provider(&env, "Facebook", "Facebook", &[]);
    provider(&env, "LoginWithAmazon", "LoginWithAmazon", &[]);
    provider(&env, "SignInWithApple", "SignInWithApple", &[]);
    provider(&env, "Okta", "SAML", &[]);
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    for name in [
        "Corp",
        "Google",
        "Facebook",
        "LoginWithAmazon",
        "SignInWithApple",
    ] {
        assert!(env.pools.sign_in_provider(&pool, name).is_ok(), "{name}");
    }
    for name in ["Okta", "Nobody"] {
        assert_eq!(
            env.pools
                .sign_in_provider(&pool, name)
                .map_err(|e| e.kind()),
            Err(ErrorCode::ResourceNotFound),
            "{name}"
        );
    }
    // `oidc_provider` names OIDC providers only.
    assert!(env.pools.oidc_provider(&pool, "Corp").is_ok());
    assert_eq!(
        env.pools
            .oidc_provider(&pool, "Google")
            .map_err(|e| e.kind()),
        Err(ErrorCode::ResourceNotFound)
    );
}

#[test]
fn s21_link_and_disable_refusals_change_nothing() {
    let env = env();
    provider(&env, "Corp", "OIDC", &[]);
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "dora", None, &[], None)
        .expect("dora");
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "erin", None, &[], None)
        .expect("erin");
    let link = |destination: ProviderUser<'_>, from: ProviderUser<'_>| {
        env.pools
            .admin_link_provider_for_user(&env.admin, &env.pool_id, &destination, &from)
            .map_err(|e| (e.kind(), e.to_string()))
    };
    let cases: [(ProviderUser<'_>, ProviderUser<'_>, ErrorCode); 5] = [
        (
            source("Corp", "x"),
            source("Corp", "s-1"),
            ErrorCode::InvalidParameter,
        ),
        (
            cognito("dora"),
            cognito("erin"),
            ErrorCode::InvalidParameter,
        ),
        (
            cognito("nobody"),
            source("Corp", "s-1"),
            ErrorCode::UserNotFound,
        ),
        (
            cognito("dora"),
            source("Missing", "s-1"),
            ErrorCode::ResourceNotFound,
        ),
        (
            cognito("dora"),
            ProviderUser {
                provider_attribute_name: Some("email"),
                ..source("Corp", "s-1")
            },
            ErrorCode::InvalidParameter,
        ),
    ];
    for (destination, from, expected) in cases {
        let got = link(destination, from);
        assert_eq!(got.as_ref().map_err(|e| e.0), Err(expected), "{got:?}");
    }
    let dora = env
        .pools
        .admin_get_user(&env.admin, &env.pool_id, "dora")
        .expect("dora");
    assert!(
        !dora.attributes.contains_key("identities"),
        "nothing linked"
    );

    link(cognito("dora"), source("Corp", "s-1")).expect("linked");
    link(cognito("dora"), source("Corp", "s-1")).expect("linking again is a no-op");
    let taken = link(cognito("erin"), source("Corp", "s-1"));
    assert_eq!(
        taken.map_err(|e| e.0),
        Err(ErrorCode::InvalidParameter),
        "one identity, one user"
    );
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let record = env.pools.oidc_provider(&pool, "Corp").expect("oidc");
    let signed_in = env
        .pools
        .external_sign_in(&pool, &record, &identity("s-1", "d@example.com"))
        .expect("linked sign-in");
    assert_eq!(signed_in.username, "dora");

    env.pools
        .admin_disable_provider_for_user(&env.admin, &env.pool_id, &source("Corp", "s-1"))
        .expect("unlinked");
    let dora = env
        .pools
        .admin_get_user(&env.admin, &env.pool_id, "dora")
        .expect("dora");
    assert!(!dora.attributes.contains_key("identities"), "{dora:?}");
    let own = env
        .pools
        .external_sign_in(&pool, &record, &identity("s-1", "d@example.com"))
        .expect("own user");
    assert_eq!(own.username, "Corp_s-1");
}

#[test]
fn s21_authorize_names_only_the_clients_providers() {
    let env = env();
    provider(&env, "Corp", "OIDC", &["corp.example.com"]);
    provider(&env, "Other", "OIDC", &[]);
    let client = env
        .pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            "web",
            ClientSettings {
                generate_secret: true,
                oauth: ClientOAuth {
                    allowed_flows: vec!["code".into()],
                    allowed_flows_user_pool_client: true,
                    allowed_scopes: vec!["openid".into()],
                    callback_urls: vec![CALLBACK.into()],
                    supported_identity_providers: vec!["Corp".into()],
                    ..ClientOAuth::default()
                },
                ..ClientSettings::default()
            },
        )
        .expect("client");
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let request = |provider: Option<&'static str>, identifier: Option<&'static str>| {
        let client_id = client.client_id.clone();
        let pools = &env.pools;
        let pool = &pool;
        move || {
            pools.oauth_authorize(
                pool,
                &AuthorizeRequest {
                    response_type: Some("code"),
                    client_id: Some(&client_id),
                    redirect_uri: Some(CALLBACK),
                    identity_provider: provider,
                    idp_identifier: identifier,
                    ..AuthorizeRequest::default()
                },
            )
        }
    };
    let page = request(None, None)().expect("the page offers Corp");
    assert!(!page.password_sign_in, "COGNITO is not the client's");
    assert_eq!(page.external_providers, vec!["Corp".to_owned()]);
    assert_eq!(page.identity_provider, None);
    let named = request(Some("Corp"), None)().expect("named");
    assert_eq!(named.identity_provider.as_deref(), Some("Corp"));
    let by_identifier = request(None, Some("corp.example.com"))().expect("by identifier");
    assert_eq!(by_identifier.identity_provider.as_deref(), Some("Corp"));
    for refused in [
        request(Some("Other"), None)(),
        request(Some("Nobody"), None)(),
        request(None, Some("unknown.example.com"))(),
    ] {
        assert!(
            matches!(refused, Err(AuthorizeRefusal::Page(ref m)) if m == "Login option is not available. Please try another one."),
            "{refused:?}"
        );
    }
}

#[test]
fn s21_a_federated_user_given_a_password_is_confirmed_and_signs_in_with_it() {
    let env = env();
    let (pool, record) = corp_provider(&env);
    env.pools
        .external_sign_in(&pool, &record, &identity("p-1", "p@example.com"))
        .expect("created");
    let refused = env.pools.initiate_auth(
        &env.client_id,
        "USER_PASSWORD_AUTH",
        "Corp_p-1",
        "Correct-Horse-9",
    );
    assert!(refused.is_err(), "no password yet: {refused:?}");
    // Attributes stay writable beside the `identities` the pool keeps.
    let updated = env
        .pools
        .admin_update_user_attributes(&env.admin, &env.pool_id, "Corp_p-1", &[("name", "Pat")])
        .expect("update");
    assert!(updated.attributes.contains_key("identities"));
    env.pools
        .admin_set_user_password(
            &env.admin,
            &env.pool_id,
            "Corp_p-1",
            "Correct-Horse-9",
            Some(true),
        )
        .expect("password");
    let user = env
        .pools
        .admin_get_user(&env.admin, &env.pool_id, "Corp_p-1")
        .expect("user");
    assert_eq!(user.status.to_string(), "CONFIRMED");
    let signed_in = env.pools.initiate_auth(
        &env.client_id,
        "USER_PASSWORD_AUTH",
        "Corp_p-1",
        "Correct-Horse-9",
    );
    assert!(
        matches!(signed_in, Ok(userpool::AuthResult::Authenticated(_))),
        "{signed_in:?}"
    );
    // `identities` is the pool's: no admin write may set it.
    let forged = env.pools.admin_update_user_attributes(
        &env.admin,
        &env.pool_id,
        "Corp_p-1",
        &[("identities", "[]")],
    );
    assert_eq!(
        forged.map_err(|e| e.kind()).err(),
        Some(ErrorCode::InvalidParameter)
    );
}

#[test]
fn s21_facebook_urls_follow_a_new_api_version_unless_the_operator_set_them() {
    let env = env();
    provider(&env, "Facebook", "Facebook", &[]);
    let pool_id = env.pool_id.clone();
    let described = env
        .pools
        .describe_identity_provider(&env.admin, &pool_id, "Facebook")
        .expect("describe");
    assert_eq!(described.provider_details["api_version"], "v17.0");
    // The described details sent back with a new version: the filled-in URLs follow it.
    let mut details = described.provider_details.clone();
    details.insert("api_version".into(), "v19.0".into());
    let updated = env
        .pools
        .update_identity_provider(
            &env.admin,
            &pool_id,
            "Facebook",
            IdentityProviderSettings {
                provider_details: Some(details.clone()),
                ..IdentityProviderSettings::default()
            },
        )
        .expect("update");
    assert_eq!(
        updated.provider_details["authorize_url"],
        "https://www.facebook.com/v19.0/dialog/oauth"
    );
    assert_eq!(
        updated.provider_details["attributes_url"],
        "https://graph.facebook.com/v19.0/me?fields="
    );
    // An operator's own token URL stays through a version change.
    let mut details = updated.provider_details.clone();
    details.insert("api_version".into(), "v20.0".into());
    details.insert("token_url".into(), "https://proxy.example.com/token".into());
    let updated = env
        .pools
        .update_identity_provider(
            &env.admin,
            &pool_id,
            "Facebook",
            IdentityProviderSettings {
                provider_details: Some(details),
                ..IdentityProviderSettings::default()
            },
        )
        .expect("update");
    assert_eq!(
        updated.provider_details["token_url"],
        "https://proxy.example.com/token"
    );
    assert_eq!(
        updated.provider_details["authorize_url"],
        "https://www.facebook.com/v20.0/dialog/oauth"
    );
}

/// A disabled federated user's refused sign-in writes nothing: the provider's changed
/// claims are not mapped onto it and its version stays ("a failed operation leaves status,
/// password, history and version exactly as they were").
#[test]
fn s21_a_disabled_external_users_refused_sign_in_changes_nothing() {
    let env = env();
    let (pool, record) = corp_provider(&env);
    env.pools
        .external_sign_in(&pool, &record, &identity("abc-9", "a@example.com"))
        .expect("created");
    env.pools
        .admin_disable_user(&env.admin, &env.pool_id, "Corp_abc-9")
        .expect("disable");
    let before = env
        .pools
        .admin_get_user(&env.admin, &env.pool_id, "Corp_abc-9")
        .expect("get");
    let refused =
        env.pools
            .external_sign_in(&pool, &record, &identity("abc-9", "changed@example.com"));
    assert_eq!(
        refused,
        Err(Error::NotAuthorized(NotAuthorized::UserDisabled))
    );
    let after = env
        .pools
        .admin_get_user(&env.admin, &env.pool_id, "Corp_abc-9")
        .expect("get");
    assert_eq!(after.attributes["email"], "a@example.com", "nothing mapped");
    assert_eq!(after.version, before.version, "nothing written");
}

/// The settings a host passes to CreateIdentityProvider never show their secrets in
/// `Debug` (a host logging them must not log an OIDC client secret or Apple's signing key),
/// as [`userpool::IdentityProviderRecord`]'s does not.
#[test]
fn s21_identity_provider_settings_redact_their_secrets_in_debug() {
    let settings = IdentityProviderSettings {
        provider_details: Some(BTreeMap::from([
            ("client_id".to_owned(), "rp".to_owned()),
            (
                "client_secret".to_owned(),
                "Hunter2-client-secret".to_owned(),
            ),
            (
                "private_key".to_owned(),
                "-----BEGIN PRIVATE KEY-----Hunter2-key".to_owned(),
            ),
        ])),
        ..IdentityProviderSettings::default()
    };
    let shown = format!("{settings:?}");
    assert!(!shown.contains("Hunter2"), "{shown}");
    assert!(
        shown.contains("client_id") && shown.contains("\"rp\""),
        "{shown}"
    );
}

/// Linking the same identity to the same user again changes nothing, as SPEC §21 says: the
/// user's version stays.
#[test]
fn s21_linking_the_same_pair_again_changes_nothing() {
    let env = env();
    provider(&env, "Corp", "OIDC", &[]);
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "dora", None, &[], None)
        .expect("dora");
    let link = || {
        env.pools.admin_link_provider_for_user(
            &env.admin,
            &env.pool_id,
            &cognito("dora"),
            &source("Corp", "s-7"),
        )
    };
    link().expect("linked");
    let before = env
        .pools
        .admin_get_user(&env.admin, &env.pool_id, "dora")
        .expect("get");
    link().expect("linked again");
    let after = env
        .pools
        .admin_get_user(&env.admin, &env.pool_id, "dora")
        .expect("get");
    assert_eq!(after.attributes, before.attributes);
    assert_eq!(after.version, before.version, "nothing written");
}

/// Sign in with Apple's `private_key` is write-only (DescribeIdentityProvider leaves it
/// out), so an UpdateIdentityProvider whose details omit it — the round trip of a tool that
/// describes, edits and updates — keeps the stored key instead of dropping it and breaking
/// every Apple sign-in. A key given replaces it.
#[test]
fn s21_an_update_without_apples_private_key_keeps_the_stored_one() {
    let env = env();
    let details = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let base = [
        ("client_id", "com.example.web"),
        ("team_id", "TEAM123456"),
        ("key_id", "KEY1234567"),
        ("authorize_scopes", "email name"),
    ];
    let mut first = details(&base);
    first.insert("private_key".into(), "key-one".into());
    env.pools
        .create_identity_provider(
            &env.admin,
            &env.pool_id,
            "SignInWithApple",
            "SignInWithApple",
            IdentityProviderSettings {
                provider_details: Some(first),
                ..IdentityProviderSettings::default()
            },
        )
        .expect("apple");
    let stored_key = || {
        let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
        env.pools
            .sign_in_provider(&pool, "SignInWithApple")
            .expect("provider")
            .provider_details
            .get("private_key")
            .cloned()
    };
    let mut edited = details(&base);
    edited.insert("authorize_scopes".into(), "email".into());
    let update = |provider_details| {
        env.pools
            .update_identity_provider(
                &env.admin,
                &env.pool_id,
                "SignInWithApple",
                IdentityProviderSettings {
                    provider_details: Some(provider_details),
                    ..IdentityProviderSettings::default()
                },
            )
            .expect("update")
    };
    let updated = update(edited.clone());
    assert_eq!(updated.provider_details["authorize_scopes"], "email");
    assert_eq!(stored_key().as_deref(), Some("key-one"), "kept");
    edited.insert("private_key".into(), "key-two".into());
    update(edited);
    assert_eq!(stored_key().as_deref(), Some("key-two"), "replaced");
}

/// The `identities` attribute is Cognito's record of where a user signs in from: an
/// AttributeMapping naming it does not let the provider's claim overwrite it, at creation
/// or at a later sign-in (a forged entry would link another identity to the user).
#[test]
fn s21_a_mapping_onto_identities_does_not_overwrite_them() {
    let env = env();
    env.pools
        .create_identity_provider(
            &env.admin,
            &env.pool_id,
            "Corp",
            "OIDC",
            IdentityProviderSettings {
                provider_details: Some(BTreeMap::from([
                    ("client_id".to_owned(), "rp".to_owned()),
                    ("client_secret".to_owned(), "rp-secret".to_owned()),
                    ("authorize_scopes".to_owned(), "openid".to_owned()),
                    ("attributes_request_method".to_owned(), "GET".to_owned()),
                    (
                        "oidc_issuer".to_owned(),
                        "https://idp.example.com".to_owned(),
                    ),
                ])),
                attribute_mapping: Some(BTreeMap::from([
                    ("identities".to_owned(), "forged".to_owned()),
                    ("username".to_owned(), "sub".to_owned()),
                ])),
                idp_identifiers: None,
            },
        )
        .expect("provider");
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let record = env.pools.oidc_provider(&pool, "Corp").expect("oidc");
    let forged = r#"[{"userId":"victim","providerName":"Other","providerType":"OIDC","issuer":null,"primary":true,"dateCreated":1}]"#;
    let claims = ExternalIdentity {
        claims: BTreeMap::from([
            ("sub".to_owned(), "abc-3".to_owned()),
            ("forged".to_owned(), forged.to_owned()),
        ]),
    };
    for attempt in ["created", "signed in again"] {
        let user = env
            .pools
            .external_sign_in(&pool, &record, &claims)
            .expect(attempt);
        let identities: serde_json::Value =
            serde_json::from_str(&user.attributes["identities"]).expect("json");
        assert_eq!(identities[0]["userId"], "abc-3", "{attempt}: {identities}");
        assert_eq!(identities[0]["providerName"], "Corp", "{attempt}");
    }
}
