//! SPEC §13 (and §7): rate limits are on by default in the server, per client address and
//! per username for the unauthenticated operations, on every path (token refresh, GetUser,
//! GlobalSignOut included); `--no-rate-limits` turns them off.

mod common;

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use common::net::{self, post};
use common::{JSON, confirmed_user, create_client, create_pool, request, send};
use serde_json::{Value, json};
use userpool::{Authorizer, Caller, Category, ManualClock, RateLimiter, RateLimits, UserPools};

const OTHER_ADDRESS: [u8; 4] = [127, 0, 0, 2];

/// A cheap public request (an unknown client), naming `username`.
fn forgot(username: &str) -> Value {
    json!({ "ClientId": "nosuchclient", "Username": username })
}

/// Sends `n` requests, the `i`th from `source(i)`; returns how many were refused
/// TooManyRequests.
async fn refused_of(
    address: std::net::SocketAddr,
    source: impl Fn(usize) -> Option<IpAddr>,
    n: usize,
    body: impl Fn(usize) -> Value,
) -> usize {
    let mut refused = 0;
    for i in 0..n {
        let (status, out) = post(address, source(i), "ForgotPassword", &body(i)).await;
        match out["__type"].as_str() {
            Some("TooManyRequestsException") => refused += 1,
            Some("ResourceNotFoundException") => {}
            other => panic!("{status} {other:?}: {out}"),
        }
    }
    refused
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_13_rate_limits_per_address_do_not_affect_another_address() {
    let server = net::start(&[]).await;
    // Distinct usernames, so only the address limit (bursts of 100, 25/s) can refuse.
    let refused = refused_of(server.address, |_| None, 300, |i| forgot(&format!("u{i}"))).await;
    assert!(
        refused > 0,
        "300 requests from one address in a burst, none refused"
    );
    let other = |_| Some(IpAddr::from(OTHER_ADDRESS));
    let refused = refused_of(server.address, other, 20, |i| forgot(&format!("v{i}"))).await;
    assert_eq!(refused, 0, "another address was refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_13_rate_limits_per_username() {
    let server = net::start(&[]).await;
    // 150 requests naming one user (case varied) from four addresses in turn, so that no
    // address's bucket (100) empties: only the username's (bursts of 50, 10/s) can.
    let spread = |i: usize| Some(IpAddr::from([127, 0, 0, 3 + (i % 4) as u8]));
    let refused = refused_of(server.address, spread, 150, |i| {
        forgot(if i % 2 == 0 { "diego" } else { "DIEGO" })
    })
    .await;
    assert!(refused > 0, "150 requests for one username, none refused");
    // Another user is served.
    let refused = refused_of(server.address, |_| None, 5, |_| forgot("maria")).await;
    assert_eq!(refused, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_13_no_rate_limits_turns_them_off() {
    let server = net::start(&["--no-rate-limits"]).await;
    let refused = refused_of(server.address, |_| None, 300, |_| forgot("diego")).await;
    assert_eq!(refused, 0);
}

/// Refuses `AdminInitiateAuth` only.
struct NoAdminSignIn;

impl Authorizer for NoAdminSignIn {
    fn authorize(&self, _: &Caller, action: &str, _: &userpool_core::UserPoolId) -> bool {
        action != "AdminInitiateAuth"
    }
    fn authorize_account(&self, _: &Caller, _: &str) -> bool {
        true
    }
}

fn status_and_type(out: &(StatusCode, Value)) -> (StatusCode, &str) {
    (out.0, out.1["__type"].as_str().unwrap_or_default())
}

/// SPEC §7: the token refresh, GetUser and GlobalSignOut go through the pool's quotas, and
/// the admin refresh through the authoriser. A frozen clock: nothing refills.
#[tokio::test]
async fn spec_13_refresh_get_user_and_global_sign_out_are_rate_limited() {
    let config = net::config(&[]);
    let mut app =
        userpool_server::serve::app(&config, config.listen).unwrap_or_else(|e| panic!("{e}"));
    let limits = RateLimits::default()
        .with_rate(Category::UserAuthentication, 2)
        .with_rate(Category::UserRead, 1);
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let store = Arc::clone(app.pools.store());
    let tokens =
        userpool::tokens::Tokens::new(Arc::clone(&store), clock.clone(), "http://localhost".into());
    app.pools = UserPools::builder(store)
        .clock(clock)
        .tokens(tokens)
        .authorizer(Arc::new(NoAdminSignIn))
        .rate_limiter(RateLimiter::new(limits))
        .build();
    let app = userpool_server::router(Arc::new(app));
    let pool = create_pool(&app, json!({ "PoolName": "p" })).await;
    let client = create_client(
        &app,
        json!({ "UserPoolId": pool, "ClientName": "c",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
    )
    .await;
    confirmed_user(&app, &pool, "diego", "Correct-Horse-9!", &[]).await;
    let public = |target: &str, body: Value| request(Some(target), Some(JSON), body.to_string());
    // UserAuthentication: 2 at once. The sign-in takes one, a refresh the other.
    let (status, out) = send(
        &app,
        public(
            "InitiateAuth",
            json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": { "USERNAME": "diego", "PASSWORD": "Correct-Horse-9!" } }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let access = out["AuthenticationResult"]["AccessToken"].clone();
    let refresh_token = out["AuthenticationResult"]["RefreshToken"].clone();
    let refresh = json!({ "ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                          "AuthParameters": { "REFRESH_TOKEN": refresh_token } });
    let first = send(&app, public("InitiateAuth", refresh.clone())).await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    // The admin door asks the authoriser first.
    let mut admin_refresh = refresh.clone();
    admin_refresh["UserPoolId"] = json!(pool);
    let denied = send(&app, common::signed("AdminInitiateAuth", &admin_refresh)).await;
    assert_eq!(
        status_and_type(&denied),
        (StatusCode::BAD_REQUEST, "NotAuthorizedException"),
        "{}",
        denied.1
    );
    // The quota is spent: refresh and GlobalSignOut are refused.
    let second = send(&app, public("InitiateAuth", refresh.clone())).await;
    assert_eq!(
        status_and_type(&second),
        (StatusCode::BAD_REQUEST, "TooManyRequestsException")
    );
    let token = json!({ "AccessToken": access });
    let sign_out = send(&app, public("GlobalSignOut", token.clone())).await;
    assert_eq!(
        status_and_type(&sign_out),
        (StatusCode::BAD_REQUEST, "TooManyRequestsException")
    );
    // UserRead: 1. GetUser once, then refused.
    let got = send(&app, public("GetUser", token.clone())).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    let again = send(&app, public("GetUser", token.clone())).await;
    assert_eq!(
        status_and_type(&again),
        (StatusCode::BAD_REQUEST, "TooManyRequestsException")
    );
}

/// The per-username limit counts the name the operation signs in as: an InitiateAuth whose
/// `AuthParameters.USERNAME` is one user is limited as that user, whatever decoy
/// `Username` member (which InitiateAuth does not read) rides along.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_13_a_decoy_username_member_does_not_dodge_the_per_username_limit() {
    let server = net::start(&[]).await;
    let spread = |i: usize| Some(IpAddr::from([127, 0, 0, 3 + (i % 4) as u8]));
    let mut refused = 0;
    for i in 0..150 {
        // A decoy name, a decoy of another type (which a reader of every member would fail
        // on, and so skip the limit), or a repeated decoy member (likewise).
        let body = match i % 3 {
            0 => json!({
                "ClientId": "nosuchclient",
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "diego", "PASSWORD": "Guess-0001!"},
                "Username": format!("decoy{i}"),
            })
            .to_string(),
            1 => json!({
                "ClientId": "nosuchclient",
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "diego", "PASSWORD": "Guess-0001!"},
                "Username": [i],
                "ChallengeResponses": 7,
            })
            .to_string(),
            _ => format!(
                r#"{{"ClientId": "nosuchclient", "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {{"USERNAME": "diego", "PASSWORD": "Guess-0001!"}},
                "Username": "a{i}", "Username": "b{i}"}}"#
            ),
        };
        let stream = net::connect(server.address, spread(i)).await;
        let (status, out) = net::exchange(stream, &net::raw_request("InitiateAuth", &body)).await;
        match out["__type"].as_str() {
            Some("TooManyRequestsException") => refused += 1,
            Some("ResourceNotFoundException") => {}
            other => panic!("{status} {other:?}: {out}"),
        }
    }
    assert!(refused > 0, "150 sign-ins as one user, none refused");
}
