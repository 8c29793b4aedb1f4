//! SPEC §21 federation over real loopback sockets: the external OIDC provider is **another
//! pool on the same server** (its own client and users; its /oauth2/authorize, hosted page,
//! /oauth2/token, userInfo and JWKS act as the provider), driven as a browser drives them
//! (no redirects followed, the CSRF cookie carried by hand). For the refusals a tiny fake
//! token endpoint hands back id tokens the test shaped from the upstream pool's real ones.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use common::net::http;
use common::oauth::{claims, provider_authorize_query};
use common::{admin_ok, create_client, error_type, send, signed};
use serde_json::{Value, json};
use userpool_core::oauth::s256_challenge;

const CALLBACK: &str = "http://localhost:8000/callback";
const VERIFIER: &str = "federation-test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCD";
const PASSWORD: &str = "Correct-Horse-9";

/// Two pools on one server: `up` is the provider, `down` signs in through it.
struct World {
    base: String,
    admin: Router,
    up: String,
    down: String,
    rp_client: String,
    rp_secret: String,
    app_client: String,
    /// The id token the fake token endpoint answers with.
    canned: Arc<Mutex<String>>,
}

struct Reply {
    status: u16,
    location: String,
    cookie: String,
    body: String,
}

fn reply(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let location = header("location");
    let cookie = header("set-cookie")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    Reply {
        status: response.status().as_u16(),
        location,
        cookie,
        body: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn get(url: &str) -> Reply {
    reply(
        http()
            .get(url)
            .call()
            .unwrap_or_else(|e| panic!("{url}: {e}")),
    )
}

/// A GET carrying `cookie` (a browser's, set by an earlier answer).
fn get_with(url: &str, cookie: &str) -> Reply {
    reply(
        http()
            .get(url)
            .header("cookie", cookie)
            .call()
            .unwrap_or_else(|e| panic!("{url}: {e}")),
    )
}

fn post_form(url: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
    let mut request = http().post(url);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    reply(
        request
            .send_form(form.iter().copied())
            .unwrap_or_else(|e| panic!("{url}: {e}")),
    )
}

fn query_of(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(url: &str, name: &str) -> Option<String> {
    query_of(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + marker.len();
    let end = body[start..].find('"').expect("closing quote") + start;
    body[start..end].replace("&amp;", "&")
}

async fn admin(world: &World, target: &str, body: Value) -> Value {
    admin_ok(&world.admin, target, body).await
}

async fn admin_err(world: &World, target: &str, body: Value) -> (String, String) {
    let (status, out) = send(&world.admin, signed(target, &body)).await;
    assert_eq!(status.as_u16(), 400, "{target}: {out}");
    (
        error_type(&out).to_owned(),
        out["message"].as_str().unwrap_or_default().to_owned(),
    )
}

fn provider_details(
    base: &str,
    up: &str,
    client_id: &str,
    secret: &str,
    extra: &[(&str, &str)],
) -> Value {
    let mut details = json!({
        "client_id": client_id, "client_secret": secret,
        "authorize_scopes": "openid email",
        "attributes_request_method": "GET",
        "oidc_issuer": format!("{base}/{up}"),
    });
    for (k, v) in extra {
        details[*k] = json!(v);
    }
    details
}

async fn world() -> World {
    let (base, routes) = common::net::serve_router(&["--no-rate-limits"]).await;

    // The fake token endpoint, for the refusals: answers whatever id token is canned.
    let canned = Arc::new(Mutex::new(String::new()));
    let fake_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let fake: SocketAddr = fake_listener.local_addr().expect("address");
    let held = Arc::clone(&canned);
    let fake_routes = Router::new().route(
        "/token",
        post(move || {
            let token = held.lock().expect("lock").clone();
            async move {
                axum::Json(json!({"id_token": token, "access_token": "x", "token_type": "Bearer"}))
            }
        }),
    );
    tokio::spawn(axum::serve(fake_listener, fake_routes).into_future());

    let create_pool = |name: &str| json!({"PoolName": name});
    let up = admin_ok(&routes, "CreateUserPool", create_pool("Upstream")).await["UserPool"]["Id"]
        .as_str()
        .expect("id")
        .to_owned();
    let down =
        admin_ok(&routes, "CreateUserPool", create_pool("Downstream")).await["UserPool"]["Id"]
            .as_str()
            .expect("id")
            .to_owned();
    let rp = admin_ok(
        &routes,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": up, "ClientName": "relying-party", "GenerateSecret": true,
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email"],
            "CallbackURLs": [format!("{base}/{down}/oauth2/idpresponse")],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let rp_client = rp["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("id")
        .to_owned();
    let rp_secret = rp["UserPoolClient"]["ClientSecret"]
        .as_str()
        .expect("secret")
        .to_owned();
    admin_ok(
        &routes,
        "AdminCreateUser",
        json!({"UserPoolId": up, "Username": "ursula", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "ursula@example.com"}]}),
    )
    .await;
    admin_ok(
        &routes,
        "AdminSetUserPassword",
        json!({"UserPoolId": up, "Username": "ursula", "Password": PASSWORD, "Permanent": true}),
    )
    .await;
    let fake_url = format!("http://{fake}/token");
    let jwks = format!("{base}/{up}/.well-known/jwks.json");
    let providers = [
        (
            "Upstream",
            provider_details(&base, &up, &rp_client, &rp_secret, &[]),
        ),
        (
            "Fake",
            provider_details(
                &base,
                &up,
                &rp_client,
                &rp_secret,
                &[
                    ("authorize_url", &fake_url),
                    ("token_url", &fake_url),
                    ("jwks_uri", &jwks),
                ],
            ),
        ),
        (
            "OtherAud",
            provider_details(
                &base,
                &up,
                "another-client",
                "another-secret",
                &[
                    ("authorize_url", &fake_url),
                    ("token_url", &fake_url),
                    ("jwks_uri", &jwks),
                ],
            ),
        ),
        (
            "Dead",
            provider_details(
                &base,
                &up,
                &rp_client,
                &rp_secret,
                &[
                    ("authorize_url", &fake_url),
                    ("token_url", "http://127.0.0.1:1/token"),
                    ("jwks_uri", &jwks),
                ],
            ),
        ),
    ];
    for (name, details) in providers {
        admin_ok(
            &routes,
            "CreateIdentityProvider",
            json!({"UserPoolId": down, "ProviderName": name, "ProviderType": "OIDC",
                   "ProviderDetails": details,
                   "AttributeMapping": {"email": "email", "username": "sub"}}),
        )
        .await;
    }
    let app_client = create_client(
        &routes,
        json!({
            "UserPoolId": down, "ClientName": "web",
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO", "Upstream", "Fake", "OtherAud", "Dead"],
        }),
    )
    .await;
    World {
        base,
        admin: routes,
        up,
        down,
        rp_client,
        rp_secret,
        app_client,
        canned,
    }
}

/// The downstream authorize URL naming `provider`.
fn authorize_url(w: &World, provider: &str) -> String {
    let query = provider_authorize_query(&w.app_client, CALLBACK, VERIFIER, provider);
    format!("{}/{}/oauth2/authorize?{query}", w.base, w.down)
}

/// Signs `ursula` in on the upstream pool's page at `authorize` (an upstream authorize
/// URL); returns where the upstream pool sends the browser (our idpresponse).
fn upstream_sign_in(authorize: &str) -> String {
    let page = get(authorize);
    assert_eq!(page.status, 200, "{}", page.body);
    let request = hidden(&page.body, "request");
    let csrf = hidden(&page.body, "_csrf");
    let action = authorize.split("/oauth2/authorize").next().expect("base");
    let answer = post_form(
        &format!("{action}/login"),
        &[
            ("request", &request),
            ("_csrf", &csrf),
            ("username", "ursula"),
            ("password", PASSWORD),
        ],
        Some(&page.cookie),
    );
    assert_eq!(answer.status, 302, "{}", answer.body);
    answer.location
}

/// The full federated sign-in through `Upstream`: the downstream tokens.
fn federated_tokens(w: &World) -> Value {
    let first = get(&authorize_url(w, "Upstream"));
    assert_eq!(first.status, 302, "{}", first.body);
    assert!(
        first
            .location
            .starts_with(&format!("{}/{}/oauth2/authorize?", w.base, w.up)),
        "{}",
        first.location
    );
    assert_eq!(
        param(&first.location, "client_id"),
        Some(w.rp_client.clone())
    );
    assert!(param(&first.location, "nonce").is_some());
    let back = upstream_sign_in(&first.location);
    assert!(back.starts_with(&format!("{}/{}/oauth2/idpresponse?", w.base, w.down)));
    let done = get_with(&back, &first.cookie);
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(done.location.starts_with(CALLBACK), "{}", done.location);
    assert_eq!(param(&done.location, "state").as_deref(), Some("app-state"));
    let code = param(&done.location, "code").unwrap_or_else(|| panic!("{}", done.location));
    let tokens = post_form(
        &format!("{}/{}/oauth2/token", w.base, w.down),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &w.app_client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
        None,
    );
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    serde_json::from_str(&tokens.body).expect("json")
}

/// An id token of the upstream pool for `ursula`, issued to the relying-party client with
/// `nonce`, obtained as the relying party would (for the fake endpoint to hand back).
fn upstream_id_token(w: &World, nonce: &str) -> String {
    let callback = format!("{}/{}/oauth2/idpresponse", w.base, w.down);
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", &w.rp_client)
        .append_pair("redirect_uri", &callback)
        .append_pair("scope", "openid email")
        .append_pair("nonce", nonce);
    let back = upstream_sign_in(&format!(
        "{}/{}/oauth2/authorize?{}",
        w.base,
        w.up,
        query.finish()
    ));
    let code = param(&back, "code").expect("code");
    let basic = Base64::encode_string(format!("{}:{}", w.rp_client, w.rp_secret).as_bytes());
    let mut response = http()
        .post(&format!("{}/{}/oauth2/token", w.base, w.up))
        .header("authorization", &format!("Basic {basic}"))
        .send_form([
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", callback.as_str()),
        ])
        .expect("token");
    let body: Value =
        serde_json::from_str(&response.body_mut().read_to_string().expect("body")).expect("json");
    body["id_token"].as_str().expect("id_token").to_owned()
}

/// Starts a downstream sign-in through `provider` and answers its idpresponse with
/// whatever the fake token endpoint holds after `shape(nonce)`; returns the redirect.
fn answer_through_fake(w: &World, provider: &str, shape: impl FnOnce(&str) -> String) -> String {
    let first = get(&authorize_url(w, provider));
    assert_eq!(first.status, 302, "{}", first.body);
    let state = param(&first.location, "state").expect("state");
    let nonce = param(&first.location, "nonce").expect("nonce");
    *w.canned.lock().expect("lock") = shape(&nonce);
    let done = get_with(
        &format!(
            "{}/{}/oauth2/idpresponse?state={state}&code=anything",
            w.base, w.down
        ),
        &first.cookie,
    );
    assert_eq!(done.status, 302, "{}", done.body);
    done.location
}

async fn user_count(w: &World) -> usize {
    admin(w, "ListUsers", json!({"UserPoolId": w.down})).await["Users"]
        .as_array()
        .map_or(0, Vec::len)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("task")
}

/// AdminLinkProviderForUser's input: the down pool's `destination` user, and the identity of
/// `provider` whose subject is `subject` as the source.
fn link_input(w: &World, destination: &str, provider: &str, subject: &str) -> Value {
    json!({"UserPoolId": w.down,
           "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": destination},
           "SourceUser": {"ProviderName": provider, "ProviderAttributeName": "Cognito_Subject",
                          "ProviderAttributeValue": subject}})
}

async fn ursula_sub(w: &World) -> String {
    let user = admin(
        w,
        "AdminGetUser",
        json!({"UserPoolId": w.up, "Username": "ursula"}),
    )
    .await;
    user["UserAttributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["Name"] == "sub"))
        .and_then(|x| x["Value"].as_str())
        .expect("sub")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_federated_sign_in_creates_an_external_provider_user_and_reuses_it() {
    let w = Arc::new(world().await);
    let sub = ursula_sub(&w).await;
    let ww = Arc::clone(&w);
    let tokens = blocking(move || federated_tokens(&ww)).await;
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    let username = format!("Upstream_{sub}");
    assert_eq!(id["cognito:username"], json!(username), "{id}");
    assert_eq!(id["email"], json!("ursula@example.com"), "mapped: {id}");
    let identity = &id["identities"][0];
    assert_eq!(identity["userId"], json!(sub), "{id}");
    assert_eq!(identity["providerName"], json!("Upstream"));
    assert_eq!(identity["providerType"], json!("OIDC"));
    assert_eq!(identity["primary"], json!("true"));
    assert!(identity["dateCreated"].is_string(), "{id}");

    let user = admin(
        &w,
        "AdminGetUser",
        json!({"UserPoolId": w.down, "Username": username}),
    )
    .await;
    assert_eq!(user["UserStatus"], json!("EXTERNAL_PROVIDER"), "{user}");
    let attributes = user["UserAttributes"].as_array().expect("attributes");
    let identities = attributes
        .iter()
        .find(|a| a["Name"] == "identities")
        .and_then(|a| a["Value"].as_str())
        .expect("identities attribute");
    let identities: Value = serde_json::from_str(identities).expect("json list");
    assert_eq!(identities[0]["providerName"], json!("Upstream"));
    let listed = admin(&w, "ListUsers", json!({"UserPoolId": w.down})).await;
    assert_eq!(listed["Users"][0]["UserStatus"], json!("EXTERNAL_PROVIDER"));

    let ww = Arc::clone(&w);
    let again = blocking(move || federated_tokens(&ww)).await;
    let again = claims(again["id_token"].as_str().expect("id token"));
    assert_eq!(
        again["sub"], id["sub"],
        "the second sign-in is the same user"
    );
    assert_eq!(user_count(&w).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_a_linked_identity_signs_in_as_the_linked_user_until_disabled() {
    let w = Arc::new(world().await);
    let sub = ursula_sub(&w).await;
    admin(
        &w,
        "AdminCreateUser",
        json!({"UserPoolId": w.down, "Username": "dora", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let (code, message) = admin_err(
        &w,
        "AdminLinkProviderForUser",
        link_input(&w, "dora", "Cognito", "dora"),
    )
    .await;
    assert_eq!(code, "InvalidParameterException");
    assert!(message.starts_with("Invalid SourceUser"), "{message}");
    let (code, _) = admin_err(
        &w,
        "AdminLinkProviderForUser",
        link_input(&w, "nobody", "Upstream", &sub),
    )
    .await;
    assert_eq!(code, "UserNotFoundException");
    admin(
        &w,
        "AdminLinkProviderForUser",
        link_input(&w, "dora", "Upstream", &sub),
    )
    .await;
    let ww = Arc::clone(&w);
    let tokens = blocking(move || federated_tokens(&ww)).await;
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(id["cognito:username"], json!("dora"), "{id}");
    assert_eq!(user_count(&w).await, 1, "no external user was created");

    admin(
        &w,
        "AdminDisableProviderForUser",
        json!({"UserPoolId": w.down,
               "User": {"ProviderName": "Upstream", "ProviderAttributeName": "Cognito_Subject",
                        "ProviderAttributeValue": sub}}),
    )
    .await;
    let ww = Arc::clone(&w);
    let tokens = blocking(move || federated_tokens(&ww)).await;
    let id = claims(tokens["id_token"].as_str().expect("id token"));
    assert_eq!(
        id["cognito:username"],
        json!(format!("Upstream_{sub}")),
        "unlinked, the identity signs in as its own user: {id}"
    );
    // An identity that has signed in cannot be linked (merging is not supported).
    let (code, _) = admin_err(
        &w,
        "AdminLinkProviderForUser",
        link_input(&w, "dora", "Upstream", &sub),
    )
    .await;
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_bad_and_replayed_state_are_refused_with_nothing_created() {
    let w = Arc::new(world().await);
    let ww = Arc::clone(&w);
    let (bogus, first, replay) = blocking(move || {
        let bogus = get(&format!(
            "{}/{}/oauth2/idpresponse?state=forged&code=x",
            ww.base, ww.down
        ));
        let start = get(&authorize_url(&ww, "Upstream"));
        let back = upstream_sign_in(&start.location);
        let first = get_with(&back, &start.cookie);
        let replay = get_with(&back, &start.cookie);
        (bogus, first, replay)
    })
    .await;
    assert_eq!(bogus.status, 400, "{}", bogus.body);
    assert!(bogus.location.is_empty());
    assert_eq!(first.status, 302);
    assert!(
        param(&first.location, "code").is_some(),
        "{}",
        first.location
    );
    assert_eq!(replay.status, 400, "a state answers once: {}", replay.body);
    assert!(replay.location.is_empty());
    assert_eq!(
        user_count(&w).await,
        1,
        "only the one good sign-in made a user"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_forged_wrong_audience_wrong_nonce_and_dead_provider_are_refused() {
    let w = Arc::new(world().await);
    let ww = Arc::clone(&w);
    let (forged, audience, nonce, dead, good) = blocking(move || {
        let forged = answer_through_fake(&ww, "Fake", |nonce| {
            // The upstream pool's genuine token with its payload altered: the signature
            // no longer holds.
            let token = upstream_id_token(&ww, nonce);
            let parts: Vec<&str> = token.split('.').collect();
            let mut claims = claims(&token);
            claims["email"] = json!("mallory@example.com");
            let altered = Base64UrlUnpadded::encode_string(claims.to_string().as_bytes());
            format!("{}.{altered}.{}", parts[0], parts[2])
        });
        let audience = answer_through_fake(&ww, "OtherAud", |nonce| upstream_id_token(&ww, nonce));
        let nonce = answer_through_fake(&ww, "Fake", |_| upstream_id_token(&ww, "another-nonce"));
        let dead = get(&authorize_url(&ww, "Dead"));
        let state = param(&dead.location, "state").expect("state");
        let dead = get_with(
            &format!(
                "{}/{}/oauth2/idpresponse?state={state}&code=x",
                ww.base, ww.down
            ),
            &dead.cookie,
        )
        .location;
        let good = answer_through_fake(&ww, "Fake", |nonce| upstream_id_token(&ww, nonce));
        (forged, audience, nonce, dead, good)
    })
    .await;
    for (case, location) in [
        ("forged signature", &forged),
        ("wrong audience", &audience),
        ("wrong nonce", &nonce),
    ] {
        assert!(location.starts_with(CALLBACK), "{case}: {location}");
        assert_eq!(
            param(location, "error").as_deref(),
            Some("invalid_request"),
            "{case}: {location}"
        );
        assert_eq!(param(location, "state").as_deref(), Some("app-state"));
        assert!(param(location, "code").is_none(), "{case}");
    }
    assert_eq!(
        param(&dead, "error").as_deref(),
        Some("temporarily_unavailable"),
        "{dead}"
    );
    assert_eq!(
        user_count(&w).await,
        1,
        "only the untampered token through the same fake made a user"
    );
    assert!(param(&good, "code").is_some(), "{good}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_the_page_offers_each_provider_and_its_button_starts_the_sign_in() {
    let w = Arc::new(world().await);
    let ww = Arc::clone(&w);
    let (page, chosen, forged) = blocking(move || {
        let url = authorize_url(&ww, "COGNITO");
        let page = get(&url);
        let request = hidden(&page.body, "request");
        let csrf = hidden(&page.body, "_csrf");
        let login = format!("{}/{}/login", ww.base, ww.down);
        let forged = post_form(
            &login,
            &[
                ("request", &request),
                ("_csrf", "not-the-token"),
                ("identity_provider", "Upstream"),
            ],
            Some(&page.cookie),
        );
        let chosen = post_form(
            &login,
            &[
                ("request", &request),
                ("_csrf", &csrf),
                ("identity_provider", "Upstream"),
            ],
            Some(&page.cookie),
        );
        (page, chosen, forged)
    })
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    for provider in ["Upstream", "Fake", "OtherAud", "Dead"] {
        assert!(
            page.body.contains(&format!(
                "name=\"identity_provider\" value=\"{provider}\">Continue with {provider}</button>"
            )),
            "{provider}: {}",
            page.body
        );
    }
    assert!(
        page.body.contains("name=\"password\""),
        "COGNITO keeps the form"
    );
    assert_eq!(forged.status, 403, "the button needs the CSRF token");
    assert_eq!(chosen.status, 302, "{}", chosen.body);
    assert!(
        chosen
            .location
            .starts_with(&format!("{}/{}/oauth2/authorize?", w.base, w.up)),
        "{}",
        chosen.location
    );
    let (location, cookie) = (chosen.location.clone(), chosen.cookie.clone());
    let done = blocking(move || get_with(&upstream_sign_in(&location), &cookie)).await;
    assert!(done.location.starts_with(CALLBACK), "{}", done.location);
    assert!(param(&done.location, "code").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_a_state_held_for_a_provider_is_not_a_sign_in_form() {
    let w = Arc::new(world().await);
    let ww = Arc::clone(&w);
    let (posted, still) = blocking(move || {
        let first = get(&authorize_url(&ww, "Upstream"));
        let state = param(&first.location, "state").expect("state");
        let posted = post_form(
            &format!("{}/{}/login", ww.base, ww.down),
            &[
                ("request", state.as_str()),
                ("_csrf", ""),
                ("username", "anyone"),
                ("password", PASSWORD),
            ],
            Some(&format!("userpool_csrf_{state}=")),
        );
        // The request still completes at idpresponse.
        let still = get_with(&upstream_sign_in(&first.location), &first.cookie);
        (posted, still)
    })
    .await;
    assert_eq!(posted.status, 400, "{}", posted.body);
    assert!(posted.location.is_empty());
    assert!(
        param(&still.location, "code").is_some(),
        "{}",
        still.location
    );
}

/// Login CSRF through a provider (RFC 6749 §10.12): the attacker signs in at the provider
/// as themselves and sends the victim the finished `idpresponse` URL. Without the cookie
/// of the browser that started the sign-in (none, or the victim's own of another
/// sign-in) it is refused with nothing issued; the starting browser still completes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_attack_an_idpresponse_needs_the_browser_that_started_it() {
    let w = Arc::new(world().await);
    let ww = Arc::clone(&w);
    let (start, bare, foreign, own) = blocking(move || {
        let attacker = get(&authorize_url(&ww, "Upstream"));
        let victim = get(&authorize_url(&ww, "Upstream"));
        let back = upstream_sign_in(&attacker.location);
        let bare = get(&back);
        let foreign = get_with(&back, &victim.cookie);
        let own = get_with(&back, &attacker.cookie);
        (attacker, bare, foreign, own)
    })
    .await;
    assert!(
        start.cookie.starts_with("userpool_csrf_"),
        "{}",
        start.cookie
    );
    for (case, reply) in [("no cookie", &bare), ("another sign-in's cookie", &foreign)] {
        assert_eq!(reply.status, 403, "{case}: {}", reply.body);
        assert!(reply.location.is_empty(), "{case}: {}", reply.location);
    }
    assert_eq!(own.status, 302, "{}", own.body);
    assert!(param(&own.location, "code").is_some(), "{}", own.location);
}

/// A client deleted while its user was away at the provider gets nothing when the provider
/// answers: no implicit-grant tokens (they would outlive the deletion that "ends what the
/// client issued"), no authorization code, no user created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_a_client_deleted_during_a_federated_sign_in_is_issued_nothing() {
    let w = Arc::new(world().await);
    let implicit = admin_ok(
        &w.admin,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": w.down, "ClientName": "spa",
            "AllowedOAuthFlows": ["implicit"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["Upstream"],
        }),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("id")
        .to_owned();
    for (client, response_type) in [(implicit, "token"), (w.app_client.clone(), "code")] {
        let ww = Arc::clone(&w);
        let c = client.clone();
        let (start, back) = blocking(move || {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query
                .append_pair("response_type", response_type)
                .append_pair("client_id", &c)
                .append_pair("redirect_uri", CALLBACK)
                .append_pair("scope", "openid email")
                .append_pair("state", "app-state")
                .append_pair("identity_provider", "Upstream");
            if response_type == "code" {
                query
                    .append_pair("code_challenge", &s256_challenge(VERIFIER))
                    .append_pair("code_challenge_method", "S256");
            }
            let start = get(&format!(
                "{}/{}/oauth2/authorize?{}",
                ww.base,
                ww.down,
                query.finish()
            ));
            assert_eq!(start.status, 302, "{}", start.body);
            let back = upstream_sign_in(&start.location);
            (start, back)
        })
        .await;
        admin_ok(
            &w.admin,
            "DeleteUserPoolClient",
            json!({"UserPoolId": w.down, "ClientId": client}),
        )
        .await;
        let done = blocking(move || get_with(&back, &start.cookie)).await;
        assert!(
            !done.location.contains("access_token") && !done.location.contains("code="),
            "{response_type}: {}",
            done.location
        );
        assert_eq!(done.status, 400, "{response_type}: {}", done.body);
    }
    assert_eq!(user_count(&w).await, 0, "no user was created");
}

/// A client that stops listing the provider while its user is at it gets nothing when the
/// provider answers: an administrator who takes a provider off a client ends the sign-ins
/// already under way through it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s21_a_provider_taken_off_the_client_mid_sign_in_issues_nothing() {
    let w = Arc::new(world().await);
    let ww = Arc::clone(&w);
    let (start, back) = blocking(move || {
        let start = get(&authorize_url(&ww, "Upstream"));
        assert_eq!(start.status, 302, "{}", start.body);
        let back = upstream_sign_in(&start.location);
        (start, back)
    })
    .await;
    admin_ok(
        &w.admin,
        "UpdateUserPoolClient",
        json!({
            "UserPoolId": w.down, "ClientId": w.app_client, "ClientName": "web",
            "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK],
            "SupportedIdentityProviders": ["COGNITO", "Fake"],
        }),
    )
    .await;
    let done = blocking(move || get_with(&back, &start.cookie)).await;
    assert!(!done.location.contains("code="), "{}", done.location);
    assert_eq!(done.status, 400, "{}", done.body);
    assert_eq!(user_count(&w).await, 0, "no user was created");
}
