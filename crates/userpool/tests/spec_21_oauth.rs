//! SPEC §21 through the service: the authorize decisions (where a refusal may go), the
//! code exchange's refusals (replay, another client, another redirect URI, PKCE, expiry),
//! the client-credentials grant, client authentication, and the records' operations.

mod common;

use chrono::TimeDelta;
use common::{Env, env};
use userpool::oauth::{ClientOAuth, ResourceServerScope};
use userpool::{
    AUTHORIZATION_CODE_LIFETIME, AuthResult, AuthorizeRefusal, AuthorizeRequest, ClientRecord,
    ClientSettings, TokenRefusal,
};
use userpool_core::oauth::{OAuthError, s256_challenge};

const CALLBACK: &str = "https://app.example.com/cb";
const VERIFIER: &str = "a-very-long-pkce-code-verifier-0123456789-abcdefghijklmnopqrstuv";

/// The authorization-code flow's settings every code-flow client here shares (the
/// flow, allowed for this user pool's users, redirecting to `CALLBACK`).
fn code_flow() -> ClientOAuth {
    ClientOAuth {
        allowed_flows: vec!["code".into()],
        allowed_flows_user_pool_client: true,
        callback_urls: vec![CALLBACK.into()],
        ..ClientOAuth::default()
    }
}

/// A client `name` of the env's pool with the OAuth settings `oauth`.
fn oauth_client(env: &Env, name: &str, oauth: ClientOAuth) -> ClientRecord {
    env.pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            name,
            ClientSettings {
                oauth,
                ..ClientSettings::default()
            },
        )
        .expect("client")
}

fn public_client(env: &Env) -> ClientRecord {
    oauth_client(
        env,
        "web",
        ClientOAuth {
            allowed_scopes: vec!["openid".into(), "email".into()],
            supported_identity_providers: vec!["COGNITO".into()],
            ..code_flow()
        },
    )
}

fn request<'a>(client_id: &'a str, challenge: &'a str) -> AuthorizeRequest<'a> {
    AuthorizeRequest {
        response_type: Some("code"),
        client_id: Some(client_id),
        redirect_uri: Some(CALLBACK),
        scope: Some("openid"),
        state: Some("st-1"),
        nonce: Some("n-1"),
        code_challenge: Some(challenge),
        code_challenge_method: Some("S256"),
        ..AuthorizeRequest::default()
    }
}

/// Signs `alice` in through the hosted page's door and stores a code for her; returns the
/// code's digest.
fn code_for_alice(env: &Env, client: &ClientRecord, digest: [u8; 32]) {
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let challenge = s256_challenge(VERIFIER);
    let grant = env
        .pools
        .oauth_authorize(&pool, &request(&client.client_id, &challenge))
        .expect("accepted");
    let AuthResult::Authenticated(user) = env
        .pools
        .hosted_sign_in(&client.client_id, "alice", "Correct-Horse-9")
        .expect("signed in")
    else {
        panic!("expected tokens")
    };
    env.pools
        .save_authorization_code(&grant, user.user.sub, digest)
        .expect("saved");
}

/// A change to an authorization request.
type Change = fn(&mut AuthorizeRequest<'_>);

fn setup() -> (Env, ClientRecord) {
    let env = env();
    env.confirmed(
        "alice",
        "Correct-Horse-9",
        &[("email", "alice@example.com")],
    );
    let client = public_client(&env);
    (env, client)
}

fn invalid_grant<T: std::fmt::Debug>(result: Result<T, TokenRefusal>) {
    assert!(
        matches!(result, Err(TokenRefusal::OAuth(OAuthError::InvalidGrant))),
        "{result:?}"
    );
}

#[test]
fn spec_21_authorize_never_redirects_to_an_unregistered_uri() {
    let (env, client) = setup();
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let challenge = s256_challenge(VERIFIER);
    let mut evil = request(&client.client_id, &challenge);
    evil.redirect_uri = Some("https://evil.example.com/cb");
    assert!(matches!(
        env.pools.oauth_authorize(&pool, &evil),
        Err(AuthorizeRefusal::Page(_))
    ));
    let mut unknown = request("nosuchclient", &challenge);
    unknown.client_id = Some("nosuchclient");
    assert!(matches!(
        env.pools.oauth_authorize(&pool, &unknown),
        Err(AuthorizeRefusal::Page(_))
    ));
    // Once the redirect URI is the client's, refusals go back to it with the state.
    let cases: &[(Change, OAuthError)] = &[
        (
            |r| r.scope = Some("openid profile"),
            OAuthError::InvalidScope,
        ),
        // `token` is the implicit flow, which this client does not allow.
        (
            |r| r.response_type = Some("token"),
            OAuthError::UnauthorizedClient,
        ),
        (
            |r| r.response_type = Some("id_token"),
            OAuthError::UnsupportedResponseType,
        ),
        (|r| r.code_challenge = None, OAuthError::InvalidRequest),
        (
            |r| r.code_challenge_method = Some("plain"),
            OAuthError::InvalidRequest,
        ),
    ];
    for (change, expected) in cases {
        let mut r = request(&client.client_id, &challenge);
        change(&mut r);
        match env.pools.oauth_authorize(&pool, &r) {
            Err(AuthorizeRefusal::Redirect {
                redirect_uri,
                error,
                state,
            }) => {
                assert_eq!(redirect_uri, CALLBACK);
                assert_eq!(error, *expected);
                assert_eq!(state.as_deref(), Some("st-1"));
            }
            other => panic!("expected a redirect with {expected:?}, got {other:?}"),
        }
    }
}

#[test]
fn spec_21_a_code_works_once_for_its_client_uri_and_verifier() {
    let (env, client) = setup();
    let other = public_client(&env);
    let exchange = |client: &ClientRecord, digest: [u8; 32], uri: &str, verifier: Option<&str>| {
        env.pools
            .exchange_authorization_code(client, Some(digest), Some(uri), verifier)
    };

    code_for_alice(&env, &client, [1; 32]);
    invalid_grant(exchange(&other, [1; 32], CALLBACK, Some(VERIFIER)));
    invalid_grant(exchange(&client, [1; 32], CALLBACK, Some(VERIFIER)));

    code_for_alice(&env, &client, [2; 32]);
    invalid_grant(exchange(
        &client,
        [2; 32],
        "https://app.example.com/other",
        Some(VERIFIER),
    ));

    code_for_alice(&env, &client, [3; 32]);
    invalid_grant(exchange(&client, [3; 32], CALLBACK, None));

    code_for_alice(&env, &client, [4; 32]);
    let wrong = VERIFIER.replace('a', "b");
    invalid_grant(exchange(&client, [4; 32], CALLBACK, Some(&wrong)));

    code_for_alice(&env, &client, [5; 32]);
    let grant = exchange(&client, [5; 32], CALLBACK, Some(VERIFIER)).expect("exchanged");
    assert_eq!(grant.user.username, "alice");
    assert_eq!(grant.code.scopes, ["openid"]);
    assert_eq!(grant.code.nonce.as_deref(), Some("n-1"));
    invalid_grant(exchange(&client, [5; 32], CALLBACK, Some(VERIFIER)));
}

#[test]
fn spec_21_a_verifier_for_a_code_without_a_challenge_is_a_downgrade() {
    let (env, _) = setup();
    let mut settings = ClientSettings {
        generate_secret: true,
        ..ClientSettings::default()
    };
    settings.oauth = public_client(&env).oauth;
    let confidential = env
        .pools
        .create_user_pool_client(&env.admin, &env.pool_id, "server-side", settings)
        .expect("client");
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let save = |digest: [u8; 32]| {
        let mut r = request(&confidential.client_id, "");
        r.code_challenge = None;
        r.code_challenge_method = None;
        let grant = env
            .pools
            .oauth_authorize(&pool, &r)
            .expect("a client with a secret may omit PKCE");
        assert_eq!(grant.code_challenge, None);
        let sub = env
            .pools
            .admin_get_user(&env.admin, &env.pool_id, "alice")
            .expect("alice")
            .sub;
        env.pools
            .save_authorization_code(&grant, sub, digest)
            .expect("saved");
    };
    save([11; 32]);
    invalid_grant(env.pools.exchange_authorization_code(
        &confidential,
        Some([11; 32]),
        Some(CALLBACK),
        Some(VERIFIER),
    ));
    save([12; 32]);
    env.pools
        .exchange_authorization_code(&confidential, Some([12; 32]), Some(CALLBACK), None)
        .expect("no challenge, no verifier");
}

#[test]
fn spec_21_logout_redirects_only_to_a_registered_logout_url() {
    let env = env();
    let client = oauth_client(
        &env,
        "web",
        ClientOAuth {
            allowed_scopes: vec!["openid".into()],
            logout_urls: vec!["https://app.example.com/bye".into()],
            ..code_flow()
        },
    );
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let id = client.client_id.as_str();
    let logout =
        |client: Option<&str>, uri: Option<&str>| env.pools.oauth_logout(&pool, client, uri);
    assert_eq!(
        logout(Some(id), Some("https://app.example.com/bye")),
        Ok(Some("https://app.example.com/bye".to_owned()))
    );
    assert_eq!(logout(Some(id), None), Ok(None));
    for (client, uri) in [
        (Some(id), Some("https://app.example.com/bye/")),
        (Some(id), Some("https://evil.example.com/bye")),
        (Some(id), Some(CALLBACK)),
        (Some("nosuchclient"), Some("https://app.example.com/bye")),
        (None, Some("https://app.example.com/bye")),
    ] {
        assert!(
            matches!(logout(client, uri), Err(AuthorizeRefusal::Page(_))),
            "{client:?} {uri:?}"
        );
    }
}

#[test]
fn spec_21_no_password_sign_in_for_a_client_without_cognito_as_provider() {
    let (env, web) = setup();
    let mut oauth = web.oauth.clone();
    oauth.supported_identity_providers.clear();
    let federated = env
        .pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            "federated-only",
            ClientSettings {
                oauth,
                ..ClientSettings::default()
            },
        )
        .expect("client");
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let challenge = s256_challenge(VERIFIER);
    assert!(matches!(
        env.pools
            .oauth_authorize(&pool, &request(&federated.client_id, &challenge)),
        Err(AuthorizeRefusal::Page(_))
    ));
    let refused = env
        .pools
        .hosted_sign_in(&federated.client_id, "alice", "Correct-Horse-9");
    assert!(
        matches!(refused, Err(userpool_core::Error::NotAuthorized(_))),
        "{refused:?}"
    );
    assert!(
        env.pools
            .hosted_sign_in(&web.client_id, "alice", "Correct-Horse-9")
            .is_ok()
    );
}

#[test]
fn spec_21_a_code_expires_after_five_minutes() {
    let (env, client) = setup();
    code_for_alice(&env, &client, [7; 32]);
    env.clock.advance(AUTHORIZATION_CODE_LIFETIME);
    invalid_grant(env.pools.exchange_authorization_code(
        &client,
        Some([7; 32]),
        Some(CALLBACK),
        Some(VERIFIER),
    ));
    code_for_alice(&env, &client, [8; 32]);
    env.clock
        .advance(AUTHORIZATION_CODE_LIFETIME - TimeDelta::seconds(1));
    env.pools
        .exchange_authorization_code(&client, Some([8; 32]), Some(CALLBACK), Some(VERIFIER))
        .expect("one second before expiry it works");
}

#[test]
fn spec_21_a_disabled_user_cannot_exchange_a_code() {
    let (env, client) = setup();
    code_for_alice(&env, &client, [9; 32]);
    env.pools
        .admin_disable_user(&env.admin, &env.pool_id, "alice")
        .expect("disable");
    invalid_grant(env.pools.exchange_authorization_code(
        &client,
        Some([9; 32]),
        Some(CALLBACK),
        Some(VERIFIER),
    ));
}

#[test]
fn spec_21_client_credentials_need_a_secret_the_flow_and_custom_scopes() {
    let env = env();
    env.pools
        .create_resource_server(
            &env.admin,
            &env.pool_id,
            "orders",
            "Orders",
            &[ResourceServerScope {
                name: "read".into(),
                description: "read".into(),
            }],
        )
        .expect("resource server");
    let m2m = env
        .pools
        .create_user_pool_client(
            &env.admin,
            &env.pool_id,
            "m2m",
            ClientSettings {
                generate_secret: true,
                oauth: ClientOAuth {
                    allowed_flows: vec!["client_credentials".into()],
                    allowed_flows_user_pool_client: true,
                    allowed_scopes: vec!["orders/read".into()],
                    ..ClientOAuth::default()
                },
                ..ClientSettings::default()
            },
        )
        .expect("m2m client");
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let secret = m2m.secret.clone().expect("secret");
    let client = env
        .pools
        .oauth_client(&pool, &m2m.client_id, Some(&secret))
        .expect("authenticated");
    assert_eq!(
        env.pools.client_credentials_scopes(&client, None),
        Ok(vec!["orders/read".to_owned()])
    );
    assert_eq!(
        env.pools.client_credentials_scopes(&client, Some("openid")),
        Err(TokenRefusal::OAuth(OAuthError::InvalidScope))
    );
    // Wrong secrets of every length: shorter, the same length (the secret with its last
    // character changed), longer (the secret with one more character).
    let mut same_length = secret.clone();
    let last = same_length.pop().expect("a non-empty secret");
    same_length.push(if last == 'a' { 'b' } else { 'a' });
    let longer = format!("{secret}a");
    for secret in [
        None,
        Some("wrong"),
        Some(&same_length[..]),
        Some(&longer[..]),
    ] {
        assert_eq!(
            env.pools.oauth_client(&pool, &m2m.client_id, secret),
            Err(TokenRefusal::OAuth(OAuthError::InvalidClient))
        );
    }
    // A public code-flow client may not use the grant.
    let web = public_client(&env);
    let web = env
        .pools
        .oauth_client(&pool, &web.client_id, None)
        .expect("public client");
    assert_eq!(
        env.pools.client_credentials_scopes(&web, None),
        Err(TokenRefusal::OAuth(OAuthError::UnauthorizedClient))
    );
    // And a client_credentials client without a secret cannot be made.
    let refused = env.pools.create_user_pool_client(
        &env.admin,
        &env.pool_id,
        "no-secret",
        ClientSettings {
            oauth: ClientOAuth {
                allowed_flows: vec!["client_credentials".into()],
                allowed_flows_user_pool_client: true,
                allowed_scopes: vec!["orders/read".into()],
                ..ClientOAuth::default()
            },
            ..ClientSettings::default()
        },
    );
    assert_eq!(
        refused.map_err(|e| e.code()).err(),
        Some("InvalidOAuthFlowException")
    );
}

#[test]
fn spec_21_the_pool_is_addressed_by_id_or_by_domain() {
    let env = env();
    env.pools
        .create_user_pool_domain(&env.admin, &env.pool_id, "my-auth", None, None)
        .expect("domain");
    let by_id = env.pools.oauth_pool(&env.pool_id).expect("by id");
    let by_domain = env.pools.oauth_pool("my-auth").expect("by domain");
    assert_eq!(by_id.id, by_domain.id);
    assert_eq!(
        env.pools
            .oauth_pool("other-auth")
            .map_err(|e| e.code())
            .err(),
        Some("ResourceNotFoundException")
    );
}

/// SPEC §21 meets the user's own operations: a session with no scopes is an API
/// sign-in's, which may call ChangePassword or DeleteUser, so the authorize endpoint
/// grants no code for nothing (a client allowed no scope).
#[test]
fn spec_21_a_client_allowed_no_scope_gets_no_code() {
    let (env, _) = setup();
    let client = oauth_client(
        &env,
        "scopeless",
        ClientOAuth {
            supported_identity_providers: vec!["COGNITO".into()],
            ..code_flow()
        },
    );
    let pool = env.pools.oauth_pool(&env.pool_id).expect("pool");
    let challenge = s256_challenge(VERIFIER);
    let mut r = request(&client.client_id, &challenge);
    r.scope = None;
    match env.pools.oauth_authorize(&pool, &r) {
        Err(AuthorizeRefusal::Redirect { error, .. }) => {
            assert_eq!(error, OAuthError::InvalidScope);
        }
        other => panic!("expected invalid_scope, got {other:?}"),
    }
}

#[test]
fn spec_21_resource_server_and_provider_lists_page_by_key_with_their_own_tokens() {
    let env = env();
    for identifier in [
        "https://a.example.com",
        "https://b.example.com",
        "https://c.example.com",
    ] {
        env.pools
            .create_resource_server(&env.admin, &env.pool_id, identifier, "api", &[])
            .expect("resource server");
    }
    let first = env
        .pools
        .list_resource_servers(&env.admin, &env.pool_id, Some(2), None)
        .expect("first page");
    let names: Vec<&str> = first
        .resource_servers
        .iter()
        .map(|s| s.identifier.as_str())
        .collect();
    assert_eq!(names, ["https://a.example.com", "https://b.example.com"]);
    let token = first.next_token.expect("a second page");
    let second = env
        .pools
        .list_resource_servers(&env.admin, &env.pool_id, Some(2), Some(&token))
        .expect("second page");
    assert_eq!(second.resource_servers.len(), 1);
    assert_eq!(
        second.resource_servers[0].identifier,
        "https://c.example.com"
    );
    assert_eq!(second.next_token, None, "the last page has no token");

    // A resource-server token is not a provider token; page sizes keep their ranges.
    let e = env
        .pools
        .list_identity_providers(&env.admin, &env.pool_id, None, Some(&token))
        .expect_err("another listing's token");
    assert_eq!(
        (e.code(), e.to_string()),
        ("InvalidParameterException", "Invalid NextToken.".to_owned())
    );
    for (max, range) in [(0, 50), (51, 50)] {
        let e = env
            .pools
            .list_resource_servers(&env.admin, &env.pool_id, Some(max), None)
            .expect_err("out of range");
        assert!(
            e.to_string().ends_with(&format!("between 1 and {range}")),
            "{e}"
        );
    }
    let e = env
        .pools
        .list_identity_providers(&env.admin, &env.pool_id, Some(61), None)
        .expect_err("out of range");
    assert!(e.to_string().ends_with("between 1 and 60"), "{e}");
    let empty = env
        .pools
        .list_identity_providers(&env.admin, &env.pool_id, Some(60), None)
        .expect("no providers");
    assert!(empty.providers.is_empty() && empty.next_token.is_none());
}
