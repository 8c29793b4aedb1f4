//! SPEC §13 (first bullet) through the wire: with `--max-concurrent-hashes 1` and a short
//! `--hash-queue-timeout-ms`, concurrent sign-ins that find no permit in time are answered
//! HTTP 400 `TooManyRequestsException` `Too many requests`, the others as usual, and the
//! refused ones record nothing (no lockout failure for wrong passwords never checked).

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use clap::Parser;
use common::*;
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use userpool_server::{Config, router, serve};

fn limited_app() -> axum::Router {
    let config = Config::try_parse_from([
        "userpool-server",
        "--memory",
        // Slow enough (~10 ms) that sixteen sign-ins at once overlap.
        "--hash-memory-kib",
        "8192",
        "--hash-iterations",
        "2",
        "--max-concurrent-hashes",
        "1",
        "--hash-queue-timeout-ms",
        "1",
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let app = serve::app(&config, config.listen).unwrap_or_else(|e| panic!("{e}"));
    router(Arc::new(app))
}

/// Sixteen USER_PASSWORD_AUTH sign-ins as alice with `password`, started at once.
fn sixteen_sign_ins_at_once(
    app: &axum::Router,
    client: &str,
    password: &str,
) -> Vec<JoinHandle<(StatusCode, Value)>> {
    (0..16)
        .map(|_| {
            let app = app.clone();
            let body = json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": "alice", "PASSWORD": password } });
            tokio::spawn(async move { public(&app, "InitiateAuth", &body).await })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn spec_13_sign_ins_beyond_the_hash_limit_are_too_many_requests_and_record_nothing() {
    let app = limited_app();
    let pool = create_pool(&app, json!({ "PoolName": "p" })).await;
    let client = create_client(
        &app,
        json!({ "UserPoolId": pool, "ClientName": "c",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"] }),
    )
    .await;
    confirmed_user(&app, &pool, "alice", "Passw0rd!", &[]).await;

    let (mut too_many, mut signed_in) = (0, 0);
    // Rounds of sixteen at once until both answers were seen (the first round all but
    // certainly shows both; later rounds only guard against a scheduler that serialised it).
    for _ in 0..10 {
        for call in sixteen_sign_ins_at_once(&app, &client, "Passw0rd!") {
            let (status, out) = call.await.unwrap_or_else(|e| panic!("{e}"));
            match status {
                StatusCode::OK => signed_in += 1,
                StatusCode::BAD_REQUEST => {
                    assert_eq!(error_type(&out), "TooManyRequestsException", "{out}");
                    assert_eq!(out["message"], "Too many requests");
                    too_many += 1;
                }
                other => panic!("HTTP {other}: {out}"),
            }
        }
        if too_many > 0 && signed_in > 0 {
            break;
        }
    }
    assert!(
        too_many > 0 && signed_in > 0,
        "{too_many} refused, {signed_in} signed in"
    );

    // Wrong passwords refused for want of a permit are not counted toward the lockout: after
    // a burst of them the user is not locked out (five counted failures would lock it).
    let mut counted = 0;
    for call in sixteen_sign_ins_at_once(&app, &client, "Wrong-Passw0rd!") {
        let (_, out) = call.await.unwrap_or_else(|e| panic!("{e}"));
        match error_type(&out) {
            "NotAuthorizedException" => counted += 1,
            "TooManyRequestsException" => {}
            other => panic!("{other}: {out}"),
        }
    }
    if counted < 5 {
        let body = json!({ "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": "alice", "PASSWORD": "Passw0rd!" } });
        let (status, out) = public(&app, "InitiateAuth", &body).await;
        assert_eq!(status, StatusCode::OK, "not locked out: {out}");
    }
}
