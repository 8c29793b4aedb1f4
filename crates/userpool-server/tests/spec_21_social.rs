//! SPEC §21 social identity providers over real loopback sockets: a fake of each social
//! provider (a Google-like and an Apple-like OpenID Connect provider with discovery and
//! JWKS, a Facebook-like and an Amazon-like OAuth 2.0 provider with a user-info endpoint)
//! runs beside the server, its endpoints configured over Cognito's defaults. The test
//! plays the browser and the provider's authorization page: it reads the server's
//! redirect to the provider (state, nonce, PKCE challenge), records what the provider
//! would, and answers the server's `/oauth2/idpresponse`. The fakes check what a real
//! provider checks: the client secret, the PKCE verifier against the challenge, and for
//! Apple the client-secret JWT against the public key of the relying party's key.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use common::net::http;
use common::oauth::{claims, provider_authorize_query};
use common::{admin_ok, create_client, error_type, send, signed};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};
use userpool_core::oauth::s256_challenge;

const CALLBACK: &str = "http://localhost:8000/callback";
const VERIFIER: &str = "social-test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG";

/// The fake providers' id-token signing key (P-256, made for this test only).
const IDP_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAOO/O6xZkrjdGQnU
likE3mp7K1GQeYk9mJwMRsIx206hRANCAAQt6mLfyr5BTUXSFDI11wpEIKR6gP61
iN5qVazrhGu0gz4Xg5/yHyylvHTQ24KHaXe4m5Nrr3VujLHcjPwqUSwR
-----END PRIVATE KEY-----
";
const IDP_X: &str = "Lepi38q-QU1F0hQyNdcKRCCkeoD-tYjealWs64RrtIM";
const IDP_Y: &str = "PheDn_IfLKW8dNDbgodpd7ibk2uvdW6MsdyM_CpRLBE";

/// The relying party's Sign in with Apple key (`private_key`), and its public point, which
/// the Apple-like fake holds as Apple would.
const APPLE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgT9Z69IubUmYOMy+G
aBadcRYi78ltc/Neog9XOXSY6w+hRANCAASzxZ6VPSMx8xv16K4yYgrbTKJY837h
xhOMVpoA6qj4upGOJpoM6C3NxOitmTOB+k2rCUMtDH0k4ll1rZXJDy1b
-----END PRIVATE KEY-----
";
const APPLE_X: &str = "s8WelT0jMfMb9eiuMmIK20yiWPN-4cYTjFaaAOqo-Lo";
const APPLE_Y: &str = "kY4mmgzoLc3E6K2ZM4H6TasJQy0MfSTiWXWtlckPLVs";
const APPLE_TEAM: &str = "TEAM123456";
const APPLE_KEY_ID: &str = "KEY1234567";
const APPLE_CLIENT: &str = "com.example.web";

/// What the test, as the provider's authorization page, handed out for one code.
#[derive(Clone, Default)]
struct Issued {
    challenge: Option<String>,
    nonce: Option<String>,
    subject: String,
    email: String,
}

/// The fakes' shared state.
#[derive(Default)]
struct Fake {
    base: String,
    codes: HashMap<String, Issued>,
    /// Every PKCE verifier a token endpoint received.
    verifiers: Vec<String>,
    /// The `fields` Facebook's user-info endpoint was asked for.
    fields: Vec<String>,
    /// Issue id tokens for this audience instead of the client's.
    wrong_audience: bool,
    /// The user-info answers leave out the id.
    omit_id: bool,
    /// Apple client secrets that verified.
    apple_secrets_verified: usize,
    /// The browser's cookie binding each upstream `state` (set by our redirect to the
    /// provider; sent back with the provider's answer, as a browser would).
    browser_cookies: HashMap<String, String>,
}

type Shared = Arc<Mutex<Fake>>;

fn form_of(text: &str) -> HashMap<String, String> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn refuse(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, axum::Json(json!({"error": error}))).into_response()
}

fn idp_key() -> EncodingKey {
    let der = PrivatePkcs8KeyDer::from_pem_slice(IDP_KEY.as_bytes()).expect("pem");
    EncodingKey::from_ec_der(der.secret_pkcs8_der())
}

fn jwks() -> Value {
    json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "idp-key", "alg": "ES256",
                     "use": "sig", "x": IDP_X, "y": IDP_Y}]})
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        .try_into()
        .expect("seconds")
}

/// Takes the code of an authorization-code request: checks the client, the redirect URI
/// and PKCE (when a challenge was issued); returns what was issued for it.
fn take_code(
    fake: &mut Fake,
    form: &HashMap<String, String>,
    client_id: &str,
    secret: Option<&str>,
) -> Result<Issued, &'static str> {
    if form.get("grant_type").map(String::as_str) != Some("authorization_code")
        || form.get("client_id").map(String::as_str) != Some(client_id)
        || !form
            .get("redirect_uri")
            .is_some_and(|r| r.ends_with("/oauth2/idpresponse"))
    {
        return Err("invalid_request");
    }
    if let Some(secret) = secret
        && form.get("client_secret").map(String::as_str) != Some(secret)
    {
        return Err("invalid_client");
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let issued = fake.codes.remove(&code).ok_or("invalid_grant")?;
    if let Some(verifier) = form.get("code_verifier") {
        fake.verifiers.push(verifier.clone());
    }
    match (&issued.challenge, form.get("code_verifier")) {
        (None, _) => {}
        (Some(challenge), Some(verifier)) if s256_challenge(verifier) == *challenge => {}
        _ => return Err("invalid_grant"),
    }
    Ok(issued)
}

fn id_token(fake: &Fake, issuer: &str, audience: &str, issued: &Issued) -> String {
    let audience = if fake.wrong_audience {
        "someone-else"
    } else {
        audience
    };
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("idp-key".into());
    let mut claims = json!({
        "iss": issuer, "aud": audience, "sub": issued.subject, "email": issued.email,
        "email_verified": true, "nonce": issued.nonce,
        "iat": now(), "exp": now() + 300,
    });
    // Google's id tokens carry the name; Apple's never do (it posts it beside the code).
    if issuer.ends_with("/google") {
        claims["name"] = json!("Gail Google");
    }
    jsonwebtoken::encode(&header, &claims, &idp_key()).expect("sign")
}

fn bearer(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {token}"))
}

fn fake_routes(shared: &Shared) -> Router {
    let s = Arc::clone(shared);
    let discovery = move || {
        let base = s.lock().expect("lock").base.clone();
        async move {
            axum::Json(json!({
                "issuer": format!("{base}/google"),
                "authorization_endpoint": format!("{base}/google/auth"),
                "token_endpoint": format!("{base}/google/token"),
                "jwks_uri": format!("{base}/google/jwks"),
            }))
        }
    };
    let s = Arc::clone(shared);
    let google_token = move |body: String| {
        let mut fake = s.lock().expect("lock");
        let form = form_of(&body);
        let answer = take_code(&mut fake, &form, "g-client", Some("g-secret"))
            .map_err(refuse)
            .map(|issued| {
                let issuer = format!("{}/google", fake.base);
                axum::Json(json!({
                    "access_token": "g-access", "token_type": "Bearer",
                    "id_token": id_token(&fake, &issuer, "g-client", &issued),
                }))
                .into_response()
            });
        async move { answer.unwrap_or_else(|e| e) }
    };
    let s = Arc::clone(shared);
    let apple_token = move |body: String| {
        let mut fake = s.lock().expect("lock");
        let form = form_of(&body);
        let issuer = format!("{}/apple", fake.base);
        // Apple's check of the client secret: an ES256 JWT by the team's key.
        let secret = form.get("client_secret").cloned().unwrap_or_default();
        let key = DecodingKey::from_ec_components(APPLE_X, APPLE_Y).expect("key");
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&[&issuer]);
        validation.set_issuer(&[APPLE_TEAM]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let verified = jsonwebtoken::decode_header(&secret)
            .ok()
            .filter(|h| h.kid.as_deref() == Some(APPLE_KEY_ID))
            .and_then(|_| jsonwebtoken::decode::<Value>(&secret, &key, &validation).ok())
            .filter(|data| data.claims["sub"] == APPLE_CLIENT);
        let answer = if verified.is_none() {
            Err(refuse("invalid_client"))
        } else {
            fake.apple_secrets_verified += 1;
            take_code(&mut fake, &form, APPLE_CLIENT, None)
                .map_err(refuse)
                .map(|issued| {
                    axum::Json(json!({
                        "access_token": "a-access", "token_type": "Bearer",
                        "id_token": id_token(&fake, &issuer, APPLE_CLIENT, &issued),
                    }))
                    .into_response()
                })
        };
        async move { answer.unwrap_or_else(|e| e) }
    };
    let s = Arc::clone(shared);
    let facebook_token = move |RawQuery(query): RawQuery| {
        let mut fake = s.lock().expect("lock");
        let mut form = form_of(&query.unwrap_or_default());
        // Facebook's GET form has no grant_type; the relying party sends it anyway.
        form.entry("grant_type".into())
            .or_insert_with(|| "authorization_code".into());
        let answer = take_code(&mut fake, &form, "fb-app", Some("fb-secret"))
            .map_err(refuse)
            .map(|_| {
                axum::Json(json!({"access_token": "fb-access", "token_type": "bearer"}))
                    .into_response()
            });
        async move { answer.unwrap_or_else(|e| e) }
    };
    let s = Arc::clone(shared);
    let facebook_me = move |headers: HeaderMap, RawQuery(query): RawQuery| {
        let mut fake = s.lock().expect("lock");
        let fields = form_of(&query.unwrap_or_default())
            .remove("fields")
            .unwrap_or_default();
        fake.fields.push(fields);
        let answer = if !bearer(&headers, "fb-access") {
            refuse("invalid_token")
        } else if fake.omit_id {
            axum::Json(json!({"email": "fiona@example.com", "name": "Fiona"})).into_response()
        } else {
            axum::Json(json!({"id": "10158000111", "email": "fiona@example.com",
                              "name": "Fiona Facebook"}))
            .into_response()
        };
        async move { answer }
    };
    let s = Arc::clone(shared);
    let amazon_token = move |body: String| {
        let mut fake = s.lock().expect("lock");
        let form = form_of(&body);
        let answer = take_code(&mut fake, &form, "amzn1.app", Some("amzn-secret"))
            .map_err(refuse)
            .map(|_| {
                axum::Json(json!({"access_token": "amzn-access", "token_type": "bearer"}))
                    .into_response()
            });
        async move { answer.unwrap_or_else(|e| e) }
    };
    let amazon_profile = move |headers: HeaderMap| async move {
        if bearer(&headers, "amzn-access") {
            axum::Json(
                json!({"user_id": "amzn1.account.AE1XYZ", "email": "amy@example.com",
                              "name": "Amy Amazon"}),
            )
            .into_response()
        } else {
            refuse("invalid_token")
        }
    };
    Router::new()
        .route("/google/.well-known/openid-configuration", get(discovery))
        .route("/google/token", post(google_token))
        .route("/google/jwks", get(|| async { axum::Json(jwks()) }))
        .route("/apple/token", post(apple_token))
        .route("/apple/keys", get(|| async { axum::Json(jwks()) }))
        .route("/facebook/token", get(facebook_token))
        .route("/facebook/me", get(facebook_me))
        .route("/amazon/token", post(amazon_token))
        .route("/amazon/profile", get(amazon_profile))
}

struct World {
    base: String,
    admin: Router,
    pool: String,
    client: String,
    fake: Shared,
}

async fn world() -> World {
    let (base, routes) = common::net::serve_router(&["--no-rate-limits"]).await;

    let fake: Shared = Arc::default();
    let fake_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let fake_base = format!("http://{}", fake_listener.local_addr().expect("address"));
    fake.lock().expect("lock").base = fake_base.clone();
    tokio::spawn(axum::serve(fake_listener, fake_routes(&fake)).into_future());

    let pool = admin_ok(&routes, "CreateUserPool", json!({"PoolName": "Social"})).await["UserPool"]
        ["Id"]
        .as_str()
        .expect("id")
        .to_owned();
    let f = |path: &str| format!("{fake_base}{path}");
    let providers = [
        (
            "Google",
            "Google",
            json!({"client_id": "g-client", "client_secret": "g-secret",
                   "authorize_scopes": "openid email profile",
                   "oidc_issuer": f("/google"), "authorize_url": f("/google/auth"),
                   "token_url": f("/google/token")}),
            json!({"email": "email", "name": "name", "username": "sub"}),
        ),
        (
            "GoogleDown",
            "Google",
            json!({"client_id": "g-client", "client_secret": "g-secret",
                   "authorize_scopes": "openid email",
                   "oidc_issuer": f("/google"), "authorize_url": f("/google/auth"),
                   "token_url": "http://127.0.0.1:1/token"}),
            json!({"email": "email"}),
        ),
        (
            "SignInWithApple",
            "SignInWithApple",
            json!({"client_id": APPLE_CLIENT, "team_id": APPLE_TEAM, "key_id": APPLE_KEY_ID,
                   "private_key": APPLE_KEY, "authorize_scopes": "openid email name",
                   "oidc_issuer": f("/apple"), "authorize_url": f("/apple/auth"),
                   "token_url": f("/apple/token"), "jwks_uri": f("/apple/keys")}),
            json!({"email": "email", "given_name": "firstName", "family_name": "lastName",
                   "name": "name"}),
        ),
        (
            "AppleWrongKey",
            "SignInWithApple",
            json!({"client_id": APPLE_CLIENT, "team_id": APPLE_TEAM, "key_id": APPLE_KEY_ID,
                   "private_key": IDP_KEY, "authorize_scopes": "openid email name",
                   "oidc_issuer": f("/apple"), "authorize_url": f("/apple/auth"),
                   "token_url": f("/apple/token"), "jwks_uri": f("/apple/keys")}),
            json!({"email": "email"}),
        ),
        (
            "Facebook",
            "Facebook",
            json!({"client_id": "fb-app", "client_secret": "fb-secret",
                   "authorize_scopes": "public_profile, email",
                   "authorize_url": f("/facebook/dialog"), "token_url": f("/facebook/token"),
                   "attributes_url": f("/facebook/me?fields=")}),
            json!({"email": "email", "name": "name", "username": "id"}),
        ),
        (
            "LoginWithAmazon",
            "LoginWithAmazon",
            json!({"client_id": "amzn1.app", "client_secret": "amzn-secret",
                   "authorize_scopes": "profile",
                   "authorize_url": f("/amazon/ap/oa"), "token_url": f("/amazon/token"),
                   "attributes_url": f("/amazon/profile")}),
            json!({"email": "email", "name": "name"}),
        ),
    ];
    admin_ok(
        &routes,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": "Okta", "ProviderType": "SAML",
               "ProviderDetails": {"MetadataURL": f("/saml/metadata")}}),
    )
    .await;
    let mut names = vec!["COGNITO", "Okta"];
    for (name, kind, details, mapping) in &providers {
        admin_ok(
            &routes,
            "CreateIdentityProvider",
            json!({"UserPoolId": pool, "ProviderName": name, "ProviderType": kind,
                   "ProviderDetails": details, "AttributeMapping": mapping}),
        )
        .await;
        names.push(name);
    }
    let client = create_client(
        &routes,
        json!({
            "UserPoolId": pool, "ClientName": "web",
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": names,
            "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
    )
    .await;
    World {
        base,
        admin: routes,
        pool,
        client,
        fake,
    }
}

/// The status and `location` of an answer.
fn location(mut response: ureq::http::Response<ureq::Body>) -> (u16, String) {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    assert!(status == 302, "status {status}: {body}");
    (status, location)
}

fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_of(query).remove(name)
}

/// Starts a sign-in through `provider` at our authorize endpoint; returns the redirect
/// to the provider.
fn start(w: &World, provider: &str) -> String {
    let query = provider_authorize_query(&w.client, CALLBACK, VERIFIER, provider);
    let url = format!("{}/{}/oauth2/authorize?{query}", w.base, w.pool);
    let response = http().get(&url).call().expect("authorize");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned();
    let upstream = location(response).1;
    if let Some(state) = param(&upstream, "state") {
        w.fake
            .lock()
            .expect("lock")
            .browser_cookies
            .insert(state, cookie);
    }
    upstream
}

/// Plays the provider's authorization page for `upstream` (the redirect to it): hands
/// out `code` for `subject`, remembering the challenge and nonce sent; then answers our
/// idpresponse (by form post when `form_post`) and returns where we send the browser.
fn provider_answers(
    w: &World,
    upstream: &str,
    code: &str,
    subject: &str,
    form_post: bool,
) -> String {
    let issued = Issued {
        challenge: param(upstream, "code_challenge"),
        nonce: param(upstream, "nonce"),
        subject: subject.to_owned(),
        email: format!("{subject}@example.com"),
    };
    w.fake
        .lock()
        .expect("lock")
        .codes
        .insert(code.to_owned(), issued);
    let state = param(upstream, "state").expect("state");
    let cookie = w
        .fake
        .lock()
        .expect("lock")
        .browser_cookies
        .get(&state)
        .cloned()
        .unwrap_or_default();
    let callback = format!("{}/{}/oauth2/idpresponse", w.base, w.pool);
    assert_eq!(
        param(upstream, "redirect_uri").as_deref(),
        Some(callback.as_str())
    );
    let answer = if form_post {
        // Apple posts the user's name (first sign-in only) beside the code.
        let user =
            r#"{"name":{"firstName":"Ada","lastName":"Apple"},"email":"forged@example.com"}"#;
        http().post(&callback).header("cookie", &cookie).send_form([
            ("code", code),
            ("state", state.as_str()),
            ("user", user),
        ])
    } else {
        http()
            .get(&format!(
                "{callback}?code={}&state={}",
                form_escape(code),
                form_escape(&state)
            ))
            .header("cookie", &cookie)
            .call()
    };
    location(answer.expect("idpresponse")).1
}

fn form_escape(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn user(w: &World, username: &str) -> Option<Value> {
    let (status, out) = send(
        &w.admin,
        signed(
            "AdminGetUser",
            &json!({"UserPoolId": w.pool, "Username": username}),
        ),
    )
    .await;
    if status.as_u16() == 200 {
        Some(out)
    } else {
        assert_eq!(error_type(&out), "UserNotFoundException", "{out}");
        None
    }
}

fn attribute(user: &Value, name: &str) -> Option<String> {
    user["UserAttributes"]
        .as_array()?
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str())
        .map(str::to_owned)
}

async fn user_count(w: &World) -> usize {
    admin_ok(&w.admin, "ListUsers", json!({"UserPoolId": w.pool})).await["Users"]
        .as_array()
        .map_or(0, Vec::len)
}

/// The signed-in user's tokens: our code exchanged at our token endpoint.
fn tokens(w: &World, done: &str) -> Value {
    assert!(done.starts_with(CALLBACK), "{done}");
    assert_eq!(param(done, "state").as_deref(), Some("app-state"));
    let code = param(done, "code").unwrap_or_else(|| panic!("no code: {done}"));
    let mut answer = http()
        .post(&format!("{}/{}/oauth2/token", w.base, w.pool))
        .send_form([
            ("grant_type", "authorization_code"),
            ("client_id", w.client.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .expect("token");
    let body = answer.body_mut().read_to_string().expect("body");
    serde_json::from_str(&body).expect("json")
}

async fn identities(w: &World, username: &str) -> Vec<Value> {
    let user = user(w, username).await.expect("user");
    serde_json::from_str(&attribute(&user, "identities").expect("identities")).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn s21_google_signs_in_with_pkce_and_a_verified_id_token() {
    let w = world().await;
    let upstream = begin(&w, "Google").await;
    assert!(upstream.contains("/google/auth?"), "{upstream}");
    assert_eq!(param(&upstream, "client_id").as_deref(), Some("g-client"));
    assert_eq!(
        param(&upstream, "scope").as_deref(),
        Some("openid email profile")
    );
    assert_eq!(
        param(&upstream, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(param(&upstream, "nonce").is_some());
    let done = answer(&w, &upstream, "g-code-1", "1098765", false).await;
    let tokens = exchange(&w, &done).await;
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(id["cognito:username"], "Google_1098765");
    assert_eq!(id["identities"][0]["providerType"], "Google");
    assert_eq!(id["identities"][0]["userId"], "1098765");
    let user = user(&w, "Google_1098765").await.expect("created");
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER");
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("1098765@example.com")
    );
    assert_eq!(attribute(&user, "name").as_deref(), Some("Gail Google"));
    // The verifier the provider checked is the one whose challenge went with the request.
    let fake = w.fake.lock().expect("lock");
    assert_eq!(fake.verifiers.len(), 1);
    assert_eq!(
        Some(s256_challenge(&fake.verifiers[0])),
        param(&upstream, "code_challenge")
    );
}

/// A handle on the same world for a blocking thread.
fn w_clone(w: &World) -> World {
    World {
        base: w.base.clone(),
        admin: w.admin.clone(),
        pool: w.pool.clone(),
        client: w.client.clone(),
        fake: Arc::clone(&w.fake),
    }
}

/// Runs the provider's side of one sign-in on a blocking thread.
async fn answer(w: &World, upstream: &str, code: &str, subject: &str, form_post: bool) -> String {
    let (w, upstream, code, subject) = (
        w_clone(w),
        upstream.to_owned(),
        code.to_owned(),
        subject.to_owned(),
    );
    tokio::task::spawn_blocking(move || provider_answers(&w, &upstream, &code, &subject, form_post))
        .await
        .expect("join")
}

async fn exchange(w: &World, done: &str) -> Value {
    let (w, done) = (w_clone(w), done.to_owned());
    tokio::task::spawn_blocking(move || tokens(&w, &done))
        .await
        .expect("join")
}

async fn begin(w: &World, provider: &str) -> String {
    let (w, provider) = (w_clone(w), provider.to_owned());
    tokio::task::spawn_blocking(move || start(&w, &provider))
        .await
        .expect("join")
}

#[tokio::test(flavor = "multi_thread")]
async fn s21_apple_signs_in_with_a_client_secret_jwt_the_provider_verifies() {
    let w = world().await;
    let upstream = begin(&w, "SignInWithApple").await;
    assert!(upstream.contains("/apple/auth?"), "{upstream}");
    assert_eq!(
        param(&upstream, "response_mode").as_deref(),
        Some("form_post")
    );
    assert!(param(&upstream, "code_challenge").is_some());
    let done = answer(&w, &upstream, "a-code-1", "001234.abcdef", true).await;
    assert!(done.starts_with(CALLBACK), "{done}");
    assert!(param(&done, "code").is_some(), "{done}");
    let user = user(&w, "SignInWithApple_001234.abcdef")
        .await
        .expect("created");
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("001234.abcdef@example.com")
    );
    // The posted name completes the id token's claims; its email does not replace the
    // verified one.
    assert_eq!(attribute(&user, "given_name").as_deref(), Some("Ada"));
    assert_eq!(attribute(&user, "family_name").as_deref(), Some("Apple"));
    assert_eq!(attribute(&user, "name").as_deref(), Some("Ada Apple"));
    assert_eq!(
        identities(&w, "SignInWithApple_001234.abcdef").await[0]["providerType"],
        "SignInWithApple"
    );
    assert_eq!(w.fake.lock().expect("lock").apple_secrets_verified, 1);

    // Signed with a key Apple does not hold for the team: refused, nothing created.
    let before = user_count(&w).await;
    let upstream = begin(&w, "AppleWrongKey").await;
    let done = answer(&w, &upstream, "a-code-2", "009999.zzz", true).await;
    assert!(done.starts_with(CALLBACK), "{done}");
    assert!(param(&done, "error").is_some(), "{done}");
    assert!(param(&done, "code").is_none());
    assert_eq!(user_count(&w).await, before);
    assert_eq!(w.fake.lock().expect("lock").apple_secrets_verified, 1);

    // Describe shows Cognito's details, never the private key.
    let described = admin_ok(
        &w.admin,
        "DescribeIdentityProvider",
        json!({"UserPoolId": w.pool, "ProviderName": "SignInWithApple"}),
    )
    .await;
    let details = &described["IdentityProvider"]["ProviderDetails"];
    assert!(details.get("private_key").is_none(), "{details}");
    assert_eq!(details["team_id"], APPLE_TEAM);
    assert_eq!(details["token_request_method"], "POST");
    assert_eq!(details["attributes_url_add_attributes"], "false");
}

#[tokio::test(flavor = "multi_thread")]
async fn s21_facebook_signs_in_by_its_user_info_id() {
    let w = world().await;
    let upstream = begin(&w, "Facebook").await;
    assert!(upstream.contains("/facebook/dialog?"), "{upstream}");
    assert_eq!(
        param(&upstream, "scope").as_deref(),
        Some("public_profile email")
    );
    // OAuth 2.0 without PKCE or nonce.
    assert!(param(&upstream, "code_challenge").is_none());
    assert!(param(&upstream, "nonce").is_none());
    let done = answer(&w, &upstream, "fb-code-1", "ignored", false).await;
    let done = exchange(&w, &done).await;
    let id = claims(done["id_token"].as_str().expect("id token"));
    assert_eq!(id["cognito:username"], "Facebook_10158000111");
    let user = user(&w, "Facebook_10158000111").await.expect("created");
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("fiona@example.com")
    );
    assert_eq!(attribute(&user, "name").as_deref(), Some("Fiona Facebook"));
    assert_eq!(
        identities(&w, "Facebook_10158000111").await[0]["providerType"],
        "Facebook"
    );
    // Cognito appends the fields the mapping reads to attributes_url (`fields=`).
    let fields = w.fake.lock().expect("lock").fields.clone();
    let asked: Vec<&str> = fields[0].split(',').collect();
    for field in ["id", "email", "name"] {
        assert!(asked.contains(&field), "{fields:?}");
    }

    // An answer without the id: refused, nothing created.
    w.fake.lock().expect("lock").omit_id = true;
    let before = user_count(&w).await;
    let upstream = begin(&w, "Facebook").await;
    let done = answer(&w, &upstream, "fb-code-2", "ignored", false).await;
    assert_eq!(
        param(&done, "error").as_deref(),
        Some("invalid_request"),
        "{done}"
    );
    assert_eq!(user_count(&w).await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn s21_login_with_amazon_signs_in_by_user_id() {
    let w = world().await;
    let upstream = begin(&w, "LoginWithAmazon").await;
    assert!(upstream.contains("/amazon/ap/oa?"), "{upstream}");
    let done = answer(&w, &upstream, "amzn-code-1", "ignored", false).await;
    assert!(param(&done, "code").is_some(), "{done}");
    let user = user(&w, "LoginWithAmazon_amzn1.account.AE1XYZ")
        .await
        .expect("created");
    assert_eq!(
        attribute(&user, "email").as_deref(),
        Some("amy@example.com")
    );
    assert_eq!(attribute(&user, "name").as_deref(), Some("Amy Amazon"));
    assert_eq!(
        identities(&w, "LoginWithAmazon_amzn1.account.AE1XYZ").await[0]["providerType"],
        "LoginWithAmazon"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn s21_social_refusals_create_nothing() {
    let w = world().await;
    let before = user_count(&w).await;

    // An id token for another audience.
    w.fake.lock().expect("lock").wrong_audience = true;
    let upstream = begin(&w, "Google").await;
    let done = answer(&w, &upstream, "g-code-aud", "5550001", false).await;
    assert_eq!(
        param(&done, "error").as_deref(),
        Some("invalid_request"),
        "{done}"
    );
    assert!(user(&w, "Google_5550001").await.is_none());
    w.fake.lock().expect("lock").wrong_audience = false;

    // A wrong PKCE verifier: the provider refuses the code (the test, as the provider's
    // page, remembers another challenge than the one sent).
    let upstream = begin(&w, "Google").await;
    let tampered = upstream.replace(
        &form_escape(&param(&upstream, "code_challenge").expect("challenge")),
        &s256_challenge(VERIFIER),
    );
    let done = answer(&w, &tampered, "g-code-pkce", "5550002", false).await;
    assert!(param(&done, "error").is_some(), "{done}");
    assert!(user(&w, "Google_5550002").await.is_none());

    // The provider is down.
    let upstream = begin(&w, "GoogleDown").await;
    let done = answer(&w, &upstream, "g-code-down", "5550003", false).await;
    assert_eq!(
        param(&done, "error").as_deref(),
        Some("temporarily_unavailable"),
        "{done}"
    );
    assert_eq!(user_count(&w).await, before);

    // SAML does not sign in: the client hears so, and no call goes out.
    let refused = begin(&w, "Okta").await;
    assert!(refused.starts_with(CALLBACK), "{refused}");
    assert_eq!(param(&refused, "error").as_deref(), Some("invalid_request"));
    assert_eq!(
        param(&refused, "error_description").as_deref(),
        Some("Login option is not available. Please try another one.")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn s21_social_providers_describe_cognito_endpoints() {
    let w = world().await;
    for (name, kind, details, expected) in [
        (
            "G2",
            "Google",
            json!({"client_id": "c", "client_secret": "s", "authorize_scopes": "openid email"}),
            [
                (
                    "authorize_url",
                    "https://accounts.google.com/o/oauth2/v2/auth",
                ),
                ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
                ("oidc_issuer", "https://accounts.google.com"),
                ("attributes_url_add_attributes", "true"),
            ],
        ),
        (
            "F2",
            "Facebook",
            json!({"client_id": "c", "client_secret": "s", "authorize_scopes": "email",
                   "api_version": "v19.0"}),
            [
                (
                    "authorize_url",
                    "https://www.facebook.com/v19.0/dialog/oauth",
                ),
                (
                    "token_url",
                    "https://graph.facebook.com/v19.0/oauth/access_token",
                ),
                (
                    "attributes_url",
                    "https://graph.facebook.com/v19.0/me?fields=",
                ),
                ("token_request_method", "GET"),
            ],
        ),
        (
            "A2",
            "LoginWithAmazon",
            json!({"client_id": "c", "client_secret": "s", "authorize_scopes": "profile"}),
            [
                ("authorize_url", "https://www.amazon.com/ap/oa"),
                ("token_url", "https://api.amazon.com/auth/o2/token"),
                ("attributes_url", "https://api.amazon.com/user/profile"),
                ("token_request_method", "POST"),
            ],
        ),
        (
            "S2",
            "SignInWithApple",
            json!({"client_id": "c", "team_id": "t", "key_id": "k", "private_key": APPLE_KEY,
                   "authorize_scopes": "email"}),
            [
                ("authorize_url", "https://appleid.apple.com/auth/authorize"),
                ("token_url", "https://appleid.apple.com/auth/token"),
                ("oidc_issuer", "https://appleid.apple.com"),
                ("attributes_url_add_attributes", "false"),
            ],
        ),
    ] {
        admin_ok(
            &w.admin,
            "CreateIdentityProvider",
            json!({"UserPoolId": w.pool, "ProviderName": name, "ProviderType": kind,
                   "ProviderDetails": details}),
        )
        .await;
        let described = admin_ok(
            &w.admin,
            "DescribeIdentityProvider",
            json!({"UserPoolId": w.pool, "ProviderName": name}),
        )
        .await;
        let shown = &described["IdentityProvider"]["ProviderDetails"];
        for (key, value) in expected {
            assert_eq!(shown[key], value, "{name} {key}: {shown}");
        }
    }
    // Facebook without api_version: Cognito's default version is recorded.
    admin_ok(
        &w.admin,
        "CreateIdentityProvider",
        json!({"UserPoolId": w.pool, "ProviderName": "F3", "ProviderType": "Facebook",
               "ProviderDetails": {"client_id": "c", "client_secret": "s",
                                   "authorize_scopes": "email"}}),
    )
    .await;
    let described = admin_ok(
        &w.admin,
        "DescribeIdentityProvider",
        json!({"UserPoolId": w.pool, "ProviderName": "F3"}),
    )
    .await;
    let shown = &described["IdentityProvider"]["ProviderDetails"];
    assert_eq!(shown["api_version"], "v17.0");
    assert_eq!(
        shown["authorize_url"],
        "https://www.facebook.com/v17.0/dialog/oauth"
    );
}

async fn admin_error(w: &World, target: &str, body: Value) -> (String, String) {
    let (status, out) = send(&w.admin, signed(target, &body)).await;
    assert_eq!(status.as_u16(), 400, "{target}: {out}");
    (
        error_type(&out).to_owned(),
        out["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn s21_at_most_five_identities_link_to_one_user() {
    let w = world().await;
    admin_ok(
        &w.admin,
        "AdminCreateUser",
        json!({"UserPoolId": w.pool, "Username": "nina", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let link = |subject: String| {
        json!({"UserPoolId": w.pool,
               "DestinationUser": {"ProviderName": "Cognito",
                                   "ProviderAttributeValue": "nina"},
               "SourceUser": {"ProviderName": "Google",
                              "ProviderAttributeName": "Cognito_Subject",
                              "ProviderAttributeValue": subject}})
    };
    for n in 0..5 {
        admin_ok(
            &w.admin,
            "AdminLinkProviderForUser",
            link(format!("sub-{n}")),
        )
        .await;
    }
    let (kind, message) = admin_error(&w, "AdminLinkProviderForUser", link("sub-5".into())).await;
    assert_eq!(kind, "LimitExceededException");
    assert_eq!(
        message,
        "The maximum number of federated identities linked to a user is five."
    );
    assert_eq!(identities(&w, "nina").await.len(), 5);
    // Linking one already linked again changes nothing and is no error.
    admin_ok(&w.admin, "AdminLinkProviderForUser", link("sub-0".into())).await;
    // Unlinking one makes room for another.
    admin_ok(
        &w.admin,
        "AdminDisableProviderForUser",
        json!({"UserPoolId": w.pool,
               "User": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                        "ProviderAttributeValue": "sub-3"}}),
    )
    .await;
    admin_ok(&w.admin, "AdminLinkProviderForUser", link("sub-5".into())).await;
    assert_eq!(identities(&w, "nina").await.len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn s21_disabling_a_cognito_user_removes_its_password_sign_in() {
    let w = world().await;
    admin_ok(
        &w.admin,
        "AdminCreateUser",
        json!({"UserPoolId": w.pool, "Username": "oscar", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let set_password = json!({"UserPoolId": w.pool, "Username": "oscar",
                              "Password": "Correct-Horse-9", "Permanent": true});
    admin_ok(&w.admin, "AdminSetUserPassword", set_password.clone()).await;
    let sign_in = json!({"UserPoolId": w.pool, "ClientId": w.client,
                         "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                         "AuthParameters": {"USERNAME": "oscar",
                                            "PASSWORD": "Correct-Horse-9"}});
    admin_ok(&w.admin, "AdminInitiateAuth", sign_in.clone()).await;
    let disable = |attribute: &str| {
        json!({"UserPoolId": w.pool,
               "User": {"ProviderName": "Cognito", "ProviderAttributeName": attribute,
                        "ProviderAttributeValue": "oscar"}})
    };
    // The attribute must be Cognito_Subject: refused, the password still works.
    let (kind, _) = admin_error(&w, "AdminDisableProviderForUser", disable("email")).await;
    assert_eq!(kind, "InvalidParameterException");
    admin_ok(&w.admin, "AdminInitiateAuth", sign_in.clone()).await;

    admin_ok(
        &w.admin,
        "AdminDisableProviderForUser",
        disable("Cognito_Subject"),
    )
    .await;
    let (kind, _) = admin_error(&w, "AdminInitiateAuth", sign_in.clone()).await;
    assert_eq!(kind, "NotAuthorizedException");
    assert!(user(&w, "oscar").await.is_some());
    // A new password gives password sign-in back.
    admin_ok(&w.admin, "AdminSetUserPassword", set_password).await;
    admin_ok(&w.admin, "AdminInitiateAuth", sign_in).await;
}
