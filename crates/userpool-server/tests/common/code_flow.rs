//! The authorization code flow the SPEC §21 HTTP tests and attack probes share: a pool
//! "Acme" with a code-flow client and the user alice, the authorize URL with PKCE, the
//! sign-in form submitted, the code read from the redirect and exchanged.

use axum::Router;
use axum::http::StatusCode;
use serde_json::json;
use userpool_core::oauth::s256_challenge;

use super::oauth::{Reply, call, form, get, post_form};
use super::{admin_ok, create_pool};

pub const CALLBACK: &str = "http://localhost:8000/callback";
pub const VERIFIER: &str = "pkce-verifier-for-the-http-test-0123456789-abcdefghijklmnopqrstuvwxyz";
pub const PASSWORD: &str = "Correct-Horse-9";

/// The app and the pool and client the flow runs in.
pub struct Setup {
    pub app: Router,
    pub pool: String,
    pub client_id: String,
}

pub async fn setup() -> Setup {
    let app = super::app();
    let pool = create_pool(&app, json!({"PoolName": "Acme"})).await;
    let client = admin_ok(
        &app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool, "ClientName": "web",
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
            "LogoutURLs": ["http://localhost:8000/bye"],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client id")
        .to_owned();
    admin_ok(
        &app,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}),
    )
    .await;
    admin_ok(
        &app,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "alice", "Password": PASSWORD, "Permanent": true}),
    )
    .await;
    Setup {
        app,
        pool,
        client_id,
    }
}

pub fn authorize_uri(s: &Setup, redirect: &str) -> String {
    format!(
        "/{}/oauth2/authorize?{}",
        s.pool,
        form(&[
            ("response_type", "code"),
            ("client_id", &s.client_id),
            ("redirect_uri", redirect),
            ("scope", "openid email"),
            ("state", "xyz"),
            ("nonce", "n0nce"),
            ("code_challenge", &s256_challenge(VERIFIER)),
            ("code_challenge_method", "S256"),
        ])
    )
}

/// Opens the sign-in page of a fresh authorize request (redirecting to `CALLBACK`).
pub async fn open_sign_in_page(s: &Setup) -> Reply {
    call(&s.app, get(&authorize_uri(s, CALLBACK))).await
}

/// Opens the sign-in page and submits it; returns the reply to the form.
pub async fn sign_in(s: &Setup, password: &str) -> Reply {
    let page = open_sign_in_page(s).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("<title>Sign in – Acme</title>"),
        "{}",
        page.body
    );
    let body = filled_sign_in_form(&page, "alice", password);
    post_login(s, &body, &page.cookie()).await
}

/// The sign-in form of `page` (its request id and CSRF token) filled in as a user would.
pub fn filled_sign_in_form(page: &Reply, username: &str, password: &str) -> String {
    sign_in_form(
        &page.hidden("request"),
        &page.hidden("_csrf"),
        username,
        password,
    )
}

/// The sign-in form's fields as a browser posts them: the pending request's id, its CSRF
/// token, and what the user typed.
pub fn sign_in_form(request: &str, csrf: &str, username: &str, password: &str) -> String {
    form(&[
        ("request", request),
        ("_csrf", csrf),
        ("username", username),
        ("password", password),
    ])
}

/// Posts `body` to the pool's `/login` with `cookie` (the browser's jar) sent.
pub async fn post_login(s: &Setup, body: &str, cookie: &str) -> Reply {
    call(
        &s.app,
        post_form(&format!("/{}/login", s.pool), body, &[("cookie", cookie)]),
    )
    .await
}

pub fn code_of(location: &str) -> String {
    let query = location.split_once('?').expect("query").1;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert!(
        pairs.contains(&("state".into(), "xyz".into())),
        "{location}"
    );
    pairs
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v)
        .expect("code")
}

pub async fn exchange(s: &Setup, code: &str, verifier: &str) -> Reply {
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("client_id", &s.client_id),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", verifier),
    ]);
    call(
        &s.app,
        post_form(&format!("/{}/oauth2/token", s.pool), &body, &[]),
    )
    .await
}
