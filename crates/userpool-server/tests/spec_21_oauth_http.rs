//! SPEC §21 over HTTP, in process: discovery, the authorize → sign-in page → code →
//! token flow with PKCE as a browser and an OIDC client drive it (form fields, CSRF
//! cookie, redirects), the refusals (open redirect, replay, CSRF), userInfo, revoke,
//! logout, and client credentials.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use common::code_flow::{
    CALLBACK, PASSWORD, Setup, VERIFIER, authorize_uri, code_of, exchange, filled_sign_in_form,
    open_sign_in_page, post_login, setup, sign_in, sign_in_form,
};
use common::oauth::{Reply, call, claims, form, get, logout, post_form, user_info};
use common::{admin_ok, error_type, request, send};
use serde_json::{Value, json};

#[tokio::test]
async fn spec_21_discovery_names_the_endpoints_under_the_issuer() {
    let s = setup().await;
    let doc = call(
        &s.app,
        get(&format!("/{}/.well-known/openid-configuration", s.pool)),
    )
    .await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    let issuer = doc["issuer"].as_str().expect("issuer");
    assert!(issuer.ends_with(&format!("/{}", s.pool)), "{issuer}");
    for (key, path) in [
        ("authorization_endpoint", "/oauth2/authorize"),
        ("token_endpoint", "/oauth2/token"),
        ("userinfo_endpoint", "/oauth2/userInfo"),
        ("jwks_uri", "/.well-known/jwks.json"),
    ] {
        assert_eq!(doc[key], json!(format!("{issuer}{path}")), "{key}");
    }
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    let missing = call(
        &s.app,
        get("/us-east-1_Nope0000/.well-known/openid-configuration"),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn spec_21_code_flow_with_pkce_issues_tokens_once() {
    let s = setup().await;
    let wrong = sign_in(&s, "Wrong-Passw0rd!").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong.body.contains("Incorrect username or password."),
        "{}",
        wrong.body
    );
    assert!(wrong.headers.get(header::LOCATION).is_none());

    let signed = sign_in(&s, PASSWORD).await;
    assert_eq!(signed.status, StatusCode::FOUND, "{}", signed.body);
    let location = signed.location();
    assert!(location.starts_with(&format!("{CALLBACK}?")), "{location}");
    let code = code_of(&location);

    let bad = exchange(&s, &code, &VERIFIER.replace('p', "q")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json(), json!({"error": "invalid_grant"}));
    // The failed exchange spent the code.
    let spent = exchange(&s, &code, VERIFIER).await;
    assert_eq!(spent.json(), json!({"error": "invalid_grant"}));

    let code = code_of(&sign_in(&s, PASSWORD).await.location());
    let tokens = exchange(&s, &code, VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    assert_eq!(
        tokens
            .headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
    let tokens = tokens.json();
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(id["nonce"], "n0nce");
    assert_eq!(id["aud"], json!(s.client_id));
    assert_eq!(id["cognito:username"], "alice");
    let access = claims(tokens["access_token"].as_str().expect("access token"));
    assert_eq!(access["scope"], "openid email");
    // userInfo with the access token.
    let info = call(
        &s.app,
        user_info(&s.pool, tokens["access_token"].as_str().expect("at")),
    )
    .await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    assert_eq!(info.json()["email"], "alice@example.com");
    // The scheme's name is case-insensitive; a scheme without a token is refused.
    let at = tokens["access_token"].as_str().expect("at");
    for (value, status) in [
        (format!("bearer {at}"), StatusCode::OK),
        (format!("BEARER  {at}"), StatusCode::OK),
        ("Bearer ".to_owned(), StatusCode::UNAUTHORIZED),
        (format!("Basic {at}"), StatusCode::UNAUTHORIZED),
    ] {
        let request = Request::get(format!("/{}/oauth2/userInfo", s.pool))
            .header(header::AUTHORIZATION, value.clone())
            .body(Body::empty())
            .expect("request");
        let info = call(&s.app, request).await;
        assert_eq!(info.status, status, "{value:.12}: {}", info.body);
    }
    // POST is answered as GET (Cognito's userInfo takes either method).
    let posted = Request::post(format!("/{}/oauth2/userInfo", s.pool))
        .header(header::AUTHORIZATION, format!("Bearer {at}"))
        .body(Body::empty())
        .expect("request");
    let posted = call(&s.app, posted).await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    assert_eq!(posted.json(), info.json());

    // Refresh, then revoke: the refresh token stops working.
    let refresh_token = tokens["refresh_token"].as_str().expect("refresh token");
    let refresh = |token: String| {
        let body = form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &s.client_id),
            ("refresh_token", &token),
        ]);
        post_form(&format!("/{}/oauth2/token", s.pool), &body, &[])
    };
    let refreshed = call(&s.app, refresh(refresh_token.to_owned())).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    assert_eq!(
        claims(refreshed.json()["access_token"].as_str().expect("at"))["scope"],
        "openid email",
        "a refresh keeps the granted scopes"
    );
    // As Cognito's: new access and id tokens, and no new refresh token (the one sent stays
    // the session's).
    let body = refreshed.json();
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body["id_token"].is_string(), "{body}");
    let revoke_body = form(&[("token", refresh_token), ("client_id", &s.client_id)]);
    let revoked = call(
        &s.app,
        post_form(&format!("/{}/oauth2/revoke", s.pool), &revoke_body, &[]),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let after = call(&s.app, refresh(refresh_token.to_owned())).await;
    assert_eq!(after.json(), json!({"error": "invalid_grant"}));
    // The code gives nothing twice (and its replay revokes what it gave: spec_21_attacks).
    let again = exchange(&s, &code, VERIFIER).await;
    assert_eq!(again.json(), json!({"error": "invalid_grant"}), "replayed");
}

#[tokio::test]
async fn spec_21_an_unregistered_redirect_uri_is_never_redirected_to() {
    let s = setup().await;
    let reply = call(
        &s.app,
        get(&authorize_uri(&s, "https://evil.example.com/cb")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.headers.get(header::LOCATION).is_none());
    assert!(reply.body.contains("redirect_mismatch"), "{}", reply.body);
}

#[tokio::test]
async fn spec_21_the_form_needs_its_csrf_cookie() {
    let s = setup().await;
    let page = open_sign_in_page(&s).await;
    let body = filled_sign_in_form(&page, "alice", PASSWORD);
    for cookie in [None, Some("userpool_csrf=forged")] {
        let headers: Vec<(&str, &str)> = cookie.iter().map(|c| ("cookie", *c)).collect();
        let reply = call(
            &s.app,
            post_form(&format!("/{}/login", s.pool), &body, &headers),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{cookie:?}");
        assert!(reply.headers.get(header::LOCATION).is_none());
    }
}

#[tokio::test]
async fn spec_21_client_credentials_and_the_token_endpoints_errors() {
    let s = setup().await;
    admin_ok(
        &s.app,
        "CreateResourceServer",
        json!({"UserPoolId": s.pool, "Identifier": "orders", "Name": "Orders",
               "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}),
    )
    .await;
    let m2m = admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({"UserPoolId": s.pool, "ClientName": "m2m", "GenerateSecret": true,
               "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
               "AllowedOAuthScopes": ["orders/read"]}),
    )
    .await;
    let id = m2m["UserPoolClient"]["ClientId"].as_str().expect("id");
    let secret = m2m["UserPoolClient"]["ClientSecret"]
        .as_str()
        .expect("secret");
    let basic = format!(
        "Basic {}",
        Base64::encode_string(format!("{id}:{secret}").as_bytes())
    );
    let uri = format!("/{}/oauth2/token", s.pool);
    let ok = call(
        &s.app,
        post_form(
            &uri,
            "grant_type=client_credentials",
            &[("authorization", &basic)],
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let access = claims(ok.json()["access_token"].as_str().expect("token"));
    assert_eq!(access["sub"], json!(id));
    assert_eq!(access["scope"], "orders/read");

    let wrong = format!(
        "Basic {}",
        Base64::encode_string(format!("{id}:nope").as_bytes())
    );
    let cases = [
        (
            "grant_type=client_credentials",
            Some(wrong.as_str()),
            401,
            "invalid_client",
        ),
        (
            "grant_type=client_credentials&scope=openid",
            Some(basic.as_str()),
            400,
            "invalid_scope",
        ),
        (
            "grant_type=password",
            Some(basic.as_str()),
            400,
            "unsupported_grant_type",
        ),
        (
            "grant_type=client_credentials&grant_type=client_credentials",
            Some(basic.as_str()),
            400,
            "invalid_request",
        ),
        ("", Some(basic.as_str()), 400, "invalid_request"),
    ];
    for (body, auth, status, error) in cases {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", *a)).collect();
        let reply = call(&s.app, post_form(&uri, body, &headers)).await;
        assert_eq!(reply.status.as_u16(), status, "{body}: {}", reply.body);
        assert_eq!(reply.json(), json!({ "error": error }), "{body}");
    }
    // The web client (no secret, code flow) may not use client credentials.
    let reply = call(
        &s.app,
        post_form(
            &uri,
            &form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &s.client_id),
            ]),
            &[],
        ),
    )
    .await;
    assert_eq!(reply.json(), json!({"error": "unauthorized_client"}));
}

#[tokio::test]
async fn spec_21_logout_redirects_only_to_a_registered_logout_url() {
    let s = setup().await;
    let to = |uri| logout(&s.pool, &[("client_id", &s.client_id), ("logout_uri", uri)]);
    let ok = call(&s.app, to("http://localhost:8000/bye")).await;
    assert_eq!(ok.status, StatusCode::FOUND);
    assert_eq!(ok.location(), "http://localhost:8000/bye");
    let evil = call(&s.app, to("https://evil.example.com")).await;
    assert_eq!(evil.status, StatusCode::BAD_REQUEST);
    assert!(evil.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn spec_21_the_sign_in_page_applies_the_lockout() {
    let s = setup().await;
    for _ in 0..6 {
        let reply = sign_in(&s, "Wrong-Passw0rd!").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    }
    let locked = sign_in(&s, PASSWORD).await;
    assert_eq!(locked.status, StatusCode::BAD_REQUEST);
    assert!(
        locked.body.contains("Password attempts exceeded"),
        "{}",
        locked.body
    );
    assert!(locked.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn spec_21_the_pools_domain_addresses_its_endpoints() {
    let s = setup().await;
    admin_ok(
        &s.app,
        "CreateUserPoolDomain",
        json!({"UserPoolId": s.pool, "Domain": "acme-auth"}),
    )
    .await;
    let by_domain = call(&s.app, get("/acme-auth/.well-known/openid-configuration")).await;
    assert_eq!(by_domain.status, StatusCode::OK, "{}", by_domain.body);
    let by_id = call(
        &s.app,
        get(&format!("/{}/.well-known/openid-configuration", s.pool)),
    )
    .await;
    assert_eq!(
        by_domain.json()["issuer"],
        by_id.json()["issuer"],
        "one pool, one issuer"
    );
    let page = call(
        &s.app,
        get(&authorize_uri(&s, CALLBACK).replacen(&s.pool, "acme-auth", 1)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("action=\"/acme-auth/login\""),
        "{}",
        page.body
    );
    let unknown = call(&s.app, get("/other-auth/.well-known/openid-configuration")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// Signs in through the page opened at `authorize` and returns the code.
async fn code_through(s: &Setup, authorize: &str, login: &str) -> (Reply, String) {
    let page = call(&s.app, get(authorize)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = form(&[
        ("request", &page.hidden("request")),
        ("_csrf", &page.hidden("_csrf")),
        ("username", "alice"),
        ("password", PASSWORD),
    ]);
    let cookie = page.cookie();
    let signed = call(&s.app, post_form(login, &body, &[("cookie", &cookie)])).await;
    assert_eq!(signed.status, StatusCode::FOUND, "{}", signed.body);
    let code = code_of(&signed.location());
    (signed, code)
}

#[tokio::test]
async fn spec_21_id_token_binds_its_access_token_with_at_hash() {
    let s = setup().await;
    let code = code_of(&sign_in(&s, PASSWORD).await.location());
    let tokens = exchange(&s, &code, VERIFIER).await.json();
    let access = tokens["access_token"].as_str().expect("access token");
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    // OpenID Connect Core §3.1.3.6, computed independently of the server.
    let digest = <sha2::Sha256 as sha2::Digest>::digest(access.as_bytes());
    assert_eq!(
        id["at_hash"],
        json!(Base64UrlUnpadded::encode_string(&digest[..16]))
    );
    assert_eq!(id["token_use"], "id");
}

#[tokio::test]
async fn spec_21_user_info_needs_the_openid_scope() {
    let s = setup().await;
    let authorize = authorize_uri(&s, CALLBACK).replace("scope=openid+email", "scope=email");
    assert!(authorize.contains("scope=email&"), "{authorize}");
    let (_, code) = code_through(&s, &authorize, &format!("/{}/login", s.pool)).await;
    let tokens = exchange(&s, &code, VERIFIER).await.json();
    assert!(tokens.get("id_token").is_none(), "no openid, no id token");
    let access = tokens["access_token"].as_str().expect("access token");
    assert_eq!(claims(access)["scope"], "email");
    let info = call(&s.app, user_info(&s.pool, access)).await;
    assert_eq!(info.status, StatusCode::UNAUTHORIZED, "{}", info.body);
    assert!(!info.body.contains("alice"), "{}", info.body);

    // Nor does an access token of the API, whose only scope is
    // `aws.cognito.signin.user.admin` (Cognito's userInfo does not accept them).
    let api = admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({"UserPoolId": s.pool, "ClientName": "api",
               "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let signed = admin_ok(
        &s.app,
        "AdminInitiateAuth",
        json!({"UserPoolId": s.pool, "ClientId": api["UserPoolClient"]["ClientId"],
               "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD}}),
    )
    .await;
    let access = signed["AuthenticationResult"]["AccessToken"]
        .as_str()
        .expect("access token");
    assert_eq!(claims(access)["scope"], "aws.cognito.signin.user.admin");
    let info = call(&s.app, user_info(&s.pool, access)).await;
    assert_eq!(info.status, StatusCode::UNAUTHORIZED, "{}", info.body);
}

#[tokio::test]
async fn spec_21_revoke_answers_an_empty_body_and_refuses_access_tokens() {
    let s = setup().await;
    let code = code_of(&sign_in(&s, PASSWORD).await.location());
    let tokens = exchange(&s, &code, VERIFIER).await.json();
    let revoke = |token: &str, content_type: &str| {
        Request::post(format!("/{}/oauth2/revoke", s.pool))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(form(&[
                ("token", token),
                ("client_id", &s.client_id),
            ])))
            .expect("request")
    };
    let form_type = "application/x-www-form-urlencoded";
    let access = tokens["access_token"].as_str().expect("access token");
    let refused = call(&s.app, revoke(access, form_type)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.json(), json!({"error": "unsupported_token_type"}));
    let refresh_token = tokens["refresh_token"].as_str().expect("refresh token");
    let not_form = call(&s.app, revoke(refresh_token, "application/json")).await;
    assert_eq!(not_form.json(), json!({"error": "invalid_request"}));
    // The refused requests revoked nothing: the access token still reads userInfo.
    let info = user_info(&s.pool, access);
    assert_eq!(call(&s.app, info).await.status, StatusCode::OK);
    let done = call(&s.app, revoke(refresh_token, form_type)).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.body, "", "Cognito answers an empty body");
    let info = user_info(&s.pool, access);
    assert_eq!(
        call(&s.app, info).await.status,
        StatusCode::UNAUTHORIZED,
        "the access token of the revoked refresh token stops working"
    );
}

#[tokio::test]
async fn spec_21_an_oversized_authorize_query_is_refused_before_anything_is_held() {
    let s = setup().await;
    let state = "s".repeat(9 * 1024);
    let authorize = authorize_uri(&s, CALLBACK).replace("state=xyz", &format!("state={state}"));
    let reply = call(&s.app, get(&authorize)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.headers.get(header::SET_COOKIE).is_none());
    assert!(!reply.body.contains("name=\"request\""), "{}", reply.body);
    let logout = format!("/{}/logout?client_id={}&x={}", s.pool, s.client_id, state);
    assert_eq!(
        call(&s.app, get(&logout)).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn spec_21_a_sign_in_by_domain_clears_the_cookie_it_set() {
    let s = setup().await;
    admin_ok(
        &s.app,
        "CreateUserPoolDomain",
        json!({"UserPoolId": s.pool, "Domain": "acme-auth"}),
    )
    .await;
    let authorize = authorize_uri(&s, CALLBACK).replacen(&s.pool, "acme-auth", 1);
    let (signed, _) = code_through(&s, &authorize, "/acme-auth/login").await;
    let set_cookie = signed
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(set_cookie.starts_with("userpool_csrf_"), "{set_cookie}");
    assert!(set_cookie.contains("=;"), "cleared: {set_cookie}");
    assert!(set_cookie.contains("Path=/acme-auth;"), "{set_cookie}");
    assert!(set_cookie.contains("Max-Age=0"), "{set_cookie}");
}

#[tokio::test]
async fn spec_21_an_answered_request_gives_no_second_code() {
    let s = setup().await;
    let page = open_sign_in_page(&s).await;
    let body = filled_sign_in_form(&page, "alice", PASSWORD);
    let first = post_login(&s, &body, &page.cookie()).await;
    assert_eq!(first.status, StatusCode::FOUND);
    let second = post_login(&s, &body, &page.cookie()).await;
    assert_eq!(second.status, StatusCode::BAD_REQUEST);
    assert!(second.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn spec_21_two_sign_ins_open_in_one_browser_both_complete() {
    let s = setup().await;
    let first = open_sign_in_page(&s).await;
    let second = open_sign_in_page(&s).await;
    assert_ne!(first.cookie(), second.cookie());
    // The browser holds both cookies and sends both with each post.
    let jar = format!("{}; {}", first.cookie(), second.cookie());
    for page in [&second, &first] {
        let body = filled_sign_in_form(page, "alice", PASSWORD);
        let reply = post_login(&s, &body, &jar).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    }
    // Another request's cookie does not vouch for this one's form.
    let third = open_sign_in_page(&s).await;
    let token = first
        .cookie()
        .split_once('=')
        .map(|(_, v)| v.to_owned())
        .expect("value");
    let forged = format!(
        "{}={token}",
        third
            .cookie()
            .split_once('=')
            .map(|(n, _)| n.to_owned())
            .expect("name")
    );
    let body = sign_in_form(&third.hidden("request"), &token, "alice", PASSWORD);
    let reply = post_login(&s, &body, &forged).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn spec_21_basic_authentication_reads_as_rfc_7617_writes_it() {
    let s = setup().await;
    let uri = format!("/{}/oauth2/token", s.pool);
    // A public client authenticating as `id:` (an empty password), with the scheme in
    // lower case: it is the client, without a secret.
    let public = format!(
        "basic {}",
        Base64::encode_string(format!("{}:", s.client_id).as_bytes())
    );
    let code = code_of(&sign_in(&s, PASSWORD).await.location());
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ]);
    let reply = call(
        &s.app,
        post_form(&uri, &body, &[("authorization", &public)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // A public client presenting a secret is not authenticated.
    let with_secret = format!(
        "Basic {}",
        Base64::encode_string(format!("{}:guess", s.client_id).as_bytes())
    );
    let reply = call(
        &s.app,
        post_form(
            &uri,
            "grant_type=refresh_token&refresh_token=x",
            &[("authorization", &with_secret)],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json(), json!({"error": "invalid_client"}));
}

/// Signs alice in through the page with `scope` and returns the token endpoint's answer.
async fn tokens_with_scope(s: &Setup, scope: &str) -> Value {
    let authorize =
        authorize_uri(s, CALLBACK).replace("scope=openid+email", &form(&[("scope", scope)]));
    let (_, code) = code_through(s, &authorize, &format!("/{}/login", s.pool)).await;
    let tokens = exchange(s, &code, VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    tokens.json()
}

#[tokio::test]
async fn spec_21_user_operations_need_the_admin_scope() {
    let s = setup().await;
    let client = admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": s.pool, "ClientName": "web-admin",
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email", "aws.cognito.signin.user.admin"],
            "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let s = Setup {
        client_id: client["UserPoolClient"]["ClientId"]
            .as_str()
            .expect("client id")
            .to_owned(),
        ..s
    };
    let public = |target: &str, body: Value| {
        request(
            Some(target),
            Some("application/x-amz-json-1.1"),
            body.to_string(),
        )
    };
    // Granted `openid email` only: the user's own operations are refused, and the
    // password is unchanged.
    let narrow = tokens_with_scope(&s, "openid email").await;
    let access = narrow["access_token"].as_str().expect("access token");
    let new_password = "Battery-Staple-7";
    for (target, body) in [
        ("GetUser", json!({"AccessToken": access})),
        (
            "ChangePassword",
            json!({"AccessToken": access, "PreviousPassword": PASSWORD,
                   "ProposedPassword": new_password}),
        ),
        ("GlobalSignOut", json!({"AccessToken": access})),
    ] {
        let (status, out) = send(&s.app, public(target, body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target}: {out}");
        assert_eq!(error_type(&out), "NotAuthorizedException", "{target}");
        assert_eq!(
            out["message"], "Access Token does not have required scopes",
            "{target}"
        );
    }
    // Granted the admin scope: they work (the password was not changed above).
    let wide = tokens_with_scope(&s, "openid aws.cognito.signin.user.admin").await;
    let access = wide["access_token"].as_str().expect("access token");
    let (status, out) = send(&s.app, public("GetUser", json!({"AccessToken": access}))).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["Username"], "alice");
}

#[tokio::test]
async fn spec_21_user_info_answers_the_attributes_the_scopes_name() {
    let s = setup().await;
    admin_ok(
        &s.app,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": s.pool, "Username": "alice", "UserAttributes": [
            {"Name": "phone_number", "Value": "+12065551212"},
            {"Name": "given_name", "Value": "Alice"},
            {"Name": "email_verified", "Value": "true"},
        ]}),
    )
    .await;
    let narrow = tokens_with_scope(&s, "openid email").await;
    let info = call(
        &s.app,
        user_info(&s.pool, narrow["access_token"].as_str().expect("at")),
    )
    .await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    let info = info.json();
    assert_eq!(info["email"], "alice@example.com");
    assert_eq!(info["username"], "alice");
    assert!(info["sub"].is_string());
    assert!(info.get("phone_number").is_none(), "{info}");
    assert!(info.get("given_name").is_none(), "{info}");

    let all = tokens_with_scope(&s, "openid").await;
    let info = call(
        &s.app,
        user_info(&s.pool, all["access_token"].as_str().expect("at")),
    )
    .await;
    let info = info.json();
    assert_eq!(info["phone_number"], "+12065551212", "{info}");
    assert_eq!(info["given_name"], "Alice");
    assert_eq!(info["email"], "alice@example.com");
    // As Cognito's documented sample: the verified flags are strings.
    assert_eq!(info["email_verified"], "true", "{info}");
}

#[tokio::test]
async fn spec_21_discovery_takes_the_per_address_limit() {
    let server = common::net::start(&[]).await;
    // An unknown pool: each answer still reads the store, which is what the limit bounds.
    let request = "GET /us-east-1_Nope0000/.well-known/openid-configuration HTTP/1.1\r\n\
                   Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let mut refused = 0;
    for _ in 0..300 {
        let stream = common::net::connect(server.address, None).await;
        let (status, _) = common::net::exchange(stream, request).await;
        if status == 429 {
            refused += 1;
        } else {
            assert_eq!(status, 404);
        }
    }
    assert!(
        refused > 0,
        "300 discoveries from one address in a burst, none refused"
    );
}

#[tokio::test]
async fn spec_21_a_client_without_cognito_as_provider_gets_no_password_form() {
    let s = setup().await;
    let client = admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": s.pool, "ClientName": "federated-only",
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK],
        }),
    )
    .await;
    let s = Setup {
        client_id: client["UserPoolClient"]["ClientId"]
            .as_str()
            .expect("client id")
            .to_owned(),
        ..s
    };
    let reply = open_sign_in_page(&s).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(
        reply.body.contains("Login option is not available."),
        "{}",
        reply.body
    );
    assert!(!reply.body.contains("name=\"password\""), "{}", reply.body);
    assert!(reply.headers.get(header::SET_COOKIE).is_none());
    assert!(reply.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn spec_21_a_callback_url_with_letters_of_any_script_is_redirected_to() {
    let s = setup().await;
    let callback = "http://localhost:8000/rückruf";
    let client = admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": s.pool, "ClientName": "web-de",
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid"], "CallbackURLs": [callback],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let s = Setup {
        client_id: client["UserPoolClient"]["ClientId"]
            .as_str()
            .expect("client id")
            .to_owned(),
        ..s
    };
    let authorize = authorize_uri(&s, callback).replace("scope=openid+email", "scope=openid");
    let (signed, _) = code_through(&s, &authorize, &format!("/{}/login", s.pool)).await;
    let location = signed.location();
    assert!(
        location.starts_with("http://localhost:8000/r%C3%BCckruf?code="),
        "{location}"
    );
}

/// SPEC §18 and §21: the page has no MFA steps yet, so a user who must answer a second
/// factor (here MFA_SETUP in a pool with MFA ON) is refused on the page and gets no code;
/// a right password never skips the factor.
#[tokio::test]
async fn spec_21_a_user_with_mfa_gets_no_code_from_the_page() {
    let s = setup().await;
    admin_ok(
        &s.app,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool, "MfaConfiguration": "ON",
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    // A user who must set up a factor is shown the setup step, not given a code.
    let reply = sign_in(&s, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("authenticator app"), "{}", reply.body);
    assert!(reply.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn spec_21_pages_of_an_unknown_pool_are_404_pages_saying_so() {
    let s = setup().await;
    for (path, title) in [
        (
            "/us-east-1_Nope0000/oauth2/authorize?response_type=code&client_id=x",
            "Sign-in error",
        ),
        ("/us-east-1_Nope0000/signup?client_id=x", "Sign-in error"),
        (
            "/us-east-1_Nope0000/forgotPassword?client_id=x",
            "Sign-in error",
        ),
        ("/us-east-1_Nope0000/logout?client_id=x", "Sign-out error"),
    ] {
        let page = call(&s.app, get(path)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.body);
        assert!(
            page.body.contains(&format!("<h1>{title}</h1>")),
            "{path}: {}",
            page.body
        );
        assert!(
            page.body
                .contains("User pool us-east-1_Nope0000 does not exist."),
            "{path}: {}",
            page.body
        );
    }
}
