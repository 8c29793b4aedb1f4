//! SPEC §21 under attack, in process: the probes an attacker runs against the OAuth
//! endpoints and the hosted page (open redirects, CSRF and cookie attributes, code
//! replay, PKCE downgrade, injection into pages and headers, security headers), each
//! one a test that fails if the hole opens again.

mod common;

use axum::http::{StatusCode, header};
use common::code_flow::{
    CALLBACK, PASSWORD, VERIFIER, authorize_uri, code_of, exchange, filled_sign_in_form,
    open_sign_in_page, post_login, setup, sign_in, sign_in_form,
};
use common::oauth::{Reply, call, form, get, logout, post_form, user_info};
use common::{admin_ok, error_type, send};
use serde_json::json;
use userpool_core::oauth::s256_challenge;

fn assert_no_redirect(reply: &Reply, what: &str) {
    assert!(
        reply.headers.get(header::LOCATION).is_none(),
        "{what}: redirected to {}",
        reply.location()
    );
    assert_ne!(reply.status, StatusCode::FOUND, "{what}");
}

/// Every variant of the registered callback an attacker could try: only the exact URL
/// is redirected to; every other one gets the error page, never a `Location`.
#[tokio::test]
async fn spec_21_attack_redirect_uri_matching_is_exact() {
    let s = setup().await;
    for variant in [
        "HTTP://LOCALHOST:8000/callback",
        "http://localhost:8000/Callback",
        "http://localhost:8000/callback/",
        "http://localhost:8000/callback?x=1",
        "http://localhost:8000/callback#x",
        "http://localhost:8000/callback%2F",
        "http://localhost:8000/%63allback",
        "http://evil.example@localhost:8000/callback",
        "http://localhost:8000@evil.example/callback",
        "http://localhost:8000\\@evil.example/callback",
        "http://localhost:8000/callback/../evil",
        "http://localhost:8000/callback\r\nSet-Cookie: a=b",
        "javascript:alert(1)//http://localhost:8000/callback",
        " http://localhost:8000/callback",
        "",
    ] {
        let reply = call(&s.app, get(&authorize_uri(&s, variant))).await;
        assert_no_redirect(&reply, variant);
        assert!(reply.headers.get(header::SET_COOKIE).is_none(), "{variant}");
    }
}

/// An error found before the client and its redirect URI are known is a page: an
/// unknown client, a missing one, a bad `response_type` with a foreign URI.
#[tokio::test]
async fn spec_21_attack_errors_before_validation_are_never_redirected() {
    let s = setup().await;
    for query in [
        form(&[
            ("response_type", "code"),
            ("client_id", "nosuchclient"),
            ("redirect_uri", "https://evil.example/cb"),
            ("state", "s"),
        ]),
        form(&[
            ("response_type", "nonsense"),
            ("redirect_uri", "https://evil.example/cb"),
        ]),
        form(&[
            ("response_type", "nonsense"),
            ("client_id", &s.client_id),
            ("redirect_uri", "https://evil.example/cb"),
        ]),
        form(&[
            ("scope", "not-allowed"),
            ("response_type", "code"),
            ("client_id", &s.client_id),
            ("redirect_uri", "https://evil.example/cb"),
        ]),
    ] {
        let reply = call(
            &s.app,
            get(&format!("/{}/oauth2/authorize?{query}", s.pool)),
        )
        .await;
        assert_no_redirect(&reply, &query);
    }
}

/// `/logout` redirects only to the exact registered logout URL, whatever the variant.
#[tokio::test]
async fn spec_21_attack_logout_uri_matching_is_exact() {
    let s = setup().await;
    for variant in [
        "http://localhost:8000/bye/",
        "http://localhost:8000/Bye",
        "http://localhost:8000/bye?next=https://evil.example",
        "http://localhost:8000/bye#x",
        "http://evil.example@localhost:8000/bye",
        "http://localhost:8000@evil.example/bye",
        "//evil.example/bye",
        "javascript:alert(1)",
    ] {
        let reply = call(
            &s.app,
            logout(
                &s.pool,
                &[("client_id", &s.client_id), ("logout_uri", variant)],
            ),
        )
        .await;
        assert_no_redirect(&reply, variant);
    }
    // The second form (redirect_uri) is matched against the callback URLs.
    let reply = call(
        &s.app,
        logout(
            &s.pool,
            &[
                ("client_id", &s.client_id),
                ("response_type", "code"),
                ("redirect_uri", "https://evil.example/cb"),
            ],
        ),
    )
    .await;
    assert_no_redirect(&reply, "logout redirect_uri");
}

fn assert_page_headers(reply: &Reply, what: &str) {
    let header = |name: header::HeaderName| {
        reply
            .headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_owned()
    };
    let csp = header(header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    // default-src does not cover <base>: an injected one would retarget the forms'
    // relative actions.
    assert!(csp.contains("base-uri 'none'"), "{what}: {csp}");
    assert!(!csp.contains("script-src"), "{what}: {csp}");
    assert_eq!(header(header::X_FRAME_OPTIONS), "DENY", "{what}");
    assert_eq!(header(header::REFERRER_POLICY), "no-referrer", "{what}");
    assert_eq!(header(header::CACHE_CONTROL), "no-store", "{what}");
    assert_eq!(header(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    assert!(!reply.body.contains("<script"), "{what}");
    assert!(!reply.body.contains(" on"), "{what}: an inline handler");
}

/// Every page (the sign-in form, an error page, the signed-out page, the failed sign-in)
/// carries the headers that keep it out of frames, caches and content sniffing, and its
/// URL out of `Referer`; redirects and token answers are never cached.
#[tokio::test]
async fn spec_21_attack_every_page_carries_the_security_headers() {
    let s = setup().await;
    let page = open_sign_in_page(&s).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_page_headers(&page, "sign-in page");
    let refused = call(&s.app, get(&authorize_uri(&s, "https://evil.example/"))).await;
    assert_page_headers(&refused, "refused authorize");
    let unknown = call(
        &s.app,
        get("/us-east-1_nosuchpool/oauth2/authorize?client_id=x"),
    )
    .await;
    assert_page_headers(&unknown, "unknown pool");
    let signed_out = call(
        &s.app,
        get(&format!("/{}/logout?client_id={}", s.pool, s.client_id)),
    )
    .await;
    assert_eq!(signed_out.status, StatusCode::OK);
    assert_page_headers(&signed_out, "signed out");
    let wrong = sign_in(&s, "Wrong-Password-1").await;
    assert_page_headers(&wrong, "failed sign-in");
    let signed_in = sign_in(&s, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::FOUND);
    assert_eq!(
        signed_in
            .headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.as_bytes()),
        Some(b"no-store".as_slice())
    );
    let tokens = exchange(&s, &code_of(&signed_in.location()), VERIFIER).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    assert_eq!(
        tokens
            .headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.as_bytes()),
        Some(b"no-store".as_slice())
    );
}

/// The CSRF cookie is `HttpOnly`, `SameSite`, scoped to the pool's path, and short-lived.
#[tokio::test]
async fn spec_21_attack_the_csrf_cookie_is_locked_down() {
    let s = setup().await;
    let page = open_sign_in_page(&s).await;
    let cookie = page
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_owned();
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(
        attributes.contains(&"SameSite=Lax") || attributes.contains(&"SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        attributes.contains(&format!("Path=/{}", s.pool).as_str()),
        "{cookie}"
    );
    assert!(
        !attributes.iter().any(|a| a.starts_with("Domain")),
        "{cookie}"
    );
    // The token in the cookie is the form's, and a fresh one per request (no fixation).
    let again = open_sign_in_page(&s).await;
    assert_ne!(page.hidden("_csrf"), again.hidden("_csrf"));
    assert_ne!(page.hidden("request"), again.hidden("request"));
}

/// Another browser's pending request cannot be finished with the attacker's own cookie
/// (the token is bound to the request): login CSRF and request-id replay.
#[tokio::test]
async fn spec_21_attack_a_pending_request_needs_its_own_csrf_token() {
    let s = setup().await;
    let victim = open_sign_in_page(&s).await;
    let attacker = open_sign_in_page(&s).await;
    // The attacker's own valid cookie and token, against the victim's request id.
    let cookie = attacker
        .cookie()
        .replace(&attacker.hidden("request"), &victim.hidden("request"));
    let body = sign_in_form(
        &victim.hidden("request"),
        &attacker.hidden("_csrf"),
        "alice",
        PASSWORD,
    );
    let reply = post_login(&s, &body, &cookie).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_no_redirect(&reply, "foreign request");
}

/// A code is bound to its client, its redirect URI and its PKCE challenge: each
/// mismatch is `invalid_grant`, and spends the code.
#[tokio::test]
async fn spec_21_attack_a_code_is_bound_to_client_redirect_and_verifier() {
    let s = setup().await;
    let other = admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": s.pool, "ClientName": "other",
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("id")
        .to_owned();
    let cases: [(&str, &str, Option<&str>); 4] = [
        ("other client", &other, Some(VERIFIER)),
        ("other redirect", &s.client_id, Some(VERIFIER)),
        (
            "wrong verifier",
            &s.client_id,
            Some("x-wrong-verifier-0123456789-0123456789-0123456789"),
        ),
        ("no verifier", &s.client_id, None),
    ];
    for (what, client, verifier) in cases {
        let code = code_of(&sign_in(&s, PASSWORD).await.location());
        let redirect = if what == "other redirect" {
            "http://localhost:8000/callback/"
        } else {
            CALLBACK
        };
        let mut pairs = vec![
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
        ];
        if let Some(v) = verifier {
            pairs.push(("code_verifier", v));
        }
        let reply = call(
            &s.app,
            post_form(&format!("/{}/oauth2/token", s.pool), &form(&pairs), &[]),
        )
        .await;
        assert_eq!(reply.json(), json!({"error": "invalid_grant"}), "{what}");
        // Spent: the right exchange now fails too.
        let after = exchange(&s, &code, VERIFIER).await;
        assert_eq!(
            after.json(),
            json!({"error": "invalid_grant"}),
            "{what} then right"
        );
    }
}

/// PKCE cannot be downgraded: `plain` is refused, and a public client must send a
/// challenge.
#[tokio::test]
async fn spec_21_attack_pkce_cannot_be_downgraded() {
    let s = setup().await;
    for (method, challenge) in [
        (Some("plain"), Some(VERIFIER)),
        (None, None),
        (None, Some("abc")),
    ] {
        let mut pairs = vec![
            ("response_type", "code"),
            ("client_id", s.client_id.as_str()),
            ("redirect_uri", CALLBACK),
            ("scope", "openid"),
            ("state", "xyz"),
        ];
        if let Some(m) = method {
            pairs.push(("code_challenge_method", m));
        }
        if let Some(c) = challenge {
            pairs.push(("code_challenge", c));
        }
        let reply = call(
            &s.app,
            get(&format!("/{}/oauth2/authorize?{}", s.pool, form(&pairs))),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::FOUND,
            "{method:?}: {}",
            reply.body
        );
        assert!(
            reply
                .location()
                .starts_with(&format!("{CALLBACK}?error=invalid_request")),
            "{method:?}: {}",
            reply.location()
        );
    }
}

/// The client's `state` goes back percent-encoded: a CR/LF in it cannot add a header.
#[tokio::test]
async fn spec_21_attack_state_cannot_inject_a_header() {
    let s = setup().await;
    let query = form(&[
        ("response_type", "nonsense"),
        ("client_id", &s.client_id),
        ("redirect_uri", CALLBACK),
        ("state", "x\r\nSet-Cookie: pwned=1\r\n\r\n<script>"),
    ]);
    let reply = call(
        &s.app,
        get(&format!("/{}/oauth2/authorize?{query}", s.pool)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let location = reply.location();
    assert!(
        !location.contains('\r') && !location.contains('\n'),
        "{location}"
    );
    assert!(!location.contains('<'), "{location}");
    assert!(reply.headers.get(header::SET_COOKIE).is_none());
}

/// What a user typed is echoed into the page escaped, in text and attribute contexts.
#[tokio::test]
async fn spec_21_attack_a_typed_username_is_escaped_in_the_page() {
    let s = setup().await;
    let page = open_sign_in_page(&s).await;
    let evil = "\"><script>alert(1)</script><x a='";
    let body = filled_sign_in_form(&page, evil, "Wrong-Password-1");
    let reply = post_login(&s, &body, &page.cookie()).await;
    assert!(!reply.body.contains("<script>"), "{}", reply.body);
    assert!(!reply.body.contains("\"><"), "{}", reply.body);
    assert!(reply.body.contains("&lt;script&gt;"), "{}", reply.body);
}

/// A pool id in the path is echoed (escaped) into the error page, never as markup.
#[tokio::test]
async fn spec_21_attack_the_path_is_not_echoed_as_markup() {
    let s = setup().await;
    let reply = call(
        &s.app,
        get("/%3Cscript%3Ealert(1)%3C%2Fscript%3E/oauth2/authorize?client_id=x"),
    )
    .await;
    assert!(!reply.body.contains("<script>"), "{}", reply.body);
    let _ = s;
}

/// A registered URL is the one thing the server redirects to: `javascript:`, `data:`
/// and `vbscript:` URLs, which a browser would run as script, are refused at
/// registration.
#[tokio::test]
async fn spec_21_attack_script_urls_are_refused_as_callback_or_logout_urls() {
    let s = setup().await;
    for url in [
        "javascript://localhost/%0aalert(1)",
        "JavaScript://x/%0aalert(document.domain)",
        "data://text/html,<script>alert(1)</script>",
        "vbscript://x/msgbox",
    ] {
        for member in ["CallbackURLs", "LogoutURLs"] {
            let body = json!({
                "UserPoolId": s.pool, "ClientName": "evil",
                "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["https://ok.example/cb"],
                "SupportedIdentityProviders": ["COGNITO"],
                member: [url],
            });
            let (status, reply) = send(&s.app, common::signed("CreateUserPoolClient", &body)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{member} {url}");
            assert_eq!(
                error_type(&reply),
                "InvalidParameterException",
                "{member} {url}"
            );
        }
    }
}

/// RFC 6749 §4.1.2: a code used twice is refused, and what its first use issued is
/// revoked (the refresh token stops refreshing, the access token stops reading).
#[tokio::test]
async fn spec_21_attack_a_replayed_code_revokes_what_it_issued() {
    let s = setup().await;
    let signed_in = sign_in(&s, PASSWORD).await;
    let code = code_of(&signed_in.location());
    let first = exchange(&s, &code, VERIFIER).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let tokens = first.json();
    let second = exchange(&s, &code, VERIFIER).await;
    assert_eq!(second.json(), json!({"error": "invalid_grant"}));
    let refresh = call(
        &s.app,
        post_form(
            &format!("/{}/oauth2/token", s.pool),
            &form(&[
                ("grant_type", "refresh_token"),
                ("client_id", &s.client_id),
                (
                    "refresh_token",
                    tokens["refresh_token"].as_str().expect("rt"),
                ),
            ]),
            &[],
        ),
    )
    .await;
    assert_eq!(
        refresh.json(),
        json!({"error": "invalid_grant"}),
        "refresh after replay"
    );
    let info = call(
        &s.app,
        user_info(&s.pool, tokens["access_token"].as_str().expect("at")),
    )
    .await;
    assert_eq!(info.status, StatusCode::UNAUTHORIZED, "{}", info.body);
}

/// What the server logs, at every level, for every test of this file.
static LOG: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOG.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A full code flow with a confidential client logged at TRACE (the server's events and
/// its dependencies' `log` records): the password, the client secret, the code, the CSRF
/// token and every token issued appear nowhere in the log.
#[tokio::test]
async fn spec_21_attack_no_secret_reaches_the_log_at_trace() {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(|| LogWriter)
        .with_ansi(false)
        .init();
    let s = setup().await;
    let client = admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": s.pool, "ClientName": "confidential", "GenerateSecret": true,
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let id = client["UserPoolClient"]["ClientId"].as_str().expect("id");
    let secret = client["UserPoolClient"]["ClientSecret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let query = form(&[
        ("response_type", "code"),
        ("client_id", id),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email"),
        ("state", "xyz"),
    ]);
    let page = call(
        &s.app,
        get(&format!("/{}/oauth2/authorize?{query}", s.pool)),
    )
    .await;
    let csrf = page.hidden("_csrf");
    let mut answers = Vec::new();
    for password in ["Wrong-Password-Typed-7", PASSWORD] {
        let body = sign_in_form(&page.hidden("request"), &csrf, "alice", password);
        answers.push(post_login(&s, &body, &page.cookie()).await);
    }
    let code = code_of(&answers[1].location());
    let exchange = |secret: String| {
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("client_id", id),
            ("client_secret", &secret),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ]);
        post_form(&format!("/{}/oauth2/token", s.pool), &body, &[])
    };
    let wrong = call(&s.app, exchange(format!("{secret}x"))).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    let tokens = call(&s.app, exchange(secret.clone())).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
    let tokens = tokens.json();
    let refreshed = call(
        &s.app,
        post_form(
            &format!("/{}/oauth2/token", s.pool),
            &form(&[
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("client_secret", &secret),
                (
                    "refresh_token",
                    tokens["refresh_token"].as_str().expect("rt"),
                ),
            ]),
            &[],
        ),
    )
    .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    // Replayed: the failure path logs nothing of the code either.
    let _ = call(&s.app, exchange(secret.clone())).await;

    let log = String::from_utf8_lossy(
        &LOG.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned();
    assert!(log.contains("request"), "the subscriber captured nothing");
    let access = tokens["access_token"].as_str().expect("at");
    let signature = |jwt: &str| jwt.rsplit('.').next().expect("signature").to_owned();
    for (what, secret) in [
        ("password", PASSWORD.to_owned()),
        ("wrong password", "Wrong-Password-Typed-7".to_owned()),
        ("client secret", secret.clone()),
        ("code", code.clone()),
        ("csrf token", csrf.clone()),
        ("access token", signature(access)),
        (
            "id token",
            signature(tokens["id_token"].as_str().expect("id")),
        ),
        (
            "refresh token",
            tokens["refresh_token"].as_str().expect("rt").to_owned(),
        ),
        (
            "refreshed access token",
            signature(refreshed.json()["access_token"].as_str().expect("at")),
        ),
    ] {
        assert!(!log.contains(&secret), "the {what} is in the log");
    }
}

/// Tokens are bound to their client and their use: another client's refresh token does
/// not refresh, an id token or a client-credentials token reads no userInfo, and a
/// confidential client cannot authenticate without (or with a near) secret.
#[tokio::test]
async fn spec_21_attack_tokens_are_bound_to_their_client_and_use() {
    let s = setup().await;
    let tokens = exchange(
        &s,
        &code_of(&sign_in(&s, PASSWORD).await.location()),
        VERIFIER,
    )
    .await
    .json();
    let other = admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": s.pool, "ClientName": "other", "GenerateSecret": true,
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let other_id = other["UserPoolClient"]["ClientId"].as_str().expect("id");
    let other_secret = other["UserPoolClient"]["ClientSecret"]
        .as_str()
        .expect("secret");
    let refresh = |client: &str, secret: Option<&str>| {
        let mut pairs = vec![
            ("grant_type", "refresh_token"),
            ("client_id", client),
            (
                "refresh_token",
                tokens["refresh_token"].as_str().expect("rt"),
            ),
        ];
        if let Some(secret) = secret {
            pairs.push(("client_secret", secret));
        }
        post_form(&format!("/{}/oauth2/token", s.pool), &form(&pairs), &[])
    };
    let foreign = call(&s.app, refresh(other_id, Some(other_secret))).await;
    assert_eq!(
        foreign.json(),
        json!({"error": "invalid_grant"}),
        "another client"
    );
    for secret in [None, Some(&other_secret[1..]), Some("")] {
        let reply = call(&s.app, refresh(other_id, secret)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{secret:?}");
        assert_eq!(
            reply.json(),
            json!({"error": "invalid_client"}),
            "{secret:?}"
        );
    }
    let id_token = call(
        &s.app,
        user_info(&s.pool, tokens["id_token"].as_str().expect("id")),
    )
    .await;
    assert_eq!(id_token.status, StatusCode::UNAUTHORIZED, "an id token");
    let own = call(
        &s.app,
        user_info(&s.pool, tokens["access_token"].as_str().expect("at")),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    // The same access token addressed to another pool reads nothing there.
    let elsewhere =
        admin_ok(&s.app, "CreateUserPool", json!({"PoolName": "Else"})).await["UserPool"]["Id"]
            .as_str()
            .expect("id")
            .to_owned();
    let cross = call(
        &s.app,
        user_info(&elsewhere, tokens["access_token"].as_str().expect("at")),
    )
    .await;
    assert_eq!(cross.status, StatusCode::UNAUTHORIZED, "another pool");
}

/// The sign-up and forgotten-password pages opened with an authorization request's
/// parameters validate them as `/oauth2/authorize` does: a foreign redirect URI gets a
/// page, never a redirect or a held request.
#[tokio::test]
async fn spec_21_attack_sign_up_and_forgot_pages_validate_the_redirect_uri() {
    let s = setup().await;
    for page in ["signup", "forgotPassword"] {
        for redirect in [
            CALLBACK,
            "https://evil.example/cb",
            "http://localhost:8000/callback/",
        ] {
            let query = form(&[
                ("response_type", "code"),
                ("client_id", &s.client_id),
                ("redirect_uri", redirect),
                ("scope", "openid"),
                ("state", "s"),
                ("code_challenge", &s256_challenge(VERIFIER)),
                ("code_challenge_method", "S256"),
            ]);
            let reply = call(&s.app, get(&format!("/{}/{page}?{query}", s.pool))).await;
            if redirect == CALLBACK {
                assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.body);
                assert!(reply.headers.get(header::SET_COOKIE).is_some(), "{page}");
                continue;
            }
            assert_no_redirect(&reply, &format!("{page} {redirect}"));
            assert!(
                reply.headers.get(header::SET_COOKIE).is_none(),
                "{page} {redirect}: a request was held"
            );
        }
    }
}
