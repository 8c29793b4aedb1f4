//! SPEC §21 (and §18) over HTTP, in process: the hosted page's further steps as a browser
//! without JavaScript drives them (plain form posts, the CSRF cookie, redirects): the MFA
//! steps after a password (SOFTWARE_TOKEN_MFA, SMS_MFA, SELECT_MFA_TYPE, MFA_SETUP, also
//! after NEW_PASSWORD_REQUIRED), sign-up with its confirmation, the forgotten password,
//! the implicit grant, and `/logout` back to the sign-in page; each step's refusals and
//! its CSRF check. Codes come from a recording delivery, TOTP codes from the secret the
//! setup page shows.

mod common;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeDelta, Utc};
use common::admin_ok;
use common::oauth::{Reply, call, claims, form, get, logout, post_form, user_info};
use serde_json::{Value, json};
use userpool::RecordingDelivery;
use userpool::tokens::Tokens;
use userpool_core::Event;
use userpool_core::mfa::TotpSecret;
use userpool_core::oauth::s256_challenge;
use userpool_server::{router, serve};
use userpool_store::{MemoryStore, Store};

const CALLBACK: &str = "http://localhost:8000/callback";
const VERIFIER: &str = "pkce-verifier-for-the-steps-test-0123456789-abcdefghijklmnopqrstuvwxyz";
const PASSWORD: &str = "Correct-Horse-9";
const NEW_PASSWORD: &str = "Battery-Staple-7";

/// The server over a MemoryStore whose service delivers into a recorder.
fn app_with_recording() -> (Router, Arc<RecordingDelivery>, Arc<dyn Store>) {
    let config = common::net::config(&[]);
    let mut app = serve::app(&config, config.listen).unwrap_or_else(|e| panic!("{e}"));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let delivery = Arc::new(RecordingDelivery::new());
    let tokens = Arc::new(Tokens::new(
        Arc::clone(&store),
        Arc::clone(&app.clock),
        "http://localhost:9229".into(),
    ));
    app.pools = userpool::UserPools::builder(Arc::clone(&store))
        .clock(Arc::clone(&app.clock))
        .delivery(Arc::clone(&delivery) as Arc<dyn userpool::Delivery>)
        .tokens(Arc::clone(&tokens))
        .build();
    app.tokens = tokens;
    (router(Arc::new(app)), delivery, store)
}

struct Setup {
    app: Router,
    delivery: Arc<RecordingDelivery>,
    /// The server's store, for a state no operation makes (a user stored without a
    /// required attribute, as an import or a later schema can leave one).
    store: Arc<dyn Store>,
    pool: String,
    client_id: String,
}

/// A pool (`pool` extends CreateUserPool's input) and a public client (`client` extends
/// CreateUserPoolClient's: by default the code flow, `openid email`).
async fn setup(pool: Value, client: Value) -> Setup {
    let (app, delivery, store) = app_with_recording();
    let mut input = json!({"PoolName": "Acme", "AutoVerifiedAttributes": ["email"]});
    input
        .as_object_mut()
        .expect("object")
        .extend(pool.as_object().expect("object").clone());
    let pool = admin_ok(&app, "CreateUserPool", input).await["UserPool"]["Id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut input = json!({
        "UserPoolId": pool, "ClientName": "web",
        "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
        "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
        "LogoutURLs": ["http://localhost:8000/bye"],
        "SupportedIdentityProviders": ["COGNITO"],
    });
    input
        .as_object_mut()
        .expect("object")
        .extend(client.as_object().expect("object").clone());
    let client_id =
        admin_ok(&app, "CreateUserPoolClient", input).await["UserPoolClient"]["ClientId"]
            .as_str()
            .expect("client id")
            .to_owned();
    Setup {
        app,
        delivery,
        store,
        pool,
        client_id,
    }
}

/// A CONFIRMED user with `PASSWORD` (and `attributes`, as name and value).
async fn user(s: &Setup, name: &str, attributes: &[(&str, &str)]) {
    let attributes: Vec<Value> = attributes
        .iter()
        .map(|(name, value)| json!({"Name": name, "Value": value}))
        .collect();
    admin_ok(
        &s.app,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool, "Username": name, "MessageAction": "SUPPRESS",
               "UserAttributes": attributes}),
    )
    .await;
    admin_ok(
        &s.app,
        "AdminSetUserPassword",
        json!({"UserPoolId": s.pool, "Username": name, "Password": PASSWORD, "Permanent": true}),
    )
    .await;
}

fn authorize_query(s: &Setup, response_type: &str, scope: &str) -> String {
    form(&[
        ("response_type", response_type),
        ("client_id", &s.client_id),
        ("redirect_uri", CALLBACK),
        ("scope", scope),
        ("state", "xyz"),
        ("nonce", "n0nce"),
        ("code_challenge", &s256_challenge(VERIFIER)),
        ("code_challenge_method", "S256"),
    ])
}

/// The authorize endpoint's URI for `response_type` and `scope` (see [`authorize_query`]).
fn authorize_uri(s: &Setup, response_type: &str, scope: &str) -> String {
    format!(
        "/{}/oauth2/authorize?{}",
        s.pool,
        authorize_query(s, response_type, scope)
    )
}

/// One pending sign-in as a browser holds it: the request id, its CSRF token and cookie.
struct Browser<'a> {
    s: &'a Setup,
    request: String,
    csrf: String,
    cookie: String,
}

impl<'a> Browser<'a> {
    /// Opens `uri` (a page of a new pending request) and keeps its form's tokens.
    async fn open(s: &'a Setup, uri: &str) -> (Browser<'a>, Reply) {
        let page = call(&s.app, get(uri)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let browser = Browser {
            s,
            request: page.hidden("request"),
            csrf: page.hidden("_csrf"),
            cookie: page.cookie(),
        };
        (browser, page)
    }

    async fn authorize(s: &'a Setup) -> (Browser<'a>, Reply) {
        let uri = authorize_uri(s, "code", "openid email");
        Browser::open(s, &uri).await
    }

    /// Opens the sign-in page of a new request and submits `username` and `password`;
    /// the browser and the reply to the form.
    async fn sign_in_on_a_new_request(
        s: &'a Setup,
        username: &str,
        password: &str,
    ) -> (Browser<'a>, Reply) {
        let (browser, _) = Browser::authorize(s).await;
        let reply = browser.sign_in(username, password).await;
        (browser, reply)
    }

    /// Submits the sign-up form for `username` with [`PASSWORD`] and the e-mail
    /// `{username}@example.com`.
    async fn sign_up_with_email(&self, username: &str) -> Reply {
        let email = format!("{username}@example.com");
        self.post(
            "signup",
            &[
                ("username", username),
                ("password", PASSWORD),
                ("email", &email),
            ],
        )
        .await
    }

    /// A GET in this browser (its cookie sent), e.g. a link of the page.
    async fn get(&self, uri: &str) -> Reply {
        let request = Request::get(uri)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .expect("request");
        call(&self.s.app, request).await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("request", self.request.as_str()), ("_csrf", &self.csrf)];
        all.extend_from_slice(fields);
        call(
            &self.s.app,
            post_form(
                &format!("/{}/{path}", self.s.pool),
                &form(&all),
                &[("cookie", &self.cookie)],
            ),
        )
        .await
    }

    async fn sign_in(&self, username: &str, password: &str) -> Reply {
        self.post("login", &[("username", username), ("password", password)])
            .await
    }
}

/// The query pairs of a redirect (after `?`, or after `#` with `fragment`).
fn params_of(location: &str, fragment: bool) -> Vec<(String, String)> {
    let part = if fragment {
        location.split_once('#').expect("a fragment").1
    } else {
        location.split_once('?').expect("a query").1
    };
    form_urlencoded::parse(part.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// A redirect to the callback with a code and the state; exchanges it for tokens.
async fn assert_code_and_exchange(s: &Setup, reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    let location = reply.location();
    assert!(location.starts_with(CALLBACK), "{location}");
    let pairs = params_of(&location, false);
    assert_eq!(param(&pairs, "state").as_deref(), Some("xyz"));
    let code = param(&pairs, "code").expect("a code");
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("client_id", &s.client_id),
        ("code", &code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", VERIFIER),
    ]);
    let token = call(
        &s.app,
        post_form(&format!("/{}/oauth2/token", s.pool), &body, &[]),
    )
    .await;
    assert_eq!(token.status, StatusCode::OK, "{}", token.body);
    serde_json::from_str(&token.body).expect("json")
}

/// The TOTP code of `secret` (base32, as the setup page shows it) `steps` periods from now.
fn totp(secret: &str, steps: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).expect("base32");
    let bytes: [u8; 20] = secret.as_bytes().try_into().expect("20 bytes");
    TotpSecret::from_bytes(bytes)
        .code_at(Utc::now() + TimeDelta::seconds(30 * steps))
        .expect("code")
        .as_str()
        .to_owned()
}

/// A six-digit code that is not `code`.
fn wrong(code: &str) -> String {
    let first = if code.starts_with('1') { '2' } else { '1' };
    format!("{first}{}", &code[1..])
}

fn last_sms_code(delivery: &RecordingDelivery, username: &str) -> String {
    delivery
        .events()
        .into_iter()
        .rev()
        .find_map(|d| match d.event {
            Event::MfaCodeIssued { code } if d.username == username => {
                Some(code.expose().to_owned())
            }
            _ => None,
        })
        .expect("an SMS code")
}

fn last_code(delivery: &RecordingDelivery, username: &str) -> String {
    delivery
        .last_code(username)
        .expect("a code")
        .expose()
        .to_owned()
}

async fn totp_pool() -> Setup {
    let s = setup(json!({}), json!({})).await;
    admin_ok(
        &s.app,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool, "MfaConfiguration": "ON",
               "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    s
}

/// Completes MFA_SETUP from its page: a wrong code first (refused, the page again), then
/// the right one. Returns the secret and the reply to the right code.
async fn complete_setup(browser: &Browser<'_>, page: &Reply) -> (String, Reply) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.title().starts_with("Set up an authenticator app"),
        "{}",
        page.body
    );
    let secret = page.between("<code id=\"secret\">", "</code>");
    assert_eq!(
        secret.len(),
        32,
        "Cognito's SecretCode is 32 base32 characters"
    );
    let uri = page.between("id=\"otpauth\" href=\"", "\"");
    assert!(
        uri.starts_with("otpauth://totp/Acme:")
            && uri.contains(&format!("secret={secret}"))
            && uri.contains("issuer=Acme"),
        "{uri}"
    );
    assert!(page.body.contains("autocomplete=\"one-time-code\""));
    // The key's QR code, inline SVG (no script, no request elsewhere).
    let figure = page.between(
        "<figure role=\"img\" aria-label=\"QR image of the key\">",
        "</figure>",
    );
    assert!(
        figure.starts_with("<svg") && figure.ends_with("</svg>"),
        "{figure}"
    );
    let code = totp(&secret, 0);
    let refused = browser.post("mfa", &[("code", &wrong(&code))]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Code mismatch and fail enable Software Token MFA"),
        "{}",
        refused.body
    );
    assert!(refused.title().starts_with("Set up an authenticator app"));
    let done = browser.post("mfa", &[("code", &code)]).await;
    (secret, done)
}

#[tokio::test]
async fn spec_18_the_page_sets_up_totp_then_asks_for_it_at_the_next_sign_in() {
    let s = totp_pool().await;
    user(&s, "alice", &[("email", "a@example.com")]).await;
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "alice", PASSWORD).await;
    assert!(page.headers.get(header::LOCATION).is_none(), "no code yet");
    let (secret, done) = complete_setup(&browser, &page).await;
    let tokens = assert_code_and_exchange(&s, &done).await;
    assert_eq!(
        claims(tokens["id_token"].as_str().expect("id"))["cognito:username"],
        "alice"
    );
    // The token is the user's now: the next sign-in asks for its code.
    let user = admin_ok(
        &s.app,
        "AdminGetUser",
        json!({"UserPoolId": s.pool, "Username": "alice"}),
    )
    .await;
    assert_eq!(user["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "alice", PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.title().starts_with("Multi-factor authentication"));
    assert!(page.body.contains("authenticator app"));
    assert!(page.body.contains("autocomplete=\"one-time-code\""));
    assert!(
        !page.body.contains(&secret),
        "the secret is never shown again"
    );
    let code = totp(&secret, 1);
    let refused = browser.post("mfa", &[("code", &wrong(&code))]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Invalid code received for user"));
    assert!(refused.headers.get(header::LOCATION).is_none());
    let done = browser.post("mfa", &[("code", &code)]).await;
    assert_code_and_exchange(&s, &done).await;
}

#[tokio::test]
async fn spec_18_new_password_then_mfa_setup_on_the_page() {
    let s = totp_pool().await;
    admin_ok(
        &s.app,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool, "Username": "newbie", "MessageAction": "SUPPRESS",
               "TemporaryPassword": "Temp-Pass-1x"}),
    )
    .await;
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "newbie", "Temp-Pass-1x").await;
    assert!(page.title().starts_with("Change password"), "{}", page.body);
    // The bug this fixes: MFA after the new password was an internal error.
    let page = browser
        .post("login", &[("new_password", NEW_PASSWORD)])
        .await;
    let (_, done) = complete_setup(&browser, &page).await;
    assert_code_and_exchange(&s, &done).await;
}

#[tokio::test]
async fn spec_18_three_wrong_codes_spend_the_challenge() {
    let s = totp_pool().await;
    user(&s, "alice", &[]).await;
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "alice", PASSWORD).await;
    let (secret, done) = complete_setup(&browser, &page).await;
    assert_eq!(done.status, StatusCode::FOUND);
    let (browser, _) = Browser::sign_in_on_a_new_request(&s, "alice", PASSWORD).await;
    let code = totp(&secret, 1);
    for _ in 0..2 {
        let refused = browser.post("mfa", &[("code", &wrong(&code))]).await;
        assert!(refused.title().starts_with("Multi-factor authentication"));
    }
    // The third wrong answer is refused as the others, and spends the session, as the
    // API's does: the right code after it gets nothing, and the page is the password's.
    let third = browser.post("mfa", &[("code", &wrong(&code))]).await;
    assert_eq!(third.status, StatusCode::BAD_REQUEST);
    assert!(third.body.contains("Invalid code received for user"));
    let late = browser.post("mfa", &[("code", &code)]).await;
    assert!(
        late.headers.get(header::LOCATION).is_none(),
        "the right code after the session is spent gives nothing"
    );
    assert!(
        late.body.contains("Invalid session for the user."),
        "{}",
        late.body
    );
    assert!(late.title().starts_with("Sign in"), "{}", late.body);
}

async fn sms_pool(mode: &str, totp: bool) -> Setup {
    let s = setup(json!({}), json!({})).await;
    let mut config = json!({"UserPoolId": s.pool, "MfaConfiguration": mode,
        "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Your code is {####}"}});
    if totp {
        config["SoftwareTokenMfaConfiguration"] = json!({"Enabled": true});
    }
    admin_ok(&s.app, "SetUserPoolMfaConfig", config).await;
    s
}

#[tokio::test]
async fn spec_18_sms_mfa_on_the_page() {
    let s = sms_pool("ON", false).await;
    user(&s, "sue", &[("phone_number", "+15555550123")]).await;
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "sue", PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.title().starts_with("Multi-factor authentication"));
    assert!(page.body.contains("+*******0123"), "{}", page.body);
    let code = last_sms_code(&s.delivery, "sue");
    let refused = browser.post("mfa", &[("code", &wrong(&code))]).await;
    assert!(refused.body.contains("Invalid code received for user"));
    let done = browser.post("mfa", &[("code", &code)]).await;
    assert_code_and_exchange(&s, &done).await;
}

#[tokio::test]
async fn spec_18_select_mfa_type_on_the_page() {
    let s = totp_pool().await;
    user(&s, "lee", &[("phone_number", "+15555550123")]).await;
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "lee", PASSWORD).await;
    let (secret, _) = complete_setup(&browser, &page).await;
    admin_ok(
        &s.app,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": s.pool, "MfaConfiguration": "OPTIONAL",
               "SoftwareTokenMfaConfiguration": {"Enabled": true},
               "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Your code is {####}"}}),
    )
    .await;
    admin_ok(
        &s.app,
        "AdminSetUserSettings",
        json!({"UserPoolId": s.pool, "Username": "lee",
               "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}),
    )
    .await;
    admin_ok(
        &s.app,
        "AdminSetUserMFAPreference",
        json!({"UserPoolId": s.pool, "Username": "lee",
               "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": false}}),
    )
    .await;
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "lee", PASSWORD).await;
    assert!(
        page.title().starts_with("Choose how to sign in"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<legend>"));
    assert!(page.body.contains("value=\"SMS_MFA\""));
    assert!(page.body.contains("value=\"SOFTWARE_TOKEN_MFA\""));
    let page = browser
        .post("mfa", &[("mfa_type", "SOFTWARE_TOKEN_MFA")])
        .await;
    assert!(
        page.title().starts_with("Multi-factor authentication"),
        "{}",
        page.body
    );
    let done = browser.post("mfa", &[("code", &totp(&secret, 1))]).await;
    assert_code_and_exchange(&s, &done).await;
}

#[tokio::test]
async fn spec_18_mfa_setup_needing_sms_is_refused_on_the_page() {
    let s = sms_pool("ON", false).await;
    user(&s, "nophone", &[]).await;
    let (_, page) = Browser::sign_in_on_a_new_request(&s, "nophone", PASSWORD).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(page.body.contains("SMS"), "{}", page.body);
    assert!(page.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn spec_21_every_step_needs_the_csrf_cookie_and_its_step() {
    let s = totp_pool().await;
    user(&s, "alice", &[]).await;
    let (browser, _) = Browser::authorize(&s).await;
    let delivered = s.delivery.events().len();
    for path in [
        "login",
        "mfa",
        "signup",
        "confirmUser",
        "resendCode",
        "forgotPassword",
        "confirmForgotPassword",
    ] {
        let body = form(&[
            ("request", &browser.request),
            ("_csrf", &browser.csrf),
            ("username", "alice"),
            ("password", PASSWORD),
            ("code", "123456"),
        ]);
        let uri = format!("/{}/{path}", s.pool);
        let no_cookie = call(&s.app, post_form(&uri, &body, &[])).await;
        assert_eq!(no_cookie.status, StatusCode::FORBIDDEN, "{path}");
        let other = form(&[
            ("request", &browser.request),
            ("_csrf", "forged"),
            ("username", "alice"),
        ]);
        let forged = call(
            &s.app,
            post_form(&uri, &other, &[("cookie", &browser.cookie)]),
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Nothing was signed up or sent by the refused posts.
    assert_eq!(s.delivery.events().len(), delivered);
    // A code for a step the request is not at is no answer: the sign-in page again.
    let early = browser.post("mfa", &[("code", "123456")]).await;
    assert!(early.title().starts_with("Sign in"), "{}", early.body);
    let early = browser.post("confirmUser", &[("code", "123456")]).await;
    assert!(early.title().starts_with("Sign in"), "{}", early.body);
}

#[tokio::test]
async fn spec_21_an_answered_request_takes_no_further_step() {
    let s = setup(json!({}), json!({})).await;
    user(&s, "alice", &[]).await;
    let (browser, done) = Browser::sign_in_on_a_new_request(&s, "alice", PASSWORD).await;
    assert_eq!(done.status, StatusCode::FOUND);
    for path in ["mfa", "signup", "forgotPassword"] {
        let late = browser
            .post(path, &[("username", "x"), ("code", "1")])
            .await;
        assert_eq!(late.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(late.body.contains("expired"), "{path}: {}", late.body);
    }
    let late = call(
        &s.app,
        get(&format!("/{}/signup?request={}", s.pool, browser.request)),
    )
    .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn spec_21_sign_up_confirm_then_sign_in() {
    let s = setup(
        json!({"Schema": [{"Name": "given_name", "AttributeDataType": "String", "Required": true}]}),
        json!({}),
    )
    .await;
    let (browser, sign_in) = Browser::authorize(&s).await;
    let link = sign_in.link("Sign up");
    assert!(
        link.starts_with(&format!("/{}/signup?request=", s.pool)),
        "{link}"
    );
    // The link's URL alone (another browser, no cookie) opens nothing.
    let stranger = call(&s.app, get(&link)).await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);
    assert!(!stranger.body.contains(&browser.csrf));
    assert!(stranger.headers.get(header::SET_COOKIE).is_none());
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.title().starts_with("Sign up"), "{}", page.body);
    assert!(page.body.contains("autocomplete=\"new-password\""));
    assert!(page.body.contains("name=\"given_name\""), "{}", page.body);
    assert!(page.body.contains("autocomplete=\"given-name\""));
    // A password the policy refuses: the page again, with Cognito's message.
    let refused = browser
        .post(
            "signup",
            &[
                ("username", "carol"),
                ("password", "short"),
                ("given_name", "Carol"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.title().starts_with("Sign up"));
    assert!(refused.body.contains("role=\"alert\""));
    let page = browser
        .post(
            "signup",
            &[
                ("username", "carol"),
                ("password", PASSWORD),
                ("given_name", "Carol"),
                ("email", "carol@example.com"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.title().starts_with("Confirm your account"),
        "{}",
        page.body
    );
    let code = last_code(&s.delivery, "carol");
    let refused = browser
        .post("confirmUser", &[("code", &wrong(&code))])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Invalid verification code provided"));
    let page = browser.post("confirmUser", &[("code", &code)]).await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    assert!(page.body.contains("role=\"status\""));
    assert!(
        page.body.contains("value=\"carol\""),
        "the username is filled in"
    );
    let done = browser.sign_in("carol", PASSWORD).await;
    let tokens = assert_code_and_exchange(&s, &done).await;
    let id = claims(tokens["id_token"].as_str().expect("id"));
    assert_eq!(id["cognito:username"], "carol");
    assert_eq!(id["given_name"], "Carol");
}

#[tokio::test]
async fn spec_21_sign_up_is_offered_only_where_users_may_sign_up() {
    let s = setup(
        json!({"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true}}),
        json!({}),
    )
    .await;
    let (browser, page) = Browser::authorize(&s).await;
    assert!(!page.body.contains("Sign up</a>"), "{}", page.body);
    let refused = browser
        .get(&format!("/{}/signup?request={}", s.pool, browser.request))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("SignUp is not permitted for this user pool")
    );
    let refused = browser
        .post("signup", &[("username", "mallory"), ("password", PASSWORD)])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("SignUp is not permitted for this user pool")
    );
    assert!(s.delivery.events().is_empty(), "nobody was signed up");
}

#[tokio::test]
async fn spec_21_sign_up_page_opened_with_the_authorize_parameters() {
    let s = setup(json!({}), json!({})).await;
    let uri = format!(
        "/{}/signup?{}",
        s.pool,
        authorize_query(&s, "code", "openid")
    );
    let (_, page) = Browser::open(&s, &uri).await;
    assert!(page.title().starts_with("Sign up"), "{}", page.body);
    let open_redirect = call(
        &s.app,
        get(&format!(
            "/{}/signup?{}",
            s.pool,
            authorize_query(&s, "code", "openid").replace("localhost%3A8000", "evil.example")
        )),
    )
    .await;
    assert_eq!(open_redirect.status, StatusCode::BAD_REQUEST);
    assert!(open_redirect.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn spec_21_forgot_password_then_sign_in_with_the_new_one() {
    let s = setup(json!({}), json!({})).await;
    user(
        &s,
        "dora",
        &[("email", "dora@example.com"), ("email_verified", "true")],
    )
    .await;
    let (browser, sign_in) = Browser::authorize(&s).await;
    let link = sign_in.link("Forgot your password?");
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.title().starts_with("Forgot your password?"),
        "{}",
        page.body
    );
    let page = browser
        .post("forgotPassword", &[("username", "dora")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.title().starts_with("Reset your password"));
    assert!(page.body.contains("d***@e***"), "{}", page.body);
    let code = last_code(&s.delivery, "dora");
    let refused = browser
        .post(
            "confirmForgotPassword",
            &[("code", &wrong(&code)), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Invalid verification code provided"));
    let page = browser
        .post(
            "confirmForgotPassword",
            &[("code", &code), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    let old = browser.sign_in("dora", PASSWORD).await;
    assert!(old.body.contains("Incorrect username or password."));
    let done = browser.sign_in("dora", NEW_PASSWORD).await;
    assert_code_and_exchange(&s, &done).await;
}

#[tokio::test]
async fn spec_21_forgot_password_honours_admin_only_recovery() {
    let s = setup(
        json!({"AccountRecoverySetting": {"RecoveryMechanisms": [
            {"Name": "admin_only", "Priority": 1}]}}),
        json!({}),
    )
    .await;
    user(&s, "dora", &[("email", "dora@example.com")]).await;
    let (browser, page) = Browser::authorize(&s).await;
    assert!(
        !page.body.contains("Forgot your password?"),
        "{}",
        page.body
    );
    let refused = browser
        .get(&format!(
            "/{}/forgotPassword?request={}",
            s.pool, browser.request
        ))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("Contact administrator to reset password.")
    );
    let refused = browser
        .post("forgotPassword", &[("username", "dora")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("Contact administrator to reset password."),
        "{}",
        refused.body
    );
    assert!(s.delivery.last_code("dora").is_none(), "no code was sent");
}

async fn implicit_client(s: &Setup, flows: Value) -> String {
    admin_ok(
        &s.app,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": s.pool, "ClientName": "spa",
            "AllowedOAuthFlows": flows, "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client id")
        .to_owned()
}

#[tokio::test]
async fn spec_21_implicit_grant_puts_the_tokens_in_the_fragment() {
    let mut s = setup(json!({}), json!({})).await;
    user(&s, "alice", &[("email", "a@example.com")]).await;
    s.client_id = implicit_client(&s, json!(["implicit"])).await;
    let uri = authorize_uri(&s, "token", "openid email");
    let (browser, _) = Browser::open(&s, &uri).await;
    let done = browser.sign_in("alice", PASSWORD).await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let location = done.location();
    assert!(location.starts_with(&format!("{CALLBACK}#")), "{location}");
    let pairs = params_of(&location, true);
    assert_eq!(param(&pairs, "token_type").as_deref(), Some("Bearer"));
    assert_eq!(param(&pairs, "state").as_deref(), Some("xyz"));
    assert_eq!(param(&pairs, "expires_in").as_deref(), Some("3600"));
    assert!(param(&pairs, "refresh_token").is_none());
    assert!(param(&pairs, "code").is_none());
    let id = claims(&param(&pairs, "id_token").expect("an id token with openid"));
    assert_eq!(id["nonce"], "n0nce");
    assert_eq!(id["aud"], s.client_id.as_str());
    let access = param(&pairs, "access_token").expect("an access token");
    assert_eq!(claims(&access)["scope"], "openid email");
    let info = call(&s.app, user_info(&s.pool, &access)).await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.body);
    // Without `openid`, no id token.
    let uri = authorize_uri(&s, "token", "email");
    let (browser, _) = Browser::open(&s, &uri).await;
    let done = browser.sign_in("alice", PASSWORD).await;
    let pairs = params_of(&done.location(), true);
    assert!(param(&pairs, "access_token").is_some());
    assert!(param(&pairs, "id_token").is_none(), "{}", done.location());
}

#[tokio::test]
async fn spec_21_implicit_grant_refused_unless_the_client_allows_it() {
    let s = setup(json!({}), json!({})).await;
    let uri = authorize_uri(&s, "token", "openid");
    let refused = call(&s.app, get(&uri)).await;
    assert_eq!(refused.status, StatusCode::FOUND);
    let pairs = params_of(&refused.location(), false);
    assert_eq!(
        param(&pairs, "error").as_deref(),
        Some("unauthorized_client")
    );
    assert_eq!(param(&pairs, "state").as_deref(), Some("xyz"));
    let uri = authorize_uri(&s, "id_token", "openid");
    let refused = call(&s.app, get(&uri)).await;
    let pairs = params_of(&refused.location(), false);
    assert_eq!(
        param(&pairs, "error").as_deref(),
        Some("unsupported_response_type")
    );
    // A client allowing only `implicit` cannot ask for a code.
    let mut s = s;
    s.client_id = implicit_client(&s, json!(["implicit"])).await;
    let uri = authorize_uri(&s, "code", "openid");
    let refused = call(&s.app, get(&uri)).await;
    let pairs = params_of(&refused.location(), false);
    assert_eq!(
        param(&pairs, "error").as_deref(),
        Some("unauthorized_client")
    );
}

#[tokio::test]
async fn spec_21_discovery_lists_the_implicit_response_type() {
    let s = setup(json!({}), json!({})).await;
    let reply = call(
        &s.app,
        get(&format!("/{}/.well-known/openid-configuration", s.pool)),
    )
    .await;
    let doc: Value = serde_json::from_str(&reply.body).expect("json");
    assert_eq!(doc["response_types_supported"], json!(["code", "token"]));
}

/// `/logout` in its second form: back to `redirect_uri` through a new sign-in for
/// `client_id`'s code flow.
async fn logout_back_to(s: &Setup, client_id: &str, redirect_uri: &str) -> Reply {
    let query = [
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("response_type", "code"),
    ];
    call(&s.app, logout(&s.pool, &query)).await
}

#[tokio::test]
async fn spec_21_logout_with_redirect_uri_shows_the_sign_in_page_again() {
    let s = setup(json!({}), json!({})).await;
    user(&s, "alice", &[]).await;
    let uri = format!(
        "/{}/logout?{}",
        s.pool,
        form(&[
            ("client_id", &s.client_id),
            ("redirect_uri", CALLBACK),
            ("response_type", "code"),
            ("state", "xyz"),
            ("scope", "openid email"),
            ("code_challenge", &s256_challenge(VERIFIER)),
            ("code_challenge_method", "S256"),
        ])
    );
    let (browser, page) = Browser::open(&s, &uri).await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    let done = browser.sign_in("alice", PASSWORD).await;
    let tokens = assert_code_and_exchange(&s, &done).await;
    assert!(tokens["access_token"].is_string());
    // An unregistered redirect_uri is shown, never followed.
    let refused = logout_back_to(&s, &s.client_id, "https://evil.example/cb").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.headers.get(header::LOCATION).is_none());
    // An unknown client likewise.
    let refused = logout_back_to(&s, "nope", CALLBACK).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.headers.get(header::LOCATION).is_none());
}

#[tokio::test]
async fn spec_21_an_unconfirmed_user_is_sent_to_the_confirmation_page() {
    let s = setup(json!({}), json!({})).await;
    let (browser, _) = Browser::authorize(&s).await;
    let page = browser.sign_up_with_email("uma").await;
    assert!(page.title().starts_with("Confirm your account"));
    let first = last_code(&s.delivery, "uma");
    // A wrong password says only that.
    let refused = browser.sign_in("uma", "Wrong-Horse-1").await;
    assert!(refused.body.contains("Incorrect username or password."));
    assert_eq!(
        last_code(&s.delivery, "uma"),
        first,
        "no code for a wrong password"
    );
    // The right one: a new code and the confirmation page.
    let page = browser.sign_in("uma", PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.title().starts_with("Confirm your account"),
        "{}",
        page.body
    );
    assert!(page.body.contains("u***@e***"), "{}", page.body);
    let code = last_code(&s.delivery, "uma");
    let page = browser.post("confirmUser", &[("code", &code)]).await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    let done = browser.sign_in("uma", PASSWORD).await;
    assert_code_and_exchange(&s, &done).await;
}

#[tokio::test]
async fn spec_21_a_user_whose_password_must_be_reset_is_sent_to_the_reset_page() {
    let s = setup(json!({}), json!({})).await;
    user(
        &s,
        "rita",
        &[("email", "rita@example.com"), ("email_verified", "true")],
    )
    .await;
    admin_ok(
        &s.app,
        "AdminResetUserPassword",
        json!({"UserPoolId": s.pool, "Username": "rita"}),
    )
    .await;
    let issued = s.delivery.events().len();
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "rita", PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.title().starts_with("Reset your password"),
        "{}",
        page.body
    );
    assert!(
        s.delivery.events().len() > issued,
        "a new reset code was sent"
    );
    let code = last_code(&s.delivery, "rita");
    let page = browser
        .post(
            "confirmForgotPassword",
            &[("code", &code), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    let done = browser.sign_in("rita", NEW_PASSWORD).await;
    assert_code_and_exchange(&s, &done).await;
}

#[tokio::test]
async fn spec_21_forgot_password_for_an_unknown_user_follows_the_clients_prevention() {
    let s = setup(json!({}), json!({"PreventUserExistenceErrors": "ENABLED"})).await;
    let (browser, _) = Browser::authorize(&s).await;
    let page = browser
        .post("forgotPassword", &[("username", "ghost")])
        .await;
    // As ForgotPassword answers such a client: a simulated delivery, nothing sent.
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.title().starts_with("Reset your password"));
    assert!(s.delivery.events().is_empty());
    let refused = browser
        .post(
            "confirmForgotPassword",
            &[("code", "123456"), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("Invalid verification code provided"));

    let s = setup(json!({}), json!({"PreventUserExistenceErrors": "LEGACY"})).await;
    let (browser, _) = Browser::authorize(&s).await;
    let page = browser
        .post("forgotPassword", &[("username", "ghost")])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.title().starts_with("Forgot your password?"));
    assert!(page.body.contains("role=\"alert\""));
}

#[tokio::test]
async fn spec_21_sign_up_in_an_email_as_username_pool() {
    let s = setup(
        json!({"UsernameAttributes": ["email"],
               "Schema": [{"Name": "email", "AttributeDataType": "String", "Required": true}]}),
        json!({}),
    )
    .await;
    let (browser, _) = Browser::authorize(&s).await;
    let page = browser
        .get(&format!("/{}/signup?request={}", s.pool, browser.request))
        .await;
    assert!(
        page.body.contains("<label for=\"username\">Email</label>"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("name=\"email\""),
        "the username is the email: one field"
    );
    let page = browser
        .post(
            "signup",
            &[("username", "erin@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert!(
        page.title().starts_with("Confirm your account"),
        "{}",
        page.body
    );
    let user = s
        .delivery
        .events()
        .into_iter()
        .rev()
        .find_map(|d| matches!(d.event, Event::CodeIssued { .. }).then_some(d.username))
        .expect("a sign-up code");
    let code = last_code(&s.delivery, &user);
    let page = browser.post("confirmUser", &[("code", &code)]).await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    let done = browser.sign_in("erin@example.com", PASSWORD).await;
    let tokens = assert_code_and_exchange(&s, &done).await;
    assert_eq!(
        claims(tokens["id_token"].as_str().expect("id"))["email"],
        "erin@example.com"
    );
}

#[tokio::test]
async fn spec_21_the_confirmation_page_resends_the_code_within_the_limit() {
    let s = setup(json!({}), json!({})).await;
    let (browser, _) = Browser::authorize(&s).await;
    let page = browser.sign_up_with_email("ria").await;
    assert!(page.body.contains("action=\"/"), "{}", page.body);
    assert!(page.body.contains("/resendCode\""), "{}", page.body);
    let codes = |s: &Setup| {
        s.delivery
            .events()
            .into_iter()
            .filter(|d| d.username == "ria" && matches!(d.event, Event::CodeIssued { .. }))
            .count()
    };
    assert_eq!(codes(&s), 1);
    // SPEC §12: five codes an hour, the sign-up's included; the sixth is refused.
    for sent in 2..=5 {
        let page = browser.post("resendCode", &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.title().starts_with("Confirm your account"));
        assert_eq!(codes(&s), sent);
    }
    let refused = browser.post("resendCode", &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("Attempt limit exceeded"),
        "{}",
        refused.body
    );
    assert_eq!(codes(&s), 5, "nothing was sent past the limit");
    let code = last_code(&s.delivery, "ria");
    let page = browser.post("confirmUser", &[("code", &code)]).await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    // Without its step (the sign-up is confirmed), a resend is no answer.
    let late = browser.post("resendCode", &[]).await;
    assert!(late.title().starts_with("Sign in"), "{}", late.body);
    assert_eq!(codes(&s), 5);
}

/// SPEC §6 and §21: the pool requires an attribute the user lacks, so the new-password
/// page asks for it with the password, as the challenge's `requiredAttributes` do; left
/// empty it is refused and nothing changes, given it the sign-in ends with a code.
#[tokio::test]
async fn spec_21_the_new_password_page_asks_for_missing_required_attributes() {
    let s = setup(
        json!({"Schema": [{"Name": "given_name", "AttributeDataType": "String",
                           "Required": true, "Mutable": true}]}),
        json!({}),
    )
    .await;
    admin_ok(
        &s.app,
        "AdminCreateUser",
        json!({"UserPoolId": s.pool, "Username": "newbie", "MessageAction": "SUPPRESS",
               "TemporaryPassword": "Temp-Pass-1x",
               "UserAttributes": [{"Name": "given_name", "Value": "Old"}]}),
    )
    .await;
    // Stored without the required attribute, as an import can leave a user.
    let pool_id = userpool_core::UserPoolId::parse(&s.pool).expect("pool id");
    let mut stored = s
        .store
        .find_user(&pool_id, userpool_store::UserKey::Username("newbie"))
        .expect("store")
        .expect("user");
    stored.attributes.remove("given_name");
    s.store.update_user(&pool_id, &stored).expect("update");
    let (browser, page) = Browser::sign_in_on_a_new_request(&s, "newbie", "Temp-Pass-1x").await;
    assert!(page.title().starts_with("Change password"), "{}", page.body);
    assert!(
        page.body.contains("name=\"given_name\""),
        "the page asks for the missing attribute: {}",
        page.body
    );
    let refused = browser
        .post("login", &[("new_password", NEW_PASSWORD)])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.title().starts_with("Change password"),
        "{}",
        refused.body
    );
    let user = admin_ok(
        &s.app,
        "AdminGetUser",
        json!({"UserPoolId": s.pool, "Username": "newbie"}),
    )
    .await;
    assert_eq!(
        user["UserStatus"], "FORCE_CHANGE_PASSWORD",
        "nothing changed"
    );
    let done = browser
        .post(
            "login",
            &[("new_password", NEW_PASSWORD), ("given_name", "Ada")],
        )
        .await;
    assert_code_and_exchange(&s, &done).await;
    let user = admin_ok(
        &s.app,
        "AdminGetUser",
        json!({"UserPoolId": s.pool, "Username": "newbie"}),
    )
    .await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
    assert!(
        user["UserAttributes"].as_array().is_some_and(|a| a
            .iter()
            .any(|x| x["Name"] == "given_name" && x["Value"] == "Ada")),
        "{user}"
    );
}

/// A client with a secret: the page's account steps go through the public operations,
/// whose SECRET_HASH the service checks (SPEC §11), and the browser sends none (as with
/// Cognito's hosted UI): the page presents the client's own.
#[tokio::test]
async fn spec_21_a_confidential_clients_page_steps_need_no_secret_hash_from_the_browser() {
    let s = setup(json!({}), json!({"GenerateSecret": true})).await;
    let (browser, sign_in) = Browser::authorize(&s).await;
    let page = browser.get(&sign_in.link("Sign up")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page = browser
        .post(
            "signup",
            &[
                ("username", "carol"),
                ("password", PASSWORD),
                ("email", "carol@example.com"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.title().starts_with("Confirm your account"),
        "{}",
        page.body
    );
    let code = last_code(&s.delivery, "carol");
    let page = browser.post("confirmUser", &[("code", &code)]).await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    let page = browser.get(&page.link("Forgot your password?")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page = browser
        .post("forgotPassword", &[("username", "carol")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.title().starts_with("Reset your password"),
        "{}",
        page.body
    );
    let code = last_code(&s.delivery, "carol");
    let page = browser
        .post(
            "confirmForgotPassword",
            &[("code", &code), ("new_password", NEW_PASSWORD)],
        )
        .await;
    assert!(page.title().starts_with("Sign in"), "{}", page.body);
    let done = browser.sign_in("carol", NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    assert!(done.location().starts_with(CALLBACK), "{}", done.location());
    // The same client refuses the public operation without a hash, on the wire.
    let body = json!({"ClientId": s.client_id, "Username": "carol"});
    let (status, refused) = common::public(&s.app, "ForgotPassword", &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(common::error_type(&refused), "NotAuthorizedException");
}
